//! `bulkhead why DESIGN A B`: the evaluator's decision for one call, with its explanation.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::eval::{Caller, Evaluator, Explanation, Request};
use bulkhead_core::simulate::did_you_mean;

use super::common::{OutputFormat, TodayArg, finish_with, load_for_evaluation};
use super::json_out::print_json;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    /// The caller: a service id or `internet`.
    pub from: String,
    /// The called service id.
    pub to: String,
    #[arg(long)]
    pub port: Option<u32>,
    /// HTTP method, e.g. `GET`.
    #[arg(long)]
    pub method: Option<String>,
    /// Request path, e.g. `/accounts/42`.
    #[arg(long)]
    pub path: Option<String>,
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
    let ids = || design.services.iter().map(|s| s.id.as_str());
    for (what, id, internet_ok) in [("caller", &args.from, true), ("target", &args.to, false)] {
        if (internet_ok && id == "internet") || design.service(id).is_some() {
            continue;
        }
        let hint = did_you_mean(id, ids())
            .map(|s| format!(": did you mean `{s}`?"))
            .unwrap_or_default();
        eprintln!("error: unknown {what} `{id}`{hint}");
        return ExitCode::from(2);
    }
    let eval = Evaluator::at(&design, date);
    let req = Request {
        port: args.port,
        method: args.method.as_ref().map(|m| m.to_ascii_uppercase()),
        path: args.path.clone(),
    };
    let ex = eval.explain(&Caller::parse(&args.from), &args.to, &req);
    match args.format {
        Format::Json => print_json(&ex),
        Format::Text => finish_with(&text(&ex), ExitCode::SUCCESS),
    }
}

pub fn text(ex: &Explanation) -> String {
    let mut s = String::new();
    let mut req = Vec::new();
    if let Some(p) = ex.request.port {
        req.push(format!("port {p}"));
    }
    match (&ex.request.method, &ex.request.path) {
        (Some(m), Some(p)) => req.push(format!("{m} {p}")),
        (Some(m), None) => req.push(m.clone()),
        (None, Some(p)) => req.push(p.clone()),
        (None, None) => {}
    }
    let req = if req.is_empty() {
        "any request".to_string()
    } else {
        req.join(", ")
    };
    let _ = writeln!(s, "{} → {} ({req})", ex.from, ex.to);
    let chain = |c: &[String]| {
        if c.is_empty() {
            "no segment".to_string()
        } else {
            c.join(" ⊂ ")
        }
    };
    if ex.from != "internet" {
        let _ = writeln!(s, "  caller segments: {}", chain(&ex.from_segments));
    }
    let _ = writeln!(s, "  target segments: {}", chain(&ex.to_segments));
    let _ = writeln!(s, "  decision: {}", ex.decision.describe());
    if ex.with_required_credentials != ex.decision {
        let _ = writeln!(
            s,
            "  with the required credentials: {}",
            ex.with_required_credentials.describe()
        );
    }
    if ex.grants.len() > 1 {
        let _ = writeln!(s, "  every grant, in order:");
        for g in &ex.grants {
            let auth = if g.auth.is_empty() {
                "no auth".to_string()
            } else {
                g.auth
                    .iter()
                    .map(bulkhead_core::eval::describe_auth)
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let _ = writeln!(s, "    {}: {auth}", g.by.label());
        }
    }
    s
}
