//! Sets of integers stored as sorted, disjoint, non-adjacent closed intervals.
//!
//! Port sets (`u16`), IPv4 sets (`u32`) and IPv6 sets (`u128`) all use [`RangeSet`], so every
//! union, intersection and difference is exact and costs time linear in the number of
//! intervals, not in the number of ports or addresses.

use std::fmt::Debug;
use std::hash::Hash;

/// An integer type that [`RangeSet`] can hold.
pub trait Point: Copy + Ord + Eq + Hash + Debug {
    const MIN: Self;
    const MAX: Self;
    /// `self + 1`, or `None` at `MAX`.
    fn succ(self) -> Option<Self>;
    /// `self - 1`, or `None` at `MIN`.
    fn pred(self) -> Option<Self>;
}

macro_rules! impl_point {
    ($($t:ty),*) => {$(
        impl Point for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> { self.checked_add(1) }
            fn pred(self) -> Option<Self> { self.checked_sub(1) }
        }
    )*};
}
impl_point!(u16, u32, u128);

/// A set of integers as closed intervals.
///
/// INVARIANT: `ranges` is sorted, every `lo <= hi`, and consecutive intervals neither overlap
/// nor touch (`prev.hi + 1 < next.lo`), so two equal sets have equal representations and
/// `==`/`Hash` are set equality.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RangeSet<T: Point> {
    ranges: Vec<(T, T)>,
}

impl<T: Point> Default for RangeSet<T> {
    fn default() -> Self {
        Self { ranges: Vec::new() }
    }
}

impl<T: Point> RangeSet<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The interval `lo..=hi` (empty when `lo > hi`).
    pub fn interval(lo: T, hi: T) -> Self {
        if lo > hi {
            Self::new()
        } else {
            Self {
                ranges: vec![(lo, hi)],
            }
        }
    }

    /// Builds a set from intervals in any order, overlapping or not.
    pub fn from_intervals(intervals: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut v: Vec<(T, T)> = intervals.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            if let Some(last) = out.last_mut()
                && (lo <= last.1 || last.1.succ() == Some(lo))
            {
                if hi > last.1 {
                    last.1 = hi;
                }
                continue;
            }
            out.push((lo, hi));
        }
        Self { ranges: out }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The intervals, sorted and disjoint.
    pub fn intervals(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn contains(&self, x: T) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < x);
        i < self.ranges.len() && self.ranges[i].0 <= x
    }

    /// Whether every element of `other` is in `self`.
    pub fn is_superset(&self, other: &Self) -> bool {
        other.subtract(self).is_empty()
    }

    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        Self::from_intervals(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    pub fn intersect(&self, other: &Self) -> Self {
        let (a, b) = (&self.ranges, &other.ranges);
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.len() && j < b.len() {
            let lo = a[i].0.max(b[j].0);
            let hi = a[i].1.min(b[j].1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        // Intersections of normalized sets are normalized: pieces come from disjoint,
        // non-adjacent intervals of `a` or are separated by gaps of `b`.
        Self { ranges: out }
    }

    /// `self \ other`.
    pub fn subtract(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            let mut cur = Some(lo);
            while j < other.ranges.len() && other.ranges[j].1 < lo {
                j += 1;
            }
            let mut k = j;
            while let Some(start) = cur {
                if k >= other.ranges.len() || other.ranges[k].0 > hi {
                    out.push((start, hi));
                    break;
                }
                let (olo, ohi) = other.ranges[k];
                if olo > start {
                    // olo > start >= MIN, so pred exists.
                    out.push((start, olo.pred().unwrap_or(T::MIN)));
                }
                cur = if ohi >= hi { None } else { ohi.succ() };
                k += 1;
            }
        }
        Self { ranges: out }
    }

    /// The number of elements, saturating (for display and tests).
    pub fn len_u128(&self) -> u128
    where
        T: Into<u128>,
    {
        self.ranges
            .iter()
            .map(|&(lo, hi)| hi.into() - lo.into() + 1)
            .fold(0u128, |a, b| a.saturating_add(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[(u16, u16)]) -> RangeSet<u16> {
        RangeSet::from_intervals(v.iter().copied())
    }

    #[test]
    fn from_intervals_merges_overlapping_and_adjacent() {
        assert_eq!(
            set(&[(5, 7), (1, 2), (3, 4), (10, 12), (11, 20)]).intervals(),
            &[(1, 7), (10, 20)]
        );
        assert!(set(&[(3, 1)]).is_empty());
    }

    #[test]
    fn union_intersect_subtract() {
        let a = set(&[(1, 10), (20, 30)]);
        let b = set(&[(5, 25)]);
        assert_eq!(a.union(&b).intervals(), &[(1, 30)]);
        assert_eq!(a.intersect(&b).intervals(), &[(5, 10), (20, 25)]);
        assert_eq!(a.subtract(&b).intervals(), &[(1, 4), (26, 30)]);
        assert_eq!(b.subtract(&a).intervals(), &[(11, 19)]);
        assert!(a.is_superset(&set(&[(2, 3), (21, 29)])));
        assert!(!a.is_superset(&b));
    }

    #[test]
    fn subtract_at_the_type_bounds() {
        let full = RangeSet::interval(0u16, u16::MAX);
        assert_eq!(
            full.subtract(&set(&[(0, 0), (u16::MAX, u16::MAX)]))
                .intervals(),
            &[(1, u16::MAX - 1)]
        );
        assert!(full.subtract(&full).is_empty());
        assert_eq!(
            full.subtract(&set(&[(10, 20), (30, 40)])).intervals(),
            &[(0, 9), (21, 29), (41, u16::MAX)]
        );
    }

    #[test]
    fn contains_uses_every_interval() {
        let a = set(&[(1, 3), (7, 9)]);
        for x in 0..12 {
            assert_eq!(
                a.contains(x),
                (1..=3).contains(&x) || (7..=9).contains(&x),
                "{x}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn set_algebra_matches_a_bitmap(a in proptest::collection::vec((0u16..64, 0u16..64), 0..6),
                                        b in proptest::collection::vec((0u16..64, 0u16..64), 0..6)) {
            let (sa, sb) = (set(&a), set(&b));
            let bits = |v: &[(u16, u16)]| (0u16..64).map(|x| v.iter().any(|&(l, h)| l <= x && x <= h)).collect::<Vec<_>>();
            let (ba, bb) = (bits(&a), bits(&b));
            let check = |s: &RangeSet<u16>, f: &dyn Fn(usize) -> bool| {
                for x in 0..64u16 { proptest::prop_assert_eq!(s.contains(x), f(x as usize)); }
                proptest::prop_assert_eq!(s, &RangeSet::from_intervals(s.intervals().iter().copied()));
                Ok(())
            };
            check(&sa.union(&sb), &|x| ba[x] || bb[x])?;
            check(&sa.intersect(&sb), &|x| ba[x] && bb[x])?;
            check(&sa.subtract(&sb), &|x| ba[x] && !bb[x])?;
        }
    }
}
