//! Edits to a held design, sent as patches instead of the whole design.
//!
//! A 2,000-service design is about 5 MB of JSON; sending it with every edit (`set_design`)
//! cost the page its serialisation and the shell a parse of all of it, for an edit that
//! changes one rule. So an edit is sent as the few operations that turn a design the shell
//! holds (`base`, a revision) into the edited one: replace or remove a top-level field, or
//! splice one of the design's lists. The result is held under a new revision, like a design
//! sent whole.
//!
//! Every part a patch brings is checked by the design's own deserializer: a field's value is
//! read as that field's type and a spliced-in entry as the list's entry type, exactly as they
//! are read inside a whole design (the design's `Deserialize` is derived, with no check across
//! fields), and the patched design is bounded like a design sent whole. The tests apply random
//! edit sequences both ways and compare the designs and the answers.

use bulkhead_core::Design;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::input::MAX_DESIGN_ELEMENTS;

/// Most operations one patch may carry.
pub const MAX_PATCH_OPS: usize = 10_000;

/// A top-level field of a design, by its JSON name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum DesignField {
    #[serde(rename = "$schema")]
    Schema,
    #[serde(rename = "format")]
    Format,
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "description")]
    Description,
    #[serde(rename = "data_classes")]
    DataClasses,
    #[serde(rename = "services")]
    Services,
    #[serde(rename = "segments")]
    Segments,
    #[serde(rename = "rules")]
    Rules,
    #[serde(rename = "flows")]
    Flows,
    #[serde(rename = "triage")]
    Triage,
    #[serde(rename = "live")]
    Live,
    #[serde(rename = "layout")]
    Layout,
}

/// A list of a design, by its JSON name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesignList {
    DataClasses,
    Services,
    Segments,
    Rules,
    Flows,
    Triage,
}

/// One operation of a design patch (`patch_design`), applied in order.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum DesignOp {
    /// Replace a top-level field with `value`, the field's JSON as in a design file.
    Set {
        field: DesignField,
        value: serde_json::Value,
    },
    /// Remove a top-level field: the design then reads as a file without it would (its
    /// default; `format` is required).
    Remove { field: DesignField },
    /// In `list`, replace the `delete` entries from index `start` on with `insert`.
    Splice {
        list: DesignList,
        start: usize,
        delete: usize,
        insert: Vec<serde_json::Value>,
    },
}

/// The operations of a patch sent by the UI, read and bounded.
pub fn ops(value: serde_json::Value) -> IpcResult<Vec<DesignOp>> {
    let count = value.as_array().map_or(0, Vec::len);
    if count > MAX_PATCH_OPS {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!("the patch has {count} operations; the app accepts up to {MAX_PATCH_OPS}"),
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| IpcError::invalid_input(format!("the design patch is malformed: {e}")))
}

/// `base` with `ops` applied, checked as a design sent whole is. `base` is left as it was.
pub fn apply(base: &Design, ops: &[DesignOp]) -> IpcResult<Design> {
    let mut design = base.clone();
    for (k, op) in ops.iter().enumerate() {
        apply_op(&mut design, op).map_err(|e| {
            IpcError::new(
                e.code,
                format!("operation {k} of the design patch: {}", e.message),
            )
        })?;
    }
    let elements = design.data_classes.len()
        + design.services.len()
        + design.segments.len()
        + design.rules.len()
        + design.flows.len()
        + design.triage.len();
    if elements > MAX_DESIGN_ELEMENTS {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "the patched design has {elements} elements; the app accepts up to {MAX_DESIGN_ELEMENTS}"
            ),
        ));
    }
    Ok(design)
}

fn apply_op(d: &mut Design, op: &DesignOp) -> IpcResult<()> {
    match op {
        DesignOp::Set { field, value } => set(d, *field, value),
        DesignOp::Remove { field } => set(d, *field, &absent(*field)?),
        DesignOp::Splice {
            list,
            start,
            delete,
            insert,
        } => match list {
            DesignList::DataClasses => splice(&mut d.data_classes, *start, *delete, insert),
            DesignList::Services => splice(&mut d.services, *start, *delete, insert),
            DesignList::Segments => splice(&mut d.segments, *start, *delete, insert),
            DesignList::Rules => splice(&mut d.rules, *start, *delete, insert),
            DesignList::Flows => splice(&mut d.flows, *start, *delete, insert),
            DesignList::Triage => splice(&mut d.triage, *start, *delete, insert),
        },
    }
}

