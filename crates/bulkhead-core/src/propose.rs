//! Least-privilege proposal: the minimal rules that allow exactly the calls the evidence shows
//! are needed, as a reviewable diff against the current design.
//!
//! Evidence is the design's flows (declared: the application needs the call; observed: it was
//! seen) plus any observed flows passed in (e.g. parsed from traffic logs). Each flow is read as
//! a request (see [`crate::evidence`]) and decided by the evaluator with credentials unchecked,
//! the same question the matrix asks. Of the grants that allow it, the most specific (rules
//! between services before rules naming segments or `any`, then evaluation order) *owns* it:
//! - a flow owned by an allow rule is kept by that rule, narrowed to the evidence it owns
//!   (a rule that owns nothing is removed; one that already allows exactly its evidence stays);
//! - a flow owned by a segment's implicit intra-segment allow is kept by explicit rules, and the
//!   segment's intra stance becomes `deny`, unless the evidence covers every member pair on
//!   every port;
//! - a flow nothing allows gets a new rule;
//! - a flow a deny rule covers, or that comes from the internet to a service that is not
//!   internet-facing, or that names a service the inventory lacks, is *blocked*: the proposal
//!   never overrides a deny rule, changes exposure or invents services, it reports them.
//!
//! Rules are grouped per segment pair (or segment → service, or service → segment) when
//! **every** member pair (and at least two) is evidenced with the same ports, methods and paths,
//! and per service pair otherwise. Within a
//! pair, ports, methods and paths come from the flows, grouped so that a rule's
//! `ports × methods × paths` is exactly what was evidenced: a rule is never broader than its
//! evidence. Narrowed rules keep their auth, rate limit, justification and expiry, and are
//! intersected with the rule they replace, so narrowing never widens anything.
//!
//! Every change stands on its own: accepting any subset (see [`apply`]) keeps every evidenced
//! call allowed, and accepting all of them leaves the design allowing the evidence and nothing
//! more (the property tests check both with the evaluator and the matrix).

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::eval::{
    AllowedBy, Caller, Decision, DenyReason, Evaluator, method_matches, path_matches,
};
use crate::evidence::request_of;
use crate::model::{Action, Design, Exposure, Flow, FlowKind, INTERNET, IntraStance, Peer, Rule};

/// A least-privilege proposal: changes to review, and the evidence it could not honour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Proposal {
    /// The design's name.
    pub design: String,
    pub evidence: EvidenceCount,
    /// The changes, each accepted or rejected on its own (by `id`).
    pub changes: Vec<Change>,
    /// Allow rules that already allow exactly their evidence.
    pub unchanged: Vec<String>,
    /// Evidence the proposal cannot allow by adding or narrowing rules.
    pub blocked: Vec<BlockedFlow>,
    /// Plain-language remarks (skipped flows, assumptions).
    pub notes: Vec<String>,
}

/// How much evidence the proposal rests on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EvidenceCount {
    /// Declared flows.
    pub declared: usize,
    /// Observed flows (aggregated call records).
    pub observed: usize,
    /// Observed calls (sum of the observed flows' counts; a flow without a count is one call).
    pub calls: u64,
}

/// One reviewable change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// Stable id to accept it by: `add:<rule>`, `narrow:<rule>`, `remove:<rule>` or
    /// `close-intra:<segment>`.
    pub id: String,
    /// One line for humans.
    pub summary: String,
    /// Ids of the flows that justify it (empty for a removal: that is the point).
    pub evidence: Vec<String>,
    pub change: ChangeKind,
}

/// What a change does to the design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// Add a rule for evidence nothing allows today.
    AddRule { rule: Rule },
    /// Replace an allow rule, in place, by rules no broader than its evidence.
    NarrowRule {
        rule: String,
        before: Rule,
        after: Vec<Rule>,
    },
    /// Remove an allow rule no evidence needs.
    RemoveRule { rule: String, before: Rule },
    /// Set a segment's intra-segment stance to `deny` and add explicit rules for the member
    /// calls that are evidenced.
    CloseIntraSegment {
        segment: String,
        /// Member pairs the intra-segment allow grants today.
        member_pairs: usize,
        /// Member pairs with evidence.
        evidenced_pairs: usize,
        replacement: Vec<Rule>,
    },
}

