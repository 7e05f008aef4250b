//! `bulkhead simulate DESIGN --from SERVICE|internet`: a breach simulation, as text, JSON, or
//! the attack graph in DOT or Mermaid.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::eval::{Caller, Evaluator};
use bulkhead_core::simulate::{Assumption, SimulateOptions, Simulation, simulate};

use super::common::{OutputFormat, TodayArg, finish_with, load_for_evaluation};
use super::json_out::print_json;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Dot,
    Mermaid,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assume {
    Worst,
    Known,
    Probabilistic,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    /// Where the attacker starts: a service id, or `internet`.
    #[arg(long)]
    pub from: String,
    /// Which services fall: every one reached (worst), those with exploitable weaknesses
    /// (known), or by their weaknesses' probabilities.
    #[arg(long, value_enum, default_value_t = Assume::Worst)]
    pub assume: Assume,
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
    let assumption = match args.assume {
        Assume::Worst => Assumption::Worst,
        Assume::Known => Assumption::Known,
        Assume::Probabilistic => Assumption::Probabilistic,
    };
    let sim = match simulate(
        &eval,
        &Caller::parse(&args.from),
        &SimulateOptions {
            assumption,
            blocked: Vec::new(),
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: `--from`: {e}");
            return ExitCode::from(2);
        }
    };
    match args.format {
        Format::Json => print_json(&sim),
        Format::Text => finish_with(&text(&sim, design.services.len()), ExitCode::SUCCESS),
        Format::Dot => finish_with(&dot(&sim), ExitCode::SUCCESS),
        Format::Mermaid => finish_with(&mermaid(&sim), ExitCode::SUCCESS),
    }
}

fn assumption_label(a: Assumption) -> &'static str {
    match a {
        Assumption::Worst => "worst case",
        Assumption::Known => "known weaknesses",
        Assumption::Probabilistic => "probabilistic",
    }
}

