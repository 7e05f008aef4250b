//! An exception past its `expires` date is left out of every export, and said so: the fintech
//! example's `settlement-reconciliation-exception` (settlement-service → ledger-db:5432,
//! expires 2027-06-30) is exported on its last day and not the day after.

use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::date::Date;
use bulkhead_export::{Options, Target, export};

const RULE: &str = "settlement-reconciliation-exception";

fn fintech() -> Design {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fintech.bulkhead.json");
    let text = std::fs::read_to_string(&path).expect("read the fintech example");
    serde_json::from_str(&text).expect("parse the fintech example")
}

fn date(s: &str) -> Date {
    Date::parse(s).expect("a date")
}

/// The output's lines that are not header comments.
fn body(contents: &str) -> String {
    contents
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_expired_exception_is_not_exported_and_is_reported() {
    let design = fintech();
    for target in Target::ALL {
        let before = export(&design, target, &Options::default(), date("2027-06-30")).unwrap();
        let after = export(&design, target, &Options::default(), date("2027-07-01")).unwrap();
        let expired_gap = |e: &bulkhead_export::Export| {
            e.gaps
                .iter()
                .any(|g| g.rule == RULE && g.message.starts_with("expired on 2027-06-30"))
        };
        assert!(
            !expired_gap(&before),
            "{target}: not expired on its last day"
        );
        assert!(
            expired_gap(&after),
            "{target}: the expired rule is reported"
        );
        // In the header of the file that carries the full list, too.
        assert!(
            after.files.iter().any(|f| f
                .contents
                .lines()
                .take_while(|l| l.starts_with('#'))
                .any(|l| l.contains(&format!("rule `{RULE}`: expired on 2027-06-30")))),
            "{target}: header names the expired rule"
        );
        // No file grants anything in the rule's name any more.
        for f in &after.files {
            assert!(
                !body(&f.contents).contains(RULE),
                "{target}/{}: still mentions the expired rule outside the header",
                f.path
            );
        }
    }
}

#[test]
fn the_allowance_itself_disappears_from_the_networkpolicy() {
    let design = fintech();
    let opts = Options::default();
    let before = export(&design, Target::NetworkPolicy, &opts, date("2027-06-30")).unwrap();
    let after = export(&design, Target::NetworkPolicy, &opts, date("2027-07-01")).unwrap();
    let all = |e: &bulkhead_export::Export| {
        e.files
            .iter()
            .map(|f| body(&f.contents))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // On its last day the exception is what allows settlement-service into ledger-db.
    assert!(
        all(&before).contains(RULE),
        "the exception is exported while valid"
    );
    assert_ne!(all(&before), all(&after), "expiry changes what is allowed");
}
