//! The plan file (YAML or JSON), validated into one [`Plan`].
//!
//! # Format
//!
//! ```yaml
//! vpc:
//!   cidrs: [10.0.0.0/16, 100.64.0.0/16]   # optional; subnets must lie inside them
//! cni:                                     # all optional; defaults = the CNI's shipped manifest
//!   mode: prefix                           # secondary-ip (default) | prefix
//!   custom_networking: false
//!   version: "1.19.0"                      # quote it: a YAML number loses trailing zeros
//!   warm_eni_target: 1
//!   warm_ip_target: 5
//!   minimum_ip_target: 10
//!   warm_prefix_target: 1
//!   max_eni: 3
//!   pod_security_groups: false
//! subnets:
//!   - name: nodes-a
//!     az: us-east-1a
//!     cidr: 10.0.0.0/20                    # /16../28, exact network address, no overlap
//!     role: both                           # nodes | pods (an ENIConfig subnet) | both (default)
//!     reservations:
//!       - { cidr: 10.0.8.0/22, type: prefix }   # prefix (whole /28 blocks) | explicit
//!     other_consumers:
//!       - { what: alb, addresses: 8 }
//! control_plane:                           # optional
//!   subnets: [nodes-a]
//!   enis: 4                                # default 4 (EKS creates 2-4)
//! node_groups:
//!   - name: general
//!     instance_type: m5.large
//!     subnets: [nodes-a]                   # nodes spread evenly
//!     nodes: 10                            # peak count
//!     surge: 1                             # default 0
//!     pods_per_node: 20                    # or pods: 200 (the group's total), exactly one
//!     max_pods: auto                       # auto (default) or a number
//!     host_network_pods: 2                 # default 2 (aws-node, kube-proxy)
//!     branch_pods_per_node: 0              # default 0; needs cni.pod_security_groups
//! headroom_percent: 20                     # default 20
//! simulate: { duration: 1h, seed: 1, events: [...] }  # a scenario for `ipplan simulate` (see `Scenario`)
//! ```
//!
//! Unknown keys are errors with a suggestion; every error is one line naming the file, the field path and the fix.

use std::collections::HashMap;

use ipnet::Ipv4Net;
use ipplan_core::{AddressMode, Catalog, CniVersion, CoreError, InstanceInfo, max_pods};
use serde::Serialize;

use crate::alloc::ReservationKind;
use crate::cni::CniConfig;
use crate::error::PlanError;
use crate::pool::DEFAULT_HOST_NETWORK_PODS;
use crate::yaml::{Node, parse_json, parse_yaml};

/// The smallest subnet and VPC block AWS allows: /28 (VPC UG `subnet-sizing.md`, `vpc-cidr-blocks.md`).
pub const LONGEST_SUBNET_PREFIX: u8 = 28;
/// The largest subnet and VPC block AWS allows: /16.
pub const SHORTEST_SUBNET_PREFIX: u8 = 16;
/// The default quota of IPv4 CIDR blocks per VPC, the primary included (VPC UG `amazon-vpc-limits.md`;
/// adjustable up to 50).
pub const VPC_CIDR_QUOTA: usize = 5;
/// Control-plane ENIs when `control_plane.enis` is not given: EKS creates 2–4 (EKS UG `network-reqs.adoc`).
pub const DEFAULT_CONTROL_PLANE_ENIS: u32 = 4;
/// `headroom_percent` when not given.
pub const DEFAULT_HEADROOM_PERCENT: u32 = 20;

const TOP: &[&str] = &[
    "vpc",
    "cni",
    "subnets",
    "control_plane",
    "node_groups",
    "headroom_percent",
    "simulate",
];
const VPC: &[&str] = &["cidrs"];
const CNI: &[&str] = &[
    "mode",
    "custom_networking",
    "version",
    "warm_eni_target",
    "warm_ip_target",
    "minimum_ip_target",
    "warm_prefix_target",
    "max_eni",
    "pod_security_groups",
];
const SUBNET: &[&str] = &[
    "name",
    "az",
    "cidr",
    "role",
    "reservations",
    "other_consumers",
];
const RESERVATION: &[&str] = &["cidr", "type"];
const CONSUMER: &[&str] = &["what", "addresses"];
const CONTROL_PLANE: &[&str] = &["subnets", "enis"];
const NODE_GROUP: &[&str] = &[
    "name",
    "instance_type",
    "subnets",
    "nodes",
    "surge",
    "pods_per_node",
    "pods",
    "max_pods",
    "host_network_pods",
    "branch_pods_per_node",
];

/// What a subnet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubnetRole {
    /// Nodes launch here (their primary ENIs); pods too unless custom networking moves them.
    Nodes,
    /// An ENIConfig subnet: pod ENIs under custom networking, never nodes.
    Pods,
    /// Both (the default).
    Both,
}

impl SubnetRole {
    /// Whether nodes may launch in a subnet of this role.
    #[must_use]
    pub const fn holds_nodes(self) -> bool {
        matches!(self, Self::Nodes | Self::Both)
    }

    /// Whether this subnet can be an ENIConfig (pod) subnet under custom networking.
    #[must_use]
    pub const fn holds_pods(self) -> bool {
        matches!(self, Self::Pods | Self::Both)
    }

