//! termtally kwic: every hit of a pattern or a lexicon in context (keyword in context), with its
//! page and paragraph, ready to cite.
//!
//! One row per hit, in document order: document, page, section (paragraph number, or `s.19` in
//! legislation), cite (`p. 61, para 4.9`), left context, the match as written in the document,
//! right context, term and category. Hits come from the same [`Matcher`] as `termtally count`, so
//! for every term and mode the number of rows equals count's figure. Context stays inside the
//! paragraph block the hit is in (its page and paragraph are the citation).
//!
//! Large plain-text files are read as a stream, as `count` reads them (see `crate::stream`): only
//! the hits in context are held, never the whole text; a context ends where a chunk is cut.
//!
//! JSON: `{"command", "lexicon", "mode", "documents": [...], "rows": [{document, page, section,
//! cite, left, match, right, term, category}], "notes": [...]}`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cmd::args::{InputArgs, ModeArgs, StreamArgs};
use crate::kwic::{
    Concordance, DEFAULT_WIDTH, MAX_SORTED_HITS, SortKey, Span, contexts_of_terms, left_chars,
    right_chars, sorted_order,
};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::kwic::{Shown, build_report, shown_names};
use crate::stream::{Streamed, Tally, Work};

const EXAMPLES: &str = "\
Examples:
  termtally kwic coproduction code.pdf              every \"coproduction\", 40 characters each side
  termtally kwic \"co-produc*\" reports/*.pdf         a form with a wildcard, in many documents
  termtally kwic \"must not\" --sentence code.pdf     whole sentences around a phrase
  termtally kwic inform --mode substring code.pdf   also inside \"information\" (as a PDF viewer finds)
  termtally kwic --lexicon boddison-soan-2021 --category directive code.pdf
  termtally kwic --lexicon my-terms.toml --term Partnership -o partnership.csv code.pdf
                                                    a spreadsheet of hits to code by hand

PATTERN is written like a lexicon form: one or more words, `*` for any letters or digits inside a
word, matched case-insensitively under --mode. The cite column reads like `p. 61, para 4.9`.";

/// Show every hit of a word, phrase or lexicon in context, with page and paragraph.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The PATTERN to find (unless --lexicon is given), then the documents (files, folders or
    /// quoted globs); `-` reads standard input.
    #[arg(required = true, value_name = "PATTERN | FILE")]
    pub items: Vec<String>,
    /// Find the terms of this lexicon (a built-in name or a .toml/.yml/.dic file) instead of a PATTERN.
    #[arg(long, short = 'l', value_name = "NAME|PATH")]
    pub lexicon: Option<String>,
    /// With --lexicon: only hits of the term with this label (repeatable).
    #[arg(long, value_name = "LABEL", requires = "lexicon")]
    pub term: Vec<String>,
    /// With --lexicon: only hits of terms in this category.
    #[arg(long, value_name = "NAME", requires = "lexicon")]
    pub category: Option<String>,
    #[command(flatten)]
    pub matching: ModeArgs,
    /// Characters of context each side of the match [default: 40, or what fits the terminal].
    #[arg(long, short = 'w', value_name = "N")]
    pub width: Option<usize>,
    /// Show the whole sentence around each match instead of a fixed width.
    #[arg(long, short = 's', conflicts_with = "width")]
    pub sentence: bool,
    /// List the hits sorted by the words around them (AntConc's sort), by document or by page,
    /// instead of in text order; ties keep text order. Sorting holds every hit in memory: at
    /// most 1,000,000 hits (more stops with an error; narrow the PATTERN or the documents).
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<SortKey>,
    /// Also list the hits that exclusions left out (`exclude = [...]` or `--exclude`), marked
    /// in an `excluded` column; they are never counted.
    #[arg(long)]
    pub show_excluded: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which terms' hits to show (all, or those with the `labels`, within `category`).
