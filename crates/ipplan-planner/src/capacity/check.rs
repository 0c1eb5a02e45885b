//! `check`: does every subnet hold the cluster at peak? The closed-form verdict.
//!
//! ## How the peak is counted
//! - Every node group runs at its peak: `nodes + surge` nodes, spread evenly over its subnets; each subnet is
//!   assumed to get `ceil(peak / subnets)` of them (whichever subnet gets the odd node must hold it).
//! - The pods are exactly the plan's: `pods_per_node` on every node, or `pods` spread evenly, `pods mod nodes`
//!   nodes running `ceil(pods / nodes)` and the rest one fewer ([`NodeGroup::full_nodes`]); surge nodes take the
//!   pods of the nodes they replace, the fullest first (the CNI does not hand addresses back quickly, so both
//!   sides of a rolling update hold a full pool). Each subnet is assumed to get `ceil(full / subnets)` of the
//!   fullest nodes among its `ceil(peak / subnets)` (nodes go round the subnets in launch order, the fullest
//!   first: the subnet that gets the odd node gets the odd full one).
//! - Each node holds its steady-state pool ([`crate::capacity::node_pool`], the closed form in `docs/model.md`):
//!   ENI primaries and warm addresses included.
//! - Each subnet's verdict is [`crate::capacity::SubnetBudget::fit`]: addresses, singles outside reservations, and for
//!   prefixes the worst case of /28 fragmentation (every single address spoils a block).
//! - The plan fits when every subnet fits and every node can give each of its pods an address.

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::capacity::breakdown::Breakdown;
use crate::capacity::budget::{FitFailure, PrefixFit, SubnetBudget};
use crate::capacity::discovery;
use crate::plan::SubnetDemand;
use crate::plan::{
    MaxPodsSpec, NodeGroup, NodeShape, Overlap, Plan, PodsSpec, SubnetId, SubnetRole,
};
use crate::plan::{NodeLoad, NodePool, pool_of};
use crate::report::{
    Basis, Failure, Finding, FindingKind, PoolFinding, REPORT_SCHEMA_VERSION, Severity, Verdict,
    VpcFinding,
};

/// A group of one type: `members` would repeat its own figures.
fn one_member(m: &[MemberReport]) -> bool {
    m.len() <= 1
}

/// /80 prefixes in a subnet's /64: 2^16.
pub const IPV6_PREFIXES_PER_SUBNET: u64 = 1 << 16;

/// The default Network Address Usage quota per VPC (adjustable to 256,000; awsdocs/amazon-vpc-user-guide
/// `amazon-vpc-limits.md`).
pub const NAU_QUOTA: u64 = 64_000;

/// What one subnet holds at peak.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubnetReport {
    /// Name.
    pub name: String,
    /// Availability zone.
    pub az: String,
    /// CIDR.
    pub cidr: Ipv4Net,
    /// Role.
    pub role: SubnetRole,
    /// Addresses that can be handed out: size − 5 AWS-reserved − explicit reservations.
    pub capacity: u64,
    /// Addresses taken at peak: nodes (primaries, warm pools, prefixes), other consumers, control plane.
    pub used: u64,
    /// `capacity − used`.
    pub headroom: i64,
    /// `used / capacity` in percent, one decimal.
    pub use_percent: f64,
    /// The verdict.
    pub fits: bool,
    /// The first check that failed (its numbers are in the report's findings).
    pub first_failure: Option<FitFailure>,
    /// What the nodes take: single addresses and /28 prefixes.
    pub nodes_demand: SubnetDemand,
    /// /28 blocks that can ever hold a prefix.
    pub prefix_blocks: u64,
    /// The /28 analysis, when nodes take prefixes here.
    pub prefix: Option<PrefixFit>,
    /// Where the `used` addresses go; its parts add up to `used`.
    pub breakdown: Breakdown,
    /// IPv6 clusters: the /80 prefixes nodes take from the subnet's /64 at peak (one per node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_prefixes: Option<u64>,
    /// What comes out of the subnet's size before `capacity`: the 5 addresses AWS reserves and explicit
    /// reservations (`size = capacity + aws_reserved + explicit_reservations`).
    pub aws_reserved: u64,
    /// Addresses in explicit reservations (outside `capacity`).
    pub explicit_reservations: u64,
    /// With `ecs_services` and node groups: the addresses used in each phase of the migration, everything else in
    /// the subnet counted. `used` (and the verdict) is the parallel run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<Migration>,
}

/// One subnet's addresses in each phase of an ECS-to-EKS migration: ECS alone at its deployment peak, EKS alone
/// at its peak, and both during the parallel run (ECS kept at full size so a rollback is one weight change). Each
/// counts the subnet's other consumers and control-plane share too. With `overlap: shift`, also each step of the
/// traffic shift and which one is worst (the one judged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// `full` (the parallel run is judged) or `shift` (the worst step is).
    pub overlap: Overlap,
    /// ECS today, a deployment's surge included.
    pub ecs: u64,
    /// EKS alone.
    pub eks: u64,
    /// Both at full size: what `used` is with `overlap: full`.
    pub parallel: u64,
    /// With `overlap: shift`: each step, in weight order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<MigrationStep>,
    /// With `overlap: shift`: the weight of the worst step, whose addresses are the subnet's `used` and whose
    /// fit is its verdict: the first of the steps that do not fit with the most addresses, else the first with
    /// the most addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_weight: Option<u32>,
}