/// Evidence the proposal cannot honour, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BlockedFlow {
    pub flow: String,
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub reason: BlockReason,
}

/// Why evidence cannot be allowed by a rule change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BlockReason {
    /// A deny rule covers the call; deny rules are deliberate and never overridden.
    DenyRule { rule: String },
    /// The internet cannot reach a service that is not internet-facing.
    NotInternetFacing,
    /// The flow names a service the inventory does not have.
    UnknownService { service: String },
}

impl BlockReason {
    pub fn describe(&self) -> String {
        match self {
            BlockReason::DenyRule { rule } => format!("denied by deny rule `{rule}`"),
            BlockReason::NotInternetFacing => "target is not internet-facing".into(),
            BlockReason::UnknownService { service } => {
                format!("`{service}` is not in the inventory")
            }
        }
    }
}

/// A request shape a rule can say exactly: `ports × methods × paths` (empty: any).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Spec {
    ports: Vec<u32>,
    methods: Vec<String>,
    paths: Vec<String>,
}

impl Spec {
    fn of_rule(r: &Rule) -> Spec {
        let ports: BTreeSet<u32> = r.ports.iter().copied().collect();
        let methods: BTreeSet<String> = r.methods.iter().map(|m| m.to_ascii_uppercase()).collect();
        let paths: BTreeSet<String> = r.paths.iter().cloned().collect();
        Spec {
            ports: ports.into_iter().collect(),
            methods: methods.into_iter().collect(),
            paths: paths.into_iter().collect(),
        }
    }

    /// This (evidence) spec within what `r` allows: never broader than either.
    fn within(self, r: &Rule) -> Spec {
        let rs = Spec::of_rule(r);
        fn meet<T: Clone + Ord>(ev: Vec<T>, rule: Vec<T>, keep: impl Fn(&T, &T) -> bool) -> Vec<T> {
            if ev.is_empty() {
                return rule;
            }
            if rule.is_empty() {
                return ev;
            }
            let kept: Vec<T> = ev
                .iter()
                .filter(|e| rule.iter().any(|r| keep(r, e)))
                .cloned()
                .collect();
            // INVARIANT: the rule granted every piece of this evidence, so something is
            // kept; should it not be, the rule's own (narrower) list is the safe answer, never
            // an empty list, which would mean "any".
            if kept.is_empty() { rule } else { kept }
        }
        Spec {
            ports: meet(self.ports, rs.ports, |r, e| r == e),
            methods: meet(self.methods, rs.methods, |r, e| method_matches(r, e)),
            paths: meet(self.paths, rs.paths, |r, e| path_matches(r, e)),
        }
    }

