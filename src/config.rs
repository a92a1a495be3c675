//! `leaklint.toml`: discovery, parsing and validation. Errors point at the offending span.
//!
//! Config sits below the rule registry: it defines what it needs to know of a rule
//! ([`RuleSpec`], [`RuleOption`]) and validates `[rules]` tables against the [`KnownRules`] its
//! caller passes in (`rules::Registry`).

use crate::diagnostic::Severity;
use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::{NamedSource, SourceSpan};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml_edit::{Document, Item, Value};

/// The type of a rule option's value in `leaklint.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// `"error" | "warning" | "info" | "off"`
    Severity,
    /// An integer of at least `min` (a page size, a byte count, a `take`).
    Integer {
        min: i64,
    },
    Bool,
    String,
    StringList,
}

impl OptionKind {
    pub fn describe(self) -> &'static str {
        match self {
            OptionKind::Severity => "one of \"error\", \"warning\", \"info\", \"off\"",
            OptionKind::Integer { .. } => "an integer",
            OptionKind::Bool => "true or false",
            OptionKind::String => "a string",
            OptionKind::StringList => "an array of strings",
        }
    }
}

/// One option a rule accepts beside `severity`.
#[derive(Debug)]
pub struct RuleOption {
    pub name: &'static str,
    pub kind: OptionKind,
    pub default: &'static str,
    pub description: &'static str,
}

/// What config validation and [`Config::level`] read of a rule.
pub trait RuleSpec {
    fn id(&self) -> &'static str;
    /// The level the rule has when no config sets one.
    fn severity(&self) -> Severity;
    fn options(&self) -> &'static [RuleOption];
}

impl<T: RuleSpec + ?Sized> RuleSpec for &T {
    fn id(&self) -> &'static str {
        (**self).id()
    }
    fn severity(&self) -> Severity {
        (**self).severity()
    }
    fn options(&self) -> &'static [RuleOption] {
        (**self).options()
    }
}

/// The rules a config may name: the rule registry, which sits above this module.
pub trait KnownRules {
    /// The rule with this id.
    fn find(&self, id: &str) -> Option<&'static dyn RuleSpec>;
    /// The known rule id closest to a misspelt one, when one is close enough to suggest.
    fn did_you_mean(&self, id: &str) -> Option<&'static str>;
}

/// The config file name looked for in the linted folder and its parents.
pub const FILE_NAME: &str = "leaklint.toml";
/// Default size above which a file is skipped unread.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;
/// Default time one file's parse may take: tree-sitter can take minutes on some small malformed
/// inputs, and a real file of 1 MiB parses in well under a second.
pub const DEFAULT_PARSE_TIMEOUT_MS: u64 = 5000;
/// Default number of syntax nodes above which a parsed file is skipped, not analysed: a dense
/// file of 1 MiB (the default size cap) has about a million.
pub const DEFAULT_MAX_NODES: u64 = 2_000_000;
/// Identifiers that hold a Prisma client in most codebases.
pub const DEFAULT_PRISMA_CLIENTS: &[&str] = &["prisma", "db"];

/// A rule's configured level: off, or on at a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        if s == "off" {
            Some(Level::Off)
        } else {
            Severity::parse(s).map(Level::On)
        }
    }
}

/// A rule option's value.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    Level(Level),
    Integer(i64),
    Bool(bool),
    String(String),
    StringList(Vec<String>),
}

/// What the config says about one rule.
#[derive(Debug, Clone, Default)]
pub struct RuleConfig {
    pub level: Option<Level>,
    pub options: HashMap<&'static str, OptionValue>,
}

