//! `unbounded-module-cache`: a module-level `Map`, `Set`, array or dictionary object that grows
//! inside functions and is never shrunk anywhere in the module.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::{at_module_scope, is_client_module};
use crate::analysis::syntax::{
    is_function, is_literal_collection, method_call, parameters, unwrap_expression,
};
use crate::analysis::{FileCx, Frame, Sink};
use crate::config::OptionValue;
use crate::config::{OptionKind, RuleOption};
use crate::diagnostic::{ByteSpan, Diagnostic, Severity};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "unbounded-module-cache",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a module-level Map/Set/array/object that grows at run time and is never evicted",
    doc: include_str!("../../rules/unbounded-module-cache.md"),
    options: &[RuleOption {
        name: "sync-maps",
        kind: OptionKind::Bool,
        default: "false",
        description: "also report Maps and dictionaries filled by functions that do no I/O (memoized computations, usually keyed by a small set)",
    }],
    needles: &[
        &["new Map", "new Set", "[]", "{}", "Object.create(null)"],
        &[
            ".set(",
            ".add(",
            ".push(",
            ".unshift(",
            "] =",
            "Object.assign(",
        ],
    ],
    precheck: Some(declares_module_collection),
    check: Check::Stateful(|| Box::<Checker>::default()),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Set,
    Array,
    Object,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Map => "Map",
            Kind::Set => "Set",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }

    /// Whether an operation grows a collection of this kind.
    fn grows_by(self, op: &str) -> bool {
        match self {
            Kind::Map => op == "set",
            Kind::Set => op == "add",
            Kind::Array => matches!(op, "push" | "unshift"),
            Kind::Object => matches!(op, "[key] =" | "Object.assign"),
        }
    }
}

const SHRINK_METHODS: &[&str] = &[
    "delete", "clear", "splice", "shift", "pop", "length", "reset", "prune",
];

struct Collection {
    kind: Kind,
    declaration: ByteSpan,
    /// Its key type is a named type (`Map<TaskInterval, ...>`, `Record<Reason, number>`): an
    /// enum or a union, a small fixed set.
    fixed_keys: bool,
}

/// The function an operation sits in.
#[derive(Clone)]
struct Site {
    /// Byte span of the function.
    span: ByteSpan,
    name: String,
    params: Vec<String>,
    /// Inside a function named like a class, component or decorator (`Field`, `Relation`), or
    /// an internal hook (`__setCache`): not per-request code.
    not_per_request: bool,
    /// The function mentions locales (`locale`, `lang`, `new Intl.`): keys from a small set.
    per_locale: bool,
    /// The function waits for I/O (`await`, `.then(`): what it stores was loaded, not computed.
    does_io: bool,
    /// A registration function (`register...`, `define...`), run while modules load.
    registers: bool,
    /// Shaped like a request handler or middleware (a `req`, `request` or `ctx` parameter): its
    /// keys come from requests.
    per_request: bool,
}

struct Growth {
    target: String,
    /// The local function that grows it through its parameter, when not grown directly.
    via: Option<String>,
    /// The key written, when it is an identifier (`id` in `cache.set(id, v)`).
    key: Option<String>,
    /// The key as written, whatever it is (`req.ip`), for judging where keys come from.
    key_text: Option<String>,
    op: &'static str,
    span: ByteSpan,
    site: Site,
}

#[derive(Default)]
struct Checker {
    collections: HashMap<String, Collection>,
    /// Functions called at module scope, and inside functions: a filler only the module's own
    /// initialisation calls (`addRouteGuard({ ... })` at the top level) fills it once.
    called_at_load: HashSet<String>,
    called_in_functions: HashSet<String>,
    /// Names declared more than once at module scope (not followed).
    ambiguous: HashSet<String>,
    growth: Vec<Growth>,
    /// Names something shrinks, reassigns or exports (by name, whatever the scope: erring
    /// towards silence).
    released: HashSet<String>,
    /// (name, function span): a size check on `name.length`/`name.size` inside that function.
    caps: Vec<(String, ByteSpan)>,
    /// Local declarations: (name, span of the function that declares it).
    locals: Vec<(String, ByteSpan)>,
    /// Calls with an identifier argument, in a function: (callee, index, argument, span, caller).
    calls: Vec<(String, usize, String, ByteSpan, Site)>,
    /// Sites by function start, so that each function's text is read once.
    sites: HashMap<usize, Site>,
}

