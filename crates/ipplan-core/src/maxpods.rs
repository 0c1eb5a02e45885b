//! Max pods per node, as the VPC CNI, AWS's `max-pods-calculator.sh`, EKS and Karpenter compute it.
//!
//! Rules (awslabs/amazon-eks-ami `templates/al2/runtime/max-pods-calculator.sh` at `0ab842803d82`, and the VPC CNI;
//! docs/model.md, "Max pods per node"):
//! 1. `enis` = ENIs on the default network card, or `min(max_eni, that)`;
//! 2. custom networking: `enis - 1` (the primary ENI carries no pods);
//! 3. prefix delegation (CNI >= 1.9.0, and a type the CNI runs it on): `enis * ((ipv4_per_eni - 1) * 16) + 2`,
//!    else `enis * (ipv4_per_eni - 1) + 2` (the `+2` is aws-node and kube-proxy, on the host network);
//! 4. unless `show_max_allowed`: cap at 110 when vCPUs <= 30, else 250.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::CoreError;
use crate::instance::{Hypervisor, InstanceInfo};

/// A VPC CNI version, `MAJOR.MINOR[.PATCH]` with an optional leading `v` and `-suffix`.
///
/// ```
/// use ipplan_core::CniVersion;
/// let v: CniVersion = "v1.9.0".parse().unwrap();
/// assert!(v.supports_prefix_delegation());
/// assert!(!"1.8.9".parse::<CniVersion>().unwrap().supports_prefix_delegation());
/// assert!("1.x".parse::<CniVersion>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CniVersion {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch (0 when not given).
    pub patch: u32,
}

impl CniVersion {
    /// The first release with prefix delegation.
    pub const PREFIX_DELEGATION: Self = Self::new(1, 9, 0);
    /// The first release with subnet discovery (`ENABLE_SUBNET_DISCOVERY`, on by default; aws/amazon-vpc-cni-k8s
    /// PR #2714, release notes of v1.18.0).
    pub const SUBNET_DISCOVERY: Self = Self::new(1, 18, 0);
    /// The release the embedded data was cross-checked against.
    pub const LATEST_KNOWN: Self = Self::new(1, 23, 1);

    /// A version from its parts.
    #[must_use]
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Prefix delegation exists from 1.9.0 (the calculator reads major.minor only, which gives the same answer).
    #[must_use]
    pub fn supports_prefix_delegation(self) -> bool {
        (self.major, self.minor) >= (1, 9)
    }
}

impl FromStr for CniVersion {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, CoreError> {
        let err = || CoreError::BadCniVersion(s.to_string());
        let t = s.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let core = t.split_once('-').map_or(t, |(c, _)| c);
        let parts: Vec<&str> = core.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(err());
        }
        let num = |p: &str| -> Result<u32, CoreError> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            p.parse().map_err(|_| err())
        };
        Ok(Self {
            major: num(parts[0])?,
            minor: num(parts[1])?,
            patch: if parts.len() == 3 { num(parts[2])? } else { 0 },
        })
    }
}

impl fmt::Display for CniVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for CniVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A string the [`FromStr`] impl reads: `1.19`, `1.19.0`, `v1.18.3-eksbuild.1`.
impl schemars::JsonSchema for CniVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CniVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A VPC CNI version such as \"1.19.0\", \"v1.18.3-eksbuild.1\" or \"1.9\" (a string: \
                            the number 1.10 would lose its trailing zero).",
            "type": "string",
            "pattern": r"^\s*v?[0-9]+\.[0-9]+(\.[0-9]+)?(-.*)?\s*$",
        })
    }
}

/// How pod addresses are handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AddressMode {
    /// One secondary IPv4 address per slot.
    SecondaryIp,
    /// One /28 prefix (16 addresses) per slot.
    Prefix,
}

impl AddressMode {
    /// The name used in plan files and JSON: `secondary-ip` or `prefix`.
    ///
    /// ```
    /// assert_eq!(ipplan_core::AddressMode::SecondaryIp.as_str(), "secondary-ip");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SecondaryIp => "secondary-ip",
            Self::Prefix => "prefix",
        }
    }

    /// Addresses per slot: 1 or 16.
    #[must_use]
    pub const fn addresses_per_slot(self) -> u32 {
        match self {
            Self::SecondaryIp => 1,
            Self::Prefix => 16,
        }
    }
}