/// The thresholds that turn numbers into judgements (`[stats]` in the config; the project's statistics module applies them). The defaults, and
/// why (rows of about a kilobyte, which Prisma's objects make three to five times larger in the
/// heap):
/// - `few-children = 100`: a relation whose largest parent has at most 100 children loads about
///   one page per parent: bounded. Where the server keeps no per-value frequencies (SQLite,
///   MySQL), the average is compared instead.
/// - `many-children = 100`: a relation whose parents have 100 or more children on average grows
///   with use (seed 004's nodes had about a thousand observations each).
/// - `small-table = 1000`: a table of fewer rows read whole costs about a megabyte: a catalog.
/// - `large-table = 10000`: a table of this many rows read whole costs tens of megabytes of heap
///   per call, and grows.
/// - `max-age-days = 30`: older statistics are used, with a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsSettings {
    /// `file`: where the statistics are read from (anchored at the config's folder); the
    /// default is `.leaklint/stats.json` at the project root.
    pub file: Option<PathBuf>,
    pub few_children: f64,
    pub many_children: f64,
    pub small_table: f64,
    pub large_table: f64,
    pub max_age_days: u64,
}

impl Default for StatsSettings {
    fn default() -> Self {
        StatsSettings {
            file: None,
            few_children: 100.0,
            many_children: 100.0,
            small_table: 1000.0,
            large_table: 10_000.0,
            max_age_days: 30,
        }
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, if any: the nearest `leaklint.toml`.
    pub path: Option<PathBuf>,
    /// Every file that went into it, outermost first (nested configs layer on their parents).
    pub files: Vec<PathBuf>,
    /// The folder of the nearest config file.
    pub root: PathBuf,
    /// `root = true`: parent folders' configs are not layered under this one.
    pub is_root: bool,
    /// `exclude` patterns of each config file, relative to its folder.
    pub excludes: Vec<Exclude>,
    /// `[[overrides]]`, outermost config's first.
    pub overrides: Vec<Override>,
    pub max_file_size: u64,
    /// How long one file's parse may take (`parse-timeout-ms`) before the file is skipped.
    pub parse_timeout_ms: u64,
    /// How many syntax nodes a file may have (`max-nodes`) before it is skipped unanalysed.
    pub max_nodes: u64,
    /// The lowest confidence reported (`confidence`); `--confidence` overrides it.
    pub confidence: crate::diagnostic::Confidence,
    pub rules: HashMap<&'static str, RuleConfig>,
    pub prisma_clients: Vec<String>,
    pub prisma_schema: Option<String>,
    /// Models whose rows accrue over time (`[prisma] growing`), by model name.
    pub prisma_growing: Vec<String>,
    /// Models that stay small (`[prisma] bounded`), by model name.
    pub prisma_bounded: Vec<String>,
    /// `[stats]`: the statistics file and its thresholds.
    pub stats: StatsSettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            files: Vec::new(),
            root: PathBuf::from("."),
            is_root: false,
            excludes: Vec::new(),
            overrides: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            parse_timeout_ms: DEFAULT_PARSE_TIMEOUT_MS,
            max_nodes: DEFAULT_MAX_NODES,
            confidence: crate::diagnostic::Confidence::High,
            rules: HashMap::new(),
            prisma_clients: DEFAULT_PRISMA_CLIENTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            prisma_schema: None,
            prisma_growing: Vec::new(),
            prisma_bounded: Vec::new(),
            stats: StatsSettings::default(),
        }
    }
}

impl Config {
    /// The configured level of a rule, or its default.
    pub fn level(&self, rule: &impl RuleSpec) -> Level {
        self.rules
            .get(rule.id())
            .and_then(|r| r.level)
            .unwrap_or(Level::On(rule.severity()))
    }

    /// A rule option's configured value, if set.
    pub fn option(&self, rule: &str, name: &str) -> Option<&OptionValue> {
        self.rules.get(rule)?.options.get(name)
    }

    /// Whether `path` matches an `exclude` pattern (relative to the folder of the config that
    /// set it).
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.excludes
            .iter()
            .any(|e| e.set.is_match(relative_to(path, &e.root)))
    }

    /// This configuration with the `[[overrides]]` that match `file` applied, and no overrides
    /// left; also returns which overrides matched (by index), so files can be grouped by it.
    pub fn for_file(&self, file: &Path) -> (Config, Vec<usize>) {
        let mut config = self.clone();
        config.overrides = Vec::new();
        let mut matched = Vec::new();
        for (i, o) in self.overrides.iter().enumerate() {
            if o.files.is_match(relative_to(file, &o.root)) {
                matched.push(i);
                merge_rules(&mut config.rules, &o.rules);
            }
        }
        (config, matched)
    }
}

