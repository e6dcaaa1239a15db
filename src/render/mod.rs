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
//! - `xlsx`: an Excel workbook, one sheet per table of `Report::sheets` plus a method sheet.
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
mod xlsx;

pub use delimited::{UTF8_BOM, guard_formula};
pub use json::{SCHEMA_VERSION, to_json};
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
    Xlsx,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 7] = [
        OutputFormat::Table,
        OutputFormat::Csv,
        OutputFormat::Tsv,
        OutputFormat::Json,
        OutputFormat::Md,
        OutputFormat::Latex,
        OutputFormat::Xlsx,
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
            OutputFormat::Xlsx => "xlsx",
        }
    }

    /// What the format is, where its name does not say it (shown by `--help`).
    pub fn description(self) -> Option<&'static str> {
        match self {
            OutputFormat::Table => Some("Aligned table for the terminal (fits its width)"),
            OutputFormat::Md => Some("GitHub Markdown (pastes into Word and Google Docs)"),
            OutputFormat::Latex => Some("LaTeX (booktabs)"),
            OutputFormat::Xlsx => {
                Some("Excel workbook: one sheet per table, numbers as numbers, plus a method sheet")
            }
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
            "xlsx" => OutputFormat::Xlsx,
            _ => return None,
        })
    }

    /// CSV, TSV, JSON and xlsx: every column, numbers unformatted.
    pub fn is_machine(self) -> bool {
        matches!(
            self,
            OutputFormat::Csv | OutputFormat::Tsv | OutputFormat::Json | OutputFormat::Xlsx
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
    /// CSV/TSV: guard text cells that a spreadsheet would read as a formula ([`guard_formula`]).
    pub formula_guard: bool,
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
        OutputFormat::Csv => delimited::render(report, b',', w, options.formula_guard),
        OutputFormat::Tsv => delimited::render(report, b'\t', w, options.formula_guard),
        OutputFormat::Json => json::render(report, w),
        OutputFormat::Md => markdown::render(report, w),
        OutputFormat::Latex => latex::render(report, w),
        OutputFormat::Xlsx => xlsx::render(report, w),
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
        Value::Float(f, _) if f.is_nan() => "–".to_string(),
        Value::Float(..) => String::new(),
        Value::Significant(f, digits) => significant(*f, *digits),
        Value::Text(s) => s.clone(),
    }
}

/// `f` rounded to `digits` significant digits, without exponent: 0.01235, 12.35, 1235, 12350.
pub fn significant(f: f64, digits: u8) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f == 0.0 {
        return "0".to_string();
    }
    let magnitude = f.abs().log10().floor() as i32;
    let mut decimals = i32::from(digits.max(1)) - 1 - magnitude;
    let scale = 10f64.powi(decimals);
    let rounded = (f * scale).round() / scale;
    // Rounding can carry into a new digit (9.9996 → 10.00): one decimal fewer then.
    if rounded.abs() >= 10f64.powi(magnitude + 1) {
        decimals -= 1;
    }
    format!("{rounded:.prec$}", prec = decimals.max(0) as usize)
}

/// A cell as CSV/TSV write it: unformatted numbers (`.` decimals, full precision, no separators),
/// `true`/`false`, empty for null and non-finite floats (as JSON's null).
pub fn machine_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f, _) | Value::Significant(f, _) if f.is_finite() => f.to_string(),
        Value::Float(..) | Value::Significant(..) => String::new(),
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

/// Column keys across all tables (held and deferred), in order of first appearance.
pub(crate) fn union_keys(report: &Report) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    let deferred = report.deferred.as_ref().map_or(&[][..], |d| d.columns());
    let columns = report
        .tables
        .iter()
        .flat_map(|t| &t.columns)
        .chain(deferred);
    for column in columns {
        if !keys.contains(&column.key.as_str()) {
            keys.push(&column.key);
        }
    }
    keys
}

/// The column of key `key`, from the first table (held or deferred) that has it.
pub(crate) fn column_of<'a>(report: &'a Report, key: &str) -> Option<&'a crate::table::Column> {
    let deferred = report.deferred.as_ref().map_or(&[][..], |d| d.columns());
    report
        .tables
        .iter()
        .flat_map(|t| &t.columns)
        .chain(deferred)
        .find(|c| c.key == key)
}

/// Every table's rows in one table of the union of their columns, as CSV writes them (xlsx's
/// one sheet for commands without their own sheets), titled with the command's name.
pub fn flattened_table(report: &Report) -> Table {
    let keys = union_keys(report);
    let columns = keys
        .iter()
        .map(|key| {
            column_of(report, key)
                .cloned()
                .unwrap_or_else(|| crate::table::Column::new(key, key))
        })
        .collect();
    let mut table = Table::new(columns);
    table.title = report
        .meta
        .get("command")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    // Collecting into a table cannot fail.
    let _ = each_flattened_row(report, &keys, &mut |row| {
        table.push(row.iter().map(|v| (*v).clone()).collect());
        Ok(())
    });
    table
}

/// Each row of each table (held, then deferred, one table at a time) as cells in the order of
/// `keys` (a key the table lacks is `Null`).
pub(crate) fn each_flattened_row(
    report: &Report,
    keys: &[&str],
    each: &mut dyn FnMut(&[&Value]) -> io::Result<()>,
) -> io::Result<()> {
    report.each_table(&mut |table| {
        for cells in flattened_cells(table, keys) {
            each(&cells)?;
        }
        Ok(())
    })
}

/// The rows of `table` as cells in the order of `keys` (a key the table lacks is `Null`).
pub(crate) fn flattened_cells<'a>(
    table: &'a Table,
    keys: &[&str],
) -> impl Iterator<Item = Vec<&'a Value>> {
    let positions: Vec<Option<usize>> = keys.iter().map(|k| table.column_index(k)).collect();
    table.rows.iter().map(move |row| {
        positions
            .iter()
            .map(|p| p.map_or(&Value::Null, |i| cell_at(row, i)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn rates_show_four_significant_digits() {
        assert_eq!(significant(12.345678, 4), "12.35");
        assert_eq!(significant(0.0123456, 4), "0.01235");
        assert_eq!(significant(1234.56, 4), "1235");
        assert_eq!(significant(123456.0, 4), "123500");
        assert_eq!(significant(9.99996, 4), "10.00");
        assert_eq!(significant(0.0, 4), "0");
        assert_eq!(significant(-2.5, 4), "-2.500");
    }
}
