//! Bad input never panics, hangs, exhausts memory or costs the good documents of a batch
//! (issue 9). Every bad input is made by the test (with `util::make`'s builders), in a temporary
//! folder, and run through the real binary next to a good document:
//!
//! - exit code 1 when the good document was still counted (`count -f json` shows its count), 2
//!   when the bad one is alone (and then no report at all);
//! - exactly one line `termtally: <file>: <reason>` with a reason in plain words, then the
//!   summary line;
//! - no panic text on stderr, and the run finishes well inside a time limit (a hang fails the
//!   test rather than stalling the suite).
//!
//! Hostile inputs also run under an address-space limit (`ulimit -v`) so that a reader which
//! expands an entity or zip bomb in memory fails the test instead of passing slowly.
//!
//! Encrypted-PDF tests need `qpdf` (skipped loudly without it). The 200 MB and 2 GB single-line
//! texts are `#[ignore]`d: `cargo test --release --test cli robustness -- --ignored`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::util::make::{
    crc32, deflate_bomb, one_page_pdf, pdf_from_objects, pdf_stream, raw_zip, text_pdf,
    zip_deflated,
};
use crate::util::{self, TERMTALLY};

/// A run taking longer than this is a hang.
const HANG: Duration = Duration::from_secs(120);

/// Text of the good document in every batch: its one "partnership" in `count`'s output proves
/// the document was processed.
const GOOD_PHRASE: &str = "Partnership working between agencies";

/// Address space allowed to a run facing a bomb. Generous for termtally itself (a debug build
/// with its thread stacks and allocator arenas), far below what an expanded bomb needs.
const BOMB_MEMORY_MB: u64 = 3072;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// Runs termtally in `dir` with output going to files (so a large output cannot block on a
/// pipe), killing it after [`HANG`]. `memory_mb` caps its address space with `ulimit -v`.
fn run_with(dir: &Path, args: &[&str], envs: &[(&str, &str)], memory_mb: Option<u64>) -> Run {
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let mut command = match memory_mb {
        Some(mb) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", mb * 1024))
                .arg(TERMTALLY);
            c
        }
        None => Command::new(TERMTALLY),
    };
    command
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).expect("stdout file"))
        .stderr(fs::File::create(&err_path).expect("stderr file"));
    for (key, value) in envs {
        command.env(key, value);
    }
    let start = Instant::now();
    let mut child = command.spawn().expect("start termtally");
    let status = match child.wait_timeout(HANG).expect("wait") {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("termtally {args:?} hung: killed after {HANG:?}");
        }
    };
    let took = start.elapsed();
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).expect("read output")).into_owned();
    let run = Run {
        code: status.code(),
        stdout: read(&out_path),
        stderr: read(&err_path),
        took,
    };
    let _ = fs::remove_file(out_path);
    let _ = fs::remove_file(err_path);
    assert_no_panic(&run, args);
    run
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, &[], None)
}

/// No panic message, backtrace hint or abort reaches the user.
fn assert_no_panic(run: &Run, args: &[&str]) {
    for marker in [
        "panicked",
        "RUST_BACKTRACE",
        "stack backtrace",
        "overflowed its stack",
        "SIGSEGV",
    ] {
        assert!(
            !run.stderr.contains(marker),
            "termtally {args:?} printed {marker:?}:\n{}",
            run.stderr
        );
    }
    assert!(
        run.code.is_some(),
        "termtally {args:?} was killed by a signal:\n{}",
        run.stderr
    );
}

/// The reason is for people: no Rust debug formatting or internals in it.
fn assert_plain_words(line: &str) {
    for marker in ["{", "}", "::", "Err(", "Some(", "unwrap", "os error", "0x"] {
        assert!(
            !line.contains(marker),
            "not plain words ({marker:?}): {line}"
        );
    }
}

/// The good document that goes into every batch.
fn write_good(dir: &Path) {
    fs::write(dir.join("good.pdf"), text_pdf(&[GOOD_PHRASE])).expect("write good.pdf");
}

/// The count of `term` in `document` from `count -f json` output, `None` when the document was
/// not counted.
fn term_count(json_output: &str, document: &str, term: &str) -> Option<u64> {
    let report: serde_json::Value = serde_json::from_str(json_output)
        .unwrap_or_else(|e| panic!("count printed invalid JSON ({e}):\n{json_output}"));
    report["rows"].as_array()?.iter().find_map(|row| {
        (row["kind"] == "term" && row["path"] == document && row["term"] == term)
            .then(|| row["count"].as_u64())
            .flatten()
    })
}

/// Asserts that the good document was counted: its one "partnership" found.
fn assert_good_counted(run: &Run) {
    assert_eq!(
        term_count(&run.stdout, "good.pdf", "Partnership"),
        Some(1),
        "the good document was not counted:\n{}\n{}",
        run.stderr,
        run.stdout
    );
}

