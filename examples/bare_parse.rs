//! Baseline for the speed benchmark: walk + read + tree-sitter parse of every
//! source file, nothing else.
//!
//! ```text
//! cargo run --release --example bare_parse -- DIR [--threads N]
//! ```
//!
//! The walk mirrors leaklint's: `ignore::WalkBuilder` with its standard
//! filters (hidden files skipped, `.gitignore` honoured even outside a git
//! repository), the usual build/dependency directories pruned, `.d.ts`
//! skipped. Every remaining TS/JS file is read and parsed in parallel with
//! rayon, one `tree_sitter::Parser` per worker (`map_init`). Each tree is
//! walked with a `TreeCursor` to count its nodes, so the parse cannot be
//! optimised away and the count doubles as a checksum.
//!
//! Output (stdout, one `key: value` per line, parsed by `bench/run.sh`):
//! files, bytes, nodes, files_with_errors, threads, seconds.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use ignore::WalkBuilder;
use rayon::prelude::*;
use tree_sitter::{Language, Parser, Tree};

/// Grammar used for `.js`/`.jsx`/`.mjs`/`.cjs`: TSX parses JS+JSX (there is
/// no separate JavaScript grammar among the dependencies). Change this one
/// constant if leaklint settles on something else.
const JS_GRAMMAR: Grammar = Grammar::Tsx;

/// Directories never descended into (on top of `.gitignore` and hidden dirs).
const SKIP_DIRS: &[&str] = &["node_modules", "dist", "build", ".next", "out", "coverage"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Grammar {
    TypeScript,
    Tsx,
}

impl Grammar {
    fn for_path(path: &Path) -> Option<Grammar> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        match path.extension()?.to_str()? {
            "ts" | "mts" | "cts" => Some(Grammar::TypeScript),
            "tsx" => Some(Grammar::Tsx),
            "js" | "jsx" | "mjs" | "cjs" => Some(JS_GRAMMAR),
            _ => None,
        }
    }

    fn language(self) -> Language {
        match self {
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

/// One parser per grammar, created once per rayon worker by `map_init`.
struct Parsers {
    ts: Parser,
    tsx: Parser,
}

impl Parsers {
    fn new() -> Parsers {
        let make = |g: Grammar| {
            let mut p = Parser::new();
            p.set_language(&g.language())
                .expect("tree-sitter grammar ABI mismatch");
            p
        };
        Parsers {
            ts: make(Grammar::TypeScript),
            tsx: make(Grammar::Tsx),
        }
    }

    fn parse(&mut self, grammar: Grammar, src: &[u8]) -> Option<Tree> {
        let parser = match grammar {
            Grammar::TypeScript => &mut self.ts,
            Grammar::Tsx => &mut self.tsx,
        };
        parser.parse(src, None)
    }
}

/// Pre-order walk over every node (named and anonymous).
fn count_nodes(tree: &Tree) -> u64 {
    let mut cursor = tree.walk();
    let mut count = 1u64;
    loop {
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            count += 1;
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return count;
            }
            if cursor.goto_next_sibling() {
                count += 1;
                break;
            }
        }
    }
}

fn collect_files(root: &Path) -> Vec<(PathBuf, Grammar)> {
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(true)
        .hidden(true)
        .require_git(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && entry.depth() > 0 && SKIP_DIRS.iter().any(|d| entry.file_name() == *d))
        });
    let mut files = Vec::new();
    for entry in builder.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                eprintln!("bare_parse: walk error: {err}");
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if let Some(grammar) = Grammar::for_path(entry.path()) {
            files.push((entry.into_path(), grammar));
        }
    }
    files
}

#[derive(Default, Clone, Copy)]
struct Totals {
    files: u64,
    bytes: u64,
    nodes: u64,
    errors: u64,
}

impl Totals {
    fn add(self, o: Totals) -> Totals {
        Totals {
            files: self.files + o.files,
            bytes: self.bytes + o.bytes,
            nodes: self.nodes + o.nodes,
            errors: self.errors + o.errors,
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: bare_parse DIR [--threads N]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut threads: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--threads" || arg == "-j" {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => threads = Some(n),
                None => return usage(),
            }
        } else if let Some(v) = arg.strip_prefix("--threads=") {
            match v.parse() {
                Ok(n) => threads = Some(n),
                Err(_) => return usage(),
            }
        } else if arg.starts_with('-') || dir.is_some() {
            return usage();
        } else {
            dir = Some(PathBuf::from(arg));
        }
    }
    let Some(dir) = dir else { return usage() };
    if !dir.is_dir() {
        eprintln!("bare_parse: {} is not a directory", dir.display());
        return ExitCode::from(2);
    }
    if let Some(n) = threads.filter(|&n| n > 0) {
        if let Err(err) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("bare_parse: cannot size thread pool: {err}");
            return ExitCode::from(2);
        }
    }

    let start = Instant::now();
    let files = collect_files(&dir);
    let totals = files
        .par_iter()
        .map_init(Parsers::new, |parsers, (path, grammar)| {
            let src = match std::fs::read(path) {
                Ok(s) => s,
                Err(err) => {
                    eprintln!("bare_parse: {}: {err}", path.display());
                    return Totals::default();
                }
            };
            let Some(tree) = parsers.parse(*grammar, &src) else {
                eprintln!("bare_parse: {}: parse aborted", path.display());
                return Totals::default();
            };
            Totals {
                files: 1,
                bytes: src.len() as u64,
                nodes: count_nodes(&tree),
                errors: u64::from(tree.root_node().has_error()),
            }
        })
        .reduce(Totals::default, Totals::add);
    let secs = start.elapsed().as_secs_f64();

    println!("files: {}", totals.files);
    println!("bytes: {}", totals.bytes);
    println!("nodes: {}", totals.nodes);
    println!("files_with_errors: {}", totals.errors);
    println!("threads: {}", rayon::current_num_threads());
    println!("seconds: {secs:.4}");
    ExitCode::SUCCESS
}
