//! What part of each document is counted: pages, numbered sections, an Act's Part, the text
//! under some headings. One [`Scope`] value, applied once where documents are loaded
//! (`Scope::apply`, after normalisation), so every command counts, lists and divides by the
//! words inside the scope alone.
//!
//! The rules (stated in the README):
//! - `pages`: a block belongs to the page where it starts (so does every hit in it).
//! - `sections`: legislation sections (`s.19`) or numbered paragraphs (`4.9`), compared
//!   number by number: 4.9 < 4.10, 19 < 19A < 20, and numbers that start with a letter (A.1,
//!   annexes) come after all the numbered ones. A range includes the subdivisions of its ends:
//!   `19-83` holds 83.2. A Schedule's paragraphs are not sections.
//! - `part`: an Act's Part in the body (`Part 3`), never a Schedule's Part 3.
//! - `heading`: the blocks under a heading whose text matches (case-insensitive), its
//!   subheadings included, up to the next heading of the same or a higher level.
//!
//! Filters given together must all hold.

use std::cmp::Ordering;

use regex::Regex;

use crate::document::{Block, Document};

/// Inclusive page ranges: `12-40,52`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRanges {
    text: String,
    ranges: Vec<(u32, u32)>,
}

impl PageRanges {
    /// Parses `12-40,52`; an error says what is wrong in plain words.
    pub fn parse(text: &str) -> Result<PageRanges, String> {
        let ranges = ranges_of(text, |s| {
            s.parse::<u32>()
                .ok()
                .filter(|&p| p > 0)
                .ok_or_else(|| format!("{s:?} is not a page number (1, 2, …)"))
        })?;
        if let Some((a, b)) = ranges.iter().find(|(a, b)| a > b) {
            return Err(format!("the range {a}-{b} runs backwards"));
        }
        Ok(PageRanges {
            text: text.trim().to_string(),
            ranges,
        })
    }

    pub fn contains(&self, page: u32) -> bool {
        self.ranges.iter().any(|&(a, b)| (a..=b).contains(&page))
    }
}

/// Inclusive ranges of section or paragraph numbers: `19-83`, `4.9-4.12,A.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRanges {
    text: String,
    ranges: Vec<(SectionKey, SectionKey)>,
}

impl SectionRanges {
    pub fn parse(text: &str) -> Result<SectionRanges, String> {
        let ranges = ranges_of(text, |s| {
            SectionKey::parse(s).ok_or_else(|| format!("{s:?} is not a section number"))
        })?;
        if let Some((a, b)) = ranges.iter().find(|(a, b)| a.cmp(b) == Ordering::Greater) {
            return Err(format!("the range {}-{} runs backwards", a.text, b.text));
        }
        Ok(SectionRanges {
            text: text.trim().to_string(),
            ranges,
        })
    }

    /// Whether a block's section label (`"4.9"`, `"s.19"`) is in one of the ranges; a
    /// Schedule's paragraph (`"Sch. 2 para 3"`) never is.
    pub fn contains(&self, section: &str) -> bool {
        let Some(key) = SectionKey::parse(section.strip_prefix("s.").unwrap_or(section)) else {
            return false;
        };
        self.ranges.iter().any(|(lo, hi)| {
            key.cmp(lo) != Ordering::Less
                && (key.cmp(hi) != Ordering::Greater || key.starts_with(hi))
        })
    }
}

/// A section number as comparable parts: `19A` → (19, "A"), `4.10` → (4, ""), (10, "").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionKey {
    text: String,
    parts: Vec<(bool, u64, String)>,
}

impl SectionKey {
    /// `None` for text that is not a section number (spaces, nothing to compare).
    pub fn parse(text: &str) -> Option<SectionKey> {
        let text = text.trim();
        if text.is_empty() || text.contains(char::is_whitespace) {
            return None;
        }
        let parts = text
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                let rest = part[digits.len()..].to_ascii_uppercase();
                // A part that starts with a letter (A.1) sorts after every number.
                (digits.is_empty(), digits.parse().unwrap_or(0), rest)
            })
            .collect::<Vec<_>>();
        (!parts.is_empty()).then(|| SectionKey {
            text: text.to_string(),
            parts,
        })
    }

    fn starts_with(&self, prefix: &SectionKey) -> bool {
        self.parts.starts_with(&prefix.parts)
    }
}

