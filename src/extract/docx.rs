//! Extraction of docx documents (to be written).

use crate::document::Document;
use crate::extract::{ExtractError, ExtractOptions};

pub fn extract(name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let _ = (name, bytes, opts);
    todo!("docx extraction")
}
