//! BH006 `unused-allowance`: an allowance that grants calls no declared or observed flow makes.
//!
//! One finding per allow rule (or per segment's intra-segment allow), never per pair: the rule
//! is what an architect removes or narrows, so the pairs it grants unused are summarised in
//! the message.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Context, Finding, RuleText, Severity};
use crate::eval::{AllowedBy, Caller, Request};
use crate::model::{Action, INTERNET};

pub const RULE: RuleText = RuleText {
    id: "BH006",
    name: "unused-allowance",
    severity: Severity::Low,
    what: "For every allow rule, and every segment's intra-segment allow, compares the caller → target pairs it grants (at L4, as the matrix lists them) with the pairs the design's flows (declared or observed) use it for, and flags it once if some granted pair is unused, listing the first few. Only runs when the design has flows; calls from the internet are judged only when some flow comes from the internet. Expired rules are left to BH011.",
    why: "Every allowance is attack surface. Pairs no call uses give an attacker paths the application never needed: the policy is more permissive than the estate.",
    fix: "Remove a rule no flow uses; narrow a rule that is used for only some of its pairs (name the services instead of the segment); set `intra: deny` on a segment whose members do not call each other and allow what they do; or declare the flow that needs it so reviewers can see why it exists.",
    example: "Rule `domains-to-notifications` allows 12 caller → target pairs but flows use only 1: 11 unused (`accounts-api` → `notifications-service`, `cards-api` → `notifications-service`, `credit-scoring` → `notifications-service`, and 8 more).",
};

/// How many unused pairs a message names before summarising the rest.
const NAMED: usize = 3;

/// What grants a pair: a rule (index) or a segment's intra-segment allow (id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Allowance {
    Rule(usize),
    Intra(String),
}

pub fn check(cx: &Context) -> Vec<Finding> {
    let design = cx.design;
    if design.flows.is_empty() {
        return Vec::new();
    }
    let n = design.services.len();
    let rule_index: HashMap<&str, usize> = design
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let allowance = |by: &AllowedBy| match by {
        AllowedBy::Rule { rule } => rule_index.get(rule.as_str()).map(|&i| Allowance::Rule(i)),
        AllowedBy::IntraSegment { segment } => Some(Allowance::Intra(segment.clone())),
    };
    // Customers and partners are rarely written down as flows: without any flow from the
    // internet, what the internet may call cannot be judged.
    let judge_internet = design.flows.iter().any(|f| f.from == INTERNET);

    // The pairs each allowance is used for, by the flows' own requests.
    let mut used: HashMap<Allowance, BTreeSet<(usize, usize)>> = HashMap::new();
    for f in &design.flows {
        let caller = Caller::parse(&f.from);
        let from = match &caller {
            Caller::Internet => n,
            Caller::Service(id) => match cx.eval.service_index(id) {
                Some(i) => i,
                None => continue,
            },
        };
        let Some(to) = cx.eval.service_index(&f.to) else {
            continue;
        };
        let req = Request {
            port: f.port,
            method: f.method.clone(),
            path: f.path.clone(),
        };
        if let Ok(g) = cx.eval.grants_at(&caller, to, &req) {
            for grant in &g.grants {
                if let Some(a) = allowance(&grant.by) {
                    used.entry(a).or_default().insert((from, to));
                }
            }
        }
    }

    // The pairs each allowance grants at L4, in design order of the allowances.
    let mut granted: BTreeMap<Allowance, BTreeSet<(usize, usize)>> = BTreeMap::new();
    let mut grants_something: HashSet<usize> = HashSet::new();
    for p in &cx.pairs {
        for grant in &p.grants {
            let Some(a) = allowance(&grant.by) else {
                continue;
            };
            if let Allowance::Rule(i) = a {
                grants_something.insert(i);
            }
            if p.from != n || judge_internet {
                granted.entry(a).or_default().insert((p.from, p.to));
            }
        }
    }
    // An allow rule that grants nothing at all is dead weight too: a deny rule covers all it
    // names, or it names no service.
    for (i, r) in design.rules.iter().enumerate() {
        if r.action == Action::Allow && !cx.eval.rule_expired(i) && !grants_something.contains(&i) {
            granted.entry(Allowance::Rule(i)).or_default();
        }
    }

    let mut out = Vec::new();
    for (allowance, pairs) in granted {
        let empty = BTreeSet::new();
        let used_pairs = used.get(&allowance).unwrap_or(&empty);
        let unused: Vec<(usize, usize)> = pairs.difference(used_pairs).copied().collect();
        let (subject, pointer, what) = match &allowance {
            Allowance::Rule(i) => {
                let id = &design.rules[*i].id;
                (
                    id.clone(),
                    Some(format!("/rules/{i}")),
                    format!("allow rule `{id}`"),
                )
            }
            Allowance::Intra(segment) => (
                format!("intra-segment:{segment}"),
                cx.segment_pointer(segment)
                    .map(|p| format!("{p}/policy/intra")),
                format!("the intra-segment allow of `{segment}`"),
            ),
        };
        let message = if pairs.is_empty() {
            format!(
                "{what} allows no call: a deny rule covers everything it names, or it names no service"
            )
        } else if unused.is_empty() {
            continue;
        } else if used_pairs.is_empty() {
            format!(
                "{what} is used by no declared or observed flow: it allows {} ({})",
                plural(pairs.len(), "caller → target pair"),
                named(cx, &unused)
            )
        } else {
            format!(
                "{what} allows {} but flows use only {}: {} unused ({})",
                plural(pairs.len(), "caller → target pair"),
                pairs.len() - unused.len(),
                unused.len(),
                named(cx, &unused)
            )
        };
        let mut f = RULE.finding(&subject, message);
        f.subjects = vec![subject];
        f.pointer = pointer;
        out.push(f);
    }
    out
}

