//! [`PlanSpec`]: the plan as a user writes it. Plain data, every field public, nothing checked.
//!
//! Every way in builds one: the YAML/JSON reader ([`PlanSpec::from_yaml_str`]), the Terraform `external`
//! query, the importers, and library callers. [`crate::Plan::from_spec`] is the one validation pass. A spec
//! serialises back to the YAML the reader accepts ([`PlanSpec::to_yaml`]), so a tool can print a plan a user
//! commits.
//!
//! Optional fields are `None` (or empty) when not written; the defaults are applied by validation, not here, so
//! a spec written back keeps only what the user (or importer) said.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use ipplan_core::{AddressMode, CniVersion};
use serde::{Serialize, Serializer};

use crate::error::PlanError;
use crate::plan::vocabulary::{IpFamily, Launch, MaxPodsSpec, ReservationType, SubnetRole};
use crate::plan::{read, scenario};

/// A whole plan file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
#[schemars(title = "ipplan plan file", deny_unknown_fields)]
pub struct PlanSpec {
    /// `vpc:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc: Option<VpcSpec>,
    /// `cni:`: the `aws-node` settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cni: Option<CniSpec>,
    /// `subnets:`.
    pub subnets: Vec<SubnetSpec>,
    /// `control_plane:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<ControlPlaneSpec>,
    /// `node_groups:`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default, schema_with = "schema::list_or_null::<NodeGroupSpec>")]
    pub node_groups: Vec<NodeGroupSpec>,
    /// `headroom_percent:` (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 1000))]
    pub headroom_percent: Option<u32>,
    /// `simulate:`: a scenario for `ipplan simulate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulate: Option<ScenarioSpec>,
    /// `ecs_services:`: the ECS services the cluster replaces, running in the same subnets during the migration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub ecs_services: Vec<EcsServiceSpec>,
    /// `migration:`: how ECS and EKS share the subnets while traffic moves (default `overlap: full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<MigrationSpec>,
}

/// How ECS and EKS overlap during the migration (`migration.overlap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overlap {
    /// ECS stays at full size (its deployment surge included) beside EKS at its peak: a rollback is one weight
    /// change. The default.
    #[default]
    Full,
    /// ECS shrinks as EKS grows, step by step with the traffic weights: each step is judged.
    Shift,
}

/// `migration:`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MigrationSpec {
    /// `full` (default) or `shift`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlap: Option<Overlap>,
    /// With `overlap: shift`: the percent of traffic on EKS at each step, strictly increasing, the last 100
    /// (e.g. `[5, 20, 50, 100]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub weights: Vec<u32>,
}

/// The network mode of an ECS task definition (`networkMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EcsNetworkMode {
    /// Each task has its own ENI and one private address in one of the service's subnets (Fargate's only mode).
    Awsvpc,
    /// Tasks share the container instance's address: none of their own.
    Bridge,
    /// Tasks use the container instance's network: none of their own.
    Host,
}

/// One entry of `ecs_services:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EcsServiceSpec {
    /// The service name.
    #[schemars(pattern(r"\S"))]
    pub name: String,
    /// Desired tasks (`desiredCount`).
    pub tasks: u32,
    /// `deploymentConfiguration.maximumPercent` (default 200): a deployment runs up to `tasks * max_percent / 100`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<u32>,
    /// Subnet names (`awsvpcConfiguration.subnets`); tasks spread evenly across them.
    pub subnets: Vec<String>,
    /// `awsvpc` (default), `bridge` or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<EcsNetworkMode>,
    /// Where its tasks run today: addresses (`10.0.1.20`) and inclusive ranges (`10.0.1.20-10.0.1.27`) in its
    /// subnets (`describe-network-interfaces`' task ENIs). Held from the start and counted as the service's own
    /// addresses there, not on top of them: a subnet holds `max(share, held there)` of the service's addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub at: Vec<String>,
}

/// `vpc:`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VpcSpec {
    /// The VPC's IPv4 blocks, the primary first.
    #[schemars(default, schema_with = "schema::cidr_list_or_null")]
    pub cidrs: Vec<Ipv4Net>,
}

