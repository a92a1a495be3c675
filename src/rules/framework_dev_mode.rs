//! `framework-dev-mode`: a framework started in development mode by a check other than
//! `NODE_ENV` (or unconditionally).

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::imported_from;
use crate::analysis::syntax::{property, string_value, unwrap_expression, MAX_NESTING};
use crate::analysis::{FileCx, Sink};
use crate::diagnostic::{ByteSpan, Diagnostic, Severity};
use std::collections::HashMap;
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "framework-dev-mode",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "Next.js or Nuxt started in development mode by a check other than NODE_ENV",
    doc: include_str!("../../rules/framework-dev-mode.md"),
    options: &[],
    needles: &[
        &["dev"],
        &[
            "from \"next\"",
            "from 'next'",
            "require(\"next\")",
            "require('next')",
            "nuxt",
        ],
    ],
    precheck: None,
    check: Check::Stateful(|| Box::<Checker>::default()),
};

/// Framework factories that take a `dev` switch, by package.
const FRAMEWORKS: &[(&str, &[&str], &str)] = &[
    ("Next.js", &["next"], "next"),
    ("Nuxt", &["nuxt", "@nuxt/kit"], "loadNuxt"),
];

/// How many variables to follow from `dev: x` to what `x` tests.
const HOPS: usize = 4;

#[derive(Default)]
struct Checker {
    /// Every `x = <expression>` declared so far, by name: the span of the expression.
    bindings: HashMap<String, ByteSpan>,
}

impl FileCheck for Checker {
    fn enter(&mut self, node: Node, cx: &FileCx, sink: &mut Sink) {
        match node.k() {
            "call_expression" => self.check_call(node, cx, sink),
            "variable_declarator" => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                if name.k() == "identifier" {
                    self.bindings
                        .insert(cx.text(name).to_string(), value.byte_range());
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _cx: &FileCx, _sink: &mut Sink) {}
}

/// A value of the small expressions that decide `dev`, evaluated as if every environment
/// variable were unset and no command-line flag were given.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bool(bool),
    Str(String),
    Undefined,
    Unknown,
}

impl Value {
    fn truthy(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) => Some(!s.is_empty()),
            Value::Undefined => Some(false),
            Value::Unknown => None,
        }
    }
}

/// What the evaluation of `dev` saw.
#[derive(Default)]
struct Seen {
    node_env: bool,
    environment: bool,
    /// How many `eval`s are open: bounds the descent into `!`/`||` chains.
    depth: usize,
}

impl Checker {
    fn check_call(&self, call: Node, cx: &FileCx, sink: &mut Sink) {
        let Some((framework, dev)) = candidate(call, cx) else {
            return;
        };
        let mut seen = Seen::default();
        let value = self.eval(dev, cx, HOPS, &mut seen);
        if seen.node_env || value.truthy() != Some(true) {
            return;
        }
        let shown = collapse(cx.text(dev));
        let message = if seen.environment {
            format!(
                "{framework} starts in development mode unless the environment says otherwise: `dev: {shown}` is true when the variables it reads are unset, so a deployment that misses one runs the dev server"
            )
        } else {
            format!(
                "{framework} always starts in development mode here (`dev: {shown}`): on-demand compilation, hot reloading and dev caches in a running server"
            )
        };
        let help = "decide `dev` by `NODE_ENV` alone, as the framework does: `dev: process.env.NODE_ENV !== \"production\"`, and build before starting";
        sink.report(
            Diagnostic::new(RULE.id, dev.byte_range(), message).with_help(help),
            Vec::new(),
        );
    }

    /// The value of `node`, or `Unknown` (not judged) past [`MAX_NESTING`] levels.
    fn eval(&self, node: Node, cx: &FileCx, hops: usize, seen: &mut Seen) -> Value {
        if seen.depth >= MAX_NESTING {
            crate::analysis::syntax::not_judged_too_deep();
            return Value::Unknown;
        }
        seen.depth += 1;
        let value = self.eval_node(node, cx, hops, seen);
        seen.depth -= 1;
        value
    }

