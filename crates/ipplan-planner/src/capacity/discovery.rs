//! Subnet discovery in the closed form: where the secondary ENIs of a node group go when ipamd may put a new ENI
//! in another subnet of the node's AZ (docs/model.md, "Subnet discovery").
//!
//! # Model
//!
//! ipamd's `createENI` (aws/amazon-vpc-cni-k8s `pkg/awsutils/awsutils.go`) lists the subnets of the node's VPC
//! and AZ (`GetVpcSubnets`), sorts them by `AvailableIpAddressCount`, most first (a stable sort), keeps the
//! node's own subnet and those tagged `kubernetes.io/role/cni` (`isSubnetValidForENICreation`), and calls
//! `CreateNetworkInterface` in each in turn until one succeeds. So:
//!
//! * what a node holds on its primary ENI (its own address, the primary ENI's slots) and its trunk and branch
//!   ENIs (the VPC resource controller creates them in the instance's subnet) stay in the node's subnet: the
//!   **fixed** part;
//! * each secondary ENI (its primary address and its slots) goes to the candidate with the most free addresses
//!   at the moment it is created, or, when that one cannot hold it, the next: the **moving** part.
//!
//! Free addresses are counted as EC2 counts `AvailableIpAddressCount` (docs/model.md, "Subnet and VPC facts"):
//! the subnet's addresses less the AWS-reserved ones, the reserved ranges (used or not) and the assigned ones,
//! each address once; prefixes come from prefix reservations first.
//!
//! Where the moving part lands depends on the order ENIs are created in. The closed form fixes one order and is
//! exact for it: every subnet's fixed demand first (the other consumers, the control plane, every node's fixed
//! part), then the secondary ENIs in rounds — every node's second ENI, then every node's third, and so on — in
//! plan order within a round (groups, then each group's subnets, then its nodes), each to the candidate with
//! the most free addresses, ties to the first in plan order, passing over a candidate the ENI does not fit
//! (the worst case of [`SubnetBudget::fit`]) as `createENI` passes over a failed call. A node that starts empty
//! and fills (the simulation's steady scenario) creates its ENIs in exactly this order, so one node per AZ
//! converges to it exactly; with many nodes launching at once the real order interleaves launches and ENIs,
//! and the split between the candidates can differ by an ENI or so, never the total.

use crate::capacity::budget::SubnetBudget;
use crate::plan::{NodeGroup, NodePool, Plan, SubnetDemand, SubnetId};

/// One secondary ENI that may move: its primary address and slots, and how many of its addresses hold pods.
#[derive(Debug, Clone, Copy)]
struct Moving {
    demand: SubnetDemand,
    pods: u64,
    warm: u64,
}

/// Where one group's nodes put their addresses, subnet by subnet, for the breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Moved {
    /// Secondary ENIs placed here.
    pub enis: u64,
    /// Their slots' addresses holding pods.
    pub pods: u64,
    /// Their slots' addresses held warm.
    pub warm: u64,
}

/// Whether subnet discovery may move an ENI of group `g` out of any of its node subnets: some node subnet has a
/// candidate besides itself.
#[must_use]
pub(crate) fn spreads(plan: &Plan, g: &NodeGroup) -> bool {
    g.subnets()
        .iter()
        .any(|&s| plan.discovery_subnets(s).iter().any(|&c| c != s))
}

/// The secondary ENIs of one node of `pool`, in attach order (ENI #1 on), with the pods they hold when pods
/// pack densely from the primary ENI on (the closed form's order).
fn moving(pool: &NodePool) -> Vec<Moving> {
    let u: u64 = if pool.mode == ipplan_core::AddressMode::Prefix {
        16
    } else {
        1
    };
    let mut pods_left = u64::from(pool.pod_addresses.saturating_sub(pool.warm_addresses));
    let mut out = Vec::with_capacity(pool.slots_per_eni.len().saturating_sub(1));
    for (i, &slots) in pool.slots_per_eni.iter().enumerate() {
        let addresses = u * u64::from(slots);
        let pods = pods_left.min(addresses);
        pods_left -= pods;
        if i == 0 {
            continue;
        }
        let demand = if u == 16 {
            SubnetDemand {
                singles: 1,
                prefixes: u64::from(slots),
            }
        } else {
            SubnetDemand {
                singles: 1 + u64::from(slots),
                prefixes: 0,
            }
        };
        out.push(Moving {
            demand,
            pods,
            warm: addresses - pods,
        });
    }
    out
}

