//! Stable, valid names for generated objects, and the header every output file starts with.

use sha2::{Digest, Sha256};

use bulkhead_core::model::Design;

/// A DNS-1123 label (Kubernetes object names, NCA's strict names) derived from a design id.
/// Ids that are already valid labels are kept as they are; any other id is lowercased, cleaned
/// and suffixed with a short hash of the original, so two different ids never collide.
pub fn dns_label(id: &str) -> String {
    let valid = !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if valid {
        return id.to_string();
    }
    let mut out = String::new();
    for c in id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    out.truncate(48);
    let out = out.trim_end_matches('-');
    let h = short_hash(id);
    if out.is_empty() {
        format!("x-{h}")
    } else {
        format!("{out}-{h}")
    }
}

/// A name made of a prefix and a DNS label, kept within 63 characters.
pub fn prefixed(prefix: &str, id: &str) -> String {
    let label = dns_label(id);
    let name = format!("{prefix}{label}");
    if name.len() <= 63 {
        name
    } else {
        let keep = 63 - prefix.len() - 9;
        format!(
            "{prefix}{}-{}",
            label[..keep].trim_end_matches('-'),
            short_hash(id)
        )
    }
}

fn short_hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The hash that identifies a design's semantics: SHA-256 of its JSON without the diagram
/// layout and without the imported live connectivity (`live`, what the cluster enforces
/// today, which is evidence about the design, not part of it), so moving a box or re-importing
/// live policies does not change an export.
///
/// The bytes hashed are exactly those of `serde_json::to_writer` on a clone of the design with
/// `layout` defaulted and `live` set to `None` (the hash is in every output header); they are
/// written from a borrowed view instead, because cloning a large design cost more than hashing it.
pub fn design_hash(design: &Design) -> String {
    let view = HashedDesign::of(design);
    let mut hasher = HashWriter(Sha256::new());
    // Serializing a design cannot fail (string keys only); the digest streams, no JSON copy.
    // serde_json writes a token at a time: a buffer hands the hasher large blocks instead.
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut hasher);
        let _ = serde_json::to_writer(&mut buffered, &view);
        let _ = std::io::Write::flush(&mut buffered);
    }
    let digest = hasher.0.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A borrowed [`Design`] that serializes like the design with `layout` defaulted and `live`
/// absent. Field names, order and `skip_serializing_if` mirror `Design`'s serde attributes
/// (`live` is omitted outright: `Design` skips it when `None`). The tests compare both
/// serializations on a design with every field set.
#[derive(serde::Serialize)]
struct HashedDesign<'a> {
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    schema: &'a Option<String>,
    format: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: &'a Option<String>,
    data_classes: &'a [bulkhead_core::model::DataClass],
    services: &'a [bulkhead_core::model::Service],
    segments: &'a [bulkhead_core::model::Segment],
    rules: &'a [bulkhead_core::model::Rule],
    flows: &'a [bulkhead_core::model::Flow],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    triage: &'a [bulkhead_core::model::Triage],
    layout: bulkhead_core::model::Layout,
}

impl<'a> HashedDesign<'a> {
    fn of(design: &'a Design) -> Self {
        // Destructured without `..`: a field added to `Design` fails to compile here until it
        // is either hashed or, like `layout` and `live`, deliberately left out.
        let Design {
            schema,
            format,
            name,
            description,
            data_classes,
            services,
            segments,
            rules,
            flows,
            triage,
            live: _,
            layout: _,
        } = design;
        HashedDesign {
            schema,
            format,
            name,
            description,
            data_classes,
            services,
            segments,
            rules,
            flows,
            triage,
            layout: Default::default(),
        }
    }
}

