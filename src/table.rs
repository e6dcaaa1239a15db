//! The one in-memory table model. Every command that prints a table builds a [`Report`] of
//! [`Table`]s; `render` turns it into every output format. No command formats its own output.

use std::io;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

/// A typed cell. Machine formats write numbers unformatted; display formats may format them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// A float with the number of decimals to show in display formats.
    Float(f64, u8),
    /// A float shown with this many significant digits in display formats (rates: 0.0123,
    /// 12.35, 1235); machine formats keep full precision.
    Significant(f64, u8),
    Text(String),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }
    /// A measure that is undefined here (e.g. a dispersion over one part): null in machine
    /// formats, "–" in display formats (a NaN float, which no measure otherwise gives).
    pub fn undefined() -> Value {
        Value::Float(f64::NAN, 0)
    }
    pub fn opt_text(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::Text(s.into()))
    }
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f, _) | Value::Significant(f, _) => {
                serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
            Value::Text(s) => Json::String(s.clone()),
        }
    }
}

/// Column alignment in display formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// What a column holds, for every renderer to rely on: spreadsheets write numbers as numbers,
/// the CSV formula guard leaves them alone, and paths and citations are never reworded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Counts, rates, statistics: `Value::Int`/`Value::Float` (or null).
    Number,
    /// Words, labels and contexts taken from documents or lexicons.
    #[default]
    Text,
    /// Where in a document: a page, a paragraph number, `p. 61, para 4.9`.
    Citation,
    /// A document's path as given on the command line.
    Path,
}

#[derive(Debug, Clone)]
pub struct Column {
    /// Stable machine name: the JSON key and the CSV/TSV header.
    pub key: String,
    /// Human title for terminal, Markdown and LaTeX.
    pub title: String,
    pub align: Align,
    pub role: Role,
    /// Display formats emphasise (colour/bold) this column's cells, e.g. the keyword in kwic.
    pub highlight: bool,
    /// Shown in machine formats only (e.g. a `table` number that display formats show as a title).
    pub machine_only: bool,
}

impl Column {
    pub fn new(key: &str, title: &str) -> Column {
        Column {
            key: key.to_string(),
            title: title.to_string(),
            align: Align::Left,
            role: Role::Text,
            highlight: false,
            machine_only: false,
        }
    }
    /// A column of numbers: right-aligned.
    pub fn number(key: &str, title: &str) -> Column {
        Column::new(key, title).right().role(Role::Number)
    }
    pub fn role(mut self, role: Role) -> Column {
        self.role = role;
        self
    }
    pub fn right(mut self) -> Column {
        self.align = Align::Right;
        self
    }
    pub fn highlighted(mut self) -> Column {
        self.highlight = true;
        self
    }
    pub fn machine_only(mut self) -> Column {
        self.machine_only = true;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Value>,
    /// Emphasised row (bold on a colour terminal), e.g. the study's directive terms.
    pub bold: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Lines printed under the table in display formats (and kept in JSON as `notes`).
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Table {
        Table {
            columns,
            ..Table::default()
        }
    }
    /// Notes that only the first `shown` of `total` rows are listed (`--top`), when that is so.
    pub fn note_top(&mut self, shown: usize, total: usize) {
        if shown < total {
            self.notes.push(format!(
                "The first {shown} of {total} rows (--top {shown})."
            ));
        }
    }
    pub fn push(&mut self, cells: Vec<Value>) {
        self.push_row(Row { cells, bold: false });
    }
    pub fn push_row(&mut self, row: Row) {
        debug_assert_eq!(
            row.cells.len(),
            self.columns.len(),
            "row width must match columns"
        );
        self.rows.push(row);
    }
    pub fn column_index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

/// Tables made one at a time while a report is written, after [`Report::tables`]: a report of
/// thousands of documents keeps only their counts (a compact store) and each renderer gets one
/// document's table at a time, writes it and drops it, so the rows are never all in memory.
pub trait TableSource: Send + Sync + std::fmt::Debug {
    /// The columns of every table it gives (the same for all).
    fn columns(&self) -> &[Column];
    /// Gives each table, in order, to `each`; stops at (and returns) its first error.
    fn each_table(&self, each: &mut dyn FnMut(Table) -> io::Result<()>) -> io::Result<()>;
}

/// What a command outputs: metadata (e.g. `documents`) and one or more tables. Machine formats
/// (CSV, TSV, JSON) flatten all tables into one `rows` list, so tables of one report share column
/// keys; display formats print each table with its title and notes.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Command metadata, emitted beside `rows` in JSON (e.g. `"documents": [...]`).
    pub meta: Map<String, Json>,
    pub tables: Vec<Table>,
    /// Lines printed after all tables in display formats (and in JSON as `notes`).
    pub notes: Vec<String>,
    /// The sheets of an xlsx workbook, each titled with its sheet name, when the command lays
    /// its results out differently for a spreadsheet (count: terms, matrices, categories);
    /// empty = one sheet of every row, as CSV has them.
    pub sheets: Vec<Table>,
    /// More tables, after `tables`, made as they are written (see [`TableSource`]).
    pub deferred: Option<Arc<dyn TableSource>>,
}

impl Report {
    /// Every table in order: `tables`, then those of `deferred`, one at a time.
    pub fn each_table(&self, each: &mut dyn FnMut(&Table) -> io::Result<()>) -> io::Result<()> {
        for table in &self.tables {
            each(table)?;
        }
        match &self.deferred {
            Some(source) => source.each_table(&mut |table| each(&table)),
            None => Ok(()),
        }
    }

    /// Whether the report has any table (held or deferred).
    pub fn has_tables(&self) -> bool {
        !self.tables.is_empty() || self.deferred.is_some()
    }

    /// The deferred tables made and held in `tables`, for code that edits or reads the tables
    /// as a whole (the workbook's sheets, the report page).
    pub fn materialise(&mut self) {
        if let Some(source) = self.deferred.take() {
            let _ = source.each_table(&mut |table| {
                self.tables.push(table);
                Ok(())
            });
        }
    }
}
