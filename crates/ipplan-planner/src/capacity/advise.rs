//! When a plan does not fit: candidate changes, each applied to the plan's spec, validated again, re-checked by
//! the closed form (and by the simulation when asked), and ranked by how disruptive it is to make.
//!
//! The kinds, least disruptive first:
//! 1. `cni_settings`: `WARM_IP_TARGET` / `MINIMUM_IP_TARGET` (a `kubectl set env` on `aws-node`): the pool holds
//!    the pods plus a few warm addresses instead of whole warm ENIs or prefixes. More EC2 API calls under churn,
//!    which AWS warns can throttle (aws/amazon-vpc-cni-k8s `docs/eni-and-ip-target.md`).
//! 2. `prefix_reservation`: subnet CIDR reservations of type `prefix` (`aws ec2 create-subnet-cidr-reservation`),
//!    the fewest /28 blocks that make the worst case hold, as few aligned CIDRs as those blocks need.
//! 3. `node_limit`: what no subnet fixes (pods beyond what a node's ENIs address, `max_pods` above them): the
//!    smallest larger type of the same family, or the max pods the ENIs can serve.
//! 4. `subnet_size`: the smallest subnets that hold the peak with the plan's headroom, as concrete CIDRs inside
//!    `vpc.cidrs` (new subnets: a migration).
//! 5. `custom_networking`: pods on a secondary CIDR (100.64.0.0/16 split per AZ, one ENIConfig each).
//! 6. `ipv6`: an IPv6 cluster on the same subnets: a node takes one IPv4 address, its pods none (a new cluster:
//!    EKS cannot change a cluster's IP family).

use std::fmt::Write as _;

use ipnet::Ipv4Net;
use ipplan_core::{AddressMode, Catalog};
use serde::Serialize;

use crate::capacity::check::{Report, check};
use crate::capacity::compare::{Layout, apply_layout, fits_with_headroom};
use crate::plan::{
    CniSpec, LONGEST_SUBNET_PREFIX, MaxPodsSpec, Plan, PlanSpec, ReservationSpec, ReservationType,
    SHORTEST_SUBNET_PREFIX, SubnetRole,
};
use crate::report::{Failure, FindingKind, PoolFinding};

/// What a candidate changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// CNI environment variables on the `aws-node` daemonset.
    CniSettings,
    /// Subnet CIDR reservations of type `prefix`.
    PrefixReservation,
    /// An instance type or max-pods change for node-level limits.
    NodeLimit,
    /// Bigger subnets.
    SubnetSize,
    /// Custom networking on a secondary CIDR.
    CustomNetworking,
    /// An IPv6 cluster: what it would take from IPv4.
    Ipv6,
}

/// One candidate change, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// What it changes.
    pub kind: CandidateKind,
    /// One line for people.
    pub summary: String,
    /// The closed-form verdict of the changed plan.
    pub fits: bool,
    /// The smallest subnet headroom of the changed plan (addresses).
    pub headroom: i64,
    /// The addresses the changed plan uses, all subnets together (the original's in [`Advice::used`]).
    pub used: u64,
    /// The simulated verdict of the changed plan, when asked for.
    pub simulated_fits: Option<bool>,
    /// Pods that waited beyond the threshold in that simulation.
    pub simulated_pods_waited: Option<u64>,
    /// What to do: the commands or manifests, one per line.
    pub apply: Vec<String>,
    /// The whole changed plan, as the plan reader accepts it.
    pub plan: PlanSpec,
}

/// The result of [`advise`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    /// The plan file.
    pub plan: String,
    /// Whether the plan as written fits (closed form).
    pub fits: bool,
    /// The addresses the plan uses as written, all subnets together.
    pub used: u64,
    /// Candidates that fit first, then by kind (least disruptive first), then by addresses used.
    pub candidates: Vec<Candidate>,
}

/// How [`advise`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdviseOptions {
    /// Also simulate each candidate (the plan's scenario, or its peak) and keep only CNI settings under which no
    /// pod waits beyond the threshold.
    pub simulate: bool,
}

fn min_headroom(r: &Report) -> i64 {
    r.subnets.iter().map(|s| s.headroom).min().unwrap_or(0)
}

