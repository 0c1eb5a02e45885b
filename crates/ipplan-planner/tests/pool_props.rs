//! Properties of the per-node pool over random types from the embedded table, random CNI settings and pod
//! counts, and an independent oracle: a tick-by-tick model of ipamd's grow path (aws/amazon-vpc-cni-k8s
//! `pkg/ipamd/ipamd.go` v1.23.1 `b52188387f2e`: `isDatastorePoolTooLow` / `increaseDatastorePool` /
//! `getPrefixesNeeded` / `GetENIResourcesToAllocate`; docs/model.md, "The ipamd control loop")
//! that the closed form must converge to. In CI (`CI` set) shrinking is cut short.

use ipplan_core::{
    AddressMode, CniVersion, InstanceInfo, MaxPodsOptions, embedded_table, max_pods,
};
use ipplan_planner::capacity::{NodeLoad, NodePool, node_pool};
use ipplan_planner::plan::CniConfig;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        max_shrink_iters: if std::env::var_os("CI").is_some() {
            32
        } else {
            1024
        },
        ..ProptestConfig::default()
    }
}

fn instance() -> impl Strategy<Value = &'static InstanceInfo> {
    let table = embedded_table();
    (0..table.len()).prop_map(move |i| &table[i])
}

fn cni() -> impl Strategy<Value = CniConfig> {
    (
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop_oneof![
            4 => Just(None),
            1 => Just(Some(CniVersion::new(1, 8, 0))),
            1 => Just(Some(CniVersion::new(1, 9, 0))),
        ],
        0u32..=3,
        prop_oneof![2 => Just(None), 2 => (0u32..=20).prop_map(Some), 1 => (0u32..=200).prop_map(Some)],
        prop_oneof![2 => Just(None), 2 => (0u32..=60).prop_map(Some), 1 => (0u32..=600).prop_map(Some)],
        0u32..=3,
        prop_oneof![3 => Just(None), 1 => (0u32..=6).prop_map(Some)],
    )
        .prop_map(
            |((pd, custom_networking, pod_security_groups), version, weni, wip, min, wpfx, max_eni)| {
                CniConfig {
                    mode: if pd {
                        AddressMode::Prefix
                    } else {
                        AddressMode::SecondaryIp
                    },
                    custom_networking,
                    version,
                    warm_eni_target: weni,
                    warm_ip_target: wip,
                    minimum_ip_target: min,
                    warm_prefix_target: wpfx,
                    max_eni,
                    pod_security_groups,
                    ..CniConfig::default()
                }
            },
        )
}

/// The kubelet's max pods: the node's computed value (as EKS would set it), or anything.
fn max_pods_for(inst: &InstanceInfo, cni: &CniConfig, pick: Option<u32>) -> u32 {
    pick.unwrap_or_else(|| {
        let opts = MaxPodsOptions {
            max_eni: cni.max_eni.filter(|&m| m >= 1),
            vcpus: Some(inst.vcpus.count().unwrap_or(2)),
            ..cni.max_pods_options()
        };
        max_pods(inst, &opts).map_or(110, |m| m.max_pods)
    })
}

fn max_pods_pick() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![3 => Just(None), 2 => (0u32..=300).prop_map(Some)]
}

/// ENIs on the default card, or `MAX_ENI` when it is 1 or more (ipamd `getMaxENI`).
fn e_max(inst: &InstanceInfo, cni: &CniConfig) -> u32 {
    match cni.max_eni {
        Some(m) if m >= 1 => m.min(inst.enis),
        _ => inst.enis,
    }
}

/// ipamd's loop (docs/model.md, "The ipamd control loop"), one tick at a time: grow only (no churn), pods packed
/// densely.
struct Ipamd {
    prefix: bool,
    s: u32,
    /// Pod-eligible ENIs ipamd may hold (`hasRoomForEni`).
    e_cap: u32,
    max_pods: u32,
    w: u32,
    m: u32,
    warm: u32,
    /// Slots on each pod-eligible ENI, in attach order.
    enis: Vec<u32>,
    /// Pods on each prefix (prefix mode), in attach order.
    prefix_pods: Vec<u32>,
    assigned: u32,
}

