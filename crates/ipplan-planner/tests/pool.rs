//! The per-node pool against the test vectors of docs/model.md, "Test vectors" (from aws/amazon-vpc-cni-k8s
//! `docs/eni-and-ip-target.md` and `docs/prefix-and-ip-target.md` at v1.23.1 `b52188387f2e`, and
//! aws/aws-eks-best-practices `latest/bpg/networking/vpc-cni.adoc` at `dc0243ad2cf4`) and against hand-computed
//! cases (arithmetic in the comments).
//! Max pods follow awslabs/amazon-eks-ami `templates/al2/runtime/max-pods-calculator.sh` (`0ab842803d82`).
//! Instance shapes are the embedded table's; each is quoted where it is used.

use ipplan_core::{AddressMode, CniVersion, InstanceInfo, embedded_table};
use ipplan_planner::capacity::{NodeLoad, NodePool, PoolFinding, SubnetDemand, node_pool};
use ipplan_planner::plan::CniConfig;
use ipplan_planner::plan::PlanWarning;

fn ty(name: &str) -> &'static InstanceInfo {
    embedded_table()
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the embedded table"))
}

fn pool(name: &str, cni: &CniConfig, pods: u32, max_pods: u32) -> NodePool {
    node_pool(ty(name), cni, &NodeLoad::new(pods, max_pods))
}

fn ip_targets(warm: Option<u32>, min: Option<u32>) -> CniConfig {
    CniConfig {
        warm_ip_target: warm,
        minimum_ip_target: min,
        ..CniConfig::default()
    }
}

fn pd() -> CniConfig {
    CniConfig {
        mode: AddressMode::Prefix,
        ..CniConfig::default()
    }
}

fn singles(n: u64) -> SubnetDemand {
    SubnetDemand {
        singles: n,
        prefixes: 0,
    }
}

// t3.small: 3 ENIs x 4 IPv4 -> S = 3 slots per ENI. Max pods 3 * 3 + 2 = 11 (aws/amazon-vpc-cni-k8s
// misc/eni-max-pods.txt: "t3.small 11").
// The docs' 9-pod rows are consistent with max pods 11: 9 pods + aws-node + kube-proxy = 11, and
// ceil(11 / 3) = 4 ENIs > the 3 the type has, so maxPods never caps these rows before the ENI limit does.
const T3_SMALL_MAX_PODS: u32 = 11;
// t3.small with prefix delegation: 3 * (3 * 16) + 2 = 146, capped at 110 (2 vCPUs <= 30) (max-pods-calculator.sh
// rule 4, docs/model.md "The calculator's rules").
const T3_SMALL_PD_MAX_PODS: u32 = 110;
// p3dn.24xlarge: 15 ENIs x 50 IPv4 -> S = 49. 15 * 49 + 2 = 737, capped at 250 (96 vCPUs > 30).
const P3DN_MAX_PODS: u32 = 250;

/// (pods, ENIs, secondary IPs)
fn check_ips(name: &str, cni: &CniConfig, max_pods: u32, rows: &[(u32, u32, u32)]) {
    for &(pods, enis, ips) in rows {
        let p = pool(name, cni, pods, max_pods);
        assert_eq!(p.mode, AddressMode::SecondaryIp);
        assert_eq!(
            (p.enis, p.slots, p.pod_addresses),
            (enis, ips, ips),
            "{name} {pods} pods"
        );
        assert_eq!(p.pods_placed, pods, "{name} {pods} pods");
        assert_eq!(p.pods_without_address, 0);
        // Default networking: every ENI primary and every secondary IP is in the node subnet.
        assert_eq!(p.node_subnet, singles(u64::from(enis + ips)));
        assert_eq!(p.pod_subnet, SubnetDemand::default());
    }
}

#[test]
fn t3_small_warm_eni_1() {
    // docs/eni-and-ip-target.md: 0 -> 1 ENI / 3 IPs; 5 -> 3 / 9; 9 -> 3 / 9.
    check_ips(
        "t3.small",
        &CniConfig::default(),
        T3_SMALL_MAX_PODS,
        &[(0, 1, 3), (5, 3, 9), (9, 3, 9)],
    );
}

