//! `count` in word and substring modes agrees exactly with an independent count written in Python
//! with its `re` engine (tests/independent_count.py), for every term of every built-in lexicon, on
//! real documents extracted by termtally (so only the counting is compared). Token totals (the
//! denominators of every rate) are compared too.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// Three PDFs of different producers and sizes plus one Act in legislation.gov.uk XML.
const DOCUMENTS: &[&str] = &[
    "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf",
    "dfe-dh-promoting-health-wellbeing-looked-after-children-2015-aug2022-update.pdf",
    "dfe-information-sharing-advice-2024-05.pdf",
    "housing-act-2004-ukpga-2004-34-revised.xml",
];

fn documents() -> Option<Vec<PathBuf>> {
    DOCUMENTS.iter().map(|d| common::corpus_file(d)).collect()
}

const LEXICONS: [&str; 3] = ["boddison-soan-2021", "frost-2005", "modality"];

#[test]
fn word_and_substring_counts_equal_pythons_re_for_every_builtin_term() {
    let Some(files) = documents() else { return };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/independent_count.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["--termtally", env!("CARGO_BIN_EXE_termtally")])
        .args(["--lexicon", &LEXICONS.join(","), "--mode", "word,substring"])
        .args(&files)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "termtally and the independent count differ:\n{stdout}\n{stderr}"
    );
    for lexicon in LEXICONS {
        for mode in ["word", "substring"] {
            let summary = stdout
                .lines()
                .find(|l| l.starts_with(&format!("{lexicon} {mode}: ")))
                .unwrap_or_else(|| panic!("no summary for {lexicon} {mode} in\n{stdout}"));
            assert!(
                summary.ends_with(" passed, 0 failed") && !summary.contains(": 0 passed"),
                "{summary}"
            );
        }
    }
}

#[test]
fn the_independent_check_detects_a_difference() {
    // Guards against a checker that agrees with anything: on a hand-written text both counts
    // must equal the numbers worked out by hand.
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("hand.txt");
    std::fs::write(
        &text,
        "Co-operation and cooperation. Inform, informed, information; misinformation.\n\n\
         The Adviser advises; co-production, coproduction and co production.\n",
    )
    .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/independent_count.py");
    let run = |mode: &str| {
        let out = Command::new("python3")
            .arg(&script)
            .args(["--show", "--termtally", env!("CARGO_BIN_EXE_termtally")])
            .args(["--lexicon", "boddison-soan-2021", "--mode", mode])
            .arg(&text)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let word = run("word");
    for line in [
        "Co-operation         python=    2 termtally=2",
        "Inform               python=    1 termtally=1",
        "Informed             python=    1 termtally=1",
        "information          python=    1 termtally=1",
        "Adviser              python=    1 termtally=1",
        "Advise               python=    0 termtally=0",
        "Coproduction         python=    2 termtally=2",
    ] {
        assert!(
            word.contains(line),
            "word mode, expected {line:?} in\n{word}"
        );
    }
    let substring = run("substring");
    for line in [
        // inform, informed, information, misinformation
        "Inform               python=    4 termtally=4",
        "information          python=    2 termtally=2",
        // "advise" inside "Adviser" and "advises"
        "Advise               python=    2 termtally=2",
    ] {
        assert!(
            substring.contains(line),
            "substring mode, expected {line:?} in\n{substring}"
        );
    }
}
