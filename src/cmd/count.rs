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
//!   numbered paragraph ("4.9") or Part and section ("Part 3, s. 19") with `--by section`.
//!   Blocks without one are grouped as "(no page)" / "(no section)".
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
use crate::cmd::{finish, load_and_count, write_counted};
use crate::count::{
    CorpusCounts, DocumentCounts, Unit, category_totals, count_document, percent, rate_per_10k,
};
use crate::dispersion::{Dispersion, TermParts, term_parts};
use crate::document::{Document, pages_without_text_warning, short_names};
use crate::frequency::{WordCounts, merge};
use crate::kwic;
use crate::layout::{Layout, MatrixRow, Values, wide_table};
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Mode};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::stream::{Streamed, Tally, Work};
use crate::table::{Column, Report, Role, Row, Table, Value};
use crate::variants::{FormVariants, uncovered_warning};

const EXAMPLES: &str = "\
Examples:
  termtally count code.pdf                            the study's terms, whole words
  termtally count --mode substring code.pdf           what a PDF viewer's Find box reports
  termtally count --lexicon modality guidance.pdf     must / should / may ...
  termtally count --lexicon my-terms.toml reports/*.pdf -o counts.csv
  termtally count --by page code.pdf                  counts per page, to cite
  termtally count --by section act.xml                per Part and section of an Act";

/// Count the terms of a lexicon in documents: per term, its count and rate per 10,000 words; per
/// category, its total and share of the lexicon's hits.
///
/// Plain-text files over 32 MB are read in chunks of 8 MB rather than whole, so memory stays
/// small however large the file: the counts are the same, except that line-end hyphenation and
/// running headers/footers are then judged within each chunk (thousands of pages) rather than
/// across the whole file. The output notes when this happened.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Documents to count (PDF, legislation.gov.uk XML, HTML, DOCX, text), folders (walked) or
    /// quoted globs ("reports/*.pdf"); `-` reads standard input.
    #[arg(required_unless_present = "files_from", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
    /// Break the counts down by page or by numbered paragraph/section.
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
    let spelling_check = FormVariants::new(&lexicon);
    let count_loaded = |doc: &Document| {
        let parts = args.dispersion.then(|| term_parts(doc, &matcher));
        let spellings = spelling_check.document_words(doc);
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
        let counts = count_document(doc, &matcher, args.by);
        (counts, contexts, parts, spellings)
    };
    let work = Work {
        tally: Tally::Terms {
            matcher: &matcher,
            unit: args.by,
            contexts_per_term: args.with_contexts,
        },
        cleaning: args.input.normalise_options(),
    };
    let from_stream = |s: Streamed| {
        let contexts = contexts_of(&s.counts.name, &lexicon, s.contexts);
        (s.counts, contexts, None, WordCounts::default())
    };
    // Large plain-text files are counted as a stream, one after another (each uses every
    // core); the others are loaded whole and counted in parallel, as every command does.
    let (counted, streamed_names) = load_and_count(
        &args.files,
        &args.input,
        &args.streaming,
        &outcome,
        count_loaded,
        work,
        from_stream,
    )?;
    let mut documents = Vec::with_capacity(counted.len());
    let mut contexts = Vec::with_capacity(counted.len());
    let mut parts = Vec::with_capacity(counted.len());
    let mut spellings = WordCounts::default();
    for (d, c, p, s) in counted {
        documents.push(d);
        contexts.push(c);
        parts.push(p);
        spellings = merge(spellings, s);
    }
    warn_uncovered(&lexicon, &matcher, &spelling_check, &spellings);
    let contexts: Vec<serde_json::Value> = contexts.into_iter().flatten().collect();
    if documents.is_empty() {
        return Ok(finish(&outcome));
    }
    let counts = CorpusCounts::from_documents(documents, matcher.term_count());
    let mut report = build_report(&lexicon, mode, args.by, &counts);
    if args.dispersion {
        add_dispersion(&mut report, &lexicon, &parts);
    }
    if args.with_contexts > 0 {
        report
            .meta
            .insert("contexts".into(), serde_json::Value::Array(contexts));
    }
    shape_report(&mut report, &args, &lexicon, &counts, output.format);
    write_counted(report, &streamed_names, &args.streaming, &output, &outcome)
}

/// The report as the output wants it: the workbook's sheets; with `--layout wide` the matrix
/// instead of the long tables; in CSV/TSV only the rows `--rows` selects.
fn shape_report(
    report: &mut Report,
    args: &Args,
    lexicon: &Lexicon,
    counts: &CorpusCounts,
    format: OutputFormat,
) {
    report.sheets = spreadsheet_sheets(report, lexicon, args.by, counts);
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

/// Warns on stderr, one line per term, about the spellings of a lexicon form that the documents
/// use and no form matches (see [`FormVariants`]).
pub fn warn_uncovered(
    lexicon: &Lexicon,
    matcher: &Matcher,
    check: &FormVariants,
    spellings: &WordCounts,
) {
    for found in check.uncovered(matcher, lexicon.terms.len(), spellings.iter()) {
        let warning = uncovered_warning(lexicon, matcher.mode(), &found);
        eprintln!("termtally: {warning}");
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

/// Adds the dispersion columns (see [`crate::dispersion`]) to every table of `count`'s report
/// (by document): the tables are those of [`build_report`], one per document of `parts` (`None`
/// for a file read as a stream, whose parts were not kept) and, for several documents, the
/// corpus total over all their parts.
pub fn add_dispersion(report: &mut Report, lexicon: &Lexicon, parts: &[Option<TermParts>]) {
    let corpus = parts
        .iter()
        .map(Option::as_ref)
        .collect::<Option<Vec<&TermParts>>>()
        .map(|all| TermParts::concatenated(&all));
    let documents_with = |t: Option<usize>, k: Option<usize>| -> i64 {
        parts
            .iter()
            .flatten()
            .filter(|p| p.counts.iter().any(|c| frequency(lexicon, c, t, k) > 0))
            .count() as i64
    };
    for (i, table) in report.tables.iter_mut().enumerate() {
        let of_table = if i < parts.len() {
            parts[i].as_ref()
        } else {
            corpus.as_ref()
        };
        let (term, category) = (table.column_index("term"), table.column_index("category"));
        table.columns.extend(dispersion_columns());
        for row in &mut table.rows {
            let text = |c: Option<usize>| match c.and_then(|c| row.cells.get(c)) {
                Some(Value::Text(s)) => Some(s.clone()),
                _ => None,
            };
            let t = text(term).and_then(|label| lexicon.term_index(&label));
            let k = match t {
                Some(_) => None,
                None => text(category).and_then(|name| lexicon.category_index(&name)),
            };
            let measured = of_table.map(|p| p.of(|c| frequency(lexicon, c, t, k)));
            let documents = match (i < parts.len(), measured) {
                (true, Some(d)) => Some(i64::from(d.range > 0)),
                (false, Some(_)) => Some(documents_with(t, k)),
                (_, None) => None,
            };
            row.cells.extend(dispersion_cells(documents, measured));
        }
    }
    report.notes.push(dispersion_note(
        parts.iter().filter(|p| p.is_none()).count(),
    ));
}

/// The hits of term `t`, or of category `k`, among one part's term counts.
fn frequency(lexicon: &Lexicon, counts: &[u64], t: Option<usize>, k: Option<usize>) -> u64 {
    match (t, k) {
        (Some(t), _) => counts.get(t).copied().unwrap_or(0),
        (None, Some(k)) => category_totals(lexicon, counts)
            .get(k)
            .copied()
            .unwrap_or(0),
        (None, None) => 0,
    }
}

/// The columns `--dispersion` adds (to `count` and `words`).
pub fn dispersion_columns() -> Vec<Column> {
    vec![
        Column::number("range_documents", "Docs with it").machine_only(),
        Column::number("range_parts", "Range"),
        Column::number("parts", "Parts"),
        Column::number("dp", "DP"),
        Column::number("dp_norm", "DPnorm"),
        Column::number("juilland_d", "Juilland D"),
    ]
}

/// The cells of [`dispersion_columns`]: all null when the parts were not kept; an undefined
/// measure (one part, no hits) is null in machine formats and "–" on screen.
pub fn dispersion_cells(documents: Option<i64>, measured: Option<Dispersion>) -> Vec<Value> {
    let Some(d) = measured else {
        return vec![Value::Null; 6];
    };
    let measure = |x: Option<f64>| x.map_or_else(Value::undefined, |x| Value::Float(x, 3));
    vec![
        documents.map_or(Value::Null, Value::Int),
        Value::Int(d.range as i64),
        Value::Int(d.parts as i64),
        measure(d.dp),
        measure(d.dp_norm),
        measure(d.juilland_d),
    ]
}

/// What the dispersion columns mean, in plain words.
pub fn dispersion_note(streamed: usize) -> String {
    let mut note = DISPERSION_NOTE.to_string();
    if streamed > 0 {
        note.push_str(&format!(
            " Not computed (empty) for the {streamed} file(s) read in chunks as streams, nor for a total over them."
        ));
    }
    note
}

/// The legend of the dispersion columns.
pub const DISPERSION_NOTE: &str = "Dispersion over each document's pages, with their sizes in words (a text without pages: 10 \
     equal parts; the total: all the documents' parts). Range = parts the term occurs in (Docs \
     with it: documents). DP (Gries 2008): 0 = spread evenly, as the words are; 1 = all in one \
     place. DPnorm (Lijffijt & Gries 2012) = DP / (1 - the smallest part's share of the words). \
     Juilland D: 1 = evenly spread, 0 = all in one part; computed with the population standard \
     deviation of the frequencies, and it assumes parts of equal size. – = undefined (one part, \
     or no hits).";

/// The rows of `--rows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RowSelection {
    Terms,
    Categories,
    Totals,
    All,
}

/// Keeps the rows of `report` that `selection` asks for (see [`RowSelection`]). With one document
/// there is no "(all documents)" table; its own rows are then its totals.
pub fn select_rows(report: &mut Report, selection: RowSelection) {
    let has_corpus_total = report.tables.iter().any(|t| {
        let document = t.column_index("document");
        t.rows
            .iter()
            .any(|r| document.and_then(|i| r.cells.get(i)) == Some(&Value::text(ALL_DOCUMENTS)))
    });
    for table in &mut report.tables {
        let (Some(kind), Some(document)) =
            (table.column_index("kind"), table.column_index("document"))
        else {
            continue;
        };
        table.rows.retain(|row| {
            let is = |i: usize, text: &str| row.cells.get(i) == Some(&Value::text(text));
            let total = is(document, ALL_DOCUMENTS);
            match selection {
                RowSelection::Terms => is(kind, "term") && !total,
                RowSelection::Categories => is(kind, "category") && !total,
                RowSelection::Totals => total || !has_corpus_total,
                RowSelection::All => true,
            }
        });
    }
}

/// The sheets of the xlsx workbook: `terms` (the term rows of each document, as the default
/// CSV), `counts` and `rates` (the documents × terms matrix), `categories` (category totals of
/// each document); the renderer adds `method`.
fn spreadsheet_sheets(
    report: &Report,
    lexicon: &Lexicon,
    by: Unit,
    counts: &CorpusCounts,
) -> Vec<Table> {
    let long = |selection: RowSelection, title: &str| {
        let mut selected = report.clone();
        select_rows(&mut selected, selection);
        let mut table = crate::render::flattened_table(&selected);
        table.title = Some(title.to_string());
        table
    };
    let wide = |values: Values, title: &str| {
        let mut table = matrix(lexicon, by, counts, values);
        table.title = Some(title.to_string());
        table
    };
    vec![
        long(RowSelection::Terms, "terms"),
        wide(Values::Count, "counts"),
        wide(Values::Rate, "rates"),
        long(RowSelection::Categories, "categories"),
    ]
}

/// The documents × terms matrix (see [`crate::layout`]): one row per document, or per page or
/// section with `--by`; a column per term, then `category:NAME` per category.
pub fn matrix(lexicon: &Lexicon, by: Unit, counts: &CorpusCounts, values: Values) -> Table {
    let paths: Vec<&str> = counts.documents.iter().map(|d| d.name.as_str()).collect();
    let names = short_names(&paths);
    let with_categories = |term_counts: &[u64]| {
        let mut all = term_counts.to_vec();
        all.extend(category_totals(lexicon, term_counts));
        all
    };
    let mut rows = Vec::new();
    for (d, name) in counts.documents.iter().zip(names) {
        if by == Unit::Document {
            rows.push(MatrixRow {
                document: name,
                path: d.name.clone(),
                unit: None,
                tokens: d.tokens,
                counts: with_categories(&d.counts),
            });
        } else {
            rows.extend(d.units.iter().map(|u| MatrixRow {
                document: name.clone(),
                path: d.name.clone(),
                unit: Some(u.label.clone()),
                tokens: u.tokens,
                counts: with_categories(&u.counts),
            }));
        }
    }
    let columns: Vec<String> = lexicon
        .terms
        .iter()
        .map(|t| t.label.clone())
        .chain(
            lexicon
                .categories
                .iter()
                .map(|c| format!("category:{}", c.name)),
        )
        .collect();
    let unit = (by != Unit::Document).then(|| unit_title(by));
    wide_table(&rows, unit, &columns, values)
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

/// The document label of corpus-total rows.
pub const ALL_DOCUMENTS: &str = "(all documents)";

/// Builds the report of `count` (see the schema at the top of this file).
pub fn build_report(lexicon: &Lexicon, mode: Mode, by: Unit, counts: &CorpusCounts) -> Report {
    let mut report = Report::default();
    insert_meta(&mut report, lexicon, mode, by, counts);
    // One table per document (and one for the corpus total): display formats show each under a
    // title instead of repeating the path on every row; machine formats carry `document`.
    let paths: Vec<&str> = counts.documents.iter().map(|d| d.name.as_str()).collect();
    let names = short_names(&paths);
    for (d, name) in counts.documents.iter().zip(&names) {
        let document = (name.as_str(), Value::text(&d.name));
        let mut table = Table::new(columns(by, has_exclusions(lexicon)));
        let pages = d.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
        table.title = Some(format!("{}: {} words{pages}", d.name, d.tokens));
        if by == Unit::Document {
            add_rows(
                &mut table,
                lexicon,
                document,
                Value::Null,
                Tallied::new(d.tokens, &d.counts, &d.excluded),
                true,
            );
        } else {
            for u in &d.units {
                add_rows(
                    &mut table,
                    lexicon,
                    document.clone(),
                    Value::text(&u.label),
                    Tallied::new(u.tokens, &u.counts, &u.excluded),
                    false,
                );
            }
        }
        report.tables.push(table);
    }
    if counts.documents.len() > 1 {
        let mut table = Table::new(columns(by, has_exclusions(lexicon)));
        table.title = Some(format!(
            "All {} documents: {} words",
            counts.documents.len(),
            counts.tokens
        ));
        add_rows(
            &mut table,
            lexicon,
            (ALL_DOCUMENTS, Value::Null),
            Value::Null,
            Tallied::new(counts.tokens, &counts.counts, &counts.excluded),
            true,
        );
        report.tables.push(table);
    }
    report.notes = notes(lexicon, mode, by);
    report
        .notes
        .extend(pages_without_text_note(&counts.documents));
    report
}

/// The report's metadata: command, lexicon, mode, unit, categories, documents and totals.
fn insert_meta(
    report: &mut Report,
    lexicon: &Lexicon,
    mode: Mode,
    by: Unit,
    counts: &CorpusCounts,
) {
    report.meta.insert("command".into(), json!("count"));
    report.meta.insert(
        "lexicon".into(),
        json!({"name": lexicon.name, "origin": lexicon.origin, "source": lexicon.source}),
    );
    report.meta.insert("mode".into(), json!(mode.name()));
    report.meta.insert("by".into(), json!(by.name()));
    report.meta.insert(
        "categories".into(),
        json!(
            lexicon
                .categories
                .iter()
                .map(|c| json!({"name": c.name, "description": c.description}))
                .collect::<Vec<_>>()
        ),
    );
    report.meta.insert(
        "documents".into(),
        json!(
            counts
                .documents
                .iter()
                .map(|d| json!({
                    "path": d.name,
                    "format": d.format,
                    "pages": d.pages,
                    "tokens": d.tokens,
                    "pages_without_text": d.pages_without_text,
                }))
                .collect::<Vec<_>>()
        ),
    );
    report.meta.insert(
        "total".into(),
        json!({"documents": counts.documents.len(), "tokens": counts.tokens}),
    );
}

/// The title of the unit column.
fn unit_title(by: Unit) -> &'static str {
    match by {
        Unit::Document => "Unit",
        Unit::Page => "Page",
        Unit::Section => "Section",
    }
}

/// Whether any term has exclusions (the `excluded` column is then shown on screen too).
fn has_exclusions(lexicon: &Lexicon) -> bool {
    lexicon.terms.iter().any(|t| !t.exclude.is_empty())
}

/// The columns of every table of the report.
fn columns(by: Unit, show_excluded: bool) -> Vec<Column> {
    let excluded = Column::number("excluded", "Excluded");
    let unit = Column::new("unit", unit_title(by))
        .right()
        .role(Role::Citation);
    vec![
        Column::new("kind", "Kind").machine_only(),
        Column::new("document", "Document").machine_only(),
        Column::new("path", "Path").role(Role::Path).machine_only(),
        if by == Unit::Document {
            unit.machine_only()
        } else {
            unit
        },
        Column::new("term", "Term").highlighted(),
        Column::new("category", "Category"),
        Column::number("count", "Count"),
        if show_excluded {
            excluded
        } else {
            excluded.machine_only()
        },
        Column::number("tokens", "Words").machine_only(),
        Column::number("rate_per_10k", "per 10k words"),
        Column::number("share", "Share of hits %"),
    ]
}

/// The word tokens, counts and excluded hits per term of one document or unit.
struct Tallied<'a> {
    tokens: u64,
    counts: &'a [u64],
    excluded: &'a [u64],
}

impl<'a> Tallied<'a> {
    fn new(tokens: u64, counts: &'a [u64], excluded: &'a [u64]) -> Tallied<'a> {
        Tallied {
            tokens,
            counts,
            excluded,
        }
    }
}

/// The rows of one document or unit: each term's count, then each category's total (bold);
/// without `with_zeros`, terms and categories that do not occur are left out. `document` is the
/// short name and the path (null for the corpus total).
fn add_rows(
    table: &mut Table,
    lexicon: &Lexicon,
    (document, path): (&str, Value),
    unit: Value,
    tallied: Tallied<'_>,
    with_zeros: bool,
) {
    let Tallied {
        tokens,
        counts: term_counts,
        excluded,
    } = tallied;
    let excluded_of = |i: usize| excluded.get(i).copied().unwrap_or(0);
    for (i, (term, &count)) in lexicon.terms.iter().zip(term_counts).enumerate() {
        if count == 0 && excluded_of(i) == 0 && !with_zeros {
            continue;
        }
        table.push(vec![
            Value::text("term"),
            Value::text(document),
            path.clone(),
            unit.clone(),
            Value::text(&term.label),
            Value::text(&term.category),
            Value::Int(count as i64),
            Value::Int(excluded_of(i) as i64),
            Value::Int(tokens as i64),
            Value::Significant(rate_per_10k(count, tokens), 4),
            Value::Null,
        ]);
    }
    let totals = category_totals(lexicon, term_counts);
    let excluded_totals = category_totals(lexicon, excluded);
    let all: u64 = totals.iter().sum();
    if all == 0 && excluded_totals.iter().all(|&x| x == 0) && !with_zeros {
        return;
    }
    for (k, (category, &count)) in lexicon.categories.iter().zip(&totals).enumerate() {
        let excluded = excluded_totals.get(k).copied().unwrap_or(0);
        if count == 0 && excluded == 0 && !with_zeros {
            continue;
        }
        table.push_row(Row {
            cells: vec![
                Value::text("category"),
                Value::text(document),
                path.clone(),
                unit.clone(),
                Value::Null,
                Value::text(&category.name),
                Value::Int(count as i64),
                Value::Int(excluded as i64),
                Value::Int(tokens as i64),
                Value::Significant(rate_per_10k(count, tokens), 4),
                percent(count, all).map_or(Value::Null, |p| Value::Float(p, 1)),
            ],
            bold: true,
        });
    }
}

/// The note naming the PDF pages whose words could not be counted, per document.
fn pages_without_text_note(documents: &[DocumentCounts]) -> Option<String> {
    let named: Vec<String> = documents
        .iter()
        .filter_map(|d| {
            pages_without_text_warning(&d.pages_without_text).map(|w| format!("{}: {w}", d.name))
        })
        .collect();
    (!named.is_empty()).then(|| {
        format!(
            "Pages without text (their words are in no count or rate): {}.",
            named.join("; ")
        )
    })
}

/// The notes under the tables: what the mode matched, how to read the rows, the lexicon.
fn notes(lexicon: &Lexicon, mode: Mode, by: Unit) -> Vec<String> {
    let mut notes = Vec::new();
    notes.push(mode_note(mode));
    notes.push(
        "Rows without a term (bold on a terminal) are category totals. per 10k words = count x 10,000 / word tokens of the document (or page/section); share = the category's hits as a percentage of all the lexicon's hits there."
            .to_string(),
    );
    let exclusions: Vec<String> = lexicon
        .terms
        .iter()
        .filter(|t| !t.exclude.is_empty())
        .map(|t| format!("{}: {}", t.label, t.exclude.join(", ")))
        .collect();
    if !exclusions.is_empty() {
        notes.push(format!(
            "Excluded (hits inside these phrases are not counted for the term; the excluded column says how many): {}.",
            exclusions.join("; ")
        ));
    }
    if by != Unit::Document {
        notes.push(format!(
            "{}s where a term or category does not occur are not listed for it.",
            unit_title(by)
        ));
    }
    notes.push(format!(
        "Lexicon: {} ({}){}",
        lexicon.name,
        lexicon.origin,
        lexicon
            .source
            .as_ref()
            .map(|s| format!("; source: {s}"))
            .unwrap_or_default()
    ));
    notes
}

/// What matching mode `mode` means, in plain words (a note of `count` and the Method section of
/// `report`).
pub fn mode_note(mode: Mode) -> String {
    match mode {
    Mode::Word => "Mode word: whole words, case-insensitive; multi-word forms match consecutive words; each word counts for at most one term.".to_string(),
    Mode::Family => "Mode family: whole words and their regular inflections (-s, -'s, -ed, -ing), case-insensitive; each word counts for at most one term.".to_string(),
    Mode::Substring => "Mode substring: occurrences anywhere in the text, ignoring word boundaries (as a PDF viewer's Find box). TERMS OVERLAP in this mode (\"inform\" is also counted inside \"information\"), so category totals and shares count some text more than once.".to_string(),
}
}
