//! `unbounded-find-many`: `findMany` with neither `take` nor a `where` that narrows it to a
//! parent or a key, and `distinct` with no `take`.

use super::{Category, Check, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::orm::{
    chain_where_narrows, chain_where_narrows_in, knex_where_narrows, narrows_by_call_in, orm_call,
    Orm, OrmCall, Returns,
};
use crate::analysis::prisma::{
    is_growing, model_name, model_of, narrows, prisma_call, resolved_options,
};
use crate::analysis::syntax::{method_call, properties, property, unwrap_expression};
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::stats::Size;
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "unbounded-find-many",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "`findMany` (or an ORM's equivalent) with neither a limit nor a filter that narrows it to a parent or a key",
    doc: include_str!("../../rules/unbounded-find-many.md"),
    options: &[],
    needles: &[&[
        ".findMany(",
        ".findAll(",
        ".findAndCountAll(",
        ".find(",
        ".findBy(",
        ".findAndCount(",
        ".from(",
        ".getMany(",
        ".getRawMany(",
        ".getManyAndCount(",
        ".selectFrom(",
        // Knex: `knex('t').where(...)`, `db('t').select(...)`, `await knex('t')`
        ".where(",
        ".select(",
        "knex",
    ]],
    precheck: None,
    check: Check::Node(check),
};

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.k() != "call_expression" || cx.is_test || cx.is_script {
        return;
    }
    let Some(call) = prisma_call(node, cx) else {
        if let Some(call) = orm_call(node, cx) {
            check_orm(&call, cx, sink);
        }
        return;
    };
    if call.operation != "findMany" {
        return;
    }
    let src = cx.src;
    let options = resolved_options(&call, cx);
    // Options built elsewhere (`findMany(args)` with `args` a parameter) cannot be judged.
    if options.is_none() && call.arguments.named_child_count() > 0 {
        return;
    }
    let has = |key| options.and_then(|o| property(o, key, src)).is_some();
    if has("take") {
        return;
    }
    let model = model_name(&call, cx);
    if options.is_some_and(|o| is_spread_built(o)) {
        return;
    }
    let filter = options.and_then(|o| property(o, "where", src));
    if filter.is_some_and(|w| narrows(w, model_of(&call, cx), cx)) {
        return;
    }
    if !is_growing(&model, cx)
        && (declared_bounded(&model, cx) || crate::project::schema::name_suggests_bounded(&model))
    {
        return;
    }
    // The database's statistics: a small table is no incident, whatever the filter; a large
    // one read whole is one, wherever it runs.
    let numbers = model_of(&call, cx).and_then(|m| crate::analysis::prisma::table_numbers(m, cx));
    if numbers.is_some_and(|(size, _)| size == Size::Small) {
        return;
    }
    let measured_large = filter.is_none() && numbers.is_some_and(|(size, _)| size == Size::Large);
    // A fact: the model grows by the schema or the config (not by its name), or is a child table
    // (it holds the rows of every parent), and a `where` was judged against the schema's keys.
    let in_schema = cx.schema.is_some_and(|s| s.models.contains_key(&model));
    // A child table read whole (no `where`) holds the rows of every parent; with a filter on
    // its state (`deactivatedAt: null`, `verified: true`), how many match is a guess unless the
    // table is known to be large: a history, or rows of rows.
    let size_known = measured_large || crate::analysis::prisma::growth_is_known(&model, cx);
    let known =
        size_known || (filter.is_none() && crate::analysis::prisma::is_child_table(&model, cx));
    // How many rows a child table holds follows from how many parents there are: a fact worth
    // the default output where requests, resolvers or jobs read it (read on Dokploy: every
    // such load on a request path was real, those only startup code reached were not).
    let where_it_runs = !size_known;
    // A few scalar columns of a table that is no history (`select: { id: true, orgId: true }`
    // of every project, for a job that must visit them all): rows of a hundred bytes, which
    // hurt only if the table is very large.
    let narrow_select = options
        .and_then(|o| property(o, "select", src))
        .is_some_and(|s| selects_few_scalars(s, model_of(&call, cx), cx));
    // The rows of a time window (`createdAt: { gte: since }`, `validFrom: { lte: now }`): as
    // many as the table gets in that time, which the code does not show (read on civitai:
    // seven such findings on histories, each a window of a few rows).
    let windowed = filter
        .is_some_and(|w| crate::analysis::prisma::filters_time_range(w, model_of(&call, cx), cx));
    // Through a parent looked up by a value (`user: { name: username }`): a user's rows, most
    // likely, though the schema does not make the name a key (typehero).
    let by_parent = filter.is_some_and(|w| {
        crate::analysis::prisma::filters_by_looked_up_parent(w, model_of(&call, cx), cx)
    });
    let guessed = !known
        || windowed
        || by_parent
        || (filter.is_some() && !in_schema)
        || (narrow_select && !size_known);
    if has("distinct") {
        sink.report(
            Diagnostic::new(
                RULE.id,
                node.byte_range(),
                format!("`{}` with `distinct` and no `take` loads every matching `{model}` row and deduplicates them in memory", call.callee),
            )
            .with_help("add `take`, or let the database deduplicate with `groupBy({ by: [...] })`")
            .guessed(guessed)
            .high_where_it_runs(where_it_runs),
            call.conditions.clone(),
        );
        return;
    }
    let grows = is_growing(&model, cx);
    let what = match numbers {
        Some((_, rows)) if filter.is_none() => {
            format!(
                "every `{model}` row (about {})",
                crate::project::stats::count(rows)
            )
        }
        Some((_, rows)) => format!(
            "every matching `{model}` row, of about {} in the table",
            crate::project::stats::count(rows)
        ),
        None if grows => format!("every `{model}` row, a table that grows with use"),
        None => format!("every matching `{model}` row"),
    };
    let message = match filter {
        None => format!("`{}` has no `where` and no `take`: it loads {what}", call.callee),
        Some(_) => format!(
            "`{}` has no `take` and its `where` does not narrow it to a parent or a key: it loads {what}",
            call.callee
        ),
    };
    sink.report(
        Diagnostic::new(RULE.id, node.byte_range(), message)
            .with_help(
                "page it with `take` and a `cursor`, narrow `where` to a parent (`where: { ownerId }`), or count with `count()` if you only need the number",
            )
            .guessed(guessed)
            .high_where_it_runs(where_it_runs),
        call.conditions.clone(),
    );
}