    fn eval_node(&self, node: Node, cx: &FileCx, hops: usize, seen: &mut Seen) -> Value {
        let node = unwrap_expression(node);
        let text = cx.text(node);
        match node.k() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "undefined" | "null" => Value::Undefined,
            "string" => {
                string_value(node, cx.src).map_or(Value::Unknown, |s| Value::Str(s.to_string()))
            }
            "member_expression" | "subscript_expression" => {
                if text.contains("NODE_ENV") {
                    seen.node_env = true;
                }
                if text.starts_with("process.env") || text.starts_with("import.meta.env") {
                    seen.environment = true;
                    Value::Undefined
                } else {
                    Value::Unknown
                }
            }
            "call_expression" if text.starts_with("process.argv.") => {
                seen.environment = true;
                Value::Bool(false)
            }
            "unary_expression" if text.starts_with('!') => {
                let Some(operand) = node.field("argument") else {
                    return Value::Unknown;
                };
                match self.eval(operand, cx, hops, seen).truthy() {
                    Some(b) => Value::Bool(!b),
                    None => Value::Unknown,
                }
            }
            "binary_expression" => self.eval_binary(node, cx, hops, seen),
            "identifier" | "shorthand_property_identifier" => {
                let Some(span) = self.bindings.get(text).filter(|_| hops > 0) else {
                    return Value::Unknown;
                };
                let root = cx.ancestors.first().copied().unwrap_or(node);
                match root.descendant_for_byte_range(span.start, span.end) {
                    Some(value) => self.eval(value, cx, hops - 1, seen),
                    None => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    fn eval_binary(&self, node: Node, cx: &FileCx, hops: usize, seen: &mut Seen) -> Value {
        let (Some(left), Some(right), Some(operator)) = (
            node.field("left"),
            node.field("right"),
            node.field("operator"),
        ) else {
            return Value::Unknown;
        };
        let left = self.eval(left, cx, hops, seen);
        let right = self.eval(right, cx, hops, seen);
        let known = left != Value::Unknown && right != Value::Unknown;
        match cx.text(operator) {
            "===" | "==" if known => Value::Bool(left == right),
            "!==" | "!=" if known => Value::Bool(left != right),
            "&&" => match (left.truthy(), right.truthy()) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Unknown,
            },
            "||" => match (left.truthy(), right.truthy()) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        }
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `next({ dev: ... })` with `next` imported from "next", and the same for Nuxt's `loadNuxt`:
/// the framework and the `dev` value.
fn candidate<'t>(call: Node<'t>, cx: &FileCx<'t>) -> Option<(&'static str, Node<'t>)> {
    let callee = call.field("function")?;
    let name = cx.text(callee);
    let (framework, _, _) = FRAMEWORKS.iter().find(|(_, packages, export)| {
        imported_from(cx, name, packages) && (*export == "next" || name == *export)
    })?;
    let options = call
        .field("arguments")?
        .named_child(0)
        .map(unwrap_expression)
        .filter(|o| o.k() == "object")?;
    let dev = property(options, "dev", cx.src)?;
    Some((framework, dev))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fails, assert_passes, lint};

    #[test]
    fn fail() {
        let cases = [
            // seed 003
            "import next from 'next'; const app = next({ dev: process.env.ENVIRONMENT !== 'prod', turbopack: true });",
            "const next = require('next'); const app = next({ dev: true });",
            "import next from 'next'; const dev = !process.argv.includes('--prod'); const app = next({ dev });",
            "import next from 'next'; const isProd = process.env.APP_ENV === 'production'; const dev = !isProd; const app = next({ dev, hostname, port });",
            "import { loadNuxt } from 'nuxt'; const nuxt = await loadNuxt({ dev: process.env.STAGE !== 'live' });",
            "const next = require('next'); const app = next({ dev: !process.env.PRODUCTION });",
            "const next = require('next'); const app = next({ dev: process.env.PROD != 'true' });",
        ];
        for case in cases {
            assert_fails(case);
        }
    }

    #[test]
    fn pass() {
        let cases = [
            "import next from 'next'; const dev = process.env.NODE_ENV !== 'production'; const app = next({ dev });",
            "import next from 'next'; const app = next({ dev: false });",
            // opt-in: dev only when a variable is set
            "import next from 'next'; const app = next({ dev: process.env.ARCHIVE_DEV === 'true', hostname });",
            "import next from 'next'; const app = next({ dev: process.argv.includes('--dev') });",
            "import next from 'next'; const app = next({ dev: !!process.env.DEV });",
            "import next from 'next'; const isDev = process.env.NODE_ENV !== 'production' && process.env.ENVIRONMENT !== 'prod'; const app = next({ dev: isDev });",
            // decided elsewhere: not visible
            "import next from 'next'; import { config } from './config'; const app = next({ dev: config.dev });",
            "import next from 'next'; export function start(dev: boolean) { return next({ dev }); }",
            // tRPC middleware's `next`
            "const t = initTRPC.create(); const mw = t.middleware(({ next }) => next({ dev: true }));",
        ];
        for case in cases {
            assert_passes(case);
        }
    }

    #[test]
    fn message_names_the_test() {
        let found = lint(
            "import next from 'next'; const app = next({ dev: process.env.ENVIRONMENT !== \"prod\" });",
        );
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .starts_with("Next.js starts in development mode unless the environment says otherwise: `dev: process.env.ENVIRONMENT !== \"prod\"` is true"));
    }
}
