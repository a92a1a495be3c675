//! What the whole project tells us that one file does not: which modules construct a Prisma
//! client, so that an identifier imported from one is known to be a client.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The text that marks a module as constructing a Prisma client.
pub const CLIENT_CONSTRUCTION: &str = "new PrismaClient";

const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

/// Facts about modules, filled from the files linted and, for imported modules outside the
/// linted set, read from disk once (a text search, never a parse).
#[derive(Default)]
pub struct Modules {
    constructs_client: Mutex<HashMap<PathBuf, bool>>,
}

impl Modules {
    /// Records what a linted file's text showed.
    pub fn record(&self, path: &Path, constructs_client: bool) {
        let key = normalize(path);
        self.constructs_client
            .lock()
            .expect("no panics while held")
            .insert(key, constructs_client);
    }

    /// Whether `specifier`, imported from `importer`, is a module of the project that constructs a
    /// Prisma client. Only relative specifiers resolve; packages and path aliases do not (yet).
    pub fn specifier_constructs_client(&self, importer: &Path, specifier: &str) -> bool {
        if !(specifier.starts_with("./") || specifier.starts_with("../")) {
            return false;
        }
        let base = importer.parent().unwrap_or(Path::new(".")).join(specifier);
        candidates(&base).into_iter().any(|candidate| {
            let key = normalize(&candidate);
            if let Some(known) = self.lookup(&key) {
                return known;
            }
            let Ok(text) = std::fs::read(&candidate) else {
                return false;
            };
            let found = memmem(&text, CLIENT_CONSTRUCTION.as_bytes());
            self.record(&candidate, found);
            found
        })
    }

    fn lookup(&self, key: &Path) -> Option<bool> {
        self.constructs_client
            .lock()
            .expect("no panics while held")
            .get(key)
            .copied()
    }
}

/// The files an import specifier may name: itself, with each extension, an `index` file, and
/// TypeScript's `./x.js` -> `./x.ts`.
fn candidates(base: &Path) -> Vec<PathBuf> {
    let mut out = vec![base.to_path_buf()];
    let text = base.to_string_lossy();
    for js in [".js", ".mjs", ".cjs", ".jsx"] {
        if let Some(stem) = text.strip_suffix(js) {
            for ext in ["ts", "tsx", "mts", "cts"] {
                out.push(PathBuf::from(format!("{stem}.{ext}")));
            }
        }
    }
    for ext in EXTENSIONS {
        out.push(PathBuf::from(format!("{text}.{ext}")));
    }
    for ext in EXTENSIONS {
        out.push(base.join(format!("index.{ext}")));
    }
    out.retain(|p| p.is_file());
    out
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn memmem(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}
