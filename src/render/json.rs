//! `json`: `{ ...meta, "rows": [{key: value, ...}], "notes": [...] }`, keys in column order.

use std::io::{self, Write};

use serde_json::{Map, Value as Json};

use super::{flattened_rows, union_keys};
use crate::table::Report;

/// The JSON document: `meta` keys first (in insertion order), then `rows`, then `notes` (every
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
    let mut doc = report.meta.clone();
    doc.insert("rows".to_string(), Json::Array(rows));
    doc.insert("notes".to_string(), Json::Array(notes));
    Json::Object(doc)
}

pub(super) fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_json(report))?;
    writeln!(w)
}
