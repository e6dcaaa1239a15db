//! Lexicons: named terms, each with a category and the word forms that count for it.
//!
//! A lexicon comes from a built-in (`builtin/*.toml`, embedded in the binary), a user's TOML file,
//! a quanteda YAML dictionary or a LIWC `.dic` file. Every source is parsed into located raw
//! entries and validated by one function, [`validate`], which reports every problem with its file
//! and line. A lexicon is returned only when it is entirely valid: nothing is ever counted with a
//! half-loaded lexicon.

pub mod liwc;
pub mod toml;
pub mod yaml;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crate::normalise::normalise_characters;
use crate::tokenise::fold;
use crate::wordform::{glob_matches, inflections};

/// The lexicon `count`, `kwic` and `reproduce` use when none is given.
pub const DEFAULT_LEXICON: &str = "boddison-soan-2021";

/// A lexicon shipped inside termtally.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    /// The TOML source, printed as-is (with its comments) by `lexicon show`.
    pub toml: &'static str,
}

/// The built-in lexicons, in the order `lexicon list` shows them.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "boddison-soan-2021",
        toml: include_str!("builtin/boddison-soan-2021.toml"),
    },
    Builtin {
        name: "frost-2005",
        toml: include_str!("builtin/frost-2005.toml"),
    },
    Builtin {
        name: "modality",
        toml: include_str!("builtin/modality.toml"),
    },
];

/// A validated lexicon.
#[derive(Debug, Clone, PartialEq)]
pub struct Lexicon {
    /// Human name, e.g. "Boddison & Soan (2021) joint-working terms".
    pub name: String,
    /// Where its terms come from (a citation).
    pub source: Option<String>,
    pub description: Option<String>,
    /// Where it was loaded from: `built-in NAME` or the file path.
    pub origin: String,
    /// Categories in declaration order.
    pub categories: Vec<Category>,
    /// Terms in lexicon order (the row order of tables).
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Row label in tables, unique in the lexicon.
    pub label: String,
    /// Name of a declared category.
    pub category: String,
    /// Index of the category in [`Lexicon::categories`].
    pub category_index: usize,
    /// Forms as written (normalised: NFKC, single spaces, `'` and `-` for apostrophe and hyphen
    /// variants). Matching is case-insensitive.
    pub forms: Vec<String>,
    /// Phrases (normalised like forms) inside whose occurrences this term's hits are not
    /// counted but reported as excluded; each contains a form of the term.
    pub exclude: Vec<String>,
    pub note: Option<String>,
}

impl Lexicon {
    /// Loads a lexicon from a built-in name or a file path (format chosen by extension:
    /// `.toml`, `.yml`/`.yaml` quanteda dictionary, `.dic` LIWC dictionary).
    pub fn load(spec: &str) -> Result<Lexicon, LexiconError> {
        if let Some(builtin) = builtin(spec) {
            return Lexicon::from_builtin(builtin);
        }
        let path = Path::new(spec);
        if !path.exists() {
            let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
            return Err(LexiconError::whole(
                spec,
                format!(
                    "no such file, and not a built-in lexicon (built-ins: {}; see `termtally lexicon list`)",
                    names.join(", ")
                ),
            ));
        }
        Lexicon::from_path(path)
    }

