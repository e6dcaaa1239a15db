//! termtally diff: how the vocabulary changed between two versions of a document (or two sets of
//! documents), with corpus-linguistics keyness statistics.
//!
//! Several documents on a side are one corpus (their counts and tokens are added). For each term
//! of the lexicon (and with `--all-words` each word type, lower-cased, tokens as `count` defines
//! them) it prints the count and rate per 10,000 tokens in OLD and NEW, the change, a status (new,
//! gone, up, down when significant at `--p`, else "no significant change"), log-likelihood G2
//! (two-term by default, `--ll four-term`) with its p value and significance, Log Ratio, %DIFF,
//! BIC and ELL (see [`crate::keyness`]); then the totals of each category with the same
//! statistics. Word rows are tested at a level corrected for the number of word types compared
//! (`--correction`). Rows are sorted by G2 (most significant change first); `keyword` says
//! `positive` (significantly more frequent in NEW) or `negative` (significantly less frequent).
//! Counts are those of `termtally count`: the same `count::count_corpus` over the same documents.
//!
//! JSON: `{"command", "lexicon": {name, origin, source}, "mode", "old": {"documents": [{path,
//! tokens}], "tokens"}, "new": {...}, "statistics": {log_likelihood, p, correction,
//! words_compared, word_p, word_critical_g2, stopwords, min_docs, proper_nouns,
//! proper_nouns_left_out}, "rows": [...], "notes": [...]}`;
//! every row has `kind` ("term", "category" or "word"), `term` (null for a category total),
//! `category` (null for a word), `old_count`, `new_count`, `old_tokens`, `new_tokens`,
//! `old_per_10k`, `new_per_10k`, `change_per_10k`, `status`, `direction` (up, down, new, gone or
//! same, significant or not), `log_likelihood`, `p_value`, `significance`, `p_below`,
//! `log_ratio`, `pct_diff` (null where OLD has none: undefined), `bic`, `ell` (null when the
//! smaller expected count is at most 1), `keyword`.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::cmd::args::{InputArgs, KeynessArgs, LexiconArgs, StreamArgs, WordListArgs};
use crate::cmd::sides::{Side, count_side};
use crate::cmd::{load_or_stream, print_summary, write_counted};
use crate::frequency::merge;
use crate::keyness::{Correction, LlForm, WordRow, compare_words};
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::diff::{ReportOptions, SortBy, build_report};
use crate::stopwords::WordFilter;
use crate::table::Report;

