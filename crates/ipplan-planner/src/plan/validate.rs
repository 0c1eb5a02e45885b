//! [`PlanSpec`] -> [`Plan`]: the one validation pass, a function per section, warnings made here (each once).
//!
//! Linear in the plan's size: names resolve through hash maps, overlaps are found with an ordered map of block
//! starts (two aligned blocks overlap exactly when one contains the other), so 100,000 subnets load in well under
//! a second.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use ipplan_core::{AddressMode, Catalog, CoreError};
use serde::Serialize;

use crate::error::PlanError;
use crate::plan::cni::{CniConfig, NodeShape};
use crate::plan::pool::{NodeLoad, pool_of};
use crate::plan::scenario::{
    Arrival, DEFAULT_ECS_RELEASE_SECONDS, DEFAULT_WAIT_THRESHOLD_SECONDS, Event, EventKind,
    MAX_DURATION_SECONDS, MAX_ECS_RELEASE_SECONDS, MAX_SIM_NODE_TICKS, MAX_SIM_REPLACEMENTS,
    PodAddressOrder, Scenario, SinglePlacement,
};
use crate::plan::spec::{EventSpecKind, NodeGroupSpec, Overlap, PlanSpec, ScenarioSpec};
use crate::plan::vocabulary::{
    GroupId, IpFamily, MaxPodsSpec, PodsSpec, ReservationType, SubnetId, SubnetRole,
};
use crate::plan::yaml::suggest;
use crate::plan::{
    CniTag, Consumer, ControlPlane, DEFAULT_CONTROL_PLANE_ENIS, DEFAULT_HEADROOM_PERCENT,
    DEFAULT_HOST_NETWORK_PODS, Discovery, Held, LONGEST_SUBNET_PREFIX, Member, NodeGroup, Plan,
    Reservation, SHORTEST_SUBNET_PREFIX, Subnet, VPC_CIDR_QUOTA,
};

/// Something allowed but worth a second look. Each is found once per plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PlanWarning {
    /// More VPC CIDR blocks than the default quota.
    VpcCidrQuota {
        /// Blocks in `vpc.cidrs`.
        count: usize,
    },
    /// 198.19.0.0/16 together with an RFC 1918 range.
    RestrictedCidrPair {
        /// The primary block (`vpc.cidrs[0]`).
        primary: Ipv4Net,
        /// Index of the other block in `vpc.cidrs`.
        index: usize,
        /// The other block.
        other: Ipv4Net,
    },
    /// Prefix mode with `WARM_PREFIX_TARGET=0` and no IP targets: not supported by the CNI.
    WarmPrefixZero,
    /// `MINIMUM_IP_TARGET` set while `WARM_IP_TARGET` is 0 or unset: the pool stops at the minimum.
    MinimumWithoutWarmIp {
        /// `MINIMUM_IP_TARGET`.
        minimum: u32,
    },
    /// Prefix delegation asked for with a CNI older than 1.9.0: every node runs secondary IPs.
    PrefixNeedsNewerCni {
        /// The CNI version given.
        version: String,
    },
    /// All control-plane subnets in one AZ.
    ControlPlaneOneAz {
        /// The AZ.
        az: String,
    },
    /// A node group that no `scale` event of the plan's own `simulate.events` gives nodes: the simulation runs
    /// none of it.
    GroupNotScaled {
        /// The group.
        group: GroupId,
        /// Its name.
        name: String,
    },
    /// Security groups for pods in an IPv6 cluster: EKS best practices say it is not available in IPv6 mode.
    Ipv6SecurityGroupsForPods,
    /// IPv6 cluster subnets without an `ipv6_cidr`: taken to have the /64 AWS assigns.
    Ipv6CidrAssumed {
        /// How many subnets.
        subnets: usize,
    },
    /// A `pods` subnet without custom networking: nothing uses it.
    PodsSubnetUnused {
        /// The subnet.
        subnet: SubnetId,
        /// Its name.
        name: String,
    },
}

impl fmt::Display for PlanWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VpcCidrQuota { count } => write!(
                f,
                "vpc.cidrs: {count} IPv4 CIDR blocks exceed the default quota of {VPC_CIDR_QUOTA} per VPC \
                 (primary included): request an increase (adjustable to 50) before associating them"
            ),
            Self::RestrictedCidrPair {
                primary,
                index,
                other,
            } => write!(
                f,
                "vpc.cidrs[{index}]: '{other}' with primary '{primary}': the VPC user guide lists 198.19.0.0/16 \
                 with an RFC 1918 primary as restricted (vpc-cidr-blocks.md) while EKS best practices recommend it \
                 for custom networking: try the association first, or use 100.64.0.0/10"
            ),
            Self::WarmPrefixZero => write!(
                f,
                "cni.warm_prefix_target: 0 with prefix delegation and no IP targets is not supported by the CNI \
                 (docs/prefix-and-ip-target.md): set it to 1 or set warm_ip_target/minimum_ip_target"
            ),
            Self::MinimumWithoutWarmIp { minimum } => write!(
                f,
                "cni.warm_ip_target: unset or 0 with minimum_ip_target {minimum}: the CNI stops allocating at \
                 {minimum} addresses and pods beyond that fail (aws/amazon-vpc-cni-k8s#2650): set warm_ip_target too"
            ),
            Self::PrefixNeedsNewerCni { version } => write!(
                f,
                "cni.version: prefix delegation needs CNI 1.9.0 or later (got {version}): every node runs \
                 secondary IPs; upgrade the CNI"
            ),
            Self::ControlPlaneOneAz { az } => write!(
                f,
                "control_plane.subnets: all in AZ '{az}': EKS needs cluster subnets in at least two AZs \
                 (EKS UG network-reqs): add a subnet in another AZ"
            ),
            Self::GroupNotScaled { group, name } => write!(
                f,
                "simulate.events: node group '{name}' ({group}) has no scale event, so the simulation runs none of \
                 its nodes: add `- {{ at: 0s, scale: {{ node_group: {name}, nodes: N }} }}`"
            ),
            Self::Ipv6SecurityGroupsForPods => write!(
                f,
                "cni.pod_security_groups: security groups for pods are not available in IPv6 mode \
                 (aws/aws-eks-best-practices ipv6.md); their branch ENIs are counted as IPv4 addresses here"
            ),
            Self::Ipv6CidrAssumed { subnets } => write!(
                f,
                "subnets: {subnets} subnets of this IPv6 cluster have no ipv6_cidr: each is taken to have the /64 \
                 AWS assigns (65,536 /80 prefixes, one per node); give ipv6_cidr to check the real one"
            ),
            Self::PodsSubnetUnused { subnet, name } => write!(
                f,
                "{subnet}.role: subnet '{name}' has role 'pods' but cni.custom_networking is off, so no pod \
                 ENI goes there: enable custom networking or use role 'both'"
            ),
        }
    }
}

/// The most any per-node count may be: `warm_eni_target`, `warm_ip_target`, `minimum_ip_target`,
/// `warm_prefix_target`, `max_eni`, `pods_per_node`, `host_network_pods`, a fixed `max_pods`, and the control
/// plane's `enis`: 65,535. The largest types in the embedded table have 24 ENIs and 64 IPv4 addresses per ENI,
/// 1,512 secondary addresses or 24,192 as /28 prefixes per node, and ipamd never holds more than a node can, so a
/// larger value can only be a typo; the bound keeps every product of these counts well inside `u64`.
pub(crate) const MAX_PER_NODE: u32 = 65_535;

/// The most nodes (or surge nodes) a group may have: 3,276,800, the addresses of the largest VPC (50 blocks of
/// /16, the raised quota of awsdocs/amazon-vpc-user-guide `amazon-vpc-limits.md`); every node takes at least one.
/// `nodes + surge` stays far inside `u32`.
pub(crate) const MAX_NODES: u32 = 50 * 65_536;

/// A group's pods at peak, `pods_per_node x (nodes + surge)`, must fit a `u32`: the simulation deploys them as one
/// count.
const MAX_GROUP_PODS: u64 = u32::MAX as u64;

