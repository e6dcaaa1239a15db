//! termtally variants: every spelling of a term that the documents use — hyphenated, solid and
//! spaced ("co-production", "coproduction", "co production"), its regular inflections, and the
//! British/American alternations -ise/-ize, -our/-or, -re/-er, ae/e, judgement/judgment (see
//! `crate::variants`) — with counts, and (`--format toml`) a ready lexicon of them.
//!
//! # Output schema (stable)
//!
//! ```text
//! {
//!   "command": "variants",
//!   "terms": ["co-production", ...],
//!   "total": {"documents", "tokens"},
//!   "rows": [{"term", "variant", "count", "documents"}],
//!   "notes": ["..."]
//! }
//! ```
//!
//! `variant` is the spelling as found, lower-cased (a spaced one as its two words joined by one
//! space); `count` its occurrences in all the documents, `documents` the number it occurs in. The
//! term's own spelling is a row too when it occurs. Rows follow the terms' order, most frequent
//! spelling first. `--format toml` writes a lexicon (category `variants`, one term per TERM whose
//! forms are the spellings found) to load with `--lexicon FILE.toml`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use crate::cmd::args::{InputArgs, StreamArgs};
use crate::cmd::{finish, load_and_count, write_counted};
use crate::count::{Unit, count_document};
use crate::document::Document;
use crate::frequency::{WordCounts, word_counts};
use crate::lexicon::{Lexicon, Located, RawLexicon, RawTerm, validate};
use crate::matcher::{Matcher, Mode};
use crate::outcome::Outcome;
use crate::output::{OutputArgs, ignore_broken_pipe, write_file_atomically};
use crate::render::OutputFormat;
use crate::stream::{Streamed, Tally, Work};
use crate::table::{Column, Report, Table, Value};
use crate::variants::{VariantIndex, phrase_lexicon, spaced_candidates};

