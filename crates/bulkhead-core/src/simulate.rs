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

pub mod spread;
pub mod tree;

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
    /// Probability the attacker takes it over (probabilistic only).
    pub compromise_probability: Option<f64>,
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

// ---------------------------------------------------------------------------------------------
// The engine.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

use crate::eval::{Caller, Evaluator, Presented, Request, credential_satisfies};
use crate::model::{Design, Exposure, Peer, Rule, Service};
use crate::reach::{FREE, ReachGraph};

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulateError {
    #[error("unknown service `{id}`{}", .suggestion.as_ref().map(|s| format!(": did you mean `{s}`?")).unwrap_or_default())]
    UnknownService {
        id: String,
        suggestion: Option<String>,
    },
}

/// How likely an attacker who can call `s` takes it over, under `assumption`.
pub fn exploit_probability(s: &Service, assumption: Assumption) -> f64 {
    match assumption {
        Assumption::Worst => 1.0,
        Assumption::Known => {
            if s.weaknesses.iter().any(|w| w.exploitable) {
                1.0
            } else {
                0.0
            }
        }
        Assumption::Probabilistic => s
            .weaknesses
            .iter()
            .map(|w| {
                let p = w
                    .probability
                    .unwrap_or(if w.exploitable { 1.0 } else { 0.0 });
                if p.is_finite() {
                    p.clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .fold(0.0, f64::max),
    }
}

/// The raw outcome of the fixpoint, indexed by node (node `n` is the internet).
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Probability the attacker can call the node (0: cannot; worst/known: 0 or 1).
    pub reach: Vec<f64>,
    /// Probability the attacker holds the node as a position.
    pub compromise: Vec<f64>,
    /// The edge (global id) the node was best reached by, and from which position.
    pub parent: Vec<Option<(u32, u32)>>,
    pub hops: Vec<u32>,
    /// Per credential (index into the graph's table): probability it is stolen (0: not).
    pub stolen: Vec<f64>,
    /// Positions in the order they were taken.
    pub positions: Vec<u32>,
    /// For reached services that were not taken over: the positions that can call them.
    pub callers: HashMap<u32, Vec<u32>>,
}

#[derive(PartialEq)]
struct Entry {
    p: f64,
    hops: u32,
    seq: u64,
    node: u32,
}
impl Eq for Entry {}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        self.p
            .total_cmp(&o.p)
            .then(o.hops.cmp(&self.hops))
            .then(o.seq.cmp(&self.seq))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Run the attacker's fixpoint on a compiled graph. `exploit[i]` is service `i`'s takeover
/// probability under the assumption; `blocked` pairs are treated as denied.
///
/// Label-setting in decreasing probability (Dijkstra on the max-min-product semiring): a
/// position's probability is that of its most likely path; a stolen credential is as likely
/// as the position it was first stolen from; a call that needs stolen credentials is as likely
/// as the least likely of the caller and those credentials. Worst and known are the special
/// case where every probability is 0 or 1, which makes this a breadth-first search.
pub fn run(
    graph: &ReachGraph,
    origin: usize,
    exploit: &[f64],
    blocked: Option<&HashSet<(u32, u32)>>,
) -> Outcome {
    let nodes = graph.n + 1;
    let mut o = Outcome {
        reach: vec![0.0; nodes],
        compromise: vec![0.0; nodes],
        parent: vec![None; nodes],
        hops: vec![0; nodes],
        stolen: vec![0.0; graph.credentials.len()],
        positions: Vec::new(),
        callers: HashMap::new(),
    };
    let mut settled = vec![false; nodes];
    let mut heap = BinaryHeap::new();
    let mut seq = 0u64;
    o.reach[origin] = 1.0;
    o.compromise[origin] = 1.0;
    heap.push(Entry {
        p: 1.0,
        hops: 0,
        seq,
        node: origin as u32,
    });
    // Conditional edges whose credentials the attacker does not hold (yet).
    let mut pending: Vec<(u32, u32)> = Vec::new();

    let relax = |o: &mut Outcome,
                 heap: &mut BinaryHeap<Entry>,
                 seq: &mut u64,
                 settled: &[bool],
                 a: u32,
                 edge_id: u32,
                 strength: f64| {
        let b = graph.edge(edge_id as usize).to as usize;
        let p_call = o.compromise[a as usize].min(strength);
        if p_call > o.reach[b] {
            o.reach[b] = p_call;
            o.parent[b] = Some((a, edge_id));
            o.hops[b] = o.hops[a as usize] + 1;
            let p_comp = p_call * exploit[b];
            if p_comp > o.compromise[b] && !settled[b] {
                o.compromise[b] = p_comp;
                *seq += 1;
                heap.push(Entry {
                    p: p_comp,
                    hops: o.hops[b],
                    seq: *seq,
                    node: b as u32,
                });
            }
        }
        if exploit[b] == 0.0 && p_call > 0.0 {
            let v = o.callers.entry(b as u32).or_default();
            if !v.contains(&a) {
                v.push(a);
            }
        }
    };

    while let Some(Entry { node, .. }) = heap.pop() {
        let a = node as usize;
        if settled[a] {
            continue;
        }
        settled[a] = true;
        o.positions.push(node);
        // Steal its credentials; newly held ones may open pending calls.
        let mut new_credentials = false;
        if a < graph.n {
            for &c in &graph.held[a] {
                if o.stolen[c as usize] == 0.0 {
                    o.stolen[c as usize] = o.compromise[a];
                    new_credentials = true;
                }
            }
        }
        if new_credentials && !pending.is_empty() {
            let mut still = Vec::with_capacity(pending.len());
            for (from, e) in std::mem::take(&mut pending) {
                let s = graph.condition_strength(graph.edge(e as usize).condition, &o.stolen);
                if s > 0.0 {
                    relax(&mut o, &mut heap, &mut seq, &settled, from, e, s);
                } else {
                    still.push((from, e));
                }
            }
            pending = still;
        }
        let first = graph.first_edge(a);
        for (k, edge) in graph.out(a).iter().enumerate() {
            if blocked.is_some_and(|b| b.contains(&(node, edge.to))) {
                continue;
            }
            let e = (first + k) as u32;
            let s = if edge.condition == FREE {
                1.0
            } else {
                graph.condition_strength(edge.condition, &o.stolen)
            };
            if s > 0.0 {
                relax(&mut o, &mut heap, &mut seq, &settled, node, e, s);
            } else {
                pending.push((node, e));
            }
        }
    }
    o
}

/// The node of a caller in the reach graph.
pub fn origin_node(eval: &Evaluator, origin: &Caller) -> Result<usize, SimulateError> {
    match origin {
        Caller::Internet => Ok(eval.design().services.len()),
        Caller::Service(id) => {
            eval.service_index(id)
                .ok_or_else(|| SimulateError::UnknownService {
                    id: id.clone(),
                    suggestion: did_you_mean(
                        id,
                        eval.design().services.iter().map(|s| s.id.as_str()),
                    ),
                })
        }
    }
}

/// The closest candidate to `input` by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (input.chars().count() / 3).max(2);
    candidates
        .map(|c| {
            // A truncated id (`partner-webhok` for `partner-webhook-api`) is compared with
            // the candidate's prefix of the same length.
            let prefix: String = c.chars().take(input.chars().count()).collect();
            let d = levenshtein(input, c).min(levenshtein(input, &prefix) + 1);
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.to_string())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Per service: every data class it holds or serves.
fn all_data(s: &Service) -> BTreeSet<&str> {
    s.data_held
        .iter()
        .chain(s.endpoints.iter().flat_map(|e| e.data_classes.iter()))
        .map(String::as_str)
        .collect()
}

/// The weight of the most sensitive known class in `classes` (1 if none).
pub fn weight_of<'a, C: AsRef<str> + 'a>(
    design: &Design,
    classes: impl Iterator<Item = &'a C>,
) -> u64 {
    classes
        .filter_map(|c| design.data_class(c.as_ref()))
        .map(|d| u64::from(d.sensitivity.weight()))
        .max()
        .unwrap_or(1)
}

/// A design with the same services and no boundaries: every service may call every other,
/// the internet every internet-facing service, with no auth. The flat comparison and estates
/// without segments are evaluated on it, by the same evaluator.
pub fn flat_design(design: &Design) -> Design {
    let mut flat = design.clone();
    flat.segments.clear();
    flat.rules = vec![Rule {
        id: "flat-network".into(),
        from: Peer::Any,
        to: Peer::Any,
        justification: Some("no segmentation: everything may call everything".into()),
        ..Rule::default()
    }];
    flat
}

/// Options of one simulation.
#[derive(Clone, Debug, Default)]
pub struct SimulateOptions {
    pub assumption: Assumption,
    /// Calls (caller id, target id) to treat as removed, e.g. to try a cut.
    pub blocked: Vec<(String, String)>,
}

/// Simulate a breach from `origin` (the internet or a service).
pub fn simulate(
    eval: &Evaluator,
    origin: &Caller,
    opts: &SimulateOptions,
) -> Result<Simulation, SimulateError> {
    simulate_tree(eval, origin, opts).map(expanded)
}

/// [`simulate`] with the attack paths as the tree they form (what the desktop app sends).
pub fn simulate_tree(
    eval: &Evaluator,
    origin: &Caller,
    opts: &SimulateOptions,
) -> Result<tree::SimulationTree, SimulateError> {
    on_graph(eval, origin, |eval, graph, node, flat| {
        let mut sim = simulate_tree_on(eval, graph, node, opts);
        if flat {
            sim.simulation.flat_estate = true;
            sim.simulation.notes.insert(
                0,
                "the design has no segments, so nothing enforces its rules: analysed as the flat network it is (every service can call every other; the internet reaches internet-facing services)".into(),
            );
        }
        sim
    })
}

/// The spread of [`simulate`]'s breach ([`spread::SimulationSpread`]): its reached services in
/// the same order, with the same paths, without the report.
pub fn simulate_spread(
    eval: &Evaluator,
    origin: &Caller,
    opts: &SimulateOptions,
) -> Result<spread::SimulationSpread, SimulateError> {
    on_graph(eval, origin, |eval, graph, node, _| {
        simulate_spread_on(eval, graph, node, opts)
    })
}

/// [`simulate_spread`] on an already compiled graph.
pub fn simulate_spread_on(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
) -> spread::SimulationSpread {
    simulate_spread_of(
        eval,
        graph,
        origin,
        &breach_outcome(eval, graph, origin, opts),
    )
}

/// [`simulate_spread_on`] of a run already made: `out` is [`breach_outcome`]'s for the same
/// graph, origin and options.
pub fn simulate_spread_of(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    out: &Outcome,
) -> spread::SimulationSpread {
    spread::spread(eval.design(), graph.n, origin, out)
}

/// The fixpoint of a breach from `origin` under `opts` on a compiled graph: what
/// [`simulate_tree_on`] and [`simulate_spread_on`] each run first and then report. The desktop
/// app asks for the spread and then for the whole answer of the same breach; it keeps this per
/// held design so that the second does not run the fixpoint again ([`simulate_tree_of`],
/// [`simulate_spread_of`]).
pub fn breach_outcome(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
) -> Outcome {
    outcome(eval, graph, origin, opts).0
}

/// `f` on the graph a simulation of `eval`'s design runs on, from `origin`'s node: the design's
/// own, or, when it has no segments, the flat network it is (`f`'s last argument says which).
fn on_graph<T>(
    eval: &Evaluator,
    origin: &Caller,
    f: impl FnOnce(&Evaluator, &ReachGraph, usize, bool) -> T,
) -> Result<T, SimulateError> {
    let design = eval.design();
    let node = origin_node(eval, origin)?;
    if design.segments.is_empty() {
        let flat = flat_design(design);
        let flat_eval = Evaluator::new(&flat);
        let graph = ReachGraph::compile(&flat_eval);
        return Ok(f(&flat_eval, &graph, node, true));
    }
    let graph = ReachGraph::compile(eval);
    Ok(f(eval, &graph, node, false))
}

/// The fixpoint of a breach from `origin` under `opts`, and the calls it treated as removed.
fn outcome(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
) -> (Outcome, HashSet<(u32, u32)>) {
    let exploit: Vec<f64> = eval
        .design()
        .services
        .iter()
        .map(|s| exploit_probability(s, opts.assumption))
        .chain(std::iter::once(0.0))
        .collect();
    let blocked = blocked_calls(eval, opts);
    let out = run(graph, origin, &exploit, Some(&blocked));
    (out, blocked)
}

/// `opts.blocked` as (node, service index) pairs; calls naming no node are left out.
fn blocked_calls(eval: &Evaluator, opts: &SimulateOptions) -> HashSet<(u32, u32)> {
    opts.blocked
        .iter()
        .filter_map(|(a, b)| {
            let a = origin_node(eval, &Caller::parse(a)).ok()?;
            Some((a as u32, eval.service_index(b)? as u32))
        })
        .collect()
}

/// Simulate on an already compiled graph (the app and the all-origins analysis reuse one).
pub fn simulate_on(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
) -> Simulation {
    expanded(simulate_tree_on(eval, graph, origin, opts))
}

/// The paths of a tree made by [`report_tree`] written out: each names only earlier entries.
fn expanded(sim: tree::SimulationTree) -> Simulation {
    tree::expand(sim).expect("report_tree's paths extend only earlier entries")
}

/// [`simulate_on`] with the attack paths as the tree they form.
pub fn simulate_tree_on(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
) -> tree::SimulationTree {
    let (out, blocked) = outcome(eval, graph, origin, opts);
    tree_of(eval, graph, origin, opts, &out, &blocked)
}

/// [`simulate_tree_on`] of a run already made: `out` is [`breach_outcome`]'s for the same
/// graph, origin and options.
pub fn simulate_tree_of(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
    out: &Outcome,
) -> tree::SimulationTree {
    tree_of(eval, graph, origin, opts, out, &blocked_calls(eval, opts))
}

/// The report, the choke points and the flat comparison of the run `out` (`blocked`: the
/// calls it treated as removed).
fn tree_of(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    opts: &SimulateOptions,
    out: &Outcome,
    blocked: &HashSet<(u32, u32)>,
) -> tree::SimulationTree {
    let design = eval.design();
    let mut tree = report_tree(eval, graph, origin, opts.assumption, out);
    let sim = &mut tree.simulation;

    // Choke points: a minimum cut between the attacker and the crown jewels.
    let jewel_targets: Vec<usize> = sim
        .reached
        .iter()
        .filter(|r| r.service != sim.origin && crown(design, &r.exposed))
        .filter_map(|r| eval.service_index(&r.service))
        .collect();
    if !jewel_targets.is_empty() {
        let cut = min_cut(graph, out, origin, &jewel_targets, blocked);
        let mut more = opts.blocked.clone();
        let mut points = Vec::new();
        for (a, b) in cut {
            let from = node_id(design, a as usize);
            let to = design.services[b as usize].id.clone();
            let by = eval
                .grants(&Caller::parse(&from), &to, &Request::default())
                .map(|g| g.grants.into_iter().map(|g| g.by).collect())
                .unwrap_or_default();
            more.push((from.clone(), to.clone()));
            points.push(ChokePoint { from, to, by });
        }
        // Only which services the cut leaves reached matters: its paths stay a tree.
        let check = simulate_tree_on(
            eval,
            graph,
            origin,
            &SimulateOptions {
                assumption: opts.assumption,
                blocked: more,
            },
        );
        let verified = !check
            .simulation
            .reached
            .iter()
            .any(|r| r.service != sim.origin && crown(design, &r.exposed));
        sim.choke_points = ChokePoints {
            targets: jewel_targets
                .iter()
                .map(|&t| design.services[t].id.clone())
                .collect(),
            cut: points,
            verified,
        };
    } else {
        sim.choke_points.verified = true;
    }

    // The flat network, for comparison.
    let flat = flat_blast_radius(design, origin, opts.assumption);
    let reduction_pct = if flat.score == 0 {
        0.0
    } else {
        (100.0 * (1.0 - sim.blast_radius.score as f64 / flat.score as f64) * 10.0).round() / 10.0
    };
    sim.flat = FlatComparison {
        blast_radius: flat,
        reduction_pct,
    };
    tree
}

fn crown(design: &Design, classes: &[String]) -> bool {
    classes
        .iter()
        .any(|c| design.data_class(c).is_some_and(|d| d.crown_jewel))
}

fn node_id(design: &Design, node: usize) -> String {
    design
        .services
        .get(node)
        .map(|s| s.id.clone())
        .unwrap_or_else(|| crate::model::INTERNET.to_string())
}

/// What the attacker's positions present when a report asks the evaluator about their calls:
/// each position's own credentials, and those together with every stolen credential, made once
/// per position when first asked for.
///
/// A position's own credentials are among the stolen ones (`run` steals a position's
/// credentials when it takes it), so "its own and every stolen one" is the stolen set under the
/// position's identity: one set whose identity is swapped per position, instead of a copy of
/// the stolen set per position (a full-reach breach steals hundreds of credentials; the copies
/// were a sixth of the report). Should a position hold a credential that is not stolen, it
/// gets its own union, as before.
struct Presentations<'e, 'd> {
    eval: &'e Evaluator<'d>,
    /// Per node: the caller it is and what it presents on its own.
    own: Vec<Option<(Caller, Presented)>>,
    /// Every stolen credential, under the identity of the position last asked about.
    stolen: Presented,
    unions: HashMap<usize, Presented>,
}

/// A position's presentations, borrowed from [`Presentations`].
struct WithStolen<'p> {
    caller: &'p Caller,
    own: &'p Presented,
    /// Its own credentials and every stolen one, under its identity.
    presented: &'p Presented,
    /// Every stolen credential.
    stolen: &'p BTreeSet<Credential>,
}

impl<'e, 'd> Presentations<'e, 'd> {
    fn new(eval: &'e Evaluator<'d>, graph: &ReachGraph, out: &Outcome) -> Self {
        let stolen = out
            .stolen
            .iter()
            .enumerate()
            .filter(|(_, p)| **p > 0.0)
            .map(|(c, _)| graph.credentials[c].clone())
            .collect();
        Presentations {
            eval,
            own: vec![None; graph.n + 1],
            stolen: Presented {
                identity: None,
                credentials: stolen,
            },
            unions: HashMap::new(),
        }
    }

    /// Node `a` as a caller, and what it presents on its own.
    fn own(&mut self, a: usize) -> (&Caller, &Presented) {
        let eval = self.eval;
        let (caller, own) = self.own[a].get_or_insert_with(|| {
            let caller = Caller::parse(&node_id(eval.design(), a));
            let own = eval.own_presentation(&caller);
            (caller, own)
        });
        (caller, own)
    }

    fn with_stolen(&mut self, a: usize) -> WithStolen<'_> {
        let eval = self.eval;
        let (caller, own) = self.own[a].get_or_insert_with(|| {
            let caller = Caller::parse(&node_id(eval.design(), a));
            let own = eval.own_presentation(&caller);
            (caller, own)
        });
        let (caller, own) = (&*caller, &*own);
        // INVARIANT: `self.stolen` is returned as `a`'s only when every credential `a` holds
        // is in it; its identity is then `a`'s.
        let among_stolen = own.credentials.is_subset(&self.stolen.credentials);
        if among_stolen {
            self.stolen.identity.clone_from(&own.identity);
        }
        let stolen = &self.stolen;
        let presented = if among_stolen {
            stolen
        } else {
            self.unions.entry(a).or_insert_with(|| {
                let mut p = own.clone();
                p.credentials.extend(stolen.credentials.iter().cloned());
                p
            })
        };
        WithStolen {
            caller,
            own,
            presented,
            stolen: &stolen.credentials,
        }
    }
}

/// Which services a run reached, in the order the report lists them, and each one's attack path
/// as the tree the app is sent ([`tree::SimulationTree`]): what both the report and the
/// canvas's [`spread`] are built on, so the two always agree.
struct PathShape {
    /// Reached services (nodes): the origin first, then by hops, then id.
    order: Vec<usize>,
    /// `order` by hops alone (stable): a position reached in fewer hops comes first.
    by_hops: Vec<usize>,
    /// Per node: the reached node whose path its own extends by the hop into it (its parent,
    /// when that was placed before it in `by_hops`, as a parent reached in fewer hops always is).
    prefix: Vec<Option<usize>>,
    /// Per entry of `order`: the earlier entry whose path it extends (`TreePath::via`); `None`
    /// for a path written out whole.
    via: Vec<Option<usize>>,
}

impl PathShape {
    fn of(design: &Design, n: usize, origin: usize, out: &Outcome) -> Self {
        let mut order: Vec<usize> = (0..n).filter(|&i| out.reach[i] > 0.0).collect();
        order.sort_by(|&x, &y| {
            (x != origin, out.hops[x], &design.services[x].id).cmp(&(
                y != origin,
                out.hops[y],
                &design.services[y].id,
            ))
        });
        let mut by_hops = order.clone();
        by_hops.sort_by_key(|&i| out.hops[i]);
        let mut placed = vec![false; n];
        let mut prefix = vec![None; n];
        for &b in &by_hops {
            if let Some((a, _)) = out.parent[b] {
                let a = a as usize;
                prefix[b] = placed.get(a).copied().unwrap_or(false).then_some(a);
            }
            placed[b] = true;
        }
        let mut position = vec![usize::MAX; n];
        for (k, &i) in order.iter().enumerate() {
            position[i] = k;
        }
        let via = order
            .iter()
            .enumerate()
            .map(|(k, &b)| prefix[b].map(|a| position[a]).filter(|&j| j < k))
            .collect();
        PathShape {
            order,
            by_hops,
            prefix,
            via,
        }
    }

    /// The nodes whose hops make up `b`'s whole path, in path order (each node's hop is the
    /// call into it from its parent).
    fn whole(&self, out: &Outcome, b: usize) -> Vec<usize> {
        let mut nodes = Vec::new();
        let mut at = b;
        loop {
            if out.parent[at].is_some() {
                nodes.push(at);
            }
            match self.prefix[at] {
                Some(p) => at = p,
                None => break,
            }
        }
        nodes.reverse();
        nodes
    }
}

/// Turn an outcome into the reported [`Simulation`] (paths explained by the evaluator).
pub fn report(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    assumption: Assumption,
    out: &Outcome,
) -> Simulation {
    expanded(report_tree(eval, graph, origin, assumption, out))
}

/// [`report`] with the attack paths as the tree they form ([`tree::SimulationTree`]): each
/// reached service's path is built once, as its last hop and the earlier entry it extends,
/// instead of every path written out and then folded (the desktop app sends this form).
pub fn report_tree(
    eval: &Evaluator,
    graph: &ReachGraph,
    origin: usize,
    assumption: Assumption,
    out: &Outcome,
) -> tree::SimulationTree {
    let design = eval.design();
    let n = graph.n;
    let mut presented = Presentations::new(eval, graph, out);
    let shape = PathShape::of(design, n, origin, out);
    let order = &shape.order;

    // Each reached service's last hop, explained: the call from its parent position.
    let mut last_hop: Vec<Option<Hop>> = vec![None; n];
    for &b in &shape.by_hops {
        let Some((a, _)) = out.parent[b] else {
            continue;
        };
        let a = a as usize;
        let to = &design.services[b].id;
        let (caller, own_p) = presented.own(a);
        let own = eval.decide(caller, to, &Request::default(), Some(own_p));
        let (decision, stolen) = if own.is_allowed() {
            (own, Vec::new())
        } else {
            let asked = presented.with_stolen(a);
            let d = eval.decide(asked.caller, to, &Request::default(), Some(asked.presented));
            let used = match &d {
                Decision::Allow { auth, .. } => auth
                    .iter()
                    .filter(|req| !asked.own.satisfies(req))
                    .filter_map(|req| asked.stolen.iter().find(|c| credential_satisfies(c, req)))
                    .cloned()
                    .collect(),
                Decision::Deny(_) => Vec::new(),
            };
            (d, used)
        };
        last_hop[b] = Some(Hop {
            from: node_id(design, a),
            to: to.clone(),
            decision,
            stolen,
            exploited: out.compromise[b] > 0.0,
        });
    }
    // The tree: an extension of an earlier entry of `reached` names it and keeps its hop; any
    // other path (the origin's, the internet's first hops) is written out whole.
    let mut paths: Vec<tree::TreePath> = order
        .iter()
        .zip(&shape.via)
        .map(|(&b, &via)| tree::TreePath {
            via,
            path: if via.is_some() {
                Vec::new()
            } else {
                shape
                    .whole(out, b)
                    .into_iter()
                    .filter_map(|x| last_hop[x].clone())
                    .collect()
            },
        })
        .collect();
    for (p, &b) in paths.iter_mut().zip(order) {
        if p.via.is_some() {
            p.path.extend(last_hop[b].take());
        }
    }

    let mut reached = Vec::with_capacity(order.len());
    // Class ids and service ids borrowed from the design, copied once into the answer (a
    // full-reach breach exposes a few classes at each of thousands of services).
    let mut exposed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut blast = BlastRadius::default();
    let mut jewels = BTreeSet::new();
    for &i in order {
        let s = &design.services[i];
        let compromised = out.compromise[i] > 0.0;
        let data: BTreeSet<&str> = if compromised {
            all_data(s)
        } else {
            // Only the endpoints some position can call with what the attacker holds.
            let callers = out.callers.get(&(i as u32)).map_or(&[][..], Vec::as_slice);
            let mut data = BTreeSet::new();
            for ep in &s.endpoints {
                let req = Request {
                    port: None,
                    method: Some(ep.method.clone()),
                    path: Some(ep.path.clone()),
                };
                let open = callers.iter().any(|&a| {
                    let asked = presented.with_stolen(a as usize);
                    eval.decide(asked.caller, &s.id, &req, Some(asked.presented))
                        .is_allowed()
                });
                if open {
                    data.extend(ep.data_classes.iter().map(String::as_str));
                }
            }
            data
        };
        for &c in &data {
            exposed.entry(c).or_default().insert(&s.id);
        }
        if i != origin {
            blast.services += 1;
            blast.compromised += usize::from(compromised);
            blast.score += weight_of(design, data.iter());
            for &c in &data {
                if design.data_class(c).is_some_and(|d| d.crown_jewel) {
                    jewels.insert(c);
                }
            }
        }
        let probabilistic = assumption == Assumption::Probabilistic;
        reached.push(ReachedService {
            service: s.id.clone(),
            compromised,
            probability: probabilistic.then_some(round4(out.reach[i])),
            compromise_probability: probabilistic.then_some(round4(out.compromise[i])),
            hops: out.hops[i] as usize,
            exposed: data.into_iter().map(str::to_string).collect(),
            path: Vec::new(),
        });
    }
    blast.crown_jewels = jewels.into_iter().map(str::to_string).collect();

    // Each credential once, from the first position it was taken from (a full-reach breach
    // takes hundreds from thousands of positions: a linear search per credential was a third
    // of the report).
    let mut stolen_credentials = Vec::new();
    let mut listed: HashSet<&Credential> = HashSet::new();
    for &p in &out.positions {
        let p = p as usize;
        if p < n {
            for c in &design.services[p].credentials {
                if listed.insert(c) {
                    stolen_credentials.push(StolenCredential {
                        credential: c.clone(),
                        from: design.services[p].id.clone(),
                    });
                }
            }
        }
    }
    let mut exposed_data: Vec<ExposedData> = exposed
        .into_iter()
        .map(|(c, at)| {
            let dc = design.data_class(c);
            ExposedData {
                sensitivity: dc.map(|d| d.sensitivity).unwrap_or(Sensitivity::Internal),
                crown_jewel: dc.is_some_and(|d| d.crown_jewel),
                data_class: c.to_string(),
                at: at.into_iter().map(str::to_string).collect(),
            }
        })
        .collect();
    exposed_data.sort_by(|a, b| {
        (b.crown_jewel, b.sensitivity, &a.data_class).cmp(&(
            a.crown_jewel,
            a.sensitivity,
            &b.data_class,
        ))
    });

    let mut notes = Vec::new();
    if origin == n {
        let facing = design
            .services
            .iter()
            .filter(|s| s.exposure == Exposure::Internet)
            .count();
        notes.push(format!(
            "the attack starts on the internet: {facing} internet-facing service(s) can be called; stolen API keys and JWTs are replayed from the internet too"
        ));
    }
    match assumption {
        Assumption::Worst => notes.push("worst case: every service the attacker can call is taken over".into()),
        Assumption::Known => notes.push("known weaknesses: only services with an exploitable weakness are taken over".into()),
        Assumption::Probabilistic => notes.push("probabilistic: services fall with their weaknesses' probabilities; the most likely path wins".into()),
    }
    let simulation = Simulation {
        origin: node_id(design, origin),
        assumption,
        flat_estate: false,
        notes,
        compromised: order
            .iter()
            .filter(|&&i| out.compromise[i] > 0.0)
            .map(|&i| design.services[i].id.clone())
            .collect(),
        reached,
        stolen_credentials,
        exposed_data,
        blast_radius: blast,
        choke_points: ChokePoints::default(),
        flat: FlatComparison {
            blast_radius: BlastRadius::default(),
            reduction_pct: 0.0,
        },
    };
    tree::SimulationTree { simulation, paths }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The blast radius on the flat network, in closed form (every call allowed, no auth):
/// from a service every other service is callable; from the internet the internet-facing ones,
/// and everything once one of them falls.
pub fn flat_blast_radius(design: &Design, origin: usize, assumption: Assumption) -> BlastRadius {
    let n = design.services.len();
    let p: Vec<f64> = design
        .services
        .iter()
        .map(|s| exploit_probability(s, assumption))
        .collect();
    let entry_falls =
        (0..n).any(|i| design.services[i].exposure == Exposure::Internet && p[i] > 0.0);
    let mut br = BlastRadius::default();
    let mut jewels = BTreeSet::new();
    for (i, s) in design.services.iter().enumerate() {
        if i == origin {
            continue;
        }
        let callable = origin < n || s.exposure == Exposure::Internet || entry_falls;
        if !callable {
            continue;
        }
        // With no auth every endpoint is callable, so a reached service exposes all it serves;
        // a compromised one also what it holds.
        let compromised = p[i] > 0.0;
        let data: BTreeSet<&str> = if compromised {
            all_data(s)
        } else {
            s.endpoints
                .iter()
                .flat_map(|e| e.data_classes.iter().map(String::as_str))
                .collect()
        };
        br.services += 1;
        br.compromised += usize::from(compromised);
        br.score += weight_of(design, data.iter());
        for c in data {
            if design.data_class(c).is_some_and(|d| d.crown_jewel) {
                jewels.insert(c);
            }
        }
    }
    br.crown_jewels = jewels.into_iter().map(str::to_string).collect();
    br
}

/// A minimum set of attack-graph edges separating `origin` from every target (unit
/// capacities). The attack graph is every call open from a position at the fixpoint.
///
/// The cut is the attack-graph edges leaving the set of nodes the origin still reaches in the
/// residual graph of a maximum flow. That set is the same for every maximum flow (it is the
/// smallest minimum cut's source side), so which algorithm finds the flow does not change the
/// answer: Dinic's (a breadth-first level graph, then as many unit paths along it as it takes)
/// instead of Edmonds–Karp's one path per breadth-first search over the whole graph, which was
/// a fifth of the internet's breach of 2,000 services (150 searches).
fn min_cut(
    graph: &ReachGraph,
    out: &Outcome,
    origin: usize,
    targets: &[usize],
    blocked: &HashSet<(u32, u32)>,
) -> Vec<(u32, u32)> {
    let nodes = graph.n + 2;
    let sink = graph.n + 1;
    // Residual graph as adjacency of arc ids; arcs come in (forward, backward) pairs.
    let mut head: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    let mut to: Vec<usize> = Vec::new();
    let mut cap: Vec<u32> = Vec::new();
    let mut add = |a: usize, b: usize, c: u32, head: &mut Vec<Vec<usize>>| {
        head[a].push(to.len());
        to.push(b);
        cap.push(c);
        head[b].push(to.len());
        to.push(a);
        cap.push(0);
    };
    // The attack graph's edges; their forward arcs get the even ids 0, 2, 4, ...
    let mut real: Vec<(usize, u32, u32)> = Vec::new();
    for &p in &out.positions {
        let a = p as usize;
        for edge in graph.out(a) {
            if blocked.contains(&(p, edge.to)) {
                continue;
            }
            if graph.condition_strength(edge.condition, &out.stolen) > 0.0 {
                real.push((2 * real.len(), p, edge.to));
                add(a, edge.to as usize, 1, &mut head);
            }
        }
    }
    for &t in targets {
        add(t, sink, u32::MAX, &mut head);
    }
    const UNSEEN: u32 = u32::MAX;
    let mut level = vec![UNSEEN; nodes];
    let mut queue = std::collections::VecDeque::new();
    // Breadth-first levels from the origin over arcs with capacity left; whether the sink
    // got one.
    let mut levels = |level: &mut Vec<u32>, cap: &[u32]| -> bool {
        level.fill(UNSEEN);
        level[origin] = 0;
        queue.clear();
        queue.push_back(origin);
        while let Some(u) = queue.pop_front() {
            for &arc in &head[u] {
                let v = to[arc];
                if cap[arc] > 0 && level[v] == UNSEEN {
                    level[v] = level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        level[sink] != UNSEEN
    };
    let mut next = vec![0usize; nodes];
    let mut path: Vec<usize> = Vec::new();
    while levels(&mut level, &cap) {
        // Unit paths along the level graph until none is left. `next[u]`: the first of `u`'s
        // arcs not yet found to lead nowhere in this phase.
        next.fill(0);
        path.clear();
        let mut u = origin;
        loop {
            if u == sink {
                // Every arc on a path has capacity 1 or more: one unit along it.
                for &arc in &path {
                    cap[arc] -= 1;
                    cap[arc ^ 1] += 1;
                }
                path.clear();
                u = origin;
                continue;
            }
            let mut advanced = false;
            while next[u] < head[u].len() {
                let arc = head[u][next[u]];
                let v = to[arc];
                if cap[arc] > 0 && level[v] == level[u] + 1 {
                    path.push(arc);
                    u = v;
                    advanced = true;
                    break;
                }
                next[u] += 1;
            }
            if advanced {
                continue;
            }
            // A dead end: back to the previous node, past the arc that led here.
            let Some(arc) = path.pop() else { break };
            u = to[arc ^ 1];
            next[u] += 1;
        }
    }
    // `level` now marks what the origin reaches in the final residual graph.
    real.iter()
        .filter(|(arc, a, b)| {
            cap[*arc] == 0 && level[*a as usize] != UNSEEN && level[*b as usize] == UNSEEN
        })
        .map(|&(_, a, b)| (a, b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_and_truncations() {
        let ids = ["partner-webhook-api", "payments-api", "web-bff"];
        assert_eq!(
            did_you_mean("partner-webhok", ids.iter().copied()).as_deref(),
            Some("partner-webhook-api")
        );
        assert_eq!(
            did_you_mean("payment-api", ids.iter().copied()).as_deref(),
            Some("payments-api")
        );
        assert_eq!(did_you_mean("zzzzzz", ids.iter().copied()), None);
    }
}

#[cfg(test)]
mod replay_tests {
    use super::*;
    use crate::model::*;

    /// web (internet-facing) → cache holds key `k`; `vault` requires `k`; web cannot call
    /// vault with its own credentials, but can once it has stolen `k` from cache — and so can
    /// the internet, for an internet-facing vault.
    fn design() -> Design {
        let mut d = Design::new("replay");
        let svc = |id: &str| Service {
            id: id.into(),
            ..Service::default()
        };
        d.services = vec![svc("web"), svc("cache"), svc("vault")];
        d.services[0].exposure = Exposure::Internet;
        d.services[2].exposure = Exposure::Internet;
        d.services[1].credentials = vec![Credential::ApiKey { key: "k".into() }];
        d.services[2].data_held = vec!["card".into()];
        d.data_classes = vec![DataClass {
            id: "card".into(),
            name: String::new(),
            sensitivity: Sensitivity::Restricted,
            crown_jewel: true,
            description: None,
        }];
        d.segments = vec![Segment {
            id: "all".into(),
            members: vec!["web".into(), "cache".into(), "vault".into()],
            policy: SegmentPolicy {
                intra: IntraStance::Deny,
                ..SegmentPolicy::default()
            },
            ..Segment::default()
        }];
        let rule = |id: &str, from: Peer, to: &str, auth: Option<Auth>| Rule {
            id: id.into(),
            from,
            to: Peer::Service(to.into()),
            auth,
            ..Rule::default()
        };
        d.rules = vec![
            rule("in-web", Peer::Internet, "web", None),
            rule("web-cache", Peer::Service("web".into()), "cache", None),
            rule(
                "any-vault",
                Peer::Any,
                "vault",
                Some(Auth::ApiKey { key: "k".into() }),
            ),
        ];
        d
    }

    #[test]
    fn stolen_key_is_replayed_from_every_position_and_the_internet() {
        let d = design();
        let e = Evaluator::new(&d);
        let sim = simulate(&e, &Caller::Internet, &SimulateOptions::default()).unwrap();
        let vault = sim.reached.iter().find(|r| r.service == "vault").unwrap();
        // The shortest way is the internet itself, replaying the key stolen from cache.
        assert_eq!(vault.path.len(), 1);
        assert_eq!(vault.path[0].from, "internet");
        assert_eq!(
            vault.path[0].stolen,
            vec![Credential::ApiKey { key: "k".into() }]
        );
        assert!(vault.path[0].decision.is_allowed());
        assert_eq!(sim.blast_radius.crown_jewels, vec!["card".to_string()]);
        // Cutting internet→web is enough: no position, no key.
        assert!(sim.choke_points.verified);
        assert!(!sim.choke_points.cut.is_empty());
        // Known weaknesses: nothing falls, so the key is never stolen and vault never called.
        let known = simulate(
            &e,
            &Caller::Internet,
            &SimulateOptions {
                assumption: Assumption::Known,
                blocked: Vec::new(),
            },
        )
        .unwrap();
        assert!(known.reached.iter().all(|r| r.service != "vault"));
    }

    #[test]
    fn no_segments_means_flat_and_says_so() {
        let mut d = design();
        d.segments.clear();
        d.rules.clear();
        let e = Evaluator::new(&d);
        let sim = simulate(
            &e,
            &Caller::Service("cache".into()),
            &SimulateOptions::default(),
        )
        .unwrap();
        assert!(sim.flat_estate);
        assert!(sim.notes[0].contains("no segments"));
        assert_eq!(sim.blast_radius.services, 2);
        assert_eq!(sim.flat.reduction_pct, 0.0);
    }

    #[test]
    fn unknown_origin_suggests() {
        let d = design();
        let e = Evaluator::new(&d);
        let err = simulate(
            &e,
            &Caller::Service("vualt".into()),
            &SimulateOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown service `vualt`: did you mean `vault`?"
        );
    }
}

/// The report and the choke-point search against the straightforward versions they replaced
/// (issue #7: the internet's breach of 2,000 services): Edmonds–Karp for the cut, and every
/// decision made with a fresh presentation of the caller's own credentials plus every stolen
/// one. Every origin and assumption of the fintech example and of generated estates.
#[cfg(test)]
mod reference_tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};

    /// The minimum cut as it was found before: one breadth-first augmenting path at a time.
    fn min_cut_edmonds_karp(
        graph: &ReachGraph,
        out: &Outcome,
        origin: usize,
        targets: &[usize],
    ) -> Vec<(u32, u32)> {
        let nodes = graph.n + 2;
        let sink = graph.n + 1;
        let mut head: Vec<Vec<usize>> = vec![Vec::new(); nodes];
        let mut to: Vec<usize> = Vec::new();
        let mut cap: Vec<u32> = Vec::new();
        let mut add = |a: usize, b: usize, c: u32, head: &mut Vec<Vec<usize>>| {
            head[a].push(to.len());
            to.push(b);
            cap.push(c);
            head[b].push(to.len());
            to.push(a);
            cap.push(0);
        };
        let mut real: Vec<(usize, u32, u32)> = Vec::new();
        for &p in &out.positions {
            for edge in graph.out(p as usize) {
                if graph.condition_strength(edge.condition, &out.stolen) > 0.0 {
                    real.push((2 * real.len(), p, edge.to));
                    add(p as usize, edge.to as usize, 1, &mut head);
                }
            }
        }
        for &t in targets {
            add(t, sink, u32::MAX, &mut head);
        }
        for _ in 0..=graph.out(origin).len() {
            let mut prev: Vec<Option<usize>> = vec![None; nodes];
            let mut seen = vec![false; nodes];
            seen[origin] = true;
            let mut queue = std::collections::VecDeque::from([origin]);
            while let Some(u) = queue.pop_front() {
                if u == sink {
                    break;
                }
                for &arc in &head[u] {
                    let v = to[arc];
                    if cap[arc] > 0 && !seen[v] {
                        seen[v] = true;
                        prev[v] = Some(arc);
                        queue.push_back(v);
                    }
                }
            }
            if !seen[sink] {
                return real
                    .iter()
                    .filter(|(arc, a, b)| cap[*arc] == 0 && seen[*a as usize] && !seen[*b as usize])
                    .map(|&(_, a, b)| (a, b))
                    .collect();
            }
            let mut v = sink;
            while let Some(arc) = prev[v] {
                cap[arc] -= 1;
                cap[arc ^ 1] += 1;
                v = to[arc ^ 1];
            }
        }
        panic!("more augmenting paths than calls out of the origin");
    }

    /// What `caller` (a position) presents with every stolen credential, made afresh.
    fn with_stolen(eval: &Evaluator, graph: &ReachGraph, out: &Outcome, a: usize) -> Presented {
        let mut p = eval.own_presentation(&Caller::parse(&node_id(eval.design(), a)));
        for (c, &q) in out.stolen.iter().enumerate() {
            if q > 0.0 {
                p.credentials.insert(graph.credentials[c].clone());
            }
        }
        p
    }

    fn check(design: &Design, origins: impl Iterator<Item = usize>) -> usize {
        let eval = Evaluator::new(design);
        let graph = ReachGraph::compile(&eval);
        let mut cuts = 0;
        for origin in origins {
            for assumption in [
                Assumption::Worst,
                Assumption::Known,
                Assumption::Probabilistic,
            ] {
                let exploit: Vec<f64> = design
                    .services
                    .iter()
                    .map(|s| exploit_probability(s, assumption))
                    .chain([0.0])
                    .collect();
                let out = run(&graph, origin, &exploit, None);
                let tree = report_tree(&eval, &graph, origin, assumption, &out);
                let sim = tree::expand(tree).unwrap();
                let what = format!("from {} ({assumption:?})", node_id(design, origin));
                for r in &sim.reached {
                    let b = eval.service_index(&r.service).unwrap();
                    // The last hop's decision: the caller's own credentials, else with every
                    // stolen one, and which stolen ones it needed.
                    if let Some(hop) = r.path.last() {
                        let a = origin_node(&eval, &Caller::parse(&hop.from)).unwrap();
                        let caller = Caller::parse(&hop.from);
                        let own = eval.own_presentation(&caller);
                        let mine =
                            eval.decide(&caller, &r.service, &Request::default(), Some(&own));
                        if mine.is_allowed() {
                            assert_eq!(hop.decision, mine, "{what}: {}", r.service);
                            assert!(hop.stolen.is_empty());
                        } else {
                            let all = with_stolen(&eval, &graph, &out, a);
                            let d =
                                eval.decide(&caller, &r.service, &Request::default(), Some(&all));
                            assert_eq!(hop.decision, d, "{what}: {}", r.service);
                            for c in &hop.stolen {
                                assert!(all.credentials.contains(c), "{what}: {c:?}");
                            }
                        }
                    }
                    // What it exposes: everything if taken, else the endpoints a caller can call.
                    let s = &design.services[b];
                    let expected: BTreeSet<&str> = if r.compromised {
                        all_data(s)
                    } else {
                        let callers = out.callers.get(&(b as u32)).cloned().unwrap_or_default();
                        s.endpoints
                            .iter()
                            .filter(|ep| {
                                callers.iter().any(|&a| {
                                    let req = Request {
                                        port: None,
                                        method: Some(ep.method.clone()),
                                        path: Some(ep.path.clone()),
                                    };
                                    let all = with_stolen(&eval, &graph, &out, a as usize);
                                    eval.decide(
                                        &Caller::parse(&node_id(design, a as usize)),
                                        &s.id,
                                        &req,
                                        Some(&all),
                                    )
                                    .is_allowed()
                                })
                            })
                            .flat_map(|ep| ep.data_classes.iter().map(String::as_str))
                            .collect()
                    };
                    let got: BTreeSet<&str> = r.exposed.iter().map(String::as_str).collect();
                    assert_eq!(got, expected, "{what}: {}", r.service);
                }
                // The cut: the same edges as Edmonds–Karp's, in the same order.
                let targets: Vec<usize> = sim
                    .reached
                    .iter()
                    .filter(|r| r.service != sim.origin && crown(design, &r.exposed))
                    .filter_map(|r| eval.service_index(&r.service))
                    .collect();
                if !targets.is_empty() {
                    let cut = min_cut(&graph, &out, origin, &targets, &HashSet::new());
                    assert_eq!(
                        cut,
                        min_cut_edmonds_karp(&graph, &out, origin, &targets),
                        "{what}"
                    );
                    cuts += usize::from(!cut.is_empty());
                }
            }
        }
        cuts
    }

    #[test]
    fn report_and_cut_match_the_straightforward_ones_on_fintech() {
        let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/fintech.bulkhead.json");
        let design: Design = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let n = design.services.len();
        assert!(check(&design, 0..=n) > 0, "no cut was compared");
    }

    #[test]
    fn report_and_cut_match_the_straightforward_ones_on_generated_estates() {
        for (services, seed) in [(60, 1), (120, 7), (200, 42)] {
            let design = generate(&GenerateOptions {
                services,
                peers: 10,
                seed,
            });
            let n = design.services.len();
            // The internet (whose breach reaches most of the estate) and every seventh service.
            let origins = std::iter::once(n).chain((0..n).step_by(7));
            assert!(check(&design, origins) > 0, "no cut was compared");
        }
    }
}