impl PartialOrd for SectionKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SectionKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

/// `a-b,c` → [(a, b), (c, c)], each end parsed by `parse`.
fn ranges_of<T: Clone>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<(T, T)>, String> {
    let mut ranges = Vec::new();
    for item in text.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(format!("{text:?} has an empty item (write e.g. 12-40,52)"));
        }
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (parse(a.trim())?, parse(b.trim())?),
            None => {
                let one = parse(item)?;
                (one.clone(), one)
            }
        };
        ranges.push((a, b));
    }
    Ok(ranges)
}

/// Text under headings that match a pattern (case-insensitive).
#[derive(Debug, Clone)]
pub struct HeadingPattern(Regex);

impl HeadingPattern {
    pub fn parse(pattern: &str) -> Result<HeadingPattern, String> {
        regex::RegexBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map(HeadingPattern)
            .map_err(|e| format!("not a valid pattern: {e}"))
    }
}

/// The part of every document that is counted; the default is everything.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub pages: Option<PageRanges>,
    pub sections: Option<SectionRanges>,
    /// The Part's number as given (`3`, or `Part 3`).
    pub part: Option<String>,
    pub heading: Option<HeadingPattern>,
}

impl Scope {
    /// True when nothing is filtered.
    pub fn is_everything(&self) -> bool {
        self.pages.is_none()
            && self.sections.is_none()
            && self.part.is_none()
            && self.heading.is_none()
    }

    /// The scope in words, e.g. "pages 12-40,52; Part 3"; `None` for everything.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(p) = &self.pages {
            parts.push(format!("pages {}", p.text));
        }
        if let Some(s) = &self.sections {
            parts.push(format!("sections {}", s.text));
        }
        if let Some(p) = &self.part {
            parts.push(format!("Part {} (of the Act's body)", part_number(p)));
        }
        if let Some(h) = &self.heading {
            parts.push(format!("under headings matching /{}/", h.0.as_str()));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The command-line options that give this scope (`--pages 12-40 --part 3`), for a
    /// command printed so that a reader can reproduce the counts. Values unquoted: the caller
    /// quotes them for its shell.
    pub fn arguments(&self) -> Vec<(&'static str, String)> {
        let mut args = Vec::new();
        if let Some(p) = &self.pages {
            args.push(("--pages", p.text.clone()));
        }
        if let Some(s) = &self.sections {
            args.push(("--sections", s.text.clone()));
        }
        if let Some(p) = &self.part {
            args.push(("--part", p.clone()));
        }
        if let Some(h) = &self.heading {
            args.push(("--heading", h.0.as_str().to_string()));
        }
        args
    }

    /// The note a report prints about the scope, and its JSON `meta.scope`.
    pub fn annotate(&self, report: &mut crate::table::Report) {
        let Some(scope) = self.describe() else {
            return;
        };
        report.notes.insert(
            0,
            format!(
                "Scope: {scope}. Only the text inside the scope is counted: words, hits and \
                 rates (per 10k words of the scope); a block and its hits belong to the page \
                 where the block starts."
            ),
        );
        report
            .meta
            .insert("scope".into(), serde_json::Value::String(scope));
    }

    /// `doc` with only the blocks inside the scope.
    pub fn apply(&self, mut doc: Document) -> Document {
        if self.is_everything() {
            return doc;
        }
        let under = self.under_headings(&doc.blocks);
        let mut index = 0;
        doc.blocks.retain(|block| {
            let keep = under.as_ref().is_none_or(|u| u[index]) && self.holds(block);
            index += 1;
            keep
        });
        doc
    }

    fn holds(&self, block: &Block) -> bool {
        let page_ok = self
            .pages
            .as_ref()
            .is_none_or(|p| block.page.is_some_and(|n| p.contains(n)));
        let section_ok = self.sections.as_ref().is_none_or(|s| {
            block
                .section
                .as_deref()
                .is_some_and(|label| s.contains(label))
        });
        let part_ok = self.part.as_ref().is_none_or(|wanted| {
            block
                .part
                .as_deref()
                .is_some_and(|p| p.strip_prefix("Part ") == Some(part_number(wanted)))
        });
        page_ok && section_ok && part_ok
    }

    /// For `--heading`: whether each block lies under a matching heading (subheadings
    /// included, up to the next heading of the same or a higher level).
    fn under_headings(&self, blocks: &[Block]) -> Option<Vec<bool>> {
        let pattern = &self.heading.as_ref()?.0;
        let mut open: Option<u8> = None;
        Some(
            blocks
                .iter()
                .map(|block| {
                    if let Some(level) = block.heading_level {
                        if open.is_some_and(|l| level <= l) {
                            open = None;
                        }
                        if open.is_none() && pattern.is_match(&block.text) {
                            open = Some(level);
                        }
                    }
                    open.is_some()
                })
                .collect(),
        )
    }
}

