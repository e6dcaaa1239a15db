//! termtally extract: documents to clean, citable plain text.
//!
//! `text` prints the normalised text, blocks separated by a blank line and pages by a form feed
//! (`\f`), so page N of the output is page N of the PDF. `jsonl` prints one JSON object per block:
//! `{"document", "page", "part", "section", "heading", "heading_level", "text"}` (`page` is
//! 1-based, null where the format has no pages; `section` is the nearest numbered paragraph such
//! as "4.9", or "s.19" in legislation; `heading` the text of the nearest heading above the block,
//! null before the first; `heading_level` 1, 2, … when the block is itself a heading, else null;
//! `page_breaks`, only on a paragraph that runs on over page breaks, `[{"offset", "page"}]`: the
//! byte offset in `text` (UTF-8) where each later page starts).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use serde::Serialize;

use crate::cmd::args::InputArgs;
use crate::document::Document;
use crate::outcome::Outcome;

const EXAMPLES: &str = "\
Examples:
  termtally extract guidance.pdf                  text to the terminal, pages split by form feeds
  termtally extract --format jsonl act.xml        one JSON object per paragraph, with page and section
  termtally extract -o text/ reports/*.pdf        one .txt per document into the folder text/
  curl -s URL | termtally extract -               read standard input (format sniffed from content)";

/// Extract clean plain text (with page and paragraph numbers) from PDF, legislation.gov.uk XML,
/// HTML, DOCX or text files.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Documents to read; `-` reads standard input.
    #[arg(required_unless_present = "files_from", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ExtractFormat::Text)]
    format: ExtractFormat,
    /// Write one file per document (NAME.txt or NAME.jsonl) into this folder.
    #[arg(long, short = 'o', value_name = "DIR")]
    output: Option<PathBuf>,
    /// Overwrite existing files in the output folder.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// Plain text; pages separated by form feeds.
    Text,
    /// One JSON object per paragraph block.
    Jsonl,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", dir.display()))?;
    }
    let outcome = Outcome::new();
    // Each document is rendered as it is read (a few at a time) and written in input order, so
    // a folder of thousands is never in memory at once.
    let render = |doc: &Document| {
        let mut bytes = Vec::new();
        let rendered = write_document(doc, args.format, &mut bytes);
        (doc.name.clone(), rendered.map(|()| bytes))
    };
    match &args.output {
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout());
            let mut written: std::io::Result<()> = Ok(());
            let mut first = true;
            super::for_each_document(&args.files, &args.input, &outcome, render, |(_, bytes)| {
                if written.is_ok() {
                    written = (|| {
                        if !first && args.format == ExtractFormat::Text {
                            out.write_all(b"\x0c")?; // documents follow one another like pages
                        }
                        first = false;
                        out.write_all(&bytes?)
                    })();
                }
            })?;
            // A closed pipe (`| head`) is not an error: the exit code still says whether
            // documents failed.
            crate::output::ignore_broken_pipe(written.and_then(|()| out.flush()))
                .context("cannot write the extracted text to standard output")?;
        }
        Some(dir) => {
            let mut taken = std::collections::HashSet::new();
            let write_one = |(name, bytes): (String, std::io::Result<Vec<u8>>)| {
                let path = unique_output_path(dir, &name, args.format, &mut taken);
                if !args.force && path.exists() {
                    outcome.fail_after_success(
                        &name,
                        format!(
                            "not written: {} exists; use --force to overwrite",
                            path.display()
                        ),
                    );
                    return;
                }
                let written = crate::output::write_file_atomically(&path, args.force, |out| {
                    out.write_all(&bytes?)
                });
                if let Err(err) = written {
                    outcome.fail_after_success(&name, format!("{err:#}"));
                }
            };
            super::for_each_document(&args.files, &args.input, &outcome, render, write_one)?;
        }
    }
    Ok(super::finish(&outcome))
}

/// The output file for a document, distinct within the batch: `a/report.pdf` and `b/report.pdf`
/// become `report.txt` and `report-2.txt`, so one never overwrites the other even with --force.
fn unique_output_path(
    dir: &Path,
    name: &str,
    format: ExtractFormat,
    taken: &mut std::collections::HashSet<PathBuf>,
) -> PathBuf {
    let first = output_path(dir, name, format);
    let mut path = first.clone();
    let mut n = 2;
    while !taken.insert(path.clone()) {
        let stem = first.file_stem().unwrap_or_default().to_string_lossy();
        let ext = first.extension().unwrap_or_default().to_string_lossy();
        path = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    path
}

fn output_path(dir: &Path, name: &str, format: ExtractFormat) -> PathBuf {
    let stem = if name == "-" {
        "stdin".to_string()
    } else {
        Path::new(name).file_stem().map_or_else(
            || "document".to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    let extension = match format {
        ExtractFormat::Text => "txt",
        ExtractFormat::Jsonl => "jsonl",
    };
    dir.join(format!("{stem}.{extension}"))
}

#[derive(Serialize)]
struct JsonBlock<'a> {
    document: &'a str,
    page: Option<u32>,
    part: Option<&'a str>,
    section: Option<&'a str>,
    /// Nearest heading above the block; null before the first heading.
    heading: Option<&'a str>,
    /// The block's level when it is itself a heading (1 the highest); null otherwise.
    heading_level: Option<u8>,
    /// A paragraph run on over page breaks: where each later page starts in `text`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    page_breaks: &'a [crate::document::PageBreak],
    text: &'a str,
}

/// Writes one document in the chosen format.
pub fn write_document(
    doc: &Document,
    format: ExtractFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ExtractFormat::Text => out.write_all(plain_text(doc).as_bytes()),
        ExtractFormat::Jsonl => {
            for block in &doc.blocks {
                let record = JsonBlock {
                    document: &doc.name,
                    page: block.page,
                    part: block.part.as_deref(),
                    section: block.section.as_deref(),
                    heading: block.heading.as_deref(),
                    heading_level: block.heading_level,
                    page_breaks: &block.page_breaks,
                    text: &block.text,
                };
                serde_json::to_writer(&mut *out, &record)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

/// The document as text: blocks separated by blank lines, pages by form feeds (empty pages kept,
/// so the N-th page of the output is the N-th page of the document).
pub fn plain_text(doc: &Document) -> String {
    let mut text = String::new();
    let mut page = 1;
    let mut first_on_page = true;
    for block in &doc.blocks {
        if let Some(p) = block.page {
            while page < p {
                text.push_str("\n\x0c");
                page += 1;
                first_on_page = true;
            }
        }
        if !first_on_page {
            text.push('\n');
        }
        text.push_str(&block.text);
        text.push('\n');
        first_on_page = false;
    }
    if let Some(count) = doc.page_count {
        while page < count {
            text.push_str("\n\x0c");
            page += 1;
        }
    }
    text
}
