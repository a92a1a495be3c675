//! Small named predicates over tree-sitter nodes, and the scope and fact bookkeeping the walk does
//! for every rule.

use super::walk::{descendants, visit_subtree};
use super::{FileCx, Frame, Iteration};
use crate::analysis::node::NodeExt;
use crate::diagnostic::ByteSpan;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Array methods whose callback runs once per element.
pub const ITERATION_METHODS: &[&str] = &[
    "map", "forEach", "flatMap", "reduce", "filter", "some", "every",
];

/// Type names that say a value is a Prisma client or transaction client.
const PRISMA_TYPE_MARKERS: &[&str] = &[
    "PrismaClient",
    "TransactionClient",
    "PrismaService",
    "PrismaTransaction",
    "PrismaTx",
];

/// How many nodes a small question about a subtree may look at.
const SUBTREE_LIMIT: usize = 400;

/// The text of `src` between two byte offsets, or `""` when they do not hold (out of order, past
/// the end, inside a character, as offsets from a tree with syntax errors can be). Rule code
/// takes text between nodes only through this or `FileCx::text` (a meta-test checks).
pub fn text_between(src: &str, start: usize, end: usize) -> &str {
    src.get(start..end).unwrap_or("")
}

/// How deep a helper that descends expressions (filters, conditions, clones, SQL) goes before it
/// stops: deeper input is not judged (the helper answers "nothing to report"). Real code nests a
/// few levels; hostile input nests tens of thousands, which would overflow the stack.
pub const MAX_NESTING: usize = 100;

thread_local! {
    /// Whether a helper stopped at [`MAX_NESTING`] in the file being analysed on this thread.
    static TOO_DEEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Called by a helper that stops at [`MAX_NESTING`]: part of this file was not judged, which
/// `--verbose` says ([`take_too_deep`]).
pub fn not_judged_too_deep() {
    TOO_DEEP.with(|flag| flag.set(true));
}

/// Whether a helper stopped at [`MAX_NESTING`] since the last call, on this thread.
pub fn take_too_deep() -> bool {
    TOO_DEEP.with(|flag| flag.replace(false))
}

pub fn is_loop(kind: &str) -> bool {
    matches!(
        kind,
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
    )
}

pub fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function"
            | "function_expression"
            | "function"
            | "function_declaration"
            | "generator_function"
            | "generator_function_declaration"
            | "method_definition"
    )
}

pub fn is_class(kind: &str) -> bool {
    matches!(
        kind,
        "class_declaration" | "class" | "abstract_class_declaration"
    )
}

/// Whether a type annotation or expression names a Prisma client type.
pub fn mentions_prisma_type(text: &str) -> bool {
    PRISMA_TYPE_MARKERS.iter().any(|m| text.contains(m))
}

/// Strips wrappers that do not change which value an expression is: parentheses, `await`, `as`,
/// `satisfies`, `!`.
pub fn unwrap_expression(mut node: Node) -> Node {
    loop {
        let inner = match node.k() {
            "parenthesized_expression" | "await_expression" | "non_null_expression" => {
                node.named_child(0)
            }
            "as_expression" | "satisfies_expression" => node.named_child(0),
            _ => None,
        };
        match inner {
            Some(inner) => node = inner,
            None => return node,
        }
    }
}

/// The text of a string literal without its quotes.
pub fn string_value<'t>(node: Node, src: &'t str) -> Option<&'t str> {
    if node.k() != "string" {
        return None;
    }
    let text = &src[node.byte_range()];
    text.get(1..text.len().saturating_sub(1))
}

/// `receiver.method(...)`: the callee's object, the method name and the argument list.
/// What a call calls. tree-sitter-typescript reads `await q.select<Row>('a')` as
/// `(await q.select)<Row>('a')`: with type arguments, an `await` around the member is looked
/// through (the `await` applies to the whole call).
pub fn call_target(call: Node) -> Option<Node> {
    let callee = call.field("function")?;
    if callee.k() == "await_expression" && call.field("type_arguments").is_some() {
        return callee
            .named_child(0)
            .filter(|m| m.k() == "member_expression");
    }
    Some(callee)
}

pub fn method_call<'t>(call: Node<'t>, src: &'t str) -> Option<(Node<'t>, &'t str, Node<'t>)> {
    if call.k() != "call_expression" {
        return None;
    }
    let callee = call_target(call)?;
    if callee.k() != "member_expression" {
        return None;
    }
    let object = callee.field("object")?;
    let property = callee.field("property")?;
    let args = call.field("arguments")?;
    Some((object, &src[property.byte_range()], args))
}

/// The value a `const` (or a `let` not reassigned before `at`) named `name` is declared with, in a
/// block that encloses `at` (the function's or the module's), before it.
///
/// Linear in the file: a block of more than [`INDEXED_BLOCK`] statements has its declarators
/// indexed by name when the walk enters it, and where names are reassigned is found in one pass
/// over the source ([`TextIndex`]), so a loop body of 8,000 statements is not rescanned for
/// each of its queries.
pub fn declared_value<'t>(name: &str, at: Node<'t>, cx: &FileCx<'t>) -> Option<Node<'t>> {
    let blocks = cx
        .ancestors
        .iter()
        .rev()
        .filter(|b| matches!(b.k(), "statement_block" | "program"));
    for block in blocks {
        let found = match cx.declarations.get(&block.id()) {
            Some(index) => index.get(name).copied(),
            None => block_declarators(*block)
                .take_while(|(statement, _)| statement.start_byte() < at.start_byte())
                .find(|(_, declarator)| {
                    declarator
                        .field("name")
                        .is_some_and(|n| n.k() == "identifier" && cx.text(n) == name)
                }),
        }
        .filter(|(statement, _)| statement.start_byte() < at.start_byte());
        if let Some((statement, declarator)) = found {
            let reassigned =
                cx.text_index
                    .assigned_between(name, statement.end_byte(), at.start_byte(), cx.src);
            return declarator
                .field("value")
                .filter(|_| !reassigned)
                .map(unwrap_expression);
        }
    }
    None
}

