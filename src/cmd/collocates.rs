//! termtally collocates: the words found near a term (within a window of words each side of its
//! hits), with how often, and the association measures MI, T-score, log-likelihood and logDice.
//!
//! The window rule and the formulas are those of `crate::collocates`: the window never crosses
//! a paragraph; overlapping windows count a word once per hit; the node's own words are not
//! collocates; stop words left out of the list still take their places in the window; E =
//! f(node) · f(collocate) · span / N (span-adjusted) for MI and T-score. Large plain-text files
//! are read in chunks, as `words` reads them.
//!
//! # Output schema (stable)
//!
//! ```text
//! {
//!   "command": "collocates",
//!   "node": {"lexicon", "terms": [LABEL], "mode", "frequency"},    frequency: f(node), its hits
//!   "window": {"left", "right", "span", "span_adjusted": true, "places"},
//!   "documents": [{"path", "format", "pages", "tokens"}],
//!   "total": {"documents", "tokens"},                               tokens: N
//!   "filter": {"min_freq", "stopwords", "listed"},                  listed: rows before --top
//!   "rows": [{"collocate", "cooccurrences", "collocate_frequency", "expected", "mi", "t_score",
//!             "log_likelihood", "log_dice"}],
//!   "notes": ["..."]
//! }
//! ```
//!
//! `cooccurrences` is O (window places holding the word), `collocate_frequency` f(c) its count in
//! all the documents, `expected` E. Rows are sorted by `--sort` (logDice by default), largest
//! first, ties by O then alphabetically (`--sort collocate`: alphabetically).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::json;

use crate::accumulate::Corpus;
use crate::cmd::args::{InputArgs, ModeArgs, StreamArgs};
use crate::cmd::kwic::{pattern_or_lexicon, selected_terms};
use crate::cmd::ngrams::Counted;
use crate::cmd::{finish, load_and_count, write_counted};
use crate::collocates::{Collocate, CollocateCounter, CollocateSpec, CollocateTotals, Window};
use crate::document::{Document, short_names};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::stopwords::StopList;
use crate::stream::{ChunkCounter, Streamed, Tally, Work};
use crate::table::{Column, Report, Table, Value};

