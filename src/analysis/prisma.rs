//! Recognising Prisma client calls: `<client>.<model>.<operation>(...)` and `<client>.$queryRaw`.

use super::orm::key_like;
use super::syntax::{first_object_argument, method_call, properties, unwrap_expression};
use super::{Condition, FileCx, Frame, Handle};
use crate::analysis::node::NodeExt;
use crate::project::schema::{name_suggests_growth, Growth, Model};
use tree_sitter::Node;

/// Model delegate operations that read.
pub const READ_OPERATIONS: &[&str] = &[
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findMany",
    "count",
    "aggregate",
    "groupBy",
];

/// Model delegate operations that write.
pub const WRITE_OPERATIONS: &[&str] = &[
    "create",
    "createMany",
    "createManyAndReturn",
    "update",
    "updateMany",
    "updateManyAndReturn",
    "upsert",
    "delete",
    "deleteMany",
];

/// Client-level raw SQL methods.
pub const RAW_OPERATIONS: &[&str] = &[
    "$queryRaw",
    "$queryRawUnsafe",
    "$executeRaw",
    "$executeRawUnsafe",
];

/// Strings one of which a file must contain to hold a Prisma operation call: the operation and
/// its opening parenthesis (a call split over lines still has them together).
pub const OPERATION_NEEDLES: &[&str] = &[
    ".findMany(",
    ".findUnique(",
    ".findUniqueOrThrow(",
    ".findFirst(",
    ".findFirstOrThrow(",
    ".count(",
    ".aggregate(",
    ".groupBy(",
    ".create(",
    ".createMany(",
    ".createManyAndReturn(",
    ".update(",
    ".updateMany(",
    ".updateManyAndReturn(",
    ".upsert(",
    ".delete(",
    ".deleteMany(",
    "$queryRaw",
    "$executeRaw",
];

/// Strings one of which a file must contain to hold a Prisma read with options.
pub const READ_NEEDLES: &[&str] = &[
    ".findMany(",
    ".findUnique(",
    ".findUniqueOrThrow(",
    ".findFirst(",
    ".findFirstOrThrow(",
];

/// A recognised Prisma client call.
#[derive(Debug, Clone)]
pub struct PrismaCall<'t> {
    pub call: Node<'t>,
    /// `prisma.user.findMany`, as written (whitespace collapsed).
    pub callee: String,
    /// The model delegate (`user`), absent for raw SQL.
    pub model: Option<&'t str>,
    pub operation: &'t str,
    pub arguments: Node<'t>,
    /// What must hold for the receiver to be a Prisma client, beyond what the file shows.
    pub conditions: Vec<Condition>,
}

impl PrismaCall<'_> {
    pub fn is_write(&self) -> bool {
        WRITE_OPERATIONS.contains(&self.operation) || self.operation.starts_with("$execute")
    }
}

/// The Prisma call `node` is, if it is one.
pub fn prisma_call<'t>(node: Node<'t>, cx: &FileCx<'t>) -> Option<PrismaCall<'t>> {
    let src = cx.src;
    let (object, operation, arguments) = method_call(node, src)?;
    let (client, model) = if RAW_OPERATIONS.contains(&operation) {
        (object, None)
    } else if READ_OPERATIONS.contains(&operation) || WRITE_OPERATIONS.contains(&operation) {
        if object.k() != "member_expression" {
            return None;
        }
        let model = object.field("property")?;
        let model = &src[model.byte_range()];
        if model.starts_with('$') {
            return None;
        }
        (object.field("object")?, Some(model))
    } else {
        return None;
    };
    if !has_prisma_arguments(arguments, model.is_some()) {
        return None;
    }
    let conditions = client_conditions(client, cx)?;
    let callee = node.field("function")?;
    Some(PrismaCall {
        call: node,
        callee: collapse_whitespace(&src[callee.byte_range()]),
        model,
        operation,
        arguments,
        conditions,
    })
}

