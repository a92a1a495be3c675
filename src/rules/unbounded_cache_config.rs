//! `unbounded-cache-config`: an in-memory cache library configured without a size bound.

use super::{Category, Check, FixKind, Rule};
use crate::analysis::server::imported_from;
use crate::analysis::syntax::{properties, unwrap_expression};
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "unbounded-cache-config",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary:
        "an in-memory cache (node-cache, lru-cache, quick-lru, @isaacs/ttlcache) with no size bound",
    doc: include_str!("../../rules/unbounded-cache-config.md"),
    options: &[],
    needles: &[&[
        "node-cache",
        "NodeCache",
        "lru-cache",
        "quick-lru",
        "ttlcache",
    ]],
    check: Check::Node(check),
};

/// A cache library and the option keys that bound its size.
struct Library {
    name: &'static str,
    packages: &'static [&'static str],
    bounds: &'static [&'static str],
    help: &'static str,
}

const NODE_CACHE: Library = Library {
    name: "node-cache",
    packages: &["node-cache"],
    bounds: &["maxKeys"],
    help: "set `maxKeys` to the most entries you can afford (a `set` beyond it throws `ECACHEFULL`), or use lru-cache with `max` or `maxSize`, which evicts the least recently used entry instead",
};

const LIBRARIES: &[Library] = &[
    NODE_CACHE,
    Library {
        name: "lru-cache",
        packages: &["lru-cache"],
        bounds: &["max", "maxSize"],
        help: "set `max` (entries) or `maxSize` with `sizeCalculation`; a `ttl` alone only drops entries when they are read or purged",
    },
    Library {
        name: "quick-lru",
        packages: &["quick-lru"],
        bounds: &["maxSize"],
        help: "set `maxSize` to the most entries you can afford",
    },
    Library {
        name: "@isaacs/ttlcache",
        packages: &["@isaacs/ttlcache"],
        bounds: &["max"],
        help: "set `max`: without it every entry stays until its `ttl` ends, however many are set",
    },
];

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.kind() != "new_expression" || cx.is_test {
        return;
    }
    let Some(constructor) = node.child_by_field_name("constructor") else {
        return;
    };
    let class = cx.text(constructor);
    let Some(library) = LIBRARIES.iter().find(|lib| {
        imported_from(cx, class, lib.packages) || (lib.name == "node-cache" && class == "NodeCache")
    }) else {
        return;
    };
    let options = node
        .child_by_field_name("arguments")
        .and_then(|args| args.named_child(0))
        .map(unwrap_expression);
    let mut ttl = None;
    let mut clones_off = false;
    match options {
        None => {}
        Some(o) if o.kind() == "object" => {
            let pairs = properties(o, cx.src);
            let mut cursor = o.walk();
            let spread = o
                .named_children(&mut cursor)
                .any(|c| c.kind() == "spread_element");
            let bound = pairs.iter().find(|(key, _)| library.bounds.contains(key));
            match bound {
                Some((_, value)) if !is_unbounded_value(*value, cx) => return,
                Some(_) => {}
                None if spread => return,
                None => {}
            }
            ttl = pairs
                .iter()
                .find(|(key, _)| matches!(*key, "stdTTL" | "ttl"))
                .map(|(_, v)| cx.text(*v).to_string())
                .filter(|v| v != "0");
            clones_off = pairs
                .iter()
                .any(|(key, v)| *key == "useClones" && cx.text(*v) == "false");
        }
        // `new LRU(0)`: lru-cache before version 7 took `max` as a number.
        Some(o)
            if o.kind() == "number" && library.name == "lru-cache" && is_unbounded_value(o, cx) => {
        }
        // Options built elsewhere: leaklint cannot see them.
        Some(_) => return,
    }

    let cache = cache_name(cx)
        .map(|name| format!("`{name}` ({})", library.name))
        .unwrap_or_else(|| format!("this {} cache", library.name));
    let bounds = match library.bounds {
        [one] => format!("`{one}`"),
        many => format!(
            "neither {}",
            many.iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(" nor ")
        ),
    };
    let has = if library.bounds.len() == 1 {
        "has no "
    } else {
        "has "
    };
    let retention = match &ttl {
        Some(ttl) => format!(
            "every entry set stays in memory until its TTL (`{ttl}`) ends, however many there are"
        ),
        None => "every entry set stays in memory for the life of the process".to_string(),
    };
    let message = format!("{cache} {has}{bounds}: {retention}");
    let mut help = library.help.to_string();
    if clones_off {
        help.push_str("; `useClones: false` also hands every caller the cached object itself, so one caller's mutation changes it for all");
    }
    sink.report(
        Diagnostic::new(RULE.id, node.byte_range(), message).with_help(help),
        Vec::new(),
    );
}

