//! Reports as data: the [`Verdict`] that `check` and `simulate` share, and the [`Finding`]s behind it, each a
//! kind with its numbers; `Display` writes the prose.
//!
//! ## Wire format
//!
//! Every report (`ipplan check`, `compare`, `simulate` with `--format json` or `yaml`) is one object with
//! `schema_version` = [`REPORT_SCHEMA_VERSION`]. Within a version fields are only added, never renamed or
//! removed; a consumer should ignore fields it does not know.
//!
//! - `fits` (bool), `basis` (`"closed-form"` or `"simulated"`), `first_failure` (a finding object, or
//!   `null` when the plan fits): the [`Verdict`], at the top level of the report.
//! - A **finding** is an object: `severity` (`"error"` or `"warning"`), `subject` (what it is about, e.g.
//!   `subnet 'nodes-a' (10.0.0.0/24)`, `node group 'web'`, `plan`, `vpc`), `kind` (kebab-case, one per rule:
//!   see [`Failure`], [`PoolFinding`], [`crate::plan::PlanWarning`], [`VpcFinding`]), the
//!   kind's own numbers as fields, and `message`: the same as one line of prose. Tools read `kind` and the
//!   numbers; `message` is for people and may be reworded within a version.
//! - Numbers are addresses (single IPv4 addresses; a /28 prefix counts 16) unless the field says `prefixes`,
//!   `blocks`, `pods`, `nodes`, `enis` or `seconds`. Percentages have one decimal.
//! - No field repeats another: a node group's pool is under `pool`, its findings are in `findings`. A node
//!   group's own figures are those of the member it is judged on; `members` lists every instance type side by
//!   side (`worst` and `best` name two of them), and `pods_full` says the pods were planned full.
//! - A simulated verdict's failure kinds: `allocation-failed` (`t`, `subnet`, `cidr`, `node_group`, `error`,
//!   `free_addresses`, `free_prefix_blocks`), `pod-waited` (`t`, `node_group`, `wait_seconds`,
//!   `threshold_seconds`), `pods-pending` (`t`, `node_group`, `pods`, `pending_seconds`, `threshold_seconds`,
//!   `reason`: `max-pods` or `no-node-address`, `nodes`, `max_pods`), `pods-still-waiting` (`t`, `pods`,
//!   `threshold_seconds`), `pods-unschedulable` (`t`, `pods`), and, when every failed allocation was ipamd
//!   growing a pool and no pod was held up, `warm-pool-not-held` (`t`, `subnet`, `cidr`, `node_group`, `error`,
//!   `failed_allocations`, `threshold_seconds`, `free_addresses` and `free_prefix_blocks` at the end,
//!   `new_node_addresses`, `new_node_prefixes`, `next_error`: the EC2 error a new node's start would get, or
//!   `null`).
//! - The same input gives byte-identical output.

use std::fmt;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::plan::PlanWarning;
pub use crate::plan::PoolFinding;

/// The version of the reports' wire format (`schema_version` in JSON and YAML).
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// How a verdict was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The closed-form steady state at peak (`check`).
    ClosedForm,
    /// A tick-by-tick simulation of every node's ipamd (`simulate`, `check --simulate`).
    Simulated,
}

impl Basis {
    /// One line on how the verdict was reached, for people.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::ClosedForm => {
                "closed-form steady state at peak (nodes + surge); prefix blocks: worst case (every single address spoils a /28)"
            }
            Self::Simulated => {
                "simulated: ipamd control loop per node per tick (aws/amazon-vpc-cni-k8s pkg/ipamd/ipamd.go) over a /28-aware subnet allocator"
            }
        }
    }
}

/// Does the plan fit, how was that decided, and what fails first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Every subnet holds its peak and every pod gets an address.
    pub fits: bool,
    /// How the verdict was reached.
    pub basis: Basis,
    /// The first error finding, in report order; `None` when it fits.
    pub first_failure: Option<Finding>,
}

