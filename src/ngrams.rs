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
use crate::frequency::{Head, ascii_folded_head, mix};
use crate::stopwords::StopList;
use crate::tokenise::{fold, for_each_token, push_folded, token_end};

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

/// An n-gram of at most [`PACKED_N`] words, each numbered below [`PACKED_IDS`], packed in one
/// machine word: word number + 1 in each [`PACKED_BITS`] bits, 0 for no word. Half the size of
/// a [`Key`] and hashed with one multiply; nearly every n-gram counted is one (a text would need
/// two million word types before its n-grams take the wider key).
type Packed = u64;
const PACKED_N: usize = 3;
const PACKED_BITS: u32 = 21;
const PACKED_IDS: u32 = (1 << PACKED_BITS) - 1;

/// The packed form of an n-gram, if it is short enough and its word numbers small enough.
#[inline]
fn pack(gram: &[u32]) -> Option<Packed> {
    if gram.len() > PACKED_N || gram.iter().any(|&id| id >= PACKED_IDS) {
        return None;
    }
    Some(
        gram.iter()
            .rev()
            .fold(0, |packed, &id| packed << PACKED_BITS | u64::from(id + 1)),
    )
}

/// The [`Key`] of a packed n-gram.
fn unpack(mut packed: Packed) -> Key {
    let mut key = [UNUSED; MAX_N];
    for place in &mut key {
        let field = (packed & u64::from(PACKED_IDS)) as u32;
        if field == 0 {
            break;
        }
        *place = field - 1;
        packed >>= PACKED_BITS;
    }
    key
}

/// The [`Key`] of any n-gram.
fn wide(gram: &[u32]) -> Key {
    let mut key = [UNUSED; MAX_N];
    key[..gram.len()].copy_from_slice(gram);
    key
}

/// The words seen, each numbered once, with whether it is a stop word or the word wanted.
/// Words of up to 16 bytes are looked up as a [`Head`] (two machine words, as the words' table
/// of [`crate::frequency`] keeps them, so an ASCII token is found without being copied or
/// compared byte by byte); longer ones by their text.
#[derive(Debug, Clone, Default)]
struct Vocabulary {
    short: HashTable<(Head, u32)>,
    long: FxHashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    flags: Vec<u8>,
}

impl Vocabulary {
    /// The number of `word` (case-folded).
    fn id(&mut self, word: &str, spec: &NgramSpec) -> u32 {
        if word.len() <= 16 {
            return self.id_of_head(Head::of(word.as_bytes()), || word.to_string(), spec);
        }
        if let Some(&id) = self.long.get(word) {
            return id;
        }
        let id = self.push(word.into(), spec);
        self.long.insert(word.into(), id);
        id
    }

    /// The number of the word of at most 16 bytes whose head is `head`; `word` gives its text.
    #[inline]
    fn id_of_head(&mut self, head: Head, word: impl FnOnce() -> String, spec: &NgramSpec) -> u32 {
        let hash = head.hash();
        if let Some(&(_, id)) = self.short.find(hash, |e| e.0 == head) {
            return id;
        }
        let id = self.push(word().into(), spec);
        self.short.insert_unique(hash, (head, id), |e| e.0.hash());
        id
    }

