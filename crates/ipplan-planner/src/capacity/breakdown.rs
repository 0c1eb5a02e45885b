//! Where a subnet's addresses go at peak: the parts of `used`, each a number, adding up to it exactly.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::plan::NodePool;

/// The parts of a subnet's `used` addresses at peak. `pods + warm_pool + eni_primaries + node_primaries +
/// trunk_enis + branch_enis + other consumers + control_plane = used` ([`Breakdown::total`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Breakdown {
    /// Addresses pods use (secondary IPs, or addresses of /28 prefixes, that hold a pod).
    pub pods: u64,
    /// The warm pool: secondary IPs held but unused, and the unused tails of prefixes.
    pub warm_pool: u64,
    /// The primary addresses of the nodes' secondary ENIs (never given to a pod).
    pub eni_primaries: u64,
    /// The nodes' own addresses (the primary ENI's primary address).
    pub node_primaries: u64,
    /// Trunk ENIs (security groups for pods), one address each.
    pub trunk_enis: u64,
    /// Branch ENIs of pods with their own security groups, one address each.
    pub branch_enis: u64,
    /// Each other consumer, by what it is (`alb`, `vpc-endpoints`).
    pub other_consumers: BTreeMap<String, u64>,
    /// Addresses kept for the control plane's ENIs (doubled for upgrades).
    pub control_plane: u64,
}

impl Breakdown {
    /// The parts added up: equals the subnet's `used`.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.pods
            + self.warm_pool
            + self.eni_primaries
            + self.node_primaries
            + self.trunk_enis
            + self.branch_enis
            + self.other_consumers.values().sum::<u64>()
            + self.control_plane
    }

    /// Add what `nodes` nodes of `pool` take from their own subnet: everything, or under custom networking
    /// only the node's own address.
    pub(crate) fn add_node_subnet(&mut self, pool: &NodePool, nodes: u64, custom_networking: bool) {
        self.node_primaries += nodes;
        if !custom_networking {
            self.add_pod_side(pool, nodes);
        }
    }

    /// Add what `nodes` nodes of `pool` take from their ENIConfig subnet under custom networking.
    pub(crate) fn add_pod_subnet(&mut self, pool: &NodePool, nodes: u64) {
        self.add_pod_side(pool, nodes);
    }

    /// Add what `nodes` nodes of `pool` keep in their own subnet when subnet discovery may move their secondary
    /// ENIs: their own addresses, the primary ENI's slots (pods packed from the primary ENI on), the trunk and
    /// branch ENIs.
    pub(crate) fn add_fixed_part(&mut self, pool: &NodePool, nodes: u64) {
        let u: u64 = if pool.mode == ipplan_core::AddressMode::Prefix {
            16
        } else {
            1
        };
        let in_use = u64::from(pool.pod_addresses.saturating_sub(pool.warm_addresses));
        let first = u * u64::from(pool.slots_per_eni.first().copied().unwrap_or(0));
        let pods = in_use.min(first);
        self.node_primaries += nodes;
        self.pods += nodes * pods;
        self.warm_pool += nodes * (first - pods);
        self.trunk_enis += nodes * u64::from(pool.trunk);
        self.branch_enis += nodes * u64::from(pool.branch_pods);
    }

    /// Add the secondary ENIs subnet discovery put here.
    pub(crate) fn add_moved(&mut self, m: &crate::capacity::discovery::Moved) {
        self.eni_primaries += m.enis;
        self.pods += m.pods;
        self.warm_pool += m.warm;
    }

    /// Everything but the node's own address: the other ENIs' primaries, the pool, the trunk and branch ENIs.
    fn add_pod_side(&mut self, pool: &NodePool, nodes: u64) {
        let in_use = u64::from(pool.pod_addresses.saturating_sub(pool.warm_addresses));
        self.pods += nodes * in_use;
        self.warm_pool += nodes * u64::from(pool.warm_addresses);
        self.eni_primaries += nodes * u64::from(pool.enis.saturating_sub(1));
        self.trunk_enis += nodes * u64::from(pool.trunk);
        self.branch_enis += nodes * u64::from(pool.branch_pods);
    }
}
