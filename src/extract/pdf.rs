//! PDF extraction: `pdf-extract` interprets the content streams; termtally lays the glyphs out
//! into words, lines and paragraph blocks itself, page by page.
//!
//! `pdf-extract` panics on some files and can run for minutes on others, so by default every PDF
//! is extracted in a child process (this executable's hidden `__pdf-worker` command) with a time
//! limit and a memory limit: a crash, hang or runaway allocation costs that one document only.

use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::{Command, Stdio};

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use crate::document::{
    Block, Document, EmptyPage, Format, PageWithoutText, pages_without_text_warning,
};
use crate::extract::sections::paragraph_number;
use crate::extract::{ExtractError, ExtractOptions, PdfRunner, describe};

/// Environment variable that carries the password to the worker (never on its command line,
/// where other users of the machine could read it).
pub const PASSWORD_ENV: &str = "TERMTALLY_PDF_PASSWORD";
/// Address-space limit of a worker, in MiB (override with this environment variable).
pub const MEMORY_ENV: &str = "TERMTALLY_PDF_MEMORY_MB";
const DEFAULT_MEMORY_MB: u64 = 4096;

/// What the worker sends back on standard output, as JSON.
#[derive(Debug, Serialize, Deserialize)]
pub enum WorkerReply {
    Ok {
        document: Document,
        warnings: Vec<String>,
    },
    Failed(WorkerFailure),
}

#[derive(Debug, Serialize, Deserialize)]
pub enum WorkerFailure {
    Encrypted,
    WrongPassword,
    NoTextLayer,
    NotPdf(String),
    BadPdf(String),
}

impl From<WorkerFailure> for ExtractError {
    fn from(f: WorkerFailure) -> Self {
        match f {
            WorkerFailure::Encrypted => ExtractError::Encrypted,
            WorkerFailure::WrongPassword => ExtractError::WrongPassword,
            WorkerFailure::NoTextLayer => ExtractError::NoTextLayer,
            WorkerFailure::NotPdf(found) => ExtractError::WrongFormat {
                expected: "PDF",
                found,
            },
            WorkerFailure::BadPdf(why) => ExtractError::BadPdf(why),
        }
    }
}

/// Extracts a PDF as configured: in a worker process, or in this one.
pub fn extract(name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let (document, warnings) = match &opts.pdf {
        PdfRunner::InProcess => {
            extract_in_process(name, bytes, opts.password.as_deref()).map_err(ExtractError::from)?
        }
        PdfRunner::Subprocess(exe) => extract_in_worker(exe, name, bytes, opts)?,
    };
    for warning in warnings {
        eprintln!("termtally: {name}: warning: {warning}");
    }
    Ok(document)
}

/// Runs the worker, feeding it the bytes on stdin and reading its JSON reply.
fn extract_in_worker(
    exe: &Path,
    name: &str,
    bytes: &[u8],
    opts: &ExtractOptions,
) -> Result<(Document, Vec<String>), ExtractError> {
    let mut command = Command::new(exe);
    command
        .arg("__pdf-worker")
        .arg("--name")
        .arg(name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove(PASSWORD_ENV);
    if let Some(password) = &opts.password {
        command.env(PASSWORD_ENV, password);
    }
    let mut child = command
        .spawn()
        .map_err(|e| ExtractError::Io(format!("cannot start the PDF reader: {e}")))?;

    // Feed and drain the pipes on their own threads so a full pipe can never deadlock us.
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (reply, errors) = std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(mut stdin) = stdin.take() {
                // The worker may exit early (e.g. not a PDF); a broken pipe here is expected.
                let _ = stdin.write_all(bytes);
            }
        });
        let out = scope.spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut s) = stdout.take() {
                let _ = s.read_to_end(&mut buf);
            }
            buf
        });
        let err = scope.spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut s) = stderr.take() {
                // Keep only the tail: pdf-extract can be chatty.
                let _ = s.read_to_end(&mut buf);
            }
            buf
        });
        let status = child.wait_timeout(opts.timeout);
        let status = match status {
            Ok(Some(status)) => Ok(status),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(ExtractError::Timeout(opts.timeout.as_secs()))
            }
            Err(e) => Err(ExtractError::Io(format!("lost the PDF reader: {e}"))),
        };
        let reply = out.join().unwrap_or_default();
        let errors = err.join().unwrap_or_default();
        (status.map(|s| (s, reply)), errors)
    });
    let (status, reply) = reply?;
    if !status.success() {
        return Err(crash_reason(&status, &errors));
    }
    match serde_json::from_slice::<WorkerReply>(&reply) {
        Ok(WorkerReply::Ok { document, warnings }) => Ok((document, warnings)),
        Ok(WorkerReply::Failed(failure)) => Err(failure.into()),
        Err(e) => Err(ExtractError::Crashed(format!(
            "unreadable reply from the PDF reader: {e}"
        ))),
    }
}

