//! `check`, `compare` and the Terraform door, on plans whose numbers are worked out by hand in the comments
//! (sources: docs/model.md, "Max pods per node", "The closed form", "Prefixes and /28 fragmentation" and "Subnet
//! and VPC facts").

mod common;

use std::collections::BTreeMap;

use common::{finding, plan};
use ipplan_core::Catalog;
use ipplan_planner::capacity::FitFailure;
use ipplan_planner::report::Severity;
use ipplan_planner::{Layout, Plan, check, compare, terraform_run};

fn example(name: &str) -> Plan {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("example exists");
    Plan::from_str_auto(&text, name, &Catalog::embedded()).expect("example is valid")
}

/// aws/aws-eks-best-practices `latest/bpg/networking/vpc-cni.adoc` (`dc0243ad2cf4`): 3 x c5.large with 2 CoreDNS pods,
/// default settings: the two nodes with a CoreDNS pod hold 2 ENIs x (1 + 9) = 20 addresses, the idle node 10;
/// 20 + 20 + 10 = 50 subnet addresses.
#[test]
fn best_practices_three_c5_large_take_50_addresses() {
    let p = plan(
        "
subnets: [{ name: a, az: us-east-1a, cidr: 10.0.0.0/24 }]
node_groups:
  - { name: coredns, instance_type: c5.large, subnets: [a], nodes: 2, pods_per_node: 1 }
  - { name: idle, instance_type: c5.large, subnets: [a], nodes: 1, pods_per_node: 0 }
",
    );
    let r = check(&p);
    assert_eq!(r.subnets[0].used, 50);
    assert_eq!(r.subnets[0].capacity, 251); // 256 - 5 AWS-reserved (VPC UG subnet-sizing.md)
    assert_eq!(r.subnets[0].headroom, 201);
    assert!(r.fits());
    // 43 warm (same source): a CoreDNS node holds 2 ENIs x 9 = 18 secondary IPs and uses 1: 17 warm; the
    // idle node holds 9: 17 + 17 + 9 = 43
    let warm: u32 = r
        .node_groups
        .iter()
        .map(|g| g.pool.warm_addresses * g.peak_nodes)
        .sum();
    assert_eq!(warm, 43);
}

/// The migration example: 30 x c6i.large (3 ENIs x 10 IPv4, S = 9, max pods 3 x 9 + 2 = 29), 200 pods over 30
/// nodes: the fullest node runs ceil(200 / 30) = 7 pods: ceil(7 / 9) + 1 warm ENI = 2 ENIs = 20 addresses.
/// 2 AZs: 15 nodes per /24 = 300, plus the control plane's 4 ENIs over 2 subnets = 2 each, doubled for an
/// upgrade = 4: 304 of 251 usable.
#[test]
fn migration_on_24_does_not_fit_and_says_why() {
    let r = check(&example("ecs-migration-24.yaml"));
    assert!(!r.fits());
    let g = &r.node_groups[0];
    assert_eq!(
        (
            g.max_pods,
            g.pods_per_node,
            g.addresses_per_node,
            g.pool.enis
        ),
        (29, 7, 20, 2)
    );
    for s in &r.subnets {
        assert_eq!((s.capacity, s.used, s.headroom), (251, 304, -53));
        assert_eq!(s.first_failure, Some(FitFailure::Addresses));
    }
    // (251 - 4) / 20 = 12 nodes per subnet, 24 in all: 6 too many
    assert_eq!(g.max_nodes, 24);
    assert_eq!(g.additional_nodes, -6);
    let first = r.verdict.first_failure.as_ref().unwrap();
    assert_eq!(first.kind_name(), "addresses");
    assert!(first.subject.contains("private-a"), "{first}");
    assert!(r.findings.iter().any(|f| f.severity == Severity::Error));
    // NAU: 30 nodes x (20 addresses + 1 additional ENI) + 4 control-plane ENIs = 634
    assert_eq!(r.network_address_usage.used, 634);
}

