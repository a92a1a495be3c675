//! The bottom layer: reading source and project files, and classifying paths (which grammar
//! parses a file, test code, one-off scripts, symlinks out of the root). It uses no other module
//! of the crate.

use std::path::{Path, PathBuf};

/// Which grammar parses a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    TypeScript,
    Tsx,
    JavaScript,
}

impl Lang {
    /// The grammar for a file name, or `None` when leaklint does not lint such files.
    pub fn from_path(path: &Path) -> Option<Lang> {
        // Lossy: a name that is not UTF-8 is still linted by its extension.
        let name = path.file_name()?.to_string_lossy();
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        match path.extension()?.to_str()? {
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            "tsx" => Some(Lang::Tsx),
            "js" | "jsx" | "mjs" | "cjs" => Some(Lang::JavaScript),
            _ => None,
        }
    }
}

/// Test code: `*.test.*`, `*.spec.*`, `*.e2e.*`, `*.cy.*`, and files under `__tests__`,
/// `__mocks__`, `test(s)` folders, end-to-end trees (`e2e`, `e2e-tests`, `app-e2e`,
/// `playwright`, `cypress`) and integration tests (`integration-tests`, and a package's own
/// `integration/` folder, not one under `src/`, `app/` or `lib/`).
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let by_name = [".test.", ".spec.", ".e2e.", ".cy."]
        .iter()
        .any(|m| name.contains(m));
    // Whether a source folder came before: `src/integration/` holds an app's integrations with
    // other services, a package's own `integration/` folder its integration tests.
    let mut in_source = false;
    by_name
        || path.components().any(|c| {
            let c = c.as_os_str().to_str().unwrap_or("");
            let test = matches!(
                c,
                "__tests__"
                    | "test"
                    | "tests"
                    | "__mocks__"
                    | "playwright"
                    | "cypress"
                    | "testing"
                    | "integration-tests"
                    | "integration_tests"
                    | "integration-test"
            ) || c == "e2e"
                || c.starts_with("e2e-")
                || c.ends_with("-e2e")
                || (c == "integration" && !in_source);
            in_source |= matches!(c, "src" | "app" | "lib" | "pages" | "server" | "routes");
            test
        })
}

/// One-off code: seed data, migrations, scripts (`scripts/`, `scriptsPg/`, `bin/`, `cli/`,
/// `admin-cli/`, `seed/`, `seeds/`, `seeders/`, `migrations/`, `migrations-sqlite/`,
/// `backgroundMigrations/`, `seed.ts`, `*.seed.ts`).
pub fn is_script_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let by_name = name.starts_with("seed") || name.contains(".seed.");
    by_name
        || path.components().any(|c| {
            let c = c.as_os_str().to_str().unwrap_or("").to_ascii_lowercase();
            c.starts_with("scripts")
                || matches!(
                    c.as_str(),
                    "script" | "seed" | "seeds" | "seeders" | "bin" | "migrate" | "cli"
                )
                // `admin-cli`, `db-cli`: command packages run by hand
                || c.ends_with("-cli")
                // `migrations`, `migrations-sqlite`, `db-migrations`, `backgroundMigrations`
                || c.starts_with("migration")
                || c.ends_with("migrations")
        })
}

/// Whether a file declares request handlers by what its text says: a NestJS controller, a
/// Remix/React Router `loader` or `action`, a Next.js route handler export, an h3/Nitro event
/// handler. A file in a `scripts/` or `migrations/` folder, or named `*.seed.ts`, that does is
/// request code (`routes/admin.api.v1.models.seed.ts`).
pub fn declares_request_handlers(text: &str) -> bool {
    const MARKERS: &[&str] = &[
        "@Controller(",
        "export async function loader",
        "export const loader",
        "export async function action",
        "export const action",
        "export async function GET",
        "export async function POST",
        "export async function PUT",
        "export async function PATCH",
        "export async function DELETE",
        "export default defineEventHandler",
    ];
    MARKERS.iter().any(|m| text.contains(m))
}

