//! Command-line options shared by several commands, and the command line's names for the
//! library's enums (the library itself knows nothing of clap). The output options are
//! `output::OutputArgs`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::count::Unit;
use crate::extract::{ExtractOptions, PdfRunner};
use crate::keyness::{Correction, LlForm};
use crate::lexicon::{DEFAULT_LEXICON, Lexicon};
use crate::matcher::Mode;
use crate::report::count::RowSelection;
use crate::report::diff::SortBy;
use crate::stopwords::{StopList, WordFilter};

/// How documents are read: shared by every command that takes documents.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Also read the documents listed in LIST, one path per line (`-` reads the list from
    /// standard input): for lists too long for the command line.
    #[arg(long, value_name = "LIST")]
    pub files_from: Option<PathBuf>,
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
    /// Count files with the same content (byte-identical copies under other names) once each
    /// time they are given, instead of once (with a warning naming both).
    #[arg(long)]
    pub keep_duplicates: bool,
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
        crate::extract::pdf::check_memory_env()?;
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

/// Which lexicon is counted and how its forms match: shared by count and diff.
#[derive(Args, Debug, Clone)]
pub struct LexiconArgs {
    /// Built-in lexicon name (see `termtally lexicon list`) or a lexicon file (.toml, quanteda
    /// .yml/.yaml, LIWC .dic).
    #[arg(long, short = 'l', value_name = "NAME|PATH", default_value = DEFAULT_LEXICON)]
    pub lexicon: String,
    #[command(flatten)]
    pub matching: ModeArgs,
}

/// How forms match the text: shared by every command that matches a lexicon.
#[derive(Args, Debug, Clone)]
pub struct ModeArgs {
    /// How forms are matched.
    #[arg(long, short = 'm', value_enum, default_value_t = Mode::Word)]
    pub mode: Mode,
    /// Do not count hits inside this phrase, for every term it holds a form of (repeatable):
    /// `--exclude "local area partnership"`. Matched like the forms (see the README, Exclusions);
    /// the number left out is shown as `excluded`.
    #[arg(long, value_name = "PHRASE")]
    pub exclude: Vec<String>,
}

impl ModeArgs {
    /// Adds the `--exclude` phrases to `lexicon`'s terms.
    pub fn apply_exclusions(&self, lexicon: &mut Lexicon) -> anyhow::Result<()> {
        lexicon.add_exclusions(&self.exclude)?;
        Ok(())
    }
}

impl LexiconArgs {
    /// The lexicon named by `--lexicon`, with the `--exclude` phrases added.
    pub fn load(&self) -> anyhow::Result<Lexicon> {
        let mut lexicon = Lexicon::load(&self.lexicon)?;
        self.matching.apply_exclusions(&mut lexicon)?;
        Ok(lexicon)
    }
}

/// The command line's names for the library's enums (the library itself knows nothing of clap).
macro_rules! value_enum {
    ($type:ty) => {
        impl clap::ValueEnum for $type {
            fn value_variants<'a>() -> &'a [Self] {
                &<$type>::ALL
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
            }
        }
    };
}
value_enum!(Mode);
value_enum!(Unit);
value_enum!(LlForm);
value_enum!(Correction);
value_enum!(SortBy);

// `--rows`' values have no help of their own (the option's help explains them).
impl clap::ValueEnum for RowSelection {
    fn value_variants<'a>() -> &'a [Self] {
        &RowSelection::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// How keyness is computed and when a change counts as significant: shared by diff and trend.
#[derive(Args, Debug, Clone)]
pub struct KeynessArgs {
    /// Which log-likelihood G2: summed over the word's two cells or over the whole 2×2 table.
    #[arg(long = "ll", value_enum, default_value_t = LlForm::TwoTerm)]
    pub ll: LlForm,
    /// Significance level: a status (up, down, new, gone) is printed only when p is below it,
    /// "no significant change" otherwise.
    #[arg(long = "p", value_name = "LEVEL", default_value = "0.05",
          value_parser = ["0.05", "0.01", "0.001", "0.0001"])]
    pub p: String,
}

impl KeynessArgs {
    pub fn alpha(&self) -> f64 {
        self.p.parse().expect("clap allows only the four levels")
    }
}

/// Which words a printed word list keeps, and how many rows it shows: shared by words and
/// diff --all-words.
#[derive(Args, Debug, Clone)]
pub struct WordListArgs {
    /// Leave out stop words: `english` (NLTK's English list, 198 words) or a file of words, one
    /// a line (`#` starts a comment line).
    #[arg(long, value_name = "english|FILE")]
    pub stopwords: Option<String>,
    /// Leave out words found in fewer than N documents (all documents of every side together).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_docs: u64,
    /// Only the first N rows of the word list (after sorting).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

impl WordListArgs {
    /// The filter, with the stop list read (a missing file is an error before any document is
    /// read).
    pub fn filter(&self) -> anyhow::Result<WordFilter> {
        Ok(WordFilter {
            stop: self.stopwords.as_deref().map(StopList::load).transpose()?,
            min_docs: self.min_docs,
        })
    }

    /// Whether any option of the word list was given.
    pub fn any(&self) -> bool {
        self.stopwords.is_some() || self.min_docs > 0 || self.top.is_some()
    }
}

value_enum!(crate::layout::Layout);
value_enum!(crate::layout::Values);
