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

use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

mod fonts;
mod layout;
mod operators;
mod repair;
mod widths;

use layout::{LaidOutBlock, PageLayout};

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
    Blank,
    NotPdf(String),
    BadPdf(String),
}

impl From<WorkerFailure> for ExtractError {
    fn from(f: WorkerFailure) -> Self {
        match f {
            WorkerFailure::Encrypted => ExtractError::Encrypted,
            WorkerFailure::WrongPassword => ExtractError::WrongPassword,
            WorkerFailure::NoTextLayer => ExtractError::NoTextLayer,
            WorkerFailure::Blank => ExtractError::Blank,
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
    let mut child = crate::signals::spawn_worker(&mut command)
        .map_err(|e| ExtractError::Io(format!("cannot start the PDF reader: {e}")))?;
    let pid = child.id();

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
    crate::signals::worker_done(pid);
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
        return ExtractError::OutOfMemory(check_memory_env().unwrap_or(DEFAULT_MEMORY_MB));
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

/// Whether the PDF holds an image: `/Subtype /Image` in a stream's dictionary, which is never
/// compressed (a stream cannot sit in an object stream).
fn has_image(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = crate::extract::find(rest, b"/Subtype") {
        let after = rest[at + b"/Subtype".len()..].trim_ascii_start();
        if after.starts_with(b"/Image") {
            return true;
        }
        rest = after;
    }
    false
}

/// The worker memory limit `TERMTALLY_PDF_MEMORY_MB` gives, refused by name when it is not a
/// whole number of megabytes (before, `abc` was silently ignored).
pub fn check_memory_env() -> anyhow::Result<u64> {
    match std::env::var(MEMORY_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MEMORY_MB),
        Ok(value) => match value.trim().parse::<u64>() {
            Ok(mb) if mb > 0 => Ok(mb),
            _ => anyhow::bail!(
                "{MEMORY_ENV}={value:?} is not a number of megabytes (e.g. {MEMORY_ENV}=4096)"
            ),
        },
        Err(std::env::VarError::NotUnicode(value)) => {
            anyhow::bail!("{MEMORY_ENV}={value:?} is not a number of megabytes")
        }
    }
}

/// The worker side: limits its own memory, reads the PDF from stdin, prints a [`WorkerReply`].
pub fn run_worker(name: &str) -> std::io::Result<()> {
    crate::signals::die_with_parent();
    let limit_mb = check_memory_env().unwrap_or(DEFAULT_MEMORY_MB);
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
    let mut warnings = Vec::new();
    let loaded = quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            load_lenient(bytes, password, &mut warnings)
        }))
    });
    let mut pdf = match loaded {
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
    let ids: Vec<_> = page_ids.values().copied().collect();
    if quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            operators::expand_quote_operators(&mut pdf, &ids);
            widths::normalise_cid_widths(&mut pdf);
        }))
    })
    .is_err()
    {
        warnings
            .push("some text operators or font widths could not be read; text may be wrong".into());
    }
    let mut document = Document::new(name, Format::Pdf);
    document.page_count = Some(pages.len() as u32);
    let (laid_out, glyph_count) = lay_out_pages(&pdf, &page_ids, &mut document, &mut warnings);
    if !pages.is_empty() && glyph_count == 0 {
        // Without an image either, the pages are blank rather than scanned.
        return Err(if has_image(bytes) {
            WorkerFailure::NoTextLayer
        } else {
            WorkerFailure::Blank
        });
    }
    warnings.extend(pages_without_text_warning(&document.pages_without_text));
    document.blocks = paragraph_blocks(laid_out);
    Ok((document, warnings))
}

/// The laid-out blocks as the document's blocks: numbered paragraphs found, headings (type set
/// larger than the body text) marked with their level, and paragraph numbers carried forward
/// up to the next heading; footnotes belong to no numbered paragraph.
fn paragraph_blocks(laid_out: Vec<(u32, LaidOutBlock)>) -> Vec<Block> {
    let body = body_size(&laid_out);
    let mut roles: Vec<BlockRole> = laid_out.iter().map(|(_, b)| block_role(b, body)).collect();
    demote_subtitle(&laid_out, &mut roles);
    let heading_sizes: Vec<f64> = laid_out
        .iter()
        .zip(&roles)
        .filter(|(_, role)| **role == BlockRole::Heading)
        // Bold at a size ranks just above plain text of that size.
        .map(|((_, b), _)| if b.bold { b.size + 0.3 } else { b.size })
        .collect();
    let mut levels = crate::headings::levels_by_size(&heading_sizes).into_iter();
    let mut blocks: Vec<Block> = laid_out
        .into_iter()
        .zip(&roles)
        .map(|((page, block), role)| Block {
            page: Some(page),
            section: paragraph_number(&block.text),
            heading_level: (*role == BlockRole::Heading)
                .then(|| levels.next())
                .flatten(),
            text: block.text,
            ..Block::default()
        })
        .collect();
    crate::extract::sections::carry_forward_until(&mut blocks, |i| roles[i] == BlockRole::Heading);
    for (block, role) in blocks.iter_mut().zip(&roles) {
        if *role == BlockRole::Footnote {
            block.section = None;
        }
    }
    blocks
}

