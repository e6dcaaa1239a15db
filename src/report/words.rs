//! The report of `termtally words` (its schema is documented at the top of `cmd/words.rs`): a
//! frequency list of every word type, shared by `words` and `merge`.

use rustc_hash::FxHashMap;
use serde_json::json;

use crate::count::rate_per_10k;
use crate::dispersion::{WordParts, sparse_dispersion};
use crate::document::{Format, short_names};
use crate::frequency::{Capitals, WordCounts, merge};
use crate::layout::{Layout, MatrixRow, Values, wide_table};
use crate::report::dispersion::{dispersion_cells, dispersion_columns, dispersion_note};
use crate::stopwords::WordFilter;
use crate::table::{Column, Report, Table, Value};

/// How the list is made: `--min-count`, `--sort word`, `--top`, `--layout`, `--values`,
/// `--dispersion`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub min_count: u64,
    /// Alphabetically; otherwise most frequent first, ties alphabetically.
    pub alphabetical: bool,
    pub top: Option<usize>,
    pub layout: Layout,
    pub values: Values,
    pub dispersion: bool,
    /// The metadata's `documents` list: only JSON and the workbook's method sheet write it, and
    /// for the other formats it would be a few hundred bytes a document held until the end.
    pub list_documents: bool,
}

/// One document's word types.
pub struct DocumentWords {
    pub name: String,
    pub format: Format,
    pub pages: Option<u32>,
    pub tokens: u64,
    pub words: WordCounts,
    /// With --dispersion: the word types of each page or part (`None` for a streamed file).
    pub parts: Option<WordParts>,
}

/// The documents' word types added up as each document is counted: memory follows the
/// vocabulary, not the number of documents. Each document's own word table is dropped once
/// added, unless --layout wide (the documents × words matrix) or --dispersion (each page's
/// words) needs it.
#[derive(Default)]
pub struct Corpus {
    pub documents: Vec<DocumentWords>,
    /// Every word type's count and how it was written, in all the documents together.
    pub words: WordCounts,
    /// The number of documents each word type occurs in.
    pub documents_per_word: WordCounts,
}

impl Corpus {
    pub fn add(&mut self, mut document: DocumentWords, keep_words: bool) {
        for (word, _) in document.words.iter() {
            self.documents_per_word.add(word, 1);
        }
        let words = if keep_words {
            document.words.clone()
        } else {
            std::mem::take(&mut document.words)
        };
        self.words = merge(std::mem::take(&mut self.words), words);
        self.documents.push(document);
    }
}

/// `words --layout wide`: one row per document, one column per word of `words` (the listed
/// ones, of `listed` before `--top`).
fn wide_word_table(
    documents: &[DocumentWords],
    words: &[&str],
    options: &Options,
    listed: usize,
) -> Table {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let paths: Vec<&str> = documents.iter().map(|d| d.name.as_str()).collect();
    let matrix: Vec<MatrixRow> = documents
        .iter()
        .zip(short_names(&paths))
        .map(|(d, name)| MatrixRow {
            document: name,
            path: d.name.clone(),
            unit: None,
            tokens: d.tokens,
            counts: words.iter().map(|w| d.words.get(w).unwrap_or(0)).collect(),
        })
        .collect();
    let mut wide = wide_table(&matrix, None, &words, options.values);
    wide.notes
        .push("One row per document, one column per word (lower-cased).".to_string());
    let shown = words.len();
    if shown < listed {
        wide.notes.push(format!(
            "The {shown} first words of {listed} (--top {shown})."
        ));
    }
    wide
}

/// The report's metadata: the documents, the totals and the filter (`listed` rows of `types`,
/// `proper` types left out as proper nouns).
fn words_meta(
    documents: &[DocumentWords],
    options: &Options,
    filter: &WordFilter,
    (tokens, types, listed, proper): (u64, usize, usize, usize),
) -> Report {
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("words"));
    if options.list_documents {
        report.meta.insert(
            "documents".into(),
            json!(
                documents
                    .iter()
                    .map(|d| json!({"path": d.name, "format": d.format, "pages": d.pages, "tokens": d.tokens}))
                    .collect::<Vec<_>>()
            ),
        );
    }
    report.meta.insert(
        "total".into(),
        json!({"documents": documents.len(), "tokens": tokens, "types": types}),
    );
    report.meta.insert(
        "filter".into(),
        json!({
            "stopwords": filter.stop.as_ref().map(|s| s.name.clone()),
            "min_docs": filter.min_docs,
            "min_count": options.min_count,
            "proper_nouns": filter.proper_nouns,
            "proper_nouns_left_out": proper,
            "listed": listed,
        }),
    );
    report
}

