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
pub fn design_hash(design: &Design) -> String {
    let mut d = design.clone();
    d.layout = Default::default();
    d.live = None;
    let mut hasher = HashWriter(Sha256::new());
    // Serializing a design cannot fail (string keys only); the digest streams, no JSON copy.
    // serde_json writes a token at a time: a buffer hands the hasher large blocks instead.
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut hasher);
        let _ = serde_json::to_writer(&mut buffered, &d);
        let _ = std::io::Write::flush(&mut buffered);
    }
    let digest = hasher.0.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
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
