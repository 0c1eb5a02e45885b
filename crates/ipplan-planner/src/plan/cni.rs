//! The VPC CNI settings that decide how many addresses a node holds, and [`NodeShape`]: what those settings make
//! of one instance type, worked out once per node group.

pub use ipplan_core::PrefixFallback;
use ipplan_core::{
    AddressMode, CniVersion, CoreError, InstanceInfo, MaxPodsOptions, cni_address_mode,
    karpenter_max_pods, max_pods, pod_eni_capacity,
};
use serde::Serialize;

use crate::plan::vocabulary::{IpFamily, MaxPodsSpec};

/// VPC CNI settings (the `aws-node` environment). [`Default`] is the CNI's shipped manifest
/// (`config/master/aws-k8s-cni.yaml`): `WARM_ENI_TARGET=1`, `WARM_PREFIX_TARGET=1`, IP targets unset,
/// secondary-IP mode, no custom networking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CniConfig {
    /// `ENABLE_PREFIX_DELEGATION`: [`AddressMode::Prefix`] when true. Non-Nitro, non-bare-metal types fall
    /// back to secondary IPs (see [`CniConfig::effective_mode`]).
    pub mode: AddressMode,
    /// `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG`: pod ENIs live in the ENIConfig subnet, the primary ENI carries no pods.
    pub custom_networking: bool,
    /// The CNI version; `None` = a current release.
    pub version: Option<CniVersion>,
    /// `WARM_ENI_TARGET` (secondary-IP mode only).
    pub warm_eni_target: u32,
    /// `WARM_IP_TARGET`; `None` = unset. `Some(0)` behaves as unset in the CNI.
    pub warm_ip_target: Option<u32>,
    /// `MINIMUM_IP_TARGET`; `None` = unset.
    pub minimum_ip_target: Option<u32>,
    /// `WARM_PREFIX_TARGET` (prefix mode only).
    pub warm_prefix_target: u32,
    /// `MAX_ENI`; `None` = the instance's limit.
    pub max_eni: Option<u32>,
    /// `ENABLE_POD_ENI`: security groups for pods (trunk ENI + branch ENIs).
    pub pod_security_groups: bool,
    /// The cluster's IP family: in IPv6 pods take addresses from a /80 prefix, not from the IPv4 subnet.
    pub ip_family: IpFamily,
    /// `ENABLE_SUBNET_DISCOVERY` as written (default true); whether the CNI acts on it is
    /// [`CniConfig::discovers_subnets`].
    pub subnet_discovery: bool,
}

impl Default for CniConfig {
    fn default() -> Self {
        Self {
            mode: AddressMode::SecondaryIp,
            custom_networking: false,
            version: None,
            warm_eni_target: 1,
            warm_ip_target: None,
            minimum_ip_target: None,
            warm_prefix_target: 1,
            max_eni: None,
            pod_security_groups: false,
            ip_family: IpFamily::Ipv4,
            subnet_discovery: true,
        }
    }
}

impl CniConfig {
    /// Whether `WARM_IP_TARGET` or `MINIMUM_IP_TARGET` is in force (either > 0): then they override
    /// `WARM_ENI_TARGET` and `WARM_PREFIX_TARGET`.
    #[must_use]
    pub fn ip_targets(&self) -> bool {
        self.warm_ip_target.unwrap_or(0) > 0 || self.minimum_ip_target.unwrap_or(0) > 0
    }

