//! `termtally count` on large plain-text files, which it reads as a stream of chunks: the counts
//! must equal those of the same file read whole. The streaming threshold and chunk size are
//! forced low through `TERMTALLY_STREAM_THRESHOLD` / `TERMTALLY_STREAM_CHUNK`, so a few MB of
//! real text is cut into many chunks.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{self, termtally};

/// Never streams.
const WHOLE: &str = "99999999999";

/// `count ARGS -f json` with the given streaming threshold and chunk size.
fn count_json(args: &[&str], threshold: &str, chunk: &str) -> Value {
    util::json_streaming(["count"].iter().chain(args), threshold, chunk)
}

/// What must not depend on streaming: every count, unit, token total and document record.
fn results(json: &Value) -> Value {
    serde_json::json!({
        "rows": json["rows"],
        "documents": json["documents"],
        "total": json["total"],
        "contexts": json["contexts"],
    })
}

/// Asserts that streamed and whole results agree, showing the first difference rather than both
/// (large) results.
fn assert_same(streamed: &Value, whole: &Value, what: &str) {
    let (a, b) = (results(streamed), results(whole));
    if a == b {
        return;
    }
    for key in ["documents", "total", "contexts"] {
        assert_eq!(a[key], b[key], "{what}: {key}");
    }
    let (ra, rb) = (a["rows"].as_array().unwrap(), b["rows"].as_array().unwrap());
    for (i, (x, y)) in ra.iter().zip(rb).enumerate() {
        assert_eq!(x, y, "{what}: row {i} (streamed, whole)");
    }
    panic!("{what}: {} rows streamed, {} whole", ra.len(), rb.len());
}

fn streamed_note(json: &Value) -> Option<String> {
    json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|n| n.contains("streamed"))
        .map(str::to_string)
}

