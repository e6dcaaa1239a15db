//! The command line: the subcommands and the entry point `main` calls. The options the commands
//! share are in `cmd::args`, the output options in `output`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd;

const EXAMPLES: &str = "\
Examples:
  termtally reproduce                          the study's Tables 1 and 2 beside termtally's counts
  termtally extract guidance.pdf               clean text, pages separated by form feeds
  termtally count --by page report.pdf         term counts per page, study lexicon, word mode
  termtally kwic coproduction code.pdf         every hit in context, with page and paragraph
  termtally diff old.pdf new.pdf               what changed between two editions
  termtally trend --edition 2014 a.pdf --edition 2015 b.pdf --edition 2024 c.pdf
                                               each term over several editions
  termtally report reports/*.pdf -o report.html  one HTML file: method, charts, citations
  termtally merge a.json b.json                the counts of two parts of a corpus together
  termtally lexicon list                       the built-in lexicons";

#[derive(Parser, Debug)]
#[command(
    name = "termtally",
    version,
    about = "Count, compare and cite the language of policy documents",
    long_about = "termtally reads policy documents (PDF, legislation.gov.uk XML, HTML, DOCX, text), \
counts the terms of a lexicon under an explicit matching mode, and shows every hit with its page \
and paragraph so it can be cited.",
    after_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Extract(cmd::extract::Args),
    Count(cmd::count::Args),
    Kwic(cmd::kwic::Args),
    Diff(cmd::diff::Args),
    Trend(cmd::trend::Args),
    Words(cmd::words::Args),
    Ngrams(cmd::ngrams::Args),
    Collocates(cmd::collocates::Args),
    Variants(cmd::variants::Args),
    Report(cmd::report::Args),
    Merge(cmd::merge::Args),
    Reproduce(cmd::reproduce::Args),
    Lexicon(cmd::lexicon::Args),
    Serve(cmd::serve::Args),
    /// Internal: extracts one PDF in an isolated process (see `extract::pdf`).
    #[command(name = "__pdf-worker", hide = true)]
    PdfWorker(cmd::pdf_worker::Args),
}

pub fn main() -> ExitCode {
    crate::signals::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let result = match cli.command {
        Command::Extract(args) => cmd::extract::run(args),
        Command::Count(args) => cmd::count::run(args),
        Command::Kwic(args) => cmd::kwic::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Trend(args) => cmd::trend::run(args),
        Command::Words(args) => cmd::words::run(args),
        Command::Ngrams(args) => cmd::ngrams::run(args),
        Command::Collocates(args) => cmd::collocates::run(args),
        Command::Variants(args) => cmd::variants::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Merge(args) => cmd::merge::run(args),
        Command::Reproduce(args) => cmd::reproduce::run(args),
        Command::Lexicon(args) => cmd::lexicon::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::PdfWorker(args) => cmd::pdf_worker::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "termtally: {}",
                crate::outcome::one_line(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}

/// Prints clap's help, version or usage error as `Error::exit` would, but a help text that
/// cannot be written (`--help > /dev/full`) is an error, not a success.
fn clap_exit(e: &clap::Error) -> ExitCode {
    use std::io::Write;
    if !e.use_stderr() {
        let text = e.render().to_string();
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(io) if io.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(io) => {
                eprintln!("termtally: cannot write the help to standard output: {io}");
                ExitCode::from(2)
            }
        };
    }
    let _ = e.print();
    ExitCode::from(2)
}

/// `termtally ... | head` closes the pipe early; that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
