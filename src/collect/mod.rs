//! `leaklint stats`: reads a database's own planner statistics (row estimates per table,
//! distinct values of each foreign key) and writes them as the statistics file of
//! [`crate::project::stats`]. A front end, like the command line's: it uses [`crate::project`]
//! and [`crate::source`], and nothing below uses it.
//!
//! It never reads a row value, never writes to the database, and never prints a URL's password:
//! every URL shown goes through [`redact_url`], every message through [`Secrets::scrub`].
//!
//! This file: the command, finding the URL (flag, `DATABASE_URL`, the project's `.env` as Prisma
//! reads it), redaction, and writing the file. The collectors, one per server, are in
//! `postgres.rs`, `sqlite.rs` and `mysql.rs`, behind the cargo feature `databases`.

// Without the database clients only `run`'s refusal is left of this module.
#![cfg_attr(not(feature = "databases"), allow(dead_code, unused_imports))]

#[cfg(feature = "databases")]
mod mysql;
#[cfg(feature = "databases")]
mod postgres;
#[cfg(feature = "databases")]
mod sqlite;

use crate::project::stats::{ForeignKeyStats, Server, StatsFile, TableStats};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What `leaklint stats` was asked.
#[derive(Debug, Default)]
pub struct Options {
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `-o`: the file to write (relative to the current folder).
    pub output: Option<PathBuf>,
    /// `--schema`: PostgreSQL schemas (MySQL databases) to collect; empty: every one but the
    /// system's (MySQL: the URL's database).
    pub schemas: Vec<String>,
}

/// The environment variable a Prisma schema names when it names none.
const DEFAULT_VAR: &str = "DATABASE_URL";
/// The most read of a `.env` file or a Prisma schema.
const MAX_DOTENV: u64 = 1 << 20;
/// How long a connection may take when the URL's `connect_timeout` does not say.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the collection may take once connected (the server's own `statement_timeout` is
/// set lower): a server that stops answering ends the command instead of hanging it.
const COLLECT_TIMEOUT: Duration = Duration::from_secs(600);
/// SQLite files up to this size are counted exactly where `sqlite_stat1` says nothing.
const SQLITE_EXACT_BYTES: u64 = 256 << 20;

/// Runs `leaklint stats`, printing to stderr, and returns the exit code: 0 written, 2 for a
/// usage, connection or I/O error.
pub fn run(options: Options) -> i32 {
    #[cfg(not(feature = "databases"))]
    {
        let _ = options;
        say("this leaklint was built without database clients (cargo feature \"databases\")");
        2
    }
    #[cfg(feature = "databases")]
    {
        let started = Instant::now();
        let mut secrets = Secrets::default();
        if let Some(url) = &options.database_url {
            secrets.add_url(url);
        }
        // libpq's variable, which the PostgreSQL collector reads when the URL has no password.
        if let Ok(password) = std::env::var("PGPASSWORD") {
            secrets.add_word(&password);
        }
        match run_inner(&options, &mut secrets, started) {
            Ok(()) => 0,
            Err(message) => {
                say(&secrets.scrub(&message));
                2
            }
        }
    }
}

/// One line on stderr. Control characters (from a table name, a server's message) are
/// escaped, so that nothing a database holds can move the terminal's cursor or add a line.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "leaklint: {}", one_line(message));
}

