//! Stage 2: the one place text is cleaned, for every format alike, so that a PDF and a DOCX of
//! the same text give the same tokens.
//!
//! In order:
//! 1. Characters: Unicode NFKC (ligatures such as U+FB01 "ﬁ" become "fi", no-break spaces become
//!    spaces), soft hyphens removed, typographic apostrophes made `'`, and hyphen and dash
//!    variants *between letters* made `-` (a spaced dash "a – b" is punctuation and stays).
//! 2. Running headers and footers: lines at the top or bottom of a page that repeat (numbers
//!    aside) on at least [`RUNNING_MIN_SHARE`] of the pages, and bare page numbers there, are
//!    removed (a line that occurs twice on its own page is content); the page number stays as
//!    each block's metadata.
//! 3. Line-end hyphenation: "co-" + "operation" at a line break becomes the word the document
//!    uses, decided from evidence elsewhere in the same document (see [`HyphenEvidence`]).
//! 4. White space collapsed: each block becomes one line.

use rustc_hash::FxHashMap;

use rayon::prelude::*;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

use crate::document::{Block, Document};
use crate::tokenise::{FirstBytes, for_each_token, for_each_token_among, token_end};

/// Share of pages on which a top/bottom line must recur to count as a running header/footer.
pub const RUNNING_MIN_SHARE: f64 = 0.4;
/// Longest line, in bytes, that can be a running header or footer.
const MAX_RUNNING_LINE: usize = 200;
/// How many lines at the top and at the bottom of a page may be running headers or footers.
const EDGE_LINES: usize = 3;

/// Choices a user can make about cleaning.
#[derive(Debug, Clone, Copy, Default)]
pub struct NormaliseOptions {
    /// Keep running headers, footers and bare page numbers (to see exactly what the PDF says).
    pub keep_running_lines: bool,
}

/// Normalises an extracted document with the default options.
pub fn normalise(doc: Document) -> Document {
    normalise_with(doc, NormaliseOptions::default())
}

/// Normalises an extracted document.
pub fn normalise_with(mut doc: Document, options: NormaliseOptions) -> Document {
    // Blocks are independent in steps 1 and 4: a large document uses every core. Most blocks
    // of a large plain-text corpus are already clean, and are left untouched.
    // Each block's lines are looked at once, for the hyphenation evidence and for the joining:
    // a plain block (the usual `pdftotext` paragraph) in the same pass that finds it plain, so
    // it is read once and not copied.
    let mut shapes: Vec<Lines> = doc
        .blocks
        .par_iter_mut()
        .with_min_len(256)
        .map(|block| {
            let scan = Scan::of(block.text.as_bytes());
            if scan.plain {
                return Lines::of_scan(block.text.as_bytes(), scan);
            }
            block.text = normalise_characters(&block.text);
            Lines::of(&block.text)
        })
        .collect();
    // Blocks whose text steps 2 and 3 change are looked at again.
    let mut changed = Vec::new();
    if !options.keep_running_lines {
        changed = remove_running_lines(&mut doc.blocks);
    }
    // Kept running lines stand between a page's last paragraph and the next page's first.
    let continued = if doc.format == crate::document::Format::Pdf && !options.keep_running_lines {
        join_across_pages(&mut doc.blocks, &mut changed)
    } else {
        Vec::new()
    };
    for b in changed {
        shapes[b] = Lines::of(&doc.blocks[b].text);
    }
    let evidence = HyphenEvidence::from_blocks(&doc.blocks, |i| shapes[i]);
    doc.blocks
        .par_iter_mut()
        .zip(shapes)
        .with_min_len(256)
        .for_each(|(block, lines)| evidence.join_block(&mut block.text, lines));
    place_page_breaks(&mut doc.blocks, continued, &evidence);
    doc.blocks.retain(|b| !b.text.is_empty());
    crate::headings::carry(&mut doc.blocks);
    doc
}

/// A paragraph continued from one page on the next: the block it was joined into, and for
/// each later page its number and the raw text from that page's start to the block's end.
struct Continued {
    block: usize,
    tails: Vec<(u32, String)>,
}

/// Joins each paragraph that runs on over a page break into the block it starts in (after the
/// running headers and footers are removed, before line-end hyphenation is repaired, so a word
/// hyphenated at the foot of the page is repaired like any other). A page's last block runs on
/// when it does not end a sentence and the next page's first block starts in lower case (or the
/// last word is hyphenated); footnotes (a note number first, no paragraph number) and headings
/// are passed over. The later block is emptied (and dropped with the other empty blocks).
fn join_across_pages(blocks: &mut [Block], changed: &mut Vec<usize>) -> Vec<Continued> {
    let mut continued: Vec<Continued> = Vec::new();
    // The block a page's last text was joined into, for a paragraph over three pages or more.
    let mut carried: Option<(u32, usize)> = None;
    for next in 0..blocks.len() {
        let Some(page) = blocks[next].page else {
            return continued; // unpaged formats have no page breaks
        };
        if blocks[next].text.is_empty() || !first_on_page(blocks, next) {
            continue;
        }
        let last = last_body_block(blocks, next)
            .or(carried.filter(|&(p, _)| p + 1 == page).map(|(_, b)| b));
        let Some(last) = last else { continue };
        if !runs_on_to(&blocks[last].text, &blocks[next].text)
            || blocks[next].heading_level.is_some()
            || blocks[next].section.is_some()
        {
            continue;
        }
        let tail = std::mem::take(&mut blocks[next].text);
        blocks[last].text.push('\n');
        blocks[last].text.push_str(&tail);
        changed.extend([last, next]);
        carried = Some((page, last));
        let entry = match continued.iter().position(|c| c.block == last) {
            Some(k) => &mut continued[k],
            None => {
                continued.push(Continued {
                    block: last,
                    tails: Vec::new(),
                });
                continued.last_mut().expect("just pushed")
            }
        };
        for (_, t) in &mut entry.tails {
            t.push('\n');
            t.push_str(&tail);
        }
        entry.tails.push((page, tail));
    }
    continued
}

/// Whether block `i` is the first non-empty block of its page (the previous non-empty block
/// is on an earlier page: the page before, or, when that page's text was all joined into an
/// earlier block, the page that block starts on).
fn first_on_page(blocks: &[Block], i: usize) -> bool {
    let previous = (0..i).rev().find(|&j| !blocks[j].text.is_empty());
    matches!(
        (previous.and_then(|j| blocks[j].page), blocks[i].page),
        (Some(a), Some(b)) if b > a
    )
}

/// The last block before `next` that a paragraph could run on from: on the page before
/// `next`'s, not empty, not a footnote, not a heading.
fn last_body_block(blocks: &[Block], next: usize) -> Option<usize> {
    let page = blocks[next].page?.checked_sub(1)?;
    (0..next)
        .rev()
        .take_while(|&j| blocks[j].page == Some(page) || blocks[j].text.is_empty())
        .filter(|&j| !blocks[j].text.is_empty() && blocks[j].page == Some(page))
        .find(|&j| {
            let text = blocks[j].text.trim_start();
            let footnote =
                text.starts_with(|c: char| c.is_ascii_digit()) && blocks[j].section.is_none();
            !footnote
        })
        .filter(|&j| blocks[j].heading_level.is_none())
}

/// Whether text `before` (the foot of a page) runs on into `after` (the top of the next).
fn runs_on_to(before: &str, after: &str) -> bool {
    let end = before.trim_end();
    let ends_sentence = end
        .trim_end_matches(['"', '\'', '”', '’', ')', ']'])
        .ends_with(['.', '!', '?', ':', ';']);
    let hyphenated = end.ends_with('-') && end[..end.len() - 1].ends_with(char::is_alphabetic);
    let starts_lower = after.trim_start().starts_with(char::is_lowercase);
    !ends_sentence
        && !end.is_empty()
        && (starts_lower || hyphenated && after.trim_start().starts_with(char::is_alphabetic))
}

/// After the lines are joined: the byte offset of each continued page in its block's text,
/// found as the length of the text less the length of the page's own text to the end.
fn place_page_breaks(blocks: &mut [Block], continued: Vec<Continued>, evidence: &HyphenEvidence) {
    for c in continued {
        let block = &mut blocks[c.block];
        for (page, tail) in c.tails {
            let tail = evidence.join_lines(&tail);
            // Only where the page's own text is found at the end (it always is: joining lines
            // changes a text only at its line ends); otherwise the hit cites its block's page.
            if block.text.ends_with(&tail) {
                let offset = block.text.len() - tail.len();
                block
                    .page_breaks
                    .push(crate::document::PageBreak { offset, page });
            }
        }
    }
}

/// True when normalisation would not change `text`: one line of printable ASCII (no backtick)
/// with single spaces between words and none at either end.
#[cfg(test)]
fn is_clean_line(text: &str) -> bool {
    let scan = Scan::of(text.as_bytes());
    scan.plain && !scan.line_break && Lines::of_scan(text.as_bytes(), scan) == Lines::Joined
}

