//! What the user wrote ([`PlanSpec`]), and the validated model ([`Plan`]).
//!
//! A plan takes one path: text (or a Terraform query, an importer, a library caller) -> [`PlanSpec`] ->
//! [`Plan::from_spec`], the one validation pass -> [`Plan`], valid by construction: every name resolved to a
//! [`SubnetId`] or [`GroupId`], every cross-field rule checked, each node group's [`NodeShape`] and the
//! `simulate:` scenario worked out. Nothing downstream re-checks or can fail on a `Plan`.
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
//!       - { what: nat, addresses: 1, at: [10.0.0.9] }   # optional at: addresses, a-b ranges, /28 prefixes
//! control_plane:                           # optional
//!   subnets: [nodes-a]
//!   enis: 4                                # default 4 (EKS creates 2-4)
//! node_groups:
//!   - name: general
//!     instance_type: m5.large              # or instance_types: [m6i.xlarge, c6i.2xlarge] (a mixed fleet)
//!     subnets: [nodes-a]                   # nodes spread evenly
//!     nodes: 10                            # peak count, or max_vcpus: 64 (Karpenter's limits.cpu)
//!     surge: 1                             # default 0
//!     pods_per_node: 20                    # or pods: 200 (the group's total), or max (every node full)
//!     max_pods: auto                       # auto (default), karpenter (Karpenter's ENI-limited value) or a number
//!     host_network_pods: 2                 # default 2 (aws-node, kube-proxy)
//!     branch_pods_per_node: 0              # default 0; needs cni.pod_security_groups
//!     pods_per_core: 10                    # optional: the kubelet's podsPerCore caps max pods
//! headroom_percent: 20                     # default 20
//! simulate: { duration: 1h, seed: 1, events: [...] }  # a scenario for `ipplan simulate` (see `Scenario`)
//! ```
//!
//! Unknown keys are errors with a suggestion; every error is one line naming the file, the field path and the fix.

mod cni;
pub(crate) mod demand;
pub(crate) mod pool;
mod read;
mod scenario;
mod spec;
mod validate;
mod vocabulary;
pub(crate) mod yaml;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use ipplan_core::{Catalog, InstanceInfo};
use serde::Serialize;

pub use cni::{CniConfig, NodeShape, PrefixFallback};
pub use demand::SubnetDemand;

pub use pool::{NodeLoad, NodePool, PoolFinding, node_pool, pool_of};
pub use scenario::{
    Arrival, DEFAULT_ECS_RELEASE_SECONDS, DEFAULT_SAMPLE_SECONDS, DEFAULT_TICK_SECONDS,
    DEFAULT_WAIT_THRESHOLD_SECONDS, Event, EventKind, MAX_DURATION_SECONDS,
    MAX_ECS_RELEASE_SECONDS, MAX_SIM_NODE_TICKS, MAX_SIM_REPLACEMENTS, MAX_UNTIL_STEADY_SECONDS,
    PodAddressOrder, Scenario, SinglePlacement, Work, parse_seconds,
};
pub use spec::{
    CniSpec, ConsumerSpec, ControlPlaneSpec, EcsNetworkMode, EcsServiceSpec, EventSpec,
    EventSpecKind, MigrationSpec, NodeGroupSpec, Overlap, PlanSpec, ReservationSpec, ScenarioSpec,
    SubnetSpec, VpcSpec, format_seconds,
};
pub use validate::PlanWarning;
pub use vocabulary::{
    GroupId, IpFamily, Launch, MaxPodsSpec, PodsSpec, ReservationType, SubnetId, SubnetRole,
};

use crate::error::PlanError;

/// The smallest subnet and VPC block AWS allows: /28 (awsdocs/amazon-vpc-user-guide `subnet-sizing.md`,
/// `vpc-cidr-blocks.md`).
pub const LONGEST_SUBNET_PREFIX: u8 = 28;
/// The largest subnet and VPC block AWS allows: /16.
pub const SHORTEST_SUBNET_PREFIX: u8 = 16;
/// The default quota of IPv4 CIDR blocks per VPC, the primary included (awsdocs/amazon-vpc-user-guide
/// `amazon-vpc-limits.md`; adjustable up to 50).
pub const VPC_CIDR_QUOTA: usize = 5;
/// Control-plane ENIs when `control_plane.enis` is not given: EKS creates 2–4 (awsdocs/amazon-eks-user-guide
/// `network-reqs.adoc`).
pub const DEFAULT_CONTROL_PLANE_ENIS: u32 = 4;
/// `headroom_percent` when not given.
pub const DEFAULT_HEADROOM_PERCENT: u32 = 20;
/// Host-network pods every EKS node runs when `host_network_pods` is not given: `aws-node` and `kube-proxy`
/// (the `+2` of the max-pods formula).
pub const DEFAULT_HOST_NETWORK_PODS: u32 = 2;

