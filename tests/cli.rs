//! The command-line contract of DESIGN.md, end to end through the binary: formats, exit codes,
//! options, config errors and suppressions.

mod common;

use common::{findings, fixtures, run, run_default, run_json, write_files};

const N_PLUS_ONE: &str = "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn json_contract_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("src/n1.ts", N_PLUS_ONE)]);
    let (code, json) = run_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(json["version"], 1);
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "query-in-loop");
    assert_eq!(d["category"], "query");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["path"], "src/n1.ts");
    assert_eq!(
        d["message"],
        "`prisma.user.findUnique` runs once per element of `ids`"
    );
    assert_eq!(
        d["help"],
        "load all rows with one `user.findMany({ where: { id: { in: ids } } })` before the loop and look them up in a `Map` keyed by `id`"
    );
    assert_eq!(
        d["span"],
        serde_json::json!({ "start": { "line": 4, "column": 11 }, "end": { "line": 4, "column": 52 } })
    );
    assert_eq!(d["labels"][0]["message"], "loop over `ids`");
    assert_eq!(
        d["labels"][0]["span"],
        serde_json::json!({ "start": { "line": 3, "column": 3 }, "end": { "line": 3, "column": 24 } })
    );
    assert_eq!(d["fix"], serde_json::Value::Null);
    // `ids` is a parameter: how many there are is not in the source.
    assert_eq!(d["confidence"], "medium");
    // Nothing calls the function: no entry point is known.
    assert_eq!(d["reached_from"], serde_json::json!([]));
    assert_eq!(
        d["url"],
        "https://github.com/leaklint/leaklint/blob/main/rules/query-in-loop.md"
    );
    // Field order as in DESIGN.md: read it from the raw text (a parsed map sorts its keys).
    let out = run(dir.path(), &["check", "--format", "json"]);
    let raw = stdout(&out);
    let keys: Vec<&str> = raw
        .lines()
        .filter_map(|l| l.strip_prefix("      \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(
        keys,
        [
            "rule",
            "category",
            "severity",
            "path",
            "message",
            "help",
            "span",
            "labels",
            "fix",
            "url",
            "confidence",
            "reached_from"
        ]
    );
    assert_eq!(
        json["summary"],
        serde_json::json!({ "files": 1, "skipped": 0, "diagnostics": 1, "errors": 0, "warnings": 1, "infos": 0, "hidden": 0 })
    );
    assert_eq!(json["errors"], serde_json::json!([]));
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("clean/a.ts", "export const a = 1;\n"),
            ("dirty/n1.ts", N_PLUS_ONE),
        ],
    );
    assert_eq!(run(dir.path(), &["check", "clean"]).status.code(), Some(0));
    assert_eq!(run(dir.path(), &["check", "dirty"]).status.code(), Some(1));
    assert_eq!(
        run(dir.path(), &["dirty"]).status.code(),
        Some(1),
        "check is the default command"
    );
    // A warning does not fail a run that fails on errors only.
    assert_eq!(
        run(dir.path(), &["check", "dirty", "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    // Usage errors.
    assert_eq!(
        run(dir.path(), &["check", "missing"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(dir.path(), &["check", "--select", "nope"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(dir.path(), &["check", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(run(dir.path(), &["explain", "nope"]).status.code(), Some(2));
}

#[test]
fn writes_are_info_and_do_not_fail_by_default() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "w.ts",
            "export async function f(rows: { id: string }[]) {\n  for (const r of rows) {\n    await prisma.user.delete({ where: { id: r.id } });\n  }\n}\n",
        )],
    );
    let (code, json) = run_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(json["diagnostics"][0]["severity"], "info");
    let (code, _) = run_json(dir.path(), &["--fail-on", "info"]);
    assert_eq!(code, 1);
    write_files(
        dir.path(),
        &[(
            "leaklint.toml",
            "[rules]\nquery-in-loop = { writes = \"error\" }\n",
        )],
    );
    let (code, json) = run_json(dir.path(), &[]);
    assert_eq!(
        (code, json["diagnostics"][0]["severity"].as_str()),
        (1, Some("error"))
    );
}

#[test]
fn compact_and_github_formats() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("src/n1.ts", N_PLUS_ONE)]);
    let out = run(dir.path(), &["check", "--format", "compact"]);
    assert_eq!(
        stdout(&out),
        "src/n1.ts:4:11: warning [query-in-loop] prisma.user.findUnique runs once per element of ids (medium confidence)\n"
    );
    let out = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(
        stdout(&out),
        "::warning file=src/n1.ts,line=4,col=11,endLine=4,endColumn=52,title=leaklint (query-in-loop)::prisma.user.findUnique runs once per element of ids (medium confidence)%0Ahelp: load all rows with one user.findMany({ where: { id: { in: ids } } }) before the loop and look them up in a Map keyed by id\n"
    );
}

/// Compact lines and GitHub annotations say, like human output, whether `--fix` fixes a finding
/// and whether it needs `--unsafe-fixes`: one line per JSON diagnostic, suffix by its fix.
#[test]
fn compact_and_github_say_what_is_fixable() {
    let root = fixtures().join("prisma-monorepo");
    let (_, json) = run_json(&root, &[]);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let compact = stdout(&run(&root, &["check", "--format", "compact"]));
    let github = stdout(&run(&root, &["check", "--format", "github"]));
    let compact: Vec<&str> = compact.lines().collect();
    let github: Vec<&str> = github.lines().collect();
    assert_eq!(compact.len(), diagnostics.len());
    assert_eq!(github.len(), diagnostics.len());
    let mut seen = std::collections::BTreeSet::new();
    for ((d, line), annotation) in diagnostics.iter().zip(&compact).zip(&github) {
        let medium = d["confidence"] == "medium";
        let suffix = match (d["fix"]["applicability"].as_str(), medium) {
            (Some("safe"), false) => " (fixable with --fix)",
            (Some("safe"), true) => " (medium confidence; fixable with --fix)",
            (Some("unsafe"), false) => " (fixable with --fix --unsafe-fixes)",
            (Some("unsafe"), true) => " (medium confidence; fixable with --fix --unsafe-fixes)",
            (_, false) => "",
            (_, true) => " (medium confidence)",
        };
        seen.insert(suffix);
        let message = d["message"].as_str().unwrap().replace('`', "");
        assert!(
            line.ends_with(&format!("] {message}{suffix}")),
            "{line} / {suffix:?}"
        );
        // The annotation's message line, before its help.
        let text = annotation.split("::").nth(2).unwrap();
        let first = text.split("%0A").next().unwrap();
        assert_eq!(first, format!("{message}{suffix}"), "{annotation}");
    }
    for suffix in [
        "",
        " (fixable with --fix)",
        " (fixable with --fix --unsafe-fixes)",
    ] {
        assert!(
            seen.contains(suffix),
            "safe, unsafe and unfixable findings: {seen:?}"
        );
    }
}

#[test]
fn human_output_of_the_demo_project() {
    // What a newcomer sees: the default tier.
    let out = run_default(&fixtures().join("demo"), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("demo_human", stdout(&out));
    assert_eq!(
        stderr(&out),
        "leaklint: 6 problems (6 warnings) in 5 files; 3 more findings of medium confidence not shown (`--confidence medium` shows them)\n"
    );
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let demo = fixtures().join("demo");
    assert!(
        !stdout(&run(&demo, &["check"])).contains('\u{1b}'),
        "a pipe gets no colour"
    );
    assert!(stdout(&run(&demo, &["check", "--color", "always"])).contains('\u{1b}'));
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let demo = fixtures().join("demo");
    let one = stdout(&run(
        &demo,
        &["check", "--format", "json", "--threads", "1"],
    ));
    let two = stdout(&run(
        &demo,
        &["check", "--format", "json", "--threads", "2"],
    ));
    let eight = stdout(&run(
        &demo,
        &["check", "--format", "json", "--threads", "8"],
    ));
    assert_eq!(one, two);
    assert_eq!(one, eight);
}

#[test]
fn select_and_ignore() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("n1.ts", N_PLUS_ONE)]);
    let (code, json) = run_json(dir.path(), &["--ignore", "query-in-loop"]);
    assert_eq!((code, findings(&json).len()), (0, 0));
    let (code, json) = run_json(dir.path(), &["--select", "query-in-loop"]);
    assert_eq!((code, findings(&json).len()), (1, 1));
    let out = run(dir.path(), &["check", "--select", "query-in-lop"]);
    assert!(
        stderr(&out).contains("did you mean `query-in-loop`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ignore_files_excludes_and_explicit_paths() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (".gitignore", "generated/\n"),
            (".leaklintignore", "legacy/\n"),
            ("generated/a.ts", N_PLUS_ONE),
            ("legacy/b.ts", N_PLUS_ONE),
            ("node_modules/pkg/c.ts", N_PLUS_ONE),
            ("dist/d.js", N_PLUS_ONE),
            ("types/e.d.ts", N_PLUS_ONE),
            ("scripts/f.ts", N_PLUS_ONE),
            ("src/g.ts", N_PLUS_ONE),
            ("leaklint.toml", "exclude = [\"scripts/**\"]\n"),
        ],
    );
    let paths = |json: &serde_json::Value| -> Vec<String> {
        findings(json).into_iter().map(|(p, _, _)| p).collect()
    };
    let (_, json) = run_json(dir.path(), &[]);
    assert_eq!(
        paths(&json),
        ["src/g.ts"],
        "no git repository needed for .gitignore"
    );
    let (_, json) = run_json(dir.path(), &["--no-ignore"]);
    assert_eq!(paths(&json), ["generated/a.ts", "src/g.ts"]);
    // Named files are linted even when an ignore file skips them (pre-commit passes names).
    let (_, json) = run_json(dir.path(), &["generated/a.ts", "legacy/b.ts"]);
    assert_eq!(paths(&json), ["generated/a.ts", "legacy/b.ts"]);
    // A config `exclude` still applies to named files.
    let (_, json) = run_json(dir.path(), &["scripts/f.ts"]);
    assert_eq!(paths(&json), Vec::<String>::new());
}

