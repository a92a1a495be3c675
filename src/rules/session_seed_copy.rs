//! `session-seed-copy`: bulk data (a JSON file, a module of seed data, a large literal, a parsed
//! file) copied into a user session.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::at_module_scope;
use crate::analysis::syntax::{method_call, string_value, unwrap_expression, MAX_NESTING};
use crate::analysis::{Condition, FileCx, Sink, DATA_PLACEHOLDER};
use crate::config::OptionValue;
use crate::config::{OptionKind, RuleOption};
use crate::diagnostic::{ByteSpan, Diagnostic, Severity};
use std::collections::HashMap;
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "session-seed-copy",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary:
        "seed or bulk data (a JSON file, a data module, a large literal) copied into a user session",
    doc: include_str!("../../rules/session-seed-copy.md"),
    options: &[RuleOption {
        name: "min-size",
        kind: OptionKind::Integer { min: 1 },
        default: "65536",
        description: "smallest JSON data, in bytes, worth reporting when its size is known",
    }],
    needles: &[&["req.session", "request.session", "ctx.session"]],
    precheck: None,
    check: Check::Stateful(|| Box::<Checker>::default()),
};

const DEFAULT_MIN_SIZE: u64 = 65_536;
/// A literal with this many elements, or this many bytes of source, is bulk data.
const LARGE_LITERAL_ELEMENTS: usize = 100;
const LARGE_LITERAL_BYTES: usize = 16_384;

/// Objects whose `.session` is a user session.
const SESSION_OWNERS: &[&str] = &["req", "request", "ctx", "context"];

/// Functions that copy their later arguments into their first.
const MERGES: &[&str] = &[
    "Object.assign",
    "_.merge",
    "_.assign",
    "_.defaults",
    "_.defaultsDeep",
    "merge",
    "lodash.merge",
];

/// Where a copied value comes from.
#[derive(Debug, Clone)]
enum Source {
    /// An identifier, resolved when the module is complete.
    Name(String),
    /// A module specifier required in place.
    Specifier(String),
    /// Already known to be bulk: how to describe it.
    Bulk(String),
}

struct Copy {
    span: ByteSpan,
    target: String,
    /// The value as written, for the message.
    shown: String,
    source: Source,
}

#[derive(Default)]
struct Checker {
    copies: Vec<Copy>,
    /// Module-level names bound to bulk data found in this file, and how to describe it.
    bulk_names: HashMap<String, String>,
    /// Names bound by `x = require("...")` assignments or `require(pathVariable)`.
    required: HashMap<String, String>,
    /// Path variables: `const file = resolve(__dirname, "../data/x.js")` -> "../data/x.js".
    paths: HashMap<String, String>,
}

impl FileCheck for Checker {
    fn enter(&mut self, node: Node, cx: &FileCx, _sink: &mut Sink) {
        if cx.is_test {
            return;
        }
        match node.k() {
            "variable_declarator" => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                if name.k() == "identifier" {
                    self.bind(cx.text(name), value, cx);
                }
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return;
                };
                if let Some(target) = session_target(left, cx) {
                    self.copy_into(node, target, right, cx);
                } else if left.k() == "identifier" {
                    self.bind(cx.text(left), right, cx);
                }
            }
            "call_expression" => {
                let Some(callee) = node.field("function") else {
                    return;
                };
                if !MERGES.contains(&cx.text(callee)) {
                    return;
                }
                let Some(args) = node.field("arguments") else {
                    return;
                };
                let Some(target) = args.named_child(0).and_then(|t| session_target(t, cx)) else {
                    return;
                };
                let mut cursor = args.walk();
                for source in args.named_children(&mut cursor).skip(1) {
                    self.copy_into(node, target.clone(), source, cx);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &FileCx, sink: &mut Sink) {
        let min_bytes = match cx.config.option(RULE.id, "min-size") {
            Some(OptionValue::Integer(n)) => (*n).max(0) as u64,
            _ => DEFAULT_MIN_SIZE,
        };
        let mut reported = std::collections::HashSet::new();
        for copy in &self.copies {
            let (data, conditions) = match &copy.source {
                Source::Bulk(description) => (description.clone(), Vec::new()),
                Source::Specifier(specifier) => (
                    DATA_PLACEHOLDER.to_string(),
                    vec![Condition::BulkData {
                        specifier: specifier.clone(),
                        min_bytes,
                    }],
                ),
                Source::Name(name) => {
                    if let Some(description) = self.bulk_names.get(name) {
                        (description.clone(), Vec::new())
                    } else if let Some(specifier) =
                        self.required.get(name).or_else(|| cx.imports.get(name))
                    {
                        (
                            DATA_PLACEHOLDER.to_string(),
                            vec![Condition::BulkData {
                                specifier: specifier.clone(),
                                min_bytes,
                            }],
                        )
                    } else {
                        continue;
                    }
                }
            };
            if !reported.insert(copy.span.start) {
                continue;
            }
            let message = format!(
                "`{}` gets `{}`: copies {data} into every session, to be serialised and stored again on every request",
                copy.target, copy.shown
            );
            let help = "keep the shared data in one module-level object and store only the user's ids and changes in the session (`req.session.changes`), merging them when you read";
            sink.report(
                Diagnostic::new(RULE.id, copy.span.clone(), message).with_help(help),
                conditions,
            );
        }
    }
}

impl Checker {
    /// Remembers what `name = value` binds, when it may be data or a path to it.
    fn bind(&mut self, name: &str, value: Node, cx: &FileCx) {
        let value = unwrap_expression(value);
        if let Some(path) = path_expression(value, &self.paths, cx) {
            self.paths.insert(name.to_string(), path);
            return;
        }
        if let Some(specifier) = required(value, &self.paths, cx) {
            self.required.insert(name.to_string(), specifier);
            return;
        }
        if at_module_scope(cx) {
            if let Some(description) = local_bulk(value, cx) {
                self.bulk_names.insert(name.to_string(), description);
            }
        }
    }

