//! termtally report: one self-contained HTML file with the method, charts, tables and every
//! citation, to look at, print, or e-mail.
//!
//! Usage: termtally report FILE... -o report.html [--lexicon NAME|PATH] [--mode word|family|substring]
//!        [--contexts N|all] [--force]
//!        termtally report --old FILE... --new FILE... -o report.html   (adds the Change section)
//!
//! The numbers are those of `termtally count --format json` (the same `count_document` over the
//! same documents, and the same `count::build_report` table) and, with `--old/--new`, of
//! `termtally diff --old ... --new ...` (the same `diff::build_report`): computed once, rendered
//! as HTML by [`crate::render::html`]. The file needs no network: no scripts, fonts or images from
//! elsewhere, and a Content-Security-Policy that forbids them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cmd::args::{InputArgs, LexiconArgs};
use crate::count::Unit;
use crate::document::Document;
use crate::frequency::{WordCounts, merge};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::output::AtomicFile;
use crate::render::html::ReportPage;
use crate::report::count::{build_report as count_report, mode_note};
use crate::report::dispersion::add_dispersion;
use crate::report::page::{
    Analysed, DEFAULT_CONTEXTS, analyse_document, change_of, cleaning_note, file_sha256,
    generated_at, hex_sha256, shell_quote,
};
use crate::variants::{FormVariants, uncovered_warnings};