/// Command-line packages: a module that imports one is a command run by hand.
const CLI_PACKAGES: &[&str] = &[
    "commander",
    "@commander-js/extra-typings",
    "yargs",
    "yargs/yargs",
    "cac",
    "citty",
    "clipanion",
    "meow",
    "sade",
    "argparse",
    "minimist",
    "arg",
];

/// Server frameworks: a package that depends on one serves requests, whatever else it does.
const SERVER_PACKAGES: &[&str] = &[
    "express",
    "koa",
    "fastify",
    "hono",
    "next",
    "@nestjs/core",
    "@remix-run/node",
    "@remix-run/server-runtime",
    "@react-router/node",
    "h3",
    "nitropack",
    "@hapi/hapi",
    "restify",
    "@sveltejs/kit",
];

/// A command-line package by its dependencies: a command-line parser and no server framework.
/// Its processes end with the command (a dev tool, an MCP server run per session).
pub fn is_cli_package(dependencies: &[String]) -> bool {
    let has = |list: &[&str]| dependencies.iter().any(|d| list.contains(&d.as_str()));
    has(CLI_PACKAGES) && !has(SERVER_PACKAGES)
}

/// A program run by hand, by what its source says: a `#!` line, an oclif command, a
/// command-line package (`commander`, `yargs`, ...), the `require.main === module` idiom, or a
/// `process.exit(...)` in a statement at the top of the module (`main().then(() =>
/// process.exit(0))`). A server exits from inside its handlers, indented; a script ends with it.
pub fn is_script_source(text: &str) -> bool {
    is_script_source_at(Path::new(""), text)
}

/// [`is_script_source`] for the file at `path`: a module that runs itself once is a script only
/// outside the folders servers run jobs from (`jobs/`, `workers/`, `cron/`, `tasks/`: Bree's job
/// files run themselves once per schedule).
pub fn is_script_source_at(path: &Path, text: &str) -> bool {
    let job_folder = path.components().any(|c| {
        matches!(
            c.as_os_str()
                .to_str()
                .unwrap_or("")
                .to_ascii_lowercase()
                .as_str(),
            "jobs" | "job" | "workers" | "worker" | "cron" | "crons" | "tasks" | "queues" | "queue"
        )
    });
    if job_folder {
        return is_script_source_by_markers(text);
    }
    is_script_source_by_markers(text) || runs_itself_once(text)
}

fn is_script_source_by_markers(text: &str) -> bool {
    if text.starts_with("#!")
        || text.contains("@oclif/")
        || text.contains("require.main === module")
    {
        return true;
    }
    let imports_cli = CLI_PACKAGES.iter().any(|p| {
        ['"', '\'', '`'].iter().any(|q| {
            text.contains(&format!("from {q}{p}{q}"))
                || text.contains(&format!("require({q}{p}{q})"))
        })
    });
    imports_cli
        || text
            .lines()
            .any(|l| !l.starts_with(char::is_whitespace) && l.contains("process.exit("))
}

/// What keeps a process up: a module that has any of these serves or polls, it is no one-off.
const STAYS_UP: &[&str] = &[
    ".listen(",
    "createServer(",
    "setInterval(",
    "while (true)",
    "while(true)",
    "for (;;)",
    "new Worker(",
    ".subscribe(",
    ".process(",
    "CronJob",
    "cron.schedule(",
    "scheduleJob(",
    "serve(",
    ".start(",
    ".on(\"message\"",
    ".on('message'",
    // A worker thread (a Bree job, a `worker_threads` worker): the server runs it again and
    // again.
    "worker_threads",
    "parentPort",
    "workerData",
];

