//! The `termtally report` page's numbers, computed once for the command and for `serve`: one pass
//! over the documents (counts by page, first hits in context, file hashes) and the Change section.

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
type OneDocument = (
    DocumentCounts,
    Vec<Vec<Concordance>>,
    Option<String>,
    TermParts,
);

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
/// and the file's SHA-256.
pub fn analyse(documents: &[Document], matcher: &Matcher, per_term: usize) -> Analysed {
    let analysed: Vec<OneDocument> = documents
        .par_iter()
        .map(|doc| {
            let by_page = count_document(doc, matcher, Unit::Page);
            let parts = term_parts_of_counted(doc, &by_page, matcher);
            (
                by_page,
                first_contexts(doc, matcher, Span::Chars(DEFAULT_WIDTH), per_term),
                file_sha256(&doc.name),
                parts,
            )
        })
        .collect();
    let mut counted = Vec::with_capacity(analysed.len());
    let mut contexts = Vec::with_capacity(analysed.len());
    let mut infos = Vec::with_capacity(analysed.len());
    let mut parts = Vec::with_capacity(analysed.len());
    for (counts, firsts, sha256, of_document) in analysed {
        parts.push(Some(of_document));
        infos.push(DocumentInfo {
            name: counts.name.clone(),
            format: counts.format,
            pages: counts.pages,
            words: counts.tokens,
            sha256,
        });
        counted.push(counts);
        contexts.push(firsts);
    }
    Analysed {
        corpus: CorpusCounts::from_documents(counted, matcher.term_count()),
        parts,
        contexts,
        infos,
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
