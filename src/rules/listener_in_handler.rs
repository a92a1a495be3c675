//! `listener-in-handler`: a listener added to a long-lived emitter (module-level, imported, or
//! `process`) inside a function that runs once per request, and never removed there.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::{at_module_scope, import_of, request_handler};
use crate::analysis::syntax::{is_function, method_call, parameters, pattern_names, property};
use crate::analysis::walk::visit_subtree;
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{ByteSpan, Diagnostic, Severity};
use std::collections::HashSet;
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "listener-in-handler",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary:
        "a listener added to a long-lived emitter inside a per-request function, never removed",
    doc: include_str!("../../rules/listener-in-handler.md"),
    options: &[],
    needles: &[&[
        ".on(",
        ".once(",
        "Listener(",
        "addEventListener(",
        "createLogger(",
    ]],
    precheck: None,
    check: Check::Stateful(|| Box::<Checker>::default()),
};

const ADD_METHODS: &[&str] = &[
    "on",
    "once",
    "addListener",
    "prependListener",
    "prependOnceListener",
    "addEventListener",
];

const REMOVE_METHODS: &[&str] = &[
    "off",
    "removeListener",
    "removeEventListener",
    "removeAllListeners",
];

/// How many nodes of a handler to search for a local declaration of the emitter.
const HANDLER_SEARCH_LIMIT: usize = 20_000;

struct Candidate {
    span: ByteSpan,
    message: String,
    help: &'static str,
    handler_head: ByteSpan,
    handler_kind: &'static str,
}

#[derive(Default)]
struct Checker {
    candidates: Vec<Candidate>,
    /// Names bound at module scope.
    module_names: HashSet<String>,
}