#[test]
fn t3_small_warm_ip_1_min_1() {
    // docs/eni-and-ip-target.md: 0 -> 1 / 1; 5 -> 2 / 6; 9 -> 3 / 9.
    check_ips(
        "t3.small",
        &ip_targets(Some(1), Some(1)),
        T3_SMALL_MAX_PODS,
        &[(0, 1, 1), (5, 2, 6), (9, 3, 9)],
    );
}

#[test]
fn t3_small_warm_ip_2_min_5() {
    // docs/eni-and-ip-target.md: 0 -> 2 / 5; 5 -> 3 / 7; 9 -> 3 / 9.
    let cni = ip_targets(Some(2), Some(5));
    check_ips(
        "t3.small",
        &cni,
        T3_SMALL_MAX_PODS,
        &[(0, 2, 5), (5, 3, 7), (9, 3, 9)],
    );
    // Existing ENIs are filled first: 5 = 3 + 2, 7 = 3 + 3 + 1.
    assert_eq!(
        pool("t3.small", &cni, 0, T3_SMALL_MAX_PODS).slots_per_eni,
        [3, 2]
    );
    assert_eq!(
        pool("t3.small", &cni, 5, T3_SMALL_MAX_PODS).slots_per_eni,
        [3, 3, 1]
    );
}

#[test]
fn p3dn_warm_eni_1() {
    // docs/eni-and-ip-target.md: 0 -> 1 / 49; 3 -> 2 / 98; 95 -> 3 / 147.
    check_ips(
        "p3dn.24xlarge",
        &CniConfig::default(),
        P3DN_MAX_PODS,
        &[(0, 1, 49), (3, 2, 98), (95, 3, 147)],
    );
}

#[test]
fn p3dn_warm_ip_5_min_10() {
    // docs/eni-and-ip-target.md: 0 -> 10; 7 -> 12; 15 -> 20; 45 -> 50 on 2 ENIs (49, 1).
    let cni = ip_targets(Some(5), Some(10));
    check_ips(
        "p3dn.24xlarge",
        &cni,
        P3DN_MAX_PODS,
        &[(0, 1, 10), (7, 1, 12), (15, 1, 20), (45, 2, 50)],
    );
    assert_eq!(
        pool("p3dn.24xlarge", &cni, 45, P3DN_MAX_PODS).slots_per_eni,
        [49, 1]
    );
}

/// (pods, prefixes, ENIs)
fn check_prefixes(name: &str, cni: &CniConfig, max_pods: u32, rows: &[(u32, u32, u32)]) {
    for &(pods, prefixes, enis) in rows {
        let p = pool(name, cni, pods, max_pods);
        assert_eq!(p.mode, AddressMode::Prefix);
        assert_eq!(
            (p.slots, p.enis, p.pod_addresses),
            (prefixes, enis, 16 * prefixes),
            "{name} {pods} pods"
        );
        assert_eq!(p.pods_placed, pods);
        // ENI primaries are single addresses, the /28s are prefixes, all in the node subnet.
        assert_eq!(
            p.node_subnet,
            SubnetDemand {
                singles: u64::from(enis),
                prefixes: u64::from(prefixes)
            }
        );
    }
}

#[test]
fn t3_small_pd_warm_prefix_1() {
    // docs/prefix-and-ip-target.md: 0 -> 1 prefix; 5 -> 2; 16 -> 2; 17 -> 3; 58 -> 5 on 2 ENIs (3, 2).
    check_prefixes(
        "t3.small",
        &pd(),
        T3_SMALL_PD_MAX_PODS,
        &[(0, 1, 1), (5, 2, 1), (16, 2, 1), (17, 3, 1), (58, 5, 2)],
    );
    assert_eq!(
        pool("t3.small", &pd(), 58, T3_SMALL_PD_MAX_PODS).slots_per_eni,
        [3, 2]
    );
}

