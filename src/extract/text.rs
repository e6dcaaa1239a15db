//! Plain text → blocks.
//!
//! - Encoding: a byte-order mark decides (UTF-8, UTF-16 LE/BE); otherwise `--encoding` if
//!   given, else the bytes must be UTF-8, and an error names the first invalid byte and
//!   suggests `--encoding`. termtally never guesses a legacy encoding silently.
//! - Pages: form feeds (`\f`, as `pdftotext` writes between pages) separate pages numbered
//!   from 1; a text without form feeds has no pages. A form feed ending the text does not start
//!   another page.
//! - Blocks: paragraphs separated by blank lines, keeping their line breaks as `\n` (CR LF and
//!   CR line ends included). A block opening with a paragraph number has it, carried forward as
//!   for PDFs.
//!
//! Work is linear in the size of the text: a single 2 GB line is one pass to validate, one to
//! find line ends and one copy.

use std::borrow::Cow;
// SIMD, with the errors (`valid_up_to`) of `std::str::from_utf8`.
use simdutf8::compat::from_utf8;

use crate::document::{Block, Document, Format};
use crate::extract::sections::{carry_forward, paragraph_number};
use crate::extract::{ExtractError, ExtractOptions};

pub fn extract(name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let text = decode(bytes, opts.encoding)?;
    let mut doc = Document::new(name, Format::Text);
    let has_pages = text.contains('\u{c}');
    let body = if has_pages {
        text.strip_suffix('\u{c}').unwrap_or(&text)
    } else {
        &text[..]
    };
    let page_count = split_blocks(body, has_pages.then_some(1), true, &mut doc.blocks);
    if has_pages {
        doc.page_count = Some(page_count);
    }
    carry_forward(&mut doc.blocks);
    Ok(doc)
}

/// Splits text into blocks: pages at form feeds, numbered from `first_page` (`None`: the text
/// has no pages), paragraphs at blank lines; with `numbered`, each block opening with a
/// paragraph number has it as its section. Returns the number of pages (form feeds + 1).
/// `count` also calls it on each chunk of a large file it streams ([`crate::stream`]), without
/// paragraph numbers when it counts by document or page.
pub(crate) fn split_blocks(
    body: &str,
    first_page: Option<u32>,
    numbered: bool,
    blocks: &mut Vec<Block>,
) -> u32 {
    let mut page_count = 0u32;
    for (index, page) in pages(body).enumerate() {
        let offset = u32::try_from(index).unwrap_or(u32::MAX);
        let page_number = first_page.map(|first| first.saturating_add(offset));
        page_count = page_count.saturating_add(1);
        paragraphs(page, page_number, numbered, blocks);
    }
    page_count
}

/// The pages of a text: its pieces between form feeds (as `split('\u{c}')`, found with
/// `memchr` rather than a character at a time).
fn pages(body: &str) -> impl Iterator<Item = &str> {
    let mut ends = memchr::memchr_iter(b'\x0c', body.as_bytes());
    let mut at = Some(0);
    std::iter::from_fn(move || {
        let start = at?;
        match ends.next() {
            Some(end) => {
                at = Some(end + 1);
                Some(&body[start..end])
            }
            None => {
                at = None;
                Some(&body[start..])
            }
        }
    })
}

/// The text of the file: BOM first, then the user's encoding, then UTF-8 or an error.
fn decode<'a>(
    bytes: &'a [u8],
    user_encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Cow<'a, str>, ExtractError> {
    let (encoding, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (Some(encoding), &bytes[bom_len..]),
        None => (user_encoding, bytes),
    };
    match encoding {
        None => from_utf8(body).map(Cow::Borrowed).map_err(|e| {
            ExtractError::Encoding(format!(
                "not UTF-8 text (invalid bytes at byte {}): give --encoding, e.g. --encoding \
                 windows-1252",
                e.valid_up_to()
            ))
        }),
        Some(encoding) if encoding == encoding_rs::UTF_8 => {
            from_utf8(body).map(Cow::Borrowed).map_err(|e| {
                ExtractError::Encoding(format!(
                    "not valid UTF-8 text although it starts with a UTF-8 byte-order mark \
                     (invalid bytes at byte {})",
                    e.valid_up_to() + bytes.len() - body.len()
                ))
            })
        }
        Some(encoding) => {
            let (text, had_errors) = encoding.decode_without_bom_handling(body);
            if had_errors {
                Err(ExtractError::Encoding(format!(
                    "not valid {} text: give the right --encoding",
                    encoding.name()
                )))
            } else {
                Ok(text)
            }
        }
    }
}

