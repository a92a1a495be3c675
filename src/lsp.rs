//! `leaklint lsp`: a language server over stdio. It lints open buffers (their unsaved text, with
//! the config and project of the file they name) on open and on every change, publishes the
//! findings as diagnostics with the rule, severity and a link to the rule's doc, and offers code
//! actions: apply a finding's fix, or add a `leaklint-disable-next-line` suppression.
//!
//! Messages are plain JSON (`serde_json`) over the `lsp-server` transport: the server needs a
//! dozen fields of the protocol, not its whole type model.

use crate::config::Config;
use crate::diagnostic::{Applicability, Severity};
use crate::workspace::ProjectCache;
use crate::{Finding, Settings};
use lsp_server::{Connection, Message, Notification, Request, Response};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open document and what was found in it at its last version.
struct Document {
    text: String,
    findings: Vec<Finding>,
    /// The modules its lint read for their facts: a change to one of them lints it again.
    context: Vec<PathBuf>,
}

/// What the server asks the client to watch.
const WATCHED: &[&str] = &[
    "**/package.json",
    "**/tsconfig*.json",
    "**/*.prisma",
    "**/leaklint.toml",
    "**/.leaklint/stats.json",
    "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}",
];

/// Whether a change to `path` changes the project facts of every buffer: a config, manifest,
/// tsconfig or schema.
fn is_project_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n == crate::config::FILE_NAME
            || n == "package.json"
            || (n.starts_with("tsconfig") && n.ends_with(".json"))
            || n.ends_with(".prisma")
            || n == "pnpm-workspace.yaml"
            // The database's statistics (`leaklint stats` run again).
            || n == "stats.json"
    })
}

struct Server {
    connection: Connection,
    root: PathBuf,
    documents: HashMap<String, Document>,
    /// Project facts, loaded once and dropped when a manifest, schema or config is saved.
    projects: ProjectCache,
}

/// Runs the server on stdin/stdout until the client says `exit`; returns the exit code.
pub fn run() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = json!({
        "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": false } },
        "codeActionProvider": { "codeActionKinds": ["quickfix"] },
    });
    let params = match connection.initialize(capabilities) {
        Ok(params) => params,
        Err(e) => {
            eprintln!("leaklint lsp: {e}");
            return 2;
        }
    };
    let root = params["rootUri"]
        .as_str()
        .and_then(uri_to_path)
        .or_else(|| params["rootPath"].as_str().map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut server = Server {
        connection,
        root,
        documents: HashMap::new(),
        projects: ProjectCache::default(),
    };
    // Manifests, schemas and configs change outside the editor too (a branch switch, a
    // package manager): ask the client to watch them, and the source files whose facts other
    // buffers use, when it can register watchers.
    if params["capabilities"]["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"]
        == json!(true)
    {
        let watchers: Vec<Value> = WATCHED
            .iter()
            .map(|glob| json!({ "globPattern": glob }))
            .collect();
        let request = Request::new(
            lsp_server::RequestId::from("leaklint/watch".to_string()),
            "client/registerCapability".to_string(),
            json!({ "registrations": [ {
                "id": "leaklint/watch",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": watchers },
            } ] }),
        );
        let _ = server.connection.sender.send(request.into());
    }
    let code = server.main_loop();
    drop(server);
    let _ = io_threads.join();
    code
}

