//! Counts a researcher can defend (issue 18): exclusions, duplicates, pages without text.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{corpora_dir, json_of, rows, termtally};

const PARTNERSHIP: &str = r#"name = "partnership"
[categories]
joint = "joint working"
[[terms]]
label = "Partnership"
category = "joint"
forms = ["partnership"]
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The 42 Ofsted area SEND reports, or `None` (skipped loudly).
fn ofsted_reports() -> Option<Vec<PathBuf>> {
    let dir = corpora_dir()?.join("ofsted-area-send");
    let mut reports: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    reports.sort();
    if reports.len() != 42 {
        eprintln!(
            "\n*** SKIPPED: {} holds {} PDFs, not the 42 reports ***\n",
            dir.display(),
            reports.len()
        );
        return None;
    }
    Some(reports)
}

/// "partnership" minus "local area partnership" in every Ofsted report equals an independent
/// count in Python (tests/independent_exclusion.py states its rule), per report, and `excluded`
/// is the difference from the count without the exclusion.
#[test]
fn exclusion_counts_equal_an_independent_count_in_every_ofsted_report() {
    let Some(reports) = ofsted_reports() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "plain.toml", PARTNERSHIP);
    let excluding = write(
        dir.path(),
        "excluding.toml",
        &format!("{PARTNERSHIP}exclude = [\"local area partnership\"]\n"),
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/independent_exclusion.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["--termtally", env!("CARGO_BIN_EXE_termtally")])
        .arg("--lexicon")
        .arg(&excluding)
        .arg("--plain")
        .arg(&plain)
        .args(&reports)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "termtally and the independent count differ:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout.lines().last().unwrap();
    assert!(
        summary.starts_with("summary: 42 documents, 42 agree"),
        "{stdout}"
    );
    // Not vacuous: the body's name is a large share of the hits.
    let excluded: u64 = summary
        .rsplit("excluded ")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(excluded > 300, "{summary}");
}

/// `--exclude` on the command line gives what the lexicon's `exclude` gives, and `kwic
/// --show-excluded` lists exactly the excluded hits.
#[test]
fn one_off_exclusions_and_kwic_show_the_same_excluded_hits() {
    let Some(reports) = ofsted_reports() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "plain.toml", PARTNERSHIP);
    let report = reports[0].to_str().unwrap();
    let lexicon = plain.to_str().unwrap();
    let exclude = "local area partnership";
    let count = json_of(&[
        "count",
        "-l",
        lexicon,
        "--exclude",
        exclude,
        "--format",
        "json",
        report,
    ]);
    let row = &rows(&count)[0];
    let (counted, excluded) = (
        row["count"].as_u64().unwrap(),
        row["excluded"].as_u64().unwrap(),
    );
    assert!(excluded > 0, "{row}");
    let kwic = json_of(&[
        "kwic",
        "partnership",
        "--exclude",
        exclude,
        "--show-excluded",
        "--format",
        "json",
        report,
    ]);
    let flags: Vec<bool> = rows(&kwic)
        .iter()
        .map(|r| r["excluded"].as_bool().unwrap())
        .collect();
    assert_eq!(flags.iter().filter(|&&x| x).count() as u64, excluded);
    assert_eq!(flags.iter().filter(|&&x| !x).count() as u64, counted);
    for r in rows(&kwic).iter().filter(|r| r["excluded"] == true) {
        let left = r["left"].as_str().unwrap().to_lowercase();
        assert!(left.ends_with("local area"), "{r}");
    }
}

/// An exclusion that holds no form of its term is an error naming its line; so is a one-off
/// `--exclude` that holds no form of any term.
#[test]
fn useless_exclusions_are_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.toml",
        &format!("{PARTNERSHIP}exclude = [\"local area\"]\n"),
    );
    let out = termtally()
        .args(["lexicon", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml: line 8:") && stderr.contains("\"local area\""),
        "{stderr}"
    );
    let text = write(dir.path(), "t.txt", "The local area partnership.");
    let plain = write(dir.path(), "plain.toml", PARTNERSHIP);
    let out = termtally()
        .args(["count", "--exclude", "local area", "-l"])
        .arg(&plain)
        .arg(&text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("contains no form of any term"), "{stderr}");
}

/// `lexicon check` suggests the possessive of an exclusion where the term's forms count the
/// possessive in word mode (it is one word, so the exclusion does not cover it).
#[test]
fn lexicon_check_suggests_the_possessive_exclusion() {
    let dir = tempfile::tempdir().unwrap();
    let lexicon = PARTNERSHIP.replace(
        "forms = [\"partnership\"]",
        "forms = [\"partnership\", \"partnership's\"]\nexclude = [\"local area partnership\"]",
    );
    let path = write(dir.path(), "p.toml", &lexicon);
    let out = termtally()
        .args(["lexicon", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("suggestion") && stdout.contains("\"local area partnership's\""),
        "{stdout}"
    );
    // Once listed, no suggestion.
    let listed = lexicon.replace(
        "exclude = [\"local area partnership\"]",
        "exclude = [\"local area partnership\", \"local area partnership's\"]",
    );
    let path = write(dir.path(), "q.toml", &listed);
    let out = termtally()
        .args(["lexicon", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("suggestion"));
}

/// Every file of the shared corpora (top folder and the Ofsted folder), counted at once: the
/// byte-identical Dorset and Hertfordshire reports, present under two names each, are named in
/// a warning and counted once; `--keep-duplicates` counts both copies.
#[test]
fn the_shared_corpora_counted_as_a_whole_count_each_duplicate_once() {
    let Some(corpora) = corpora_dir() else {
        return;
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [corpora.clone(), corpora.join("ofsted-area-send")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "pdf" || e == "xml") {
                files.push(path);
            }
        }
    }
    files.sort();
    let out = termtally()
        .args(["count", "--format", "json"])
        .args(&files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let counted: Vec<&str> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    let failed = stderr.matches("not a PDF").count(); // the deliberately corrupt copy
    assert_eq!(counted.len(), files.len() - 2 - failed, "{stderr}");
    for pair in [
        [
            "ofsted-area-send/dorset-15-may-2024.pdf",
            "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        ],
        [
            "ofsted-area-send/hertfordshire-10-november-2023.pdf",
            "ofsted-cqc-area-send-inspection-hertfordshire-2023-11.pdf",
        ],
    ] {
        let [a, b] = pair.map(|name| corpora.join(name).display().to_string());
        // The later of the two in the order given is the copy.
        let (first, copy) = if a < b { (a, b) } else { (b, a) };
        assert!(
            stderr.contains(&format!("{copy}: same content as {first}")),
            "{stderr}"
        );
        assert!(counted.contains(&first.as_str()) && !counted.contains(&copy.as_str()));
    }
    assert_eq!(stderr.matches("same content as").count(), 2, "{stderr}");

    let pair = [
        corpora.join("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf"),
        corpora.join("ofsted-area-send/dorset-15-may-2024.pdf"),
    ];
    let both = termtally()
        .args(["count", "--keep-duplicates", "--format", "json"])
        .args(&pair)
        .output()
        .unwrap();
    assert!(both.status.success());
    let json: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
    assert_eq!(json["total"]["documents"], 2);
    assert!(!String::from_utf8_lossy(&both.stderr).contains("same content"));
}