/// The object literal an expression stands for: the literal itself, or a `const`/`let` the walk
/// can see that holds one (`include: { versions: latestVersion }` with `const latestVersion =
/// { take: 1 }` above), followed through a few names. `None` for anything else.
pub fn resolve_object<'t>(node: Node<'t>, cx: &FileCx<'t>) -> Option<Node<'t>> {
    let mut node = unwrap_expression(node);
    for _ in 0..4 {
        match node.k() {
            "object" => return Some(node),
            "identifier" | "shorthand_property_identifier" => {
                node = declared_value(cx.text(node), node, cx)?
            }
            _ => return None,
        }
    }
    None
}

/// Blocks with more statements than this get their declarators indexed (see
/// [`declared_value`]); smaller ones are scanned.
pub const INDEXED_BLOCK: usize = 32;

/// Name -> its first declarator directly in a block, with its statement.
pub type Declarations<'t> = HashMap<&'t str, (Node<'t>, Node<'t>)>;

fn index_declarations<'t>(block: Node<'t>, src: &'t str) -> Declarations<'t> {
    let mut index = Declarations::new();
    for (statement, declarator) in block_declarators(block) {
        if let Some(name) = declarator.field("name").filter(|n| n.k() == "identifier") {
            let name = text_between(src, name.start_byte(), name.end_byte());
            index.entry(name).or_insert((statement, declarator));
        }
    }
    index
}

/// Questions about the whole source text that rules ask again and again (once per query, per
/// call), answered from one pass over the source per question and kept for the file: "is this
/// string in the file", "is `NAME.push(` in the file", "is `name =` between these offsets".
#[derive(Default)]
pub struct TextIndex {
    /// Needle -> whether the source holds it.
    contains: RefCell<HashMap<String, bool>>,
    /// (prefix, suffix) -> the words `w` for which `{prefix}{w}{suffix}` occurs, `w` whole.
    named: RefCell<HashMap<(String, String), HashSet<String>>>,
    /// Word -> (start of the word, end of the ` =` or ` +=` after it), in order.
    assigned: std::cell::OnceCell<HashMap<String, Vec<(usize, usize)>>>,
    /// Word -> what follows each `word = ` and `word: `, up to the end of the line or a `;`.
    statements: std::cell::OnceCell<HashMap<String, Vec<(usize, usize)>>>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Where the word that ends at `end` starts, if one does.
fn word_start_before(src: &str, end: usize) -> Option<usize> {
    text_between(src, 0, end)
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map(|(i, _)| i)
}

impl TextIndex {
    /// Whether `src` holds `needle`.
    pub fn contains(&self, needle: &str, src: &str) -> bool {
        if let Some(found) = self.contains.borrow().get(needle) {
            return *found;
        }
        let found = src.contains(needle);
        self.contains.borrow_mut().insert(needle.to_string(), found);
        found
    }

    /// Whether `{prefix}{name}{suffix}` occurs in `src` with `name` a whole word (`Users.push(`
    /// is not `sers.push(`).
    pub fn named(&self, prefix: &str, name: &str, suffix: &str, src: &str) -> bool {
        let key = (prefix.to_string(), suffix.to_string());
        if let Some(words) = self.named.borrow().get(&key) {
            return words.contains(name);
        }
        let mut words = HashSet::new();
        if !suffix.is_empty() {
            for (at, _) in src.match_indices(suffix) {
                let Some(start) = word_start_before(src, at) else {
                    continue;
                };
                if text_between(src, 0, start).ends_with(prefix) {
                    words.insert(text_between(src, start, at).to_string());
                }
            }
        }
        let found = words.contains(name);
        self.named.borrow_mut().insert(key, words);
        found
    }

