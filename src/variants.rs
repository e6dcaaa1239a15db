//! Spelling variants: the other spellings of a term that documents use. "co-production" is also
//! written "coproduction" and "co production", inflected ("co-productions"), and British and
//! American spellings differ (-ise/-ize, -our/-or, -re/-er, ae/e, judgement/judgment).
//!
//! Two words are variants of each other when they have the same [`spelling_key`]: case-folded,
//! without hyphens and spaces, with those spelling alternations made alike. A term's variants are
//! the word types (of [`crate::frequency`]) whose key is that of the term or of one of its
//! regular inflections ([`crate::wordform::inflections`], as `family` mode inflects). So finding
//! them is one pass over a word-frequency table, not over the text. Spaced spellings ("co
//! production") are two words: [`spaced_candidates`] lists the two-word splits of the term for a
//! matcher to count.
//!
//! The alternations are simple rewrites, the same on both sides, so they can also make two
//! different words alike (a rare "prise"/"prize"): the variants are listed with their counts for a
//! person to judge, never counted for the term unless a lexicon says so.

use std::collections::HashMap;

use crate::document::Document;
use crate::frequency::WordCounts;
use crate::lexicon::{Lexicon, LexiconError, Located, RawLexicon, RawTerm, validate};
use crate::matcher::{Matcher, Mode};
use crate::tokenise::{
    FirstBytes, Prefixes, add_pair, fold, for_each_token, for_each_token_among, push_folded,
    token_end,
};
use crate::wordform::inflections;

/// The key two spellings of one word share (see the module documentation). `word` may be a
/// phrase; it is case-folded here.
pub fn spelling_key(word: &str) -> String {
    let mut key: String = fold(word)
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    key = key.replace("dgement", "dgment").replace("ae", "e");
    // -ise/-ize (organise, organisation), -yse/-yze (analyse).
    key = key
        .replace("isation", "ization")
        .replace("ising", "izing")
        .replace("ise", "ize")
        .replace("ysing", "yzing")
        .replace("yse", "yze");
    // -our/-or (behaviour, colour), not in the first two letters (hour, four, your).
    if let Some(tail) = key.get(2..)
        && tail.contains("our")
    {
        key = format!("{}{}", &key[..2], tail.replace("our", "or"));
    }
    // -re/-er at the end of a word (centre, centres, centred; fibre).
    for (british, american) in [
        ("tre", "ter"),
        ("tres", "ters"),
        ("tred", "tered"),
        ("bre", "ber"),
        ("bres", "bers"),
    ] {
        if let Some(stem) = key.strip_suffix(british) {
            key = format!("{stem}{american}");
            break;
        }
    }
    key
}

/// The keys of `term` and of its regular inflections (of its last word).
pub fn term_keys(term: &str) -> Vec<String> {
    let folded = fold(term.trim());
    let (head, last) = match folded.rsplit_once(' ') {
        Some((head, last)) => (format!("{head} "), last.to_string()),
        None => (String::new(), folded.clone()),
    };
    let mut keys = vec![spelling_key(&folded)];
    keys.extend(
        inflections(&last)
            .into_iter()
            .map(|i| spelling_key(&format!("{head}{i}"))),
    );
    keys.sort();
    keys.dedup();
    keys
}

/// For each key of [`term_keys`], the terms (indices into `terms`) it belongs to.
#[derive(Debug, Clone, Default)]
pub struct VariantIndex {
    by_key: HashMap<String, Vec<usize>>,
}