    /// The name used in the plan file.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Nodes => "nodes",
            Self::Pods => "pods",
            Self::Both => "both",
        }
    }
}

/// A subnet CIDR reservation (`aws ec2 create-subnet-cidr-reservation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reservation {
    /// The reserved range, inside its subnet.
    pub cidr: Ipv4Net,
    /// `prefix` (EC2 assigns /28 prefixes from it first) or `explicit` (EC2 assigns nothing there itself).
    #[serde(serialize_with = "ser_kind")]
    pub kind: ReservationKind,
}

fn ser_kind<S: serde::Serializer>(k: &ReservationKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match k {
        ReservationKind::Prefix => "prefix",
        ReservationKind::Explicit => "explicit",
    })
}

/// Something other than the cluster's nodes that takes single addresses from a subnet: a load balancer
/// (an ALB needs 8 free, ELB UG), VPC endpoints, a NAT gateway, databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consumer {
    /// What it is, for reports.
    pub what: String,
    /// Addresses it takes at peak.
    pub addresses: u64,
}

/// One subnet of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subnet {
    /// Unique name, used by node groups and the control plane to refer to it.
    pub name: String,
    /// Availability zone.
    pub az: String,
    /// The subnet's range: /16 to /28, an exact network address.
    pub cidr: Ipv4Net,
    /// What it is for.
    pub role: SubnetRole,
    /// Subnet CIDR reservations (non-overlapping, inside the subnet).
    pub reservations: Vec<Reservation>,
    /// Other users of addresses in this subnet.
    pub other_consumers: Vec<Consumer>,
}

/// The EKS control plane's ENIs.
///
/// EKS creates 2–4 ENIs in the cluster subnets, and on a version upgrade creates new ones before deleting the
/// old (EKS UG `network-reqs.adoc`). EKS does not say how they spread, so the plan is conservative: **each** listed
/// subnet must be able to hold `ceil(enis / n)` of them, doubled for the upgrade
/// ([`ControlPlane::addresses_per_subnet`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlPlane {
    /// Indices into [`Plan::subnets`].
    pub subnets: Vec<usize>,
    /// ENIs EKS creates (default 4).
    pub enis: u32,
}

impl ControlPlane {
    /// Addresses to keep free in each control-plane subnet: `2 * ceil(enis / n)`.
    ///
    /// ```
    /// use ipplan_planner::ControlPlane;
    /// // 4 ENIs over 2 subnets: 2 each, 4 during an upgrade; over 3 subnets: ceil(4/3) = 2, so 4 too
    /// assert_eq!(ControlPlane { subnets: vec![0, 1], enis: 4 }.addresses_per_subnet(), 4);
    /// assert_eq!(ControlPlane { subnets: vec![0, 1, 2], enis: 4 }.addresses_per_subnet(), 4);
    /// assert_eq!(ControlPlane { subnets: vec![0], enis: 4 }.addresses_per_subnet(), 8);
    /// ```
    #[must_use]
    pub fn addresses_per_subnet(&self) -> u64 {
        if self.subnets.is_empty() {
            return 0;
        }
        2 * u64::from(self.enis).div_ceil(self.subnets.len() as u64)
    }
}

/// How many pods a node group runs (pods that need a pod address; host-network pods are counted apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PodsSpec {
    /// `pods_per_node`: on every node.
    PerNode(u32),
    /// `pods`: the group's total at peak, spread evenly over its nodes.
    Total(u32),
}

/// The max-pods setting of a node group's kubelet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxPodsSpec {
    /// `auto`: what EKS managed node groups compute for these CNI settings (`max-pods-calculator.sh` with the
    /// 110/250 cap).
    Auto,
    /// A number, as kubelet `maxPods` or Karpenter `kubelet.maxPods` would set it.
    Fixed(u32),
}

/// A node group (a managed node group, an ASG or a Karpenter pool).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeGroup {
    /// Unique name.
    pub name: String,
    /// The instance type, resolved through the caller's [`Catalog`].
    pub instance: InstanceInfo,
    /// Indices into [`Plan::subnets`]; nodes spread evenly over them.
    pub subnets: Vec<usize>,
    /// Peak node count.
    pub nodes: u32,
    /// Extra nodes during a rolling update.
    pub surge: u32,
    /// Pods that need a pod address (branch pods included, host-network pods not).
    pub pods: PodsSpec,
    /// The kubelet's max pods.
    pub max_pods: MaxPodsSpec,
    /// Host-network pods per node (default 2: aws-node, kube-proxy): they count toward max pods but share the
    /// node's primary address.
    pub host_network_pods: u32,
    /// Of the pods per node, those with their own security group (a branch ENI each, outside the warm pool);
    /// only with `cni.pod_security_groups`.
    pub branch_pods_per_node: u32,
}

impl NodeGroup {
    /// Nodes at the peak of a rolling update: `nodes + surge`.
    #[must_use]
    pub const fn peak_nodes(&self) -> u32 {
        self.nodes.saturating_add(self.surge)
    }

