//! leaklint: finds the query and memory-retention patterns that take Node.js servers down.
//!
//! Data flows one way, and each module uses only the ones listed before it (`tests/layout.rs`
//! fails on an import circle):
//!
//! 1. [`diagnostic`] and [`source`]: diagnostics and spans; reading files and classifying paths.
//! 2. [`config`]: `leaklint.toml`, validated against the rules its caller names
//!    ([`config::KnownRules`]), so it does not use the rule registry above it.
//! 3. [`discover`]: which files to lint.
//! 4. [`project`]: the project index and data (packages, Prisma schemas, modules, JSON data).
//! 5. [`analysis`]: one parsed file's syntax: scopes, imports, constants ([`analysis::FileCx`]),
//!    the ORM, Prisma and SQL calls it makes, and the conditions a finding waits on.
//! 6. [`semantic`]: per-file semantic facts (bindings, what each function does) and the project
//!    index that links them across files into summaries. It is the one place rules get facts
//!    from beyond the syntax.
//! 7. [`rules`]: the registry and each rule's check.
//! 8. [`suppress`]: suppression comments, checked against the registry.
//! 9. The crate root: the per-file driver ([`analyze`]: one walk runs the semantic collector and
//!    every rule's check) and the run ([`lint`]) that settles cross-file conditions, applies
//!    suppressions and builds the [`Report`].
//! 10. [`render`], [`baseline`], [`fix`], [`workspace`], [`lsp`] and [`cli`]: output and front
//!     ends, over the run's types; [`collect`] (`leaklint stats`: the database's statistics
//!     into the file [`project::stats`] reads), over [`project`] and [`source`].

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod collect;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod lsp;
pub mod project;
pub mod render;
pub mod rules;
pub mod semantic;
pub mod source;
pub mod suppress;
pub mod workspace;

use aho_corasick::AhoCorasick;
use analysis::{Condition, FileCx, Pending, Sink};
use config::{Config, Level};
use diagnostic::{ByteSpan, Diagnostic, Fix, LineCol, LineIndex, Severity};
use project::Project;
use rayon::prelude::*;
use rules::{Check, FileCheck, Rule};
use source::Lang;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tree_sitter::Node;

/// Bytes at the start of a file searched for a NUL to call it binary.
const BINARY_PROBE: usize = 8000;
/// A line longer than this, in a file whose lines average more than `MINIFIED_AVERAGE`, marks
/// generated or minified code.
const MINIFIED_LINE: usize = 2000;
const MINIFIED_AVERAGE: usize = 300;

/// What to lint and how.
#[derive(Debug, Clone)]
pub struct Settings {
    pub paths: Vec<PathBuf>,
    pub config: Config,
    /// Only these rules (`--select`); `None`: every rule the config leaves on.
    pub select: Option<Vec<&'static str>>,
    /// Never these rules (`--ignore`).
    pub ignore: Vec<&'static str>,
    pub no_ignore: bool,
    pub threads: Option<usize>,
    pub report_unused_suppressions: bool,
    /// The lowest confidence reported (`--confidence`); `None`: each file's config says.
    pub confidence: Option<diagnostic::Confidence>,
    /// Paths in the report are relative to this folder when under it.
    pub cwd: PathBuf,
    /// Give each file the nearest `leaklint.toml` above it (`config` applies where there is
    /// none); when false, `config` applies to every file.
    pub nested_configs: bool,
    /// Texts linted instead of what is on disk, by absolute path (standard input with
    /// `--stdin-filename`, an editor's unsaved buffers). Such a path need not exist.
    pub unsaved: Arc<std::collections::BTreeMap<PathBuf, String>>,
    /// Project facts kept between runs (the language server); `None`: loaded for this run.
    pub projects: Option<workspace::ProjectCache>,
    /// Files linted only for their facts (modules the named files import): nothing of theirs is
    /// reported. Filled per group by [`workspace::lint`].
    pub context: Arc<std::collections::HashSet<PathBuf>>,
    /// The configuration of each file, when files of several configurations are linted together
    /// (one index of cross-file facts for them); a file not listed gets `config`.
    pub file_configs: Arc<HashMap<PathBuf, Arc<Config>>>,
    /// The project of each file whose `[prisma] schema` differs from the run's (its data model);
    /// a file not listed gets the run's project.
    pub file_projects: Arc<HashMap<PathBuf, Arc<project::Project>>>,
    /// Whether the run walks folders (`check .`) rather than named files alone: only then are
    /// a finding's callers searched for (see [`Diagnostic::high_where_it_runs`]). Set per group
    /// by [`workspace::lint`] from the paths it was given.
    pub walked: bool,
}

impl Settings {
    /// The configuration `path` is analysed with: its own, else the run's.
    pub fn config_of(&self, path: &Path) -> &Config {
        self.file_configs
            .get(path)
            .map(|c| &**c)
            .unwrap_or(&self.config)
    }

    /// The unsaved text of `path`, if it has one.
    pub fn unsaved_text(&self, path: &Path) -> Option<&str> {
        if self.unsaved.is_empty() {
            return None;
        }
        let absolute = std::path::absolute(path).ok()?;
        self.unsaved.get(&absolute).map(String::as_str)
    }
}

/// A diagnostic placed in its file, with lines and columns.
#[derive(Debug, Clone)]
pub struct Finding {
    pub path: String,
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub span: Located,
    pub labels: Vec<(String, Located)>,
    pub fix: Option<(Fix, Vec<Located>)>,
    /// The rule chose the severity (a rule option), rather than the rule's configured level.
    pub severity_from_rule: bool,
    pub confidence: diagnostic::Confidence,
    /// Where the finding runs: the entry points that reach it, nearest first.
    pub reached_from: Vec<diagnostic::EntryPoint>,
}

/// A byte span and its start and end as lines and columns.
#[derive(Debug, Clone)]
pub struct Located {
    pub bytes: ByteSpan,
    pub start: LineCol,
    pub end: LineCol,
}

/// Why a file was not linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    TooLarge,
    Binary,
    Minified,
    /// A FIFO, socket or device found by the walk: never opened.
    NotRegular,
    /// The parse took longer than `parse-timeout-ms`.
    ParseTimeout,
    /// The tree has more syntax nodes than `max-nodes`.
    TooManyNodes,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "larger than max-file-size",
            SkipReason::Binary => "binary",
            SkipReason::Minified => "minified or generated (very long lines)",
            SkipReason::NotRegular => "not a regular file (FIFO, socket or device)",
            SkipReason::ParseTimeout => "parse took longer than parse-timeout-ms",
            SkipReason::TooManyNodes => "more syntax nodes than max-nodes, not analysed",
        }
    }
}

