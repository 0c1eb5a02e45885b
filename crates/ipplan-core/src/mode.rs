//! Which address mode the VPC CNI runs on a type: the one rule every part of ipplan uses.

use serde::Serialize;

use crate::instance::InstanceInfo;
use crate::maxpods::{AddressMode, CniVersion};

/// Why prefix delegation was asked for and is not what the CNI runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrefixFallback {
    /// The CNI is older than 1.9.0, the first with prefix delegation.
    CniVersion,
    /// The type is neither Nitro nor bare metal (ipamd `isConfigValid`, aws/amazon-vpc-cni-k8s
    /// `pkg/ipamd/ipamd.go`).
    NotNitro,
}

/// The mode the CNI runs on `instance` when `prefix_delegation` (`ENABLE_PREFIX_DELEGATION`) is asked for or
/// not, with CNI `version` (`None`: a current release), and why it fell back when it did. The version is
/// checked first, as `max-pods-calculator.sh` does.
///
/// ```
/// use ipplan_core::{AddressMode, Catalog, CniVersion, PrefixFallback, cni_address_mode};
/// let cat = Catalog::embedded();
/// let m5 = cat.get("m5.large").unwrap();
/// assert_eq!(cni_address_mode(m5, true, None), (AddressMode::Prefix, None));
/// assert_eq!(
///     cni_address_mode(m5, true, Some(CniVersion::new(1, 8, 0))),
///     (AddressMode::SecondaryIp, Some(PrefixFallback::CniVersion))
/// );
/// let m4 = cat.get("m4.xlarge").unwrap(); // Xen
/// assert_eq!(cni_address_mode(m4, true, None), (AddressMode::SecondaryIp, Some(PrefixFallback::NotNitro)));
/// assert_eq!(cni_address_mode(m4, false, None), (AddressMode::SecondaryIp, None));
/// ```
#[must_use]
pub fn cni_address_mode(
    instance: &InstanceInfo,
    prefix_delegation: bool,
    version: Option<CniVersion>,
) -> (AddressMode, Option<PrefixFallback>) {
    if !prefix_delegation {
        (AddressMode::SecondaryIp, None)
    } else if !version.is_none_or(CniVersion::supports_prefix_delegation) {
        (AddressMode::SecondaryIp, Some(PrefixFallback::CniVersion))
    } else if !instance.cni_supports_prefix() {
        (AddressMode::SecondaryIp, Some(PrefixFallback::NotNitro))
    } else {
        (AddressMode::Prefix, None)
    }
}
