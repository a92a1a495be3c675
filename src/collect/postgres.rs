//! PostgreSQL: row estimates from `pg_class.reltuples` (`pg_stat_user_tables.n_live_tup` where
//! a table was never analyzed), fan-out from `pg_stats` of each foreign key's first column, in
//! one read-only transaction.
//!
//! Every query goes through the simple query protocol (no prepared statements, so it also runs
//! through PgBouncer in transaction mode) and takes no parameter: the schema filter is applied
//! here, on the names the catalog returns.

use super::{fan_out, split_url, Collected, Failure};
use crate::project::stats::{Reference, Server, TableStats};
use postgres::{Client, SimpleQueryMessage};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Server-side limit on each statement, in milliseconds: catalog reads take well under a second
/// even on large schemas.
const STATEMENT_TIMEOUT_MS: u64 = 300_000;

/// The parameters the driver (`tokio_postgres::Config`) reads itself; the URL's others are
/// handled here or dropped.
const DRIVER_PARAMS: &[&str] = &[
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslnegotiation",
    "host",
    "hostaddr",
    "port",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

/// Prisma's own parameters (and pool settings of other clients): meaningless here, dropped
/// without a word.
const CLIENT_PARAMS: &[&str] = &[
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "socket_timeout",
    "statement_cache_size",
    "max_idle_connection_lifetime",
    "max_connection_lifetime",
    "sslaccept",
];

/// How TLS is used, as libpq's `sslmode` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    Disable,
    /// TLS when the server offers it, the certificate not verified (libpq's default).
    Prefer,
    /// TLS, the certificate not verified (libpq verifies it only when given a root).
    Require,
    /// TLS, the certificate's chain verified but not its host name.
    VerifyCa,
    VerifyFull,
}

/// A URL made ready for the driver.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub config: postgres::Config,
    pub tls: TlsMode,
    /// `sslrootcert`: a root to trust besides the system's.
    pub root_cert: Option<PathBuf>,
    /// Parameters dropped that the user may have meant (client certificates, unknown ones).
    pub ignored: Vec<String>,
}

