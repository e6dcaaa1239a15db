//! The document model every stage shares: a document is a list of paragraph-sized blocks, each
//! remembering the page and the numbered paragraph/section it came from, so any count can be cited.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The input formats termtally reads, detected from content rather than the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    /// legislation.gov.uk Crown Legislation Markup Language (`/data.xml`).
    Clml,
    Html,
    Docx,
    Text,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Clml => "legislation.gov.uk XML",
            Format::Html => "HTML",
            Format::Docx => "Word (DOCX)",
            Format::Text => "plain text",
        }
    }
}

/// A paragraph-sized piece of text with where it came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// 1-based page number; `None` where the format has no pages.
    pub page: Option<u32>,
    /// Enclosing Part (legislation), e.g. "Part 3"; `None` elsewhere.
    pub part: Option<String>,
    /// Nearest paragraph or section number: "4.9", "379", "s.19".
    pub section: Option<String>,
    /// Text of the nearest heading above the block (the block's own text when it is a heading);
    /// `None` above the first heading. Filled in by `headings::carry` from `heading_level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// Set when the block is itself a heading: its level, 1 the highest (a Part, a chapter, an
    /// `h1`, the largest type), larger numbers for subheadings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading_level: Option<u8>,
    /// Where a paragraph that runs on over page breaks continues: the byte offset in `text`
    /// at which each later page starts (`page` is the page the paragraph starts on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_breaks: Vec<PageBreak>,
    /// The text. Before normalisation it may hold `\n` line breaks (needed to repair line-end
    /// hyphenation and to find running headers); after it, a single line.
    pub text: String,
}

/// A page break inside a paragraph: page `page` starts at byte `offset` of the block's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageBreak {
    pub offset: usize,
    pub page: u32,
}

impl Block {
    /// The page that byte `offset` of the text is on.
    pub fn page_at(&self, offset: usize) -> Option<u32> {
        self.page_breaks
            .iter()
            .rev()
            .find(|b| b.offset <= offset)
            .map(|b| b.page)
            .or(self.page)
    }
}

/// One extracted document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// The name used in messages and output: the path as the user gave it, or `-` for stdin.
    pub name: String,
    pub format: Format,
    /// Number of pages for paged formats.
    pub page_count: Option<u32>,
    pub blocks: Vec<Block>,
    /// Pages with no text layer in a PDF that has text elsewhere: their words are not counted.
    #[serde(default)]
    pub pages_without_text: Vec<PageWithoutText>,
}

/// A page of a PDF with no text to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageWithoutText {
    /// 1-based page number.
    pub page: u32,
    pub kind: EmptyPage,
}

/// Why a page has no text: it shows an image (most likely a scan, whose words would need OCR),
/// or nothing at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmptyPage {
    Scanned,
    Blank,
}