    /// Whether a new ENI may go to another subnet of the node's AZ (subnet discovery): `ENABLE_SUBNET_DISCOVERY`
    /// on, a CNI of 1.18.0 or later (where the setting first exists), no custom networking (which takes
    /// precedence: the ENIConfig names the subnet) and IPv4 (aws/amazon-vpc-cni-k8s `pkg/awsutils/awsutils.go`
    /// `createENI` takes the discovery path only when `useSubnetDiscovery && !v6Enabled` and custom networking is
    /// off).
    ///
    /// ```
    /// use ipplan_core::CniVersion;
    /// use ipplan_planner::plan::CniConfig;
    /// assert!(CniConfig::default().discovers_subnets());
    /// let old = CniConfig { version: Some(CniVersion::new(1, 17, 1)), ..CniConfig::default() };
    /// assert!(!old.discovers_subnets());
    /// let custom = CniConfig { custom_networking: true, ..CniConfig::default() };
    /// assert!(!custom.discovers_subnets());
    /// ```
    #[must_use]
    pub fn discovers_subnets(&self) -> bool {
        self.subnet_discovery
            && !self.custom_networking
            && self.ip_family == IpFamily::Ipv4
            && self
                .version
                .is_none_or(|v| v >= CniVersion::SUBNET_DISCOVERY)
    }

    /// The mode the CNI actually runs on `instance`: prefix delegation needs CNI >= 1.9.0 and a Nitro or
    /// bare-metal type, else the CNI falls back to secondary IPs.
    ///
    /// ```
    /// use ipplan_core::{AddressMode, Catalog};
    /// use ipplan_planner::plan::CniConfig;
    /// let cat = Catalog::embedded();
    /// let pd = CniConfig { mode: AddressMode::Prefix, ..CniConfig::default() };
    /// assert_eq!(pd.effective_mode(cat.get("m5.large").unwrap()), AddressMode::Prefix);
    /// assert_eq!(pd.effective_mode(cat.get("m4.xlarge").unwrap()), AddressMode::SecondaryIp);
    /// ```
    #[must_use]
    pub fn effective_mode(&self, instance: &InstanceInfo) -> AddressMode {
        cni_address_mode(instance, self.mode == AddressMode::Prefix, self.version).0
    }

    /// The max-pods options these settings imply (capped as EKS managed node groups do).
    #[must_use]
    pub fn max_pods_options(&self) -> MaxPodsOptions {
        MaxPodsOptions {
            cni_version: self.version,
            // IPv6 runs prefix assignment only: the managed node groups' max pods is the prefix formula's, capped
            prefix_delegation: self.mode == AddressMode::Prefix || self.ip_family == IpFamily::Ipv6,
            custom_networking: self.custom_networking,
            max_eni: self.max_eni,
            show_max_allowed: false,
            vcpus: None,
        }
    }
}

/// What the CNI settings make of one instance type: the one computation every part of ipplan asks (the closed
/// form, the simulation, `max-pods`, findings and messages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeShape {
    /// The instance type.
    pub instance: String,
    /// The address mode the CNI runs: prefix delegation falls back to secondary IPs on a non-Nitro type or an
    /// old CNI.
    pub mode: AddressMode,
    /// Why the mode fell back, when it did.
    pub fallback: Option<PrefixFallback>,
    /// ENIs ipamd may attach, the primary included, the trunk ENI not: `MAX_ENI` (when set) or the type's
    /// limit, less the trunk; at least 1.
    pub eni_limit: u32,
    /// Of those, the ENIs that take slots for pods: all of them, or all but the primary under custom
    /// networking (possibly 0).
    pub pod_enis: u32,
    /// Whether a trunk ENI is attached (security groups for pods on a type that can carry one).
    pub trunk: bool,
    /// Whether the instance data says if the type can carry a trunk ENI.
    pub trunking_known: bool,
    /// Slots per ENI: IPv4 addresses per ENI less the ENI's primary.
    pub slots_per_eni: u32,
    /// Addresses per slot: 1, or 16 for a /28 prefix.
    pub addresses_per_slot: u32,
    /// Branch ENIs a node can give pods with their own security groups (0 without a trunk).
    pub branch_capacity: u32,
    /// The kubelet's max pods (host-network pods included).
    pub max_pods: u32,
    /// IPv6: pods take addresses from one /80 prefix on the primary ENI, not from the IPv4 subnet.
    pub ipv6: bool,
}