/// Asserts that `bad` (a name in `dir`) fails with a one-line message starting with
/// `reason`, both in a batch beside a good document (exit 1, the good one still counted) and
/// alone (exit 2, no output). Returns the reason as printed.
fn assert_rejected(dir: &Path, bad: &str, extra_args: &[&str], reason: &str) -> String {
    write_good(dir);
    let mut args = vec!["count", "-f", "json"];
    args.extend_from_slice(extra_args);
    args.extend(["good.pdf", bad]);
    let batch = run(dir, &args);
    let prefix = format!("termtally: {bad}: ");
    let lines = batch.stderr_lines();
    assert_eq!(
        lines.len(),
        2,
        "one line for {bad}, then the summary:\n{}",
        batch.stderr
    );
    assert!(
        lines[0].starts_with(&format!("{prefix}{reason}")),
        "expected `{prefix}{reason}...`, got:\n{}",
        batch.stderr
    );
    assert_plain_words(lines[0]);
    assert_eq!(lines[1], "termtally: 1 of 2 documents failed");
    assert_eq!(batch.code, Some(1), "{}", batch.stderr);
    assert_good_counted(&batch);

    let mut args = vec!["count", "-f", "json"];
    args.extend_from_slice(extra_args);
    args.push(bad);
    let alone = run(dir, &args);
    assert_eq!(
        alone.code,
        Some(2),
        "{bad} alone: nothing processed\n{}",
        alone.stderr
    );
    assert_eq!(
        alone.stderr_lines(),
        [lines[0]],
        "{bad} alone: the same single line"
    );
    assert_eq!(alone.stdout, "", "{bad} alone: no report of nothing");
    lines[0][prefix.len()..].to_string()
}

// ---------------------------------------------------------------------------------------------
// Building bad inputs

/// A real PDF from the shared corpora, or `None` (skipped loudly).
fn real_pdf() -> Option<PathBuf> {
    util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf")
}

/// A Word document as Word writes it (deflated ZIP entries) from its parts' text.
fn docx(entries: &[(&str, &str)]) -> Vec<u8> {
    let entries: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(name, text)| (*name, text.as_bytes()))
        .collect();
    zip_deflated(&entries)
}

fn word_xml(paragraphs: &[&str]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
    <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";

const CLML_NS: &str = "http://www.legislation.gov.uk/namespaces/legislation";

fn clml(doctype: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{doctype}\n<Legislation xmlns=\"{CLML_NS}\"><Primary><Body>\
         {body}</Body></Primary></Legislation>\n"
    )
}

// ---------------------------------------------------------------------------------------------
// Files that are missing, empty or not what their name says

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reason = assert_rejected(dir.path(), "no-such-report.pdf", &[], "no such file");
    assert_eq!(reason, "no such file");
}

#[test]
fn folder_given_as_a_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join("reports")).expect("mkdir");
    assert_rejected(
        dir.path(),
        "reports",
        &[],
        "the folder holds no document termtally reads",
    );
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("empty.pdf"), b"").expect("write");
    let reason = assert_rejected(dir.path(), "empty.pdf", &[], "the file is empty");
    assert_eq!(reason, "the file is empty");
}

#[test]
fn truncated_download_of_a_real_pdf() {
    let Some(real) = real_pdf() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = fs::read(real).expect("read");
    fs::write(dir.path().join("truncated.pdf"), &bytes[..10 * 1024]).expect("write");
    assert_rejected(
        dir.path(),
        "truncated.pdf",
        &[],
        "damaged or unreadable PDF",
    );
}

#[test]
fn random_bytes_named_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A fixed pseudo-random sequence (xorshift), so a failure can be reproduced.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    fs::write(dir.path().join("random.pdf"), bytes).expect("write");
    assert_rejected(
        dir.path(),
        "random.pdf",
        &[],
        "not a PDF: looks like binary data",
    );
}

#[test]
fn html_error_page_saved_as_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><title>404 - Page not found - GOV.UK</title></head>\
                <body><h1>Page not found</h1><p>If you entered a web address, check it is correct.</p></body></html>\n";
    fs::write(dir.path().join("guidance.pdf"), page).expect("write");
    let reason = assert_rejected(
        dir.path(),
        "guidance.pdf",
        &[],
        "not a PDF: looks like HTML",
    );
    assert_eq!(reason, "not a PDF: looks like HTML");
}

#[test]
fn word_document_renamed_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = docx(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", &word_xml(&["Joint working"])),
    ]);
    fs::write(dir.path().join("minutes.pdf"), bytes).expect("write");
    assert_rejected(dir.path(), "minutes.pdf", &[], "not a PDF: looks like Word");
}

#[test]
fn old_word_file_renamed_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The OLE2 compound-file signature that .doc/.xls files start with.
    let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    bytes.resize(4096, 0);
    fs::write(dir.path().join("letter.pdf"), bytes).expect("write");
    assert_rejected(
        dir.path(),
        "letter.pdf",
        &[],
        "not a PDF: looks like an old-style Word",
    );
}

#[test]
fn corrupt_pdf_from_the_shared_corpora() {
    let Some(corrupt) = util::corpus_file("wikipedia-cabinet-office-2023-10-03.corrupt.pdf") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(&corrupt, dir.path().join("cabinet-office.corrupt.pdf")).expect("copy");
    // The file has no %PDF header and most of its bytes were scrambled.
    assert_rejected(dir.path(), "cabinet-office.corrupt.pdf", &[], "not a PDF: ");
}

