//! The command line: clap definitions and the glue to the library. Exit codes: 0 clean, 1
//! findings at or above `--fail-on` (or unreadable files), 2 usage, configuration or I/O errors.

use crate::config::{self, Config, ConfigError};
use crate::diagnostic::Severity;
use crate::render::{self, Format};
use crate::rules::{self, RULES};
use crate::{lint, RunError, Settings};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "leaklint",
    version,
    about = "Finds the query and memory-retention patterns that take Node.js servers down",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint files and folders (the default command)
    Check(CheckArgs),
    /// List every rule: id, category, default severity, fixable
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value = "human")]
        format: ListFormat,
    },
    /// Print a rule's documentation
    Explain {
        /// The rule id, e.g. query-in-loop
        rule: String,
    },
    /// A language server over stdio (diagnostics and quick fixes in editors)
    Lsp,
    /// Read the database's row estimates and foreign-key fan-out (read-only, never a row value)
    /// into .leaklint/stats.json
    Stats {
        /// The database to read [default: $DATABASE_URL, else the project's .env as Prisma reads it]
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// The file to write [default: <project root>/.leaklint/stats.json]
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only this PostgreSQL schema (MySQL: database); repeat for more [default: all but the system's]
        #[arg(long = "schema", value_name = "NAME")]
        schemas: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Args, Debug, Default)]
struct CheckArgs {
    /// Files and folders to lint [default: .]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Use this config file instead of the nearest leaklint.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only run these rules (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    select: Option<Vec<String>>,
    /// Do not run these rules (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOn>,
    /// Lowest confidence reported: `high` (the default) or `medium` (also findings that rest on a guess)
    #[arg(long, value_enum, value_name = "LEVEL")]
    confidence: Option<ConfidenceArg>,
    /// Do not honour .gitignore, .ignore and git excludes
    #[arg(long)]
    no_ignore: bool,
    /// Worker threads [default: all cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// When to colour human output
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Print findings only: no summary, no notes
    #[arg(long, short)]
    quiet: bool,
    /// Also list skipped files, files with syntax errors and timing on stderr
    #[arg(long, short, conflicts_with = "quiet")]
    verbose: bool,
    /// Report suppression comments that silenced nothing
    #[arg(long)]
    report_unused_suppressions: bool,
    /// Apply safe fixes to the files, then report what is left
    #[arg(long)]
    fix: bool,
    /// With --fix, also apply unsafe fixes (they change behaviour: review them)
    #[arg(long, requires = "fix")]
    unsafe_fixes: bool,
    /// Print the number of findings per rule (and how many are fixable) instead of the findings
    #[arg(long)]
    statistics: bool,
    /// Report only findings not recorded in this baseline file
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file (then exit 0)
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Lint standard input as if it were the file PATH (its config and project apply)
    #[arg(long, value_name = "PATH", conflicts_with = "paths")]
    stdin_filename: Option<PathBuf>,
    /// Print the configuration that applies to FILE, and where it came from, then exit
    #[arg(long, value_name = "FILE")]
    show_config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ConfidenceArg {
    High,
    Medium,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Some(Command::Check(args)) => check(args),
        Some(Command::Rules { format }) => list_rules(format),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Lsp) => Ok(crate::lsp::run()),
        Some(Command::Stats {
            database_url,
            output,
            schemas,
        }) => Ok(crate::collect::run(crate::collect::Options {
            database_url,
            output,
            schemas,
        })),
        None => check(cli.check),
    };
    match result {
        Ok(code) => code,
        // The reader left before anything that decides the exit code: stop quietly.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(io::stderr(), "leaklint: cannot write output: {e}");
            2
        }
    }
}

fn usage_error(message: &str) -> io::Result<i32> {
    writeln!(io::stderr(), "leaklint: {message}")?;
    Ok(2)
}

fn resolve_rule_ids(ids: &[String]) -> Result<Vec<&'static str>, String> {
    ids.iter()
        .filter(|id| !id.is_empty())
        .map(|id| match rules::find(id) {
            Some(rule) => Ok(rule.id),
            None => Err(match rules::did_you_mean(id) {
                Some(s) => format!("unknown rule `{id}`; did you mean `{s}`?"),
                None => format!("unknown rule `{id}`; `leaklint rules` lists every rule"),
            }),
        })
        .collect()
}