impl Verdict {
    /// The verdict of `findings`: it fits when none is an error; the first error is the first failure.
    #[must_use]
    pub fn from_findings(basis: Basis, findings: &[Finding]) -> Self {
        let first_failure = findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .cloned();
        Self {
            fits: first_failure.is_none(),
            basis,
            first_failure,
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan does not fit because of this.
    Error,
    /// Allowed, but worth a look.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// Why a plan does not fit: a kind and its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Failure {
    /// More addresses needed at peak than the subnet can hand out.
    Addresses {
        /// The subnet's name.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// Addresses needed at peak.
        needed: u64,
        /// Addresses it can hand out (size less the 5 AWS-reserved and explicit reservations).
        available: u64,
    },
    /// More single addresses than fit outside the subnet's reservations (EC2 puts no single address in one).
    SinglesOutsideReservations {
        /// The subnet's name.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// Single addresses needed (node and ENI primaries, secondary IPs, other consumers, control plane).
        singles: u64,
        /// Addresses outside reservations a single may take.
        available: u64,
    },
    /// EC2's `InsufficientCidrBlocks`: too few free aligned /28 blocks even with the single addresses packed.
    InsufficientCidrBlocks {
        /// The subnet's name.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// /28 prefixes needed.
        prefixes: u64,
        /// Free aligned /28 blocks at best.
        free_blocks_best_case: u64,
    },
    /// The risk of `InsufficientCidrBlocks`: too few free /28 blocks if the single addresses scatter.
    InsufficientCidrBlocksRisk {
        /// The subnet's name.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// /28 prefixes needed.
        prefixes: u64,
        /// Free aligned /28 blocks if every single address spoils its own block.
        free_blocks_worst_case: u64,
        /// Free aligned /28 blocks at best.
        free_blocks_best_case: u64,
    },
    /// Pods on each node of a group that get no address: the node cannot address them at all.
    PodsWithoutAddress {
        /// The node group.
        node_group: String,
        /// Pods per node without an address.
        pods: u32,
        /// Pods per node that need one.
        of: u32,
        /// ENIs the node attaches for pods and primaries (the trunk ENI not counted).
        enis: u32,
        /// Slots per ENI.
        slots_per_eni: u32,
        /// The kubelet's max pods.
        max_pods: u32,
        /// Whether a trunk ENI (security groups for pods) takes one of the type's ENIs.
        trunk: bool,
    },
    /// IPv6: more nodes than the subnet's /64 has /80 prefixes (one per node).
    Ipv6Prefixes {
        /// The subnet's name.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// Nodes (one /80 each) at peak.
        needed: u64,
        /// /80 prefixes in a /64: 65,536.
        available: u64,
    },
    /// Simulated: an EC2 allocation failed (ipamd could not hold the pool its settings ask for, a node could not
    /// launch, or a branch ENI got no address).
    AllocationFailed {
        /// Seconds from the start.
        t: u32,
        /// The subnet's name.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// The node group whose node asked.
        node_group: String,
        /// The EC2 error code: `InsufficientCidrBlocks` or `InsufficientFreeAddressesInSubnet`.
        error: String,
        /// Free single-eligible addresses in the subnet then.
        free_addresses: u64,
        /// Wholly free /28 blocks that could take a prefix then.
        free_prefix_blocks: u64,
    },
    /// Simulated: a pod waited longer than the threshold for an address.
    PodWaited {
        /// Seconds from the start (when the wait passed the threshold or ended).
        t: u32,
        /// The pod's node group.
        node_group: String,
        /// How long it waited.
        wait_seconds: u32,
        /// The threshold.
        threshold_seconds: u32,
    },
    /// Simulated: pods still waiting for an address at the end, beyond the threshold.
    PodsStillWaiting {
        /// The end, seconds from the start.
        t: u32,
        /// How many.
        pods: u64,
        /// The threshold.
        threshold_seconds: u32,
    },
    /// Simulated: every failed allocation was ipamd growing a node's pool (its warm targets), and no pod waited
    /// beyond the threshold or went without a node: the pool the settings ask for does not fit, and the next
    /// scale-up meets the subnet as it ends.
    WarmPoolNotHeld {
        /// Seconds from the start of the first failure.
        t: u32,
        /// The subnet of the first failure.
        subnet: String,
        /// Its CIDR.
        cidr: Ipv4Net,
        /// The node group whose node asked.
        node_group: String,
        /// The first failure's EC2 error code.
        error: String,
        /// ipamd's failed allocations in all subnets.
        failed_allocations: u64,
        /// The wait threshold no pod passed.
        threshold_seconds: u32,
        /// Free single-eligible addresses in the subnet at the end.
        free_addresses: u64,
        /// Wholly free /28 blocks that could take a prefix at the end.
        free_prefix_blocks: u64,
        /// Single addresses a new node of the group takes in this subnet when it starts (its primary and ENI
        /// primaries, its first secondary IPs).
        new_node_addresses: u64,
        /// /28 prefixes a new node of the group takes in this subnet when it starts.
        new_node_prefixes: u64,
        /// The EC2 error the next node's start would get here, or `None` when its start-up pool still fits.
        next_error: Option<String>,
    },
    /// Simulated: pods pending (not on any node) longer than the threshold because every node they may run on
    /// is at its max pods, or because no node could launch for want of an address. Time waiting for a node that
    /// is still launching does not count.
    PodsPending {
        /// Seconds from the start (when the first of them passed the threshold).
        t: u32,
        /// The pods' node group.
        node_group: String,
        /// Pods that passed the threshold then.
        pods: u64,
        /// The longest held-up time among the group's pending pods then, seconds.
        pending_seconds: u32,
        /// The threshold.
        threshold_seconds: u32,
        /// Why no node took them.
        reason: PendingReason,
        /// The group's live nodes then.
        nodes: u32,
        /// The kubelet's max pods on them.
        max_pods: u32,
    },
    /// Simulated: pods no node could take at the end (max pods, or no ready node).
    PodsUnschedulable {
        /// The end, seconds from the start.
        t: u32,
        /// How many.
        pods: u64,
    },
}

/// Why pending pods found no node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PendingReason {
    /// Every live node of the group is at its max pods (kube-scheduler: `Too many pods`).
    MaxPods,
    /// New nodes could not launch: no free address for their primary (`InsufficientFreeAddressesInSubnet`), and
    /// every live node is at its max pods.
    NoNodeAddress,
}

impl PendingReason {
    /// `max-pods` or `no-node-address`, as in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MaxPods => "max-pods",
            Self::NoNodeAddress => "no-node-address",
        }
    }
}

