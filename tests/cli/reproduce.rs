//! `termtally reproduce`, the study's tables: on stand-in documents from the shared corpora all
//! 31 rows in the paper's order with its figures as published, counts equal to
//! `count --format json`'s for the same files and modes, the directive-share lines, and every
//! output format carrying the same numbers; the figures embedded in the crate equal the shared
//! reference transcription of the paper; and finding and downloading the study's documents.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use termtally::reference::{self, ROWS};

use crate::util;
use crate::util::server::{Behaviour, TestServer, closed_port_base};

const MODES: [&str; 3] = ["word", "family", "substring"];

/// `termtally reproduce` isolated from the user's study dir and cache (never downloads).
fn reproduce(act: &Path, code: &Path) -> assert_cmd::Command {
    let mut cmd = util::termtally();
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
        util::corpus_file("housing-act-2004-ukpga-2004-34-revised.xml"),
        util::corpus_file("dfe-statutory-guidance-on-adoption-2013.pdf"),
    ) else {
        return;
    };
    let doc = util::json_from(reproduce(&act, &code).args(["--format", "json"]));
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
        let counted = util::json_from(
            util::termtally()
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
            let (Some(document), Some(term)) = (r["document"].as_str(), r["term"].as_str()) else {
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
        util::corpus_file("ukpga-geo3-49-126-revised.xml")?,
        util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf")?,
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
    let json = util::json_from(reproduce(&act, &code).args(["--format", "json"]));
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
    let json = util::json_from(reproduce(&act, &code).args(["--mode", "word", "-f", "json"]));
    let first = json["rows"][0].as_object().expect("row");
    assert!(first.contains_key("word"));
    assert!(!first.contains_key("family") && !first.contains_key("substring"));
    assert_eq!(json["modes"], serde_json::json!(["word"]));
}

#[test]
fn an_unreadable_document_still_prints_the_other_table_with_exit_1() {
    let (Some(act), Some(corrupt)) = (
        util::corpus_file("ukpga-geo3-49-126-revised.xml"),
        util::corpus_file("wikipedia-cabinet-office-2023-10-03.corrupt.pdf"),
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

// ---------------------------------------------------------------------------------------------
// The figures embedded in the crate are exactly the shared reference transcription of the paper.

#[test]
fn embedded_figures_equal_the_shared_reference_csv() {
    let Some(corpora) = util::corpora_dir() else {
        return;
    };
    let path = corpora.join("../reference/boddison-soan-2021-tables.csv");
    if !path.is_file() {
        eprintln!("\n*** SKIPPED: {} is missing ***\n", path.display());
        return;
    }
    let mut reader = csv::Reader::from_path(&path).expect("reference CSV");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), ROWS.len(), "31 rows");
    for (record, row) in records.iter().zip(ROWS.iter()) {
        let field = |i: usize| record.get(i).expect("field");
        assert_eq!(field(0).parse::<u8>().expect("table"), row.table);
        assert_eq!(field(1).parse::<u8>().expect("row"), row.row);
        assert_eq!(field(2), row.label);
        assert_eq!(
            field(3).parse::<u32>().expect("count"),
            row.paper_count,
            "{}",
            row.label
        );
        assert_eq!(field(4), row.paper_note.unwrap_or(""), "{}", row.label);
        assert_eq!(field(5) == "yes", row.directive, "{}", row.label);
        assert_eq!(field(6), row.document.name());
    }
}

#[test]
fn the_paper_states_1379_of_1510_for_table2() {
    // The paper's text (not its table) says 91% (1379) of n=1510: the table must agree.
    let (directive, total) = reference::directive_share(
        reference::table_rows(2).map(|r| (r.directive, u64::from(r.paper_count))),
    );
    assert_eq!(directive, 1379);
    assert_eq!(total, 1510);
    assert_eq!(
        reference::format_share(directive, total),
        "1379 / 1510 = 91.3%"
    );
}

// ---------------------------------------------------------------------------------------------
// Finding and downloading the study's documents, tested against a local HTTP server on 127.0.0.1
// started by the test (never the internet): the download lands atomically in the cache with its
// SHA-256 beside it, the cache is reused, offline gives the clear message, an HTML page is not
// saved as a PDF, Ctrl-C mid-download leaves nothing behind.

const ACT_NAME: &str = "ukpga_20140006_en.pdf";
const CODE_NAME: &str = "SEND_Code_of_Practice_January_2015.pdf";
/// Small real PDFs standing in for the Act and the Code, with their SHA-256 from SOURCES.md.
const ACT_STAND_IN: &str = "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf";
const ACT_STAND_IN_SHA256: &str =
    "971cc5996961a55375bddec9fcad059c775f546e3ebe69ab7a5ca74c7d70295d";
const CODE_STAND_IN: &str = "ofsted-cqc-area-send-inspection-hertfordshire-2023-11.pdf";
const CODE_STAND_IN_SHA256: &str =
    "28df957f47e1810f05c290b19b946b502ebc0ef80fbfd18c45efccf520be6dca";

/// `termtally reproduce` isolated from the user's environment: its own cache, no study dir.
fn reproduce_caching(cache: &Path, base: &str) -> assert_cmd::Command {
    let mut cmd = util::termtally();
    cmd.arg("reproduce")
        .env("TERMTALLY_CACHE_DIR", cache)
        .env("TERMTALLY_DOWNLOAD_BASE", base)
        .env_remove("TERMTALLY_STUDY_DIR")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(300));
    cmd
}