/// A module that exports nothing and, at its top level, calls a function it declares
/// (`run();`, `main().catch(console.error);`) or an async IIFE, and has nothing that keeps a
/// process up ([`STAYS_UP`]): a program run by hand to its end (linen's `maintenance/*.ts`, each
/// headed `// npx ts-node ...`).
fn runs_itself_once(text: &str) -> bool {
    if text.contains("module.exports") || text.contains("exports.") {
        return false;
    }
    let mut runs = false;
    for line in text.lines() {
        if line.starts_with("export ") || line.starts_with("export{") {
            return false;
        }
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        let call = line
            .trim_start_matches("void ")
            .trim_start_matches("await ");
        if call.starts_with("(async") || call.starts_with("(function") {
            runs = true;
            continue;
        }
        let name: String = call
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        if !name.is_empty()
            && call[name.len()..].starts_with('(')
            && [
                format!("function {name}("),
                format!("const {name} = async"),
                format!("const {name} = ("),
            ]
            .iter()
            .any(|d| text.contains(d.as_str()))
        {
            runs = true;
        }
    }
    runs && !STAYS_UP.iter().any(|m| text.contains(m))
}

/// The most leaklint reads of a file other than a linted one (config, schemas, `package.json`,
/// modules read for facts): a schema path pointing at `/dev/zero` must not eat the memory.
pub const MAX_READ: u64 = 16 * 1024 * 1024;

/// Whether `path`, under `root` as written, leads out of `root` through a symlink: such a file is
/// not read for project facts (schemas, JSON data, modules), and `--verbose` says so
/// ([`take_left_root`]). A path written outside `root` (a config's `schema = "../x"`) is not a
/// symlink out and is read.
pub fn leaves_root(path: &Path, root: &Path) -> bool {
    let lexical = crate::source::absolute(path);
    let root_lexical = crate::source::absolute(root);
    if !lexical.starts_with(&root_lexical) {
        return false;
    }
    let (Ok(real), Ok(root_real)) = (std::fs::canonicalize(&lexical), std::fs::canonicalize(root))
    else {
        return false;
    };
    let out = !real.starts_with(&root_real);
    if out {
        if let Ok(mut left) = LEFT_ROOT.lock() {
            left.insert(lexical);
        }
    }
    out
}

/// Files [`leaves_root`] refused since the last call.
pub fn take_left_root() -> Vec<PathBuf> {
    LEFT_ROOT
        .lock()
        .map(|mut left| std::mem::take(&mut *left).into_iter().collect())
        .unwrap_or_default()
}

static LEFT_ROOT: std::sync::Mutex<std::collections::BTreeSet<PathBuf>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Reads a text file, only when it is a regular file (checked first, so a FIFO is never opened)
/// and at most `cap` bytes long.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    if meta.len() > cap {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {cap} bytes"),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {cap} bytes"),
        ));
    }
    Ok(bytes)
}

/// [`read_capped`] with [`MAX_READ`], as UTF-8 text.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_capped(path, MAX_READ)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not valid UTF-8"))
}

/// How [`write_atomic_with`] failed, by step, so that callers can say which.
#[derive(Debug)]
pub enum AtomicWriteError {
    /// No temporary file could be created beside the target.
    Create(std::io::Error),
    /// Writing, syncing or setting the permissions of the temporary file (a full disk).
    Write(std::io::Error),
    /// The caller's last check before the rename refused, with its reason.
    Check(String),
    /// Renaming the temporary file over the target.
    Rename(std::io::Error),
}

impl std::fmt::Display for AtomicWriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AtomicWriteError::Create(e) => write!(f, "cannot create a temporary file: {e}"),
            AtomicWriteError::Write(e) => write!(f, "cannot write: {e}"),
            AtomicWriteError::Check(why) => f.write_str(why),
            AtomicWriteError::Rename(e) => write!(f, "cannot replace the file: {e}"),
        }
    }
}

/// Writes `bytes` to `path` atomically: to a new temporary file in the same folder
/// (`.NAME.leaklint-PID-N.tmp`), synced to disk, then renamed over `path`, so that an
/// interrupted or failed write leaves the old file whole (or none) and no temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, bytes, None, || Ok(())).map_err(|e| match e {
        AtomicWriteError::Create(e) | AtomicWriteError::Write(e) | AtomicWriteError::Rename(e) => e,
        AtomicWriteError::Check(why) => std::io::Error::other(why),
    })
}

