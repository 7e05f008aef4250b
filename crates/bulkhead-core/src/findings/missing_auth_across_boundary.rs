//! BH001 `missing-auth-across-boundary`: a call between two segments that needs no credential.

use super::{Context, Finding, RuleText, Severity};

pub const RULE: RuleText = RuleText {
    id: "BH001",
    name: "missing-auth-across-boundary",
    severity: Severity::High,
    what: "Flags every pair of services in different segments (or one of them in none) that the policy lets talk with no authentication: some grant between them requires neither mTLS, a JWT nor an API key.",
    why: "A trust boundary that anything on the right network path can cross without proving who it is stops only the honest. Once an attacker holds any workload behind the boundary's allow rule, they cross it freely, and nothing in the logs tells the caller from the attacker.",
    fix: "Require authentication on the target segment (`policy.auth`, e.g. mTLS with the callers' identities) or on the allow rule (`auth`), and give the legitimate callers the identity or credential.",
    example: "Rule `orders-to-payments` allows segment `orders` → segment `payments` on 8080, and neither the rule nor `payments` sets `auth`.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let n = cx.design.services.len();
    let mut out = Vec::new();
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
        let mut f = RULE.finding(
            &format!("{a}->{b}"),
            format!(
                "`{a}` ({}) may call `{b}` ({}) without any authentication, by {}",
                sa.unwrap_or("unsegmented"),
                sb.unwrap_or("unsegmented"),
                open.by.label()
            ),
        );
        f.subjects = vec![a.to_string(), b.to_string()];
        f.pointer = match &open.by {
            crate::eval::AllowedBy::Rule { rule } => cx.rule_pointer(rule),
            crate::eval::AllowedBy::IntraSegment { segment } => cx.segment_pointer(segment),
        };
        out.push(f);
    }
    out
}