impl FileCheck for Checker {
    fn enter(&mut self, node: Node, cx: &FileCx, _sink: &mut Sink) {
        if cx.is_test {
            return;
        }
        match node.k() {
            "variable_declarator" => self.declaration(node, cx),
            "call_expression" => self.call(node, cx),
            "assignment_expression" | "augmented_assignment_expression" => {
                self.assignment(node, cx)
            }
            "unary_expression" => {
                // delete cache[key]
                let text = cx.text(node);
                if let Some(rest) = text.strip_prefix("delete ") {
                    let name: String = rest
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                        .collect();
                    self.released.insert(name);
                }
            }
            "binary_expression" => self.size_check(node, cx),
            // export { cache }, export default cache
            "export_statement" | "export_clause"
                if node.k() == "export_clause" || node.field("value").is_some() =>
            {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    let name = child.field("name").unwrap_or(child);
                    self.released.insert(cx.text(name).to_string());
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &FileCx, sink: &mut Sink) {
        if is_client_module(cx.src) || is_browser_module(cx.src) || is_one_shot(cx.path) {
            return;
        }
        // Growth through a parameter: `resolve(record, recordsInDB)` where `resolve` pushes into
        // its parameter (seed 002).
        let mut through_params = Vec::new();
        for (callee, index, argument, span, caller) in &self.calls {
            for g in &self.growth {
                let is_param = g.site.name == *callee
                    && g.site.params.get(*index).is_some_and(|p| *p == g.target);
                if is_param {
                    through_params.push(Growth {
                        target: argument.clone(),
                        via: Some(callee.clone()),
                        key: None,
                        key_text: None,
                        op: g.op,
                        span: span.clone(),
                        site: caller.clone(),
                    });
                }
            }
        }
        let sync_maps = matches!(
            cx.config.option(RULE.id, "sync-maps"),
            Some(OptionValue::Bool(true))
        );
        // In a command-line package the process ends with the command: how long the
        // collection lives is not known.
        let cli = cx
            .project
            .package_for(cx.path)
            .is_some_and(|p| crate::source::is_cli_package(&p.dependencies));
        let direct = self.growth.iter().filter(|g| !self.is_local(g));
        let mut reported = HashSet::new();
        for g in direct.chain(through_params.iter()) {
            let Some(collection) = self.collections.get(&g.target) else {
                continue;
            };
            // Filled by a function only this module's top level calls, and that no other module
            // can call (not exported): filled once, as the module loads.
            let at_load_only = g.via.is_none()
                && self.called_at_load.contains(&g.site.name)
                && !self.called_in_functions.contains(&g.site.name)
                && ![
                    "export function ",
                    "export async function ",
                    "export const ",
                ]
                .iter()
                .any(|e| cx.contains(&format!("{e}{}", g.site.name)));
            if at_load_only {
                continue;
            }
            let memo = matches!(collection.kind, Kind::Map | Kind::Object);
            if !collection.kind.grows_by(g.op)
                || collection.fixed_keys
                || (memo && !g.site.does_io && !g.site.per_request && !sync_maps)
                || g.site.registers
                || is_constant_case(&g.target)
                || g.site.not_per_request
                || g.site.per_locale
                || self.released.contains(&g.target)
                || self.ambiguous.contains(&g.target)
                || self.is_capped(g)
                || key_from_table(g, cx)
                || !reported.insert(g.target.clone())
            {
                continue;
            }
            // A script's or a command's process ends with the run: what it keeps is freed then.
            let known = grows_without_bound(collection.kind, g) && !cli && !cx.is_script;
            sink.report(
                diagnostic(&g.target, collection, g).guessed(!known),
                Vec::new(),
            );
        }
    }
}

/// Whether the growth is unbounded by what the code shows, not by a guess about its keys: an
/// array gains an element on every call; a map or set gains one per distinct key, so it grows
/// without bound only when its keys come from requests (the function takes a `req`/`ctx`, or the
/// key is read from one) or are identifiers of rows (`id`, `userId`, a URL, an address). Keys
/// such as `name` or `type` may come from a handful of configured values (queue names,
/// providers): medium.
fn grows_without_bound(kind: Kind, g: &Growth) -> bool {
    if kind == Kind::Array || g.site.per_request {
        return true;
    }
    let Some(key) = g.key_text.as_deref() else {
        return false;
    };
    let from_request = ["req.", "request.", "ctx.", "context.", "event."]
        .iter()
        .any(|p| key.starts_with(p));
    from_request
        || g.key
            .as_deref()
            .is_some_and(|k| is_identifier_name(k) && !is_tenant_key(k))
}

/// A key that names a tenant (`teamId`, `org_id`, `workspaceId`, `customerId`): one entry per
/// team or customer grows with the number of tenants, which is bounded and mostly small; only a
/// guess says whether that matters.
fn is_tenant_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('_', "");
    let Some(stem) = lower.strip_suffix("id") else {
        return false;
    };
    matches!(
        stem,
        "team"
            | "org"
            | "organization"
            | "organisation"
            | "workspace"
            | "tenant"
            | "account"
            | "customer"
            | "company"
    )
}

/// A name that holds one row's identifier or one address: `id`, `userId`, `user_id`, `url`.
fn is_identifier_name(name: &str) -> bool {
    name == "id"
        || name.ends_with("Id")
        || name.ends_with("ID")
        || name.ends_with("_id")
        || matches!(
            name,
            "url" | "uri" | "href" | "email" | "ip" | "address" | "token" | "hash" | "fingerprint"
        )
}

fn diagnostic(name: &str, collection: &Collection, g: &Growth) -> Diagnostic {
    let kind = collection.kind.as_str();
    let op = match g.op {
        _ if g.via.is_some() => format!(
            "`{}` adds to it through its parameter",
            g.via.as_deref().unwrap_or_default()
        ),
        "[key] =" => format!("`{name}[key] = ...`"),
        "Object.assign" => format!("`Object.assign({name}, ...)`"),
        op => format!("`{name}.{op}`"),
    };
    let what = match collection.kind {
        Kind::Map | Kind::Object => "every key ever stored",
        Kind::Set => "every value ever added",
        Kind::Array => "every element ever pushed",
    };
    let message = format!(
        "module-level {kind} `{name}` grows on every call of `{}` ({op}) and nothing in this module removes from it: it keeps {what} until the process restarts",
        g.site.name
    );
    let help = match collection.kind {
        Kind::Array => format!(
            "cap it (drop or flush when `{name}.length` reaches a maximum) and empty it after use (`{name}.length = 0`, `splice`); if it is a cache, use an LRU (`new LRUCache({{ max }})` from lru-cache)"
        ),
        _ => format!(
            "bound it: an LRU (`new LRUCache({{ max: 1000 }})` from lru-cache), a size check that evicts (`if ({name}.size > MAX) {name}.delete(oldestKey)`), a TTL sweep that deletes expired keys, or a `WeakMap` when the keys are objects"
        ),
    };
    Diagnostic::new(RULE.id, collection.declaration.clone(), message)
        .with_help(help)
        .with_label(g.span.clone(), format!("grows here, in `{}`", g.site.name))
}

impl Checker {
    fn declaration(&mut self, node: Node, cx: &FileCx) {
        let Some(name) = node.field("name") else {
            return;
        };
        let name_text = cx.text(name).to_string();
        if !at_module_scope(cx) {
            if let Some(function) = innermost_function_node(cx) {
                self.locals.push((name_text, function.byte_range()));
            }
            return;
        }
        if name.k() != "identifier" {
            return;
        }
        if self.collections.contains_key(&name_text) {
            self.ambiguous.insert(name_text.clone());
        }
        let Some(value) = node.field("value") else {
            return;
        };
        let Some(kind) = collection_kind(value, cx) else {
            return;
        };
        let exported = cx
            .ancestors
            .iter()
            .rev()
            .take(3)
            .any(|a| a.k() == "export_statement");
        if exported {
            self.released.insert(name_text.clone());
        }
        let key_type = key_type(node, value, cx);
        self.collections.insert(
            name_text,
            Collection {
                kind,
                declaration: node.byte_range(),
                fixed_keys: key_type.is_some_and(|k| !OPEN_KEY_TYPES.contains(&k)),
            },
        );
    }

