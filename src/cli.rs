//! The command line: clap definitions and the glue to the library. Exit codes: 0 clean, 1
//! findings at or above `--fail-on` (or unreadable files), 2 usage, configuration or I/O errors.

use crate::config::{self, Config};
use crate::diagnostic::Severity;
use crate::render::{self, Format};
use crate::rules::{self, RULES};
use crate::{lint, Settings};
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
        None => check(cli.check),
    };
    match result {
        Ok(code) => code,
        // `leaklint | head`: the reader left; stop quietly.
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
    let config_path = args.config.clone().or_else(|| config::discover(&paths[0]));
    let config = match &config_path {
        Some(path) => match config::load(path, &crate::display_path(path, &cwd)) {
            Ok(config) => config,
            Err(error) => {
                let mut text = String::new();
                let handler =
                    miette::GraphicalReportHandler::new_themed(if stderr_color(args.color) {
                        miette::GraphicalTheme::unicode()
                    } else {
                        miette::GraphicalTheme::unicode_nocolor()
                    })
                    .with_width(100);
                let _ = handler.render_report(&mut text, error.as_ref());
                write!(io::stderr(), "{text}")?;
                return Ok(2);
            }
        },
        None => Config::default(),
    };
    let select = match args.select.as_deref().map(resolve_rule_ids).transpose() {
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
        cwd,
    };
    let mut report = match lint(&settings) {
        Ok(report) => report,
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
                    "leaklint: fixed {} findings in {} files",
                    applied.fixed,
                    applied.files
                )?;
            }
            // Report what is left.
            report = match lint(&settings) {
                Ok(report) => report,
                Err(e) => return usage_error(&e.to_string()),
            };
        }
    }

    let format = args.format.unwrap_or(Format::Human);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    render::render(&report, format, color, &mut out)?;
    out.flush()?;
    drop(out);

    let mut err = io::stderr().lock();
    if format != Format::Json {
        for e in &report.errors {
            writeln!(err, "leaklint: error: {}: {}", e.path, e.message)?;
        }
    }
    if args.verbose {
        if let Some(path) = &config_path {
            writeln!(err, "leaklint: config {}", path.display())?;
        }
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
            "leaklint: {} files read, {} parsed, in {:.2?}",
            report.files,
            report.parsed,
            started.elapsed()
        )?;
    }
    if format == Format::Human && !args.quiet {
        writeln!(err, "{}", render::summary_line(&report))?;
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
        ColorChoice::Auto => io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
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
            writeln!(
                out,
                "{:<22} {:<12} {:<9} {:<5} summary",
                "rule", "category", "severity", "fix"
            )?;
            for r in RULES {
                writeln!(
                    out,
                    "{:<22} {:<12} {:<9} {:<5} {}",
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