/// Every page through `pdf-extract` and the layout: the blocks with their page numbers, and
/// how many letters and digits were drawn. A page the reader fails on is a warning; a page with
/// no letters or digits goes into `document.pages_without_text`.
fn lay_out_pages(
    pdf: &pdf_extract::Document,
    page_ids: &std::collections::BTreeMap<u32, pdf_extract::ObjectId>,
    document: &mut Document,
    warnings: &mut Vec<String>,
) -> (Vec<(u32, LaidOutBlock)>, usize) {
    let mut glyph_count = 0usize;
    let mut laid_out: Vec<(u32, LaidOutBlock)> = Vec::new();
    for (index, (&page_number, &id)) in page_ids.iter().enumerate() {
        let page = index as u32 + 1;
        let mut layout = PageLayout::default();
        layout.bold_strings = quietly(|| {
            catch_unwind(AssertUnwindSafe(|| fonts::bold_strings(pdf, id))).unwrap_or_default()
        });
        let result = quietly(|| {
            catch_unwind(AssertUnwindSafe(|| {
                pdf_extract::output_doc_page(pdf, &mut layout, page_number)
            }))
        });
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warnings.push(format!("page {page} could not be read fully ({e})")),
            Err(_) => warnings.push(format!(
                "page {page} could not be read (the PDF reader failed on it); its text is missing"
            )),
        }
        layout.check_bold();
        let on_page = layout.word_glyphs();
        if on_page == 0 {
            document
                .pages_without_text
                .push(without_text(pdf, page, id));
        }
        glyph_count += on_page;
        laid_out.extend(layout.blocks().into_iter().map(|block| (page, block)));
    }
    (laid_out, glyph_count)
}

/// Loads the PDF as [`load_pdf`] does, and when that fails on a file that ends like a complete
/// PDF, tries again as poppler would: first without anything after the final `startxref`'s
/// `%%EOF` (an extra `%%EOF` appended by an editor), then with the cross-reference table rebuilt
/// by scanning the file for objects (a wrong `startxref` or table), which gets a warning.
fn load_lenient(
    bytes: &[u8],
    password: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<pdf_extract::Document, pdf_extract::Error> {
    let error = match load_pdf(bytes, password) {
        Ok(pdf) => return Ok(pdf),
        Err(e) => e,
    };
    let password_problem = matches!(
        load_failure(&error, password.is_some()),
        WorkerFailure::Encrypted | WorkerFailure::WrongPassword
    );
    if password_problem || !repair::looks_complete(bytes) {
        return Err(error);
    }
    if let Some(Ok(pdf)) = repair::trim_after_eof(bytes).map(|b| load_pdf(b, password)) {
        return Ok(pdf);
    }
    match repair::rebuild_xref(bytes).map(|b| load_pdf(&b, password)) {
        Some(Ok(pdf)) if !pdf.get_pages().is_empty() => {
            warnings.push(
                "the file's cross-reference table is damaged; it was rebuilt by scanning the file"
                    .into(),
            );
            Ok(pdf)
        }
        _ => Err(error),
    }
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
    let numbered = paragraph_number(&block.text).is_some();
    let larger = block.size > body_size * 1.12 && !numbered && block.chars < 150;
    // Bold at body size stands alone as a heading when it is not a sentence (a bold sentence is
    // emphasis); it may be numbered ("1. Ground A - The pupil has …").
    // A long bold line that is not a question, unnumbered, is a call-out sentence.
    let bold_alone = block.bold
        && block.size > body_size * 0.95
        && !block.text.trim_end().ends_with(['.', ',', ';'])
        && (block.chars <= 100 || numbered || block.text.trim_end().ends_with('?'))
        && block.chars < 200;
    let bullet = block.text.starts_with(['•', '▪', '◼', '●', '-', '–', '*']);
    if block.alone && (larger || bold_alone) && !bullet && !is_date(&block.text) {
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

/// "May 2024", "19 August 2024": a cover's date, set large but not a heading.
fn is_date(text: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let is_number = |w: &String| w.chars().all(|c| c.is_ascii_digit());
    match words.as_slice() {
        [month, year] => MONTHS.contains(&month.as_str()) && is_number(year),
        [day, month, year] => is_number(day) && MONTHS.contains(&month.as_str()) && is_number(year),
        _ => false,
    }
}

/// The heading-sized block right after a document's title on its first page, in smaller
/// type, is the title's subtitle ("Statutory guidance for local authorities"), not a heading.
fn demote_subtitle(laid_out: &[(u32, LaidOutBlock)], roles: &mut [BlockRole]) {
    let Some(title) = roles.iter().position(|r| *r == BlockRole::Heading) else {
        return;
    };
    let next = title + 1;
    if let (Some((1, first)), Some((1, second))) = (laid_out.get(title), laid_out.get(next)) {
        if roles[next] == BlockRole::Heading && second.size < first.size * 0.9 {
            roles[next] = BlockRole::Body;
        }
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
