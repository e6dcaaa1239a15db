//! Stage 5: counts of each term per document and per page or section, with the token counts that
//! rates are computed from. `count`, `kwic`, `diff` and `reproduce` all count through here.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::document::{Block, Document, EmptyPage, Format, PageWithoutText};
use crate::frequency::{WordCounts, merge};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::variants::{SpellingCheck, Spellings};

/// What counts are broken down by (see [`Unit::description`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    #[default]
    Document,
    Page,
    Section,
    Heading,
}

impl Unit {
    pub const ALL: [Unit; 4] = [Unit::Document, Unit::Page, Unit::Section, Unit::Heading];

    /// What one unit is (shown by `--help`).
    pub fn description(self) -> &'static str {
        match self {
            Unit::Document => "One row per document and term",
            Unit::Page => {
                "Per page of the original (PDF page numbers as printed by the viewer, 1-based)"
            }
            Unit::Section => {
                "Per numbered paragraph (guidance, e.g. \"4.9\") or Part and section (legislation)"
            }
            Unit::Heading => {
                "Per heading: the text under each heading (headings with the same text are one row)"
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Document => "document",
            Unit::Page => "page",
            Unit::Section => "section",
            Unit::Heading => "heading",
        }
    }
}

/// Label of the unit of blocks that have no page number (formats without pages).
pub const NO_PAGE: &str = "(no page)";
/// Label of the unit of blocks before the first numbered paragraph or section.
pub const NO_SECTION: &str = "(no section)";

/// Label of the unit of blocks above the first heading (written as null in JSON).
pub const NO_HEADING: &str = "(no heading)";

/// Counts for one page or section.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCounts {
    /// The page number ("61") or section ("4.9", "Part 3, s. 19"), or [`NO_PAGE`]/[`NO_SECTION`].
    pub label: String,
    /// The page, when counting by page.
    pub page: Option<u32>,
    pub tokens: u64,
    /// Hits per term, indexed like `lexicon.terms`.
    pub counts: Vec<u64>,
    /// Hits per term left out by the term's exclusions (not in `counts`).
    pub excluded: Vec<u64>,
}

/// Counts for one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentCounts {
    pub name: String,
    pub format: Format,
    pub pages: Option<u32>,
    /// Word tokens in the whole document.
    pub tokens: u64,
    /// Hits per term in the whole document.
    pub counts: Vec<u64>,
    /// Hits per term left out by the term's exclusions (not in `counts`).
    pub excluded: Vec<u64>,
    /// PDF pages with no text layer (their words are not in `tokens`).
    pub pages_without_text: Vec<PageWithoutText>,
    /// Per page or section in order of first appearance; empty when counting by document.
    pub units: Vec<UnitCounts>,
}

/// Counts for a set of documents, and their total.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusCounts {
    pub documents: Vec<DocumentCounts>,
    pub tokens: u64,
    pub counts: Vec<u64>,
    pub excluded: Vec<u64>,
}

/// Tokens, hits and excluded hits per term of some text, and (when counted with the spelling
/// check) its candidate spellings.
#[derive(Debug, Clone)]
struct Tally {
    tokens: u64,
    counts: Vec<u64>,
    excluded: Vec<u64>,
    spellings: Spellings,
}

/// How blocks are counted: by the matcher alone, or with `count`'s spelling check in the same
/// pass over the text.
#[derive(Debug, Clone, Copy)]
enum Counting<'a> {
    Terms(&'a Matcher),
    Checked(&'a SpellingCheck<'a>),
}

impl Counting<'_> {
    fn term_count(self) -> usize {
        match self {
            Counting::Terms(matcher) => matcher.term_count(),
            Counting::Checked(check) => check.matcher.term_count(),
        }
    }
}

impl Tally {
    fn new(n: usize) -> Tally {
        Tally {
            tokens: 0,
            counts: vec![0; n],
            excluded: vec![0; n],
            spellings: Spellings::default(),
        }
    }

    /// Adds the tokens and hits of `text`.
    fn add_text(&mut self, text: &str, counting: Counting) {
        let (counts, excluded) = (&mut self.counts, &mut self.excluded);
        self.tokens += match counting {
            Counting::Terms(matcher) => matcher.count_block(text, counts, excluded),
            Counting::Checked(check) => {
                check.count_block(text, counts, excluded, &mut self.spellings)
            }
        };
    }

