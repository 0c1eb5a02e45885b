//! Mixed fleets in the plan itself: `instance_types`, `max_vcpus`, `pods_per_node: max`, `max_pods: karpenter`
//! and `pods_per_core`. Every expected number is worked by hand in the comments from the closed form of
//! docs/model.md ("The closed form", "Max pods per node") and the instance rows of data/instances.csv:
//! m5.xlarge / m6i.xlarge / c6i.xlarge 4 ENIs x 15 IPv4 (S = 14), 4 vCPUs; c6i.2xlarge the same ENIs, 8 vCPUs;
//! m5.large / c5.large 3 ENIs x 10 IPv4 (S = 9), 2 vCPUs.

mod common;

use common::finding;
use ipplan_core::Catalog;
use ipplan_planner::plan::{MaxPodsSpec, NodeGroupSpec, PodsSpec, SubnetSpec};
use ipplan_planner::{Plan, PlanSpec, check};

fn plan(yaml: &str) -> Result<Plan, String> {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).map_err(|e| e.to_string())
}

const SUBNETS: &str = "
subnets:
  - { name: a, az: us-east-1a, cidr: 10.0.0.0/24 }
  - { name: b, az: us-east-1b, cidr: 10.0.1.0/24 }
  - { name: c, az: us-east-1c, cidr: 10.0.2.0/24 }
";

#[test]
fn a_mixed_group_is_judged_on_its_worst_member() {
    let p = plan(&format!(
        "{SUBNETS}node_groups:
  - {{ name: spot, instance_types: [m5.xlarge, c5.large], subnets: [a, b, c], nodes: 6, pods_per_node: max }}
"
    ))
    .unwrap();
    let g = &p.node_groups()[0];
    assert_eq!(g.pods(), PodsSpec::Full);
    // m5.xlarge: max pods 4 x 14 + 2 = 58, full: 56 pods; WARM_ENI_TARGET=1:
    //   ENIs = min(ceil(56/14) + 1, 4, ceil(58/14)) = min(5, 4, 5) = 4 -> 4 x (1 + 14) = 60 addresses
    // c5.large: 3 x 9 + 2 = 29, full: 27 pods; ENIs = min(3 + 1, 3, 4) = 3 -> 3 x 10 = 30 addresses
    assert_eq!(g.members()[0].addresses_per_node(), 60);
    assert_eq!(g.members()[1].addresses_per_node(), 30);
    // 6 x 60 = 360 > 6 x 30 = 180: m5.xlarge is the worst
    assert_eq!(g.worst().instance().name, "m5.xlarge");
    assert_eq!(g.best().instance().name, "c5.large");
    assert_eq!((g.max_pods(), g.pods_per_node()), (58, 56));

    let r = check(&p);
    assert!(r.fits());
    let n = &r.node_groups[0];
    assert_eq!(
        (n.worst.as_str(), n.best.as_str()),
        ("m5.xlarge", "c5.large")
    );
    assert!(n.pods_full);
    assert_eq!(n.addresses_per_node, 60);
    let addrs: Vec<(u64, u64)> = n
        .members
        .iter()
        .map(|m| (m.addresses_per_node, m.addresses))
        .collect();
    assert_eq!(addrs, vec![(60, 360), (30, 180)]);
    // 6 nodes over 3 subnets: 2 each, x 60 = 120 of 256 - 5 = 251: headroom 131
    for s in &r.subnets {
        assert_eq!((s.used, s.headroom), (120, 131), "{}", s.name);
    }
}

