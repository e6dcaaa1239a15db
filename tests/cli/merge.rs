//! `termtally merge`: shards of a folder merged give exactly the single run's report, and shards
//! that disagree on what the counts depend on, or that hold only some rows, are refused with the
//! field named.

use std::path::{Path, PathBuf};

use crate::util::{json_from, ofsted_reports, termtally};

/// The JSON output of `termtally COMMAND -f json EXTRA… FILES…`.
fn run_json(command: &str, files: &[PathBuf], extra: &[&str]) -> serde_json::Value {
    json_from(
        termtally()
            .arg(command)
            .args(["-f", "json"])
            .args(extra)
            .args(files),
    )
}

/// Writes `json` to `dir/name` and returns the path.
fn write_shard(dir: &Path, name: &str, json: &serde_json::Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(json).unwrap()).unwrap();
    path
}

/// `merge -f json` of `shards`: the merged JSON.
fn merged(shards: &[PathBuf]) -> serde_json::Value {
    json_from(termtally().args(["merge", "-f", "json"]).args(shards))
}

/// The merged report less its last note ("Merged from N shards: …"), which a single run has not.
fn without_merge_note(mut json: serde_json::Value) -> serde_json::Value {
    let notes = json["notes"].as_array_mut().unwrap();
    let last = notes.pop().unwrap();
    assert!(
        last.as_str().unwrap().starts_with("Merged from 4 shards"),
        "{last}"
    );
    json
}

/// Runs `command` over the first 12 Ofsted reports at once and as 4 shards of 3, merges the
/// shards, and checks the merge equals the single run in every key.
fn four_shards_equal_the_single_run(command: &str, extra: &[&str]) {
    let Some(reports) = ofsted_reports() else {
        return;
    };
    let reports = &reports[..12];
    let dir = tempfile::tempdir().unwrap();
    let single = run_json(command, reports, extra);
    let shards: Vec<PathBuf> = reports
        .chunks(3)
        .enumerate()
        .map(|(i, part)| {
            write_shard(
                dir.path(),
                &format!("{i}.json"),
                &run_json(command, part, extra),
            )
        })
        .collect();
    let merged = without_merge_note(merged(&shards));
    assert_eq!(merged, single);
    // Not trivially equal: the shards' own totals differ from the whole's.
    let first: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&shards[0]).unwrap()).unwrap();
    assert_ne!(first["total"], single["total"]);
    assert_eq!(single["total"]["documents"], 12);
}

#[test]
fn count_of_four_shards_merged_equals_one_run_over_the_folder() {
    four_shards_equal_the_single_run("count", &[]);
}

#[test]
fn count_by_page_with_exclusions_of_four_shards_merged_equals_one_run() {
    four_shards_equal_the_single_run(
        "count",
        &["--by", "page", "--exclude", "local area partnership"],
    );
}

