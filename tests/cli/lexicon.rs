//! `termtally lexicon list|show|check`, the built-in study lexicon against the paper's tables, and
//! bad lexicons stopping `count` before anything is counted.

use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;

use crate::util::{self, termtally};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const GOOD: &str = r#"name = "My terms"
source = "a test"
[categories]
joint = "joint working"
expert = "expert-led"
[[terms]]
label = "Co-production"
category = "joint"
forms = ["co-production", "coproduction"]
[[terms]]
label = "Advice"
category = "expert"
forms = ["advice", "advise"]
"#;

#[test]
fn list_shows_every_builtin_with_its_size() {
    let out = termtally()
        .args(["lexicon", "list", "--format", "csv"])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(names, ["boddison-soan-2021", "frost-2005", "modality"]);
    // 17 = the union of the paper's Tables 1 (15 rows) and 2 (16 rows).
    assert_eq!(&rows[0][3], "17");
    assert!(
        rows.iter().all(|r| !r[5].is_empty()),
        "every built-in names its source"
    );
}

#[test]
fn show_prints_toml_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["boddison-soan-2021", "frost-2005", "modality"] {
        let out = termtally()
            .args(["lexicon", "show", name])
            .assert()
            .success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            text.starts_with('#'),
            "{name}: shipped with its documenting comments"
        );
        let path = write(dir.path(), &format!("{name}.toml"), &text);
        termtally()
            .args(["lexicon", "check", &path])
            .assert()
            .success()
            .stdout(contains(": ok: "));
    }
}

