//! `unbounded-cache-config`: an in-memory cache library configured without a size bound.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::imported_from;
use crate::analysis::syntax::method_call;
use crate::analysis::syntax::{properties, unwrap_expression};
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{Diagnostic, Severity};
use std::collections::{HashMap, HashSet};
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
    precheck: None,
    check: Check::Stateful(|| Box::<Checker>::default()),
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

/// Caches whose every `set` in the file uses a fixed key hold a fixed number of entries.
#[derive(Default)]
struct Checker {
    /// (cache name, diagnostic)
    found: Vec<(Option<String>, Diagnostic)>,
    /// Per receiver: how many `set` calls use a fixed key, and how many do not.
    sets: HashMap<String, (usize, usize)>,
    /// Variables bound to string literals (`const cacheKey = "trending"`).
    string_consts: HashSet<String>,
}

impl FileCheck for Checker {
    fn enter(&mut self, node: Node, cx: &FileCx, _sink: &mut Sink) {
        match node.k() {
            "new_expression" => {
                if let Some(found) = check(node, cx) {
                    self.found.push(found);
                }
            }
            "variable_declarator" => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                if value.k() == "string" {
                    self.string_consts.insert(cx.text(name).to_string());
                }
            }
            "call_expression" => {
                let Some((receiver, "set", args)) = method_call(node, cx.src) else {
                    return;
                };
                let fixed = args.named_child(0).is_some_and(|key| {
                    key.k() == "string" || self.string_consts.contains(cx.text(key))
                });
                let entry = self.sets.entry(cx.text(receiver).to_string()).or_default();
                if fixed {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _cx: &FileCx, sink: &mut Sink) {
        for (name, diagnostic) in self.found.drain(..) {
            // `cache.set(...)`, or `this.cache.set(...)` for a class field.
            let sets = name.as_ref().and_then(|n| {
                let plain = self.sets.get(n).copied();
                let field = self.sets.get(&format!("this.{n}")).copied();
                match (plain, field) {
                    (None, None) => None,
                    (a, b) => {
                        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
                        Some((a.0 + b.0, a.1 + b.1))
                    }
                }
            });
            // Keys set in other files (seed 003's exported cache) are not judged here.
            let fixed_keys = sets.is_some_and(|(fixed, open)| fixed > 0 && open == 0);
            if !fixed_keys {
                sink.report(diagnostic, Vec::new());
            }
        }
    }
}

fn check(node: Node, cx: &FileCx) -> Option<(Option<String>, Diagnostic)> {
    if cx.is_test {
        return None;
    }
    let constructor = node.field("constructor")?;
    let class = cx.text(constructor);
    let library = LIBRARIES.iter().find(|lib| {
        imported_from(cx, class, lib.packages) || (lib.name == "node-cache" && class == "NodeCache")
    })?;
    let options = node
        .field("arguments")
        .and_then(|args| args.named_child(0))
        .map(unwrap_expression);
    let mut ttl = None;
    let mut ttl_seconds = None;
    let mut sweeps = false;
    let mut clones_off = false;
    match options {
        None => {}
        Some(o) if o.k() == "object" => {
            let pairs = properties(o, cx.src);
            let mut cursor = o.walk();
            let spread = o
                .named_children(&mut cursor)
                .any(|c| c.k() == "spread_element");
            let bound = pairs.iter().find(|(key, _)| library.bounds.contains(key));
            match bound {
                Some((_, value)) if !is_unbounded_value(*value, cx) => return None,
                Some(_) => {}
                None if spread => return None,
                None => {}
            }
            ttl = pairs
                .iter()
                .find(|(key, _)| matches!(*key, "stdTTL" | "ttl"))
                .map(|(_, v)| cx.text(*v).to_string())
                .filter(|v| v != "0");
            // `stdTTL: funcsChainTTL` with `const funcsChainTTL = 60` above: the constant's value.
            let ttl_value = pairs
                .iter()
                .find(|(key, _)| matches!(*key, "stdTTL" | "ttl"))
                .map(|(_, v)| unwrap_expression(*v))
                .map(|v| match v.k() {
                    "identifier" => crate::analysis::syntax::declared_value(cx.text(v), v, cx)
                        .map_or(cx.text(v), |value| cx.text(value)),
                    _ => cx.text(v),
                });
            ttl_seconds = ttl_value.and_then(evaluate).map(|n| {
                if library.name == "node-cache" {
                    n
                } else {
                    n / 1000.0
                }
            });
            sweeps = match library.name {
                // node-cache deletes expired keys every `checkperiod` seconds (600 by default).
                "node-cache" => !pairs
                    .iter()
                    .any(|(key, v)| *key == "checkperiod" && cx.text(*v).trim() == "0"),
                // @isaacs/ttlcache deletes each entry on a timer when its ttl ends.
                "@isaacs/ttlcache" => true,
                // lru-cache keeps stale entries until they are read, unless told to purge.
                _ => pairs
                    .iter()
                    .any(|(key, v)| *key == "ttlAutopurge" && cx.text(*v).trim() == "true"),
            };
            clones_off = pairs
                .iter()
                .any(|(key, v)| *key == "useClones" && cx.text(*v) == "false");
        }
        // `new LRU(0)`: lru-cache before version 7 took `max` as a number.
        Some(o)
            if o.k() == "number" && library.name == "lru-cache" && is_unbounded_value(o, cx) => {}
        // Options built elsewhere: leaklint cannot see them.
        Some(_) => return None,
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
    // Entries that expire within minutes and are swept: the cache holds what a few minutes
    // write, which only a guess can call large.
    let short_lived = sweeps && ttl_seconds.is_some_and(|s| s <= SHORT_TTL_SECONDS);
    Some((
        cache_name(cx).map(str::to_string),
        Diagnostic::new(RULE.id, node.byte_range(), message)
            .with_help(help)
            .guessed(short_lived),
    ))
}

/// A TTL this short, with expired entries swept, bounds a cache by its write rate: medium.
const SHORT_TTL_SECONDS: f64 = 300.0;

/// The value of a numeric literal or a product of them (`60 * 5`, `1000 * 60`, `30_000`).
fn evaluate(text: &str) -> Option<f64> {
    text.split('*')
        .map(|factor| factor.trim().replace('_', "").parse::<f64>().ok())
        .try_fold(1.0, |product, factor| Some(product * factor?))
}

/// `0`, a negative number or `Infinity`: the libraries read these as "no limit".
fn is_unbounded_value(value: Node, cx: &FileCx) -> bool {
    let text = cx.text(unwrap_expression(value)).replace(' ', "");
    text == "0" || text == "Infinity" || text.starts_with('-')
}

/// The variable or field the cache is stored in.
fn cache_name<'t>(cx: &FileCx<'t>) -> Option<&'t str> {
    let parent = cx.parent()?;
    let target = match parent.k() {
        "variable_declarator" => parent.field("name"),
        "assignment_expression" => parent.field("left"),
        "public_field_definition" | "field_definition" => {
            parent.field("name").or_else(|| parent.field("property"))
        }
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
            "import NodeCache from 'node-cache'; const c = new NodeCache({ stdTTL: 300 }); export function put(id, v) { c.set('all', v); c.set(`user:${id}`, v); }",
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
            // every key is fixed: one entry per key
            "import NodeCache from 'node-cache'; const reelCache = new NodeCache({ stdTTL: 300 }); app.get('/reels', (req, res) => { const cacheKey = 'trending-reels'; reelCache.set(cacheKey, load()); });",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn confidence_rests_on_ttl_and_seen_keys() {
        use crate::diagnostic::Confidence::{High, Medium};
        let tier = |src: &str| -> Vec<_> { lint(src).into_iter().map(|d| d.confidence).collect() };
        let put = "export function put(id, v) { c.set(id, v); }";
        // seed 003: an hour's TTL.
        assert_eq!(
            tier(&format!("import NodeCache from 'node-cache'; const c = new NodeCache({{ stdTTL: 3600 }}); {put}")),
            [High]
        );
        // 30 seconds, swept: what 30 seconds write.
        assert_eq!(
            tier(&format!("import NodeCache from 'node-cache'; const c = new NodeCache({{ stdTTL: 30 }}); {put}")),
            [Medium]
        );
        // The TTL held by a constant (jitsu's `const funcsChainTTL = 60`), and one that is not.
        assert_eq!(
            tier(&format!("import NodeCache from 'node-cache'; const ttl = 60; const c = new NodeCache({{ stdTTL: ttl, checkperiod: 60 }}); {put}")),
            [Medium]
        );
        assert_eq!(
            tier(&format!("import NodeCache from 'node-cache'; const ttl = 60 * 60; const c = new NodeCache({{ stdTTL: ttl }}); {put}")),
            [High]
        );
        assert_eq!(
            tier(&format!("import NodeCache from 'node-cache'; const c = new NodeCache({{ stdTTL: config.ttl }}); {put}")),
            [High]
        );
        assert_eq!(
            tier(&format!("import TTLCache from '@isaacs/ttlcache'; const c = new TTLCache({{ ttl: 1000 * 60 }}); {put}")),
            [Medium]
        );
        // Not swept: node-cache with `checkperiod: 0`, lru-cache without `ttlAutopurge`.
        assert_eq!(
            tier(&format!("import NodeCache from 'node-cache'; const c = new NodeCache({{ stdTTL: 30, checkperiod: 0 }}); {put}")),
            [High]
        );
        assert_eq!(
            tier(&format!("import {{ LRUCache }} from 'lru-cache'; const c = new LRUCache({{ ttl: 30_000 }}); {put}")),
            [High]
        );
        // A class field whose every key, set through `this`, is fixed: one entry per key.
        assert_eq!(
            tier("import NodeCache from 'node-cache'; class S { cache = new NodeCache(); put(v) { this.cache.set('all', v); } }"),
            []
        );
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