/// Error helper: one file name for every message.
struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, path: impl Into<String>, message: impl Into<String>) -> PlanError {
        PlanError::Invalid {
            file: self.file.to_string(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// `value` at most `max`, else `"{value} is more than {max}: {fix}"` at `path`.
    fn at_most(
        &self,
        path: impl Into<String>,
        value: u32,
        max: u32,
        fix: &str,
    ) -> Result<(), PlanError> {
        if value > max {
            return Err(self.err(path, format!("{value} is more than {max}: {fix}")));
        }
        Ok(())
    }
}

/// The first block (in order) that overlaps an earlier one: `(later, earlier)` indexes. Aligned blocks overlap
/// exactly when one contains the other, so among the blocks seen (disjoint so far) only the one with the
/// greatest start at or below a block's start can contain it, and any it contains starts inside it.
fn first_overlap(blocks: impl Iterator<Item = Ipv4Net>) -> Option<(usize, usize)> {
    let mut seen: BTreeMap<u32, (u32, usize)> = BTreeMap::new();
    for (i, b) in blocks.enumerate() {
        let (s, e) = (u32::from(b.network()), u32::from(b.broadcast()));
        if let Some((_, &(_, j))) = seen.range(s..=e).next() {
            return Some((i, j));
        }
        if let Some((_, &(end, j))) = seen.range(..s).next_back()
            && end >= s
        {
            return Some((i, j));
        }
        seen.insert(s, (e, i));
    }
    None
}

/// The most tasks ipplan plans for one ECS service (`ecs_services[].tasks`, an `ecs` event's `tasks`).
const MAX_ECS_TASKS: u32 = 100_000;

fn ecs_services(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    resolve: &dyn Fn(String, &str) -> Result<SubnetId, PlanError>,
) -> Result<Vec<crate::plan::EcsService>, PlanError> {
    let mut out: Vec<crate::plan::EcsService> = Vec::with_capacity(spec.ecs_services.len());
    for (i, e) in spec.ecs_services.iter().enumerate() {
        let path = |f: &str| format!("ecs_services[{i}].{f}");
        if e.name.trim().is_empty() {
            return Err(cx.err(path("name"), "must not be empty: give the service's name"));
        }
        if let Some(j) = out.iter().position(|o| o.name == e.name) {
            return Err(cx.err(
                path("name"),
                format!(
                    "'{}' is also ecs_services[{j}]: give each service its own name",
                    e.name
                ),
            ));
        }
        let max_percent = e.max_percent.unwrap_or(200);
        if !(100..=1000).contains(&max_percent) {
            return Err(cx.err(
                path("max_percent"),
                format!(
                    "{max_percent} is out of range: give deploymentConfiguration.maximumPercent, 100 to 1000 (default 200)"
                ),
            ));
        }
        if e.tasks > MAX_ECS_TASKS {
            return Err(cx.err(
                path("tasks"),
                format!("{} tasks is more than ipplan plans for one service (100,000): check the number", e.tasks),
            ));
        }
        if e.subnets.is_empty() {
            return Err(cx.err(path("subnets"), "is empty: list the service's subnets"));
        }
        let mut subnets = Vec::with_capacity(e.subnets.len());
        for (k, name) in e.subnets.iter().enumerate() {
            let id = resolve(format!("ecs_services[{i}].subnets[{k}]"), name)?;
            if !subnets.contains(&id) {
                subnets.push(id);
            }
        }
        out.push(crate::plan::EcsService {
            name: e.name.clone(),
            tasks: e.tasks,
            max_percent,
            subnets,
            network_mode: e
                .network_mode
                .unwrap_or(crate::plan::EcsNetworkMode::Awsvpc),
            held: Vec::new(),
        });
    }
    Ok(out)
}

/// `migration:`: the overlap and, for `shift`, the traffic weights (percent on EKS, strictly increasing, 0 to
/// 100, the last 100: the migration ends with EKS taking all the traffic and ECS at no tasks, and that step is
/// judged too).
fn migration(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    has_ecs: bool,
    has_eks: bool,
) -> Result<(Overlap, Vec<u32>), PlanError> {
    let Some(m) = &spec.migration else {
        return Ok((Overlap::Full, Vec::new()));
    };
    let overlap = m.overlap.unwrap_or_default();
    if overlap == Overlap::Full {
        if !m.weights.is_empty() {
            return Err(cx.err(
                "migration.weights",
                "apply only to overlap: shift: set overlap: shift, or drop the weights for the full parallel run",
            ));
        }
        return Ok((overlap, Vec::new()));
    }
    if !has_ecs || !has_eks {
        return Err(cx.err(
            "migration.overlap",
            "shift moves traffic from ECS to EKS: give ecs_services and node_groups, or drop migration",
        ));
    }
    if m.weights.is_empty() {
        return Err(cx.err(
            "migration.weights",
            "overlap: shift needs the traffic weights: give the percent on EKS at each step, e.g. [5, 20, 50, 100]",
        ));
    }
    for (i, &w) in m.weights.iter().enumerate() {
        let path = format!("migration.weights[{i}]");
        if w > 100 {
            return Err(cx.err(
                path,
                format!("{w} is out of range: give the percent of traffic on EKS, 0 to 100"),
            ));
        }
        if i > 0 && w <= m.weights[i - 1] {
            return Err(cx.err(
                path,
                format!(
                    "{w} does not follow {}: list the steps in order, each a larger share of the traffic",
                    m.weights[i - 1]
                ),
            ));
        }
    }
    let last = m.weights[m.weights.len() - 1];
    if last != 100 {
        return Err(cx.err(
            "migration.weights",
            format!("end at {last}: end with 100, the step where EKS takes all the traffic and ECS runs no tasks"),
        ));
    }
    Ok((overlap, m.weights.clone()))
}

/// The error for address entry `text` (addresses `a..=b`) when it holds one of the addresses AWS reserves in
/// the subnet `lo..=hi` (the first four and the last, VPC user guide `subnet-sizing.md`).
fn aws_reserved_in(text: &str, (a, b): (u32, u32), (lo, hi): (u32, u32)) -> Option<String> {
    (a <= lo + 3 || b == hi).then(|| {
        format!(
            "'{text}' holds an address AWS reserves ({} to {} and {}): leave those out",
            Ipv4Addr::from(lo),
            Ipv4Addr::from(lo + 3),
            Ipv4Addr::from(hi)
        )
    })
}
/// Each service's `at` (where its tasks run today), checked as `other_consumers[].at` is (inside one of its
/// subnets, not AWS-reserved, not in an explicit reservation, overlapping nothing held), counted per subnet and
/// added to the subnets' held addresses.
fn ecs_held(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    services: &mut [crate::plan::EcsService],
    subnets: &mut [crate::plan::Subnet],
) -> Result<(), PlanError> {
    // (start, end, path) per subnet, for the overlap check among the services
    let mut spans: Vec<Vec<(u32, u32, String)>> = vec![Vec::new(); subnets.len()];
    for (i, (e, es)) in services.iter_mut().zip(&spec.ecs_services).enumerate() {
        e.held = vec![0; e.subnets.len()];
        if es.at.is_empty() {
            continue;
        }
        if e.network_mode != crate::plan::EcsNetworkMode::Awsvpc {
            return Err(cx.err(
                format!("ecs_services[{i}].at"),
                "only awsvpc tasks hold addresses of their own: leave at out, or set network_mode: awsvpc",
            ));
        }
        for (j, text) in es.at.iter().enumerate() {
            let path = format!("ecs_services[{i}].at[{j}]");
            let (a, b) = match at_entry(text).map_err(|m| cx.err(path.clone(), m))? {
                AtEntry::Range(a, b) => (u32::from(a), u32::from(b)),
                AtEntry::Prefix(_) => {
                    return Err(cx.err(
                        path,
                        format!(
                            "'{text}' is a /28 prefix: an ECS task holds one address; write its addresses or a range"
                        ),
                    ));
                }
            };
            let Some(k) = e.subnets.iter().position(|s| {
                let c = subnets[s.index()].cidr;
                u32::from(c.network()) <= a && b <= u32::from(c.broadcast())
            }) else {
                let names: Vec<&str> = e
                    .subnets
                    .iter()
                    .map(|s| subnets[s.index()].name.as_str())
                    .collect();
                return Err(cx.err(
                    path,
                    format!(
                        "'{text}' is in none of the service's subnets ({}): give addresses of its own subnets",
                        names.join(", ")
                    ),
                ));
            };
            let s = &subnets[e.subnets[k].index()];
            let (lo, hi) = (u32::from(s.cidr.network()), u32::from(s.cidr.broadcast()));
            if let Some(m) = aws_reserved_in(text, (a, b), (lo, hi)) {
                return Err(cx.err(path, m));
            }
            if let Some(r) = s.reservations.iter().find(|r| {
                r.kind == ReservationType::Explicit
                    && u32::from(r.cidr.network()) <= b
                    && a <= u32::from(r.cidr.broadcast())
            }) {
                return Err(cx.err(
                    path,
                    format!(
                        "'{text}' reaches into the explicit reservation {}, whose addresses are already out of the budget: leave it out of at",
                        r.cidr
                    ),
                ));
            }
            // the other consumers' held addresses: sorted, disjoint
            let singles = &s.held.singles;
            let n = singles.partition_point(|r| u32::from(r.1) < a);
            let prefixes = &s.held.prefixes;
            let m = prefixes.partition_point(|p| u32::from(p.broadcast()) < a);
            if singles.get(n).is_some_and(|r| u32::from(r.0) <= b)
                || prefixes.get(m).is_some_and(|p| u32::from(p.network()) <= b)
            {
                return Err(cx.err(
                    path,
                    format!(
                        "'{text}' overlaps an address subnet '{}' lists in other_consumers[].at: each address is held once",
                        s.name
                    ),
                ));
            }
            e.held[k] += u64::from(b - a) + 1;
            spans[e.subnets[k].index()].push((a, b, path));
        }
    }
    for (s, mut list) in subnets.iter_mut().zip(spans) {
        if list.is_empty() {
            continue;
        }
        list.sort_by_key(|x| (x.0, x.1));
        for w in list.windows(2) {
            if w[1].0 <= w[0].1 {
                let (first, second) = if w[0].2 < w[1].2 {
                    (&w[0], &w[1])
                } else {
                    (&w[1], &w[0])
                };
                return Err(cx.err(
                    second.2.clone(),
                    format!("overlaps {}: each address is held once", first.2),
                ));
            }
        }
        s.held_without_ecs = Some(s.held.clone());
        s.held.singles.extend(
            list.iter()
                .map(|&(a, b, _)| (Ipv4Addr::from(a), Ipv4Addr::from(b))),
        );
        s.held.singles.sort_unstable();
    }
    Ok(())
}

/// One `other_consumers[].at` entry: `10.0.1.20`, `10.0.1.20-10.0.1.27` or `10.0.1.48/28`.
enum AtEntry {
    Range(Ipv4Addr, Ipv4Addr),
    Prefix(Ipv4Net),
}

fn at_entry(text: &str) -> Result<AtEntry, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "'{text}' is not an address, a range or a /28: write e.g. 10.0.1.20, 10.0.1.20-10.0.1.27 or 10.0.1.48/28"
        )
    };
    if t.contains('/') {
        let net: Ipv4Net = t.parse().map_err(|_| bad())?;
        if net.prefix_len() != 28 {
            return Err(format!(
                "'{text}' is a /{}: at holds single addresses, ranges and /28 prefixes only; write a range ({}-{}) for single addresses",
                net.prefix_len(),
                net.network(),
                net.broadcast()
            ));
        }
        if net.addr() != net.network() {
            return Err(format!(
                "'{text}' is not a /28 network address: use '{}'",
                net.trunc()
            ));
        }
        return Ok(AtEntry::Prefix(net));
    }
    if let Some((a, b)) = t.split_once('-') {
        let a: Ipv4Addr = a.trim().parse().map_err(|_| bad())?;
        let b: Ipv4Addr = b.trim().parse().map_err(|_| bad())?;
        if a > b {
            return Err(format!(
                "'{text}' runs backwards: write the lower address first ({b}-{a})"
            ));
        }
        return Ok(AtEntry::Range(a, b));
    }
    let a: Ipv4Addr = t.parse().map_err(|_| bad())?;
    Ok(AtEntry::Range(a, a))
}

