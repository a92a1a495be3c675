//! Hostile input (DESIGN.md, "Hostile input is normal input"): every case puts the hostile
//! file(s) beside a positive control in one temporary project and checks that the run finishes,
//! does not panic, returns the exact exit code, and still reports the control's finding.
//!
//! Inputs are generated here, never committed.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_leaklint");
/// How long one run of the binary may take before the test calls it a hang.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Always one finding: `query-in-loop` at line 5, column 11.
const CONTROL: &str = "// src/n1.ts
import { prisma } from './db';
export async function load(ids: string[]) {
  for (const id of ids) {
    await prisma.user.findUnique({ where: { id } });
  }
}
";
const CONTROL_PATH: &str = "src/n1.ts";

/// An N+1 appended after hostile content: the query is on the 4th line of this text, column 11.
const TAIL_N1: &str = "
export async function after(ids: string[]) {
  for (const id of ids) {
    await prisma.user.findUnique({ where: { id } });
  }
}
";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// A temporary project holding the control at `src/n1.ts`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), CONTROL_PATH, CONTROL.as_bytes());
    dir
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    // These tests are about input, not tiers: report medium findings too.
    if args.first() == Some(&"check") {
        cmd.args(["--confidence", "medium"]);
    }
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn drain(pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut pipe = pipe;
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Polls `child` until it exits; kills it and fails the test after `TIMEOUT`.
fn wait_with_timeout(child: &mut Child, what: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("leaklint {what} did not finish within {TIMEOUT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn exit_code(status: ExitStatus, stderr: &str) -> i32 {
    match status.code() {
        Some(code) => code,
        None => panic!("leaklint was killed by a signal ({status:?}); stderr:\n{stderr}"),
    }
}

/// Runs the binary in `dir` with a timeout, reading stdout and stderr concurrently.
fn run_leaklint(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = command(dir, args).spawn().expect("spawn leaklint");
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    let status = wait_with_timeout(&mut child, &args.join(" "));
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    let code = exit_code(status, &stderr);
    let run = Run {
        code,
        stdout,
        stderr,
        elapsed,
    };
    assert_no_panic(&run);
    run
}

fn assert_no_panic(run: &Run) {
    assert_ne!(run.code, 101, "leaklint panicked; stderr:\n{}", run.stderr);
    assert!(
        !run.stderr.contains("panicked"),
        "panic message on stderr:\n{}",
        run.stderr
    );
    assert!(
        run.code == 0 || run.code == 1,
        "exit code {} (expected 0 or 1); stderr:\n{}",
        run.code,
        run.stderr
    );
}

/// `leaklint check . --format json` in `dir`, plus `extra` arguments.
fn check_json(dir: &Path, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let run = run_leaklint(dir, &args);
    let json: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
            run.code, run.stdout, run.stderr
        )
    });
    (run, json)
}

fn diagnostics(json: &Value) -> &Vec<Value> {
    json["diagnostics"].as_array().expect("`diagnostics` array")
}

fn diagnostics_in<'a>(json: &'a Value, path: &str) -> Vec<&'a Value> {
    diagnostics(json)
        .iter()
        .filter(|d| d["path"] == path)
        .collect()
}

fn errors(json: &Value) -> &Vec<Value> {
    json["errors"].as_array().expect("`errors` array")
}

fn summary(json: &Value, key: &str) -> u64 {
    json["summary"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("summary.{key} missing in {json:#}"))
}

fn start(d: &Value) -> (u64, u64) {
    let s = &d["span"]["start"];
    (s["line"].as_u64().unwrap(), s["column"].as_u64().unwrap())
}

fn has_finding(json: &Value, path: &str, line: u64, column: u64) -> bool {
    diagnostics(json)
        .iter()
        .any(|d| d["rule"] == "query-in-loop" && d["path"] == path && start(d) == (line, column))
}

fn assert_finding(json: &Value, path: &str, line: u64, column: u64) {
    assert!(
        has_finding(json, path, line, column),
        "expected query-in-loop at {path}:{line}:{column}; got:\n{json:#}"
    );
}

