//! Dispersion (`count --dispersion`, `words --dispersion`, the report's DP): checked against an
//! independent Python computation (tests/independent_dispersion.py) on real shared documents.

use std::path::Path;
use std::process::Command;

use crate::util;

/// A PDF (pages with their real sizes) and an Act in legislation XML (no pages: 10 equal parts).
const DOCUMENTS: [&str; 2] = [
    "dfe-information-sharing-advice-2024-05.pdf",
    "ukpga-geo3-49-126-revised.xml",
];

/// The paths of [`DOCUMENTS`], or `None` (skipped, loudly).
fn documents() -> Option<Vec<std::path::PathBuf>> {
    DOCUMENTS.iter().map(|n| util::corpus_file(n)).collect()
}

/// `words --dispersion` equals the Python computation (the rule is stated in the script) for
/// words spread evenly, bunched, and found in the Act only.
#[test]
fn words_dispersion_equals_an_independent_python_computation() {
    let Some(files) = documents() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent_dispersion.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["--termtally", util::TERMTALLY])
        .args([
            "--words",
            "information,sharing,consent,the,gdpr,children,misdemeanor",
        ])
        .args(&files)
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The script printed a line per word (so it did compare them).
    assert_eq!(stdout.lines().count(), 7, "{stdout}");
}

/// `count --dispersion` of the term "information" (one form, "information") gives the word's
/// dispersion as `words --dispersion` does, in each document and over both.
#[test]
fn count_and_words_agree_on_a_one_word_term() {
    let Some(files) = documents() else {
        return;
    };
    let files: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let mut args = vec!["count", "--dispersion", "--format", "json"];
    args.extend(&files);
    let count = util::json_of(&args);
    let mut args = vec!["words", "--dispersion", "--format", "json"];
    args.extend(&files);
    let words = util::json_of(&args);
    let word = util::rows(&words)
        .iter()
        .find(|r| r["word"] == "information")
        .expect("information");
    let total = util::rows(&count)
        .iter()
        .find(|r| r["term"] == "information" && r["document"] == "(all documents)")
        .expect("total row");
    for key in ["range_parts", "parts", "dp", "dp_norm", "juilland_d"] {
        assert_eq!(total[key], word[key], "{key}");
    }
    assert_eq!(total["range_documents"], 1);
    assert_eq!(total["parts"], 28 + 10, "28 pages and 10 equal parts");
    let in_pdf = util::rows(&count)
        .iter()
        .find(|r| r["term"] == "information" && r["path"] == files[0])
        .expect("PDF row");
    assert_eq!(in_pdf["parts"], 28);
    let dp = in_pdf["dp"].as_f64().unwrap();
    assert!(dp > 0.0 && dp < 0.5, "{dp}");
}

/// One part: the measures are undefined, null in JSON and "–" on the terminal.
#[test]
fn one_part_is_undefined() {
    let json = util::json_from(
        util::termtally()
            .args(["words", "--dispersion", "--format", "json", "-"])
            .write_stdin("information"),
    );
    let row = &util::rows(&json)[0];
    assert_eq!(row["parts"], 1);
    assert!(row["dp"].is_null() && row["dp_norm"].is_null() && row["juilland_d"].is_null());
    let out = util::output_ok(
        util::termtally()
            .args(["words", "--dispersion", "-"])
            .write_stdin("information"),
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains('–'), "{table}");
}

#[test]
fn dispersion_with_by_page_is_refused() {
    let out = util::termtally()
        .args(["count", "--dispersion", "--by", "page", "-"])
        .write_stdin("information")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dispersion"));
}
