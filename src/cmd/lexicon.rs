//! termtally lexicon: list the built-in lexicons, print one as editable TOML, check a lexicon file.
//!
//! `show` prints a built-in exactly as shipped (with the comments that document its choices), so
//! `termtally lexicon show boddison-soan-2021 > mine.toml` starts a user's own lexicon; given a
//! quanteda YAML or LIWC `.dic` file it prints the equivalent termtally TOML. `check` validates
//! files and names every problem with its line; it exits 0 when all are valid, 2 otherwise.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use serde_json::json;

use crate::lexicon::{BUILTINS, Lexicon, builtin};
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::table::{Column, Report, Table, Value};

const EXAMPLES: &str = "\
Examples:
  termtally lexicon list                                   the built-in lexicons
  termtally lexicon show modality                          print one as editable TOML
  termtally lexicon show boddison-soan-2021 > mine.toml    start your own from the study's
  termtally lexicon check mine.toml                        validate before counting
  termtally lexicon show dictionary.yml > converted.toml   convert a quanteda or LIWC dictionary
  termtally lexicon show modality -f yaml > modality.yml   as a quanteda dictionary, for R";

/// List, show and check lexicons (the terms, categories and word forms that `count` counts).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Subcommand, Debug)]
pub enum Action {
    /// List the built-in lexicons: name, source, number of terms and forms.
    List {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print a lexicon as editable termtally TOML (a built-in as shipped, with its comments), or
    /// as a quanteda dictionary (--format yaml) for R.
    Show {
        /// Built-in name or lexicon file (.toml, .yml/.yaml, .dic).
        #[arg(value_name = "NAME|PATH")]
        name: String,
        /// `toml` (termtally) or `yaml` (a quanteda dictionary: quanteda::dictionary(file = ...)).
        #[arg(long, short = 'f', value_enum, default_value_t = ShowFormat::Toml)]
        format: ShowFormat,
    },
    /// Validate lexicon files (TOML, quanteda YAML, LIWC .dic) and report every problem.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// The formats of `lexicon show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Toml,
    Yaml,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::List { output } => list(&output),
        Action::Show { name, format } => show(&name, format),
        Action::Check { files } => check(&files),
    }
}

fn list(output: &OutputArgs) -> anyhow::Result<ExitCode> {
    let output = output.resolve(OutputFormat::Table)?;
    let mut table = Table::new(vec![
        Column::new("name", "Name").highlighted(),
        Column::new("title", "Title"),
        Column::new("categories", "Categories"),
        Column::number("terms", "Terms"),
        Column::number("forms", "Forms"),
        Column::new("source", "Source"),
    ]);
    table.title = Some("Built-in lexicons".to_string());
    for b in BUILTINS {
        let lex = Lexicon::from_builtin(b)?;
        let categories: Vec<&str> = lex.categories.iter().map(|c| c.name.as_str()).collect();
        table.push(vec![
            Value::text(b.name),
            Value::text(&lex.name),
            Value::text(categories.join(", ")),
            Value::Int(lex.terms.len() as i64),
            Value::Int(lex.form_count() as i64),
            Value::opt_text(lex.source.clone()),
        ]);
    }
    table.notes.push(
        "Use one with --lexicon NAME; print it with `termtally lexicon show NAME`; write your own TOML, or use a quanteda .yml or LIWC .dic file, with --lexicon PATH."
            .to_string(),
    );
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("lexicon list"));
    report.tables.push(table);
    output.write(&report)?;
    Ok(ExitCode::SUCCESS)
}

fn show(name: &str, format: ShowFormat) -> anyhow::Result<ExitCode> {
    let text = match (format, builtin(name)) {
        (ShowFormat::Toml, Some(b)) => b.toml.to_string(),
        (ShowFormat::Toml, None) => Lexicon::load(name)?.to_toml(),
        (ShowFormat::Yaml, _) => {
            let (text, warnings) = crate::lexicon::yaml::write(&Lexicon::load(name)?);
            for warning in warnings {
                eprintln!("termtally: warning: {warning}");
            }
            text
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write the lexicon to standard output")?;
    Ok(ExitCode::SUCCESS)
}

fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    let mut stdout = std::io::stdout().lock();
    for file in files {
        // A file of that name, else a built-in lexicon (`lexicon check modality`).
        let loaded = match file.to_str() {
            Some(name) if !file.exists() && builtin(name).is_some() => Lexicon::load(name),
            _ => Lexicon::from_path(file),
        };
        match loaded {
            Ok(lex) => writeln!(
                stdout,
                "{}: ok: {:?}, {} categories, {} terms, {} forms",
                file.display(),
                lex.name,
                lex.categories.len(),
                lex.terms.len(),
                lex.form_count()
            )
            .and_then(|()| {
                lex.exclusion_suggestions()
                    .into_iter()
                    .try_for_each(|hint| writeln!(stdout, "{}: suggestion: {hint}", file.display()))
            })
            .context("cannot write the check's result to standard output")?,
            Err(e) => {
                failed += 1;
                eprintln!("termtally: {e}");
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