impl Ipamd {
    fn new(inst: &InstanceInfo, cni: &CniConfig, max_pods: u32) -> Self {
        let prefix = cni.effective_mode(inst) == AddressMode::Prefix;
        let trunk = u32::from(cni.pod_security_groups && inst.trunking == Some(true));
        let e_max = e_max(inst, cni);
        let (e_cap, enis) = if cni.custom_networking {
            // The primary ENI is not pod-eligible; pod ENIs and the trunk share the rest.
            (e_max.saturating_sub(1 + trunk), vec![])
        } else {
            // The primary ENI is pod-eligible from the start, with no slots yet.
            (e_max.saturating_sub(trunk).max(1), vec![0])
        };
        Self {
            prefix,
            s: inst.slots_per_eni(),
            e_cap,
            max_pods,
            w: cni.warm_ip_target.unwrap_or(0),
            m: cni.minimum_ip_target.unwrap_or(0),
            warm: if prefix {
                cni.warm_prefix_target
            } else {
                cni.warm_eni_target
            },
            enis,
            prefix_pods: vec![],
            assigned: 0,
        }
    }

    fn u(&self) -> u32 {
        if self.prefix { 16 } else { 1 }
    }

    fn total(&self) -> u32 {
        self.u() * self.enis.iter().sum::<u32>()
    }

    fn avail(&self) -> u32 {
        self.total() - self.assigned
    }

    /// One pool check; true when it attached something.
    fn tick(&mut self) -> bool {
        let total = i64::from(self.total());
        if total >= i64::from(self.max_pods) {
            return false;
        }
        let avail = i64::from(self.avail());
        let ip_targets = self.w > 0 || self.m > 0;
        let s = i64::from(self.s);
        let free_pfx = self.prefix_pods.iter().filter(|&&c| c == 0).count() as i64;
        let n = if ip_targets {
            let mut short = (i64::from(self.w) - avail).max(0);
            short = short.max(i64::from(self.m) - total);
            if self.prefix {
                short = (short + 15).div_euclid(16);
            }
            if short <= 0 {
                return false;
            }
            if self.prefix { short.max(1) } else { short }
        } else {
            let w = i64::from(self.warm);
            let unit = if self.prefix { 16 } else { s };
            if !(avail < w * unit || (w == 0 && avail == 0)) {
                return false;
            }
            if self.prefix {
                (w - free_pfx).max(0).max(1)
            } else {
                s
            }
        };
        // Top up the first pod-eligible ENI with room.
        let room = self.enis.iter().position(|&k| i64::from(k) < s);
        let added = if let Some(i) = room {
            let k = (s - i64::from(self.enis[i])).min(n);
            self.enis[i] += k as u32;
            k
        } else if (self.enis.len() as u32) < self.e_cap {
            let k = if self.prefix || ip_targets {
                n.min(s)
            } else {
                s
            };
            self.enis.push(k as u32);
            k
        } else {
            return false;
        };
        if self.prefix {
            self.prefix_pods
                .extend(std::iter::repeat_n(0, added as usize));
        }
        added > 0
    }

    fn settle(&mut self) {
        for _ in 0..100_000 {
            if !self.tick() {
                return;
            }
        }
        panic!("the pool never settled");
    }

    /// Start the node, then bring `pods` ordinary pods one at a time; returns how many got an address.
    fn run(&mut self, pods: u32) -> u32 {
        self.settle();
        for _ in 0..pods {
            if self.avail() == 0 {
                continue;
            }
            self.assigned += 1;
            if self.prefix {
                let p = self.prefix_pods.iter().position(|&c| c < 16).unwrap();
                self.prefix_pods[p] += 1;
            }
            self.settle();
        }
        self.assigned
    }
}