    /// What follows each `name = ` and `name: ` (`name` a whole word) up to the end of the line
    /// or a `;`.
    pub fn assignments<'s>(&self, name: &str, src: &'s str) -> Vec<&'s str> {
        let statements = self.statements.get_or_init(|| {
            let mut statements: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
            // Where each statement ends, found once: a long line with many `key: value` pairs
            // is not rescanned from each of them.
            let stops: Vec<usize> = src.match_indices([';', '\n']).map(|(at, _)| at).collect();
            for (at, op) in src.match_indices(" = ").chain(src.match_indices(": ")) {
                let Some(start) = word_start_before(src, at) else {
                    continue;
                };
                let from = at + op.len();
                let end = stops
                    .get(stops.partition_point(|stop| *stop < from))
                    .copied()
                    .unwrap_or(src.len());
                statements
                    .entry(text_between(src, start, at).to_string())
                    .or_default()
                    .push((at + op.len(), end));
            }
            statements
        });
        statements
            .get(name)
            .map(|list| {
                list.iter()
                    .map(|(start, end)| text_between(src, *start, *end))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `name =` or `name +=` (an assignment, or `==`, `=>`; not `xname =`) lies wholly
    /// between `start` and `end`.
    pub fn assigned_between(&self, name: &str, start: usize, end: usize, src: &str) -> bool {
        if start > end || src.get(start..end).is_none() {
            return false;
        }
        let places = self.assigned.get_or_init(|| {
            let mut places: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
            for (at, tail) in src.match_indices(" =").chain(src.match_indices(" +=")) {
                if let Some(start) = word_start_before(src, at) {
                    places
                        .entry(text_between(src, start, at).to_string())
                        .or_default()
                        .push((start, at + tail.len()));
                }
            }
            for list in places.values_mut() {
                list.sort_unstable();
            }
            places
        });
        let Some(list) = places.get(name) else {
            return false;
        };
        // The first place at or after `start` ends first among those that follow.
        let first = list.partition_point(|(at, _)| *at < start);
        list.get(first).is_some_and(|(_, stop)| *stop <= end)
    }
}

/// The first argument of a call, when it is an object literal.
pub fn first_object_argument(args: Node) -> Option<Node> {
    let first = args.named_child(0)?;
    (first.k() == "object").then_some(first)
}

/// The value of `key: value` in an object literal, or the identifier of a `{ key }` shorthand.
pub fn property<'t>(object: Node<'t>, key: &str, src: &str) -> Option<Node<'t>> {
    let mut cursor = object.walk();
    for child in object.named_children(&mut cursor) {
        match child.k() {
            "pair" => {
                let k = child.field("key")?;
                if property_key(k, src) == Some(key) {
                    return child.field("value");
                }
            }
            "shorthand_property_identifier" if &src[child.byte_range()] == key => {
                return Some(child)
            }
            _ => {}
        }
    }
    None
}

/// A property key as written, without quotes.
pub fn property_key<'t>(key: Node, src: &'t str) -> Option<&'t str> {
    match key.k() {
        "property_identifier" | "number" => Some(&src[key.byte_range()]),
        "string" => string_value(key, src),
        // `[Op.or]`: the operator's name.
        "computed_property_name" => key.named_child(0).map(|k| &src[k.byte_range()]),
        _ => None,
    }
}

/// The `key: value` pairs and `{ key }` shorthands of an object literal, as (key, value node).
pub fn properties<'t>(object: Node<'t>, src: &'t str) -> Vec<(&'t str, Node<'t>)> {
    let mut out = Vec::new();
    let mut cursor = object.walk();
    for child in object.named_children(&mut cursor) {
        match child.k() {
            "pair" => {
                let key = child.field("key");
                let value = child.field("value");
                if let (Some(key), Some(value)) = (key, value) {
                    if let Some(key) = property_key(key, src) {
                        out.push((key, value));
                    }
                }
            }
            "shorthand_property_identifier" => out.push((&src[child.byte_range()], child)),
            _ => {}
        }
    }
    out
}

/// All `key: value` pairs anywhere under `node` (bounded), as (key, value node).
pub fn nested_pairs<'t>(node: Node<'t>, src: &'t str) -> Vec<(&'t str, Node<'t>)> {
    descendants(node, SUBTREE_LIMIT)
        .into_iter()
        .filter(|n| n.k() == "object")
        .flat_map(|o| properties(o, src))
        .collect()
}

