//! Helpers shared by the test modules: finding the shared corpora, running termtally, reading its
//! JSON, and (in the submodules) making input files and serving them over HTTP.

pub mod http;
pub mod make;
pub mod server;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The termtally binary under test, for tests that drive `std::process::Command` themselves.
pub const TERMTALLY: &str = env!("CARGO_BIN_EXE_termtally");

/// The shared real documents: `$TERMTALLY_CORPORA`, else `../shared/corpora` beside the project.
/// Returns `None` (and says so loudly) when they are absent, so the test is skipped, not failed.
pub fn corpora_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TERMTALLY_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    if dir.join("SOURCES.md").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** SKIPPED: the shared corpora were not found at {} (set TERMTALLY_CORPORA) ***\n",
            dir.display()
        );
        None
    }
}

/// A real document from the shared corpora, or `None` (skipped, loudly).
pub fn corpus_file(name: &str) -> Option<PathBuf> {
    let path = corpora_dir()?.join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("\n*** SKIPPED: {} is missing ***\n", path.display());
        None
    }
}

/// The 42 Ofsted/CQC area SEND inspection reports of the shared corpora, sorted by name, or
/// `None` (skipped, loudly).
pub fn ofsted_reports() -> Option<Vec<PathBuf>> {
    let dir = corpora_dir()?.join("ofsted-area-send");
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    Some(pdfs)
}

/// A file of the repository's `tests/fixtures` folder.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The termtally binary under test.
pub fn termtally() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("termtally").expect("termtally binary")
}

/// Runs `cmd`, asserts it succeeded (showing its stderr when not), and returns its output.
pub fn output_ok(cmd: &mut assert_cmd::Command) -> Output {
    let out = cmd.output().expect("run termtally");
    assert!(
        out.status.success(),
        "termtally failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd`, asserts it succeeded, and parses its JSON output.
pub fn json_from(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    serde_json::from_slice(&output_ok(cmd).stdout).expect("JSON output")
}

/// Runs termtally with `args`, asserts success, and parses its JSON output.
pub fn json_of(args: &[&str]) -> serde_json::Value {
    let output = termtally().args(args).output().expect("run termtally");
    assert!(
        output.status.success(),
        "termtally {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// Runs termtally with `args` and JSON output, streaming plain-text files larger than
/// `threshold` bytes in chunks of `chunk` bytes; asserts success.
pub fn json_streaming<I, S>(args: I, threshold: &str, chunk: &str) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let out = termtally()
        .args(&args)
        .args(["-f", "json"])
        .env("TERMTALLY_STREAM_THRESHOLD", threshold)
        .env("TERMTALLY_STREAM_CHUNK", chunk)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "termtally {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// The `rows` of a JSON report.
pub fn rows(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    json["rows"].as_array().expect("rows")
}

/// The records of `extract --format jsonl` output.
pub fn jsonl_records(stdout: &[u8]) -> Vec<serde_json::Value> {
    std::str::from_utf8(stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The text `termtally extract` gives for each of these corpus documents (pages separated by
/// form feeds), the documents separated by a form feed too; `None` (skipped, loudly) when one
/// is missing.
pub fn extracted_text(names: &[&str]) -> Option<String> {
    let mut text = String::new();
    for name in names {
        let file = corpus_file(name)?;
        let out = termtally().arg("extract").arg(&file).output().unwrap();
        assert!(out.status.success(), "{name}");
        let extracted = String::from_utf8(out.stdout).unwrap();
        assert!(
            extracted.len() > 10_000,
            "{name}: {} bytes",
            extracted.len()
        );
        text.push_str(&extracted);
        text.push('\u{c}');
    }
    Some(text)
}

/// `seed` repeated until the text is at least `bytes` long: a large text made of real pages.
pub fn repeated_to(seed: &str, bytes: usize) -> String {
    seed.repeat(bytes / seed.len() + 1)
}

/// Whether poppler's `pdftotext` is installed; says so loudly when it is not.
pub fn pdftotext_available() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok();
    if !ok {
        eprintln!("\n*** SKIPPED: pdftotext (poppler-utils) is not installed ***\n");
    }
    ok
}

/// The independent count written in Python (tests/independent_count.py), told where the
/// termtally binary under test is; the caller adds the options and documents.
pub fn independent_count() -> Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent_count.py");
    let mut command = Command::new("python3");
    command.arg(script).args(["--termtally", TERMTALLY]);
    command
}

/// The names of the files in `dir`, sorted; none when `dir` does not exist.
pub fn file_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