/// One step of `overlap: shift` in one subnet: `weight` percent of the traffic on EKS. Each node group runs
/// `ceil(peak_nodes * weight / 100)` nodes (its pods per node unchanged, so its pods scale with them), spread
/// `ceil(nodes / subnets)` per subnet; each ECS service runs `ceil(tasks * (100 - weight) / 100)` tasks, its
/// deployment surge on top (`floor(tasks * max_percent / 100)`), spread `ceil(peak / subnets)` per subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MigrationStep {
    /// Percent of the traffic on EKS.
    pub weight: u32,
    /// Addresses ECS tasks hold in the subnet at this step.
    pub ecs: u64,
    /// Addresses the nodes hold in the subnet at this step (primaries, warm pools, prefixes).
    pub eks: u64,
    /// Everything the subnet holds at this step: ECS, EKS, other consumers and the control plane.
    pub used: u64,
    /// Whether the subnet holds this step.
    pub fits: bool,
}

/// One instance type of a node group, as `check` sees it: what the group takes were every node of this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberReport {
    /// Instance type.
    pub instance_type: String,
    /// The address mode the CNI runs on it.
    pub mode: ipplan_core::AddressMode,
    /// Nodes (`nodes`, or `floor(max_vcpus / vCPUs)`).
    pub nodes: u32,
    /// `nodes + surge`.
    pub peak_nodes: u32,
    /// The kubelet's max pods.
    pub max_pods: u32,
    /// Pods per node that need an address.
    pub pods_per_node: u32,
    /// Addresses each node takes.
    pub addresses_per_node: u64,
    /// ENIs each node attaches (the trunk ENI included).
    pub enis_per_node: u32,
    /// `peak_nodes x addresses_per_node`: what the group takes in all with this type.
    pub addresses: u64,
    /// Pods per node that get no address.
    pub pods_without_address: u32,
}

/// What one node group takes. Its pool (ENIs, slots, warm addresses, what each node takes from each subnet)
/// is under `pool`; its findings are in the report's. A mixed fleet is judged on its worst member (`worst`): the
/// figures here are that member's, and `members` has every type side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeGroupReport {
    /// Name.
    pub name: String,
    /// Instance type (the worst member's).
    pub instance_type: String,
    /// A mixed fleet's instance types side by side, in plan order (left out of JSON for a group of one type).
    #[serde(skip_serializing_if = "one_member")]
    pub members: Vec<MemberReport>,
    /// A mixed fleet's member the group is judged on: the most addresses in all (empty for one type).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub worst: String,
    /// A mixed fleet's member that takes the fewest addresses (empty for one type).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub best: String,
    /// The pods were not known (`pods_per_node: max`): every node is planned at its max pods.
    pub pods_full: bool,
    /// Nodes.
    pub nodes: u32,
    /// Surge nodes during a rolling update.
    pub surge: u32,
    /// `nodes + surge`.
    pub peak_nodes: u32,
    /// The kubelet's max pods.
    pub max_pods: u32,
    /// `auto` or `fixed`.
    pub max_pods_source: &'static str,
    /// Pods per node that need an address (the fullest node).
    pub pods_per_node: u32,
    /// Of the peak nodes, those that run `pods_per_node`; the others run one fewer (`pods: T` on `N` nodes:
    /// `T mod N` of them, surge nodes carrying the pods of the nodes they replace).
    pub full_nodes: u32,
    /// Pods on all peak nodes: the plan's `pods` exactly (plus the surge nodes' copies), as the simulation places
    /// them.
    pub peak_pods: u64,
    /// Host-network pods per node.
    pub host_network_pods: u32,
    /// Addresses each node takes from its subnets (node subnet + pod subnet).
    pub addresses_per_node: u64,
    /// The most nodes (peak, surge included) the group could reach with every other group at its peak.
    pub max_nodes: u64,
    /// How many more nodes would still fit: `max_nodes − peak_nodes` (negative: that many too many).
    pub additional_nodes: i64,
    /// The pool each node holds.
    pub pool: NodePool,
}

/// Network Address Usage across the VPC (awsdocs/amazon-vpc-user-guide `network-address-usage.md`): each
/// address on an ENI, each prefix and each additional ENI counts 1. Other consumers count 1 per address here (an
/// NLB, endpoint or NAT gateway counts 6: a lower estimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NauReport {
    /// Units at peak.
    pub used: u64,
    /// The default quota.
    pub quota: u64,
    /// `used <= quota`.
    pub within_quota: bool,
}