/// `AvailableIpAddressCount` of a subnet holding `demand` besides its other consumers and control plane.
fn available(b: &SubnetBudget, demand: SubnetDemand) -> i64 {
    let prefixes_outside = demand.prefixes.saturating_sub(b.reserved_prefix_blocks);
    let taken = b.aws_reserved
        + b.explicit_reserved
        + b.prefix_reserved
        + b.other_consumers
        + b.control_plane
        + demand.singles
        + 16 * prefixes_outside;
    i64::try_from(b.size).unwrap_or(i64::MAX) - i64::try_from(taken).unwrap_or(i64::MAX)
}

/// Per subnet, what the cluster's nodes take at peak, and per group and subnet the secondary ENIs discovery
/// moved there (`moved[g][subnet]`, only for groups that [`spreads`]). `kinds[g]` lists group `g`'s nodes in
/// each of its subnets as `(pool, count)`: the nodes of each pool, in order.
pub(crate) fn subnet_demand(
    plan: &Plan,
    budgets: &[SubnetBudget],
    kinds: &[Vec<(&NodePool, u64)>],
) -> (Vec<SubnetDemand>, Vec<Vec<Moved>>) {
    let n = plan.subnets().len();
    let mut demand = vec![SubnetDemand::default(); n];
    let mut moved: Vec<Vec<Moved>> = vec![Vec::new(); plan.node_groups().len()];
    // (candidates, count, the secondary ENIs of one node) per group, subnet and kind, for the groups discovery
    // spreads
    let mut queues: Vec<(usize, Vec<SubnetId>, u64, Vec<Moving>)> = Vec::new();
    for (gi, g) in plan.node_groups().iter().enumerate() {
        if !spreads(plan, g) {
            for &s in g.subnets() {
                for &(pool, k) in &kinds[gi] {
                    demand[s.index()] += pool.node_subnet.times(k);
                    if pool.pod_subnet != SubnetDemand::default() {
                        demand[plan.eni_subnet_for(s).index()] += pool.pod_subnet.times(k);
                    }
                }
            }
            continue;
        }
        moved[gi] = vec![Moved::default(); n];
        for &s in g.subnets() {
            let candidates = plan.discovery_subnets(s);
            for &(pool, k) in &kinds[gi] {
                let enis = moving(pool);
                let mut fixed = pool.node_subnet;
                for e in &enis {
                    fixed.singles -= e.demand.singles;
                    fixed.prefixes -= e.demand.prefixes;
                }
                demand[s.index()] += fixed.times(k);
                queues.push((gi, candidates.clone(), k, enis));
            }
        }
    }
    let rounds = queues.iter().map(|q| q.3.len()).max().unwrap_or(0);
    let mut order: Vec<usize> = Vec::new();
    for round in 0..rounds {
        for (gi, candidates, k, enis) in &queues {
            let Some(e) = enis.get(round) else {
                continue;
            };
            for _ in 0..*k {
                order.clear();
                order.extend(candidates.iter().map(|c| c.index()));
                // most available first; `sort_by_key` is stable, so ties keep plan order
                order.sort_by_key(|&c| std::cmp::Reverse(available(&budgets[c], demand[c])));
                let to = order
                    .iter()
                    .copied()
                    .find(|&c| budgets[c].fit(demand[c] + e.demand).fits)
                    .unwrap_or(order[0]);
                demand[to] += e.demand;
                let m = &mut moved[*gi][to];
                m.enis += 1;
                m.pods += e.pods;
                m.warm += e.warm;
            }
        }
    }
    (demand, moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{NodeLoad, node_pool};
    use ipplan_core::Catalog;

    #[test]
    fn moving_splits_pods_over_the_enis_in_attach_order() {
        // m5.large: 3 ENIs x 10 addresses, S = 9. 20 pods, WARM_ENI_TARGET 1: ceil(20/9) + 1 = 4 -> capped at 3
        // ENIs, 27 slots; pods pack 9 + 9 + 2, warm 0 + 0 + 7.
        let cat = Catalog::embedded();
        let pool = node_pool(
            cat.get("m5.large").unwrap(),
            &crate::plan::CniConfig::default(),
            &NodeLoad::new(20, 29),
        );
        let m = moving(&pool);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].demand.singles, m[0].pods, m[0].warm), (10, 9, 0));
        assert_eq!((m[1].demand.singles, m[1].pods, m[1].warm), (10, 2, 7));
    }
}
