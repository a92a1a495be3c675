//! MySQL and MariaDB: rows from `information_schema.TABLES.TABLE_ROWS` (InnoDB's estimate),
//! foreign keys from `KEY_COLUMN_USAGE`, distinct parents from the `CARDINALITY` of an index
//! whose first column is the key (InnoDB indexes every foreign key). These servers keep no
//! frequencies of values, so there is no maximum; `TABLE_ROWS` of InnoDB can be off by tens of
//! percent.
//!
//! TLS follows the URL's `ssl-mode` (also `sslmode`, as MySQL's own clients name it:
//! `DISABLED`, `PREFERRED` (the default: TLS when the server offers it), `REQUIRED`,
//! `VERIFY_CA`, `VERIFY_IDENTITY`), Prisma's `sslaccept` (`strict` verifies,
//! `accept_invalid_certs` does not) and `sslcert` (Prisma's name for the root to trust; also
//! `ssl-ca`).

use super::{fan_out, percent_decode, split_url, Collected, Failure};
use crate::project::stats::{Reference, Server, TableStats};
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Params, Row, SslOpts, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// How long one read may wait for the server once connected.
const READ_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    Disabled,
    Preferred,
    Required,
    VerifyCa,
    VerifyIdentity,
}

#[derive(Debug)]
pub(crate) struct Prepared {
    pub builder: OptsBuilder,
    pub tls: TlsMode,
    pub root_cert: Option<String>,
    pub database: Option<String>,
    pub ignored: Vec<String>,
}

/// Parameters of Prisma's and other clients' pools: meaningless here, dropped without a word.
const CLIENT_PARAMS: &[&str] = &[
    "connection_limit",
    "pool_timeout",
    "socket_timeout",
    "statement_cache_size",
    "max_idle_connection_lifetime",
    "max_connection_lifetime",
    "charset",
];

pub(crate) fn prepare(url: &str, connect_timeout: Option<Duration>) -> Result<Prepared, String> {
    let parts = split_url(url).ok_or("not a mysql:// URL")?;
    let (user, password) = parts.credentials();
    let (host, port) = host_and_port(parts.hosts)?;
    let database = Some(percent_decode(parts.path))
        .map(|d| d.trim_end_matches('/').to_string())
        .filter(|d| !d.is_empty());
    let mut tls = None;
    let mut strict = None;
    let mut root_cert = None;
    let mut socket = None;
    let mut ignored = Vec::new();
    for &(key, value) in &parts.query {
        let name = percent_decode(key);
        let value = percent_decode(value);
        match name.as_str() {
            "ssl-mode" | "sslmode" | "ssl_mode" => {
                tls = Some(match value.to_ascii_uppercase().replace('-', "_").as_str() {
                    "DISABLED" | "DISABLE" => TlsMode::Disabled,
                    "PREFERRED" | "PREFER" => TlsMode::Preferred,
                    "REQUIRED" | "REQUIRE" => TlsMode::Required,
                    "VERIFY_CA" => TlsMode::VerifyCa,
                    "VERIFY_IDENTITY" | "VERIFY_FULL" => TlsMode::VerifyIdentity,
                    _ => {
                        return Err(format!(
                            "{name}={value} is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY"
                        ))
                    }
                })
            }
            "sslaccept" => strict = Some(value == "strict"),
            "sslcert" | "ssl-ca" | "sslca" => root_cert = Some(value),
            "socket" => socket = Some(value),
            "connect_timeout" => {}
            "sslidentity" | "sslpassword" | "ssl-cert" | "ssl-key" => {
                ignored.push(format!("{name} (client certificates are not supported)"))
            }
            n if CLIENT_PARAMS.contains(&n) => {}
            _ => ignored.push(name),
        }
    }
    let mut tls = tls.unwrap_or(TlsMode::Preferred);
    match strict {
        Some(true) if matches!(tls, TlsMode::Preferred | TlsMode::Required) => {
            tls = TlsMode::VerifyIdentity
        }
        _ => {}
    }
    let builder = OptsBuilder::new()
        .ip_or_hostname(Some(host))
        .tcp_port(port.unwrap_or(3306))
        .socket(socket)
        .user(user.filter(|u| !u.is_empty()))
        .pass(password)
        .db_name(database.clone())
        // By default the driver asks a server on localhost for its socket and reconnects
        // through it, as another user possibly; connect where the URL says.
        .prefer_socket(false)
        .tcp_connect_timeout(connect_timeout)
        .read_timeout(Some(READ_TIMEOUT))
        .write_timeout(Some(READ_TIMEOUT))
        // Every transaction of the session is read-only.
        .init(vec!["SET SESSION TRANSACTION READ ONLY"]);
    Ok(Prepared {
        builder,
        tls,
        root_cert,
        database,
        ignored,
    })
}