#[test]
fn downloads_into_the_cache_with_sha256_then_reuses_it() {
    let (Some(act), Some(code)) = (
        util::corpus_file(ACT_STAND_IN),
        util::corpus_file(CODE_STAND_IN),
    ) else {
        return;
    };
    let act_bytes = std::fs::read(&act).expect("read");
    let code_bytes = std::fs::read(&code).expect("read");
    let routes = HashMap::from([
        (format!("/{ACT_NAME}"), act_bytes.clone()),
        (format!("/{CODE_NAME}"), code_bytes.clone()),
    ]);
    let server = TestServer::start(routes, Behaviour::Normal, 4);
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");

    let output = reproduce_caching(&cache, &server.base)
        .args(["--mode", "word", "--format", "json"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(
        server.requests(),
        [format!("/{ACT_NAME}"), format!("/{CODE_NAME}")],
        "one request per document"
    );
    let mut expected = vec![
        ACT_NAME.to_string(),
        format!("{ACT_NAME}.sha256"),
        CODE_NAME.to_string(),
        format!("{CODE_NAME}.sha256"),
    ];
    expected.sort();
    assert_eq!(
        util::file_names(&cache),
        expected,
        "the two files and their checksums, no temporary files"
    );
    assert_eq!(
        std::fs::read(cache.join(ACT_NAME)).expect("read"),
        act_bytes
    );
    assert_eq!(
        std::fs::read(cache.join(CODE_NAME)).expect("read"),
        code_bytes
    );
    // SHA-256 from SOURCES.md (computed independently of termtally), in sha256sum's format.
    assert_eq!(
        std::fs::read_to_string(cache.join(format!("{ACT_NAME}.sha256"))).expect("read"),
        format!("{ACT_STAND_IN_SHA256}  {ACT_NAME}\n")
    );
    assert_eq!(
        std::fs::read_to_string(cache.join(format!("{CODE_NAME}.sha256"))).expect("read"),
        format!("{CODE_STAND_IN_SHA256}  {CODE_NAME}\n")
    );
    assert!(
        stderr.contains(&format!("sha256 {ACT_STAND_IN_SHA256}")),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["documents"][0]["source"], "downloaded");
    assert_eq!(doc["documents"][0]["sha256"], ACT_STAND_IN_SHA256);
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(31));

    // Second run: nothing listens any more, so success means the cache was used.
    let doc = util::json_from(
        reproduce_caching(&cache, &closed_port_base()).args(["--mode", "word", "--format", "json"]),
    );
    assert_eq!(doc["documents"][0]["source"], "cache");
    assert_eq!(doc["documents"][1]["source"], "cache");
}

#[test]
fn offline_gives_the_clear_message() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let base = closed_port_base();
    let output = reproduce_caching(&cache, &base).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    for expected in [
        "termtally: could not download Children and Families Act 2014",
        &format!("from {base}/{ACT_NAME}"),
        &format!("put it at {}", cache.join(ACT_NAME).display()),
        "or pass --act FILE",
        "set TERMTALLY_STUDY_DIR to a directory holding ukpga_20140006_en.pdf",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"));
    assert!(
        util::file_names(&cache)
            .iter()
            .all(|n| !n.ends_with(".pdf") && !n.ends_with(".part"))
    );

    // With the Act given, the message is about the Code and its flag.
    let Some(act) = util::corpus_file(ACT_STAND_IN) else {
        return;
    };
    let output = reproduce_caching(&cache, &base)
        .arg("--act")
        .arg(&act)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "could not download Special educational needs and disability code of practice"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("or pass --code FILE"), "{stderr}");
}