/// "Part 3", "part 3", "3" → "3".
fn part_number(given: &str) -> &str {
    let given = given.trim();
    given
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("part "))
        .map_or(given, |_| given[5..].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_give_back_every_filter() {
        let scope = Scope {
            pages: Some(PageRanges::parse("12-40,52").unwrap()),
            sections: Some(SectionRanges::parse("4.9-4.12").unwrap()),
            part: Some("3".into()),
            heading: Some(HeadingPattern::parse("co-?production").unwrap()),
        };
        let arguments = scope.arguments();
        let args: Vec<(&str, &str)> = arguments.iter().map(|(o, v)| (*o, v.as_str())).collect();
        assert_eq!(
            args,
            [
                ("--pages", "12-40,52"),
                ("--sections", "4.9-4.12"),
                ("--part", "3"),
                ("--heading", "co-?production"),
            ]
        );
        assert!(Scope::default().arguments().is_empty());
    }

    fn key(s: &str) -> SectionKey {
        SectionKey::parse(s).unwrap()
    }

    #[test]
    fn sections_compare_number_by_number() {
        assert!(key("4.9") < key("4.10"));
        assert!(key("19") < key("19A"));
        assert!(key("19A") < key("20"));
        assert!(key("999") < key("A.1"));
        assert!(key("A.1") < key("A.2"));
        assert!(key("A.2") < key("B"));
    }

    #[test]
    fn section_ranges_hold_their_ends_and_subdivisions() {
        let r = SectionRanges::parse("19-83").unwrap();
        for inside in ["s.19", "s.19A", "s.20", "s.83", "83.2", "40"] {
            assert!(r.contains(inside), "{inside}");
        }
        for outside in ["s.18", "s.84", "Sch. 2 para 20", "A.1", "18.9"] {
            assert!(!r.contains(outside), "{outside}");
        }
        assert!(SectionRanges::parse("20-19").is_err());
    }

    #[test]
    fn page_ranges() {
        let p = PageRanges::parse("12-40, 52").unwrap();
        assert!(p.contains(12) && p.contains(40) && p.contains(52));
        assert!(!p.contains(11) && !p.contains(41));
        assert!(PageRanges::parse("0").is_err());
        assert!(PageRanges::parse("3,,4").is_err());
        assert!(PageRanges::parse("x").is_err());
    }

    #[test]
    fn part_and_headings() {
        let block = |part: Option<&str>, level: Option<u8>, text: &str| Block {
            part: part.map(str::to_string),
            heading_level: level,
            text: text.into(),
            ..Block::default()
        };
        let mut doc = Document::new("d", crate::document::Format::Clml);
        doc.blocks = vec![
            block(Some("Part 3"), Some(1), "Findings"),
            block(Some("Part 3"), None, "a"),
            block(Some("Sch. 1 Part 3"), Some(2), "Detail"),
            block(Some("Part 4"), None, "b"),
            block(None, Some(1), "Annex"),
            block(None, None, "c"),
        ];
        let texts = |scope: &Scope| -> Vec<String> {
            scope
                .apply(doc.clone())
                .blocks
                .into_iter()
                .map(|b| b.text)
                .collect()
        };
        let part = Scope {
            part: Some("part 3".into()),
            ..Scope::default()
        };
        assert_eq!(texts(&part), ["Findings", "a"]);
        let heading = Scope {
            heading: Some(HeadingPattern::parse("^findings$").unwrap()),
            ..Scope::default()
        };
        assert_eq!(texts(&heading), ["Findings", "a", "Detail", "b"]);
    }
}