/// The subnet's `other_consumers[].at`, checked: inside the subnet, not AWS-reserved, not in an explicit
/// reservation, no overlap, prefixes not in the first or last /28, at most each consumer's `addresses`.
fn held(cx: &Ctx<'_>, i: usize, s: &crate::plan::spec::SubnetSpec) -> Result<Held, PlanError> {
    let cidr = s.cidr.trunc();
    let (lo, hi) = (u32::from(cidr.network()), u32::from(cidr.broadcast()));
    let explicit: Vec<Ipv4Net> = s
        .reservations
        .iter()
        .filter(|r| r.kind == ReservationType::Explicit)
        .map(|r| r.cidr)
        .collect();
    // (start, end, path) of every entry, for the overlap check
    let mut spans: Vec<(u32, u32, String)> = Vec::new();
    let mut held = Held::default();
    for (k, c) in s.other_consumers.iter().enumerate() {
        let mut count = 0u64;
        for (j, text) in c.at.iter().enumerate() {
            let path = format!("subnets[{i}].other_consumers[{k}].at[{j}]");
            let entry = at_entry(text).map_err(|m| cx.err(path.clone(), m))?;
            let (a, b) = match entry {
                AtEntry::Range(a, b) => (u32::from(a), u32::from(b)),
                AtEntry::Prefix(p) => (u32::from(p.network()), u32::from(p.broadcast())),
            };
            if a < lo || b > hi {
                return Err(cx.err(
                    path,
                    format!("'{text}' is outside the subnet {cidr}: give addresses inside it"),
                ));
            }
            if let Some(m) = aws_reserved_in(text, (a, b), (lo, hi)) {
                return Err(cx.err(path, m));
            }
            if let Some(r) = explicit
                .iter()
                .find(|r| u32::from(r.network()) <= b && a <= u32::from(r.broadcast()))
            {
                return Err(cx.err(
                    path,
                    format!(
                        "'{text}' reaches into the explicit reservation {r}, whose addresses are already out of the budget: leave it out of at"
                    ),
                ));
            }
            match entry {
                // a prefix in the first or last /28 holds an AWS-reserved address: refused above
                AtEntry::Prefix(p) => {
                    held.prefixes.push(p);
                }
                AtEntry::Range(ra, rb) => held.singles.push((ra, rb)),
            }
            count += u64::from(b - a) + 1;
            spans.push((a, b, path));
        }
        if count > c.addresses {
            return Err(cx.err(
                format!("subnets[{i}].other_consumers[{k}].addresses"),
                format!(
                    "{} is fewer than the {count} addresses its 'at' lists: give at least {count}",
                    c.addresses
                ),
            ));
        }
    }
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&n| (spans[n].0, spans[n].1));
    for w in order.windows(2) {
        let (x, y) = (&spans[w[0]], &spans[w[1]]);
        if y.0 <= x.1 {
            let (first, second) = if w[0] < w[1] { (x, y) } else { (y, x) };
            return Err(cx.err(
                second.2.clone(),
                format!(
                    "overlaps {}: each address is held once; list it under one consumer",
                    first.2.split_once('.').map_or(first.2.as_str(), |(_, r)| r)
                ),
            ));
        }
    }
    held.singles.sort_unstable();
    held.prefixes.sort_unstable();
    Ok(held)
}

fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn is_rfc1918(c: &Ipv4Net) -> bool {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        .iter()
        .filter_map(|s| s.parse::<Ipv4Net>().ok())
        .any(|r| overlaps(&r, c))
}

/// The special-purpose ranges a VPC or subnet cannot use, with why (the IANA IPv4 Special-Purpose Address
/// Registry, RFC 6890): EC2 refuses a VPC or subnet CIDR in them, and no instance could use such an address.
/// Blocks are /16 or smaller and each range is /16 or larger, so a block in one lies inside it.
const RESERVED: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "\"this network\" (RFC 1122)"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback (RFC 1122)"),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "link-local (RFC 3927; instance metadata and DNS live there)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast (RFC 5771)"),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "reserved (RFC 1112) and broadcast",
    ),
];

/// A subnet or VPC block: /16../28, in no special-purpose range, an exact network address. Returns the message.
fn check_block(c: &Ipv4Net, what: &str, plural: &str) -> Result<(), String> {
    let l = c.prefix_len();
    if l > LONGEST_SUBNET_PREFIX {
        return Err(format!(
            "'{c}' is smaller than /{LONGEST_SUBNET_PREFIX}: AWS {plural} are /{SHORTEST_SUBNET_PREFIX} to \
             /{LONGEST_SUBNET_PREFIX}, use a /{LONGEST_SUBNET_PREFIX} or larger"
        ));
    }
    if l < SHORTEST_SUBNET_PREFIX {
        return Err(format!(
            "'{c}' is larger than /{SHORTEST_SUBNET_PREFIX}: AWS {plural} are /{SHORTEST_SUBNET_PREFIX} to \
             /{LONGEST_SUBNET_PREFIX}, split it into /{SHORTEST_SUBNET_PREFIX} or smaller"
        ));
    }
    for &(base, len, why) in RESERVED {
        if (u32::from(c.network()) ^ u32::from(base)) >> (32 - len) == 0 {
            return Err(format!(
                "'{c}' is in {base}/{len}, {why}, which AWS does not allow for {plural}: use a private range such as \
                 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10"
            ));
        }
    }
    if c.addr() != c.network() {
        return Err(format!(
            "'{c}' is not the network address of the {what}: use '{}'",
            c.trunc()
        ));
    }
    Ok(())
}

/// `(known: a, b, c)`, or a suggestion and a count when there are many.
fn known_list(word: &str, known: &[&str], what: &str) -> String {
    if known.len() <= 12 {
        return format!("known: {}", known.join(", "));
    }
    match suggest(word, known) {
        Some(s) => format!("did you mean '{s}'?"),
        None => format!("the plan has {} {what}", known.len()),
    }
}

