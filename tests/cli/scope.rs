//! Scope filters (`--pages`, `--sections`, `--part`, `--heading`) checked against independent
//! counts: Python's xml.etree for an Act's Part, poppler's `pdftotext -f -l` for page ranges,
//! and the records of `extract --format jsonl` for sections and headings (the rules are in
//! tests/scope/words.py and tests/scope/part_words.py).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util;

const HOUSING_ACT: &str = "housing-act-2004-ukpga-2004-34-revised.xml";
const TRANSITIONS: &str = "dfe-children-act-1989-transitions-guidance.pdf";

fn script(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scope")
        .join(name)
}

/// Runs a Python check script with `args` (and `stdin`), returning its JSON or its one number.
fn python(name: &str, args: &[&str], stdin: Option<&[u8]>) -> String {
    use std::io::Write;
    let mut child = Command::new("python3")
        .arg(script(name))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.unwrap_or_default())
        .expect("write stdin");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "{name} {args:?} failed");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// `count`'s word total of the one document, with the scope options `scope`.
fn scoped_tokens(path: &Path, scope: &[&str]) -> (u64, Value) {
    let mut args = vec!["count", path.to_str().unwrap(), "-f", "json"];
    args.extend(scope);
    let json = util::json_of(&args);
    (
        json["documents"][0]["tokens"].as_u64().expect("tokens"),
        json,
    )
}

fn jsonl(path: &Path, extra: &[&str]) -> Vec<u8> {
    let mut cmd = util::termtally();
    cmd.args(["extract", "--format", "jsonl"])
        .arg(path)
        .args(extra);
    util::output_ok(&mut cmd).stdout
}

#[test]
fn part_3_of_the_housing_act_counts_exactly_the_words_of_the_bodys_part_3() {
    let Some(act) = util::corpus_file(HOUSING_ACT) else {
        return;
    };
    let whole = scoped_tokens(&act, &[]).0;
    for part in ["3", "1", "7"] {
        let expected: u64 = python("part_words.py", &[act.to_str().unwrap(), part], None)
            .trim()
            .parse()
            .expect("a number");
        let (got, json) = scoped_tokens(&act, &["--part", part]);
        eprintln!("Housing Act 2004, Part {part}: termtally {got} words, xml.etree {expected}");
        assert_eq!(got, expected, "Part {part}");
        assert!(
            got > 1000 && got < whole / 3,
            "Part {part}: {got} of {whole}"
        );
        // The scope is stated in the notes and in the JSON meta.
        let scope = json["scope"].as_str().expect("meta.scope");
        assert!(scope.contains(&format!("Part {part}")), "{scope}");
        assert!(json["notes"][0].as_str().unwrap().starts_with("Scope: "));
    }
    // No block of a Schedule's Part 3 ("Sch. N Part 3") is in scope.
    let records = util::jsonl_records(&jsonl(&act, &["--part", "3"]));
    assert!(records.iter().all(|r| r["part"] == "Part 3"));
}

#[test]
fn page_ranges_count_the_words_pdftotext_gives_for_those_pages() {
    let Some(reports) = util::ofsted_reports() else {
        return;
    };
    if !util::pdftotext_available() {
        return;
    }
    for (report, first, last) in [(&reports[6], "2", "3"), (&reports[20], "4", "4")] {
        let expected: Value = serde_json::from_str(&python(
            "words.py",
            &["pdftotext", report.to_str().unwrap(), first, last],
            None,
        ))
        .unwrap();
        // pdftotext keeps running headers and page numbers: so does termtally here.
        let range = format!("{first}-{last}");
        let text = util::output_ok(
            util::termtally()
                .args(["extract", "--keep-headers", "--pages", &range])
                .arg(report),
        )
        .stdout;
        let got: Value = serde_json::from_str(&python("words.py", &["text"], Some(&text))).unwrap();
        let (tokens, _) = scoped_tokens(report, &["--keep-headers", "--pages", &range]);
        eprintln!(
            "{}: pages {range}: termtally {tokens} words, pdftotext {}",
            report.display(),
            expected["tokens"]
        );
        let differing: Vec<(&String, &Value)> = expected["types"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(word, n)| &got["types"][word.as_str()] != *n)
            .collect();
        assert!(differing.is_empty(), "{}: {differing:?}", report.display());
        assert_eq!(
            got["types"].as_object().unwrap().len(),
            expected["types"].as_object().unwrap().len()
        );
        assert_eq!(Some(tokens), expected["tokens"].as_u64());
    }
}

