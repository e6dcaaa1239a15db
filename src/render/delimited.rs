//! `csv`/`tsv`: a header of column keys, then every table's rows; numbers unformatted, UTF-8.

use std::io::{self, Write};

use std::borrow::Cow;

use super::{column_of, each_flattened_row, machine_text, union_keys};
use crate::table::{Report, Role, Value};

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

pub(super) fn render(
    report: &Report,
    delimiter: u8,
    w: &mut dyn Write,
    formula_guard: bool,
) -> io::Result<()> {
    let keys = union_keys(report);
    // Number columns hold numbers, which the guard leaves alone anyway; every other role (text,
    // citation, path) can carry a document's words.
    let guarded: Vec<bool> = keys
        .iter()
        .map(|key| formula_guard && column_of(report, key).is_none_or(|c| c.role != Role::Number))
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w);
    writer.write_record(&keys).map_err(csv_io_error)?;
    each_flattened_row(report, &keys, &mut |row| {
        writer
            .write_record(row.iter().zip(&guarded).map(|(v, &guard)| match v {
                Value::Text(text) if guard => guard_formula(text).into_owned(),
                other => machine_text(other),
            }))
            .map_err(csv_io_error)
    })?;
    writer.flush()
}

/// The I/O error inside a csv error, kept as it is: `?` would wrap it as an "other" error, and
/// a closed pipe (`| head`) would no longer be recognised as one.
fn csv_io_error(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A text cell as a spreadsheet must show it: one that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return gets a leading `'`, so Excel and LibreOffice take it as text rather than a
/// formula (OWASP, "CSV Injection"): a concordance's context "- the local authority" would
/// otherwise show #NAME?, and "=HYPERLINK(...)" in a document would run. Numbers ("-2.5") are
/// left alone. Applied to CSV/TSV files written with `-o` unless `--raw-csv`.
pub fn guard_formula(text: &str) -> Cow<'_, str> {
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

#[cfg(test)]
mod tests {
    use super::guard_formula;

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
}
