//! Counting large plain-text files as a stream, so memory does not grow with the file.
//!
//! `termtally count` reads a UTF-8 plain-text file larger than [`DEFAULT_THRESHOLD`] in chunks
//! of about [`DEFAULT_CHUNK_BYTES`] instead of building one [`Document`] of all of it. Each chunk
//! goes through the same stages as a whole document — the block splitting of
//! `extract::text`, [`normalise_with`], the same [`Matcher`] — and its counts are added to one
//! [`DocumentCounts`], so the report is the same as for the file read whole. Chunks are
//! processed in parallel, one per worker thread, and only as many are read as the workers take:
//! memory is a few chunks per core plus the counts (which grow with the number of pages or
//! sections under `--by page|section`, not with the text).
//!
//! Where chunks are cut, and what that changes:
//! - Before a form feed (a page break) whenever the chunk has one, else after a blank line
//!   (a paragraph break): blocks, pages and paragraph numbers are exactly those of the whole
//!   file. Page numbers and the carried paragraph number continue from chunk to chunk.
//! - Normalisation sees one chunk at a time, so two of its document-wide judgements are made
//!   per chunk (hundreds of pages each): line-end hyphenation ("co-" / "operation") is repaired
//!   from the evidence within the chunk, and a running header or footer must recur on 40% of
//!   the chunk's pages rather than of the file's. Keeping these document-wide would need memory
//!   that grows with the file (every candidate line and word), which is what streaming avoids.
//!   The report carries a note saying so.
//! - A stretch longer than a chunk with no page or paragraph break at all (a huge single
//!   paragraph or line) is cut between two words (at a space, tab or line break), failing that
//!   after a punctuation mark that ends a token, so no token is split. A word longer than a
//!   chunk is carried whole into one longer chunk, up to [`MAX_WORD_BYTES`]. A multi-word
//!   form ("must not") spanning such a cut is not matched, a context shown with
//!   `--with-contexts` ends at the cut, and the piece after the cut keeps the paragraph number of
//!   the piece before it.
//!
//! Only UTF-8 text (with or without a byte-order mark) read without `--encoding` streams;
//! UTF-16 and other encodings are read whole as before. The first invalid UTF-8 byte is reported
//! with the same message and offset as the whole-file path.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::count::{
    DocumentCounts, NO_SECTION, Unit, UnitCounts, add_into, count_document_serial,
    count_document_serial_checked,
};
use crate::document::{Block, Document, Format};
use crate::extract::sections::carry_forward_from;
use crate::extract::text::split_blocks;
use crate::extract::{ExtractError, ExtractOptions, io_error, sniff};
use crate::frequency::{WordCounts, add_words, merge as merge_words};
use crate::kwic::{Concordance, DEFAULT_WIDTH, Span, first_contexts};
use crate::matcher::Matcher;
use crate::normalise::{NormaliseOptions, normalise_with};
use crate::variants::SpellingCheck;

/// Plain-text files larger than this (bytes) are streamed by `count`.
pub const DEFAULT_THRESHOLD: u64 = 32 << 20;
/// The size of a chunk (bytes) before it is cut at a page or paragraph break. Each chunk is
/// gone over several times (blocks, running lines, hyphenation, counting): at 2 MB the chunks
/// being counted and their blocks stay in the processor's cache between those passes, which at
/// 8 MB they did not (measured: a fifth less CPU time, benches/shapes.sh (a) and (b)).
pub const DEFAULT_CHUNK_BYTES: u64 = 2 << 20;
/// Smallest chunk size accepted (tests use small chunks to cut often).
pub const MIN_CHUNK_BYTES: u64 = 64;
/// Longest stretch without a place to cut (white space or punctuation) that is read into one
/// chunk; a longer one is refused, as no lexicon term can be found in it as a word.
pub const MAX_WORD_BYTES: u64 = 64 << 20;

/// How streaming is configured: the hidden `count --stream-threshold/--stream-chunk` options
/// (environment `TERMTALLY_STREAM_THRESHOLD` / `TERMTALLY_STREAM_CHUNK`).
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    /// Files larger than this many bytes are streamed.
    pub threshold: u64,
    /// Bytes per chunk.
    pub chunk_bytes: u64,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            threshold: DEFAULT_THRESHOLD,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
        }
    }
}

/// The result of streaming one file.
#[derive(Debug, Clone)]
pub struct Streamed {
    pub counts: DocumentCounts,
    /// With `contexts_per_term` > 0: the first hits of each term in context (indexed by term),
    /// as `kwic::first_contexts` gives them for a whole document.
    pub contexts: Vec<Vec<Concordance>>,
    /// Number of chunks read.
    pub chunks: usize,
    /// Every word type and its count, when asked for (else empty).
    pub words: WordCounts,
}

/// Whether `count` should stream `path` rather than read it whole: a regular file larger than
/// `threshold` bytes whose first bytes are plain text (not UTF-16) and whose name does not
/// promise a PDF or Word file, read without `--encoding`. Anything in doubt takes the ordinary
/// path, which reports problems with a file as usual.
pub fn should_stream(path: &Path, opts: &ExtractOptions, threshold: u64) -> bool {
    if path.as_os_str() == "-" || opts.encoding.is_some() {
        return false;
    }
    // A `.pdf` or `.docx` that turns out to be text is refused by the ordinary path.
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("pdf" | "docx")) {
        return false;
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() > threshold => {}
        _ => return false,
    }
    let mut head = Vec::with_capacity(4096);
    let read = File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() || head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return false;
    }
    // `sniff` looks at the first 4 KiB only when it answers "text".
    matches!(sniff(&head), Ok(Format::Text))
}

