//! Raw SQL in the code: where it is written (tagged templates, string arguments of driver calls),
//! which dialect parses it, and what a parsed `SELECT` returns at most.

use super::node::NodeExt;
use super::syntax::{method_call, string_value, MAX_NESTING};
use super::FileCx;
use crate::project::schema::Schema;
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Query, SelectItem, SetExpr, Statement, TableFactor,
};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Tokenizer;
use tree_sitter::Node;

/// Methods whose first argument is SQL text: pg's `query`, mysql2's `query`/`execute`,
/// `knex.raw`, `sequelize.query`, Prisma's `$queryRawUnsafe`, postgres.js's `sql.unsafe`.
pub const SQL_METHODS: &[&str] = &[
    "query",
    "execute",
    "raw",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "unsafe",
    "many",
    "any",
    "one",
    "maybeOne",
];

/// Strings one of which a file must contain to hold SQL that leaklint finds.
pub const SQL_NEEDLES: &[&str] = &[
    "sql`",
    "SQL`",
    "$queryRaw",
    ".query(",
    ".execute(",
    ".raw(",
    ".unsafe(",
    ".many(",
    ".any(",
    ".one(",
    ".maybeOne(",
];

/// SQL text written in the code.
#[derive(Debug, Clone)]
pub struct SqlText<'t> {
    /// The string or template literal that holds the SQL.
    pub literal: Node<'t>,
    /// The call that sends it, or the tagged template.
    pub call: Node<'t>,
    /// The text with every template hole replaced by a placeholder.
    pub text: String,
}

impl SqlText<'_> {
    /// The first keyword, lowercased: `select`, `with`, `insert`...
    pub fn verb(&self) -> String {
        first_keyword(&self.text)
    }

    /// Whether the text reads like a whole statement rather than a fragment (`count(*)`).
    pub fn is_statement(&self) -> bool {
        matches!(
            self.verb().as_str(),
            "select" | "with" | "insert" | "update" | "delete" | "replace" | "merge"
        )
    }

    pub fn is_write(&self) -> bool {
        matches!(
            self.verb().as_str(),
            "insert" | "update" | "delete" | "replace" | "merge"
        )
    }
}

/// The SQL `node` holds, if it is a tagged SQL template (`sql\`...\``, `Prisma.sql\`...\``,
/// `prisma.$queryRaw\`...\``) or a driver call whose first argument is a string or an untagged
/// template (`pool.query("SELECT ...")`). A tagged template passed to a driver call is found once,
/// as the template.
pub fn sql_text<'t>(node: Node<'t>, cx: &FileCx<'t>) -> Option<SqlText<'t>> {
    if node.k() != "call_expression" {
        return None;
    }
    let args = node.field("arguments")?;
    let placeholder = Placeholder::for_dialect(&dialect_name(cx));
    if args.k() == "template_string" {
        let tag = node.field("function")?;
        if !is_sql_tag(cx.text(tag)) {
            return None;
        }
        return Some(SqlText {
            literal: args,
            call: node,
            text: template_text(args, cx.src, placeholder),
        });
    }
    let (_, method, args) = method_call(node, cx.src)?;
    if !SQL_METHODS.contains(&method) {
        return None;
    }
    // `.with('ranks', db.raw('select ...'))`, `.select(knex.raw(...))`: a fragment of the
    // enclosing query, judged with it, not a statement sent on its own.
    if method == "raw" && cx.parent().is_some_and(|p| p.k() == "arguments") {
        return None;
    }
    let mut first = args.named_child(0)?;
    if first.k() == "identifier" {
        // `const query = "SELECT ..."; pool.query(query)`.
        first = super::syntax::declared_value(cx.text(first), node, cx)
            .filter(|v| matches!(v.k(), "string" | "template_string"))?;
    }
    let text = match first.k() {
        "string" => string_value(first, cx.src)?.to_string(),
        "template_string" => template_text(first, cx.src, placeholder),
        _ => return None,
    };
    let found = SqlText {
        literal: first,
        call: node,
        text,
    };
    found.is_statement().then_some(found)
}

