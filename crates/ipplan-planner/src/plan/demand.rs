//! What a node (or a group of nodes) takes from one subnet.

use serde::Serialize;

/// Addresses taken from one subnet: single addresses (node and ENI primaries, secondary IPs, branch ENIs,
/// other consumers) and /28 prefixes (16 addresses each, aligned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SubnetDemand {
    /// Single addresses.
    pub singles: u64,
    /// /28 prefixes.
    pub prefixes: u64,
}

impl SubnetDemand {
    /// Addresses in all: `singles + 16 * prefixes`.
    ///
    /// ```
    /// let d = ipplan_planner::capacity::SubnetDemand { singles: 3, prefixes: 2 };
    /// assert_eq!(d.addresses(), 35);
    /// ```
    #[must_use]
    pub const fn addresses(self) -> u64 {
        self.singles + 16 * self.prefixes
    }

    /// `self` taken `n` times.
    #[must_use]
    pub const fn times(self, n: u64) -> Self {
        Self {
            singles: self.singles * n,
            prefixes: self.prefixes * n,
        }
    }
}

impl std::ops::Add for SubnetDemand {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self {
            singles: self.singles + o.singles,
            prefixes: self.prefixes + o.prefixes,
        }
    }
}

impl std::ops::AddAssign for SubnetDemand {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
