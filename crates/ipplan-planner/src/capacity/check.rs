//! `check`: does every subnet hold the cluster at peak? The closed-form verdict.
//!
//! ## How the peak is counted
//! - Every node group runs at its peak: `nodes + surge` nodes, spread evenly over its subnets; each subnet is
//!   assumed to get `ceil(peak / subnets)` of them (whichever subnet gets the odd node must hold it).
//! - Every node runs the fullest node's pods: `pods_per_node`, or `ceil(pods / nodes)` (surge nodes take the pods
//!   of the nodes they replace, and the CNI does not hand addresses back quickly, so both sides of a rolling update
//!   hold a full pool).
//! - Each node holds its steady-state pool ([`crate::capacity::node_pool`], the closed form in `docs/model.md`):
//!   ENI primaries and warm addresses included.
//! - Each subnet's verdict is [`crate::capacity::SubnetBudget::fit`]: addresses, singles outside reservations, and for
//!   prefixes the worst case of /28 fragmentation (every single address spoils a block).
//! - The plan fits when every subnet fits and every node can give each of its pods an address.

use std::fmt;

use ipnet::Ipv4Net;
use ipplan_core::AddressMode;
use serde::Serialize;

use crate::capacity::budget::{FitFailure, PrefixFit, SubnetBudget};
use crate::capacity::demand::SubnetDemand;
use crate::capacity::pool::{NodeLoad, NodePool, pool_of};
use crate::plan::{NodeGroup, Plan, SubnetRole};

/// The version of the report's wire format (`schema_version` in JSON and YAML).
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The default Network Address Usage quota per VPC (adjustable to 256,000; VPC UG `amazon-vpc-limits.md`).
pub const NAU_QUOTA: u64 = 64_000;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan does not fit because of this.
    Error,
    /// Allowed, but worth a look.
    Warning,
}

/// One thing the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// What it is about: `subnet 'nodes-a'`, `node group 'web'`, `cni`, `vpc`.
    pub subject: String,
    /// One line: what and why, and the fix where there is one.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}: {}", self.subject, self.message)
    }
}

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
    /// The first check that failed.
    pub first_failure: Option<FitFailure>,
    /// What the nodes take: single addresses and /28 prefixes.
    pub nodes_demand: SubnetDemand,
    /// Other consumers' addresses.
    pub other_consumers: u64,
    /// Addresses kept for control-plane ENIs (doubled for upgrades).
    pub control_plane: u64,
    /// /28 blocks that can ever hold a prefix.
    pub prefix_blocks: u64,
    /// The /28 analysis, when nodes take prefixes here.
    pub prefix: Option<PrefixFit>,
}

/// What one node group takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeGroupReport {
    /// Name.
    pub name: String,
    /// Instance type.
    pub instance_type: String,
    /// The mode the CNI runs on these nodes (prefix mode falls back on non-Nitro types).
    pub mode: AddressMode,
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
    /// Host-network pods per node.
    pub host_network_pods: u32,
    /// Addresses each node takes from its subnets (node subnet + pod subnet).
    pub addresses_per_node: u64,
    /// ENIs per node (the primary included, the trunk not).
    pub enis_per_node: u32,
    /// Secondary IPs or /28 prefixes per node.
    pub slots_per_node: u32,
    /// Addresses each node holds for pods beyond those in use (the warm pool).
    pub warm_addresses_per_node: u32,
    /// Pods per node that get no address.
    pub pods_without_address_per_node: u32,
    /// What each node takes from its own subnet.
    pub node_subnet_per_node: SubnetDemand,
    /// What each node takes from its ENIConfig (pods) subnet under custom networking.
    pub pod_subnet_per_node: SubnetDemand,
    /// The most nodes (peak, surge included) the group could reach with every other group at its peak.
    pub max_nodes: u64,
    /// How many more nodes would still fit: `max_nodes − peak_nodes` (negative: that many too many).
    pub additional_nodes: i64,
    /// The pool in detail.
    pub pool: NodePool,
}

/// Network Address Usage across the VPC (VPC UG `network-address-usage.md`): each address on an ENI, each
/// prefix and each additional ENI counts 1. Other consumers count 1 per address here (an NLB, endpoint or NAT
/// gateway counts 6: a lower estimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NauReport {
    /// Units at peak.
    pub used: u64,
    /// The default quota.
    pub quota: u64,
    /// `used <= quota`.
    pub within_quota: bool,
}