/// How many scalar columns a `select` may pick and still be narrow.
const NARROW_SELECT: usize = 4;

/// `{ id: true, orgId: true }`: at most [`NARROW_SELECT`] columns, each `true`, no relation (by
/// the schema), `_count` or nested select.
fn selects_few_scalars(
    select: Node,
    model: Option<&crate::project::schema::Model>,
    cx: &FileCx,
) -> bool {
    let src = cx.src;
    // A relation selected with `true` loads its rows.
    let relation = |key: &str| {
        model.and_then(|m| m.field(key)).is_some_and(|f| {
            f.list
                || cx
                    .schema
                    .is_some_and(|s| s.models.contains_key(&f.type_name))
        })
    };
    let select = unwrap_expression(select);
    if select.k() != "object" {
        return false;
    }
    let props = properties(select, src);
    !props.is_empty()
        && props.len() <= NARROW_SELECT
        && props.iter().all(|(key, value)| {
            !key.starts_with('_') && !relation(key) && src.get(value.byte_range()) == Some("true")
        })
        && props.len() == select.named_child_count()
}

/// Links of a chain that bound what it returns, or stream it.
const BOUNDING_LINKS: &[&str] = &[
    "limit",
    "take",
    "cursor",
    "stream",
    "iterator",
    "paginate",
    "batchSize",
    "first",
];

/// The other ORMs: Sequelize `findAll`, TypeORM `find`/`findBy`/query builders, Mongoose `find`,
/// Drizzle `select().from()` and `query.<t>.findMany`, Kysely `selectFrom(...).execute()`.
/// How `unbounded-find-many` judges a query of another ORM than Prisma (also for
/// `in-memory-filter`, which reports the rows it loads).
pub(crate) struct OrmVerdict {
    /// The model as messages name it (`User`), `row` when the call names none.
    pub model: String,
    pub named: bool,
    /// How many rows it loads is a fact: the table's growth, or a child table read whole.
    pub known: bool,
    /// The fact is the table's growth itself (else it is high only where it runs).
    pub size_known: bool,
    /// The table's estimated rows, from the database's statistics.
    pub rows: Option<f64>,
}

