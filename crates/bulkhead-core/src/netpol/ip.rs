//! Sets of IP addresses (IPv4 and IPv6) as exact interval sets, and CIDR parsing.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ranges::RangeSet;

/// A set of IPv4 and IPv6 addresses.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct IpSet {
    pub v4: RangeSet<u32>,
    pub v6: RangeSet<u128>,
}

impl IpSet {
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn all() -> Self {
        Self {
            v4: RangeSet::interval(0, u32::MAX),
            v6: RangeSet::interval(0, u128::MAX),
        }
    }

    /// Parses `a.b.c.d/n` or an IPv6 CIDR. Host bits below the prefix are ignored, as the
    /// Kubernetes API server does (it only warns about them).
    pub fn parse_cidr(text: &str) -> Result<Self, String> {
        let (addr, len) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a CIDR (expected e.g. `10.0.0.0/8`)"))?;
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{addr}` in `{text}` is not an IP address"))?;
        let bits: u32 = len
            .parse()
            .map_err(|_| format!("`{len}` in `{text}` is not a prefix length"))?;
        match ip {
            IpAddr::V4(a) => {
                if bits > 32 {
                    return Err(format!("prefix length `{bits}` in `{text}` is over 32"));
                }
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                let lo = u32::from(a) & mask;
                Ok(Self {
                    v4: RangeSet::interval(lo, lo | !mask),
                    v6: RangeSet::new(),
                })
            }
            IpAddr::V6(a) => {
                if bits > 128 {
                    return Err(format!("prefix length `{bits}` in `{text}` is over 128"));
                }
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                let lo = u128::from(a) & mask;
                Ok(Self {
                    v4: RangeSet::new(),
                    v6: RangeSet::interval(lo, lo | !mask),
                })
            }
        }
    }

    pub fn single(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => Self {
                v4: RangeSet::interval(a.into(), a.into()),
                v6: RangeSet::new(),
            },
            IpAddr::V6(a) => Self {
                v4: RangeSet::new(),
                v6: RangeSet::interval(a.into(), a.into()),
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(a.into()),
            IpAddr::V6(a) => self.v6.contains(a.into()),
        }
    }

    pub fn union(&self, o: &Self) -> Self {
        Self {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn intersect(&self, o: &Self) -> Self {
        Self {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
        }
    }

    pub fn subtract(&self, o: &Self) -> Self {
        Self {
            v4: self.v4.subtract(&o.v4),
            v6: self.v6.subtract(&o.v6),
        }
    }

    /// The set's intervals as address pairs, IPv4 first.
    pub fn ranges(&self) -> Vec<IpRange> {
        let v4 = self.v4.intervals().iter().map(|&(a, b)| IpRange {
            first: IpAddr::V4(Ipv4Addr::from(a)),
            last: IpAddr::V4(Ipv4Addr::from(b)),
        });
        let v6 = self.v6.intervals().iter().map(|&(a, b)| IpRange {
            first: IpAddr::V6(Ipv6Addr::from(a)),
            last: IpAddr::V6(Ipv6Addr::from(b)),
        });
        v4.chain(v6).collect()
    }
}

/// A closed range of addresses of one family.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct IpRange {
    pub first: IpAddr,
    pub last: IpAddr,
}

impl IpRange {
    /// The smallest list of CIDRs covering exactly this range.
    pub fn cidrs(&self) -> Vec<String> {
        match (self.first, self.last) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                cidr_cover(u32::from(a) as u128, u32::from(b) as u128, 32)
                    .into_iter()
                    .map(|(n, l)| format!("{}/{l}", Ipv4Addr::from(n as u32)))
                    .collect()
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => cidr_cover(a.into(), b.into(), 128)
                .into_iter()
                .map(|(n, l)| format!("{}/{l}", Ipv6Addr::from(n)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for IpRange {
    /// NCA's rendering: `first-last`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// Splits `lo..=hi` of a `width`-bit address space into aligned CIDR blocks.
fn cidr_cover(lo: u128, hi: u128, width: u32) -> Vec<(u128, u32)> {
    let mut out = Vec::new();
    let mut cur = lo;
    // INVARIANT: each step emits one block starting at `cur` and moves past it, so the loop
    // runs at most 2 * width times.
    loop {
        let fits = |k: u32| {
            if k == 128 {
                cur == 0 && hi == u128::MAX
            } else {
                cur.checked_add((1u128 << k) - 1).is_some_and(|l| l <= hi)
            }
        };
        let mut k = if cur == 0 {
            width
        } else {
            cur.trailing_zeros().min(width)
        };
        while k > 0 && !fits(k) {
            k -= 1;
        }
        out.push((cur, width - k));
        if k == 128 {
            return out;
        }
        let last = cur + ((1u128 << k) - 1);
        if last >= hi {
            return out;
        }
        cur = last + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_cidr_masks_host_bits() {
        let s = IpSet::parse_cidr("10.1.2.3/16").unwrap();
        assert_eq!(s.ranges()[0].to_string(), "10.1.0.0-10.1.255.255");
        assert_eq!(
            IpSet::parse_cidr("0.0.0.0/0").unwrap().ranges()[0].to_string(),
            "0.0.0.0-255.255.255.255"
        );
        assert_eq!(
            IpSet::parse_cidr("2001:db8::/32").unwrap().ranges()[0].to_string(),
            "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert!(
            IpSet::parse_cidr("10.0.0.0")
                .unwrap_err()
                .contains("not a CIDR")
        );
        assert!(IpSet::parse_cidr("10.0.0.0/33").is_err());
        assert!(IpSet::parse_cidr("10.0.0/8").is_err());
    }

    #[test]
    fn except_is_subtracted_exactly() {
        let s = IpSet::parse_cidr("10.0.0.0/8")
            .unwrap()
            .subtract(&IpSet::parse_cidr("10.1.0.0/16").unwrap());
        let r: Vec<String> = s.ranges().iter().map(|r| r.to_string()).collect();
        assert_eq!(r, ["10.0.0.0-10.0.255.255", "10.2.0.0-10.255.255.255"]);
        assert_eq!(
            s.ranges()[1].cidrs(),
            [
                "10.2.0.0/15",
                "10.4.0.0/14",
                "10.8.0.0/13",
                "10.16.0.0/12",
                "10.32.0.0/11",
                "10.64.0.0/10",
                "10.128.0.0/9"
            ]
        );
    }

    #[test]
    fn cidr_cover_of_whole_spaces() {
        assert_eq!(IpSet::all().ranges()[0].cidrs(), ["0.0.0.0/0"]);
        assert_eq!(IpSet::all().ranges()[1].cidrs(), ["::/0"]);
        assert_eq!(
            IpSet::parse_cidr("192.168.1.7/32").unwrap().ranges()[0].cidrs(),
            ["192.168.1.7/32"]
        );
    }
}