/// Parses a `postgres://` URL: the driver reads what it knows, `sslmode` (all of libpq's
/// modes), `sslrootcert` and Prisma's `sslaccept=strict` are read here, and the session is made
/// read-only by default (`-c default_transaction_read_only=on` in its options), with a
/// statement timeout, named `leaklint` unless the URL names it.
pub(crate) fn prepare(url: &str, connect_timeout: Option<Duration>) -> Result<Prepared, String> {
    let parts = split_url(url).ok_or("not a postgres:// URL")?;
    let mut kept = Vec::new();
    let mut tls = None;
    let mut root_cert = None;
    let mut strict = false;
    let mut ignored = Vec::new();
    for &(key, value) in &parts.query {
        let name = super::percent_decode(key);
        let decoded = super::percent_decode(value);
        match name.as_str() {
            "sslmode" => {
                tls = Some(match decoded.as_str() {
                    "disable" => TlsMode::Disable,
                    // libpq's `allow` tries without TLS first; the driver cannot, so TLS first.
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    other => {
                        return Err(format!(
                            "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                        ))
                    }
                })
            }
            "sslrootcert" => root_cert = Some(decoded),
            "sslaccept" => strict = decoded == "strict",
            "sslcert" | "sslkey" | "sslidentity" | "sslpassword" => {
                ignored.push(format!("{name} (client certificates are not supported)"))
            }
            n if DRIVER_PARAMS.contains(&n) => kept.push(format!("{key}={value}")),
            n if CLIENT_PARAMS.contains(&n) => {}
            _ => ignored.push(name),
        }
    }
    // The credentials are set below, decoded, so that an unencoded `@` in a password works.
    let mut driver_url = format!("{}://{}/{}", parts.scheme, parts.hosts, parts.path);
    if !kept.is_empty() {
        driver_url.push('?');
        driver_url.push_str(&kept.join("&"));
    }
    let mut config: postgres::Config = driver_url
        .parse()
        .map_err(|e: postgres::Error| format!("invalid URL: {e}"))?;
    let (user, password) = parts.credentials();
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        config.user(&user);
    }
    if let Some(password) = password {
        config.password(password);
    }
    if config.get_user().is_none() {
        // libpq's default: the operating system's user name.
        if let Ok(user) = std::env::var("PGUSER").or_else(|_| std::env::var("USER")) {
            config.user(&user);
        }
    }
    if config.get_password().is_none() {
        if let Ok(password) = std::env::var("PGPASSWORD") {
            config.password(password);
        }
    }
    if config.get_hosts().is_empty() {
        // libpq's default: PGHOST, else the local socket (Debian's folder, or /tmp), else TCP.
        match std::env::var("PGHOST") {
            Ok(host) if !host.is_empty() => {
                config.host(&host);
            }
            _ => {
                let port = config.get_ports().first().copied().unwrap_or(5432);
                let socket = ["/var/run/postgresql", "/tmp"]
                    .into_iter()
                    .find(|dir| Path::new(dir).join(format!(".s.PGSQL.{port}")).exists());
                match socket {
                    Some(dir) => config.host_path(dir),
                    None => config.host("localhost"),
                };
            }
        }
    }
    let mut tls = tls.unwrap_or(TlsMode::Prefer);
    if root_cert.as_deref() == Some("system") {
        // libpq 16: the system's roots, and then verify-full.
        root_cert = None;
        tls = TlsMode::VerifyFull;
    } else if root_cert.is_some() && tls == TlsMode::Require {
        // As libpq: `require` with a root verifies the chain.
        tls = TlsMode::VerifyCa;
    }
    if strict && matches!(tls, TlsMode::Prefer | TlsMode::Require) {
        tls = TlsMode::VerifyFull;
    }
    config.ssl_mode(match tls {
        TlsMode::Disable => postgres::config::SslMode::Disable,
        TlsMode::Prefer => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    let options = format!(
        "{} -c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_MS}",
        config.get_options().unwrap_or("")
    );
    config.options(options.trim_start());
    if config.get_application_name().is_none() {
        config.application_name("leaklint");
    }
    if let Some(timeout) = connect_timeout {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(timeout);
        }
    }
    Ok(Prepared {
        config,
        tls,
        root_cert: root_cert.map(PathBuf::from),
        ignored,
    })
}

fn connector(prepared: &Prepared) -> Result<native_tls::TlsConnector, String> {
    let mut builder = native_tls::TlsConnector::builder();
    match prepared.tls {
        TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => {
            builder
                .danger_accept_invalid_certs(true)
                .danger_accept_invalid_hostnames(true);
        }
        TlsMode::VerifyCa => {
            builder.danger_accept_invalid_hostnames(true);
        }
        TlsMode::VerifyFull => {}
    }
    if let Some(path) = &prepared.root_cert {
        for cert in read_certificates(path)? {
            builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| format!("cannot set up TLS: {e}"))
}

/// The certificates of a PEM bundle (or one DER certificate).
fn read_certificates(path: &std::path::Path) -> Result<Vec<native_tls::Certificate>, String> {
    let shown = path.display();
    let bytes = crate::source::read_capped(path, 4 << 20)
        .map_err(|e| format!("cannot read sslrootcert {shown}: {}", super::io_message(&e)))?;
    let text = String::from_utf8_lossy(&bytes);
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    if !text.contains(BEGIN) {
        return native_tls::Certificate::from_der(&bytes)
            .map(|c| vec![c])
            .map_err(|e| format!("sslrootcert {shown} holds no certificate: {e}"));
    }
    text.match_indices(BEGIN)
        .map(|(at, _)| {
            let block = &text[at..];
            let end = block
                .find("-----END CERTIFICATE-----")
                .map_or(block.len(), |e| e + "-----END CERTIFICATE-----".len());
            native_tls::Certificate::from_pem(&block.as_bytes()[..end])
                .map_err(|e| format!("sslrootcert {shown}: {e}"))
        })
        .collect()
}

/// Connects, collects and rolls back.
pub(super) fn collect(
    url: &str,
    schemas: &[String],
    connect_timeout: Option<Duration>,
    connected: &dyn Fn(),
) -> Result<Collected, Failure> {
    let prepared = prepare(url, connect_timeout).map_err(Failure::Connect)?;
    let connector = connector(&prepared).map_err(Failure::Connect)?;
    let tls = postgres_native_tls::MakeTlsConnector::new(connector);
    let mut client = match prepared.config.connect(tls.clone()) {
        Ok(client) => client,
        // PgBouncer refuses the `options` startup parameter unless told to ignore it; the
        // read-only transaction below is then what keeps the session from writing.
        Err(e) if describe(&e).contains("unsupported startup parameter") => {
            let mut config = prepared.config.clone();
            config.options("");
            config
                .connect(tls)
                .map_err(|e| Failure::Connect(connect_message(&e, prepared.tls)))?
        }
        Err(e) => return Err(Failure::Connect(connect_message(&e, prepared.tls))),
    };
    connected();
    let mut collected = read_statistics(&mut client, schemas).map_err(Failure::Collect)?;
    collected.notes.extend(
        prepared
            .ignored
            .iter()
            .map(|p| format!("ignored the URL parameter {p}")),
    );
    Ok(collected)
}

/// The driver's error with its causes (its own `Display` stops at "db error" or "error
/// performing TLS handshake"), and a server error's detail and hint.
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = format!("{}: {}", db.severity(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!(" ({detail})"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!(" (hint: {hint})"));
        }
        return text;
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

fn connect_message(e: &postgres::Error, tls: TlsMode) -> String {
    let text = describe(e);
    let hint = if text.contains("certificate verify failed") || text.contains("not trusted") {
        match tls {
            TlsMode::VerifyCa | TlsMode::VerifyFull => {
                " (the server's certificate is not trusted: name its root with sslrootcert=FILE, or use sslmode=require to encrypt without verifying)"
            }
            _ => "",
        }
    } else if text.contains("password authentication failed") {
        " (check the user and password of the URL)"
    } else {
        ""
    };
    format!("{text}{hint}")
}

/// Runs the queries in one read-only transaction (one snapshot of the catalog), then rolls it
/// back. Nothing is ever written: the session's default and the transaction are both read-only,
/// and this checks that the server agrees before reading anything.
fn read_statistics(client: &mut Client, schemas: &[String]) -> Result<Collected, String> {
    client
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .map_err(|e| describe(&e))?;
    let result = read_in_transaction(client, schemas);
    let _ = client.batch_execute("ROLLBACK");
    result
}

/// One result set of a simple query, as text cells (`None` for NULL).
fn rows(client: &mut Client, query: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let messages = client.simple_query(query).map_err(|e| describe(&e))?;
    Ok(messages
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

fn num(cell: &Option<String>) -> Option<f64> {
    cell.as_deref()?
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
}

fn text(cell: &Option<String>) -> String {
    cell.clone().unwrap_or_default()
}

/// A table of `pg_class`, partitions folded into their root below.
#[derive(Debug, Clone)]
struct Relation {
    schema: String,
    name: String,
    partitioned: bool,
    /// The parent of a partition.
    parent: Option<String>,
    rows: f64,
    /// reltuples = -1 (never analyzed or vacuumed, PostgreSQL 14 and later) or 0 with no pages
    /// (older servers): `rows` came from `n_live_tup`.
    estimated_from_counts: bool,
    inserts: Option<u64>,
    last_analyze: Option<String>,
}

fn read_in_transaction(client: &mut Client, schemas: &[String]) -> Result<Collected, String> {
    let head = rows(
        client,
        "SELECT current_setting('server_version'), current_setting('server_version_num'), \
         current_database(), current_setting('transaction_read_only'), pg_is_in_recovery()",
    )?;
    let head = head.first().ok_or("the server returned no version")?;
    let version = text(&head[0]);
    let version_num = num(&head[1]).unwrap_or(0.0);
    if text(&head[3]) != "on" {
        return Err("the transaction is not read-only; nothing was read".to_string());
    }
    if version_num < 100_000.0 {
        return Err(format!(
            "PostgreSQL {version} is too old: leaklint reads PostgreSQL 10 and later"
        ));
    }

    // Tables and partitioned tables, with the counters of the statistics collector. Numbers
    // and names only.
    let table_rows = rows(
        client,
        "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition, \
                c.reltuples::float8, c.relpages, s.n_live_tup, s.n_tup_ins, \
                to_char(greatest(s.last_analyze, s.last_autoanalyze) AT TIME ZONE 'UTC', \
                        'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) \
         FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
         WHERE c.relkind IN ('r', 'p')",
    )?;
    let mut relations: HashMap<String, Relation> = HashMap::new();
    for row in &table_rows {
        let reltuples = num(&row[5]).unwrap_or(-1.0);
        let relpages = num(&row[6]).unwrap_or(0.0);
        let live = num(&row[7]);
        let partition = text(&row[4]) == "t";
        let never_counted = reltuples < 0.0 || (reltuples == 0.0 && relpages == 0.0);
        let (rows, estimated_from_counts) = match (never_counted, live) {
            (true, Some(live)) if live > 0.0 => (live, true),
            (true, _) => (0.0, reltuples < 0.0),
            (false, _) => (reltuples, false),
        };
        relations.insert(
            text(&row[0]),
            Relation {
                schema: text(&row[1]),
                name: text(&row[2]),
                partitioned: text(&row[3]) == "p",
                parent: if partition { row[10].clone() } else { None },
                rows,
                estimated_from_counts,
                inserts: num(&row[8]).map(|n| n.max(0.0) as u64),
                last_analyze: row[9].clone(),
            },
        );
    }
    let mut tables = fold_partitions(&relations);
    if text(&head[4]) == "t" {
        // A standby: its catalog (reltuples, pg_stats) is the primary's, but its collector
        // counts nothing the primary inserted, so its counters would say "no growth".
        for table in tables.values_mut() {
            table.inserts = None;
        }
    }
    let selected = |schema: &str| {
        if schemas.is_empty() {
            !is_system_schema(schema)
        } else {
            schemas.iter().any(|s| s == schema)
        }
    };

    // Foreign keys, with their columns in key order.
    let key_rows = rows(
        client,
        "SELECT con.conrelid, con.confrelid, \
                to_json(ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord) \
                              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num \
                              ORDER BY k.ord))::text, \
                to_json(ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord) \
                              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num \
                              ORDER BY k.ord))::text \
         FROM pg_constraint con WHERE con.contype = 'f'",
    )?;

    // The planner's statistics of each foreign key's first column. Only `null_frac`,
    // `n_distinct` and the largest of `most_common_freqs` are read: they are numbers about the
    // column. `most_common_vals` and `histogram_bounds` hold the column's real values (user
    // ids, emails, tokens), and no other column of pg_stats is selected, so no row value ever
    // reaches leaklint.
    let stat_rows = rows(
        client,
        "SELECT con.conrelid, a.attname::text, s.null_frac::float8, s.n_distinct::float8, \
                (SELECT max(f) FROM unnest(s.most_common_freqs) AS f)::float8 \
         FROM pg_constraint con \
         JOIN pg_class c ON c.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] \
         JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname \
                        AND s.attname = a.attname AND s.inherited = (c.relkind = 'p') \
         WHERE con.contype = 'f'",
    )?;
    let mut column_stats: HashMap<(String, String), (f64, f64, Option<f64>)> = HashMap::new();
    for row in &stat_rows {
        let (Some(null_frac), Some(n_distinct)) = (num(&row[2]), num(&row[3])) else {
            continue;
        };
        column_stats.insert(
            (text(&row[0]), text(&row[1])),
            (null_frac, n_distinct, num(&row[4])),
        );
    }

    let mut out: BTreeMap<String, TableStats> = BTreeMap::new();
    for (oid, table) in &tables {
        if selected(&table.schema) {
            out.insert(
                oid.clone(),
                TableStats {
                    schema: Some(table.schema.clone()),
                    name: table.name.clone(),
                    rows: table.rows.round(),
                    inserts: table.inserts,
                    last_analyze: table.last_analyze.clone(),
                    foreign_keys: Vec::new(),
                },
            );
        }
    }
    let mut unstated = Vec::new();
    for row in &key_rows {
        let (child, parent) = (text(&row[0]), text(&row[1]));
        // Keys of partitions (clones of their root's) and keys to partitions are left out.
        let (Some(table), Some(parent_table)) = (tables.get(&child), tables.get(&parent)) else {
            continue;
        };
        let Some(stats) = out.get_mut(&child) else {
            continue;
        };
        let columns: Vec<String> = serde_json::from_str(&text(&row[2])).unwrap_or_default();
        let parent_columns: Vec<String> = serde_json::from_str(&text(&row[3])).unwrap_or_default();
        let Some(first) = columns.first() else {
            continue;
        };
        let references = Reference {
            schema: Some(parent_table.schema.clone()),
            table: parent_table.name.clone(),
            columns: parent_columns,
        };
        let rows = table.rows;
        match column_stats.get(&(child.clone(), first.clone())) {
            // n_distinct 0: the planner does not know.
            Some(&(null_frac, n_distinct, max_freq)) if n_distinct != 0.0 => {
                let distinct = if n_distinct < 0.0 {
                    -n_distinct * rows
                } else {
                    n_distinct
                };
                let non_null = rows * (1.0 - null_frac.clamp(0.0, 1.0));
                stats.foreign_keys.push(fan_out(
                    columns,
                    references,
                    non_null,
                    distinct,
                    max_freq.map(|f| f * rows),
                ));
            }
            // An analyzed empty table has no pg_stats rows, and no children: a fact, not a
            // guess.
            _ if rows == 0.0 && table.last_analyze.is_some() && !table.estimated_from_counts => {
                stats
                    .foreign_keys
                    .push(fan_out(columns, references, 0.0, 0.0, None));
            }
            _ => unstated.push(format!(
                "{}.{}({})",
                table.schema,
                table.name,
                columns.join(", ")
            )),
        }
    }
    unstated.sort();
    Ok(Collected {
        server: Server {
            kind: "postgresql".to_string(),
            version: version
                .split_whitespace()
                .next()
                .unwrap_or(&version)
                .to_string(),
        },
        database: head[2].clone(),
        tables: out.into_values().collect(),
        unstated_keys: unstated,
        unstated_tables: Vec::new(),
        notes: Vec::new(),
    })
}

/// Schemas of the server itself.
fn is_system_schema(schema: &str) -> bool {
    matches!(schema, "pg_catalog" | "information_schema")
        || schema.starts_with("pg_toast")
        || schema.starts_with("pg_temp")
}

/// The tables that are not partitions, by oid; a partitioned table's rows and inserts are the
/// sums of its leaf partitions', its last analyze the latest of theirs and its own.
fn fold_partitions(relations: &HashMap<String, Relation>) -> HashMap<String, Relation> {
    let root_of = |oid: &str| -> Option<String> {
        let mut at = oid.to_string();
        // Partition trees are shallow; the bound guards against a catalog read mid-change.
        for _ in 0..64 {
            match relations.get(&at)?.parent.clone() {
                Some(parent) => at = parent,
                None => return Some(at),
            }
        }
        None
    };
    let mut out: HashMap<String, Relation> = relations
        .iter()
        .filter(|(_, r)| r.parent.is_none())
        .map(|(oid, r)| {
            let mut r = r.clone();
            if r.partitioned {
                r.rows = 0.0;
                r.inserts = None;
            }
            (oid.clone(), r)
        })
        .collect();
    for (oid, leaf) in relations {
        if leaf.parent.is_none() || leaf.partitioned {
            continue;
        }
        let Some(root) = root_of(oid).and_then(|r| out.get_mut(&r)) else {
            continue;
        };
        root.rows += leaf.rows;
        root.estimated_from_counts |= leaf.estimated_from_counts;
        if let Some(n) = leaf.inserts {
            root.inserts = Some(root.inserts.unwrap_or(0) + n);
        }
        if leaf.last_analyze > root.last_analyze {
            root.last_analyze = leaf.last_analyze.clone();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_made_ready_for_the_driver() {
        let p = prepare(
            "postgresql://app:p%40ss@db.example.com:6543/app?schema=public&sslmode=verify-full&connection_limit=5&sslcert=c.pem&weird=1&application_name=x",
            Some(Duration::from_secs(10)),
        )
        .unwrap();
        assert_eq!(p.tls, TlsMode::VerifyFull);
        assert_eq!(p.config.get_user(), Some("app"));
        assert_eq!(p.config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(p.config.get_dbname(), Some("app"));
        assert_eq!(p.config.get_ports(), &[6543]);
        assert_eq!(p.config.get_application_name(), Some("x"));
        assert_eq!(
            p.config.get_connect_timeout(),
            Some(&Duration::from_secs(10))
        );
        assert!(p
            .config
            .get_options()
            .unwrap()
            .contains("-c default_transaction_read_only=on"));
        assert_eq!(p.ignored.len(), 2, "{:?}", p.ignored);

        let p = prepare(
            "postgres://u:p@h/db?sslmode=require&sslrootcert=/r.pem",
            None,
        )
        .unwrap();
        assert_eq!(p.tls, TlsMode::VerifyCa);
        let p = prepare("postgres://u:p@h/db?sslaccept=strict", None).unwrap();
        assert_eq!(p.tls, TlsMode::VerifyFull);
        let p = prepare(
            "postgres://u:p@h/db?connect_timeout=3&options=-c%20search_path%3Dx",
            Some(Duration::from_secs(10)),
        )
        .unwrap();
        assert_eq!(p.tls, TlsMode::Prefer);
        assert_eq!(
            p.config.get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        assert!(p
            .config
            .get_options()
            .unwrap()
            .starts_with("-c search_path=x -c"));
        // An unencoded `@` in the password.
        let p = prepare("postgres://u:p@ss@h/db", None).unwrap();
        assert_eq!(p.config.get_password(), Some(&b"p@ss"[..]));
        let err = prepare("postgres://u:secret@h/db?sslmode=bogus", None).unwrap_err();
        assert!(
            err.contains("sslmode=bogus") && !err.contains("secret"),
            "{err}"
        );
    }

    #[test]
    fn partitions_fold_into_their_root() {
        let rel =
            |name: &str, partitioned, parent: Option<&str>, rows, last: Option<&str>| Relation {
                schema: "public".into(),
                name: name.into(),
                partitioned,
                parent: parent.map(str::to_string),
                rows,
                estimated_from_counts: false,
                inserts: Some(rows as u64),
                last_analyze: last.map(str::to_string),
            };
        let relations: HashMap<String, Relation> = [
            ("1", rel("events", true, None, -1.0, None)),
            ("2", rel("events_2025", true, Some("1"), 0.0, None)),
            (
                "3",
                rel(
                    "events_2025_01",
                    false,
                    Some("2"),
                    100.0,
                    Some("2026-01-01T00:00:00Z"),
                ),
            ),
            (
                "4",
                rel(
                    "events_2025_02",
                    false,
                    Some("2"),
                    50.0,
                    Some("2026-02-01T00:00:00Z"),
                ),
            ),
            ("5", rel("users", false, None, 7.0, None)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let folded = fold_partitions(&relations);
        assert_eq!(folded.len(), 2);
        assert_eq!(folded["1"].rows, 150.0);
        assert_eq!(folded["1"].inserts, Some(150));
        assert_eq!(
            folded["1"].last_analyze.as_deref(),
            Some("2026-02-01T00:00:00Z")
        );
        assert_eq!(folded["5"].rows, 7.0);
    }

    #[test]
    fn system_schemas() {
        for s in [
            "pg_catalog",
            "information_schema",
            "pg_toast",
            "pg_toast_temp_1",
            "pg_temp_3",
        ] {
            assert!(is_system_schema(s), "{s}");
        }
        assert!(!is_system_schema("public"));
        assert!(!is_system_schema("pgboss"));
    }
}
