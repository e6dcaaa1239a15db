//! Lexicon files: the first byte picks the parser (termtally TOML, quanteda YAML, LIWC .dic),
//! the rest is the file text. A lexicon that validates is compiled for every matching mode and
//! run over a sample text, so odd forms that pass validation but break the matcher are found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use termtally::lexicon::{liwc, toml, validate, yaml};
use termtally::matcher::{Matcher, Mode};

const SAMPLE: &str = "Co-production and joint working: the local authority must consult, \
    inform and involve children's services; partners co-operate (co-operating, cooperation) \
    with health bodies. Don't, can't, won't — l'enfant, naïve café; 4.9 (a) the Act 1989.";

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let raw = match which % 3 {
        0 => toml::parse(text, "fuzz.toml"),
        1 => yaml::parse(text, "fuzz.yml"),
        _ => liwc::parse(text, "fuzz.dic"),
    };
    let Ok(raw) = raw else { return };
    let Ok(lexicon) = validate(raw, "fuzz") else {
        return;
    };
    let _ = lexicon.to_toml();
    for mode in [Mode::Word, Mode::Family, Mode::Substring] {
        if let Ok(matcher) = Matcher::new(&lexicon, mode) {
            let mut counts = vec![0u64; matcher.term_count()];
            matcher.add_counts(SAMPLE, &mut counts);
            for hit in matcher.hits(SAMPLE) {
                assert!(hit.term < lexicon.terms.len());
                assert!(SAMPLE.is_char_boundary(hit.start) && SAMPLE.is_char_boundary(hit.end));
            }
        }
    }
});
