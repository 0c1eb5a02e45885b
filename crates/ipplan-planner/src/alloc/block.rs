//! One aligned /28 block of a subnet: which region it lies in, whether it holds a prefix (one byte per block),
//! and the one operation on its 16-bit occupancy mask that the random picker needs.
//!
//! Regions (see [`SubnetAllocator`](crate::alloc::SubnetAllocator), "Block regions"): every block belongs to
//! exactly one, fixed when the allocator is built.

/// Where a block lies, which decides what EC2 may place in it automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Region {
    /// The first or last block: holds AWS-reserved addresses, never a prefix (VPC UG `subnet-sizing.md`).
    Edge = 0,
    /// Touches an explicit reservation: nothing is auto-assigned in it.
    Explicit = 1,
    /// Wholly inside a prefix reservation: prefixes come from here first, singles never.
    PrefixReserved = 2,
    /// The general pool: no reserved address at all.
    General = 3,
}

impl Region {
    /// Whether an automatically assigned prefix may land in a block of this region.
    #[inline]
    pub(super) const fn takes_prefixes(self) -> bool {
        matches!(self, Self::PrefixReserved | Self::General)
    }
}

/// A block's region and whether it holds a prefix, in one byte: the region in the low 2 bits,
/// [`BlockKind::HOLDS_PREFIX`] above them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BlockKind(u8);

impl BlockKind {
    const REGION_MASK: u8 = 0b11;
    const HOLDS_PREFIX: u8 = 0b100;

    /// A block of `region` holding no prefix.
    #[inline]
    pub(super) const fn new(region: Region) -> Self {
        Self(region as u8)
    }

    /// The block's region.
    #[inline]
    pub(super) const fn region(self) -> Region {
        match self.0 & Self::REGION_MASK {
            0 => Region::Edge,
            1 => Region::Explicit,
            2 => Region::PrefixReserved,
            _ => Region::General,
        }
    }

    /// Whether the block holds a prefix (allocated or explicitly assigned).
    #[inline]
    pub(super) const fn holds_prefix(self) -> bool {
        self.0 & Self::HOLDS_PREFIX != 0
    }

    /// The same region, holding a prefix or not.
    #[inline]
    pub(super) const fn with_prefix(self, prefix: bool) -> Self {
        let region = self.0 & Self::REGION_MASK;
        Self(if prefix {
            region | Self::HOLDS_PREFIX
        } else {
            region
        })
    }
}

/// The position of the `k`-th (0-based) set bit of `mask` (`k` < its number of set bits).
#[inline]
pub(super) fn nth_set_bit(mut mask: u16, k: u32) -> u32 {
    for _ in 0..k {
        mask &= mask - 1;
    }
    mask.trailing_zeros()
}

#[cfg(test)]
mod tests {
    use super::{BlockKind, Region, nth_set_bit};

    #[test]
    fn nth_set_bit_examples() {
        assert_eq!(nth_set_bit(0b1011_0000, 0), 4);
        assert_eq!(nth_set_bit(0b1011_0000, 1), 5);
        assert_eq!(nth_set_bit(0b1011_0000, 2), 7);
        assert_eq!(nth_set_bit(0x8000, 0), 15);
    }

    /// The prefix flag never disturbs the region, in every region, and only two regions take prefixes.
    #[test]
    fn kind_keeps_region_under_prefix_flag() {
        for r in [
            Region::Edge,
            Region::Explicit,
            Region::PrefixReserved,
            Region::General,
        ] {
            let k = BlockKind::new(r);
            assert!(!k.holds_prefix());
            let p = k.with_prefix(true);
            assert!(p.holds_prefix());
            assert_eq!((p.region(), k.region()), (r, r));
            assert_eq!(p.with_prefix(false), k);
        }
        assert!(!Region::Edge.takes_prefixes() && !Region::Explicit.takes_prefixes());
        assert!(Region::PrefixReserved.takes_prefixes() && Region::General.takes_prefixes());
    }
}