/// The settings max pods depends on (the options of `max-pods-calculator.sh`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MaxPodsOptions {
    /// CNI version; `None` = a current CNI (prefix delegation available).
    pub cni_version: Option<CniVersion>,
    /// `ENABLE_PREFIX_DELEGATION`.
    pub prefix_delegation: bool,
    /// `AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG`.
    pub custom_networking: bool,
    /// `MAX_ENI` (must be >= 1 when set).
    pub max_eni: Option<u32>,
    /// Skip the 110/250 cap.
    pub show_max_allowed: bool,
    /// vCPUs to use instead of the table's (needed where the table has none).
    pub vcpus: Option<u32>,
}

/// The cap applied to max pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PodCap {
    /// 110, for types with at most 30 vCPUs.
    Cap110,
    /// 250, for types with more than 30 vCPUs.
    Cap250,
}

impl PodCap {
    /// The cap's value.
    #[must_use]
    pub const fn value(self) -> u32 {
        match self {
            Self::Cap110 => 110,
            Self::Cap250 => 250,
        }
    }

    /// The cap for a vCPU count: 110 when `vcpus <= 30`, else 250.
    #[must_use]
    pub const fn for_vcpus(vcpus: u32) -> Self {
        if vcpus <= 30 {
            Self::Cap110
        } else {
            Self::Cap250
        }
    }
}

/// Why the result is what it is, where that is not obvious.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MaxPodsNote {
    /// Prefix delegation was asked for but the CNI version predates it (1.9.0).
    PrefixNeedsCni19 {
        /// The version given.
        version: String,
    },
    /// Prefix delegation was asked for but the type is not Nitro: the CNI falls back to secondary IPs.
    PrefixNotNitro {
        /// The hypervisor reported.
        hypervisor: String,
    },
    /// Prefix delegation on bare metal: the CNI runs it, AWS's calculator would not (EC2 reports no hypervisor
    /// for bare metal) and gives `script_max_pods`.
    PrefixBareMetalScriptDiffers {
        /// What `max-pods-calculator.sh` would print with the same options.
        script_max_pods: u32,
    },
    /// `max_eni` lowered the ENI count.
    MaxEniApplied {
        /// ENIs on the default card.
        instance_enis: u32,
        /// ENIs used.
        used: u32,
    },
    /// Custom networking left no ENI for pods (a one-ENI type).
    NoPodEnis,
    /// The value was capped.
    Capped {
        /// The cap.
        cap: u32,
        /// The vCPU count that chose it.
        vcpus: u32,
    },
    /// The vCPU count was derived from the size name, not listed by EC2.
    VcpusDerived {
        /// The count used.
        vcpus: u32,
    },
    /// No branch-ENI table lists the type, so Karpenter advertises `vpc.amazonaws.com/pod-eni` 0 for it
    /// ([`karpenter_pod_eni_capacity`]).
    KarpenterPodEniUnlisted {
        /// The type.
        instance: String,
    },
}

impl fmt::Display for MaxPodsNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PrefixNeedsCni19 { version } => write!(
                f,
                "prefix delegation needs CNI 1.9.0 or later (got {version}): secondary-IP mode applied"
            ),
            Self::PrefixNotNitro { hypervisor } => write!(
                f,
                "prefix delegation needs a Nitro or bare-metal type (hypervisor: {hypervisor}): the CNI falls back to secondary IPs"
            ),
            Self::PrefixBareMetalScriptDiffers { script_max_pods } => write!(
                f,
                "bare metal: the CNI runs prefix delegation here, AWS's max-pods-calculator.sh would not (EC2 reports no hypervisor) and gives {script_max_pods}"
            ),
            Self::MaxEniApplied {
                instance_enis,
                used,
            } => {
                write!(
                    f,
                    "max ENI: {used} of the instance's {instance_enis} ENIs used"
                )
            }
            Self::NoPodEnis => write!(
                f,
                "custom networking leaves no ENI for pods on a one-ENI type: only host-network pods fit"
            ),
            Self::Capped { cap, vcpus } => write!(
                f,
                "capped at {cap} ({vcpus} vCPUs {} 30): pass --show-max-allowed for the uncapped value",
                if *cap == 110 { "<=" } else { ">" }
            ),
            Self::VcpusDerived { vcpus } => {
                write!(
                    f,
                    "vCPU count {vcpus} derived from the size name (EC2 data had none)"
                )
            }
            Self::KarpenterPodEniUnlisted { instance } => write!(
                f,
                "no branch-ENI table lists '{instance}': Karpenter advertises vpc.amazonaws.com/pod-eni 0 there, \
                 so pods with their own security groups are not scheduled on it"
            ),
        }
    }
}

