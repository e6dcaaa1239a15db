//! Word (DOCX) → one block per paragraph of `word/document.xml`, then the footnotes and endnotes.
//!
//! - Text is the `w:t` of runs; `w:tab` becomes a tab, `w:br`/`w:cr` a line break, a
//!   non-breaking hyphen `-`, a soft hyphen U+00AD (normalisation removes it).
//! - Tracked changes are read as accepted: inserted text (`w:ins`) is kept, deleted
//!   (`w:del`, `w:delText`) and moved-away (`w:moveFrom`) text is left out. Field codes
//!   (`w:instrText`, e.g. `PAGE`, `HYPERLINK "..."`) are left out; field results are kept.
//!   Markup-compatibility fallbacks (`mc:Fallback`, an older copy of the same text box) are
//!   left out so text boxes are not counted twice. Text boxes come out as their own blocks.
//! - Footnotes and endnotes are document text a reader sees, so they are appended as blocks
//!   after the body (without section numbers: they are not part of the numbered paragraphs).
//!   Headers and footers are not read (they repeat on every page and inflate counts).
//! - Sections: a paragraph whose text opens with a number ("4.9 Local authorities...") has it,
//!   carried forward to the paragraphs that follow, as for PDFs. Word's automatic numbering
//!   (`w:numPr`) is not resolved: the number would have to be computed from the numbering
//!   definitions and every earlier list paragraph, and is not in the text. No pages: page
//!   breaks in a DOCX depend on the renderer.
//!
//! Hostile files: nothing is ever written to disk and only the named parts are read, so entry
//! names such as `../evil` do nothing. A part is refused when its declared size exceeds the
//! limit, and it is read through `take()` so a header that understates the size (a zip bomb)
//! cannot make termtally unpack more than the limit either. The XML is parsed as in
//! [`crate::extract::clml`]: streaming, no recursion, entities never expanded.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use zip::ZipArchive;
use zip::result::ZipError;

use crate::document::{Block, Document, Format};
use crate::extract::clml::{decode_xml, position_error, resolve_reference, xml_error};
use crate::extract::sections::{carry_forward, paragraph_number};
use crate::extract::{ExtractError, ExtractOptions};

/// Largest unpacked size of one part (`word/document.xml`, footnotes, endnotes) termtally reads.
pub const MAX_PART_BYTES: u64 = 256 << 20;

const BODY_PART: &str = "word/document.xml";
const NOTE_PARTS: [&str; 2] = ["word/footnotes.xml", "word/endnotes.xml"];

pub fn extract(name: &str, bytes: &[u8], _opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(&e))?;
    let body = read_part(&mut archive, BODY_PART, MAX_PART_BYTES)?.ok_or_else(|| {
        ExtractError::WrongFormat {
            expected: "Word (.docx) document",
            found: "a ZIP archive without word/document.xml".to_string(),
        }
    })?;
    let mut blocks = paragraphs(BODY_PART, &body, true)?;
    for block in &mut blocks {
        block.section = paragraph_number(&block.text);
    }
    carry_forward(&mut blocks);
    for part in NOTE_PARTS {
        if let Some(xml) = read_part(&mut archive, part, MAX_PART_BYTES)? {
            blocks.extend(paragraphs(part, &xml, false)?);
        }
    }
    let mut doc = Document::new(name, Format::Docx);
    doc.blocks = blocks;
    Ok(doc)
}

/// The unpacked bytes of one part, `None` when the archive has no such entry.
fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    part: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let too_large = |size: &str| {
        ExtractError::TooLarge(format!(
            "{part} unpacks to {size}; termtally reads parts of up to {} MB (is it a zip bomb?)",
            limit >> 20
        ))
    };
    let mut file = match archive.by_name(part) {
        Ok(file) => file,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(zip_error(&e)),
    };
    if file.size() > limit {
        return Err(too_large(&format!("{} MB", file.size() >> 20)));
    }
    // The declared size may lie: never trust it for more than a first allocation.
    let mut out = Vec::with_capacity(usize::try_from(file.size().min(16 << 20)).unwrap_or(0));
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| ExtractError::BadDocx(format!("cannot unpack {part}: {e}")))?;
    if out.len() as u64 > limit {
        return Err(too_large(&format!("more than {} MB", limit >> 20)));
    }
    Ok(Some(out))
}

