//! `md`: one GitHub table per table, the title in bold above, notes as paragraphs.

use std::io::{self, Write};

use super::{cell_at, display_columns, display_text};
use crate::table::{Align, Report};

/// Escapes text for a GitHub Markdown table cell or paragraph: `|` would end the cell, and
/// emphasis/code/link characters would change the text.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

pub(super) fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut n = 0;
    report.each_table(&mut |table| {
        if n > 0 {
            writeln!(w)?;
        }
        n += 1;
        if let Some(title) = &table.title {
            writeln!(w, "**{}**", escape_markdown(title))?;
            writeln!(w)?;
        }
        let shown = display_columns(table);
        let header: Vec<String> = shown
            .iter()
            .map(|&i| escape_markdown(&table.columns[i].title))
            .collect();
        writeln!(w, "| {} |", header.join(" | "))?;
        let separator: Vec<&str> = shown
            .iter()
            .map(|&i| match table.columns[i].align {
                Align::Left => ":---",
                Align::Right => "---:",
            })
            .collect();
        writeln!(w, "| {} |", separator.join(" | "))?;
        for row in &table.rows {
            let cells: Vec<String> = shown
                .iter()
                .map(|&i| {
                    let text = escape_markdown(&display_text(cell_at(row, i)));
                    if row.bold && !text.is_empty() {
                        format!("**{text}**")
                    } else {
                        text
                    }
                })
                .collect();
            writeln!(w, "| {} |", cells.join(" | "))?;
        }
        for note in &table.notes {
            writeln!(w)?;
            writeln!(w, "{}", escape_markdown(note))?;
        }
        Ok(())
    })?;
    for note in &report.notes {
        writeln!(w)?;
        writeln!(w, "{}", escape_markdown(note))?;
    }
    Ok(())
}
