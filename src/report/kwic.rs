//! The concordance as a report: one row per hit (document, page, section, cite, left context,
//! the match, right context, term, category), shared by `termtally kwic` and the web app's
//! concordance download.

use serde_json::json;

use crate::document::short_names;
use crate::kwic::Concordance;
use crate::lexicon::Lexicon;
use crate::matcher::Mode;
use crate::table::{Column, Report, Role, Table, Value};

/// Longest document name the terminal shows.
const TERMINAL_NAME: usize = 18;

/// The `document` column's names: short names (as `count` gives them); on a terminal, where the
/// contexts need the width, without the extension and the start all the names share, cut to
/// [`TERMINAL_NAME`] characters ("dorset-2024-05" for the Ofsted reports). Machine formats
/// carry the full `path`.
pub fn shown_names(found: &[(String, Vec<Concordance>)], terminal: bool) -> Vec<String> {
    let paths: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
    let names = short_names(&paths);
    if !terminal {
        return names;
    }
    let stems: Vec<&str> = names
        .iter()
        .map(|n| match n.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && ext.len() <= 4 && !ext.contains('/') => stem,
            _ => n.as_str(),
        })
        .collect();
    let shared = shared_start(&stems);
    stems
        .iter()
        .map(|stem| {
            let rest = &stem[shared..];
            if rest.chars().count() <= TERMINAL_NAME {
                return rest.to_string();
            }
            let mut cut: String = rest.chars().take(TERMINAL_NAME - 1).collect();
            cut.push('…');
            cut
        })
        .collect()
}

/// Bytes at the start of every one of `names` (when they differ), up to a `-`, `_`, space or
/// `/`.
fn shared_start(names: &[&str]) -> usize {
    let Some((first, others)) = names.split_first() else {
        return 0;
    };
    if others.iter().all(|n| n == first) {
        return 0;
    }
    let common = others.iter().fold(first.len(), |len, n| {
        first
            .bytes()
            .zip(n.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count()
    });
    first.as_bytes()[..common]
        .iter()
        .rposition(|b| matches!(b, b'-' | b'_' | b' ' | b'/'))
        .map_or(0, |at| at + 1)
}

/// The concordance's columns, those `shown` says visible on screen.
fn columns(shown: Shown) -> Vec<Column> {
    let hide = |column: Column, shown: bool| if shown { column } else { column.machine_only() };
    vec![
        hide(Column::new("document", "Document"), shown.several_documents),
        Column::new("path", "Path").role(Role::Path).machine_only(),
        Column::number("page", "Page").machine_only(),
        Column::new("section", "Section")
            .role(Role::Citation)
            .machine_only(),
        Column::new("cite", "Cite").role(Role::Citation),
        Column::new("left", "Left context").right(),
        Column::new("match", "Match").highlighted(),
        Column::new("right", "Right context"),
        hide(Column::new("term", "Term"), shown.term),
        hide(Column::new("category", "Category"), shown.term),
        hide(Column::new("excluded", "Excluded"), shown.excluded),
    ]
}

/// Which optional columns are shown on screen (machine formats always carry them).
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    /// `document`, for several documents.
    pub several_documents: bool,
    /// `term` and `category`, for a lexicon of several terms.
    pub term: bool,
    /// `excluded`, with `--show-excluded`.
    pub excluded: bool,
    /// Output goes to a terminal: document names are cut to fit.
    pub terminal: bool,
}

/// The concordance table, with the columns `shown` says on screen.
pub fn build_report(
    lexicon: &Lexicon,
    mode: Mode,
    found: &[(String, Vec<Concordance>)],
    order: &[(usize, usize)],
    shown: Shown,
) -> Report {
    let show_term = shown.term;
    let mut table = Table::new(columns(shown));
    let mut per_term = vec![0u64; lexicon.terms.len()];
    let mut excluded = 0;
    let names = shown_names(found, shown.terminal);
    for &(d, h) in order {
        let (path, c) = (&found[d].0, &found[d].1[h]);
        let term = lexicon.terms.get(c.term);
        if c.excluded {
            excluded += 1;
        } else if let Some(n) = per_term.get_mut(c.term) {
            *n += 1;
        }
        table.push(vec![
            Value::text(&names[d]),
            Value::text(path),
            c.page.map_or(Value::Null, |p| Value::Int(p.into())),
            Value::opt_text(c.section.clone()),
            Value::text(&c.cite),
            Value::text(&c.left),
            Value::text(&c.matched),
            Value::text(&c.right),
            Value::opt_text(term.map(|t| t.label.clone())),
            Value::opt_text(term.map(|t| t.category.clone())),
            Value::Bool(c.excluded),
        ]);
    }

    let mut report = Report::default();
    report.meta.insert("command".into(), json!("kwic"));
    report.meta.insert("lexicon".into(), json!(lexicon.origin));
    report.meta.insert("mode".into(), json!(mode.name()));
    report.meta.insert(
        "documents".into(),
        json!(
            found
                .iter()
                .map(|(name, rows)| json!({"name": name, "hits": rows.len()}))
                .collect::<Vec<_>>()
        ),
    );
    let summary = hits_summary(
        lexicon,
        mode,
        table.rows.len() - excluded,
        found.len(),
        &per_term,
        show_term,
    );
    report.notes.push(summary);
    if shown.excluded {
        report.notes.push(format!(
            "{excluded} more {} left out by exclusions (excluded = true; not counted).",
            if excluded == 1 { "hit" } else { "hits" }
        ));
    }
    if mode.terms_overlap() && show_term {
        report.notes.push(
            "In substring mode terms overlap (\"inform\" is inside \"information\"), so one stretch of text can be a hit of several terms."
                .to_string(),
        );
    }
    report.tables.push(table);
    report
}

/// The note under the table: hits, documents, mode, and with several terms the hits of each.
fn hits_summary(
    lexicon: &Lexicon,
    mode: Mode,
    total: usize,
    docs: usize,
    per_term: &[u64],
    show_term: bool,
) -> String {
    let hits_word = if total == 1 { "hit" } else { "hits" };
    let docs_word = if docs == 1 { "document" } else { "documents" };
    let mut summary = format!(
        "{total} {hits_word} in {docs} {docs_word}, {} mode",
        mode.name()
    );
    if show_term {
        let counted: Vec<String> = lexicon
            .terms
            .iter()
            .zip(per_term)
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| format!("{} {n}", t.label))
            .collect();
        if !counted.is_empty() {
            summary.push_str(&format!(" ({})", counted.join(", ")));
        }
    }
    summary.push('.');
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_names_drop_the_shared_start_and_the_extension() {
        let found = |names: &[&str]| -> Vec<(String, Vec<Concordance>)> {
            names.iter().map(|n| (n.to_string(), Vec::new())).collect()
        };
        let ofsted = found(&[
            "a/ofsted-area-send-dorset-2024-05.pdf",
            "a/ofsted-area-send-hertfordshire-and-st-albans-2023.pdf",
        ]);
        assert_eq!(
            shown_names(&ofsted, true),
            ["dorset-2024-05", "hertfordshire-and…"]
        );
        assert_eq!(
            shown_names(&ofsted, false),
            [
                "ofsted-area-send-dorset-2024-05.pdf",
                "ofsted-area-send-hertfordshire-and-st-albans-2023.pdf"
            ]
        );
        assert_eq!(
            shown_names(&found(&["x/code.pdf", "y/act.xml"]), true),
            ["code", "act"]
        );
    }
}
