//! Renders a [`crate::table::Report`] to every output format (to be written).

use clap::ValueEnum;

/// Output formats shared by every command that prints a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned table for the terminal (fits its width).
    Table,
    Csv,
    Tsv,
    Json,
    /// GitHub Markdown (pastes into Word and Google Docs).
    Md,
    /// LaTeX (booktabs).
    Latex,
}