    /// Loads a lexicon file, choosing the parser by extension.
    pub fn from_path(path: &Path) -> Result<Lexicon, LexiconError> {
        let file = path.display().to_string();
        if path.is_dir() {
            return Err(LexiconError::whole(
                &file,
                "is a folder, not a lexicon file",
            ));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| LexiconError::whole(&file, format!("cannot read the file: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            LexiconError::whole(
                &file,
                format!(
                    "not UTF-8 text (invalid byte at offset {}); save the file as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let raw = match ext.as_str() {
            "toml" => toml::parse(text, &file)?,
            "yml" | "yaml" => yaml::parse(text, &file)?,
            "dic" => liwc::parse(text, &file)?,
            _ => {
                return Err(LexiconError::whole(
                    &file,
                    "unknown lexicon format: name the file .toml (termtally), .yml/.yaml (quanteda \
                     dictionary) or .dic (LIWC dictionary)",
                ));
            }
        };
        validate(raw, &file)
    }

    /// Parses and validates a built-in lexicon.
    pub fn from_builtin(builtin: &Builtin) -> Result<Lexicon, LexiconError> {
        let origin = format!("built-in {}", builtin.name);
        let raw = toml::parse(builtin.toml, &origin)?;
        validate(raw, &origin)
    }

    /// Parses and validates lexicon TOML text; `file` names it in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Lexicon, LexiconError> {
        validate(toml::parse(text, file)?, file)
    }

    /// A one-term lexicon for an ad-hoc search such as `kwic coproduction` or
    /// `kwic "must not"`: the term is labelled with the pattern, in a category `pattern`.
    pub fn from_pattern(pattern: &str) -> Result<Lexicon, LexiconError> {
        let raw = RawLexicon {
            name: Some(format!("pattern {pattern:?}")),
            categories: vec![(
                Located::new("pattern".to_string(), None),
                "the search pattern".to_string(),
            )],
            terms: vec![RawTerm {
                line: None,
                label: Located::new(pattern.trim().to_string(), None),
                category: Located::new("pattern".to_string(), None),
                forms: vec![Located::new(pattern.to_string(), None)],
                exclude: Vec::new(),
                note: None,
            }],
            ..RawLexicon::default()
        };
        validate(raw, "pattern")
    }

    /// Index of the category called `name`.
    pub fn category_index(&self, name: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.name == name)
    }

    /// Index of the term labelled `label` (exact, then case-insensitive).
    pub fn term_index(&self, label: &str) -> Option<usize> {
        self.terms
            .iter()
            .position(|t| t.label == label)
            .or_else(|| {
                self.terms
                    .iter()
                    .position(|t| t.label.eq_ignore_ascii_case(label))
            })
    }

    /// Total number of forms.
    pub fn form_count(&self) -> usize {
        self.terms.iter().map(|t| t.forms.len()).sum()
    }

    /// The lexicon as editable termtally TOML.
    pub fn to_toml(&self) -> String {
        toml::write(self)
    }
}

/// The built-in lexicon called `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// A value with the 1-based line it was read from (`None` where the format has no lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: Option<usize>,
}

impl<T> Located<T> {
    pub fn new(value: T, line: Option<usize>) -> Located<T> {
        Located { value, line }
    }
}

/// A lexicon as read from a file, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawLexicon {
    pub name: Option<String>,
    pub source: Option<String>,
    pub description: Option<String>,
    pub categories: Vec<(Located<String>, String)>,
    pub terms: Vec<RawTerm>,
}

#[derive(Debug, Clone)]
pub struct RawTerm {
    /// Line where the term is defined.
    pub line: Option<usize>,
    pub label: Located<String>,
    pub category: Located<String>,
    pub forms: Vec<Located<String>>,
    pub exclude: Vec<Located<String>>,
    pub note: Option<String>,
}

/// One thing wrong in a lexicon file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
}

/// Everything wrong with a lexicon file (at least one problem).
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl LexiconError {
    /// An error about the file as a whole.
    pub fn whole(file: &str, message: impl Into<String>) -> LexiconError {
        LexiconError {
            file: file.to_string(),
            problems: vec![Problem {
                line: None,
                message: message.into(),
            }],
        }
    }

    pub fn at(file: &str, line: Option<usize>, message: impl Into<String>) -> LexiconError {
        LexiconError {
            file: file.to_string(),
            problems: vec![Problem {
                line,
                message: message.into(),
            }],
        }
    }
}

/// Most problems listed before "... and N more": enough to fix a file in one go.
const MAX_PROBLEMS_SHOWN: usize = 20;

