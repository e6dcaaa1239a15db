// Shared by the format targets: run the rest of the pipeline on whatever extraction produced,
// so a document that extracts "successfully" but trips normalise or the matcher is found too.

use std::sync::OnceLock;

use termtally::document::Document;
use termtally::lexicon::Lexicon;
use termtally::matcher::{Matcher, Mode};

fn matchers() -> &'static [Matcher] {
    static MATCHERS: OnceLock<Vec<Matcher>> = OnceLock::new();
    MATCHERS.get_or_init(|| {
        let lexicon = Lexicon::load(termtally::lexicon::DEFAULT_LEXICON).expect("built-in lexicon");
        [Mode::Word, Mode::Family, Mode::Substring]
            .into_iter()
            .map(|mode| Matcher::new(&lexicon, mode).expect("built-in lexicon compiles"))
            .collect()
    })
}

/// Normalises the document and counts the default lexicon in every mode, checking that hits lie
/// on character boundaries of the text they were found in.
pub fn exercise(document: Document) {
    let document = termtally::normalise::normalise(document);
    let words = termtally::frequency::word_counts(std::slice::from_ref(&document));
    let tokens: u64 = document
        .blocks
        .iter()
        .map(|b| termtally::tokenise::count_tokens(&b.text))
        .sum();
    assert_eq!(words.total(), tokens);
    for block in &document.blocks {
        let _ = document.cite(block);
        for matcher in matchers() {
            for hit in matcher.hits(&block.text) {
                assert!(hit.start < hit.end && hit.end <= block.text.len());
                assert!(
                    block.text.is_char_boundary(hit.start) && block.text.is_char_boundary(hit.end)
                );
            }
        }
    }
}
