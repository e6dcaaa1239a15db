//! Dispersion: is a term spread through a text or bunched in one place? Measured over the
//! text's parts: its pages (with their real sizes in word tokens), or, for a text without pages,
//! 10 parts of equal size (consecutive runs of tokens, sizes differing by at most one token).
//!
//! - **Range**: the number of parts the term occurs in.
//! - **DP**, Gries's deviation of proportions (Gries 2008): half the sum over the parts of
//!   |share of the term's occurrences in the part − share of the text's words in the part|.
//!   0 = spread exactly as the words are, towards 1 = all in one small part.
//! - **DPnorm** (Lijffijt & Gries 2012): DP / (1 − the smallest part's share), so that 1 is the
//!   most uneven spread possible for these part sizes.
//! - **Juilland's D**: 1 − CV / √(n − 1), with CV the coefficient of variation of the term's
//!   frequencies in the n parts, computed with the POPULATION standard deviation (divisor n).
//!   D assumes parts of equal size: it looks at raw frequencies, not at the parts' sizes, so on
//!   pages of different lengths it is only a rough guide (DP is the measure that uses the sizes).
//!
//! All three are undefined (`None`) for a text of one part, or when the term does not occur.
//! Parts without any word token (blank pages) are not parts.

use std::collections::HashMap;

use crate::count::{DocumentCounts, Unit, count_document};
use crate::document::Document;
use crate::frequency::{WordCounts, add_words};
use crate::matcher::Matcher;
use crate::tokenise::{fold, token_spans};

/// Parts a text without pages is divided into.
pub const EQUAL_PARTS: usize = 10;

/// How evenly one term is spread over the parts of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispersion {
    /// Number of parts.
    pub parts: usize,
    /// Parts where the term occurs.
    pub range: usize,
    pub dp: Option<f64>,
    pub dp_norm: Option<f64>,
    pub juilland_d: Option<f64>,
}

/// The dispersion of a term with frequency `freqs[i]` in part `i` of sizes `sizes` (tokens).
pub fn dispersion(sizes: &[u64], freqs: &[u64]) -> Dispersion {
    sparse_dispersion(
        sizes,
        freqs
            .iter()
            .enumerate()
            .filter(|&(_, &f)| f > 0)
            .map(|(i, &f)| (i, f)),
    )
}

/// [`dispersion`] from the parts where the term occurs only, as (part index, frequency), each
/// part at most once: for a word list, where most words occur in few parts.
pub fn sparse_dispersion(
    sizes: &[u64],
    occurrences: impl IntoIterator<Item = (usize, u64)>,
) -> Dispersion {
    let occurrences: Vec<(usize, u64)> = occurrences.into_iter().filter(|o| o.1 > 0).collect();
    let n = sizes.len();
    let total_size: u64 = sizes.iter().sum();
    let f: u64 = occurrences.iter().map(|o| o.1).sum();
    let mut result = Dispersion {
        parts: n,
        range: occurrences.len(),
        dp: None,
        dp_norm: None,
        juilland_d: None,
    };
    if n < 2 || f == 0 || total_size == 0 {
        return result;
    }
    let share = |i: usize| sizes[i] as f64 / total_size as f64;
    // Parts without the term contribute |0 − s_i| = s_i: the sizes not covered below.
    let (mut deviation, mut covered) = (0.0, 0.0);
    for &(i, v) in &occurrences {
        deviation += (v as f64 / f as f64 - share(i)).abs();
        covered += share(i);
    }
    let dp = 0.5 * (deviation + (1.0 - covered).max(0.0));
    let smallest = (0..n).map(share).fold(f64::INFINITY, f64::min);
    let mean = f as f64 / n as f64;
    let squares: f64 = occurrences.iter().map(|o| (o.1 as f64).powi(2)).sum();
    let population_sd = (squares / n as f64 - mean * mean).max(0.0).sqrt();
    let d = 1.0 - (population_sd / mean) / ((n - 1) as f64).sqrt();
    result.dp = Some(dp);
    result.dp_norm = (smallest < 1.0).then(|| dp / (1.0 - smallest));
    result.juilland_d = Some(d.clamp(0.0, 1.0));
    result
}

/// What a text's parts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Pages,
    /// [`EQUAL_PARTS`] runs of tokens of equal size (a text without pages).
    EqualParts,
}

impl PartKind {
    /// "pages", "equal parts": how a report names the parts.
    pub fn name(self) -> &'static str {
        match self {
            PartKind::Pages => "pages",
            PartKind::EqualParts => "equal parts",
        }
    }
}

/// Each term's hits in each part of one document: the per-document summary dispersion is
/// computed from (the text itself is not kept).
#[derive(Debug, Clone, PartialEq)]
pub struct TermParts {
    pub kind: PartKind,
    /// Word tokens per part.
    pub sizes: Vec<u64>,
    /// Hits per part, then per term (indexed like `lexicon.terms`).
    pub counts: Vec<Vec<u64>>,
}

