//! [`PlanSpec`]: the plan as a user writes it. Plain data, every field public, nothing checked.
//!
//! Every way in builds one: the YAML/JSON reader ([`PlanSpec::from_yaml_str`]), the Terraform `external`
//! query, the importers, and library callers. [`crate::Plan::from_spec`] is the one validation pass. A spec
//! serialises back to the YAML the reader accepts ([`PlanSpec::to_yaml`]), so a tool can print a plan a user
//! commits.
//!
//! Optional fields are `None` (or empty) when not written; the defaults are applied by validation, not here, so
//! a spec written back keeps only what the user (or importer) said.

use ipnet::Ipv4Net;
use ipplan_core::{AddressMode, CniVersion};
use serde::{Serialize, Serializer};

use crate::error::PlanError;
use crate::plan::vocabulary::{MaxPodsSpec, ReservationType, SubnetRole};
use crate::plan::{read, scenario};

/// A whole plan file.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
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
    pub node_groups: Vec<NodeGroupSpec>,
    /// `headroom_percent:` (default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headroom_percent: Option<u32>,
    /// `simulate:`: a scenario for `ipplan simulate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulate: Option<ScenarioSpec>,
}

/// `vpc:`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct VpcSpec {
    /// The VPC's IPv4 blocks, the primary first.
    pub cidrs: Vec<Ipv4Net>,
}

/// `cni:`. `None` = the CNI's shipped default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
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
    pub max_eni: Option<u32>,
    /// `ENABLE_POD_ENI`: security groups for pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_security_groups: Option<bool>,
}

/// One entry of `subnets:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnetSpec {
    /// Unique name; node groups and the control plane refer to it.
    pub name: String,
    /// Availability zone.
    pub az: String,
    /// The subnet's range.
    pub cidr: Ipv4Net,
    /// `nodes`, `pods` or `both` (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<SubnetRole>,
    /// Subnet CIDR reservations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reservations: Vec<ReservationSpec>,
    /// Other users of addresses in the subnet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_consumers: Vec<ConsumerSpec>,
}

/// One entry of `subnets[].reservations:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReservationSpec {
    /// The reserved range.
    pub cidr: Ipv4Net,
    /// `prefix` or `explicit`.
    #[serde(rename = "type")]
    pub kind: ReservationType,
}

/// One entry of `subnets[].other_consumers:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerSpec {
    /// What it is (`alb`, `vpc-endpoints`).
    pub what: String,
    /// Addresses it takes at peak.
    pub addresses: u64,
}

/// `control_plane:`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ControlPlaneSpec {
    /// Subnet names.
    pub subnets: Vec<String>,
    /// ENIs EKS creates (default 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enis: Option<u32>,
}

/// One entry of `node_groups:`.
///
/// A mixed fleet (a Karpenter pool, a managed node group with several types) names `instance_types` instead of
/// `instance_type` (exactly one of the two), and may bound its nodes by `max_vcpus` instead of `nodes`; pods the
/// plan cannot know are written `pods_per_node: max` ([`NodeGroupSpec::pods_per_node_max`]): every node full.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NodeGroupSpec {
    /// Unique name.
    pub name: String,
    /// The EC2 instance type (empty when `instance_types` is given).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub instance_type: String,
    /// A mixed fleet's instance types (exactly one of this and `instance_type`): the group is judged on the type
    /// that takes the most addresses for its pods.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instance_types: Vec<String>,
    /// Subnet names; nodes spread evenly over them.
    pub subnets: Vec<String>,
    /// Peak node count (0 when `max_vcpus` bounds the nodes instead).
    #[serde(skip_serializing_if = "is_zero")]
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
    pub pods_per_node: Option<u32>,
    /// `pods_per_node: max`: the pods are not known, so every node is planned full, at its max pods less the
    /// host-network pods (what importers write).
    #[serde(
        rename = "pods_per_node",
        skip_serializing_if = "is_false",
        serialize_with = "ser_max"
    )]
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
}

/// `simulate:`: times are seconds (written back as `90m`-style durations).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ScenarioSpec {
    /// Simulated seconds (default: until steady).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    pub duration: Option<u32>,
    /// Seed of every random choice (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// ipamd's pool check interval (default 5 s).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    pub tick: Option<u32>,
    /// Where EC2 puts single addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<scenario::SinglePlacement>,
    /// Which free pod address a new pod gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_addresses: Option<scenario::PodAddressOrder>,
    /// The verdict's wait threshold (default 30 s).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    pub wait_threshold: Option<u32>,
    /// Timeline interval (default 60 s).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_duration"
    )]
    pub sample: Option<u32>,
    /// Events; `None`: the plan's own peak.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventSpec>>,
}

/// One entry of `simulate.events:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventSpec {
    /// When, seconds from the start.
    #[serde(serialize_with = "ser_duration")]
    pub at: u32,
    /// What happens.
    #[serde(flatten)]
    pub kind: EventSpecKind,
}

/// What an event does, with node groups by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
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
        arrival: Option<scenario::Arrival>,
    },
    /// `churn: { node_group, per_minute, until }`.
    Churn {
        /// Node group name.
        node_group: String,
        /// Replacements per minute.
        per_minute: f64,
        /// When it stops.
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "ser_opt_duration"
        )]
        until: Option<u32>,
    },
    /// `rolling_update: { node_group, surge, drain_seconds }`.
    RollingUpdate {
        /// Node group name.
        node_group: String,
        /// New nodes up front (default: the group's surge, at least 1).
        #[serde(skip_serializing_if = "Option::is_none")]
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