fn zip_error(e: &ZipError) -> ExtractError {
    match e {
        ZipError::InvalidArchive(why) => ExtractError::BadDocx(format!(
            "cannot open its ZIP archive, the file is probably truncated ({why})"
        )),
        ZipError::UnsupportedArchive(why) if why.contains("assword") => ExtractError::BadDocx(
            "the file is password-protected; save an unprotected copy".to_string(),
        ),
        ZipError::UnsupportedArchive(why) => {
            ExtractError::BadDocx(format!("unsupported ZIP archive ({why})"))
        }
        ZipError::Io(io) => ExtractError::BadDocx(format!(
            "cannot unpack the file ({io}); it may be truncated or damaged"
        )),
        other => ExtractError::BadDocx(other.to_string()),
    }
}

const W_MAIN: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MARKUP_COMPATIBILITY: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Paragraph,
    Run,
    Text,
    /// Content left out with everything inside it.
    LeftOut,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Word,
    MarkupCompatibility,
    Other,
}

fn namespace_of(ns: &ResolveResult) -> Namespace {
    match ns {
        ResolveResult::Bound(n) if n.0 == W_MAIN || n.0 == W_STRICT => Namespace::Word,
        ResolveResult::Bound(n) if n.0 == MARKUP_COMPATIBILITY => Namespace::MarkupCompatibility,
        _ => Namespace::Other,
    }
}

fn tag_of(ns: Namespace, local: &str, start: &BytesStart) -> Tag {
    match ns {
        Namespace::MarkupCompatibility if local == "Fallback" => return Tag::LeftOut,
        Namespace::Word => {}
        _ => return Tag::Other,
    }
    match local {
        "p" => Tag::Paragraph,
        "r" => Tag::Run,
        "t" => Tag::Text,
        "del" | "moveFrom" | "delText" | "instrText" | "delInstrText" => Tag::LeftOut,
        // Separator lines between body and notes are notes of these types.
        "footnote" | "endnote" => {
            let kind = start
                .attributes()
                .flatten()
                .find(|a| a.key.local_name().as_ref() == "type")
                .map(|a| a.value.into_owned());
            match kind.as_deref() {
                Some("separator" | "continuationSeparator" | "continuationNotice") => Tag::LeftOut,
                _ => Tag::Other,
            }
        }
        _ => Tag::Other,
    }
}

/// The heading level a paragraph property gives: `<w:pStyle w:val="Heading2"/>` (Word's and
/// LibreOffice's style ids "Heading1"…"Heading9", and "Title" as level 1) or
/// `<w:outlineLvl w:val="1"/>` (0-based).
fn heading_level(local: &str, start: &quick_xml::events::BytesStart) -> Option<u8> {
    let value = start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .map(|a| a.value.into_owned())?;
    match local {
        "pStyle" if value.eq_ignore_ascii_case("title") => Some(1),
        "pStyle" => value
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("heading"))
            .and_then(|_| value[7..].trim().parse::<u8>().ok())
            .filter(|n| (1..=9).contains(n)),
        // Level 9 (0-based) is Word's "body text".
        "outlineLvl" => value.parse::<u8>().ok().filter(|n| *n < 9).map(|n| n + 1),
        _ => None,
    }
}

/// What an empty run element (`<w:tab/>`) adds to the text.
fn run_content(local: &str) -> Option<char> {
    match local {
        "tab" | "ptab" => Some('\t'),
        "br" | "cr" => Some('\n'),
        "noBreakHyphen" => Some('-'),
        "softHyphen" => Some('\u{ad}'),
        _ => None,
    }
}