pub fn text(sim: &Simulation, total: usize) -> String {
    let mut s = String::new();
    let from = if sim.origin == "internet" {
        "the internet".to_string()
    } else {
        format!("`{}`", sim.origin)
    };
    let _ = writeln!(
        s,
        "Breach simulation from {from} ({})",
        assumption_label(sim.assumption)
    );
    for n in &sim.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    let b = &sim.blast_radius;
    let f = &sim.flat.blast_radius;
    let _ = writeln!(
        s,
        "\nBlast radius: {} of {} other services reached, {} compromised, score {}{}",
        b.services,
        total.saturating_sub(usize::from(sim.origin != "internet")),
        b.compromised,
        b.score,
        if b.crown_jewels.is_empty() {
            String::new()
        } else {
            format!(", crown jewels: {}", b.crown_jewels.join(", "))
        }
    );
    let _ = writeln!(
        s,
        "Flat network: {} reached, {} compromised, score {} (segmentation reduces the score by {}%)",
        f.services, f.compromised, f.score, sim.flat.reduction_pct
    );
    if !sim.exposed_data.is_empty() {
        let _ = writeln!(s, "\nExposed data:");
        for d in &sim.exposed_data {
            let _ = writeln!(
                s,
                "  {:<18} {:<13}{} at {}",
                d.data_class,
                format!("{:?}", d.sensitivity).to_lowercase(),
                if d.crown_jewel { " crown jewel" } else { "" },
                d.at.join(", ")
            );
        }
    }
    if !sim.stolen_credentials.is_empty() {
        let _ = writeln!(s, "\nStolen credentials:");
        for c in &sim.stolen_credentials {
            let _ = writeln!(s, "  {} from {}", credential(&c.credential), c.from);
        }
    }
    let _ = writeln!(s, "\nAttack paths:");
    for r in sim.reached.iter().filter(|r| r.service != sim.origin) {
        let status = if r.compromised {
            "compromised"
        } else {
            "callable"
        };
        let prob = match (r.probability, r.compromise_probability) {
            (Some(p), Some(c)) => format!(", p(call)={p}, p(takeover)={c}"),
            _ => String::new(),
        };
        let exposed = if r.exposed.is_empty() {
            String::new()
        } else {
            format!(" [{}]", r.exposed.join(", "))
        };
        let _ = writeln!(
            s,
            "  {} ({}, {} hop{}{prob}){exposed}",
            r.service,
            status,
            r.hops,
            if r.hops == 1 { "" } else { "s" }
        );
        for h in &r.path {
            let stolen = if h.stolen.is_empty() {
                String::new()
            } else {
                format!(
                    " using stolen {}",
                    h.stolen
                        .iter()
                        .map(credential)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let _ = writeln!(
                s,
                "      {} → {}: {}{stolen}",
                h.from,
                h.to,
                h.decision.describe()
            );
        }
    }
    if sim.reached.iter().all(|r| r.service == sim.origin) {
        let _ = writeln!(s, "  (nothing: the attacker cannot call any service)");
    }
    let c = &sim.choke_points;
    if c.cut.is_empty() {
        let _ = writeln!(s, "\nChoke points: none needed (no crown jewel is reached)");
    } else {
        let _ = writeln!(
            s,
            "\nChoke points: remove these {} flow(s) to cut the attacker off from every crown jewel{}:",
            c.cut.len(),
            if c.verified {
                " (verified by re-running the simulation)"
            } else {
                " (NOT confirmed by re-running the simulation)"
            }
        );
        for p in &c.cut {
            let _ = writeln!(
                s,
                "  {} → {}  ({})",
                p.from,
                p.to,
                p.by.iter()
                    .map(|b| b.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    s
}

fn credential(c: &bulkhead_core::model::Credential) -> String {
    match c {
        bulkhead_core::model::Credential::ApiKey { key } => format!("API key `{key}`"),
        bulkhead_core::model::Credential::Jwt { issuer, scopes } => {
            format!("JWT from `{issuer}` [{}]", scopes.join(", "))
        }
    }
}

/// Every hop on some attack path, once.
fn hops(sim: &Simulation) -> Vec<(String, String)> {
    let mut set = BTreeSet::new();
    for r in &sim.reached {
        for h in &r.path {
            set.insert((h.from.clone(), h.to.clone()));
        }
    }
    set.into_iter().collect()
}

fn jewel(sim: &Simulation, service: &str) -> bool {
    sim.exposed_data
        .iter()
        .any(|d| d.crown_jewel && d.at.iter().any(|a| a == service))
}

pub fn dot(sim: &Simulation) -> String {
    let mut s =
        String::from("digraph attack {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    let _ = writeln!(s, "  \"{}\" [shape=doubleoctagon, color=red];", sim.origin);
    for r in sim.reached.iter().filter(|r| r.service != sim.origin) {
        let color = if jewel(sim, &r.service) {
            "red"
        } else if r.compromised {
            "orange"
        } else {
            "gray"
        };
        let _ = writeln!(
            s,
            "  \"{}\" [color={color}{}];",
            r.service,
            if r.compromised {
                ", style=\"rounded,bold\""
            } else {
                ""
            }
        );
    }
    let cut: BTreeSet<(String, String)> = sim
        .choke_points
        .cut
        .iter()
        .map(|c| (c.from.clone(), c.to.clone()))
        .collect();
    for (a, b) in hops(sim) {
        let style = if cut.contains(&(a.clone(), b.clone())) {
            " [color=red, penwidth=2, label=\"choke point\"]"
        } else {
            ""
        };
        let _ = writeln!(s, "  \"{a}\" -> \"{b}\"{style};");
    }
    s.push_str("}\n");
    s
}

pub fn mermaid(sim: &Simulation) -> String {
    // Mermaid ids must be simple: number the nodes.
    let mut ids: Vec<String> = vec![sim.origin.clone()];
    for r in &sim.reached {
        if !ids.contains(&r.service) {
            ids.push(r.service.clone());
        }
    }
    let id = |x: &str| ids.iter().position(|i| i == x).unwrap_or(0);
    let mut s = String::from("flowchart LR\n");
    for (i, name) in ids.iter().enumerate() {
        let _ = writeln!(s, "  n{i}[\"{name}\"]");
    }
    let cut: BTreeSet<(String, String)> = sim
        .choke_points
        .cut
        .iter()
        .map(|c| (c.from.clone(), c.to.clone()))
        .collect();
    for (a, b) in hops(sim) {
        let arrow = if cut.contains(&(a.clone(), b.clone())) {
            "-- choke point -->"
        } else {
            "-->"
        };
        let _ = writeln!(s, "  n{} {arrow} n{}", id(&a), id(&b));
    }
    let _ = writeln!(s, "  classDef origin stroke:#c00,stroke-width:3px");
    let _ = writeln!(s, "  classDef compromised fill:#fdd");
    let _ = writeln!(s, "  classDef jewel fill:#f66,color:#fff");
    let _ = writeln!(s, "  class n0 origin");
    for r in sim.reached.iter().filter(|r| r.service != sim.origin) {
        let class = if jewel(sim, &r.service) {
            "jewel"
        } else if r.compromised {
            "compromised"
        } else {
            continue;
        };
        let _ = writeln!(s, "  class n{} {class}", id(&r.service));
    }
    s
}
