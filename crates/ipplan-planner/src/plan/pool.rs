//! The per-node IP pool: what the VPC CNI's ipamd holds on one node in steady state.
//!
//! A closed form of ipamd's control loop (aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`
//! `isDatastorePoolTooLow` / `increaseDatastorePool`, v1.23.1 `b52188387f2e`; described in docs/model.md,
//! "The ipamd control loop"), for the state the node reaches when it starts empty, ipamd fills the pool,
//! and then pods arrive one at a time, each settled before the next, packed densely (no churn, the
//! subnet never runs out). docs/model.md, "The closed form", gives the formulas; this module keeps them
//! consistent with the loop's rule that growth stops as soon as `total >= maxPods`:
//!
//! - `S` = slots per ENI, `u` = addresses per slot (1, or 16 for a /28 prefix), `C = E_cap * S` the slot
//!   capacity of the usable pod ENIs, `M = ceil(maxPods / u)` maxPods in slots;
//! - `need(N)` = slots the targets ask for with `N` pods: `S * (ceil(N/S) + W)` (`WARM_ENI_TARGET = W >= 1`),
//!   `S * (floor(N/S) + 1)` (`W = 0`), `ceil(N/16) + P` (`WARM_PREFIX_TARGET = P >= 1`), `floor(N/16) + 1`
//!   (`P = 0`), and with IP targets `max(ceil((N + w)/u), ceil(m/u))` (the `N` term only when `w > 0`);
//! - at start-up ipamd grows in steps of at most one ENI's slots and stops at the first step that reaches
//!   `M`: `init = min(need(0), C, S * ceil(M/S))`;
//! - afterwards each pod raises `need` by at most one slot (by a whole ENI in `WARM_ENI_TARGET` mode), so
//!   `slots = max(init, min(need(N), C, cap))` with `cap = S * ceil(M/S)` in secondary-IP `WARM_ENI_TARGET`
//!   mode and `cap = M` otherwise. Where maxPods does not bind this is exactly the closed form of docs/model.md.
//!
//! Slots fill ENIs in order (ipamd tops existing ENIs up before it creates one), so
//! `E = ceil(slots / S)` pod ENIs.

use ipplan_core::{AddressMode, InstanceInfo};
use serde::Serialize;

use crate::plan::demand::SubnetDemand;
use crate::plan::{CniConfig, NodeShape, PrefixFallback};

pub use crate::plan::DEFAULT_HOST_NETWORK_PODS;

use std::fmt;

/// What the scheduler puts on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NodeLoad {
    /// Pods that are not on the host network (branch-ENI pods included) the scheduler wants on this node.
    pub pods: u32,
    /// Of `pods`, those with their own security groups (a branch ENI each). They need
    /// [`CniConfig::pod_security_groups`]; values above `pods` are read as `pods`.
    pub branch_pods: u32,
    /// Host-network pods (default [`DEFAULT_HOST_NETWORK_PODS`]): they use the node's primary address and
    /// take no slot, but count toward max pods.
    pub host_network_pods: u32,
    /// The kubelet's `maxPods` for the node (host-network pods included).
    pub max_pods: u32,
}

impl NodeLoad {
    /// `pods` ordinary pods, no branch pods, the two default host-network pods.
    ///
    /// ```
    /// let l = ipplan_planner::capacity::NodeLoad::new(5, 11);
    /// assert_eq!((l.pods, l.branch_pods, l.host_network_pods, l.max_pods), (5, 0, 2, 11));
    /// ```
    #[must_use]
    pub const fn new(pods: u32, max_pods: u32) -> Self {
        Self {
            pods,
            branch_pods: 0,
            host_network_pods: DEFAULT_HOST_NETWORK_PODS,
            max_pods,
        }
    }
}