/// Glob patterns as written, shared: a config is cloned for every file, and an `exclude` list
/// may hold hundreds of thousands of patterns.
#[derive(Debug, Clone, Default)]
pub struct Patterns(Arc<Vec<String>>);

impl std::ops::Deref for Patterns {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Patterns {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The `exclude` list of one config file. Cheap to clone: the compiled set (one `GlobSet` for
/// the whole list, built once) and the patterns are shared.
#[derive(Debug, Clone)]
pub struct Exclude {
    /// The folder of the config file: patterns are relative to it.
    pub root: PathBuf,
    pub patterns: Patterns,
    pub set: Arc<GlobSet>,
}

/// One `[[overrides]]` entry: rule settings for the files its globs match.
#[derive(Debug, Clone)]
pub struct Override {
    /// The folder of the config that holds it: `files` globs are relative to it.
    pub root: PathBuf,
    pub patterns: Patterns,
    pub files: Arc<GlobSet>,
    pub rules: HashMap<&'static str, RuleConfig>,
}

/// `path` relative to `root` (both made absolute), for matching globs.
fn relative_to<'a>(path: &'a Path, root: &Path) -> std::borrow::Cow<'a, Path> {
    let stripped = path.strip_prefix("./").unwrap_or(path);
    if let Ok(rel) = stripped.strip_prefix(root) {
        return std::borrow::Cow::Borrowed(rel);
    }
    let (Ok(abs_path), Ok(abs_root)) = (std::path::absolute(path), std::path::absolute(root))
    else {
        return std::borrow::Cow::Borrowed(stripped);
    };
    match abs_path.strip_prefix(&abs_root) {
        Ok(rel) => std::borrow::Cow::Owned(rel.to_path_buf()),
        Err(_) => std::borrow::Cow::Borrowed(stripped),
    }
}

/// Layers `over` onto `base`: a severity replaces the inherited one, options are added.
fn merge_rules(
    base: &mut HashMap<&'static str, RuleConfig>,
    over: &HashMap<&'static str, RuleConfig>,
) {
    for (id, rule) in over {
        let entry = base.entry(id).or_default();
        if rule.level.is_some() {
            entry.level = rule.level;
        }
        for (name, value) in &rule.options {
            entry.options.insert(name, value.clone());
        }
    }
}

/// A configuration error, rendered by miette with the offending span.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub src: Option<NamedSource<String>>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl ConfigError {
    /// The config file's path as shown, and a one-line message with the line, column and help.
    pub fn describe(&self) -> (String, String) {
        let Some(src) = &self.src else {
            return (String::new(), self.message.clone());
        };
        let mut message = self.message.clone();
        if let Some(span) = self.span {
            let before = &src.inner()[..span.offset().min(src.inner().len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            message.push_str(&format!(" (line {line}, column {column})"));
        }
        if let Some(help) = &self.help {
            message.push_str(&format!(": {help}"));
        }
        (src.name().to_string(), message)
    }
}

/// Finds `leaklint.toml` in `start` or the closest parent folder that has one.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start.to_path_buf()
    };
    let absolute = std::path::absolute(&start).unwrap_or(start);
    absolute
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Whether the config file at `path` says `root = true`, read without building its globs (the
/// search for the configs above a file asks this of each; a file that does not parse says no,
/// and its error comes when it is loaded).
pub fn says_root(path: &Path) -> bool {
    let Ok(text) = crate::source::read_text(path) else {
        return false;
    };
    Document::parse(text)
        .ok()
        .and_then(|doc| doc.as_table().get("root").and_then(Item::as_bool))
        .unwrap_or(false)
}

/// Reads and validates a config file; `name` is how reports show its path.
pub fn load(path: &Path, name: &str, known: &dyn KnownRules) -> Result<Config, Box<ConfigError>> {
    load_onto(Config::default(), path, name, known)
}

/// Reads a config file and layers it onto `base` (the configs of the folders above it).
pub fn load_onto(
    base: Config,
    path: &Path,
    name: &str,
    known: &dyn KnownRules,
) -> Result<Config, Box<ConfigError>> {
    let text = crate::source::read_text(path).map_err(|e| {
        Box::new(ConfigError {
            message: format!("cannot read {name}: {e}"),
            src: None,
            span: None,
            label: String::new(),
            help: None,
        })
    })?;
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    parse_onto(base, &text, name, root, known).map(|mut c| {
        c.path = Some(path.to_path_buf());
        c.files.push(path.to_path_buf());
        c
    })
}

/// Parses config text; `name` is shown in error reports, `root` anchors `exclude` patterns.
pub fn parse(
    text: &str,
    name: &str,
    root: PathBuf,
    known: &dyn KnownRules,
) -> Result<Config, Box<ConfigError>> {
    parse_onto(Config::default(), text, name, root, known)
}

/// Parses config text onto `base`: what the text sets replaces or adds to what `base` has.
pub fn parse_onto(
    base: Config,
    text: &str,
    name: &str,
    root: PathBuf,
    known: &dyn KnownRules,
) -> Result<Config, Box<ConfigError>> {
    let error = |message: String,
                 span: Option<std::ops::Range<usize>>,
                 label: &str,
                 help: Option<String>| {
        Box::new(ConfigError {
            message,
            src: Some(NamedSource::new(name, text.to_string())),
            span: span.map(|s| SourceSpan::from(s.start..s.end.max(s.start))),
            label: label.to_string(),
            help,
        })
    };
    let doc = Document::parse(text.to_string()).map_err(|e| {
        error(
            format!("invalid TOML in {name}"),
            e.span(),
            e.message().trim(),
            None,
        )
    })?;
    let mut config = Config {
        root: root.clone(),
        is_root: false,
        ..base
    };
    for (key, item) in doc.as_table().iter() {
        let key_span = doc.as_table().key(key).and_then(|k| k.span());
        match key {
            "exclude" => {
                let patterns = string_list(item).ok_or_else(|| {
                    error(
                        "`exclude` must be an array of glob patterns".into(),
                        item.span(),
                        "expected an array of strings",
                        Some("exclude = [\"scripts/**\", \"**/*.generated.ts\"]".into()),
                    )
                })?;
                let mut builder = GlobSetBuilder::new();
                for pattern in &patterns {
                    let glob = Glob::new(pattern).map_err(|e| {
                        error(
                            format!("invalid glob pattern `{pattern}`"),
                            item.span(),
                            &e.kind().to_string(),
                            None,
                        )
                    })?;
                    builder.add(glob);
                }
                let set = builder
                    .build()
                    .map_err(|e| error(e.to_string(), item.span(), "in these patterns", None))?;
                config.excludes.push(Exclude {
                    root: root.clone(),
                    patterns: Patterns(Arc::new(patterns)),
                    set: Arc::new(set),
                });
            }
            "root" => {
                config.is_root = item.as_bool().ok_or_else(|| {
                    error(
                        "`root` must be true or false".into(),
                        item.span(),
                        "expected a boolean",
                        Some("root = true  # do not layer the configs of parent folders".into()),
                    )
                })?;
            }
            "overrides" => {
                let Some(entries) = item.as_array_of_tables() else {
                    return Err(error(
                        "`overrides` must be an array of tables".into(),
                        item.span(),
                        "expected [[overrides]] entries",
                        Some("[[overrides]]\nfiles = [\"scripts/**\"]\n[overrides.rules]\nquery-in-loop = \"off\"".into()),
                    ));
                };
                for entry in entries.iter() {
                    config
                        .overrides
                        .push(parse_override(entry, &root, &error, known)?);
                }
            }
            "max-file-size" => {
                let size = item.as_integer().filter(|n| *n > 0).ok_or_else(|| {
                    error(
                        "`max-file-size` must be a positive number of bytes".into(),
                        item.span(),
                        "expected a positive integer",
                        Some("max-file-size = 2097152  # 2 MiB".into()),
                    )
                })?;
                config.max_file_size = size as u64;
            }
            "parse-timeout-ms" => {
                let ms = item.as_integer().filter(|n| *n > 0).ok_or_else(|| {
                    error(
                        "`parse-timeout-ms` must be a positive number of milliseconds".into(),
                        item.span(),
                        "expected a positive integer",
                        Some("parse-timeout-ms = 5000".into()),
                    )
                })?;
                config.parse_timeout_ms = ms as u64;
            }
            "max-nodes" => {
                let nodes = item.as_integer().filter(|n| *n > 0).ok_or_else(|| {
                    error(
                        "`max-nodes` must be a positive number of syntax nodes".into(),
                        item.span(),
                        "expected a positive integer",
                        Some("max-nodes = 2000000".into()),
                    )
                })?;
                config.max_nodes = nodes as u64;
            }
            "confidence" => {
                config.confidence = item
                    .as_str()
                    .and_then(crate::diagnostic::Confidence::parse)
                    .ok_or_else(|| {
                        error(
                            "`confidence` must be \"high\" or \"medium\"".into(),
                            item.span(),
                            "expected \"high\" or \"medium\"",
                            Some("confidence = \"medium\"  # also report findings that rest on a guess".into()),
                        )
                    })?;
            }
            "rules" => {
                let table = item.as_table_like().ok_or_else(|| {
                    error(
                        "`rules` must be a table".into(),
                        item.span(),
                        "expected a table",
                        None,
                    )
                })?;
                let parsed = parse_rules(table, name, &error, known)?;
                merge_rules(&mut config.rules, &parsed);
            }
            "prisma" => {
                let table = item.as_table_like().ok_or_else(|| {
                    error(
                        "`prisma` must be a table".into(),
                        item.span(),
                        "expected a table",
                        None,
                    )
                })?;
                for (k, v) in table.iter() {
                    let span = table.get_key_value(k).and_then(|(k, _)| k.span());
                    match k {
                        "clients" => {
                            let names = string_list(v).ok_or_else(|| {
                                error(
                                    "`prisma.clients` must be an array of identifiers".into(),
                                    v.span(),
                                    "expected an array of strings",
                                    Some("clients = [\"prisma\", \"db\", \"database\"]".into()),
                                )
                            })?;
                            for n in names {
                                if !config.prisma_clients.contains(&n) {
                                    config.prisma_clients.push(n);
                                }
                            }
                        }
                        "growing" | "bounded" => {
                            let names = string_list(v).ok_or_else(|| {
                                error(
                                    format!("`prisma.{k}` must be an array of model names"),
                                    v.span(),
                                    "expected an array of strings",
                                    Some(format!("{k} = [\"AuditLog\", \"PageView\"]")),
                                )
                            })?;
                            if k == "growing" {
                                config.prisma_growing = names;
                            } else {
                                config.prisma_bounded = names;
                            }
                        }
                        "schema" => {
                            let schema = v.as_str().ok_or_else(|| {
                                error(
                                    "`prisma.schema` must be a path".into(),
                                    v.span(),
                                    "expected a string",
                                    None,
                                )
                            })?;
                            // Anchored here, so that a nested config inheriting it keeps the path.
                            config.prisma_schema =
                                Some(root.join(schema).to_string_lossy().into_owned());
                        }
                        other => {
                            return Err(error(
                                format!("unknown key `{other}` in [prisma]"),
                                span,
                                "not a [prisma] setting",
                                Some(suggest(other, &["clients", "schema", "growing", "bounded"])),
                            ))
                        }
                    }
                }
            }
            "stats" => {
                let table = item.as_table_like().ok_or_else(|| {
                    error(
                        "`stats` must be a table".into(),
                        item.span(),
                        "expected a table",
                        None,
                    )
                })?;
                for (k, v) in table.iter() {
                    let span = table.get_key_value(k).and_then(|(k, _)| k.span());
                    match k {
                        "file" => {
                            let file = v.as_str().filter(|s| !s.is_empty()).ok_or_else(|| {
                                error(
                                    "`stats.file` must be a path".into(),
                                    v.span(),
                                    "expected a string",
                                    Some("file = \".leaklint/stats.json\"".into()),
                                )
                            })?;
                            // Anchored here, as `prisma.schema` is.
                            config.stats.file = Some(root.join(file));
                        }
                        "max-age-days" => {
                            let days = v.as_integer().filter(|n| *n > 0).ok_or_else(|| {
                                error(
                                    "`stats.max-age-days` must be a positive integer".into(),
                                    v.span(),
                                    "expected a number of days",
                                    Some("max-age-days = 30".into()),
                                )
                            })?;
                            config.stats.max_age_days = days as u64;
                        }
                        "few-children" | "many-children" | "small-table" | "large-table" => {
                            let n = v
                                .as_integer()
                                .map(|n| n as f64)
                                .or_else(|| v.as_float())
                                .filter(|n| *n > 0.0 && n.is_finite())
                                .ok_or_else(|| {
                                    error(
                                        format!("`stats.{k}` must be a positive number of rows"),
                                        v.span(),
                                        "expected a number",
                                        None,
                                    )
                                })?;
                            match k {
                                "few-children" => config.stats.few_children = n,
                                "many-children" => config.stats.many_children = n,
                                "small-table" => config.stats.small_table = n,
                                _ => config.stats.large_table = n,
                            }
                        }
                        other => {
                            return Err(error(
                                format!("unknown key `{other}` in [stats]"),
                                span,
                                "not a [stats] setting",
                                Some(suggest(
                                    other,
                                    &[
                                        "file",
                                        "max-age-days",
                                        "few-children",
                                        "many-children",
                                        "small-table",
                                        "large-table",
                                    ],
                                )),
                            ))
                        }
                    }
                }
                if config.stats.small_table > config.stats.large_table {
                    return Err(error(
                        "`stats.small-table` is larger than `stats.large-table`".into(),
                        item.span(),
                        "a table cannot be both small and large",
                        None,
                    ));
                }
            }
            other => {
                return Err(error(
                    format!("unknown key `{other}` in {name}"),
                    key_span,
                    "not a leaklint setting",
                    Some(suggest(
                        other,
                        &[
                            "root",
                            "exclude",
                            "max-file-size",
                            "parse-timeout-ms",
                            "max-nodes",
                            "confidence",
                            "rules",
                            "overrides",
                            "prisma",
                            "stats",
                        ],
                    )),
                ))
            }
        }
    }
    Ok(config)
}

/// The `[rules]` table of a config or an override.
fn parse_rules(
    table: &dyn toml_edit::TableLike,
    name: &str,
    error: &ErrorFn,
    known: &dyn KnownRules,
) -> Result<HashMap<&'static str, RuleConfig>, Box<ConfigError>> {
    let mut out = HashMap::new();
    for (rule_id, value) in table.iter() {
        let span = table.get_key_value(rule_id).and_then(|(k, _)| k.span());
        let Some(rule) = known.find(rule_id) else {
            let help = known
                .did_you_mean(rule_id)
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some("`leaklint rules` lists every rule".into()));
            return Err(error(
                format!("unknown rule `{rule_id}` in {name}"),
                span,
                "no rule has this id",
                help,
            ));
        };
        out.insert(rule.id(), rule_config(rule, value, error)?);
    }
    Ok(out)
}

