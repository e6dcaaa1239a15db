//! Stage 1: file bytes → [`Document`] with pages, blocks and section numbers.
//!
//! The format is sniffed from the bytes (magic numbers, XML root element), never only from the
//! file name. Each format has its own module; PDF extraction runs in a separate worker process
//! with a time and memory limit, because `pdf-extract` can panic or loop on some files.

pub mod clml;
pub mod docx;
pub mod encoding;
pub mod html;
pub mod pdf;
pub mod pdf_images;
pub mod read;
pub mod sections;
pub mod text;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::document::{Document, Format};

/// How PDFs are extracted.
#[derive(Debug, Clone)]
pub enum PdfRunner {
    /// In a child process running this executable's hidden `__pdf-worker` command: a panic,
    /// hang or runaway allocation kills only the child.
    Subprocess(PathBuf),
    /// In this process (tests, fuzzing); panics are caught but hangs are not.
    InProcess,
}

#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Time limit for one document.
    pub timeout: Duration,
    pub password: Option<String>,
    /// Encoding for non-UTF plain text.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub include_commentaries: bool,
    pub include_amendments: bool,
    pub pdf: PdfRunner,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            timeout: Duration::from_secs(60),
            password: None,
            encoding: None,
            include_commentaries: false,
            include_amendments: false,
            pdf: PdfRunner::InProcess,
        }
    }
}

/// Why a document could not be read, worded for the people who use termtally.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExtractError {
    #[error("no such file")]
    NotFound,
    #[error("is a folder, not a document (give the files inside it, e.g. folder/*.pdf)")]
    IsDirectory,
    #[error("the file is empty")]
    Empty,
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("not a {expected}: {found}")]
    WrongFormat {
        expected: &'static str,
        found: String,
    },
    #[error("unrecognised file type: {0}")]
    Unrecognised(String),
    #[error("encrypted PDF: give --password")]
    Encrypted,
    #[error("encrypted PDF: the password given with --password is wrong")]
    WrongPassword,
    #[error("no text layer: this PDF is a scanned image; run OCR first")]
    NoTextLayer,
    #[error("no text: every page of this PDF is blank")]
    Blank,
    #[error("damaged or unreadable PDF: {0}")]
    BadPdf(String),
    #[error("gave up after {} (raise --timeout to wait longer)", seconds(*.0))]
    Timeout(u64),
    #[error("the PDF reader crashed on this file ({0})")]
    Crashed(String),
    #[error("malformed XML: {0}")]
    BadXml(String),
    #[error("damaged Word file: {0}")]
    BadDocx(String),
    #[error("{0}")]
    Encoding(String),
    #[error("too large: {0}")]
    TooLarge(String),
    /// The isolated PDF worker reached its memory limit (in MB). Said plainly: a file of a few
    /// KB can do this when it is damaged (fuzzing found such files), so "too large" would mislead.
    #[error(
        "the PDF reader ran out of memory on this file: it is damaged, or needs more than the {0} MB that TERMTALLY_PDF_MEMORY_MB allows"
    )]
    OutOfMemory(u64),
    #[error("nothing arrived for {} (is anything writing to this pipe or device? raise --timeout to wait longer)", seconds(*.0))]
    NoData(u64),
}

fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".to_string()
    } else {
        format!("{n} seconds")
    }
}

/// Where a document comes from.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    /// Standard input, already read (named `-`).
    Stdin(Vec<u8>),
    /// Standard input that could not be read, and why.
    StdinFailed(ExtractError),
}

impl Input {
    /// The name shown in messages and output.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin(_) | Input::StdinFailed(_) => "-".to_string(),
        }
    }
}

/// Largest document read into memory (plain text larger than this should be streamed by `count`).
pub const MAX_DOCUMENT_BYTES: u64 = 4 << 30;