pub fn selected_terms(
    lexicon: &Lexicon,
    labels: &[String],
    category: Option<&str>,
) -> anyhow::Result<Vec<bool>> {
    let mut selected = vec![labels.is_empty(); lexicon.terms.len()];
    for label in labels {
        match lexicon.term_index(label) {
            Some(i) => selected[i] = true,
            None => {
                let known: Vec<&str> = lexicon.terms.iter().map(|t| t.label.as_str()).collect();
                anyhow::bail!(
                    "{}: no term labelled {label:?} (terms: {})",
                    lexicon.origin,
                    known.join(", ")
                );
            }
        }
    }
    if let Some(name) = category {
        let Some(index) = lexicon.category_index(name) else {
            let known: Vec<&str> = lexicon.categories.iter().map(|c| c.name.as_str()).collect();
            anyhow::bail!(
                "{}: no category {name:?} (categories: {})",
                lexicon.origin,
                known.join(", ")
            );
        };
        for (term, keep) in lexicon.terms.iter().zip(selected.iter_mut()) {
            *keep &= term.category_index == index;
        }
    }
    Ok(selected)
}

/// The width of context that lets a row fit on the terminal, if output goes to one as a table.
fn terminal_width_fit(
    found: &[(String, Vec<Concordance>)],
    several_documents: bool,
    show_term: bool,
    lexicon: &Lexicon,
) -> Option<usize> {
    let columns = comfy_table::Table::new().width()? as usize;
    let longest = |f: &dyn Fn(&Concordance) -> usize| {
        found
            .iter()
            .flat_map(|(_, rows)| rows.iter())
            .map(f)
            .max()
            .unwrap_or(0)
    };
    let cite = longest(&|c| c.cite.chars().count()).max(4);
    let matched = longest(&|c| c.matched.chars().count()).max(5);
    let term = if show_term {
        longest(&|c| {
            lexicon
                .terms
                .get(c.term)
                .map_or(0, |t| t.label.chars().count())
        })
        .max(4)
            + 3
            + lexicon
                .categories
                .iter()
                .map(|c| c.name.chars().count())
                .max()
                .unwrap_or(8)
            + 3
    } else {
        0
    };
    let document = if several_documents {
        shown_names(found, true)
            .iter()
            .map(|name| name.chars().count())
            .max()
            .unwrap_or(8)
            + 3
    } else {
        0
    };
    // Borders and padding (3 per column and one), and some width to spare: comfy-table's
    // dynamic arrangement narrows the last columns before the table fills the terminal, by
    // more with the document column (measured on a 100-column terminal).
    let spare = if several_documents { 12 } else { 2 };
    let fixed = cite + 3 + matched + 3 + term + document + 2 * 3 + 1 + spare;
    Some((columns.saturating_sub(fixed) / 2).clamp(10, DEFAULT_WIDTH))
}

/// The lexicon to find (`--lexicon`, else the PATTERN, the first item) and the files to search.
fn lexicon_and_files(args: &Args) -> anyhow::Result<(Lexicon, Vec<String>)> {
    let files_from = args.input.files_from.is_some();
    pattern_or_lexicon("kwic", &args.items, args.lexicon.as_deref(), files_from)
}

