//! A Fenwick (binary indexed) tree over per-block counts of free single-eligible addresses: a count changes and
//! "which block holds the k-th free address" are both `O(log n)`, so a uniform random pick over a /10 pool
//! (262,144 blocks) costs what it costs over a /24.

/// Prefix sums of per-block counts (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct Fenwick {
    /// 1-indexed partial sums; `tree[0]` unused.
    tree: Vec<u32>,
    /// Largest power of two ≤ n.
    top: usize,
}

impl Fenwick {
    /// The tree over these per-block counts (block 0 first).
    pub(super) fn from_counts(counts: impl ExactSizeIterator<Item = u32>) -> Self {
        let n = counts.len();
        let mut tree = vec![0u32; n + 1];
        for (i, c) in counts.enumerate() {
            tree[i + 1] += c;
            let parent = (i + 1) + ((i + 1) & (i + 1).wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i + 1];
            }
        }
        let top = if n == 0 {
            0
        } else {
            1 << (usize::BITS - 1 - n.leading_zeros())
        };
        Self { tree, top }
    }

    /// Adds `delta` to the count of `block`.
    #[inline]
    pub(super) fn add(&mut self, block: usize, delta: i32) {
        let n = self.tree.len() - 1;
        let mut i = block + 1;
        while i <= n {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// The block holding the `k`-th (0-based) free single, `k` < total, and the rank of that single inside it.
    #[inline]
    pub(super) fn find(&self, mut k: u32) -> (usize, u32) {
        let n = self.tree.len() - 1;
        let mut pos = 0usize;
        let mut step = self.top;
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= k {
                pos = next;
                k -= self.tree[next];
            }
            step >>= 1;
        }
        // The answer is 1-based `pos + 1`, i.e. 0-based `pos`; `k` is now the rank within that block.
        (pos, k)
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::Fenwick;

    /// Fenwick `find` against a linear scan over the counts.
    #[test]
    fn fenwick_find_matches_linear_scan() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        for n in [1usize, 3, 64, 100, 4096, 5000] {
            let mut counts: Vec<u32> = (0..n).map(|_| rng.random_range(0..=16)).collect();
            let mut fen = Fenwick::from_counts(counts.iter().copied());
            for _ in 0..2_000 {
                let b = rng.random_range(0..n);
                let c = rng.random_range(0..=16);
                fen.add(b, c as i32 - counts[b] as i32);
                counts[b] = c;
                let total: u32 = counts.iter().sum();
                if total == 0 {
                    continue;
                }
                let k = rng.random_range(0..total);
                let (mut acc, mut want) = (0, 0);
                for (i, &c) in counts.iter().enumerate() {
                    if acc + c > k {
                        want = i;
                        break;
                    }
                    acc += c;
                }
                assert_eq!(fen.find(k), (want, k - acc), "n = {n}");
            }
        }
    }
}
