//! The VPC CNI settings that decide how many addresses a node holds.

use ipplan_core::{AddressMode, CniVersion, InstanceInfo, MaxPodsOptions};
use serde::Serialize;

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

    /// The mode the CNI actually runs on `instance`: prefix delegation needs CNI >= 1.9.0 and a Nitro or
    /// bare-metal type, else the CNI falls back to secondary IPs.
    ///
    /// ```
    /// use ipplan_core::{AddressMode, Catalog};
    /// use ipplan_planner::CniConfig;
    /// let cat = Catalog::embedded();
    /// let pd = CniConfig { mode: AddressMode::Prefix, ..CniConfig::default() };
    /// assert_eq!(pd.effective_mode(cat.get("m5.large").unwrap()), AddressMode::Prefix);
    /// assert_eq!(pd.effective_mode(cat.get("m4.xlarge").unwrap()), AddressMode::SecondaryIp);
    /// ```
    #[must_use]
    pub fn effective_mode(&self, instance: &InstanceInfo) -> AddressMode {
        let version_ok = self
            .version
            .is_none_or(CniVersion::supports_prefix_delegation);
        if self.mode == AddressMode::Prefix && version_ok && instance.cni_supports_prefix() {
            AddressMode::Prefix
        } else {
            AddressMode::SecondaryIp
        }
    }

    /// The max-pods options these settings imply (capped as EKS managed node groups do).
    #[must_use]
    pub fn max_pods_options(&self) -> MaxPodsOptions {
        MaxPodsOptions {
            cni_version: self.version,
            prefix_delegation: self.mode == AddressMode::Prefix,
            custom_networking: self.custom_networking,
            max_eni: self.max_eni,
            show_max_allowed: false,
            vcpus: None,
        }
    }
}