fn used(r: &Report) -> u64 {
    r.subnets.iter().map(|s| s.used).sum()
}

/// Check a changed spec and make it a candidate (`None` when the spec is not a valid plan).
fn candidate(
    plan: &Plan,
    catalog: &Catalog,
    kind: CandidateKind,
    summary: String,
    apply: Vec<String>,
    spec: PlanSpec,
    options: AdviseOptions,
) -> Option<Candidate> {
    let changed = Plan::from_spec(spec, plan.file(), catalog).ok()?;
    let r = check(&changed);
    let (simulated_fits, simulated_pods_waited) = if options.simulate && r.fits() {
        let s = crate::sim::simulate(&changed, &changed.scenario());
        (Some(s.fits()), Some(s.pods.waited_beyond_threshold))
    } else {
        (None, None)
    };
    Some(Candidate {
        kind,
        summary,
        fits: r.fits(),
        headroom: min_headroom(&r),
        used: used(&r),
        simulated_fits,
        simulated_pods_waited,
        apply,
        plan: changed.spec().clone(),
    })
}

/// Candidate changes for `plan`, each checked; see the module docs.
///
/// ```
/// use ipplan_core::Catalog;
/// use ipplan_planner::Plan;
/// use ipplan_planner::capacity::{AdviseOptions, CandidateKind, advise};
/// // 30 c6i.large, 200 pods on two /24s: 304 of 251 each with the shipped WARM_ENI_TARGET=1
/// let yaml = "
/// subnets: [{ name: a, az: z1, cidr: 10.0.1.0/24 }, { name: b, az: z2, cidr: 10.0.2.0/24 }]
/// control_plane: { subnets: [a, b] }
/// node_groups: [{ name: g, instance_type: c6i.large, subnets: [a, b], nodes: 30, pods: 200 }]
/// ";
/// let cat = Catalog::embedded();
/// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &cat)?;
/// let advice = advise(&plan, &cat, AdviseOptions::default());
/// let top = &advice.candidates[0];
/// assert_eq!(top.kind, CandidateKind::CniSettings);
/// // WARM_IP_TARGET=2, MINIMUM_IP_TARGET=9: each node 1 + 9 addresses, 15 x 10 + 4 = 154 of 251
/// assert!(top.fits);
/// assert_eq!(top.headroom, 251 - 154);
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
#[must_use]
pub fn advise(plan: &Plan, catalog: &Catalog, options: AdviseOptions) -> Advice {
    let report = check(plan);
    let mut out = Vec::new();
    out.extend(cni_settings(plan, catalog, &report, options));
    out.extend(prefix_reservations(plan, catalog, &report, options));
    out.extend(node_limits(plan, catalog, &report, options));
    out.extend(subnet_size(plan, catalog, options));
    out.extend(custom_networking(plan, catalog, options));
    out.extend(ipv6(plan, catalog, &report, options));
    // fitting first, then the least disruptive kind, then the fewest addresses
    out.sort_by(|a, b| {
        let ok = |c: &Candidate| c.fits && c.simulated_fits != Some(false);
        ok(b)
            .cmp(&ok(a))
            .then(a.kind.cmp(&b.kind))
            .then(a.used.cmp(&b.used))
    });
    Advice {
        plan: plan.file().to_string(),
        fits: report.fits(),
        used: used(&report),
        candidates: out,
    }
}

/// The fullest node's pods over all groups.
fn max_pods_per_node(plan: &Plan) -> u32 {
    plan.node_groups()
        .iter()
        .map(crate::plan::NodeGroup::pods_per_node)
        .max()
        .unwrap_or(0)
}

