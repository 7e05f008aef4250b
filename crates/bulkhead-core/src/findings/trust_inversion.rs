//! BH012 `trust-inversion`: a lower-trust segment allowed into a higher-trust one without auth.

use super::{Context, Finding, RuleText, Severity};

pub const RULE: RuleText = RuleText {
    id: "BH012",
    name: "trust-inversion",
    severity: Severity::High,
    what: "Flags every pair of segments where services of the lower-trust one may call services of the higher-trust one through a grant that needs no authentication. One finding per segment pair.",
    why: "Trust should only flow downhill. If a low-trust zone (a DMZ, a partner segment) can call into a high-trust one anonymously, the high-trust zone is exactly as trustworthy as the low-trust one.",
    fix: "Require authentication for calls into the higher-trust segment (`policy.auth` or the rule's `auth`), ideally mTLS with the specific caller identities.",
    example: "Segment `partner-dmz` (trust `untrusted`) → segment `settlement` (trust `high`) through rule `partner-to-settlement` with no `auth` anywhere.",
};

/// A caller, a target and what allows the call.
type Example = (String, String, String);

pub fn check(cx: &Context) -> Vec<Finding> {
    let n = cx.design.services.len();
    let mut seen: std::collections::BTreeMap<(String, String), Vec<Example>> = Default::default();
    for p in cx.pairs.iter().filter(|p| p.from < n) {
        let (a, b) = (cx.id(p.from), cx.id(p.to));
        let (Some(sa), Some(sb)) = (cx.eval.segment_of(a), cx.eval.segment_of(b)) else {
            continue;
        };
        let (Some(ta), Some(tb)) = (cx.design.segment(sa), cx.design.segment(sb)) else {
            continue;
        };
        if ta.trust >= tb.trust {
            continue;
        }
        if let Some(g) = p.grants.iter().find(|g| g.auth.is_empty()) {
            seen.entry((sa.to_string(), sb.to_string()))
                .or_default()
                .push((a.to_string(), b.to_string(), g.by.label()));
        }
    }
    seen.into_iter()
        .map(|((sa, sb), pairs)| {
            let (a, b, by) = &pairs[0];
            let mut f = RULE.finding(
                &format!("{sa}->{sb}"),
                format!(
                    "lower-trust segment `{sa}` may call higher-trust `{sb}` without auth ({} pair(s), e.g. `{a}` → `{b}` by {by})",
                    pairs.len()
                ),
            );
            f.subjects = vec![sa.clone(), sb.clone()];
            f.pointer = cx.segment_pointer(&sb);
            f
        })
        .collect()
}