const EXAMPLES: &str = "\
Examples:
  termtally diff code-2014.pdf code-2015.pdf               the study's terms, old edition vs new
  termtally diff old.pdf new.pdf --all-words --min-count 5  every word, most significant change first
  termtally diff --old reports-2023/*.pdf --new reports-2024/*.pdf --all-words
      --stopwords english --min-docs 3 --top 30            the 30 keywords worth reading
  termtally diff --old reports-2023/*.pdf --new reports-2024/*.pdf
                                                           two sets of documents as two corpora
  termtally diff old.pdf new.pdf --lexicon modality -o changes.csv

Statistics (NEW compared with OLD): G2 = log-likelihood, by default the two-term form
(Rayson & Garside 2000, as the UCREL wizard computes it), with --ll four-term the 2x2-table form
(AntConc's keyword lists); p from the chi-squared distribution (1 d.f.); * p<0.05, ** p<0.01,
*** p<0.001, **** p<0.0001. Status up/down/new/gone only when p < --p (default 0.05), else
\"no significant change\"; with --all-words the level for words is corrected for the number of word
types compared (Bonferroni by default). Log Ratio = log2 of NEW's rate over OLD's (Hardie 2014):
1 = twice as frequent in NEW, -1 = half. %DIFF = change in rate as a percentage of OLD's
(Gabrielatos & Marchi 2012), empty when OLD has none. BIC = G2 - ln N (negative: weak evidence
even when significant). ELL = G2 / (N ln Emin) (Johnston et al. 2006), empty when Emin <= 1.";

/// Compare two documents (or two sets of documents): each term's count and rate in OLD and NEW,
/// with keyness statistics (log-likelihood, Log Ratio, %DIFF).
///
/// Plain-text files over 32 MB are read in chunks of 2 MB rather than whole, as `count` reads
/// them (see `termtally count --help`).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The OLD and the NEW document (or use --old and --new for several on each side).
    #[arg(value_name = "OLD NEW")]
    pub files: Vec<PathBuf>,
    /// Documents of the OLD side, counted together as one corpus.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub old: Vec<PathBuf>,
    /// Documents of the NEW side, counted together as one corpus.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub new: Vec<PathBuf>,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
    /// Also compare every word type (lower-cased) of either side.
    #[arg(long)]
    pub all_words: bool,
    /// Leave out terms and words counted fewer than N times on both sides together.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_count: u64,
    /// Row order.
    #[arg(long, value_enum, default_value_t = SortBy::Keyness)]
    pub sort: SortBy,
    #[command(flatten)]
    pub keyness: KeynessArgs,
    /// With --all-words, correct the significance level of words for the number m of word types
    /// compared: Bonferroni (α/m) or Šidák (1 − (1 − α)^(1/m)). Terms and categories are tested
    /// at --p itself.
    #[arg(long, value_enum, default_value_t = Correction::Bonferroni)]
    pub correction: Correction,
    /// (--stopwords, --min-docs and --top apply to the --all-words list.)
    #[command(flatten)]
    pub word_list: WordListArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
}

/// The two sides' documents from the command line.
fn sides(args: &Args) -> anyhow::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    if args.input.files_from.is_some() {
        anyhow::bail!(
            "diff needs to know each document's side: give folders or quoted globs to --old and \
             --new instead of --files-from"
        );
    }
    let flags = !args.old.is_empty() || !args.new.is_empty();
    match (args.files.len(), flags) {
        (2, false) => Ok((vec![args.files[0].clone()], vec![args.files[1].clone()])),
        (0, true) if !args.old.is_empty() && !args.new.is_empty() => {
            Ok((args.old.clone(), args.new.clone()))
        }
        (0, true) => {
            anyhow::bail!("give documents for both sides: --old FILE... and --new FILE...")
        }
        (0, false) => {
            anyhow::bail!("give an OLD and a NEW document (or --old FILE... --new FILE...)")
        }
        (_, true) => anyhow::bail!(
            "give either two documents (OLD NEW) or --old FILE... --new FILE..., not both; \
             put every document of a side after its flag"
        ),
        (n, false) => anyhow::bail!(
            "diff compares two documents, OLD and NEW, but {}; for several documents per side \
             use --old FILE... --new FILE...",
            if n == 1 {
                "only 1 was given".to_string()
            } else {
                format!("{n} were given")
            }
        ),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (old_files, new_files) = sides(&args)?;
    // The lexicon is validated before any document is read.
    let mode = args.lexicon.matching.mode;
    let lexicon = args.lexicon.load()?;
    let matcher = Matcher::new(&lexicon, mode)?;
    if !args.all_words && args.word_list.any() {
        anyhow::bail!(
            "--stopwords, --min-docs, --proper-nouns and --top filter the list of every word: add --all-words"
        );
    }
    let filter = args.word_list.filter()?;
    let output = args.output.resolve(OutputFormat::Table)?;

    let outcome = Outcome::new();
    // Both sides at once, so a one-document side does not leave a core idle.
    let (old_sources, new_sources) = rayon::join(
        || load_or_stream(&old_files, &args.input, &args.streaming, &outcome),
        || load_or_stream(&new_files, &args.input, &args.streaming, &outcome),
    );
    let nothing_on = |side: &str| {
        // Prints the "N of M documents failed" line before the reason nothing follows.
        print_summary(&outcome);
        anyhow::anyhow!("no {side} document could be read, so there is nothing to compare")
    };
    let (old_sources, new_sources) = (old_sources?, new_sources?);
    for (side, sources) in [("OLD", &old_sources), ("NEW", &new_sources)] {
        if sources.is_empty() {
            return Err(nothing_on(side));
        }
    }
    let count = |sources| {
        count_side(
            sources,
            &matcher,
            args.all_words,
            &args.input,
            &args.streaming,
            &outcome,
        )
    };
    let old = count(old_sources)?;
    let new = count(new_sources)?;
    for (side, counted) in [("OLD", &old), ("NEW", &new)] {
        // A large text file of the side may have failed as it was streamed.
        if counted.counts.documents.is_empty() {
            return Err(nothing_on(side));
        }
    }
    let (words, proper_nouns_left_out) = if args.all_words {
        let (rows, proper) = filtered_words(args.keyness.ll, &filter, &old, &new);
        (Some(rows), proper)
    } else {
        (None, 0)
    };
    let options = ReportOptions {
        mode,
        min_count: args.min_count,
        sort: args.sort,
        form: args.keyness.ll,
        alpha: args.keyness.alpha(),
        correction: args.correction,
        top: args.word_list.top,
    };
    let mut report = build_report(&lexicon, &options, &old.counts, &new.counts, words);
    add_filter_notes(&mut report, &filter, proper_nouns_left_out);
    let streamed: Vec<String> = old.streamed.into_iter().chain(new.streamed).collect();
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed, &args.streaming, &output, &outcome)
}

/// Every word type of either side with its keyness, less those the filter leaves out, and the
/// number left out as proper nouns (judged on both sides' documents together).
fn filtered_words(
    form: LlForm,
    filter: &WordFilter,
    old: &Side,
    new: &Side,
) -> (Vec<WordRow>, usize) {
    let (old_tokens, new_tokens) = (old.counts.tokens, new.counts.tokens);
    let mut rows = compare_words(form, &old.words, &new.words, old_tokens, new_tokens);
    // Documents of both sides together that contain each word.
    let documents = merge(
        old.documents_per_word.clone(),
        new.documents_per_word.clone(),
    );
    let proper_noun = |word: &str| {
        let count = old.words.get(word).unwrap_or(0) + new.words.get(word).unwrap_or(0);
        let capitals = old.words.capitals(word).plus(new.words.capitals(word));
        capitals.is_proper_noun(count)
    };
    let proper = filter.retain(&mut rows, |(word, _)| {
        (
            word.as_str(),
            documents.get(word).unwrap_or(0),
            proper_noun(word),
        )
    });
    (rows, proper)
}

/// Says what the word filter left out (`proper` word types as proper nouns), under the word
/// list and in the JSON `statistics`.
fn add_filter_notes(report: &mut Report, filter: &WordFilter, proper: usize) {
    let note = filter.describe(proper);
    if let Some(stats) = report.meta.get_mut("statistics") {
        stats["stopwords"] = json!(filter.stop.as_ref().map(|s| s.name.clone()));
        stats["min_docs"] = json!(filter.min_docs);
        stats["proper_nouns"] = json!(filter.proper_nouns);
        stats["proper_nouns_left_out"] = json!(proper);
    }
    if let (false, Some(table)) = (note.is_empty(), report.tables.get_mut(2)) {
        table.notes.insert(0, note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_are_two_files_or_two_flags() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let parse = |argv: &[&str]| {
            Cli::try_parse_from(std::iter::once("diff").chain(argv.iter().copied())).map(|c| c.args)
        };
        let a = parse(&["a.pdf", "b.pdf"]).unwrap();
        assert_eq!(
            sides(&a).unwrap(),
            (vec![PathBuf::from("a.pdf")], vec![PathBuf::from("b.pdf")])
        );
        let a = parse(&["--old", "a", "b", "--new", "c", "d", "e"]).unwrap();
        let (o, n) = sides(&a).unwrap();
        assert_eq!((o.len(), n.len()), (2, 3));
        assert!(sides(&parse(&["a.pdf"]).unwrap()).is_err());
        assert!(sides(&parse(&["a", "b", "c"]).unwrap()).is_err());
        assert!(sides(&parse(&["--old", "a"]).unwrap()).is_err());
        assert!(sides(&parse(&["a", "b", "--old", "c"]).unwrap()).is_err());
    }
}