/// What one pass over a block's bytes tells about it, for step 1 (is it plain, so left as it
/// is?) and for [`Lines`]. The bytes looked for are ASCII, so they are never part of a longer
/// character: the facts hold for any UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scan {
    /// Every byte [`is_plain`].
    plain: bool,
    /// A `'\n'` somewhere.
    line_break: bool,
    /// Two blanks (`' '` or `'\n'`) side by side.
    adjacent_blanks: bool,
    /// A `"-\n"` somewhere.
    hyphen_at_line_end: bool,
}

const NOT_PLAIN: u8 = 1;
const LINE_BREAK: u8 = 2;
const ADJACENT_BLANKS: u8 = 4;
const HYPHEN_AT_LINE_END: u8 = 8;

/// The [`Scan`] flags of the pair of bytes (`a`, `b`), `b` following `a`, as far as `a` goes
/// (`b` is looked at only with `a`); [`group_flags`] makes the same comparisons 16 pairs at once.
#[inline(always)]
fn pair_flags(a: u8, b: u8) -> u8 {
    let blank = |x: u8| (x == b' ') | (x == b'\n');
    let plain = (a.wrapping_sub(b' ') <= b'~' - b' ') & (a != b'`') | (a == b'\n');
    (u8::from(!plain) * NOT_PLAIN)
        | (u8::from(a == b'\n') * LINE_BREAK)
        | (u8::from(blank(a) & blank(b)) * ADJACENT_BLANKS)
        | (u8::from((a == b'-') & (b == b'\n')) * HYPHEN_AT_LINE_END)
}

impl Scan {
    fn of(bytes: &[u8]) -> Scan {
        // Pair i is (bytes[i], bytes[i + 1]). Whole groups of pairs are looked at together
        // (`group_flags`); the rest, and the last byte, one at a time.
        let pairs = bytes.len().saturating_sub(1);
        let (mut flags, done) = group_flags(bytes, pairs);
        for i in done..pairs {
            flags |= pair_flags(bytes[i], bytes[i + 1]);
        }
        // The last byte is the first of no pair: a pair with a letter stands for it.
        if let Some(&last) = bytes.last() {
            flags |= pair_flags(last, b'a');
        }
        Scan {
            plain: flags & NOT_PLAIN == 0,
            line_break: flags & LINE_BREAK != 0,
            adjacent_blanks: flags & ADJACENT_BLANKS != 0,
            hyphen_at_line_end: flags & HYPHEN_AT_LINE_END != 0,
        }
    }
}

/// The [`pair_flags`] of the pairs of `bytes` (which has `pairs + 1` bytes) and the number of
/// pairs they cover from the first (all of them when there are 16 or more): 16 pairs at a time
/// with SSE2 (part of the x86-64 baseline), the same comparisons as `pair_flags` on 16 lanes.
/// The last group ends at the last pair and may overlap the one before: flags are or-ed, so a
/// pair looked at twice changes nothing, and most blocks (short paragraphs) then need no pair
/// taken one at a time. Every block of text passes through here, and the compiler did not
/// vectorise the byte-at-a-time form well (about 6 instructions a byte).
#[cfg(target_arch = "x86_64")]
fn group_flags(bytes: &[u8], pairs: usize) -> (u8, usize) {
    if pairs >= 32 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just now; the check is cached).
        return unsafe { group_flags_avx2(bytes, pairs) };
    }
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
        _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };
    debug_assert_eq!(pairs + 1, bytes.len().max(1));
    if pairs < 16 {
        return (0, 0);
    }
    let last = pairs - 16;
    // SAFETY: SSE2 is part of the x86-64 baseline. Each load reads 16 bytes from k or k + 1,
    // and k + 17 <= pairs + 1 = bytes.len(); unaligned loads are allowed.
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        let (mut not_plain, mut line_break) = (_mm_setzero_si128(), _mm_setzero_si128());
        let (mut adjacent, mut hyphen) = (_mm_setzero_si128(), _mm_setzero_si128());
        // The groups start at 0, 16, 32, … and the last at `last`.
        let mut next = 0;
        loop {
            let k = next.min(last);
            let a = _mm_loadu_si128(bytes.as_ptr().add(k).cast::<__m128i>());
            let b = _mm_loadu_si128(bytes.as_ptr().add(k + 1).cast::<__m128i>());
            let a_newline = _mm_cmpeq_epi8(a, splat(b'\n'));
            let b_newline = _mm_cmpeq_epi8(b, splat(b'\n'));
            // Printable ASCII is ' '..='~' (0x20..0x7e); bytes >= 0x80 are negative as i8.
            let printable = _mm_and_si128(
                _mm_cmpgt_epi8(a, splat(b' ' - 1)),
                _mm_cmplt_epi8(a, splat(b'~' + 1)),
            );
            let plain = _mm_or_si128(
                _mm_andnot_si128(_mm_cmpeq_epi8(a, splat(b'`')), printable),
                a_newline,
            );
            not_plain = _mm_or_si128(not_plain, _mm_cmpeq_epi8(plain, _mm_setzero_si128()));
            line_break = _mm_or_si128(line_break, a_newline);
            let a_blank = _mm_or_si128(a_newline, _mm_cmpeq_epi8(a, splat(b' ')));
            let b_blank = _mm_or_si128(b_newline, _mm_cmpeq_epi8(b, splat(b' ')));
            adjacent = _mm_or_si128(adjacent, _mm_and_si128(a_blank, b_blank));
            let a_hyphen = _mm_cmpeq_epi8(a, splat(b'-'));
            hyphen = _mm_or_si128(hyphen, _mm_and_si128(a_hyphen, b_newline));
            if k == last {
                break;
            }
            next += 16;
        }
        let any = |m: __m128i| _mm_movemask_epi8(m) != 0;
        let flags = (u8::from(any(not_plain)) * NOT_PLAIN)
            | (u8::from(any(line_break)) * LINE_BREAK)
            | (u8::from(any(adjacent)) * ADJACENT_BLANKS)
            | (u8::from(any(hyphen)) * HYPHEN_AT_LINE_END);
        (flags, pairs)
    }
}

/// [`group_flags`] 32 pairs at a time with AVX2, for `pairs >= 32`: half the instructions a
/// byte (every block of text is scanned, most processors since 2013 have AVX2).
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn group_flags_avx2(bytes: &[u8], pairs: usize) -> (u8, usize) {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
        _mm256_setzero_si256,
    };
    assert!(pairs >= 32 && pairs < bytes.len());
    let last = pairs - 32;
    // SAFETY: AVX2 is there (the caller's promise). Each load reads 32 bytes from k or k + 1,
    // and k + 33 <= pairs + 1 <= bytes.len(); unaligned loads are allowed.
    unsafe {
        let splat = |b: u8| _mm256_set1_epi8(b as i8);
        let (mut not_plain, mut line_break) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        let (mut adjacent, mut hyphen) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        // As in `group_flags`: the last group ends at the last pair.
        let mut next = 0;
        loop {
            let k = next.min(last);
            let a = _mm256_loadu_si256(bytes.as_ptr().add(k).cast::<__m256i>());
            let b = _mm256_loadu_si256(bytes.as_ptr().add(k + 1).cast::<__m256i>());
            let a_newline = _mm256_cmpeq_epi8(a, splat(b'\n'));
            let b_newline = _mm256_cmpeq_epi8(b, splat(b'\n'));
            let printable = _mm256_and_si256(
                _mm256_cmpgt_epi8(a, splat(b' ' - 1)),
                _mm256_cmpgt_epi8(splat(b'~' + 1), a),
            );
            let plain = _mm256_or_si256(
                _mm256_andnot_si256(_mm256_cmpeq_epi8(a, splat(b'`')), printable),
                a_newline,
            );
            not_plain =
                _mm256_or_si256(not_plain, _mm256_cmpeq_epi8(plain, _mm256_setzero_si256()));
            line_break = _mm256_or_si256(line_break, a_newline);
            let a_blank = _mm256_or_si256(a_newline, _mm256_cmpeq_epi8(a, splat(b' ')));
            let b_blank = _mm256_or_si256(b_newline, _mm256_cmpeq_epi8(b, splat(b' ')));
            adjacent = _mm256_or_si256(adjacent, _mm256_and_si256(a_blank, b_blank));
            let a_hyphen = _mm256_cmpeq_epi8(a, splat(b'-'));
            hyphen = _mm256_or_si256(hyphen, _mm256_and_si256(a_hyphen, b_newline));
            if k == last {
                break;
            }
            next += 32;
        }
        let any = |m: __m256i| _mm256_movemask_epi8(m) != 0;
        let flags = (u8::from(any(not_plain)) * NOT_PLAIN)
            | (u8::from(any(line_break)) * LINE_BREAK)
            | (u8::from(any(adjacent)) * ADJACENT_BLANKS)
            | (u8::from(any(hyphen)) * HYPHEN_AT_LINE_END);
        (flags, pairs)
    }
}

/// Other architectures: no group is done at once; [`Scan::of`] takes every pair one at a time.
#[cfg(not(target_arch = "x86_64"))]
fn group_flags(_bytes: &[u8], _pairs: usize) -> (u8, usize) {
    (0, 0)
}

