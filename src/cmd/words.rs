//! termtally words: a word-frequency list, every word type of the documents with its count.
//!
//! Word types are tokens as `count` defines them (see the README's counting rule), case-folded:
//! "Co-operation" and "co-operation" are one type, "co-operation" and "cooperation" two. The
//! counts of all types (with `--proper-nouns keep`) add up to the documents' word count, the
//! denominator of every rate.
//! Large plain-text files are read in chunks, as `count` reads them, so memory grows with the
//! vocabulary, not with the text.
//!
//! # Output schema (stable)
//!
//! ```text
//! {
//!   "command": "words",
//!   "documents": [{"path", "format", "pages", "tokens"}],
//!   "total": {"documents", "tokens", "types"},     types: word types before any filter
//!   "filter": {"stopwords", "min_docs", "min_count", "proper_nouns", "proper_nouns_left_out",
//!              "listed"},   listed: rows before --top; proper_nouns "drop" or "keep"
//!   "rows": [{"word", "count", "rate_per_10k", "documents"}],
//!   "notes": ["..."]
//! }
//! ```
//!
//! Proper nouns are left out unless `--proper-nouns keep` (see `stopwords::WordFilter`);
//! `proper_nouns_left_out` is the number of word types left out for that alone.
//! `count` is the word's occurrences in all the documents together, `rate_per_10k` = count ×
//! 10,000 / total tokens, `documents` the number of documents it occurs in. Rows are sorted by
//! count, largest first, then alphabetically (`--sort word`: alphabetically only). CSV and TSV
//! have the same columns. With `--dispersion` rows also carry `range_documents`, `range_parts`,
//! `parts`, `dp`, `dp_norm`, `juilland_d` over all the documents' pages (see `crate::dispersion`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use rustc_hash::FxHashMap;
use serde_json::json;

use crate::cmd::args::{InputArgs, StreamArgs, WordListArgs};
use crate::cmd::{finish, load_and_count, write_counted};
use crate::count::rate_per_10k;
use crate::dispersion::{WordParts, sparse_dispersion, word_parts};
use crate::document::{Document, Format, short_names};
use crate::frequency::{Capitals, WordCounts, merge, word_counts};
use crate::layout::{Layout, MatrixRow, Values, wide_table};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::dispersion::{dispersion_cells, dispersion_columns, dispersion_note};
use crate::stopwords::WordFilter;
use crate::stream::{Streamed, Tally, Work};
use crate::table::{Column, Report, Table, Value};