/// A subnet CIDR reservation (`aws ec2 create-subnet-cidr-reservation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reservation {
    /// The reserved range, inside its subnet.
    pub cidr: Ipv4Net,
    /// `prefix` or `explicit`.
    #[serde(rename = "type")]
    pub kind: ReservationType,
}

/// Something other than the cluster's nodes that takes single addresses from a subnet: a load balancer
/// (an ALB needs 8 free), VPC endpoints, a NAT gateway, databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consumer {
    /// What it is, for reports.
    pub what: String,
    /// Addresses it takes at peak.
    pub addresses: u64,
}

/// An ECS service running in the plan's subnets during the migration (`ecs_services[]`).
///
/// AWS ECS developer guide: a task in `awsvpc` mode (Fargate, or EC2 with `awsvpc`) gets its own ENI with one
/// private address in one of the service's subnets; `bridge` and `host` tasks use their container instance's
/// address. A rolling deployment runs up to `desiredCount * maximumPercent / 100` tasks, rounded down
/// (`deploymentConfiguration.maximumPercent`, default 200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcsService {
    /// The service name.
    pub name: String,
    /// Desired tasks.
    pub tasks: u32,
    /// `maximumPercent`.
    pub max_percent: u32,
    /// Its subnets.
    pub subnets: Vec<SubnetId>,
    /// Its network mode.
    pub network_mode: EcsNetworkMode,
    /// Addresses its tasks hold today in each of its subnets (`at`), in the order of `subnets`.
    pub held: Vec<u64>,
}

impl EcsService {
    /// Tasks running at the peak of a deployment: `floor(tasks * max_percent / 100)`, at least `tasks`.
    #[must_use]
    pub fn peak_tasks(&self) -> u64 {
        (u64::from(self.tasks) * u64::from(self.max_percent) / 100).max(u64::from(self.tasks))
    }
    /// Addresses the service's tasks hold in each of its subnets at peak: `ceil(peak_tasks / subnets)` in
    /// `awsvpc` mode (ECS spreads tasks across the zones; whichever subnet gets the odd task must hold it), else 0.
    #[must_use]
    pub fn addresses_per_subnet(&self) -> u64 {
        if self.network_mode != EcsNetworkMode::Awsvpc || self.subnets.is_empty() {
            return 0;
        }
        self.peak_tasks().div_ceil(self.subnets.len() as u64)
    }
    /// Desired tasks at a step of `overlap: shift` with `weight` percent of the traffic on EKS:
    /// `ceil(tasks * (100 - weight) / 100)` (ECS keeps what the rest of the traffic needs, rounded up).
    #[must_use]
    pub fn tasks_at_weight(&self, weight: u32) -> u64 {
        (u64::from(self.tasks) * u64::from(100 - weight.min(100))).div_ceil(100)
    }
    /// Addresses in each of its subnets at a step of `overlap: shift`: as [`EcsService::addresses_per_subnet`]
    /// with [`EcsService::tasks_at_weight`] tasks (a deployment's surge on top, then `ceil(peak / subnets)`).
    #[must_use]
    pub fn addresses_per_subnet_at_weight(&self, weight: u32) -> u64 {
        if self.network_mode != EcsNetworkMode::Awsvpc || self.subnets.is_empty() {
            return 0;
        }
        let tasks = self.tasks_at_weight(weight);
        let peak = (tasks * u64::from(self.max_percent) / 100).max(tasks);
        peak.div_ceil(self.subnets.len() as u64)
    }
    /// Addresses the service's tasks hold in subnet `id` at peak: its share
    /// ([`addresses_per_subnet`](Self::addresses_per_subnet)), or more when more of its tasks run there today
    /// (`at`); 0 outside its subnets.
    #[must_use]
    pub fn addresses_in(&self, id: SubnetId) -> u64 {
        self.subnets.iter().position(|&s| s == id).map_or(0, |k| {
            self.addresses_per_subnet()
                .max(self.held.get(k).copied().unwrap_or(0))
        })
    }
}

/// Addresses and /28 prefixes the subnet's other consumers (`other_consumers[].at`) and its ECS services' tasks
/// (`ecs_services[].at`) hold today: inside the subnet, none AWS-reserved or in an explicit reservation, no two
/// overlapping, prefixes not in an edge block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    /// Single addresses as inclusive ranges, sorted, disjoint.
    pub(crate) singles: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// Aligned /28 prefixes, sorted.
    pub(crate) prefixes: Vec<Ipv4Net>,
}