#[test]
fn max_vcpus_bounds_each_member_by_its_own_vcpus() {
    let p = plan(&format!(
        "{SUBNETS}node_groups:
  - {{ name: pool, instance_types: [m6i.xlarge, c6i.2xlarge], subnets: [a, b], max_vcpus: 64, pods_per_node: 10 }}
"
    ))
    .unwrap();
    let g = &p.node_groups()[0];
    // floor(64 / 4) = 16 and floor(64 / 8) = 8 nodes
    let nodes: Vec<u32> = g.members().iter().map(|m| m.nodes()).collect();
    assert_eq!(nodes, vec![16, 8]);
    // both: 10 pods, ENIs = min(ceil(10/14) + 1, 4, ceil(58/14)) = 2 -> 2 x 15 = 30 addresses; 16 x 30 > 8 x 30
    assert_eq!(g.worst().instance().name, "m6i.xlarge");
    assert_eq!(g.best().instance().name, "c6i.2xlarge");
    let r = check(&p);
    // 16 nodes over 2 subnets: 8 each x 30 = 240 of 251
    assert_eq!((r.subnets[0].used, r.subnets[0].headroom), (240, 11));
    assert_eq!(r.subnets[2].used, 0);
    assert!(r.fits());
}

#[test]
fn karpenter_max_pods_with_prefix_delegation_is_flagged_with_the_real_number() {
    let p = plan(&format!(
        "cni: {{ mode: prefix }}{SUBNETS}node_groups:
  - {{ name: kp, instance_types: [m5.large], subnets: [a], max_vcpus: 8, pods_per_node: max, max_pods: karpenter }}
"
    ))
    .unwrap();
    let g = &p.node_groups()[0];
    // Karpenter: 3 x (10 - 1) + 2 = 29 (not prefix-aware); full: 27 pods; 4 nodes (8 / 2 vCPUs)
    assert_eq!((g.max_pods(), g.pods_per_node(), g.nodes()), (29, 27, 4));
    // prefixes = min(ceil(27/16) + 1, 27, ceil(29/16)) = min(3, 27, 2) = 2 -> 1 ENI: 1 + 2 x 16 = 33
    assert_eq!(g.worst().addresses_per_node(), 33);
    let r = check(&p);
    assert_eq!(r.node_groups[0].max_pods_source, "karpenter");
    let (f, v) = finding(&r, "karpenter-max-pods-not-prefix-aware");
    // EKS with prefix delegation: min(3 x 9 x 16 + 2, 110) = 110
    assert_eq!(
        (&v["max_pods"], &v["pod_addresses"], &v["prefix_max_pods"]),
        (&29.into(), &27.into(), &110.into())
    );
    assert_eq!(f.subject, "node group 'kp'");
    // 4 nodes x 33 = 132 of 251
    assert_eq!(r.subnets[0].used, 132);

    // with kubelet.maxPods set there is no trap
    let fixed = plan(&format!(
        "cni: {{ mode: prefix }}{SUBNETS}node_groups:
  - {{ name: kp, instance_types: [m5.large], subnets: [a], max_vcpus: 8, pods_per_node: max, max_pods: 110 }}
"
    ))
    .unwrap();
    assert!(
        !check(&fixed)
            .findings
            .iter()
            .any(|f| f.kind_name() == "karpenter-max-pods-not-prefix-aware")
    );
}

#[test]
fn pods_per_core_caps_max_pods() {
    let p = plan(&format!(
        "{SUBNETS}node_groups:
  - {{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: max, pods_per_core: 5 }}
"
    ))
    .unwrap();
    // min(29, 5 x 2 vCPUs) = 10 max pods, 8 pods
    assert_eq!(
        (
            p.node_groups()[0].max_pods(),
            p.node_groups()[0].pods_per_node()
        ),
        (10, 8)
    );
}

#[test]
fn another_member_without_addresses_fails_the_plan() {
    // 20 pods per node: m5.xlarge holds them (4 x 14 slots), t3.small (3 ENIs x 3 slots, max pods 11) cannot
    let p = plan(&format!(
        "{SUBNETS}node_groups:
  - {{ name: g, instance_types: [m5.xlarge, t3.small], subnets: [a], nodes: 2, pods_per_node: 20 }}
"
    ))
    .unwrap();
    let r = check(&p);
    assert!(!r.fits());
    let f = r.verdict.first_failure.unwrap();
    assert_eq!(f.kind_name(), "pods-without-address");
    assert_eq!(f.subject, "node group 'g' (t3.small)");
}

