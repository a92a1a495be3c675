//! JUnit XML: one test suite per file with findings, one failing test case per finding, so that
//! CI systems that show test reports show the findings. A clean run is one passing test case.

use super::xml::escape;
use crate::Report;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&crate::Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(&f.path).or_default().push(f);
    }
    let total = report.findings.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="leaklint" tests="{}" failures="{total}" errors="{}">"#,
        total.max(1),
        report.errors.len()
    )?;
    if by_file.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="leaklint" tests="1" failures="0" errors="0">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="no problems found" classname="leaklint"/>"#
        )?;
        writeln!(out, "  </testsuite>")?;
    }
    for (path, findings) in by_file {
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{n}" failures="{n}" errors="0">"#,
            escape(path),
            n = findings.len()
        )?;
        for f in findings {
            let (line, column) = (f.span.start.line, f.span.start.column);
            writeln!(
                out,
                r#"    <testcase name="{rule} at {line}:{column}" classname="{path}" file="{path}" line="{line}">"#,
                rule = escape(f.rule.id),
                path = escape(path),
            )?;
            let mut body = format!("{}:{line}:{column}: {}", f.path, super::plain(&f.message));
            if let Some(help) = &f.help {
                body.push_str("\nhelp: ");
                body.push_str(&super::plain(help));
            }
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&super::plain(&f.message)),
                f.severity.as_str(),
                escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    if !report.errors.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="unreadable files" tests="{n}" failures="0" errors="{n}">"#,
            n = report.errors.len()
        )?;
        for e in &report.errors {
            writeln!(
                out,
                r#"    <testcase name="{p}" classname="{p}"><error message="{}"/></testcase>"#,
                escape(&e.message),
                p = escape(&e.path),
            )?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
