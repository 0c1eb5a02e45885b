//! What-if comparison: the same cluster on other subnet layouts, side by side.
//!
//! A [`Layout`] rewrites a plan's subnets; [`compare`] checks the plan as written and on each layout, and finds
//! the smallest subnet size that holds the peak with the plan's `headroom_percent` to spare.

use std::fmt;
use std::str::FromStr;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::capacity::check::{Report, check};
use crate::error::PlanError;
use crate::plan::{
    CniSpec, LONGEST_SUBNET_PREFIX, Plan, SHORTEST_SUBNET_PREFIX, SubnetRole, SubnetSpec,
};
use crate::report::Finding;

/// A subnet layout to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every subnet of the plan at this prefix length (`--layout 24`).
    PrefixLen(u8),
    /// Custom networking with this secondary CIDR split evenly across the plan's AZs as pod subnets
    /// (`--layout 100.64.0.0/16`).
    SecondaryCidr(Ipv4Net),
    /// An IPv6 cluster on the same subnets: pods take IPv6 from each node's /80, a node one IPv4 address
    /// (`--layout ipv6`).
    Ipv6,
}

impl FromStr for Layout {
    type Err = String;

    /// `24` or `/24` for a prefix length, `100.64.0.0/16` for a secondary CIDR.
    ///
    /// ```
    /// use ipplan_planner::Layout;
    /// assert_eq!("/20".parse::<Layout>(), Ok(Layout::PrefixLen(20)));
    /// assert!(matches!("100.64.0.0/16".parse::<Layout>(), Ok(Layout::SecondaryCidr(_))));
    /// assert!("33".parse::<Layout>().is_err());
    /// assert_eq!("ipv6".parse::<Layout>(), Ok(Layout::Ipv6));
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("ipv6") {
            return Ok(Self::Ipv6);
        }
        let len = t.strip_prefix('/').unwrap_or(t);
        if let Ok(l) = len.parse::<u8>() {
            if (SHORTEST_SUBNET_PREFIX..=LONGEST_SUBNET_PREFIX).contains(&l) {
                return Ok(Self::PrefixLen(l));
            }
            return Err(format!(
                "layout '{s}': subnets are /{SHORTEST_SUBNET_PREFIX} to /{LONGEST_SUBNET_PREFIX}: give a prefix length in that range"
            ));
        }
        match t.parse::<Ipv4Net>() {
            Ok(net) if net.network() == net.addr() => Ok(Self::SecondaryCidr(net)),
            Ok(net) => Err(format!(
                "layout '{s}': '{net}' is not a network address: did you mean '{}'?",
                net.trunc()
            )),
            Err(_) => Err(format!(
                "layout '{s}': expected a prefix length such as 24, a CIDR such as 100.64.0.0/16, or ipv6"
            )),
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PrefixLen(l) => write!(f, "/{l} subnets"),
            Self::SecondaryCidr(c) => write!(f, "custom networking on {c}"),
            Self::Ipv6 => write!(f, "IPv6 on the same subnets"),
        }
    }
}

fn invalid(plan: &Plan, path: &str, message: String) -> PlanError {
    PlanError::Invalid {
        file: plan.file().to_string(),
        path: path.to_string(),
        message,
    }
}

/// Carve the `i`-th block of length `len` after `base`.
fn nth_block(base: Ipv4Net, len: u8, i: usize) -> Option<Ipv4Net> {
    let step = 1u64 << (32 - u32::from(len));
    let start = u64::from(u32::from(base.network())).checked_add(step.checked_mul(i as u64)?)?;
    let end = start + step - 1;
    if end > u64::from(u32::MAX) {
        return None;
    }
    Ipv4Net::new(std::net::Ipv4Addr::from(u32::try_from(start).ok()?), len).ok()
}

/// Move a subnet to `cidr`, keeping each reservation at the same offset where it still fits.
fn move_subnet(s: &SubnetSpec, cidr: Ipv4Net) -> SubnetSpec {
    let old = u32::from(s.cidr.network());
    let new = u32::from(cidr.network());
    let mut moved = s.clone();
    moved.cidr = cidr;
    moved.reservations = s
        .reservations
        .iter()
        .filter_map(|r| {
            let offset = u32::from(r.cidr.network()).checked_sub(old)?;
            let addr = std::net::Ipv4Addr::from(new.checked_add(offset)?);
            let net = Ipv4Net::new(addr, r.cidr.prefix_len()).ok()?;
            (cidr.contains(&net.network()) && cidr.contains(&net.broadcast())).then(|| {
                let mut r2 = *r;
                r2.cidr = net;
                r2
            })
        })
        .collect();
    moved
}