/// A file that could not be linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Files linted (read and checked, parsed or not).
    pub files: usize,
    /// Files parsed (the rest could not hold a finding).
    pub parsed: usize,
    pub skipped: Vec<(String, SkipReason)>,
    pub errors: Vec<FileError>,
    /// Files whose parse had syntax errors (what did parse was still linted).
    pub syntax_errors: Vec<String>,
    /// What the run learnt of the project, for `--verbose`.
    pub notes: Vec<String>,
    /// What the user should know even without `--verbose` (stale statistics), once each.
    pub warnings: Vec<String>,
    /// Raw SQL statements that did not parse, so were not judged, by file.
    pub unparsed_sql: Vec<(String, usize)>,
    /// Source text of every file with a finding, for rendering snippets.
    pub sources: std::collections::BTreeMap<String, Arc<str>>,
    /// Modules linted only for their facts, because a named file imports them (absolute).
    pub context: Vec<PathBuf>,
    /// Findings below the confidence asked for, not reported, by rule id.
    pub hidden: std::collections::BTreeMap<&'static str, usize>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Errors that stop a run (exit code 2).
#[derive(Debug)]
pub enum RunError {
    PathNotFound(PathBuf),
    ThreadPool(String),
    /// A `leaklint.toml` met on the way is invalid.
    Config(Box<config::ConfigError>),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::PathNotFound(p) => write!(f, "no such file or folder: {}", p.display()),
            RunError::ThreadPool(e) => write!(f, "cannot start worker threads: {e}"),
            RunError::Config(e) => write!(f, "{e}"),
        }
    }
}

/// The rules this run applies.
pub fn enabled_rules(settings: &Settings) -> Vec<&'static Rule> {
    rules::RULES
        .iter()
        .copied()
        .filter(|r| {
            settings
                .select
                .as_ref()
                .is_none_or(|select| select.contains(&r.id))
        })
        .filter(|r| !settings.ignore.contains(&r.id))
        .filter(|r| settings.config.level(r) != Level::Off)
        .filter(|r| r.id != rules::suppression::UNUSED.id || settings.report_unused_suppressions)
        .collect()
}

/// Lints the files `settings` names.
pub fn lint(settings: &Settings) -> Result<Report, RunError> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = settings.threads {
        builder = builder.num_threads(n);
    }
    install_panic_hook();
    analysis::PARSE_TIMEOUT_MS.store(
        settings.config.parse_timeout_ms,
        std::sync::atomic::Ordering::Relaxed,
    );
    let pool = builder
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| RunError::ThreadPool(e.to_string()))?;
    source::take_left_root();
    let mut report = pool.install(|| workspace::lint(settings))?;
    for path in source::take_left_root() {
        report.notes.push(format!(
            "note: {}: a symlink out of the project root, not followed",
            display_path(&path, &settings.cwd)
        ));
    }
    Ok(report)
}

/// Stack of each worker thread. Nothing recurses over syntax (deep input is cut off at
/// [`analysis::syntax::MAX_NESTING`]); the margin is for the libraries we call.
const WORKER_STACK: usize = 16 * 1024 * 1024;

thread_local! {
    /// Set while this thread analyses a file: a panic then becomes that file's error.
    static IN_FILE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// What the panic hook saw of the last panic on this thread.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// A panic hook that keeps quiet about panics caught by [`isolated`] (they are reported as the
/// file's error, with the message and place) and leaves every other panic to the previous hook.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_FILE.with(|f| f.get()) {
                return previous(info);
            }
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{place}")));
        }));
    });
}

/// Runs one file's analysis so that a panic in it becomes that file's error: the other files'
/// findings are still reported.
fn isolated(analyse: impl FnOnce() -> Outcome) -> Outcome {
    let was = IN_FILE.with(|f| f.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(analyse));
    IN_FILE.with(|f| f.set(was));
    result.unwrap_or_else(|_| {
        let cause = LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "unknown cause".to_string());
        Outcome::Error(format!(
            "internal error, file not linted (please report it): panicked: {cause}"
        ))
    })
}

/// Prefilters built once per run: one automaton per needle group of each rule.
struct Prefilter {
    groups: Vec<(&'static str, Vec<AhoCorasick>)>,
    /// When `query-in-loop` runs: files that may send a query are parsed for the facts of their
    /// functions even when no rule asks for them (callers in other files need them).
    queries: Option<AhoCorasick>,
    /// And files parsed for any reason are also checked for calls in loops when they loop.
    loops: Option<AhoCorasick>,
}

/// Below this many files, needle automata are contiguous NFAs: a DFA searches faster but takes
/// about 4 ms to build for every rule's needles, more than a pre-commit run spends searching.
const DFA_FROM_FILES: usize = 256;

/// An automaton over needles, for a run over `files` files.
fn needle_automaton(needles: Vec<&str>, files: usize) -> AhoCorasick {
    let kind = (files < DFA_FROM_FILES).then_some(aho_corasick::AhoCorasickKind::ContiguousNFA);
    AhoCorasick::builder()
        .kind(kind)
        .build(needles)
        .expect("needles are plain strings")
}

impl Prefilter {
    /// In a project none of whose packages uses another ORM, a query builder or a SQL driver,
    /// the needles that only those call for (`.find(`, `.from(`, `limit`) are dropped: a
    /// Prisma project's files are not parsed for them.
    fn new(rules: &[&'static Rule], project: &project::Project, files: usize) -> Self {
        let build = |needles: Vec<&str>| needle_automaton(needles, files);
        let strip_other_layers = !project.packages.is_empty()
            && !analysis::orm::DATA_LAYER_PACKAGES.iter().any(|dep| {
                project
                    .packages
                    .iter()
                    .any(|p| p.dependencies.iter().any(|d| d == dep))
            });
        // The stores' needles (`edis`, `.collection(`) only where a package uses a store.
        let no_stores = !analysis::stores::project_uses_stores(
            project
                .packages
                .iter()
                .flat_map(|p| p.dependencies.iter().map(String::as_str)),
        );
        let dropped = |n: &str| {
            (strip_other_layers && analysis::orm::other_layer_needle(n))
                || (no_stores && analysis::stores::STORE_NEEDLES.contains(&n))
        };
        let groups = rules
            .iter()
            .filter(|r| r.check.is_some())
            .filter_map(|r| {
                let mut automata = Vec::new();
                for group in r.needles {
                    let kept: Vec<&str> = group.iter().copied().filter(|n| !dropped(n)).collect();
                    if kept.is_empty() {
                        // Nothing in this project can match: the rule is never run.
                        return None;
                    }
                    automata.push(build(kept));
                }
                Some((r.id, automata))
            })
            .collect();
        let per_element = rules.iter().any(|r| r.id == rules::query_in_loop::RULE.id);
        let needles = rules::query_in_loop::RULE.needles;
        let automaton = |group: &[&str]| {
            let kept: Vec<&str> = group.iter().copied().filter(|n| !dropped(n)).collect();
            build(kept)
        };
        Prefilter {
            groups,
            queries: per_element.then(|| automaton(needles[1])),
            loops: per_element.then(|| automaton(needles[0])),
        }
    }

    /// Whether `text` may send a query, so its functions' facts are wanted.
    fn wants_facts(&self, text: &str) -> bool {
        self.queries.as_ref().is_some_and(|a| a.is_match(text))
    }

    /// Whether `text` may hold a loop or a per-element callback.
    fn loops(&self, text: &str) -> bool {
        self.loops.as_ref().is_some_and(|a| a.is_match(text))
    }

    /// The rules that may find something in `text`.
    fn rules_for<'r>(&self, text: &str, rules: &[&'r Rule]) -> Vec<&'r Rule> {
        rules
            .iter()
            .copied()
            .filter(|rule| {
                self.groups
                    .iter()
                    .find(|(id, _)| *id == rule.id)
                    .is_some_and(|(_, groups)| groups.iter().all(|g| g.is_match(text)))
                    && rule.precheck.is_none_or(|precheck| precheck(text))
            })
            .collect()
    }
}

