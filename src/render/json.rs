//! `json`: `{ "schema_version", ...meta, "rows": [{key: value, ...}], "notes": [...] }`, keys in column order.
//!
//! Written as a stream: each table's rows are serialised as the table is made (see
//! [`crate::table::TableSource`]), so a report of thousands of documents is never one JSON value
//! in memory. [`to_json`] builds the same document as a value (tests, the web app).

use std::cell::RefCell;
use std::io::{self, Write};

use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use super::{flattened_cells, union_keys};
use crate::table::{Report, Value};

/// The version of the JSON layout, the first key of every JSON report: raised when a key changes
/// meaning or goes away (2: `count` rows gained `path`, `document` became the short name).
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON document: `schema_version`, then `meta` keys (in insertion order), then `rows`, then
/// `notes` (every table's notes, then the report's).
pub fn to_json(report: &Report) -> Json {
    // Serialising into a value cannot fail: keys are strings, floats become null if not finite.
    serde_json::to_value(Document::of(report)).unwrap_or(Json::Null)
}

pub(super) fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &Document::of(report))?;
    writeln!(w)
}

/// The report as one JSON object, serialised key by key.
struct Document<'a> {
    report: &'a Report,
    keys: Vec<&'a str>,
    /// The tables' notes, gathered while their rows are written (they come after `rows`).
    table_notes: RefCell<Vec<String>>,
}

impl<'a> Document<'a> {
    fn of(report: &'a Report) -> Document<'a> {
        Document {
            report,
            keys: union_keys(report),
            table_notes: RefCell::new(Vec::new()),
        }
    }
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        for (key, value) in &self.report.meta {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("rows", &Rows(self))?;
        let notes = self.table_notes.borrow();
        let notes: Vec<&String> = notes.iter().chain(&self.report.notes).collect();
        map.serialize_entry("notes", &notes)?;
        map.end()
    }
}

/// The `rows` array: every table's rows, one table at a time.
struct Rows<'a, 'b>(&'b Document<'a>);

impl Serialize for Rows<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let document = self.0;
        let mut seq = s.serialize_seq(None)?;
        let mut failure = None;
        let keys = &document.keys;
        let written = document.report.each_table(&mut |table| {
            document
                .table_notes
                .borrow_mut()
                .extend(table.notes.iter().cloned());
            for cells in flattened_cells(table, keys) {
                seq.serialize_element(&Record(keys, &cells)).map_err(|e| {
                    failure = Some(e);
                    io::Error::other("serialising a row")
                })?;
            }
            Ok(())
        });
        if let Some(e) = failure {
            return Err(e);
        }
        written.map_err(S::Error::custom)?;
        seq.end()
    }
}

/// One row as an object, keys in column order.
struct Record<'a, 'b>(&'b [&'a str], &'b [&'b Value]);

impl Serialize for Record<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0.iter().zip(self.1) {
            map.serialize_entry(key, &value.to_json())?;
        }
        map.end()
    }
}
