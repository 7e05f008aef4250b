//! Connection sets: which protocols and destination ports a connection may use.
//!
//! A NetworkPolicy rule without `ports` allows *every* IP protocol (ICMP too), while a rule
//! with ports allows only the listed TCP, UDP or SCTP ports. So a [`ConnSet`] is a flag for
//! "the other IP protocols" plus one exact port set per protocol (NCA.md pitfall 5: "all
//! connections" is not the same as TCP, UDP and SCTP on every port).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ranges::RangeSet;

/// The lowest and highest valid port (Kubernetes rejects port 0).
pub const PORT_MIN: u16 = 1;
pub const PORT_MAX: u16 = 65535;

/// A set of destination ports.
pub type PortSet = RangeSet<u16>;

/// A transport protocol a NetworkPolicy port can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The connections allowed between two endpoints.
///
/// INVARIANT: when `other_protocols` is set, every port set is full: only a rule without
/// `ports` allows the other protocols, and it allows all of TCP, UDP and SCTP as well. Unions
/// and intersections keep this.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct ConnSet {
    /// Protocols other than TCP, UDP and SCTP (ICMP, …).
    pub other_protocols: bool,
    /// Port sets indexed by [`Protocol`] (TCP, UDP, SCTP).
    ports: [PortSet; 3],
}

impl ConnSet {
    /// No connection.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every protocol on every port.
    pub fn all() -> Self {
        let full = PortSet::interval(PORT_MIN, PORT_MAX);
        Self {
            other_protocols: true,
            ports: [full.clone(), full.clone(), full],
        }
    }

    /// `ports` of `protocol`, nothing else.
    pub fn ports(protocol: Protocol, ports: PortSet) -> Self {
        let mut c = Self::empty();
        c.ports[protocol.index()] = ports.intersect(&PortSet::interval(PORT_MIN, PORT_MAX));
        c
    }

    /// Every port of `protocol`.
    pub fn protocol(protocol: Protocol) -> Self {
        Self::ports(protocol, PortSet::interval(PORT_MIN, PORT_MAX))
    }

    pub fn port_set(&self, protocol: Protocol) -> &PortSet {
        &self.ports[protocol.index()]
    }

    pub fn is_empty(&self) -> bool {
        !self.other_protocols && self.ports.iter().all(RangeSet::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.other_protocols
    }

    pub fn union(&self, other: &Self) -> Self {
        if self.is_all() || other.is_empty() {
            return self.clone();
        }
        if other.is_all() || self.is_empty() {
            return other.clone();
        }
        Self {
            other_protocols: false,
            ports: std::array::from_fn(|i| self.ports[i].union(&other.ports[i])),
        }
    }

    pub fn intersect(&self, other: &Self) -> Self {
        if self.is_all() || other.is_empty() {
            return other.clone();
        }
        if other.is_all() || self.is_empty() {
            return self.clone();
        }
        Self {
            other_protocols: false,
            ports: std::array::from_fn(|i| self.ports[i].intersect(&other.ports[i])),
        }
    }

    /// Whether `port` of `protocol` is allowed.
    pub fn allows(&self, protocol: Protocol, port: u16) -> bool {
        self.ports[protocol.index()].contains(port)
    }

    /// The canonical text shared with `tests/verify/nca_pairs.py`: `All`, or `;`-joined
    /// `PROTO:RANGES` in the order TCP, UDP, SCTP (empty string for no connection).
    pub fn canonical(&self) -> String {
        if self.is_all() {
            return "All".to_string();
        }
        let mut parts = Vec::new();
        for p in Protocol::ALL {
            let set = self.port_set(p);
            if !set.is_empty() {
                parts.push(format!("{p}:{}", ranges_text(set, ",", "-")));
            }
        }
        parts.join(";")
    }

    /// NCA's `txt_no_fw_rules` rendering: `All connections`, or one `{protocols:…}` group per
    /// distinct port set, protocols with equal port sets sharing a group (NCA prints each
    /// group on its own line; see [`super::report`]).
    pub fn nca_groups(&self) -> Vec<String> {
        if self.is_all() {
            return vec!["All connections".to_string()];
        }
        let full = PortSet::interval(PORT_MIN, PORT_MAX);
        let mut groups: Vec<(Vec<Protocol>, &PortSet)> = Vec::new();
        for p in Protocol::ALL {
            let set = self.port_set(p);
            if set.is_empty() {
                continue;
            }
            match groups.iter_mut().find(|(_, s)| *s == set) {
                Some((ps, _)) => ps.push(p),
                None => groups.push((vec![p], set)),
            }
        }
        groups
            .into_iter()
            .map(|(ps, set)| {
                let names: Vec<&str> = ps.iter().map(|p| p.as_str()).collect();
                if *set == full {
                    format!("{{protocols:{}}}", names.join(", "))
                } else {
                    format!(
                        "{{protocols:{},dst_ports:{}}}",
                        names.join(", "),
                        ranges_text(set, ",", "-")
                    )
                }
            })
            .collect()
    }
}

impl Serialize for ConnSet {
    /// As its [`ConnSet::canonical`] text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.canonical())
    }
}

