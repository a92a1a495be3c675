//! Who imports a module, across the project: a lexical index of every walked file's static
//! imports and re-exports, read without parsing (a file that holds no finding is not parsed), and
//! a breadth-first search up that graph from a module to the first file a predicate accepts (a
//! route module a framework renders on the server).
//!
//! Only static module links count: `import ... from "x"`, `import "x"`, `export ... from "x"` and
//! `require("x")`. Type-only imports (`import type`, `export type`) run nothing, and dynamic
//! `import("x")` may load on the client alone (`next/dynamic` with `ssr: false`), so neither is a
//! link. Lines that start a comment are skipped; an import written inside a string or a block
//! comment's middle line could still be read as one, which at worst adds a link.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

/// How far up the search goes: imports between the module and the route that renders it.
const MAX_HOPS: usize = 8;
/// How many modules the search visits at most.
const MAX_VISITS: usize = 4096;

/// The static imports of every file of a run.
pub struct Importers {
    /// Per file: its absolute path and the specifiers it imports, with the 1-based line.
    files: Vec<(PathBuf, Vec<(String, u32)>)>,
}

/// The route a module is rendered by, and the modules on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The file the predicate accepted, and what it said of it.
    pub entry: PathBuf,
    pub what: String,
    /// The line of the entry's import on the way down.
    pub line: u32,
    /// The modules between the entry and the start, nearest the entry first.
    pub via: Vec<PathBuf>,
}

impl Importers {
    /// Reads `paths` (in parallel) and keeps their static imports. Unreadable files hold none.
    pub fn build(paths: &[PathBuf]) -> Importers {
        let files = paths
            .par_iter()
            .map(|path| {
                let imports = crate::source::read_text(path)
                    .map(|text| static_imports(&text))
                    .unwrap_or_default();
                (crate::source::absolute(path), imports)
            })
            .collect();
        Importers { files }
    }

    /// The nearest file (fewest imports away) that imports `start`, directly or through other
    /// modules, and that `accept` says something of. `resolve(importer, specifier)` is the
    /// project's module resolution; `packages` are the workspace's package names, whose bare
    /// specifiers (`@acme/ui`) are resolved whatever their last segment.
    pub fn chain(
        &self,
        start: &Path,
        accept: &dyn Fn(&Path) -> Option<String>,
        resolve: &dyn Fn(&Path, &str) -> Vec<PathBuf>,
        packages: &[&str],
    ) -> Option<Chain> {
        let start = crate::source::absolute(start);
        let mut parent: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
        parent.insert(start.clone(), None);
        let mut queue = VecDeque::from([(start, 0usize)]);
        while let Some((module, hops)) = queue.pop_front() {
            if hops >= MAX_HOPS || parent.len() >= MAX_VISITS {
                break;
            }
            let names = link_names(&module);
            for (importer, imports) in &self.files {
                if parent.contains_key(importer) {
                    continue;
                }
                let Some(line) = imports.iter().find_map(|(spec, line)| {
                    // `"."`, `"../"`: a folder's index.
                    let named = last_segment(spec)
                        .map_or(names.contains("index"), |s| names.contains(s))
                        || packages.iter().any(|p| {
                            spec == p || spec.strip_prefix(p).is_some_and(|r| r.starts_with('/'))
                        });
                    (named
                        && resolve(importer, spec)
                            .iter()
                            .any(|r| crate::source::absolute(r) == module))
                    .then_some(*line)
                }) else {
                    continue;
                };
                parent.insert(importer.clone(), Some(module.clone()));
                if let Some(what) = accept(importer) {
                    // `module` down to `start`, which has no parent and is left out.
                    let mut via = Vec::new();
                    let mut at = module.clone();
                    while let Some(next) = parent.get(&at).cloned().flatten() {
                        via.push(std::mem::replace(&mut at, next));
                    }
                    return Some(Chain {
                        entry: importer.clone(),
                        what,
                        line,
                        via,
                    });
                }
                queue.push_back((importer.clone(), hops + 1));
            }
        }
        None
    }
}

/// The last segments a specifier that resolves to `module` can end with: its file stem
/// (`providers` for `providers.tsx`, also written `providers.tsx` or `providers.js`), and its
/// folder's name for an index file (`./providers` for `providers/index.tsx`).
fn link_names(module: &Path) -> HashSet<String> {
    let mut out = HashSet::new();
    if let Some(name) = module.file_name().and_then(|n| n.to_str()) {
        let stem = name.split('.').next().unwrap_or(name);
        out.insert(stem.to_string());
        if stem == "index" {
            if let Some(dir) = module
                .parent()
                .and_then(|d| d.file_name())
                .and_then(|n| n.to_str())
            {
                out.insert(dir.to_string());
            }
        }
    }
    out
}

