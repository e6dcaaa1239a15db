//! PDF extraction (being written).
use std::path::Path;

use crate::document::Document;
use crate::extract::{ExtractError, ExtractOptions};

pub fn extract(name: &str, path: Option<&Path>, bytes: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let _ = (name, path, bytes, opts);
    todo!()
}
