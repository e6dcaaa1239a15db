//! Every output format round-trips the same numbers; display formats hide machine-only columns,
//! escape what they must, and style only when asked; golden renderings of one table.

use serde_json::Value as Json;
use termtally::reference;
use termtally::render::{OutputFormat, RenderOptions, render_to_string};
use termtally::table::{Column, Report, Row, Table, Value};

const PLAIN: RenderOptions = RenderOptions {
    color: false,
    width: None,
};

/// Two tables sharing column keys, with every kind of value and the characters formats escape.
fn sample_report() -> Report {
    let columns = || {
        vec![
            Column::new("table", "Table").right().machine_only(),
            Column::new("label", "Word searched"),
            Column::new("count", "Count").right(),
            Column::new("share", "Share %").right(),
            Column::new("directive", "Directive"),
            Column::new("note", "Note").highlighted(),
        ]
    };
    let mut first = Table::new(columns());
    first.title = Some("First | table".to_string());
    first.push_row(Row {
        cells: vec![
            Value::Int(1),
            Value::text("information"),
            Value::Int(1234567),
            Value::Float(91.3245, 1),
            Value::Bool(true),
            Value::text("pipe | and 50% & $5_x {a} ~ ^ \\ #1"),
        ],
        bold: true,
    });
    first.push(vec![
        Value::Int(1),
        Value::text("Co-operation"),
        Value::Int(0),
        Value::Float(0.5, 2),
        Value::Bool(false),
        Value::Null,
    ]);
    first
        .notes
        .push("Directive share: 1379 / 1510 = 91.3%".to_string());
    let mut second = Table::new(columns());
    second.title = Some("Second table".to_string());
    second.push(vec![
        Value::Int(2),
        Value::text("Children’s “voice”, 0–25 \"quoted\", comma"),
        Value::Int(-3),
        Value::Float(1e-7, 3),
        Value::Bool(false),
        Value::text("line\nbreak"),
    ]);
    let mut report = Report::default();
    report
        .meta
        .insert("command".to_string(), Json::from("test"));
    report.meta.insert(
        "documents".to_string(),
        serde_json::json!(["a.pdf", "b.pdf"]),
    );
    report.tables = vec![first, second];
    report.notes.push("Report note".to_string());
    report
}

/// The expected machine value of each cell, written independently of the renderer.
fn expected_records() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "1",
            "information",
            "1234567",
            "91.3245",
            "true",
            "pipe | and 50% & $5_x {a} ~ ^ \\ #1",
        ],
        vec!["1", "Co-operation", "0", "0.5", "false", ""],
        vec![
            "2",
            "Children’s “voice”, 0–25 \"quoted\", comma",
            "-3",
            "0.0000001",
            "false",
            "line\nbreak",
        ],
    ]
}

#[test]
fn csv_and_tsv_round_trip() {
    let report = sample_report();
    for (format, delimiter) in [(OutputFormat::Csv, b','), (OutputFormat::Tsv, b'\t')] {
        let text = render_to_string(&report, format, &PLAIN);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(
            header,
            ["table", "label", "count", "share", "directive", "note"],
            "{format:?}: header is the column keys, machine-only included"
        );
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("record").iter().map(str::to_string).collect())
            .collect();
        assert_eq!(records, expected_records(), "{format:?}");
        assert!(!text.contains("1,234,567"), "no thousands separators");
        assert!(
            !text.starts_with('\u{feff}'),
            "no BOM when rendering to a stream"
        );
    }
}

#[test]
fn json_round_trips_with_meta_rows_notes_in_column_order() {
    let report = sample_report();
    let text = render_to_string(&report, OutputFormat::Json, &PLAIN);
    let doc: Json = serde_json::from_str(&text).expect("valid JSON");
    let object = doc.as_object().expect("object");
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys, ["command", "documents", "rows", "notes"]);
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    let first_keys: Vec<&str> = rows[0]
        .as_object()
        .expect("record")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        first_keys,
        ["table", "label", "count", "share", "directive", "note"]
    );
    assert_eq!(rows[0]["count"], Json::from(1234567));
    assert_eq!(rows[0]["share"].as_f64(), Some(91.3245));
    assert_eq!(rows[0]["directive"], Json::Bool(true));
    assert_eq!(rows[1]["note"], Json::Null);
    assert_eq!(rows[2]["table"], Json::from(2));
    assert_eq!(rows[2]["count"], Json::from(-3));
    assert_eq!(rows[2]["note"], Json::from("line\nbreak"));
    assert_eq!(
        doc["notes"],
        serde_json::json!(["Directive share: 1379 / 1510 = 91.3%", "Report note"])
    );
    assert_eq!(doc["documents"], serde_json::json!(["a.pdf", "b.pdf"]));
}

#[test]
fn markdown_has_separator_one_line_per_row_and_escapes() {
    let report = sample_report();
    let text = render_to_string(&report, OutputFormat::Md, &PLAIN);
    let table_lines: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
    // Two tables: header + separator + rows each.
    assert_eq!(table_lines.len(), (2 + 2) + (2 + 1), "{text}");
    assert_eq!(
        table_lines[0],
        "| Word searched | Count | Share % | Directive | Note |"
    );
    assert_eq!(table_lines[1], "| :--- | ---: | ---: | :--- | :--- |");
    // Bold row, escaped pipe/underscore, display decimals, machine-only `table` hidden.
    assert_eq!(
        table_lines[2],
        "| **information** | **1234567** | **91.3** | **yes** | **pipe \\| and 50% & $5\\_x {a} ~ ^ \\\\ #1** |"
    );
    assert_eq!(table_lines[3], "| Co-operation | 0 | 0.50 | no |  |");
    assert_eq!(
        table_lines[6],
        "| Children’s “voice”, 0–25 \"quoted\", comma | -3 | 0.000 | no | line break |"
    );
    // Every table line has the same number of unescaped pipes as the header.
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    for line in &table_lines {
        assert_eq!(cells(line), 6, "{line}");
    }
    assert!(text.contains("**First \\| table**"));
    assert!(text.contains("\nDirective share: 1379 / 1510 = 91.3%\n"));
    assert!(text.trim_end().ends_with("Report note"));
}