/// `sql`, `SQL`, `Prisma.sql`, `x.sql`, `x.$queryRaw`, `sql.unsafe`, slonik's `sql.type(T)`.
fn is_sql_tag(tag: &str) -> bool {
    let tag = tag.trim();
    matches!(tag, "sql" | "SQL" | "Prisma.sql")
        || tag.ends_with(".sql")
        || tag.ends_with(".$queryRaw")
        || tag.ends_with(".$executeRaw")
        || tag.starts_with("sql.")
}

#[derive(Clone, Copy)]
enum Placeholder {
    Dollar,
    Question,
}

impl Placeholder {
    fn for_dialect(dialect: &str) -> Placeholder {
        match dialect {
            "mysql" | "sqlite" => Placeholder::Question,
            _ => Placeholder::Dollar,
        }
    }
}

/// The template's text between the backticks, each `${...}` replaced by `$1`, `$2`... or `?`.
fn template_text(template: Node, src: &str, placeholder: Placeholder) -> String {
    let range = template.byte_range();
    let inner = (range.start + 1)..range.end.saturating_sub(1).max(range.start + 1);
    let mut out = String::with_capacity(inner.len());
    let mut at = inner.start;
    let mut holes = 0;
    let mut cursor = template.walk();
    for child in template.named_children(&mut cursor) {
        if child.k() != "template_substitution" {
            continue;
        }
        out.push_str(super::syntax::text_between(src, at, child.start_byte()));
        holes += 1;
        match placeholder {
            Placeholder::Dollar => out.push_str(&format!("${holes}")),
            Placeholder::Question => out.push('?'),
        }
        at = child.end_byte();
    }
    out.push_str(super::syntax::text_between(src, at, inner.end));
    out
}

fn first_keyword(text: &str) -> String {
    let mut rest = text.trim_start();
    // Leading comments and parentheses: `-- name: ...\nSELECT`, `(SELECT ...)`.
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after
                .split_once('\n')
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after
                .split_once("*/")
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
        } else if let Some(after) = rest.strip_prefix('(') {
            rest = after.trim_start();
        } else {
            break;
        }
    }
    rest.chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The SQL dialect of a file's database: the Prisma datasource's provider, else the driver its
/// package (or a workspace package it depends on) uses; `generic` when neither says.
pub fn dialect_name(cx: &FileCx) -> String {
    if let Some(provider) = cx.schema.and_then(|s| s.provider.as_deref()) {
        match provider {
            "postgresql" | "postgres" | "cockroachdb" => return "postgresql".into(),
            "mysql" => return "mysql".into(),
            "sqlite" => return "sqlite".into(),
            _ => {}
        }
    }
    let drivers: &[(&str, &str)] = &[
        ("pg", "postgresql"),
        ("postgres", "postgresql"),
        ("slonik", "postgresql"),
        ("@vercel/postgres", "postgresql"),
        ("@neondatabase/serverless", "postgresql"),
        ("mysql2", "mysql"),
        ("mysql", "mysql"),
        ("better-sqlite3", "sqlite"),
        ("sqlite3", "sqlite"),
        ("@libsql/client", "sqlite"),
    ];
    for (package, dialect) in drivers {
        if cx.depends_on(package) {
            return (*dialect).into();
        }
    }
    "generic".into()
}

/// A statement with more tokens (whitespace included) is not judged, as one that does not parse.
const MAX_SQL_TOKENS: usize = 8_000;
/// sqlparser's limit on nested expressions and subqueries.
const SQL_RECURSION_LIMIT: usize = 50;

fn dialect(name: &str) -> Box<dyn Dialect> {
    match name {
        "postgresql" => Box::new(PostgreSqlDialect {}),
        "mysql" => Box::new(MySqlDialect {}),
        "sqlite" => Box::new(SQLiteDialect {}),
        _ => Box::new(GenericDialect {}),
    }
}

/// What a parsed `SELECT` returns at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// `LIMIT`, `FETCH`, `TOP`.
    Limited,
    /// Aggregates without `GROUP BY`, or no `FROM`: one row.
    OneRow,
    /// Equality on a key column.
    Keyed,
    /// System catalogs, whose size does not grow with the data.
    Catalog,
    /// A table-valued function, whose result size it decides.
    Function,
    /// Aggregates per time bucket or per value of a small-domain column (`GROUP BY date_trunc(...)`,
    /// `GROUP BY status`): as many rows as buckets.
    SmallGroups,
    /// Every matching row; the table read, when there is one.
    Unbounded(Option<String>),
    /// One row per group of a column that grows with the data (`GROUP BY user_id`): the table
    /// read and the grouping.
    Groups(Option<String>, String),
}