enum Outcome {
    Skipped(SkipReason),
    Error(String),
    Linted(Box<Linted>),
}

struct Linted {
    text: Option<Arc<str>>,
    parsed: bool,
    syntax_errors: bool,
    unparsed_sql: usize,
    /// A helper stopped at `MAX_NESTING`: part of the file was not judged.
    too_deep: bool,
    pending: Vec<analysis::Pending>,
    comments: Vec<ByteSpan>,
    /// What the file's functions do (parsed files only).
    facts: Option<semantic::facts::FileFacts>,
}

/// Lints `discovered`: files that share `settings.config` and `project`.
pub(crate) fn lint_files(
    settings: &Settings,
    discovered: discover::Discovered,
    project: &project::Project,
) -> Result<Report, RunError> {
    let rules = enabled_rules(settings);
    let prefilter = Prefilter::new(&rules, project, discovered.files.len());
    let suppressions_on = !rules.is_empty();

    let mut outcomes: Vec<(PathBuf, Outcome)> = discovered
        .files
        .par_iter()
        .map(|(path, lang)| {
            let outcome = isolated(|| {
                lint_file(
                    path,
                    *lang,
                    settings,
                    &rules,
                    &prefilter,
                    project,
                    suppressions_on,
                    Pass::First,
                )
            });
            (path.clone(), outcome)
        })
        .collect();
    let resolve = |importer: &Path, specifier: &str, exists: &dyn Fn(&Path) -> bool| {
        project.resolve_with(importer, specifier, exists)
    };
    let holds = |path: &Path, conditions: &[Condition]| conditions_hold(conditions, path, project);
    let mut caller_rounds = Vec::new();
    let index = if prefilter.queries.is_some() {
        follow_callers(
            &mut caller_rounds,
            &mut outcomes,
            &discovered.files,
            settings,
            &rules,
            &prefilter,
            project,
            &resolve,
            &holds,
        )
    } else {
        // No callers to follow, but typed receivers still need their classes.
        let langs: HashMap<&Path, Lang> = discovered
            .files
            .iter()
            .map(|(p, l)| (p.as_path(), *l))
            .collect();
        let mut files = Vec::new();
        take_facts(&mut outcomes, &mut files);
        let index = semantic::index::Index::build(files, &resolve, &holds);
        follow_types(
            index,
            &mut outcomes,
            &langs,
            settings,
            &rules,
            &prefilter,
            project,
            &resolve,
            &holds,
        )
    };

    let mut entry_rounds = Vec::new();
    let index = follow_entries(
        &mut entry_rounds,
        index,
        &mut outcomes,
        &discovered.files,
        settings,
        &prefilter,
        project,
        &resolve,
        &holds,
    );
    let mut report = Report::default();
    report
        .notes
        .push(format!("project root {}", project.root.display()));
    if project.schemas.is_empty() {
        report.notes.push(
            "no Prisma schema found: the Prisma rules judge by names in the code".to_string(),
        );
    }
    for schema in project.schemas.values() {
        let files: Vec<String> = schema
            .files
            .iter()
            .map(|f| display_path(f, &settings.cwd))
            .collect();
        report.notes.push(format!(
            "Prisma schema with {} models: {}",
            schema.models.len(),
            files.join(", ")
        ));
    }
    for (path, message) in discovered.errors {
        report.errors.push(FileError {
            path: display_path(&path, &settings.cwd),
            message,
        });
    }
    let (indexed_files, indexed_functions) = index.size();
    report.notes.push(format!(
        "semantic index: {indexed_files} files, {indexed_functions} functions; callers parsed after the first pass, per round: {caller_rounds:?}; for entry points: {entry_rounds:?}"
    ));
    let ran: Vec<&str> = rules.iter().map(|r| r.id).collect();
    // Who imports whom, read only when a finding asks which route renders its module.
    let paths: Vec<PathBuf> = discovered.files.iter().map(|(p, _)| p.clone()).collect();
    let importers = std::cell::OnceCell::new();
    let importers = LazyImporters {
        paths: &paths,
        cell: &importers,
    };
    for (path, outcome) in outcomes {
        if settings.context.contains(&path) {
            continue;
        }
        let shown = display_path(&path, &settings.cwd);
        match outcome {
            Outcome::Skipped(reason) => report.skipped.push((shown, reason)),
            Outcome::Error(message) => report.errors.push(FileError {
                path: shown,
                message,
            }),
            Outcome::Linted(linted) => {
                report.files += 1;
                report.parsed += usize::from(linted.parsed);
                if linted.syntax_errors {
                    report.syntax_errors.push(shown.clone());
                }
                if linted.too_deep {
                    report.notes.push(format!(
                        "note: {shown}: too deep: nested more than {} levels in places, which were not judged",
                        analysis::syntax::MAX_NESTING
                    ));
                }
                if linted.unparsed_sql > 0 {
                    report
                        .unparsed_sql
                        .push((shown.clone(), linted.unparsed_sql));
                }
                let Some(text) = linted.text else { continue };
                let diagnostics: Vec<Diagnostic> = linted
                    .pending
                    .into_iter()
                    .filter(|p| {
                        conditions_hold(&p.conditions, &path, project)
                            && index.receivers_hold(
                                &source::absolute(&path),
                                &p.conditions,
                                &resolve,
                            )
                    })
                    .filter_map(|p| describe_calls(p, &path, &index, &resolve, settings))
                    .map(|p| describe_reach(p, &path, &index, &resolve, settings))
                    .map(|p| describe_parent_lists(p, project, settings))
                    .map(|p| describe_data(p, &path, project))
                    .map(|d| describe_rendering(d, &path, project, &importers, settings))
                    .collect();
                let index = LineIndex::new(&text);
                let (mut suppressions, invalid) = suppress::parse(&text, &linted.comments, &index);
                let mut kept = suppress::apply(diagnostics, &mut suppressions, &index);
                kept.extend(invalid);
                kept.extend(suppress::unused(&suppressions, &ran));
                kept.retain(|d| ran.contains(&d.rule));
                // After the suppressions: one that silenced a hidden finding is not unused.
                let lowest = settings
                    .confidence
                    .unwrap_or(settings.config_of(&path).confidence);
                kept.retain(|d| {
                    let shown = d.confidence >= lowest;
                    if !shown {
                        *report.hidden.entry(d.rule).or_default() += 1;
                    }
                    shown
                });
                if kept.is_empty() {
                    continue;
                }
                for d in kept {
                    report
                        .findings
                        .push(place(d, &shown, &index, settings.config_of(&path)));
                }
                report.sources.insert(shown, text);
            }
        }
    }
    report.sort();
    Ok(report)
}

