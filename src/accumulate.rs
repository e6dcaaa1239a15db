//! Counting a corpus into one set of totals with memory bounded by what is counted, not by the
//! number of documents: for `ngrams` and `collocates`, whose tables (every n-gram, every word
//! near a term) would otherwise be held once per document.
//!
//! A document read whole is counted by one [`Counter`] and added to the totals at once. A large
//! text file read as a stream ([`crate::stream::Tally::Blocks`]) is counted chunk by chunk, in
//! parallel, into one counter per worker thread; when the file ends the workers' counters are
//! added to the totals as one document.

use std::sync::Mutex;

use crate::document::Document;

/// What is counted in a document, and how a document's counts join the totals.
pub trait Counter: Send + Sized {
    /// What a counter is configured with (shared, read-only).
    type Spec: Sync;
    /// The counts of every document together.
    type Totals: Send;
    /// An empty counter for the document called `name`.
    fn new(spec: &Self::Spec, name: &str) -> Self;
    /// The name of the document it counts.
    fn document(&self) -> &str;
    /// Counts the blocks of `doc` and returns its number of tokens.
    fn count(&mut self, spec: &Self::Spec, doc: &Document) -> u64;
    /// Adds one document, counted by `pieces` (several for a streamed file), to `totals`.
    fn add_to(pieces: Vec<Self>, spec: &Self::Spec, totals: &mut Self::Totals);
}

/// The totals of a corpus being counted, and the per-worker counters of the file being
/// streamed.
pub struct Corpus<C: Counter> {
    spec: C::Spec,
    totals: Mutex<C::Totals>,
    workers: Mutex<Vec<C>>,
}

impl<C: Counter> Corpus<C> {
    pub fn new(spec: C::Spec, totals: C::Totals) -> Self {
        Corpus {
            spec,
            totals: Mutex::new(totals),
            workers: Mutex::new(Vec::new()),
        }
    }

    pub fn spec(&self) -> &C::Spec {
        &self.spec
    }

    /// Counts a document read whole into the totals; returns its tokens.
    pub fn count_document(&self, doc: &Document) -> u64 {
        let mut counter = C::new(&self.spec, &doc.name);
        let tokens = counter.count(&self.spec, doc);
        C::add_to(vec![counter], &self.spec, &mut lock(&self.totals));
        tokens
    }

    /// Counts one chunk of a streamed file (its blocks as a document named after the file)
    /// into a free worker counter; returns its tokens. A counter left from another file (one
    /// whose stream failed) is started afresh.
    pub fn count_chunk(&self, chunk: &Document) -> u64 {
        let free = lock(&self.workers).pop();
        let mut counter = match free {
            Some(c) if c.document() == chunk.name => c,
            _ => C::new(&self.spec, &chunk.name),
        };
        let tokens = counter.count(&self.spec, chunk);
        lock(&self.workers).push(counter);
        tokens
    }

    /// The streamed file `name` has been read: its workers' counters join the totals as one
    /// document.
    pub fn end_stream(&self, name: &str) {
        let pieces: Vec<C> = std::mem::take(&mut *lock(&self.workers))
            .into_iter()
            .filter(|c| c.document() == name)
            .collect();
        C::add_to(pieces, &self.spec, &mut lock(&self.totals));
    }

    /// The totals, once every document has been counted.
    pub fn into_totals(self) -> C::Totals {
        self.totals.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
