//! `bulkhead matrix DESIGN`: every allowed pair with ports and auth, the evaluator's whole
//! answer (what the exporters' proofs compare against), by service or by segment.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::eval::{Evaluator, describe_auth};
use bulkhead_core::matrix::{Matrix, SegmentMatrix, by_segment, matrix};

use super::common::{OutputFormat, TodayArg, finish_with, load_for_evaluation};
use super::json_out::print_json;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Service,
    Segment,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    #[arg(long, value_enum, default_value_t = By::Service)]
    pub by: By,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub today: TodayArg,
}

pub fn run(args: &Args) -> ExitCode {
    let format = OutputFormat::json_if(args.format == Format::Json);
    let (design, date) =
        match load_for_evaluation(&args.design, format, args.today.today.as_deref()) {
            Ok((loaded, date)) => (loaded.design, date),
            Err(code) => return code,
        };
    let eval = Evaluator::at(&design, date);
    let m = matrix(&eval);
    match (args.by, args.format) {
        (By::Service, Format::Json) => print_json(&m),
        (By::Segment, Format::Json) => print_json(&by_segment(&eval, &m)),
        (By::Service, Format::Text) => finish_with(&service_text(&m), ExitCode::SUCCESS),
        (By::Segment, Format::Text) => {
            finish_with(&segment_text(&by_segment(&eval, &m)), ExitCode::SUCCESS)
        }
    }
}

fn auth_text(auth: &[bulkhead_core::model::Auth]) -> String {
    if auth.is_empty() {
        "none".into()
    } else {
        auth.iter()
            .map(describe_auth)
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

pub fn service_text(m: &Matrix) -> String {
    let mut s = String::new();
    let wf = m
        .entries
        .iter()
        .map(|e| e.from.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let wt = m
        .entries
        .iter()
        .map(|e| e.to.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        s,
        "{:<wf$}  {:<wt$}  {:>5}  {:<28}  auth",
        "from", "to", "port", "allowed by"
    );
    for e in &m.entries {
        let port = e
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "any".into());
        let mut auth = auth_text(&e.auth);
        for g in &e.also {
            let _ = write!(auth, " | or {}: {}", g.by.label(), auth_text(&g.auth));
        }
        let _ = writeln!(
            s,
            "{:<wf$}  {:<wt$}  {:>5}  {:<28}  {auth}",
            e.from,
            e.to,
            port,
            e.by.label()
        );
    }
    let _ = writeln!(
        s,
        "{} allowed (caller, target, port) entries",
        m.entries.len()
    );
    s
}

pub fn segment_text(m: &SegmentMatrix) -> String {
    let mut s = String::new();
    let wf = m
        .entries
        .iter()
        .map(|e| e.from.label().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let wt = m
        .entries
        .iter()
        .map(|e| e.to.label().len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        s,
        "{:<wf$}  {:<wt$}  {:>9}  ports  /  auth  /  by",
        "from", "to", "pairs"
    );
    for e in &m.entries {
        let ports = e
            .ports
            .iter()
            .map(|p| p.map(|p| p.to_string()).unwrap_or_else(|| "any".into()))
            .collect::<Vec<_>>()
            .join(",");
        let mut auth = e.auth.iter().map(describe_auth).collect::<Vec<_>>();
        if e.unauthenticated {
            auth.insert(0, "none".into());
        }
        let _ = writeln!(
            s,
            "{:<wf$}  {:<wt$}  {:>9}  {ports}  /  {}  /  {}",
            e.from.label(),
            e.to.label(),
            format!("{}/{}", e.pairs, e.possible_pairs),
            auth.join("; "),
            e.by.iter()
                .map(|b| b.label())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}
