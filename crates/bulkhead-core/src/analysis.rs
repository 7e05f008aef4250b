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

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::bits::Bits;
use crate::eval::Evaluator;
use crate::model::Design;
use crate::reach::{FREE, ReachGraph};
use crate::simulate::{Assumption, flat_design, run, weight_of};

/// Worst-case reach of one origin, as the closure computes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginReach {
    /// Services reached, not counting the origin.
    pub services: usize,
    pub score: u64,
    /// Indices into `design.data_classes` of crown jewels exposed (not at the origin).
    pub crown_jewels: Vec<usize>,
}

/// What the closure cost, for the benchmark and `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClosureStats {
    pub sccs: usize,
    pub edges: usize,
    pub conditional_edges: usize,
    /// Most bytes of closure bitsets alive at once.
    pub peak_closure_bytes: usize,
}

/// Per-service facts the closure sums: weight of the most sensitive data a taken-over service
/// exposes (all it holds or serves) and which crown jewels it exposes.
struct NodeFacts {
    weight: Vec<u64>,
    /// Per distinct weight value, the services with it.
    by_weight: Vec<(u64, Bits)>,
    /// Per crown-jewel data class (index into `design.data_classes`), the services exposing it.
    jewels: Vec<(usize, Bits)>,
}

fn node_facts(design: &Design) -> NodeFacts {
    let n = design.services.len();
    let weight: Vec<u64> = design
        .services
        .iter()
        .map(|s| {
            weight_of(
                design,
                s.data_held
                    .iter()
                    .chain(s.endpoints.iter().flat_map(|e| e.data_classes.iter())),
            )
        })
        .collect();
    let mut by_weight: Vec<(u64, Bits)> = Vec::new();
    for (i, &w) in weight.iter().enumerate() {
        match by_weight.iter_mut().find(|(x, _)| *x == w) {
            Some((_, b)) => {
                b.insert(i);
            }
            None => {
                let mut b = Bits::new(n);
                b.insert(i);
                by_weight.push((w, b));
            }
        }
    }
    let mut jewels = Vec::new();
    for (ci, dc) in design.data_classes.iter().enumerate() {
        if !dc.crown_jewel {
            continue;
        }
        let mut b = Bits::new(n);
        for (i, s) in design.services.iter().enumerate() {
            if s.data_held.contains(&dc.id)
                || s.endpoints.iter().any(|e| e.data_classes.contains(&dc.id))
            {
                b.insert(i);
            }
        }
        jewels.push((ci, b));
    }
    NodeFacts {
        weight,
        by_weight,
        jewels,
    }
}

fn summarize(facts: &NodeFacts, set: &Bits, origin: Option<usize>) -> OriginReach {
    let total: u64 = facts
        .by_weight
        .iter()
        .map(|(w, b)| w * set.intersection_count(b) as u64)
        .sum();
    let own_weight = origin.map(|o| facts.weight[o]).unwrap_or(0);
    let crown_jewels = facts
        .jewels
        .iter()
        .filter(|(_, b)| {
            let k = set.intersection_count(b);
            k > usize::from(origin.is_some_and(|o| b.contains(o)))
        })
        .map(|(ci, _)| *ci)
        .collect();
    OriginReach {
        services: set.count() - usize::from(origin.is_some()),
        score: total - own_weight,
        crown_jewels,
    }
}

