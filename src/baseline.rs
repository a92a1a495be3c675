//! Baselines, to adopt leaklint on a repository that already has findings: `--write-baseline`
//! records today's findings by fingerprint, `--baseline` reports only the others.
//!
//! A fingerprint is the rule, the path, the finding's source text with whitespace collapsed, and
//! which occurrence of that text in the file it is: lines added or removed above a finding, or
//! re-indenting it, do not change it; editing the code it points at does.

use crate::{Finding, Report};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

/// Format version of the baseline file.
const VERSION: u32 = 1;

/// The baseline file.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Baseline {
    pub version: u32,
    /// Entries sorted by path, then rule, then fingerprint.
    pub findings: Vec<Entry>,
}

/// One recorded finding. `path`, `rule` and `line` are for people reading the file; only
/// `fingerprint` is matched (it covers the path and rule).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    /// Where it was when recorded (not matched).
    pub line: usize,
    pub message: String,
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Filtered {
    /// Findings the baseline silenced.
    pub matched: usize,
    /// Baseline entries that matched nothing: fixed, or changed beyond recognition.
    pub stale: usize,
}

/// One fingerprint per finding of `report`, in the same order.
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen: HashMap<(String, &str, String), usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let text = normalized_text(report, f);
            let key = (f.path.clone(), f.rule.id, text);
            let occurrence = seen.entry(key.clone()).or_insert(0);
            let index = *occurrence;
            *occurrence += 1;
            fingerprint(&key.0, key.1, &key.2, index)
        })
        .collect()
}

/// The finding's source text with runs of whitespace collapsed to one space.
fn normalized_text(report: &Report, finding: &Finding) -> String {
    let Some(source) = report.sources.get(&finding.path) else {
        return finding.message.clone();
    };
    let text = source
        .get(finding.span.bytes.clone())
        .unwrap_or(&finding.message);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 64-bit FNV-1a over the parts, as 16 hex digits: stable across versions and platforms.
fn fingerprint(path: &str, rule: &str, text: &str, occurrence: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let occurrence = occurrence.to_string();
    for part in [path, rule, text, occurrence.as_str()] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The baseline of `report`'s findings.
pub fn of(report: &Report) -> Baseline {
    let mut findings: Vec<Entry> = report
        .findings
        .iter()
        .zip(fingerprints(report))
        .map(|(f, fingerprint)| Entry {
            path: f.path.clone(),
            rule: f.rule.id.to_string(),
            fingerprint,
            line: f.span.start.line,
            message: f.message.clone(),
        })
        .collect();
    findings.sort_by(|a, b| {
        (&a.path, &a.rule, a.line, &a.fingerprint).cmp(&(&b.path, &b.rule, b.line, &b.fingerprint))
    });
    Baseline {
        version: VERSION,
        findings,
    }
}

/// Writes `baseline` to `path` atomically: to a temporary file beside it, then renamed over it,
/// so that an interrupted run never leaves half a baseline.
pub fn write(baseline: &Baseline, path: &Path) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(baseline).map_err(io::Error::from)?;
    bytes.push(b'\n');
    crate::source::write_atomic(path, &bytes)
}

/// Reads a baseline file: only a regular file (checked first, so a FIFO is never opened), at
/// most [`crate::source::MAX_READ`] bytes.
pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = crate::source::read_text(path).map_err(|e| crate::discover::io_message(&e))?;
    let baseline: Baseline =
        serde_json::from_str(&text).map_err(|e| format!("not a leaklint baseline: {e}"))?;
    if baseline.version != VERSION {
        return Err(format!(
            "baseline version {} is not supported (expected {VERSION})",
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Removes from `report` the findings `baseline` records. Entries of paths `linted` says were
/// not part of this run (pre-commit passes a few files) are not counted as stale.
pub fn filter(report: &mut Report, baseline: &Baseline, linted: impl Fn(&str) -> bool) -> Filtered {
    let mut remaining: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in baseline.findings.iter().filter(|e| linted(&e.path)) {
        *remaining.entry(entry.fingerprint.as_str()).or_default() += 1;
    }
    let prints = fingerprints(report);
    let mut matched = 0;
    let mut keep = Vec::with_capacity(prints.len());
    for print in &prints {
        let hit = remaining.get_mut(print.as_str()).filter(|n| **n > 0);
        match hit {
            Some(n) => {
                *n -= 1;
                matched += 1;
                keep.push(false);
            }
            None => keep.push(true),
        }
    }
    let mut flags = keep.into_iter();
    report.findings.retain(|_| flags.next().unwrap_or(true));
    Filtered {
        matched,
        stale: remaining.values().sum(),
    }
}
