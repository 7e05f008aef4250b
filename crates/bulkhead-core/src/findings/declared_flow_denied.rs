//! BH005 `declared-flow-denied`: a call the application needs that the policy breaks.

use super::{Context, Finding, RuleText, Severity};
use crate::eval::{Caller, Decision, DenyReason, Request};
use crate::model::FlowKind;

pub const RULE: RuleText = RuleText {
    id: "BH005",
    name: "declared-flow-denied",
    severity: Severity::High,
    what: "Decides every declared flow with the caller's own identity and credentials (for flows from the internet: for a caller presenting what is required) and flags those the policy denies, with the evaluator's reason (no rule, wrong port or path, missing credential, deny rule).",
    why: "A design that breaks a call the application needs will either break production when enforced or, more likely, be loosened in a hurry by whoever is paged. Either way the design stops describing reality.",
    fix: "Add or widen the allow rule the reason points to, give the caller the credential it lacks, or remove the flow if the application no longer needs it.",
    example: "Flow `checkout-to-payments` (`checkout` → `payments-api` POST /payments) is denied: `missing_credential` for rule `checkout-payments`, which requires a JWT with scope `payments:write` that `checkout` does not hold.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in cx
        .design
        .flows
        .iter()
        .filter(|f| f.kind == FlowKind::Declared)
    {
        let req = Request {
            port: f.port,
            method: f.method.clone(),
            path: f.path.clone(),
        };
        let caller = Caller::parse(&f.from);
        // Internet callers (customers, partners) hold credentials the design does not model:
        // their flow only needs the design to allow it for a caller presenting what is
        // required. A service's flow must work with what the service holds.
        let d = if caller == Caller::Internet {
            cx.eval.decide(&caller, &f.to, &req, None)
        } else {
            cx.eval.allowed(&caller, &f.to, &req)
        };
        let Decision::Deny(reason) = d else {
            continue;
        };
        if matches!(
            reason,
            DenyReason::UnknownCaller { .. } | DenyReason::UnknownTarget { .. }
        ) {
            // The validator reports dangling ids; this rule is about policy.
            continue;
        }
        let mut x = RULE.finding(
            &f.id,
            format!(
                "declared flow `{}` (`{}` → `{}`) is denied: {}",
                f.id,
                f.from,
                f.to,
                reason.describe()
            ),
        );
        x.subjects = vec![f.id.clone(), f.from.clone(), f.to.clone()];
        x.pointer = cx
            .design
            .flows
            .iter()
            .position(|g| g.id == f.id)
            .map(|i| format!("/flows/{i}"));
        out.push(x);
    }
    out
}