impl NodeShape {
    /// The shape of `instance` under `cni` with the kubelet's max pods resolved from `max_pods` (`auto`: what EKS
    /// managed node groups compute, `max-pods-calculator.sh` with the 110/250 cap; `karpenter`: Karpenter's
    /// ENI-limited value with `RESERVED_ENIS` 0).
    ///
    /// ```
    /// use ipplan_core::{AddressMode, Catalog};
    /// use ipplan_planner::plan::{CniConfig, MaxPodsSpec, NodeShape};
    /// let cat = Catalog::embedded();
    /// // m5.large, default CNI: 3 ENIs x 9 slots, max pods 3 * (10 - 1) + 2 = 29
    /// let s = NodeShape::resolve(cat.get("m5.large").unwrap(), &CniConfig::default(), MaxPodsSpec::Auto)?;
    /// assert_eq!((s.eni_limit, s.pod_enis, s.slots_per_eni, s.max_pods), (3, 3, 9, 29));
    /// // prefix delegation on a Xen type falls back to secondary IPs
    /// let pd = CniConfig { mode: AddressMode::Prefix, ..CniConfig::default() };
    /// let s = NodeShape::resolve(cat.get("m4.xlarge").unwrap(), &pd, MaxPodsSpec::Fixed(58))?;
    /// assert_eq!(s.mode, AddressMode::SecondaryIp);
    /// # Ok::<(), ipplan_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    /// The core crate's error when `auto` cannot be computed (unknown vCPUs for the cap).
    pub fn resolve(
        instance: &InstanceInfo,
        cni: &CniConfig,
        max_pods_spec: MaxPodsSpec,
    ) -> Result<Self, CoreError> {
        let m = match max_pods_spec {
            MaxPodsSpec::Fixed(n) => n,
            MaxPodsSpec::Auto => max_pods(instance, &cni.max_pods_options())?.max_pods,
            // without podsPerCore Karpenter's value needs no vCPU count, so it is always there
            MaxPodsSpec::Karpenter => karpenter_max_pods(instance, 0, None).unwrap_or(0),
        };
        Ok(Self::new(instance, cni, m))
    }

    /// The shape of `instance` under `cni` with the kubelet's max pods given.
    #[must_use]
    pub fn new(instance: &InstanceInfo, cni: &CniConfig, max_pods: u32) -> Self {
        let (mode, fallback) = if cni.ip_family == IpFamily::Ipv6 {
            // IPv6 is prefix assignment only (validation refuses types the CNI cannot run it on)
            (AddressMode::Prefix, None)
        } else {
            cni_address_mode(instance, cni.mode == AddressMode::Prefix, cni.version)
        };
        let e_max = match cni.max_eni {
            Some(m) if m >= 1 => m.min(instance.enis),
            _ => instance.enis,
        };
        let trunk = cni.pod_security_groups && instance.trunking == Some(true);
        let t = u32::from(trunk);
        let eni_limit = e_max.saturating_sub(t).max(1);
        let pod_enis = if cni.custom_networking {
            e_max.saturating_sub(1 + t)
        } else {
            eni_limit
        };
        Self {
            instance: instance.name.to_string(),
            mode,
            fallback,
            eni_limit,
            pod_enis,
            trunk,
            trunking_known: instance.trunking.is_some(),
            slots_per_eni: instance.slots_per_eni(),
            addresses_per_slot: mode.addresses_per_slot(),
            branch_capacity: if trunk {
                pod_eni_capacity(instance).unwrap_or(0)
            } else {
                0
            },
            max_pods,
            ipv6: cni.ip_family == IpFamily::Ipv6,
        }
    }

    /// Whether the CNI runs prefix delegation on these nodes.
    #[must_use]
    pub fn prefix(&self) -> bool {
        self.mode == AddressMode::Prefix
    }

    /// Pod addresses the pod ENIs can hold at most: `pod_enis * slots_per_eni * addresses_per_slot`.
    #[must_use]
    pub fn address_capacity(&self) -> u64 {
        u64::from(self.pod_enis)
            * u64::from(self.slots_per_eni)
            * u64::from(self.addresses_per_slot)
    }
}