impl Report {
    /// Puts everything in the order of the output contract: by path, then position, then rule.
    pub(crate) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.path, a.span.start, a.rule.id, &a.message).cmp(&(
                &b.path,
                b.span.start,
                b.rule.id,
                &b.message,
            ))
        });
        self.errors.sort_by(|a, b| a.path.cmp(&b.path));
        self.skipped.sort_by(|a, b| a.0.cmp(&b.0));
        self.syntax_errors.sort();
        self.unparsed_sql.sort();
    }
}

fn conditions_hold(conditions: &[Condition], path: &Path, project: &project::Project) -> bool {
    conditions.iter().all(|c| match c {
        Condition::ClientModule(specifier) => project
            .modules
            .specifier_holds_client(project, path, specifier),
        Condition::BulkData {
            specifier,
            min_bytes,
        } => project
            .modules
            .data(project, path, specifier)
            .is_some_and(|d| d.missing || d.bytes >= *min_bytes),
        // Settled with the project index, in `describe_calls` and `Index::receivers_hold`.
        Condition::Calls { .. } | Condition::TypedReceiver { .. } | Condition::RenderedOnServer => {
            true
        }
        // Local conditions were settled in the file's analysis.
        Condition::NotLiteral(_) | Condition::ImportedClient(_) | Condition::CallSite { .. } => {
            false
        }
    })
}

/// How many rounds of callers are parsed after the first pass (each round reaches one more
/// call away from the queries).
const CALLER_ROUNDS: usize = 4;

