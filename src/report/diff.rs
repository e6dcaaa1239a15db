//! The report of `termtally diff` (its JSON is documented at the top of `cmd/diff.rs`): the
//! keyness of each term, category and (optionally) word between two sides, as one `Report`,
//! shared by `diff`, `report` (its Change section) and `serve`.

use std::cmp::Ordering;

use serde_json::{Value as Json, json};

use crate::count::{CorpusCounts, category_totals};
use crate::keyness::{Correction, Keyness, LlForm, WordRow, corrected_alpha, critical_g2, p_below};
use crate::lexicon::Lexicon;
use crate::matcher::Mode;
use crate::table::{Column, Report, Row, Table, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Log-likelihood G2, largest first (the most significant change).
    Keyness,
    /// Log Ratio, largest first: most over-represented in NEW at the top, most under-represented
    /// at the bottom.
    Ratio,
    /// OLD + NEW count, largest first.
    Count,
}

impl SortBy {
    pub const ALL: [SortBy; 3] = [SortBy::Keyness, SortBy::Ratio, SortBy::Count];

    pub fn name(self) -> &'static str {
        match self {
            SortBy::Keyness => "keyness",
            SortBy::Ratio => "ratio",
            SortBy::Count => "count",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            SortBy::Keyness => "Log-likelihood G2, largest first (the most significant change)",
            SortBy::Ratio => {
                "Log Ratio, largest first: most over-represented in NEW at the top, most \
                 under-represented at the bottom"
            }
            SortBy::Count => "OLD + NEW count, largest first",
        }
    }
}

/// Choices that shape the report.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub mode: Mode,
    pub min_count: u64,
    pub sort: SortBy,
    pub form: LlForm,
    /// Significance level of terms and categories (and of words before correction).
    pub alpha: f64,
    pub correction: Correction,
    /// Only the first N rows of the word list.
    pub top: Option<usize>,
}

impl ReportOptions {
    /// `termtally diff`'s defaults (no option given) for `mode`: the report's change section
    /// uses them so its numbers are those of `diff --old ... --new ...`.
    pub fn defaults(mode: Mode) -> Self {
        ReportOptions {
            mode,
            min_count: 0,
            sort: SortBy::Keyness,
            form: LlForm::TwoTerm,
            alpha: 0.05,
            correction: Correction::Bonferroni,
            top: None,
        }
    }
}

/// The order of two rows under `sort`; ties by label so output is stable.
fn compare_rows(sort: SortBy, (lx, kx): (&str, &Keyness), (ly, ky): (&str, &Keyness)) -> Ordering {
    let primary = match sort {
        SortBy::Keyness => ky
            .log_likelihood
            .total_cmp(&kx.log_likelihood)
            .then_with(|| ky.log_ratio.abs().total_cmp(&kx.log_ratio.abs())),
        SortBy::Ratio => ky.log_ratio.total_cmp(&kx.log_ratio),
        SortBy::Count => (ky.old_count + ky.new_count).cmp(&(kx.old_count + kx.new_count)),
    };
    primary.then_with(|| lx.cmp(ly))
}

/// `positive` / `negative` keyword (significant at p < `alpha`), else empty.
pub fn keyword(k: &Keyness, alpha: f64) -> &'static str {
    match (k.is_significant_at(alpha), k.status.direction().cmp(&0)) {
        (true, Ordering::Greater) => "positive",
        (true, Ordering::Less) => "negative",
        _ => "",
    }
}

/// Which of `term` and `category` display formats show (machine formats carry both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Lexicon terms: the term, highlighted, and its category.
    TermAndCategory,
    /// Category totals: the category, highlighted (`term` is null).
    Category,
    /// Words: the word (`category` is null).
    Term,
}

fn columns(shown: Shown) -> Vec<Column> {
    let term = Column::new("term", "Term").highlighted();
    let category = Column::new("category", "Category");
    let (term, category) = match shown {
        Shown::TermAndCategory => (term, category),
        Shown::Category => (term.machine_only(), category.highlighted()),
        Shown::Term => (term, category.machine_only()),
    };
    vec![
        Column::new("kind", "Kind").machine_only(),
        term,
        category,
        Column::number("old_count", "OLD"),
        Column::number("old_per_10k", "OLD /10k"),
        Column::number("new_count", "NEW"),
        Column::number("new_per_10k", "NEW /10k"),
        Column::number("change_per_10k", "Change /10k"),
    ]
    .into_iter()
    .chain(keyness_columns())
    .chain([
        Column::number("old_tokens", "OLD tokens").machine_only(),
        Column::number("new_tokens", "NEW tokens").machine_only(),
    ])
    .collect()
}

