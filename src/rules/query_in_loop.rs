//! `query-in-loop`: a query issued once per element of a collection (N+1).

use super::{Category, Check, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::orm::{orm_call, Orm, OrmCall, KNEX_NEEDLES, ORM_NEEDLES};
use crate::analysis::prisma::{prisma_call, PrismaCall, OPERATION_NEEDLES};
use crate::analysis::sql::{sql_text, SQL_NEEDLES};
use crate::analysis::stores::STORE_NEEDLES;
use crate::analysis::syntax::{
    declared_value, derived_names, first_object_argument, is_function, is_literal_collection,
    method_call, nested_pairs, properties, property, unwrap_expression,
};
use crate::analysis::{Condition, FileCx, Frame, Iteration, Sink};
use crate::config::{Level, OptionValue};
use crate::config::{OptionKind, RuleOption};
use crate::diagnostic::{Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "query-in-loop",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a query issued once per element of a collection (N+1)",
    doc: include_str!("../../rules/query-in-loop.md"),
    options: &[
        RuleOption {
            name: "writes",
            kind: OptionKind::Severity,
            default: "info",
            description: "severity of writes (`create`, `update`, `upsert`, `delete`) in a loop; \"off\" to skip them",
        },
        RuleOption {
            name: "include-scripts",
            kind: OptionKind::Bool,
            default: "false",
            description: "also report in one-off scripts (`scripts/`, `seed/`, `seeds/`, `migrations/`, `seed.*`, `*.seed.*`)",
        },
        RuleOption {
            name: "include-tests",
            kind: OptionKind::Bool,
            default: "false",
            description: "also report in test files (`*.test.*`, `*.spec.*`, `__tests__/`, `e2e/`, `test(s)/`)",
        },
    ],
    needles: &[
        &[
            "for (", "for(", "for await", "while", ".map(", ".forEach(", ".flatMap(",
            ".reduce(", ".filter(", ".some(", ".every(",
            // GraphQL field resolvers run once per parent object.
            "@ResolveField", "@FieldResolver", "esolvers",
        ],
        QUERY_NEEDLES,
    ],
    precheck: None,
    check: Check::Node(check),
};

/// Prisma's operations, the other ORMs' and raw SQL calls, and the stores' clients.
const QUERY_NEEDLES: &[&str] = &concat_needles::<
    {
        OPERATION_NEEDLES.len()
            + ORM_NEEDLES.len()
            + KNEX_NEEDLES.len()
            + SQL_NEEDLES.len()
            + STORE_NEEDLES.len()
    },
>();

const fn concat_needles<const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    let parts: [&[&str]; 5] = [
        OPERATION_NEEDLES,
        ORM_NEEDLES,
        KNEX_NEEDLES,
        SQL_NEEDLES,
        STORE_NEEDLES,
    ];
    let mut p = 0;
    while p < parts.len() {
        let mut j = 0;
        while j < parts[p].len() {
            out[i] = parts[p][j];
            i += 1;
            j += 1;
        }
        p += 1;
    }
    out
}

/// How long a collection may be shown in a message before it is cut.
const SHOWN_CHARS: usize = 40;

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.k() != "call_expression" {
        return;
    }
    let enabled = |option| {
        matches!(
            cx.config.option(RULE.id, option),
            Some(OptionValue::Bool(true))
        )
    };
    if (cx.is_test && !enabled("include-tests")) || (cx.is_script && !enabled("include-scripts")) {
        return;
    }
    let Some(iteration) = per_element_scope(cx) else {
        return;
    };
    let found = match prisma_call(node, cx) {
        // Prisma batches the `findUnique` calls of one tick into one query: field resolvers of
        // a list run in the same tick.
        Some(call) if iteration.resolver.is_some() && is_batched_by_prisma(call.operation) => {
            return;
        }
        Some(call) => Found {
            callee: call.callee.clone(),
            is_write: call.is_write(),
            paginated: is_paginated(&call, cx),
            chunked: is_chunked(&call, &iteration, cx),
            depends: depends_on_iteration(cx.text(call.arguments), &iteration, cx.src),
            batched_write: iteration.batched && call.is_write(),
            cheap: false,
            help: help(&call, &iteration, cx),
            conditions: call.conditions.clone(),
        },
        None => match other_query(node, &iteration, cx) {
            Some(found) => found,
            None => return call_in_loop(node, iteration, Vec::new(), cx, sink),
        },
    };
    // `this.users.findOne(...)`: a query when `users` turns out to be a repository, else a call
    // of the project's own method, judged through its summary. Exactly one of the two holds.
    let otherwise: Vec<Condition> = found
        .conditions
        .iter()
        .filter_map(|c| match c {
            Condition::TypedReceiver {
                class_start,
                fields,
                handle,
                negated: false,
            } => Some(Condition::TypedReceiver {
                class_start: *class_start,
                fields: fields.clone(),
                handle: *handle,
                negated: true,
            }),
            _ => None,
        })
        .collect();
    if !otherwise.is_empty() {
        call_in_loop(node, iteration.clone(), otherwise, cx, sink);
    }
    report(node, found, iteration, cx, sink);
}

/// A call that is not itself a query, run once per element with the element in its arguments:
/// an N+1 when the function it calls sends a query that depends on that argument, however many
/// calls deep and in whichever file. Settled by the project index ([`Condition::CallSite`]).
fn call_in_loop(
    node: Node,
    iteration: Iteration,
    extra: Vec<Condition>,
    cx: &FileCx,
    sink: &mut Sink,
) {
    let Some(function) = node.field("function") else {
        return;
    };
    if !matches!(function.k(), "identifier" | "member_expression") {
        return;
    }
    let Some(arguments) = node.field("arguments").filter(|a| a.k() == "arguments") else {
        return;
    };
    let Some(repeats) = repetition(&iteration, cx) else {
        return;
    };
    let mut element_args = 0u64;
    let mut cursor = arguments.walk();
    let args = arguments
        .named_children(&mut cursor)
        .filter(|a| a.k() != "comment")
        .take(crate::semantic::facts::MAX_PARAMS);
    for (i, arg) in args.enumerate() {
        // `getPage(id, { skip: start, take })`: one page of one result set per iteration.
        let pages = unwrap_expression(arg).k() == "object"
            && ["skip", "offset", "cursor", "page"]
                .iter()
                .any(|key| property(unwrap_expression(arg), key, cx.src).is_some());
        if pages {
            return;
        }
        // `loadUsers(chunk)` over a list of batches takes a whole batch at once.
        if is_batch_value(arg, &iteration, cx)
            && ["chunk", "batch", "page", "slice"]
                .iter()
                .any(|b| cx.text(arg).to_ascii_lowercase().contains(b))
        {
            continue;
        }
        if depends_on_iteration(cx.text(arg), &iteration, cx.src) {
            element_args |= 1 << i;
        }
    }
    if element_args == 0 {
        return;
    }
    let mut conditions = vec![Condition::CallSite {
        site: (node.start_byte(), node.end_byte()),
        element_args,
        same_tick: iteration.resolver.is_some(),
    }];
    if let Some(name) = repeats.constant {
        conditions.push(Condition::NotLiteral(name));
    }
    conditions.extend(extra);
    let call = shorten(&crate::analysis::prisma::collapse_whitespace(cx.text(node)));
    let message = format!(
        "`{call}` {} {}",
        crate::analysis::QUERY_PLACEHOLDER,
        repeats.how
    );
    let diagnostic = Diagnostic::new(RULE.id, node.byte_range(), message)
        .with_help(crate::analysis::CHAIN_PLACEHOLDER.to_string())
        // Through a helper: whether the helper's query is the cost, or a side lookup next to
        // other per-element work (an API call), is not known. Read on real code, most were
        // the latter. A field resolver runs per parent object whatever it calls, unless the
        // call is a fallback (`if (parent.owner) return parent.owner;` above it) or in a branch.
        .guessed(
            iteration.resolver.is_none()
                || iteration.wrapper_type
                || conditional_in_loop(node, &iteration),
        );
    sink.report(labelled(diagnostic, &iteration, repeats.label), conditions);
}