impl Held {
    /// The /28 prefixes, sorted.
    #[must_use]
    pub fn prefixes(&self) -> &[Ipv4Net] {
        &self.prefixes
    }
    /// Every single address, lowest first.
    pub fn singles(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.singles
            .iter()
            .flat_map(|&(a, b)| (u32::from(a)..=u32::from(b)).map(Ipv4Addr::from))
    }
    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.singles.is_empty() && self.prefixes.is_empty()
    }
}

/// One subnet of a validated plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    id: SubnetId,
    name: String,
    az: String,
    cidr: Ipv4Net,
    ipv6_cidr: Option<ipnet::Ipv6Net>,
    role: SubnetRole,
    reservations: Vec<Reservation>,
    other_consumers: Vec<Consumer>,
    held: Held,
    /// `held` before the ECS services' `at` joined it, when they did.
    held_without_ecs: Option<Held>,
    cni_tag: CniTag,
}

/// Subnet discovery's candidates, kept per AZ: a node subnet's list is its AZ's tagged subnets with itself put in
/// place (unless tagged `0`). Empty when the CNI does not discover subnets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Discovery {
    /// Per AZ (first-seen order), its subnets tagged to be included, in plan order.
    included: Vec<Vec<SubnetId>>,
    /// Per subnet: its AZ's index, and whether it is a candidate for its own nodes (untagged).
    of: Vec<(usize, bool)>,
}

/// What a subnet's `kubernetes.io/role/cni` tag says to subnet discovery (aws/amazon-vpc-cni-k8s
/// `pkg/awsutils/awsutils.go`: `subnetDiscoveryTagKey`, `subnetDiscoveryTagValueExcluded = "0"`,
/// `isSubnetValidForENICreation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CniTag {
    /// No such tag: the node's own subnet still takes new ENIs, another subnet does not.
    Untagged,
    /// The tag with any value but `0` (`1` as the docs write it): new ENIs of nodes in the AZ may go here.
    Included,
    /// The tag with value `0`: no new ENI goes here, not even of nodes in this subnet.
    Excluded,
}

impl CniTag {
    /// The tag key subnet discovery reads.
    pub const KEY: &'static str = "kubernetes.io/role/cni";

    /// What `tags` say.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use ipplan_planner::plan::CniTag;
    /// let tags = |v: &str| BTreeMap::from([(CniTag::KEY.to_string(), v.to_string())]);
    /// assert_eq!(CniTag::of(&tags("1")), CniTag::Included);
    /// assert_eq!(CniTag::of(&tags("0")), CniTag::Excluded);
    /// assert_eq!(CniTag::of(&BTreeMap::new()), CniTag::Untagged);
    /// ```
    #[must_use]
    pub fn of(tags: &std::collections::BTreeMap<String, String>) -> Self {
        match tags.get(Self::KEY).map(String::as_str) {
            None => Self::Untagged,
            Some("0") => Self::Excluded,
            Some(_) => Self::Included,
        }
    }
}

impl Subnet {
    /// What its `kubernetes.io/role/cni` tag says to subnet discovery.
    #[must_use]
    pub const fn cni_tag(&self) -> CniTag {
        self.cni_tag
    }
    /// Its IPv6 block (a /64), when the plan gives one.
    #[must_use]
    pub const fn ipv6_cidr(&self) -> Option<ipnet::Ipv6Net> {
        self.ipv6_cidr
    }
    /// Its id.
    #[must_use]
    pub const fn id(&self) -> SubnetId {
        self.id
    }
    /// Its unique name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its availability zone.
    #[must_use]
    pub fn az(&self) -> &str {
        &self.az
    }
    /// Its range: /16 to /28, an exact network address.
    #[must_use]
    pub const fn cidr(&self) -> Ipv4Net {
        self.cidr
    }
    /// What it is for.
    #[must_use]
    pub const fn role(&self) -> SubnetRole {
        self.role
    }
    /// Its CIDR reservations: inside it, not overlapping, prefix ones /28 or larger.
    #[must_use]
    pub fn reservations(&self) -> &[Reservation] {
        &self.reservations
    }
    /// Other users of its addresses.
    #[must_use]
    pub fn other_consumers(&self) -> &[Consumer] {
        &self.other_consumers
    }
    /// Addresses its other consumers take in all.
    #[must_use]
    pub fn other_consumer_addresses(&self) -> u64 {
        self.other_consumers.iter().map(|c| c.addresses).sum()
    }
    /// What its other consumers and its ECS services' tasks hold at known places (`other_consumers[].at`,
    /// `ecs_services[].at`); part of [`other_consumer_addresses`](Self::other_consumer_addresses) and
    /// [`Plan::ecs_addresses`].
    #[must_use]
    pub const fn held(&self) -> &Held {
        &self.held
    }
    /// What its other consumers alone hold at known places (`other_consumers[].at`): [`held`](Self::held)
    /// without the ECS services' tasks, for a step of `overlap: shift` where a service runs fewer tasks than today
    /// and which of today's stop is not known.
    #[must_use]
    pub fn held_without_ecs(&self) -> &Held {
        self.held_without_ecs.as_ref().unwrap_or(&self.held)
    }
}