/// The paragraphs of one part, in order; a paragraph nested in another (a text box) comes
/// before the rest of its host.
#[allow(
    clippy::too_many_lines,
    reason = "one loop over the XML events with its state in local variables; split, they would be passed around piecemeal"
)]
fn paragraphs(part: &str, bytes: &[u8], is_body: bool) -> Result<Vec<Block>, ExtractError> {
    let in_part = |e: ExtractError| match e {
        ExtractError::BadXml(why) => ExtractError::BadDocx(format!("{part}: malformed XML: {why}")),
        other => other,
    };
    let text = decode_xml(bytes).map_err(in_part)?;
    let mut reader = NsReader::from_str(&text);
    let mut stack: Vec<Tag> = Vec::new();
    let mut skip_depth = 0usize;
    // Each open paragraph's text and, when its style is a heading's, the heading level.
    let mut open_paragraphs: Vec<(String, Option<u8>)> = Vec::new();
    let mut blocks = Vec::new();
    let mut root_checked = false;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (namespace_of(&ns), event),
            Err(e) => return Err(in_part(xml_error(&text, reader.error_position(), &e))),
        };
        match event {
            Event::Start(start) => {
                let local = start.local_name();
                let local = local.as_ref();
                if !root_checked {
                    root_checked = true;
                    let expected = if is_body { "document" } else { local };
                    if local != expected {
                        return Err(ExtractError::BadDocx(format!(
                            "{part} is not a Word document body (its root is <{local}>)"
                        )));
                    }
                }
                let tag = if skip_depth > 0 {
                    Tag::LeftOut
                } else {
                    tag_of(ns, local, &start)
                };
                match tag {
                    Tag::LeftOut => skip_depth += 1,
                    Tag::Paragraph => open_paragraphs.push((String::new(), None)),
                    _ => {}
                }
                stack.push(tag);
            }
            Event::Empty(start) => {
                let in_run = stack.last() == Some(&Tag::Run);
                if skip_depth == 0 && ns == Namespace::Word {
                    let local = start.local_name();
                    if let (Some(c), Some(paragraph), true) = (
                        run_content(local.as_ref()),
                        open_paragraphs.last_mut(),
                        in_run,
                    ) {
                        paragraph.0.push(c);
                    }
                    if let (Some(level), Some(paragraph)) = (
                        heading_level(local.as_ref(), &start),
                        open_paragraphs.last_mut(),
                    ) {
                        paragraph.1.get_or_insert(level);
                    }
                }
            }
            Event::End(_) => match stack.pop() {
                Some(Tag::LeftOut) => skip_depth = skip_depth.saturating_sub(1),
                Some(Tag::Paragraph) => {
                    if let Some((paragraph, level)) = open_paragraphs.pop() {
                        let trimmed = paragraph.trim();
                        if !trimmed.is_empty() {
                            blocks.push(Block {
                                text: trimmed.to_string(),
                                heading_level: level,
                                ..Block::default()
                            });
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) if skip_depth == 0 && stack.last() == Some(&Tag::Text) => {
                if let Some(paragraph) = open_paragraphs.last_mut() {
                    paragraph.0.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if skip_depth == 0 && stack.last() == Some(&Tag::Text) => {
                let c = resolve_reference(&r).map_err(|why| {
                    in_part(position_error(&text, reader.buffer_position(), &why))
                })?;
                if let Some(paragraph) = open_paragraphs.last_mut() {
                    paragraph.0.push(c);
                }
            }
            Event::GeneralRef(r) => {
                // Outside text, but an undeclared entity is still refused, never expanded.
                resolve_reference(&r).map_err(|why| {
                    in_part(position_error(&text, reader.buffer_position(), &why))
                })?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(ExtractError::BadDocx(format!(
            "{part} ends before its XML does: the file is incomplete"
        )));
    }
    if !root_checked {
        return Err(ExtractError::BadDocx(format!("{part} is empty")));
    }
    Ok(blocks)
}
