//! `kwic` on real documents: it finds exactly the hits `count` counts, in every mode, and the
//! page of every hit is a page on which `pdftotext` (poppler, independent of our PDF reader)
//! shows the matched word.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

use crate::util::{self, json_of, pdftotext_available, rows};

const MODES: [&str; 3] = ["word", "family", "substring"];

/// (document, term) -> count, from `count --format json` (per-document term rows).
fn count_by_document_and_term(json: &Json) -> HashMap<(String, String), u64> {
    rows(json)
        .iter()
        .filter(|r| r["kind"] == "term" && r["document"] != "(all documents)")
        .map(|r| {
            (
                (
                    r["path"].as_str().unwrap().to_string(),
                    r["term"].as_str().unwrap().to_string(),
                ),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (document, term) -> number of concordance rows.
fn kwic_by_document_and_term(json: &Json) -> HashMap<(String, String), u64> {
    let mut by = HashMap::new();
    for r in rows(json) {
        let key = (
            r["path"].as_str().unwrap().to_string(),
            r["term"].as_str().unwrap().to_string(),
        );
        *by.entry(key).or_insert(0) += 1;
    }
    by
}

fn paths(files: &[PathBuf]) -> Vec<&str> {
    files.iter().map(|p| p.to_str().unwrap()).collect()
}

/// Every (document, term) count of `count` equals the number of `kwic` rows, zeros included.
fn assert_kwic_equals_count(files: &[PathBuf], lexicon: &str, mode: &str) -> u64 {
    let mut args = vec!["--lexicon", lexicon, "--mode", mode, "--format", "json"];
    args.extend(paths(files));
    let counted = count_by_document_and_term(&json_of(&[&["count"], &args[..]].concat()));
    let kwic = kwic_by_document_and_term(&json_of(&[&["kwic"], &args[..]].concat()));
    assert!(!counted.is_empty());
    for (key, &n) in &counted {
        assert_eq!(
            kwic.get(key).copied().unwrap_or(0),
            n,
            "{lexicon} {mode}: {key:?}"
        );
    }
    for key in kwic.keys() {
        assert!(
            counted.contains_key(key),
            "kwic row for a term/document count does not know: {key:?}"
        );
    }
    counted.values().sum()
}

#[test]
fn kwic_rows_equal_count_in_every_mode() {
    let files: Vec<PathBuf> = [
        "dfe-designated-teacher-looked-after-children.pdf",
        "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        "housing-act-2004-ukpga-2004-34-revised.xml",
    ]
    .iter()
    .filter_map(|f| util::corpus_file(f))
    .collect();
    if files.len() < 3 {
        return;
    }
    let mut totals = Vec::new();
    for mode in MODES {
        totals.push(assert_kwic_equals_count(&files, "boddison-soan-2021", mode));
    }
    // The modes differ on these documents, so the comparison covered three different hit sets.
    assert!(totals[0] > 50, "{totals:?}");
    assert!(
        totals[0] < totals[1] && totals[1] < totals[2],
        "word < family < substring: {totals:?}"
    );
    // Multi-word forms ("must not" takes its words from "must") and wildcards.
    assert_kwic_equals_count(&files, "modality", "word");
}

#[test]
fn term_and_category_filters_keep_counts() {
    let Some(file) = util::corpus_file("dfe-designated-teacher-looked-after-children.pdf") else {
        return;
    };
    let file = file.to_str().unwrap();
    let counted =
        count_by_document_and_term(&json_of(&["count", "--mode", "family", "-f", "json", file]));
    let of = |term: &str| counted[&(file.to_string(), term.to_string())];
    let kwic = json_of(&[
        "kwic",
        "-l",
        "boddison-soan-2021",
        "--term",
        "Involved",
        "--term",
        "inform",
        "--mode",
        "family",
        "-f",
        "json",
        file,
    ]);
    let n = |term: &str| rows(&kwic).iter().filter(|r| r["term"] == term).count() as u64;
    assert!(of("Involved") > 0 && of("Inform") > 0);
    assert_eq!(n("Involved"), of("Involved"));
    assert_eq!(n("Inform"), of("Inform"), "labels match case-insensitively");
    assert_eq!(rows(&kwic).len() as u64, of("Involved") + of("Inform"));

    let kwic = json_of(&[
        "kwic",
        "-l",
        "boddison-soan-2021",
        "--category",
        "collaborative",
        "-f",
        "json",
        file,
    ]);
    let counted = count_by_document_and_term(&json_of(&["count", "-f", "json", file]));
    let lexicon = termtally::lexicon::Lexicon::load("boddison-soan-2021").unwrap();
    let collaborative: u64 = lexicon
        .terms
        .iter()
        .filter(|t| t.category == "collaborative")
        .map(|t| counted[&(file.to_string(), t.label.clone())])
        .sum();
    assert!(collaborative > 0);
    assert_eq!(rows(&kwic).len() as u64, collaborative);
    assert!(rows(&kwic).iter().all(|r| r["category"] == "collaborative"));
}

#[test]
fn a_pattern_finds_what_a_one_form_lexicon_counts() {
    // Legislation XML: quick to read, and cited by Part and section.
    let Some(file) = util::corpus_file("housing-act-2004-ukpga-2004-34-revised.xml") else {
        return;
    };
    let file = file.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lexicon = dir.path().join("one.toml");
    for pattern in ["inform*", "local housing authority", "landlord"] {
        std::fs::write(
            &lexicon,
            format!("name = \"one\"\n[categories]\nx = \"\"\n[[terms]]\nlabel = \"t\"\ncategory = \"x\"\nforms = [{pattern:?}]\n"),
        )
        .unwrap();
        for mode in MODES {
            let counted = json_of(&[
                "count",
                "-l",
                lexicon.to_str().unwrap(),
                "-m",
                mode,
                "-f",
                "json",
                file,
            ]);
            let n = rows(&counted).iter().find(|r| r["kind"] == "term").unwrap()["count"]
                .as_u64()
                .unwrap();
            let kwic = json_of(&["kwic", pattern, "-m", mode, "-f", "json", file]);
            assert!(n > 0, "{pattern} {mode}");
            assert_eq!(rows(&kwic).len() as u64, n, "{pattern} {mode}");
            assert!(
                rows(&kwic)
                    .iter()
                    .all(|r| r["term"] == pattern && r["category"] == "pattern")
            );
        }
    }
}

/// Lower-case letters and digits only: pdftotext and our extraction differ in white space,
/// hyphenation at line ends and dashes, not in the letters.
fn letters(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn pdftotext_page(file: &Path, page: u64) -> Option<String> {
    let output = Command::new("pdftotext")
        .args([
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-enc",
            "UTF-8",
        ])
        .arg(file)
        .arg("-")
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// For every hit: pdftotext's text of that page contains the matched text, and no page has more
/// hits of a string than pdftotext shows occurrences of it there.
fn assert_pages_agree_with_pdftotext(file: &Path, args: &[&str]) -> usize {
    let mut all = vec!["kwic"];
    all.extend_from_slice(args);
    all.extend(["--format", "json", file.to_str().unwrap()]);
    let kwic = json_of(&all);
    let mut per_page: HashMap<(u64, String), usize> = HashMap::new();
    for r in rows(&kwic) {
        let page = r["page"].as_u64().expect("PDF hits have a page");
        *per_page
            .entry((page, letters(r["match"].as_str().unwrap())))
            .or_insert(0) += 1;
    }
    let mut pages: HashMap<u64, String> = HashMap::new();
    for ((page, matched), hits) in &per_page {
        let text = pages
            .entry(*page)
            .or_insert_with(|| letters(&pdftotext_page(file, *page).expect("pdftotext page")));
        let occurrences = text.matches(matched.as_str()).count();
        assert!(
            occurrences >= *hits,
            "{}: page {page}: {hits} hits of {matched:?} but pdftotext shows {occurrences}",
            file.display()
        );
    }
    rows(&kwic).len()
}

#[test]
fn hit_pages_agree_with_pdftotext() {
    if !pdftotext_available() {
        return;
    }
    let files: Vec<PathBuf> = [
        "dfe-designated-teacher-looked-after-children.pdf",
        "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        "dfe-dh-promoting-health-wellbeing-looked-after-children-2015-aug2022-update.pdf",
    ]
    .iter()
    .filter_map(|f| util::corpus_file(f))
    .collect();
    let mut hits = 0;
    for file in &files {
        hits += assert_pages_agree_with_pdftotext(
            file,
            &["-l", "boddison-soan-2021", "-m", "substring"],
        );
        hits += assert_pages_agree_with_pdftotext(file, &["looked-after", "-m", "word"]);
    }
    if !files.is_empty() {
        assert!(hits > 100, "checked {hits} hits");
    }
}

/// The page numbers are not merely plausible: a word that occurs on few pages is reported on
/// exactly the pages where pdftotext finds it.
#[test]
fn a_rare_word_is_on_exactly_the_pages_pdftotext_shows() {
    if !pdftotext_available() {
        return;
    }
    let Some(file) = util::corpus_file("dfe-designated-teacher-looked-after-children.pdf") else {
        return;
    };
    let kwic = json_of(&["kwic", "partnership", "-f", "json", file.to_str().unwrap()]);
    let mut ours: Vec<u64> = rows(&kwic)
        .iter()
        .map(|r| r["page"].as_u64().unwrap())
        .collect();
    ours.dedup();
    let info = Command::new("pdfinfo")
        .arg(&file)
        .output()
        .expect("pdfinfo");
    let pages: u64 = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap();
    let theirs: Vec<u64> = (1..=pages)
        .filter(|&p| {
            let text = pdftotext_page(&file, p).unwrap_or_default().to_lowercase();
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "partnership")
        })
        .collect();
    assert!(!theirs.is_empty());
    assert_eq!(ours, theirs);
}

#[test]
fn count_with_contexts_attaches_the_first_kwic_rows_of_each_term() {
    let Some(file) = util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    let file = file.to_str().unwrap();
    let counted = json_of(&["count", "--with-contexts", "2", "-f", "json", file]);
    let kwic = json_of(&["kwic", "-l", "boddison-soan-2021", "-f", "json", file]);
    let contexts = counted["contexts"].as_array().expect("contexts");
    let mut checked = 0;
    for row in rows(&counted).iter().filter(|r| r["kind"] == "term") {
        let term = row["term"].as_str().unwrap();
        let n = row["count"].as_u64().unwrap() as usize;
        let attached = contexts.iter().find(|c| c["term"] == term);
        if n == 0 {
            assert!(attached.is_none(), "{term}");
            continue;
        }
        let hits = attached.expect("contexts of a counted term")["hits"]
            .as_array()
            .unwrap();
        assert_eq!(hits.len(), n.min(2), "{term}");
        let firsts: Vec<&Json> = rows(&kwic)
            .iter()
            .filter(|r| r["term"] == term)
            .take(2)
            .collect();
        for (hit, k) in hits.iter().zip(firsts) {
            for key in ["page", "cite", "left", "match", "right"] {
                assert_eq!(hit[key], k[key], "{term} {key}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 3, "{checked} terms checked");
}
