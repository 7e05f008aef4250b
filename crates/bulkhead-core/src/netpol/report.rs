//! Renderings of a [`Connectivity`]: NCA's `txt_no_fw_rules` lines, and the normalized rows
//! that `tests/verify/nca_pairs.py` prints for NCA, so the two can be diffed.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use super::engine::{ConnId, Connectivity};
use super::objects::{Cluster, Peer};

/// One allowed workload pair: `[src, dst, canonical connections]`.
pub type PairRow = [String; 3];

/// One allowed external range: `[workload, "ingress"|"egress", first, last, connections]`.
pub type ExternalRow = [String; 5];

/// Allowed connections in the normalized form of `tests/verify/nca_pairs.py`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Normalized {
    pub pairs: Vec<PairRow>,
    pub ip: Vec<ExternalRow>,
}

/// Whether any ipBlock names an IPv6 range (NCA then also prints IPv6 ranges).
pub fn uses_ipv6(cluster: &Cluster) -> bool {
    cluster.policies.iter().any(|p| {
        p.ingress.iter().chain(&p.egress).any(|r| {
            r.peers.iter().flatten().any(
                |peer| matches!(peer, Peer::IpBlock { addresses, .. } if !addresses.v6.is_empty()),
            )
        })
    })
}

/// The normalized rows, sorted. IPv6 ranges are included when `ipv6` is set.
pub fn normalized(cluster: &Cluster, conn: &Connectivity, ipv6: bool) -> Normalized {
    let names: Vec<String> = cluster.workloads.iter().map(|w| w.display_name()).collect();
    let mut canonical: HashMap<ConnId, String> = HashMap::new();
    let mut pairs: Vec<PairRow> = conn
        .pair_ids()
        .map(|(s, d, c)| {
            let text = canonical
                .entry(c)
                .or_insert_with(|| conn.conn(c).canonical())
                .clone();
            [names[s].clone(), names[d].clone(), text]
        })
        .collect();
    pairs.sort();
    let mut ip = Vec::new();
    for (w, name) in names.iter().enumerate() {
        for (dir, it) in [
            ("egress", conn.external_egress(w).collect::<Vec<_>>()),
            ("ingress", conn.external_ingress(w).collect::<Vec<_>>()),
        ] {
            for (range, c) in it {
                if !ipv6 && matches!(range.first, IpAddr::V6(_)) {
                    continue;
                }
                ip.push([
                    name.clone(),
                    dir.to_string(),
                    range.first.to_string(),
                    range.last.to_string(),
                    c.canonical(),
                ]);
            }
        }
    }
    ip.sort_by(|a, b| {
        (&a[0], &a[1], a[2].parse::<IpAddr>().ok()).cmp(&(
            &b[0],
            &b[1],
            b[2].parse::<IpAddr>().ok(),
        ))
    });
    Normalized { pairs, ip }
}

/// NCA's `-o txt_no_fw_rules --output_endpoints deployments` lines, sorted, without NCA's
/// header and timing lines. External ranges are printed merged into maximal ranges of equal
/// connections (NCA may cut the same addresses into more lines); IPv6 only when a policy
/// uses it, as NCA does.
pub fn nca_lines(cluster: &Cluster, conn: &Connectivity) -> Vec<String> {
    let names: Vec<String> = cluster.workloads.iter().map(|w| w.display_name()).collect();
    let ipv6 = uses_ipv6(cluster);
    let mut lines = Vec::new();
    let mut groups: HashMap<ConnId, Vec<String>> = HashMap::new();
    for (s, d, c) in conn.pair_ids() {
        for g in groups
            .entry(c)
            .or_insert_with(|| conn.conn(c).nca_groups())
            .iter()
        {
            lines.push(format!("{} => {} : {g}", names[s], names[d]));
        }
    }
    for (w, name) in names.iter().enumerate() {
        for (range, c) in conn.external_egress(w) {
            if ipv6 || matches!(range.first, IpAddr::V4(_)) {
                for g in c.nca_groups() {
                    lines.push(format!("{name} => {range} : {g}"));
                }
            }
        }
        for (range, c) in conn.external_ingress(w) {
            if ipv6 || matches!(range.first, IpAddr::V4(_)) {
                for g in c.nca_groups() {
                    lines.push(format!("{range} => {name} : {g}"));
                }
            }
        }
    }
    lines.sort_unstable();
    lines
}