/// A max-pods result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaxPods {
    /// What a node would be configured with (capped unless `show_max_allowed`).
    pub max_pods: u32,
    /// The ENI-limited value before any cap.
    pub eni_limited_pods: u32,
    /// The mode actually applied (prefix delegation may fall back).
    pub mode: AddressMode,
    /// ENIs that carry pod addresses.
    pub pod_enis: u32,
    /// The cap that lowered `max_pods`, if one did.
    pub cap: Option<PodCap>,
    /// Why, where it is not obvious.
    pub notes: Vec<MaxPodsNote>,
}

/// The ENI-limited formula: `enis * slots_per_eni * u + 2`, `u` = 16 for prefixes. Saturates at `u32::MAX`
/// rather than overflow on absurd user rows (`--instance-data`), so bad input never panics.
const fn formula(enis: u32, slots: u32, mode: AddressMode) -> u32 {
    enis.saturating_mul(slots)
        .saturating_mul(mode.addresses_per_slot())
        .saturating_add(2)
}

/// Max pods for a type under the given options.
///
/// ```
/// use ipplan_core::{Catalog, MaxPodsOptions, max_pods};
/// let cat = Catalog::embedded();
/// let m5 = cat.get("m5.large").unwrap();
/// // worked values of docs/model.md ("Max pods per node"), checked against max-pods-calculator.sh
/// assert_eq!(max_pods(m5, &MaxPodsOptions::default()).unwrap().max_pods, 29);
/// let pd = MaxPodsOptions { prefix_delegation: true, ..Default::default() };
/// let r = max_pods(m5, &pd).unwrap();
/// assert_eq!((r.max_pods, r.eni_limited_pods), (110, 434));
/// let cn = MaxPodsOptions { custom_networking: true, ..Default::default() };
/// assert_eq!(max_pods(m5, &cn).unwrap().max_pods, 20);
/// // t2.micro is Xen: prefix delegation falls back to secondary IPs, 2 x (2 - 1) + 2 = 4
/// let r = max_pods(cat.get("t2.micro").unwrap(), &pd).unwrap();
/// assert_eq!((r.max_pods, r.mode), (4, ipplan_core::AddressMode::SecondaryIp));
/// // c6i.4xlarge: 234 ENI-limited, 110 with the cap (16 vCPUs <= 30)
/// let all = MaxPodsOptions { show_max_allowed: true, ..Default::default() };
/// assert_eq!(max_pods(cat.get("c6i.4xlarge").unwrap(), &all).unwrap().max_pods, 234);
/// ```
///
/// # Errors
/// [`CoreError::MaxEniZero`] for `max_eni = Some(0)`; [`CoreError::VcpusUnknown`] when the cap is needed but
/// the vCPU count is neither in the table nor given.
pub fn max_pods(instance: &InstanceInfo, opts: &MaxPodsOptions) -> Result<MaxPods, CoreError> {
    let mut notes = Vec::new();
    let mut enis = instance.enis;
    if let Some(m) = opts.max_eni {
        if m == 0 {
            return Err(CoreError::MaxEniZero(m));
        }
        if m < enis {
            notes.push(MaxPodsNote::MaxEniApplied {
                instance_enis: enis,
                used: m,
            });
            enis = m;
        }
    }
    if opts.custom_networking {
        enis = enis.saturating_sub(1);
        if enis == 0 {
            notes.push(MaxPodsNote::NoPodEnis);
        }
    }
    let slots = instance.slots_per_eni();
    let (mode, fallback) =
        crate::mode::cni_address_mode(instance, opts.prefix_delegation, opts.cni_version);
    match fallback {
        Some(crate::mode::PrefixFallback::CniVersion) => {
            notes.push(MaxPodsNote::PrefixNeedsCni19 {
                version: opts.cni_version.map(|v| v.to_string()).unwrap_or_default(),
            })
        }
        Some(crate::mode::PrefixFallback::NotNitro) => notes.push(MaxPodsNote::PrefixNotNitro {
            hypervisor: match instance.hypervisor {
                Hypervisor::NotReported => "not reported".to_string(),
                h => h.as_csv().to_string(),
            },
        }),
        None => {}
    }
    let eni_limited_pods = formula(enis, slots, mode);
    let (max_pods, cap) = if opts.show_max_allowed {
        (eni_limited_pods, None)
    } else {
        let vcpus = match (opts.vcpus, instance.vcpus) {
            (Some(v), _) => v,
            (None, crate::Vcpus::Listed(v)) => v,
            (None, crate::Vcpus::Derived(v)) => {
                notes.push(MaxPodsNote::VcpusDerived { vcpus: v });
                v
            }
            (None, crate::Vcpus::Unknown) => {
                return Err(CoreError::VcpusUnknown(instance.name.to_string()));
            }
        };
        let cap = PodCap::for_vcpus(vcpus);
        if eni_limited_pods > cap.value() {
            notes.push(MaxPodsNote::Capped {
                cap: cap.value(),
                vcpus,
            });
            (cap.value(), Some(cap))
        } else {
            (eni_limited_pods, None)
        }
    };
    if mode == AddressMode::Prefix && instance.hypervisor != Hypervisor::Nitro {
        // AWS's script only applies PD to hypervisor == nitro; it would use the secondary-IP formula.
        let script_uncapped = formula(enis, slots, AddressMode::SecondaryIp);
        let script_max_pods = match cap.or_else(|| {
            (!opts.show_max_allowed)
                .then(|| opts.vcpus.or(instance.vcpus.count()).map(PodCap::for_vcpus))
                .flatten()
        }) {
            Some(c) => script_uncapped.min(c.value()),
            None => script_uncapped,
        };
        notes.push(MaxPodsNote::PrefixBareMetalScriptDiffers { script_max_pods });
    }
    Ok(MaxPods {
        max_pods,
        eni_limited_pods,
        mode,
        pod_enis: enis,
        cap,
        notes,
    })
}