/// Labels the loop, callback or resolver, and `Promise.all` around it.
fn labelled(mut diagnostic: Diagnostic, iteration: &Iteration, label: String) -> Diagnostic {
    diagnostic = diagnostic.with_label(iteration.header.clone(), label);
    // A field resolver runs once per parent in a list only if some query or field returns its
    // type in one: settled in the run, against every module's GraphQL schema.
    if iteration.resolver.is_some() {
        diagnostic.parent_type = iteration.parent_type.clone();
    }
    if let Some(span) = iteration.concurrent.clone() {
        diagnostic = diagnostic.with_label(
            span,
            "all of them are sent at once, as many queries in flight as elements",
        );
    }
    diagnostic
}

/// Prisma's own dataloader merges these when they are sent in the same tick with the same
/// shape (Prisma docs, "Query optimization: solving n+1 in GraphQL with findUnique").
pub fn is_batched_by_prisma(operation: &str) -> bool {
    matches!(operation, "findUnique" | "findUniqueOrThrow")
}

/// The severity of a write in a loop: `None` when the `writes` option turns writes off, else
/// the configured level (info by default).
pub fn write_severity(config: &crate::config::Config) -> Option<Severity> {
    match config.option(RULE.id, "writes") {
        Some(OptionValue::Level(Level::Off)) => None,
        Some(OptionValue::Level(Level::On(severity))) => Some(*severity),
        _ => Some(Severity::Info),
    }
}

/// A query call, whichever library sends it, and what decides whether it is an N+1.
struct Found {
    callee: String,
    is_write: bool,
    /// Pages through one result set (`cursor`, `skip`, `offset`).
    paginated: bool,
    /// Takes a whole batch of the loop's elements at once.
    chunked: bool,
    /// Its arguments use what the iteration works on.
    depends: bool,
    /// A write collected into one `$transaction([...])`.
    batched_write: bool,
    help: String,
    conditions: Vec<Condition>,
    /// A cheap round trip (a Redis command): one per element is worth batching, but seldom
    /// what takes a server down, so the finding is medium.
    cheap: bool,
}

/// The other ORMs' calls and raw SQL statements sent by a driver.
fn other_query(node: Node, iteration: &Iteration, cx: &FileCx) -> Option<Found> {
    let text = cx.text(node);
    if let Some(call) = orm_call(node, cx) {
        let paginated = call.has_link(&["offset", "skip", "cursor"])
            || call.options.is_some_and(|o| {
                property(o, "offset", cx.src).is_some() || property(o, "skip", cx.src).is_some()
            });
        return Some(Found {
            callee: call.callee.clone(),
            is_write: call.is_write(),
            paginated,
            chunked: takes_batch(node, text, iteration, cx),
            depends: depends_on_iteration(text, iteration, cx.src),
            batched_write: false,
            cheap: false,
            help: orm_help(&call),
            conditions: call.conditions.clone(),
        });
    }
    if let Some(call) = crate::analysis::stores::store_call(node, cx) {
        return Some(Found {
            callee: call.callee.clone(),
            is_write: call.is_write,
            paginated: false,
            chunked: false,
            depends: depends_on_iteration(text, iteration, cx.src),
            batched_write: false,
            cheap: call.store == crate::analysis::stores::Store::Redis,
            help: call.help().to_string(),
            conditions: Vec::new(),
        });
    }
    let sql = sql_text(node, cx)?;
    // A fragment passed to another call (`db.execute(sql`...`)`) is judged at that call... unless
    // it runs by itself: postgres.js's `sql` tag, or a driver's `query(...)`.
    let passed_on = cx.parent().is_some_and(|p| p.k() == "arguments");
    if passed_on || !sql.is_statement() || cx.text(sql.call).starts_with("Prisma.sql") {
        return None;
    }
    let lower = sql.text.to_ascii_lowercase();
    let callee = match node.field("function") {
        Some(f) if f.k() == "member_expression" => {
            crate::analysis::prisma::collapse_whitespace(cx.text(f))
        }
        Some(f) => format!("{}`...`", cx.text(f)),
        None => return None,
    };
    Some(Found {
        callee,
        is_write: sql.is_write(),
        paginated: lower.contains(" offset "),
        chunked: ["any(", "in (", "unnest(", "in ?"].iter().any(|m| lower.contains(m))
            && depends_on_iteration(text, iteration, cx.src),
        depends: depends_on_iteration(text, iteration, cx.src),
        batched_write: false,
        cheap: false,
        help: "run one query for all elements (`WHERE id = ANY($1)` with the array of ids, or `IN (...)`) and group the rows in memory".to_string(),
        conditions: Vec::new(),
    })
}

/// `In(chunk)`, `inArray(t.id, chunk)`, `{ $in: chunk }`, `[Op.in]: chunk`, `where('id', 'in',
/// chunk)`: one query for a whole batch of the iteration.
fn takes_batch(node: Node, text: &str, iteration: &Iteration, cx: &FileCx) -> bool {
    let markers = [
        "In(",
        "inArray(",
        "whereIn(",
        "$in",
        "Op.in",
        "'in'",
        "\"in\"",
        "bulkCreate(",
        "insertMany(",
        ".values(",
    ];
    // `save(batch)`: these take one row or many, so the argument must be a slice of the input.
    let whole_markers = ["save(", "insert(", "upsert("];
    // `const batch = rows.slice(i, i + 500)`, declared before the query in an enclosing block.
    let sliced = |word: &str| {
        declared_value(word, node, cx).is_some_and(|value| {
            let value = cx.text(value);
            value.contains(".slice(") || value.contains("chunk(")
        })
    };
    markers.iter().chain(&whole_markers).any(|m| {
        let whole = whole_markers.contains(m);
        text.match_indices(m).any(|(at, _)| {
            let rest = text.get(at + m.len()..).unwrap_or("");
            // 80 bytes, cut back to a character boundary.
            let cut = (0..=rest.len().min(80))
                .rev()
                .find(|i| rest.is_char_boundary(*i))
                .unwrap_or(0);
            let window = rest.get(..cut).unwrap_or("");
            window
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .filter(|word| !word.is_empty())
                .take(6)
                .any(|word| {
                    iteration.vars.contains(word)
                        && ["chunk", "batch", "page", "group", "slice", "ids", "rows"]
                            .iter()
                            .any(|b| word.to_ascii_lowercase().contains(b))
                        && (!whole || sliced(word))
                })
        })
    })
}