    fn describe(&self) -> String {
        let ports = if self.ports.is_empty() {
            "any port".to_string()
        } else {
            format!(
                "port {}",
                self.ports
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        let mut s = ports;
        if !self.methods.is_empty() {
            s.push(' ');
            s.push_str(&self.methods.join(","));
        }
        if !self.paths.is_empty() {
            s.push(' ');
            s.push_str(&self.paths.join(","));
        }
        s
    }
}

/// One evidenced call, read as a request.
#[derive(Clone, Debug)]
struct Need {
    flow: String,
    from: String,
    to: String,
    port: Option<u32>,
    method: Option<String>,
    path: Option<String>,
}

/// Who keeps a piece of evidence allowed today.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    /// An allow rule (index into `design.rules`).
    Rule(usize),
    /// The intra-segment allow of a segment (index into `design.segments`).
    Intra(usize),
    /// Nothing: a rule must be added.
    Nothing,
}

/// A rule to be: peers, shape and the flows behind it.
struct Draft {
    from: Peer,
    to: Peer,
    spec: Spec,
    flows: BTreeSet<String>,
}

/// Propose the least-privilege rules for `design` as it stands on `today`, from its flows plus
/// `observed`: a flow that only an expired exception allows is not covered any more, so it
/// gets a proposal like any other denied flow.
pub fn propose(design: &Design, observed: &[Flow], today: crate::date::Date) -> Proposal {
    let eval = Evaluator::at(design, today);
    let mut notes = Vec::new();
    let mut evidence = EvidenceCount::default();
    let mut blocked = Vec::new();
    let mut owned: BTreeMap<Owner, Vec<Need>> = BTreeMap::new();
    let mut self_calls = 0usize;

    for flow in design.flows.iter().chain(observed) {
        match flow.kind {
            FlowKind::Declared => evidence.declared += 1,
            FlowKind::Observed => {
                evidence.observed += 1;
                evidence.calls = evidence.calls.saturating_add(flow.count.unwrap_or(1));
            }
        }
        if flow.from == flow.to {
            self_calls += 1;
            continue;
        }
        let target = design.service(&flow.to);
        let req = request_of(flow, target);
        let need = Need {
            flow: flow.id.clone(),
            from: flow.from.clone(),
            to: flow.to.clone(),
            port: req.port,
            method: req.method.clone(),
            path: req.path.clone(),
        };
        let block = |reason: BlockReason| BlockedFlow {
            flow: need.flow.clone(),
            from: need.from.clone(),
            to: need.to.clone(),
            port: need.port,
            method: need.method.clone(),
            path: need.path.clone(),
            reason,
        };
        let caller = Caller::parse(&flow.from);
        match eval.decide(&caller, &flow.to, &req, None) {
            Decision::Allow { by, .. } => {
                // Of every grant that allows the call, the most specific rule owns it, so a
                // precise rule is kept and a broad one that merely overlaps it is removed.
                let by = eval
                    .grants(&caller, &flow.to, &req)
                    .ok()
                    .and_then(|g| {
                        g.grants
                            .into_iter()
                            .enumerate()
                            .min_by_key(|(i, g)| (breadth(design, &g.by), *i))
                            .map(|(_, g)| g.by)
                    })
                    .unwrap_or(by);
                let owner = match by {
                    AllowedBy::Rule { rule } => design
                        .rules
                        .iter()
                        .position(|r| r.id == rule)
                        .map(Owner::Rule),
                    AllowedBy::IntraSegment { segment } => design
                        .segments
                        .iter()
                        .position(|s| s.id == segment)
                        .map(Owner::Intra),
                };
                owned
                    .entry(owner.unwrap_or(Owner::Nothing))
                    .or_default()
                    .push(need);
            }
            Decision::Deny(reason) => match reason {
                DenyReason::DenyRule { rule } => {
                    blocked.push(block(BlockReason::DenyRule { rule }))
                }
                DenyReason::NotInternetFacing => {
                    blocked.push(block(BlockReason::NotInternetFacing))
                }
                DenyReason::UnknownTarget { service } | DenyReason::UnknownCaller { service } => {
                    blocked.push(block(BlockReason::UnknownService { service }))
                }
                _ => owned.entry(Owner::Nothing).or_default().push(need),
            },
        }
    }
    if self_calls > 0 {
        notes.push(format!(
            "{self_calls} flow(s) from a service to itself skipped: a service calling itself is \
             not policed by segmentation"
        ));
    }

    let members = SegmentMembers::new(design, &eval);
    let mut taken: BTreeSet<String> = design.rules.iter().map(|r| r.id.clone()).collect();
    let mut changes = Vec::new();
    let mut unchanged = Vec::new();

    // Allow rules: keep, narrow or remove.
    for (ri, rule) in design.rules.iter().enumerate() {
        if rule.action != Action::Allow {
            continue;
        }
        let Some(needs) = owned.get(&Owner::Rule(ri)) else {
            changes.push(Change {
                id: format!("remove:{}", rule.id),
                summary: format!(
                    "remove `{}` ({} → {}, {}): no declared or observed flow needs it",
                    rule.id,
                    peer_label(&rule.from),
                    peer_label(&rule.to),
                    Spec::of_rule(rule).describe()
                ),
                evidence: Vec::new(),
                change: ChangeKind::RemoveRule {
                    rule: rule.id.clone(),
                    before: rule.clone(),
                },
            });
            continue;
        };
        let drafts: Vec<Draft> = group(design, &eval, &members, needs)
            .into_iter()
            .map(|d| Draft {
                spec: d.spec.within(rule),
                ..d
            })
            .collect();
        let exact = drafts.len() == 1
            && drafts[0].from == rule.from
            && drafts[0].to == rule.to
            && drafts[0].spec == Spec::of_rule(rule);
        if exact {
            unchanged.push(rule.id.clone());
            continue;
        }
        let flows: BTreeSet<String> = drafts
            .iter()
            .flat_map(|d| d.flows.iter().cloned())
            .collect();
        let mut after = Vec::new();
        for (i, d) in drafts.iter().enumerate() {
            let id = if i == 0 {
                rule.id.clone()
            } else {
                fresh_id(&mut taken, &format!("{}-{}", rule.id, i + 1))
            };
            let (ports, methods, paths) = (
                d.spec.ports.clone(),
                d.spec.methods.clone(),
                d.spec.paths.clone(),
            );
            after.push(Rule {
                id,
                from: d.from.clone(),
                to: d.to.clone(),
                ports,
                methods,
                paths,
                ..rule.clone()
            });
        }
        changes.push(Change {
            id: format!("narrow:{}", rule.id),
            summary: format!(
                "narrow `{}` ({} → {}, {}) to {}",
                rule.id,
                peer_label(&rule.from),
                peer_label(&rule.to),
                Spec::of_rule(rule).describe(),
                describe_rules(&after)
            ),
            evidence: flows.into_iter().collect(),
            change: ChangeKind::NarrowRule {
                rule: rule.id.clone(),
                before: rule.clone(),
                after,
            },
        });
    }

    // Intra-segment allows: close unless the evidence covers every member pair on any port.
    for (si, seg) in design.segments.iter().enumerate() {
        if seg.policy.intra != IntraStance::Allow {
            continue;
        }
        let leaf_members = members.leaf(si);
        let member_pairs = leaf_members.len() * leaf_members.len().saturating_sub(1);
        if member_pairs == 0 {
            continue;
        }
        let needs = owned
            .get(&Owner::Intra(si))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let drafts = group(design, &eval, &members, needs);
        let evidenced: BTreeSet<(&str, &str)> = needs
            .iter()
            .map(|n| (n.from.as_str(), n.to.as_str()))
            .collect();
        let whole = evidenced.len() == member_pairs
            && needs
                .iter()
                .all(|n| n.port.is_none() && n.method.is_none() && n.path.is_none());
        if whole {
            continue;
        }
        let flows: BTreeSet<String> = drafts
            .iter()
            .flat_map(|d| d.flows.iter().cloned())
            .collect();
        let replacement = drafts_to_rules(&drafts, &mut taken);
        changes.push(Change {
            id: format!("close-intra:{}", seg.id),
            summary: format!(
                "close the intra-segment allow of `{}` ({} of {} member pairs evidenced){}",
                seg.id,
                evidenced.len(),
                member_pairs,
                if replacement.is_empty() {
                    String::new()
                } else {
                    format!("; add {}", describe_rules(&replacement))
                }
            ),
            evidence: flows.into_iter().collect(),
            change: ChangeKind::CloseIntraSegment {
                segment: seg.id.clone(),
                member_pairs,
                evidenced_pairs: evidenced.len(),
                replacement,
            },
        });
    }

    // Evidence nothing allows: new rules.
    if let Some(needs) = owned.get(&Owner::Nothing) {
        let drafts = group(design, &eval, &members, needs);
        for rule in drafts_to_rules(&drafts, &mut taken) {
            let d = drafts
                .iter()
                .find(|d| d.from == rule.from && d.to == rule.to && d.spec == Spec::of_rule(&rule));
            let evidence: Vec<String> = d
                .map(|d| d.flows.iter().cloned().collect())
                .unwrap_or_default();
            changes.push(Change {
                id: format!("add:{}", rule.id),
                summary: format!("add {}", describe_rules(std::slice::from_ref(&rule))),
                evidence,
                change: ChangeKind::AddRule { rule },
            });
        }
    }

    Proposal {
        design: design.name.clone(),
        evidence,
        changes,
        unchanged,
        blocked,
        notes,
    }
}

/// How broad a grant is: rules between services first, then rules naming segments, then `any`;
/// the implicit intra-segment allow last (it allows every port).
fn breadth(design: &Design, by: &AllowedBy) -> u8 {
    let side = |p: &Peer| match p {
        Peer::Service(_) | Peer::Internet => 0,
        Peer::Segment(_) => 1,
        Peer::Any => 3,
    };
    match by {
        AllowedBy::Rule { rule } => design
            .rules
            .iter()
            .find(|r| r.id == *rule)
            .map(|r| side(&r.from) + side(&r.to))
            .unwrap_or(u8::MAX),
        AllowedBy::IntraSegment { .. } => 7,
    }
}

/// Services per segment, the way rules see them (nested segments included) and the way the
/// intra-segment allow sees them (leaf members only).
struct SegmentMembers {
    /// Segment id → service ids in it or its descendants.
    nested: BTreeMap<String, Vec<String>>,
    /// Segment index → service ids whose leaf segment it is.
    leaf: Vec<Vec<String>>,
}

impl SegmentMembers {
    fn new(design: &Design, eval: &Evaluator) -> Self {
        let mut nested: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut leaf = vec![Vec::new(); design.segments.len()];
        for s in &design.services {
            let chain = eval.segment_chain(&s.id);
            if let Some(first) = chain.first()
                && let Some(i) = design.segments.iter().position(|g| g.id == *first)
            {
                leaf[i].push(s.id.clone());
            }
            for seg in chain {
                nested
                    .entry(seg.to_string())
                    .or_default()
                    .push(s.id.clone());
            }
        }
        SegmentMembers { nested, leaf }
    }