/// How a block's lines are joined, worked out once for the hyphenation evidence and the joining
/// of a text that has been through step 1 (so its only white space is `' '` and `'\n'`:
/// [`normalise_characters`] makes every other blank a space, and the blocks it passes over are
/// printable ASCII and line breaks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line as joining would leave it: nothing to do.
    Joined,
    /// Lines of [`is_simple_lines`], with or without a line that ends with a hyphen.
    Simple { hyphen_at_line_end: bool },
    /// Any other text: trimmed and collapsed line by line.
    Any,
}

impl Lines {
    pub fn of(text: &str) -> Lines {
        Lines::of_scan(text.as_bytes(), Scan::of(text.as_bytes()))
    }

    /// The lines of `bytes`, whose [`Scan`] is `scan`.
    fn of_scan(bytes: &[u8], scan: Scan) -> Lines {
        let (first, last) = (bytes.first().copied(), bytes.last().copied());
        // Joining changes a single line with single spaces and none at either end: with no line
        // break, the only adjacent blanks are two spaces.
        let needs_joining =
            first == Some(b' ') || last == Some(b' ') || scan.line_break || scan.adjacent_blanks;
        if !needs_joining {
            Lines::Joined
        } else if !matches!(first, None | Some(b' ' | b'\n'))
            && !matches!(last, Some(b' ' | b'\n'))
            && !scan.adjacent_blanks
        {
            // As `is_single_spaced_lines`.
            Lines::Simple {
                hyphen_at_line_end: scan.hyphen_at_line_end,
            }
        } else {
            Lines::Any
        }
    }
}

/// Step 1: character-level clean-up of one piece of text (line breaks are kept).
pub fn normalise_characters(text: &str) -> String {
    // Most policy text is plain ASCII, which NFKC leaves as it is: copy it in one go.
    let plain_end = plain_run_end(text.as_bytes(), 0);
    if plain_end == text.len() {
        return text.to_string();
    }
    // Most other text is already NFKC (curly quotes, dashes, bullets): mapped in one pass that
    // gives up at the first character it cannot vouch for (from the first that is not plain).
    if let Some(mapped) = map_characters_from(text, plain_end, true) {
        return mapped;
    }
    // ASCII never fails the quick check, so only the other characters need looking at.
    let quick = unicode_normalization::is_nfkc_quick(text.chars().filter(|c| !c.is_ascii()));
    let nfkc: std::borrow::Cow<str> = if quick == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfkc().collect())
    };
    map_characters(&nfkc, false).expect("unchecked mapping always maps")
}

/// The mapping of step 1 (apostrophes, dashes between letters, soft hyphens, white space) over
/// `src`, which is NFKC. With `check_nfkc`, `src` need not be: the mapping gives up (`None`) at
/// the first character that [`is_nfkc_starter`] cannot vouch for, so a text it maps whole was
/// NFKC already (every character a starter that the quick check passes).
fn map_characters(src: &str, check_nfkc: bool) -> Option<String> {
    map_characters_from(src, 0, check_nfkc)
}

/// [`map_characters`] of `src` whose bytes before `from` are known to be plain.
fn map_characters_from(src: &str, from: usize, check_nfkc: bool) -> Option<String> {
    let bytes = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut run_start = 0;
    let mut i = from;
    while i < bytes.len() {
        // Plain bytes are copied with their run below.
        i = plain_run_end(bytes, i);
        if i == bytes.len() {
            break;
        }
        out.push_str(&src[run_start..i]);
        let c = src[i..].chars().next().unwrap_or(' ');
        if check_nfkc && !c.is_ascii() && !is_nfkc_starter(c) {
            return None;
        }
        let next_index = i + c.len_utf8();
        let mapped = match c {
            '\u{ad}' | '\u{200b}' | '\u{feff}' => None,
            '\u{2019}' | '\u{2018}' | '\u{02bc}' | '\u{2032}' | '`' | '\u{00b4}' => {
                // Apostrophes and single quotes: `'` (a quote mark is not part of a token anyway).
                Some('\'')
            }
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' | '\u{fe63}' | '\u{ff0d}'
                if src[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
                    && src[next_index..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric) =>
            {
                Some('-')
            }
            '\r' => Some('\n'),
            c if c.is_whitespace() => Some(' '),
            c => Some(c),
        };
        out.extend(mapped);
        i = next_index;
        run_start = i;
    }
    out.push_str(&src[run_start..]);
    Some(out)
}

/// Characters `pdftotext` text is full of, each a starter (combining class 0) that passes the
/// NFKC quick check (a test checks them against the tables): known without a table lookup.
const COMMON_NFKC_STARTERS: [char; 12] = [
    '\u{2019}', '\u{2018}', '\u{201c}', '\u{201d}', '\u{2013}', '\u{2014}', '\u{2010}', '\u{2022}',
    '\u{25fc}', '\u{25aa}', '\u{25cf}', '\u{f0a7}',
];

/// Whether a text made of ASCII and characters like `c` is NFKC as it stands: `c` combines with
/// nothing before it (combining class 0) and passes the NFKC quick check on its own (`Yes`,
/// not `Maybe`: a `Maybe` character may compose with the one before).
fn is_nfkc_starter(c: char) -> bool {
    COMMON_NFKC_STARTERS.contains(&c)
        || unicode_normalization::char::canonical_combining_class(c) == 0
            && unicode_normalization::is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// Whether character clean-up leaves byte `b` as it is: printable ASCII (but the backtick, an
/// apostrophe) and line breaks.
#[inline(always)]
fn is_plain(b: u8) -> bool {
    (b' '..=b'~').contains(&b) && b != b'`' || b == b'\n'
}

/// The end of the run of plain bytes starting at `from`, looked at 16 bytes at a time.
fn plain_run_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(piece) = bytes.get(from..from + 16) {
        if !piece.iter().fold(true, |all, &b| all & is_plain(b)) {
            break;
        }
        from += 16;
    }
    while from < bytes.len() && is_plain(bytes[from]) {
        from += 1;
    }
    from
}

/// Step 2: removes running headers/footers and bare page numbers from the edges of each page.
/// Returns the blocks whose text it changed.
fn remove_running_lines(blocks: &mut [Block]) -> Vec<usize> {
    // Pages as runs of consecutive blocks with the same page number, in order.
    let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let Some(page) = block.page else {
            return Vec::new(); // unpaged formats have no running lines
        };
        match pages.last_mut() {
            Some(range) if blocks[range.start].page == Some(page) => range.end = i + 1,
            _ => pages.push(i..i + 1),
        }
    }
    if pages.is_empty() {
        return Vec::new();
    }
    // Edge lines of every page, one page after another, and each one's key: the keys written
    // one after another into one string (no string per line), each edge line's key a range.
    let mut edges: Vec<EdgeLine> = Vec::new();
    let mut page_edges: Vec<std::ops::Range<usize>> = Vec::with_capacity(pages.len());
    for members in &pages {
        let from = edges.len();
        edge_lines(blocks, members.clone(), &mut edges);
        page_edges.push(from..edges.len());
    }
    let needed = ((pages.len() as f64) * RUNNING_MIN_SHARE).ceil().max(3.0) as usize;
    let (key_text, key_ranges) = running_keys(&edges, &page_edges, needed);
    let pages_with_key = pages_per_key(&page_edges, &key_ranges, key_text.as_bytes());
    // Per block, the byte offsets of the lines to remove.
    let mut remove: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    let mut removed = 0;
    let (mut page_lines, mut scratch) = (PageLines::default(), String::new());
    for (on_page, members) in page_edges.iter().zip(&pages) {
        // The lines of this page, gathered only when a would-be running line needs them: a
        // line that recurs on its own page is its content, not a header.
        page_lines.clear();
        for (edge, range) in edges[on_page.clone()]
            .iter()
            .zip(&key_ranges[on_page.clone()])
        {
            let key = &key_text[range.clone()];
            let repeated = !key.is_empty()
                && pages_with_key
                    .get(key.as_bytes())
                    .is_some_and(|&(count, _)| count >= needed)
                && !page_lines.recurs(blocks, members.clone(), key, &mut scratch);
            if repeated || is_page_number(edge.line) {
                let lines = remove.entry(edge.block).or_default();
                if !lines.contains(&edge.start) {
                    lines.push(edge.start);
                    removed += 1;
                }
            }
        }
    }
    if removed == 0 {
        return Vec::new();
    }
    // Running lines frame a page's text; if they would be half of all the text, the "repeats"
    // are the content itself (a one-line-per-page document, a duplicated page): keep everything.
    // Counted only as far as needed to know.
    let mut total_lines = 0;
    let enough = blocks.iter().any(|b| {
        total_lines += line_count(&b.text);
        removed * 2 <= total_lines
    });
    if !enough {
        return Vec::new();
    }
    remove_lines(blocks, remove)
}

