//! Applying fixes: edits of one file are applied together or not at all, and only when the
//! result still parses as well as the original did.

use crate::analysis::{parse, Lang};
use crate::diagnostic::Applicability;
use crate::{Finding, Report};
use std::collections::BTreeMap;
use std::path::Path;

/// What `--fix` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings whose fix was written.
    pub fixed: usize,
    pub files: usize,
    /// Files whose fixes were not written, and why.
    pub refused: Vec<(String, String)>,
}

/// Applies the fixes of `report`'s findings (safe ones; unsafe ones too when `unsafe_fixes`) to
/// the files, relative to `cwd`.
pub fn apply(report: &Report, cwd: &Path, unsafe_fixes: bool) -> Applied {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        let Some((fix, _)) = &finding.fix else {
            continue;
        };
        let allowed = match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => unsafe_fixes,
            Applicability::Suggestion => false,
        };
        if allowed {
            by_file.entry(&finding.path).or_default().push(finding);
        }
    }
    let mut applied = Applied::default();
    for (path, findings) in by_file {
        let Some(source) = report.sources.get(path) else {
            continue;
        };
        match fixed_text(source, &findings, Path::new(path)) {
            Ok((text, count)) => {
                let full = cwd.join(path);
                // Keep a byte-order mark the file had.
                let had_bom = std::fs::read(&full).is_ok_and(|b| b.starts_with(b"\xef\xbb\xbf"));
                let bytes = if had_bom {
                    [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat()
                } else {
                    text.into_bytes()
                };
                match std::fs::write(&full, bytes) {
                    Ok(()) => {
                        applied.fixed += count;
                        applied.files += 1;
                    }
                    Err(e) => applied.refused.push((path.to_string(), e.to_string())),
                }
            }
            Err(why) => applied.refused.push((path.to_string(), why)),
        }
    }
    applied
}

/// The text with every non-overlapping fix applied, and how many were.
fn fixed_text(source: &str, findings: &[&Finding], path: &Path) -> Result<(String, usize), String> {
    let mut edits: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
    let mut count = 0;
    for finding in findings {
        let (fix, _) = finding.fix.as_ref().expect("filtered on fixes");
        let spans: Vec<_> = fix.edits.iter().map(|e| e.span.clone()).collect();
        let overlaps = spans.iter().any(|s| {
            edits
                .iter()
                .any(|(e, _)| s.start < e.end && e.start < s.end)
        });
        if overlaps {
            continue;
        }
        edits.extend(
            fix.edits
                .iter()
                .map(|e| (e.span.clone(), e.replacement.as_str())),
        );
        count += 1;
    }
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut text = source.to_string();
    for (span, replacement) in edits {
        if span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            return Err("an edit falls outside the file".to_string());
        }
        text.replace_range(span, replacement);
    }
    let lang = Lang::from_path(path).unwrap_or(Lang::Tsx);
    let broke = |t: &str| parse(t, lang).is_none_or(|tree| tree.root_node().has_error());
    if broke(&text) && !broke(source) {
        return Err("the fixed file would not parse; nothing was written".to_string());
    }
    Ok((text, count))
}