/// What the VPC CNI holds on one node in steady state, and what that takes from the subnets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodePool {
    /// The address mode the CNI runs (prefix delegation may fall back to secondary IPs).
    pub mode: AddressMode,
    /// ENIs attached, the primary included, the trunk ENI excluded.
    pub enis: u32,
    /// Slots attached: secondary IPs, or /28 prefixes in prefix mode.
    pub slots: u32,
    /// Slots per ENI in attach order, primary first (0 for the primary under custom networking).
    pub slots_per_eni: Vec<u32>,
    /// Addresses for ordinary pods: `slots`, or `16 * slots` in prefix mode.
    pub pod_addresses: u32,
    /// Pods that got an address (ordinary and branch pods).
    pub pods_placed: u32,
    /// Wanted pods that get none: beyond max pods, beyond ENI/slot capacity, beyond `MINIMUM_IP_TARGET`
    /// when `WARM_IP_TARGET` is 0, beyond the branch ENIs. `pods_placed + pods_without_address` is
    /// [`NodeLoad::pods`].
    pub pods_without_address: u32,
    /// Pod addresses held but unused (the warm pool): `pod_addresses` less the ordinary pods placed.
    pub warm_addresses: u32,
    /// Whether a trunk ENI is attached (security groups for pods on a trunking-compatible type).
    pub trunk: bool,
    /// Branch pods placed (one branch ENI, one address each).
    pub branch_pods: u32,
    /// Taken from the node's own subnet: without custom networking every ENI primary (the node's primary
    /// address is ENI #0's), every slot, and the trunk and branch ENIs; with it, the node's primary only.
    /// With subnet discovery ipamd may put the secondary ENIs (their primaries and slots) in other subnets of the
    /// AZ tagged `kubernetes.io/role/cni`; one node's pool counts them here, and `check` spreads them
    /// (docs/model.md, "Subnet discovery").
    pub node_subnet: SubnetDemand,
    /// Taken from the ENIConfig (pod) subnet: the pod ENIs' primaries, every slot, and the trunk and branch
    /// ENIs (the resource controller creates them in the ENIConfig subnet); zero without custom networking.
    pub pod_subnet: SubnetDemand,
    /// Things worth telling the user (left out of JSON when empty; a report lists them under its findings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<PoolFinding>,
}

/// `ceil(a / b)` for `b > 0`.
const fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