fn plural(count: usize, what: &str) -> String {
    format!("{count} {what}{}", if count == 1 { "" } else { "s" })
}

/// The first few pairs by name, and how many more there are.
fn named(cx: &Context, pairs: &[(usize, usize)]) -> String {
    let mut s = pairs
        .iter()
        .take(NAMED)
        .map(|&(a, b)| format!("`{}` → `{}`", cx.id(a), cx.id(b)))
        .collect::<Vec<_>>()
        .join(", ");
    if pairs.len() > NAMED {
        s.push_str(&format!(", and {} more", pairs.len() - NAMED));
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::date::Date;
    use crate::eval::Evaluator;
    use crate::findings::{CheckOptions, Finding, check};
    use crate::model::*;

    fn svc(id: &str, internet: bool) -> Service {
        Service {
            id: id.into(),
            exposure: if internet {
                Exposure::Internet
            } else {
                Exposure::Internal
            },
            ..Service::default()
        }
    }

    fn rule(id: &str, from: Peer, to: Peer) -> Rule {
        Rule {
            id: id.into(),
            from,
            to,
            ..Rule::default()
        }
    }

    fn flow(from: &str, to: &str) -> Flow {
        Flow {
            id: format!("{from}-{to}"),
            from: from.into(),
            to: to.into(),
            port: Some(8080),
            ..Flow::default()
        }
    }

    /// `web` (internet-facing) in `edge`; `a`, `b`, `c` in `app`; `db` in `data`.
    fn design() -> Design {
        let mut d = Design::new("unused");
        d.services = vec![
            svc("web", true),
            svc("a", false),
            svc("b", false),
            svc("c", false),
            svc("db", false),
        ];
        let seg = |id: &str, members: &[&str]| {
            let mut s = Segment {
                id: id.into(),
                members: members.iter().map(|m| m.to_string()).collect(),
                ..Segment::default()
            };
            s.policy.intra = IntraStance::Deny;
            s
        };
        d.segments = vec![
            seg("edge", &["web"]),
            seg("app", &["a", "b", "c"]),
            seg("data", &["db"]),
        ];
        d.rules = vec![
            rule("internet-web", Peer::Internet, Peer::Service("web".into())),
            rule(
                "web-app",
                Peer::Service("web".into()),
                Peer::Segment("app".into()),
            ),
            rule(
                "app-db",
                Peer::Segment("app".into()),
                Peer::Service("db".into()),
            ),
        ];
        d.flows = vec![
            flow("web", "a"),
            flow("a", "db"),
            flow("b", "db"),
            flow("c", "db"),
        ];
        d
    }

    fn bh006(d: &Design) -> Vec<Finding> {
        let e = Evaluator::at(d, Date::parse("2026-11-28").unwrap());
        check(&e, &CheckOptions::default())
            .0
            .into_iter()
            .filter(|f| f.id == "BH006")
            .collect()
    }

    #[test]
    fn a_rule_used_for_some_of_its_pairs_is_one_finding_summarising_the_rest() {
        let f = bh006(&design());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].key, "BH006:web-app");
        assert_eq!(f[0].pointer.as_deref(), Some("/rules/1"));
        assert_eq!(
            f[0].message,
            "allow rule `web-app` allows 3 caller → target pairs but flows use only 1: 2 unused (`web` → `b`, `web` → `c`)"
        );
    }

    #[test]
    fn fully_used_rules_and_unjudged_internet_rules_are_quiet() {
        let mut d = design();
        d.flows.push(flow("web", "b"));
        d.flows.push(flow("web", "c"));
        // No flow comes from the internet, so `internet-web` is not judged.
        assert!(bh006(&d).is_empty(), "{:?}", bh006(&d));
        // Once one does, a second internet rule nobody uses is.
        d.flows.push(flow("internet", "web"));
        d.services[4].exposure = Exposure::Internet;
        d.rules.push(rule(
            "internet-db",
            Peer::Internet,
            Peer::Service("db".into()),
        ));
        let f = bh006(&d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].message,
            "allow rule `internet-db` is used by no declared or observed flow: it allows 1 caller → target pair (`internet` → `db`)"
        );
    }

    #[test]
    fn a_wide_unused_rule_is_one_finding_not_one_per_pair() {
        let mut d = design();
        d.flows.push(flow("web", "b"));
        d.flows.push(flow("web", "c"));
        d.rules.push(rule(
            "anything-to-db",
            Peer::Any,
            Peer::Segment("data".into()),
        ));
        d.rules.push(Rule {
            ports: vec![9090],
            ..rule("scrape-all", Peer::Segment("edge".into()), Peer::Any)
        });
        let f = bh006(&d);
        let keys: Vec<&str> = f.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["BH006:anything-to-db", "BH006:scrape-all"], "{f:?}");
        assert_eq!(
            f[0].message,
            "allow rule `anything-to-db` allows 4 caller → target pairs but flows use only 3: 1 unused (`web` → `db`)"
        );
        assert_eq!(
            f[1].message,
            "allow rule `scrape-all` is used by no declared or observed flow: it allows 4 caller → target pairs (`web` → `a`, `web` → `b`, `web` → `c`, and 1 more)"
        );
    }

    #[test]
    fn intra_segment_allow_with_unused_pairs() {
        let mut d = design();
        d.flows.push(flow("web", "b"));
        d.flows.push(flow("web", "c"));
        d.segments[1].policy.intra = IntraStance::Allow;
        d.flows.push(flow("a", "b"));
        let f = bh006(&d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].key, "BH006:intra-segment:app");
        assert_eq!(f[0].pointer.as_deref(), Some("/segments/1/policy/intra"));
        assert!(
            f[0].message.starts_with(
                "the intra-segment allow of `app` allows 6 caller → target pairs but flows use only 1: 5 unused ("
            ),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn dead_rules_are_reported_and_expired_ones_left_to_bh011() {
        let mut d = design();
        d.flows.push(flow("web", "b"));
        d.flows.push(flow("web", "c"));
        d.rules.push(rule(
            "c-web",
            Peer::Service("c".into()),
            Peer::Service("web".into()),
        ));
        d.rules.push(Rule {
            action: Action::Deny,
            ..rule(
                "nothing-to-web",
                Peer::Segment("app".into()),
                Peer::Service("web".into()),
            )
        });
        d.rules.push(Rule {
            expires: Some("2025-01-01".into()),
            ..rule("old", Peer::Service("a".into()), Peer::Service("c".into()))
        });
        let f = bh006(&d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].message,
            "allow rule `c-web` allows no call: a deny rule covers everything it names, or it names no service"
        );
    }

    #[test]
    fn designs_without_flows_are_not_judged() {
        let mut d = design();
        d.flows.clear();
        assert!(bh006(&d).is_empty());
    }
}
