//! BH011 `expired-exception`: a rule whose `expires` date has passed.

use super::{Context, Finding, RuleText, Severity};

pub const RULE: RuleText = RuleText {
    id: "BH011",
    name: "expired-exception",
    severity: Severity::Medium,
    what: "Flags rules with an `expires` date before today (compared as `YYYY-MM-DD`). Skipped when no date is given (the core has no clock; the CLI passes today's date, or `--today`).",
    why: "Exceptions are granted for a reason and a time. One that outlives its date is an allowance nobody re-approved: the migration finished, the vendor left, and the hole stayed.",
    fix: "Remove the rule if the exception is over, or renew it: update `expires` and the `justification` with who approved the extension.",
    example: "Rule `legacy-migration` (`expires: 2024-06-30`) still allows `orders-api` → `billing-db`.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let Some(today) = cx.today.as_deref() else {
        return Vec::new();
    };
    cx.design
        .rules
        .iter()
        .filter_map(|r| {
            let exp = r.expires.as_deref()?;
            // ISO dates compare correctly as strings; malformed ones are the validator's job.
            (is_date(exp) && exp < today).then(|| {
                let mut f = RULE.finding(
                    &r.id,
                    format!("rule `{}` expired on {exp} and still applies", r.id),
                );
                f.subjects = vec![r.id.clone()];
                f.pointer = cx.rule_pointer(&r.id);
                f
            })
        })
        .collect()
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
