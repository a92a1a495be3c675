//! Which files to lint: a gitignore-aware walk with leaklint's own ignore file, default skipped
//! folders and config excludes. Explicitly named files are always linted.

use crate::config::Config;
use crate::source::{read_capped, Lang, MAX_READ};
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// Folders never walked into: dependencies and build output.
pub const SKIPPED_DIRS: &[&str] = &["node_modules", "dist", "build", ".next", "out", "coverage"];

/// leaklint's own ignore file, read like `.gitignore`.
pub const IGNORE_FILE: &str = ".leaklintignore";

/// The ignore files the walks read in each folder.
pub const IGNORE_FILES: &[&str] = &[".gitignore", ".ignore", IGNORE_FILE];

/// The first ignore file of `dir` that exists but is not a regular file (a FIFO would block the
/// walk forever, a device would never end).
pub fn odd_ignore_file(dir: &Path) -> Option<PathBuf> {
    IGNORE_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| is_odd(path))
        .or_else(|| odd_git_exclude(dir))
}

/// `leaklint.toml` in `dir` when it exists but is not a regular file: the config search passes
/// it by (never opening it), and the run reports it.
pub fn odd_config_file(dir: &Path) -> Option<PathBuf> {
    let path = dir.join(crate::config::FILE_NAME);
    is_odd(&path).then_some(path)
}

/// Whether `path` exists and is not a regular file (a FIFO, socket, device or folder).
fn is_odd(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file())
}

/// The exclude file of the git repository whose work tree is `dir` (`.git/info/exclude`, or for
/// a linked work tree or submodule, the one its `.git` file points to), when it exists but is
/// not a regular file: the walk would block reading it.
pub fn odd_git_exclude(dir: &Path) -> Option<PathBuf> {
    let git = dir.join(".git");
    let meta = std::fs::symlink_metadata(&git).ok()?;
    let mut git_dirs = Vec::new();
    if meta.is_dir() {
        git_dirs.push(git);
    } else if meta.is_file() {
        // `gitdir: ../.git/worktrees/x`, and that folder's `commondir`.
        let text = String::from_utf8(read_capped(&git, 64 * 1024).ok()?).ok()?;
        let pointed = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
        let pointed = dir.join(pointed);
        if let Ok(common) = read_capped(&pointed.join("commondir"), 64 * 1024) {
            let common = String::from_utf8_lossy(&common).trim().to_string();
            git_dirs.push(pointed.join(common));
        }
        git_dirs.push(pointed);
    } else {
        // A FIFO or device named `.git`: not a repository the walk reads.
        return None;
    }
    git_dirs
        .into_iter()
        .map(|g| g.join("info").join("exclude"))
        .find(|exclude| is_odd(exclude))
}

/// The global git excludes file (`core.excludesFile`, by default `$XDG_CONFIG_HOME/git/ignore`
/// or `~/.config/git/ignore`) or a git config file read to find it, when one exists but is not
/// a regular file.
pub fn odd_global_git_excludes() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    let configs: Vec<PathBuf> = xdg
        .iter()
        .map(|x| x.join("git").join("config"))
        .chain(home.iter().map(|h| h.join(".gitconfig")))
        .collect();
    if let Some(odd) = configs.iter().find(|c| is_odd(c)) {
        return Some(odd.clone());
    }
    let mut candidates: Vec<PathBuf> = xdg.iter().map(|x| x.join("git").join("ignore")).collect();
    for config in &configs {
        let Ok(bytes) = read_capped(config, MAX_READ) else {
            continue;
        };
        for line in String::from_utf8_lossy(&bytes).lines() {
            let line = line.trim();
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("excludesfile") {
                let value = value.trim().trim_matches('"');
                let path = match (value.strip_prefix("~/"), &home) {
                    (Some(rest), Some(home)) => home.join(rest),
                    _ => PathBuf::from(value),
                };
                candidates.push(path);
            }
        }
    }
    candidates.into_iter().find(|c| is_odd(c))
}

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
    // `leaklint.toml` files that are FIFOs or devices, in the linted folders or above them.
    let mut odd_configs = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|_| DiscoverError::NotFound(path.clone()))?;
        if !meta.is_file() && !meta.is_dir() {
            // A FIFO, socket or device named on the command line: reported, never opened.
            out.errors
                .push((path.clone(), "not a regular file: not read".to_string()));
            continue;
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let folder = if meta.is_file() {
            absolute.parent()
        } else {
            Some(absolute.as_path())
        };
        for odd in folder
            .into_iter()
            .flat_map(Path::ancestors)
            .filter_map(odd_config_file)
        {
            odd_configs.push(odd);
        }
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
        walk_dir(path, config, no_ignore, &mut out, &mut odd_configs);
    }
    odd_configs.sort();
    odd_configs.dedup();
    for odd in odd_configs {
        out.errors.push((
            odd,
            "not a regular file: not read as a config (a config above it applies)".to_string(),
        ));
    }
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    out.files.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

fn walk_dir(
    root: &Path,
    config: &Config,
    no_ignore: bool,
    out: &mut Discovered,
    odd_configs: &mut Vec<PathBuf>,
) {
    let config = config.clone();
    // An ignore file that is not a regular file, in the root or a folder above it: the walk would
    // block reading it, so this run honours no ignore files.
    let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let odd_above = absolute.ancestors().find_map(odd_ignore_file);
    if let Some(odd) = &odd_above {
        out.errors.push((
            odd.clone(),
            "not a regular file: not read, and no ignore files were honoured".to_string(),
        ));
    }
    let use_ignores = !no_ignore && odd_above.is_none();
    // The global excludes file is read once per walk: odd, it is left out, with an error.
    let odd_global = if use_ignores {
        odd_global_git_excludes()
    } else {
        None
    };
    if let Some(odd) = &odd_global {
        out.errors.push((
            odd.clone(),
            "not a regular file: not read, so the global git excludes were not honoured"
                .to_string(),
        ));
    }
    let skipped_folders = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let skipped = skipped_folders.clone();
    let configs_found = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let configs = configs_found.clone();
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .parents(use_ignores)
        .require_git(false)
        .git_ignore(use_ignores)
        .git_global(use_ignores && odd_global.is_none())
        .git_exclude(use_ignores)
        .ignore(use_ignores)
        .follow_links(false);
    if odd_above.is_none() {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    builder.filter_entry(move |entry| {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir && entry.depth() > 0 {
            let name = entry.file_name().to_string_lossy();
            if SKIPPED_DIRS.contains(&name.as_ref()) {
                return false;
            }
            if let Some(odd) = odd_config_file(entry.path()) {
                if let Ok(mut c) = configs.lock() {
                    c.push(odd);
                }
            }
            // Its ignore files are read on entering it: a FIFO there would hang the walk.
            if let Some(odd) = odd_ignore_file(entry.path()) {
                if let Ok(mut s) = skipped.lock() {
                    s.push(odd);
                }
                return false;
            }
        }
        entry.depth() == 0 || !config.is_excluded(entry.path())
    });
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                // Symlinks are not followed; FIFOs, sockets and devices with a linted name go
                // on, to be counted as skipped without being opened.
                let Some(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() || kind.is_symlink() {
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
    odd_configs.extend(configs_found.lock().map(|c| c.clone()).unwrap_or_default());
    for odd in skipped_folders
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default()
    {
        out.errors.push((
            odd,
            "not a regular file: not read, so its folder was not linted".to_string(),
        ));
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