/// The EKS control plane's ENIs.
///
/// EKS creates 2–4 ENIs in the cluster subnets, and on a version upgrade creates new ones before deleting the
/// old (awsdocs/amazon-eks-user-guide `network-reqs.adoc`). EKS does not say how they spread, so the plan is
/// conservative: **each** listed subnet must be able to hold `ceil(enis / n)` of them, doubled for the upgrade
/// ([`ControlPlane::addresses_per_subnet`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlPlane {
    subnets: Vec<SubnetId>,
    enis: u32,
}

impl ControlPlane {
    /// The cluster subnets.
    #[must_use]
    pub fn subnets(&self) -> &[SubnetId] {
        &self.subnets
    }
    /// ENIs EKS creates.
    #[must_use]
    pub const fn enis(&self) -> u32 {
        self.enis
    }
    /// Addresses to keep free in each control-plane subnet: `2 * ceil(enis / n)`.
    #[must_use]
    pub fn addresses_per_subnet(&self) -> u64 {
        Self::share(self.enis, self.subnets.len())
    }
    /// `2 * ceil(enis / subnets)`: 4 ENIs over 2 subnets keep 4 addresses free in each (2, doubled for an
    /// upgrade), over 3 subnets also 4 (`ceil(4/3) = 2`), in 1 subnet 8.
    ///
    /// ```
    /// use ipplan_planner::plan::ControlPlane;
    /// assert_eq!(ControlPlane::share(4, 2), 4);
    /// assert_eq!(ControlPlane::share(4, 3), 4);
    /// assert_eq!(ControlPlane::share(4, 1), 8);
    /// ```
    #[must_use]
    pub fn share(enis: u32, subnets: usize) -> u64 {
        if subnets == 0 {
            return 0;
        }
        2 * u64::from(enis).div_ceil(subnets as u64)
    }
}

/// One instance type of a node group: a mixed fleet (a Karpenter pool, a managed node group with several types)
/// has several, every other group one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub(crate) instance: InstanceInfo,
    pub(crate) shape: NodeShape,
    pub(crate) nodes: u32,
    pub(crate) pods_per_node: u32,
    pub(crate) addresses_per_node: u64,
}

impl Member {
    /// The instance type's facts.
    #[must_use]
    pub const fn instance(&self) -> &InstanceInfo {
        &self.instance
    }
    /// What the CNI settings make of the type (its max pods included).
    #[must_use]
    pub const fn shape(&self) -> &NodeShape {
        &self.shape
    }
    /// The group's peak node count were every node of this type: `nodes`, or `floor(max_vcpus / vCPUs)`
    /// (possibly 0: the type is larger than the bound).
    #[must_use]
    pub const fn nodes(&self) -> u32 {
        self.nodes
    }
    /// Pods per node that need an address on this type: `pods_per_node`, `ceil(pods / nodes)`, or for
    /// `pods_per_node: max` its max pods less the host-network pods.
    #[must_use]
    pub const fn pods_per_node(&self) -> u32 {
        self.pods_per_node
    }
    /// Addresses one node of this type takes from its subnets in steady state (the closed form's pool).
    #[must_use]
    pub const fn addresses_per_node(&self) -> u64 {
        self.addresses_per_node
    }
}

/// A node group of a validated plan (a managed node group, an ASG or a Karpenter pool).
///
/// A mixed fleet has one [`Member`] per instance type; the group is judged on its **worst** member, the one whose
/// nodes take the most addresses in all (`(nodes + surge) x addresses per node`, the first such in list order),
/// and [`NodeGroup::instance`], [`NodeGroup::shape`], [`NodeGroup::nodes`] and [`NodeGroup::pods_per_node`] are
/// the worst member's. The best is the member taking the fewest (the last such).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeGroup {
    id: GroupId,
    name: String,
    members: Vec<Member>,
    worst: usize,
    best: usize,
    subnets: Vec<SubnetId>,
    max_vcpus: Option<u32>,
    surge: u32,
    pods: PodsSpec,
    max_pods: MaxPodsSpec,
    pods_per_core: Option<u32>,
    host_network_pods: u32,
    branch_pods_per_node: u32,
    launch: Launch,
}

