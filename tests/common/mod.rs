//! Shared helpers for the end-to-end tests: run the binary, read its JSON.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs leaklint with `args` in `dir`. A `check` that does not choose a confidence reports
/// medium findings too: most tests are about something else than the tier (see
/// [`run_default`] and the `confidence_tiers` test for the default).
pub fn run(dir: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    let checks = args.is_empty()
        || args[0] == "check"
        || args[0].starts_with('-')
        || !["rules", "explain", "lsp", "stats"].contains(&args[0]);
    if checks && !args.contains(&"--confidence") && !args.contains(&"--show-config") {
        all.push("--confidence");
        all.push("medium");
    }
    run_default(dir, &all)
}

/// Runs leaklint with exactly `args` in `dir`.
pub fn run_default(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leaklint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("binary runs")
}

/// Runs `leaklint check --format json ARGS` in `dir` and parses stdout.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exited"), json)
}

/// (path, line, rule) of every diagnostic in a JSON report.
pub fn findings(json: &serde_json::Value) -> Vec<(String, u64, String)> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Writes `files` (relative path, content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}