/// Builds the project index from the parsed files' facts, then parses the files the first pass
/// skipped that call a function which sends a query (found by name, one Aho-Corasick pass per
/// file), round after round, so that a loop in a controller three calls away from the query is
/// seen; their only rule is `query-in-loop`. Returns the final index.
#[allow(clippy::too_many_arguments)]
fn follow_callers(
    rounds: &mut Vec<usize>,
    outcomes: &mut [(PathBuf, Outcome)],
    files: &[(PathBuf, Lang)],
    settings: &Settings,
    rules: &[&'static Rule],
    prefilter: &Prefilter,
    project: &project::Project,
    resolve: &semantic::index::SpecifierResolver,
    holds: &dyn Fn(&Path, &[Condition]) -> bool,
) -> semantic::index::Index {
    let langs: std::collections::HashMap<&Path, Lang> =
        files.iter().map(|(p, l)| (p.as_path(), *l)).collect();
    let only: Vec<&'static Rule> = rules
        .iter()
        .copied()
        .filter(|r| r.id == rules::query_in_loop::RULE.id)
        .collect();
    let mut known: std::collections::HashSet<String> = Default::default();
    let mut files = Vec::new();
    take_facts(outcomes, &mut files);
    let mut index = semantic::index::Index::build(files, resolve, holds);
    index = follow_types(
        index, outcomes, &langs, settings, rules, prefilter, project, resolve, holds,
    );
    for _ in 0..CALLER_ROUNDS {
        let names: Vec<String> = index
            .querying_names()
            .into_iter()
            .filter(|n| known.insert(n.clone()))
            .map(|n| format!("{n}("))
            .collect();
        if names.is_empty() {
            break;
        }
        let Ok(automaton) = AhoCorasick::new(&names) else {
            break;
        };
        let parsed = parse_unparsed(
            outcomes,
            &langs,
            settings,
            &only,
            prefilter,
            project,
            Pass::Callers(&automaton),
        );
        rounds.push(parsed);
        if parsed == 0 {
            break;
        }
        let mut files = index.into_files();
        take_facts(outcomes, &mut files);
        index = semantic::index::Index::build(files, resolve, holds);
    }
    index
}

/// Lints again, in a later `pass`, the files no pass has parsed yet; those the pass parses
/// replace their outcome. Returns how many it parsed.
fn parse_unparsed(
    outcomes: &mut [(PathBuf, Outcome)],
    langs: &HashMap<&Path, Lang>,
    settings: &Settings,
    rules: &[&'static Rule],
    prefilter: &Prefilter,
    project: &project::Project,
    pass: Pass,
) -> usize {
    outcomes
        .par_iter_mut()
        .map(|(path, outcome)| {
            let unparsed = matches!(outcome, Outcome::Linted(l) if !l.parsed);
            let Some(lang) = langs.get(path.as_path()).filter(|_| unparsed) else {
                return 0;
            };
            let again = isolated(|| {
                lint_file(
                    path, *lang, settings, rules, prefilter, project, false, pass,
                )
            });
            let took = matches!(&again, Outcome::Linted(l) if l.parsed);
            if took {
                *outcome = again;
            }
            usize::from(took)
        })
        .sum()
}

/// How many rounds of callers are parsed to find the entry points above query findings (each
/// goes one call further up).
const ENTRY_ROUNDS: usize = 4;

/// Whether a rule's findings say where they run ([`describe_reach`]).
fn says_where_it_runs(rule: &str) -> bool {
    rules::find(rule).is_some_and(|r| r.category == rules::Category::Query)
}

/// Parses, for their facts, the files that may call the functions the search up from each query
/// finding stopped at, a round per call level, and links them into the index.
#[allow(clippy::too_many_arguments)]
fn follow_entries(
    rounds: &mut Vec<usize>,
    mut index: semantic::index::Index,
    outcomes: &mut [(PathBuf, Outcome)],
    files: &[(PathBuf, Lang)],
    settings: &Settings,
    prefilter: &Prefilter,
    project: &project::Project,
    resolve: &semantic::index::SpecifierResolver,
    holds: &dyn Fn(&Path, &[Condition]) -> bool,
) -> semantic::index::Index {
    let langs: HashMap<&Path, Lang> = files.iter().map(|(p, l)| (p.as_path(), *l)).collect();
    let mut known: std::collections::HashSet<String> = Default::default();
    for _ in 0..ENTRY_ROUNDS {
        let mut names = Vec::new();
        for (path, outcome) in outcomes.iter() {
            let Outcome::Linted(linted) = outcome else {
                continue;
            };
            let absolute = source::absolute(path);
            for p in linted
                .pending
                .iter()
                .filter(|p| says_where_it_runs(p.diagnostic.rule))
            {
                for name in index.reach_frontier(&absolute, p.diagnostic.span.start, resolve) {
                    if known.insert(name.clone()) {
                        names.push(format!("{name}("));
                    }
                }
            }
        }
        if names.is_empty() {
            break;
        }
        let Ok(automaton) = AhoCorasick::new(&names) else {
            break;
        };
        let parsed = parse_unparsed(
            outcomes,
            &langs,
            settings,
            &[],
            prefilter,
            project,
            Pass::Entries(&automaton),
        );
        rounds.push(parsed);
        if parsed == 0 {
            break;
        }
        let mut files = index.into_files();
        take_facts(outcomes, &mut files);
        index = semantic::index::Index::build(files, resolve, holds);
    }
    index
}

/// How many rounds of class files are parsed for typed receivers (each follows one more field
/// or base class into another file).
const TYPE_ROUNDS: usize = 4;

/// Parses, for their facts only, the files the first pass skipped that hold the classes typed
/// receivers go through (`this.db` typed `DatabaseService`, declared in a file that sends no
/// query itself), round after round, and rebuilds the index with them.
#[allow(clippy::too_many_arguments)]
fn follow_types(
    mut index: semantic::index::Index,
    outcomes: &mut [(PathBuf, Outcome)],
    langs: &HashMap<&Path, Lang>,
    settings: &Settings,
    rules: &[&'static Rule],
    prefilter: &Prefilter,
    project: &project::Project,
    resolve: &semantic::index::SpecifierResolver,
    holds: &dyn Fn(&Path, &[Condition]) -> bool,
) -> semantic::index::Index {
    let only: Vec<&'static Rule> = rules
        .iter()
        .copied()
        .filter(|r| r.id == rules::query_in_loop::RULE.id)
        .collect();
    let unparsed: HashMap<PathBuf, usize> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, (_, o))| matches!(o, Outcome::Linted(l) if !l.parsed))
        .map(|(i, (p, _))| (source::absolute(p), i))
        .collect();
    let is_type = |c: &Condition| matches!(c, Condition::TypedReceiver { .. });
    for _ in 0..TYPE_ROUNDS {
        let pending: Vec<(PathBuf, Vec<Condition>)> = outcomes
            .iter()
            .filter_map(|(path, o)| match o {
                Outcome::Linted(l) => Some((path, l)),
                _ => None,
            })
            .flat_map(|(path, l)| {
                l.pending
                    .iter()
                    .filter(|p| p.conditions.iter().any(is_type))
                    .map(move |p| (source::absolute(path), p.conditions.clone()))
            })
            .collect();
        let mut receivers = index.typed_receivers();
        receivers.extend(pending.iter().map(|(p, c)| (p.as_path(), c.as_slice())));
        let gaps = index.receiver_gaps(receivers.into_iter(), resolve);
        let wanted: Vec<usize> = gaps
            .iter()
            .flat_map(|(importer, specifier)| {
                project.resolve_with(importer, specifier, &|p: &Path| unparsed.contains_key(p))
            })
            .filter_map(|p| unparsed.get(&p).copied())
            .filter(|i| matches!(&outcomes[*i].1, Outcome::Linted(l) if !l.parsed))
            .collect::<std::collections::BTreeSet<usize>>()
            .into_iter()
            .collect();
        if wanted.is_empty() {
            break;
        }
        for i in wanted {
            let (path, outcome) = &mut outcomes[i];
            let Some(lang) = langs.get(path.as_path()).copied() else {
                continue;
            };
            let again = isolated(|| {
                lint_file(
                    path,
                    lang,
                    settings,
                    &only,
                    prefilter,
                    project,
                    false,
                    Pass::Facts,
                )
            });
            if matches!(&again, Outcome::Linted(l) if l.parsed) {
                *outcome = again;
            }
        }
        let mut files = index.into_files();
        take_facts(outcomes, &mut files);
        index = semantic::index::Index::build(files, resolve, holds);
    }
    index
}

/// Moves the facts of the files parsed since the last call into `files`.
fn take_facts(
    outcomes: &mut [(PathBuf, Outcome)],
    files: &mut Vec<(PathBuf, semantic::facts::FileFacts)>,
) {
    for (path, outcome) in outcomes {
        if let Outcome::Linted(linted) = outcome {
            if let Some(facts) = linted.facts.take().filter(|f| !f.is_empty()) {
                files.push((source::absolute(path), facts));
            }
        }
    }
}

/// Settles a call in a loop with the project index: the diagnostic, its message naming the
/// query the call leads to and its help showing the chain; `None` when the callee sends no
/// query that depends on the element (or writes are turned off).
fn describe_calls(
    mut pending: analysis::Pending,
    path: &Path,
    index: &semantic::index::Index,
    resolve: &semantic::index::SpecifierResolver,
    settings: &Settings,
) -> Option<analysis::Pending> {
    let Some((target, element_args, same_tick)) = pending.conditions.iter().find_map(|c| match c {
        Condition::Calls {
            target,
            element_args,
            same_tick,
        } => Some((target, *element_args, *same_tick)),
        _ => None,
    }) else {
        return Some(pending);
    };
    let chain = index.per_element_query(&source::absolute(path), target, element_args, resolve)?;
    let operation = chain.query.rsplit('.').next().unwrap_or("");
    if same_tick && rules::query_in_loop::is_batched_by_prisma(operation) {
        return None;
    }
    let at = |p: &Path, line: u32| format!("{}:{line}", display_path(p, &settings.cwd));
    let verb = if chain.is_write { "writes" } else { "runs" };
    let query = format!(
        "{verb} `{}` ({})",
        chain.query,
        at(&chain.query_path, chain.query_line)
    );
    let mut route = String::new();
    for (i, step) in chain.steps.iter().enumerate() {
        if i > 0 {
            route.push_str(if i == 1 { " calls " } else { ", which calls " });
        }
        route.push_str(&format!("`{}` ({})", step.name, at(&step.path, step.line)));
    }
    let advice = if chain.is_write {
        "send the writes for all elements together (one `createMany`/`insert(rows)`, one update with `in: ids`, or a batch)"
    } else {
        "give it every element at once (one query with `in: ids`, or a DataLoader) and look the rows up in a `Map`"
    };
    let help = format!(
        "{route}{}sends one `{}` per call: {advice}",
        if chain.steps.len() > 1 {
            ", which "
        } else {
            " "
        },
        chain.query
    );
    let d = &mut pending.diagnostic;
    d.message = d.message.replace(analysis::QUERY_PLACEHOLDER, &query);
    if let Some(h) = &mut d.help {
        *h = h.replace(analysis::CHAIN_PLACEHOLDER, &help);
    }
    // The query is a fallback that runs for some calls only: how often is not known.
    if chain.guarded {
        d.confidence = diagnostic::Confidence::Medium;
    }
    if chain.is_write {
        d.severity = Some(rules::query_in_loop::write_severity(
            settings.config_of(path),
        )?);
    }
    Some(pending)
}

/// How many entry points a finding lists (nearest first).
const ENTRY_POINTS_SHOWN: usize = 16;

/// Records where a query finding runs (the entry points that reach it through the call graph);
/// an N+1 that only scripts and admin tools reach (tests aside) is medium: it costs a slower run
/// of a command, not a slower request.
/// A field resolver's N+1 is high only where some GraphQL schema of the project returns its
/// parent type in a list (`() => [UserAction]`, `actions: [UserAction!]!`): a type that only
/// ever comes one at a time (`userAction(where: { id })`) resolves its fields once per request
/// (amplication's `UserAction.user`). Only in walked runs, where every module was read; and
/// only when the project declares some list type at all (else there is nothing to go by).
fn describe_parent_lists(
    mut pending: analysis::Pending,
    project: &project::Project,
    settings: &Settings,
) -> analysis::Pending {
    let d = &mut pending.diagnostic;
    if let Some(parent) = d.parent_type.as_deref() {
        let listed = project.modules.is_listed_type(parent);
        if settings.walked && listed == Some(false) && d.confidence == diagnostic::Confidence::High
        {
            d.confidence = diagnostic::Confidence::Medium;
            d.help = Some(format!(
                "{}; no query or field of the project's GraphQL schema returns a list of `{parent}`, so it may only run once per request",
                d.help.as_deref().unwrap_or("")
            ));
        }
    }
    pending
}

fn describe_reach(
    mut pending: analysis::Pending,
    path: &Path,
    index: &semantic::index::Index,
    resolve: &semantic::index::SpecifierResolver,
    settings: &Settings,
) -> analysis::Pending {
    let d = &mut pending.diagnostic;
    if !says_where_it_runs(d.rule) {
        return pending;
    }
    let reached = index.reached_from(&source::absolute(path), d.span.start, resolve);
    // A finding whose tier rests on where it runs: high once a request (not an admin tool's), a
    // resolver or a job is seen to reach it, medium when nothing that runs for users or on a
    // schedule is. Only when
    // the run walked folders: a run over named files (pre-commit) does not look for callers, so
    // there the finding keeps the rule's tier.
    if d.high_where_it_runs && settings.walked {
        let runs = reached.entries.iter().any(|r| match r.kind {
            analysis::entry::EntryKind::Request => !analysis::entry::is_admin(&r.path, &r.name),
            analysis::entry::EntryKind::Resolver | analysis::entry::EntryKind::Job => true,
            _ => false,
        });
        if !runs {
            d.confidence = diagnostic::Confidence::Medium;
        }
    }
    if reached.entries.is_empty() {
        return pending;
    }
    // Tests say nothing either way: a function only tests are seen to call is most likely
    // called by production code through a path leaklint does not follow.
    let production: Vec<&semantic::index::Reach> = reached
        .entries
        .iter()
        .filter(|r| r.kind != analysis::entry::EntryKind::Test)
        .collect();
    let off_request = |r: &&semantic::index::Reach| {
        r.kind == analysis::entry::EntryKind::Script || analysis::entry::is_admin(&r.path, &r.name)
    };
    let only = |pred: &dyn Fn(&&semantic::index::Reach) -> bool| {
        reached.complete && !production.is_empty() && production.iter().all(pred)
    };
    // An N+1 off the request path slows a command, an admin page or a scheduled job (a daily
    // sweep over every organisation: read on comp and linen, six such findings at high, none
    // real); any query finding that only scripts reach (a command-line tool run by hand, a
    // migration) is what a file in `scripts/` is, and those are not checked at all. The other
    // rules keep their tier in jobs: a job that loads a whole table runs out of memory too.
    let script = |r: &&semantic::index::Reach| r.kind == analysis::entry::EntryKind::Script;
    let off_request_or_job =
        |r: &&semantic::index::Reach| off_request(r) || r.kind == analysis::entry::EntryKind::Job;
    if (d.rule == rules::query_in_loop::RULE.id && only(&off_request_or_job)) || only(&script) {
        d.confidence = diagnostic::Confidence::Medium;
    }
    d.reached_from = reached
        .entries
        .iter()
        .take(ENTRY_POINTS_SHOWN)
        .map(|r| diagnostic::EntryPoint {
            kind: r.kind.as_str(),
            name: if r.name.is_empty() {
                display_path(&r.path, &settings.cwd)
            } else {
                r.name.clone()
            },
            path: display_path(&r.path, &settings.cwd),
            line: r.line,
        })
        .collect();
    pending
}

/// Puts the size of the bulk data a diagnostic waited on into its message.
fn describe_data(
    pending: analysis::Pending,
    path: &Path,
    project: &project::Project,
) -> Diagnostic {
    let mut diagnostic = pending.diagnostic;
    for condition in &pending.conditions {
        if let Condition::BulkData { specifier, .. } = condition {
            if let Some(data) = project.modules.data(project, path, specifier) {
                diagnostic.message = diagnostic
                    .message
                    .replace(analysis::DATA_PLACEHOLDER, &data.describe());
            }
        }
    }
    diagnostic
}

/// The import graph of a run's files, built at its first use.
struct LazyImporters<'a> {
    paths: &'a [PathBuf],
    cell: &'a std::cell::OnceCell<semantic::importers::Importers>,
}