impl Failure {
    /// What the failure is about, e.g. `subnet 'a' (10.0.0.0/24)` or `node group 'web'`.
    #[must_use]
    pub fn subject(&self) -> String {
        match self {
            Self::Addresses { subnet, cidr, .. }
            | Self::SinglesOutsideReservations { subnet, cidr, .. }
            | Self::InsufficientCidrBlocks { subnet, cidr, .. }
            | Self::InsufficientCidrBlocksRisk { subnet, cidr, .. } => {
                subnet_subject(subnet, *cidr)
            }
            Self::AllocationFailed { subnet, cidr, .. }
            | Self::WarmPoolNotHeld { subnet, cidr, .. }
            | Self::Ipv6Prefixes { subnet, cidr, .. } => subnet_subject(subnet, *cidr),
            Self::PodsWithoutAddress { node_group, .. }
            | Self::PodWaited { node_group, .. }
            | Self::PodsPending { node_group, .. } => format!("node group '{node_group}'"),
            Self::PodsStillWaiting { .. } | Self::PodsUnschedulable { .. } => "pods".to_string(),
        }
    }
}

/// `subnet 'a' (10.0.0.0/24)`, or `subnet 10.0.0.0/24` when the subnet is named by its CIDR.
#[must_use]
pub fn subnet_subject(name: &str, cidr: Ipv4Net) -> String {
    if name == cidr.to_string() {
        format!("subnet {cidr}")
    } else {
        format!("subnet '{name}' ({cidr})")
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Addresses {
                needed, available, ..
            } => write!(
                f,
                "{needed} addresses needed at peak, {available} available ({} short)",
                needed.saturating_sub(*available)
            ),
            Self::SinglesOutsideReservations {
                singles, available, ..
            } => write!(
                f,
                "{singles} single addresses (node and ENI primaries, secondary IPs, other consumers) do not fit \
                 in the {available} outside the reservations"
            ),
            Self::InsufficientCidrBlocks {
                prefixes,
                free_blocks_best_case,
                ..
            } => write!(
                f,
                "InsufficientCidrBlocks: {prefixes} /28 prefixes needed, at most {free_blocks_best_case} free \
                 aligned blocks even with single addresses packed"
            ),
            Self::InsufficientCidrBlocksRisk {
                prefixes,
                free_blocks_worst_case,
                free_blocks_best_case,
                ..
            } => write!(
                f,
                "InsufficientCidrBlocks risk: {prefixes} /28 prefixes needed, {free_blocks_worst_case} free \
                 aligned blocks if single addresses scatter (best case {free_blocks_best_case}): add a prefix \
                 reservation (create-subnet-cidr-reservation --reservation-type prefix) or a dedicated pod subnet"
            ),
            Self::PodsWithoutAddress {
                pods,
                of,
                enis,
                slots_per_eni,
                max_pods,
                trunk,
                ..
            } => {
                let trunk = if *trunk {
                    " beside the trunk ENI for security groups for pods"
                } else {
                    ""
                };
                write!(
                    f,
                    "{pods} of {of} pods per node get no address ({enis} ENIs x {slots_per_eni} slots{trunk}, max \
                     pods {max_pods}): use a larger type, more nodes, or prefix delegation"
                )
            }
            Self::Ipv6Prefixes {
                needed, available, ..
            } => write!(
                f,
                "{needed} nodes need a /80 prefix each and the subnet's /64 has {available}: spread the nodes over \
                 more subnets"
            ),
            Self::AllocationFailed {
                t,
                node_group,
                error,
                free_addresses,
                free_prefix_blocks,
                ..
            } => write!(
                f,
                "t={t}s: {error} for {} with {free_addresses} free addresses and {free_prefix_blocks} free /28 \
                 blocks",
                requester(node_group)
            ),
            Self::PodWaited {
                t,
                wait_seconds,
                threshold_seconds,
                ..
            } => write!(
                f,
                "t={t}s: a pod waited {wait_seconds}s for an address (threshold {threshold_seconds}s)"
            ),
            Self::PodsStillWaiting {
                t,
                pods,
                threshold_seconds,
            } => write!(
                f,
                "t={t}s: {pods} pods waiting beyond {threshold_seconds}s for an address at the end"
            ),
            Self::WarmPoolNotHeld {
                t,
                node_group,
                error,
                failed_allocations,
                threshold_seconds,
                free_addresses,
                free_prefix_blocks,
                new_node_addresses,
                new_node_prefixes,
                next_error,
                ..
            } => {
                write!(
                    f,
                    "ipamd could not hold its warm pool: {failed_allocations} failed allocations (the first \
                     t={t}s, {error} for node group '{node_group}'); no pod waited beyond {threshold_seconds}s or \
                     went without a node. The next scale-up "
                )?;
                let prefixes = if *new_node_prefixes > 0 {
                    format!(" and {new_node_prefixes} /28 prefixes")
                } else {
                    String::new()
                };
                match next_error {
                    Some(e) => write!(f, "would hit {e}: ")?,
                    None => write!(f, "still starts: ")?,
                }
                write!(
                    f,
                    "a new '{node_group}' node takes {new_node_addresses} addresses{prefixes} here at start and \
                     the subnet ends with {free_addresses} free addresses and {free_prefix_blocks} free /28 blocks"
                )
            }
            Self::PodsPending {
                t,
                pods,
                pending_seconds,
                threshold_seconds,
                reason,
                nodes,
                max_pods,
                ..
            } => match reason {
                PendingReason::MaxPods => write!(
                    f,
                    "t={t}s: {pods} pods pending {pending_seconds}s (threshold {threshold_seconds}s): all {nodes} \
                     nodes are at max pods {max_pods} (kube-scheduler: Too many pods); add nodes or raise max pods"
                ),
                PendingReason::NoNodeAddress => write!(
                    f,
                    "t={t}s: {pods} pods pending {pending_seconds}s (threshold {threshold_seconds}s): the {nodes} \
                     nodes are at max pods {max_pods} and new nodes cannot launch for want of an address"
                ),
            },
            Self::PodsUnschedulable { t, pods } => write!(
                f,
                "t={t}s: {pods} pods found no node (max pods, or no ready node)"
            ),
        }
    }
}

