//! One file per subcommand, each a `run(args)`: arguments → configuration → work → output. The
//! helpers here are the steps the commands share: load documents, count them (streaming large
//! text files), write the report and give the exit code.

pub mod args;
pub mod collocates;
pub mod count;
pub mod diff;
pub mod extract;
pub mod kwic;
pub mod lexicon;
pub mod merge;
pub mod ngrams;
pub mod pdf_worker;
pub mod report;
pub mod reproduce;
pub mod serve;
pub(crate) mod sides;
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
    let files = without_duplicates(gather_files(args, input, outcome)?, input);
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
    let scope = input.scope.scope();
    let inputs = to_inputs(files, &opts)?;
    let progress = progress_bar(inputs.len() as u64, "extracting");
    let results: Vec<_> = inputs
        .par_iter()
        .map(|input| {
            let result = extract_document(input, &opts)
                .map(|doc| within_scope(&scope, normalise_with(doc, cleaning)));
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

/// The one place the scope (`--pages`, `--sections`, `--part`, `--heading`) is applied: each
/// document as loaded keeps only the blocks inside it. A document with text but nothing inside
/// the scope is warned about, so that its zeros are not taken for absent terms.
fn within_scope(scope: &crate::scope::Scope, doc: Document) -> Document {
    let had_text = !doc.blocks.is_empty();
    let doc = scope.apply(doc);
    if had_text && doc.blocks.is_empty() {
        if let Some(what) = scope.describe() {
            eprintln!(
                "termtally: {}: nothing inside the scope ({what}); counted as 0 words",
                doc.name
            );
        }
    }
    doc
}

/// `files` without the copies of an earlier file (same SHA-256), each named in a warning on
/// stderr, unless `--keep-duplicates`. Done where documents are loaded, so that every way of
/// naming the files (arguments, folders, lists) goes through it.
fn without_duplicates(mut files: Vec<PathBuf>, input: &InputArgs) -> Vec<PathBuf> {
    if input.keep_duplicates {
        return files;
    }
    let duplicates = crate::duplicate::find_duplicates(&files);
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
    let mut keep = keep.into_iter();
    files.retain(|_| keep.next().unwrap_or(true));
    files
}

/// A document as the counting commands get it.
pub enum Source {
    /// Extracted and normalised, in memory (boxed: a list of thousands of sources to be read
    /// is then a few words each).
    Loaded(Box<Document>),
    /// To be read, extracted and normalised when it is counted, a few documents at a time (see
    /// [`count_sources`]), so that a folder of thousands is never in memory at once.
    File(Input),
    /// A large plain-text file, to be counted as a stream with [`stream_file`].
    Streamed(PathBuf),
}

/// The documents of `files` in the order given, none read yet: large plain-text files (see
/// [`stream::should_stream`]) to be streamed, the others to be loaded whole as they are
/// counted. Folders, globs and `--files-from` are expanded, copies left out
/// ([`without_duplicates`]), and standard input read.
pub fn load_or_stream(
    args: &[PathBuf],
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
) -> anyhow::Result<Vec<Source>> {
    let files = gather_files(args, input, outcome)?;
    let extract_options = input.extract_options()?;
    let files = without_duplicates(files, input);
    let threshold = streaming.stream_threshold;
    let scope_is_everything = input.scope.scope().is_everything();
    let mut sources = Vec::with_capacity(files.len());
    let mut stdin_read = false;
    // Standard input is read here, once, in [`to_input`]; the files are only named (each path
    // moved into its source, not copied: the list may hold thousands).
    for file in files {
        // A stream has no pages or headings to scope by: with a scope, files are read whole.
        if scope_is_everything && stream::should_stream(&file, &extract_options, threshold) {
            sources.push(Source::Streamed(file));
        } else {
            let input = to_input(file, &extract_options, &mut stdin_read)?;
            sources.push(Source::File(input));
        }
    }
    Ok(sources)
}

/// Counts `sources` and hands each result to `each` in the input order, as soon as every earlier
/// one is in: documents are read, extracted, normalised and counted with `count_loaded` a few
/// at a time ([`crate::pipeline`]: one per core, in flight; each freed once counted), and a
/// large text file is streamed on its own (it uses every core) with `work` and turned into a
/// result by `from_stream`. A document that fails is reported (in the input order) and left
/// out, or with `--strict` ends the command. Returns "FILE (N chunks)" for each file streamed,
/// for [`streamed_note`]. Memory depends on the largest document and on what `each` keeps.
#[allow(clippy::too_many_arguments)]
pub fn for_each_counted<T: Send>(
    sources: Vec<Source>,
    count_loaded: impl Fn(&Document) -> T + Sync,
    work: Work,
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
    mut from_stream: impl FnMut(Streamed) -> T,
    mut each: impl FnMut(T) + Send,
) -> anyhow::Result<Vec<String>> {
    let opts = input.extract_options()?;
    let cleaning = input.normalise_options();
    let scope = input.scope.scope();
    let progress = progress_bar(sources.len() as u64, "counting");
    let mut streamed = Vec::new();
    let mut sources = sources.into_iter();
    while !sources.as_slice().is_empty() {
        // The documents up to the next streamed file, taken from the list as they are counted.
        let run = sources
            .as_slice()
            .iter()
            .take_while(|s| !matches!(s, Source::Streamed(_)))
            .count();
        let read_and_count = |source: Source| {
            let (name, doc) = match source {
                Source::Loaded(doc) => (doc.name.clone(), Ok(*doc)),
                Source::File(file) => {
                    let doc = extract_document(&file, &opts)
                        .map(|d| within_scope(&scope, normalise_with(d, cleaning)));
                    (file.name(), doc)
                }
                Source::Streamed(_) => unreachable!("streamed files are not in a run"),
            };
            (name, doc.map(|doc| count_loaded(&doc)))
        };
        let hand_on = |(name, counted): (String, Result<T, _>)| {
            progress.inc(1);
            match counted {
                Ok(t) => {
                    outcome.succeed();
                    each(t);
                }
                Err(err) if input.strict => {
                    anyhow::bail!("{name}: {err} (stopping: --strict)")
                }
                Err(err) => outcome.fail(&name, err),
            }
            Ok(())
        };
        let bounds = crate::pipeline::Bounds::for_this_machine();
        crate::pipeline::for_each_ordered(
            sources.by_ref().take(run),
            bounds,
            read_and_count,
            hand_on,
        )?;
        if let Some(Source::Streamed(path)) = sources.next() {
            progress.inc(1);
            let name = path.display().to_string();
            match stream::count_text_file(&path, &name, work, streaming.options()) {
                Ok(s) => {
                    outcome.succeed();
                    streamed.push(format!("{name} ({} chunks)", s.chunks));
                    each(from_stream(s));
                }
                Err(err) if input.strict => anyhow::bail!("{name}: {err} (stopping: --strict)"),
                Err(err) => outcome.fail(&name, err),
            }
        }
    }
    progress.finish_and_clear();
    Ok(streamed)
}

/// [`for_each_counted`] with the results collected in input order. Also returns "FILE (N
/// chunks)" for each file streamed, for [`streamed_note`].
pub fn count_sources<T: Send>(
    sources: Vec<Source>,
    count_loaded: impl Fn(&Document) -> T + Sync,
    work: Work,
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
    from_stream: impl FnMut(Streamed) -> T,
) -> anyhow::Result<(Vec<T>, Vec<String>)> {
    let mut results = Vec::with_capacity(sources.len());
    let streamed = for_each_counted(
        sources,
        count_loaded,
        work,
        input,
        streaming,
        outcome,
        from_stream,
        |t| results.push(t),
    )?;
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

/// Each document of `files` (none streamed) through `per_document` a few at a time, as
/// [`for_each_counted`] does, each result handed to `each` in input order: for a command that
/// wants something of every document but not all the texts at once (`report`, `extract`).
pub fn for_each_document<T: Send>(
    files: &[PathBuf],
    input: &InputArgs,
    outcome: &Outcome,
    per_document: impl Fn(&Document) -> T + Sync,
    each: impl FnMut(T) + Send,
) -> anyhow::Result<()> {
    let opts = input.extract_options()?;
    let files = without_duplicates(gather_files(files, input, outcome)?, input);
    let sources = to_inputs(&files, &opts)?
        .into_iter()
        .map(Source::File)
        .collect();
    let work = Work {
        tally: stream::Tally::Words,
        cleaning: input.normalise_options(),
    };
    let streaming = StreamArgs {
        stream_threshold: u64::MAX,
        stream_chunk: stream::DEFAULT_CHUNK_BYTES,
    };
    for_each_counted(
        sources,
        per_document,
        work,
        input,
        &streaming,
        outcome,
        |_| unreachable!("no file is streamed"),
        each,
    )?;
    Ok(())
}

/// [`for_each_document`] with the results collected in input order.
pub fn load_each<T: Send>(
    files: &[PathBuf],
    input: &InputArgs,
    outcome: &Outcome,
    per_document: impl Fn(&Document) -> T + Sync,
) -> anyhow::Result<Vec<T>> {
    let mut results = Vec::new();
    for_each_document(files, input, outcome, per_document, |t| results.push(t))?;
    Ok(results)
}

/// A shard's identity with what the run's options add to it: `--keep-headers`, the layout,
/// `--dispersion` and the scope.
pub fn with_run_options(
    mut shard: crate::shard::Identity,
    input: &InputArgs,
    layout: crate::layout::Layout,
    dispersion: bool,
) -> crate::shard::Identity {
    shard.keep_headers = input.keep_headers;
    shard.layout = layout.name().to_string();
    shard.dispersion = dispersion;
    shard.scope = input
        .scope
        .scope()
        .describe()
        .map_or(serde_json::Value::Null, serde_json::Value::String);
    shard
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
    files
        .iter()
        .map(|file| to_input(file.clone(), opts, &mut stdin_read))
        .collect()
}

/// One file argument as an input: `-` reads standard input (once: `stdin_read` says whether an
/// earlier argument did).
fn to_input(file: PathBuf, opts: &ExtractOptions, stdin_read: &mut bool) -> anyhow::Result<Input> {
    if file.as_os_str() != "-" {
        return Ok(Input::Path(file));
    }
    if *stdin_read {
        anyhow::bail!("standard input (-) can be given only once");
    }
    *stdin_read = true;
    Ok(match read_stdin(opts) {
        Ok(bytes) => Input::Stdin(bytes),
        Err(e) => Input::StdinFailed(e),
    })
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