/// The plan with its subnets rewritten to `layout`, validated again. `vpc.cidrs` is dropped for the what-if
/// (the new ranges are hypothetical); reservations keep their offset from the start of their subnet where they
/// still fit.
///
/// # Errors
/// A [`PlanError::Invalid`] when the layout cannot be laid out (address space runs out, a secondary CIDR too
/// small for the AZs, the control plane on a `pods` subnet the layout replaces).
pub fn apply_layout(plan: &Plan, layout: Layout) -> Result<Plan, PlanError> {
    let mut spec = plan.spec().clone();
    spec.vpc = None;
    match layout {
        Layout::PrefixLen(len) => {
            let first = plan.subnets()[0].cidr();
            let base = Ipv4Net::new(first.network(), len)
                .map_err(|e| invalid(plan, "subnets", e.to_string()))?
                .trunc();
            let n = spec.subnets.len();
            for (i, s) in spec.subnets.iter_mut().enumerate() {
                let cidr = nth_block(base, len, i).ok_or_else(|| {
                    invalid(
                        plan,
                        &format!("subnets[{i}]"),
                        format!("no room for {n} /{len} subnets after {base}"),
                    )
                })?;
                *s = move_subnet(s, cidr);
            }
        }
        Layout::SecondaryCidr(cidr) => {
            // Drop the plan's own pods subnets, keep the rest, and add one pods subnet per AZ.
            if let Some(cp) = plan.control_plane() {
                for (si, &id) in cp.subnets().iter().enumerate() {
                    let s = plan.subnet(id);
                    if s.role() == SubnetRole::Pods {
                        return Err(invalid(
                            plan,
                            &format!("control_plane.subnets[{si}]"),
                            format!(
                                "subnet '{}' is a pods subnet that the layout replaces: give it role 'nodes' or 'both'",
                                s.name()
                            ),
                        ));
                    }
                }
            }
            let mut azs: Vec<&str> = Vec::new();
            for g in plan.node_groups() {
                for &s in g.subnets() {
                    let az = plan.subnet(s).az();
                    if !azs.contains(&az) {
                        azs.push(az);
                    }
                }
            }
            let parts_bits = (azs.len().max(1) as u32)
                .next_power_of_two()
                .trailing_zeros();
            let len = u32::from(cidr.prefix_len()) + parts_bits;
            let len = u8::try_from(len).unwrap_or(u8::MAX);
            if len > LONGEST_SUBNET_PREFIX {
                return Err(invalid(
                    plan,
                    "layout",
                    format!(
                        "{cidr} split over {} AZs gives /{len} subnets, smaller than /{LONGEST_SUBNET_PREFIX}: use a larger CIDR",
                        azs.len()
                    ),
                ));
            }
            // Subnets are /16 at most: each AZ gets the first /16 of its share when the share is larger.
            let sub_len = len.max(SHORTEST_SUBNET_PREFIX);
            spec.subnets
                .retain(|s| s.role.unwrap_or(SubnetRole::Both) != SubnetRole::Pods);
            for (i, az) in azs.iter().enumerate() {
                let share = nth_block(cidr, len, i).ok_or_else(|| {
                    invalid(
                        plan,
                        "layout",
                        format!("{cidr} cannot be split over {} AZs", azs.len()),
                    )
                })?;
                let net = Ipv4Net::new(share.network(), sub_len)
                    .map_err(|e| invalid(plan, "layout", e.to_string()))?;
                spec.subnets.push(SubnetSpec {
                    name: format!("pods-{az}"),
                    az: (*az).to_string(),
                    cidr: net,
                    ipv6_cidr: None,
                    role: Some(SubnetRole::Pods),
                    reservations: Vec::new(),
                    other_consumers: Vec::new(),
                    tags: std::collections::BTreeMap::new(),
                });
            }
            spec.cni
                .get_or_insert_with(CniSpec::default)
                .custom_networking = Some(true);
        }
        Layout::Ipv6 => {
            // the nodes stay where they are; the CNI refuses custom networking in IPv6 mode, so pods subnets go
            let c = spec.cni.get_or_insert_with(CniSpec::default);
            c.ip_family = Some(crate::plan::IpFamily::Ipv6);
            c.custom_networking = None;
            spec.subnets
                .retain(|s| s.role.unwrap_or(SubnetRole::Both) != SubnetRole::Pods);
        }
    }
    plan.with_spec(spec)
}

/// Most nodes a group could reach on a layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupReach {
    /// Node group.
    pub name: String,
    /// Peak nodes planned (nodes + surge).
    pub peak_nodes: u32,
    /// The most it could reach with the others at their peak.
    pub max_nodes: u64,
}