/// The built-in study lexicon has the paper's row labels, in the paper's order (Table 1's rows,
/// with Table 2's extra rows where the paper puts them), and Table 2's bold marking as category.
#[test]
fn study_lexicon_matches_the_papers_tables() {
    let Some(corpora) = util::corpora_dir() else {
        return;
    };
    let csv_path = corpora.join("../reference/boddison-soan-2021-tables.csv");
    let Ok(text) = std::fs::read_to_string(&csv_path) else {
        eprintln!("*** SKIPPED: {} missing ***", csv_path.display());
        return;
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // The union of both tables' labels, each table in its own order, merged so that each label
    // comes after every label that precedes it in either table.
    let t1: Vec<&str> = rows
        .iter()
        .filter(|r| &r[0] == "1")
        .map(|r| &r[2])
        .collect();
    let t2: Vec<&str> = rows
        .iter()
        .filter(|r| &r[0] == "2")
        .map(|r| &r[2])
        .collect();

    let out = termtally()
        .args(["lexicon", "show", "boddison-soan-2021"])
        .assert()
        .success();
    let toml_text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // The `label = ` and `category = ` lines of the shipped TOML, in order.
    let mut labels = Vec::new();
    let mut categories = Vec::new();
    for line in toml_text.lines() {
        if let Some(v) = line.strip_prefix("label = ") {
            labels.push(v.trim_matches('"').to_string());
        }
        if let Some(v) = line.strip_prefix("category = ") {
            categories.push(v.trim_matches('"').to_string());
        }
    }
    let mut union: Vec<String> = Vec::new();
    for l in t1.iter().chain(&t2) {
        if !union.iter().any(|u| u == l) {
            union.push(l.to_string());
        }
    }
    assert_eq!(labels.len(), union.len(), "{labels:?} vs {union:?}");
    for l in &union {
        assert!(labels.contains(l), "missing label {l}");
    }
    let position = |l: &str| labels.iter().position(|x| x == l).unwrap();
    for table in [&t1, &t2] {
        for pair in table.windows(2) {
            assert!(
                position(pair[0]) < position(pair[1]),
                "{} must come before {}",
                pair[0],
                pair[1]
            );
        }
    }
    for r in &rows {
        let label = &r[2];
        let category = &categories[position(label)];
        if &r[0] == "2" {
            let expected = if &r[5] == "yes" {
                "directive"
            } else {
                "collaborative"
            };
            assert_eq!(category, expected, "Table 2 marking of {label}");
        } else if !t2.contains(&label) {
            assert_eq!(
                category, "collaborative",
                "{label} (Table 1 only, not bold)"
            );
        }
    }
}

fn check_fails(name: &str, text: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    let out = termtally()
        .args(["lexicon", "check", &path])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.starts_with(&format!("termtally: {path}: ")),
        "{stderr}"
    );
    for e in expected {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    // Counting with it stops before reading any document, and prints nothing on stdout.
    termtally()
        .args(["count", "--lexicon", &path, "no-such-document.pdf"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(path.as_str()).and(contains("no-such-document").not()));
}

#[test]
fn undeclared_category_is_an_error_with_its_line() {
    check_fails(
        "a.toml",
        &GOOD.replace("category = \"expert\"", "category = \"experts\""),
        &[
            "line 12: term \"Advice\": category \"experts\" is not declared in [categories] (declared: joint, expert)",
        ],
    );
}

#[test]
fn empty_forms_is_an_error() {
    check_fails(
        "a.toml",
        &GOOD.replace("forms = [\"advice\", \"advise\"]", "forms = []"),
        &["line 10: term \"Advice\" has no forms"],
    );
}

#[test]
fn duplicate_form_is_an_error_naming_both_terms() {
    check_fails(
        "a.toml",
        &GOOD.replace("\"advise\"", "\"Coproduction\""),
        &[
            "line 13: duplicate form \"Coproduction\": listed under term \"Advice\" and under term \"Co-production\" at line 9",
        ],
    );
}

#[test]
fn bad_glob_is_an_error() {
    check_fails(
        "a.toml",
        &GOOD.replace("\"advise\"", "\"advi[cs]e\""),
        &["line 13", "bad glob", "`[`"],
    );
    check_fails(
        "b.toml",
        &GOOD.replace("\"advise\"", "\"*\""),
        &["line 13", "every word"],
    );
}

#[test]
fn toml_syntax_error_is_reported_with_its_line() {
    check_fails(
        "a.toml",
        &GOOD.replace("label = \"Advice\"", "label = \"Advice"),
        &["line 11", "TOML"],
    );
    check_fails(
        "b.toml",
        &GOOD.replace("forms = [\"advice\"", "form = [\"advice\""),
        &["line 13", "unknown field `form`"],
    );
}

#[test]
fn several_problems_are_all_reported() {
    let bad = GOOD
        .replace("category = \"expert\"", "category = \"experts\"")
        .replace("\"coproduction\"", "\"co/production\"");
    check_fails(
        "a.toml",
        &bad,
        &["line 9:", "line 12:", "2 problems; lexicon not loaded"],
    );
}

#[test]
fn quanteda_yaml_and_liwc_dic_are_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let yml = write(
        dir.path(),
        "d.yml",
        "joint:\n  - co-production\n  - collaborat*\nexpert:\n  - advise\n",
    );
    termtally()
        .args(["lexicon", "check", &yml])
        .assert()
        .success()
        .stdout(contains("2 categories, 2 terms, 3 forms"));
    let out = termtally()
        .args(["lexicon", "show", &yml])
        .assert()
        .success();
    let toml_text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        toml_text.contains("forms = [\"co-production\", \"collaborat*\"]"),
        "{toml_text}"
    );

    let dic = write(
        dir.path(),
        "d.dic",
        "%\n1\tjoint\n2\texpert\n%\nco-production\t1\nadvis*\t2\n",
    );
    termtally()
        .args(["lexicon", "check", &dic])
        .assert()
        .success()
        .stdout(contains("2 categories, 2 terms, 2 forms"));

    check_fails(
        "bad.yml",
        "joint:\n  - co-production\n  - [nested, list]\n",
        &["line 3", "word or phrase"],
    );
    check_fails(
        "bad.dic",
        "%\n1\tjoint\n%\nco-production\t7\n",
        &["line 4", "category number 7 is not declared"],
    );
}

#[test]
fn unknown_lexicon_name_lists_the_builtins() {
    termtally()
        .args(["count", "--lexicon", "boddison", "x.pdf"])
        .assert()
        .code(2)
        .stderr(
            contains("not a built-in lexicon")
                .and(contains("boddison-soan-2021, frost-2005, modality")),
        );
}