/// The result of [`check`]. See [`crate::report`] for the wire format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The instance data version.
    pub data_version: &'static str,
    /// The plan file.
    pub plan: String,
    /// Fits, basis (closed form), first failure.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Per subnet, in plan order.
    pub subnets: Vec<SubnetReport>,
    /// Per node group, in plan order.
    pub node_groups: Vec<NodeGroupReport>,
    /// Network Address Usage.
    pub network_address_usage: NauReport,
    /// Errors and warnings: subnets first, then node groups, then the plan and the VPC.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether every subnet holds its peak and every pod gets an address.
    #[must_use]
    pub const fn fits(&self) -> bool {
        self.verdict.fits
    }
}

/// One group's per-node figures, computed once.
struct GroupCalc {
    max_pods: u32,
    pods_per_node: u32,
    /// The pool of a node running `pods_per_node` (the fullest node).
    pool: NodePool,
    /// The pool of a node running one pod fewer (the fullest's when every node runs the same).
    light: NodePool,
    /// Nodes in each of the group's subnets at peak (the most any one gets).
    nodes: u64,
    /// Of those, the most that run `pods_per_node`.
    full: u64,
}

impl GroupCalc {
    /// What `k` nodes in one subnet take there: the first `full` run the full pods, the next ones up to
    /// `nodes` one fewer, and any beyond `nodes` (more nodes than planned) are full again (conservative).
    /// Of `k` nodes in one subnet, how many run the full pods and how many one fewer ([`GroupCalc::share`]).
    fn kinds(&self, k: u64) -> (u64, u64) {
        (
            k.min(self.full) + k.saturating_sub(self.nodes),
            k.min(self.nodes) - k.min(self.full),
        )
    }

    fn share(
        &self,
        k: u64,
        full: &[(usize, SubnetDemand)],
        light: &[(usize, SubnetDemand)],
    ) -> Vec<(usize, SubnetDemand)> {
        let (heavy_n, light_n) = self.kinds(k);
        let mut out: Vec<(usize, SubnetDemand)> = Vec::with_capacity(full.len());
        for (&(s, d), &(_, l)) in full.iter().zip(light) {
            out.push((s, d.times(heavy_n) + l.times(light_n)));
        }
        out
    }
}

impl GroupCalc {
    /// Of `k` nodes in one subnet, each pool with its count ([`GroupCalc::kinds`]): full, then one pod fewer.
    fn pool_kinds(&self, k: u64) -> Vec<(&NodePool, u64)> {
        let (heavy, light) = self.kinds(k);
        vec![(&self.pool, heavy), (&self.light, light)]
    }
}

/// Each group's nodes in each of its subnets, `k[g]` of them, as `(pool, count)`.
fn all_kinds<'a>(calcs: &'a [GroupCalc], k: &[u64]) -> Vec<Vec<(&'a NodePool, u64)>> {
    calcs.iter().zip(k).map(|(c, &k)| c.pool_kinds(k)).collect()
}

fn group_calc(plan: &Plan, g: &NodeGroup) -> GroupCalc {
    let max_pods = g.max_pods();
    let pods_per_node = g.pods_per_node();
    let load = NodeLoad {
        pods: pods_per_node,
        branch_pods: g.branch_pods_per_node(),
        host_network_pods: g.host_network_pods(),
        max_pods,
    };
    let pool = pool_of(g.shape(), plan.cni(), &load);
    let nodes = u64::from(g.max_nodes_per_subnet());
    let full = u64::from(g.max_full_nodes_per_subnet());
    let light = if full < nodes {
        let fewer = NodeLoad {
            pods: pods_per_node - 1,
            ..load
        };
        pool_of(g.shape(), plan.cni(), &fewer)
    } else {
        pool.clone()
    };
    GroupCalc {
        max_pods,
        pods_per_node,
        pool,
        light,
        nodes,
        full,
    }
}

/// Where one node in each of a group's subnets puts its addresses: `(subnet index, demand)` pairs (a subnet
/// may appear twice: as a node subnet and as another node subnet's ENIConfig subnet).
fn placements(plan: &Plan, g: &NodeGroup, pool: &NodePool) -> Vec<(usize, SubnetDemand)> {
    let mut out = Vec::with_capacity(g.subnets().len() * 2);
    for &s in g.subnets() {
        out.push((s.index(), pool.node_subnet));
        if pool.pod_subnet != SubnetDemand::default() {
            out.push((plan.eni_subnet_for(s).index(), pool.pod_subnet));
        }
    }
    out
}

/// One node of each kind (full, one pod fewer) in each of a group's subnets: [`placements`] of both pools.
type Units = (Vec<(usize, SubnetDemand)>, Vec<(usize, SubnetDemand)>);

/// `(subnet, demand)` pairs summed per subnet.
fn per_subnet(pairs: &[(usize, SubnetDemand)]) -> Vec<(usize, SubnetDemand)> {
    let mut out: Vec<(usize, SubnetDemand)> = Vec::with_capacity(pairs.len());
    for &(s, d) in pairs {
        match out.iter_mut().find(|(t, _)| *t == s) {
            Some((_, per)) => *per += d,
            None => out.push((s, d)),
        }
    }
    out
}