const EXAMPLES: &str = "\
Examples:
  termtally variants co-production reports/*.pdf          coproduction, co production, ...
  termtally variants organise behaviour centre guidance.pdf
  termtally variants --lexicon boddison-soan-2021 code.pdf  every form of a lexicon
  termtally variants co-production reports/ -o co-production.toml
                                                         a lexicon of the spellings found

Terms come first: the first argument that names an existing file or folder (or `-`, or a
quoted glob) starts the documents. With --term or --lexicon every argument is a document.";

/// List every spelling of a term that the documents use: hyphenated, solid or spaced, inflected,
/// British or American (-ise/-ize, -our/-or, -re/-er, ae/e, judgement/judgment), with counts;
/// `--format toml` writes them as a lexicon.
///
/// Spellings are found by comparing word types, so a spelling is listed whatever its case. Two
/// words count as spellings of one word when they are the same once hyphens and spaces are
/// dropped and those alternations made alike; a few unrelated words can look alike that way,
/// and a spaced spelling may be an ordinary pair of words ("may be" for "maybe"): judge the list
/// before you use it.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Terms (words or phrases), then documents (PDF, legislation.gov.uk XML, HTML, DOCX,
    /// text), folders or quoted globs; `-` reads standard input.
    #[arg(value_name = "TERM|FILE")]
    pub args: Vec<PathBuf>,
    /// A term to look for (repeatable); every argument is then a document.
    #[arg(long = "term", short = 't', value_name = "TERM")]
    pub terms: Vec<String>,
    /// Look for the variants of every form of this lexicon (built-in name or file).
    #[arg(long, value_name = "NAME|FILE")]
    pub lexicon: Option<String>,
    /// Output format: those of every command, or `toml`, a lexicon of the spellings found. With
    /// -o, taken from the file extension unless given.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<VariantsFormat>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE given with -o if it exists.
    #[arg(long)]
    pub force: bool,
    /// CSV/TSV files: write cells exactly, without the formula guard.
    #[arg(long)]
    pub raw_csv: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
}

/// `--format` of `variants`: the report formats, and a lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VariantsFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Md,
    Latex,
    Xlsx,
    /// A termtally lexicon (TOML): one term per TERM, its forms the spellings found.
    Toml,
}

impl VariantsFormat {
    fn report_format(self) -> Option<OutputFormat> {
        Some(match self {
            VariantsFormat::Table => OutputFormat::Table,
            VariantsFormat::Csv => OutputFormat::Csv,
            VariantsFormat::Tsv => OutputFormat::Tsv,
            VariantsFormat::Json => OutputFormat::Json,
            VariantsFormat::Md => OutputFormat::Md,
            VariantsFormat::Latex => OutputFormat::Latex,
            VariantsFormat::Xlsx => OutputFormat::Xlsx,
            VariantsFormat::Toml => return None,
        })
    }
}

/// One document's spellings: (term, spelling, count), and its word tokens.
struct Found {
    tokens: u64,
    spellings: Vec<(usize, String, u64)>,
}

/// What is looked for: the terms, the index of their one-word spellings, and the two-word
/// spellings to count (with the terms each belongs to).
struct Search {
    terms: Vec<String>,
    index: VariantIndex,
    phrases: Vec<String>,
    phrase_terms: Vec<Vec<usize>>,
    phrase_matcher: Option<Matcher>,
}

impl Search {
    fn new(terms: Vec<String>) -> anyhow::Result<Search> {
        let index = VariantIndex::new(&terms);
        let mut by_phrase: HashMap<String, Vec<usize>> = HashMap::new();
        let mut phrases = Vec::new();
        for (t, term) in terms.iter().enumerate() {
            for phrase in spaced_candidates(term) {
                let owners = by_phrase.entry(phrase.clone()).or_insert_with(|| {
                    phrases.push(phrase);
                    Vec::new()
                });
                owners.push(t);
            }
        }
        let phrase_terms = phrases.iter().map(|p| by_phrase[p].clone()).collect();
        let phrase_matcher = if phrases.is_empty() {
            None
        } else {
            Some(Matcher::new(&phrase_lexicon(&phrases)?, Mode::Word)?)
        };
        Ok(Search {
            terms,
            index,
            phrases,
            phrase_terms,
            phrase_matcher,
        })
    }

    /// The spellings among one document's word types and two-word spelling counts.
    fn found(&self, tokens: u64, words: &WordCounts, phrase_counts: &[u64]) -> Found {
        let mut spellings = self.index.find(words.iter());
        for (p, &n) in phrase_counts.iter().enumerate() {
            if n > 0 {
                for &t in &self.phrase_terms[p] {
                    spellings.push((t, self.phrases[p].clone(), n));
                }
            }
        }
        Found { tokens, spellings }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (terms, files) = split_arguments(&args)?;
    let format = destination_format(&args);
    let output = match format.report_format() {
        Some(f) => Some(report_output(&args, f).resolve(OutputFormat::Table)?),
        None => {
            crate::output::check_destination(&report_output(&args, OutputFormat::Json))?;
            None
        }
    };
    let search = Search::new(terms)?;
    let outcome = Outcome::new();
    let count_loaded = |doc: &Document| {
        let words = word_counts(std::slice::from_ref(doc));
        let phrases = search
            .phrase_matcher
            .as_ref()
            .map(|m| count_document(doc, m, Unit::Document).counts)
            .unwrap_or_default();
        search.found(words.total(), &words, &phrases)
    };
    let work = Work {
        tally: match &search.phrase_matcher {
            Some(m) => Tally::TermsAndWords(m),
            None => Tally::Words,
        },
        cleaning: args.input.normalise_options(),
    };
    let from_stream = |s: Streamed| search.found(s.counts.tokens, &s.words, &s.counts.counts);
    let (found, streamed) = load_and_count(
        &files,
        &args.input,
        &args.streaming,
        &outcome,
        count_loaded,
        work,
        from_stream,
    )?;
    if found.is_empty() {
        return Ok(finish(&outcome));
    }
    let rows = tally(&found, search.terms.len());
    match output {
        Some(output) => {
            let mut report = build_report(&search.terms, &found, &rows);
            args.input.scope.scope().annotate(&mut report);
            write_counted(report, &streamed, &args.streaming, &output, &outcome)
        }
        None => {
            write_text(&args, &lexicon_toml(&search.terms, &rows, found.len())?)?;
            Ok(finish(&outcome))
        }
    }
}

/// The terms and the documents of the command line (see [`EXAMPLES`]).
fn split_arguments(args: &Args) -> anyhow::Result<(Vec<String>, Vec<PathBuf>)> {
    let mut terms = args.terms.clone();
    if let Some(spec) = &args.lexicon {
        let lexicon = Lexicon::load(spec)?;
        terms.extend(lexicon.terms.iter().flat_map(|t| t.forms.iter().cloned()));
    }
    let mut files = args.args.clone();
    if terms.is_empty() {
        let first_document = args
            .args
            .iter()
            .position(|a| names_documents(a))
            .unwrap_or(args.args.len());
        files = args.args[first_document..].to_vec();
        terms = args.args[..first_document]
            .iter()
            .map(|a| a.to_string_lossy().trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
    }
    if terms.is_empty() {
        anyhow::bail!(
            "give a term before the documents, e.g. termtally variants co-production report.pdf"
        );
    }
    if files.is_empty() && args.input.files_from.is_none() {
        anyhow::bail!(
            "no documents given after the terms ({}): name existing files or folders",
            terms.join(", ")
        );
    }
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(crate::tokenise::fold(t)));
    Ok((terms, files))
}

/// Whether a command-line argument names documents rather than a term.
fn names_documents(arg: &Path) -> bool {
    let text = arg.to_string_lossy();
    text == "-" || arg.exists() || text.contains(['*', '?', '[', '/'])
}

/// `--format`, else the extension of `-o FILE` (`.toml` is a lexicon), else the table.
fn destination_format(args: &Args) -> VariantsFormat {
    if let Some(f) = args.format {
        return f;
    }
    let toml = args
        .output
        .as_ref()
        .and_then(|o| o.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if toml {
        VariantsFormat::Toml
    } else {
        VariantsFormat::Table
    }
}

/// The shared output options for a report format.
fn report_output(args: &Args, format: OutputFormat) -> OutputArgs {
    OutputArgs {
        format: Some(format),
        output: args.output.clone(),
        force: args.force,
        raw_csv: args.raw_csv,
    }
}

/// (term, spelling, count, documents), in the terms' order, most frequent spelling first.
fn tally(found: &[Found], term_count: usize) -> Vec<(usize, String, u64, u64)> {
    let mut all: HashMap<(usize, &str), (u64, u64)> = HashMap::new();
    for doc in found {
        for (t, spelling, n) in &doc.spellings {
            let entry = all.entry((*t, spelling)).or_default();
            entry.0 += n;
            entry.1 += 1;
        }
    }
    let mut rows: Vec<(usize, String, u64, u64)> = all
        .into_iter()
        .filter(|((t, _), _)| *t < term_count)
        .map(|((t, s), (n, d))| (t, s.to_string(), n, d))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)).then(a.1.cmp(&b.1)));
    rows
}

/// The report (see the schema at the top of this file).
fn build_report(terms: &[String], found: &[Found], rows: &[(usize, String, u64, u64)]) -> Report {
    let tokens: u64 = found.iter().map(|f| f.tokens).sum();
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("variants"));
    report.meta.insert("terms".into(), json!(terms));
    report.meta.insert(
        "total".into(),
        json!({"documents": found.len(), "tokens": tokens}),
    );
    let mut table = Table::new(vec![
        Column::new("term", "Term"),
        Column::new("variant", "Spelling").highlighted(),
        Column::number("count", "Count"),
        Column::number("documents", "Documents"),
    ]);
    table.title = Some(format!(
        "Spellings in {} document{}: {tokens} words",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    ));
    for (t, spelling, n, d) in rows {
        table.push(vec![
            Value::text(&terms[*t]),
            Value::text(spelling),
            Value::Int(*n as i64),
            Value::Int(*d as i64),
        ]);
    }
    let missing: Vec<&str> = (0..terms.len())
        .filter(|t| !rows.iter().any(|r| r.0 == *t))
        .map(|t| terms[t].as_str())
        .collect();
    if !missing.is_empty() {
        table
            .notes
            .push(format!("No spelling found of: {}.", missing.join(", ")));
    }
    report.tables.push(table);
    report.notes.push(VARIANTS_NOTE.to_string());
    report
}

/// How spellings are found, in plain words.
const VARIANTS_NOTE: &str = "Spellings: words that are the term, or one of its regular inflections \
(-s, -'s, -ed, -ing), once case, hyphens and spaces are ignored and -ise/-ize, -yse/-yze, \
-our/-or, -re/-er, ae/e and judgement/judgment made alike; and the term split into two words \
(\"co production\"). Listed for you to judge: a few unrelated words can look alike this way.";

/// The lexicon of the spellings found: one term per TERM (those with no spelling found keep the
/// term itself), category `variants`. A spelling of two terms is a form of the first only.
fn lexicon_toml(
    terms: &[String],
    rows: &[(usize, String, u64, u64)],
    documents: usize,
) -> anyhow::Result<String> {
    let located = |s: &str| Located::new(s.to_string(), None);
    let mut used = std::collections::HashSet::new();
    let raw_terms = terms
        .iter()
        .enumerate()
        .map(|(t, term)| {
            let mut forms: Vec<Located<String>> = rows
                .iter()
                .filter(|r| r.0 == t && used.insert(r.1.clone()))
                .map(|r| located(&r.1))
                .collect();
            if forms.is_empty() && used.insert(crate::tokenise::fold(term)) {
                forms.push(located(term));
            }
            RawTerm {
                line: None,
                label: located(term),
                category: located("variants"),
                forms,
                exclude: Vec::new(),
                note: None,
            }
        })
        .filter(|t| !t.forms.is_empty())
        .collect();
    let raw = RawLexicon {
        name: Some("variants".to_string()),
        description: Some(format!(
            "Spellings found by termtally variants in {documents} {}",
            if documents == 1 {
                "document"
            } else {
                "documents"
            }
        )),
        categories: vec![(located("variants"), "spellings of one term".to_string())],
        terms: raw_terms,
        ..RawLexicon::default()
    };
    Ok(validate(raw, "variants")?.to_toml())
}

/// Writes `text` to `-o FILE` (atomically) or standard output.
fn write_text(args: &Args, text: &str) -> anyhow::Result<()> {
    if let Some(path) = args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        return write_file_atomically(path, args.force, |w| w.write_all(text.as_bytes()));
    }
    let mut out = std::io::stdout().lock();
    Ok(ignore_broken_pipe(
        out.write_all(text.as_bytes()).and_then(|_| out.flush()),
    )?)
}