#[test]
fn t3_small_pd_warm_ip_1_min_1() {
    // docs/prefix-and-ip-target.md: 0 -> 1; 5 -> 1; 17 -> 2; 58 -> 4 (ENIs: ceil(4 / 3) = 2).
    let cni = CniConfig {
        warm_ip_target: Some(1),
        minimum_ip_target: Some(1),
        ..pd()
    };
    check_prefixes(
        "t3.small",
        &cni,
        T3_SMALL_PD_MAX_PODS,
        &[(0, 1, 1), (5, 1, 1), (17, 2, 1), (58, 4, 2)],
    );
}

#[test]
fn t3_small_pd_warm_ip_7_min_20() {
    // docs/prefix-and-ip-target.md: 5 -> 2; 17 -> 2; 58 -> 5. A MINIMUM of 20 behaves like 32 (two prefixes).
    let cni = CniConfig {
        warm_ip_target: Some(7),
        minimum_ip_target: Some(20),
        ..pd()
    };
    check_prefixes(
        "t3.small",
        &cni,
        T3_SMALL_PD_MAX_PODS,
        &[(5, 2, 1), (17, 2, 1), (58, 5, 2)],
    );
}

#[test]
fn p3dn_pd_warm_prefix_1() {
    // docs/prefix-and-ip-target.md: 0 -> 1; 3 -> 2; 95 -> 7 prefixes. The doc's ENI column shows extra empty
    // ENIs; the caveat in docs/model.md, "Test vectors": current ipamd never creates an ENI with 0 prefixes and
    // ignores WARM_ENI_TARGET in PD, so all fit on the primary ENI (S = 49).
    check_prefixes(
        "p3dn.24xlarge",
        &pd(),
        P3DN_MAX_PODS,
        &[(0, 1, 1), (3, 2, 1), (95, 7, 1)],
    );
}