/// [`write_atomic`], giving the temporary file `permissions` when set, and calling `check`
/// after the data is on disk and right before the rename (the last moment to refuse).
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
    check: impl FnOnce() -> Result<(), String>,
) -> Result<(), AtomicWriteError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or(std::ffi::OsStr::new("file"));
    let mut temp = None;
    for attempt in 0..100u32 {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".leaklint-{}-{attempt}.tmp", std::process::id()));
        let candidate = dir.join(temp_name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => {
                temp = Some((candidate, file));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(AtomicWriteError::Create(e)),
        }
    }
    let (temp_path, file) = temp.ok_or_else(|| {
        AtomicWriteError::Create(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "every candidate name is taken",
        ))
    })?;
    let written = write_all_synced(file, bytes)
        .and_then(|()| match permissions {
            Some(p) => std::fs::set_permissions(&temp_path, p),
            None => Ok(()),
        })
        .map_err(AtomicWriteError::Write)
        .and_then(|()| check().map_err(AtomicWriteError::Check))
        .and_then(|()| std::fs::rename(&temp_path, path).map_err(AtomicWriteError::Rename));
    match written {
        Ok(()) => {
            // The rename itself is durable once the folder is synced (best effort: some file
            // systems refuse to open a folder for it).
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp_path);
            Err(e)
        }
    }
}

