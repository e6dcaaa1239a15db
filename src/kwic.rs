//! The concordance: every hit of a [`Matcher`] in a document with its context, page, paragraph
//! and citation (keyword in context). `termtally kwic` shows these rows; `count --with-contexts`
//! attaches the first of them per term. The hits are exactly those `count` counts: the same
//! matcher over the same block texts.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use unicode_segmentation::UnicodeSegmentation;

use crate::document::{Block, Document};
use crate::lexicon::Lexicon;
use crate::matcher::{Hit, Matcher};

/// Default characters of context each side of a hit.
pub const DEFAULT_WIDTH: usize = 40;

/// How much text around a hit to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Up to N characters each side (cut at character boundaries, white space trimmed).
    Chars(usize),
    /// The sentence(s) holding the hit (Unicode sentence boundaries, UAX #29).
    Sentence,
}

/// One hit in context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concordance {
    /// Index of the block in `Document::blocks`.
    #[serde(skip)]
    pub block: usize,
    pub page: Option<u32>,
    pub section: Option<String>,
    /// `p. 61, para 4.9` / `s. 19`.
    pub cite: String,
    pub left: String,
    /// The matched text as written in the document.
    #[serde(rename = "match")]
    pub matched: String,
    pub right: String,
    /// Index into the lexicon's terms.
    #[serde(skip)]
    pub term: usize,
    /// Byte offsets of the match in the block's text.
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
    /// A hit left out by an exclusion of its term (not counted); only from
    /// [`contexts_with_excluded`].
    #[serde(skip)]
    pub excluded: bool,
}

/// Every hit of `matcher` in `doc`, in document order, with `span` of context. The hits are
/// exactly those `count` counts: the same matcher over the same block texts.
pub fn contexts(doc: &Document, matcher: &Matcher, span: Span) -> Vec<Concordance> {
    contexts_of_terms(doc, matcher, span, None, false)
}

/// As [`contexts`], with the hits the terms' exclusions left out among them (marked
/// `excluded`), for `kwic --show-excluded`.
pub fn contexts_with_excluded(doc: &Document, matcher: &Matcher, span: Span) -> Vec<Concordance> {
    contexts_of_terms(doc, matcher, span, None, true)
}

/// [`contexts`] of the terms marked in `terms` (indexed by term; `None`: every term), with the
/// excluded hits among them when `with_excluded`. The hits of the others are found too (a
/// longer form of another term takes its words, as in `count`) but not put in context.
pub fn contexts_of_terms(
    doc: &Document,
    matcher: &Matcher,
    span: Span,
    terms: Option<&[bool]>,
    with_excluded: bool,
) -> Vec<Concordance> {
    // Blocks in parallel (a long document uses every core), kept in document order.
    let per_block: Vec<Vec<Concordance>> = doc
        .blocks
        .par_iter()
        .enumerate()
        .with_min_len(64)
        .map(|(index, block)| {
            block_contexts(doc, (index, block), matcher, span, (terms, with_excluded))
        })
        .collect();
    per_block.into_iter().flatten().collect()
}

fn block_contexts(
    doc: &Document,
    (index, block): (usize, &Block),
    matcher: &Matcher,
    span: Span,
    (terms, with_excluded): (Option<&[bool]>, bool),
) -> Vec<Concordance> {
    let wanted = |term: usize| terms.is_none_or(|t| t.get(term).copied().unwrap_or(false));
    let mut hits = Vec::new();
    matcher.for_each_occurrence(&block.text, |hit, excluded| {
        if (with_excluded || !excluded) && wanted(hit.term) {
            hits.push((hit, excluded));
        }
    });
    if hits.is_empty() {
        return Vec::new();
    }
    let sentences = match span {
        Span::Sentence => sentence_bounds(&block.text),
        Span::Chars(_) => Vec::new(),
    };
    hits.into_iter()
        .map(|(hit, excluded)| Concordance {
            excluded,
            ..concordance(doc, index, block, hit, span, &sentences)
        })
        .collect()
}

/// The first `per_term` hits in context of each term (indexed by term), for `count
/// --with-contexts`. Stops reading blocks once every term has enough.
pub fn first_contexts(
    doc: &Document,
    matcher: &Matcher,
    span: Span,
    per_term: usize,
) -> Vec<Vec<Concordance>> {
    let mut by_term: Vec<Vec<Concordance>> = vec![Vec::new(); matcher.term_count()];
    if per_term == 0 {
        return by_term;
    }
    let mut full = 0;
    for (index, block) in doc.blocks.iter().enumerate() {
        let hits = matcher.hits(&block.text);
        if hits.is_empty() {
            continue;
        }
        let sentences = match span {
            Span::Sentence => sentence_bounds(&block.text),
            Span::Chars(_) => Vec::new(),
        };
        for hit in hits {
            let Some(list) = by_term.get_mut(hit.term) else {
                continue;
            };
            if list.len() < per_term {
                list.push(concordance(doc, index, block, hit, span, &sentences));
                if list.len() == per_term {
                    full += 1;
                }
            }
        }
        if full == by_term.len() {
            break;
        }
    }
    by_term
}

