//! Results that open right in Excel and R (issue 15), end to end on the 42 Ofsted area SEND
//! reports: folders, quoted globs and `--files-from` as input; CSV/TSV that add up; the formula
//! guard (checked with LibreOffice); the xlsx workbook (read back with Python's openpyxl); the
//! wide layout; lexicons as quanteda YAML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::util::{corpora_dir, corpus_file, json_of, ofsted_reports, termtally};
use serde_json::Value;

/// The folder of the 42 Ofsted reports (and their SHA256SUMS), or `None` (skipped loudly).
fn ofsted_dir() -> Option<PathBuf> {
    let dir = corpora_dir()?.join("ofsted-area-send");
    if dir.join("SHA256SUMS").is_file() {
        Some(dir)
    } else {
        eprintln!("\n*** SKIPPED: {} is missing ***\n", dir.display());
        None
    }
}

/// `count FOLDER --format json`, run once for every test of this file.
fn ofsted_json() -> Option<&'static Value> {
    static JSON: OnceLock<Option<Value>> = OnceLock::new();
    JSON.get_or_init(|| {
        let dir = ofsted_dir()?;
        Some(json_of(&[
            "count",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ]))
    })
    .as_ref()
}

/// (document path, term) → count, from the term records of a `count` JSON report.
fn term_counts(json: &Value) -> BTreeMap<(String, String), i64> {
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "term" && !r["path"].is_null())
        .map(|r| {
            (
                (
                    r["path"].as_str().unwrap().to_string(),
                    r["term"].as_str().unwrap().to_string(),
                ),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_folder_counts_the_same_as_listing_its_documents() {
    let (Some(dir), Some(folder)) = (ofsted_dir(), ofsted_json()) else {
        return;
    };
    // Listed independently of termtally.
    let Some(pdfs) = ofsted_reports() else {
        return;
    };
    assert_eq!(pdfs.len(), 42);
    let documents: Vec<&str> = folder["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    let listed: Vec<String> = pdfs.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(
        documents, listed,
        "the folder's documents, sorted, without SHA256SUMS"
    );

    let mut args = vec!["count".to_string(), "--format".into(), "json".into()];
    args.extend(listed.iter().cloned());
    let output = termtally().args(&args).output().unwrap();
    assert!(output.status.success());
    let explicit: Value = serde_json::from_slice(&output.stdout).unwrap();
    let counts = term_counts(folder);
    assert!(counts.values().sum::<i64>() > 0);
    assert_eq!(counts, term_counts(&explicit));

    // SHA256SUMS is skipped and said to be.
    let output = termtally()
        .args(["count", dir.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("skipped 1 file that is not a document termtally reads")
            && stderr.contains("SHA256SUMS"),
        "{stderr}"
    );
}

#[test]
fn a_quoted_glob_gives_what_the_shell_gives() {
    let (Some(dir), Some(folder)) = (ofsted_dir(), ofsted_json()) else {
        return;
    };
    let exe = assert_cmd::cargo::cargo_bin("termtally");
    // The shell expands the unquoted pattern; termtally the quoted one.
    let script = format!(
        "cd '{}' && '{}' count *.pdf --format json > shell.json && '{}' count '*.pdf' --format json > glob.json",
        dir.display(),
        exe.display(),
        exe.display()
    );
    let out_dir = tempfile::tempdir().unwrap();
    let script = script.replace(
        "shell.json",
        &out_dir.path().join("shell.json").display().to_string(),
    );
    let script = script.replace(
        "glob.json",
        &out_dir.path().join("glob.json").display().to_string(),
    );
    let status = Command::new("sh").args(["-c", &script]).status().unwrap();
    assert!(status.success());
    let read = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(out_dir.path().join(name)).unwrap()).unwrap()
    };
    let (shell, glob) = (read("shell.json"), read("glob.json"));
    assert_eq!(term_counts(&shell), term_counts(&glob));
    assert_eq!(glob["documents"].as_array().unwrap().len(), 42);
    // The same counts as the folder, document by document (paths differ: relative here).
    let by_name = |json: &Value| -> BTreeMap<(String, String), i64> {
        term_counts(json)
            .into_iter()
            .map(|((path, term), n)| {
                let name = Path::new(&path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                ((name, term), n)
            })
            .collect()
    };
    assert_eq!(by_name(&glob), by_name(folder));

    let output = termtally()
        .args(["count", &format!("{}/*.docx", dir.display())])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        format!("termtally: no file matches {}/*.docx", dir.display())
    );
}

#[test]
fn files_from_reads_five_thousand_paths() {
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::new();
    let mut expected_tokens = 0u64;
    for i in 0..5000u64 {
        let path = dir.path().join(format!("doc-{i:04}.txt"));
        // i % 7 + 1 words, all "alpha" but the last ("omega").
        let words = i % 7 + 1;
        let text = format!("{}omega\n", "alpha ".repeat((words - 1) as usize));
        expected_tokens += words;
        std::fs::write(&path, text).unwrap();
        list.push_str(&format!("{}\n", path.display()));
    }
    let list_path = dir.path().join("list");
    std::fs::write(&list_path, &list).unwrap();
    let json = json_of(&[
        "words",
        "--files-from",
        list_path.to_str().unwrap(),
        // Seven distinct texts in 5,000 files: every file is to be counted.
        "--keep-duplicates",
        "-f",
        "json",
    ]);
    assert_eq!(json["total"]["documents"], 5000);
    assert_eq!(json["total"]["tokens"], expected_tokens);
    let omega = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["word"] == "omega")
        .unwrap();
    assert_eq!(omega["count"], 5000);
    assert_eq!(omega["documents"], 5000);

    // The same list from standard input.
    let output = termtally()
        .args([
            "words",
            "--files-from",
            "-",
            "--keep-duplicates",
            "-f",
            "json",
        ])
        .write_stdin(list)
        .output()
        .unwrap();
    assert!(output.status.success());
    let from_stdin: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(from_stdin["total"], json["total"]);
}

/// A Python 3 that has openpyxl (Debian's python3-openpyxl; `.ci/run` installs it), or `None`
/// (skipped loudly).
fn python_with_openpyxl() -> Option<&'static str> {
    static FOUND: OnceLock<Option<&'static str>> = OnceLock::new();
    *FOUND.get_or_init(|| {
        let found = ["python3", "/usr/bin/python3"].into_iter().find(|python| {
            Command::new(python)
                .args(["-c", "import openpyxl"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        if found.is_none() {
            eprintln!("\n*** SKIPPED: python3 with openpyxl not found (apt-get install python3-openpyxl) ***\n");
        }
        found
    })
}

/// Runs `script` with openpyxl's Python and the `args`; returns its standard output.
fn python(script: &str, args: &[&Path]) -> String {
    let python = python_with_openpyxl().expect("checked by the caller");
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every cell of every sheet of an xlsx file as JSON: {sheet: [[[value, data_type], ...], ...]}.
const DUMP_XLSX: &str = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps({ws.title: [[[c.value, c.data_type] for c in row] for row in ws.iter_rows()]
                  for ws in wb.worksheets}))
"#;

fn dump_xlsx(path: &Path) -> Value {
    serde_json::from_str(&python(DUMP_XLSX, &[path])).unwrap()
}

/// A sheet of a [`dump_xlsx`] as records: header → (value, openpyxl's data type).
fn sheet_records(sheets: &Value, sheet: &str) -> Vec<BTreeMap<String, (Value, String)>> {
    let rows = sheets[sheet].as_array().unwrap();
    let header: Vec<String> = rows[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap_or("").to_string())
        .collect();
    rows[1..]
        .iter()
        .map(|r| {
            let cells = r.as_array().unwrap().iter();
            let cells = cells.map(|c| (c[0].clone(), c[1].as_str().unwrap().to_string()));
            header.iter().cloned().zip(cells).collect()
        })
        .collect()
}

/// No cell of `records` is a formula ("f") or an error value ("e").
fn assert_no_formula(records: &[BTreeMap<String, (Value, String)>], sheet: &str) {
    for record in records {
        for (column, (value, kind)) in record {
            assert!(
                kind != "f" && kind != "e",
                "formula or error in {sheet}, column {column}: {value}"
            );
        }
    }
}

#[test]
fn libreoffice_reads_guarded_kwic_csv_as_text_and_raw_csv_as_formulas() {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!(
            "\n*** SKIPPED: LibreOffice (soffice) not installed (apt-get install libreoffice-calc-nogui) ***\n"
        );
        return;
    }
    if python_with_openpyxl().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let starts = [
        "- the council",
        "=1+2 and they",
        "+44 20 they",
        "@risk they",
    ];
    let text: String = starts
        .iter()
        .map(|s| format!("{s} must act.\n\n"))
        .collect();
    let doc = dir.path().join("contexts.txt");
    std::fs::write(&doc, text).unwrap();
    for (name, extra) in [("guarded.csv", None), ("raw.csv", Some("--raw-csv"))] {
        let mut cmd = termtally();
        cmd.args(["kwic", "must"])
            .arg(&doc)
            .arg("-o")
            .arg(dir.path().join(name));
        cmd.args(extra);
        assert!(cmd.output().unwrap().status.success());
    }
    let guarded_csv = std::fs::read_to_string(dir.path().join("guarded.csv")).unwrap();
    assert!(guarded_csv.contains("'=1+2 and they"), "{guarded_csv}");
    // Standard output stays exact.
    let stdout = termtally()
        .args(["kwic", "must", "-f", "csv"])
        .arg(&doc)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&stdout.stdout).contains(",=1+2 and they,"));

    let out_dir = dir.path().join("converted");
    let status = Command::new("soffice")
        .args([
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(&out_dir)
        .arg(dir.path().join("guarded.csv"))
        .arg(dir.path().join("raw.csv"))
        // Its own profile, so a LibreOffice already running elsewhere does not take the job.
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("profile").display()
        ))
        .output()
        .unwrap();
    assert!(status.status.success());
    let left_cells = |name: &str| -> Vec<(String, String)> {
        let sheets = dump_xlsx(&out_dir.join(name));
        let sheet = sheets.as_object().unwrap().keys().next().unwrap().clone();
        let records = sheet_records(&sheets, &sheet);
        if name == "guarded.xlsx" {
            assert_no_formula(&records, name);
        }
        records
            .iter()
            .map(|r| {
                let (value, kind) = &r["left"];
                (value.as_str().unwrap().to_string(), kind.clone())
            })
            .collect()
    };
    let guarded = left_cells("guarded.xlsx");
    assert_eq!(guarded.len(), starts.len());
    for ((value, kind), start) in guarded.iter().zip(starts) {
        assert_eq!(kind, "s");
        assert_eq!(value.trim_start_matches('\''), start, "the text survives");
    }
    // The negative control: without the guard LibreOffice does make a formula.
    let raw = left_cells("raw.xlsx");
    assert!(raw.iter().any(|(_, kind)| kind == "f"), "{raw:?}");
}

/// A CSV file as Python's csv module reads it (utf-8-sig: the BOM of `-o` files), as JSON.
const DUMP_CSV: &str = r#"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    print(json.dumps(list(csv.DictReader(f))))
"#;

/// The 42 reports' JSON term counts: (document name, term) → count, and the corpus total.
fn ofsted_term_counts(json: &Value) -> (BTreeMap<(String, String), i64>, i64) {
    let mut counts = BTreeMap::new();
    for r in json["rows"].as_array().unwrap() {
        if r["kind"] == "term" && !r["path"].is_null() {
            let key = (
                r["document"].as_str().unwrap().to_string(),
                r["term"].as_str().unwrap().to_string(),
            );
            counts.insert(key, r["count"].as_i64().unwrap());
        }
    }
    let total = counts.values().sum();
    (counts, total)
}

fn term_labels(json: &Value) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for r in json["rows"].as_array().unwrap() {
        if r["kind"] == "term" {
            let label = r["term"].as_str().unwrap().to_string();
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
    }
    labels
}

/// Checks a documents × terms matrix (rows of header → cell) against the JSON counts.
fn assert_matrix(rows: &[BTreeMap<String, Value>], json: &Value) {
    let (counts, _) = ofsted_term_counts(json);
    let labels = term_labels(json);
    assert_eq!(rows.len(), 42, "one row per report");
    let categories: Vec<&str> = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let mut expected_columns: Vec<String> = ["document", "path", "tokens"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    expected_columns.extend(labels.iter().cloned());
    expected_columns.extend(categories.iter().map(|c| format!("category:{c}")));
    let mut got_columns: Vec<String> = rows[0].keys().cloned().collect();
    got_columns.sort();
    expected_columns.sort();
    assert_eq!(
        got_columns, expected_columns,
        "one column per term and category"
    );
    let number = |v: &Value| -> i64 {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or_else(|| panic!("not a count: {v}"))
    };
    for row in rows {
        let document = row["document"].as_str().unwrap().to_string();
        for label in &labels {
            assert_eq!(
                number(&row[label]),
                counts[&(document.clone(), label.clone())],
                "{document} {label}"
            );
        }
    }
}

#[test]
fn xlsx_and_csv_of_the_ofsted_reports_equal_the_json_counts() {
    let (Some(dir), Some(json)) = (ofsted_dir(), ofsted_json()) else {
        return;
    };
    if python_with_openpyxl().is_none() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let xlsx = out.path().join("ofsted.xlsx");
    let csv = out.path().join("ofsted.csv");
    let wide = out.path().join("wide.csv");
    for (dest, extra) in [
        (&xlsx, vec![]),
        (&csv, vec![]),
        (&wide, vec!["--layout", "wide"]),
    ] {
        let output = termtally()
            .arg("count")
            .arg(&dir)
            .args(extra)
            .arg("-o")
            .arg(dest)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (counts, total_hits) = ofsted_term_counts(json);
    assert!(total_hits > 1000, "{total_hits}");

    // The default CSV: term rows only, so SUM(count) is the number of term hits.
    let rows: Vec<BTreeMap<String, Value>> =
        serde_json::from_str(&python(DUMP_CSV, &[&csv])).unwrap();
    assert!(rows.iter().all(|r| r["kind"] == "term"));
    let sum: i64 = rows
        .iter()
        .map(|r| r["count"].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, total_hits);
    let from_csv: BTreeMap<(String, String), i64> = rows
        .iter()
        .map(|r| {
            (
                (
                    r["document"].as_str().unwrap().to_string(),
                    r["term"].as_str().unwrap().to_string(),
                ),
                r["count"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_csv, counts);

    // --layout wide: the matrix.
    let wide_rows: Vec<BTreeMap<String, Value>> =
        serde_json::from_str(&python(DUMP_CSV, &[&wide])).unwrap();
    assert_matrix(&wide_rows, json);

    // The workbook: every sheet read back with openpyxl.
    let sheets = dump_xlsx(&xlsx);
    let names: Vec<&str> = sheets
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["terms", "counts", "rates", "categories", "method"]);
    let records = |sheet: &str| -> Vec<BTreeMap<String, Value>> {
        let records = sheet_records(&sheets, sheet);
        assert_no_formula(&records, sheet);
        records
            .into_iter()
            .map(|r| r.into_iter().map(|(k, (v, _))| (k, v)).collect())
            .collect()
    };
    let terms = records("terms");
    let from_xlsx: BTreeMap<(String, String), i64> = terms
        .iter()
        .map(|r| {
            (
                (
                    r["document"].as_str().unwrap().to_string(),
                    r["term"].as_str().unwrap().to_string(),
                ),
                r["count"].as_i64().expect("counts are numbers"),
            )
        })
        .collect();
    assert_eq!(from_xlsx, counts);
    assert_matrix(&records("counts"), json);
    // Rates: full precision, equal to JSON's.
    let rates = records("rates");
    for r in json["rows"].as_array().unwrap() {
        if r["kind"] != "term" || r["path"].is_null() {
            continue;
        }
        let row = rates
            .iter()
            .find(|x| x["document"] == r["document"])
            .unwrap();
        let label = r["term"].as_str().unwrap();
        assert_eq!(
            row[label].as_f64().unwrap(),
            r["rate_per_10k"].as_f64().unwrap()
        );
    }
    // Categories: each document's category totals are the sums of its terms.
    let categories = records("categories");
    assert_eq!(
        categories.len(),
        42 * json["categories"].as_array().unwrap().len()
    );
    let category_sum: i64 = categories
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .sum();
    assert_eq!(category_sum, total_hits);
    let method = records("method");
    let item = |name: &str| -> Vec<&str> {
        method
            .iter()
            .filter(|r| r["item"] == name)
            .map(|r| r["value"].as_str().unwrap())
            .collect()
    };
    assert_eq!(item("mode"), ["word"]);
    assert_eq!(item("lexicon.name").len(), 1);
    assert_eq!(item("documents").len(), 42);
    assert!(item("termtally")[0].starts_with("version "));
    assert!(!item("note").is_empty());
}

#[test]
fn lexicon_as_quanteda_yaml_counts_the_same_when_read_back() {
    let Some(pdf) = corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for lexicon in ["boddison-soan-2021", "modality"] {
        let output = termtally()
            .args(["lexicon", "show", lexicon, "--format", "yaml"])
            .output()
            .unwrap();
        assert!(output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("warning: quanteda") && stderr.contains("family"),
            "{stderr}"
        );
        let yaml = dir.path().join(format!("{lexicon}.yml"));
        std::fs::write(&yaml, &output.stdout).unwrap();
        let by_term = |spec: &str| -> BTreeMap<String, (String, i64)> {
            let json = json_of(&[
                "count",
                "--lexicon",
                spec,
                "-f",
                "json",
                pdf.to_str().unwrap(),
            ]);
            json["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["kind"] == "term")
                .map(|r| {
                    (
                        r["term"].as_str().unwrap().to_string(),
                        (
                            r["category"].as_str().unwrap().to_string(),
                            r["count"].as_i64().unwrap(),
                        ),
                    )
                })
                .collect()
        };
        let original = by_term(lexicon);
        assert!(
            original.values().any(|(_, n)| *n > 0),
            "{lexicon} finds something"
        );
        assert_eq!(by_term(yaml.to_str().unwrap()), original, "{lexicon}");
    }
}
