//! Human output through miette: the source snippet, the primary span, labels and help.

use crate::diagnostic::Severity;
use crate::Report;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use std::io::{self, Write};

/// Width output is wrapped at: fixed, so that output does not depend on the terminal.
const WIDTH: usize = 100;

pub fn render(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .with_context_lines(1);
    for f in &report.findings {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            f.span.bytes.start..f.span.bytes.end,
        )];
        labels.extend(f.labels.iter().map(|(message, span)| {
            LabeledSpan::new_with_span(Some(message.clone()), span.bytes.start..span.bytes.end)
        }));
        let mut diagnostic = MietteDiagnostic::new(f.message.clone())
            .with_code(f.rule.id)
            .with_severity(match f.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            })
            .with_labels(labels);
        if let Some(help) = &f.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        let source = report
            .sources
            .get(&f.path)
            .map(|s| s.to_string())
            .unwrap_or_default();
        let report = miette::Report::new(diagnostic)
            .with_source_code(NamedSource::new(&f.path, source).with_language("typescript"));
        let mut text = String::new();
        handler
            .render_report(&mut text, report.as_ref())
            .map_err(io::Error::other)?;
        writeln!(out, "{text}")?;
    }
    Ok(())
}