/// Karpenter's pod density for a type (aws/karpenter-provider-aws `pkg/providers/instancetype/types.go`,
/// `ENILimitedPods` and `pods`): `usable = max(enis - reserved_enis, 0)`, then **0 when no ENI is usable**, else
/// `usable * (ipv4_per_eni - 1) + 2`; then `min(pods_per_core * vCPUs, that)` when `pods_per_core` is set. No
/// 110/250 cap, and not prefix-aware (with prefix delegation, set `maxPods`). EFA-only interfaces are not in the
/// table and are not subtracted.
///
/// ```
/// use ipplan_core::{Catalog, karpenter_max_pods};
/// let cat = Catalog::embedded();
/// let m5 = cat.get("m5.large").unwrap();
/// assert_eq!(karpenter_max_pods(m5, 0, None), Some(29));
/// assert_eq!(karpenter_max_pods(m5, 1, None), Some(20)); // RESERVED_ENIS=1, custom networking
/// assert_eq!(karpenter_max_pods(m5, 0, Some(10)), Some(20)); // podsPerCore 10 x 2 vCPUs
/// // 3 ENIs, all reserved: Karpenter advertises 0 pods (not the 2 host-network pods of the formula)
/// assert_eq!(karpenter_max_pods(m5, 3, None), Some(0));
/// ```
///
/// Returns `None` when `pods_per_core` is set and the vCPU count is unknown (and some ENI is usable).
#[must_use]
pub fn karpenter_max_pods(
    instance: &InstanceInfo,
    reserved_enis: u32,
    pods_per_core: Option<u32>,
) -> Option<u32> {
    let enis = instance.enis.saturating_sub(reserved_enis);
    if enis == 0 {
        // ENILimitedPods: `if usableNetworkInterfaces == 0 { return 0 }`; podsPerCore only lowers it
        return Some(0);
    }
    let pods = formula(enis, instance.slots_per_eni(), AddressMode::SecondaryIp);
    match pods_per_core {
        None | Some(0) => Some(pods),
        Some(ppc) => Some(pods.min(ppc.saturating_mul(instance.vcpus.count()?))),
    }
}