/// For a command taking `PATTERN FILE...` or `--lexicon L FILE...` (`kwic`, `collocates`):
/// the lexicon (the `lexicon` given, else a one-term lexicon of the first item) and the files.
pub fn pattern_or_lexicon(
    command: &str,
    items: &[String],
    lexicon: Option<&str>,
    files_from: bool,
) -> anyhow::Result<(Lexicon, Vec<String>)> {
    Ok(match lexicon {
        Some(spec) => (Lexicon::load(spec)?, items.to_vec()),
        None => {
            let (pattern, files) = items
                .split_first()
                .ok_or_else(|| anyhow::anyhow!("give a PATTERN and at least one FILE"))?;
            let looks_like_a_file = std::path::Path::new(pattern).is_file();
            let no_files = files.is_empty() && !files_from;
            if no_files || (looks_like_a_file && Lexicon::from_pattern(pattern).is_err()) {
                if looks_like_a_file {
                    anyhow::bail!(
                        "{pattern:?} is a file, not a PATTERN: give the word or phrase to find first \
                         (termtally {command} PATTERN FILE...), or --lexicon NAME|PATH to find a lexicon's terms"
                    );
                }
                anyhow::bail!(
                    "give at least one FILE after the PATTERN {pattern:?} (or use --lexicon NAME|PATH to find a lexicon's terms)"
                );
            }
            (Lexicon::from_pattern(pattern)?, files.to_vec())
        }
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args.output.resolve(OutputFormat::Table)?;
    let mode = args.matching.mode;
    let (mut lexicon, files) = lexicon_and_files(&args)?;
    args.matching.apply_exclusions(&mut lexicon)?;
    if files.is_empty() && args.input.files_from.is_none() {
        anyhow::bail!("give at least one FILE to search");
    }
    let selected = selected_terms(&lexicon, &args.term, args.category.as_deref())?;
    // The whole lexicon is matched and hits filtered afterwards: in word mode a longer form of
    // another term ("must not") takes its words from a shorter one ("must"), exactly as in count.
    let matcher = Matcher::new(&lexicon, mode)?;

    let outcome = Outcome::new();
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let to_terminal = output.format == OutputFormat::Table && output.terminal;
    let requested = match (args.sentence, args.width) {
        (true, _) => Span::Sentence,
        (false, Some(width)) => Span::Chars(width),
        (false, None) => Span::Chars(DEFAULT_WIDTH),
    };
    let work = Work {
        tally: Tally::Concordance {
            matcher: &matcher,
            span: requested,
            terms: &selected,
        },
        cleaning: args.input.normalise_options(),
    };
    let (mut found, streamed_names) = super::load_and_count(
        &paths,
        &args.input,
        &args.streaming,
        &outcome,
        |doc| {
            (
                doc.name.clone(),
                contexts_of_terms(
                    doc,
                    &matcher,
                    requested,
                    Some(&selected),
                    args.show_excluded,
                ),
            )
        },
        work,
        |s: Streamed| {
            let rows = s.contexts.into_iter().next().unwrap_or_default();
            (s.counts.name, rows)
        },
    )?;
    if found.is_empty() {
        return Ok(super::finish(&outcome));
    }
    let order = hit_order(&found, args.sort)?;
    let several_documents = found.len() > 1;
    let show_term = lexicon.terms.len() > 1;
    if to_terminal && args.width.is_none() && !args.sentence {
        // Fit the terminal so the keyword column stays one aligned line per hit.
        if let Some(width) = terminal_width_fit(&found, several_documents, show_term, &lexicon) {
            cut_contexts(&mut found, width);
        }
    }

    let shown = Shown {
        several_documents,
        term: show_term,
        excluded: args.show_excluded,
        terminal: to_terminal,
    };
    let mut report = build_report(&lexicon, mode, &found, &order, shown);
    if let Some(key) = args.sort {
        report.notes.push(format!(
            "Sorted by {}: {}.",
            key.name(),
            key.description().to_lowercase()
        ));
    }
    args.input.scope.scope().annotate(&mut report);
    super::write_counted(report, &streamed_names, &args.streaming, &output, &outcome)
}

/// Every context cut to `width` characters next to the match.
fn cut_contexts(found: &mut [(String, Vec<Concordance>)], width: usize) {
    for (_, rows) in found {
        for row in rows.iter_mut() {
            row.left = left_chars(&row.left, row.left.len(), width)
                .trim_start()
                .to_string();
            row.right = right_chars(row.right.trim_start(), 0, width)
                .trim_end()
                .to_string();
        }
    }
}

/// The (document, hit) indices of `found` in the order listed: text order, or sorted by `sort`
/// (at most [`MAX_SORTED_HITS`] hits).
fn hit_order(
    found: &[(String, Vec<Concordance>)],
    sort: Option<SortKey>,
) -> anyhow::Result<Vec<(usize, usize)>> {
    let hits: usize = found.iter().map(|(_, rows)| rows.len()).sum();
    Ok(match sort {
        Some(_) if hits > MAX_SORTED_HITS => anyhow::bail!(
            "{hits} hits: --sort holds at most {MAX_SORTED_HITS} in memory; narrow the PATTERN or \
             the documents, or leave out --sort (hits in text order are not held)"
        ),
        Some(key) => sorted_order(found, key),
        None => found
            .iter()
            .enumerate()
            .flat_map(|(d, (_, rows))| (0..rows.len()).map(move |h| (d, h)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_and_category_filters() {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let only = selected_terms(&lex, &["inform".to_string()], None).unwrap();
        assert_eq!(only.iter().filter(|&&s| s).count(), 1);
        let directive = selected_terms(&lex, &[], Some("directive")).unwrap();
        assert!(
            directive
                .iter()
                .zip(&lex.terms)
                .all(|(s, t)| *s == (t.category == "directive"))
        );
        let err = selected_terms(&lex, &["nope".to_string()], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no term labelled \"nope\""), "{err}");
        assert!(selected_terms(&lex, &[], Some("nope")).is_err());
    }
}