/// The warning about a document's pages without text, e.g. "pages 3 and 7 have no text layer
/// (scanned?); their words are not counted; page 9 is blank"; `None` when there are none.
pub fn pages_without_text_warning(pages: &[PageWithoutText]) -> Option<String> {
    let of = |kind: EmptyPage| -> Vec<u32> {
        pages
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.page)
            .collect()
    };
    let (scanned, blank) = (of(EmptyPage::Scanned), of(EmptyPage::Blank));
    let mut parts = Vec::new();
    if !scanned.is_empty() {
        let have = if scanned.len() == 1 { "has" } else { "have" };
        let their = if scanned.len() == 1 { "its" } else { "their" };
        parts.push(format!(
            "{} {have} no text layer (scanned?); {their} words are not counted",
            page_list(&scanned)
        ));
    }
    if !blank.is_empty() {
        let is = if blank.len() == 1 { "is" } else { "are" };
        parts.push(format!("{} {is} blank", page_list(&blank)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "page 3", "pages 3 and 7", "pages 3, 5 and 7".
fn page_list(pages: &[u32]) -> String {
    let numbers: Vec<String> = pages.iter().map(u32::to_string).collect();
    match numbers.as_slice() {
        [one] => format!("page {one}"),
        [init @ .., last] => format!("pages {} and {last}", init.join(", ")),
        [] => String::new(),
    }
}

impl Document {
    pub fn new(name: impl Into<String>, format: Format) -> Self {
        Document {
            name: name.into(),
            format,
            page_count: None,
            pages_without_text: Vec::new(),
            blocks: Vec::new(),
        }
    }

    /// Citation for a block in the conventional form: `p. 61, para 4.9`, `s. 19`, `Part 3, s. 19`.
    pub fn cite(&self, block: &Block) -> String {
        let mut parts = Vec::new();
        if let Some(p) = block.page {
            parts.push(format!("p. {p}"));
        }
        if self.format == Format::Clml {
            let mut section = block.section.as_deref();
            if let Some(part) = &block.part {
                parts.push(part.clone());
                // "Sch. 1 Part 1" + "Sch. 1 para 3" cites as "Sch. 1 Part 1, para 3".
                if let (Some(s), Some(schedule)) = (section, part.split(" Part").next()) {
                    if schedule.starts_with("Sch.") {
                        section = s.strip_prefix(schedule).map(str::trim_start).or(Some(s));
                    }
                }
            }
            if let Some(s) = section.filter(|s| !s.is_empty()) {
                parts.push(s.replacen("s.", "s. ", 1));
            }
        } else if let Some(s) = &block.section {
            parts.push(format!("para {s}"));
        }
        parts.join(", ")
    }

    /// Citation for the text `start..end` of a block: as [`Document::cite`], with the page
    /// where the text starts, or "pp. 12–13" when the text itself runs over a page break.
    pub fn cite_span(&self, block: &Block, start: usize, end: usize) -> String {
        let (first, last) = (
            block.page_at(start),
            block.page_at(end.saturating_sub(1).max(start)),
        );
        let cited = self.cite(&Block {
            page: first,
            part: block.part.clone(),
            section: block.section.clone(),
            ..Block::default()
        });
        match (first, last) {
            (Some(a), Some(b)) if b > a => {
                cited.replacen(&format!("p. {a}"), &format!("pp. {a}–{b}"), 1)
            }
            _ => cited,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cite(
        format: Format,
        page: Option<u32>,
        part: Option<&str>,
        section: Option<&str>,
    ) -> String {
        let doc = Document::new("d", format);
        doc.cite(&Block {
            page,
            part: part.map(str::to_string),
            section: section.map(str::to_string),
            ..Block::default()
        })
    }

    #[test]
    fn citations_in_conventional_form() {
        assert_eq!(
            cite(Format::Pdf, Some(61), None, Some("4.9")),
            "p. 61, para 4.9"
        );
        assert_eq!(cite(Format::Pdf, Some(3), None, None), "p. 3");
        assert_eq!(
            cite(Format::Clml, None, Some("Part 3"), Some("s.19")),
            "Part 3, s. 19"
        );
        assert_eq!(
            cite(
                Format::Clml,
                None,
                Some("Sch. 1 Part 1"),
                Some("Sch. 1 para 3")
            ),
            "Sch. 1 Part 1, para 3"
        );
        assert_eq!(cite(Format::Clml, None, None, Some("Sch. 2")), "Sch. 2");
    }
}

/// Names for documents that tell them apart without repeating their folders: each path's
/// shortest suffix of whole components that no other path ends with (`a/x.pdf`, `b/x.pdf` →
/// `a/x.pdf`, `b/x.pdf`; `reports/2024/y.pdf` alone → `y.pdf`). Separators are written `/`.
/// A path given twice gets the same name both times.
pub fn short_names(paths: &[&str]) -> Vec<String> {
    let names = ShortNames::of(paths);
    paths
        .iter()
        .enumerate()
        .map(|(i, path)| names.name(i, path))
        .collect()
}

/// [`short_names`] as a number a path: how many of its last components make its name (0: none
/// is enough, the name is the path), so that a report of thousands of documents keeps 4 bytes
/// a document rather than a `String`, and makes each name when it writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShortNames {
    lengths: Vec<u32>,
}

impl ShortNames {
    pub fn of(paths: &[&str]) -> ShortNames {
        let parts: Vec<u32> = paths
            .iter()
            .map(|p| Path::new(p).components().count() as u32)
            .collect();
        let mut lengths = vec![0u32; paths.len()];
        let longest = parts.iter().copied().max().unwrap_or(0);
        // One pass per suffix length, each with a table of the suffixes of that length (and
        // whether more than one distinct path ends with it): linear in the number of documents,
        // where comparing every pair was quadratic (minutes for 8,000 documents). The table's
        // keys are the paths themselves (no copy of their components).
        for k in 1..=longest {
            if lengths.iter().all(|&n| n > 0) {
                break;
            }
            let mut owners: HashMap<Suffix, (u32, bool)> = HashMap::new();
            for (i, (&path, &n)) in paths.iter().zip(&parts).enumerate() {
                if n >= k {
                    let owner = owners
                        .entry(Suffix { path, k })
                        .or_insert((i as u32, false));
                    owner.1 |= paths[owner.0 as usize] != path;
                }
            }
            for ((&path, &n), length) in paths.iter().zip(&parts).zip(&mut lengths) {
                let unique = |suffix| owners.get(&suffix).is_some_and(|&(_, shared)| !shared);
                if *length == 0 && n >= k && unique(Suffix { path, k }) {
                    *length = k;
                }
            }
        }
        ShortNames { lengths }
    }

    /// The name of the `i`th path, `path`.
    pub fn name(&self, i: usize, path: &str) -> String {
        match self.lengths.get(i).copied().unwrap_or(0) {
            0 => path.to_string(),
            k => {
                let mut suffix: Vec<_> = Suffix { path, k }.parts().collect();
                suffix.reverse();
                suffix.join("/")
            }
        }
    }
}

/// The last `k` components of a path, compared and hashed component by component.
#[derive(Debug, Clone, Copy)]
struct Suffix<'a> {
    path: &'a str,
    k: u32,
}

impl<'a> Suffix<'a> {
    /// The components, last first.
    fn parts(self) -> impl Iterator<Item = std::borrow::Cow<'a, str>> {
        Path::new(self.path)
            .components()
            .rev()
            .take(self.k as usize)
            .map(|c| c.as_os_str().to_string_lossy())
    }
}

impl PartialEq for Suffix<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k && self.parts().eq(other.parts())
    }
}

