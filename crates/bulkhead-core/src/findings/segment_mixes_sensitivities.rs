//! BH008 `segment-mixes-sensitivities`: a segment holding data above its sensitivity, or
//! mixing very different sensitivities.

use super::{Context, Finding, RuleText, Severity};
use crate::model::Sensitivity;

pub const RULE: RuleText = RuleText {
    id: "BH008",
    name: "segment-mixes-sensitivities",
    severity: Severity::Medium,
    what: "Looks at the data classes each segment's members hold or serve. Flags a segment whose members handle data more sensitive than the segment's declared `sensitivity`, or whose members range two or more levels apart (e.g. public next to restricted).",
    why: "A segment's controls are sized for one sensitivity. Mixing public catalog services with cardholder data means either the catalog carries PCI-grade controls nobody maintains, or the card data lives behind catalog-grade ones; the second is what usually happens.",
    fix: "Split the segment (nest a stricter segment for the sensitive members) or raise the segment's `sensitivity` and controls to match its most sensitive member.",
    example: "Segment `shop` (sensitivity `internal`) contains `catalog` (`public`) and `checkout-db` (`payment-card`, restricted).",
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for seg in &cx.design.segments {
        let mut levels: Vec<(Sensitivity, &str, &str)> = Vec::new();
        for m in &seg.members {
            // Only members whose leaf segment this is.
            if cx.eval.segment_of(m) != Some(seg.id.as_str()) {
                continue;
            }
            let Some(s) = cx.design.service(m) else {
                continue;
            };
            let classes = s
                .data_held
                .iter()
                .chain(s.endpoints.iter().flat_map(|e| e.data_classes.iter()));
            for c in classes {
                if let Some(l) = cx.sensitivity(c) {
                    levels.push((l, s.id.as_str(), c.as_str()));
                }
            }
        }
        let (Some(hi), Some(lo)) = (levels.iter().max(), levels.iter().min()) else {
            continue;
        };
        let mut problems = Vec::new();
        if let Some(declared) = seg.sensitivity
            && hi.0 > declared
        {
            problems.push(format!(
                "`{}` handles `{}` ({}) above the segment's declared {}",
                hi.1,
                hi.2,
                label(hi.0),
                label(declared)
            ));
        }
        if (hi.0 as u8).saturating_sub(lo.0 as u8) >= 2 {
            problems.push(format!(
                "`{}` handles `{}` ({}) next to `{}` with `{}` ({})",
                hi.1,
                hi.2,
                label(hi.0),
                lo.1,
                lo.2,
                label(lo.0)
            ));
        }
        if problems.is_empty() {
            continue;
        }
        let mut f = RULE.finding(
            &seg.id,
            format!(
                "segment `{}` mixes sensitivities: {}",
                seg.id,
                problems.join("; ")
            ),
        );
        f.subjects = vec![seg.id.clone()];
        f.pointer = cx.segment_pointer(&seg.id);
        out.push(f);
    }
    out
}

fn label(s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::Public => "public",
        Sensitivity::Internal => "internal",
        Sensitivity::Confidential => "confidential",
        Sensitivity::Restricted => "restricted",
    }
}