fn check(args: CheckArgs) -> io::Result<i32> {
    let started = std::time::Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::path::absolute(d).ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let format = args.format.unwrap_or(Format::Human);
    // `--config FILE` applies to every file; otherwise each file gets its nearest leaklint.toml.
    let config = match &args.config {
        Some(path) => match config::load(
            path,
            &crate::display_path(path, &cwd),
            &crate::rules::Registry,
        ) {
            Ok(config) => config,
            Err(error) => return config_error(&error, format, args.color),
        },
        None => Config::default(),
    };
    // `--stdin-filename PATH`: standard input, linted as if it were that file.
    let mut unsaved = std::collections::BTreeMap::new();
    let mut paths = paths;
    if let Some(name) = &args.stdin_filename {
        if args.fix {
            return usage_error("`--fix` cannot write to standard input");
        }
        let mut text = String::new();
        if let Err(e) = io::Read::read_to_string(&mut io::stdin(), &mut text) {
            return usage_error(&format!("cannot read standard input: {e}"));
        }
        let absolute = std::path::absolute(name).unwrap_or_else(|_| name.clone());
        unsaved.insert(absolute, text);
        paths = vec![name.clone()];
    }
    if let Some(file) = &args.show_config {
        let mut resolver = crate::workspace::Resolver::new(&config, args.config.is_none(), &cwd);
        return match crate::workspace::show_config(&mut resolver, file, &cwd) {
            Ok(text) => {
                write!(io::stdout().lock(), "{text}")?;
                Ok(0)
            }
            Err(error) => config_error(&error, format, args.color),
        };
    }
    let select = match args.select.as_deref().map(resolve_rule_ids).transpose() {
        Ok(Some(select)) if select.is_empty() => {
            return usage_error("`--select` names no rule; `leaklint rules` lists every rule")
        }
        Ok(select) => select,
        Err(message) => return usage_error(&message),
    };
    let ignore = match resolve_rule_ids(&args.ignore) {
        Ok(ignore) => ignore,
        Err(message) => return usage_error(&message),
    };
    let settings = Settings {
        paths,
        config,
        select,
        ignore,
        no_ignore: args.no_ignore,
        threads: args.threads.map(usize::from),
        report_unused_suppressions: args.report_unused_suppressions,
        confidence: args.confidence.map(|c| match c {
            ConfidenceArg::High => crate::diagnostic::Confidence::High,
            ConfidenceArg::Medium => crate::diagnostic::Confidence::Medium,
        }),
        cwd,
        nested_configs: args.config.is_none(),
        unsaved: std::sync::Arc::new(unsaved),
        projects: None,
        context: Default::default(),
        file_configs: Default::default(),
        file_projects: Default::default(),
        walked: false,
    };
    let mut report = match lint(&settings) {
        Ok(report) => report,
        Err(RunError::Config(error)) => return config_error(&error, format, args.color),
        Err(e) => return usage_error(&e.to_string()),
    };
    if args.fix {
        let applied = crate::fix::apply(&report, &settings.cwd, args.unsafe_fixes);
        for (path, why) in &applied.refused {
            writeln!(io::stderr(), "leaklint: not fixed: {path}: {why}")?;
        }
        if applied.fixed > 0 {
            if !args.quiet {
                writeln!(
                    io::stderr(),
                    "leaklint: fixed {} in {}",
                    render::plural(applied.fixed, "finding"),
                    render::plural(applied.files, "file")
                )?;
            }
            // Report what is left.
            report = match lint(&settings) {
                Ok(report) => report,
                Err(e) => return usage_error(&e.to_string()),
            };
        }
    }

    if args.fix {
        let left = report
            .findings
            .iter()
            .filter(|f| {
                f.fix.as_ref().is_some_and(|(fix, _)| {
                    fix.applicability == crate::diagnostic::Applicability::Unsafe
                })
            })
            .count();
        if left > 0 && !args.quiet {
            writeln!(
                io::stderr(),
                "leaklint: {} not applied: review them, then run with `--fix --unsafe-fixes`",
                render::plural(left, "unsafe fix")
            )?;
        }
    }
    if let Some(path) = &args.write_baseline {
        let baseline = crate::baseline::of(&report);
        if let Err(e) = crate::baseline::write(&baseline, path) {
            return usage_error(&format!("cannot write {}: {e}", path.display()));
        }
        if !args.quiet {
            writeln!(
                io::stderr(),
                "leaklint: recorded {} in {}",
                render::plural(baseline.findings.len(), "finding"),
                path.display()
            )?;
        }
        return Ok(i32::from(!report.errors.is_empty()));
    }
    let mut stale = 0;
    if let Some(path) = &args.baseline {
        let baseline = match crate::baseline::read(path) {
            Ok(baseline) => baseline,
            Err(e) => return usage_error(&format!("{}: {e}", path.display())),
        };
        // A path is in this run when it is, or is under, one of the paths linted.
        let scopes: Vec<String> = settings
            .paths
            .iter()
            .map(|p| crate::display_path(p, &settings.cwd))
            .collect();
        let linted = |path: &str| {
            scopes.iter().any(|s| {
                s.is_empty()
                    || s == "."
                    || path == s
                    || path.starts_with(&format!("{}/", s.trim_end_matches('/')))
            })
        };
        let filtered = crate::baseline::filter(&mut report, &baseline, linted);
        stale = filtered.stale;
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && !no_color(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    // `leaklint check | head`: the reader may leave early. The exit code still tells.
    let written = if args.statistics {
        render::statistics(&report, format == Format::Json, &mut out)
    } else {
        render::render(&report, format, color, &mut out)
    }
    .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    drop(out);

    let mut err = io::stderr().lock();
    if format != Format::Json {
        for e in &report.errors {
            writeln!(err, "leaklint: error: {}: {}", e.path, e.message)?;
        }
    }
    if !args.quiet {
        for warning in &report.warnings {
            writeln!(err, "leaklint: warning: {warning}")?;
        }
    }
    if args.verbose {
        for line in &report.notes {
            writeln!(err, "leaklint: {line}")?;
        }
        for (path, reason) in &report.skipped {
            writeln!(err, "leaklint: skipped {path}: {}", reason.as_str())?;
        }
        for (path, count) in &report.unparsed_sql {
            writeln!(
                err,
                "leaklint: note: {path}: {count} raw SQL statement(s) did not parse and were not judged"
            )?;
        }
        for path in &report.syntax_errors {
            writeln!(
                err,
                "leaklint: note: {path} has syntax errors; what parsed was linted"
            )?;
        }
        writeln!(
            err,
            "leaklint: {} read, {} parsed, in {:.2?}",
            render::plural(report.files, "file"),
            report.parsed,
            started.elapsed()
        )?;
    }
    if format == Format::Human && !args.quiet {
        writeln!(err, "{}", render::summary_line(&report))?;
    }
    if stale > 0 && !args.quiet {
        let (what, verb) = if stale == 1 {
            ("1 baseline entry".to_string(), "matches")
        } else {
            (format!("{stale} baseline entries"), "match")
        };
        writeln!(
            err,
            "leaklint: {what} no longer {verb} (fixed?): update it with --write-baseline"
        )?;
    }

    let threshold = match args.fail_on.unwrap_or(FailOn::Warning) {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    let failed = report.findings.iter().any(|f| f.severity >= threshold);
    Ok(i32::from(failed || !report.errors.is_empty()))
}

fn stderr_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stderr().is_terminal() && !no_color(),
    }
}

/// `NO_COLOR` set to a non-empty value (no-color.org: an empty value does not count).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Reports a configuration error (exit 2): a miette report on stderr; with `--format json`,
/// also a JSON document with the error in `errors`, so that tools reading stdout see it.
fn config_error(error: &ConfigError, format: Format, color: ColorChoice) -> io::Result<i32> {
    let mut text = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(if stderr_color(color) {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    })
    .with_width(100);
    let _ = handler.render_report(&mut text, error);
    write!(io::stderr(), "{text}")?;
    if format == Format::Json {
        let (path, message) = error.describe();
        let doc = serde_json::json!({
            "version": 1,
            "diagnostics": [],
            "summary": { "files": 0, "skipped": 0, "diagnostics": 0, "errors": 0, "warnings": 0, "infos": 0 },
            "errors": [ { "path": path, "message": message } ],
        });
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &doc).map_err(io::Error::from)?;
        writeln!(out)?;
    }
    Ok(2)
}