#[test]
fn pdf_given_on_standard_input_is_sniffed_not_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(TERMTALLY)
        .args(["extract", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(dir.path())
        .spawn()
        .expect("start");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"\x00\x01\x02binary junk\x00\x00\x00\x00\x00\x00")
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("termtally: -: unrecognised file type: binary data"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// PDFs termtally can open but not read

#[test]
fn pdf_without_a_text_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    // What a scanner without OCR produces: a page that is one image (a page without text or
    // image is called blank instead: see tests/bounded.rs).
    let image = b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
                  /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
        .to_vec();
    let pdf = one_page_pdf(
        b"q 451 0 0 698 72 72 cm /Im1 Do Q\n",
        "/XObject << /Im1 6 0 R >>",
        &[image],
    );
    fs::write(dir.path().join("scan.pdf"), pdf).expect("write");
    let reason = assert_rejected(dir.path(), "scan.pdf", &[], "no text layer");
    assert_eq!(
        reason,
        "no text layer: this PDF is a scanned image; run OCR first"
    );
}

/// Encrypts `good.pdf`-like text with qpdf (an independent PDF writer), or `None` when qpdf is
/// missing (skipped loudly; CI installs it).
fn qpdf_encrypt(dir: &Path, name: &str, user_password: &str, key_args: &[&str]) -> Option<()> {
    let plain = dir.join(format!("{name}.plain"));
    fs::write(&plain, text_pdf(&["Encrypted guidance on co-production"])).expect("write");
    let mut command = Command::new("qpdf");
    command
        .arg("--allow-weak-crypto")
        .arg("--encrypt")
        .arg(user_password)
        .arg("owner-secret")
        .args(key_args)
        .arg("--")
        .arg(&plain)
        .arg(dir.join(name));
    match command.output() {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => panic!("qpdf failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => {
            eprintln!("\n*** SKIPPED: qpdf is not installed (apt-get install qpdf) ***\n");
            None
        }
    }
}

#[test]
fn encrypted_pdf_needs_the_right_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The encryption schemes in use: AES-256 (PDF 2.0), AES-128, and the older RC4 ones.
    let schemes: [(&str, &[&str]); 4] = [
        ("aes256.pdf", &["256"]),
        ("aes128.pdf", &["128", "--use-aes=y"]),
        ("rc4-128.pdf", &["128", "--use-aes=n"]),
        ("rc4-40.pdf", &["40"]),
    ];
    for (name, key_args) in schemes {
        if qpdf_encrypt(dir.path(), name, "letmein", key_args).is_none() {
            return;
        }
        let reason = assert_rejected(dir.path(), name, &[], "encrypted PDF");
        assert_eq!(reason, "encrypted PDF: give --password", "{name}");

        let reason = assert_rejected(dir.path(), name, &["--password", "wrong"], "encrypted PDF");
        assert_eq!(
            reason, "encrypted PDF: the password given with --password is wrong",
            "{name}"
        );

        let opened = run(dir.path(), &["extract", "--password", "letmein", name]);
        assert_eq!(opened.code, Some(0), "{name}: {}", opened.stderr);
        assert!(
            opened
                .stdout
                .contains("Encrypted guidance on co-production"),
            "{name} opened with the right password but its text is missing: {:?}",
            opened.stdout
        );
    }
}

#[test]
fn real_pdf_encrypted_by_qpdf_reads_exactly_as_the_original() {
    let Some(real) = real_pdf() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let encrypted = dir.path().join("encrypted.pdf");
    let status = Command::new("qpdf")
        .args(["--encrypt", "s3cret", "owner-secret", "256", "--"])
        .arg(&real)
        .arg(&encrypted)
        .status();
    match status {
        Ok(status) => assert!(status.success(), "qpdf failed"),
        Err(_) => {
            eprintln!("\n*** SKIPPED: qpdf is not installed (apt-get install qpdf) ***\n");
            return;
        }
    }
    let real = real.to_str().expect("utf-8 path");
    let original = run(dir.path(), &["extract", real]);
    let decrypted = run(
        dir.path(),
        &["extract", "--password", "s3cret", "encrypted.pdf"],
    );
    assert_eq!(original.code, Some(0));
    assert_eq!(decrypted.code, Some(0), "{}", decrypted.stderr);
    assert!(original.stdout.len() > 10_000, "the original has text");
    assert!(
        original.stdout == decrypted.stdout,
        "decrypted text differs from the original"
    );
}

#[test]
fn encrypted_pdf_with_an_empty_user_password_opens_without_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Common for "protected" PDFs: only printing/copying is restricted, anyone may open them.
    if qpdf_encrypt(
        dir.path(),
        "restricted.pdf",
        "",
        &["256", "--print=none", "--extract=n"],
    )
    .is_none()
    {
        return;
    }
    for args in [
        vec!["extract", "restricted.pdf"],
        vec!["extract", "--password", "unneeded", "restricted.pdf"],
    ] {
        let opened = run(dir.path(), &args);
        assert_eq!(opened.code, Some(0), "{args:?}: {}", opened.stderr);
        assert!(
            opened
                .stdout
                .contains("Encrypted guidance on co-production"),
            "{args:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The PDF reader crashing, hanging or running out of memory costs one document

#[test]
fn pdf_reader_crash_costs_one_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A form XObject that draws itself: pdf-extract recurses until its stack overflows, which
    // aborts the process it runs in. Only the worker may die.
    let form = pdf_stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> ",
        b"BT /F1 11 Tf 72 700 Td (again) Tj ET /X1 Do",
    );
    let pdf = one_page_pdf(b"/X1 Do", "/XObject << /X1 6 0 R >>", &[form]);
    fs::write(dir.path().join("recursive.pdf"), pdf).expect("write");
    assert_rejected(
        dir.path(),
        "recursive.pdf",
        &[],
        "the PDF reader crashed on this file",
    );
}