pub(super) fn plan(spec: PlanSpec, file: &str, catalog: &Catalog) -> Result<Plan, PlanError> {
    let cx = Ctx { file };
    let mut warnings = Vec::new();
    let vpc_cidrs = vpc(&cx, &spec, &mut warnings)?;
    let cni = cni(&cx, &spec, &mut warnings)?;
    let mut subnets = subnets(&cx, &spec, &vpc_cidrs, &cni, &mut warnings)?;
    let index: HashMap<&str, SubnetId> = subnets.iter().map(|s| (s.name.as_str(), s.id)).collect();
    let names: Vec<&str> = subnets.iter().map(|s| s.name.as_str()).collect();
    let resolve = |path: String, name: &str| -> Result<SubnetId, PlanError> {
        index.get(name).copied().ok_or_else(|| {
            cx.err(
                path,
                format!(
                    "unknown subnet '{name}' ({})",
                    known_list(name, &names, "subnets")
                ),
            )
        })
    };
    if cni.ip_family == IpFamily::Ipv6 {
        let missing = subnets.iter().filter(|s| s.ipv6_cidr.is_none()).count();
        if missing > 0 {
            warnings.push(PlanWarning::Ipv6CidrAssumed { subnets: missing });
        }
    }
    let pod_subnet = pod_subnets(&subnets, &cni);
    let discovery = discovery_subnets(&subnets, &cni);
    let control_plane = control_plane(&cx, &spec, &subnets, &resolve, &mut warnings)?;
    let node_groups = node_groups(&cx, &spec, catalog, &subnets, &cni, &pod_subnet, &resolve)?;
    let headroom_percent = spec.headroom_percent.unwrap_or(DEFAULT_HEADROOM_PERCENT);
    if headroom_percent > 1000 {
        return Err(cx.err(
            "headroom_percent",
            format!("{headroom_percent} is out of range: give 0 to 1000"),
        ));
    }
    let mut control_plane_share = vec![0; subnets.len()];
    if let Some(cp) = &control_plane {
        for s in &cp.subnets {
            control_plane_share[s.index()] = cp.addresses_per_subnet();
        }
    }
    let mut ecs_services = ecs_services(&cx, &spec, &resolve)?;
    ecs_held(&cx, &spec, &mut ecs_services, &mut subnets)?;
    let (overlap, shift_weights) = migration(
        &cx,
        &spec,
        !ecs_services.is_empty(),
        !node_groups.is_empty(),
    )?;
    let mut plan = Plan {
        file: file.to_string(),
        spec: PlanSpec::default(),
        vpc_cidrs,
        cni,
        subnets,
        control_plane,
        node_groups,
        headroom_percent,
        warnings,
        scenario: None,
        pod_subnet,
        discovery,
        control_plane_share,
        ecs_services,
        overlap,
        shift_weights,
    };
    if let Some(s) = &spec.simulate {
        let sc = scenario(&cx, s, &plan)?;
        // a scenario with its own events runs only the nodes they scale: say which groups get none
        if s.events.is_some() {
            let scaled: HashSet<GroupId> = sc
                .events
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::Scale { group, nodes } if nodes > 0 => Some(group),
                    _ => None,
                })
                .collect();
            for g in &plan.node_groups {
                if !scaled.contains(&g.id) {
                    plan.warnings.push(PlanWarning::GroupNotScaled {
                        group: g.id,
                        name: g.name.clone(),
                    });
                }
            }
        }
        plan.scenario = Some(sc);
    }
    plan.spec = spec;
    Ok(plan)
}

fn vpc(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    warnings: &mut Vec<PlanWarning>,
) -> Result<Vec<Ipv4Net>, PlanError> {
    let cidrs: Vec<Ipv4Net> = spec
        .vpc
        .as_ref()
        .map(|v| v.cidrs.clone())
        .unwrap_or_default();
    for (i, c) in cidrs.iter().enumerate() {
        check_block(c, "VPC block", "VPC blocks")
            .map_err(|m| cx.err(format!("vpc.cidrs[{i}]"), m))?;
    }
    if let Some((i, j)) = first_overlap(cidrs.iter().copied()) {
        return Err(cx.err(
            format!("vpc.cidrs[{i}]"),
            format!(
                "'{}' overlaps vpc.cidrs[{j}] ({}): list each block once",
                cidrs[i], cidrs[j]
            ),
        ));
    }
    if cidrs.len() > VPC_CIDR_QUOTA {
        warnings.push(PlanWarning::VpcCidrQuota { count: cidrs.len() });
    }
    if let Some(primary) = cidrs.first() {
        let cgn: Ipv4Net = "198.19.0.0/16".parse().unwrap_or_default();
        let p_rfc = is_rfc1918(primary);
        let p_198 = overlaps(primary, &cgn);
        for (i, o) in cidrs.iter().enumerate().skip(1) {
            if (p_rfc && overlaps(o, &cgn)) || (p_198 && is_rfc1918(o)) {
                warnings.push(PlanWarning::RestrictedCidrPair {
                    primary: *primary,
                    index: i,
                    other: *o,
                });
            }
        }
    }
    Ok(cidrs)
}

fn cni(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    warnings: &mut Vec<PlanWarning>,
) -> Result<CniConfig, PlanError> {
    let d = CniConfig::default();
    let Some(c) = &spec.cni else {
        return Ok(d);
    };
    let cni = CniConfig {
        mode: c.mode.unwrap_or(d.mode),
        custom_networking: c.custom_networking.unwrap_or(d.custom_networking),
        version: c.version,
        warm_eni_target: c.warm_eni_target.unwrap_or(d.warm_eni_target),
        warm_ip_target: c.warm_ip_target,
        minimum_ip_target: c.minimum_ip_target,
        warm_prefix_target: c.warm_prefix_target.unwrap_or(d.warm_prefix_target),
        max_eni: c.max_eni,
        pod_security_groups: c.pod_security_groups.unwrap_or(d.pod_security_groups),
        ip_family: c.ip_family.unwrap_or(d.ip_family),
        subnet_discovery: c.subnet_discovery.unwrap_or(d.subnet_discovery),
    };
    // ENABLE_SUBNET_DISCOVERY first exists in v1.18.0 (aws/amazon-vpc-cni-k8s PR #2714): unset, an older CNI
    // simply has none; asked for, it is a mistake
    if c.subnet_discovery == Some(true)
        && let Some(v) = cni.version
        && v < ipplan_core::CniVersion::SUBNET_DISCOVERY
    {
        return Err(cx.err(
            "cni.subnet_discovery",
            format!(
                "subnet discovery needs VPC CNI 1.18.0 or later (got {v}): upgrade the CNI or set \
                 subnet_discovery: false"
            ),
        ));
    }
    if cni.ip_family == IpFamily::Ipv6 {
        // aws/aws-eks-best-practices content/networking/docs/ipv6.md (22c65bb); EKS UG pod-networking-use-cases:
        // "You can't use IPv6 with custom networking"
        if cni.custom_networking {
            return Err(cx.err(
                "cni.custom_networking",
                "the VPC CNI does not run custom networking in IPv6 mode (pods take IPv6 addresses from each \
                 node's /80 prefix, no IPv4 subnet to move them to): turn it off",
            ));
        }
        // IPv6 support arrived in the VPC CNI 1.10.0 (its CHANGELOG)
        if let Some(v) = cni.version
            && v < ipplan_core::CniVersion::new(1, 10, 0)
        {
            return Err(cx.err(
                "cni.version",
                format!("IPv6 needs VPC CNI 1.10.0 or later (got {v}): upgrade the CNI or use ip_family: ipv4"),
            ));
        }
        if cni.pod_security_groups {
            warnings.push(PlanWarning::Ipv6SecurityGroupsForPods);
        }
    }
    if cni.max_eni == Some(0) {
        return Err(cx.err(
            "cni.max_eni",
            "max ENI must be at least 1: leave it unset to use the instance's limit",
        ));
    }
    let warm = "no node holds that many (the largest EC2 types: 24 ENIs x 63 secondary IPs, x 16 as prefixes): \
                give the number per node you mean";
    for (field, v) in [
        ("warm_eni_target", c.warm_eni_target),
        ("warm_ip_target", c.warm_ip_target),
        ("minimum_ip_target", c.minimum_ip_target),
        ("warm_prefix_target", c.warm_prefix_target),
    ] {
        if let Some(v) = v {
            cx.at_most(format!("cni.{field}"), v, MAX_PER_NODE, warm)?;
        }
    }
    if let Some(m) = c.max_eni {
        cx.at_most(
            "cni.max_eni",
            m,
            MAX_PER_NODE,
            "no instance type has that many ENIs (the most is 24): give the cap you mean, or leave it unset",
        )?;
    }
    if cni.mode == AddressMode::Prefix {
        if let Some(v) = cni.version
            && !v.supports_prefix_delegation()
        {
            warnings.push(PlanWarning::PrefixNeedsNewerCni {
                version: v.to_string(),
            });
        } else if cni.warm_prefix_target == 0 && !cni.ip_targets() {
            warnings.push(PlanWarning::WarmPrefixZero);
        }
    }
    if let Some(m) = cni.minimum_ip_target
        && m > 0
        && cni.warm_ip_target.unwrap_or(0) == 0
    {
        warnings.push(PlanWarning::MinimumWithoutWarmIp { minimum: m });
    }
    Ok(cni)
}

