//! `memory-session-store`: express-session (or @fastify/session) with no `store`, so every
//! session lives in the process's MemoryStore.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::imported_from;
use crate::analysis::syntax::{method_call, property, unwrap_expression};
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{ByteSpan, Diagnostic, Severity};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "memory-session-store",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "express-session or @fastify/session with the default in-process MemoryStore",
    doc: include_str!("../../rules/memory-session-store.md"),
    options: &[],
    needles: &[&["express-session", "@fastify/session"]],
    precheck: None,
    check: Check::Stateful(|| Box::<Checker>::default()),
};

const EXPRESS_SESSION: &[&str] = &["express-session"];
const FASTIFY_SESSION: &[&str] = &["@fastify/session"];

/// What an options object literal says about `store`.
#[derive(Clone, Default)]
struct Options {
    /// `store: ...` is written, or something leaklint cannot see may set it.
    has_store: bool,
    /// Variables spread into it (`...sessionOptions`), to look up.
    spreads: Vec<String>,
}

#[derive(Default)]
struct Checker {
    /// Session setups: (call span, library, options).
    setups: Vec<(ByteSpan, &'static str, Options)>,
    /// Variables bound to object literals.
    objects: HashMap<String, Options>,
    /// Variables that get `x.store = ...` somewhere.
    store_assigned: HashSet<String>,
}

impl FileCheck for Checker {
    fn enter(&mut self, node: Node, cx: &FileCx, _sink: &mut Sink) {
        if cx.is_test {
            return;
        }
        match node.k() {
            "call_expression" => {
                let Some((library, options)) = session_setup(node, cx) else {
                    return;
                };
                let options = match options.map(unwrap_expression) {
                    None => Options::default(),
                    Some(o) if o.k() == "object" => options_of(o, cx),
                    Some(o) if o.k() == "identifier" => Options {
                        has_store: false,
                        spreads: vec![cx.text(o).to_string()],
                    },
                    Some(_) => return,
                };
                self.setups.push((node.byte_range(), library, options));
            }
            "variable_declarator" => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                let value = unwrap_expression(value);
                if name.k() == "identifier" && value.k() == "object" {
                    self.objects
                        .insert(cx.text(name).to_string(), options_of(value, cx));
                }
            }
            "assignment_expression" => {
                let Some(left) = node.field("left") else {
                    return;
                };
                if let Some(object) = cx.text(left).strip_suffix(".store") {
                    self.store_assigned.insert(object.to_string());
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _cx: &FileCx, sink: &mut Sink) {
        for (span, library, options) in &self.setups {
            if !self.may_set_store(options, SPREAD_DEPTH) {
                report(span.clone(), library, sink);
            }
        }
    }
}

/// How many spreads of spreads to follow.
const SPREAD_DEPTH: usize = 3;

impl Checker {
    /// Whether these options, or what they spread, set `store` or may set it.
    fn may_set_store(&self, options: &Options, depth: usize) -> bool {
        if options.has_store {
            return true;
        }
        options.spreads.iter().any(|name| {
            if self.store_assigned.contains(name) {
                return true;
            }
            match self.objects.get(name) {
                Some(spread) if depth > 0 => self.may_set_store(spread, depth - 1),
                _ => true,
            }
        })
    }
}

/// `session({...})` with `session` from express-session, `require('express-session')({...})`, or
/// `app.register(fastifySession, {...})`: the library and the options argument.
fn session_setup<'t>(call: Node<'t>, cx: &FileCx<'t>) -> Option<(&'static str, Option<Node<'t>>)> {
    let callee = call.field("function")?;
    let args = call.field("arguments")?;
    let callee_text = cx.text(callee);
    let express = imported_from(cx, callee_text, EXPRESS_SESSION)
        || matches!(
            callee_text,
            "require('express-session')" | "require(\"express-session\")"
        );
    if express {
        return Some(("express-session", args.named_child(0)));
    }
    let (_, method, _) = method_call(call, cx.src)?;
    let plugin = args.named_child(0)?;
    if method == "register" && imported_from(cx, cx.text(plugin), FASTIFY_SESSION) {
        return Some(("@fastify/session", args.named_child(1)));
    }
    None
}

fn options_of(object: Node, cx: &FileCx) -> Options {
    let mut options = Options {
        has_store: property(object, "store", cx.src).is_some(),
        spreads: Vec::new(),
    };
    let mut cursor = object.walk();
    for child in object.named_children(&mut cursor) {
        if child.k() != "spread_element" {
            continue;
        }
        match child.named_child(0) {
            Some(spread) if spread.k() == "identifier" => {
                options.spreads.push(cx.text(spread).to_string())
            }
            _ => options.has_store = true,
        }
    }
    options
}

fn report(span: ByteSpan, library: &str, sink: &mut Sink) {
    let message = format!(
        "{library} has no `store`: every session is kept in this process's MemoryStore, which drops an expired session only if it is read again"
    );
    let help = "pass a store backed by Redis or your database (`store: new RedisStore({ client })` from connect-redis, connect-pg-simple, connect-mongo), or at least memorystore with `checkPeriod`";
    sink.report(
        Diagnostic::new(RULE.id, span, message).with_help(help),
        Vec::new(),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fails, assert_passes, lint};

    #[test]
    fn fail() {
        let cases = [
            // seed 000: the prototype kit's session setup
            "import session from 'express-session'; app.use(session({ secret: 's', resave: false, saveUninitialized: true }));",
            "const sessionInMemory = require('express-session'); app.use(sessionInMemory({ secret: 'x' }));",
            "app.use(require('express-session')({ secret: 'x' }));",
            "import session from 'express-session'; const opts = { secret: 'x', cookie: { maxAge: 3600 } }; app.use(session(opts));",
            // seed 000: the kit spreads shared options that set no store
            "const sessionInMemory = require('express-session'); const sessionOptions = { secret: 'k', cookie: { maxAge: 3600 } }; if (x) { app.use(sessionInMemory({ ...sessionOptions, name: 'n', resave: false })); }",
            "import fastifySession from '@fastify/session'; app.register(fastifySession, { secret: 'a secret with minimum length of 32 characters' });",
        ];
        for case in cases {
            assert_fails(case);
        }
    }

    #[test]
    fn pass() {
        let cases = [
            "import session from 'express-session'; import RedisStore from 'connect-redis'; app.use(session({ store: new RedisStore({ client }), secret: 's' }));",
            "import session from 'express-session'; app.use(session({ ...base, secret: 's' }));",
            "import session from 'express-session'; const base = { store: new FileStore() }; app.use(session({ ...base, secret: 's' }));",
            "import session from 'express-session'; app.use(session(options));",
            "import session from 'express-session'; const opts = { secret: 'x' }; if (prod) { opts.store = new PgStore(); } app.use(session(opts));",
            // cookie-session keeps the data in the cookie
            "import session from 'cookie-session'; app.use(session({ name: 's', keys: ['k'] }));",
            "import fastifySession from '@fastify/session'; app.register(fastifySession, { secret: 's', store: new RedisStore() });",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn message_names_the_store() {
        let found =
            lint("import session from 'express-session'; app.use(session({ secret: 's' }));");
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .starts_with("express-session has no `store`"));
    }
}