impl fmt::Display for ConnSet {
    /// Human text: `all traffic`, `none`, or e.g. `TCP 80, 8080-8090; UDP 53`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all traffic");
        }
        if self.is_empty() {
            return f.write_str("none");
        }
        let full = PortSet::interval(PORT_MIN, PORT_MAX);
        let mut first = true;
        for p in Protocol::ALL {
            let set = self.port_set(p);
            if set.is_empty() {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            if *set == full {
                write!(f, "{p} all ports")?;
            } else {
                write!(f, "{p} {}", ranges_text(set, ", ", "-"))?;
            }
        }
        Ok(())
    }
}

fn ranges_text(set: &PortSet, sep: &str, dash: &str) -> String {
    set.intervals()
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}{dash}{hi}")
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(lo: u16, hi: u16) -> ConnSet {
        ConnSet::ports(Protocol::Tcp, PortSet::interval(lo, hi))
    }

    #[test]
    fn all_is_more_than_every_port_of_every_protocol() {
        // NCA.md pitfall 5: a rule without ports also allows ICMP and the other protocols.
        let every_port = ConnSet::protocol(Protocol::Tcp)
            .union(&ConnSet::protocol(Protocol::Udp))
            .union(&ConnSet::protocol(Protocol::Sctp));
        assert!(!every_port.is_all());
        assert_ne!(every_port, ConnSet::all());
        assert_eq!(
            every_port.canonical(),
            "TCP:1-65535;UDP:1-65535;SCTP:1-65535"
        );
        assert_eq!(every_port.nca_groups(), ["{protocols:TCP, UDP, SCTP}"]);
        assert_eq!(ConnSet::all().intersect(&every_port), every_port);
    }

    #[test]
    fn union_and_intersection_are_per_protocol() {
        let a = tcp(80, 80).union(&ConnSet::ports(Protocol::Udp, PortSet::interval(53, 53)));
        let b = tcp(70, 90);
        assert_eq!(a.intersect(&b), tcp(80, 80));
        assert_eq!(a.union(&b).canonical(), "TCP:70-90;UDP:53");
        assert!(a.intersect(&ConnSet::empty()).is_empty());
        assert_eq!(a.union(&ConnSet::all()), ConnSet::all());
    }

    #[test]
    fn nca_groups_share_equal_port_sets() {
        let c = tcp(80, 80).union(&ConnSet::ports(Protocol::Udp, PortSet::interval(80, 80)));
        assert_eq!(c.nca_groups(), ["{protocols:TCP, UDP,dst_ports:80}"]);
        let d = tcp(8080, 8080)
            .union(&tcp(9000, 9010))
            .union(&ConnSet::protocol(Protocol::Sctp));
        assert_eq!(
            d.nca_groups(),
            [
                "{protocols:TCP,dst_ports:8080,9000-9010}",
                "{protocols:SCTP}"
            ]
        );
        assert_eq!(d.to_string(), "TCP 8080, 9000-9010; SCTP all ports");
    }
}