    /// Pods per node that need an address: `pods_per_node`, or `ceil(pods / nodes)` (surge nodes are
    /// replacements, so they do not dilute it).
    ///
    /// ```
    /// # let mut g = ipplan_planner::Plan::from_yaml_str(
    /// #     "subnets: [{name: a, az: z, cidr: 10.0.0.0/24}]\nnode_groups: [{name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods: 50}]",
    /// #     "plan.yaml", &ipplan_core::Catalog::embedded()).unwrap().node_groups.remove(0);
    /// // 50 pods over 3 nodes: 17 on the fullest node
    /// assert_eq!(g.pods_per_node(), 17);
    /// ```
    #[must_use]
    pub fn pods_per_node(&self) -> u32 {
        match self.pods {
            PodsSpec::PerNode(n) => n,
            PodsSpec::Total(_) if self.nodes == 0 => 0,
            PodsSpec::Total(t) => t.div_ceil(self.nodes),
        }
    }

    /// The most nodes any one of the group's subnets holds at peak: `ceil((nodes + surge) / subnets)`
    /// (conservative: whichever subnet gets the odd node must hold it).
    #[must_use]
    pub fn max_nodes_per_subnet(&self) -> u32 {
        if self.subnets.is_empty() {
            return 0;
        }
        let n = u32::try_from(self.subnets.len()).unwrap_or(u32::MAX);
        self.peak_nodes().div_ceil(n)
    }

    /// The kubelet's max pods: the number given, or for `auto` what these CNI settings give
    /// (`max-pods-calculator.sh` rules with the 110/250 cap, domain.md §0).
    ///
    /// ```
    /// # let plan = ipplan_planner::Plan::from_yaml_str(
    /// #     "subnets: [{name: a, az: z, cidr: 10.0.0.0/24}]\nnode_groups: [{name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 20}]",
    /// #     "plan.yaml", &ipplan_core::Catalog::embedded()).unwrap();
    /// // m5.large, default CNI: 3 * (10 - 1) + 2 = 29 (domain.md §0)
    /// assert_eq!(plan.node_groups[0].resolve_max_pods(&plan.cni).unwrap(), 29);
    /// ```
    ///
    /// # Errors
    /// The core crate's error when `auto` cannot be computed (unknown vCPUs for the cap, `max_eni = 0`).
    pub fn resolve_max_pods(&self, cni: &CniConfig) -> Result<u32, CoreError> {
        match self.max_pods {
            MaxPodsSpec::Fixed(n) => Ok(n),
            MaxPodsSpec::Auto => Ok(max_pods(&self.instance, &cni.max_pods_options())?.max_pods),
        }
    }
}

/// Something allowed but worth a second look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PlanWarning {
    /// More VPC CIDR blocks than the default quota.
    VpcCidrQuota {
        /// Blocks in `vpc.cidrs`.
        count: usize,
    },
    /// 198.19.0.0/16 together with an RFC 1918 range (domain.md §4).
    RestrictedCidrPair {
        /// The primary block (`vpc.cidrs[0]`).
        primary: Ipv4Net,
        /// Index of the other block in `vpc.cidrs`.
        index: usize,
        /// The other block.
        other: Ipv4Net,
    },
    /// Prefix mode with `WARM_PREFIX_TARGET=0` and no IP targets.
    WarmPrefixZero,
    /// `MINIMUM_IP_TARGET` set while `WARM_IP_TARGET` is 0 or unset.
    MinimumWithoutWarmIp {
        /// `MINIMUM_IP_TARGET`.
        minimum: u32,
    },
    /// All control-plane subnets in one AZ.
    ControlPlaneOneAz {
        /// The AZ.
        az: String,
    },
    /// A `pods` subnet without custom networking: nothing uses it.
    PodsSubnetUnused {
        /// Index into [`Plan::subnets`].
        index: usize,
        /// Its name.
        name: String,
    },
}

impl std::fmt::Display for PlanWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
            Self::ControlPlaneOneAz { az } => write!(
                f,
                "control_plane.subnets: all in AZ '{az}': EKS needs cluster subnets in at least two AZs \
                 (EKS UG network-reqs): add a subnet in another AZ"
            ),
            Self::PodsSubnetUnused { index, name } => write!(
                f,
                "subnets[{index}].role: subnet '{name}' has role 'pods' but cni.custom_networking is off, so no pod \
                 ENI goes there: enable custom networking or use role 'both'"
            ),
        }
    }
}

/// A validated plan: every name resolved, every cross-field rule checked.
///
/// Fields are public and the type is [`Clone`]: a caller may rewrite subnets and call [`Plan::validate`] again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The file name used in error messages.
    pub file: String,
    /// `vpc.cidrs` (empty when not given); `[0]` is the primary block.
    pub vpc_cidrs: Vec<Ipv4Net>,
    /// CNI settings.
    pub cni: CniConfig,
    /// Subnets, in file order.
    pub subnets: Vec<Subnet>,
    /// The EKS control plane, when given.
    pub control_plane: Option<ControlPlane>,
    /// Node groups, in file order.
    pub node_groups: Vec<NodeGroup>,
    /// Headroom asked of each subnet in what-if comparisons, in percent (default 20).
    pub headroom_percent: u32,
    /// Warnings found by [`Plan::validate`].
    pub warnings: Vec<PlanWarning>,
    /// The `simulate:` section as written; [`crate::Scenario::from_plan`] validates and reads it.
    pub simulate: Option<serde_yaml::Value>,
}

