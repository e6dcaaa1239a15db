//! DOCX (ZIP + WordprocessingML) bytes through `extract_bytes`, then normalise and the matcher: every input must give
//! a document or an `ExtractError`, never a panic, abort or hang.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use termtally::document::Format;
use termtally::extract::{ExtractOptions, extract_bytes};

fuzz_target!(|data: &[u8]| {
    let opts = ExtractOptions::default();
    if let Ok(document) = extract_bytes("fuzz", data, Format::Docx, &opts) {
        common::exercise(document);
    }
});
