//! termtally kwic: every hit of a pattern or a lexicon in context (keyword in context), with its
//! page and paragraph, ready to cite.
//!
//! Usage: termtally kwic PATTERN FILE... [--mode word|family|substring] [--width N | --sentence]
//!        termtally kwic --lexicon NAME|PATH [--term LABEL]... [--category NAME] FILE...
//!        [--format table|csv|tsv|json|md|latex] [-o FILE] [--force]
//!
//! One row per hit, in document order: document, page, section (paragraph number, or `s.19` in
//! legislation), cite (`p. 61, para 4.9`), left context, the match as written in the document,
//! right context, term and category. Hits come from the same [`Matcher`] as `termtally count`, so
//! for every term and mode the number of rows equals count's figure. Context stays inside the
//! paragraph block the hit is in (its page and paragraph are the citation).
//!
//! JSON: `{"command", "lexicon", "mode", "documents": [...], "rows": [{document, page, section,
//! cite, left, match, right, term, category}], "notes": [...]}`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use unicode_segmentation::UnicodeSegmentation;

use crate::cli::{InputArgs, OutputArgs};
use crate::document::{Block, Document};
use crate::lexicon::Lexicon;
use crate::matcher::{Hit, Matcher, Mode};
use crate::render::{OutputFormat, resolve_format, write_report};
use crate::report::Outcome;
use crate::table::{Column, Report, Table, Value};

const EXAMPLES: &str = "\
Examples:
  termtally kwic coproduction code.pdf              every \"coproduction\", 40 characters each side
  termtally kwic \"co-produc*\" reports/*.pdf         a form with a wildcard, in many documents
  termtally kwic \"must not\" --sentence code.pdf     whole sentences around a phrase
  termtally kwic inform --mode substring code.pdf   also inside \"information\" (as a PDF viewer finds)
  termtally kwic --lexicon boddison-soan-2021 --category directive code.pdf
  termtally kwic --lexicon my-terms.toml --term Partnership -o partnership.csv code.pdf
                                                    a spreadsheet of hits to code by hand

PATTERN is written like a lexicon form: one or more words, `*` for any letters or digits inside a
word, matched case-insensitively under --mode. The cite column reads like `p. 61, para 4.9`.";

/// Default characters of context each side of a hit.
pub const DEFAULT_WIDTH: usize = 40;

/// Show every hit of a word, phrase or lexicon in context, with page and paragraph.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The PATTERN to find (unless --lexicon is given), then the documents (files, folders or
    /// quoted globs); `-` reads standard input.
    #[arg(required = true, value_name = "PATTERN | FILE")]
    pub items: Vec<String>,
    /// Find the terms of this lexicon (a built-in name or a .toml/.yml/.dic file) instead of a PATTERN.
    #[arg(long, short = 'l', value_name = "NAME|PATH")]
    pub lexicon: Option<String>,
    /// With --lexicon: only hits of the term with this label (repeatable).
    #[arg(long, value_name = "LABEL", requires = "lexicon")]
    pub term: Vec<String>,
    /// With --lexicon: only hits of terms in this category.
    #[arg(long, value_name = "NAME", requires = "lexicon")]
    pub category: Option<String>,
    /// How forms match the text.
    #[arg(long, short = 'm', value_enum, default_value_t = Mode::Word)]
    pub mode: Mode,
    /// Characters of context each side of the match [default: 40, or what fits the terminal].
    #[arg(long, short = 'w', value_name = "N")]
    pub width: Option<usize>,
    /// Show the whole sentence around each match instead of a fixed width.
    #[arg(long, short = 's', conflicts_with = "width")]
    pub sentence: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How much text around a hit to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Up to N characters each side (cut at character boundaries, white space trimmed).
    Chars(usize),
    /// The sentence(s) holding the hit (Unicode sentence boundaries, UAX #29).
    Sentence,
}

/// One hit in context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concordance {
    /// Index of the block in `Document::blocks`.
    #[serde(skip)]
    pub block: usize,
    pub page: Option<u32>,
    pub section: Option<String>,
    /// `p. 61, para 4.9` / `s. 19`.
    pub cite: String,
    pub left: String,
    /// The matched text as written in the document.
    #[serde(rename = "match")]
    pub matched: String,
    pub right: String,
    /// Index into the lexicon's terms.
    #[serde(skip)]
    pub term: usize,
    /// Byte offsets of the match in the block's text.
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

