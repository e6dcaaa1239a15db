//! Keyness that matches the peers (issue 20), through the command line: the UCREL wizard's and
//! AntConc's worked examples from synthetic texts of known sizes, the critical G2 for 10,000
//! words under Bonferroni and Šidák, stop lists and document minimums on the Ofsted reports, and
//! `trend` counts equal to `count` on each edition.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::util::{self, json_of, rows};

/// A text of `hits` times `word` and `tokens - hits` times `filler` (one token each).
fn synthetic_text(dir: &Path, name: &str, word: &str, hits: usize, tokens: usize) -> PathBuf {
    let mut words = vec![word; hits];
    words.extend(std::iter::repeat_n("filler", tokens - hits));
    let path = dir.join(name);
    std::fs::write(&path, words.join(" ")).unwrap();
    path
}

fn word_row<'a>(json: &'a Json, word: &str) -> &'a Json {
    rows(json)
        .iter()
        .find(|r| r["kind"] == "word" && r["term"] == word)
        .unwrap_or_else(|| panic!("no row for {word}"))
}

fn num(row: &Json, key: &str) -> f64 {
    row[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} in {row}"))
}

fn assert_close(row: &Json, key: &str, expected: f64, tolerance: f64) {
    let got = num(row, key);
    assert!(
        (got - expected).abs() <= tolerance,
        "{key}: {got}, expected {expected}"
    );
}

/// `diff --all-words --format json` of two files, with extra options.
fn diff_words(old: &Path, new: &Path, extra: &[&str]) -> Json {
    let mut args = vec![
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--all-words",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    json_of(&args)
}

/// The UCREL log-likelihood wizard's example: a = 10 in c = 10,000 tokens (NEW, corpus 1)
/// against b = 5 in d = 20,000 (OLD, corpus 2).
#[test]
fn ucrel_wizard_example_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let old = synthetic_text(dir.path(), "old.txt", "wizard", 5, 20_000);
    let new = synthetic_text(dir.path(), "new.txt", "wizard", 10, 10_000);

    let json = diff_words(&old, &new, &[]);
    assert_eq!(json["old"]["tokens"], 20_000);
    assert_eq!(json["new"]["tokens"], 10_000);
    assert_eq!(json["statistics"]["log_likelihood"], "two-term");
    let row = word_row(&json, "wizard");
    assert_eq!(
        (row["old_count"].as_u64(), row["new_count"].as_u64()),
        (Some(5), Some(10))
    );
    assert_close(row, "log_likelihood", 6.931472, 5e-7);
    assert_close(row, "log_ratio", 2.0, 1e-12);
    assert_close(row, "pct_diff", 300.0, 1e-9);
    assert_close(row, "bic", -3.377481, 5e-7);
    assert_close(row, "ell", 0.000144, 5e-7);
    // p: for 1 d.f. the chi-squared tail is erfc(sqrt(G2 / 2)) = 0.0084692 (Python's
    // math.erfc(math.sqrt(6.931472 / 2))).
    assert_close(row, "p_value", 0.0084692, 1e-7);
    // Two word types compared (wizard and filler): level 0.05 / 2 under Bonferroni.
    assert_eq!(json["statistics"]["words_compared"], 2);
    assert_close(&json["statistics"], "word_p", 0.025, 1e-15);
    assert_eq!(row["status"], "up");
    assert_eq!(row["keyword"], "positive");
    let notes = json["notes"].to_string();
    assert!(notes.contains("two-term form"), "{notes}");

    let json = diff_words(&old, &new, &["--ll", "four-term"]);
    assert_eq!(json["statistics"]["log_likelihood"], "four-term");
    let row = word_row(&json, "wizard");
    assert_close(row, "log_likelihood", 6.935224, 5e-7);
    assert_close(row, "bic", 6.935224 - 30_000f64.ln(), 5e-7);
    assert!(json["notes"].to_string().contains("four-term form"));

    // At p < 0.001 the same change is not significant.
    let json = diff_words(&old, &new, &["--p", "0.001"]);
    assert_eq!(word_row(&json, "wizard")["status"], "no significant change");
    assert_eq!(word_row(&json, "wizard")["direction"], "up");
}

