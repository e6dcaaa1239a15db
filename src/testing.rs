//! Helpers shared by the unit tests.

use crate::document::{Block, Document, Format};

/// Reproducible pseudo-random numbers for randomised tests (xorshift64), without a dependency.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// A plain-text document named `name` with one block per paragraph.
pub fn text_document(name: &str, paragraphs: &[&str]) -> Document {
    let mut document = Document::new(name, Format::Text);
    document.blocks = paragraphs
        .iter()
        .map(|text| Block {
            text: text.to_string(),
            ..Block::default()
        })
        .collect();
    document
}
