//! `bulkhead check DESIGN`: hold the design against observed traffic and live policies.
//!
//! Reports observed calls the design denies (with the evaluator's reason), allowances no call
//! used, shadow and zombie services and endpoints, and live connectivity that differs from the
//! design, as text, JSON, SARIF (code scanning) or JUnit XML (CI test reports). Exits 1 when a
//! kind of drift named by `--fail-on` is found (default: violations, live, shadow).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bulkhead_core::drift::live::LiveInput;
use bulkhead_core::drift::{
    Drift, DriftKind, GatewayDifference, LiveVerdict, ShadowEndpoint, Violation, ZombieEndpoint,
    check, compare_gateway,
};
use bulkhead_core::model::Design;
use serde_json::json;

use super::common::{self, EXIT_FINDINGS, OutputFormat};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Traffic logs: NGINX or ingress-nginx access logs, Hubble JSON flows, Zeek conn.log, or
    /// CSV (`src,dst,port,method,path,count`). The design's observed flows count too.
    #[arg(long, num_args = 1.., value_name = "LOG")]
    pub traffic: Vec<PathBuf>,
    /// Only count flows last seen in the last DURATION (`30m`, `12h`, `7d`) before the newest
    /// call observed, so old logs check the same way on any day.
    #[arg(long, value_name = "DURATION")]
    pub window: Option<String>,
    /// Kinds of drift that make the check fail (exit 1): violations, live, shadow, unused,
    /// zombies; comma-separated, or `none`.
    #[arg(long, default_value = "violations,live,shadow", value_name = "KINDS")]
    pub fail_on: String,
    /// Live policies: Kubernetes manifests (files or folders) holding the NetworkPolicies in
    /// force and the workloads, namespaces and Services they apply to, whose connectivity is
    /// compared with the design pair by pair at L4; and/or a Kong declarative config (decK
    /// 3.0), whose routes, auth and ACL plugins are compared per declared endpoint and caller
    /// (see `docs/drift.md`).
    #[arg(long, num_args = 1.., value_name = "MANIFESTS|KONG")]
    pub live: Vec<PathBuf>,
    #[command(flatten)]
    pub today: common::TodayArg,
}

