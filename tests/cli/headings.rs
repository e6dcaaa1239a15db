//! Headings as structure: the headings termtally finds in real PDFs against true heading lists
//! written by hand (tests/headings/, see its README), and `--by heading` on the Ofsted reports.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util;

/// A heading's text for comparison: lower case, white space collapsed, dashes as "-",
/// quotation marks and apostrophes left out.
fn comparable(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'))
        .map(|c| if matches!(c, '–' | '—') { '-' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The document and the headings of one hand-written list.
fn hand_list(file: &Path) -> (String, BTreeSet<String>) {
    let text = std::fs::read_to_string(file).expect("heading list");
    let mut lines = text.lines();
    let document = lines
        .next()
        .and_then(|l| l.strip_prefix("# "))
        .expect("first line: # FILE")
        .to_string();
    (
        document,
        lines
            .filter(|l| !l.trim().is_empty())
            .map(comparable)
            .collect(),
    )
}

#[test]
fn hand_written_heading_lists() {
    let Some(corpora) = util::corpora_dir() else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/headings");
    let lists = util::file_names(&dir);
    let lists: Vec<&String> = lists.iter().filter(|n| n.ends_with(".txt")).collect();
    assert_eq!(
        lists.len(),
        5,
        "3 Ofsted reports and 2 DfE guidance documents"
    );
    for name in lists {
        let (document, truth) = hand_list(&dir.join(name));
        let path = corpora.join(&document);
        let mut cmd = util::termtally();
        cmd.args(["extract", "--format", "jsonl"]).arg(&path);
        let found: BTreeSet<String> = util::jsonl_records(&util::output_ok(&mut cmd).stdout)
            .iter()
            .filter(|r| !r["heading_level"].is_null())
            .map(|r| comparable(r["text"].as_str().unwrap()))
            .collect();
        let right = found.intersection(&truth).count() as f64;
        let precision = right / found.len() as f64;
        let recall = right / truth.len() as f64;
        eprintln!(
            "{document}: {} true headings, {} found, precision {precision:.3}, recall {recall:.3}",
            truth.len(),
            found.len()
        );
        let wrong: Vec<&String> = found.difference(&truth).collect();
        let missed: Vec<&String> = truth.difference(&found).collect();
        assert!(
            precision >= 0.9 && recall >= 0.9,
            "{document}: precision {precision:.3}, recall {recall:.3}\nnot headings: {wrong:#?}\nmissed: {missed:#?}"
        );
    }
}

#[test]
fn by_heading_leaves_few_hits_of_the_ofsted_reports_without_a_heading() {
    let Some(reports) = util::ofsted_reports() else {
        return;
    };
    assert_eq!(reports.len(), 42);
    let mut args = vec![
        "count",
        "--by",
        "heading",
        "-f",
        "json",
        "--keep-duplicates",
    ];
    let paths: Vec<&str> = reports.iter().map(|p| p.to_str().unwrap()).collect();
    args.extend(&paths);
    let json = util::json_of(&args);
    let (mut hits, mut without) = (0, 0);
    let mut headings = BTreeSet::new();
    for row in util::rows(&json) {
        // The term rows of each document (not the category or corpus-total rows).
        if row["kind"] != "term" || row["path"].is_null() {
            continue;
        }
        let count = row["count"].as_u64().unwrap();
        hits += count;
        match row["unit"].as_str() {
            Some(heading) => {
                headings.insert(heading.to_string());
            }
            None => without += count,
        }
    }
    let share = without as f64 / hits as f64;
    eprintln!(
        "42 Ofsted reports, --by heading: {without} of {hits} hits without a heading ({:.1}%), {} distinct headings",
        share * 100.0,
        headings.len()
    );
    assert!(hits > 1000, "{hits}");
    assert!(share < 0.05, "{without} of {hits} hits without a heading");
    assert!(headings.contains("Areas for improvement"));
}

/// `(heading_level, heading)` of each block of a document given as bytes.
fn structure(bytes: Vec<u8>) -> Vec<(Option<u8>, Option<String>, String)> {
    use termtally::extract::{ExtractOptions, Input, extract};
    let doc = termtally::normalise::normalise(
        extract(&Input::Stdin(bytes), &ExtractOptions::default()).expect("extracts"),
    );
    doc.blocks
        .into_iter()
        .map(|b| (b.heading_level, b.heading, b.text))
        .collect()
}

#[test]
fn html_and_docx_headings_with_their_levels() {
    let html = "<html><body><main><p>Before</p><h1>Guidance</h1><p>One</p>\
                <h3>Detail <em>here</em></h3><p>Two</p><h5>Small print</h5><p>Three</p>\
                </main></body></html>";
    let got = structure(html.as_bytes().to_vec());
    let want = [
        (None, None, "Before"),
        (Some(1), Some("Guidance"), "Guidance"),
        (None, Some("Guidance"), "One"),
        (Some(3), Some("Detail here"), "Detail here"),
        (None, Some("Detail here"), "Two"),
        // h5 and h6 are not taken for structure.
        (None, Some("Detail here"), "Small print"),
        (None, Some("Detail here"), "Three"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(l, h, t)| (*l, h.map(str::to_string), t.to_string()))
        .collect();
    assert_eq!(got, want);

    let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    let para = |style: &str, text: &str| {
        let props = if style.is_empty() {
            String::new()
        } else {
            format!("<w:pPr>{style}</w:pPr>")
        };
        format!("<w:p>{props}<w:r><w:t>{text}</w:t></w:r></w:p>")
    };
    let body = [
        para("", "Cover"),
        para("<w:pStyle w:val=\"Title\"/>", "The Title"),
        para("<w:pStyle w:val=\"Heading2\"/>", "Second level"),
        para("", "Body text"),
        para("<w:outlineLvl w:val=\"2\"/>", "Outline three"),
        para("<w:pStyle w:val=\"BodyText\"/>", "More"),
    ]
    .concat();
    let document = format!("<w:document {w}><w:body>{body}</w:body></w:document>");
    let docx = util::make::zip_deflated(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", document.as_bytes()),
    ]);
    let got: Vec<(Option<u8>, Option<String>)> = structure(docx)
        .into_iter()
        .map(|(l, h, _)| (l, h))
        .collect();
    let heading = |s: &str| Some(s.to_string());
    assert_eq!(
        got,
        [
            (None, None),
            (Some(1), heading("The Title")),
            (Some(2), heading("Second level")),
            (None, heading("Second level")),
            (Some(3), heading("Outline three")),
            (None, heading("Outline three")),
        ]
    );
}

#[test]
fn legislation_headings_are_part_chapter_cross_heading_and_section_titles() {
    let Some(act) = util::corpus_file("housing-act-2004-ukpga-2004-34-revised.xml") else {
        return;
    };
    let mut cmd = util::termtally();
    cmd.args(["extract", "--format", "jsonl"]).arg(&act);
    let records = util::jsonl_records(&util::output_ok(&mut cmd).stdout);
    let level_of = |text: &str| {
        records
            .iter()
            .find(|r| r["text"] == text)
            .unwrap_or_else(|| panic!("no block {text:?}"))["heading_level"]
            .as_u64()
    };
    // In the XML: <Part><Number>PART 3</Number><Title>Selective licensing of other
    // residential accommodation</Title>; section 19's <P1group><Title>.
    assert_eq!(
        level_of("Selective licensing of other residential accommodation"),
        Some(1)
    );
    assert_eq!(
        level_of("Enforcement of housing standards: general"),
        Some(2)
    );
    assert_eq!(
        level_of("Change in person liable to comply with improvement notice"),
        Some(5)
    );
    // Body text is under the title of its section.
    let s19 = records
        .iter()
        .find(|r| {
            r["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("(2) In subsection (1)") && r["section"] == "s.19")
        })
        .expect("s.19(2)");
    assert_eq!(
        s19["heading"],
        "Change in person liable to comply with improvement notice"
    );
}