    fn push(&mut self, word: Box<str>, spec: &NgramSpec) -> u32 {
        let id = u32::try_from(self.words.len()).unwrap_or(UNUSED - 1);
        let mut flags = 0;
        if spec.stop.as_ref().is_some_and(|s| s.contains(&word)) {
            flags |= STOP;
        }
        if spec.containing.as_deref() == Some(&*word) {
            flags |= WANTED;
        }
        self.words.push(word);
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
    /// The n-grams [`pack`] packs, and the others: each n-gram is always in the same one.
    packed: Partitioned<Packed>,
    wide: Partitioned<Key>,
    too_many: bool,
    ids: Vec<u32>,
    folded: String,
}

/// A key of an n-gram table.
trait GramKey: Copy + Eq {
    fn hash(&self) -> u64;
}

impl GramKey for Packed {
    #[inline]
    fn hash(&self) -> u64 {
        mix(*self, 0x4528_21e6_38d0_1377)
    }
}

impl GramKey for Key {
    #[inline]
    fn hash(&self) -> u64 {
        let lo = u64::from(self[0]) | u64::from(self[1]) << 32;
        let hi = u64::from(self[2]) | u64::from(self[3]) << 32;
        mix(mix(lo, 0x4528_21e6_38d0_1377), hi)
    }
}

/// The counts of a [`NgramCounter`], in [`PARTS`] tables by hash, each filled from a buffer of
/// its own n-grams when that is full. Counting n-grams is a random access into a table far larger
/// than the processor's caches for every one of them; adding a buffer's n-grams to one part at a
/// time keeps the table being filled within the cache (measured: 8 MB of text in a tenth of the
/// time of one table).
#[derive(Debug, Clone)]
struct Partitioned<K> {
    parts: Vec<Part<K>>,
    /// Different n-grams in the tables.
    len: usize,
    /// N-grams in the buffers.
    pending: usize,
}

#[derive(Debug, Clone)]
struct Part<K> {
    table: HashTable<(K, u64)>,
    pending: Vec<(u64, K)>,
}

impl<K> Default for Partitioned<K> {
    fn default() -> Self {
        Partitioned {
            parts: Vec::new(),
            len: 0,
            pending: 0,
        }
    }
}

const PARTS: usize = 64;
/// N-grams buffered for a part before they are added to its table (16 or 24 bytes each).
const PENDING: usize = 1 << 12;

impl<K: GramKey> Partitioned<K> {
    #[inline]
    fn push(&mut self, key: K) {
        if self.parts.is_empty() {
            self.parts = (0..PARTS)
                .map(|_| Part {
                    table: HashTable::new(),
                    pending: Vec::new(),
                })
                .collect();
        }
        let hash = key.hash();
        let part = &mut self.parts[(hash >> 58) as usize];
        part.pending.push((hash, key));
        self.pending += 1;
        if part.pending.len() >= PENDING {
            self.pending -= part.pending.len();
            self.len += part.flush();
        }
    }

    /// Different n-grams held, counting the buffered ones as different.
    fn len_at_most(&self) -> usize {
        self.len + self.pending
    }

    /// Adds the buffered n-grams to the tables.
    fn flush(&mut self) {
        for part in &mut self.parts {
            self.len += part.flush();
        }
        self.pending = 0;
    }

    fn into_iter(mut self) -> impl Iterator<Item = (K, u64)> {
        self.flush();
        self.parts.into_iter().flat_map(|part| part.table)
    }
}

impl<K: GramKey> Part<K> {
    /// Adds the buffered n-grams to the table; returns how many were new.
    fn flush(&mut self) -> usize {
        let mut new = 0;
        for &(hash, key) in &self.pending {
            match self.table.find_mut(hash, |e| e.0 == key) {
                Some(entry) => entry.1 += 1,
                None => {
                    self.table.insert_unique(hash, (key, 1), |e| e.0.hash());
                    new += 1;
                }
            }
        }
        self.pending.clear();
        new
    }
}

impl NgramCounter {
    /// Counts the n-grams of one block's `text`; returns its tokens.
    pub fn add_text(&mut self, spec: &NgramSpec, text: &str) -> u64 {
        self.ids.clear();
        let (ids, vocabulary, folded) = (&mut self.ids, &mut self.vocabulary, &mut self.folded);
        let bytes = text.as_bytes();
        let tokens = for_each_token(text, |start, end| {
            let end = token_end(text, start, end);
            let id = match ascii_folded_head(bytes, start, end) {
                Some(head) => vocabulary.id_of_head(head, || fold(&text[start..end]), spec),
                None => {
                    folded.clear();
                    push_folded(&text[start..end], folded);
                    vocabulary.id(folded, spec)
                }
            };
            ids.push(id);
        });
        if self.too_many {
            return tokens;
        }
        self.add_ngrams(spec);
        if self.len_at_most() > spec.limit {
            self.packed.flush();
            self.wide.flush();
            if self.packed.len + self.wide.len > spec.limit {
                self.too_many = true;
                self.packed = Partitioned::default();
                self.wide = Partitioned::default();
            }
        }
        tokens
    }

    /// Counts the n-grams of the word numbers in `ids`, one block's.
    fn add_ngrams(&mut self, spec: &NgramSpec) {
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
                match pack(gram) {
                    Some(packed) => self.packed.push(packed),
                    None => self.wide.push(wide(gram)),
                }
            }
        }
    }

    fn len_at_most(&self) -> usize {
        self.packed.len_at_most() + self.wide.len_at_most()
    }

    /// Every n-gram counted and its count, as a [`Key`].
    fn into_counts(self) -> (Vocabulary, impl Iterator<Item = (Key, u64)>) {
        let packed = self.packed.into_iter().map(|(p, n)| (unpack(p), n));
        (self.vocabulary, packed.chain(self.wide.into_iter()))
    }
}