impl FileCheck for Checker {
    fn enter(&mut self, node: Node, cx: &FileCx, _sink: &mut Sink) {
        match node.k() {
            "variable_declarator" if at_module_scope(cx) => {
                if let Some(name) = node.field("name") {
                    self.module_names.extend(pattern_names(name, cx.src));
                }
            }
            "call_expression" if !cx.is_test => {
                if let Some(candidate) = candidate(node, cx, &self.module_names) {
                    self.candidates.push(candidate);
                } else if let Some(candidate) = library_listeners(node, cx) {
                    self.candidates.push(candidate);
                }
            }
            "new_expression" if !cx.is_test => {
                if let Some(candidate) = connection_per_request(node, cx) {
                    self.candidates.push(candidate);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _cx: &FileCx, sink: &mut Sink) {
        for c in self.candidates.drain(..) {
            sink.report(
                Diagnostic::new(RULE.id, c.span, c.message)
                    .with_help(c.help)
                    .with_label(
                        c.handler_head,
                        format!("runs once per request ({})", c.handler_kind),
                    ),
                Vec::new(),
            );
        }
    }
}

fn candidate(call: Node, cx: &FileCx, module_names: &HashSet<String>) -> Option<Candidate> {
    let (receiver, method, args) = method_call(call, cx.src)?;
    if !ADD_METHODS.contains(&method) {
        return None;
    }
    let root = root_identifier(receiver)?;
    let root_name = cx.text(root);
    // Only emitters bound before this point can outlive the request (`req.on`, `stream.on` and
    // the like stop here, before any handler search).
    let long_lived = root_name == "process"
        || cx.imports.contains_key(root_name)
        || module_names.contains(root_name);
    if !long_lived {
        return None;
    }
    let (handler, kind) = request_handler(cx)?;
    if is_local(root_name, handler, cx) {
        return None;
    }
    let receiver_text = cx.text(receiver);
    if removed_in(handler, receiver_text, cx) || has_abort_signal(args, cx) {
        return None;
    }
    let text = cx.text(handler);
    let on_cancel = REMOVE_METHODS.iter().any(|m| {
        text.contains(&format!("{receiver_text}.{m}("))
            || text.contains(&format!("{receiver_text}?.{m}("))
    });
    let event = args
        .named_child(0)
        .map(|e| cx.text(e))
        .unwrap_or("an event");
    let message = format!(
        "`{receiver_text}.{method}({event})` adds a listener to `{receiver_text}`, which outlives the request, on every call of this {kind}: the listeners and everything they close over pile up{}",
        if on_cancel {
            "; it is removed only in the stream's `cancel`, which runs when the reader cancels, not always when the client goes away"
        } else {
            ""
        }
    );
    Some(Candidate {
        span: call.byte_range(),
        message,
        help: LISTENER_HELP,
        handler_head: head_of(handler, cx),
        handler_kind: kind,
    })
}

const LISTENER_HELP: &str = "register the listener once at module scope, or remove it in the same function when the request ends (`req.on('close', () => emitter.off(event, listener))`, `request.signal.addEventListener('abort', ...)`, a `finally`), or pass `{ signal }` of an `AbortController` you abort";

/// The span of a function's head: its text up to the body.
fn head_of(handler: Node, cx: &FileCx) -> ByteSpan {
    let body_start = handler
        .field("body")
        .map_or(handler.end_byte(), |b| b.start_byte());
    let head = crate::analysis::syntax::text_between(cx.src, handler.start_byte(), body_start)
        .trim_end()
        .len();
    handler.start_byte()..handler.start_byte() + head.max(1)
}

/// Options of winston's `createLogger` (and of its transports) that make it add `process`
/// listeners: `exceptionHandlers`/`handleExceptions` add an `uncaughtException` listener,
/// `rejectionHandlers`/`handleRejections` an `unhandledRejection` one, each time a logger is made
/// (winston's `ExceptionHandler.handle` and `RejectionHandler.handle`; the
/// `MaxListenersExceededWarning` of loggers made per request).
const WINSTON_PROCESS_OPTIONS: &[&str] = &[
    "exceptionHandlers",
    "rejectionHandlers",
    "handleExceptions",
    "handleRejections",
];

/// `winston.createLogger({ exceptionHandlers: [...] })` in a per-request function.
fn library_listeners(call: Node, cx: &FileCx) -> Option<Candidate> {
    let callee = call.field("function")?;
    let name = match callee.k() {
        "identifier" => {
            let name = cx.text(callee);
            (name == "createLogger" && import_of(cx, name) == Some("winston")).then_some(name)?
        }
        "member_expression" => {
            let object = callee.field("object")?;
            let property = cx.text(callee.field("property")?);
            (property == "createLogger" && import_of(cx, cx.text(object)) == Some("winston"))
                .then_some("createLogger")?
        }
        _ => return None,
    };
    let args = call.field("arguments")?;
    let text = cx.text(args);
    let option = WINSTON_PROCESS_OPTIONS
        .iter()
        .find(|o| text.contains(&format!("{o}:")) || text.contains(&format!("{o} :")))?;
    let (handler, kind) = request_handler(cx)?;
    let message = format!(
        "`{name}(...)` with `{option}` adds a listener to `process` each time a logger is made, and this {kind} makes one on every call: the listeners and the loggers they hold pile up"
    );
    Some(Candidate {
        span: call.byte_range(),
        message,
        help: "create the logger once at module scope and use `logger.child({ requestId })` per request",
        handler_head: head_of(handler, cx),
        handler_kind: kind,
    })
}

/// Clients that open a connection (and register their own listeners) when constructed, by
/// package: the constructor names each exports.
const CONNECTION_CONSTRUCTORS: &[(&str, &[&str])] = &[
    ("ioredis", &["Redis", "Cluster", "default"]),
    ("pg", &["Pool", "Client"]),
];

/// Methods that close such a client.
const CLOSE_METHODS: &[&str] = &["quit", "disconnect", "end", "close", "destroy"];

/// `const redis = new Redis(url); redis.on("error", ...)` in a per-request function, never
/// closed there: a connection and its listeners per request.
fn connection_per_request(node: Node, cx: &FileCx) -> Option<Candidate> {
    let constructor = node.field("constructor")?;
    let class = cx.text(constructor);
    let module = import_of(cx, class)?;
    let known = CONNECTION_CONSTRUCTORS.iter().any(|(package, names)| {
        *package == module && (names.contains(&class) || module == "ioredis")
    });
    if !known {
        return None;
    }
    let declarator = node.parent().filter(|p| p.k() == "variable_declarator")?;
    let name = cx.text(declarator.field("name")?);
    let (handler, kind) = request_handler(cx)?;
    let body = cx.text(handler);
    let listens = ADD_METHODS
        .iter()
        .any(|m| body.contains(&format!("{name}.{m}(")));
    let closed = CLOSE_METHODS
        .iter()
        .any(|m| body.contains(&format!("{name}.{m}(")) || body.contains(&format!("{name}?.{m}(")));
    // Handed on (returned, stored, passed): closed, or kept, elsewhere.
    let escapes = body.contains(&format!("return {name}")) || body.contains(&format!("({name})"));
    if !listens || closed || escapes {
        return None;
    }
    let message = format!(
        "`new {class}(...)` opens a connection on every call of this {kind}, with listeners on it, and nothing here closes it: connections, sockets and listeners pile up until the server runs out of them"
    );
    Some(Candidate {
        span: node.byte_range(),
        message,
        help: "create the client once at module scope and share it, or close it when the request ends (`finally { await client.quit() }`)",
        handler_head: head_of(handler, cx),
        handler_kind: kind,
    })
}

/// `bus` in `bus.on`, `bus.events.on`, `bus?.on`; nothing for `this.x`, calls or `new`.
fn root_identifier(mut node: Node) -> Option<Node> {
    loop {
        match node.k() {
            "identifier" => return Some(node),
            "member_expression" => node = node.field("object")?,
            "non_null_expression" | "parenthesized_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// Whether `name` is a parameter or a local variable of the handler or of a function inside it
/// (a request, a response, a stream or socket made for this request).
fn is_local(name: &str, handler: Node, cx: &FileCx) -> bool {
    let mut found = false;
    visit_subtree(handler, HANDLER_SEARCH_LIMIT, |node, _| {
        if found {
            return false;
        }
        if is_function(node.k()) && parameters(node, cx.src).iter().any(|(p, _)| p == name) {
            found = true;
        }
        if matches!(
            node.k(),
            "variable_declarator" | "catch_clause" | "for_in_statement"
        ) {
            let binding = node
                .field("name")
                .or_else(|| node.field("parameter"))
                .or_else(|| node.field("left"));
            if binding.is_some_and(|b| pattern_names(b, cx.src).iter().any(|n| n == name)) {
                found = true;
            }
        }
        true
    });
    found
}

/// Whether the handler also removes a listener from the same emitter, on a path that runs for
/// every request: in its body, a `finally`, a `close`/`abort` listener or a cleanup function.
/// A removal only in a stream's `cancel` does not count: the platform calls it when the reader
/// cancels, which a client that goes away does not always make happen.
fn removed_in(handler: Node, receiver: &str, cx: &FileCx) -> bool {
    let mut removed = false;
    visit_subtree(handler, HANDLER_SEARCH_LIMIT, |node, _| {
        if removed {
            return false;
        }
        if node.k() == "call_expression" {
            if let Some((object, method, _)) = method_call(node, cx.src) {
                if REMOVE_METHODS.contains(&method)
                    && cx.text(object).trim_end_matches('?') == receiver
                    && !only_on_cancel(node, handler, cx)
                {
                    removed = true;
                }
            }
        }
        true
    });
    removed
}

/// Whether `call` runs only in the `cancel` of an underlying source handed to a web stream
/// (`new ReadableStream({ start() {...}, cancel() { bus.off(...) } })`).
fn only_on_cancel(call: Node, handler: Node, cx: &FileCx) -> bool {
    let mut at = call;
    while let Some(parent) = at.parent() {
        if parent.byte_range() == handler.byte_range() {
            return false;
        }
        if is_function(at.k()) {
            let named_cancel = match at.k() {
                "method_definition" => at.field("name").is_some_and(|n| cx.text(n) == "cancel"),
                _ => {
                    parent.k() == "pair"
                        && parent.field("key").is_some_and(|k| cx.text(k) == "cancel")
                }
            };
            if named_cancel {
                let object = if at.k() == "method_definition" {
                    parent
                } else {
                    parent.parent().unwrap_or(parent)
                };
                let in_stream = object
                    .parent()
                    .and_then(|args| args.parent())
                    .filter(|n| n.k() == "new_expression")
                    .and_then(|n| n.field("constructor"))
                    .is_some_and(|c| cx.text(c).ends_with("Stream"));
                return in_stream;
            }
            return false;
        }
        at = parent;
    }
    false
}

/// `addEventListener(type, fn, { signal })`: removed when the signal aborts.
fn has_abort_signal(args: Node, cx: &FileCx) -> bool {
    let mut cursor = args.walk();
    let found = args
        .named_children(&mut cursor)
        .any(|a| a.k() == "object" && property(a, "signal", cx.src).is_some());
    found
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fails, assert_passes, lint};

    #[test]
    fn fail() {
        let cases = [
            // seed 001: a listener per request on a module-level emitter
            "import { EventEmitter } from 'events'; const bus = new EventEmitter(); app.get('/events', (req, res) => { bus.on('message', (m) => res.write(m)); });",
            "router.post('/jobs', async (req, res) => { process.on('unhandledRejection', (e) => log(e, req.id)); res.send('ok'); });",
            "import { logger } from './logger'; app.use((req, res, next) => { logger.on('data', (line) => req.log.push(line)); next(); });",
            "import { queue } from './queue'; export async function POST(request: Request) { queue.once('drained', () => notify(request)); return new Response('ok'); }",
            "import { pubsub } from './pubsub'; export const loader = async ({ request }) => { pubsub.addListener('update', () => {}); return null; };",
            "import { bus } from './bus'; export const r = router({ watch: publicProcedure.query(({ ctx }) => { bus.on('tick', () => ctx.send()); }) });",
            "import { emitter } from './e'; @Controller('x') class C { @Get() list() { emitter.on('x', () => this.count++); return []; } }",
            "import { bus } from './bus'; async function save() { 'use server'; bus.on('saved', () => {}); }",
            // listener inside a callback of the handler
            "const bus = new EventEmitter(); app.get('/x', async (req, res) => { await db.tx(async () => { bus.on('x', () => {}); }); });",
            // per-request callbacks of a bare server, per-connection handlers
            "import http from 'http'; http.createServer((req, res) => { process.on('exit', () => {}); res.end(); });",
            "import { createServer } from 'node:https'; createServer(opts, (req, res) => { process.on('exit', f); });",
            "const bus = new EventEmitter(); server.on('request', (req, res) => { bus.on('x', f); });",
            "const bus = new EventEmitter(); wss.on('connection', (ws) => { bus.on('x', (m) => ws.send(m)); });",
            "const bus = new EventEmitter(); io.of('/chat').on('connection', (socket) => { bus.on('x', f); });",
            // removed only in a web stream's `cancel`
            "import { bus } from './bus'; export async function GET() { const s = new ReadableStream({ start(c) { bus.on('x', f); }, cancel() { bus.off('x', f); } }); return new Response(s); }",
            "import { bus } from './bus'; export async function GET() { const s = new ReadableStream({ start: (c) => { bus.on('x', f); }, cancel: () => { bus.off('x', f); } }); return new Response(s); }",
            // libraries that add listeners, or open connections, when made per request
            "import winston from 'winston'; app.use((req, res, next) => { const log = winston.createLogger({ exceptionHandlers: [t] }); next(); });",
            "import { createLogger } from 'winston'; app.get('/x', (req, res) => { createLogger({ transports: [new Console({ handleRejections: true })] }); });",
            "import Redis from 'ioredis'; app.get('/x', async (req, res) => { const r = new Redis(url); r.on('error', log); res.json(await r.get('k')); });",
            "import { Pool } from 'pg'; app.get('/x', async (req, res) => { const pool = new Pool(); pool.on('error', log); res.json(await pool.query('select 1')); });",
        ];
        for case in cases {
            assert_fails(case);
        }
    }

    #[test]
    fn pass() {
        let cases = [
            // request-scoped emitters
            "app.get('/x', (req, res) => { req.on('close', () => {}); res.on('finish', () => {}); });",
            "app.post('/upload', (req, res) => { const stream = fs.createReadStream(p); stream.on('data', (c) => res.write(c)); });",
            "app.get('/ws', (req, res) => { const socket = new WebSocket(url); socket.addEventListener('message', (m) => res.write(m)); });",
            // removed in the same handler
            "const bus = new EventEmitter(); app.get('/events', (req, res) => { const send = (m) => res.write(m); bus.on('message', send); req.on('close', () => bus.off('message', send)); });",
            "const bus = new EventEmitter(); app.get('/events', (req, res) => { bus.on('m', f); req.on('close', () => bus.removeListener('m', f)); });",
            // an AbortSignal removes it
            "import { target } from './t'; export async function GET(request: Request) { target.addEventListener('x', f, { signal: request.signal }); }",
            // registered once, at module scope or in setup code
            "const bus = new EventEmitter(); bus.on('message', log); app.get('/x', (req, res) => res.send('ok'));",
            "process.on('SIGTERM', () => server.close());",
            "export function setup(app) { const bus = new EventEmitter(); bus.on('x', f); }",
            // a parameter that shadows the module-level name
            "const bus = new EventEmitter(); app.get('/x', (req, res) => handle(req, (bus) => bus.on('x', f)));",
            // not a route: an array's `.get`
            "const bus = new EventEmitter(); const v = cache.get(key, () => { bus.on('x', f); });",
            // removed when the connection closes, the request aborts, or in `finally`
            "const bus = new EventEmitter(); io.on('connection', (socket) => { bus.on('x', f); socket.on('disconnect', () => bus.off('x', f)); });",
            "import { bus } from './bus'; export async function GET(request) { const s = new ReadableStream({ start(c) { bus.on('x', f); request.signal.addEventListener('abort', () => bus.off('x', f)); } }); return new Response(s); }",
            "const bus = new EventEmitter(); app.get('/x', async (req, res) => { bus.on('x', f); try { await work(); } finally { bus.off('x', f); } });",
            // not a request listener: an event fired once
            "const bus = new EventEmitter(); server.on('listening', () => { bus.on('x', f); });",
            "import http from 'http'; const s = http.createServer(); s.listen(3000, () => { process.on('exit', f); });",
            // a logger made once, or per request without process handlers; a client closed or kept
            "import winston from 'winston'; const log = winston.createLogger({ exceptionHandlers: [t] }); app.get('/x', (req, res) => log.info('x'));",
            "import winston from 'winston'; app.use((req, res, next) => { winston.createLogger({ transports: [t] }); next(); });",
            "import Redis from 'ioredis'; app.get('/x', async (req, res) => { const r = new Redis(url); r.on('error', log); try { res.json(await r.get('k')); } finally { r.disconnect(); } });",
            "import Redis from 'ioredis'; app.get('/x', async (req, res) => { const r = new Redis(url); r.on('error', log); pool.add(r); });",
            "import Redis from 'ioredis'; const r = new Redis(url); r.on('error', log); app.get('/x', async (req, res) => res.json(await r.get('k')));",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn message_names_emitter_and_handler() {
        let found = lint(
            "const bus = new EventEmitter(); app.get('/events', (req, res) => { bus.on('message', (m) => res.write(m)); });",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`bus.on('message')` adds a listener to `bus`, which outlives the request, on every call of this route handler: the listeners and everything they close over pile up"
        );
        assert_eq!(
            found[0].labels[0].message,
            "runs once per request (route handler)"
        );
    }
}
