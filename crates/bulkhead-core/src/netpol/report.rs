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
/// uses it, as NCA does. See [`NcaLines`] for printing large estates without a string per
/// line.
pub fn nca_lines(cluster: &Cluster, conn: &Connectivity) -> Vec<String> {
    let lines = NcaLines::new(cluster, conn);
    let mut out = Vec::with_capacity(lines.len());
    lines
        .for_each(|pieces| {
            out.push(pieces.concat());
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
    out
}

/// The lines of [`nca_lines`], in the same order, held as (source, destination, connection)
/// indices: an estate of 10,000 workloads prints over a million lines, and building, sorting
/// and freeing a string per line cost more than computing the connectivity.
///
/// A line reads `A => B : G`. Sorting rows by (A, B, G) gives the order of sorting the line
/// texts, because no endpoint text holds a character at or below the space that follows it
/// (so a text that is a prefix of another sorts first either way); endpoints are ranked by
/// text once. When that does not hold (an endpoint name with a space or control character, or
/// two workloads with one name), the lines are built and sorted as text instead.
pub struct NcaLines {
    /// Workload display names, then the external range texts.
    endpoints: Vec<String>,
    /// Per interned connection id, its NCA groups, sorted (empty when no row uses it).
    groups: Vec<Vec<String>>,
    /// (source endpoint, destination endpoint, connection id), in line order.
    rows: Vec<(u32, u32, ConnId)>,
    /// The lines as text, when rows cannot be ordered by endpoint rank (see above).
    text: Option<Vec<String>>,
}

impl NcaLines {
    /// The lines of `conn`, computed on `cluster`.
    pub fn new(cluster: &Cluster, conn: &Connectivity) -> NcaLines {
        let mut endpoints: Vec<String> =
            cluster.workloads.iter().map(|w| w.display_name()).collect();
        let workloads = endpoints.len();
        let ipv6 = uses_ipv6(cluster);
        let mut groups: Vec<Vec<String>> = vec![Vec::new(); conn.conn_count()];
        let mut use_conn = |c: ConnId| {
            let g = &mut groups[c as usize];
            if g.is_empty() {
                *g = conn.conn(c).nca_groups();
                g.sort_unstable();
            }
        };
        let mut rows: Vec<(u32, u32, ConnId)> = Vec::with_capacity(conn.pair_count());
        conn.for_each_pair_id(|s, d, c| {
            use_conn(c);
            rows.push((s as u32, d as u32, c));
        });
        let mut range_ids: HashMap<super::ip::IpRange, u32> = HashMap::new();
        for w in 0..workloads {
            for (egress, list) in [
                (true, conn.external_egress_ids(w)),
                (false, conn.external_ingress_ids(w)),
            ] {
                for &(range, c) in list {
                    if !ipv6 && matches!(range.first, IpAddr::V6(_)) {
                        continue;
                    }
                    use_conn(c);
                    let r = *range_ids.entry(range).or_insert_with(|| {
                        endpoints.push(range.to_string());
                        (endpoints.len() - 1) as u32
                    });
                    let w = w as u32;
                    rows.push(if egress { (w, r, c) } else { (r, w, c) });
                }
            }
        }
        drop(range_ids);

        let mut order: Vec<u32> = (0..endpoints.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| endpoints[a as usize].cmp(&endpoints[b as usize]));
        let distinct = order
            .windows(2)
            .all(|w| endpoints[w[0] as usize] != endpoints[w[1] as usize]);
        let above_space = endpoints
            .iter()
            .all(|e| !e.is_empty() && e.bytes().all(|b| b > b' '));
        if !(distinct && above_space) {
            let mut text = Vec::new();
            for &(s, d, c) in &rows {
                for g in &groups[c as usize] {
                    text.push(format!(
                        "{} => {} : {g}",
                        endpoints[s as usize], endpoints[d as usize]
                    ));
                }
            }
            text.sort_unstable();
            return NcaLines {
                endpoints,
                groups,
                rows: Vec::new(),
                text: Some(text),
            };
        }
        let mut rank = vec![0u32; endpoints.len()];
        for (i, &e) in order.iter().enumerate() {
            rank[e as usize] = i as u32;
        }
        // (source, destination) pairs are distinct, so the rank pair orders the rows fully.
        rows.sort_unstable_by_key(|&(s, d, _)| {
            (u64::from(rank[s as usize]) << 32) | u64::from(rank[d as usize])
        });
        NcaLines {
            endpoints,
            groups,
            rows,
            text: None,
        }
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        match &self.text {
            Some(t) => t.len(),
            None => self
                .rows
                .iter()
                .map(|&(_, _, c)| self.groups[c as usize].len())
                .sum(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands each line, in order, to `f` as pieces to be written one after another (without
    /// the line break). Stops at the first error `f` returns.
    pub fn for_each<E>(&self, mut f: impl FnMut(&[&str]) -> Result<(), E>) -> Result<(), E> {
        if let Some(text) = &self.text {
            for line in text {
                f(&[line])?;
            }
            return Ok(());
        }
        for &(s, d, c) in &self.rows {
            let (s, d) = (&self.endpoints[s as usize], &self.endpoints[d as usize]);
            for g in &self.groups[c as usize] {
                f(&[s, " => ", d, " : ", g])?;
            }
        }
        Ok(())
    }
}
