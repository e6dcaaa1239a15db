//! The report of `termtally count` (its schema is documented at the top of `cmd/count.rs`):
//! counts of a lexicon's terms as one `Report`, shared by `count`, `report` and `serve`.

use serde_json::json;

use std::borrow::Borrow;

use crate::count::{
    CorpusCounts, CountStore, DocumentCounts, Unit, category_totals, percent, rate_per_10k,
};
use crate::document::{ShortNames, pages_without_text_warning, short_names};
use crate::layout::{MatrixRow, Values, wide_table};
use crate::lexicon::Lexicon;
use crate::matcher::Mode;
use crate::table::{Column, Report, Role, Row, Table, Value};

/// The rows of `--rows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowSelection {
    Terms,
    Categories,
    Totals,
    All,
}

impl RowSelection {
    pub const ALL: [RowSelection; 4] = [
        RowSelection::Terms,
        RowSelection::Categories,
        RowSelection::Totals,
        RowSelection::All,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RowSelection::Terms => "terms",
            RowSelection::Categories => "categories",
            RowSelection::Totals => "totals",
            RowSelection::All => "all",
        }
    }
}

/// Keeps the rows of `report` that `selection` asks for (see [`RowSelection`]). With one document
/// there is no "(all documents)" table; its own rows are then its totals.
pub fn select_rows(report: &mut Report, selection: RowSelection) {
    let has_corpus_total = report.tables.iter().any(|t| {
        let document = t.column_index("document");
        t.rows
            .iter()
            .any(|r| document.and_then(|i| r.cells.get(i)) == Some(&Value::text(ALL_DOCUMENTS)))
    });
    for table in &mut report.tables {
        select_table_rows(table, selection, has_corpus_total);
    }
}

/// [`select_rows`] of one table of a report that has (or has not) a corpus total.
fn select_table_rows(table: &mut Table, selection: RowSelection, has_corpus_total: bool) {
    let (Some(kind), Some(document)) = (table.column_index("kind"), table.column_index("document"))
    else {
        return;
    };
    table.rows.retain(|row| {
        let is = |i: usize, text: &str| row.cells.get(i) == Some(&Value::text(text));
        let total = is(document, ALL_DOCUMENTS);
        match selection {
            RowSelection::Terms => is(kind, "term") && !total,
            RowSelection::Categories => is(kind, "category") && !total,
            RowSelection::Totals => total || !has_corpus_total,
            RowSelection::All => true,
        }
    });
}

/// The sheets of the xlsx workbook: `terms` (the term rows of each document, as the default
/// CSV), `counts` and `rates` (the documents × terms matrix), `categories` (category totals of
/// each document); the renderer adds `method`.
pub fn spreadsheet_sheets(
    report: &Report,
    lexicon: &Lexicon,
    by: Unit,
    counts: &CorpusCounts,
) -> Vec<Table> {
    let long = |selection: RowSelection, title: &str| {
        let mut selected = report.clone();
        select_rows(&mut selected, selection);
        let mut table = crate::render::flattened_table(&selected);
        table.title = Some(title.to_string());
        table
    };
    let wide = |values: Values, title: &str| {
        let mut table = matrix(lexicon, by, counts, values);
        table.title = Some(title.to_string());
        table
    };
    vec![
        long(RowSelection::Terms, "terms"),
        wide(Values::Count, "counts"),
        wide(Values::Rate, "rates"),
        long(RowSelection::Categories, "categories"),
    ]
}

/// The documents × terms matrix (see [`crate::layout`]): one row per document, or per page or
/// section with `--by`; a column per term, then `category:NAME` per category.
pub fn matrix(lexicon: &Lexicon, by: Unit, counts: &CorpusCounts, values: Values) -> Table {
    let paths: Vec<&str> = counts.documents.iter().map(|d| d.name.as_str()).collect();
    let names = short_names(&paths);
    let with_categories = |term_counts: &[u64]| {
        let mut all = term_counts.to_vec();
        all.extend(category_totals(lexicon, term_counts));
        all
    };
    let mut rows = Vec::new();
    for (d, name) in counts.documents.iter().zip(names) {
        if by == Unit::Document {
            rows.push(MatrixRow {
                document: name,
                path: d.name.clone(),
                unit: None,
                tokens: d.tokens,
                counts: with_categories(&d.counts),
            });
        } else {
            rows.extend(d.units.iter().map(|u| MatrixRow {
                document: name.clone(),
                path: d.name.clone(),
                unit: Some(u.label.clone()),
                tokens: u.tokens,
                counts: with_categories(&u.counts),
            }));
        }
    }
    let columns: Vec<String> = lexicon
        .terms
        .iter()
        .map(|t| t.label.clone())
        .chain(
            lexicon
                .categories
                .iter()
                .map(|c| format!("category:{}", c.name)),
        )
        .collect();
    let unit = (by != Unit::Document).then(|| unit_title(by));
    wide_table(&rows, unit, &columns, values)
}

