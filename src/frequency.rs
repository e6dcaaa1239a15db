//! Stage 5, every word: how often each word type occurs, for `termtally words` (a frequency
//! list) and `termtally diff --all-words`.
//!
//! A word type is a token as [`crate::tokenise`] defines it, case-folded as matching folds it
//! ("Co-operation" and "co-operation" are one type). The counts of all types add up to the token
//! count that `count` divides by.
//!
//! Each type also keeps how it was written ([`Capitals`]), so that word lists can leave out
//! proper nouns — the names of places, councils, people and months that otherwise top a
//! comparison of reports about different areas — judged from the text itself.

use hashbrown::HashTable;
use rayon::prelude::*;

use crate::document::Document;
use crate::tokenise::{for_each_token, push_folded, token_end};

/// Occurrences of each case-folded word type.
///
/// A hash table of words, for the loop that looks up every token of a corpus: a word of up to
/// 16 bytes is kept, hashed and compared as two machine words, and an ASCII token is lower-cased
/// in those two words without being copied. Measured on 1 GiB of guidance text, `termtally
/// words` took 2.56 s instead of 2.98 s with a `HashMap<Box<str>, u64>` and FxHash (whose string
/// hashing and `memcmp` calls were a third of its time). Longer words are kept whole.
#[derive(Debug, Clone, Default)]
pub struct WordCounts {
    table: HashTable<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    hash: u64,
    key: Key,
    count: u64,
    capitals: Capitals,
}

/// How a word type's occurrences were written: the evidence for telling a proper noun
/// ("Dorset", written with a capital wherever it stands) from a common word ("local", capital
/// only at the start of a sentence or in a title-case heading) or an acronym ("SEND").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capitals {
    /// Occurrences whose first letter is a capital, anywhere (the others are lower case, or
    /// start with a digit or a letter without case).
    pub capital_first: u64,
    /// Occurrences inside a sentence (see [`inside_sentence`]) written title case: a capital
    /// then a lower-case letter ("Dorset", "McDonald", "Co-operation").
    pub title_inside: u64,
    /// Occurrences inside a sentence written with a capital not followed by a lower-case
    /// letter: acronyms ("SEND", "EHCPs", "A").
    pub caps_inside: u64,
    /// Lower-case occurrences right after `.`, `/` or `@`: parts of web and e-mail addresses
    /// ("enquiries@ofsted.gov.uk"), which are lower case whatever the word.
    pub lower_in_address: u64,
}

/// The share of title-case occurrences that makes a proper noun (see [`Capitals::is_proper_noun`]).
pub const PROPER_NOUN_SHARE: f64 = 0.9;

impl Capitals {
    fn add(&mut self, other: Capitals) {
        self.capital_first += other.capital_first;
        self.title_inside += other.title_inside;
        self.caps_inside += other.caps_inside;
        self.lower_in_address += other.lower_in_address;
    }

    /// The capitals of two tallies together.
    pub fn plus(mut self, other: Capitals) -> Capitals {
        self.add(other);
        self
    }

    /// Whether a type of `count` occurrences written so is a proper noun: title case in at least
    /// 90% of the occurrences that say something about it — those inside a sentence written
    /// title case or in capitals, and every lower-case occurrence wherever it stands, except in
    /// web and e-mail addresses. A word at the start of a sentence is capitalised whatever it
    /// is, and one in an address is lower case whatever it is, so neither is evidence; an
    /// acronym in capitals ("SEND", "EHC") is evidence against, so acronyms stay in word lists.
    pub fn is_proper_noun(&self, count: u64) -> bool {
        let lower = count.saturating_sub(self.capital_first + self.lower_in_address);
        let evidence = self.title_inside + self.caps_inside + lower;
        self.title_inside > 0 && self.title_inside as f64 >= PROPER_NOUN_SHARE * evidence as f64
    }
}

/// Whether the token starting at `start` stands inside a sentence: there is a token before it in
/// the same text (`previous`, its span) that is a word rather than a number ("4.9 Local" starts
/// a paragraph), and between the two only spaces and punctuation that does not end a sentence
/// or open a quotation (commas, brackets, dashes, closing quotes, `/`, `&`). A full stop, colon,
/// semicolon, question or exclamation mark, line break, bullet, opening quote or `/`
/// ("HMI/Ofsted", "gov.uk/Ofsted") starts afresh.
pub fn inside_sentence(text: &str, start: usize, previous: Option<(usize, usize)>) -> bool {
    let Some((prev_start, prev_end)) = previous else {
        return false;
    };
    text[prev_start..prev_end].chars().any(char::is_alphabetic)
        && text[prev_end..start].chars().all(|c| {
            matches!(
                c,
                ' ' | '\t'
                    | '\u{a0}'
                    | ','
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '\''
                    | '’'
                    | '”'
                    | '-'
                    | '–'
                    | '—'
                    | '&'
            )
        })
}

