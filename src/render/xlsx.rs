//! The xlsx renderer: a [`Report`] as an Excel workbook a researcher can use at once.
//!
//! One sheet per table of [`Report::sheets`] (the command's spreadsheet tables, e.g. `count`'s
//! terms, counts matrix, rates matrix and categories), or, for a command that defines none, one
//! sheet with every row as CSV has them; then a `method` sheet with the report's metadata
//! (lexicon, mode, documents), its notes and termtally's version. Numbers are written as numbers,
//! text always as text (`write_string`: a cell "=1+2" from a document is never a formula), the
//! header row bold and frozen, an autofilter on, columns as wide as their content (within bounds).
//!
//! Excel's limits are handled in words rather than by a file Excel refuses: more than
//! 1,048,575 data rows continue on a second sheet ("terms (2)"), a table with more than 16,384
//! columns is refused with advice, and a cell over 32,767 characters is cut, with a note in the
//! method sheet.

use std::io::{self, Write};

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::Value as Json;

use crate::table::{Report, Role, Table, Value};

/// Excel's limits (Office specifications).
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Rows per sheet, the header included.
    rows: u32,
    columns: usize,
    cell_chars: usize,
}

const EXCEL: Limits = Limits {
    rows: 1_048_576,
    columns: 16_384,
    cell_chars: 32_767,
};

/// Widths (in characters) a column may get from its content.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 60.0;
/// Rows looked at to size a column.
const WIDTH_SAMPLE: usize = 2_000;

/// Writes `report` as an xlsx workbook to `w`.
pub(super) fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let bytes = workbook_bytes(report, EXCEL)?;
    w.write_all(&bytes)
}

fn workbook_bytes(report: &Report, limits: Limits) -> io::Result<Vec<u8>> {
    let flattened;
    let sheets: Vec<&Table> = if report.sheets.is_empty() {
        flattened = super::flattened_table(report);
        vec![&flattened]
    } else {
        report.sheets.iter().collect()
    };
    for table in &sheets {
        if table.columns.len() > limits.columns {
            return Err(io::Error::other(format!(
                "the table \"{}\" has {} columns, more than Excel's {}; keep fewer (e.g. --top N \
                 or --min-count N), or write CSV",
                sheet_title(table),
                table.columns.len(),
                limits.columns
            )));
        }
    }
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    // Shown with two decimals; the cell keeps the full value.
    let decimal = Format::new().set_num_format("0.00");
    let mut cut_cells: Vec<String> = Vec::new();
    let mut used_names: Vec<String> = Vec::new();
    for table in sheets {
        let per_sheet = (limits.rows - 1) as usize;
        let parts: Vec<&[crate::table::Row]> = if table.rows.is_empty() {
            vec![&[]]
        } else {
            table.rows.chunks(per_sheet).collect()
        };
        for (part, rows) in parts.iter().enumerate() {
            let base = sheet_title(table);
            let wanted = if part == 0 {
                base
            } else {
                format!("{base} ({})", part + 1)
            };
            let name = unique_sheet_name(&wanted, &mut used_names);
            let sheet = workbook.add_worksheet();
            sheet.set_name(&name).map_err(xlsx_error)?;
            let formats = Formats {
                header: &header,
                decimal: &decimal,
            };
            write_sheet(sheet, &name, table, rows, formats, limits, &mut cut_cells)
                .map_err(xlsx_error)?;
        }
    }
    let name = unique_sheet_name("method", &mut used_names);
    let sheet = workbook.add_worksheet();
    sheet.set_name(&name).map_err(xlsx_error)?;
    write_method(sheet, report, &cut_cells, &header).map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn xlsx_error(e: XlsxError) -> io::Error {
    io::Error::other(format!("cannot make the xlsx file: {e}"))
}

fn sheet_title(table: &Table) -> String {
    table.title.clone().unwrap_or_else(|| "rows".to_string())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, not used before.
fn unique_sheet_name(wanted: &str, used: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'').to_string();
    let clean = if clean.is_empty() {
        "sheet".to_string()
    } else {
        clean
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" {n}")
        };
        let keep = 31 - suffix.chars().count();
        let name: String = clean.chars().take(keep).collect::<String>() + &suffix;
        if !used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
            used.push(name.clone());
            return name;
        }
        n += 1;
    }
}

/// A spreadsheet column's letters: 0 → A, 26 → AA.
fn column_letters(mut col: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The cell formats of a data sheet.
#[derive(Clone, Copy)]
struct Formats<'a> {
    header: &'a Format,
    decimal: &'a Format,
}

fn write_sheet(
    sheet: &mut Worksheet,
    name: &str,
    table: &Table,
    rows: &[crate::table::Row],
    formats: Formats,
    limits: Limits,
    cut_cells: &mut Vec<String>,
) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = table
        .columns
        .iter()
        .map(|c| c.key.chars().count())
        .collect();
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, &column.key, formats.header)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (col, value) in row.cells.iter().enumerate() {
            let c = col as u16;
            let shown = match value {
                Value::Null => 0,
                Value::Bool(b) => {
                    sheet.write_boolean(r, c, *b)?;
                    5
                }
                Value::Int(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                    n.to_string().len()
                }
                Value::Float(f, _) | Value::Significant(f, _) => {
                    if f.is_finite() {
                        sheet.write_number_with_format(r, c, *f, formats.decimal)?;
                    }
                    super::display_text(value).len().min(12)
                }
                // Always a string, never a formula; a number that came as text in a number
                // column (none do today) would still be text, shown as such.
                Value::Text(text) => {
                    let length = text.chars().count();
                    if length > limits.cell_chars {
                        let cut: String = text.chars().take(limits.cell_chars).collect();
                        sheet.write_string(r, c, cut)?;
                        cut_cells.push(format!("{name}!{}{}", column_letters(col), r + 1));
                    } else {
                        sheet.write_string(r, c, text)?;
                    }
                    length
                }
            };
            if i < WIDTH_SAMPLE
                && let Some(w) = widths.get_mut(col)
            {
                *w = (*w).max(shown);
            }
        }
    }
    for (col, (width, column)) in widths.iter().zip(&table.columns).enumerate() {
        // Paths are long and read least: narrower than text, still filterable.
        let max = match column.role {
            Role::Path => MAX_WIDTH / 2.0,
            Role::Number | Role::Text | Role::Citation => MAX_WIDTH,
        };
        sheet.set_column_width(col as u16, (*width as f64 + 2.0).clamp(MIN_WIDTH, max))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.columns.is_empty() {
        sheet.autofilter(0, 0, rows.len() as u32, (table.columns.len() - 1) as u16)?;
    }
    Ok(())
}

