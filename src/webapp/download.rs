//! The web app's downloads: each table the page shows (the counts, the category totals, the
//! Change tables of OLD against NEW, the concordance) as CSV or as an xlsx workbook, through
//! the renderers of `--format`; the report page. (The lexicon's TOML needs no documents: the route makes it.)

use crate::render::{OutputFormat, RenderOptions, UTF8_BOM};
use crate::report::count::{RowSelection, select_rows};
use crate::table::Report;

use super::workspace::Prepared;

/// A file to download: its bytes, media type and name.
pub struct Download {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub file_name: String,
}

/// Which of the page's tables to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `count`'s term rows (CSV) or its workbook (xlsx).
    Counts,
    /// `count`'s category rows.
    Categories,
    /// `diff`'s tables of OLD against NEW (terms and categories).
    Change,
    /// `kwic`'s concordance of the search pattern.
    Concordance,
}

impl Table {
    pub const ALL: [Table; 4] = [
        Table::Counts,
        Table::Categories,
        Table::Change,
        Table::Concordance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Counts => "counts",
            Table::Categories => "categories",
            Table::Change => "change",
            Table::Concordance => "concordance",
        }
    }

    pub fn parse(name: &str) -> Result<Table, String> {
        Table::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| format!("{name:?} is not a table to download"))
    }
}

/// What the page asks to download: a table in a format, the report page, or the lexicon.
pub fn made(
    prepared: &Prepared,
    what: Table,
    format: &str,
    pattern: &str,
) -> Result<Download, String> {
    let format = match format {
        "html" => {
            return Ok(Download {
                bytes: prepared.report_page().into_bytes(),
                media_type: "text/html; charset=utf-8",
                file_name: "termtally-report.html".to_string(),
            });
        }
        "csv" => OutputFormat::Csv,
        "xlsx" => OutputFormat::Xlsx,
        "json" => OutputFormat::Json,
        other => return Err(format!("{other:?} is not a download")),
    };
    let (mut report, rows) = match what {
        Table::Counts => (prepared.count_report(), RowSelection::Terms),
        Table::Categories => (prepared.count_report(), RowSelection::Categories),
        Table::Change => (prepared.change_report()?, RowSelection::All),
        Table::Concordance => (prepared.concordance_report(pattern)?, RowSelection::All),
    };
    if what == Table::Categories {
        // The workbook is one sheet of the category rows, not count's sheets of terms.
        report.sheets.clear();
    }
    if format == OutputFormat::Csv || what == Table::Categories {
        select_rows(&mut report, rows);
    }
    table_download(&report, format, &format!("termtally-{}", what.name()))
}

/// `report` as a file named `stem.FORMAT`: CSV with the byte order mark (as `-o FILE.csv`),
/// the xlsx workbook, or JSON. Text cells that would run as formulas are guarded, as `-o FILE`.
pub fn table_download(
    report: &Report,
    format: OutputFormat,
    stem: &str,
) -> Result<Download, String> {
    let mut bytes = Vec::new();
    let options = RenderOptions {
        formula_guard: format != OutputFormat::Json,
        ..RenderOptions::default()
    };
    let media_type = match format {
        OutputFormat::Csv => {
            bytes.extend_from_slice(UTF8_BOM);
            "text/csv; charset=utf-8"
        }
        OutputFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        OutputFormat::Json => "application/json",
        _ => return Err(format!("{} is not offered for download", format.name())),
    };
    crate::render::render(report, format, &mut bytes, &options).map_err(|e| e.to_string())?;
    Ok(Download {
        bytes,
        media_type,
        file_name: format!("{stem}.{}", format.name()),
    })
}