fn to_u32(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// Slots the warm targets ask for with `k` ordinary pods assigned (pods packed densely), before the
/// ENI and maxPods caps: the `low` test of `isDatastorePoolTooLow` (docs/model.md, "The ipamd control loop")
/// solved for the total.
fn need_slots(cni: &CniConfig, prefix: bool, s: u64, k: u64) -> u64 {
    let u = if prefix { 16 } else { 1 };
    if cni.ip_targets() {
        let w = u64::from(cni.warm_ip_target.unwrap_or(0));
        let by_min = ceil_div(u64::from(cni.minimum_ip_target.unwrap_or(0)), u);
        // WARM_IP_TARGET 0: `max(WARM_IP - avail, 0)` is 0, so pods never make the pool grow.
        if w > 0 {
            ceil_div(k + w, u).max(by_min)
        } else {
            by_min
        }
    } else if prefix {
        // low = avail < 16 P (or avail == 0 when P = 0), avail = 16 K - k.
        match u64::from(cni.warm_prefix_target) {
            0 => k / 16 + 1,
            p => ceil_div(k, 16) + p,
        }
    } else {
        // low = avail < W S (or avail == 0 when W = 0), avail = total - k, growth one full ENI at a time.
        match u64::from(cni.warm_eni_target) {
            0 => s * (k / s + 1),
            w => s * (ceil_div(k, s) + w),
        }
    }
}

/// IPv6 (aws/aws-eks-best-practices `content/networking/docs/ipv6.md`, 22c65bb): the CNI attaches one /80 prefix
/// to the primary ENI at start-up and gives every pod an address from it; no warm pool, no secondary ENI. From the
/// IPv4 subnet a node takes only its own address (plus, with security groups for pods, the trunk and one per
/// branch ENI). Pods beyond max pods get no address, as in IPv4.
fn ipv6_pool(shape: &NodeShape, cni: &CniConfig, load: &NodeLoad) -> NodePool {
    let mut findings = Vec::new();
    let room = load.max_pods.saturating_sub(load.host_network_pods);
    if u64::from(load.pods) + u64::from(load.host_network_pods) > u64::from(load.max_pods) {
        findings.push(PoolFinding::PodsAboveMaxPods {
            pods: load.pods.saturating_add(load.host_network_pods),
            max_pods: load.max_pods,
        });
    }
    let branch = if cni.pod_security_groups && shape.trunk {
        load.branch_pods
            .min(load.pods)
            .min(shape.branch_capacity)
            .min(room)
    } else {
        0
    };
    let placed = load.pods.min(room);
    let without = load.pods - placed;
    if without > 0 {
        findings.push(PoolFinding::PodsWithoutAddress { pods: without });
    }
    NodePool {
        mode: shape.mode,
        enis: 1,
        slots: 1,
        slots_per_eni: vec![1],
        // the pods' addresses are IPv6: none of them is an IPv4 address of the subnet
        pod_addresses: 0,
        pods_placed: placed,
        pods_without_address: without,
        warm_addresses: 0,
        trunk: shape.trunk && cni.pod_security_groups,
        branch_pods: branch,
        node_subnet: SubnetDemand {
            singles: 1 + u64::from(shape.trunk && cni.pod_security_groups) + u64::from(branch),
            prefixes: 0,
        },
        pod_subnet: SubnetDemand::default(),
        findings,
    }
}

/// The pool the VPC CNI holds on a node of type `instance` with settings `cni` and load `load`.
///
/// The closed form (docs/model.md, "The closed form") with the loop's maxPods cap (see the module docs). Pods
/// are placed in this order: the kubelet takes at most `max_pods - host_network_pods`, branch pods first (up to
/// the type's branch ENIs), then ordinary pods up to the pod addresses the pool reaches.
///
/// # Examples
/// ```
/// use ipplan_core::{AddressMode, Catalog};
/// use ipplan_planner::capacity::{NodeLoad, node_pool};
/// use ipplan_planner::plan::CniConfig;
/// let cat = Catalog::embedded();
/// let t3 = cat.get("t3.small").unwrap(); // 3 ENIs x 4 IPv4, 3 slots per ENI, max pods 11
/// // aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md: WARM_ENI_TARGET=1, 5 pods -> 3 ENIs, 9 secondary IPs
/// let p = node_pool(t3, &CniConfig::default(), &NodeLoad::new(5, 11));
/// assert_eq!((p.enis, p.slots, p.slots_per_eni.clone()), (3, 9, vec![3, 3, 3]));
/// assert_eq!((p.node_subnet.singles, p.warm_addresses), (3 + 9, 4));
/// // aws/amazon-vpc-cni-k8s docs/prefix-and-ip-target.md: WARM_PREFIX_TARGET=1, 17 pods -> 3 prefixes
/// let pd = CniConfig { mode: AddressMode::Prefix, ..CniConfig::default() };
/// let p = node_pool(t3, &pd, &NodeLoad::new(17, 110));
/// assert_eq!((p.enis, p.slots, p.pod_addresses), (1, 3, 48));
/// assert_eq!((p.node_subnet.singles, p.node_subnet.prefixes), (1, 3));
/// ```
#[must_use]
pub fn node_pool(instance: &InstanceInfo, cni: &CniConfig, load: &NodeLoad) -> NodePool {
    pool_of(&NodeShape::new(instance, cni, load.max_pods), cni, load)
}

/// [`node_pool`] for a node shape already worked out (a plan's node group keeps one): `load.max_pods` is the
/// kubelet's max pods the pods are placed against.
#[must_use]
pub fn pool_of(shape: &NodeShape, cni: &CniConfig, load: &NodeLoad) -> NodePool {
    if shape.ipv6 {
        return ipv6_pool(shape, cni, load);
    }
    let mut findings = Vec::new();
    let mode = shape.mode;
    if shape.fallback == Some(PrefixFallback::NotNitro) {
        findings.push(PoolFinding::PrefixFallbackNotNitro {
            instance: shape.instance.clone(),
        });
    }
    let prefix = shape.prefix();
    let u = u64::from(shape.addresses_per_slot);
    let s = shape.slots_per_eni;
    let trunk = shape.trunk;
    let reserved_trunk = u32::from(trunk);
    let e_cap = shape.pod_enis;
    if cni.custom_networking && e_cap == 0 {
        findings.push(PoolFinding::NoPodEni {
            instance: shape.instance.clone(),
        });
    }

    // Who gets on the node.
    let pods = load.pods;
    let branch_wanted = load.branch_pods.min(pods);
    let room = load.max_pods.saturating_sub(load.host_network_pods);
    let eni_capacity = shape.address_capacity()
        + u64::from(shape.branch_capacity)
        + u64::from(load.host_network_pods);
    if u64::from(load.max_pods) > eni_capacity {
        findings.push(PoolFinding::MaxPodsAboveEniCapacity {
            max_pods: load.max_pods,
            eni_capacity,
        });
    }
    if u64::from(pods) + u64::from(load.host_network_pods) > u64::from(load.max_pods) {
        findings.push(PoolFinding::PodsAboveMaxPods {
            pods: pods.saturating_add(load.host_network_pods),
            max_pods: load.max_pods,
        });
    }
    let branch_capacity = shape.branch_capacity;
    if branch_wanted > 0 || cni.pod_security_groups {
        if !cni.pod_security_groups {
            findings.push(PoolFinding::BranchPodsWithoutPodEni {
                branch_pods: branch_wanted,
            });
        } else if !trunk {
            findings.push(PoolFinding::SecurityGroupsNotTrunking {
                instance: shape.instance.clone(),
                known: shape.trunking_known,
            });
        } else if branch_wanted > branch_capacity {
            findings.push(PoolFinding::BranchPodsAboveCapacity {
                branch_pods: branch_wanted,
                capacity: branch_capacity,
            });
        }
    }
    let branch_placed = branch_wanted.min(branch_capacity).min(room);
    let regular_wanted = (pods - branch_wanted).min(room - branch_placed);

    // The pool (in slots), from ipamd's loop (docs/model.md, "The ipamd control loop"); see the module docs.
    let n = u64::from(regular_wanted);
    let s64 = u64::from(s);
    let slots = if s == 0 {
        0
    } else {
        let c = u64::from(e_cap) * s64;
        let m_slots = ceil_div(u64::from(load.max_pods), u);
        let eni_steps_cap = s64 * ceil_div(m_slots, s64);
        // The per-pod growth step is one slot, except secondary-IP WARM_ENI_TARGET mode (a whole ENI).
        let whole_enis = !prefix && !cni.ip_targets();
        let per_pod_cap = if whole_enis { eni_steps_cap } else { m_slots };
        let need = |k: u64| need_slots(cni, prefix, s64, k);
        let init = need(0).min(c).min(eni_steps_cap);
        init.max(need(n).min(c).min(per_pod_cap))
    };
    // ENIs in attach order, filled before the next is created.
    let mut slots_per_eni = Vec::new();
    if cni.custom_networking {
        slots_per_eni.push(0);
    }
    let mut left = slots;
    while left > 0 {
        let k = left.min(s64);
        slots_per_eni.push(to_u32(k));
        left -= k;
    }
    if slots_per_eni.is_empty() {
        slots_per_eni.push(0);
    }
    let enis = to_u32(slots_per_eni.len() as u64);
    let pod_addresses = slots * u;
    let regular_placed = n.min(pod_addresses);
    let pods_placed = to_u32(regular_placed) + branch_placed;

    // Subnet demand (docs/model.md, "Subnet addresses per node").
    let slot_demand = if prefix {
        SubnetDemand {
            singles: 0,
            prefixes: slots,
        }
    } else {
        SubnetDemand {
            singles: slots,
            prefixes: 0,
        }
    };
    let sgp = SubnetDemand {
        singles: u64::from(reserved_trunk) + u64::from(branch_placed),
        prefixes: 0,
    };
    let (node_subnet, pod_subnet) = if cni.custom_networking {
        let pod_eni_primaries = SubnetDemand {
            singles: u64::from(enis) - 1,
            prefixes: 0,
        };
        (
            SubnetDemand {
                singles: 1,
                prefixes: 0,
            },
            pod_eni_primaries + slot_demand + sgp,
        )
    } else {
        let primaries = SubnetDemand {
            singles: u64::from(enis),
            prefixes: 0,
        };
        (primaries + slot_demand + sgp, SubnetDemand::default())
    };

    let pods_without_address = pods - pods_placed;
    if pods_without_address > 0 {
        findings.push(PoolFinding::PodsWithoutAddress {
            pods: pods_without_address,
        });
    }
    NodePool {
        mode,
        enis,
        slots: to_u32(slots),
        slots_per_eni,
        pod_addresses: to_u32(pod_addresses),
        pods_placed,
        pods_without_address,
        warm_addresses: to_u32(pod_addresses - regular_placed),
        trunk,
        branch_pods: branch_placed,
        node_subnet,
        pod_subnet,
        findings,
    }
}

/// Something about a node's pool worth telling the user. One line each when displayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PoolFinding {
    /// More pods (host-network pods included) than the kubelet's max pods.
    PodsAboveMaxPods {
        /// Pods wanted, host-network pods included.
        pods: u32,
        /// The kubelet's max pods.
        max_pods: u32,
    },
    /// The kubelet's max pods is above what the node's ENIs can address: pods scheduled past that point stay
    /// in `ContainerCreating` (max pods set by hand, or by a tool that does not count the CNI's limits).
    MaxPodsAboveEniCapacity {
        /// The kubelet's max pods.
        max_pods: u32,
        /// Pods the node can give an address, host-network pods included: `pod ENIs x slots x addresses per
        /// slot + branch ENIs + host-network pods`.
        eni_capacity: u64,
    },
    /// Prefix delegation asked for on a type that is neither Nitro nor bare metal: the CNI falls back to
    /// secondary IPs (ipamd `isConfigValid`).
    PrefixFallbackNotNitro {
        /// The instance type.
        instance: String,
    },
    /// Custom networking leaves no ENI for pods (a one-ENI type, or `MAX_ENI` / the trunk ENI take the rest).
    NoPodEni {
        /// The instance type.
        instance: String,
    },
    /// Security groups for pods on a type that cannot carry a trunk ENI: branch pods cannot run here.
    SecurityGroupsNotTrunking {
        /// The instance type.
        instance: String,
        /// `false` when the instance data does not say whether the type supports trunking.
        known: bool,
    },
    /// More branch pods than the type's branch ENIs (`vpc.amazonaws.com/pod-eni`).
    BranchPodsAboveCapacity {
        /// Branch pods wanted.
        branch_pods: u32,
        /// Branch ENIs the type has.
        capacity: u32,
    },
    /// Branch pods wanted but security groups for pods (`ENABLE_POD_ENI`) is off.
    BranchPodsWithoutPodEni {
        /// Branch pods wanted.
        branch_pods: u32,
    },
    /// Pods that get no address on this node.
    PodsWithoutAddress {
        /// How many.
        pods: u32,
    },
    /// Karpenter sets the node's max pods from the ENI limit as if every slot held one address: with prefix
    /// delegation each node really runs only that many pods (aws/karpenter-provider-aws#8210, PR #9299).
    KarpenterMaxPodsNotPrefixAware {
        /// The instance type (the group's worst member).
        instance: String,
        /// The max pods Karpenter sets.
        max_pods: u32,
        /// Of those, pods with a pod address (host-network pods left out).
        pod_addresses: u32,
        /// What EKS managed node groups would set for these CNI settings (`max-pods-calculator.sh`).
        prefix_max_pods: u32,
    },
}