    fn of_text(text: &str, counting: Counting) -> Tally {
        let mut t = Tally::new(counting.term_count());
        t.add_text(text, counting);
        t
    }

    fn add(mut self, mut other: Tally) -> Tally {
        self.tokens += other.tokens;
        add_into(&mut self.counts, &other.counts);
        add_into(&mut self.excluded, &other.excluded);
        self.take_spellings_of(&mut other);
        self
    }

    /// Moves the candidate spellings of `other` into this tally's.
    fn take_spellings_of(&mut self, other: &mut Tally) {
        let (mine, theirs) = (&mut self.spellings.words, &mut other.spellings.words);
        if !theirs.is_empty() {
            *mine = merge(std::mem::take(mine), std::mem::take(theirs));
        }
    }
}

/// Adds `from` to `into` element by element.
pub fn add_into(into: &mut [u64], from: &[u64]) {
    for (x, y) in into.iter_mut().zip(from) {
        *x += y;
    }
}

/// The unit label of a block.
pub fn unit_label(doc: &Document, block: &Block, unit: Unit) -> Option<String> {
    match unit {
        Unit::Document => None,
        Unit::Page => Some(
            block
                .page
                .map_or_else(|| NO_PAGE.to_string(), |p| p.to_string()),
        ),
        Unit::Section => Some(section_label(doc, block).unwrap_or_else(|| NO_SECTION.to_string())),
        Unit::Heading => Some(
            block
                .heading
                .clone()
                .unwrap_or_else(|| NO_HEADING.to_string()),
        ),
    }
}

/// "4.9" for guidance; "Part 3, s. 19" for legislation.
fn section_label(doc: &Document, block: &Block) -> Option<String> {
    if doc.format == Format::Clml {
        let section = block
            .section
            .as_ref()
            .map(|s| s.replacen("s.", "s. ", 1).replace("s.  ", "s. "));
        return match (&block.part, section) {
            (Some(p), Some(s)) => Some(format!("{p}, {s}")),
            (Some(p), None) => Some(p.clone()),
            (None, s) => s,
        };
    }
    block.section.clone()
}

/// Counts one document: tokens and hits per term, overall and per `unit`. Blocks are counted in
/// parallel, so one very large document uses every core too.
pub fn count_document(doc: &Document, matcher: &Matcher, unit: Unit) -> DocumentCounts {
    count_in_parallel(doc, Counting::Terms(matcher), unit).0
}

/// [`count_document`] with the spelling check in the same pass: also the document's candidate
/// spellings (see [`crate::variants::FormVariants::add_words`]).
pub fn count_document_checked(
    doc: &Document,
    check: &SpellingCheck,
    unit: Unit,
) -> (DocumentCounts, WordCounts) {
    count_in_parallel(doc, Counting::Checked(check), unit)
}

fn count_in_parallel(
    doc: &Document,
    counting: Counting,
    unit: Unit,
) -> (DocumentCounts, WordCounts) {
    // Waking the other threads for a small document costs more than it saves; a folder of
    // them keeps the cores busy with one document each (issue 19, shape (c)).
    let text_bytes: usize = doc.blocks.iter().map(|b| b.text.len()).sum();
    if text_bytes < PARALLEL_FROM_BYTES {
        return count_serially(doc, counting, unit);
    }
    let n = counting.term_count();
    if unit == Unit::Document {
        let tally = doc
            .blocks
            .par_iter()
            .with_min_len(64)
            .fold(
                || Tally::new(n),
                |mut tally, block| {
                    tally.add_text(&block.text, counting);
                    tally
                },
            )
            .reduce(|| Tally::new(n), Tally::add);
        return whole_document(doc, tally);
    }
    let mut per_block: Vec<Tally> = doc
        .blocks
        .par_iter()
        .with_min_len(64)
        .map(|block| Tally::of_text(&block.text, counting))
        .collect();
    let mut all = Tally::new(0);
    for tally in &mut per_block {
        all.take_spellings_of(tally);
    }
    (by_unit(doc, unit, n, per_block), all.spellings.words)
}

/// Documents with less text than this are counted on the calling thread alone.
const PARALLEL_FROM_BYTES: usize = 1 << 20;

/// Counts one document on the calling thread only, as [`count_document`] does in parallel: for
/// callers that already keep every core busy with one document each (the chunks of a streamed
/// file, [`crate::stream`]), where nested parallelism would only start more chunks at once.
pub fn count_document_serial(doc: &Document, matcher: &Matcher, unit: Unit) -> DocumentCounts {
    count_serially(doc, Counting::Terms(matcher), unit).0
}

