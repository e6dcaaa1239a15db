//! termtally trend: how each term's frequency moves over N ordered editions (a code of practice in
//! 2014, 2015 and a later draft; a council's policy year by year).
//!
//! Usage: termtally trend --edition LABEL FILE... --edition LABEL FILE... [options]
//!        options: [--lexicon NAME|PATH] [--mode word|family|substring]
//!                 [--ll two-term|four-term] [--p 0.05|0.01|0.001|0.0001]
//!                 [--format table|csv|tsv|json|md|latex] [-o FILE] [--force]
//!
//! Each `--edition` is a label and its documents, counted together as one corpus, exactly as
//! `count` counts them; editions are kept in the order given. One table, one row per term (and
//! per category total) per edition: its count, the edition's tokens, the rate per 10,000 tokens,
//! and the change from the edition before with `diff`'s statistics (the earlier edition is OLD,
//! the later NEW). A spreadsheet charts it directly: filter on a term, plot `per_10k` against
//! `edition`; or pivot with terms as rows and editions as columns.
//!
//! JSON: `{"command": "trend", "lexicon": {name, origin, source}, "mode", "editions": [{"label",
//! "documents": [{path, tokens}], "tokens"}], "statistics": {log_likelihood, p}, "rows": [...],
//! "notes": [...]}`; every row has `kind` ("term" or "category"), `term` (null for a category
//! total), `category`, `edition`, `edition_index` (0, 1, ...), `count`, `tokens`, `per_10k`,
//! `previous` (the edition before; null, as every statistic, for the first edition),
//! `change_per_10k`, `status`, `direction`, `log_likelihood`, `p_value`, `significance`,
//! `log_ratio`, `pct_diff`, `bic`, `ell`.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value as Json, json};

use crate::cmd::args::{InputArgs, KeynessArgs, LexiconArgs, StreamArgs};
use crate::cmd::sides::count_side;
use crate::cmd::{load_or_stream, print_summary, write_counted};
use crate::count::{CorpusCounts, category_totals};
use crate::keyness::LlForm;
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Mode};
use crate::outcome::Outcome;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::diff::{keyness_cells, keyness_columns, side_json, statistics_note};
use crate::table::{Column, Report, Row, Table, Value};
use crate::trend::{EditionCount, Point, series};

