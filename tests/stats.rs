//! `leaklint stats` against real servers, through the binary: a throwaway PostgreSQL cluster
//! (`initdb` and `pg_ctl` in a temporary folder, as the `postgres` user when the tests run as
//! root, on a free local port and a socket in that folder, stopped and removed when the last
//! test using it ends, also on a panic), SQLite files built with the bundled library, and
//! hostile input. No mocks.
//!
//! Without PostgreSQL installed, its tests print a note and pass, unless
//! `LEAKLINT_REQUIRE_POSTGRES=1` (CI sets it), which makes them fail.
#![cfg(feature = "databases")]

use leaklint::project::stats::{ForeignKeyStats, StatsFile, TableStats};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// In every text column of the seeded tables: it must never reach leaklint's output.
const MARKER: &str = "MARKER-4f1c";
const ADMIN: &str = "leaklint_admin";
const ADMIN_PASSWORD: &str = "adm1n-Pw-e83b27";
/// The read-only role, made as the README says.
const READER: &str = "leaklint_stats";
/// With an `@`, written `%40` in URLs: neither form may be printed.
const READER_PASSWORD: &str = "rd-S3cret@pw-91c4";
const READER_PASSWORD_ENCODED: &str = "rd-S3cret%40pw-91c4";

// ---------------------------------------------------------------------------------------------
// Running the binary

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    /// Everything it printed.
    fn printed(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `leaklint ARGS` in `cwd` with `env` added to an environment without any database
/// variable, killing it after a minute (a hang is a failure, not a stuck test).
fn leaklint(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leaklint"));
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "DATABASE_URL",
        "PGPASSWORD",
        "PGUSER",
        "LEAKLINT_TEST_PG_URL",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let child = cmd.spawn().expect("the binary runs");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("waited"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("leaklint {args:?} hung for a minute");
        }
    };
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

fn assert_clean(run: &Run, secrets: &[&str]) {
    for secret in secrets.iter().chain([&MARKER]) {
        assert!(
            !run.printed().contains(secret),
            "`{secret}` was printed:\n{}",
            run.printed()
        );
    }
}

fn read_stats(path: &Path) -> (StatsFile, String) {
    let text = std::fs::read_to_string(path).expect("the statistics file was written");
    let file = StatsFile::read(path).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (file, text)
}

fn table<'a>(file: &'a StatsFile, name: &str) -> &'a TableStats {
    file.tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table {name} in {:?}", file.tables))
}

fn key<'a>(table: &'a TableStats, column: &str) -> &'a ForeignKeyStats {
    table
        .foreign_keys
        .iter()
        .find(|k| k.columns == [column])
        .unwrap_or_else(|| panic!("no key {column} in {:?}", table.foreign_keys))
}

/// `actual` within `tolerance` (a fraction) of `expected`.
fn near(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let off = (actual - expected).abs() / expected.abs().max(1.0);
    assert!(
        off <= tolerance,
        "{what}: {actual}, expected {expected} within {}%",
        tolerance * 100.0
    );
}

/// A folder that is a project root (it holds `.git`).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A throwaway PostgreSQL cluster

struct Postgres {
    /// Removed after `Drop::drop` stops the server (fields drop after it).
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// `postgres` when the tests run as root (PostgreSQL refuses to run as root).
    run_as: Option<String>,
    /// Started with `ssl = on` and a self-signed certificate for localhost.
    tls: bool,
}

/// The cluster the tests share: started by the first that asks, stopped when the last one
/// holding it ends.
static CLUSTER: Mutex<Weak<Postgres>> = Mutex::new(Weak::new());