/// [`count_document_serial`] with the spelling check, as [`count_document_checked`].
pub fn count_document_serial_checked(
    doc: &Document,
    check: &SpellingCheck,
    unit: Unit,
) -> (DocumentCounts, WordCounts) {
    count_serially(doc, Counting::Checked(check), unit)
}

fn count_serially(doc: &Document, counting: Counting, unit: Unit) -> (DocumentCounts, WordCounts) {
    let n = counting.term_count();
    let mut all = Tally::new(n);
    if unit == Unit::Document {
        for block in &doc.blocks {
            all.add_text(&block.text, counting);
        }
        return whole_document(doc, all);
    }
    let per_block = doc.blocks.iter().map(|block| {
        let mut tally = Tally::of_text(&block.text, counting);
        all.take_spellings_of(&mut tally);
        tally
    });
    let counts = by_unit(doc, unit, n, per_block);
    (counts, all.spellings.words)
}

/// The counts of a document counted as one tally.
fn whole_document(doc: &Document, tally: Tally) -> (DocumentCounts, WordCounts) {
    let mut result = empty_counts(doc, tally.counts.len());
    result.tokens = tally.tokens;
    result.counts = tally.counts;
    result.excluded = tally.excluded;
    (result, tally.spellings.words)
}

fn empty_counts(doc: &Document, n: usize) -> DocumentCounts {
    DocumentCounts {
        name: doc.name.clone(),
        format: doc.format,
        pages: doc.page_count,
        tokens: 0,
        counts: vec![0; n],
        excluded: vec![0; n],
        pages_without_text: doc.pages_without_text.clone(),
        units: Vec::new(),
    }
}

/// Adds each block's (tokens, counts) to its page or section, in order of first appearance, and
/// to the document's totals.
fn by_unit(
    doc: &Document,
    unit: Unit,
    n: usize,
    per_block: impl IntoIterator<Item = Tally>,
) -> DocumentCounts {
    let mut result = empty_counts(doc, n);
    let mut index: HashMap<String, usize> = HashMap::new();
    for (block, tally) in doc.blocks.iter().zip(per_block) {
        let label = unit_label(doc, block, unit).unwrap_or_default();
        let i = *index.entry(label.clone()).or_insert_with(|| {
            result.units.push(UnitCounts {
                label,
                page: if unit == Unit::Page { block.page } else { None },
                tokens: 0,
                counts: vec![0; n],
                excluded: vec![0; n],
            });
            result.units.len() - 1
        });
        let u = &mut result.units[i];
        u.tokens += tally.tokens;
        result.tokens += tally.tokens;
        add_into(&mut u.counts, &tally.counts);
        add_into(&mut result.counts, &tally.counts);
        add_into(&mut u.excluded, &tally.excluded);
        add_into(&mut result.excluded, &tally.excluded);
    }
    result
}

/// Counts every document (in parallel, keeping their order) and the corpus total.
pub fn count_corpus(docs: &[Document], matcher: &Matcher, unit: Unit) -> CorpusCounts {
    let documents: Vec<DocumentCounts> = docs
        .par_iter()
        .map(|d| count_document(d, matcher, unit))
        .collect();
    CorpusCounts::from_documents(documents, matcher.term_count())
}

impl CorpusCounts {
    /// The corpus of these documents' counts (in this order), with its total. `term_count` is
    /// the length of every count vector ([`Matcher::term_count`]).
    pub fn from_documents(documents: Vec<DocumentCounts>, term_count: usize) -> CorpusCounts {
        let mut counts = vec![0u64; term_count];
        let mut excluded = vec![0u64; term_count];
        let mut tokens = 0;
        for d in &documents {
            tokens += d.tokens;
            add_into(&mut counts, &d.counts);
            add_into(&mut excluded, &d.excluded);
        }
        CorpusCounts {
            documents,
            tokens,
            counts,
            excluded,
        }
    }
}

/// Every document's counts, kept packed as they arrive, with the corpus total added up: for a
/// corpus of thousands of documents, where one [`DocumentCounts`] each (two vectors of `u64` per
/// term, most of them 0, and a `String`) was most of what `count` held per document. Each
/// document is one record of LEB128 varints in one buffer and its name one slice of one string;
/// [`CountStore::documents`] gives them back one at a time, exactly as pushed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountStore {
    term_count: usize,
    /// The records, one after another (see [`CountStore::push`]).
    records: Vec<u8>,
    /// The documents' names, one after another, and where each ends.
    names: String,
    name_ends: Vec<usize>,
    pub tokens: u64,
    pub counts: Vec<u64>,
    pub excluded: Vec<u64>,
}