/// Whether the byte before `start` glues the token to an address: `.`, `/` or `@`.
#[inline(always)]
fn after_address_mark(bytes: &[u8], start: usize) -> bool {
    start > 0 && matches!(bytes[start - 1], b'.' | b'/' | b'@')
}

/// The capitals of one occurrence: the token `text[start..end]`, after the token `previous`.
fn capitals_of(text: &str, start: usize, end: usize, previous: Option<(usize, usize)>) -> Capitals {
    let mut chars = text[start..end].chars();
    let first = chars.next();
    if !first.is_some_and(char::is_uppercase) {
        let in_address =
            first.is_some_and(char::is_lowercase) && after_address_mark(text.as_bytes(), start);
        return Capitals {
            lower_in_address: u64::from(in_address),
            ..Capitals::default()
        };
    }
    let mut capitals = Capitals {
        capital_first: 1,
        ..Capitals::default()
    };
    if inside_sentence(text, start, previous) {
        if chars.next().is_some_and(char::is_lowercase) {
            capitals.title_inside = 1;
        } else {
            capitals.caps_inside = 1;
        }
    }
    capitals
}

/// A word as the table keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    /// The first 16 bytes, zero-padded.
    head: [u8; 16],
    len: usize,
    /// The whole word, when longer than 16 bytes.
    long: Option<Box<str>>,
}

/// The first 16 bytes of a word, zero-padded, as two little-endian words, and its length: the
/// whole key of a short word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    words: [u64; 2],
    len: usize,
}

impl Head {
    pub(crate) fn of(bytes: &[u8]) -> Head {
        let mut head = [0u8; 16];
        let n = bytes.len().min(16);
        head[..n].copy_from_slice(&bytes[..n]);
        Head::from_padded(&head, bytes.len())
    }

    fn from_padded(head: &[u8; 16], len: usize) -> Head {
        let (lo, hi) = head.split_at(8);
        Head {
            words: [
                u64::from_le_bytes(lo.try_into().expect("8 bytes")),
                u64::from_le_bytes(hi.try_into().expect("8 bytes")),
            ],
            len,
        }
    }

    /// The hash of a word of at most 16 bytes.
    pub(crate) fn hash(self) -> u64 {
        mix(self.words[0], self.words[1] ^ (self.len as u64) << 56)
    }
}

/// A folded multiply: a fast mixing step with good high and low bits (as in wyhash/foldhash).
#[inline(always)]
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let product =
        u128::from(a ^ 0x243f_6a88_85a3_08d3).wrapping_mul(u128::from(b ^ 0x1319_8a2e_0370_7344));
    (product >> 64) as u64 ^ product as u64
}

impl Key {
    fn new(word: &str) -> Key {
        let bytes = word.as_bytes();
        let mut head = [0u8; 16];
        let n = bytes.len().min(16);
        head[..n].copy_from_slice(&bytes[..n]);
        Key {
            head,
            len: bytes.len(),
            long: (bytes.len() > 16).then(|| word.into()),
        }
    }

    fn head(&self) -> Head {
        Head::from_padded(&self.head, self.len)
    }

    fn as_str(&self) -> &str {
        match &self.long {
            Some(long) => long,
            // A short key's head is its whole text, which was a str.
            None => std::str::from_utf8(&self.head[..self.len]).unwrap_or_default(),
        }
    }
}

/// The hash of any word (the same as [`Head::hash`] for words of at most 16 bytes).
fn hash_word(bytes: &[u8]) -> u64 {
    let mut h = Head::of(bytes).hash();
    if bytes.len() > 16 {
        for piece in bytes[16..].chunks(8) {
            let mut word = [0u8; 8];
            word[..piece.len()].copy_from_slice(piece);
            h = mix(h, u64::from_le_bytes(word));
        }
    }
    h
}

impl WordCounts {
    /// Adds `n` occurrences of `word` (already case-folded).
    pub fn add(&mut self, word: &str, n: u64) {
        self.add_written(word, n, Capitals::default());
    }

