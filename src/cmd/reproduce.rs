//! termtally reproduce: the study's Tables 1 and 2, row by row, beside termtally's counts.
//!
//! Boddison & Soan (2021) counted joint-working words in the Children and Families Act 2014
//! (Table 1) and the SEND Code of Practice 2015 (Table 2). For each row this prints the word, the
//! paper's count (and its note), termtally's count of the built-in lexicon `boddison-soan-2021`
//! under each matching mode, which modes equal the paper's figure, and whether the paper prints the
//! word in bold (directive). Under each table: the directive share recomputed from the paper's
//! figures and from each mode, and the paper's inconsistent marking of Involve/Involved.
//!
//! The documents: `--act` / `--code`, else `$TERMTALLY_STUDY_DIR`, else termtally's cache, else
//! downloaded once from the official URLs (see `corpora/manifest.toml` and `src/fetch.rs`).
//!
//! JSON: `{"command", "study", "lexicon", "modes", "documents": [{table, title, path, sha256,
//! source, url}], "directive_share": [...], "rows": [{table, row, label, paper_count, paper_note,
//! word, family, substring, matches, directive}], "notes": [...]}`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value as Json, json};

use crate::cmd::args::InputArgs;
use crate::count::{self, Unit};
use crate::document::Document;
use crate::fetch::{self, Located, Manifest};
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Mode};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::reference::{self, StudyDocument, StudyRow};
use crate::render::OutputFormat;
use crate::table::{Column, Report, Row, Table, Value};

/// The built-in lexicon whose term labels are the paper's row labels.
pub const LEXICON: &str = "boddison-soan-2021";

const EXAMPLES: &str = "\
Examples:
  termtally reproduce                     download the two documents once, print both tables
  termtally reproduce --act A --code C    use copies you already have (PDF, or the Act's XML)
  termtally reproduce -o tables.csv       the same rows as CSV (opens in Excel)
  termtally reproduce -m word -f md       Markdown, word mode only

Documents: --act/--code; else $TERMTALLY_STUDY_DIR, a folder holding ukpga_20140006_en.pdf (or
ukpga-2014-6-enacted.xml) and SEND_Code_of_Practice_January_2015.pdf; else termtally's cache
($TERMTALLY_CACHE_DIR, default the user cache directory), where they are downloaded over HTTPS
on first use, each with its SHA-256 beside it as FILE.sha256.";

/// Reproduce the study's Tables 1 and 2 (Boddison & Soan 2021) beside termtally's counts under
/// each matching mode.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The Children and Families Act 2014 (PDF or legislation.gov.uk XML) [default: found in
    /// $TERMTALLY_STUDY_DIR or the cache, else downloaded].
    #[arg(long, value_name = "FILE")]
    pub act: Option<PathBuf>,
    /// The SEND Code of Practice 0-25 (January 2015) PDF [default: found in $TERMTALLY_STUDY_DIR or
    /// the cache, else downloaded].
    #[arg(long, value_name = "FILE")]
    pub code: Option<PathBuf>,
    /// Matching modes to count, comma-separated [default: word,family,substring].
    #[arg(
        long,
        short = 'm',
        value_enum,
        value_delimiter = ',',
        value_name = "MODE"
    )]
    pub mode: Vec<Mode>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// All three modes, in the order of the table's columns.
fn all_modes() -> Vec<Mode> {
    vec![Mode::Word, Mode::Family, Mode::Substring]
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args.output.resolve(OutputFormat::Table)?;
    let modes: Vec<Mode> = all_modes()
        .into_iter()
        .filter(|m| args.mode.is_empty() || args.mode.contains(m))
        .collect();

    let manifest = Manifest::embedded()?;
    // Look for both before giving up, so an offline user learns about every missing file at once.
    let act = fetch::locate(
        manifest.study_document(StudyDocument::Act)?,
        args.act.as_deref(),
        "--act",
    );
    let code = fetch::locate(
        manifest.study_document(StudyDocument::Code)?,
        args.code.as_deref(),
        "--code",
    );
    let (act, code) = match (act, code) {
        (Ok(act), Ok(code)) => (act, code),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
        (Err(act), Err(code)) => anyhow::bail!("{act:#}\ntermtally: {code:#}"),
    };

    let outcome = Outcome::new();
    let paths = [act.path.clone(), code.path.clone()];
    let documents = super::load_documents(&paths, &args.input, &outcome)?;
    let find = |path: &Path| {
        let name = path.display().to_string();
        documents.iter().find(|d| d.name == name)
    };
    let counts = StudyCounts {
        act: find(&act.path)
            .map(|d| count_all_modes(d, &modes))
            .transpose()?,
        code: find(&code.path)
            .map(|d| count_all_modes(d, &modes))
            .transpose()?,
    };
    if counts.act.is_none() && counts.code.is_none() {
        // Both failed (already reported one line each): nothing to show beside the paper.
        return Ok(super::finish(&outcome));
    }

    let report = build_report(
        &manifest,
        &[(&act, StudyDocument::Act), (&code, StudyDocument::Code)],
        &modes,
        &counts,
    );
    output.write(&report)?;
    Ok(super::finish(&outcome))
}