/// What to count in a streamed file, and how its text is cleaned.
#[derive(Debug, Clone, Copy)]
pub struct Work<'a> {
    pub tally: Tally<'a>,
    pub cleaning: NormaliseOptions,
}

/// What a streamed file is counted for: one kind per command that streams.
#[derive(Debug, Clone, Copy)]
pub enum Tally<'a> {
    /// The lexicon's terms per `unit`, keeping the first `contexts_per_term` hits of each term
    /// in context ([`Streamed::contexts`]): `count`.
    /// With `spelling`, also the candidate spellings of `count`'s spelling check
    /// ([`Streamed::words`]), tallied in the matcher's own pass.
    Terms {
        matcher: &'a Matcher,
        unit: Unit,
        contexts_per_term: usize,
        spelling: Option<&'a SpellingCheck<'a>>,
    },
    /// Every word type ([`Streamed::words`]) and no lexicon: `words`.
    Words,
    /// The lexicon's terms per document and every word type: `diff --all-words`.
    TermsAndWords(&'a Matcher),
    /// Every hit in context, in text order, as [`crate::kwic::contexts`] gives them for a whole
    /// document ([`Streamed::contexts`] holds one list): `kwic`. Only the hits are kept, not the
    /// text. Only the hits of the terms marked in `terms` (indexed by term) are kept: the
    /// matcher matches the whole lexicon, as `count` does.
    Concordance {
        matcher: &'a Matcher,
        span: Span,
        terms: &'a [bool],
    },
    /// Each chunk's normalised blocks handed to the command's own counting (`ngrams`,
    /// `collocates`): the function is called once per chunk, from several threads at once and in
    /// no particular order, keeps what it counts itself (see [`crate::accumulate`]) and returns the
    /// number of tokens of the chunk.
    Blocks(ChunkCounter<'a>),
}

/// The command's own counting of a chunk, for [`Tally::Blocks`].
#[derive(Clone, Copy)]
pub struct ChunkCounter<'a>(pub &'a (dyn Fn(&Document) -> u64 + Sync));

impl std::fmt::Debug for ChunkCounter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChunkCounter")
    }
}

impl Work<'_> {
    fn matcher(&self) -> Option<&Matcher> {
        match self.tally {
            Tally::Terms { matcher, .. }
            | Tally::TermsAndWords(matcher)
            | Tally::Concordance { matcher, .. } => Some(matcher),
            Tally::Words | Tally::Blocks(_) => None,
        }
    }
    fn unit(&self) -> Unit {
        match self.tally {
            Tally::Terms { unit, .. } => unit,
            Tally::Words
            | Tally::TermsAndWords(_)
            | Tally::Concordance { .. }
            | Tally::Blocks(_) => Unit::Document,
        }
    }
    fn contexts_per_term(&self) -> usize {
        match self.tally {
            Tally::Terms {
                contexts_per_term, ..
            } => contexts_per_term,
            Tally::Concordance { .. } => usize::MAX,
            Tally::Words | Tally::TermsAndWords(_) | Tally::Blocks(_) => 0,
        }
    }
    fn words(&self) -> bool {
        matches!(self.tally, Tally::Words | Tally::TermsAndWords(_))
    }
}

/// What the per-chunk work needs besides the chunk.
struct Job<'a> {
    name: &'a str,
    work: Work<'a>,
}

/// Counts the plain-text file at `path` (named `name` in the output) chunk by chunk, in parallel
/// on the rayon pool. The counts are those of [`crate::count::count_document`] (and the word
/// types those of [`crate::frequency::word_counts`]) on the whole file, with the differences
/// described at the top of this module. Without a matcher, `counts` has the token total only.
pub fn count_text_file(
    path: &Path,
    name: &str,
    work: Work,
    options: StreamOptions,
) -> Result<Streamed, ExtractError> {
    let len = std::fs::metadata(path).map_err(|e| io_error(&e))?.len();
    let open = || File::open(path).map_err(|e| io_error(&e));
    count_stream(open, len, &Job { name, work }, options)
}

/// Counts text read from `open()` (called again to re-read it from the start if a late form
/// feed shows the text has pages after all); `len` is its size, for the progress bar.
fn count_stream<R: Read + Send>(
    open: impl Fn() -> Result<R, ExtractError>,
    len: u64,
    job: &Job,
    options: StreamOptions,
) -> Result<Streamed, ExtractError> {
    match run(open()?, len, None, job, options) {
        // Whether the text has pages (any form feed at all) is assumed from its first chunk;
        // a form feed further on means every block, from the first, has a page number.
        Err(Abort::Restart) => match run(open()?, len, Some(true), job, options) {
            Err(Abort::Failed(e)) => Err(e),
            Err(Abort::Restart) => Err(ExtractError::Io("read inconsistently".into())),
            Ok(streamed) => Ok(streamed),
        },
        Err(Abort::Failed(e)) => Err(e),
        Ok(streamed) => Ok(streamed),
    }
}

/// Why a run stopped early.
#[derive(Debug)]
enum Abort {
    /// A form feed appeared after a first chunk without one: read again with pages.
    Restart,
    Failed(ExtractError),
}