/// `host`, `host:port`, `[::1]:port`.
fn host_and_port(hosts: &str) -> Result<(String, Option<u16>), String> {
    if hosts.contains(',') {
        return Err("several hosts in a MySQL URL are not supported".to_string());
    }
    let port = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("the port `{p}` is not a number"))
    };
    if let Some(rest) = hosts.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("an unclosed `[` in the host")?;
        let p = match after.strip_prefix(':') {
            Some(p) => Some(port(p)?),
            None => None,
        };
        return Ok((host.to_string(), p));
    }
    match hosts.rsplit_once(':') {
        Some((host, p)) => Ok((percent_decode(host), Some(port(p)?))),
        None if hosts.is_empty() => Ok(("localhost".to_string(), None)),
        None => Ok((percent_decode(hosts), None)),
    }
}

fn ssl_opts(tls: TlsMode, root_cert: &Option<String>) -> Option<SslOpts> {
    let opts =
        SslOpts::default().with_root_cert_path(root_cert.clone().map(std::path::PathBuf::from));
    match tls {
        TlsMode::Disabled => None,
        TlsMode::Preferred | TlsMode::Required => Some(
            opts.with_danger_accept_invalid_certs(true)
                .with_danger_skip_domain_validation(true),
        ),
        TlsMode::VerifyCa => Some(opts.with_danger_skip_domain_validation(true)),
        TlsMode::VerifyIdentity => Some(opts),
    }
}

pub(super) fn collect(
    url: &str,
    schemas: &[String],
    connect_timeout: Option<Duration>,
    connected: &dyn Fn(),
) -> Result<Collected, Failure> {
    let prepared = prepare(url, connect_timeout).map_err(Failure::Connect)?;
    let connect =
        |ssl: Option<SslOpts>| Conn::new(Opts::from(prepared.builder.clone().ssl_opts(ssl)));
    let mut conn = match connect(ssl_opts(prepared.tls, &prepared.root_cert)) {
        Ok(conn) => conn,
        // PREFERRED: the server offers no TLS, so without.
        Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported))
            if prepared.tls == TlsMode::Preferred =>
        {
            connect(None).map_err(|e| Failure::Connect(connect_message(&e, prepared.tls)))?
        }
        Err(e) => return Err(Failure::Connect(connect_message(&e, prepared.tls))),
    };
    connected();
    let databases: Vec<String> = if schemas.is_empty() {
        match &prepared.database {
            Some(db) => vec![db.clone()],
            None => return Err(Failure::Collect(
                "the URL names no database (mysql://user@host/DATABASE), and no --schema was given"
                    .to_string(),
            )),
        }
    } else {
        schemas.to_vec()
    };
    let mut collected =
        read_statistics(&mut conn, &databases).map_err(|e| Failure::Collect(describe(&e)))?;
    collected.notes.extend(
        prepared
            .ignored
            .iter()
            .map(|p| format!("ignored the URL parameter {p}")),
    );
    Ok(collected)
}

/// The driver's error without its `MySqlError { ... }` wrapping.
fn describe(e: &mysql::Error) -> String {
    match e {
        mysql::Error::IoError(e) => e.to_string(),
        mysql::Error::MySqlError(e) => e.to_string(),
        mysql::Error::DriverError(e) => e.to_string(),
        mysql::Error::UrlError(e) => e.to_string(),
        mysql::Error::TlsError(e) => format!("TLS: {e}"),
        other => other.to_string(),
    }
}

fn connect_message(e: &mysql::Error, tls: TlsMode) -> String {
    let text = describe(e);
    let hint = match tls {
        TlsMode::VerifyCa | TlsMode::VerifyIdentity
            if text.contains("certificate") || text.contains("verify") =>
        {
            " (the server's certificate is not trusted: name its root with sslcert=FILE, or use ssl-mode=REQUIRED to encrypt without verifying)"
        }
        _ => "",
    };
    format!("{text}{hint}")
}