    fn call(&mut self, node: Node, cx: &FileCx) {
        let Some(args) = node.field("arguments") else {
            return;
        };
        if let Some((receiver, method, _)) = method_call(node, cx.src) {
            let receiver = unwrap_expression(receiver);
            let receiver_text = cx.text(receiver);
            if receiver.k() == "identifier" {
                if SHRINK_METHODS.contains(&method) {
                    self.released.insert(receiver_text.to_string());
                    return;
                }
                let op = match method {
                    "set" => Some("set"),
                    "add" => Some("add"),
                    "push" => Some("push"),
                    "unshift" => Some("unshift"),
                    _ => None,
                };
                if let Some(op) = op {
                    if op == "set" && is_fixed_key(args.named_child(0), cx) {
                        return;
                    }
                    self.grow(receiver_text, op, args.named_child(0), node, cx);
                    return;
                }
            }
            // Object.assign(cache, ...)
            if receiver_text == "Object" && method == "assign" {
                if let Some(target) = args.named_child(0).filter(|t| t.k() == "identifier") {
                    self.grow(cx.text(target), "Object.assign", None, node, cx);
                }
                return;
            }
        }
        // f(record, cache): remember for growth through parameters.
        let Some(callee) = node.field("function").filter(|f| f.k() == "identifier") else {
            return;
        };
        if at_module_scope(cx) {
            self.called_at_load.insert(cx.text(callee).to_string());
            return;
        }
        self.called_in_functions.insert(cx.text(callee).to_string());
        let mut cursor = args.walk();
        let passes_collection = args
            .named_children(&mut cursor)
            .any(|a| a.k() == "identifier" && self.collections.contains_key(cx.text(a)));
        if !passes_collection {
            return;
        }
        let Some(caller) = self.site(cx) else {
            return;
        };
        let mut cursor = args.walk();
        for (index, arg) in args.named_children(&mut cursor).enumerate() {
            if arg.k() == "identifier" && self.collections.contains_key(cx.text(arg)) {
                self.calls.push((
                    cx.text(callee).to_string(),
                    index,
                    cx.text(arg).to_string(),
                    node.byte_range(),
                    caller.clone(),
                ));
            }
        }
    }