/// Reads `value` as a field's type, as the design's deserializer reads that field.
fn read<T: DeserializeOwned>(value: &serde_json::Value) -> IpcResult<T> {
    T::deserialize(value).map_err(|e| {
        IpcError::new(
            ErrorCode::InvalidDesign,
            format!("the design sent by the UI is malformed: {e}"),
        )
    })
}

fn set(d: &mut Design, field: DesignField, v: &serde_json::Value) -> IpcResult<()> {
    match field {
        DesignField::Schema => d.schema = read(v)?,
        DesignField::Format => d.format = read(v)?,
        DesignField::Name => d.name = read(v)?,
        DesignField::Description => d.description = read(v)?,
        DesignField::DataClasses => d.data_classes = read(v)?,
        DesignField::Services => d.services = read(v)?,
        DesignField::Segments => d.segments = read(v)?,
        DesignField::Rules => d.rules = read(v)?,
        DesignField::Flows => d.flows = read(v)?,
        DesignField::Triage => d.triage = read(v)?,
        DesignField::Live => d.live = read(v)?,
        DesignField::Layout => d.layout = read(v)?,
    }
    Ok(())
}

/// The JSON that reads as the field's value when it is absent from a design (its
/// `#[serde(default)]`); `format` has none: it is required.
fn absent(field: DesignField) -> IpcResult<serde_json::Value> {
    use serde_json::{Value, json};
    Ok(match field {
        DesignField::Schema | DesignField::Description | DesignField::Live => Value::Null,
        DesignField::Name => json!(""),
        DesignField::Layout => json!({}),
        DesignField::DataClasses
        | DesignField::Services
        | DesignField::Segments
        | DesignField::Rules
        | DesignField::Flows
        | DesignField::Triage => json!([]),
        DesignField::Format => {
            return Err(IpcError::new(
                ErrorCode::InvalidDesign,
                "the design sent by the UI is malformed: missing field `format`",
            ));
        }
    })
}