/// Karpenter's `vpc.amazonaws.com/pod-eni` capacity for a type (aws/karpenter-provider-aws
/// `pkg/providers/instancetype/types.go`, `awsPodENI`): the branch ENIs of a type its `Limits` table lists as
/// trunking-compatible, else 0. Where [`pod_eni_capacity`] says `None` (no branch-ENI table lists the type),
/// Karpenter reads 0, and the note says so.
///
/// ```
/// use ipplan_core::{Catalog, MaxPodsNote, karpenter_pod_eni_capacity};
/// let cat = Catalog::embedded();
/// assert_eq!(karpenter_pod_eni_capacity(cat.get("m5.large").unwrap()), (9, None));
/// assert_eq!(karpenter_pod_eni_capacity(cat.get("t3.micro").unwrap()), (0, None));
/// let mut unlisted = cat.get("m5.large").unwrap().clone();
/// (unlisted.trunking, unlisted.branch_enis) = (None, None); // e.g. a describe-instance-types row
/// let (n, note) = karpenter_pod_eni_capacity(&unlisted);
/// assert_eq!(n, 0);
/// assert!(matches!(note, Some(MaxPodsNote::KarpenterPodEniUnlisted { .. })));
/// ```
#[must_use]
pub fn karpenter_pod_eni_capacity(instance: &InstanceInfo) -> (u32, Option<MaxPodsNote>) {
    match (instance.trunking, instance.branch_enis) {
        (Some(true), Some(n)) => (n, None),
        (Some(_), _) => (0, None),
        (None, _) => (
            0,
            Some(MaxPodsNote::KarpenterPodEniUnlisted {
                instance: instance.name.to_string(),
            }),
        ),
    }
}

