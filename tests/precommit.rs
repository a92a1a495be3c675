//! Files named one by one, as a pre-commit hook passes its staged files: the project is read
//! around them (not by walking the repository) and the modules they import are linted for their
//! facts, so that each file gets exactly the findings a run on the whole repository gives it.

mod common;

use common::{run, run_json, write_files};
use std::path::Path;

/// Copies a fixture into a folder of its own that is a repository root.
fn repository_of(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&common::fixtures().join(fixture), dir.path());
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
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

/// Every linted source file under `dir`, relative, sorted.
fn sources(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if !name.starts_with('.') && name != "node_modules" {
                    stack.push(path);
                }
            } else if [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"]
                .iter()
                .any(|e| name.ends_with(e))
                && !name.ends_with(".d.ts")
            {
                let relative = path.strip_prefix(dir).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn diagnostics_of<'a>(json: &'a serde_json::Value, path: &str) -> Vec<&'a serde_json::Value> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == path)
        .collect()
}

/// What a file named alone does not see: a call through an interface whose only implementation
/// is in a module the file does not import (the sole implementer is a fact of the whole
/// project, found by no import): (fixture, file, line of the whole run's finding).
const NOT_SEEN_ALONE: &[(&str, &str, u64)] = &[("layered", "src/audit/audit.service.ts", 13)];

/// Findings whose tier rests on the whole project (a field resolver of a type that no schema
/// returns in a list is medium in a walked run; a file named alone does not read every schema,
/// so there it keeps the rule's tier, high): (fixture, file, line). The rest of the diagnostic
/// must match; its help says why in the whole run.
const TIER_OF_THE_WHOLE_RUN: &[(&str, &str, u64)] =
    &[("layered", "src/graphql/invite.resolver.ts", 14)];

