//! `termtally report`: the HTML report's numbers are `count --format json`'s (and `diff`'s in the
//! Change section), it is byte-identical when run again with SOURCE_DATE_EPOCH, bad documents
//! are listed and the rest reported, `-o` never clobbers without --force, hostile names and
//! text stay text, and in a real browser (headless Chromium, network off) it loads cleanly.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, json_of, rows, termtally};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// A fixed date, so runs are comparable.
const EPOCH: &str = "1767225600";

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

fn attr<'a>(e: &ElementRef<'a>, name: &str) -> &'a str {
    e.value().attr(name).unwrap_or_default()
}

/// The Ofsted/CQC area SEND reports whose file names end in one of `years` (sorted).
fn ofsted(years: &[&str]) -> Vec<PathBuf> {
    util::ofsted_reports()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            years.iter().any(|y| name.ends_with(&format!("-{y}.pdf")))
        })
        .collect()
}

fn strs(paths: &[PathBuf]) -> Vec<&str> {
    paths
        .iter()
        .map(|p| p.to_str().expect("UTF-8 path"))
        .collect()
}

/// Runs `termtally report ARGS -o OUT` with a fixed SOURCE_DATE_EPOCH; returns the exit code.
fn report(args: &[&str], out: &Path) -> i32 {
    let output = termtally()
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(out)
        .arg("--force")
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("run termtally report");
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    output.status.code().unwrap_or(-1)
}

fn read_html(path: &Path) -> Html {
    Html::parse_document(&std::fs::read_to_string(path).expect("report written"))
}

/// Float cells as display formats show them (the report and `count --format table` alike).
fn fixed(value: &Json, decimals: usize) -> String {
    value
        .as_f64()
        .map(|f| format!("{f:.decimals$}"))
        .unwrap_or_default()
}

/// The document of a count row as the report's charts name it: the path as given, or
/// "(all documents)" for the corpus total (which has no path).
fn doc_key(row: &Json) -> &str {
    row["path"]
        .as_str()
        .unwrap_or_else(|| row["document"].as_str().unwrap())
}

/// A JSON whole number as the report shows it, with thousands separators ("2,516").
fn thousands(n: &Json) -> String {
    let digits = n.as_u64().expect("a whole number").to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap())
        .collect();
    groups.join(",")
}

