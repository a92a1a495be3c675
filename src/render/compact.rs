//! `path:line:col: severity [rule] message`, one finding per line: what editor problem matchers read.

use crate::Report;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            f.path,
            f.span.start.line,
            f.span.start.column,
            f.severity.as_str(),
            f.rule.id,
            super::plain(&f.message)
        )?;
    }
    Ok(())
}