    /// Adds `n` occurrences of `word` (already case-folded) written as `capitals` says.
    fn add_written(&mut self, word: &str, n: u64, capitals: Capitals) {
        let bytes = word.as_bytes();
        if bytes.len() <= 16 {
            self.add_short(Head::of(bytes), n, capitals);
            return;
        }
        let hash = hash_word(bytes);
        let found = self
            .table
            .find_mut(hash, |e| e.key.long.as_deref() == Some(word));
        match found {
            Some(entry) => {
                entry.count += n;
                entry.capitals.add(capitals);
            }
            None => {
                self.table.insert_unique(
                    hash,
                    Entry {
                        hash,
                        key: Key::new(word),
                        count: n,
                        capitals,
                    },
                    |e| e.hash,
                );
            }
        }
    }

    /// Adds `n` occurrences of the word of at most 16 bytes whose head is `head`.
    #[inline]
    fn add_short(&mut self, head: Head, n: u64, capitals: Capitals) {
        let hash = head.hash();
        let found = self.table.find_mut(hash, |e| {
            e.key.len == head.len && e.key.long.is_none() && e.key.head() == head
        });
        match found {
            Some(entry) => {
                entry.count += n;
                entry.capitals.add(capitals);
            }
            None => {
                let [lo, hi] = head.words;
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&lo.to_le_bytes());
                bytes[8..].copy_from_slice(&hi.to_le_bytes());
                let key = Key {
                    head: bytes,
                    len: head.len,
                    long: None,
                };
                self.table.insert_unique(
                    hash,
                    Entry {
                        hash,
                        key,
                        count: n,
                        capitals,
                    },
                    |e| e.hash,
                );
            }
        }
    }

    /// The count of `word` (case-folded), if it occurs.
    pub fn get(&self, word: &str) -> Option<u64> {
        let hash = hash_word(word.as_bytes());
        self.table
            .find(hash, |e| e.key.as_str() == word)
            .map(|e| e.count)
    }

    /// How the occurrences of `word` (case-folded) were written (all zero if it does not occur).
    pub fn capitals(&self, word: &str) -> Capitals {
        let hash = hash_word(word.as_bytes());
        self.table
            .find(hash, |e| e.key.as_str() == word)
            .map_or_else(Capitals::default, |e| e.capitals)
    }

    /// Whether `word` (case-folded) is a proper noun by how it was written here
    /// ([`Capitals::is_proper_noun`]).
    pub fn is_proper_noun(&self, word: &str) -> bool {
        let hash = hash_word(word.as_bytes());
        self.table
            .find(hash, |e| e.key.as_str() == word)
            .is_some_and(|e| e.capitals.is_proper_noun(e.count))
    }

    /// The number of word types.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every word type and its count, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.table.iter().map(|e| (e.key.as_str(), e.count))
    }

    /// Every word type, its count and how it was written, in no particular order.
    pub fn iter_written(&self) -> impl Iterator<Item = (&str, u64, Capitals)> {
        self.table
            .iter()
            .map(|e| (e.key.as_str(), e.count, e.capitals))
    }

    /// The number of tokens: all counts added up.
    pub fn total(&self) -> u64 {
        self.table.iter().map(|e| e.count).sum()
    }
}

impl PartialEq for WordCounts {
    fn eq(&self, other: &WordCounts) -> bool {
        self.len() == other.len()
            && self.iter_written().all(|(word, n, capitals)| {
                other.get(word) == Some(n) && other.capitals(word) == capitals
            })
    }
}

/// Lower-cases the ASCII letters of eight ASCII bytes at once.
#[inline(always)]
fn ascii_lower(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Each byte is below 0x80, so these additions never carry into the next byte: the top bit
    // of a byte says whether it was >= 'A', resp. > 'Z'.
    let at_least_a = x.wrapping_add(ONES * (0x80 - u64::from(b'A')));
    let above_z = x.wrapping_add(ONES * (0x80 - u64::from(b'Z') - 1));
    let upper = at_least_a & !above_z & (ONES * 0x80);
    x | upper >> 2
}

/// The [`Head`] of the token `bytes[start..end]` case-folded, if it is ASCII and at most 16
/// bytes long: read from the text as two machine words and lower-cased in them, without copying
/// the token. Equal to `Head::of` of the folded token.
#[inline(always)]
pub(crate) fn ascii_folded_head(bytes: &[u8], start: usize, end: usize) -> Option<Head> {
    let len = end - start;
    if len > 16 {
        return None;
    }
    // The 16 bytes from the token's start, masked to its length.
    let head = match bytes.get(start..start + 16) {
        Some(window) => {
            let mut head = [0u8; 16];
            head.copy_from_slice(window);
            let mut head = Head::from_padded(&head, len);
            let keep = |bytes: usize| match bytes {
                0 => 0,
                8.. => !0u64,
                n => (1u64 << (8 * n)) - 1,
            };
            head.words[0] &= keep(len);
            head.words[1] &= keep(len.saturating_sub(8));
            head
        }
        None => Head::of(&bytes[start..end]),
    };
    ((head.words[0] | head.words[1]) & 0x8080_8080_8080_8080 == 0).then(|| Head {
        words: [ascii_lower(head.words[0]), ascii_lower(head.words[1])],
        len,
    })
}

