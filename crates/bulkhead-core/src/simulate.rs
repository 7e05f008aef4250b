//! Breach simulation: what an attacker reaches from the internet or from a breached service.
//!
//! See `docs/semantics.md` ("Breach simulation") for the model; in short, the attacker holds a
//! set of *positions* (compromised services, plus the internet when the attack starts there)
//! and a set of stolen bearer credentials. From every position, every call the evaluator allows
//! with that position's own identity and credentials plus every stolen bearer credential is
//! open. An open call exposes the data the called endpoints touch; if the callee is
//! exploitable under the assumption, it becomes a position and its credentials are stolen.
//! This repeats to the fixpoint.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::eval::{AllowedBy, Decision};
use crate::model::{Credential, Sensitivity};

/// Which services an attacker who can call them takes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assumption {
    /// Every service the attacker can call is exploitable: plain lateral-movement reach.
    #[default]
    Worst,
    /// Only services with an exploitable known weakness fall.
    Known,
    /// Services fall with their weaknesses' probabilities; the most likely path wins.
    Probabilistic,
}

/// The result of one breach simulation.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Simulation {
    /// `internet` or the breached service's id.
    pub origin: String,
    pub assumption: Assumption,
    /// The design has no segments, so it was analysed as the flat network it is.
    pub flat_estate: bool,
    /// Plain-language remarks about how the run was interpreted.
    pub notes: Vec<String>,
    /// Every service the attacker can call (the origin first, then by hops and id).
    pub reached: Vec<ReachedService>,
    /// Ids of compromised services (the attacker's positions), in `reached` order.
    pub compromised: Vec<String>,
    /// Credentials taken from compromised services.
    pub stolen_credentials: Vec<StolenCredential>,
    /// Data classes the attacker can read, most sensitive first.
    pub exposed_data: Vec<ExposedData>,
    pub blast_radius: BlastRadius,
    pub choke_points: ChokePoints,
    /// The same run on a flat network (every call allowed, no auth), for comparison.
    pub flat: FlatComparison,
}

/// A service the attacker can call, and how.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ReachedService {
    pub service: String,
    /// Whether the attacker took it over (it is then a position and its credentials stolen).
    pub compromised: bool,
    /// Probability the attacker gets here along the most likely path (probabilistic only).
    pub probability: Option<f64>,
    /// Number of hops from the origin along `path`.
    pub hops: usize,
    /// Data classes exposed here: its endpoints' the attacker can call, and if compromised
    /// everything it holds or serves.
    pub exposed: Vec<String>,
    /// The attack path from the origin, one explained hop per call.
    pub path: Vec<Hop>,
}

/// One call on an attack path.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Hop {
    /// `internet` or a service id.
    pub from: String,
    pub to: String,
    /// The evaluator's decision for this call as the attacker makes it.
    pub decision: Decision,
    /// Stolen credentials this call needed (empty: the caller's own sufficed).
    pub stolen: Vec<Credential>,
    /// Whether the callee was taken over.
    pub exploited: bool,
}

/// A credential the attacker holds, and where it was stolen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct StolenCredential {
    pub credential: Credential,
    /// The compromised service it was taken from.
    pub from: String,
}

/// One data class the attacker can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ExposedData {
    pub data_class: String,
    pub sensitivity: Sensitivity,
    pub crown_jewel: bool,
    /// Services where it is exposed.
    pub at: Vec<String>,
}

/// How far a breach spreads.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct BlastRadius {
    /// Services reached, not counting the origin.
    pub services: usize,
    /// Services compromised, not counting the origin.
    pub compromised: usize,
    /// Sum over reached services (not the origin) of the weight of the most sensitive data
    /// exposed there (public 1, internal 2, confidential 5, restricted 10; 1 if none).
    pub score: u64,
    /// Crown-jewel data classes exposed.
    pub crown_jewels: Vec<String>,
}

/// The fewest allowed flows whose removal cuts the attacker off from every reached crown-jewel
/// holder (a minimum cut of the attack graph).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct ChokePoints {
    /// Services where crown-jewel data is exposed (the cut's targets). The origin itself is
    /// never a target: no flow protects data the attacker already holds.
    pub targets: Vec<String>,
    /// The flows to remove; empty when no crown jewel is reached.
    pub cut: Vec<ChokePoint>,
    /// Re-running the simulation without these flows confirms no target is reached.
    pub verified: bool,
}

/// One allowed flow in a minimum cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ChokePoint {
    /// `internet` or a service id.
    pub from: String,
    pub to: String,
    /// What allows the flow today (the rule to tighten).
    pub by: Vec<AllowedBy>,
}

/// The same simulation on the flat network.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct FlatComparison {
    pub blast_radius: BlastRadius,
    /// How much smaller the segmented blast radius is, in percent of the flat one's score
    /// (0 when the flat score is 0).
    pub reduction_pct: f64,
}