/// Model operations take at most one argument, an options object (Dexie's `table.update(key,
/// changes)` and `Map#delete(key)` do not look like that). Tagged templates are raw SQL.
fn has_prisma_arguments(arguments: Node, model_operation: bool) -> bool {
    if arguments.k() == "template_string" {
        return !model_operation;
    }
    let mut cursor = arguments.walk();
    let args: Vec<Node> = arguments
        .named_children(&mut cursor)
        .filter(|a| a.k() != "comment")
        .collect();
    if !model_operation {
        return true;
    }
    match args.as_slice() {
        [] => true,
        [only] => !matches!(
            only.k(),
            "string" | "number" | "template_string" | "true" | "false" | "null" | "array"
        ),
        _ => false,
    }
}

/// Whether `client` holds a Prisma client: `Some(conditions)` when it does (perhaps depending on
/// facts from other files), `None` when it does not.
fn client_conditions(client: Node, cx: &FileCx) -> Option<Vec<Condition>> {
    let src = cx.src;
    let is_client_name = |name: &str| cx.config.prisma_clients.iter().any(|c| c == name);
    // Dotted names from the config: `prisma.client` for a module object that holds the client.
    if client.k() == "member_expression"
        && is_client_name(&collapse_whitespace(&src[client.byte_range()]))
    {
        return Some(Vec::new());
    }
    match client.k() {
        "identifier" => {
            let name = &src[client.byte_range()];
            if is_client_name(name) || in_client_params(name, cx) {
                Some(Vec::new())
            } else {
                Some(vec![Condition::ImportedClient(name.to_string())])
            }
        }
        "this" => match innermost_class(cx)? {
            (true, _) => Some(Vec::new()),
            _ => super::typed_receiver(client, cx, Handle::PrismaClient).map(|c| vec![c]),
        },
        "member_expression" => {
            let object = client.field("object")?;
            let property = &src[client.field("property")?.byte_range()];
            if object.k() == "this" {
                let (extends_prisma, fields) = innermost_class(cx)?;
                let known = fields.iter().any(|f| f == property)
                    || (is_client_name(property) && extends_prisma);
                if known {
                    return Some(Vec::new());
                }
            }
            // `this.db.user.findMany()` with `db: DatabaseService`, `this._user.model.user`: the
            // project index follows the fields' types.
            if let Some(typed) = super::typed_receiver(client, cx, Handle::PrismaClient) {
                return Some(vec![typed]);
            }
            // `prisma.client.user.findMany()`: a module object holding the client under `client`,
            // imported from the module that constructs it (umami's `@/lib/prisma`).
            if property == "client" && object.k() == "identifier" {
                let name = &src[object.byte_range()];
                return Some(if is_client_name(name) {
                    Vec::new()
                } else {
                    vec![Condition::ImportedClient(name.to_string())]
                });
            }
            // `ctx.prisma`, `ctx.db`, `opts.ctx.prisma`, `context.prisma`.
            let holder = src[object.byte_range()].to_ascii_lowercase();
            (is_client_name(property) && (holder.ends_with("ctx") || holder.ends_with("context")))
                .then(Vec::new)
        }
        _ => None,
    }
}

fn in_client_params(name: &str, cx: &FileCx) -> bool {
    cx.frames.iter().rev().any(|frame| match frame {
        Frame::Function { client_params, .. } => client_params.iter().any(|p| p == name),
        _ => false,
    })
}

fn innermost_class<'a>(cx: &'a FileCx) -> Option<(bool, &'a [String])> {
    cx.frames.iter().rev().find_map(|frame| match frame {
        Frame::Class {
            extends_prisma,
            client_fields,
            ..
        } => Some((*extends_prisma, client_fields.as_slice())),
        _ => None,
    })
}

/// Folds runs of whitespace (a call split over lines) to one space, and drops it around dots.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() && c != '.' && !out.ends_with('.') {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// Whether a model's rows accrue over time: a `/// @leaklint growing|bounded` doc comment, then
/// `[prisma] growing`/`bounded` in the config, then its name (`AuditLog`, `PageView`).
pub fn is_growing(model: &str, cx: &FileCx) -> bool {
    let config = cx.config;
    if config.prisma_bounded.iter().any(|m| m == model) {
        return false;
    }
    if config.prisma_growing.iter().any(|m| m == model) {
        return true;
    }
    let declared = cx
        .schema
        .and_then(|s| s.models.get(model))
        .and_then(|m| m.growth);
    match declared {
        Some(Growth::Growing) => true,
        Some(Growth::Bounded) => false,
        None => name_suggests_growth(model),
    }
}

