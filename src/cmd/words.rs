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
//!   "shard": {"termtally_version", "command", "top", "filter", ...}   what `merge` checks (see
//!                                      `crate::shard`); filter: null, or what left words out
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

use crate::cmd::args::{InputArgs, StreamArgs, WordListArgs};
use crate::cmd::{finish, for_each_counted, load_or_stream, write_counted};
use crate::dispersion::word_parts;
use crate::document::{Document, Format};
use crate::frequency::{WordCounts, merge, word_counts};
use crate::layout::{Layout, Values};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::words::{Corpus, DocumentWords, Options, build_report};
use crate::shard::Identity;
use crate::stopwords::{ProperNouns, WordFilter};
use crate::stream::{Streamed, Tally, Work};

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
/// chunks of 2 MB rather than whole, as `count` reads them (see `termtally count --help`).
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
    let sources = load_or_stream(&args.files, &args.input, &args.streaming, &outcome)?;
    let keep_words = args.layout == Layout::Wide;
    let mut corpus = Corpus::default();
    let streamed_names = for_each_counted(
        sources,
        count_loaded,
        work,
        &args.input,
        &args.streaming,
        &outcome,
        from_stream,
        |document| corpus.add(document, keep_words),
    )?;
    if corpus.documents.is_empty() {
        return Ok(finish(&outcome));
    }
    let options = report_options(&args, output.format);
    let mut report = build_report(&corpus, &options, &filter);
    crate::shard::insert(&mut report, &shard_identity(&args, &filter));
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed_names, &args.streaming, &output, &outcome)
}

/// The list's options from the command line's, for a report written as `format`.
fn report_options(args: &Args, format: OutputFormat) -> Options {
    Options {
        min_count: args.min_count,
        alphabetical: args.sort == SortBy::Word,
        top: args.word_list.top,
        layout: args.layout,
        values: args.values,
        dispersion: args.dispersion,
        list_documents: matches!(format, OutputFormat::Json | OutputFormat::Xlsx),
    }
}

/// What `merge` checks of this run. Rows left out by a filter (stop words, --min-docs,
/// --min-count, proper nouns dropped: the evidence for a proper noun is not in the output, so
/// merged shards could not judge it again) or by --top make the shard unmergeable.
fn shard_identity(args: &Args, filter: &WordFilter) -> Identity {
    let mut filters = Vec::new();
    if let Some(stop) = &filter.stop {
        filters.push(format!("--stopwords {}", stop.name));
    }
    if filter.min_docs > 1 {
        filters.push(format!("--min-docs {}", filter.min_docs));
    }
    if args.min_count > 1 {
        filters.push(format!("--min-count {}", args.min_count));
    }
    if filter.proper_nouns == ProperNouns::Drop {
        filters.push("proper nouns left out (give --proper-nouns keep)".to_string());
    }
    let filters = (!filters.is_empty()).then(|| filters.join(", "));
    let shard = Identity::of_words(args.word_list.top, filters);
    crate::cmd::with_run_options(shard, &args.input, args.layout, args.dispersion)
}