/// The document label of corpus-total rows.
pub const ALL_DOCUMENTS: &str = "(all documents)";

/// Builds the report of `count` (see the schema at the top of this file), every table held.
pub fn build_report(lexicon: &Lexicon, mode: Mode, by: Unit, counts: &CorpusCounts) -> Report {
    let summary = Summary {
        documents: counts.documents.len(),
        tokens: counts.tokens,
    };
    let mut report = report_frame(lexicon, mode, by, summary, || counts.documents.iter(), true);
    let paths: Vec<&str> = counts.documents.iter().map(|d| d.name.as_str()).collect();
    let tables = Tables::of(lexicon, by, &paths);
    for (d, name) in counts.documents.iter().zip(&tables.names) {
        report.tables.push(tables.document_table(d, name));
    }
    let tallied = Tallied::new(counts.tokens, &counts.counts, &counts.excluded);
    report.tables.extend(tables.corpus_table(summary, tallied));
    report
}

/// The report of `count` with its tables deferred ([`crate::table::TableSource`]): only the
/// counts are kept, packed ([`CountStore`]), and each document's table is made as it is
/// written, so memory does not grow with the rows. `selection` keeps only those rows (CSV/TSV's
/// `--rows`). `with_documents`: the `documents` list of the metadata, which only JSON writes
/// (a few hundred bytes a document held until the end: left out for the other formats).
pub fn deferred_report(
    lexicon: &Lexicon,
    mode: Mode,
    by: Unit,
    store: CountStore,
    selection: Option<RowSelection>,
    with_documents: bool,
) -> Report {
    let summary = Summary {
        documents: store.len(),
        tokens: store.tokens,
    };
    let mut report = report_frame(
        lexicon,
        mode,
        by,
        summary,
        || store.documents(),
        with_documents,
    );
    let names = {
        let paths: Vec<&str> = store.names().collect();
        ShortNames::of(&paths)
    };
    report.deferred = Some(std::sync::Arc::new(DeferredTables {
        lexicon: lexicon.clone(),
        columns: columns(by, has_exclusions(lexicon)),
        names,
        by,
        store,
        selection,
    }));
    report
}

/// The corpus as the report's frame describes it.
#[derive(Debug, Clone, Copy)]
struct Summary {
    documents: usize,
    tokens: u64,
}

/// The report without its tables: metadata and notes. `documents` gives each document's counts
/// (called once for the notes and, `with_documents`, once more for the metadata's list).
fn report_frame<D: Borrow<DocumentCounts>, I: Iterator<Item = D>>(
    lexicon: &Lexicon,
    mode: Mode,
    by: Unit,
    summary: Summary,
    documents: impl Fn() -> I,
    with_documents: bool,
) -> Report {
    let mut report = Report::default();
    let listed = with_documents.then(&documents);
    insert_meta(&mut report, lexicon, mode, by, summary, listed);
    report.notes = notes(lexicon, mode, by);
    report.notes.extend(pages_without_text_note(documents()));
    report
}

/// What every table of the report is made with: the lexicon, the unit, the columns and each
/// document's short name.
struct Tables<'a> {
    lexicon: &'a Lexicon,
    by: Unit,
    columns: Vec<Column>,
    names: Vec<String>,
}