impl TermParts {
    /// The parts of several documents one after another (the corpus as one text).
    pub fn concatenated(all: &[&TermParts]) -> TermParts {
        let kind = if all.iter().all(|p| p.kind == PartKind::Pages) {
            PartKind::Pages
        } else {
            PartKind::EqualParts
        };
        TermParts {
            kind,
            sizes: all.iter().flat_map(|p| p.sizes.iter().copied()).collect(),
            counts: all.iter().flat_map(|p| p.counts.iter().cloned()).collect(),
        }
    }

    /// The dispersion of term `t` (or of the sum of several terms' columns with [`Self::of`]).
    pub fn term(&self, t: usize) -> Dispersion {
        self.of(|counts| counts.get(t).copied().unwrap_or(0))
    }

    /// The dispersion of the frequency `per_part` gives for each part's term counts.
    pub fn of(&self, per_part: impl Fn(&[u64]) -> u64) -> Dispersion {
        let freqs: Vec<u64> = self.counts.iter().map(|c| per_part(c)).collect();
        dispersion(&self.sizes, &freqs)
    }
}

/// Whether `doc` has page numbers (else it is divided into [`EQUAL_PARTS`]).
pub fn has_pages(doc: &Document) -> bool {
    doc.blocks.iter().any(|b| b.page.is_some())
}

/// The parts of `doc` and each term's hits in them: its pages (as `count --by page` counts
/// them; text without a page number, if any, is one more part), or 10 equal parts.
pub fn term_parts(doc: &Document, matcher: &Matcher) -> TermParts {
    if has_pages(doc) {
        return pages_of(&count_document(doc, matcher, Unit::Page));
    }
    equal_term_parts(doc, matcher)
}

/// [`term_parts`] of a document already counted by page (`by_page`, the counts of
/// [`count_document`] with [`Unit::Page`]): only a text without pages is counted again.
pub fn term_parts_of_counted(
    doc: &Document,
    by_page: &DocumentCounts,
    matcher: &Matcher,
) -> TermParts {
    if has_pages(doc) {
        pages_of(by_page)
    } else {
        equal_term_parts(doc, matcher)
    }
}

/// The pages of a document counted by page, blank ones left out.
fn pages_of(by_page: &DocumentCounts) -> TermParts {
    let pages = by_page.units.iter().filter(|u| u.tokens > 0);
    TermParts {
        kind: PartKind::Pages,
        sizes: pages.clone().map(|u| u.tokens).collect(),
        counts: pages.map(|u| u.counts.clone()).collect(),
    }
}

/// The number of tokens in `doc`, the size the 10 equal parts are cut from.
fn token_total(doc: &Document) -> u64 {
    doc.blocks
        .iter()
        .map(|b| crate::tokenise::count_tokens(&b.text))
        .sum()
}

/// Each term's hits in 10 equal parts of `doc`, by the position of the token each hit starts in.
fn equal_term_parts(doc: &Document, matcher: &Matcher) -> TermParts {
    let parts = EqualSplit::new(token_total(doc));
    let mut counts = vec![vec![0u64; matcher.term_count()]; parts.len()];
    let mut first_token = 0u64;
    for block in &doc.blocks {
        let starts: Vec<usize> = token_spans(&block.text).map(|s| s.0).collect();
        matcher.for_each_hit(&block.text, |hit| {
            // The token the hit starts in (a substring hit may start inside one).
            let within = starts
                .partition_point(|&s| s <= hit.start)
                .saturating_sub(1);
            counts[parts.part_of(first_token + within as u64)][hit.term] += 1;
        });
        first_token += starts.len() as u64;
    }
    TermParts {
        kind: PartKind::EqualParts,
        sizes: parts.sizes(),
        counts,
    }
}

/// `total` tokens divided into [`EQUAL_PARTS`] consecutive parts (fewer for a text of fewer
/// tokens): token `i` is in part ⌊i · n / total⌋.
struct EqualSplit {
    total: u64,
    n: u64,
}

impl EqualSplit {
    fn new(total: u64) -> EqualSplit {
        EqualSplit {
            total,
            n: total.min(EQUAL_PARTS as u64),
        }
    }
    fn len(&self) -> usize {
        self.n as usize
    }
    fn part_of(&self, token: u64) -> usize {
        ((u128::from(token) * u128::from(self.n)) / u128::from(self.total.max(1))) as usize
    }
    /// Tokens per part: those `i` with p ≤ i·n/total < p + 1.
    fn sizes(&self) -> Vec<u64> {
        let first = |p: u64| (u128::from(p) * u128::from(self.total)).div_ceil(u128::from(self.n));
        (0..self.n)
            .map(|p| (first(p + 1) - first(p)) as u64)
            .collect()
    }
}

/// Every word type's count in each part of one document, for `words --dispersion`.
#[derive(Debug, Clone)]
pub struct WordParts {
    pub kind: PartKind,
    pub sizes: Vec<u64>,
    pub words: Vec<WordCounts>,
}

