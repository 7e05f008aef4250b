//! BH006 `unused-allowance`: an allow rule that no declared or observed flow uses.

use super::{Context, Finding, RuleText, Severity};
use crate::eval::{AllowedBy, Caller, Request};
use crate::model::Action;

pub const RULE: RuleText = RuleText {
    id: "BH006",
    name: "unused-allowance",
    severity: Severity::Low,
    what: "Flags allow rules that grant none of the design's flows (declared or observed). Only runs when the design has flows at all.",
    why: "Every allowance is attack surface. One that no call uses gives an attacker a path the application never needed: the policy is more permissive than the estate.",
    fix: "Remove the rule, narrow it to what the application calls, or declare the flow that needs it so reviewers can see why it exists.",
    example: "Rule `legacy-batch-to-ledger` allows `batch` → `ledger-db`, and no flow goes from `batch` to `ledger-db`.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    if cx.design.flows.is_empty() {
        return Vec::new();
    }
    let mut used = std::collections::HashSet::new();
    for f in &cx.design.flows {
        let req = Request {
            port: f.port,
            method: f.method.clone(),
            path: f.path.clone(),
        };
        if let Ok(g) = cx.eval.grants(&Caller::parse(&f.from), &f.to, &req) {
            for grant in g.grants {
                if let AllowedBy::Rule { rule } = grant.by {
                    used.insert(rule);
                }
            }
        }
    }
    cx.design
        .rules
        .iter()
        .filter(|r| r.action == Action::Allow && !used.contains(&r.id))
        .map(|r| {
            let mut f = RULE.finding(
                &r.id,
                format!(
                    "allow rule `{}` is used by no declared or observed flow",
                    r.id
                ),
            );
            f.subjects = vec![r.id.clone()];
            f.pointer = cx.rule_pointer(&r.id);
            f
        })
        .collect()
}