/// One pass over the text: a reader hands out chunks to one worker per thread; each worker
/// counts its chunk and hands the counts to the merger, which adds them up in text order.
fn run<R: Read + Send>(
    reader: R,
    len: u64,
    has_pages: Option<bool>,
    job: &Job,
    options: StreamOptions,
) -> Result<Streamed, Abort> {
    let chunk_bytes = usize::try_from(options.chunk_bytes.max(MIN_CHUNK_BYTES)).unwrap_or(1 << 30);
    let buffers = Buffers::default();
    let reader = Mutex::new(ChunkReader::new(reader, chunk_bytes, has_pages, &buffers));
    let merger = Mutex::new(Merger::new(job));
    let failure: Mutex<Option<Abort>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let progress = byte_progress(len);
    let workers = rayon::current_num_threads().max(1);
    // Each worker counts word types into its own table; the tables are added up at the end.
    let word_tables: Mutex<Vec<WordCounts>> = Mutex::new(Vec::new());
    rayon::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                let mut words = Words::default();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let next = lock(&reader).next_chunk();
                    let chunk = match next {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        Err(abort) => {
                            stop.store(true, Ordering::Relaxed);
                            lock(&failure).get_or_insert(abort);
                            return;
                        }
                    };
                    let bytes = chunk.text.len() as u64;
                    let result = process_chunk(chunk, job, &buffers, &mut words);
                    lock(&merger).push(result);
                    progress.inc(bytes);
                }
                lock(&word_tables).push(words.counts);
            });
        }
    });
    progress.finish_and_clear();
    if let Some(abort) = lock(&failure).take() {
        return Err(abort);
    }
    let reader = reader.into_inner().unwrap_or_else(|e| e.into_inner());
    let merger = merger.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut streamed = merger.finish(reader.page_count(), reader.index);
    let tables = word_tables.into_inner().unwrap_or_else(|e| e.into_inner());
    streamed.words = tables.into_iter().fold(WordCounts::default(), merge_words);
    Ok(streamed)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A progress bar in bytes on stderr, for large files on a terminal only.
fn byte_progress(len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || len < (256 << 20) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("counting {bar:30} {bytes}/{total_bytes} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

// ---------------------------------------------------------------------------------------------
// reading and cutting

/// A piece of the text that starts and ends at a page or paragraph break (see the module
/// documentation for the exceptions).
#[derive(Debug)]
struct Chunk {
    index: usize,
    text: String,
    /// The page its first block is on; `None` when the text has no pages.
    first_page: Option<u32>,
    /// Its first block continues the last block of the previous chunk.
    mid_paragraph: bool,
}

/// Chunk buffers handed back by the workers once they have split a chunk into blocks, to be read
/// into again: reading into memory already in use avoids a fresh allocation (and the kernel
/// zeroing its pages) for every chunk.
#[derive(Default)]
struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    fn take(&self) -> Vec<u8> {
        lock(&self.0).pop().unwrap_or_default()
    }

    fn give_back(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        lock(&self.0).push(buffer);
    }
}

/// Reads the text in chunks, cutting each at its last page or paragraph break and keeping the
/// rest for the next chunk.
struct ChunkReader<'b, R> {
    reader: R,
    buffers: &'b Buffers,
    buf: Vec<u8>,
    chunk_bytes: usize,
    /// Offset in the text (after any byte-order mark) of `buf[0]`, for error messages.
    offset: u64,
    /// Length of the UTF-8 byte-order mark skipped, if any.
    bom_len: u64,
    started: bool,
    /// How many bytes at the start of `buf` are known to be valid UTF-8 (ending at a character
    /// boundary).
    checked: usize,
    eof: bool,
    done: bool,
    /// Chunks handed out so far.
    index: usize,
    /// The page `buf[0]` is on.
    page: u32,
    /// Whether the text has pages; `None` until the first chunk shows whether it has a form feed.
    has_pages: Option<bool>,
    mid_paragraph: bool,
}

impl<'b, R: Read> ChunkReader<'b, R> {
    fn new(reader: R, chunk_bytes: usize, has_pages: Option<bool>, buffers: &'b Buffers) -> Self {
        ChunkReader {
            reader,
            buffers,
            buf: Vec::new(),
            chunk_bytes,
            offset: 0,
            bom_len: 0,
            started: false,
            checked: 0,
            eof: false,
            done: false,
            index: 0,
            page: 1,
            has_pages,
            mid_paragraph: false,
        }
    }

