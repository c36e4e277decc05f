//! A fixed-size bitset over finding positions; filters combine with word-wise AND and OR.

/// One bit per finding, in rank order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// All bits clear.
    pub(crate) fn new(len: usize) -> Bits {
        Bits { words: vec![0; len.div_ceil(64)] }
    }

    pub(crate) fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub(crate) fn clear(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    #[cfg(test)]
    pub(crate) fn get(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub(crate) fn and(&mut self, other: &Bits) {
        self.words.iter_mut().zip(&other.words).for_each(|(a, b)| *a &= b);
    }

    pub(crate) fn and_not(&mut self, other: &Bits) {
        self.words.iter_mut().zip(&other.words).for_each(|(a, b)| *a &= !b);
    }

    pub(crate) fn or(&mut self, other: &Bits) {
        self.words.iter_mut().zip(&other.words).for_each(|(a, b)| *a |= b);
    }

    pub(crate) fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Bits set in both, without building the intersection.
    pub(crate) fn count_and(&self, other: &Bits) -> usize {
        self.words.iter().zip(&other.words).map(|(a, b)| (a & b).count_ones() as usize).sum()
    }

    /// Calls `f` with each set position, ascending (the fast path for whole scans).
    pub(crate) fn for_each_one(&self, mut f: impl FnMut(usize)) {
        for (w, &word) in self.words.iter().enumerate() {
            let mut rest = word;
            while rest != 0 {
                f(w * 64 + rest.trailing_zeros() as usize);
                rest &= rest - 1;
            }
        }
    }

    /// The set positions, ascending.
    pub(crate) fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * 64 + bit)
            })
        })
    }

    /// The union of several bitsets of the same length.
    pub(crate) fn union<'a>(len: usize, parts: impl IntoIterator<Item = &'a Bits>) -> Bits {
        let mut out = Bits::new(len);
        parts.into_iter().for_each(|p| out.or(p));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_agree_with_a_plain_vector() {
        let n = 200;
        let mut a = Bits::new(n);
        let mut b = Bits::new(n);
        for i in (0..n).step_by(3) {
            a.set(i);
        }
        for i in (0..n).step_by(5) {
            b.set(i);
        }
        assert_eq!(a.count_and(&b), (0..n).filter(|i| i % 15 == 0).count());
        let mut both = a.clone();
        both.and(&b);
        assert_eq!(both.ones().collect::<Vec<_>>(), (0..n).filter(|i| i % 15 == 0).collect::<Vec<_>>());
        let mut only_a = a.clone();
        only_a.and_not(&b);
        assert!(only_a.ones().all(|i| i % 3 == 0 && i % 5 != 0));
        assert!(a.get(0) && a.get(3) && !a.get(1));
        a.and_not(&{
            let mut zero = Bits::new(n);
            zero.set(0);
            zero
        });
        assert_eq!(
            Bits::union(n, [&a, &b]).count(),
            (0..n).filter(|i| (i % 3 == 0 && *i != 0) || i % 5 == 0).count()
        );
    }
}
