//! `leaklint.toml`: discovery, parsing and validation. Errors point at the offending span.

use crate::diagnostic::Severity;
use crate::rules::{self, OptionKind, Rule};
use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::{NamedSource, SourceSpan};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use toml_edit::{Document, Item, Value};

/// The config file name looked for in the linted folder and its parents.
pub const FILE_NAME: &str = "leaklint.toml";
/// Default size above which a file is skipped unread.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;
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

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    /// The folder `exclude` patterns are relative to.
    pub root: PathBuf,
    pub exclude: GlobSet,
    pub max_file_size: u64,
    pub rules: HashMap<&'static str, RuleConfig>,
    pub prisma_clients: Vec<String>,
    pub prisma_schema: Option<String>,
    /// Models whose rows accrue over time (`[prisma] growing`), by model name.
    pub prisma_growing: Vec<String>,
    /// Models that stay small (`[prisma] bounded`), by model name.
    pub prisma_bounded: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            root: PathBuf::from("."),
            exclude: GlobSet::empty(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            rules: HashMap::new(),
            prisma_clients: DEFAULT_PRISMA_CLIENTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            prisma_schema: None,
            prisma_growing: Vec::new(),
            prisma_bounded: Vec::new(),
        }
    }
}

impl Config {
    /// The configured level of a rule, or its default.
    pub fn level(&self, rule: &Rule) -> Level {
        self.rules
            .get(rule.id)
            .and_then(|r| r.level)
            .unwrap_or(Level::On(rule.severity))
    }

    /// A rule option's configured value, if set.
    pub fn option(&self, rule: &str, name: &str) -> Option<&OptionValue> {
        self.rules.get(rule)?.options.get(name)
    }

    /// Whether `path` (relative to the config's folder) matches an `exclude` pattern.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let relative = relative.strip_prefix("./").unwrap_or(relative);
        self.exclude.is_match(relative)
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

/// Reads and validates a config file; `name` is how reports show its path.
pub fn load(path: &Path, name: &str) -> Result<Config, Box<ConfigError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
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
    parse(&text, name, root).map(|mut c| {
        c.path = Some(path.to_path_buf());
        c
    })
}

/// Parses config text; `name` is shown in error reports, `root` anchors `exclude` patterns.
pub fn parse(text: &str, name: &str, root: PathBuf) -> Result<Config, Box<ConfigError>> {
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
        root,
        ..Config::default()
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
                config.exclude = builder
                    .build()
                    .map_err(|e| error(e.to_string(), item.span(), "in these patterns", None))?;
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
            "rules" => {
                let table = item.as_table_like().ok_or_else(|| {
                    error(
                        "`rules` must be a table".into(),
                        item.span(),
                        "expected a table",
                        None,
                    )
                })?;
                for (rule_id, value) in table.iter() {
                    let span = table.get_key_value(rule_id).and_then(|(k, _)| k.span());
                    let Some(rule) = rules::find(rule_id) else {
                        let help = rules::did_you_mean(rule_id)
                            .map(|s| format!("did you mean `{s}`?"))
                            .or_else(|| Some("`leaklint rules` lists every rule".into()));
                        return Err(error(
                            format!("unknown rule `{rule_id}` in {name}"),
                            span,
                            "no rule has this id",
                            help,
                        ));
                    };
                    let rule_config = rule_config(rule, value, &error)?;
                    config.rules.insert(rule.id, rule_config);
                }
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
                            config.prisma_schema = Some(schema.to_string());
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
            other => {
                return Err(error(
                    format!("unknown key `{other}` in {name}"),
                    key_span,
                    "not a leaklint setting",
                    Some(suggest(
                        other,
                        &["exclude", "max-file-size", "rules", "prisma"],
                    )),
                ))
            }
        }
    }
    Ok(config)
}

type ErrorFn<'a> =
    dyn Fn(String, Option<std::ops::Range<usize>>, &str, Option<String>) -> Box<ConfigError> + 'a;

fn rule_config(rule: &Rule, item: &Item, error: &ErrorFn) -> Result<RuleConfig, Box<ConfigError>> {
    let level_error = |span| {
        error(
            format!("invalid severity for `{}`", rule.id),
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
            format!("invalid setting for `{}`", rule.id),
            item.span(),
            "expected a severity string or a table of options",
            Some(format!(
                "{} = \"warning\"  or  {} = {{ severity = \"warning\" }}",
                rule.id, rule.id
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
        let Some(option) = rule.options.iter().find(|o| o.name == key) else {
            let mut names: Vec<&str> = rule.options.iter().map(|o| o.name).collect();
            names.insert(0, "severity");
            return Err(error(
                format!("unknown option `{key}` for rule `{}`", rule.id),
                key_span,
                "not an option of this rule",
                Some(suggest(key, &names)),
            ));
        };
        let parsed = option_value(option.kind, value).ok_or_else(|| {
            error(
                format!("wrong type for option `{key}` of rule `{}`", rule.id),
                value.span(),
                &format!("expected {}", option.kind.describe()),
                None,
            )
        })?;
        config.options.insert(option.name, parsed);
    }
    Ok(config)
}

fn option_value(kind: OptionKind, item: &Item) -> Option<OptionValue> {
    match kind {
        OptionKind::Severity => item.as_str().and_then(Level::parse).map(OptionValue::Level),
        OptionKind::Integer => item.as_integer().map(OptionValue::Integer),
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