fn one_line(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(feature = "databases")]
fn run_inner(options: &Options, secrets: &mut Secrets, started: Instant) -> Result<(), String> {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::path::absolute(d).ok())
        .ok_or("cannot read the current folder")?;
    let root = project_root(&cwd);
    let resolved = resolve_url(options.database_url.as_deref(), &cwd, &root, &|name| {
        std::env::var(name).ok()
    })?;
    secrets.add_url(&resolved.url);
    let target = Target::parse(&resolved.url, &resolved.base)
        .map_err(|e| format!("{e} (the URL came from {})", resolved.origin.describe(&cwd)))?;
    let output = match &options.output {
        Some(path) => cwd.join(path),
        None => root.join(crate::project::stats::DEFAULT_PATH),
    };
    let shown_url = target.shown();
    let opening = match target {
        Target::Sqlite(_) => "cannot open",
        _ => "cannot connect to",
    };
    let collected =
        collect_with_deadline(target, options.schemas.clone()).map_err(|e| match e {
            Failure::Connect(why) => format!("{opening} {shown_url}: {why}"),
            Failure::Collect(why) => format!("cannot collect statistics from {shown_url}: {why}"),
        })?;
    let Collected {
        server,
        database,
        tables,
        unstated_keys,
        unstated_tables,
        notes,
    } = collected;
    let file = stats_file(server, database, tables);
    let bytes = to_json(&file);
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            format!(
                "cannot create {}: {}",
                crate::display_path(dir, &cwd),
                io_message(&e)
            )
        })?;
    }
    let shown = crate::display_path(&output, &cwd);
    crate::source::write_atomic(&output, &bytes)
        .map_err(|e| format!("cannot write {shown}: {}", io_message(&e)))?;
    for note in &notes {
        say(note);
    }
    if !unstated_tables.is_empty() {
        say(&format!(
            "{} had no statistics and are too large to count (run ANALYZE): {}",
            plural(unstated_tables.len(), "table"),
            first_few(&unstated_tables)
        ));
    }
    if !unstated_keys.is_empty() {
        say(&format!(
            "{} had no planner statistics (run ANALYZE): {}",
            plural(unstated_keys.len(), "foreign key"),
            first_few(&unstated_keys)
        ));
    }
    let keys: usize = file.tables.iter().map(|t| t.foreign_keys.len()).sum();
    let database = file
        .database
        .as_deref()
        .map(|d| format!(" (database {d})"))
        .unwrap_or_default();
    say(&format!(
        "wrote {shown}: {}, {}, from {} {}{database} in {:.2}s",
        plural(file.tables.len(), "table"),
        plural(keys, "foreign key"),
        file.server.kind,
        file.server.version,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn first_few(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        _ => e.to_string(),
    }
}

/// What a collector found.
#[derive(Debug)]
pub(crate) struct Collected {
    pub server: Server,
    pub database: Option<String>,
    pub tables: Vec<TableStats>,
    /// Foreign keys left out for want of statistics, as `schema.table(columns)`.
    pub unstated_keys: Vec<String>,
    /// Tables left out for want of statistics (large SQLite files without `sqlite_stat1`).
    pub unstated_tables: Vec<String>,
    /// Other things to tell (ignored URL parameters).
    pub notes: Vec<String>,
}

/// The file: tables sorted by schema then name, each one's foreign keys by columns (then by
/// what they reference), so that a committed file diffs well.
pub(crate) fn stats_file(
    server: Server,
    database: Option<String>,
    mut tables: Vec<TableStats>,
) -> StatsFile {
    for table in &mut tables {
        table.foreign_keys.sort_by(|a, b| {
            (
                &a.columns,
                &a.references.schema,
                &a.references.table,
                &a.references.columns,
            )
                .cmp(&(
                    &b.columns,
                    &b.references.schema,
                    &b.references.table,
                    &b.references.columns,
                ))
        });
    }
    tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    StatsFile {
        version: crate::project::stats::VERSION,
        collected_at: crate::project::stats::rfc3339(now),
        server,
        database,
        tables,
    }
}

/// Pretty JSON with a trailing newline, whole numbers written without `.0` (`"rows": 4200000`,
/// as the format's documentation shows them; any JSON reader takes either).
pub(crate) fn to_json(file: &StatsFile) -> Vec<u8> {
    let text = serde_json::to_string_pretty(file).expect("the statistics serialize");
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines() {
        let (body, comma) = match line.strip_suffix(',') {
            Some(body) => (body, ","),
            None => (line, ""),
        };
        // A number is the last thing on its line, after `": `; a string value ends with `"`,
        // so a name holding `": 1.0` is never taken for one.
        let whole = body.rfind("\": ").and_then(|at| {
            let value = &body[at + 3..];
            let digits = value.strip_suffix(".0")?;
            let digits_only = digits.strip_prefix('-').unwrap_or(digits);
            (!digits_only.is_empty() && digits_only.bytes().all(|b| b.is_ascii_digit()))
                .then(|| &body[..at + 3 + digits.len()])
        });
        out.push_str(whole.unwrap_or(body));
        out.push_str(comma);
        out.push('\n');
    }
    out.into_bytes()
}

/// Fan-out from the planner's numbers, rounded the way the file keeps them: whole rows and
/// parents, averages to two decimals. `distinct` is clamped to the non-null rows, so that the
/// average is at least 1 where there are children (stale statistics can say otherwise).
pub(crate) fn fan_out(
    columns: Vec<String>,
    references: crate::project::stats::Reference,
    non_null_rows: f64,
    distinct: f64,
    max: Option<f64>,
) -> ForeignKeyStats {
    let non_null = non_null_rows.max(0.0);
    let distinct = distinct.max(0.0).min(non_null).round();
    let avg = if distinct > 0.0 {
        non_null / distinct
    } else {
        0.0
    };
    ForeignKeyStats {
        columns,
        references,
        distinct_parents: distinct,
        avg_children: (avg * 100.0).round() / 100.0,
        max_children: max.map(|m| m.min(non_null).max(avg).round()),
    }
}

/// Where to connect, by the URL's scheme.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Postgres(String),
    MySql(String),
    Sqlite(PathBuf),
}

