//! The JSON contract of DESIGN.md, `version: 1`.

use crate::diagnostic::{LineCol, Severity};
use crate::{Located, Report};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    category: &'a str,
    severity: Severity,
    path: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    span: JsonSpan,
    labels: Vec<JsonLabel<'a>>,
    fix: Option<JsonFix<'a>>,
    url: Option<String>,
    confidence: crate::diagnostic::Confidence,
    /// Where it runs: the entry points that reach it, nearest first (empty when not known).
    reached_from: &'a [crate::diagnostic::EntryPoint],
}

#[derive(Serialize)]
struct JsonSpan {
    start: LineCol,
    end: LineCol,
}

impl From<&Located> for JsonSpan {
    fn from(l: &Located) -> Self {
        JsonSpan {
            start: l.start,
            end: l.end,
        }
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    span: JsonSpan,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: crate::diagnostic::Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    span: JsonSpan,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    skipped: usize,
    diagnostics: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings below the confidence asked for (`--confidence medium` shows them).
    hidden: usize,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = report
        .findings
        .iter()
        .map(|f| JsonDiagnostic {
            rule: f.rule.id,
            category: f.rule.category.as_str(),
            severity: f.severity,
            path: &f.path,
            message: &f.message,
            help: f.help.as_deref(),
            span: (&f.span).into(),
            labels: f
                .labels
                .iter()
                .map(|(message, span)| JsonLabel {
                    message,
                    span: span.into(),
                })
                .collect(),
            fix: f.fix.as_ref().map(|(fix, spans)| JsonFix {
                applicability: fix.applicability,
                message: &fix.message,
                edits: fix
                    .edits
                    .iter()
                    .zip(spans)
                    .map(|(edit, span)| JsonEdit {
                        span: span.into(),
                        replacement: &edit.replacement,
                    })
                    .collect(),
            }),
            url: super::rule_url(f.rule),
            confidence: f.confidence,
            reached_from: &f.reached_from,
        })
        .collect();
    let output = Output {
        version: 1,
        diagnostics,
        summary: Summary {
            files: report.files,
            skipped: report.skipped.len(),
            diagnostics: report.findings.len(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            hidden: report.hidden.values().sum(),
        },
        errors: report
            .errors
            .iter()
            .map(|e| JsonError {
                path: &e.path,
                message: &e.message,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::from)?;
    writeln!(out)
}