fn total_addresses(p: &NodePool) -> u64 {
    p.node_subnet.addresses() + p.pod_subnet.addresses()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn closed_form_equals_the_tick_model(
        inst in instance(),
        cni in cni(),
        pods in 0u32..=300,
        pick in max_pods_pick(),
    ) {
        let max_pods = max_pods_for(inst, &cni, pick);
        let load = NodeLoad::new(pods, max_pods);
        let pool = node_pool(inst, &cni, &load);
        let mut sim = Ipamd::new(inst, &cni, max_pods);
        let room = max_pods.saturating_sub(load.host_network_pods);
        let placed = sim.run(pods.min(room));
        let mut expect = sim.enis.clone();
        if cni.custom_networking {
            expect.insert(0, 0);
        }
        if expect.is_empty() {
            expect.push(0);
        }
        prop_assert_eq!(&pool.slots_per_eni, &expect);
        prop_assert_eq!(pool.pods_placed, placed);
        prop_assert_eq!(pool.pod_addresses, sim.total());
    }

    #[test]
    fn invariants(
        inst in instance(),
        cni in cni(),
        pods in 0u32..=300,
        branch in 0u32..=40,
        host in 0u32..=4,
        pick in max_pods_pick(),
    ) {
        let max_pods = max_pods_for(inst, &cni, pick);
        let load = NodeLoad { pods, branch_pods: branch, host_network_pods: host, max_pods };
        let p = node_pool(inst, &cni, &load);
        let s = inst.slots_per_eni();
        let e_max = e_max(inst, &cni);
        let u = if p.mode == AddressMode::Prefix { 16 } else { 1 };

        // ENIs: at most E_max; the trunk takes one of them unless only the primary is left.
        prop_assert!(p.enis <= e_max);
        prop_assert!(p.enis + u32::from(p.trunk) <= e_max || p.enis == 1);
        prop_assert_eq!(p.slots_per_eni.len() as u32, p.enis);
        prop_assert!(p.slots_per_eni.iter().all(|&k| k <= s));
        prop_assert_eq!(p.slots_per_eni.iter().sum::<u32>(), p.slots);
        if cni.custom_networking {
            prop_assert_eq!(p.slots_per_eni[0], 0);
        }
        // Filled in order: only the last ENI may be partly filled.
        let pod_enis = &p.slots_per_eni[usize::from(cni.custom_networking)..];
        if let Some((_, full)) = pod_enis.split_last() {
            prop_assert!(full.iter().all(|&k| k == s));
        }

        // Slots and prefixes consistent.
        prop_assert_eq!(p.pod_addresses, u * p.slots);
        let prefixes = p.node_subnet.prefixes + p.pod_subnet.prefixes;
        prop_assert_eq!(prefixes, if u == 16 { u64::from(p.slots) } else { 0 });
        let singles = p.node_subnet.singles + p.pod_subnet.singles;
        let slot_singles = if u == 1 { u64::from(p.slots) } else { 0 };
        prop_assert_eq!(
            singles,
            u64::from(p.enis) + slot_singles + u64::from(p.trunk) + u64::from(p.branch_pods)
        );
        if cni.custom_networking {
            prop_assert_eq!(p.node_subnet.singles, 1);
            prop_assert_eq!(p.node_subnet.prefixes, 0);
        } else {
            prop_assert_eq!(p.pod_subnet.addresses(), 0);
        }

        // Addresses cover the pods placed; accounting adds up.
        prop_assert!(total_addresses(&p) >= u64::from(p.pods_placed));
        prop_assert!(p.pod_addresses >= p.pods_placed - p.branch_pods);
        prop_assert_eq!(p.pods_placed + p.pods_without_address, pods);
        prop_assert!(p.pods_placed <= max_pods.saturating_sub(host));
        prop_assert_eq!(p.warm_addresses, p.pod_addresses - (p.pods_placed - p.branch_pods));
        prop_assert!(p.branch_pods <= branch.min(pods));
        if !p.trunk {
            prop_assert_eq!(p.branch_pods, 0);
        }
    }

    #[test]
    fn more_pods_never_take_fewer_addresses(
        inst in instance(),
        cni in cni(),
        pods in 0u32..=300,
        more in 1u32..=40,
        pick in max_pods_pick(),
    ) {
        let max_pods = max_pods_for(inst, &cni, pick);
        let a = node_pool(inst, &cni, &NodeLoad::new(pods, max_pods));
        let b = node_pool(inst, &cni, &NodeLoad::new(pods + more, max_pods));
        prop_assert!(b.slots >= a.slots);
        prop_assert!(b.enis >= a.enis);
        prop_assert!(total_addresses(&b) >= total_addresses(&a));
        prop_assert!(b.pods_placed >= a.pods_placed);
    }

    #[test]
    fn deterministic(inst in instance(), cni in cni(), pods in 0u32..=300) {
        let load = NodeLoad::new(pods, 110);
        let a = serde_json::to_string(&node_pool(inst, &cni, &load)).unwrap();
        let b = serde_json::to_string(&node_pool(inst, &cni, &load)).unwrap();
        prop_assert_eq!(a, b);
    }
}