/// The identifiers a binding pattern declares (`x`, `{ a, b: c }`, `[d, ...e]`), skipping default
/// values and type annotations. Walked with a cursor and bounded like every subtree question.
pub fn pattern_names(pattern: Node, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    visit_subtree(pattern, SUBTREE_LIMIT, |node, field| {
        if matches!(field, Some("right" | "value" | "type" | "key")) {
            return false;
        }
        if matches!(
            node.k(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) {
            out.push(src[node.byte_range()].to_string());
        }
        true
    });
    out
}

/// Parameter names of a function node, with each parameter's type annotation text, if any.
pub fn parameters<'t>(function: Node<'t>, src: &'t str) -> Vec<(String, Option<&'t str>)> {
    if let Some(single) = function.field("parameter") {
        return vec![(src[single.byte_range()].to_string(), None)];
    }
    let Some(params) = function.field("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = params.walk();
    for param in params.named_children(&mut cursor) {
        let (pattern, ty) = match param.k() {
            "required_parameter" | "optional_parameter" => (
                param.field("pattern"),
                param.field("type").map(|t| &src[t.byte_range()]),
            ),
            "comment" => continue,
            _ => (Some(param), None),
        };
        let Some(pattern) = pattern else { continue };
        for name in pattern_names(pattern, src) {
            out.push((name, ty));
        }
    }
    out
}

fn trimmed_span(src: &str, start: usize, end: usize) -> ByteSpan {
    let end = start + text_between(src, start, end).trim_end().len();
    start..end
}

/// The names one iteration works on ([`Iteration::vars`]), in order and as a set, shared by every
/// clone of the iteration (each query in a loop body takes one), with the names derived from
/// them deeper in the body ([`derived_names`]) computed once, when first asked.
#[derive(Debug, Clone, Default)]
pub struct Vars(std::rc::Rc<VarsInner>);

#[derive(Debug, Clone, Default)]
struct VarsInner {
    list: Vec<String>,
    set: HashSet<String>,
    derived: std::cell::OnceCell<HashSet<String>>,
}

impl Vars {
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.list.iter()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.set.contains(name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.list.is_empty()
    }

    /// Adds names not already there.
    pub fn extend(&mut self, names: impl IntoIterator<Item = String>) {
        let inner = std::rc::Rc::make_mut(&mut self.0);
        inner.derived = Default::default();
        for name in names {
            if inner.set.insert(name.clone()) {
                inner.list.push(name);
            }
        }
    }

    /// The names derived from these deeper in the body, computed by `compute` the first time.
    pub fn derived(&self, compute: impl FnOnce() -> Vec<String>) -> &HashSet<String> {
        self.0
            .derived
            .get_or_init(|| compute().into_iter().collect())
    }
}

impl From<Vec<String>> for Vars {
    fn from(names: Vec<String>) -> Self {
        let mut vars = Vars::default();
        vars.extend(names);
        vars
    }
}

fn loop_iteration<'t>(loop_node: Node<'t>, body: Node<'t>, cx: &FileCx<'t>) -> Iteration<'t> {
    let src = cx.src;
    let header = trimmed_span(src, loop_node.start_byte(), body.start_byte());
    let mut iteration = Iteration {
        collection: None,
        header,
        vars: Vars::default(),
        body: None,
        concurrent: None,
        callback: None,
        batched: false,
        resolver: None,
        wrapper_type: false,
        parent_type: None,
    };
    match loop_node.k() {
        "for_in_statement" => {
            iteration.collection = loop_node.field("right");
            if let Some(left) = loop_node.field("left") {
                iteration.vars = pattern_names(left, src).into();
            }
        }
        "for_statement" => {
            iteration.collection = loop_node
                .field("condition")
                .and_then(|c| length_receiver(c, src));
            if let Some(init) = loop_node.field("initializer") {
                iteration.vars = descendants(init, SUBTREE_LIMIT)
                    .into_iter()
                    .filter(|n| n.k() == "variable_declarator")
                    .filter_map(|n| n.field("name"))
                    .flat_map(|n| pattern_names(n, src))
                    .collect::<Vec<_>>()
                    .into();
            }
        }
        _ => {
            let condition = loop_node.field("condition");
            iteration.collection = condition.and_then(|c| length_receiver(c, src));
            // A worklist: `while ((node = stack.pop()))`, or `while (true)` whose body starts by
            // taking `const node = queue.shift()` (a tree or graph walk).
            if iteration.collection.is_none() {
                if let Some((queue, name)) = condition
                    .and_then(|c| taken_in_condition(c, src).or_else(|| retaken(c, body, src)))
                {
                    iteration.collection = Some(queue);
                    iteration.vars.extend([name]);
                } else {
                    iteration.collection = taken_at_top(body, src);
                }
            }
        }
    }
    iteration.vars.extend(declared_names(body, src));
    iteration.body = Some(body);
    // `while (batch.length > 0) { batch = await next(...) }` re-fetches its collection: a
    // pagination loop, not a walk over one collection.
    if loop_node.k() != "for_in_statement" {
        if let Some(collection) = iteration.collection {
            if is_assigned_in(body, &src[collection.byte_range()], src) {
                iteration.collection = None;
            }
        }
    }
    iteration
}

/// The declarators of the `const`/`let`/`var` statements directly in a block, each with its
/// statement, in order.
fn block_declarators<'t>(block: Node<'t>) -> impl Iterator<Item = (Node<'t>, Node<'t>)> {
    let mut cursor = block.walk();
    let statements: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
    statements
        .into_iter()
        .filter(|statement| {
            matches!(
                statement.k(),
                "lexical_declaration" | "variable_declaration"
            )
        })
        .flat_map(|statement| {
            let mut inner = statement.walk();
            let declarators: Vec<Node<'t>> = statement.named_children(&mut inner).collect();
            declarators
                .into_iter()
                .map(move |declarator| (statement, declarator))
        })
}

/// The names declared at the top of a loop body (`const id = ids[i]`): what one iteration works
/// on.
fn declared_names(body: Node, src: &str) -> Vec<String> {
    block_declarators(body)
        .filter_map(|(_, declarator)| declarator.field("name"))
        .flat_map(|name| pattern_names(name, src))
        .collect()
}

/// Names declared deeper in an iteration's body (`if`, `try` blocks) whose value uses the loop's
/// variables or an earlier such name (`if (x) { const id = parse(link.url); ... }`): a query
/// that uses them depends on the element. Computed only when a query needs it.
pub fn derived_names(iteration: &Iteration, src: &str) -> Vec<String> {
    let Some(body) = iteration.body else {
        return Vec::new();
    };
    let mut nested: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for declarator in descendants(body, 20 * SUBTREE_LIMIT) {
        if declarator.k() != "variable_declarator" {
            continue;
        }
        let (Some(name), Some(value)) = (declarator.field("name"), declarator.field("value"))
        else {
            continue;
        };
        let uses_iteration = text_between(src, value.start_byte(), value.end_byte())
            .split(|c: char| !is_word_char(c))
            .any(|word| iteration.vars.contains(word) || seen.contains(word));
        if uses_iteration {
            for declared in pattern_names(name, src) {
                if !iteration.vars.contains(&declared) && seen.insert(declared.clone()) {
                    nested.push(declared);
                }
            }
        }
    }
    nested
}

/// Whether `target = ...` appears in `body` (bounded).
fn is_assigned_in(body: Node, target: &str, src: &str) -> bool {
    descendants(body, 20 * SUBTREE_LIMIT).into_iter().any(|n| {
        n.k() == "assignment_expression"
            && n.field("left")
                .is_some_and(|left| &src[left.byte_range()] == target)
    })
}