const EXAMPLES: &str = "\
Examples:
  termtally collocates coproduction reports/*.pdf          words within 5 words of \"coproduction\"
  termtally collocates \"local offer\" code.pdf --left 3 --right 0 --sort mi
  termtally collocates must code.pdf --stopwords english --min-freq 5 --top 30
  termtally collocates --lexicon boddison-soan-2021 --term Coproduction reports/*.pdf
  termtally collocates parent hansard.txt -o parent.csv     a large text file, read in chunks

Measures (f(node) = hits, f(c) = the word's count, N = all words, span = left + right):
  E = f(node) x f(c) x span / N (span-adjusted); MI = log2(O / E) (Church & Hanks 1990);
  T-score = (O - E) / sqrt(O) (Church et al. 1991); log-likelihood over the 2x2 table
  (Dunning 1993); logDice = 14 + log2(2 O / (f(node) + f(c))) (Rychly 2008).";

/// List the words found near a word, phrase or lexicon term (its collocates), with
/// co-occurrence counts and association measures.
///
/// The window is --window words each side of every hit (or --left/--right), never across a
/// paragraph break. A word in the windows of two nearby hits is counted for each. Stop words left
/// out with --stopwords still take their places in the window.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The PATTERN (unless --lexicon is given), written like a lexicon form, then the documents
    /// (files, folders or quoted globs); `-` reads standard input.
    #[arg(required = true, value_name = "PATTERN | FILE")]
    pub items: Vec<String>,
    /// The node is the terms of this lexicon (a built-in name or a .toml/.yml/.dic file)
    /// instead of a PATTERN.
    #[arg(long, short = 'l', value_name = "NAME|PATH")]
    pub lexicon: Option<String>,
    /// With --lexicon: only the term with this label (repeatable).
    #[arg(long, value_name = "LABEL", requires = "lexicon")]
    pub term: Vec<String>,
    /// With --lexicon: only terms in this category.
    #[arg(long, value_name = "NAME", requires = "lexicon")]
    pub category: Option<String>,
    #[command(flatten)]
    pub matching: ModeArgs,
    /// Words counted each side of a hit.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub window: usize,
    /// Words counted before a hit (instead of --window).
    #[arg(long, value_name = "N")]
    pub left: Option<usize>,
    /// Words counted after a hit (instead of --window).
    #[arg(long, value_name = "N")]
    pub right: Option<usize>,
    /// Leave out words found fewer than N times in the windows (O < N).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_freq: u64,
    /// Row order: largest first.
    #[arg(long, value_enum, default_value_t = SortBy::LogDice)]
    pub sort: SortBy,
    /// Leave stop words out of the list (they still take their places in the window): `english`
    /// (NLTK's English list, 198 words) or a file of words, one a line.
    #[arg(long, value_name = "english|FILE")]
    pub stopwords: Option<String>,
    /// Only the first N rows (after sorting).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// logDice (Rychlý 2008): not inflated for rare words.
    LogDice,
    /// Mutual information: favours rare, exclusive words.
    Mi,
    /// T-score: favours frequent words.
    TScore,
    /// Log-likelihood G2: the evidence of association.
    LogLikelihood,
    /// Co-occurrences O.
    Cooccurrences,
    /// The collocate, alphabetically.
    Collocate,
}

impl SortBy {
    fn key(self, c: &Collocate) -> f64 {
        match self {
            SortBy::LogDice => c.measures.log_dice,
            SortBy::Mi => c.measures.mi,
            SortBy::TScore => c.measures.t_score,
            SortBy::LogLikelihood => c.measures.log_likelihood,
            SortBy::Cooccurrences | SortBy::Collocate => c.cooccurrences as f64,
        }
    }
}

/// The node's lexicon, its selected terms, the files and the window.
fn node_and_files(args: &Args) -> anyhow::Result<(Lexicon, CollocateSpec, Vec<PathBuf>)> {
    let files_from = args.input.files_from.is_some();
    let (mut lexicon, files) = pattern_or_lexicon(
        "collocates",
        &args.items,
        args.lexicon.as_deref(),
        files_from,
    )?;
    args.matching.apply_exclusions(&mut lexicon)?;
    if files.is_empty() && !files_from {
        anyhow::bail!("give at least one FILE to search");
    }
    let selected = selected_terms(&lexicon, &args.term, args.category.as_deref())?;
    let window = Window {
        left: args.left.unwrap_or(args.window),
        right: args.right.unwrap_or(args.window),
    };
    if window.span() == 0 {
        anyhow::bail!("the window is empty: give --window, --left or --right of 1 or more");
    }
    let spec = CollocateSpec {
        matcher: Matcher::new(&lexicon, args.matching.mode)?,
        selected,
        window,
    };
    Ok((lexicon, spec, files.iter().map(PathBuf::from).collect()))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args.output.resolve(OutputFormat::Table)?;
    let stop = args.stopwords.as_deref().map(StopList::load).transpose()?;
    let (lexicon, spec, files) = node_and_files(&args)?;
    let outcome = Outcome::new();
    let corpus: Corpus<CollocateCounter> = Corpus::new(spec, CollocateTotals::default());
    let chunk = |doc: &Document| corpus.count_chunk(doc);
    let work = Work {
        tally: Tally::Blocks(ChunkCounter(&chunk)),
        cleaning: args.input.normalise_options(),
    };
    let (documents, streamed) = load_and_count(
        &files,
        &args.input,
        &args.streaming,
        &outcome,
        |doc: &Document| Counted::of_document(doc, corpus.count_document(doc)),
        work,
        |s: Streamed| {
            corpus.end_stream(&s.counts.name);
            Counted::of_stream(&s)
        },
    )?;
    if documents.is_empty() {
        return Ok(finish(&outcome));
    }
    let window = corpus.spec().window;
    let selected = corpus.spec().selected.clone();
    let totals = corpus.into_totals();
    let node = Node {
        lexicon: &lexicon,
        selected: &selected,
        window,
        stop: stop.as_ref(),
    };
    let mut report = build_report(&documents, &args, &node, &totals);
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed, &args.streaming, &output, &outcome)
}

/// What the report says about the node and the window.
struct Node<'a> {
    lexicon: &'a Lexicon,
    selected: &'a [bool],
    window: Window,
    stop: Option<&'a StopList>,
}

impl Node<'_> {
    fn labels(&self) -> Vec<&str> {
        self.lexicon
            .terms
            .iter()
            .zip(self.selected)
            .filter(|(_, s)| **s)
            .map(|(t, _)| t.label.as_str())
            .collect()
    }
}

/// The report's metadata (see the schema at the top of this file).
fn meta(
    report: &mut Report,
    documents: &[Counted],
    args: &Args,
    node: &Node,
    totals: &CollocateTotals,
) {
    let Window { left, right } = node.window;
    report.meta.insert("command".into(), json!("collocates"));
    report.meta.insert(
        "node".into(),
        json!({"lexicon": node.lexicon.origin, "terms": node.labels(),
               "mode": args.matching.mode.name(), "frequency": totals.node}),
    );
    report.meta.insert(
        "window".into(),
        json!({"left": left, "right": right, "span": left + right, "span_adjusted": true,
               "places": totals.places}),
    );
    report
        .meta
        .insert("documents".into(), Counted::json(documents));
    report.meta.insert(
        "total".into(),
        json!({"documents": documents.len(), "tokens": totals.tokens}),
    );
}

/// The collocates table (see the schema at the top of this file).
fn build_report(
    documents: &[Counted],
    args: &Args,
    node: &Node,
    totals: &CollocateTotals,
) -> Report {
    let mut rows: Vec<Collocate> = totals
        .collocates(node.window, args.min_freq)
        .into_iter()
        .filter(|c| !node.stop.is_some_and(|s| s.contains(&c.word)))
        .collect();
    let sort = args.sort;
    rows.sort_by(|a, b| {
        let by_key = if sort == SortBy::Collocate {
            std::cmp::Ordering::Equal
        } else {
            sort.key(b).total_cmp(&sort.key(a))
        };
        by_key
            .then_with(|| b.cooccurrences.cmp(&a.cooccurrences))
            .then_with(|| a.word.cmp(&b.word))
    });
    let shown = args.top.unwrap_or(rows.len()).min(rows.len());
    let mut report = Report::default();
    meta(&mut report, documents, args, node, totals);
    report.meta.insert(
        "filter".into(),
        json!({"min_freq": args.min_freq, "stopwords": node.stop.map(|s| s.name.clone()),
               "listed": rows.len()}),
    );
    let mut table = Table::new(vec![
        Column::new("collocate", "Collocate").highlighted(),
        Column::number("cooccurrences", "O"),
        Column::number("collocate_frequency", "Freq"),
        Column::number("expected", "E"),
        Column::number("mi", "MI"),
        Column::number("t_score", "T-score"),
        Column::number("log_likelihood", "LL"),
        Column::number("log_dice", "logDice"),
    ]);
    for c in &rows[..shown] {
        let m = c.measures;
        table.push(vec![
            Value::text(&c.word),
            Value::Int(c.cooccurrences as i64),
            Value::Int(c.frequency as i64),
            Value::Significant(m.expected, 3),
            Value::Float(m.mi, 2),
            Value::Float(m.t_score, 2),
            Value::Float(m.log_likelihood, 2),
            Value::Float(m.log_dice, 2),
        ]);
    }
    describe(&mut table, documents, args, node, totals);
    table.note_top(shown, rows.len());
    report.tables.push(table);
    report
}

/// The table's title and notes: the node, the window, the measures, the filter.
fn describe(
    table: &mut Table,
    documents: &[Counted],
    args: &Args,
    node: &Node,
    totals: &CollocateTotals,
) {
    let labels = node.labels();
    let Window { left, right } = node.window;
    table.title = Some(format!(
        "Collocates of {} ({} hits, {left} words left, {right} right) in {}: {} words",
        labels.join(", "),
        totals.node,
        match documents {
            [one] => short_names(&[one.name.as_str()]).remove(0),
            _ => format!("{} documents", documents.len()),
        },
        totals.tokens,
    ));
    table.notes.push(format!(
        "O: times in the windows (a word near two hits counts twice); Freq: in all the text. \
         E = f(node) x Freq x {} / N (span-adjusted). Windows never cross a paragraph.",
        left + right
    ));
    let mut kept = format!("Listed: words with O >= {}", args.min_freq);
    if let Some(stop) = node.stop {
        kept.push_str(&format!(
            ", not on the stop list {} (stop words still fill window places)",
            stop.name
        ));
    }
    kept.push('.');
    table.notes.push(kept);
}
