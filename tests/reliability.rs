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
    Command::new(BIN)
        .args(args)
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