/// One phase the subnets must hold: the full parallel run (`weight` 100, ECS at full size), or one step of
/// `overlap: shift`.
struct Phase {
    /// Percent of the traffic on EKS (100 for the parallel run).
    weight: u32,
    /// Per group: nodes in each of its subnets.
    k: Vec<u64>,
    /// Per subnet: addresses the ECS tasks hold.
    ecs: Vec<u64>,
    /// Per subnet: its budget with those ECS tasks among the other consumers.
    budgets: Vec<SubnetBudget>,
    /// Per subnet: what the nodes take.
    demand: Vec<SubnetDemand>,
    /// Per group whose ENIs subnet discovery spreads, per subnet: the secondary ENIs it put there (empty for
    /// the other groups).
    moved: Vec<Vec<discovery::Moved>>,
}

/// Nodes in each of a group's `subnets` subnets at a step with `weight` percent of the traffic on EKS, the group
/// at `peak` nodes when all of it is: `ceil(ceil(peak * weight / 100) / subnets)`. At 100 this is
/// `ceil(peak / subnets)`, the parallel run's.
fn nodes_per_subnet_at(peak: u64, subnets: u64, weight: u32) -> u64 {
    (peak * u64::from(weight))
        .div_ceil(100)
        .div_ceil(subnets.max(1))
}

/// Subnet `id`'s budget with `ecs` addresses of ECS tasks among its other consumers (in place of the parallel
/// run's, which [`SubnetBudget::of`] counts). The services' tasks of today (`ecs_services[].at`) are not held at
/// their places here: at a step a service may run fewer tasks than today, and which of them stop is not known, so
/// its addresses are placed by EC2's rules as without `at`.
fn budget_with_ecs(plan: &Plan, id: SubnetId, ecs: u64) -> SubnetBudget {
    let s = plan.subnet(id);
    SubnetBudget::new(
        s.cidr(),
        s.reservations(),
        s.other_consumer_addresses() + ecs,
        plan.control_plane_addresses(id),
    )
    .with_held(s.reservations(), s.held_without_ecs())
}