impl fmt::Display for PoolFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PodsAboveMaxPods { pods, max_pods } => write!(
                f,
                "{pods} pods per node (host-network pods included) exceed max pods {max_pods}: the excess is not scheduled here"
            ),
            Self::MaxPodsAboveEniCapacity {
                max_pods,
                eni_capacity,
            } => write!(
                f,
                "max pods {max_pods} is above the {eni_capacity} pods the node's ENIs can address: the kubelet \
                 schedules pods that then wait for an address; lower max_pods to {eni_capacity} or use prefix \
                 delegation"
            ),
            Self::PrefixFallbackNotNitro { instance } => write!(
                f,
                "prefix delegation needs a Nitro or bare-metal type and '{instance}' is neither: the CNI falls back to secondary IPs"
            ),
            Self::NoPodEni { instance } => write!(
                f,
                "custom networking leaves no ENI for pods on '{instance}': only host-network pods run there"
            ),
            Self::SecurityGroupsNotTrunking { instance, known } => {
                if *known {
                    write!(
                        f,
                        "security groups for pods: '{instance}' cannot carry a trunk ENI, so branch pods cannot run there"
                    )
                } else {
                    write!(
                        f,
                        "security groups for pods: the instance data does not say whether '{instance}' can carry a trunk ENI; assumed not"
                    )
                }
            }
            Self::BranchPodsAboveCapacity {
                branch_pods,
                capacity,
            } => write!(
                f,
                "{branch_pods} branch pods per node exceed the type's {capacity} branch ENIs (vpc.amazonaws.com/pod-eni)"
            ),
            Self::BranchPodsWithoutPodEni { branch_pods } => write!(
                f,
                "{branch_pods} pods need their own security groups but security groups for pods (ENABLE_POD_ENI) is off"
            ),
            Self::PodsWithoutAddress { pods } => {
                write!(f, "{pods} pods per node get no address")
            }
            Self::KarpenterMaxPodsNotPrefixAware {
                instance,
                max_pods,
                pod_addresses,
                prefix_max_pods,
            } => write!(
                f,
                "Karpenter sets max pods {max_pods} on '{instance}' (ENI-limited, not prefix-aware: \
                 aws/karpenter-provider-aws#8210, PR #9299): each node really gets {max_pods} pods ({pod_addresses} \
                 with a pod address) although prefix delegation could run {prefix_max_pods}; set kubelet.maxPods \
                 on the EC2NodeClass"
            ),
        }
    }
}
