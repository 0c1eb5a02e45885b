//! The /28 block census and fragmentation score in the categories of AWS's subnet-fragmentation tool.
//!
//! Source: awslabs/aws-support-tools `EKS/subnet-fragmentation/subnet_frag.py` at `7bdd34b7dcf6`, functions
//! `analyze_subnet` (block status and score) and `print_analysis` (severity bands). Each /28 block of a subnet is
//! exactly one of: prefix-allocated, reserved (holds one of the AWS-reserved addresses: the first and the last
//! block), free (no address used), full (all 16 used) or fragmented (some used). The score is
//! `ceil((fragmented + full) / (free + fragmented + full) * 100)`, undefined when no block is a candidate.
//!
//! Where ipplan differs from that tool, and why:
//! - A block touching an *explicit* subnet CIDR reservation is counted as `reserved`: EC2 never puts an automatic
//!   prefix there, so it is no candidate (the tool counts such blocks by their usage and marks free ones `P`).
//! - A wholly free block inside a *prefix* reservation is `prefix_reserved` (the tool's `P`) and, as in the tool,
//!   it is a candidate for new prefixes: the score counts it with the free blocks.

use serde::Serialize;

use crate::alloc::BlockState;

/// How many /28 blocks of a subnet fall in each category (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BlockCensus {
    /// Wholly free general-pool blocks: each can take a prefix now.
    pub free: u64,
    /// Blocks that could hold a prefix but hold 1 to 15 single addresses.
    pub fragmented: u64,
    /// Blocks that could hold a prefix but whose 16 addresses are all held by single addresses.
    pub full: u64,
    /// The AWS edge blocks (first and last /28) and blocks touching an explicit reservation.
    pub reserved: u64,
    /// Blocks holding a /28 prefix (in or out of a prefix reservation).
    pub prefix: u64,
    /// Wholly free blocks inside a prefix reservation.
    pub prefix_reserved: u64,
}

/// The severity of a fragmentation score, as `subnet_frag.py`'s `print_analysis` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Band {
    /// Score below 25.
    Healthy,
    /// Score 25 to 49.
    Low,
    /// Score 50 to 74.
    Medium,
    /// Score 75 to 99.
    High,
    /// Score 100 with at least one fragmented block: no new prefix fits, and single addresses are the cause.
    Critical,
    /// Score 100 with no fragmented block: the subnet is simply full (or all prefixes), not fragmented.
    Exhausted,
}

impl Band {
    /// The band's name as the tool prints it (`HEALTHY`, ..., `EXHAUSTED`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Healthy => "HEALTHY",
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
            Self::Exhausted => "EXHAUSTED",
        }
    }
}

impl std::fmt::Display for Band {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl BlockCensus {
    /// Counts the blocks of a subnet, one [`BlockState`] per /28 as
    /// [`SubnetAllocator::block_states`](crate::alloc::SubnetAllocator::block_states) returns them.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Band, BlockCensus, BlockState};
    ///
    /// let c = BlockCensus::of(&[
    ///     BlockState::AwsReserved { singles: 12 },
    ///     BlockState::Singles(16),
    ///     BlockState::Singles(3),
    ///     BlockState::Free,
    ///     BlockState::Prefix,
    ///     BlockState::AwsReserved { singles: 0 },
    /// ]);
    /// assert_eq!((c.free, c.fragmented, c.full, c.reserved, c.prefix), (1, 1, 1, 2, 1));
    /// // ceil(2 / 3 * 100) = 67
    /// assert_eq!(c.score(), Some(67));
    /// assert_eq!(c.band(), Some(Band::Medium));
    /// ```
    #[must_use]
    pub fn of(states: &[BlockState]) -> Self {
        let mut c = Self::default();
        for &s in states {
            let slot = match s {
                BlockState::AwsReserved { .. } | BlockState::Explicit { .. } => &mut c.reserved,
                BlockState::Prefix | BlockState::PrefixReservedPrefix => &mut c.prefix,
                BlockState::Free => &mut c.free,
                BlockState::PrefixReservedFree => &mut c.prefix_reserved,
                BlockState::Singles(n) | BlockState::PrefixReservedSingles(n) => {
                    if n >= 16 {
                        &mut c.full
                    } else {
                        &mut c.fragmented
                    }
                }
            };
            *slot += 1;
        }
        c
    }

    /// Every block counted.
    #[must_use]
    pub const fn total(&self) -> u64 {
        self.free + self.fragmented + self.full + self.reserved + self.prefix + self.prefix_reserved
    }

    /// Blocks a new prefix could ever come from: free (in or out of a prefix reservation), fragmented, full.
    #[must_use]
    pub const fn candidates(&self) -> u64 {
        self.free + self.prefix_reserved + self.fragmented + self.full
    }

    /// `ceil((fragmented + full) / candidates * 100)`, or `None` when there is no candidate block (a /28, or every
    /// block reserved or holding a prefix).
    #[must_use]
    pub const fn score(&self) -> Option<u8> {
        let cand = self.candidates();
        if cand == 0 {
            return None;
        }
        // At most 100, so the cast cannot truncate.
        Some(((self.fragmented + self.full) * 100).div_ceil(cand) as u8)
    }

    /// The band of [`score`](Self::score): 100 is `EXHAUSTED` when no block is fragmented, else `CRITICAL`;
    /// then `HIGH` from 75, `MEDIUM` from 50, `LOW` from 25, else `HEALTHY`.
    #[must_use]
    pub const fn band(&self) -> Option<Band> {
        let Some(score) = self.score() else {
            return None;
        };
        Some(match score {
            100 if self.fragmented == 0 => Band::Exhausted,
            100 => Band::Critical,
            75.. => Band::High,
            50.. => Band::Medium,
            25.. => Band::Low,
            _ => Band::Healthy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn census(free: u64, fragmented: u64, full: u64) -> BlockCensus {
        BlockCensus {
            free,
            fragmented,
            full,
            reserved: 2,
            ..BlockCensus::default()
        }
    }

    #[test]
    fn score_rounds_up_and_bands_follow_the_tool() {
        // One fragmented block of a /22's 254 candidates: 1/254 = 0.39%, rounded up to 1 (the tool's comment:
        // "ceil ensures any non-zero contention reads as >=1%").
        assert_eq!(census(253, 1, 0).score(), Some(1));
        assert_eq!(census(253, 1, 0).band(), Some(Band::Healthy));
        assert_eq!(census(14, 0, 0).score(), Some(0));
        // 25 / 100 = 25: LOW; 49.5 -> 50: MEDIUM; 74.2 -> 75: HIGH.
        assert_eq!(census(75, 20, 5).band(), Some(Band::Low));
        assert_eq!(census(101, 99, 0).band(), Some(Band::Medium));
        assert_eq!(census(258, 742, 0).band(), Some(Band::High));
        // All candidates used: fragmented ones make it CRITICAL, only full ones EXHAUSTED.
        assert_eq!(census(0, 1, 13).band(), Some(Band::Critical));
        assert_eq!(census(0, 0, 14).band(), Some(Band::Exhausted));
        assert_eq!(census(0, 0, 14).score(), Some(100));
        // No candidate at all.
        assert_eq!(census(0, 0, 0).score(), None);
        assert_eq!(census(0, 0, 0).band(), None);
    }
}
