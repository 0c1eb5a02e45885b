//! Which free single-eligible address [`SubnetAllocator::alloc_single`](crate::alloc::SubnetAllocator::alloc_single)
//! takes, per [`Placement`]: the lowest (a [`HierBitset`] of the blocks with a free eligible address) or a uniform
//! random one (a [`Fenwick`] tree over the per-block free counts and a seeded `ChaCha8Rng`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::alloc::Placement;
use crate::alloc::bitset::HierBitset;
use crate::alloc::block::nth_set_bit;
use crate::alloc::fenwick::Fenwick;

/// The placement policy with the index it needs.
#[derive(Debug, Clone)]
pub(super) enum Picker {
    /// [`Placement::Lowest`]: blocks with a free eligible address.
    Lowest(HierBitset),
    /// [`Placement::Random`]: free eligible addresses per block, and the generator.
    Random(Fenwick, Box<ChaCha8Rng>),
}

/// Block `b`'s free eligible addresses as a mask.
#[inline]
fn free_mask(elig: &[u16], occ: &[u16], b: usize) -> u16 {
    elig[b] & !occ[b]
}

impl Picker {
    /// The picker for `placement` over blocks whose eligible addresses are `elig` (nothing assigned yet).
    pub(super) fn new(placement: Placement, elig: &[u16]) -> Self {
        match placement {
            Placement::Lowest => Self::Lowest(HierBitset::from_indexes(
                elig.len(),
                elig.iter()
                    .enumerate()
                    .filter(|(_, m)| **m != 0)
                    .map(|(b, _)| b),
            )),
            Placement::Random { seed } => Self::Random(
                Fenwick::from_counts(elig.iter().map(|m| m.count_ones())),
                Box::new(ChaCha8Rng::seed_from_u64(seed)),
            ),
        }
    }

    /// The block and bit of the address to take next, given `free` (> 0) free eligible addresses in all, each
    /// block's eligible addresses `elig` and its occupancy `occ`. `None` when no block has one (only when the
    /// caller's `free` is out of step with `occ`).
    #[inline]
    pub(super) fn pick(&mut self, free: u64, elig: &[u16], occ: &[u16]) -> Option<(usize, u32)> {
        match self {
            Self::Lowest(bits) => {
                let b = bits.first()?;
                Some((b, free_mask(elig, occ, b).trailing_zeros()))
            }
            Self::Random(fen, rng) => {
                // The per-block counts are ≤ 16 and there are ≤ 2^18 blocks, so the total fits in u32.
                let k = rng.random_range(0..free as u32);
                let (b, rank) = fen.find(k);
                Some((b, nth_set_bit(free_mask(elig, occ, b), rank)))
            }
        }
    }

    /// Block `b`'s free eligible addresses went from `old_free` to `new_free` (they differ).
    #[inline]
    pub(super) fn update(&mut self, b: usize, old_free: u32, new_free: u32) {
        match self {
            Self::Lowest(bits) => {
                if new_free == 0 {
                    bits.remove(b);
                } else if old_free == 0 {
                    bits.insert(b);
                }
            }
            Self::Random(fen, _) => fen.add(b, new_free as i32 - old_free as i32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Picker;
    use crate::alloc::Placement;

    /// `Lowest` takes the lowest free eligible bit of the lowest block with one, follows `update`, and says
    /// `None` once no block has a free address.
    #[test]
    fn lowest_follows_updates() {
        let elig = [0b0110u16, 0, 0b1000_0000];
        let mut occ = [0u16; 3];
        let mut p = Picker::new(Placement::Lowest, &elig);
        let mut free = 3;
        let mut got = Vec::new();
        while free > 0 {
            let Some((b, bit)) = p.pick(free, &elig, &occ) else {
                break;
            };
            let old = (elig[b] & !occ[b]).count_ones();
            occ[b] |= 1 << bit;
            p.update(b, old, (elig[b] & !occ[b]).count_ones());
            free -= 1;
            got.push((b, bit));
        }
        assert_eq!(got, [(0, 1), (0, 2), (2, 7)]);
        assert_eq!(p.pick(1, &elig, &occ), None);
        // a release makes that block the answer again
        occ[0] &= !0b0100;
        p.update(0, 0, 1);
        assert_eq!(p.pick(1, &elig, &occ), Some((0, 2)));
    }

    /// `Random` only ever picks a free eligible address, and the same seed gives the same sequence.
    #[test]
    fn random_picks_free_eligible_bits() {
        let elig = [0b1111u16, 0b1010_0000, 0, 0xFFFF];
        let run = |seed| {
            let mut occ = [0u16; 4];
            let mut p = Picker::new(Placement::Random { seed }, &elig);
            let mut free: u64 = elig.iter().map(|m| u64::from(m.count_ones())).sum();
            let mut got = Vec::new();
            while free > 0 {
                let (b, bit) = p.pick(free, &elig, &occ).expect("a free address");
                assert!(elig[b] & !occ[b] & (1 << bit) != 0, "block {b} bit {bit}");
                let old = (elig[b] & !occ[b]).count_ones();
                occ[b] |= 1 << bit;
                p.update(b, old, (elig[b] & !occ[b]).count_ones());
                free -= 1;
                got.push((b, bit));
            }
            assert_eq!(occ, elig);
            got
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }
}
