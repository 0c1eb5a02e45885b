//! The plan's small words: subnet roles, reservation types, pod counts, max pods, and the typed ids of a
//! validated plan.

use std::fmt;

use serde::{Serialize, Serializer};

/// What a subnet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
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

/// How a node group's new nodes pick their subnet (`node_groups[].launch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Launch {
    /// Managed node groups and EC2 auto scaling groups: spread over the group's AZs, the subnet with the fewest of
    /// the group's nodes first (the default).
    #[default]
    Balanced,
    /// Karpenter: within the node's zone, the subnet with the most free addresses less those of launches still
    /// in flight (aws/karpenter-provider-aws `pkg/providers/subnet/subnet.go`, `ZonalSubnetsForLaunch`).
    Karpenter,
}

impl Launch {
    /// `balanced` or `karpenter`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Balanced => "balanced",
            Self::Karpenter => "karpenter",
        }
    }
}

/// The cluster's IP family (`kubernetesNetworkConfig.ipFamily`; the CNI's `ENABLE_IPv6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IpFamily {
    /// Pods take IPv4 addresses from the subnets (the default).
    #[default]
    Ipv4,
    /// Pods take IPv6 addresses from a /80 prefix on each node's primary ENI; a node takes one IPv4 address
    /// (aws/aws-eks-best-practices `content/networking/docs/ipv6.md`, 22c65bb).
    Ipv6,
}

impl IpFamily {
    /// `ipv4` or `ipv6`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
        }
    }
}

/// The type of a subnet CIDR reservation (`aws ec2 create-subnet-cidr-reservation --reservation-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReservationType {
    /// `prefix`: EC2 assigns /28 prefixes from it first, never single addresses.
    Prefix,
    /// `explicit`: EC2 assigns nothing there itself.
    Explicit,
}

/// How many pods a node group runs (pods that need a pod address; host-network pods are counted apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PodsSpec {
    /// `pods_per_node`: on every node.
    PerNode(u32),
    /// `pods`: the group's total at peak, spread evenly over its nodes.
    Total(u32),
    /// `pods_per_node: max`: not known, so every node runs full: its max pods less the host-network pods.
    Full,
}

/// The max-pods setting of a node group's kubelet. Written `auto`, `karpenter` or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxPodsSpec {
    /// `auto`: what EKS managed node groups compute for these CNI settings (`max-pods-calculator.sh` with the
    /// 110/250 cap).
    Auto,
    /// A number, as kubelet `maxPods` or Karpenter `kubelet.maxPods` would set it.
    Fixed(u32),
    /// `karpenter`: what Karpenter sets when the EC2NodeClass gives no `kubelet.maxPods`
    /// ([`ipplan_core::karpenter_max_pods`], `RESERVED_ENIS` 0): ENI-limited and not prefix-aware
    /// (aws/karpenter-provider-aws#8210, PR #9299), so with prefix delegation a node gets far fewer pods than
    /// its addresses could hold.
    Karpenter,
}

impl MaxPodsSpec {
    /// `auto` or `fixed`, for reports.
    #[must_use]
    pub const fn source(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Fixed(_) => "fixed",
            Self::Karpenter => "karpenter",
        }
    }
}

impl Serialize for MaxPodsSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auto => s.serialize_str("auto"),
            Self::Fixed(n) => s.serialize_u32(*n),
            Self::Karpenter => s.serialize_str("karpenter"),
        }
    }
}

/// `"auto"` or a whole number from 1, as the reader takes it.
impl schemars::JsonSchema for MaxPodsSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MaxPodsSpec".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The kubelet's max pods: `auto` (what EKS managed node groups compute for these CNI \
                            settings), `karpenter` (Karpenter's ENI-limited value, not prefix-aware) or a number, \
                            as kubelet `maxPods` or Karpenter `kubelet.maxPods` would set it.",
            "oneOf": [
                { "const": "auto" },
                { "const": "karpenter" },
                { "type": "integer", "minimum": 1, "maximum": u32::MAX },
            ],
        })
    }
}

/// A subnet of a validated [`crate::Plan`]: its position in `subnets:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SubnetId(pub(crate) u32);

/// A node group of a validated [`crate::Plan`]: its position in `node_groups:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct GroupId(pub(crate) u32);

impl SubnetId {
    /// The position in the plan's subnet list.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl GroupId {
    /// The position in the plan's node group list.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for SubnetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subnets[{}]", self.0)
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node_groups[{}]", self.0)
    }
}