/// Security groups for pods: the `vpc.amazonaws.com/pod-eni` capacity (branch ENIs), 0 where the type is not
/// trunking-compatible, `None` where the source does not say.
///
/// ```
/// use ipplan_core::{Catalog, pod_eni_capacity};
/// let cat = Catalog::embedded();
/// assert_eq!(pod_eni_capacity(cat.get("m5.large").unwrap()), Some(9));
/// assert_eq!(pod_eni_capacity(cat.get("t3.micro").unwrap()), Some(0));
/// ```
#[must_use]
pub fn pod_eni_capacity(instance: &InstanceInfo) -> Option<u32> {
    match instance.trunking? {
        true => instance.branch_enis,
        false => Some(0),
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::Vcpus;

    /// A synthetic row, so these tests do not depend on the embedded table.
    fn row(enis: u32, ipv4: u32, vcpus: Vcpus, hv: Hypervisor, metal: bool) -> InstanceInfo {
        InstanceInfo {
            name: Cow::Borrowed("zz1.test"),
            enis,
            ipv4_per_eni: ipv4,
            vcpus,
            hypervisor: hv,
            bare_metal: metal,
            network_cards: 1,
            enis_total: enis,
            trunking: None,
            branch_enis: None,
            source: Cow::Borrowed("test"),
        }
    }

    #[test]
    fn cap_boundary_is_30_vcpus() {
        // max-pods-calculator.sh: cap 110 when vCPUs <= 30, else 250 (docs/model.md, "The calculator's rules", 4)
        let big = row(8, 30, Vcpus::Listed(30), Hypervisor::Nitro, false);
        let r = max_pods(&big, &MaxPodsOptions::default()).unwrap();
        assert_eq!((r.eni_limited_pods, r.max_pods), (8 * 29 + 2, 110));
        let big = row(8, 30, Vcpus::Listed(31), Hypervisor::Nitro, false);
        let r = max_pods(&big, &MaxPodsOptions::default()).unwrap();
        assert_eq!((r.max_pods, r.cap), (234, None));
        let r = max_pods(
            &big,
            &MaxPodsOptions {
                prefix_delegation: true,
                ..MaxPodsOptions::default()
            },
        )
        .unwrap();
        assert_eq!((r.max_pods, r.cap), (250, Some(PodCap::Cap250)));
    }

    #[test]
    fn vcpus_option_overrides_and_derived_is_noted() {
        let r = row(3, 10, Vcpus::Derived(2), Hypervisor::Nitro, false);
        let pd = MaxPodsOptions {
            prefix_delegation: true,
            ..MaxPodsOptions::default()
        };
        let out = max_pods(&r, &pd).unwrap();
        assert_eq!(out.max_pods, 110);
        assert!(out.notes.contains(&MaxPodsNote::VcpusDerived { vcpus: 2 }));
        let out = max_pods(
            &r,
            &MaxPodsOptions {
                vcpus: Some(64),
                ..pd
            },
        )
        .unwrap();
        assert_eq!(out.max_pods, 250);
        assert!(
            !out.notes
                .iter()
                .any(|n| matches!(n, MaxPodsNote::VcpusDerived { .. }))
        );
    }

    #[test]
    fn custom_networking_on_one_eni_type_leaves_host_pods_only() {
        let r = row(1, 4, Vcpus::Listed(1), Hypervisor::Nitro, false);
        let out = max_pods(
            &r,
            &MaxPodsOptions {
                custom_networking: true,
                ..MaxPodsOptions::default()
            },
        )
        .unwrap();
        assert_eq!((out.max_pods, out.pod_enis), (2, 0));
        assert_eq!(out.notes, vec![MaxPodsNote::NoPodEnis]);
    }

    #[test]
    fn bare_metal_without_hypervisor_runs_pd_and_notes_the_script() {
        // the CNI runs PD on bare metal (ipamd isConfigValid); the script uses E x (I - 1) + 2 = 2 x 3 + 2 = 8
        let r = row(2, 4, Vcpus::Listed(4), Hypervisor::NotReported, true);
        let out = max_pods(
            &r,
            &MaxPodsOptions {
                prefix_delegation: true,
                ..MaxPodsOptions::default()
            },
        )
        .unwrap();
        assert_eq!(out.mode, AddressMode::Prefix);
        assert_eq!(out.eni_limited_pods, 2 * 3 * 16 + 2);
        assert_eq!(out.max_pods, 98);
        assert_eq!(
            out.notes,
            vec![MaxPodsNote::PrefixBareMetalScriptDiffers { script_max_pods: 8 }]
        );
    }

    #[test]
    fn unknown_hypervisor_falls_back_with_a_note() {
        let r = row(2, 4, Vcpus::Listed(4), Hypervisor::NotReported, false);
        let out = max_pods(
            &r,
            &MaxPodsOptions {
                prefix_delegation: true,
                ..MaxPodsOptions::default()
            },
        )
        .unwrap();
        assert_eq!((out.mode, out.max_pods), (AddressMode::SecondaryIp, 8));
        assert_eq!(
            out.notes[0].to_string(),
            "prefix delegation needs a Nitro or bare-metal type (hypervisor: not reported): the CNI falls back to secondary IPs"
        );
    }

    #[test]
    fn absurd_user_rows_saturate_instead_of_overflowing() {
        let r = row(100_000, 100_000, Vcpus::Listed(2), Hypervisor::Nitro, false);
        let pd = MaxPodsOptions {
            prefix_delegation: true,
            show_max_allowed: true,
            ..MaxPodsOptions::default()
        };
        assert_eq!(max_pods(&r, &pd).unwrap().max_pods, u32::MAX);
        assert_eq!(karpenter_max_pods(&r, 0, Some(3)), Some(6));
    }

    #[test]
    fn cni_version_parsing() {
        assert_eq!(
            "1.9".parse::<CniVersion>().unwrap(),
            CniVersion::new(1, 9, 0)
        );
        assert_eq!(
            "v1.18.3-eksbuild.1".parse::<CniVersion>().unwrap(),
            CniVersion::new(1, 18, 3)
        );
        for bad in ["1.x", "1", "", "1.2.3.4", "v", "1..2", "-1.9"] {
            assert_eq!(
                bad.parse::<CniVersion>(),
                Err(CoreError::BadCniVersion(bad.to_string())),
                "{bad:?}"
            );
        }
        // the calculator reads major.minor only: 1.9.0 is the first PD release, 1.10 sorts after 1.9
        assert!(CniVersion::new(1, 10, 0).supports_prefix_delegation());
        assert!(!CniVersion::new(1, 8, 99).supports_prefix_delegation());
        assert!(CniVersion::new(2, 0, 0).supports_prefix_delegation());
    }
}
