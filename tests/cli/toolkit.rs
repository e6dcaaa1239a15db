//! The corpus linguist's toolkit (issue 21): `ngrams` and `collocates` on real documents equal a
//! plain Python computation (tests/independent_toolkit.py: Counter over the same token windows);
//! streamed text gives the list read whole; the n-gram limit stops with a clear error; the JSON
//! and CSV columns are the documented ones; `kwic --sort` orders hits by the words around them.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::util::{self, json_of, rows, termtally};

/// tests/independent_toolkit.py with `args`; asserts it found no difference and returns its
/// summary line.
fn independent(args: &[&str], files: &[PathBuf]) -> String {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent_toolkit.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["--termtally", util::TERMTALLY])
        .args(args)
        .args(files)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "termtally and the Python computation differ:\n{}\n{}",
        stdout.lines().take(40).collect::<Vec<_>>().join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().last().unwrap_or_default().to_string()
}

/// The number before " passed" in a summary line.
fn passed(line: &str) -> u64 {
    let before = line.split(" passed").next().unwrap();
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

fn corpus(names: &[&str]) -> Option<Vec<PathBuf>> {
    names.iter().map(|n| util::corpus_file(n)).collect()
}

/// Every 2- to 4-gram of a guidance PDF, an Act in XML and Chrome's print of a Wikipedia page
/// (non-ASCII throughout): count and documents equal Python's Counter over each block's tokens.
#[test]
fn ngram_counts_equal_pythons_counter_on_real_documents() {
    let Some(files) = corpus(&[
        "dfe-information-sharing-advice-2024-05.pdf",
        "housing-act-2004-ukpga-2004-34-revised.xml",
        "wikipedia-cabinet-office-2023-10-03.pdf",
    ]) else {
        return;
    };
    let line = independent(&["--ngrams", "2..4"], &files);
    assert!(line.contains(" passed, 0 failed"), "{line}");
    assert!(passed(&line) > 100_000, "{line}");
}

/// Collocates of a word and of a two-word phrase, with asymmetric windows: O, f(c), f(node), N,
/// MI and logDice equal the Python computation.
#[test]
fn collocates_equal_a_python_computation_on_real_documents() {
    let Some(files) = corpus(&[
        "dfe-information-sharing-advice-2024-05.pdf",
        "housing-act-2004-ukpga-2004-34-revised.xml",
    ]) else {
        return;
    };
    let line = independent(
        &["--collocates", "information", "--left", "4", "--right", "3"],
        &files,
    );
    assert!(line.contains(" passed, 0 failed"), "{line}");
    assert!(passed(&line) > 300, "{line}");
    let Some(ofsted) = util::ofsted_reports() else {
        return;
    };
    let line = independent(&["--collocates", "local area"], &ofsted[..12]);
    assert!(line.contains(" passed, 0 failed"), "{line}");
    assert!(passed(&line) > 100, "{line}");
}

/// 3 MB of real text read in chunks of 256 KB gives the n-grams and collocates read whole.
#[test]
fn streamed_text_gives_the_lists_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = util::repeated_corpus_file(
        dir.path(),
        &[
            "dfe-statutory-guidance-on-adoption-2013.pdf",
            "housing-act-2004-ukpga-2004-34-revised.xml",
        ],
        3 << 20,
    ) else {
        return;
    };
    for command in [
        &["ngrams", "-n", "2..3"][..],
        &["collocates", "adoption", "--min-freq", "1"][..],
    ] {
        let (whole, streamed) = util::whole_and_streamed(command, &path);
        assert_eq!(streamed["total"], whole["total"], "{command:?}");
        assert_eq!(streamed["documents"], whole["documents"]);
        assert_eq!(rows(&streamed), rows(&whole), "{command:?}");
        assert!(rows(&whole).len() > 500, "{command:?}");
    }
}