fn assert_control(json: &Value) {
    assert_finding(json, CONTROL_PATH, 5, 11);
}

/// 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
}

/// Breaks `s` (ASCII) into lines of `width` characters so the file is not taken for minified code.
fn wrap(s: &str, width: usize) -> String {
    s.as_bytes()
        .chunks(width)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

const DEPTH: usize = 20_000;

/// `prefix` + deeply nested `body` (wrapped) + `;` + an N+1 after it, beside the control: the
/// file is parsed (it holds the rule's needles), nothing panics, and the N+1 after the nesting
/// is still found.
fn deep_case(name: &str, prefix: &str, body: &str) {
    let dir = project();
    let text = format!(
        "import {{ prisma }} from './db';\n{prefix}{};\n{TAIL_N1}",
        wrap(body, 80)
    );
    let rel = format!("src/{name}.ts");
    write(dir.path(), &rel, text.as_bytes());
    let (run, json) = check_json(dir.path(), &["--verbose"]);
    eprintln!("{name}: {} bytes, run took {:?}", text.len(), run.elapsed);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert!(errors(&json).is_empty(), "{json:#}");
    assert_eq!(summary(&json, "skipped"), 0, "{json:#}");
    assert!(
        run.stderr.contains("2 files read, 2 parsed"),
        "the deep file was not parsed; stderr:\n{}",
        run.stderr
    );
    let line = line_of(&text, "await prisma.user.findUnique");
    assert_finding(&json, &rel, line, 11);
    assert_eq!(diagnostics_in(&json, &rel).len(), 1, "{json:#}");
}

#[test]
fn deep_brackets() {
    let body = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    deep_case("brackets", "export const a = ", &body);
}

#[test]
fn deep_parens() {
    let body = format!("{}1{}", "(".repeat(DEPTH), ")".repeat(DEPTH));
    deep_case("parens", "export const b = ", &body);
}

#[test]
fn deep_calls() {
    let body = format!("{}1{}", "f(".repeat(DEPTH), ")".repeat(DEPTH));
    deep_case(
        "calls",
        "declare function f(x: unknown): unknown;\nexport const c = ",
        &body,
    );
}

#[test]
fn deep_arrows_with_loops() {
    const N: usize = 5_000;
    let dir = project();
    let mut text = String::from("import { prisma } from './db';\nexport const g =\n");
    for i in 0..N {
        text.push_str(&format!(
            "(xs{i}: string[]) => {{ for (const x{i} of xs{i}) {{\n"
        ));
    }
    let last = N - 1;
    text.push_str(&format!(
        "  prisma.post.findMany({{ where: {{ id: x{last} }} }});\n"
    ));
    for _ in 0..N {
        text.push_str("} }\n");
    }
    text.push_str(";\n");
    write(dir.path(), "src/arrows.ts", text.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    eprintln!("arrows: {} bytes, run took {:?}", text.len(), run.elapsed);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert!(errors(&json).is_empty(), "{json:#}");
    // The innermost query, once.
    let line = line_of(&text, "prisma.post.findMany");
    assert_eq!(line, N as u64 + 3);
    assert_finding(&json, "src/arrows.ts", line, 3);
    assert_eq!(diagnostics_in(&json, "src/arrows.ts").len(), 1, "{json:#}");
}

/// Minified-looking N+1 code on one line, about 1 MB (under the 1 MiB cap).
fn minified(target: usize) -> String {
    let mut text = String::with_capacity(target + 200);
    let mut i = 0;
    while text.len() < target {
        text.push_str(&format!(
            "async function l{i}(a){{for(const i of a){{await prisma.user.findUnique({{where:{{id:i}}}})}}}}"
        ));
        i += 1;
    }
    text
}

#[test]
fn minified_single_line_is_skipped() {
    let dir = project();
    let text = minified(1_000_000);
    assert!(!text.contains('\n') && text.len() < 1024 * 1024);
    write(dir.path(), "src/bundle.min.js", text.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(summary(&json, "skipped"), 1, "{json:#}");
    assert!(diagnostics_in(&json, "src/bundle.min.js").is_empty());
    assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
    assert!(errors(&json).is_empty(), "{json:#}");
}

#[test]
fn file_over_size_cap_is_skipped() {
    let dir = project();
    // Ordinary multi-line N+1 code, just over 1 MiB: only the size cap can skip it.
    let mut text = String::new();
    let mut i = 0;
    while text.len() <= 1024 * 1024 {
        text.push_str(&format!(
            "export async function l{i}(ids: string[]) {{\n  for (const id of ids) {{\n    await prisma.user.findUnique({{ where: {{ id }} }});\n  }}\n}}\n"
        ));
        i += 1;
    }
    write(dir.path(), "src/huge.ts", text.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(summary(&json, "skipped"), 1, "{json:#}");
    assert!(diagnostics_in(&json, "src/huge.ts").is_empty());
    assert!(errors(&json).is_empty(), "{json:#}");
}

#[test]
fn configured_size_cap_skips_small_files() {
    // `max-file-size = 10` skips the control too (it is 160 bytes): no finding can survive, so
    // this case checks the counts instead. An 8-byte file is still linted.
    let dir = project();
    write(dir.path(), "leaklint.toml", b"max-file-size = 10\n");
    write(dir.path(), "src/tiny.ts", b"let a=1;");
    write(dir.path(), "src/other.ts", CONTROL.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(diagnostics(&json).is_empty(), "{json:#}");
    assert_eq!(summary(&json, "skipped"), 2, "{json:#}");
    assert_eq!(summary(&json, "files"), 1, "{json:#}");
    assert!(errors(&json).is_empty(), "{json:#}");
}

/// Valid TypeScript with the bytes 0xff 0xfe in the middle.
fn invalid_utf8() -> Vec<u8> {
    let mut bytes = b"export const a = \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\";\n");
    bytes.extend_from_slice(TAIL_N1.as_bytes());
    bytes
}

#[test]
fn invalid_utf8_is_an_error_beside_the_control() {
    let dir = project();
    write(dir.path(), "src/bad.ts", &invalid_utf8());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
    let errors = errors(&json);
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["path"], "src/bad.ts", "{json:#}");
    assert!(errors[0]["message"].as_str().unwrap().contains("UTF-8"));
}

#[test]
fn invalid_utf8_alone_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/bad.ts", &invalid_utf8());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert!(diagnostics(&json).is_empty(), "{json:#}");
    assert_eq!(errors(&json).len(), 1, "{json:#}");
    assert_eq!(errors(&json)[0]["path"], "src/bad.ts");
    // Human format: the error goes to stderr, same exit code.
    let human = run_in_human(dir.path());
    assert_eq!(human.code, 1, "stderr:\n{}", human.stderr);
    assert!(human.stderr.contains("src/bad.ts"), "{}", human.stderr);
}

fn run_in_human(dir: &Path) -> Run {
    run_leaklint(dir, &["check", ".", "--color", "never"])
}

#[test]
fn crlf_with_bom_keeps_positions() {
    let dir = project();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(CONTROL.replace('\n', "\r\n").as_bytes());
    write(dir.path(), "src/crlf.ts", &bytes);
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_finding(&json, "src/crlf.ts", 5, 11);
    // The whole span matches the LF copy's, end included.
    let span = |path: &str| diagnostics_in(&json, path)[0]["span"].clone();
    assert_eq!(span("src/crlf.ts"), span(CONTROL_PATH), "{json:#}");
}

#[test]
fn columns_count_characters_not_bytes() {
    let dir = project();
    let query_line = "    const 名前 = /* 🚀 */ await prisma.user.findUnique({ where: { id } });";
    let text = format!(
        "const é = \"日本語\";\nconst ü = '🚀🚀🚀';\nexport async function load(ids: string[]) {{\n  for (const id of ids) {{ // ünïcödé 🚀\n{query_line}\n  }}\n}}\n"
    );
    write(dir.path(), "src/utf8.ts", text.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    let byte = query_line.find("prisma").unwrap();
    let column = query_line[..byte].chars().count() as u64 + 1;
    assert_eq!(column, 30);
    assert_ne!(byte as u64 + 1, column);
    assert_finding(&json, "src/utf8.ts", 5, column);
}

#[test]
fn syntax_error_before_an_n1_does_not_hide_it() {
    let dir = project();
    let text = "import { prisma } from './db';
export function broken(a, {
  const x = ;
  if (x ==== 2 {
    return }}
}

export async function load(ids: string[]) {
  for (const id of ids) {
    await prisma.user.findUnique({ where: { id } });
  }
}
";
    write(dir.path(), "src/broken.ts", text.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert!(errors(&json).is_empty(), "{json:#}");
    let line = line_of(text, "await prisma");
    assert_finding(&json, "src/broken.ts", line, 11);
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang() {
    use std::os::unix::fs::symlink;
    let dir = project();
    symlink(".", dir.path().join("loop")).unwrap();
    symlink("..", dir.path().join("src/parent")).unwrap();
    std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
    symlink("../..", dir.path().join("a/b/up")).unwrap();
    symlink("/", dir.path().join("a/root")).unwrap();
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
    assert!(errors(&json).is_empty(), "{json:#}");
    // Named explicitly, through the loop.
    let run2 = run_leaklint(dir.path(), &["check", "loop/loop/loop", "--format", "json"]);
    assert_eq!(run2.code, 1, "stderr:\n{}", run2.stderr);
    let json2: Value = serde_json::from_str(&run2.stdout).unwrap();
    assert_eq!(diagnostics(&json2).len(), 1, "{json2:#}");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    write(dir.path(), "src/secret.ts", TAIL_N1.as_bytes());
    write(dir.path(), "src/locked/inner.ts", TAIL_N1.as_bytes());
    let file = dir.path().join("src/secret.ts");
    let locked = dir.path().join("src/locked");
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(&file, 0o000);
    mode(&locked, 0o000);
    // Root reads through chmod 000: then only the no-panic and control checks can run.
    let enforced = std::fs::read(&file).is_err() && std::fs::read_dir(&locked).is_err();
    let (run, json) = check_json(dir.path(), &[]);
    // Let the temp dir clean itself up.
    mode(&file, 0o644);
    mode(&locked, 0o755);
    assert_control(&json);
    if !enforced {
        eprintln!(
            "unreadable_file_is_an_error: permissions are not enforced (root?); errors not checked"
        );
        return;
    }
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    let paths: Vec<&str> = errors(&json)
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["src/locked", "src/secret.ts"], "{json:#}");
    assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
}

#[test]
fn binary_ts_file_is_skipped_not_an_error() {
    let dir = project();
    let mut bytes = TAIL_N1.as_bytes().to_vec();
    bytes.extend_from_slice(&[0, 1, 2, 0, 0xff, 0xfe, 0x89, b'P', b'N', b'G', 0]);
    bytes.extend_from_slice(TAIL_N1.as_bytes());
    write(dir.path(), "src/blob.ts", &bytes);
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(summary(&json, "skipped"), 1, "{json:#}");
    assert!(errors(&json).is_empty(), "{json:#}");
    assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
}

/// `leaklint check . --format FORMAT | head -1`, with output far larger than a pipe buffer:
/// read one line, close the pipe, and expect what cli.rs promises for a reader that left: no
/// panic, no write error, and an exit code that still tells there were findings (1).
fn closed_pipe(format: &str) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2_000 {
        write(
            dir.path(),
            &format!("src/d{}/n{i}.ts", i / 100),
            CONTROL.as_bytes(),
        );
    }
    let started = Instant::now();
    let args = ["check", ".", "--color", "never", "--format", format];
    let mut child = command(dir.path(), &args).spawn().expect("spawn leaklint");
    let err = drain(child.stderr.take().unwrap());
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    drop(stdout);
    let status = wait_with_timeout(&mut child, &format!("{} | head -1", args.join(" ")));
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    let code = exit_code(status, &stderr);
    eprintln!(
        "pipe ({format}): first line {first:?}, exit {code}, {:?}; stderr: {stderr:?}",
        started.elapsed()
    );
    assert!(!first.is_empty(), "no output before the pipe closed");
    let run = Run {
        code,
        stdout: first,
        stderr,
        elapsed: started.elapsed(),
    };
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    // At most the summary line (human output), never a write error.
    assert!(
        run.stderr
            .lines()
            .all(|l| l.starts_with("leaklint: ") && l.contains(" problems ")),
        "stderr:\n{}",
        run.stderr
    );
}

#[test]
fn closed_stdout_pipe_human() {
    closed_pipe("human");
}

#[test]
fn closed_stdout_pipe_json() {
    closed_pipe("json");
}

#[test]
fn closed_stdout_pipe_compact() {
    closed_pipe("compact");
}

#[test]
fn empty_bom_only_and_comment_only_files() {
    let dir = project();
    write(dir.path(), "src/empty.ts", b"");
    write(dir.path(), "src/bom.ts", "\u{feff}".as_bytes());
    write(dir.path(), "src/bom-newline.ts", "\u{feff}\r\n".as_bytes());
    // Comments that hold the rule's needles, so the file is parsed; the last line is a
    // suppression with nothing after it and no final newline.
    write(
        dir.path(),
        "src/comments.ts",
        b"// for (const id of ids) await prisma.user.findUnique({ where: { id } })\n/* while (true) {\n  db.post.findMany();\n} */\n// leaklint-disable-next-line query-in-loop",
    );
    write(
        dir.path(),
        "src/open-comment.ts",
        b"/* for prisma.user.findMany( never closed",
    );
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
    assert!(errors(&json).is_empty(), "{json:#}");
    assert_eq!(summary(&json, "skipped"), 0, "{json:#}");
    assert_eq!(summary(&json, "files"), 6, "{json:#}");
    // Asking for unused suppressions reports the dangling one, and nothing breaks.
    let (run, json) = check_json(dir.path(), &["--report-unused-suppressions"]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert!(errors(&json).is_empty(), "{json:#}");
}

/// Depth of the hostile shapes named in issue 12 (helpers that recursed over them overflowed the
/// stack at a few hundred levels).
const HOSTILE_DEPTH: usize = 50_000;

/// `open` repeated `n` times, `middle`, then `close` repeated `n` times, with a line break
/// between whole units every 80 bytes or so (so the file is not taken for minified code and no
/// token is split).
fn nest(open: &str, middle: &str, close: &str, n: usize) -> String {
    let mut out = String::with_capacity((open.len() + close.len() + 1) * n + middle.len());
    let mut line = 0;
    let mut push = |out: &mut String, unit: &str| {
        out.push_str(unit);
        line += unit.len();
        if line >= 80 {
            out.push('\n');
            line = 0;
        }
    };
    for _ in 0..n {
        push(&mut out, open);
    }
    push(&mut out, middle);
    for _ in 0..n {
        push(&mut out, close);
    }
    out
}

/// One file per hostile shape, all in one project beside the control: the run completes (no
/// abort, no panic, no hang), the control's finding and the N+1 after each shape are reported.
fn hostile_shapes() -> Vec<(&'static str, String)> {
    let n = HOSTILE_DEPTH;
    let imports =
        "import { prisma } from './db';\nimport next from 'next';\nimport knex from 'knex';\n";
    vec![
        // Nested `AND` in an ORM filter.
        (
            "prisma-and",
            format!(
                "{imports}export const a = () => prisma.user.findMany({{ where: {}}});\n",
                nest("{ AND: [", "{ id: 1 }", "] }", n)
            ),
        ),
        (
            "prisma-or",
            format!(
                "{imports}export const a = () => prisma.user.findMany({{ where: {}}});\n",
                nest("{ OR: [", "{ id: 1 }", "] }", n)
            ),
        ),
        // `&&` chains in a filter value and in a condition.
        (
            "and-chain",
            format!(
                "{imports}export const a = (x) => prisma.user.findMany({{ where: {{ id: {} }} }});\n",
                nest("x && ", "x", "", n)
            ),
        ),
        // A Knex `where` chain and nested `where` builders.
        (
            "knex-chain",
            format!(
                "{imports}export const a = () => knex('users'){};\n",
                nest(".where('id', 1)", "", "", n)
            ),
        ),
        (
            "knex-nested",
            format!(
                "{imports}export const a = () => knex('users').where({});\n",
                nest("(q) => q.where(", "'id', 1", ")", n)
            ),
        ),
        // SQL conditions: a long `AND` chain and deeply nested parentheses.
        (
            "sql-and",
            format!(
                "{imports}export const a = () => prisma.$queryRaw`SELECT * FROM users WHERE {}`;\n",
                nest("id = 1 AND ", "id = 2", "", n)
            ),
        ),
        (
            "sql-parens",
            format!(
                "{imports}export const a = () => prisma.$queryRaw`SELECT * FROM users WHERE {}`;\n",
                nest("(", "id = 1", ")", n)
            ),
        ),
        (
            "sql-union",
            format!(
                "{imports}export const a = () => prisma.$queryRaw`{} SELECT 1`;\n",
                nest("SELECT 1 UNION ", "", "", n)
            ),
        ),
        // `!` and `||` chains in the dev-mode check.
        (
            "dev-not",
            format!(
                "{imports}export const app = next({{ dev: {}process.env.STAGE }});\n",
                nest("!", "", "", n)
            ),
        ),
        (
            "dev-or",
            format!(
                "{imports}export const app = next({{ dev: {} }});\n",
                nest("process.env.A || ", "true", "", n)
            ),
        ),
        // Nested clones in the session rule.
        (
            "session-clone",
            format!(
                "{imports}import seed from './seed.json';\nexport function h(req) {{ req.session.data = {}; }}\n",
                nest("structuredClone(", "seed", ")", n)
            ),
        ),
        (
            "session-spread",
            format!(
                "{imports}import seed from './seed.json';\nexport function h(req) {{ req.session.data = {}; }}\n",
                nest("{ ...", "seed", " }", n)
            ),
        ),
    ]
}

#[test]
fn hostile_shapes_50k_deep_keep_other_findings() {
    let dir = project();
    let shapes = hostile_shapes();
    for (name, body) in &shapes {
        let text = format!("{body}{TAIL_N1}");
        write(dir.path(), &format!("src/{name}.ts"), text.as_bytes());
    }
    write(dir.path(), "src/seed.json", b"[1, 2, 3]");
    let (run, json) = check_json(dir.path(), &["--verbose"]);
    eprintln!("hostile shapes: run took {:?}", run.elapsed);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert!(errors(&json).is_empty(), "{json:#}");
    for (name, body) in &shapes {
        let rel = format!("src/{name}.ts");
        let text = format!("{body}{TAIL_N1}");
        let line = line_of(&text, "await prisma.user.findUnique");
        assert_finding(&json, &rel, line, 11);
    }
}

/// Deep nesting in configuration and project files: a clear error or a skipped file, never an
/// abort.
#[test]
fn deep_config_values_do_not_abort() {
    let n = HOSTILE_DEPTH;
    // package.json and tsconfig.json are read for project facts: a deep one is ignored.
    let dir = project();
    write(
        dir.path(),
        "package.json",
        format!(
            "{{\"name\": \"x\", \"exports\": {}}}",
            nest("[", "1", "]", n)
        )
        .as_bytes(),
    );
    write(
        dir.path(),
        "tsconfig.json",
        format!(
            "{{\"compilerOptions\": {{\"paths\": {}}}}}",
            nest("{\"a\":", "1", "}", n)
        )
        .as_bytes(),
    );
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    // leaklint.toml: a configuration error (exit 2), reported, not a crash.
    write(
        dir.path(),
        "leaklint.toml",
        format!("exclude = {}\n", nest("[", "\"a\"", "]", n)).as_bytes(),
    );
    let mut child = command(dir.path(), &["check", ".", "--format", "json"])
        .spawn()
        .unwrap();
    let err = drain(child.stderr.take().unwrap());
    let _out = drain(child.stdout.take().unwrap());
    let status = wait_with_timeout(&mut child, "deep leaklint.toml");
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    assert_eq!(exit_code(status, &stderr), 2, "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A panic in one file's analysis (injected: debug builds panic on the file named by
/// `LEAKLINT_TEST_PANIC_IN`) is that file's error, with the panic message; the other files'
/// findings are still printed, in every format, and nothing is printed about the panic itself.
#[test]
fn panic_in_one_file_is_contained() {
    let dir = project();
    write(dir.path(), "src/boom.ts", TAIL_N1.as_bytes());
    for format in ["json", "human", "compact"] {
        let mut child = command(dir.path(), &["check", ".", "--format", format])
            .env("LEAKLINT_TEST_PANIC_IN", "boom.ts")
            .spawn()
            .unwrap();
        let out = drain(child.stdout.take().unwrap());
        let err = drain(child.stderr.take().unwrap());
        let status = wait_with_timeout(&mut child, "injected panic");
        let stdout = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
        let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
        assert_eq!(exit_code(status, &stderr), 1, "{format}: stderr:\n{stderr}");
        assert!(!stderr.contains("panicked at"), "{format}: {stderr}");
        match format {
            "json" => {
                let json: Value = serde_json::from_str(&stdout).unwrap();
                assert_control(&json);
                assert_eq!(diagnostics(&json).len(), 1, "{json:#}");
                let errors = errors(&json);
                assert_eq!(errors.len(), 1, "{json:#}");
                assert_eq!(errors[0]["path"], "src/boom.ts");
                let message = errors[0]["message"].as_str().unwrap();
                assert!(message.contains("injected panic"), "{message}");
                assert!(message.contains("src/lib.rs:"), "{message}");
            }
            _ => {
                assert!(stdout.contains("src/n1.ts"), "{format}: {stdout}");
                assert!(stderr.contains("src/boom.ts"), "{format}: {stderr}");
                assert!(stderr.contains("injected panic"), "{format}: {stderr}");
            }
        }
    }
}

/// `mkfifo PATH` (no crate needed): a reader that opens it blocks until a writer comes.
#[cfg(unix)]
fn fifo(root: &Path, rel: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(status.success());
}

fn error_paths(json: &Value) -> Vec<String> {
    errors(json)
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

#[cfg(unix)]
#[test]
fn fifo_ignore_files_do_not_hang() {
    let dir = project();
    fifo(dir.path(), "src/sub/.gitignore");
    write(dir.path(), "src/sub/x.ts", TAIL_N1.as_bytes());
    fifo(dir.path(), "src/other/.leaklintignore");
    fifo(dir.path(), "src/third/.ignore");
    write(dir.path(), "src/kept/y.ts", TAIL_N1.as_bytes());
    for extra in [&[][..], &["--no-ignore"][..]] {
        let (run, json) = check_json(dir.path(), extra);
        assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
        assert_control(&json);
        assert_finding(&json, "src/kept/y.ts", 4, 11);
        assert_eq!(
            error_paths(&json),
            [
                "src/other/.leaklintignore",
                "src/sub/.gitignore",
                "src/third/.ignore"
            ],
            "{json:#}"
        );
    }
}

#[cfg(unix)]
#[test]
fn fifo_ignore_file_at_the_root_does_not_hang() {
    let dir = project();
    fifo(dir.path(), ".gitignore");
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(error_paths(&json), [".gitignore"], "{json:#}");
}

#[cfg(unix)]
#[test]
fn fifo_source_file_is_skipped_or_an_error_when_named() {
    let dir = project();
    fifo(dir.path(), "src/pipe.ts");
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(summary(&json, "skipped"), 1, "{json:#}");
    assert!(errors(&json).is_empty(), "{json:#}");
    // Named on the command line: an error, not read.
    let run = run_leaklint(
        dir.path(),
        &["check", "src/pipe.ts", "src/n1.ts", "--format", "json"],
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(error_paths(&json), ["src/pipe.ts"], "{json:#}");
    assert!(errors(&json)[0]["message"]
        .as_str()
        .unwrap()
        .contains("not a regular file"));
}

#[cfg(unix)]
#[test]
fn schema_pointing_at_a_fifo_or_dev_zero_does_not_hang() {
    for schema in ["pipe.prisma", "/dev/zero"] {
        let dir = project();
        fifo(dir.path(), "pipe.prisma");
        write(
            dir.path(),
            "leaklint.toml",
            format!("[prisma]\nschema = \"{schema}\"\n").as_bytes(),
        );
        let (run, json) = check_json(dir.path(), &[]);
        assert_eq!(run.code, 1, "{schema}: stderr:\n{}", run.stderr);
        assert_control(&json);
    }
}

#[cfg(unix)]
#[test]
fn fifo_config_is_a_configuration_error() {
    let dir = project();
    fifo(dir.path(), "leaklint.toml");
    // Found by the search for a config: not a regular file, so not a config.
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    // Named with --config: a configuration error.
    let mut child = command(dir.path(), &["check", ".", "--config", "leaklint.toml"])
        .spawn()
        .unwrap();
    let err = drain(child.stderr.take().unwrap());
    let _out = drain(child.stdout.take().unwrap());
    let status = wait_with_timeout(&mut child, "FIFO leaklint.toml");
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    assert_eq!(exit_code(status, &stderr), 2, "stderr:\n{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// A file name that is not UTF-8 is linted and shown lossily (U+FFFD); control characters in
/// names are escaped (`\n`, `\u{1b}`) in every format, so no name breaks a line or reaches the
/// terminal as an escape sequence.
#[cfg(unix)]
#[test]
fn odd_file_names_are_linted_and_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = project();
    let raw = std::ffi::OsStr::from_bytes(b"src/bad\xff.ts");
    std::fs::write(dir.path().join(raw), TAIL_N1.as_bytes()).unwrap();
    write(dir.path(), "src/new\nline.ts", TAIL_N1.as_bytes());
    write(dir.path(), "src/\x1b[31mred.ts", TAIL_N1.as_bytes());
    let (run, json) = check_json(dir.path(), &[]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_finding(&json, "src/bad\u{fffd}.ts", 4, 11);
    assert_finding(&json, "src/new\\nline.ts", 4, 11);
    assert_finding(&json, "src/\\u{1b}[31mred.ts", 4, 11);
    // Named on the command line too.
    let out = command(dir.path(), &["check", "--format", "json"])
        .arg(raw)
        .output()
        .unwrap();
    let named: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{named:#}");
    assert_finding(&named, "src/bad\u{fffd}.ts", 4, 11);
    for format in ["human", "compact", "github"] {
        let run = run_leaklint(
            dir.path(),
            &["check", ".", "--format", format, "--color", "never"],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !all.contains('\x1b'),
            "{format}: raw escape in output:\n{all:?}"
        );
        assert!(
            !all.contains("new\nline"),
            "{format}: raw newline in a name:\n{all}"
        );
        assert!(all.contains("new\\nline.ts"), "{format}:\n{all}");
    }
}

/// A parse that takes too long (30,000 unclosed `class A {` take tree-sitter minutes) is cut at
/// `parse-timeout-ms` and the file counted as skipped; the others are still linted.
#[test]
fn slow_parse_is_cut_at_the_deadline() {
    let dir = project();
    write(dir.path(), "leaklint.toml", b"parse-timeout-ms = 300\n");
    let text = format!(
        "import {{ prisma }} from './db';\n{}{TAIL_N1}",
        "class A {\n".repeat(30_000)
    );
    write(dir.path(), "src/classes.ts", text.as_bytes());
    let (run, json) = check_json(dir.path(), &["--verbose"]);
    eprintln!("slow parse: run took {:?}", run.elapsed);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert_control(&json);
    assert_eq!(summary(&json, "skipped"), 1, "{json:#}");
    assert!(run.stderr.contains("parse took longer"), "{}", run.stderr);
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
}

#[test]
fn parse_timeout_must_be_positive() {
    let dir = project();
    write(dir.path(), "leaklint.toml", b"parse-timeout-ms = 0\n");
    let out = command(dir.path(), &["check", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("parse-timeout-ms"), "{stderr}");
}
