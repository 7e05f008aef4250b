//! Findings: problems in a design, one rule per file with its documentation beside it.
//!
//! Each rule has a stable id (`BH001`...), a name, a severity and four pieces of text (what it
//! does, why it matters, how to fix it, an example) that the CLI, the SARIF output and the app
//! show. Each finding has a stable key, `<id>:<subject>`, that `design.triage` entries refer to;
//! a triaged finding is still reported, marked with its status and reason.

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::TriageStatus;

/// How bad a finding is, ordered.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// One problem found in a design.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Finding {
    /// The rule's stable id, e.g. `BH001`.
    pub id: String,
    /// The rule's name, e.g. `missing-auth-across-boundary`.
    pub rule: String,
    /// Stable key that `design.triage[].finding` refers to: `<id>:<subject>`.
    pub key: String,
    pub severity: Severity,
    /// One-line statement of the problem.
    pub message: String,
    /// The ids (services, segments, rules, flows) the finding is about.
    pub subjects: Vec<String>,
    /// JSON pointer into the design to the element to change.
    pub pointer: Option<String>,
    /// For reachability findings: the attack path, `internet` first.
    pub path: Vec<String>,
    /// Set when the design triages this finding.
    pub triage: Option<FindingTriage>,
}

/// A triage decision applied to a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FindingTriage {
    pub status: TriageStatus,
    pub reason: String,
}

/// Counts of findings.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct FindingSummary {
    /// Findings with no triage.
    pub open: usize,
    /// Findings marked accepted, mitigated or false positive.
    pub triaged: usize,
    /// Open findings per severity, `critical` first.
    pub by_severity: Vec<SeverityCount>,
    /// Triage entries whose key matches no finding (stale triage).
    pub unmatched_triage: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SeverityCount {
    pub severity: Severity,
    pub count: usize,
}

/// A rule's documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RuleDoc {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    /// What it does.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// How to fix it.
    pub fix: String,
    /// An example that triggers it.
    pub example: String,
}