#[test]
fn migration_on_20_fits() {
    let r = check(&example("ecs-migration-20.yaml"));
    assert!(r.fits());
    // /20: 4096 - 5 = 4091 usable; 304 used
    assert_eq!((r.subnets[0].capacity, r.subnets[0].used), (4091, 304));
    // (4091 - 4) / 20 = 204 per subnet: 378 more than the 30 planned
    assert_eq!(r.node_groups[0].max_nodes, 408);
    assert_eq!(r.node_groups[0].additional_nodes, 378);
}

/// m5.xlarge (4 ENIs x 15, S = 14) with custom networking: max pods (4 - 1) x 14 + 2 = 44 (max-pods-calculator.sh).
/// 1,500 pods / 60 nodes = 25 per node: ceil(25 / 14) + 1 = 3 pod ENIs (also the 3 usable): 3 x (1 + 14) = 45
/// in the pod subnet, 1 (the node primary) in the node subnet. 20 nodes per AZ.
#[test]
fn custom_networking_splits_node_and_pod_subnets() {
    let r = check(&example("custom-networking.yaml"));
    assert!(r.fits());
    let g = &r.node_groups[0];
    assert_eq!(g.max_pods, 44);
    assert_eq!(g.pool.node_subnet.addresses(), 1);
    assert_eq!(g.pool.pod_subnet.addresses(), 45);
    let by = |n: &str| r.subnets.iter().find(|s| s.name == n).unwrap();
    assert_eq!(by("nodes-a").used, 20 + 4); // 20 node primaries + control plane (4 ENIs / 3 subnets -> 2, x2)
    assert_eq!(by("pods-a").used, 20 * 45);
    assert_eq!(by("pods-a").capacity, 16384 - 5);
}

/// Prefix mode, m5.large, 30 pods per node: ceil(30 / 16) + WARM_PREFIX_TARGET 1 = 3 prefixes on the primary ENI.
/// Per /21 subnet: 20 nodes -> 60 prefixes; singles: 20 node primaries + 100 other consumers + 4 control plane
/// = 124. A /21 has 2^(28-21) - 2 = 126 prefix-eligible blocks. Best case: 27 singles sit in the two edge
/// blocks (12 + 15), the other 97 fill ceil(97 / 16) = 7 blocks: 119 free. Worst case: 124 blocks spoiled: 2 free.
#[test]
fn prefix_fragmentation_risk_and_the_reservation_that_fixes_it() {
    let r = check(&example("prefix-fragmented.yaml"));
    assert!(!r.fits());
    let s = &r.subnets[0];
    assert_eq!(s.used, 20 * (1 + 3 * 16) + 100 + 4);
    let p = s.prefix.unwrap();
    assert_eq!(
        (p.needed, p.best_case_free_blocks, p.worst_case_free_blocks),
        (60, 119, 2)
    );
    assert_eq!(s.first_failure, Some(FitFailure::PrefixBlocksWorstCase));

    // Two /23 prefix reservations = 64 blocks singles cannot touch; the other 62 eligible blocks may all be
    // spoiled by the 124 singles: worst case 64 free >= 60.
    let r = check(&example("prefix-reservation.yaml"));
    assert!(r.fits(), "{:?}", r.verdict.first_failure);
    let p = r.subnets[0].prefix.unwrap();
    assert_eq!(
        (p.worst_case_free_blocks, p.best_case_free_blocks),
        (64, 119)
    );
}

/// t3.small: 3 ENIs x 4 IPv4 (S = 3): at most 9 pod addresses. Max pods set to 30 by hand, 20 pods per node:
/// 11 pods per node get no address, and the plan does not fit although the subnet has room.
#[test]
fn pods_without_address_fail_the_plan() {
    let p = plan(
        "
subnets: [{ name: a, az: us-east-1a, cidr: 10.0.0.0/20 }]
node_groups: [{ name: g, instance_type: t3.small, subnets: [a], nodes: 4, pods_per_node: 20, max_pods: 30 }]
",
    );
    let r = check(&p);
    assert!(r.subnets[0].fits);
    assert!(!r.fits());
    assert_eq!(r.node_groups[0].pool.pods_without_address, 11);
    let first = r.verdict.first_failure.unwrap();
    assert_eq!(first.subject, "node group 'g'");
    assert_eq!(first.kind_name(), "pods-without-address");
}