fn subnets(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    vpc_cidrs: &[Ipv4Net],
    cni: &CniConfig,
    warnings: &mut Vec<PlanWarning>,
) -> Result<Vec<Subnet>, PlanError> {
    if spec.subnets.is_empty() {
        return Err(cx.err("subnets", "the plan has no subnets: add at least one"));
    }
    if u32::try_from(spec.subnets.len()).is_err() {
        return Err(cx.err("subnets", "too many subnets: at most 4294967295"));
    }
    let mut names: HashMap<&str, usize> = HashMap::with_capacity(spec.subnets.len());
    let mut out = Vec::with_capacity(spec.subnets.len());
    for (i, s) in spec.subnets.iter().enumerate() {
        let at = |f: &str| format!("subnets[{i}].{f}");
        if s.name.trim().is_empty() {
            return Err(cx.err(at("name"), "must not be empty: give it a name"));
        }
        if let Some(j) = names.insert(&s.name, i) {
            return Err(cx.err(
                at("name"),
                format!(
                    "duplicate subnet name '{}' (also subnets[{j}]): give each subnet its own name",
                    s.name
                ),
            ));
        }
        if s.az.trim().is_empty() {
            return Err(cx.err(
                at("az"),
                "must not be empty: give the availability zone, e.g. us-east-1a",
            ));
        }
        check_block(&s.cidr, "subnet", "subnets").map_err(|m| cx.err(at("cidr"), m))?;
        if let Some(v6) = s.ipv6_cidr {
            // AWS gives a subnet exactly a /64 of the VPC's /56 (aws/aws-eks-best-practices ipv6.md)
            if v6.prefix_len() != 64 || v6.addr() != v6.network() {
                return Err(cx.err(
                    at("ipv6_cidr"),
                    format!(
                        "'{v6}' is not a /64 network: an AWS subnet's IPv6 block is a /64, use '{}'",
                        ipnet::Ipv6Net::new(v6.network(), 64).map_or(v6, |n| n.trunc())
                    ),
                ));
            }
        }
        if !vpc_cidrs.is_empty() && !vpc_cidrs.iter().any(|v| v.contains(&s.cidr)) {
            let list: Vec<String> = vpc_cidrs.iter().map(ToString::to_string).collect();
            return Err(cx.err(
                at("cidr"),
                format!(
                    "'{}' is outside vpc.cidrs ({}): move it into a VPC block or add its block to vpc.cidrs",
                    s.cidr,
                    list.join(", ")
                ),
            ));
        }
        for (k, r) in s.reservations.iter().enumerate() {
            let rpath = format!("subnets[{i}].reservations[{k}].cidr");
            if r.cidr.addr() != r.cidr.network() {
                return Err(cx.err(
                    rpath,
                    format!(
                        "'{}' is not a network address: use '{}'",
                        r.cidr,
                        r.cidr.trunc()
                    ),
                ));
            }
            if !s.cidr.contains(&r.cidr) {
                return Err(cx.err(
                    rpath,
                    format!(
                        "'{}' is outside the subnet {}: use a range inside it",
                        r.cidr, s.cidr
                    ),
                ));
            }
            if r.kind == ReservationType::Prefix && r.cidr.prefix_len() > 28 {
                return Err(cx.err(
                    rpath,
                    format!(
                        "a prefix reservation must hold whole /28 blocks but '{}' is /{}: use /28 or larger, \
                         or type 'explicit'",
                        r.cidr,
                        r.cidr.prefix_len()
                    ),
                ));
            }
        }
        if let Some((k, j)) = first_overlap(s.reservations.iter().map(|r| r.cidr)) {
            return Err(cx.err(
                format!("subnets[{i}].reservations[{k}].cidr"),
                format!(
                    "'{}' overlaps reservations[{j}] ({}): reservations must not overlap",
                    s.reservations[k].cidr, s.reservations[j].cidr
                ),
            ));
        }
        let size = 1u64 << (32 - u32::from(s.cidr.prefix_len()));
        for (k, c) in s.other_consumers.iter().enumerate() {
            if c.what.trim().is_empty() {
                return Err(cx.err(
                    format!("subnets[{i}].other_consumers[{k}].what"),
                    "must not be empty: say what it is, e.g. alb",
                ));
            }
            if c.addresses > size {
                return Err(cx.err(
                    format!("subnets[{i}].other_consumers[{k}].addresses"),
                    format!(
                        "{} is more than the {size} addresses of the subnet ({}): give the addresses it takes at peak",
                        c.addresses, s.cidr
                    ),
                ));
            }
        }
        let held = held(cx, i, s)?;
        let role = s.role.unwrap_or(SubnetRole::Both);
        let id = SubnetId(i as u32);
        if role == SubnetRole::Pods && !cni.custom_networking {
            warnings.push(PlanWarning::PodsSubnetUnused {
                subnet: id,
                name: s.name.clone(),
            });
        }
        out.push(Subnet {
            id,
            cni_tag: CniTag::of(&s.tags),
            name: s.name.clone(),
            az: s.az.clone(),
            cidr: s.cidr,
            ipv6_cidr: s.ipv6_cidr,
            role,
            reservations: s
                .reservations
                .iter()
                .map(|r| Reservation {
                    cidr: r.cidr,
                    kind: r.kind,
                })
                .collect(),
            other_consumers: s
                .other_consumers
                .iter()
                .map(|c| Consumer {
                    what: c.what.clone(),
                    addresses: c.addresses,
                })
                .collect(),
            held,
            held_without_ecs: None,
        });
    }
    if let Some((i, j)) = first_overlap(spec.subnets.iter().map(|s| s.cidr)) {
        let (s, o) = (&spec.subnets[i], &spec.subnets[j]);
        return Err(cx.err(
            format!("subnets[{i}].cidr"),
            format!(
                "'{}' overlaps subnets[{j}] '{}' ({}): give each subnet its own range",
                s.cidr, o.name, o.cidr
            ),
        ));
    }
    Ok(out)
}

/// Per subnet, its ENIConfig subnet under custom networking: the AZ's first `pods` subnet, else its first
/// `both` subnet.
fn pod_subnets(subnets: &[Subnet], cni: &CniConfig) -> Vec<Option<SubnetId>> {
    if !cni.custom_networking {
        return vec![None; subnets.len()];
    }
    let mut by_az: HashMap<&str, (Option<SubnetId>, Option<SubnetId>)> = HashMap::new();
    for s in subnets {
        let e = by_az.entry(s.az.as_str()).or_default();
        match s.role {
            SubnetRole::Pods if e.0.is_none() => e.0 = Some(s.id),
            SubnetRole::Both if e.1.is_none() => e.1 = Some(s.id),
            _ => {}
        }
    }
    subnets
        .iter()
        .map(|s| by_az.get(s.az.as_str()).and_then(|&(p, b)| p.or(b)))
        .collect()
}

/// Subnet discovery's candidates ([`Plan::discovery_subnets`]): per AZ the subnets tagged to be included (plan
/// order), per subnet its AZ's list and whether the subnet itself is a candidate. Linear in the subnets; the
/// lists per node subnet are made when asked for.
fn discovery_subnets(subnets: &[Subnet], cni: &CniConfig) -> Discovery {
    if !cni.discovers_subnets() {
        return Discovery::default();
    }
    let mut az_index: HashMap<&str, usize> = HashMap::new();
    let mut included: Vec<Vec<SubnetId>> = Vec::new();
    let mut of = Vec::with_capacity(subnets.len());
    for s in subnets {
        let next = az_index.len();
        let a = *az_index.entry(s.az.as_str()).or_insert(next);
        if a == included.len() {
            included.push(Vec::new());
        }
        if s.cni_tag == CniTag::Included {
            included[a].push(s.id);
        }
        of.push((a, s.cni_tag == CniTag::Untagged));
    }
    Discovery { included, of }
}

