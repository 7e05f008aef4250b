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

mod crown_jewel_from_internet;
mod declared_flow_denied;
mod expired_exception;
mod internet_restricted_one_hop;
mod internet_without_rate_limit;
mod missing_auth_across_boundary;
mod segment_mixes_sensitivities;
mod trust_inversion;
mod unguarded_datastore;
mod unsegmented_service;
mod unused_allowance;
mod wildcard_rule;

use crate::eval::Evaluator;
use crate::model::{Design, Sensitivity};
use crate::reach::AllowedPair;

/// A rule's documentation as written in its file.
pub struct RuleText {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub what: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
    pub example: &'static str,
}

impl RuleText {
    pub fn doc(&self) -> RuleDoc {
        RuleDoc {
            id: self.id.into(),
            name: self.name.into(),
            severity: self.severity,
            what: self.what.into(),
            why: self.why.into(),
            fix: self.fix.into(),
            example: self.example.into(),
        }
    }

    /// A finding of this rule about `subject` (the stable part of the key).
    pub fn finding(&self, subject: &str, message: String) -> Finding {
        Finding {
            id: self.id.into(),
            rule: self.name.into(),
            key: format!("{}:{subject}", self.id),
            severity: self.severity,
            message,
            subjects: Vec::new(),
            pointer: None,
            path: Vec::new(),
            triage: None,
        }
    }
}

/// What every rule may look at, computed once.
pub struct Context<'a> {
    pub design: &'a Design,
    pub eval: &'a Evaluator<'a>,
    /// Every allowed pair at L4 with its grants (caller `n` is the internet).
    pub pairs: Vec<AllowedPair>,
    /// Today's date (`YYYY-MM-DD`) for expiry checks; `None` skips them (the core has no clock).
    pub today: Option<String>,
}

impl Context<'_> {
    /// `internet` or the service id of a pair side.
    pub fn id(&self, node: usize) -> &str {
        self.design
            .services
            .get(node)
            .map(|s| s.id.as_str())
            .unwrap_or(crate::model::INTERNET)
    }

    pub fn sensitivity(&self, class: &str) -> Option<Sensitivity> {
        self.design.data_class(class).map(|d| d.sensitivity)
    }

    /// JSON pointer to a rule.
    pub fn rule_pointer(&self, rule: &str) -> Option<String> {
        self.design
            .rules
            .iter()
            .position(|r| r.id == rule)
            .map(|i| format!("/rules/{i}"))
    }

    pub fn service_pointer(&self, service: &str) -> Option<String> {
        self.design
            .services
            .iter()
            .position(|s| s.id == service)
            .map(|i| format!("/services/{i}"))
    }

    pub fn segment_pointer(&self, segment: &str) -> Option<String> {
        self.design
            .segments
            .iter()
            .position(|s| s.id == segment)
            .map(|i| format!("/segments/{i}"))
    }
}

type Check = fn(&Context) -> Vec<Finding>;

/// Every rule, in id order.
const RULES: &[(&RuleText, Check)] = &[
    (
        &missing_auth_across_boundary::RULE,
        missing_auth_across_boundary::check,
    ),
    (
        &internet_restricted_one_hop::RULE,
        internet_restricted_one_hop::check,
    ),
    (&unguarded_datastore::RULE, unguarded_datastore::check),
    (
        &internet_without_rate_limit::RULE,
        internet_without_rate_limit::check,
    ),
    (&declared_flow_denied::RULE, declared_flow_denied::check),
    (&unused_allowance::RULE, unused_allowance::check),
    (
        &crown_jewel_from_internet::RULE,
        crown_jewel_from_internet::check,
    ),
    (
        &segment_mixes_sensitivities::RULE,
        segment_mixes_sensitivities::check,
    ),
    (&unsegmented_service::RULE, unsegmented_service::check),
    (&wildcard_rule::RULE, wildcard_rule::check),
    (&expired_exception::RULE, expired_exception::check),
    (&trust_inversion::RULE, trust_inversion::check),
];

/// The documentation of every rule, in id order.
pub fn catalog() -> Vec<RuleDoc> {
    RULES.iter().map(|(t, _)| t.doc()).collect()
}

/// Options for [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Today's date, `YYYY-MM-DD`, for expired exceptions.
    pub today: Option<String>,
}

/// Run every rule; apply the design's triage; most severe first, then by key.
pub fn check(eval: &Evaluator, opts: &CheckOptions) -> (Vec<Finding>, FindingSummary) {
    let design = eval.design();
    let cx = Context {
        design,
        eval,
        pairs: crate::reach::allowed_pairs(eval),
        // The evaluator's date unless the caller names another, so that BH011 and the
        // decisions agree on what has expired.
        today: opts
            .today
            .clone()
            .or_else(|| eval.date().map(|d| d.to_string())),
    };
    let mut findings: Vec<Finding> = RULES.iter().flat_map(|(_, check)| check(&cx)).collect();
    findings.sort_by(|a, b| (b.severity, &a.key).cmp(&(a.severity, &b.key)));
    findings.dedup_by(|a, b| a.key == b.key);
    let mut unmatched = Vec::new();
    for t in &design.triage {
        match findings.iter_mut().find(|f| f.key == t.finding) {
            Some(f) => {
                f.triage = Some(FindingTriage {
                    status: t.status,
                    reason: t.reason.clone(),
                })
            }
            None => unmatched.push(t.finding.clone()),
        }
    }
    let open: Vec<&Finding> = findings.iter().filter(|f| f.triage.is_none()).collect();
    let by_severity = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .into_iter()
    .map(|severity| SeverityCount {
        severity,
        count: open.iter().filter(|f| f.severity == severity).count(),
    })
    .collect();
    let summary = FindingSummary {
        open: open.len(),
        triaged: findings.len() - open.len(),
        by_severity,
        unmatched_triage: unmatched,
    };
    (findings, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_sequential_and_documented() {
        let docs = catalog();
        for (i, d) in docs.iter().enumerate() {
            assert_eq!(d.id, format!("BH{:03}", i + 1));
            assert!(!d.what.is_empty() && !d.why.is_empty() && !d.fix.is_empty());
            assert!(!d.example.is_empty(), "{}", d.id);
        }
    }
}