/// `q.pop()` / `q.shift()`: the worklist `q` an element is taken from.
fn taken_from<'t>(value: Node<'t>, src: &'t str) -> Option<Node<'t>> {
    let value = unwrap_expression(value);
    let (object, method, args) = method_call(value, src)?;
    (matches!(method, "pop" | "shift") && args.named_child_count() == 0).then_some(object)
}

/// `(node = stack.pop())` in a loop's condition (also `(node = q.shift()) !== undefined`): the
/// worklist and the name each element is bound to.
fn taken_in_condition<'t>(condition: Node<'t>, src: &'t str) -> Option<(Node<'t>, String)> {
    descendants(condition, SUBTREE_LIMIT)
        .into_iter()
        .filter(|n| n.k() == "assignment_expression")
        .find_map(|n| {
            let left = n.field("left").filter(|l| l.k() == "identifier")?;
            let queue = taken_from(n.field("right")?, src)?;
            Some((queue, src[left.byte_range()].to_string()))
        })
}

/// `let node = q.pop(); while (node) { ...; node = q.pop() }`: a condition on a name that the body
/// takes again from a worklist. The worklist and the name.
fn retaken<'t>(condition: Node<'t>, body: Node<'t>, src: &'t str) -> Option<(Node<'t>, String)> {
    let condition = unwrap_expression(condition);
    let name = match condition.k() {
        "identifier" => condition,
        // `node !== undefined`, `node != null`
        "binary_expression" => condition.field("left").filter(|l| l.k() == "identifier")?,
        _ => return None,
    };
    let name = &src[name.byte_range()];
    descendants(body, 20 * SUBTREE_LIMIT)
        .into_iter()
        .filter(|n| {
            n.k() == "assignment_expression"
                && n.field("left")
                    .is_some_and(|l| src.get(l.byte_range()) == Some(name))
        })
        .find_map(|n| taken_from(n.field("right")?, src))
        .map(|queue| (queue, name.to_string()))
}

/// `const node = queue.shift()` among the first statements of a loop body: the worklist.
fn taken_at_top<'t>(body: Node<'t>, src: &'t str) -> Option<Node<'t>> {
    block_declarators(body)
        .take(4)
        .find_map(|(_, declarator)| taken_from(declarator.field("value")?, src))
}

/// In `i < xs.length`-style loop conditions, the collection whose length bounds the loop.
fn length_receiver<'t>(condition: Node<'t>, src: &str) -> Option<Node<'t>> {
    descendants(condition, SUBTREE_LIMIT)
        .into_iter()
        .find(|n| {
            n.k() == "member_expression"
                && n.field("property")
                    .is_some_and(|p| &src[p.byte_range()] == "length")
        })
        .and_then(|n| n.field("object"))
}

/// The scope a node opens, if any: a loop body, a function, a class.
pub fn frame_for<'t>(node: Node<'t>, field: Option<&str>, cx: &FileCx<'t>) -> Option<Frame<'t>> {
    let kind = node.k();
    if field == Some("body") {
        if let Some(parent) = cx.parent().filter(|p| is_loop(p.k())) {
            return Some(Frame::Loop {
                id: node.id(),
                iteration: loop_iteration(parent, node, cx),
            });
        }
    }
    if is_function(kind) {
        return Some(function_frame(node, cx));
    }
    if is_class(kind) {
        return Some(class_frame(node, cx.src));
    }
    None
}

fn function_frame<'t>(node: Node<'t>, cx: &FileCx<'t>) -> Frame<'t> {
    let src = cx.src;
    let params = parameters(node, src);
    let mut client_params: Vec<String> = params
        .iter()
        .filter(|(_, ty)| ty.is_some_and(mentions_prisma_type))
        .map(|(name, _)| name.clone())
        .collect();
    let n = cx.ancestors.len();
    let parent = cx.parent();
    let mut per_element = None;
    let mut transparent = false;

    // An immediately invoked function runs where it stands.
    if let Some(p) = parent {
        if p.k() == "call_expression" && p.field("function") == Some(node) {
            transparent = true;
        }
        if p.k() == "parenthesized_expression" && n >= 2 {
            let call = cx.ancestors[n - 2];
            transparent |= call.k() == "call_expression" && call.field("function") == Some(p);
        }
    }

    // The callback argument of `xs.map(fn)` or `client.$transaction(fn)`.
    if let (Some(args), true) = (parent, n >= 2) {
        let call = cx.ancestors[n - 2];
        let is_first_arg = args.k() == "arguments" && args.named_child(0) == Some(node);
        if let (true, Some((object, method, _))) = (is_first_arg, method_call(call, src)) {
            if ITERATION_METHODS.contains(&method) {
                let callee = call.field("function").expect("method call");
                let concurrent = (n >= 4)
                    .then(|| cx.ancestors[n - 4])
                    .filter(|outer| is_promise_all(*outer, src))
                    .and_then(|outer| outer.field("function"))
                    .map(|callee| callee.byte_range());
                let batched = (n >= 4)
                    .then(|| cx.ancestors[n - 4])
                    .and_then(|outer| method_call(outer, src))
                    .is_some_and(|(_, m, _)| m == "$transaction");
                let mut vars: Vec<String> = params.iter().map(|(name, _)| name.clone()).collect();
                let body = node.field("body");
                if let Some(body) = body {
                    vars.extend(declared_names(body, src));
                }
                per_element = Some(Iteration {
                    collection: Some(object),
                    header: callee.byte_range(),
                    vars: vars.into(),
                    body,
                    concurrent,
                    callback: ITERATION_METHODS.iter().copied().find(|m| *m == method),
                    batched,
                    resolver: None,
                    wrapper_type: false,
                    parent_type: None,
                });
            } else if method == "$transaction" {
                transparent = true;
                if let Some((first, _)) = params.first() {
                    client_params.push(first.clone());
                }
            }
        }
    }
    // `sequelize.transaction(async (t) => ...)`, `knex.transaction(...)`, TypeORM's
    // `manager.transaction('SERIALIZABLE', async (m) => ...)`: the callback runs where it stands.
    if let (Some(args), true) = (parent, n >= 2) {
        if args.k() == "arguments" {
            if let Some((_, "transaction", _)) = method_call(cx.ancestors[n - 2], src) {
                transparent = true;
            }
        }
    }
    if per_element.is_none() {
        per_element = field_resolver(node, cx);
    }
    let typed_params = params
        .into_iter()
        .filter_map(|(name, ty)| Some((name, ty?.to_string())))
        .collect();
    Frame::Function {
        id: node.id(),
        per_element,
        transparent,
        client_params,
        typed_params,
    }
}

