//! Output files are written atomically: never clobbered without --force, never left half-written,
//! no temporary files left behind; the format follows the extension; CSV files get a BOM.

use std::fs;
use std::path::{Path, PathBuf};

use termtally::output::{
    AtomicFile, OutputArgs, check_destination, live_temp_file_count, write_file_atomically,
    write_report,
};
use termtally::render::{OutputFormat, UTF8_BOM};
use termtally::table::{Column, Report, Table, Value};

use crate::util::file_names;

fn out_args(path: &Path, force: bool, format: Option<OutputFormat>) -> OutputArgs {
    OutputArgs {
        format,
        output: Some(path.to_path_buf()),
        force,
    }
}

fn small_report() -> Report {
    let mut table = Table::new(vec![
        Column::new("label", "Word"),
        Column::new("count", "Count").right(),
        Column::new("share", "Share").right(),
    ]);
    table.push(vec![
        Value::text("Children’s – 0–25"),
        Value::Int(1510),
        Value::Float(0.913, 1),
    ]);
    table.push(vec![Value::text("a,b \"q\""), Value::Int(0), Value::Null]);
    Report {
        tables: vec![table],
        ..Report::default()
    }
}

#[test]
fn existing_file_is_not_clobbered_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.csv");
    fs::write(&dest, "yesterday's results\n").expect("write");

    let err = write_file_atomically(&dest, false, |w| w.write_all(b"new")).expect_err("refused");
    assert_eq!(
        err.to_string(),
        format!("{}: file exists; use --force to overwrite", dest.display())
    );
    assert_eq!(
        fs::read_to_string(&dest).expect("read"),
        "yesterday's results\n"
    );
    assert_eq!(
        file_names(dir.path()),
        ["out.csv"],
        "no temporary file left"
    );

    write_file_atomically(&dest, true, |w| w.write_all(b"new")).expect("forced");
    assert_eq!(fs::read_to_string(&dest).expect("read"), "new");
    assert_eq!(
        file_names(dir.path()),
        ["out.csv"],
        "no temporary file left"
    );
}

#[test]
fn failed_or_abandoned_writes_leave_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.json");
    let err = write_file_atomically(&dest, false, |w| {
        w.write_all(b"{\"half\":")?;
        Err(std::io::Error::other("disk on fire"))
    })
    .expect_err("failed");
    assert!(format!("{err:#}").contains("disk on fire"));
    assert!(
        file_names(dir.path()).is_empty(),
        "{:?}",
        file_names(dir.path())
    );

    {
        let mut file = AtomicFile::create(&dest, false).expect("create");
        std::io::Write::write_all(&mut file, b"partial").expect("write");
        assert_eq!(
            file_names(dir.path()).len(),
            1,
            "the temporary file exists while writing"
        );
        assert!(
            live_temp_file_count() >= 1,
            "registered for the interrupt handler"
        );
        // Dropped without commit (as on an error or panic).
    }
    assert!(
        file_names(dir.path()).is_empty(),
        "{:?}",
        file_names(dir.path())
    );
}

#[test]
fn a_file_created_meanwhile_is_not_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("race.md");
    let mut file = AtomicFile::create(&dest, false).expect("create");
    std::io::Write::write_all(&mut file, b"ours").expect("write");
    fs::write(&dest, "theirs").expect("someone else writes it");
    let err = file.commit().expect_err("no clobber");
    assert!(
        err.to_string().contains("file exists; use --force"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&dest).expect("read"), "theirs");
    assert_eq!(file_names(dir.path()), ["race.md"]);
}

#[cfg(unix)]
#[test]
fn output_files_get_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.txt");
    fs::File::create(&plain).expect("create");
    let ours = dir.path().join("ours.txt");
    write_file_atomically(&ours, false, |w| w.write_all(b"x")).expect("write");
    let mode = |p: &PathBuf| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    // Same umask, same mode as an ordinary new file (not tempfile's private 0600).
    assert_eq!(mode(&ours), mode(&plain));
}

#[test]
fn check_destination_refuses_early() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("old.csv");
    fs::write(&existing, "x").expect("write");

    let err = check_destination(&out_args(&existing, false, None)).expect_err("exists");
    assert!(
        err.to_string()
            .ends_with("old.csv: file exists; use --force to overwrite"),
        "{err}"
    );
    check_destination(&out_args(&existing, true, None)).expect("--force allows it");

    let missing_dir = dir.path().join("nowhere/out.csv");
    let err = check_destination(&out_args(&missing_dir, false, None)).expect_err("no dir");
    assert!(err.to_string().contains("does not exist"), "{err}");

    let unknown = dir.path().join("out.xlsx");
    let err = check_destination(&out_args(&unknown, false, None)).expect_err("unknown ext");
    assert!(err.to_string().contains("give --format"), "{err}");
    check_destination(&out_args(&unknown, false, Some(OutputFormat::Csv))).expect("--format given");

    let err = check_destination(&out_args(dir.path(), true, None)).expect_err("a directory");
    assert!(err.to_string().contains("is a directory"), "{err}");

    check_destination(&OutputArgs {
        format: None,
        output: None,
        force: false,
    })
    .expect("stdout is always fine");
}

#[test]
fn write_report_picks_format_from_extension_and_writes_bom_only_in_csv_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = small_report();

    let csv_path = dir.path().join("out.csv");
    write_report(
        &report,
        &out_args(&csv_path, false, None),
        OutputFormat::Table,
    )
    .expect("csv");
    let bytes = fs::read(&csv_path).expect("read");
    assert!(
        bytes.starts_with(UTF8_BOM),
        "CSV files start with a UTF-8 BOM for Excel"
    );
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    assert_eq!(
        reader.headers().expect("headers"),
        vec!["label", "count", "share"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows[0], vec!["Children’s – 0–25", "1510", "0.913"]);
    assert_eq!(rows[1], vec!["a,b \"q\"", "0", ""]);

    let json_path = dir.path().join("out.json");
    write_report(
        &report,
        &out_args(&json_path, false, None),
        OutputFormat::Table,
    )
    .expect("json");
    let text = fs::read_to_string(&json_path).expect("read");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON, no BOM");
    assert_eq!(doc["rows"][0]["count"], serde_json::json!(1510));

    // --format beats the extension.
    let md_as_txt = dir.path().join("table.txt");
    write_report(
        &report,
        &out_args(&md_as_txt, false, Some(OutputFormat::Md)),
        OutputFormat::Table,
    )
    .expect("md");
    assert!(
        fs::read_to_string(&md_as_txt)
            .expect("read")
            .contains("| ---: |")
    );

    // Existing file: refused, left as it was.
    let err = write_report(
        &report,
        &out_args(&csv_path, false, None),
        OutputFormat::Table,
    )
    .expect_err("exists");
    assert!(err.to_string().contains("use --force"));
    assert_eq!(fs::read(&csv_path).expect("read"), bytes);
    assert_eq!(file_names(dir.path()), ["out.csv", "out.json", "table.txt"]);
}