/// Parses `text` as one statement in `dialect`: `None` when it does not parse, `Some(None)` when
/// it is not a query.
pub fn select_bound(
    text: &str,
    dialect_name: &str,
    schema: Option<&Schema>,
) -> Option<Option<Bound>> {
    let dialect = dialect(dialect_name);
    // The tokens bound the tree's size, so its depth: sqlparser's recursion limit covers nested
    // parentheses and subqueries, not `a AND b AND ...` or `UNION` chains, which it builds in a
    // loop and which our walks, `Display` and `Drop` then descend.
    let tokens = Tokenizer::new(dialect.as_ref(), text).tokenize().ok()?;
    if tokens.len() > MAX_SQL_TOKENS {
        return None;
    }
    let statements = Parser::new(dialect.as_ref())
        .with_recursion_limit(SQL_RECURSION_LIMIT)
        .with_tokens(tokens)
        .parse_statements()
        .ok()?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return Some(None);
    };
    Some(Some(query_bound(query, schema)))
}

fn query_bound(query: &Query, schema: Option<&Schema>) -> Bound {
    if query.limit_clause.is_some() || query.fetch.is_some() {
        return Bound::Limited;
    }
    set_bound(&query.body, schema)
}

fn set_bound(body: &SetExpr, schema: Option<&Schema>) -> Bound {
    match body {
        SetExpr::Select(select) => {
            if select.top.is_some() {
                return Bound::Limited;
            }
            let groups: &[Expr] = match &select.group_by {
                GroupByExpr::All(_) => &[],
                GroupByExpr::Expressions(exprs, _) => exprs,
            };
            let grouped = matches!(select.group_by, GroupByExpr::All(_)) || !groups.is_empty();
            if select.from.is_empty() || (!grouped && only_aggregates(&select.projection)) {
                return Bound::OneRow;
            }
            // `FROM unnest($1) k LEFT JOIN t ...`: as many rows as the array passed in.
            if select.from.first().is_some_and(|t| {
                matches!(
                    t.relation,
                    TableFactor::UNNEST { .. }
                        | TableFactor::Function { .. }
                        | TableFactor::TableFunction { .. }
                )
            }) {
                return Bound::Function;
            }
            // `GROUP BY 1` and `GROUP BY day` name a selected expression.
            let selected = |group: &Expr| -> Option<Expr> {
                let text = group.to_string();
                let item = match text.parse::<usize>() {
                    Ok(n) => select.projection.get(n.checked_sub(1)?)?,
                    Err(_) => select.projection.iter().find(|item| {
                        matches!(item, SelectItem::ExprWithAlias { alias, .. } if alias.value == text)
                    })?,
                };
                match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        Some(e.clone())
                    }
                    _ => None,
                }
            };
            let small = |group: &Expr| {
                small_domain(group) || selected(group).is_some_and(|e| small_domain(&e))
            };
            if !groups.is_empty() && groups.iter().all(small) {
                return Bound::SmallGroups;
            }
            let tables: Vec<(String, bool)> = select
                .from
                .iter()
                .filter_map(|t| match &t.relation {
                    TableFactor::Table { name, args, .. } => {
                        Some((name.to_string().to_ascii_lowercase(), args.is_some()))
                    }
                    _ => None,
                })
                .collect();
            // `FROM search_documents($1)`: a function decides what it returns.
            if tables.iter().any(|(_, function)| *function) {
                return Bound::Function;
            }
            let tables: Vec<String> = tables.into_iter().map(|(t, _)| t).collect();
            if !tables.is_empty() && tables.iter().all(|t| is_catalog(t)) {
                return Bound::Catalog;
            }
            if select.selection.as_ref().is_some_and(|w| keyed(w, schema)) {
                return Bound::Keyed;
            }
            match groups.iter().find(|g| !small(g)) {
                Some(group) => Bound::Groups(tables.into_iter().next(), group.to_string()),
                None => Bound::Unbounded(tables.into_iter().next()),
            }
        }
        SetExpr::Query(inner) => query_bound(inner, schema),
        // A union is as large as its largest branch.
        SetExpr::SetOperation { left, right, .. } => match set_bound(left, schema) {
            unbounded @ (Bound::Unbounded(_) | Bound::Groups(..)) => unbounded,
            _ => set_bound(right, schema),
        },
        _ => Bound::Limited,
    }
}

