//! Stage 5, the company a term keeps: collocates, the words found within a window of tokens
//! around each hit of a term (the node), with association measures, for `termtally collocates`.
//!
//! The window rule:
//! - The node is a hit of the matcher ([`crate::matcher`], the same hits `count` counts). The
//!   window is the `left` tokens before the hit and the `right` tokens after it, tokens as
//!   [`crate::tokenise`] defines them, case-folded. Tokens the hit covers are the node itself,
//!   not collocates (in substring mode the whole token the hit is inside).
//! - A window never crosses a paragraph (block) boundary: a hit near the start of a paragraph
//!   has a shorter left window. Punctuation does not end a window.
//! - Windows of nearby hits may overlap: a word in two hits' windows is counted once for each
//!   hit (O counts window places, as AntConc and #LancsBox do). Another hit of the node inside a
//!   window is counted as a collocate like any word.
//! - Stop words, when the command leaves them out of the list, still take their places in the
//!   window (the window is not widened past them).
//!
//! The measures, for O co-occurrences of a collocate of frequency f(c) with a node of frequency
//! f(n) (its hits) in a corpus of N tokens, with a window span S = left + right:
//! - E = f(n) · f(c) · S / N: the co-occurrences expected by chance in the f(n) · S window
//!   places. **E is multiplied by the span** (Church & Hanks's span adjustment) because O counts
//!   every place of every window; [`Measures::compute`] with S = 1 gives the unadjusted values.
//! - MI = log2(O / E) (Church & Hanks 1990); T-score = (O − E) / √O (Church, Gale, Hanks & Hindle
//!   1991), both with this E.
//! - log-likelihood G2 over the four-cell table (Dunning 1993): O, f(n) − O, f(c) − O,
//!   N − f(n) − f(c) + O (cells below zero, possible when a word occurs twice in one window,
//!   count as zero); its expected values come from the table's margins, so it has no span.
//! - logDice = 14 + log2(2 · O / (f(n) + f(c))) (Rychlý 2008), no E.

use crate::accumulate::Counter;
use crate::document::Document;
use crate::frequency::{WordCounts, add_words};
use crate::keyness::log_likelihood_four_term;
use crate::matcher::{Hit, Matcher};
use crate::tokenise::{push_folded, token_spans};

/// Tokens counted each side of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub left: usize,
    pub right: usize,
}

impl Window {
    /// The window's places per hit, S.
    pub fn span(self) -> usize {
        self.left + self.right
    }
}

/// What is counted: the hits of the `selected` terms of `matcher`, and the window.
#[derive(Debug)]
pub struct CollocateSpec {
    pub matcher: Matcher,
    /// Indexed by term: whether its hits are the node.
    pub selected: Vec<bool>,
    pub window: Window,
}

/// The association measures of one collocate (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    pub expected: f64,
    pub mi: f64,
    pub t_score: f64,
    pub log_likelihood: f64,
    pub log_dice: f64,
}

impl Measures {
    /// The measures of `observed` co-occurrences of a collocate of frequency `collocate` with a
    /// node of frequency `node` in `tokens` tokens, E multiplied by `span` (1: not adjusted).
    pub fn compute(observed: u64, node: u64, collocate: u64, tokens: u64, span: f64) -> Measures {
        let o = observed as f64;
        let expected = node as f64 * collocate as f64 * span / tokens.max(1) as f64;
        Measures {
            expected,
            mi: (o / expected).log2(),
            t_score: (o - expected) / o.sqrt(),
            log_likelihood: log_likelihood_four_term(
                observed,
                collocate.saturating_sub(observed),
                node,
                tokens.saturating_sub(node),
            ),
            log_dice: 14.0 + (2.0 * o / (node + collocate) as f64).log2(),
        }
    }
}

/// The counts of one document (or of the chunks of a streamed file one worker counted).
#[derive(Debug, Clone)]
pub struct CollocateCounter {
    document: String,
    totals: CollocateTotals,
    folded: String,
    hits: Vec<Hit>,
    spans: Vec<(usize, usize)>,
}

/// The counts of every document counted.
#[derive(Debug, Clone, Default)]
pub struct CollocateTotals {
    /// N: all tokens.
    pub tokens: u64,
    /// f(n): hits of the node.
    pub node: u64,
    /// f(c): every word's frequency.
    pub words: WordCounts,
    /// O: every word's places in the windows.
    pub near: WordCounts,
    /// Window places filled (fewer than f(n) · S where paragraphs end near a hit).
    pub places: u64,
}

impl CollocateCounter {
    /// Counts one block's `text`; returns its tokens.
    pub fn add_text(&mut self, spec: &CollocateSpec, text: &str) -> u64 {
        let totals = &mut self.totals;
        let tokens = add_words(text, &mut totals.words, &mut self.folded);
        totals.tokens += tokens;
        self.hits.clear();
        spec.matcher.for_each_hit(text, |h| {
            if spec.selected.get(h.term).copied().unwrap_or(false) {
                self.hits.push(h);
            }
        });
        if self.hits.is_empty() {
            return tokens;
        }
        self.spans.clear();
        self.spans.extend(token_spans(text));
        let Window { left, right } = spec.window;
        for hit in &self.hits {
            totals.node += 1;
            let before = self.spans.partition_point(|s| s.1 <= hit.start);
            let after = self.spans.partition_point(|s| s.0 < hit.end);
            let window = self.spans[before.saturating_sub(left)..before]
                .iter()
                .chain(&self.spans[after..(after + right).min(self.spans.len())]);
            for &(start, end) in window {
                self.folded.clear();
                push_folded(&text[start..end], &mut self.folded);
                totals.near.add(&self.folded, 1);
                totals.places += 1;
            }
        }
        tokens
    }
}