/// AntConc's example: 23 hits in 263 tokens (NEW) against 551 in 8,870 (OLD).
#[test]
fn antconc_example_is_not_significant() {
    let dir = tempfile::tempdir().unwrap();
    let old = synthetic_text(dir.path(), "ref.txt", "keyword", 551, 8870);
    let new = synthetic_text(dir.path(), "target.txt", "keyword", 23, 263);
    for (form, ll) in [("two-term", 2.330552), ("four-term", 2.506973)] {
        let json = diff_words(&old, &new, &["--ll", form, "--correction", "none"]);
        let row = word_row(&json, "keyword");
        assert_close(row, "log_likelihood", ll, 5e-7);
        assert_close(row, "log_ratio", 0.493453, 5e-7);
        assert_close(row, "pct_diff", 40.781020, 5e-6);
        assert!(num(row, "p_value") > 0.05);
        assert_eq!(row["status"], "no significant change", "{form}");
        assert_eq!(row["direction"], "up");
        assert_eq!(row["keyword"], "");
        assert_eq!(row["significance"], "");
    }
}

/// 10,000 word types on each side: the level and critical G2 the notes print.
#[test]
fn critical_g2_for_ten_thousand_words() {
    let dir = tempfile::tempdir().unwrap();
    // 10,000 distinct letter-only words, "aaa" to "oqp" (base 26, three letters and more).
    let words: Vec<String> = (0..10_000)
        .map(|mut i| {
            let mut w = String::new();
            for _ in 0..3 {
                w.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
            }
            w.push((b'a' + i as u8) as char);
            w
        })
        .collect();
    let text = words.join(" ");
    let (old, new) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&old, &text).unwrap();
    std::fs::write(&new, format!("{text} {text}")).unwrap();
    for (correction, critical) in [("bonferroni", 20.837), ("sidak", 20.788)] {
        let json = diff_words(&old, &new, &["--correction", correction]);
        let stats = &json["statistics"];
        assert_eq!(stats["words_compared"], 10_000);
        assert_eq!(stats["correction"], correction);
        assert_close(stats, "word_critical_g2", critical, 5e-4);
        let note = json.to_string();
        assert!(
            note.contains(&format!("m = 10000 word types compared ({correction})")),
            "{note}"
        );
        assert!(note.contains(&format!("G2 >= {critical}")), "{note}");
    }
}

/// The area SEND inspection reports by year, from the date that ends each file name.
fn ofsted_reports_by_year() -> Option<BTreeMap<String, Vec<PathBuf>>> {
    let mut by_year: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for path in util::ofsted_reports()? {
        let stem = path.file_stem()?.to_str()?.to_string();
        let year = stem.rsplit('-').next()?.to_string();
        by_year.entry(year).or_default().push(path);
    }
    if by_year.len() < 3 {
        eprintln!("\n*** SKIPPED: the Ofsted reports of 2023, 2024 and 2025 are missing ***\n");
        return None;
    }
    Some(by_year)
}