impl Server {
    fn main_loop(&mut self) -> i32 {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    match self.connection.handle_shutdown(&request) {
                        Ok(true) => return 0,
                        Ok(false) => {}
                        Err(_) => return 1,
                    }
                    let response = self.request(request);
                    if self.connection.sender.send(response.into()).is_err() {
                        return 1;
                    }
                }
                Message::Notification(notification) => self.notification(notification),
                Message::Response(_) => {}
            }
        }
        // The client went away without `shutdown`.
        1
    }

    fn request(&mut self, request: Request) -> Response {
        match request.method.as_str() {
            "textDocument/codeAction" => {
                let actions = self.code_actions(&request.params);
                Response::new_ok(request.id, actions)
            }
            _ => Response::new_err(
                request.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("leaklint does not handle {}", request.method),
            ),
        }
    }

    fn notification(&mut self, notification: Notification) {
        let params = &notification.params;
        let uri = params["textDocument"]["uri"]
            .as_str()
            .unwrap_or("")
            .to_string();
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                let text = params["textDocument"]["text"].as_str().unwrap_or("");
                self.update(&uri, text.to_string());
            }
            "textDocument/didChange" => {
                // Full sync: the last change holds the whole text.
                let Some(text) = params["contentChanges"]
                    .as_array()
                    .and_then(|c| c.last())
                    .and_then(|c| c["text"].as_str())
                else {
                    return;
                };
                self.update(&uri, text.to_string());
            }
            "textDocument/didSave" => {
                if let Some(saved) = uri_to_path(&uri) {
                    self.changed(&[saved]);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let changed: Vec<PathBuf> = params["changes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["uri"].as_str().and_then(uri_to_path))
                    .collect();
                self.changed(&changed);
            }
            "textDocument/didClose" => {
                self.documents.remove(&uri);
                self.publish(&uri, Vec::new());
            }
            _ => {}
        }
    }

    /// Files changed on disk (saved, or seen by a watcher): a config, manifest or schema lints
    /// every open buffer again with fresh project facts; a source file lints again the buffers
    /// whose lint read it for its facts (a repository a service calls).
    fn changed(&mut self, paths: &[PathBuf]) {
        if paths.is_empty() {
            return;
        }
        let absolute: Vec<PathBuf> = paths.iter().map(|p| crate::source::absolute(p)).collect();
        let everything = absolute.iter().any(|p| is_project_file(p));
        if everything {
            self.projects.clear();
        } else {
            // What the project knows of modules read as text (clients, re-exports) may be stale.
            self.projects.forget_modules();
        }
        let again: Vec<(String, String)> = self
            .documents
            .iter()
            .filter(|(_, d)| everything || d.context.iter().any(|c| absolute.contains(c)))
            .map(|(u, d)| (u.clone(), d.text.clone()))
            .collect();
        for (u, text) in again {
            self.update(&u, text);
        }
    }

    /// Lints the buffer `uri` holds and publishes what it found.
    fn update(&mut self, uri: &str, text: String) {
        let Some(path) = uri_to_path(uri) else {
            return;
        };
        let (findings, context, problem) = lint_buffer(&self.root, &self.projects, &path, &text);
        let mut diagnostics: Vec<Value> =
            findings.iter().map(|f| diagnostic(f, uri, &text)).collect();
        if let Some(message) = problem {
            // A broken leaklint.toml: say so on the first line rather than go quiet.
            diagnostics.push(json!({
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "severity": 1,
                "source": "leaklint",
                "message": message,
            }));
        }
        self.documents.insert(
            uri.to_string(),
            Document {
                text,
                findings,
                context,
            },
        );
        self.publish(uri, diagnostics);
    }

    fn publish(&self, uri: &str, diagnostics: Vec<Value>) {
        let params = json!({ "uri": uri, "diagnostics": diagnostics });
        let _ = self
            .connection
            .sender
            .send(Notification::new("textDocument/publishDiagnostics".to_string(), params).into());
    }

    fn code_actions(&self, params: &Value) -> Vec<Value> {
        let uri = params["textDocument"]["uri"].as_str().unwrap_or("");
        let Some(document) = self.documents.get(uri) else {
            return Vec::new();
        };
        let start_line = params["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
        let end_line = params["range"]["end"]["line"]
            .as_u64()
            .unwrap_or(start_line as u64) as usize;
        let mut actions = Vec::new();
        for f in &document.findings {
            // Findings whose span touches the asked-for lines (0-based).
            let (first, last) = (f.span.start.line - 1, f.span.end.line - 1);
            if last < start_line || first > end_line {
                continue;
            }
            let diagnostic = diagnostic(f, uri, &document.text);
            if let Some((fix, spans)) = &f.fix {
                if !fix.edits.is_empty() {
                    let edits: Vec<Value> = fix
                        .edits
                        .iter()
                        .zip(spans)
                        .map(|(edit, span)| {
                            json!({ "range": range(span, &document.text), "newText": edit.replacement })
                        })
                        .collect();
                    let note = match fix.applicability {
                        Applicability::Safe => "",
                        Applicability::Unsafe => " (unsafe: review it)",
                        Applicability::Suggestion => " (suggestion)",
                    };
                    actions.push(json!({
                        "title": format!("leaklint: {}{note}", fix.message),
                        "kind": "quickfix",
                        "diagnostics": [diagnostic.clone()],
                        "isPreferred": fix.applicability == Applicability::Safe,
                        "edit": { "changes": { uri: edits } },
                    }));
                }
            }
            // A suppression on the line above the finding, at its indentation.
            let line_text = document.text.lines().nth(first).unwrap_or("");
            let indent: String = line_text
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            actions.push(json!({
                "title": format!("leaklint: suppress {} on this line", f.rule.id),
                "kind": "quickfix",
                "diagnostics": [diagnostic],
                "edit": { "changes": { uri: [ {
                    "range": { "start": { "line": first, "character": 0 }, "end": { "line": first, "character": 0 } },
                    "newText": format!("{indent}// leaklint-disable-next-line {} -- \n", f.rule.id),
                } ] } },
            }));
        }
        actions
    }
}