/// A PDF whose one page draws `glyphs` characters: legitimately slow and memory-hungry for
/// pdf-extract (seconds and hundreds of MB per million glyphs in a debug build).
fn write_heavy_pdf(path: &Path, glyphs: usize) {
    let mut content = b"BT /F1 1 Tf 72 720 Td (".to_vec();
    content.extend(std::iter::repeat_n(b"a ".as_slice(), glyphs / 2).flatten());
    content.extend_from_slice(b") Tj ET");
    fs::write(path, one_page_pdf(&content, "", &[])).expect("write");
}

/// Worker processes still running for documents in `dir` (found by the `--name` argument).
fn leftover_workers(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(cmdline) = fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains("__pdf-worker") && cmdline.contains(&needle) {
                found.push(cmdline);
            }
        }
    }
    found
}

#[test]
fn slow_pdf_is_abandoned_at_the_timeout_and_its_worker_killed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 12 million glyphs: about 4 s of work on an idle machine (3 million took 0.95 s, too close
    // to the one-second limit to be a reliable test).
    write_heavy_pdf(&dir.path().join("heavy.pdf"), 12_000_000);
    let heavy = dir.path().join("heavy.pdf");
    let heavy = heavy.to_str().expect("utf-8 path");
    let start = Instant::now();
    let reason = assert_rejected(
        dir.path(),
        heavy,
        &["--timeout", "1"],
        "gave up after 1 second",
    );
    assert!(
        reason.contains("--timeout"),
        "says how to wait longer: {reason}"
    );
    // Two runs (batch and alone), each abandoned after about a second.
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    assert_no_workers_left(dir.path());
}

#[test]
fn runaway_pdf_allocation_is_stopped_by_the_worker_memory_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_heavy_pdf(&dir.path().join("heavy.pdf"), 2_000_000);
    write_good(dir.path());
    // The limit is made small so an ordinary file reaches it; the mechanism is the same one
    // that stops a PDF which would otherwise take all the machine's memory.
    let batch = run_with(
        dir.path(),
        &["count", "-f", "json", "good.pdf", "heavy.pdf"],
        &[("TERMTALLY_PDF_MEMORY_MB", "200")],
        None,
    );
    assert_eq!(
        batch.stderr_lines(),
        [
            "termtally: heavy.pdf: the PDF reader ran out of memory on this file: it is damaged, \
             or needs more than the 200 MB that TERMTALLY_PDF_MEMORY_MB allows",
            "termtally: 1 of 2 documents failed"
        ]
    );
    assert_eq!(batch.code, Some(1));
    assert_good_counted(&batch);
}

/// Two PDFs of under 2 KB that `cargo fuzz` (pdf-small, 2 December 2026) found taking over 3 GB
/// in the PDF reader. In termtally they are read in the worker, whose memory limit stops them:
/// each fails alone with a message that does not call a 2 KB file "too large".
#[test]
fn small_damaged_pdfs_that_exhaust_the_reader_fail_alone_and_plainly() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_good(dir.path());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf-oom");
    for name in ["fuzz-oom-1.pdf", "fuzz-oom-2.pdf"] {
        fs::copy(fixtures.join(name), dir.path().join(name)).expect("copy");
        assert!(fs::metadata(dir.path().join(name)).expect("size").len() < 2048);
    }
    let start = Instant::now();
    let batch = run_with(
        dir.path(),
        &[
            "count",
            "-f",
            "json",
            "fuzz-oom-1.pdf",
            "good.pdf",
            "fuzz-oom-2.pdf",
        ],
        &[("TERMTALLY_PDF_MEMORY_MB", "256")],
        None,
    );
    let reason = "the PDF reader ran out of memory on this file: it is damaged, or needs more \
                  than the 256 MB that TERMTALLY_PDF_MEMORY_MB allows";
    assert_eq!(
        batch.stderr_lines(),
        [
            format!("termtally: fuzz-oom-1.pdf: {reason}"),
            format!("termtally: fuzz-oom-2.pdf: {reason}"),
            "termtally: 2 of 3 documents failed".to_string(),
        ]
    );
    assert_eq!(batch.code, Some(1));
    assert_good_counted(&batch);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn pdf_with_a_looping_page_tree_is_not_silently_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        pdf_stream("", b"BT /F1 11 Tf 72 700 Td (Looped pages) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ]);
    fs::write(dir.path().join("loop.pdf"), pdf).expect("write");
    let result = run(dir.path(), &["extract", "loop.pdf"]);
    let read_the_page = result.code == Some(0) && result.stdout.contains("Looped pages");
    let refused =
        result.code == Some(2) && result.stderr.starts_with("termtally: loop.pdf: damaged");
    assert!(
        read_the_page || refused,
        "{:?} {:?} {:?}",
        result.code,
        result.stdout,
        result.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile XML

#[test]
fn malformed_xml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xml = clml(
        "",
        "<P1><Pnumber>1</Pnumber><P1para><Text>never closed</P1para></P1>",
    );
    fs::write(dir.path().join("act.xml"), xml).expect("write");
    assert_rejected(dir.path(), "act.xml", &[], "malformed XML: line 3, column");
}

#[test]
fn xml_entity_expansion_bomb_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // "Billion laughs": ten levels of tenfold expansion, 3 GB of text from 1 KB.
    let mut entities = String::from("<!ENTITY lol0 \"lol\">");
    for level in 1..=9 {
        let refs = format!("&lol{};", level - 1).repeat(10);
        entities.push_str(&format!("<!ENTITY lol{level} \"{refs}\">"));
    }
    let xml = clml(
        &format!("<!DOCTYPE Legislation [{entities}]>"),
        "<P1><Pnumber>1</Pnumber><P1para><Text>Before &lol9; after</Text></P1para></P1>",
    );
    fs::write(dir.path().join("laughs.xml"), xml).expect("write");
    write_good(dir.path());
    let result = run_with(
        dir.path(),
        &["count", "-f", "json", "good.pdf", "laughs.xml"],
        &[],
        Some(BOMB_MEMORY_MB),
    );
    let lines = result.stderr_lines();
    assert!(
        lines[0].starts_with("termtally: laughs.xml: malformed XML: "),
        "{}",
        result.stderr
    );
    assert!(
        lines[0].contains("&lol9;"),
        "names the entity: {}",
        lines[0]
    );
    assert_eq!(result.code, Some(1));
    assert_good_counted(&result);
    assert!(
        result.took < Duration::from_secs(20),
        "took {:?}",
        result.took
    );
}

