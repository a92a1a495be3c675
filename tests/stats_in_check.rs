//! `leaklint check` with the database's statistics (`.leaklint/stats.json`, `[stats]`): what they
//! raise, what they clear, what their messages say, and how a stale, broken or missing file is
//! told. The statistics are the fixture's own (`fixtures/stats/stats.json`, written by us in the
//! format `leaklint stats` writes; `tests/stats.rs` collects real ones from a PostgreSQL server).

mod common;

use common::{findings, fixtures, run, run_json};
use std::path::{Path, PathBuf};

/// A copy of `fixtures/stats` in a temporary project root (a `.git` folder), so that the
/// default statistics path (`<root>/.leaklint/stats.json`) is the copy's own.
fn project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("app");
    let mut stack = vec![(fixtures().join("stats"), root.clone())];
    while let Some((from, to)) = stack.pop() {
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                stack.push((path, target));
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    std::fs::create_dir_all(root.join(".git")).unwrap();
    (tmp, root)
}

const QUERIES: &str = "src/lib/pnode-queries.ts";

fn high(root: &Path) -> Vec<(u64, String)> {
    let (_, json) = run_json(root, &[".", "--confidence", "high"]);
    findings(&json)
        .into_iter()
        .filter(|(path, _, _)| path == QUERIES)
        .map(|(_, line, rule)| (line, rule))
        .collect()
}

fn message_at(json: &serde_json::Value, line: u64) -> String {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["span"]["start"]["line"] == line)
        .unwrap_or_else(|| panic!("no finding on line {line}: {json}"))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn statistics_raise_some_findings_and_clear_others() {
    let (_tmp, root) = project();
    let with = high(&root);
    std::fs::remove_file(root.join("leaklint.toml")).unwrap();
    let without = high(&root);
    let rule = |r: &str| r.to_string();
    // Without statistics, by the schema alone: the observations (a history), the seed reports
    // (a history by shape and name), the N+1 over every node, every observation and every
    // stats sample (histories read whole), and the samples filtered in memory.
    assert_eq!(
        without,
        vec![
            (7, rule("unbounded-include")),
            (9, rule("unbounded-include")),
            (25, rule("query-in-loop")),
            (32, rule("unbounded-find-many")),
            (36, rule("unbounded-find-many")),
            (40, rule("unbounded-find-many")),
            (41, rule("in-memory-filter")),
        ]
    );
    // With them: a node has 2 or 3 seed reports (cleared), the stats samples are pruned to 640
    // rows (cleared, also when filtered in memory), and the credit ledger, which its shape does not call a history, holds
    // about 1,500 rows per node (raised).
    assert_eq!(
        with,
        vec![
            (7, rule("unbounded-include")),
            (17, rule("unbounded-include")),
            (25, rule("query-in-loop")),
            (32, rule("unbounded-find-many")),
        ]
    );
}

#[test]
fn messages_state_the_numbers() {
    let (_tmp, root) = project();
    let (_, json) = run_json(&root, &["."]);
    assert_eq!(
        message_at(&json, 7),
        "`gossipObservations` loads every `PnodeGossipObservation` of each `Pnode`: about 1,100 each, up to 2,400 (4.2M rows in all), with no `take`"
    );
    assert_eq!(
        message_at(&json, 17),
        "`credits` loads every `PnodeCredit` of the `Pnode`: about 1,500 per `Pnode`, up to 2,900 (5.7M rows in all), with no `take`"
    );
    assert_eq!(
        message_at(&json, 25),
        "`prisma.pnodeSeedReport.findMany` runs once per element of `pnodes`: about 3,800 queries, one per `Pnode` row"
    );
    assert_eq!(
        message_at(&json, 32),
        "`prisma.pnodeGossipObservation.findMany` has no `where` and no `take`: it loads every `PnodeGossipObservation` row (about 4.2M)"
    );
    // 3,800 nodes are neither few nor many: the finding keeps its tier (medium) and says so.
    assert!(message_at(&json, 5).ends_with("every `Pnode` row (about 3,800)"));
}