const EXAMPLES: &str = "\
Examples:
  termtally words code.pdf --top 50                    the 50 most frequent words
  termtally words reports/*.pdf -o words.csv           one list for a whole collection
  termtally words reports/*.pdf --min-count 10 --sort word
  termtally words reports/*.pdf --stopwords english --min-docs 3 --top 100
                                                       no stop words, no word of a single report
  termtally words reports/*.pdf --proper-nouns keep    place and council names listed too
  termtally words hansard-1990-2020.txt -o freq.csv    a large text file, read in chunks";

/// List every word of the documents with its count, rate per 10,000 words and the number of
/// documents it occurs in: a word-frequency list.
///
/// A word is a token as `count` counts it, case-folded. Proper nouns (names of places, councils,
/// people, months) are left out unless --proper-nouns keep. Plain-text files over 32 MB are read in
/// chunks of 8 MB rather than whole, as `count` reads them (see `termtally count --help`).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Documents to read (PDF, legislation.gov.uk XML, HTML, DOCX, text), folders (walked) or
    /// quoted globs ("reports/*.pdf"); `-` reads standard input.
    #[arg(required_unless_present = "files_from", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Leave out words counted fewer than N times.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_count: u64,
    #[command(flatten)]
    pub word_list: WordListArgs,
    /// Row order.
    #[arg(long, value_enum, default_value_t = SortBy::Count)]
    pub sort: SortBy,
    /// `wide`: one row per document, one column per word (those kept by --min-count and --top,
    /// in their order): the documents × words matrix.
    #[arg(long, value_enum, default_value_t = Layout::Long)]
    pub layout: Layout,
    /// With --layout wide: counts, or rates per 10,000 words of each document.
    #[arg(long, value_enum, default_value_t = Values::Count)]
    pub values: Values,
    /// Add how evenly each word is spread over the documents' pages (texts without pages: 10
    /// equal parts): range, Gries's DP and DPnorm, Juilland's D (see `termtally count --help`).
    /// Off by default: it keeps a word list per page.
    #[arg(long, conflicts_with = "layout")]
    pub dispersion: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// Most frequent first; ties alphabetically.
    Count,
    /// Alphabetically (by Unicode code point of the case-folded word).
    Word,
}

/// One document's word types.
struct DocumentWords {
    name: String,
    format: Format,
    pages: Option<u32>,
    tokens: u64,
    words: WordCounts,
    /// With --dispersion: the word types of each page or part (`None` for a streamed file).
    parts: Option<WordParts>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let filter = args.word_list.filter()?;
    let output = args.output.resolve(OutputFormat::Table)?;
    let outcome = Outcome::new();
    let count_loaded = |doc: &Document| {
        let parts = args.dispersion.then(|| word_parts(doc));
        let words = match &parts {
            Some(parts) => parts
                .words
                .iter()
                .cloned()
                .fold(WordCounts::default(), merge),
            None => word_counts(std::slice::from_ref(doc)),
        };
        DocumentWords {
            name: doc.name.clone(),
            format: doc.format,
            pages: doc.page_count,
            tokens: words.total(),
            words,
            parts,
        }
    };
    let work = Work {
        tally: Tally::Words,
        cleaning: args.input.normalise_options(),
    };
    let from_stream = |s: Streamed| DocumentWords {
        name: s.counts.name,
        format: Format::Text,
        pages: s.counts.pages,
        tokens: s.counts.tokens,
        words: s.words,
        parts: None,
    };
    let (documents, streamed_names) = load_and_count(
        &args.files,
        &args.input,
        &args.streaming,
        &outcome,
        count_loaded,
        work,
        from_stream,
    )?;
    if documents.is_empty() {
        return Ok(finish(&outcome));
    }
    let mut report = build_report(&documents, &args, &filter);
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed_names, &args.streaming, &output, &outcome)
}

/// `words --layout wide`: one row per document, one column per word of `words` (the listed
/// ones, of `listed` before `--top`).
fn wide_word_table(
    documents: &[DocumentWords],
    words: &[&str],
    args: &Args,
    listed: usize,
) -> Table {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let paths: Vec<&str> = documents.iter().map(|d| d.name.as_str()).collect();
    let matrix: Vec<MatrixRow> = documents
        .iter()
        .zip(short_names(&paths))
        .map(|(d, name)| MatrixRow {
            document: name,
            path: d.name.clone(),
            unit: None,
            tokens: d.tokens,
            counts: words.iter().map(|w| d.words.get(w).unwrap_or(0)).collect(),
        })
        .collect();
    let mut wide = wide_table(&matrix, None, &words, args.values);
    wide.notes
        .push("One row per document, one column per word (lower-cased).".to_string());
    let shown = words.len();
    if shown < listed {
        wide.notes.push(format!(
            "The {shown} first words of {listed} (--top {shown})."
        ));
    }
    wide
}

/// The report's metadata: the documents, the totals and the filter (`listed` rows of `types`,
/// `proper` types left out as proper nouns).
fn words_meta(
    documents: &[DocumentWords],
    args: &Args,
    filter: &WordFilter,
    (tokens, types, listed, proper): (u64, usize, usize, usize),
) -> Report {
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("words"));
    report.meta.insert(
        "documents".into(),
        json!(
            documents
                .iter()
                .map(|d| json!({"path": d.name, "format": d.format, "pages": d.pages, "tokens": d.tokens}))
                .collect::<Vec<_>>()
        ),
    );
    report.meta.insert(
        "total".into(),
        json!({"documents": documents.len(), "tokens": tokens, "types": types}),
    );
    report.meta.insert(
        "filter".into(),
        json!({
            "stopwords": filter.stop.as_ref().map(|s| s.name.clone()),
            "min_docs": filter.min_docs,
            "min_count": args.min_count,
            "proper_nouns": filter.proper_nouns,
            "proper_nouns_left_out": proper,
            "listed": listed,
        }),
    );
    report
}

/// The frequency list of all documents together (see the schema at the top of this file).
fn build_report(documents: &[DocumentWords], args: &Args, filter: &WordFilter) -> Report {
    // (count, documents, how it was written) of every type.
    let mut all: FxHashMap<&str, (u64, u64, Capitals)> = FxHashMap::default();
    for doc in documents {
        for (word, n, capitals) in doc.words.iter_written() {
            let entry = all.entry(word).or_default();
            entry.0 += n;
            entry.1 += 1;
            entry.2 = entry.2.plus(capitals);
        }
    }
    let tokens: u64 = documents.iter().map(|d| d.tokens).sum();
    let types = all.len();
    let mut rows: Vec<(&str, (u64, u64, Capitals))> = all
        .into_iter()
        .filter(|&(_, (count, _, _))| count >= args.min_count)
        .collect();
    let proper = filter.retain(&mut rows, |&(word, (count, docs, capitals))| {
        (word, docs, capitals.is_proper_noun(count))
    });
    let mut rows: Vec<(&str, u64, u64)> = rows
        .into_iter()
        .map(|(word, (count, docs, _))| (word, count, docs))
        .collect();
    match args.sort {
        SortBy::Count => rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))),
        SortBy::Word => rows.sort_unstable_by(|a, b| a.0.cmp(b.0)),
    }
    let shown = args.word_list.top.unwrap_or(rows.len()).min(rows.len());

    let totals = (tokens, types, rows.len(), proper);
    let mut report = words_meta(documents, args, filter, totals);
    let mut table = word_table(documents, tokens, types);
    if args.layout == Layout::Wide {
        let words: Vec<&str> = rows[..shown].iter().map(|r| r.0).collect();
        let mut wide = wide_word_table(documents, &words, args, rows.len());
        wide.title = table.title.take();
        report.tables.push(wide);
        return report;
    }
    if args.dispersion {
        table.columns.extend(dispersion_columns());
    }
    let all_parts = args.dispersion.then(|| AllParts::of(documents));
    for &(word, count, docs) in &rows[..shown] {
        let mut cells = vec![
            Value::text(word),
            Value::Int(count as i64),
            Value::Significant(rate_per_10k(count, tokens), 4),
            Value::Int(docs as i64),
        ];
        if let Some(all) = &all_parts {
            let measured = all.as_ref().map(|a| a.dispersion(word));
            cells.extend(dispersion_cells(Some(docs as i64), measured));
        }
        table.push(cells);
    }
    if all_parts.is_some() {
        let streamed = documents.iter().filter(|d| d.parts.is_none()).count();
        report.notes.push(dispersion_note(streamed));
    }
    let left_out = filter.describe(proper);
    if !left_out.is_empty() {
        table.notes.push(left_out);
    }
    if shown < rows.len() {
        table.notes.push(format!(
            "The first {shown} of {} rows (--top {shown}).",
            rows.len()
        ));
    }
    report.tables.push(table);
    report
}

/// The empty word list, titled with the documents' size.
fn word_table(documents: &[DocumentWords], tokens: u64, types: usize) -> Table {
    let mut table = Table::new(vec![
        Column::new("word", "Word").highlighted(),
        Column::number("count", "Count"),
        Column::number("rate_per_10k", "per 10k words"),
        Column::number("documents", "Documents"),
    ]);
    table.title = Some(if documents.len() == 1 {
        format!("{}: {tokens} words, {types} different", documents[0].name)
    } else {
        format!(
            "All {} documents: {tokens} words, {types} different",
            documents.len()
        )
    });
    table
}

/// The pages (or parts) of all the documents one after another, and where each word occurs in
/// them, for `--dispersion`.
struct AllParts<'a> {
    sizes: Vec<u64>,
    /// (part, count) of each word, for the parts it occurs in: one pass over each part's words.
    occurrences: FxHashMap<&'a str, Vec<(usize, u64)>>,
}

impl<'a> AllParts<'a> {
    /// `None` when a streamed file's parts were not kept.
    fn of(documents: &'a [DocumentWords]) -> Option<AllParts<'a>> {
        let mut all = AllParts {
            sizes: Vec::new(),
            occurrences: FxHashMap::default(),
        };
        for d in documents {
            for (size, words) in d.parts.as_ref()?.sizes.iter().zip(&d.parts.as_ref()?.words) {
                let part = all.sizes.len();
                all.sizes.push(*size);
                for (word, n) in words.iter() {
                    all.occurrences.entry(word).or_default().push((part, n));
                }
            }
        }
        Some(all)
    }

    fn dispersion(&self, word: &str) -> crate::dispersion::Dispersion {
        let occurrences = self.occurrences.get(word).map_or(&[][..], Vec::as_slice);
        sparse_dispersion(&self.sizes, occurrences.iter().copied())
    }
}