#[test]
fn xml_external_entity_is_never_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = dir.path().join("secret.txt");
    fs::write(&secret, "SECRET-CONTENTS-7d1f").expect("write");
    let doctype = format!(
        "<!DOCTYPE Legislation [<!ENTITY xxe SYSTEM \"file://{}\">]>",
        secret.display()
    );
    let xml = clml(
        &doctype,
        "<P1><Pnumber>1</Pnumber><P1para><Text>Leak: &xxe;</Text></P1para></P1>",
    );
    fs::write(dir.path().join("xxe.xml"), xml).expect("write");
    let reason = assert_rejected(dir.path(), "xxe.xml", &[], "malformed XML: ");
    assert!(reason.contains("&xxe;"), "{reason}");
    let result = run(dir.path(), &["extract", "-f", "jsonl", "xxe.xml"]);
    assert!(!result.stdout.contains("SECRET") && !result.stderr.contains("SECRET"));
}

#[test]
fn deeply_nested_xml_does_not_overflow_the_stack() {
    let dir = tempfile::tempdir().expect("tempdir");
    let depth = 200_000;
    let body = format!(
        "{}Deeply nested co-production{}",
        "<P2><P2para><Text>".repeat(depth),
        "</Text></P2para></P2>".repeat(depth)
    );
    fs::write(dir.path().join("deep.xml"), clml("", &body)).expect("write");
    write_good(dir.path());
    let result = run_with(
        dir.path(),
        &["count", "-f", "json", "good.pdf", "deep.xml"],
        &[],
        Some(BOMB_MEMORY_MB),
    );
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert_eq!(
        term_count(&result.stdout, "deep.xml", "Coproduction"),
        Some(1)
    );
    assert_good_counted(&result);
}

#[test]
fn html_nested_beyond_any_real_page_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = format!(
        "<!DOCTYPE html><html><body>{}co-production{}</body></html>",
        "<div>".repeat(200_000),
        "</div>".repeat(200_000)
    );
    fs::write(dir.path().join("deep.html"), deep).expect("write");
    let start = Instant::now();
    assert_rejected(dir.path(), "deep.html", &[], "too large: elements nested");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );

    // Deep but plausible nesting is read, not refused.
    let plausible = format!(
        "<!DOCTYPE html><html><body>{}<p>co-production</p>{}</body></html>",
        "<div>".repeat(500),
        "</div>".repeat(500)
    );
    fs::write(dir.path().join("nested.html"), plausible).expect("write");
    let result = run(dir.path(), &["count", "-f", "json", "nested.html"]);
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert_eq!(
        term_count(&result.stdout, "nested.html", "Coproduction"),
        Some(1)
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile Word files

#[test]
fn docx_zip_bomb_is_refused_without_unpacking_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1 GiB of text in 6.5 MB. The checksum is left wrong: termtally must stop long before
    // the end of the entry, where a checksum could be compared.
    let repeats = (1 << 30) / 258;
    let unpacked = u32::try_from(1 + 258 * repeats).expect("fits");
    let bomb = deflate_bomb(b'a', repeats);
    let content_types = CONTENT_TYPES.as_bytes();
    // The honest bomb declares its size; the lying one claims 2 KB and must be caught while
    // unpacking.
    for (name, declared) in [("honest-bomb.docx", unpacked), ("lying-bomb.docx", 2048)] {
        let zip = raw_zip(&[
            (
                "[Content_Types].xml",
                0,
                content_types,
                crc32(content_types),
                content_types.len() as u32,
            ),
            ("word/document.xml", 8, &bomb, 0, declared),
        ]);
        fs::write(dir.path().join(name), zip).expect("write");
        write_good(dir.path());
        let result = run_with(
            dir.path(),
            &["count", "-f", "json", "good.pdf", name],
            &[],
            Some(BOMB_MEMORY_MB),
        );
        let lines = result.stderr_lines();
        assert_eq!(lines.len(), 2, "{name}: {}", result.stderr);
        let prefix = format!("termtally: {name}: ");
        assert!(
            lines[0].starts_with(&format!("{prefix}too large: "))
                || lines[0].starts_with(&format!("{prefix}damaged Word file: ")),
            "{name}: {}",
            lines[0]
        );
        assert_plain_words(lines[0]);
        assert_eq!(result.code, Some(1));
        assert_good_counted(&result);
        assert!(
            result.took < Duration::from_secs(60),
            "{name} took {:?}",
            result.took
        );
        if declared == unpacked {
            assert!(lines[0].contains("zip bomb"), "{}", lines[0]);
        }
    }
}

