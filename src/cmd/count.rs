//! termtally count: how often each term of a lexicon occurs, per document, page or section.
//!
//! # Output schema (stable)
//!
//! JSON is one object:
//!
//! ```text
//! {
//!   "schema_version": 2,                        raised when a key changes meaning or goes away
//!   "command": "count",
//!   "lexicon": {"name", "origin", "source"},    origin: "built-in NAME" or the file path
//!   "mode": "word" | "family" | "substring",
//!   "by": "document" | "page" | "section",
//!   "categories": [{"name", "description"}],
//!   "documents": [{"path", "format", "pages", "tokens", "pages_without_text"}],
//!                                               pages: null for formats without pages;
//!                                               pages_without_text: [{"page", "kind": "scanned" |
//!                                               "blank"}], PDF pages with no text layer (not counted)
//!   "total": {"documents", "tokens"},
//!   "shard": {"termtally_version", "command", "lexicon_sha256", "exclude", "mode", "by",
//!             "keep_headers", "scope", "layout", "top", "filter"}
//!                                               what `merge` checks (see `crate::shard`);
//!                                               scope: null, or the scope in words
//!   "contexts": [{"document", "term", "category", "hits": [{page, section, cite, left, match, right}]}]
//!                                               only with --with-contexts N: each term's first N hits
//!   "rows": [...],
//!   "notes": ["..."]
//! }
//! ```
//!
//! Every record of `rows` has the keys `kind`, `document`, `path`, `unit`, `term`, `category`,
//! `count`, `excluded`, `tokens`, `rate_per_10k`, `share`:
//!
//! - `kind` = `"term"`: the count of one term. `kind` = `"category"`: the total of one category
//!   (`term` is null) and its `share`, the percentage of all the lexicon's hits in that document
//!   or unit (the study's "91% directive"); null when there are no hits.
//! - `document`: the document's name, the shortest end of its path that no other document's
//!   path ends with (usually the file name), or `"(all documents)"` for the corpus total (present
//!   when more than one document is counted). `path`: the path as given (null for the total).
//! - `unit`: null with `--by document`; the page number as text ("61") with `--by page`; the
//!   numbered paragraph ("4.9") or Part and section ("Part 3, s. 19") with `--by section`; the
//!   heading's text with `--by heading` (null for the text above the first heading).
//!   Blocks without a page or section are grouped as "(no page)" / "(no section)".
//! - `excluded`: hits of the term (or category) left out by its exclusions (`exclude = [...]` in
//!   the lexicon, `--exclude PHRASE`); not part of `count`. 0 without exclusions.
//! - `tokens`: word tokens in that document or unit; `rate_per_10k` = count × 10,000 / tokens.
//!
//! With `--by document` every term has a row for every document, zeros included; with `--by page`
//! or `--by section`, units where a term or category does not occur have no row for it. CSV and
//! TSV have the same columns (a header row, one row per record) but, so that a spreadsheet's SUM
//! adds up, only one kind of row: by default the term rows of each document; `--rows categories`,
//! `--rows totals` (the "(all documents)" rows) or `--rows all`. Rates are full precision in
//! CSV/TSV/JSON/xlsx, 4 significant digits on the terminal, Markdown and LaTeX.
//!
//! With `--dispersion`, every row also has `range_documents`, `range_parts`, `parts`, `dp`,
//! `dp_norm`, `juilland_d` (see `crate::dispersion`; null where undefined or, for a file read
//! as a stream, not computed).
//!
//! With `--layout wide`, `rows` are the documents × terms matrix instead (see `crate::layout`):
//! `document`, `path`, (`unit`), `tokens`, one key per term label, one `category:NAME` per
//! category. xlsx always has the sheets `terms`, `counts`, `rates`, `categories` and `method`.
//!
//! In `substring` mode terms overlap ("inform"
//! is counted inside "information" too), so category totals and shares count such text twice; a
//! note says so.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::cmd::args::{InputArgs, LexiconArgs, StreamArgs};
use crate::cmd::{finish, for_each_counted, load_or_stream, write_counted};
use crate::count::{CountStore, Unit, count_document_checked};
use crate::dispersion::term_parts;
use crate::document::Document;
use crate::frequency::{WordCounts, merge};
use crate::kwic;
use crate::layout::{Layout, Values};
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Mode};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::count::{
    RowSelection, build_report, deferred_report, matrix, select_rows, spreadsheet_sheets,
};
use crate::report::dispersion::add_dispersion;
use crate::shard::Identity;
use crate::stream::{Streamed, Tally, Work};
use crate::table::Report;
use crate::variants::{FormVariants, SpellingCheck, uncovered_warnings};

