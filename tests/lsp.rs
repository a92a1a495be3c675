//! `leaklint lsp` end to end: a scripted client starts the binary and speaks LSP to it over
//! stdio (initialize, didOpen, publishDiagnostics, didChange, codeAction, didSave of a manifest,
//! watched files and the buffers that depend on them, shutdown, exit), and
//! `--stdin-filename`, which lints editor buffers the same way.

mod common;

use common::write_files;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const N_PLUS_ONE: &str = "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
}

fn read_message(reader: &mut BufReader<ChildStdout>) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start(dir: &std::path::Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leaklint"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.wait();
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn wait(&self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.wait();
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

#[test]
fn a_scripted_client_gets_diagnostics_and_code_actions() {
    let dir = tempfile::tempdir().unwrap();
    // A nested config raises the severity: the server applies the file's own config.
    write_files(
        dir.path(),
        &[
            ("app/leaklint.toml", "[rules]\nquery-in-loop = \"error\"\n"),
            ("app/src/on-disk.ts", "export const a = 1;\n"),
        ],
    );
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let root_uri = format!("file://{}", root.display());
    // The buffer is unsaved: what is on disk is clean, the text sent is not.
    let uri = format!("{root_uri}/app/src/on-disk.ts");
    let mut client = Client::start(&root);

    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": root_uri, "capabilities": {} }),
    );
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(capabilities["textDocumentSync"]["change"], 1);
    assert!(capabilities["codeActionProvider"].is_object());
    client.notify("initialized", json!({}));

    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "typescript", "version": 1, "text": N_PLUS_ONE } }),
    );
    let diagnostics = client.diagnostics_for(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "query-in-loop");
    assert_eq!(d["source"], "leaklint");
    assert_eq!(d["severity"], 1, "error, from app/leaklint.toml");
    assert_eq!(
        d["range"],
        json!({ "start": { "line": 3, "character": 10 }, "end": { "line": 3, "character": 51 } })
    );
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/leaklint/leaklint/blob/main/rules/query-in-loop.md"
    );
    assert!(d["message"].as_str().unwrap().starts_with(
        "`prisma.user.findUnique` runs once per element of `ids` (medium confidence)\nhelp: "
    ));
    assert_eq!(d["relatedInformation"][0]["message"], "loop over `ids`");

    // Code actions on the finding's line: a suppression at its indentation.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 0 } },
            "context": { "diagnostics": [d] },
        }),
    );
    let actions = actions["result"].as_array().unwrap();
    let suppress = actions
        .iter()
        .find(|a| a["title"] == "leaklint: suppress query-in-loop on this line")
        .expect("a suppression action");
    let edit = &suppress["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "    // leaklint-disable-next-line query-in-loop -- \n"
    );
    assert_eq!(edit["range"]["start"], json!({ "line": 3, "character": 0 }));

    // Applying that edit silences the finding (the empty reason is accepted).
    let suppressed = N_PLUS_ONE.replace(
        "    await prisma",
        "    // leaklint-disable-next-line query-in-loop -- \n    await prisma",
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [ { "text": suppressed } ] }),
    );
    assert_eq!(client.diagnostics_for(&uri), Vec::<Value>::new());

    // A fixable finding offers its fix as a workspace edit.
    let next_uri = format!("{root_uri}/app/src/app/api/route.ts");
    write_files(
        dir.path(),
        &[(
            "app/package.json",
            "{ \"dependencies\": { \"next\": \"14\", \"@prisma/client\": \"5\" } }",
        )],
    );
    let singleton = "import { PrismaClient } from \"@prisma/client\";\n\nexport const prisma = new PrismaClient();\n";
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": next_uri, "languageId": "typescript", "version": 1, "text": singleton } }),
    );
    // Project facts were loaded once, before package.json said Next.js: not a Next.js app yet.
    let diagnostics = client.diagnostics_for(&next_uri);
    assert!(
        diagnostics
            .iter()
            .all(|d| d["code"] != "prisma-client-singleton"),
        "{diagnostics:#?}"
    );
    // Saving package.json refreshes them, and the open buffers are linted again.
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": format!("{root_uri}/app/package.json") } }),
    );
    let diagnostics = client.diagnostics_for(&next_uri);
    let fixable = diagnostics
        .iter()
        .find(|d| d["code"] == "prisma-client-singleton")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let line = fixable["range"]["start"]["line"].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": next_uri },
            "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } },
            "context": { "diagnostics": [fixable] },
        }),
    );
    let fix = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("the safe fix is the preferred action");
    assert!(fix["edit"]["changes"][&next_uri][0]["newText"]
        .as_str()
        .unwrap()
        .contains("globalForPrisma"));

    // Closing clears the diagnostics; shutdown then exit ends the process with 0.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics_for(&uri), Vec::<Value>::new());
    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// With a client that registers watchers dynamically, the server asks it to watch manifests,