impl Counter for NgramCounter {
    type Spec = NgramSpec;
    type Totals = NgramTotals;

    fn new(_: &NgramSpec, name: &str) -> Self {
        NgramCounter {
            document: name.to_string(),
            vocabulary: Vocabulary::default(),
            packed: Partitioned::default(),
            wide: Partitioned::default(),
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
        let mut add = |key: Key, n: u64| {
            let entry = totals.counts.entry(key).or_insert((0, 0));
            entry.0 += n;
            entry.1 += 1;
        };
        // This document's n-grams in the totals' word numbers, then counted once as a document.
        // One piece holds each of its n-grams once; several are gathered first.
        let single = pieces.len() == 1;
        let mut document: NgramMap<u64> = NgramMap::default();
        for piece in pieces {
            let (vocabulary, counts) = piece.into_counts();
            let to_total: Vec<u32> = vocabulary
                .words
                .iter()
                .map(|w| totals.vocabulary.id(w, spec))
                .collect();
            for (key, n) in counts {
                let key = key.map(|id| {
                    if id == UNUSED {
                        id
                    } else {
                        to_total[id as usize]
                    }
                });
                if single {
                    add(key, n);
                } else {
                    *document.entry(key).or_insert(0) += n;
                }
            }
        }
        for (key, n) in document {
            add(key, n);
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

    #[test]
    fn packed_keys_hold_three_words_numbered_below_the_limit() {
        let top = PACKED_IDS - 1;
        for gram in [&[0][..], &[5, 0], &[top, 0, top], &[1, 2, 3]] {
            let packed = pack(gram).expect("packs");
            assert_eq!(unpack(packed), wide(gram), "{gram:?}");
        }
        assert_eq!(pack(&[1, PACKED_IDS]), None);
        assert_eq!(pack(&[1, 2, 3, 4]), None);
        assert_ne!(pack(&[0, 0]), pack(&[0]));
    }

    /// Past two million word types the n-grams with the later words take the wide key: the
    /// counts are those of a vocabulary that never reached the limit.
    #[test]
    fn word_numbers_too_large_to_pack_take_the_wide_key() {
        let s = spec(1, 4);
        let texts = [
            "the local offer",
            "The local offer now, the LOCAL offer",
            "now local",
        ];
        let counted = |skipped: usize| {
            let mut counter = NgramCounter::new(&s, "a");
            counter.add_text(&s, texts[0]);
            // Words numbered from `skipped` on: "now" and every n-gram holding it.
            let vocabulary = &mut counter.vocabulary;
            vocabulary.words.resize(skipped, Box::default());
            vocabulary.flags.resize(skipped, 0);
            for text in &texts[1..] {
                counter.add_text(&s, text);
            }
            let wide = counter.wide.len_at_most();
            let mut totals = NgramTotals::default();
            NgramCounter::add_to(vec![counter], &s, &mut totals);
            let mut rows: Vec<_> = totals
                .ngrams(1, 1)
                .unwrap()
                .into_iter()
                .map(|g| (g.text, g.n, g.count))
                .collect();
            rows.sort();
            (rows, wide)
        };
        let (packed, four_grams) = counted(3);
        let (wide, with_now) = counted(PACKED_IDS as usize);
        assert_eq!(wide, packed);
        assert!(
            packed.contains(&("local offer now".into(), 3, 1)),
            "{packed:?}"
        );
        // N-grams counted with the wide key: only the four 4-grams when the words are numbered
        // low; with "now" numbered past the limit, also the eight other n-grams holding it.
        assert_eq!(four_grams, 4);
        assert_eq!(with_now, four_grams + 8);
    }

    /// A word of up to 16 bytes is found by its head, however it was written; longer ones by
    /// their text: each case-folded word has one number.
    #[test]
    fn a_word_has_one_number_however_it_is_looked_up() {
        let s = spec(1, 1);
        let mut counter = NgramCounter::new(&s, "a");
        // "\u{212a}ey" is KELVIN SIGN + "ey": not ASCII, folded to "key".
        counter.add_text(
            &s,
            "key KEY \u{212a}ey Multi-Agency-Working multi-agency-working straße STRASSE",
        );
        let vocabulary = &mut counter.vocabulary;
        assert_eq!(vocabulary.words.len(), 4, "{:?}", vocabulary.words);
        assert_eq!(vocabulary.id("key", &s), 0);
        assert_eq!(vocabulary.id("multi-agency-working", &s), 1);
        assert_eq!(vocabulary.id("straße", &s), 2);
        assert_eq!(vocabulary.id("strasse", &s), 3);
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