#[test]
fn docx_entries_with_path_tricks_write_nothing() {
    let outer = tempfile::tempdir().expect("tempdir");
    let dir = outer.path().join("work");
    fs::create_dir(&dir).expect("mkdir");
    let bytes = docx(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("../escaped.txt", "written outside"),
        ("word/../../escaped-too.txt", "written outside"),
        ("/tmp/termtally-absolute-escape.txt", "absolute"),
        (
            "word/document.xml",
            &word_xml(&["Joint co-production with families."]),
        ),
    ]);
    fs::write(dir.join("tricky.docx"), bytes).expect("write");
    let out_dir = dir.join("text");
    let result = run(&dir, &["extract", "-o", "text", "tricky.docx"]);
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert_eq!(
        fs::read_to_string(out_dir.join("tricky.txt"))
            .expect("extracted text")
            .trim(),
        "Joint co-production with families."
    );
    let mut written: Vec<String> = fs::read_dir(&out_dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["tricky.txt"]);
    assert!(
        !outer.path().join("escaped.txt").exists()
            && !outer.path().join("escaped-too.txt").exists()
    );
    assert!(!dir.join("escaped.txt").exists());
    assert!(!Path::new("/tmp/termtally-absolute-escape.txt").exists());
}

// ---------------------------------------------------------------------------------------------
// Text: wrong encoding, one enormous line

#[test]
fn text_that_is_not_utf8_names_the_byte_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Windows-1252, as Word's "Plain text" export writes it: é is 0xE9, curly quotes 0x93/0x94.
    fs::write(
        dir.path().join("notes.txt"),
        b"Caf\xe9 \x93co-operation\x94 with families\n",
    )
    .expect("write");
    let reason = assert_rejected(dir.path(), "notes.txt", &[], "not UTF-8 text");
    assert!(
        reason.contains("byte 3") && reason.contains("--encoding"),
        "{reason}"
    );

    let decoded = run(
        dir.path(),
        &[
            "count",
            "-f",
            "json",
            "--encoding",
            "windows-1252",
            "notes.txt",
        ],
    );
    assert_eq!(decoded.code, Some(0), "{}", decoded.stderr);
    assert_eq!(
        term_count(&decoded.stdout, "notes.txt", "Co-operation"),
        Some(1)
    );
}

/// Writes a file of one line: `unit` repeated to at least `bytes`; returns the repetitions.
fn write_single_line(path: &Path, unit: &str, bytes: usize) -> u64 {
    let repeats = bytes.div_ceil(unit.len());
    let mut file = std::io::BufWriter::new(fs::File::create(path).expect("create"));
    for _ in 0..repeats {
        file.write_all(unit.as_bytes()).expect("write");
    }
    file.flush().expect("flush");
    repeats as u64
}

/// Counts a single-line text of `bytes` within `memory_mb` of address space and `limit` of time,
/// and checks the count is exact: the line is longer than count's streaming chunks, so it is cut
/// somewhere, and no occurrence may be lost or doubled at a cut.
fn count_single_line(bytes: usize, memory_mb: u64, limit: Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = "Local partners share co-production and joint working in practice; ";
    let repeats = write_single_line(&dir.path().join("one-line.txt"), unit, bytes);
    write_good(dir.path());
    let result = run_with(
        dir.path(),
        &["count", "-f", "json", "good.pdf", "one-line.txt"],
        &[],
        Some(memory_mb),
    );
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert_eq!(
        term_count(&result.stdout, "one-line.txt", "Coproduction"),
        Some(repeats)
    );
    assert_good_counted(&result);
    assert!(result.took < limit, "{bytes} bytes took {:?}", result.took);
}

#[test]
fn single_line_text_is_counted_exactly() {
    // Over count's 32 MB streaming threshold, small enough for a debug build.
    count_single_line(48 << 20, 1024, Duration::from_secs(90));
}

#[test]
#[ignore = "slow in a debug build: `cargo test --release --test cli robustness -- --ignored`"]
fn single_line_text_of_200_mb() {
    count_single_line(200 << 20, 1024, Duration::from_secs(300));
}

