//! Stage 3: word tokens, defined exactly as the counting rule the user reads in the README.
//!
//! A token is a maximal run of letters and digits (`char::is_alphanumeric`), in which runs joined
//! by a SINGLE internal hyphen `-` or apostrophe `'` followed by another letter or digit stay one
//! token: "co-operation", "parent's", "post-16" are one token each; "co--operation", "parents'"
//! and "- 16" are not joined. Normalisation has already turned dash and apostrophe variants
//! between letters into `-` and `'`, so only those two characters join.
//!
//! Written by hand rather than with UAX #29 word boundaries (`unicode-segmentation`, which `kwic`
//! uses for sentences): the counting rule is part of the method users cite, and UAX #29 differs
//! from it in ways that change counts — it keeps "e.g" and "3.5" together (MidNumLet), joins
//! "a_b" (ExtendNumLet), splits "co-operation" at the hyphen, and its apostrophe rules are not
//! symmetric. A short scanner states the rule exactly and runs without allocation; counting
//! finds tokens 64 bytes at a time ([`for_each_token`]).

/// Byte classes, looked up rather than range-tested in the hot loops.
const SEPARATOR: u8 = 0;
const ALNUM: u8 = 1;
const JOINER: u8 = 2;
/// First or continuation byte of a non-ASCII character: decode to classify.
const NON_ASCII: u8 = 3;

static CLASS: [u8; 256] = {
    let mut table = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte >= 0x80 {
            NON_ASCII
        } else if byte.is_ascii_alphanumeric() {
            ALNUM
        } else if byte == b'-' || byte == b'\'' {
            JOINER
        } else {
            SEPARATOR
        };
        b += 1;
    }
    table
};

/// Byte length of the non-ASCII character at `i` (a char boundary) and whether it is a letter
/// or digit.
#[cold]
#[inline(never)]
fn non_ascii_class_at(text: &str, i: usize) -> (bool, usize) {
    match text[i..].chars().next() {
        Some(c) => (c.is_alphanumeric(), c.len_utf8()),
        // Unreachable for a char boundary of a valid str; treated as a one-byte separator.
        None => (false, 1),
    }
}

/// Whether the character at `i` (a char boundary) is a letter or digit.
#[inline(always)]
fn is_word_at(text: &str, i: usize) -> bool {
    match CLASS[text.as_bytes()[i] as usize] {
        ALNUM => true,
        NON_ASCII => non_ascii_class_at(text, i).0,
        _ => false,
    }
}

/// End of the run of letters and digits starting at `i`.
#[inline(always)]
fn run_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match CLASS[bytes[i] as usize] {
            ALNUM => i += 1,
            NON_ASCII => {
                let (word, len) = non_ascii_class_at(text, i);
                if !word {
                    break;
                }
                i += len;
            }
            _ => break,
        }
    }
    i
}

/// Iterator over the byte spans `(start, end)` of the tokens of a text. Allocates nothing.
#[derive(Debug, Clone)]
pub struct TokenSpans<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for TokenSpans<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = self.pos;
        // Skip to the first letter or digit.
        loop {
            if i >= n {
                self.pos = n;
                return None;
            }
            match CLASS[bytes[i] as usize] {
                ALNUM => break,
                NON_ASCII => {
                    let (word, len) = non_ascii_class_at(text, i);
                    if word {
                        break;
                    }
                    i += len;
                }
                _ => i += 1,
            }
        }
        let start = i;
        i = run_end(text, i);
        // A single joiner followed by a letter or digit continues the token.
        while i + 1 < n && CLASS[bytes[i] as usize] == JOINER && is_word_at(text, i + 1) {
            i = run_end(text, i + 1);
        }
        self.pos = i;
        Some((start, i))
    }
}

impl<'a> TokenSpans<'a> {
    /// The tokens of `text` from byte offset `pos` (a character boundary) on.
    pub fn starting_at(text: &'a str, pos: usize) -> TokenSpans<'a> {
        TokenSpans { text, pos }
    }
}

/// The byte spans of the tokens of `text`, in order.
pub fn token_spans(text: &str) -> TokenSpans<'_> {
    TokenSpans { text, pos: 0 }
}