#[test]
fn mixed_fleet_rules_are_one_line_each() {
    let bad = |group: &str| plan(&format!("{SUBNETS}node_groups:\n  - {group}\n")).unwrap_err();
    assert_eq!(
        bad(
            "{ name: g, instance_type: m5.large, instance_types: [c5.large], subnets: [a], nodes: 1, pods: 1 }"
        ),
        "plan.yaml: node_groups[0]: give exactly one of 'instance_type' and 'instance_types' (a mixed fleet), not both"
    );
    assert_eq!(
        bad(
            "{ name: g, instance_types: [m5.large], subnets: [a], nodes: 2, max_vcpus: 8, pods: 1 }"
        ),
        "plan.yaml: node_groups[0]: give exactly one of 'nodes' and 'max_vcpus' (the bound on the group's vCPUs), \
         not both"
    );
    assert_eq!(
        bad("{ name: g, instance_types: [m5.large, m5.large], subnets: [a], nodes: 2, pods: 1 }"),
        "plan.yaml: node_groups[0].instance_types[1]: instance type 'm5.large' is listed twice (also \
         node_groups[0].instance_types[0]): list it once"
    );
    assert_eq!(
        bad(
            "{ name: g, instance_types: [m5.xlarge, c6i.2xlarge], subnets: [a], max_vcpus: 3, pods: 1 }"
        ),
        "plan.yaml: node_groups[0].max_vcpus: 3 vCPUs hold no node of any of its types (the smallest, 'm5.xlarge', \
         has 4): raise max_vcpus or add a smaller type"
    );
    assert_eq!(
        bad("{ name: g, instance_types: [m5.largee], subnets: [a], nodes: 1, pods: 1 }"),
        "plan.yaml: node_groups[0].instance_types[0]: unknown instance type 'm5.largee' (did you mean 'm5.large'?)"
    );
    assert_eq!(
        bad("{ name: g, subnets: [a], nodes: 1, pods: 1 }"),
        "plan.yaml: node_groups[0]: missing instance type: give 'instance_type', or 'instance_types' for a mixed \
         fleet"
    );
    assert_eq!(
        bad("{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: lots }"),
        "plan.yaml: node_groups[0].pods_per_node: expected a whole number of pods or 'max' (every node full), \
         found 'lots'"
    );
}

#[test]
fn the_new_fields_round_trip_through_the_writer() {
    let spec = PlanSpec {
        subnets: vec![SubnetSpec {
            name: "a".into(),
            az: "us-east-1a".into(),
            cidr: "10.0.0.0/24".parse().unwrap(),
            ipv6_cidr: None,
            role: None,
            reservations: vec![],
            other_consumers: vec![],
            tags: Default::default(),
        }],
        node_groups: vec![NodeGroupSpec {
            name: "pool".into(),
            instance_types: vec!["m6i.xlarge".into(), "c6i.2xlarge".into()],
            subnets: vec!["a".into()],
            max_vcpus: Some(64),
            pods_per_node_max: true,
            max_pods: Some(MaxPodsSpec::Karpenter),
            pods_per_core: Some(10),
            ..NodeGroupSpec::default()
        }],
        ..PlanSpec::default()
    };
    let text = spec.to_yaml();
    assert!(text.contains("pods_per_node: max"), "{text}");
    assert!(text.contains("max_pods: karpenter"), "{text}");
    assert!(
        !text.contains("nodes:") && !text.contains("instance_type:"),
        "{text}"
    );
    assert_eq!(PlanSpec::from_yaml_str(&text, "plan.yaml").unwrap(), spec);
    assert!(Plan::from_spec(spec, "plan.yaml", &Catalog::embedded()).is_ok());
}
