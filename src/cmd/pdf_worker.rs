//! `termtally __pdf-worker --name NAME`: internal. Reads one PDF on standard input and prints
//! the extracted document as JSON on standard output. The parent process runs it under a time
//! limit, so a panic or endless loop in the PDF library costs one document, not the batch.

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Name of the document, for messages.
    #[arg(long)]
    name: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::extract::pdf::run_worker(&args.name)?;
    Ok(ExitCode::SUCCESS)
}