#[test]
#[ignore = "slow in a debug build: `cargo test --release --test cli robustness -- --ignored`"]
fn single_line_text_of_2_gb() {
    // Less address space than the file's size: it can only pass if the text is streamed.
    count_single_line(2 << 30, 1536, Duration::from_secs(1800));
}

// ---------------------------------------------------------------------------------------------
// Batches: --strict, and Ctrl-C never leaves a partial output file

#[test]
fn strict_makes_any_failure_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_good(dir.path());
    fs::write(dir.path().join("empty.pdf"), b"").expect("write");
    let result = run(
        dir.path(),
        &[
            "count",
            "--strict",
            "-o",
            "out.csv",
            "good.pdf",
            "empty.pdf",
        ],
    );
    assert_eq!(result.code, Some(2), "{}", result.stderr);
    assert_eq!(
        result.stderr_lines(),
        ["termtally: empty.pdf: the file is empty (stopping: --strict)"]
    );
    assert!(
        !dir.path().join("out.csv").exists(),
        "no results written under --strict"
    );
}

/// Files in `dir` other than `inputs`.
fn stray_files(dir: &Path, inputs: &[String]) -> Vec<String> {
    fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !inputs.contains(name))
        .collect()
}

#[test]
fn ctrl_c_leaves_the_old_file_or_a_complete_new_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    // About a second of work in a debug build (each interrupt lands at a fraction of it): text and
    // PDFs, so PDF workers are running too when the interrupt comes.
    let mut inputs = Vec::new();
    for i in 0..24 {
        let name = format!("report-{i:02}.txt");
        write_single_line(
            &dir.path().join(&name),
            "Partners agree co-production; they inform families. ",
            1_200_000,
        );
        inputs.push(name);
    }
    for i in 0..4 {
        let name = format!("guidance-{i}.pdf");
        fs::write(
            dir.path().join(&name),
            text_pdf(&[GOOD_PHRASE, "We cooperate."]),
        )
        .expect("write");
        inputs.push(name);
    }
    // Absolute paths, so the PDF workers can be found by their `--name`.
    let paths: Vec<PathBuf> = inputs.iter().map(|name| dir.path().join(name)).collect();
    let count_to = |out: &str, force: bool| {
        let mut command = Command::new(TERMTALLY);
        command.args(["count", "--by", "page", "-o", out]);
        if force {
            command.arg("--force");
        }
        command
            .args(&paths)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };

    // The reference: the same run, not interrupted.
    let start = Instant::now();
    let reference = count_to("reference.csv", false).output().expect("run");
    let full_time = start.elapsed();
    eprintln!("uninterrupted run: {full_time:?}");
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let reference = fs::read(dir.path().join("reference.csv")).expect("reference");
    inputs.push("reference.csv".to_string());

    // Yesterday's results, which an interrupted --force run must leave as they were.
    let yesterday = b"kind,document\nyesterday,results\n";
    fs::write(dir.path().join("kept.csv"), yesterday).expect("write");
    inputs.push("kept.csv".to_string());

    let fractions = [0.1, 0.5, 0.95];
    let mut interrupted = 0;
    for (i, fraction) in fractions.iter().enumerate() {
        let delay = full_time.mul_f64(*fraction);
        for (out, force) in [
            (format!("out-{i}.csv"), false),
            ("kept.csv".to_string(), true),
        ] {
            use std::os::unix::process::CommandExt;
            // Its own process group, signalled as a whole: what Ctrl-C in a terminal does.
            let mut child = count_to(&out, force)
                .process_group(0)
                .spawn()
                .expect("start");
            std::thread::sleep(delay);
            let group = format!("-{}", child.id());
            // The shell's own `kill` (a `kill` program is not on every system).
            let sent = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -INT {group}"))
                .status()
                .expect("kill");
            assert!(sent.success() || child.try_wait().expect("try_wait").is_some());
            let status = child
                .wait_timeout(HANG)
                .expect("wait")
                .expect("exits after SIGINT");
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
                .expect("read stderr");
            assert!(!stderr.contains("panicked"), "{stderr}");
            let written = fs::read(dir.path().join(&out)).ok();
            // A signal that lands before termtally has installed its handler (in the first
            // milliseconds) ends it the default way, with no exit code: the same checks apply.
            let by_signal = status.code().is_none();
            let late = stderr
                .lines()
                .last()
                .is_some_and(|l| l.ends_with("had already been written in full"));
            match status.code() {
                // Interrupted after the rename: the file is the complete new one, and the
                // message says so.
                Some(130) if late => {
                    assert!(stderr.contains(out.as_str()), "{stderr}");
                    assert_eq!(written.as_deref(), Some(&reference[..]), "{out}");
                }
                // Interrupted: the destination is untouched.
                Some(130) | None => {
                    interrupted += 1;
                    if !by_signal {
                        assert_eq!(
                            stderr.lines().last(),
                            Some("termtally: interrupted"),
                            "{stderr}"
                        );
                    }
                    if force {
                        assert_eq!(
                            written.as_deref(),
                            Some(&yesterday[..]),
                            "{out} after {delay:?}"
                        );
                    } else {
                        assert_eq!(written, None, "{out} after {delay:?}: partial file left");
                    }
                }
                // Finished before the signal: the file is complete.
                Some(0) => assert_eq!(written.as_deref(), Some(&reference[..]), "{out}"),
                other => panic!("exit {other:?} after SIGINT at {delay:?}: {stderr}"),
            }
            if written.is_some() && !force {
                inputs.push(out.clone());
            }
            assert_eq!(
                stray_files(dir.path(), &inputs),
                Vec::<String>::new(),
                "after {delay:?}"
            );
            if force {
                fs::write(dir.path().join("kept.csv"), yesterday).expect("reset");
            }
        }
    }
    // Early interrupts must have landed mid-run, or this test proved nothing.
    assert!(interrupted >= 4, "only {interrupted} runs were interrupted");
    assert_no_workers_left(dir.path());
}

