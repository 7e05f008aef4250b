//! Design text: reading it and writing it in canonical form.
//!
//! Canonical form is pretty JSON (two-space indent) with keys in the model's field order and a
//! trailing newline. Because the model keeps maps in `BTreeMap`s and positions only in
//! `layout`, a design written twice is byte-identical and moving a box changes only `layout`.

use crate::model::Design;

/// The canonical text of a design: what `bulkhead fmt` and every save write.
pub fn to_canonical_json(design: &Design) -> String {
    // INVARIANT: the model has only string keys and finite-or-null numbers, so serializing
    // cannot fail (serde_json writes non-finite floats as `null`).
    let mut text = serde_json::to_string_pretty(design).unwrap_or_default();
    text.push('\n');
    text
}