fn cni_settings(
    plan: &Plan,
    catalog: &Catalog,
    report: &Report,
    options: AdviseOptions,
) -> Vec<Candidate> {
    let cni = plan.cni();
    if plan.node_groups().is_empty() {
        return Vec::new();
    }
    // WARM_IP_TARGET=w and MINIMUM_IP_TARGET = the fullest node's pods + w: at peak each node holds its pods and
    // w warm addresses (or the /28s they need), and a new node starts with them.
    let ppn = max_pods_per_node(plan);
    let mut found = Vec::new();
    // without a simulation, at least 2 warm addresses (a replaced pod's address cools for 30 s); with one,
    // try 1 too and let the simulation decide
    let ws: &[u32] = if options.simulate {
        &[1, 2, 3, 5]
    } else {
        &[2, 3, 5]
    };
    for &w in ws {
        let m = ppn.saturating_add(w);
        if cni.warm_ip_target == Some(w) && cni.minimum_ip_target == Some(m) {
            continue;
        }
        let mut spec = plan.spec().clone();
        let c = spec.cni.get_or_insert_with(CniSpec::default);
        c.warm_ip_target = Some(w);
        c.minimum_ip_target = Some(m);
        let mode = if cni.mode == AddressMode::Prefix {
            " (prefix mode: in /28 units)"
        } else {
            ""
        };
        let apply = vec![format!(
            "kubectl set env daemonset aws-node -n kube-system WARM_IP_TARGET={w} MINIMUM_IP_TARGET={m}"
        )];
        let summary = format!(
            "set WARM_IP_TARGET={w} and MINIMUM_IP_TARGET={m}{mode}: each node holds its pods and {w} warm \
             addresses instead of warm ENIs; more EC2 API calls under churn (AWS warns this can throttle)"
        );
        if let Some(c) = candidate(
            plan,
            catalog,
            CandidateKind::CniSettings,
            summary,
            apply,
            spec,
            options,
        ) {
            let good = c.fits && c.simulated_fits != Some(false) && c.used < used(report);
            found.push((good, c));
        }
    }
    // the fewest addresses among those that fit (and simulate without waits); else the best try
    found.sort_by_key(|(good, c)| (!*good, c.used));
    found.into_iter().take(1).map(|(_, c)| c).collect()
}

/// The /28 blocks of `cidr` that a prefix reservation may take: not the first or last, not touching an
/// existing reservation. Returns block indexes.
fn reservable_blocks(cidr: Ipv4Net, taken: &[Ipv4Net]) -> Vec<u32> {
    let base = u32::from(cidr.network());
    let n = 1u32 << (LONGEST_SUBNET_PREFIX - cidr.prefix_len().min(LONGEST_SUBNET_PREFIX));
    (1..n.saturating_sub(1))
        .filter(|b| {
            let lo = base + b * 16;
            let hi = lo + 15;
            !taken.iter().any(|t| {
                let (s, e) = (u32::from(t.network()), u32::from(t.broadcast()));
                s <= hi && lo <= e
            })
        })
        .collect()
}

/// `count` blocks as few aligned CIDRs inside the reservable blocks: each step takes the largest aligned run of
/// free blocks that still fits in what is left (the highest such run, leaving the low addresses to singles).
/// `None` when the free blocks cannot make up `count`.
fn place_reservation(cidr: Ipv4Net, taken: &[Ipv4Net], count: u32) -> Option<Vec<Ipv4Net>> {
    let mut free: Vec<bool> = vec![false; 1usize << (LONGEST_SUBNET_PREFIX - cidr.prefix_len())];
    for b in reservable_blocks(cidr, taken) {
        free[b as usize] = true;
    }
    let base = u32::from(cidr.network());
    let mut left = count as usize;
    let mut out = Vec::new();
    while left > 0 {
        let mut placed = false;
        let mut size = 1usize << (usize::BITS - 1 - left.leading_zeros()); // the largest power of two <= left
        while size >= 1 && !placed {
            let mut start = free.len() / size * size;
            while start >= size {
                start -= size;
                if free[start..start + size].iter().all(|&f| f) {
                    free[start..start + size]
                        .iter_mut()
                        .for_each(|f| *f = false);
                    let bits = size.trailing_zeros();
                    let len = LONGEST_SUBNET_PREFIX - u8::try_from(bits).ok()?;
                    let addr = base + u32::try_from(start).ok()? * 16;
                    out.push(Ipv4Net::new(std::net::Ipv4Addr::from(addr), len).ok()?);
                    left -= size;
                    placed = true;
                    break;
                }
            }
            size /= 2;
        }
        if !placed {
            return None;
        }
    }
    out.sort();
    Some(out)
}

