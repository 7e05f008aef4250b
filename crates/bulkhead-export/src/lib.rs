//! `bulkhead-export`: configs that enforce a design, for Kubernetes NetworkPolicy (ingress, and a
//! variant with egress that keeps DNS working), CiliumNetworkPolicy with L7 HTTP rules, Istio
//! security policies, Kong declarative config and an NGINX gateway.
//!
//! Every allow written by any target is a decision of the one evaluator
//! ([`bulkhead_core::eval`]), gathered in [`access::Access`]; no target interprets rules itself.
//! Where a target cannot express part of the design it says so, naming the rule, in the output
//! header and in [`Export::gaps`].
//!
//! Output is deterministic: services, callers and ports are sorted, names are derived from ids,
//! and every file starts with a header naming the design and its semantic hash.

pub mod access;
pub mod cilium;

pub mod gaps;
pub mod istio;
pub mod kong;

pub mod names;
pub mod netpol;
pub mod nginx;
pub mod paths;

pub mod preflight;
pub mod workloads;
pub mod yaml;

use std::fmt;
use std::str::FromStr;

use bulkhead_core::Design;
use bulkhead_core::date::Date;
use bulkhead_core::diagnostic::Diagnostic;

pub use access::Access;
pub use gaps::Gap;

/// What to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// `networking.k8s.io/v1` NetworkPolicy, ingress only.
    NetworkPolicy,
    /// NetworkPolicy with ingress and egress (default-deny both ways, DNS kept open).
    NetworkPolicyEgress,
    /// `cilium.io/v2` CiliumNetworkPolicy with L7 HTTP rules.
    Cilium,
    /// Istio AuthorizationPolicy, PeerAuthentication and RequestAuthentication.
    Istio,
    /// Kong declarative config, `_format_version: "3.0"`.
    Kong,
    /// An NGINX gateway (`nginx.conf` and its include files).
    Nginx,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::NetworkPolicy,
        Target::NetworkPolicyEgress,
        Target::Cilium,
        Target::Istio,
        Target::Kong,
        Target::Nginx,
    ];

    /// Whether the target has a variant that observes before it enforces (`--staged`).
    pub fn has_staged_mode(self) -> bool {
        matches!(self, Target::Istio | Target::Nginx)
    }

    /// How long the target takes to render relative to the others (CPU time on the
    /// generated 10,000-service estate, in tens of milliseconds): the order a pool of threads
    /// takes them in. Only speed depends on it, never output.
    fn relative_cost(self) -> u32 {
        match self {
            Target::NetworkPolicy => 10,
            Target::NetworkPolicyEgress => 15,
            Target::Cilium => 17,
            Target::Istio => 16,
            Target::Kong => 17,
            Target::Nginx => 21,
        }
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::NetworkPolicy => "networkpolicy",
            Target::NetworkPolicyEgress => "networkpolicy-egress",
            Target::Cilium => "cilium",
            Target::Istio => "istio",
            Target::Kong => "kong",
            Target::Nginx => "nginx",
        }
    }

    /// A human title for headers.
    pub fn title(self) -> &'static str {
        match self {
            Target::NetworkPolicy => "Kubernetes NetworkPolicy (networking.k8s.io/v1), ingress",
            Target::NetworkPolicyEgress => {
                "Kubernetes NetworkPolicy (networking.k8s.io/v1), ingress and egress"
            }
            Target::Cilium => "CiliumNetworkPolicy (cilium.io/v2) with L7 HTTP rules",
            Target::Istio => "Istio security policies (security.istio.io/v1)",
            Target::Kong => "Kong declarative config (_format_version 3.0)",
            Target::Nginx => "NGINX gateway",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        if let Some(t) = Target::ALL.iter().find(|t| t.name() == s) {
            return Ok(*t);
        }
        let aliases = [
            ("netpol", Target::NetworkPolicy),
            ("networkpolicies", Target::NetworkPolicy),
            ("kubernetes", Target::NetworkPolicy),
            ("netpol-egress", Target::NetworkPolicyEgress),
            ("ciliumnetworkpolicy", Target::Cilium),
        ];
        if let Some((_, t)) = aliases.iter().find(|(a, _)| *a == s) {
            return Ok(*t);
        }
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
        let hint = names
            .iter()
            .find(|n| n.starts_with(&s[..s.len().min(3)]) && !s.is_empty())
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        Err(format!(
            "unknown target `{s}`{hint} (targets: {})",
            names.join(", ")
        ))
    }
}