    /// Records a copy of `value` (and what it spreads or merges) into a session.
    fn copy_into(&mut self, node: Node, target: String, value: Node, cx: &FileCx) {
        for source in sources(value, cx) {
            let resolved = if let Some(description) = local_bulk(source, cx) {
                Source::Bulk(description)
            } else if let Some(specifier) = required(source, &self.paths, cx) {
                Source::Specifier(specifier)
            } else if let Some(root) = root_name(source, cx) {
                Source::Name(root.to_string())
            } else {
                continue;
            };
            self.copies.push(Copy {
                span: node.byte_range(),
                target: target.clone(),
                shown: shorten(cx.text(source)),
                source: resolved,
            });
        }
    }
}

/// `req.session.data` (any depth): the session target as written.
fn session_target(node: Node, cx: &FileCx) -> Option<String> {
    let node = unwrap_expression(node);
    if node.k() != "member_expression" {
        return None;
    }
    let text = cx.text(node);
    let is_session = SESSION_OWNERS.iter().any(|owner| {
        text.strip_prefix(owner)
            .and_then(|rest| rest.strip_prefix(".session"))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
    });
    is_session.then(|| text.to_string())
}

/// The values a right-hand side copies: itself, the sources of `Object.assign({}, a, b)`, the
/// spreads of `{ ...a, x }`, through clones (`structuredClone(a)`, `JSON.parse(JSON.stringify(a))`).
fn sources<'t>(value: Node<'t>, cx: &FileCx<'t>) -> Vec<Node<'t>> {
    sources_within(value, cx, 0)
}

/// [`sources`] at `depth` levels of merges, spreads and clones: past [`MAX_NESTING`], nothing
/// (not judged).
fn sources_within<'t>(value: Node<'t>, cx: &FileCx<'t>, depth: usize) -> Vec<Node<'t>> {
    if depth >= MAX_NESTING {
        crate::analysis::syntax::not_judged_too_deep();
        return Vec::new();
    }
    let sources = |value: Node<'t>, cx: &FileCx<'t>| sources_within(value, cx, depth + 1);
    let value = unwrap_expression(value);
    match value.k() {
        "object" | "array" if local_bulk(value, cx).is_some() => vec![value],
        "object" | "array" => {
            let mut cursor = value.walk();
            value
                .named_children(&mut cursor)
                .filter(|c| c.k() == "spread_element")
                .filter_map(|c| c.named_child(0))
                .flat_map(|s| sources(s, cx))
                .collect()
        }
        "call_expression" => {
            let callee = value.field("function").map(|f| cx.text(f)).unwrap_or("");
            let Some(args) = value.field("arguments") else {
                return Vec::new();
            };
            let first = args.named_child(0);
            if MERGES.contains(&callee) {
                let mut cursor = args.walk();
                return args
                    .named_children(&mut cursor)
                    .flat_map(|a| sources(a, cx))
                    .collect();
            }
            if matches!(
                callee,
                "structuredClone" | "_.cloneDeep" | "cloneDeep" | "_.clone"
            ) {
                return first.map(|f| sources(f, cx)).unwrap_or_default();
            }
            if callee == "JSON.parse" {
                let inner = first.map(unwrap_expression);
                let stringify = inner
                    .filter(|i| i.k() == "call_expression")
                    .and_then(|i| i.field("function"))
                    .is_some_and(|f| cx.text(f) == "JSON.stringify");
                if stringify {
                    let inner = inner.and_then(|i| i.field("arguments"));
                    return inner
                        .and_then(|a| a.named_child(0))
                        .map(|a| sources(a, cx))
                        .unwrap_or_default();
                }
            }
            vec![value]
        }
        "identifier" | "member_expression" => vec![value],
        _ => Vec::new(),
    }
}

/// The identifier a value is read from: `defaults` in `defaults.participants`.
fn root_name<'t>(value: Node<'t>, cx: &FileCx<'t>) -> Option<&'t str> {
    let mut node = unwrap_expression(value);
    while node.k() == "member_expression" {
        node = node.field("object")?;
    }
    (node.k() == "identifier").then(|| cx.text(node))
}

/// Bulk data visible in this file: `JSON.parse(fs.readFileSync(...))`, a large literal, a
/// generated array (`Array.from({ length: 5000 }, ...)`).
fn local_bulk(value: Node, cx: &FileCx) -> Option<String> {
    let value = unwrap_expression(value);
    let text = cx.text(value);
    match value.k() {
        "call_expression" if text.starts_with("JSON.parse(") && text.contains("readFileSync(") => {
            let file = text
                .split_once("readFileSync(")
                .map(|(_, rest)| rest.split([',', ')']).next().unwrap_or(rest).trim())
                .unwrap_or("a file");
            Some(format!("the whole parsed file `{file}`"))
        }
        "call_expression" if text.starts_with("Array.from(") => {
            let length = text.split_once("length:").and_then(|(_, rest)| {
                let digits: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '_')
                    .filter(|c| *c != '_')
                    .collect();
                digits.parse::<usize>().ok()
            })?;
            (length >= LARGE_LITERAL_ELEMENTS)
                .then(|| format!("a generated array of {length} elements"))
        }
        "array" | "object" => {
            let elements = value.named_child_count();
            (elements >= LARGE_LITERAL_ELEMENTS || text.len() >= LARGE_LITERAL_BYTES).then(|| {
                format!(
                    "a {}-element literal of {} KB",
                    elements,
                    text.len().div_ceil(1000)
                )
            })
        }
        _ => None,
    }
}