/// Reads and extracts one document (not yet normalised), within `opts.timeout`.
pub fn extract(input: &Input, opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let name = input.name();
    let bytes = match input {
        Input::Stdin(bytes) => Cow::Borrowed(bytes.as_slice()),
        Input::StdinFailed(e) => return Err(e.clone()),
        Input::Path(path) => match (read::read_document(path, opts), claimed_format(path)) {
            (Ok(bytes), _) => Cow::Owned(bytes),
            // Refused from its first bytes: worded as below for a misnamed file.
            (Err(ExtractError::Unrecognised(found)), Some(expected)) => {
                return Err(ExtractError::WrongFormat {
                    expected: expected.name(),
                    found: format!("looks like {found}"),
                });
            }
            (Err(e), _) => return Err(e),
        },
    };
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    // UTF-16 and UTF-32 become UTF-8 here, so that the format is recognised from the text and
    // every reader below gets UTF-8.
    let (bytes, opts) = match encoding::transcode(&bytes, opts.encoding)? {
        Some(utf8) => (
            Cow::Owned(utf8.into_bytes()),
            Cow::Owned(ExtractOptions {
                encoding: None,
                ..opts.clone()
            }),
        ),
        None => (bytes, Cow::Borrowed(opts)),
    };
    let opts = opts.as_ref();
    let claimed = match input {
        Input::Path(p) => claimed_format(p),
        Input::Stdin(_) | Input::StdinFailed(_) => None,
    };
    let format = match (sniff(&bytes), claimed) {
        // A PDF or Word file that is really something else (an HTML error page saved as .pdf, a
        // Word file renamed) is almost always a wrong download: refuse rather than count it.
        (Ok(format), Some(expected)) if format != expected => {
            return Err(ExtractError::WrongFormat {
                expected: expected.name(),
                found: format!("looks like {}", format.name()),
            });
        }
        (Ok(format), _) => format,
        (Err(ExtractError::Unrecognised(found)), Some(expected)) => {
            return Err(ExtractError::WrongFormat {
                expected: expected.name(),
                found: format!("looks like {found}"),
            });
        }
        (Err(e), _) => return Err(e),
    };
    // The PDF reader runs in its own process, which enforces the time limit itself. Plain text
    // has no parser to get stuck in (its passes are linear, its regexes too), and a thread for
    // each file cost a folder of small ones more than reading them (issue 19, shape (c)).
    if matches!(format, Format::Pdf | Format::Text) {
        return extract_bytes(&name, &bytes, format, opts);
    }
    with_deadline(opts.timeout, bytes.into_owned(), {
        let opts = opts.clone();
        move |bytes| extract_bytes(&name, &bytes, format, &opts)
    })
}

/// Runs `work` on its own thread and gives up at `timeout`. Readers of formats other than PDF
/// are linear in the size of the file, or refuse the shapes that are not (see `html`), so this is
/// a last guard: the abandoned thread runs to its end in the background, or until termtally
/// exits, while the batch goes on.
fn with_deadline<T: Send + 'static>(
    timeout: Duration,
    bytes: Vec<u8>,
    work: impl FnOnce(Vec<u8>) -> Result<T, ExtractError> + Send + 'static,
) -> Result<T, ExtractError> {
    let (send, receive) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("extract".into())
        .spawn(move || {
            let _ = send.send(work(bytes));
        });
    if let Err(e) = spawned {
        return Err(ExtractError::Io(format!("cannot start a thread: {e}")));
    }
    match receive.recv_timeout(timeout) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            Err(ExtractError::Timeout(timeout.as_secs()))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(ExtractError::Crashed(
            "the reader stopped without an answer".into(),
        )),
    }
}

/// Extracts bytes whose format is known.
pub fn extract_bytes(
    name: &str,
    bytes: &[u8],
    format: Format,
    opts: &ExtractOptions,
) -> Result<Document, ExtractError> {
    match format {
        Format::Pdf => pdf::extract(name, bytes, opts),
        Format::Clml => clml::extract(name, bytes, opts),
        Format::Html => html::extract(name, bytes, opts),
        Format::Docx => docx::extract(name, bytes, opts),
        Format::Text => text::extract(name, bytes, opts),
    }
}

/// The format a `.pdf` or `.docx` name promises. Other extensions promise little (an `.xml` may
/// be HTML, a `.txt` anything textual), so only these two are held to their name.
fn claimed_format(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => Some(Format::Pdf),
        "docx" => Some(Format::Docx),
        _ => None,
    }
}

pub(crate) fn io_error(e: &std::io::Error) -> ExtractError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ExtractError::NotFound,
        std::io::ErrorKind::IsADirectory => ExtractError::IsDirectory,
        std::io::ErrorKind::PermissionDenied => ExtractError::Io("permission denied".to_string()),
        _ => ExtractError::Io(e.to_string()),
    }
}

