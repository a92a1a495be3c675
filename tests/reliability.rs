//! Reliability through the binary: config values range-checked, odd file types found by
//! the config search and git's exclude files, capped reads, notes under `--verbose` for what was
//! not judged or not followed. Inputs are generated here, never committed.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_leaklint");

/// Always one finding: `query-in-loop` at line 4, column 11.
const CONTROL: &str = "import { prisma } from './db';
export async function load(ids: string[]) {
  for (const id of ids) {
    await prisma.user.findUnique({ where: { id } });
  }
}
";

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Output {
    // These tests are about input, not tiers: report medium findings too.
    let tier: &[&str] = if args.first() == Some(&"check") {
        &["--confidence", "medium"]
    } else {
        &[]
    };
    Command::new(BIN)
        .args(args)
        .args(tier)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn integer_options_must_be_in_range() {
    for (toml, key) in [
        ("[rules]\noversized-page = { max = 0 }\n", "max"),
        ("[rules]\noversized-page = { max = -5 }\n", "max"),
        ("[rules]\nunbounded-include = { take = 0 }\n", "take"),
        (
            "[rules]\nsession-seed-copy = { min-size = -1 }\n",
            "min-size",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "leaklint.toml", toml.as_bytes());
        write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
        let out = run(dir.path(), &["check", "--color", "never"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{toml}: {err}");
        assert!(out.stdout.is_empty(), "{toml}");
        assert!(err.contains(&format!("option `{key}`")), "{toml}: {err}");
        assert!(err.contains("must be positive"), "{toml}: {err}");
        // A miette report pointing at the value, line 2 of the file.
        assert!(err.contains("leaklint.toml:2:"), "{toml}: {err}");
        assert!(
            err.contains("expected an integer of at least 1"),
            "{toml}: {err}"
        );
    }
    // The smallest value in range is accepted.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "leaklint.toml",
        b"[rules]\noversized-page = { max = 1 }\n",
    );
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// `mkfifo PATH` (no crate needed): a reader that opens it blocks until a writer comes.
#[cfg(unix)]
fn fifo(root: &Path, rel: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(status.success());
}

/// Runs `check --format json` with a deadline: a run that blocks on a FIFO fails the test
/// instead of hanging it. `home` replaces `HOME` (and clears `XDG_CONFIG_HOME`).
fn check_json(dir: &Path, args: &[&str], home: Option<&Path>) -> (i32, serde_json::Value, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["check", "--format", "json", "--confidence", "medium"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(home) = home {
        cmd.env("HOME", home).env_remove("XDG_CONFIG_HOME");
    }
    let mut child = cmd.spawn().unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("leaklint blocked for 60 s in {}", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = stderr(&out);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn error_paths(json: &serde_json::Value) -> Vec<String> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

fn has_control(json: &serde_json::Value, path: &str) -> bool {
    json["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["path"] == path && d["rule"] == "query-in-loop" && d["span"]["start"]["line"] == 4
    })
}

/// A `leaklint.toml` that the search for a config finds but is a FIFO: passed by (the config
/// above applies), listed in `errors`, never opened.
#[cfg(unix)]
#[test]
fn fifo_config_found_by_the_search_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The config above turns the rule to `error`: it still applies below the FIFO.
    write(
        dir.path(),
        "leaklint.toml",
        b"[rules]\nquery-in-loop = \"error\"\n",
    );
    write(dir.path(), "pkg/src/n1.ts", CONTROL.as_bytes());
    fifo(dir.path(), "pkg/leaklint.toml");
    for args in [&["."][..], &["pkg/src/n1.ts"][..], &["pkg"][..]] {
        let (code, json, stderr) = check_json(dir.path(), args, None);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(has_control(&json, "pkg/src/n1.ts"), "{args:?}: {json:#}");
        assert_eq!(json["diagnostics"][0]["severity"], "error", "{json:#}");
        assert_eq!(
            error_paths(&json),
            ["pkg/leaklint.toml"],
            "{args:?}: {json:#}"
        );
        let message = json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("not a regular file"), "{message}");
        assert!(message.contains("config"), "{message}");
    }
}

/// `.git/info/exclude` as a FIFO: at the root, the run honours no ignore files; in a nested
/// repository, that folder is not linted. Never blocks.
#[cfg(unix)]
#[test]
fn fifo_git_exclude_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    fifo(dir.path(), ".git/info/exclude");
    let (code, json, stderr) = check_json(dir.path(), &[], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(has_control(&json, "src/n1.ts"), "{json:#}");
    assert_eq!(error_paths(&json), [".git/info/exclude"], "{json:#}");

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    write(dir.path(), "vendor/lib/x.ts", CONTROL.as_bytes());
    fifo(dir.path(), "vendor/lib/.git/info/exclude");
    let (code, json, stderr) = check_json(dir.path(), &[], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(has_control(&json, "src/n1.ts"), "{json:#}");
    assert!(!has_control(&json, "vendor/lib/x.ts"), "{json:#}");
    assert_eq!(
        error_paths(&json),
        ["vendor/lib/.git/info/exclude"],
        "{json:#}"
    );

    // A linked work tree's `.git` file points at the folder whose exclude is read.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    write(dir.path(), ".git", b"gitdir: gitdirs/wt\n");
    write(dir.path(), "gitdirs/wt/commondir", b"../main\n");
    fifo(dir.path(), "gitdirs/main/info/exclude");
    let (code, json, stderr) = check_json(dir.path(), &["src"], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(has_control(&json, "src/n1.ts"), "{json:#}");
    assert_eq!(error_paths(&json).len(), 1, "{json:#}");
    assert!(
        error_paths(&json)[0].ends_with("main/info/exclude"),
        "{json:#}"
    );
}

/// The global git excludes file (default place, or `core.excludesFile`) and `~/.gitconfig` as
/// FIFOs: not read, reported, the run goes on with the other ignore files.
#[cfg(unix)]
#[test]
fn fifo_global_git_excludes_do_not_block() {
    for (home_fifo, gitconfig) in [
        (".config/git/ignore", None),
        (
            "my-excludes",
            Some("[core]\n\texcludesFile = ~/my-excludes\n"),
        ),
        (".gitconfig", None),
    ] {
        let home = tempfile::tempdir().unwrap();
        if let Some(text) = gitconfig {
            write(home.path(), ".gitconfig", text.as_bytes());
        }
        fifo(home.path(), home_fifo);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
        write(dir.path(), ".gitignore", b"ignored/\n");
        write(dir.path(), "ignored/x.ts", CONTROL.as_bytes());
        let (code, json, stderr) = check_json(dir.path(), &[], Some(home.path()));
        assert_eq!(code, 1, "{home_fifo}: {stderr}");
        assert!(has_control(&json, "src/n1.ts"), "{home_fifo}: {json:#}");
        assert!(
            !has_control(&json, "ignored/x.ts"),
            "{home_fifo}: .gitignore still honoured"
        );
        let paths = error_paths(&json);
        assert_eq!(paths.len(), 1, "{home_fifo}: {json:#}");
        assert!(paths[0].ends_with(home_fifo), "{home_fifo}: {json:#}");
    }
}

/// `--baseline` at a FIFO, a device or a file over 16 MiB: an error (exit 2), never a block
/// or a read without end.
#[cfg(unix)]
#[test]
fn baseline_reads_are_regular_files_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    fifo(dir.path(), "pipe.json");
    // Sparse: 17 MiB long, no disk used.
    let big = std::fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(17 * 1024 * 1024).unwrap();
    for (baseline, says) in [
        ("pipe.json", "not a regular file"),
        ("/dev/zero", "not a regular file"),
        ("big.json", "larger than 16777216 bytes"),
    ] {
        let start = std::time::Instant::now();
        let out = run(dir.path(), &["check", "--baseline", baseline]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{baseline}: {err}");
        assert!(err.contains(says), "{baseline}: {err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(30));
    }
}

/// `n` levels of `open ... close`, one level per line (a long line would be taken for minified).
fn nest(open: &str, middle: &str, close: &str, n: usize) -> String {
    let open = format!("{open}\n");
    let close = format!("{close}\n");
    format!("{}{middle}\n{}", open.repeat(n), close.repeat(n))
}

/// A helper that stops at its nesting bound leaves part of the file not judged: `--verbose`
/// names the file; a file that stays under the bound gets no note.
#[test]
fn too_deep_not_judged_is_noted_under_verbose() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    write(dir.path(), "src/seed.json", b"[1, 2, 3]");
    let imports = "import { prisma } from './db';\nimport next from 'next';\n";
    let n = 300;
    let shapes = [
        (
            "prisma-and",
            format!(
                "{imports}export const a = () => prisma.user.findMany({{ where: {}}});\n",
                nest("{ AND: [", "{ id: 1 }", "] }", n)
            ),
        ),
        (
            "sql-and",
            format!(
                "{imports}export const a = () => prisma.$queryRaw`SELECT * FROM users WHERE {}`;\n",
                nest("id = 1 AND ", "id = 2", "", n)
            ),
        ),
        (
            "session-clone",
            format!(
                "{imports}import seed from './seed.json';\nexport function h(req) {{ req.session.data = {}; }}\n",
                nest("structuredClone(", "seed", ")", n)
            ),
        ),
        (
            "dev-or",
            format!(
                "{imports}export const app = next({{ dev: {} }});\n",
                nest("process.env.A || ", "true", "", n)
            ),
        ),
    ];
    for (name, text) in &shapes {
        write(dir.path(), &format!("src/{name}.ts"), text.as_bytes());
    }
    // Under the bound: judged, no note.
    write(
        dir.path(),
        "src/shallow.ts",
        format!(
            "{imports}export const a = () => prisma.user.findMany({{ where: {}}});\n",
            nest("{ AND: [", "{ id: 1 }", "] }", 20)
        )
        .as_bytes(),
    );
    let (code, json, stderr) = check_json(dir.path(), &["--verbose"], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(has_control(&json, "src/n1.ts"), "{json:#}");
    for (name, _) in &shapes {
        let note = format!("note: src/{name}.ts: too deep");
        assert!(stderr.contains(&note), "{name}: no note in\n{stderr}");
    }
    assert!(!stderr.contains("src/shallow.ts: too deep"), "{stderr}");
    assert!(!stderr.contains("src/n1.ts: too deep"), "{stderr}");
    // Without --verbose, no note.
    let (_, _, quiet) = check_json(dir.path(), &[], None);
    assert!(!quiet.contains("too deep"), "{quiet}");
}

/// A file whose tree has more nodes than `max-nodes` is counted as skipped, with a note under
/// `--verbose`, and not analysed; the other files are. `max-nodes` must be positive.
#[test]
fn files_past_max_nodes_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "leaklint.toml", b"max-nodes = 2000\n");
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    // About 10 nodes per line: 5,000 of them, and an N+1 at the end that is not judged.
    let mut big = String::new();
    for i in 0..500 {
        big.push_str(&format!("export const v{i} = [{i}, {i} + 1];\n"));
    }
    big.push_str(CONTROL);
    write(dir.path(), "src/big.ts", big.as_bytes());
    let (code, json, stderr) = check_json(dir.path(), &["--verbose"], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(has_control(&json, "src/n1.ts"), "{json:#}");
    assert_eq!(json["summary"]["skipped"], 1, "{json:#}");
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["path"] != "src/big.ts"),
        "{json:#}"
    );
    assert!(
        stderr.contains("skipped src/big.ts: more syntax nodes than max-nodes"),
        "{stderr}"
    );
    // Under the default cap, the same file is analysed.
    std::fs::remove_file(dir.path().join("leaklint.toml")).unwrap();
    let (_, json, _) = check_json(dir.path(), &[], None);
    assert_eq!(json["summary"]["skipped"], 0, "{json:#}");
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"] == "src/big.ts"),
        "{json:#}"
    );
    // Must be positive.
    write(dir.path(), "leaklint.toml", b"max-nodes = 0\n");
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`max-nodes` must be a positive"));
}

/// Symlinks inside the project that lead out of it are not followed for project facts: a
/// configured schema and JSON data named by an import; `--verbose` names them. A schema path
/// written outside the root is not a symlink and is still read.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "schema.prisma",
        b"model User {\n  id String @id\n  posts Post[]\n}\nmodel Post {\n  id String @id\n  userId String\n  user User @relation(fields: [userId], references: [id])\n}\n",
    );
    write(
        outside.path(),
        "big.json",
        format!("[{}1]", "1,".repeat(60_000)).as_bytes(),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), "src/n1.ts", CONTROL.as_bytes());
    write(
        dir.path(),
        "leaklint.toml",
        b"[prisma]\nschema = \"prisma/schema.prisma\"\n",
    );
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("schema.prisma"),
        dir.path().join("prisma/schema.prisma"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("big.json"),
        dir.path().join("src/seed.json"),
    )
    .unwrap();
    write(
        dir.path(),
        "src/session.ts",
        b"import seed from './seed.json';\nexport function h(req) {\n  req.session.data = seed;\n}\n",
    );
    let (code, json, stderr) = check_json(dir.path(), &["--verbose"], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(has_control(&json, "src/n1.ts"), "{json:#}");
    for link in ["prisma/schema.prisma", "src/seed.json"] {
        let note = format!("note: {link}: a symlink out of the project root, not followed");
        assert!(stderr.contains(&note), "{link}: {stderr}");
    }
    assert!(
        stderr.contains("with 0 models"),
        "the schema was not read: {stderr}"
    );
    // The JSON file's size was not read through the link.
    let shown = json.to_string();
    assert!(
        shown.contains("seed.json (a symlink out of the project, not followed: size unknown)"),
        "{json:#}"
    );

    // Written outside the root (no symlink): read.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir2.path().join(".git")).unwrap();
    write(dir2.path(), "src/n1.ts", CONTROL.as_bytes());
    let schema = outside.path().join("schema.prisma");
    write(
        dir2.path(),
        "leaklint.toml",
        format!("[prisma]\nschema = \"{}\"\n", schema.display()).as_bytes(),
    );
    let (code, _, stderr) = check_json(dir2.path(), &["--verbose"], None);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("not followed"), "{stderr}");
    assert!(stderr.contains("with 2 models"), "{stderr}");
}
