//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: every rule with its
//! documentation, results with locations, labels as related locations, fixes, and
//! `partialFingerprints` that survive unrelated edits (the baseline's fingerprints).

use crate::diagnostic::{Applicability, Severity};
use crate::rules::RULES;
use crate::{Located, Report};
use serde_json::{json, Value};
use std::io::{self, Write};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = RULES.iter().map(|r| rule(r)).collect();
    let fingerprints = crate::baseline::fingerprints(report);
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(&fingerprints)
        .map(|(f, fingerprint)| {
            let index = RULES.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
            let mut text = super::plain(&f.message);
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(&super::plain(help));
            }
            let mut result = json!({
                "ruleId": f.rule.id,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": text, "markdown": markdown(f) },
                "locations": [ { "physicalLocation": physical(&f.path, &f.span) } ],
                "partialFingerprints": { "leaklint/v1": fingerprint },
                "properties": { "confidence": f.confidence.as_str() },
            });
            if !f.reached_from.is_empty() {
                result["properties"]["reachedFrom"] = json!(f.reached_from);
            }
            if !f.labels.is_empty() {
                result["relatedLocations"] = f
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, (message, span))| {
                        json!({
                            "id": i,
                            "physicalLocation": physical(&f.path, span),
                            "message": { "text": super::plain(message) },
                        })
                    })
                    .collect();
            }
            if let Some((fix, spans)) = &f.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .zip(spans)
                    .map(|(edit, span)| {
                        json!({
                            "deletedRegion": region(span),
                            "insertedContent": { "text": edit.replacement },
                        })
                    })
                    .collect();
                let kind = match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                    Applicability::Suggestion => "suggestion",
                };
                result["fixes"] = json!([{
                    "description": { "text": format!("{} ({kind})", super::plain(&fix.message)) },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": f.path, "uriBaseId": "%SRCROOT%" },
                        "replacements": replacements,
                    }],
                }]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [ { "physicalLocation": {
                    "artifactLocation": { "uri": e.path, "uriBaseId": "%SRCROOT%" }
                } } ],
            })
        })
        .collect();
    let mut driver = json!({
        "name": "leaklint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(home) = super::repository() {
        driver["informationUri"] = json!(home);
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    writeln!(out)
}

fn rule(r: &crate::rules::Rule) -> Value {
    let mut value = json!({
        "id": r.id,
        "name": pascal_case(r.id),
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": what_it_does(r.doc) },
        "help": { "text": r.doc, "markdown": r.doc },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": {
            "category": r.category.as_str(),
            "tags": [r.category.as_str()],
            "fix": r.fix.as_str(),
        },
    });
    if let Some(url) = super::rule_url(r) {
        value["helpUri"] = json!(url);
    }
    value
}

/// The first paragraph under `## What it does`, on one line.
fn what_it_does(doc: &str) -> String {
    let after = doc
        .split_once("## What it does")
        .map(|(_, rest)| rest)
        .unwrap_or(doc);
    let paragraph: Vec<&str> = after
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    paragraph.join(" ")
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn markdown(f: &crate::Finding) -> String {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\n\nhelp: ");
        text.push_str(help);
    }
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(path: &str, span: &Located) -> Value {
    json!({
        "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" },
        "region": region(span),
    })
}

fn region(span: &Located) -> Value {
    json!({
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": span.end.column,
    })
}