/// Whether `model`'s growth rests on a fact rather than on its name: the config or a doc comment
/// says it grows, or the schema shows an append-only history (a foreign key to a parent that is
/// not unique, and a timestamp column: events, observations, revisions, messages).
pub fn growth_is_known(model: &str, cx: &FileCx) -> bool {
    if cx.config.prisma_growing.iter().any(|m| m == model) {
        return true;
    }
    cx.schema
        .and_then(|s| s.models.get(model))
        .is_some_and(|m| {
            m.growth == Some(Growth::Growing)
                || (is_history(m) && !cx.schema.is_some_and(|s| in_many_to_many(m, s)))
        })
}

/// Whether `model` is one side of a many-to-many relation (a list of another model that has a
/// list of it: Prisma's implicit join): a thing others are linked to, such as a notification
/// channel shared by monitors and feeds, not a log that is appended to (tianji's
/// `Notification`: a workspace key, a `createdAt`, no `updatedAt`).
pub fn in_many_to_many(model: &Model, schema: &crate::project::schema::Schema) -> bool {
    model.fields.iter().any(|f| {
        f.list
            && schema.models.get(&f.type_name).is_some_and(|other| {
                other
                    .fields
                    .iter()
                    .any(|g| g.list && g.type_name == model.name)
            })
    })
}

/// A child table that accrues rows per parent: a foreign key that is not unique on its own, a
/// `DateTime` column, and no `@updatedAt` (or `updatedAt`) column. Rows that are edited after they are written
/// (versions of a document, members of a team) are records of state, not an append-only history;
/// events, observations and log lines are written once.
pub fn is_history(model: &Model) -> bool {
    // A base class may add the `updatedAt` this class lacks; an `updatedAt` column kept by hand
    // (`updatedAt DateTime @default(now())`) says the rows are edited as much as the attribute.
    let edited = |f: &crate::project::schema::Field| {
        f.updated_at || matches!(f.name.as_str(), "updatedAt" | "updated_at" | "modifiedAt")
    };
    !model.inherits
        && model
            .foreign_keys
            .iter()
            .any(|k| !unique_alone(model, k) && !bounded_per_parent(model, k))
        && model.fields.iter().any(|f| f.type_name == "DateTime")
        && !model.fields.iter().any(edited)
}

/// Whether a unique key pairs `key` with columns that take a closed set of values per parent:
/// other keys or enums (`@@unique([runId, stepId])`: one log per step of the run;
/// `@@unique([teamId, provider])`). Rows of one parent are then bounded by that set, not by
/// time. A free text or a date beside the key (`@@unique([userId, name])`,
/// `@@unique([pnodeId, observedAt])`) bounds nothing.
fn bounded_per_parent(model: &Model, key: &str) -> bool {
    model.compound_unique.iter().any(|fields| {
        fields.len() >= 2
            && fields.iter().any(|f| f == key)
            && fields.iter().filter(|f| *f != key).all(|f| {
                model.foreign_keys.contains(f)
                    || f.ends_with("Id")
                    || f.ends_with("_id")
                    || model
                        .field(f)
                        .is_some_and(|field| is_enum_type(&field.type_name))
            })
    })
}

/// Whether a key of `model` pairs a foreign key with other columns, none of them a time
/// (`@@id([messagesId, usersId])`, `@@unique([messageId, name])`): rows per parent are as many
/// as the other columns' values one parent has, not a history (`@@unique([pnodeId, observedAt])`
/// is one).
pub fn keyed_per_parent(model: &Model) -> bool {
    model.compound_unique.iter().any(|fields| {
        fields.len() >= 2
            && fields.iter().any(|f| model.foreign_keys.contains(f))
            && fields.iter().all(|f| {
                model.foreign_keys.contains(f)
                    || model
                        .field(f)
                        .is_some_and(|field| field.type_name != "DateTime")
            })
    })
}