impl LazyImporters<'_> {
    fn get(&self) -> &semantic::importers::Importers {
        self.cell
            .get_or_init(|| semantic::importers::Importers::build(self.paths))
    }
}

/// Settles [`Condition::RenderedOnServer`]: names the route module that renders the file on the
/// server (found up the project's imports), or makes the finding medium when none is seen.
fn describe_rendering(
    mut diagnostic: Diagnostic,
    path: &Path,
    project: &project::Project,
    importers: &LazyImporters,
    settings: &Settings,
) -> Diagnostic {
    if !diagnostic.message.contains(analysis::RENDER_PLACEHOLDER) {
        return diagnostic;
    }
    let Some(framework) = project.package_for(path).and_then(|p| p.ssr) else {
        return diagnostic;
    };
    let accept = |file: &Path| {
        let package = project.package_for(file)?;
        analysis::server::rendered_route(file, package)
    };
    let resolve = |importer: &Path, specifier: &str| project.resolve(importer, specifier);
    let packages: Vec<&str> = project
        .packages
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    let chain = importers.get().chain(path, &accept, &resolve, &packages);
    let name = framework.name();
    let text = match &chain {
        Some(chain) => {
            let entry = display_path(&chain.entry, &settings.cwd);
            let via = if chain.via.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = chain
                    .via
                    .iter()
                    .map(|p| format!("`{}`", display_path(p, &settings.cwd)))
                    .collect();
                format!(" through {}", names.join(", "))
            };
            diagnostic.reached_from = vec![diagnostic::EntryPoint {
                kind: analysis::entry::EntryKind::Request.as_str(),
                name: format!("{} `{entry}`", chain.what),
                path: entry.clone(),
                line: chain.line,
            }];
            format!(
                "`{entry}`, {}, imports it{via}, and {name} renders it on the server for every request",
                chain.what
            )
        }
        None => {
            diagnostic.confidence = diagnostic::Confidence::Medium;
            format!(
                "it belongs to a {name} app, which renders client components on the server too; no route was seen importing it"
            )
        }
    };
    diagnostic.message = diagnostic
        .message
        .replace(analysis::RENDER_PLACEHOLDER, &text);
    diagnostic
}