/// `require("./x.json")`, `require("./data").participants`, `require(fileVariable)`: the
/// specifier, relative to this file.
fn required(value: Node, paths: &HashMap<String, String>, cx: &FileCx) -> Option<String> {
    let mut call = unwrap_expression(value);
    while call.k() == "member_expression" {
        call = call.field("object")?;
    }
    if call.k() != "call_expression" {
        return None;
    }
    let callee = call.field("function")?;
    if cx.text(callee) != "require" {
        return None;
    }
    let argument = call.field("arguments")?.named_child(0)?;
    if let Some(literal) = string_value(argument, cx.src) {
        return Some(literal.to_string());
    }
    path_expression(argument, paths, cx).or_else(|| paths.get(cx.text(argument)).cloned())
}

/// `path.join(__dirname, "../data")`, `resolve(dataDir, "defaults.js")`: a path relative to
/// this file's folder, as a specifier (`./../data/defaults.js`).
fn path_expression(value: Node, paths: &HashMap<String, String>, cx: &FileCx) -> Option<String> {
    let (callee, args) = match method_call(value, cx.src) {
        Some((object, method, args)) if cx.text(object) == "path" => (method, args),
        _ => {
            let callee = value.field("function")?;
            (cx.text(callee), value.field("arguments")?)
        }
    };
    if !matches!(callee, "join" | "resolve") || value.k() != "call_expression" {
        return None;
    }
    let mut cursor = args.walk();
    let mut parts = args.named_children(&mut cursor);
    let base = parts.next()?;
    let mut path = match cx.text(base) {
        "__dirname" => ".".to_string(),
        name => paths.get(name)?.clone(),
    };
    for part in parts {
        path.push('/');
        path.push_str(string_value(part, cx.src)?);
    }
    Some(if path.starts_with("./") || path.starts_with("../") {
        path
    } else {
        format!("./{path}")
    })
}

fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 60 {
        return text;
    }
    let cut: String = text.chars().take(59).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use crate::analysis::Condition;
    use crate::analyze;
    use crate::config::Config;
    use crate::rules::test_support::{assert_fails, assert_passes, lint};
    use crate::source::Lang;

    /// Conditions of every pending diagnostic of this rule.
    fn pending(src: &str) -> Vec<Vec<Condition>> {
        let config = Config::default();
        analyze(
            std::path::Path::new("app/routes.js"),
            src,
            Lang::JavaScript,
            &config,
            &crate::project::Project::default(),
            &[&super::RULE],
        )
        .unwrap()
        .pending
        .into_iter()
        .map(|p| p.conditions)
        .collect()
    }

    #[test]
    fn fail() {
        let cases = [
            "const fs = require('fs'); const seed = JSON.parse(fs.readFileSync('data/patients.json', 'utf8')); app.use((req, res, next) => { req.session.data = Object.assign({}, seed, req.session.data); next(); });",
            "app.use((req, res, next) => { req.session.patients = JSON.parse(fs.readFileSync(file)); next(); });",
            "const people = Array.from({ length: 5000 }, (_, i) => ({ id: i })); router.get('/', (req, res) => { req.session.people = people; });",
            "const rows = Array.from({ length: 2_000 }, make); export const loader = ({ request }) => { request.session.rows = [...rows]; };",
        ];
        for case in cases {
            assert_fails(case);
        }
        // Imported data waits for the other file's size.
        let conditions = pending(
            "const defaults = require('./data/session-data-defaults'); app.use((req, res, next) => { Object.assign(req.session.data, defaults); next(); });",
        );
        assert_eq!(conditions.len(), 1);
        assert!(
            matches!(&conditions[0][0], Condition::BulkData { specifier, .. } if specifier == "./data/session-data-defaults")
        );
        let conditions = pending(
            "import patients from './patients.json'; app.get('/', (req, res) => { req.session.patients = patients; });",
        );
        assert!(
            matches!(&conditions[0][0], Condition::BulkData { specifier, .. } if specifier == "./patients.json")
        );
        // seed 000: require() of a path built from __dirname, in a `let` set in a `try`
        let conditions = pending(
            "let sessionDataDefaults = {}; const file = resolve(__dirname, '../app/data/session-data-defaults.js'); try { sessionDataDefaults = require(file); } catch {} function autoStoreData(req, res, next) { req.session.data = Object.assign({}, sessionDataDefaults, req.session.data); next(); }",
        );
        assert!(
            matches!(&conditions[0][0], Condition::BulkData { specifier, .. } if specifier == "./../app/data/session-data-defaults.js")
        );
        let conditions = pending(
            "function reset(req) { const dir = join(__dirname, '../../app/data'); const p = resolve(dir, 'defaults.js'); const d = require(p); Object.assign(req.session.data, d); }",
        );
        assert!(
            matches!(&conditions[0][0], Condition::BulkData { specifier, .. } if specifier == "./../../app/data/defaults.js")
        );
    }

    #[test]
    fn pass() {
        let cases = [
            // ids, flags, small user objects
            "app.post('/login', async (req, res) => { const user = await find(req.body.email); req.session.userId = user.id; req.session.user = { id: user.id, name: user.name }; req.session.isAdmin = false; });",
            // one field of an existing object
            "app.post('/x', (req, res) => { req.session.data.participants[0].status = 'checked_in'; });",
            "const ROLES = ['a', 'b']; app.get('/', (req, res) => { req.session.roles = ROLES; });",
            "app.use((req, res, next) => { req.session.data = Object.assign({}, { step: 1 }, req.session.data); next(); });",
            // a package, not project data
            "import config from 'config'; app.get('/', (req, res) => { req.session.config = config; });",
            // not a session
            "const seed = JSON.parse(fs.readFileSync(f)); app.get('/', (req, res) => { res.locals.data = seed; });",
        ];
        for case in cases {
            assert_passes(case);
        }
        let conditions = pending(
            "import config from 'config'; app.get('/', (req, res) => { req.session.config = config; });",
        );
        assert!(
            conditions.iter().all(|c| !c.is_empty()),
            "a package specifier never resolves to data"
        );
    }

    #[test]
    fn message_says_what_is_copied() {
        let found = lint(
            "const seed = JSON.parse(fs.readFileSync('patients.json', 'utf8')); app.use((req, res, next) => { req.session.data = Object.assign({}, seed, req.session.data); next(); });",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`req.session.data` gets `seed`: copies the whole parsed file `'patients.json'` into every session, to be serialised and stored again on every request"
        );
    }
}
