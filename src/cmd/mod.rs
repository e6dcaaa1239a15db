//! One file per subcommand, each a `run(args)`: arguments → configuration → work → output. The
//! helpers here are the steps the commands share: load documents, count them (streaming large
//! text files), write the report and give the exit code.

pub mod args;
pub mod count;
pub mod diff;
pub mod extract;
pub mod kwic;
pub mod lexicon;
pub mod pdf_worker;
pub mod report;
pub mod reproduce;
pub mod serve;
pub mod trend;
pub mod variants;
pub mod words;

use std::io::IsTerminal;
use std::path::PathBuf;

use rayon::prelude::*;

use std::process::ExitCode;

use crate::document::Document;
use crate::extract::read::read_stdin;
use crate::extract::{ExtractOptions, Input, extract as extract_document};
use crate::normalise::normalise_with;
use crate::outcome::Outcome;
use crate::output::Output;
use crate::stream::{self, Streamed, Work};
use crate::table::Report;
use args::{InputArgs, StreamArgs};

/// The files to read from the command line's `args` and `--files-from` (folders walked, quoted
/// globs expanded: see [`crate::inputs`]). Files skipped in folders are summed up on stderr; an
/// input that gives no file fails (fatal with `--strict`) and the others go on.
pub fn gather_files(
    args: &[PathBuf],
    input: &InputArgs,
    outcome: &Outcome,
) -> anyhow::Result<Vec<PathBuf>> {
    let gathered = crate::inputs::gather(args, input.files_from.as_deref())?;
    for problem in &gathered.problems {
        if input.strict {
            anyhow::bail!("{problem} (stopping: --strict)");
        }
        outcome.fail_input(problem);
    }
    if let Some(summary) = gathered.skipped_summary() {
        eprintln!("termtally: {summary}");
    }
    Ok(gathered.files)
}

/// Extracts and normalises every input in parallel, keeping the input order. A document that
/// fails is reported on stderr (`termtally: FILE: reason`) and left out; with `--strict` the first
/// failure is fatal. `-` reads standard input; folders, globs and `--files-from` are expanded
/// ([`gather_files`]).
pub fn load_documents(
    args: &[PathBuf],
    input: &InputArgs,
    outcome: &Outcome,
) -> anyhow::Result<Vec<Document>> {
    let files = without_duplicates(&gather_files(args, input, outcome)?, input);
    load_files(&files, input, outcome)
}

/// [`load_documents`] of files already gathered and checked for duplicates.
fn load_files(
    files: &[PathBuf],
    input: &InputArgs,
    outcome: &Outcome,
) -> anyhow::Result<Vec<Document>> {
    let opts = input.extract_options()?;
    let cleaning = input.normalise_options();
    let inputs = to_inputs(files, &opts)?;
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

/// `files` without the copies of an earlier file (same SHA-256), each named in a warning on
/// stderr, unless `--keep-duplicates`. Done where documents are loaded, so that every way of
/// naming the files (arguments, folders, lists) goes through it.
fn without_duplicates(files: &[PathBuf], input: &InputArgs) -> Vec<PathBuf> {
    if input.keep_duplicates {
        return files.to_vec();
    }
    let duplicates = crate::duplicate::find_duplicates(files);
    for d in &duplicates {
        let (copy, first) = (files[d.index].display(), files[d.first].display());
        if files[d.index] == files[d.first] {
            eprintln!(
                "termtally: {copy}: given twice; counted once (--keep-duplicates counts it each time)"
            );
        } else {
            eprintln!(
                "termtally: {copy}: same content as {first} (identical bytes, SHA-256); counted once, as {first} (--keep-duplicates counts both)"
            );
        }
    }
    let mut keep = vec![true; files.len()];
    for d in &duplicates {
        keep[d.index] = false;
    }
    files
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(f, _)| f.clone())
        .collect()
}

/// A document as the counting commands get it.
pub enum Source {
    /// Extracted and normalised, in memory.
    Loaded(Document),
    /// A large plain-text file, to be counted as a stream with [`stream_file`].
    Streamed(PathBuf),
}

/// The documents of `files` in the order given: large plain-text files (see
/// [`stream::should_stream`]) to be streamed, the others loaded whole by [`load_documents`] (in
/// parallel; a failure is reported and left out).
pub fn load_or_stream(
    args: &[PathBuf],
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
) -> anyhow::Result<Vec<Source>> {
    let files = &gather_files(args, input, outcome)?;
    let extract_options = input.extract_options()?;
    let files = &without_duplicates(files, input);
    let streamed: Vec<bool> = files
        .iter()
        .map(|f| stream::should_stream(f, &extract_options, streaming.stream_threshold))
        .collect();
    let whole_files: Vec<PathBuf> = files
        .iter()
        .zip(&streamed)
        .filter(|(_, s)| !**s)
        .map(|(f, _)| f.clone())
        .collect();
    let mut loaded = if whole_files.is_empty() {
        Vec::new()
    } else {
        load_files(&whole_files, input, outcome)?
    }
    .into_iter()
    .peekable();
    let mut sources = Vec::with_capacity(files.len());
    for (file, &stream_it) in files.iter().zip(&streamed) {
        if stream_it {
            sources.push(Source::Streamed(file.clone()));
        } else if loaded
            .peek()
            .is_some_and(|d| d.name == file.display().to_string())
        {
            sources.extend(loaded.next().map(Source::Loaded));
        }
    }
    Ok(sources)
}