/// The key of every edge line (`edges`, page after page as `page_edges` says), written one after
/// another into one string (no string per line), each edge line's key a range of it; empty for
/// a line whose first bytes are on fewer than `needed` pages.
fn running_keys(
    edges: &[EdgeLine],
    page_edges: &[std::ops::Range<usize>],
    needed: usize,
) -> (String, Vec<std::ops::Range<usize>>) {
    // Keys are counted in two rounds. First only their first KEY_PREFIX bytes: most edge lines
    // are body text, whose first bytes are already on too few pages. Only lines whose first
    // bytes are on enough pages are keyed whole. Lines with equal keys have equal first bytes,
    // so no running line is missed.
    let (mut prefix_text, mut scratch) = (Vec::new(), String::new());
    let prefix_ranges: Vec<std::ops::Range<usize>> = edges
        .iter()
        .map(|edge| {
            let from = prefix_text.len();
            running_key_prefix(edge.line, &mut prefix_text, &mut scratch);
            from..prefix_text.len()
        })
        .collect();
    let pages_with_prefix = pages_per_key(page_edges, &prefix_ranges, &prefix_text);
    let mut key_text = String::new();
    let key_ranges: Vec<std::ops::Range<usize>> = edges
        .iter()
        .zip(&prefix_ranges)
        .map(|(edge, prefix)| {
            let from = key_text.len();
            let prefix = &prefix_text[prefix.clone()];
            if pages_with_prefix
                .get(prefix)
                .is_some_and(|&(count, _)| count >= needed)
            {
                running_key(edge.line, &mut key_text);
            }
            from..key_text.len()
        })
        .collect();
    (key_text, key_ranges)
}

/// Per key, the number of pages it is on and the last of them, from the keys of each page's
/// edge lines (`ranges` of `text`, page after page as `page_edges` says; empty keys left out).
/// Pages are visited in order, so a repeat of the last page is the only possible duplicate.
fn pages_per_key<'t>(
    page_edges: &[std::ops::Range<usize>],
    ranges: &[std::ops::Range<usize>],
    text: &'t [u8],
) -> FxHashMap<&'t [u8], (usize, usize)> {
    // Most keys are of body text and differ: sized for all at once, not grown step by step.
    let keys = ranges.iter().filter(|r| !r.is_empty()).count();
    let mut pages_with_key: FxHashMap<&[u8], (usize, usize)> =
        FxHashMap::with_capacity_and_hasher(keys, Default::default());
    for (page, on_page) in page_edges.iter().enumerate() {
        for range in &ranges[on_page.clone()] {
            let key = &text[range.clone()];
            if key.is_empty() {
                continue;
            }
            let (count, last) = pages_with_key.entry(key).or_insert((0, usize::MAX));
            if *last != page {
                *count += 1;
                *last = page;
            }
        }
    }
    pages_with_key
}

/// Removes from each block the lines starting at the byte offsets given for it; returns the
/// blocks changed.
fn remove_lines(blocks: &mut [Block], remove: FxHashMap<usize, Vec<usize>>) -> Vec<usize> {
    let mut changed = Vec::with_capacity(remove.len());
    for (b, starts) in remove {
        let text = &blocks[b].text;
        let mut kept = String::with_capacity(text.len());
        let (mut start, mut first) = (0, true);
        for line in text.split('\n') {
            if !starts.contains(&start) {
                if !first {
                    kept.push('\n');
                }
                first = false;
                kept.push_str(line);
            }
            start += line.len() + 1;
        }
        blocks[b].text = kept;
        changed.push(b);
    }
    changed
}

/// A line at the top or bottom of a page: its block, its byte offset there, and the line.
struct EdgeLine<'a> {
    block: usize,
    start: usize,
    line: &'a str,
}

/// The lines of one page, with the first byte of each one's running key as far as it can be
/// told from the line's first bytes, for [`PageLines::recurs`] (kept from page to page).
#[derive(Default)]
struct PageLines<'a> {
    gathered: bool,
    lines: Vec<(&'a str, KeyStart)>,
}

/// What a line's first bytes say about its running key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyStart {
    /// The key is empty.
    Empty,
    /// The key starts with this byte (if it is not empty).
    Byte(u8),
    /// Not known without keying the line.
    Unknown,
}

impl KeyStart {
    fn of(line: &str) -> KeyStart {
        if line.len() > MAX_RUNNING_LINE {
            return KeyStart::Empty;
        }
        // `str::trim` removes these ASCII blanks; a non-ASCII character may be white space.
        match line.bytes().find(|&b| !matches!(b, b'\t'..=b'\r' | b' ')) {
            None => KeyStart::Empty,
            Some(b) if !b.is_ascii() => KeyStart::Unknown,
            Some(b) if b.is_ascii_digit() => KeyStart::Byte(b'#'),
            Some(b) => KeyStart::Byte(b.to_ascii_lowercase()),
        }
    }

    fn may_start(self, key: &str) -> bool {
        match self {
            KeyStart::Empty => false,
            KeyStart::Byte(b) => key.as_bytes().first() == Some(&b),
            KeyStart::Unknown => true,
        }
    }
}

impl<'a> PageLines<'a> {
    fn clear(&mut self) {
        self.gathered = false;
        self.lines.clear();
    }

    /// True when `key` (not empty) is the key of more than one line of the page made of
    /// `members` (the same sentence on line after line, as in a form or a list, is content even
    /// at the page's edge). Decided from the page alone, so a document read whole and one
    /// streamed in chunks agree. Only the lines whose first bytes could give the key are keyed,
    /// into `scratch`.
    fn recurs(
        &mut self,
        blocks: &'a [Block],
        members: std::ops::Range<usize>,
        key: &str,
        scratch: &mut String,
    ) -> bool {
        if !self.gathered {
            self.gathered = true;
            self.lines.extend(
                members
                    .flat_map(|b| blocks[b].text.split('\n'))
                    .map(|line| (line, KeyStart::of(line))),
            );
        }
        let mut found = 0;
        for &(line, start) in &self.lines {
            if !start.may_start(key) {
                continue;
            }
            scratch.clear();
            running_key(line, scratch);
            if scratch == key {
                found += 1;
                if found == 2 {
                    return true;
                }
            }
        }
        false
    }
}

/// The number of lines of a block (`split('\n')` pieces).
fn line_count(text: &str) -> usize {
    // A plain filtered count: vectorised by the compiler, and without the set-up cost of
    // `memchr` on blocks of a line or two.
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// Appends to `edges` the first and last [`EDGE_LINES`] lines of the page made of `members`, in
/// order. Only the edges are looked at, however long the page.
fn edge_lines<'a>(
    blocks: &'a [Block],
    members: std::ops::Range<usize>,
    edges: &mut Vec<EdgeLine<'a>>,
) {
    // On a short page only the very first and last lines can be running lines.
    let mut total = 0;
    for b in members.clone() {
        total += memchr::memchr_iter(b'\n', blocks[b].text.as_bytes())
            .take(2 * EDGE_LINES)
            .count()
            + 1;
        if total > 2 * EDGE_LINES {
            break;
        }
    }
    let n = if total > 2 * EDGE_LINES {
        EDGE_LINES
    } else {
        1
    };
    let from = edges.len();
    'first: for b in members.clone() {
        let mut start = 0;
        for line in blocks[b].text.split('\n') {
            if edges.len() - from == n {
                break 'first;
            }
            edges.push(EdgeLine {
                block: b,
                start,
                line,
            });
            start += line.len() + 1;
        }
    }
    let middle = edges.len();
    'last: for b in members.rev() {
        let text = &blocks[b].text;
        for line in text.rsplit('\n') {
            if edges.len() - middle == n {
                break 'last;
            }
            // `line` is a slice of `text`: its offset there.
            let start = line.as_ptr() as usize - text.as_ptr() as usize;
            edges.push(EdgeLine {
                block: b,
                start,
                line,
            });
        }
    }
    edges[middle..].reverse();
    // A line among both the first and the last lines is one edge line.
    let mut kept = middle;
    for i in middle..edges.len() {
        let duplicate = kept > from
            && edges[kept - 1].block == edges[i].block
            && edges[kept - 1].start == edges[i].start;
        if !duplicate {
            edges.swap(kept, i);
            kept += 1;
        }
    }
    edges.truncate(kept);
}

/// Appends the key of `line` to `key`: the line with its numbers masked, so "Page 3 of 40" and
/// "Page 4 of 40" are the same footer. Nothing is appended where the key is empty.
fn running_key(line: &str, key: &mut String) {
    // Running headers and footers are short; a paragraph-long line is never one.
    if line.len() > MAX_RUNNING_LINE {
        return;
    }
    if line.is_ascii() {
        running_key_ascii(line.trim().as_bytes(), key);
    } else {
        running_key_chars(line, key, usize::MAX);
    }
}

/// [`running_key`] of any line, character by character. It stops once `limit` bytes of key
/// are written: they are then the first bytes of the whole key (which is never cut to empty
/// after them), all [`running_key_prefix`] needs.
fn running_key_chars(line: &str, key: &mut String, limit: usize) {
    let from = key.len();
    let mut last_space = true;
    for c in line.trim().chars() {
        if key.len() - from >= limit {
            return;
        }
        if c.is_numeric() {
            if key.len() == from || !key.ends_with('#') {
                key.push('#');
            }
            last_space = false;
        } else if c.is_whitespace() {
            if !last_space {
                key.push(' ');
            }
            last_space = true;
        } else {
            if c.is_ascii() {
                key.push(c.to_ascii_lowercase());
            } else {
                key.extend(c.to_lowercase());
            }
            last_space = false;
        }
    }
    // A line that is only a number is handled by `is_page_number`; masking alone would make
    // every numbered line "the same".
    if key[from..]
        .chars()
        .all(|c| c == '#' || !c.is_alphanumeric())
    {
        key.truncate(from);
    }
    // No white space at either end: the line was trimmed, runs of white space became one
    // space only before something else, and lower-casing never makes white space.
}