/// Past --max-ngrams different n-grams the command stops: exit 2, one plain line, no list.
#[test]
fn too_many_ngrams_is_an_error_not_an_approximation() {
    let Some(file) = util::corpus_file("dfe-information-sharing-advice-2024-05.pdf") else {
        return;
    };
    let out = termtally()
        .args(["ngrams", "--max-ngrams", "1000"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("termtally: more than 1000 different n-grams")
            && err.contains("--max-ngrams"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// The JSON rows carry the fields; the metadata states the window and the span choice;
/// CSV has the same columns; filters act as documented.
#[test]
fn json_and_csv_carry_the_documented_fields() {
    let Some(file) = util::corpus_file("dfe-information-sharing-advice-2024-05.pdf") else {
        return;
    };
    let file = file.to_str().unwrap();
    let json = json_of(&["collocates", "sharing", "--window", "4", "-f", "json", file]);
    let row = &rows(&json)[0];
    for key in [
        "collocate",
        "cooccurrences",
        "collocate_frequency",
        "mi",
        "t_score",
        "log_likelihood",
        "log_dice",
    ] {
        assert!(row.get(key).is_some(), "{key} missing: {row}");
    }
    assert_eq!(json["window"]["span"], 8);
    assert_eq!(json["window"]["span_adjusted"], true);
    assert!(
        rows(&json)
            .iter()
            .all(|r| r["cooccurrences"].as_u64() >= Some(3))
    );
    let dice: Vec<f64> = rows(&json)
        .iter()
        .map(|r| r["log_dice"].as_f64().unwrap())
        .collect();
    assert!(dice.windows(2).all(|w| w[0] >= w[1]), "sorted by logDice");

    let grams = json_of(&[
        "ngrams",
        "-n",
        "3",
        "--stopwords",
        "english",
        "-f",
        "json",
        file,
    ]);
    let stop = ["the", "of", "to", "and", "a"];
    for r in rows(&grams) {
        let words: Vec<&str> = r["ngram"].as_str().unwrap().split(' ').collect();
        assert_eq!(r["n"], 3);
        assert_eq!(words.len(), 3);
        assert!(
            !stop.contains(&words[0]) && !stop.contains(&words[2]),
            "{r}"
        );
        assert!(r["count"].as_u64() >= Some(2) && r["documents"] == 1, "{r}");
    }
    let containing = json_of(&["ngrams", "--containing", "Lawful", "-f", "json", file]);
    assert!(!rows(&containing).is_empty());
    assert!(rows(&containing).iter().all(|r| {
        r["ngram"]
            .as_str()
            .unwrap()
            .split(' ')
            .any(|w| w == "lawful")
    }));

    let csv = termtally()
        .args(["ngrams", "-f", "csv", "--top", "2", file])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(
        csv.lines().next().unwrap().trim_start_matches('\u{feff}'),
        "ngram,n,count,rate_per_10k,documents"
    );
    assert_eq!(csv.lines().count(), 3);
}

/// Hits of `kwic --sort KEY` in JSON, as (left, right) pairs.
fn sorted_kwic(key: &str, file: &str) -> Vec<(String, String)> {
    let json: Value = json_of(&["kwic", "information", "--sort", key, "-f", "json", file]);
    rows(&json)
        .iter()
        .map(|r| {
            (
                r["left"].as_str().unwrap().to_string(),
                r["right"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The `nth` word (1 = nearest) of a context, read from its end (`from_end`) or start, lower-cased:
/// letters and digits joined by - or ', as the token rule has it for these documents.
fn nth_word(context: &str, nth: usize, from_end: bool) -> String {
    let mut words: Vec<String> = context
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .map(|w| w.trim_matches(['-', '\'']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if from_end {
        words.reverse();
    }
    words.get(nth - 1).cloned().unwrap_or_default()
}

/// `kwic --sort left1|left2|right1|right2`: the same hits, ordered by the word(s) next to the
/// match; `--sort page` by page.
#[test]
fn kwic_sorts_by_the_words_around_the_match() {
    let Some(file) = util::corpus_file("dfe-information-sharing-advice-2024-05.pdf") else {
        return;
    };
    let file = file.to_str().unwrap();
    let mut plain: Vec<(String, String)> = sorted_kwic("document", file);
    assert!(plain.len() > 200);
    plain.sort();
    for (key, nth, from_end) in [
        ("left1", 1, true),
        ("left2", 2, true),
        ("right1", 1, false),
        ("right2", 2, false),
    ] {
        let hits = sorted_kwic(key, file);
        let words: Vec<String> = hits
            .iter()
            .map(|(left, right)| nth_word(if from_end { left } else { right }, nth, from_end))
            .collect();
        assert!(
            words.windows(2).all(|w| w[0] <= w[1]),
            "--sort {key}: {:?}",
            words.windows(2).find(|w| w[0] > w[1])
        );
        assert!(
            words.iter().filter(|w| !w.is_empty()).count() > 200,
            "{key}"
        );
        let mut same = hits.clone();
        same.sort();
        assert_eq!(same, plain, "--sort {key} lists the same hits");
    }
    let json = json_of(&["kwic", "information", "--sort", "page", "-f", "json", file]);
    let pages: Vec<u64> = rows(&json)
        .iter()
        .map(|r| r["page"].as_u64().unwrap())
        .collect();
    assert!(pages.windows(2).all(|w| w[0] <= w[1]));
    assert!(json["notes"].to_string().contains("Sorted by page"));
}

/// kwic's `document` is the short name, as in `count`, and `path` the path as given.
#[test]
fn kwic_document_is_the_short_name_and_path_the_full_path() {
    let (Some(a), Some(b)) = (
        util::corpus_file("dfe-information-sharing-advice-2024-05.pdf"),
        util::corpus_file("housing-act-2004-ukpga-2004-34-revised.xml"),
    ) else {
        return;
    };
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let kwic = json_of(&["kwic", "information", "-f", "json", a, b]);
    let count = json_of(&["count", "-f", "json", a, b]);
    let pairs = |json: &Value| -> std::collections::BTreeSet<(String, String)> {
        rows(json)
            .iter()
            .filter(|r| r["path"].is_string() && r["document"] != "(all documents)")
            .map(|r| (r["document"].to_string(), r["path"].to_string()))
            .collect()
    };
    let expected: std::collections::BTreeSet<(String, String)> = [
        ("dfe-information-sharing-advice-2024-05.pdf", a),
        ("housing-act-2004-ukpga-2004-34-revised.xml", b),
    ]
    .iter()
    .map(|(d, p)| (format!("{d:?}"), format!("{p:?}")))
    .collect();
    assert_eq!(pairs(&kwic), expected);
    assert_eq!(pairs(&count), expected);
}