/// The parts of `doc` (as [`term_parts`] divides it) and the word types of each.
pub fn word_parts(doc: &Document) -> WordParts {
    let mut folded = String::new();
    if has_pages(doc) {
        let mut index: HashMap<Option<u32>, usize> = HashMap::new();
        let mut words: Vec<WordCounts> = Vec::new();
        let mut sizes: Vec<u64> = Vec::new();
        for block in &doc.blocks {
            let i = *index.entry(block.page).or_insert_with(|| {
                words.push(WordCounts::default());
                sizes.push(0);
                words.len() - 1
            });
            sizes[i] += add_words(&block.text, &mut words[i], &mut folded);
        }
        let (sizes, words) = sizes.into_iter().zip(words).filter(|p| p.0 > 0).unzip();
        return WordParts {
            kind: PartKind::Pages,
            sizes,
            words,
        };
    }
    let parts = EqualSplit::new(token_total(doc));
    let mut words = vec![WordCounts::default(); parts.len()];
    let mut token = 0u64;
    for block in &doc.blocks {
        for (s, e) in token_spans(&block.text) {
            words[parts.part_of(token)].add(&fold(&block.text[s..e]), 1);
            token += 1;
        }
    }
    WordParts {
        kind: PartKind::EqualParts,
        sizes: parts.sizes(),
        words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use crate::matcher::Mode;
    use crate::testing::text_document;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 5e-7)
    }

    /// Gries (2008), the worked example: parts of 9, 10, 10, 10, 11 words; frequencies 1–5.
    #[test]
    fn gries_2008_example() {
        let d = dispersion(&[9, 10, 10, 10, 11], &[1, 2, 3, 4, 5]);
        assert!(close(d.dp, 0.18), "{d:?}");
        assert!(close(d.dp_norm, 0.219512), "{d:?}");
        // Population SD (√2): 1 − (√2 / 3) / 2.
        assert!(close(d.juilland_d, 0.764298), "{d:?}");
        assert_eq!((d.parts, d.range), (5, 5));
    }

    #[test]
    fn even_spread_is_0_and_all_in_one_part_is_1_normalised() {
        let even = dispersion(&[10, 10, 10, 10], &[2, 2, 2, 2]);
        assert!(
            close(even.dp, 0.0) && close(even.juilland_d, 1.0),
            "{even:?}"
        );
        let bunched = dispersion(&[10, 10, 10, 10], &[0, 0, 8, 0]);
        assert!(
            close(bunched.dp, 0.75) && close(bunched.dp_norm, 1.0),
            "{bunched:?}"
        );
        assert!(close(bunched.juilland_d, 0.0), "{bunched:?}");
        assert_eq!(bunched.range, 1);
        // Sparse and dense agree.
        assert_eq!(sparse_dispersion(&[10, 10, 10, 10], [(2, 8)]), bunched);
    }

    #[test]
    fn undefined_for_one_part_or_no_occurrence() {
        let one = dispersion(&[100], &[7]);
        assert_eq!((one.dp, one.dp_norm, one.juilland_d), (None, None, None));
        assert_eq!(one.range, 1);
        let none = dispersion(&[10, 10], &[0, 0]);
        assert_eq!((none.dp, none.range), (None, 0));
    }

    #[test]
    fn equal_parts_differ_by_at_most_one_token_and_add_up() {
        for total in [1u64, 9, 10, 11, 99, 1234] {
            let split = EqualSplit::new(total);
            let sizes = split.sizes();
            assert_eq!(sizes.iter().sum::<u64>(), total);
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "{total}: {sizes:?}");
            let mut per_part = vec![0u64; split.len()];
            for i in 0..total {
                per_part[split.part_of(i)] += 1;
            }
            assert_eq!(per_part, sizes, "{total}");
        }
    }

    #[test]
    fn a_text_without_pages_is_cut_into_ten_parts_at_token_positions() {
        // 100 tokens in uneven blocks; "inform" is token 0, 15 and 95.
        let mut words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        for i in [0, 15, 95] {
            words[i] = "inform".into();
        }
        let blocks = [
            words[..7].join(" "),
            words[7..50].join(" "),
            words[50..].join(" "),
        ];
        let doc = text_document("t", &blocks.iter().map(String::as_str).collect::<Vec<_>>());
        let lexicon = Lexicon::load("boddison-soan-2021").unwrap();
        let matcher = Matcher::new(&lexicon, Mode::Word).unwrap();
        let parts = term_parts(&doc, &matcher);
        assert_eq!(parts.kind, PartKind::EqualParts);
        assert_eq!(parts.sizes, vec![10; 10]);
        let inform = lexicon.term_index("Inform").unwrap();
        let per_part: Vec<u64> = parts.counts.iter().map(|c| c[inform]).collect();
        assert_eq!(per_part, [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
        let words = word_parts(&doc);
        assert_eq!(words.sizes, parts.sizes);
        let found: Vec<u64> = words
            .words
            .iter()
            .map(|w| w.get("inform").unwrap_or(0))
            .collect();
        assert_eq!(found, per_part);
    }
}
