//! SQLite, opened read-only: rows and fan-out from `sqlite_stat1` (written by `ANALYZE`) where
//! it describes the table, else, in files of at most 256 MB, exact counts by aggregate queries
//! (`COUNT(*)`, and the number and size of the groups of each key), whose only results are
//! numbers. `sqlite_stat4`, which holds sampled row values, is never read.

use super::{fan_out, quote_ident, Collected, Failure, SQLITE_EXACT_BYTES};
use crate::project::stats::{Reference, Server, TableStats};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;

/// The schema name of SQLite's main database.
const MAIN: &str = "main";

pub(super) fn collect(path: &Path, connected: &dyn Fn()) -> Result<Collected, Failure> {
    // Checked before opening: SQLite would wait forever on a FIFO, and says only "unable to
    // open database file" of a folder.
    let meta = std::fs::metadata(path).map_err(|e| Failure::Connect(super::io_message(&e)))?;
    if meta.is_dir() {
        let why = "it is a folder, not a SQLite database";
        return Err(Failure::Connect(why.to_string()));
    }
    if !meta.is_file() {
        let why = "not a regular file, so not a SQLite database";
        return Err(Failure::Connect(why.to_string()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| Failure::Connect(e.to_string()))?;
    let setup = conn
        .busy_timeout(std::time::Duration::from_secs(5))
        .and_then(|()| conn.execute_batch("PRAGMA query_only = ON"))
        .and_then(|()| conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())));
    if let Err(e) = setup {
        return Err(Failure::Connect(format!("not a SQLite database ({e})")));
    }
    connected();
    let exact_allowed = meta.len() <= SQLITE_EXACT_BYTES;
    read_statistics(&conn, exact_allowed)
        .map(|mut c| {
            c.database = path.file_name().map(|n| n.to_string_lossy().into_owned());
            c
        })
        .map_err(|e| Failure::Collect(e.to_string()))
}

/// `sqlite_stat1` of one table: (index name or `None` for the table itself, whether the index
/// is partial, the stat's numbers).
type Stat1 = Vec<(Option<String>, Vec<f64>)>;

fn read_statistics(conn: &Connection, exact_allowed: bool) -> rusqlite::Result<Collected> {
    let version: String = conn.query_row("SELECT sqlite_version()", [], |r| r.get(0))?;
    let has_stat1: bool = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let mut stat1: HashMap<String, Stat1> = HashMap::new();
    if has_stat1 {
        let mut stmt = conn.prepare("SELECT tbl, idx, stat FROM sqlite_stat1")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (table, index, stat) = row?;
            // "N a b ... [unordered] [sz=..]": numbers first, then keywords.
            let numbers: Vec<f64> = stat
                .unwrap_or_default()
                .split_whitespace()
                .map_while(|w| w.parse().ok())
                .collect();
            if !numbers.is_empty() {
                stat1
                    .entry(table.to_lowercase())
                    .or_default()
                    .push((index, numbers));
            }
        }
    }
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;

    let mut tables = Vec::new();
    let mut unstated_tables = Vec::new();
    let mut unstated_keys = Vec::new();
    for name in &names {
        let indexes = full_indexes(conn, name)?;
        let stats = stat1.get(&name.to_lowercase());
        // The table's rows: its own stat1 line (a table without indexes), else the largest
        // full index's row count.
        let stat_rows = stats.and_then(|lines| {
            lines
                .iter()
                .filter(|(index, _)| match index {
                    None => true,
                    Some(i) => indexes.contains_key(&i.to_lowercase()),
                })
                .map(|(_, n)| n[0])
                .reduce(f64::max)
        });
        let rows = match stat_rows {
            Some(rows) => rows,
            None if exact_allowed => conn.query_row(
                &format!("SELECT count(*) FROM {}", quote_ident(name)),
                [],
                |r| r.get::<_, i64>(0),
            )? as f64,
            None => {
                unstated_tables.push(name.clone());
                continue;
            }
        };
        let mut foreign_keys = Vec::new();
        for (columns, references) in foreign_keys_of(conn, name)? {
            // sqlite_stat1 of an index whose first column is the key's: "N a ...", a being
            // the average rows per distinct value of that column.
            let from_stat1 = stats.and_then(|lines| {
                lines.iter().find_map(|(index, numbers)| {
                    let index = index.as_ref()?.to_lowercase();
                    let first = indexes.get(&index)?;
                    (first.eq_ignore_ascii_case(&columns[0]) && numbers.len() > 1)
                        .then(|| (numbers[0], numbers[1].max(1.0)))
                })
            });
            if let Some((index_rows, per_value)) = from_stat1 {
                foreign_keys.push(fan_out(
                    columns,
                    references,
                    index_rows,
                    index_rows / per_value,
                    None,
                ));
            } else if exact_allowed {
                let (groups, children, max) = exact_fan_out(conn, name, &columns)?;
                foreign_keys.push(fan_out(columns, references, children, groups, max));
            } else {
                unstated_keys.push(format!("{MAIN}.{name}({})", columns.join(", ")));
            }
        }
        tables.push(TableStats {
            schema: Some(MAIN.to_string()),
            name: name.clone(),
            rows: rows.round(),
            inserts: None,
            last_analyze: None,
            foreign_keys,
        });
    }
    Ok(Collected {
        server: Server {
            kind: "sqlite".to_string(),
            version,
        },
        database: None,
        tables,
        unstated_keys,
        unstated_tables,
        notes: Vec::new(),
    })
}

