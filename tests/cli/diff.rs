//! `diff` on real documents: its counts and token totals are `count`'s on each side, several
//! documents per side add up as one corpus, and its statistics follow the UCREL formulas.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::Value as Json;

use crate::util::{self, json_of, rows};

/// The Ofsted/CQC area SEND inspection reports of one year (the year ends the file name).
fn reports_of(year: &str) -> Vec<PathBuf> {
    let Some(reports) = util::ofsted_reports() else {
        return Vec::new();
    };
    let files: Vec<PathBuf> = reports
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(&format!("-{year}.pdf")))
        .collect();
    if files.is_empty() {
        eprintln!("\n*** SKIPPED: no {year} reports in the Ofsted folder ***\n");
    }
    files
}

/// G2 computed here from the counts, independently of `termtally::stats`.
fn g2(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let term = |o: f64, e: f64| if o == 0.0 { 0.0 } else { o * (o / e).ln() };
    2.0 * (term(a, e1) + term(b, e2))
}

#[test]
fn ofsted_2023_against_2024_counts_equal_count_on_each_side() {
    let (old, new) = (reports_of("2023"), reports_of("2024"));
    if old.is_empty() || new.is_empty() {
        return;
    }
    let mut args: Vec<&str> = vec!["diff", "--format", "json", "--old"];
    args.extend(old.iter().map(|p| p.to_str().unwrap()));
    args.push("--new");
    args.extend(new.iter().map(|p| p.to_str().unwrap()));
    let diff = json_of(&args);

    // One `count` over every report; each side's total is the sum of its documents' rows.
    let mut count_args: Vec<&str> = vec!["count", "--format", "json"];
    count_args.extend(old.iter().chain(&new).map(|p| p.to_str().unwrap()));
    let counted = json_of(&count_args);
    let side_of = |doc: &str| {
        if old.iter().any(|p| p.to_str() == Some(doc)) {
            "old"
        } else {
            assert!(new.iter().any(|p| p.to_str() == Some(doc)), "{doc}");
            "new"
        }
    };
    let mut expected: HashMap<(&str, String), u64> = HashMap::new();
    let mut tokens: HashMap<&str, u64> = HashMap::new();
    for doc in counted["documents"].as_array().unwrap() {
        *tokens
            .entry(side_of(doc["path"].as_str().unwrap()))
            .or_insert(0) += doc["tokens"].as_u64().unwrap();
    }
    for row in rows(&counted) {
        // The corpus total has no path.
        let Some(doc) = row["path"].as_str() else {
            continue;
        };
        if row["kind"] != "term" {
            continue;
        }
        *expected
            .entry((side_of(doc), row["term"].as_str().unwrap().to_string()))
            .or_insert(0) += row["count"].as_u64().unwrap();
    }

    assert_eq!(
        diff["old"]["documents"].as_array().unwrap().len(),
        old.len()
    );
    assert_eq!(
        diff["new"]["documents"].as_array().unwrap().len(),
        new.len()
    );
    assert_eq!(diff["old"]["tokens"].as_u64(), tokens.get("old").copied());
    assert_eq!(diff["new"]["tokens"].as_u64(), tokens.get("new").copied());
    let terms: Vec<&Json> = rows(&diff).iter().filter(|r| r["kind"] == "term").collect();
    let lexicon = termtally::lexicon::Lexicon::load("boddison-soan-2021").unwrap();
    assert_eq!(
        terms.len(),
        lexicon.terms.len(),
        "every term has a row by default"
    );
    let mut moved = 0;
    for row in &terms {
        let term = row["term"].as_str().unwrap().to_string();
        let (o, n) = (
            row["old_count"].as_u64().unwrap(),
            row["new_count"].as_u64().unwrap(),
        );
        assert_eq!(o, expected[&("old", term.clone())], "OLD {term}");
        assert_eq!(n, expected[&("new", term.clone())], "NEW {term}");
        assert_eq!(row["old_tokens"], diff["old"]["tokens"]);
        assert_eq!(row["new_tokens"], diff["new"]["tokens"]);
        let (c, d) = (
            row["new_tokens"].as_f64().unwrap(),
            row["old_tokens"].as_f64().unwrap(),
        );
        let ours = row["log_likelihood"].as_f64().unwrap();
        let theirs = g2(n as f64, o as f64, c, d).max(0.0);
        assert!(
            (ours - theirs).abs() < 1e-9,
            "{term}: G2 {ours} vs {theirs}"
        );
        if o != n {
            moved += 1;
        }
    }
    assert!(moved > 3, "the two years differ");
    // Sorted by keyness: G2 never increases down the term rows.
    let g2s: Vec<f64> = terms
        .iter()
        .map(|r| r["log_likelihood"].as_f64().unwrap())
        .collect();
    assert!(g2s.windows(2).all(|w| w[0] >= w[1]), "{g2s:?}");
    // Category totals are the sums of their terms.
    for row in rows(&diff).iter().filter(|r| r["kind"] == "category") {
        let category = row["category"].as_str().unwrap();
        let sum = |side: &str| -> u64 {
            terms
                .iter()
                .filter(|t| t["category"] == category)
                .map(|t| t[side].as_u64().unwrap())
                .sum()
        };
        assert_eq!(
            row["old_count"].as_u64().unwrap(),
            sum("old_count"),
            "{category}"
        );
        assert_eq!(
            row["new_count"].as_u64().unwrap(),
            sum("new_count"),
            "{category}"
        );
    }
}