fn list_rules(format: ListFormat) -> io::Result<i32> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        ListFormat::Json => {
            let list: Vec<_> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "category": r.category.as_str(),
                        "severity": r.severity.as_str(),
                        "fix": r.fix.as_str(),
                        "summary": r.summary,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Human => {
            // Columns as wide as their longest entry, so that no id pushes its row out of line.
            let width = |header: &str, cell: fn(&rules::Rule) -> &str| {
                RULES
                    .iter()
                    .map(|r| cell(r).len())
                    .fold(header.len(), usize::max)
            };
            let id = width("rule", |r| r.id);
            let category = width("category", |r| r.category.as_str());
            let severity = width("severity", |r| r.severity.as_str());
            let fix = width("fix", |r| r.fix.as_str());
            writeln!(
                out,
                "{:<id$}  {:<category$}  {:<severity$}  {:<fix$}  summary",
                "rule", "category", "severity", "fix"
            )?;
            for r in RULES {
                writeln!(
                    out,
                    "{:<id$}  {:<category$}  {:<severity$}  {:<fix$}  {}",
                    r.id,
                    r.category.as_str(),
                    r.severity.as_str(),
                    r.fix.as_str(),
                    r.summary
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}

fn explain(id: &str) -> io::Result<i32> {
    let Some(rule) = rules::find(id) else {
        let message = match rules::did_you_mean(id) {
            Some(s) => format!("unknown rule `{id}`; did you mean `{s}`?"),
            None => format!("unknown rule `{id}`; `leaklint rules` lists every rule"),
        };
        return usage_error(&message);
    };
    let mut out = io::stdout().lock();
    write!(out, "{}", rule.doc)?;
    if !rule.doc.ends_with('\n') {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(0)
}
