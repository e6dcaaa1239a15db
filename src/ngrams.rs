//! Stage 5, recurrent word sequences: n-grams (AntConc's clusters) for `termtally ngrams`.
//!
//! An n-gram is `n` consecutive tokens ([`crate::tokenise`], case-folded as matching folds
//! them) of one block: n-grams never cross a paragraph (block) boundary, and punctuation between
//! two tokens does not break one ("the child, the parent" has the 3-gram "child the parent").
//! With a stop list no n-gram starts or ends with a stop word (one may sit inside: "duty to
//! cooperate"); with a word to contain, only n-grams holding that word (as a whole token) are
//! counted. Both filters are applied while counting, so what is left out takes no memory.
//!
//! Memory grows with the number of different n-grams (each held once, as word numbers), not
//! with the text; past [`NgramSpec::limit`] different n-grams counting stops and the command
//! ends with an error ([`TooMany`]) rather than list an approximation.

use rustc_hash::FxHashMap;

use hashbrown::HashTable;

/// The totals' n-gram table, hashed with foldhash (hashbrown's default): FxHash, good for words,
/// gave the n-gram keys so many collisions that `ngrams` took 14 times as long as `words`.
type NgramMap<V> = hashbrown::HashMap<Key, V>;

use crate::accumulate::Counter;
use crate::document::Document;
use crate::stopwords::StopList;
use crate::tokenise::{for_each_token, push_folded, token_end};

/// The longest n-gram counted.
pub const MAX_N: usize = 4;
/// Default [`NgramSpec::limit`]: different n-grams held before counting stops (up to about 2 GB).
pub const DEFAULT_LIMIT: usize = 20_000_000;

/// What is counted.
#[derive(Debug, Clone)]
pub struct NgramSpec {
    /// Shortest and longest n-gram, 1 ≤ min_n ≤ max_n ≤ [`MAX_N`].
    pub min_n: usize,
    pub max_n: usize,
    /// No n-gram starts or ends with one of these words.
    pub stop: Option<StopList>,
    /// Only n-grams holding this (case-folded) word.
    pub containing: Option<String>,
    /// Most different n-grams held (per worker and in all); more is an error.
    pub limit: usize,
}

/// The error when there are more different n-grams than [`NgramSpec::limit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooMany {
    pub limit: usize,
}

impl std::fmt::Display for TooMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "more than {} different n-grams: stopped rather than list only some of them; narrow \
             the count (-n, --containing, --stopwords) or raise --max-ngrams (each takes up to about 100 \
             bytes of memory)",
            self.limit
        )
    }
}

impl std::error::Error for TooMany {}

/// An n-gram as word numbers of a [`Vocabulary`]; unused places are [`UNUSED`].
type Key = [u32; MAX_N];
const UNUSED: u32 = u32::MAX;
const STOP: u8 = 1;
const WANTED: u8 = 2;

/// The words seen, each numbered once, with whether it is a stop word or the word wanted.
#[derive(Debug, Clone, Default)]
struct Vocabulary {
    ids: FxHashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    flags: Vec<u8>,
}

impl Vocabulary {
    fn id(&mut self, word: &str, spec: &NgramSpec) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(UNUSED - 1);
        let mut flags = 0;
        if spec.stop.as_ref().is_some_and(|s| s.contains(word)) {
            flags |= STOP;
        }
        if spec.containing.as_deref() == Some(word) {
            flags |= WANTED;
        }
        self.ids.insert(word.into(), id);
        self.words.push(word.into());
        self.flags.push(flags);
        id
    }

    fn text(&self, key: &Key) -> String {
        let mut text = String::new();
        for &id in key.iter().take_while(|&&id| id != UNUSED) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&self.words[id as usize]);
        }
        text
    }
}

/// The n-grams of one document (or of the chunks of a streamed file one worker counted).
#[derive(Debug, Clone)]
pub struct NgramCounter {
    document: String,
    vocabulary: Vocabulary,
    counts: Partitioned,
    too_many: bool,
    ids: Vec<u32>,
    folded: String,
}

/// The counts of a [`NgramCounter`], in [`PARTS`] tables by hash, filled from a buffer of
/// n-grams a part at a time. Counting n-grams is a random access into a table far larger than
/// the processor's caches for every one of them; adding a buffer's n-grams part by part keeps the
/// table being filled within the cache (measured: 8 MB of text in a tenth of the time of one
/// table).
#[derive(Debug, Clone, Default)]
struct Partitioned {
    parts: Vec<HashTable<(Key, u64)>>,
    pending: Vec<(u64, Key)>,
    scratch: Vec<(u64, Key)>,
    len: usize,
}

const PARTS: usize = 64;
/// N-grams buffered before they are added to the tables (24 bytes each).
const PENDING: usize = 1 << 18;