impl NodeGroup {
    /// How its new nodes pick their subnet.
    #[must_use]
    pub const fn launch(&self) -> Launch {
        self.launch
    }
    /// Its id.
    #[must_use]
    pub const fn id(&self) -> GroupId {
        self.id
    }
    /// Its unique name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its instance types, in the order written (at least one).
    #[must_use]
    pub fn members(&self) -> &[Member] {
        &self.members
    }
    /// The member the group is judged on: the one that takes the most addresses.
    #[must_use]
    pub fn worst(&self) -> &Member {
        &self.members[self.worst]
    }
    /// The member that takes the fewest addresses.
    #[must_use]
    pub fn best(&self) -> &Member {
        &self.members[self.best]
    }
    /// Whether the group names several instance types.
    #[must_use]
    pub fn is_mixed(&self) -> bool {
        self.members.len() > 1
    }
    /// The worst member's instance facts.
    #[must_use]
    pub fn instance(&self) -> &InstanceInfo {
        &self.worst().instance
    }
    /// The subnets its nodes spread over (at least one, each with role `nodes` or `both`).
    #[must_use]
    pub fn subnets(&self) -> &[SubnetId] {
        &self.subnets
    }
    /// Peak node count of the worst member (at least 1).
    #[must_use]
    pub fn nodes(&self) -> u32 {
        self.worst().nodes
    }
    /// The vCPU bound (`max_vcpus`), when the nodes are bounded by it.
    #[must_use]
    pub const fn max_vcpus(&self) -> Option<u32> {
        self.max_vcpus
    }
    /// Extra nodes during a rolling update.
    #[must_use]
    pub const fn surge(&self) -> u32 {
        self.surge
    }
    /// Nodes at the peak of a rolling update: `nodes + surge`.
    #[must_use]
    pub fn peak_nodes(&self) -> u32 {
        self.nodes().saturating_add(self.surge)
    }
    /// The pod count as written.
    #[must_use]
    pub const fn pods(&self) -> PodsSpec {
        self.pods
    }
    /// The max-pods setting as written.
    #[must_use]
    pub const fn max_pods_spec(&self) -> MaxPodsSpec {
        self.max_pods
    }
    /// The kubelet's `podsPerCore`, when given.
    #[must_use]
    pub const fn pods_per_core(&self) -> Option<u32> {
        self.pods_per_core
    }
    /// The kubelet's max pods on the worst member, resolved.
    #[must_use]
    pub fn max_pods(&self) -> u32 {
        self.worst().shape.max_pods
    }
    /// Host-network pods per node.
    #[must_use]
    pub const fn host_network_pods(&self) -> u32 {
        self.host_network_pods
    }
    /// Pods per node with their own security groups (a branch ENI each).
    #[must_use]
    pub const fn branch_pods_per_node(&self) -> u32 {
        self.branch_pods_per_node
    }
    /// What the CNI settings make of the worst member's instance type.
    #[must_use]
    pub fn shape(&self) -> &NodeShape {
        &self.worst().shape
    }

    /// Pods per node that need an address on the worst member: `pods_per_node`, or `ceil(pods / nodes)` (surge
    /// nodes are replacements, so they do not dilute it), or its max pods less the host-network pods.
    ///
    /// ```
    /// let plan = ipplan_planner::Plan::from_yaml_str(
    ///     "subnets: [{name: a, az: z, cidr: 10.0.0.0/24}]\nnode_groups: [{name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods: 50}]",
    ///     "plan.yaml", &ipplan_core::Catalog::embedded())?;
    /// // 50 pods over 3 nodes: 17 on the fullest node
    /// assert_eq!(plan.node_groups()[0].pods_per_node(), 17);
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn pods_per_node(&self) -> u32 {
        self.worst().pods_per_node
    }