/// The number of tokens in `text` (the denominator of every rate). Same rule as
/// [`token_spans`]; see [`for_each_token`] for how it is computed.
pub fn count_tokens(text: &str) -> u64 {
    scan_tokens::<false>(text, None, |_, _| {})
}

/// Calls `f(start, end)` for each token of `text`, in order, and returns the number of tokens.
/// `start` is the byte offset at which the token starts: a letter or digit, unless the character
/// before it is one, or is a joiner that itself follows one — the rule of [`token_spans`]. `end`
/// is where it ends when that was found on the way (`Some`), else `None`: [`token_end`] finds it.
///
/// This is the hot loop of counting (every byte of a corpus passes through it), so it works 64
/// bytes at a time: for an all-ASCII window, bit masks of its letters/digits and joiners give
/// every token start and end at once (with SSE2 on x86-64), and only windows holding non-ASCII
/// characters are classified one character at a time.
pub fn for_each_token(text: &str, f: impl FnMut(usize, Option<usize>)) -> u64 {
    scan_tokens::<true>(text, None, f)
}

/// The end of the token starting at `start`: `known` if given (by [`for_each_token`]).
#[inline]
pub fn token_end(text: &str, start: usize, known: Option<usize>) -> usize {
    known.unwrap_or_else(|| {
        TokenSpans::starting_at(text, start)
            .next()
            .map_or(start, |(_, end)| end)
    })
}

/// A set of pairs of ASCII bytes (the first two bytes of tokens): bit `a << 7 | b`, 128 x 128.
pub type PairSet = [u64; 256];

/// Adds the pair of ASCII bytes `a`, `b` to `pairs`.
pub fn add_pair(pairs: &mut PairSet, a: u8, b: u8) {
    let pair = usize::from(a) << 7 | usize::from(b);
    pairs[pair / 64] |= 1 << (pair % 64);
}

/// Whether the pair of ASCII bytes `a`, `b` is in `pairs`.
#[inline(always)]
pub fn has_pair(pairs: &PairSet, a: u8, b: u8) -> bool {
    let pair = usize::from(a) << 7 | usize::from(b);
    pairs[pair / 64] >> (pair % 64) & 1 != 0
}

/// Most tokens of a text start with a letter, or a pair of letters, that no lexicon form
/// starts with ("can", "children" against "co-operate"): the tokens callers want by their
/// first two bytes and their length, so that the scan calls back for few tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstBytes {
    /// Bit `b`: a token whose ASCII-lower-cased first byte is `b` may be wanted.
    first: u128,
    /// Bit `a << 7 | b`: a token whose ASCII-lower-cased first two bytes are `a`, `b` may be
    /// wanted; `None` lets every second byte through.
    pairs: Option<Box<PairSet>>,
    /// Tokens shorter than this many bytes are not wanted either.
    min_len: usize,
}

impl FirstBytes {
    /// The first bytes among which `wanted` (indexed by ASCII-lower-cased byte) is true for
    /// ASCII bytes; ASCII tokens shorter than `min_len` bytes are not wanted. `None` when
    /// `wanted` marks a capital (it must be indexed by lower-cased bytes).
    pub fn from_table(wanted: &[bool; 256], min_len: usize) -> Option<FirstBytes> {
        let mut first = 0u128;
        for b in (0..0x80u8).filter(|&b| wanted[b as usize]) {
            if b.is_ascii_uppercase() {
                return None;
            }
            first |= 1 << b;
        }
        Some(FirstBytes {
            first,
            pairs: None,
            min_len,
        })
    }

    /// These first bytes, wanting also the first two bytes to be a pair of `pairs` (bit
    /// `a << 7 | b` for ASCII-lower-cased bytes `a`, `b`), which must hold every pair a wanted
    /// token can start with, joiners included. Ignored (every second byte passes) when tokens
    /// of one byte are wanted.
    pub fn with_pairs(mut self, pairs: &PairSet) -> FirstBytes {
        self.pairs = (self.min_len >= 2).then(|| Box::new(*pairs));
        self
    }

