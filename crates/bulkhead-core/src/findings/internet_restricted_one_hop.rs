//! BH002 `internet-restricted-one-hop`: restricted data one call away from the internet.

use super::{Context, Finding, RuleText, Severity};
use crate::eval::{Caller, Request};
use crate::model::Sensitivity;

pub const RULE: RuleText = RuleText {
    id: "BH002",
    name: "internet-restricted-one-hop",
    severity: Severity::Critical,
    what: "Flags internet-facing services with an endpoint that touches restricted data and that the internet may call with no credential at all (the evaluator allows the call for a caller that holds nothing).",
    why: "Restricted data (card numbers, credentials, health records) should sit behind at least one authenticated hop. One unauthenticated request from anywhere on the internet is the shortest breach there is, and the one scanners find first.",
    fix: "Require a credential for the endpoint (segment or rule `auth`), move the restricted operation behind an internal service, or restrict the internet rule's `paths` and `methods` to the public operations.",
    example: "`mobile-api` is internet-facing, `edge-public` has `auth: none`, and `GET /v2/cards` touches `payment-card` (restricted).",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &cx.design.services {
        let mut hits = Vec::new();
        for ep in &s.endpoints {
            let restricted: Vec<&String> = ep
                .data_classes
                .iter()
                .filter(|c| cx.sensitivity(c) == Some(Sensitivity::Restricted))
                .collect();
            if restricted.is_empty() {
                continue;
            }
            let req = Request {
                port: None,
                method: Some(ep.method.clone()),
                path: Some(ep.path.clone()),
            };
            if cx.eval.allowed(&Caller::Internet, &s.id, &req).is_allowed() {
                hits.push(format!(
                    "`{} {}` ({})",
                    ep.method,
                    ep.path,
                    restricted
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if hits.is_empty() {
            continue;
        }
        let mut f = RULE.finding(
            &s.id,
            format!(
                "the internet may call `{}` with no credential and reach restricted data: {}",
                s.id,
                hits.join("; ")
            ),
        );
        f.subjects = vec![s.id.clone()];
        f.pointer = cx.service_pointer(&s.id);
        f.path = vec![crate::model::INTERNET.into(), s.id.clone()];
        out.push(f);
    }
    out
}
