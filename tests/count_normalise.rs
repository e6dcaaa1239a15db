//! The matcher sees normalised text: ligatures, hyphen and apostrophe variants and line-end
//! hyphenation in the extracted text must not change what is counted.

use termtally::count::{Unit, count_document};
use termtally::lexicon::Lexicon;
use termtally::matcher::{Matcher, Mode};
use termtally::normalise::normalise;
use termtally::{Block, Document, Format};

const LEXICON: &str = r#"
name = "normalise test"
[categories]
c = "test"
[[terms]]
label = "Co-operation"
category = "c"
forms = ["co-operation"]
[[terms]]
label = "cooperation"
category = "c"
forms = ["cooperation"]
[[terms]]
label = "parent's"
category = "c"
forms = ["parent's"]
[[terms]]
label = "final"
category = "c"
forms = ["final"]
"#;

fn counts(raw: &str, mode: Mode) -> Vec<u64> {
    let mut doc = Document::new("raw.txt", Format::Text);
    doc.blocks = vec![Block {
        page: Some(1),
        text: raw.to_string(),
        ..Block::default()
    }];
    let doc = normalise(doc);
    let lexicon = Lexicon::from_toml_str(LEXICON, "test.toml").unwrap();
    let matcher = Matcher::new(&lexicon, mode).unwrap();
    count_document(&doc, &matcher, Unit::Document).counts
}

#[test]
fn typographic_variants_count_as_the_plain_form() {
    let raw = "Co\u{2010}operation, co\u{2011}operation and CO-OPERATION; \
               the parent\u{2019}s view, the parent's view; the \u{FB01}nal plan, the final plan.";
    assert_eq!(counts(raw, Mode::Word), [3, 0, 2, 2]);
    assert_eq!(counts(raw, Mode::Substring), [3, 0, 2, 2]);
}

#[test]
fn soft_hyphens_disappear() {
    assert_eq!(counts("co\u{00AD}operation", Mode::Word), [0, 1, 0, 0]);
}