/// A VPC-wide finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum VpcFinding {
    /// Network Address Usage above the default quota per VPC.
    NetworkAddressUsageAboveQuota {
        /// Units at peak.
        used: u64,
        /// The default quota.
        quota: u64,
    },
}

impl fmt::Display for VpcFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NetworkAddressUsageAboveQuota { used, quota } => write!(
                f,
                "network address usage {used} exceeds the default quota of {quota} per VPC: request an increase \
                 (adjustable to 256,000) or use prefix delegation (a prefix counts 1)"
            ),
        }
    }
}

/// What a finding says, by where it comes from; each serialises as `kind` plus its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum FindingKind {
    /// Why the plan does not fit.
    Failure(Failure),
    /// About one node group's pool.
    Node(PoolFinding),
    /// About the plan as written.
    Plan(PlanWarning),
    /// About the whole VPC.
    Vpc(VpcFinding),
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failure(x) => x.fmt(f),
            Self::Node(x) => x.fmt(f),
            Self::Plan(x) => x.fmt(f),
            Self::Vpc(x) => x.fmt(f),
        }
    }
}

/// One thing a report found: severity, subject, kind with numbers, and the prose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// What it is about: `subnet 'nodes-a' (10.0.0.0/24)`, `node group 'web'`, `plan`, `vpc`.
    pub subject: String,
    /// The kind and its numbers.
    #[serde(flatten)]
    pub kind: FindingKind,
    /// `kind` as one line of prose.
    pub message: String,
}