/// Functions that bucket time: a grouped query over them returns one row per bucket.
const TIME_BUCKETS: &[&str] = &[
    "date_trunc(",
    "date(",
    "to_char(",
    "extract(",
    "date_part(",
    "strftime(",
    "date_format(",
    "year(",
    "month(",
    "day(",
    "week(",
    "hour(",
    "time_bucket(",
    "tumble(",
];

/// Column names whose values come from a small set: statuses, kinds, calendar units.
const SMALL_DOMAIN_COLUMNS: &[&str] = &[
    "status", "state", "type", "kind", "category", "country", "device", "browser", "os",
    "platform", "source", "plan", "role", "tier", "level", "priority", "channel", "method",
    "locale", "language", "lang", "region", "currency", "day", "week", "month", "year", "hour",
    "date", "start", "period", "bucket", "interval", "event", "action", "provider", "severity",
];

/// A `GROUP BY` expression with few distinct values: a time bucket (`date_trunc('day', ts)`,
/// `DATE(created_at)`) or a column named like a status, a kind or a calendar unit.
fn small_domain(group: &Expr) -> bool {
    let raw = group.to_string();
    if raw.contains('(') {
        let lower = raw.to_ascii_lowercase();
        return TIME_BUCKETS.iter().any(|f| lower.starts_with(f));
    }
    let column = raw.rsplit('.').next().unwrap_or(&raw);
    let column = column.trim_matches(['"', '`', '[', ']']);
    // The last word of `event_type`, `eventType`, `status`.
    let start = column
        .char_indices()
        .rev()
        .find(|&(i, c)| c == '_' || (i > 0 && c.is_ascii_uppercase()))
        .map(|(i, c)| if c == '_' { i + 1 } else { i })
        .unwrap_or(0);
    let last = column[start..].to_ascii_lowercase();
    SMALL_DOMAIN_COLUMNS.contains(&last.as_str())
}

fn is_catalog(table: &str) -> bool {
    let table = table.trim_matches('"');
    table.starts_with("pg_")
        || table.starts_with("information_schema.")
        || table.starts_with("pg_catalog.")
        || table.starts_with("sqlite_")
        || table.starts_with("\"pg_catalog\".")
}

const AGGREGATES: &[&str] = &[
    "count(",
    "sum(",
    "avg(",
    "min(",
    "max(",
    "bool_and(",
    "bool_or(",
    "every(",
    "array_agg(",
    "json_agg(",
    "jsonb_agg(",
    "string_agg(",
    "group_concat(",
    "json_object_agg(",
    "jsonb_object_agg(",
    "json_arrayagg(",
    "json_objectagg(",
];

/// Every selected expression aggregates (`count(*)`, `max(created_at)`), with no window.
fn only_aggregates(projection: &[SelectItem]) -> bool {
    !projection.is_empty()
        && projection.iter().all(|item| {
            let expr = match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
                _ => return false,
            };
            let text = expr.to_string().to_ascii_lowercase();
            let aggregates = AGGREGATES.iter().any(|a| text.contains(a));
            let constant = matches!(expr, Expr::Value(_));
            (aggregates && !text.contains(" over ")) || constant
        })
}

/// Whether a `WHERE` picks rows by equality on a key: `id = $1`, `t.id IN (...)`,
/// `id = ANY($1)`, a unique column of the schema, or a foreign key (`user_id`, `userId`) that
/// narrows to one parent. `AND` narrows when one side does; `OR` when both do.
fn keyed(filter: &Expr, schema: Option<&Schema>) -> bool {
    keyed_within(filter, schema, 0) || keyed_by_compound(filter, schema)
}

