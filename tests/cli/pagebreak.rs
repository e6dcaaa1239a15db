//! Paragraphs across page breaks, on a document typeset by LibreOffice (committed in
//! tests/fixtures/pagebreak/, made by its make_fixture.py: English (UK), automatic hyphenation
//! with Debian's hyphen-en-gb, a running header): the PDF and the DOCX of the same text count
//! exactly what the source text counts, and a hit over a page break cites both pages.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::util;

fn fixture(name: &str) -> PathBuf {
    util::fixture_path("pagebreak").join(name)
}

/// Per-term counts and the word total of one file with the fixture's lexicon.
fn counts(file: &str) -> (Vec<(String, u64)>, u64) {
    let lexicon = fixture("lexicon.toml");
    let json = util::json_of(&[
        "count",
        fixture(file).to_str().unwrap(),
        "-l",
        lexicon.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let rows = util::rows(&json)
        .iter()
        .filter(|r| r["kind"] == "term" && !r["path"].is_null())
        .map(|r| {
            (
                r["term"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    (rows, json["documents"][0]["tokens"].as_u64().unwrap())
}

/// The multi-word forms of the fixture's lexicon.
fn multi_word_forms() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("lexicon.toml")).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("forms = [\""))
        .map(|l| l.trim_end_matches("\"]").to_string())
        .filter(|f| f.contains(' '))
        .collect()
}

/// What the fixture really holds, from poppler's pdftotext: hyphenated line ends (`-layout`
/// keeps them), and at each page break the last line of the page and the first of the next
/// (the running header, the first line of every page, left out).
#[test]
fn the_fixture_has_hyphenation_and_paragraphs_and_terms_over_page_breaks() {
    if !util::pdftotext_available() {
        return;
    }
    let pdf = fixture("fixture.pdf");
    let layout = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let layout = String::from_utf8(layout.stdout).unwrap();
    let hyphenated = layout
        .lines()
        .filter(|l| {
            let l = l.trim_end();
            l.ends_with('-') && l[..l.len() - 1].ends_with(char::is_alphabetic)
        })
        .count();
    let raw = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let raw = String::from_utf8(raw.stdout).unwrap();
    let pages: Vec<Vec<&str>> = raw
        .split('\u{c}')
        .map(|p| p.lines().filter(|l| !l.trim().is_empty()).collect())
        .filter(|p: &Vec<&str>| !p.is_empty())
        .collect();
    let header = pages[0][0];
    assert!(header.starts_with("Guidance on co-production"), "{header}");
    assert!(
        pages.iter().all(|p| p[0] == header),
        "a running header on every page"
    );
    let (mut run_on, mut split_hits, mut hyphen_breaks) = (0, 0, 0);
    for pair in pages.windows(2) {
        let (last, first) = (*pair[0].last().unwrap(), pair[1][1]);
        let hyphen = last.ends_with('-');
        if !last.trim_end().ends_with('.') && first.starts_with(char::is_lowercase) {
            run_on += 1;
        }
        hyphen_breaks += usize::from(hyphen);
        let joined = if hyphen {
            format!("{}{first}", &last[..last.len() - 1])
        } else {
            format!("{last} {first}")
        };
        let junction = if hyphen { last.len() - 1 } else { last.len() };
        // A multi-word form that starts before the break and ends after it.
        split_hits += multi_word_forms()
            .iter()
            .filter(|form| {
                joined
                    .match_indices(form.as_str())
                    .any(|(at, f)| at < junction && at + f.len() > junction + 1)
            })
            .count();
    }
    eprintln!(
        "page-break fixture: {} pages, {hyphenated} hyphenated line ends ({hyphen_breaks} at page \
         breaks), {run_on} paragraphs over page breaks, {split_hits} multi-word hits split by a break",
        pages.len()
    );
    assert!(hyphenated >= 10, "{hyphenated} hyphenated line ends");
    assert!(run_on >= 3, "{run_on} paragraphs over page breaks");
    assert!(
        split_hits >= 2,
        "{split_hits} multi-word hits split by a break"
    );
}

#[test]
fn pdf_and_docx_count_what_the_source_text_counts() {
    // The source text is checked against Python's own count first (tests/independent_count.py).
    let lexicon = fixture("lexicon.toml");
    let out = util::independent_count()
        .args(["--lexicon", lexicon.to_str().unwrap(), "--mode", "word"])
        .arg(fixture("source.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (source, source_words) = counts("source.txt");
    assert!(source.len() >= 20, "{} terms", source.len());
    assert!(source.iter().all(|(_, n)| *n > 0), "{source:?}");
    for file in ["fixture.pdf", "fixture.docx"] {
        let (got, words) = counts(file);
        assert_eq!(got, source, "{file}");
        assert_eq!(words, source_words, "{file}: words");
    }
}

#[test]
fn a_hit_over_a_page_break_cites_both_pages() {
    let pdf = fixture("fixture.pdf");
    let kwic = |pattern: &str| -> Vec<Value> {
        util::rows(&util::json_of(&[
            "kwic",
            pattern,
            pdf.to_str().unwrap(),
            "-f",
            "json",
        ]))
        .clone()
    };
    // "meaning-" ends page 7, "ful partnership" starts page 8.
    let hits = kwic("meaningful partnership");
    let cites: Vec<&str> = hits.iter().map(|r| r["cite"].as_str().unwrap()).collect();
    assert!(cites.contains(&"pp. 7–8"), "{cites:?}");
    // The hits before it on the same paragraph cite the page they are on.
    assert!(
        cites.iter().filter(|c| !c.starts_with("pp.")).count() >= 8,
        "{cites:?}"
    );
    // A hit that starts after the break cites the next page alone: "partners share" ends page
    // 4, "information" starts page 5.
    let info = kwic("responsibly");
    let pages: Vec<u64> = info.iter().map(|r| r["page"].as_u64().unwrap()).collect();
    assert!(pages.contains(&5) && pages.contains(&6), "{pages:?}");
    let split = kwic("share information");
    assert!(
        split.iter().any(|r| r["cite"] == "pp. 4–5"),
        "{:?}",
        split.iter().map(|r| &r["cite"]).collect::<Vec<_>>()
    );
}