/// Splits one page into paragraphs at blank lines.
fn paragraphs(page: &str, page_number: Option<u32>, numbered: bool, blocks: &mut Vec<Block>) {
    // A paragraph whose lines need no trimming and are separated by one LF is a slice of the
    // page (`pdftotext` output is mostly that): copied once, not line by line.
    let mut span: Option<(usize, usize)> = None;
    let mut paragraph = String::new();
    let mut emit = |span: &mut Option<(usize, usize)>, paragraph: &mut String| {
        let text = match span.take() {
            Some((start, end)) => page[start..end].to_string(),
            None => std::mem::take(paragraph),
        };
        if !text.is_empty() {
            blocks.push(Block {
                page: page_number,
                section: if numbered {
                    paragraph_number(head(&text, 64))
                } else {
                    None
                },
                text,
                ..Block::default()
            });
        }
    };
    for raw in lines(page) {
        let line = trim_line(raw);
        if line.is_empty() {
            emit(&mut span, &mut paragraph);
            continue;
        }
        let start = line.as_ptr() as usize - page.as_ptr() as usize;
        match span {
            None if paragraph.is_empty() => span = Some((start, start + line.len())),
            Some((first, end)) if start == end + 1 && page.as_bytes()[end] == b'\n' => {
                span = Some((first, start + line.len()));
            }
            Some((first, end)) => {
                paragraph.push_str(&page[first..end]);
                span = None;
                paragraph.push('\n');
                paragraph.push_str(line);
            }
            None => {
                paragraph.push('\n');
                paragraph.push_str(line);
            }
        }
    }
    emit(&mut span, &mut paragraph);
}

/// `line.trim()`, returning at once the usual line that starts and ends with a printable ASCII
/// character (nothing to trim); any other is trimmed as `str::trim` does (Unicode white space).
#[inline]
fn trim_line(line: &str) -> &str {
    match (line.as_bytes().first(), line.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => line,
        _ => line.trim(),
    }
}

/// The lines of a page, ended by LF, CR LF or CR.
fn lines(page: &str) -> impl Iterator<Item = &str> {
    let bytes = page.as_bytes();
    // One searcher for the whole page: most lines are short, and setting up a search per line
    // cost more than the search.
    let mut ends = memchr::memchr2_iter(b'\n', b'\r', bytes);
    let mut at = Some(0);
    std::iter::from_fn(move || {
        let start = at?;
        loop {
            match ends.next() {
                Some(end) if end < start => {} // the LF of a CR LF, already passed
                Some(end) => {
                    let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
                    at = Some(end + 1 + usize::from(crlf));
                    return Some(&page[start..end]);
                }
                None => {
                    at = None;
                    return Some(&page[start..]);
                }
            }
        }
    })
}

/// The first `max` bytes of `text`, cut at a character boundary: paragraph numbers sit at the
/// start, so a huge block is not scanned.
fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paragraphs as the line-by-line rule defines them: lines trimmed, blank ones end a
    /// paragraph, the others joined with LF.
    fn line_by_line(page: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut paragraph: Vec<&str> = Vec::new();
        for line in lines(page) {
            let line = line.trim();
            if line.is_empty() {
                if !paragraph.is_empty() {
                    out.push(paragraph.join("\n"));
                }
                paragraph.clear();
            } else {
                paragraph.push(line);
            }
        }
        if !paragraph.is_empty() {
            out.push(paragraph.join("\n"));
        }
        out
    }

    #[test]
    fn pages_and_lines_are_the_pieces_between_their_ends() {
        let pieces = ["a", "é", "\n", "\r", "\r\n", "\u{c}", " "];
        let mut state = 11u64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..8 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            assert_eq!(
                pages(&text).collect::<Vec<_>>(),
                text.split('\u{c}').collect::<Vec<_>>(),
                "{text:?}"
            );
            let unified = text.replace("\r\n", "\n").replace('\r', "\n");
            assert_eq!(
                lines(&text).collect::<Vec<_>>(),
                unified.split('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn paragraphs_copied_as_slices_equal_the_line_by_line_rule() {
        let pieces = [
            "word",
            "two words",
            "  indented",
            "trailing  ",
            "",
            " ",
            "\t",
            "é",
        ];
        let seps = ["\n", "\r\n", "\r", "\n\n"];
        let mut state = 7u64;
        for _ in 0..2000 {
            let mut page = String::new();
            for _ in 0..6 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (state >> 33) as usize;
                page.push_str(pieces[r % pieces.len()]);
                page.push_str(seps[(r / 8) % seps.len()]);
            }
            let mut blocks = Vec::new();
            paragraphs(&page, Some(1), false, &mut blocks);
            let texts: Vec<String> = blocks.into_iter().map(|b| b.text).collect();
            assert_eq!(texts, line_by_line(&page), "{page:?}");
        }
    }
}
