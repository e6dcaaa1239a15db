//! `termtally reproduce` on stand-in documents from the shared corpora: all 31 rows in the paper's
//! order with its figures as published, counts equal to `count --format json`'s for the same
//! files and modes, the directive-share lines, and every output format carrying the same numbers.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use termtally::reference;

const MODES: [&str; 3] = ["word", "family", "substring"];

fn run_json(cmd: &mut assert_cmd::Command) -> Json {
    let output = cmd.output().expect("run");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// `termtally reproduce` isolated from the user's study dir and cache (never downloads).
fn reproduce(act: &Path, code: &Path) -> assert_cmd::Command {
    let mut cmd = common::termtally();
    cmd.arg("reproduce")
        .arg("--act")
        .arg(act)
        .arg("--code")
        .arg(code)
        .env_remove("TERMTALLY_STUDY_DIR")
        .env("TERMTALLY_DOWNLOAD_BASE", "http://127.0.0.1:9")
        .env("NO_COLOR", "1");
    cmd
}

fn as_u64(v: &Json) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn reproduce_counts_equal_count_json_for_the_same_files_and_modes() {
    let (Some(act), Some(code)) = (
        common::corpus_file("housing-act-2004-ukpga-2004-34-revised.xml"),
        common::corpus_file("dfe-statutory-guidance-on-adoption-2013.pdf"),
    ) else {
        return;
    };
    let doc = run_json(reproduce(&act, &code).args(["--format", "json"]));
    let rows = doc["rows"].as_array().expect("rows");

    // All 31 rows, in the paper's order, with the paper's figures exactly as published.
    assert_eq!(rows.len(), 31);
    for (row, published) in rows.iter().zip(reference::ROWS.iter()) {
        assert_eq!(row["table"], Json::from(published.table));
        assert_eq!(row["row"], Json::from(published.row));
        assert_eq!(row["label"], Json::from(published.label));
        assert_eq!(row["paper_count"], Json::from(published.paper_count));
        assert_eq!(row["directive"], Json::Bool(published.directive));
    }

    // The same counts as `termtally count` on the same files, mode by mode.
    for mode in MODES {
        let counted = run_json(
            common::termtally()
                .args([
                    "count",
                    "--lexicon",
                    "boddison-soan-2021",
                    "--mode",
                    mode,
                    "--format",
                    "json",
                ])
                .arg(&act)
                .arg(&code),
        );
        let mut by_document_term: HashMap<(String, String), u64> = HashMap::new();
        // Per-term rows of each document (count also gives category and corpus-total rows).
        for r in counted["rows"].as_array().expect("count rows") {
            let (Some(document), Some(term)) = (r["path"].as_str(), r["term"].as_str()) else {
                continue;
            };
            if r["kind"] != "term" {
                continue;
            }
            let (document, term) = (document.to_string(), term.to_string());
            by_document_term.insert((document, term), as_u64(&r["count"]));
        }
        for row in rows {
            let path = if row["table"] == 1 { &act } else { &code };
            let key = (
                path.display().to_string(),
                row["label"].as_str().expect("label").to_string(),
            );
            let expected = by_document_term
                .get(&key)
                .unwrap_or_else(|| panic!("count has no row for {key:?}"));
            assert_eq!(as_u64(&row[mode]), *expected, "{mode} {key:?}");
        }
    }

    // "matches" names exactly the modes whose count equals the paper's.
    for row in rows {
        let paper = as_u64(&row["paper_count"]);
        let expected: Vec<&str> = MODES
            .into_iter()
            .filter(|m| as_u64(&row[*m]) == paper)
            .collect();
        let expected = if expected.is_empty() {
            "none".to_string()
        } else {
            expected.join(", ")
        };
        assert_eq!(row["matches"], Json::from(expected), "{row}");
    }

    // The directive-share lines: the paper's own figures read 1379 / 1510 = 91.3% for Table 2,
    // and each mode's share is recomputed from its column.
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n.as_str().expect("note"))
        .collect();
    let table2_share = notes
        .iter()
        .filter(|n| n.starts_with("Directive share"))
        .nth(1)
        .expect("Table 2's directive share");
    assert!(
        table2_share.contains("paper 1379 / 1510 = 91.3%"),
        "{table2_share}"
    );
    for mode in MODES {
        let (mut directive, mut total) = (0, 0);
        for row in rows.iter().filter(|r| r["table"] == 2) {
            let n = as_u64(&row[mode]);
            total += n;
            if row["directive"] == Json::Bool(true) {
                directive += n;
            }
        }
        let expected = format!(
            "{mode} {directive} / {total} = {:.1}%",
            100.0 * directive as f64 / total as f64
        );
        assert!(
            table2_share.contains(&expected),
            "{expected} in {table2_share}"
        );
    }
    assert!(
        notes.iter().any(|n| n
            .contains("Involve and Involved in bold (directive) in Table 1 but not in Table 2")),
        "the marking inconsistency is stated: {notes:?}"
    );
    assert_eq!(doc["directive_share"][1]["paper"]["directive"], 1379);
    assert_eq!(doc["directive_share"][1]["paper"]["total"], 1510);
    assert_eq!(doc["documents"][0]["path"], act.display().to_string());
    assert_eq!(doc["documents"][1]["source"], "argument");
}

/// Small stand-ins, so the format checks stay fast.
fn small_documents() -> Option<(PathBuf, PathBuf)> {
    Some((
        common::corpus_file("ukpga-geo3-49-126-revised.xml")?,
        common::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf")?,
    ))
}