#[test]
fn config_is_found_by_walking_up_and_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("leaklint.toml", "[rules]\nquery-in-loop = \"error\"\n"),
            ("pkg/src/n1.ts", N_PLUS_ONE),
            ("other.toml", "[rules]\nquery-in-loop = \"off\"\n"),
        ],
    );
    let (_, json) = run_json(&dir.path().join("pkg"), &["src"]);
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    let other = dir.path().join("other.toml");
    let (code, json) = run_json(dir.path(), &["--config", other.to_str().unwrap()]);
    assert_eq!((code, findings(&json).len()), (0, 0));
}

#[test]
fn prisma_clients_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let src = N_PLUS_ONE.replace("prisma", "orm");
    write_files(dir.path(), &[("a.ts", &src)]);
    assert_eq!(findings(&run_json(dir.path(), &[]).1).len(), 0);
    write_files(
        dir.path(),
        &[("leaklint.toml", "[prisma]\nclients = [\"orm\"]\n")],
    );
    assert_eq!(findings(&run_json(dir.path(), &[]).1).len(), 1);
}

fn config_error(toml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("leaklint.toml", toml), ("a.ts", "export {};\n")],
    );
    let out = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    stderr(&out)
}

#[test]
fn config_errors_point_at_the_span() {
    insta::assert_snapshot!(
        "config_unknown_rule",
        config_error("[rules]\nquery-in-lop = \"error\"\n")
    );
    insta::assert_snapshot!(
        "config_wrong_option_type",
        config_error("[rules]\nquery-in-loop = { writes = 3 }\n")
    );
    insta::assert_snapshot!(
        "config_bad_toml",
        config_error("[rules\nquery-in-loop = 1\n")
    );
    insta::assert_snapshot!(
        "config_bad_severity",
        config_error("[rules]\nquery-in-loop = \"loud\"\n")
    );
    insta::assert_snapshot!(
        "config_unknown_key",
        config_error("exclud = [\"scripts/**\"]\n")
    );
}