/// The first `per_term` hits in context of every term with hits, per document, as JSON for
/// `count --with-contexts N`: `[{"document", "term", "category", "hits": [{page, section, cite,
/// left, match, right}]}]`, documents in order, terms in lexicon order.
pub fn contexts_json(
    docs: &[Document],
    lexicon: &Lexicon,
    matcher: &Matcher,
    per_term: usize,
) -> serde_json::Value {
    let mut out = Vec::new();
    for doc in docs {
        let firsts = first_contexts(doc, matcher, Span::Chars(DEFAULT_WIDTH), per_term);
        for (term, hits) in lexicon.terms.iter().zip(firsts) {
            if hits.is_empty() {
                continue;
            }
            out.push(json!({
                "document": doc.name,
                "term": term.label,
                "category": term.category,
                "hits": hits,
            }));
        }
    }
    serde_json::Value::Array(out)
}

/// Byte ranges of the sentences of `text`.
fn sentence_bounds(text: &str) -> Vec<(usize, usize)> {
    text.split_sentence_bound_indices()
        .map(|(start, s)| (start, start + s.len()))
        .collect()
}

fn concordance(
    doc: &Document,
    index: usize,
    block: &Block,
    hit: Hit,
    span: Span,
    sentences: &[(usize, usize)],
) -> Concordance {
    let text = block.text.as_str();
    let (left, right) = match span {
        Span::Chars(width) => (
            left_chars(text, hit.start, width),
            right_chars(text, hit.end, width),
        ),
        Span::Sentence => {
            // The sentence the match starts in to the one it ends in (a match rarely spans two).
            let from = sentences
                .iter()
                .rev()
                .find(|(s, _)| *s <= hit.start)
                .map_or(0, |(s, _)| *s);
            let to = sentences
                .iter()
                .find(|(_, e)| *e >= hit.end)
                .map_or(text.len(), |(_, e)| *e);
            (&text[from..hit.start], &text[hit.end..to])
        }
    };
    Concordance {
        block: index,
        page: block.page_at(hit.start),
        section: block.section.clone(),
        cite: doc.cite_span(block, hit.start, hit.end),
        left: one_line(left),
        matched: one_line(&text[hit.start..hit.end]),
        right: one_line(right),
        term: hit.term,
        start: hit.start,
        end: hit.end,
        excluded: false,
    }
}

/// Up to `width` characters of `text` ending at byte `end`.
pub fn left_chars(text: &str, end: usize, width: usize) -> &str {
    let before = &text[..end];
    let start = before
        .char_indices()
        .rev()
        .nth(width.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if width == 0 { "" } else { &before[start..] }
}

/// Up to `width` characters of `text` starting at byte `start`.
pub fn right_chars(text: &str, start: usize, width: usize) -> &str {
    let after = &text[start..];
    let end = after
        .char_indices()
        .nth(width)
        .map_or(after.len(), |(i, _)| i);
    &after[..end]
}

/// Trims and collapses white space (blocks that were not normalised may hold line breaks).
fn one_line(s: &str) -> String {
    let s = s.trim();
    if !s.contains(|c: char| c.is_whitespace() && c != ' ') && !s.contains("  ") {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Most hits `kwic --sort` holds in memory to sort (each a few hundred bytes); more is an error.
pub const MAX_SORTED_HITS: usize = 1_000_000;

/// The orders `kwic --sort` lists hits in (AntConc's concordance sort).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Left1,
    Left2,
    Right1,
    Right2,
    Document,
    Page,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Left1,
        SortKey::Left2,
        SortKey::Right1,
        SortKey::Right2,
        SortKey::Document,
        SortKey::Page,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Left1 => "left1",
            SortKey::Left2 => "left2",
            SortKey::Right1 => "right1",
            SortKey::Right2 => "right2",
            SortKey::Document => "document",
            SortKey::Page => "page",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            SortKey::Left1 => "By the word just before the match, then the one before it",
            SortKey::Left2 => "By the second word before the match, then the first",
            SortKey::Right1 => "By the word just after the match, then the one after it",
            SortKey::Right2 => "By the second word after the match, then the first",
            SortKey::Document => "By document name, hits in text order",
            SortKey::Page => "By page number (then document), hits in text order",
        }
    }
}

/// The case-folded `nth` word (1 = nearest) before the end of `left`, or "" (sorted first).
fn word_before(left: &str, nth: usize) -> String {
    let spans: Vec<(usize, usize)> = crate::tokenise::token_spans(left).collect();
    spans.len().checked_sub(nth).map_or_else(String::new, |i| {
        crate::tokenise::fold(&left[spans[i].0..spans[i].1])
    })
}