/// One `[[overrides]]` table: `files` globs (required) and `[overrides.rules]`.
fn parse_override(
    table: &toml_edit::Table,
    root: &Path,
    error: &ErrorFn,
    known: &dyn KnownRules,
) -> Result<Override, Box<ConfigError>> {
    let mut patterns = None;
    let mut rules = HashMap::new();
    for (key, item) in table.iter() {
        let key_span = table.key(key).and_then(|k| k.span());
        match key {
            "files" => {
                let list = string_list(item).filter(|l| !l.is_empty()).ok_or_else(|| {
                    error(
                        "`overrides.files` must be a non-empty array of glob patterns".into(),
                        item.span(),
                        "expected an array of strings",
                        Some("files = [\"scripts/**\", \"**/*.test.ts\"]".into()),
                    )
                })?;
                patterns = Some((list, item.span()));
            }
            "rules" => {
                let t = item.as_table_like().ok_or_else(|| {
                    error(
                        "`overrides.rules` must be a table".into(),
                        item.span(),
                        "expected a table",
                        None,
                    )
                })?;
                rules = parse_rules(t, "[[overrides]]", error, known)?;
            }
            other => {
                return Err(error(
                    format!("unknown key `{other}` in [[overrides]]"),
                    key_span,
                    "not an override setting",
                    Some(suggest(other, &["files", "rules"])),
                ))
            }
        }
    }
    let Some((patterns, span)) = patterns else {
        return Err(error(
            "an [[overrides]] entry needs `files`".into(),
            table.span(),
            "this override applies to no file",
            Some("files = [\"scripts/**\"]".into()),
        ));
    };
    let mut builder = GlobSetBuilder::new();
    for pattern in &patterns {
        let glob = Glob::new(pattern).map_err(|e| {
            error(
                format!("invalid glob pattern `{pattern}`"),
                span.clone(),
                &e.kind().to_string(),
                None,
            )
        })?;
        builder.add(glob);
    }
    let files = builder
        .build()
        .map_err(|e| error(e.to_string(), span.clone(), "in these patterns", None))?;
    Ok(Override {
        root: root.to_path_buf(),
        patterns: Patterns(Arc::new(patterns)),
        files: Arc::new(files),
        rules,
    })
}

