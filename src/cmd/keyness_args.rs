//! Options shared by the commands that compare corpora (`diff`, `trend`) and by those that print
//! word lists (`words`, `diff --all-words`). The statistics themselves are in [`crate::stats`].

use clap::ValueEnum;

use crate::stats::{Correction, LlForm};
use crate::stopwords::{StopList, WordFilter};

/// How keyness is computed and when a change counts as significant.
#[derive(clap::Args, Debug, Clone)]
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
    pub fn form(&self) -> LlForm {
        self.ll
    }

    pub fn alpha(&self) -> f64 {
        self.p.parse().expect("clap allows only the four levels")
    }
}

// The command line's names for the library's enums (the library itself knows nothing of clap).
impl ValueEnum for LlForm {
    fn value_variants<'a>() -> &'a [Self] {
        &LlForm::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
    }
}

impl ValueEnum for Correction {
    fn value_variants<'a>() -> &'a [Self] {
        &Correction::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
    }
}

/// Which words a printed word list keeps, and how many rows it shows.
#[derive(clap::Args, Debug, Clone)]
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
}