/// The number of chunks a streamed note reports for `file`.
fn chunks_of(note: &str, file: &str) -> usize {
    let rest = &note[note.find(file).unwrap() + file.len()..];
    rest.trim_start_matches(" (")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Real text of several corpus documents as `termtally extract` writes it (pages separated by
/// form feeds), the documents separated by form feeds too, repeated to about `bytes`.
fn real_text(dir: &Path, bytes: usize) -> Option<PathBuf> {
    let names = [
        "dfe-statutory-guidance-on-adoption-2013.pdf",
        "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
        "dfe-children-act-1989-transitions-guidance.pdf",
        "dfe-designated-teacher-looked-after-children.pdf",
        "housing-act-2004-ukpga-2004-34-revised.xml",
    ];
    let seed = util::extracted_text(&names)?;
    assert!(
        seed.matches('\u{c}').count() > 100,
        "pages separated by form feeds"
    );
    let path = dir.join("corpus.txt");
    std::fs::write(&path, util::repeated_to(&seed, bytes)).unwrap();
    Some(path)
}

/// Streamed in chunks of 256 KB (about a hundred pages each) and read whole, the counts of 3 MB
/// of real text agree in every mode and breakdown, as do the contexts of `--with-contexts`.
#[test]
fn real_text_streamed_counts_equal_whole_counts() {
    let dir = tempfile::tempdir().unwrap();
    let Some(corpus) = real_text(dir.path(), 3 << 20) else {
        return;
    };
    let path = corpus.to_str().unwrap();
    for mode in ["word", "family", "substring"] {
        for by in ["document", "page", "section"] {
            let mut args = vec!["--mode", mode, "--by", by, path];
            if by == "section" {
                args.extend(["--with-contexts", "5"]);
            }
            let whole = count_json(&args, WHOLE, "262144");
            let streamed = count_json(&args, "0", "262144");
            assert_eq!(streamed_note(&whole), None);
            let note = streamed_note(&streamed).expect("a note that the file was streamed");
            assert!(chunks_of(&note, path) >= 10, "{note}");
            let total: u64 = whole["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["kind"] == "term")
                .map(|r| r["count"].as_u64().unwrap())
                .sum();
            assert!(total > 1000, "{mode} {by}: {total} hits");
            if by != "document" {
                assert!(whole["rows"].as_array().unwrap().len() > 200, "{mode} {by}");
            }
            assert_same(&streamed, &whole, &format!("{mode} --by {by}"));
        }
    }
}

/// Text written for the purpose: numbered paragraphs, bullets carrying their paragraph number,
/// a chapter heading that stops it, pages, CR LF line ends, line-end hyphenation with evidence
/// in the same paragraph, and paragraphs straddling every chunk boundary, one of them longer
/// than a chunk. Streamed in chunks of 4 KB and of 500 bytes, the counts per page and section are
/// those of the file read whole.
#[test]
fn paragraphs_straddling_chunk_boundaries_are_counted_whole() {
    let dir = tempfile::tempdir().unwrap();
    let words = [
        "inform",
        "involve",
        "advise",
        "partnership",
        "collaboration",
        "co-operation",
        "coproduction",
        "information",
        "integrated",
        "considers",
        "sharing",
        "families",
    ];
    let mut text = String::new();
    for page in 0..40usize {
        let w = |k: usize| words[(page * 5 + k * 7) % words.len()];
        text.push_str(&format!(
            "{page}.1 Local authorities must {} and {} parents about {}.\r\n\
             They should keep working in co-\r\noperation with {} services.\r\n\r\n\
             • bullet under {page}.1: {}, {}\n\n",
            w(0),
            w(1),
            w(2),
            w(3),
            w(4),
            w(5),
        ));
        // Paragraphs of every length, so that boundaries fall in all of them.
        let long: Vec<&str> = (0..(page * 37) % 300).map(|k| w(k % 11)).collect();
        text.push_str(&format!("{page}.2 A paragraph: {}.\n\n", long.join(" ")));
        if page % 9 == 4 {
            // Longer than a chunk: cut between two words, keeping its paragraph number even
            // where a piece starts with what would open a numbered paragraph or a chapter.
            let huge: Vec<String> = (0..1500)
                .map(|k| match k % 23 {
                    0 => "Chapter 5: inform".to_string(),
                    k5 if k5 % 5 == 0 => format!("{}.{} Consult {}", k % 9 + 1, k % 7, w(k % 12)),
                    _ => w(k % 12).to_string(),
                })
                .collect();
            text.push_str(&format!("{page}.3 Huge. {}\n\n", huge.join("\n")));
        }
        if page % 10 == 7 {
            text.push_str(
                "Chapter 9: A new division\n\nText that belongs to no paragraph: inform.\n\n",
            );
        }
        text.push('\u{c}');
    }
    let path = dir.path().join("handmade.txt");
    std::fs::write(&path, &text).unwrap();
    assert!(text.len() > 60_000, "{}", text.len());
    let path = path.to_str().unwrap();
    for mode in ["word", "family", "substring"] {
        for by in ["document", "page", "section"] {
            let args = ["--mode", mode, "--by", by, path];
            let whole = count_json(&args, WHOLE, "4096");
            for chunk in ["4096", "500"] {
                let streamed = count_json(&args, "0", chunk);
                let note = streamed_note(&streamed).expect("streamed");
                assert!(chunks_of(&note, path) > 15, "{note}");
                assert_same(
                    &streamed,
                    &whole,
                    &format!("{mode} --by {by}, chunks of {chunk} bytes"),
                );
            }
        }
    }
    // The pages and sections are there, as the text was written.
    let whole = count_json(&["--by", "section", path], WHOLE, "4096");
    assert_eq!(whole["documents"][0]["pages"], 40);
    let units: std::collections::BTreeSet<&str> = whole["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["unit"].as_str())
        .collect();
    for unit in ["0.1", "39.2", "4.3", "(no section)"] {
        assert!(units.contains(unit), "{unit}: {units:?}");
    }
}

/// Several files: streamed and whole ones keep the order given, a failure in between is reported
/// and skipped, and the corpus total is the same.
#[test]
fn streamed_and_whole_documents_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let small = dir.path().join("small.txt");
    std::fs::write(
        &big,
        "4.1 Parents must be informed and involved.\n\n".repeat(300),
    )
    .unwrap();
    std::fs::write(&small, "Partnership working: inform.\n").unwrap();
    let missing = dir.path().join("missing.txt");
    let files: Vec<&str> = [&big, &small, &missing, &big]
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect();
    let run = |threshold: &str| {
        let out = termtally()
            .arg("count")
            .args(&files)
            // big.txt is given twice on purpose: both copies keep their places.
            .args(["-f", "json", "--keep-duplicates"])
            .env("TERMTALLY_STREAM_THRESHOLD", threshold)
            .env("TERMTALLY_STREAM_CHUNK", "1024")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "one document failed");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(stderr.contains("missing.txt: no such file"), "{stderr}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // Only big.txt is over 1000 bytes.
    let streamed = run("1000");
    let whole = run(WHOLE);
    let paths = |json: &Value| -> Vec<String> {
        json["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(paths(&streamed), [files[0], files[1], files[3]]);
    assert_same(&streamed, &whole, "three documents");
    let note = streamed_note(&streamed).unwrap();
    assert!(!note.contains("small.txt"), "{note}");
    assert_eq!(note.matches("big.txt").count(), 2, "{note}");
}

/// Invalid UTF-8 far into a streamed file fails the document with the same message (and byte
/// offset) as when it is read whole; `--strict` stops.
#[test]
fn invalid_utf8_deep_in_a_streamed_file_is_reported_like_a_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    let mut bytes = "Inform parents.\n\n".repeat(2000).into_bytes();
    bytes.extend(b"caf\xE9 latin-1\n");
    bytes.extend("More text.\n\n".repeat(100).as_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let stderr_of = |threshold: &str, strict: bool| {
        let mut cmd = termtally();
        cmd.arg("count").arg(&path);
        if strict {
            cmd.arg("--strict");
        }
        let out = cmd
            .env("TERMTALLY_STREAM_THRESHOLD", threshold)
            .env("TERMTALLY_STREAM_CHUNK", "4096")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let whole = stderr_of(WHOLE, false);
    assert!(
        whole.contains(&format!("invalid bytes at byte {}", 17 * 2000 + 3)),
        "{whole}"
    );
    assert_eq!(stderr_of("0", false), whole);
    assert_eq!(stderr_of("0", true), stderr_of(WHOLE, true));
}

/// UTF-16 text and text read with `--encoding` are read whole, as before.
#[test]
fn other_encodings_are_not_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Partnership and co-operation.\n\n".repeat(200);
    let utf16 = dir.path().join("utf16.txt");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).unwrap();
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, text.as_bytes()).unwrap();
    let json = count_json(&[utf16.to_str().unwrap()], "0", "1024");
    assert_eq!(streamed_note(&json), None);
    let json16 = count_json(&[utf16.to_str().unwrap()], WHOLE, "1024");
    assert_same(&json, &json16, "UTF-16");
    assert_eq!(json["total"]["tokens"], 600);
    let json = count_json(
        &["--encoding", "latin1", latin1.to_str().unwrap()],
        "0",
        "1024",
    );
    assert_eq!(streamed_note(&json), None);
    // The same text as UTF-8 streams, with the same counts.
    let utf8 = count_json(&[latin1.to_str().unwrap()], "0", "1024");
    assert!(streamed_note(&utf8).is_some());
    assert_eq!(utf8["rows"], json["rows"]);
}
