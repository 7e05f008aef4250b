//! BH011 `expired-exception`: a rule whose `expires` date has passed.

use super::{Context, Finding, RuleText, Severity};
use crate::date::Date;
use crate::model::Action;

pub const RULE: RuleText = RuleText {
    id: "BH011",
    name: "expired-exception",
    severity: Severity::Medium,
    what: "Flags rules with an `expires` date before today. The evaluator no longer applies them on that date: an expired allow stops allowing (a call only it allowed is denied as `expired_rule`; declared flows it carried show up as BH005), an expired deny stops denying. Skipped when no date is given (the core has no clock; the CLI passes today's date, or `--today`).",
    why: "Exceptions are granted for a reason and a time. One that outlives its date is an allowance nobody re-approved: the migration finished, the vendor left, and the hole stayed. Bulkhead stops counting it, but configs exported before the date still enforce it until they are re-exported, and the rule still clutters the design.",
    fix: "Remove the rule if the exception is over (and re-export), or renew it: update `expires` and the `justification` with who approved the extension.",
    example: "Rule `legacy-migration` (`expires: 2024-06-30`) no longer allows `orders-api` → `billing-db`; the declared flow it carried is denied.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let Some(today) = cx.today.as_deref().and_then(Date::parse) else {
        return Vec::new();
    };
    cx.design
        .rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let exp = r.expires.as_deref().and_then(Date::parse)?;
            // Malformed dates are the validator's job.
            (exp < today).then(|| {
                let effect = match (cx.eval.rule_expired(i), r.action) {
                    (true, Action::Allow) => "no longer allows traffic",
                    (true, Action::Deny) => "no longer denies traffic",
                    // An evaluator without a date still applies it.
                    (false, _) => "is still applied (evaluated without a date)",
                };
                let mut f = RULE.finding(
                    &r.id,
                    format!("rule `{}` expired on {exp} and {effect}", r.id),
                );
                f.subjects = vec![r.id.clone()];
                f.pointer = cx.rule_pointer(&r.id);
                f
            })
        })
        .collect()
}