impl<'a> Tables<'a> {
    fn of(lexicon: &'a Lexicon, by: Unit, paths: &[&str]) -> Tables<'a> {
        Tables {
            lexicon,
            by,
            columns: columns(by, has_exclusions(lexicon)),
            names: short_names(paths),
        }
    }

    /// One document's table (display formats show it under a title instead of repeating the
    /// path on every row; machine formats carry `document`).
    fn document_table(&self, d: &DocumentCounts, name: &str) -> Table {
        let document = (name, Value::text(&d.name));
        let mut table = Table::new(self.columns.clone());
        let pages = d.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
        table.title = Some(format!("{}: {} words{pages}", d.name, d.tokens));
        if self.by == Unit::Document {
            let tallied = Tallied::new(d.tokens, &d.counts, &d.excluded);
            add_rows(
                &mut table,
                self.lexicon,
                document,
                Value::Null,
                tallied,
                true,
            );
        } else {
            for u in &d.units {
                add_rows(
                    &mut table,
                    self.lexicon,
                    document.clone(),
                    unit_cell(self.by, &u.label),
                    Tallied::new(u.tokens, &u.counts, &u.excluded),
                    false,
                );
            }
        }
        table
    }

    /// The "(all documents)" table, for more than one document.
    fn corpus_table(&self, summary: Summary, tallied: Tallied<'_>) -> Option<Table> {
        if summary.documents < 2 {
            return None;
        }
        let mut table = Table::new(self.columns.clone());
        table.title = Some(format!(
            "All {} documents: {} words",
            summary.documents, summary.tokens
        ));
        let corpus = (ALL_DOCUMENTS, Value::Null);
        add_rows(&mut table, self.lexicon, corpus, Value::Null, tallied, true);
        Some(table)
    }
}

/// The tables of [`deferred_report`], made from the counts one at a time.
#[derive(Debug)]
struct DeferredTables {
    lexicon: Lexicon,
    by: Unit,
    columns: Vec<Column>,
    names: ShortNames,
    store: CountStore,
    selection: Option<RowSelection>,
}

impl crate::table::TableSource for DeferredTables {
    fn columns(&self) -> &[Column] {
        &self.columns
    }

    fn each_table(
        &self,
        each: &mut dyn FnMut(Table) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let tables = Tables {
            lexicon: &self.lexicon,
            by: self.by,
            columns: self.columns.clone(),
            names: Vec::new(),
        };
        let store = &self.store;
        let has_corpus_total = store.len() > 1;
        let summary = Summary {
            documents: store.len(),
            tokens: store.tokens,
        };
        let all = store.documents().enumerate();
        let documents = all.map(|(i, d)| tables.document_table(&d, &self.names.name(i, &d.name)));
        let tallied = Tallied::new(store.tokens, &store.counts, &store.excluded);
        for mut table in documents.chain(tables.corpus_table(summary, tallied)) {
            if let Some(selection) = self.selection {
                select_table_rows(&mut table, selection, has_corpus_total);
            }
            each(table)?;
        }
        Ok(())
    }
}

/// The report's metadata: command, lexicon, mode, unit, categories, documents and totals.
fn insert_meta<D: Borrow<DocumentCounts>>(
    report: &mut Report,
    lexicon: &Lexicon,
    mode: Mode,
    by: Unit,
    summary: Summary,
    documents: Option<impl Iterator<Item = D>>,
) {
    report.meta.insert("command".into(), json!("count"));
    report.meta.insert(
        "lexicon".into(),
        json!({"name": lexicon.name, "origin": lexicon.origin, "source": lexicon.source}),
    );
    report.meta.insert("mode".into(), json!(mode.name()));
    report.meta.insert("by".into(), json!(by.name()));
    report.meta.insert(
        "categories".into(),
        json!(
            lexicon
                .categories
                .iter()
                .map(|c| json!({"name": c.name, "description": c.description}))
                .collect::<Vec<_>>()
        ),
    );
    if let Some(documents) = documents {
        let listed = documents.map(|d| {
            let d = d.borrow();
            json!({
                "path": d.name,
                "format": d.format,
                "pages": d.pages,
                "tokens": d.tokens,
                "pages_without_text": d.pages_without_text,
            })
        });
        report
            .meta
            .insert("documents".into(), json!(listed.collect::<Vec<_>>()));
    }
    report.meta.insert(
        "total".into(),
        json!({"documents": summary.documents, "tokens": summary.tokens}),
    );
}

/// A row's unit: the page, section or heading; null above the first heading.
fn unit_cell(by: Unit, label: &str) -> Value {
    if by == Unit::Heading && label == crate::count::NO_HEADING {
        Value::Null
    } else {
        Value::text(label)
    }
}

/// The title of the unit column.
pub fn unit_title(by: Unit) -> &'static str {
    match by {
        Unit::Document => "Unit",
        Unit::Page => "Page",
        Unit::Section => "Section",
        Unit::Heading => "Heading",
    }
}

/// Whether any term has exclusions (the `excluded` column is then shown on screen too).
fn has_exclusions(lexicon: &Lexicon) -> bool {
    lexicon.terms.iter().any(|t| !t.exclude.is_empty())
}

