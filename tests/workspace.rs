//! Each file gets its own configuration and project facts, whatever the order of the paths:
//! nested `leaklint.toml` files, `root = true`, `[[overrides]]`, `--show-config`, and
//! repositories side by side.

mod common;

use common::{findings, run, run_json, write_files};

const N_PLUS_ONE: &str = "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";

/// (path, severity) of every diagnostic.
fn severities(json: &serde_json::Value) -> Vec<(String, String)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("leaklint.toml", "[rules]\nquery-in-loop = \"error\"\n"),
            (
                "apps/web/leaklint.toml",
                "[rules]\nquery-in-loop = \"off\"\n",
            ),
            ("apps/web/a.ts", N_PLUS_ONE),
            ("apps/api/b.ts", N_PLUS_ONE),
            // Inherits the root's severity, adds nothing.
            ("apps/jobs/leaklint.toml", "exclude = [\"gen/**\"]\n"),
            ("apps/jobs/c.ts", N_PLUS_ONE),
            ("apps/jobs/gen/d.ts", N_PLUS_ONE),
            // Stops the walk up: the root's "error" does not reach it.
            ("apps/legacy/leaklint.toml", "root = true\n"),
            ("apps/legacy/e.ts", N_PLUS_ONE),
        ],
    );
    dir
}

#[test]
fn each_file_gets_its_nearest_config_whatever_the_path_order() {
    let dir = monorepo();
    let expected = vec![
        ("apps/api/b.ts".to_string(), "error".to_string()),
        ("apps/jobs/c.ts".to_string(), "error".to_string()),
        ("apps/legacy/e.ts".to_string(), "warning".to_string()),
    ];
    let (code, json) = run_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(severities(&json), expected, "leaklint check .");
    let files = [
        "apps/web/a.ts",
        "apps/api/b.ts",
        "apps/jobs/c.ts",
        "apps/legacy/e.ts",
    ];
    // Every rotation of the explicit paths, as pre-commit's shuffled batches would give.
    for shift in 0..files.len() {
        let mut order = files.to_vec();
        order.rotate_left(shift);
        let (_, json) = run_json(dir.path(), &order);
        assert_eq!(severities(&json), expected, "order {order:?}");
    }
    // One batch that holds only the web file: nothing (its config turns the rule off).
    let (code, json) = run_json(dir.path(), &["apps/web/a.ts"]);
    assert_eq!((code, severities(&json)), (0, vec![]));
    // Run from inside a package, the nested config still wins.
    let (_, json) = run_json(&dir.path().join("apps/web"), &[]);
    assert_eq!(severities(&json), vec![]);
}

#[test]
fn overrides_apply_their_rules_to_the_files_they_match() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "leaklint.toml",
                "[rules]\nquery-in-loop = \"warning\"\n\n[[overrides]]\nfiles = [\"scripts/**\"]\n[overrides.rules]\nquery-in-loop = \"off\"\n\n[[overrides]]\nfiles = [\"src/hot/**\"]\nrules = { query-in-loop = \"error\" }\n",
            ),
            ("scripts/seed.ts", N_PLUS_ONE),
            ("src/hot/a.ts", N_PLUS_ONE),
            ("src/cold/b.ts", N_PLUS_ONE),
        ],
    );
    let (_, json) = run_json(dir.path(), &[]);
    assert_eq!(
        severities(&json),
        vec![
            ("src/cold/b.ts".to_string(), "warning".to_string()),
            ("src/hot/a.ts".to_string(), "error".to_string()),
        ]
    );
    // A misspelt rule inside an override is a config error with did-you-mean, exit 2.
    write_files(
        dir.path(),
        &[(
            "leaklint.toml",
            "[[overrides]]\nfiles = [\"scripts/**\"]\n[overrides.rules]\nquery-in-lop = \"off\"\n",
        )],
    );
    let out = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `query-in-loop`?"), "{err}");
    assert!(err.contains("leaklint.toml:4:1"), "{err}");
}

#[test]
fn a_nested_config_error_stops_the_run_with_its_span() {
    let dir = monorepo();
    write_files(
        dir.path(),
        &[(
            "apps/api/leaklint.toml",
            "[rules]\nquery-in-lop = \"off\"\n",
        )],
    );
    let out = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("apps/api/leaklint.toml:2:1"), "{err}");
    assert!(err.contains("did you mean `query-in-loop`?"), "{err}");
}

#[test]
fn show_config_prints_what_applies_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("leaklint.toml", "[rules]\nquery-in-loop = \"error\"\n[prisma]\nclients = [\"database\"]\n"),
            (
                "apps/web/leaklint.toml",
                "[rules]\noversized-page = { max = 200 }\n[[overrides]]\nfiles = [\"scripts/**\"]\n[overrides.rules]\nquery-in-loop = \"off\"\n",
            ),
            ("apps/web/scripts/x.ts", ""),
            ("apps/web/src/y.ts", ""),
        ],
    );
    let out = run(
        dir.path(),
        &["check", "--show-config", "apps/web/scripts/x.ts"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "# config files, outermost first:\n#   leaklint.toml\n#   apps/web/leaklint.toml\n"
        ),
        "{text}"
    );
    assert!(text.contains("# overrides applied: scripts/**\n"), "{text}");
    assert!(text.contains("query-in-loop = \"off\""), "{text}");
    assert!(
        text.contains("oversized-page = { severity = \"warning\", max = 200 }"),
        "{text}"
    );
    assert!(
        text.contains("clients = [\"prisma\", \"db\", \"database\"]"),
        "{text}"
    );
    let out = run(dir.path(), &["check", "--show-config", "apps/web/src/y.ts"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("query-in-loop = \"error\""), "{text}");
    assert!(!text.contains("overrides applied"), "{text}");
}

