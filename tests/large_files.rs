//! Very large files: every finding of a generated file with thousands of queries in loops is
//! still reported, at its own line (the speed of these shapes is measured by
//! `bench/large-files.sh`, not timed here). Inputs are generated here, never committed.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_leaklint");
const N: usize = 3000;

/// One generated file: its name, its text, and the lines that must hold a `query-in-loop`
/// finding.
struct Case {
    name: &'static str,
    text: String,
    lines: BTreeSet<u64>,
}

/// Builds a file line by line; `finding` marks a line that must be reported.
#[derive(Default)]
struct Builder {
    text: String,
    line: u64,
    lines: BTreeSet<u64>,
}

impl Builder {
    fn line(&mut self, text: &str, finding: bool) {
        self.line += 1;
        self.text.push_str(text);
        self.text.push('\n');
        if finding {
            self.lines.insert(self.line);
        }
    }

    fn done(self, name: &'static str) -> Case {
        Case {
            name,
            text: self.text,
            lines: self.lines,
        }
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();

    // One loop body holding N queries.
    let mut b = Builder::default();
    b.line("export async function one(xs: string[]) {", false);
    b.line("  for (const x of xs) {", false);
    for i in 0..N {
        let q = format!("    await prisma.user.findMany({{ where: {{ id: x, n: {i} }} }});");
        b.line(&q, true);
    }
    b.line("  }", false);
    b.line("}", false);
    out.push(b.done("src/one-loop.ts"));

    // N loops with one query each, over a collection declared once at the top.
    let mut b = Builder::default();
    b.line("export async function many(input: string[]) {", false);
    b.line("  const xs = input.filter(Boolean);", false);
    for i in 0..N {
        let q = format!(
            "  for (const x of xs) {{ await prisma.post.findFirst({{ where: {{ id: x, n: {i} }} }}); }}"
        );
        b.line(&q, true);
    }
    b.line("}", false);
    out.push(b.done("src/many-loops.ts"));

    // N helper calls with a value derived from the element, each declared at the top of the
    // body (the body's names grow with the file).
    let mut b = Builder::default();
    b.line(
        "async function load(id: string) { return prisma.user.findMany({ where: { id } }); }",
        false,
    );
    b.line(
        "export async function helpers(xs: { id: string }[]) {",
        false,
    );
    b.line("  for (const x of xs) {", false);
    for i in 0..N {
        b.line(&format!("    const v{i} = x.id + '{i}';"), false);
        b.line(&format!("    await load(v{i});"), true);
    }
    b.line("  }", false);
    b.line("}", false);
    out.push(b.done("src/helpers.ts"));

    // Raw SQL through a declared constant per query.
    let mut b = Builder::default();
    b.line("import { Pool } from 'pg';", false);
    b.line("const pool = new Pool();", false);
    b.line("export async function sql(xs: string[]) {", false);
    b.line("  for (const x of xs) {", false);
    for i in 0..N {
        b.line(
            &format!("    const q{i} = 'SELECT * FROM t WHERE id = $1 AND n = {i}';"),
            false,
        );
        b.line(&format!("    await pool.query(q{i}, [x]);"), true);
    }
    b.line("  }", false);
    b.line("}", false);
    out.push(b.done("src/sql.ts"));

    // Loops over a literal list: nothing to report, however many.
    let mut b = Builder::default();
    b.line("const KINDS = ['a', 'b'];", false);
    b.line("const kinds = ['a', 'b'];", false);
    b.line("export async function literal() {", false);
    for i in 0..N {
        let q = format!(
            "  for (const k of kinds) {{ await prisma.item.count({{ where: {{ k, n: {i} }} }}); }}"
        );
        b.line(&q, false);
    }
    b.line("}", false);
    out.push(b.done("src/literal.ts"));
    out
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn every_finding_of_very_large_files_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "package.json",
        r#"{ "name": "big", "dependencies": { "@prisma/client": "5", "pg": "8" } }"#,
    );
    write(dir.path(), "leaklint.toml", "max-file-size = 16000000\n");
    let cases = cases();
    for case in &cases {
        write(dir.path(), case.name, &case.text);
    }
    let out = Command::new(BIN)
        .args([
            "check",
            ".",
            "--confidence",
            "medium",
            "--format",
            "json",
            "--select",
            "query-in-loop",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json:#}");
    assert_eq!(json["summary"]["skipped"], 0);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    for case in &cases {
        let found: BTreeSet<u64> = diagnostics
            .iter()
            .filter(|d| d["path"] == case.name && d["rule"] == "query-in-loop")
            .map(|d| d["span"]["start"]["line"].as_u64().unwrap())
            .collect();
        let count = diagnostics
            .iter()
            .filter(|d| d["path"] == case.name)
            .count();
        assert_eq!(
            count,
            case.lines.len(),
            "{}: one finding per query",
            case.name
        );
        assert_eq!(found, case.lines, "{}", case.name);
    }
    let total: usize = cases.iter().map(|c| c.lines.len()).sum();
    assert_eq!(total, 4 * N);
    assert_eq!(diagnostics.len(), total);
}