fn prefix_reservations(
    plan: &Plan,
    catalog: &Catalog,
    report: &Report,
    options: AdviseOptions,
) -> Vec<Candidate> {
    // the subnets that fail on /28 blocks
    let failing: Vec<usize> = report
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::Failure(
                Failure::InsufficientCidrBlocks { subnet, .. }
                | Failure::InsufficientCidrBlocksRisk { subnet, .. },
            ) => plan.subnets().iter().position(|s| s.name() == subnet),
            _ => None,
        })
        .collect();
    if failing.is_empty() {
        return Vec::new();
    }
    let mut spec = plan.spec().clone();
    let mut apply = Vec::new();
    let mut parts = Vec::new();
    for &i in &failing {
        let s = &plan.subnets()[i];
        let taken: Vec<Ipv4Net> = s.reservations().iter().map(|r| r.cidr).collect();
        let max = reservable_blocks(s.cidr(), &taken).len() as u32;
        // the fewest blocks with which this subnet's worst case holds
        let mut chosen = None;
        for count in 1..=max {
            let Some(cidrs) = place_reservation(s.cidr(), &taken, count) else {
                continue;
            };
            let mut trial = spec.clone();
            trial.subnets[i]
                .reservations
                .extend(cidrs.iter().map(|&c| ReservationSpec {
                    cidr: c,
                    kind: ReservationType::Prefix,
                }));
            let Ok(p) = Plan::from_spec(trial.clone(), plan.file(), catalog) else {
                continue;
            };
            if check(&p).subnets[i].fits {
                chosen = Some((count, cidrs, trial));
                break;
            }
        }
        let Some((count, cidrs, trial)) = chosen else {
            continue;
        };
        spec = trial;
        let list: Vec<String> = cidrs.iter().map(ToString::to_string).collect();
        parts.push(format!(
            "{}: {} ({count} /28 blocks)",
            s.name(),
            list.join(" + ")
        ));
        for (k, c) in cidrs.iter().enumerate() {
            apply.push(format!(
                "aws ec2 create-subnet-cidr-reservation --subnet-id <id of {}> --cidr {c} --reservation-type prefix",
                s.name()
            ));
            let mut tf = String::new();
            let _ = write!(
                tf,
                "resource \"aws_ec2_subnet_cidr_reservation\" \"{}_prefix_{k}\" {{ cidr_block = \"{c}\", \
                 reservation_type = \"prefix\", subnet_id = <id of {}> }}",
                tf_name(s.name()),
                s.name()
            );
            apply.push(tf);
        }
    }
    if parts.is_empty() {
        return Vec::new();
    }
    let summary = format!(
        "reserve /28 blocks for prefixes, the fewest that make the worst case hold: {}",
        parts.join("; ")
    );
    candidate(
        plan,
        catalog,
        CandidateKind::PrefixReservation,
        summary,
        apply,
        spec,
        options,
    )
    .into_iter()
    .collect()
}

/// A Terraform resource name from a subnet name.
fn tf_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn node_limits(
    plan: &Plan,
    catalog: &Catalog,
    report: &Report,
    options: AdviseOptions,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (gi, g) in report.node_groups.iter().enumerate() {
        let above = report.findings.iter().find_map(|f| match &f.kind {
            FindingKind::Node(PoolFinding::MaxPodsAboveEniCapacity {
                max_pods,
                eni_capacity,
            }) if f.subject == format!("node group '{}'", g.name) => {
                Some((*max_pods, *eni_capacity))
            }
            _ => None,
        });
        if let Some((max_pods, cap)) = above {
            let mut spec = plan.spec().clone();
            let cap = u32::try_from(cap).unwrap_or(u32::MAX);
            spec.node_groups[gi].max_pods = Some(MaxPodsSpec::Fixed(cap));
            let summary = format!(
                "node group '{}': lower max_pods from {max_pods} to {cap}, what its ENIs can address (no subnet \
                 size fixes this)",
                g.name
            );
            let apply = vec![format!(
                "kubelet maxPods: {cap} for node group '{}' (launch template, or Karpenter kubelet.maxPods)",
                g.name
            )];
            out.extend(candidate(
                plan,
                catalog,
                CandidateKind::NodeLimit,
                summary,
                apply,
                spec,
                options,
            ));
        }
        if g.pool.pods_without_address == 0 {
            continue;
        }
        // the smallest type of the same family (by ENI capacity) whose nodes address all their pods
        let this = plan.node_groups()[gi].instance();
        let family = this.name.split('.').next().unwrap_or("").to_string();
        let mut options_in_family: Vec<_> = catalog
            .iter()
            .filter(|t| t.name.split('.').next() == Some(family.as_str()))
            .filter(|t| t.enis * t.slots_per_eni() > this.enis * this.slots_per_eni())
            .collect();
        // the smallest: fewest pod addresses, then fewest vCPUs
        options_in_family.sort_by_key(|t| {
            (
                t.enis * t.slots_per_eni(),
                t.vcpus.count().unwrap_or(u32::MAX),
                t.name.clone(),
            )
        });
        for t in options_in_family {
            let mut spec = plan.spec().clone();
            spec.node_groups[gi].instance_type = t.name.to_string();
            let Ok(p) = Plan::from_spec(spec.clone(), plan.file(), catalog) else {
                continue;
            };
            if check(&p).node_groups[gi].pool.pods_without_address > 0 {
                continue;
            }
            let summary = format!(
                "node group '{}': use {} instead of {} so each node can address its {} pods (no subnet size \
                 fixes this)",
                g.name, t.name, this.name, g.pods_per_node
            );
            let apply = vec![format!(
                "instance type {} for node group '{}' (node group or NodePool)",
                t.name, g.name
            )];
            out.extend(candidate(
                plan,
                catalog,
                CandidateKind::NodeLimit,
                summary,
                apply,
                spec,
                options,
            ));
            break;
        }
    }
    out
}