/// Worst-case reach of every service (index = service index) and of the internet (last),
/// by SCC condensation and bitset closures, with stolen credentials added to the fixpoint.
pub fn all_origins_worst(design: &Design, graph: &ReachGraph) -> (Vec<OriginReach>, ClosureStats) {
    let n = graph.n;
    let facts = node_facts(design);
    let ncred = graph.credentials.len();

    // The graph of free service → service calls.
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, graph.edge_count());
    for _ in 0..n {
        g.add_node(());
    }
    let mut conditional: Vec<(u32, u32, u32)> = Vec::new();
    for u in 0..n {
        for e in graph.out(u) {
            if e.condition == FREE {
                g.add_edge(NodeIndex::new(u), NodeIndex::new(e.to as usize), ());
            } else {
                conditional.push((u as u32, e.to, e.condition));
            }
        }
    }
    // Reverse topological order: every component comes after the ones it reaches.
    let sccs = tarjan_scc(&g);
    let mut comp = vec![0u32; n];
    for (ci, members) in sccs.iter().enumerate() {
        for m in members {
            comp[m.index()] = ci as u32;
        }
    }
    // How many components still need each component's closure.
    let mut cedges: Vec<(u32, u32)> = Vec::with_capacity(graph.edge_count());
    for u in 0..n {
        for e in graph.out(u) {
            if e.condition == FREE && comp[u] != comp[e.to as usize] {
                cedges.push((comp[u], comp[e.to as usize]));
            }
        }
    }
    cedges.sort_unstable();
    cedges.dedup();
    let mut needed_by = vec![0u32; sccs.len()];
    for &(_, b) in &cedges {
        needed_by[b as usize] += 1;
    }

    let mut closures: Vec<Option<(Closure, Bits)>> = vec![None; sccs.len()];
    let mut live_bytes = 0usize;
    let mut stats = ClosureStats {
        sccs: sccs.len(),
        edges: graph.edge_count(),
        conditional_edges: conditional.len(),
        peak_closure_bytes: 0,
    };
    let mut result = vec![
        OriginReach {
            services: 0,
            score: 0,
            crown_jewels: Vec::new()
        };
        n + 1
    ];
    // Conditional edges by source: `conditional` is built in source order.
    let mut cond_start = vec![0u32; n + 1];
    for &(u, _, _) in &conditional {
        cond_start[u as usize + 1] += 1;
    }
    for i in 0..n {
        cond_start[i + 1] += cond_start[i];
    }
    let mut set = WorkingSet::new(n);
    let mut cursor = 0usize;
    for (ci, members) in sccs.iter().enumerate() {
        let mut stolen = Bits::new(ncred);
        for m in members {
            set.insert(m.index());
            for &c in &graph.held[m.index()] {
                stolen.insert(c as usize);
            }
        }
        // Successor components, in `cedges` order (sorted by source component).
        while cursor < cedges.len() && (cedges[cursor].0 as usize) < ci {
            cursor += 1;
        }
        let start = cursor;
        while cursor < cedges.len() && cedges[cursor].0 as usize == ci {
            let succ = cedges[cursor].1 as usize;
            if let Some((b, k)) = &closures[succ] {
                set.union_with(b);
                stolen.union_with(k);
            }
            cursor += 1;
        }
        // Stolen credentials may open conditional calls: extend to the fixpoint.
        if !conditional.is_empty() {
            extend_with_credentials(graph, &conditional, &cond_start, &mut set, &mut stolen);
        }
        let summary = set.summarize(&facts);
        for m in members {
            let o = m.index();
            // Crown jewels exposed only at the origin itself do not count.
            let crown_jewels = facts
                .jewels
                .iter()
                .zip(&summary.jewel_counts)
                .filter(|((_, b), k)| **k > usize::from(b.contains(o)))
                .map(|((c, _), _)| *c)
                .collect();
            result[o] = OriginReach {
                services: summary.services - 1,
                score: summary.score - facts.weight[o],
                crown_jewels,
            };
        }
        // Release successor closures nobody else needs.
        for &(_, succ) in &cedges[start..cursor] {
            let succ = succ as usize;
            needed_by[succ] -= 1;
            if needed_by[succ] == 0
                && let Some((b, k)) = closures[succ].take()
            {
                live_bytes -= b.bytes() + k.bytes();
            }
        }
        let closure = if needed_by[ci] > 0 {
            Some(set.to_closure())
        } else {
            None
        };
        set.clear();
        if let Some(closure) = closure {
            live_bytes += closure.bytes() + stolen.bytes();
            closures[ci] = Some((closure, stolen));
        }
        stats.peak_closure_bytes = stats.peak_closure_bytes.max(live_bytes + set.bytes());
    }

    // The internet: one fixpoint run.
    let exploit = vec![1.0; n + 1];
    let out = run(graph, n, &exploit, None);
    let mut set = Bits::new(n);
    for i in 0..n {
        if out.reach[i] > 0.0 {
            set.insert(i);
        }
    }
    result[n] = summarize(&facts, &set, None);
    (result, stats)
}

