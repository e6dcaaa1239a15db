//! `csv`/`tsv`: a header of column keys, then every table's rows; numbers unformatted, UTF-8.

use std::io::{self, Write};

use super::{flattened_rows, machine_text, union_keys};
use crate::table::Report;

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

pub(super) fn render(report: &Report, delimiter: u8, w: &mut dyn Write) -> io::Result<()> {
    let keys = union_keys(report);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w);
    writer.write_record(&keys)?;
    for row in flattened_rows(report, &keys) {
        writer.write_record(row.iter().map(|v| machine_text(v)))?;
    }
    writer.flush()
}
