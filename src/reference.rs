//! The study's published figures, embedded as data: Tables 1 and 2 of Boddison & Soan (2021),
//! row by row in the paper's order, with the paper's labels, counts, notes and bold marking.
//!
//! Transcribed from the paper (via `shared/reference/boddison-soan-2021-tables.csv`; a test checks
//! the two agree). `directive` is the paper's bold: the words it calls directive (professional to
//! parents / young people); the others are its joint-working (collaborative) terms.

/// The study these figures come from.
pub const CITATION: &str = "Boddison, A. and Soan, S. (2021) \"The coproduction illusion: considering the \
relative success rates and efficiency rates of securing an Education, Health and Care plan when requested by \
families or education professionals\", Journal of Research in Special Educational Needs. doi:10.1111/1471-3802.12545";

/// The study's DOI, for links.
pub const DOI: &str = "10.1111/1471-3802.12545";

/// Which of the study's two documents a table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StudyDocument {
    /// Children and Families Act 2014 (Table 1).
    Act,
    /// SEND Code of Practice 0-25, January 2015 (Table 2).
    Code,
}

impl StudyDocument {
    /// The document's name as the reference data gives it.
    pub fn name(self) -> &'static str {
        match self {
            StudyDocument::Act => "Children and Families Act 2014",
            StudyDocument::Code => "SEND Code of Practice 0-25 (January 2015)",
        }
    }

    /// The manifest id of the document (see `corpora/manifest.toml`).
    pub fn manifest_id(self) -> &'static str {
        match self {
            StudyDocument::Act => "children-and-families-act-2014",
            StudyDocument::Code => "send-code-of-practice-2015",
        }
    }

    /// The study table that counts this document.
    pub fn table(self) -> u8 {
        match self {
            StudyDocument::Act => 1,
            StudyDocument::Code => 2,
        }
    }
}

/// One row of the study's Tables 1 and 2, as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyRow {
    /// 1 or 2.
    pub table: u8,
    /// 1-based position in the paper's table.
    pub row: u8,
    /// The word searched, exactly as printed (also the term label of the built-in lexicon
    /// `boddison-soan-2021`).
    pub label: &'static str,
    /// The paper's count.
    pub paper_count: u32,
    /// The paper's parenthetical beside the word, e.g. "(Mediation adviser)".
    pub paper_note: Option<&'static str>,
    /// Printed in bold: a directive word.
    pub directive: bool,
    pub document: StudyDocument,
}

/// Table titles as printed.
pub fn table_title(table: u8) -> &'static str {
    match table {
        1 => "The expert voice - language used in the Children and Families Act 2014",
        _ => "Terms used to explain the sharing of information",
    }
}

/// The paper's stated directive share for Table 2: "91% (1379) of the twelve words identified
/// (total: n=1510)". Kept to check the recomputation against what the paper prints.
pub const PAPER_TABLE2_DIRECTIVE: u32 = 1379;
pub const PAPER_TABLE2_TOTAL: u32 = 1510;
pub const PAPER_TABLE2_PERCENT: u32 = 91;

const fn r(
    table: u8,
    row: u8,
    label: &'static str,
    paper_count: u32,
    paper_note: Option<&'static str>,
    directive: bool,
) -> StudyRow {
    StudyRow {
        table,
        row,
        label,
        paper_count,
        paper_note,
        directive,
        document: if table == 1 {
            StudyDocument::Act
        } else {
            StudyDocument::Code
        },
    }
}

/// All 31 rows, Table 1 then Table 2, each in the paper's order.
pub const ROWS: [StudyRow; 31] = [
    r(1, 1, "Co-operating", 6, None, false),
    r(1, 2, "Co-operation", 3, None, false),
    r(1, 3, "Advise", 14, None, true),
    r(1, 4, "Adviser", 12, Some("(Mediation adviser)"), true),
    r(1, 5, "information", 150, None, true),
    r(1, 6, "Informed", 5, None, true),
    r(1, 7, "Inform", 9, None, true),
    r(1, 8, "Coproduction", 0, None, false),
    r(1, 9, "Collaborate", 0, None, false),
    r(1, 10, "Collaboration", 0, None, false),
    r(1, 11, "Collaborative/ly", 0, None, false),
    r(1, 12, "Considers", 20, None, true),
    r(1, 13, "Involve", 33, None, true),
    r(1, 14, "Involved", 4, None, true),
    r(
        1,
        15,
        "Partnership",
        0,
        Some("(in relation to SEN/D)"),
        false,
    ),
    r(2, 1, "Co-operate", 31, None, false),
    r(2, 2, "Co-operation", 2, None, false),
    r(2, 3, "Advise", 3, None, true),
    r(2, 4, "Adviser", 33, None, true),
    r(2, 5, "information", 493, None, true),
    r(2, 6, "Informed", 28, None, true),
    r(2, 7, "Inform", 599, None, true),
    r(2, 8, "Coproduction", 1, None, false),
    r(2, 9, "Collaborate", 1, None, false),
    r(2, 10, "Collaboration", 10, None, false),
    r(2, 11, "Collaborative/ly", 4, None, false),
    r(2, 12, "Considers", 223, None, true),
    r(2, 13, "Involve", 33, None, false),
    r(2, 14, "Involved", 11, None, false),
    r(2, 15, "Partnership", 22, None, false),
    r(2, 16, "Integrated", 16, None, false),
];

/// The rows of one table (1 or 2), in the paper's order.
pub fn table_rows(table: u8) -> impl Iterator<Item = &'static StudyRow> {
    ROWS.iter().filter(move |r| r.table == table)
}

/// Directive hits and all hits under a marking: `(directive, total)`.
pub fn directive_share<I>(counts: I) -> (u64, u64)
where
    I: IntoIterator<Item = (bool, u64)>,
{
    counts.into_iter().fold((0, 0), |(d, t), (directive, n)| {
        (if directive { d + n } else { d }, t + n)
    })
}

/// "1379 / 1510 = 91.3%" (or "0 / 0 = n/a").
pub fn format_share(directive: u64, total: u64) -> String {
    if total == 0 {
        format!("{directive} / {total} = n/a")
    } else {
        format!(
            "{directive} / {total} = {:.1}%",
            100.0 * directive as f64 / total as f64
        )
    }
}

/// The labels whose directive marking differs between Table 1 and Table 2 (Involve, Involved).
pub fn inconsistently_marked() -> Vec<&'static str> {
    table_rows(1)
        .filter(|a| table_rows(2).any(|b| b.label == a.label && b.directive != a.directive))
        .map(|a| a.label)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table2_directive_share_matches_the_paper_text() {
        let (d, t) = directive_share(table_rows(2).map(|r| (r.directive, r.paper_count as u64)));
        assert_eq!(
            (d, t),
            (PAPER_TABLE2_DIRECTIVE as u64, PAPER_TABLE2_TOTAL as u64)
        );
        assert_eq!(format_share(d, t), "1379 / 1510 = 91.3%");
        assert_eq!((100 * d / t) as u32, PAPER_TABLE2_PERCENT);
    }

    #[test]
    fn involve_and_involved_are_the_inconsistent_rows() {
        assert_eq!(inconsistently_marked(), vec!["Involve", "Involved"]);
    }

    #[test]
    fn rows_are_in_order() {
        assert_eq!(table_rows(1).count(), 15);
        assert_eq!(table_rows(2).count(), 16);
        for t in [1, 2] {
            for (i, row) in table_rows(t).enumerate() {
                assert_eq!(row.row as usize, i + 1);
            }
        }
    }
}