fn place(d: Diagnostic, path: &str, index: &LineIndex, config: &Config) -> Finding {
    let rule = rules::find(d.rule).expect("diagnostics come from registered rules");
    let severity = d.severity.unwrap_or(match config.level(rule) {
        Level::On(s) => s,
        Level::Off => rule.severity,
    });
    let locate = |span: &ByteSpan| Located {
        bytes: span.clone(),
        start: index.line_col(span.start),
        end: index.line_col(span.end),
    };
    Finding {
        path: path.to_string(),
        rule,
        severity,
        span: locate(&d.span),
        labels: d
            .labels
            .iter()
            .map(|l| (l.message.clone(), locate(&l.span)))
            .collect(),
        fix: d.fix.map(|f| {
            let spans = f.edits.iter().map(|e| locate(&e.span)).collect();
            (f, spans)
        }),
        severity_from_rule: d.severity.is_some(),
        confidence: d.confidence,
        reached_from: d.reached_from,
        message: d.message,
        help: d.help,
    }
}

/// Which pass over the files a parse belongs to.
#[derive(Clone, Copy)]
enum Pass<'a> {
    /// Every file, with every rule the prefilter admits.
    First,
    /// Files the first pass did not parse that call one of these names (and loop).
    Callers(&'a AhoCorasick),
    /// Files a typed receiver's class lives in: parsed for their facts only.
    Facts,
    /// Files that call one of these names, which the search for where findings run stopped
    /// at: parsed for their facts only.
    Entries(&'a AhoCorasick),
}

#[allow(clippy::too_many_arguments)]
fn lint_file(
    path: &Path,
    lang: Lang,
    settings: &Settings,
    rules: &[&'static Rule],
    prefilter: &Prefilter,
    project: &project::Project,
    suppressions_on: bool,
    pass: Pass,
) -> Outcome {
    // Lets the tests check that a panic in one file's analysis is contained (debug builds only).
    #[cfg(debug_assertions)]
    if let Some(name) = std::env::var_os("LEAKLINT_TEST_PANIC_IN") {
        if path.file_name() == Some(name.as_os_str()) {
            panic!("injected panic for {}", path.display());
        }
    }
    let config = settings.config_of(path);
    let project = settings.file_projects.get(path).map_or(project, |p| &**p);
    let max = config.max_file_size;
    let bytes = if let Some(text) = settings.unsaved_text(path) {
        text.as_bytes().to_vec()
    } else {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => return Outcome::Skipped(SkipReason::NotRegular),
            Ok(meta) if meta.len() > max => return Outcome::Skipped(SkipReason::TooLarge),
            Ok(_) => {}
            Err(e) => return Outcome::Error(discover::io_message(&e)),
        }
        // Capped: the file may have grown since its size was read.
        match source::read_capped(path, max) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Outcome::Skipped(SkipReason::TooLarge)
            }
            Err(e) => return Outcome::Error(discover::io_message(&e)),
        }
    };
    if bytes.len() as u64 > max {
        return Outcome::Skipped(SkipReason::TooLarge);
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
        return Outcome::Skipped(SkipReason::Binary);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Outcome::Error(format!("not valid UTF-8 (byte {at})"));
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if is_minified(&text) {
        return Outcome::Skipped(SkipReason::Minified);
    }
    let mut active = match pass {
        // A later round: parsed only when it calls a function that queries.
        Pass::Callers(names) if names.is_match(&text) && prefilter.loops(&text) => rules.to_vec(),
        Pass::Callers(_) | Pass::Facts | Pass::Entries(_) => Vec::new(),
        Pass::First => {
            project.modules.record(path, &text);
            prefilter.rules_for(&text, rules)
        }
    };
    let has_suppressions = suppressions_on && text.contains("leaklint-disable");
    // Barrels and other re-exporting modules link callers to the functions they re-export.
    let wants_facts = match pass {
        Pass::First => {
            prefilter.wants_facts(&text)
                || (prefilter.queries.is_some()
                    && text.contains("export")
                    && !project::modules::reexport_specifiers(&text).is_empty())
        }
        Pass::Callers(_) => false,
        Pass::Facts => true,
        Pass::Entries(names) => names.is_match(&text),
    };
    if active.is_empty() && !has_suppressions && !wants_facts {
        return Outcome::Linted(Box::new(Linted {
            text: None,
            parsed: false,
            syntax_errors: false,
            unparsed_sql: 0,
            too_deep: false,
            pending: Vec::new(),
            comments: Vec::new(),
            facts: None,
        }));
    }
    // A file parsed anyway is also searched for calls in loops.
    let per_element = rules
        .iter()
        .copied()
        .find(|r| r.id == rules::query_in_loop::RULE.id);
    if let Some(rule) = per_element {
        if !active.iter().any(|r| r.id == rule.id) && prefilter.loops(&text) {
            active.push(rule);
        }
    }
    active.retain(|r| r.check.is_some());
    let started = std::time::Instant::now();
    let Some(analysis) = analyze(path, &text, lang, config, project, &active) else {
        if started.elapsed().as_millis() >= u128::from(config.parse_timeout_ms) {
            return Outcome::Skipped(SkipReason::ParseTimeout);
        }
        return Outcome::Error("the parser gave up on this file".to_string());
    };
    if analysis.too_many_nodes {
        return Outcome::Skipped(SkipReason::TooManyNodes);
    }
    // Keep the text only where there is something to place or suppress; every other file's text
    // and tree are dropped here.
    let keep = !analysis.pending.is_empty() || has_suppressions;
    Outcome::Linted(Box::new(Linted {
        text: keep.then(|| Arc::from(text)),
        parsed: true,
        syntax_errors: analysis.syntax_errors,
        unparsed_sql: analysis.unparsed_sql,
        too_deep: analysis.too_deep,
        pending: analysis.pending,
        comments: analysis.comments,
        facts: Some(analysis.facts),
    }))
}

/// Minified or generated code: a very long line in a file whose lines are long on average.
fn is_minified(text: &str) -> bool {
    if text.len() < MINIFIED_LINE {
        return false;
    }
    let lines = || text.split(['\n', '\r']);
    let count = lines().count().max(1);
    let longest = lines().map(str::len).max().unwrap_or(0);
    longest > MINIFIED_LINE && text.len() / count > MINIFIED_AVERAGE
}

/// `path` relative to `cwd` when under it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = absolute
        .strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    let text = shown.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").map(str::to_string).unwrap_or(text);
    escape_controls(&text)
}

/// A name as every output format shows it: bytes that are not UTF-8 are U+FFFD (`to_string_lossy`),
/// control characters are escaped as Rust writes them (`\n`, `\u{1b}`), so a file name cannot
/// inject terminal escapes or break a one-line format.
fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

// The per-file driver: runs every rule's check in the one walk of a parsed file, beside the
// semantic collector, and settles what the file itself can answer. It sits above `analysis`,
// `semantic` and `rules`, which it ties together.