/// A Prisma type that is neither a scalar nor (by its name) a model: an enum.
fn is_enum_type(type_name: &str) -> bool {
    !matches!(
        type_name,
        "String"
            | "Int"
            | "BigInt"
            | "Float"
            | "Decimal"
            | "Boolean"
            | "DateTime"
            | "Json"
            | "Bytes"
            | "string"
            | "number"
            | "boolean"
            | "Date"
    ) && type_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
}

/// Whether a foreign key of `model` is not unique on its own: many rows per parent. A key that is
/// also the primary key or `@unique` (one row per project: a settings table) is not.
pub fn has_many_per_parent(model: &Model) -> bool {
    model.foreign_keys.iter().any(|k| !unique_alone(model, k))
}

/// Whether `key` alone picks one row of `model` (`@id`, `@unique`, `@@unique([key])`).
fn unique_alone(model: &Model, key: &str) -> bool {
    model.field(key).is_some_and(|f| f.unique)
        || model
            .compound_unique
            .iter()
            .any(|fields| fields.len() == 1 && fields[0] == key)
}

/// Whether the schema shows `model` as a child of another table (a foreign key): the whole table
/// holds the rows of every parent, so it grows as they do.
///
/// Only a required parent counts: rows with an optional one (`projectId String?`) exist without
/// it, the shape of a catalog with optional scoping (worker regions, a model catalog whose
/// global rows have no project), not of a table that grows with its parents.
pub fn is_child_table(model: &str, cx: &FileCx) -> bool {
    cx.schema
        .and_then(|s| s.models.get(model))
        .is_some_and(has_required_parent)
}

/// [`growth_is_known`] for a model of another data model than the file's Prisma schema (a
/// Drizzle table): the config or a comment. Not a history by its shape: Drizzle schemas seldom
/// keep an `updatedAt` column (read on karakeep and Dokploy: feeds, invites, memberships and
/// SSO providers all had a timestamp, a parent and no `updatedAt`), so the shape says nothing.
pub fn size_is_known_in(model: &Model, display: &str, cx: &FileCx) -> bool {
    cx.config
        .prisma_growing
        .iter()
        .any(|m| m == display || *m == model.name)
        || model.growth == Some(Growth::Growing)
}

/// What the database's statistics say of a relation from `parent` to `child`: how the children
/// of one parent are spread ([`crate::project::stats::Size`]) and, for messages, "about 1,100
/// each (4.2M rows in all)" (with `one`, "about 1,500 per `Pnode`"). `None` without statistics, or when they do not map the two tables
/// (or the child has several keys to the parent).
pub fn relation_numbers(
    parent: &Model,
    child: &Model,
    one: bool,
    cx: &FileCx,
) -> Option<(crate::project::stats::Size, String)> {
    let stats = cx.project.stats.as_ref()?;
    let key = stats.relation(parent, child)?;
    let table = stats.for_model(child)?;
    Some((
        stats.fan_out(key),
        crate::project::stats::describe_fan_out(key, table, one.then_some(parent.name.as_str())),
    ))
}

/// What the statistics say of a whole table: small, large or neither, and its estimated rows.
pub fn table_numbers(model: &Model, cx: &FileCx) -> Option<(crate::project::stats::Size, f64)> {
    let stats = cx.project.stats.as_ref()?;
    let table = stats.for_model(model)?;
    Some((stats.table_size(table), table.rows))
}

/// [`table_numbers`] of a table named in the source (Knex's `knex("users")`, Kysely's
/// `selectFrom("users")`, a raw `FROM users`).
pub fn named_table_numbers(name: &str, cx: &FileCx) -> Option<(crate::project::stats::Size, f64)> {
    let stats = cx.project.stats.as_ref()?;
    let table = stats.table(name)?;
    Some((stats.table_size(table), table.rows))
}

/// [`has_many_per_parent`] through a foreign key that is not optional.
pub fn has_required_parent(model: &Model) -> bool {
    model
        .foreign_keys
        .iter()
        .any(|k| model.field(k).is_some_and(|f| !f.optional) && !unique_alone(model, k))
}

/// The query's options object (`{ where, include, take }`), when written inline.
pub fn options<'t>(call: &PrismaCall<'t>) -> Option<Node<'t>> {
    first_object_argument(call.arguments)
}

