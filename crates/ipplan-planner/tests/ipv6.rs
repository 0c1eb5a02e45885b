//! IPv6 clusters (aws/aws-eks-best-practices `content/networking/docs/ipv6.md`, 22c65bb): prefix assignment only,
//! one /80 per node from the subnet's /64, one IPv4 address per node, no custom networking, Nitro only.

mod common;

use common::finding;
use ipplan_core::Catalog;
use ipplan_planner::capacity::{AdviseOptions, CandidateKind, Layout, advise, apply_layout};
use ipplan_planner::plan::PlanWarning;
use ipplan_planner::{Plan, check};

const MIGRATION: &str = "
cni: { ip_family: ipv6 }
subnets:
  - { name: private-a, az: eu-west-1a, cidr: 10.20.1.0/24, ipv6_cidr: '2a05:d018:1:a00::/64' }
  - { name: private-b, az: eu-west-1b, cidr: 10.20.2.0/24 }
control_plane: { subnets: [private-a, private-b] }
node_groups:
  - { name: services, instance_type: c6i.large, subnets: [private-a, private-b], nodes: 30, pods: 200 }
";

fn load(text: &str) -> Result<Plan, String> {
    Plan::from_yaml_str(text, "plan.yaml", &Catalog::embedded()).map_err(|e| e.to_string())
}

#[test]
fn an_ipv6_node_takes_one_ipv4_address_and_its_pods_none() {
    // 30 c6i.large over 2 /24s: 15 nodes per subnet, one IPv4 address each, + 4 for the control plane (4 ENIs over
    // 2 subnets, doubled) = 19 of 251. Max pods: the prefix formula 3 x 9 x 16 + 2 = 434, capped at 110 (2 vCPUs).
    let plan = load(MIGRATION).unwrap();
    let r = check(&plan);
    assert!(r.fits());
    for s in &r.subnets {
        assert_eq!((s.used, s.headroom), (19, 251 - 19));
        let b = &s.breakdown;
        assert_eq!(
            (b.node_primaries, b.pods, b.warm_pool, b.eni_primaries),
            (15, 0, 0, 0)
        );
        assert_eq!(s.ipv6_prefixes, Some(15));
    }
    let g = &r.node_groups[0];
    assert_eq!(
        (g.max_pods, g.pods_per_node, g.addresses_per_node),
        (110, 7, 1)
    );
    // one of the two subnets has no ipv6_cidr: the /64 AWS assigns is assumed, and said once
    assert_eq!(
        plan.warnings(),
        [PlanWarning::Ipv6CidrAssumed { subnets: 1 }]
    );
}

#[test]
fn the_cnis_rules_for_ipv6_are_enforced() {
    let err = |from: &str, to: &str| load(&MIGRATION.replace(from, to)).unwrap_err();
    assert_eq!(
        err(
            "{ ip_family: ipv6 }",
            "{ ip_family: ipv6, custom_networking: true }"
        ),
        "plan.yaml: cni.custom_networking: the VPC CNI does not run custom networking in IPv6 mode (pods take IPv6 \
         addresses from each node's /80 prefix, no IPv4 subnet to move them to): turn it off"
    );
    assert_eq!(
        err(
            "{ ip_family: ipv6 }",
            "{ ip_family: ipv6, version: \"1.9.3\" }"
        ),
        "plan.yaml: cni.version: IPv6 needs VPC CNI 1.10.0 or later (got 1.9.3): upgrade the CNI or use ip_family: ipv4"
    );
    assert_eq!(
        err("2a05:d018:1:a00::/64", "2a05:d018:1::/56"),
        "plan.yaml: subnets[0].ipv6_cidr: '2a05:d018:1::/56' is not a /64 network: an AWS subnet's IPv6 block is \
         a /64, use '2a05:d018:1::/64'"
    );
    assert_eq!(
        err("instance_type: c6i.large", "instance_type: m4.large"),
        "plan.yaml: node_groups[0].instance_type: 'm4.large' is neither Nitro nor bare metal, and the VPC CNI runs \
         IPv6 only on Nitro types: use a Nitro type"
    );
    assert!(err("{ ip_family: ipv6 }", "{ ip_family: ipv7 }").contains("unknown ip family 'ipv7'"),);
}

#[test]
fn more_nodes_than_a_64_has_80s_fail() {
    // 65,600 nodes in one /16: one /80 each, and a /64 has 2^16 = 65,536 of them
    let plan = load(
        "cni: { ip_family: ipv6 }
vpc: { cidrs: [10.0.0.0/16] }
subnets: [{ name: a, az: z, cidr: 10.0.0.0/16 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 65600, pods_per_node: 1 }]",
    )
    .unwrap();
    let r = check(&plan);
    let (_, v) = finding(&r, "ipv6-prefixes");
    assert_eq!(
        (&v["needed"], &v["available"]),
        (&65600.into(), &65536.into())
    );
}

#[test]
fn ipv6_as_a_layout_and_as_advice() {
    // the migration /24 in IPv4 does not fit (304 of 251); as IPv6 each subnet holds 15 + 4 = 19
    let text = MIGRATION
        .replace("cni: { ip_family: ipv6 }\n", "")
        .replace(", ipv6_cidr: '2a05:d018:1:a00::/64'", "");
    let plan = load(&text).unwrap();
    assert!(!check(&plan).fits());
    let v6 = apply_layout(&plan, Layout::Ipv6).unwrap();
    let r = check(&v6);
    assert!(r.fits());
    assert_eq!(r.subnets.iter().map(|s| s.used).sum::<u64>(), 2 * 19);
    let advice = advise(&plan, &Catalog::embedded(), AdviseOptions::default());
    let c = advice
        .candidates
        .iter()
        .find(|c| c.kind == CandidateKind::Ipv6)
        .expect("an ipv6 candidate");
    assert!(c.fits);
    assert_eq!(c.used, 38);
    assert!(
        c.summary.contains("38 IPv4 addresses instead of 608"),
        "{}",
        c.summary
    );
}
