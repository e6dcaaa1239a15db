//! Results that open right in Excel and R (issue 15), end to end on the 42 Ofsted area SEND
//! reports: folders, quoted globs and `--files-from` as input; CSV/TSV that add up; the formula
//! guard (checked with LibreOffice); the xlsx workbook (read back with Python's openpyxl); the
//! wide layout; lexicons as quanteda YAML.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{corpora_dir, json_of, termtally};
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

/// The PDFs of the folder, listed independently of termtally.
fn ofsted_pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    pdfs
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
    let pdfs = ofsted_pdfs(&dir);
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
        .args(["words", "--files-from", "-", "-f", "json"])
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
        let rows = sheets
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_array()
            .unwrap();
        let header: Vec<&str> = rows[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[0].as_str().unwrap_or(""))
            .collect();
        let left = header.iter().position(|h| *h == "left").unwrap();
        for row in rows {
            for cell in row.as_array().unwrap() {
                if name == "guarded.xlsx" {
                    assert!(
                        cell[1] != "f" && cell[1] != "e",
                        "formula or error cell {cell} in {name}"
                    );
                }
            }
        }
        rows[1..]
            .iter()
            .map(|r| {
                let cell = &r[left];
                (
                    cell[0].as_str().unwrap().to_string(),
                    cell[1].as_str().unwrap().to_string(),
                )
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
