//! `termtally count` end to end on real documents: the JSON schema, page breakdowns checked
//! against `pdftotext -f P -l P`, section breakdowns adding up, many documents at once; counts
//! equal to an independent count in Python; and what the matcher sees after normalisation.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use termtally::count::{Unit, count_document};
use termtally::lexicon::Lexicon;
use termtally::matcher::{Matcher, Mode};
use termtally::normalise::normalise;
use termtally::{Block, Document, Format};

use crate::util::{self, json_of, pdftotext_available, termtally};

fn term_rows<'a>(json: &'a Value, document: &str) -> Vec<&'a Value> {
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "term" && r["document"] == document)
        .collect()
}

/// Whole-word, case-insensitive occurrences of `word` in `pdftotext`'s text of `pages` of `pdf`.
fn pdftotext_count(pdf: &PathBuf, page: Option<u32>, pattern: &regex::Regex) -> usize {
    let mut cmd = Command::new("pdftotext");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd.arg(pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    pattern.find_iter(&text).count()
}

#[test]
fn json_has_the_documented_schema() {
    let Some(pdf) = util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    let path = pdf.display().to_string();
    let json = json_of(&["count", "--format", "json", &path]);
    assert_eq!(json["mode"], "word");
    assert_eq!(json["by"], "document");
    assert_eq!(json["lexicon"]["origin"], "built-in boddison-soan-2021");
    let doc = &json["documents"][0];
    assert_eq!(doc["path"], path.as_str());
    assert_eq!(doc["pages"], 8);
    let tokens = doc["tokens"].as_u64().unwrap();
    // SOURCES.md: `pdftotext | wc -w` gives 3054 words; tokens split differently (numbers, "/")
    // and running headers are removed, but the order of magnitude must agree.
    assert!((2500..3500).contains(&tokens), "{tokens}");
    let rows = term_rows(&json, &path);
    assert_eq!(
        rows.len(),
        17,
        "every term of the study lexicon, zeros included"
    );
    for r in &rows {
        for key in [
            "document",
            "unit",
            "term",
            "category",
            "count",
            "rate_per_10k",
        ] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        assert!(r["unit"].is_null());
        let count = r["count"].as_f64().unwrap();
        let rate = r["rate_per_10k"].as_f64().unwrap();
        assert!((rate - count * 10_000.0 / tokens as f64).abs() < 1e-9);
    }
    let coproduction = rows.iter().find(|r| r["term"] == "Coproduction").unwrap();
    assert_eq!(
        coproduction["count"], 2,
        "SOURCES.md: contains \"co-production\" (2)"
    );
    let shares: f64 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "category")
        .map(|r| r["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 100.0).abs() < 1e-9, "{shares}");
}

#[test]
fn page_counts_agree_with_pdftotext_page_by_page() {
    let Some(pdf) = util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    if !pdftotext_available() {
        return;
    }
    let path = pdf.display().to_string();
    let json = json_of(&["count", "--by", "page", "--format", "json", &path]);
    for (term, pattern) in [
        ("information", r"(?i)\binformation\b"),
        ("Coproduction", r"(?i)\bco-?production\b"),
    ] {
        let pattern = regex::Regex::new(pattern).unwrap();
        let mut total = 0;
        for page in 1..=8u32 {
            let ours = term_rows(&json, &path)
                .iter()
                .find(|r| r["term"] == term && r["unit"] == page.to_string().as_str())
                .map_or(0, |r| r["count"].as_u64().unwrap());
            let theirs = pdftotext_count(&pdf, Some(page), &pattern) as u64;
            assert_eq!(ours, theirs, "{term} on page {page}");
            total += ours;
        }
        assert!(total > 0, "{term} occurs in the document");
    }
}

#[test]
fn section_breakdown_adds_up_to_the_document() {
    let Some(xml) = util::corpus_file("housing-act-2004-ukpga-2004-34-revised.xml") else {
        return;
    };
    let path = xml.display().to_string();
    let whole = json_of(&["count", "--lexicon", "modality", "--format", "json", &path]);
    let by_section = json_of(&[
        "count",
        "--lexicon",
        "modality",
        "--by",
        "section",
        "--format",
        "json",
        &path,
    ]);
    let units: Vec<&str> = term_rows(&by_section, &path)
        .iter()
        .map(|r| r["unit"].as_str().unwrap())
        .collect();
    assert!(
        units.iter().any(|u| u.starts_with("Part 1, s. ")),
        "{:?}",
        &units[..5.min(units.len())]
    );
    for r in term_rows(&whole, &path) {
        let term = r["term"].as_str().unwrap();
        let sum: u64 = term_rows(&by_section, &path)
            .iter()
            .filter(|s| s["term"] == term)
            .map(|s| s["count"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, r["count"].as_u64().unwrap(), "{term}");
    }
    assert!(
        term_rows(&by_section, &path)
            .iter()
            .all(|r| r["count"].as_u64().unwrap() > 0)
    );
}

#[test]
fn substring_mode_says_terms_overlap_and_counts_more() {
    let Some(pdf) = util::corpus_file("dfe-information-sharing-advice-2024-05.pdf") else {
        return;
    };
    let path = pdf.display().to_string();
    let word = json_of(&["count", "--format", "json", &path]);
    let sub = json_of(&["count", "--mode", "substring", "--format", "json", &path]);
    let count = |json: &Value, term: &str| {
        term_rows(json, &path)
            .iter()
            .find(|r| r["term"] == term)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    // "inform" is inside "information" and "informed" in substring mode only.
    assert!(
        count(&sub, "Inform")
            >= count(&word, "Inform") + count(&word, "information") + count(&word, "Informed")
    );
    let notes = sub["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("TERMS OVERLAP")),
        "{notes:?}"
    );
    let notes = word["notes"].as_array().unwrap();
    assert!(
        !notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("OVERLAP"))
    );
}

/// All 42 area SEND inspection reports at once: every one is counted, and the reports that use
/// "co-production" are exactly those where pdftotext's text has it, with the same counts.
#[test]
fn all_ofsted_reports_at_once_show_who_uses_coproduction() {
    let Some(pdfs) = util::ofsted_reports() else {
        return;
    };
    assert_eq!(pdfs.len(), 42);
    let out = util::output_ok(
        termtally()
            .arg("count")
            .args(["--format", "csv"])
            .args(&pdfs),
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (kind, document, term, count) = (col("kind"), col("document"), col("term"), col("count"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let coproduction: Vec<(String, u64)> = rows
        .iter()
        .filter(|r| {
            &r[kind] == "term" && &r[term] == "Coproduction" && &r[document] != "(all documents)"
        })
        .map(|r| (r[document].to_string(), r[count].parse().unwrap()))
        .collect();
    assert_eq!(coproduction.len(), 42, "one row per report");
    let users = coproduction.iter().filter(|(_, c)| *c > 0).count();
    assert!(
        users > 0 && users < 42,
        "{users} of 42 reports use co-production"
    );
    if pdftotext_available() {
        let pattern = regex::Regex::new(r"(?i)\bco-?production\b").unwrap();
        for (pdf, (name, ours)) in pdfs.iter().zip(&coproduction) {
            assert_eq!(name, &pdf.display().to_string());
            assert_eq!(*ours, pdftotext_count(pdf, None, &pattern) as u64, "{name}");
        }
    }
    let total: u64 = rows
        .iter()
        .find(|r| &r[term] == "Coproduction" && &r[document] == "(all documents)")
        .map(|r| r[count].parse().unwrap())
        .unwrap();
    assert_eq!(total, coproduction.iter().map(|(_, c)| c).sum::<u64>());
}

#[test]
fn hand_written_text_from_standard_input() {
    let out = util::output_ok(
        termtally()
            .args(["count", "--lexicon", "modality", "--format", "csv", "-"])
            .write_stdin("You must not. You must. You should not; you should. It may not, it may. Parents can't.\n"),
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    for (term, n) in [
        ("must", 1),
        ("must not", 1),
        ("should", 1),
        ("should not", 1),
        ("may", 1),
        ("may not", 1),
        ("cannot", 1),
        ("can", 0),
    ] {
        let line = format!("term,-,,{term},");
        let row = csv
            .lines()
            .find(|l| l.starts_with(&line))
            .unwrap_or_else(|| panic!("{term} in {csv}"));
        assert_eq!(row.split(',').nth(5), Some(n.to_string().as_str()), "{row}");
    }
}

// ---------------------------------------------------------------------------------------------
// `count` in word and substring modes agrees exactly with an independent count written in Python
// with its `re` engine (tests/independent_count.py), for every term of every built-in lexicon, on
// real documents extracted by termtally (so only the counting is compared). Token totals (the
// denominators of every rate) are compared too.

/// Three PDFs of different producers and sizes plus one Act in legislation.gov.uk XML.
const DOCUMENTS: &[&str] = &[
    "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
    "dfe-dh-promoting-health-wellbeing-looked-after-children-2015-aug2022-update.pdf",
    "dfe-information-sharing-advice-2024-05.pdf",
    "housing-act-2004-ukpga-2004-34-revised.xml",
];

fn documents() -> Option<Vec<PathBuf>> {
    DOCUMENTS.iter().map(|d| util::corpus_file(d)).collect()
}

const LEXICONS: [&str; 3] = ["boddison-soan-2021", "frost-2005", "modality"];

#[test]
fn word_and_substring_counts_equal_pythons_re_for_every_builtin_term() {
    let Some(files) = documents() else { return };
    let out = util::independent_count()
        .args(["--lexicon", &LEXICONS.join(","), "--mode", "word,substring"])
        .args(&files)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "termtally and the independent count differ:\n{stdout}\n{stderr}"
    );
    for lexicon in LEXICONS {
        for mode in ["word", "substring"] {
            let summary = stdout
                .lines()
                .find(|l| l.starts_with(&format!("{lexicon} {mode}: ")))
                .unwrap_or_else(|| panic!("no summary for {lexicon} {mode} in\n{stdout}"));
            assert!(
                summary.ends_with(" passed, 0 failed") && !summary.contains(": 0 passed"),
                "{summary}"
            );
        }
    }
}

#[test]
fn the_independent_check_detects_a_difference() {
    // Guards against a checker that agrees with anything: on a hand-written text both counts
    // must equal the numbers worked out by hand.
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("hand.txt");
    std::fs::write(
        &text,
        "Co-operation and cooperation. Inform, informed, information; misinformation.\n\n\
         The Adviser advises; co-production, coproduction and co production.\n",
    )
    .unwrap();
    let run = |mode: &str| {
        let out = util::independent_count()
            .arg("--show")
            .args(["--lexicon", "boddison-soan-2021", "--mode", mode])
            .arg(&text)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let word = run("word");
    for line in [
        "Co-operation         python=    2 termtally=2",
        "Inform               python=    1 termtally=1",
        "Informed             python=    1 termtally=1",
        "information          python=    1 termtally=1",
        "Adviser              python=    1 termtally=1",
        "Advise               python=    0 termtally=0",
        "Coproduction         python=    2 termtally=2",
    ] {
        assert!(
            word.contains(line),
            "word mode, expected {line:?} in\n{word}"
        );
    }
    let substring = run("substring");
    for line in [
        // inform, informed, information, misinformation
        "Inform               python=    4 termtally=4",
        "information          python=    2 termtally=2",
        // "advise" inside "Adviser" and "advises"
        "Advise               python=    2 termtally=2",
    ] {
        assert!(
            substring.contains(line),
            "substring mode, expected {line:?} in\n{substring}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The matcher sees normalised text: ligatures, hyphen and apostrophe variants and line-end
// hyphenation in the extracted text must not change what is counted.

const LEXICON: &str = r#"
name = "normalise test"
[categories]
c = "test"
[[terms]]
label = "Co-operation"
category = "c"
forms = ["co-operation"]
[[terms]]
label = "cooperation"
category = "c"
forms = ["cooperation"]
[[terms]]
label = "parent's"
category = "c"
forms = ["parent's"]
[[terms]]
label = "final"
category = "c"
forms = ["final"]
"#;

fn counts(raw: &str, mode: Mode) -> Vec<u64> {
    let mut doc = Document::new("raw.txt", Format::Text);
    doc.blocks = vec![Block {
        page: Some(1),
        text: raw.to_string(),
        ..Block::default()
    }];
    let doc = normalise(doc);
    let lexicon = Lexicon::from_toml_str(LEXICON, "test.toml").unwrap();
    let matcher = Matcher::new(&lexicon, mode).unwrap();
    count_document(&doc, &matcher, Unit::Document).counts
}

#[test]
fn typographic_variants_count_as_the_plain_form() {
    let raw = "Co\u{2010}operation, co\u{2011}operation and CO-OPERATION; \
               the parent\u{2019}s view, the parent's view; the \u{FB01}nal plan, the final plan.";
    assert_eq!(counts(raw, Mode::Word), [3, 0, 2, 2]);
    assert_eq!(counts(raw, Mode::Substring), [3, 0, 2, 2]);
}

#[test]
fn soft_hyphens_disappear() {
    assert_eq!(counts("co\u{00AD}operation", Mode::Word), [0, 1, 0, 0]);
}