/// Term label -> count, one map per mode (in the order of `modes`).
pub type ModeCounts = Vec<(Mode, HashMap<String, u64>)>;

/// termtally's counts of the two documents; `None` where the document could not be read.
pub struct StudyCounts {
    pub act: Option<ModeCounts>,
    pub code: Option<ModeCounts>,
}

impl StudyCounts {
    fn of(&self, doc: StudyDocument) -> Option<&ModeCounts> {
        match doc {
            StudyDocument::Act => self.act.as_ref(),
            StudyDocument::Code => self.code.as_ref(),
        }
    }
}

/// Counts every term of the study lexicon in `document` under each mode, through the same code
/// as `termtally count` (`count::count_document` with one `Matcher` per mode).
fn count_all_modes(document: &Document, modes: &[Mode]) -> anyhow::Result<ModeCounts> {
    let lexicon = Lexicon::load(LEXICON)?;
    modes
        .iter()
        .map(|&mode| {
            let matcher = Matcher::new(&lexicon, mode)?;
            let counted = count::count_document(document, &matcher, Unit::Document);
            let by_label = lexicon
                .terms
                .iter()
                .zip(counted.counts)
                .map(|(term, n)| (term.label.clone(), n))
                .collect();
            Ok((mode, by_label))
        })
        .collect()
}

fn mode_key(mode: Mode) -> &'static str {
    mode.name()
}

/// The report: one table per study table, in the paper's order, with the notes.
pub fn build_report(
    manifest: &Manifest,
    located: &[(&Located, StudyDocument)],
    modes: &[Mode],
    counts: &StudyCounts,
) -> Report {
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("reproduce"));
    report
        .meta
        .insert("study".into(), json!(reference::CITATION));
    report.meta.insert("lexicon".into(), json!(LEXICON));
    report.meta.insert(
        "modes".into(),
        json!(modes.iter().map(|&m| mode_key(m)).collect::<Vec<_>>()),
    );
    let documents: Vec<Json> = located
        .iter()
        .map(|(found, doc)| {
            json!({
                "table": doc.table(),
                "title": manifest.study_document(*doc).map(|d| d.title.clone()).unwrap_or_else(|_| doc.name().to_string()),
                "path": found.path.display().to_string(),
                "sha256": found.sha256,
                "source": found.source.as_str(),
                "url": found.url,
                "counted": counts.of(*doc).is_some(),
            })
        })
        .collect();
    report
        .meta
        .insert("documents".into(), Json::Array(documents));

    let mut shares = Vec::new();
    for (found, doc) in located {
        let (table, share) = study_table(found, *doc, modes, counts.of(*doc));
        report.tables.push(table);
        shares.push(share);
    }
    report
        .meta
        .insert("directive_share".into(), Json::Array(shares));
    report.notes.push(format!(
        "Paper's figures: {}. \"Equals paper\" lists the modes whose count equals the paper's; \
         word = whole words, family = with inflections (-s, -ed, -ing), substring = as a PDF \
         viewer's Find counts.",
        reference::CITATION
    ));
    report
}

fn columns(modes: &[Mode]) -> Vec<Column> {
    let mut columns = vec![
        Column::number("table", "Table").machine_only(),
        Column::number("row", "Row").machine_only(),
        Column::new("label", "Word searched"),
        Column::number("paper_count", "Paper"),
        // Only two rows have a note: display formats state them under the table instead, which
        // keeps the table within an 80-column terminal.
        Column::new("paper_note", "Paper's note").machine_only(),
    ];
    for &mode in modes {
        columns.push(Column::number(mode_key(mode), mode_key(mode)).highlighted());
    }
    columns.push(Column::new("matches", "Equals paper"));
    columns.push(Column::new("directive", "Directive"));
    columns
}

/// One study table and its directive-share record for JSON.
fn study_table(
    found: &Located,
    doc: StudyDocument,
    modes: &[Mode],
    counts: Option<&ModeCounts>,
) -> (Table, Json) {
    let number = doc.table();
    let mut table = Table::new(columns(modes));
    table.title = Some(format!(
        "Table {number}. {}",
        reference::table_title(number)
    ));
    push_rows(&mut table, number, modes, counts);

    let annotated: Vec<String> = reference::table_rows(number)
        .filter_map(|r| {
            r.paper_note
                .map(|note| format!("{} {} {note}", r.label, r.paper_count))
        })
        .collect();
    if !annotated.is_empty() {
        table
            .notes
            .push(format!("The paper's notes: {}.", annotated.join("; ")));
    }

    // Where the counts come from, so a reader can cite the exact file.
    let origin = match (&found.url, found.source) {
        (Some(url), fetch::Source::Downloaded | fetch::Source::Cache) => format!(", from {url}"),
        _ => String::new(),
    };
    table.notes.push(format!(
        "Document: {} (sha256 {}{origin}){}",
        found.path.display(),
        found.sha256,
        if counts.is_none() {
            ": could not be read, so there are no counts"
        } else {
            ""
        }
    ));

    let share_json = directive_share_notes(&mut table, number, counts);
    if modes.contains(&Mode::Substring) && counts.is_some() {
        table.notes.push(
            "In substring mode terms overlap (\"inform\" is inside \"information\" and \"informed\"), so its \
             totals count some text more than once."
                .to_string(),
        );
    }
    (table, share_json)
}

