//! What a user meets at the edges: a pipe closed early, empty options, suppressions with an
//! empty reason, NO_COLOR, plurals, the rules table, wrapped help, JSON on config errors.

mod common;

use common::{run, run_json, write_files};
use std::io::Read;
use std::process::{Command, Stdio};

const N_PLUS_ONE: &str = "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";

#[test]
fn a_reader_that_leaves_early_does_not_hide_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    // Far more output than a pipe buffer holds, so that writing fails once the reader is gone.
    let files: Vec<(String, &str)> = (0..400)
        .map(|i| (format!("src/n{i:03}.ts"), N_PLUS_ONE))
        .collect();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    write_files(dir.path(), &borrowed);
    for format in ["human", "compact", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leaklint"))
            .args(["check", "--format", format, "--confidence", "medium"])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        let mut stdout = child.stdout.take().unwrap();
        stdout.read_exact(&mut first).unwrap();
        drop(stdout); // `| head -c 64`
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(1), "{format}: {err}");
        assert!(!err.contains("panicked"), "{format}: {err}");
    }
}

#[test]
fn an_empty_select_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.ts", N_PLUS_ONE)]);
    let out = run(dir.path(), &["check", "--select", ""]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--select` names no rule"));
    assert_eq!(
        run(dir.path(), &["check", "--select", ","]).status.code(),
        Some(2)
    );
    // An empty --ignore ignores nothing.
    assert_eq!(
        run(dir.path(), &["check", "--ignore", ""]).status.code(),
        Some(1)
    );
}

#[test]
fn a_suppression_with_an_empty_reason_is_a_suppression() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "a.ts",
                "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } }); // leaklint-disable-line query-in-loop --\n  }\n}\n",
            ),
            (
                "b.ts",
                "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    // leaklint-disable-next-line query-in-loop -- three ids at most -- from a form\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n",
            ),
        ],
    );
    let (code, json) = run_json(dir.path(), &[]);
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json}");
    assert_eq!(code, 0);
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), so that `--color auto` sees one.
fn on_a_terminal(dir: &std::path::Path, no_color: Option<&str>) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let mut command = Command::new(script);
    command
        .args([
            "-qec",
            &format!(
                "{} check --confidence medium",
                env!("CARGO_BIN_EXE_leaklint")
            ),
            "/dev/null",
        ])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let out = command.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn an_empty_no_color_does_not_turn_colour_off() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.ts", N_PLUS_ONE)]);
    let Some(plain_terminal) = on_a_terminal(dir.path(), None) else {
        eprintln!("no `script` to make a terminal: skipped");
        return;
    };
    assert!(plain_terminal.contains('\u{1b}'), "a terminal gets colour");
    let empty = on_a_terminal(dir.path(), Some("")).unwrap();
    assert!(empty.contains('\u{1b}'), "NO_COLOR= (empty) keeps colour");
    let set = on_a_terminal(dir.path(), Some("1")).unwrap();
    assert!(!set.contains('\u{1b}'), "NO_COLOR=1 turns it off: {set:?}");
}

#[test]
fn one_is_singular() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a.ts", N_PLUS_ONE),
            ("clean/b.ts", "export const b = 1;\n"),
        ],
    );
    let out = run(dir.path(), &["check", "a.ts"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "leaklint: 1 problem (1 warning) in 1 file\n"
    );
    let out = run(dir.path(), &["check", "clean"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "leaklint: no problems in 1 file\n"
    );
}

#[test]
fn the_rules_table_is_aligned() {
    let out = run(std::path::Path::new("."), &["rules"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0];
    let column = |name: &str| header.find(name).unwrap();
    for col in ["category", "severity", "fix", "summary"] {
        let at = column(col);
        for line in &lines[1..] {
            assert!(
                line.len() > at && line.as_bytes()[at - 1] == b' ' && line.as_bytes()[at] != b' ',
                "column `{col}` misaligned in {line:?}"
            );
        }
    }
}

#[test]
fn help_never_wraps_inside_inline_code() {
    let dir = tempfile::tempdir().unwrap();
    // A long model name makes the help's code span cross the wrap width.
    write_files(
        dir.path(),
        &[(
            "a.ts",
            "import { prisma } from './db';\nexport async function load(subscriptionIds: string[]) {\n  for (const subscriptionId of subscriptionIds) {\n    await prisma.subscriptionInvoiceLineItem.findUnique({ where: { subscriptionId } });\n  }\n}\n",
        )],
    );
    let out = run(dir.path(), &["check", "--color", "never"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let help_start = text.find("help:").expect("a help section");
    let help: Vec<&str> = text[help_start..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(help.len() > 1, "the help is long enough to wrap: {help:?}");
    for line in &help {
        assert_eq!(
            line.matches('`').count() % 2,
            0,
            "wrapped inside code: {help:#?}"
        );
    }
}

#[test]
fn a_config_error_still_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("leaklint.toml", "[rules]\nquery-in-lop = \"off\"\n"),
            ("a.ts", N_PLUS_ONE),
        ],
    );
    let out = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["version"], 1);
    assert_eq!(json["diagnostics"], serde_json::json!([]));
    assert_eq!(json["errors"][0]["path"], "leaklint.toml");
    assert_eq!(
        json["errors"][0]["message"],
        "unknown rule `query-in-lop` in leaklint.toml (line 2, column 1): did you mean `query-in-loop`?"
    );
    // The miette report is still on stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean"));
}

/// The hooks pre-commit reads from this repository: the cargo-built one and one that uses an
/// installed binary, on the same files.
#[test]
fn both_pre_commit_hooks_are_declared() {
    let hooks = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let entries: Vec<&str> = hooks.split("\n- ").collect();
    assert_eq!(entries.len(), 2, "{hooks}");
    assert!(entries[0].starts_with("- id: leaklint\n") && entries[0].contains("language: rust"));
    assert!(
        entries[1].starts_with("id: leaklint-system\n") && entries[1].contains("language: system")
    );
    for entry in entries {
        assert!(entry.contains("entry: leaklint check --quiet"), "{entry}");
        assert!(
            entry.contains(r"files: \.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$"),
            "{entry}"
        );
    }
    let action =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    assert!(action.contains("using: composite"));
    assert!(action.contains("actions/cache@v4"));
    assert!(action.contains("--format sarif"));
    assert!(action.contains("github/codeql-action/upload-sarif@v3"));
}