/// Two small text documents counted (or listed) with `a` and `b`: the merge's stderr, which must
/// fail with exit code 2.
fn refused(command: &str, a: &[&str], b: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let doc = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let one = doc(
        "one.txt",
        "Parents must be consulted. The local authority should inform them.",
    );
    let two = doc(
        "two.txt",
        "Professionals advise and support parents; they must co-operate.",
    );
    let shards = [
        write_shard(dir.path(), "A.json", &run_json(command, &[one], a)),
        write_shard(dir.path(), "B.json", &run_json(command, &[two], b)),
    ];
    let out = termtally().arg("merge").args(&shards).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn merge_refuses_shards_of_another_mode() {
    let err = refused("count", &[], &["--mode", "family"]);
    assert!(
        err.contains("B.json: shard.mode is \"family\", but"),
        "{err}"
    );
    assert!(err.contains("A.json has \"word\""), "{err}");
}

#[test]
fn merge_refuses_shards_by_another_unit() {
    let err = refused("count", &["--by", "page"], &[]);
    assert!(err.contains("B.json: shard.by is \"document\""), "{err}");
}

#[test]
fn merge_refuses_shards_of_another_lexicon() {
    let err = refused("count", &[], &["--lexicon", "modality"]);
    assert!(err.contains("B.json: shard.lexicon_sha256 is \""), "{err}");
}

#[test]
fn merge_refuses_shards_with_other_exclusions() {
    let err = refused("count", &[], &["--exclude", "local area partnership"]);
    // The phrase changes the lexicon as counted, and is named in `exclude` too.
    assert!(err.contains("B.json: shard.lexicon_sha256"), "{err}");
}

#[test]
fn merge_refuses_shards_that_kept_running_headers_and_others_that_did_not() {
    let err = refused("count", &["--keep-headers"], &[]);
    assert!(
        err.contains("B.json: shard.keep_headers is false, but "),
        "{err}"
    );
    assert!(err.contains("A.json has true"), "{err}");
}

#[test]
fn merge_refuses_a_wide_layout() {
    let err = refused("count", &["--layout", "wide"], &[]);
    assert!(err.contains("A.json: shard.layout is \"wide\""), "{err}");
}

/// A shard whose `shard` object is edited: `field` set to `value`. Merged with an unedited one.
fn refused_edited(field: &str, value: serde_json::Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "Parents must be consulted.").unwrap();
    let other = dir.path().join("u.txt");
    std::fs::write(&other, "Parents should be consulted.").unwrap();
    let a = run_json("count", &[text], &[]);
    let mut b = run_json("count", &[other], &[]);
    b["shard"][field] = value;
    let shards = [
        write_shard(dir.path(), "A.json", &a),
        write_shard(dir.path(), "B.json", &b),
    ];
    let out = termtally().arg("merge").args(&shards).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn merge_refuses_a_shard_truncated_by_top() {
    // count has no --top; a shard that holds only its first rows says so in `top`.
    let err = refused_edited("top", 5.into());
    assert!(
        err.contains("B.json: shard.top is 5: the shard holds only some rows"),
        "{err}"
    );
}

#[test]
fn words_of_four_shards_merged_equals_one_run_over_the_folder() {
    four_shards_equal_the_single_run("words", &["--proper-nouns", "keep"]);
}

#[test]
fn merge_refuses_words_shards_that_left_words_out() {
    // By default proper nouns are left out, judged on how each shard wrote them: a merge could
    // not judge them again over the whole.
    let err = refused("words", &[], &[]);
    assert!(
        err.contains("A.json: shard.filter is \"proper nouns left out (give --proper-nouns keep)\": the shard holds only some rows"),
        "{err}"
    );
    let keep = ["--proper-nouns", "keep"];
    let err = refused(
        "words",
        &["--proper-nouns", "keep", "--stopwords", "english"],
        &keep,
    );
    assert!(
        err.contains("A.json: shard.filter is \"--stopwords english\""),
        "{err}"
    );
    let err = refused("words", &keep, &["--proper-nouns", "keep", "--top", "3"]);
    assert!(err.contains("B.json: shard.top is 3"), "{err}");
}

#[test]
fn merge_refuses_shards_with_dispersion_and_says_why() {
    let err = refused("count", &[], &["--dispersion"]);
    assert!(
        err.contains("B.json: shard.dispersion is true: dispersion (range, DP, Juilland's D) is measured over each document's pages"),
        "{err}"
    );
    let keep = ["--proper-nouns", "keep"];
    let err = refused("words", &["--proper-nouns", "keep", "--dispersion"], &keep);
    assert!(err.contains("A.json: shard.dispersion is true"), "{err}");
}

#[test]
fn merge_refuses_a_count_shard_beside_a_words_shard() {
    let err = refused_edited("command", "words".into());
    assert!(
        err.contains("B.json: shard.command is \"words\", but "),
        "{err}"
    );
}

#[test]
fn merge_refuses_shards_of_another_termtally_version() {
    let err = refused_edited("termtally_version", "0.0.1-old".into());
    assert!(
        err.contains("B.json: shard.termtally_version is \"0.0.1-old\""),
        "{err}"
    );
}

#[test]
fn merge_refuses_shards_counted_within_another_scope() {
    // Two real runs: one over the whole of two reports, one over pages 2-3 of two others.
    let Some(reports) = ofsted_reports() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let whole = run_json("count", &reports[..2], &[]);
    let scoped = run_json("count", &reports[2..4], &["--pages", "2-3"]);
    assert_eq!(whole["shard"]["scope"], serde_json::Value::Null);
    assert_eq!(scoped["shard"]["scope"], "pages 2-3");
    let a = write_shard(dir.path(), "A.json", &whole);
    let b = write_shard(dir.path(), "B.json", &scoped);
    let out = termtally().args(["merge"]).args([&a, &b]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("B.json: shard.scope is \"pages 2-3\", but "),
        "{err}"
    );
    assert!(err.contains("A.json has null"), "{err}");
}

#[test]
fn merge_refuses_a_document_in_two_shards_and_a_file_that_is_not_a_shard() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "Parents must be consulted.").unwrap();
    let a = write_shard(
        dir.path(),
        "A.json",
        &run_json("count", std::slice::from_ref(&text), &[]),
    );
    let b = write_shard(dir.path(), "B.json", &run_json("count", &[text], &[]));
    let out = termtally().args(["merge"]).args([&a, &b]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("B.json: ") && err.contains("t.txt is also in "),
        "{err}"
    );

    let kwic = write_shard(
        dir.path(),
        "K.json",
        &serde_json::json!({"command": "kwic", "rows": []}),
    );
    let out = termtally()
        .args(["merge"])
        .args([&a, &kwic])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("K.json: not a termtally shard (no \"shard\" object"),
        "{err}"
    );
}

#[test]
fn merge_refuses_a_words_shard_with_a_damaged_count() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let one = doc("one.txt", "Parents must be consulted.");
    let two = doc("two.txt", "Parents advise and support.");
    let keep = ["--proper-nouns", "keep"];
    let good = run_json("words", &[one], &keep);
    let mut damaged = run_json("words", &[two], &keep);
    damaged["rows"][0]["count"] = "many".into();
    let word = damaged["rows"][0]["word"].as_str().unwrap().to_string();
    let shards = [
        write_shard(dir.path(), "A.json", &good),
        write_shard(dir.path(), "B.json", &damaged),
    ];
    let out = termtally().arg("merge").args(&shards).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("the word {word:?} has no whole-number \"count\"")),
        "{err}"
    );
}
