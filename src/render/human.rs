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
        .with_context_lines(1)
        .with_word_separator(textwrap::WordSeparator::Custom(words_outside_code));
    for f in &report.findings {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            f.span.bytes.start..f.span.bytes.end,
        )];
        labels.extend(f.labels.iter().map(|(message, span)| {
            LabeledSpan::new_with_span(Some(message.clone()), span.bytes.start..span.bytes.end)
        }));
        let message = match f.confidence {
            crate::diagnostic::Confidence::High => f.message.clone(),
            crate::diagnostic::Confidence::Medium => format!("{} (medium confidence)", f.message),
        };
        let mut diagnostic = MietteDiagnostic::new(message)
            .with_code(f.rule.id)
            .with_severity(match f.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            })
            .with_labels(labels);
        if let Some(url) = super::rule_url(f.rule) {
            diagnostic = diagnostic.with_url(url);
        }
        let mut help = f.help.clone().unwrap_or_default();
        if let Some((fix, _)) = &f.fix {
            let how = match fix.applicability {
                crate::diagnostic::Applicability::Safe => "fixable with `leaklint check --fix`",
                crate::diagnostic::Applicability::Unsafe => {
                    "fixable with `leaklint check --fix --unsafe-fixes` (review it)"
                }
                crate::diagnostic::Applicability::Suggestion => "suggested fix",
            };
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&format!("{how}: {}", fix.message));
        }
        if let Some(reached) = super::reached_line(f) {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&reached);
        }
        if !help.is_empty() {
            diagnostic = diagnostic.with_help(help);
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

/// Splits a line into words at spaces outside `inline code`, so that wrapping never breaks a
/// code span across lines.
fn words_outside_code(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => in_code = !in_code,
            b' ' if !in_code => {
                // The word ends after its run of spaces.
                let mut end = i;
                while end < bytes.len() && bytes[end] == b' ' {
                    end += 1;
                }
                words.push(textwrap::core::Word::from(&line[start..end]));
                start = end;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if start < line.len() {
        words.push(textwrap::core::Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

#[cfg(test)]
mod tests {
    use super::words_outside_code;

    #[test]
    fn code_spans_are_one_word() {
        let words: Vec<&str> = words_outside_code("use `a.findMany({ take: 50 })` here")
            .map(|w| w.word)
            .collect();
        assert_eq!(words, ["use", "`a.findMany({ take: 50 })`", "here"]);
    }
}