/// Counts `sources` in their order: the loaded documents in parallel with `count_loaded`, which
/// are then freed; then the large text files one after another (each uses every core), streamed
/// with `work` and turned into results by `from_stream`. A stream that fails is reported and
/// left out, or with `--strict` ends the command. Also returns "FILE (N chunks)" for each file
/// streamed, for [`streamed_note`].
pub fn count_sources<T: Send>(
    sources: Vec<Source>,
    count_loaded: impl Fn(&Document) -> T + Sync,
    work: Work,
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
    mut from_stream: impl FnMut(Streamed) -> T,
) -> anyhow::Result<(Vec<T>, Vec<String>)> {
    let loaded: Vec<Option<T>> = sources
        .par_iter()
        .map(|source| match source {
            Source::Loaded(doc) => Some(count_loaded(doc)),
            Source::Streamed(_) => None,
        })
        .collect();
    let to_stream: Vec<Option<PathBuf>> = sources
        .into_iter()
        .map(|source| match source {
            Source::Loaded(_) => None,
            Source::Streamed(path) => Some(path),
        })
        .collect();
    let mut results = Vec::with_capacity(to_stream.len());
    let mut streamed = Vec::new();
    for (path, counted) in to_stream.into_iter().zip(loaded) {
        let Some(path) = path else {
            results.extend(counted);
            continue;
        };
        let name = path.display().to_string();
        match stream::count_text_file(&path, &name, work, streaming.options()) {
            Ok(s) => {
                outcome.succeed();
                streamed.push(format!("{name} ({} chunks)", s.chunks));
                results.push(from_stream(s));
            }
            Err(err) if input.strict => anyhow::bail!("{name}: {err} (stopping: --strict)"),
            Err(err) => outcome.fail(&name, err),
        }
    }
    Ok((results, streamed))
}

/// Documents loaded (or to be streamed) and counted: [`load_or_stream`] then [`count_sources`].
/// Returns the results in input order and "FILE (N chunks)" for each file streamed.
pub fn load_and_count<T: Send>(
    files: &[PathBuf],
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
    count_loaded: impl Fn(&Document) -> T + Sync,
    work: Work,
    from_stream: impl FnMut(Streamed) -> T,
) -> anyhow::Result<(Vec<T>, Vec<String>)> {
    let sources = load_or_stream(files, input, streaming, outcome)?;
    count_sources(
        sources,
        count_loaded,
        work,
        input,
        streaming,
        outcome,
        from_stream,
    )
}

/// The last step of the counting commands: notes the files read as streams, writes the report
/// and gives the exit code.
pub fn write_counted(
    mut report: Report,
    streamed: &[String],
    streaming: &StreamArgs,
    output: &Output,
    outcome: &Outcome,
) -> anyhow::Result<ExitCode> {
    report
        .notes
        .extend(streamed_note(streaming.stream_chunk, streamed));
    output.write(&report)?;
    Ok(finish(outcome))
}

/// Prints the batch summary ("2 of 5 documents failed") if there is one.
pub fn print_summary(outcome: &Outcome) {
    if let Some(summary) = outcome.summary() {
        eprintln!("termtally: {summary}");
    }
}

/// The exit code of the run, after the batch summary.
pub fn finish(outcome: &Outcome) -> ExitCode {
    print_summary(outcome);
    outcome.exit_code()
}

/// The note of a report for the files read as streams: "FILE (N chunks)".
pub fn streamed_note(chunk_bytes: u64, streamed: &[String]) -> Option<String> {
    (!streamed.is_empty()).then(|| {
        format!(
            "Read in chunks of {} (streamed, to save memory): {}. Line-end hyphenation and \
             running headers/footers were judged within each chunk rather than across the whole \
             file.",
            human_bytes(chunk_bytes),
            streamed.join(", ")
        )
    })
}

/// "8 MB", "64 KB", "100 bytes".
fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MB", b >> 20),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Turns file arguments into inputs, reading standard input once for `-`.
pub fn to_inputs(files: &[PathBuf], opts: &ExtractOptions) -> anyhow::Result<Vec<Input>> {
    let mut stdin_read = false;
    let mut inputs = Vec::with_capacity(files.len());
    for file in files {
        if file.as_os_str() == "-" {
            if stdin_read {
                anyhow::bail!("standard input (-) can be given only once");
            }
            stdin_read = true;
            inputs.push(match read_stdin(opts) {
                Ok(bytes) => Input::Stdin(bytes),
                Err(e) => Input::StdinFailed(e),
            });
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