/// The columns of every table of the report.
fn columns(by: Unit, show_excluded: bool) -> Vec<Column> {
    let excluded = Column::number("excluded", "Excluded");
    let unit = Column::new("unit", unit_title(by))
        .right()
        .role(Role::Citation);
    vec![
        Column::new("kind", "Kind").machine_only(),
        Column::new("document", "Document").machine_only(),
        Column::new("path", "Path").role(Role::Path).machine_only(),
        if by == Unit::Document {
            unit.machine_only()
        } else {
            unit
        },
        Column::new("term", "Term").highlighted(),
        Column::new("category", "Category"),
        Column::number("count", "Count"),
        if show_excluded {
            excluded
        } else {
            excluded.machine_only()
        },
        Column::number("tokens", "Words").machine_only(),
        Column::number("rate_per_10k", "per 10k words"),
        Column::number("share", "Share of hits %"),
    ]
}

/// The word tokens, counts and excluded hits per term of one document or unit.
struct Tallied<'a> {
    tokens: u64,
    counts: &'a [u64],
    excluded: &'a [u64],
}

impl<'a> Tallied<'a> {
    fn new(tokens: u64, counts: &'a [u64], excluded: &'a [u64]) -> Tallied<'a> {
        Tallied {
            tokens,
            counts,
            excluded,
        }
    }
}

/// The rows of one document or unit: each term's count, then each category's total (bold);
/// without `with_zeros`, terms and categories that do not occur are left out. `document` is the
/// short name and the path (null for the corpus total).
fn add_rows(
    table: &mut Table,
    lexicon: &Lexicon,
    (document, path): (&str, Value),
    unit: Value,
    tallied: Tallied<'_>,
    with_zeros: bool,
) {
    let Tallied {
        tokens,
        counts: term_counts,
        excluded,
    } = tallied;
    let excluded_of = |i: usize| excluded.get(i).copied().unwrap_or(0);
    for (i, (term, &count)) in lexicon.terms.iter().zip(term_counts).enumerate() {
        if count == 0 && excluded_of(i) == 0 && !with_zeros {
            continue;
        }
        table.push(vec![
            Value::text("term"),
            Value::text(document),
            path.clone(),
            unit.clone(),
            Value::text(&term.label),
            Value::text(&term.category),
            Value::Int(count as i64),
            Value::Int(excluded_of(i) as i64),
            Value::Int(tokens as i64),
            Value::Significant(rate_per_10k(count, tokens), 4),
            Value::Null,
        ]);
    }
    let totals = category_totals(lexicon, term_counts);
    let excluded_totals = category_totals(lexicon, excluded);
    let all: u64 = totals.iter().sum();
    if all == 0 && excluded_totals.iter().all(|&x| x == 0) && !with_zeros {
        return;
    }
    for (k, (category, &count)) in lexicon.categories.iter().zip(&totals).enumerate() {
        let excluded = excluded_totals.get(k).copied().unwrap_or(0);
        if count == 0 && excluded == 0 && !with_zeros {
            continue;
        }
        table.push_row(Row {
            cells: vec![
                Value::text("category"),
                Value::text(document),
                path.clone(),
                unit.clone(),
                Value::Null,
                Value::text(&category.name),
                Value::Int(count as i64),
                Value::Int(excluded as i64),
                Value::Int(tokens as i64),
                Value::Significant(rate_per_10k(count, tokens), 4),
                percent(count, all).map_or(Value::Null, |p| Value::Float(p, 1)),
            ],
            bold: true,
        });
    }
}

/// The note naming the PDF pages whose words could not be counted, per document.
fn pages_without_text_note<D: Borrow<DocumentCounts>>(
    documents: impl Iterator<Item = D>,
) -> Option<String> {
    let named: Vec<String> = documents
        .filter_map(|d| {
            let d = d.borrow();
            pages_without_text_warning(&d.pages_without_text).map(|w| format!("{}: {w}", d.name))
        })
        .collect();
    (!named.is_empty()).then(|| {
        format!(
            "Pages without text (their words are in no count or rate): {}.",
            named.join("; ")
        )
    })
}

