//! GitLab Code Quality report (a JSON array), shown in merge request widgets.

use crate::diagnostic::Severity;
use crate::Report;
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let fingerprints = crate::baseline::fingerprints(report);
    let issues: Vec<Value> = report
        .findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| {
            let mut description = super::plain(&f.message);
            if let Some(help) = &f.help {
                description.push_str(": ");
                description.push_str(&super::plain(help));
            }
            json!({
                "type": "issue",
                "description": description,
                "check_name": f.rule.id,
                // Every leaklint rule is about what a server does under load.
                "categories": ["Performance"],
                "fingerprint": fingerprint,
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "location": {
                    "path": f.path,
                    "lines": { "begin": f.span.start.line, "end": f.span.end.line },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(io::Error::from)?;
    writeln!(out)
}
