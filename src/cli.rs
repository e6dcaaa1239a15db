//! Command-line definitions shared by the commands, and the entry point `main` calls.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::cmd;
use crate::extract::{ExtractOptions, PdfRunner};
use crate::render::OutputFormat;

const EXAMPLES: &str = "\
Examples:
  termtally reproduce                          the study's Tables 1 and 2 beside termtally's counts
  termtally extract guidance.pdf               clean text, pages separated by form feeds
  termtally count --by page report.pdf         term counts per page, study lexicon, word mode
  termtally kwic coproduction code.pdf         every hit in context, with page and paragraph
  termtally diff old.pdf new.pdf               what changed between two editions
  termtally report reports/*.pdf -o report.html  one HTML file: method, charts, citations
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
    Words(cmd::words::Args),
    Report(cmd::report::Args),
    Reproduce(cmd::reproduce::Args),
    Lexicon(cmd::lexicon::Args),
    /// Internal: extracts one PDF in an isolated process (see `extract::pdf`).
    #[command(name = "__pdf-worker", hide = true)]
    PdfWorker(cmd::pdf_worker::Args),
}

/// How documents are read: shared by every command that takes documents.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Seconds one document may take to extract before it is abandoned.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
    /// Password of encrypted PDFs.
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Encoding of plain-text input that is not UTF-8 (e.g. windows-1252, latin1).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// legislation XML: include editorial annotations (Commentaries).
    #[arg(long)]
    pub include_commentaries: bool,
    /// legislation XML: include quoted amendment text (BlockAmendment).
    #[arg(long)]
    pub include_amendments: bool,
    /// Keep running headers, footers and page numbers in the text (removed by default: they
    /// inflate counts).
    #[arg(long)]
    pub keep_headers: bool,
    /// Stop with exit code 2 at the first document that fails.
    #[arg(long)]
    pub strict: bool,
}

impl InputArgs {
    pub fn normalise_options(&self) -> crate::normalise::NormaliseOptions {
        crate::normalise::NormaliseOptions {
            keep_running_lines: self.keep_headers,
        }
    }

    pub fn extract_options(&self) -> anyhow::Result<ExtractOptions> {
        let encoding = match &self.encoding {
            None => None,
            Some(label) => Some(
                encoding_rs::Encoding::for_label(label.as_bytes())
                    .ok_or_else(|| anyhow::anyhow!("unknown encoding {label:?}"))?,
            ),
        };
        let pdf = match std::env::current_exe() {
            Ok(exe) => PdfRunner::Subprocess(exe),
            Err(_) => PdfRunner::InProcess,
        };
        Ok(ExtractOptions {
            timeout: Duration::from_secs(self.timeout.max(1)),
            password: self.password.clone(),
            encoding,
            include_commentaries: self.include_commentaries,
            include_amendments: self.include_amendments,
            pdf,
        })
    }
}

/// When large plain-text files are read as a stream (see `crate::stream`): hidden options for
/// tests and measurements, shared by the commands that stream.
#[derive(Args, Debug, Clone)]
pub struct StreamArgs {
    /// Plain-text files larger than this many bytes are streamed.
    #[arg(long, hide = true, env = "TERMTALLY_STREAM_THRESHOLD", value_name = "BYTES",
          default_value_t = crate::stream::DEFAULT_THRESHOLD)]
    pub stream_threshold: u64,
    /// Bytes per chunk when streaming.
    #[arg(long, hide = true, env = "TERMTALLY_STREAM_CHUNK", value_name = "BYTES",
          default_value_t = crate::stream::DEFAULT_CHUNK_BYTES,
          value_parser = clap::value_parser!(u64).range(crate::stream::MIN_CHUNK_BYTES..))]
    pub stream_chunk: u64,
}

impl StreamArgs {
    pub fn options(&self) -> crate::stream::StreamOptions {
        crate::stream::StreamOptions {
            threshold: self.stream_threshold,
            chunk_bytes: self.stream_chunk,
        }
    }
}

/// Where and how results are written: shared by every command that prints a table.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format; with -o, taken from the file extension unless given.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<OutputFormat>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE given with -o if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn main() -> ExitCode {
    crate::output::install_interrupt_handler();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cmd::extract::run(args),
        Command::Count(args) => cmd::count::run(args),
        Command::Kwic(args) => cmd::kwic::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Words(args) => cmd::words::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Reproduce(args) => cmd::reproduce::run(args),
        Command::Lexicon(args) => cmd::lexicon::run(args),
        Command::PdfWorker(args) => cmd::pdf_worker::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("termtally: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// `termtally ... | head` closes the pipe early; that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