/// The query's options object, inline or held by a variable declared above the query in a
/// scope that encloses it (`const args = { where, take }; findMany(args)`).
pub fn resolved_options<'t>(call: &PrismaCall<'t>, cx: &FileCx<'t>) -> Option<Node<'t>> {
    options(call).or_else(|| {
        call.arguments
            .named_child(0)
            .and_then(|a| super::syntax::resolve_object(a, cx))
    })
}

/// The schema model a call's delegate names, if the schema is known.
pub fn model_of<'s>(call: &PrismaCall, cx: &FileCx<'s>) -> Option<&'s Model> {
    cx.schema?.model_for_delegate(call.model?)
}

/// The model name for messages: from the schema, else the delegate capitalised.
pub fn model_name(call: &PrismaCall, cx: &FileCx) -> String {
    if let Some(model) = model_of(call, cx) {
        return model.name.clone();
    }
    let delegate = call.model.unwrap_or("row");
    let mut chars = delegate.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Whether a `where` object narrows a query to a parent or a key: equality (or `in`) on the id,
/// a unique field, a foreign key (`authorId`), a to-one relation (`author: { id }`), or a to-many
/// relation that some row of a narrowed parent matches (`members: { some: { userId } }`: the
/// user's organisations). Without a schema: keys named `id` or ending in `Id`/`_id`. `AND`
/// narrows when one member does; `OR` only when every member does.
pub fn narrows(filter: Node, model: Option<&Model>, cx: &FileCx) -> bool {
    narrows_within(filter, model, false, cx, 0)
}

/// [`narrows`] for the `where` of a nested include: the foreign key to the parent is implied, so
/// the rest of a compound unique (`@@unique([organisationId, period])`) picks one row.
pub fn narrows_relation(filter: Node, model: Option<&Model>, cx: &FileCx) -> bool {
    narrows_within(filter, model, true, cx, 0)
}

/// Past [`super::syntax::MAX_NESTING`] levels of `AND`/`OR`/relation filters: narrowed (too deep
/// to judge, so nothing is reported).
fn narrows_within(
    filter: Node,
    model: Option<&Model>,
    parent_implied: bool,
    cx: &FileCx,
    depth: usize,
) -> bool {
    if depth >= super::syntax::MAX_NESTING {
        super::syntax::not_judged_too_deep();
        return true;
    }
    let depth = depth + 1;
    let src = cx.src;
    let filter = unwrap_expression(filter);
    if filter.k() == "array" {
        // TypeORM's `where: [{ ... }, { ... }]`: any member may match, so all must narrow.
        let members = list_members(filter);
        return !members.is_empty()
            && members
                .iter()
                .all(|m| narrows_within(*m, model, parent_implied, cx, depth));
    }
    if filter.k() == "ternary_expression" {
        // `where: user ? { AND: [{ id: { in: ids } }, ...] } : { id: { in: ids } }`.
        let branches = [filter.field("consequence"), filter.field("alternative")];
        return branches
            .iter()
            .all(|b| b.is_some_and(|b| narrows_within(b, model, parent_implied, cx, depth)));
    }
    if filter.k() != "object" {
        // A variable built elsewhere: assume the author narrowed it.
        return matches!(
            filter.k(),
            "identifier"
                | "shorthand_property_identifier"
                | "member_expression"
                | "call_expression"
                // TypeORM's `where: (qb) => { qb.where(...) }`.
                | "arrow_function"
                | "function_expression"
        );
    }
    let mut cursor = filter.walk();
    let has_spread = filter
        .named_children(&mut cursor)
        .any(|c| c.k() == "spread_element");
    if has_spread {
        return true;
    }
    let props = properties(filter, src);
    // Every field of a compound unique fixed (`{ dataSource, symbol }` with
    // `@@unique([dataSource, symbol])`) picks one row; in a nested include the foreign key to
    // the parent is implied.
    if let Some(model) = model {
        let keys: Vec<&str> = props
            .iter()
            .filter(|(_, v)| is_equality(*v, src))
            .map(|(k, _)| *k)
            .collect();
        let picks_one = model.compound_unique.iter().any(|fields| {
            fields.iter().all(|f| {
                keys.contains(&f.as_str()) || (parent_implied && model.foreign_keys.contains(f))
            })
        });
        if picks_one {
            return true;
        }
    }
    props.into_iter().any(|(key, value)| {
        match key {
            // Prisma, Sequelize's operators, Mongoose's.
            "AND" | "Op.and" | "$and" => {
                return list_members(value)
                    .iter()
                    .any(|m| narrows_within(*m, model, parent_implied, cx, depth))
            }
            "OR" | "Op.or" | "$or" => {
                let members = list_members(value);
                return !members.is_empty()
                    && members
                        .iter()
                        .all(|m| narrows_within(*m, model, parent_implied, cx, depth));
            }
            "NOT" | "Op.not" | "$nor" => return false,
            _ => {}
        }
        // `members: { some: { userId } }`, `author: { is: { id } }`.
        let target = model
            .and_then(|m| m.field(key))
            .and_then(|f| cx.schema?.models.get(&f.type_name));
        let related = unwrap_expression(value);
        if related.k() == "object" {
            for via in ["some", "is"] {
                if let Some(inner) = super::syntax::property(related, via, src) {
                    if narrows_within(inner, target, false, cx, depth) {
                        return true;
                    }
                }
            }
        }
        // `author: { id }`, `integration: { disabled: false }`: a to-one relation (or, with no
        // data model, an object that is no operator) narrows as its own filter does.
        let to_one = model
            .and_then(|m| m.field(key))
            .is_some_and(|f| !f.list && target.is_some());
        if related.k() == "object"
            && (to_one || (model.is_none() && !is_operator_object(related, src)))
        {
            return narrows_within(related, target, false, cx, depth);
        }
        if !is_equality(value, src) {
            return false;
        }
        if key_like(key) {
            return true;
        }
        match model {
            Some(model) => {
                model.foreign_keys.iter().any(|k| k == key)
                    || model.field(key).is_some_and(|f| {
                        f.unique
                            || (!f.list
                                && cx
                                    .schema
                                    .is_some_and(|s| s.models.contains_key(&f.type_name)))
                    })
                    || model
                        .compound_unique
                        .iter()
                        .any(|fields| fields.join("_") == key)
                    || (leads_text_index(model, key) && !is_literal(value))
            }
            None => false,
        }
    })
}

/// Whether a `where` bounds a time column by a range (`createdAt: { gte: since }`, `validFrom: {
/// lte: now }, validTo: { gt: now }`), at any depth of its `AND`s: the rows of a window, whose
/// size is the rate the table is written at times the window, which the code does not show.
/// Time columns by the schema (`DateTime`), else by their names (`...At`, `..._at`, `...Date`).
pub fn filters_time_range(filter: Node, model: Option<&Model>, cx: &FileCx) -> bool {
    let src = cx.src;
    let is_time = |key: &str| match model.and_then(|m| m.field(key)) {
        Some(field) => field.type_name == "DateTime",
        None => {
            key.ends_with("At")
                || key.ends_with("_at")
                || key.ends_with("Date")
                || key.ends_with("_date")
                || matches!(key, "date" | "time" | "timestamp" | "expires" | "expiry")
        }
    };
    super::walk::descendants(filter, 2_000)
        .into_iter()
        .any(|n| {
            if n.k() != "pair" {
                return false;
            }
            let (Some(key), Some(value)) = (n.field("key"), n.field("value")) else {
                return false;
            };
            let key = src
                .get(key.byte_range())
                .unwrap_or("")
                .trim_matches(['"', '\'']);
            let value = unwrap_expression(value);
            is_time(key)
                && value.k() == "object"
                && properties(value, src)
                    .iter()
                    .any(|(k, _)| matches!(*k, "lt" | "lte" | "gt" | "gte"))
        })
}

/// A to-one parent picked by a value the code looks up (`user: { name: username }`): the rows
/// of the parent or the few parents with that value of a text column, as a username, a slug or
/// a handle names them. Not a category column (`team: { plan }`), nor a value written in the
/// source (`team: { role: 'x' }`: every team in that state).
///
/// Not a key by the schema, so it does not narrow; a guess that it does (see
/// [`filters_by_looked_up_parent`]).
fn looks_up_parent(filter: Node, parent: Option<&Model>, src: &str) -> bool {
    let Some(parent) = parent else {
        return false;
    };
    properties(filter, src).iter().any(|(key, value)| {
        !is_category_column(key)
            && is_equality(*value, src)
            && !is_literal(*value)
            && !matches!(unwrap_expression(*value).k(), "object" | "array")
            && parent
                .field(key)
                .is_some_and(|f| !f.list && f.type_name == "String")
    })
}

/// Whether a `where` (at its top level or in an `AND`) goes through a to-one relation to a
/// parent looked up by a value from the code (`user: { name: username }`).
pub fn filters_by_looked_up_parent(filter: Node, model: Option<&Model>, cx: &FileCx) -> bool {
    let src = cx.src;
    let (Some(model), Some(schema)) = (model, cx.schema) else {
        return false;
    };
    let filter = unwrap_expression(filter);
    if filter.k() != "object" {
        return false;
    }
    properties(filter, src).iter().any(|(key, value)| {
        if matches!(*key, "AND") {
            return list_members(*value)
                .iter()
                .any(|m| filters_by_looked_up_parent(*m, Some(model), cx));
        }
        let value = unwrap_expression(*value);
        let parent = model
            .field(key)
            .filter(|f| !f.list)
            .and_then(|f| schema.models.get(&f.type_name));
        value.k() == "object" && parent.is_some() && looks_up_parent(value, parent, src)
    })
}

/// Whether a filter on `column` with `value` (an equality) picks the rows of one key of `model`:
/// a foreign key, a unique column, or a looked-up value of an indexed text column.
pub fn picks_by_column(model: &Model, column: &str, value: Option<Node>) -> bool {
    model.foreign_keys.iter().any(|k| k == column)
        || model.field(column).is_some_and(|f| f.unique)
        || (leads_text_index(model, column) && !value.is_some_and(is_literal))
}

/// Whether `column` leads an index of `model` and holds text (`@@index(payoutMethodHash)`,
/// `@@index([email, createdAt])`): the application looks rows up by it, so one value picks a
/// few rows. A state column (`status`, an enum, a Boolean) is indexed for scans instead.
///
/// Not when the column names a category (`country`, `networkStatus`, `type`: a few values, each
/// shared by many rows), nor when a unique key pairs it with a date (`@@unique([symbol, date])`:
/// a time series, whose rows for one value accrue day by day).
fn leads_text_index(model: &Model, column: &str) -> bool {
    let dated = model.compound_unique.iter().any(|fields| {
        fields.iter().any(|f| f == column)
            && fields
                .iter()
                .any(|f| model.field(f).is_some_and(|f| f.type_name == "DateTime"))
    });
    !is_category_column(column)
        && !dated
        && model
            .indexes
            .iter()
            .any(|index| index.first().is_some_and(|c| c == column))
        && model
            .field(column)
            .is_some_and(|f| !f.list && matches!(f.type_name.as_str(), "String" | "string"))
}

/// Whether a column's name ends in a [`CATEGORY_WORDS`] word (`networkStatus`, `country`).
fn is_category_column(column: &str) -> bool {
    crate::project::schema::words(column)
        .last()
        .is_some_and(|w| CATEGORY_WORDS.contains(&w.as_str()))
}

/// Last words of a column name that hold a category rather than an identifier.
const CATEGORY_WORDS: &[&str] = &[
    "status",
    "state",
    "type",
    "kind",
    "country",
    "locale",
    "language",
    "lang",
    "currency",
    "role",
    "category",
    "plan",
    "tier",
    "region",
    "provider",
    "source",
    "channel",
    "level",
    "priority",
    "visibility",
    "mode",
    "stage",
    "phase",
    "network",
    "city",
    "tag",
    "color",
    "format",
];

/// A value written in the source (`"active"`, `3`, `true`, `["a", "b"]`, `{ in: ["a"] }`): a
/// state the query selects, not a value it looks up.
fn is_literal(value: Node) -> bool {
    let value = unwrap_expression(value);
    match value.k() {
        "string" | "number" | "true" | "false" | "template_string" => true,
        "array" => {
            let mut cursor = value.walk();
            let members: Vec<Node> = value.named_children(&mut cursor).collect();
            !members.is_empty() && members.into_iter().all(is_literal)
        }
        "object" => {
            let mut cursor = value.walk();
            let values: Vec<Node> = value
                .named_children(&mut cursor)
                .filter_map(|p| p.field("value"))
                .collect();
            !values.is_empty() && values.into_iter().all(is_literal)
        }
        _ => false,
    }
}

/// Operators of a field filter (Prisma's, Mongoose's `$`-keys, Sequelize's `[Op.x]`): an object
/// of only these filters one column, it is no relation filter.
const FIELD_OPERATORS: &[&str] = &[
    "equals",
    "in",
    "notIn",
    "not",
    "lt",
    "lte",
    "gt",
    "gte",
    "contains",
    "startsWith",
    "endsWith",
    "mode",
    "has",
    "hasSome",
    "hasEvery",
    "isEmpty",
    "search",
    "path",
    "string_contains",
    "string_starts_with",
    "string_ends_with",
    "array_contains",
    "array_starts_with",
    "array_ends_with",
    "isSet",
    "some",
    "every",
    "none",
    "is",
    "isNot",
];

fn is_operator_object(object: Node, src: &str) -> bool {
    let props = properties(object, src);
    !props.is_empty()
        && props
            .iter()
            .all(|(k, _)| FIELD_OPERATORS.contains(k) || k.starts_with('$') || k.starts_with("Op."))
}

/// `x`, `"a"`, `{ equals: x }`, `{ in: xs }`, `{ id: x }` (a relation filter): a value that picks
/// rows by equality rather than by range or negation.
fn is_equality(value: Node, src: &str) -> bool {
    let value = unwrap_expression(value);
    if value.k() == "call_expression" {
        // TypeORM's operators: `In(ids)`, `Equal(x)` and `Any(ids)` pick rows by equality.
        let operator = value
            .field("function")
            .filter(|f| f.k() == "identifier")
            .and_then(|f| src.get(f.byte_range()));
        return !matches!(
            operator,
            Some(
                "Not"
                    | "LessThan"
                    | "LessThanOrEqual"
                    | "MoreThan"
                    | "MoreThanOrEqual"
                    | "Like"
                    | "ILike"
                    | "Between"
                    | "IsNull"
                    | "Raw"
                    | "ArrayContains"
                    | "ArrayContainedBy"
                    | "ArrayOverlap"
                    | "JsonContains"
            )
        );
    }
    if value.k() != "object" {
        return !matches!(value.k(), "null" | "undefined");
    }
    let props = properties(value, src);
    !props.is_empty()
        && props.iter().all(|(k, _)| {
            !matches!(
                *k,
                "not"
                    | "notIn"
                    | "gt"
                    | "gte"
                    | "lt"
                    | "lte"
                    | "contains"
                    | "startsWith"
                    | "endsWith"
                    | "search"
                    | "mode"
                    | "none"
                    | "every"
                    | "some"
                    | "isNot"
                    | "has"
                    | "hasSome"
            )
        })
}

/// The elements of an array literal, or the value itself.
fn list_members(value: Node) -> Vec<Node> {
    let value = unwrap_expression(value);
    if value.k() != "array" {
        return vec![value];
    }
    let mut out = Vec::new();
    let mut cursor = value.walk();
    for member in value.named_children(&mut cursor) {
        // `...(hash ? [{ hash }] : [])`: the members of both branches (an empty branch adds none).
        let spread = (member.k() == "spread_element")
            .then(|| member.named_child(0).map(unwrap_expression))
            .flatten();
        match spread.filter(|s| s.k() == "ternary_expression") {
            Some(ternary) => {
                for branch in [ternary.field("consequence"), ternary.field("alternative")]
                    .into_iter()
                    .flatten()
                {
                    let branch = unwrap_expression(branch);
                    if branch.k() == "array" {
                        let mut inner = branch.walk();
                        out.extend(branch.named_children(&mut inner));
                    } else {
                        out.push(branch);
                    }
                }
            }
            None => out.push(member),
        }
    }
    out
}