const EXAMPLES: &str = "\
Examples:
  termtally count code.pdf                            the study's terms, whole words
  termtally count --mode substring code.pdf           what a PDF viewer's Find box reports
  termtally count --lexicon modality guidance.pdf     must / should / may ...
  termtally count --lexicon my-terms.toml reports/*.pdf -o counts.csv
  termtally count --by page code.pdf                  counts per page, to cite
  termtally count --by heading reports/               counts per heading of each report
  termtally count --by section act.xml                per Part and section of an Act
  termtally count --part 3 act.xml                    only Part 3 of the Act's body (Scope)
  termtally count --pages 12-40 guidance.pdf          only pages 12 to 40";

/// Count the terms of a lexicon in documents: per term, its count and rate per 10,000 words; per
/// category, its total and share of the lexicon's hits.
///
/// Plain-text files over 32 MB are read in chunks of 2 MB rather than whole, so memory stays
/// small however large the file: the counts are the same, except that line-end hyphenation and
/// running headers/footers are then judged within each chunk (hundreds of pages) rather than
/// across the whole file. The output notes when this happened.
///
/// Memory does not grow with the rows of a large folder: only each document's counts are kept,
/// and its rows are made as they are written (CSV, TSV, JSON, the terminal, Markdown, LaTeX).
/// An xlsx workbook, --layout wide and --dispersion hold all the rows until written (about 1 KB
/// per document and term).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Documents to count (PDF, legislation.gov.uk XML, HTML, DOCX, text), folders (walked) or
    /// quoted globs ("reports/*.pdf"); `-` reads standard input.
    #[arg(required_unless_present = "files_from", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
    /// Break the counts down by page, by numbered paragraph/section, or by heading.
    #[arg(long, value_enum, default_value_t = Unit::Document)]
    pub by: Unit,
    /// JSON output: attach the first N hits of each term in context (`contexts`, as `termtally kwic`
    /// shows them) to check what was counted.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub with_contexts: usize,
    /// CSV/TSV: which rows to write, so that a spreadsheet's SUM adds up: `terms` (one row per
    /// document and term, the category as a column), `categories` (category totals per
    /// document), `totals` (the "(all documents)" rows) or `all`. JSON, xlsx and the terminal
    /// keep every kind.
    #[arg(long, value_enum, default_value_t = RowSelection::Terms)]
    pub rows: RowSelection,
    /// `wide`: one row per document (or page/section with --by), one column per term, then one
    /// `category:NAME` column per category: the documents × terms matrix for R, pandas, SPSS.
    #[arg(long, value_enum, default_value_t = Layout::Long)]
    pub layout: Layout,
    /// With --layout wide: counts, or rates per 10,000 words of each row.
    #[arg(long, value_enum, default_value_t = Values::Count)]
    pub values: Values,
    /// Add how evenly each term is spread over each document's pages (texts without pages: 10
    /// equal parts): range (parts it occurs in), Gries's DP and DPnorm, Juilland's D.
    /// DP 0 = spread evenly, 1 = all in one place. Off by default: it counts each document a
    /// second time, by part.
    #[arg(long)]
    pub dispersion: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The lexicon is validated before any document is read: a bad lexicon stops everything.
    let mode = args.lexicon.matching.mode;
    let lexicon = args.lexicon.load()?;
    let matcher = Matcher::new(&lexicon, mode)?;
    let output = args.output.resolve(OutputFormat::Table)?;
    check_dispersion_options(&args)?;
    let outcome = Outcome::new();
    let form_variants = FormVariants::new(&lexicon);
    // Tallied in the matcher's own pass over the text, not in a second scan.
    let spelling_check = SpellingCheck::new(&matcher, &form_variants);
    let count_loaded = |doc: &Document| {
        let parts = args.dispersion.then(|| term_parts(doc, &matcher));
        let contexts = if args.with_contexts > 0 {
            let json = kwic::contexts_json(
                std::slice::from_ref(doc),
                &lexicon,
                &matcher,
                args.with_contexts,
            );
            json.as_array().cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        let (counts, spellings) = count_document_checked(doc, &spelling_check, args.by);
        (counts, contexts, parts, spellings)
    };
    let work = Work {
        tally: Tally::Terms {
            matcher: &matcher,
            unit: args.by,
            contexts_per_term: args.with_contexts,
            spelling: Some(&spelling_check),
        },
        cleaning: args.input.normalise_options(),
    };
    let from_stream = |s: Streamed| {
        let contexts = contexts_of(&s.counts.name, &lexicon, s.contexts);
        (s.counts, contexts, None, s.words)
    };
    // Large plain-text files are counted as a stream, one after another (each uses every
    // core); the others are loaded whole and counted in parallel, as every command does.
    let sources = load_or_stream(&args.files, &args.input, &args.streaming, &outcome)?;
    let (mut contexts, mut parts) = (Vec::new(), Vec::new());
    let mut store = CountStore::new(matcher.term_count());
    let mut spellings = WordCounts::default();
    // Each document's results are added up as it comes: only its counts stay.
    let streamed_names = for_each_counted(
        sources,
        count_loaded,
        work,
        &args.input,
        &args.streaming,
        &outcome,
        from_stream,
        |(d, c, p, s)| {
            store.push(&d);
            contexts.extend(c);
            if args.dispersion {
                parts.push(p);
            }
            spellings = merge(std::mem::take(&mut spellings), s);
        },
    )?;
    for warning in uncovered_warnings(&lexicon, &matcher, &form_variants, &spellings) {
        eprintln!("termtally: {warning}");
    }
    if store.is_empty() {
        return Ok(finish(&outcome));
    }
    let mut report = counts_report(&args, &lexicon, store, &parts, output.format);
    crate::shard::insert(&mut report, &shard_identity(&args, &lexicon, mode));
    if args.with_contexts > 0 {
        report
            .meta
            .insert("contexts".into(), serde_json::Value::Array(contexts));
    }
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed_names, &args.streaming, &output, &outcome)
}

/// The report of the counts: its rows made as they are written, or held (see [`holds_rows`]).
fn counts_report(
    args: &Args,
    lexicon: &Lexicon,
    store: CountStore,
    parts: &[Option<crate::dispersion::TermParts>],
    format: OutputFormat,
) -> Report {
    let mode = args.lexicon.matching.mode;
    if holds_rows(args, format) {
        let counts = store.into_corpus();
        let mut report = build_report(lexicon, mode, args.by, &counts);
        if args.dispersion {
            add_dispersion(&mut report, lexicon, parts);
        }
        shape_report(&mut report, args, lexicon, &counts, format);
        report
    } else {
        let selection = matches!(format, OutputFormat::Csv | OutputFormat::Tsv);
        let selection = selection.then_some(args.rows);
        let with_documents = format == OutputFormat::Json;
        deferred_report(lexicon, mode, args.by, store, selection, with_documents)
    }
}

/// Whether the report's rows are all held in memory until written: for the workbook (its
/// sheets are the rows laid out four ways), `--layout wide` (the matrix) and `--dispersion`
/// (each document's parts). Otherwise only the counts are kept and each document's rows are
/// made as they are written.
fn holds_rows(args: &Args, format: OutputFormat) -> bool {
    format == OutputFormat::Xlsx || args.layout == Layout::Wide || args.dispersion
}

/// What `merge` checks of this run: the lexicon as counted, mode, unit, cleaning, layout and
/// scope.
fn shard_identity(args: &Args, lexicon: &Lexicon, mode: Mode) -> Identity {
    let shard = Identity::of_count(
        lexicon,
        &args.lexicon.matching.exclude,
        mode.name(),
        args.by,
    );
    crate::cmd::with_run_options(shard, &args.input, args.layout, args.dispersion)
}

/// The report as the output wants it: the workbook's sheets; with `--layout wide` the matrix
/// instead of the long tables; in CSV/TSV only the rows `--rows` selects.
fn shape_report(
    report: &mut Report,
    args: &Args,
    lexicon: &Lexicon,
    counts: &crate::count::CorpusCounts,
    format: OutputFormat,
) {
    // Only the workbook has sheets; building them copies the report (memory per document).
    if format == OutputFormat::Xlsx {
        report.sheets = spreadsheet_sheets(report, lexicon, args.by, counts);
    }
    if args.layout == Layout::Wide {
        let mut table = matrix(lexicon, args.by, counts, args.values);
        table.title = Some(format!(
            "{} documents x {} terms ({})",
            counts.documents.len(),
            lexicon.terms.len(),
            match args.values {
                Values::Count => "counts",
                Values::Rate => "per 10k words",
            }
        ));
        report.tables = vec![table];
        report
            .notes
            .retain(|n| !n.starts_with("Rows without a term"));
        report.notes.insert(
            1,
            "One row per document (or page/section), one column per term; category:NAME columns \
             are the totals of each category's terms."
                .to_string(),
        );
    } else if matches!(format, OutputFormat::Csv | OutputFormat::Tsv) {
        select_rows(report, args.rows);
    }
}

/// `--dispersion` describes whole documents, in the long layout.
fn check_dispersion_options(args: &Args) -> anyhow::Result<()> {
    if args.dispersion && (args.by != Unit::Document || args.layout == Layout::Wide) {
        anyhow::bail!(
            "--dispersion describes how each term is spread over a whole document's pages: use it \
             without --by page/section and without --layout wide"
        );
    }
    Ok(())
}

/// The `contexts` records of one streamed document, as [`kwic::contexts_json`] gives them for a
/// loaded one: terms in lexicon order, those without hits left out.
fn contexts_of(
    name: &str,
    lexicon: &Lexicon,
    firsts: Vec<Vec<kwic::Concordance>>,
) -> Vec<serde_json::Value> {
    lexicon
        .terms
        .iter()
        .zip(firsts)
        .filter(|(_, hits)| !hits.is_empty())
        .map(|(term, hits)| {
            json!({
                "document": name,
                "term": term.label,
                "category": term.category,
                "hits": hits,
            })
        })
        .collect()
}