type ErrorFn<'a> =
    dyn Fn(String, Option<std::ops::Range<usize>>, &str, Option<String>) -> Box<ConfigError> + 'a;

fn rule_config(
    rule: &dyn RuleSpec,
    item: &Item,
    error: &ErrorFn,
) -> Result<RuleConfig, Box<ConfigError>> {
    let level_error = |span| {
        error(
            format!("invalid severity for `{}`", rule.id()),
            span,
            "expected \"error\", \"warning\", \"info\" or \"off\"",
            None,
        )
    };
    if let Some(s) = item.as_str() {
        let level = Level::parse(s).ok_or_else(|| level_error(item.span()))?;
        return Ok(RuleConfig {
            level: Some(level),
            options: HashMap::new(),
        });
    }
    let Some(table) = item.as_table_like() else {
        return Err(error(
            format!("invalid setting for `{}`", rule.id()),
            item.span(),
            "expected a severity string or a table of options",
            Some(format!(
                "{} = \"warning\"  or  {} = {{ severity = \"warning\" }}",
                rule.id(),
                rule.id()
            )),
        ));
    };
    let mut config = RuleConfig::default();
    for (key, value) in table.iter() {
        let key_span = table.get_key_value(key).and_then(|(k, _)| k.span());
        if key == "severity" {
            let level = value
                .as_str()
                .and_then(Level::parse)
                .ok_or_else(|| level_error(value.span()))?;
            config.level = Some(level);
            continue;
        }
        let Some(option) = rule.options().iter().find(|o| o.name == key) else {
            let mut names: Vec<&str> = rule.options().iter().map(|o| o.name).collect();
            names.insert(0, "severity");
            return Err(error(
                format!("unknown option `{key}` for rule `{}`", rule.id()),
                key_span,
                "not an option of this rule",
                Some(suggest(key, &names)),
            ));
        };
        let parsed = option_value(option.kind, value).ok_or_else(|| {
            error(
                format!("wrong type for option `{key}` of rule `{}`", rule.id()),
                value.span(),
                &format!("expected {}", option.kind.describe()),
                None,
            )
        })?;
        if let (OptionKind::Integer { min }, OptionValue::Integer(n)) = (option.kind, &parsed) {
            if *n < min {
                let what = if min == 1 {
                    "positive".to_string()
                } else {
                    format!("at least {min}")
                };
                return Err(error(
                    format!("option `{key}` of rule `{}` must be {what}", rule.id()),
                    value.span(),
                    &format!("expected an integer of at least {min}"),
                    Some(format!(
                        "{} = {{ {key} = {} }}",
                        rule.id(),
                        option.default.parse::<i64>().unwrap_or(min).max(min)
                    )),
                ));
            }
        }
        config.options.insert(option.name, parsed);
    }
    Ok(config)
}

