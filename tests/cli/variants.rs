//! `termtally variants` (the spellings of a term the documents use, and a lexicon of them) and
//! the check of `count` that a lexicon's forms cover the spellings the documents use.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util;

/// The terms of the hand-made list (tests/variants_hand_list.tsv) and its two documents.
const TERMS: [&str; 9] = [
    "co-ordinate",
    "wellbeing",
    "decision-making",
    "judgement",
    "centre",
    "multi-agency",
    "behaviour",
    "paediatric",
    "co-production",
];
const DOCUMENTS: [&str; 2] = [
    "dfe-children-act-1989-transitions-guidance.pdf",
    "dfe-dh-promoting-health-wellbeing-looked-after-children-2015-aug2022-update.pdf",
];

/// (term, spelling) of the hand-made list.
fn hand_made_list() -> BTreeSet<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/variants_hand_list.tsv");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (term, spelling) = l.split_once('\t').expect("term TAB spelling");
            (term.to_string(), spelling.to_string())
        })
        .collect()
}

#[test]
fn spellings_found_equal_the_hand_made_list() {
    let Some(files) = DOCUMENTS
        .iter()
        .map(|n| util::corpus_file(n))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let json = util::json_from(
        util::termtally()
            .arg("variants")
            .args(TERMS)
            .args(&files)
            .args(["--format", "json"]),
    );
    let found: BTreeSet<(String, String)> = util::rows(&json)
        .iter()
        .map(|r| {
            (
                r["term"].as_str().unwrap().to_string(),
                r["variant"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let wanted = hand_made_list();
    assert_eq!(wanted.len(), 17);
    assert_eq!(found, wanted);
    assert_eq!(json["total"]["documents"], 2);
    for row in util::rows(&json) {
        assert!(row["count"].as_u64().unwrap() >= row["documents"].as_u64().unwrap());
    }
}

const TEXT: &str = "Co-production matters. We value coproduction, co production and \
                    co-productions. Coproduction again.";

#[test]
fn counts_spellings_and_writes_a_lexicon_that_counts_them_all() {
    let json = util::json_from(
        util::termtally()
            .args(["variants", "co-production", "-", "--format", "json"])
            .write_stdin(TEXT),
    );
    let rows: Vec<(String, u64)> = util::rows(&json)
        .iter()
        .map(|r| {
            (
                r["variant"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("coproduction".to_string(), 2),
            ("co production".to_string(), 1),
            ("co-production".to_string(), 1),
            ("co-productions".to_string(), 1),
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    let lexicon = dir.path().join("spellings.toml");
    util::output_ok(
        util::termtally()
            .args(["variants", "co-production", "-", "-o"])
            .arg(&lexicon)
            .write_stdin(TEXT),
    );
    let toml = std::fs::read_to_string(&lexicon).unwrap();
    assert!(toml.contains("category = \"variants\""), "{toml}");
    let counted = util::json_from(
        util::termtally()
            .args(["count", "--format", "json", "--lexicon"])
            .arg(&lexicon)
            .arg("-")
            .write_stdin(TEXT),
    );
    let term = util::rows(&counted)
        .iter()
        .find(|r| r["kind"] == "term")
        .unwrap()
        .clone();
    assert_eq!(term["count"], 5, "every spelling found is counted: {toml}");
    // Not clobbered without --force.
    let again = util::termtally()
        .args(["variants", "co-production", "-", "-o"])
        .arg(&lexicon)
        .write_stdin(TEXT)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn count_warns_about_a_spelling_no_form_matches() {
    let dir = tempfile::tempdir().unwrap();
    let lexicon = dir.path().join("lexicon.toml");
    std::fs::write(
        &lexicon,
        "name = \"t\"\n[categories]\nc = \"c\"\n[[terms]]\nlabel = \"co-production\"\ncategory = \"c\"\nforms = [\"co-production\"]\n",
    )
    .unwrap();
    let text = "co-production. ".to_string() + &"Coproduction here. ".repeat(14);
    let out = util::output_ok(
        util::termtally()
            .args(["count", "--mode", "family", "--lexicon"])
            .arg(&lexicon)
            .arg("-")
            .write_stdin(text.clone()),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "termtally: the lexicon lists \"co-production\"; the documents also say \"coproduction\" (14 times), which no form matches"
    );
    // Covered by a form: no warning.
    std::fs::write(
        &lexicon,
        "name = \"t\"\n[categories]\nc = \"c\"\n[[terms]]\nlabel = \"co-production\"\ncategory = \"c\"\nforms = [\"co-production\", \"coproduction\"]\n",
    )
    .unwrap();
    let out = util::output_ok(
        util::termtally()
            .args(["count", "--lexicon"])
            .arg(&lexicon)
            .arg("-")
            .write_stdin(text),
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_term_is_needed_before_the_documents() {
    let Some(file) = util::corpus_file(DOCUMENTS[0]) else {
        return;
    };
    let out = util::termtally()
        .arg("variants")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give a term"));
    // With --term, every argument is a document.
    let json = util::json_from(
        util::termtally()
            .args(["variants", "--term", "wellbeing", "--format", "json"])
            .arg(&file),
    );
    assert!(
        util::rows(&json)
            .iter()
            .any(|r| r["variant"] == "well-being")
    );
}
