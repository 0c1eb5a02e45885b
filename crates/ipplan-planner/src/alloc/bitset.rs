//! A 64-ary hierarchical bitset over block indexes: insert, remove and "lowest set index" in `O(log_64 n)` word
//! operations, with no scan over the subnet. Level 0 has one bit per block; a bit of level `k + 1` is set iff
//! the matching word of level `k` is non-zero, and the last level is one word.

/// Set of block indexes `0..n` (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct HierBitset {
    /// `levels[0]` is the leaf level; the last level has exactly one word.
    levels: Vec<Vec<u64>>,
}

impl HierBitset {
    /// An empty set over `0..n`.
    pub(super) fn new(n: usize) -> Self {
        let mut levels = Vec::new();
        let mut len = n.div_ceil(64).max(1);
        loop {
            levels.push(vec![0u64; len]);
            if len == 1 {
                break;
            }
            len = len.div_ceil(64);
        }
        Self { levels }
    }

    /// A set over `0..n` holding the indexes `members` yields (each `< n`).
    pub(super) fn from_indexes(n: usize, members: impl IntoIterator<Item = usize>) -> Self {
        let mut set = Self::new(n);
        for i in members {
            set.levels[0][i >> 6] |= 1 << (i & 63);
        }
        set.rebuild();
        set
    }

    /// Builds the summary levels from a filled leaf level.
    fn rebuild(&mut self) {
        for k in 1..self.levels.len() {
            let (lo, hi) = self.levels.split_at_mut(k);
            let below = &lo[k - 1];
            let above = &mut hi[0];
            above.fill(0);
            for (i, w) in below.iter().enumerate() {
                if *w != 0 {
                    above[i >> 6] |= 1 << (i & 63);
                }
            }
        }
    }

    /// Adds `i`.
    #[inline]
    pub(super) fn insert(&mut self, mut i: usize) {
        for level in &mut self.levels {
            let w = &mut level[i >> 6];
            let was_empty = *w == 0;
            *w |= 1 << (i & 63);
            if !was_empty {
                return;
            }
            i >>= 6;
        }
    }

    /// Removes `i`.
    #[inline]
    pub(super) fn remove(&mut self, mut i: usize) {
        for level in &mut self.levels {
            let w = &mut level[i >> 6];
            *w &= !(1 << (i & 63));
            if *w != 0 {
                return;
            }
            i >>= 6;
        }
    }

    /// The lowest index in the set.
    #[inline]
    pub(super) fn first(&self) -> Option<usize> {
        let top = self.levels.len() - 1;
        if self.levels[top][0] == 0 {
            return None;
        }
        let mut idx = 0usize;
        for level in self.levels.iter().rev() {
            idx = (idx << 6) | level[idx].trailing_zeros() as usize;
        }
        Some(idx)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::HierBitset;

    /// The 64-ary bitset against a `BTreeSet`, for sizes around the level boundaries.
    #[test]
    fn hier_bitset_matches_btreeset() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for n in [1usize, 2, 63, 64, 65, 4095, 4096, 4097, 262_144] {
            let mut bits = HierBitset::new(n);
            let mut set = BTreeSet::new();
            for _ in 0..20_000 {
                // Bias towards a sparse set so `first` moves around.
                let i = if rng.random_bool(0.5) {
                    rng.random_range(0..n)
                } else {
                    n - 1 - rng.random_range(0..n.min(70))
                };
                if rng.random_bool(0.45) {
                    bits.insert(i);
                    set.insert(i);
                } else {
                    bits.remove(i);
                    set.remove(&i);
                }
                assert_eq!(bits.first(), set.first().copied(), "n = {n}");
            }
        }
    }

    /// A set built from indexes has the summary levels an insert-by-insert one has: the same `first` after the
    /// same removals, across a level boundary (4,097 leaves: three levels).
    #[test]
    fn from_indexes_matches_inserts() {
        let n = 4097;
        let members: Vec<usize> = (0..n).filter(|i| i % 7 == 3 || *i == n - 1).collect();
        let mut built = HierBitset::from_indexes(n, members.iter().copied());
        let mut inserted = HierBitset::new(n);
        for &i in &members {
            inserted.insert(i);
        }
        for &i in &members {
            assert_eq!(built.first(), Some(i));
            assert_eq!(built.first(), inserted.first());
            built.remove(i);
            inserted.remove(i);
        }
        assert_eq!((built.first(), inserted.first()), (None, None));
    }
}