impl fmt::Display for LexiconError {
    /// `FILE: line N: what is wrong`, one problem per line; lines after the first carry the
    /// `termtally: ` prefix that `main` adds to the first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(MAX_PROBLEMS_SHOWN).enumerate() {
            if i > 0 {
                write!(f, "\ntermtally: ")?;
            }
            match p.line {
                Some(line) => write!(f, "{}: line {line}: {}", self.file, p.message)?,
                None => write!(f, "{}: {}", self.file, p.message)?,
            }
        }
        if self.problems.len() > MAX_PROBLEMS_SHOWN {
            write!(
                f,
                "\ntermtally: {}: ... and {} more problems",
                self.file,
                self.problems.len() - MAX_PROBLEMS_SHOWN
            )?;
        }
        if self.problems.len() > 1 {
            write!(
                f,
                "\ntermtally: {}: {} problems; lexicon not loaded",
                self.file,
                self.problems.len()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for LexiconError {}

/// One word of a form: literal characters and `*` wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPattern {
    /// Case-folded text, `*` kept.
    pub folded: String,
}

impl WordPattern {
    pub fn has_wildcard(&self) -> bool {
        self.folded.contains('*')
    }
}

/// Normalises a form as written in a lexicon with the very character clean-up document text gets
/// ([`normalise_characters`]), so that forms typed with curly apostrophes, soft or non-breaking
/// hyphens, dashes between letters or ligatures match the text they were copied from.
pub fn normalise_form(form: &str) -> String {
    normalise_characters(form)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that a normalised form is a sequence of whole-word patterns. Returns the words, or
/// what is wrong in plain words.
pub fn parse_form(form: &str) -> Result<Vec<WordPattern>, String> {
    if form.is_empty() {
        return Err("empty form \"\"".to_string());
    }
    let mut words = Vec::new();
    for word in form.split(' ') {
        check_word(word).map_err(|why| format!("form {form:?}: {why}"))?;
        words.push(WordPattern { folded: fold(word) });
    }
    Ok(words)
}

fn check_word(word: &str) -> Result<(), String> {
    if word.chars().all(|c| c == '*') {
        return Err(
            "a `*` on its own would match every word; put letters before or after it".to_string(),
        );
    }
    if word.contains("**") {
        return Err(
            "bad glob `**`: write a single `*` (it already matches any run of letters and digits)"
                .to_string(),
        );
    }
    for c in word.chars() {
        if c.is_alphanumeric() || c == '*' || c == '-' || c == '\'' {
            continue;
        }
        return Err(match c {
            '?' | '[' | ']' | '{' | '}' | '+' | '|' | '(' | ')' | '^' | '$' | '\\' => format!(
                "bad glob: `{c}` is not supported; the only wildcard is `*` (any run of letters and digits inside a word)"
            ),
            '/' => "`/` is not allowed: list each spelling as its own form, e.g. [\"collaborative\", \"collaboratively\"]".to_string(),
            '_' => "`_` is not a word character (tokens are letters and digits joined by single `-` or `'`); write words separated by spaces for a phrase".to_string(),
            _ => format!(
                "`{c}` cannot be part of a word: forms are words made of letters and digits, joined by single `-` or `'`"
            ),
        });
    }
    // Joiners must sit between word characters (or `*`), singly, as they do in tokens.
    let chars: Vec<char> = word.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '\'' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let ok = |x: Option<char>| x.is_some_and(|x| x.is_alphanumeric() || x == '*');
            if !ok(before) || !ok(after) {
                return Err(format!(
                    "`{c}` must sit between two letters or digits (as in \"co-operation\", \"parent's\"): a word never starts or ends with it, and it never doubles"
                ));
            }
        }
    }
    Ok(())
}

/// The key two forms are compared by when checking for duplicates.
pub fn form_key(normalised_form: &str) -> String {
    fold(normalised_form)
}