/// The method sheet: one `item`, `value` row per metadata entry (objects flattened to
/// `lexicon.name`, lists one row per element), then the notes, then termtally's version.
fn write_method(
    sheet: &mut Worksheet,
    report: &Report,
    cut_cells: &[String],
    header: &Format,
) -> Result<(), XlsxError> {
    let mut items: Vec<(String, String)> = Vec::new();
    for (key, value) in &report.meta {
        flatten_meta(key, value, &mut items);
    }
    let notes = report
        .tables
        .iter()
        .flat_map(|t| t.notes.iter())
        .chain(&report.notes);
    for note in notes {
        if !items.iter().any(|(k, v)| k == "note" && v == note) {
            items.push(("note".to_string(), note.clone()));
        }
    }
    if !cut_cells.is_empty() {
        items.push((
            "note".to_string(),
            format!(
                "{} cells were longer than Excel's limit of 32,767 characters and were cut: {}",
                cut_cells.len(),
                cut_cells.join(", ")
            ),
        ));
    }
    items.push((
        "termtally".to_string(),
        format!("version {}", env!("CARGO_PKG_VERSION")),
    ));
    sheet.write_string_with_format(0, 0, "item", header)?;
    sheet.write_string_with_format(0, 1, "value", header)?;
    for (i, (item, value)) in items.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_string(r, 0, item)?;
        let cut: String = value.chars().take(EXCEL.cell_chars).collect();
        sheet.write_string(r, 1, cut)?;
    }
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 100)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn flatten_meta(key: &str, value: &Json, items: &mut Vec<(String, String)>) {
    match value {
        Json::Null => {}
        Json::String(s) => items.push((key.to_string(), s.clone())),
        Json::Object(map) => {
            for (k, v) in map {
                flatten_meta(&format!("{key}.{k}"), v, items);
            }
        }
        Json::Array(list) => {
            for element in list {
                let text = match element {
                    Json::String(s) => s.clone(),
                    Json::Object(map) => map
                        .iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| match v {
                            Json::String(s) => format!("{k}: {s}"),
                            other => format!("{k}: {other}"),
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    other => other.to_string(),
                };
                items.push((key.to_string(), text));
            }
        }
        other => items.push((key.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;

    fn table(title: &str, columns: usize, rows: usize) -> Table {
        let mut t = Table::new(
            (0..columns)
                .map(|i| Column::new(&format!("c{i}"), "C"))
                .collect(),
        );
        t.title = Some(title.to_string());
        for r in 0..rows {
            t.push(
                (0..columns)
                    .map(|c| Value::Int((r * columns + c) as i64))
                    .collect(),
            );
        }
        t
    }

    /// The sheet names of an xlsx file (from its workbook.xml).
    fn sheet_names(bytes: &[u8]) -> Vec<String> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut xml)
            .unwrap();
        regex::Regex::new(r#"<sheet name="([^"]*)""#)
            .unwrap()
            .captures_iter(&xml)
            .map(|c| c[1].to_string())
            .collect()
    }

    #[test]
    fn rows_beyond_the_limit_continue_on_another_sheet() {
        let mut report = Report::default();
        report.sheets.push(table("terms", 2, 7));
        let limits = Limits { rows: 4, ..EXCEL };
        let bytes = workbook_bytes(&report, limits).unwrap();
        assert_eq!(
            sheet_names(&bytes),
            ["terms", "terms (2)", "terms (3)", "method"]
        );
    }

    #[test]
    fn too_many_columns_are_refused_with_advice() {
        let mut report = Report::default();
        report.sheets.push(table("words", 5, 1));
        let limits = Limits {
            columns: 4,
            ..EXCEL
        };
        let err = workbook_bytes(&report, limits).unwrap_err().to_string();
        assert!(
            err.contains("more than Excel's 4") && err.contains("--top"),
            "{err}"
        );
    }

    #[test]
    fn long_cells_are_cut_and_noted() {
        let mut t = Table::new(vec![Column::new("text", "Text")]);
        t.title = Some("kwic".to_string());
        t.push(vec![Value::text("x".repeat(50))]);
        let mut report = Report::default();
        report.sheets.push(t);
        let limits = Limits {
            cell_chars: 10,
            ..EXCEL
        };
        let bytes = workbook_bytes(&report, limits).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut strings = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
            &mut strings,
        )
        .unwrap();
        assert!(
            strings.contains(&format!(">{}<", "x".repeat(10))),
            "{strings}"
        );
        assert!(!strings.contains(&"x".repeat(11)));
        assert!(strings.contains("were cut: kwic!A2"), "{strings}");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        assert_eq!(unique_sheet_name("a/b", &mut used), "a_b");
        assert_eq!(unique_sheet_name("A_B", &mut used), "A_B 2");
        let long = "x".repeat(40);
        assert_eq!(unique_sheet_name(&long, &mut used).chars().count(), 31);
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
    }
}