    fn leaf(&self, segment: usize) -> &[String] {
        &self.leaf[segment]
    }

    fn nested(&self, segment: &str) -> &[String] {
        self.nested.get(segment).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The exact specs for one service pair's evidence, with the flows behind each.
fn pair_specs(needs: &[&Need]) -> BTreeMap<Spec, BTreeSet<String>> {
    // Per port: is the whole port evidenced (an L4 record), else path → methods.
    #[derive(Default)]
    struct PortEvidence {
        whole: bool,
        by_path: BTreeMap<Option<String>, BTreeSet<Option<String>>>,
        flows: BTreeSet<String>,
    }
    let mut ports: BTreeMap<Option<u32>, PortEvidence> = BTreeMap::new();
    for n in needs {
        let pe = ports.entry(n.port).or_default();
        pe.flows.insert(n.flow.clone());
        if n.method.is_none() && n.path.is_none() {
            pe.whole = true;
        }
        pe.by_path
            .entry(n.path.clone())
            .or_default()
            .insert(n.method.clone());
    }
    // Per port: (methods, paths) shapes that are exact cross products.
    // (methods, paths) → (ports, flows)
    type Shape = (Vec<String>, Vec<String>);
    let mut shapes: BTreeMap<Shape, (BTreeSet<Option<u32>>, BTreeSet<String>)> = BTreeMap::new();
    for (port, pe) in ports {
        let mut per_port: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        if pe.whole {
            per_port.push((Vec::new(), Vec::new()));
        } else {
            // Group paths by their exact method set; a path-less record with methods M
            // allows M on any path.
            let mut by_methods: BTreeMap<Vec<String>, BTreeSet<Option<String>>> = BTreeMap::new();
            for (path, methods) in pe.by_path {
                let m: Vec<String> = if methods.contains(&None) {
                    Vec::new()
                } else {
                    methods.into_iter().flatten().collect()
                };
                by_methods.entry(m).or_default().insert(path);
            }
            for (m, paths) in by_methods {
                let p: Vec<String> = if paths.contains(&None) {
                    Vec::new()
                } else {
                    paths.into_iter().flatten().collect()
                };
                per_port.push((m, p));
            }
        }
        for shape in per_port {
            let e = shapes.entry(shape).or_default();
            e.0.insert(port);
            e.1.extend(pe.flows.iter().cloned());
        }
    }
    shapes
        .into_iter()
        .map(|((methods, paths), (ports, flows))| {
            let ports = if ports.contains(&None) {
                Vec::new()
            } else {
                ports.into_iter().flatten().collect()
            };
            (
                Spec {
                    ports,
                    methods,
                    paths,
                },
                flows,
            )
        })
        .collect()
}

/// Group evidence into drafts: per segment pair, else per segment → service or service →
/// segment, when every member pair is evidenced with the same shape (and there are at least
/// two); else per service pair.
fn group(
    design: &Design,
    eval: &Evaluator,
    members: &SegmentMembers,
    needs: &[Need],
) -> Vec<Draft> {
    let mut by_pair: BTreeMap<(&str, &str), Vec<&Need>> = BTreeMap::new();
    for n in needs {
        by_pair
            .entry((n.from.as_str(), n.to.as_str()))
            .or_default()
            .push(n);
    }
    let specs: BTreeMap<(&str, &str), BTreeMap<Spec, BTreeSet<String>>> =
        by_pair.iter().map(|(k, v)| (*k, pair_specs(v))).collect();

    let service_peer = |id: &str| {
        if id == INTERNET {
            Peer::Internet
        } else {
            Peer::Service(id.to_string())
        }
    };
    let segment_peer = |id: &str| -> Option<Peer> {
        if id == INTERNET {
            None
        } else {
            eval.segment_of(id).map(|s| Peer::Segment(s.to_string()))
        }
    };
    // The services a rule side names (the internet stands for itself).
    let named = |p: &Peer| -> Vec<String> {
        match p {
            Peer::Internet => vec![INTERNET.to_string()],
            Peer::Service(s) => vec![s.clone()],
            Peer::Segment(s) => members.nested(s).to_vec(),
            Peer::Any => Vec::new(),
        }
    };
    let mut drafts = Vec::new();
    let mut grouped: BTreeSet<(&str, &str)> = BTreeSet::new();
    type Keyer<'a> = Box<dyn Fn(&str, &str) -> Option<(Peer, Peer)> + 'a>;
    let keyers: [Keyer; 3] = [
        Box::new(|f, t| {
            let from = if f == INTERNET {
                Some(Peer::Internet)
            } else {
                segment_peer(f)
            };
            Some((from?, segment_peer(t)?))
        }),
        Box::new(|f, t| Some((segment_peer(f)?, service_peer(t)))),
        Box::new(|f, t| Some((service_peer(f), segment_peer(t)?))),
    ];
    for keyer in &keyers {
        let mut by_key: BTreeMap<(Peer, Peer), Vec<(&str, &str)>> = BTreeMap::new();
        for &(from, to) in specs.keys() {
            if grouped.contains(&(from, to)) {
                continue;
            }
            if let Some(k) = keyer(from, to) {
                by_key.entry(k).or_default().push((from, to));
            }
        }
        for ((f, t), pairs) in by_key {
            let callers = named(&f);
            let targets: Vec<String> = named(&t)
                .into_iter()
                .filter(|id| {
                    f != Peer::Internet
                        || design
                            .service(id)
                            .is_some_and(|s| s.exposure == Exposure::Internet)
                })
                .collect();
            let possible: BTreeSet<(&str, &str)> = callers
                .iter()
                .flat_map(|c| targets.iter().map(move |t| (c.as_str(), t.as_str())))
                .filter(|(c, t)| c != t)
                .collect();
            let have: BTreeSet<(&str, &str)> = pairs.iter().copied().collect();
            if possible.len() < 2 || possible != have {
                continue;
            }
            let first = specs[&pairs[0]].keys().collect::<Vec<_>>();
            if pairs
                .iter()
                .any(|p| specs[p].keys().collect::<Vec<_>>() != first)
            {
                continue;
            }
            let mut merged: BTreeMap<Spec, BTreeSet<String>> = BTreeMap::new();
            for p in &pairs {
                for (spec, flows) in &specs[p] {
                    merged
                        .entry(spec.clone())
                        .or_default()
                        .extend(flows.iter().cloned());
                }
                grouped.insert(*p);
            }
            for (spec, flows) in merged {
                drafts.push(Draft {
                    from: f.clone(),
                    to: t.clone(),
                    spec,
                    flows,
                });
            }
        }
    }
    for ((from, to), pair) in &specs {
        if grouped.contains(&(*from, *to)) {
            continue;
        }
        for (spec, flows) in pair {
            drafts.push(Draft {
                from: service_peer(from),
                to: Peer::Service(to.to_string()),
                spec: spec.clone(),
                flows: flows.clone(),
            });
        }
    }
    drafts
}

/// New rules from drafts, with fresh ids and a justification naming the evidence.
fn drafts_to_rules(drafts: &[Draft], taken: &mut BTreeSet<String>) -> Vec<Rule> {
    drafts
        .iter()
        .map(|d| {
            let base = format!("allow-{}-to-{}", peer_slug(&d.from), peer_slug(&d.to));
            let id = fresh_id(taken, &base);
            Rule {
                id,
                from: d.from.clone(),
                to: d.to.clone(),
                action: Action::Allow,
                ports: d.spec.ports.clone(),
                methods: d.spec.methods.clone(),
                paths: d.spec.paths.clone(),
                justification: Some(format!(
                    "Least-privilege proposal: evidenced by {}.",
                    list_ids(&d.flows)
                )),
                ..Rule::default()
            }
        })
        .collect()
}

fn list_ids(ids: &BTreeSet<String>) -> String {
    const SHOWN: usize = 4;
    let shown: Vec<String> = ids.iter().take(SHOWN).map(|i| format!("`{i}`")).collect();
    let label = if ids.len() == 1 { "flow" } else { "flows" };
    if ids.len() > SHOWN {
        format!(
            "{label} {} and {} more",
            shown.join(", "),
            ids.len() - SHOWN
        )
    } else {
        format!("{label} {}", shown.join(", "))
    }
}

/// `base`, or `base-2`, `base-3`... whichever is free; then reserve it.
fn fresh_id(taken: &mut BTreeSet<String>, base: &str) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    // Bounded: at most `taken.len() + 1` candidates can be taken.
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

fn peer_slug(p: &Peer) -> String {
    match p {
        Peer::Internet => "internet".into(),
        Peer::Any => "any".into(),
        Peer::Segment(s) | Peer::Service(s) => s.clone(),
    }
}

/// `segment `x``, `service `y``, `internet`, `any`.
pub fn peer_label(p: &Peer) -> String {
    match p {
        Peer::Internet => "internet".into(),
        Peer::Any => "any".into(),
        Peer::Segment(s) => format!("segment `{s}`"),
        Peer::Service(s) => format!("`{s}`"),
    }
}

fn describe_rules(rules: &[Rule]) -> String {
    let parts: Vec<String> = rules
        .iter()
        .map(|r| {
            format!(
                "`{}`: {} → {}, {}",
                r.id,
                peer_label(&r.from),
                peer_label(&r.to),
                Spec::of_rule(r).describe()
            )
        })
        .collect();
    if parts.is_empty() {
        "no rules".into()
    } else {
        parts.join("; ")
    }
}

/// Why a proposal could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("no change `{id}` in the proposal{}", did_you_mean(.suggestion))]
    UnknownChange {
        id: String,
        suggestion: Option<String>,
    },
    #[error(
        "change `{change}` refers to rule `{rule}`, which the design no longer has; run `bulkhead propose` again"
    )]
    StaleRule { change: String, rule: String },
    #[error(
        "change `{change}` refers to segment `{segment}`, which the design no longer has; run `bulkhead propose` again"
    )]
    StaleSegment { change: String, segment: String },
    #[error(
        "change `{change}` adds rule `{rule}`, but the design already has a rule with that id; run `bulkhead propose` again"
    )]
    DuplicateRule { change: String, rule: String },
}