/// Add to `set` everything stolen credentials open, to the fixpoint. `stolen` is every
/// credential held in `set`, and stays so. The least fixpoint is unique, so the order in which
/// conditional edges are tried does not matter: a small set looks only at its members'
/// conditional edges (`cond_start` indexes `conditional` by source), a large one scans them all.
fn extend_with_credentials(
    graph: &ReachGraph,
    conditional: &[(u32, u32, u32)],
    cond_start: &[u32],
    set: &mut WorkingSet,
    stolen: &mut Bits,
) {
    let mut frontier: Vec<usize> = Vec::new();
    loop {
        if set.is_dense() {
            frontier.extend(
                conditional
                    .iter()
                    .filter(|&&(u, v, c)| {
                        set.contains(u as usize)
                            && !set.contains(v as usize)
                            && graph.condition_open(c, stolen)
                    })
                    .map(|&(_, v, _)| v as usize),
            );
        } else {
            for &u in set.members() {
                let u = u as usize;
                let edges = cond_start[u] as usize..cond_start[u + 1] as usize;
                frontier.extend(
                    conditional[edges]
                        .iter()
                        .filter(|&&(_, v, c)| {
                            !set.contains(v as usize) && graph.condition_open(c, stolen)
                        })
                        .map(|&(_, v, _)| v as usize),
                );
            }
        }
        if frontier.is_empty() {
            return;
        }
        while let Some(w) = frontier.pop() {
            if !set.insert(w) {
                continue;
            }
            for &c in &graph.held[w] {
                stolen.insert(c as usize);
            }
            for e in graph.out(w) {
                let x = e.to as usize;
                if !set.contains(x) && graph.condition_open(e.condition, stolen) {
                    frontier.push(x);
                }
            }
        }
    }
}

/// A finished component's closure: the services its members reach. Most closures are small
/// next to the estate (a few dozen services out of 100,000), so they are kept as lists and
/// only large ones as bitsets: allocating and scanning a 100,000-bit set per component was
/// most of the all-origins time.
#[derive(Clone, Debug)]
enum Closure {
    Sparse(Vec<u32>),
    Dense(Bits),
}

impl Closure {
    fn bytes(&self) -> usize {
        match self {
            Closure::Sparse(v) => v.len() * 4,
            Closure::Dense(b) => b.bytes(),
        }
    }
}

/// The set being built for one component: a bitset over every service (reused, cleared
/// between components) plus the list of its members while they are few.
struct WorkingSet {
    bits: Bits,
    members: Vec<u32>,
    /// More members than `limit`, or a dense closure was merged in: `members` is abandoned
    /// and the bitset is the set.
    dense: bool,
    limit: usize,
}

/// What [`WorkingSet::summarize`] found: as [`summarize`], with per crown jewel (in
/// `NodeFacts::jewels` order) how many services of the set expose it.
struct SetSummary {
    services: usize,
    score: u64,
    jewel_counts: Vec<usize>,
}

impl WorkingSet {
    fn new(n: usize) -> Self {
        WorkingSet {
            bits: Bits::new(n),
            members: Vec::new(),
            dense: false,
            // A list longer than the bitset's words costs more to merge than the bitset.
            limit: n.div_ceil(64).max(16),
        }
    }

    fn is_dense(&self) -> bool {
        self.dense
    }

    fn contains(&self, i: usize) -> bool {
        self.bits.contains(i)
    }

    /// The members, while the set is sparse.
    fn members(&self) -> &[u32] {
        &self.members
    }

    fn insert(&mut self, i: usize) -> bool {
        let new = self.bits.insert(i);
        if new && !self.dense {
            self.members.push(i as u32);
            if self.members.len() > self.limit {
                self.dense = true;
                self.members.clear();
            }
        }
        new
    }

    fn union_with(&mut self, c: &Closure) {
        match c {
            Closure::Sparse(v) => {
                for &i in v {
                    self.insert(i as usize);
                }
            }
            Closure::Dense(b) => {
                self.bits.union_with(b);
                self.dense = true;
                self.members.clear();
            }
        }
    }

    fn to_closure(&self) -> Closure {
        if self.dense {
            Closure::Dense(self.bits.clone())
        } else {
            Closure::Sparse(self.members.clone())
        }
    }

    fn summarize(&self, facts: &NodeFacts) -> SetSummary {
        if self.dense {
            let r = summarize(facts, &self.bits, None);
            return SetSummary {
                services: r.services,
                score: r.score,
                jewel_counts: facts
                    .jewels
                    .iter()
                    .map(|(_, b)| self.bits.intersection_count(b))
                    .collect(),
            };
        }
        let score = self.members.iter().map(|&i| facts.weight[i as usize]).sum();
        let jewel_counts = facts
            .jewels
            .iter()
            .map(|(_, b)| {
                self.members
                    .iter()
                    .filter(|&&i| b.contains(i as usize))
                    .count()
            })
            .collect();
        SetSummary {
            services: self.members.len(),
            score,
            jewel_counts,
        }
    }