fn crash_reason(status: &std::process::ExitStatus, stderr: &[u8]) -> ExtractError {
    let stderr = String::from_utf8_lossy(stderr);
    if stderr.contains("memory allocation") || stderr.contains("out of memory") {
        return ExtractError::TooLarge("the PDF reader ran out of memory on this file".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExtractError::Crashed(format!("stopped by signal {signal}"));
        }
    }
    let panic = stderr.lines().find_map(|l| {
        l.split_once("panicked at ")
            .map(|(_, rest)| rest.to_string())
    });
    ExtractError::Crashed(match panic {
        Some(location) => format!("internal error at {location}"),
        None => format!("exit status {}", status.code().unwrap_or(-1)),
    })
}

/// The worker side: limits its own memory, reads the PDF from stdin, prints a [`WorkerReply`].
pub fn run_worker(name: &str) -> std::io::Result<()> {
    let limit_mb = std::env::var(MEMORY_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_MEMORY_MB);
    // Best effort: where the limit cannot be set the time limit still protects the batch.
    let _ = rlimit::setrlimit(rlimit::Resource::AS, limit_mb << 20, limit_mb << 20);
    let password = std::env::var(PASSWORD_ENV).ok();
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes)?;
    let reply = match extract_in_process(name, &bytes, password.as_deref()) {
        Ok((document, warnings)) => WorkerReply::Ok { document, warnings },
        Err(failure) => WorkerReply::Failed(failure),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    serde_json::to_writer(&mut out, &reply)?;
    out.flush()
}

/// Extracts in this process. A panic inside `pdf-extract` on one page is caught and that page
/// reported empty with a warning; a panic while loading the file fails the document.
pub fn extract_in_process(
    name: &str,
    bytes: &[u8],
    password: Option<&str>,
) -> Result<(Document, Vec<String>), WorkerFailure> {
    if crate::extract::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_none() {
        return Err(WorkerFailure::NotPdf(describe(bytes)));
    }
    let loaded = quietly(|| catch_unwind(AssertUnwindSafe(|| load_pdf(bytes, password))));
    let pdf = match loaded {
        Ok(Ok(pdf)) => pdf,
        Ok(Err(e)) => return Err(load_failure(&e, password.is_some())),
        Err(_) => {
            return Err(WorkerFailure::BadPdf(
                "the file's structure could not be read".into(),
            ));
        }
    };
    // Still encrypted after loading: neither the empty user password nor the one given opened it.
    if pdf.is_encrypted() {
        return Err(match password {
            Some(_) => WorkerFailure::WrongPassword,
            None => WorkerFailure::Encrypted,
        });
    }

    let page_ids = pdf.get_pages();
    let pages: Vec<u32> = page_ids.keys().copied().collect();
    if pages.is_empty() {
        // lopdf finds no page in a damaged page tree (e.g. one that contains itself): say so
        // rather than report an empty document that would count as zero everywhere.
        return Err(WorkerFailure::BadPdf(
            "no pages could be found (the page tree is damaged)".into(),
        ));
    }
    let mut document = Document::new(name, Format::Pdf);
    document.page_count = Some(pages.len() as u32);
    let mut warnings = Vec::new();
    let mut glyph_count = 0usize;
    let mut laid_out: Vec<(u32, LaidOutBlock)> = Vec::new();
    for (index, &page_number) in pages.iter().enumerate() {
        let page = index as u32 + 1;
        let mut layout = PageLayout::default();
        let result = quietly(|| {
            catch_unwind(AssertUnwindSafe(|| {
                pdf_extract::output_doc_page(&pdf, &mut layout, page_number)
            }))
        });
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warnings.push(format!("page {page} could not be read fully ({e})")),
            Err(_) => warnings.push(format!(
                "page {page} could not be read (the PDF reader failed on it); its text is missing"
            )),
        }
        let on_page = layout.glyphs.iter().filter(|g| g.is_word_char()).count();
        if on_page == 0 {
            document
                .pages_without_text
                .push(without_text(&pdf, page, page_ids[&page_number]));
        }
        glyph_count += on_page;
        laid_out.extend(layout.blocks().into_iter().map(|block| (page, block)));
    }
    if !pages.is_empty() && glyph_count == 0 {
        return Err(WorkerFailure::NoTextLayer);
    }
    warnings.extend(pages_without_text_warning(&document.pages_without_text));
    let body = body_size(&laid_out);
    let roles: Vec<BlockRole> = laid_out.iter().map(|(_, b)| block_role(b, body)).collect();
    document.blocks = laid_out
        .into_iter()
        .map(|(page, block)| Block {
            page: Some(page),
            section: paragraph_number(&block.text),
            text: block.text,
            ..Block::default()
        })
        .collect();
    crate::extract::sections::carry_forward_until(&mut document.blocks, |i| {
        roles[i] == BlockRole::Heading
    });
    for (block, role) in document.blocks.iter_mut().zip(&roles) {
        if *role == BlockRole::Footnote {
            block.section = None;
        }
    }
    Ok((document, warnings))
}