/// [`running_key`] of a trimmed ASCII line, byte by byte (most lines are ASCII; every page
/// has six edge lines keyed).
fn running_key_ascii(line: &[u8], key: &mut String) {
    let from = key.len();
    // SAFETY: only ASCII bytes are written, so the string stays UTF-8 (and is cut to the bytes
    // kept before it is used again).
    let bytes = unsafe { key.as_mut_vec() };
    bytes.resize(from + line.len(), 0);
    let (kept, letters) = ascii_key_into(line, &mut bytes[from..]);
    // A line that is only a number is handled by `is_page_number`; masking alone would make
    // every numbered line "the same" (ASCII letters are the only alphanumerics left in a key).
    bytes.truncate(if letters { from + kept } else { from });
}

/// How many bytes of a running key [`running_key_prefix`] gives.
const KEY_PREFIX: usize = 16;

/// Appends the first [`KEY_PREFIX`] bytes of the [`running_key`] of `line` (all of it if it is
/// shorter). For a line whose key is empty it may append anything: such a line is never a
/// running line, whatever its first bytes are counted with.
/// `scratch` is a buffer for a line that is not ASCII, kept from line to line.
fn running_key_prefix(line: &str, prefix: &mut Vec<u8>, scratch: &mut String) {
    if line.len() > MAX_RUNNING_LINE {
        return;
    }
    if line.is_ascii() {
        let line = line.trim().as_bytes();
        let from = prefix.len();
        prefix.resize(from + KEY_PREFIX.min(line.len()), 0);
        let (kept, _) = ascii_key_into(line, &mut prefix[from..]);
        prefix.truncate(from + kept);
    } else {
        scratch.clear();
        running_key_chars(line, scratch, KEY_PREFIX);
        prefix.extend_from_slice(&scratch.as_bytes()[..KEY_PREFIX.min(scratch.len())]);
    }
}

/// Writes the key of the trimmed ASCII `line` into `out` until the line or `out` ends
/// (a key is never longer than its line); returns the number of key bytes and whether the
/// line has a letter. Each byte's key byte is written and kept or not without a branch: a
/// digit after a `#` and a blank after a blank add nothing (the last key byte is `#` after a
/// digit and `' '` after a blank, so "same as the last key byte" says it).
#[inline(always)]
fn ascii_key_into(line: &[u8], out: &mut [u8]) -> (usize, bool) {
    let (mut kept, mut last, mut letters) = (0, b' ', false);
    for &b in line {
        let Some(slot) = out.get_mut(kept) else {
            break;
        };
        let (key_byte, class) = ASCII_KEY[usize::from(b)];
        *slot = key_byte;
        let repeat = (key_byte == last) & (class & COLLAPSES != 0);
        kept += usize::from(!repeat);
        last = key_byte;
        letters |= class & LETTER != 0;
    }
    (kept, letters)
}

/// In [`ASCII_KEY`]: a digit or blank, which a run of collapses to one key byte.
const COLLAPSES: u8 = 1;
/// In [`ASCII_KEY`]: an ASCII letter.
const LETTER: u8 = 2;

/// Per ASCII byte, its byte in a running key (digits `#`, white space `' '`, letters lower
/// case, the rest as they are) and its class.
static ASCII_KEY: [(u8, u8); 256] = {
    let mut table = [(0u8, 0u8); 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_digit() {
            (b'#', COLLAPSES)
        } else if byte.is_ascii_whitespace() || byte == 0x0b {
            (b' ', COLLAPSES)
        } else if byte.is_ascii_alphabetic() {
            (byte.to_ascii_lowercase(), LETTER)
        } else {
            (byte, 0)
        };
        b += 1;
    }
    table
};

/// Lower-case roman numerals up to 39, as used for front-matter pages.
static ROMAN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"^x{0,3}(?:ix|iv|v?i{0,3})$").expect("valid regex")
});

/// "12", "- 12 -", "Page 12", "Page 12 of 40", "12 of 40", "xii".
fn is_page_number(line: &str) -> bool {
    let t = line
        .trim()
        .trim_matches(|c: char| c == '-' || c == '|' || c.is_whitespace());
    if t.is_empty() {
        return false;
    }
    // Most lines are rejected on their bytes, without lower-casing: the ASCII characters of a
    // page number are digits, white space and the letters of "page", "of" and roman numerals.
    if !t.bytes().all(|b| {
        !b.is_ascii()
            || b.is_ascii_digit()
            || b.is_ascii_whitespace()
            || b == 0x0b
            || matches!(
                b.to_ascii_lowercase(),
                b'p' | b'a' | b'g' | b'e' | b'o' | b'f' | b'i' | b'v' | b'x'
            )
    }) {
        return false;
    }
    let lower = t.to_lowercase();
    let rest = lower
        .strip_prefix("page")
        .map_or(lower.as_str(), str::trim_start);
    let mut parts = rest.split_whitespace();
    let first = parts.next().unwrap_or("");
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            || (!s.is_empty() && ROMAN.is_match(s))
    };
    match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => number(first),
        (Some("of"), Some(total), None) => number(first) && number(total),
        _ => false,
    }
}

/// Step 3's evidence: how the document writes words when they are not broken at a line end.
///
/// A line ending "X-" followed by a line starting "Y" (both letters) is repaired as follows:
/// 1. if "X-Y" occurs elsewhere in the document and "XY" does not, or occurs more often: keep the
///    hyphen ("looked-after", "co-operation");
/// 2. if "XY" occurs elsewhere and more often than "X-Y": join ("collaboration");
/// 3. no evidence (fallback): keep the hyphen when Y starts with a capital or a digit
///    ("non-English", "post-16") or X is a common prefix of compounds ("co", "non", "self"...);
///    otherwise follow the document's own habit, measured on the breaks decided by evidence:
///    join if most of them were joins (the typesetter hyphenates words), else keep the hyphen
///    (word processors break lines only at hyphens the author typed).
pub struct HyphenEvidence {
    counts: FxHashMap<String, u32>,
    joins_word_breaks: bool,
}

/// Counts how often each of the spellings `counts` holds (lower-case) occurs as a token of
/// `blocks`, case-insensitively.
fn count_spellings(blocks: &[Block], counts: &mut FxHashMap<String, u32>) {
    if counts.is_empty() {
        return;
    }
    // Tokens are found 64 bytes at a time; an ASCII token is only delimited and folded if its
    // first letter and length could make it one of the spellings. With few first letters, the
    // tokenizer skips the others itself, a window at a time.
    let mut first_bytes = [false; 256];
    first_bytes[0x80..].fill(true);
    for key in counts.keys() {
        first_bytes[key.as_bytes()[0] as usize] = true;
    }
    let shortest = counts.keys().map(String::len).min().unwrap_or(0);
    let among = FirstBytes::from_table(&first_bytes, shortest);
    // Indexed by length: a hash lookup per token cost more than the tokenising.
    let longest = counts.keys().map(String::len).max().unwrap_or(0);
    let mut lengths = vec![false; longest + 1];
    for key in counts.keys() {
        lengths[key.len()] = true;
    }
    let mut folded = String::new();
    for block in blocks {
        let text = &block.text;
        let at_token = |start: usize, end: Option<usize>| {
            if !first_bytes[text.as_bytes()[start].to_ascii_lowercase() as usize] {
                return;
            }
            let token = &text[start..token_end(text, start, end)];
            if token.is_ascii() && lengths.get(token.len()) != Some(&true) {
                return;
            }
            folded.clear();
            folded.extend(token.chars().flat_map(char::to_lowercase));
            if let Some(count) = counts.get_mut(folded.as_str()) {
                *count += 1;
            }
        };
        match &among {
            Some(first) => for_each_token_among(text, first, at_token),
            None => for_each_token(text, at_token),
        };
    }
}

/// Prefixes after which a line-end hyphen is kept when the document gives no evidence.
const COMPOUND_PREFIXES: &[&str] = &[
    "co", "non", "pre", "post", "self", "anti", "cross", "multi", "inter", "well", "long", "short",
    "full", "part", "half", "semi", "sub", "ex", "re", "under", "over", "out", "age", "looked",
    "year", "school", "child", "family", "person",
];

#[derive(Debug, PartialEq, Eq)]
enum Repair {
    KeepHyphen,
    Join,
}