impl Eq for Suffix<'_> {}

impl std::hash::Hash for Suffix<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for part in self.parts() {
            part.hash(state);
        }
    }
}

#[cfg(test)]
mod short_name_tests {
    use super::short_names;

    #[test]
    fn shortest_unique_suffixes() {
        assert_eq!(
            short_names(&[
                "r/2023/bexley.pdf",
                "r/2024/bexley.pdf",
                "r/2024/york.pdf",
                "-"
            ]),
            vec!["2023/bexley.pdf", "2024/bexley.pdf", "york.pdf", "-"]
        );
        assert_eq!(short_names(&["../a/b.txt"]), vec!["b.txt"]);
        assert_eq!(short_names(&["a/x", "a/x"]), vec!["x", "x"]);
    }

    /// The definition, pair by pair: each path's shortest suffix of whole components that no
    /// other (distinct) path ends with, else the path.
    fn by_every_pair(paths: &[&str]) -> Vec<String> {
        let split: Vec<Vec<&str>> = paths.iter().map(|p| p.split('/').collect()).collect();
        split
            .iter()
            .enumerate()
            .map(|(i, parts)| {
                (1..=parts.len())
                    .map(|k| &parts[parts.len() - k..])
                    .find(|suffix| {
                        split.iter().enumerate().all(|(j, other)| {
                            j == i || paths[j] == paths[i] || !other.ends_with(suffix)
                        })
                    })
                    .map_or_else(|| paths[i].to_string(), |suffix| suffix.join("/"))
            })
            .collect()
    }

    #[test]
    fn one_pass_per_suffix_length_names_as_comparing_every_pair_does() {
        let parts = ["a", "b", "x.pdf", "y.pdf"];
        let mut state = 3u64;
        for _ in 0..500 {
            let paths: Vec<String> = (0..6)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (state >> 33) as usize;
                    let depth = 1 + r % 3;
                    (0..depth)
                        .map(|d| parts[(r >> (2 * d + 2)) % 4])
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .collect();
            let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
            assert_eq!(short_names(&paths), by_every_pair(&paths), "{paths:?}");
        }
    }
}