impl Target {
    /// The server a URL names: `postgres://`, `postgresql://` (PostgreSQL); `mysql://`,
    /// `mariadb://` (MySQL, MariaDB); `file:`, `sqlite:` or a path ending `.db`, `.sqlite`,
    /// `.sqlite3` (SQLite, relative to `base`).
    pub fn parse(url: &str, base: &Path) -> Result<Target, String> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_string()));
        }
        if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            return Ok(Target::MySql(url.to_string()));
        }
        let path = if lower.starts_with("file:") || lower.starts_with("sqlite:") {
            let rest = &url[url.find(':').map_or(0, |i| i + 1)..];
            // `file:./dev.db?connection_limit=1`, `sqlite:///abs/path.db`, `sqlite://rel.db`
            let rest = rest.split(['?', '#']).next().unwrap_or("");
            let rest = match rest.strip_prefix("//") {
                Some(r) if r.starts_with('/') => r,
                // `file://localhost/abs` is a URI with an authority.
                Some(r) if r.starts_with("localhost/") => &r["localhost".len()..],
                Some(r) => r,
                None => rest,
            };
            percent_decode(rest)
        } else if [".db", ".sqlite", ".sqlite3"]
            .iter()
            .any(|ext| lower.ends_with(ext))
            && !lower.contains("://")
        {
            url.to_string()
        } else {
            let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            });
            return Err(match scheme {
                Some(s) if !s.is_empty() => format!(
                    "leaklint does not read `{s}:` databases: the URL must start with postgres://, postgresql://, mysql://, mariadb:// or file: (SQLite)"
                ),
                _ => "the database URL is not a URL (postgres://, mysql://, or file: for SQLite)"
                    .to_string(),
            });
        };
        if path.is_empty() {
            return Err("the SQLite URL names no file".to_string());
        }
        Ok(Target::Sqlite(crate::source::normalize(&base.join(path))))
    }

    /// The target as messages show it: the URL redacted, or the SQLite file.
    fn shown(&self) -> String {
        match self {
            Target::Postgres(url) | Target::MySql(url) => redact_url(url),
            Target::Sqlite(path) => path.display().to_string(),
        }
    }

    /// The URL's `connect_timeout` in seconds (libpq's and Prisma's name; 0 waits forever), or
    /// [`DEFAULT_CONNECT_TIMEOUT`].
    fn connect_timeout(&self) -> Option<Duration> {
        let url = match self {
            Target::Postgres(url) | Target::MySql(url) => url,
            Target::Sqlite(_) => return Some(DEFAULT_CONNECT_TIMEOUT),
        };
        let given = split_url(url).and_then(|u| {
            u.query
                .iter()
                .rev()
                .find(|(k, _)| percent_decode(k) == "connect_timeout")
                .map(|(_, v)| percent_decode(v))
        });
        match given.map(|v| v.trim().parse::<i64>()) {
            Some(Ok(secs)) if secs <= 0 => None,
            Some(Ok(secs)) => Some(Duration::from_secs(secs as u64)),
            _ => Some(DEFAULT_CONNECT_TIMEOUT),
        }
    }
}

/// Why a collection failed.
#[derive(Debug)]
pub(crate) enum Failure {
    Connect(String),
    Collect(String),
}

/// What a collector thread reports.
#[cfg(feature = "databases")]
enum Progress {
    Connected,
    Done(Result<Collected, Failure>),
}

/// Runs the collector on a thread and waits at most the connect timeout for the connection and
/// [`COLLECT_TIMEOUT`] for the rest: a server that accepts a connection and then says nothing
/// (which the drivers' own timeouts, on the TCP connect only, do not catch) ends the command
/// with a message. The thread is left behind; the process exits right after.
#[cfg(feature = "databases")]
fn collect_with_deadline(target: Target, schemas: Vec<String>) -> Result<Collected, Failure> {
    let connect_timeout = target.connect_timeout();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("leaklint-stats".into())
        .spawn(move || {
            let connected_tx = tx.clone();
            let connected = move || {
                let _ = connected_tx.send(Progress::Connected);
            };
            let result = match &target {
                Target::Postgres(url) => {
                    postgres::collect(url, &schemas, connect_timeout, &connected)
                }
                Target::MySql(url) => mysql::collect(url, &schemas, connect_timeout, &connected),
                Target::Sqlite(path) => sqlite::collect(path, &connected),
            };
            let _ = tx.send(Progress::Done(result));
        })
        .map_err(|e| Failure::Connect(format!("cannot start a thread: {e}")))?;
    use std::sync::mpsc::RecvTimeoutError;
    let wait = |limit: Option<Duration>| match limit {
        Some(limit) => rx.recv_timeout(limit),
        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
    };
    let stopped = || Failure::Collect("the collector stopped unexpectedly".to_string());
    // The driver's own connect timeout fires first where it can; this one a little later.
    let grace = connect_timeout.map(|t| t + Duration::from_secs(2));
    match wait(grace) {
        Ok(Progress::Done(result)) => return result,
        Ok(Progress::Connected) => {}
        Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
        Err(RecvTimeoutError::Timeout) => {
            return Err(Failure::Connect(format!(
                "timed out after {} s (the URL's connect_timeout sets how long to wait)",
                connect_timeout.map_or(0, |t| t.as_secs())
            )))
        }
    }
    match wait(Some(COLLECT_TIMEOUT)) {
        Ok(Progress::Done(result)) => result,
        Ok(Progress::Connected) | Err(RecvTimeoutError::Disconnected) => Err(stopped()),
        Err(RecvTimeoutError::Timeout) => Err(Failure::Collect(format!(
            "the server did not answer within {} s",
            COLLECT_TIMEOUT.as_secs()
        ))),
    }
}