/// `None` when the query is bounded, narrowed, of a small table, or cannot be judged.
pub(crate) fn judge_orm(call: &OrmCall, cx: &FileCx) -> Option<OrmVerdict> {
    // A builder in a variable may have been bounded by statements in between.
    if call.returns != Returns::Many || call.operation == "aggregate" || call.via_variable {
        return None;
    }
    if call.has_link(BOUNDING_LINKS) {
        return None;
    }
    let src = cx.src;
    let op_args = operation_arguments(call, cx);
    let options = call.options;
    // Options or a filter built elsewhere (`findAll(query)`) cannot be judged.
    // `createQueryBuilder('job')`: an alias (and an entity), no options.
    let builder = call.orm == Orm::TypeOrm && call.operation == "createQueryBuilder";
    let judged_args = op_args.filter(|_| !builder).map_or(0, |a| {
        let entity = usize::from(call.orm == Orm::TypeOrm && is_entity_first(a, cx));
        a.named_child_count().saturating_sub(entity)
    });
    if options.is_none()
        && judged_args > 0
        && !matches!(call.orm, Orm::Drizzle | Orm::Kysely | Orm::Knex)
    {
        return None;
    }
    if options.is_some_and(is_spread_built) {
        return None;
    }
    let has = |key| options.and_then(|o| property(o, key, src)).is_some();
    if has("limit") || has("take") {
        return None;
    }
    // TypeORM's entity class, read from its source: its keys judge the filter.
    let entity = match (call.orm, call.model.as_deref()) {
        (Orm::TypeOrm, Some(name)) => crate::analysis::orm::typeorm_entity(name, cx),
        _ => None,
    };
    let entity = entity.as_ref();
    // A Drizzle table, read from the project's schema files.
    let table = match (call.orm, call.model.as_deref()) {
        (Orm::Drizzle, Some(name)) => cx
            .project
            .drizzle
            .models
            .get(name.rsplit('.').next().unwrap_or(name)),
        _ => None,
    };
    let narrowed = match (call.orm, call.operation) {
        (Orm::TypeOrm, "findBy" | "findAndCountBy") => {
            options.is_some_and(|f| narrows(f, entity, cx))
        }
        // The filter is the argument itself.
        (Orm::Mongoose, _) => options.is_some_and(|f| narrows(f, None, cx)),
        (Orm::Drizzle, "findMany") => options
            .and_then(|o| property(o, "where", src))
            .is_some_and(|w| narrows_drizzle_where(w, table, cx)),
        (Orm::Drizzle, _) if options.is_none() => chain_where_narrows_in(call, table, cx),
        (Orm::Knex, _) => knex_where_narrows(call, cx, |o| narrows(o, None, cx)),
        (Orm::Drizzle | Orm::Kysely, _) | (Orm::TypeOrm, _) if options.is_none() => {
            chain_where_narrows(call, cx)
        }
        // TypeORM 0.2's `find({ userId, status })`: conditions without find options.
        (Orm::TypeOrm, _) if options.is_some_and(|o| !has_find_options(o, cx)) => {
            options.is_some_and(|f| narrows(f, entity, cx))
        }
        _ => options
            .and_then(|o| property(o, "where", src))
            .is_some_and(|w| narrows(w, entity, cx)),
    };
    if narrowed {
        return None;
    }
    let named = call.model.as_deref().map(display_model);
    let model = named.clone().unwrap_or_else(|| "row".into());
    if named.is_some()
        && !is_growing(&model, cx)
        && (declared_bounded(&model, cx) || crate::project::schema::name_suggests_bounded(&model))
    {
        return None;
    }
    if entity.is_some_and(|e| e.growth == Some(crate::project::schema::Growth::Bounded)) {
        return None;
    }
    // A repository of an entity this file does not name (`this.roleRepository.find()`, typed
    // with the project's own class): its name is all there is to go by.
    if named.is_none()
        && receiver_name(&call.callee).is_some_and(|r| {
            crate::project::schema::name_suggests_bounded(r)
                && !crate::project::schema::name_suggests_growth(r)
        })
    {
        return None;
    }
    // A fact: the config says the model grows, or TypeORM's entity shows it (a doc comment, a
    // child table of many rows per parent, a history). The other ORMs' data models are not read
    // yet.
    // A Drizzle table is judged as a Prisma model is: a child table read whole, a history, rows
    // of rows.
    let filtered =
        call.has_link(&["where"]) || options.is_some_and(|o| property(o, "where", src).is_some());
    // The database's statistics: of the data model's table when there is one, else of the
    // table the call names (Knex, Kysely, Sequelize).
    let numbers = match entity.or(table) {
        Some(m) => crate::analysis::prisma::table_numbers(m, cx),
        None => call
            .model
            .as_deref()
            .and_then(|name| crate::analysis::prisma::named_table_numbers(name, cx)),
    };
    if numbers.is_some_and(|(size, _)| size == Size::Small) {
        return None;
    }
    let measured_large = !filtered && numbers.is_some_and(|(size, _)| size == Size::Large);
    let size_known = measured_large
        || named
            .as_ref()
            .is_some_and(|m| cx.config.prisma_growing.iter().any(|g| g == m))
        || entity.is_some_and(|e| {
            e.growth == Some(crate::project::schema::Growth::Growing)
                || crate::analysis::prisma::is_history(e)
        })
        || table.is_some_and(|t| crate::analysis::prisma::size_is_known_in(t, &model, cx));
    let known = size_known
        || entity.is_some_and(crate::analysis::prisma::has_required_parent)
        || table.is_some_and(|t| {
            crate::analysis::prisma::size_is_known_in(t, &model, cx)
                || (!filtered
                    && crate::analysis::prisma::has_required_parent(t)
                    && !drizzle_few_columns(call, op_args, cx))
        });
    Some(OrmVerdict {
        model,
        named: named.is_some(),
        known,
        size_known,
        rows: numbers.map(|(_, rows)| rows),
    })
}