/// Validates a raw lexicon, collecting every problem. `file` names it in errors.
pub fn validate(raw: RawLexicon, file: &str) -> Result<Lexicon, LexiconError> {
    let mut problems: Vec<Problem> = Vec::new();
    let mut problem =
        |line: Option<usize>, message: String| problems.push(Problem { line, message });

    let categories = validate_categories(&raw.categories, &mut problem);
    if raw.categories.is_empty() {
        problem(
            None,
            "no categories declared: add a [categories] table, e.g. collaborative = \"joint-working language\"".to_string(),
        );
    }
    if raw.terms.is_empty() {
        problem(
            None,
            "no terms: add at least one [[terms]] entry with label, category and forms".to_string(),
        );
    }
    let declared: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();

    let mut labels: HashMap<String, Option<usize>> = HashMap::new();
    // form key -> (term label, line) of its first listing
    let mut seen_forms: HashMap<String, (String, Option<usize>)> = HashMap::new();
    let mut terms = Vec::with_capacity(raw.terms.len());
    for t in raw.terms {
        let label = t.label.value.trim().to_string();
        if label.is_empty() {
            problem(
                t.label.line.or(t.line),
                "a term has an empty label".to_string(),
            );
        } else if let Some(first) = labels.get(&label.to_lowercase()) {
            let at = first
                .map(|l| format!(" (first at line {l})"))
                .unwrap_or_default();
            problem(
                t.label.line.or(t.line),
                format!("term label {label:?} is used twice{at}"),
            );
        } else {
            labels.insert(label.to_lowercase(), t.label.line.or(t.line));
        }
        let category_index = categories.iter().position(|c| c.name == t.category.value);
        if category_index.is_none() {
            problem(
                t.category.line.or(t.line),
                undeclared_category(&label, &t.category.value, &declared),
            );
        }
        if t.forms.is_empty() {
            problem(
                t.line,
                format!(
                    "term {label:?} has no forms: list the words to count, e.g. forms = [\"co-operation\", \"cooperation\"]"
                ),
            );
        }
        let forms = validate_forms(&label, &t, &mut seen_forms, &mut problem);
        let mut term = Term {
            label,
            category: t.category.value.clone(),
            category_index: category_index.unwrap_or(0),
            forms,
            exclude: Vec::new(),
            note: t.note.clone(),
        };
        validate_exclusions(&mut term, &t, &mut problem);
        terms.push(term);
    }
    if !problems.is_empty() {
        return Err(LexiconError {
            file: file.to_string(),
            problems,
        });
    }
    Ok(Lexicon {
        name: lexicon_name(raw.name, file),
        source: raw.source,
        description: raw.description,
        origin: file.to_string(),
        categories,
        terms,
    })
}

/// Adds the raw term's exclusions to `term`; one that is wrong is a problem and left out.
fn validate_exclusions(
    term: &mut Term,
    raw: &RawTerm,
    problem: &mut impl FnMut(Option<usize>, String),
) {
    for phrase in &raw.exclude {
        match check_exclusion(term, &phrase.value) {
            Ok(normalised) => term.exclude.push(normalised),
            Err(why) => problem(phrase.line.or(raw.line), why),
        }
    }
}

/// The normalised exclusion `phrase` of `term`, or what is wrong with it: it must be a literal
/// phrase (no `*`), not listed twice, that contains a form of the term in word or family mode
/// (otherwise it could never exclude anything, and is surely a typo).
fn check_exclusion(term: &Term, phrase: &str) -> Result<String, String> {
    let label = &term.label;
    let normalised = normalise_form(phrase);
    parse_form(&normalised).map_err(|why| format!("term {label:?}: exclusion {why}"))?;
    if normalised.contains('*') {
        return Err(format!(
            "term {label:?}: exclusion {normalised:?}: `*` is not allowed in an exclusion; list each phrase to exclude"
        ));
    }
    if term
        .exclude
        .iter()
        .any(|e| form_key(e) == form_key(&normalised))
    {
        return Err(format!(
            "term {label:?}: exclusion {normalised:?} is listed twice"
        ));
    }
    if !contains_form_of(term, &normalised) {
        return Err(format!(
            "term {label:?}: exclusion {normalised:?} contains none of the term's forms ({}), so it could never exclude a hit",
            term.forms.join(", ")
        ));
    }
    Ok(normalised)
}