/// A paper's count of a row under one mode (`None`: the lexicon has no such term).
fn count_of(mode_counts: &HashMap<String, u64>, row: &StudyRow) -> Option<u64> {
    mode_counts.get(row.label).copied()
}

/// One row per row of the paper's table: its figures, termtally's under each mode, which modes
/// equal the paper.
fn push_rows(table: &mut Table, number: u8, modes: &[Mode], counts: Option<&ModeCounts>) {
    for row in reference::table_rows(number) {
        let mut cells = vec![
            Value::Int(number.into()),
            Value::Int(row.row.into()),
            Value::text(row.label),
            Value::Int(row.paper_count.into()),
            Value::opt_text(row.paper_note),
        ];
        let mut equal = Vec::new();
        for (mode, mode_counts) in counts.into_iter().flatten() {
            let n = count_of(mode_counts, row);
            if n == Some(u64::from(row.paper_count)) {
                equal.push(mode_key(*mode));
            }
            cells.push(n.map_or(Value::Null, |n| Value::Int(n as i64)));
        }
        if counts.is_none() {
            cells.extend(modes.iter().map(|_| Value::Null));
        }
        cells.push(match counts {
            None => Value::Null,
            Some(_) if equal.is_empty() => Value::text("none"),
            Some(_) => Value::text(equal.join(", ")),
        });
        cells.push(Value::Bool(row.directive));
        table.push_row(Row {
            cells,
            bold: row.directive,
        });
    }
}

/// The notes on the directive share (the paper's, termtally's under each mode, and under the
/// other table's marking where the paper is inconsistent), and the same figures as JSON.
fn directive_share_notes(table: &mut Table, number: u8, counts: Option<&ModeCounts>) -> Json {
    // The directive share under this table's own (bold) marking.
    let marking = |row: &StudyRow| row.directive;
    let paper = reference::directive_share(
        reference::table_rows(number).map(|r| (marking(r), u64::from(r.paper_count))),
    );
    let mut parts = vec![format!(
        "paper {}",
        reference::format_share(paper.0, paper.1)
    )];
    let mut share_json = serde_json::Map::new();
    share_json.insert("table".into(), json!(number));
    share_json.insert("paper".into(), share_record(paper));
    for (mode, mode_counts) in counts.into_iter().flatten() {
        let share = reference::directive_share(
            reference::table_rows(number)
                .map(|r| (marking(r), count_of(mode_counts, r).unwrap_or(0))),
        );
        parts.push(format!(
            "{} {}",
            mode_key(*mode),
            reference::format_share(share.0, share.1)
        ));
        share_json.insert(mode_key(*mode).into(), share_record(share));
    }
    table.notes.push(format!(
        "Directive share (hits of the bold rows / all hits): {}.",
        parts.join("; ")
    ));
    if number == 2 {
        table.notes.push(format!(
            "The paper: directive words \"account for {}% ({}) of the twelve words identified (total: n={})\".",
            reference::PAPER_TABLE2_PERCENT,
            reference::PAPER_TABLE2_DIRECTIVE,
            reference::PAPER_TABLE2_TOTAL
        ));
    }

    // The paper marks Involve/Involved bold in Table 1 but not in Table 2: show what the other
    // table's marking would give, rather than silently picking one.
    let inconsistent = reference::inconsistently_marked();
    if !inconsistent.is_empty() {
        let other = if number == 1 { 2 } else { 1 };
        let other_marking = |row: &StudyRow| {
            reference::table_rows(other)
                .find(|o| o.label == row.label)
                .map_or(row.directive, |o| o.directive)
        };
        let alt = reference::directive_share(
            reference::table_rows(number).map(|r| (other_marking(r), u64::from(r.paper_count))),
        );
        let words = inconsistent.join(" and ");
        let bold_in_table1 =
            reference::table_rows(1).any(|r| r.label == inconsistent[0] && r.directive);
        let (bold_in, plain_in) = if bold_in_table1 { (1, 2) } else { (2, 1) };
        table.notes.push(format!(
            "Inconsistent marking: the paper prints {words} in bold (directive) in Table {bold_in} but \
             not in Table {plain_in}; its 91% follows Table 2's marking. With Table {other}'s marking, this table's \
             paper figures give {}.",
            reference::format_share(alt.0, alt.1)
        ));
        share_json.insert(
            format!("paper_with_table{other}_marking"),
            share_record(alt),
        );
    }
    Json::Object(share_json)
}

fn share_record((directive, total): (u64, u64)) -> Json {
    let percent = if total == 0 {
        Json::Null
    } else {
        json!((1000.0 * directive as f64 / total as f64).round() / 10.0)
    };
    json!({ "directive": directive, "total": total, "percent": percent })
}