fn did_you_mean(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

/// The design with the accepted changes applied, in the proposal's order. Every id in
/// `accepted` must name a change of the proposal; nothing is applied if one does not.
pub fn apply(
    design: &Design,
    proposal: &Proposal,
    accepted: &[String],
) -> Result<Design, ApplyError> {
    let known: BTreeSet<&str> = proposal.changes.iter().map(|c| c.id.as_str()).collect();
    for id in accepted {
        if !known.contains(id.as_str()) {
            return Err(ApplyError::UnknownChange {
                id: id.clone(),
                suggestion: closest(id, known.iter().copied()),
            });
        }
    }
    let accepted: BTreeSet<&str> = accepted.iter().map(String::as_str).collect();
    let mut out = design.clone();
    for change in proposal
        .changes
        .iter()
        .filter(|c| accepted.contains(c.id.as_str()))
    {
        let stale_rule = |rule: &str| ApplyError::StaleRule {
            change: change.id.clone(),
            rule: rule.to_string(),
        };
        match &change.change {
            ChangeKind::AddRule { rule } => {
                push_new(&mut out, rule, &change.id)?;
            }
            ChangeKind::NarrowRule { rule, after, .. } => {
                let i = out
                    .rules
                    .iter()
                    .position(|r| r.id == *rule)
                    .ok_or_else(|| stale_rule(rule))?;
                for r in after {
                    if r.id != *rule && out.rules.iter().any(|x| x.id == r.id) {
                        return Err(ApplyError::DuplicateRule {
                            change: change.id.clone(),
                            rule: r.id.clone(),
                        });
                    }
                }
                out.rules.splice(i..=i, after.iter().cloned());
            }
            ChangeKind::RemoveRule { rule, .. } => {
                let i = out
                    .rules
                    .iter()
                    .position(|r| r.id == *rule)
                    .ok_or_else(|| stale_rule(rule))?;
                out.rules.remove(i);
            }
            ChangeKind::CloseIntraSegment {
                segment,
                replacement,
                ..
            } => {
                let seg = out
                    .segments
                    .iter_mut()
                    .find(|s| s.id == *segment)
                    .ok_or_else(|| ApplyError::StaleSegment {
                        change: change.id.clone(),
                        segment: segment.clone(),
                    })?;
                seg.policy.intra = IntraStance::Deny;
                for r in replacement {
                    push_new(&mut out, r, &change.id)?;
                }
            }
        }
    }
    Ok(out)
}

fn push_new(design: &mut Design, rule: &Rule, change: &str) -> Result<(), ApplyError> {
    if design.rules.iter().any(|r| r.id == rule.id) {
        return Err(ApplyError::DuplicateRule {
            change: change.to_string(),
            rule: rule.id.clone(),
        });
    }
    design.rules.push(rule.clone());
    Ok(())
}

/// The candidate closest to `id` by edit distance, if it is close enough to be a typo.
fn closest<'a>(id: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (levenshtein(id, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c.to_string())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