/// The case-folded `nth` word (1 = nearest) from the start of `right`, or "".
fn word_after(right: &str, nth: usize) -> String {
    crate::tokenise::token_spans(right)
        .nth(nth - 1)
        .map_or_else(String::new, |(s, e)| crate::tokenise::fold(&right[s..e]))
}

/// The hits of `found` (documents in input order, each with its hits in text order) as
/// (document, hit) indices sorted by `key`; ties keep the input order (the sort is stable).
pub fn sorted_order(found: &[(String, Vec<Concordance>)], key: SortKey) -> Vec<(usize, usize)> {
    let mut order: Vec<(usize, usize)> = found
        .iter()
        .enumerate()
        .flat_map(|(d, (_, hits))| (0..hits.len()).map(move |h| (d, h)))
        .collect();
    let words = |c: &Concordance| match key {
        SortKey::Left1 => [word_before(&c.left, 1), word_before(&c.left, 2)],
        SortKey::Left2 => [word_before(&c.left, 2), word_before(&c.left, 1)],
        SortKey::Right1 => [word_after(&c.right, 1), word_after(&c.right, 2)],
        SortKey::Right2 => [word_after(&c.right, 2), word_after(&c.right, 1)],
        SortKey::Document | SortKey::Page => Default::default(),
    };
    match key {
        SortKey::Document => order.sort_by(|a, b| found[a.0].0.cmp(&found[b.0].0)),
        // Hits without a page (formats without pages) after those with one.
        SortKey::Page => order.sort_by_key(|&(d, h)| (found[d].1[h].page.unwrap_or(u32::MAX), d)),
        _ => order.sort_by_cached_key(|&(d, h)| words(&found[d].1[h])),
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;
    use crate::matcher::Mode;

    fn doc(blocks: &[(u32, Option<&str>, &str)]) -> Document {
        let mut d = Document::new("test.pdf", Format::Pdf);
        d.blocks = blocks
            .iter()
            .map(|(page, section, text)| Block {
                page: Some(*page),
                part: None,
                section: section.map(str::to_string),
                text: text.to_string(),
                ..Block::default()
            })
            .collect();
        d
    }

    #[test]
    fn character_windows_cut_at_char_boundaries_and_trim() {
        let text = "Café naïve  coproduction  façade élan";
        let start = text.find("coproduction").unwrap();
        let end = start + "coproduction".len();
        assert_eq!(left_chars(text, start, 7), "naïve  ");
        assert_eq!(right_chars(text, end, 9), "  façade ");
        assert_eq!(left_chars(text, start, 0), "");
        assert_eq!(left_chars(text, start, 500), &text[..start]);
        assert_eq!(right_chars(text, end, 500), &text[end..]);
        assert_eq!(one_line("  a\n b  "), "a b");
    }

    #[test]
    fn rows_carry_page_section_cite_and_exact_match() {
        let d = doc(&[
            (
                61,
                Some("4.9"),
                "This is often referred to as 'Coproduction'. It matters.",
            ),
            (62, None, "No hits here."),
            (63, Some("4.12"), "coproduction again, and CO-PRODUCTION"),
        ]);
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let rows = contexts(&d, &m, Span::Chars(12));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cite, "p. 61, para 4.9");
        assert_eq!(rows[0].matched, "Coproduction");
        assert_eq!(rows[0].left, "rred to as '");
        assert_eq!(rows[0].right, "'. It matter");
        assert_eq!(rows[2].matched, "CO-PRODUCTION");
        assert_eq!(rows[2].page, Some(63));
        assert_eq!(rows[2].section.as_deref(), Some("4.12"));
        assert_eq!(rows[2].right, "");
        assert_eq!(lex.terms[rows[2].term].label, "Coproduction");
    }

    #[test]
    fn sentence_span_gives_the_whole_sentence() {
        let d = doc(&[(
            1,
            None,
            "First sentence here. Parents must not be ignored, e.g. in reviews. Last one.",
        )]);
        let lex = Lexicon::from_pattern("must not").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let rows = contexts(&d, &m, Span::Sentence);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].left, "Parents");
        assert_eq!(rows[0].matched, "must not");
        assert_eq!(rows[0].right, "be ignored, e.g. in reviews.");
    }

    #[test]
    fn first_contexts_keeps_n_per_term() {
        let d = doc(&[
            (1, None, "inform inform advise"),
            (2, None, "inform advise advise"),
        ]);
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let firsts = first_contexts(&d, &m, Span::Chars(10), 2);
        let inform = lex.term_index("Inform").unwrap();
        let advise = lex.term_index("Advise").unwrap();
        assert_eq!(firsts[inform].len(), 2);
        assert_eq!(firsts[advise].len(), 2);
        assert_eq!(firsts[advise][1].page, Some(2));
        assert_eq!(firsts.iter().map(Vec::len).sum::<usize>(), 4);
    }
}
