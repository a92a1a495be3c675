//! `raw-select-unbounded`: a raw SQL `SELECT` with no `LIMIT`, no aggregate and no key filter.

use super::{Category, Check, FixKind, Rule};
use crate::analysis::sql::{dialect_name, select_bound, sql_text, Bound, SQL_NEEDLES};
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "raw-select-unbounded",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "raw SQL `SELECT` with no `LIMIT`, no aggregate and no key filter",
    doc: include_str!("../../rules/raw-select-unbounded.md"),
    options: &[],
    needles: &[&["SELECT", "select", "Select"], SQL_NEEDLES],
    precheck: None,
    check: Check::Node(check),
};

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if cx.is_test || cx.is_script {
        return;
    }
    let Some(sql) = sql_text(node, cx) else {
        return;
    };
    if !matches!(sql.verb().as_str(), "select" | "with") {
        return;
    }
    // A locking read (`SELECT ... FOR UPDATE`, often sent with `$executeRaw`, which returns a
    // count): it takes locks on rows the transaction is about to change, not rows to keep.
    let upper = sql.text.to_ascii_uppercase();
    if [
        "FOR UPDATE",
        "FOR SHARE",
        "FOR NO KEY UPDATE",
        "FOR KEY SHARE",
    ]
    .iter()
    .any(|l| upper.contains(l))
    {
        return;
    }
    let dialect = dialect_name(cx);
    let Some(bound) = select_bound(&sql.text, &dialect, cx.schema) else {
        sink.unparsed_sql += 1;
        return;
    };
    // The database's statistics of the table read: a small one is no incident; a large one
    // read with no `WHERE` at all is a fact.
    let numbers = match &bound {
        Some(Bound::Unbounded(Some(table))) | Some(Bound::Groups(Some(table), _)) => {
            crate::analysis::prisma::named_table_numbers(table, cx)
        }
        _ => None,
    };
    if numbers.is_some_and(|(size, _)| size == crate::project::stats::Size::Small) {
        return;
    }
    let measured_large = numbers
        .is_some_and(|(size, _)| size == crate::project::stats::Size::Large)
        && !upper.split_whitespace().any(|w| w == "WHERE");
    let rows = numbers.map_or(String::new(), |(_, rows)| {
        format!(
            " (about {} rows in the table)",
            crate::project::stats::count(rows)
        )
    });
    // A fact only when the table is a schema model that grows by the schema or the config.
    let known = measured_large
        || match &bound {
            Some(Bound::Unbounded(Some(table))) | Some(Bound::Groups(Some(table), _)) => {
                let flat = |s: &str| s.replace(['_', '"', '`'], "").to_ascii_lowercase();
                let table = flat(table.rsplit('.').next().unwrap_or(table));
                cx.schema
                    .and_then(|s| s.models.keys().find(|m| flat(m) == table))
                    .is_some_and(|m| crate::analysis::prisma::growth_is_known(m, cx))
            }
            _ => false,
        };
    let what = match bound {
        Some(Bound::Unbounded(Some(table))) => format!("every matching row of `{table}`"),
        Some(Bound::Unbounded(None)) => "every matching row".to_string(),
        Some(Bound::Groups(Some(table), group)) => {
            format!("one row per `{group}` of every matching row of `{table}`")
        }
        Some(Bound::Groups(None, group)) => format!("one row per `{group}` of every matching row"),
        _ => return,
    };
    sink.report(
        Diagnostic::new(
            RULE.id,
            sql.literal.byte_range(),
            format!("raw `SELECT` has no `LIMIT` and no key filter: it returns {what}{rows}"),
        )
        .with_help(
            "add `LIMIT` and page by key (`WHERE id > $1 ORDER BY id LIMIT 100`), filter by a key or a parent's id, or aggregate in SQL if you only need totals",
        )
        .guessed(!known),
        Vec::new(),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::lint_rule;

    fn found(src: &str) -> usize {
        lint_rule("raw-select-unbounded", src, None).len()
    }

    #[test]
    fn fail() {
        for src in [
            "const rows = await prisma.$queryRaw`SELECT * FROM events WHERE kind = ${kind}`;",
            "const rows = await prisma.$queryRawUnsafe('SELECT * FROM events');",
            "const { rows } = await pool.query('SELECT id, name FROM users WHERE active = $1', [true]);",
            "const [rows] = await connection.execute(`SELECT * FROM orders WHERE status = 'open'`);",
            "const rows = await sql`SELECT * FROM logs WHERE level = ${level} ORDER BY ts`;",
            "await db.execute(sql`select * from audit_log`);",
            "await knex.raw('SELECT * FROM users');",
            "await sequelize.query('SELECT * FROM documents', { type: QueryTypes.SELECT });",
            "await pool.query(`WITH recent AS (SELECT * FROM events) SELECT * FROM recent`);",
            // SQL held in a constant of the function or the module
            "const QUERY = 'SELECT * FROM users'; async function f() { return pool.query(QUERY); }",
            // one row per user, a number that grows with the data
            "await pool.query('SELECT user_id, count(*) FROM events GROUP BY user_id');",
            "async function f(kind) { const text = `SELECT * FROM events WHERE kind = ${kind}`; const { rows } = await pool.query(text); }",
        ] {
            assert_eq!(found(src), 1, "{src}");
        }
        let d = &lint_rule(
            "raw-select-unbounded",
            "await pool.query('SELECT * FROM users');",
            None,
        )[0];
        assert_eq!(
            d.message,
            "raw `SELECT` has no `LIMIT` and no key filter: it returns every matching row of `users`"
        );
    }

    #[test]
    fn pass() {
        for src in [
            "await pool.query('SELECT * FROM users LIMIT 50');",
            "await pool.query('SELECT * FROM users WHERE id = $1', [id]);",
            "await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;",
            "await prisma.$queryRaw`SELECT count(*)::int AS n FROM users`;",
            // quoted mixed-case keys, and a locking read
            "await prisma.$queryRaw`SELECT \"orderIndex\" FROM \"TeamCollection\" WHERE \"teamID\" = ${teamId}`;",
            "await tx.$executeRaw(Prisma.sql`SELECT \"orderIndex\" FROM \"Team\" WHERE \"orderIndex\" > 1 FOR UPDATE`);",
            "await pool.query('SELECT * FROM posts WHERE author_id = $1', [userId]);",
            "await pool.query('SELECT 1');",
            // a fragment of an enclosing Knex query (a CTE, a column), judged with it
            "await db.with('ranks', db.raw('select app_name from applications')).select('*').from('ranks').limit(10);",
            // one row per day, per status
            "await pool.query(`SELECT date_trunc('day', ts) AS day, count(*) FROM events WHERE ts > now() - interval '30 days' GROUP BY 1`);",
            "await pool.query('SELECT status, count(*) FROM orders GROUP BY status');",
            // a condition built elsewhere (a fragment) cannot be judged
            "await prisma.$queryRaw`SELECT * FROM events WHERE ${where} AND kind = 'x'`;",
            "await pool.query('INSERT INTO users (name) VALUES ($1)', [name]);",
            // a fragment, not a statement
            "const cond = sql`${users.age} > ${age}`;",
            // does not parse: skipped, counted under --verbose
            "await pool.query(`SELECT * FROM ${table} ${where}`);",
            // a variable changed after it was declared, one from another function, a parameter
            "let q = 'SELECT * FROM users'; q += ' LIMIT 10'; await pool.query(q);",
            "function a() { const q = 'SELECT * FROM users'; } async function f() { return pool.query(q); }",
            "async function f(q) { return pool.query(q); }",
            // not SQL
            "await client.query({ query: GET_USERS });",
            "await axios.get('/select');",
            "$('select').find('option');",
        ] {
            assert_eq!(found(src), 0, "{src}");
        }
    }
}
