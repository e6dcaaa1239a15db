//! termtally: a terminology corpus analyser for policy documents.
//!
//! The pipeline runs one way, one module per stage:
//! `extract` (file bytes → [`Document`]) → `normalise` → `tokenise`/`matcher` (→ hits) →
//! `count` (or `frequency`, every word type) → `table` → `render`. `kwic` reads the same hits as
//! `count`; `diff` compares counts.

pub mod cli;
pub mod cmd;
pub mod count;
pub mod document;
pub mod extract;
pub mod fetch;
pub mod frequency;
pub mod html;
pub mod lexicon;
pub mod matcher;
pub mod normalise;
pub mod output;
pub mod reference;
pub mod render;
pub mod report;
pub mod stats;
pub mod stream;
pub mod table;
#[cfg(test)]
mod testing;
pub mod tokenise;

pub use document::{Block, Document, Format};
