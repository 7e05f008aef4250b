//! [`Access::endpoint_rules`] (what cilium asks per allowed port) names the same endpoints and
//! the same allowing rule as the first grant of [`Access::endpoint_grants`], for every caller
//! the L4 answer lists, on every port, on generated estates and the example designs.

use bulkhead_core::date::Date;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_export::Access;

fn assert_same(design: &bulkhead_core::Design) -> usize {
    let today = Date::parse("2024-01-01").unwrap();
    let access = Access::new(design, today);
    let mut compared = 0;
    for (t, inbound) in access.inbound.iter().enumerate() {
        for g in inbound {
            for p in &g.ports {
                let port = p.port.map(|p| p.port);
                let want: Vec<_> = access
                    .endpoint_grants(g.caller, t, port)
                    .into_iter()
                    .map(|e| (e.index, e.by))
                    .collect();
                let got: Vec<_> = access
                    .endpoint_rules(g.caller, t, port)
                    .into_iter()
                    .map(|(index, by)| (index, by.to_owned()))
                    .collect();
                assert_eq!(got, want, "{:?} -> {t} on {port:?}", g.caller);
                compared += want.len();
            }
        }
    }
    compared
}

#[test]
fn endpoint_rules_are_the_first_grants() {
    let mut compared = 0;
    for seed in 1..=4 {
        let design = generate(&GenerateOptions {
            services: 40,
            peers: 4,
            seed,
        });
        compared += assert_same(&design);
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for name in ["online-boutique.bulkhead.json", "fintech.bulkhead.json"] {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        let design: bulkhead_core::Design = serde_json::from_str(&text).unwrap();
        compared += assert_same(&design);
    }
    assert!(compared > 100, "only {compared} endpoint grants compared");
}
