//! Stage 2: the one place text is cleaned (being written).

use crate::document::Document;

/// Normalises an extracted document in place of the raw one.
pub fn normalise(doc: Document) -> Document {
    doc
}