/// `0`, a negative number or `Infinity`: the libraries read these as "no limit".
fn is_unbounded_value(value: Node, cx: &FileCx) -> bool {
    let text = cx.text(unwrap_expression(value)).replace(' ', "");
    text == "0" || text == "Infinity" || text.starts_with('-')
}

/// The variable or field the cache is stored in.
fn cache_name<'t>(cx: &FileCx<'t>) -> Option<&'t str> {
    let parent = cx.parent()?;
    let target = match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("name"),
        "assignment_expression" => parent.child_by_field_name("left"),
        "public_field_definition" | "field_definition" => parent
            .child_by_field_name("name")
            .or_else(|| parent.child_by_field_name("property")),
        _ => None,
    }?;
    Some(cx.text(target))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fails, assert_passes, lint};

    #[test]
    fn fail() {
        let cases = [
            // seed 003: an hour's TTL and no maxKeys
            "import NodeCache from 'node-cache'; export const cache = new NodeCache({ stdTTL: 3600, checkperiod: 120 });",
            "const NodeCache = require('node-cache'); const cache = new NodeCache();",
            "import NodeCache from 'node-cache'; const c = new NodeCache({ maxKeys: -1 });",
            "import { LRUCache } from 'lru-cache'; const c = new LRUCache({ ttl: 60_000 });",
            "import LRU from 'lru-cache'; const c = new LRU();",
            "const LRU = require('lru-cache'); const c = new LRU({ max: 0, maxAge: 1000 });",
            "import QuickLRU from 'quick-lru'; const c = new QuickLRU({});",
            "import TTLCache from '@isaacs/ttlcache'; const c = new TTLCache({ ttl: 1000 });",
            "import NodeCache from 'node-cache'; class S { private cache = new NodeCache({ stdTTL: 60 }); }",
        ];
        for case in cases {
            assert_fails(case);
        }
    }

    #[test]
    fn pass() {
        let cases = [
            "import NodeCache from 'node-cache'; const c = new NodeCache({ stdTTL: 300, maxKeys: 5000 });",
            "import { LRUCache } from 'lru-cache'; const c = new LRUCache({ max: 500 });",
            "import { LRUCache } from 'lru-cache'; const c = new LRUCache({ maxSize: 50_000_000, sizeCalculation: (v) => v.length });",
            "import LRU from 'lru-cache'; const c = new LRU(500);",
            "import QuickLRU from 'quick-lru'; const c = new QuickLRU({ maxSize: 1000 });",
            "import TTLCache from '@isaacs/ttlcache'; const c = new TTLCache({ max: 10000, ttl: 1000 });",
            // options built elsewhere: not visible
            "import NodeCache from 'node-cache'; const c = new NodeCache(options);",
            "import { LRUCache } from 'lru-cache'; const c = new LRUCache({ ...defaults, ttl: 5 });",
            // a project's own LRUCache class
            "import { LRUCache } from './LRUCache'; const c = new LRUCache();",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn messages_name_the_cache_and_its_ttl() {
        let found = lint(
            "import NodeCache from 'node-cache'; export const cache = new NodeCache({ stdTTL: 3600, useClones: false });",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`cache` (node-cache) has no `maxKeys`: every entry set stays in memory until its TTL (`3600`) ends, however many there are"
        );
        assert!(found[0].help.as_deref().unwrap().contains("useClones"));
        let found =
            lint("import { LRUCache } from 'lru-cache'; const memo = new LRUCache({ ttl: 1 });");
        assert_eq!(
            found[0].message,
            "`memo` (lru-cache) has neither `max` nor `maxSize`: every entry set stays in memory until its TTL (`1`) ends, however many there are"
        );
    }
}