impl CountStore {
    /// An empty store of documents counted with `term_count` terms.
    pub fn new(term_count: usize) -> CountStore {
        CountStore {
            term_count,
            counts: vec![0; term_count],
            excluded: vec![0; term_count],
            ..CountStore::default()
        }
    }

    /// Adds a document (its counts have `term_count` entries) and its counts to the total.
    pub fn push(&mut self, d: &DocumentCounts) {
        self.tokens += d.tokens;
        add_into(&mut self.counts, &d.counts);
        add_into(&mut self.excluded, &d.excluded);
        self.names.push_str(&d.name);
        self.name_ends.push(self.names.len());
        let r = &mut self.records;
        r.push(FORMATS.iter().position(|&f| f == d.format).unwrap_or(0) as u8);
        put_varint(r, d.pages.map_or(0, |p| u64::from(p) + 1));
        put_varint(r, d.tokens);
        put_tally(r, self.term_count, &d.counts, &d.excluded);
        put_varint(r, d.pages_without_text.len() as u64);
        for p in &d.pages_without_text {
            put_varint(r, u64::from(p.page));
            r.push(u8::from(p.kind == EmptyPage::Blank));
        }
        put_varint(r, d.units.len() as u64);
        for u in &d.units {
            put_varint(r, u.label.len() as u64);
            r.extend_from_slice(u.label.as_bytes());
            put_varint(r, u.page.map_or(0, |p| u64::from(p) + 1));
            put_varint(r, u.tokens);
            put_tally(r, self.term_count, &u.counts, &u.excluded);
        }
    }

    /// The number of documents.
    pub fn len(&self) -> usize {
        self.name_ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.name_ends.is_empty()
    }

    /// The documents' names (paths as given), in order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.name_ends.iter().copied());
        starts
            .zip(&self.name_ends)
            .map(|(start, &end)| &self.names[start..end])
    }

    /// Each document's counts, in order, unpacked one at a time.
    pub fn documents(&self) -> impl Iterator<Item = DocumentCounts> + '_ {
        let mut reader = Reader {
            bytes: &self.records,
            at: 0,
        };
        self.names()
            .map(move |name| reader.document(name, self.term_count))
    }

    /// The corpus as [`CorpusCounts`], every document unpacked (for the tables that need all of
    /// them at once: the workbook, `--layout wide`, `--dispersion`).
    pub fn into_corpus(self) -> CorpusCounts {
        CorpusCounts {
            documents: self.documents().collect(),
            tokens: self.tokens,
            counts: self.counts,
            excluded: self.excluded,
        }
    }
}

/// The formats as numbered in a [`CountStore`] record.
const FORMATS: [Format; 5] = [
    Format::Pdf,
    Format::Clml,
    Format::Html,
    Format::Docx,
    Format::Text,
];

/// `value` as a LEB128 varint: 7 bits a byte, low bits first (a count under 128 is one byte).
fn put_varint(bytes: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        bytes.push((value as u8) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

/// Counts and excluded hits of `n` terms; the excluded ones as one 0 when all are 0 (the usual
/// case: most lexicons have no exclusions).
fn put_tally(bytes: &mut Vec<u8>, n: usize, counts: &[u64], excluded: &[u64]) {
    debug_assert!(counts.len() == n && excluded.len() == n);
    for &c in counts {
        put_varint(bytes, c);
    }
    if excluded.iter().all(|&x| x == 0) {
        bytes.push(0);
    } else {
        bytes.push(1);
        for &x in excluded {
            put_varint(bytes, x);
        }
    }
}

/// Reads the records of a [`CountStore`] back, in the order written.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    fn varint(&mut self) -> u64 {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            value |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return value;
            }
            shift += 7;
        }
    }

    /// A page number written as 0 (none) or page + 1.
    fn page(&mut self) -> Option<u32> {
        self.varint().checked_sub(1).map(|p| p as u32)
    }

    fn tally(&mut self, n: usize) -> (Vec<u64>, Vec<u64>) {
        let counts = (0..n).map(|_| self.varint()).collect();
        let excluded = match self.byte() {
            0 => vec![0; n],
            _ => (0..n).map(|_| self.varint()).collect(),
        };
        (counts, excluded)
    }

    fn document(&mut self, name: &str, n: usize) -> DocumentCounts {
        let format = FORMATS[usize::from(self.byte())];
        let pages = self.page();
        let tokens = self.varint();
        let (counts, excluded) = self.tally(n);
        let pages_without_text = (0..self.varint())
            .map(|_| PageWithoutText {
                page: self.varint() as u32,
                kind: match self.byte() {
                    0 => EmptyPage::Scanned,
                    _ => EmptyPage::Blank,
                },
            })
            .collect();
        let units = (0..self.varint())
            .map(|_| {
                let len = self.varint() as usize;
                let label = &self.bytes[self.at..self.at + len];
                self.at += len;
                let label = String::from_utf8_lossy(label).into_owned();
                let page = self.page();
                let tokens = self.varint();
                let (counts, excluded) = self.tally(n);
                UnitCounts {
                    label,
                    page,
                    tokens,
                    counts,
                    excluded,
                }
            })
            .collect();
        DocumentCounts {
            name: name.to_string(),
            format,
            pages,
            tokens,
            counts,
            excluded,
            pages_without_text,
            units,
        }
    }
}

