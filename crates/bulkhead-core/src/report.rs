//! The JSON Schema of everything Bulkhead computes (decisions, simulations, analyses, findings,
//! matrices), checked in as `schema/analysis.schema.json`. The app's TypeScript types are
//! generated from it, so these types' field names are a contract: add fields, never rename.

use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::drift::{Drift, ObservedCall};
use crate::eval::{Decision, Explanation, Request};
use crate::findings::{Finding, RuleDoc};
use crate::matrix::{Matrix, SegmentMatrix};
use crate::propose::Proposal;
use crate::simulate::{Assumption, Simulation};

/// Every result type, in one document so the schema carries them all as definitions.
#[derive(Serialize, JsonSchema)]
pub struct AnalysisTypes {
    pub request: Request,
    pub decision: Decision,
    pub explanation: Explanation,
    pub assumption: Assumption,
    pub simulation: Simulation,
    pub analysis: Analysis,
    pub finding: Finding,
    pub rule_doc: RuleDoc,
    pub matrix: Matrix,
    pub segment_matrix: SegmentMatrix,
    /// `bulkhead propose`: the least-privilege diff.
    pub proposal: Proposal,
    /// `bulkhead check`: drift against traffic and live policies.
    pub drift: Drift,
    /// The app's traffic overlay: one observed call with its verdict.
    pub observed_call: ObservedCall,
}

/// The schema as pretty JSON with a trailing newline, exactly as checked in.
pub fn analysis_schema_json() -> String {
    let schema = schemars::schema_for!(AnalysisTypes);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