    /// Whether a token starting with the bytes `b0`, `b1` may be wanted (`b1` is the byte after
    /// `b0`, whatever it is; a non-ASCII byte may fold to anything).
    #[inline(always)]
    fn may_want(&self, b0: u8, b1: Option<u8>) -> bool {
        if b0 >= 0x80 {
            return true;
        }
        // `| 0x20` lower-cases the bytes of a token (letters, digits, joiners).
        let a = b0 | 0x20;
        if self.first >> a & 1 == 0 {
            return false;
        }
        match (&self.pairs, b1) {
            (Some(pairs), Some(b)) if b < 0x80 => has_pair(pairs, a, b | 0x20),
            _ => true,
        }
    }

    /// Whether the first two bytes are tested as a pair ([`FirstBytes::with_pairs`]).
    pub fn tests_pairs(&self) -> bool {
        self.pairs.is_some()
    }

    /// The tokens wanted by either `self` or `other` (for two counts made in one pass).
    pub fn union(&self, other: &FirstBytes) -> FirstBytes {
        let pairs = match (&self.pairs, &other.pairs) {
            (Some(a), Some(b)) => Some(Box::new(std::array::from_fn(|k| a[k] | b[k]))),
            _ => None,
        };
        FirstBytes {
            first: self.first | other.first,
            pairs,
            min_len: self.min_len.min(other.min_len),
        }
    }
}

/// The first [`Prefixes::LEN`] bytes a wanted ASCII token can start with (ASCII-lower-cased; a
/// shorter wanted token is its whole self), to reject most of the tokens a [`FirstBytes`] mask
/// lets through ("could", "including" against "co-operate", "information") before they are
/// folded and hashed: a comparison of one `u32` with a few sorted ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefixes {
    sorted: Vec<u32>,
    /// Joiners (`-`, `'`) are skipped on both sides: the prefix is of letters and digits.
    letters_only: bool,
}

impl Prefixes {
    pub const LEN: usize = 4;

    /// The prefixes of `words` (ASCII; each a wanted token, or the start of one at least
    /// [`Prefixes::LEN`] bytes long); with `letters_only`, of their letters and digits.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a [u8]>, letters_only: bool) -> Prefixes {
        let mut sorted: Vec<u32> = words
            .into_iter()
            .map(|w| Self::key(w, letters_only))
            .collect();
        sorted.sort_unstable();
        sorted.dedup();
        Prefixes {
            sorted,
            letters_only,
        }
    }

    /// Whether the ASCII `token` may be wanted: its prefix is one of these.
    #[inline]
    pub fn may_start(&self, token: &[u8]) -> bool {
        self.sorted
            .binary_search(&Self::key(token, self.letters_only))
            .is_ok()
    }

    /// The first [`Prefixes::LEN`] bytes of `bytes` (an ASCII token: letters, digits, joiners),
    /// ASCII-lower-cased, packed in a `u32` (zero bytes after a shorter word).
    #[inline]
    fn key(bytes: &[u8], letters_only: bool) -> u32 {
        // Of a token's bytes only capital letters lack 0x20, so one OR lower-cases all four.
        const LOWER: u32 = 0x2020_2020;
        if let Some(&head) = bytes.first_chunk::<4>()
            && !(letters_only && head.iter().any(|b| !b.is_ascii_alphanumeric()))
        {
            return u32::from_be_bytes(head) | LOWER;
        }
        let mut key = [0u8; Self::LEN];
        let kept = bytes
            .iter()
            .filter(|b| !letters_only || b.is_ascii_alphanumeric())
            .take(Self::LEN);
        for (slot, b) in key.iter_mut().zip(kept) {
            *slot = b.to_ascii_lowercase();
        }
        u32::from_be_bytes(key)
    }
}

/// As [`for_each_token`] (the count is of every token), but `f` is called only for tokens
/// whose first two bytes `first` may want (see [`FirstBytes`]), and, in windows of ASCII text,
/// that are not shorter than its minimum length. `f` must still check what it needs.
pub fn for_each_token_among(
    text: &str,
    first: &FirstBytes,
    f: impl FnMut(usize, Option<usize>),
) -> u64 {
    scan_tokens::<true>(text, Some(first), f)
}