/// The result of [`check`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The instance data version.
    pub data_version: &'static str,
    /// The plan file.
    pub plan: String,
    /// Every subnet fits at peak and every pod gets an address.
    pub fits: bool,
    /// How the verdict was reached.
    pub basis: &'static str,
    /// Per subnet, in plan order.
    pub subnets: Vec<SubnetReport>,
    /// Per node group, in plan order.
    pub node_groups: Vec<NodeGroupReport>,
    /// Network Address Usage.
    pub network_address_usage: NauReport,
    /// The first thing that fails, in plan order (subnets first, then node groups).
    pub first_failure: Option<String>,
    /// Errors and warnings.
    pub findings: Vec<Finding>,
}

/// The closed-form basis, as reported.
pub const CLOSED_FORM_BASIS: &str = "closed-form steady state at peak (nodes + surge); prefix blocks: worst case (every single address spoils a /28)";

/// One group's per-node figures, computed once.
struct GroupCalc {
    max_pods: u32,
    pods_per_node: u32,
    pool: NodePool,
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
    GroupCalc {
        max_pods,
        pods_per_node,
        pool,
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

/// The largest `k` (nodes in each of group `gi`'s subnets) with which every subnet it touches still fits,
/// the other groups held at `demand` less this group's own share at `k_now`.
fn max_nodes_per_subnet(
    budgets: &[SubnetBudget],
    demand: &[SubnetDemand],
    unit: &[(usize, SubnetDemand)],
    k_now: u64,
) -> u64 {
    let mut base: Vec<(usize, SubnetDemand, SubnetDemand)> = Vec::with_capacity(unit.len());
    for &(s, d) in unit {
        match base.iter_mut().find(|(t, _, _)| *t == s) {
            Some((_, _, per)) => *per += d,
            None => base.push((s, demand[s], d)),
        }
    }
    for (_, b, per) in &mut base {
        let own = per.times(k_now);
        b.singles -= own.singles;
        b.prefixes -= own.prefixes;
    }
    let fits_with = |k: u64| {
        base.iter()
            .all(|&(s, b, per)| budgets[s].fit(b + per.times(k)).fits)
    };
    if !fits_with(0) {
        return 0;
    }
    // Every node takes at least one address, so no subnet holds more nodes than it has addresses.
    let mut hi = base
        .iter()
        .map(|&(s, _, _)| budgets[s].size)
        .max()
        .unwrap_or(0)
        + 1;
    let mut lo = 0u64; // fits
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if fits_with(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn pct(used: u64, capacity: u64) -> f64 {
    if capacity == 0 {
        return if used == 0 { 0.0 } else { 100.0 * used as f64 };
    }
    (1000.0 * used as f64 / capacity as f64).round() / 10.0
}

fn failure_text(f: FitFailure, s: &SubnetReport) -> String {
    match f {
        FitFailure::Addresses => format!(
            "{} addresses needed at peak, {} available ({} short)",
            s.used,
            s.capacity,
            s.used.saturating_sub(s.capacity)
        ),
        FitFailure::SinglesOutsideReservations => {
            "single addresses (node and ENI primaries, secondary IPs, other consumers) do not fit outside the reservations".to_string()
        }
        FitFailure::PrefixBlocksBestCase => {
            let p = s.prefix.as_ref();
            format!(
                "InsufficientCidrBlocks: {} /28 prefixes needed, at most {} free aligned blocks even with single addresses packed",
                p.map_or(0, |p| p.needed),
                p.map_or(0, |p| p.best_case_free_blocks)
            )
        }
        FitFailure::PrefixBlocksWorstCase => {
            let p = s.prefix.as_ref();
            format!(
                "InsufficientCidrBlocks risk: {} /28 prefixes needed, {} free aligned blocks if single addresses scatter (best case {}): add a prefix reservation (create-subnet-cidr-reservation --reservation-type prefix) or a dedicated pod subnet",
                p.map_or(0, |p| p.needed),
                p.map_or(0, |p| p.worst_case_free_blocks),
                p.map_or(0, |p| p.best_case_free_blocks)
            )
        }
    }
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
/// assert!(report.fits);
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
    let budgets: Vec<SubnetBudget> = plan
        .subnets()
        .iter()
        .map(|s| SubnetBudget::of(plan, s.id()))
        .collect();
    let nodes_per_subnet: Vec<u64> = plan
        .node_groups()
        .iter()
        .map(|g| u64::from(g.max_nodes_per_subnet()))
        .collect();
    let units: Vec<Vec<(usize, SubnetDemand)>> = plan
        .node_groups()
        .iter()
        .zip(&calcs)
        .map(|(g, c)| placements(plan, g, &c.pool))
        .collect();
    let mut demand = vec![SubnetDemand::default(); plan.subnets().len()];
    for (unit, &k) in units.iter().zip(&nodes_per_subnet) {
        for &(s, d) in unit {
            demand[s] += d.times(k);
        }
    }

    let mut findings = Vec::new();
    let mut first_failure = None;
    let subnets: Vec<SubnetReport> = plan
        .subnets()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let b = &budgets[i];
            let fit = b.fit(demand[i]);
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
                nodes_demand: demand[i],
                other_consumers: b.other_consumers,
                control_plane: b.control_plane,
                prefix_blocks: b.prefix_blocks,
                prefix: fit.prefix,
            };
            if let Some(f) = fit.first_failure {
                let text = failure_text(f, &r);
                let subject = format!("subnet '{}' ({})", s.name(), s.cidr());
                if first_failure.is_none() {
                    first_failure = Some(format!("{subject}: {text}"));
                }
                findings.push(Finding {
                    severity: Severity::Error,
                    subject,
                    message: text,
                });
            }
            r
        })
        .collect();

    let mut node_groups = Vec::with_capacity(plan.node_groups().len());
    let mut nau = 0u64;
    for (gi, g) in plan.node_groups().iter().enumerate() {
        let c = &calcs[gi];
        let pool = &c.pool;
        let subject = format!("node group '{}'", g.name());
        for f in &pool.findings {
            findings.push(Finding {
                severity: Severity::Warning,
                subject: subject.clone(),
                message: f.to_string(),
            });
        }
        if pool.pods_without_address > 0 {
            let text = format!(
                "{} of {} pods per node get no address ({} ENIs x {} slots, max pods {}): use a larger type, more nodes, or prefix delegation",
                pool.pods_without_address,
                c.pods_per_node,
                pool.enis,
                g.shape().slots_per_eni,
                c.max_pods
            );
            if first_failure.is_none() {
                first_failure = Some(format!("{subject}: {text}"));
            }
            findings.push(Finding {
                severity: Severity::Error,
                subject: subject.clone(),
                message: text,
            });
        }
        let per_node_nau = pool.node_subnet.singles
            + pool.node_subnet.prefixes
            + pool.pod_subnet.singles
            + pool.pod_subnet.prefixes
            + u64::from(pool.enis.saturating_sub(1))
            + u64::from(pool.trunk);
        nau += per_node_nau * u64::from(g.peak_nodes());
        let k = max_nodes_per_subnet(&budgets, &demand, &units[gi], nodes_per_subnet[gi]);
        node_groups.push(NodeGroupReport {
            name: g.name().to_string(),
            instance_type: g.instance().name.to_string(),
            mode: pool.mode,
            nodes: g.nodes(),
            surge: g.surge(),
            peak_nodes: g.peak_nodes(),
            max_pods: c.max_pods,
            max_pods_source: g.max_pods_spec().source(),
            pods_per_node: c.pods_per_node,
            host_network_pods: g.host_network_pods(),
            addresses_per_node: pool.node_subnet.addresses() + pool.pod_subnet.addresses(),
            enis_per_node: pool.enis,
            slots_per_node: pool.slots,
            warm_addresses_per_node: pool.warm_addresses,
            pods_without_address_per_node: pool.pods_without_address,
            node_subnet_per_node: pool.node_subnet,
            pod_subnet_per_node: pool.pod_subnet,
            max_nodes: k.saturating_mul(g.subnets().len() as u64),
            additional_nodes: i64::try_from(k.saturating_mul(g.subnets().len() as u64))
                .unwrap_or(i64::MAX)
                .saturating_sub(i64::from(g.peak_nodes())),
            pool: pool.clone(),
        });
    }
    for w in plan.warnings() {
        findings.push(Finding {
            severity: Severity::Warning,
            subject: "plan".to_string(),
            message: w.to_string(),
        });
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
        findings.push(Finding {
            severity: Severity::Warning,
            subject: "vpc".to_string(),
            message: format!(
                "network address usage {nau} exceeds the default quota of {NAU_QUOTA} per VPC: request an increase (adjustable to 256,000) or use prefix delegation (a prefix counts 1)"
            ),
        });
    }
    let fits = first_failure.is_none();
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        data_version: ipplan_core::DATA_VERSION,
        plan: plan.file().to_string(),
        fits,
        basis: CLOSED_FORM_BASIS,
        subnets,
        node_groups,
        network_address_usage,
        first_failure,
        findings,
    }
}