fn splice<T: DeserializeOwned>(
    list: &mut Vec<T>,
    start: usize,
    delete: usize,
    insert: &[serde_json::Value],
) -> IpcResult<()> {
    let end = start
        .checked_add(delete)
        .filter(|end| *end <= list.len())
        .ok_or_else(|| {
            IpcError::invalid_input(format!(
                "splice of {delete} entries at {start} is outside the list of {} entries",
                list.len()
            ))
        })?;
    if insert.len() > MAX_DESIGN_ELEMENTS {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "the splice inserts {} entries; the app accepts up to {MAX_DESIGN_ELEMENTS}",
                insert.len()
            ),
        ));
    }
    let entries = insert.iter().map(read).collect::<IpcResult<Vec<T>>>()?;
    list.splice(start..end, entries);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::generate::{GenerateOptions, generate};
    use serde_json::{Value, json};

    /// The reference: `ops` applied to the design's JSON, as the UI's designs are edited;
    /// false when a splice does not fit the JSON (a list that is not one, or too short).
    fn apply_json(doc: &mut Value, ops: &Value) -> bool {
        for op in ops.as_array().unwrap() {
            let obj = doc.as_object_mut().unwrap();
            match op["op"].as_str().unwrap() {
                "set" => {
                    obj.insert(op["field"].as_str().unwrap().into(), op["value"].clone());
                }
                "remove" => {
                    obj.remove(op["field"].as_str().unwrap());
                }
                "splice" => {
                    let Some(list) = obj
                        .entry(op["list"].as_str().unwrap())
                        .or_insert_with(|| json!([]))
                        .as_array_mut()
                    else {
                        return false;
                    };
                    let start = op["start"].as_u64().unwrap() as usize;
                    let delete = op["delete"].as_u64().unwrap() as usize;
                    if start + delete > list.len() {
                        return false;
                    }
                    let insert = op["insert"].as_array().unwrap().clone();
                    list.splice(start..start + delete, insert);
                }
                other => panic!("{other}"),
            }
        }
        true
    }

    /// A small deterministic generator (xorshift64*), so a failing sequence can be replayed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                (self.next() % n as u64) as usize
            }
        }
    }

    const LISTS: &[&str] = &[
        "data_classes",
        "services",
        "segments",
        "rules",
        "flows",
        "triage",
    ];
    const FIELDS: &[&str] = &[
        "$schema",
        "format",
        "name",
        "description",
        "data_classes",
        "services",
        "segments",
        "rules",
        "flows",
        "triage",
        "live",
        "layout",
    ];

    /// A random edit of `doc` as patch operations: splices of entries taken from the lists
    /// (moved, duplicated, changed, or broken), fields replaced or removed, sometimes malformed.
    /// At most one operation per field, as the UI's patches are (`ui/src/model/patch.ts`): an
    /// entry spliced in and then removed with its list in the same patch is refused as
    /// malformed, where the whole design would never have seen it.
    fn random_ops(rng: &mut Rng, doc: &Value) -> Value {
        let mut ops: Vec<Value> = Vec::new();
        let touched =
            |ops: &Vec<Value>, f: &str| ops.iter().any(|o| o["field"] == f || o["list"] == f);
        for _ in 0..1 + rng.below(3) {
            match rng.below(10) {
                0..=5 => {
                    let list = LISTS[rng.below(LISTS.len())];
                    if touched(&ops, list) {
                        continue;
                    }
                    let entries = doc[list].as_array().cloned().unwrap_or_default();
                    let start = rng.below(entries.len() + 1);
                    let delete = rng.below(entries.len() - start + 1).min(3);
                    let mut insert = Vec::new();
                    for _ in 0..rng.below(3) {
                        if entries.is_empty() {
                            break;
                        }
                        let mut e = entries[rng.below(entries.len())].clone();
                        match rng.below(4) {
                            // a new id (a new element), or the same (a duplicate: invalid, not malformed)
                            0 => e["id"] = json!(format!("x{}", rng.next() % 1000)),
                            1 => {}
                            // a renamed field: malformed (deny_unknown_fields)
                            2 if rng.below(4) == 0 => {
                                if let Some(o) = e.as_object_mut() {
                                    o.insert("idd".into(), json!("x"));
                                }
                            }
                            _ => e["id"] = json!(format!("y{}", rng.next() % 50)),
                        }
                        insert.push(e);
                    }
                    ops.push(json!({"op": "splice", "list": list, "start": start, "delete": delete, "insert": insert}));
                }
                6 | 7 => {
                    let field = FIELDS[rng.below(FIELDS.len())];
                    if touched(&ops, field) {
                        continue;
                    }
                    let value = match field {
                        "name" | "description" | "$schema" => {
                            json!(format!("n{}", rng.next() % 100))
                        }
                        "format" => json!("bulkhead/1"),
                        _ if rng.below(5) == 0 => json!(42),
                        f => doc.get(f).cloned().unwrap_or(json!(null)),
                    };
                    ops.push(json!({"op": "set", "field": field, "value": value}));
                }
                _ => {
                    let field = FIELDS[rng.below(FIELDS.len())];
                    if touched(&ops, field) {
                        continue;
                    }
                    ops.push(json!({"op": "remove", "field": field}));
                }
            }
        }
        Value::Array(ops)
    }

    /// What the app answers about a design: its validation and every flow's verdict.
    fn answers(d: &Design) -> String {
        let evaluator = bulkhead_core::eval::Evaluator::at(
            d,
            bulkhead_core::date::Date::from_unix_days(20_000),
        );
        serde_json::to_string(&(
            crate::design_file::check(d),
            crate::commands::analysis::verdicts(&evaluator),
        ))
        .unwrap()
    }

    #[test]
    fn patched_designs_equal_the_same_designs_sent_whole_over_random_edits() {
        let start = generate(&GenerateOptions {
            services: 40,
            peers: 4,
            seed: 3,
        });
        let (mut accepted, mut refused) = (0, 0);
        for seed in 1..=25u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut doc = serde_json::to_value(&start).unwrap();
            let mut held = start.clone();
            for _ in 0..20 {
                let patch = random_ops(&mut rng, &doc);
                let mut next = doc.clone();
                let fits = apply_json(&mut next, &patch);
                let patched = ops(patch.clone()).and_then(|ops| apply(&held, &ops));
                if !fits {
                    assert!(patched.is_err(), "seed {seed}: {patch}");
                    refused += 1;
                    continue;
                }
                let whole = crate::input::design(next.clone());
                match (whole, patched) {
                    (Ok(w), Ok(p)) => {
                        assert_eq!(w, p, "seed {seed}: {patch}");
                        assert_eq!(answers(&w), answers(&p));
                        doc = next;
                        held = p;
                        accepted += 1;
                    }
                    (Err(w), Err(p)) => {
                        assert_eq!(w.code, p.code, "seed {seed}: {patch}: {w:?} / {p:?}");
                        refused += 1;
                    }
                    (w, p) => panic!("seed {seed}: {patch}: whole {w:?}, patched {p:?}"),
                }
            }
        }
        assert!(
            accepted > 150 && refused > 30,
            "{accepted} accepted, {refused} refused"
        );
    }

    #[test]
    fn bad_patches_say_what_and_where() {
        let base = generate(&GenerateOptions {
            services: 5,
            peers: 2,
            seed: 1,
        });
        let e = ops(json!([{"op": "set", "field": "nmae", "value": "x"}])).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message.contains("unknown variant `nmae`"),
            "{}",
            e.message
        );
        let e = ops(json!([{"op": "splice", "list": "rules", "start": 0, "delete": 0, "insert": [], "extra": 1}])).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
        let op = ops(json!([{"op": "set", "field": "name", "value": "ok"}, {"op": "splice", "list": "rules", "start": 1000, "delete": 0, "insert": []}])).unwrap();
        let e = apply(&base, &op).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message
                .starts_with("operation 1 of the design patch: splice of 0 entries at 1000"),
            "{}",
            e.message
        );
        let op = ops(json!([{"op": "remove", "field": "format"}])).unwrap();
        assert_eq!(
            apply(&base, &op).unwrap_err().code,
            ErrorCode::InvalidDesign
        );
        let op = ops(json!([{"op": "splice", "list": "services", "start": 0, "delete": usize::MAX, "insert": []}])).unwrap();
        assert_eq!(
            apply(&base, &op).unwrap_err().code,
            ErrorCode::InvalidInput,
            "no overflow"
        );
        let many: Vec<Value> = (0..=MAX_PATCH_OPS)
            .map(|_| json!({"op": "remove", "field": "name"}))
            .collect();
        assert_eq!(
            ops(Value::Array(many)).unwrap_err().code,
            ErrorCode::TooLarge
        );
    }

    #[test]
    fn every_field_of_a_design_can_be_patched() {
        // A design with every optional part present: each of its JSON fields is a `DesignField`.
        let mut d = generate(&GenerateOptions {
            services: 5,
            peers: 2,
            seed: 1,
        });
        d.description = Some("d".into());
        d.live = Some(Default::default());
        d.triage.push(
            serde_json::from_value(
                json!({"finding": "BH001:x", "status": "accepted", "reason": "r"}),
            )
            .unwrap_or_else(|_| panic!("triage shape")),
        );
        let value = serde_json::to_value(&d).unwrap();
        for key in value.as_object().unwrap().keys() {
            assert!(
                FIELDS.contains(&key.as_str()),
                "`{key}` is a design field a patch cannot set"
            );
            let op: Vec<DesignOp> =
                ops(json!([{"op": "set", "field": key, "value": value[key]}])).unwrap();
            assert_eq!(
                apply(&Design::new("x"), &op)
                    .map(|p| serde_json::to_value(&p).unwrap()[key].clone())
                    .unwrap(),
                value[key]
            );
        }
        assert_eq!(value.as_object().unwrap().len(), FIELDS.len());
    }
}