/// The project's root: the nearest folder at or above `cwd` that holds one
/// ([`crate::project::is_root`]), else `cwd`.
pub fn project_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|d| crate::project::is_root(d))
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Where the database URL came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Origin {
    Flag,
    /// An environment variable.
    Env(String),
    /// A variable of a `.env` file.
    DotEnv {
        file: PathBuf,
        var: String,
    },
    /// The `url` string of a Prisma schema's datasource.
    Schema(PathBuf),
}

impl Origin {
    fn describe(&self, cwd: &Path) -> String {
        match self {
            Origin::Flag => "--database-url".to_string(),
            Origin::Env(var) => format!("the environment variable {var}"),
            Origin::DotEnv { file, var } => {
                format!("{var} in {}", crate::display_path(file, cwd))
            }
            Origin::Schema(file) => crate::display_path(file, cwd),
        }
    }
}

/// The URL to connect to, where it came from, and the folder a relative SQLite path is read
/// from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub url: String,
    pub origin: Origin,
    pub base: PathBuf,
}

/// Finds the database URL: `--database-url`; else the environment's `DATABASE_URL`; else the
/// variable the project's Prisma schema names (`url = env("NAME")`, `DATABASE_URL` when it
/// names none) in the environment, then in the `.env` files Prisma reads (the project root's,
/// then `prisma/.env`; the current folder's first when it is below the root, as Prisma run
/// from a package reads them); else a schema's literal `url = "..."`.
///
/// A SQLite path from a `.env` or a schema is relative to the schema's folder, as Prisma
/// resolves `file:./dev.db`; from the flag or the environment, to the current folder.
pub(crate) fn resolve_url(
    flag: Option<&str>,
    cwd: &Path,
    root: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, String> {
    let here = |url: String, origin| Resolved {
        url,
        origin,
        base: cwd.to_path_buf(),
    };
    if let Some(url) = flag {
        return Ok(here(url.to_string(), Origin::Flag));
    }
    if let Some(url) = env(DEFAULT_VAR).filter(|u| !u.trim().is_empty()) {
        return Ok(here(url, Origin::Env(DEFAULT_VAR.to_string())));
    }
    let mut folders = vec![cwd.to_path_buf()];
    if cwd != root {
        folders.push(root.to_path_buf());
    }
    let schema = folders.iter().find_map(|dir| {
        [dir.join("prisma/schema.prisma"), dir.join("schema.prisma")]
            .into_iter()
            .find(|p| p.is_file())
    });
    let datasource = match &schema {
        Some(path) => {
            let text = read_small(path)?;
            datasource_url(&text)
        }
        None => None,
    };
    let var = match &datasource {
        Some(SchemaUrl::Env(name)) => name.clone(),
        _ => DEFAULT_VAR.to_string(),
    };
    let schema_dir = schema
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf);
    if var != DEFAULT_VAR {
        if let Some(url) = env(&var).filter(|u| !u.trim().is_empty()) {
            return Ok(here(url, Origin::Env(var)));
        }
    }
    for dir in &folders {
        for file in [dir.join(".env"), dir.join("prisma/.env")] {
            let text = match std::fs::symlink_metadata(&file) {
                Ok(_) => read_small(&file)?,
                Err(_) => continue,
            };
            if let Some(url) = dotenv_value(&text, &var).filter(|u| !u.trim().is_empty()) {
                return Ok(Resolved {
                    url,
                    base: schema_dir.clone().unwrap_or_else(|| cwd.to_path_buf()),
                    origin: Origin::DotEnv {
                        file,
                        var: var.clone(),
                    },
                });
            }
        }
    }
    if let (Some(SchemaUrl::Literal(url)), Some(path), Some(dir)) =
        (&datasource, &schema, &schema_dir)
    {
        return Ok(Resolved {
            url: url.clone(),
            origin: Origin::Schema(path.clone()),
            base: dir.clone(),
        });
    }
    Err(format!(
        "no database URL: pass --database-url, set {var}, or put {var}=... in the project's .env{}",
        if var == DEFAULT_VAR {
            ""
        } else {
            " (the Prisma schema reads it)"
        }
    ))
}

