//! HTML (gov.uk and legislation.gov.uk pages) → the body text as blocks.
//!
//! - Only what a reader sees as the page's content: where the page marks its content (`main`,
//!   `#content`, `.govspeak`, in that order of preference) only that is read, otherwise the
//!   `body`. Scripts, styles, navigation, headers, footers, asides, forms, SVG, templates,
//!   hidden elements (`hidden`, `aria-hidden="true"`, `display:none`), navigation/banner/footer
//!   roles and gov.uk's screen-reader-only text (`govuk-visually-hidden`: "opens in new tab",
//!   "Contents") are left out.
//! - One block per paragraph, list item, heading, table cell, blockquote, `dt`/`dd` and `pre`;
//!   text sitting directly in other containers (`div`, `section`...) forms blocks of its own.
//!   `<br>` and the lines of a `pre` become `\n` inside a block; other white space collapses.
//! - Sections: a block opening with a paragraph number ("4.9 Local authorities...") has it;
//!   following blocks carry it forward, as for PDFs. No pages.
//! - Charset: a byte-order mark, else `--encoding`, else `<meta charset>` (or `http-equiv`
//!   content type) in the first 1024 bytes, else UTF-8; bytes that are not valid in the chosen
//!   encoding give an error suggesting `--encoding`.
//!
//! Bounded work: html5ever builds the tree without recursion and the walk below uses ego-tree's
//! iterative traversal, so nesting cannot overflow the stack; but html5ever's tree builder
//! scans its stack of open elements for each block-level start tag, which is quadratic in the
//! nesting depth (20,000 nested `div`s take half a minute). A linear pre-scan of the tags
//! therefore refuses pages nested deeper than [`MAX_NESTING`], far beyond real pages (browsers
//! themselves stop nesting at a few hundred levels).

use std::sync::LazyLock;

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use crate::document::{Block, Document, Format};
use crate::extract::sections::{carry_forward, paragraph_number};
use crate::extract::{ExtractError, ExtractOptions};

pub fn extract(name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let text = decode(bytes, opts.encoding)?;
    let shape = tag_shape(&text);
    if shape.depth > MAX_NESTING {
        return Err(ExtractError::TooLarge(format!(
            "elements nested {} deep; termtally reads HTML nested up to {MAX_NESTING} deep",
            shape.depth
        )));
    }
    if shape.attributes > MAX_ATTRIBUTES {
        return Err(ExtractError::TooLarge(format!(
            "an element with {} attributes; termtally reads HTML elements with up to \
             {MAX_ATTRIBUTES} attributes",
            shape.attributes
        )));
    }
    let html = Html::parse_document(&text);
    let mut blocks = Vec::new();
    for root in content_roots(&html) {
        blocks = blocks_of(root);
        if !blocks.is_empty() {
            break;
        }
    }
    for block in &mut blocks {
        block.section = paragraph_number(&block.text);
    }
    carry_forward(&mut blocks);
    let mut doc = Document::new(name, Format::Html);
    doc.blocks = blocks;
    Ok(doc)
}

static CONTENT_SELECTORS: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    ["main", "#content", ".govspeak", "body"]
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .collect()
});

/// Where the content is, most specific first; the whole document last.
fn content_roots(html: &Html) -> Vec<ElementRef<'_>> {
    let mut roots: Vec<ElementRef> = CONTENT_SELECTORS
        .iter()
        .filter_map(|s| html.select(s).next())
        .collect();
    roots.push(html.root_element());
    roots
}

fn is_left_out(element: &scraper::node::Element) -> bool {
    let dropped_tag = matches!(
        element.name(),
        "script"
            | "style"
            | "noscript"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "form"
            | "svg"
            | "math"
            | "template"
            | "iframe"
            | "object"
            | "canvas"
            | "select"
            | "textarea"
            | "button"
            | "head"
    );
    dropped_tag
        || element.attr("hidden").is_some()
        || element
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || element.attr("role").is_some_and(|role| {
            role.split_whitespace().any(|r| {
                ["navigation", "banner", "contentinfo", "search"]
                    .iter()
                    .any(|d| r.eq_ignore_ascii_case(d))
            })
        })
        || element.attr("style").is_some_and(|style| {
            let style: String = style
                .split_whitespace()
                .collect::<String>()
                .to_ascii_lowercase();
            style.contains("display:none") || style.contains("visibility:hidden")
        })
        || element
            .classes()
            .any(|c| c == "govuk-visually-hidden" || c == "visually-hidden")
}

