//! The HTML report of `termtally report`: one self-contained page (its only stylesheet and
//! script inline, allowed by hash; nothing loaded from anywhere) with the sections Method,
//! Headline, Terms × documents, Dispersion, Concordance and Change.
//!
//! It renders numbers computed elsewhere, never its own: the table model of `count` (the rows
//! of `count --format json`), the page counts of the same `count_document` pass, the first hits
//! of `kwic`, and the table model of `diff`. Everything from a document or a lexicon is
//! untrusted text: maud escapes every interpolation, and the Content-Security-Policy forbids any
//! script or style but ours.

pub mod assets;
mod charts;

use std::collections::HashMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::display_text;
use crate::count::CorpusCounts;
use crate::document::Format;
use crate::keyness::wilson_interval;
use crate::kwic::Concordance;
use crate::lexicon::Lexicon;
use crate::matcher::Mode;
use crate::table::{Report, Role, Row, Table, Value};

use charts::{
    DispersionRow, HeatCell, KeynessBar, PageMark, ShareBar, ShareGroup, category_colour,
};

/// One document as the Method section lists it.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    pub name: String,
    pub format: Format,
    pub pages: Option<u32>,
    pub words: u64,
    /// SHA-256 of the file's bytes (`None` for standard input).
    pub sha256: Option<String>,
}

/// The Change section's content.
pub enum Change {
    /// One side had no readable document.
    Unavailable(String),
    /// The report of `diff` over the OLD and NEW documents.
    Compared {
        table: Report,
        old: Vec<String>,
        new: Vec<String>,
    },
}

/// Everything the page shows.
pub struct ReportPage<'a> {
    pub lexicon: &'a Lexicon,
    /// SHA-256 of the lexicon in termtally's canonical TOML form (`Lexicon::to_toml`): its version.
    pub lexicon_sha256: String,
    pub mode: Mode,
    pub mode_note: String,
    pub cleaning: String,
    pub documents: Vec<DocumentInfo>,
    /// (document, reason) of the documents that could not be read.
    pub failures: Vec<(String, String)>,
    /// Counted by page: whole-document totals as `count` gives them, and the pages for dispersion.
    pub counts: &'a CorpusCounts,
    /// The report of `count` (by document) over the same counts.
    pub counts_table: &'a Report,
    /// The first hits in context, per document, per term.
    pub contexts: Vec<Vec<Vec<Concordance>>>,
    /// Hits in context per term and document (`None`: all).
    pub contexts_limit: Option<usize>,
    pub contexts_default: usize,
    pub change: Option<Change>,
    pub command: String,
    pub generated: String,
    pub version: &'a str,
}

/// Section ids and titles, in page order (the print test looks for every title).
pub const SECTIONS: [(&str, &str); 6] = [
    ("method", "Method"),
    (
        "headline",
        "Headline: how the hits divide between categories",
    ),
    ("terms", "Terms × documents"),
    (
        "dispersion",
        "Dispersion: where in each document the terms occur",
    ),
    (
        "concordance",
        "Concordance: the hits in context, with citations",
    ),
    ("change", "Change: OLD compared with NEW"),
];

/// The whole page.
pub fn render(page: &ReportPage) -> String {
    let view = View::new(page);
    let title = format!(
        "termtally report: {} in {} {}",
        page.lexicon.name,
        page.documents.len(),
        if page.documents.len() == 1 {
            "document"
        } else {
            "documents"
        }
    );
    let sections: Vec<(&str, &str)> = SECTIONS
        .iter()
        .copied()
        .filter(|(id, _)| *id != "change" || page.change.is_some())
        .collect();
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(assets::content_security_policy());
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("termtally {}", page.version));
                title { (title) }
                style { (PreEscaped(assets::STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.lead {
                        "How often the terms of " strong { (page.lexicon.name) } " occur, where, and in what words. "
                        "Every number comes from termtally " (page.version) " and can be checked against the "
                        "hits in context below, each with its page and paragraph."
                    }
                    nav aria-label="Sections" {
                        ul { @for (id, t) in &sections { li { a href=(format!("#{id}")) { (t.split(':').next().unwrap_or(t)) } } } }
                    }
                }
                main {
                    (method(page, &view))
                    (headline(page, &view))
                    (terms(page, &view))
                    (dispersion(page, &view))
                    (concordance(page, &view))
                    @if let Some(change) = &page.change { (change_section(page, &view, change)) }
                }
                footer {
                    "Made with termtally " (page.version) " on " (page.generated) ". "
                    "This file loads nothing from the network; it can be kept, printed and e-mailed as it is."
                }
                script { (PreEscaped(assets::SCRIPT)) }
            }
        }
    };
    markup.into_string()
}