/// Everything one file's analysis produced.
pub struct FileAnalysis {
    pub pending: Vec<Pending>,
    /// Raw SQL statements that did not parse.
    pub unparsed_sql: usize,
    pub comments: Vec<ByteSpan>,
    pub syntax_errors: bool,
    /// Whether a helper stopped at [`analysis::syntax::MAX_NESTING`]: part of the file was not judged.
    pub too_deep: bool,
    /// The tree had more nodes than `max-nodes`: nothing was analysed.
    pub too_many_nodes: bool,
    /// What the file's functions do, for the project index.
    pub facts: semantic::facts::FileFacts,
}

/// Parses and analyses one file with the given rules.
pub fn analyze(
    path: &Path,
    text: &str,
    lang: Lang,
    config: &Config,
    project: &Project,
    rules: &[&Rule],
) -> Option<FileAnalysis> {
    let tree = analysis::parse(text, lang)?;
    analysis::syntax::take_too_deep();
    // Counted in the tree's summary, without a walk.
    if tree.root_node().descendant_count() as u64 > config.max_nodes {
        return Some(FileAnalysis {
            pending: Vec::new(),
            unparsed_sql: 0,
            comments: Vec::new(),
            syntax_errors: false,
            too_deep: false,
            too_many_nodes: true,
            facts: Default::default(),
        });
    }
    analysis::use_grammar(lang);
    let mut node_checks = Vec::new();
    let mut file_checks = Vec::new();
    for rule in rules {
        match rule.check {
            Check::Node(check) => node_checks.push(check),
            Check::Stateful(make) => file_checks.push(make()),
            Check::None => {}
        }
    }
    let mut analyzer = Analyzer {
        collector: semantic::facts::Collector::new(text),
        cx: FileCx {
            path,
            project,
            schema: project.schema_for(path),
            dependencies: project.dependencies_of(path),
            is_test: source::is_test_file(path),
            is_script: (source::is_script_file(path) && !source::declares_request_handlers(text))
                || source::is_script_source_at(path, text),
            src: text,
            config,
            ancestors: Vec::new(),
            frames: Vec::new(),
            imports: HashMap::new(),
            literal_consts: HashSet::new(),
            local_clients: HashSet::new(),
            comments: Vec::new(),
            declarations: HashMap::new(),
            text_index: Default::default(),
            entities: Default::default(),
        },
        node_checks,
        file_checks,
        sink: Sink::default(),
    };
    analysis::walk::walk(&tree, &mut analyzer);
    let Analyzer {
        cx,
        mut sink,
        mut file_checks,
        collector,
        ..
    } = analyzer;
    for check in &mut file_checks {
        check.finish(&cx, &mut sink);
    }
    let mut facts = collector.finish();
    facts.file_kind = if cx.is_test {
        Some(analysis::entry::EntryKind::Test)
    } else if cx.is_script {
        Some(analysis::entry::EntryKind::Script)
    } else {
        None
    };
    // Calls into npm packages cannot lead to this project's queries.
    facts.module_calls.retain(|c| may_be_local(&c.target, &cx));
    for function in &mut facts.functions {
        function.calls.retain(|c| may_be_local(&c.target, &cx));
        function.queries.retain_mut(|q| {
            match resolve_conditions(std::mem::take(&mut q.conditions), &cx) {
                Some(conditions) => {
                    q.conditions = conditions;
                    true
                }
                None => false,
            }
        });
    }
    let pending = sink
        .pending
        .into_iter()
        .filter_map(|p| resolve_local(p, &cx, &facts))
        .collect();
    Some(FileAnalysis {
        pending,
        unparsed_sql: sink.unparsed_sql,
        comments: cx.comments,
        syntax_errors: tree.root_node().has_error(),
        too_deep: analysis::syntax::take_too_deep(),
        too_many_nodes: false,
        facts,
    })
}

/// Settles the conditions this file can answer; drops the diagnostic when one fails.
fn resolve_local(
    mut pending: Pending,
    cx: &FileCx,
    facts: &semantic::facts::FileFacts,
) -> Option<Pending> {
    let mut conditions = resolve_conditions(std::mem::take(&mut pending.conditions), cx)?;
    for condition in &mut conditions {
        if let Condition::CallSite {
            site,
            element_args,
            same_tick,
        } = *condition
        {
            let call = facts.call_at(site)?;
            *condition = Condition::Calls {
                target: call.target.clone(),
                element_args,
                same_tick,
            };
        }
    }
    pending.conditions = conditions;
    Some(pending)
}

/// Whether a call target may be code of this project: not a function of an npm package.
fn may_be_local(target: &analysis::refs::Target, cx: &FileCx) -> bool {
    use analysis::refs::Entity;
    let mut base = &target.base;
    loop {
        match base {
            Entity::Instance(inner) | Entity::Returned(inner) => base = inner,
            Entity::Import(from) => return cx.project.may_be_local(cx.path, &from.specifier),
            _ => return true,
        }
    }
}

/// Settles the conditions this file can answer: `None` when one fails.
fn resolve_conditions(conditions: Vec<Condition>, cx: &FileCx) -> Option<Vec<Condition>> {
    let mut remaining = Vec::new();
    for condition in conditions {
        match condition {
            Condition::NotLiteral(name) => {
                // A literal filled later (`ROLES.push(...)`, a worklist's `stack.unshift(...)`)
                // is not fixed in the source.
                let grows = [".push(", ".unshift(", ".splice("]
                    .iter()
                    .any(|m| cx.names("", &name, m));
                if cx.literal_consts.contains(&name) && !grows {
                    return None;
                }
            }
            Condition::ImportedClient(name) => {
                if cx.local_clients.contains(&name) {
                    continue;
                }
                let specifier = cx.imports.get(&name)?;
                remaining.push(Condition::ClientModule(specifier.clone()));
            }
            other => remaining.push(other),
        }
    }
    Some(remaining)
}

struct Analyzer<'t> {
    cx: FileCx<'t>,
    collector: semantic::facts::Collector<'t>,
    node_checks: Vec<fn(Node, &FileCx, &mut Sink)>,
    file_checks: Vec<Box<dyn FileCheck>>,
    sink: Sink,
}

impl<'t> analysis::walk::Visitor<'t> for Analyzer<'t> {
    fn ancestors(&mut self) -> &mut Vec<Node<'t>> {
        &mut self.cx.ancestors
    }

    fn enter(&mut self, node: Node<'t>, field: Option<&'static str>) {
        if let Some(frame) = analysis::syntax::frame_for(node, field, &self.cx) {
            self.cx.frames.push(frame);
        }
        analysis::syntax::collect_facts(node, &mut self.cx);
        self.collector.enter(node, field, &self.cx);
        for check in &self.node_checks {
            check(node, &self.cx, &mut self.sink);
        }
        for check in &mut self.file_checks {
            check.enter(node, &self.cx, &mut self.sink);
        }
    }

    fn leave(&mut self, node: Node<'t>) {
        self.collector.leave(node);
        if self.cx.frames.last().is_some_and(|f| f.id() == node.id()) {
            self.cx.frames.pop();
        }
    }
}