/// Checks every number of the report against `count --format json` over the same files.
fn assert_numbers_equal_count(html: &Html, count: &Json, files: &[&str]) {
    let json_rows = rows(count);
    // Terms x documents: one table row per JSON row, in order, every cell equal.
    let table: Vec<ElementRef> = html.select(&sel("#terms-table tbody tr")).collect();
    assert_eq!(table.len(), json_rows.len(), "one table row per JSON row");
    for (tr, want) in table.iter().zip(json_rows) {
        let cells: Vec<String> = tr.select(&sel("td")).map(text).collect();
        let expected = vec![
            want["document"].as_str().unwrap().to_string(),
            want["term"].as_str().unwrap_or_default().to_string(),
            want["category"].as_str().unwrap().to_string(),
            thousands(&want["count"]),
            thousands(&want["tokens"]),
            fixed(&want["rate_per_10k"], 2),
            fixed(&want["share"], 1),
            // DP (count --dispersion), "–" where undefined.
            want["dp"]
                .as_f64()
                .map_or_else(|| "–".to_string(), |dp| format!("{dp:.3}")),
        ];
        assert_eq!(cells, expected);
        assert_eq!(attr(tr, "data-kind"), want["kind"].as_str().unwrap());
    }
    let term_rows: HashMap<(&str, &str), &Json> = json_rows
        .iter()
        .filter(|r| r["kind"] == "term")
        .map(|r| ((doc_key(r), r["term"].as_str().unwrap()), r))
        .collect();
    let category_rows: HashMap<(&str, &str), &Json> = json_rows
        .iter()
        .filter(|r| r["kind"] == "category")
        .map(|r| ((doc_key(r), r["category"].as_str().unwrap()), r))
        .collect();

    // Heat map marks: count and rate.
    let heat: Vec<ElementRef> = html.select(&sel("rect.mark[data-chart=heat]")).collect();
    assert!(!heat.is_empty());
    for m in &heat {
        let want = term_rows[&(attr(m, "data-document"), attr(m, "data-term"))];
        assert_eq!(attr(m, "data-count"), want["count"].to_string());
        assert_eq!(attr(m, "data-value"), fixed(&want["rate_per_10k"], 2));
        let title = text(m.select(&sel("title")).next().expect("title"));
        assert!(
            title.contains(&format!("{} per 10,000", fixed(&want["rate_per_10k"], 2))),
            "{title}"
        );
    }
    // Headline bars: share, and hits of all hits.
    let mut totals: HashMap<&str, u64> = HashMap::new();
    for ((doc, _), r) in &category_rows {
        *totals.entry(doc).or_default() += r["count"].as_u64().unwrap();
    }
    let bars: Vec<ElementRef> = html.select(&sel("rect.mark[data-chart=share]")).collect();
    assert_eq!(
        bars.len(),
        category_rows
            .values()
            .filter(|r| !r["share"].is_null())
            .count()
    );
    for m in &bars {
        let doc = attr(m, "data-document");
        let want = category_rows[&(doc, attr(m, "data-category"))];
        assert_eq!(attr(m, "data-value"), fixed(&want["share"], 1));
        let title = text(m.select(&sel("title")).next().expect("title"));
        assert!(
            title.contains(&format!("of {} hits ({})", totals[doc], want["count"])),
            "{title}"
        );
    }
    // Dispersion marks of a term in a document add up to its count there.
    let mut per_page: HashMap<(&str, &str), u64> = HashMap::new();
    for m in html.select(&sel("rect.mark[data-chart=dispersion]")) {
        *per_page
            .entry((attr(&m, "data-document"), attr(&m, "data-term")))
            .or_default() += attr(&m, "data-value").parse::<u64>().unwrap();
    }
    for ((doc, term), r) in &term_rows {
        if files.contains(doc) {
            assert_eq!(
                per_page.get(&(*doc, *term)).copied().unwrap_or(0),
                r["count"].as_u64().unwrap(),
                "{term} in {doc}"
            );
        }
    }
    // Method: every document with its format, pages, words and SHA-256.
    let listed: Vec<Vec<String>> = html
        .select(&sel("#documents tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    let documents = count["documents"].as_array().unwrap();
    assert_eq!(listed.len(), documents.len());
    for (cells, doc) in listed.iter().zip(documents) {
        let path = doc["path"].as_str().unwrap();
        assert_eq!(cells[1], path);
        assert_eq!(cells[3], doc["pages"].to_string());
        assert_eq!(cells[4], thousands(&doc["tokens"]));
        let digest: String = Sha256::digest(std::fs::read(path).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(cells[5], digest);
    }
}

#[test]
fn report_numbers_equal_count_json_on_real_documents() {
    let Some(guidance) = util::corpus_file("dfe-children-missing-education-2024-08.pdf") else {
        return;
    };
    let mut files = ofsted(&["2023"]);
    files.truncate(3);
    if files.is_empty() {
        eprintln!("\n*** SKIPPED: no Ofsted reports ***\n");
        return;
    }
    files.push(guidance);
    let files = strs(&files);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    for mode in ["word", "substring"] {
        let mut args = files.clone();
        args.extend(["--mode", mode, "--contexts", "2"]);
        assert_eq!(report(&args, &out), 0);
        let mut count_args = vec!["count", "--dispersion", "--format", "json", "--mode", mode];
        count_args.extend(&files);
        let count = json_of(&count_args);
        let html = read_html(&out);
        assert_numbers_equal_count(&html, &count, &files);

        // Concordance: at most 2 hits per term and document, the total given beside them.
        for h4 in html.select(&sel("#concordance h4")) {
            let shown = h4
                .next_siblings()
                .filter_map(ElementRef::wrap)
                .next()
                .map_or(0, |ol| ol.select(&sel("li")).count());
            let heading = text(h4);
            let total: usize = heading
                .rsplit(": ")
                .next()
                .and_then(|t| t.split(' ').next())
                .and_then(|n| n.parse().ok())
                .expect("total in heading");
            assert_eq!(shown, total.min(2), "{heading}");
            if total > 2 {
                assert!(heading.ends_with("the first 2 shown"), "{heading}");
            }
        }
        let method = text(html.select(&sel("#method")).next().unwrap());
        assert!(method.contains("the default is 10"), "default stated");
        assert!(method.contains(&format!("Mode {mode}")), "mode stated");
    }
}

#[test]
fn change_section_equals_diff_for_2023_against_2024_25() {
    let (old, new) = (ofsted(&["2023"]), ofsted(&["2024", "2025"]));
    if old.is_empty() || new.is_empty() {
        eprintln!("\n*** SKIPPED: no Ofsted reports ***\n");
        return;
    }
    let (old, new) = (strs(&old), strs(&new));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("change.html");
    let mut args = vec!["--old"];
    args.extend(&old);
    args.push("--new");
    args.extend(&new);
    assert_eq!(report(&args, &out), 0);
    let size = std::fs::metadata(&out).unwrap().len();
    assert!(
        size < 10 << 20,
        "report on {} documents is {size} bytes",
        old.len() + new.len()
    );

    let mut diff_args = vec!["diff", "--format", "json"];
    diff_args.extend(&args);
    let diff = json_of(&diff_args);
    let html = read_html(&out);
    let want: Vec<&Json> = rows(&diff).iter().filter(|r| r["kind"] == "term").collect();
    let table: Vec<Vec<String>> = html
        .select(&sel("#change-terms tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    assert_eq!(table.len(), want.len());
    for (cells, w) in table.iter().zip(&want) {
        assert_eq!(cells[0], w["term"].as_str().unwrap());
        assert_eq!(cells[2], thousands(&w["old_count"]));
        assert_eq!(cells[4], thousands(&w["new_count"]));
        assert_eq!(
            cells[8],
            fixed(&w["log_likelihood"], 2),
            "G2 of {}",
            cells[0]
        );
        assert_eq!(cells[9], w["significance"].as_str().unwrap());
        assert_eq!(
            cells[10],
            fixed(&w["log_ratio"], 2),
            "Log Ratio of {}",
            cells[0]
        );
        assert_eq!(cells[11], fixed(&w["pct_diff"], 1), "%DIFF of {}", cells[0]);
    }
    let by_term: HashMap<&str, &&Json> = want
        .iter()
        .map(|r| (r["term"].as_str().unwrap(), r))
        .collect();
    let bars: Vec<ElementRef> = html.select(&sel("rect.mark[data-chart=keyness]")).collect();
    assert_eq!(
        bars.len(),
        want.iter()
            .filter(|r| r["old_count"].as_u64().unwrap() + r["new_count"].as_u64().unwrap() > 0)
            .count()
    );
    for m in &bars {
        let w = by_term[attr(m, "data-term")];
        assert_eq!(attr(m, "data-value"), fixed(&w["log_ratio"], 2));
        assert_eq!(attr(m, "data-g2"), fixed(&w["log_likelihood"], 2));
    }
    // The whole report's counts are count's over both sides.
    let mut count_args = vec!["count", "--dispersion", "--format", "json"];
    count_args.extend(old.iter().chain(&new));
    let all: Vec<&str> = old.iter().chain(&new).copied().collect();
    assert_numbers_equal_count(&html, &json_of(&count_args), &all);
}

#[test]
fn second_run_with_source_date_epoch_is_byte_identical() {
    let Some(file) = util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let file = file.to_str().unwrap();
    assert_eq!(report(&[file], &out), 0);
    let first = std::fs::read(&out).unwrap();
    assert_eq!(report(&[file], &out), 0);
    assert_eq!(
        first,
        std::fs::read(&out).unwrap(),
        "same inputs, same bytes"
    );
    let html = String::from_utf8(first).unwrap();
    assert!(
        html.contains("2026-01-01 00:00 UTC"),
        "the date is SOURCE_DATE_EPOCH's"
    );
    assert!(
        html.contains(&format!("termtally report {file} -o")),
        "the exact command"
    );
}

#[test]
fn failed_documents_are_listed_and_the_rest_reported() {
    let (Some(good), Some(corrupt)) = (
        util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf"),
        util::corpus_file("wikipedia-cabinet-office-2023-10-03.corrupt.pdf"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-report.pdf");
    let out = dir.path().join("r.html");
    let args = [
        good.to_str().unwrap(),
        corrupt.to_str().unwrap(),
        missing.to_str().unwrap(),
    ];
    let output = termtally()
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Whether the damaged PDF can be read in part is extract's business; the missing file fails.
    let html = read_html(&out);
    let warn = text(
        html.select(&sel("#method .warn"))
            .next()
            .expect("failures listed"),
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(warn.contains("no-such-report.pdf"), "{warn}");
    assert!(stderr.contains("no-such-report.pdf"), "{stderr}");
    let listed: Vec<String> = html
        .select(&sel("#documents tbody tr td:nth-child(2)"))
        .map(text)
        .collect();
    assert!(listed.contains(&args[0].to_string()), "{listed:?}");
    assert!(!listed.contains(&args[2].to_string()));
    assert!(html.select(&sel("#terms-table tbody tr")).count() > 0);
}

#[test]
fn output_is_not_clobbered_without_force() {
    let Some(file) = util::corpus_file("ofsted-cqc-area-send-inspection-dorset-2024-05.pdf") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    std::fs::write(&out, "keep me").unwrap();
    let output = termtally()
        .args(["report", file.to_str().unwrap(), "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    assert_eq!(report(&[file.to_str().unwrap()], &out), 0);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file left beside the report");
}

const HOSTILE: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "</script>",
];

/// A document whose name, heading and text, and a lexicon whose labels, hold markup.
fn hostile_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let doc = dir.join(format!("{}.html", HOSTILE[1]));
    let escaped = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let body: String = HOSTILE
        .iter()
        .map(|h| {
            format!(
                "<h2>{0} partnership</h2><p>We work in partnership {0} with parents; {0} co-production.</p>",
                escaped(h)
            )
        })
        .collect();
    std::fs::write(
        &doc,
        format!(
            "<!DOCTYPE html><html><head><title>{}</title></head><body><h1>{}</h1>{body}</body></html>",
            escaped(HOSTILE[0]),
            escaped(HOSTILE[2])
        ),
    )
    .unwrap();
    let lexicon = dir.join("hostile.toml");
    std::fs::write(
        &lexicon,
        format!(
            "name = {:?}\ndescription = {:?}\n[categories]\n{:?} = {:?}\n\n\
             [[terms]]\nlabel = {:?}\ncategory = {:?}\nforms = [\"partnership\"]\nnote = {:?}\n\n\
             [[terms]]\nlabel = \"co-production\"\ncategory = {:?}\nforms = [\"co-production\"]\n",
            HOSTILE[0],
            HOSTILE[1],
            HOSTILE[2],
            HOSTILE[0],
            HOSTILE[1],
            HOSTILE[2],
            HOSTILE[2],
            HOSTILE[2]
        ),
    )
    .unwrap();
    (doc, lexicon)
}

#[test]
fn hostile_names_text_and_labels_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let (doc, lexicon) = hostile_inputs(dir.path());
    let out = dir.path().join("r.html");
    let args = [
        doc.to_str().unwrap(),
        "--lexicon",
        lexicon.to_str().unwrap(),
    ];
    assert_eq!(report(&args, &out), 0);
    let raw = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        raw.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert_eq!(raw.matches("</script>").count(), 1);
    assert!(!raw.contains("<img"));
    let html = Html::parse_document(&raw);
    let body = text(html.select(&sel("body")).next().unwrap());
    for h in HOSTILE {
        assert!(body.contains(h), "{h} shown as text");
    }
    // The hits were counted and are in the concordance.
    assert!(body.contains("partnership"));
    assert!(html.select(&sel("#concordance li")).count() >= 3);
}

/// The Debian python3 (which has python3-selenium), else whatever python3 is on PATH.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Runs the browser checks; false (after a loud SKIPPED) when no browser can be driven.
fn browser_check(args: &[&OsStr]) -> bool {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_report.py");
    let output = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        eprintln!(
            "\n*** SKIPPED: browser test: {} (CI installs chromium chromium-driver python3-selenium) ***\n",
            stderr.trim()
        );
        return false;
    }
    assert!(
        output.status.success(),
        "browser checks failed:\n{stderr}\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    true
}

#[test]
fn in_headless_chromium_the_report_loads_offline_and_shows_count_and_diff() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/examples");
    let file = |name: &str| examples.join(name).to_str().unwrap().to_string();
    let old = [file("rutland-03-august-2023.pdf")];
    let new = [
        file("wiltshire-06-december-2024.pdf"),
        file("east-sussex-04-february-2025.pdf"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("change.html");
    let mut args: Vec<&str> = vec!["--old"];
    args.extend(old.iter().map(String::as_str));
    args.push("--new");
    args.extend(new.iter().map(String::as_str));
    assert_eq!(report(&args, &out), 0);
    let mut count_args = vec!["count", "--dispersion", "--format", "json"];
    count_args.extend(old.iter().chain(&new).map(String::as_str));
    let count = dir.path().join("count.json");
    std::fs::write(&count, json_of(&count_args).to_string()).unwrap();
    let mut diff_args = vec!["diff", "--format", "json"];
    diff_args.extend(&args);
    let diff = dir.path().join("diff.json");
    std::fs::write(&diff, json_of(&diff_args).to_string()).unwrap();
    browser_check(&[
        out.as_os_str(),
        count.as_os_str(),
        "--diff".as_ref(),
        diff.as_os_str(),
    ]);
}

#[test]
fn in_headless_chromium_hostile_text_opens_no_dialog_and_runs_no_script() {
    let dir = tempfile::tempdir().unwrap();
    let (doc, lexicon) = hostile_inputs(dir.path());
    let out = dir.path().join("hostile.html");
    let args = [
        doc.to_str().unwrap(),
        "--lexicon",
        lexicon.to_str().unwrap(),
    ];
    assert_eq!(report(&args, &out), 0);
    let count = dir.path().join("count.json");
    let mut count_args = vec!["count", "--dispersion", "--format", "json"];
    count_args.extend(args);
    std::fs::write(&count, json_of(&count_args).to_string()).unwrap();
    browser_check(&[out.as_os_str(), count.as_os_str(), "--hostile".as_ref()]);
}

#[test]
fn bundled_examples_are_small_and_in_the_manifest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("manifest.toml")).unwrap()).unwrap();
    let examples: Vec<&toml::Value> = manifest["document"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["role"].as_str() == Some("example"))
        .collect();
    let mut listed: Vec<String> = Vec::new();
    for doc in &examples {
        assert_eq!(
            doc["licence"].as_str(),
            Some("Open Government Licence v3.0")
        );
        assert!(
            doc["landing_page"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        assert!(doc.get("date").is_some());
        for file in doc["file"].as_array().unwrap() {
            let name = file["filename"].as_str().unwrap();
            let bytes = std::fs::read(root.join(name)).unwrap();
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(Some(digest.as_str()), file["sha256"].as_str(), "{name}");
            listed.push(name.trim_start_matches("examples/").to_string());
        }
    }
    let mut present: Vec<String> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    listed.sort();
    assert_eq!(present, listed, "every bundled file is in the manifest");
    let total: u64 = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 2 << 20, "corpora/examples is {total} bytes");
}