#[test]
fn section_ranges_compare_numerically_and_match_the_jsonl() {
    let Some(guidance) = util::corpus_file(TRANSITIONS) else {
        return;
    };
    let all = jsonl(&guidance, &[]);
    // 3.9-3.12 holds 3.10 and 3.11 (a text comparison would not); E.1-E.8 is an annex, after
    // the numbered paragraphs; 11-E.8 runs from paragraph 11 over every annex up to E.8.
    for ranges in ["3.9-3.12", "E.1-E.8", "11-E.8", "1-2"] {
        let expected: Value =
            serde_json::from_str(&python("words.py", &["sections", ranges], Some(&all))).unwrap();
        let (got, _) = scoped_tokens(&guidance, &["--sections", ranges]);
        eprintln!("transitions guidance, sections {ranges}: {got} words");
        assert!(got > 0, "{ranges}");
        assert_eq!(Some(got), expected["tokens"].as_u64(), "sections {ranges}");
    }
    let scoped = util::jsonl_records(&jsonl(&guidance, &["--sections", "3.9-3.12"]));
    let mut labels: Vec<&str> = scoped
        .iter()
        .filter_map(|r| r["section"].as_str())
        .collect();
    labels.dedup();
    assert_eq!(labels, ["3.9", "3.10", "3.11", "3.12"]);
}

#[test]
fn legislation_sections_and_a_heading_scope() {
    let Some(act) = util::corpus_file(HOUSING_ACT) else {
        return;
    };
    let all = jsonl(&act, &[]);
    let expected: Value =
        serde_json::from_str(&python("words.py", &["sections", "19-83"], Some(&all))).unwrap();
    let (got, _) = scoped_tokens(&act, &["--sections", "19-83"]);
    assert_eq!(Some(got), expected["tokens"].as_u64());
    // Heading scopes: a Part's title (its chapters, cross-headings and section titles are
    // subheadings) and a cross-heading (its section titles are).
    for pattern in [
        "^selective licensing of other",
        "^enforcement of housing standards: general$",
    ] {
        let expected: Value =
            serde_json::from_str(&python("words.py", &["heading", pattern], Some(&all))).unwrap();
        let (under, _) = scoped_tokens(&act, &["--heading", pattern]);
        eprintln!("Housing Act, under /{pattern}/: {under} words");
        assert!(under > 1000, "{pattern}");
        assert_eq!(Some(under), expected["tokens"].as_u64(), "{pattern}");
    }
}

#[test]
fn every_counting_command_takes_the_scope() {
    let Some(reports) = util::ofsted_reports() else {
        return;
    };
    let report = reports[6].to_str().unwrap();
    let (whole, _) = scoped_tokens(&reports[6], &[]);
    let (part, _) = scoped_tokens(&reports[6], &["--heading", "areas for improvement"]);
    assert!(part > 0 && part * 10 < whole, "{part} of {whole}");
    let words = util::json_of(&[
        "words",
        report,
        "--heading",
        "areas for improvement",
        "-f",
        "json",
    ]);
    assert_eq!(words["total"]["tokens"].as_u64(), Some(part), "words");
    let kwic = util::json_of(&["kwic", "partnership", report, "--pages", "2", "-f", "json"]);
    assert!(!util::rows(&kwic).is_empty());
    assert!(util::rows(&kwic).iter().all(|r| r["page"] == 2));
    assert!(kwic["scope"].as_str().unwrap().contains("pages 2"));
    // diff: one scope for both sides.
    let diff = util::json_of(&[
        "diff",
        report,
        report,
        "--heading",
        "areas for improvement",
        "-f",
        "json",
    ]);
    assert!(diff["notes"][0].as_str().unwrap().starts_with("Scope: "));
    // A scope that holds nothing of a document says so.
    let out = util::termtally()
        .args(["count", report, "--part", "3"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing inside the scope"));
    // A bad range is an error naming it, before anything is read.
    let out = util::termtally()
        .args(["count", report, "--pages", "40-12"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("runs backwards"));
}

#[test]
fn the_toolkit_commands_count_and_state_the_scope() {
    let Some(reports) = util::ofsted_reports() else {
        return;
    };
    let report = reports[6].to_str().unwrap();
    let (part, _) = scoped_tokens(&reports[6], &["--pages", "2-3"]);
    let scope = ["--pages", "2-3", "-f", "json"];
    for command in [
        vec!["ngrams", report, "-n", "2"],
        vec!["collocates", "parents", report, "--min-freq", "1"],
    ] {
        let json = util::json_of(&[command.as_slice(), &scope].concat());
        assert_eq!(json["total"]["tokens"].as_u64(), Some(part), "{command:?}");
        assert_eq!(json["scope"], "pages 2-3", "{command:?}");
    }
    let variants = util::json_of(&[
        "variants",
        "co-production",
        report,
        "--pages",
        "2-3",
        "-f",
        "json",
    ]);
    assert_eq!(variants["scope"], "pages 2-3");
}
