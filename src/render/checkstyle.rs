//! Checkstyle XML, read by Jenkins' warnings plugin, reviewdog and many IDE plugins.

use super::xml::escape;
use crate::Report;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&crate::Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(&f.path).or_default().push(f);
    }
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)?;
    for (path, findings) in by_file {
        writeln!(out, r#"  <file name="{}">"#, escape(path))?;
        for f in findings {
            writeln!(
                out,
                r#"    <error line="{}" column="{}" severity="{}" message="{}" source="leaklint.{}"/>"#,
                f.span.start.line,
                f.span.start.column,
                f.severity.as_str(),
                escape(&super::plain(&f.message)),
                escape(f.rule.id)
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    for e in &report.errors {
        writeln!(out, r#"  <file name="{}">"#, escape(&e.path))?;
        writeln!(
            out,
            r#"    <error line="1" severity="error" message="{}" source="leaklint"/>"#,
            escape(&e.message)
        )?;
        writeln!(out, "  </file>")?;
    }
    writeln!(out, "</checkstyle>")
}
