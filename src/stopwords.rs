//! Stop lists: words left out of word lists (`words`, `diff --all-words`) so that what is left
//! is worth reading.
//!
//! `english` is NLTK's English stop list (198 words: Snowball's English list, augmented by NLTK
//! with the pieces of contractions that tokenisers split off, "don", "t", "ll"...), as the
//! `stop-words` crate ships it. Any other name is a file: one word per line, blank lines and
//! lines starting with `#` ignored. Words are case-folded as tokens are, so "The" in a file
//! stops "the".
//!
//! Proper nouns are left out too unless `--proper-nouns keep` is given: a word type written
//! title case in at least 90% of the occurrences that tell (see
//! [`crate::frequency::Capitals::is_proper_noun`]), judged on the documents of the list itself.
//! Names of councils, towns, people and months say which reports were compared, not what
//! changed in them; acronyms in capitals ("SEND", "EHC") are not proper nouns by this rule.

use std::path::Path;

use rustc_hash::FxHashSet;

use crate::tokenise::fold;

/// The name of the built-in list.
pub const ENGLISH: &str = "english";

/// A set of case-folded words to leave out, and where it came from.
#[derive(Debug, Clone, Default)]
pub struct StopList {
    /// `english` or the file's path, for the output's notes.
    pub name: String,
    words: FxHashSet<String>,
}

impl StopList {
    /// NLTK's English list.
    pub fn english() -> StopList {
        StopList::from_words(ENGLISH, stop_words::get("en").iter().copied())
    }

    /// `english`, or a file of words.
    pub fn load(spec: &str) -> anyhow::Result<StopList> {
        if spec == ENGLISH {
            return Ok(StopList::english());
        }
        let path = Path::new(spec);
        let text = std::fs::read_to_string(path).map_err(|err| {
            anyhow::anyhow!(
                "{spec}: cannot read the stop list ({err}); give `english` or a file of words, one a line"
            )
        })?;
        Ok(StopList::parse(spec, &text))
    }

    /// A list from the text of a stop-list file.
    pub fn parse(name: &str, text: &str) -> StopList {
        let words = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        StopList::from_words(name, words)
    }

    fn from_words<'a>(name: &str, words: impl Iterator<Item = &'a str>) -> StopList {
        StopList {
            name: name.to_string(),
            words: words.map(fold).collect(),
        }
    }

    /// Whether the (case-folded) word is on the list.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Whether a word list keeps proper nouns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProperNouns {
    /// Leave out the names of places, bodies, people and months (judged from the text).
    #[default]
    Drop,
    /// List every word type.
    Keep,
}

impl ProperNouns {
    pub const ALL: [ProperNouns; 2] = [ProperNouns::Drop, ProperNouns::Keep];

    pub fn name(self) -> &'static str {
        match self {
            ProperNouns::Drop => "drop",
            ProperNouns::Keep => "keep",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ProperNouns::Drop => {
                "leave out words written with a capital in at least 90% of their occurrences inside sentences"
            }
            ProperNouns::Keep => "list proper nouns too",
        }
    }
}

/// Which words a word list keeps: not on the stop list, in at least `min_docs` documents, and
/// not a proper noun unless `proper_nouns` keeps them.
#[derive(Debug, Clone, Default)]
pub struct WordFilter {
    pub stop: Option<StopList>,
    pub min_docs: u64,
    pub proper_nouns: ProperNouns,
}

impl WordFilter {
    /// Whether a word found in `documents` documents, a proper noun or not, stays in the list.
    pub fn keeps(&self, word: &str, documents: u64, proper_noun: bool) -> bool {
        documents >= self.min_docs
            && !self.stop.as_ref().is_some_and(|s| s.contains(word))
            && !(proper_noun && self.proper_nouns == ProperNouns::Drop)
    }