/// Every hit of `matcher` in `doc`, in document order, with `span` of context. The hits are
/// exactly those `count` counts: the same matcher over the same block texts.
pub fn contexts(doc: &Document, matcher: &Matcher, span: Span) -> Vec<Concordance> {
    // Blocks in parallel (a long document uses every core), kept in document order.
    let per_block: Vec<Vec<Concordance>> = doc
        .blocks
        .par_iter()
        .enumerate()
        .with_min_len(64)
        .map(|(index, block)| block_contexts(doc, index, block, matcher, span))
        .collect();
    per_block.into_iter().flatten().collect()
}

fn block_contexts(
    doc: &Document,
    index: usize,
    block: &Block,
    matcher: &Matcher,
    span: Span,
) -> Vec<Concordance> {
    let hits = matcher.hits(&block.text);
    if hits.is_empty() {
        return Vec::new();
    }
    let sentences = match span {
        Span::Sentence => sentence_bounds(&block.text),
        Span::Chars(_) => Vec::new(),
    };
    hits.into_iter()
        .map(|hit| concordance(doc, index, block, hit, span, &sentences))
        .collect()
}

/// The first `per_term` hits in context of each term (indexed by term), for `count
/// --with-contexts`. Stops reading blocks once every term has enough.
pub fn first_contexts(
    doc: &Document,
    matcher: &Matcher,
    span: Span,
    per_term: usize,
) -> Vec<Vec<Concordance>> {
    let mut by_term: Vec<Vec<Concordance>> = vec![Vec::new(); matcher.term_count()];
    if per_term == 0 {
        return by_term;
    }
    let mut full = 0;
    for (index, block) in doc.blocks.iter().enumerate() {
        let hits = matcher.hits(&block.text);
        if hits.is_empty() {
            continue;
        }
        let sentences = match span {
            Span::Sentence => sentence_bounds(&block.text),
            Span::Chars(_) => Vec::new(),
        };
        for hit in hits {
            let Some(list) = by_term.get_mut(hit.term) else {
                continue;
            };
            if list.len() < per_term {
                list.push(concordance(doc, index, block, hit, span, &sentences));
                if list.len() == per_term {
                    full += 1;
                }
            }
        }
        if full == by_term.len() {
            break;
        }
    }
    by_term
}

/// The first `per_term` hits in context of every term with hits, per document, as JSON for
/// `count --with-contexts N`: `[{"document", "term", "category", "hits": [{page, section, cite,
/// left, match, right}]}]`, documents in order, terms in lexicon order.
pub fn contexts_json(
    docs: &[Document],
    lexicon: &Lexicon,
    matcher: &Matcher,
    per_term: usize,
) -> serde_json::Value {
    let mut out = Vec::new();
    for doc in docs {
        let firsts = first_contexts(doc, matcher, Span::Chars(DEFAULT_WIDTH), per_term);
        for (term, hits) in lexicon.terms.iter().zip(firsts) {
            if hits.is_empty() {
                continue;
            }
            out.push(json!({
                "document": doc.name,
                "term": term.label,
                "category": term.category,
                "hits": hits,
            }));
        }
    }
    serde_json::Value::Array(out)
}

/// Byte ranges of the sentences of `text`.
fn sentence_bounds(text: &str) -> Vec<(usize, usize)> {
    text.split_sentence_bound_indices()
        .map(|(start, s)| (start, start + s.len()))
        .collect()
}

fn concordance(
    doc: &Document,
    index: usize,
    block: &Block,
    hit: Hit,
    span: Span,
    sentences: &[(usize, usize)],
) -> Concordance {
    let text = block.text.as_str();
    let (left, right) = match span {
        Span::Chars(width) => (
            left_chars(text, hit.start, width),
            right_chars(text, hit.end, width),
        ),
        Span::Sentence => {
            // The sentence the match starts in to the one it ends in (a match rarely spans two).
            let from = sentences
                .iter()
                .rev()
                .find(|(s, _)| *s <= hit.start)
                .map_or(0, |(s, _)| *s);
            let to = sentences
                .iter()
                .find(|(_, e)| *e >= hit.end)
                .map_or(text.len(), |(_, e)| *e);
            (&text[from..hit.start], &text[hit.end..to])
        }
    };
    Concordance {
        block: index,
        page: block.page,
        section: block.section.clone(),
        cite: doc.cite(block),
        left: one_line(left),
        matched: one_line(&text[hit.start..hit.end]),
        right: one_line(right),
        term: hit.term,
        start: hit.start,
        end: hit.end,
    }
}

