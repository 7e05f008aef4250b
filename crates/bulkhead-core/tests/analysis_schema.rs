//! `schema/analysis.schema.json` is generated from the result types; this fails when it is
//! stale. Regenerate with `BULKHEAD_BLESS=1 cargo test -p bulkhead-core --test analysis_schema`.

use std::path::PathBuf;

#[test]
fn analysis_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/analysis.schema.json");
    let want = bulkhead_core::report::analysis_schema_json();
    if std::env::var_os("BULKHEAD_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write schema/analysis.schema.json");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "schema/analysis.schema.json is stale: run `BULKHEAD_BLESS=1 cargo test -p bulkhead-core --test analysis_schema` and commit it"
    );
}
