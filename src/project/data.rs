//! Which modules are bulk data: a JSON file, or a module whose text requires JSON files (a
//! `session-data-defaults.js` that requires `participants.json`), and how big. Sizes come from
//! the file system; JSON is never parsed.

use super::{Modules, Project};
use std::path::Path;

/// Bulk data a module specifier stands for: JSON files and their total size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Data {
    /// File names, in the order they were found.
    pub files: Vec<String>,
    /// Total size of the files that exist.
    pub bytes: u64,
    /// Some files are not on disk (generated, ignored by git): the size is a lower bound.
    pub missing: bool,
    /// Some files are symlinks out of the project root, not followed: their size is unknown.
    pub not_followed: bool,
}

impl Data {
    /// "about 1.3 MB (patients.json)", or the files when their size is unknown.
    pub fn describe(&self) -> String {
        let files = self.files.join(", ");
        if self.not_followed && self.bytes == 0 {
            return format!(
                "the data of {files} (a symlink out of the project, not followed: size unknown)"
            );
        }
        if self.missing && self.bytes == 0 {
            return format!("the data of {files} (not on disk, so generated: size unknown)");
        }
        let size = human_size(self.bytes);
        if self.missing {
            format!("at least {size} ({files})")
        } else {
            format!("about {size} ({files})")
        }
    }
}

impl Modules {
    /// The bulk data `specifier`, imported from `importer`, stands for: a JSON file, or a module
    /// of the project that names JSON files. `None` when it is neither.
    pub fn data(&self, project: &Project, importer: &Path, specifier: &str) -> Option<Data> {
        let mut data = Data::default();
        if specifier.ends_with(".json") {
            let relative = specifier.starts_with("./") || specifier.starts_with("../");
            match project.resolve(importer, specifier).first() {
                Some(file) => add_json(&mut data, file, &project.root),
                None if relative => {
                    let base = crate::source::absolute(importer);
                    add_json(&mut data, &base.parent()?.join(specifier), &project.root);
                }
                None => return None,
            }
            return Some(data);
        }
        let module = project.resolve(importer, specifier).into_iter().next()?;
        if crate::source::leaves_root(&module, &project.root) {
            return None;
        }
        let references = self.facts_for(&module)?.json_files;
        if references.is_empty() {
            return None;
        }
        let dir = module.parent()?;
        for reference in references {
            add_json(&mut data, &dir.join(reference), &project.root);
        }
        Some(data)
    }
}

/// Adds one JSON file to `data`: its size from the file system (unknown for a symlink out of
/// the project root, which is not followed).
fn add_json(data: &mut Data, path: &Path, root: &Path) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if data.files.contains(&name) {
        return;
    }
    data.files.push(name);
    if crate::source::leaves_root(path, root) {
        data.missing = true;
        data.not_followed = true;
        return;
    }
    match std::fs::metadata(path) {
        Ok(meta) => data.bytes += meta.len(),
        Err(_) => data.missing = true,
    }
}

/// Relative specifiers ending in `.json` written as string literals in `text`.
pub fn json_references(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (end, _) in text.match_indices(".json") {
        let after = end + ".json".len();
        let Some(quote) = text[after..]
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"' | '`'))
        else {
            continue;
        };
        let Some(start) = text[..end].rfind(quote) else {
            continue;
        };
        let literal = &text[start + 1..after];
        let relative = literal.starts_with("./") || literal.starts_with("../");
        if relative && !literal.contains(['\n', '$']) && !out.iter().any(|o| o == literal) {
            out.push(literal.to_string());
        }
    }
    out
}

/// `1.3 MB`, `513 KB`, `900 bytes`.
fn human_size(bytes: u64) -> String {
    const KB: f64 = 1000.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_json_specifiers() {
        let text = "const a = require('./generated/participants.json').participants;\nimport b from \"../clinics.json\";\nconst c = require('pkg/data.json');\nconst d = `${dir}/x.json`;";
        assert_eq!(
            json_references(text),
            ["./generated/participants.json", "../clinics.json"]
        );
    }

    #[test]
    fn describes_sizes() {
        let data = Data {
            files: vec!["patients.json".into()],
            bytes: 1_300_000,
            missing: false,
            not_followed: false,
        };
        assert_eq!(data.describe(), "about 1.3 MB (patients.json)");
    }
}