/// Splits a Markdown table line into cells, honouring `\|` escapes and removing `**`.
fn markdown_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    cells.last_mut().expect("cell").push(next);
                }
            }
            '|' => cells.push(String::new()),
            _ => cells.last_mut().expect("cell").push(c),
        }
    }
    cells
        .into_iter()
        .map(|c| {
            c.trim()
                .trim_start_matches("**")
                .trim_end_matches("**")
                .to_string()
        })
        .collect()
}

#[test]
fn every_format_carries_the_same_numbers() {
    let Some((act, code)) = small_documents() else {
        return;
    };
    let json = run_json(reproduce(&act, &code).args(["--format", "json"]));
    let rows = json["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 31);
    let number = |row: &Json, key: &str| as_u64(&row[key]).to_string();

    let tmp = tempfile::tempdir().expect("tempdir");
    for (file, delimiter) in [("tables.csv", b','), ("tables.tsv", b'\t')] {
        let path = tmp.path().join(file);
        reproduce(&act, &code)
            .arg("-o")
            .arg(&path)
            .assert()
            .success()
            .stdout("");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_path(&path)
            .expect("open");
        let header = reader.headers().expect("header").clone();
        assert_eq!(
            header.iter().collect::<Vec<_>>(),
            [
                "table",
                "row",
                "label",
                "paper_count",
                "paper_note",
                "word",
                "family",
                "substring",
                "matches",
                "directive"
            ]
        );
        let records: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("record")).collect();
        assert_eq!(records.len(), 31, "{file}");
        for (record, row) in records.iter().zip(rows) {
            let field = |key: &str| {
                let i = header.iter().position(|h| h == key).expect("column");
                record.get(i).expect("field").to_string()
            };
            assert_eq!(field("label"), row["label"].as_str().expect("label"));
            for key in ["table", "row", "paper_count", "word", "family", "substring"] {
                assert_eq!(field(key), number(row, key), "{file} {key}");
            }
            assert_eq!(field("directive"), row["directive"].to_string());
            assert_eq!(
                field("paper_note"),
                row["paper_note"].as_str().unwrap_or("")
            );
        }
    }

    // Markdown: per table a header, a separator, one line per row; the same numbers.
    let output = reproduce(&act, &code)
        .args(["--format", "md"])
        .output()
        .expect("run");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(lines.len(), (2 + 15) + (2 + 16), "{text}");
    let header = markdown_cells(lines[0]);
    assert_eq!(
        header,
        [
            "Word searched",
            "Paper",
            "word",
            "family",
            "substring",
            "Equals paper",
            "Directive"
        ]
    );
    assert!(markdown_cells(lines[1]).iter().all(|c| c.contains("---")));
    assert_eq!(markdown_cells(lines[17]), header);
    assert!(markdown_cells(lines[18]).iter().all(|c| c.contains("---")));
    let body: Vec<&&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| ![0, 1, 17, 18].contains(i))
        .map(|(_, l)| l)
        .collect();
    for (line, row) in body.iter().zip(rows) {
        let cells = markdown_cells(line);
        assert_eq!(cells[0], row["label"].as_str().expect("label"));
        assert_eq!(cells[1], number(row, "paper_count"));
        assert_eq!(cells[2], number(row, "word"));
        assert_eq!(cells[3], number(row, "family"));
        assert_eq!(cells[4], number(row, "substring"));
        let bold = line.contains("**");
        assert_eq!(bold, row["directive"] == Json::Bool(true), "{line}");
    }
    assert!(text.contains("paper 1379 / 1510 = 91.3%"));
    // The paper's notes, a column in machine formats, are stated under the table.
    assert!(text.contains(
        "The paper's notes: Adviser 12 (Mediation adviser); Partnership 0 (in relation to SEN/D)."
    ));

    // The terminal table (not a terminal here, so no colour): every label, both titles.
    let output = reproduce(&act, &code).output().expect("run");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
    assert!(text.contains(
        "Table 1. The expert voice - language used in the Children and Families Act 2014"
    ));
    assert!(text.contains("Table 2. Terms used to explain the sharing of information"));
    for row in reference::ROWS.iter() {
        assert!(text.contains(row.label));
    }

    // LaTeX: two booktabs tables, bold directive rows.
    let output = reproduce(&act, &code)
        .args(["-f", "latex"])
        .output()
        .expect("run");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(text.matches("\\toprule").count(), 2);
    assert_eq!(text.matches("\\textbf{information}").count(), 2);
    assert!(text.contains("Collaborative/ly"));
}

#[test]
fn one_mode_only() {
    let Some((act, code)) = small_documents() else {
        return;
    };
    let json = run_json(reproduce(&act, &code).args(["--mode", "word", "-f", "json"]));
    let first = json["rows"][0].as_object().expect("row");
    assert!(first.contains_key("word"));
    assert!(!first.contains_key("family") && !first.contains_key("substring"));
    assert_eq!(json["modes"], serde_json::json!(["word"]));
}

#[test]
fn an_unreadable_document_still_prints_the_other_table_with_exit_1() {
    let (Some(act), Some(corrupt)) = (
        common::corpus_file("ukpga-geo3-49-126-revised.xml"),
        common::corpus_file("wikipedia-cabinet-office-2023-10-03.corrupt.pdf"),
    ) else {
        return;
    };
    let output = reproduce(&act, &corrupt)
        .args(["--mode", "word", "-f", "json"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("termtally: {}: ", corrupt.display())),
        "one line naming the file: {stderr}"
    );
    assert!(!stderr.contains("panicked"));
    let doc: Json = serde_json::from_slice(&output.stdout).expect("JSON");
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 31);
    assert!(
        rows.iter()
            .filter(|r| r["table"] == 1)
            .all(|r| r["word"].is_u64())
    );
    assert!(
        rows.iter()
            .filter(|r| r["table"] == 2)
            .all(|r| r["word"].is_null())
    );
    assert_eq!(doc["documents"][1]["counted"], false);
}