fn control_plane(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    subnets: &[Subnet],
    resolve: &dyn Fn(String, &str) -> Result<SubnetId, PlanError>,
    warnings: &mut Vec<PlanWarning>,
) -> Result<Option<ControlPlane>, PlanError> {
    let Some(cp) = &spec.control_plane else {
        return Ok(None);
    };
    if cp.subnets.is_empty() {
        return Err(cx.err(
            "control_plane.subnets",
            "is empty: list the cluster subnets by name",
        ));
    }
    let enis = cp.enis.unwrap_or(DEFAULT_CONTROL_PLANE_ENIS);
    if enis == 0 {
        return Err(cx.err(
            "control_plane.enis",
            "must be at least 1 (EKS creates 2 to 4): leave it out for the default 4",
        ));
    }
    cx.at_most(
        "control_plane.enis",
        enis,
        MAX_PER_NODE,
        "EKS creates 2 to 4: leave it out for the default 4",
    )?;
    let mut ids = Vec::with_capacity(cp.subnets.len());
    let mut seen: HashMap<SubnetId, usize> = HashMap::new();
    for (k, name) in cp.subnets.iter().enumerate() {
        let path = format!("control_plane.subnets[{k}]");
        let id = resolve(path.clone(), name)?;
        if let Some(j) = seen.insert(id, k) {
            return Err(cx.err(
                path,
                format!("subnet '{name}' is listed twice (also control_plane.subnets[{j}]): list it once"),
            ));
        }
        ids.push(id);
    }
    let az = &subnets[ids[0].index()].az;
    if ids.iter().all(|i| subnets[i.index()].az == *az) {
        warnings.push(PlanWarning::ControlPlaneOneAz { az: az.clone() });
    }
    Ok(Some(ControlPlane { subnets: ids, enis }))
}

fn node_groups(
    cx: &Ctx<'_>,
    spec: &PlanSpec,
    catalog: &Catalog,
    subnets: &[Subnet],
    cni: &CniConfig,
    pod_subnet: &[Option<SubnetId>],
    resolve: &dyn Fn(String, &str) -> Result<SubnetId, PlanError>,
) -> Result<Vec<NodeGroup>, PlanError> {
    if u32::try_from(spec.node_groups.len()).is_err() {
        return Err(cx.err("node_groups", "too many node groups: at most 4294967295"));
    }
    let mut names: HashMap<&str, usize> = HashMap::with_capacity(spec.node_groups.len());
    let mut out = Vec::with_capacity(spec.node_groups.len());
    for (g, ng) in spec.node_groups.iter().enumerate() {
        let at = |f: &str| format!("node_groups[{g}].{f}");
        if ng.name.trim().is_empty() {
            return Err(cx.err(at("name"), "must not be empty: give it a name"));
        }
        if let Some(j) = names.insert(&ng.name, g) {
            return Err(cx.err(
                at("name"),
                format!(
                    "duplicate node group name '{}' (also node_groups[{j}]): give each group its own name",
                    ng.name
                ),
            ));
        }
        if ng.subnets.is_empty() {
            return Err(cx.err(
                at("subnets"),
                "is empty: list the subnets its nodes launch in",
            ));
        }
        let mut ids = Vec::with_capacity(ng.subnets.len());
        let mut seen: HashSet<SubnetId> = HashSet::with_capacity(ng.subnets.len());
        for (k, name) in ng.subnets.iter().enumerate() {
            let path = format!("node_groups[{g}].subnets[{k}]");
            let id = resolve(path.clone(), name)?;
            let s = &subnets[id.index()];
            if !seen.insert(id) {
                let j = ids.iter().position(|&o| o == id).unwrap_or(0);
                return Err(cx.err(
                    path,
                    format!(
                        "subnet '{}' is listed twice (also node_groups[{g}].subnets[{j}]): list it once",
                        s.name
                    ),
                ));
            }
            if !s.role.holds_nodes() {
                return Err(cx.err(
                    path,
                    format!(
                        "subnet '{}' has role 'pods' (an ENIConfig subnet) and cannot hold nodes: use a \
                         subnet with role 'nodes' or 'both'",
                        s.name
                    ),
                ));
            }
            // A node subnet tagged kubernetes.io/role/cni=0 takes the primary ENI out of pod use and, without
            // discovery, leaves ipamd no subnet for a new ENI (aws/amazon-vpc-cni-k8s PR #3380:
            // `IsSubnetExcluded`, `createENI`); ipplan does not model pods without the primary ENI outside
            // custom networking.
            if !cni.custom_networking
                && cni.ip_family == IpFamily::Ipv4
                && s.cni_tag == CniTag::Excluded
            {
                return Err(cx.err(
                    path,
                    format!(
                        "subnet '{}' is tagged kubernetes.io/role/cni=0 (no pod addresses from it), which ipplan \
                         does not model for a node subnet: remove the tag, or move the pods with \
                         custom_networking",
                        s.name
                    ),
                ));
            }
            if cni.custom_networking && pod_subnet[id.index()].is_none() {
                return Err(cx.err(
                    path,
                    format!(
                        "custom networking needs an ENIConfig subnet in AZ '{}' (for subnet '{}'): add a \
                         subnet with role 'pods' (or 'both') in that AZ",
                        s.az, s.name
                    ),
                ));
            }
            ids.push(id);
        }
        let vpc = "more nodes than the largest VPC (50 blocks of /16) has addresses: give the peak node count";
        cx.at_most(at("nodes"), ng.nodes, MAX_NODES, vpc)?;
        if let Some(surge) = ng.surge {
            cx.at_most(at("surge"), surge, MAX_NODES, vpc)?;
        }
        let per_node = "more pods than a kubelet runs on one node: give the pods per node that need an address";
        if let Some(p) = ng.pods_per_node {
            cx.at_most(at("pods_per_node"), p, MAX_PER_NODE, per_node)?;
        }
        if let Some(h) = ng.host_network_pods {
            cx.at_most(at("host_network_pods"), h, MAX_PER_NODE, per_node)?;
        }
        if let Some(MaxPodsSpec::Fixed(m)) = ng.max_pods {
            cx.at_most(at("max_pods"), m, MAX_PER_NODE, per_node)?;
        }
        let members = members(cx, g, ng, catalog, cni)?;
        let pods = match (ng.pods_per_node, ng.pods, ng.pods_per_node_max) {
            (Some(p), None, false) => PodsSpec::PerNode(p),
            (None, Some(p), false) => PodsSpec::Total(p),
            (None, None, true) => PodsSpec::Full,
            (None, None, false) => {
                return Err(cx.err(
                    format!("node_groups[{g}]"),
                    "missing pod count: give 'pods_per_node' or 'pods' (the group's total)",
                ));
            }
            (_, Some(_), true) => {
                return Err(cx.err(
                    format!("node_groups[{g}]"),
                    "give exactly one of 'pods_per_node: max' (every node full) and 'pods' (the group's total), \
                     not both",
                ));
            }
            _ => {
                return Err(cx.err(
                    format!("node_groups[{g}]"),
                    "give exactly one of 'pods_per_node' and 'pods' (the group's total), not both",
                ));
            }
        };
        let max_pods = ng.max_pods.unwrap_or(MaxPodsSpec::Auto);
        let branch = ng.branch_pods_per_node.unwrap_or(0);
        let host = ng.host_network_pods.unwrap_or(DEFAULT_HOST_NETWORK_PODS);
        let surge = ng.surge.unwrap_or(0);
        let mut group = NodeGroup {
            id: GroupId(g as u32),
            name: ng.name.clone(),
            members,
            worst: 0,
            best: 0,
            subnets: ids,
            max_vcpus: ng.max_vcpus,
            surge,
            pods,
            max_pods,
            pods_per_core: ng.pods_per_core,
            host_network_pods: host,
            branch_pods_per_node: branch,
            launch: ng.launch.unwrap_or_default(),
        };
        rank_members(&mut group, cni);
        if group.pods_per_node() > MAX_PER_NODE {
            let message = match pods {
                PodsSpec::Total(t) => format!(
                    "{t} pods over {} nodes is {} per node, more than {MAX_PER_NODE}: {per_node}",
                    group.nodes(),
                    group.pods_per_node()
                ),
                _ => format!(
                    "{} pods per node is more than {MAX_PER_NODE}: {per_node}",
                    group.pods_per_node()
                ),
            };
            return Err(cx.err(at("pods"), message));
        }
        let peak_pods = u64::from(group.pods_per_node()) * u64::from(group.peak_nodes());
        if peak_pods > MAX_GROUP_PODS {
            let field = match pods {
                PodsSpec::Total(_) => "pods",
                _ => "pods_per_node",
            };
            return Err(cx.err(
                at(field),
                format!(
                    "{} pods per node on {} nodes (nodes + surge) is {peak_pods} pods, more than {MAX_GROUP_PODS}: \
                     lower the pods or the nodes",
                    group.pods_per_node(),
                    group.peak_nodes()
                ),
            ));
        }
        if branch > 0 {
            if !cni.pod_security_groups {
                return Err(cx.err(
                    at("branch_pods_per_node"),
                    format!(
                        "{branch} branch pods need security groups for pods: set cni.pod_security_groups: true, \
                         or remove branch_pods_per_node"
                    ),
                ));
            }
            if branch > group.pods_per_node() {
                return Err(cx.err(
                    at("branch_pods_per_node"),
                    format!(
                        "{branch} is more than the {} pods per node it is part of: lower it or raise the pods",
                        group.pods_per_node()
                    ),
                ));
            }
        }
        out.push(group);
    }
    Ok(out)
}