/// Whether `phrase` holds a hit of `term`'s forms in word or family mode.
pub fn contains_form_of(term: &Term, phrase: &str) -> bool {
    holds_hit(term, phrase, true)
}

/// Whether the words of `phrase` hold a form of `term` as consecutive words (a `*` word matching
/// by glob), or with `family`, a single-word form's inflection as one of them. The phrase is a
/// valid form (words separated by single spaces), so its words are the tokens of its text.
fn holds_hit(term: &Term, phrase: &str, family: bool) -> bool {
    let words: Vec<String> = phrase.split(' ').map(fold).collect();
    term.forms.iter().any(|form| {
        let pattern: Vec<String> = form.split(' ').map(fold).collect();
        if family && pattern.len() == 1 && !pattern[0].contains('*') {
            let variants = inflections(&pattern[0]);
            if words.iter().any(|w| variants.contains(w)) {
                return true;
            }
        }
        words
            .windows(pattern.len())
            .any(|w| w.iter().zip(&pattern).all(|(w, p)| glob_matches(p, w)))
    })
}

impl Lexicon {
    /// Adds one-off exclusions (`--exclude PHRASE`): each phrase excludes for every term it
    /// contains a form of; a phrase that contains no form of any term is an error.
    pub fn add_exclusions(&mut self, phrases: &[String]) -> Result<(), LexiconError> {
        let mut problems = Vec::new();
        for phrase in phrases {
            let normalised = normalise_form(phrase);
            let mut used = false;
            let mut first_error = None;
            for term in &mut self.terms {
                if !contains_form_of(term, &normalised) {
                    continue;
                }
                used = true;
                match check_exclusion(term, phrase) {
                    Ok(n) => term.exclude.push(n),
                    Err(why) if why.contains("listed twice") => {}
                    Err(why) => first_error = first_error.or(Some(why)),
                }
            }
            if let Some(why) = first_error {
                problems.push(Problem {
                    line: None,
                    message: format!("--exclude: {why}"),
                });
            } else if !used {
                problems.push(Problem {
                    line: None,
                    message: format!(
                        "--exclude {normalised:?} contains no form of any term of {}, so it could never exclude a hit",
                        self.name
                    ),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LexiconError {
                file: self.origin.clone(),
                problems,
            })
        }
    }

    /// Hints for `lexicon check`: in word mode the possessive "partnership's" is one token, so
    /// an exclusion "local area partnership" does not cover "local area partnership's"; where
    /// the term's forms match that possessive and it is not listed, suggest listing it.
    pub fn exclusion_suggestions(&self) -> Vec<String> {
        let mut out = Vec::new();
        for term in &self.terms {
            for phrase in &term.exclude {
                if phrase.ends_with("'s") {
                    continue;
                }
                let possessive = format!("{phrase}'s");
                let listed = term
                    .exclude
                    .iter()
                    .any(|e| form_key(e) == form_key(&possessive));
                if !listed && holds_hit(term, &possessive, false) {
                    out.push(format!(
                        "term {:?}: exclusion {phrase:?} does not cover {possessive:?} in word mode (the possessive is one word); add {possessive:?} to exclude if it should be left out too",
                        term.label
                    ));
                }
            }
        }
        out
    }
}

/// The problem of a term whose category is not declared.
fn undeclared_category(label: &str, category: &str, declared: &[&str]) -> String {
    format!(
        "term {label:?}: category {category:?} is not declared in [categories] (declared: {})",
        if declared.is_empty() {
            "none".to_string()
        } else {
            declared.join(", ")
        }
    )
}

/// The lexicon's own name, else the file name without its extension.
fn lexicon_name(name: Option<String>, file: &str) -> String {
    name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_string())
    })
}

