//! termtally merge: `count` or `words` JSON outputs of parts of a corpus (shards) combined
//! exactly into the report one run over all their documents gives: counts and tokens added,
//! rates, shares and the corpus total recomputed. The shards must agree on what their `shard`
//! object records (see [`crate::shard`]); merge refuses them otherwise, naming the field.
//!
//! # Output schema
//!
//! That of `count` (see `cmd/count.rs`) or `words` (`cmd/words.rs`), with its `shard` object,
//! so a merged output can be merged again; a note names the shards. `words` shards must list
//! every word (`--proper-nouns keep`, no stop words, `--min-docs`, `--min-count` or `--top`):
//! whether a word is a proper noun depends on how it was written in every shard, which the
//! output does not carry. Shards with dispersion columns are refused (see `crate::shard`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::count::{CorpusCounts, Unit};
use crate::frequency::{WordCounts, merge};
use crate::layout::{Layout, Values};
use crate::lexicon::Lexicon;
use crate::matcher::Mode;
use crate::output::OutputArgs;
use crate::render::OutputFormat;
use crate::report::count::build_report;
use crate::report::words::{Corpus, DocumentWords, Options, build_report as words_report};
use crate::shard::{self, Shard};
use crate::stopwords::{ProperNouns, WordFilter};
use crate::table::Report;

const EXAMPLES: &str = "\
Examples:
  termtally count -f json part1/ -o 1.json; termtally count -f json part2/ -o 2.json
  termtally merge 1.json 2.json                     the counts of part1 and part2 together
  termtally merge -f json shards/*.json -o all.json
  termtally merge -l my-terms.toml 1.json 2.json    the lexicon file, where the shards' path is not
  parallel termtally count -f json {} -o {/}.json ::: corpus/*/ && termtally merge *.json
  termtally words -f json --proper-nouns keep part1/ -o w1.json   (and part2/ -o w2.json)
  termtally merge w1.json w2.json                   one word list of part1 and part2";

/// Merge the JSON outputs of `count` or `words` over parts of a corpus (shards) into the
/// report of the whole: counts added, rates, shares and totals recomputed, exactly as one run
/// over all the documents.
///
/// Each shard records what its counts depend on (termtally version, lexicon SHA-256, --exclude,
/// mode, --by, --keep-headers, scope, layout); shards that disagree, or that hold only some rows
/// (`top`, a filter, --layout wide), are refused, as are shards with --dispersion (measured over
/// each document's pages, which a shard does not keep). `words` shards need --proper-nouns
/// keep (whether a word is a proper noun depends on how every shard wrote it).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// JSON outputs of `termtally count -f json` or `termtally words -f json --proper-nouns keep`.
    #[arg(required = true, value_name = "SHARD.json")]
    pub shards: Vec<PathBuf>,
    /// The lexicon of `count` shards (built-in name or file), if the one they name (`lexicon.
    /// origin`) is not at hand; its SHA-256 must be theirs.
    #[arg(long, short = 'l', value_name = "NAME|PATH")]
    pub lexicon: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args.output.resolve(OutputFormat::Table)?;
    let shards = args
        .shards
        .iter()
        .map(read_shard)
        .collect::<anyhow::Result<Vec<Shard>>>()?;
    shard::check(&shards)?;
    let first = &shards[0];
    let version = env!("CARGO_PKG_VERSION");
    if first.identity.termtally_version != version {
        anyhow::bail!(
            "{}: shard.termtally_version is {:?}, but this is termtally {version}: merge shards with the version that wrote them",
            first.file,
            first.identity.termtally_version
        );
    }
    let mut report = match first.identity.command.as_str() {
        "count" => merge_counts(&shards, args.lexicon.as_deref())?,
        "words" => merge_words(&shards)?,
        other => anyhow::bail!("{}: shards of `{other}` cannot be merged", first.file),
    };
    let names: Vec<&str> = shards.iter().map(|s| s.file.as_str()).collect();
    report.notes.push(format!(
        "Merged from {} shards: {}.",
        shards.len(),
        names.join(", ")
    ));
    output.write(&report)?;
    Ok(ExitCode::SUCCESS)
}