#[test]
fn a_document_against_itself_changes_nothing_even_for_every_word() {
    let Some(file) = util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    let file = file.to_str().unwrap();
    let diff = json_of(&[
        "diff",
        file,
        file,
        "--all-words",
        "--proper-nouns",
        "keep",
        "--format",
        "json",
    ]);
    let all = rows(&diff);
    let words: Vec<&Json> = all.iter().filter(|r| r["kind"] == "word").collect();
    assert!(words.len() > 500, "{} word types", words.len());
    for row in all {
        assert_eq!(row["log_likelihood"], 0.0, "{row}");
        assert_eq!(row["log_ratio"], 0.0, "{row}");
        assert_eq!(row["status"], "no significant change", "{row}");
        assert_eq!(row["direction"], "same", "{row}");
        assert_eq!(row["old_count"], row["new_count"], "{row}");
    }
    // Every token is one word type's occurrence: the word counts add up to count's token total.
    let tokens = diff["old"]["tokens"].as_u64().unwrap();
    let counted = json_of(&["count", "--format", "json", file]);
    assert_eq!(counted["total"]["tokens"].as_u64(), Some(tokens));
    let word_total: u64 = words.iter().map(|r| r["old_count"].as_u64().unwrap()).sum();
    assert_eq!(word_total, tokens);
    let the = words
        .iter()
        .find(|r| r["term"] == "the")
        .expect("\"the\" is a word type");
    assert!(the["old_count"].as_u64().unwrap() > 50);
}

#[test]
fn two_editions_show_new_and_gone_words_and_respect_min_count() {
    let (Some(old), Some(new)) = (
        util::corpus_file("ofsted-cqc-area-send-inspection-hertfordshire-2023-11.pdf"),
        util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf"),
    ) else {
        return;
    };
    let diff = json_of(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--all-words",
        "--proper-nouns",
        "keep",
        "--min-count",
        "3",
        "--sort",
        "ratio",
        "--format",
        "json",
    ]);
    let words: Vec<&Json> = rows(&diff).iter().filter(|r| r["kind"] == "word").collect();
    assert!(
        words
            .iter()
            .all(|r| r["old_count"].as_u64().unwrap() + r["new_count"].as_u64().unwrap() >= 3)
    );
    // The documents name their own local areas: each is a word only its side has.
    let dorset = words
        .iter()
        .find(|r| r["term"] == "dorset")
        .expect("dorset");
    assert_eq!(dorset["status"], "new");
    assert_eq!(dorset["old_count"], 0);
    assert_eq!(
        dorset["pct_diff"],
        Json::Null,
        "%DIFF is undefined when OLD has none"
    );
    assert_eq!(dorset["keyword"], "positive");
    let herts = words
        .iter()
        .find(|r| r["term"] == "hertfordshire")
        .expect("hertfordshire");
    assert_eq!(herts["status"], "gone");
    assert_eq!(herts["pct_diff"], -100.0);
    assert_eq!(herts["keyword"], "negative");
    let ratios: Vec<f64> = words
        .iter()
        .map(|r| r["log_ratio"].as_f64().unwrap())
        .collect();
    assert!(
        ratios.windows(2).all(|w| w[0] >= w[1]),
        "--sort ratio: Log Ratio descending"
    );
}

#[test]
fn usage_errors_exit_2_with_a_plain_message() {
    let out = util::termtally()
        .args(["diff", "only-one.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("termtally: ") && err.contains("OLD and NEW"),
        "{err}"
    );
    let out = util::termtally()
        .args(["diff", "--old", "a.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = util::termtally()
        .args(["diff", "missing-old.pdf", "missing-new.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing-old.pdf"), "{err}");
}

/// Two large text files (real extracted text, a few MB each) are read in chunks: every row of
/// `diff --all-words` is the one computed with both sides read whole, and a note says so.
#[test]
fn large_text_sides_are_streamed_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut sides = Vec::new();
    for names in [
        [
            "dfe-statutory-guidance-on-adoption-2013.pdf",
            "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        ],
        [
            "dfe-designated-teacher-looked-after-children.pdf",
            "ofsted-cqc-area-send-inspection-hertfordshire-2023-11.pdf",
        ],
    ] {
        let Some(seed) = util::extracted_text(&names) else {
            return;
        };
        let path = dir.path().join(format!("side{}.txt", sides.len()));
        std::fs::write(&path, util::repeated_to(&seed, 2 << 20)).unwrap();
        sides.push(path);
    }
    let mut args: Vec<std::ffi::OsString> = vec!["diff".into(), "--all-words".into()];
    args.extend(sides.iter().map(|p| p.clone().into_os_string()));
    let run = |threshold: &str| util::json_streaming(&args, threshold, "262144");
    let (whole, streamed) = (run("99999999999"), run("0"));
    let note = |json: &Json| json["notes"].to_string().contains("streamed");
    assert!(!note(&whole) && note(&streamed));
    assert_eq!(streamed["old"], whole["old"]);
    assert_eq!(streamed["new"], whole["new"]);
    assert!(rows(&whole).len() > 3000);
    assert_eq!(rows(&streamed), rows(&whole));
}
