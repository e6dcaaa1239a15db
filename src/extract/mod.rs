//! Stage 1: file bytes → [`Document`] with pages, blocks and section numbers.
//!
//! The format is sniffed from the bytes (magic numbers, XML root element), never only from the
//! file name. Each format has its own module; PDF extraction runs in a separate worker process
//! with a time and memory limit, because `pdf-extract` can panic or loop on some files.

pub mod clml;
pub mod docx;
pub mod html;
pub mod pdf;
pub mod pdf_images;
pub mod sections;
pub mod text;

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
#[derive(Debug, thiserror::Error)]
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
}

impl Input {
    pub fn from_arg(arg: &Path) -> Input {
        Input::Path(arg.to_path_buf())
    }

    /// The name shown in messages and output.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin(_) => "-".to_string(),
        }
    }
}

/// Largest document read into memory (plain text larger than this should be streamed by `count`).
pub const MAX_DOCUMENT_BYTES: u64 = 4 << 30;

/// Reads and extracts one document (not yet normalised).
pub fn extract(input: &Input, opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let name = input.name();
    let bytes = match input {
        Input::Stdin(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
        Input::Path(path) => std::borrow::Cow::Owned(read_file(path)?),
    };
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    let claimed = match input {
        Input::Path(p) => claimed_format(p),
        Input::Stdin(_) => None,
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
    extract_bytes(&name, &bytes, format, opts)
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

fn read_file(path: &Path) -> Result<Vec<u8>, ExtractError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(&e))?;
    if meta.is_dir() {
        return Err(ExtractError::IsDirectory);
    }
    if meta.len() > MAX_DOCUMENT_BYTES {
        return Err(ExtractError::TooLarge(format!(
            "{} MB; termtally reads documents of up to {} MB",
            meta.len() >> 20,
            MAX_DOCUMENT_BYTES >> 20
        )));
    }
    std::fs::read(path).map_err(|e| io_error(&e))
}

pub(crate) fn io_error(e: &std::io::Error) -> ExtractError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ExtractError::NotFound,
        std::io::ErrorKind::IsADirectory => ExtractError::IsDirectory,
        std::io::ErrorKind::PermissionDenied => ExtractError::Io("permission denied".to_string()),
        _ => ExtractError::Io(e.to_string()),
    }
}

/// Detects the format from the content.
pub fn sniff(bytes: &[u8]) -> Result<Format, ExtractError> {
    let head = &bytes[..bytes.len().min(4096)];
    // PDF readers accept the header anywhere in the first 1 KiB.
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") {
        return if find(bytes, b"word/document.xml").is_some() {
            Ok(Format::Docx)
        } else {
            Err(ExtractError::Unrecognised(
                "a ZIP archive that is not a Word (.docx) document".to_string(),
            ))
        };
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(ExtractError::Unrecognised(
            "an old-style Word/Office (.doc) file: save it as .docx or PDF".to_string(),
        ));
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
        if lower.contains("<html") || lower.contains("<!doctype html") {
            return Ok(Format::Html);
        }
        return Err(ExtractError::Unrecognised(
            "an XML file that is not legislation.gov.uk XML (CLML)".to_string(),
        ));
    }
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.starts_with("<head")
        || lower.starts_with("<body")
        || lower.starts_with("<!--") && lower.contains("<html")
    {
        return Ok(Format::Html);
    }
    if looks_binary(head) {
        return Err(ExtractError::Unrecognised(
            "binary data, not a document termtally reads (PDF, DOCX, legislation XML, HTML, text)"
                .to_string(),
        ));
    }
    Ok(Format::Text)
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

fn looks_binary(head: &[u8]) -> bool {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return false; // UTF-16 with BOM
    }
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
        .count();
    controls * 20 > head.len().max(1) // more than 5% control bytes
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
