//! Differential: the 64-bytes-at-a-time tokeniser and the word-frequency table against the
//! character-by-character tokeniser and a plain `HashMap`, on arbitrary text. Every token start,
//! end and count must agree, and every word type's count.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use termtally::frequency::{WordCounts, add_words};
use termtally::tokenise::{count_tokens, fold, for_each_token, token_end, token_spans};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let expected: Vec<(usize, usize)> = token_spans(&text).collect();
    let mut found = Vec::with_capacity(expected.len());
    let n = for_each_token(&text, |start, end| found.push((start, token_end(&text, start, end))));
    assert_eq!(found, expected);
    assert_eq!(n as usize, expected.len());
    assert_eq!(count_tokens(&text) as usize, expected.len());

    let mut counts = WordCounts::default();
    let mut folded = String::new();
    assert_eq!(add_words(&text, &mut counts, &mut folded) as usize, expected.len());
    let mut reference: HashMap<String, u64> = HashMap::new();
    for &(s, e) in &expected {
        *reference.entry(fold(&text[s..e])).or_default() += 1;
    }
    assert_eq!(counts.len(), reference.len());
    for (word, &count) in &reference {
        assert_eq!(counts.get(word), Some(count), "{word:?}");
    }
});