/// Root operation types: their resolvers run once per request, not once per parent.
const ROOT_TYPES: &[&str] = &["Query", "Mutation", "Subscription"];

/// Packages whose resolvers run once per parent object.
const GRAPHQL_PACKAGES: &[&str] = &[
    "graphql",
    "@nestjs/graphql",
    "type-graphql",
    "@apollo/server",
    "apollo-server",
    "apollo-server-express",
    "graphql-yoga",
    "mercurius",
    "@graphql-tools/schema",
    "nexus",
    "@pothos/core",
];

/// A GraphQL field resolver on a non-root type, which runs once per parent object: a method
/// decorated `@ResolveField()` (NestJS) or `@FieldResolver()` (type-graphql) with a
/// `@Parent()`/`@Root()` parameter, or `Type: { field: (parent) => ... }` in a resolver map of
/// a file that uses GraphQL.
fn field_resolver<'t>(node: Node<'t>, cx: &FileCx<'t>) -> Option<Iteration<'t>> {
    let src = cx.src;
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    let header = |n: Node| {
        let end = n.field("body").map_or(n.end_byte(), |b| b.start_byte());
        trimmed_span(src, n.start_byte(), end)
    };
    if node.k() == "method_definition" {
        let mut decorated = false;
        let mut sibling = node.prev_named_sibling();
        while let Some(s) = sibling.filter(|s| s.k() == "decorator") {
            let t = text(s);
            decorated |= t.starts_with("@ResolveField") || t.starts_with("@FieldResolver");
            sibling = s.prev_named_sibling();
        }
        if !decorated {
            return None;
        }
        let params = node.field("parameters")?;
        let mut cursor = params.walk();
        let parent = params.named_children(&mut cursor).find(|p| {
            let mut inner = p.walk();
            let found = p
                .children_by_field_name("decorator", &mut inner)
                .any(|d| text(d).starts_with("@Parent") || text(d).starts_with("@Root"));
            found
        })?;
        let vars = pattern_names(parent.field("pattern")?, src);
        let class = cx
            .ancestors
            .iter()
            .rev()
            .find(|a| is_class(a.k()))?
            .field("name")
            .map_or("", text);
        let name = text(node.field("name")?);
        let class_node = cx.ancestors.iter().rev().find(|a| is_class(a.k()));
        let parent_type = class_node.and_then(|c| resolver_class_type(*c, src));
        let wrapper = parent_type.is_some_and(|t| WRAPPER_SUFFIXES.iter().any(|s| t.ends_with(s)));
        let mut iteration =
            resolver_iteration(header(node), vars, node, format!("`{class}.{name}`"));
        iteration.wrapper_type = wrapper;
        iteration.parent_type = parent_type.map(str::to_string);
        return Some(iteration);
    }
    // `User: { posts: (user) => ... }` in a resolver map.
    let n = cx.ancestors.len();
    let (field_key, object) = match cx.parent()? {
        p if p.k() == "pair" => (p.field("key")?, *cx.ancestors.get(n.checked_sub(2)?)?),
        _ => return None,
    };
    let type_pair = *cx.ancestors.get(n.checked_sub(3)?)?;
    if object.k() != "object" || type_pair.k() != "pair" {
        return None;
    }
    let type_name = text(type_pair.field("key")?).trim_matches(['"', '\'']);
    let capitalized = type_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase());
    if !capitalized || ROOT_TYPES.contains(&type_name) || type_name.starts_with("__") {
        return None;
    }
    if !uses_graphql(cx) {
        return None;
    }
    let first = parameters(node, src).into_iter().next()?.0;
    let field = text(field_key);
    let mut iteration = resolver_iteration(
        header(node),
        vec![first],
        node,
        format!("`{type_name}.{field}`"),
    );
    iteration.wrapper_type = WRAPPER_SUFFIXES.iter().any(|s| type_name.ends_with(s));
    iteration.parent_type = Some(type_name.to_string());
    Some(iteration)
}

/// Whether the file's package depends on, or the file imports, a GraphQL server package.
pub fn uses_graphql(cx: &FileCx) -> bool {
    GRAPHQL_PACKAGES.iter().any(|p| cx.depends_on(p))
        || cx
            .imports
            .values()
            .any(|s| GRAPHQL_PACKAGES.contains(&s.as_str()))
}

