//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

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

/// The termtally binary under test.
pub fn termtally() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("termtally").expect("termtally binary")
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

/// The `rows` of a JSON report.
pub fn rows(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    json["rows"].as_array().expect("rows")
}

/// A PDF from its objects (numbered from 1; object 1 is the catalogue), with a correct xref.
pub fn pdf_from_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
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

/// Runs termtally with `args` and JSON output, streaming plain-text files larger than
/// `threshold` bytes in chunks of `chunk` bytes; asserts success.
pub fn json_streaming<I, S>(args: I, threshold: &str, chunk: &str) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = termtally()
        .args(args)
        .args(["-f", "json"])
        .env("TERMTALLY_STREAM_THRESHOLD", threshold)
        .env("TERMTALLY_STREAM_CHUNK", chunk)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}