fn check_orm(call: &OrmCall, cx: &FileCx, sink: &mut Sink) {
    let Some(verdict) = judge_orm(call, cx) else {
        return;
    };
    let model = verdict.model;
    let (limit, filter) = match call.orm {
        Orm::TypeOrm => ("`take`", "`where`"),
        Orm::Mongoose => ("`.limit()`", "filter"),
        Orm::Drizzle | Orm::Kysely | Orm::Knex => ("`limit`", "`where`"),
        Orm::Sequelize => ("`limit`", "`where`"),
    };
    let what = if let Some(rows) = verdict.rows {
        format!(
            "every matching `{model}` row, of about {} in the table",
            crate::project::stats::count(rows)
        )
    } else if !verdict.named {
        "every matching row".to_string()
    } else if is_growing(&model, cx) {
        format!("every `{model}` row, a table that grows with use")
    } else {
        format!("every matching `{model}` row")
    };
    let message = format!(
        "`{}` has no {limit} and no {filter} that narrows it to a parent or a key: it loads {what}",
        call.callee
    );
    let help = match call.orm {
        Orm::Sequelize => "page it with `limit` and a keyset `where: { id: { [Op.gt]: lastId } }`, narrow `where` to a parent (`where: { teamId }`), or use `count()` if you only need the number",
        Orm::TypeOrm => "page it with `take` and a keyset `where`, narrow `where` to a parent (`where: { ownerId }`), or use `count()` if you only need the number",
        Orm::Mongoose => "page it with `.limit()` and a keyset filter (`{ _id: { $gt: lastId } }`), narrow the filter to a parent, stream it with `.cursor()`, or use `countDocuments()`",
        Orm::Drizzle => "page it with `.limit()` and a keyset `where(gt(t.id, lastId))`, narrow `where` to a parent (`eq(t.ownerId, id)`), or count with `count()`",
        Orm::Kysely => "page it with `.limit()` and a keyset `where('id', '>', lastId)`, narrow `where` to a parent, or count with `fn.count`",
        Orm::Knex => "page it with `.limit()` and a keyset `.where('id', '>', lastId)`, narrow `.where()` to a parent (`.where('team_id', teamId)`), stream it with `.stream()`, or use `.count()` if you only need the number",
    };
    sink.report(
        Diagnostic::new(RULE.id, call.call.byte_range(), message)
            .with_help(help)
            .guessed(!verdict.known)
            .high_where_it_runs(!verdict.size_known),
        call.conditions.clone(),
    );
}

/// The arguments of the chain's operation (`findAll(...)`, `find(...)`).
fn operation_arguments<'t>(call: &OrmCall<'t>, cx: &FileCx<'t>) -> Option<Node<'t>> {
    let mut node = call.call;
    for _ in 0..call.links.len() {
        let (object, _, _) = method_call(node, cx.src)?;
        node = unwrap_expression(object);
    }
    node.field("arguments")
}

fn is_entity_first(args: Node, cx: &FileCx) -> bool {
    args.named_child(0).is_some_and(|a| {
        a.k() == "identifier" && cx.text(a).starts_with(|c: char| c.is_ascii_uppercase())
    })
}

/// Drizzle's `where`: an object (`{ id }`), `eq(t.userId, id)`, or a callback returning one.
fn narrows_drizzle_where(
    filter: Node,
    table: Option<&crate::project::schema::Model>,
    cx: &FileCx,
) -> bool {
    match unwrap_expression(filter).k() {
        "object" => narrows(filter, table, cx),
        "identifier" | "member_expression" | "subscript_expression" => true,
        _ => narrows_by_call_in(filter, table, cx),
    }
}

/// A Drizzle query of a few columns: `db.select({ id: t.id, orgId: t.orgId }).from(t)`, or
/// `db.query.t.findMany({ columns: { id: true } })` with no `with`. As for Prisma's narrow
/// `select`, rows of a few ids are small (read on Dokploy: jobs and scopes listing ids).
fn drizzle_few_columns(call: &OrmCall, op_args: Option<Node>, cx: &FileCx) -> bool {
    let src = cx.src;
    let few = |object: Node, each: &dyn Fn(Node) -> bool| {
        let props = properties(object, src);
        !props.is_empty()
            && props.len() <= NARROW_SELECT
            && props.len() == object.named_child_count()
            && props.iter().all(|(_, v)| each(*v))
    };
    if call.operation.starts_with("select") {
        return op_args
            .and_then(|a| a.named_child(0))
            .map(unwrap_expression)
            .is_some_and(|o| o.k() == "object" && few(o, &|v| v.k() == "member_expression"));
    }
    call.options.is_some_and(|o| {
        property(o, "with", src).is_none()
            && property(o, "columns", src)
                .map(unwrap_expression)
                .is_some_and(|c| {
                    c.k() == "object" && few(c, &|v| src.get(v.byte_range()) == Some("true"))
                })
    })
}

/// Whether a TypeORM options object has any of `FindManyOptions`' keys (else it is a `where`).
fn has_find_options(options: Node, cx: &FileCx) -> bool {
    const KEYS: &[&str] = &[
        "where",
        "select",
        "relations",
        "join",
        "order",
        "skip",
        "take",
        "cache",
        "lock",
        "withDeleted",
        "loadRelationIds",
        "loadEagerRelations",
        "transaction",
        "comment",
        "relationLoadStrategy",
    ];
    let props = properties(options, cx.src);
    props.is_empty() || props.iter().any(|(k, _)| KEYS.contains(k))
}

/// The receiver's last name in a callee: `roleRepository` in `this.roleRepository.find`.
fn receiver_name(callee: &str) -> Option<&str> {
    let (receiver, _) = callee.rsplit_once('.')?;
    let name = receiver.rsplit('.').next()?;
    (name != "this" && !name.is_empty()).then_some(name)
}

/// `users` -> `User`, `auditLogs` -> `AuditLog`, `ChatFlow` stays.
fn display_model(name: &str) -> String {
    let name = name.rsplit('.').next().unwrap_or(name);
    let mut chars = name.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    match capital.strip_suffix('s') {
        Some(singular)
            if !singular.ends_with('s') && name.chars().next().is_some_and(char::is_lowercase) =>
        {
            singular.to_string()
        }
        _ => capital,
    }
}