    /// Of the peak nodes (`nodes + surge`), how many run [`NodeGroup::pods_per_node`] pods; the others run one
    /// fewer. `pods: T` on `N` nodes is spread evenly: `T mod N` nodes run `ceil(T / N)` and the rest
    /// `floor(T / N)`, so the nodes hold exactly `T`; the `i`-th surge node carries the pods of the node it
    /// replaces, node `i mod N` (the fullest first: a rolling update's peak is when those are replaced). With
    /// `pods_per_node` (or `max`), or when `N` divides `T`, every node runs the same.
    ///
    /// ```
    /// let plan = ipplan_planner::Plan::from_yaml_str(
    ///     "subnets: [{name: a, az: z, cidr: 10.0.0.0/24}]\nnode_groups: [{name: g, instance_type: m5.large, subnets: [a], nodes: 7, surge: 1, pods: 200}]",
    ///     "plan.yaml", &ipplan_core::Catalog::embedded())?;
    /// let g = &plan.node_groups()[0];
    /// // 200 = 7 x 28 + 4: 4 nodes of 29, 3 of 28; the surge node carries node 0's 29
    /// assert_eq!((g.pods_per_node(), g.full_nodes(), g.peak_pods()), (29, 5, 229));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn full_nodes(&self) -> u32 {
        let n = self.nodes();
        let peak = self.peak_nodes();
        match self.pods {
            PodsSpec::Total(t) if n > 0 && t % n != 0 => {
                let r = t % n;
                r + (self.surge / n) * r + (self.surge % n).min(r)
            }
            _ => peak,
        }
    }

    /// The pods of every peak node together: `full_nodes x pods_per_node + (peak - full_nodes) x
    /// (pods_per_node - 1)`; without surge exactly the plan's `pods` (or `pods_per_node x nodes`).
    #[must_use]
    pub fn peak_pods(&self) -> u64 {
        let full = u64::from(self.full_nodes());
        let rest = u64::from(self.peak_nodes()) - full;
        let p = u64::from(self.pods_per_node());
        full * p + rest * p.saturating_sub(1)
    }

    /// The most nodes any one of the group's subnets holds at peak: `ceil((nodes + surge) / subnets)`
    /// (conservative: whichever subnet gets the odd node must hold it).
    #[must_use]
    pub fn max_nodes_per_subnet(&self) -> u32 {
        let n = u32::try_from(self.subnets.len()).unwrap_or(u32::MAX);
        self.peak_nodes().div_ceil(n)
    }

    /// Of [`NodeGroup::max_nodes_per_subnet`], the most that run the full [`NodeGroup::pods_per_node`]:
    /// `ceil(full_nodes / subnets)`. Nodes go round the subnets in launch order and the fullest nodes come
    /// first, so the subnet that gets the odd node also gets the odd full one.
    #[must_use]
    pub fn max_full_nodes_per_subnet(&self) -> u32 {
        let n = u32::try_from(self.subnets.len()).unwrap_or(u32::MAX);
        self.full_nodes().div_ceil(n)
    }
}

/// A validated plan: every name resolved, every cross-field rule checked, each group's [`NodeShape`] and the
/// scenario worked out. Built only by [`Plan::from_spec`] (and the readers on top of it), so it is valid by
/// construction. To change a plan, change its [`Plan::spec`] and validate again.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    file: String,
    spec: PlanSpec,
    vpc_cidrs: Vec<Ipv4Net>,
    cni: CniConfig,
    subnets: Vec<Subnet>,
    control_plane: Option<ControlPlane>,
    node_groups: Vec<NodeGroup>,
    headroom_percent: u32,
    warnings: Vec<PlanWarning>,
    scenario: Option<Scenario>,
    /// Per subnet: its ENIConfig subnet under custom networking.
    pod_subnet: Vec<Option<SubnetId>>,
    /// Subnet discovery's candidates (empty when discovery is off).
    discovery: Discovery,
    /// Per subnet: addresses kept for the control plane.
    control_plane_share: Vec<u64>,
    ecs_services: Vec<EcsService>,
    overlap: Overlap,
    shift_weights: Vec<u32>,
}

impl Plan {
    /// Validate `spec`, named `file` in messages and reports: the one pass every way in takes.
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::plan::{NodeGroupSpec, PlanSpec, SubnetSpec};
    /// use ipplan_planner::Plan;
    /// let spec = PlanSpec {
    ///     subnets: vec![SubnetSpec {
    ///         name: "a".into(), az: "us-east-1a".into(), cidr: "10.0.0.0/24".parse().unwrap(),
    ///         ipv6_cidr: None, role: None, reservations: vec![], other_consumers: vec![], tags: Default::default(),
    ///     }],
    ///     node_groups: vec![NodeGroupSpec {
    ///         name: "web".into(), instance_type: "m5.large".into(), subnets: vec!["a".into()],
    ///         nodes: 4, pods_per_node: Some(20), ..NodeGroupSpec::default()
    ///     }],
    ///     ..PlanSpec::default()
    /// };
    /// let plan = Plan::from_spec(spec.clone(), "plan.yaml", &Catalog::embedded())?;
    /// assert_eq!(plan.node_groups()[0].max_pods(), 29);
    ///
    /// let mut bad = spec;
    /// bad.node_groups[0].subnets[0] = "b".into();
    /// assert_eq!(
    ///     Plan::from_spec(bad, "plan.yaml", &Catalog::embedded()).unwrap_err().to_string(),
    ///     "plan.yaml: node_groups[0].subnets[0]: unknown subnet 'b' (known: a)"
    /// );
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    ///
    /// # Errors
    /// The first rule that does not hold, as a [`PlanError::Invalid`] naming the field path and the fix.
    pub fn from_spec(spec: PlanSpec, file: &str, catalog: &Catalog) -> Result<Self, PlanError> {
        validate::plan(spec, file, catalog)
    }