impl Plan {
    /// Read a YAML plan.
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, PodsSpec};
    /// let yaml = "
    /// subnets:
    ///   - { name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/24 }
    /// node_groups:
    ///   - { name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 4, pods_per_node: 20 }
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// assert_eq!(plan.node_groups[0].instance.enis, 3);
    /// assert_eq!(plan.node_groups[0].pods, PodsSpec::PerNode(20));
    /// assert_eq!(plan.cni.warm_eni_target, 1); // the manifest default
    ///
    /// let bad = yaml.replace("[nodes-a], nodes", "[nodes-d], nodes");
    /// assert_eq!(
    ///     Plan::from_yaml_str(&bad, "plan.yaml", &Catalog::embedded()).unwrap_err().to_string(),
    ///     "plan.yaml: node_groups[0].subnets[0]: unknown subnet 'nodes-d' (known: nodes-a)"
    /// );
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    ///
    /// # Errors
    /// [`PlanError`] for invalid YAML, unknown fields, bad values and broken cross-field rules.
    pub fn from_yaml_str(
        text: &str,
        file_name: &str,
        catalog: &Catalog,
    ) -> Result<Self, PlanError> {
        let v = parse_yaml(text, file_name)?;
        from_value(&Node::root(&v, file_name), catalog)
    }

    /// Read a JSON plan (the same fields as YAML; JSON syntax errors are reported as JSON).
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// let json = r#"{"subnets": [{"name": "a", "az": "us-east-1a", "cidr": "10.0.0.0/28"}]}"#;
    /// let plan = ipplan_planner::Plan::from_json_str(json, "plan.json", &Catalog::embedded())?;
    /// assert_eq!(plan.subnets[0].cidr.prefix_len(), 28);
    /// assert!(ipplan_planner::Plan::from_json_str("{", "plan.json", &Catalog::embedded())
    ///     .unwrap_err().to_string().starts_with("plan.json: invalid JSON: "));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Plan::from_yaml_str`].
    pub fn from_json_str(
        text: &str,
        file_name: &str,
        catalog: &Catalog,
    ) -> Result<Self, PlanError> {
        let v = parse_json(text, file_name)?;
        from_value(&Node::root(&v, file_name), catalog)
    }

    /// Read a plan as JSON when `file_name` ends in `.json` (or, for other names than `.yaml`/`.yml`, when the
    /// text starts with `{`), else as YAML.
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// let cat = Catalog::embedded();
    /// let json = r#"{"subnets": [{"name": "a", "az": "z", "cidr": "10.0.0.0/24"}]}"#;
    /// assert!(ipplan_planner::Plan::from_str_auto(json, "-", &cat).is_ok());
    /// assert!(ipplan_planner::Plan::from_str_auto("{", "p.json", &cat)
    ///     .unwrap_err().to_string().starts_with("p.json: invalid JSON"));
    /// ```
    ///
    /// # Errors
    /// As [`Plan::from_yaml_str`].
    pub fn from_str_auto(
        text: &str,
        file_name: &str,
        catalog: &Catalog,
    ) -> Result<Self, PlanError> {
        let lower = file_name.to_ascii_lowercase();
        let json = if lower.ends_with(".json") {
            true
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            false
        } else {
            text.trim_start().starts_with('{')
        };
        if json {
            Self::from_json_str(text, file_name, catalog)
        } else {
            Self::from_yaml_str(text, file_name, catalog)
        }
    }

    /// The ENIConfig subnet for nodes in subnet `node_subnet` under custom networking: in the same AZ, the
    /// first subnet (file order) with role `pods`, else the first with role `both` (possibly `node_subnet`
    /// itself). `None` without custom networking, or when the AZ has none (validation rejects that for
    /// subnets a node group uses).
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// let yaml = "
    /// cni: { custom_networking: true }
    /// subnets:
    ///   - { name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/24, role: nodes }
    ///   - { name: pods-a, az: us-east-1a, cidr: 100.64.0.0/16, role: pods }
    /// node_groups:
    ///   - { name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 4, pods_per_node: 20 }
    /// ";
    /// let plan = ipplan_planner::Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// assert_eq!(plan.pod_subnet_for(0), Some(1));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn pod_subnet_for(&self, node_subnet: usize) -> Option<usize> {
        if !self.cni.custom_networking {
            return None;
        }
        let az = &self.subnets.get(node_subnet)?.az;
        let in_az = |role: SubnetRole| {
            self.subnets
                .iter()
                .position(|s| s.az == *az && s.role == role)
        };
        in_az(SubnetRole::Pods).or_else(|| in_az(SubnetRole::Both))
    }

    /// Addresses the control plane may take in subnet `index` (0 when it is not a control-plane subnet); see
    /// [`ControlPlane::addresses_per_subnet`].
    #[must_use]
    pub fn control_plane_addresses(&self, index: usize) -> u64 {
        match &self.control_plane {
            Some(cp) if cp.subnets.contains(&index) => cp.addresses_per_subnet(),
            _ => 0,
        }
    }

    /// The address budget of subnet `index` (with its control-plane share), `None` when out of range.
    #[must_use]
    pub fn budget(&self, index: usize) -> Option<crate::budget::SubnetBudget> {
        let s = self.subnets.get(index)?;
        Some(crate::budget::SubnetBudget::new(
            s,
            self.control_plane_addresses(index),
        ))
    }

    /// The kubelet max pods of node group `gi` ([`NodeGroup::resolve_max_pods`]), as a plan error naming the
    /// field when `auto` cannot be computed.
    ///
    /// # Errors
    /// [`PlanError::Invalid`] at `node_groups[gi].max_pods` (unknown vCPUs for the cap, `max_eni = 0`).
    ///
    /// # Panics
    /// When `gi` is not a node group index.
    pub fn group_max_pods(&self, gi: usize) -> Result<u32, PlanError> {
        self.node_groups[gi]
            .resolve_max_pods(&self.cni)
            .map_err(|e| PlanError::Invalid {
                file: self.file.clone(),
                path: format!("node_groups[{gi}].max_pods"),
                message: format!("{e}; or set max_pods to a number"),
            })
    }

    /// Re-run every cross-field check and recompute [`Plan::warnings`] (after a caller rewrote fields).
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// let yaml = "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }, { name: b, az: z, cidr: 10.0.1.0/24 }]";
    /// let mut plan = ipplan_planner::Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// plan.subnets[1].cidr = "10.0.0.128/25".parse().unwrap();
    /// assert_eq!(
    ///     plan.validate().unwrap_err().to_string(),
    ///     "plan.yaml: subnets[1].cidr: '10.0.0.128/25' overlaps subnets[0] 'a' (10.0.0.0/24): give each subnet its own range"
    /// );
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    ///
    /// # Errors
    /// The first rule that does not hold, as a [`PlanError::Invalid`] naming the field path.
    pub fn validate(mut self) -> Result<Self, PlanError> {
        let err = |path: String, message: String| PlanError::Invalid {
            file: self.file.clone(),
            path,
            message,
        };
        let mut warnings = Vec::new();

        // --- VPC --------------------------------------------------------------------------------
        for (i, c) in self.vpc_cidrs.iter().enumerate() {
            let path = format!("vpc.cidrs[{i}]");
            check_block(c, "VPC block", "VPC blocks").map_err(|m| err(path.clone(), m))?;
            if let Some((j, o)) = self.vpc_cidrs[..i]
                .iter()
                .enumerate()
                .find(|(_, o)| overlaps(o, c))
            {
                return Err(err(
                    path,
                    format!("'{c}' overlaps vpc.cidrs[{j}] ({o}): list each block once"),
                ));
            }
        }
        if self.vpc_cidrs.len() > VPC_CIDR_QUOTA {
            warnings.push(PlanWarning::VpcCidrQuota {
                count: self.vpc_cidrs.len(),
            });
        }
        if let Some(primary) = self.vpc_cidrs.first() {
            let cgn: Ipv4Net = "198.19.0.0/16".parse().unwrap_or_default();
            let p_rfc = is_rfc1918(primary);
            let p_198 = overlaps(primary, &cgn);
            for (i, o) in self.vpc_cidrs.iter().enumerate().skip(1) {
                if (p_rfc && overlaps(o, &cgn)) || (p_198 && is_rfc1918(o)) {
                    warnings.push(PlanWarning::RestrictedCidrPair {
                        primary: *primary,
                        index: i,
                        other: *o,
                    });
                }
            }
        }

        // --- CNI --------------------------------------------------------------------------------
        if self.cni.max_eni == Some(0) {
            return Err(err(
                "cni.max_eni".into(),
                "max ENI must be at least 1: leave it unset to use the instance's limit".into(),
            ));
        }
        if self.cni.mode == AddressMode::Prefix
            && self.cni.warm_prefix_target == 0
            && !self.cni.ip_targets()
        {
            warnings.push(PlanWarning::WarmPrefixZero);
        }
        if let Some(m) = self.cni.minimum_ip_target
            && m > 0
            && self.cni.warm_ip_target.unwrap_or(0) == 0
        {
            warnings.push(PlanWarning::MinimumWithoutWarmIp { minimum: m });
        }

        // --- subnets ----------------------------------------------------------------------------
        if self.subnets.is_empty() {
            return Err(err(
                "subnets".into(),
                "the plan has no subnets: add at least one".into(),
            ));
        }
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (i, s) in self.subnets.iter().enumerate() {
            let at = |f: &str| format!("subnets[{i}].{f}");
            if s.name.trim().is_empty() {
                return Err(err(at("name"), "must not be empty: give it a name".into()));
            }
            if let Some(j) = names.insert(&s.name, i) {
                return Err(err(
                    at("name"),
                    format!(
                        "duplicate subnet name '{}' (also subnets[{j}]): give each subnet its own name",
                        s.name
                    ),
                ));
            }
            if s.az.trim().is_empty() {
                return Err(err(
                    at("az"),
                    "must not be empty: give the availability zone, e.g. us-east-1a".into(),
                ));
            }
            check_block(&s.cidr, "subnet", "subnets").map_err(|m| err(at("cidr"), m))?;
            if let Some((j, o)) = self.subnets[..i]
                .iter()
                .enumerate()
                .find(|(_, o)| overlaps(&o.cidr, &s.cidr))
            {
                return Err(err(
                    at("cidr"),
                    format!(
                        "'{}' overlaps subnets[{j}] '{}' ({}): give each subnet its own range",
                        s.cidr, o.name, o.cidr
                    ),
                ));
            }
            if !self.vpc_cidrs.is_empty() && !self.vpc_cidrs.iter().any(|v| v.contains(&s.cidr)) {
                let list: Vec<String> = self.vpc_cidrs.iter().map(ToString::to_string).collect();
                return Err(err(
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
                    return Err(err(
                        rpath,
                        format!(
                            "'{}' is not a network address: use '{}'",
                            r.cidr,
                            r.cidr.trunc()
                        ),
                    ));
                }
                if !s.cidr.contains(&r.cidr) {
                    return Err(err(
                        rpath,
                        format!(
                            "'{}' is outside the subnet {}: use a range inside it",
                            r.cidr, s.cidr
                        ),
                    ));
                }
                if r.kind == ReservationKind::Prefix && r.cidr.prefix_len() > 28 {
                    return Err(err(
                        rpath,
                        format!(
                            "a prefix reservation must hold whole /28 blocks but '{}' is /{}: use /28 or larger, \
                             or type 'explicit'",
                            r.cidr,
                            r.cidr.prefix_len()
                        ),
                    ));
                }
                if let Some((j, o)) = s.reservations[..k]
                    .iter()
                    .enumerate()
                    .find(|(_, o)| overlaps(&o.cidr, &r.cidr))
                {
                    return Err(err(
                        rpath,
                        format!(
                            "'{}' overlaps reservations[{j}] ({}): reservations must not overlap",
                            r.cidr, o.cidr
                        ),
                    ));
                }
            }
            for (k, c) in s.other_consumers.iter().enumerate() {
                if c.what.trim().is_empty() {
                    return Err(err(
                        format!("subnets[{i}].other_consumers[{k}].what"),
                        "must not be empty: say what it is, e.g. alb".into(),
                    ));
                }
            }
            if s.role == SubnetRole::Pods && !self.cni.custom_networking {
                warnings.push(PlanWarning::PodsSubnetUnused {
                    index: i,
                    name: s.name.clone(),
                });
            }
        }
        let n_sub = self.subnets.len();
        let index_ok = |path: String, idx: usize| {
            if idx < n_sub {
                Ok(())
            } else {
                Err(err(
                    path,
                    format!("subnet index {idx} is out of range (the plan has {n_sub} subnets)"),
                ))
            }
        };

        // --- control plane ----------------------------------------------------------------------
        if let Some(cp) = &self.control_plane {
            if cp.subnets.is_empty() {
                return Err(err(
                    "control_plane.subnets".into(),
                    "is empty: list the cluster subnets by name".into(),
                ));
            }
            if cp.enis == 0 {
                return Err(err(
                    "control_plane.enis".into(),
                    "must be at least 1 (EKS creates 2 to 4): leave it out for the default 4"
                        .into(),
                ));
            }
            for (k, &idx) in cp.subnets.iter().enumerate() {
                let path = format!("control_plane.subnets[{k}]");
                index_ok(path.clone(), idx)?;
                if let Some(j) = cp.subnets[..k].iter().position(|&o| o == idx) {
                    return Err(err(
                        path,
                        format!(
                            "subnet '{}' is listed twice (also control_plane.subnets[{j}]): list it once",
                            self.subnets[idx].name
                        ),
                    ));
                }
            }
            let az = &self.subnets[cp.subnets[0]].az;
            if cp.subnets.iter().all(|&i| self.subnets[i].az == *az) {
                warnings.push(PlanWarning::ControlPlaneOneAz { az: az.clone() });
            }
        }

        // --- node groups ------------------------------------------------------------------------
        let mut groups: HashMap<&str, usize> = HashMap::new();
        for (g, ng) in self.node_groups.iter().enumerate() {
            let at = |f: &str| format!("node_groups[{g}].{f}");
            if ng.name.trim().is_empty() {
                return Err(err(at("name"), "must not be empty: give it a name".into()));
            }
            if let Some(j) = groups.insert(&ng.name, g) {
                return Err(err(
                    at("name"),
                    format!(
                        "duplicate node group name '{}' (also node_groups[{j}]): give each group its own name",
                        ng.name
                    ),
                ));
            }
            if ng.subnets.is_empty() {
                return Err(err(
                    at("subnets"),
                    "is empty: list the subnets its nodes launch in".into(),
                ));
            }
            for (k, &idx) in ng.subnets.iter().enumerate() {
                let path = format!("node_groups[{g}].subnets[{k}]");
                index_ok(path.clone(), idx)?;
                let s = &self.subnets[idx];
                if let Some(j) = ng.subnets[..k].iter().position(|&o| o == idx) {
                    return Err(err(
                        path,
                        format!(
                            "subnet '{}' is listed twice (also node_groups[{g}].subnets[{j}]): list it once",
                            s.name
                        ),
                    ));
                }
                if !s.role.holds_nodes() {
                    return Err(err(
                        path,
                        format!(
                            "subnet '{}' has role 'pods' (an ENIConfig subnet) and cannot hold nodes: use a \
                             subnet with role 'nodes' or 'both'",
                            s.name
                        ),
                    ));
                }
                if self.cni.custom_networking && self.pod_subnet_for(idx).is_none() {
                    return Err(err(
                        path,
                        format!(
                            "custom networking needs an ENIConfig subnet in AZ '{}' (for subnet '{}'): add a \
                             subnet with role 'pods' (or 'both') in that AZ",
                            s.az, s.name
                        ),
                    ));
                }
            }
            if ng.nodes == 0 {
                return Err(err(
                    at("nodes"),
                    "must be at least 1: give the peak node count".into(),
                ));
            }
            if ng.max_pods == MaxPodsSpec::Fixed(0) {
                return Err(err(
                    at("max_pods"),
                    "must be at least 1: give 'auto' or the kubelet's maxPods".into(),
                ));
            }
            if let Err(e) = ng.resolve_max_pods(&self.cni) {
                let why = match e {
                    CoreError::VcpusUnknown(_) => format!(
                        "'auto' needs the vCPU count of '{}' for the 110/250 cap and the instance data has none",
                        ng.instance.name
                    ),
                    other => format!("'auto' cannot be computed ({other})"),
                };
                return Err(err(
                    at("max_pods"),
                    format!("{why}: set max_pods to a number"),
                ));
            }
            if ng.branch_pods_per_node > 0 {
                if !self.cni.pod_security_groups {
                    return Err(err(
                        at("branch_pods_per_node"),
                        format!(
                            "{} branch pods need security groups for pods: set cni.pod_security_groups: true, \
                             or remove branch_pods_per_node",
                            ng.branch_pods_per_node
                        ),
                    ));
                }
                if ng.branch_pods_per_node > ng.pods_per_node() {
                    return Err(err(
                        at("branch_pods_per_node"),
                        format!(
                            "{} is more than the {} pods per node it is part of: lower it or raise the pods",
                            ng.branch_pods_per_node,
                            ng.pods_per_node()
                        ),
                    ));
                }
            }
        }

        self.warnings = warnings;
        Ok(self)
    }
}

