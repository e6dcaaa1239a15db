//! The figures embedded in the crate are exactly the shared reference transcription of the paper.

mod common;

use termtally::reference::{self, ROWS};

#[test]
fn embedded_figures_equal_the_shared_reference_csv() {
    let Some(corpora) = common::corpora_dir() else {
        return;
    };
    let path = corpora.join("../reference/boddison-soan-2021-tables.csv");
    if !path.is_file() {
        eprintln!("\n*** SKIPPED: {} is missing ***\n", path.display());
        return;
    }
    let mut reader = csv::Reader::from_path(&path).expect("reference CSV");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), ROWS.len(), "31 rows");
    for (record, row) in records.iter().zip(ROWS.iter()) {
        let field = |i: usize| record.get(i).expect("field");
        assert_eq!(field(0).parse::<u8>().expect("table"), row.table);
        assert_eq!(field(1).parse::<u8>().expect("row"), row.row);
        assert_eq!(field(2), row.label);
        assert_eq!(
            field(3).parse::<u32>().expect("count"),
            row.paper_count,
            "{}",
            row.label
        );
        assert_eq!(field(4), row.paper_note.unwrap_or(""), "{}", row.label);
        assert_eq!(field(5) == "yes", row.directive, "{}", row.label);
        assert_eq!(field(6), row.document.name());
    }
}

#[test]
fn the_paper_states_1379_of_1510_for_table2() {
    // The paper's text (not its table) says 91% (1379) of n=1510: the table must agree.
    let (directive, total) = reference::directive_share(
        reference::table_rows(2).map(|r| (r.directive, u64::from(r.paper_count))),
    );
    assert_eq!(directive, 1379);
    assert_eq!(total, 1510);
    assert_eq!(
        reference::format_share(directive, total),
        "1379 / 1510 = 91.3%"
    );
}