impl Finding {
    /// A finding; the message is `kind`'s prose.
    #[must_use]
    pub fn new(severity: Severity, subject: String, kind: FindingKind) -> Self {
        let message = kind.to_string();
        Self {
            severity,
            subject,
            kind,
            message,
        }
    }

    /// The kind's name as the wire format writes it (`addresses`, `pods-without-address`, ...).
    ///
    /// ```
    /// use ipplan_planner::report::{Failure, Finding};
    /// let f = Finding::failure(Failure::Addresses {
    ///     subnet: "a".into(), cidr: "10.0.0.0/24".parse().unwrap(), needed: 304, available: 251,
    /// });
    /// assert_eq!(f.kind_name(), "addresses");
    /// assert_eq!(f.to_string(), "error: subnet 'a' (10.0.0.0/24): 304 addresses needed at peak, 251 available (53 short)");
    /// ```
    #[must_use]
    pub fn kind_name(&self) -> String {
        serde_json::to_value(&self.kind)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str().map(str::to_string)))
            .unwrap_or_default()
    }

    /// An error finding for `failure`.
    #[must_use]
    pub fn failure(failure: Failure) -> Self {
        Self::new(
            Severity::Error,
            failure.subject(),
            FindingKind::Failure(failure),
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.severity.as_str(),
            self.subject,
            self.message
        )
    }
}

/// Who asked for the addresses of a failed allocation, for messages: `ecs:NAME` (an ECS service's tasks, played
/// by `ecs` events) is `ECS service 'NAME'`, [`OTHER_CONSUMERS`] is the subnet's other consumers and control
/// plane, anything else `node group 'NAME'`.
pub(crate) fn requester(name: &str) -> String {
    if name == OTHER_CONSUMERS {
        return "the subnet's other consumers and control plane".to_string();
    }
    match name.strip_prefix("ecs:") {
        Some(service) => format!("ECS service '{service}'"),
        None => format!("node group '{name}'"),
    }
}

/// The requester of the addresses other consumers and the control plane take at the start of a simulation.
pub(crate) const OTHER_CONSUMERS: &str = "(other consumers)";