fn orm_help(call: &OrmCall) -> String {
    let model = call.model.as_deref().unwrap_or("<model>");
    let write = call.is_write();
    match (call.orm, write) {
        (Orm::Sequelize, false) => format!("load all rows with one `{model}.findAll({{ where: {{ <field>: ids }} }})` before the loop and look them up in a `Map`"),
        (Orm::Sequelize, true) => format!("write all rows at once: `{model}.bulkCreate(rows)`, or one `{model}.update(data, {{ where: {{ id: ids }} }})` when the change is the same"),
        (Orm::TypeOrm, false) => format!("load all rows with one `findBy({{ <field>: In(ids) }})` on the `{model}` repository before the loop and look them up in a `Map`"),
        (Orm::TypeOrm, true) => "save all entities with one `save(entities)` (or an `insert().values(rows)` query builder)".to_string(),
        (Orm::Mongoose, false) => format!("load all documents with one `{model}.find({{ <field>: {{ $in: ids }} }})` before the loop and look them up in a `Map`"),
        (Orm::Mongoose, true) => format!("send the writes together with `{model}.bulkWrite([...])` or `{model}.insertMany(docs)`"),
        (Orm::Drizzle, false) => format!("load all rows with one query filtered by `inArray({model}.<field>, ids)` before the loop and look them up in a `Map`"),
        (Orm::Drizzle, true) => format!("write all rows in one statement: `db.insert({model}).values(rows)`, or one `update` with `inArray(...)`"),
        (Orm::Kysely, false) => format!("load all rows with one `selectFrom('{model}').where('<field>', 'in', ids)` before the loop and look them up in a `Map`"),
        (Orm::Kysely, true) => format!("write all rows in one statement: `insertInto('{model}').values(rows)`"),
        (Orm::Knex, false) => format!("load all rows with one `knex('{model}').whereIn('<column>', ids)` before the loop and look them up in a `Map`"),
        (Orm::Knex, true) => format!("write all rows in one statement: `knex('{model}').insert(rows)` (or `knex.batchInsert('{model}', rows, 500)`), or one `update` with `whereIn`"),
    }
}

/// `chunk(ids, 100)`, `_.chunk(rows, 50)`, `destroyBatches`: each element is a batch, and one
/// query per batch is how batching is done.
fn is_list_of_batches(collection: Node, cx: &FileCx) -> bool {
    let last = |text: &str| text.rsplit('.').next().unwrap_or(text).to_ascii_lowercase();
    match collection.k() {
        // `chunk(ids, 100)`, `_.chunk(rows, 50)`, `splitIntoBatches(rows)`
        "call_expression" => collection.field("function").is_some_and(|f| {
            // not `fetchBatch(...)`, which returns one batch
            let name = last(cx.text(f));
            name.contains("chunk") || name.ends_with("batches")
        }),
        // `batches`, `destroyBatches`, `const parts = chunk(ids, 10)`; not document `chunks`
        "identifier" => {
            let name = cx.text(collection);
            last(name).contains("batches")
                || declared_value(name, collection, cx)
                    .is_some_and(|v| v.k() == "call_expression" && is_list_of_batches(v, cx))
        }
        "member_expression" => last(cx.text(collection)).contains("batches"),
        _ => false,
    }
}

fn report(node: Node, found: Found, iteration: Iteration, cx: &FileCx, sink: &mut Sink) {
    if found.paginated || found.chunked || !found.depends || found.batched_write {
        return;
    }
    let Some(repeats) = repetition(&iteration, cx) else {
        return;
    };
    // Writes have a level of their own (see the rule doc, "Options"); reads use the rule's.
    let write_severity = if found.is_write {
        match cx.config.option(RULE.id, "writes") {
            Some(OptionValue::Level(Level::Off)) => return,
            Some(OptionValue::Level(Level::On(severity))) => Some(*severity),
            _ => Some(Severity::Info),
        }
    } else {
        None
    };

    let mut conditions = found.conditions;
    if let Some(name) = repeats.constant {
        conditions.push(Condition::NotLiteral(name));
    }
    let verb = if found.is_write { "writes" } else { "runs" };
    let message = format!("`{}` {verb} {}", found.callee, repeats.how);
    let help = match &iteration.resolver {
        Some(_) => "batch the lookups of all parents with a DataLoader (`loader.load(parent.id)`), or load the relation with the parent query".to_string(),
        None => found.help,
    };
    let mut diagnostic = Diagnostic::new(RULE.id, node.byte_range(), message)
        .with_help(help)
        // A fact: a read on every element of a collection that grows with the data. Writes
        // (often one per element by nature: each row gets its own values), queries for some
        // elements only, and collections of unknown size rest on a guess.
        .guessed(
            found.is_write
                || found.cheap
                || !repeats.known_large
                || conditional_in_loop(node, &iteration),
        );
    diagnostic.severity = write_severity;
    sink.report(labelled(diagnostic, &iteration, repeats.label), conditions);
}

/// What makes code run once per element, as messages say it.
struct Repetition {
    /// `once per element of `xs``
    how: String,
    /// The label on the loop, callback or resolver.
    label: String,
    /// The identifier whose value decides whether the collection is a literal.
    constant: Option<String>,
    /// The repetition grows with the data by what the code shows: a field resolver, or a loop
    /// over the rows of a query with no bound. Otherwise the finding rests on a guess.
    known_large: bool,
}

/// How `iteration` repeats its body, or `None` when it walks a collection fixed in the source
/// (a literal, a CONSTANT_CASE list) or a list of batches.
fn repetition(iteration: &Iteration, cx: &FileCx) -> Option<Repetition> {
    if let Some(resolver) = &iteration.resolver {
        return Some(Repetition {
            how: format!("once per parent object a query returns (field resolver {resolver})"),
            label: "a field resolver runs once for each parent object in the result".to_string(),
            constant: None,
            // A type named like a response wrapper comes once per request, most likely.
            known_large: !iteration.wrapper_type,
        });
    }
    let collection = iteration.collection?;
    let collection_root = root_of_collection(collection, cx);
    if is_literal_collection(collection_root) || is_list_of_batches(collection_root, cx) {
        return None;
    }
    let constant = constant_behind(collection_root, cx);
    if constant.as_deref().is_some_and(is_constant_case) {
        return None;
    }
    let shown = shorten(&crate::analysis::prisma::collapse_whitespace(
        cx.text(collection),
    ));
    let label = match iteration.callback {
        Some(method) => format!("`.{method}` callback runs once per element of `{shown}`"),
        None => format!("loop over `{shown}`"),
    };
    // The rows of a whole table the statistics know: as many queries as the table has rows.
    let measured = whole_table_rows(collection_root, cx);
    // A worklist the loop refills (`stack.push(...children)`): a walk over a tree or a graph,
    // as many iterations as it has nodes.
    let worklist = iteration.callback.is_none()
        && collection_root.k() == "identifier"
        && iteration.body.is_some_and(|body| {
            let name = cx.text(collection_root);
            refills(body, name, cx) && takes_one(iteration.header.clone(), body, name, cx)
        });
    let how = match &measured {
        Some((model, _, rows)) => format!(
            "once per element of `{shown}`: about {} queries, one per `{model}` row",
            crate::project::stats::count(*rows)
        ),
        None if worklist => format!(
            "once per element of `{shown}`, a worklist the loop refills: once per node of the walk"
        ),
        None => format!("once per element of `{shown}`"),
    };
    Some(Repetition {
        how,
        label,
        constant,
        known_large: match measured {
            Some((_, size, _)) => size != crate::project::stats::Size::Small,
            None => worklist || rows_of_unbounded_query(collection_root, cx),
        },
    })
}