#[test]
fn the_default_file_is_read_and_verbose_names_it() {
    let (_tmp, root) = project();
    std::fs::remove_file(root.join("leaklint.toml")).unwrap();
    std::fs::create_dir_all(root.join(".leaklint")).unwrap();
    std::fs::rename(root.join("stats.json"), root.join(".leaklint/stats.json")).unwrap();
    assert!(high(&root).contains(&(17, "unbounded-include".to_string())));
    let out = run(&root, &["check", ".", "--verbose"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("leaklint: statistics from .leaklint/stats.json (postgresql 16.4, collected 2026-11-30T04:00:00Z, ")
            && stderr.contains("6 tables, 1 not mapped to a model: _prisma_migrations"),
        "{stderr}"
    );
    // Days old, by the clock: not older than the default 30 days until 2026-12-30.
    assert!(
        !stderr.contains("warning:")
            || stderr.contains("days old (older than `[stats] max-age-days = 30`)"),
        "{stderr}"
    );
}

#[test]
fn stale_statistics_are_used_with_one_warning() {
    let (_tmp, root) = project();
    std::fs::write(
        root.join("leaklint.toml"),
        "[stats]\nfile = \"stats.json\"\nmax-age-days = 1\n",
    )
    .unwrap();
    let out = run(&root, &["check", ".", "--confidence", "high"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("leaklint: warning: stats.json is ").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("days old (older than `[stats] max-age-days = 1`): its numbers are used, but collect them again with `leaklint stats`"),
        "{stderr}"
    );
    // Used: the ledger finding only the statistics make is there.
    assert!(high(&root).contains(&(17, "unbounded-include".to_string())));
    // `--quiet` prints findings only.
    let quiet = run(&root, &["check", ".", "--quiet"]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("warning:"));
}

#[test]
fn a_broken_or_missing_statistics_file_is_an_error_not_a_guess() {
    let (_tmp, root) = project();
    for (text, says) in [
        ("{ \"version\": 1, ", "statistics not used: "),
        (
            "{ \"version\": 7, \"collected_at\": \"2026-11-30T04:00:00Z\", \"server\": { \"kind\": \"postgresql\", \"version\": \"16\" }, \"tables\": [] }",
            "statistics format version 7",
        ),
        ("\u{0}\u{1}binary", "statistics not used: "),
    ] {
        std::fs::write(root.join("stats.json"), text).unwrap();
        let (code, json) = run_json(&root, &[".", "--confidence", "high"]);
        assert_eq!(code, 1, "{json}");
        let errors = json["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{json}");
        assert!(errors[0]["path"].as_str().unwrap().ends_with("stats.json"));
        assert!(errors[0]["message"].as_str().unwrap().contains(says), "{json}");
        // Nothing of it is trusted: the findings are the schema's alone.
        let lines: Vec<u64> = findings(&json)
            .into_iter()
            .filter(|(p, _, _)| p == QUERIES)
            .map(|(_, l, _)| l)
            .collect();
        assert_eq!(lines, vec![7, 9, 25, 32, 36, 40, 41], "{json}");
    }
    std::fs::remove_file(root.join("stats.json")).unwrap();
    let (code, json) = run_json(&root, &[".", "--confidence", "high"]);
    assert_eq!(code, 1);
    assert!(json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("statistics not used: "));
}

#[test]
fn stats_settings_are_validated() {
    let (_tmp, root) = project();
    for (config, says) in [
        ("[stats]\nfiel = \"x.json\"\n", "did you mean `file`?"),
        (
            "[stats]\nfew-children = -3\n",
            "`stats.few-children` must be a positive number of rows",
        ),
        (
            "[stats]\nsmall-table = 50000\n",
            "`stats.small-table` is larger than `stats.large-table`",
        ),
        (
            "[stats]\nmax-age-days = \"soon\"\n",
            "`stats.max-age-days` must be a positive integer",
        ),
    ] {
        std::fs::write(root.join("leaklint.toml"), config).unwrap();
        let out = run(&root, &["check", "."]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{config}: {stderr}");
    }
    // Thresholds move the judgement: with few-children = 2, a node's two or three seed reports
    // are no longer few, and the schema's judgement (a history) stands.
    std::fs::write(
        root.join("leaklint.toml"),
        "[stats]\nfile = \"stats.json\"\nmax-age-days = 100000\nfew-children = 2\n",
    )
    .unwrap();
    assert!(high(&root).contains(&(9, "unbounded-include".to_string())));
}