/// Detects the format from the content (UTF-8, or an ASCII-compatible encoding: UTF-16 and
/// UTF-32 are turned into UTF-8 before, by [`encoding::transcode`]).
pub fn sniff(bytes: &[u8]) -> Result<Format, ExtractError> {
    let head = &bytes[..bytes.len().min(4096)];
    if let Some(verdict) = sniff_head(head, None) {
        return verdict;
    }
    if head.starts_with(b"PK\x03\x04") {
        return sniff_zip(bytes);
    }
    let text_head = String::from_utf8_lossy(head);
    let lower = text_head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if lower.starts_with("<?xml") || lower.starts_with("<legislation") {
        if lower.contains("<legislation")
            || find(bytes, b"legislation.gov.uk/namespaces/legislation").is_some()
        {
            return Ok(Format::Clml);
        }
        // XHTML: an XML declaration, then an HTML doctype or root.
        if lower.contains("<html") || lower.contains("<!doctype html") {
            return Ok(Format::Html);
        }
        return Err(ExtractError::Unrecognised(
            "an XML file that is not legislation.gov.uk XML (CLML)".to_string(),
        ));
    }
    if looks_like_html(&lower) {
        return Ok(Format::Html);
    }
    Ok(Format::Text)
}

/// What the first bytes alone decide: a PDF, a format termtally does not read (named, with what
/// to do), or binary data; `None` when the rest of the file or its text decides. `encoding` is
/// the user's `--encoding`: UTF-16 without a byte-order mark is all zero bytes to this test.
/// Readers call it on the first block they read, so a binary file is refused before it is read
/// whole.
pub fn sniff_head(
    head: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Option<Result<Format, ExtractError>> {
    // PDF readers accept the header anywhere in the first 1 KiB.
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Some(Ok(Format::Pdf));
    }
    if head.starts_with(b"PK\x03\x04") || encoding::unicode_bom(head).is_some() {
        return None;
    }
    if let Some(what) = known_unreadable(head) {
        return Some(Err(ExtractError::Unrecognised(what.to_string())));
    }
    let utf16 = encoding.is_some_and(|e| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE);
    if !utf16 && looks_like_utf16(head) {
        return Some(Err(ExtractError::Unrecognised(
            "UTF-16 text without a byte-order mark: give --encoding utf-16le (or utf-16be)"
                .to_string(),
        )));
    }
    if !utf16 && looks_binary(head) {
        return Some(Err(ExtractError::Unrecognised(
            "binary data, not a document termtally reads (PDF, DOCX, legislation XML, HTML, text)"
                .to_string(),
        )));
    }
    None
}

/// Formats people save documents in that termtally does not read, known by their first bytes.
fn known_unreadable(head: &[u8]) -> Option<&'static str> {
    let text = head.trim_ascii_start();
    let table: [(&[u8], &'static str); 14] = [
        (b"{\\rtf", "RTF: save it as DOCX or PDF"),
        (
            b"\xD0\xCF\x11\xE0",
            "an old-style Word/Office (.doc) file: save it as .docx or PDF",
        ),
        (b"%!PS", "PostScript: convert it to PDF (e.g. with ps2pdf)"),
        (
            b"\x89PNG",
            "a PNG image, not a document: run OCR to get its text",
        ),
        (
            b"\xFF\xD8\xFF",
            "a JPEG image, not a document: run OCR to get its text",
        ),
        (b"GIF8", "a GIF image, not a document"),
        (
            b"II*\x00",
            "a TIFF image, not a document: run OCR to get its text",
        ),
        (
            b"MM\x00*",
            "a TIFF image, not a document: run OCR to get its text",
        ),
        (b"AT&TFORM", "a DjVu file: convert it to PDF"),
        (b"\x1F\x8B", "a gzip-compressed file: decompress it first"),
        (
            b"7z\xBC\xAF",
            "a 7-Zip archive: unpack it and give the documents inside",
        ),
        (
            b"Rar!",
            "a RAR archive: unpack it and give the documents inside",
        ),
        (b"BZh", "a bzip2-compressed file: decompress it first"),
        (b"\xFD7zXZ", "an xz-compressed file: decompress it first"),
    ];
    table
        .iter()
        .find(|(magic, _)| {
            if magic.starts_with(b"{") {
                text.starts_with(magic)
            } else {
                head.starts_with(magic)
            }
        })
        .map(|(_, what)| *what)
}