/// The instance types of node group `g`, each with its shape and node count (pods and addresses are filled in by
/// [`rank_members`]).
fn members(
    cx: &Ctx<'_>,
    g: usize,
    ng: &NodeGroupSpec,
    catalog: &Catalog,
    cni: &CniConfig,
) -> Result<Vec<Member>, PlanError> {
    let at = |f: &str| format!("node_groups[{g}].{f}");
    let types: Vec<(String, &str)> = match (
        ng.instance_type.is_empty(),
        ng.instance_types.is_empty(),
    ) {
        (false, true) => vec![(at("instance_type"), ng.instance_type.as_str())],
        (true, false) => ng
            .instance_types
            .iter()
            .enumerate()
            .map(|(k, t)| (at(&format!("instance_types[{k}]")), t.as_str()))
            .collect(),
        (false, false) => {
            return Err(cx.err(
                format!("node_groups[{g}]"),
                "give exactly one of 'instance_type' and 'instance_types' (a mixed fleet), not both",
            ));
        }
        (true, true) => {
            return Err(cx.err(
                at("instance_type"),
                "missing instance type: give 'instance_type', or 'instance_types' for a mixed fleet",
            ));
        }
    };
    match (ng.nodes, ng.max_vcpus) {
        (0, None) => {
            return Err(cx.err(at("nodes"), "must be at least 1: give the peak node count"));
        }
        (n, Some(_)) if n > 0 => {
            return Err(cx.err(
                format!("node_groups[{g}]"),
                "give exactly one of 'nodes' and 'max_vcpus' (the bound on the group's vCPUs), not both",
            ));
        }
        (_, Some(0)) => {
            return Err(cx.err(
                at("max_vcpus"),
                "must be at least 1: give the group's vCPU limit",
            ));
        }
        _ => {}
    }
    if ng.pods_per_core == Some(0) {
        return Err(cx.err(
            at("pods_per_core"),
            "must be at least 1: leave it out for no per-core limit",
        ));
    }
    let max_pods = ng.max_pods.unwrap_or(MaxPodsSpec::Auto);
    if max_pods == MaxPodsSpec::Fixed(0) {
        return Err(cx.err(
            at("max_pods"),
            "must be at least 1: give 'auto', 'karpenter' or the kubelet's maxPods",
        ));
    }
    let mut seen: HashMap<&str, &str> = HashMap::with_capacity(types.len());
    let mut out = Vec::with_capacity(types.len());
    for (path, name) in &types {
        if let Some(first) = seen.insert(name, path) {
            return Err(cx.err(
                path.clone(),
                format!("instance type '{name}' is listed twice (also {first}): list it once"),
            ));
        }
        let instance = catalog
            .get(name)
            .map_err(|e| cx.err(path.clone(), e.to_string()))?
            .clone();
        if cni.ip_family == IpFamily::Ipv6 && !instance.cni_supports_prefix() {
            // the CNI runs IPv6 only on Nitro types (aws/aws-eks-best-practices ipv6.md)
            return Err(cx.err(
                path.clone(),
                format!(
                    "'{name}' is neither Nitro nor bare metal, and the VPC CNI runs IPv6 only on Nitro types: use a \
                     Nitro type"
                ),
            ));
        }
        let mut shape = NodeShape::resolve(&instance, cni, max_pods).map_err(|e| {
            let why = match e {
                CoreError::VcpusUnknown(_) => format!(
                    "'auto' needs the vCPU count of '{}' for the 110/250 cap and the instance data has none",
                    instance.name
                ),
                other => format!("'auto' cannot be computed ({other})"),
            };
            cx.err(at("max_pods"), format!("{why}: set max_pods to a number"))
        })?;
        let vcpus = || {
            instance.vcpus.count().ok_or_else(|| {
                cx.err(
                    path.clone(),
                    format!(
                        "the instance data has no vCPU count for '{name}' (needed by max_vcpus and \
                         pods_per_core): add it with --instance-data"
                    ),
                )
            })
        };
        if let Some(ppc) = ng.pods_per_core {
            // the kubelet: max pods = min(maxPods, podsPerCore x cores)
            shape.max_pods = shape.max_pods.min(ppc.saturating_mul(vcpus()?));
        }
        let nodes = match ng.max_vcpus {
            Some(limit) => limit / vcpus()?,
            None => ng.nodes,
        };
        out.push(Member {
            instance,
            shape,
            nodes,
            pods_per_node: 0,
            addresses_per_node: 0,
        });
    }
    if out.iter().all(|m| m.nodes == 0) {
        let smallest =
            out.iter()
                .min_by_key(|m| m.instance.vcpus.count())
                .map_or(String::new(), |m| {
                    format!(
                        " (the smallest, '{}', has {})",
                        m.instance.name,
                        m.instance.vcpus.count().unwrap_or(0)
                    )
                });
        return Err(cx.err(
            at("max_vcpus"),
            format!(
                "{} vCPUs hold no node of any of its types{smallest}: raise max_vcpus or add a smaller type",
                ng.max_vcpus.unwrap_or(0)
            ),
        ));
    }
    Ok(out)
}

/// Each member's pods and addresses per node (the closed form's steady-state pool), then the worst member (the
/// most addresses in all, the first such) and the best (the fewest, the last such, among members that launch).
fn rank_members(group: &mut NodeGroup, cni: &CniConfig) {
    let (pods, host, branch, surge) = (
        group.pods,
        group.host_network_pods,
        group.branch_pods_per_node,
        group.surge,
    );
    for m in &mut group.members {
        m.pods_per_node = match pods {
            PodsSpec::PerNode(n) => n,
            PodsSpec::Total(_) if m.nodes == 0 => 0,
            PodsSpec::Total(t) => t.div_ceil(m.nodes),
            PodsSpec::Full => m.shape.max_pods.saturating_sub(host),
        };
        let load = NodeLoad {
            pods: m.pods_per_node,
            branch_pods: branch,
            host_network_pods: host,
            max_pods: m.shape.max_pods,
        };
        let pool = pool_of(&m.shape, cni, &load);
        m.addresses_per_node = pool.node_subnet.addresses() + pool.pod_subnet.addresses();
    }
    let total = |m: &Member| {
        if m.nodes == 0 {
            0
        } else {
            m.addresses_per_node * u64::from(m.nodes.saturating_add(surge))
        }
    };
    let mut worst = 0;
    let mut best = None::<usize>;
    for (i, m) in group.members.iter().enumerate() {
        if total(m) > total(&group.members[worst]) {
            worst = i;
        }
        if m.nodes > 0 && best.is_none_or(|b| total(m) <= total(&group.members[b])) {
            best = Some(i);
        }
    }
    group.worst = worst;
    group.best = best.unwrap_or(worst);
}