/// The first aligned `/len` in `within` that overlaps none of `used`.
fn free_block(within: &[Ipv4Net], used: &[Ipv4Net], len: u8) -> Option<Ipv4Net> {
    for v in within {
        if v.prefix_len() > len {
            continue;
        }
        let step = 1u64 << (32 - u32::from(len));
        let mut a = u64::from(u32::from(v.network()));
        let end = u64::from(u32::from(v.broadcast()));
        while a + step - 1 <= end {
            let net = Ipv4Net::new(std::net::Ipv4Addr::from(u32::try_from(a).ok()?), len).ok()?;
            if !used
                .iter()
                .any(|u| u.contains(&net.network()) || net.contains(&u.network()))
            {
                return Some(net);
            }
            a += step;
        }
    }
    None
}

fn subnet_size(plan: &Plan, catalog: &Catalog, options: AdviseOptions) -> Vec<Candidate> {
    // the smallest prefix length at which the plan holds its peak with the headroom it asks for
    let mut len = None;
    for l in (SHORTEST_SUBNET_PREFIX..=LONGEST_SUBNET_PREFIX).rev() {
        if let Ok(p) = apply_layout(plan, Layout::PrefixLen(l))
            && fits_with_headroom(&check(&p), plan.headroom_percent())
        {
            len = Some(l);
            break;
        }
    }
    let Some(len) = len else {
        return Vec::new();
    };
    // grow only the subnets smaller than that, to concrete free ranges of the VPC's blocks where it has them
    let mut spec = plan.spec().clone();
    let mut taken: Vec<Ipv4Net> = plan.subnets().iter().map(|s| s.cidr()).collect();
    let mut moves = Vec::new();
    for (i, s) in plan.subnets().iter().enumerate() {
        if s.cidr().prefix_len() <= len || s.role() == SubnetRole::Pods {
            continue;
        }
        let new = if plan.vpc_cidrs().is_empty() {
            None
        } else {
            free_block(plan.vpc_cidrs(), &taken, len)
        };
        let Some(new) = new else {
            // no room in the VPC's blocks (or none given): the what-if layout's range, a new block
            return apply_layout(plan, Layout::PrefixLen(len))
                .ok()
                .and_then(|p| {
                    candidate(
                        plan,
                        catalog,
                        CandidateKind::SubnetSize,
                        format!(
                            "move every subnet to a /{len} (the smallest that holds the peak with {}% to spare); \
                             the VPC needs a new CIDR block for them",
                            plan.headroom_percent()
                        ),
                        vec![format!("new /{len} subnets, one per AZ, and a VPC CIDR block to hold them")],
                        p.spec().clone(),
                        options,
                    )
                })
                .into_iter()
                .collect();
        };
        taken.push(new);
        spec.subnets[i].cidr = new;
        spec.subnets[i].reservations.clear();
        moves.push(format!("{} {} -> {new}", s.name(), s.cidr()));
    }
    if moves.is_empty() {
        return Vec::new();
    }
    let summary = format!(
        "new /{len} subnets (the smallest that hold the peak with {}% to spare): {}",
        plan.headroom_percent(),
        moves.join(", ")
    );
    let apply = moves
        .iter()
        .map(|m| format!("create subnet {m} (then move the node group to it)"))
        .collect();
    candidate(
        plan,
        catalog,
        CandidateKind::SubnetSize,
        summary,
        apply,
        spec,
        options,
    )
    .into_iter()
    .collect()
}