/// Knobs that do not change what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Write the variant that observes before it enforces (Istio dry-run and AUDIT, NGINX log
    /// only). Targets without such a mode refuse.
    pub staged: bool,
    /// NGINX: the first listen port; segment servers listen on consecutive ports from here.
    pub nginx_listen_base: u16,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            staged: false,
            nginx_listen_base: 8080,
        }
    }
}

/// One file of an export, relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: String,
}

/// A finished export: its files, and what it does not express.
#[derive(Clone, Debug)]
pub struct Export {
    pub target: Target,
    pub staged: bool,
    pub files: Vec<OutputFile>,
    pub gaps: Vec<Gap>,
}

/// Why an export was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The validator's errors (and the target-specific checks of [`preflight`]).
    #[error("the design is invalid ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, describe(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("target `{target}` has no audit or dry-run mode, so there is no staged variant: {why}")]
    NoStagedMode { target: Target, why: &'static str },
    #[error(
        "nginx needs {needed} listen ports from {base}, which passes 65535; lower the listen base"
    )]
    PortsExhausted { base: u16, needed: usize },
}

/// Each diagnostic on a line: `/pointer: message (help) [code]`.
fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let help = d
                .help
                .as_deref()
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            format!("  {}: {}{help} [{}]", d.pointer, d.message, d.code)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Exports `design` as it stands on `today` to `target`: rules whose `expires` date is before
/// `today` are left out, and listed in the gaps. Refuses an invalid design with every error
/// the validator finds (plus the target-specific checks of [`preflight`]).
pub fn export(
    design: &Design,
    target: Target,
    options: &Options,
    today: Date,
) -> Result<Export, ExportError> {
    let problems = preflight::check(design, target);
    if !problems.is_empty() {
        return Err(ExportError::Invalid(problems));
    }
    let access = Access::new(design, today);
    export_with(&access, target, options)
}

/// Exports `design` as it stands on `today` to several targets from one evaluation: the
/// evaluator's answers ([`Access`]) and the design hash are computed once and shared, and the
/// targets are rendered on up to `threads` threads (they only read the shared [`Access`]).
/// Results come back in the order of `targets`, each exactly what [`export`] writes for it.
/// Refuses an invalid design as [`export`] does, before rendering anything.
pub fn export_many(
    design: &Design,
    targets: &[Target],
    options: &Options,
    today: Date,
    threads: usize,
) -> Result<Vec<Result<Export, ExportError>>, ExportError> {
    let problems = preflight::check_all(design, targets);
    if !problems.is_empty() {
        return Err(ExportError::Invalid(problems));
    }
    let access = if threads > 1 {
        Access::new_hashing_beside(design, today)
    } else {
        Access::new(design, today)
    };
    Ok(export_many_with(&access, targets, options, threads))
}