    /// Empties the set for the next component.
    fn clear(&mut self) {
        if self.dense {
            self.bits.clear();
        } else {
            for &i in &self.members {
                self.bits.remove(i as usize);
            }
        }
        self.members.clear();
        self.dense = false;
    }

    fn bytes(&self) -> usize {
        self.bits.bytes() + self.members.capacity() * 4
    }
}

/// The baseline the closure is measured against: one fixpoint search per origin.
pub fn all_origins_by_search(design: &Design, graph: &ReachGraph) -> Vec<OriginReach> {
    let n = graph.n;
    let facts = node_facts(design);
    let exploit = vec![1.0; n + 1];
    (0..=n)
        .map(|o| {
            let out = run(graph, o, &exploit, None);
            let mut set = Bits::new(n);
            for i in 0..n {
                if out.reach[i] > 0.0 {
                    set.insert(i);
                }
            }
            summarize(&facts, &set, (o < n).then_some(o))
        })
        .collect()
}

/// Every origin's worst-case blast radius, worst first (by score, then count, then id).
pub fn origin_risks(eval: &Evaluator) -> (Vec<OriginRisk>, ClosureStats) {
    let design = eval.design();
    let flat_holder;
    let flat_eval;
    let (d, e): (&Design, &Evaluator) = if design.segments.is_empty() {
        flat_holder = flat_design(design);
        flat_eval = Evaluator::new(&flat_holder);
        (&flat_holder, &flat_eval)
    } else {
        (design, eval)
    };
    let graph = ReachGraph::compile(e);
    let (reach, stats) = all_origins_worst(d, &graph);
    let n = design.services.len();
    // On the flat network a breached service reaches every other; the internet, see there.
    let flat_internet = crate::simulate::flat_blast_radius(design, n, Assumption::Worst).services;
    let mut rows: Vec<OriginRisk> = reach
        .into_iter()
        .enumerate()
        .map(|(i, r)| OriginRisk {
            origin: design
                .services
                .get(i)
                .map(|s| s.id.clone())
                .unwrap_or_else(|| crate::model::INTERNET.to_string()),
            blast_radius: r.services,
            score: r.score,
            crown_jewels: r
                .crown_jewels
                .iter()
                .map(|&c| design.data_classes[c].id.clone())
                .collect(),
            flat_blast_radius: if i < n {
                n.saturating_sub(1)
            } else {
                flat_internet
            },
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.score, b.blast_radius, &a.origin).cmp(&(a.score, a.blast_radius, &b.origin))
    });
    (rows, stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, generate};

    #[test]
    fn closure_equals_search_per_origin_on_generated_estates() {
        for seed in 0..6 {
            let d = generate(&GenerateOptions {
                services: 40 + seed as usize * 17,
                peers: 4 + seed as usize,
                seed,
            });
            let e = Evaluator::new(&d);
            let g = ReachGraph::compile(&e);
            let (fast, _) = all_origins_worst(&d, &g);
            assert_eq!(fast, all_origins_by_search(&d, &g), "seed {seed}");
        }
    }
}

/// Options of [`analyze`].
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    /// Today's date, `YYYY-MM-DD`, for expired exceptions.
    pub today: Option<String>,
}

/// `bulkhead analyze`: every origin's worst-case blast radius and every finding.
pub fn analyze(eval: &Evaluator, opts: &AnalyzeOptions) -> Analysis {
    let design = eval.design();
    let (origins, _) = origin_risks(eval);
    let (findings, summary) = crate::findings::check(
        eval,
        &crate::findings::CheckOptions {
            today: opts.today.clone(),
        },
    );
    let flat_estate = design.segments.is_empty();
    let mut notes = Vec::new();
    if flat_estate {
        notes.push("the design has no segments, so nothing enforces its rules: blast radii are those of the flat network it is (every service can call every other; the internet reaches internet-facing services)".to_string());
    }
    notes.push("blast radius: worst case (every service the attacker can call is taken over, stolen credentials are replayed), not counting the origin".into());
    Analysis {
        design: design.name.clone(),
        flat_estate,
        notes,
        services: design.services.len(),
        origins,
        findings,
        summary,
    }
}