    fn assignment(&mut self, node: Node, cx: &FileCx) {
        let Some(left) = node.field("left") else {
            return;
        };
        // module.exports = { cache }, exports.cache = cache: other modules may evict it.
        let left_text = cx.text(left);
        if left_text.starts_with("module.exports") || left_text.starts_with("exports.") {
            if let Some(right) = node.field("right") {
                for n in crate::analysis::walk::descendants(right, 200) {
                    if matches!(n.k(), "identifier" | "shorthand_property_identifier") {
                        self.released.insert(cx.text(n).to_string());
                    }
                }
            }
        }
        match left.k() {
            // cache = new Map(), cache = cache.filter(...)
            "identifier" => {
                self.released.insert(cx.text(left).to_string());
            }
            // list.length = 0
            "member_expression" => {
                if let Some(name) = cx.text(left).strip_suffix(".length") {
                    self.released.insert(name.to_string());
                }
            }
            // cache[key] = value
            "subscript_expression" => {
                let (Some(object), Some(index)) = (left.field("object"), left.field("index"))
                else {
                    return;
                };
                if object.k() == "identifier" && !is_fixed_key(Some(index), cx) {
                    self.grow(cx.text(object), "[key] =", Some(index), node, cx);
                }
            }
            _ => {}
        }
    }

    /// `cache.size > MAX`, `list.length >= LIMIT`: a cap on growth in the enclosing function.
    fn size_check(&mut self, node: Node, cx: &FileCx) {
        let Some(operator) = node.field("operator") else {
            return;
        };
        if !matches!(cx.text(operator), "<" | "<=" | ">" | ">=") {
            return;
        }
        let Some(function) = innermost_function_node(cx) else {
            return;
        };
        for side in ["left", "right"] {
            let Some(operand) = node.field(side) else {
                continue;
            };
            let text = cx.text(operand);
            let name = text
                .strip_suffix(".length")
                .or_else(|| text.strip_suffix(".size"));
            if let Some(name) = name {
                self.caps.push((name.to_string(), function.byte_range()));
            }
        }
    }

    fn grow(&mut self, target: &str, op: &'static str, key: Option<Node>, node: Node, cx: &FileCx) {
        // Filled while the module initialises (a lookup table, also from a one-shot callback such
        // as `fs.readdir(dir, (err, files) => ...)`), or walking a fixed list.
        if at_module_scope(cx) || in_load_time_callback(cx) || over_fixed_list(cx) {
            return;
        }
        let Some(site) = self.site(cx) else {
            return;
        };
        let key_text = key.map(|k| cx.text(unwrap_expression(k)).to_string());
        let key = key
            .map(unwrap_expression)
            .filter(|k| k.k() == "identifier")
            .map(|k| cx.text(k).to_string());
        self.growth.push(Growth {
            target: target.to_string(),
            via: None,
            key,
            key_text,
            op,
            span: node.byte_range(),
            site,
        });
    }

    /// The function the walk is in, computed once per function (its flags read its text).
    fn site(&mut self, cx: &FileCx) -> Option<Site> {
        let function = innermost_function_node(cx)?;
        if let Some(site) = self.sites.get(&function.start_byte()) {
            return Some(site.clone());
        }
        let site = innermost_function(cx)?;
        self.sites.insert(function.start_byte(), site.clone());
        Some(site)
    }

    /// Whether the growth is on a parameter or a local variable of an enclosing function.
    fn is_local(&self, g: &Growth) -> bool {
        g.site.params.contains(&g.target)
            || self.locals.iter().any(|(name, scope)| {
                *name == g.target && scope.start <= g.span.start && g.span.end <= scope.end
            })
    }

