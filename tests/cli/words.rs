//! `termtally words`, the word-frequency list, on real documents: every word type's count and
//! document count equal an independent count (Python's `re` and `collections.Counter`, see
//! tests/independent_count.py) over the same extracted text; its token total is `count`'s; a
//! large text read in chunks gives the same list as read whole; bad files are reported and the
//! good ones still counted.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{self, json_of, rows, termtally};

fn independent_check(files: &[PathBuf]) -> String {
    let out = util::independent_count()
        .arg("--words")
        .args(files)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "termtally words and the independent count differ:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Word types with the number of documents they occur in, over PDFs of three producers
/// (including Chrome's print of a Wikipedia page, full of non-ASCII), an Act in XML and the 42
/// Ofsted reports.
#[test]
fn word_types_equal_an_independent_count_on_real_documents() {
    let Some(dir) = util::corpora_dir() else {
        return;
    };
    let mut files: Vec<PathBuf> = [
        "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        "dfe-information-sharing-advice-2024-05.pdf",
        "housing-act-2004-ukpga-2004-34-revised.xml",
        "wikipedia-cabinet-office-2023-10-03.pdf",
    ]
    .iter()
    .map(|name| dir.join(name))
    .collect();
    let ofsted = util::ofsted_reports().expect("the corpora were found");
    assert_eq!(ofsted.len(), 42);
    files.extend(ofsted);
    let summary = independent_check(&files);
    let line = summary.lines().find(|l| l.starts_with("words: ")).unwrap();
    let passed: u64 = line["words: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(passed > 5_000, "{line}");
    assert!(line.contains(" passed, 0 failed"), "{line}");
}

/// The same documents' token total as `count` reports, and rows in the documented order.
#[test]
fn totals_are_counts_tokens_and_rows_are_sorted() {
    let Some(file) = util::corpus_file("dfe-designated-teacher-looked-after-children.pdf") else {
        return;
    };
    let file = file.to_str().unwrap();
    // Every word type: proper nouns too.
    let words = json_of(&["words", "-f", "json", "--proper-nouns", "keep", file]);
    let count = json_of(&["count", "-f", "json", file]);
    assert_eq!(words["total"]["tokens"], count["total"]["tokens"]);
    assert_eq!(
        words["documents"][0]["pages"],
        count["documents"][0]["pages"]
    );
    let listed = rows(&words);
    assert_eq!(
        listed.len() as u64,
        words["total"]["types"].as_u64().unwrap()
    );
    let sum: u64 = listed.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(sum, words["total"]["tokens"].as_u64().unwrap());
    let key = |r: &Value| {
        (
            std::cmp::Reverse(r["count"].as_u64()),
            r["word"].as_str().map(str::to_string),
        )
    };
    assert!(listed.windows(2).all(|w| key(&w[0]) < key(&w[1])));
    assert_eq!(listed[0]["word"], "the");
    // The study's words, as `count` counts them in word mode.
    let looked_after = listed.iter().find(|r| r["word"] == "looked-after").unwrap();
    assert!(
        looked_after["count"].as_u64().unwrap() > 50,
        "{looked_after}"
    );

    let top = json_of(&["words", "-f", "json", "--top", "5", file]);
    assert_eq!(rows(&top)[..], listed[..5]);
    let frequent = json_of(&["words", "-f", "json", "--min-count", "100", file]);
    assert!(
        rows(&frequent)
            .iter()
            .all(|r| r["count"].as_u64().unwrap() >= 100)
    );
    assert_eq!(
        rows(&frequent).len(),
        listed
            .iter()
            .filter(|r| r["count"].as_u64().unwrap() >= 100)
            .count()
    );
    let alphabetical = json_of(&["words", "-f", "json", "--sort", "word", file]);
    let alpha_words: Vec<&str> = rows(&alphabetical)
        .iter()
        .map(|r| r["word"].as_str().unwrap())
        .collect();
    assert!(alpha_words.windows(2).all(|w| w[0] < w[1]));
}

/// Hand-written text with the result worked out by hand: case folded, hyphens and apostrophes
/// inside words kept, the documents column.
#[test]
fn a_hand_counted_text() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(
        &a,
        "Co-operation and co-operation, CO-OPERATION; the parent's view.\n",
    )
    .unwrap();
    std::fs::write(&b, "Cooperation and the parents' views\n").unwrap();
    let out = termtally()
        .args(["words", "-f", "csv"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    // 12 tokens; rate = count * 10000 / 12.
    assert_eq!(
        lines,
        [
            "word,count,rate_per_10k,documents",
            "co-operation,3,2500,1",
            "and,2,1666.6666666666667,2",
            "the,2,1666.6666666666667,2",
            "cooperation,1,833.3333333333334,1",
            "parent's,1,833.3333333333334,1",
            "parents,1,833.3333333333334,1",
            "view,1,833.3333333333334,1",
            "views,1,833.3333333333334,1",
        ]
    );
}

/// 3 MB of real extracted text read in chunks of 256 KB gives the list read whole.
#[test]
fn streamed_words_equal_whole_words() {
    let dir = tempfile::tempdir().unwrap();
    let Some(seed) = util::extracted_text(&[
        "dfe-statutory-guidance-on-adoption-2013.pdf",
        "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        "housing-act-2004-ukpga-2004-34-revised.xml",
        "wikipedia-cabinet-office-2023-10-03.pdf",
    ]) else {
        return;
    };
    let path = dir.path().join("corpus.txt");
    std::fs::write(&path, util::repeated_to(&seed, 3 << 20)).unwrap();
    let run = |threshold: &str| {
        util::json_streaming(
            [std::ffi::OsStr::new("words"), path.as_os_str()],
            threshold,
            "262144",
        )
    };
    let (whole, streamed) = (run("99999999999"), run("0"));
    let note = |json: &Value| json["notes"].to_string().contains("streamed");
    assert!(!note(&whole) && note(&streamed));
    assert_eq!(streamed["total"], whole["total"]);
    assert_eq!(streamed["documents"], whole["documents"]);
    assert_eq!(rows(&streamed), rows(&whole));
    assert!(rows(&whole).len() > 5000);
}

/// A corrupt PDF beside a good document: one plain line naming it, exit 1, the good one listed.
#[test]
fn a_bad_file_is_reported_and_the_others_counted() {
    let (Some(bad), Some(good)) = (
        util::corpus_file("wikipedia-cabinet-office-2023-10-03.corrupt.pdf"),
        util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf"),
    ) else {
        return;
    };
    let out = termtally()
        .args(["words", "-f", "csv", "--top", "3"])
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("corrupt.pdf: not a PDF"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    let out = termtally().args(["words", "nosuch.pdf"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuch.pdf: no such file"));
}