/// Waits a little for interrupted workers to exit, then asserts none is left.
fn assert_no_workers_left(dir: &Path) {
    let start = Instant::now();
    while !leftover_workers(dir).is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        leftover_workers(dir),
        Vec::<String>::new(),
        "PDF workers still running"
    );
}

// ---------------------------------------------------------------------------------------------
// Fuzzing finds, kept as tests

#[test]
fn glob_ending_in_a_multibyte_letter_is_not_a_crash() {
    // Found by the `lexicon` fuzz target: a wildcard inside a form whose last letter takes more
    // than one byte in UTF-8 ("caf*é") made the matcher slice a string inside that letter.
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("accents.toml"),
        "name = \"accents\"\n[categories]\nfrench = \"French loan words\"\n\n\
         [[terms]]\nlabel = \"caf*é\"\ncategory = \"french\"\nforms = [\"caf*é\"]\n",
    )
    .expect("write lexicon");
    fs::write(dir.path().join("menu.txt"), "Cafxé and cafyzé, not cafe.\n").expect("write");
    let result = run(
        dir.path(),
        &[
            "count",
            "-f",
            "json",
            "--lexicon",
            "accents.toml",
            "menu.txt",
        ],
    );
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert_eq!(term_count(&result.stdout, "menu.txt", "caf*é"), Some(2));
}

/// Replays every input the fuzzers ever crashed on (tests/fixtures/fuzz/TARGET/*) through the
/// same code as fuzz/fuzz_targets/TARGET.rs, in this process: a panic fails the test. (Inputs
/// that crash `pdf-extract` itself by stack overflow are contained by the PDF worker and belong
/// in the CLI tests above, not here, where they would abort the test binary.)
#[test]
fn fuzz_findings_stay_fixed() {
    use termtally::document::Format;
    use termtally::extract::{ExtractOptions, extract_bytes};
    use termtally::lexicon::{Lexicon, liwc, toml, validate, yaml};
    use termtally::matcher::{Matcher, Mode};

    let sample = "Co-production and joint working: cafés, naïve co-operation; 4.9 (a) the Act.";
    let modes = [Mode::Word, Mode::Family, Mode::Substring];
    let default_lexicon = Lexicon::load(termtally::lexicon::DEFAULT_LEXICON).expect("built-in");
    let exercise = |document: termtally::Document| {
        let document = termtally::normalise::normalise(document);
        for mode in modes {
            let matcher = Matcher::new(&default_lexicon, mode).expect("compiles");
            for block in &document.blocks {
                let _ = matcher.hits(&block.text);
            }
        }
    };
    let root = util::fixture_path("fuzz");
    let mut replayed = 0;
    for target in fs::read_dir(&root).expect("fixtures").flatten() {
        let target_name = target.file_name().to_string_lossy().into_owned();
        for input in fs::read_dir(target.path())
            .expect("target folder")
            .flatten()
        {
            let data = fs::read(input.path()).expect("read finding");
            let format = match target_name.as_str() {
                "clml" => Some(Format::Clml),
                "html" => Some(Format::Html),
                "docx" => Some(Format::Docx),
                "text" => Some(Format::Text),
                _ => None,
            };
            match (target_name.as_str(), format) {
                ("pdf", _) => {
                    if let Ok((document, _)) =
                        termtally::extract::pdf::extract_in_process("fuzz.pdf", &data, None)
                    {
                        exercise(document);
                    }
                }
                (_, Some(format)) => {
                    let opts = ExtractOptions::default();
                    if let Ok(document) = extract_bytes("fuzz", &data, format, &opts) {
                        exercise(document);
                    }
                }
                ("lexicon", None) => {
                    let Some((&which, rest)) = data.split_first() else {
                        continue;
                    };
                    let Ok(text) = std::str::from_utf8(rest) else {
                        continue;
                    };
                    let raw = match which % 3 {
                        0 => toml::parse(text, "fuzz.toml"),
                        1 => yaml::parse(text, "fuzz.yml"),
                        _ => liwc::parse(text, "fuzz.dic"),
                    };
                    let Ok(lexicon) = raw.and_then(|raw| validate(raw, "fuzz")) else {
                        continue;
                    };
                    for mode in modes {
                        if let Ok(matcher) = Matcher::new(&lexicon, mode) {
                            let _ = matcher.hits(sample);
                        }
                    }
                }
                (other, _) => panic!("unknown fuzz target folder {other}"),
            }
            replayed += 1;
        }
    }
    assert!(
        replayed >= 1,
        "no fuzz findings found under {}",
        root.display()
    );
}
