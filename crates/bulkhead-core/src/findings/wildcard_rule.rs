//! BH010 `wildcard-rule`: an allow rule from or to `any`.

use super::{Context, Finding, RuleText, Severity};
use crate::model::{Action, Peer};

pub const RULE: RuleText = RuleText {
    id: "BH010",
    name: "wildcard-rule",
    severity: Severity::Medium,
    what: "Flags allow rules whose `from` or `to` is `any`, and says whether they are also unrestricted in ports, methods and paths and need no auth.",
    why: "`any` grows silently: every service added later, and for `from: any` the internet too, inherits the allowance. Wildcards are how least privilege erodes without anyone writing a permissive rule on purpose.",
    fix: "Name the callers (a segment or service) and the target precisely, and restrict the rule to the ports, methods and paths it exists for.",
    example: "Rule `metrics-scrape` allows `any` → segment `apps` on 9090 for the monitoring stack; name segment `monitoring` instead.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    cx.design
        .rules
        .iter()
        .filter(|r| r.action == Action::Allow && (r.from == Peer::Any || r.to == Peer::Any))
        .map(|r| {
            let side = match (&r.from, &r.to) {
                (Peer::Any, Peer::Any) => "from and to `any`",
                (Peer::Any, _) => "from `any` (every service and the internet)",
                _ => "to `any` (every service)",
            };
            let unrestricted = r.ports.is_empty() && r.methods.is_empty() && r.paths.is_empty();
            let mut msg = format!("allow rule `{}` is {side}", r.id);
            if unrestricted {
                msg.push_str(", on every port, method and path");
            }
            if r.auth.is_none() {
                msg.push_str(", and requires no auth of its own");
            }
            let mut f = RULE.finding(&r.id, msg);
            if unrestricted && r.auth.is_none() {
                f.severity = Severity::High;
            }
            f.subjects = vec![r.id.clone()];
            f.pointer = cx.rule_pointer(&r.id);
            f
        })
        .collect()
}