/// The area named by a report's file name: "kingston-upon-hull-02-february-2024.pdf" →
/// ["kingston", "upon", "hull"].
fn place_words(path: &Path) -> Vec<String> {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    let parts: Vec<&str> = stem.split('-').collect();
    // The last three parts are day, month and year.
    parts[..parts.len() - 3]
        .iter()
        .flat_map(|p| p.split('&'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// `diff --all-words` of the 2023 reports against those of 2024 and 2025, with `extra` options.
fn ofsted_2023_against_2024_25(by_year: &BTreeMap<String, Vec<PathBuf>>, extra: &[&str]) -> Json {
    let mut args: Vec<&str> = vec!["diff", "--old"];
    args.extend(by_year["2023"].iter().map(|p| p.to_str().unwrap()));
    args.push("--new");
    for year in ["2024", "2025"] {
        args.extend(by_year[year].iter().map(|p| p.to_str().unwrap()));
    }
    args.extend(["--all-words", "--format", "json"]);
    args.extend_from_slice(extra);
    json_of(&args)
}

/// The terms of the word rows, in order.
fn word_list(json: &Json) -> Vec<&str> {
    rows(json)
        .iter()
        .filter(|r| r["kind"] == "word")
        .map(|r| r["term"].as_str().unwrap())
        .collect()
}

#[test]
fn ofsted_keywords_2023_against_2024_25_have_no_place_names() {
    let Some(by_year) = ofsted_reports_by_year() else {
        return;
    };
    let issue_options = ["--stopwords", "english", "--min-docs", "3", "--top", "30"];
    let json = ofsted_2023_against_2024_25(&by_year, &issue_options);
    let list = word_list(&json);
    assert_eq!(list.len(), 30);
    eprintln!("Ofsted 2023 vs 2024-25, top 30: {}", list.join(", "));

    // Every word of every report's area name, as the file names spell it: no exceptions.
    let mut places: Vec<String> = by_year
        .values()
        .flatten()
        .flat_map(|p| place_words(p))
        .collect();
    places.sort();
    places.dedup();
    assert!(places.len() > 40, "{places:?}");
    let leaked: Vec<&&str> = list
        .iter()
        .filter(|w| places.iter().any(|p| p == *w))
        .collect();
    assert!(leaked.is_empty(), "place names in the list: {leaked:?}");

    let stats = &json["statistics"];
    assert_eq!(stats["stopwords"], "english");
    assert_eq!(stats["min_docs"], 3);
    assert_eq!(stats["proper_nouns"], "drop");
    let proper_left_out = stats["proper_nouns_left_out"].as_u64().unwrap();
    assert!(proper_left_out > 20, "{stats}");
    assert!(stats["words_compared"].as_u64().unwrap() > 1000);
    // Status follows the corrected level: a word is "up"/"down"/"new"/"gone" exactly when its p
    // is below it.
    let level = num(stats, "word_p");
    for row in rows(&json).iter().filter(|r| r["kind"] == "word") {
        assert!(
            num(row, "old_count") + num(row, "new_count") >= 3.0,
            "a word of at least 3 documents occurs at least 3 times: {row}"
        );
        let significant = num(row, "p_value") < level;
        assert_eq!(
            row["status"] != "no significant change",
            significant,
            "{row}"
        );
    }

    // The proper-noun rule is what removes the regional names: kept, they are in the list, and
    // the comparison has as many more word types as were left out.
    let mut keep = issue_options.to_vec();
    keep.extend(["--proper-nouns", "keep"]);
    let kept = ofsted_2023_against_2024_25(&by_year, &keep);
    let kept_list = word_list(&kept);
    let kept_places: Vec<&&str> = kept_list
        .iter()
        .filter(|w| places.iter().any(|p| p == *w))
        .collect();
    assert!(!kept_places.is_empty(), "{kept_list:?}");
    assert_eq!(
        kept["statistics"]["words_compared"].as_u64().unwrap(),
        stats["words_compared"].as_u64().unwrap() + proper_left_out
    );
}

/// The proper-noun rule on the Ofsted reports' own words: area names go, acronyms and the
/// ordinary words that also start place names stay.
#[test]
fn ofsted_proper_nouns_are_names_not_acronyms() {
    let Some(by_year) = ofsted_reports_by_year() else {
        return;
    };
    let files: Vec<&str> = by_year
        .values()
        .flatten()
        .map(|p| p.to_str().unwrap())
        .collect();
    let list = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["words", "--format", "json", "--min-docs", "3"];
        args.extend_from_slice(&files);
        args.extend_from_slice(extra);
        rows(&json_of(&args))
            .iter()
            .map(|r| r["word"].as_str().unwrap().to_string())
            .collect()
    };
    let dropped = list(&[]);
    let kept = list(&["--proper-nouns", "keep"]);
    let has = |list: &[String], w: &str| list.iter().any(|x| x == w);
    // "ofsted" is lower case only in the reports' web and e-mail addresses.
    for name in [
        "ofsted",
        "yorkshire",
        "sussex",
        "england",
        "london",
        "september",
    ] {
        assert!(has(&kept, name) && !has(&dropped, name), "{name}");
    }
    for word in [
        "send", "ehc", "camhs", "salt", "local", "area", "council", "children", "upon",
    ] {
        assert!(has(&dropped, word), "{word} is not a proper noun");
    }
    // A small share of the list: names, not vocabulary.
    let left_out = kept.len() - dropped.len();
    assert!(left_out < kept.len() / 10, "{left_out} of {}", kept.len());
}

#[test]
fn trend_counts_equal_count_on_each_year() {
    let Some(by_year) = ofsted_reports_by_year() else {
        return;
    };
    let years = ["2023", "2024", "2025"];
    let mut args: Vec<&str> = vec!["trend", "--format", "json"];
    for year in years {
        args.extend(["--edition", year]);
        args.extend(by_year[year].iter().map(|p| p.to_str().unwrap()));
    }
    let trend = json_of(&args);
    let editions = trend["editions"].as_array().unwrap();
    assert_eq!(editions.len(), 3);

    // (kind, term or category, edition) → count.
    let mut trend_counts: HashMap<(String, String, String), u64> = HashMap::new();
    for row in rows(&trend) {
        let name = if row["kind"] == "term" {
            row["term"].as_str().unwrap()
        } else {
            row["category"].as_str().unwrap()
        };
        let key = (
            row["kind"].as_str().unwrap().to_string(),
            name.to_string(),
            row["edition"].as_str().unwrap().to_string(),
        );
        assert!(
            trend_counts
                .insert(key, row["count"].as_u64().unwrap())
                .is_none()
        );
    }
    for (index, year) in years.iter().enumerate() {
        let mut count_args: Vec<&str> = vec!["count", "--format", "json"];
        count_args.extend(by_year[*year].iter().map(|p| p.to_str().unwrap()));
        let counted = json_of(&count_args);
        assert_eq!(editions[index]["label"], *year);
        assert_eq!(
            editions[index]["tokens"], counted["total"]["tokens"],
            "{year}"
        );
        assert_eq!(
            editions[index]["documents"].as_array().unwrap().len(),
            by_year[*year].len()
        );
        let mut compared = 0;
        for row in rows(&counted) {
            if row["document"] != "(all documents)" {
                continue;
            }
            let name = if row["kind"] == "term" {
                row["term"].as_str().unwrap()
            } else {
                row["category"].as_str().unwrap()
            };
            let key = (
                row["kind"].as_str().unwrap().to_string(),
                name.to_string(),
                year.to_string(),
            );
            assert_eq!(
                trend_counts.get(&key).copied(),
                row["count"].as_u64(),
                "{key:?}"
            );
            compared += 1;
        }
        let lexicon = termtally::lexicon::Lexicon::load("boddison-soan-2021").unwrap();
        assert_eq!(
            compared,
            lexicon.terms.len() + lexicon.categories.len(),
            "every term and category of {year}"
        );
    }
    // Each step is the diff of consecutive years: G2 of 2023 → 2024 for every term equals diff's.
    let mut diff_args: Vec<&str> = vec!["diff", "--format", "json", "--old"];
    diff_args.extend(by_year["2023"].iter().map(|p| p.to_str().unwrap()));
    diff_args.push("--new");
    diff_args.extend(by_year["2024"].iter().map(|p| p.to_str().unwrap()));
    let diff = json_of(&diff_args);
    for row in rows(&diff).iter().filter(|r| r["kind"] == "term") {
        let step = rows(&trend)
            .iter()
            .find(|t| t["term"] == row["term"] && t["edition"] == "2024")
            .unwrap();
        assert_eq!(step["previous"], "2023");
        for key in [
            "log_likelihood",
            "p_value",
            "status",
            "log_ratio",
            "pct_diff",
            "bic",
            "ell",
        ] {
            assert_eq!(step[key], row[key], "{key} of {}", row["term"]);
        }
    }
    // The first edition has no change.
    let first = rows(&trend)
        .iter()
        .find(|t| t["edition"] == "2023")
        .unwrap();
    assert_eq!(first["previous"], Json::Null);
    assert_eq!(first["log_likelihood"], Json::Null);
}

#[test]
fn stop_lists_and_document_minimums_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(
        &a,
        "The parents and the council agreed. Hertfordshire parents.",
    )
    .unwrap();
    std::fs::write(&b, "The parents met the council.").unwrap();
    let list = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "words",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let json = json_of(&args);
        rows(&json)
            .iter()
            .map(|r| r["word"].as_str().unwrap().to_string())
            .collect()
    };
    let all = list(&[]);
    assert!(all.contains(&"the".to_string()) && all.contains(&"hertfordshire".to_string()));
    let no_stop = list(&["--stopwords", "english"]);
    assert!(!no_stop.contains(&"the".to_string()) && !no_stop.contains(&"and".to_string()));
    assert!(no_stop.contains(&"hertfordshire".to_string()));
    let both = list(&["--stopwords", "english", "--min-docs", "2"]);
    assert_eq!(
        both,
        ["parents", "council"],
        "in both documents, most frequent first"
    );
    // A stop list from a file, folded: "Parents" stops "parents".
    let file = dir.path().join("stop.txt");
    std::fs::write(&file, "# my list\nParents\nthe\n").unwrap();
    let mine = list(&["--stopwords", file.to_str().unwrap(), "--top", "2"]);
    assert_eq!(mine.len(), 2);
    assert!(!mine.contains(&"parents".to_string()) && !mine.contains(&"the".to_string()));
    // A missing stop list is a plain error before anything is read.
    let out = util::termtally()
        .args([
            "words",
            a.to_str().unwrap(),
            "--stopwords",
            "missing-list.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("termtally: missing-list.txt: cannot read"),
        "{err}"
    );
}

#[test]
fn word_list_options_without_all_words_are_an_error() {
    let out = util::termtally()
        .args(["diff", "a.txt", "b.txt", "--top", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("add --all-words"), "{err}");
}

#[test]
fn trend_usage_errors_exit_2() {
    for args in [
        vec!["trend", "--edition", "2014", "a.pdf"],
        vec!["trend", "--edition", "x", "a", "--edition", "x", "b"],
        vec!["trend", "--edition", "2014"],
    ] {
        let out = util::termtally().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