/// A shard file read and its `shard` object parsed.
fn read_shard(path: &PathBuf) -> anyhow::Result<Shard> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("{file}: cannot read it"))?;
    let json = serde_json::from_slice(&bytes)
        .with_context(|| format!("{file}: not JSON (give the output of `count -f json`)"))?;
    Ok(Shard::parse(&file, json)?)
}

/// `count` shards: the lexicon loaded again (and checked against the shards' SHA-256), every
/// shard's documents in order, and `count`'s report of them.
fn merge_counts(shards: &[Shard], lexicon: Option<&str>) -> anyhow::Result<Report> {
    let first = &shards[0];
    let lexicon = lexicon_of(first, lexicon)?;
    let identity = &first.identity;
    let mode = Mode::ALL
        .into_iter()
        .find(|m| identity.mode.as_deref() == Some(m.name()))
        .with_context(|| format!("{}: shard.mode {:?} is unknown", first.file, identity.mode))?;
    let by = Unit::ALL
        .into_iter()
        .find(|u| identity.by.as_deref() == Some(u.name()))
        .with_context(|| format!("{}: shard.by {:?} is unknown", first.file, identity.by))?;
    let mut documents = Vec::new();
    let mut contexts = Vec::new();
    for shard in shards {
        documents.extend(shard::document_counts(shard, &lexicon)?);
        if let Some(c) = shard.json["contexts"].as_array() {
            contexts.extend(c.iter().cloned());
        }
    }
    let counts = CorpusCounts::from_documents(documents, lexicon.terms.len());
    let mut report = build_report(&lexicon, mode, by, &counts);
    shard::insert(&mut report, identity);
    if shards.iter().any(|s| s.json.get("contexts").is_some()) {
        report
            .meta
            .insert("contexts".into(), serde_json::Value::Array(contexts));
    }
    Ok(report)
}

/// `words` shards (each whole: no filter, no `--top`, proper nouns kept): their documents in
/// order, each word's counts and documents added, and `words`' report of them. A document is in
/// one shard only ([`shard::check`]), so a word's documents add up.
fn merge_words(shards: &[Shard]) -> anyhow::Result<Report> {
    let mut corpus = Corpus::default();
    for shard in shards {
        let (documents, words, documents_per_word) = shard::word_counts(shard)?;
        corpus.words = merge(std::mem::take(&mut corpus.words), words);
        corpus.documents_per_word = merge(
            std::mem::take(&mut corpus.documents_per_word),
            documents_per_word,
        );
        corpus
            .documents
            .extend(documents.into_iter().map(|d| DocumentWords {
                name: d.path,
                format: d.format,
                pages: d.pages,
                tokens: d.tokens,
                words: WordCounts::default(),
                parts: None,
            }));
    }
    let options = Options {
        min_count: 0,
        alphabetical: false,
        top: None,
        layout: Layout::Long,
        values: Values::Count,
        dispersion: false,
        list_documents: true,
    };
    let filter = WordFilter {
        proper_nouns: ProperNouns::Keep,
        ..WordFilter::default()
    };
    let mut report = words_report(&corpus, &options, &filter);
    shard::insert(&mut report, &shards[0].identity);
    Ok(report)
}

/// The lexicon of the shards: `-l`, or the one the first shard names, with its `--exclude`
/// phrases; refused unless its SHA-256 is the shards'.
fn lexicon_of(first: &Shard, given: Option<&str>) -> anyhow::Result<Lexicon> {
    let origin = first.json["lexicon"]["origin"].as_str().unwrap_or_default();
    let spec = given.unwrap_or_else(|| origin.strip_prefix("built-in ").unwrap_or(origin));
    let mut lexicon = Lexicon::load(spec).map_err(|e| {
        anyhow::anyhow!(
            "{e}\n(the lexicon of {}: give it with -l NAME|PATH)",
            first.file
        )
    })?;
    lexicon.add_exclusions(&first.identity.exclude)?;
    let sha256 = shard::lexicon_sha256(&lexicon);
    if first.identity.lexicon_sha256.as_deref() != Some(sha256.as_str()) {
        anyhow::bail!(
            "{}: shard.lexicon_sha256 is {}, but the lexicon {spec} has {sha256}: merge with the lexicon the shards counted (-l NAME|PATH)",
            first.file,
            first.identity.lexicon_sha256.as_deref().unwrap_or("null"),
        );
    }
    Ok(lexicon)
}