    fn is_capped(&self, g: &Growth) -> bool {
        self.caps
            .iter()
            .any(|(name, scope)| *name == g.target && *scope == g.site.span)
    }
}

/// Whether the growing function looks its key up in a constant table of the module first
/// (`const loader = jobLoaders[name]; ... cache.set(name, job)`): the keys are the table's.
fn key_from_table(g: &Growth, cx: &FileCx) -> bool {
    let Some(key) = &g.key else { return false };
    let function = &cx.src[g.site.span.clone()];
    cx.literal_consts
        .iter()
        .filter(|table| **table != g.target)
        .any(|table| function.contains(&format!("{table}[{key}")))
}

/// Whether the current node runs once per element of a literal list (`for (const m of
/// ["a", "b"])`, `MODULES.forEach(...)`), in the innermost function or the callbacks around it.
/// Calls that run their callback once: reading files and timers started at module load.
const ONE_SHOT_CALLS: &[&str] = &[
    "readdir",
    "readFile",
    "stat",
    "lstat",
    "access",
    "exists",
    "glob",
    "setTimeout",
    "setImmediate",
    "nextTick",
    "then",
    "once",
];

/// Whether the walk is in callbacks that run once while the module loads:
/// `fs.readdir(dir, (err, files) => files.forEach((f) => names.push(f)))` at module scope.
fn in_load_time_callback(cx: &FileCx) -> bool {
    let n = cx.ancestors.len();
    let mut seen_callback = false;
    for i in (0..n).rev() {
        let node = cx.ancestors[i];
        match node.k() {
            "arrow_function" | "function_expression" | "function" => {}
            "function_declaration"
            | "method_definition"
            | "class_body"
            | "generator_function_declaration" => return false,
            _ => continue,
        }
        // A callback: `f(..., fn)` or `x.f(..., fn)`.
        let call = (i >= 2 && cx.ancestors[i - 1].k() == "arguments")
            .then(|| cx.ancestors[i - 2])
            .filter(|c| c.k() == "call_expression");
        let Some(call) = call else {
            return false;
        };
        let Some(function) = call.field("function") else {
            return false;
        };
        let callee = cx.text(function);
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let per_element = matches!(last, "forEach" | "map" | "filter" | "flatMap" | "reduce");
        if !(per_element || ONE_SHOT_CALLS.contains(&last)) {
            return false;
        }
        seen_callback = true;
    }
    seen_callback
}

fn over_fixed_list(cx: &FileCx) -> bool {
    for frame in cx.frames.iter().rev() {
        let iteration = match frame {
            Frame::Loop { iteration, .. } => iteration,
            Frame::Function {
                per_element: Some(iteration),
                ..
            } => iteration,
            Frame::Function {
                transparent: true, ..
            } => continue,
            Frame::Function { .. } | Frame::Class { .. } => return false,
        };
        let Some(collection) = iteration.collection.map(unwrap_expression) else {
            continue;
        };
        if is_literal_collection(collection)
            || (collection.k() == "identifier" && cx.literal_consts.contains(cx.text(collection)))
        {
            return true;
        }
    }
    false
}

/// Key types whose values are unbounded.
const OPEN_KEY_TYPES: &[&str] = &[
    "string",
    "number",
    "any",
    "unknown",
    "bigint",
    "symbol",
    "PropertyKey",
    "string | number",
    "number | string",
    "object",
];

/// The key type of a collection declaration, from `new Map<K, V>()`, `: Map<K, V>`,
/// `: Record<K, V>` or `: Partial<Record<K, V>>`.
fn key_type<'t>(declarator: Node<'t>, value: Node<'t>, cx: &FileCx<'t>) -> Option<&'t str> {
    let value = unwrap_expression(value);
    if value.k() == "new_expression" {
        if let Some(args) = value.field("type_arguments") {
            return first_argument_text(cx.text(args));
        }
    }
    let annotation = declarator.field("type")?;
    let text = cx.text(annotation).trim_start_matches(':').trim();
    let inner = text.strip_prefix("Partial<").unwrap_or(text);
    ["Record<", "Map<", "Set<"]
        .iter()
        .any(|t| inner.starts_with(t))
        .then(|| first_argument_text(inner))
        .flatten()
}

/// `K` in `<K, V>` or `Record<K, V>`: the text up to the first top-level comma or bracket.
fn first_argument_text(text: &str) -> Option<&str> {
    let start = text.find('<')? + 1;
    let rest = text.get(start..)?;
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' | ')' | ']' | '}' if depth == 0 => return rest.get(..i).map(str::trim),
            '>' | ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return rest.get(..i).map(str::trim),
            _ => {}
        }
    }
    None
}

/// Code that runs in a browser: a cache there lives as long as a tab, not a server.
fn is_browser_module(src: &str) -> bool {
    ["window.", "document.", "localStorage."]
        .iter()
        .any(|m| src.contains(m))
        || BROWSER_STATE_LIBRARIES.iter().any(|lib| {
            src.contains(&format!("from '{lib}'")) || src.contains(&format!("from \"{lib}\""))
        })
}

/// Client state libraries: a module that builds a store with one holds the browser tab's state
/// (civitai's zustand resource cache), for as long as the tab lives.
const BROWSER_STATE_LIBRARIES: &[&str] = &["zustand", "jotai", "valtio", "nanostores"];

/// One-shot programs and build configuration: their process ends with the work.
fn is_one_shot(path: &std::path::Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.contains(".config.")
        || path
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("scripts" | "script" | "bin")))
}