/// `cni:`. `None` = the CNI's shipped default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CniSpec {
    /// `secondary-ip` or `prefix` (`ENABLE_PREFIX_DELEGATION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<AddressMode>,
    /// `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_networking: Option<bool>,
    /// The CNI version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<CniVersion>,
    /// `WARM_ENI_TARGET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_eni_target: Option<u32>,
    /// `WARM_IP_TARGET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_ip_target: Option<u32>,
    /// `MINIMUM_IP_TARGET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_ip_target: Option<u32>,
    /// `WARM_PREFIX_TARGET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_prefix_target: Option<u32>,
    /// `MAX_ENI`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_eni: Option<u32>,
    /// `ENABLE_POD_ENI`: security groups for pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_security_groups: Option<bool>,
    /// `ipv4` (default) or `ipv6`: the cluster's IP family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_family: Option<IpFamily>,
    /// `ENABLE_SUBNET_DISCOVERY` (default true, CNI 1.18.0 and later): without custom networking a new ENI goes
    /// to whichever of the node's subnet and the subnets of its AZ tagged `kubernetes.io/role/cni` has the most
    /// free addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_discovery: Option<bool>,
}

/// One entry of `subnets:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SubnetSpec {
    /// Unique name; node groups and the control plane refer to it.
    #[schemars(pattern(r"\S"))]
    pub name: String,
    /// Availability zone.
    #[schemars(pattern(r"\S"))]
    pub az: String,
    /// The subnet's range.
    #[schemars(schema_with = "schema::cidr")]
    pub cidr: Ipv4Net,
    /// The subnet's IPv6 block (a /64), for an IPv6 cluster; unset: the /64 AWS assigns.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(default, with = "Option<String>")]
    pub ipv6_cidr: Option<ipnet::Ipv6Net>,
    /// `nodes`, `pods` or `both` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<SubnetRole>,
    /// Subnet CIDR reservations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default, schema_with = "schema::list_or_null::<ReservationSpec>")]
    pub reservations: Vec<ReservationSpec>,
    /// Other users of addresses in the subnet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default, schema_with = "schema::list_or_null::<ConsumerSpec>")]
    pub other_consumers: Vec<ConsumerSpec>,
    /// The subnet's AWS tags (key to value, as `describe-subnets` lists them). ipplan reads
    /// `kubernetes.io/role/cni` (subnet discovery: any value but `0` offers the subnet to new ENIs of nodes in
    /// its AZ; `0` takes it out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(default, schema_with = "schema::tags")]
    pub tags: BTreeMap<String, String>,
}

/// One entry of `subnets[].reservations:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ReservationSpec {
    /// The reserved range.
    #[schemars(schema_with = "schema::cidr")]
    pub cidr: Ipv4Net,
    /// `prefix` or `explicit`.
    #[serde(rename = "type")]
    pub kind: ReservationType,
}

/// One entry of `subnets[].other_consumers:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ConsumerSpec {
    /// What it is (`alb`, `vpc-endpoints`).
    #[schemars(pattern(r"\S"))]
    pub what: String,
    /// Addresses it takes at peak.
    #[schemars(range(max = 4_294_967_296_u64))]
    pub addresses: u64,
    /// Where some or all of them are today: addresses (`10.0.1.20`), inclusive ranges (`10.0.1.20-10.0.1.27`) and
    /// /28 prefixes (`10.0.1.48/28`) inside the subnet. Held from the start; the rest of `addresses` is placed by
    /// EC2's rules as without `at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub at: Vec<String>,
}

/// `control_plane:`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ControlPlaneSpec {
    /// Subnet names.
    pub subnets: Vec<String>,
    /// ENIs EKS creates (default 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub enis: Option<u32>,
}