#[test]
fn suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let src = "export async function load(ids: string[]) {\n  for (const id of ids) {\n    // leaklint-disable-next-line query-in-loop -- three ids at most\n    await prisma.user.findUnique({ where: { id } });\n    await prisma.user.findFirst({ where: { id } }); // leaklint-disable-line query-in-lop\n  }\n}\n// leaklint-disable-next-line query-in-loop\nexport const unused = 1;\n";
    write_files(dir.path(), &[("a.ts", src)]);
    let (_, json) = run_json(dir.path(), &[]);
    let found: Vec<_> = findings(&json)
        .into_iter()
        .map(|(_, line, rule)| (line, rule))
        .collect();
    assert_eq!(
        found,
        [
            (5, "query-in-loop".to_string()),
            (5, "invalid-suppression".to_string())
        ],
        "the suppression with a misspelt rule silences nothing and is reported itself"
    );
    let (_, json) = run_json(dir.path(), &["--report-unused-suppressions"]);
    let rules: Vec<_> = findings(&json)
        .into_iter()
        .map(|(_, l, r)| (l, r))
        .collect();
    assert!(
        rules.contains(&(8, "unused-suppression".to_string())),
        "{rules:?}"
    );
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text
        .lines()
        .any(|l| l.starts_with("query-in-loop") && l.contains("query") && l.contains("warning")));
    let out = run(dir.path(), &["rules", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in ["query-in-loop", "unbounded-include", "invalid-suppression"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let out = run(dir.path(), &["explain", "query-in-loop"]);
    assert!(stdout(&out).starts_with("# query-in-loop\n"));
    assert!(stdout(&out).contains("## Why is this bad?"));
}

/// The README's VS Code task has a problem matcher for `--format compact`; its regex must match
/// real output and capture file, line, column, severity and message.
#[test]
fn readme_problem_matcher_reads_compact_output() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let json_start = readme
        .find("```json\n{\n  \"version\": \"2.0.0\"")
        .expect("tasks.json block in README");
    let block = &readme[json_start + 8..];
    let block = &block[..block.find("```").unwrap()];
    let tasks: serde_json::Value =
        serde_json::from_str(block).expect("tasks.json block is valid JSON");
    let pattern = &tasks["tasks"][0]["problemMatcher"]["pattern"];
    let regex = regex::Regex::new(pattern["regexp"].as_str().unwrap()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("src/n1.ts", N_PLUS_ONE)]);
    let out = stdout(&run(dir.path(), &["check", "--format", "compact"]));
    let line = out.lines().next().unwrap();
    let caps = regex
        .captures(line)
        .expect("problem matcher matches compact output");
    let group = |name: &str| {
        caps.get(pattern[name].as_u64().unwrap() as usize)
            .unwrap()
            .as_str()
            .to_string()
    };
    assert_eq!(group("file"), "src/n1.ts");
    assert_eq!(group("line"), "4");
    assert_eq!(group("column"), "11");
    assert_eq!(group("severity"), "warning");
    assert_eq!(group("code"), "query-in-loop");
    assert_eq!(
        group("message"),
        "prisma.user.findUnique runs once per element of ids (medium confidence)"
    );
}