/// The shared cluster, or `None` (after a note) when PostgreSQL is not installed and
/// `LEAKLINT_REQUIRE_POSTGRES` is not set.
fn postgres() -> Option<Arc<Postgres>> {
    let mut shared = CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(cluster) = shared.upgrade() {
        return Some(cluster);
    }
    let required = std::env::var("LEAKLINT_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Some(bin) = postgres_bin() else {
        assert!(
            !required,
            "LEAKLINT_REQUIRE_POSTGRES=1 but no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin"
        );
        eprintln!("note: PostgreSQL is not installed (initdb, pg_ctl): skipping this test");
        return None;
    };
    let cluster = Arc::new(Postgres::start(bin).unwrap_or_else(|e| panic!("{e}")));
    *shared = Arc::downgrade(&cluster);
    Some(cluster)
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`.
fn postgres_bin() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).find_map(|dir| {
            // Debian links initdb into /usr/local/bin at most: its real folder has the rest.
            let initdb = std::fs::canonicalize(dir.join("initdb")).ok()?;
            let real = initdb.parent()?.to_path_buf();
            complete(&real).then_some(real)
        })
    });
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|d| complete(d))
            .collect();
        versions.sort_by_key(|d| {
            d.parent()
                .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
                .unwrap_or(0)
        });
        versions.pop()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn uid_gid(user: &str) -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, user]).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no system user `{user}`"))
    };
    (id("-u"), id("-g"))
}

fn chown_all(path: &Path, owner: (u32, u32)) {
    std::os::unix::fs::chown(path, Some(owner.0), Some(owner.1)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_all(&entry.unwrap().path(), owner);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Makes a self-signed certificate for localhost and 127.0.0.1 in `dir` with the `openssl`
/// command; `false` when there is none.
fn self_signed(dir: &Path) -> bool {
    Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("server.key"))
        .arg("-out")
        .arg(dir.join("server.crt"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Postgres {
    fn start(bin: PathBuf) -> Result<Postgres, String> {
        let dir = tempfile::Builder::new()
            .prefix("leaklint-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let run_as = is_root().then(|| "postgres".to_string());
        std::fs::write(dir.path().join("pwfile"), format!("{ADMIN_PASSWORD}\n")).unwrap();
        let tls = self_signed(dir.path());
        if !tls {
            eprintln!("note: no `openssl` command: the cluster runs without TLS");
        }
        if let Some(user) = &run_as {
            chown_all(dir.path(), uid_gid(user));
        }
        if tls {
            use std::os::unix::fs::PermissionsExt;
            let key = dir.path().join("server.key");
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let cluster = Postgres {
            dir,
            bin,
            port: free_port(),
            run_as,
            tls,
        };
        let data = cluster.data();
        let initdb = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                ADMIN,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .arg(format!(
                "--pwfile={}",
                cluster.dir.path().join("pwfile").display()
            ))
            .args(["--no-sync", "--locale=C", "-E", "UTF8"])
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !initdb.status.success() {
            return Err(format!(
                "initdb failed:\n{}{}",
                String::from_utf8_lossy(&initdb.stdout),
                String::from_utf8_lossy(&initdb.stderr)
            ));
        }
        let socket_dir = cluster.dir.path().display().to_string();
        let mut conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{socket_dir}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n\
             max_connections = 40\nlog_connections = on\nlog_statement = 'all'\n\
             log_line_prefix = 'app=%a '\n",
            cluster.port
        );
        if cluster.tls {
            conf.push_str(&format!(
                "ssl = on\nssl_cert_file = '{socket_dir}/server.crt'\nssl_key_file = '{socket_dir}/server.key'\n"
            ));
        }
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(|e| format!("postgresql.conf: {e}"))?;
        let started = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.log_path())
            .args(["-w", "-t", "60", "start"])
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        if !started.status.success() {
            return Err(format!(
                "pg_ctl start failed:\n{}{}\n{}",
                String::from_utf8_lossy(&started.stdout),
                String::from_utf8_lossy(&started.stderr),
                cluster.log()
            ));
        }
        let mut admin = cluster.admin("postgres");
        admin
            .batch_execute(&format!(
                "CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'"
            ))
            .unwrap();
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// A PostgreSQL program, as the `postgres` user when the tests run as root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        };
        cmd.current_dir(self.dir.path()).stdin(Stdio::null());
        cmd
    }

    /// The superuser, through the socket (trusted).
    fn admin(&self, database: &str) -> postgres::Client {
        postgres::Config::new()
            .host_path(self.dir.path())
            .port(self.port)
            .user(ADMIN)
            .dbname(database)
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("admin connection: {e}\n{}", self.log()))
    }

    /// A new database, seeded by `seed`, readable by the read-only role as the README says.
    fn database(&self, name: &str, seed: &str) -> postgres::Client {
        self.admin("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let mut db = self.admin(name);
        db.batch_execute(seed).unwrap();
        db.batch_execute(&format!(
            "GRANT CONNECT ON DATABASE {name} TO {READER};
             GRANT USAGE ON SCHEMA public TO {READER};
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER};
             ANALYZE;"
        ))
        .unwrap();
        db
    }

    fn url(&self, user: &str, password: &str, database: &str, params: &str) -> String {
        let params = if params.is_empty() {
            String::new()
        } else {
            format!("?{params}")
        };
        format!(
            "postgresql://{user}:{}@127.0.0.1:{}/{database}{params}",
            percent_encode(password),
            self.port
        )
    }

    fn reader_url(&self, database: &str, params: &str) -> String {
        self.url(READER, READER_PASSWORD, database, params)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Seed 004's tables: nodes, a growing table of observations (about a thousand per node, one
/// node with ten times as many), a few stats samples per node, zero to three seed mappings per
/// node (and some with no node). Every text column holds [`MARKER`].
const SEED_004: &str = r#"
CREATE TABLE "Pnode" (id serial PRIMARY KEY, pubkey text NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE "PnodeGossipObservation" (id bigserial PRIMARY KEY,
  "pnodeId" int NOT NULL REFERENCES "Pnode"(id), address text, "observedAt" timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON "PnodeGossipObservation"("pnodeId");
CREATE TABLE "PnodeStatsSample" (id bigserial PRIMARY KEY,
  "pnodeId" int NOT NULL REFERENCES "Pnode"(id), cpu float8, label text);
CREATE TABLE "SeedMapping" (id serial PRIMARY KEY, "pnodeId" int REFERENCES "Pnode"(id), "seedBaseUrl" text);
INSERT INTO "Pnode"(pubkey) SELECT 'MARKER-4f1c-pubkey-' || i FROM generate_series(1, 300) i;
INSERT INTO "PnodeGossipObservation"("pnodeId", address)
  SELECT 1 + i % 300, 'MARKER-4f1c-addr-' || i FROM generate_series(0, 299999) i;
INSERT INTO "PnodeGossipObservation"("pnodeId", address)
  SELECT 1, 'MARKER-4f1c-skew-' || i FROM generate_series(1, 9000) i;
INSERT INTO "PnodeStatsSample"("pnodeId", cpu, label)
  SELECT 1 + i % 300, random(), 'MARKER-4f1c-stat-' || i FROM generate_series(0, 1499) i;
INSERT INTO "SeedMapping"("pnodeId", "seedBaseUrl")
  SELECT p.id, 'https://MARKER-4f1c-seed-' || p.id || '-' || k FROM "Pnode" p, generate_series(1, p.id % 4) k;
INSERT INTO "SeedMapping"("pnodeId", "seedBaseUrl") SELECT NULL, 'MARKER-4f1c-orphan-' || i FROM generate_series(1, 50) i;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id serial PRIMARY KEY, "pnodeId" int REFERENCES "Pnode"(id), what text);
INSERT INTO audit.events("pnodeId", what) SELECT 1 + i % 300, 'MARKER-4f1c-event' FROM generate_series(1, 600) i;
GRANT USAGE ON SCHEMA audit TO leaklint_stats;
GRANT SELECT ON ALL TABLES IN SCHEMA audit TO leaklint_stats;
"#;

/// A few rows, for the tests about connecting.
const SMALL_SEED: &str = r#"
CREATE TABLE "Pnode" (id serial PRIMARY KEY, pubkey text);
CREATE TABLE "PnodeGossipObservation" (id serial PRIMARY KEY, "pnodeId" int REFERENCES "Pnode"(id), address text);
INSERT INTO "Pnode"(pubkey) SELECT 'MARKER-4f1c-' || i FROM generate_series(1, 20) i;
INSERT INTO "PnodeGossipObservation"("pnodeId", address) SELECT 1 + i % 20, 'MARKER-4f1c-' || i FROM generate_series(1, 200) i;
"#;

/// The collector's own counters of the seeded tables, once the seeding sessions' statistics
/// have reached them.
fn counters(db: &mut postgres::Client, expected_inserts: i64) -> Vec<(String, i64, i64, i64)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        db.batch_execute("SELECT pg_stat_clear_snapshot()").unwrap();
        let rows: Vec<(String, i64, i64, i64)> = db
            .query(
                "SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del \
                 FROM pg_stat_user_tables ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        let inserted: i64 = rows.iter().map(|r| r.1).sum();
        if inserted >= expected_inserts || Instant::now() > deadline {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until no session of `application_name` is left (its statistics are then flushed).
fn sessions_ended(db: &mut postgres::Client, application_name: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let n: i64 = db
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&application_name],
            )
            .unwrap()
            .get(0);
        if n == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("sessions of {application_name} did not end");
}

#[test]
fn postgres_statistics_of_seed_004() {
    let Some(pg) = postgres() else { return };
    let mut db = pg.database("seed004", SEED_004);
    let seeded: i64 = 300 + 309_000 + 1500 + 450 + 50 + 600;
    let before = counters(&mut db, seeded);
    let tables_before: Vec<String> = db
        .query("SELECT relname::text FROM pg_class ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();

    let dir = project();
    let url = pg.reader_url("seed004", "application_name=leaklint-seed004");
    let run = leaklint(
        &["stats", "--database-url", &url, "-o", "tmp/stats.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.printed());
    assert!(
        run.stderr
            .contains("leaklint: wrote tmp/stats.json: 5 tables, 4 foreign keys, from postgresql "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(database seed004) in "),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_clean(&run, &[READER_PASSWORD, READER_PASSWORD_ENCODED]);

    let path = dir.path().join("tmp/stats.json");
    let (file, text) = read_stats(&path);
    for secret in [
        MARKER,
        READER_PASSWORD,
        READER_PASSWORD_ENCODED,
        "127.0.0.1",
    ] {
        assert!(!text.contains(secret), "`{secret}` is in the file:\n{text}");
    }
    assert!(text.ends_with("}\n"));
    assert_eq!(file.server.kind, "postgresql");
    assert!(file
        .server
        .version
        .starts_with(|c: char| c.is_ascii_digit()));
    assert_eq!(file.database.as_deref(), Some("seed004"));
    let names: Vec<(Option<&str>, &str)> = file
        .tables
        .iter()
        .map(|t| (t.schema.as_deref(), t.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (Some("audit"), "events"),
            (Some("public"), "Pnode"),
            (Some("public"), "PnodeGossipObservation"),
            (Some("public"), "PnodeStatsSample"),
            (Some("public"), "SeedMapping"),
        ]
    );

    let nodes = table(&file, "Pnode");
    near(nodes.rows, 300.0, 0.1, "Pnode rows");
    assert_eq!(nodes.inserts, Some(300));
    assert!(nodes
        .last_analyze
        .as_deref()
        .is_some_and(|t| leaklint::project::stats::parse_rfc3339(t).is_some()));
    assert!(nodes.foreign_keys.is_empty());

    let observations = table(&file, "PnodeGossipObservation");
    near(observations.rows, 309_000.0, 0.1, "observation rows");
    assert_eq!(observations.inserts, Some(309_000));
    let by_node = key(observations, "pnodeId");
    assert_eq!(by_node.references.table, "Pnode");
    assert_eq!(by_node.references.schema.as_deref(), Some("public"));
    assert_eq!(by_node.references.columns, ["id"]);
    near(
        by_node.distinct_parents,
        300.0,
        0.1,
        "observations' distinct nodes",
    );
    near(by_node.avg_children, 1030.0, 0.1, "observations per node");
    // The skewed node: 1,000 + 9,000.
    let max = by_node.max_children.expect("a most common value");
    near(max, 10_000.0, 0.15, "observations of the busiest node");
    assert!(max > by_node.avg_children * 5.0);

    let samples = table(&file, "PnodeStatsSample");
    near(samples.rows, 1500.0, 0.1, "sample rows");
    let by_node = key(samples, "pnodeId");
    near(
        by_node.distinct_parents,
        300.0,
        0.1,
        "samples' distinct nodes",
    );
    near(by_node.avg_children, 5.0, 0.1, "samples per node");

    // 0 to 3 per node, and 50 without a node: the average is over nodes that have some.
    let mappings = table(&file, "SeedMapping");
    near(mappings.rows, 500.0, 0.1, "mapping rows");
    let by_node = key(mappings, "pnodeId");
    near(
        by_node.distinct_parents,
        225.0,
        0.1,
        "mappings' distinct nodes",
    );
    near(by_node.avg_children, 2.0, 0.1, "mappings per node");
    if let Some(max) = by_node.max_children {
        near(max, 3.0, 0.34, "mappings of the busiest node");
    }

    let events = table(&file, "events");
    assert_eq!(events.schema.as_deref(), Some("audit"));
    near(
        key(events, "pnodeId").avg_children,
        2.0,
        0.1,
        "events per node",
    );

    // Nothing was written: the same tables, the same counters, and the server saw only reads.
    sessions_ended(&mut db, "leaklint-seed004");
    assert_eq!(counters(&mut db, seeded), before);
    let tables_after: Vec<String> = db
        .query("SELECT relname::text FROM pg_class ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables_after, tables_before);
    let log = pg.log();
    let statements: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("app=leaklint-seed004 ") && l.contains("statement: "))
        .map(|l| l.split("statement: ").nth(1).unwrap())
        .collect();
    assert!(statements.len() >= 4, "{log}");
    for statement in &statements {
        assert!(
            [
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                "SELECT ",
                "ROLLBACK"
            ]
            .iter()
            .any(|p| statement.starts_with(p)),
            "the collector sent `{statement}`"
        );
    }
    for line in log
        .lines()
        .filter(|l| l.starts_with("app=leaklint-seed004 "))
    {
        assert!(
            !line.contains("most_common_vals") && !line.contains("histogram_bounds"),
            "{line}"
        );
    }

    // --schema keeps to the schemas named.
    let run = leaklint(
        &[
            "stats",
            "--database-url",
            &url,
            "-o",
            "only-audit.json",
            "--schema",
            "audit",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.printed());
    let (file, _) = read_stats(&dir.path().join("only-audit.json"));
    let names: Vec<&str> = file.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["events"]);
    // The reference leaves the schemas named, and says where it goes.
    let reference = &file.tables[0].foreign_keys[0].references;
    assert_eq!(reference.schema.as_deref(), Some("public"));
    assert_eq!(reference.table, "Pnode");
}

#[test]
fn postgres_url_from_the_environment_a_dotenv_and_a_prisma_schema() {
    let Some(pg) = postgres() else { return };
    drop(pg.database("from_env", SMALL_SEED));
    let url = pg.reader_url("from_env", "");
    let secrets = [READER_PASSWORD, READER_PASSWORD_ENCODED];

    // DATABASE_URL, and the default output in the project root.
    let dir = project();
    let run = leaklint(&["stats"], dir.path(), &[("DATABASE_URL", &url)]);
    assert_eq!(run.code, 0, "{}", run.printed());
    assert!(
        run.stderr
            .contains("wrote .leaklint/stats.json: 2 tables, 1 foreign key"),
        "{}",
        run.stderr
    );
    assert_clean(&run, &secrets);
    let (file, _) = read_stats(&dir.path().join(".leaklint/stats.json"));
    near(
        table(&file, "PnodeGossipObservation").rows,
        200.0,
        0.1,
        "rows",
    );

    // The project's .env, found from a folder below the root.
    let dir = project();
    std::fs::create_dir_all(dir.path().join("apps/web")).unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!("# local\nexport DATABASE_URL=\"{url}\" # the dev database\n"),
    )
    .unwrap();
    let run = leaklint(&["stats"], &dir.path().join("apps/web"), &[]);
    assert_eq!(run.code, 0, "{}", run.printed());
    assert_clean(&run, &secrets);
    assert!(dir.path().join(".leaklint/stats.json").is_file());

    // A Prisma schema naming another variable: that one is read, DATABASE_URL is not.
    let dir = project();
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"LEAKLINT_TEST_PG_URL\")\n}\n",
    )
    .unwrap();
    let wrong = pg.reader_url("no_such_database", "");
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL={wrong}\nLEAKLINT_TEST_PG_URL='{url}'\n"),
    )
    .unwrap();
    let run = leaklint(&["stats", "-o", "out.json"], dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.printed());
    assert_clean(&run, &secrets);
    assert_eq!(
        read_stats(&dir.path().join("out.json"))
            .0
            .database
            .as_deref(),
        Some("from_env")
    );
    // ... and the environment's value of it comes first.
    let run = leaklint(
        &["stats", "-o", "out.json"],
        dir.path(),
        &[("LEAKLINT_TEST_PG_URL", &wrong)],
    );
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(run.stderr.contains("no_such_database"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{READER}:***@127.0.0.1")),
        "{}",
        run.stderr
    );
    assert_clean(&run, &secrets);
}

#[test]
fn postgres_wrong_password_and_missing_privileges() {
    let Some(pg) = postgres() else { return };
    drop(pg.database("privileges", SMALL_SEED));
    let dir = project();
    let wrong = "Wr0ng-pw-5be1";
    let url = pg.url(READER, wrong, "privileges", "");
    let run = leaklint(&["stats", "--database-url", &url], dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(
        run.stderr
            .starts_with("leaklint: cannot connect to postgresql://leaklint_stats:***@127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("password authentication failed"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_clean(&run, &[wrong, READER_PASSWORD]);
    assert!(!dir.path().join(".leaklint").exists());

    // A role that may connect but not SELECT sees no planner statistics (pg_stats shows only
    // what a role may read): the keys are left out and counted, never guessed.
    let mut admin = pg.admin("privileges");
    admin
        .batch_execute(
            "CREATE ROLE leaklint_blind LOGIN PASSWORD 'blind-pw-77a0';
             GRANT CONNECT ON DATABASE privileges TO leaklint_blind;",
        )
        .unwrap();
    let url = pg.url("leaklint_blind", "blind-pw-77a0", "privileges", "");
    let run = leaklint(
        &["stats", "--database-url", &url, "-o", "s.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.printed());
    assert!(
        run.stderr.contains("1 foreign key had no planner statistics (run ANALYZE): public.PnodeGossipObservation(pnodeId)"),
        "{}",
        run.stderr
    );
    let (file, _) = read_stats(&dir.path().join("s.json"));
    assert!(table(&file, "PnodeGossipObservation")
        .foreign_keys
        .is_empty());
    near(
        table(&file, "PnodeGossipObservation").rows,
        200.0,
        0.1,
        "rows",
    );
    assert_clean(&run, &["blind-pw-77a0"]);
}

#[test]
fn postgres_over_tls() {
    let Some(pg) = postgres() else { return };
    if !pg.tls {
        eprintln!("note: no `openssl` command to make a certificate: skipping the TLS test");
        return;
    }
    drop(pg.database("tls", SMALL_SEED));
    let dir = project();
    let secrets = [READER_PASSWORD, READER_PASSWORD_ENCODED];

    // require: encrypted, the self-signed certificate not verified (as libpq).
    let url = pg.reader_url(
        "tls",
        "sslmode=require&application_name=leaklint-tls-require",
    );
    let run = leaklint(
        &["stats", "--database-url", &url, "-o", "a.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.printed());
    assert_clean(&run, &secrets);
    let log = pg.log();
    let authorized: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("connection authorized")
                && l.contains("application_name=leaklint-tls-require")
        })
        .collect();
    assert!(!authorized.is_empty(), "{log}");
    assert!(
        authorized.iter().all(|l| l.contains("SSL enabled")),
        "{authorized:?}"
    );

    // The default (prefer) uses TLS too when the server offers it.
    let url = pg.reader_url("tls", "application_name=leaklint-tls-prefer");
    assert_eq!(
        leaklint(
            &["stats", "--database-url", &url, "-o", "b.json"],
            dir.path(),
            &[]
        )
        .code,
        0
    );
    let log = pg.log();
    assert!(
        log.lines().any(
            |l| l.contains("application_name=leaklint-tls-prefer") && l.contains("SSL enabled")
        ),
        "{log}"
    );

    // verify-full: the self-signed certificate is refused, clearly.
    let url = pg.reader_url("tls", "sslmode=verify-full");
    let run = leaklint(
        &["stats", "--database-url", &url, "-o", "c.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(
        run.stderr
            .contains("cannot connect to postgresql://leaklint_stats:***@127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("certificate"), "{}", run.stderr);
    assert!(run.stderr.contains("sslrootcert"), "{}", run.stderr);
    assert_clean(&run, &secrets);
    assert!(!dir.path().join("c.json").exists());

    // ... and accepted with it as the root, by host name and by address.
    let root = pg.dir.path().join("server.crt");
    for host in ["localhost", "127.0.0.1"] {
        let url = format!(
            "postgresql://{READER}:{READER_PASSWORD_ENCODED}@{host}:{}/tls?sslmode=verify-full&sslrootcert={}",
            pg.port,
            root.display()
        );
        let run = leaklint(
            &["stats", "--database-url", &url, "-o", "d.json"],
            dir.path(),
            &[],
        );
        assert_eq!(run.code, 0, "{host}: {}", run.printed());
    }
    // verify-ca checks the chain and not the name.
    let url = pg.reader_url(
        "tls",
        &format!("sslmode=verify-ca&sslrootcert={}", root.display()),
    );
    assert_eq!(
        leaklint(
            &["stats", "--database-url", &url, "-o", "e.json"],
            dir.path(),
            &[]
        )
        .code,
        0
    );
}

// ---------------------------------------------------------------------------------------------
// Servers that do not answer

#[test]
fn a_server_that_never_answers_times_out() {
    // Accepted by the kernel's backlog, never answered: the drivers' connect timeouts (TCP
    // only) do not fire, leaklint's own does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = project();
    for url in [
        format!("postgres://app:silent-pw-1@127.0.0.1:{port}/db?connect_timeout=1"),
        format!("mysql://app:silent-pw-1@127.0.0.1:{port}/db?connect_timeout=1"),
    ] {
        let run = leaklint(&["stats", "--database-url", &url], dir.path(), &[]);
        assert_eq!(run.code, 2, "{}", run.printed());
        assert!(run.stderr.contains("timed out"), "{}", run.stderr);
        assert!(run.took < Duration::from_secs(15), "{:?}", run.took);
        assert_clean(&run, &["silent-pw-1"]);
    }
    drop(listener);
}

#[test]
fn a_refused_connection_is_one_clear_line() {
    let port = free_port();
    let dir = project();
    for (url, shown) in [
        (
            format!("postgres://app:refused-pw-2@127.0.0.1:{port}/db"),
            format!("postgres://app:***@127.0.0.1:{port}/db"),
        ),
        (
            format!("mysql://app:refused-pw-2@127.0.0.1:{port}/db"),
            format!("mysql://app:***@127.0.0.1:{port}/db"),
        ),
    ] {
        let run = leaklint(&["stats", "--database-url", &url], dir.path(), &[]);
        assert_eq!(run.code, 2, "{}", run.printed());
        assert!(
            run.stderr
                .starts_with(&format!("leaklint: cannot connect to {shown}: ")),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_clean(&run, &["refused-pw-2"]);
    }
}

// ---------------------------------------------------------------------------------------------
// SQLite

/// Seed 004 in SQLite, as Prisma makes it.
fn sqlite_database(path: &Path, analyze: bool) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        r#"
        CREATE TABLE "Pnode" (id INTEGER PRIMARY KEY, pubkey TEXT NOT NULL);
        CREATE TABLE "PnodeGossipObservation" (id INTEGER PRIMARY KEY,
          "pnodeId" INTEGER NOT NULL REFERENCES "Pnode"(id), address TEXT);
        CREATE INDEX "PnodeGossipObservation_pnodeId_idx" ON "PnodeGossipObservation"("pnodeId");
        CREATE TABLE "SeedMapping" (id INTEGER PRIMARY KEY, "pnodeId" INTEGER REFERENCES "Pnode", url TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
          INSERT INTO "Pnode" SELECT i, 'MARKER-4f1c-pubkey-' || i FROM n;
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29999)
          INSERT INTO "PnodeGossipObservation" ("pnodeId", address) SELECT 1 + i % 300, 'MARKER-4f1c-' || i FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900)
          INSERT INTO "PnodeGossipObservation" ("pnodeId", address) SELECT 1, 'MARKER-4f1c-skew' FROM n;
        INSERT INTO "SeedMapping" ("pnodeId", url) SELECT id, 'MARKER-4f1c-seed' FROM "Pnode" WHERE id % 2 = 0;
        "#,
    )
    .unwrap();
    if analyze {
        conn.execute_batch("ANALYZE").unwrap();
    }
}

#[test]
fn sqlite_with_and_without_analyze() {
    let dir = project();
    for analyze in [false, true] {
        let db = dir.path().join(format!("app-{analyze}.db"));
        sqlite_database(&db, analyze);
        let url = format!("file:{}", db.display());
        let run = leaklint(
            &["stats", "--database-url", &url, "-o", "s.json"],
            dir.path(),
            &[],
        );
        assert_eq!(run.code, 0, "{}", run.printed());
        assert!(
            run.stderr
                .contains("3 tables, 2 foreign keys, from sqlite 3."),
            "{}",
            run.stderr
        );
        assert_clean(&run, &[]);
        let (file, text) = read_stats(&dir.path().join("s.json"));
        assert!(!text.contains(MARKER), "{text}");
        assert_eq!(file.server.kind, "sqlite");
        assert_eq!(
            file.database.as_deref(),
            Some(&*format!("app-{analyze}.db"))
        );
        let observations = table(&file, "PnodeGossipObservation");
        assert_eq!(observations.schema.as_deref(), Some("main"));
        assert_eq!(observations.rows, 30_900.0);
        let by_node = key(observations, "pnodeId");
        assert_eq!(by_node.references.table, "Pnode");
        assert_eq!(by_node.distinct_parents, 300.0);
        near(by_node.avg_children, 103.0, 0.02, "observations per node");
        if analyze {
            // sqlite_stat1 keeps averages only.
            assert_eq!(by_node.max_children, None);
        } else {
            assert_eq!(by_node.max_children, Some(1000.0));
        }
        // No index on it: counted exactly either way (the file is small).
        let mappings = key(table(&file, "SeedMapping"), "pnodeId");
        assert_eq!(mappings.references.columns, ["id"]);
        assert_eq!(
            (mappings.distinct_parents, mappings.avg_children),
            (150.0, 1.0)
        );
    }
}

#[test]
fn sqlite_prisma_file_url_is_relative_to_the_schema() {
    let dir = project();
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".env"), "DATABASE_URL=\"file:./dev.db\"\n").unwrap();
    sqlite_database(&dir.path().join("prisma/dev.db"), false);
    // A decoy where the current folder would put it.
    std::fs::write(dir.path().join("dev.db"), "not this one").unwrap();
    let run = leaklint(&["stats"], dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.printed());
    let (file, _) = read_stats(&dir.path().join(".leaklint/stats.json"));
    assert_eq!(file.database.as_deref(), Some("dev.db"));
    assert_eq!(table(&file, "Pnode").rows, 300.0);
    // From the flag, a relative path is the current folder's.
    let run = leaklint(
        &["stats", "--database-url", "file:./dev.db"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(
        run.stderr.contains("not a SQLite database"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile input: a message and exit 2, never a panic or a hang

#[test]
fn hostile_input() {
    let dir = project();
    let root = dir.path();
    std::fs::create_dir_all(root.join("folder.db")).unwrap();
    std::fs::write(
        root.join("text.sqlite"),
        "SQLite format 2? no: just some text that is long enough to read",
    )
    .unwrap();
    sqlite_database(&root.join("app.db"), false);
    let fifo = root.join("pipe.db");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--database-url".into(), "file:folder.db".into()],
            vec![],
            "is a folder",
        ),
        (
            vec!["--database-url".into(), "text.sqlite".into()],
            vec![],
            "not a SQLite database",
        ),
        (
            vec!["--database-url".into(), "file:./pipe.db".into()],
            vec![],
            "not a regular file",
        ),
        (
            vec!["--database-url".into(), "file:missing.db".into()],
            vec![],
            "no such file",
        ),
        (
            vec![
                "--database-url".into(),
                "mongodb://u:mongo-pw-3@h/db".into(),
            ],
            vec![],
            "does not read `mongodb:`",
        ),
        (
            vec![],
            vec![("DATABASE_URL", "redis://u:redis-pw-4@h")],
            "the environment variable DATABASE_URL",
        ),
        (vec![], vec![], "no database URL"),
        (
            vec![
                "--database-url".into(),
                "postgres://u:pg-pw-5@h/db?sslmode=sometimes".into(),
            ],
            vec![],
            "sslmode=sometimes",
        ),
        (
            vec![
                "--database-url".into(),
                "app.db".into(),
                "-o".into(),
                "folder.db".into(),
            ],
            vec![],
            "cannot write folder.db",
        ),
    ];
    for (args, env, expected) in cases {
        let mut all = vec!["stats".to_string()];
        all.extend(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let run = leaklint(&all, root, &env);
        assert_eq!(run.code, 2, "{all:?}: {}", run.printed());
        assert!(run.stderr.contains(expected), "{all:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_clean(&run, &["mongo-pw-3", "redis-pw-4", "pg-pw-5"]);
    }

    // A .env that is not UTF-8, and one too large to be a .env.
    std::fs::write(root.join(".env"), b"DATABASE_URL=file:\xff\xfe.db\n").unwrap();
    let run = leaklint(&["stats"], root, &[]);
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(
        run.stderr.contains(".env: not UTF-8 text"),
        "{}",
        run.stderr
    );
    let file = std::fs::File::create(root.join(".env")).unwrap();
    file.set_len(64 << 20).unwrap();
    let run = leaklint(&["stats"], root, &[]);
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(run.stderr.contains("larger than"), "{}", run.stderr);
    // A .env that is a FIFO is not opened.
    std::fs::remove_file(root.join(".env")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(root.join(".env"))
        .status()
        .unwrap()
        .success());
    let run = leaklint(&["stats"], root, &[]);
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn a_full_disk_leaves_no_half_file() {
    let dir = project();
    let db = dir.path().join("app.db");
    sqlite_database(&db, true);
    std::fs::create_dir_all(dir.path().join(".leaklint")).unwrap();
    std::fs::write(dir.path().join(".leaklint/stats.json"), "old").unwrap();
    let url = format!("file:{}", db.display());
    // Debug builds fail the write half-way when asked, as a full disk does.
    let run = leaklint(
        &["stats", "--database-url", &url],
        dir.path(),
        &[("LEAKLINT_TEST_FAIL_WRITE", "1")],
    );
    if cfg!(debug_assertions) {
        assert_eq!(run.code, 2, "{}", run.printed());
        assert!(
            run.stderr
                .contains("cannot write .leaklint/stats.json: no space left"),
            "{}",
            run.stderr
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".leaklint/stats.json")).unwrap(),
            "old"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join(".leaklint"))
                .unwrap()
                .count(),
            1
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A throwaway MariaDB server (MySQL's protocol), when its server package is installed

struct MariaDb {
    dir: tempfile::TempDir,
    port: u16,
    server: std::process::Child,
    tls: bool,
}

static MARIADB: Mutex<Weak<MariaDb>> = Mutex::new(Weak::new());

/// Without MariaDB installed, its tests print a note and pass, unless
/// `LEAKLINT_REQUIRE_MARIADB=1`.
fn mariadb() -> Option<Arc<MariaDb>> {
    let mut shared = MARIADB.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = shared.upgrade() {
        return Some(server);
    }
    let required = std::env::var("LEAKLINT_REQUIRE_MARIADB").is_ok_and(|v| v == "1");
    let find = |names: &[&str], extra: &[&str]| -> Option<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
        dirs.extend(extra.iter().map(PathBuf::from));
        dirs.iter()
            .flat_map(|d| names.iter().map(move |n| d.join(n)))
            .find(|p| p.is_file())
    };
    let install = find(&["mariadb-install-db", "mysql_install_db"], &["/usr/bin"]);
    let server = find(&["mariadbd", "mysqld"], &["/usr/sbin", "/usr/libexec"]);
    let (Some(install), Some(server)) = (install, server) else {
        assert!(
            !required,
            "LEAKLINT_REQUIRE_MARIADB=1 but no mariadb-install-db and mariadbd"
        );
        eprintln!(
            "note: MariaDB is not installed (mariadb-install-db, mariadbd): skipping this test"
        );
        return None;
    };
    let server = Arc::new(MariaDb::start(&install, &server).unwrap_or_else(|e| panic!("{e}")));
    *shared = Arc::downgrade(&server);
    Some(server)
}

impl MariaDb {
    fn start(install: &Path, server: &Path) -> Result<MariaDb, String> {
        let dir = tempfile::Builder::new()
            .prefix("leaklint-mariadb-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let root = is_root();
        let tls = self_signed(dir.path());
        if root {
            // mariadbd refuses to run as root: as `mysql`, which must own its files.
            chown_all(dir.path(), uid_gid("mysql"));
        }
        let data = dir.path().join("data");
        let mut cmd = Command::new(install);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ])
            .current_dir(dir.path());
        if root {
            cmd.arg("--user=mysql");
        }
        let out = cmd
            .output()
            .map_err(|e| format!("{}: {e}", install.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed:\n{}{}",
                install.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let port = free_port();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let mut cmd = Command::new(server);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", path("mysqld.sock")))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-networking=0",
                "--skip-name-resolve",
            ])
            .arg(format!("--pid-file={}", path("mysqld.pid")))
            .arg(format!("--log-error={}", path("error.log")))
            .args([
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=16M",
            ])
            .args(["--innodb-flush-log-at-trx-commit=0", "--skip-log-bin"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if tls {
            cmd.arg(format!("--ssl-cert={}", path("server.crt")))
                .arg(format!("--ssl-key={}", path("server.key")));
        }
        if root {
            cmd.arg("--user=mysql");
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("{}: {e}", server.display()))?;
        let server = MariaDb {
            dir,
            port,
            server: child,
            tls,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match server.try_admin() {
                Ok(_) => break,
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("MariaDB did not start: {e}\n{}", server.log()))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        Ok(server)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    fn try_admin(&self) -> Result<mysql::Conn, mysql::Error> {
        let socket = self.dir.path().join("mysqld.sock");
        mysql::Conn::new(
            mysql::OptsBuilder::new()
                .socket(Some(socket.display().to_string()))
                .user(Some("root")),
        )
    }

    fn admin(&self) -> mysql::Conn {
        self.try_admin()
            .unwrap_or_else(|e| panic!("admin connection: {e}\n{}", self.log()))
    }

    fn url(&self, user: &str, password: &str, database: &str, params: &str) -> String {
        let params = if params.is_empty() {
            String::new()
        } else {
            format!("?{params}")
        };
        format!(
            "mysql://{user}:{}@127.0.0.1:{}/{database}{params}",
            percent_encode(password),
            self.port
        )
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        // As `pg_ctl stop -m immediate`: nothing here needs to be kept.
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Seed 004 for MariaDB (its sequence engine makes the rows).
fn mariadb_seed(database: &str) -> String {
    format!(
        "CREATE DATABASE {database};
         USE {database};
         CREATE TABLE Pnode (id INT AUTO_INCREMENT PRIMARY KEY, pubkey VARCHAR(100) NOT NULL) ENGINE=InnoDB;
         CREATE TABLE PnodeGossipObservation (id BIGINT AUTO_INCREMENT PRIMARY KEY, pnodeId INT NOT NULL,
           address VARCHAR(100), FOREIGN KEY (pnodeId) REFERENCES Pnode(id)) ENGINE=InnoDB;
         CREATE TABLE PnodeStatsSample (id BIGINT AUTO_INCREMENT PRIMARY KEY, pnodeId INT NOT NULL,
           label VARCHAR(100), FOREIGN KEY (pnodeId) REFERENCES Pnode(id)) ENGINE=InnoDB;
         INSERT INTO Pnode (pubkey) SELECT CONCAT('MARKER-4f1c-pubkey-', seq) FROM seq_1_to_300;
         INSERT INTO PnodeGossipObservation (pnodeId, address)
           SELECT 1 + seq % 300, CONCAT('MARKER-4f1c-addr-', seq) FROM seq_0_to_299999;
         INSERT INTO PnodeGossipObservation (pnodeId, address) SELECT 1, 'MARKER-4f1c-skew' FROM seq_1_to_9000;
         INSERT INTO PnodeStatsSample (pnodeId, label) SELECT 1 + seq % 300, 'MARKER-4f1c-stat' FROM seq_0_to_1499;
         ANALYZE TABLE Pnode, PnodeGossipObservation, PnodeStatsSample;"
    )
}

#[test]
fn mariadb_statistics_of_seed_004() {
    use mysql::prelude::Queryable;
    let Some(db) = mariadb() else { return };
    let mut admin = db.admin();
    for statement in mariadb_seed("seed004")
        .split(';')
        .filter(|s| !s.trim().is_empty())
    {
        admin.query_drop(statement).unwrap();
    }
    let password = "my-S3cret@pw-20d9";
    admin
        .query_drop(format!(
            "CREATE USER 'leaklint_stats'@'%' IDENTIFIED BY '{password}'"
        ))
        .unwrap();
    admin
        .query_drop("GRANT SELECT, SHOW VIEW ON seed004.* TO 'leaklint_stats'@'%'")
        .unwrap();
    let count = |admin: &mut mysql::Conn, table: &str| -> u64 {
        admin
            .query_first(format!("SELECT COUNT(*) FROM seed004.{table}"))
            .unwrap()
            .unwrap()
    };
    let before = count(&mut admin, "PnodeGossipObservation");
    // What the server itself says, which the file must hold.
    let server_rows: u64 = admin
        .query_first("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'seed004' AND TABLE_NAME = 'PnodeGossipObservation'")
        .unwrap()
        .unwrap();
    let server_distinct: u64 = admin
        .query_first("SELECT MAX(CARDINALITY) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'seed004' AND TABLE_NAME = 'PnodeGossipObservation' AND COLUMN_NAME = 'pnodeId' AND SEQ_IN_INDEX = 1")
        .unwrap()
        .unwrap();

    let dir = project();
    let url = db.url("leaklint_stats", password, "seed004", "");
    let run = leaklint(
        &["stats", "--database-url", &url, "-o", "m.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.printed());
    assert!(
        run.stderr
            .contains("3 tables, 2 foreign keys, from mariadb 10.")
            || run
                .stderr
                .contains("3 tables, 2 foreign keys, from mariadb 1"),
        "{}",
        run.stderr
    );
    assert_clean(&run, &[password, &percent_encode(password)]);
    let (file, text) = read_stats(&dir.path().join("m.json"));
    for secret in [MARKER, password, &percent_encode(password)] {
        assert!(!text.contains(secret), "`{secret}` is in the file:\n{text}");
    }
    assert_eq!(file.server.kind, "mariadb");
    assert_eq!(file.database.as_deref(), Some("seed004"));
    let observations = table(&file, "PnodeGossipObservation");
    assert_eq!(observations.schema.as_deref(), Some("seed004"));
    assert_eq!(observations.rows, server_rows as f64);
    // InnoDB's estimates: rows within 20%, distinct values by sampled index pages.
    near(observations.rows, 309_000.0, 0.2, "observation rows");
    let by_node = key(observations, "pnodeId");
    assert_eq!(by_node.references.table, "Pnode");
    assert_eq!(by_node.references.columns, ["id"]);
    assert_eq!(
        by_node.distinct_parents,
        (server_distinct as f64).min(observations.rows)
    );
    assert!(
        (100.0..=1000.0).contains(&by_node.distinct_parents),
        "{by_node:?}"
    );
    near(
        by_node.avg_children,
        observations.rows / by_node.distinct_parents,
        0.01,
        "average",
    );
    assert_eq!(by_node.max_children, None);
    near(table(&file, "Pnode").rows, 300.0, 0.2, "node rows");
    assert_eq!(count(&mut admin, "PnodeGossipObservation"), before);

    // A wrong password: one line, exit 2, no password.
    let wrong = db.url("leaklint_stats", "Wr0ng-my-pw-3c", "seed004", "");
    let run = leaklint(
        &["stats", "--database-url", &wrong, "-o", "w.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(
        run.stderr
            .contains("cannot connect to mysql://leaklint_stats:***@127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Access denied"), "{}", run.stderr);
    assert_clean(&run, &["Wr0ng-my-pw-3c", password]);

    // A URL without a database: --schema names them.
    let no_db = db.url("leaklint_stats", password, "", "");
    let run = leaklint(
        &["stats", "--database-url", &no_db, "-o", "n.json"],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(run.stderr.contains("names no database"), "{}", run.stderr);
    let run = leaklint(
        &[
            "stats",
            "--database-url",
            &no_db,
            "-o",
            "n.json",
            "--schema",
            "seed004",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.printed());
    assert_eq!(read_stats(&dir.path().join("n.json")).0.tables.len(), 3);
}

#[test]
fn mariadb_over_tls() {
    use mysql::prelude::Queryable;
    let Some(db) = mariadb() else { return };
    if !db.tls {
        eprintln!("note: no `openssl` command to make a certificate: skipping the TLS test");
        return;
    }
    let mut admin = db.admin();
    admin.query_drop("CREATE DATABASE tls").unwrap();
    admin
        .query_drop("CREATE TABLE tls.t (id INT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB")
        .unwrap();
    // The role may connect only over TLS: a success proves the connection was encrypted.
    let password = "tls-my-pw-8e21";
    admin
        .query_drop(format!(
            "CREATE USER 'leaklint_tls'@'%' IDENTIFIED BY '{password}' REQUIRE SSL"
        ))
        .unwrap();
    admin
        .query_drop("GRANT SELECT ON tls.* TO 'leaklint_tls'@'%'")
        .unwrap();
    let dir = project();
    let run_with = |params: &str| {
        let url = db.url("leaklint_tls", password, "tls", params);
        let run = leaklint(
            &["stats", "--database-url", &url, "-o", "t.json"],
            dir.path(),
            &[],
        );
        assert_clean(&run, &[password]);
        run
    };
    for params in ["", "ssl-mode=REQUIRED", "sslaccept=accept_invalid_certs"] {
        let run = run_with(params);
        assert_eq!(run.code, 0, "{params}: {}", run.printed());
    }
    let run = run_with("ssl-mode=DISABLED");
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(run.stderr.contains("Access denied"), "{}", run.stderr);
    let run = run_with("ssl-mode=VERIFY_IDENTITY");
    assert_eq!(run.code, 2, "{}", run.printed());
    assert!(run.stderr.contains("sslcert="), "{}", run.stderr);
    let root = db.dir.path().join("server.crt");
    let run = run_with(&format!("ssl-mode=VERIFY_CA&sslcert={}", root.display()));
    assert_eq!(run.code, 0, "{}", run.printed());
}

/// The whole way: statistics collected from the seeded server decide what `leaklint check`
/// reports on a project that queries it, and its messages state the server's numbers.
#[test]
fn collected_statistics_decide_what_check_reports() {
    let Some(pg) = postgres() else { return };
    let _db = pg.database("seed004check", SEED_004);
    let dir = project();
    let url = pg.reader_url("seed004check", "application_name=leaklint-check");
    let run = leaklint(&["stats", "--database-url", &url], dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.printed());
    assert!(dir.path().join(".leaklint/stats.json").is_file());
    // The schema the application keeps: observations are edited (`updatedAt`), so their shape
    // is no history, and only their name says they grow; `SeedEvent` (the `SeedMapping` table,
    // through `@@map`) is named like a log too.
    std::fs::create_dir_all(dir.path().join("prisma")).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{ "name": "pnodes", "dependencies": { "@prisma/client": "6" } }"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        "model Pnode {\n  id Int @id\n  gossipObservations PnodeGossipObservation[]\n  seedEvents SeedEvent[]\n}\n\
         model PnodeGossipObservation {\n  id BigInt @id\n  pnodeId Int\n  pnode Pnode @relation(fields: [pnodeId], references: [id])\n  observedAt DateTime\n  updatedAt DateTime @updatedAt\n}\n\
         model SeedEvent {\n  id Int @id\n  pnodeId Int?\n  pnode Pnode? @relation(fields: [pnodeId], references: [id])\n  seedBaseUrl String\n  @@map(\"SeedMapping\")\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/view.ts"),
        "import { PrismaClient } from \"@prisma/client\";\nconst prisma = new PrismaClient();\n\
         export async function node(id: number) {\n  return prisma.pnode.findUnique({\n    where: { id },\n    include: { gossipObservations: true, seedEvents: true },\n  });\n}\n",
    )
    .unwrap();
    let check = leaklint(
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "unbounded-include",
        ],
        dir.path(),
        &[],
    );
    let json: serde_json::Value = serde_json::from_str(&check.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", check.printed());
    });
    let found: Vec<(u64, String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["confidence"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // One finding: the observations, high by the numbers (about 1,000 per node, 10,000 for the
    // busiest, 309,000 in all); the two or three seed events a node has are cleared.
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, confidence, message) = &found[0];
    assert_eq!((*line, confidence.as_str()), (6, "high"), "{message}");
    assert!(
        message.starts_with(
            "`gossipObservations` loads every `PnodeGossipObservation` of the `Pnode`: about 1,0"
        ) && message.contains(" per `Pnode`, up to ")
            && message.contains(",000 rows in all), with no `take`"),
        "{message}"
    );
    // Without the statistics, names alone decide: both relations are reported, each a guess.
    std::fs::remove_file(dir.path().join(".leaklint/stats.json")).unwrap();
    let check = leaklint(
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "unbounded-include",
            "--confidence",
            "medium",
        ],
        dir.path(),
        &[],
    );
    let json: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let guesses: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap().split('`').nth(1).unwrap(),
                d["confidence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        guesses,
        [("gossipObservations", "medium"), ("seedEvents", "medium")],
        "{}",
        check.printed()
    );
}