/// One entry of `node_groups:`.
///
/// A mixed fleet (a Karpenter pool, a managed node group with several types) names `instance_types` instead of
/// `instance_type` (exactly one of the two), and may bound its nodes by `max_vcpus` instead of `nodes`; pods the
/// plan cannot know are written `pods_per_node: max` ([`NodeGroupSpec::pods_per_node_max`]): every node full.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NodeGroupSpec {
    /// Unique name.
    #[schemars(pattern(r"\S"))]
    pub name: String,
    /// The EC2 instance type (empty when `instance_types` is given).
    #[serde(skip_serializing_if = "String::is_empty")]
    #[schemars(default)]
    pub instance_type: String,
    /// A mixed fleet's instance types (exactly one of this and `instance_type`): the group is judged on the type
    /// that takes the most addresses for its pods.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default, schema_with = "schema::list_or_null::<String>")]
    pub instance_types: Vec<String>,
    /// Subnet names; nodes spread evenly over them.
    pub subnets: Vec<String>,
    /// Peak node count (0 when `max_vcpus` bounds the nodes instead).
    #[serde(skip_serializing_if = "is_zero")]
    #[schemars(range(min = 1), default)]
    pub nodes: u32,
    /// The bound on the group's vCPUs (Karpenter's `limits.cpu`), instead of `nodes`: each type's node count is
    /// `floor(max_vcpus / its vCPUs)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_vcpus: Option<u32>,
    /// Extra nodes during a rolling update (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surge: Option<u32>,
    /// Pods per node that need an address (exactly one of this, `pods` and `pods_per_node_max`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(default, schema_with = "schema::pods_per_node")]
    pub pods_per_node: Option<u32>,
    /// `pods_per_node: max`: the pods are not known, so every node is planned full, at its max pods less the
    /// host-network pods (what importers write).
    #[serde(
        rename = "pods_per_node",
        skip_serializing_if = "is_false",
        serialize_with = "ser_max"
    )]
    #[schemars(skip)]
    pub pods_per_node_max: bool,
    /// The group's pod total at peak.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// `auto` (default), `karpenter` or a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<MaxPodsSpec>,
    /// The kubelet's `podsPerCore`: max pods is at most this times the type's vCPUs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods_per_core: Option<u32>,
    /// Host-network pods per node (default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_network_pods: Option<u32>,
    /// Pods per node with their own security groups (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch_pods_per_node: Option<u32>,
    /// How new nodes pick their subnet: `balanced` (default; managed node groups and auto scaling groups
    /// balance across the AZs) or `karpenter` (each zone's subnet with the most free addresses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch: Option<Launch>,
}

/// `simulate:`: times are seconds (written back as `90m`-style durations).
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Simulated seconds (default: until steady).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    #[schemars(default, schema_with = "schema::duration_or_null")]
    pub duration: Option<u32>,
    /// Seed of every random choice (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// ipamd's pool check interval (default 5 s).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    #[schemars(default, schema_with = "schema::duration_or_null")]
    pub tick: Option<u32>,
    /// Where EC2 puts single addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(default, schema_with = "schema::placement")]
    pub placement: Option<scenario::SinglePlacement>,
    /// Which free pod address a new pod gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(default, schema_with = "schema::pod_addresses")]
    pub pod_addresses: Option<scenario::PodAddressOrder>,
    /// The verdict's wait threshold (default 30 s).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    #[schemars(default, schema_with = "schema::duration_or_null")]
    pub wait_threshold: Option<u32>,
    /// Timeline interval (default 60 s).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    #[schemars(default, schema_with = "schema::duration_or_null")]
    pub sample: Option<u32>,
    /// Events; `None`: the plan's own peak.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventSpec>>,
}

/// One entry of `simulate.events:`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, transform = schema::one_event_key)]
pub struct EventSpec {
    /// When, seconds from the start.
    #[serde(serialize_with = "ser_duration")]
    #[schemars(schema_with = "schema::duration")]
    pub at: u32,
    /// What happens.
    #[serde(flatten)]
    pub kind: EventSpecKind,
}

/// What an event does, with node groups by name.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(deny_unknown_fields)]
pub enum EventSpecKind {
    /// `scale: { node_group, nodes }`.
    Scale {
        /// Node group name.
        node_group: String,
        /// New node count.
        nodes: u32,
    },
    /// `deploy: { node_group, pods, arrival }`.
    Deploy {
        /// Node group name.
        node_group: String,
        /// The group's pod total.
        pods: u32,
        /// `burst` (default) or `one-by-one`.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(default, schema_with = "schema::arrival")]
        arrival: Option<scenario::Arrival>,
    },
    /// `churn: { node_group, per_minute, until }`.
    Churn {
        /// Node group name.
        node_group: String,
        /// Replacements per minute.
        #[schemars(range(min = 0, max = 10_000_000))]
        per_minute: f64,
        /// When it stops.
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "ser_opt_duration"
        )]
        #[schemars(default, schema_with = "schema::duration_or_null")]
        until: Option<u32>,
    },
    /// `rolling_update: { node_group, surge, drain_seconds }`.
    RollingUpdate {
        /// Node group name.
        node_group: String,
        /// New nodes up front (default: the group's surge, at least 1).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 1))]
        surge: Option<u32>,
        /// Seconds between drains (default 60).
        #[serde(skip_serializing_if = "Option::is_none")]
        drain_seconds: Option<u32>,
    },
    /// `switch_mode: { node_group, mode }`.
    SwitchMode {
        /// Node group name.
        node_group: String,
        /// The new mode.
        mode: AddressMode,
    },
    /// `ecs: { service, tasks, release_after }`: set an ECS service's running tasks.
    Ecs {
        /// The service's name (`ecs_services[].name`).
        service: String,
        /// Tasks running from then on.
        tasks: u32,
        /// How long a stopped task keeps its ENI (default 30s: ECS's stopTimeout; behind a load balancer add its
        /// deregistration delay, e.g. 5m30s).
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "ser_opt_duration"
        )]
        #[schemars(default, schema_with = "schema::duration_or_null")]
        release_after: Option<u32>,
    },
}