#[inline(always)]
fn scan_tokens<const CALL: bool>(
    text: &str,
    first: Option<&FirstBytes>,
    mut f: impl FnMut(usize, Option<usize>),
) -> u64 {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut count = 0u64;
    // The previous character is a letter/digit (`word1`) or a joiner (`joiner1`); the one before
    // it is a letter/digit (`word2`).
    let (mut word1, mut joiner1, mut word2) = (false, false, false);
    let mut i = 0;
    // The last window of a text, padded with zero bytes (separators) to 64.
    let mut padded = [0u8; 64];
    while i < n {
        let window: Option<&[u8; 64]> = match bytes.get(i..i + 64) {
            Some(window) => Some(window.try_into().expect("64 bytes")),
            // Most blocks are a paragraph of a few hundred bytes: their tail is worth a window.
            None if n - i >= 8 => {
                padded[..n - i].copy_from_slice(&bytes[i..]);
                Some(&padded)
            }
            None => None,
        };
        if let Some(window) = window {
            let masks = window_masks(window);
            if masks.non_ascii == 0 {
                let (alnum, joiner) = (masks.alnum, masks.joiner);
                let before = alnum << 1 | u64::from(word1);
                let joiner_before = joiner << 1 | u64::from(joiner1);
                let two_before = alnum << 2 | u64::from(word1) << 1 | u64::from(word2);
                let starts = alnum & !before & !(joiner_before & two_before);
                count += u64::from(starts.count_ones());
                if CALL {
                    let ends = token_ends(alnum, joiner, bytes.get(i + 64), bytes.get(i + 65));
                    let mut rest = match first {
                        Some(first) => {
                            let long = starts & long_enough(alnum | joiner, first.min_len);
                            wanted_starts(first, long, window, bytes.get(i + 64).copied())
                        }
                        None => starts,
                    };
                    while rest != 0 {
                        let at = rest.trailing_zeros();
                        // The first token end at or after the start, if in this window.
                        let end = ends & (!0u64 << at);
                        let end = (end != 0).then(|| i + end.trailing_zeros() as usize + 1);
                        f(i + at as usize, end);
                        rest &= rest - 1;
                    }
                }
                word1 = alnum >> 63 != 0;
                joiner1 = joiner >> 63 != 0;
                word2 = alnum >> 62 & 1 != 0;
                i += 64;
                continue;
            }
        }
        // One character at a time to the end of this window (or a few bytes past it, to finish a
        // character), then try a whole window again.
        let end = (i + 64).min(n);
        while i < end {
            let (word, joiner, len) = match CLASS[bytes[i] as usize] {
                ALNUM => (true, false, 1),
                JOINER => (false, true, 1),
                NON_ASCII => {
                    let (word, len) = non_ascii_class_at(text, i);
                    (word, false, len)
                }
                _ => (false, false, 1),
            };
            if word && !word1 && !(joiner1 && word2) {
                count += 1;
                if CALL
                    && first.is_none_or(|first| first.may_want(bytes[i], bytes.get(i + 1).copied()))
                {
                    f(i, None);
                }
            }
            word2 = word1;
            word1 = word;
            joiner1 = joiner;
            i += len;
        }
    }
    count
}

/// The bits of `starts` (token starts in `window`) whose first two bytes `first` may want:
/// a table look-up each, branch-free. `next` is the byte after the window.
#[inline(always)]
fn wanted_starts(first: &FirstBytes, mut starts: u64, window: &[u8; 64], next: Option<u8>) -> u64 {
    let mut wanted = 0u64;
    while starts != 0 {
        let at = starts.trailing_zeros() as usize;
        let second = window.get(at + 1).copied().or(next);
        wanted |= u64::from(first.may_want(window[at], second)) << at;
        starts &= starts - 1;
    }
    wanted
}

