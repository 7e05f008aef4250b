//! `bulkhead netpol`: what Kubernetes NetworkPolicies really allow.
//!
//! - `netpol connectivity MANIFESTS... [--format text|json|nca] [--explain SRC DST]` reads
//!   manifests (files or folders; workloads, namespaces and NetworkPolicies) and prints every
//!   allowed connection between workloads and with external address ranges, or explains one
//!   pair. `--format nca` prints lines comparable with network-config-analyzer's
//!   `-o txt_no_fw_rules --output_endpoints deployments`.
//! - `netpol sample` writes a synthetic cluster (for demos, benchmarks and comparisons).
//!
//! Reading is `bulkhead_import::manifests`; every semantic decision is
//! `bulkhead_core::netpol`.

use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use bulkhead_core::netpol::explain::{Endpoint, Explanation, SideVerdict};
use bulkhead_core::netpol::{Cluster, Connectivity, explain, report, sample};
use bulkhead_import::files::ReadError;
use bulkhead_import::manifests::{ManifestDocument, ManifestError, ManifestLimits};
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Print the connections that NetworkPolicies allow between workloads and with external
    /// address ranges (or explain one pair with `--explain`).
    Connectivity(ConnectivityArgs),
    /// Write a synthetic cluster (namespaces, workloads, NetworkPolicies) as YAML documents.
    Sample(SampleArgs),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable lines.
    Text,
    /// One JSON object.
    Json,
    /// Lines like network-config-analyzer's `-o txt_no_fw_rules`.
    Nca,
}

#[derive(clap::Args, Debug)]
pub struct ConnectivityArgs {
    /// Manifest files or folders (YAML or JSON; folders are read recursively).
    #[arg(required = true, value_name = "MANIFESTS")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Explain one connection: SRC and DST are workloads (`ns/name`, `ns/name[Kind]` or a
    /// unique `name`) or external IP addresses.
    #[arg(long, num_args = 2, value_names = ["SRC", "DST"])]
    pub explain: Option<Vec<String>>,
    /// Print how long each phase took (reading the manifests, building the cluster,
    /// computing, printing) to standard error.
    #[arg(long)]
    pub timings: bool,
}

/// Phase durations for `--timings`.
struct Timings {
    enabled: bool,
    last: Instant,
    start: Instant,
}

