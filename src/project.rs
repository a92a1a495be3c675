//! What the whole project tells us that one file does not: which modules construct a Prisma
//! client, so that an identifier imported from one is known to be a client; and which modules are
//! bulk data (JSON files, modules that require them), and how big.

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
    /// The relative `.json` specifiers each module's text mentions.
    json_references: Mutex<HashMap<PathBuf, Vec<String>>>,
}

/// Bulk data a module specifier stands for: JSON files and their total size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Data {
    /// File names, in the order they were found.
    pub files: Vec<String>,
    /// Total size of the files that exist.
    pub bytes: u64,
    /// Some files are not on disk (generated, ignored): the size is a lower bound.
    pub missing: bool,
}

impl Data {
    /// "about 1.3 MB (patients.json)", or the files when their size is unknown.
    pub fn describe(&self) -> String {
        let files = self.files.join(", ");
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

    /// Records the relative `.json` files a linted module's text mentions.
    pub fn record_data(&self, path: &Path, text: &str) {
        if !text.contains(".json") {
            return;
        }
        self.json_references
            .lock()
            .expect("no panics while held")
            .insert(normalize(path), json_references(text));
    }

    /// The bulk data `specifier`, imported from `importer`, stands for: a JSON file, or a module
    /// of the project that requires JSON files. `None` when it is neither.
    pub fn data(&self, importer: &Path, specifier: &str) -> Option<Data> {
        if !(specifier.starts_with("./") || specifier.starts_with("../")) {
            return None;
        }
        let base = importer.parent().unwrap_or(Path::new(".")).join(specifier);
        if specifier.ends_with(".json") {
            let mut data = Data::default();
            add_json(&mut data, &base);
            return Some(data);
        }
        let module = candidates(&base).into_iter().next()?;
        let key = normalize(&module);
        let known = self
            .json_references
            .lock()
            .expect("no panics while held")
            .get(&key)
            .cloned();
        let references = match known {
            Some(references) => references,
            None => {
                let text = std::fs::read_to_string(&module).ok()?;
                let references = json_references(&text);
                self.json_references
                    .lock()
                    .expect("no panics while held")
                    .insert(key, references.clone());
                references
            }
        };
        if references.is_empty() {
            return None;
        }
        let dir = module.parent().unwrap_or(Path::new("."));
        let mut data = Data::default();
        for reference in references {
            add_json(&mut data, &dir.join(reference));
        }
        Some(data)
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

/// Adds one JSON file to `data`: its size from the file system (never parsed).
fn add_json(data: &mut Data, path: &Path) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if data.files.contains(&name) {
        return;
    }
    data.files.push(name);
    match std::fs::metadata(path) {
        Ok(meta) => data.bytes += meta.len(),
        Err(_) => data.missing = true,
    }
}

/// Relative specifiers ending in `.json` written as string literals in `text`.
fn json_references(text: &str) -> Vec<String> {
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