/// The hash of a key: a folded multiply of each half (as in wyhash/foldhash).
fn hash_key(key: &Key) -> u64 {
    let mix = |a: u64, b: u64| {
        let product = u128::from(a ^ 0x243f_6a88_85a3_08d3) * u128::from(b ^ 0x1319_8a2e_0370_7344);
        (product >> 64) as u64 ^ product as u64
    };
    let lo = u64::from(key[0]) | u64::from(key[1]) << 32;
    let hi = u64::from(key[2]) | u64::from(key[3]) << 32;
    mix(mix(lo, 0x4528_21e6_38d0_1377), hi)
}

impl Partitioned {
    fn push(&mut self, key: Key) {
        self.pending.push((hash_key(&key), key));
        if self.pending.len() >= PENDING {
            self.flush();
        }
    }

    /// Adds the buffered n-grams to the tables, a part at a time.
    fn flush(&mut self) {
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| HashTable::new()).collect();
        }
        let part_of = |hash: u64| (hash >> 58) as usize;
        // The buffer in part order: a counting sort into `scratch`.
        let mut starts = [0usize; PARTS];
        for &(hash, _) in &self.pending {
            starts[part_of(hash)] += 1;
        }
        let mut next = 0;
        for start in &mut starts {
            (*start, next) = (next, next + *start);
        }
        self.scratch.clear();
        self.scratch
            .resize(self.pending.len(), (0, [UNUSED; MAX_N]));
        for &(hash, key) in &self.pending {
            let at = &mut starts[part_of(hash)];
            self.scratch[*at] = (hash, key);
            *at += 1;
        }
        for &(hash, key) in &self.scratch {
            let table = &mut self.parts[part_of(hash)];
            match table.find_mut(hash, |e| e.0 == key) {
                Some(entry) => entry.1 += 1,
                None => {
                    table.insert_unique(hash, (key, 1), |e| hash_key(&e.0));
                    self.len += 1;
                }
            }
        }
        self.pending.clear();
    }

    fn into_iter(mut self) -> impl Iterator<Item = (Key, u64)> {
        self.flush();
        self.parts.into_iter().flatten()
    }
}

impl NgramCounter {
    /// Counts the n-grams of one block's `text`; returns its tokens.
    pub fn add_text(&mut self, spec: &NgramSpec, text: &str) -> u64 {
        self.ids.clear();
        let (ids, vocabulary, folded) = (&mut self.ids, &mut self.vocabulary, &mut self.folded);
        let tokens = for_each_token(text, |start, end| {
            let end = token_end(text, start, end);
            folded.clear();
            push_folded(&text[start..end], folded);
            ids.push(vocabulary.id(folded, spec));
        });
        if self.too_many {
            return tokens;
        }
        let flags = &self.vocabulary.flags;
        for n in spec.min_n..=spec.max_n {
            for gram in self.ids.windows(n) {
                let (first, last) = (gram[0] as usize, gram[n - 1] as usize);
                if (flags[first] | flags[last]) & STOP != 0 {
                    continue;
                }
                if spec.containing.is_some()
                    && !gram.iter().any(|&w| flags[w as usize] & WANTED != 0)
                {
                    continue;
                }
                let mut key = [UNUSED; MAX_N];
                key[..n].copy_from_slice(gram);
                self.counts.push(key);
            }
        }
        if self.counts.len + self.counts.pending.len() > spec.limit {
            self.counts.flush();
            if self.counts.len > spec.limit {
                self.too_many = true;
                self.counts = Partitioned::default();
            }
        }
        tokens
    }
}

impl Counter for NgramCounter {
    type Spec = NgramSpec;
    type Totals = NgramTotals;

    fn new(_: &NgramSpec, name: &str) -> Self {
        NgramCounter {
            document: name.to_string(),
            vocabulary: Vocabulary::default(),
            counts: Partitioned::default(),
            too_many: false,
            ids: Vec::new(),
            folded: String::new(),
        }
    }

    fn document(&self) -> &str {
        &self.document
    }

    fn count(&mut self, spec: &NgramSpec, doc: &Document) -> u64 {
        doc.blocks
            .iter()
            .map(|b| self.add_text(spec, &b.text))
            .sum()
    }

    fn add_to(pieces: Vec<Self>, spec: &NgramSpec, totals: &mut NgramTotals) {
        if totals.too_many.is_some() || pieces.iter().any(|p| p.too_many) {
            totals.too_many = Some(spec.limit);
            return;
        }
        // This document's n-grams in the totals' word numbers, then counted once as a document.
        let mut document: NgramMap<u64> = NgramMap::default();
        for piece in pieces {
            let to_total: Vec<u32> = piece
                .vocabulary
                .words
                .iter()
                .map(|w| totals.vocabulary.id(w, spec))
                .collect();
            for (key, n) in piece.counts.into_iter() {
                let key = key.map(|id| {
                    if id == UNUSED {
                        id
                    } else {
                        to_total[id as usize]
                    }
                });
                *document.entry(key).or_insert(0) += n;
            }
        }
        for (key, n) in document {
            let entry = totals.counts.entry(key).or_insert((0, 0));
            entry.0 += n;
            entry.1 += 1;
        }
        if totals.counts.len() > spec.limit {
            totals.too_many = Some(spec.limit);
            totals.counts = NgramMap::default();
        }
    }
}

