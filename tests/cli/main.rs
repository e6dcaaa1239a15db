//! termtally's integration tests: one test crate (one build, one link), one module per area.
//!
//! Adding tests: put them in the module of their area (the command or stage they exercise). A
//! new area gets a new file `tests/cli/AREA.rs`, declared below with `mod AREA;` (keep the list
//! sorted), starting with a `//!` line that says what it checks. Shared helpers live in `util`
//! (running termtally, the shared corpora, JSON; `util::make` builds input files,
//! `util::server` serves them over HTTP): use them, and move a helper there as soon as a second
//! module needs it rather than copying it. Fixture files live in `tests/fixtures/`; insta
//! snapshots in `tests/cli/snapshots/`.
//!
//! Run one area with `cargo test --test cli AREA::`, one test with `cargo test --test cli NAME`.

mod util;

mod bounded;
mod count;
mod defend;
mod diff;
mod dispersion;
mod excel;
mod extract;
mod formats;
mod headings;
mod keyness;
mod kwic;
mod lexicon;
mod merge;
mod output;
mod pagebreak;
mod pdf;
#[cfg(unix)]
mod pdf_layout;
mod report;
mod reproduce;
#[cfg(unix)]
mod robustness;
mod scope;
mod serve;
mod stream;
mod toolkit;
mod variants;
mod words;