/// The declared categories; an empty or repeated name is a problem and left out.
fn validate_categories(
    raw: &[(Located<String>, String)],
    problem: &mut impl FnMut(Option<usize>, String),
) -> Vec<Category> {
    let mut categories: Vec<Category> = Vec::new();
    for (name, description) in raw {
        if name.value.trim().is_empty() {
            problem(name.line, "empty category name".to_string());
        } else if categories.iter().any(|c| c.name == name.value) {
            problem(
                name.line,
                format!("category {:?} is declared twice", name.value),
            );
        } else {
            categories.push(Category {
                name: name.value.clone(),
                description: description.clone(),
            });
        }
    }
    categories
}

/// A term's forms, normalised; a form that is malformed or already listed (under this term or
/// another) is a problem and left out.
fn validate_forms(
    label: &str,
    t: &RawTerm,
    seen_forms: &mut HashMap<String, (String, Option<usize>)>,
    problem: &mut impl FnMut(Option<usize>, String),
) -> Vec<String> {
    let mut forms = Vec::with_capacity(t.forms.len());
    for form in &t.forms {
        let line = form.line.or(t.line);
        let normalised = normalise_form(&form.value);
        if let Err(why) = parse_form(&normalised) {
            problem(line, format!("term {label:?}: {why}"));
            continue;
        }
        let key = form_key(&normalised);
        if let Some((other, other_line)) = seen_forms.get(&key) {
            let at = other_line
                .map(|l| format!(" at line {l}"))
                .unwrap_or_default();
            let msg = if *other == label {
                format!(
                    "term {label:?}: duplicate form {normalised:?} (already listed for this term{at})"
                )
            } else {
                format!(
                    "duplicate form {normalised:?}: listed under term {label:?} and under term {other:?}{at}; a form may count for one term only"
                )
            };
            problem(line, msg);
            continue;
        }
        seen_forms.insert(key, (label.to_string(), line));
        forms.push(normalised);
    }
    forms
}

/// 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    LineIndex::new(text).line_of(offset)
}

