//! The JSON Schema of the design file, generated from [`crate::model`] with schemars.
//!
//! The generated text is checked in as `schema/bulkhead.schema.json` so editors can autocomplete
//! designs and the UI can generate its types from it; a test fails when the checked-in copy is
//! stale.

use crate::model::Design;

/// The design file's JSON Schema, pretty-printed with a trailing newline (the exact bytes of
/// `schema/bulkhead.schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Design);
    // INVARIANT: a schemars schema is plain JSON data; serializing it cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