/// The level of a heading element: `h1` 1 … `h4` 4 (`h5` and `h6` are too small to be
/// taken for the structure of a page).
fn heading_level(tag: &str) -> Option<u8> {
    match tag {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        _ => None,
    }
}

/// Elements that run inside a line of text rather than starting a block.
fn is_inline(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "abbr"
            | "acronym"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "label"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
    )
}

#[derive(Default)]
struct Collector {
    blocks: Vec<Block>,
    current: String,
    pending_space: bool,
    pre_depth: usize,
    /// Set as an `h1`–`h4` closes, for the block its text becomes.
    heading_level: Option<u8>,
}

impl Collector {
    fn text(&mut self, text: &str) {
        if self.pre_depth > 0 {
            self.current.push_str(text);
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.current.is_empty() && !self.current.ends_with('\n') {
                    self.current.push(' ');
                }
                self.pending_space = false;
                self.current.push(c);
            }
        }
    }

    fn line_break(&mut self) {
        if !self.current.is_empty() {
            self.current.push('\n');
        }
        self.pending_space = false;
    }

    fn flush(&mut self) {
        self.pending_space = false;
        let text = self.current.trim_end();
        if !text.trim_start().is_empty() {
            self.blocks.push(Block {
                text: text.to_string(),
                heading_level: self.heading_level,
                ..Block::default()
            });
        }
        self.heading_level = None;
        self.current.clear();
    }
}

fn blocks_of(root: ElementRef) -> Vec<Block> {
    let mut out = Collector::default();
    // Depth inside a left-out element; counted on element open/close edges only.
    let mut skip_depth = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element) => {
                    if skip_depth > 0 || is_left_out(element) {
                        skip_depth += 1;
                        continue;
                    }
                    match element.name() {
                        "br" => out.line_break(),
                        tag if is_inline(tag) => {}
                        tag => {
                            out.flush();
                            if tag == "pre" {
                                out.pre_depth += 1;
                            }
                        }
                    }
                }
                Node::Text(text) if skip_depth == 0 => out.text(text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    match element.name() {
                        "br" => {}
                        tag if is_inline(tag) => {}
                        tag => {
                            out.heading_level = heading_level(tag);
                            out.flush();
                            if tag == "pre" {
                                out.pre_depth = out.pre_depth.saturating_sub(1);
                            }
                        }
                    }
                }
            }
        }
    }
    out.flush();
    out.blocks
}

/// Deepest nesting of elements termtally parses.
pub const MAX_NESTING: usize = 3000;

/// The deepest nesting of open elements, estimated in one linear pass over the tags: start tags
/// open and end tags close an element, except void elements (`br`, `img`...) and elements whose
/// end tag is optional and usually omitted (`p`, `li`, `td`...), which the parser closes by
/// itself. Comments and the contents of `script`, `style`, `textarea` and `title` are skipped.
pub fn nesting_depth(html: &str) -> usize {
    tag_shape(html).depth
}

/// Most attributes on one element: html5ever checks each new attribute against those before it
/// (to drop duplicates), so one element with 500,000 attributes took minutes. Real elements have
/// a few dozen at most.
pub const MAX_ATTRIBUTES: usize = 10_000;

/// What the linear pre-scan of the tags finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagShape {
    /// The deepest nesting of open elements (see [`nesting_depth`]).
    pub depth: usize,
    /// The most attributes on one start tag.
    pub attributes: usize,
}

