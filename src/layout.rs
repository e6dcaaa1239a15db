//! The wide layout (`--layout wide`): a documents × terms matrix, the shape a spreadsheet
//! charts, SPSS imports and quanteda calls a document-feature matrix.
//!
//! One row per document (or per page/section with `--by`), the columns `document`, `path`,
//! (`unit`), `tokens`, then one column per term (or word), then, for lexicons, one
//! `category:NAME` column per category. The cells are counts, or with `--values rate` rates per
//! 10,000 words of that row. Column names are the term labels as written in the lexicon;
//! should two collide (with each other or with the fixed columns) the later one gets ` (2)`,
//! ` (3)`…, so every name is unique and the same from run to run.

use crate::count::rate_per_10k;
use crate::table::{Column, Table, Value};

/// `--layout`: long (one row per document and term) or wide (one row per document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    Long,
    Wide,
}

impl Layout {
    pub const ALL: [Layout; 2] = [Layout::Long, Layout::Wide];

    pub fn name(self) -> &'static str {
        match self {
            Layout::Long => "long",
            Layout::Wide => "wide",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Layout::Long => "One row per document (or unit) and term",
            Layout::Wide => {
                "One row per document (or unit), one column per term: a documents x terms matrix"
            }
        }
    }
}

/// `--values`: what the cells of the wide layout hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Values {
    #[default]
    Count,
    Rate,
}

impl Values {
    pub const ALL: [Values; 2] = [Values::Count, Values::Rate];

    pub fn name(self) -> &'static str {
        match self {
            Values::Count => "count",
            Values::Rate => "rate",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Values::Count => "Occurrences",
            Values::Rate => "Occurrences per 10,000 words of the row's document (or unit)",
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone)]
pub struct MatrixRow {
    /// The short document name (see [`crate::document::short_names`]).
    pub document: String,
    /// The path as given.
    pub path: String,
    /// The page or section, when counting by unit.
    pub unit: Option<String>,
    pub tokens: u64,
    /// One per column of the matrix, in order.
    pub counts: Vec<u64>,
}

/// The matrix as a table: `unit` is the unit column's key when counting by page or section.
pub fn wide_table(
    rows: &[MatrixRow],
    unit: Option<&str>,
    column_names: &[String],
    values: Values,
) -> Table {
    let mut fixed = vec![
        Column::new("document", "Document").highlighted(),
        Column::new("path", "Path").machine_only(),
    ];
    if let Some(unit) = unit {
        fixed.push(Column::new("unit", unit).right());
    }
    fixed.push(Column::new("tokens", "Words").right());
    let reserved: Vec<String> = fixed.iter().map(|c| c.key.clone()).collect();
    let names = unique_names(column_names, &reserved);
    let mut columns = fixed;
    columns.extend(names.iter().map(|n| Column::new(n, n).right()));
    let mut table = Table::new(columns);
    for row in rows {
        let mut cells = vec![Value::text(&row.document), Value::text(&row.path)];
        if unit.is_some() {
            cells.push(Value::opt_text(row.unit.clone()));
        }
        cells.push(Value::Int(row.tokens as i64));
        cells.extend(row.counts.iter().map(|&n| match values {
            Values::Count => Value::Int(n as i64),
            Values::Rate => Value::Significant(rate_per_10k(n, row.tokens), 4),
        }));
        table.push(cells);
    }
    table
}

/// `names` made unique among themselves and against `reserved`: a repeat gets " (2)", " (3)"….
pub fn unique_names(names: &[String], reserved: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = reserved.to_vec();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{name} ({n})");
            n += 1;
        }
        taken.push(candidate.clone());
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_stable() {
        let names: Vec<String> = ["must", "path", "must", "must (2)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            unique_names(&names, &["document".into(), "path".into()]),
            ["must", "path (2)", "must (2)", "must (2) (2)"]
        );
    }

    #[test]
    fn rates_are_per_row() {
        let rows = [MatrixRow {
            document: "a.pdf".into(),
            path: "r/a.pdf".into(),
            unit: None,
            tokens: 2000,
            counts: vec![1, 0],
        }];
        let t = wide_table(&rows, None, &["x".into(), "y".into()], Values::Rate);
        let keys: Vec<&str> = t.columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["document", "path", "tokens", "x", "y"]);
        assert_eq!(t.rows[0].cells[3], Value::Significant(5.0, 4));
    }
}
