//! BH007 `crown-jewel-from-internet`: a crown jewel an internet attacker reaches (worst case).

use super::{Context, Finding, RuleText, Severity};
use crate::eval::Caller;
use crate::simulate::{Assumption, SimulateOptions, simulate};

pub const RULE: RuleText = RuleText {
    id: "BH007",
    name: "crown-jewel-from-internet",
    severity: Severity::Critical,
    what: "Simulates a worst-case breach from the internet (every service the attacker can call falls, stolen credentials are replayed) and flags every service where crown-jewel data is then exposed, with the attack path.",
    why: "Crown jewels are the data whose loss ends up in the news. If a chain of allowed calls leads there from the internet, a single exploitable service on the way is all an attacker needs; segmentation exists to break that chain.",
    fix: "Cut the path at its choke points (`bulkhead simulate DESIGN --from internet` lists the fewest flows to remove), require credentials the intermediate services do not hold, or move the crown jewel into a segment only its owners may call.",
    example: "internet → `web-bff` → `payments-api` → `card-tokenization` → `card-vault` (`payment-card`), every hop allowed.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let Ok(sim) = simulate(
        cx.eval,
        &Caller::Internet,
        &SimulateOptions {
            assumption: Assumption::Worst,
            blocked: Vec::new(),
        },
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in &sim.reached {
        let jewels: Vec<&String> = r
            .exposed
            .iter()
            .filter(|c| cx.design.data_class(c).is_some_and(|d| d.crown_jewel))
            .collect();
        if jewels.is_empty() {
            continue;
        }
        let path: Vec<String> = std::iter::once(crate::model::INTERNET.to_string())
            .chain(r.path.iter().map(|h| h.to.clone()))
            .collect();
        let mut f = RULE.finding(
            &r.service,
            format!(
                "crown jewel {} reachable from the internet at `{}` in {} hop(s): {}",
                jewels
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.service,
                r.hops,
                path.join(" → ")
            ),
        );
        f.subjects = vec![r.service.clone()];
        f.pointer = cx.service_pointer(&r.service);
        f.path = path;
        out.push(f);
    }
    out
}