/// A subnet or VPC block: /16../28 and an exact network address. Returns the message.
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
    if c.addr() != c.network() {
        return Err(format!(
            "'{c}' is not the network address of the {what}: use '{}'",
            c.trunc()
        ));
    }
    Ok(())
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

fn cidr(n: &Node<'_>) -> Result<Ipv4Net, PlanError> {
    let s = n.str()?;
    s.trim().parse::<Ipv4Net>().map_err(|_| {
        n.err(format!(
            "invalid CIDR '{s}': expected an IPv4 network such as 10.0.0.0/24"
        ))
    })
}

fn resolve_subnet(n: &Node<'_>, names: &[&str]) -> Result<usize, PlanError> {
    let name = n.str()?;
    names.iter().position(|k| *k == name).ok_or_else(|| {
        n.err(format!(
            "unknown subnet '{name}' (known: {})",
            names.join(", ")
        ))
    })
}

fn subnet_list(n: &Node<'_>, names: &[&str]) -> Result<Vec<usize>, PlanError> {
    n.list()?
        .iter()
        .map(|item| resolve_subnet(item, names))
        .collect()
}

fn from_value(root: &Node<'_>, catalog: &Catalog) -> Result<Plan, PlanError> {
    let top = root.object(TOP)?;

    let mut vpc_cidrs = Vec::new();
    if let Some(vpc) = top.get("vpc") {
        let vpc = vpc.object(VPC)?;
        if let Some(list) = vpc.get("cidrs") {
            for item in list.list()? {
                vpc_cidrs.push(cidr(&item)?);
            }
        }
    }

    let mut cni = CniConfig::default();
    if let Some(c) = top.get("cni") {
        let c = c.object(CNI)?;
        if let Some(n) = c.get("mode") {
            cni.mode = match n.choice("mode", &["secondary-ip", "prefix"])? {
                "prefix" => AddressMode::Prefix,
                _ => AddressMode::SecondaryIp,
            };
        }
        if let Some(n) = c.get("custom_networking") {
            cni.custom_networking = n.bool()?;
        }
        if let Some(n) = c.get("version") {
            if let serde_yaml::Value::Number(x) = n.value {
                return Err(n.err(format!(
                    "write the version as a string such as \"1.19.0\" (the number {x} loses trailing zeros)"
                )));
            }
            let s = n.str()?;
            cni.version = Some(s.parse::<CniVersion>().map_err(|e| n.err(e.to_string()))?);
        }
        if let Some(n) = c.get("warm_eni_target") {
            cni.warm_eni_target = n.u32(0)?;
        }
        if let Some(n) = c.get("warm_ip_target") {
            cni.warm_ip_target = Some(n.u32(0)?);
        }
        if let Some(n) = c.get("minimum_ip_target") {
            cni.minimum_ip_target = Some(n.u32(0)?);
        }
        if let Some(n) = c.get("warm_prefix_target") {
            cni.warm_prefix_target = n.u32(0)?;
        }
        if let Some(n) = c.get("max_eni") {
            cni.max_eni = Some(n.u32(1)?);
        }
        if let Some(n) = c.get("pod_security_groups") {
            cni.pod_security_groups = n.bool()?;
        }
    }

    let mut subnets = Vec::new();
    for item in top.req("subnets")?.list()? {
        let s = item.object(SUBNET)?;
        let role = match s.get("role") {
            None => SubnetRole::Both,
            Some(n) => match n.choice("role", &["nodes", "pods", "both"])? {
                "nodes" => SubnetRole::Nodes,
                "pods" => SubnetRole::Pods,
                _ => SubnetRole::Both,
            },
        };
        let mut reservations = Vec::new();
        if let Some(list) = s.get("reservations") {
            for r in list.list()? {
                let o = r.object(RESERVATION)?;
                let kind = match o
                    .req("type")?
                    .choice("reservation type", &["prefix", "explicit"])?
                {
                    "prefix" => ReservationKind::Prefix,
                    _ => ReservationKind::Explicit,
                };
                reservations.push(Reservation {
                    cidr: cidr(&o.req("cidr")?)?,
                    kind,
                });
            }
        }
        let mut other_consumers = Vec::new();
        if let Some(list) = s.get("other_consumers") {
            for c in list.list()? {
                let o = c.object(CONSUMER)?;
                other_consumers.push(Consumer {
                    what: o.req("what")?.name()?.to_string(),
                    addresses: o.req("addresses")?.uint(0, 1 << 32)?,
                });
            }
        }
        subnets.push(Subnet {
            name: s.req("name")?.name()?.to_string(),
            az: s.req("az")?.name()?.to_string(),
            cidr: cidr(&s.req("cidr")?)?,
            role,
            reservations,
            other_consumers,
        });
    }
    let names: Vec<&str> = subnets.iter().map(|s| s.name.as_str()).collect();
    // duplicate names first: references below resolve by name
    for (i, n) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|o| o == n) {
            return Err(PlanError::Invalid {
                file: root.file.to_string(),
                path: format!("subnets[{i}].name"),
                message: format!(
                    "duplicate subnet name '{n}' (also subnets[{j}]): give each subnet its own name"
                ),
            });
        }
    }

    let control_plane = match top.get("control_plane") {
        None => None,
        Some(n) => {
            let o = n.object(CONTROL_PLANE)?;
            Some(ControlPlane {
                subnets: subnet_list(&o.req("subnets")?, &names)?,
                enis: match o.get("enis") {
                    None => DEFAULT_CONTROL_PLANE_ENIS,
                    Some(e) => e.u32(1)?,
                },
            })
        }
    };

    let mut node_groups = Vec::new();
    if let Some(list) = top.get("node_groups") {
        for item in list.list()? {
            let o = item.object(NODE_GROUP)?;
            let name = o.req("name")?.name()?.to_string();
            let it = o.req("instance_type")?;
            let instance = catalog
                .get(it.str()?)
                .map_err(|e| it.err(e.to_string()))?
                .clone();
            let subnets = subnet_list(&o.req("subnets")?, &names)?;
            let nodes = o.req("nodes")?.u32(1)?;
            let surge = o.get("surge").map_or(Ok(0), |n| n.u32(0))?;
            let pods = match (o.get("pods_per_node"), o.get("pods")) {
                (Some(p), None) => PodsSpec::PerNode(p.u32(0)?),
                (None, Some(p)) => PodsSpec::Total(p.u32(0)?),
                (Some(_), Some(_)) => {
                    return Err(o.err(
                        "give exactly one of 'pods_per_node' and 'pods' (the group's total), not both",
                    ));
                }
                (None, None) => {
                    return Err(o.err(
                        "missing pod count: give 'pods_per_node' or 'pods' (the group's total)",
                    ));
                }
            };
            let max_pods = match o.get("max_pods") {
                None => MaxPodsSpec::Auto,
                Some(n) => match n.value {
                    serde_yaml::Value::String(s) if s == "auto" => MaxPodsSpec::Auto,
                    serde_yaml::Value::Number(x)
                        if x.as_u64()
                            .is_some_and(|v| (1..=u64::from(u32::MAX)).contains(&v)) =>
                    {
                        MaxPodsSpec::Fixed(n.u32(1)?)
                    }
                    _ => {
                        let shown = match n.value {
                            serde_yaml::Value::String(s) => format!("'{s}'"),
                            serde_yaml::Value::Number(x) => format!("'{x}'"),
                            _ => "something else".to_string(),
                        };
                        return Err(n.err(format!(
                            "expected 'auto' or a whole number of pods such as 110, found {shown}"
                        )));
                    }
                },
            };
            let host_network_pods = o
                .get("host_network_pods")
                .map_or(Ok(DEFAULT_HOST_NETWORK_PODS), |n| n.u32(0))?;
            let branch_pods_per_node = o.get("branch_pods_per_node").map_or(Ok(0), |n| n.u32(0))?;
            node_groups.push(NodeGroup {
                name,
                instance,
                subnets,
                nodes,
                surge,
                pods,
                max_pods,
                host_network_pods,
                branch_pods_per_node,
            });
        }
    }

    let headroom_percent = top
        .get("headroom_percent")
        .map_or(Ok(u64::from(DEFAULT_HEADROOM_PERCENT)), |n| n.uint(0, 1000))?;
    let simulate = top.get("simulate").map(|n| n.value.clone());

    Plan {
        file: root.file.to_string(),
        vpc_cidrs,
        cni,
        subnets,
        control_plane,
        node_groups,
        headroom_percent: u32::try_from(headroom_percent).unwrap_or(u32::MAX),
        warnings: Vec::new(),
        simulate,
    }
    .validate()
}