/// Hits per category (indexed like `lexicon.categories`) from hits per term.
pub fn category_totals(lexicon: &Lexicon, term_counts: &[u64]) -> Vec<u64> {
    let mut totals = vec![0u64; lexicon.categories.len()];
    for (term, &c) in lexicon.terms.iter().zip(term_counts) {
        totals[term.category_index] += c;
    }
    totals
}

/// Occurrences per 10,000 word tokens (0 for an empty text).
pub fn rate_per_10k(count: u64, tokens: u64) -> f64 {
    if tokens == 0 {
        0.0
    } else {
        count as f64 * 10_000.0 / tokens as f64
    }
}

/// `part` as a percentage of `whole`, or `None` when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Block;
    use crate::matcher::Mode;

    fn block(page: u32, section: Option<&str>, text: &str) -> Block {
        Block {
            page: Some(page),
            part: None,
            section: section.map(str::to_string),
            text: text.to_string(),
            ..Block::default()
        }
    }

    fn doc() -> Document {
        let mut d = Document::new("guide.pdf", Format::Pdf);
        d.page_count = Some(3);
        d.blocks = vec![
            block(1, None, "Contents: partnership"),
            block(
                2,
                Some("4.9"),
                "Local authorities must inform parents. Information is shared.",
            ),
            block(2, Some("4.10"), "They must involve and inform."),
            block(3, Some("4.10"), "Partnership working; inform."),
        ];
        d
    }

    #[test]
    fn counts_by_document_page_and_section() {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let inform = lex.term_index("Inform").unwrap();
        let partnership = lex.term_index("Partnership").unwrap();
        let d = count_document(&doc(), &m, Unit::Document);
        assert_eq!(d.tokens, 2 + 8 + 5 + 3);
        assert_eq!(d.counts[inform], 3);
        assert_eq!(d.counts[partnership], 2);
        assert!(d.units.is_empty());

        let p = count_document(&doc(), &m, Unit::Page);
        let labels: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
        assert_eq!(labels, ["1", "2", "3"]);
        assert_eq!(p.units[1].counts[inform], 2);
        assert_eq!(p.units[1].tokens, 13);
        assert_eq!(p.counts, d.counts);
        assert_eq!(p.tokens, d.tokens);

        let s = count_document(&doc(), &m, Unit::Section);
        let labels: Vec<&str> = s.units.iter().map(|u| u.label.as_str()).collect();
        assert_eq!(labels, [NO_SECTION, "4.9", "4.10"]);
        assert_eq!(s.units[2].counts[inform], 2);
        assert_eq!(s.units[2].counts[partnership], 1);
    }

    #[test]
    fn the_count_store_gives_back_every_count_exactly() {
        // Varints of every length, u64::MAX (ten bytes) included.
        let edges = [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ];
        let mut bytes = Vec::new();
        for &v in &edges {
            put_varint(&mut bytes, v);
        }
        let mut reader = Reader {
            bytes: &bytes,
            at: 0,
        };
        assert_eq!(edges.map(|_| reader.varint()), edges);
        assert_eq!(reader.at, bytes.len());
        // Documents with counts of many sizes (the totals must not overflow), with and without
        // exclusions, pages, pages without text and units (labels not all ASCII), from a fixed
        // pseudo-random sequence.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let n = 17;
        let value = |next: &mut dyn FnMut() -> u64| match next() % 6 {
            0 | 1 => 0,
            2 => next() % 128,
            3 => next() % 100_000,
            4 => u64::MAX - next() % 2,
            _ => next(),
        };
        let documents: Vec<DocumentCounts> = (0..40)
            .map(|i| {
                let format = FORMATS[i % FORMATS.len()];
                let tally = |next: &mut dyn FnMut() -> u64| {
                    let counts: Vec<u64> = (0..n).map(|_| value(next) >> 8).collect();
                    let excluded = if next() % 3 == 0 {
                        (0..n).map(|_| value(next) >> 8).collect()
                    } else {
                        vec![0; n]
                    };
                    (counts, excluded)
                };
                let (counts, excluded) = tally(&mut next);
                let units = (0..next() % 4)
                    .map(|u| {
                        let (counts, excluded) = tally(&mut next);
                        UnitCounts {
                            label: format!("§ {u}.{}", next() % 10),
                            page: (u % 2 == 0).then(|| (next() % 5) as u32),
                            tokens: next() % 1_000_000,
                            counts,
                            excluded,
                        }
                    })
                    .collect();
                DocumentCounts {
                    name: format!("folder {}/naïve-{i}.txt", i % 3),
                    format,
                    pages: (i % 2 == 1).then(|| (next() % 400) as u32),
                    tokens: next() >> 8,
                    counts,
                    excluded,
                    pages_without_text: (0..next() % 3)
                        .map(|k| PageWithoutText {
                            page: k as u32 + 1,
                            kind: if next() % 2 == 0 {
                                EmptyPage::Blank
                            } else {
                                EmptyPage::Scanned
                            },
                        })
                        .collect(),
                    units,
                }
            })
            .collect();
        let mut store = CountStore::new(n);
        for d in &documents {
            store.push(d);
        }
        assert_eq!(store.len(), documents.len());
        let names: Vec<&str> = store.names().collect();
        let expected: Vec<&str> = documents.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, expected);
        let back: Vec<DocumentCounts> = store.documents().collect();
        assert_eq!(back, documents);
        let corpus = store.into_corpus();
        assert_eq!(corpus, CorpusCounts::from_documents(documents, n));
    }

    #[test]
    fn serial_counting_equals_parallel_counting() {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        for mode in [Mode::Word, Mode::Family, Mode::Substring] {
            let m = Matcher::new(&lex, mode).unwrap();
            // Enough blocks for the parallel path to split them across threads.
            let mut big = doc();
            let blocks = big.blocks.clone();
            for i in 0..200 {
                big.blocks.extend(blocks.iter().cloned().map(|mut b| {
                    b.page = b.page.map(|p| p + i % 7);
                    b
                }));
            }
            for unit in [Unit::Document, Unit::Page, Unit::Section] {
                let serial = count_document_serial(&big, &m, unit);
                assert_eq!(serial, count_document(&big, &m, unit), "{mode} {unit:?}");
                assert!(serial.tokens > 0);
            }
        }
    }

    #[test]
    fn legislation_sections_carry_their_part() {
        let mut d = Document::new("act.xml", Format::Clml);
        d.blocks = vec![Block {
            page: None,
            part: Some("Part 3".into()),
            section: Some("s.19".into()),
            text: "co-operate".into(),
            ..Block::default()
        }];
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let s = count_document(&d, &m, Unit::Section);
        assert_eq!(s.units[0].label, "Part 3, s. 19");
        let p = count_document(&d, &m, Unit::Page);
        assert_eq!(p.units[0].label, NO_PAGE);
    }

    #[test]
    fn corpus_totals_and_categories_add_up() {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let c = count_corpus(&[doc(), doc()], &m, Unit::Document);
        assert_eq!(c.tokens, 36);
        let totals = category_totals(&lex, &c.counts);
        assert_eq!(totals.iter().sum::<u64>(), c.counts.iter().sum::<u64>());
        let directive = lex.category_index("directive").unwrap();
        // inform x3 + information x1, twice
        assert_eq!(totals[directive], 8);
        assert_eq!(rate_per_10k(3, 30_000), 1.0);
        assert_eq!(percent(1, 4), Some(25.0));
        assert_eq!(percent(1, 0), None);
    }
}
