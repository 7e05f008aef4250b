//! BH004 `internet-without-rate-limit`: an internet-facing entry with no rate limit.

use super::{Context, Finding, RuleText, Severity};

pub const RULE: RuleText = RuleText {
    id: "BH004",
    name: "internet-without-rate-limit",
    severity: Severity::Medium,
    what: "Flags internet-facing services that the internet may call through a grant with no rate limit (neither the allow rule nor the target segment sets one).",
    why: "Without a rate limit an internet entry point is open to credential stuffing, enumeration, scraping and cheap denial of service; the gateway that would enforce a limit has nothing to enforce.",
    fix: "Set `rate_limit` on the internet allow rule or on the entry segment's policy (for example 50 requests per second per caller with a burst of 100).",
    example: "Rule `internet-to-web` allows the internet → `web` on 443 and neither the rule nor `web`'s segment has `rate_limit`.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let n = cx.design.services.len();
    let mut out = Vec::new();
    for p in cx.pairs.iter().filter(|p| p.from == n) {
        let Some(g) = p.grants.iter().find(|g| g.rate_limit.is_none()) else {
            continue;
        };
        let to = cx.id(p.to);
        let mut f = RULE.finding(
            to,
            format!(
                "internet-facing `{to}` has no rate limit on calls from the internet ({})",
                g.by.label()
            ),
        );
        f.subjects = vec![to.to_string()];
        f.pointer = match &g.by {
            crate::eval::AllowedBy::Rule { rule } => cx.rule_pointer(rule),
            crate::eval::AllowedBy::IntraSegment { .. } => cx.service_pointer(to),
        };
        out.push(f);
    }
    out
}
