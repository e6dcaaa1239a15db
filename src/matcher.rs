//! Stage 4: finds the hits of a lexicon's forms in normalised text, under one explicit mode.
//!
//! `count` and `kwic` both read hits from here, so a concordance line exists for every counted hit.
//!
//! - `word` / `family`: the text is tokenised ([`crate::tokenise`]) in the same pass that counts
//!   its tokens; a token whose first letter starts no form is skipped at once, the others are
//!   case-folded into a reused buffer and looked up in a hash map of the lexicon's words (no
//!   allocation per token). `*` words are matched per token (`prefix*` by prefix look-up).
//!   Forms of several words match consecutive tokens separated only by white space. At each token
//!   the longest matching form of the whole lexicon wins (in tokens; ties: explicit forms before
//!   `family` inflections, forms without `*` before forms with it, more literal characters, then
//!   lexicon order), and matching resumes after it: every token counts for at most one term.
//! - `substring`: one Aho-Corasick automaton over the case-folded text reports every occurrence of
//!   every form; each term then keeps its leftmost-longest non-overlapping occurrences. Terms are
//!   independent of each other, so their counts overlap ("inform" inside "information"). In a
//!   form, `*` matches letters and digits greedily: "collaborat*" takes the rest of the word,
//!   "*tion" starts at the beginning of the word holding "tion".

use std::cmp::Reverse;

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use crate::lexicon::{Lexicon, parse_form};
use crate::tokenise::{
    FirstBytes, PairSet, Prefixes, TokenSpans, add_pair, count_tokens, fold, for_each_token,
    for_each_token_among, has_pair, push_folded, token_end,
};
use crate::wordform::glob_matches;
pub use crate::wordform::inflections;