impl Counter for CollocateCounter {
    type Spec = CollocateSpec;
    type Totals = CollocateTotals;

    fn new(_: &CollocateSpec, name: &str) -> Self {
        CollocateCounter {
            document: name.to_string(),
            totals: CollocateTotals::default(),
            folded: String::new(),
            hits: Vec::new(),
            spans: Vec::new(),
        }
    }

    fn document(&self) -> &str {
        &self.document
    }

    fn count(&mut self, spec: &CollocateSpec, doc: &Document) -> u64 {
        doc.blocks
            .iter()
            .map(|b| self.add_text(spec, &b.text))
            .sum()
    }

    fn add_to(pieces: Vec<Self>, _: &CollocateSpec, totals: &mut CollocateTotals) {
        for piece in pieces {
            let piece = piece.totals;
            totals.tokens += piece.tokens;
            totals.node += piece.node;
            totals.places += piece.places;
            for (word, n) in piece.words.iter() {
                totals.words.add(word, n);
            }
            for (word, n) in piece.near.iter() {
                totals.near.add(word, n);
            }
        }
    }
}

/// One collocate with its counts and measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Collocate {
    pub word: String,
    /// O.
    pub cooccurrences: u64,
    /// f(c).
    pub frequency: u64,
    pub measures: Measures,
}

impl CollocateTotals {
    /// Every word co-occurring at least `min_freq` times, with its measures (E adjusted by
    /// the span of `window`), in no particular order.
    pub fn collocates(&self, window: Window, min_freq: u64) -> Vec<Collocate> {
        let span = window.span().max(1) as f64;
        self.near
            .iter()
            .filter(|&(_, o)| o >= min_freq.max(1))
            .map(|(word, o)| {
                let frequency = self.words.get(word).unwrap_or(o);
                Collocate {
                    word: word.to_string(),
                    cooccurrences: o,
                    frequency,
                    measures: Measures::compute(o, self.node, frequency, self.tokens, span),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accumulate::Corpus;
    use crate::lexicon::Lexicon;
    use crate::matcher::Mode;
    use crate::testing::text_document;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-7
    }

    /// The worked example: O = 10, f(n) = 100, f(c) = 500, N = 1,000,000, span 10.
    #[test]
    fn pinned_formulas() {
        let adjusted = Measures::compute(10, 100, 500, 1_000_000, 10.0);
        let plain = Measures::compute(10, 100, 500, 1_000_000, 1.0);
        assert!(close(plain.mi, 7.643856), "{plain:?}");
        assert!(close(adjusted.mi, 4.321928), "{adjusted:?}");
        assert!(close(plain.t_score, 3.146466), "{plain:?}");
        assert!(close(adjusted.t_score, 3.004164), "{adjusted:?}");
        assert!(close(adjusted.log_dice, 9.093109), "{adjusted:?}");
        assert!(close(plain.log_dice, 9.093109));
        assert!(close(adjusted.log_likelihood, 87.290928), "{adjusted:?}");
        assert!(close(plain.log_likelihood, 87.290928));
        assert!(close(adjusted.expected, 0.5));
    }

    fn spec(pattern: &str, left: usize, right: usize) -> CollocateSpec {
        let lexicon = Lexicon::from_pattern(pattern).unwrap();
        CollocateSpec {
            matcher: Matcher::new(&lexicon, Mode::Word).unwrap(),
            selected: vec![true],
            window: Window { left, right },
        }
    }

    #[test]
    fn windows_stop_at_paragraphs_skip_the_node_and_overlap_per_hit() {
        let corpus: Corpus<CollocateCounter> =
            Corpus::new(spec("local offer", 2, 2), CollocateTotals::default());
        let doc = text_document(
            "d",
            &[
                "the local offer, and the Local Offer again. Parents",
                "read it",
            ],
        );
        assert_eq!(corpus.count_document(&doc), 11);
        let totals = corpus.into_totals();
        assert_eq!(totals.node, 2);
        assert_eq!(totals.tokens, 11);
        let o = |w: &str| totals.near.get(w).unwrap_or(0);
        // Hit 1: left "the", right "and the"; hit 2: left "and the", right "again parents".
        assert_eq!(o("the"), 3);
        assert_eq!(o("and"), 2);
        assert_eq!(o("again"), 1);
        assert_eq!(o("parents"), 1);
        assert_eq!(o("local"), 0);
        assert_eq!(o("read"), 0);
        assert_eq!(totals.places, 7);
        let listed = totals.collocates(Window { left: 2, right: 2 }, 2);
        let words: Vec<&str> = listed.iter().map(|c| c.word.as_str()).collect();
        assert_eq!(words.len(), 2, "{words:?}");
        let the = listed.iter().find(|c| c.word == "the").unwrap();
        assert_eq!((the.cooccurrences, the.frequency), (3, 2));
    }
}
