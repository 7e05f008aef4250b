//! BH009 `unsegmented-service`: a service in no segment.

use super::{Context, Finding, RuleText, Severity};
use crate::model::ServiceKind;

pub const RULE: RuleText = RuleText {
    id: "BH009",
    name: "unsegmented-service",
    severity: Severity::Medium,
    what: "Flags services that belong to no segment (clients are exempt: they are callers, not assets).",
    why: "An unsegmented service has no inbound policy of its own: no segment auth, no rate limit, no intra-segment stance. Rules can still name it, but nobody owns its boundary, and it is easy to forget in reviews and exports.",
    fix: "Add the service to the segment that matches its function and sensitivity (`segments[].members`), or create one.",
    example: "`legacy-reports` is listed in `services` but in no segment's `members`.",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    cx.design
        .services
        .iter()
        .filter(|s| s.kind != ServiceKind::Client && cx.eval.segment_of(&s.id).is_none())
        .map(|s| {
            let mut f = RULE.finding(&s.id, format!("`{}` is in no segment", s.id));
            f.subjects = vec![s.id.clone()];
            f.pointer = cx.service_pointer(&s.id);
            f
        })
        .collect()
}