/// Whether the `AND`s of `filter` fix, by equality with a value, every column of a compound key
/// of the schema (`WHERE package = $1 AND version = $2` with `@@id([package, version])`).
fn keyed_by_compound(filter: &Expr, schema: Option<&Schema>) -> bool {
    let Some(schema) = schema else {
        return false;
    };
    let flat = |s: &str| s.replace('_', "").to_ascii_lowercase();
    let mut fixed: Vec<String> = Vec::new();
    // An explicit stack over the conjunction; at most a few hundred terms are looked at.
    let mut stack = vec![filter];
    let mut seen = 0;
    while let Some(expr) = stack.pop() {
        seen += 1;
        if seen > 256 {
            return false;
        }
        match expr {
            Expr::Nested(inner) => stack.push(inner),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                stack.push(left);
                stack.push(right);
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                for (column, value) in [(left, right), (right, left)] {
                    let name = match column.as_ref() {
                        Expr::Identifier(ident) => Some(&ident.value),
                        Expr::CompoundIdentifier(parts) => parts.last().map(|p| &p.value),
                        _ => None,
                    };
                    if let Some(name) = name.filter(|_| is_value(value)) {
                        fixed.push(flat(name));
                    }
                }
            }
            _ => {}
        }
    }
    schema.models.values().any(|m| {
        m.compound_unique.iter().any(|key| {
            key.len() >= 2
                && key.iter().all(|field| {
                    let column = m
                        .field(field)
                        .and_then(|f| f.column.as_deref())
                        .unwrap_or(field);
                    fixed.contains(&flat(column)) || fixed.contains(&flat(field))
                })
        })
    })
}

/// [`keyed`] `depth` levels down: past [`MAX_NESTING`], keyed (not judged, nothing reported).
fn keyed_within(filter: &Expr, schema: Option<&Schema>, depth: usize) -> bool {
    if depth >= MAX_NESTING {
        super::syntax::not_judged_too_deep();
        return true;
    }
    let keyed = |filter: &Expr, schema| keyed_within(filter, schema, depth + 1);
    match filter {
        Expr::Nested(inner) => keyed(inner, schema),
        // `WHERE ${conditions}`, `AND ${filter}`: a condition built elsewhere, which cannot be
        // judged (as an options object built elsewhere is not for the ORMs).
        Expr::Value(_) => {
            let text = filter.to_string();
            text.starts_with('$') || text == "?"
        }
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::And => keyed(left, schema) || keyed(right, schema),
            BinaryOperator::Or => keyed(left, schema) && keyed(right, schema),
            BinaryOperator::Eq => {
                (is_key_column(left, schema) && is_value(right))
                    || (is_key_column(right, schema) && is_value(left))
            }
            _ => false,
        },
        Expr::InList {
            expr,
            negated: false,
            ..
        }
        | Expr::InUnnest {
            expr,
            negated: false,
            ..
        }
        | Expr::InSubquery {
            expr,
            negated: false,
            ..
        } => is_key_column(expr, schema),
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            ..
        } => is_key_column(left, schema),
        _ => false,
    }
}

/// A placeholder, a literal or a function of them: not another column (`a.id = b.a_id` joins).
fn is_value(expr: &Expr) -> bool {
    !matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
}