    /// Keeps the rows the filter keeps, `facts` giving a row's word, the number of documents it
    /// is found in and whether it is a proper noun; returns how many rows were left out only
    /// for being proper nouns (for [`WordFilter::describe`]).
    pub fn retain<T>(&self, rows: &mut Vec<T>, facts: impl Fn(&T) -> (&str, u64, bool)) -> usize {
        let mut proper_nouns_left_out = 0;
        rows.retain(|row| {
            let (word, documents, proper_noun) = facts(row);
            let kept = self.keeps(word, documents, false);
            if kept && !self.keeps(word, documents, proper_noun) {
                proper_nouns_left_out += 1;
                return false;
            }
            kept
        });
        proper_nouns_left_out
    }

    /// What the filter left out, for the notes under a word list ("" when it keeps everything);
    /// `proper_nouns_left_out` is the number of word types it left out as proper nouns (of those
    /// the other filters kept).
    pub fn describe(&self, proper_nouns_left_out: usize) -> String {
        let mut parts = Vec::new();
        if let Some(stop) = &self.stop {
            let source = if stop.name == ENGLISH {
                "English stop list (NLTK, 198 words)".to_string()
            } else {
                format!("stop list {} ({} words)", stop.name, stop.len())
            };
            parts.push(format!("words of the {source}"));
        }
        if self.min_docs > 1 {
            parts.push(format!(
                "words found in fewer than {} documents",
                self.min_docs
            ));
        }
        if self.proper_nouns == ProperNouns::Drop && proper_nouns_left_out > 0 {
            let (nouns, types) = if proper_nouns_left_out == 1 {
                ("proper noun", "a word type")
            } else {
                ("proper nouns", "word types")
            };
            parts.push(format!(
                "{proper_nouns_left_out} {nouns} ({types} written title case in at least 90% of \
                 the occurrences inside sentences; --proper-nouns keep lists them)"
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("Left out: {}.", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_nltks_list() {
        let list = StopList::english();
        assert_eq!(list.len(), 198);
        for word in [
            "the",
            "and",
            "of",
            "don't",
            "don",
            "t",
            "should",
            "ourselves",
        ] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["must", "parents", "inform", "coproduction", "council"] {
            assert!(!list.contains(word), "{word}");
        }
        assert_eq!(StopList::load("english").unwrap().len(), 198);
    }

    #[test]
    fn a_file_list_is_folded_and_skips_comments() {
        let list = StopList::parse("mine.txt", "# councils\nHertfordshire\n\n  Dorset  \n#x\n");
        assert_eq!(list.len(), 2);
        assert!(list.contains("hertfordshire") && list.contains("dorset"));
        assert!(!list.contains("#x") && !list.contains("x"));
        assert_eq!(list.name, "mine.txt");
    }

    #[test]
    fn the_filter_applies_the_list_and_the_document_minimum() {
        let filter = WordFilter {
            stop: Some(StopList::english()),
            min_docs: 3,
            proper_nouns: ProperNouns::Keep,
        };
        assert!(filter.keeps("parents", 3, false));
        assert!(filter.keeps("dorset", 3, true));
        assert!(!filter.keeps("parents", 2, false));
        assert!(!filter.keeps("the", 40, false));
        assert!(WordFilter::default().keeps("the", 0, false));
        assert!(!WordFilter::default().keeps("dorset", 9, true));
        assert_eq!(WordFilter::default().describe(0), "");
        let note = filter.describe(5);
        assert!(
            note.contains("NLTK, 198 words") && note.contains("fewer than 3"),
            "{note}"
        );
        assert!(!note.contains("proper"), "{note}");
        let note = WordFilter::default().describe(2);
        assert!(note.contains("2 proper nouns (word types"), "{note}");
        let mut rows = vec![
            ("the", 9, false),
            ("dorset", 9, true),
            ("parents", 9, false),
        ];
        let dropped = WordFilter::default().retain(&mut rows, |&(w, d, p)| (w, d, p));
        assert_eq!((dropped, rows.len()), (1, 2));
        let one = WordFilter::default().describe(1);
        assert!(one.contains("1 proper noun (a word type written"), "{one}");
    }

    #[test]
    fn a_missing_file_is_a_plain_error() {
        let err = StopList::load("no-such-stop-list.txt")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("no-such-stop-list.txt: cannot read"),
            "{err}"
        );
    }
}