/// Adds every token of `text` to `counts` and returns the number of tokens. `folded` is a buffer
/// reused across calls. An ASCII token of up to 16 bytes is lower-cased and looked up without
/// being copied; other tokens are case-folded into `folded` first. Only a type not seen before
/// allocates (and only if longer than 16 bytes). Only tokens with a capital first letter have
/// their [`Capitals`] worked out.
pub fn add_words(text: &str, counts: &mut WordCounts, folded: &mut String) -> u64 {
    let bytes = text.as_bytes();
    let mut previous: Option<(usize, usize)> = None;
    for_each_token(text, |start, end| {
        let end = token_end(text, start, end);
        let before = previous.replace((start, end));
        if let Some(head) = ascii_folded_head(bytes, start, end) {
            let capitals = if bytes[start].is_ascii_uppercase() || after_address_mark(bytes, start)
            {
                capitals_of(text, start, end, before)
            } else {
                Capitals::default()
            };
            counts.add_short(head, 1, capitals);
            return;
        }
        folded.clear();
        push_folded(&text[start..end], folded);
        counts.add_written(folded, 1, capitals_of(text, start, end, before));
    })
}

/// Counts every word type of `docs`, blocks in parallel.
pub fn word_counts(docs: &[Document]) -> WordCounts {
    docs.par_iter()
        .flat_map(|doc| doc.blocks.par_iter().with_min_len(256))
        .fold(
            || (WordCounts::default(), String::new()),
            |(mut counts, mut folded), block| {
                add_words(&block.text, &mut counts, &mut folded);
                (counts, folded)
            },
        )
        .map(|(counts, _)| counts)
        .reduce(WordCounts::default, merge)
}