#[test]
fn latex_is_booktabs_with_escapes_and_bold_rows() {
    let report = sample_report();
    let text = render_to_string(&report, OutputFormat::Latex, &PLAIN);
    assert_eq!(text.matches("\\toprule").count(), 2);
    assert_eq!(text.matches("\\midrule").count(), 2);
    assert_eq!(text.matches("\\bottomrule").count(), 2);
    assert!(text.contains("\\begin{tabular}{lrrll}"), "{text}");
    assert!(text.contains("\\caption{First \\textbar{} table}"));
    assert!(text.contains(
        "\\textbf{pipe \\textbar{} and 50\\% \\& \\$5\\_x \\{a\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\#1}"
    ));
    assert!(text.contains("\\textbf{information} & \\textbf{1234567} & \\textbf{91.3}"));
    assert!(text.contains("Co-operation & 0 & 0.50 & no &  \\\\"));
    // No unescaped specials in the body rows.
    for line in text.lines().filter(|l| l.ends_with("\\\\")) {
        for special in ['%', '$', '#', '_'] {
            let unescaped = line
                .char_indices()
                .any(|(i, c)| c == special && !line[..i].ends_with('\\'));
            assert!(!unescaped, "unescaped {special} in {line}");
        }
    }
}

#[test]
fn terminal_hides_machine_columns_and_styles_only_with_colour() {
    let report = sample_report();
    let plain = render_to_string(&report, OutputFormat::Table, &PLAIN);
    assert!(!plain.contains('\u{1b}'), "no escape codes without colour");
    assert!(plain.starts_with("First | table\n"));
    assert!(!plain.contains("Table "), "machine-only column hidden");
    assert!(plain.contains("1234567") && plain.contains("91.3") && plain.contains("0.50"));
    assert!(plain.contains("Directive share: 1379 / 1510 = 91.3%"));
    let coloured = render_to_string(
        &report,
        OutputFormat::Table,
        &RenderOptions {
            color: true,
            width: None,
        },
    );
    assert!(coloured.contains("\u{1b}[1m"), "bold with colour");
    // Same text once the styling is stripped.
    let strip = |s: &str| {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(
        strip(&coloured)
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>(),
        plain.lines().map(str::trim_end).collect::<Vec<_>>()
    );
}

#[test]
fn terminal_fits_the_width() {
    let mut report = sample_report();
    report.tables[0].rows[0].cells[5] = Value::text("a long note ".repeat(20));
    for width in [60u16, 100] {
        let text = render_to_string(
            &report,
            OutputFormat::Table,
            &RenderOptions {
                color: false,
                width: Some(width),
            },
        );
        for line in text.lines().filter(|l| l.starts_with(['┌', '│', '╞', '└'])) {
            assert!(
                line.chars().count() <= width as usize,
                "line wider than {width}: {line}"
            );
        }
        assert!(text.contains("long"), "{text}");
    }
}

/// The study's Table 2 with its published figures: the table the golden tests pin.
fn study_table2() -> Report {
    let mut table = Table::new(vec![
        Column::new("row", "Row").right().machine_only(),
        Column::new("label", "Word searched"),
        Column::new("paper_count", "Paper").right(),
        Column::new("directive", "Directive"),
    ]);
    table.title = Some(format!("Table 2. {}", reference::table_title(2)));
    for row in reference::table_rows(2) {
        table.push_row(Row {
            cells: vec![
                Value::Int(row.row.into()),
                Value::text(row.label),
                Value::Int(row.paper_count.into()),
                Value::Bool(row.directive),
            ],
            bold: row.directive,
        });
    }
    let (d, t) = reference::directive_share(
        reference::table_rows(2).map(|r| (r.directive, u64::from(r.paper_count))),
    );
    table.notes.push(format!(
        "Directive share (paper): {}",
        reference::format_share(d, t)
    ));
    Report {
        tables: vec![table],
        ..Report::default()
    }
}

#[test]
fn golden_terminal_table() {
    let text = render_to_string(
        &study_table2(),
        OutputFormat::Table,
        &RenderOptions {
            color: false,
            width: Some(80),
        },
    );
    // Independent of the snapshot: the paper's own summary figure.
    assert!(text.contains("1379 / 1510 = 91.3%"));
    insta::assert_snapshot!("study_table2_terminal", text);
}

#[test]
fn golden_markdown_table() {
    let text = render_to_string(&study_table2(), OutputFormat::Md, &PLAIN);
    assert_eq!(text.lines().filter(|l| l.starts_with('|')).count(), 2 + 16);
    insta::assert_snapshot!("study_table2_markdown", text);
}

#[test]
fn format_from_extension() {
    use std::path::Path;
    let cases = [
        ("out.csv", Some(OutputFormat::Csv)),
        ("OUT.TSV", Some(OutputFormat::Tsv)),
        ("a.b.json", Some(OutputFormat::Json)),
        ("t.md", Some(OutputFormat::Md)),
        ("t.tex", Some(OutputFormat::Latex)),
        ("t.txt", Some(OutputFormat::Table)),
        ("t.xlsx", None),
        ("noext", None),
    ];
    for (name, expected) in cases {
        assert_eq!(
            OutputFormat::from_extension(Path::new(name)),
            expected,
            "{name}"
        );
    }
}
