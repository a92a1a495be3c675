//! Applying fixes: edits of one file are applied together or not at all, and only when the
//! result still parses as well as the original did.

use crate::analysis::parse;
use crate::diagnostic::Applicability;
use crate::source::{AtomicWriteError, Lang};
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
        let result = fixed_text(source, &findings, Path::new(path))
            .and_then(|(text, count)| write_fixed(&cwd.join(path), source, &text).map(|()| count));
        match result {
            Ok(count) => {
                applied.fixed += count;
                applied.files += 1;
            }
            Err(why) => applied.refused.push((path.to_string(), why)),
        }
    }
    applied
}

/// Replaces the file at `path`, whose text was `linted` (without a byte-order mark), by `fixed`,
/// atomically: a temporary file in the same folder is written, flushed to disk, given the
/// original's permissions and renamed over it, so the original is whole on any error. The file
/// must still hold what was linted just before the rename. A symlink is followed: its target is
/// replaced and the link stays.
fn write_fixed(path: &Path, linted: &str, fixed: &str) -> Result<(), String> {
    let real = std::fs::canonicalize(path).map_err(|e| crate::discover::io_message(&e))?;
    let meta = std::fs::metadata(&real).map_err(|e| crate::discover::io_message(&e))?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.permissions().readonly() {
        return Err("the file is read-only".to_string());
    }
    let had_bom = read_unchanged(&real, linted, meta.len())?;
    let mut bytes = Vec::with_capacity(fixed.len() + 3);
    if had_bom {
        bytes.extend_from_slice(BOM);
    }
    bytes.extend_from_slice(fixed.as_bytes());

    crate::source::write_atomic_with(&real, &bytes, Some(meta.permissions()), || {
        // Last check, as close to the rename as it gets.
        read_unchanged(&real, linted, meta.len()).map(|_| ())
    })
    .map_err(|e| match e {
        AtomicWriteError::Create(e) => format!("cannot create a temporary file: {}", io(&e)),
        AtomicWriteError::Write(e) => format!("cannot write the fixed file: {}", io(&e)),
        AtomicWriteError::Check(why) => why,
        AtomicWriteError::Rename(e) => format!("cannot replace the file: {}", io(&e)),
    })
}

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Reads the file again and checks it still holds `linted`: whether it starts with a BOM.
fn read_unchanged(path: &Path, linted: &str, len: u64) -> Result<bool, String> {
    let changed = || "changed while fixing, not fixed".to_string();
    let cap = len.max(linted.len() as u64) + BOM.len() as u64 + 1;
    let mut now = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, cap), &mut now))
        .map_err(|e| io(&e))?;
    let (had_bom, body) = match now.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, now.as_slice()),
    };
    if body == linted.as_bytes() {
        Ok(had_bom)
    } else {
        Err(changed())
    }
}

fn io(e: &std::io::Error) -> String {
    crate::discover::io_message(e)
}

/// The text with every non-overlapping fix applied, and how many were. The replacements take
/// the file's line endings. In a file with syntax errors, only fixes whose region (the finding
/// and its edits) holds no error are applied.
fn fixed_text(source: &str, findings: &[&Finding], path: &Path) -> Result<(String, usize), String> {
    let lang = Lang::from_path(path).unwrap_or(Lang::Tsx);
    let tree = parse(source, lang);
    let errors = tree
        .as_ref()
        .map_or_else(|| std::iter::once(0..source.len()).collect(), error_ranges);
    let crlf = source.contains("\r\n");
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut count = 0;
    let mut in_errors = 0;
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
        let region = spans.iter().fold(finding.span.bytes.clone(), |r, s| {
            r.start.min(s.start)..r.end.max(s.end)
        });
        let broken_statement = tree
            .as_ref()
            .is_none_or(|t| statement_around(t, region.clone()).is_none_or(|s| s.has_error()));
        if !errors.is_empty() && broken_statement {
            in_errors += 1;
            continue;
        }
        edits.extend(fix.edits.iter().map(|e| {
            let replacement = if crlf {
                e.replacement.replace("\r\n", "\n").replace('\n', "\r\n")
            } else {
                e.replacement.clone()
            };
            (e.span.clone(), replacement)
        }));
        count += 1;
    }
    if count == 0 && in_errors > 0 {
        return Err(
            "the file has syntax errors where the fixes go; nothing was written".to_string(),
        );
    }
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut text = source.to_string();
    for (span, replacement) in edits {
        if span.start > span.end
            || span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            return Err("an edit falls outside the file".to_string());
        }
        text.replace_range(span, &replacement);
    }
    let errors_after = parse(&text, lang).map_or(usize::MAX, |t| error_ranges(&t).len());
    if errors_after > errors.len() {
        return Err("the fixed file would not parse; nothing was written".to_string());
    }
    Ok((text, count))
}

/// The statement (or declaration) of the program that holds `region`: a fix's own region.
fn statement_around(
    tree: &tree_sitter::Tree,
    region: std::ops::Range<usize>,
) -> Option<tree_sitter::Node<'_>> {
    let root = tree.root_node();
    let mut node = root.descendant_for_byte_range(region.start, region.end)?;
    // Up to the child of the program: iterative, as deep as the tree is.
    while let Some(parent) = node.parent() {
        if parent.id() == root.id() {
            return Some(node);
        }
        node = parent;
    }
    Some(node)
}

/// The byte ranges of the syntax errors (error and missing nodes) of a tree.
fn error_ranges(tree: &tree_sitter::Tree) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    // Iterative: only subtrees that hold an error are entered.
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            out.push(node.byte_range());
        } else if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ts");
        std::fs::write(&path, "let a = 1;\n// appended by someone else\n").unwrap();
        let err = write_fixed(&path, "let a = 1;\n", "let a = 2;\n").unwrap_err();
        assert_eq!(err, "changed while fixing, not fixed");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "let a = 1;\n// appended by someone else\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unchanged_file_is_replaced_keeping_its_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ts");
        std::fs::write(&path, "\u{feff}let a = 1;\n").unwrap();
        write_fixed(&path, "let a = 1;\n", "let a = 2;\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "\u{feff}let a = 2;\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