/// `new Map()`, `new Set()`, `[]`, `{}` or `Object.create(null)`, as written at module scope.
fn collection_kind(value: Node, cx: &FileCx) -> Option<Kind> {
    let value = unwrap_expression(value);
    match value.k() {
        "new_expression" => {
            let constructor = value.field("constructor")?;
            match cx.text(constructor) {
                "Map" => Some(Kind::Map),
                "Set" => Some(Kind::Set),
                _ => None,
            }
        }
        "array" => (value.named_child_count() == 0).then_some(Kind::Array),
        "object" => (value.named_child_count() == 0).then_some(Kind::Object),
        "call_expression" => (cx.text(value) == "Object.create(null)").then_some(Kind::Object),
        _ => None,
    }
}

/// A key from a fixed set: a literal, a `CONSTANT`, or an enum-like member (`Kind.Text`).
fn is_fixed_key(key: Option<Node>, cx: &FileCx) -> bool {
    let Some(key) = key.map(unwrap_expression) else {
        return true;
    };
    let text = cx.text(key);
    match key.k() {
        "string" | "number" | "true" | "false" => true,
        "template_string" => !text.contains("${"),
        "identifier" => is_constant_case(text),
        "member_expression" => key
            .field("object")
            .is_some_and(|o| o.k() == "identifier" && cx.text(o).starts_with(char::is_uppercase)),
        _ => false,
    }
}

fn is_constant_case(name: &str) -> bool {
    name.len() >= 2
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The innermost function node around the walk.
fn innermost_function_node<'t>(cx: &FileCx<'t>) -> Option<Node<'t>> {
    cx.ancestors
        .iter()
        .rev()
        .find(|a| is_function(a.k()))
        .copied()
}

/// The function the walk is in: its span, name and parameters.
fn innermost_function(cx: &FileCx) -> Option<Site> {
    let n = cx.ancestors.len();
    let i = (0..n).rev().find(|&i| is_function(cx.ancestors[i].k()))?;
    let function = cx.ancestors[i];
    let name = function
        .field("name")
        .map(|n| cx.text(n).to_string())
        .or_else(|| {
            let parent = cx.ancestors.get(i.checked_sub(1)?)?;
            let named = match parent.k() {
                "variable_declarator" => parent.field("name"),
                "pair" => parent.field("key"),
                "assignment_expression" => parent.field("left"),
                _ => None,
            }?;
            Some(cx.text(named).to_string())
        })
        .unwrap_or_else(|| "an anonymous function".to_string());
    let not_per_request = cx.ancestors[..=i].iter().any(|a| {
        is_function(a.k())
            && a.field("name").is_some_and(|n| {
                let name = cx.text(n);
                name.starts_with("__") || name.starts_with(|c: char| c.is_ascii_uppercase())
            })
    }) || name.starts_with("__")
        || name.starts_with(|c: char| c.is_ascii_uppercase());
    let text = cx.text(function);
    // Keyed by locale, or a cache of files read from disk: bounded by what ships.
    let per_locale = text.contains("new Intl.")
        || text.contains("readFile")
        || text.contains("locale")
        || text.contains("Locale")
        || text.contains("language");
    let does_io = text.contains("await ") || text.contains(".then(");
    let registers = name.starts_with("register") || name.starts_with("define");
    let params: Vec<String> = parameters(function, cx.src)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let per_request = params
        .iter()
        .any(|p| matches!(p.as_str(), "req" | "request" | "ctx" | "context"));
    Some(Site {
        span: function.byte_range(),
        does_io,
        registers,
        per_request,
        name,
        params,
        not_per_request,
        per_locale,
    })
}