#[test]
fn human_output_of_the_prisma_monorepo() {
    let out = run(
        &fixtures().join("prisma-monorepo"),
        &["check", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("prisma_monorepo_human", stdout(&out));
}

#[test]
fn fixes_are_data_in_json() {
    let (_, json) = run_json(&fixtures().join("prisma-monorepo"), &[]);
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let singleton = diagnostics
        .iter()
        .find(|d| {
            d["rule"] == "prisma-client-singleton" && d["path"] == "apps/web/src/lib/prisma.ts"
        })
        .expect("module-level client in a Next.js app");
    assert_eq!(singleton["fix"]["applicability"], "safe");
    assert_eq!(
        singleton["fix"]["edits"][0]["replacement"],
        "const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };\n\nexport const prisma = globalForPrisma.prisma ?? new PrismaClient({ log: [\"error\"] });\n\nif (process.env.NODE_ENV !== \"production\") globalForPrisma.prisma = prisma;"
    );
    assert_eq!(
        singleton["fix"]["edits"][0]["span"],
        serde_json::json!({ "start": { "line": 4, "column": 1 }, "end": { "line": 4, "column": 60 } })
    );
    let include = diagnostics
        .iter()
        .find(|d| d["rule"] == "unbounded-include" && d["span"]["start"]["line"] == 8)
        .expect("sensors: true");
    assert_eq!(include["fix"]["applicability"], "unsafe");
    assert_eq!(include["fix"]["edits"][0]["replacement"], "{ take: 100 }");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn fix_applies_safe_fixes_and_reports_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("prisma-monorepo"), dir.path());
    let before = findings(&run_json(dir.path(), &[]).1);
    let out = run(dir.path(), &["check", "--fix", "--format", "compact"]);
    assert!(
        stderr(&out).contains("fixed 1 finding in 1 file\n"),
        "{}",
        stderr(&out)
    );
    let fixed = std::fs::read_to_string(dir.path().join("apps/web/src/lib/prisma.ts")).unwrap();
    assert!(fixed.contains("export const prisma = globalForPrisma.prisma ?? new PrismaClient({ log: [\"error\"] });"), "{fixed}");
    assert!(
        !stdout(&out).contains("apps/web/src/lib/prisma.ts"),
        "the fixed finding is gone"
    );
    assert!(
        stderr(&out).contains(
            "unsafe fixes not applied: review them, then run with `--fix --unsafe-fixes`"
        ),
        "{}",
        stderr(&out)
    );
    let after = findings(&run_json(dir.path(), &[]).1);
    assert_eq!(after.len(), before.len() - 1);
    // Unsafe fixes only when asked: `take` goes into every unbounded include.
    let out = run(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "--format", "compact"],
    );
    assert!(
        !stdout(&out).contains("unbounded-include"),
        "{}",
        stdout(&out)
    );
    let dashboard =
        std::fs::read_to_string(dir.path().join("apps/web/src/server/dashboard.ts")).unwrap();
    assert!(dashboard.contains("sensors: { take: 100 },"), "{dashboard}");
    assert!(
        dashboard.contains("readings: { take: 100, orderBy"),
        "{dashboard}"
    );
}

