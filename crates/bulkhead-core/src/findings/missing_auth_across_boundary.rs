//! BH001 `missing-auth-across-boundary`: a call between two segments that needs no credential.

use std::collections::BTreeMap;

use super::{Context, Finding, RuleText, Severity};
use crate::eval::AllowedBy;

pub const RULE: RuleText = RuleText {
    id: "BH001",
    name: "missing-auth-across-boundary",
    severity: Severity::High,
    what: "Flags calls between services in different segments (or with one of them in none) that the policy allows with no authentication: some grant between them requires neither mTLS, a JWT nor an API key. One finding per caller segment and target (key `BH001:<caller segment>-><target>`; an unsegmented caller stands for itself).",
    why: "A trust boundary that anything on the right network path can cross without proving who it is stops only the honest. Once an attacker holds any workload behind the boundary's allow rule, they cross it freely, and nothing in the logs tells the caller from the attacker.",
    fix: "Require authentication on the target segment (`policy.auth`, e.g. mTLS with the callers' identities) or on the allow rule (`auth`), and give the legitimate callers the identity or credential.",
    example: "Rule `orders-to-payments` allows segment `orders` → segment `payments` on 8080, and neither the rule nor `payments` sets `auth`.",
};

/// One caller in a group: its id, what allows the call, and the JSON pointer to that.
type Caller = (String, String, Option<String>);

pub fn check(cx: &Context) -> Vec<Finding> {
    let n = cx.design.services.len();
    // One finding per (caller segment, target): a wildcard rule is one problem, not one per
    // caller. Unsegmented callers stand for themselves.
    let mut groups: BTreeMap<(String, String), Vec<Caller>> = BTreeMap::new();
    for p in &cx.pairs {
        if p.from == n {
            continue;
        }
        let (a, b) = (cx.id(p.from), cx.id(p.to));
        let (sa, sb) = (cx.eval.segment_of(a), cx.eval.segment_of(b));
        if sa == sb && sa.is_some() {
            continue;
        }
        let Some(open) = p.grants.iter().find(|g| g.auth.is_empty()) else {
            continue;
        };
        let pointer = match &open.by {
            AllowedBy::Rule { rule } => cx.rule_pointer(rule),
            AllowedBy::IntraSegment { segment } => cx.segment_pointer(segment),
        };
        let caller_side = sa.map_or_else(|| a.to_string(), str::to_string);
        groups
            .entry((caller_side, b.to_string()))
            .or_default()
            .push((a.to_string(), open.by.label(), pointer));
    }
    groups
        .into_iter()
        .map(|((from, to), callers)| {
            let (first, by, pointer) = &callers[0];
            let target_seg = cx.eval.segment_of(&to).unwrap_or("unsegmented");
            let who = if callers.len() == 1 {
                format!("`{first}`")
            } else {
                format!("{} services of `{from}` (e.g. `{first}`)", callers.len())
            };
            let mut f = RULE.finding(
                &format!("{from}->{to}"),
                format!(
                    "{who} may call `{to}` ({target_seg}) across a segment boundary without any authentication, by {by}"
                ),
            );
            f.subjects = std::iter::once(to.clone())
                .chain(callers.iter().map(|c| c.0.clone()))
                .collect();
            f.pointer = pointer.clone();
            f
        })
        .collect()
}