/// Bit `k` set when byte `k` of a window is the last of a token: a letter or digit not followed
/// by one, nor by a joiner and one. `next` and `after` are the two bytes after the window (if
/// any); a non-ASCII one might be a letter, so no token is said to end before it (the caller
/// then finds the end itself).
#[inline(always)]
fn token_ends(alnum: u64, joiner: u64, next: Option<&u8>, after: Option<&u8>) -> u64 {
    let class = |b: Option<&u8>| b.map_or(SEPARATOR, |&b| CLASS[b as usize]);
    let (next, after) = (class(next), class(after));
    let word = |c: u8| u64::from(c == ALNUM || c == NON_ASCII);
    let followed_by_word = alnum >> 1 | word(next) << 63;
    let followed_by_joiner = joiner >> 1 | u64::from(next == JOINER) << 63;
    let word_two_after = alnum >> 2 | word(next) << 62 | word(after) << 63;
    alnum & !followed_by_word & !(followed_by_joiner & word_two_after)
}

/// Bit `k` set unless bits `k..k + len` of `token_bytes` (letters, digits, joiners) are not all
/// set, i.e. unless a token starting at `k` is certainly shorter than `len`. Near the end of the
/// window, where the next window would decide, bits stay set.
#[inline(always)]
fn long_enough(token_bytes: u64, len: usize) -> u64 {
    let mut mask = !0u64;
    for k in 1..len.min(64) {
        mask &= token_bytes >> k | !0u64 << (64 - k);
    }
    mask
}

/// Bit `k` of each mask describes byte `k` of a 64-byte window.
struct WindowMasks {
    /// ASCII letters and digits.
    alnum: u64,
    /// `-` and `'`.
    joiner: u64,
    /// Bytes >= 0x80.
    non_ascii: u64,
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn window_masks(window: &[u8; 64]) -> WindowMasks {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // Unsigned "x - lo < len" as a signed comparison: shift the range to start at -128.
    const fn shift(lo: u8) -> i8 {
        0x80u8.wrapping_sub(lo) as i8
    }
    const fn limit(len: i16) -> i8 {
        (-128 + len) as i8
    }
    let mut masks = WindowMasks {
        alnum: 0,
        joiner: 0,
        non_ascii: 0,
    };
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86-64 baseline; the load reads bytes 16k..16k+16 of a
        // 64-byte array, unaligned loads allowed.
        unsafe {
            let v = _mm_loadu_si128(window.as_ptr().add(16 * k).cast::<__m128i>());
            let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let letter = _mm_cmplt_epi8(
                _mm_add_epi8(lower, _mm_set1_epi8(shift(b'a'))),
                _mm_set1_epi8(limit(26)),
            );
            let digit = _mm_cmplt_epi8(
                _mm_add_epi8(v, _mm_set1_epi8(shift(b'0'))),
                _mm_set1_epi8(limit(10)),
            );
            let joiner = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\'' as i8)),
            );
            let bits = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16) << (16 * k);
            masks.alnum |= bits(_mm_or_si128(letter, digit));
            masks.joiner |= bits(joiner);
            masks.non_ascii |= bits(v);
        }
    }
    masks
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn window_masks(window: &[u8; 64]) -> WindowMasks {
    window_masks_portable(window)
}

/// The same masks one byte at a time (other architectures; and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn window_masks_portable(window: &[u8; 64]) -> WindowMasks {
    let mut masks = WindowMasks {
        alnum: 0,
        joiner: 0,
        non_ascii: 0,
    };
    for (k, &b) in window.iter().enumerate() {
        masks.alnum |= u64::from(b.is_ascii_alphanumeric()) << k;
        masks.joiner |= u64::from(b == b'-' || b == b'\'') << k;
        masks.non_ascii |= u64::from(b >= 0x80) << k;
    }
    masks
}

/// Appends the case-folded form of `s` used for all matching: full Unicode lower-casing, with
/// final sigma `ς` folded to `σ` so a form and its occurrence at the end of a word agree. ASCII
/// takes a fast path. `out` is reused by callers so matching allocates nothing per token.
#[inline]
pub fn push_folded(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.reserve(s.len());
        for b in s.bytes() {
            out.push(b.to_ascii_lowercase() as char);
        }
        return;
    }
    for c in s.chars() {
        for l in c.to_lowercase() {
            out.push(if l == 'ς' { 'σ' } else { l });
        }
    }
}

