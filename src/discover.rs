//! Which files to lint: a gitignore-aware walk with leaklint's own ignore file, default skipped
//! folders and config excludes. Explicitly named files are always linted.

use crate::analysis::Lang;
use crate::config::Config;
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// Folders never walked into: dependencies and build output.
pub const SKIPPED_DIRS: &[&str] = &["node_modules", "dist", "build", ".next", "out", "coverage"];

/// leaklint's own ignore file, read like `.gitignore`.
pub const IGNORE_FILE: &str = ".leaklintignore";

/// What the walk found: files, and problems that did not stop it.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<(PathBuf, Lang)>,
    /// (path, message) of entries the walk could not read.
    pub errors: Vec<(PathBuf, String)>,
}

/// Errors that stop the run.
#[derive(Debug)]
pub enum DiscoverError {
    NotFound(PathBuf),
}

/// Lists the files under `paths`, sorted and without duplicates.
pub fn discover(
    paths: &[PathBuf],
    config: &Config,
    no_ignore: bool,
) -> Result<Discovered, DiscoverError> {
    let mut out = Discovered::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|_| DiscoverError::NotFound(path.clone()))?;
        if meta.is_file() {
            // Named on the command line: linted even when an ignore file would skip it, but a
            // config `exclude` still applies (pre-commit passes every staged file).
            if let Some(lang) = Lang::from_path(path) {
                if !config.is_excluded(path) {
                    out.files.push((path.clone(), lang));
                }
            }
            continue;
        }
        walk_dir(path, config, no_ignore, &mut out);
    }
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    out.files.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

fn walk_dir(root: &Path, config: &Config, no_ignore: bool, out: &mut Discovered) {
    let config = config.clone();
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .parents(true)
        .require_git(false)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .ignore(!no_ignore)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.depth() > 0 {
                let name = entry.file_name().to_string_lossy();
                if SKIPPED_DIRS.contains(&name.as_ref()) {
                    return false;
                }
            }
            entry.depth() == 0 || !config.is_excluded(entry.path())
        });
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                if let Some(lang) = Lang::from_path(entry.path()) {
                    out.files.push((entry.into_path(), lang));
                }
            }
            Err(err) => {
                let path = error_path(&err).unwrap_or_else(|| root.to_path_buf());
                out.errors.push((path, error_message(&err)));
            }
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symlink loop back to {}", ancestor.display())
        }
        ignore::Error::Io(io) => io_message(io),
        other => other.to_string(),
    }
}

/// A short, lowercase description of an I/O error.
pub fn io_message(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "not found".to_string(),
        _ => err.to_string(),
    }
}