#[test]
fn nothing_is_written_without_fix() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("prisma-monorepo"), dir.path());
    let file = dir.path().join("apps/web/src/lib/prisma.ts");
    let before = std::fs::read(&file).unwrap();
    run(dir.path(), &["check"]);
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn human_output_of_the_other_data_layers() {
    for fixture in ["raw-sql", "drizzle", "sequelize", "mongoose", "knex"] {
        // These data layers have no data model leaklint reads yet: their findings rest on
        // guesses about the tables, so they are medium confidence.
        let out = run(
            &fixtures().join(fixture),
            &["check", "--color", "never", "--confidence", "medium"],
        );
        assert_eq!(out.status.code(), Some(1), "{fixture}");
        insta::assert_snapshot!(format!("{}_human", fixture.replace('-', "_")), stdout(&out));
    }
}

/// A project with one finding of each tier: `Event` is a child table with a timestamp (a history,
/// a fact from the schema); `Plan` grows only by what its name does not say, so its scan rests
/// on a guess.
fn tiered_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("package.json", r#"{ "dependencies": { "@prisma/client": "5" } }"#),
            (
                "prisma/schema.prisma",
                "model Account {\n id String @id\n events Event[]\n}\nmodel Event {\n id String @id\n accountId String\n account Account @relation(fields: [accountId], references: [id])\n at DateTime\n}\nmodel Visitor {\n id String @id\n name String\n}\n",
            ),
            (
                "src/a.ts",
                "import { prisma } from './db';\nexport const all = () => prisma.event.findMany();\nexport const visitors = () => prisma.visitor.findMany();\n// leaklint-disable-next-line unbounded-find-many -- a handful of rows\nexport const again = () => prisma.visitor.findMany();\n",
            ),
            ("src/db.ts", "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n"),
        ],
    );
    dir
}