/// tsconfigs, schemas and configs (and source files); a repository changed on disk, reported by
/// the watcher or saved in the editor, lints again the open service buffer whose loop calls it.
#[test]
fn changed_files_lint_the_buffers_that_depend_on_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let repo_clean = "export function findUser(id: string) {\n  return cache.get(id);\n}\nconst cache = new Map<string, string>();\n";
    let repo_query = "import { prisma } from './db';\nexport function findUser(id: string) {\n  return prisma.user.findUnique({ where: { id } });\n}\n";
    write_files(
        dir.path(),
        &[
            ("package.json", "{ \"dependencies\": { \"@prisma/client\": \"5\" } }"),
            ("src/db.ts", "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n"),
            ("src/users.repo.ts", repo_clean),
        ],
    );
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let root_uri = format!("file://{}", root.display());
    let service_uri = format!("{root_uri}/src/users.service.ts");
    let repo_uri = format!("{root_uri}/src/users.repo.ts");
    let service = "import { findUser } from './users.repo';\nexport async function all(ids: string[]) {\n  const out = [];\n  for (const id of ids) {\n    out.push(await findUser(id));\n  }\n  return out;\n}\n";
    let mut client = Client::start(&root);
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": root_uri, "capabilities": {
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
        } }),
    );
    client.notify("initialized", json!({}));
    // The server registers its watchers.
    let registration = loop {
        let message = client.wait();
        if message["method"] == "client/registerCapability" {
            break message;
        }
    };
    let options = &registration["params"]["registrations"][0];
    assert_eq!(options["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = options["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    for glob in [
        "**/package.json",
        "**/tsconfig*.json",
        "**/*.prisma",
        "**/leaklint.toml",
    ] {
        assert!(globs.contains(&glob), "{globs:?}");
    }
    client.send(json!({ "jsonrpc": "2.0", "id": registration["id"], "result": null }));

    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": service_uri, "languageId": "typescript", "version": 1, "text": service } }),
    );
    assert_eq!(client.diagnostics_for(&service_uri), Vec::<Value>::new());

    // The repository now queries (a branch switch, another tool): the watcher says so.
    write_files(dir.path(), &[("src/users.repo.ts", repo_query)]);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": repo_uri, "type": 2 } ] }),
    );
    let diagnostics = client.diagnostics_for(&service_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "query-in-loop");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("`findUser(id)` runs `prisma.user.findUnique` (src/users.repo.ts:3) once per element of `ids`"),
        "{diagnostics:#?}"
    );

    // Saved from the editor without the query: the service buffer is clean again.
    write_files(dir.path(), &[("src/users.repo.ts", repo_clean)]);
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": repo_uri } }),
    );
    assert_eq!(client.diagnostics_for(&service_uri), Vec::<Value>::new());

    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

#[test]
fn stdin_is_linted_as_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("api/leaklint.toml", "[rules]\nquery-in-loop = \"error\"\n"),
            ("api/src/users.ts", "export const clean = 1;\n"),
        ],
    );
    let run = |name: &str, input: &str, format: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leaklint"))
            .args([
                "check",
                "--format",
                format,
                "--confidence",
                "medium",
                "--stdin-filename",
                name,
            ])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // The unsaved text, not the clean file on disk; the config of the file's folder.
    let out = run("api/src/users.ts", N_PLUS_ONE, "compact");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "api/src/users.ts:4:11: error [query-in-loop] prisma.user.findUnique runs once per element of ids (medium confidence)\n"
    );
    // A file that does not exist yet.
    let out = run("api/src/new-file.ts", N_PLUS_ONE, "json");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["path"], "api/src/new-file.ts");
    assert_eq!(json["summary"]["files"], 1);
    // Clean input: exit 0. Nothing was written to the tree.
    let out = run("api/src/users.ts", "export const a = 1;\n", "compact");
    assert_eq!((out.status.code(), out.stdout.len()), (Some(0), 0));
    assert!(!dir.path().join("api/src/new-file.ts").exists());
}
