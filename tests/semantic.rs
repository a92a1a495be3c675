//! The semantic model through the binary: calls followed across files and barrels, on projects
//! the tests write.

mod common;

use common::{findings, run_json};

fn write(dir: &std::path::Path, files: &[(String, String)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn project(extra: Vec<(String, String)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![
        (
            "package.json".to_string(),
            r#"{ "name": "app", "dependencies": { "@prisma/client": "5" } }"#.to_string(),
        ),
        (
            "src/repo.ts".to_string(),
            "import { prisma } from './db';\nexport async function load(id: string) {\n  return prisma.item.findMany({ where: { ownerId: id } });\n}\n".to_string(),
        ),
        (
            "src/db.ts".to_string(),
            "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n".to_string(),
        ),
    ];
    files.extend(extra);
    write(dir.path(), &files);
    dir
}

#[test]
fn a_chain_of_barrels_is_followed() {
    let mut files = vec![(
        "src/b0.ts".to_string(),
        "export * from './repo';\n".to_string(),
    )];
    for level in 1..4 {
        files.push((
            format!("src/b{level}.ts"),
            format!("export * from './b{}';\n", level - 1),
        ));
    }
    files.push((
        "src/use.ts".to_string(),
        "import { load } from './b3';\nexport async function all(ids: string[]) {\n  for (const id of ids) {\n    await load(id);\n  }\n}\n".to_string(),
    ));
    let dir = project(files);
    let (_, json) = run_json(dir.path(), &["."]);
    let found = findings(&json);
    assert_eq!(
        found,
        [("src/use.ts".to_string(), 4, "query-in-loop".to_string())],
        "{json:#}"
    );
    let message = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("src/repo.ts:3"), "{message}");
}

#[test]
fn barrels_that_fan_out_do_not_blow_up() {
    // Eight levels of barrels, each re-exporting eight others: 8^8 paths without a bound.
    let mut files = Vec::new();
    for level in 0..8 {
        for i in 0..8 {
            let text: String = if level == 0 {
                format!("export const v{i} = {i};\n")
            } else {
                (0..8)
                    .map(|j| format!("export * from './l{}_{j}';\n", level - 1))
                    .collect()
            };
            files.push((format!("src/l{level}_{i}.ts"), text));
        }
    }
    files.push((
        "src/use.ts".to_string(),
        "import { missing } from './l7_0';\nimport { load } from './repo';\nexport async function all(ids: string[]) {\n  for (const id of ids) {\n    await missing(id);\n    await load(id);\n  }\n}\n".to_string(),
    ));
    let dir = project(files);
    let (_, json) = run_json(dir.path(), &["."]);
    assert_eq!(
        findings(&json),
        [("src/use.ts".to_string(), 6, "query-in-loop".to_string())],
        "{json:#}"
    );
}

/// Each query finding names the entry points that reach it through the call graph, nearest
/// first; an N+1 reached only from scripts or admin routes is medium (fixture `entry-points`).
#[test]
fn findings_say_which_entry_points_reach_them() {
    let dir = common::fixtures().join("entry-points");
    let (_, json) = run_json(&dir, &[".", "--confidence", "medium"]);
    let reach = |line: u64, rule: &str| -> (String, Vec<(String, String)>) {
        let d = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["span"]["start"]["line"] == line
                    && d["rule"] == rule
                    && d["path"].as_str().unwrap().ends_with("teams.service.ts")
            })
            .unwrap_or_else(|| panic!("no {rule} finding on line {line}: {json}"));
        let entries = d["reached_from"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_string(),
                    r["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (d["confidence"].as_str().unwrap().to_string(), entries)
    };
    let pair = |k: &str, n: &str| (k.to_string(), n.to_string());
    // A NestJS route through constructor injection: high.
    assert_eq!(
        reach(14, "query-in-loop"),
        (
            "high".into(),
            vec![
                pair("request", "GET /teams/counts"),
                pair("request", "tRPC procedure `memberCountsRoute`")
            ]
        )
    );
    // Only admin tools reach it (a route under /admin, a procedure behind an admin
    // permission): medium.
    assert_eq!(
        reach(22, "query-in-loop"),
        (
            "medium".into(),
            vec![
                pair("request", "GET /admin/teams/emails"),
                pair("request", "tRPC admin procedure `memberEmailsRoute`")
            ]
        )
    );
    // Only a script (through `new TeamsService(...)`): medium, named by its path.
    assert_eq!(
        reach(29, "query-in-loop"),
        (
            "medium".into(),
            vec![pair("script", "scripts/team-report.ts")]
        )
    );
    // A route and a script: the route first, and high.
    assert_eq!(
        reach(37, "query-in-loop"),
        (
            "high".into(),
            vec![
                pair("request", "GET /teams/first-members"),
                pair("script", "scripts/team-report.ts")
            ]
        )
    );
    // A Next.js route handler wrapped in the project's own middleware.
    assert_eq!(
        reach(63, "query-in-loop"),
        ("high".into(), vec![pair("request", "GET /api/teams")])
    );
    // A child table read whole that only admin tools and a script reach: medium.
    assert_eq!(
        reach(51, "unbounded-find-many"),
        (
            "medium".into(),
            vec![
                pair("request", "API route /api/members (admin)"),
                pair("request", "tRPC admin procedure `allMembersRoute`"),
                pair("script", "scripts/team-report.ts")
            ]
        )
    );
    // A handler registered by reference in a route object (`this.route({ handler: this.x })`).
    assert_eq!(
        reach(71, "query-in-loop"),
        ("high".into(), vec![pair("request", "GET /oldest")])
    );
    // No caller known: nothing named, tier unchanged.
    assert_eq!(reach(45, "query-in-loop"), ("high".into(), vec![]));
    // Other query rules say where they run too.
    assert_eq!(
        reach(11, "unbounded-find-many").1,
        vec![
            pair("request", "GET /teams/counts"),
            pair("request", "tRPC procedure `memberCountsRoute`")
        ]
    );
    // A cron job names itself; the human output says it in the help.
    let out = common::run(&dir, &["src/jobs/digest.job.ts", "--color", "never"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("reached from cron job `DigestJob.sendDigests` (src/jobs/digest.job.ts:11)"),
        "{text}"
    );
}
