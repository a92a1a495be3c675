//! `listener-in-handler`: a listener added to a long-lived emitter (module-level, imported, or
//! `process`) inside a function that runs once per request, and never removed there.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::{at_module_scope, request_handler};
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
    needles: &[&[".on(", ".once(", "Listener(", "addEventListener("]],
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
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _cx: &FileCx, sink: &mut Sink) {
        for c in self.candidates.drain(..) {
            let help = "register the listener once at module scope, or remove it in the same function when the request ends (`req.on('close', () => emitter.off(event, listener))`), or pass `{ signal }` of an `AbortController` you abort";
            sink.report(
                Diagnostic::new(RULE.id, c.span, c.message)
                    .with_help(help)
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
    let event = args
        .named_child(0)
        .map(|e| cx.text(e))
        .unwrap_or("an event");
    let message = format!(
        "`{receiver_text}.{method}({event})` adds a listener to `{receiver_text}`, which outlives the request, on every call of this {kind}: the listeners and everything they close over pile up"
    );
    let body_start = handler
        .field("body")
        .map_or(handler.end_byte(), |b| b.start_byte());
    let head = crate::analysis::syntax::text_between(cx.src, handler.start_byte(), body_start)
        .trim_end()
        .len();
    Some(Candidate {
        span: call.byte_range(),
        message,
        handler_head: handler.start_byte()..handler.start_byte() + head.max(1),
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

/// Whether the handler also removes a listener from the same emitter.
fn removed_in(handler: Node, receiver: &str, cx: &FileCx) -> bool {
    let text = cx.text(handler);
    REMOVE_METHODS.iter().any(|m| {
        text.contains(&format!("{receiver}.{m}(")) || text.contains(&format!("{receiver}?.{m}("))
    })
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