fn write_all_synced(mut file: std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // Lets the tests check what a full disk does (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var_os("LEAKLINT_TEST_FAIL_WRITE").is_some() {
        file.write_all(&bytes[..bytes.len() / 2])?;
        return Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "no space left on device (injected)",
        ));
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// An absolute, lexically normalised path.
pub fn absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    normalize(&absolute)
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod write_tests {
    use super::{write_atomic, write_atomic_with, AtomicWriteError};

    #[test]
    fn replaces_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"one\n").unwrap();
        write_atomic(&path, b"two\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_refused_check_or_a_missing_folder_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        let err = write_atomic_with(&path, b"new", None, || Err("changed".into())).unwrap_err();
        assert!(matches!(err, AtomicWriteError::Check(ref w) if w == "changed"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let err = write_atomic(&dir.path().join("missing/out.json"), b"x").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}

#[cfg(test)]
mod path_tests {
    use super::{declares_request_handlers, is_script_file, is_test_file};
    use std::path::Path;

    #[test]
    fn request_handlers_by_text() {
        assert!(declares_request_handlers(
            "@Controller('migration')\nexport class X {}"
        ));
        assert!(declares_request_handlers(
            "export async function action({ request }) {}"
        ));
        assert!(declares_request_handlers("export async function GET() {}"));
        assert!(!declares_request_handlers(
            "export async function up(knex) { await knex.schema.createTable('t'); }"
        ));
        assert!(!declares_request_handlers(
            "async function main() {} main();"
        ));
    }

    #[test]
    fn tests_and_end_to_end_trees() {
        for p in [
            "src/a.test.ts",
            "src/__tests__/a.ts",
            "e2e/login.ts",
            "apps/web-e2e/src/app.ts",
            "e2e-tests/a.ts",
            "playwright/fixtures.ts",
            "cypress/support/commands.ts",
            "src/login.cy.ts",
            "apps/web/integration/db-client.ts",
            "src/pages/api/testing/strikes.ts",
            "packages/api/integration-tests/setup.ts",
        ] {
            assert!(is_test_file(Path::new(p)), "{p}");
        }
        for p in [
            "src/testing.ts",
            "src/contest/a.ts",
            "src/e2ee/keys.ts",
            "src/latest.ts",
            // an app's integrations with other services
            "apps/web/src/integration/slack.ts",
            "apps/web/lib/integration/github.ts",
        ] {
            assert!(!is_test_file(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn command_line_packages() {
        use super::is_cli_package;
        let deps = |d: &[&str]| d.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_cli_package(&deps(&["commander", "zod"])));
        assert!(!is_cli_package(&deps(&["commander", "express"])));
        assert!(!is_cli_package(&deps(&["zod"])));
    }

    #[test]
    fn scripts_by_their_source() {
        use super::is_script_source;
        for text in [
            "#!/usr/bin/env node\nimport { prisma } from './db';\n",
            "import { Command } from 'commander';\nconst program = new Command();\n",
            "const yargs = require(\"yargs\");\n",
            "async function main() {}\nmain().then(() => process.exit(0));\n",
            "async function main() {}\nif (require.main === module) main();\n",
            // Runs itself once and exports nothing (linen's maintenance scripts).
            "// npx ts-node x.ts\nimport { prisma } from './db';\nasync function run() {\n  await prisma.user.findMany();\n}\n\nrun();\n",
            "const main = async () => {\n  await go();\n};\nmain().catch(console.error);\n",
            "import { db } from './db';\n(async () => {\n  await db.x.findMany();\n})();\n",
        ] {
            assert!(is_script_source(text), "{text}");
        }
        for text in [
            // A daemon that runs itself stays up: a poller, a server, a queue worker.
            "async function main() {\n  while (true) {\n    await poll();\n  }\n}\nmain();\n",
            "async function main() {\n  setInterval(tick, 5000);\n}\nmain();\n",
            "async function start() {\n  const app = express();\n  app.listen(3000);\n}\nstart();\n",
            "async function boot() {\n  new Worker('q', handle);\n}\nboot();\n",
            // A module others import: it exports, so its top-level call is set-up.
            "async function init() {}\ninit();\nexport const x = 1;\n",
            "function register() {}\nregister();\nmodule.exports = { register };\n",
            // A call of something it does not declare.
            "import { run } from './runner';\nrun();\n",
            // A worker thread runs itself once per job.
            "import { workerData } from 'worker_threads';\nasync function main() {}\nmain();\n",
        ] {
            assert!(!is_script_source(text), "{text}");
        }
        // In a jobs folder, a module that runs itself is a job the server schedules (Bree).
        let job = "const { conclude } = require('./helpers');\n(async () => {\n  await work();\n  conclude();\n})();\n";
        assert!(is_script_source(job));
        assert!(!super::is_script_source_at(
            std::path::Path::new("server/jobs/sync.js"),
            job
        ));
        assert!(super::is_script_source_at(
            std::path::Path::new("packages/maintenance/src/fix.ts"),
            job
        ));
        for text in [
            // A server exits from a signal handler, indented.
            "app.listen(3000);\nprocess.on('SIGTERM', () => {\n  process.exit(0);\n});\n",
            // A package whose name starts like a CLI package's.
            "import { x } from 'commander-utils';\n",
            "import { cache } from './cac';\n",
        ] {
            assert!(!is_script_source(text), "{text}");
        }
    }

    #[test]
    fn scripts_migrations_and_seeds() {
        for p in [
            "scripts/backfill.ts",
            "scriptsPg/backfill.ts",
            "db/seeds/users.ts",
            "src/seeders/20240101-users.js",
            "migrations-sqlite/001.ts",
            "src/db-migrations/001.ts",
            "src/backgroundMigrations/fill.ts",
            "prisma/seed.ts",
            "packages/auth/bin/fix_roles.ts",
            "web/tools/migrate/keys.ts",
            "front/cli/check_translations.js",
            "packages/admin-cli/src/upgrades.ts",
        ] {
            assert!(is_script_file(Path::new(p)), "{p}");
        }
        for p in [
            "src/describe.ts",
            "src/subscripts/a.ts",
            "src/migrator.ts",
            "src/seo/a.ts",
            "src/client/api.ts",
            "src/clients/a.ts",
        ] {
            assert!(!is_script_file(Path::new(p)), "{p}");
        }
    }
}