fn resolver_iteration<'t>(
    header: ByteSpan,
    vars: Vec<String>,
    node: Node<'t>,
    name: String,
) -> Iteration<'t> {
    Iteration {
        collection: None,
        header,
        vars: vars.into(),
        body: node.field("body"),
        concurrent: None,
        callback: None,
        batched: false,
        resolver: Some(name),
        wrapper_type: false,
        parent_type: None,
    }
}

/// Type names of objects a query returns once, around its rows: `SearchResponse`,
/// `UserConnection`, `CreatePostPayload`, `PaginatedResult`.
const WRAPPER_SUFFIXES: &[&str] = &[
    "Response",
    "Result",
    "Results",
    "Payload",
    "Connection",
    "Page",
    "List",
    "Output",
];

/// The GraphQL type a resolver class names in `@Resolver('SearchResponse')` or
/// `@Resolver(() => SearchResponse)`.
fn resolver_class_type<'s>(class: Node, src: &'s str) -> Option<&'s str> {
    let mut sibling = class.prev_named_sibling();
    let mut decorators = Vec::new();
    let mut cursor = class.walk();
    decorators.extend(class.children_by_field_name("decorator", &mut cursor));
    while let Some(s) = sibling.filter(|s| s.k() == "decorator") {
        decorators.push(s);
        sibling = s.prev_named_sibling();
    }
    // `export @Resolver(...) class` puts the decorators on the export statement.
    if let Some(export) = class.parent().filter(|p| p.k() == "export_statement") {
        let mut cursor = export.walk();
        decorators.extend(export.children_by_field_name("decorator", &mut cursor));
    }
    decorators.into_iter().find_map(|d| {
        let text = src.get(d.byte_range())?;
        let args = text.strip_prefix("@Resolver(")?;
        // `@Resolver(of => User)`, `@Resolver((_of) => User)`: the type after the arrow.
        let args = match args.find("=>") {
            Some(arrow) => args.get(arrow..).unwrap_or(args),
            None => args,
        };
        let name = args.trim_start_matches(['(', ')', ' ', '=', '>', '\'', '"', '`']);
        let end = name
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(name.len());
        (end > 0).then(|| &name[..end])
    })
}

/// Whether `child` of `n` runs only on some paths through `n`: a branch of an `if`, a `switch`
/// case, a `catch`, a ternary's arm, or the right of `&&`/`||`/`??`.
pub fn is_branch(n: Node, child: Node) -> bool {
    match n.kind() {
        "if_statement" => n.child_by_field_name("condition") != Some(child),
        "else_clause" | "switch_case" | "switch_default" | "catch_clause" => true,
        "ternary_expression" => n.child_by_field_name("condition") != Some(child),
        "binary_expression" => {
            n.child_by_field_name("right") == Some(child)
                && n.child_by_field_name("operator")
                    .is_some_and(|o| matches!(o.kind(), "&&" | "||" | "??"))
        }
        _ => false,
    }
}

/// Whether a statement of `block` before `child` is an `if` whose consequence is, or directly
/// holds, a statement `leaves` accepts (`if (...) continue;`, `if (x.loaded) return x.loaded;`).
pub fn if_before_leaves(block: Node, child: Node, leaves: impl Fn(Node) -> bool) -> bool {
    let mut cursor = block.walk();
    let earlier: Vec<Node> = block
        .named_children(&mut cursor)
        .take_while(|s| s.start_byte() < child.start_byte())
        .filter(|s| s.kind() == "if_statement")
        .collect();
    earlier.into_iter().any(|statement| {
        statement
            .child_by_field_name("consequence")
            .is_some_and(|c| {
                let mut cursor = c.walk();
                leaves(c) || c.named_children(&mut cursor).any(&leaves)
            })
    })
}

/// `Promise.all(...)` or `Promise.allSettled(...)`.
pub fn is_promise_all(call: Node, src: &str) -> bool {
    call.k() == "call_expression"
        && call
            .field("function")
            .is_some_and(|f| matches!(&src[f.byte_range()], "Promise.all" | "Promise.allSettled"))
}

