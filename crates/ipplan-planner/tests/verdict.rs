//! The verdict and its reasons (issue 9, item 8), each from a scenario whose outcome is derived by hand here.
//!
//! Upstream behaviour the derivations rest on:
//! - ipamd's pool (aws/amazon-vpc-cni-k8s v1.23.1, `pkg/ipamd/ipamd.go` `isDatastorePoolTooLow` /
//!   `increaseDatastorePool`): with `WARM_ENI_TARGET=1` and no IP targets a node keeps one whole ENI's worth of
//!   secondary IPs free, so it holds `ceil(pods / S) + 1` ENIs of `S` secondary IPs each (at most its ENI limit).
//! - m5.xlarge: 4 ENIs x 15 IPv4 addresses (EC2 `describe-instance-types`), so `S = 14` secondary IPs per ENI and
//!   max pods `4 x 14 + 2 = 58` (awslabs/amazon-eks-ami `eni-max-pods.txt`).

use ipplan_core::Catalog;
use ipplan_planner::{Plan, Scenario, Simulation, check};

fn plan(yaml: &str) -> Plan {
    Plan::from_yaml_str(yaml, "verdict.yaml", &Catalog::embedded())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// 200 pods on 7 m5.xlarge over two /24s.
fn seven_nodes(surge: u32) -> Plan {
    plan(&format!(
        "subnets:
  - {{ name: a, az: z1, cidr: 10.0.0.0/24 }}
  - {{ name: b, az: z2, cidr: 10.0.1.0/24 }}
node_groups:
  - {{ name: g, instance_type: m5.xlarge, subnets: [a, b], nodes: 7, surge: {surge}, pods: 200 }}
"
    ))
}

// A node with 29 pods: ceil(29/14) + 1 = 4 ENIs (its limit), 56 secondary IPs: 4 ENI primaries (the node's own
// address among them) + 56 = 60 addresses. With 28 pods: ceil(28/14) + 1 = 3 ENIs, 42 secondary IPs: 45.
const FULL: u64 = 60;
const LIGHT: u64 = 45;

#[test]
fn the_simulation_and_check_place_exactly_the_plans_pods() {
    let p = seven_nodes(0);
    let g = &p.node_groups()[0];
    // 200 = 7 x 28 + 4: 4 nodes of 29 pods and 3 of 28 (4 x 29 + 3 x 28 = 116 + 84 = 200), not 7 x 29 = 203
    assert_eq!(
        (g.pods_per_node(), g.full_nodes(), g.peak_pods()),
        (29, 4, 200)
    );

    let mut sim = Simulation::new(&p, &Scenario::peak(&p));
    sim.run();
    let nodes = sim.node_states();
    // nodes launch round the subnets (the one with fewest of the group's nodes, the first on a tie): a, b, a, b,
    // a, b, a; the first 4 in launch order take the odd pods
    let subnets: Vec<usize> = nodes.iter().map(|n| n.subnet).collect();
    assert_eq!(subnets, [0, 1, 0, 1, 0, 1, 0]);
    let pods: Vec<u32> = nodes.iter().map(|n| n.pods_running).collect();
    assert_eq!(pods, [29, 29, 29, 29, 28, 28, 28]);
    let enis: Vec<u32> = nodes.iter().map(|n| n.enis).collect();
    assert_eq!(enis, [4, 4, 4, 4, 3, 3, 3]);
    let r = sim.report();
    assert!(r.steady);
    assert_eq!(r.node_groups[0].final_pods_running, 200);
    // a: nodes 0, 2 (29 pods) and 4, 6 (28): 2 x 60 + 2 x 45 = 210; b: nodes 1, 3 (29) and 5 (28): 2 x 60 + 45 = 165
    assert_eq!(
        (r.subnets[0].used, r.subnets[1].used),
        (2 * FULL + 2 * LIGHT, 2 * FULL + LIGHT)
    );

    // check: each subnet gets ceil(7/2) = 4 nodes, ceil(4/2) = 2 of them with 29 pods: 2 x 60 + 2 x 45 = 210, the
    // simulation's fuller subnet exactly (the old count, 4 x 60 = 240, assumed 29 pods on every node)
    let c = check(&p);
    for s in &c.subnets {
        assert_eq!(s.used, 2 * FULL + 2 * LIGHT, "{}", s.name);
        // pods 2 x 29 + 2 x 28 = 114; warm: 2 x (56 - 29) + 2 x (42 - 28) = 54 + 28 = 82; ENI primaries 2 x 3 + 2 x 2
        let b = &s.breakdown;
        assert_eq!(
            (b.pods, b.warm_pool, b.eni_primaries, b.node_primaries),
            (114, 82, 10, 4)
        );
    }
    assert_eq!(c.node_groups[0].pods_per_node, 29);
}

#[test]
fn surge_nodes_carry_the_pods_of_the_nodes_they_replace() {
    let p = seven_nodes(1);
    let g = &p.node_groups()[0];
    // the surge node replaces node 0 and carries its 29: 8 nodes, 5 of 29 and 3 of 28 = 145 + 84 = 229
    assert_eq!((g.peak_nodes(), g.full_nodes(), g.peak_pods()), (8, 5, 229));
    let mut sim = Simulation::new(&p, &Scenario::peak(&p));
    sim.run();
    let pods: Vec<u32> = sim.node_states().iter().map(|n| n.pods_running).collect();
    // 229 = 8 x 28 + 5: the first 5 in launch order take 29
    assert_eq!(pods, [29, 29, 29, 29, 29, 28, 28, 28]);
    let r = sim.report();
    // a: nodes 0, 2, 4 (29) and 6 (28) = 3 x 60 + 45 = 225; b: 1, 3 (29) and 5, 7 (28) = 2 x 60 + 2 x 45 = 210
    assert_eq!(
        (r.subnets[0].used, r.subnets[1].used),
        (3 * FULL + LIGHT, 2 * FULL + 2 * LIGHT)
    );
    // check: ceil(8/2) = 4 nodes per subnet, ceil(5/2) = 3 of them full: 3 x 60 + 45 = 225 in each
    for s in &check(&p).subnets {
        assert_eq!(s.used, 3 * FULL + LIGHT, "{}", s.name);
    }
}