const EXAMPLES: &str = "\
Examples:
  termtally trend --edition 2014 code-2014.pdf --edition 2015 code-2015.pdf
                  --edition draft code-draft.pdf               three editions of one document
  termtally trend --edition 2023 reports/*-2023.pdf --edition 2024 reports/*-2024.pdf
                  --edition 2025 reports/*-2025.pdf -o trend.csv
                                                               a collection year by year, for a chart

Each row is one term in one edition; the statistics compare it with the edition before
(as `termtally diff` does: G2, p, Log Ratio, %DIFF, BIC, ELL; see `termtally diff --help`).";

/// Follow each term over several ordered editions: its count and rate in each, and the change
/// from one edition to the next with keyness statistics.
///
/// Plain-text files over 32 MB are read in chunks of 2 MB rather than whole, as `count` reads
/// them (see `termtally count --help`).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub editions: EditionArgs,
    #[command(flatten)]
    pub lexicon: LexiconArgs,
    #[command(flatten)]
    pub keyness: KeynessArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub streaming: StreamArgs,
}

/// The repeated `--edition LABEL FILE...`, each occurrence kept apart (clap's derive flattens
/// repeated multi-value options into one list, so this reads the occurrences itself).
#[derive(Debug, Clone, Default)]
pub struct EditionArgs {
    /// The values of each `--edition`: the label, then the files.
    pub occurrences: Vec<Vec<String>>,
}

impl clap::FromArgMatches for EditionArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let occurrences = matches
            .get_occurrences::<String>("edition")
            .map(|o| o.map(|values| values.cloned().collect()).collect())
            .unwrap_or_default();
        Ok(EditionArgs { occurrences })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = EditionArgs::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for EditionArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.arg(
            clap::Arg::new("edition")
                .long("edition")
                .num_args(2..)
                .value_names(["LABEL", "FILE"])
                .action(clap::ArgAction::Append)
                .required(true)
                .help(
                    "An edition: its label (e.g. a year) and its documents, counted together. \
                     Give at least two, in order.",
                ),
        )
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        EditionArgs::augment_args(cmd)
    }
}

/// The editions from the command line: (label, files), labels distinct, at least two.
fn editions(args: &Args) -> anyhow::Result<Vec<(String, Vec<PathBuf>)>> {
    let editions: Vec<(String, Vec<PathBuf>)> = args
        .editions
        .occurrences
        .iter()
        .map(|values| {
            let (label, files) = values.split_first().expect("clap requires two values");
            (label.clone(), files.iter().map(PathBuf::from).collect())
        })
        .collect();
    if editions.len() < 2 {
        anyhow::bail!(
            "trend compares editions, but only one was given; give at least two: \
             --edition LABEL FILE... --edition LABEL FILE..."
        );
    }
    for (i, (label, _)) in editions.iter().enumerate() {
        if editions[..i].iter().any(|(other, _)| other == label) {
            anyhow::bail!(
                "the edition label {label:?} is given twice; each edition needs its own label"
            );
        }
    }
    Ok(editions)
}

/// One counted edition.
struct Counted {
    label: String,
    counts: CorpusCounts,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let editions = editions(&args)?;
    let mode = args.lexicon.matching.mode;
    let lexicon = Lexicon::load(&args.lexicon.lexicon)?;
    let matcher = Matcher::new(&lexicon, mode)?;
    let output = args.output.resolve(OutputFormat::Table)?;

    let outcome = Outcome::new();
    let mut counted = Vec::with_capacity(editions.len());
    let mut streamed = Vec::new();
    for (label, files) in editions {
        let nothing = || {
            // Prints the "N of M documents failed" line before the reason nothing follows.
            print_summary(&outcome);
            anyhow::anyhow!(
                "no document of edition {label:?} could be read, so there is nothing to compare"
            )
        };
        let sources = load_or_stream(&files, &args.input, &args.streaming, &outcome)?;
        if sources.is_empty() {
            return Err(nothing());
        }
        let side = count_side(
            sources,
            &matcher,
            false,
            &args.input,
            &args.streaming,
            &outcome,
        )?;
        if side.counts.documents.is_empty() {
            return Err(nothing());
        }
        streamed.extend(side.streamed);
        counted.push(Counted {
            label,
            counts: side.counts,
        });
    }
    let mut report = build_report(&lexicon, mode, &args.keyness, &counted);
    args.input.scope.scope().annotate(&mut report);
    write_counted(report, &streamed, &args.streaming, &output, &outcome)
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("kind", "Kind").machine_only(),
        Column::new("term", "Term").highlighted(),
        Column::new("category", "Category"),
        Column::new("edition", "Edition"),
        Column::number("edition_index", "#").machine_only(),
        Column::number("count", "Count"),
        Column::number("tokens", "Tokens"),
        Column::number("per_10k", "/10k"),
        Column::new("previous", "From").machine_only(),
        Column::number("change_per_10k", "Change /10k"),
    ]
    .into_iter()
    .chain(keyness_columns())
    .collect()
}

/// The rows of one term (or category) over the editions.
fn push_series(
    table: &mut Table,
    (kind, term, category): (&str, Value, &str),
    editions: &[Counted],
    points: &[Point],
    alpha: f64,
) {
    for (i, (edition, point)) in editions.iter().zip(points).enumerate() {
        let mut cells = vec![
            Value::text(kind),
            term.clone(),
            Value::text(category),
            Value::text(&edition.label),
            Value::Int(i as i64),
            Value::Int(point.count as i64),
            Value::Int(point.tokens as i64),
            Value::Float(point.per_10k, 2),
        ];
        match &point.change {
            // The first edition: no previous one, no change, no statistics.
            None => cells.extend(std::iter::repeat_n(
                Value::Null,
                2 + keyness_columns().len(),
            )),
            Some(k) => {
                cells.push(Value::text(&editions[i - 1].label));
                cells.push(Value::Float(k.rate_change(), 2));
                cells.extend(keyness_cells(k, alpha));
            }
        }
        table.push_row(Row {
            cells,
            bold: kind == "category",
        });
    }
}

fn edition_json(edition: &Counted) -> Json {
    let mut json = json!({"label": edition.label});
    if let (Some(object), Json::Object(side)) = (json.as_object_mut(), side_json(&edition.counts)) {
        object.extend(side);
    }
    json
}

/// The trend table: every term, then every category total, each over the editions in order.
fn build_report(
    lexicon: &Lexicon,
    mode: Mode,
    keyness: &KeynessArgs,
    editions: &[Counted],
) -> Report {
    let (form, alpha): (LlForm, f64) = (keyness.ll, keyness.alpha());
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("trend"));
    report.meta.insert(
        "lexicon".into(),
        json!({"name": lexicon.name, "origin": lexicon.origin, "source": lexicon.source}),
    );
    report.meta.insert("mode".into(), json!(mode.name()));
    report.meta.insert(
        "editions".into(),
        json!(editions.iter().map(edition_json).collect::<Vec<_>>()),
    );
    report.meta.insert(
        "statistics".into(),
        json!({"log_likelihood": form.name(), "p": alpha}),
    );

    let mut table = trend_table(lexicon, form, alpha, editions);
    table.title = Some(format!(
        "Terms of {} over {} editions ({} mode)",
        lexicon.name,
        editions.len(),
        mode.name()
    ));
    report.tables.push(table);

    let sizes: Vec<String> = editions.iter().map(describe_edition).collect();
    report
        .notes
        .push(format!("Editions in order: {}.", sizes.join("; ")));
    report.notes.push(statistics_note(form, alpha).replacen(
        "NEW compared with OLD.",
        "Each edition (NEW) compared with the one before (OLD).",
        1,
    ));
    report
}

/// "2024: 21 documents, 66532 tokens".
fn describe_edition(edition: &Counted) -> String {
    let n = edition.counts.documents.len();
    let plural = if n == 1 { "" } else { "s" };
    format!(
        "{}: {n} document{plural}, {} tokens",
        edition.label, edition.counts.tokens
    )
}

/// Every term, then every category total, each over the editions in order.
fn trend_table(lexicon: &Lexicon, form: LlForm, alpha: f64, editions: &[Counted]) -> Table {
    let mut table = Table::new(columns());
    // The counts of one term (or category) in each edition, by edition index.
    let of = |count: &dyn Fn(usize) -> u64| -> Vec<EditionCount> {
        editions
            .iter()
            .enumerate()
            .map(|(k, e)| EditionCount {
                count: count(k),
                tokens: e.counts.tokens,
            })
            .collect()
    };
    for (i, term) in lexicon.terms.iter().enumerate() {
        let points = series(
            form,
            &of(&|k| editions[k].counts.counts.get(i).copied().unwrap_or(0)),
        );
        push_series(
            &mut table,
            ("term", Value::text(&term.label), &term.category),
            editions,
            &points,
            alpha,
        );
    }
    let totals: Vec<Vec<u64>> = editions
        .iter()
        .map(|e| category_totals(lexicon, &e.counts.counts))
        .collect();
    for (c, category) in lexicon.categories.iter().enumerate() {
        let points = series(form, &of(&|k| totals[k][c]));
        push_series(
            &mut table,
            ("category", Value::Null, &category.name),
            editions,
            &points,
            alpha,
        );
    }
    table.notes.push(
        "One row per term and edition; the statistics compare each edition with the one before it (empty for the first)."
            .to_string(),
    );
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_are_labels_with_files_in_order() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let parse = |argv: &[&str]| {
            Cli::try_parse_from(std::iter::once("trend").chain(argv.iter().copied()))
                .map(|c| c.args)
        };
        let a = parse(&[
            "--edition",
            "2014",
            "a.pdf",
            "--edition",
            "2015",
            "b.pdf",
            "c.pdf",
        ])
        .unwrap();
        let e = editions(&a).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0], ("2014".to_string(), vec![PathBuf::from("a.pdf")]));
        assert_eq!(e[1].1.len(), 2);
        assert!(
            parse(&["--edition", "2014"]).is_err(),
            "a label needs files"
        );
        assert!(editions(&parse(&["--edition", "2014", "a.pdf"]).unwrap()).is_err());
        let twice = parse(&["--edition", "x", "a", "--edition", "x", "b"]).unwrap();
        assert!(editions(&twice).unwrap_err().to_string().contains("twice"));
    }
}