fn class_frame<'t>(node: Node<'t>, src: &'t str) -> Frame<'t> {
    let mut extends_prisma = false;
    let mut extends_any = false;
    let mut heritage = None;
    let mut client_fields = Vec::new();
    let mut typed_fields = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.k() == "class_heritage" {
            extends_prisma = src[child.byte_range()].contains("PrismaClient");
            extends_any = src[child.byte_range()].contains("extends");
            heritage = extends_text(child, src);
        }
        if child.k() != "class_body" {
            continue;
        }
        let mut body_cursor = child.walk();
        for member in child.named_children(&mut body_cursor) {
            match member.k() {
                "public_field_definition" | "field_definition" => {
                    let name = member.field("name").or_else(|| member.field("property"));
                    let typed = member
                        .field("type")
                        .is_some_and(|t| mentions_prisma_type(&src[t.byte_range()]));
                    let constructed = member
                        .field("value")
                        .is_some_and(|v| src[v.byte_range()].contains("new PrismaClient"));
                    if let (Some(name), Some(ty)) = (name, member.field("type")) {
                        typed_fields.push((
                            src[name.byte_range()].to_string(),
                            src[ty.byte_range()].to_string(),
                        ));
                    }
                    if let (Some(name), true) = (name, typed || constructed) {
                        client_fields.push(src[name.byte_range()].to_string());
                    }
                }
                "method_definition" => {
                    let is_constructor = member
                        .field("name")
                        .is_some_and(|n| &src[n.byte_range()] == "constructor");
                    if is_constructor {
                        typed_fields.extend(
                            parameters(member, src)
                                .into_iter()
                                .filter_map(|(name, ty)| Some((name, ty?.to_string()))),
                        );
                        client_fields.extend(
                            parameters(member, src)
                                .into_iter()
                                .filter(|(_, ty)| ty.is_some_and(mentions_prisma_type))
                                .map(|(name, _)| name),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    Frame::Class {
        id: node.id(),
        start: node.start_byte(),
        extends_any,
        extends_prisma,
        heritage,
        client_fields,
        typed_fields,
    }
}

/// The class a `class_heritage` extends, as written with its type arguments: `Repository<User>`
/// in `extends Repository<User> implements Y`.
fn extends_text<'t>(heritage: Node, src: &'t str) -> Option<&'t str> {
    let mut cursor = heritage.walk();
    let clause = heritage
        .named_children(&mut cursor)
        .find(|c| c.k() == "extends_clause")?;
    let text = src.get(clause.byte_range())?.trim_start();
    let text = text.strip_prefix("extends")?.trim();
    Some(text.split(['{', '\n']).next().unwrap_or(text).trim())
}

/// Records the module facts a node carries: imports, `require`s, constant literals, comments.
pub fn collect_facts<'t>(node: Node<'t>, cx: &mut FileCx<'t>) {
    let src = cx.src;
    match node.k() {
        "comment" => cx.comments.push(node.byte_range()),
        "statement_block" | "program" if node.named_child_count() > INDEXED_BLOCK => {
            let index = index_declarations(node, src);
            cx.declarations.insert(node.id(), index);
        }
        "import_statement" => {
            let Some(source) = node.field("source").and_then(|s| string_value(s, src)) else {
                return;
            };
            let mut cursor = node.walk();
            let Some(clause) = node
                .named_children(&mut cursor)
                .find(|c| c.k() == "import_clause")
            else {
                return;
            };
            let mut locals = Vec::new();
            let mut clause_cursor = clause.walk();
            for part in clause.named_children(&mut clause_cursor) {
                match part.k() {
                    "identifier" => locals.push(part),
                    "namespace_import" => locals.extend(part.named_child(0)),
                    "named_imports" => {
                        let mut named_cursor = part.walk();
                        for spec in part.named_children(&mut named_cursor) {
                            locals.extend(spec.field("alias").or_else(|| spec.field("name")));
                        }
                    }
                    _ => {}
                }
            }
            for local in locals {
                cx.imports
                    .insert(src[local.byte_range()].to_string(), source.to_string());
            }
        }
        "variable_declarator" => {
            let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                return;
            };
            let value = unwrap_expression(value);
            if let Some((specifier, _)) = required_module(value, src) {
                for local in pattern_names(name, src) {
                    cx.imports.insert(local, specifier.to_string());
                }
                return;
            }
            // `const { client } = prisma` where `prisma.client` is a configured client.
            if name.k() == "object_pattern" {
                let holder = &src[value.byte_range()];
                for local in pattern_names(name, src) {
                    let dotted = format!("{holder}.{local}");
                    let held =
                        local == "client" && cx.config.prisma_clients.iter().any(|c| c == holder);
                    if held || cx.config.prisma_clients.contains(&dotted) {
                        cx.local_clients.insert(local);
                    }
                }
            }
            if name.k() == "identifier" && constructs_prisma_client(value, src) {
                cx.local_clients.insert(src[name.byte_range()].to_string());
                return;
            }
            let is_const = cx.parent().is_some_and(|p| {
                p.k() == "lexical_declaration" && src[p.byte_range()].starts_with("const")
            });
            if is_const && name.k() == "identifier" && is_literal_collection(value) {
                cx.literal_consts.insert(src[name.byte_range()].to_string());
            }
        }
        "enum_declaration" => {
            if let Some(name) = node.field("name") {
                cx.literal_consts.insert(src[name.byte_range()].to_string());
            }
        }
        _ => {}
    }
}

/// `new PrismaClient(...)`, possibly extended: `new PrismaClient().$extends(...)`.
fn constructs_prisma_client(value: Node, src: &str) -> bool {
    let text = &src[value.byte_range()];
    text.starts_with("new PrismaClient")
        && matches!(value.k(), "new_expression" | "call_expression")
}

/// An array or object literal written out in full: no spreads, so its size is fixed in the source.
pub fn is_literal_collection(node: Node) -> bool {
    let node = unwrap_expression(node);
    if !matches!(node.k(), "array" | "object") {
        return false;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.named_children(&mut cursor).collect();
    // `[]` is a collection to be filled, not a fixed list.
    !children.is_empty() && children.iter().all(|c| c.k() != "spread_element")
}
/// `require('x')` -> (`x`, None); `require('x').y` -> (`x`, Some(`y`)); also `await import('x')`.
pub fn required_module<'s>(value: Node, src: &'s str) -> Option<(&'s str, Option<&'s str>)> {
    let (call, member) = if value.k() == "member_expression" {
        let property = value.field("property")?;
        (
            unwrap_expression(value.field("object")?),
            Some(src.get(property.byte_range())?),
        )
    } else {
        (value, None)
    };
    if call.k() != "call_expression" {
        return None;
    }
    let callee = call.field("function")?;
    if !matches!(src.get(callee.byte_range())?, "require" | "import") {
        return None;
    }
    let args = call.field("arguments")?;
    Some((string_value(args.named_child(0)?, src)?, member))
}
