//! Turning a [`Report`](crate::Report) into text. One file per format; nothing else prints.

mod checkstyle;
mod compact;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;
mod xml;

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
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML test report.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
}

/// Writes the findings of `report` to `out` in `format`.
pub fn render(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, color, out),
        Format::Json => json::render(report, out),
        Format::Compact => compact::render(report, out),
        Format::Github => github::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Gitlab => gitlab::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Checkstyle => checkstyle::render(report, out),
    }
}

/// The project's public home, from Cargo's `repository` metadata.
pub fn repository() -> Option<&'static str> {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    (!repository.is_empty()).then_some(repository)
}

/// Where a rule's documentation (`rules/<id>.md`) is published, when the project has a home.
pub fn rule_url(rule: &crate::rules::Rule) -> Option<String> {
    repository().map(|home| format!("{home}/blob/main/rules/{}.md", rule.id))
}

/// Findings per rule and how many of them `--fix` can fix (`--statistics`), as a table, or as
/// JSON with `--format json`.
pub fn statistics(report: &Report, json: bool, out: &mut dyn Write) -> io::Result<()> {
    use crate::diagnostic::Applicability;
    let mut rows: Vec<(&str, usize, usize, usize)> = Vec::new();
    for f in &report.findings {
        let (safe, unsafe_) = match f.fix.as_ref().map(|(fix, _)| fix.applicability) {
            Some(Applicability::Safe) => (1, 0),
            Some(Applicability::Unsafe) => (0, 1),
            _ => (0, 0),
        };
        match rows.iter_mut().find(|r| r.0 == f.rule.id) {
            Some(row) => {
                row.1 += 1;
                row.2 += safe;
                row.3 += unsafe_;
            }
            None => rows.push((f.rule.id, 1, safe, unsafe_)),
        }
    }
    // Most frequent first, then by id: the same input gives the same table.
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(rule, count, safe, unsafe_)| {
                serde_json::json!({ "rule": rule, "count": count, "fixable": safe, "unsafe_fixable": unsafe_ })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list).map_err(io::Error::from)?;
        return writeln!(out);
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    for (rule, count, safe, unsafe_) in &rows {
        let mut fixable = Vec::new();
        if *safe > 0 {
            fixable.push(format!("{safe} fixable"));
        }
        if *unsafe_ > 0 {
            fixable.push(format!("{unsafe_} with --unsafe-fixes"));
        }
        let line = format!(
            "{count:>count_width$}  {rule:<width$}  {}",
            fixable.join(", ")
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let safe: usize = rows.iter().map(|r| r.2).sum();
    if safe > 0 {
        writeln!(
            out,
            "{} fixable with `leaklint check --fix`",
            plural(safe, "finding")
        )?;
    }
    Ok(())
}

/// The one-line summary printed on stderr in human mode.
pub fn summary_line(report: &Report) -> String {
    let n = report.findings.len();
    let mut line = if n == 0 {
        format!("leaklint: no problems in {}", plural(report.files, "file"))
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
            "leaklint: {} ({}) in {}",
            plural(n, "problem"),
            parts.join(", "),
            plural(report.files, "file")
        )
    };
    if !report.skipped.is_empty() {
        line.push_str(&format!(", {} skipped", report.skipped.len()));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!(", {} unreadable", report.errors.len()));
    }
    let hidden: usize = report.hidden.values().sum();
    if hidden > 0 {
        line.push_str(&format!(
            "; {} of medium confidence not shown (`--confidence medium` shows them)",
            plural(hidden, "more finding")
        ));
    }
    line
}

/// Where a finding runs, as one line: ``reached from `GET /teams/:id` (src/teams.controller.ts:31)
/// and 2 more``; `None` when no entry point is known.
pub fn reached_line(f: &crate::Finding) -> Option<String> {
    let first = f.reached_from.first()?;
    let what = match first.kind {
        "script" => "a script".to_string(),
        "test" => "a test".to_string(),
        _ if first.name.contains('`') => first.name.clone(),
        _ => format!("`{}`", first.name),
    };
    let more = match f.reached_from.len() {
        1 => String::new(),
        n => format!(" and {} more", plural(n - 1, "entry point")),
    };
    Some(format!(
        "reached from {what} ({}:{}){more}",
        first.path, first.line
    ))
}

/// `1 file`, `2 files` (`info` is its own plural).
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 || word == "info" {
        format!("{n} {word}")
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else if word.ends_with('x') {
        format!("{n} {word}es")
    } else {
        format!("{n} {word}s")
    }
}

/// How `--fix` fixes a finding, for the one-line formats: ` (fixable with --fix)`, or
/// ` (fixable with --fix --unsafe-fixes)` for a fix that changes behaviour; empty when `--fix`
/// does not apply it (no fix, or only a suggestion).
/// A medium-confidence finding also ends in ` (medium confidence)`.
fn fixable_suffix(finding: &crate::Finding) -> &'static str {
    use crate::diagnostic::{Applicability, Confidence};
    let fix = finding.fix.as_ref().map(|(fix, _)| fix.applicability);
    match (fix, finding.confidence) {
        (Some(Applicability::Safe), Confidence::High) => " (fixable with --fix)",
        (Some(Applicability::Safe), Confidence::Medium) => {
            " (medium confidence; fixable with --fix)"
        }
        (Some(Applicability::Unsafe), Confidence::High) => " (fixable with --fix --unsafe-fixes)",
        (Some(Applicability::Unsafe), Confidence::Medium) => {
            " (medium confidence; fixable with --fix --unsafe-fixes)"
        }
        (Some(Applicability::Suggestion) | None, Confidence::High) => "",
        (Some(Applicability::Suggestion) | None, Confidence::Medium) => " (medium confidence)",
    }
}

/// The message without Markdown backticks, for formats read as plain text.
fn plain(message: &str) -> String {
    message.replace('`', "")
}