/// [`export_many`] from an already computed [`Access`] (the design must have passed
/// [`preflight::check_all`]).
pub fn export_many_with(
    access: &Access<'_>,
    targets: &[Target],
    options: &Options,
    threads: usize,
) -> Vec<Result<Export, ExportError>> {
    use std::sync::Mutex;
    let results: Mutex<Vec<Option<Result<Export, ExportError>>>> =
        Mutex::new(targets.iter().map(|_| None).collect());
    export_many_each(access, targets, options, threads, &|i, result| {
        results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every target was rendered"))
        .collect()
}

/// [`export_many_with`], handing each target's result to `deliver` with its index in
/// `targets`, on the thread that rendered it, as soon as it is rendered: `bulkhead export`
/// writes one target's files while the others still render, and drops them once written.
/// Every index is delivered exactly once; the order of deliveries is not that of `targets`.
/// When both NetworkPolicy variants are asked for, their shared ingress policies are rendered
/// once, and both are delivered by the thread that rendered them.
pub fn export_many_each(
    access: &Access<'_>,
    targets: &[Target],
    options: &Options,
    threads: usize,
    deliver: &(dyn Fn(usize, Result<Export, ExportError>) + Sync),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    /// One unit of work for the pool.
    enum Job {
        /// The design hash, which every target needs only for its header, written last.
        Hash,
        /// One target, by its index in `targets`.
        One(usize),
        /// Both NetworkPolicy variants (indices of the ingress one, then the egress one):
        /// they share their ingress policies, rendered once ([`Access::netpol_ingress`]), so
        /// one thread renders both rather than one waiting for the other's.
        NetpolPair(usize, usize),
    }
    let run = |job: &Job| match *job {
        Job::Hash => {
            let _ = access.design_hash();
        }
        Job::One(i) => deliver(i, export_with(access, targets[i], options)),
        Job::NetpolPair(i, e) => {
            let (ingress, egress) = export_netpol_pair(access, options);
            deliver(i, ingress);
            deliver(e, egress);
        }
    };
    // Each target once: both NetworkPolicy variants as a pair when both are asked for.
    let pair = (
        targets.iter().position(|&t| t == Target::NetworkPolicy),
        targets
            .iter()
            .position(|&t| t == Target::NetworkPolicyEgress),
    );
    let mut units: Vec<(u32, Job)> = Vec::with_capacity(targets.len());
    for (i, &t) in targets.iter().enumerate() {
        match pair {
            (Some(n), Some(e)) if i == n => units.push((
                // The egress variant's work plus copying the shared part.
                Target::NetworkPolicyEgress.relative_cost() + 2,
                Job::NetpolPair(n, e),
            )),
            (Some(_), Some(e)) if i == e => {}
            _ => units.push((t.relative_cost(), Job::One(i))),
        }
    }
    let threads = threads.clamp(1, units.len().max(1));
    if threads == 1 {
        for (_, job) in &units {
            run(job);
        }
        return;
    }
    // The jobs, longest first (the longest-processing-time rule: the last job to start is a
    // short one, so the workers finish close together): the design hash when it is not known
    // yet, then the targets by their cost on generated estates (`benches/export_all.rs`).
    units.sort_by_key(|&(cost, _)| std::cmp::Reverse(cost));
    let mut jobs: Vec<Job> = Vec::with_capacity(units.len() + 1);
    if !access.has_design_hash() {
        jobs.push(Job::Hash);
    }
    jobs.extend(units.into_iter().map(|(_, job)| job));
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    run(job);
                }
            });
        }
    });
}

/// Both NetworkPolicy variants (ingress only, then with egress), each exactly what
/// [`export_with`] writes for it, from one pass over the ingress policies they share.
fn export_netpol_pair(
    access: &Access<'_>,
    options: &Options,
) -> (Result<Export, ExportError>, Result<Export, ExportError>) {
    let header = |target| Header {
        design_name: &access.design.name,
        access,
        target,
        staged: options.staged,
    };
    let export = |target, (files, gaps)| Export {
        target,
        staged: options.staged,
        files,
        gaps,
    };
    let (plain, egress) = (
        header(Target::NetworkPolicy),
        header(Target::NetworkPolicyEgress),
    );
    match netpol::render_both(access, (&plain, &egress), options) {
        Ok((ingress, with_egress)) => (
            Ok(export(Target::NetworkPolicy, ingress)),
            Ok(export(Target::NetworkPolicyEgress, with_egress)),
        ),
        // Both refuse, each naming itself, as they do alone.
        Err(_) => (
            export_with(access, Target::NetworkPolicy, options),
            export_with(access, Target::NetworkPolicyEgress, options),
        ),
    }
}

/// Exports from an already computed [`Access`] (lets a caller write several targets from one
/// evaluation). The design must have passed [`preflight::check`].
pub fn export_with(
    access: &Access<'_>,
    target: Target,
    options: &Options,
) -> Result<Export, ExportError> {
    let header = Header {
        design_name: &access.design.name,
        access,
        target,
        staged: options.staged,
    };
    let (files, gaps) = match target {
        Target::NetworkPolicy => netpol::render(access, &header, false, options)?,
        Target::NetworkPolicyEgress => netpol::render(access, &header, true, options)?,
        Target::Cilium => cilium::render(access, &header, options)?,
        Target::Istio => istio::render(access, &header, options)?,
        Target::Kong => kong::render(access, &header, options)?,
        Target::Nginx => nginx::render(access, &header, options)?,
    };
    Ok(Export {
        target,
        staged: options.staged,
        files,
        gaps,
    })
}