    /// Read and validate a YAML plan.
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::Plan;
    /// use ipplan_planner::plan::PodsSpec;
    /// let yaml = "
    /// subnets:
    ///   - { name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/24 }
    /// node_groups:
    ///   - { name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 4, pods_per_node: 20 }
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// assert_eq!(plan.node_groups()[0].instance().enis, 3);
    /// assert_eq!(plan.node_groups()[0].pods(), PodsSpec::PerNode(20));
    /// assert_eq!(plan.cni().warm_eni_target, 1); // the manifest default
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
    pub fn from_yaml_str(text: &str, file: &str, catalog: &Catalog) -> Result<Self, PlanError> {
        Self::from_spec(PlanSpec::from_yaml_str(text, file)?, file, catalog)
    }

    /// Read and validate a JSON plan.
    ///
    /// # Errors
    /// As [`Plan::from_yaml_str`].
    pub fn from_json_str(text: &str, file: &str, catalog: &Catalog) -> Result<Self, PlanError> {
        Self::from_spec(PlanSpec::from_json_str(text, file)?, file, catalog)
    }

    /// Read and validate a plan, JSON or YAML as [`PlanSpec::from_str_auto`] decides.
    ///
    /// # Errors
    /// As [`Plan::from_yaml_str`].
    pub fn from_str_auto(text: &str, file: &str, catalog: &Catalog) -> Result<Self, PlanError> {
        Self::from_spec(PlanSpec::from_str_auto(text, file)?, file, catalog)
    }

    /// A changed spec validated against this plan's own instance facts (so a what-if needs no catalog; a spec
    /// that names a type this plan does not use needs [`Plan::from_spec`]).
    ///
    /// # Errors
    /// As [`Plan::from_spec`].
    pub fn with_spec(&self, spec: PlanSpec) -> Result<Self, PlanError> {
        let own = Catalog::with_overlay(
            self.node_groups
                .iter()
                .flat_map(|g| g.members.iter().map(|m| m.instance.clone()))
                .collect(),
        );
        Self::from_spec(spec, &self.file, &own)
    }