impl VariantIndex {
    /// The index of the keys of each of `terms`. A term with a `*` glob is left out (the glob
    /// already matches its own variants, and has no single spelling).
    pub fn new<S: AsRef<str>>(terms: &[S]) -> VariantIndex {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, term) in terms.iter().enumerate() {
            if term.as_ref().contains('*') {
                continue;
            }
            for key in term_keys(term.as_ref()) {
                let entry = by_key.entry(key).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        VariantIndex { by_key }
    }

    /// The terms `word` (a word type, case-folded) is a spelling of.
    pub fn terms_of(&self, word: &str) -> &[usize] {
        self.by_key
            .get(&spelling_key(word))
            .map_or(&[], Vec::as_slice)
    }

    /// Every (term, word type, count) of `words` (word types and their counts).
    pub fn find<'a>(
        &self,
        words: impl IntoIterator<Item = (&'a str, u64)>,
    ) -> Vec<(usize, String, u64)> {
        let mut found = Vec::new();
        for (word, count) in words {
            for &t in self.terms_of(word) {
                found.push((t, word.to_string(), count));
            }
        }
        found
    }
}

/// Two-word spellings of `term` to count in the text: its solid form (and that of each
/// inflection) split in two, the first word of at least 2 letters and the second of at least 3
/// ("co production", "co productions"); a term written as two words is itself one. They are
/// phrases, found by a matcher, since a word-frequency table does not know which words follow
/// which. Some are ordinary word sequences rather than variants ("may be" for "maybe").
pub fn spaced_candidates(term: &str) -> Vec<String> {
    let folded = fold(term.trim());
    let solid: String = folded.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let mut forms = vec![solid.clone()];
    forms.extend(inflections(&solid));
    let mut out = Vec::new();
    if folded.split(' ').count() == 2 {
        let (head, last) = folded.split_once(' ').unwrap_or_default();
        out.push(folded.clone());
        out.extend(inflections(last).into_iter().map(|i| format!("{head} {i}")));
    }
    for form in forms {
        if form.contains('\'') || !form.chars().all(char::is_alphanumeric) {
            continue;
        }
        let bounds: Vec<usize> = form.char_indices().map(|(i, _)| i).collect();
        let letters = bounds.len();
        for (k, &at) in bounds.iter().enumerate() {
            if k >= 2 && letters - k >= 3 {
                out.push(format!("{} {}", &form[..at], &form[at..]));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A lexicon of one term per phrase (labelled with the phrase), to count `phrases` with a
/// [`Matcher`] in word mode.
pub fn phrase_lexicon(phrases: &[String]) -> Result<Lexicon, LexiconError> {
    let located = |s: &str| Located::new(s.to_string(), None);
    let raw = RawLexicon {
        name: Some("spaced spellings".to_string()),
        categories: vec![(located("spaced"), "two-word spellings".to_string())],
        terms: phrases
            .iter()
            .map(|p| RawTerm {
                line: None,
                label: located(p),
                category: located("spaced"),
                forms: vec![located(p)],
                exclude: Vec::new(),
                note: None,
            })
            .collect(),
        ..RawLexicon::default()
    };
    validate(raw, "spaced spellings")
}

/// Whether `matcher` counts the whole of `text` (a word or phrase) as one hit of some term:
/// whether a lexicon form covers that spelling.
pub fn is_covered(matcher: &Matcher, text: &str) -> bool {
    matcher
        .hits(text)
        .iter()
        .any(|h| h.start == 0 && h.end == text.len())
}

/// A variant of a lexicon's forms that occurs in documents and that no form matches, for the
/// warning of `count` and `report`.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncovered {
    /// The term (index into `lexicon.terms`) whose form it is a variant of.
    pub term: usize,
    /// (spelling, occurrences), most frequent first.
    pub variants: Vec<(String, u64)>,
    /// Some of them are inflections of a form (which `family` mode counts), not only other
    /// spellings of it.
    pub inflected: bool,
}

/// The check of `count` and `report` that a lexicon's forms cover the spellings the documents
/// use. While a document is counted, [`FormVariants::add_words`] tallies the word types that
/// could be a spelling of a form (by first letter and length: a fast scan that hashes few
/// tokens); [`FormVariants::uncovered`] then makes one pass over those word types.
#[derive(Debug, Clone)]
pub struct FormVariants {
    index: VariantIndex,
    /// The term of each form (the index's term numbers are form numbers).
    form_term: Vec<usize>,
    /// The [`spelling_key`] of each form.
    form_key: Vec<String>,
    first: Option<FirstBytes>,
    /// By ASCII-lower-cased first byte: whether a token may be a spelling of a form (every
    /// byte when some key is not ASCII).
    wanted: [bool; 256],
    /// The first letters an ASCII token that may be a spelling of a form starts with
    /// ([`written_prefixes`]); `None` when some key is not ASCII.
    prefixes: Option<Prefixes>,
    /// ASCII tokens shorter or longer than these cannot have a form's key.
    min_len: usize,
    max_len: usize,
}

impl FormVariants {
    pub fn new(lexicon: &Lexicon) -> FormVariants {
        let mut forms: Vec<&str> = Vec::new();
        let mut form_term: Vec<usize> = Vec::new();
        for (t, term) in lexicon.terms.iter().enumerate() {
            for form in &term.forms {
                forms.push(form);
                form_term.push(t);
            }
        }
        let index = VariantIndex::new(&forms);
        let form_key = forms.iter().map(|f| spelling_key(f)).collect();
        let (mut min_len, mut max_len) = (usize::MAX, 0);
        let mut written = Vec::new();
        for key in index.by_key.keys() {
            min_len = min_len.min(key.len());
            max_len = max_len.max(key.len());
            written_prefixes(key, &mut written);
        }
        // A word's key can be one byte longer than the word (-tred gives -tered): "centred" (7)
        // is a spelling of "centered" (key of 8).
        let min_len = min_len.min(max_len).saturating_sub(1);
        let ascii = index.by_key.keys().all(|k| k.is_ascii());
        let mut wanted = [!ascii; 256];
        wanted[0x80..].fill(true);
        let mut pairs = [0u64; 256];
        let mut set = |a: u8, b: u8| add_pair(&mut pairs, a, b);
        let mut one_letter = false;
        for prefix in &written {
            match prefix[..] {
                [a, b, ..] => {
                    wanted[usize::from(a)] = true;
                    set(a, b);
                    // Hyphens and apostrophes may stand between a word's first two letters.
                    set(a, b'-');
                    set(a, b'\'');
                }
                [a] => {
                    wanted[usize::from(a)] = true;
                    one_letter = true;
                }
                [] => one_letter = true,
            }
        }
        let first = FirstBytes::from_table(&wanted, min_len)
            .filter(|_| ascii)
            .map(|set| {
                if one_letter {
                    set
                } else {
                    set.with_pairs(&pairs)
                }
            });
        FormVariants {
            prefixes: ascii.then(|| Prefixes::new(written.iter().map(Vec::as_slice), true)),
            first,
            wanted,
            index,
            form_term,
            form_key,
            min_len,
            // Hyphens, and the letters the alternations drop (ae, our, dgement).
            max_len: max_len + 8,
        }
    }

    /// Adds the tokens of `text` that could be a spelling of a form to `words` (case-folded).
    /// `folded` is a buffer reused across calls.
    pub fn add_words(&self, text: &str, words: &mut WordCounts, folded: &mut String) {
        if self.index.by_key.is_empty() {
            return;
        }
        let at_token = |s: usize, e: Option<usize>| self.add_token(text, s, e, None, words, folded);
        match &self.first {
            Some(first) => for_each_token_among(text, first, at_token),
            None => for_each_token(text, at_token),
        };
    }

    /// Adds the token of `text` starting at `start` (ending at `end` if known) to `words` if it
    /// could be a spelling of a form. `prefolded`: the token case-folded, if the caller has it.
    #[inline]
    fn add_token(
        &self,
        text: &str,
        start: usize,
        end: Option<usize>,
        prefolded: Option<&str>,
        words: &mut WordCounts,
        folded: &mut String,
    ) {
        let first = text.as_bytes()[start];
        if !self.wanted[usize::from(first.to_ascii_lowercase())] {
            return;
        }
        let end = token_end(text, start, end);
        let token = &text[start..end];
        if token.is_ascii()
            && (token.len() < self.min_len
                || token.len() > self.max_len
                || self
                    .prefixes
                    .as_ref()
                    .is_some_and(|p| !p.may_start(token.as_bytes())))
        {
            return;
        }
        let folded = match prefolded {
            Some(prefolded) => prefolded,
            None => {
                folded.clear();
                push_folded(token, folded);
                folded
            }
        };
        words.add(folded, 1);
    }

    /// [`FormVariants::add_words`] of every block of `doc`.
    pub fn document_words(&self, doc: &Document) -> WordCounts {
        let (mut words, mut folded) = (WordCounts::default(), String::new());
        for block in &doc.blocks {
            self.add_words(&block.text, &mut words, &mut folded);
        }
        words
    }

    /// The variants of each term's forms among `words` (word types of the documents, with their
    /// counts) that `matcher` does not count, one entry per term with any. Word types only:
    /// spaced spellings are not looked for here (`termtally variants` finds them).
    pub fn uncovered<'a>(
        &self,
        matcher: &Matcher,
        term_count: usize,
        words: impl IntoIterator<Item = (&'a str, u64)>,
    ) -> Vec<Uncovered> {
        let mut per_term: Vec<Uncovered> = (0..term_count)
            .map(|term| Uncovered {
                term,
                variants: Vec::new(),
                inflected: false,
            })
            .collect();
        for (f, word, count) in self.index.find(words) {
            let found = &mut per_term[self.form_term[f]];
            if !found.variants.iter().any(|(w, _)| *w == word) && !is_covered(matcher, &word) {
                found.inflected |= spelling_key(&word) != self.form_key[f];
                found.variants.push((word, count));
            }
        }
        per_term.retain(|u| !u.variants.is_empty());
        for u in &mut per_term {
            u.variants
                .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        per_term
    }
}

/// [`FormVariants`] tallied in the matcher's own pass over each block
/// ([`Matcher::count_block_watching`]): the spelling check then costs no second scan of the
/// text, only the hashing of its few candidate tokens.
#[derive(Debug, Clone)]
pub struct SpellingCheck<'a> {
    pub matcher: &'a Matcher,
    pub variants: &'a FormVariants,
    /// The tokens the matcher or the check wants.
    among: Option<FirstBytes>,
}

impl<'a> SpellingCheck<'a> {
    pub fn new(matcher: &'a Matcher, variants: &'a FormVariants) -> SpellingCheck<'a> {
        let among = matcher.among_with(variants.first.as_ref());
        SpellingCheck {
            matcher,
            variants,
            among,
        }
    }

    /// Counts `text` as [`Matcher::count_block`] does (returning its token count), and adds the
    /// tokens that could be a spelling of a form to `spellings`, as [`FormVariants::add_words`]
    /// does.
    pub fn count_block(
        &self,
        text: &str,
        counts: &mut [u64],
        excluded: &mut [u64],
        spellings: &mut Spellings,
    ) -> u64 {
        if self.variants.index.by_key.is_empty() {
            return self.matcher.count_block(text, counts, excluded);
        }
        let Spellings { words, folded } = spellings;
        self.matcher.count_block_watching(
            text,
            counts,
            excluded,
            self.among.as_ref(),
            |s, e, prefolded| {
                self.variants
                    .add_token(text, s, e, prefolded, words, folded);
            },
        )
    }
}

/// The candidate spellings a [`SpellingCheck`] has tallied (case-folded word types and their
/// counts), with its folding buffer.
#[derive(Debug, Clone, Default)]
pub struct Spellings {
    pub words: WordCounts,
    folded: String,
}

/// Adds to `out` the first [`Prefixes::LEN`] letters (letters and digits) that a word whose
/// [`spelling_key`] is `key` can start with: the key's own, and those the key's alternations
/// rewrite to it, undone. In a key, "e" may have been written "ae" (paediatric), "z" "s"
/// (organise), "o" "ou" (behaviour), "m" "em" (judgement), and a final "-ter", "-ber" "-tre",
/// "-bre" (centre, fibres). Undoing each wherever it could apply gives more prefixes than
/// words have, never fewer, which is all a filter needs.
fn written_prefixes(key: &str, out: &mut Vec<Vec<u8>>) {
    let letters: Vec<u8> = key.bytes().filter(u8::is_ascii_alphanumeric).collect();
    let mut keys = vec![letters.clone()];
    for (american, british) in [
        (&b"ter"[..], &b"tre"[..]),
        (b"ters", b"tres"),
        (b"tered", b"tred"),
        (b"ber", b"bre"),
        (b"bers", b"bres"),
    ] {
        if let Some(stem) = letters.strip_suffix(american) {
            keys.push([stem, british].concat());
        }
    }
    fn undo(rest: &[u8], written: &mut Vec<u8>, out: &mut Vec<Vec<u8>>) {
        let Some((&c, rest)) = rest.split_first().filter(|_| written.len() < Prefixes::LEN) else {
            written.truncate(Prefixes::LEN);
            out.push(written.clone());
            return;
        };
        let was: &[&[u8]] = match c {
            b'e' => &[b"e", b"ae"],
            b'z' => &[b"z", b"s"],
            b'o' => &[b"o", b"ou"],
            b'm' => &[b"m", b"em"],
            _ => &[&[c]],
        };
        for w in was {
            let at = written.len();
            written.extend_from_slice(w);
            undo(rest, written, out);
            written.truncate(at);
        }
    }
    for key in keys {
        undo(&key, &mut Vec::new(), out);
    }
}

/// The warnings of `count` and `report` (one line per term, see [`uncovered_warning`]) about the
/// spellings among `spellings` (tallied by [`FormVariants::add_words`]) that no form matches.
pub fn uncovered_warnings(
    lexicon: &Lexicon,
    matcher: &Matcher,
    check: &FormVariants,
    spellings: &WordCounts,
) -> Vec<String> {
    check
        .uncovered(matcher, lexicon.terms.len(), spellings.iter())
        .iter()
        .map(|found| uncovered_warning(lexicon, matcher.mode(), found))
        .collect()
}

/// The one-line warning of [`Uncovered`]: `the lexicon lists "co-production"; the documents also
/// say "coproduction" (14 times), which no form matches`, and in word mode, when some are
/// inflections, that family mode counts those.
pub fn uncovered_warning(lexicon: &Lexicon, mode: Mode, uncovered: &Uncovered) -> String {
    let term = &lexicon.terms[uncovered.term];
    let listed: Vec<String> = term.forms.iter().map(|f| format!("{f:?}")).collect();
    let said: Vec<String> = uncovered
        .variants
        .iter()
        .map(|(w, n)| format!("{w:?} ({n} {})", if *n == 1 { "time" } else { "times" }))
        .collect();
    let hint = if uncovered.inflected && mode == Mode::Word {
        " (--mode family counts inflections)"
    } else {
        ""
    };
    format!(
        "the lexicon lists {}; the documents also say {}, which no form matches{hint}",
        listed.join(", "),
        said.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_word_share_a_key() {
        let same = |a: &str, b: &str| assert_eq!(spelling_key(a), spelling_key(b), "{a} {b}");
        same("co-production", "coproduction");
        same("Co-Production", "co production");
        same("organise", "organize");
        same("organisation", "organization");
        same("organising", "organizing");
        same("analyse", "analyze");
        same("behaviour", "behavior");
        same("centre", "center");
        same("centres", "centers");
        same("paediatric", "pediatric");
        same("judgement", "judgment");
        same("acknowledgements", "acknowledgments");
        let differ = |a: &str, b: &str| assert_ne!(spelling_key(a), spelling_key(b), "{a} {b}");
        differ("hour", "hor");
        differ("your", "yor");
        differ("production", "productions");
    }

    #[test]
    fn a_terms_variants_are_the_word_types_with_its_keys() {
        let index = VariantIndex::new(&["co-production", "behaviour", "centre", "inform*"]);
        let words = [
            ("coproduction", 14),
            ("co-productions", 2),
            ("co-production", 5),
            ("production", 40),
            ("behavioural", 3),
            ("behaviors", 1),
            ("centred", 2),
            ("informed", 9),
        ];
        let mut found = index.find(words);
        found.sort();
        assert_eq!(
            found,
            [
                (0, "co-production".to_string(), 5),
                (0, "co-productions".to_string(), 2),
                (0, "coproduction".to_string(), 14),
                (1, "behaviors".to_string(), 1),
                (2, "centred".to_string(), 2),
            ]
        );
    }

    /// The spelling check in the matcher's pass must give the matcher's counts and the
    /// candidates of the separate scan ([`FormVariants::add_words`]), on random texts, in every
    /// mode and with lexicons whose first letters do and do not fit a byte mask.
    #[test]
    fn checking_in_the_matchers_pass_equals_two_passes() {
        let pool = [
            "co-production",
            "Coproduction",
            "CO PRODUCTION",
            "co-productions",
            "production",
            "behaviour",
            "Behavior",
            "behaviours",
            "centre",
            "centred",
            "organise",
            "Organize",
            "Aetiology",
            "etiology",
            "judgement",
            "in",
            "inform",
            "Information",
            "a",
            "-",
            "'",
            " ",
            "\n",
            ".",
            "é",
            "naïve",
            "İnform",
            "\u{212A}i",
            "•",
            "1",
            "x",
        ];
        let lexicons = [
            Lexicon::load("boddison-soan-2021").unwrap(),
            Lexicon::from_toml_str(
                "name = \"a\"\n[categories]\nc = \"c\"\n[[terms]]\nlabel = \"p\"\ncategory = \"c\"\nforms = [\"co-production\", \"behaviour\", \"centre\", \"organise\", \"etiology\", \"judgement\", \"naïve\", \"x\"]\n",
                "a.toml",
            )
            .unwrap(),
        ];
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        for lexicon in &lexicons {
            let variants = FormVariants::new(lexicon);
            for mode in [Mode::Word, Mode::Family, Mode::Substring] {
                let matcher = Matcher::new(lexicon, mode).unwrap();
                let check = SpellingCheck::new(&matcher, &variants);
                let n = lexicon.terms.len();
                for _ in 0..300 {
                    let words = next() % 120;
                    let text: String = (0..words)
                        .map(|_| pool[(next() % pool.len() as u64) as usize])
                        .collect();
                    let (mut counts, mut excluded) = (vec![0; n], vec![0; n]);
                    let tokens = matcher.count_block(&text, &mut counts, &mut excluded);
                    let mut expected = WordCounts::default();
                    variants.add_words(&text, &mut expected, &mut String::new());
                    let (mut counts2, mut excluded2) = (vec![0; n], vec![0; n]);
                    let mut spellings = Spellings::default();
                    let tokens2 =
                        check.count_block(&text, &mut counts2, &mut excluded2, &mut spellings);
                    assert_eq!(
                        (tokens, &counts, &excluded),
                        (tokens2, &counts2, &excluded2),
                        "{text:?}"
                    );
                    assert_eq!(spellings.words, expected, "{mode:?} {text:?}");
                }
            }
        }
    }

    /// The first-letter filters of the scan ([`written_prefixes`], the byte masks) may let
    /// through words that are no spelling of a form, never drop one that is: the variants
    /// found from the scanned candidates equal those found from every word type of the text.
    /// The text is words with the key's alternations undone at random (ae, s, ou, em, -tre),
    /// hyphens and apostrophes put in, capitals, and words cut short.
    #[test]
    fn the_scans_filters_drop_no_spelling_of_a_form() {
        let all = [
            "co-production",
            "behaviour",
            "centre",
            "organisation",
            "aetiology",
            "paediatric",
            "judgement",
            "fibres",
            "analyse",
            "o'brien",
            "ehc",
            "zeal",
        ];
        // A form of one letter turns the test of first-letter pairs off.
        let one = ["x", "centre", "ehc"];
        for (forms, masks_second) in [(&all[..], Some(true)), (&one[..], Some(false))] {
            scan_keeps_every_spelling(forms, masks_second);
        }
    }

    fn scan_keeps_every_spelling(forms: &[&str], masks_second: Option<bool>) {
        let toml = format!(
            "name = \"a\"\n[categories]\nc = \"c\"\n[[terms]]\nlabel = \"p\"\ncategory = \"c\"\nforms = [{}]\n",
            forms
                .iter()
                .map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let lexicon = Lexicon::from_toml_str(&toml, "a.toml").unwrap();
        let variants = FormVariants::new(&lexicon);
        assert_eq!(
            variants.first.as_ref().map(FirstBytes::tests_pairs),
            masks_second
        );
        let matcher = Matcher::new(&lexicon, Mode::Word).unwrap();
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        let mutate = |word: &str, next: &mut dyn FnMut() -> u64| {
            let mut out = String::new();
            for c in word.chars() {
                match (c, next() % 6) {
                    ('e', 0) => out.push_str("ae"),
                    ('z', 0) => out.push('s'),
                    ('s', 0) => out.push('z'),
                    ('o', 0) => out.push_str("ou"),
                    ('m', 0) => out.push_str("em"),
                    (c, 1) => out.extend(c.to_uppercase()),
                    (c, 2) => {
                        out.push(c);
                        out.push(['-', '\''][(next() % 2) as usize]);
                    }
                    (c, _) => out.push(c),
                }
            }
            let out = out.trim_end_matches(['-', '\'']).to_string();
            match next() % 8 {
                0 => out.replace("tre", "ter").replace("ter", "tre"),
                1 => out.chars().take((next() % 6) as usize + 1).collect(),
                _ => out,
            }
        };
        let mut text = String::new();
        for _ in 0..20_000 {
            let form = forms[(next() % forms.len() as u64) as usize];
            let base = spelling_key(form);
            let word = if next() % 2 == 0 { form } else { &base };
            text.push_str(&mutate(word, &mut next));
            text.push_str([" ", "\n", ". ", " é "][(next() % 4) as usize]);
        }
        let mut every = WordCounts::default();
        let mut folded = String::new();
        for_each_token(&text, |s, e| {
            folded.clear();
            push_folded(&text[s..token_end(&text, s, e)], &mut folded);
            every.add(&folded, 1);
        });
        let mut scanned = WordCounts::default();
        variants.add_words(&text, &mut scanned, &mut String::new());
        let n = lexicon.terms.len();
        let expected = variants.uncovered(&matcher, n, every.iter());
        assert!(expected.iter().map(|u| u.variants.len()).sum::<usize>() > 50);
        assert_eq!(variants.uncovered(&matcher, n, scanned.iter()), expected);
        assert!(
            scanned.iter().count() < every.iter().count(),
            "the filters drop some"
        );
    }

    #[test]
    fn spaced_candidates_split_the_solid_form() {
        let c = spaced_candidates("co-production");
        assert!(c.contains(&"co production".to_string()), "{c:?}");
        assert!(c.contains(&"co productions".to_string()), "{c:?}");
        assert!(c.contains(&"copro duction".to_string()), "{c:?}");
        assert!(!c.iter().any(|p| p.starts_with("c ")), "{c:?}");
        assert!(!c.iter().any(|p| p.ends_with(" on")), "{c:?}");
        let two = spaced_candidates("local offer");
        assert!(
            two.contains(&"local offer".to_string()) && two.contains(&"local offers".to_string())
        );
        let lexicon = phrase_lexicon(&c).unwrap();
        assert_eq!(lexicon.terms.len(), c.len());
    }

    #[test]
    fn a_spelling_shorter_than_every_key_is_still_found() {
        let lexicon = Lexicon::from_pattern("centered").unwrap();
        let check = FormVariants::new(&lexicon);
        let mut scanned = WordCounts::default();
        check.add_words("The centred plan.", &mut scanned, &mut String::new());
        let word_mode = Matcher::new(&lexicon, Mode::Word).unwrap();
        let found = check.uncovered(&word_mode, 1, scanned.iter());
        assert_eq!(found.len(), 1, "centred is a spelling of centered");
        assert_eq!(found[0].variants, [("centred".to_string(), 1)]);
    }

    #[test]
    fn uncovered_variants_are_named_once_per_term() {
        let lexicon = Lexicon::from_pattern("co-production").unwrap();
        let words = [
            ("coproduction", 14),
            ("co-production", 3),
            ("co-productions", 1),
        ];
        let word_mode = Matcher::new(&lexicon, Mode::Word).unwrap();
        let check = FormVariants::new(&lexicon);
        let found = check.uncovered(&word_mode, 1, words);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].variants,
            [
                ("coproduction".to_string(), 14),
                ("co-productions".to_string(), 1)
            ]
        );
        assert_eq!(
            uncovered_warning(&lexicon, Mode::Word, &found[0]),
            "the lexicon lists \"co-production\"; the documents also say \"coproduction\" (14 times), \"co-productions\" (1 time), which no form matches (--mode family counts inflections)"
        );
        assert!(found[0].inflected);
        // Family mode counts the plural: only the solid spelling is left.
        let family = Matcher::new(&lexicon, Mode::Family).unwrap();
        let found = check.uncovered(&family, 1, words);
        assert_eq!(found[0].variants, [("coproduction".to_string(), 14)]);
        assert!(!found[0].inflected);
        assert_eq!(
            uncovered_warning(&lexicon, Mode::Family, &found[0]),
            "the lexicon lists \"co-production\"; the documents also say \"coproduction\" (14 times), which no form matches"
        );
        // The scan keeps the candidate word types, in every case, and the check finds them.
        let text = "Coproduction and co-production; CO-PRODUCTIONS are production. Coproduction";
        let mut scanned = WordCounts::default();
        check.add_words(text, &mut scanned, &mut String::new());
        assert_eq!(scanned.get("coproduction"), Some(2));
        assert_eq!(scanned.get("co-productions"), Some(1));
        assert_eq!(scanned.get("and"), None, "too short to be a spelling");
        assert_eq!(
            scanned.get("production"),
            None,
            "does not start as a form does"
        );
        // The first-letters filter lets the alternations' spellings through.
        let american = Lexicon::from_toml_str(
            "name = \"a\"\n[categories]\nc = \"c\"\n[[terms]]\nlabel = \"p\"\ncategory = \"c\"\nforms = [\"pediatric\", \"etiology\"]\n",
            "a.toml",
        )
        .unwrap();
        let mut british = WordCounts::default();
        FormVariants::new(&american).add_words(
            "Paediatric aetiology",
            &mut british,
            &mut String::new(),
        );
        assert_eq!(british.get("paediatric"), Some(1));
        assert_eq!(british.get("aetiology"), Some(1));
        let found = check.uncovered(&word_mode, 1, scanned.iter());
        assert_eq!(
            found[0].variants,
            [
                ("coproduction".to_string(), 2),
                ("co-productions".to_string(), 1)
            ]
        );
    }
}