/// The columns of the statistics of one comparison (also `trend`'s, one per step).
pub fn keyness_columns() -> Vec<Column> {
    vec![
        Column::new("status", "Status"),
        Column::new("direction", "Direction").machine_only(),
        Column::number("log_likelihood", "G2"),
        Column::number("p_value", "p"),
        Column::new("significance", "Sig."),
        Column::number("p_below", "p <").machine_only(),
        Column::number("log_ratio", "Log Ratio"),
        Column::number("pct_diff", "%DIFF"),
        Column::number("bic", "BIC"),
        Column::number("ell", "ELL"),
        Column::new("keyword", "Keyword"),
    ]
}

/// The cells of [`keyness_columns`]; status and keyword at significance level `alpha`.
pub fn keyness_cells(k: &Keyness, alpha: f64) -> Vec<Value> {
    vec![
        Value::text(k.status_at(alpha).name()),
        Value::text(k.status.name()),
        Value::Float(k.log_likelihood, 2),
        Value::Float(k.p_value, 4),
        Value::text(k.significance()),
        p_below(k.p_value).map_or(Value::Null, |p| Value::Float(p, 4)),
        Value::Float(k.log_ratio, 2),
        k.pct_diff.map_or(Value::Null, |p| Value::Float(p, 1)),
        Value::Float(k.bic, 2),
        k.ell.map_or(Value::Null, |e| Value::Float(e, 6)),
        Value::text(keyword(k, alpha)),
    ]
}

/// A row's cells; status and keyword at significance level `alpha`.
fn cells(kind: &str, term: Value, category: Value, k: &Keyness, alpha: f64) -> Vec<Value> {
    vec![
        Value::text(kind),
        term,
        category,
        Value::Int(k.old_count as i64),
        Value::Significant(k.old_rate(), 4),
        Value::Int(k.new_count as i64),
        Value::Significant(k.new_rate(), 4),
        Value::Float(k.rate_change(), 2),
    ]
    .into_iter()
    .chain(keyness_cells(k, alpha))
    .chain([
        Value::Int(k.old_tokens as i64),
        Value::Int(k.new_tokens as i64),
    ])
    .collect()
}

/// How many rows rose and fell significantly at level `alpha`.
fn significant_moves<'a>(ks: impl Iterator<Item = &'a Keyness>, alpha: f64) -> (usize, usize) {
    ks.fold((0, 0), |(up, down), k| match keyword(k, alpha) {
        "positive" => (up + 1, down),
        "negative" => (up, down + 1),
        _ => (up, down),
    })
}

pub fn side_json(counts: &CorpusCounts) -> Json {
    json!({
        "documents": counts.documents.iter().map(|d| json!({"path": d.name, "tokens": d.tokens})).collect::<Vec<_>>(),
        "tokens": counts.tokens,
    })
}

fn describe_side(name: &str, counts: &CorpusCounts) -> String {
    let n = counts.documents.len();
    let docs = if n == 1 {
        counts.documents[0].name.clone()
    } else {
        format!("{n} documents")
    };
    format!("{name}: {docs}, {} tokens", counts.tokens)
}

/// A significance level as people write it: 0.05, 0.025, 0.0001; smaller ones as 2.735e-5.
fn level_text(alpha: f64) -> String {
    if alpha >= 0.0001 {
        let text = format!("{alpha:.6}");
        text.trim_end_matches('0').to_string()
    } else {
        format!("{alpha:.3e}")
    }
}

/// What the columns mean, with the log-likelihood form and significance level in force.
pub fn statistics_note(form: LlForm, alpha: f64) -> String {
    let ll = match form {
        LlForm::TwoTerm => "two-term form (Rayson & Garside 2000, as the UCREL wizard)",
        LlForm::FourTerm => "four-term form over the 2x2 table (as AntConc)",
    };
    format!(
        "NEW compared with OLD. G2: log-likelihood, {ll}; p: chi-squared, 1 d.f.; \
         Sig.: * p<0.05, ** p<0.01, *** p<0.001, **** p<0.0001. \
         Status: up, down, new or gone only when p < {alpha}, else \"no significant change\". \
         Log Ratio: log2 of NEW's rate over OLD's (1 = twice as frequent in NEW; a zero count taken as 0.5). \
         %DIFF: change in rate as a percentage of OLD's, empty when OLD has none. \
         BIC: G2 - ln N (negative: weak evidence, even if significant). \
         ELL: G2 / (N ln Emin), empty when the smaller expected count is at most 1. \
         Keyword: positive/negative = significantly more/less frequent in NEW."
    )
}

