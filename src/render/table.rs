//! `table`: comfy-table fitted to the terminal width; titles above, notes under each table; bold
//! rows and highlighted columns styled only on a colour terminal.

use std::io::{self, Write};

use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Width, presets,
};

use super::{RenderOptions, cell_at, display_columns, display_text};
use crate::table::{Align, Column, Report, Table};

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

pub(super) fn render(
    report: &Report,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> io::Result<()> {
    let mut n = 0;
    report.each_table(&mut |table| {
        if n > 0 {
            writeln!(w)?;
        }
        n += 1;
        if let Some(title) = &table.title {
            if options.color {
                writeln!(w, "{BOLD}{title}{RESET}")?;
            } else {
                writeln!(w, "{title}")?;
            }
        }
        let shown = display_columns(table);
        let mut ct = comfy_table::Table::new();
        // Styling and width come from `options` alone, so rendering is the same wherever it runs.
        ct.force_no_tty();
        if options.color {
            ct.enforce_styling();
        }
        ct.load_style(presets::UTF8_FULL_CONDENSED);
        ct.set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(width) = options.width {
            ct.set_width(width);
        }
        ct.set_header(shown.iter().map(|&i| {
            let cell =
                Cell::new(&table.columns[i].title).set_alignment(alignment(&table.columns[i]));
            if options.color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for row in &table.rows {
            ct.add_row(shown.iter().map(|&i| {
                let column = &table.columns[i];
                let mut cell =
                    Cell::new(display_text(cell_at(row, i))).set_alignment(alignment(column));
                if options.color && row.bold {
                    cell = cell.add_attribute(Attribute::Bold);
                }
                if options.color && column.highlight {
                    cell = cell.fg(Color::Cyan);
                }
                cell
            }));
        }
        if options.width.is_some() {
            keep_words_whole(&mut ct, table, &shown);
        }
        writeln!(w, "{ct}")?;
        for note in &table.notes {
            write_wrapped(w, note, options.width)?;
        }
        Ok(())
    })?;
    if !report.notes.is_empty() {
        if report.has_tables() {
            writeln!(w)?;
        }
        for note in &report.notes {
            write_wrapped(w, note, options.width)?;
        }
    }
    Ok(())
}

/// A note, wrapped between words to the terminal width (the terminal would cut words).
fn write_wrapped(w: &mut dyn Write, text: &str, width: Option<u16>) -> io::Result<()> {
    match width {
        Some(width) if width > 0 => {
            // Only at spaces: "Co-operation", file names and URLs stay whole (a word longer than
            // the line overflows rather than being cut).
            let options = textwrap::Options::new(usize::from(width))
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .word_splitter(textwrap::WordSplitter::NoHyphenation)
                .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
                .break_words(false);
            for line in textwrap::wrap(text, options) {
                writeln!(w, "{line}")?;
            }
            Ok(())
        }
        _ => writeln!(w, "{text}"),
    }
}

/// Longest word comfy-table may not break: a word longer than this is split rather than making
/// the table overflow.
const MAX_UNBROKEN_WORD: usize = 24;

/// Fitting a table into the terminal, comfy-table would otherwise split words ("informat|ion")
/// once space is short. Columns of single words (numbers, labels, yes/no) keep their content
/// width; the others are at least as wide as their longest word, so they wrap between words.
fn keep_words_whole(ct: &mut comfy_table::Table, table: &Table, shown: &[usize]) {
    let words = |text: &str| {
        text.split_whitespace()
            .map(|w| w.chars().count())
            .collect::<Vec<_>>()
    };
    for (position, &i) in shown.iter().enumerate() {
        let texts: Vec<String> = table
            .rows
            .iter()
            .map(|row| display_text(cell_at(row, i)))
            .chain(std::iter::once(table.columns[i].title.clone()))
            .collect();
        // The header (last) may wrap between its words.
        let single_words = texts[..texts.len() - 1].iter().all(|t| words(t).len() <= 1);
        let longest = texts.iter().flat_map(|t| words(t)).max().unwrap_or(0);
        let constraint = if single_words && longest <= MAX_UNBROKEN_WORD {
            ColumnConstraint::ContentWidth
        } else {
            ColumnConstraint::LowerBoundary(Width::Fixed(longest.min(MAX_UNBROKEN_WORD) as u16))
        };
        if let Some(column) = ct.column_mut(position) {
            column.set_constraint(constraint);
        }
    }
}

fn alignment(column: &Column) -> CellAlignment {
    match column.align {
        Align::Left => CellAlignment::Left,
        Align::Right => CellAlignment::Right,
    }
}
