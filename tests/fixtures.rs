//! Every project under `fixtures/` marks the lines it expects findings on with
//! `// expect: RULE` (a high-confidence finding), `// expect(medium): RULE` (one that rests on a
//! guess, reported only with `--confidence medium`) and the near-misses with `// ok: RULE`; this
//! test runs the binary on each project with `--confidence medium` and compares, confidence
//! included. The demo keeps its expectations in `expected.txt` instead (all high).

mod common;

use common::{findings, fixtures, run_json};
use std::collections::BTreeSet;
use std::path::Path;

/// How a medium-confidence finding's rule is written in a marker set.
const MEDIUM: &str = "(medium)";

/// (path, line, rule) of a marker; the rule has `(medium)` after it for medium confidence.
type Marker = (String, u64, String);

fn markers(root: &Path) -> (BTreeSet<Marker>, BTreeSet<Marker>) {
    let mut expect = BTreeSet::new();
    let mut ok = BTreeSet::new();
    for entry in walk(root) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let rel = entry
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (i, line) in text.lines().enumerate() {
            for (marker, expected, suffix) in [
                ("// expect: ", true, ""),
                ("// expect(medium): ", true, MEDIUM),
                ("// ok: ", false, ""),
            ] {
                if let Some(pos) = line.find(marker) {
                    for rule in line[pos + marker.len()..].split(',') {
                        let rule = format!("{}{suffix}", rule.trim());
                        let set = if expected { &mut expect } else { &mut ok };
                        set.insert((rel.clone(), i as u64 + 1, rule));
                    }
                }
            }
        }
    }
    // A project whose code carries no markers (the demo) lists them in `expected.txt`.
    if let Ok(list) = std::fs::read_to_string(root.join("expected.txt")) {
        for line in list
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let (place, rule) = line.split_once(' ').expect("`path:line rule`");
            let (path, number) = place.rsplit_once(':').expect("`path:line`");
            expect.insert((
                path.to_string(),
                number.parse().unwrap(),
                rule.trim().to_string(),
            ));
        }
    }
    (expect, ok)
}

fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts")
            ) {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn every_fixture_project_matches_its_markers() {
    let mut projects = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        projects += 1;
        let (expect, ok) = markers(&dir);
        assert!(
            !expect.is_empty(),
            "{} has no `// expect:` markers",
            dir.display()
        );
        let (_, json) = run_json(&dir, &[".", "--confidence", "medium"]);
        // One finding per rule and place: `f(x)()` holds two calls that start together.
        let mut places = BTreeSet::new();
        for d in json["diagnostics"].as_array().unwrap() {
            let place = (
                d["path"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["span"]["start"]["column"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            );
            assert!(
                places.insert(place.clone()),
                "{}: reported twice: {place:?}",
                dir.display()
            );
        }
        let found: BTreeSet<_> = findings(&json)
            .into_iter()
            .zip(json["diagnostics"].as_array().unwrap())
            .map(|((path, line, rule), d)| match d["confidence"].as_str() {
                Some("high") => (path, line, rule),
                Some("medium") => (path, line, format!("{rule}{MEDIUM}")),
                other => panic!("confidence {other:?} of {d}"),
            })
            .collect();
        let missing: Vec<_> = expect.difference(&found).collect();
        let unexpected: Vec<_> = found.difference(&expect).collect();
        assert!(
            missing.is_empty() && unexpected.is_empty(),
            "{}:\n  expected but not found: {missing:#?}\n  found but not expected: {unexpected:#?}",
            dir.display()
        );
        let wrongly_flagged: Vec<_> = ok
            .iter()
            .filter(|(p, l, r)| {
                found.contains(&(p.clone(), *l, r.clone()))
                    || found.contains(&(p.clone(), *l, format!("{r}{MEDIUM}")))
            })
            .collect();
        assert!(wrongly_flagged.is_empty(), "{wrongly_flagged:#?}");
    }
    assert!(projects >= 1, "no fixture projects found");
}