/// `./a/providers.tsx` -> `providers`; `@/lib/query` -> `query`; `.` or `..` -> none.
fn last_segment(spec: &str) -> Option<&str> {
    let last = spec.trim_end_matches('/').rsplit('/').next()?;
    let stem = last.split('.').next().unwrap_or(last);
    (!stem.is_empty()).then_some(stem)
}

/// The specifiers of `text`'s static imports, re-exports and `require` calls, with their lines.
pub fn static_imports(text: &str) -> Vec<(String, u32)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut counted = 0usize;
    let mut line_at = |at: usize| {
        line +=
            memchr::memchr_iter(b'\n', bytes.get(counted..at).unwrap_or_default()).count() as u32;
        counted = at;
        line
    };
    let mut hits: Vec<(usize, Keyword)> = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"from") {
        hits.push((at, Keyword::From));
    }
    for at in memchr::memmem::find_iter(bytes, b"import") {
        hits.push((at, Keyword::Import));
    }
    for at in memchr::memmem::find_iter(bytes, b"require") {
        hits.push((at, Keyword::Require));
    }
    hits.sort_unstable_by_key(|(at, _)| *at);
    for (at, keyword) in hits {
        let word = keyword.word();
        let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        if before.is_some_and(is_ident) || bytes.get(at + word.len()).copied().is_some_and(is_ident)
        {
            continue;
        }
        if in_line_comment(bytes, at) {
            continue;
        }
        let mut i = at + word.len();
        let skip_space = |mut i: usize| {
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
                i += 1;
            }
            i
        };
        i = skip_space(i);
        match keyword {
            Keyword::Require => {
                if bytes.get(i) != Some(&b'(') {
                    continue;
                }
                i = skip_space(i + 1);
            }
            // `import "./polyfills"`: a side effect, but a link.
            Keyword::Import => {
                if !line_start(bytes, at) {
                    continue;
                }
            }
            Keyword::From => {
                if !in_module_statement(bytes, at) {
                    continue;
                }
            }
        }
        let Some(spec) = quoted(bytes, i) else {
            continue;
        };
        let line = line_at(at);
        out.push((spec.to_string(), line));
    }
    out
}

#[derive(Clone, Copy)]
enum Keyword {
    From,
    Import,
    Require,
}