/// Two repositories side by side: one uses only Prisma, the other Knex. Linted together, in
/// either order, each gets the facts of its own project (the Prisma-only project drops the
/// needles of other data layers; the Knex one must not).
#[test]
fn project_facts_come_from_each_files_own_repository() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("prisma-app/.git/HEAD", "ref: refs/heads/main\n"),
            (
                "prisma-app/package.json",
                "{ \"name\": \"p\", \"dependencies\": { \"@prisma/client\": \"5\" } }",
            ),
            ("prisma-app/src/n1.ts", N_PLUS_ONE),
            ("knex-app/.git/HEAD", "ref: refs/heads/main\n"),
            (
                "knex-app/package.json",
                "{ \"name\": \"k\", \"dependencies\": { \"knex\": \"3\", \"pg\": \"8\" } }",
            ),
            (
                "knex-app/src/knex.js",
                "const knex = require(\"knex\");\nconst db = knex({ client: \"pg\" });\nmodule.exports = db;\n",
            ),
            (
                "knex-app/src/links.js",
                "const knex = require(\"./knex\");\nasync function linksByIds(ids) {\n  const links = [];\n  for (const id of ids) {\n    links.push(await knex(\"links\").where(\"id\", id).first());\n  }\n  return links;\n}\nmodule.exports = { linksByIds };\n",
            ),
        ],
    );
    let expected = vec![
        (
            "knex-app/src/links.js".to_string(),
            5,
            "query-in-loop".to_string(),
        ),
        (
            "prisma-app/src/n1.ts".to_string(),
            4,
            "query-in-loop".to_string(),
        ),
    ];
    for order in [
        ["prisma-app/src/n1.ts", "knex-app/src/links.js"],
        ["knex-app/src/links.js", "prisma-app/src/n1.ts"],
    ] {
        let (_, json) = run_json(dir.path(), &order);
        assert_eq!(findings(&json), expected, "order {order:?}");
    }
    for order in [["prisma-app", "knex-app"], ["knex-app", "prisma-app"]] {
        let (_, json) = run_json(dir.path(), &order);
        assert_eq!(findings(&json), expected, "order {order:?}");
    }
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

/// Configs that differ only in rule levels (a nested config per folder, an override) do not cut
/// the project in pieces: a call in one folder to a query in another is still followed, and
/// each finding takes its own file's level.
#[test]
fn nested_configs_keep_cross_file_facts() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&common::fixtures().join("layered"), dir.path());
    let (_, plain) = run_json(dir.path(), &[]);
    let expected: Vec<(String, u64, String, String)> = plain["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Calls from src/projects into src/repos and src/lib, and one inside src/tree.
    assert!(
        expected
            .iter()
            .any(|f| f.0 == "src/projects/projects.controller.ts"),
        "{plain}"
    );
    assert!(
        expected.iter().any(|f| f.0.starts_with("src/tree/")),
        "{plain}"
    );
    write_files(
        dir.path(),
        &[
            ("src/repos/leaklint.toml", "[rules]\nunbounded-find-many = \"off\"\n"),
            ("src/projects/leaklint.toml", "[rules]\nquery-in-loop = \"error\"\n"),
            (
                "leaklint.toml",
                "[[overrides]]\nfiles = [\"src/tree/**\"]\n[overrides.rules]\nquery-in-loop = \"off\"\n",
            ),
        ],
    );
    let (_, json) = run_json(dir.path(), &[]);
    let got: Vec<(String, u64, String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, u64, String, String)> = expected
        .into_iter()
        .filter(|(path, _, _, _)| !path.starts_with("src/tree/"))
        .map(|(path, line, rule, severity)| {
            // Writes keep the severity their rule option gives them (info); reads take the
            // level of their file's config (error in src/projects, warning elsewhere).
            let severity = if severity == "info" {
                severity
            } else if path.starts_with("src/projects/") {
                "error".to_string()
            } else {
                severity
            };
            (path, line, rule, severity)
        })
        .collect();
    assert_eq!(got, want);
}