#[test]
fn an_html_page_is_not_saved_as_the_pdf() {
    let routes = HashMap::from([(
        format!("/{ACT_NAME}"),
        b"<!DOCTYPE html><html><body>Sign in to continue</body></html>".to_vec(),
    )]);
    let server = TestServer::start(routes, Behaviour::Normal, 2);
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let output = reproduce_caching(&cache, &server.base)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the server sent a web page (HTML), not a PDF file"),
        "{stderr}"
    );
    assert!(
        util::file_names(&cache).is_empty(),
        "{:?}",
        util::file_names(&cache)
    );
}

#[test]
fn a_missing_file_on_the_server_is_reported() {
    let server = TestServer::start(HashMap::new(), Behaviour::Normal, 2);
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = reproduce_caching(&tmp.path().join("cache"), &server.base)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the server answered HTTP 404"), "{stderr}");
}

#[test]
fn the_test_override_must_point_at_loopback() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = reproduce_caching(&tmp.path().join("cache"), "http://example.org")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("TERMTALLY_DOWNLOAD_BASE is for tests only"),
        "{stderr}"
    );
}

#[test]
fn documents_in_the_study_dir_are_used_without_downloading() {
    let (Some(act), Some(code)) = (
        util::corpus_file(ACT_STAND_IN),
        util::corpus_file(CODE_STAND_IN),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let study = tmp.path().join("study");
    std::fs::create_dir(&study).expect("mkdir");
    link_or_copy(&act, &study.join(ACT_NAME));
    link_or_copy(&code, &study.join(CODE_NAME));
    let cache = tmp.path().join("cache");
    let doc = util::json_from(
        reproduce_caching(&cache, &closed_port_base())
            .env("TERMTALLY_STUDY_DIR", &study)
            .args(["--mode", "word", "-f", "json"]),
    );
    assert_eq!(doc["documents"][0]["source"], "study-dir");
    assert_eq!(doc["documents"][1]["sha256"], CODE_STAND_IN_SHA256);
    assert!(util::file_names(&cache).is_empty(), "nothing downloaded");
}

fn link_or_copy(from: &Path, to: &PathBuf) {
    #[cfg(unix)]
    if std::os::unix::fs::symlink(from, to).is_ok() {
        return;
    }
    std::fs::copy(from, to).expect("copy");
}

/// Ctrl-C during a download: exit 130, and neither the file nor its temporary copy is left.
#[cfg(unix)]
#[test]
fn interrupt_during_download_leaves_nothing() {
    let routes = HashMap::from([(format!("/{ACT_NAME}"), vec![b'%'; 4 * 1024 * 1024])]);
    let server = TestServer::start(routes, Behaviour::Stall, 1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("termtally"))
        .arg("reproduce")
        .env("TERMTALLY_CACHE_DIR", &cache)
        .env("TERMTALLY_DOWNLOAD_BASE", &server.base)
        .env_remove("TERMTALLY_STUDY_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until the temporary file is being written.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !util::file_names(&cache)
        .iter()
        .any(|n| n.ends_with(".part"))
    {
        assert!(Instant::now() < deadline, "download never started");
        thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        util::file_names(&cache).is_empty(),
        "left behind: {:?}",
        util::file_names(&cache)
    );
}

#[test]
fn an_existing_output_file_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let existing = tmp.path().join("tables.csv");
    std::fs::write(&existing, "keep me").expect("write");
    // No documents and no server: had it started work, the error would be about downloading.
    let output = reproduce_caching(&tmp.path().join("cache"), &closed_port_base())
        .arg("-o")
        .arg(&existing)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "termtally: {}: file exists; use --force to overwrite",
            existing.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");
}