fn custom_networking(plan: &Plan, catalog: &Catalog, options: AdviseOptions) -> Vec<Candidate> {
    if plan.cni().custom_networking || plan.node_groups().is_empty() {
        return Vec::new();
    }
    let cidr: Ipv4Net = "100.64.0.0/16".parse().unwrap_or_default();
    let Ok(p) = apply_layout(plan, Layout::SecondaryCidr(cidr)) else {
        return Vec::new();
    };
    let mut apply = vec![format!(
        "aws ec2 associate-vpc-cidr-block --vpc-id <vpc> --cidr-block {cidr}"
    )];
    for s in p.subnets().iter().filter(|s| s.role() == SubnetRole::Pods) {
        apply.push(format!(
            "aws ec2 create-subnet --vpc-id <vpc> --availability-zone {} --cidr-block {}",
            s.az(),
            s.cidr()
        ));
        apply.push(format!(
            "kubectl apply -f - <<EOF\napiVersion: crd.k8s.amazonaws.com/v1alpha1\nkind: ENIConfig\nmetadata:\n  \
             name: {}\nspec:\n  subnet: <id of {}>\n  securityGroups: [<node security group>]\nEOF",
            s.az(),
            s.name()
        ));
    }
    apply.push(
        "kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true \
         ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone"
            .to_string(),
    );
    candidate(
        plan,
        catalog,
        CandidateKind::CustomNetworking,
        format!(
            "custom networking: pods on {cidr}, one pod subnet and ENIConfig per AZ; nodes keep their subnets \
             (new nodes needed: existing ones keep their ENIs)"
        ),
        apply,
        p.spec().clone(),
        options,
    )
    .into_iter()
    .collect()
}

fn ipv6(
    plan: &Plan,
    catalog: &Catalog,
    report: &Report,
    _options: AdviseOptions,
) -> Vec<Candidate> {
    if plan.cni().ip_family == crate::plan::IpFamily::Ipv6 || plan.node_groups().is_empty() {
        return Vec::new();
    }
    let Ok(p) = apply_layout(plan, Layout::Ipv6) else {
        // e.g. a type the CNI cannot run IPv6 on
        return Vec::new();
    };
    let after = used(&check(&p));
    let mut apply = vec![
        "aws ec2 associate-vpc-cidr-block --vpc-id <vpc> --amazon-provided-ipv6-cidr-block"
            .to_string(),
    ];
    for s in p.subnets() {
        apply.push(format!(
            "aws ec2 associate-subnet-cidr-block --subnet-id <id of {}> --ipv6-cidr-block <a /64 of the VPC's /56>",
            s.name()
        ));
    }
    apply.push(
        "a new EKS cluster with kubernetesNetworkConfig.ipFamily: ipv6 (eksctl) or kubernetes_network_config \
         { ip_family = \"ipv6\" } (Terraform): a cluster's IP family cannot be changed"
            .to_string(),
    );
    let summary = format!(
        "an IPv6 cluster on the same subnets: each node takes one IPv4 address and its pods IPv6 from a /80, so \
         the cluster takes {after} IPv4 addresses instead of {} (a new cluster; no custom networking, and \
         security groups for pods are not available in IPv6 mode)",
        used(report)
    );
    candidate(
        plan,
        catalog,
        CandidateKind::Ipv6,
        summary,
        apply,
        p.spec().clone(),
        // the simulation models IPv4 pools: an IPv6 plan is checked by the closed form
        AdviseOptions { simulate: false },
    )
    .into_iter()
    .collect()
}
