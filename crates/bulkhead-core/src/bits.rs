//! A fixed-size bitset over `u64` words: the set representation of the reach closures and of
//! the NetworkPolicy engine's sets of workload classes.

/// A set of small integers `0..len`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// The empty set over `0..len`.
    pub fn new(len: usize) -> Self {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Every integer in `0..len`.
    pub fn full(len: usize) -> Self {
        let mut b = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        // INVARIANT: bits past `len` stay clear, so counts and equality see only `0..len`.
        let r = len % 64;
        if r != 0
            && let Some(last) = b.words.last_mut()
        {
            *last &= (1u64 << r) - 1;
        }
        b
    }

    /// Adds `i`; returns whether it was new.
    #[inline]
    pub fn insert(&mut self, i: usize) -> bool {
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let new = self.words[w] & b == 0;
        self.words[w] |= b;
        new
    }

    #[inline]
    pub fn remove(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w &= !(1u64 << (i % 64));
        }
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        self.words.fill(0);
    }

    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// `self |= other`; returns whether `self` grew.
    pub fn union_with(&mut self, other: &Bits) -> bool {
        let mut grew = false;
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            let n = *a | *b;
            grew |= n != *a;
            *a = n;
        }
        grew
    }

    /// `self &= other`.
    pub fn and_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// `self &= !other`.
    pub fn and_not_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// `|self ∩ other|`.
    pub fn intersection_count(&self, other: &Bits) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    pub fn intersects(&self, other: &Bits) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    /// The elements, ascending.
    pub fn iter(&self) -> Ones<'_> {
        Ones {
            a: &self.words,
            b: None,
            next: 0,
            base: 0,
            word: 0,
        }
    }

    /// The elements of both `self` and `other`, ascending, without building the intersection.
    pub fn iter_and<'a>(&'a self, other: &'a Bits) -> Ones<'a> {
        Ones {
            a: &self.words,
            b: Some(&other.words),
            next: 0,
            base: 0,
            word: 0,
        }
    }

    /// Heap bytes used.
    pub fn bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

/// The set bits of a [`Bits`] (or of the intersection of two), ascending. A plain loop over
/// words rather than a flattened iterator: the NetworkPolicy engine walks millions of bits.
pub struct Ones<'a> {
    a: &'a [u64],
    b: Option<&'a [u64]>,
    /// The next word to load.
    next: usize,
    /// The first element of the loaded word.
    base: usize,
    /// The loaded word's bits not returned yet.
    word: u64,
}

impl Iterator for Ones<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.word == 0 {
            let w = *self.a.get(self.next)?;
            self.word = match self.b {
                None => w,
                Some(b) => w & b.get(self.next).copied().unwrap_or(0),
            };
            self.base = self.next * 64;
            self.next += 1;
        }
        let t = self.word.trailing_zeros() as usize;
        self.word &= self.word - 1;
        Some(self.base + t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let mut a = Bits::new(130);
        assert!(a.insert(0));
        assert!(!a.insert(0));
        a.insert(129);
        let mut b = Bits::new(130);
        b.insert(64);
        b.insert(129);
        assert_eq!(a.intersection_count(&b), 1);
        assert!(a.intersects(&b));
        assert!(a.union_with(&b));
        assert!(!a.union_with(&b));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 64, 129]);
        assert_eq!(a.count(), 3);
        assert!(!a.contains(1));
        a.remove(64);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 129]);
        a.clear();
        assert!(a.is_empty());
    }

    #[test]
    fn full_and_masks() {
        let mut a = Bits::new(130);
        for i in [0, 63, 64, 129] {
            a.insert(i);
        }
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 64, 129]);
        let mut f = Bits::full(130);
        assert_eq!(f.count(), 130);
        f.and_not_with(&a);
        assert_eq!(f.count(), 126);
        assert!(!f.contains(129) && f.contains(128) && !f.contains(500));
        f.union_with(&a);
        assert_eq!(f, Bits::full(130));
        f.and_with(&a);
        assert_eq!(f, a);
        let mut b = Bits::new(130);
        b.insert(64);
        b.insert(100);
        assert_eq!(a.iter_and(&b).collect::<Vec<_>>(), [64]);
        b.remove(64);
        assert_eq!(b.iter().collect::<Vec<_>>(), [100]);
        assert!(Bits::new(0).is_empty() && Bits::full(0).is_empty());
        assert_eq!(Bits::full(0).iter().count(), 0);
        assert_eq!(Bits::full(64).iter().count(), 64);
    }
}