fn is_key_column(mut expr: &Expr, schema: Option<&Schema>) -> bool {
    while let Expr::Nested(inner) = expr {
        expr = inner;
    }
    let name = match expr {
        Expr::Identifier(ident) => &ident.value,
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(last) => &last.value,
            None => return false,
        },
        _ => return false,
    };
    // `id`, `team_id`, `teamId`, `"teamID"`, `teamid`, `user_uuid`.
    if super::orm::key_like(name) || name.ends_with("_uuid") {
        return true;
    }
    schema.is_some_and(|s| {
        s.models.values().any(|m| {
            m.foreign_keys.iter().any(|k| k == name)
                || m.fields.iter().any(|f| f.unique && f.name == *name)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(sql: &str) -> Option<Bound> {
        select_bound(sql, "postgresql", None).flatten()
    }

    #[test]
    fn a_compound_key_of_the_schema_fixed_by_equalities_narrows() {
        let mut schema = Schema::default();
        schema.add_file(
            "s.prisma".into(),
            "model source_spec {\n package String\n version String\n spec Json\n @@id([package, version])\n}\nmodel Embedding {\n inputChecksum String @map(\"input_checksum\")\n model String\n @@unique([inputChecksum, model])\n}\n",
        );
        let judged = |sql: &str| select_bound(sql, "postgresql", Some(&schema)).flatten();
        for sql in [
            "SELECT spec FROM source_spec WHERE package = $1 AND version = $2",
            "SELECT * FROM embedding WHERE (input_checksum = $1) AND model = $2 AND deleted IS NULL",
            "SELECT * FROM embedding WHERE \"inputChecksum\" = $1 AND \"model\" = $2",
        ] {
            assert!(
                !matches!(judged(sql), Some(Bound::Unbounded(_))),
                "{sql}: {:?}",
                judged(sql)
            );
        }
        // Part of the key, or the key's columns compared with each other: not one row.
        for sql in [
            "SELECT spec FROM source_spec WHERE package = $1",
            "SELECT spec FROM source_spec WHERE package = $1 OR version = $2",
            "SELECT * FROM source_spec s WHERE s.package = s.version AND s.version = s.package",
        ] {
            assert!(
                matches!(judged(sql), Some(Bound::Unbounded(_))),
                "{sql}: {:?}",
                judged(sql)
            );
        }
    }

    #[test]
    fn bounds() {
        assert_eq!(bound("SELECT * FROM users LIMIT 10"), Some(Bound::Limited));
        assert_eq!(
            bound("SELECT * FROM users FETCH FIRST 10 ROWS ONLY"),
            Some(Bound::Limited)
        );
        assert_eq!(bound("SELECT count(*) FROM users"), Some(Bound::OneRow));
        assert_eq!(bound("SELECT now()"), Some(Bound::OneRow));
        assert_eq!(
            bound("SELECT * FROM users u WHERE u.id = $1"),
            Some(Bound::Keyed)
        );
        assert_eq!(
            bound("SELECT * FROM users WHERE id = ANY($1)"),
            Some(Bound::Keyed)
        );
        assert_eq!(
            bound("SELECT * FROM pg_indexes WHERE tablename = $1"),
            Some(Bound::Catalog)
        );
        assert_eq!(
            bound("SELECT * FROM users WHERE active = true"),
            Some(Bound::Unbounded(Some("users".into())))
        );
        assert_eq!(
            bound("SELECT a.* FROM a, b WHERE a.id = b.a_id"),
            Some(Bound::Unbounded(Some("a".into())))
        );
        // grouped aggregates: bounded by buckets of time or small domains, else one row per group
        for sql in [
            "SELECT status, count(*) FROM users GROUP BY status",
            "SELECT u.eventType, count(*) FROM events u GROUP BY u.eventType",
            "SELECT date_trunc('day', created_at) AS d, count(*) FROM events GROUP BY date_trunc('day', created_at)",
            "SELECT DATE(created_at), count(*) FROM events GROUP BY DATE(created_at), device_type",
        ] {
            assert_eq!(bound(sql), Some(Bound::SmallGroups), "{sql}");
        }
        assert_eq!(
            bound("SELECT user_id, count(*) FROM events GROUP BY user_id"),
            Some(Bound::Groups(Some("events".into()), "user_id".into()))
        );
        assert_eq!(
            bound("SELECT status, user_id, count(*) FROM events GROUP BY status, user_id"),
            Some(Bound::Groups(Some("events".into()), "user_id".into()))
        );
        // a condition built elsewhere cannot be judged
        assert_eq!(
            bound("SELECT * FROM events WHERE $1 AND kind = 'x'"),
            Some(Bound::Keyed)
        );
        // driven by the array passed in
        assert_eq!(
            bound("SELECT k, (key IS NOT NULL) FROM unnest($2) k LEFT JOIN records ON k = key AND ns = $1"),
            Some(Bound::Function)
        );
        assert_eq!(bound("INSERT INTO t (a) VALUES ($1)"), None);
        assert!(select_bound("SELECT * FROM $1 WHERE", "postgresql", None).is_none());
    }

    #[test]
    fn dialects_parse_their_placeholders() {
        assert!(select_bound("SELECT * FROM t WHERE a = ?", "mysql", None).is_some());
        assert!(select_bound("SELECT * FROM t WHERE a = ?", "sqlite", None).is_some());
        assert!(select_bound("SELECT * FROM t WHERE a = $1", "generic", None).is_some());
        assert!(select_bound("SELECT TOP 5 * FROM t", "generic", None).is_some());
    }
}
