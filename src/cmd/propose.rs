//! `bulkhead propose DESIGN`: the least-privilege rules for the evidence (the design's declared
//! and observed flows, plus traffic logs), as a reviewable diff; `--apply` accepts all of it or
//! the listed changes and writes the new design.

use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::file::to_canonical_json;
use bulkhead_core::propose::{ChangeKind, Proposal, apply, propose};

use super::common::{self, FormatArg, OutputFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    /// Traffic logs whose calls count as observed evidence (NGINX, Hubble JSON, Zeek conn.log,
    /// CSV); the design's own declared and observed flows always count.
    #[arg(long, num_args = 1.., value_name = "LOG")]
    pub traffic: Vec<PathBuf>,
    /// Accept changes: `all`, or change ids separated by commas (`narrow:web-api,remove:old`).
    #[arg(long, value_name = "IDS|all")]
    pub apply: Option<String>,
    /// With `--apply`: write the new design here (may be the design itself, whose previous
    /// version is kept as `<file>.bak`); default standard output.
    #[arg(long, short, requires = "apply")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub format: FormatArg,
    #[command(flatten)]
    pub today: common::TodayArg,
}

pub fn run(args: &Args) -> ExitCode {
    // A flow only an expired exception allowed needs a rule again.
    let today = match common::evaluation_date(args.today.today.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let loaded = match common::load_valid(&args.design, args.format.format) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let design = loaded.design;
    let observed = match super::traffic::read_logs(&args.traffic, &design) {
        Ok(o) => o,
        Err(e) => return common::fail_usage(e),
    };
    if observed.summary.unparsed_lines > 0 {
        for e in &observed.summary.unparsed_examples {
            eprintln!("warning: {e}");
        }
    }
    let proposal = propose(&design, &observed.flows, today);
    if let Some(list) = &args.apply {
        let ids: Vec<String> = if list.trim() == "all" {
            proposal.changes.iter().map(|c| c.id.clone()).collect()
        } else {
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let new = match apply(&design, &proposal, &ids) {
            Ok(d) => d,
            Err(e) => return common::fail_usage(e),
        };
        let written = match &args.out {
            Some(path) => bulkhead_store::save(path, &new).map_err(|e| e.to_string()),
            None => match common::write_stdout(&to_canonical_json(&new)) {
                Ok(()) => Ok(()),
                Err(code) => return code,
            },
        };
        if let Err(e) = written {
            return common::fail_usage(e);
        }
        eprintln!(
            "applied {} of {} change(s){}",
            ids.len(),
            proposal.changes.len(),
            match &args.out {
                Some(p) => format!(" to `{}`", p.display()),
                None => String::new(),
            }
        );
        return ExitCode::SUCCESS;
    }
    match args.format.format {
        OutputFormat::Json => super::json_out::print_json(&proposal),
        OutputFormat::Human => common::finish_with(
            &render_text(&proposal, &args.design.display().to_string()),
            ExitCode::SUCCESS,
        ),
    }
}

/// The proposal for a terminal: one block per change, then what stays and what is blocked.
pub fn render_text(p: &Proposal, design_path: &str) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Least-privilege proposal for `{}`: {} declared flow(s), {} observed flow(s), {} call(s)",
        p.design, p.evidence.declared, p.evidence.observed, p.evidence.calls
    );
    if p.changes.is_empty() {
        let _ = writeln!(
            s,
            "\nNothing to change: every allow rule is exactly its evidence."
        );
    } else {
        let _ = writeln!(s, "\n{} change(s):", p.changes.len());
    }
    for c in &p.changes {
        let _ = writeln!(s, "\n  [{}]\n    {}", c.id, c.summary);
        match &c.change {
            ChangeKind::NarrowRule { after, .. } => {
                let _ = writeln!(s, "    becomes {} rule(s)", after.len());
            }
            ChangeKind::CloseIntraSegment { replacement, .. } => {
                let _ = writeln!(s, "    with {} explicit rule(s)", replacement.len());
            }
            _ => {}
        }
        if !c.evidence.is_empty() {
            let shown: Vec<&str> = c.evidence.iter().take(6).map(String::as_str).collect();
            let more = c.evidence.len().saturating_sub(shown.len());
            let _ = writeln!(
                s,
                "    evidence: {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
    }
    if !p.unchanged.is_empty() {
        let _ = writeln!(s, "\nAlready least-privilege: {}", p.unchanged.join(", "));
    }
    if !p.blocked.is_empty() {
        let _ = writeln!(
            s,
            "\nBlocked evidence (the proposal never overrides a deny rule, exposure or the inventory):"
        );
        for b in &p.blocked {
            let port = b.port.map(|p| format!(":{p}")).unwrap_or_default();
            let l7 = match (&b.method, &b.path) {
                (None, None) => String::new(),
                (m, p) => format!(
                    " {} {}",
                    m.as_deref().unwrap_or("*"),
                    p.as_deref().unwrap_or("")
                ),
            };
            let _ = writeln!(
                s,
                "  {}  {} → {}{port}{l7}: {}",
                b.flow,
                b.from,
                b.to,
                b.reason.describe()
            );
        }
    }
    for n in &p.notes {
        let _ = writeln!(s, "\nnote: {n}");
    }
    if !p.changes.is_empty() {
        let _ = writeln!(
            s,
            "\nAccept all:  bulkhead propose {design_path} --apply all --out {design_path}\n\
             Accept some: bulkhead propose {design_path} --apply {} --out {design_path}",
            p.changes
                .iter()
                .take(2)
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    s
}
