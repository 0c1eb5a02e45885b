//! One EC2 instance type's network facts.

use std::borrow::Cow;

use serde::Serialize;

/// How many vCPUs a type has, and where the number came from.
///
/// The 110/250 max-pods cap of AWS's `max-pods-calculator.sh` depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum Vcpus {
    /// Listed by the source (EC2 `VCpuInfo.DefaultVCpus`, or Karpenter's published table).
    Listed(u32),
    /// Not listed; derived from the size in the type's name (`large` = 2, `xlarge` = 4, `Nxlarge` = 4N,
    /// `medium` = 1). See [`vcpus_from_size_name`].
    Derived(u32),
    /// Not listed and not derivable (for example `*.metal`).
    Unknown,
}

impl Vcpus {
    /// The count, when known or derived.
    ///
    /// ```
    /// use ipplan_core::Vcpus;
    /// assert_eq!(Vcpus::Derived(8).count(), Some(8));
    /// assert_eq!(Vcpus::Unknown.count(), None);
    /// ```
    #[must_use]
    pub const fn count(self) -> Option<u32> {
        match self {
            Self::Listed(n) | Self::Derived(n) => Some(n),
            Self::Unknown => None,
        }
    }
}

/// The hypervisor as EC2 reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hypervisor {
    /// `nitro`.
    Nitro,
    /// `xen`.
    Xen,
    /// EC2 leaves `Hypervisor` out (it does so for every bare-metal type).
    NotReported,
    /// The row's source says `unknown` (types the VPC CNI added to its table by hand).
    Unknown,
}

impl Hypervisor {
    /// The spelling used in the project's CSV (`nitro`, `xen`, `unknown`, or empty when not reported).
    #[must_use]
    pub const fn as_csv(self) -> &'static str {
        match self {
            Self::Nitro => "nitro",
            Self::Xen => "xen",
            Self::NotReported => "",
            Self::Unknown => "unknown",
        }
    }
}

/// Network facts of one instance type.
///
/// `enis` is the ENI count of the **default network card**: the only card the VPC CNI gives pod addresses
/// from, and the number `eni-max-pods.txt`, `max-pods-calculator.sh` and Karpenter use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceInfo {
    /// The type name, e.g. `m5.large`.
    pub name: Cow<'static, str>,
    /// Maximum ENIs on the default network card.
    pub enis: u32,
    /// IPv4 addresses per ENI, the ENI's primary address included.
    pub ipv4_per_eni: u32,
    /// Default vCPUs.
    pub vcpus: Vcpus,
    /// Hypervisor.
    pub hypervisor: Hypervisor,
    /// Bare metal.
    pub bare_metal: bool,
    /// Number of network cards.
    pub network_cards: u32,
    /// Maximum ENIs summed over all network cards.
    pub enis_total: u32,
    /// Whether the type can carry a trunk ENI (security groups for pods); `None` when the source does not say.
    pub trunking: Option<bool>,
    /// Branch ENIs (`vpc.amazonaws.com/pod-eni` capacity); `None` when the source does not say.
    pub branch_enis: Option<u32>,
    /// Where the row came from: `karpenter+cni`, `karpenter`, `cni` for the embedded table, `user` for rows
    /// loaded with `--instance-data`.
    pub source: Cow<'static, str>,
}

impl InstanceInfo {
    /// Slots per ENI: IPv4 addresses per ENI less the ENI's own primary address. In secondary-IP mode a slot
    /// holds one address, in prefix mode one /28 prefix.
    ///
    /// ```
    /// let m5 = ipplan_core::Catalog::embedded().get("m5.large").unwrap().clone();
    /// assert_eq!(m5.slots_per_eni(), 9);
    /// ```
    #[must_use]
    pub const fn slots_per_eni(&self) -> u32 {
        self.ipv4_per_eni.saturating_sub(1)
    }

    /// Whether the VPC CNI runs prefix delegation on this type: hypervisor `nitro`, or bare metal
    /// (ipamd's `isConfigValid`). AWS's `max-pods-calculator.sh` only accepts `nitro`.
    #[must_use]
    pub const fn cni_supports_prefix(&self) -> bool {
        matches!(self.hypervisor, Hypervisor::Nitro) || self.bare_metal
    }
}

/// The vCPU count a type's size name determines: `medium` = 1, `large` = 2, `xlarge` = 4, `Nxlarge` = 4N.
/// Anything else (`metal`, `metal-24xl`, `nano`, ...) gives `None`.
///
/// ```
/// use ipplan_core::vcpus_from_size_name;
/// assert_eq!(vcpus_from_size_name("c7g-flex.large"), Some(2));
/// assert_eq!(vcpus_from_size_name("m8g-flex.12xlarge"), Some(48));
/// assert_eq!(vcpus_from_size_name("mac1.metal"), None);
/// ```
#[must_use]
pub fn vcpus_from_size_name(instance_type: &str) -> Option<u32> {
    let size = instance_type.rsplit_once('.')?.1;
    match size {
        "medium" => Some(1),
        "large" => Some(2),
        "xlarge" => Some(4),
        _ => {
            let n = size.strip_suffix("xlarge")?;
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n.parse::<u32>().ok()?.checked_mul(4)
        }
    }
}
