//! `export_many` renders targets on several threads from one shared evaluation: each result
//! must be exactly what `export` writes for that target alone, in the order asked.

use bulkhead_core::date::Date;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_export::{Options, Target, export, export_many};

#[test]
fn threads_change_nothing_but_speed() {
    let design = generate(&GenerateOptions {
        services: 150,
        peers: 5,
        seed: 9,
    });
    let today = Date::parse("2024-01-01").expect("date");
    let options = Options::default();
    // Reversed, to check the order follows the request, not the workers.
    let targets: Vec<Target> = Target::ALL.into_iter().rev().collect();
    for threads in [1, 2, 4] {
        let many = export_many(&design, &targets, &options, today, threads).expect("valid");
        assert_eq!(many.len(), targets.len());
        for (got, &target) in many.into_iter().zip(&targets) {
            let got = got.expect("exported");
            let alone = export(&design, target, &options, today).expect("exported");
            assert_eq!(got.target, target);
            assert_eq!(got.files, alone.files, "{target} with {threads} threads");
            assert_eq!(
                got.gaps.iter().map(ToString::to_string).collect::<Vec<_>>(),
                alone
                    .gaps
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn staged_refusals_come_back_per_target() {
    let design = generate(&GenerateOptions {
        services: 20,
        peers: 3,
        seed: 2,
    });
    let today = Date::parse("2024-01-01").expect("date");
    let options = Options {
        staged: true,
        ..Options::default()
    };
    let many = export_many(&design, &Target::ALL, &options, today, 2).expect("valid");
    for (r, t) in many.iter().zip(Target::ALL) {
        assert_eq!(r.is_ok(), t.has_staged_mode(), "{t}");
    }
}

#[test]
fn both_networkpolicy_variants_from_one_evaluation_are_each_what_it_writes_alone() {
    // Both variants share their ingress policies, rendered once per `Access` by whichever
    // variant comes first: each must still be exactly its export alone, in either order.
    use bulkhead_export::{Access, export_with};
    let design = generate(&GenerateOptions {
        services: 150,
        peers: 5,
        seed: 4,
    });
    let today = Date::parse("2024-01-01").expect("date");
    let options = Options::default();
    let pair = [Target::NetworkPolicy, Target::NetworkPolicyEgress];
    for order in [pair, [pair[1], pair[0]]] {
        let access = Access::new(&design, today);
        for target in order {
            let shared = export_with(&access, target, &options).expect("exported");
            let alone = export(&design, target, &options, today).expect("exported");
            assert_eq!(shared.files, alone.files, "{target} after {order:?}");
            assert_eq!(shared.gaps, alone.gaps, "{target} after {order:?}");
        }
    }
}