/// How lexicon forms are matched against the text (see [`Mode::description`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Whole words.
    #[default]
    Word,
    /// Whole words and their regular inflections.
    Family,
    /// Anywhere in the text, ignoring word boundaries.
    Substring,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Word, Mode::Family, Mode::Substring];

    /// What the mode matches, in one paragraph (shown by `--help`).
    pub fn description(self) -> &'static str {
        match self {
            Mode::Word => {
                "Whole words, case-insensitive: \"inform\" matches \"Inform\" but not \"informed\" or \
                 \"information\" (nor the possessive \"partnership's\", one word); multi-word forms \
                 match consecutive words; `*` matches any letters or digits inside a word; each word \
                 counts for one term at most (\"must not\" is not also \"must\")"
            }
            Mode::Family => {
                "As word, plus the regular inflections of single-word forms: -s/-es, -'s, -ed/-d, \
                 -ing (with silent-e drop, y to ies/ied and consonant doubling): \"involve\" also \
                 matches \"involves\", \"involved\", \"involving\"; never derivations (\"inform\" does \
                 not match \"information\"). A form listed explicitly under another term wins"
            }
            Mode::Substring => {
                "Case-insensitive occurrences anywhere, ignoring word boundaries, as a PDF viewer's \
                 Find box reports them: \"inform\" also counts inside \"information\". Terms overlap \
                 in this mode"
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Word => "word",
            Mode::Family => "family",
            Mode::Substring => "substring",
        }
    }

    /// Whether one stretch of text can count for several terms (so totals double count).
    pub fn terms_overlap(self) -> bool {
        self == Mode::Substring
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One occurrence of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hit {
    /// Index into `lexicon.terms`.
    pub term: usize,
    /// Byte offsets into the text that was searched (char boundaries).
    pub start: usize,
    pub end: usize,
}

/// A lexicon compiled for one mode.
#[derive(Debug, Clone)]
pub struct Matcher {
    mode: Mode,
    term_count: usize,
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    Words(Box<WordMatcher>),
    Substrings(SubstringMatcher),
}

impl Matcher {
    /// Compiles the forms of `lexicon` for `mode`.
    pub fn new(lexicon: &Lexicon, mode: Mode) -> anyhow::Result<Matcher> {
        let inner = match mode {
            Mode::Word => Inner::Words(Box::new(WordMatcher::new(lexicon, false)?)),
            Mode::Family => Inner::Words(Box::new(WordMatcher::new(lexicon, true)?)),
            Mode::Substring => Inner::Substrings(SubstringMatcher::new(lexicon)?),
        };
        Ok(Matcher {
            mode,
            term_count: lexicon.terms.len(),
            inner,
        })
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Number of terms (the length of per-term count vectors).
    pub fn term_count(&self) -> usize {
        self.term_count
    }

    /// Calls `f` for every hit in `text`, in text order (by start, then term), with `true` for
    /// a hit excluded by one of its term's exclusion phrases (not counted).
    pub fn for_each_occurrence(&self, text: &str, f: impl FnMut(Hit, bool)) {
        match &self.inner {
            Inner::Words(m) => {
                m.scan(text, true, f);
            }
            Inner::Substrings(m) => m.for_each_occurrence(text, f),
        }
    }

    /// Calls `f` for every counted hit in `text`, in text order (by start, then term).
    pub fn for_each_hit(&self, text: &str, mut f: impl FnMut(Hit)) {
        self.for_each_occurrence(text, |h, excluded| {
            if !excluded {
                f(h);
            }
        });
    }

    /// Every hit in `text` excluded by an exclusion phrase of its term, in text order.
    pub fn excluded_hits(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.for_each_occurrence(text, |h, excluded| {
            if excluded {
                hits.push(h);
            }
        });
        hits
    }

    /// Every hit in `text`, in text order.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.for_each_hit(text, |h| hits.push(h));
        hits
    }

    /// Adds the number of hits of each term in `text` to `counts` (indexed by term).
    pub fn add_counts(&self, text: &str, counts: &mut [u64]) {
        self.for_each_hit(text, |h| counts[h.term] += 1);
    }

    /// Adds the hits of each term in `text` to `counts` and returns the number of word tokens
    /// in `text` ([`crate::tokenise::count_tokens`]), in one pass over the text where the mode
    /// allows it.
    ///
    /// Hits excluded by an exclusion phrase are added to `excluded` instead.
    pub fn count_block(&self, text: &str, counts: &mut [u64], excluded: &mut [u64]) -> u64 {
        let add = tally_into(counts, excluded);
        match &self.inner {
            Inner::Words(m) => m.scan(text, true, add),
            Inner::Substrings(m) => {
                m.for_each_occurrence(text, add);
                count_tokens(text)
            }
        }
    }

    /// As [`Matcher::count_block`], and calls `watch(start, end, folded)` for the tokens a second
    /// count wants (the spelling check of `count`; `folded` is the token case-folded when the
    /// matcher folded it), in the same pass over the text: for every token
    /// [`for_each_token_among`] passes on with `among` (every token when `None`). `among` comes
    /// from [`Matcher::among_with`], which lets through every token the matcher wants too.
    pub fn count_block_watching(
        &self,
        text: &str,
        counts: &mut [u64],
        excluded: &mut [u64],
        among: Option<&FirstBytes>,
        mut watch: impl FnMut(usize, Option<usize>, Option<&str>),
    ) -> u64 {
        let add = tally_into(counts, excluded);
        match &self.inner {
            Inner::Words(m) => m.scan_among(text, true, among, add, |s, e, folded| {
                watch(s, Some(e), folded);
            }),
            Inner::Substrings(m) => {
                m.for_each_occurrence(text, add);
                let watch = |s, e| watch(s, e, None);
                match among {
                    Some(among) => for_each_token_among(text, among, watch),
                    None => for_each_token(text, watch),
                }
            }
        }
    }

    /// The first bytes for [`Matcher::count_block_watching`]: the tokens a second count wants
    /// (`wanted`; `None` for every token) and those the matcher wants. `None` (every token)
    /// when either wants every token.
    pub fn among_with(&self, wanted: Option<&FirstBytes>) -> Option<FirstBytes> {
        match &self.inner {
            Inner::Words(m) => Some(m.first_byte_set.as_ref()?.union(wanted?)),
            Inner::Substrings(_) => wanted.cloned(),
        }
    }
}

/// Adds each hit to `counts`, or to `excluded` when an exclusion phrase of its term holds it.
fn tally_into<'a>(counts: &'a mut [u64], excluded: &'a mut [u64]) -> impl FnMut(Hit, bool) + 'a {
    |h: Hit, was_excluded: bool| {
        if was_excluded {
            excluded[h.term] += 1;
        } else {
            counts[h.term] += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// word and family modes

/// One word of a compiled form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum WordPat {
    /// Index into `WordMatcher::words` (a case-folded literal word).
    Literal(u32),
    /// Index into `WordMatcher::globs`.
    Glob(u32),
}

#[derive(Debug, Clone)]
struct CompiledForm {
    term: u32,
    words: Vec<WordPat>,
    /// Priority among forms matching at the same token; larger wins.
    rank: (usize, bool, Reverse<usize>, usize, Reverse<usize>),
    /// For an exclusion phrase: the terms that list it (the hits of those terms inside it are
    /// excluded). Empty for a form.
    excluding: Vec<u32>,
}

#[derive(Debug, Clone)]
struct WordMatcher {
    /// Case-folded literal word -> word id.
    literal_ids: FxHashMap<Box<str>, u32>,
    /// Word id -> case-folded literal word.
    literal_words: Vec<Box<str>>,
    /// Byte-length range of literal words, to skip hashing tokens that cannot match.
    min_len: usize,
    max_len: usize,
    /// Glob word patterns (case-folded, with `*`).
    globs: Vec<Box<str>>,
    /// `prefix*` globs by prefix: the common LIWC shape, looked up per token prefix.
    prefix_globs: FxHashMap<Box<str>, Vec<u32>>,
    prefix_len_max: usize,
    /// All other globs, tried one by one.
    other_globs: Vec<u32>,
    forms: Vec<CompiledForm>,
    /// Forms by first word.
    starting_with_literal: Vec<Vec<u32>>,
    starting_with_glob: Vec<Vec<u32>>,
    multi_word: bool,
    /// By the (ASCII-lower-cased) first byte of a token: whether any form can start with it.
    first_bytes: [bool; 256],
    /// By the (ASCII-lower-cased) first two bytes of a token, when both are ASCII: whether any
    /// form can start with them (a bit set of 128 x 128). `None` when a form's first word is
    /// shorter than two characters or has `*` among them, so that no pair can be ruled out.
    first_pairs: Option<Box<PairSet>>,
    /// `first_bytes` and `first_pairs` for the scan, to skip the other tokens 64 bytes at a time.
    first_byte_set: Option<FirstBytes>,
    /// The prefixes of forms' first words, when they are all literal and ASCII.
    first_prefixes: Option<Prefixes>,
}

impl WordMatcher {
    fn new(lexicon: &Lexicon, family: bool) -> anyhow::Result<WordMatcher> {
        let mut m = WordMatcher {
            literal_ids: FxHashMap::default(),
            literal_words: Vec::new(),
            min_len: usize::MAX,
            max_len: 0,
            globs: Vec::new(),
            prefix_globs: FxHashMap::default(),
            prefix_len_max: 0,
            other_globs: Vec::new(),
            forms: Vec::new(),
            starting_with_literal: Vec::new(),
            starting_with_glob: Vec::new(),
            multi_word: false,
            first_bytes: [false; 256],
            first_pairs: None,
            first_byte_set: None,
            first_prefixes: None,
        };
        let mut glob_ids: FxHashMap<String, u32> = FxHashMap::default();
        // Explicit single-word literal forms, which inflections never override.
        let mut explicit_single: FxHashMap<String, ()> = FxHashMap::default();
        let mut order = 0usize;
        for (term, t) in lexicon.terms.iter().enumerate() {
            for form in &t.forms {
                let words = parse_form(form).map_err(|why| {
                    anyhow::anyhow!("{}: term {:?}: {why}", lexicon.origin, t.label)
                })?;
                let mut pats = Vec::with_capacity(words.len());
                let mut stars = 0;
                let mut literal_chars = 0;
                for w in &words {
                    if w.has_wildcard() {
                        stars += w.folded.matches('*').count();
                        literal_chars += w.folded.len() - w.folded.matches('*').count();
                        let next = glob_ids.len() as u32;
                        let id = *glob_ids.entry(w.folded.clone()).or_insert(next);
                        if id == next {
                            m.globs.push(w.folded.clone().into_boxed_str());
                        }
                        pats.push(WordPat::Glob(id));
                    } else {
                        literal_chars += w.folded.len();
                        pats.push(WordPat::Literal(m.word_id(&w.folded)));
                    }
                }
                if pats.len() == 1 && stars == 0 {
                    explicit_single.insert(words[0].folded.clone(), ());
                }
                m.multi_word |= pats.len() > 1;
                let rank = (
                    pats.len(),
                    true,
                    Reverse(stars),
                    literal_chars,
                    Reverse(order),
                );
                order += 1;
                m.forms.push(CompiledForm {
                    term: term as u32,
                    words: pats,
                    rank,
                    excluding: Vec::new(),
                });
            }
        }
        let first_exclusion = m.forms.len();
        m.add_exclusions(lexicon);
        if family {
            m.add_inflections(&explicit_single, order, first_exclusion);
        }
        m.index_forms();
        Ok(m)
    }

    /// Every term's exclusion phrases, one compiled form per distinct phrase listing the terms
    /// that exclude it. They rank after every form of the same length (a term that lists the
    /// phrase as a form keeps it), before shorter ones (so the phrase's words are not offered to
    /// other terms).
    fn add_exclusions(&mut self, lexicon: &Lexicon) {
        let mut by_words: FxHashMap<Vec<WordPat>, usize> = FxHashMap::default();
        for (term, t) in lexicon.terms.iter().enumerate() {
            for phrase in &t.exclude {
                let Ok(words) = parse_form(phrase) else {
                    continue; // validated when the lexicon was loaded
                };
                let pats: Vec<WordPat> = words
                    .iter()
                    .map(|w| WordPat::Literal(self.word_id(&w.folded)))
                    .collect();
                self.push_exclusion(&mut by_words, pats, term as u32);
            }
        }
    }

    fn push_exclusion(
        &mut self,
        by_words: &mut FxHashMap<Vec<WordPat>, usize>,
        pats: Vec<WordPat>,
        term: u32,
    ) {
        if let Some(&i) = by_words.get(&pats) {
            if !self.forms[i].excluding.contains(&term) {
                self.forms[i].excluding.push(term);
            }
            return;
        }
        self.multi_word |= pats.len() > 1;
        let literal_chars = pats
            .iter()
            .map(|&p| match p {
                WordPat::Literal(id) => self.word_text(id).len(),
                WordPat::Glob(_) => 0,
            })
            .sum();
        let rank = (
            pats.len(),
            false,
            Reverse(0),
            literal_chars,
            Reverse(usize::MAX / 2 + self.forms.len()),
        );
        by_words.insert(pats.clone(), self.forms.len());
        self.forms.push(CompiledForm {
            term,
            words: pats,
            rank,
            excluding: vec![term],
        });
    }

    /// `--mode family`: the inflections of explicit single-word literal forms, ranked after
    /// every explicit form (`order` is the next rank), and of the last word of exclusions
    /// (the forms from `first_exclusion` on).
    fn add_inflections(
        &mut self,
        explicit_single: &FxHashMap<String, ()>,
        mut order: usize,
        first_exclusion: usize,
    ) {
        self.inflect_exclusions(first_exclusion);
        // Inflections of explicit single-word literal forms, in lexicon order; an explicit
        // form anywhere, or an earlier term's inflection, keeps the word.
        let mut generated: FxHashMap<String, ()> = FxHashMap::default();
        let bases: Vec<(u32, String)> = self
            .forms
            .iter()
            .filter(|f| f.words.len() == 1 && f.rank.2 == Reverse(0) && f.excluding.is_empty())
            .filter_map(|f| match f.words[0] {
                WordPat::Literal(id) => Some((f.term, self.word_text(id).to_string())),
                WordPat::Glob(_) => None,
            })
            .collect();
        for (term, base) in bases {
            for variant in inflections(&base) {
                if explicit_single.contains_key(&variant) || generated.contains_key(&variant) {
                    continue;
                }
                generated.insert(variant.clone(), ());
                let id = self.word_id(&variant);
                let rank = (1, false, Reverse(0), variant.len(), Reverse(order));
                order += 1;
                self.forms.push(CompiledForm {
                    term,
                    words: vec![WordPat::Literal(id)],
                    rank,
                    excluding: Vec::new(),
                });
            }
        }
    }

    /// Family mode: an exclusion's last word inflects as a form's word does ("local area
    /// partnership" also excludes "local area partnerships" and "local area partnership's").
    fn inflect_exclusions(&mut self, first_exclusion: usize) {
        let mut by_words: FxHashMap<Vec<WordPat>, usize> = self.forms[first_exclusion..]
            .iter()
            .enumerate()
            .map(|(i, f)| (f.words.clone(), first_exclusion + i))
            .collect();
        let exclusions: Vec<(Vec<WordPat>, Vec<u32>)> = self.forms[first_exclusion..]
            .iter()
            .map(|f| (f.words.clone(), f.excluding.clone()))
            .collect();
        for (words, terms) in exclusions {
            let Some(&WordPat::Literal(last)) = words.last() else {
                continue;
            };
            for variant in inflections(self.word_text(last)) {
                let mut pats = words.clone();
                *pats.last_mut().expect("an exclusion has words") =
                    WordPat::Literal(self.word_id(&variant));
                for &term in &terms {
                    self.push_exclusion(&mut by_words, pats.clone(), term);
                }
            }
        }
    }

    /// The indexes `hits` looks forms up by: forms by first word, the possible first bytes,
    /// globs by literal prefix.
    fn index_forms(&mut self) {
        self.starting_with_literal = vec![Vec::new(); self.literal_ids.len()];
        self.starting_with_glob = vec![Vec::new(); self.globs.len()];
        for (i, f) in self.forms.iter().enumerate() {
            match f.words[0] {
                WordPat::Literal(id) => self.starting_with_literal[id as usize].push(i as u32),
                WordPat::Glob(id) => self.starting_with_glob[id as usize].push(i as u32),
            }
        }
        // Tokens starting with a non-ASCII character may fold to anything.
        self.first_bytes[0x80..].fill(true);
        for f in &self.forms {
            let first = match f.words[0] {
                WordPat::Literal(id) => self.literal_words[id as usize].as_bytes()[0],
                WordPat::Glob(id) => self.globs[id as usize].as_bytes()[0],
            };
            if first == b'*' {
                self.first_bytes.fill(true);
            } else {
                self.first_bytes[first as usize] = true;
            }
        }
        self.first_pairs = self.first_pairs();
        self.first_byte_set = FirstBytes::from_table(&self.first_bytes, self.min_first_word_len())
            .map(|set| match &self.first_pairs {
                Some(pairs) => set.with_pairs(pairs),
                None => set,
            });
        self.first_prefixes = self.first_prefixes();
        for (id, g) in self.globs.iter().enumerate() {
            // `strip_suffix`, not slicing off the last byte: a glob such as "caf*é" ends in a
            // multi-byte character (found by fuzzing).
            if let Some(body) = g.strip_suffix('*').filter(|body| !body.contains('*')) {
                self.prefix_globs
                    .entry(body.into())
                    .or_default()
                    .push(id as u32);
                self.prefix_len_max = self.prefix_len_max.max(body.len());
            } else {
                self.other_globs.push(id as u32);
            }
        }
    }

    /// The bit set of [`WordMatcher::first_pairs`]. A form's first two folded bytes are ASCII
    /// only if the token's are (ASCII folds to ASCII, and tokens with a non-ASCII byte among
    /// their first two always pass), so forms whose first two bytes are not ASCII add nothing.
    fn first_pairs(&self) -> Option<Box<PairSet>> {
        let mut pairs = Box::new([0u64; 256]);
        for f in &self.forms {
            let first = match f.words[0] {
                WordPat::Literal(id) => self.word_text(id),
                WordPat::Glob(id) => &self.globs[id as usize],
            };
            match first.as_bytes() {
                [a, b, ..] if *a != b'*' && *b != b'*' => {
                    if a.is_ascii() && b.is_ascii() {
                        add_pair(&mut pairs, *a, *b);
                    }
                }
                _ => return None,
            }
        }
        Some(pairs)
    }

    /// The [`Prefixes`] of forms' first words: `None` with a glob (whose first word has no one
    /// spelling) or a word that is not ASCII (a token may fold to it from anything).
    fn first_prefixes(&self) -> Option<Prefixes> {
        let mut firsts = Vec::new();
        for f in &self.forms {
            match f.words[0] {
                WordPat::Literal(id) if self.word_text(id).is_ascii() => {
                    firsts.push(self.word_text(id).as_bytes());
                }
                _ => return None,
            }
        }
        Some(Prefixes::new(firsts, false))
    }

    /// The fewest bytes a token can have and still be the first word of a form (`*` may match
    /// nothing).
    fn min_first_word_len(&self) -> usize {
        self.forms
            .iter()
            .map(|f| match f.words[0] {
                WordPat::Literal(id) => self.word_text(id).len(),
                WordPat::Glob(id) => self.globs[id as usize].replace('*', "").len(),
            })
            .min()
            .unwrap_or(0)
    }

    fn word_id(&mut self, folded: &str) -> u32 {
        if let Some(&id) = self.literal_ids.get(folded) {
            return id;
        }
        let id = self.literal_ids.len() as u32;
        self.literal_ids.insert(folded.into(), id);
        self.literal_words.push(folded.into());
        self.min_len = self.min_len.min(folded.len());
        self.max_len = self.max_len.max(folded.len());
        id
    }

    fn word_text(&self, id: u32) -> &str {
        &self.literal_words[id as usize]
    }

    #[inline]
    fn literal_id(&self, folded: &str) -> Option<u32> {
        if folded.len() < self.min_len || folded.len() > self.max_len {
            return None;
        }
        self.literal_ids.get(folded).copied()
    }

    /// Calls `f` with the id of every glob matching the folded token.
    fn for_each_glob(&self, folded: &str, mut f: impl FnMut(u32)) {
        if !self.prefix_globs.is_empty() {
            // `*` matches letters and digits only, so the prefix must reach past the last joiner.
            let tail_start = folded.rfind(['-', '\'']).map_or(0, |i| i + 1);
            let upto = self.prefix_len_max.min(folded.len());
            for (k, _) in folded
                .char_indices()
                .chain(std::iter::once((folded.len(), ' ')))
            {
                if k > upto {
                    break;
                }
                if k < tail_start {
                    continue;
                }
                if let Some(ids) = self.prefix_globs.get(&folded[..k]) {
                    ids.iter().for_each(|&id| f(id));
                }
            }
        }
        for &id in &self.other_globs {
            if glob_matches(&self.globs[id as usize], folded) {
                f(id);
            }
        }
    }

    fn word_matches(&self, pat: WordPat, folded: &str) -> bool {
        match pat {
            WordPat::Literal(id) => self.literal_id(folded) == Some(id),
            WordPat::Glob(id) => glob_matches(&self.globs[id as usize], folded),
        }
    }

    /// The best form starting at the token `(start, end)` whose case-folded text is `folded`;
    /// `following` yields the tokens after it. Returns (form index, end of its last token).
    fn best_at(
        &self,
        text: &str,
        end: usize,
        following: &TokenSpans<'_>,
        folded: &str,
        scratch: &mut Scratch,
    ) -> Option<(u32, usize)> {
        let mut best: Option<(u32, usize)> = None;
        let with_exclusions = scratch.with_exclusions;
        let mut consider = |form_idx: u32, word: &mut String| {
            let form = &self.forms[form_idx as usize];
            if !with_exclusions && !form.excluding.is_empty() {
                return;
            }
            if let Some((b, _)) = best {
                if self.forms[b as usize].rank >= form.rank {
                    return;
                }
            }
            let mut last_end = end;
            if form.words.len() > 1 {
                let mut rest = following.clone();
                for &pat in &form.words[1..] {
                    let Some((s, e)) = rest.next() else { return };
                    if !text[last_end..s].chars().all(char::is_whitespace) {
                        return;
                    }
                    word.clear();
                    push_folded(&text[s..e], word);
                    if !self.word_matches(pat, word) {
                        return;
                    }
                    last_end = e;
                }
            }
            best = Some((form_idx, last_end));
        };
        if let Some(id) = self.literal_id(folded) {
            for &f in &self.starting_with_literal[id as usize] {
                consider(f, &mut scratch.word);
            }
        }
        if !self.globs.is_empty() {
            scratch.globs.clear();
            self.for_each_glob(folded, |g| scratch.globs.push(g));
            for &g in &scratch.globs {
                for &f in &self.starting_with_glob[g as usize] {
                    consider(f, &mut scratch.word);
                }
            }
        }
        best
    }

    /// Whether a token whose first two bytes are `first` and `second` can start a form: a cheap
    /// test on bytes that rejects most tokens before they are delimited, folded or hashed.
    #[inline(always)]
    fn may_start_form(&self, first: u8, second: Option<u8>) -> bool {
        if !self.first_bytes[first.to_ascii_lowercase() as usize] {
            return false;
        }
        match (&self.first_pairs, second) {
            (Some(pairs), Some(second)) if first.is_ascii() && second.is_ascii() => has_pair(
                pairs,
                first.to_ascii_lowercase(),
                second.to_ascii_lowercase(),
            ),
            _ => true,
        }
    }

    /// The hits in `text` with exclusions left out of matching: those an exclusion phrase's
    /// occurrence holds.
    fn hits_ignoring_exclusions(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.scan(text, false, |h, _| hits.push(h));
        hits
    }

    /// Calls `f` for every hit (with `true` for a hit excluded by an exclusion phrase of its
    /// term) and returns the number of tokens in `text`.
    ///
    /// Tokens come from [`for_each_token_among`] (64 bytes at a time); only tokens that
    /// pass [`Self::may_start_form`] are delimited, folded and looked up.
    fn scan(&self, text: &str, with_exclusions: bool, f: impl FnMut(Hit, bool)) -> u64 {
        let among = self.first_byte_set.as_ref();
        self.scan_among(text, with_exclusions, among, f, |_, _, _| {})
    }

    /// [`Self::scan`] with the tokens passed on by `among` (which must let through all those
    /// of `self.first_byte_set`) also given to `watch`, each after it is matched, with its
    /// case-folded text when the matcher folded it (so a second count need not fold it again).
    fn scan_among(
        &self,
        text: &str,
        with_exclusions: bool,
        among: Option<&FirstBytes>,
        mut f: impl FnMut(Hit, bool),
        mut watch: impl FnMut(usize, usize, Option<&str>),
    ) -> u64 {
        let mut token_scan = TokenScan {
            folded: String::new(),
            scratch: Scratch {
                with_exclusions,
                ..Scratch::default()
            },
            resume: 0,
        };
        let mut at_token = |s: usize, end: Option<usize>| {
            // Delimited once, for both counts.
            let e = token_end(text, s, end);
            let folded = self.match_token(text, s, e, &mut token_scan, &mut f);
            watch(s, e, folded.then_some(token_scan.folded.as_str()));
        };
        match among {
            Some(first) => for_each_token_among(text, first, &mut at_token),
            None => for_each_token(text, &mut at_token),
        }
    }

    /// Matches the forms that may start at the token `text[s..e]`, giving each hit to `f`.
    /// Returns whether `scan.folded` now holds the token case-folded.
    #[inline]
    fn match_token(
        &self,
        text: &str,
        s: usize,
        e: usize,
        scan: &mut TokenScan,
        f: &mut impl FnMut(Hit, bool),
    ) -> bool {
        let bytes = text.as_bytes();
        if s < scan.resume || !self.may_start_form(bytes[s], bytes.get(s + 1).copied()) {
            return false;
        }
        let token = &text[s..e];
        // Folding keeps the length and prefix of ASCII tokens, so those rule most out
        // unhashed.
        if self.globs.is_empty() && token.is_ascii() {
            if !self.multi_word && (token.len() < self.min_len || token.len() > self.max_len) {
                return false;
            }
            if let Some(prefixes) = &self.first_prefixes
                && !prefixes.may_start(token.as_bytes())
            {
                return false;
            }
        }
        let tokens = TokenSpans::starting_at(text, e);
        scan.folded.clear();
        push_folded(token, &mut scan.folded);
        if let Some((form, end)) = self.best_at(text, e, &tokens, &scan.folded, &mut scan.scratch) {
            let form = &self.forms[form as usize];
            if form.excluding.is_empty() {
                let term = form.term as usize;
                f(
                    Hit {
                        term,
                        start: s,
                        end,
                    },
                    false,
                );
            } else {
                // The phrase's words count for no term; the hits of the terms that
                // exclude it are reported as excluded.
                for h in self.hits_ignoring_exclusions(&text[s..end]) {
                    if form.excluding.contains(&(h.term as u32)) {
                        let (start, end) = (s + h.start, s + h.end);
                        f(Hit { start, end, ..h }, true);
                    }
                }
            }
            scan.resume = end;
        }
        true
    }
}

/// The state of one [`WordMatcher::scan_among`] pass.
struct TokenScan {
    /// The current token, case-folded.
    folded: String,
    scratch: Scratch,
    /// Tokens before this offset belong to the last hit (a form of several words).
    resume: usize,
}

/// Buffers reused across the tokens of a text, so matching allocates nothing per token.
#[derive(Default)]
struct Scratch {
    word: String,
    globs: Vec<u32>,
    /// Whether exclusion phrases are matched (not while looking inside one).
    with_exclusions: bool,
}

// ---------------------------------------------------------------------------------------------
// substring mode

#[derive(Debug, Clone)]
struct SubstringForm {
    term: u32,
    /// For forms with `*`: the case-folded form; the automaton holds its first literal piece.
    glob: Option<Box<str>>,
    /// The form starts with `*`: its match begins where the run of letters and digits holding
    /// the automaton's piece begins.
    leading_star: bool,
}

#[derive(Debug, Clone)]
struct SubstringMatcher {
    automaton: AhoCorasick,
    /// Per automaton pattern.
    forms: Vec<SubstringForm>,
    /// The terms' exclusion phrases, as the forms of the same terms.
    exclusions: Option<Box<SubstringMatcher>>,
}

/// A candidate occurrence of a term in the folded text.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    term: u32,
    start: usize,
    end: usize,
    /// Where the automaton's literal piece started (the match cannot begin before an earlier
    /// occurrence of the same term ends).
    anchor: usize,
}

impl SubstringMatcher {
    fn new(lexicon: &Lexicon) -> anyhow::Result<SubstringMatcher> {
        let mut patterns: Vec<String> = Vec::new();
        let mut forms = Vec::new();
        for (term, t) in lexicon.terms.iter().enumerate() {
            for form in &t.forms {
                let folded = fold(form);
                if folded.contains('*') {
                    let piece = folded
                        .split('*')
                        .find(|p| !p.is_empty())
                        .unwrap_or_default()
                        .to_string();
                    if piece.is_empty() {
                        anyhow::bail!(
                            "{}: term {:?}: form {form:?} has no letters",
                            lexicon.origin,
                            t.label
                        );
                    }
                    patterns.push(piece);
                    forms.push(SubstringForm {
                        term: term as u32,
                        leading_star: folded.starts_with('*'),
                        glob: Some(folded.into_boxed_str()),
                    });
                } else {
                    patterns.push(folded);
                    forms.push(SubstringForm {
                        term: term as u32,
                        glob: None,
                        leading_star: false,
                    });
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| anyhow::anyhow!("{}: cannot compile the lexicon: {e}", lexicon.origin))?;
        let exclusions = if lexicon.terms.iter().any(|t| !t.exclude.is_empty()) {
            let mut phrases = lexicon.clone();
            for t in &mut phrases.terms {
                t.forms = std::mem::take(&mut t.exclude);
            }
            Some(Box::new(SubstringMatcher::new(&phrases)?))
        } else {
            None
        };
        Ok(SubstringMatcher {
            automaton,
            forms,
            exclusions,
        })
    }

    /// Every hit in `text` with whether it is excluded.
    fn occurrences(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.for_each_occurrence(text, |h, _| hits.push(h));
        hits
    }

    /// Calls `f` for every hit, with `true` for one inside an occurrence of one of its term's
    /// exclusions (terms are independent in this mode, so an exclusion concerns its term only).
    fn for_each_occurrence(&self, text: &str, mut f: impl FnMut(Hit, bool)) {
        let folded_text = FoldedText::new(text);
        let hay = folded_text.folded.as_ref();
        let mut candidates: Vec<Candidate> = Vec::new();
        for m in self.automaton.find_overlapping_iter(hay) {
            let form = &self.forms[m.pattern().as_usize()];
            match &form.glob {
                None => candidates.push(Candidate {
                    term: form.term,
                    start: m.start(),
                    end: m.end(),
                    anchor: m.start(),
                }),
                Some(glob) => {
                    // The match of `*piece...` starts where the run of letters holding the
                    // piece starts; the rest of the form extends it as far as it can.
                    let start = if form.leading_star {
                        run_start(hay, m.start())
                    } else {
                        m.start()
                    };
                    let after_piece = glob.trim_start_matches('*');
                    if let Some(end) = longest_match_end(after_piece, hay, m.start()) {
                        candidates.push(Candidate {
                            term: form.term,
                            start,
                            end,
                            anchor: m.start(),
                        });
                    }
                }
            }
        }
        if candidates.is_empty() {
            return;
        }
        candidates.sort_unstable_by_key(|c| (c.term, c.start, Reverse(c.end), c.anchor));
        let mut hits: Vec<Hit> = Vec::with_capacity(candidates.len());
        let mut current_term = u32::MAX;
        let mut taken_until = 0;
        for c in candidates {
            if c.term != current_term {
                current_term = c.term;
                taken_until = 0;
            }
            if c.anchor < taken_until || c.end <= taken_until {
                continue;
            }
            let start = c.start.max(taken_until);
            taken_until = c.end;
            hits.push(Hit {
                term: c.term as usize,
                start: folded_text.original_start(start),
                end: folded_text.original_end(c.end),
            });
        }
        hits.sort_unstable_by_key(|h| (h.start, h.term));
        let excluding = self
            .exclusions
            .as_ref()
            .map(|x| x.occurrences(text))
            .unwrap_or_default();
        for h in hits {
            let excluded = excluding
                .iter()
                .any(|x| x.term == h.term && x.start <= h.start && h.end <= x.end);
            f(h, excluded);
        }
    }
}

/// Start of the run of letters and digits that ends just before byte `pos`.
fn run_start(text: &str, pos: usize) -> usize {
    text[..pos]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(pos, |(i, _)| i)
}

/// The end of the longest match of glob `pattern` (`*` = letters and digits) at `pos` in `text`.
fn longest_match_end(pattern: &str, text: &str, pos: usize) -> Option<usize> {
    match pattern.find('*') {
        None => text[pos..]
            .starts_with(pattern)
            .then_some(pos + pattern.len()),
        Some(k) => {
            if !text[pos..].starts_with(&pattern[..k]) {
                return None;
            }
            let rest = &pattern[k + 1..];
            let mut idx = pos + k;
            let mut best = None;
            loop {
                if let Some(end) = longest_match_end(rest, text, idx) {
                    best = best.max(Some(end));
                }
                match text[idx..].chars().next() {
                    Some(c) if c.is_alphanumeric() => idx += c.len_utf8(),
                    _ => return best,
                }
            }
        }
    }
}

/// A case-folded copy of a text with the way back to the original's byte offsets.
struct FoldedText<'a> {
    original: &'a str,
    folded: std::borrow::Cow<'a, str>,
    /// For each byte of `folded`, the start of the original character it came from; empty when
    /// folding kept every length (offsets are then the same).
    origin: Vec<u32>,
}

impl<'a> FoldedText<'a> {
    fn new(text: &'a str) -> FoldedText<'a> {
        if text.is_ascii() {
            if !text.bytes().any(|b| b.is_ascii_uppercase()) {
                return FoldedText {
                    original: text,
                    folded: std::borrow::Cow::Borrowed(text),
                    origin: Vec::new(),
                };
            }
            return FoldedText {
                original: text,
                folded: std::borrow::Cow::Owned(text.to_ascii_lowercase()),
                origin: Vec::new(),
            };
        }
        let mut folded = String::with_capacity(text.len());
        let mut origin: Vec<u32> = Vec::new();
        let mut same_lengths = true;
        let mut buf = [0u8; 4];
        for (i, c) in text.char_indices() {
            let before = folded.len();
            push_folded(c.encode_utf8(&mut buf), &mut folded);
            if same_lengths && folded.len() - before != c.len_utf8() {
                same_lengths = false;
                // Up to here folding kept every length, so each earlier byte maps to the start
                // of its own character.
                origin.reserve(text.len() + 16);
                for (j, earlier) in text[..i].char_indices() {
                    origin.extend(std::iter::repeat_n(j as u32, earlier.len_utf8()));
                }
            }
            if !same_lengths {
                origin.extend(std::iter::repeat_n(i as u32, folded.len() - before));
            }
        }
        FoldedText {
            original: text,
            folded: std::borrow::Cow::Owned(folded),
            origin,
        }
    }

    fn original_start(&self, folded_pos: usize) -> usize {
        if self.origin.is_empty() {
            return folded_pos;
        }
        self.origin
            .get(folded_pos)
            .map_or(self.original.len(), |&o| o as usize)
    }

    fn original_end(&self, folded_end: usize) -> usize {
        if self.origin.is_empty() || folded_end == 0 {
            return folded_end;
        }
        let start_of_last_char = self.origin[folded_end - 1] as usize;
        let len = self.original[start_of_last_char..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        start_of_last_char + len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    /// A lexicon from `(label, category, forms)`.
    fn lexicon(terms: &[(&str, &str, &[&str])]) -> Lexicon {
        let mut cats: Vec<&str> = terms.iter().map(|t| t.1).collect();
        cats.dedup();
        let mut toml = String::from("name = \"t\"\n[categories]\n");
        let mut seen = Vec::new();
        for c in cats {
            if !seen.contains(&c) {
                toml.push_str(&format!("{c} = \"\"\n"));
                seen.push(c);
            }
        }
        for (label, cat, forms) in terms {
            let forms: Vec<String> = forms.iter().map(|f| format!("{f:?}")).collect();
            toml.push_str(&format!(
                "[[terms]]\nlabel = {label:?}\ncategory = {cat:?}\nforms = [{}]\n",
                forms.join(", ")
            ));
        }
        Lexicon::from_toml_str(&toml, "test.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn counts(lex: &Lexicon, mode: Mode, text: &str) -> Vec<u64> {
        let m = Matcher::new(lex, mode).unwrap();
        let mut c = vec![0; lex.terms.len()];
        m.add_counts(text, &mut c);
        c
    }

    fn matched<'t>(lex: &Lexicon, mode: Mode, text: &'t str) -> Vec<(usize, &'t str)> {
        Matcher::new(lex, mode)
            .unwrap()
            .hits(text)
            .iter()
            .map(|h| (h.term, &text[h.start..h.end]))
            .collect()
    }

    fn study() -> Lexicon {
        Lexicon::load("boddison-soan-2021").unwrap()
    }

    /// A lexicon from TOML terms `(label, forms, exclude)`, all in one category.
    fn with_exclusions(terms: &[(&str, &[&str], &[&str])]) -> Lexicon {
        let mut toml = "name = \"t\"\n[categories]\nc = \"c\"\n".to_string();
        for (label, forms, exclude) in terms {
            toml.push_str(&format!(
                "[[terms]]\nlabel = {label:?}\ncategory = \"c\"\nforms = {forms:?}\nexclude = {exclude:?}\n"
            ));
        }
        Lexicon::from_toml_str(&toml, "t.toml").unwrap()
    }

    /// (counted, excluded) per term.
    fn tallies(lex: &Lexicon, mode: Mode, text: &str) -> Vec<(u64, u64)> {
        let m = Matcher::new(lex, mode).unwrap();
        let mut counts = vec![0; lex.terms.len()];
        let mut excluded = vec![0; lex.terms.len()];
        m.count_block(text, &mut counts, &mut excluded);
        counts.into_iter().zip(excluded).collect()
    }

    #[test]
    fn exclusions_leave_out_the_hits_inside_them_and_say_how_many() {
        let lex = with_exclusions(&[("P", &["partnership"], &["local area partnership"])]);
        let text = "The Local Area Partnership and the partnership. Local area partnership's \
                    plan; local area partnerships; local-area partnership.";
        // Word mode: the possessive and the plural are other words; "local-area" is one token.
        assert_eq!(tallies(&lex, Mode::Word, text), vec![(2, 1)]);
        // Family mode: the exclusion's last word inflects like the form's.
        assert_eq!(tallies(&lex, Mode::Family, text), vec![(2, 3)]);
        // Substring mode: the exclusion is found anywhere, "local-area" is not "local area".
        assert_eq!(tallies(&lex, Mode::Substring, text), vec![(2, 3)]);
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let excluded = m.excluded_hits(text);
        assert_eq!(&text[excluded[0].start..excluded[0].end], "Partnership");
        assert_eq!(m.hits(text).len(), 2);
    }

    #[test]
    fn excluded_text_is_offered_only_to_terms_that_list_it() {
        let lex = with_exclusions(&[
            ("P", &["partnership"], &["local area partnership"]),
            ("Local area", &["local area"], &[]),
            ("Name", &["area partnership board"], &[]),
        ]);
        // "local area" inside the excluded phrase is not offered to another term; a longer form
        // of another term that the exclusion does not hold wins as ever.
        let text = "local area partnership; local area; area partnership board";
        assert_eq!(
            tallies(&lex, Mode::Word, text),
            vec![(0, 1), (1, 0), (1, 0)]
        );
        // A term that lists the phrase as a form keeps it.
        let lex = with_exclusions(&[
            ("P", &["partnership"], &["local area partnership"]),
            ("The body", &["local area partnership"], &[]),
        ]);
        assert_eq!(
            tallies(&lex, Mode::Word, "the local area partnership"),
            vec![(0, 0), (1, 0)]
        );
        // Two terms excluding the same phrase: both are told.
        let lex = with_exclusions(&[
            ("P", &["partnership"], &["local area partnership"]),
            ("L", &["local"], &["local area partnership"]),
        ]);
        assert_eq!(
            tallies(&lex, Mode::Word, "the local area partnership"),
            vec![(0, 1), (0, 1)]
        );
    }

    #[test]
    fn word_mode_counts_whole_words_case_insensitively() {
        let lex = lexicon(&[
            ("Inform", "d", &["inform"]),
            ("information", "d", &["information"]),
        ]);
        let text = "INFORM, Inform; inform. Information informs informed misinform inform-ed";
        assert_eq!(counts(&lex, Mode::Word, text), [3, 1]);
    }

    #[test]
    fn hyphenated_spellings_are_one_word_and_dashes_split() {
        let lex = study();
        let coop = lex.term_index("Co-operation").unwrap();
        let cop = lex.term_index("Coproduction").unwrap();
        // After normalisation hyphens between letters are '-'; an en dash (a range or
        // parenthesis) separates words, so "co–operation" is not the compound.
        let text = "Co-operation, cooperation, CO-OPERATION, co–operation, co--operation, co-production and coproduction; non-co-operation";
        let c = counts(&lex, Mode::Word, text);
        assert_eq!(c[coop], 3);
        assert_eq!(c[cop], 2);
    }

    #[test]
    fn multi_word_forms_match_consecutive_words_only() {
        let lex = lexicon(&[
            ("ought to", "r", &["ought to"]),
            ("must not", "p", &["must not"]),
        ]);
        assert_eq!(
            counts(
                &lex,
                Mode::Word,
                "You ought to. You ought\u{a0} to. You ought, to. Ought toast. must  not"
            ),
            [2, 1]
        );
    }

    #[test]
    fn leftmost_longest_counts_each_word_once() {
        let lex = Lexicon::load("modality").unwrap();
        let text = "You must not do this; you must do that. Schools should not and should; it may not, it may. They are required to act. Parents can't, cannot, can not, can.";
        let hits = matched(&lex, Mode::Word, text);
        let label = |i: usize| lex.terms[i].label.as_str();
        let got: Vec<(&str, &str)> = hits.iter().map(|&(t, s)| (label(t), s)).collect();
        assert_eq!(
            got,
            [
                ("must not", "must not"),
                ("must", "must"),
                ("should not", "should not"),
                ("should", "should"),
                ("may not", "may not"),
                ("may", "may"),
                ("is required to", "are required to"),
                ("cannot", "can't"),
                ("cannot", "cannot"),
                ("cannot", "can not"),
                ("can", "can"),
            ]
        );
    }

    #[test]
    fn star_matches_letters_and_digits_inside_a_word() {
        let lex = lexicon(&[
            ("collab", "c", &["collaborat*"]),
            ("co-op", "c", &["co-operat*"]),
            ("mid", "c", &["w*k"]),
        ]);
        let text = "Collaborate collaborating collaborative collaborat collaborators collab co-operates co-operation co-operative-ness work walk w-k wk";
        assert_eq!(counts(&lex, Mode::Word, text), [5, 2, 3]);
        // An explicit literal beats a glob for the same token; a longer glob beats a shorter one.
        let lex = lexicon(&[
            ("a", "c", &["inform*"]),
            ("b", "c", &["information"]),
            ("c", "c", &["informat*"]),
        ]);
        assert_eq!(
            counts(&lex, Mode::Word, "information informative informs inform"),
            [2, 1, 1]
        );
        assert!(glob_matches("*ation", "information"));
        assert!(!glob_matches("*ation", "co-operation"));
        assert!(glob_matches("co-*ation", "co-operation"));
    }

    #[test]
    fn multi_word_forms_with_star() {
        let lex = lexicon(&[("wt", "c", &["work* together"]), ("w", "c", &["working"])]);
        assert_eq!(
            counts(
                &lex,
                Mode::Word,
                "working together, working alone, works together"
            ),
            [2, 1]
        );
    }

    #[test]
    fn family_mode_adds_regular_inflections_not_derivations() {
        let lex = lexicon(&[
            ("Involve", "c", &["involve"]),
            ("Adviser", "d", &["adviser"]),
            ("Inform", "d", &["inform"]),
            ("Plan", "d", &["plan"]),
            ("Apply", "d", &["apply"]),
        ]);
        let text = "involve involves involved involving involvement advisers advisers' adviser's inform informs informed informing information planned planning plans applies applied applying";
        assert_eq!(counts(&lex, Mode::Word, text), [1, 0, 1, 0, 0]);
        assert_eq!(counts(&lex, Mode::Family, text), [4, 3, 4, 3, 3]);
    }

    #[test]
    fn family_mode_explicit_forms_of_other_terms_win() {
        let lex = study();
        let text =
            "involve involved involves involving informed inform informs informing information";
        let c = counts(&lex, Mode::Family, text);
        assert_eq!(c[lex.term_index("Involve").unwrap()], 3);
        assert_eq!(c[lex.term_index("Involved").unwrap()], 1);
        assert_eq!(c[lex.term_index("Informed").unwrap()], 1);
        assert_eq!(c[lex.term_index("Inform").unwrap()], 3);
        assert_eq!(c[lex.term_index("information").unwrap()], 1);
    }

    #[test]
    fn inflection_rules() {
        let has = |w: &str, v: &str| inflections(w).iter().any(|x| x == v);
        for (w, v) in [
            ("involve", "involving"),
            ("involve", "involved"),
            ("advise", "advises"),
            ("adviser", "advisers"),
            ("partnership", "partnership's"),
            ("apply", "applies"),
            ("apply", "applied"),
            ("play", "played"),
            ("plan", "planned"),
            ("travel", "travelled"),
            ("travel", "traveled"),
            ("visit", "visited"),
            ("coach", "coaches"),
            ("agree", "agreeing"),
            ("co-operate", "co-operating"),
        ] {
            assert!(has(w, v), "{w} -> {v}: {:?}", inflections(w));
        }
        assert!(!has("inform", "information"));
        assert!(!has("visit", "visitted") || has("visit", "visited"));
        assert!(inflections("post-16").is_empty());
    }

    #[test]
    fn substring_mode_counts_inside_words_and_terms_overlap() {
        let lex = study();
        let text = "Information informed us; misinformation. INFORMING inform";
        let c = counts(&lex, Mode::Substring, text);
        assert_eq!(c[lex.term_index("Inform").unwrap()], 5);
        assert_eq!(c[lex.term_index("information").unwrap()], 2);
        assert_eq!(c[lex.term_index("Informed").unwrap()], 1);
        // Within a term, occurrences do not overlap and the longest form wins.
        let c = counts(&lex, Mode::Substring, "collaboratively collaborative");
        assert_eq!(c[lex.term_index("Collaborative/ly").unwrap()], 2);
        let lex = lexicon(&[("a", "c", &["aa"])]);
        assert_eq!(counts(&lex, Mode::Substring, "aaaaa"), [2]);
    }

    #[test]
    fn substring_mode_ignores_word_boundaries_including_hyphens() {
        let lex = lexicon(&[("op", "c", &["operation"]), ("mn", "c", &["must not"])]);
        assert_eq!(
            counts(
                &lex,
                Mode::Substring,
                "co-operation cooperation mustnot must not"
            ),
            [2, 1]
        );
        assert_eq!(counts(&lex, Mode::Word, "co-operation cooperation"), [0, 0]);
    }

    #[test]
    fn substring_mode_star_spans_letters_and_digits() {
        let lex = lexicon(&[
            ("a", "c", &["collaborat*"]),
            ("b", "c", &["*tion"]),
            ("c", "c", &["co*ion"]),
        ]);
        let text =
            "collaborated collaboratecollaborate co-ordination nation coordination cooperation";
        let hits = matched(&lex, Mode::Substring, text);
        let of = |t: usize| {
            hits.iter()
                .filter(|h| h.0 == t)
                .map(|h| h.1)
                .collect::<Vec<_>>()
        };
        assert_eq!(of(0), ["collaborated", "collaboratecollaborate"]);
        assert_eq!(
            of(1),
            ["ordination", "nation", "coordination", "cooperation"]
        );
        assert_eq!(of(2), ["coordination", "cooperation"]);
    }

    #[test]
    fn substring_offsets_point_into_the_original_text() {
        // Folding changes byte lengths here (ẞ is 3 bytes, ß 2): offsets must still be the
        // original's.
        let lex = lexicon(&[("s", "c", &["straße"]), ("i", "c", &["inform"])]);
        let text = "ẞ STRAẞE then İNFORM and INFORM";
        let hits = Matcher::new(&lex, Mode::Substring).unwrap().hits(text);
        let got: Vec<(usize, &str)> = hits
            .iter()
            .map(|h| (h.start, &text[h.start..h.end]))
            .collect();
        // "İ" folds to "i" + combining dot, so "İNFORM" is not "inform" (as in Python's lower()).
        assert_eq!(
            got,
            [
                (text.find("STRA").unwrap(), "STRAẞE"),
                (text.rfind("INFORM").unwrap(), "INFORM")
            ]
        );
    }

    #[test]
    fn ligatures_and_variants_are_normalised_before_matching() {
        // Normalisation (NFKC) turns the ligature into "fi"; the matcher sees normalised text.
        let lex = lexicon(&[("f", "c", &["final"])]);
        assert_eq!(
            counts(&lex, Mode::Word, "\u{FB01}nal"),
            [0],
            "the matcher itself does not normalise"
        );
        assert_eq!(counts(&lex, Mode::Word, "final"), [1]);
    }

    #[test]
    fn count_block_counts_tokens_and_hits_in_one_pass() {
        let text =
            "You must not; Must. İNFORM co-operation, Ölçü parent's post-16 must  not x-y-z 'q' -";
        for name in ["modality", "boddison-soan-2021"] {
            let lex = Lexicon::load(name).unwrap();
            for mode in [Mode::Word, Mode::Family, Mode::Substring] {
                let m = Matcher::new(&lex, mode).unwrap();
                let mut a = vec![0; lex.terms.len()];
                let mut b = vec![0; lex.terms.len()];
                m.add_counts(text, &mut a);
                assert_eq!(
                    m.count_block(text, &mut b, &mut vec![0; lex.terms.len()]),
                    crate::tokenise::count_tokens(text),
                    "{name} {mode}"
                );
                assert_eq!(a, b, "{name} {mode}");
            }
        }
    }

    #[test]
    fn first_letter_filter_does_not_lose_capitals_or_non_ascii() {
        let lex = lexicon(&[("k", "c", &["kelvin"]), ("s", "c", &["straße"])]);
        // U+212A KELVIN SIGN folds to an ASCII "k".
        assert_eq!(
            counts(
                &lex,
                Mode::Word,
                "KELVIN \u{212A}elvin Kelvin STRASSE STRAẞE"
            ),
            [3, 1]
        );
    }

    /// Random texts from a pool of tricky characters (case-changing, multi-byte, joiners): no
    /// panic, hits on char boundaries, word-mode hits in order and disjoint, and the folded text
    /// of every substring hit is one of its term's forms.
    /// The word-mode scan as it was first written: every token delimited, folded and looked up,
    /// no byte filters. The fast scan must give exactly its hits.
    fn reference_scan(m: &WordMatcher, text: &str) -> (Vec<Hit>, u64) {
        let mut hits = Vec::new();
        let mut folded = String::new();
        let mut scratch = Scratch::default();
        let mut tokens = crate::tokenise::token_spans(text);
        let mut n = 0u64;
        while let Some((s, e)) = tokens.next() {
            n += 1;
            folded.clear();
            push_folded(&text[s..e], &mut folded);
            if let Some((form, end)) = m.best_at(text, e, &tokens, &folded, &mut scratch) {
                hits.push(Hit {
                    term: m.forms[form as usize].term as usize,
                    start: s,
                    end,
                });
                for _ in 1..m.forms[form as usize].words.len() {
                    tokens.next();
                    n += 1;
                }
            }
        }
        (hits, n)
    }

    #[test]
    fn fast_word_scan_agrees_with_the_reference_scan() {
        let pool = [
            "inform",
            "Information",
            "INFORMED",
            "in",
            "form",
            "co-operate",
            "co",
            "operate",
            "cooperation",
            "partnership's",
            "partner",
            "must",
            "not",
            "a",
            "ab",
            "-",
            "'",
            " ",
            "  ",
            "\n",
            ".",
            "é",
            "İnform",
            "\u{212A}i",
            "ß",
            "naïve",
            "•",
            "—",
            "1",
            "x",
        ];
        let lexicons = [
            study(),
            lexicon(&[
                ("inform", "c", &["inform", "in form", "information"]),
                ("must not", "c", &["must not", "must"]),
                ("coop", "c", &["co-operate", "co-operation", "cooperation"]),
                ("k", "c", &["ki", "ß", "naïve"]),
            ]),
            // A one-letter form and globs turn the byte filters off.
            lexicon(&[("a", "c", &["a", "x"]), ("part", "c", &["part*", "*form"])]),
        ];
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        for lex in &lexicons {
            for mode in [Mode::Word, Mode::Family] {
                let matcher = Matcher::new(lex, mode).unwrap();
                let Inner::Words(words) = &matcher.inner else {
                    unreachable!()
                };
                for round in 0..1500 {
                    let len = (next() % 300) as usize;
                    let mut text = String::new();
                    // Half the texts are ASCII only, so that whole 64-byte windows are masked.
                    let ascii_only = round % 2 == 0;
                    while text.len() < len {
                        let piece = pool[(next() % pool.len() as u64) as usize];
                        if ascii_only && !piece.is_ascii() {
                            continue;
                        }
                        text.push_str(piece);
                        if next() % 2 == 0 {
                            text.push(' ');
                        }
                    }
                    let mut hits = Vec::new();
                    let n = words.scan(&text, true, |h, _| hits.push(h));
                    assert_eq!((hits, n), reference_scan(words, &text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn random_texts_give_well_formed_hits() {
        let pool: Vec<char> = "aiInNfFoOrRmM -'\u{2019}.,İẞßςΣ\u{212A}é\u{301}1\n\t*"
            .chars()
            .collect();
        let lex = lexicon(&[
            ("inform", "c", &["inform", "in form"]),
            ("nor", "c", &["nor*", "*orm"]),
            ("s", "c", &["ß", "i'm"]),
            ("k", "c", &["k-i"]),
        ]);
        let matchers: Vec<Matcher> = [Mode::Word, Mode::Family, Mode::Substring]
            .iter()
            .map(|&m| Matcher::new(&lex, m).unwrap())
            .collect();
        let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            for m in &matchers {
                let hits = m.hits(&text);
                let mut counts = vec![0; lex.terms.len()];
                assert_eq!(
                    m.count_block(&text, &mut counts, &mut vec![0; lex.terms.len()]),
                    crate::tokenise::count_tokens(&text)
                );
                assert_eq!(counts.iter().sum::<u64>() as usize, hits.len());
                let mut last_end = 0;
                for h in &hits {
                    assert!(
                        h.start < h.end
                            && text.is_char_boundary(h.start)
                            && text.is_char_boundary(h.end),
                        "{text:?} {h:?}"
                    );
                    if m.mode() != Mode::Substring {
                        assert!(h.start >= last_end, "{text:?} {hits:?}");
                        last_end = h.end;
                    }
                }
            }
        }
    }

    #[test]
    fn empty_and_wordless_texts_have_no_hits() {
        let lex = study();
        for mode in [Mode::Word, Mode::Family, Mode::Substring] {
            assert!(Matcher::new(&lex, mode).unwrap().hits("").is_empty());
            assert!(
                Matcher::new(&lex, mode)
                    .unwrap()
                    .hits(" -- ' ; ")
                    .is_empty()
            );
        }
    }
}