/// The innermost loop or per-element callback the current node runs in, looking through
/// functions that run where they stand (`$transaction` callbacks, IIFEs) and stopping at any
/// other function: a callback defined in a loop is not necessarily run per element.
fn per_element_scope<'t>(cx: &FileCx<'t>) -> Option<Iteration<'t>> {
    for frame in cx.frames.iter().rev() {
        match frame {
            // `for (...) { if (found) return await f(x); }` runs `f` once, then leaves.
            Frame::Loop { id, .. } if returns_from_loop(*id, cx) => return None,
            Frame::Loop { iteration, .. } => return Some(iteration.clone()),
            Frame::Function {
                per_element: Some(iteration),
                ..
            } => return Some(iteration.clone()),
            Frame::Function {
                transparent: true, ..
            } => continue,
            Frame::Function { .. } | Frame::Class { .. } => return None,
        }
    }
    None
}

/// Whether the current node is part of a `return` that leaves the loop `loop_id` (no function
/// in between), so it runs at most once per run of the loop.
fn returns_from_loop(loop_id: usize, cx: &FileCx) -> bool {
    let mut inner: Option<Node> = None;
    for ancestor in cx.ancestors.iter().rev() {
        if ancestor.id() == loop_id || is_function(ancestor.k()) {
            return false;
        }
        if ancestor.k() == "return_statement" {
            return true;
        }
        // `{ const t = await f(x); return t; }`: a later statement of the same block leaves.
        if let (Some(statement), "statement_block") = (inner, ancestor.k()) {
            let mut next = statement.next_named_sibling();
            let mut seen = 0;
            while let Some(sibling) = next {
                seen += 1;
                match sibling.k() {
                    "return_statement" | "break_statement" => return true,
                    // A `continue` on the way may skip the exit.
                    _ if seen > 32 || cx.text(sibling).contains("continue") => break,
                    _ => next = sibling.next_named_sibling(),
                }
            }
        }
        inner = Some(*ancestor);
    }
    false
}

/// A query that pages with `cursor` or `skip` walks one result set, page by page.
fn is_paginated(call: &PrismaCall, cx: &FileCx) -> bool {
    first_object_argument(call.arguments).is_some_and(|args| {
        property(args, "cursor", cx.src).is_some() || property(args, "skip", cx.src).is_some()
    })
}

/// A query that takes a whole batch from the loop: `in: chunk`, `in: batch.map(...)`,
/// `createMany({ data: rows })`, raw SQL with `= ANY(${chunk})` / `IN (...)` / `unnest(...)`.
fn is_chunked(call: &PrismaCall, iteration: &Iteration, cx: &FileCx) -> bool {
    if call.model.is_none() {
        let sql = cx.text(call.arguments).to_ascii_lowercase();
        return ["any(", "in (", "unnest("].iter().any(|m| sql.contains(m));
    }
    let batch_keys: &[&str] = if call.operation.starts_with("createMany") {
        &["in", "data"]
    } else {
        &["in"]
    };
    nested_pairs(call.arguments, cx.src)
        .into_iter()
        .any(|(key, value)| batch_keys.contains(&key) && is_batch_value(value, iteration, cx))
}

/// `chunk`, `chunk.map(...)`, `batch.slice(...)` where `chunk` is what the iteration works on: a
/// whole collection, not one element's field (`team.memberIds`) or a constant (`in: STATUSES`).
fn is_batch_value(value: Node, iteration: &Iteration, cx: &FileCx) -> bool {
    let value = unwrap_expression(value);
    let root = match value.k() {
        "identifier" | "shorthand_property_identifier" => value,
        "call_expression" => match method_call(value, cx.src) {
            Some((object, "map" | "slice" | "filter" | "flatMap" | "concat", _))
                if object.k() == "identifier" =>
            {
                object
            }
            _ => return false,
        },
        _ => return false,
    };
    iteration.vars.contains(cx.text(root))
}

/// Whether the query's arguments use what the iteration works on. One that does not (`if
/// (first) await prisma.config.findFirst()`) does not run once per element with different
/// arguments: it is loop-invariant or guarded, and batching it is not the fix.
fn depends_on_iteration(args: &str, iteration: &Iteration, src: &str) -> bool {
    let words = || args.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'));
    if words().any(|word| iteration.vars.contains(word)) {
        return true;
    }
    // Names declared deeper in the body, computed only now that a query needs them, once per
    // iteration: every call in a loop asks.
    if iteration.body.is_none() {
        return false;
    }
    let derived = iteration.vars.derived(|| derived_names(iteration, src));
    !derived.is_empty() && words().any(|word| derived.contains(word))
}

/// Looks through `.filter(...)`, `.slice(...)`, `.map(...)` chains and `CONST[key] ?? []` to the
/// collection they start from, so that a filtered literal list still counts as literal.
fn root_of_collection<'t>(collection: Node<'t>, cx: &FileCx<'t>) -> Node<'t> {
    let mut node = unwrap_expression(collection);
    for _ in 0..16 {
        let next = match node.k() {
            "call_expression" => match method_call(node, cx.src) {
                Some((
                    object,
                    "filter" | "slice" | "map" | "flatMap" | "concat" | "sort" | "toSorted"
                    | "reverse" | "toReversed",
                    _,
                )) => object,
                _ => return node,
            },
            "subscript_expression" => match node.field("object") {
                Some(object) => object,
                None => return node,
            },
            "binary_expression" => match node.field("left") {
                Some(left) if cx.text(node).contains("??") || cx.text(node).contains("||") => left,
                _ => return node,
            },
            _ => return node,
        };
        node = unwrap_expression(next);
    }
    node
}

