//! Renders a [`Report`] to every output format, one file per format. The one place output is
//! formatted: commands build a `Report` and hand it to `output::Output::write`. Nothing here
//! knows about the command line or where the bytes go.
//!
//! - `table`: comfy-table fitted to the terminal width; titles above, notes under each table; bold
//!   rows and highlighted columns styled only on a colour terminal (stdout is a terminal and
//!   `NO_COLOR` is unset or empty, <https://no-color.org>).
//! - `csv`/`tsv`: a header of column keys, then every table's rows (tables of one report share
//!   column keys; a key missing from a table is an empty cell). Numbers unformatted, UTF-8.
//! - `json`: `{ ...meta, "rows": [{key: value, ...}], "notes": [...] }`, keys in column order.
//! - `md`: one GitHub table per table, the title in bold above, notes as paragraphs.
//! - `latex`: one booktabs `tabular` per table, in a `table` float with the title as caption.
//!
//! Machine formats (csv, tsv, json) include `machine_only` columns and write numbers unformatted;
//! display formats (table, md, latex) hide them and show floats with their decimals.

use std::io::{self, Write};
use std::path::Path;

use crate::table::{Report, Table, Value};

mod delimited;
pub mod html;
mod json;
mod latex;
mod markdown;
mod table;

pub use delimited::UTF8_BOM;
pub use json::to_json;
pub use latex::escape_latex;
pub use markdown::escape_markdown;

/// Output formats shared by every command that prints a table (see [`OutputFormat::description`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Md,
    Latex,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 6] = [
        OutputFormat::Table,
        OutputFormat::Csv,
        OutputFormat::Tsv,
        OutputFormat::Json,
        OutputFormat::Md,
        OutputFormat::Latex,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Csv => "csv",
            OutputFormat::Tsv => "tsv",
            OutputFormat::Json => "json",
            OutputFormat::Md => "md",
            OutputFormat::Latex => "latex",
        }
    }

    /// What the format is, where its name does not say it (shown by `--help`).
    pub fn description(self) -> Option<&'static str> {
        match self {
            OutputFormat::Table => Some("Aligned table for the terminal (fits its width)"),
            OutputFormat::Md => Some("GitHub Markdown (pastes into Word and Google Docs)"),
            OutputFormat::Latex => Some("LaTeX (booktabs)"),
            OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Json => None,
        }
    }

    /// The format a file extension implies (`.csv .tsv .tab .json .md .markdown .tex .latex .txt`).
    pub fn from_extension(path: &Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => OutputFormat::Csv,
            "tsv" | "tab" => OutputFormat::Tsv,
            "json" => OutputFormat::Json,
            "md" | "markdown" => OutputFormat::Md,
            "tex" | "latex" => OutputFormat::Latex,
            "txt" => OutputFormat::Table,
            _ => return None,
        })
    }

    /// CSV, TSV and JSON: every column, numbers unformatted.
    pub fn is_machine(self) -> bool {
        matches!(
            self,
            OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Json
        )
    }
}

/// How display formats are drawn. Tests pass fixed options; [`write_report`] derives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI bold/colour for bold rows, highlighted columns, titles and headers (`table` only).
    pub color: bool,
    /// Width to fit the `table` format into; `None` = no wrapping.
    pub width: Option<u16>,
}

/// True when colour is wanted on a terminal: `NO_COLOR` unset or empty (<https://no-color.org>).
pub fn color_allowed_by_env() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Renders `report` in `format` to `w`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => table::render(report, w, options),
        OutputFormat::Csv => delimited::render(report, b',', w),
        OutputFormat::Tsv => delimited::render(report, b'\t', w),
        OutputFormat::Json => json::render(report, w),
        OutputFormat::Md => markdown::render(report, w),
        OutputFormat::Latex => latex::render(report, w),
    }
}

/// Renders to a string (tests, snapshots).
pub fn render_to_string(report: &Report, format: OutputFormat, options: &RenderOptions) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(report, format, &mut buf, options);
    String::from_utf8_lossy(&buf).into_owned()
}

/// A cell as display formats show it: floats with their decimals, booleans as yes/no.
pub fn display_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f, decimals) if f.is_finite() => {
            format!("{f:.prec$}", prec = *decimals as usize)
        }
        Value::Float(..) => String::new(),
        Value::Text(s) => s.clone(),
    }
}

/// A cell as CSV/TSV write it: unformatted numbers (`.` decimals, full precision, no separators),
/// `true`/`false`, empty for null and non-finite floats (as JSON's null).
pub fn machine_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f, _) if f.is_finite() => f.to_string(),
        Value::Float(..) => String::new(),
        Value::Text(s) => s.clone(),
    }
}

/// Indices of the columns display formats show.
pub(crate) fn display_columns(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .filter(|&i| !table.columns[i].machine_only)
        .collect()
}

pub(crate) fn cell_at(row: &crate::table::Row, i: usize) -> &Value {
    row.cells.get(i).unwrap_or(&Value::Null)
}

/// Column keys across all tables, in order of first appearance.
pub(crate) fn union_keys(report: &Report) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for table in &report.tables {
        for column in &table.columns {
            if !keys.contains(&column.key.as_str()) {
                keys.push(&column.key);
            }
        }
    }
    keys
}

/// Each row of each table as (key order of `keys`) cells; a key the table lacks is `Null`.
pub(crate) fn flattened_rows<'a>(report: &'a Report, keys: &[&str]) -> Vec<Vec<&'a Value>> {
    let mut rows = Vec::new();
    for table in &report.tables {
        let positions: Vec<Option<usize>> = keys.iter().map(|k| table.column_index(k)).collect();
        for row in &table.rows {
            rows.push(
                positions
                    .iter()
                    .map(|p| p.map_or(&Value::Null, |i| cell_at(row, i)))
                    .collect(),
            );
        }
    }
    rows
}