/// The case-folded form of `s` (see [`push_folded`]).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_folded(s, &mut out);
    out
}

/// Whether `c` is a token character (a letter or digit).
#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<&str> {
        token_spans(text).map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn joins_single_internal_hyphens_and_apostrophes() {
        assert_eq!(
            tokens("co-operation, the parent's post-16 offer"),
            ["co-operation", "the", "parent's", "post-16", "offer"]
        );
        assert_eq!(tokens("well-being-focused"), ["well-being-focused"]);
    }

    #[test]
    fn does_not_join_doubled_leading_or_trailing_joiners() {
        assert_eq!(tokens("co--operation"), ["co", "operation"]);
        assert_eq!(tokens("parents' views"), ["parents", "views"]);
        assert_eq!(tokens("-16 'quoted' pre-"), ["16", "quoted", "pre"]);
        assert_eq!(tokens("a - b"), ["a", "b"]);
    }

    #[test]
    fn splits_where_uax29_would_join() {
        assert_eq!(tokens("e.g. 3.5 a_b"), ["e", "g", "3", "5", "a", "b"]);
        // Only ASCII hyphen and apostrophe join: dashes are separators here (normalise turns
        // hyphen variants between letters into '-').
        assert_eq!(
            tokens("co\u{2013}operation parent\u{2019}s"),
            ["co", "operation", "parent", "s"]
        );
    }

    #[test]
    fn handles_non_ascii_letters_and_digits() {
        assert_eq!(
            tokens("naïve café-owner Ōsaka ½ ٣"),
            ["naïve", "café-owner", "Ōsaka", "½", "٣"]
        );
        assert_eq!(count_tokens(""), 0);
        assert_eq!(count_tokens("  ,;  "), 0);
        assert_eq!(count_tokens("one two-three four's"), 3);
    }

    #[test]
    fn count_tokens_agrees_with_token_spans() {
        let samples = [
            "",
            "-",
            "'",
            "a",
            "a-",
            "-a",
            "a-b",
            "a--b",
            "a-'b",
            "a'-b",
            "a- b",
            "a -b",
            "'a'",
            "é-é",
            "x-é",
            "é-x",
            "½-3",
            "co-operation parent's post-16",
            "a-b-c-",
            "--a--b--",
            "٣-٣ ",
            "a\u{2019}b",
            "e.g. 3.5 a_b",
            "naïve café-owner Ōsaka",
            "İNFORM ẞ",
            "a\u{300}b c\u{300}",
        ];
        for s in samples {
            assert_eq!(count_tokens(s), token_spans(s).count() as u64, "{s:?}");
        }
    }

    /// Random texts long enough to cross several 64-byte windows, mixing all-ASCII windows
    /// with windows holding non-ASCII letters, digits and punctuation at every offset.
    #[test]
    fn token_starts_agree_with_token_spans_on_random_texts() {
        let pieces = [
            "a", "Z", "7", "-", "'", " ", "\n", ".", "é", "½", "—", "•", "٣", "ab", "co-op", "--",
            "B", "O",
        ];
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let len = (next() % 400) as usize;
            let mut text = String::new();
            // Some texts are ASCII only, so whole windows take the fast path.
            let ascii_only = round % 3 == 0;
            while text.len() < len {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                if !ascii_only || piece.is_ascii() {
                    text.push_str(piece);
                }
            }
            let expected: Vec<usize> = token_spans(&text).map(|(s, _)| s).collect();
            let spans: Vec<(usize, usize)> = token_spans(&text).collect();
            let mut starts = Vec::new();
            let n = for_each_token(&text, |s, end| {
                starts.push(s);
                let e = token_end(&text, s, end);
                assert!(spans.contains(&(s, e)), "{text:?} {s} {end:?}");
            });
            assert_eq!(starts, expected, "{text:?}");
            assert_eq!(n, expected.len() as u64, "{text:?}");
            assert_eq!(count_tokens(&text), n, "{text:?}");
            // With first bytes: every token starting with one of them is among those passed on.
            let mut wanted = [false; 256];
            wanted[b'a' as usize] = true;
            wanted[b'7' as usize] = true;
            let first = FirstBytes::from_table(&wanted, 3).unwrap();
            let mut passed = Vec::new();
            assert_eq!(
                for_each_token_among(&text, &first, |s, _| passed.push(s)),
                n
            );
            let must: Vec<usize> = token_spans(&text)
                .filter(|&(s, e)| matches!(text.as_bytes()[s], b'a' | b'A' | b'7') && e - s >= 3)
                .map(|(s, _)| s)
                .collect();
            assert!(must.iter().all(|s| passed.contains(s)), "{text:?}");
            assert!(passed.iter().all(|s| expected.contains(s)), "{text:?}");
            // With pairs too ("ab", "a-", "7o", "7'"): every wanted token starting with one
            // of them is passed on, tokens crossing windows included.
            let wanted_pairs = [(b'a', b'b'), (b'a', b'-'), (b'7', b'o'), (b'7', b'\'')];
            let mut pairs = [0u64; 256];
            for (a, b) in wanted_pairs {
                add_pair(&mut pairs, a, b);
            }
            let both = first.clone().with_pairs(&pairs);
            let mut passed = Vec::new();
            assert_eq!(for_each_token_among(&text, &both, |s, _| passed.push(s)), n);
            // A token at the very end of the text may be let through.
            let pair_ok = |s: usize| match text.as_bytes().get(s + 1) {
                Some(b) => wanted_pairs.contains(&(text.as_bytes()[s] | 0x20, b | 0x20)),
                None => true,
            };
            let must_both: Vec<usize> = must.iter().copied().filter(|&s| pair_ok(s)).collect();
            assert!(must_both.iter().all(|s| passed.contains(s)), "{text:?}");
            assert!(passed.iter().all(|s| expected.contains(s)), "{text:?}");
            if ascii_only {
                // On ASCII text the pairs are tested exactly.
                assert!(passed.iter().all(|&s| pair_ok(s)), "{text:?}");
            }
        }
    }

    #[test]
    fn prefixes_pass_the_tokens_that_start_like_a_wanted_word() {
        let words: [&[u8]; 3] = [b"co-operate", b"inform", b"ehc"];
        let raw = Prefixes::new(words, false);
        for token in ["co-operation", "CO-OP", "Information", "informal", "EHC"] {
            assert!(raw.may_start(token.as_bytes()), "{token}");
        }
        // A shorter token is wanted only if it is a whole wanted word.
        for token in ["cooperate", "co", "inf", "ehcp", "eh", "could"] {
            assert!(!raw.may_start(token.as_bytes()), "{token}");
        }
        let letters = Prefixes::new(words, true);
        for token in ["cooperate", "co-operate", "c-o-o-p", "in-form"] {
            assert!(letters.may_start(token.as_bytes()), "{token}");
        }
        assert!(!letters.may_start(b"co-ordinate"));
    }

    #[test]
    fn window_masks_agree_with_the_portable_version() {
        for first in (0..=255u8).step_by(64) {
            let window: [u8; 64] = std::array::from_fn(|k| first.wrapping_add(k as u8));
            let fast = window_masks(&window);
            let slow = window_masks_portable(&window);
            assert_eq!(
                (fast.alnum, fast.joiner, fast.non_ascii),
                (slow.alnum, slow.joiner, slow.non_ascii)
            );
        }
    }

    #[test]
    fn folds_case_fully() {
        assert_eq!(fold("Co-Operation"), "co-operation");
        assert_eq!(fold("ΟΔΟΣ"), "οδοσ");
        assert_eq!(fold("ὁδός"), "ὁδόσ");
        assert_eq!(
            fold("İstanbul").chars().count(),
            "istanbul".chars().count() + 1
        );
        assert_eq!(fold("STRASSE ẞ"), "strasse ß");
    }
}
