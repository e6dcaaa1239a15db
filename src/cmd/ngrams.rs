//! termtally ngrams: recurrent word sequences (n-grams, AntConc's clusters) with their counts.
//!
//! An n-gram is n consecutive tokens of one paragraph, case-folded (see `crate::ngrams` for the
//! rule: never across a paragraph, punctuation between the words allowed). Large plain-text
//! files are read in chunks, as `words` reads them; memory grows with the number of different
//! n-grams, and past `--max-ngrams` of them the command stops with an error rather than list an
//! approximation.
//!
//! # Output schema (stable)
//!
//! ```text
//! {
//!   "command": "ngrams",
//!   "documents": [{"path", "format", "pages", "tokens"}],
//!   "total": {"documents", "tokens", "ngrams"},     ngrams: different n-grams before the filters
//!   "filter": {"n_min", "n_max", "containing", "stopwords", "min_freq", "min_docs", "listed"},
//!   "rows": [{"ngram", "n", "count", "rate_per_10k", "documents"}],
//!   "notes": ["..."]
//! }
//! ```
//!
//! `ngram` is the words, lower-cased, joined by one space; `count` its occurrences in all the
//! documents, `rate_per_10k` = count × 10,000 / total tokens, `documents` the number of documents
//! it occurs in. Rows are sorted by count, largest first, then alphabetically (`--sort ngram`:
//! alphabetically only). CSV and TSV have the same columns.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::json;

use crate::accumulate::Corpus;
use crate::cmd::args::{InputArgs, StreamArgs};
use crate::cmd::{finish, load_and_count, write_counted};
use crate::count::rate_per_10k;
use crate::document::{Document, Format, short_names};
use crate::ngrams::{DEFAULT_LIMIT, MAX_N, Ngram, NgramCounter, NgramSpec, NgramTotals};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::stopwords::StopList;
use crate::stream::{ChunkCounter, Streamed, Tally, Work};
use crate::table::{Column, Report, Table, Value};
use crate::tokenise::{fold, token_spans};