#[test]
fn confidence_tiers() {
    let dir = tiered_project();
    let rules_at = |json: &serde_json::Value| -> Vec<(u64, String)> {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["span"]["start"]["line"].as_u64().unwrap(),
                    d["confidence"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // Default: high only; the medium one is counted, and the suppression that silenced the
    // other medium one is not reported as unused.
    // `run` asks for medium unless told otherwise: these runs take the default as a user would.
    let default_json = |args: &[&str]| -> (i32, serde_json::Value) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let out = run_default(dir.path(), &all);
        (
            out.status.code().unwrap(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    };
    let (code, json) = default_json(&["--report-unused-suppressions"]);
    assert_eq!(code, 1);
    assert_eq!(rules_at(&json), [(2, "high".to_string())], "{json:#}");
    assert_eq!(json["summary"]["hidden"], 1);
    let out = run_default(dir.path(), &["check", "--color", "never"]);
    assert!(
        stderr(&out).contains(
            "1 more finding of medium confidence not shown (`--confidence medium` shows them)"
        ),
        "{}",
        stderr(&out)
    );
    // --confidence medium, or the config, shows both.
    let both = [(2, "high".to_string()), (3, "medium".to_string())];
    let (_, json) = run_json(dir.path(), &["--confidence", "medium"]);
    assert_eq!(rules_at(&json), both);
    assert_eq!(json["summary"]["hidden"], 0);
    let human = run(
        dir.path(),
        &["check", "--color", "never", "--confidence", "medium"],
    );
    assert!(
        stdout(&human).contains("(medium confidence)"),
        "{}",
        stdout(&human)
    );
    std::fs::write(
        dir.path().join("leaklint.toml"),
        "confidence = \"medium\"\n",
    )
    .unwrap();
    let (_, json) = run_json(dir.path(), &[]);
    assert_eq!(rules_at(&json), both);
    // The flag overrides the config.
    let (_, json) = run_json(dir.path(), &["--confidence", "high"]);
    assert_eq!(rules_at(&json), [(2, "high".to_string())]);
    // Only a medium finding: exit 0 by default.
    std::fs::write(dir.path().join("leaklint.toml"), "").unwrap();
    write_files(
        dir.path(),
        &[(
            "src/b.ts",
            "import { prisma } from './db';\nexport const visitors = () => prisma.visitor.findMany();\n",
        )],
    );
    let (code, json) = default_json(&["src/b.ts"]);
    assert_eq!(
        (code, json["summary"]["hidden"].as_u64()),
        (0, Some(1)),
        "{json:#}"
    );
    // A wrong value is a config error.
    std::fs::write(dir.path().join("leaklint.toml"), "confidence = \"low\"\n").unwrap();
    let out = run_default(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`confidence` must be \"high\" or \"medium\""),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["check", "--confidence", "low"]);
    assert_eq!(out.status.code(), Some(2));
}