/// A cell as a number (NULL and text that is not one: `None`).
fn number(row: &Row, i: usize) -> Option<f64> {
    match row.as_ref(i)? {
        Value::Int(n) => Some(*n as f64),
        Value::UInt(n) => Some(*n as f64),
        Value::Float(n) => Some(f64::from(*n)),
        Value::Double(n) => Some(*n),
        Value::Bytes(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn text(row: &Row, i: usize) -> String {
    match row.as_ref(i) {
        Some(Value::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(Value::NULL) | None => String::new(),
        Some(other) => other.as_sql(true),
    }
}

fn read_statistics(conn: &mut Conn, databases: &[String]) -> mysql::Result<Collected> {
    let head: Option<Row> = conn.query_first("SELECT VERSION(), DATABASE()")?;
    let head = head.ok_or(mysql::Error::DriverError(mysql::DriverError::SetupError))?;
    let full_version = text(&head, 0);
    let kind = if full_version.to_ascii_lowercase().contains("mariadb") {
        "mariadb"
    } else {
        "mysql"
    };
    let version = full_version
        .split(['-', ' '])
        .next()
        .unwrap_or(&full_version)
        .to_string();
    if kind == "mysql" {
        // MySQL 8 caches TABLES' numbers for a day by default: read them fresh. (Older
        // servers and MariaDB have no such variable.)
        let _ = conn.query_drop("SET SESSION information_schema_stats_expiry = 0");
    }
    conn.query_drop("START TRANSACTION READ ONLY")?;
    let result = read_in_transaction(conn, databases);
    let _ = conn.query_drop("ROLLBACK");
    let (tables, unstated_keys) = result?;
    Ok(Collected {
        server: Server {
            kind: kind.to_string(),
            version,
        },
        database: Some(text(&head, 1)).filter(|d| !d.is_empty()),
        tables,
        unstated_keys,
        unstated_tables: Vec::new(),
        notes: Vec::new(),
    })
}

fn read_in_transaction(
    conn: &mut Conn,
    databases: &[String],
) -> mysql::Result<(Vec<TableStats>, Vec<String>)> {
    let marks = vec!["?"; databases.len()].join(", ");
    let params = || Params::Positional(databases.iter().map(|d| Value::from(d.as_str())).collect());
    let table_rows: Vec<Row> = conn.exec(
        format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES \
             WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN ({marks})"
        ),
        params(),
    )?;
    let mut tables: BTreeMap<(String, String), TableStats> = BTreeMap::new();
    for row in &table_rows {
        let (schema, name) = (text(row, 0), text(row, 1));
        tables.insert(
            (schema.clone(), name.clone()),
            TableStats {
                schema: Some(schema),
                name,
                rows: number(row, 2).unwrap_or(0.0).max(0.0).round(),
                inserts: None,
                last_analyze: None,
                foreign_keys: Vec::new(),
            },
        );
    }
    let key_rows: Vec<Row> = conn.exec(
        format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, \
                    REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME \
             FROM information_schema.KEY_COLUMN_USAGE \
             WHERE REFERENCED_TABLE_NAME IS NOT NULL AND TABLE_SCHEMA IN ({marks}) \
             ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"
        ),
        params(),
    )?;
    // The cardinality (distinct values) of each index's first column: a number the server
    // keeps about the index, no value of it.
    let cardinality_rows: Vec<Row> = conn.exec(
        format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, MAX(CARDINALITY) \
             FROM information_schema.STATISTICS \
             WHERE SEQ_IN_INDEX = 1 AND TABLE_SCHEMA IN ({marks}) \
             GROUP BY TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME"
        ),
        params(),
    )?;
    let mut cardinality: HashMap<(String, String, String), f64> = HashMap::new();
    for row in &cardinality_rows {
        if let Some(n) = number(row, 3) {
            cardinality.insert((text(row, 0), text(row, 1), text(row, 2).to_lowercase()), n);
        }
    }
    // Key columns grouped by constraint, in key order.
    type Key = ((String, String, String), Vec<String>, Reference);
    let mut keys: Vec<Key> = Vec::new();
    for row in &key_rows {
        let id = (text(row, 0), text(row, 1), text(row, 2));
        match keys.last_mut() {
            Some((last, columns, reference)) if *last == id => {
                columns.push(text(row, 3));
                reference.columns.push(text(row, 6));
            }
            _ => keys.push((
                id,
                vec![text(row, 3)],
                Reference {
                    schema: Some(text(row, 4)),
                    table: text(row, 5),
                    columns: vec![text(row, 6)],
                },
            )),
        }
    }
    let mut unstated = Vec::new();
    for ((schema, table, _), columns, references) in keys {
        let Some(stats) = tables.get_mut(&(schema.clone(), table.clone())) else {
            continue;
        };
        let rows = stats.rows;
        match cardinality.get(&(schema.clone(), table.clone(), columns[0].to_lowercase())) {
            Some(&distinct) => {
                stats
                    .foreign_keys
                    .push(fan_out(columns, references, rows, distinct, None));
            }
            None => unstated.push(format!("{schema}.{table}({})", columns.join(", "))),
        }
    }
    unstated.sort();
    Ok((tables.into_values().collect(), unstated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_made_ready_for_the_driver() {
        let p = prepare(
            "mysql://app:p%40ss@db.example.com:3307/shop?ssl-mode=VERIFY_CA&sslcert=/ca.pem&connection_limit=3&odd=1",
            Some(Duration::from_secs(4)),
        )
        .unwrap();
        assert_eq!(p.tls, TlsMode::VerifyCa);
        assert_eq!(p.root_cert.as_deref(), Some("/ca.pem"));
        assert_eq!(p.database.as_deref(), Some("shop"));
        assert_eq!(p.ignored, vec!["odd".to_string()]);
        let opts = Opts::from(p.builder);
        assert_eq!(opts.get_pass(), Some("p@ss"));
        assert_eq!(opts.get_tcp_port(), 3307);
        assert_eq!(opts.get_ip_or_hostname(), "db.example.com");
        let p = prepare("mariadb://u@[::1]/db?sslaccept=strict", None).unwrap();
        assert_eq!(p.tls, TlsMode::VerifyIdentity);
        assert_eq!(
            prepare("mysql://u@h/db", None).unwrap().tls,
            TlsMode::Preferred
        );
        let err = prepare("mysql://u:secret@h/db?ssl-mode=sometimes", None).unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(prepare("mysql://u@h:port/db", None).is_err());
    }
}