#[test]
fn large_cluster_example_fits_with_its_reservations() {
    // see the arithmetic in examples/large-cluster.yaml
    let r = check(&example("large-cluster.yaml"));
    assert!(r.fits(), "{:?}", r.verdict.first_failure);
    let pods_a = r.subnets.iter().find(|s| s.name == "pods-a").unwrap();
    assert_eq!(pods_a.used, 1670 * 33);
    assert_eq!(pods_a.prefix.unwrap().needed, 3340);
    assert_eq!(
        pods_a.prefix.unwrap().worst_case_free_blocks,
        2047 + 1024 + 512
    );
}

/// The migration plan on other layouts. /20 fits, custom networking on 100.64.0.0/16 fits (2 AZs -> two /17 pod
/// subnets), and the smallest subnets holding 304 addresses with 20% to spare need 380 usable: /23 (507).
#[test]
fn compare_layouts_for_the_migration() {
    let p = example("ecs-migration-24.yaml");
    let c = compare(
        &p,
        &[
            Layout::PrefixLen(24),
            Layout::PrefixLen(20),
            "100.64.0.0/16".parse().unwrap(),
        ],
    )
    .unwrap();
    let fits: Vec<bool> = c.layouts.iter().map(|r| r.fits).collect();
    assert_eq!(fits, [false, false, true, true]);
    assert_eq!(c.smallest_prefix_len, Some(23));
    assert_eq!(c.headroom_percent, 20);
    let custom = &c.layouts[3];
    assert!(custom.subnets.iter().any(|s| s.ends_with("100.64.0.0/17")));
    assert!(
        custom
            .subnets
            .iter()
            .any(|s| s.ends_with("100.64.128.0/17"))
    );
    // custom networking: 1 address per node in the /24 node subnets: (251 - 4) per subnet x 2
    assert_eq!(custom.node_groups[0].max_nodes, 494);
}

#[test]
fn terraform_protocol_is_strings_in_strings_out() {
    let out = terraform_run(
        r#"{"instance_type":"c6i.large","subnet_cidrs":"10.0.1.0/24,10.0.2.0/24","nodes":"30","pods":"200"}"#,
        &Catalog::embedded(),
    )
    .unwrap();
    // no control plane in the query: 15 x 20 = 300 of 251
    assert_eq!(out["fits"], "false");
    assert_eq!(out["max_pods"], "29");
    assert_eq!(out["addresses_per_node"], "20");
    assert_eq!(out["headroom"], "-49");
    // subnets are named by their CIDR, in the query's own words
    assert_eq!(
        out["first_failure"],
        "subnet 10.0.1.0/24: 300 addresses needed at peak, 251 available (49 short)"
    );
    let report: serde_json::Value = serde_json::from_str(&out["report_json"]).unwrap();
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["subnets"][0]["used"], 300);
    let first = &report["first_failure"];
    assert_eq!(
        (&first["kind"], &first["needed"], &first["available"]),
        (&"addresses".into(), &300.into(), &251.into())
    );

    let q = |s: &str| {
        terraform_run(s, &Catalog::embedded())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        q(r#"{"instance_type":"c6i.large","nodes":3}"#),
        "terraform query: nodes: value 3 is not a string: Terraform's external query holds strings only (use tostring())"
    );
    assert_eq!(
        q(r#"{"instance_typ":"c6i.large"}"#),
        "terraform query: instance_typ: unknown query key 'instance_typ' (did you mean 'instance_type'?)"
    );
    // a plan that does not fit says why: no value of the flat map is empty
    let flat: BTreeMap<String, String> = out;
    assert!(flat.values().all(|v| !v.is_empty()));
}

#[test]
fn same_input_same_bytes() {
    let a = serde_json::to_string(&check(&example("large-cluster.yaml"))).unwrap();
    let b = serde_json::to_string(&check(&example("large-cluster.yaml"))).unwrap();
    assert_eq!(a, b);
}

#[test]
fn max_pods_above_what_the_enis_address_is_a_finding() {
    // m5.large, secondary IPs: 3 ENIs x 9 slots + 2 host-network pods = 29 pods can get an address
    // (max-pods-calculator.sh's formula); max_pods 110 lets the kubelet schedule 81 more that would wait.
    let r = check(&plan(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 10, max_pods: 110 }]",
    ));
    let (f, v) = finding(&r, "max-pods-above-eni-capacity");
    assert_eq!(
        (&v["max_pods"], &v["eni_capacity"]),
        (&110.into(), &29.into())
    );
    assert_eq!(f.severity, Severity::Warning);
    // with the calculator's own number there is nothing to say
    let r = check(&plan(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 10 }]",
    ));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn where_the_addresses_go_adds_up_to_used_in_every_example() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let r = check(&plan(&text));
        for s in &r.subnets {
            assert_eq!(
                s.breakdown.total(),
                s.used,
                "{}: {}",
                path.display(),
                s.name
            );
            // and what comes out of the size before capacity
            let size = 1u64 << (32 - u32::from(s.cidr.prefix_len()));
            assert_eq!(
                s.capacity + s.aws_reserved + s.explicit_reservations,
                size,
                "{}: {}",
                path.display(),
                s.name
            );
        }
        seen += 1;
    }
    assert!(seen >= 8, "{seen} examples");
}

