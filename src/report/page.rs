//! The `termtally report` page's numbers, computed once for the command and for `serve`: one pass
//! over the documents (counts by page, first hits in context, file hashes) and the Change section.

use std::borrow::Borrow;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::count::{CorpusCounts, DocumentCounts, Unit, count_document};
use crate::dispersion::{TermParts, term_parts_of_counted};
use crate::document::Document;
use crate::kwic::{Concordance, DEFAULT_WIDTH, Span, first_contexts};
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Mode};
use crate::render::html::{Change, DocumentInfo};
use crate::report::diff::{ReportOptions, build_report as diff_report};

/// What the pass over one document gives: its counts by page, first hits in context, SHA-256
/// and parts.
pub type OneDocument = (
    DocumentCounts,
    Vec<Vec<Concordance>>,
    Option<String>,
    TermParts,
);

/// Hits in context shown per term and document unless `--contexts` says otherwise.
pub const DEFAULT_CONTEXTS: usize = 10;

/// What one pass over the documents gives the report.
pub struct Analysed {
    pub corpus: CorpusCounts,
    /// Each document's pages (or 10 equal parts), for the dispersion columns.
    pub parts: Vec<Option<TermParts>>,
    pub contexts: Vec<Vec<Vec<Concordance>>>,
    pub infos: Vec<DocumentInfo>,
}

/// One pass per document (in parallel): its counts by page (which also gives the
/// whole-document counts `count` reports), the first `per_term` hits of each term in context,
/// and the file's SHA-256 as `sha256_of` gives it (the command hashes the file the document's
/// name names; the web app, whose names come from the browser, the bytes it stored).
pub fn analyse<D: Borrow<Document> + Sync>(
    documents: &[D],
    matcher: &Matcher,
    per_term: usize,
    sha256_of: impl Fn(&Document) -> Option<String> + Sync,
) -> Analysed {
    let analysed: Vec<OneDocument> = documents
        .par_iter()
        .map(|doc| analyse_document(doc.borrow(), matcher, per_term, &sha256_of))
        .collect();
    let mut all = Analysed::new();
    for one in analysed {
        all.add(one);
    }
    all.finish(matcher)
}

/// The pass of [`analyse`] over one document, for a command that reads the documents a few at
/// a time (`termtally report`, through the bounded pipeline) and adds each with
/// [`Analysed::add`]: only the counts and the excerpts shown are kept, not the texts.
pub fn analyse_document(
    doc: &Document,
    matcher: &Matcher,
    per_term: usize,
    sha256_of: impl Fn(&Document) -> Option<String>,
) -> OneDocument {
    let by_page = count_document(doc, matcher, Unit::Page);
    let parts = term_parts_of_counted(doc, &by_page, matcher);
    (
        by_page,
        first_contexts(doc, matcher, Span::Chars(DEFAULT_WIDTH), per_term),
        sha256_of(doc),
        parts,
    )
}

impl Default for Analysed {
    fn default() -> Analysed {
        Analysed::new()
    }
}

impl Analysed {
    /// No document yet.
    pub fn new() -> Analysed {
        Analysed {
            corpus: CorpusCounts::from_documents(Vec::new(), 0),
            parts: Vec::new(),
            contexts: Vec::new(),
            infos: Vec::new(),
        }
    }

    /// One document's pass added, in the input order.
    pub fn add(&mut self, (counts, firsts, sha256, of_document): OneDocument) {
        self.parts.push(Some(of_document));
        self.infos.push(DocumentInfo {
            name: counts.name.clone(),
            format: counts.format,
            pages: counts.pages,
            words: counts.tokens,
            sha256,
        });
        self.corpus.documents.push(counts);
        self.contexts.push(firsts);
    }

    /// The corpus totals of the documents added.
    pub fn finish(mut self, matcher: &Matcher) -> Analysed {
        let documents = std::mem::take(&mut self.corpus.documents);
        self.corpus = CorpusCounts::from_documents(documents, matcher.term_count());
        self
    }
}

/// The Change section: `diff`'s report of the first `side_sizes[0]` documents (OLD) against the
/// rest (NEW).
pub fn change_of(
    lexicon: &Lexicon,
    corpus: &CorpusCounts,
    mode: Mode,
    side_sizes: &[usize],
) -> Change {
    if side_sizes.contains(&0) {
        let side = if side_sizes[0] == 0 { "OLD" } else { "NEW" };
        return Change::Unavailable(format!(
            "No {side} document could be read, so there is nothing to compare."
        ));
    }
    let (old, new) = corpus.documents.split_at(side_sizes[0]);
    let side =
        |docs: &[DocumentCounts]| CorpusCounts::from_documents(docs.to_vec(), corpus.counts.len());
    let (old, new) = (side(old), side(new));
    // `termtally diff`'s defaults, so the numbers are those of `diff --old ... --new ...`.
    let options = ReportOptions::defaults(mode);
    Change::Compared {
        table: diff_report(lexicon, &options, &old, &new, None),
        old: old.documents.iter().map(|d| d.name.clone()).collect(),
        new: new.documents.iter().map(|d| d.name.clone()).collect(),
    }
}

/// The SHA-256 of the file `name` names (`None` for standard input or an unreadable file).
pub fn file_sha256(name: &str) -> Option<String> {
    if name == "-" {
        return None;
    }
    std::fs::read(name).ok().map(|bytes| hex_sha256(&bytes))
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What cleaning removed from the text before counting, in plain words.
pub fn cleaning_note(
    keep_headers: bool,
    include_commentaries: bool,
    include_amendments: bool,
) -> String {
    let mut note = String::from(
        "Text was taken from each file as termtally extract gives it; characters were normalised \
         (Unicode NFKC: ligatures such as \"ﬁ\" become \"fi\"; typographic apostrophes and hyphens \
         made plain), and words broken across lines by a hyphen were rejoined as the document \
         spells them elsewhere. ",
    );
    note.push_str(if keep_headers {
        "Running headers, footers and page numbers were KEPT (--keep-headers)."
    } else {
        "Removed: running headers and footers (lines repeated at the top or bottom of at least \
         40% of pages) and bare page numbers, so they do not inflate the counts."
    });
    if include_commentaries {
        note.push_str(" Legislation: editorial annotations (Commentaries) included.");
    }
    if include_amendments {
        note.push_str(" Legislation: quoted amendment text included.");
    }
    note
}

/// When the report was made: `SOURCE_DATE_EPOCH` (reproducible builds) if set, else now; as
/// "2026-12-01 23:14 UTC".
pub fn generated_at() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    utc_timestamp(epoch)
}

/// Seconds since 1970 as "YYYY-MM-DD HH:MM UTC" (Hinnant's civil-from-days algorithm: one date
/// for a footer does not justify a date-time dependency).
fn utc_timestamp(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// `arg` quoted for a POSIX shell when it needs it (the Method section's command).
pub fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_round_trips_awkward_names() {
        assert_eq!(shell_quote("report.html"), "report.html");
        assert_eq!(shell_quote("my file.pdf"), "'my file.pdf'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn timestamps_are_civil_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00 UTC");
        // date -u -d @1709251199: Thu Feb 29 23:59:59 UTC 2024 (a leap day).
        assert_eq!(utc_timestamp(1_709_251_199), "2024-02-29 23:59 UTC");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_timestamp(-86_400), "1969-12-31 00:00 UTC");
    }
}
