//! `schema/ipc.schema.json` is generated from the shell's IPC envelopes; this fails when it is
//! stale. Regenerate with `BULKHEAD_BLESS=1 cargo test -p bulkhead-app --test ipc_schema`, then
//! `npm run gen:types` in `ui/` (whose own drift test checks the TS against this file).

use std::path::PathBuf;

#[test]
fn ipc_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/ipc.schema.json");
    let want = bulkhead_app::ipc_types::ipc_schema_json();
    if std::env::var_os("BULKHEAD_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write schema/ipc.schema.json");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "schema/ipc.schema.json is stale: run `BULKHEAD_BLESS=1 cargo test -p bulkhead-app --test ipc_schema`, then `npm run gen:types` in ui/, and commit both"
    );
}