/// A page without text: scanned if it shows an image, else blank.
fn without_text(
    pdf: &pdf_extract::Document,
    page: u32,
    id: pdf_extract::ObjectId,
) -> PageWithoutText {
    let kind = if crate::extract::pdf_images::page_has_images(pdf, id) {
        EmptyPage::Scanned
    } else {
        EmptyPage::Blank
    };
    PageWithoutText { page, kind }
}

/// Loads the PDF, decrypting while parsing. The password must be given to the loader: lopdf
/// keeps only the encryption dictionary of a PDF it cannot open with the empty user password, so
/// calling `decrypt` afterwards "succeeds" on an empty document and every count would be zero.
fn load_pdf(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<pdf_extract::Document, pdf_extract::Error> {
    match password {
        Some(password) => pdf_extract::Document::load_mem_with_options(
            bytes,
            pdf_extract::LoadOptions::with_password(password),
        ),
        None => pdf_extract::Document::load_mem(bytes),
    }
}

fn load_failure(e: &pdf_extract::Error, password_given: bool) -> WorkerFailure {
    if password_given && matches!(e, pdf_extract::Error::InvalidPassword) {
        return WorkerFailure::WrongPassword;
    }
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("decrypt") || lower.contains("password") || lower.contains("encrypt") {
        return WorkerFailure::Encrypted;
    }
    WorkerFailure::BadPdf(text)
}

/// Runs `f` with the default panic message silenced: a caught panic in `pdf-extract` is reported
/// as a plain warning, not a backtrace on the user's terminal.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = f();
    std::panic::set_hook(previous);
    result
}

/// One glyph as drawn: its left and right edge, baseline (top-down), size and text.
#[derive(Debug, Clone)]
struct Glyph {
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    text: String,
}

impl Glyph {
    fn is_word_char(&self) -> bool {
        self.text.chars().any(char::is_alphanumeric)
    }
}

/// Collects the glyphs of one page, then groups them into words, lines and blocks.
#[derive(Default)]
struct PageLayout {
    page_height: f64,
    glyphs: Vec<Glyph>,
}

