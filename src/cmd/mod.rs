//! One file per subcommand, each starting with its usage text, each a `run(args)`.

pub mod count;
pub mod diff;
pub mod extract;
pub mod kwic;
pub mod lexicon;
pub mod pdf_worker;
pub mod reproduce;
pub mod words;

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::cli::InputArgs;
use crate::document::Document;
use crate::extract::{Input, extract as extract_document};
use crate::normalise::normalise_with;
use crate::report::Outcome;

/// Extracts and normalises every input in parallel, keeping the input order. A document that
/// fails is reported on stderr (`termtally: FILE: reason`) and left out; with `--strict` the first
/// failure is fatal. `-` reads standard input.
pub fn load_documents(
    files: &[PathBuf],
    input: &InputArgs,
    outcome: &Outcome,
) -> anyhow::Result<Vec<Document>> {
    let opts = input.extract_options()?;
    let cleaning = input.normalise_options();
    let inputs = to_inputs(files)?;
    let progress = progress_bar(inputs.len() as u64, "extracting");
    let results: Vec<_> = inputs
        .par_iter()
        .map(|input| {
            let result = extract_document(input, &opts).map(|doc| normalise_with(doc, cleaning));
            progress.inc(1);
            (input.name(), result)
        })
        .collect();
    progress.finish_and_clear();
    let mut docs = Vec::with_capacity(results.len());
    for (name, result) in results {
        match result {
            Ok(doc) => {
                outcome.succeed();
                docs.push(doc);
            }
            Err(err) if input.strict => {
                anyhow::bail!("{name}: {err} (stopping: --strict)")
            }
            Err(err) => outcome.fail(&name, err),
        }
    }
    Ok(docs)
}

/// Turns file arguments into inputs, reading standard input once for `-`.
pub fn to_inputs(files: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    let mut stdin: Option<Vec<u8>> = None;
    let mut inputs = Vec::with_capacity(files.len());
    for file in files {
        if file.as_os_str() == "-" {
            if stdin.is_none() {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes)?;
                stdin = Some(bytes);
            } else {
                anyhow::bail!("standard input (-) can be given only once");
            }
            inputs.push(Input::Stdin(stdin.clone().unwrap_or_default()));
        } else {
            inputs.push(Input::from_arg(file));
        }
    }
    Ok(inputs)
}

/// A progress bar on stderr, shown only for long work on a terminal.
pub fn progress_bar(len: u64, message: &'static str) -> indicatif::ProgressBar {
    if len < 4 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}
