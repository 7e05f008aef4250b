//! BH003 `unguarded-datastore`: a datastore any allowed caller reaches without a credential.

use super::{Context, Finding, RuleText, Severity};
use crate::model::ServiceKind;

pub const RULE: RuleText = RuleText {
    id: "BH003",
    name: "unguarded-datastore",
    severity: Severity::High,
    what: "Flags datastores (kind `datastore` or `queue`) that some caller may reach directly with no authentication: the internet, or a service through a grant that requires neither mTLS, a JWT nor an API key.",
    why: "A datastore answers whoever connects. If the network path is the only guard, compromising any allowed caller (or a misrouted packet) reads or rewrites the data wholesale, bypassing every API-level check.",
    fix: "Put the datastore in a data segment that requires mTLS with exactly its owners' identities, and route every other reader through the owning API.",
    example: "Rule `reports-to-db` allows `reporting-worker` → `orders-db` on 5432 and `orders-db`'s segment sets no `auth`.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, s) in cx.design.services.iter().enumerate() {
        if !matches!(s.kind, ServiceKind::Datastore | ServiceKind::Queue) {
            continue;
        }
        let callers: Vec<String> = cx
            .pairs
            .iter()
            .filter(|p| p.to == i && p.grants.iter().any(|g| g.auth.is_empty()))
            .map(|p| cx.id(p.from).to_string())
            .collect();
        if callers.is_empty() {
            continue;
        }
        let mut f = RULE.finding(
            &s.id,
            format!(
                "datastore `{}` accepts unauthenticated connections from {}",
                s.id,
                callers
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        f.subjects = std::iter::once(s.id.clone()).chain(callers).collect();
        f.pointer = cx.service_pointer(&s.id);
        out.push(f);
    }
    out
}