impl HyphenEvidence {
    /// The evidence of a document's blocks, given the [`Lines`] of each block by its index.
    pub fn from_blocks(blocks: &[Block], lines: impl Fn(usize) -> Lines) -> HyphenEvidence {
        // Only the spellings that could settle a line-end break are counted: "x-y" and "xy" for
        // every break "x-" / "y" in the document. Most documents have a few dozen breaks.
        let breaks: Vec<(&str, &str)> = blocks
            .iter()
            .enumerate()
            .flat_map(|(i, block)| line_end_breaks_of_shape(&block.text, lines(i)))
            .collect();
        let mut counts: FxHashMap<String, u32> = FxHashMap::default();
        for &(first, second) in &breaks {
            let (first, second) = (first.to_lowercase(), second.to_lowercase());
            counts.insert(format!("{first}-{second}"), 0);
            counts.insert(format!("{first}{second}"), 0);
        }
        count_spellings(blocks, &mut counts);
        let mut evidence = HyphenEvidence {
            counts,
            joins_word_breaks: false,
        };
        let (mut joins, mut keeps) = (0, 0);
        for &(first, second) in &breaks {
            match evidence.decide_from_evidence(first, second) {
                Some(Repair::Join) => joins += 1,
                Some(Repair::KeepHyphen) => keeps += 1,
                None => {}
            }
        }
        evidence.joins_word_breaks = joins > keeps;
        evidence
    }

    fn count(&self, word: &str) -> u32 {
        self.counts.get(word).copied().unwrap_or(0)
    }

    fn decide_from_evidence(&self, first: &str, second: &str) -> Option<Repair> {
        let first = first.to_lowercase();
        let second = second.to_lowercase();
        let hyphenated = self.count(&format!("{first}-{second}"));
        let joined = self.count(&format!("{first}{second}"));
        match (hyphenated, joined) {
            (0, 0) => None,
            (h, j) if h >= j => Some(Repair::KeepHyphen),
            _ => Some(Repair::Join),
        }
    }

    fn decide(&self, first: &str, second: &str) -> Repair {
        if let Some(repair) = self.decide_from_evidence(first, second) {
            return repair;
        }
        let starts_capital_or_digit = second
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric());
        let prefix = COMPOUND_PREFIXES.contains(&first.to_lowercase().as_str());
        if starts_capital_or_digit || prefix || !self.joins_word_breaks {
            Repair::KeepHyphen
        } else {
            Repair::Join
        }
    }

    /// Joins the lines of a block whose [`Lines`] are `lines`, as [`join_lines`](Self::join_lines)
    /// would, in place where that is only turning line breaks into spaces: no copy.
    pub fn join_block(&self, text: &mut String, lines: Lines) {
        match lines {
            Lines::Joined => {}
            Lines::Simple {
                hyphen_at_line_end: false,
            } => {
                // SAFETY: an ASCII byte is replaced by an ASCII byte, so the text stays UTF-8.
                for b in unsafe { text.as_bytes_mut() } {
                    *b = if *b == b'\n' { b' ' } else { *b };
                }
            }
            Lines::Simple {
                hyphen_at_line_end: true,
            } => *text = self.join_simple_lines(text),
            Lines::Any => *text = self.join_any_lines(text),
        }
    }

    /// Joins the lines of a block into one line, repairing line-end hyphenation, and collapses
    /// white space.
    pub fn join_lines(&self, text: &str) -> String {
        if is_simple_lines(text) {
            return self.join_simple_lines(text);
        }
        self.join_any_lines(text)
    }

    /// [`join_lines`](Self::join_lines) of any text, line by line.
    fn join_any_lines(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut lines = text
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .peekable();
        while let Some(line) = lines.next() {
            push_collapsed(&mut out, line);
            let Some(next) = lines.peek() else { break };
            match broken_word(&out, next) {
                Some((first, second)) => {
                    if self.decide(first, second) == Repair::Join {
                        out.pop(); // the hyphen
                    }
                }
                None => out.push(' '),
            }
        }
        out
    }

    /// [`join_lines`](Self::join_lines) of a block of [`is_simple_lines`]: every line break
    /// becomes a space, or goes with its hyphen where the word is joined; the lines are copied
    /// whole rather than character by character.
    fn join_simple_lines(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
            out.push_str(&text[start..end]);
            start = end + 1;
            if out.ends_with('-') {
                let next_end = memchr::memchr(b'\n', &text.as_bytes()[start..])
                    .map_or(text.len(), |n| start + n);
                if let Some((first, second)) = broken_word(&out, &text[start..next_end]) {
                    if self.decide(first, second) == Repair::Join {
                        out.pop(); // the hyphen
                    }
                    continue;
                }
            }
            out.push(' ');
        }
        out.push_str(&text[start..]);
        out
    }
}

/// Whether `text` is lines with single spaces, none at a line's ends, no empty line and no white
/// space but `' '` and `'\n'`: as the text extractor makes paragraphs of `pdftotext` output (and
/// character clean-up leaves them). Joining its lines then needs no trimming or collapsing.
fn is_simple_lines(text: &str) -> bool {
    !has_other_white_space(text) && is_single_spaced_lines(text)
}

/// [`is_simple_lines`] of a text whose only white space is `' '` and `'\n'`.
fn is_single_spaced_lines(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes[0] != b' '
        && bytes[0] != b'\n'
        && !matches!(bytes.last(), Some(b' ' | b'\n'))
        && !has_adjacent_blanks(bytes)
}

/// Whether two blanks (`' '` or `'\n'`) stand side by side in `bytes`: "  ", " \n", "\n " or
/// "\n\n". One pass, 32 pairs of bytes at a time without branching on each (the compiler
/// vectorises the fold), rather than four searches.
fn has_adjacent_blanks(bytes: &[u8]) -> bool {
    let blank = |b: u8| (b == b' ') | (b == b'\n');
    // Pair i is (bytes[i], bytes[i + 1]).
    let pairs = bytes.len().saturating_sub(1);
    let full = pairs / 32 * 32;
    for k in (0..full).step_by(32) {
        let first: &[u8; 32] = bytes[k..k + 32].try_into().expect("32 bytes");
        let second: &[u8; 32] = bytes[k + 1..k + 33].try_into().expect("32 bytes");
        let any = first
            .iter()
            .zip(second)
            .fold(false, |any, (&a, &b)| any | (blank(a) & blank(b)));
        if any {
            return true;
        }
    }
    (full..pairs).any(|i| blank(bytes[i]) && blank(bytes[i + 1]))
}

/// Whether `text` has white space other than `' '` and `'\n'` (a tab, a no-break space...).
fn has_other_white_space(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = plain_run_end(bytes, 0);
    while at < bytes.len() {
        let c = text[at..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            return true;
        }
        at = plain_run_end(bytes, at + c.len_utf8());
    }
    false
}

/// Appends `line` with runs of white space collapsed to one space.
fn push_collapsed(out: &mut String, line: &str) {
    // Usual case: single spaces only (normalise_characters already made every blank a space).
    if !line.contains("  ") && !line.contains(|c: char| c.is_whitespace() && c != ' ') {
        if !out.is_empty() && !out.ends_with(' ') && line.starts_with(' ') {
            out.push(' ');
        }
        out.push_str(line.trim_matches(' '));
        return;
    }
    let mut in_space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            in_space = true;
        } else {
            if in_space && !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            in_space = false;
            out.push(c);
        }
    }
}

/// If `before` ends with "…letters-" and `next` starts with a letter, the two word halves.
fn broken_word<'a>(before: &'a str, next: &'a str) -> Option<(&'a str, &'a str)> {
    let stem = before.strip_suffix('-')?;
    let first_start = stem
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map(|(i, _)| i)?;
    let first = &stem[first_start..];
    if !first.chars().last().is_some_and(char::is_alphabetic) {
        return None;
    }
    let second_end = next
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(next.len(), |(i, _)| i);
    let second = &next[..second_end];
    if !second.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    Some((first, second))
}

/// The (first half, second half) of every line-end hyphen break in a block.
#[cfg(test)]
fn line_end_breaks(text: &str) -> Vec<(&str, &str)> {
    let bytes = text.as_bytes();
    if memchr::memchr(b'\n', bytes).is_none() || memchr::memchr(b'-', bytes).is_none() {
        return Vec::new();
    }
    if is_simple_lines(text) {
        return simple_line_end_breaks(text);
    }
    line_end_breaks_of_any(text)
}

/// [`line_end_breaks`] of a block whose [`Lines`] are known.
fn line_end_breaks_of_shape(text: &str, lines: Lines) -> Vec<(&str, &str)> {
    match lines {
        Lines::Joined
        | Lines::Simple {
            hyphen_at_line_end: false,
        } => Vec::new(),
        Lines::Simple {
            hyphen_at_line_end: true,
        } => simple_line_end_breaks(text),
        Lines::Any => line_end_breaks_of_any(text),
    }
}

/// [`line_end_breaks`] of [`is_simple_lines`]: only the lines ending with a hyphen can hold a
/// break, found without splitting.
fn simple_line_end_breaks(text: &str) -> Vec<(&str, &str)> {
    let bytes = text.as_bytes();
    // Line breaks after a hyphen (no `memmem` searcher set up for each block).
    memchr::memchr_iter(b'\n', bytes)
        .filter(|&end| end > 0 && bytes[end - 1] == b'-')
        .filter_map(|end| {
            let at = end - 1;
            let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
            let next_start = at + 2;
            let next_end =
                memchr::memchr(b'\n', &bytes[next_start..]).map_or(bytes.len(), |n| next_start + n);
            broken_word(&text[line_start..=at], &text[next_start..next_end])
        })
        .collect()
}