fn option_value(kind: OptionKind, item: &Item) -> Option<OptionValue> {
    match kind {
        OptionKind::Severity => item.as_str().and_then(Level::parse).map(OptionValue::Level),
        OptionKind::Integer { .. } => item.as_integer().map(OptionValue::Integer),
        OptionKind::Bool => item.as_bool().map(OptionValue::Bool),
        OptionKind::String => item.as_str().map(|s| OptionValue::String(s.into())),
        OptionKind::StringList => string_list(item).map(OptionValue::StringList),
    }
}

fn string_list(item: &Item) -> Option<Vec<String>> {
    let array = item.as_array()?;
    array
        .iter()
        .map(|v| match v {
            Value::String(s) => Some(s.value().clone()),
            _ => None,
        })
        .collect()
}

fn suggest(key: &str, valid: &[&str]) -> String {
    let best = valid
        .iter()
        .map(|v| (strsim::jaro_winkler(key, v), *v))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, v)) => format!("did you mean `{v}`?"),
        None => format!("expected one of: {}", valid.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A registry of one rule: config is tested without the rules above it.
    struct OneRule;

    impl RuleSpec for OneRule {
        fn id(&self) -> &'static str {
            "query-in-loop"
        }
        fn severity(&self) -> Severity {
            Severity::Warning
        }
        fn options(&self) -> &'static [RuleOption] {
            &[]
        }
    }

    impl KnownRules for OneRule {
        fn find(&self, id: &str) -> Option<&'static dyn RuleSpec> {
            (id == "query-in-loop").then_some(&OneRule as &'static dyn RuleSpec)
        }
        fn did_you_mean(&self, _: &str) -> Option<&'static str> {
            None
        }
    }

    /// A config is cloned for every file (`for_file`): its `exclude` set and patterns are shared,
    /// not copied (600,000 globs once took 40 s and 5.8 GB).
    #[test]
    fn excludes_are_shared_by_clones() {
        let globs: Vec<String> = (0..2000).map(|i| format!("\"gen/d{i}/**\"")).collect();
        let text = format!(
            "exclude = [{}]\n[[overrides]]\nfiles = [\"src/**\"]\n[overrides.rules]\nquery-in-loop = \"off\"\n",
            globs.join(", ")
        );
        let config = parse(&text, "leaklint.toml", PathBuf::from("/p"), &OneRule).unwrap();
        let (per_file, _) = config.for_file(Path::new("/p/src/a.ts"));
        let copy = config.clone();
        for other in [&per_file, &copy] {
            assert!(Arc::ptr_eq(&config.excludes[0].set, &other.excludes[0].set));
            assert!(Arc::ptr_eq(
                &config.excludes[0].patterns.0,
                &other.excludes[0].patterns.0
            ));
        }
        assert!(Arc::ptr_eq(
            &config.overrides[0].files,
            &copy.overrides[0].files
        ));
        assert!(config.is_excluded(Path::new("/p/gen/d1999/x.ts")));
        assert!(!config.is_excluded(Path::new("/p/gen/d2000/x.ts")));
    }

    #[test]
    fn root_is_read_without_building_globs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "root = true\nexclude = [\"a/**\"]\n").unwrap();
        assert!(says_root(&path));
        std::fs::write(&path, "exclude = [\"a/**\"]\n").unwrap();
        assert!(!says_root(&path));
        std::fs::write(&path, "root = tru").unwrap();
        assert!(!says_root(&path));
    }
}