/// The table's indexes that are not partial, by lowercased name, with their first column.
fn full_indexes(conn: &Connection, table: &str) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare(
        "SELECT il.name, ii.name FROM pragma_index_list(?1) AS il \
         JOIN pragma_index_info(il.name) AS ii ON ii.seqno = 0 \
         WHERE il.partial = 0",
    )?;
    let rows = stmt.query_map([table], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (index, first) = row?;
        // An index on an expression has no first column name.
        if let Some(first) = first {
            out.insert(index.to_lowercase(), first);
        }
    }
    Ok(out)
}

/// The table's foreign keys: columns in key order, and what they reference (the parent's
/// primary key when the key names no columns).
fn foreign_keys_of(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<Vec<(Vec<String>, Reference)>> {
    let mut stmt = conn.prepare(
        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let rows = stmt.query_map([table], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    // (id, parent, child columns, parent columns as named)
    type Key = (i64, String, Vec<String>, Vec<Option<String>>);
    let mut keys: Vec<Key> = Vec::new();
    for row in rows {
        let (id, parent, from, to) = row?;
        match keys.last_mut() {
            Some(key) if key.0 == id => {
                key.2.push(from);
                key.3.push(to);
            }
            _ => keys.push((id, parent, vec![from], vec![to])),
        }
    }
    let mut out = Vec::new();
    for (_, parent, from, to) in keys {
        let to = if to.iter().all(Option::is_some) {
            to.into_iter().flatten().collect()
        } else {
            let mut stmt =
                conn.prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
            let pk: Vec<String> = stmt
                .query_map([&parent], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            pk
        };
        out.push((
            from,
            Reference {
                schema: Some(MAIN.to_string()),
                table: parent,
                columns: to,
            },
        ));
    }
    Ok(out)
}

/// Exact fan-out of a key: the number of distinct non-null keys, the rows that have one, and
/// the largest group. The inner query returns each group's size and nothing of the key.
fn exact_fan_out(
    conn: &Connection,
    table: &str,
    columns: &[String],
) -> rusqlite::Result<(f64, f64, Option<f64>)> {
    let keys: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let not_null: Vec<String> = keys.iter().map(|k| format!("{k} IS NOT NULL")).collect();
    let query = format!(
        "SELECT count(*), coalesce(sum(n), 0), max(n) FROM \
         (SELECT count(*) AS n FROM {} WHERE {} GROUP BY {})",
        quote_ident(table),
        not_null.join(" AND "),
        keys.join(", ")
    );
    conn.query_row(&query, [], |r| {
        Ok((
            r.get::<_, i64>(0)? as f64,
            r.get::<_, i64>(1)? as f64,
            r.get::<_, Option<i64>>(2)?.map(|n| n as f64),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(dir: &Path, analyze: bool) -> std::path::PathBuf {
        let path = dir.join("dev.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE \"Pnode\" (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE \"Obs\" (id INTEGER PRIMARY KEY, \"pnodeId\" INTEGER REFERENCES \"Pnode\", note TEXT);
             CREATE INDEX obs_pnode ON \"Obs\"(\"pnodeId\");
             CREATE TABLE \"Tag\" (id INTEGER PRIMARY KEY, \"pnodeId\" INTEGER REFERENCES \"Pnode\"(id));
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
               INSERT INTO \"Pnode\" SELECT i, 'secret-name-' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
               INSERT INTO \"Obs\" SELECT i, CASE WHEN i <= 100 THEN 1 ELSE 2 + i % 9 END, 'x' FROM n;
             INSERT INTO \"Tag\" VALUES (1, 1), (2, 1), (3, NULL);",
        )
        .unwrap();
        if analyze {
            conn.execute_batch("ANALYZE").unwrap();
        }
        path
    }

    fn collect_file(path: &Path) -> Collected {
        collect(path, &|| {}).unwrap()
    }

    #[test]
    fn exact_counts_without_analyze() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect_file(&database(dir.path(), false));
        assert_eq!(c.server.kind, "sqlite");
        let obs = c.tables.iter().find(|t| t.name == "Obs").unwrap();
        assert_eq!(obs.rows, 1000.0);
        let fk = &obs.foreign_keys[0];
        assert_eq!(fk.references.table, "Pnode");
        assert_eq!(fk.references.columns, vec!["id"]);
        assert_eq!(fk.distinct_parents, 10.0);
        assert_eq!(fk.avg_children, 100.0);
        assert_eq!(fk.max_children, Some(100.0));
        let tag = c.tables.iter().find(|t| t.name == "Tag").unwrap();
        assert_eq!(tag.foreign_keys[0].distinct_parents, 1.0);
        assert_eq!(tag.foreign_keys[0].avg_children, 2.0);
    }

    #[test]
    fn stat1_after_analyze() {
        let dir = tempfile::tempdir().unwrap();
        let c = collect_file(&database(dir.path(), true));
        let obs = c.tables.iter().find(|t| t.name == "Obs").unwrap();
        assert_eq!(obs.rows, 1000.0);
        let fk = &obs.foreign_keys[0];
        // sqlite_stat1 "1000 100": the average rows per key, no maximum.
        assert_eq!(fk.avg_children, 100.0);
        assert_eq!(fk.distinct_parents, 10.0);
        assert_eq!(fk.max_children, None);
    }

    #[test]
    fn what_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let err = |p: &Path| match collect(p, &|| {}) {
            Err(Failure::Connect(e)) => e,
            other => panic!("{other:?}"),
        };
        assert!(err(dir.path()).contains("is a folder"));
        let text = dir.path().join("notes.db");
        std::fs::write(
            &text,
            "hello, this is not a database at all, but it is long enough",
        )
        .unwrap();
        assert!(
            err(&text).contains("not a SQLite database"),
            "{}",
            err(&text)
        );
        assert!(err(&dir.path().join("missing.db")).contains("no such file"));
    }
}