fn scenario(cx: &Ctx<'_>, spec: &ScenarioSpec, plan: &Plan) -> Result<Scenario, PlanError> {
    let mut s = Scenario::peak(plan);
    if let Some(d) = spec.duration {
        if d == 0 || d > MAX_DURATION_SECONDS {
            return Err(cx.err(
                "simulate.duration",
                format!("duration {d}s is out of range: give 1s to 7d (e.g. 2h)"),
            ));
        }
        s.duration = Some(d);
    }
    s.seed = spec.seed.unwrap_or(s.seed);
    if let Some(t) = spec.tick {
        if !(1..=60).contains(&t) {
            return Err(cx.err(
                "simulate.tick",
                format!("tick {t}s is out of range: give 1s to 60s (ipamd checks every 5s)"),
            ));
        }
        s.tick = std::num::NonZeroU32::new(t).unwrap_or(std::num::NonZeroU32::MIN);
    }
    if let Some(d) = s.duration
        && d < s.tick.get()
    {
        return Err(cx.err(
            "simulate.duration",
            format!(
                "duration {d}s is shorter than one tick ({}s): nothing would be simulated; give at least {}s",
                s.tick, s.tick
            ),
        ));
    }
    s.placement = spec.placement.unwrap_or(SinglePlacement::Random);
    // own events: ipamd's pod address order unless told; the peak events keep the closed form's order
    let default_order = if spec.events.is_some() {
        PodAddressOrder::Ipamd
    } else {
        PodAddressOrder::Packed
    };
    s.pod_addresses = spec.pod_addresses.unwrap_or(default_order);
    let longest = |path: String, t: u32| {
        cx.at_most(
            path,
            t,
            MAX_DURATION_SECONDS,
            "that is longer than the longest simulation (7d, in seconds): give a shorter time",
        )
    };
    s.wait_threshold = spec
        .wait_threshold
        .unwrap_or(DEFAULT_WAIT_THRESHOLD_SECONDS);
    longest("simulate.wait_threshold".to_string(), s.wait_threshold)?;
    if let Some(t) = spec.sample {
        if t == 0 {
            return Err(cx.err(
                "simulate.sample",
                "sample must be at least 1s: give e.g. 60s",
            ));
        }
        longest("simulate.sample".to_string(), t)?;
        s.sample = std::num::NonZeroU32::new(t).unwrap_or(std::num::NonZeroU32::MIN);
    }
    let Some(events) = &spec.events else {
        return Ok(s);
    };
    let groups: HashMap<&str, GroupId> = plan
        .node_groups
        .iter()
        .map(|g| (g.name.as_str(), g.id))
        .collect();
    let group_names: Vec<&str> = plan.node_groups.iter().map(|g| g.name.as_str()).collect();
    let mut out = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let at_path = |f: &str| format!("simulate.events[{i}].{f}");
        let at = e.at;
        longest(at_path("at"), at)?;
        if let Some(d) = s.duration
            && at > d
        {
            return Err(cx.err(
                at_path("at"),
                format!(
                    "event at {at}s is after the end of the simulation ({d}s): move it or raise simulate.duration"
                ),
            ));
        }
        let resolve = |kind: &str, name: &str| -> Result<GroupId, PlanError> {
            groups.get(name).copied().ok_or_else(|| {
                let hint = match suggest(name, &group_names) {
                    Some(s) => format!("did you mean '{s}'?"),
                    None if group_names.is_empty() => {
                        "the plan has no node_groups: add one".to_string()
                    }
                    None => known_list(name, &group_names, "node groups"),
                };
                cx.err(
                    at_path(&format!("{kind}.node_group")),
                    format!("unknown node group '{name}' ({hint})"),
                )
            })
        };
        let kind = match &e.kind {
            EventSpecKind::Scale { node_group, nodes } => {
                cx.at_most(
                    at_path("scale.nodes"),
                    *nodes,
                    MAX_NODES,
                    "more nodes than the largest VPC (50 blocks of /16) has addresses: give the node count",
                )?;
                EventKind::Scale {
                    group: resolve("scale", node_group)?,
                    nodes: *nodes,
                }
            }
            EventSpecKind::Deploy {
                node_group,
                pods,
                arrival,
            } => EventKind::Deploy {
                group: resolve("deploy", node_group)?,
                pods: *pods,
                arrival: arrival.unwrap_or(Arrival::Burst),
            },
            EventSpecKind::Churn {
                node_group,
                per_minute,
                until,
            } => {
                if !(per_minute.is_finite() && (0.0..=10_000_000.0).contains(per_minute)) {
                    return Err(cx.err(
                        at_path("churn.per_minute"),
                        "expected a number of pod replacements per minute from 0 to 10000000, such as 60",
                    ));
                }
                if let Some(u) = until
                    && *u < at
                {
                    return Err(cx.err(
                        at_path("churn.until"),
                        format!(
                            "until {u}s is before the event's start at {at}s: give a later time"
                        ),
                    ));
                }
                if let (Some(u), Some(d)) = (until, s.duration)
                    && *u > d
                {
                    return Err(cx.err(
                        at_path("churn.until"),
                        format!(
                            "until {u}s is after the end of the simulation ({d}s): the churn would be cut short; \
                             lower it or raise simulate.duration"
                        ),
                    ));
                }
                if until.is_none() && s.duration.is_none() {
                    return Err(cx.err(
                        format!("simulate.events[{i}]"),
                        "churn without 'until' never settles: give churn.until or simulate.duration",
                    ));
                }
                EventKind::Churn {
                    group: resolve("churn", node_group)?,
                    per_minute: *per_minute,
                    until: *until,
                }
            }
            EventSpecKind::RollingUpdate {
                node_group,
                surge,
                drain_seconds,
            } => {
                let g = resolve("rolling_update", node_group)?;
                if *surge == Some(0) {
                    return Err(cx.err(
                        at_path("rolling_update.surge"),
                        "must be at least 1: a rolling update launches new nodes first",
                    ));
                }
                if let Some(n) = surge {
                    cx.at_most(
                        at_path("rolling_update.surge"),
                        *n,
                        MAX_NODES,
                        "more nodes than the largest VPC (50 blocks of /16) has addresses: give the surge",
                    )?;
                }
                if let Some(d) = drain_seconds {
                    longest(at_path("rolling_update.drain_seconds"), *d)?;
                }
                EventKind::RollingUpdate {
                    group: g,
                    surge: surge.unwrap_or_else(|| plan.group(g).surge.max(1)),
                    drain_seconds: drain_seconds.unwrap_or(60),
                }
            }
            EventSpecKind::SwitchMode { node_group, mode } => EventKind::SwitchMode {
                group: resolve("switch_mode", node_group)?,
                mode: *mode,
            },
            EventSpecKind::Ecs {
                service,
                tasks,
                release_after,
            } => {
                let names: Vec<&str> = plan.ecs_services.iter().map(|e| e.name.as_str()).collect();
                let Some(k) = names.iter().position(|n| n == service) else {
                    let hint = match suggest(service, &names) {
                        Some(s) => format!("did you mean '{s}'?"),
                        None if names.is_empty() => {
                            "the plan has no ecs_services: add the service there".to_string()
                        }
                        None => known_list(service, &names, "services"),
                    };
                    return Err(cx.err(
                        at_path("ecs.service"),
                        format!("unknown ECS service '{service}' ({hint})"),
                    ));
                };
                let e = &plan.ecs_services[k];
                if e.network_mode != crate::plan::EcsNetworkMode::Awsvpc {
                    return Err(cx.err(
                        at_path("ecs.service"),
                        format!(
                            "'{service}' runs in {} mode: its tasks hold no addresses of their own, so the event \
                             changes nothing; drop it, or set the service's network_mode to awsvpc",
                            match e.network_mode {
                                crate::plan::EcsNetworkMode::Bridge => "bridge",
                                _ => "host",
                            }
                        ),
                    ));
                }
                cx.at_most(
                    at_path("ecs.tasks"),
                    *tasks,
                    MAX_ECS_TASKS,
                    "more tasks than ipplan plans for one service: check the number",
                )?;
                if let Some(r) = release_after {
                    cx.at_most(
                        at_path("ecs.release_after"),
                        *r,
                        MAX_ECS_RELEASE_SECONDS,
                        "longer than ECS holds a stopped task's ENI (a load balancer's deregistration delay of \
                         at most 3600s plus a stopTimeout of at most 120s, in seconds): give a shorter time",
                    )?;
                }
                EventKind::Ecs {
                    service: k,
                    tasks: *tasks,
                    release_after: release_after.unwrap_or(DEFAULT_ECS_RELEASE_SECONDS),
                }
            }
        };
        out.push(Event { at, kind });
    }
    out.sort_by_key(|e| e.at);
    s.events = out;
    // the scenario's work, bounded together: nodes x ticks and the replacements churn asks for
    let work = s.work(plan);
    if work.replacements > MAX_SIM_REPLACEMENTS {
        return Err(cx.err(
            "simulate.events",
            format!(
                "the churn events ask for {} pod replacements in all, more than {MAX_SIM_REPLACEMENTS} (about 10 \
                 to 20 s of simulation): lower churn.per_minute, or split the run into shorter simulations \
                 (simulate.duration, churn.until)",
                work.replacements
            ),
        ));
    }
    if work.node_ticks > MAX_SIM_NODE_TICKS {
        return Err(cx.err(
            "simulate.duration",
            format!(
                "up to {} nodes for {} ticks is {} node-ticks, more than {MAX_SIM_NODE_TICKS}: split the run into \
                 shorter simulations, or raise simulate.tick",
                work.node_ticks / (u64::from(s.end()).div_ceil(u64::from(s.tick.get())).max(1)),
                u64::from(s.end()).div_ceil(u64::from(s.tick.get())).max(1),
                work.node_ticks
            ),
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::first_overlap;
    use ipnet::Ipv4Net;

    fn nets(v: &[&str]) -> Vec<Ipv4Net> {
        v.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn overlaps_found_in_either_order() {
        // brute force over every pair as the oracle
        let cases = [
            vec!["10.0.0.0/24", "10.0.1.0/24", "10.0.0.128/25"],
            vec!["10.0.0.128/25", "10.0.0.0/24"],
            vec!["10.0.0.0/24", "10.0.0.0/24"],
            vec!["10.0.2.0/24", "10.0.0.0/22"],
            vec!["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/23"],
        ];
        for c in cases {
            let n = nets(&c);
            let brute = (0..n.len()).find_map(|i| {
                (0..i)
                    .find(|&j| n[i].contains(&n[j].network()) || n[j].contains(&n[i].network()))
                    .map(|j| (i, j))
            });
            assert_eq!(first_overlap(n.iter().copied()), brute, "{c:?}");
        }
    }
}
