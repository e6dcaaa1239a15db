//! The dispersion columns of `count --dispersion`, `words --dispersion` and the report (see
//! [`crate::dispersion`] for the measures): added to the tables of [`super::count::build_report`]
//! from each document's parts.

use crate::count::category_totals;
use crate::dispersion::{Dispersion, TermParts};
use crate::lexicon::Lexicon;
use crate::table::{Column, Report, Value};

/// Adds the dispersion columns (see [`crate::dispersion`]) to every table of `count`'s report
/// (by document): the tables are those of [`build_report`], one per document of `parts` (`None`
/// for a file read as a stream, whose parts were not kept) and, for several documents, the
/// corpus total over all their parts.
pub fn add_dispersion(report: &mut Report, lexicon: &Lexicon, parts: &[Option<TermParts>]) {
    let corpus = parts
        .iter()
        .map(Option::as_ref)
        .collect::<Option<Vec<&TermParts>>>()
        .map(|all| TermParts::concatenated(&all));
    let documents_with = |t: Option<usize>, k: Option<usize>| -> i64 {
        parts
            .iter()
            .flatten()
            .filter(|p| p.counts.iter().any(|c| frequency(lexicon, c, t, k) > 0))
            .count() as i64
    };
    for (i, table) in report.tables.iter_mut().enumerate() {
        let of_table = if i < parts.len() {
            parts[i].as_ref()
        } else {
            corpus.as_ref()
        };
        let (term, category) = (table.column_index("term"), table.column_index("category"));
        table.columns.extend(dispersion_columns());
        for row in &mut table.rows {
            let text = |c: Option<usize>| match c.and_then(|c| row.cells.get(c)) {
                Some(Value::Text(s)) => Some(s.clone()),
                _ => None,
            };
            let t = text(term).and_then(|label| lexicon.term_index(&label));
            let k = match t {
                Some(_) => None,
                None => text(category).and_then(|name| lexicon.category_index(&name)),
            };
            let measured = of_table.map(|p| p.of(|c| frequency(lexicon, c, t, k)));
            let documents = match (i < parts.len(), measured) {
                (true, Some(d)) => Some(i64::from(d.range > 0)),
                (false, Some(_)) => Some(documents_with(t, k)),
                (_, None) => None,
            };
            row.cells.extend(dispersion_cells(documents, measured));
        }
    }
    report.notes.push(dispersion_note(
        parts.iter().filter(|p| p.is_none()).count(),
    ));
}

/// The hits of term `t`, or of category `k`, among one part's term counts.
fn frequency(lexicon: &Lexicon, counts: &[u64], t: Option<usize>, k: Option<usize>) -> u64 {
    match (t, k) {
        (Some(t), _) => counts.get(t).copied().unwrap_or(0),
        (None, Some(k)) => category_totals(lexicon, counts)
            .get(k)
            .copied()
            .unwrap_or(0),
        (None, None) => 0,
    }
}

/// The columns `--dispersion` adds (to `count` and `words`).
pub fn dispersion_columns() -> Vec<Column> {
    vec![
        Column::number("range_documents", "Docs with it").machine_only(),
        Column::number("range_parts", "Range"),
        Column::number("parts", "Parts"),
        Column::number("dp", "DP"),
        Column::number("dp_norm", "DPnorm"),
        Column::number("juilland_d", "Juilland D"),
    ]
}

/// The cells of [`dispersion_columns`]: all null when the parts were not kept; an undefined
/// measure (one part, no hits) is null in machine formats and "–" on screen.
pub fn dispersion_cells(documents: Option<i64>, measured: Option<Dispersion>) -> Vec<Value> {
    let Some(d) = measured else {
        return vec![Value::Null; 6];
    };
    let measure = |x: Option<f64>| x.map_or_else(Value::undefined, |x| Value::Float(x, 3));
    vec![
        documents.map_or(Value::Null, Value::Int),
        Value::Int(d.range as i64),
        Value::Int(d.parts as i64),
        measure(d.dp),
        measure(d.dp_norm),
        measure(d.juilland_d),
    ]
}

/// What the dispersion columns mean, in plain words.
pub fn dispersion_note(streamed: usize) -> String {
    let mut note = DISPERSION_NOTE.to_string();
    if streamed > 0 {
        note.push_str(&format!(
            " Not computed (empty) for the {streamed} {} read in chunks as streams, nor for a total over them.",
            if streamed == 1 { "file" } else { "files" }
        ));
    }
    note
}

/// The legend of the dispersion columns.
pub const DISPERSION_NOTE: &str = "Dispersion over each document's pages, with their sizes in words (a text without pages: 10 \
     equal parts; the total: all the documents' parts). Range = parts the term occurs in (Docs \
     with it: documents). DP (Gries 2008): 0 = spread evenly, as the words are; 1 = all in one \
     place. DPnorm (Lijffijt & Gries 2012) = DP / (1 - the smallest part's share of the words). \
     Juilland D: 1 = evenly spread, 0 = all in one part; computed with the population standard \
     deviation of the frequencies, and it assumes parts of equal size. – = undefined (one part, \
     or no hits).";