impl OutputDev for PageLayout {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page_height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // The text rendering matrix maps glyph space to the page; its linear part scales the
        // font size (as pdf-extract's own PlainTextOutput computes it).
        let sx = font_size * (trm.m11 + trm.m21);
        let sy = font_size * (trm.m12 + trm.m22);
        let size = (sx * sy).abs().sqrt().max(0.1);
        let x0 = trm.m31;
        let y = self.page_height - trm.m32;
        // Some fonts (seen in Chrome's print-to-PDF) report no width for some glyphs; assume a
        // wide glyph then, or every such glyph would be followed by a false word break.
        let advance = if width > 0.0 { width } else { ZERO_WIDTH_GUESS };
        let x1 = x0 + advance * size;
        if char.is_empty() {
            return Ok(());
        }
        self.glyphs.push(Glyph {
            x0,
            x1,
            y,
            size,
            text: char.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A line of text with its geometry.
#[derive(Debug)]
struct Line {
    text: String,
    y: f64,
    size: f64,
}

/// Gap between glyphs, as a fraction of the font size, above which a space is inserted.
const WORD_GAP: f64 = 0.15;
/// Advance assumed for a glyph whose font reports a zero width, in font sizes.
const ZERO_WIDTH_GUESS: f64 = 0.75;
/// A baseline shift above this fraction of the font size starts a new line.
const LINE_SHIFT: f64 = 0.5;
/// Vertical distance between baselines, in font sizes, above which a new block starts.
const BLOCK_GAP: f64 = 1.6;

impl PageLayout {
    /// Glyphs in drawing order → lines. Drawing order is reading order in the PDFs that word
    /// processors and browsers produce; re-sorting by position would interleave columns.
    fn lines(&self) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        // The line being built, with the right edge, baseline and size of its last glyph.
        let mut current: Option<(Line, f64, f64, f64)> = None;
        for glyph in &self.glyphs {
            let is_space = glyph.text.chars().all(char::is_whitespace);
            if let Some((line, last_x1, last_y, last_size)) = current.as_mut() {
                let size = line.size.max(glyph.size);
                let same_line = (glyph.y - line.y).abs() <= LINE_SHIFT * size
                    && glyph.x0 >= *last_x1 - size * 0.5;
                if same_line {
                    if is_space {
                        if !line.text.ends_with(' ') {
                            line.text.push(' ');
                        }
                    } else {
                        // A superscript footnote mark ("framework1") is a word of its own.
                        let raised = (glyph.y - *last_y).abs() > 0.2 * size
                            || (glyph.size - *last_size).abs() > 0.2 * size;
                        let gap = glyph.x0 - *last_x1 > WORD_GAP * size;
                        if (gap || raised) && !line.text.ends_with(' ') {
                            line.text.push(' ');
                        }
                        line.text.push_str(&glyph.text);
                        line.size = line.size.max(glyph.size);
                    }
                    *last_x1 = last_x1.max(glyph.x1);
                    *last_y = glyph.y;
                    *last_size = glyph.size;
                    continue;
                }
                let (done, ..) = current.take().expect("current line exists");
                push_line(&mut lines, done);
            }
            if is_space {
                continue;
            }
            current = Some((
                Line {
                    text: glyph.text.clone(),
                    y: glyph.y,
                    size: glyph.size,
                },
                glyph.x1,
                glyph.y,
                glyph.size,
            ));
        }
        if let Some((done, ..)) = current {
            push_line(&mut lines, done);
        }
        lines
    }

    /// Lines → paragraph blocks, lines kept apart by `\n` for the hyphenation repair.
    fn blocks(&self) -> Vec<LaidOutBlock> {
        let mut blocks = Vec::new();
        let mut current: Option<LaidOutBlock> = None;
        let mut previous: Option<&Line> = None;
        let lines = self.lines();
        for line in &lines {
            let starts_block = match previous {
                None => true,
                Some(prev) => {
                    let gap = line.y - prev.y;
                    let size = prev.size.max(line.size);
                    gap > BLOCK_GAP * size
                        || gap < -LINE_SHIFT * size // moved up: a new column or a sidebar
                        || (line.size - prev.size).abs() > 0.15 * size // heading ↔ body
                        || paragraph_number(&line.text).is_some()
                        || starts_with_bullet(&line.text)
                }
            };
            if starts_block {
                blocks.extend(current.take());
            }
            let block = current.get_or_insert_with(|| LaidOutBlock {
                text: String::new(),
                size: line.size,
                chars: 0,
                top: line.y / self.page_height.max(1.0),
            });
            if !block.text.is_empty() {
                block.text.push('\n');
            }
            block.text.push_str(&line.text);
            block.size = block.size.max(line.size);
            block.chars += line.text.chars().count();
            previous = Some(line);
        }
        blocks.extend(current);
        blocks
    }
}

/// A paragraph block with what its layout says about it.
struct LaidOutBlock {
    text: String,
    /// Largest font size in the block.
    size: f64,
    chars: usize,
    /// Top of the block as a fraction of the page height (0 = top).
    top: f64,
}

/// What a block is, judged against the document's body text size.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BlockRole {
    Body,
    /// Larger than body text and short: a heading ends the previous numbered paragraph.
    Heading,
    /// Smaller than body text, low on the page, starting with a note number: a footnote
    /// belongs to no numbered paragraph.
    Footnote,
}

fn block_role(block: &LaidOutBlock, body_size: f64) -> BlockRole {
    if block.size > body_size * 1.12 && block.chars < 150 && paragraph_number(&block.text).is_none()
    {
        BlockRole::Heading
    } else if block.size < body_size * 0.92
        && block.top > 0.6
        && block.text.starts_with(|c: char| c.is_ascii_digit())
    {
        BlockRole::Footnote
    } else {
        BlockRole::Body
    }
}

/// The font size most of the document's characters are set in.
fn body_size(blocks: &[(u32, LaidOutBlock)]) -> f64 {
    let mut by_size: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for (_, block) in blocks {
        *by_size
            .entry((block.size * 2.0).round() as i64)
            .or_default() += block.chars;
    }
    by_size
        .into_iter()
        .max_by_key(|&(size, chars)| (chars, -size))
        .map_or(10.0, |(size, _)| size as f64 / 2.0)
}

fn push_line(lines: &mut Vec<Line>, mut line: Line) {
    let trimmed = line.text.trim_end().len();
    line.text.truncate(trimmed);
    if !line.text.is_empty() {
        lines.push(line);
    }
}

fn starts_with_bullet(text: &str) -> bool {
    text.starts_with(['•', '●', '▪', '◦', '‣', '■', '□', '\u{f0b7}', '·', 'o'])
        && text.chars().nth(1).is_some_and(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bytes_that_are_not_a_pdf() {
        let err = extract_in_process("x.pdf", b"<html><body>Not found</body></html>", None)
            .expect_err("not a PDF");
        assert!(matches!(err, WorkerFailure::NotPdf(ref what) if what.contains("HTML")));
    }

    #[test]
    fn truncated_pdf_is_an_error_not_a_panic() {
        let err = extract_in_process("x.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", None)
            .expect_err("truncated");
        assert!(matches!(err, WorkerFailure::BadPdf(_)));
    }
}