/// Lints one buffer as the file `path`: its findings and the modules read for their facts; a
/// config error comes back as a message.
fn lint_buffer(
    root: &Path,
    projects: &ProjectCache,
    path: &Path,
    text: &str,
) -> (Vec<Finding>, Vec<PathBuf>, Option<String>) {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut unsaved = BTreeMap::new();
    unsaved.insert(absolute.clone(), text.to_string());
    let settings = Settings {
        paths: vec![absolute],
        config: Config::default(),
        select: None,
        ignore: Vec::new(),
        no_ignore: false,
        threads: Some(1),
        report_unused_suppressions: false,
        // The editor shows the file in context: medium findings too, marked as such.
        confidence: Some(crate::diagnostic::Confidence::Medium),
        cwd: root.to_path_buf(),
        nested_configs: true,
        unsaved: Arc::new(unsaved),
        projects: Some(projects.clone()),
        context: Default::default(),
        file_configs: Default::default(),
        file_projects: Default::default(),
        walked: false,
    };
    match crate::lint(&settings) {
        Ok(report) => (report.findings, report.context, None),
        Err(crate::RunError::Config(e)) => {
            let (file, message) = e.describe();
            (
                Vec::new(),
                Vec::new(),
                Some(format!("leaklint: {file}: {message}")),
            )
        }
        Err(e) => (Vec::new(), Vec::new(), Some(format!("leaklint: {e}"))),
    }
}

fn diagnostic(f: &Finding, uri: &str, text: &str) -> Value {
    let mut message = f.message.clone();
    let medium = f.confidence == crate::diagnostic::Confidence::Medium;
    if medium {
        message.push_str(" (medium confidence)");
    }
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut value = json!({
        "range": range(&f.span, text),
        "severity": match f.severity {
            Severity::Error => 1,
            Severity::Warning => 2,
            Severity::Info => 3,
        },
        "code": f.rule.id,
        "source": "leaklint",
        "message": message,
    });
    if let Some(url) = crate::render::rule_url(f.rule) {
        value["codeDescription"] = json!({ "href": url });
    }
    if !f.labels.is_empty() {
        value["relatedInformation"] = f
            .labels
            .iter()
            .map(|(message, span)| {
                json!({ "location": { "uri": uri, "range": range(span, text) }, "message": message })
            })
            .collect();
    }
    value
}

/// An LSP range: 0-based lines, columns in UTF-16 code units (the protocol's default).
fn range(span: &crate::Located, text: &str) -> Value {
    let position = |at: crate::diagnostic::LineCol| {
        let line = text.lines().nth(at.line - 1).unwrap_or("");
        let character: usize = line.chars().take(at.column - 1).map(char::len_utf16).sum();
        json!({ "line": at.line - 1, "character": character })
    };
    json!({ "start": position(span.start), "end": position(span.end) })
}

/// `file:///a/b%20c.ts` -> `/a/b c.ts`.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://localhost/...` and `file:///...`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(byte)) = (bytes[i], hex) {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    let decoded = String::from_utf8(out).ok()?;
    // Windows: `/C:/x` -> `C:/x`.
    let decoded = match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => decoded[1..].to_string(),
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

#[cfg(test)]
mod tests {
    use super::uri_to_path;
    use std::path::PathBuf;

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            uri_to_path("file:///tmp/a%20b/c.ts"),
            Some(PathBuf::from("/tmp/a b/c.ts"))
        );
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
    }

    #[test]
    fn project_files_relint_every_buffer() {
        use super::is_project_file;
        use std::path::Path;
        for p in [
            "/r/leaklint.toml",
            "/r/apps/web/package.json",
            "/r/tsconfig.base.json",
            "/r/prisma/schema.prisma",
            "/r/.leaklint/stats.json",
        ] {
            assert!(is_project_file(Path::new(p)), "{p}");
        }
        assert!(!is_project_file(Path::new("/r/src/stats.ts")));
    }
}