/// Whether a line starts (unindented) with a declaration of a collection: `const cache = new
/// Map()`, `export let buffer = []`, `var seen = {}`. Module-level declarations are unindented in
/// almost all code; this keeps files without one from being parsed for this rule.
fn declares_module_collection(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some(rest) = ["const ", "let ", "var "]
            .iter()
            .find_map(|k| line.strip_prefix(k))
        else {
            return false;
        };
        let Some((_, value)) = rest.split_once('=') else {
            return false;
        };
        let value = value.trim_start();
        [
            "new Map",
            "new Set",
            "[]",
            "{}",
            "Object.create(null)",
            "[ ]",
            "{ }",
        ]
        .iter()
        .any(|start| value.starts_with(start))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fails, assert_passes, lint};

    #[test]
    fn fail() {
        let cases = [
            // memoisation with no eviction
            "const cache = new Map(); export async function getUser(id) { if (cache.has(id)) return cache.get(id); const u = await load(id); cache.set(id, u); return u; }",
            // callbacks that run again and again, even when registered at module load
            "import fs from 'fs'; const changed = []; fs.watch(dir, (event, file) => { changed.push(file); });",
            "import express from 'express'; const app = express(); const ips = []; app.get('/', (req, res) => { ips.push(req.ip); res.end(); });",
            // seed 003: an audit buffer that is pushed and never drained
            "const auditLogBuffer = []; export function logRequestAudit(entry) { auditLogBuffer.push(entry); }",
            "const seen = new Set(); export function track(id) { seen.add(id); }",
            // a filler the top level calls, and a handler too
            "const ips = []; function note(ip) { ips.push(ip); } note('127.0.0.1'); export function handle(req) { note(req.ip); }",
            // a rate limiter keyed by client address, never pruned
            "const hits = new Map<string, number[]>(); export function rateLimit() { return (req, res, next) => { const key = req.ip ?? 'unknown'; const recent = hits.get(key) ?? []; recent.push(Date.now()); hits.set(key, recent); next(); }; }",
            "const byUser = new Map<string, object>(); export async function track(id: string) { byUser.set(id, await load(id)); }",
            "const byUser: Record<string, object> = {}; export async function track(id: string) { byUser[id] = await load(id); }",
            "const byId = {}; export async function remember(id) { byId[id] = await load(id); }",
            "let registry = Object.create(null); export const put = async (k) => { registry[k] = await fetchIt(k); };",
            // seed 002: a module-level array passed to a function that pushes into its parameter
            "let recordsInDB = []; function resolveRecords(record, recordsInDB) { recordsInDB.push(record); } export async function handler(r) { resolveRecords(r, recordsInDB); }",
            "const sessions = new Map(); app.post('/login', async (req, res) => { sessions.set(req.body.user, await login(req)); res.end(); });",
        ];
        for case in cases {
            assert_fails(case);
        }
    }

    #[test]
    fn pass() {
        let cases = [
            // a client store's cache (zustand): the browser tab's state
            "import { create } from 'zustand'; const byId = new Map(); export async function load(id) { byId.set(id, await fetch(id)); }",
            // filled by a helper only the module's top level calls (civitai's route guards)
            "const guards = []; function addGuard(g) { guards.push(g); } addGuard({ a: 1 }); addGuard({ b: 2 }); export function check(req) { return guards.every((g) => g.ok(req)); }",
            // evicted
            "const cache = new Map(); export function get(k) { cache.set(k, 1); if (cache.size > 100) cache.delete(cache.keys().next().value); }",
            "const cache = new Map(); export function put(k, v) { cache.set(k, v); } export function drop(k) { cache.delete(k); }",
            "const queue = []; export function add(x) { queue.push(x); } setInterval(() => { const batch = queue.splice(0, 100); flush(batch); }, 1000);",
            "let pending = []; export function add(x) { pending.push(x); } export function flush() { const b = pending; pending = []; return b; }",
            "const buf = []; export function add(x) { buf.push(x); if (buf.length > 10) send(buf.splice(0)); }",
            "const q = []; export function add(x) { q.push(x); } export function reset() { q.length = 0; }",
            // filled once at load by a one-shot callback
            "import fs from 'fs'; const names = []; fs.readdir(dir, (err, files) => { if (!err) files.forEach((f) => names.push(f)); });",
            "const o = {}; export function put(k, v) { o[k] = v; } export function del(k) { delete o[k]; }",
            // capped growth
            "const recent = []; export function add(x) { if (recent.length < 1000) recent.push(x); }",
            // WeakMap
            "const meta = new WeakMap(); export function tag(o) { meta.set(o, 1); }",
            // filled while the module loads
            "const handlers = new Map(); handlers.set('a', fa); handlers.set('b', fb); export function run(k) { return handlers.get(k)(); }",
            "const list = []; for (const x of [1, 2]) list.push(x);",
            // fixed keys
            "const state = {}; export function setReady() { state['ready'] = true; } export function setMode(m) { state[MODE] = m; }",
            // keys typed as an enum or union
            "const received = new Set<TaskInterval>(); export const handler = async (ctx) => { received.add(ctx.period); };",
            "const lastWarnedAt: Partial<Record<WarningReason, number>> = {}; export const warn = (r: WarningReason) => { lastWarnedAt[r] = Date.now(); };",
            // per-locale formatters
            "const formatters = new Map<string, Intl.DateTimeFormat>(); export function fmt(locale: string) { let f = formatters.get(locale); if (!f) { f = new Intl.DateTimeFormat(locale); formatters.set(locale, f); } return f; }",
            // decorators run when a class is defined
            "const fields = new Map(); export default function Field(target, key) { fields.set(target.name + key, true); }",
            // filled by a callback run while the module loads
            "const tags = []; manifest.files.forEach((f) => { tags.push(f); });",
            // memoized computations (no I/O): keyed by call sites, servers, configured items
            "const callerCache = new Map(); export const caller = (stack: string) => { const k = stack.split('\\n')[2]; callerCache.set(k, parse(k)); };",
            "const lastKeyIds = new Map<number, number>(); export function roundRobin(serverId: number, keys: { id: number }[]) { lastKeyIds.set(serverId, keys[0].id); }",
            // registries
            "const REGISTRY = new Map(); export async function defineChecker(def) { REGISTRY.set(def.type, await def.load()); }",
            "const checkers = new Map(); export function registerChecker(def) { checkers.set(def.type, def); }",
            // keys checked against a constant table first
            "const loaders = { a: () => 1, b: () => 2 }; const jobs = new Map(); export async function load(name) { const l = loaders[name]; if (!l) return; jobs.set(name, await l()); }",
            // keys from a fixed list
            "const ns = Object.create(null); function load() { const modules = ['a', 'b']; modules.forEach((m) => { ns[m] = require('./' + m); }); }",
            // a cache of files read from disk
            "const templates = {}; export async function tpl(name) { if (!templates[name]) templates[name] = await fs.promises.readFile(name, 'utf8'); return templates[name]; }",
            // browser code
            "const urlCache = {}; export function parseUrl(u) { urlCache[u] = document.createElement('a'); }",
            "const counters = new Map(); export function hit() { counters.set('hits', (counters.get('hits') ?? 0) + 1); }",
            // local collections
            "export function f(xs) { const out = []; for (const x of xs) out.push(x); return out; }",
            "const cache = new Map(); export function f(cache) { cache.set(1, 2); }",
            // exported: other modules may evict
            "export const cache = new Map(); export function put(k, v) { cache.set(k, v); }",
            "const cache = {}; function put(k, v) { cache[k] = v; } module.exports = { cache, put };",
            "const cache = new Map(); export function put(k, v) { cache.set(k, v); } export { cache };",
            // a client module
            "'use client'; const cache = new Map(); export function put(k, v) { cache.set(k, v); }",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn message_names_collection_and_function() {
        let found = lint(
            "const cache = new Map(); export async function getUser(id) { const u = await load(id); cache.set(id, u); return u; }",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "module-level Map `cache` grows on every call of `getUser` (`cache.set`) and nothing in this module removes from it: it keeps every key ever stored until the process restarts"
        );
        assert_eq!(found[0].labels[0].message, "grows here, in `getUser`");
        let found = lint(
            "let recordsInDB = []; function resolveRecords(record, recordsInDB) { recordsInDB.push(record); } export async function handler(r) { resolveRecords(r, recordsInDB); }",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "module-level array `recordsInDB` grows on every call of `handler` (`resolveRecords` adds to it through its parameter) and nothing in this module removes from it: it keeps every element ever pushed until the process restarts"
        );
    }

    #[test]
    fn confidence_rests_on_where_keys_come_from() {
        use crate::diagnostic::Confidence::{High, Medium};
        let tier = |src: &str| -> Vec<_> { lint(src).into_iter().map(|d| d.confidence).collect() };
        // Every call adds an element.
        assert_eq!(
            tier("const buf = []; export function log(entry) { buf.push(entry); }"),
            [High]
        );
        // Keys that identify rows, or come from a request.
        assert_eq!(
            tier("const c = new Map(); export async function get(userId) { c.set(userId, await load(userId)); }"),
            [High]
        );
        assert_eq!(
            tier("const c = new Map(); export async function hit(r) { c.set(req.ip, await load(r)); }"),
            [High]
        );
        assert_eq!(
            tier("const c = new Map(); app.get('/', async (req, res) => { c.set(req.query.q, await load(req)); });"),
            [High]
        );
        // A queue or provider name may come from a few configured values: a guess.
        assert_eq!(
            tier("const queues = new Map(); export async function getQueue(name) { queues.set(name, await connect(name)); }"),
            [Medium]
        );
        // In a script, whose process ends with the run: a guess.
        let script = crate::rules::test_support::lint_with(
            "const buf = []; export function log(entry) { buf.push(entry); }",
            None,
            &crate::config::Config::default(),
            "front/cli/check_translations.js",
        );
        assert_eq!(
            script.iter().map(|d| d.confidence).collect::<Vec<_>>(),
            [Medium]
        );
        // One entry per team or customer: bounded by the number of tenants, a guess.
        for key in [
            "teamId",
            "org_id",
            "workspaceId",
            "customerId",
            "organizationID",
        ] {
            assert_eq!(
                tier(&format!("const c = new Map(); export async function rate({key}) {{ c.set({key}, await load({key})); }}")),
                [Medium],
                "{key}"
            );
        }
        // Not tenants: a user, a session, a document.
        assert_eq!(
            tier("const c = new Map(); export async function get(documentId) { c.set(documentId, await load(documentId)); }"),
            [High]
        );
    }
}