/// Lookups over the page's inputs, built once.
struct View<'a> {
    term_index: HashMap<&'a str, usize>,
    doc_index: HashMap<&'a str, usize>,
    /// Rows of the count table: (table, row).
    rows: Vec<(&'a Table, &'a Row)>,
}

impl<'a> View<'a> {
    fn new(page: &'a ReportPage) -> View<'a> {
        View {
            term_index: page
                .lexicon
                .terms
                .iter()
                .enumerate()
                .map(|(i, t)| (t.label.as_str(), i))
                .collect(),
            doc_index: page
                .documents
                .iter()
                .enumerate()
                .map(|(i, d)| (d.name.as_str(), i))
                .collect(),
            rows: page
                .counts_table
                .tables
                .iter()
                .flat_map(|t| t.rows.iter().map(move |r| (t, r)))
                .collect(),
        }
    }
}

/// A cell of `row` by column key (Null when the table has no such column).
/// A cell as the report's tables show it: rates with two decimals, as the charts' titles give
/// them (the terminal's four significant digits would make a table and its chart disagree).
fn report_cell_text(value: &Value) -> String {
    match value {
        Value::Significant(f, _) if f.is_finite() => format!("{f:.2}"),
        Value::Int(i) => grouped(*i),
        other => display_text(other),
    }
}

/// A whole number with thousands separators, as a reader of a briefing expects ("8,880"); the
/// sortable tables' script reads such a cell as the number.
fn grouped(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn cell<'a>(table: &'a Table, row: &'a Row, key: &str) -> &'a Value {
    const NULL: &Value = &Value::Null;
    table
        .column_index(key)
        .and_then(|i| row.cells.get(i))
        .unwrap_or(NULL)
}

/// The document a count row belongs to, as the report's charts name it: the path as given
/// (count's `document` column is only the shortest unique end of it), or "(all documents)"
/// for the corpus total, which has no path.
fn document_key<'a>(table: &'a Table, row: &'a Row) -> &'a str {
    match text_of(table, row, "path") {
        "" => text_of(table, row, "document"),
        path => path,
    }
}

fn text_of<'a>(table: &'a Table, row: &'a Row, key: &str) -> &'a str {
    match cell(table, row, key) {
        Value::Text(s) => s,
        _ => "",
    }
}

fn int_of(table: &Table, row: &Row, key: &str) -> u64 {
    match cell(table, row, key) {
        Value::Int(i) => (*i).max(0) as u64,
        _ => 0,
    }
}

fn float_of(table: &Table, row: &Row, key: &str) -> Option<f64> {
    match cell(table, row, key) {
        Value::Float(f, _) | Value::Significant(f, _) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// A file name without its folders and extension, for chart labels.
fn short_name(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
        _ => file,
    };
    // Cut in the middle: the end of a report's name is often its date.
    const MAX: usize = 27;
    let chars: Vec<char> = stem.chars().collect();
    if chars.len() <= MAX {
        return stem.to_string();
    }
    let head: String = chars[..MAX / 2].iter().collect();
    let tail: String = chars[chars.len() - (MAX - 1 - MAX / 2)..].iter().collect();
    format!("{head}…{tail}")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

fn section_heading(id: &str) -> Markup {
    let title = SECTIONS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or(id, |(_, t)| t);
    html! { h2 id=(format!("{id}-title")) { (title) } }
}

/// A table of the table model: the given columns (by key), display-formatted as `table` shows
/// them; sortable by a click on a heading.
fn model_table(rows: &[(&Table, &Row)], keys: &[&str], id: &str, caption: Option<&str>) -> Markup {
    let Some((first, _)) = rows.first() else {
        return html! {};
    };
    let columns: Vec<(&str, String, bool)> = keys
        .iter()
        .filter_map(|k| {
            first.column_index(k).map(|i| {
                let c = &first.columns[i];
                (*k, c.title.clone(), c.role == Role::Number)
            })
        })
        .collect();
    html! {
        div.scroll {
            table.sortable id=(id) {
                @if let Some(caption) = caption { caption.note { (caption) } }
                thead { tr { @for (_, title, right) in &columns { th.num[*right] scope="col" { (title) } } } }
                tbody {
                    @for (table, row) in rows {
                        tr.total[row.bold] data-kind=(text_of(table, row, "kind")) {
                            @for (key, _, right) in &columns {
                                td.num[*right] { (report_cell_text(cell(table, row, key))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn method(page: &ReportPage, _view: &View) -> Markup {
    let contexts = match page.contexts_limit {
        Some(n) => format!(
            "the first {n} hits of each term in each document (--contexts {n}; the default is {}; --contexts all shows every hit); the total is given beside each term",
            page.contexts_default
        ),
        None => "every hit (--contexts all)".to_string(),
    };
    html! {
        section id="method" {
            (section_heading("method"))
            p {
                "termtally " (page.version) " read the documents below, cleaned their text, and counted "
                "the terms of the lexicon below in them, under the matching mode below. To repeat the "
                "analysis, run this command on files with the same SHA-256 (the same inputs give the same numbers):"
            }
            pre { code { (page.command) } }
            p.note { "Report made " (page.generated) "." }

            (method_documents(page))

            h3 { "Cleaning" }
            p { (page.cleaning) }

            (method_lexicon(page.lexicon, &page.lexicon_sha256))

            h3 { "Matching" }
            p { "Mode " strong { (page.mode.name()) } ". " (page.mode_note) }

            h3 { "Statistics" }
            p {
                "Share: a category's hits as a percentage of all the lexicon's hits in the document. "
                "95% CI: the Wilson score interval of that share (Wilson 1927; Newcombe 1998), the range "
                "in which the share would plausibly lie if the same kind of text were written again. "
                "Rate: hits per 10,000 words. "
                "Concordance: " (contexts) "."
            }
            @if page.change.is_some() {
                p { "Change: log-likelihood G2 (Rayson & Garside 2000), Log Ratio (Hardie 2014) and %DIFF "
                    "(Gabrielatos & Marchi 2012), exactly as termtally diff computes them; see the Change section." }
            }
        }
    }
}

/// The Method's documents: those that failed, then every one read with its SHA-256.
fn method_documents(page: &ReportPage) -> Markup {
    html! {
    h3 { "Documents" }
    @if !page.failures.is_empty() {
        div.warn role="alert" {
            p { strong { (plural(page.failures.len() as u64, "document", "documents")) " could not be read" }
                " and " (if page.failures.len() == 1 { "is" } else { "are" }) " left out of every number in this report:" }
            ul { @for (name, reason) in &page.failures { li { code { (name) } ": " (reason) } } }
        }
    }
    div.scroll {
        table id="documents" {
            thead { tr { th.num { "#" } th { "Document" } th { "Format" } th.num { "Pages" } th.num { "Words" } th { "SHA-256" } } }
            tbody {
                @for (i, d) in page.documents.iter().enumerate() {
                    tr {
                        td.num { (i + 1) }
                        td { (d.name) }
                        td { (d.format.name()) }
                        td.num { @if let Some(p) = d.pages { (p) } @else { "–" } }
                        td.num { (grouped(d.words)) }
                        td.hash { @if let Some(h) = &d.sha256 { (h) } @else { "(standard input)" } }
                    }
                }
            }
        }
    }
    p.note { "Words are the word tokens termtally counts (as termtally count reports them); rates are per 10,000 of them." }
    }
}

/// The Method's lexicon: its name, version, categories, and every term with its forms.
fn method_lexicon(lexicon: &Lexicon, sha256: &str) -> Markup {
    html! {
    h3 { "Lexicon" }
    p {
        strong { (lexicon.name) } " (" (lexicon.origin) "), "
        (plural(lexicon.terms.len() as u64, "term", "terms")) " in "
        (plural(lexicon.categories.len() as u64, "category", "categories")) "."
        @if let Some(d) = &lexicon.description { " " (d) "." }
        @if let Some(s) = &lexicon.source { " Source: " (s) "." }
        " Version (SHA-256 of its names, categories, terms and forms as termtally read them): "
        code.hash { (sha256) } "."
    }
    ul {
        @for (i, c) in lexicon.categories.iter().enumerate() {
            li {
                svg.swatch width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" { rect width="12" height="12" fill=(category_colour(i)) {} }
                " " strong { (c.name) } ": " (c.description)
            }
        }
    }
    div.scroll {
        table id="lexicon-terms" {
            thead { tr { th { "Term" } th { "Category" } th { "Forms matched" } th { "Note" } } }
            tbody {
                @for t in &lexicon.terms {
                    tr { td { (t.label) } td { (t.category) } td { (t.forms.join(", ")) } td { (t.note.as_deref().unwrap_or("")) } }
                }
            }
        }
    }
    }
}

/// (document label, [(category index, hits)], total hits) per count table, from its category rows.
fn category_rows<'a>(view: &View<'a>) -> Vec<(&'a str, Vec<(&'a Table, &'a Row)>)> {
    let mut out: Vec<(&str, Vec<(&Table, &Row)>)> = Vec::new();
    for (table, row) in &view.rows {
        if text_of(table, row, "kind") != "category" {
            continue;
        }
        let doc = document_key(table, row);
        match out.last_mut() {
            Some((d, rows)) if *d == doc => rows.push((table, row)),
            _ => out.push((doc, vec![(table, row)])),
        }
    }
    out
}

/// The headline bar of one category row of the count table (`all`: the document's hits).
fn share_bar(page: &ReportPage, doc: &str, t: &Table, r: &Row, all: u64) -> ShareBar {
    let category = text_of(t, r, "category").to_string();
    let hits = int_of(t, r, "count");
    let share = float_of(t, r, "share");
    let interval = wilson_interval(hits, all);
    let title = match (share, interval) {
        (Some(s), Some((lo, hi))) => {
            format!("{category} in {doc}: {s:.1}% of {all} hits ({hits}); 95% CI {lo:.1}–{hi:.1}%")
        }
        _ => format!("{category} in {doc}: no hits"),
    };
    ShareBar {
        colour_index: page.lexicon.category_index(&category).unwrap_or(0),
        category,
        share,
        interval,
        hits,
        all,
        title,
        document: doc.to_string(),
        href: "#terms-table".to_string(),
    }
}

fn headline(page: &ReportPage, view: &View) -> Markup {
    let categories: Vec<(String, usize)> = page
        .lexicon
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    let grouped = category_rows(view);
    // The corpus total (if any) first, then the documents in input order.
    let mut order: Vec<usize> = (0..grouped.len()).collect();
    order.sort_by_key(|&i| view.doc_index.contains_key(grouped[i].0));
    let mut groups = Vec::new();
    let mut lead = None;
    for &g in &order {
        let (doc, rows) = &grouped[g];
        let all: u64 = rows.iter().map(|(t, r)| int_of(t, r, "count")).sum();
        let is_total = !view.doc_index.contains_key(doc);
        let label = if is_total {
            "All documents".to_string()
        } else {
            short_name(doc)
        };
        let bars: Vec<ShareBar> = rows
            .iter()
            .map(|(t, r)| share_bar(page, doc, t, r, all))
            .collect();
        if lead.is_none() && (is_total || page.documents.len() == 1) {
            lead = bars
                .first()
                .and_then(|b| Some((b.category.clone(), b.share?, b.interval?, all)));
        }
        groups.push(ShareGroup {
            label,
            title: doc.to_string(),
            bars,
        });
    }
    html! {
        section id="headline" {
            (section_heading("headline"))
            @if let Some((category, share, (lo, hi), all)) = &lead {
                p.lead {
                    (format!("{share:.0}%")) " of the lexicon's " (all) " hits "
                    (if page.documents.len() == 1 { "in this document" } else { "across all the documents" })
                    " are " strong { (category) } " terms (95% confidence interval " (format!("{lo:.0}–{hi:.0}%")) ")."
                }
            }
            div.pair {
                figure {
                    figcaption {
                        "Each bar is one category's share of all the lexicon's hits in a document; the black "
                        "line across it is the 95% confidence interval. Hover a bar for its numbers."
                    }
                    (charts::share_chart(&groups, &categories))
                }
                div.scroll {
                    table id="headline-table" {
                        thead { tr { th { "Document" } th { "Category" } th.num { "Hits" } th.num { "Of all hits" } th.num { "Share %" } th.num { "95% CI %" } } }
                        tbody {
                            @for ShareBar { document: doc, category, hits, all, share, interval, .. } in groups.iter().flat_map(|g| &g.bars) {
                                tr data-document=(doc) data-category=(category) {
                                    td { (if view.doc_index.contains_key(doc.as_str()) { short_name(doc) } else { "All documents".to_string() }) }
                                    td { (category) }
                                    td.num { (hits) }
                                    td.num { (all) }
                                    td.num { @if let Some(s) = share { (format!("{s:.1}")) } }
                                    td.num { @if let Some((lo, hi)) = interval { (format!("{lo:.1}–{hi:.1}")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The heat map's cells: per document, per term shown, its count and rate from the count table.
fn heat_cells(page: &ReportPage, view: &View, shown_terms: &[usize]) -> Vec<Vec<HeatCell>> {
    let mut rate: HashMap<(&str, &str), (u64, f64)> = HashMap::new();
    for (t, r) in &view.rows {
        if text_of(t, r, "kind") == "term" {
            rate.insert(
                (document_key(t, r), text_of(t, r, "term")),
                (
                    int_of(t, r, "count"),
                    float_of(t, r, "rate_per_10k").unwrap_or(0.0),
                ),
            );
        }
    }
    page.documents
        .iter()
        .enumerate()
        .map(|(d, doc)| {
            shown_terms
                .iter()
                .map(|&t| {
                    let label = page.lexicon.terms[t].label.as_str();
                    let (count, r) = rate
                        .get(&(doc.name.as_str(), label))
                        .copied()
                        .unwrap_or((0, 0.0));
                    HeatCell {
                        count,
                        rate: r,
                        title: format!(
                            "{label} in {}: {}, {r:.2} per 10,000 words",
                            doc.name,
                            plural(count, "hit", "hits")
                        ),
                        href: format!("#c-{t}-{d}"),
                        term: label.to_string(),
                        document: doc.name.clone(),
                    }
                })
                .collect()
        })
        .collect()
}

fn terms(page: &ReportPage, view: &View) -> Markup {
    let rows: Vec<(&Table, &Row)> = view.rows.clone();
    // Heat map: documents × terms with any hit.
    let totals = &page.counts.counts;
    let shown_terms: Vec<usize> = (0..page.lexicon.terms.len())
        .filter(|&t| totals.get(t).copied().unwrap_or(0) > 0)
        .collect();
    let absent: Vec<&str> = (0..page.lexicon.terms.len())
        .filter(|t| !shown_terms.contains(t))
        .map(|t| page.lexicon.terms[t].label.as_str())
        .collect();
    let row_labels: Vec<(String, String)> = page
        .documents
        .iter()
        .map(|d| (short_name(&d.name), d.name.clone()))
        .collect();
    let columns: Vec<String> = shown_terms
        .iter()
        .map(|&t| page.lexicon.terms[t].label.clone())
        .collect();
    let cells = heat_cells(page, view, &shown_terms);
    html! {
        section id="terms" {
            (section_heading("terms"))
            p {
                "Each term's hits in each document, and its rate per 10,000 words (so long and short documents "
                "compare fairly). The rows in bold are category totals, with their share of the hits. "
                "These are the rows of " code { "termtally count --format json" } " on the same documents. "
                "Click a heading to sort."
            }
            @if !shown_terms.is_empty() {
                figure {
                    figcaption {
                        "Heat map: darker = more frequent (hits per 10,000 words); white = not found. "
                        "Click a square to read its hits in context."
                    }
                    (charts::heat_map(&row_labels, &columns, &cells))
                }
            }
            @if !absent.is_empty() {
                p.note { "Not found in any document: " (absent.join(", ")) "." }
            }
            (model_table(&rows, &["document", "term", "category", "count", "tokens", "rate_per_10k", "share", "dp"], "terms-table", None))
            p.note { (DP_LEGEND) }
        }
    }
}

/// What the DP column says, in plain words (under the terms table and in the dispersion section).
const DP_LEGEND: &str = "DP: how evenly the term is spread over the document's pages (a text without pages: 10 equal parts); 0 = spread evenly, 1 = all in one place (Gries's deviation of proportions; – = undefined: one page, or no hits). termtally count --dispersion gives it with DPnorm and Juilland's D.";

/// The DP of term `label` in `document` (a path, or "(all documents)"), from the count table.
fn dp_of(view: &View, document: &str, label: &str) -> Option<f64> {
    view.rows
        .iter()
        .find(|(t, r)| {
            text_of(t, r, "kind") == "term"
                && document_key(t, r) == document
                && text_of(t, r, "term") == label
        })
        .and_then(|(t, r)| float_of(t, r, "dp"))
        .filter(|dp| dp.is_finite())
}

fn dispersion(page: &ReportPage, view: &View) -> Markup {
    let lexicon = page.lexicon;
    let shown: Vec<usize> = (0..lexicon.terms.len())
        .filter(|&t| page.counts.counts.get(t).copied().unwrap_or(0) > 0)
        .collect();
    html! {
        section id="dispersion" {
            (section_heading("dispersion"))
            p {
                "For each term, one line per document, from its first page (left) to its last (right). "
                "A mark is a page where the term occurs; the taller the mark, the more hits on that page. "
                "A term spread along the whole line runs through the document; a cluster means one chapter. "
                "Click a mark to read the hits on that page. "
                (DP_LEGEND)
            }
            @if shown.is_empty() { p { "None of the lexicon's terms occurs in these documents." } }
            @for &t in &shown {
                @let term = &lexicon.terms[t];
                @let (rows, table) = dispersion_rows(page, t);
                h3 id=(format!("d-{t}")) { (term.label) " " span.note { "(" (term.category) ", " (plural(page.counts.counts[t], "hit", "hits")) ")" } }
                div.pair {
                    figure {
                        figcaption { "Pages with \u{201c}" (term.label) "\u{201d}" }
                        (charts::dispersion_plot(&term.label, term.category_index, &rows))
                    }
                    div.scroll {
                        table.dispersion-table data-term=(term.label) {
                            thead { tr { th { "Document" } th.num { "Hits" } th.num title=(DP_LEGEND) { "DP" } th { "Pages (hits)" } } }
                            tbody {
                                @for (doc, hits, pages) in &table {
                                    tr data-document=(doc) { td { (short_name(doc)) } td.num { (hits) } td.num { (dp_of(view, doc, &term.label).map_or_else(|| "–".to_string(), |dp| format!("{dp:.2}"))) } td { (pages) } }
                                }
                            }
                        }
                        @let missing = page.documents.len() - table.len();
                        @if missing > 0 { p.note { "No hits in the other " (plural(missing as u64, "document", "documents")) "." } }
                    }
                }
            }
        }
    }
}

/// The dispersion rows of term `t`, and its table: (document, hits, "4 (2), 7, 9").
fn dispersion_rows(
    page: &ReportPage,
    t: usize,
) -> (Vec<DispersionRow>, Vec<(String, u64, String)>) {
    let label = &page.lexicon.terms[t].label;
    let mut rows = Vec::new();
    let mut table = Vec::new();
    for (d, counts) in page.counts.documents.iter().enumerate() {
        let shown = page.contexts.get(d).and_then(|c| c.get(t));
        let mut marks = Vec::new();
        let mut pages_text = Vec::new();
        let mut unpaged = 0;
        for unit in &counts.units {
            let hits = unit.counts.get(t).copied().unwrap_or(0);
            if hits == 0 {
                continue;
            }
            let Some(p) = unit.page else {
                unpaged += hits;
                continue;
            };
            // The first hit on this page in the concordance, or the document's group there.
            let href = shown
                .and_then(|hs| hs.iter().position(|h| h.page == Some(p)))
                .map_or_else(|| format!("#c-{t}-{d}"), |i| format!("#h-{d}-{t}-{i}"));
            pages_text.push(if hits == 1 {
                p.to_string()
            } else {
                format!("{p} ({hits})")
            });
            marks.push(PageMark {
                page: p,
                hits,
                title: format!(
                    "{label} in {}, p. {p}{}: {}",
                    counts.name,
                    counts.pages.map(|n| format!(" of {n}")).unwrap_or_default(),
                    plural(hits, "hit", "hits")
                ),
                href,
            });
        }
        if unpaged > 0 {
            pages_text.push(format!("without page: {unpaged}"));
        }
        let total = counts.counts.get(t).copied().unwrap_or(0);
        if total > 0 {
            table.push((counts.name.clone(), total, pages_text.join(", ")));
        }
        rows.push(DispersionRow {
            label: short_name(&counts.name),
            document: counts.name.clone(),
            title: counts.name.clone(),
            pages: counts.pages,
            marks,
        });
    }
    (rows, table)
}

fn concordance(page: &ReportPage, _view: &View) -> Markup {
    let lexicon = page.lexicon;
    let limit = match page.contexts_limit {
        Some(n) => format!("the first {n} hits of each term in each document"),
        None => "every hit".to_string(),
    };
    html! {
        section id="concordance" {
            (section_heading("concordance"))
            p {
                "Each term's hits as the documents write them, with 40 characters either side and the page "
                "and numbered paragraph to cite. Shown: " (limit) " (change it with --contexts N, or "
                "--contexts all; the default is " (page.contexts_default) "). Open a term to read its hits."
            }
            @for (t, term) in lexicon.terms.iter().enumerate() {
                @let total = page.counts.counts.get(t).copied().unwrap_or(0);
                @if total > 0 {
                    @let in_docs = page.counts.documents.iter().filter(|d| d.counts.get(t).copied().unwrap_or(0) > 0).count();
                    details id=(format!("c-{t}")) {
                        summary {
                            (term.label) " (" (term.category) "): " (plural(total, "hit", "hits")) " in "
                            (plural(in_docs as u64, "document", "documents"))
                        }
                        @for (d, counts) in page.counts.documents.iter().enumerate() {
                            @let hits = counts.counts.get(t).copied().unwrap_or(0);
                            @let shown = page.contexts.get(d).and_then(|c| c.get(t)).map_or(&[][..], |v| v.as_slice());
                            @if hits > 0 {
                                h4 id=(format!("c-{t}-{d}")) {
                                    (counts.name) ": " (plural(hits, "hit", "hits"))
                                    @if (shown.len() as u64) < hits { ", the first " (shown.len()) " shown" }
                                }
                                ol.hits {
                                    @for (i, h) in shown.iter().enumerate() {
                                        li id=(format!("h-{d}-{t}-{i}")) {
                                            span.cite { (if h.cite.is_empty() { "(no page)" } else { h.cite.as_str() }) }
                                            "…" (h.left) " " mark { (h.matched) } " " (h.right) "…"
                                        }
                                    }
                                }
                            } @else {
                                span id=(format!("c-{t}-{d}")) {}
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The keyness chart's bars from diff's term rows (terms found on either side), largest Log
/// Ratio first.
fn keyness_bars(view: &View, term_rows: &[(&Table, &Row)]) -> Vec<KeynessBar> {
    let mut bars: Vec<KeynessBar> = term_rows
        .iter()
        .filter(|(t, r)| int_of(t, r, "old_count") + int_of(t, r, "new_count") > 0)
        .map(|(t, r)| {
            let term = text_of(t, r, "term").to_string();
            let lr = float_of(t, r, "log_ratio").unwrap_or(0.0);
            let g2 = float_of(t, r, "log_likelihood").unwrap_or(0.0);
            let sig = text_of(t, r, "significance").to_string();
            let pct = float_of(t, r, "pct_diff")
                .map_or_else(|| "undefined (none in OLD)".to_string(), |p| format!("{p:+.1}%"));
            let title = format!(
                "{term}: Log Ratio {lr:+.2} ({}); G2 {g2:.2}{}; %DIFF {pct}; OLD {} hits ({:.2} per 10k), NEW {} hits ({:.2} per 10k)",
                if lr > 0.0 {
                    format!("{:.1} times as frequent in NEW", 2f64.powf(lr))
                } else if lr < 0.0 {
                    format!("{:.1} times as frequent in OLD", 2f64.powf(-lr))
                } else {
                    "no change".to_string()
                },
                if sig.is_empty() { " (not significant)".to_string() } else { format!(" {sig}") },
                int_of(t, r, "old_count"),
                float_of(t, r, "old_per_10k").unwrap_or(0.0),
                int_of(t, r, "new_count"),
                float_of(t, r, "new_per_10k").unwrap_or(0.0),
            );
            let href = view
                .term_index
                .get(term.as_str())
                .map_or_else(|| "#concordance".to_string(), |i| format!("#c-{i}"));
            KeynessBar {
                term,
                log_ratio: lr,
                log_likelihood: g2,
                significance: sig,
                title,
                href,
            }
        })
        .collect();
    bars.sort_by(|a, b| {
        b.log_ratio
            .total_cmp(&a.log_ratio)
            .then_with(|| a.term.cmp(&b.term))
    });
    bars
}

fn change_section(page: &ReportPage, view: &View, change: &Change) -> Markup {
    let _ = (page, view);
    let (table, old, new) = match change {
        Change::Unavailable(reason) => {
            return html! { section id="change" { (section_heading("change")) p.warn { (reason) } } };
        }
        Change::Compared { table, old, new } => (table, old, new),
    };
    let side_tokens = |side: &str| {
        table
            .meta
            .get(side)
            .and_then(|s| s.get("tokens"))
            .and_then(|t| t.as_u64())
            .map_or_else(|| "0".to_string(), grouped)
    };
    let of_kind = |kind: &str| -> Vec<(&Table, &Row)> {
        table
            .tables
            .iter()
            .flat_map(|t| t.rows.iter().map(move |r| (t, r)))
            .filter(|(t, r)| text_of(t, r, "kind") == kind)
            .collect()
    };
    let (term_rows, category_rows) = (of_kind("term"), of_kind("category"));
    let bars = keyness_bars(view, &term_rows);
    let keys = [
        "term",
        "category",
        "old_count",
        "old_per_10k",
        "new_count",
        "new_per_10k",
        "change_per_10k",
        "status",
        "log_likelihood",
        "significance",
        "log_ratio",
        "pct_diff",
        "keyword",
    ];
    let names = |docs: &[String]| {
        docs.iter()
            .map(|d| short_name(d))
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        section id="change" {
            (section_heading("change"))
            p {
                strong { "OLD" } ": " (plural(old.len() as u64, "document", "documents")) ", " (side_tokens("old")) " words (" (names(old)) "). "
                strong { "NEW" } ": " (plural(new.len() as u64, "document", "documents")) ", " (side_tokens("new")) " words (" (names(new)) "). "
                "The statistics are those of " code { "termtally diff --old … --new …" } " on the same documents."
            }
            @for note in &table.notes { p.note { (note) } }
            @if !bars.is_empty() {
                figure {
                    figcaption { "How each term's frequency changed from OLD to NEW (Log Ratio; stars = significance). Click a bar for its hits." }
                    (charts::keyness_chart(&bars))
                }
            }
            h3 { "Terms" }
            (model_table(&term_rows, &keys, "change-terms", None))
            h3 { "Category totals" }
            (model_table(&category_rows, &keys, "change-categories", None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_folders_and_extension() {
        assert_eq!(
            short_name("a/b/rutland-03-august-2023.pdf"),
            "rutland-03-august-2023"
        );
        assert_eq!(short_name("notes"), "notes");
        assert_eq!(
            short_name("a-very-long-name-of-a-local-area-partnership-report.pdf"),
            "a-very-long-n…ership-report"
        );
    }

    #[test]
    fn whole_numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0u64), "0");
        assert_eq!(grouped(999u64), "999");
        assert_eq!(grouped(1000u64), "1,000");
        assert_eq!(grouped(2886u64), "2,886");
        assert_eq!(grouped(1_234_567u64), "1,234,567");
        assert_eq!(grouped(-12_345i64), "-12,345");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(plural(8880, "word", "words"), "8,880 words");
        assert_eq!(plural(1, "word", "words"), "1 word");
    }
}
