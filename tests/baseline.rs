//! `--write-baseline` and `--baseline`, end to end: the baseline survives code moving around
//! it, reports new findings only, and says how many entries no longer match.

mod common;

use common::{findings, run, run_json, write_files};

const HEADER: &str = "import { prisma } from './db';\n";
const LOAD: &str = "export async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";
const POSTS: &str = "export async function posts(ids: string[]) {\n  for (const id of ids) {\n    await prisma.post.findMany({ where: { authorId: id } });\n  }\n}\n";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_baseline_survives_unrelated_edits_and_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("src/a.ts", &format!("{HEADER}{LOAD}{POSTS}")),
            // The same code twice in one file: two entries, told apart by occurrence.
            (
                "src/twice.ts",
                &format!("{HEADER}{LOAD}\n{}", LOAD.replace("load", "load2")),
            ),
        ],
    );
    let out = run(
        dir.path(),
        &["check", "--write-baseline", ".leaklint-baseline.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("recorded 4 findings in .leaklint-baseline.json"),
        "{}",
        stderr(&out)
    );
    let baseline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".leaklint-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["version"], 1);
    let entries = baseline["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0]["path"], "src/a.ts");
    assert_eq!(entries[0]["rule"], "query-in-loop");
    let prints: std::collections::BTreeSet<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), 4, "every entry has its own fingerprint");
    // No temporary file left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");

    let (code, json) = run_json(dir.path(), &["--baseline", ".leaklint-baseline.json"]);
    assert_eq!((code, findings(&json)), (0, vec![]));

    // Move code around: functions swapped, lines added above, re-indented. Still baselined.
    let moved = format!(
        "{HEADER}\n// a new comment\n// and another\n\n{}\n{}",
        POSTS,
        LOAD.replace("  ", "    ")
    );
    write_files(dir.path(), &[("src/a.ts", &moved)]);
    let (code, json) = run_json(dir.path(), &["--baseline", ".leaklint-baseline.json"]);
    assert_eq!(
        (code, findings(&json)),
        (0, vec![]),
        "moved code is still baselined"
    );

    // A new finding is reported; one fixed is counted as no longer matching.
    let changed = format!(
        "{HEADER}{POSTS}\nexport async function teams(ids: string[]) {{\n  for (const id of ids) {{\n    await prisma.team.findUnique({{ where: {{ id }} }});\n  }}\n}}\n"
    );
    write_files(dir.path(), &[("src/a.ts", &changed)]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "compact",
            "--baseline",
            ".leaklint-baseline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("prisma.team.findUnique"), "{text}");
    assert!(
        stderr(&out).contains("1 baseline entry no longer matches (fixed?)"),
        "{}",
        stderr(&out)
    );

    // Linting a few files (pre-commit) does not count other files' entries as stale.
    let out = run(
        dir.path(),
        &[
            "check",
            "src/twice.ts",
            "--baseline",
            ".leaklint-baseline.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !stderr(&out).contains("no longer match"),
        "{}",
        stderr(&out)
    );

    // Editing a baselined finding's own code makes it new again.
    write_files(
        dir.path(),
        &[(
            "src/twice.ts",
            &format!("{HEADER}{}", LOAD.replace("findUnique", "findFirst")),
        )],
    );
    let (_, json) = run_json(
        dir.path(),
        &["src/twice.ts", "--baseline", ".leaklint-baseline.json"],
    );
    assert_eq!(findings(&json).len(), 1);
}

#[test]
fn a_third_copy_of_baselined_code_is_new() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.ts", &format!("{HEADER}{LOAD}"))]);
    run(dir.path(), &["check", "--write-baseline", "b.json"]);
    write_files(
        dir.path(),
        &[(
            "a.ts",
            &format!("{HEADER}{LOAD}{}", LOAD.replace("load", "again")),
        )],
    );
    let (code, json) = run_json(dir.path(), &["--baseline", "b.json"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json).len(), 1);
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a.ts", "export const a = 1;\n"),
            ("bad.json", "{ \"nope\": 1 }"),
        ],
    );
    let out = run(dir.path(), &["check", "--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a leaklint baseline"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        run(dir.path(), &["check", "--baseline", "missing.json"])
            .status
            .code(),
        Some(2)
    );
}