/// Whether `collection` holds the rows of a query with no `take`/`limit`, in this function
/// (`const users = await prisma.user.findMany({ where: { teamId } })`, `for (const u of await
/// db.select().from(users))`): a collection that grows with the data, which makes an N+1 over it a
/// fact. Rows of a bounded page, a parameter, a request body or a helper's result are of a size
/// leaklint does not know.
fn rows_of_unbounded_query(collection: Node, cx: &FileCx) -> bool {
    let mut node = unwrap_expression(collection);
    for _ in 0..4 {
        match node.k() {
            "await_expression" => match node.named_child(0) {
                Some(inner) => node = unwrap_expression(inner),
                None => return false,
            },
            "identifier" => match declared_value(cx.text(node), node, cx) {
                Some(value) => node = root_of_collection(value, cx),
                None => return false,
            },
            "call_expression" => {
                if let Some(call) = prisma_call(node, cx) {
                    let options = crate::analysis::prisma::options(&call);
                    return matches!(call.operation, "findMany" | "$queryRaw" | "$queryRawUnsafe")
                        && options.is_none_or(|o| property(o, "take", cx.src).is_none());
                }
                if let Some(call) = orm_call(node, cx) {
                    let bounded = call.has_link(&["limit", "take", "first", "paginate"])
                        || call.options.is_some_and(|o| {
                            property(o, "take", cx.src).is_some()
                                || property(o, "limit", cx.src).is_some()
                        });
                    return call.returns == crate::analysis::orm::Returns::Many
                        && !bounded
                        && !call.via_variable;
                }
                return false;
            }
            _ => return false,
        }
    }
    false
}

/// Whether the loop takes one element at a time off `name` (`name.pop()`, `name.shift()`) in its
/// header or body: a walk, not a pass in slices (`for (o = 0; o < ids.length; o += 100)`).
fn takes_one(header: crate::diagnostic::ByteSpan, body: Node, name: &str, cx: &FileCx) -> bool {
    let texts = [cx.src.get(header).unwrap_or(""), cx.text(body)];
    [".pop()", ".shift()"]
        .iter()
        .any(|m| texts.iter().any(|t| t.contains(&format!("{name}{m}"))))
}

/// Whether `body` pushes onto the worklist `name` (`name.push(...)`, `name.unshift(...)`).
fn refills(body: Node, name: &str, cx: &FileCx) -> bool {
    crate::analysis::walk::descendants(body, 8000)
        .into_iter()
        .any(|n| {
            n.k() == "call_expression"
                && method_call(n, cx.src).is_some_and(|(object, method, _)| {
                    matches!(method, "push" | "unshift") && cx.text(object) == name
                })
        })
}

/// The rows of a Prisma `findMany` with no `where` and no `take` that `collection` holds (as
/// [`rows_of_unbounded_query`] follows it), with the statistics' estimate of the table: its
/// model, how large it is, and its rows.
fn whole_table_rows(
    collection: Node,
    cx: &FileCx,
) -> Option<(String, crate::project::stats::Size, f64)> {
    cx.project.stats.as_ref()?;
    let mut node = unwrap_expression(collection);
    for _ in 0..4 {
        match node.k() {
            "await_expression" => node = unwrap_expression(node.named_child(0)?),
            "identifier" => {
                node = root_of_collection(declared_value(cx.text(node), node, cx)?, cx);
            }
            "call_expression" => {
                let call = prisma_call(node, cx)?;
                let options = crate::analysis::prisma::options(&call);
                let whole = call.operation == "findMany"
                    && options.is_none_or(|o| {
                        property(o, "take", cx.src).is_none()
                            && property(o, "where", cx.src).is_none()
                    });
                if !whole {
                    return None;
                }
                let model = crate::analysis::prisma::model_of(&call, cx)?;
                let (size, rows) = crate::analysis::prisma::table_numbers(model, cx)?;
                return Some((model.name.clone(), size, rows));
            }
            _ => return None,
        }
    }
    None
}

/// Whether `node` runs for only some elements: under an `if`, a `switch` case, a ternary, a
/// `&&`/`||`/`??` or in a `catch` within the loop. How many elements take that branch is not in
/// the source.
fn conditional_in_loop(node: Node, iteration: &Iteration) -> bool {
    let mut child = node;
    let mut up = node.parent();
    while let Some(n) = up {
        if n.start_byte() < iteration.header.start {
            break;
        }
        if crate::analysis::syntax::is_branch(n, child)
            || (n.k() == "statement_block" && skipped_before(n, child, iteration))
        {
            return true;
        }
        child = n;
        up = n.parent();
    }
    false
}

/// Whether a statement of `block` before `child` skips the rest of the element for some
/// elements: `if (...) continue;`, or `if (...) return;` in a per-element callback or a field
/// resolver (`if (parent.owner) return parent.owner;`: the query is a fallback).
fn skipped_before(block: Node, child: Node, iteration: &Iteration) -> bool {
    let skips = |n: Node| match n.k() {
        "continue_statement" => true,
        "return_statement" => iteration.callback.is_some() || iteration.resolver.is_some(),
        _ => false,
    };
    crate::analysis::syntax::if_before_leaves(block, child, skips)
}