#[test]
fn the_warm_pool_is_most_of_the_migration_24_plan() {
    // examples/ecs-migration-24.yaml: 30 c6i.large over 2 /24s, 200 pods -> 15 nodes per subnet; 200 = 30 x 6 + 20:
    // 20 nodes run 7 pods and 10 run 6, and going round the 2 subnets in launch order each subnet gets
    // ceil(20/2) = 10 of 7 and 5 of 6: 100 pods per subnet, 200 in all. c6i.large: 3 ENIs x 10 IPv4, S = 9;
    // WARM_ENI_TARGET=1: ceil(7/9) + 1 = ceil(6/9) + 1 = 2 ENIs, 18 secondary IPs, 11 (or 12) warm; each node: its own
    // address + 1 ENI primary + 18 = 20. Control plane: 4 ENIs over 2 subnets, 2 x ceil(4/2) = 4 each. Per subnet:
    // pods 10 x 7 + 5 x 6 = 100, warm 10 x 11 + 5 x 12 = 170, ENI primaries 15, node primaries 15, control plane 4:
    // 304.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/ecs-migration-24.yaml"),
    )
    .unwrap();
    let r = check(&plan(&text));
    for s in &r.subnets {
        let b = &s.breakdown;
        assert_eq!(
            (
                b.pods,
                b.warm_pool,
                b.eni_primaries,
                b.node_primaries,
                b.control_plane
            ),
            (100, 170, 15, 15, 4)
        );
        assert_eq!(
            (b.trunk_enis, b.branch_enis, b.other_consumers.len()),
            (0, 0, 0)
        );
        assert_eq!(s.used, 304);
    }
}

#[test]
fn custom_networking_splits_the_node_and_the_pods_between_subnets() {
    // m5.large, custom networking: the primary ENI takes no pods; 2 usable ENIs x 9 slots. 10 pods, WARM_ENI 1:
    // ceil(10/9) + 1 = 3 > 2 -> 2 pod ENIs, 18 IPs (10 in use, 8 warm). 4 nodes in nodes-a. The node subnet
    // holds 4 node addresses; the pod subnet 4 x (2 ENI primaries + 18) = 80, and an ALB's 8 addresses there.
    let r = check(&plan(
        "cni: { custom_networking: true }
subnets:
  - { name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/24, role: nodes }
  - { name: pods-a, az: us-east-1a, cidr: 100.64.0.0/20, role: pods, other_consumers: [{ what: alb, addresses: 8 }] }
node_groups:
  - { name: g, instance_type: m5.large, subnets: [nodes-a], nodes: 4, pods_per_node: 10 }",
    ));
    let (n, p) = (&r.subnets[0].breakdown, &r.subnets[1].breakdown);
    assert_eq!(
        (n.node_primaries, n.pods, n.warm_pool, n.eni_primaries),
        (4, 0, 0, 0)
    );
    assert_eq!(
        (p.node_primaries, p.pods, p.warm_pool, p.eni_primaries),
        (0, 40, 32, 8)
    );
    assert_eq!(p.other_consumers.get("alb"), Some(&8));
    assert_eq!((r.subnets[0].used, r.subnets[1].used), (4, 88));
}
