//! Renders a [`Report`] to every output format. The one place output is formatted: commands build
//! a `Report` and call [`write_report`].
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

use anyhow::bail;
use clap::ValueEnum;
use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Width, presets,
};
use serde_json::{Map, Value as Json};

use crate::cli::OutputArgs;
use crate::output::{Destination, ignore_broken_pipe};
use crate::table::{Align, Column, Report, Table, Value};

/// Output formats shared by every command that prints a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned table for the terminal (fits its width).
    Table,
    Csv,
    Tsv,
    Json,
    /// GitHub Markdown (pastes into Word and Google Docs).
    Md,
    /// LaTeX (booktabs).
    Latex,
    /// Excel workbook: one sheet per table, numbers as numbers, plus a method sheet.
    Xlsx,
}

impl OutputFormat {
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

/// The format to write: `--format`, else the extension of `-o FILE`, else `default` (the command's
/// choice, usually `table`).
pub fn resolve_format(out: &OutputArgs, default: OutputFormat) -> anyhow::Result<OutputFormat> {
    if let Some(format) = out.format {
        return Ok(format);
    }
    match &out.output {
        Some(path) if path.as_os_str() != "-" => match OutputFormat::from_extension(path) {
            Some(format) => Ok(format),
            None => bail!(
                "{}: cannot tell the output format from the file name; end it in .csv, .tsv, \
                 .json, .md, .tex, .txt or .xlsx, or give --format",
                path.display()
            ),
        },
        _ => Ok(default),
    }
}

/// True when colour is wanted on a terminal: `NO_COLOR` unset or empty (<https://no-color.org>).
pub fn color_allowed_by_env() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A UTF-8 byte order mark, written at the start of CSV and TSV *files* (`-o out.csv`), never on
/// standard output.
///
/// Why: the people who ask for a CSV file are mostly opening it in Excel, and Excel reads a CSV
/// without a BOM in the legacy Windows code page, so "0–25" or "Children’s" turn into mojibake.
/// With the BOM it opens correctly by double-click. The csv crate, pandas (`read_csv`), R's readr
/// and LibreOffice skip the BOM. Standard output stays BOM-free so pipes (`cut`, `xsv`, Python's
/// `csv` with plain `utf-8`) see clean bytes: `termtally ... -f csv > file.csv` gives a file without
/// one (for base R `read.csv` without `fileEncoding = "UTF-8-BOM"`).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Renders `report` to `-o FILE` (atomically) or standard output in the resolved format. The one
/// output path of every command.
pub fn write_report(
    report: &Report,
    out: &OutputArgs,
    default: OutputFormat,
) -> anyhow::Result<()> {
    let format = resolve_format(out, default)?;
    let mut dest = Destination::open(out)?;
    let on_terminal = dest.is_terminal();
    if format == OutputFormat::Xlsx && on_terminal {
        bail!(
            "an xlsx workbook is a binary file, not for the terminal: write it with -o FILE.xlsx \
             (or redirect: > FILE.xlsx)"
        );
    }
    let options = RenderOptions {
        color: on_terminal && color_allowed_by_env(),
        // comfy-table reports the terminal's width when stdout is one; None otherwise.
        width: if on_terminal {
            comfy_table::Table::new().width()
        } else {
            None
        },
        // Files are for people (spreadsheets); standard output stays exact for pipes.
        formula_guard: dest.is_file() && !out.raw_csv,
    };
    let written = (|| -> io::Result<()> {
        if dest.is_file() && matches!(format, OutputFormat::Csv | OutputFormat::Tsv) {
            dest.write_all(UTF8_BOM)?;
        }
        render(report, format, &mut dest, &options)
    })();
    match ignore_broken_pipe(written) {
        // `dest` dropped here: a file's temporary copy is deleted, the destination untouched.
        Err(e) => Err(anyhow::Error::new(e).context(match &out.output {
            Some(p) => format!("{}: cannot write", p.display()),
            None => "cannot write to standard output".to_string(),
        })),
        Ok(()) => dest.finish(),
    }
}

/// Renders `report` in `format` to `w`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => render_terminal(report, w, options),
        OutputFormat::Csv => render_delimited(report, b',', w, options.formula_guard),
        OutputFormat::Tsv => render_delimited(report, b'\t', w, options.formula_guard),
        OutputFormat::Json => render_json(report, w),
        OutputFormat::Md => render_markdown(report, w),
        OutputFormat::Latex => render_latex(report, w),
        OutputFormat::Xlsx => crate::xlsx::render_xlsx(report, w),
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
fn display_columns(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .filter(|&i| !table.columns[i].machine_only)
        .collect()
}

fn cell_at(row: &crate::table::Row, i: usize) -> &Value {
    row.cells.get(i).unwrap_or(&Value::Null)
}

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn render_terminal(report: &Report, w: &mut dyn Write, options: &RenderOptions) -> io::Result<()> {
    for (n, table) in report.tables.iter().enumerate() {
        if n > 0 {
            writeln!(w)?;
        }
        if let Some(title) = &table.title {
            if options.color {
                writeln!(w, "{BOLD}{title}{RESET}")?;
            } else {
                writeln!(w, "{title}")?;
            }
        }
        let shown = display_columns(table);
        let mut ct = comfy_table::Table::new();
        // Styling and width come from `options` alone, so rendering is the same wherever it runs.
        ct.force_no_tty();
        if options.color {
            ct.enforce_styling();
        }
        ct.load_style(presets::UTF8_FULL_CONDENSED);
        ct.set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(width) = options.width {
            ct.set_width(width);
        }
        ct.set_header(shown.iter().map(|&i| {
            let cell =
                Cell::new(&table.columns[i].title).set_alignment(alignment(&table.columns[i]));
            if options.color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for row in &table.rows {
            ct.add_row(shown.iter().map(|&i| {
                let column = &table.columns[i];
                let mut cell =
                    Cell::new(display_text(cell_at(row, i))).set_alignment(alignment(column));
                if options.color && row.bold {
                    cell = cell.add_attribute(Attribute::Bold);
                }
                if options.color && column.highlight {
                    cell = cell.fg(Color::Cyan);
                }
                cell
            }));
        }
        if options.width.is_some() {
            keep_words_whole(&mut ct, table, &shown);
        }
        writeln!(w, "{ct}")?;
        for note in &table.notes {
            write_wrapped(w, note, options.width)?;
        }
    }
    if !report.notes.is_empty() {
        if !report.tables.is_empty() {
            writeln!(w)?;
        }
        for note in &report.notes {
            write_wrapped(w, note, options.width)?;
        }
    }
    Ok(())
}

/// A note, wrapped between words to the terminal width (the terminal would cut words).
fn write_wrapped(w: &mut dyn Write, text: &str, width: Option<u16>) -> io::Result<()> {
    match width {
        Some(width) if width > 0 => {
            // Only at spaces: "Co-operation", file names and URLs stay whole (a word longer than
            // the line overflows rather than being cut).
            let options = textwrap::Options::new(usize::from(width))
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .word_splitter(textwrap::WordSplitter::NoHyphenation)
                .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
                .break_words(false);
            for line in textwrap::wrap(text, options) {
                writeln!(w, "{line}")?;
            }
            Ok(())
        }
        _ => writeln!(w, "{text}"),
    }
}

/// Longest word comfy-table may not break: a word longer than this is split rather than making
/// the table overflow.
const MAX_UNBROKEN_WORD: usize = 24;

/// Fitting a table into the terminal, comfy-table would otherwise split words ("informat|ion")
/// once space is short. Columns of single words (numbers, labels, yes/no) keep their content
/// width; the others are at least as wide as their longest word, so they wrap between words.
fn keep_words_whole(ct: &mut comfy_table::Table, table: &Table, shown: &[usize]) {
    let words = |text: &str| {
        text.split_whitespace()
            .map(|w| w.chars().count())
            .collect::<Vec<_>>()
    };
    for (position, &i) in shown.iter().enumerate() {
        let texts: Vec<String> = table
            .rows
            .iter()
            .map(|row| display_text(cell_at(row, i)))
            .chain(std::iter::once(table.columns[i].title.clone()))
            .collect();
        // The header (last) may wrap between its words.
        let single_words = texts[..texts.len() - 1].iter().all(|t| words(t).len() <= 1);
        let longest = texts.iter().flat_map(|t| words(t)).max().unwrap_or(0);
        let constraint = if single_words && longest <= MAX_UNBROKEN_WORD {
            ColumnConstraint::ContentWidth
        } else {
            ColumnConstraint::LowerBoundary(Width::Fixed(longest.min(MAX_UNBROKEN_WORD) as u16))
        };
        if let Some(column) = ct.column_mut(position) {
            column.set_constraint(constraint);
        }
    }
}

fn alignment(column: &Column) -> CellAlignment {
    match column.align {
        Align::Left => CellAlignment::Left,
        Align::Right => CellAlignment::Right,
    }
}

/// Column keys across all tables, in order of first appearance.
fn union_keys(report: &Report) -> Vec<&str> {
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

/// Every table's rows in one table of the union of their columns, as CSV writes them (xlsx's
/// one sheet for commands without their own sheets), titled with the command's name.
pub fn flattened_table(report: &Report) -> Table {
    let keys = union_keys(report);
    let columns = keys
        .iter()
        .map(|key| {
            report
                .tables
                .iter()
                .flat_map(|t| &t.columns)
                .find(|c| c.key == *key)
                .cloned()
                .unwrap_or_else(|| Column::new(key, key))
        })
        .collect();
    let mut table = Table::new(columns);
    table.title = report
        .meta
        .get("command")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    for row in flattened_rows(report, &keys) {
        table.push(row.into_iter().cloned().collect());
    }
    table
}

/// Each row of each table as (key order of `keys`) cells; a key the table lacks is `Null`.
fn flattened_rows<'a>(report: &'a Report, keys: &[&str]) -> Vec<Vec<&'a Value>> {
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

fn render_delimited(
    report: &Report,
    delimiter: u8,
    w: &mut dyn Write,
    formula_guard: bool,
) -> io::Result<()> {
    let keys = union_keys(report);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w);
    writer.write_record(&keys)?;
    for row in flattened_rows(report, &keys) {
        writer.write_record(row.iter().map(|v| match v {
            Value::Text(text) if formula_guard => guard_formula(text).into_owned(),
            other => machine_text(other),
        }))?;
    }
    writer.flush()
}

/// A text cell as a spreadsheet must show it: one that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return gets a leading `'`, so Excel and LibreOffice take it as text rather than a
/// formula (OWASP, "CSV Injection"): a concordance's context "- the local authority" would
/// otherwise show #NAME?, and "=HYPERLINK(...)" in a document would run. Numbers ("-2.5") are
/// left alone. Applied to CSV/TSV files written with `-o` unless `--raw-csv`.
pub fn guard_formula(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A decimal number as a spreadsheet reads one: sign, digits, optional decimals and exponent
/// (not "inf" or "NaN", which Rust's parser accepts).
fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// The version of the JSON layout, the first key of every JSON report: raised when a key changes
/// meaning or goes away (2: `count` rows gained `path`, `document` became the short name).
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON document: `schema_version`, then `meta` keys (in insertion order), then `rows`, then `notes` (every
/// table's notes, then the report's).
pub fn to_json(report: &Report) -> Json {
    let keys = union_keys(report);
    let rows: Vec<Json> = flattened_rows(report, &keys)
        .into_iter()
        .map(|row| {
            let record: Map<String, Json> = keys
                .iter()
                .zip(row)
                .map(|(k, v)| (k.to_string(), v.to_json()))
                .collect();
            Json::Object(record)
        })
        .collect();
    let notes: Vec<Json> = report
        .tables
        .iter()
        .flat_map(|t| t.notes.iter())
        .chain(report.notes.iter())
        .map(|n| Json::String(n.clone()))
        .collect();
    let mut doc = Map::new();
    doc.insert("schema_version".to_string(), Json::from(SCHEMA_VERSION));
    doc.extend(report.meta.clone());
    doc.insert("rows".to_string(), Json::Array(rows));
    doc.insert("notes".to_string(), Json::Array(notes));
    Json::Object(doc)
}

fn render_json(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_json(report))?;
    writeln!(w)
}

/// Escapes text for a GitHub Markdown table cell or paragraph: `|` would end the cell, and
/// emphasis/code/link characters would change the text.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn render_markdown(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    for (n, table) in report.tables.iter().enumerate() {
        if n > 0 {
            writeln!(w)?;
        }
        if let Some(title) = &table.title {
            writeln!(w, "**{}**", escape_markdown(title))?;
            writeln!(w)?;
        }
        let shown = display_columns(table);
        let header: Vec<String> = shown
            .iter()
            .map(|&i| escape_markdown(&table.columns[i].title))
            .collect();
        writeln!(w, "| {} |", header.join(" | "))?;
        let separator: Vec<&str> = shown
            .iter()
            .map(|&i| match table.columns[i].align {
                Align::Left => ":---",
                Align::Right => "---:",
            })
            .collect();
        writeln!(w, "| {} |", separator.join(" | "))?;
        for row in &table.rows {
            let cells: Vec<String> = shown
                .iter()
                .map(|&i| {
                    let text = escape_markdown(&display_text(cell_at(row, i)));
                    if row.bold && !text.is_empty() {
                        format!("**{text}**")
                    } else {
                        text
                    }
                })
                .collect();
            writeln!(w, "| {} |", cells.join(" | "))?;
        }
        for note in &table.notes {
            writeln!(w)?;
            writeln!(w, "{}", escape_markdown(note))?;
        }
    }
    for note in &report.notes {
        writeln!(w)?;
        writeln!(w, "{}", escape_markdown(note))?;
    }
    Ok(())
}

/// Escapes LaTeX's special characters (and those OT1 fonts print wrongly) in text mode.
pub fn escape_latex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn render_latex(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "% Generated by termtally. Needs \\usepackage{{booktabs}} in the preamble."
    )?;
    for table in &report.tables {
        let shown = display_columns(table);
        let spec: String = shown
            .iter()
            .map(|&i| match table.columns[i].align {
                Align::Left => 'l',
                Align::Right => 'r',
            })
            .collect();
        writeln!(w)?;
        writeln!(w, "\\begin{{table}}[htbp]")?;
        writeln!(w, "\\centering")?;
        if let Some(title) = &table.title {
            writeln!(w, "\\caption{{{}}}", escape_latex(title))?;
        }
        writeln!(w, "\\begin{{tabular}}{{{spec}}}")?;
        writeln!(w, "\\toprule")?;
        let header: Vec<String> = shown
            .iter()
            .map(|&i| escape_latex(&table.columns[i].title))
            .collect();
        writeln!(w, "{} \\\\", header.join(" & "))?;
        writeln!(w, "\\midrule")?;
        for row in &table.rows {
            let cells: Vec<String> = shown
                .iter()
                .map(|&i| {
                    let text = escape_latex(&display_text(cell_at(row, i)));
                    if row.bold && !text.is_empty() {
                        format!("\\textbf{{{text}}}")
                    } else {
                        text
                    }
                })
                .collect();
            writeln!(w, "{} \\\\", cells.join(" & "))?;
        }
        writeln!(w, "\\bottomrule")?;
        writeln!(w, "\\end{{tabular}}")?;
        if !table.notes.is_empty() {
            writeln!(w, "\\begin{{flushleft}}\\footnotesize")?;
            for note in &table.notes {
                writeln!(w, "{}\\par", escape_latex(note))?;
            }
            writeln!(w, "\\end{{flushleft}}")?;
        }
        writeln!(w, "\\end{{table}}")?;
    }
    for note in &report.notes {
        writeln!(w)?;
        writeln!(w, "{}", escape_latex(note))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{guard_formula, significant};

    #[test]
    fn formulas_are_guarded_and_numbers_are_not() {
        for (cell, written) in [
            ("=1+2", "'=1+2"),
            ("+44 20", "'+44 20"),
            ("- the local authority", "'- the local authority"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-2.5", "-2.5"),
            ("+3", "+3"),
            ("-1e-3", "-1e-3"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guard_formula(cell), written, "{cell:?}");
        }
    }

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