const EXAMPLES: &str = "\
Examples:
  termtally report corpora/examples -o report.html      the bundled examples, study lexicon
  termtally report reports/*.pdf -o send.html --contexts all
                                                        every hit in context, not the first 10
  termtally report --old reports-2023/*.pdf --new reports-2024/*.pdf -o change.html
                                                        adds the Change section (as termtally diff)
  termtally report --lexicon modality guidance.pdf -o modality.html

Open the file in any web browser (double-click it). It works offline and can be e-mailed: it
loads nothing from the network. With SOURCE_DATE_EPOCH set, the same inputs give the same bytes.";

/// Write one self-contained HTML report: method, category shares, terms by document, where the
/// terms fall across pages, every hit in context with its citation, and (with --old/--new) what
/// changed.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Documents to report on (PDF, legislation.gov.uk XML, HTML, DOCX, text); `-` reads standard
    /// input.
    #[arg(value_name = "FILE", required_unless_present_any = ["old", "new"], conflicts_with_all = ["old", "new"])]
    pub files: Vec<PathBuf>,
    /// Documents of the OLD side: the report covers OLD and NEW, and adds a Change section with
    /// the statistics of `termtally diff --old ... --new ...`.
    #[arg(long, num_args = 1.., value_name = "FILE", requires = "new")]
    pub old: Vec<PathBuf>,
    /// Documents of the NEW side (see --old).
    #[arg(long, num_args = 1.., value_name = "FILE", requires = "old")]
    pub new: Vec<PathBuf>,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
    /// Hits shown in context per term in each document (the total is always given), or `all`.
    #[arg(long, value_name = "N|all", default_value = "10", value_parser = parse_contexts)]
    pub contexts: ContextLimit,
    /// Write the report to FILE (atomically); without it, HTML goes to standard output when that
    /// is not a terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE given with -o if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

/// How many hits in context per term and document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextLimit {
    First(usize),
    All,
}

fn parse_contexts(text: &str) -> Result<ContextLimit, String> {
    if text.eq_ignore_ascii_case("all") {
        return Ok(ContextLimit::All);
    }
    text.parse()
        .map(ContextLimit::First)
        .map_err(|_| format!("{text:?} is not a number of hits or `all`"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The lexicon is validated, and the destination checked, before any document is read.
    let mode = args.lexicon.matching.mode;
    let lexicon = Lexicon::load(&args.lexicon.lexicon)?;
    let matcher = Matcher::new(&lexicon, mode)?;
    let file = open_destination(&args)?;

    let outcome = Outcome::new();
    let limit = match args.contexts {
        ContextLimit::First(n) => Some(n),
        ContextLimit::All => None,
    };
    let check = FormVariants::new(&lexicon);
    // Each document is read, analysed and dropped a few at a time (the bounded pipeline): what
    // is kept is its counts and the excerpts the page shows.
    let mut analysed = Analysed::new();
    let mut spellings = WordCounts::default();
    let mut side_sizes = Vec::new();
    let sides = if args.old.is_empty() {
        vec![&args.files]
    } else {
        vec![&args.old, &args.new]
    };
    for side in sides {
        let before = analysed.infos.len();
        let per_document = |doc: &Document| {
            let one = analyse_document(doc, &matcher, limit.unwrap_or(usize::MAX), |doc| {
                file_sha256(&doc.name)
            });
            (one, check.document_words(doc))
        };
        super::for_each_document(side, &args.input, &outcome, per_document, |(one, words)| {
            analysed.add(one);
            spellings = merge(std::mem::take(&mut spellings), words);
        })?;
        side_sizes.push(analysed.infos.len() - before);
    }
    if analysed.infos.is_empty() {
        return Ok(super::finish(&outcome));
    }
    let analysed = analysed.finish(&matcher);
    for warning in uncovered_warnings(&lexicon, &matcher, &check, &spellings) {
        eprintln!("termtally: {warning}");
    }
    let mut counts_table = count_report(&lexicon, mode, Unit::Document, &analysed.corpus);
    add_dispersion(&mut counts_table, &lexicon, &analysed.parts);
    let change =
        (!args.old.is_empty()).then(|| change_of(&lexicon, &analysed.corpus, mode, &side_sizes));

    let page = ReportPage {
        lexicon: &lexicon,
        lexicon_sha256: hex_sha256(lexicon.to_toml().as_bytes()),
        mode,
        mode_note: mode_note(mode),
        cleaning: with_scope(
            cleaning_note(
                args.input.keep_headers,
                args.input.include_commentaries,
                args.input.include_amendments,
            ),
            &args.input,
        ),
        documents: analysed.infos,
        failures: outcome.failures(),
        counts: &analysed.corpus,
        counts_table: &counts_table,
        contexts: analysed.contexts,
        contexts_limit: limit,
        contexts_default: DEFAULT_CONTEXTS,
        change,
        command: command_line(),
        generated: generated_at(),
        version: env!("CARGO_PKG_VERSION"),
    };
    write_html(file, &crate::render::html::render(&page))?;
    Ok(super::finish(&outcome))
}

/// `-o FILE` opened atomically (refused if it exists, unless --force), or `None` for standard
/// output, which must not be a terminal.
fn open_destination(args: &Args) -> anyhow::Result<Option<AtomicFile>> {
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            if path.is_dir() {
                anyhow::bail!("{}: is a directory; give a file name", path.display());
            }
            Ok(Some(AtomicFile::create(path, args.force)?))
        }
        _ if std::io::stdout().is_terminal() => anyhow::bail!(
            "the report is an HTML file: give -o FILE, e.g. -o report.html (or redirect standard output)"
        ),
        _ => Ok(None),
    }
}

/// Commits the file (and says where it is), or writes to standard output.
fn write_html(file: Option<AtomicFile>, html: &str) -> anyhow::Result<()> {
    match file {
        Some(mut file) => {
            file.write_all(html.as_bytes())?;
            let dest = file.dest().to_path_buf();
            file.commit()?;
            announce(&dest, html.len());
        }
        None => {
            let mut out = std::io::stdout().lock();
            crate::output::ignore_broken_pipe(
                out.write_all(html.as_bytes()).and_then(|_| out.flush()),
            )?;
        }
    }
    Ok(())
}

/// Tells the user where the report is and how to open it.
fn announce(dest: &Path, bytes: usize) {
    let shown = std::fs::canonicalize(dest).unwrap_or_else(|_| dest.to_path_buf());
    let size = if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1 << 10))
    };
    eprintln!(
        "termtally: report written to {} ({size}).\n\
         Open it in a web browser: double-click it, or paste file://{} into the address bar.",
        dest.display(),
        shown.display()
    );
}

/// The command as typed, for the Method section: `termtally` and the arguments, each quoted for a
/// POSIX shell when it needs it.
fn command_line() -> String {
    std::iter::once("termtally".to_string())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|a| shell_quote(&a.to_string_lossy())),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cleaning note with the scope (`--pages`, `--part`, …) the report counted, if any.
fn with_scope(mut note: String, input: &InputArgs) -> String {
    if let Some(scope) = input.scope.scope().describe() {
        note.push_str(&format!(
            " Scope: {scope}; only the text inside it was counted (words and rates too)."
        ));
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_take_a_number_or_all() {
        assert_eq!(parse_contexts("3"), Ok(ContextLimit::First(3)));
        assert_eq!(parse_contexts("ALL"), Ok(ContextLimit::All));
        assert!(parse_contexts("some").is_err());
    }
}