    /// The file name used in messages and reports.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }
    /// The spec it was validated from.
    #[must_use]
    pub const fn spec(&self) -> &PlanSpec {
        &self.spec
    }
    /// `vpc.cidrs` (empty when not given); `[0]` is the primary block.
    #[must_use]
    pub fn vpc_cidrs(&self) -> &[Ipv4Net] {
        &self.vpc_cidrs
    }
    /// CNI settings, defaults applied.
    #[must_use]
    pub const fn cni(&self) -> &CniConfig {
        &self.cni
    }
    /// Subnets, in file order (at least one).
    #[must_use]
    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }
    /// One subnet.
    #[must_use]
    pub fn subnet(&self, id: SubnetId) -> &Subnet {
        &self.subnets[id.index()]
    }
    /// The subnet named `name`.
    #[must_use]
    pub fn subnet_named(&self, name: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.name == name)
    }
    /// Node groups, in file order.
    #[must_use]
    pub fn node_groups(&self) -> &[NodeGroup] {
        &self.node_groups
    }
    /// One node group.
    #[must_use]
    pub fn group(&self, id: GroupId) -> &NodeGroup {
        &self.node_groups[id.index()]
    }
    /// The EKS control plane, when given.
    #[must_use]
    pub const fn control_plane(&self) -> Option<&ControlPlane> {
        self.control_plane.as_ref()
    }
    /// Headroom asked of each subnet in what-if comparisons, in percent (default 20).
    #[must_use]
    pub const fn headroom_percent(&self) -> u32 {
        self.headroom_percent
    }
    /// What validation found worth a second look, each once.
    #[must_use]
    pub fn warnings(&self) -> &[PlanWarning] {
        &self.warnings
    }
    /// The ECS services running beside the cluster during the migration.
    #[must_use]
    pub fn ecs_services(&self) -> &[EcsService] {
        &self.ecs_services
    }
    /// How ECS and EKS overlap during the migration (`migration.overlap`, default `full`).
    #[must_use]
    pub const fn overlap(&self) -> Overlap {
        self.overlap
    }
    /// With `overlap: shift`, the traffic weights on EKS (percent, strictly increasing, the last 100); empty
    /// with `overlap: full`.
    #[must_use]
    pub fn shift_weights(&self) -> &[u32] {
        &self.shift_weights
    }
    /// Addresses the ECS services' tasks hold in subnet `id` at their deployment peak.
    #[must_use]
    pub fn ecs_addresses(&self, id: SubnetId) -> u64 {
        self.ecs_services.iter().map(|e| e.addresses_in(id)).sum()
    }

    /// Whether the plan has a `simulate:` section.
    #[must_use]
    pub const fn has_scenario(&self) -> bool {
        self.scenario.is_some()
    }
    /// The plan's `simulate:` scenario, or its own peak ([`Scenario::peak`]) when it has none.
    #[must_use]
    pub fn scenario(&self) -> Scenario {
        self.scenario
            .clone()
            .unwrap_or_else(|| Scenario::peak(self))
    }

    /// The ENIConfig subnet for nodes in `node_subnet` under custom networking: in the same AZ, the first subnet
    /// (file order) with role `pods`, else the first with role `both` (possibly `node_subnet` itself). `None`
    /// without custom networking; validation makes sure every subnet a node group uses has one.
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
    /// let a = plan.subnets()[0].id();
    /// assert_eq!(plan.pod_subnet_for(a).map(|s| plan.subnet(s).name()), Some("pods-a"));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn pod_subnet_for(&self, node_subnet: SubnetId) -> Option<SubnetId> {
        self.pod_subnet.get(node_subnet.index()).copied().flatten()
    }

    /// Where pod ENIs of nodes in `node_subnet` go: the ENIConfig subnet under custom networking, else the node
    /// subnet itself.
    #[must_use]
    pub fn eni_subnet_for(&self, node_subnet: SubnetId) -> SubnetId {
        self.pod_subnet_for(node_subnet).unwrap_or(node_subnet)
    }

    /// Where subnet discovery may put a new (secondary) ENI of a node in `node_subnet`, in plan order: the node
    /// subnet itself unless it is tagged `kubernetes.io/role/cni=0`, and every other subnet of its AZ tagged
    /// `kubernetes.io/role/cni` with a value other than `0` (aws/amazon-vpc-cni-k8s `pkg/awsutils/awsutils.go`,
    /// `createENI` over `GetVpcSubnets`, filtered by `isSubnetValidForENICreation`). ipamd tries them most free
    /// addresses first. Empty when the CNI does not discover subnets ([`CniConfig::discovers_subnets`]).
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// let yaml = r#"
    /// subnets:
    ///   - { name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/24 }
    ///   - { name: pods-a, az: us-east-1a, cidr: 100.64.0.0/20, tags: { kubernetes.io/role/cni: "1" } }
    ///   - { name: pods-b, az: us-east-1b, cidr: 100.64.16.0/20, tags: { kubernetes.io/role/cni: "1" } }
    ///   - { name: off-a, az: us-east-1a, cidr: 100.64.32.0/20, tags: { kubernetes.io/role/cni: "0" } }
    /// "#;
    /// let plan = ipplan_planner::Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let names: Vec<&str> = plan.discovery_subnets(plan.subnets()[0].id()).iter()
    ///     .map(|&s| plan.subnet(s).name()).collect();
    /// assert_eq!(names, ["nodes-a", "pods-a"]);
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn discovery_subnets(&self, node_subnet: SubnetId) -> Vec<SubnetId> {
        let Some(&(az, own)) = self.discovery.of.get(node_subnet.index()) else {
            return Vec::new();
        };
        let tagged = &self.discovery.included[az];
        let mut out = Vec::with_capacity(tagged.len() + 1);
        let at = tagged.partition_point(|t| t.index() < node_subnet.index());
        out.extend_from_slice(&tagged[..at]);
        if own {
            out.push(node_subnet);
        }
        out.extend_from_slice(&tagged[at..]);
        out
    }

    /// Addresses the control plane may take in subnet `id` (0 when it is not a control-plane subnet); see
    /// [`ControlPlane::addresses_per_subnet`].
    #[must_use]
    pub fn control_plane_addresses(&self, id: SubnetId) -> u64 {
        self.control_plane_share
            .get(id.index())
            .copied()
            .unwrap_or(0)
    }
}