/// Each file of the fixture projects with cross-file facts, named alone, gets byte for byte the
/// diagnostics the whole repository's run gives it (the N+1 behind a repository three files
/// away included), but for [`NOT_SEEN_ALONE`]; all files named together give the whole run's
/// report.
#[test]
fn a_named_file_gets_the_findings_of_the_whole_run() {
    for fixture in ["layered", "typed-receivers", "demo", "prisma-monorepo"] {
        let repo = repository_of(fixture);
        let (_, whole) = run_json(repo.path(), &["."]);
        let files = sources(repo.path());
        let mut cross_file = 0;
        for file in &files {
            let (_, alone) = run_json(repo.path(), &[file.as_str()]);
            let mut expected = diagnostics_of(&whole, file);
            for (f, path, line) in NOT_SEEN_ALONE {
                if *f == fixture && path == file {
                    let before = expected.len();
                    expected.retain(|d| d["span"]["start"]["line"] != *line);
                    assert_eq!(
                        before,
                        expected.len() + 1,
                        "{fixture}: {file}:{line} in the whole run"
                    );
                }
            }
            // A file named alone is not searched for callers (README, "Where a finding
            // runs"): the entry points that reach it are the whole run's to name.
            let without_reach = |d: &serde_json::Value| {
                let mut d = d.clone();
                let whole_tier = TIER_OF_THE_WHOLE_RUN.iter().any(|(f, path, line)| {
                    *f == fixture && path == file && d["span"]["start"]["line"] == *line
                });
                let object = d.as_object_mut().unwrap();
                object.remove("reached_from");
                if whole_tier {
                    object.remove("confidence");
                    let help = object["help"].as_str().unwrap();
                    let help = help
                        .split("; no query or field")
                        .next()
                        .unwrap()
                        .to_string();
                    object.insert("help".into(), help.into());
                }
                d
            };
            for (f, path, line) in TIER_OF_THE_WHOLE_RUN {
                if *f == fixture && path == file {
                    let found = |json: &serde_json::Value| {
                        json["diagnostics"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|d| d["path"] == *path && d["span"]["start"]["line"] == *line)
                            .map(|d| d["confidence"].clone())
                    };
                    assert_eq!(found(&whole), Some("medium".into()), "{file}:{line}");
                    assert_eq!(found(&alone), Some("high".into()), "{file}:{line}");
                }
            }
            assert_eq!(
                alone["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(without_reach)
                    .collect::<Vec<_>>(),
                expected
                    .iter()
                    .map(|d| without_reach(d))
                    .collect::<Vec<_>>(),
                "{fixture}: {file} named alone"
            );
            cross_file += expected
                .iter()
                .filter(|d| {
                    d["rule"] == "query-in-loop" && d["message"].as_str().unwrap().contains(".ts:")
                })
                .count();
        }
        if fixture != "prisma-monorepo" {
            assert!(cross_file > 0, "{fixture}: no finding through another file");
        }
        let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
        args.reverse();
        let (_, together) = run_json(repo.path(), &args);
        // The findings whose tier is the whole run's (above) keep the rule's tier here too.
        let whole_tiers = |json: &serde_json::Value| {
            let mut json = json.clone();
            for d in json["diagnostics"].as_array_mut().unwrap() {
                let whole_tier = TIER_OF_THE_WHOLE_RUN.iter().any(|(f, path, line)| {
                    *f == fixture && d["path"] == *path && d["span"]["start"]["line"] == *line
                });
                if whole_tier {
                    let object = d.as_object_mut().unwrap();
                    object.remove("confidence");
                    object.remove("help");
                }
            }
            json
        };
        assert_eq!(
            whole_tiers(&together),
            whole_tiers(&whole),
            "{fixture}: every file named"
        );
    }
}

/// A monorepo with a workspace package behind a tsconfig alias and a package name, a schema
/// where `package.json` says Prisma finds it, 40 packages outside the workspace and a
/// gitignored generated module: naming one file reads 4 manifests, 1 schema file and the 3
/// modules it reaches, and finds what the whole run finds in it.
#[test]
fn named_files_read_only_the_project_around_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let mut files: Vec<(String, String)> = vec![
        ("package.json".into(), r#"{ "name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"] }"#.into()),
        (".gitignore".into(), "generated/\n".into()),
        ("apps/web/package.json".into(), r#"{ "name": "@acme/web", "dependencies": { "@acme/db": "*", "next": "15" } }"#.into()),
        ("apps/web/tsconfig.json".into(), r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#.into()),
        ("apps/web/src/pages/api/report.ts".into(), "import { ordersOf } from '@/server/orders';\nimport { prisma } from '@acme/db';\n\nexport async function report(userIds: string[]) {\n  const out = [];\n  for (const id of userIds) {\n    out.push(await ordersOf(id));\n  }\n  const users = await prisma.user.findMany({ where: { teamId: 't' }, include: { orders: true } });\n  return { out, users };\n}\n".into()),
        ("apps/web/src/server/orders.ts".into(), "import { prisma } from '@acme/db';\nimport { big } from '../generated/big';\n\nexport function ordersOf(userId: string) {\n  return prisma.order.findMany({ where: { userId }, take: big.length });\n}\n".into()),
        ("apps/web/src/generated/big.ts".into(), "export const big = [1, 2, 3];\n".into()),
        ("packages/db/package.json".into(), r#"{ "name": "@acme/db", "main": "src/index.ts", "dependencies": { "@prisma/client": "6" }, "prisma": { "schema": "schema/main.prisma" } }"#.into()),
        ("packages/db/schema/main.prisma".into(), "model User {\n  id String @id\n  teamId String\n  orders Order[]\n}\n\n/// @leaklint growing\nmodel Order {\n  id String @id\n  userId String\n  user User @relation(fields: [userId], references: [id])\n  createdAt DateTime @default(now())\n}\n".into()),
        ("packages/db/src/index.ts".into(), "export * from './client';\n".into()),
        ("packages/db/src/client.ts".into(), "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n".into()),
    ];
    for i in 0..40 {
        files.push((
            format!("tools/t{i}/package.json"),
            format!(r#"{{ "name": "tool-{i}" }}"#),
        ));
        files.push((
            format!("tools/t{i}/index.ts"),
            "export const x = 1;\n".into(),
        ));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(dir.path(), &borrowed);
    let file = "apps/web/src/pages/api/report.ts";
    let (_, whole) = run_json(dir.path(), &["."]);
    let (code, alone) = run_json(dir.path(), &[file]);
    assert_eq!(code, 1);
    let expected = diagnostics_of(&whole, file);
    assert_eq!(
        alone["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        expected
    );
    let rules: Vec<&str> = expected
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["query-in-loop", "unbounded-include"],
        "{expected:#?}"
    );
    assert!(expected[0]["message"]
        .as_str()
        .unwrap()
        .contains("apps/web/src/server/orders.ts:5"));
    let out = run(dir.path(), &["check", "--verbose", file]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("project facts read around 1 file: 4 manifests, 1 schema file, 3 imported modules linted for their facts"),
        "{stderr}"
    );
    assert!(
        stderr.contains("leaklint: 1 file read, 1 parsed, in "),
        "{stderr}"
    );
}

/// `paths` inherited through `extends` (an Nx repository's `tsconfig.base.json`) resolve
/// imports, in the whole run and for a file named alone.
#[test]
fn tsconfig_paths_come_through_extends() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write_files(
        dir.path(),
        &[
            ("package.json", r#"{ "name": "nx-repo", "dependencies": { "@prisma/client": "6" } }"#),
            ("tsconfig.base.json", r#"{ "compilerOptions": { "paths": { "@acme/api/*": ["./apps/api/src/*"] } } }"#),
            ("apps/api/tsconfig.json", r#"{ "extends": "../../tsconfig.base.json", "files": [] }"#),
            ("apps/api/src/db.ts", "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n"),
            ("apps/api/src/users/users.repo.ts", "import { prisma } from '@acme/api/db';\nexport function findUser(id: string) {\n  return prisma.user.findUnique({ where: { id } });\n}\n"),
            ("apps/api/src/users/users.service.ts", "import { findUser } from '@acme/api/users/users.repo';\nexport async function all(ids: string[]) {\n  const out = [];\n  for (const id of ids) {\n    out.push(await findUser(id));\n  }\n  return out;\n}\n"),
        ],
    );
    let file = "apps/api/src/users/users.service.ts";
    let (_, whole) = run_json(dir.path(), &["."]);
    let expected = diagnostics_of(&whole, file);
    assert_eq!(expected.len(), 1, "{whole:#}");
    assert!(expected[0]["message"]
        .as_str()
        .unwrap()
        .contains("`prisma.user.findUnique` (apps/api/src/users/users.repo.ts:3)"));
    let (_, alone) = run_json(dir.path(), &[file]);
    assert_eq!(
        alone["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        expected
    );
}

/// The real pre-commit framework runs this repository's `leaklint-system` hook on a staged file
/// of a project with a finding: the hook fails and prints it; with the file fixed it passes.
/// Skipped (with a note) where `pre-commit` is not installed, unless
/// `LEAKLINT_REQUIRE_PRE_COMMIT` is set, as `.ci/run` sets it after installing pre-commit.
#[test]
fn the_pre_commit_framework_runs_the_hook() {
    let required = std::env::var_os("LEAKLINT_REQUIRE_PRE_COMMIT").is_some();
    let available = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(!required, "pre-commit is not installed");
        eprintln!("note: pre-commit is not installed: the pre-commit framework test is skipped");
        return;
    }
    let this = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |dir: &Path, args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let rev = git(this, &["rev-parse", "HEAD"]);
    if !rev.status.success() {
        assert!(!required, "this checkout is no git repository");
        eprintln!("note: not a git checkout: the pre-commit framework test is skipped");
        return;
    }
    let rev = String::from_utf8_lossy(&rev.stdout).trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("app");
    std::fs::create_dir_all(&repo).unwrap();
    copy_dir(&common::fixtures().join("demo"), &repo);
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: leaklint-system\n",
            this.display()
        ),
    )
    .unwrap();
    assert!(git(&repo, &["init", "-q"]).status.success());
    assert!(git(&repo, &["add", "-A"]).status.success());
    let bin = Path::new(env!("CARGO_BIN_EXE_leaklint")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let pre_commit = |file: &str| {
        std::process::Command::new("pre-commit")
            .args(["run", "--files", file])
            .current_dir(&repo)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", dir.path().join("cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    };
    let out = pre_commit("src/server/profiles.ts");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("leaklint") && text.contains("Failed"),
        "{text}"
    );
    assert!(text.contains("unbounded-module-cache"), "{text}");
    let out = pre_commit("src/lib/readings.ts");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Passed"), "{text}");
}