/// [`line_end_breaks`] of any text, line by line.
fn line_end_breaks_of_any(text: &str) -> Vec<(&str, &str)> {
    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    lines
        .windows(2)
        .filter_map(|pair| broken_word(pair[0], pair[1]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;

    /// Random lines of words (some ending with a hyphen, some hyphenated, digits and capitals
    /// among them), as `pdftotext` paragraphs look, from a seed.
    fn random_paragraph(seed: u64) -> String {
        let words = [
            "co",
            "operation",
            "cooperation",
            "co-operation",
            "well",
            "being",
            "wellbeing",
            "Local",
            "offer",
            "16",
            "post",
            "non",
            "statutory",
            "partner",
            "ship",
            "inform",
            "a",
            "I",
            "x1",
            "e.g.",
            "(see",
            "4.9)",
            "caf\u{e9}",
            "\u{2019}s",
            "\u{2022}",
            "a\u{a0}b",
        ];
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            ((state >> 33) as usize) % n
        };
        let mut text = String::new();
        for line in 0..(1 + next(8)) {
            if line > 0 {
                text.push('\n');
            }
            for w in 0..(1 + next(6)) {
                if w > 0 {
                    text.push(' ');
                }
                text.push_str(words[next(words.len())]);
            }
            if next(3) == 0 {
                text.push('-');
            }
        }
        text
    }

    #[test]
    fn simple_lines_are_joined_and_searched_for_breaks_as_any_lines_are() {
        let (mut simple, mut simple_not_ascii) = (0, 0);
        for seed in 0..3000 {
            let text = random_paragraph(seed);
            let evidence_text = random_paragraph(seed + 100_000);
            let blocks = [Block {
                text: evidence_text.replace('\n', " "),
                ..Block::default()
            }];
            let evidence = HyphenEvidence::from_blocks(&blocks, |i| Lines::of(&blocks[i].text));
            if is_simple_lines(&text) {
                simple += 1;
            }
            if is_simple_lines(&text) && !text.is_ascii() {
                simple_not_ascii += 1;
            }
            assert_eq!(
                evidence.join_lines(&text),
                evidence.join_any_lines(&text),
                "{text:?}"
            );
            // As normalise_with joins: after character clean-up, from the block's Lines.
            let cleaned = normalise_characters(&text);
            let lines = Lines::of(&cleaned);
            let mut joined = cleaned.clone();
            evidence.join_block(&mut joined, lines);
            assert_eq!(joined, evidence.join_any_lines(&cleaned), "{cleaned:?}");
            assert_eq!(
                line_end_breaks_of_shape(&cleaned, lines),
                line_end_breaks_of_any(&cleaned),
                "{cleaned:?}"
            );
            assert_eq!(
                line_end_breaks(&text),
                line_end_breaks_of_any(&text),
                "{text:?}"
            );
        }
        // Many random paragraphs take the fast path, ASCII or not, so it was compared.
        assert!(
            simple > 1000 && simple_not_ascii > 300,
            "{simple} {simple_not_ascii}"
        );
    }

    /// A number below `n` at each call, from a seeded linear congruential generator.
    fn random_below(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        }
    }

    #[test]
    fn one_scan_tells_what_searching_the_text_tells() {
        // Pieces that each set or clear one of the scan's facts; texts past 16 bytes take the
        // vectorised loop, shorter ones only the tail.
        let pieces = [
            "a", "Z", "1", " ", "  ", "\n", "-", "-\n", "`", "~", "\t", "\u{e9}", "\u{2019}", ".",
        ];
        let mut next = random_below(11);
        let (mut plain, mut each) = (0, [0; 3]);
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..next(60) {
                text.push_str(pieces[next(pieces.len())]);
            }
            let bytes = text.as_bytes();
            let scan = Scan::of(bytes);
            let searched = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
            assert_eq!(scan.plain, bytes.iter().all(|&b| is_plain(b)), "{text:?}");
            assert_eq!(scan.line_break, searched(b"\n"), "{text:?}");
            assert_eq!(scan.adjacent_blanks, has_adjacent_blanks(bytes), "{text:?}");
            assert_eq!(scan.hyphen_at_line_end, searched(b"-\n"), "{text:?}");
            // Lines as first defined: a search for each fact.
            let needs_joining = bytes.first() == Some(&b' ')
                || bytes.last() == Some(&b' ')
                || searched(b"\n")
                || searched(b"  ");
            let expected = if !needs_joining {
                Lines::Joined
            } else if is_single_spaced_lines(&text) {
                Lines::Simple {
                    hyphen_at_line_end: searched(b"-\n"),
                }
            } else {
                Lines::Any
            };
            assert_eq!(Lines::of(&text), expected, "{text:?}");
            plain += usize::from(scan.plain);
            match expected {
                Lines::Joined => each[0] += 1,
                Lines::Simple { .. } => each[1] += 1,
                Lines::Any => each[2] += 1,
            }
        }
        // Every kind of text came up often enough to be compared.
        assert!(
            plain > 100 && each.iter().all(|&n| n > 100),
            "{plain} {each:?}"
        );
    }

    #[test]
    fn adjacent_blanks_are_found_as_by_searching_each_pair() {
        let mut state = 5u64;
        for _ in 0..5000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (state >> 33) as usize % 100;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    // Mostly letters, so that many texts have no two blanks together.
                    match (state >> 33) % 16 {
                        0 => b' ',
                        1 => b'\n',
                        _ => b'a',
                    }
                })
                .collect();
            let searched = [&b"  "[..], b" \n", b"\n ", b"\n\n"]
                .iter()
                .any(|pair| memchr::memmem::find(&text, pair).is_some());
            assert_eq!(has_adjacent_blanks(&text), searched, "{text:?}");
        }
    }

    /// Random text of characters step 1 treats differently, from a seed: for even seeds only
    /// characters the one-pass mapping vouches for (ASCII, quotes, dashes, bullets, invisible
    /// characters, composed letters), for odd seeds also compatibility characters, combining
    /// marks (in and out of order) and Hangul jamo that compose.
    fn random_characters(seed: u64) -> String {
        let pieces = [
            "a",
            "Z",
            "1",
            " ",
            "\n",
            "\r",
            "\t",
            "`",
            "-",
            "\u{2019}",
            "\u{2018}",
            "\u{201c}",
            "\u{2013}",
            "\u{2014}",
            "\u{2010}",
            "\u{2212}",
            "\u{2022}",
            "\u{25fc}",
            "\u{f0a7}",
            "\u{ad}",
            "\u{200b}",
            "\u{feff}",
            "\u{e9}",
            "\u{ac00}",
            "\u{2032}",
            "\u{1100}",
            // Not NFKC, or not on their own: compatibility characters, marks, jamo.
            "\u{2011}",
            "\u{a0}",
            "\u{fb01}",
            "\u{2026}",
            "\u{bd}",
            "e\u{301}",
            "\u{301}",
            "\u{327}",
            "\u{1161}",
            "\u{11a8}",
            "\u{2033}",
            "\u{3000}",
            "\u{ff21}",
            "\u{e9}\u{327}",
        ];
        let vouched = 26;
        let choices = if seed % 2 == 0 { vouched } else { pieces.len() };
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut text = String::new();
        for _ in 0..12 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            text.push_str(pieces[((state >> 33) as usize) % choices]);
        }
        text
    }

    #[test]
    fn characters_mapped_in_one_pass_as_after_nfkc() {
        let mut fast = 0;
        for seed in 0..20_000 {
            let text = random_characters(seed);
            // The definition: NFKC first, then the mapping.
            let nfkc: String = text.nfkc().collect();
            let expected = map_characters(&nfkc, false).expect("unchecked");
            if map_characters(&text, true).is_some() {
                fast += 1;
            }
            assert_eq!(normalise_characters(&text), expected, "{text:?}");
        }
        // Every even seed takes the one-pass mapping, so it was compared.
        assert!(fast >= 10_000, "{fast}");
    }

    #[test]
    fn common_characters_are_nfkc_starters_by_the_tables() {
        for c in COMMON_NFKC_STARTERS {
            assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0);
            assert_eq!(
                unicode_normalization::is_nfkc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "{c:?}"
            );
        }
    }

    fn doc(blocks: &[(u32, &str)]) -> Document {
        let mut d = Document::new("t", Format::Pdf);
        d.blocks = blocks
            .iter()
            .map(|&(page, text)| Block {
                page: Some(page),
                text: text.to_string(),
                ..Block::default()
            })
            .collect();
        d
    }

    fn texts(d: &Document) -> Vec<&str> {
        d.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn paragraphs_run_on_over_page_breaks() {
        let d = normalise(doc(&[
            (1, "A paragraph on arrangements that ends here."),
            (1, "The duty of the local"),
            (1, "12 A footnote at the foot of page 1"),
            (2, "authority is to make the arrange-"),
            (3, "ments meaningful to families."),
            (3, "A new paragraph."),
            (4, "Starts with a capital: not run on"),
        ]));
        assert_eq!(
            texts(&d),
            [
                "A paragraph on arrangements that ends here.",
                "The duty of the local authority is to make the arrangements meaningful to families.",
                "12 A footnote at the foot of page 1",
                "A new paragraph.",
                "Starts with a capital: not run on",
            ]
        );
        let run_on = &d.blocks[1];
        assert_eq!(run_on.page, Some(1));
        let at = |page: u32| {
            run_on
                .page_breaks
                .iter()
                .find(|b| b.page == page)
                .unwrap()
                .offset
        };
        assert!(run_on.text[at(2)..].starts_with("authority is"));
        assert!(run_on.text[at(3)..].starts_with("ments meaningful"));
        assert_eq!(run_on.page_at(0), Some(1));
        assert_eq!(run_on.page_at(at(3) + 1), Some(3));
        // "local authority" spans the first break: it cites both pages.
        let hit = run_on.text.find("local authority").unwrap();
        assert_eq!(d.cite_span(run_on, hit, hit + 15), "pp. 1–2");
        assert_eq!(d.cite_span(run_on, 0, 3), "p. 1");
    }

    #[test]
    fn ligatures_apostrophes_and_dashes() {
        assert_eq!(
            normalise_characters("e\u{fb03}cient of\u{fb01}ce"),
            "efficient office"
        );
        assert_eq!(normalise_characters("parent\u{2019}s"), "parent's");
        assert_eq!(
            normalise_characters("co\u{2010}operation co\u{2013}operation"),
            "co-operation co-operation"
        );
        assert_eq!(
            normalise_characters("pages 3 \u{2013} 4"),
            "pages 3 \u{2013} 4"
        );
        assert_eq!(normalise_characters("co\u{ad}operation"), "cooperation");
        assert_eq!(normalise_characters("a\u{a0}b"), "a b");
    }

    #[test]
    fn hyphenated_compound_kept_when_the_document_uses_it() {
        let d = normalise(doc(&[
            (1, "children who are looked-\nafter need support"),
            (1, "a looked-after child and co-operation"),
            (1, "duty of co-\noperation"),
        ]));
        assert_eq!(texts(&d)[0], "children who are looked-after need support");
        assert_eq!(texts(&d)[2], "duty of co-operation");
    }

    #[test]
    fn split_plain_word_joined_when_the_document_uses_it() {
        let d = normalise(doc(&[
            (1, "effective collabor-\nation matters"),
            (1, "collaboration is key"),
        ]));
        assert_eq!(texts(&d)[0], "effective collaboration matters");
    }

    #[test]
    fn fallback_follows_the_documents_habit() {
        // Two evidence-backed joins: this typesetter hyphenates words, so an unknown break joins.
        let hyphenating = normalise(doc(&[
            (1, "collabor-\nation and infor-\nmation and partner-\nships"),
            (1, "collaboration information"),
        ]));
        assert_eq!(
            texts(&hyphenating)[0],
            "collaboration and information and partnerships"
        );
        // No evidence at all: a word processor's line-end hyphen is the author's.
        let plain = normalise(doc(&[(1, "a well-\nknown and a multi-\nagency approach")]));
        assert_eq!(texts(&plain)[0], "a well-known and a multi-agency approach");
        // Capital after the break keeps the hyphen.
        let capital = normalise(doc(&[(1, "non-\nEnglish speakers")]));
        assert_eq!(texts(&capital)[0], "non-English speakers");
    }

    #[test]
    fn running_headers_footers_and_page_numbers_removed() {
        let mut pages = Vec::new();
        let topics = [
            "adoption",
            "fostering",
            "education",
            "health",
            "housing",
            "advocacy",
        ];
        for (p, topic) in (1..=6u32).zip(topics) {
            pages.push((p, "Statutory guidance on adoption".to_string()));
            pages.push((p, format!("Body text about {topic}\nwith two lines")));
            pages.push((p, format!("{p}")));
        }
        let blocks: Vec<(u32, &str)> = pages.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let d = normalise(doc(&blocks));
        assert_eq!(d.blocks.len(), 6, "{:?}", texts(&d));
        assert!(
            d.blocks
                .iter()
                .all(|b| b.text.starts_with("Body text about"))
        );
        assert_eq!(d.blocks[3].page, Some(4));
    }

    #[test]
    fn clean_lines_are_recognised_exactly() {
        assert!(is_clean_line("A plain line, with punctuation (and 4.9)."));
        assert!(is_clean_line(""));
        for dirty in [
            "two  spaces",
            " leading",
            "trailing ",
            "line\nbreak",
            "tab\there",
            "caf\u{e9}",
            "back`tick",
        ] {
            assert!(!is_clean_line(dirty), "{dirty:?}");
        }
        // Whatever is called clean, normalisation leaves as it is.
        for line in ["A plain line.", "co-operation and parent's", "word"] {
            let d = normalise(doc(&[(1, line)]));
            assert_eq!(texts(&d), [line]);
        }
    }

    #[test]
    fn a_sentence_repeated_down_every_page_is_content() {
        // Twenty identical lines a page under a real running header, as in a form printed through
        // ghostscript: the header goes, every one of the repeated lines stays.
        let sentence = "The local authority must work in partnership with parents";
        let body = vec![sentence; 20].join("\n");
        let mut pages = Vec::new();
        for p in 1..=5u32 {
            pages.push((p, "Form A: partnership".to_string()));
            pages.push((p, body.clone()));
        }
        let blocks: Vec<(u32, &str)> = pages.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let d = normalise(doc(&blocks));
        assert_eq!(texts(&d).len(), 5, "{:?}", texts(&d));
        let kept = texts(&d).join(" ").matches(sentence).count();
        assert_eq!(kept, 100);
    }

    #[test]
    fn repeated_lines_that_are_all_the_text_are_kept() {
        let d = normalise(doc(&[
            (1, "Looped pages"),
            (2, "Looped pages"),
            (3, "Looped pages"),
        ]));
        assert_eq!(texts(&d), ["Looped pages"; 3]);
    }

    #[test]
    fn ascii_running_keys_are_those_of_the_general_path() {
        for line in [
            "Page 3 of 40",
            "  Statutory guidance\t 2015 ",
            "12",
            "# 12 #",
            "Annex\x0bB",
            "Area SEND inspection report: Dorset, 2024",
            "",
            "  ",
            "v1.2.3 - DRAFT",
        ] {
            let (mut ascii, mut chars) = ("x#".to_string(), "x#".to_string());
            running_key_ascii(line.trim().as_bytes(), &mut ascii);
            running_key_chars(line, &mut chars, usize::MAX);
            assert_eq!(ascii, chars, "{line:?}");
        }
        // Random lines of the bytes the key treats differently, after a key ending in `#`.
        let pieces = [
            "a", "Q", "1", "90", " ", "  ", "\t", "\x0b", "#", "-", ".", "\r",
        ];
        let mut next = random_below(7);
        let mut empty = 0;
        for _ in 0..20_000 {
            let line: String = (0..next(12)).map(|_| pieces[next(pieces.len())]).collect();
            let (mut ascii, mut chars) = ("x#".to_string(), "x#".to_string());
            running_key_ascii(line.trim().as_bytes(), &mut ascii);
            running_key_chars(&line, &mut chars, usize::MAX);
            assert_eq!(ascii, chars, "{line:?}");
            empty += usize::from(ascii == "x#");
        }
        assert!(empty > 1000 && empty < 19_000, "{empty}");
    }

    #[test]
    fn key_prefixes_are_the_first_bytes_of_keys() {
        // Lines of up to 40 pieces, ASCII or not, so keys are shorter and longer than the
        // prefix and the prefix may end inside a character.
        let pieces = [
            "a", "Q", "1", "90", " ", "  ", "\t", "#", "-", "\u{e9}", "\u{2002}", "\u{130}",
        ];
        let mut next = random_below(3);
        let (mut long, mut short) = (0, 0);
        // Kept from line to line, as running_keys keeps it.
        let mut scratch = "left over".to_string();
        for _ in 0..20_000 {
            let line: String = (0..next(40)).map(|_| pieces[next(pieces.len())]).collect();
            let mut key = String::new();
            running_key(&line, &mut key);
            if key.is_empty() {
                continue; // any prefix will do
            }
            let mut prefix = b"x".to_vec();
            running_key_prefix(&line, &mut prefix, &mut scratch);
            let want = &key.as_bytes()[..KEY_PREFIX.min(key.len())];
            assert_eq!(&prefix[1..], want, "{line:?}");
            long += usize::from(key.len() > KEY_PREFIX);
            short += usize::from(key.len() <= KEY_PREFIX);
        }
        assert!(long > 1000 && short > 1000, "{long} {short}");
    }

    #[test]
    fn page_numbers_recognised() {
        for yes in ["12", "Page 12", "page 3 of 40", "- 7 -", "xii", "12 of 40"] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in [
            "civil",
            "mix",
            "12 children",
            "Page twelve",
            "2014 to 2015 data",
            "Section 4",
        ] {
            assert!(!is_page_number(no), "{no}");
        }
    }
}