const EXAMPLES: &str = "\
Examples:
  termtally ngrams code.pdf                              2- and 3-word sequences found twice or more
  termtally ngrams -n 2..4 reports/*.pdf --top 50        the 50 most frequent 2- to 4-word sequences
  termtally ngrams -n 3 reports/*.pdf --stopwords english --min-docs 3
                                                         no sequence starting or ending with \"the\"
  termtally ngrams code.pdf --containing coproduction    the phrases \"coproduction\" occurs in
  termtally ngrams hansard.txt -n 2 -o bigrams.csv       a large text file, read in chunks";

/// List recurrent word sequences (n-grams) with their count, rate per 10,000 words and the
/// number of documents they occur in.
///
/// An n-gram is n consecutive words (tokens as `count` counts them, lower-cased) of one
/// paragraph: never across a paragraph break; punctuation between the words does not break it.
/// Memory grows with the number of different n-grams; past --max-ngrams the command stops with
/// an error instead of listing only some.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Documents to read (PDF, legislation.gov.uk XML, HTML, DOCX, text), folders (walked) or
    /// quoted globs ("reports/*.pdf"); `-` reads standard input.
    #[arg(required_unless_present = "files_from", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Words per n-gram: one number (`3`) or a range (`2..4`), from 1 to 4.
    #[arg(short = 'n', value_name = "N|MIN..MAX", default_value = "2..3", value_parser = parse_range)]
    pub n: (usize, usize),
    /// Only n-grams holding this word (a whole word, any case).
    #[arg(long, value_name = "WORD")]
    pub containing: Option<String>,
    /// No n-gram starts or ends with a stop word (one may stand inside): `english` (NLTK's
    /// English list, 198 words) or a file of words, one a line (`#` starts a comment line).
    #[arg(long, value_name = "english|FILE")]
    pub stopwords: Option<String>,
    /// Leave out n-grams found fewer than N times.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_freq: u64,
    /// Leave out n-grams found in fewer than N documents.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_docs: u64,
    /// Only the first N rows (after sorting).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Row order.
    #[arg(long, value_enum, default_value_t = SortBy::Count)]
    pub sort: SortBy,
    /// Most different n-grams held in memory (up to about 100 bytes each); more stops the command
    /// with an error.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub max_ngrams: usize,
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
    /// Alphabetically (by Unicode code point of the lower-cased words).
    Ngram,
}

/// `3` or `2..4`, within 1..=MAX_N.
fn parse_range(text: &str) -> Result<(usize, usize), String> {
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("{s:?} is not a number of words"))
    };
    let (min, max) = match text.split_once("..") {
        Some((a, b)) => (number(a)?, number(b.trim_start_matches('='))?),
        None => (number(text)?, number(text)?),
    };
    if min < 1 || max > MAX_N || min > max {
        return Err(format!(
            "give a number of words from 1 to {MAX_N}, or a range such as 2..4"
        ));
    }
    Ok((min, max))
}

/// One document read, for the report's `documents`.
pub struct Counted {
    pub name: String,
    pub format: Format,
    pub pages: Option<u32>,
    pub tokens: u64,
}

impl Counted {
    pub fn of_document(doc: &Document, tokens: u64) -> Counted {
        Counted {
            name: doc.name.clone(),
            format: doc.format,
            pages: doc.page_count,
            tokens,
        }
    }

    pub fn of_stream(s: &Streamed) -> Counted {
        Counted {
            name: s.counts.name.clone(),
            format: Format::Text,
            pages: s.counts.pages,
            tokens: s.counts.tokens,
        }
    }

    /// The report's `documents` list.
    pub fn json(documents: &[Counted]) -> serde_json::Value {
        json!(
            documents
                .iter()
                .map(|d| json!({"path": d.name, "format": d.format, "pages": d.pages, "tokens": d.tokens}))
                .collect::<Vec<_>>()
        )
    }
}

/// The word of `--containing`, case-folded; it must be one token.
pub fn one_word(word: &str) -> anyhow::Result<String> {
    let spans: Vec<_> = token_spans(word).collect();
    match spans[..] {
        [(start, end)] if start == 0 && end == word.len() => Ok(fold(word)),
        _ => anyhow::bail!(
            "--containing {word:?}: give one word (letters and digits, joined by - or ' at most)"
        ),
    }
}

/// Every document counted into one corpus of n-grams (loaded ones whole, large text files in
/// chunks), in input order.
fn count_all(
    args: &Args,
    corpus: &Corpus<NgramCounter>,
    outcome: &Outcome,
) -> anyhow::Result<(Vec<Counted>, Vec<String>)> {
    let chunk = |doc: &Document| corpus.count_chunk(doc);
    let work = Work {
        tally: Tally::Blocks(ChunkCounter(&chunk)),
        cleaning: args.input.normalise_options(),
    };
    load_and_count(
        &args.files,
        &args.input,
        &args.streaming,
        outcome,
        |doc: &Document| Counted::of_document(doc, corpus.count_document(doc)),
        work,
        |s: Streamed| {
            corpus.end_stream(&s.counts.name);
            Counted::of_stream(&s)
        },
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args.output.resolve(OutputFormat::Table)?;
    let spec = NgramSpec {
        min_n: args.n.0,
        max_n: args.n.1,
        stop: args.stopwords.as_deref().map(StopList::load).transpose()?,
        containing: args.containing.as_deref().map(one_word).transpose()?,
        limit: args.max_ngrams,
    };
    let outcome = Outcome::new();
    let corpus = Corpus::new(spec, NgramTotals::default());
    let (documents, streamed) = count_all(&args, &corpus, &outcome)?;
    if documents.is_empty() {
        return Ok(finish(&outcome));
    }
    let spec = corpus.spec().clone();
    let totals = corpus.into_totals();
    let rows = totals.ngrams(args.min_freq, args.min_docs)?;
    let mut report = build_report(&documents, &args, &spec, (totals.len(), rows));
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed, &args.streaming, &output, &outcome)
}

/// The n-gram list (see the schema at the top of this file) of `found` n-grams of which `rows`
/// passed the filters.
fn build_report(
    documents: &[Counted],
    args: &Args,
    spec: &NgramSpec,
    (found, mut rows): (usize, Vec<Ngram>),
) -> Report {
    match args.sort {
        SortBy::Count => {
            rows.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
        }
        SortBy::Ngram => rows.sort_unstable_by(|a, b| a.text.cmp(&b.text)),
    }
    let tokens: u64 = documents.iter().map(|d| d.tokens).sum();
    let shown = args.top.unwrap_or(rows.len()).min(rows.len());
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("ngrams"));
    report
        .meta
        .insert("documents".into(), Counted::json(documents));
    report.meta.insert(
        "total".into(),
        json!({"documents": documents.len(), "tokens": tokens, "ngrams": found}),
    );
    report.meta.insert(
        "filter".into(),
        json!({
            "n_min": spec.min_n, "n_max": spec.max_n, "containing": spec.containing,
            "stopwords": spec.stop.as_ref().map(|s| s.name.clone()),
            "min_freq": args.min_freq, "min_docs": args.min_docs, "listed": rows.len(),
        }),
    );
    let mut table = Table::new(vec![
        Column::new("ngram", "N-gram").highlighted(),
        Column::number("n", "Words"),
        Column::number("count", "Count"),
        Column::number("rate_per_10k", "per 10k words"),
        Column::number("documents", "Documents"),
    ]);
    let words = if spec.min_n == spec.max_n {
        format!("{}-word", spec.min_n)
    } else {
        format!("{}- to {}-word", spec.min_n, spec.max_n)
    };
    table.title = Some(format!(
        "{}: {tokens} words, {found} different {words} sequences",
        match documents {
            [one] => short_names(&[one.name.as_str()]).remove(0),
            _ => format!("All {} documents", documents.len()),
        }
    ));
    for g in &rows[..shown] {
        table.push(vec![
            Value::text(&g.text),
            Value::Int(g.n as i64),
            Value::Int(g.count as i64),
            Value::Significant(rate_per_10k(g.count, tokens), 4),
            Value::Int(g.documents as i64),
        ]);
    }
    table.notes.push(filter_note(args, spec));
    table.note_top(shown, rows.len());
    report.tables.push(table);
    report
}

/// What the filters kept, under the table.
fn filter_note(args: &Args, spec: &NgramSpec) -> String {
    let mut kept = vec![format!(
        "n-grams found at least {} {} in at least {} {}",
        args.min_freq,
        if args.min_freq == 1 { "time" } else { "times" },
        args.min_docs,
        if args.min_docs == 1 {
            "document"
        } else {
            "documents"
        }
    )];
    if let Some(word) = &spec.containing {
        kept.push(format!("holding \"{word}\""));
    }
    if let Some(stop) = &spec.stop {
        kept.push(format!(
            "not starting or ending with a word of the stop list {}",
            stop.name
        ));
    }
    format!(
        "Listed: {}. N-grams never cross a paragraph break.",
        kept.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_n() {
        assert_eq!(parse_range("3"), Ok((3, 3)));
        assert_eq!(parse_range("2..4"), Ok((2, 4)));
        assert_eq!(parse_range("2..=4"), Ok((2, 4)));
        assert!(parse_range("0..2").is_err());
        assert!(parse_range("4..2").is_err());
        assert!(parse_range("2..7").is_err());
        assert!(parse_range("two").is_err());
    }

    #[test]
    fn containing_takes_one_word() {
        assert_eq!(one_word("Co-Production").unwrap(), "co-production");
        assert!(one_word("local offer").is_err());
        assert!(one_word("!").is_err());
    }
}