/// The n-grams of every document counted: occurrences and documents of each.
#[derive(Debug, Clone, Default)]
pub struct NgramTotals {
    vocabulary: Vocabulary,
    counts: NgramMap<(u64, u64)>,
    /// The limit, when it was passed.
    too_many: Option<usize>,
}

/// One n-gram of the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ngram {
    /// Its words, case-folded, joined by one space.
    pub text: String,
    pub n: usize,
    pub count: u64,
    pub documents: u64,
}

impl NgramTotals {
    /// Every n-gram counted at least `min_count` times in at least `min_docs` documents, in no
    /// particular order; [`TooMany`] if counting stopped at the limit.
    pub fn ngrams(&self, min_count: u64, min_docs: u64) -> Result<Vec<Ngram>, TooMany> {
        if let Some(limit) = self.too_many {
            return Err(TooMany { limit });
        }
        Ok(self
            .counts
            .iter()
            .filter(|(_, (count, docs))| *count >= min_count && *docs >= min_docs)
            .map(|(key, &(count, documents))| Ngram {
                text: self.vocabulary.text(key),
                n: key.iter().take_while(|&&id| id != UNUSED).count(),
                count,
                documents,
            })
            .collect())
    }

    /// The number of different n-grams.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accumulate::Corpus;
    use crate::testing::text_document;

    fn spec(min_n: usize, max_n: usize) -> NgramSpec {
        NgramSpec {
            min_n,
            max_n,
            stop: None,
            containing: None,
            limit: DEFAULT_LIMIT,
        }
    }

    fn listed(corpus: Corpus<NgramCounter>) -> Vec<(String, u64, u64)> {
        let mut rows: Vec<_> = corpus
            .into_totals()
            .ngrams(1, 1)
            .unwrap()
            .into_iter()
            .map(|g| (g.text, g.count, g.documents))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn ngrams_stay_in_their_paragraph_and_count_documents() {
        let corpus = Corpus::new(spec(2, 3), NgramTotals::default());
        let a = text_document("a", &["The local offer. The Local", "offer now"]);
        let b = text_document("b", &["the local offer"]);
        assert_eq!(corpus.count_document(&a), 7);
        corpus.count_document(&b);
        let rows = listed(corpus);
        let get = |t: &str| rows.iter().find(|r| r.0 == t).map(|r| (r.1, r.2));
        assert_eq!(get("the local"), Some((3, 2)));
        assert_eq!(get("the local offer"), Some((2, 2)));
        // Punctuation does not break an n-gram; a paragraph does.
        assert_eq!(get("offer the"), Some((1, 1)));
        assert_eq!(get("local offer"), Some((2, 2)));
        assert_eq!(get("offer now"), Some((1, 1)));
        assert_eq!(get("local offer now"), None);
        assert_eq!(rows.len(), 7, "{rows:?}");
    }

    #[test]
    fn stop_words_may_not_start_or_end_and_containing_selects() {
        let mut with_stop = spec(2, 3);
        with_stop.stop = Some(StopList::parse("s", "the\nto"));
        let corpus = Corpus::new(with_stop, NgramTotals::default());
        corpus.count_document(&text_document(
            "a",
            &["the duty to cooperate with the board"],
        ));
        let rows: Vec<String> = listed(corpus).into_iter().map(|r| r.0).collect();
        // A stop word inside is kept: "with the board".
        assert_eq!(
            rows,
            ["cooperate with", "duty to cooperate", "with the board"]
        );

        let mut containing = spec(2, 2);
        containing.containing = Some("duty".into());
        let corpus = Corpus::new(containing, NgramTotals::default());
        corpus.count_document(&text_document("a", &["the duty to cooperate, a duty"]));
        let rows: Vec<String> = listed(corpus).into_iter().map(|r| r.0).collect();
        assert_eq!(rows, ["a duty", "duty to", "the duty"]);
    }

    #[test]
    fn past_the_limit_counting_stops_with_an_error() {
        let mut small = spec(1, 1);
        small.limit = 3;
        let corpus: Corpus<NgramCounter> = Corpus::new(small, NgramTotals::default());
        corpus.count_document(&text_document("a", &["one two three"]));
        corpus.count_document(&text_document("b", &["four"]));
        let err = corpus.into_totals().ngrams(1, 1).unwrap_err();
        assert!(
            err.to_string().starts_with("more than 3 different"),
            "{err}"
        );
    }

    /// A file streamed in chunks by several workers is one document with the same counts.
    #[test]
    fn chunks_of_one_stream_make_one_document() {
        let corpus = Corpus::new(spec(2, 2), NgramTotals::default());
        // A stream that failed leaves its counter behind: the next file does not take it over.
        corpus.count_chunk(&text_document("failed", &["x y"]));
        corpus.count_chunk(&text_document("big", &["a b a b"]));
        corpus.count_chunk(&text_document("big", &["a b"]));
        corpus.end_stream("big");
        let rows = listed(corpus);
        assert!(rows.contains(&("a b".into(), 3, 1)), "{rows:?}");
        assert!(!rows.iter().any(|r| r.0 == "x y"), "{rows:?}");
    }
}