/// What every output file's header says.
pub struct Header<'a> {
    pub design_name: &'a str,
    /// Where the design hash comes from: asked for only when the header is rendered, which
    /// every renderer does last, so [`export_many_each`] can hash beside the rendering.
    access: &'a Access<'a>,
    pub target: Target,
    pub staged: bool,
}

impl Header<'_> {
    /// The design's semantic hash ([`Access::design_hash`]).
    pub fn hash(&self) -> &str {
        self.access.design_hash()
    }

    /// The header as comment lines with `prefix` (`#` for YAML and nginx), listing the gaps.
    pub fn render(&self, prefix: &str, gaps: &[Gap]) -> String {
        self.render_with_room(prefix, gaps, 0)
    }

    /// The header followed by `rest`: a whole file in one allocation of its final size.
    pub fn render_then(&self, prefix: &str, gaps: &[Gap], rest: &str) -> String {
        let mut out = self.render_with_room(prefix, gaps, rest.len());
        out.push_str(rest);
        out
    }

    /// `kustomization.yaml` listing `resources`, under the full header: the file of a
    /// multi-file output that carries the list of what is not expressed.
    pub(crate) fn kustomization(&self, gaps: &[Gap], resources: Vec<String>) -> OutputFile {
        let body = yaml::to_yaml(&obj!({
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": resources,
        }));
        OutputFile {
            path: "kustomization.yaml".into(),
            contents: self.render_then("#", gaps, &body),
        }
    }

    /// [`Header::render`] in a buffer with `room` more bytes reserved for what the file holds
    /// after it. On a large design the header alone is megabytes (the gap list), and a file
    /// grown from it by doubling copied it into fresh memory at every step: the kernel's page
    /// faults for that memory were a large part of an export's time.
    pub fn render_with_room(&self, prefix: &str, gaps: &[Gap], room: usize) -> String {
        use std::fmt::Write as _;
        // Large designs list thousands of gaps: written straight into one buffer.
        let mut out = String::with_capacity(
            512 + self.design_name.len()
                + room
                + gaps
                    .iter()
                    .map(|g| prefix.len() + g.rule.len() + g.message.len() + 16)
                    .sum::<usize>(),
        );
        let name = if self.design_name.is_empty() {
            "(unnamed)"
        } else {
            self.design_name
        };
        // Writing into a String cannot fail.
        let _ = writeln!(
            out,
            "{prefix} Generated by Bulkhead from design `{name}` (sha256:{}).",
            self.hash()
        );
        let _ = writeln!(
            out,
            "{prefix} Target: {}{}. Re-export instead of editing: output is deterministic.",
            self.target.title(),
            if self.staged {
                ", STAGED (observes, does not enforce)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "{prefix} Default deny. Every allow is a decision of the Bulkhead evaluator."
        );
        if gaps.is_empty() {
            let _ = writeln!(
                out,
                "{prefix} Not expressed by this target: nothing; it enforces the design as written."
            );
        } else {
            let _ = writeln!(
                out,
                "{prefix} Not expressed by this target ({}):",
                gaps.len()
            );
            for g in gaps {
                out.push_str(prefix);
                out.push_str("   - ");
                g.parts().iter().for_each(|part| out.push_str(part));
                out.push('\n');
            }
        }
        out
    }

    /// A short header for the secondary files of a multi-file output: the same first lines,
    /// and where the full list of what is not expressed lives.
    pub fn render_pointer(&self, prefix: &str, gaps: &[Gap], main_file: &str) -> String {
        let full = self.render(prefix, &[]);
        let mut out: String = full.lines().take(3).map(|l| format!("{l}\n")).collect();
        if gaps.is_empty() {
            out.push_str(&format!(
                "{prefix} Not expressed by this target: nothing; it enforces the design as written.\n"
            ));
        } else {
            out.push_str(&format!(
                "{prefix} Not expressed by this target: {} item{}, listed in the header of {main_file}.\n",
                gaps.len(),
                if gaps.len() == 1 { "" } else { "s" }
            ));
        }
        out
    }
}