/// Feeds written bytes to a SHA-256 hasher.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: what `design_hash` hashed before it serialized a borrowed view.
    /// Returns the hash and the JSON hashed.
    fn cloned_reference(design: &Design) -> (String, String) {
        let mut d = design.clone();
        d.layout = Default::default();
        d.live = None;
        let json = serde_json::to_string(&d).unwrap();
        let digest = Sha256::digest(json.as_bytes());
        (digest.iter().map(|b| format!("{b:02x}")).collect(), json)
    }

    fn examples() -> Vec<Design> {
        [
            include_str!("../../../examples/fintech.bulkhead.json"),
            include_str!("../../../examples/bookinfo.bulkhead.json"),
            include_str!("../../../examples/online-boutique.bulkhead.json"),
        ]
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect()
    }

    #[test]
    fn hash_equals_the_clone_and_serialize_reference() {
        use bulkhead_core::generate::{GenerateOptions, generate};
        let mut designs = examples();
        for (services, seed) in [(1, 1), (50, 7), (400, 42)] {
            designs.push(generate(&GenerateOptions {
                services,
                seed,
                ..GenerateOptions::default()
            }));
        }
        for d in &designs {
            assert_eq!(design_hash(d), cloned_reference(d).0, "design {:?}", d.name);
        }
    }

    /// Guards the view against drifting from `Design`: on a design where every optional field
    /// is set and every list is non-empty (so no `skip_serializing_if` hides a field), the view
    /// serializes to the same JSON as the blanked clone, key for key and in the same order.
    #[test]
    fn view_serializes_every_field_of_a_full_design() {
        let mut d = examples().remove(0);
        d.schema = Some(bulkhead_core::model::SCHEMA_REF.to_string());
        d.description = Some("every field set".into());
        d.triage = serde_json::from_value(serde_json::json!([
            {"finding": "BH001:x", "status": "accepted", "reason": "test"}
        ]))
        .unwrap_or_else(|e| panic!("triage fixture no longer parses: {e}"));
        d.live = Some(
            serde_json::from_value(serde_json::json!({
                "source": "live/netpol.yaml", "policies": 1, "pairs": [], "unmapped_workloads": [],
            }))
            .unwrap(),
        );
        d.layout.positions.insert(
            d.services[0].id.clone(),
            bulkhead_core::model::Position { x: 1.0, y: 2.0 },
        );
        let full = serde_json::to_value(&d).unwrap();
        let full = full.as_object().unwrap();
        for (key, value) in full {
            let empty = value.is_null()
                || value.as_array().is_some_and(Vec::is_empty)
                || value.as_str().is_some_and(str::is_empty);
            assert!(
                !empty,
                "fixture leaves `{key}` empty: set it so the guard covers it"
            );
        }
        let view = serde_json::to_string(&HashedDesign::of(&d)).unwrap();
        let (hash, reference) = cloned_reference(&d);
        assert_eq!(
            view, reference,
            "the view's JSON differs from the blanked clone's"
        );
        let reference: serde_json::Value = serde_json::from_str(&reference).unwrap();
        let keys: Vec<&String> = reference.as_object().unwrap().keys().collect();
        let expected: Vec<&String> = full.keys().filter(|k| *k != "live").collect();
        assert_eq!(keys, expected, "the hash must cover every field but `live`");
        assert_eq!(design_hash(&d), hash);
    }

    #[test]
    fn labels_are_kept_or_cleaned_without_collisions() {
        assert_eq!(dns_label("cart-service"), "cart-service");
        let a = dns_label("Cart_Service");
        let b = dns_label("cart.service");
        assert!(a.starts_with("cart-service-"));
        assert_ne!(a, b);
        assert!(dns_label(&"x".repeat(100)).len() <= 63);
        assert!(prefixed("bh-allow-", &"y".repeat(70)).len() <= 63);
    }

    #[test]
    fn hash_ignores_layout_and_live_connectivity_but_not_semantics() {
        let mut d: Design =
            serde_json::from_str(include_str!("../../../examples/fintech.bulkhead.json")).unwrap();
        let before = design_hash(&d);
        d.live = Some(
            serde_json::from_value(serde_json::json!({
                "source": "live/netpol.yaml",
                "policies": 3,
                "pairs": [],
                "unmapped_workloads": ["shop/legacy[Deployment]"],
            }))
            .unwrap(),
        );
        assert_eq!(
            design_hash(&d),
            before,
            "re-importing live policies changed the hash"
        );
        d.layout = Default::default();
        assert_eq!(design_hash(&d), before);
        d.services[0].name.push_str(" (renamed)");
        assert_ne!(
            design_hash(&d),
            before,
            "a semantic change must change the hash"
        );
    }
}