/// `90` -> `90s`, `5400` -> `1h30m`, `0` -> `0s`: the duration syntax the reader accepts.
///
/// ```
/// assert_eq!(ipplan_planner::plan::format_seconds(5400), "1h30m");
/// assert_eq!(ipplan_planner::plan::format_seconds(90_061), "1d1h1m1s");
/// assert_eq!(ipplan_planner::plan::format_seconds(0), "0s");
/// ```
#[must_use]
pub fn format_seconds(mut s: u32) -> String {
    if s == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, len) in [('d', 86_400), ('h', 3600), ('m', 60), ('s', 1)] {
        if s >= len {
            out.push_str(&(s / len).to_string());
            out.push(unit);
            s %= len;
        }
    }
    out
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes `&T`
const fn is_zero(v: &u32) -> bool {
    *v == 0
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes `&T`
const fn is_false(v: &bool) -> bool {
    !*v
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's serialize_with passes `&T`
fn ser_max<S: Serializer>(_: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("max")
}

fn ser_duration<S: Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_seconds(*v))
}

#[allow(clippy::ref_option)] // serde's serialize_with passes `&Option<T>`
fn ser_opt_duration<S: Serializer>(v: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => ser_duration(v, s),
        None => s.serialize_none(),
    }
}

impl PlanSpec {
    /// Read a YAML plan into a spec: syntax, field names and value types are checked here (with the field path
    /// and a suggestion for unknown keys); everything else is [`crate::Plan::from_spec`]'s.
    ///
    /// ```
    /// let spec = ipplan_planner::PlanSpec::from_yaml_str(
    ///     "subnets: [{ name: a, az: us-east-1a, cidr: 10.0.0.0/24 }]", "plan.yaml")?;
    /// assert_eq!(spec.subnets[0].name, "a");
    /// assert_eq!(
    ///     ipplan_planner::PlanSpec::from_yaml_str("subnet: []", "plan.yaml").unwrap_err().to_string(),
    ///     "plan.yaml: unknown field 'subnet' at the top level (did you mean 'subnets'?)"
    /// );
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    ///
    /// # Errors
    /// [`PlanError`] for invalid YAML, unknown fields and values of the wrong type.
    pub fn from_yaml_str(text: &str, file_name: &str) -> Result<Self, PlanError> {
        read::spec_from_yaml(text, file_name)
    }

    /// Read a JSON plan (the same fields as YAML).
    ///
    /// # Errors
    /// As [`PlanSpec::from_yaml_str`], with JSON syntax errors reported as JSON.
    pub fn from_json_str(text: &str, file_name: &str) -> Result<Self, PlanError> {
        read::spec_from_json(text, file_name)
    }

    /// JSON when `file_name` ends in `.json` (or, for names other than `.yaml`/`.yml`, when the text starts with
    /// `{`), else YAML.
    ///
    /// # Errors
    /// As [`PlanSpec::from_yaml_str`].
    pub fn from_str_auto(text: &str, file_name: &str) -> Result<Self, PlanError> {
        let lower = file_name.to_ascii_lowercase();
        let json = if lower.ends_with(".json") {
            true
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            false
        } else {
            text.trim_start().starts_with('{')
        };
        if json {
            Self::from_json_str(text, file_name)
        } else {
            Self::from_yaml_str(text, file_name)
        }
    }

    /// The plan YAML the reader accepts (only the fields that were set).
    ///
    /// ```
    /// use ipplan_planner::PlanSpec;
    /// let yaml = "subnets: [{ name: a, az: us-east-1a, cidr: 10.0.0.0/24 }]\nsimulate: { duration: 90m }";
    /// let spec = PlanSpec::from_yaml_str(yaml, "plan.yaml")?;
    /// let text = spec.to_yaml();
    /// assert!(text.contains("duration: 1h30m"));
    /// assert_eq!(PlanSpec::from_yaml_str(&text, "plan.yaml")?, spec);
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn to_yaml(&self) -> String {
        // Plain data of strings, numbers and lists: serialisation cannot fail.
        serde_yaml::to_string(self).unwrap_or_default()
    }
}