/// The frequency list of all documents together (see the schema at the top of this file).
pub fn build_report(corpus: &Corpus, options: &Options, filter: &WordFilter) -> Report {
    let documents = &corpus.documents;
    let tokens: u64 = documents.iter().map(|d| d.tokens).sum();
    let types = corpus.words.len();
    // (count, documents, how it was written) of every type.
    let mut rows: Vec<(&str, (u64, u64, Capitals))> = corpus
        .words
        .iter_written()
        .filter(|&(_, count, _)| count >= options.min_count)
        .map(|(word, count, capitals)| {
            let docs = corpus.documents_per_word.get(word).unwrap_or(0);
            (word, (count, docs, capitals))
        })
        .collect();
    let proper = filter.retain(&mut rows, |&(word, (count, docs, capitals))| {
        (word, docs, capitals.is_proper_noun(count))
    });
    let mut rows: Vec<(&str, u64, u64)> = rows
        .into_iter()
        .map(|(word, (count, docs, _))| (word, count, docs))
        .collect();
    if options.alphabetical {
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    } else {
        rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    }
    let shown = options.top.unwrap_or(rows.len()).min(rows.len());

    let totals = (tokens, types, rows.len(), proper);
    let mut report = words_meta(documents, options, filter, totals);
    let mut table = word_table(documents, tokens, types);
    if options.layout == Layout::Wide {
        let words: Vec<&str> = rows[..shown].iter().map(|r| r.0).collect();
        let mut wide = wide_word_table(documents, &words, options, rows.len());
        wide.title = table.title.take();
        report.tables.push(wide);
        return report;
    }
    if options.dispersion {
        table.columns.extend(dispersion_columns());
    }
    let all_parts = options.dispersion.then(|| AllParts::of(documents));
    for &(word, count, docs) in &rows[..shown] {
        let mut cells = vec![
            Value::text(word),
            Value::Int(count as i64),
            Value::Significant(rate_per_10k(count, tokens), 4),
            Value::Int(docs as i64),
        ];
        if let Some(all) = &all_parts {
            let measured = all.as_ref().map(|a| a.dispersion(word));
            cells.extend(dispersion_cells(Some(docs as i64), measured));
        }
        table.push(cells);
    }
    if all_parts.is_some() {
        let streamed = documents.iter().filter(|d| d.parts.is_none()).count();
        report.notes.push(dispersion_note(streamed));
    }
    let left_out = filter.describe(proper);
    if !left_out.is_empty() {
        table.notes.push(left_out);
    }
    table.note_top(shown, rows.len());
    report.tables.push(table);
    report
}

/// The empty word list, titled with the documents' size.
fn word_table(documents: &[DocumentWords], tokens: u64, types: usize) -> Table {
    let mut table = Table::new(vec![
        Column::new("word", "Word").highlighted(),
        Column::number("count", "Count"),
        Column::number("rate_per_10k", "per 10k words"),
        Column::number("documents", "Documents"),
    ]);
    table.title = Some(if documents.len() == 1 {
        format!("{}: {tokens} words, {types} different", documents[0].name)
    } else {
        format!(
            "All {} documents: {tokens} words, {types} different",
            documents.len()
        )
    });
    table
}

/// The pages (or parts) of all the documents one after another, and where each word occurs in
/// them, for `--dispersion`.
struct AllParts<'a> {
    sizes: Vec<u64>,
    /// (part, count) of each word, for the parts it occurs in: one pass over each part's words.
    occurrences: FxHashMap<&'a str, Vec<(usize, u64)>>,
}

impl<'a> AllParts<'a> {
    /// `None` when a streamed file's parts were not kept.
    fn of(documents: &'a [DocumentWords]) -> Option<AllParts<'a>> {
        let mut all = AllParts {
            sizes: Vec::new(),
            occurrences: FxHashMap::default(),
        };
        for d in documents {
            for (size, words) in d.parts.as_ref()?.sizes.iter().zip(&d.parts.as_ref()?.words) {
                let part = all.sizes.len();
                all.sizes.push(*size);
                for (word, n) in words.iter() {
                    all.occurrences.entry(word).or_default().push((part, n));
                }
            }
        }
        Some(all)
    }

    fn dispersion(&self, word: &str) -> crate::dispersion::Dispersion {
        let occurrences = self.occurrences.get(word).map_or(&[][..], Vec::as_slice);
        sparse_dispersion(&self.sizes, occurrences.iter().copied())
    }
}