impl Timings {
    fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Timings {
            enabled,
            last: now,
            start: now,
        }
    }

    /// Reports the time since the previous phase ended.
    fn phase(&mut self, name: &str) {
        let now = Instant::now();
        if self.enabled {
            eprintln!(
                "timing: {name:<28} {:>9.3} s",
                (now - self.last).as_secs_f64()
            );
        }
        self.last = now;
    }

    fn total(&self) {
        if self.enabled {
            eprintln!(
                "timing: {:<28} {:>9.3} s",
                "total (wall)",
                self.start.elapsed().as_secs_f64()
            );
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleKind {
    /// A large estate: namespaces of 50 Deployments, default deny per namespace, one policy
    /// per workload with several rules (what the benchmark measures).
    Estate,
    /// A small random cluster exercising every NetworkPolicy feature (what the differential
    /// test against NCA uses).
    Small,
}

#[derive(clap::Args, Debug)]
pub struct SampleArgs {
    #[arg(long, value_enum, default_value_t = SampleKind::Estate)]
    pub kind: SampleKind,
    /// Number of workloads (estate only).
    #[arg(long, default_value_t = 200)]
    pub workloads: usize,
    /// Seed: the same seed gives the same documents.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Largest estate `netpol sample` writes.
const MAX_SAMPLE_WORKLOADS: usize = 1_000_000;

pub fn run(cmd: &Command) -> ExitCode {
    match cmd {
        Command::Connectivity(a) => connectivity(a),
        Command::Sample(a) => sample_cmd(a),
    }
}

fn limits() -> ManifestLimits {
    let mut l = ManifestLimits::default();
    // Estates put thousands of objects in one file.
    l.yaml.max_documents = 500_000;
    l
}

/// Reads the manifests and builds the cluster, or prints every problem and returns the exit
/// code (1 for invalid input, 2 for unreadable files).
fn load(
    paths: &[PathBuf],
    timings: &mut Timings,
) -> Result<(Cluster, Vec<ManifestDocument>), ExitCode> {
    let set = bulkhead_import::read_manifests(paths, &limits());
    timings.phase("read and parse manifests");
    let mut code = 0u8;
    for e in &set.errors {
        eprintln!("error: {e}");
        let io = matches!(
            e,
            ManifestError::Read(
                ReadError::Io { .. }
                    | ReadError::TooLarge { .. }
                    | ReadError::TotalTooLarge { .. }
                    | ReadError::TooManyFiles { .. }
            )
        );
        code = code.max(if io { 2 } else { 1 });
    }
    if code != 0 {
        return Err(ExitCode::from(code));
    }
    match Cluster::from_values(set.documents.iter().map(|d| &d.value)) {
        Ok(c) => {
            timings.phase("build the cluster");
            Ok((c, set.documents))
        }
        Err(errors) => {
            for e in &errors {
                let d = &set.documents[e.document];
                eprintln!(
                    "error: {} ({}): at {}: {}",
                    d.location(),
                    d.element(),
                    if e.pointer.is_empty() {
                        "/"
                    } else {
                        &e.pointer
                    },
                    e.message
                );
            }
            eprintln!("{} problem(s); nothing was computed", errors.len());
            Err(ExitCode::from(1))
        }
    }
}

fn connectivity(args: &ConnectivityArgs) -> ExitCode {
    let mut timings = Timings::new(args.timings);
    let (cluster, docs) = match load(&args.paths, &mut timings) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if cluster.workloads.is_empty() {
        eprintln!(
            "warning: no workloads (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob) in {}",
            args.paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let out = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, out.lock());
    let result = if let Some(pair) = &args.explain {
        let endpoint = |s: &str| -> Result<Endpoint, String> {
            if let Ok(ip) = s.parse::<IpAddr>() {
                return Ok(Endpoint::External(ip));
            }
            cluster.find_workload(s).map(Endpoint::Workload)
        };
        let (src, dst) = match (endpoint(&pair[0]), endpoint(&pair[1])) {
            (Ok(s), Ok(d)) => (s, d),
            (s, d) => {
                for e in [s.err(), d.err()].into_iter().flatten() {
                    eprintln!("error: {e}");
                }
                return ExitCode::from(2);
            }
        };
        if matches!((src, dst), (Endpoint::External(_), Endpoint::External(_))) {
            eprintln!(
                "error: one side of `--explain` must be a workload: NetworkPolicies do not govern traffic between two external addresses"
            );
            return ExitCode::from(2);
        }
        let e = explain(&cluster, src, dst);
        write_explanation(&mut out, &e, args.format)
    } else {
        // The documents are no longer needed: free them before the pairs take memory.
        drop(docs);
        let conn = Connectivity::compute(&cluster);
        timings.phase("compute connectivity");
        match args.format {
            Format::Nca => {
                let lines = report::NcaLines::new(&cluster, &conn);
                timings.phase("order the lines");
                lines.for_each(|pieces| {
                    for p in pieces {
                        out.write_all(p.as_bytes())?;
                    }
                    out.write_all(b"\n")
                })
            }
            Format::Json => write_json(&mut out, &cluster, &conn),
            Format::Text => write_text(&mut out, &cluster, &conn),
        }
    };
    let result = result.and_then(|()| out.flush());
    timings.phase("print");
    timings.total();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::from(2)
        }
    }
}

/// External ranges as CIDRs when that is short, else as `first-last`.
fn range_text(r: &bulkhead_core::netpol::ip::IpRange) -> String {
    let cidrs = r.cidrs();
    if cidrs.len() <= 3 {
        cidrs.join(", ")
    } else {
        r.to_string()
    }
}

fn write_text(out: &mut impl Write, cluster: &Cluster, conn: &Connectivity) -> std::io::Result<()> {
    let names: Vec<String> = cluster.workloads.iter().map(|w| w.display_name()).collect();
    let mut pairs: Vec<(&str, &str, String)> = conn
        .pairs()
        .map(|(s, d, c)| (names[s].as_str(), names[d].as_str(), c.to_string()))
        .collect();
    pairs.sort();
    writeln!(
        out,
        "{} workloads in {} namespaces, {} NetworkPolicies ({} equivalence classes)",
        cluster.workloads.len(),
        cluster.namespaces.len(),
        cluster.policies.len(),
        conn.class_count()
    )?;
    writeln!(out, "\nworkload to workload: {} allowed pairs", pairs.len())?;
    for (s, d, c) in &pairs {
        writeln!(out, "  {s} -> {d}: {c}")?;
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    writeln!(out, "\nfrom external addresses:")?;
    for &w in &order {
        for (r, c) in conn.external_ingress(w) {
            writeln!(out, "  {} -> {}: {c}", range_text(&r), names[w])?;
        }
    }
    writeln!(out, "\nto external addresses:")?;
    for &w in &order {
        for (r, c) in conn.external_egress(w) {
            writeln!(out, "  {} -> {}: {c}", names[w], range_text(&r))?;
        }
    }
    Ok(())
}

fn write_json(out: &mut impl Write, cluster: &Cluster, conn: &Connectivity) -> std::io::Result<()> {
    let names: Vec<String> = cluster.workloads.iter().map(|w| w.display_name()).collect();
    let mut pairs: Vec<(&str, &str, String)> = conn
        .pairs()
        .map(|(s, d, c)| (names[s].as_str(), names[d].as_str(), c.canonical()))
        .collect();
    pairs.sort();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let mut external = Vec::new();
    for &w in &order {
        for (dir, list) in [
            ("egress", conn.external_egress(w).collect::<Vec<_>>()),
            ("ingress", conn.external_ingress(w).collect()),
        ] {
            for (r, c) in list {
                external.push(
                    json!({"workload": names[w], "direction": dir, "first": r.first.to_string(),
                    "last": r.last.to_string(), "cidrs": r.cidrs(), "connections": c.canonical()}),
                );
            }
        }
    }
    let workloads: Vec<_> = order
        .iter()
        .map(|&i| {
            let w = &cluster.workloads[i];
            json!({"name": names[i], "namespace": w.namespace, "kind": w.kind.as_str(), "labels": w.labels})
        })
        .collect();
    let doc = json!({
        "workloads": workloads,
        "policies": cluster.policies.iter().map(|p| p.display_name()).collect::<Vec<_>>(),
        "pairs": pairs.iter().map(|(s, d, c)| json!({"src": s, "dst": d, "connections": c})).collect::<Vec<_>>(),
        "external": external,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn write_explanation(out: &mut impl Write, e: &Explanation, format: Format) -> std::io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, e)?;
        return writeln!(out);
    }
    let verdict = if e.allowed.is_empty() {
        "denied".to_string()
    } else {
        format!("allowed: {}", e.allowed)
    };
    writeln!(out, "{} -> {}: {verdict}", e.src, e.dst)?;
    let side = |out: &mut dyn Write, who: &str, v: &SideVerdict| -> std::io::Result<()> {
        writeln!(out, "\n{} of {who}: {}", v.direction, v.summary)?;
        if !v.selecting_policies.is_empty() {
            writeln!(out, "  selected by: {}", v.selecting_policies.join(", "))?;
        }
        for m in &v.matching_rules {
            let peer = match &m.peer {
                Some((i, text)) => format!("peer {i}: {text}"),
                None => "no peers: everyone".to_string(),
            };
            writeln!(
                out,
                "  rule {}.{}[{}] ({peer}) allows {}",
                m.policy, m.direction, m.rule, m.connections
            )?;
        }
        Ok(())
    };
    side(out, &e.src, &e.egress)?;
    side(out, &e.dst, &e.ingress)
}

fn sample_cmd(args: &SampleArgs) -> ExitCode {
    let docs = match args.kind {
        SampleKind::Estate => {
            if args.workloads == 0 || args.workloads > MAX_SAMPLE_WORKLOADS {
                eprintln!("error: `--workloads` must be between 1 and {MAX_SAMPLE_WORKLOADS}");
                return ExitCode::from(2);
            }
            sample::estate(args.workloads, args.seed)
        }
        SampleKind::Small => sample::small_case(args.seed, &format!("s{}", args.seed)),
    };
    // JSON documents separated by `---` are valid YAML (and what NCA reads).
    let mut text = String::new();
    for d in &docs {
        text.push_str("---\n");
        text.push_str(&serde_json::to_string(d).unwrap_or_default());
        text.push('\n');
    }
    let result = match &args.output {
        // Atomic (manifests, not a design: no backup kept).
        Some(path) => bulkhead_store::save_bytes(
            path,
            text.as_bytes(),
            bulkhead_store::SaveOptions { backup: false },
        )
        .map_err(|e| e.to_string()),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write to standard output: {e}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
