//! `bulkhead analyze DESIGN`: every origin's worst-case blast radius and every finding, as
//! text, JSON or SARIF. Exits 1 when a finding is open (not triaged).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bulkhead_core::analysis::{Analysis, AnalyzeOptions, analyze};
use bulkhead_core::eval::Evaluator;
use bulkhead_core::file::Locations;
use bulkhead_core::findings::{Severity, catalog};
use bulkhead_core::model::TriageStatus;
use serde_json::json;

use super::common::{OutputFormat, finish_with, load_for_evaluation};
use super::json_out::print_json;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Date to evaluate the design on (`YYYY-MM-DD`): rules whose `expires` date is before it
    /// no longer apply, and are reported (BH011). Default: `BULKHEAD_TODAY`, else today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Show only the N worst origins in the text table (0: all).
    #[arg(long, default_value_t = 15)]
    pub top: usize,
}

pub fn run(args: &Args) -> ExitCode {
    let format = OutputFormat::json_if(args.format != Format::Text);
    let (design, locations, today) =
        match load_for_evaluation(&args.design, format, args.today.as_deref()) {
            Ok((loaded, date)) => (loaded.design, loaded.locations, date),
            Err(code) => return code,
        };
    let eval = Evaluator::at(&design, today);
    let analysis = analyze(
        &eval,
        &AnalyzeOptions {
            today: Some(today.to_string()),
        },
    );
    let code = match args.format {
        Format::Json => print_json(&analysis),
        Format::Sarif => print_json(&sarif(&analysis, &args.design, locations.as_ref())),
        Format::Text => finish_with(&text(&analysis, args.top), ExitCode::SUCCESS),
    };
    if code != ExitCode::SUCCESS {
        return code;
    }
    if analysis.summary.open > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

pub fn text(a: &Analysis, top: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Analysis of `{}` ({} services)", a.design, a.services);
    for n in &a.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    let shown = if top == 0 {
        a.origins.len()
    } else {
        top.min(a.origins.len())
    };
    let _ = writeln!(
        s,
        "\nBlast radius by origin, worst first ({shown} of {}):",
        a.origins.len()
    );
    let w = a
        .origins
        .iter()
        .take(shown)
        .map(|o| o.origin.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        s,
        "  {:<w$}  {:>7}  {:>6}  {:>4}  crown jewels",
        "origin", "reached", "score", "flat"
    );
    for o in a.origins.iter().take(shown) {
        let _ = writeln!(
            s,
            "  {:<w$}  {:>7}  {:>6}  {:>4}  {}",
            o.origin,
            o.blast_radius,
            o.score,
            o.flat_blast_radius,
            if o.crown_jewels.is_empty() {
                "-".to_string()
            } else {
                o.crown_jewels.join(", ")
            }
        );
    }
    let sev = a
        .summary
        .by_severity
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| format!("{} {}", c.count, severity_label(c.severity)))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        s,
        "\nFindings: {} open{}, {} triaged",
        a.summary.open,
        if sev.is_empty() {
            String::new()
        } else {
            format!(" ({sev})")
        },
        a.summary.triaged
    );
    for f in &a.findings {
        let triage = match &f.triage {
            None => String::new(),
            Some(t) => format!(
                " [{}: {}]",
                match t.status {
                    TriageStatus::Accepted => "accepted",
                    TriageStatus::Mitigated => "mitigated",
                    TriageStatus::FalsePositive => "false positive",
                },
                t.reason
            ),
        };
        let _ = writeln!(
            s,
            "  {:<8} {} {}{triage}\n           {}",
            severity_label(f.severity),
            f.id,
            f.key,
            f.message
        );
    }
    for k in &a.summary.unmatched_triage {
        let _ = writeln!(
            s,
            "  warning: triage entry `{k}` matches no finding (fixed, or the key changed)"
        );
    }
    s
}

/// SARIF 2.1.0, with triaged findings as suppressions and the JSON pointer as the logical
/// location.
pub fn sarif(a: &Analysis, design: &Path, locations: Option<&Locations>) -> serde_json::Value {
    let level = |s: Severity| match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    };
    let rules: Vec<serde_json::Value> = catalog()
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.what },
                "fullDescription": { "text": r.why },
                "help": {
                    "text": format!("{}\n\nHow to fix: {}\n\nExample: {}", r.what, r.fix, r.example),
                    "markdown": format!("**What it does.** {}\n\n**Why it matters.** {}\n\n**How to fix.** {}\n\n**Example.** {}", r.what, r.why, r.fix, r.example),
                },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "severity": severity_label(r.severity) },
            })
        })
        .collect();
    let uri = design.to_string_lossy().replace('\\', "/");
    // Every finding's pointer located in one pass over the file.
    let pointers: Vec<&str> = a
        .findings
        .iter()
        .map(|f| f.pointer.as_deref().unwrap_or(""))
        .collect();
    let located = locations.map(|l| l.locate_values(&pointers));
    let results: Vec<serde_json::Value> = a
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut physical = json!({ "artifactLocation": { "uri": uri } });
            // A finding about the design as a whole (no pointer) has no region.
            // Only the start: YAML records where a mapping begins, not where it ends.
            if f.pointer.is_some()
                && let Some(start) = located.as_ref().and_then(|l| l.get(i).copied().flatten())
            {
                physical["region"] = json!({
                    "startLine": start.line,
                    "startColumn": start.column,
                });
            }
            let mut r = json!({
                "ruleId": f.id,
                "level": level(f.severity),
                "message": { "text": f.message },
                "partialFingerprints": { "bulkheadKey/v1": f.key },
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{ "fullyQualifiedName": f.pointer.clone().unwrap_or_default(), "kind": "member" }],
                }],
                "properties": { "key": f.key, "severity": severity_label(f.severity), "subjects": f.subjects },
            });
            if let Some(t) = &f.triage {
                r["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{}: {}", match t.status {
                        TriageStatus::Accepted => "accepted",
                        TriageStatus::Mitigated => "mitigated",
                        TriageStatus::FalsePositive => "false positive",
                    }, t.reason),
                }]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bulkhead",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/bulkhead",
                "rules": rules,
            }},
            // Columns count characters, as `bulkhead validate` does.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}