/// A `.env` file or a schema, at most [`MAX_DOTENV`] bytes of UTF-8.
fn read_small(path: &Path) -> Result<String, String> {
    let bytes = crate::source::read_capped(path, MAX_DOTENV)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_message(&e)))?;
    String::from_utf8(bytes).map_err(|_| format!("cannot read {}: not UTF-8 text", path.display()))
}

/// The URL a Prisma schema's datasource gives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SchemaUrl {
    /// `url = env("NAME")`
    Env(String),
    /// `url = "postgresql://..."`
    Literal(String),
}

/// The `url` of the first `datasource` block of a Prisma schema.
pub(crate) fn datasource_url(schema: &str) -> Option<SchemaUrl> {
    let text = strip_schema_comments(schema);
    let mut rest = text.as_str();
    loop {
        let at = rest.find("datasource")?;
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace());
        rest = &rest[at + "datasource".len()..];
        let open = rest.find('{')?;
        let head = &rest[..open];
        // `datasource db {`: one name between the keyword and the brace.
        if !before_ok || head.trim().is_empty() || head.trim().contains(char::is_whitespace) {
            continue;
        }
        let body = &rest[open + 1..];
        let body = &body[..body.find('}').unwrap_or(body.len())];
        for line in body.lines() {
            let line = line.trim();
            let Some(value) = line
                .strip_prefix("url")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix('='))
                .map(str::trim)
            else {
                continue;
            };
            if let Some(inner) = value
                .strip_prefix("env(")
                .and_then(|v| v.trim_end().strip_suffix(')'))
            {
                return unquote(inner.trim()).map(SchemaUrl::Env);
            }
            return unquote(value).map(SchemaUrl::Literal);
        }
        return None;
    }
}

fn unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// A Prisma schema without its `//` comments (outside strings: URLs hold `//`).
fn strip_schema_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut end = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                _ if escaped => escaped = false,
                b'\\' if in_string => escaped = true,
                b'"' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        out.push_str(&line[..end]);
        out.push('\n');
    }
    out
}

/// The value of `key` in a `.env` file, as dotenv (which Prisma uses) reads it: `KEY=value` and
/// `export KEY=value` lines, values in single, double or back quotes (double-quoted ones with
/// `\n` escapes, and spanning lines), `#` comments on their own line or after an unquoted value
/// and a space; the last definition wins. No variable expansion: `${OTHER}` stays as written
/// (Prisma expands it through dotenv-expand, but database URLs that need it are rare, and a
/// wrong expansion would connect somewhere else).
pub(crate) fn dotenv_value(text: &str, key: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export")
            .filter(|l| l.starts_with([' ', '\t']))
            .map_or(line, str::trim_start);
        // `KEY=value`, or dotenv's `KEY: value`.
        let name_end = line
            .find(|c: char| !(c.is_alphanumeric() || "_.-".contains(c)))
            .unwrap_or(line.len());
        let name = &line[..name_end];
        let after = line[name_end..].trim_start();
        let Some(value) = after.strip_prefix('=').or_else(|| after.strip_prefix(':')) else {
            continue;
        };
        let value = value.trim_start();
        let quote = value
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'));
        let parsed = match quote {
            Some(q) => {
                let mut body = value[1..].to_string();
                // A quoted value may span lines, up to its closing quote.
                loop {
                    if let Some(end) = body.find(q) {
                        body.truncate(end);
                        break;
                    }
                    match lines.next() {
                        Some(next) => {
                            body.push('\n');
                            body.push_str(next);
                        }
                        None => break,
                    }
                }
                if q == '"' {
                    body.replace("\\n", "\n").replace("\\r", "\r")
                } else {
                    body
                }
            }
            None => {
                let end = value
                    .char_indices()
                    .find(|&(i, c)| c == '#' && i > 0 && value[..i].ends_with([' ', '\t']))
                    .map_or(value.len(), |(i, _)| i);
                value[..end].trim().to_string()
            }
        };
        if name == key {
            found = Some(parsed);
        }
    }
    found
}

/// A URL's parts, as written (percent-encoded).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UrlParts<'a> {
    pub scheme: &'a str,
    /// `user:password`, up to the last `@` before the query (so an unencoded `@` in a password
    /// stays in it).
    pub userinfo: Option<&'a str>,
    /// `host:port`, several comma-separated, or empty.
    pub hosts: &'a str,
    /// After the first `/` that follows the hosts, without it.
    pub path: &'a str,
    pub query: Vec<(&'a str, &'a str)>,
}

impl UrlParts<'_> {
    /// The user and the password, percent-decoded.
    pub fn credentials(&self) -> (Option<String>, Option<String>) {
        match self.userinfo {
            None => (None, None),
            Some(info) => match info.split_once(':') {
                Some((user, pass)) => (Some(percent_decode(user)), Some(percent_decode(pass))),
                None => (Some(percent_decode(info)), None),
            },
        }
    }
}

pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let rest = rest.split('#').next().unwrap_or("");
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (userinfo, after) = match before_query.rfind('@') {
        Some(at) => (Some(&before_query[..at]), &before_query[at + 1..]),
        None => (None, before_query),
    };
    let (hosts, path) = after.split_once('/').unwrap_or((after, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    Some(UrlParts {
        scheme,
        userinfo,
        hosts,
        path,
        query,
    })
}

/// Whether a URL parameter holds a secret (`password`, `sslpassword`, `pass`, ...).
fn is_secret_param(key: &str) -> bool {
    let key = percent_decode(key).to_ascii_lowercase();
    ["pass", "secret", "token", "key"]
        .iter()
        .any(|word| key.contains(word))
        && key != "sslkey"
}

/// The URL with its password, and any parameter holding a secret, as `***`:
/// `postgres://app:***@host:5432/db`. The user part runs to the last `@` of the URL, so that a
/// password with unencoded `/`, `?` or `@` is hidden whole (at worst, more is hidden). What is
/// not a URL with `://` holds no password leaklint would send and is returned as it is.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let mut out = format!("{scheme}://");
    let after = match rest.rfind('@') {
        Some(at) => {
            let info = &rest[..at];
            match info.split_once(':') {
                Some((user, _)) => out.push_str(&format!("{user}:***@")),
                None => out.push_str(&format!("{info}@")),
            }
            &rest[at + 1..]
        }
        None => rest,
    };
    let (before_query, query) = match after.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (after, None),
    };
    out.push_str(before_query);
    if let Some(query) = query {
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_param(k) => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

/// Secrets that must not appear in anything printed: every URL's password (as written and
/// decoded) and secret parameters, and the URLs themselves.
#[derive(Debug, Default)]
pub(crate) struct Secrets {
    urls: Vec<String>,
    words: Vec<String>,
}

impl Secrets {
    pub fn add_url(&mut self, url: &str) {
        self.urls.push(url.to_string());
        let Some(parts) = split_url(url) else {
            return;
        };
        // The password as the drivers read it, and as redaction does (to the last `@`).
        let to_last_at = url
            .split_once("://")
            .and_then(|(_, rest)| rest.rfind('@').map(|at| &rest[..at]));
        for info in [parts.userinfo, to_last_at].into_iter().flatten() {
            if let Some((_, pass)) = info.split_once(':') {
                self.words.push(pass.to_string());
                self.words.push(percent_decode(pass));
            }
        }
        for (k, v) in &parts.query {
            if is_secret_param(k) {
                self.words.push(v.to_string());
                self.words.push(percent_decode(v));
            }
        }
        self.words.retain(|w| !w.is_empty());
        // Longest first, so that a secret holding another is replaced whole.
        self.words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        self.words.dedup();
    }

    pub fn add_word(&mut self, secret: &str) {
        if !secret.is_empty() {
            self.words.push(secret.to_string());
            self.words.sort_by_key(|w| std::cmp::Reverse(w.len()));
            self.words.dedup();
        }
    }

    /// `text` with each URL redacted and each secret as `***`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for url in &self.urls {
            if !url.is_empty() {
                out = out.replace(url.as_str(), &redact_url(url));
            }
        }
        for word in &self.words {
            // `***` itself is what redaction writes.
            if word != "***" {
                out = out.replace(word.as_str(), "***");
            }
        }
        out
    }
}

