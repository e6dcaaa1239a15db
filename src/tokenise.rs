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
//! symmetric. A twenty-line scanner states the rule exactly and runs without allocation.

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

/// The byte spans of the tokens of `text`, in order.
pub fn token_spans(text: &str) -> TokenSpans<'_> {
    TokenSpans { text, pos: 0 }
}

/// The number of tokens in `text` (the denominator of every rate). Same rule as
/// [`token_spans`], as a one-pass state machine: a token starts at a letter or digit unless it
/// follows one, directly or across a single joiner.
pub fn count_tokens(text: &str) -> u64 {
    #[derive(PartialEq)]
    enum Prev {
        Word,
        JoinerAfterWord,
        Other,
    }
    let bytes = text.as_bytes();
    let mut prev = Prev::Other;
    let mut count = 0u64;
    let mut i = 0;
    while i < bytes.len() {
        let word = match CLASS[bytes[i] as usize] {
            ALNUM => {
                i += 1;
                true
            }
            JOINER => {
                i += 1;
                prev = if prev == Prev::Word {
                    Prev::JoinerAfterWord
                } else {
                    Prev::Other
                };
                continue;
            }
            NON_ASCII => {
                let (word, len) = non_ascii_class_at(text, i);
                i += len;
                word
            }
            _ => {
                i += 1;
                false
            }
        };
        if word {
            count += u64::from(prev == Prev::Other);
            prev = Prev::Word;
        } else {
            prev = Prev::Other;
        }
    }
    count
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