#[test]
fn best_practices_three_c5_large_two_coredns() {
    // aws-eks-best-practices latest/bpg/networking/vpc-cni.adoc: 3 c5.large nodes (3 ENIs, 10 IPs per ENI),
    // 2 CoreDNS pods, default settings. The source says: node 1 (with a CoreDNS pod) 2 ENIs / 20 IPs, node 2
    // (with a CoreDNS pod) 2 ENIs / 20 IPs, node 3 (no pod) 1 ENI / 10 IPs: so one CoreDNS pod on each of two
    // nodes. Its IPs per ENI include the ENI primary: 20 = 2 primaries + 18 secondary IPs. Total
    // 20 + 20 + 10 = 50 (the prose above the list says "49"; the per-node list adds up to 50, as docs/model.md,
    // "Test vectors", notes). Warm = secondary IPs not used by a pod = (18 - 1) + (18 - 1) + 9 = 43.
    // c5.large max pods 3 * 9 + 2 = 29.
    let nodes: Vec<NodePool> = [1, 1, 0]
        .iter()
        .map(|&coredns| pool("c5.large", &CniConfig::default(), coredns, 29))
        .collect();
    let per_node: Vec<u64> = nodes.iter().map(|p| p.node_subnet.addresses()).collect();
    assert_eq!(per_node, [20, 20, 10]);
    assert_eq!(nodes.iter().map(|p| p.enis).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(per_node.iter().sum::<u64>(), 50);
    assert_eq!(nodes.iter().map(|p| p.warm_addresses).sum::<u32>(), 43);
}

// ---- maxPods caps the pool (ipamd isDatastorePoolTooLow: `if total >= maxPods: not low`) -----------------

#[test]
fn max_pods_caps_warm_eni_growth() {
    // m5.large: 3 ENIs x 10 -> S = 9. kubelet maxPods 8, WARM_ENI_TARGET=1.
    // Start: total 0 < 8 and avail 0 < 9 -> the primary gets 9 IPs; total 9 >= 8 -> never low again.
    // 6 pods (6 + 2 host = 8): the uncapped closed form's ceil(6/9) + 1 = 2 ENIs, but min(2, E_cap 3, ceil(8/9) = 1)
    // = 1.
    let p = pool("m5.large", &CniConfig::default(), 6, 8);
    assert_eq!((p.enis, p.slots, p.warm_addresses), (1, 9, 3));
}

#[test]
fn max_pods_caps_ip_target_growth() {
    // m5.large (S = 9), WARM_IP_TARGET=5, maxPods 10, 8 pods.
    // Start: need 5 -> total 5. Pod k arrives: short = 5 - avail = 1 -> +1 IP while total < 10, so
    // total = 5 + k until pod 5 makes it 10; then total >= maxPods and growth stops. 8 pods -> 10 IPs
    // (uncapped closed form: min(8 + 5, 27) = 13). 10 IPs = 9 on the primary + 1 on a second ENI.
    let cni = ip_targets(Some(5), None);
    let p = pool("m5.large", &cni, 8, 10);
    assert_eq!(
        (p.enis, p.slots, p.slots_per_eni.clone()),
        (2, 10, vec![9, 1])
    );
    assert_eq!(p.node_subnet, singles(2 + 10));
}

#[test]
fn max_pods_stops_start_up_fill_after_the_step_that_reaches_it() {
    // m5.large (S = 9), MINIMUM_IP_TARGET=20, WARM_IP_TARGET=1, maxPods 10, 8 pods.
    // Start: short = 20 -> the primary takes min(9, 20) = 9 (total 9 < 10), then a new ENI takes
    // min(9, 11) = 9 (total 18 >= 10): stop. Pods then never make it low again: 18 IPs on [9, 9].
    let cni = ip_targets(Some(1), Some(20));
    let p = pool("m5.large", &cni, 8, 10);
    assert_eq!((p.slots, p.slots_per_eni.clone()), (18, vec![9, 9]));
}

#[test]
fn max_pods_caps_prefix_growth() {
    // m5.large PD, WARM_PREFIX_TARGET=1, maxPods 20 -> ceil(20 / 16) = 2 prefixes at most.
    // Start: 1 prefix (16 < 20). First pod: 0 free prefixes, avail 15 < 16 -> 2 prefixes (32 >= 20): stop.
    // 17 pods (17 + 2 = 19 <= 20): uncapped ceil(17/16) + 1 = 3, capped 2; all 17 fit in 32.
    let p = pool("m5.large", &pd(), 17, 20);
    assert_eq!((p.slots, p.pod_addresses, p.pods_placed), (2, 32, 17));
}

// ---- other settings -------------------------------------------------------------------------------------

#[test]
fn warm_eni_zero() {
    // Closed form: WARM_ENI_TARGET=0 -> E = floor(N/S) + 1. t3.small (S = 3): 2 pods -> 1; 3 pods -> 2; 9 -> min(4, 3).
    let cni = CniConfig {
        warm_eni_target: 0,
        ..CniConfig::default()
    };
    check_ips(
        "t3.small",
        &cni,
        T3_SMALL_MAX_PODS,
        &[(0, 1, 3), (2, 1, 3), (3, 2, 6), (9, 3, 9)],
    );
}

#[test]
fn max_eni_limits_enis() {
    // m5.large, MAX_ENI=2, WARM_ENI_TARGET=1, 10 pods: ceil(10/9) + 1 = 3 -> min(3, 2) = 2 ENIs, 18 IPs.
    // Max pods with --cni-max-eni 2 is 20 (max-pods-calculator.sh; docs/model.md "Worked values").
    let cni = CniConfig {
        max_eni: Some(2),
        ..CniConfig::default()
    };
    let p = pool("m5.large", &cni, 10, 20);
    assert_eq!((p.enis, p.slots), (2, 18));
}

#[test]
fn warm_ip_zero_with_minimum_stops_at_minimum() {
    // aws/amazon-vpc-cni-k8s#2650 / README MINIMUM_IP_TARGET note 2: WARM_IP_TARGET unset, MINIMUM_IP_TARGET=11
    // on m5.large (S = 9, max pods 29): T = 11 on [9, 2]; 20 pods -> 11 placed, 9 without an address.
    let cni = ip_targets(None, Some(11));
    let p = pool("m5.large", &cni, 20, 29);
    assert_eq!((p.slots, p.slots_per_eni.clone()), (11, vec![9, 2]));
    assert_eq!((p.pods_placed, p.pods_without_address), (11, 9));
    // the cluster-wide cause is one plan warning, not a finding per node group
    assert!(
        !p.findings
            .iter()
            .any(|f| f.to_string().contains("MINIMUM_IP_TARGET"))
    );
    assert_eq!(
        plan_warnings("{ minimum_ip_target: 11 }"),
        vec![PlanWarning::MinimumWithoutWarmIp { minimum: 11 }]
    );
    assert!(
        p.findings
            .contains(&PoolFinding::PodsWithoutAddress { pods: 9 })
    );
    // WARM_IP_TARGET=0 is the same as unset.
    assert_eq!(
        pool("m5.large", &ip_targets(Some(0), Some(11)), 20, 29).slots,
        11
    );
}

#[test]
fn warm_prefix_zero() {
    // Closed form: P = 0 -> K = floor(N/16) + 1; "not supported" (docs/prefix-and-ip-target.md).
    let cni = CniConfig {
        warm_prefix_target: 0,
        ..pd()
    };
    for (pods, k) in [(0, 1), (15, 1), (16, 2), (40, 3)] {
        assert_eq!(pool("t3.small", &cni, pods, 110).slots, k, "{pods} pods");
    }
    assert_eq!(
        plan_warnings("{ mode: prefix, warm_prefix_target: 0 }"),
        vec![PlanWarning::WarmPrefixZero]
    );
}

#[test]
fn prefix_falls_back_on_xen_and_old_cni() {
    // m4.xlarge is xen (4 ENIs x 15, S = 14, max pods 58 per max-pods-calculator.sh, docs/model.md "Worked
    // values"): secondary-IP rules,
    // WARM_ENI_TARGET=1, 20 pods -> ceil(20/14) + 1 = 3 ENIs, 42 IPs.
    let p = pool("m4.xlarge", &pd(), 20, 58);
    assert_eq!(p.mode, AddressMode::SecondaryIp);
    assert_eq!((p.enis, p.slots), (3, 42));
    assert!(matches!(
        p.findings[0],
        PoolFinding::PrefixFallbackNotNitro { .. }
    ));
    // CNI 1.8 has no prefix delegation (max-pods-calculator.sh: m5.large, PD, CNI 1.8.0 -> 29).
    let old = CniConfig {
        version: Some(CniVersion::new(1, 8, 0)),
        ..pd()
    };
    let p = pool("m5.large", &old, 5, 29);
    assert_eq!((p.mode, p.slots), (AddressMode::SecondaryIp, 18));
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    assert_eq!(
        plan_warnings("{ mode: prefix, version: \"1.8.0\" }"),
        vec![PlanWarning::PrefixNeedsNewerCni {
            version: "1.8.0".into()
        }]
    );
    // Bare metal: the CNI runs prefix delegation (the script does not; docs/model.md "The calculator's rules").
    assert_eq!(pool("m5.metal", &pd(), 5, 250).mode, AddressMode::Prefix);
}

#[test]
fn pods_above_max_pods() {
    // t3.small, max pods 11, 12 pods wanted: room for 11 - 2 = 9, so 3 are without an address.
    let p = pool("t3.small", &CniConfig::default(), 12, T3_SMALL_MAX_PODS);
    assert_eq!((p.pods_placed, p.pods_without_address), (9, 3));
    assert!(p.findings.contains(&PoolFinding::PodsAboveMaxPods {
        pods: 14,
        max_pods: 11
    }));
}

// ---- custom networking ------------------------------------------------------------------------------------

fn cn() -> CniConfig {
    CniConfig {
        custom_networking: true,
        ..CniConfig::default()
    }
}

#[test]
fn custom_networking_m5_large() {
    // m5.large: 3 ENIs, S = 9; custom networking: primary gets no slots, E_cap = 3 - 1 = 2; max pods 20
    // (max-pods-calculator.sh --cni-custom-networking-enabled). WARM_ENI_TARGET=1.
    // 0 pods: min(0 + 1, 2, ceil(20/9) = 3) = 1 pod ENI -> ENIs [primary 0, 9]; node subnet 1 (node primary);
    //   ENIConfig subnet 1 ENI primary + 9 IPs = 10.
    let p = pool("m5.large", &cn(), 0, 20);
    assert_eq!((p.enis, p.slots_per_eni.clone()), (2, vec![0, 9]));
    assert_eq!(p.node_subnet, singles(1));
    assert_eq!(p.pod_subnet, singles(1 + 9));
    // 10 pods: ceil(10/9) + 1 = 3 -> min(3, 2, 3) = 2 pod ENIs -> [0, 9, 9]; ENIConfig subnet 2 + 18 = 20.
    let p = pool("m5.large", &cn(), 10, 20);
    assert_eq!(p.slots_per_eni, [0, 9, 9]);
    assert_eq!(p.pod_subnet, singles(2 + 18));
    // 18 pods (18 + 2 = 20 = max pods): all placed, no warm address left.
    let p = pool("m5.large", &cn(), 18, 20);
    assert_eq!((p.pods_placed, p.warm_addresses), (18, 0));
}

#[test]
fn custom_networking_with_prefixes() {
    // m5.large, custom networking + PD: max pods 110 (max-pods-calculator.sh). WARM_PREFIX_TARGET=1, 40 pods:
    // ceil(40/16) + 1 = 4 prefixes (<= E_cap 2 * 9 = 18, <= ceil(110/16) = 7) on one pod ENI.
    // Node subnet: 1; ENIConfig subnet: 1 ENI primary + 4 prefixes = 1 + 64 addresses.
    let cni = CniConfig {
        mode: AddressMode::Prefix,
        ..cn()
    };
    let p = pool("m5.large", &cni, 40, 110);
    assert_eq!(p.slots_per_eni, [0, 4]);
    assert_eq!(p.node_subnet, singles(1));
    assert_eq!(
        p.pod_subnet,
        SubnetDemand {
            singles: 1,
            prefixes: 4
        }
    );
    assert_eq!(p.pod_subnet.addresses(), 65);
}

#[test]
fn custom_networking_on_a_one_eni_type() {
    // hpc6id.32xlarge has 1 ENI on the default card: custom networking leaves 1 - 1 = 0 pod ENIs.
    let p = pool("hpc6id.32xlarge", &cn(), 5, 110);
    assert_eq!((p.enis, p.slots, p.pods_placed), (1, 0, 0));
    assert_eq!(p.pods_without_address, 5);
    assert_eq!(p.node_subnet, singles(1));
    assert_eq!(p.pod_subnet, SubnetDemand::default());
    assert!(p.findings.contains(&PoolFinding::NoPodEni {
        instance: "hpc6id.32xlarge".into()
    }));
}

// ---- security groups for pods -------------------------------------------------------------------------

fn sgp() -> CniConfig {
    CniConfig {
        pod_security_groups: true,
        ..CniConfig::default()
    }
}

fn load(pods: u32, branch_pods: u32, max_pods: u32) -> NodeLoad {
    NodeLoad {
        branch_pods,
        ..NodeLoad::new(pods, max_pods)
    }
}

#[test]
fn security_groups_for_pods_m5_large() {
    // m5.large: trunking-compatible, 9 branch ENIs (aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go).
    // The trunk takes an ENI: E_cap = 3 - 1 = 2.
    // 12 pods, 4 of them branch pods, max pods 29: 8 ordinary pods -> min(ceil(8/9) + 1, 2, ceil(29/9)) = 2
    // ENIs, 18 IPs. Node subnet: 2 ENI primaries + 18 IPs + 1 trunk primary + 4 branch ENIs = 25.
    let p = node_pool(ty("m5.large"), &sgp(), &load(12, 4, 29));
    assert!(p.trunk);
    assert_eq!((p.enis, p.slots, p.branch_pods), (2, 18, 4));
    assert_eq!((p.pods_placed, p.warm_addresses), (12, 10));
    assert_eq!(p.node_subnet, singles(2 + 18 + 1 + 4));
    // 12 branch pods: only 9 branch ENIs -> 3 without an address.
    let p = node_pool(ty("m5.large"), &sgp(), &load(12, 12, 29));
    assert_eq!((p.branch_pods, p.pods_without_address), (9, 3));
    assert!(p.findings.contains(&PoolFinding::BranchPodsAboveCapacity {
        branch_pods: 12,
        capacity: 9
    }));
}

#[test]
fn security_groups_for_pods_with_custom_networking() {
    // m5.xlarge: 4 ENIs x 15 (S = 14), 18 branch ENIs. Custom networking + trunk: E_cap = 4 - 1 - 1 = 2.
    // Max pods 44 (max-pods-calculator.sh, m5.xlarge custom networking). 20 pods, 5 branch: 15 ordinary ->
    // min(ceil(15/14) + 1 = 3, 2, ceil(44/14) = 4) = 2 pod ENIs, 28 IPs; ENIs [0, 14, 14].
    // Node subnet: 1. ENIConfig subnet: 2 pod-ENI primaries + 28 IPs + 1 trunk + 5 branch = 36.
    let cni = CniConfig {
        custom_networking: true,
        ..sgp()
    };
    let p = node_pool(ty("m5.xlarge"), &cni, &load(20, 5, 44));
    assert_eq!((p.enis, p.slots_per_eni.clone()), (3, vec![0, 14, 14]));
    assert_eq!(p.node_subnet, singles(1));
    assert_eq!(p.pod_subnet, singles(2 + 28 + 1 + 5));
    assert_eq!(p.pods_placed, 20);
}

#[test]
fn security_groups_for_pods_on_non_trunking_type() {
    // t3.small is not trunking-compatible (pod-eni capacity 0): no trunk, E_cap stays 3; the 2 branch pods
    // get no address; 3 ordinary pods -> ceil(3/3) + 1 = 2 ENIs, 6 IPs.
    let p = node_pool(ty("t3.small"), &sgp(), &load(5, 2, 11));
    assert!(!p.trunk);
    assert_eq!((p.enis, p.slots), (2, 6));
    assert_eq!((p.pods_placed, p.pods_without_address), (3, 2));
    assert!(
        p.findings
            .contains(&PoolFinding::SecurityGroupsNotTrunking {
                instance: "t3.small".into(),
                known: true
            })
    );
    // Branch pods without ENABLE_POD_ENI: no branch ENI for them either.
    let p = node_pool(ty("m5.large"), &CniConfig::default(), &load(5, 2, 29));
    assert_eq!(p.pods_without_address, 2);
    assert!(
        p.findings
            .contains(&PoolFinding::BranchPodsWithoutPodEni { branch_pods: 2 })
    );
}

#[test]
fn findings_display_one_line_and_json() {
    let p = pool("m5.large", &ip_targets(None, Some(11)), 20, 29);
    for f in &p.findings {
        let s = f.to_string();
        assert!(!s.contains('\n') && !s.ends_with('.'), "{s}");
    }
    assert_eq!(p.findings[0].to_string(), "9 pods per node get no address");
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["mode"], "secondary-ip");
    assert_eq!(v["findings"][0]["kind"], "pods-without-address");
    assert_eq!(v["findings"][0]["pods"], 9);
    assert_eq!(v["node_subnet"]["singles"], 2 + 11);
}

/// The warnings of a one-subnet, one-group plan with these CNI settings (each cluster-wide warning once).
fn plan_warnings(cni: &str) -> Vec<PlanWarning> {
    let yaml = format!(
        "cni: {cni}\nsubnets: [{{ name: a, az: z, cidr: 10.0.0.0/24 }}, {{ name: b, az: y, cidr: 10.0.1.0/24 }}]\n\
         node_groups:\n  - {{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5 }}\n\
         \x20 - {{ name: h, instance_type: m5.large, subnets: [b], nodes: 1, pods_per_node: 5 }}\n"
    );
    ipplan_planner::Plan::from_yaml_str(&yaml, "p.yaml", &ipplan_core::Catalog::embedded())
        .unwrap()
        .warnings()
        .to_vec()
}