/// The line numbers of byte offsets in one text, found by binary search in the offsets of its
/// line ends: a lexicon of 50,000 terms asks for 200,000 of them, and counting the line ends
/// from the start each time made loading quadratic (8,000 terms took seconds).
pub struct LineIndex {
    line_ends: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            line_ends: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
            len: text.len(),
        }
    }

    /// The line (from 1) of byte `offset`; past the end, the last line.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.line_ends.partition_point(|&end| end < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{Matcher, Mode};

    #[test]
    fn every_builtin_loads() {
        for b in BUILTINS {
            let lex = Lexicon::from_builtin(b).unwrap_or_else(|e| panic!("{e}"));
            assert!(!lex.terms.is_empty(), "{}", b.name);
            assert!(lex.source.is_some(), "{} documents its source", b.name);
        }
    }

    #[test]
    fn forms_are_normalised() {
        assert_eq!(
            normalise_form("  parent\u{2019}s   views "),
            "parent's views"
        );
        assert_eq!(normalise_form("co\u{2011}operation"), "co-operation");
        assert_eq!(normalise_form("\u{FB01}nance"), "finance");
        // As in document text: a soft hyphen is deleted, a dash between letters is a hyphen.
        assert_eq!(normalise_form("co\u{ad}operation"), "cooperation");
        assert_eq!(normalise_form("co\u{2013}operation"), "co-operation");
        assert_eq!(normalise_form("co\u{2014}production"), "co-production");
    }

    /// Every form the lexicon accepts, however it is typed, finds itself in document text that
    /// contains it: forms and text go through the same character clean-up. Forms are drawn at
    /// random from letters and the characters the clean-up changes.
    #[test]
    fn every_accepted_form_matches_text_containing_it() {
        use crate::matcher::{Matcher, Mode};
        use crate::normalise::normalise;
        use crate::testing::{text_document, xorshift};
        const PIECES: [&str; 16] = [
            "co",
            "operation",
            "e",
            "\u{ad}",
            "-",
            "\u{2010}",
            "\u{2011}",
            "\u{2013}",
            "\u{2014}",
            "\u{2019}",
            "'",
            "\u{FB01}",
            "\u{a0}",
            " ",
            "\u{200b}",
            "*",
        ];
        let mut next = xorshift(0x5eed_f0f0);
        let mut accepted = 0;
        for _ in 0..3000 {
            let len = 1 + (next() % 6) as usize;
            let form: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            if form.contains('*') {
                continue; // a wildcard stands for other text
            }
            let Ok(lexicon) = Lexicon::from_pattern(&form) else {
                continue;
            };
            accepted += 1;
            let text = format!("Before {form} after.");
            let doc = normalise(text_document("t.txt", &[&text]));
            for mode in [Mode::Word, Mode::Substring] {
                let matcher = Matcher::new(&lexicon, mode).expect("matcher");
                let hits: usize = doc.blocks.iter().map(|b| matcher.hits(&b.text).len()).sum();
                assert!(hits >= 1, "{mode:?}: form {form:?} not found in {text:?}");
            }
        }
        assert!(accepted > 100, "only {accepted} forms accepted");
    }

    #[test]
    fn bad_words_are_explained() {
        assert!(parse_form("*").unwrap_err().contains("every word"));
        assert!(parse_form("co**op").unwrap_err().contains("**"));
        assert!(parse_form("colou?r").unwrap_err().contains("bad glob"));
        assert!(
            parse_form("collaborative/ly")
                .unwrap_err()
                .contains("own form")
        );
        assert!(
            parse_form("parents'")
                .unwrap_err()
                .contains("between two letters")
        );
        assert!(
            parse_form("co--operation")
                .unwrap_err()
                .contains("between two letters")
        );
        assert!(parse_form("e.g.").is_err());
        assert_eq!(parse_form("must not").map(|w| w.len()), Ok(2));
        assert!(parse_form("co-operat*").is_ok());
        assert!(parse_form("*-led").is_ok());
    }

    /// Mangled lexicon files (bytes deleted, duplicated, replaced) never panic any parser: they
    /// load or give an error.
    #[test]
    fn mangled_files_give_errors_not_panics() {
        let seeds = [
            BUILTINS[0].toml.to_string(),
            "a:\n  - x\n  b:\n    - [y, z]\n  c: &anchor d\n  e: *anchor\n".to_string(),
            "%\n1\ta\n2\tb\n%\nword\t1\t2\nx*\t2\n".to_string(),
        ];
        let pool = [
            '[', ']', '"', '\'', '=', '\n', ':', '-', '%', '*', '\t', '{', 'é', '\\', '#',
        ];
        let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1D);
        for seed in &seeds {
            for _ in 0..300 {
                let mut chars: Vec<char> = seed.chars().collect();
                for _ in 0..(1 + next() % 4) {
                    if chars.is_empty() {
                        break;
                    }
                    let at = (next() % chars.len() as u64) as usize;
                    match next() % 3 {
                        0 => {
                            chars.remove(at);
                        }
                        1 => chars.insert(at, pool[(next() % pool.len() as u64) as usize]),
                        _ => chars[at] = pool[(next() % pool.len() as u64) as usize],
                    }
                }
                let text: String = chars.into_iter().collect();
                let loaded = [
                    toml::parse(&text, "f.toml").and_then(|raw| validate(raw, "f.toml")),
                    yaml::parse(&text, "f.yml").and_then(|raw| validate(raw, "f.yml")),
                    liwc::parse(&text, "f.dic").and_then(|raw| validate(raw, "f.dic")),
                ];
                for lexicon in loaded.iter().flatten() {
                    for mode in [Mode::Word, Mode::Family, Mode::Substring] {
                        let matcher = Matcher::new(lexicon, mode).unwrap();
                        matcher.hits("x-y word's * test é");
                    }
                }
            }
        }
    }

    #[test]
    fn line_numbers_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