/// `%xx` escapes decoded (and `+` kept: it is a space only in forms); invalid UTF-8 lossy.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` as an SQL identifier in double quotes (SQLite; PostgreSQL).
pub(crate) fn quote_ident(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines() {
        let text = "# comment\nexport DATABASE_URL=\"postgres://a:b@h/db\" # trailing\n\
                    OTHER='single # kept'\nPLAIN=value # comment\nHASH=a#b\n\
                    MULTI=\"line1\nline2\"\nEMPTY=\n  SPACED = spaced  \nexporter=x\n";
        assert_eq!(
            dotenv_value(text, "DATABASE_URL").as_deref(),
            Some("postgres://a:b@h/db")
        );
        assert_eq!(
            dotenv_value(text, "OTHER").as_deref(),
            Some("single # kept")
        );
        assert_eq!(dotenv_value(text, "PLAIN").as_deref(), Some("value"));
        assert_eq!(dotenv_value(text, "HASH").as_deref(), Some("a#b"));
        assert_eq!(dotenv_value(text, "MULTI").as_deref(), Some("line1\nline2"));
        assert_eq!(dotenv_value(text, "EMPTY").as_deref(), Some(""));
        assert_eq!(dotenv_value(text, "SPACED").as_deref(), Some("spaced"));
        assert_eq!(dotenv_value(text, "exporter").as_deref(), Some("x"));
        assert_eq!(dotenv_value(text, "MISSING"), None);
        // The last definition wins; no expansion.
        assert_eq!(dotenv_value("A=1\nA=${B}\n", "A").as_deref(), Some("${B}"));
        // An unclosed quote takes the rest of the file, and does not panic.
        assert_eq!(
            dotenv_value("A=\"open\nB=2", "A").as_deref(),
            Some("open\nB=2")
        );
    }

    #[test]
    fn prisma_datasource() {
        let schema = r#"
// datasource commented { url = env("NO") }
generator client { provider = "prisma-client-js" }
datasource db {
  provider = "postgresql" // a comment
  url      = env("POSTGRES_PRISMA_URL")
  directUrl = env("DIRECT")
}
"#;
        assert_eq!(
            datasource_url(schema),
            Some(SchemaUrl::Env("POSTGRES_PRISMA_URL".into()))
        );
        let literal = "datasource db {\n  provider = \"sqlite\"\n  url = \"file:./dev.db\"\n}\n";
        assert_eq!(
            datasource_url(literal),
            Some(SchemaUrl::Literal("file:./dev.db".into()))
        );
        let url_with_slashes = "datasource db {\n url = \"postgres://u@h/db\" // c\n}";
        assert_eq!(
            datasource_url(url_with_slashes),
            Some(SchemaUrl::Literal("postgres://u@h/db".into()))
        );
        assert_eq!(datasource_url("model User { id Int @id }"), None);
        assert_eq!(datasource_url("datasource db {"), None);
    }

    #[test]
    fn redaction() {
        for (url, shown) in [
            (
                "postgres://app:s3cr%40t@db.example.com:5432/app?sslmode=require",
                "postgres://app:***@db.example.com:5432/app?sslmode=require",
            ),
            (
                "postgresql://app:p@ss/w?rd@host/db",
                "postgresql://app:***@host/db",
            ),
            ("mysql://root@localhost/db", "mysql://root@localhost/db"),
            (
                "postgres://host/db?user=a&password=hunter22&sslpassword=x",
                "postgres://host/db?user=a&password=***&sslpassword=***",
            ),
            ("file:./dev.db", "file:./dev.db"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
        let mut secrets = Secrets::default();
        secrets.add_url("postgres://app:s3cr%40t-long@host/db?password=other-secret");
        let text = secrets.scrub(
            "failed: postgres://app:s3cr%40t-long@host/db?password=other-secret; s3cr@t-long, other-secret",
        );
        assert!(!text.contains("s3cr"), "{text}");
        assert!(!text.contains("other-secret"), "{text}");
        assert!(text.contains("postgres://app:***@host/db"), "{text}");
    }

    #[test]
    fn targets_by_scheme() {
        let base = Path::new("/p/prisma");
        assert_eq!(
            Target::parse("postgresql://h/db", base),
            Ok(Target::Postgres("postgresql://h/db".into()))
        );
        assert_eq!(
            Target::parse("mariadb://h/db", base),
            Ok(Target::MySql("mariadb://h/db".into()))
        );
        assert_eq!(
            Target::parse("file:./dev.db?connection_limit=1", base),
            Ok(Target::Sqlite("/p/prisma/dev.db".into()))
        );
        assert_eq!(
            Target::parse("sqlite:///abs/x.sqlite", base),
            Ok(Target::Sqlite("/abs/x.sqlite".into()))
        );
        assert_eq!(
            Target::parse("../data/app.sqlite3", base),
            Ok(Target::Sqlite("/p/data/app.sqlite3".into()))
        );
        let err = Target::parse("mongodb://u:secret@h/db", base).unwrap_err();
        assert!(
            err.contains("`mongodb:`") && !err.contains("secret"),
            "{err}"
        );
        let err = Target::parse("host=h password=secret", base).unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(Target::parse("file:", base).is_err());
    }

    #[test]
    fn connect_timeouts() {
        let t = |url: &str| Target::Postgres(url.into()).connect_timeout();
        assert_eq!(t("postgres://h/db"), Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(
            t("postgres://h/db?connect_timeout=3"),
            Some(Duration::from_secs(3))
        );
        assert_eq!(t("postgres://h/db?connect_timeout=0"), None);
        assert_eq!(
            t("postgres://h/db?connect_timeout=x"),
            Some(DEFAULT_CONNECT_TIMEOUT)
        );
    }

    #[test]
    fn urls_from_flag_environment_dotenv_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let no_env = |_: &str| None;
        assert!(resolve_url(None, root, root, &no_env)
            .unwrap_err()
            .contains("no database URL"));
        let flag = resolve_url(Some("postgres://f/db"), root, root, &no_env).unwrap();
        assert_eq!(flag.origin, Origin::Flag);
        let env = |name: &str| (name == "DATABASE_URL").then(|| "postgres://e/db".to_string());
        assert_eq!(
            resolve_url(None, root, root, &env).unwrap().origin,
            Origin::Env("DATABASE_URL".into())
        );

        std::fs::create_dir_all(root.join("prisma")).unwrap();
        std::fs::write(root.join("prisma/.env"), "DATABASE_URL=file:./dev.db\n").unwrap();
        std::fs::write(
            root.join("prisma/schema.prisma"),
            "datasource db {\n  provider = \"sqlite\"\n  url = env(\"DATABASE_URL\")\n}\n",
        )
        .unwrap();
        let found = resolve_url(None, root, root, &no_env).unwrap();
        assert_eq!(found.url, "file:./dev.db");
        assert_eq!(found.base, root.join("prisma"));
        assert_eq!(
            Target::parse(&found.url, &found.base),
            Ok(Target::Sqlite(root.join("prisma/dev.db")))
        );

        // The schema names another variable: the root's .env is read for it.
        std::fs::write(
            root.join("prisma/schema.prisma"),
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"PG_URL\")\n}\n",
        )
        .unwrap();
        std::fs::write(
            root.join(".env"),
            "DATABASE_URL=postgres://wrong/db\nPG_URL=postgres://right/db\n",
        )
        .unwrap();
        let found = resolve_url(None, root, root, &no_env).unwrap();
        assert_eq!(found.url, "postgres://right/db");
        assert_eq!(
            found.origin,
            Origin::DotEnv {
                file: root.join(".env"),
                var: "PG_URL".into()
            }
        );
        let env = |name: &str| (name == "PG_URL").then(|| "postgres://env/db".to_string());
        assert_eq!(
            resolve_url(None, root, root, &env).unwrap().url,
            "postgres://env/db"
        );

        // A .env that is not UTF-8 is an error, not a guess.
        std::fs::write(root.join(".env"), b"PG_URL=\xff\xfe\n").unwrap();
        let err = resolve_url(None, root, root, &no_env).unwrap_err();
        assert!(err.contains("not UTF-8"), "{err}");
        // A huge one is not read.
        std::fs::write(root.join(".env"), vec![b'#'; (MAX_DOTENV + 1) as usize]).unwrap();
        let err = resolve_url(None, root, root, &no_env).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
    }

    #[test]
    fn fan_out_is_clamped_and_rounded() {
        let reference = crate::project::stats::Reference {
            schema: None,
            table: "P".into(),
            columns: vec!["id".into()],
        };
        let fk = fan_out(
            vec!["pId".into()],
            reference.clone(),
            1000.0,
            3.0,
            Some(600.4),
        );
        assert_eq!(fk.distinct_parents, 3.0);
        assert_eq!(fk.avg_children, 333.33);
        assert_eq!(fk.max_children, Some(600.0));
        // More distinct values than rows (stale): one child each.
        let fk = fan_out(vec!["pId".into()], reference.clone(), 10.0, 50.0, None);
        assert_eq!((fk.distinct_parents, fk.avg_children), (10.0, 1.0));
        let fk = fan_out(vec!["pId".into()], reference, 0.0, 0.0, None);
        assert_eq!((fk.distinct_parents, fk.avg_children), (0.0, 0.0));
    }

    #[test]
    fn the_file_is_sorted_and_whole_numbers_have_no_fraction() {
        let fk = |col: &str| {
            fan_out(
                vec![col.into()],
                crate::project::stats::Reference {
                    schema: Some("public".into()),
                    table: "P".into(),
                    columns: vec!["id".into()],
                },
                10.0,
                4.0,
                Some(6.0),
            )
        };
        let table = |schema: &str, name: &str, fks| TableStats {
            schema: Some(schema.into()),
            name: name.into(),
            rows: 10.0,
            inserts: Some(12),
            last_analyze: None,
            foreign_keys: fks,
        };
        let file = stats_file(
            Server {
                kind: "postgresql".into(),
                version: "15.18".into(),
            },
            Some("app".into()),
            vec![
                table("public", "b", vec![fk("z"), fk("a")]),
                table("audit", "z", vec![]),
                table("public", "a\": 1.0", vec![]),
            ],
        );
        let text = String::from_utf8(to_json(&file)).unwrap();
        assert!(text.ends_with("}\n"), "{text}");
        assert!(text.contains("\"rows\": 10,\n"), "{text}");
        assert!(text.contains("\"avg_children\": 2.5,\n"), "{text}");
        assert!(text.contains("\"name\": \"a\\\": 1.0\""), "{text}");
        let back = StatsFile::parse(&text).unwrap();
        assert_eq!(back, file);
        let names: Vec<_> = back.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["z", "a\": 1.0", "b"]);
        let columns: Vec<_> = back.tables[2]
            .foreign_keys
            .iter()
            .map(|f| f.columns[0].as_str())
            .collect();
        assert_eq!(columns, ["a", "z"]);
    }

    #[test]
    fn messages_stay_on_one_line() {
        assert_eq!(
            one_line("public.T\u{1b}[2J(a\nb)"),
            "public.T\\u{1b}[2J(a\\nb)"
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%2Fc"), "a@b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