/// `SUPPORTED_LOCALES`, `TEAM_GROUPS`: by convention a constant fixed in the source, often
/// imported from another module, so its size does not grow with data.
fn is_constant_case(name: &str) -> bool {
    name.len() >= 2
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The identifier whose value decides whether the collection is a literal: `ROLES` in
/// `for (r of ROLES)` or in `Object.keys(ROLES)`.
fn constant_behind(collection: Node, cx: &FileCx) -> Option<String> {
    let collection = unwrap_expression(collection);
    match collection.k() {
        "identifier" => Some(cx.text(collection).to_string()),
        "call_expression" => {
            let (object, method, args) = method_call(collection, cx.src)?;
            let from_object =
                cx.text(object) == "Object" && matches!(method, "keys" | "values" | "entries");
            let argument = args.named_child(0)?;
            (from_object && argument.k() == "identifier").then(|| cx.text(argument).to_string())
        }
        _ => None,
    }
}

/// The `where` key whose value comes from the loop variable: `stationId` in
/// `where: { stationId: station.id }`.
fn key_linked_to_loop(call: &PrismaCall, iteration: &Iteration, cx: &FileCx) -> Option<String> {
    let args = first_object_argument(call.arguments)?;
    let filter = property(args, "where", cx.src)
        .or_else(|| property(args, "data", cx.src))
        .filter(|w| w.k() == "object")?;
    let pairs = properties(filter, cx.src);
    let from_loop_var = pairs.iter().find(|(_, value)| {
        // `var`, `var.field` or `var?.field`
        let text = cx.text(*value);
        match text.split_once('.') {
            None => iteration.vars.contains(text),
            Some((head, _)) => {
                iteration.vars.contains(head)
                    || head
                        .strip_suffix('?')
                        .is_some_and(|head| iteration.vars.contains(head))
            }
        }
    });
    // `const id = ids[i]; ... where: { authorId: id }`: a key filtered by a variable.
    let from_variable = || {
        pairs.iter().find(|(_, value)| {
            matches!(
                value.k(),
                "identifier" | "shorthand_property_identifier" | "member_expression"
            )
        })
    };
    from_loop_var
        .or_else(from_variable)
        .map(|(key, _)| key.to_string())
}

fn help(call: &PrismaCall, iteration: &Iteration, cx: &FileCx) -> String {
    let key = key_linked_to_loop(call, iteration, cx);
    let field = key.as_deref().unwrap_or("<field>");
    let model = call.model.unwrap_or("<model>");
    match call.operation {
        "findUnique" | "findUniqueOrThrow" | "findFirst" | "findFirstOrThrow" | "findMany" => {
            format!(
                "load all rows with one `{model}.findMany({{ where: {{ {field}: {{ in: ids }} }} }})` before the loop and look them up in a `Map` keyed by `{field}`"
            )
        }
        "count" | "aggregate" | "groupBy" => format!(
            "compute it for every element at once with one `{model}.groupBy({{ by: ['{field}'], where: {{ {field}: {{ in: ids }} }}, _count: true }})`"
        ),
        "create" => format!(
            "insert all rows with one `{model}.createMany({{ data: rows }})` (`createManyAndReturn` to get them back)"
        ),
        "update" | "upsert" => format!(
            "when every element gets the same change, use one `{model}.updateMany({{ where: {{ {field}: {{ in: ids }} }}, data }})`; otherwise send the writes in one `$transaction([...])`"
        ),
        "delete" => format!(
            "delete all rows with one `{model}.deleteMany({{ where: {{ {field}: {{ in: ids }} }} }})`"
        ),
        "createMany" | "createManyAndReturn" | "updateMany" | "updateManyAndReturn" | "deleteMany" => format!(
            "merge the per-element calls into one `{model}.{}` that covers every element (`{field}: {{ in: ids }}`)",
            call.operation
        ),
        _ => "run one query for all elements (`WHERE id = ANY(${ids})` or `IN (...)`) instead of one per element".to_string(),
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= SHOWN_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SHOWN_CHARS - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fails, assert_passes, lint};

    #[test]
    fn fail() {
        let cases = [
            // a `continue` before the `return` may skip it: the query runs again
            "async function f(ids) { for (const id of ids) { const u = await prisma.user.findUnique({ where: { id } }); if (!u) continue; return u; } }",
            // a `return` inside a callback per element does not leave the loop
            "async function f(ids) { return Promise.all(ids.map((id) => { return prisma.user.findUnique({ where: { id } }); })); }",
            "async function f(xs) { for (const x of xs) { await Promise.all(x.items.map((i) => { return prisma.item.findFirst({ where: { id: i.id } }); })); } }",
            // a Knex table named through a constant, on `this.db`; `API_TABLE = ...` does not reassign it
            "import knex from 'knex'; const TABLE = 'events'; class S { async f(rows) { const API_TABLE = 'api'; await Promise.all(rows.map((row) => this.db(TABLE).update({ seen: true }).where({ id: row.id }))); } }",
            "import knex from 'knex'; const TABLE = 'events'; class S { async f(rows) { await Promise.all(rows.map((row) => this.db(TABLE).update({ seen: true }).where({ id: row.id }))); } }",
            // for...of over a collection
            "async function f(stations) { for (const s of stations) { await db.heartbeat.findMany({ where: { stationId: s.id } }); } }",
            // over one fetched batch, per element; a workspace's links fetched once per workspace
            "async function f(last) { const users = await fetchBatch(last); for (const user of users) { await prisma.twoFactor.findUnique({ where: { userId: user.id } }); } }",
            "async function f(chunks) { for (const ws of chunks) { await Promise.all(ws.map(async (w) => { if (w.on) { const ids = top(w).map((l) => l.id); await prisma.link.findMany({ where: { projectId: w.id, id: { in: ids } } }); } })); } }",
            // classic for over xs.length
            "async function f(ids) { for (let i = 0; i < ids.length; i++) { await prisma.user.findUnique({ where: { id: ids[i] } }); } }",
            // while draining a queue
            "async function f(queue) { while (queue.length > 0) { const id = queue.shift(); await prisma.job.findFirst({ where: { id } }); } }",
            // Promise.all(xs.map(...))
            "async function f(users) { return Promise.all(users.map((u) => prisma.post.count({ where: { authorId: u.id } }))); }",
            // forEach callback
            "function f(rows) { rows.forEach(async (r) => { await prisma.order.findFirst({ where: { rowId: r.id } }); }); }",
            // tx of $transaction inside a loop
            "async function f(items) { for (const item of items) { await prisma.$transaction(async (tx) => { await tx.stock.findUnique({ where: { sku: item.sku } }); }); } }",
            // ctx.prisma in a tRPC procedure
            "const r = async ({ ctx, input }) => { for (const id of input.ids) { await ctx.prisma.user.findUnique({ where: { id } }); } };",
            // this.prisma in a NestJS service
            "class S { constructor(private readonly prisma: PrismaService) {} async f(ids: string[]) { for (const id of ids) { await this.prisma.user.findUnique({ where: { id } }); } } }",
            // typed transaction parameter
            "async function f(tx: Prisma.TransactionClient, ids: string[]) { for (const id of ids) { await tx.user.findFirst({ where: { id } }); } }",
            // for...in over an object built at run time
            "async function f(byId) { for (const id in byId) { await prisma.user.findUnique({ where: { id } }); } }",
            // nested: the query is in a flatMap callback
            "const f = (teams) => teams.flatMap(async (t) => await prisma.member.findMany({ where: { teamId: t.id } }));",
            // `in:` a constant or an element's field is not a chunk of the loop
            "async function f(teams) { for (const team of teams) { await prisma.user.findMany({ where: { id: { in: team.memberIds }, status: { in: STATUSES } } }); } }",
            // a `[]` filled at run time is not a literal list
            "async function f(input) { const ids = []; for (const x of input) ids.push(x.id); for (const id of ids) { await prisma.user.findUnique({ where: { id } }); } }",
            // an index loop whose element is declared in the body
            "async function f(rows) { for (let i = 0; i < rows.length; i++) { const row = rows[i]; await prisma.user.findFirst({ where: { email: row.email } }); } }",
            // raw SQL per element
            "async function f(ids) { for (const id of ids) { await prisma.$queryRaw`SELECT * FROM t WHERE id = ${id}`; } }",
        ];
        for case in cases {
            assert_fails(case);
        }
    }

    #[test]
    fn pass() {
        let cases = [
            // the collection is loaded by the query in the loop header, once
            "async function f() { for (const u of await prisma.user.findMany({ take: 10 })) { console.log(u); } }",
            // cursor pagination
            "async function f() { let cursor; while (true) { const page = await prisma.event.findMany({ take: 100, cursor }); if (!page.length) break; cursor = { id: page[page.length - 1].id }; } }",
            // skip pagination inside a for loop over pages
            "async function f(pages) { for (const p of pages) { await prisma.event.findMany({ take: 100, skip: p * 100 }); } }",
            // chunked batches
            "async function f(chunks) { for (const chunk of chunks) { await prisma.user.findMany({ where: { id: { in: chunk } } }); } }",
            "async function f(chunks) { for (const batch of chunks) { await prisma.user.createMany({ data: batch }); } }",
            "async function f(chunks) { await Promise.all(chunks.map((c) => prisma.user.findMany({ where: { id: { in: c.map((x) => x.id) } } }))); }",
            "async function f(ids) { const batches = chunk(ids, 10); for (let i = 0; i < batches.length; i++) { await prisma.user.deleteMany({ where: { id: { in: batches[i] } } }); } }",
            "async function f(ids) { for (const part of _.chunk(ids, 100)) { await prisma.user.findMany({ where: { id: { in: part } } }); } }",
            // (a loop over one fetched batch is still per element: see `fail`)
            "import { Repository } from 'typeorm'; async function f(repo: Repository<User>, rows) { for (let i = 0; i < rows.length; i += 500) { const batch = rows.slice(i, i + 500); await repo.save(batch); } }",
            // a query followed by a `return` or `break` in its block runs once
            "async function f(emails) { for (const e of emails) { if (await exists(e)) { const u = await prisma.user.findFirst({ where: { email: e } }); return u; } } }",
            "async function f(ids) { for (const id of ids) { if (id.main) { await prisma.user.update({ where: { id: id.id }, data: { main: true } }); break; } } }",
            // a query in a `return` leaves the loop: it runs once
            "async function f(rels) { for (const r of rels) { const n = await count(r); if (n > 0) { return await prisma.trigger.findMany({ where: { typeId: r.typeId } }); } } return []; }",
            // a small literal array
            "async function f() { for (const role of ['admin', 'member']) { await prisma.user.count({ where: { role } }); } }",
            "const ROLES = ['admin', 'member'] as const; async function f() { for (const role of ROLES) { await prisma.user.count({ where: { role } }); } }",
            "enum Kind { A, B } async function f() { await Promise.all(Object.values(Kind).map((k) => prisma.item.count({ where: { k } }))); }",
            // a callback defined in a loop but not run per element
            "function f(xs) { const jobs = []; for (const x of xs) { jobs.push(() => prisma.user.findUnique({ where: { id: x } })); } return jobs; }",
            // an imported constant list (SCREAMING_CASE by convention)
            "import { LOCALES } from './i18n'; async function f() { for (const l of LOCALES) { await prisma.page.count({ where: { l } }); } }",
            // keyset pagination: the loop re-fetches its own collection
            "async function f() { let batch = await prisma.log.findMany({ take: 500 }); while (batch.length > 0) { await prisma.log.deleteMany({ where: { id: batch[0].id } }); batch = await prisma.log.findMany({ take: 500, where: { id: { gt: batch[batch.length - 1].id } } }); } }",
            // a filtered literal list, and a constant's entry
            "async function f(x) { for (const kind of ['a', 'b', 'c'].filter((k) => k !== x)) { await prisma.item.count({ where: { kind } }); } }",
            "async function f(id) { const runs = SEEDS[id] ?? []; for (const r of SEEDS[id] ?? []) { await prisma.run.create({ data: r }); } }",
            // writes collected into one batch transaction (the rule's own advice)
            "async function f(rows) { await prisma.$transaction(rows.map((r) => prisma.user.update({ where: { id: r.id }, data: r }))); }",
            // a query that does not use the element: guarded or loop-invariant
            "async function f(items) { for (const item of items) { if (item.isDefault) { await prisma.settings.findFirst({ where: { scope: 'global' } }); } } }",
            // raw SQL over a chunk
            "async function f(chunks) { for (const chunk of chunks) { await prisma.$executeRaw`UPDATE t SET seen = true WHERE id = ANY(${chunk})`; } }",
            // a retry loop does not iterate a collection
            "async function f() { for (let attempt = 0; attempt < 3; attempt++) { try { return await prisma.user.findFirst(); } catch {} } }",
            // not a Prisma client
            "async function f(keys) { for (const k of keys) { cache.data.delete(k); await axios.users.findMany(); } }",
            "function f(items) { for (const i of items) { map.delete(i); set.add(i); } }",
            // Dexie tables: `update(key, changes)`, `delete(key)`
            "async function f(ids) { for (const id of ids) { await db.friends.update(id, { seen: true }); await db.friends.delete('k'); } }",
            // a Drizzle-style chain is not a Prisma delegate call
            "async function f(ids) { for (const id of ids) { await db.query.users.findFirst({ where: eq(users.id, id) }); } }",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn worklist_walks_are_loops_over_every_node() {
        use crate::diagnostic::Confidence::{High, Medium};
        let found = |src: &str| -> Vec<_> {
            lint(src)
                .into_iter()
                .filter(|d| d.rule == "query-in-loop")
                .map(|d| (d.confidence, d.message))
                .collect()
        };
        let query = "await prisma.folder.findMany({ where: { parentId: node.id } })";
        for walk in [
            format!("let node; while ((node = stack.pop())) {{ const kids = {query}; stack.push(...kids); }}"),
            format!("while ((node = queue.shift()) !== undefined) {{ const kids = {query}; for (const k of kids) queue.push(k); }}"),
            format!("while (true) {{ const node = stack.pop(); if (!node) break; const kids = {query}; stack.push(...kids); }}"),
            format!("while (stack.length > 0) {{ const node = stack.pop(); const kids = {query}; stack.unshift(...kids); }}"),
            format!("let node = stack.pop(); while (node) {{ const kids = {query}; stack.push(...kids); node = stack.pop(); }}"),
            format!("let node = queue.shift(); while (node !== undefined) {{ const kids = {query}; queue.push(...kids); node = queue.shift(); }}"),
        ] {
            let src = format!("async function f(root) {{ const stack = [root]; const queue = [root]; {walk} }}");
            let got = found(&src);
            assert_eq!(got.len(), 1, "{walk}: {got:?}");
            assert_eq!(got[0].0, High, "{walk}");
            assert!(got[0].1.ends_with("a worklist the loop refills: once per node of the walk"), "{got:?}");
        }
        // Not refilled: a queue of unknown size, a guess.
        assert_eq!(
            found(&format!("async function f(stack) {{ let node; while ((node = stack.pop())) {{ {query}; }} }}"))
                .into_iter()
                .map(|(c, _)| c)
                .collect::<Vec<_>>(),
            [Medium]
        );
        // Refilled but walked in slices of 100 (Cap's folder tree): not one query per node.
        assert!(
            found("async function f(root) { const ids = [root]; for (let o = 0; o < ids.length; o += 100) { const part = ids.slice(o, o + 100); const kids = await prisma.folder.findMany({ where: { parentId: { in: part } } }); ids.push(...kids.map((k) => k.id)); } }")
                .iter()
                .all(|(c, _)| *c == Medium)
        );
        // A level at a time (`in: frontier`), or a value popped from elsewhere: no per-element query.
        for src in [
            "async function f(ids) { let frontier = ids; while (frontier.length) { const rows = await prisma.folder.findMany({ where: { parentId: { in: frontier } } }); frontier = rows.map((r) => r.id); } }",
            "async function f(stack, x) { while (true) { const node = stack.pop(); if (!node) break; await prisma.folder.findMany({ where: { parentId: x } }); } }",
        ] {
            assert_eq!(found(src), vec![], "{src}");
        }
    }

    #[test]
    fn confidence_is_high_only_for_reads_on_every_row_of_an_unbounded_query() {
        use crate::diagnostic::Confidence::{High, Medium};
        let tier = |src: &str| -> Vec<_> {
            lint(src)
                .into_iter()
                .filter(|d| d.rule == "query-in-loop")
                .map(|d| d.confidence)
                .collect()
        };
        let rows = "const users = await prisma.user.findMany({ where: { teamId } });\n";
        // A read per row of a query with no bound: a fact.
        assert_eq!(
            tier(&format!("async function f(teamId) {{ {rows} for (const u of users) {{ await prisma.post.findMany({{ where: {{ authorId: u.id }} }}); }} }}")),
            [High]
        );
        assert_eq!(
            tier("async function f() { for (const u of await prisma.user.findMany()) { await prisma.post.count({ where: { authorId: u.id } }); } }"),
            [High]
        );
        // A guard that does not skip the element keeps it high.
        assert_eq!(
            tier(&format!("async function f(teamId) {{ {rows} for (const u of users) {{ if (!u.name) {{ log(u); }} await prisma.post.findMany({{ where: {{ authorId: u.id }} }}); }} }}")),
            [High]
        );
        // Rows of a page: bounded.
        assert_eq!(
            tier("async function f() { const jobs = await prisma.job.findMany({ take: 50 }); for (const j of jobs) { await prisma.run.findFirst({ where: { jobId: j.id } }); } }"),
            [Medium]
        );
        // A parameter: size unknown.
        assert_eq!(
            tier("async function f(ids) { for (const id of ids) { await prisma.user.findUnique({ where: { id } }); } }"),
            [Medium]
        );
        // For some rows only, in a catch, or a write: a guess.
        for body in [
            "if (u.admin) { await prisma.post.findMany({ where: { authorId: u.id } }); }",
            "try { send(u); } catch (e) { await prisma.post.findMany({ where: { authorId: u.id } }); }",
            "u.admin && (await prisma.post.findMany({ where: { authorId: u.id } }));",
            "await prisma.user.update({ where: { id: u.id }, data: { seen: true } });",
            "if (!u.changed) continue; await prisma.post.findMany({ where: { authorId: u.id } });",
            "if (!u.changed) { log(u); continue; } await prisma.post.findMany({ where: { authorId: u.id } });",
        ] {
            assert_eq!(
                tier(&format!("async function f(teamId) {{ {rows} for (const u of users) {{ {body} }} }}")),
                [Medium],
                "{body}"
            );
        }
    }

    #[test]
    fn messages_name_model_and_collection() {
        let found = lint(
            "async function f(stations) { for (const s of stations) { await db.heartbeat.findMany({ where: { stationId: s.id } }); } }",
        );
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(
            d.message,
            "`db.heartbeat.findMany` runs once per element of `stations`"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("load all rows with one `heartbeat.findMany({ where: { stationId: { in: ids } } })` before the loop and look them up in a `Map` keyed by `stationId`")
        );
        assert_eq!(d.labels[0].message, "loop over `stations`");
        assert_eq!(
            d.severity, None,
            "reads take the rule's configured severity"
        );
    }

    #[test]
    fn writes_are_info_by_default_and_point_at_batches() {
        let found = lint(
            "async function f(users) { for (const u of users) { await prisma.user.update({ where: { id: u.id }, data: { seen: true } }); } }",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Some(crate::diagnostic::Severity::Info));
        assert_eq!(
            found[0].message,
            "`prisma.user.update` writes once per element of `users`"
        );
        assert!(found[0].help.as_deref().unwrap().contains("updateMany"));
    }

    #[test]
    fn dotted_client_names_from_config() {
        // `prisma.client`: a client module's export that holds the client (umami).
        let held = "async function f(ids) { for (const id of ids) { await prisma.client.website.findUnique({ where: { id } }); } }";
        assert_eq!(lint(held).len(), 1);
        let other = "async function f(ids) { for (const id of ids) { await api.service.website.findUnique({ where: { id } }); } }";
        assert!(
            lint(other).is_empty(),
            "`api.service` is not a client by default"
        );
        let mut config = crate::config::Config::default();
        config.prisma_clients.push("api.service".into());
        let found = crate::rules::test_support::lint_with(other, None, &config, "src/app.ts");
        assert_eq!(found.len(), 1);
        config.prisma_clients.push("prisma.client".into());
        let destructured = "const { client } = prisma; async function f(ids) { for (const id of ids) { await client.website.findUnique({ where: { id } }); } }";
        let found =
            crate::rules::test_support::lint_with(destructured, None, &config, "src/app.ts");
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn scripts_are_skipped_unless_asked() {
        let src = "async function f(ids) { for (const id of ids) { await prisma.user.findUnique({ where: { id } }); } }";
        let config = crate::config::Config::default();
        let lint_at = |path| crate::rules::test_support::lint_with(src, None, &config, path);
        assert!(lint_at("prisma/seed.ts").is_empty());
        assert!(lint_at("scripts/backfill.ts").is_empty());
        assert!(lint_at("src/e2e/flow.ts").is_empty());
        assert_eq!(lint_at("src/server/users.ts").len(), 1);
    }

    #[test]
    fn field_resolvers_run_once_per_parent() {
        let nest = "class R { @ResolveField() async owner(@Parent() project: P) { return prisma.user.findFirst({ where: { id: project.ownerId } }); } }";
        let found = lint(nest);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("field resolver `R.owner`"),
            "{}",
            found[0].message
        );
        // A root query, an undecorated method, a DataLoader and a query not about the parent.
        assert_passes("class R { @Query() async projects(@Args() a: A) { return prisma.project.findMany({ where: { id: a.id } }); } }");
        assert_passes("class R { async owner(project: P) { return prisma.user.findUnique({ where: { id: project.ownerId } }); } }");
        assert_passes("class R { @ResolveField() async owner(@Parent() project: P) { return this.loader.load(project.ownerId); } }");
        assert_passes("class R { @ResolveField() async stats(@Parent() project: P) { return prisma.stats.findFirst({ where: { scope: 'global' } }); } }");
        // Resolver maps only count in a file that uses GraphQL.
        let map = "import { gql } from 'graphql-tag'; import { GraphQLError } from 'graphql'; export const resolvers = { Query: { user: (_, a) => prisma.user.findUnique({ where: { id: a.id } }) }, User: { posts: (u) => prisma.post.findMany({ where: { authorId: u.id } }) } };";
        let found = lint(map);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`User.posts`"));
        assert_passes("export const styles = { Button: { onClick: (e) => prisma.click.create({ data: { id: e.id } }) } };");
        // A resolver of a type named like a response wrapper: whether it comes in lists is a
        // guess.
        let wrapper = "@Resolver('SearchResponse') class R { @ResolveField() async facets(@Parent() parent: P) { return prisma.facet.findMany({ where: { id: { in: parent.ids } } }); } }";
        let found = lint(wrapper);
        assert_eq!(
            found.iter().map(|d| d.confidence).collect::<Vec<_>>(),
            [crate::diagnostic::Confidence::Medium]
        );
        let plain = lint(&wrapper.replace("SearchResponse", "Product"));
        assert_eq!(
            plain.iter().map(|d| d.confidence).collect::<Vec<_>>(),
            [crate::diagnostic::Confidence::High]
        );
        // Prisma batches the findUnique calls of one tick.
        assert_passes("class R { @ResolveField() async owner(@Parent() project: P) { return prisma.user.findUnique({ where: { id: project.ownerId } }); } }");
    }

    #[test]
    fn promise_all_is_labelled() {
        let found = lint(
            "async function f(users) { return Promise.all(users.map((u) => prisma.post.count({ where: { authorId: u.id } }))); }",
        );
        assert_eq!(found[0].labels.len(), 2);
        assert!(found[0].labels[1].message.contains("at once"));
    }
}