/// A ZIP archive: Word, or another office format named, or refused.
fn sniff_zip(bytes: &[u8]) -> Result<Format, ExtractError> {
    if find(bytes, b"word/document.xml").is_some() {
        return Ok(Format::Docx);
    }
    let what = if find(bytes, b"application/vnd.oasis.opendocument.text").is_some() {
        "an OpenDocument text (.odt): save it as DOCX or PDF"
    } else if find(bytes, b"application/epub+zip").is_some() {
        "an EPUB e-book: save it as DOCX or PDF"
    } else if find(bytes, b"xl/workbook.xml").is_some() {
        "an Excel workbook (.xlsx), not a document"
    } else if find(bytes, b"ppt/presentation.xml").is_some() {
        "a PowerPoint file (.pptx): save it as PDF"
    } else {
        "a ZIP archive that is not a Word (.docx) document"
    };
    Err(ExtractError::Unrecognised(what.to_string()))
}

/// HTML elements a page or a fragment of one (gov.uk's `<div class="govspeak"><p>…`) opens with.
const HTML_OPENERS: [&str; 32] = [
    "html",
    "head",
    "body",
    "div",
    "p",
    "section",
    "article",
    "main",
    "header",
    "nav",
    "footer",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "span",
    "a",
    "strong",
    "em",
    "blockquote",
    "pre",
    "meta",
    "title",
    "link",
    "dl",
];

/// Whether text (lower-cased, leading white space removed) is HTML: a doctype, or a first tag
/// that is an HTML element (after any comments).
fn looks_like_html(lower: &str) -> bool {
    let mut rest = lower;
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(end) => rest = after[end + 3..].trim_start(),
            None => return false,
        }
    }
    if rest.starts_with("<!doctype html") {
        return true;
    }
    let Some(tag) = rest.strip_prefix('<') else {
        return false;
    };
    let name_end = tag
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(tag.len());
    let (name, after) = tag.split_at(name_end);
    HTML_OPENERS.contains(&name) && after.starts_with([' ', '>', '/', '\n', '\r', '\t'])
}

/// Describes what the bytes look like, for "not a PDF: looks like HTML" messages.
pub fn describe(bytes: &[u8]) -> String {
    match sniff(bytes) {
        Ok(Format::Pdf) => "looks like a PDF".to_string(),
        Ok(f) => format!("looks like {}", f.name()),
        Err(ExtractError::Unrecognised(what)) => format!("looks like {what}"),
        Err(_) => "unrecognised content".to_string(),
    }
}

/// ASCII text in UTF-16: zero bytes at every other position, and hardly anywhere else.
fn looks_like_utf16(head: &[u8]) -> bool {
    let pairs = head.len() / 2;
    if pairs < 8 {
        return false;
    }
    let zeros_at = |parity: usize| {
        head.chunks_exact(2)
            .filter(|pair| pair[parity] == 0 && pair[1 - parity] != 0)
            .count()
    };
    zeros_at(0).max(zeros_at(1)) * 10 > pairs * 9
}

fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
        .count();
    controls * 20 > head.len().max(1) // more than 5% control bytes
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_past_its_deadline_is_given_up_on() {
        let start = std::time::Instant::now();
        let slow = with_deadline(Duration::from_millis(200), Vec::new(), |_| {
            std::thread::sleep(Duration::from_secs(5));
            Ok(())
        });
        assert!(matches!(slow, Err(ExtractError::Timeout(_))), "{slow:?}");
        assert!(start.elapsed() < Duration::from_secs(2));
        let quick = with_deadline(Duration::from_secs(5), vec![1, 2], |b| Ok(b.len()));
        assert_eq!(quick.unwrap(), 2);
    }

    #[test]
    fn html_is_known_by_its_first_element() {
        assert!(looks_like_html("<div class=\"govspeak\"><p>x"));
        assert!(looks_like_html("<!-- c --> <p>x</p>"));
        assert!(looks_like_html("<!doctype html>"));
        assert!(!looks_like_html("<partnership> is a word here"));
        assert!(!looks_like_html("<p"));
        assert!(!looks_like_html("inform <p>"));
    }
}