/// The largest `k` (nodes in each of group `c`'s `n` subnets at its full share of the traffic, placed as
/// [`GroupCalc::share`] says) with which every subnet it touches still fits in every phase, the other groups
/// held at each phase's demand less this group's own share there (group `gi`).
fn max_nodes_per_subnet(phases: &[Phase], c: &GroupCalc, units: &Units, gi: usize, n: u64) -> u64 {
    let (full, light) = units;
    let bases: Vec<Vec<(usize, SubnetDemand)>> = phases
        .iter()
        .map(|ph| {
            let mut base: Vec<(usize, SubnetDemand)> = per_subnet(&c.share(ph.k[gi], full, light))
                .into_iter()
                .map(|(s, own)| {
                    let mut b = ph.demand[s];
                    b.singles -= own.singles;
                    b.prefixes -= own.prefixes;
                    (s, b)
                })
                .collect();
            base.sort_by_key(|&(s, _)| s);
            base
        })
        .collect();
    let fits_with = |k: u64| {
        phases.iter().zip(&bases).all(|(ph, base)| {
            let kw = nodes_per_subnet_at(k * n, n, ph.weight);
            let share = per_subnet(&c.share(kw, full, light));
            base.iter().all(|&(s, b)| {
                let per = share
                    .iter()
                    .find(|(t, _)| *t == s)
                    .map_or(SubnetDemand::default(), |&(_, d)| d);
                ph.budgets[s].fit(b + per).fits
            })
        })
    };
    if !fits_with(0) {
        return 0;
    }
    // Every node takes at least one address, and every set of phases has one at weight 100, so no subnet holds
    // more nodes than it has addresses.
    let hi = bases
        .first()
        .zip(phases.first())
        .map(|(base, ph)| {
            base.iter()
                .map(|&(s, _)| ph.budgets[s].size)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
        + 1;
    largest_fitting(hi, fits_with)
}

/// The largest `k` below `hi` with `fits(k)`, by bisection: `fits(0)` holds, `fits(hi)` does not, and `fits`
/// is monotone (more nodes never fit where fewer do not).
fn largest_fitting(mut hi: u64, fits: impl Fn(u64) -> bool) -> u64 {
    let mut lo = 0u64; // fits
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// [`max_nodes_per_subnet`] for a group whose ENIs subnet discovery spreads: the largest `k` with which every
/// subnet its nodes and their ENIs may use still fits in every phase, every ENI placed again for each `k` tried.
fn max_nodes_spread(plan: &Plan, phases: &[Phase], calcs: &[GroupCalc], gi: usize, n: u64) -> u64 {
    let g = &plan.node_groups()[gi];
    let mut touched: Vec<usize> = g
        .subnets()
        .iter()
        .flat_map(|&s| plan.discovery_subnets(s).into_iter().chain([s]))
        .map(|s| s.index())
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let fits_with = |k: u64| {
        phases.iter().all(|ph| {
            let mut with = ph.k.clone();
            with[gi] = nodes_per_subnet_at(k * n, n, ph.weight);
            let (demand, _) = discovery::subnet_demand(plan, &ph.budgets, &all_kinds(calcs, &with));
            touched.iter().all(|&s| ph.budgets[s].fit(demand[s]).fits)
        })
    };
    if !fits_with(0) {
        return 0;
    }
    // every node takes at least one address in its own subnet
    let hi = touched
        .iter()
        .map(|&s| plan.subnets()[s].cidr())
        .map(|c| 1u64 << (32 - u32::from(c.prefix_len())))
        .max()
        .unwrap_or(0)
        + 1;
    largest_fitting(hi, fits_with)
}

/// Where the addresses of each subnet go in one phase (`k` nodes per subnet of each group; ECS at full size, or at
/// the step with `weight` percent on EKS); its parts add up to the phase's `used`.
fn breakdowns(
    plan: &Plan,
    calcs: &[GroupCalc],
    k: &[u64],
    moved: &[Vec<discovery::Moved>],
    weight: Option<u32>,
) -> Vec<Breakdown> {
    let mut out = vec![Breakdown::default(); plan.subnets().len()];
    let custom = plan.cni().custom_networking;
    for (gi, ((g, c), &k)) in plan.node_groups().iter().zip(calcs).zip(k).enumerate() {
        let (heavy, light) = c.kinds(k);
        if !moved[gi].is_empty() {
            // subnet discovery: the fixed part in the node's subnet, each secondary ENI where it went
            for &s in g.subnets() {
                for (pool, k) in [(&c.pool, heavy), (&c.light, light)] {
                    out[s.index()].add_fixed_part(pool, k);
                }
            }
            for (b, m) in out.iter_mut().zip(&moved[gi]) {
                b.add_moved(m);
            }
            continue;
        }
        for &s in g.subnets() {
            for (pool, k) in [(&c.pool, heavy), (&c.light, light)] {
                out[s.index()].add_node_subnet(pool, k, custom);
                if custom {
                    out[plan.eni_subnet_for(s).index()].add_pod_subnet(pool, k);
                }
            }
        }
    }
    for (s, b) in plan.subnets().iter().zip(&mut out) {
        for c in s.other_consumers() {
            *b.other_consumers.entry(c.what.clone()).or_default() += c.addresses;
        }
        b.control_plane = plan.control_plane_addresses(s.id());
    }
    for e in plan.ecs_services() {
        for s in &e.subnets {
            // at full size a subnet holds the service's share, or its tasks there today (`at`) when more
            let per = weight.map_or_else(
                || e.addresses_in(*s),
                |w| e.addresses_per_subnet_at_weight(w),
            );
            if per == 0 {
                continue;
            }
            *out[s.index()]
                .other_consumers
                .entry(format!("ecs:{}", e.name))
                .or_default() += per;
        }
    }
    out
}

/// The phases `check` judges: the parallel run, or each step of `overlap: shift`.
fn phases(plan: &Plan, calcs: &[GroupCalc]) -> Vec<Phase> {
    // without subnet discovery (or with nothing to discover) each group's `share` of its `units`
    let demand_of = |k: &[u64], budgets: &[SubnetBudget]| {
        discovery::subnet_demand(plan, budgets, &all_kinds(calcs, k))
    };
    if plan.overlap() == Overlap::Full {
        let k: Vec<u64> = calcs.iter().map(|c| c.nodes).collect();
        let budgets: Vec<SubnetBudget> = plan
            .subnets()
            .iter()
            .map(|s| SubnetBudget::of(plan, s.id()))
            .collect();
        let (demand, moved) = demand_of(&k, &budgets);
        return vec![Phase {
            weight: 100,
            demand,
            moved,
            k,
            ecs: plan
                .subnets()
                .iter()
                .map(|s| plan.ecs_addresses(s.id()))
                .collect(),
            budgets,
        }];
    }
    plan.shift_weights()
        .iter()
        .map(|&w| {
            let k: Vec<u64> = plan
                .node_groups()
                .iter()
                .map(|g| {
                    nodes_per_subnet_at(u64::from(g.peak_nodes()), g.subnets().len() as u64, w)
                })
                .collect();
            let mut ecs = vec![0u64; plan.subnets().len()];
            for e in plan.ecs_services() {
                let per = e.addresses_per_subnet_at_weight(w);
                for s in &e.subnets {
                    ecs[s.index()] += per;
                }
            }
            let budgets: Vec<SubnetBudget> = plan
                .subnets()
                .iter()
                .map(|s| budget_with_ecs(plan, s.id(), ecs[s.id().index()]))
                .collect();
            let (demand, moved) = demand_of(&k, &budgets);
            Phase {
                weight: w,
                demand,
                moved,
                k,
                ecs,
                budgets,
            }
        })
        .collect()
}

/// The phase a subnet is judged on: the first of those it does not hold with the most addresses used, else the
/// first with the most addresses used.
fn worst_phase(fits: impl Iterator<Item = (bool, u64)>) -> usize {
    let mut best: Option<(usize, bool, u64)> = None;
    for (p, (f, used)) in fits.enumerate() {
        let worse = match best {
            None => true,
            Some((_, bf, bu)) => (!f && bf) || (f == bf && used > bu),
        };
        if worse {
            best = Some((p, f, used));
        }
    }
    best.map_or(0, |(p, _, _)| p)
}

fn pct(used: u64, capacity: u64) -> f64 {
    if capacity == 0 {
        return if used == 0 { 0.0 } else { 100.0 * used as f64 };
    }
    (1000.0 * used as f64 / capacity as f64).round() / 10.0
}

fn failure(f: FitFailure, s: &SubnetReport, fit_singles: u64, single_capacity: u64) -> Failure {
    let (subnet, cidr) = (s.name.clone(), s.cidr);
    let p = s.prefix.unwrap_or(PrefixFit {
        needed: 0,
        from_reservations: 0,
        best_case_free_blocks: 0,
        worst_case_free_blocks: 0,
        fits_best_case: true,
        fits_worst_case: true,
    });
    match f {
        FitFailure::Addresses => Failure::Addresses {
            subnet,
            cidr,
            needed: s.used,
            available: s.capacity,
        },
        FitFailure::SinglesOutsideReservations => Failure::SinglesOutsideReservations {
            subnet,
            cidr,
            singles: fit_singles,
            available: single_capacity,
        },
        FitFailure::PrefixBlocksBestCase => Failure::InsufficientCidrBlocks {
            subnet,
            cidr,
            prefixes: p.needed,
            free_blocks_best_case: p.best_case_free_blocks,
        },
        FitFailure::PrefixBlocksWorstCase => Failure::InsufficientCidrBlocksRisk {
            subnet,
            cidr,
            prefixes: p.needed,
            free_blocks_worst_case: p.worst_case_free_blocks,
            free_blocks_best_case: p.best_case_free_blocks,
        },
    }
}

/// Every member of `g` side by side; a member other than the worst whose pods get no address is a failure too
/// (the launcher may pick that type).
fn member_reports(plan: &Plan, g: &NodeGroup, findings: &mut Vec<Finding>) -> Vec<MemberReport> {
    let worst = g.worst().instance().name.as_ref();
    g.members()
        .iter()
        .map(|m| {
            let load = NodeLoad {
                pods: m.pods_per_node(),
                branch_pods: g.branch_pods_per_node(),
                host_network_pods: g.host_network_pods(),
                max_pods: m.shape().max_pods,
            };
            let pool = pool_of(m.shape(), plan.cni(), &load);
            let name = m.instance().name.to_string();
            if pool.pods_without_address > 0 && name != worst && m.nodes() > 0 {
                findings.push(Finding::new(
                    Severity::Error,
                    format!("node group '{}' ({name})", g.name()),
                    FindingKind::Failure(Failure::PodsWithoutAddress {
                        node_group: g.name().to_string(),
                        pods: pool.pods_without_address,
                        of: m.pods_per_node(),
                        enis: pool.enis,
                        slots_per_eni: m.shape().slots_per_eni,
                        max_pods: m.shape().max_pods,
                        trunk: pool.trunk,
                    }),
                ));
            }
            let peak_nodes = if m.nodes() == 0 {
                0
            } else {
                m.nodes().saturating_add(g.surge())
            };
            MemberReport {
                instance_type: name,
                mode: pool.mode,
                nodes: m.nodes(),
                peak_nodes,
                max_pods: m.shape().max_pods,
                pods_per_node: m.pods_per_node(),
                addresses_per_node: m.addresses_per_node(),
                enis_per_node: pool.enis + u32::from(pool.trunk),
                addresses: m.addresses_per_node() * u64::from(peak_nodes),
                pods_without_address: pool.pods_without_address,
            }
        })
        .collect()
}

/// Karpenter's max pods is ENI-limited and not prefix-aware (aws/karpenter-provider-aws#8210, PR #9299): a group
/// launched with `max_pods: karpenter` where the CNI runs prefix delegation gets far fewer pods per node than
/// EKS would set. Told for the worst member.
fn karpenter_trap(plan: &Plan, g: &NodeGroup) -> Option<PoolFinding> {
    if g.max_pods_spec() != MaxPodsSpec::Karpenter || !g.shape().prefix() {
        return None;
    }
    let m = g.worst();
    let eks =
        NodeShape::resolve(m.instance(), plan.cni(), MaxPodsSpec::Auto).map_or(0, |s| s.max_pods);
    (eks > m.shape().max_pods).then(|| PoolFinding::KarpenterMaxPodsNotPrefixAware {
        instance: m.instance().name.to_string(),
        max_pods: m.shape().max_pods,
        pod_addresses: m.shape().max_pods.saturating_sub(g.host_network_pods()),
        prefix_max_pods: eks,
    })
}

/// Check a plan with the closed-form model.
///
/// ```
/// use ipplan_core::Catalog;
/// // aws-eks-best-practices vpc-cni.adoc: a c5.large running one CoreDNS pod holds its primary ENI and one
/// // warm ENI, 2 x (1 primary + 9 secondary IPs) = 20 addresses; an idle one holds 10
/// let yaml = "
/// subnets: [{ name: a, az: us-east-1a, cidr: 10.0.0.0/24 }]
/// node_groups: [{ name: g, instance_type: c5.large, subnets: [a], nodes: 3, pods_per_node: 1 }]
/// ";
/// let plan = ipplan_planner::Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
/// let report = ipplan_planner::check(&plan);
/// assert!(report.fits());
/// assert_eq!(report.node_groups[0].addresses_per_node, 20);
/// assert_eq!(report.subnets[0].capacity, 251); // 256 - 5 AWS-reserved
/// assert_eq!(report.subnets[0].used, 60);
/// // (251 - 0) / 20 = 12 nodes would fit
/// assert_eq!(report.node_groups[0].max_nodes, 12);
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
///
#[must_use]
pub fn check(plan: &Plan) -> Report {
    let calcs: Vec<GroupCalc> = plan
        .node_groups()
        .iter()
        .map(|g| group_calc(plan, g))
        .collect();
    // one node of each kind (full, one pod fewer) in each of a group's subnets
    let units: Vec<Units> = plan
        .node_groups()
        .iter()
        .zip(&calcs)
        .map(|(g, c)| (placements(plan, g, &c.pool), placements(plan, g, &c.light)))
        .collect();
    // the parallel run, or each step of the traffic shift; each subnet is judged on its worst
    let phases = phases(plan, &calcs);
    let worst: Vec<usize> = (0..plan.subnets().len())
        .map(|i| {
            worst_phase(phases.iter().map(|ph| {
                let f = ph.budgets[i].fit(ph.demand[i]);
                (f.fits, f.used)
            }))
        })
        .collect();
    let shift = plan.overlap() == Overlap::Shift;
    let mut breakdown_of: Vec<Option<Breakdown>> = vec![None; plan.subnets().len()];
    for (p, ph) in phases.iter().enumerate() {
        if worst.contains(&p) {
            let all = breakdowns(plan, &calcs, &ph.k, &ph.moved, shift.then_some(ph.weight));
            for (i, b) in all.into_iter().enumerate() {
                if worst[i] == p {
                    breakdown_of[i] = Some(b);
                }
            }
        }
    }
    // the nodes' addresses in the parallel run, for the migration view's phases alone
    let full_nodes: Vec<u64> = {
        let k: Vec<u64> = calcs.iter().map(|c| c.nodes).collect();
        let budgets: Vec<SubnetBudget> = plan
            .subnets()
            .iter()
            .map(|s| SubnetBudget::of(plan, s.id()))
            .collect();
        let (demand, _) = discovery::subnet_demand(plan, &budgets, &all_kinds(&calcs, &k));
        demand.iter().map(|d| d.addresses()).collect()
    };

    // IPv6: each node takes one /80 of its subnet's /64
    let mut ipv6_nodes = vec![0u64; plan.subnets().len()];
    for (g, c) in plan.node_groups().iter().zip(&calcs) {
        if g.shape().ipv6 {
            for &s in g.subnets() {
                ipv6_nodes[s.index()] += c.nodes;
            }
        }
    }

    let mut findings = Vec::new();
    let subnets: Vec<SubnetReport> = plan
        .subnets()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let ph = &phases[worst[i]];
            let b = &ph.budgets[i];
            let fit = b.fit(ph.demand[i]);
            let migration = (!plan.ecs_services().is_empty() && !plan.node_groups().is_empty())
                .then(|| {
                    // everything but ECS and the nodes: other consumers and the control plane
                    let rest = s.other_consumer_addresses() + plan.control_plane_addresses(s.id());
                    let ecs = plan.ecs_addresses(s.id());
                    let steps: Vec<MigrationStep> = if shift {
                        phases
                            .iter()
                            .map(|p| {
                                let f = p.budgets[i].fit(p.demand[i]);
                                MigrationStep {
                                    weight: p.weight,
                                    ecs: p.ecs[i],
                                    eks: p.demand[i].addresses(),
                                    used: f.used,
                                    fits: f.fits,
                                }
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    Migration {
                        overlap: plan.overlap(),
                        ecs: rest + ecs,
                        eks: rest + full_nodes[i],
                        parallel: rest + ecs + full_nodes[i],
                        steps,
                        worst_weight: shift.then_some(ph.weight),
                    }
                });
            let r = SubnetReport {
                name: s.name().to_string(),
                az: s.az().to_string(),
                cidr: s.cidr(),
                role: s.role(),
                capacity: fit.capacity,
                used: fit.used,
                headroom: fit.headroom,
                use_percent: pct(fit.used, fit.capacity),
                fits: fit.fits,
                first_failure: fit.first_failure,
                nodes_demand: ph.demand[i],
                prefix_blocks: b.prefix_blocks,
                prefix: fit.prefix,
                breakdown: breakdown_of[i].take().unwrap_or_default(),
                ipv6_prefixes: (plan.cni().ip_family == crate::plan::IpFamily::Ipv6)
                    .then_some(ipv6_nodes[i]),
                aws_reserved: b.aws_reserved,
                explicit_reservations: b.explicit_reserved,
                migration,
            };
            if ipv6_nodes[i] > IPV6_PREFIXES_PER_SUBNET {
                findings.push(Finding::failure(Failure::Ipv6Prefixes {
                    subnet: s.name().to_string(),
                    cidr: s.cidr(),
                    needed: ipv6_nodes[i],
                    available: IPV6_PREFIXES_PER_SUBNET,
                }));
            }
            if let Some(f) = fit.first_failure {
                findings.push(Finding::failure(failure(
                    f,
                    &r,
                    fit.singles,
                    b.single_capacity,
                )));
            }
            r
        })
        .collect();

    let mut node_groups = Vec::with_capacity(plan.node_groups().len());
    let mut nau = 0u64;
    for (gi, (g, c)) in plan.node_groups().iter().zip(&calcs).enumerate() {
        let mut pool = c.pool.clone();
        let subject = format!("node group '{}'", g.name());
        let members = member_reports(plan, g, &mut findings);
        if let Some(f) = karpenter_trap(plan, g) {
            findings.push(Finding::new(
                Severity::Warning,
                subject.clone(),
                FindingKind::Node(f),
            ));
        }
        for f in std::mem::take(&mut pool.findings) {
            // the shortfall itself is the error below, with its numbers
            if matches!(f, crate::report::PoolFinding::PodsWithoutAddress { .. }) {
                continue;
            }
            findings.push(Finding::new(
                Severity::Warning,
                subject.clone(),
                FindingKind::Node(f),
            ));
        }
        if pool.pods_without_address > 0 {
            findings.push(Finding::failure(Failure::PodsWithoutAddress {
                node_group: g.name().to_string(),
                pods: pool.pods_without_address,
                of: c.pods_per_node,
                enis: pool.enis,
                slots_per_eni: g.shape().slots_per_eni,
                max_pods: c.max_pods,
                trunk: pool.trunk,
            }));
        }
        let per_node_nau = |pool: &NodePool| {
            pool.node_subnet.singles
                + pool.node_subnet.prefixes
                + pool.pod_subnet.singles
                + pool.pod_subnet.prefixes
                + u64::from(pool.enis.saturating_sub(1))
                + u64::from(pool.trunk)
        };
        let full = u64::from(g.full_nodes());
        nau += per_node_nau(&pool) * full
            + per_node_nau(&c.light) * (u64::from(g.peak_nodes()) - full);
        let k = if discovery::spreads(plan, g) {
            max_nodes_spread(plan, &phases, &calcs, gi, g.subnets().len() as u64)
        } else {
            max_nodes_per_subnet(&phases, c, &units[gi], gi, g.subnets().len() as u64)
        };
        let max_nodes = k.saturating_mul(g.subnets().len() as u64);
        // a group of one type has no members to compare: its figures are above, once
        let (worst, best) = if g.is_mixed() {
            (
                g.worst().instance().name.to_string(),
                g.best().instance().name.to_string(),
            )
        } else {
            (String::new(), String::new())
        };
        node_groups.push(NodeGroupReport {
            name: g.name().to_string(),
            instance_type: g.instance().name.to_string(),
            members,
            worst,
            best,
            pods_full: g.pods() == PodsSpec::Full,
            nodes: g.nodes(),
            surge: g.surge(),
            peak_nodes: g.peak_nodes(),
            max_pods: c.max_pods,
            max_pods_source: g.max_pods_spec().source(),
            pods_per_node: c.pods_per_node,
            full_nodes: g.full_nodes(),
            peak_pods: g.peak_pods(),
            host_network_pods: g.host_network_pods(),
            addresses_per_node: pool.node_subnet.addresses() + pool.pod_subnet.addresses(),
            max_nodes,
            additional_nodes: i64::try_from(max_nodes)
                .unwrap_or(i64::MAX)
                .saturating_sub(i64::from(g.peak_nodes())),
            pool,
        });
    }
    for w in plan.warnings() {
        findings.push(Finding::new(
            Severity::Warning,
            "plan".to_string(),
            FindingKind::Plan(w.clone()),
        ));
    }
    nau += plan
        .subnets()
        .iter()
        .map(|s| s.other_consumer_addresses() + plan.control_plane_addresses(s.id()) / 2)
        .sum::<u64>();
    let network_address_usage = NauReport {
        used: nau,
        quota: NAU_QUOTA,
        within_quota: nau <= NAU_QUOTA,
    };
    if !network_address_usage.within_quota {
        findings.push(Finding::new(
            Severity::Warning,
            "vpc".to_string(),
            FindingKind::Vpc(VpcFinding::NetworkAddressUsageAboveQuota {
                used: nau,
                quota: NAU_QUOTA,
            }),
        ));
    }
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        data_version: ipplan_core::DATA_VERSION,
        plan: plan.file().to_string(),
        verdict: Verdict::from_findings(Basis::ClosedForm, &findings),
        subnets,
        node_groups,
        network_address_usage,
        findings,
    }
}