/// The notes under the tables: what the mode matched, how to read the rows, the lexicon.
fn notes(lexicon: &Lexicon, mode: Mode, by: Unit) -> Vec<String> {
    let mut notes = Vec::new();
    notes.push(mode_note(mode));
    notes.push(
        "Rows without a term (bold on a terminal) are category totals. per 10k words = count x 10,000 / word tokens of the document (or page/section); share = the category's hits as a percentage of all the lexicon's hits there."
            .to_string(),
    );
    let exclusions: Vec<String> = lexicon
        .terms
        .iter()
        .filter(|t| !t.exclude.is_empty())
        .map(|t| format!("{}: {}", t.label, t.exclude.join(", ")))
        .collect();
    if !exclusions.is_empty() {
        notes.push(format!(
            "Excluded (hits inside these phrases are not counted for the term; the excluded column says how many): {}.",
            exclusions.join("; ")
        ));
    }
    if by != Unit::Document {
        notes.push(format!(
            "{}s where a term or category does not occur are not listed for it.",
            unit_title(by)
        ));
    }
    notes.push(format!(
        "Lexicon: {} ({}){}",
        lexicon.name,
        lexicon.origin,
        lexicon
            .source
            .as_ref()
            .map(|s| format!("; source: {s}"))
            .unwrap_or_default()
    ));
    notes
}

/// What matching mode `mode` means, in plain words (a note of `count` and the Method section of
/// `report`).
pub fn mode_note(mode: Mode) -> String {
    match mode {
    Mode::Word => "Mode word: whole words, case-insensitive; multi-word forms match consecutive words; each word counts for at most one term.".to_string(),
    Mode::Family => "Mode family: whole words and their regular inflections (-s, -'s, -ed, -ing), case-insensitive; each word counts for at most one term.".to_string(),
    Mode::Substring => "Mode substring: occurrences anywhere in the text, ignoring word boundaries (as a PDF viewer's Find box). TERMS OVERLAP in this mode (\"inform\" is also counted inside \"information\"), so category totals and shares count some text more than once.".to_string(),
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::count_document;
    use crate::matcher::Matcher;
    use crate::render::{OutputFormat, RenderOptions, render_to_string};
    use crate::testing::text_document;

    /// Three documents (two with the same file name in different folders, so short names need
    /// every path) counted with the study's lexicon.
    fn counts(lexicon: &Lexicon) -> CorpusCounts {
        let matcher = Matcher::new(lexicon, Mode::Word).unwrap();
        let documents = [
            (
                "a/report.txt",
                "Parents must be consulted. The authority should inform them.",
            ),
            (
                "b/report.txt",
                "Professionals advise and support; they must co-operate.",
            ),
            ("c.txt", "Nothing of the lexicon here."),
        ]
        .map(|(name, text)| {
            count_document(&text_document(name, &[text]), &matcher, Unit::Document)
        });
        CorpusCounts::from_documents(documents.to_vec(), lexicon.terms.len())
    }

    #[test]
    fn deferred_tables_render_as_the_held_ones_in_every_format_and_row_selection() {
        let lexicon = Lexicon::load("boddison-soan-2021").unwrap();
        let counts = counts(&lexicon);
        let options = RenderOptions {
            width: Some(100),
            ..RenderOptions::default()
        };
        let held = build_report(&lexicon, Mode::Word, Unit::Document, &counts);
        let defer = |selection, with_documents| {
            let mut store = CountStore::new(lexicon.terms.len());
            for d in &counts.documents {
                store.push(d);
            }
            deferred_report(
                &lexicon,
                Mode::Word,
                Unit::Document,
                store,
                selection,
                with_documents,
            )
        };
        let deferred = defer(None, true);
        assert!(deferred.tables.is_empty() && deferred.deferred.is_some());
        for format in OutputFormat::ALL {
            if format == OutputFormat::Xlsx {
                continue; // the workbook holds its rows (its sheets): not deferred
            }
            let (a, b) = (
                render_to_string(&held, format, &options),
                render_to_string(&deferred, format, &options),
            );
            assert_eq!(a, b, "{format:?}");
            assert!(a.contains("a/report.txt"), "{format:?}: {a}");
            // Without the metadata's documents list, only JSON differs (it alone writes it).
            let without = render_to_string(&defer(None, false), format, &options);
            assert_eq!(without == a, format != OutputFormat::Json, "{format:?}");
        }
        for selection in RowSelection::ALL {
            let mut selected = held.clone();
            select_rows(&mut selected, selection);
            let deferred = defer(Some(selection), false);
            assert_eq!(
                render_to_string(&selected, OutputFormat::Csv, &options),
                render_to_string(&deferred, OutputFormat::Csv, &options),
                "{selection:?}"
            );
        }
        // Materialised, the deferred report is the held one.
        let mut materialised = deferred;
        materialised.materialise();
        assert_eq!(
            crate::render::to_json(&materialised),
            crate::render::to_json(&held)
        );
    }
}
