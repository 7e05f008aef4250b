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

pub mod gaps;

pub mod names;
pub mod netpol;

pub mod preflight;
pub mod workloads;
pub mod yaml;

use std::fmt;
use std::str::FromStr;

use bulkhead_core::Design;

pub use access::Access;
pub use gaps::Gap;

/// What to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// `networking.k8s.io/v1` NetworkPolicy, ingress only.
    NetworkPolicy,
    /// NetworkPolicy with ingress and egress (default-deny both ways, DNS kept open).
    NetworkPolicyEgress,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::NetworkPolicy, Target::NetworkPolicyEgress];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::NetworkPolicy => "networkpolicy",
            Target::NetworkPolicyEgress => "networkpolicy-egress",
        }
    }

    /// A human title for headers.
    pub fn title(self) -> &'static str {
        match self {
            Target::NetworkPolicy => "Kubernetes NetworkPolicy (networking.k8s.io/v1), ingress",
            Target::NetworkPolicyEgress => {
                "Kubernetes NetworkPolicy (networking.k8s.io/v1), ingress and egress"
            }
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
    #[error("the design is invalid ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("target `{target}` has no audit or dry-run mode, so there is no staged variant: {why}")]
    NoStagedMode { target: Target, why: &'static str },
    #[error(
        "nginx needs {needed} listen ports from {base}, which passes 65535; lower the listen base"
    )]
    PortsExhausted { base: u16, needed: usize },
}

/// Exports `design` to `target`. Refuses an invalid design with every problem found.
pub fn export(design: &Design, target: Target, options: &Options) -> Result<Export, ExportError> {
    let problems = preflight::check(design);
    if !problems.is_empty() {
        return Err(ExportError::Invalid(problems));
    }
    let access = Access::new(design);
    export_with(&access, target, options)
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
        hash: names::design_hash(access.design),
        target,
        staged: options.staged,
    };
    let (files, gaps) = match target {
        Target::NetworkPolicy => netpol::render(access, &header, false, options)?,
        Target::NetworkPolicyEgress => netpol::render(access, &header, true, options)?,
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
    pub hash: String,
    pub target: Target,
    pub staged: bool,
}

impl Header<'_> {
    /// The header as comment lines with `prefix` (`#` for YAML and nginx), listing the gaps.
    pub fn render(&self, prefix: &str, gaps: &[Gap]) -> String {
        let mut out = String::new();
        let name = if self.design_name.is_empty() {
            "(unnamed)"
        } else {
            self.design_name
        };
        out.push_str(&format!(
            "{prefix} Generated by Bulkhead from design `{name}` (sha256:{}).\n",
            self.hash
        ));
        out.push_str(&format!(
            "{prefix} Target: {}{}. Re-export instead of editing: output is deterministic.\n",
            self.target.title(),
            if self.staged {
                ", STAGED (observes, does not enforce)"
            } else {
                ""
            }
        ));
        out.push_str(&format!(
            "{prefix} Default deny. Every allow is a decision of the Bulkhead evaluator.\n"
        ));
        if gaps.is_empty() {
            out.push_str(&format!(
                "{prefix} Not expressed by this target: nothing; it enforces the design as written.\n"
            ));
        } else {
            out.push_str(&format!(
                "{prefix} Not expressed by this target ({}):\n",
                gaps.len()
            ));
            for g in gaps {
                out.push_str(&format!("{prefix}   - {g}\n"));
            }
        }
        out
    }
}