/// The counts of `a` and `b` added up (the smaller is added into the larger).
pub fn merge(a: WordCounts, b: WordCounts) -> WordCounts {
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    for (word, n, capitals) in small.iter_written() {
        big.add_written(word, n, capitals);
    }
    big
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::text_document;

    #[test]
    fn word_types_are_case_folded_tokens_and_add_up_to_the_token_count() {
        let d = text_document(
            "d",
            &[
                "the The THE co-operation Co-operation parent's",
                "Straße STRASSE straße ṣ 2014 post-16",
            ],
        );
        let counts = word_counts(std::slice::from_ref(&d));
        assert_eq!(counts.get("the"), Some(3));
        assert_eq!(counts.get("co-operation"), Some(2));
        assert_eq!(counts.get("parent's"), Some(1));
        assert_eq!(counts.get("straße"), Some(2));
        assert_eq!(counts.get("strasse"), Some(1));
        assert_eq!(counts.get("post-16"), Some(1));
        let tokens: u64 = d
            .blocks
            .iter()
            .map(|b| crate::tokenise::count_tokens(&b.text))
            .sum();
        assert_eq!(counts.total(), tokens);
    }

    /// The table against a plain `HashMap` of folded tokens, on random texts with words of every
    /// length around the 8- and 16-byte boundaries, in every case, at the very end of a text.
    #[test]
    fn word_table_agrees_with_a_hash_map_of_folded_tokens() {
        let pieces = [
            "a",
            "IT",
            "inform",
            "Informed",
            "ABCDEFGH",
            "abcdefgh",
            "abcdefghi",
            "Co-operation",
            "Zz",
            "AZAZAZAZAZAZ",
            "collaboratively",
            "COLLABORATIVELY",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "multi-agency-working-arrangements",
            "Straße",
            "ÉCOLE",
            "naïve",
            "½",
            "2014",
            " ",
            "  ",
            ", ",
            "\n",
            "-",
            "'",
            "@",
            "[",
            "`",
            "{",
        ];
        let mut next = crate::testing::xorshift(0x0123_4567_89AB_CDEF);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(next() % 60) {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let mut counts = WordCounts::default();
            let mut folded = String::new();
            let n = add_words(&text, &mut counts, &mut folded);
            let mut expected: std::collections::HashMap<String, u64> = Default::default();
            for (s, e) in crate::tokenise::token_spans(&text) {
                *expected
                    .entry(crate::tokenise::fold(&text[s..e]))
                    .or_default() += 1;
            }
            assert_eq!(n, expected.values().sum::<u64>(), "{text:?}");
            assert_eq!(counts.len(), expected.len(), "{text:?}");
            for (word, &count) in &expected {
                assert_eq!(counts.get(word), Some(count), "{text:?} {word:?}");
            }
            let mut listed: Vec<(&str, u64)> = counts.iter().collect();
            listed.sort();
            let mut wanted: Vec<(&str, u64)> =
                expected.iter().map(|(w, &c)| (w.as_str(), c)).collect();
            wanted.sort();
            assert_eq!(listed, wanted, "{text:?}");
        }
    }

    fn written(text: &str) -> WordCounts {
        word_counts(std::slice::from_ref(&text_document("d", &[text])))
    }

    #[test]
    fn capitals_inside_sentences_tell_proper_nouns_from_common_words() {
        let counts = written(
            "Leaders in Dorset work with parents. Dorset has a plan, and in North Dorset (and \
             Dorset) the SEND team meets. Local leaders: local plans. The local area's SEND \
             services; send it. 4.9 Partnership is new. Children and Families Act.",
        );
        let c = counts.capitals("dorset");
        // "Dorset has" starts a sentence: capitalised, but no evidence.
        assert_eq!(
            c,
            Capitals {
                capital_first: 4,
                title_inside: 3,
                caps_inside: 0,
                lower_in_address: 0,
            }
        );
        assert!(counts.is_proper_noun("dorset"));
        // "Local" after a colon and at a sentence start is no evidence; "local" is.
        assert_eq!(counts.capitals("local").title_inside, 0);
        assert!(!counts.is_proper_noun("local"));
        // An acronym in capitals is evidence against, even with one lower-case "send".
        assert_eq!(counts.capitals("send").caps_inside, 2);
        assert!(!counts.is_proper_noun("send"));
        // After a paragraph number, a capital starts a heading.
        assert_eq!(counts.capitals("partnership").title_inside, 0);
        assert!(!counts.is_proper_noun("partnership"));
        assert!(counts.is_proper_noun("north") && counts.is_proper_noun("families"));
        assert!(!counts.is_proper_noun("parents") && !counts.is_proper_noun("4"));
    }

    #[test]
    fn addresses_are_no_evidence() {
        let counts = written(
            "Write to Ofsted at enquiries@ofsted.gov.uk or see www.gov.uk/ofsted and \
             https://reports.ofsted.gov.uk/ (HMI/Ofsted).",
        );
        let c = counts.capitals("ofsted");
        assert_eq!(
            (c.lower_in_address, c.title_inside, c.capital_first),
            (3, 1, 2)
        );
        assert!(counts.is_proper_noun("ofsted"));
        assert!(!counts.is_proper_noun("gov") && !counts.is_proper_noun("uk"));
    }

    #[test]
    fn the_proper_noun_share_is_ninety_percent() {
        let capitals = Capitals {
            capital_first: 9,
            title_inside: 9,
            caps_inside: 0,
            lower_in_address: 0,
        };
        // 9 title case inside sentences, 1 lower case: 90%.
        assert!(capitals.is_proper_noun(10));
        // 9 of 11.
        assert!(!capitals.is_proper_noun(11));
        assert!(!Capitals::default().is_proper_noun(5));
    }

    #[test]
    fn capitals_are_kept_for_long_and_non_ascii_words_and_through_merges() {
        let text = "in Northamptonshire-upon-Avon and in Île-de-France, the île";
        let counts = written(text);
        assert!(counts.is_proper_noun("northamptonshire-upon-avon"));
        // A non-ASCII capital ("Île") is classified like an ASCII one.
        assert_eq!(counts.capitals("île-de-france").title_inside, 1);
        assert!(counts.is_proper_noun("île-de-france") && !counts.is_proper_noun("île"));
        let merged = merge(written(text), written("the Île-de-France region"));
        assert_eq!(merged.capitals("île-de-france").title_inside, 2);
        assert_eq!(merged.capitals("île-de-france").capital_first, 2);
    }

    #[test]
    fn counts_do_not_depend_on_how_the_text_is_divided() {
        // Long enough for the 64-byte windows of the tokeniser, with non-ASCII in some of them.
        let text = "Information sharing: the local authority MUST inform parents. ".repeat(40)
            + &"Co-operation — naïve café-owner’s ½ ".repeat(20);
        let whole = word_counts(std::slice::from_ref(&text_document("d", &[&text])));
        let pieces: Vec<&str> = text.split_inclusive(". ").collect();
        let parts = word_counts(std::slice::from_ref(&text_document("d", &pieces)));
        assert_eq!(whole, parts);
        assert_eq!(whole.get("information"), Some(40));
        assert_eq!(whole.get("must"), Some(40));
    }
}