/// Up to `width` characters of `text` ending at byte `end`.
fn left_chars(text: &str, end: usize, width: usize) -> &str {
    let before = &text[..end];
    let start = before
        .char_indices()
        .rev()
        .nth(width.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if width == 0 { "" } else { &before[start..] }
}

/// Up to `width` characters of `text` starting at byte `start`.
fn right_chars(text: &str, start: usize, width: usize) -> &str {
    let after = &text[start..];
    let end = after
        .char_indices()
        .nth(width)
        .map_or(after.len(), |(i, _)| i);
    &after[..end]
}

/// Trims and collapses white space (blocks that were not normalised may hold line breaks).
fn one_line(s: &str) -> String {
    let s = s.trim();
    if !s.contains(|c: char| c.is_whitespace() && c != ' ') && !s.contains("  ") {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which terms' hits to show.
fn selected_terms(
    lexicon: &Lexicon,
    labels: &[String],
    category: Option<&str>,
) -> anyhow::Result<Vec<bool>> {
    let mut selected = vec![labels.is_empty(); lexicon.terms.len()];
    for label in labels {
        match lexicon.term_index(label) {
            Some(i) => selected[i] = true,
            None => {
                let known: Vec<&str> = lexicon.terms.iter().map(|t| t.label.as_str()).collect();
                anyhow::bail!(
                    "{}: no term labelled {label:?} (terms: {})",
                    lexicon.origin,
                    known.join(", ")
                );
            }
        }
    }
    if let Some(name) = category {
        let Some(index) = lexicon.category_index(name) else {
            let known: Vec<&str> = lexicon.categories.iter().map(|c| c.name.as_str()).collect();
            anyhow::bail!(
                "{}: no category {name:?} (categories: {})",
                lexicon.origin,
                known.join(", ")
            );
        };
        for (term, keep) in lexicon.terms.iter().zip(selected.iter_mut()) {
            *keep &= term.category_index == index;
        }
    }
    Ok(selected)
}

/// The width of context that lets a row fit on the terminal, if output goes to one as a table.
fn terminal_width_fit(
    found: &[(&Document, Vec<Concordance>)],
    several_documents: bool,
    show_term: bool,
    lexicon: &Lexicon,
) -> Option<usize> {
    let columns = comfy_table::Table::new().width()? as usize;
    let longest = |f: &dyn Fn(&Concordance) -> usize| {
        found
            .iter()
            .flat_map(|(_, rows)| rows.iter())
            .map(f)
            .max()
            .unwrap_or(0)
    };
    let cite = longest(&|c| c.cite.chars().count()).max(4);
    let matched = longest(&|c| c.matched.chars().count()).max(5);
    let term = if show_term {
        longest(&|c| {
            lexicon
                .terms
                .get(c.term)
                .map_or(0, |t| t.label.chars().count())
        })
        .max(4)
            + 3
            + lexicon
                .categories
                .iter()
                .map(|c| c.name.chars().count())
                .max()
                .unwrap_or(8)
            + 3
    } else {
        0
    };
    let document = if several_documents {
        found
            .iter()
            .map(|(d, _)| d.name.chars().count())
            .max()
            .unwrap_or(8)
            + 3
    } else {
        0
    };
    // Borders and padding: 3 characters per column plus one.
    let fixed = cite + 3 + matched + 3 + term + document + 2 * 3 + 1;
    Some((columns.saturating_sub(fixed) / 2).clamp(10, DEFAULT_WIDTH))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::output::check_destination(&args.output)?;
    let (lexicon, files) = match &args.lexicon {
        Some(spec) => (Lexicon::load(spec)?, args.items.clone()),
        None => {
            let (pattern, files) = args
                .items
                .split_first()
                .ok_or_else(|| anyhow::anyhow!("give a PATTERN and at least one FILE"))?;
            let looks_like_a_file = std::path::Path::new(pattern).is_file();
            let no_files = files.is_empty() && args.input.files_from.is_none();
            if no_files || (looks_like_a_file && Lexicon::from_pattern(pattern).is_err()) {
                if looks_like_a_file {
                    anyhow::bail!(
                        "{pattern:?} is a file, not a PATTERN: give the word or phrase to find first \
                         (termtally kwic PATTERN FILE...), or --lexicon NAME|PATH to find a lexicon's terms"
                    );
                }
                anyhow::bail!(
                    "give at least one FILE after the PATTERN {pattern:?} (or use --lexicon NAME|PATH to find a lexicon's terms)"
                );
            }
            (Lexicon::from_pattern(pattern)?, files.to_vec())
        }
    };
    if files.is_empty() && args.input.files_from.is_none() {
        anyhow::bail!("give at least one FILE to search");
    }
    let selected = selected_terms(&lexicon, &args.term, args.category.as_deref())?;
    // The whole lexicon is matched and hits filtered afterwards: in word mode a longer form of
    // another term ("must not") takes its words from a shorter one ("must"), exactly as in count.
    let matcher = Matcher::new(&lexicon, args.mode)?;

    let outcome = Outcome::new();
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let documents = super::load_documents(&paths, &args.input, &outcome)?;
    if documents.is_empty() {
        return Ok(outcome.exit_code());
    }

    let format = resolve_format(&args.output, OutputFormat::Table)?;
    let to_terminal = format == OutputFormat::Table
        && args
            .output
            .output
            .as_ref()
            .is_none_or(|p| p.as_os_str() == "-")
        && std::io::stdout().is_terminal();
    let requested = match (args.sentence, args.width) {
        (true, _) => Span::Sentence,
        (false, Some(width)) => Span::Chars(width),
        (false, None) => Span::Chars(DEFAULT_WIDTH),
    };
    let mut found: Vec<(&Document, Vec<Concordance>)> = documents
        .iter()
        .map(|doc| {
            let mut rows = contexts(doc, &matcher, requested);
            rows.retain(|c| selected.get(c.term).copied().unwrap_or(false));
            (doc, rows)
        })
        .collect();
    let several_documents = documents.len() > 1;
    let show_term = lexicon.terms.len() > 1;
    if to_terminal && args.width.is_none() && !args.sentence {
        // Fit the terminal so the keyword column stays one aligned line per hit.
        if let Some(width) = terminal_width_fit(&found, several_documents, show_term, &lexicon) {
            for (_, rows) in &mut found {
                for row in rows.iter_mut() {
                    row.left = left_chars(&row.left, row.left.len(), width)
                        .trim_start()
                        .to_string();
                    row.right = right_chars(&row.right, 0, width).trim_end().to_string();
                }
            }
        }
    }

    let report = build_report(&lexicon, args.mode, &found, several_documents, show_term);
    write_report(&report, &args.output, OutputFormat::Table)?;
    Ok(outcome.exit_code())
}

/// The concordance table; `term`/`category` shown on screen only for a lexicon of several
/// terms, `document` only for several documents (machine formats always carry them).
pub fn build_report(
    lexicon: &Lexicon,
    mode: Mode,
    found: &[(&Document, Vec<Concordance>)],
    several_documents: bool,
    show_term: bool,
) -> Report {
    let hide = |column: Column, shown: bool| if shown { column } else { column.machine_only() };
    let columns = vec![
        hide(Column::new("document", "Document"), several_documents),
        Column::new("page", "Page").right().machine_only(),
        Column::new("section", "Section").machine_only(),
        Column::new("cite", "Cite"),
        Column::new("left", "Left context").right(),
        Column::new("match", "Match").highlighted(),
        Column::new("right", "Right context"),
        hide(Column::new("term", "Term"), show_term),
        hide(Column::new("category", "Category"), show_term),
    ];
    let mut table = Table::new(columns);
    let mut per_term = vec![0u64; lexicon.terms.len()];
    for (doc, rows) in found {
        for c in rows {
            let term = lexicon.terms.get(c.term);
            if let Some(n) = per_term.get_mut(c.term) {
                *n += 1;
            }
            table.push(vec![
                Value::text(&doc.name),
                c.page.map_or(Value::Null, |p| Value::Int(p.into())),
                Value::opt_text(c.section.clone()),
                Value::text(&c.cite),
                Value::text(&c.left),
                Value::text(&c.matched),
                Value::text(&c.right),
                Value::opt_text(term.map(|t| t.label.clone())),
                Value::opt_text(term.map(|t| t.category.clone())),
            ]);
        }
    }

    let mut report = Report::default();
    report.meta.insert("command".into(), json!("kwic"));
    report.meta.insert("lexicon".into(), json!(lexicon.origin));
    report.meta.insert("mode".into(), json!(mode.name()));
    report.meta.insert(
        "documents".into(),
        json!(
            found
                .iter()
                .map(|(d, rows)| json!({"name": d.name, "hits": rows.len()}))
                .collect::<Vec<_>>()
        ),
    );
    let total = table.rows.len();
    let hits_word = if total == 1 { "hit" } else { "hits" };
    let docs = found.len();
    let docs_word = if docs == 1 { "document" } else { "documents" };
    let mut summary = format!(
        "{total} {hits_word} in {docs} {docs_word}, {} mode",
        mode.name()
    );
    if show_term {
        let counted: Vec<String> = lexicon
            .terms
            .iter()
            .zip(&per_term)
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| format!("{} {n}", t.label))
            .collect();
        if !counted.is_empty() {
            summary.push_str(&format!(" ({})", counted.join(", ")));
        }
    }
    summary.push('.');
    report.notes.push(summary);
    if mode.terms_overlap() && show_term {
        report.notes.push(
            "In substring mode terms overlap (\"inform\" is inside \"information\"), so one stretch of text can be a hit of several terms."
                .to_string(),
        );
    }
    report.tables.push(table);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;

    fn doc(blocks: &[(u32, Option<&str>, &str)]) -> Document {
        let mut d = Document::new("test.pdf", Format::Pdf);
        d.blocks = blocks
            .iter()
            .map(|(page, section, text)| Block {
                page: Some(*page),
                part: None,
                section: section.map(str::to_string),
                text: text.to_string(),
            })
            .collect();
        d
    }

    #[test]
    fn character_windows_cut_at_char_boundaries_and_trim() {
        let text = "Café naïve  coproduction  façade élan";
        let start = text.find("coproduction").unwrap();
        let end = start + "coproduction".len();
        assert_eq!(left_chars(text, start, 7), "naïve  ");
        assert_eq!(right_chars(text, end, 9), "  façade ");
        assert_eq!(left_chars(text, start, 0), "");
        assert_eq!(left_chars(text, start, 500), &text[..start]);
        assert_eq!(right_chars(text, end, 500), &text[end..]);
        assert_eq!(one_line("  a\n b  "), "a b");
    }

    #[test]
    fn rows_carry_page_section_cite_and_exact_match() {
        let d = doc(&[
            (
                61,
                Some("4.9"),
                "This is often referred to as 'Coproduction'. It matters.",
            ),
            (62, None, "No hits here."),
            (63, Some("4.12"), "coproduction again, and CO-PRODUCTION"),
        ]);
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let rows = contexts(&d, &m, Span::Chars(12));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cite, "p. 61, para 4.9");
        assert_eq!(rows[0].matched, "Coproduction");
        assert_eq!(rows[0].left, "rred to as '");
        assert_eq!(rows[0].right, "'. It matter");
        assert_eq!(rows[2].matched, "CO-PRODUCTION");
        assert_eq!(rows[2].page, Some(63));
        assert_eq!(rows[2].section.as_deref(), Some("4.12"));
        assert_eq!(rows[2].right, "");
        assert_eq!(lex.terms[rows[2].term].label, "Coproduction");
    }

    #[test]
    fn sentence_span_gives_the_whole_sentence() {
        let d = doc(&[(
            1,
            None,
            "First sentence here. Parents must not be ignored, e.g. in reviews. Last one.",
        )]);
        let lex = Lexicon::from_pattern("must not").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let rows = contexts(&d, &m, Span::Sentence);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].left, "Parents");
        assert_eq!(rows[0].matched, "must not");
        assert_eq!(rows[0].right, "be ignored, e.g. in reviews.");
    }

    #[test]
    fn first_contexts_keeps_n_per_term() {
        let d = doc(&[
            (1, None, "inform inform advise"),
            (2, None, "inform advise advise"),
        ]);
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let firsts = first_contexts(&d, &m, Span::Chars(10), 2);
        let inform = lex.term_index("Inform").unwrap();
        let advise = lex.term_index("Advise").unwrap();
        assert_eq!(firsts[inform].len(), 2);
        assert_eq!(firsts[advise].len(), 2);
        assert_eq!(firsts[advise][1].page, Some(2));
        assert_eq!(firsts.iter().map(Vec::len).sum::<usize>(), 4);
    }

    #[test]
    fn term_and_category_filters() {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let only = selected_terms(&lex, &["inform".to_string()], None).unwrap();
        assert_eq!(only.iter().filter(|&&s| s).count(), 1);
        let directive = selected_terms(&lex, &[], Some("directive")).unwrap();
        assert!(
            directive
                .iter()
                .zip(&lex.terms)
                .all(|(s, t)| *s == (t.category == "directive"))
        );
        let err = selected_terms(&lex, &["nope".to_string()], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no term labelled \"nope\""), "{err}");
        assert!(selected_terms(&lex, &[], Some("nope")).is_err());
    }
}