/// The number of attributes in the inside of a start tag after its name (up to its `>`), read
/// as the HTML tokenizer reads them: a name, then optionally `=` and a quoted or bare value.
fn attribute_count(tag: &[u8]) -> usize {
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut count = 0;
    let mut i = 0;
    let skip_spaces = |i: &mut usize| {
        while *i < tag.len() && space(tag[*i]) {
            *i += 1;
        }
    };
    loop {
        while i < tag.len() && (space(tag[i]) || tag[i] == b'/') {
            i += 1;
        }
        if i >= tag.len() || tag[i] == b'>' {
            return count;
        }
        count += 1;
        while i < tag.len() && !space(tag[i]) && !matches!(tag[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        skip_spaces(&mut i);
        if tag.get(i) == Some(&b'=') {
            i += 1;
            skip_spaces(&mut i);
            match tag.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    i += 1;
                    while i < tag.len() && tag[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < tag.len() && !space(tag[i]) && tag[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
    }
}

/// [`TagShape`] in one pass.
pub fn tag_shape(html: &str) -> TagShape {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    let mut attributes = 0usize;
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[at..]) {
        at += offset + 1;
        let rest = &bytes[at..];
        if rest.starts_with(b"!--") {
            at += find_bytes(&rest[3..], b"-->").map_or(rest.len(), |end| end + 6);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = usize::from(closing);
        let name_len = rest[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b':')
            .count();
        if name_len == 0 || !rest[name_start].is_ascii_alphabetic() {
            continue; // "<!DOCTYPE", "<?", or a bare "<" in text
        }
        let name = rest[name_start..name_start + name_len].to_ascii_lowercase();
        let tag_end = memchr::memchr(b'>', rest).map_or(rest.len(), |end| end + 1);
        if !closing {
            attributes = attributes.max(attribute_count(&rest[name_start + name_len..tag_end]));
        }
        at += tag_end;
        if closes_itself(&name) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max_depth = max_depth.max(depth);
            if matches!(
                name.as_slice(),
                b"script" | b"style" | b"textarea" | b"title" | b"xmp"
            ) {
                let mut end_tag = b"</".to_vec();
                end_tag.extend_from_slice(&name);
                at += find_bytes(&bytes[at..], &end_tag).unwrap_or(bytes.len() - at);
            }
        }
    }
    TagShape {
        depth: max_depth,
        attributes,
    }
}

fn closes_itself(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"colgroup"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"rtc"
            | b"html"
            | b"head"
            | b"body"
    )
}

/// Where `needle` (lower case, not empty) first occurs in `haystack`, ignoring ASCII case.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memchr_iter(needle[0], haystack).find(|&at| {
        haystack[at..]
            .get(..needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// The page as text, in the encoding its BOM, the user or its `<meta>` names; UTF-8 otherwise.
fn decode(
    bytes: &[u8],
    user_encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<String, ExtractError> {
    let (encoding, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (encoding, &bytes[bom_len..]),
        None => (
            user_encoding
                .or_else(|| meta_charset(bytes))
                .unwrap_or(encoding_rs::UTF_8),
            bytes,
        ),
    };
    if encoding == encoding_rs::UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(ExtractError::Encoding(format!(
                "not UTF-8 text (invalid bytes at byte {}) and the page declares no other \
                 charset: give --encoding, e.g. --encoding windows-1252",
                e.valid_up_to()
            ))),
        };
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        return Err(ExtractError::Encoding(format!(
            "the page is not valid {} text: give the right --encoding",
            encoding.name()
        )));
    }
    Ok(text.into_owned())
}

/// The charset a `<meta>` in the first 1024 bytes declares (the HTML prescan, simplified).
fn meta_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        let tag = &rest[at..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if let Some(pos) = tag.find("charset") {
            let value = tag[pos + "charset".len()..].trim_start();
            if let Some(value) = value.strip_prefix('=') {
                let value = value.trim_start().trim_start_matches(['"', '\'']);
                let label: String = value
                    .chars()
                    .take_while(|c| {
                        !matches!(c, '"' | '\'' | ';' | '/' | '>') && !c.is_whitespace()
                    })
                    .collect();
                if let Some(encoding) = encoding_rs::Encoding::for_label(label.as_bytes()) {
                    // The HTML standard reads a UTF-16 declaration in an ASCII-compatible
                    // prefix as UTF-8, and x-user-defined as windows-1252.
                    return Some(match encoding.name() {
                        "UTF-16LE" | "UTF-16BE" => encoding_rs::UTF_8,
                        "x-user-defined" => encoding_rs::WINDOWS_1252,
                        _ => encoding,
                    });
                }
            }
        }
        rest = &rest[at + "<meta".len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_attributes_outside_quoted_values() {
        let count = |tag: &str| tag_shape(tag).attributes;
        assert_eq!(count("<p class=\"a b c\" hidden id=x data-x='1 2'>"), 4);
        assert_eq!(count("<br/><img src = \"a.png\" alt=''>"), 2);
        assert_eq!(count("<p>a=b c d</p>"), 0);
        let many = format!("<p {}>x</p>", "a ".repeat(20_000));
        assert_eq!(count(&many), 20_000);
    }

    #[test]
    fn finds_meta_charset() {
        assert_eq!(
            meta_charset(b"<html><head><meta charset=\"windows-1252\">"),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(
            meta_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
            ),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(meta_charset(b"<html><body>charset=latin1</body>"), None);
    }
}