/// The report: lexicon terms, category totals, and (with `--all-words`) every word type.
pub fn build_report(
    lexicon: &Lexicon,
    options: &ReportOptions,
    old: &CorpusCounts,
    new: &CorpusCounts,
    words: Option<Vec<WordRow>>,
) -> Report {
    let mut report = Report::default();
    report.meta.insert("command".into(), json!("diff"));
    report.meta.insert(
        "lexicon".into(),
        json!({"name": lexicon.name, "origin": lexicon.origin, "source": lexicon.source}),
    );
    report
        .meta
        .insert("mode".into(), json!(options.mode.name()));
    report.meta.insert("old".into(), side_json(old));
    report.meta.insert("new".into(), side_json(new));

    let (table, (terms_up, terms_down)) = terms_table(lexicon, options, old, new);
    report.tables.push(table);
    report
        .tables
        .push(categories_table(lexicon, options, old, new));

    let mut summary = format!(
        "{}; {}. Lexicon terms: {terms_up} rose and {terms_down} fell significantly (p < {}).",
        describe_side("OLD", old),
        describe_side("NEW", new),
        options.alpha,
    );
    let mut statistics = json!({
        "log_likelihood": options.form.name(),
        "p": options.alpha,
        "correction": options.correction.name(),
        "words_compared": null,
        "word_p": null,
        "word_critical_g2": null,
    });
    if let Some(words) = words {
        let (table, words_summary, tested) = words_table(words, options);
        summary.push_str(&words_summary);
        statistics["words_compared"] = json!(tested.m);
        statistics["word_p"] = json!(tested.alpha);
        statistics["word_critical_g2"] = json!(tested.critical_g2);
        report.tables.push(table);
    }
    report.meta.insert("statistics".into(), statistics);

    report.notes.push(summary);
    report
        .notes
        .push(statistics_note(options.form, options.alpha));
    for (name, side) in [("OLD", old), ("NEW", new)] {
        if side.tokens == 0 {
            report.notes.push(format!(
                "{name} has no words (a scanned PDF without a text layer?), so its rates are 0 and the statistics mean nothing."
            ));
        }
    }
    report
}

/// The lexicon's terms, sorted, with the numbers of terms that rose and fell significantly
/// (counted before `--min-count` leaves some out).
fn terms_table(
    lexicon: &Lexicon,
    options: &ReportOptions,
    old: &CorpusCounts,
    new: &CorpusCounts,
) -> (Table, (usize, usize)) {
    let mut terms: Vec<(usize, Keyness)> = (0..lexicon.terms.len())
        .map(|i| {
            let o = old.counts.get(i).copied().unwrap_or(0);
            let n = new.counts.get(i).copied().unwrap_or(0);
            (
                i,
                Keyness::compute(options.form, o, n, old.tokens, new.tokens),
            )
        })
        .collect();
    let moves = significant_moves(terms.iter().map(|(_, k)| k), options.alpha);
    terms.retain(|(_, k)| k.old_count + k.new_count >= options.min_count);
    let label = |i: usize| lexicon.terms[i].label.as_str();
    terms.sort_by(|(x, kx), (y, ky)| compare_rows(options.sort, (label(*x), kx), (label(*y), ky)));
    let mut table = Table::new(columns(Shown::TermAndCategory));
    table.title = Some(format!(
        "Terms of {} ({} mode)",
        lexicon.name,
        options.mode.name()
    ));
    for (i, k) in &terms {
        let term = &lexicon.terms[*i];
        table.push(cells(
            "term",
            Value::text(&term.label),
            Value::text(&term.category),
            k,
            options.alpha,
        ));
    }
    if options.min_count > 0 {
        table.notes.push(format!(
            "Terms counted fewer than {} times on both sides together are left out.",
            options.min_count
        ));
    }
    (table, moves)
}