pub fn run(args: &Args) -> ExitCode {
    let fail_on = match parse_fail_on(&args.fail_on) {
        Ok(k) => k,
        Err(e) => return common::fail_usage(e),
    };
    // Expired exceptions no longer allow: a call only they allowed is a violation.
    let today = match common::evaluation_date(args.today.today.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let window = match args.window.as_deref().map(parse_duration).transpose() {
        Ok(w) => w,
        Err(e) => return common::fail_usage(e),
    };
    let human = if args.format == Format::Text {
        OutputFormat::Human
    } else {
        OutputFormat::Json
    };
    let design = match common::load_valid(&args.design, human) {
        Ok(l) => l.design,
        Err(code) => return code,
    };
    let observed = match super::traffic::read_logs(&args.traffic, &design) {
        Ok(o) => o,
        Err(e) => return common::fail_usage(e),
    };
    let (mut flows, mut traffic) = (observed.flows, observed.summary);
    // The design's own observed flows count as traffic too; with a window, only those seen in
    // it.
    let mut inventory = design.clone();
    let mut outside = 0;
    if let Some(secs) = window {
        outside = super::traffic::apply_window(&mut inventory, &mut flows, secs);
        traffic.window = args.window.clone();
    }
    let (live, kong) = if args.live.is_empty() {
        (None, None)
    } else {
        let kong = match read_kong(&args.live) {
            Ok(k) => k,
            Err(code) => return code,
        };
        match read_live(&args.live, &design, kong.is_some()) {
            Ok(l) => (l, kong),
            Err(code) => return code,
        }
    };
    // Without `--live`, the live policy the last import recorded in the design (if any).
    let live_connectivity = live
        .as_ref()
        .map(|l| &l.connectivity)
        .or(design.live.as_ref());
    let mut drift = check(&inventory, &flows, live_connectivity, traffic, today);
    if live.is_none()
        && let Some(l) = &design.live
    {
        drift.notes.push(format!(
            "live policies: as recorded in the design by `bulkhead import` (from {}); pass `--live MANIFESTS` to check the current ones",
            l.source
        ));
    }
    if let (Some(input), Some(l)) = (&live, drift.live.as_mut()) {
        input.annotate(l);
    }
    if let Some((path, config)) = &kong {
        let policy = bulkhead_import::kong_live::gateway_policy(
            config,
            &inventory,
            &path.display().to_string(),
        );
        drift.with_gateway(compare_gateway(&inventory, &policy, today));
    }
    if outside > 0 {
        drift.notes.push(format!(
            "{outside} observed flow(s) last seen before the window were left out"
        ));
    }
    let failed = drift.summary.fails(&fail_on);
    let printed = match args.format {
        Format::Json => super::json_out::print_json(&drift),
        Format::Sarif => super::json_out::print_json(&sarif(&drift, &args.design)),
        Format::Junit => common::finish_with(&junit(&drift, &fail_on), ExitCode::SUCCESS),
        Format::Text => common::finish_with(&text(&drift, &fail_on), ExitCode::SUCCESS),
    };
    if printed != ExitCode::SUCCESS {
        return printed;
    }
    if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// The Kong declarative config among the `--live` files, if any (`bulkhead_import::live`).
fn read_kong(paths: &[PathBuf]) -> Result<Option<(PathBuf, serde_json::Value)>, ExitCode> {
    bulkhead_import::live::read_kong_config(paths).map_err(|errors| {
        for e in &errors {
            eprintln!("error: `--live`: {e}");
        }
        ExitCode::from(common::EXIT_USAGE)
    })
}

/// Reads the live manifests and computes their connectivity over the design's services
/// (`bulkhead_import::live`, shared with the app), or prints every problem (file:line, JSON
/// pointer) and returns exit code 2. With a Kong config among them (`kong`) and no
/// NetworkPolicy, there is nothing to compute: `None`.
fn read_live(
    paths: &[PathBuf],
    design: &Design,
    kong: bool,
) -> Result<Option<LiveInput>, ExitCode> {
    bulkhead_import::live::read_live_policies_or_none(paths, design, kong).map_err(|errors| {
        for e in &errors {
            eprintln!("error: `--live`: {e}");
        }
        ExitCode::from(common::EXIT_USAGE)
    })
}

fn parse_fail_on(s: &str) -> Result<Vec<DriftKind>, String> {
    if s.trim() == "none" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            DriftKind::parse(k).ok_or_else(|| {
                format!(
                    "`--fail-on` takes {} or `none`, not `{k}`",
                    DriftKind::ALL
                        .iter()
                        .map(|k| format!("`{}`", k.name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect()
}

/// `90s`, `30m`, `12h`, `7d`, `2w` → seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    bulkhead_import::logs::parse_duration(s).ok_or_else(|| {
        format!(
            "`--window` takes a duration like `30m`, `12h` or `7d`, not `{}`",
            s.trim()
        )
    })
}

fn port(p: Option<u32>) -> String {
    p.map(|p| format!(":{p}")).unwrap_or_default()
}

/// `denied`, `allowed on 80,443`, `allowed on any port`, with ports allowed only for some
/// pods or addresses after it.
fn live_ports(ports: &[Option<u32>], partly: &[Option<u32>]) -> String {
    let list = |p: &[Option<u32>]| {
        p.iter()
            .map(|p| p.map_or_else(|| "any port".to_string(), |p| p.to_string()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = if ports.is_empty() {
        "denied".to_string()
    } else {
        format!("allowed on {}", list(ports))
    };
    if !partly.is_empty() {
        let _ = write!(out, " (for some pods or addresses only: {})", list(partly));
    }
    out
}

fn live_verdict(v: LiveVerdict) -> &'static str {
    match v {
        LiveVerdict::Allowed => "allows",
        LiveVerdict::Partly => "partly allows",
        LiveVerdict::Denied => "denies",
    }
}

/// One difference's ports in words: `8080: design denies, live allows`.
fn port_differences(x: &bulkhead_core::drift::LiveDifference) -> String {
    x.ports
        .iter()
        .map(|p| {
            format!(
                "{}: design {}, live {}",
                p.port
                    .map_or_else(|| "any port".to_string(), |p| p.to_string()),
                design_verdict(p.design),
                live_verdict(p.live)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn l7(method: &Option<String>, path: &Option<String>) -> String {
    match (method, path) {
        (None, None) => String::new(),
        (m, p) => format!(
            " {} {}",
            m.as_deref().unwrap_or("*"),
            p.as_deref().unwrap_or("")
        )
        .trim_end()
        .to_string(),
    }
}

// The names of items that the text, SARIF and JUnit reports (and SARIF's fingerprints) share.
// The reports walk the sections each in its own order and grouping (JUnit's suites differ).

/// `from → to:port METHOD /path` (`arrow` between the two: `>` in fingerprints).
fn call(v: &Violation, arrow: &str) -> String {
    format!(
        "{}{arrow}{}{}{}",
        v.from,
        v.to,
        port(v.port),
        l7(&v.method, &v.path)
    )
}

/// `from → to:port METHOD /path` of a gateway difference (`arrow` as in [`call`]).
fn gateway_pair(x: &GatewayDifference, arrow: &str) -> String {
    format!(
        "{}{arrow}{}{} {} {}",
        x.from,
        x.to,
        port(x.port),
        x.method,
        x.path
    )
}

/// `service METHOD /path`, `*` for any method.
fn shadow_endpoint(x: &ShadowEndpoint) -> String {
    format!(
        "{} {} {}",
        x.service,
        x.method.as_deref().unwrap_or("*"),
        x.path
    )
}

/// `service METHOD /path`.
fn zombie_endpoint(z: &ZombieEndpoint) -> String {
    format!("{} {} {}", z.service, z.method, z.path)
}

/// What the design does with a call.
fn design_verdict(allows: bool) -> &'static str {
    if allows { "allows" } else { "denies" }
}

/// The report for a terminal.
pub fn text(d: &Drift, fail_on: &[DriftKind]) -> String {
    let mut s = String::new();
    let t = &d.traffic;
    let _ = writeln!(
        s,
        "Drift check of `{}`: {} observed call(s) in {} flow(s){}{}",
        d.design,
        t.calls,
        t.flows,
        match (&t.first_seen, &t.last_seen) {
            (Some(a), Some(b)) => format!(", {a} .. {b}"),
            _ => String::new(),
        },
        t.window
            .as_ref()
            .map(|w| format!(" (window {w})"))
            .unwrap_or_default()
    );
    if t.lines > 0 || t.unparsed_lines > 0 {
        let _ = writeln!(
            s,
            "  {} log line(s) read, {} skipped, {} unparsed",
            t.lines, t.skipped_lines, t.unparsed_lines
        );
        for e in &t.unparsed_examples {
            let _ = writeln!(s, "    {e}");
        }
    }
    let section = |s: &mut String, title: &str, n: usize| {
        let _ = writeln!(s, "\n{title} ({n})");
    };
    section(
        &mut s,
        "Violations: observed calls the design denies",
        d.violations.len(),
    );
    for v in &d.violations {
        let _ = writeln!(
            s,
            "  {}  {} call(s)\n    {}",
            call(v, " → "),
            v.calls,
            v.explanation
        );
    }
    section(
        &mut s,
        "Unused allowances: candidates to tighten",
        d.unused.len(),
    );
    for u in &d.unused {
        let _ = writeln!(
            s,
            "  {}: {} of {} allowed pair-port(s) unused{}",
            u.by.label(),
            u.allowed - u.used,
            u.allowed,
            if u.entirely_unused {
                " (never used: remove?)"
            } else {
                ""
            }
        );
        for e in u.entries.iter().take(5) {
            let _ = writeln!(
                s,
                "    {} → {}{}{}",
                e.from,
                e.to,
                port(e.port),
                if e.declared { "  (declared)" } else { "" }
            );
        }
        if u.entries.len() > 5 {
            let _ = writeln!(s, "    … {} more", u.allowed - u.used - 5);
        }
    }
    section(
        &mut s,
        "Shadow services: seen, not in the inventory",
        d.shadow_services.len(),
    );
    for x in &d.shadow_services {
        let _ = writeln!(
            s,
            "  {}  in {} / out {} call(s); peers: {}",
            x.name,
            x.calls_in,
            x.calls_out,
            if x.peers.is_empty() {
                "-".to_string()
            } else {
                x.peers.join(", ")
            }
        );
    }
    section(
        &mut s,
        "Shadow endpoints: called, not declared",
        d.shadow_endpoints.len(),
    );
    for x in &d.shadow_endpoints {
        let _ = writeln!(
            s,
            "  {}  {} call(s) from {}",
            shadow_endpoint(x),
            x.calls,
            x.callers.join(", ")
        );
    }
    section(
        &mut s,
        "Zombie services: in the inventory, never called",
        d.zombie_services.len(),
    );
    for z in &d.zombie_services {
        let _ = writeln!(
            s,
            "  {}{}{}",
            z.service,
            if z.calls_out > 0 {
                format!("  (calls others: {})", z.calls_out)
            } else {
                String::new()
            },
            if z.declared_callers.is_empty() {
                String::new()
            } else {
                format!("  declared callers: {}", z.declared_callers.join(", "))
            }
        );
    }
    section(
        &mut s,
        "Zombie endpoints: declared, never called",
        d.zombie_endpoints.len(),
    );
    for z in &d.zombie_endpoints {
        let _ = writeln!(s, "  {}", zombie_endpoint(z));
    }
    if let Some(l) = &d.live {
        section(
            &mut s,
            &format!(
                "Live policies differing from the design at L4 ({} NetworkPolicies, {} pair(s) compared)",
                l.policies, l.pairs_compared
            ),
            l.differences.len(),
        );
        let _ = writeln!(s, "  from {}", l.source);
        for x in &l.differences {
            let _ = writeln!(
                s,
                "  {} → {}: design {}{}; live {}",
                x.from,
                x.to,
                live_ports(&x.design.ports, &[]),
                if x.design.by.is_empty() {
                    String::new()
                } else {
                    format!(
                        " by {}",
                        x.design
                            .by
                            .iter()
                            .map(|b| b.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                live_ports(&x.live.ports, &x.live.partly),
            );
            if let Some(c) = &x.live.connections {
                let _ = writeln!(s, "    live policies allow: {c}");
            }
            for w in &x.live_why {
                let _ = writeln!(s, "    {w}");
            }
        }
        if !l.unmapped_services.is_empty() {
            let _ = writeln!(
                s,
                "  design services with no live workload (not compared): {}",
                l.unmapped_services.join(", ")
            );
        }
        if !l.unmapped_workloads.is_empty() {
            let _ = writeln!(
                s,
                "  live workloads not in the design: {}",
                l.unmapped_workloads.join(", ")
            );
        }
    }
    if let Some(g) = &d.gateway {
        section(
            &mut s,
            &format!(
                "Live gateway ({}) differing from the design at L7, of {} caller-endpoint pair(s)",
                g.kind, g.compared
            ),
            g.differences.len(),
        );
        let _ = writeln!(s, "  from {}", g.source);
        for x in g.differences.iter().take(200) {
            let _ = writeln!(
                s,
                "  {}: design {}; gateway {}\n    design: {}\n    gateway: {}{}",
                gateway_pair(x, " → "),
                design_verdict(x.design),
                if x.gateway {
                    "lets it through"
                } else {
                    "refuses it"
                },
                x.design_why,
                x.route
                    .as_ref()
                    .map(|r| format!("route `{r}`: "))
                    .unwrap_or_default(),
                x.gateway_why
            );
        }
        if g.differences.len() > 200 {
            let _ = writeln!(
                s,
                "  … {} more (all of them with --format json)",
                g.differences.len() - 200
            );
        }
        if !g.unmapped_services.is_empty() {
            let _ = writeln!(
                s,
                "  gateway services whose upstream is not in the design (not compared): {}",
                g.unmapped_services.join(", ")
            );
        }
        if !g.unmapped_consumers.is_empty() {
            let _ = writeln!(
                s,
                "  consumers that are no design service: {}",
                g.unmapped_consumers.join(", ")
            );
        }
        for n in &g.notes {
            let _ = writeln!(s, "  note: {n}");
        }
    }
    for n in &d.notes {
        let _ = writeln!(s, "\nnote: {n}");
    }
    let failing: Vec<String> = fail_on
        .iter()
        .filter(|k| d.summary.count(**k) > 0)
        .map(|k| format!("{} {}", d.summary.count(*k), k.name()))
        .collect();
    let _ = writeln!(
        s,
        "\n{}",
        if failing.is_empty() {
            "PASS".to_string()
        } else {
            format!("FAIL: {}", failing.join(", "))
        }
    );
    s
}

/// The SARIF rules of a drift check.
const SARIF_RULES: [(&str, &str, &str, &str); 8] = [
    (
        "BHD001",
        "observed-call-denied",
        "An observed call that the design denies.",
        "Either the design is missing a rule the application needs (add one, with a justification) or something is calling that should not (investigate, then block it at the enforcement point).",
    ),
    (
        "BHD002",
        "unused-allowance",
        "An allowance that no observed call used in the window.",
        "Narrow or remove the rule (`bulkhead propose` writes the least-privilege diff), or keep it and record why in its justification.",
    ),
    (
        "BHD003",
        "shadow-service",
        "A peer seen in traffic that the inventory does not have.",
        "Import it (`bulkhead import`) and give it a segment, or find out why it exists.",
    ),
    (
        "BHD004",
        "shadow-endpoint",
        "A call to a method and path the service does not declare.",
        "Add the endpoint to the service's API description, or find out who calls it and why.",
    ),
    (
        "BHD005",
        "zombie-service",
        "A service in the inventory that no observed call reached.",
        "Decommission it, or confirm it is still needed (and how it is reached).",
    ),
    (
        "BHD006",
        "zombie-endpoint",
        "A declared endpoint that no observed call used.",
        "Remove the endpoint or confirm it is still needed.",
    ),
    (
        "BHD007",
        "live-policy-drift",
        "The live policies allow a different set of ports for a pair than the design.",
        "Re-export the design (`bulkhead export`) and apply it, or update the design to what is intended.",
    ),
    (
        "BHD008",
        "live-gateway-drift",
        "The live API gateway (Kong) lets a caller through to an endpoint that the design denies, or refuses one the design allows.",
        "Re-export the design (`bulkhead export --target kong`) and apply it, or update the design to what is intended.",
    ),
];

/// Line (1-based) of `"id": "<id>"` in the design text, for SARIF regions.
fn line_of_id(text: &str, id: &str) -> Option<usize> {
    let needle = format!("\"id\": \"{id}\"");
    text.lines()
        .position(|l| l.contains(&needle))
        .map(|i| i + 1)
}

/// SARIF 2.1.0: one result per drift item, located in the design file (at the rule or
/// service concerned when the design names it).
pub fn sarif(d: &Drift, design: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(design).unwrap_or_default();
    let uri = design.to_string_lossy().replace('\\', "/");
    let loc = |id: Option<&str>| {
        let mut phys = json!({ "artifactLocation": { "uri": uri } });
        if let Some(line) = id.and_then(|i| line_of_id(&text, i)) {
            phys["region"] = json!({ "startLine": line });
        }
        json!([{ "physicalLocation": phys }])
    };
    let mut results = Vec::new();
    let mut push = |rule: &str, level: &str, message: String, at: Option<&str>, key: String| {
        results.push(json!({
            "ruleId": rule,
            "level": level,
            "message": { "text": message },
            "locations": loc(at),
            "partialFingerprints": { "bulkheadDrift/v1": key },
        }));
    };
    for v in &d.violations {
        push(
            "BHD001",
            "error",
            format!(
                "{} was called {} time(s) but the design denies it: {}",
                call(v, " → "),
                v.calls,
                v.explanation
            ),
            Some(&v.to),
            call(v, ">"),
        );
    }
    for u in &d.unused {
        let id = match &u.by {
            bulkhead_core::eval::AllowedBy::Rule { rule } => rule.clone(),
            bulkhead_core::eval::AllowedBy::IntraSegment { segment } => segment.clone(),
        };
        push(
            "BHD002",
            "note",
            format!(
                "{} allows {} pair-port(s), {} unused in the window",
                u.by.label(),
                u.allowed,
                u.allowed - u.used
            ),
            Some(&id),
            u.by.label(),
        );
    }
    for x in &d.shadow_services {
        push(
            "BHD003",
            "warning",
            format!(
                "`{}` is not in the inventory ({} call(s) in, {} out)",
                x.name, x.calls_in, x.calls_out
            ),
            None,
            x.name.clone(),
        );
    }
    for x in &d.shadow_endpoints {
        push(
            "BHD004",
            "warning",
            format!(
                "`{}` was called on {} {}, which it does not declare",
                x.service,
                x.method.as_deref().unwrap_or("*"),
                x.path
            ),
            Some(&x.service),
            format!("{} {:?} {}", x.service, x.method, x.path),
        );
    }
    for z in &d.zombie_services {
        push(
            "BHD005",
            "note",
            format!("`{}` was never called in the window", z.service),
            Some(&z.service),
            z.service.clone(),
        );
    }
    for z in &d.zombie_endpoints {
        push(
            "BHD006",
            "note",
            format!(
                "{} {} of `{}` was never called",
                z.method, z.path, z.service
            ),
            Some(&z.service),
            zombie_endpoint(z),
        );
    }
    if let Some(l) = &d.live {
        for x in &l.differences {
            push(
                "BHD007",
                "error",
                format!(
                    "{} → {} differs at L4 ({}); the live policies allow {}",
                    x.from,
                    x.to,
                    port_differences(x),
                    x.live.connections.as_deref().unwrap_or("none")
                ),
                Some(&x.to),
                format!("{}>{}", x.from, x.to),
            );
        }
    }
    if let Some(g) = &d.gateway {
        for x in &g.differences {
            push(
                "BHD008",
                "error",
                format!(
                    "{}: the design {} it ({}); the gateway {} it ({}{})",
                    gateway_pair(x, " → "),
                    design_verdict(x.design),
                    x.design_why,
                    if x.gateway { "lets through" } else { "refuses" },
                    x.route
                        .as_ref()
                        .map(|r| format!("route `{r}`: "))
                        .unwrap_or_default(),
                    x.gateway_why
                ),
                Some(&x.to),
                gateway_pair(x, ">"),
            );
        }
    }
    let rules: Vec<serde_json::Value> = SARIF_RULES
        .iter()
        .map(|(id, name, what, fix)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": { "text": what },
                "help": { "text": format!("{what}\n\nHow to fix: {fix}") },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bulkhead check",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/bulkhead",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per kind of drift, one test case per item (failed when the kind
/// fails the check, otherwise reported as skipped so CI shows it without failing), and a
/// passing case for each clean kind.
pub fn junit(d: &Drift, fail_on: &[DriftKind]) -> String {
    // (kind, suite name, [(test case, detail)])
    type Suite<'a> = (DriftKind, &'a str, Vec<(String, String)>);
    let mut suites: Vec<Suite> = Vec::new();
    suites.push((
        DriftKind::Violations,
        "violations",
        d.violations
            .iter()
            .map(|v| {
                (
                    call(v, " → "),
                    format!("{} call(s): {}", v.calls, v.explanation),
                )
            })
            .collect(),
    ));
    suites.push((
        DriftKind::Live,
        "live-policies",
        d.live
            .iter()
            .flat_map(|l| &l.differences)
            .map(|x| {
                (
                    format!("{} → {}", x.from, x.to),
                    format!(
                        "{}; live policies allow {}",
                        port_differences(x),
                        x.live.connections.as_deref().unwrap_or("none")
                    ),
                )
            })
            .collect(),
    ));
    if let Some(g) = &d.gateway {
        suites.push((
            DriftKind::Live,
            "live-gateway",
            g.differences
                .iter()
                .map(|x| {
                    (
                        gateway_pair(x, " → "),
                        format!(
                            "design {} ({}); gateway {} ({})",
                            design_verdict(x.design),
                            x.design_why,
                            if x.gateway { "lets through" } else { "refuses" },
                            x.gateway_why
                        ),
                    )
                })
                .collect(),
        ));
    }
    let mut shadow: Vec<(String, String)> = d
        .shadow_services
        .iter()
        .map(|x| {
            (
                format!("service {}", x.name),
                format!("{} call(s) in, {} out", x.calls_in, x.calls_out),
            )
        })
        .collect();
    shadow.extend(d.shadow_endpoints.iter().map(|x| {
        (
            format!("endpoint {}", shadow_endpoint(x)),
            format!("{} call(s)", x.calls),
        )
    }));
    suites.push((DriftKind::Shadow, "shadow", shadow));
    suites.push((
        DriftKind::Unused,
        "unused-allowances",
        d.unused
            .iter()
            .map(|u| {
                (
                    u.by.label(),
                    format!("{} of {} unused", u.allowed - u.used, u.allowed),
                )
            })
            .collect(),
    ));
    let mut zombies: Vec<(String, String)> = d
        .zombie_services
        .iter()
        .map(|z| (format!("service {}", z.service), "never called".into()))
        .collect();
    zombies.extend(d.zombie_endpoints.iter().map(|z| {
        (
            format!("endpoint {}", zombie_endpoint(z)),
            "never called".into(),
        )
    }));
    suites.push((DriftKind::Zombies, "zombies", zombies));

    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: usize = suites.iter().map(|x| x.2.len().max(1)).sum();
    let failures: usize = suites
        .iter()
        .filter(|x| fail_on.contains(&x.0))
        .map(|x| x.2.len())
        .sum();
    let _ = writeln!(
        s,
        "<testsuites name=\"bulkhead check {}\" tests=\"{total}\" failures=\"{failures}\">",
        xml_escape(&d.design)
    );
    for (kind, name, items) in &suites {
        let fails = fail_on.contains(kind);
        let _ = writeln!(
            s,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            items.len().max(1),
            if fails { items.len() } else { 0 },
            if fails { 0 } else { items.len() }
        );
        if items.is_empty() {
            let _ = writeln!(
                s,
                "    <testcase classname=\"bulkhead.{name}\" name=\"no {name}\"/>"
            );
        }
        for (title, detail) in items {
            let _ = writeln!(
                s,
                "    <testcase classname=\"bulkhead.{name}\" name=\"{}\">",
                xml_escape(title)
            );
            if fails {
                let _ = writeln!(
                    s,
                    "      <failure message=\"{}\" type=\"{name}\"/>",
                    xml_escape(detail)
                );
            } else {
                let _ = writeln!(s, "      <skipped message=\"{}\"/>", xml_escape(detail));
            }
            let _ = writeln!(s, "    </testcase>");
        }
        let _ = writeln!(s, "  </testsuite>");
    }
    s.push_str("</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_import::logs::parse_timestamp;

    #[test]
    fn durations_and_timestamps() {
        assert_eq!(parse_duration("7d"), Ok(7 * 86_400));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert!(parse_duration("7 days").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("0h").is_err());
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp("2021-06-16T16:52:13.136834446Z"),
            Some(1_623_862_333)
        );
        assert_eq!(
            parse_timestamp("2021-06-16T18:52:13+02:00"),
            Some(1_623_862_333)
        );
        assert_eq!(parse_timestamp("16/Jun/2021"), None);
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
