//! The shared step of the commands that compare corpora (`diff`, `trend`): one side's
//! documents counted through the bounded pipeline, with `--all-words` every word type and the
//! number of documents it occurs in. Here rather than in either command, so neither imports the
//! other.

use crate::cmd::args::{InputArgs, StreamArgs};
use crate::cmd::{Source, for_each_counted};
use crate::count::{CorpusCounts, Unit, count_document};
use crate::document::Document;
use crate::frequency::{WordCounts, merge, word_counts};
use crate::matcher::Matcher;
use crate::outcome::Outcome;
use crate::stream::{Tally, Work};

/// One side's counts: the lexicon's terms, and with `--all-words` every word type.
pub(crate) struct Side {
    pub counts: CorpusCounts,
    pub words: WordCounts,
    /// For each word type, the number of the side's documents it occurs in.
    pub documents_per_word: WordCounts,
    /// "FILE (N chunks)" for the files read as streams.
    pub streamed: Vec<String>,
}

/// Counts one side's documents: those loaded whole in parallel, large text files as streams.
pub(crate) fn count_side(
    sources: Vec<Source>,
    matcher: &Matcher,
    all_words: bool,
    input: &InputArgs,
    streaming: &StreamArgs,
    outcome: &Outcome,
) -> anyhow::Result<Side> {
    let count_loaded = |doc: &Document| {
        let words = if all_words {
            word_counts(std::slice::from_ref(doc))
        } else {
            WordCounts::default()
        };
        (count_document(doc, matcher, Unit::Document), words)
    };
    let tally = if all_words {
        Tally::TermsAndWords(matcher)
    } else {
        Tally::Terms {
            matcher,
            unit: Unit::Document,
            contexts_per_term: 0,
            spelling: None,
        }
    };
    let work = Work {
        tally,
        cleaning: input.normalise_options(),
    };
    // Each document's words are merged into the side's as it is counted, and then dropped.
    let mut documents = Vec::new();
    let mut words = WordCounts::default();
    let mut documents_per_word = WordCounts::default();
    let streamed = for_each_counted(
        sources,
        count_loaded,
        work,
        input,
        streaming,
        outcome,
        |s| (s.counts, s.words),
        |(counts, doc_words): (crate::count::DocumentCounts, WordCounts)| {
            documents.push(counts);
            for (word, _) in doc_words.iter() {
                documents_per_word.add(word, 1);
            }
            // `merge` keeps how each word was written, which the proper-noun filter reads.
            words = merge(std::mem::take(&mut words), doc_words);
        },
    )?;
    Ok(Side {
        counts: CorpusCounts::from_documents(documents, matcher.term_count()),
        words,
        documents_per_word,
        streamed,
    })
}
