//! Schema drift: `schema/bulkhead.schema.json` must be exactly what the model generates.
//!
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p bulkhead-core --test schema` or
//! `cargo run -q -- schema > schema/bulkhead.schema.json`.

use std::path::PathBuf;

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/bulkhead.schema.json")
}

#[test]
fn schema_is_up_to_date() {
    let generated = bulkhead_core::schema::json_schema();
    let path = checked_in();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema/bulkhead.schema.json");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "schema/bulkhead.schema.json is stale (the design model changed).\n\
         Regenerate it with:\n    UPDATE_SCHEMA=1 cargo test -p bulkhead-core --test schema\n\
         or:\n    cargo run -q -- schema > schema/bulkhead.schema.json"
    );
}