/// Configs that differ in rule options and `[prisma]` settings do not cut the project either:
/// each file is analysed with its own config (a client named only in `src/repos/leaklint.toml`
/// is a client there), and a loop in `src/projects` still sees the queries of `src/repos`.
#[test]
fn configs_with_other_options_keep_cross_file_facts() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&common::fixtures().join("layered"), dir.path());
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let (_, plain) = run_json(dir.path(), &[]);
    write_files(
        dir.path(),
        &[
            (
                "src/repos/leaklint.toml",
                "[prisma]\nclients = [\"database\"]\n\n[rules]\noversized-page = { severity = \"warning\", max = 500 }\n",
            ),
            (
                "src/projects/leaklint.toml",
                "[rules]\nquery-in-loop = { severity = \"error\", include-tests = true }\n",
            ),
            (
                "src/repos/audit.repo.ts",
                "declare const database: any;\nexport function auditOf(projectId: string) {\n  return database.auditEntry.findMany({ where: { projectId } });\n}\n",
            ),
            (
                "src/projects/audit.controller.ts",
                "import { auditOf } from '../repos/audit.repo';\nexport async function audits(ids: string[]) {\n  const out = [];\n  for (const id of ids) {\n    out.push(await auditOf(id));\n  }\n  return out;\n}\n",
            ),
        ],
    );
    let (_, json) = run_json(dir.path(), &[]);
    let got: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                format!(
                    "{}:{}:{}",
                    d["path"].as_str().unwrap(),
                    d["span"]["start"]["line"],
                    d["rule"].as_str().unwrap()
                ),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Every finding of the plain run is still there (reads in src/projects now errors).
    for d in plain["diagnostics"].as_array().unwrap() {
        let path = d["path"].as_str().unwrap();
        let rule = d["rule"].as_str().unwrap();
        let severity = match (
            path.starts_with("src/projects/"),
            d["severity"].as_str().unwrap(),
        ) {
            (true, "warning") if rule == "query-in-loop" => "error",
            (_, s) => s,
        };
        assert!(
            got.contains(&(
                format!("{path}:{}:{rule}", d["span"]["start"]["line"]),
                severity.to_string()
            )),
            "{path} {rule} {severity}: {got:?}"
        );
    }
    // The query only src/repos's config recognises, called in a loop under src/projects.
    let audit = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "src/projects/audit.controller.ts")
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(audit["rule"], "query-in-loop");
    assert_eq!(audit["severity"], "error");
    assert!(audit["message"]
        .as_str()
        .unwrap()
        .contains("database.auditEntry.findMany` (src/repos/audit.repo.ts:3)"));
    // Named alone, as pre-commit would, the controller gets the same.
    let (_, alone) = run_json(dir.path(), &["src/projects/audit.controller.ts"]);
    assert_eq!(alone["diagnostics"][0], *audit);
}

/// A folder whose config names its own `[prisma] schema` keeps its data model (an include of a
/// relation only that schema marks growing is reported there) and its queries still reach the
/// loops of the other folders.
#[test]
fn a_folder_with_its_own_schema_keeps_cross_file_facts() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&common::fixtures().join("layered"), dir.path());
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write_files(
        dir.path(),
        &[
            ("src/billing/leaklint.toml", "[prisma]\nschema = \"billing.prisma\"\n"),
            (
                "src/billing/billing.prisma",
                "model Customer {\n  id String @id\n  teamId String\n  tags Tag[]\n}\n\n/// @leaklint growing\nmodel Tag {\n  id String @id\n  customerId String\n  customer Customer @relation(fields: [customerId], references: [id])\n}\n",
            ),
            (
                "src/billing/customer.repo.ts",
                "import { prisma } from '../lib/db';\nexport function customersOf(teamId: string) {\n  return prisma.customer.findMany({ where: { teamId }, include: { tags: true } });\n}\n",
            ),
            (
                "src/projects/customers.controller.ts",
                "import { customersOf } from '../billing/customer.repo';\nexport async function customers(teamIds: string[]) {\n  const out = [];\n  for (const id of teamIds) {\n    out.push(await customersOf(id));\n  }\n  return out;\n}\n",
            ),
        ],
    );
    let (_, json) = run_json(dir.path(), &[]);
    let find = |path: &str, rule: &str| {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["path"] == path && d["rule"] == rule)
            .cloned()
            .unwrap_or_else(|| panic!("{path} {rule}: {json:#}"))
    };
    let include = find("src/billing/customer.repo.ts", "unbounded-include");
    assert!(
        include["message"].as_str().unwrap().contains("Tag"),
        "{include:#}"
    );
    let n1 = find("src/projects/customers.controller.ts", "query-in-loop");
    assert!(n1["message"]
        .as_str()
        .unwrap()
        .contains("prisma.customer.findMany` (src/billing/customer.repo.ts:3)"));
    // The rest of the project is linted as before: no schema, judged by names.
    let (_, plain) = run_json(&common::fixtures().join("layered"), &[]);
    assert_eq!(
        json["diagnostics"].as_array().unwrap().len(),
        plain["diagnostics"].as_array().unwrap().len() + 2
    );
    // Named alone, each file gets the same.
    for (path, expected) in [
        ("src/billing/customer.repo.ts", &include),
        ("src/projects/customers.controller.ts", &n1),
    ] {
        let (_, alone) = run_json(dir.path(), &[path]);
        assert_eq!(alone["diagnostics"][0], *expected, "{path}");
    }
}
