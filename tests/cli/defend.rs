//! Counts a researcher can defend (issue 18): exclusions checked against an independent count
//! in every Ofsted report, duplicate documents counted once, PDF pages without text named.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, corpora_dir, json_of, rows, termtally};

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
    let reports = util::ofsted_reports()?;
    assert_eq!(reports.len(), 42, "the 42 Ofsted reports");
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
/// a warning and counted once; `--keep-duplicates` counts both copies. None of the 54 good PDFs
/// reports a page without text.
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
    // None of the good shared PDFs (every one counted here; the two copies have the same bytes
    // as documents counted) has a page without text.
    let pdfs = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["format"] == "pdf")
        .inspect(|d| assert_eq!(d["pages_without_text"], serde_json::json!([]), "{d}"))
        .count();
    assert_eq!(pdfs + 2, 54, "the 54 good shared PDFs");
    assert!(!stderr.contains("no text layer (scanned?)"), "{stderr}");

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

/// Whether an external program is installed; says so loudly when not (CI installs it).
fn have(program: &str) -> bool {
    let found = Command::new(program).arg("-v").output().is_ok();
    if !found {
        eprintln!("\n*** SKIPPED: {program} is not installed (.ci/run installs it) ***\n");
    }
    found
}

fn run(program: &str, args: &[&std::ffi::OsStr]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A text PDF with one page replaced by a scan of itself (rendered with pdftoppm, wrapped with
/// img2pdf) and a blank page added (joined with qpdf): the scanned page is named in a warning,
/// in JSON and in the notes, the blank page is called blank, and the words of the scanned page
/// are missing from the token count by as many as its text layer had.
#[test]
fn a_scanned_page_in_a_text_pdf_is_named_and_a_blank_page_called_blank() {
    if !(have("pdftoppm") && have("img2pdf") && have("qpdf")) {
        return;
    }
    let Some(source) = util::corpus_file("ofsted-area-send/bexley-23-february-2024.pdf") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let os = |p: &PathBuf| p.as_os_str().to_owned();
    run(
        "pdftoppm",
        &[
            "-f".as_ref(),
            "2".as_ref(),
            "-l".as_ref(),
            "2".as_ref(),
            "-r".as_ref(),
            "60".as_ref(),
            "-png".as_ref(),
            "-singlefile".as_ref(),
            source.as_os_str(),
            at("scan").as_os_str(),
        ],
    );
    run(
        "img2pdf",
        &[
            at("scan.png").as_os_str(),
            "-o".as_ref(),
            at("scan.pdf").as_os_str(),
        ],
    );
    let blank = util::make::pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ]);
    std::fs::write(at("blank.pdf"), blank).unwrap();
    let mixed = at("mixed.pdf");
    let (src, scan, blank) = (os(&source), os(&at("scan.pdf")), os(&at("blank.pdf")));
    run(
        "qpdf",
        &[
            "--empty".as_ref(),
            "--pages".as_ref(),
            &src,
            "1".as_ref(),
            &scan,
            "1".as_ref(),
            &src,
            "3".as_ref(),
            &blank,
            "1".as_ref(),
            "--".as_ref(),
            mixed.as_os_str(),
        ],
    );
    let out = termtally()
        .args(["count", "--keep-headers", "--format", "json"])
        .arg(&mixed)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "page 2 has no text layer (scanned?); its words are not counted; page 4 is blank"
        ),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = &json["documents"][0];
    assert_eq!(
        doc["pages_without_text"],
        serde_json::json!([{"page": 2, "kind": "scanned"}, {"page": 4, "kind": "blank"}])
    );
    let notes = json["notes"].to_string();
    assert!(notes.contains("Pages without text"), "{notes}");
    // The tokens are those of the original's pages 1 and 3 only (running headers kept: which
    // lines repeat as headers depends on the pages there are).
    let pages = json_of(&[
        "count",
        "--keep-headers",
        "--by",
        "page",
        "--format",
        "json",
        source.to_str().unwrap(),
    ]);
    let tokens_of = |page: &str| {
        rows(&pages)
            .iter()
            .find(|r| r["unit"] == page)
            .map(|r| r["tokens"].as_u64().unwrap())
            .unwrap()
    };
    assert_eq!(
        doc["tokens"].as_u64().unwrap(),
        tokens_of("1") + tokens_of("3")
    );
}