    /// The number of pages, once all chunks have been read (`None`: the text has no pages).
    fn page_count(&self) -> Option<u32> {
        self.has_pages.unwrap_or(false).then_some(self.page)
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>, Abort> {
        if self.done {
            return Ok(None);
        }
        // A chunk with no place to cut (one word longer than a chunk) is read further, so the
        // word is carried whole into one chunk: twice as far each time, to stay linear.
        let mut target = self.chunk_bytes;
        let (valid, cut, next_mid_paragraph) = loop {
            self.fill(target)?;
            if !self.started {
                self.started = true;
                if self.buf.starts_with(b"\xEF\xBB\xBF") {
                    self.buf.drain(..3);
                    self.bom_len = 3;
                }
            }
            if self.buf.is_empty() {
                self.done = true;
                return Ok(None);
            }
            // Only the bytes not yet checked: each byte of the text is validated once.
            let checked = self.checked; // (a chunk read further is checked again from here)
            let valid = match simdutf8::compat::from_utf8(&self.buf[checked..]) {
                Ok(_) => self.buf.len(),
                // A character cut by the end of the buffer is completed by the next read.
                Err(e) if e.error_len().is_none() && !self.eof => checked + e.valid_up_to(),
                Err(e) => return Err(Abort::Failed(self.not_utf8(checked + e.valid_up_to()))),
            };
            // SAFETY: `buf[..checked]` was valid UTF-8 and `buf[checked..valid]` just checked.
            let text = unsafe { std::str::from_utf8_unchecked(&self.buf[..valid]) };
            if self.eof && valid == self.buf.len() {
                break (valid, valid, false);
            }
            match find_cut(text) {
                Some((cut, mid_paragraph)) => break (valid, cut, mid_paragraph),
                None if self.buf.len() as u64 >= MAX_WORD_BYTES => {
                    return Err(Abort::Failed(ExtractError::TooLarge(format!(
                        "more than {} MB without a space, line break or punctuation mark: not \
                         text termtally can count",
                        MAX_WORD_BYTES >> 20
                    ))));
                }
                None => target = (self.buf.len() * 2).max(self.buf.len() + self.chunk_bytes),
            }
        };
        let last = self.eof && valid == self.buf.len();
        // SAFETY: checked in the loop above.
        let text = unsafe { std::str::from_utf8_unchecked(&self.buf[..valid]) };
        let mut chunk_text = &text[..cut];
        // As in `extract::text`, any form feed means the text has pages.
        let any_form_feed = memchr::memchr(b'\x0c', chunk_text.as_bytes()).is_some();
        if last {
            // As for a whole file: a form feed ending the text does not start another page.
            chunk_text = chunk_text.strip_suffix('\u{c}').unwrap_or(chunk_text);
        }
        let has_pages = match self.has_pages {
            Some(has) => has,
            None => {
                // The first chunk (and what was read beyond it) decides; a form feed in a later
                // chunk restarts the count.
                let has = memchr::memchr(b'\x0c', text.as_bytes()).is_some();
                self.has_pages = Some(has);
                has
            }
        };
        if !has_pages && any_form_feed {
            return Err(Abort::Restart);
        }
        let form_feeds = memchr::memchr_iter(b'\x0c', chunk_text.as_bytes()).count();
        let chunk_len = chunk_text.len();
        // The buffer itself becomes the chunk; what follows the cut moves to a spare buffer.
        let mut rest = self.buffers.take();
        rest.extend_from_slice(&self.buf[cut..]);
        let mut bytes = std::mem::replace(&mut self.buf, rest);
        bytes.truncate(chunk_len);
        // SAFETY: `bytes` holds exactly the bytes of `chunk_text`, a `str` (checked by
        // `from_utf8` above), so they are valid UTF-8.
        let text = unsafe { String::from_utf8_unchecked(bytes) };
        let chunk = Chunk {
            index: self.index,
            text,
            first_page: has_pages.then_some(self.page),
            mid_paragraph: self.mid_paragraph,
        };
        let added = u32::try_from(form_feeds).unwrap_or(u32::MAX);
        self.page = self.page.saturating_add(added);
        self.mid_paragraph = next_mid_paragraph;
        self.index += 1;
        self.offset += cut as u64;
        self.checked = valid - cut; // what follows the cut was checked with the chunk
        if last {
            self.done = true;
        }
        Ok(Some(chunk))
    }

    /// Reads until the buffer holds `target` bytes or the input ends.
    fn fill(&mut self, target: usize) -> Result<(), Abort> {
        let want = target.saturating_sub(self.buf.len());
        if want == 0 || self.eof {
            return Ok(());
        }
        self.buf.reserve(want);
        let got = (&mut self.reader)
            .take(want as u64)
            .read_to_end(&mut self.buf)
            .map_err(|e| Abort::Failed(io_error(&e)))?;
        if got < want {
            self.eof = true;
        }
        Ok(())
    }

    /// The error of `extract::text` for invalid UTF-8 at `at` bytes into the buffer.
    fn not_utf8(&self, at: usize) -> ExtractError {
        let at = self.offset + at as u64;
        if self.bom_len > 0 {
            ExtractError::Encoding(format!(
                "not valid UTF-8 text although it starts with a UTF-8 byte-order mark (invalid \
                 bytes at byte {})",
                at + self.bom_len
            ))
        } else {
            ExtractError::Encoding(format!(
                "not UTF-8 text (invalid bytes at byte {at}): give --encoding, e.g. --encoding \
                 windows-1252"
            ))
        }
    }
}

/// Where to cut `text` (more follows it), and whether the piece after the cut starts in the
/// middle of a paragraph; `None` when no cut keeps every token whole (read further). The cut is
/// never at 0, so every chunk makes progress.
fn find_cut(text: &str) -> Option<(usize, bool)> {
    // Before the last page break: the next chunk starts a page.
    if let Some(at) = memchr::memrchr(b'\x0c', text.as_bytes()).filter(|&at| at > 0) {
        return Some((at, false));
    }
    if let Some(at) = after_last_blank_line(text) {
        return Some((at, false));
    }
    if let Some(at) = last_break_between_words(text) {
        return Some((at, true));
    }
    if let Some(at) = after_last_punctuation(text) {
        return Some((at, true));
    }
    if text.trim().is_empty() {
        // White space only, a whole chunk of it: any character boundary.
        let mut at = text.len().saturating_sub(1).max(1);
        while at < text.len() && !text.is_char_boundary(at) {
            at += 1;
        }
        return Some((at.min(text.len()).max(1), true));
    }
    None
}

/// The position just after the last ASCII punctuation mark that ends a token whatever surrounds
/// it (not `-` or `'`, which join words), with text after it: text with no white space
/// ("inform,consult;...") is cut between two tokens. Normalisation changes no ASCII
/// punctuation, so both pieces tokenise as the whole.
fn after_last_punctuation(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let end = bytes.len().checked_sub(1)?;
    bytes[..end]
        .iter()
        .rposition(|&b| b.is_ascii_punctuation() && b != b'-' && b != b'\'')
        .map(|at| at + 1)
}

/// The position just after the last blank line of `text` (a line that is empty or white space
/// only, ended by LF, CR LF or CR), as `extract::text` splits paragraphs.
fn after_last_blank_line(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    loop {
        let terminator = memchr::memrchr2(b'\n', b'\r', &bytes[..end])?;
        // CR LF is one line end.
        let line_end =
            if bytes[terminator] == b'\n' && terminator > 0 && bytes[terminator - 1] == b'\r' {
                terminator - 1
            } else {
                terminator
            };
        let line_start = memchr::memrchr2(b'\n', b'\r', &bytes[..line_end]).map_or(0, |p| p + 1);
        if text[line_start..line_end].trim().is_empty() {
            return Some(terminator + 1);
        }
        if line_start == 0 {
            return None;
        }
        end = line_start;
    }
}

/// The last position just after a space, tab or line break that has a non-space character on
/// both sides (so both pieces of the line or paragraph are non-blank and no token is split). A
/// line break after a hyphen is skipped: the hyphenation repair needs both lines.
fn last_break_between_words(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while let Some(at) = memchr::memrchr3(b' ', b'\t', b'\n', &bytes[..end]) {
        end = at;
        let after = at + 1;
        let before = text[..at].chars().next_back();
        let next = text[after..].chars().next();
        let (Some(before), Some(next)) = (before, next) else {
            continue;
        };
        if before.is_whitespace() || next.is_whitespace() {
            continue;
        }
        if bytes[at] == b'\n' && before == '-' {
            continue;
        }
        return Some(after);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// counting a chunk

/// Stands for "the paragraph number carried in from the previous chunk" while a chunk is
/// counted on its own; replaced when the chunks are added up in order. Never a real number.
const CARRIED: &str = "\u{0}carried";

/// The counts of one chunk.
struct ChunkResult {
    index: usize,
    counts: DocumentCounts,
    /// The section of its last block before normalisation (the number carried into the next
    /// chunk), [`CARRIED`] if it has none of its own; `None` if it has no blocks.
    last_section: Option<Option<String>>,
    contexts: Vec<Vec<Concordance>>,
}

/// A worker's word-type table and folding buffer, kept from chunk to chunk.
#[derive(Default)]
struct Words {
    counts: WordCounts,
    folded: String,
}

fn process_chunk(chunk: Chunk, job: &Job, buffers: &Buffers, words: &mut Words) -> ChunkResult {
    // Paragraph numbers matter only to counts by section and to the citations of contexts.
    let numbered = job.work.unit() == Unit::Section || job.work.contexts_per_term() > 0;
    let mut blocks = Vec::new();
    split_blocks(&chunk.text, chunk.first_page, numbered, &mut blocks);
    buffers.give_back(chunk.text.into_bytes());
    if chunk.mid_paragraph {
        if let Some(first) = blocks.first_mut() {
            first.section = Some(CARRIED.to_string());
        }
    }
    if numbered {
        // The previous chunk's number is not known yet: [`CARRIED`] stands for it, given to the
        // blocks that would carry it, exactly as over the whole text.
        carry_forward_from(&mut blocks, Some(CARRIED.to_string()));
    }
    let last_section = blocks.last().map(|b| b.section.clone());
    let mut doc = Document::new(job.name, Format::Text);
    doc.blocks = blocks;
    let doc = normalise_with(doc, job.work.cleaning);
    let counts = count_chunk(&doc, job, words);
    let contexts = match (job.work.tally, job.work.matcher()) {
        (
            Tally::Concordance {
                matcher,
                span,
                terms,
            },
            _,
        ) => {
            vec![crate::kwic::contexts_of_terms(
                &doc,
                matcher,
                span,
                Some(terms),
                false,
            )]
        }
        (_, Some(matcher)) if job.work.contexts_per_term() > 0 => first_contexts(
            &doc,
            matcher,
            Span::Chars(DEFAULT_WIDTH),
            job.work.contexts_per_term(),
        ),
        _ => Vec::new(),
    };
    ChunkResult {
        index: chunk.index,
        counts,
        last_section,
        contexts,
    }
}

/// The counts of a chunk's normalised blocks (`doc`) as `job` asks; word types and candidate
/// spellings go into the worker's `words`.
fn count_chunk(doc: &Document, job: &Job, words: &mut Words) -> DocumentCounts {
    let mut word_tokens = 0;
    if job.work.words() {
        for block in &doc.blocks {
            word_tokens += add_words(&block.text, &mut words.counts, &mut words.folded);
        }
    }
    if let Tally::Blocks(count) = job.work.tally {
        word_tokens = (count.0)(doc);
    }
    match (job.work.tally, job.work.matcher()) {
        (
            Tally::Terms {
                spelling: Some(check),
                ..
            },
            _,
        ) => {
            let (counts, spellings) = count_document_serial_checked(doc, check, job.work.unit());
            words.counts = merge_words(std::mem::take(&mut words.counts), spellings);
            counts
        }
        (_, Some(matcher)) => count_document_serial(doc, matcher, job.work.unit()),
        (_, None) => DocumentCounts {
            name: doc.name.clone(),
            format: doc.format,
            pages: None,
            tokens: word_tokens,
            counts: Vec::new(),
            excluded: Vec::new(),
            pages_without_text: Vec::new(),
            units: Vec::new(),
        },
    }
}

/// Adds up chunk counts in text order (they finish in any order).
struct Merger {
    next: usize,
    pending: BTreeMap<usize, ChunkResult>,
    /// The paragraph number carried into the next chunk.
    carried: Option<String>,
    counts: DocumentCounts,
    unit_index: HashMap<String, usize>,
    unit: Unit,
    contexts: Vec<Vec<Concordance>>,
    contexts_per_term: usize,
    /// For citations of contexts whose paragraph number was carried in.
    citer: Document,
}

impl Merger {
    fn new(job: &Job) -> Merger {
        let n = job.work.matcher().map_or(0, Matcher::term_count);
        Merger {
            next: 0,
            pending: BTreeMap::new(),
            carried: None,
            counts: DocumentCounts {
                name: job.name.to_string(),
                format: Format::Text,
                pages: None,
                tokens: 0,
                counts: vec![0; n],
                excluded: vec![0; n],
                pages_without_text: Vec::new(),
                units: Vec::new(),
            },
            unit_index: HashMap::new(),
            unit: job.work.unit(),
            contexts: vec![
                Vec::new();
                match job.work.tally {
                    Tally::Concordance { .. } => 1,
                    _ if job.work.contexts_per_term() > 0 => n,
                    _ => 0,
                }
            ],
            contexts_per_term: job.work.contexts_per_term(),
            citer: Document::new(job.name, Format::Text),
        }
    }

    fn push(&mut self, result: ChunkResult) {
        self.pending.insert(result.index, result);
        while let Some(result) = self.pending.remove(&self.next) {
            self.add(result);
            self.next += 1;
        }
    }

    fn add(&mut self, chunk: ChunkResult) {
        let carried = self.carried.clone();
        let resolve = |section: &mut Option<String>| {
            if section.as_deref() == Some(CARRIED) {
                section.clone_from(&carried);
            }
        };
        self.counts.tokens += chunk.counts.tokens;
        add_into(&mut self.counts.counts, &chunk.counts.counts);
        add_into(&mut self.counts.excluded, &chunk.counts.excluded);
        for mut unit in chunk.counts.units {
            if self.unit == Unit::Section && unit.label == CARRIED {
                unit.label = carried.clone().unwrap_or_else(|| NO_SECTION.to_string());
            }
            match self.unit_index.get(&unit.label) {
                Some(&i) => {
                    let into: &mut UnitCounts = &mut self.counts.units[i];
                    into.tokens += unit.tokens;
                    add_into(&mut into.counts, &unit.counts);
                    add_into(&mut into.excluded, &unit.excluded);
                }
                None => {
                    self.unit_index
                        .insert(unit.label.clone(), self.counts.units.len());
                    self.counts.units.push(unit);
                }
            }
        }
        for (into, hits) in self.contexts.iter_mut().zip(chunk.contexts) {
            for mut hit in hits {
                if into.len() >= self.contexts_per_term {
                    break;
                }
                if hit.section.as_deref() == Some(CARRIED) {
                    resolve(&mut hit.section);
                    hit.cite = self.citer.cite(&Block {
                        page: hit.page,
                        section: hit.section.clone(),
                        ..Block::default()
                    });
                }
                into.push(hit);
            }
        }
        if let Some(mut last) = chunk.last_section {
            resolve(&mut last);
            self.carried = last;
        }
    }

    fn finish(mut self, pages: Option<u32>, chunks: usize) -> Streamed {
        self.counts.pages = pages;
        Streamed {
            counts: self.counts,
            contexts: self.contexts,
            chunks,
            words: WordCounts::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::count_document;
    use crate::extract::text;
    use crate::lexicon::Lexicon;
    use crate::matcher::Mode;

    /// Counts `bytes` whole (as `load_documents` does) and streamed in chunks of `chunk` bytes.
    fn both(bytes: &[u8], chunk: u64, matcher: &Matcher, unit: Unit) -> (DocumentCounts, Streamed) {
        let whole = text::extract("t.txt", bytes, &ExtractOptions::default()).unwrap();
        let whole = normalise_with(whole, NormaliseOptions::default());
        let whole = count_document(&whole, matcher, unit);
        let job = Job {
            name: "t.txt",
            work: Work {
                tally: Tally::Terms {
                    matcher,
                    unit,
                    contexts_per_term: 3,
                    spelling: None,
                },
                cleaning: NormaliseOptions::default(),
            },
        };
        let options = StreamOptions {
            threshold: 0,
            chunk_bytes: chunk,
        };
        let streamed = count_stream(
            || Ok(std::io::Cursor::new(bytes.to_vec())),
            bytes.len() as u64,
            &job,
            options,
        )
        .unwrap();
        (whole, streamed)
    }

    /// Pages of numbered paragraphs, bullets, headings and study terms, each page worded
    /// differently (so no line is a running header), with CR LF and LF line ends.
    fn varied_pages(pages: usize) -> String {
        let words = [
            "inform",
            "involve",
            "advise",
            "consult",
            "partnership",
            "collaboration",
            "co-operation",
            "engage",
            "support",
            "work together",
            "co-production",
            "cooperation",
        ];
        let mut text = String::new();
        for page in 0..pages {
            let w = |k: usize| words[(page * 7 + k * 5) % words.len()];
            text.push_str(&format!(
                "4.{page} Local authorities must {} and {} parents in {}.\n\
                 They should {} with {} services.\n\n\
                 • a bullet under 4.{page}: {} and {}\r\n\r\n\
                 Chapter {page}: {} working\n\nText after the heading: {}, {}.\n\u{c}",
                w(0),
                w(1),
                w(2),
                w(3),
                w(4),
                w(5),
                w(6),
                w(7),
                w(8),
                w(9)
            ));
        }
        text.push('\u{c}');
        text
    }

    fn study() -> (Lexicon, Matcher) {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        (lex, m)
    }

    #[test]
    fn cuts_prefer_page_breaks_then_blank_lines_then_spaces() {
        assert_eq!(find_cut("a\n\nb\u{c}c d\n\ne"), Some((4, false)));
        assert_eq!(find_cut("\u{c}a\n\nb c"), Some((4, false)));
        assert_eq!(find_cut("a\r\n \t\r\nb c"), Some((7, false)));
        assert_eq!(find_cut("a\rb\r\rc"), Some((5, false)));
        assert_eq!(find_cut("one two  three\nfour "), Some((15, true)));
        // No token is split while there is a place between two words.
        assert_eq!(find_cut("alpha beta,gamma"), Some((6, true)));
        // Without white space: after punctuation that ends a token, never inside one.
        assert_eq!(find_cut("inform,consult;co-operation"), Some((15, true)));
        assert_eq!(find_cut("parent's-co-operation"), None);
        assert_eq!(find_cut("co-\noperation"), None);
        assert_eq!(find_cut("éé"), None);
        assert_eq!(find_cut("   "), Some((2, true)));
    }

    #[test]
    fn blank_lines_are_found_as_extract_text_sees_them() {
        assert_eq!(after_last_blank_line("a\n\u{a0}\nb"), Some(5));
        assert_eq!(after_last_blank_line("a\r\nb\r\n"), None);
        assert_eq!(after_last_blank_line("a\nb"), None);
        assert_eq!(after_last_blank_line("\nb"), Some(1));
    }

    #[test]
    fn streamed_counts_equal_whole_counts_for_every_unit_and_chunk_size() {
        let (lex, m) = study();
        let mut text = varied_pages(30);
        text.push('\u{c}');
        let total: u64 = {
            let (whole, _) = both(text.as_bytes(), 1 << 20, &m, Unit::Document);
            whole.counts.iter().sum()
        };
        assert!(total > 150, "{total}");
        for chunk in [64, 100, 333, 1000, 4096, 1 << 20] {
            for unit in [Unit::Document, Unit::Page, Unit::Section] {
                let (whole, streamed) = both(text.as_bytes(), chunk, &m, unit);
                assert_eq!(streamed.counts, whole, "chunk {chunk} {unit:?}");
                if chunk < 1000 {
                    assert!(streamed.chunks > 10, "{}", streamed.chunks);
                }
            }
        }
        assert_eq!(lex.terms.len(), m.term_count());
    }

    /// `text` streamed in chunks of `chunk` bytes and counted for `tally`.
    fn stream_text(text: &str, tally: Tally, chunk: u64) -> Streamed {
        let job = Job {
            name: "t.txt",
            work: Work {
                tally,
                cleaning: NormaliseOptions::default(),
            },
        };
        let options = StreamOptions {
            threshold: 0,
            chunk_bytes: chunk,
        };
        let open = || Ok(std::io::Cursor::new(text.as_bytes().to_vec()));
        count_stream(open, text.len() as u64, &job, options).unwrap()
    }

    #[test]
    fn streamed_word_types_equal_those_of_the_whole_text() {
        let mut text = varied_pages(30);
        text.push('\u{c}');
        let whole = text::extract("t.txt", text.as_bytes(), &ExtractOptions::default()).unwrap();
        let whole = normalise_with(whole, NormaliseOptions::default());
        let expected = crate::frequency::word_counts(std::slice::from_ref(&whole));
        let tokens: u64 = expected.total();
        assert!(expected.len() > 20 && tokens > 500, "{tokens}");
        for chunk in [64, 333, 4096, 1 << 20] {
            let streamed = stream_text(&text, Tally::Words, chunk);
            assert_eq!(streamed.words, expected, "chunk {chunk}");
            assert_eq!(streamed.counts.tokens, tokens, "chunk {chunk}");
            assert_eq!(streamed.counts.pages, whole.page_count, "chunk {chunk}");
        }
    }

    #[test]
    fn streamed_spellings_equal_those_of_the_whole_text() {
        let (lexicon, m) = study();
        let variants = crate::variants::FormVariants::new(&lexicon);
        let check = SpellingCheck::new(&m, &variants);
        let mut text = varied_pages(30);
        text.push_str("\nCoproduction and co-productions; Partnerships, informations.\n");
        let whole = text::extract("t.txt", text.as_bytes(), &ExtractOptions::default()).unwrap();
        let whole = normalise_with(whole, NormaliseOptions::default());
        let expected = variants.document_words(&whole);
        assert!(expected.len() > 2, "{expected:?}");
        let tally = Tally::Terms {
            matcher: &m,
            unit: Unit::Page,
            contexts_per_term: 0,
            spelling: Some(&check),
        };
        for chunk in [64, 333, 4096, 1 << 20] {
            let streamed = stream_text(&text, tally, chunk);
            assert_eq!(streamed.words, expected, "chunk {chunk}");
            let plain = count_document(&whole, &m, Unit::Page);
            assert_eq!(streamed.counts.counts, plain.counts, "chunk {chunk}");
        }
    }

    #[test]
    fn a_late_form_feed_gives_every_block_a_page() {
        let (_, m) = study();
        let mut text = "inform parents\n\n".repeat(50);
        text.push_str("\u{c}involve them\n");
        let (whole, streamed) = both(text.as_bytes(), 64, &m, Unit::Page);
        assert_eq!(whole.pages, Some(2));
        assert_eq!(streamed.counts, whole);
        let (whole, streamed) = both(b"inform\n\ninform\n\x0c", 64, &m, Unit::Page);
        assert_eq!(whole.pages, Some(1));
        assert_eq!(streamed.counts, whole);
    }

    #[test]
    fn a_paragraph_longer_than_a_chunk_keeps_its_number_and_tokens() {
        let (_, m) = study();
        let mut text = String::from("1.1 Intro inform.\n\n4.9 Parents ");
        for i in 0..200 {
            text.push_str(if i % 2 == 0 {
                "inform the parents\n"
            } else {
                "and 5.1 Consult them "
            });
        }
        text.push_str("\n\nAnnex A\n\nadvise");
        for unit in [Unit::Document, Unit::Section] {
            let (whole, streamed) = both(text.as_bytes(), 100, &m, unit);
            assert_eq!(streamed.counts, whole, "{unit:?}");
        }
        let (whole, _) = both(text.as_bytes(), 100, &m, Unit::Section);
        let labels: Vec<&str> = whole.units.iter().map(|u| u.label.as_str()).collect();
        assert_eq!(labels, ["1.1", "4.9", NO_SECTION]);
    }

    #[test]
    fn contexts_are_the_first_hits_of_the_whole_text() {
        let (_, m) = study();
        let text = varied_pages(20);
        let whole = text::extract("t.txt", text.as_bytes(), &ExtractOptions::default()).unwrap();
        let whole = normalise_with(whole, NormaliseOptions::default());
        let expected = first_contexts(&whole, &m, Span::Chars(DEFAULT_WIDTH), 3);
        // Chunks longer than any paragraph: a paragraph cut in two would cut its contexts too.
        let (_, streamed) = both(text.as_bytes(), 256, &m, Unit::Document);
        assert!(streamed.chunks > 10);
        // As JSON: block indexes (not in the output) are those within the chunk.
        let json = |c: &Vec<Vec<Concordance>>| serde_json::to_value(c).unwrap();
        assert_eq!(json(&streamed.contexts), json(&expected));
        assert!(expected.iter().any(|hits| hits.len() == 3));
    }

    #[test]
    fn invalid_utf8_is_reported_at_the_same_byte_as_the_whole_file() {
        let (_, m) = study();
        for bom in [&b""[..], b"\xEF\xBB\xBF"] {
            let mut bytes = bom.to_vec();
            bytes.extend("inform parents\n\n".repeat(40).as_bytes());
            bytes.extend(b"bad \xFF byte\n");
            let whole = text::extract("t.txt", &bytes, &ExtractOptions::default())
                .unwrap_err()
                .to_string();
            let job = Job {
                name: "t.txt",
                work: Work {
                    tally: Tally::Terms {
                        matcher: &m,
                        unit: Unit::Document,
                        contexts_per_term: 0,
                        spelling: None,
                    },
                    cleaning: NormaliseOptions::default(),
                },
            };
            let options = StreamOptions {
                threshold: 0,
                chunk_bytes: 100,
            };
            let streamed =
                count_stream(|| Ok(std::io::Cursor::new(bytes.clone())), 0, &job, options)
                    .unwrap_err()
                    .to_string();
            assert_eq!(streamed, whole);
            assert!(whole.contains("byte"), "{whole}");
        }
    }

    #[test]
    fn text_without_white_space_keeps_every_token_whole() {
        let (lex, word) = study();
        let substring = Matcher::new(&lex, Mode::Substring).unwrap();
        // Tokens separated by punctuation only, then one word of 20,000 bytes made of study
        // terms (substring mode finds them inside it), then more.
        let mut text = "partnership,inform;consult.co-operation/".repeat(300);
        text.push_str(&"partnership".repeat(2000));
        text.push_str(",inform");
        for matcher in [&word, &substring] {
            for chunk in [64, 100, 333, 4096] {
                let (whole, streamed) = both(text.as_bytes(), chunk, matcher, Unit::Document);
                assert_eq!(streamed.counts, whole, "chunk {chunk}");
                assert_eq!(whole.tokens, 300 * 4 + 2);
            }
        }
        let (whole, _) = both(text.as_bytes(), 64, &substring, Unit::Document);
        assert!(whole.counts.iter().sum::<u64>() >= 2300);
    }

    #[test]
    fn multibyte_characters_cut_by_a_read_are_completed() {
        let (_, m) = study();
        let text = "café inform naïve ½ Ōsaka partnership ".repeat(100);
        for chunk in [64, 65, 66, 67, 97] {
            let (whole, streamed) = both(text.as_bytes(), chunk, &m, Unit::Document);
            assert_eq!(streamed.counts, whole, "chunk {chunk}");
        }
    }
}
