//! All-origins analysis: every origin's worst-case blast radius, worst first, plus findings.
//!
//! Worst case is a transitive closure. It is computed on the condensation of the reach graph's
//! strongly connected components, one bitset per component, in reverse topological order, so
//! a component's closure is its members united with its successors' closures: no search per
//! origin. Stolen bearer credentials can open further calls; those are added per component to
//! the fixpoint.

use schemars::JsonSchema;
use serde::Serialize;

use crate::findings::{Finding, FindingSummary};

/// `bulkhead analyze`: the whole estate's risk.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Analysis {
    /// The design's name.
    pub design: String,
    /// The design has no segments, so it was analysed as the flat network it is.
    pub flat_estate: bool,
    pub notes: Vec<String>,
    /// Number of services in the design.
    pub services: usize,
    /// Every origin (the internet and each service), worst blast radius first.
    pub origins: Vec<OriginRisk>,
    pub findings: Vec<Finding>,
    pub summary: FindingSummary,
}

/// One origin's worst-case blast radius.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct OriginRisk {
    /// `internet` or a service id.
    pub origin: String,
    /// Services reached, not counting the origin.
    pub blast_radius: usize,
    /// Sensitivity-weighted score, as in a simulation's blast radius.
    pub score: u64,
    /// Crown-jewel data classes exposed.
    pub crown_jewels: Vec<String>,
    /// The blast radius on a flat network, for comparison.
    pub flat_blast_radius: usize,
}