impl Keyword {
    fn word(self) -> &'static [u8] {
        match self {
            Keyword::From => b"from",
            Keyword::Import => b"import",
            Keyword::Require => b"require",
        }
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The string literal that starts at byte `i`, on one line.
fn quoted(bytes: &[u8], i: usize) -> Option<&str> {
    let quote = *bytes.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let rest = bytes.get(i + 1..)?;
    let end = memchr::memchr3(quote, b'\n', b'\\', rest)?;
    if rest.get(end) != Some(&quote) || end == 0 {
        return None;
    }
    std::str::from_utf8(rest.get(..end)?).ok()
}

/// The start of the line that holds byte `at`.
fn start_of_line(bytes: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', bytes.get(..at).unwrap_or_default()).map_or(0, |i| i + 1)
}

/// Whether only whitespace precedes byte `at` on its line.
fn line_start(bytes: &[u8], at: usize) -> bool {
    bytes
        .get(start_of_line(bytes, at)..at)
        .is_some_and(|b| b.iter().all(u8::is_ascii_whitespace))
}

/// Whether byte `at` is in a line that starts a comment (`//`, or `*` inside a block comment).
fn in_line_comment(bytes: &[u8], at: usize) -> bool {
    let start = start_of_line(bytes, at);
    let line = bytes.get(start..at).unwrap_or_default();
    let trimmed: &[u8] = {
        let skip = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        line.get(skip..).unwrap_or_default()
    };
    trimmed.starts_with(b"//")
        || trimmed.starts_with(b"/*")
        || trimmed.starts_with(b"*")
        || memchr::memmem::find(line, b"//").is_some_and(|i| !in_string_prefix(line, i))
}

/// Whether position `i` of `line` is inside a string that opened earlier on the line.
fn in_string_prefix(line: &[u8], i: usize) -> bool {
    let mut open: Option<u8> = None;
    for &b in line.get(..i).unwrap_or_default() {
        match open {
            Some(q) if b == q => open = None,
            None if b == b'"' || b == b'\'' || b == b'`' => open = Some(b),
            _ => {}
        }
    }
    open.is_some()
}

/// Words that start a statement other than an import or export.
const STATEMENT_KEYWORDS: &[&[u8]] = &[
    b"const",
    b"let",
    b"var",
    b"function",
    b"class",
    b"return",
    b"if",
    b"for",
    b"while",
    b"async",
    b"await",
    b"interface",
    b"enum",
    b"declare",
    b"throw",
    b"switch",
];

/// Whether the `from` at byte `at` ends an `import ... from` or `export ... from` statement that
/// is not type-only: the nearest statement keyword at a line's start before it, with no `;`
/// between.
fn in_module_statement(bytes: &[u8], at: usize) -> bool {
    // A statement spans a few lines at most in practice; 64 lines is generous.
    let mut line_start_at = start_of_line(bytes, at);
    for _ in 0..64 {
        let line = bytes.get(line_start_at..at).unwrap_or_default();
        let skip = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let head = line.get(skip..).unwrap_or_default();
        for keyword in [&b"import"[..], b"export"] {
            if head.starts_with(keyword) && !head.get(keyword.len()).copied().is_some_and(is_ident)
            {
                let between = bytes.get(line_start_at + skip..at).unwrap_or_default();
                if memchr::memchr(b';', between).is_some() {
                    return false;
                }
                let after = head.get(keyword.len()..).unwrap_or_default();
                let after_skip = after.iter().take_while(|b| b.is_ascii_whitespace()).count();
                let rest = after.get(after_skip..).unwrap_or_default();
                let type_only = rest.starts_with(b"type")
                    && rest
                        .get(4)
                        .is_some_and(|b| b.is_ascii_whitespace() || *b == b'{' || *b == b'*');
                return !type_only;
            }
        }
        // Another statement began: this `from` is in it (a string, say).
        let word_len = head.iter().take_while(|b| is_ident(**b)).count();
        if STATEMENT_KEYWORDS.contains(&head.get(..word_len).unwrap_or_default()) {
            return false;
        }
        if line_start_at == 0 {
            return false;
        }
        line_start_at = start_of_line(bytes, line_start_at - 1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(text: &str) -> Vec<(String, u32)> {
        static_imports(text)
    }

    #[test]
    fn reads_static_imports_and_skips_type_only_and_dynamic_ones() {
        let text = r#""use client";
import { QueryClient } from "@tanstack/react-query";
import type { Props } from "./types";
import {
  Providers,
  type Theme,
} from './providers';
export { Button } from "./button";
export * from "../ui";
export type { Row } from "./rows";
import "./polyfills";
const legacy = require("./legacy");
const lazy = import("./lazy");
// import { old } from "./old";
const s = "import x from './not-a-link'";
const from = "x";
let note = `
  see what comes from "./docs"
`;
"#;
        let all = specs(text);
        let got: Vec<(&str, u32)> = all.iter().map(|(s, l)| (s.as_str(), *l)).collect();
        assert_eq!(
            got,
            vec![
                ("@tanstack/react-query", 2),
                ("./providers", 7),
                ("./button", 8),
                ("../ui", 9),
                ("./polyfills", 11),
                ("./legacy", 12),
            ]
        );
    }

    #[test]
    fn a_from_outside_an_import_is_no_link() {
        assert!(specs("const a = from 'x';\nlet from = 1;\nArray.from('abc');").is_empty());
        assert!(specs("import { a } from './a'; const b = c; from 'x'").len() == 1);
    }

    #[test]
    fn hostile_text_is_read_without_panics() {
        for text in [
            "from",
            "import",
            "require(",
            "from '",
            "import '\n'",
            "\u{feff}import 'ü'",
        ] {
            let _ = specs(text);
        }
        assert_eq!(specs("import 'ü'"), vec![("ü".to_string(), 1)]);
    }

    #[test]
    fn link_names_cover_stems_and_index_folders() {
        let names = link_names(Path::new("/p/app/providers/index.tsx"));
        assert!(names.contains("index") && names.contains("providers"));
        assert_eq!(last_segment("./providers.tsx"), Some("providers"));
        assert_eq!(last_segment("@/lib/query-client"), Some("query-client"));
        assert_eq!(last_segment("./"), None);
        assert_eq!(last_segment(".."), None);
    }
}
