//! Turning a [`Report`](crate::Report) into text. One file per format; nothing else prints.

mod compact;
mod github;
mod human;
mod json;

use crate::Report;
use std::io::{self, Write};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help (the default).
    Human,
    /// The JSON contract (`version: 1`).
    Json,
    /// One line per finding: `path:line:col: severity [rule] message`.
    Compact,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Writes the findings of `report` to `out` in `format`.
pub fn render(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, color, out),
        Format::Json => json::render(report, out),
        Format::Compact => compact::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// The one-line summary printed on stderr in human mode.
pub fn summary_line(report: &Report) -> String {
    let n = report.findings.len();
    let mut line = if n == 0 {
        format!("leaklint: no problems in {} files", report.files)
    } else {
        let parts: Vec<String> = [
            (report.count(crate::diagnostic::Severity::Error), "error"),
            (
                report.count(crate::diagnostic::Severity::Warning),
                "warning",
            ),
            (report.count(crate::diagnostic::Severity::Info), "info"),
        ]
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, word)| plural(*count, word))
        .collect();
        format!(
            "leaklint: {} ({}) in {} files",
            plural(n, "problem"),
            parts.join(", "),
            report.files
        )
    };
    if !report.skipped.is_empty() {
        line.push_str(&format!(", {} skipped", report.skipped.len()));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!(", {} unreadable", report.errors.len()));
    }
    line
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 || word == "info" {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The message without Markdown backticks, for formats read as plain text.
fn plain(message: &str) -> String {
    message.replace('`', "")
}