/// One layout's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayoutRow {
    /// `as planned`, `/24 subnets`, `custom networking on 100.64.0.0/16`.
    pub layout: String,
    /// The subnets it used.
    pub subnets: Vec<String>,
    /// Every subnet fits at peak.
    pub fits: bool,
    /// The highest `used / capacity` over the subnets, percent.
    pub peak_use_percent: f64,
    /// Per node group.
    pub node_groups: Vec<GroupReach>,
    /// The first thing that fails.
    pub first_failure: Option<Finding>,
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// [`crate::report::REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The plan file.
    pub plan: String,
    /// The headroom asked for.
    pub headroom_percent: u32,
    /// As planned first, then each layout in the order given.
    pub layouts: Vec<LayoutRow>,
    /// The longest prefix length (the smallest subnets) at which every subnet of the plan holds the peak with
    /// `headroom_percent` to spare; `None` when even /16 subnets do not.
    pub smallest_prefix_len: Option<u8>,
    /// A node-level limit no subnet size fixes (pods a node's ENIs cannot address), when the plan has one: then
    /// no size is suggested (`smallest_prefix_len` is `None`).
    pub node_limit: Option<Finding>,
}

fn row(name: String, r: &Report) -> LayoutRow {
    LayoutRow {
        layout: name,
        subnets: r
            .subnets
            .iter()
            .map(|s| format!("{} {}", s.name, s.cidr))
            .collect(),
        fits: r.fits(),
        peak_use_percent: r.subnets.iter().map(|s| s.use_percent).fold(0.0, f64::max),
        node_groups: r
            .node_groups
            .iter()
            .map(|g| GroupReach {
                name: g.name.clone(),
                peak_nodes: g.peak_nodes,
                max_nodes: g.max_nodes,
            })
            .collect(),
        first_failure: r.verdict.first_failure.clone(),
    }
}

/// Whether a report fits with `headroom_percent` of every subnet's capacity to spare.
#[must_use]
pub fn fits_with_headroom(r: &Report, headroom_percent: u32) -> bool {
    let keep = 100u64.saturating_sub(u64::from(headroom_percent));
    r.fits() && r.subnets.iter().all(|s| s.used * 100 <= s.capacity * keep)
}

/// Compare the plan as written with each layout.
///
/// ```
/// use ipplan_core::Catalog;
/// use ipplan_planner::{Layout, Plan, compare};
/// let yaml = "
/// subnets: [{ name: a, az: eu-west-1a, cidr: 10.0.1.0/24 }, { name: b, az: eu-west-1b, cidr: 10.0.2.0/24 }]
/// node_groups: [{ name: g, instance_type: c6i.large, subnets: [a, b], nodes: 30, pods: 200 }]
/// ";
/// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
/// let c = compare(&plan, &[Layout::PrefixLen(20)])?;
/// assert!(!c.layouts[0].fits); // 15 nodes x 20 addresses = 300 > 251 in a /24
/// assert!(c.layouts[1].fits);
/// // 300 addresses with 20% to spare need 375 usable: a /23 (507)
/// assert_eq!(c.smallest_prefix_len, Some(23));
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
///
/// # Errors
/// As [`apply_layout`] and [`check`].
pub fn compare(plan: &Plan, layouts: &[Layout]) -> Result<Comparison, PlanError> {
    let planned = check(plan);
    // pods a node cannot address fail on every layout: say so instead of suggesting bigger subnets
    let node_limit = planned
        .findings
        .iter()
        .find(|f| {
            matches!(
                f.kind,
                crate::report::FindingKind::Failure(
                    crate::report::Failure::PodsWithoutAddress { .. }
                )
            )
        })
        .cloned();
    let mut rows = vec![row("as planned".to_string(), &planned)];
    for &l in layouts {
        let p = apply_layout(plan, l)?;
        rows.push(row(l.to_string(), &check(&p)));
    }
    let mut smallest = None;
    for len in (SHORTEST_SUBNET_PREFIX..=LONGEST_SUBNET_PREFIX).rev() {
        if node_limit.is_some() {
            break;
        }
        let Ok(p) = apply_layout(plan, Layout::PrefixLen(len)) else {
            continue;
        };
        if fits_with_headroom(&check(&p), plan.headroom_percent()) {
            smallest = Some(len);
            break;
        }
    }
    Ok(Comparison {
        schema_version: crate::report::REPORT_SCHEMA_VERSION,
        plan: plan.file().to_string(),
        headroom_percent: plan.headroom_percent(),
        layouts: rows,
        smallest_prefix_len: smallest,
        node_limit,
    })
}