/// Category totals, in lexicon order.
fn categories_table(
    lexicon: &Lexicon,
    options: &ReportOptions,
    old: &CorpusCounts,
    new: &CorpusCounts,
) -> Table {
    let old_totals = category_totals(lexicon, &old.counts);
    let new_totals = category_totals(lexicon, &new.counts);
    let mut table = Table::new(columns(Shown::Category));
    table.title = Some("Category totals".to_string());
    for (c, category) in lexicon.categories.iter().enumerate() {
        let k = Keyness::compute(
            options.form,
            old_totals[c],
            new_totals[c],
            old.tokens,
            new.tokens,
        );
        let name = Value::text(&category.name);
        table.push_row(Row {
            cells: cells("category", Value::Null, name, &k, options.alpha),
            bold: true,
        });
    }
    if options.mode.terms_overlap() {
        table.notes.push(
            "In substring mode terms overlap (\"inform\" is also counted inside \"information\"), so category totals count some text more than once."
                .to_string(),
        );
    }
    table
}

/// The test applied to the word list: m word types compared, the corrected level and the G2
/// it takes.
struct WordTest {
    m: usize,
    alpha: f64,
    critical_g2: f64,
}

/// Every word (`--all-words`), tested at a level corrected for the number compared, sorted, and
/// its sentence of the summary note.
fn words_table(mut words: Vec<WordRow>, options: &ReportOptions) -> (Table, String, WordTest) {
    let types = words.len();
    words.retain(|(_, k)| k.old_count + k.new_count >= options.min_count);
    let m = words.len();
    let alpha = corrected_alpha(options.alpha, m, options.correction);
    let tested = WordTest {
        m,
        alpha,
        critical_g2: critical_g2(alpha),
    };
    let (up, down) = significant_moves(words.iter().map(|(_, k)| k), alpha);
    words.sort_by(|(x, kx), (y, ky)| compare_rows(options.sort, (x, kx), (y, ky)));
    let shown = options.top.unwrap_or(m).min(m);
    let mut table = Table::new(columns(Shown::Term));
    table.title = Some(format!("Every word ({m} word types compared)"));
    for (word, k) in &words[..shown] {
        table.push(cells("word", Value::text(word), Value::Null, k, alpha));
    }
    if options.min_count > 0 {
        table.notes.push(format!(
            "{m} of {types} word types are compared: those counted at least {} times on both sides together.",
            options.min_count
        ));
    }
    let correction = options.correction.name();
    table.notes.push(format!(
        "Significance of words corrected for m = {m} word types compared ({correction}): p < {}, that is G2 >= {:.3}.",
        level_text(alpha),
        tested.critical_g2,
    ));
    table.note_top(shown, m);
    let summary = format!(
        " Words: {up} of {m} types rose and {down} fell significantly (p < {}, {correction} correction).",
        level_text(alpha)
    );
    (table, summary, tested)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::Unit;
    use crate::count::{DocumentCounts, count_corpus};
    use crate::document::Format;
    use crate::frequency::word_counts;
    use crate::keyness::Status;
    use crate::keyness::compare_words;
    use crate::matcher::Matcher;
    use crate::testing::text_document;

    #[test]
    fn compare_words_covers_both_sides() {
        let old = text_document("old", &["inform inform involve"]);
        let new = text_document("new", &["involve coproduction coproduction"]);
        let (wo, wn) = (
            word_counts(std::slice::from_ref(&old)),
            word_counts(std::slice::from_ref(&new)),
        );
        let mut rows = compare_words(LlForm::TwoTerm, &wo, &wn, 3, 3);
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let got: Vec<(&str, u64, u64, Status)> = rows
            .iter()
            .map(|(w, k)| (w.as_str(), k.old_count, k.new_count, k.status))
            .collect();
        assert_eq!(
            got,
            [
                ("coproduction", 0, 2, Status::New),
                ("inform", 2, 0, Status::Gone),
                ("involve", 1, 1, Status::Same),
            ]
        );
    }

    fn corpus(tokens: u64, counts: Vec<u64>) -> CorpusCounts {
        CorpusCounts {
            documents: vec![DocumentCounts {
                name: "x".into(),
                format: Format::Text,
                pages: None,
                tokens,
                counts: counts.clone(),
                excluded: vec![0; counts.len()],
                pages_without_text: Vec::new(),
                units: Vec::new(),
            }],
            tokens,
            excluded: vec![0; counts.len()],
            counts,
        }
    }

    #[test]
    fn report_sorts_by_keyness_and_marks_negative_keywords() {
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let n = lex.terms.len();
        let inform = lex.term_index("Inform").unwrap();
        let coproduction = lex.term_index("Coproduction").unwrap();
        let advise = lex.term_index("Advise").unwrap();
        let mut old_counts = vec![0; n];
        let mut new_counts = vec![0; n];
        old_counts[inform] = 100;
        new_counts[inform] = 20;
        old_counts[coproduction] = 1;
        new_counts[coproduction] = 30;
        old_counts[advise] = 5;
        new_counts[advise] = 6;
        let options = ReportOptions {
            mode: Mode::Word,
            min_count: 1,
            sort: SortBy::Keyness,
            form: LlForm::TwoTerm,
            alpha: 0.05,
            correction: Correction::Bonferroni,
            top: None,
        };
        let report = build_report(
            &lex,
            &options,
            &corpus(10_000, old_counts),
            &corpus(10_000, new_counts),
            None,
        );
        let json = crate::render::to_json(&report);
        let rows = json["rows"].as_array().unwrap();
        let terms: Vec<&Json> = rows.iter().filter(|r| r["kind"] == "term").collect();
        assert_eq!(
            terms.len(),
            3,
            "min-count 1 leaves out terms absent from both"
        );
        assert_eq!(terms[0]["term"], "Inform");
        assert_eq!(terms[0]["keyword"], "negative");
        assert_eq!(terms[0]["status"], "down");
        assert!(terms[0]["log_ratio"].as_f64().unwrap() < 0.0);
        assert_eq!(terms[1]["term"], "Coproduction");
        assert_eq!(terms[1]["keyword"], "positive");
        assert_eq!(terms[2]["term"], "Advise");
        assert_eq!(terms[2]["keyword"], "");
        assert!(terms[0]["log_likelihood"].as_f64() > terms[1]["log_likelihood"].as_f64());
        for key in [
            "old_count",
            "new_count",
            "old_tokens",
            "new_tokens",
            "pct_diff",
            "category",
        ] {
            assert!(terms[0].get(key).is_some(), "{key}");
        }
        let categories: Vec<&Json> = rows.iter().filter(|r| r["kind"] == "category").collect();
        assert_eq!(categories.len(), lex.categories.len());
        assert_eq!(categories[0]["term"], Json::Null);
        let directive = categories
            .iter()
            .find(|r| r["category"] == "directive")
            .unwrap();
        assert_eq!(directive["old_count"], 105);
        assert_eq!(directive["new_count"], 26);
        let summary = json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n.as_str().unwrap().starts_with("OLD"))
            .unwrap();
        assert!(
            summary
                .as_str()
                .unwrap()
                .contains("1 rose and 1 fell significantly"),
            "{summary}"
        );
    }

    #[test]
    fn identical_sides_have_zero_keyness_everywhere() {
        let d = text_document(
            "same",
            &["Parents must be informed and involved; co-operation with parents, inform."],
        );
        let lex = Lexicon::load("boddison-soan-2021").unwrap();
        let m = Matcher::new(&lex, Mode::Word).unwrap();
        let c = count_corpus(std::slice::from_ref(&d), &m, Unit::Document);
        let wc = word_counts(std::slice::from_ref(&d));
        let words = compare_words(LlForm::TwoTerm, &wc, &wc, c.tokens, c.tokens);
        let options = ReportOptions::defaults(Mode::Word);
        let report = build_report(&lex, &options, &c, &c, Some(words));
        let json = crate::render::to_json(&report);
        for row in json["rows"].as_array().unwrap() {
            assert_eq!(row["log_likelihood"], 0.0, "{row}");
            assert_eq!(row["status"], "no significant change", "{row}");
            assert_eq!(row["direction"], "same", "{row}");
            assert_eq!(row["p_value"], 1.0, "{row}");
        }
    }

    #[test]
    fn levels_read_as_people_write_them() {
        assert_eq!(level_text(0.05), "0.05");
        assert_eq!(level_text(0.025), "0.025");
        assert_eq!(level_text(0.0001), "0.0001");
        assert_eq!(level_text(0.05 / 1828.0), "2.735e-5");
    }
}