/// The JSON Schema of the values the reader (`plan/read.rs`) takes in their own way: CIDRs, durations, and the
/// scenario's words. A field the reader treats as absent when it is `null` is nullable here too.
mod schema {
    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    /// An IPv4 network as `Ipv4Net` parses it (host bits may be set; the reader trims spaces).
    const CIDR: &str = r"^\s*(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}/(3[0-2]|[12]?[0-9])\s*$";
    /// `parse_seconds`: a whole number of seconds, or number-unit pairs (`90m`, `1h30m`, `1d`).
    const DURATION: &str = r"^\s*(\+?[0-9]+|([0-9]+[smhd])+)\s*$";

    pub(super) fn cidr(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": CIDR,
            "examples": ["10.0.0.0/24"],
        })
    }

    pub(super) fn cidr_list_or_null(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["array", "null"], "items": cidr(g) })
    }

    /// `tags`: a mapping of tag keys to string values (AWS tags are strings), or null.
    pub(super) fn tags(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["object", "null"],
            "additionalProperties": { "type": ["string", "integer"] },
            "examples": [{ "kubernetes.io/role/cni": "1" }],
        })
    }

    pub(super) fn list_or_null<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["array", "null"], "items": g.subschema_for::<T>() })
    }

    fn duration_forms() -> [serde_json::Value; 2] {
        [
            serde_json::json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX }),
            serde_json::json!({ "type": "string", "pattern": DURATION, "examples": ["90s", "10m", "1h30m"] }),
        ]
    }

    /// `pods_per_node`: a whole number, `max` (every node full), or null.
    pub(super) fn pods_per_node(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "Pods per node that need an address (exactly one of this and `pods`), or `max`: the \
                            pods are not known, every node is planned at its max pods.",
            "anyOf": [
                { "type": "integer", "minimum": 0, "maximum": u32::MAX },
                { "const": "max" },
                { "type": "null" },
            ],
        })
    }

    pub(super) fn duration(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": duration_forms() })
    }

    pub(super) fn duration_or_null(_: &mut SchemaGenerator) -> Schema {
        let [secs, text] = duration_forms();
        json_schema!({ "anyOf": [secs, text, { "type": "null" }] })
    }

    /// The flattened `kind` comes out as `oneOf` branches of one property each, checked for unknown keys by
    /// `unevaluatedProperties` (2020-12 only). Lift the properties next to `at` so that `additionalProperties:
    /// false` works in every draft, and keep `oneOf` for "exactly one event per item".
    pub(super) fn one_event_key(schema: &mut Schema) {
        use serde_json::Value;
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        let Some(Value::Array(branches)) = obj.remove("oneOf") else {
            return;
        };
        let mut lifted = serde_json::Map::new();
        let mut required = Vec::new();
        for mut branch in branches {
            let description = branch.get("description").cloned();
            if let Some(Value::Object(props)) = branch.get_mut("properties").map(Value::take) {
                for (key, mut prop) in props {
                    if let (Some(d), Some(p)) = (&description, prop.as_object_mut()) {
                        p.insert("description".to_string(), d.clone());
                    }
                    required.push(serde_json::json!({ "required": [key] }));
                    lifted.insert(key, prop);
                }
            }
        }
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            props.extend(lifted);
        }
        obj.insert("oneOf".to_string(), Value::Array(required));
        obj.remove("unevaluatedProperties");
        obj.insert("additionalProperties".to_string(), Value::Bool(false));
    }

    fn choice_or_null(words: &[&str]) -> Schema {
        json_schema!({ "type": ["string", "null"], "enum": words.iter().copied().map(Some).chain([None]).collect::<Vec<_>>() })
    }

    pub(super) fn placement(_: &mut SchemaGenerator) -> Schema {
        choice_or_null(&["random", "lowest"])
    }

    pub(super) fn pod_addresses(_: &mut SchemaGenerator) -> Schema {
        choice_or_null(&["ipamd", "random", "packed"])
    }

    pub(super) fn arrival(_: &mut SchemaGenerator) -> Schema {
        choice_or_null(&["burst", "one-by-one"])
    }
}
