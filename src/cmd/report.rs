//! `bulkhead report DESIGN`: the audit report, a self-contained HTML page (or Markdown) with
//! the estate picture, segment matrix, rules, findings, breach evidence and drift.

use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_audit::Audit;
use bulkhead_core::drift::check;
use bulkhead_core::model::FlowKind;

use super::common::{self, OutputFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    /// Write here (atomically) instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Traffic logs to check the design against (the drift section); the design's own
    /// observed flows count too.
    #[arg(long, num_args = 1.., value_name = "LOG")]
    pub traffic: Vec<PathBuf>,
    /// Markdown instead of HTML.
    #[arg(long)]
    pub markdown: bool,
    /// The date the report is as of (`YYYY-MM-DD`), for expired exceptions; default
    /// `BULKHEAD_TODAY` or today (UTC).
    #[arg(long)]
    pub today: Option<String>,
}

pub fn run(args: &Args) -> ExitCode {
    let date = match common::evaluation_date(args.today.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let today = date.to_string();
    let design = match common::load_valid(&args.design, OutputFormat::Human) {
        Ok(l) => l.design,
        Err(code) => return code,
    };
    // Logs, or the design's own observed flows, are drift evidence worth reporting.
    let observed = match super::traffic::read_logs(&args.traffic, &design) {
        Ok(o) => o,
        Err(e) => return common::fail_usage(e),
    };
    let has_traffic = !observed.flows.is_empty()
        || observed.summary.lines > 0
        || design.flows.iter().any(|f| f.kind == FlowKind::Observed);
    // The live policies the last import recorded in the design are compared too, by the same
    // core check as `bulkhead check` (which uses them when given no `--live`).
    let drift = (has_traffic || design.live.is_some()).then(|| {
        check(
            &design,
            &observed.flows,
            design.live.as_ref(),
            observed.summary,
            date,
        )
    });
    let audit = Audit::compute(&design, Some(today), drift.as_ref());
    let text = if args.markdown {
        bulkhead_audit::markdown(&audit)
    } else {
        bulkhead_audit::html(&audit)
    };
    let written = match &args.out {
        Some(path) => bulkhead_store::save_bytes(
            path,
            text.as_bytes(),
            bulkhead_store::SaveOptions { backup: false },
        )
        .map_err(|e| e.to_string()),
        None => match common::write_stdout(&text) {
            Ok(()) => Ok(()),
            Err(code) => return code,
        },
    };
    match written {
        Ok(()) => {
            if let Some(p) = &args.out {
                eprintln!("wrote `{}` ({} bytes)", p.display(), text.len());
            }
            ExitCode::SUCCESS
        }
        Err(e) => common::fail_usage(e),
    }
}
