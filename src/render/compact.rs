//! `path:line:col: severity [rule] message`, one finding per line: what editor problem matchers read.
//! A finding `--fix` can fix ends in ` (fixable with --fix)` or ` (fixable with --fix --unsafe-fixes)`.

use crate::Report;
use std::io::{self, Write};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}{}",
            f.path,
            f.span.start.line,
            f.span.start.column,
            f.severity.as_str(),
            f.rule.id,
            super::plain(&f.message),
            super::fixable_suffix(f)
        )?;
    }
    Ok(())
}