/// A model marked `/// @leaklint bounded` or listed in `[prisma] bounded`.
fn declared_bounded(model: &str, cx: &FileCx) -> bool {
    cx.config.prisma_bounded.iter().any(|m| m == model)
        || cx
            .schema
            .and_then(|s| s.models.get(model))
            .is_some_and(|m| m.growth == Some(crate::project::schema::Growth::Bounded))
}

/// `{ ...args, where }`: options assembled from a variable.
fn is_spread_built(options: Node) -> bool {
    let mut cursor = options.walk();
    let spread = options
        .named_children(&mut cursor)
        .any(|c| c.k() == "spread_element");
    spread
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::lint_rule;

    const SCHEMA: &str = "model Team {\n id String @id\n slug String @unique\n members Member[]\n}\nmodel Member {\n id String @id\n teamId String\n team Team @relation(fields: [teamId], references: [id])\n role String\n}\nmodel PageView {\n id String @id\n path String\n}\n";

    fn fails(src: &str) -> usize {
        lint_rule("unbounded-find-many", src, Some(SCHEMA)).len()
    }

    #[test]
    fn confidence_rests_on_the_schema() {
        use crate::diagnostic::Confidence::{High, Medium};
        let tier = |src: &str, schema: Option<&str>| -> Vec<_> {
            lint_rule("unbounded-find-many", src, schema)
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        // A child table holds the rows of every parent: a fact from the schema.
        assert_eq!(tier("prisma.member.findMany();", Some(SCHEMA)), [High]);
        // Filtered on its state, how many rows match is a guess for a child of a root table (a
        // team's members, programs, webhooks)...
        assert_eq!(
            tier(
                "prisma.member.findMany({ where: { role: 'admin' } });",
                Some(SCHEMA)
            ),
            [Medium]
        );
        // ...also for rows of rows (the enrollments of every program of every workspace): how
        // many rows each parent has is not in the schema.
        let rows_of_rows = "model Workspace {\n id String @id\n}\nmodel Program {\n id String @id\n workspaceId String\n workspace Workspace @relation(fields: [workspaceId], references: [id])\n}\nmodel Enrollment {\n id String @id\n programId String\n program Program @relation(fields: [programId], references: [id])\n status String\n}\n";
        assert_eq!(
            tier(
                "prisma.enrollment.findMany({ where: { status: 'pending' } });",
                Some(rows_of_rows)
            ),
            [Medium]
        );
        // A table keyed by its parent (one row per team: settings) is not a child table.
        let settings = "model Team {\n id String @id\n}\nmodel TeamProfile {\n teamId String @id\n team Team @relation(fields: [teamId], references: [id])\n}\n";
        assert_eq!(
            tier("prisma.teamProfile.findMany();", Some(settings)),
            [Medium]
        );
        // `PageView` grows by its name only.
        assert_eq!(tier("prisma.pageView.findMany();", Some(SCHEMA)), [Medium]);
        // No schema: the same query rests on a guess.
        assert_eq!(tier("prisma.member.findMany();", None), [Medium]);
        // An optional parent: rows exist without one (a catalog with optional scoping).
        let optional = "model Project {\n id String @id\n}\nmodel Region {\n id String @id\n projectId String?\n project Project? @relation(fields: [projectId], references: [id])\n}\n";
        assert_eq!(tier("prisma.region.findMany();", Some(optional)), [Medium]);
        // Both branches of a ternary `where` narrow by key.
        assert_eq!(
            tier(
                "prisma.member.findMany({ where: user ? { AND: [{ id: { in: ids } }, { role }] } : { id: { in: ids } } });",
                Some(SCHEMA)
            ),
            []
        );
        assert_eq!(
            tier(
                "prisma.member.findMany({ where: user ? { id: { in: ids } } : { role } });",
                Some(SCHEMA)
            ),
            [Medium]
        );
        // `distinct` is judged like any other list: by the schema.
        assert_eq!(
            tier(
                "prisma.pageView.findMany({ distinct: ['path'] });",
                Some(SCHEMA)
            ),
            [Medium]
        );
        assert_eq!(
            tier(
                "prisma.member.findMany({ distinct: ['role'] });",
                Some(SCHEMA)
            ),
            [High]
        );
        // A doc comment makes growth a fact.
        let marked = "/// @leaklint growing\nmodel PageView {\n id String @id\n}\n";
        assert_eq!(tier("prisma.pageView.findMany();", Some(marked)), [High]);
        // Other ORMs have no data model leaklint reads yet: the fixtures' `expect(medium)`.
    }

    #[test]
    fn fail() {
        for src in [
            "prisma.pageView.findMany();",
            "prisma.pageView.findMany({ where: { path: '/home' } });",
            "prisma.member.findMany({ where: { role: 'admin' } });",
            "prisma.member.findMany({ where: { teamId: { not: id } } });",
            "prisma.member.findMany({ where: { OR: [{ teamId }, { role: 'x' }] } });",
            "prisma.member.findMany({ where: { role: 'x' }, distinct: ['teamId'] });",
        ] {
            assert_eq!(fails(src), 1, "{src}");
        }
        let found = lint_rule(
            "unbounded-find-many",
            "prisma.pageView.findMany();",
            Some(SCHEMA),
        );
        assert_eq!(
            found[0].message,
            "`prisma.pageView.findMany` has no `where` and no `take`: it loads every `PageView` row, a table that grows with use"
        );
    }

    #[test]
    fn pass() {
        for src in [
            "prisma.pageView.findMany({ take: 100 });",
            "prisma.member.findMany({ where: { teamId } });",
            "prisma.member.findMany({ where: { teamId: team.id, role: 'x' } });",
            "prisma.member.findMany({ where: { team: { slug } } });",
            "prisma.member.findMany({ where: { id: { in: ids } } });",
            "prisma.member.findMany({ where: { AND: [{ role: 'x' }, { teamId }] } });",
            // the teams some member of which is this user: narrowed to the user
            "prisma.team.findMany({ where: { members: { some: { id: memberId } } } });",
            "prisma.member.findMany(args);",
            "prisma.member.findMany({ ...args, orderBy: { id: 'asc' } });",
            "prisma.member.findMany({ where });",
            "prisma.member.findFirst({ where: { role: 'x' } });",
            // distinct over one parent's rows is small
            "prisma.member.findMany({ where: { teamId }, distinct: ['role'] });",
            // a lookup table, by its name
            "prisma.siteSettings.findMany();",
        ] {
            assert_eq!(fails(src), 0, "{src}");
        }
    }

    /// Checks that each of `narrowed` gives no finding and each of `unbounded` one, each written
    /// in place of `BODY` in `template`.
    fn judge(template: &str, narrowed: &[&str], unbounded: &[&str]) {
        let count = |body: &str| {
            lint_rule("unbounded-find-many", &template.replace("BODY", body), None).len()
        };
        for body in narrowed {
            assert_eq!(count(body), 0, "{body}");
        }
        for body in unbounded {
            assert_eq!(count(body), 1, "{body}");
        }
    }

    #[test]
    fn typeorm_where_forms() {
        let template = "import { In, MoreThan, Not, Repository } from 'typeorm';\nclass Orders extends Repository<Order> { list(ids, day, customerId, status) { return BODY; } }";
        judge(
            template,
            &[
                "this.find({ where: [{ customerId: In(ids) }] })",
                "this.find({ where: [{ customerId }, { id: In(ids) }] })",
                "this.find({ where: (qb) => qb.where('a = 1') })",
                // TypeORM 0.2: conditions without find options
                "this.find({ customerId, status })",
                // `.then` on the query is not a second query
                "this.find({ where: { customerId } }).then((rows) => rows.length)",
            ],
            &[
                "this.find({ where: [{ customerId }, { status: 'open' }] })",
                "this.find({ where: { createdAt: MoreThan(day) } })",
                "this.find({ where: { customerId: Not(customerId) } })",
                "this.find({ status })",
                "this.find().then((rows) => rows.length)",
            ],
        );
        let src = "import { Repository } from 'typeorm';\nclass Orders extends Repository<OrderEntity> { all() { return this.find(); } }";
        let found = lint_rule("unbounded-find-many", src, None);
        assert_eq!(
            found[0].message,
            "`this.find` has no `take` and no `where` that narrows it to a parent or a key: it loads every matching `OrderEntity` row"
        );
    }

    #[test]
    fn knex_filters_on_a_picked_value_and_table_constants() {
        let template = "import knex, { Knex } from 'knex';\nconst TYPES = 'feature_types';\nconst EVENTS = 'events';\nclass Store { constructor(private db: knex.Knex) {} async list(projectId, feature, q: Knex.QueryBuilder) { return BODY; } }";
        judge(
            template,
            &[
                "this.db('orders').where('project', projectId)",
                "this.db('orders').where('project', '=', projectId)",
                "this.db('orders').where({ project: projectId })",
                "this.db('orders').where({ feature })",
                "this.db('orders').whereIn('name', feature.names)",
                // a lookup table named through a constant
                "this.db.select('*').from(TYPES)",
                // a builder handed in to be composed
                "q.from('feature_tag').select('feature_name')",
            ],
            &[
                "this.db('orders').where('archived', false)",
                "this.db('orders').where('created_at', '>', projectId)",
                "this.db('orders').where({ archived: false })",
                "this.db.select('*').from(EVENTS)",
            ],
        );
    }

    #[test]
    fn knex_chains_with_type_arguments() {
        // tree-sitter-typescript reads `await q.select<Row>(...)` as `(await q.select)<Row>(...)`.
        judge(
            "import { Knex } from 'knex';\nasync function f(db: Knex, noteId: number) { const row = BODY; return row; }",
            &[
                "await db('orders').select<Row>('a').first()",
                "await db('orders').join('users', 'a', 'b').select<Pick<Row, 'a'> & Pick<Note, 'b'>>('a').where('orders.id', noteId).first()",
                "await db('orders').first<Row>('a')",
                // Knex's modifier properties keep the chain: a delete, not a read
                "await db('orders').whereNotIn('a', db.select('id').from('users')).or.whereNotIn('b', db.select('id').from('teams')).del()",
            ],
            &["await db('orders').where('state', 'open').or.where('state', 'new')"],
        );
        let found = lint_rule(
            "unbounded-find-many",
            "import { Knex } from 'knex';\nasync function f(db: Knex) { const rows = await db('orders').select<Row>('a'); return rows; }",
            None,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.starts_with("`db('orders')` has no"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_name_holding_a_knex_builder_is_not_an_instance() {
        let src = "import knex from 'knex';\nfunction a() { const sub = knex('user_org').select('id'); return sub; }\nfunction b(cb) { const sub = (q) => q.subQuery(); return sub(cb); }";
        assert!(lint_rule("unbounded-find-many", src, None).is_empty());
        let src = "import knex from 'knex';\nconst pg = knex({ client: 'pg' });\nfunction b(table) { return pg(table); }";
        assert_eq!(lint_rule("unbounded-find-many", src, None).len(), 1);
    }

    #[test]
    fn without_a_schema_keys_ending_in_id_narrow() {
        assert!(lint_rule(
            "unbounded-find-many",
            "prisma.member.findMany({ where: { teamId } });",
            None
        )
        .is_empty());
        assert_eq!(
            lint_rule(
                "unbounded-find-many",
                "prisma.member.findMany({ where: { role } });",
                None
            )
            .len(),
            1
        );
        // The owner kept as a plain column, with no relation declared (teable's schema).
        for src in [
            "prisma.pin.findMany({ where: { createdBy: userId } });",
            "prisma.plugin.findMany({ where: { createdBy: { in: ['system', userId] } } });",
        ] {
            assert!(
                lint_rule("unbounded-find-many", src, None).is_empty(),
                "{src}"
            );
        }
    }

    #[test]
    fn options_held_by_a_variable() {
        assert_eq!(
            fails("async function f() { const args = { where: { role: 'x' } }; return prisma.member.findMany(args); }"),
            1
        );
        assert_eq!(
            fails("const page = { take: 50 };\nasync function f() { return prisma.member.findMany(page); }"),
            0
        );
        // A parameter: options built elsewhere are not judged.
        assert_eq!(
            fails("async function f(args) { return prisma.member.findMany(args); }"),
            0
        );
    }

    #[test]
    fn typeorm_entities_in_the_file() {
        use crate::diagnostic::Confidence::{High, Medium};
        let src = "import { Entity, ManyToOne, CreateDateColumn, Repository } from 'typeorm';\n@Entity()\nexport class Visit {\n  @ManyToOne(() => Page) page: Page;\n  @CreateDateColumn() at: Date;\n}\nexport class S {\n  constructor(private readonly visits: Repository<Visit>) {}\n  all() { return this.visits.find({ where: { kind: 'x' } }); }\n}\n";
        let tier = |src: &str| -> Vec<_> {
            lint_rule("unbounded-find-many", src, None)
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        // A history: a parent, a timestamp, no `@UpdateDateColumn`.
        assert_eq!(tier(src), [High]);
        // A base class may add the `@UpdateDateColumn`.
        assert_eq!(
            tier(&src.replace("class Visit {", "class Visit extends Base {")),
            [Medium]
        );
    }

    #[test]
    fn a_few_scalar_columns_of_a_table_that_is_no_history_are_medium() {
        use crate::diagnostic::Confidence::{High, Medium};
        let tier = |src: &str| -> Vec<_> {
            lint_rule("unbounded-find-many", src, Some(SCHEMA))
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        // Member is a child table: every row is high...
        assert_eq!(tier("prisma.member.findMany();"), [High]);
        // ...but two columns of each row are small.
        assert_eq!(
            tier("prisma.member.findMany({ select: { id: true, teamId: true } });"),
            [Medium]
        );
        // A relation, a count or many columns: not narrow.
        assert_eq!(
            tier("prisma.member.findMany({ select: { id: true, team: true } });"),
            [High]
        );
        assert_eq!(
            tier("prisma.member.findMany({ select: { id: true, _count: { select: { x: true } } } });"),
            [High]
        );
        assert_eq!(
            tier("prisma.member.findMany({ select: { id: true, teamId: true, role: true, a: true, b: true } });"),
            [High]
        );
        // A history stays high, however few its columns.
        let history = "model Team {\n id String @id\n visits Visit[]\n}\nmodel Visit {\n id String @id\n teamId String\n team Team @relation(fields: [teamId], references: [id])\n at DateTime\n}\n";
        assert_eq!(
            lint_rule(
                "unbounded-find-many",
                "prisma.visit.findMany({ select: { id: true } });",
                Some(history)
            )
            .into_iter()
            .map(|d| d.confidence)
            .collect::<Vec<_>>(),
            [High]
        );
    }

    #[test]
    fn to_one_relation_filters_narrow_as_their_own_filter() {
        // Through a unique key of the parent: one team's members.
        assert_eq!(
            fails("prisma.member.findMany({ where: { team: { slug } } });"),
            0
        );
        // Through a composite unique key of the parent, written as shorthand properties.
        let composite = "model Asset {\n id String @id\n dataSource String\n symbol String\n splits Split[]\n @@unique([dataSource, symbol])\n}\nmodel Split {\n id String @id\n assetId String\n asset Asset @relation(fields: [assetId], references: [id])\n date DateTime\n}\n";
        assert_eq!(
            lint_rule(
                "unbounded-find-many",
                "prisma.split.findMany({ where: { asset: { dataSource, symbol } } });",
                Some(composite)
            )
            .len(),
            0
        );
        assert_eq!(
            lint_rule(
                "unbounded-find-many",
                "prisma.split.findMany({ where: { asset: { symbol } } });",
                Some(composite)
            )
            .len(),
            1
        );
        // A parent looked up by a value from the request (a username): that user's rows.
        let users = "model User {\n id String @id\n name String\n plan String\n solutions Solution[]\n}\nmodel Solution {\n id String @id\n userId String?\n user User? @relation(fields: [userId], references: [id])\n createdAt DateTime\n}\n";
        let by = |src: &str| -> Vec<_> {
            lint_rule("unbounded-find-many", src, Some(users))
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        use crate::diagnostic::Confidence::{High, Medium};
        // Not a key by the schema, so reported, but a guess: medium.
        assert_eq!(
            by("prisma.solution.findMany({ where: { user: { name: username } } });"),
            [Medium]
        );
        assert_eq!(
            by("prisma.solution.findMany({ where: { user: { name: 'bob' } } });"),
            [High]
        );
        assert_eq!(
            by("prisma.solution.findMany({ where: { user: { plan } } });"),
            [High]
        );
        // A plain column of the parent: the members of every team that matches.
        assert_eq!(
            fails("prisma.member.findMany({ where: { team: { role: 'x' } } });"),
            1
        );
        // No schema: an object that is no operator is a relation filter, judged by its keys.
        let none = |src: &str| lint_rule("unbounded-find-many", src, None).len();
        assert_eq!(
            none("prisma.member.findMany({ where: { user: { id: userId } } });"),
            0
        );
        assert_eq!(
            none("prisma.member.findMany({ where: { user: { disabled: false } } });"),
            1
        );
        // An operator object filters a column.
        assert_eq!(
            none("prisma.member.findMany({ where: { createdAt: { gte: since } } });"),
            1
        );
    }
    #[test]
    fn the_rows_of_a_time_window_are_a_guess() {
        use crate::diagnostic::Confidence::{High, Medium};
        let history = "model Model {\n id String @id\n features Featured[]\n}\nmodel Featured {\n id String @id\n modelId String\n model Model @relation(fields: [modelId], references: [id])\n validFrom DateTime\n validTo DateTime\n kind String\n}\n";
        let tier = |src: &str| -> Vec<_> {
            lint_rule("unbounded-find-many", src, Some(history))
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        assert_eq!(
            tier("prisma.featured.findMany({ where: { kind: 'x' } });"),
            [High]
        );
        assert_eq!(
            tier("prisma.featured.findMany({ where: { validFrom: { lte: now }, validTo: { gt: now } } });"),
            [Medium]
        );
        assert_eq!(
            tier("prisma.featured.findMany({ where: { AND: [{ kind: 'x' }, { validFrom: { gte: since } }] } });"),
            [Medium]
        );
        // An equality on a time column is no window.
        assert_eq!(
            tier("prisma.featured.findMany({ where: { validFrom: day } });"),
            [High]
        );
    }

    #[test]
    fn a_looked_up_value_of_an_indexed_text_column_narrows() {
        let schema = "model Partner {\n id String @id\n hash String?\n status String\n name String\n enrollments Enrollment[]\n @@index(hash)\n @@index([status])\n}\nmodel Enrollment {\n id String @id\n partnerId String\n partner Partner @relation(fields: [partnerId], references: [id])\n createdAt DateTime\n}\n";
        let count = |src: &str| lint_rule("unbounded-find-many", src, Some(schema)).len();
        // The partners that share one payout hash, through a to-one relation, and in an `OR`
        // built from spread conditionals.
        assert_eq!(count("prisma.partner.findMany({ where: { hash } });"), 0);
        assert_eq!(
            count("prisma.enrollment.findMany({ where: { partner: { OR: [...(hash ? [{ hash }] : []), ...(wallet ? [{ id: wallet }] : [])] } } });"),
            0
        );
        // A state written in the source is a scan, even of an indexed column.
        assert_eq!(
            count("prisma.partner.findMany({ where: { status: 'active' } });"),
            1
        );
        assert_eq!(
            count("prisma.partner.findMany({ where: { hash: 'x' } });"),
            1
        );
        // A column no index leads.
        assert_eq!(
            count("prisma.enrollment.findMany({ where: { partner: { name } } });"),
            1
        );
        // A category, however indexed, and a time series of one value.
        let more = "model Partner {\n id String @id\n networkStatus String\n @@index(networkStatus)\n}\nmodel Price {\n id String @id\n symbol String\n date DateTime\n @@unique([symbol, date])\n @@index([symbol])\n}\n";
        let other = |src: &str| lint_rule("unbounded-find-many", src, Some(more)).len();
        assert_eq!(
            other("prisma.partner.findMany({ where: { networkStatus } });"),
            1
        );
        assert_eq!(other("prisma.price.findMany({ where: { symbol } });"), 1);
        // A spread conditional whose member does not narrow keeps the `OR` open.
        assert_eq!(
            count("prisma.enrollment.findMany({ where: { partner: { OR: [...(hash ? [{ hash }] : []), { status: 'x' }] } } });"),
            1
        );
    }
}
