//! Node lifecycle and what it costs: a rolling update's drained node keeps its pool until the instance
//! terminates, and the simulation's memory follows the nodes alive, not the nodes ever launched.

mod common;

use common::{held, per_node, plan};
use ipplan_planner::sim::TERMINATE_AFTER_DRAIN_SECONDS;
use ipplan_planner::{Plan, Simulation, simulate};

/// `nodes` m5.large nodes with 5 pods each in one /24 (the group's spec ending in `extra`), updated at 10 min
/// with `surge: 1` and a drain a minute, simulated for 20 min.
fn nodes_updated(nodes: u32, extra: &str) -> Plan {
    let pods = 5 * nodes;
    plan(&format!(
        "subnets: [{{ name: a, az: z, cidr: 10.0.0.0/24 }}]
node_groups: [{{ name: g, instance_type: m5.large, subnets: [a], nodes: {nodes}, pods_per_node: 5{extra} }}]
simulate:
  duration: 20m
  events:
    - {{ at: 0s, scale: {{ node_group: g, nodes: {nodes} }} }}
    - {{ at: 0s, deploy: {{ node_group: g, pods: {pods} }} }}
    - {{ at: 10m, rolling_update: {{ node_group: g, surge: 1, drain_seconds: 60 }} }}
"
    ))
}

/// A rolling update of 2 m5.large nodes with 5 pods each (WARM_ENI_TARGET=1, S = 9 secondary IPs per ENI,
/// 3 ENIs), `surge: 1`, `drain_seconds: 60`, in one /24.
///
/// How the update runs (AWS EKS user guide, "Understand each phase of node updates": the scale-up phase
/// launches the surge node and waits until it is ready; the upgrade phase drains a node's pods, cordons it,
/// waits 60 s and asks the Auto Scaling group to terminate it; the group, still at its raised desired size,
/// launches a replacement). The drained instance keeps its ENIs and their addresses until it terminates:
/// ipamd frees ENIs only in its own pool shrink, and the ENIs it creates are attached with
/// `DeleteOnTermination` set (aws/amazon-vpc-cni-k8s `pkg/awsutils/awsutils.go`, `AllocENI`:
/// `ModifyNetworkInterfaceAttribute` after `attachENI`), so EC2 deletes them with the instance.
///
/// Each node's pool, from ipamd's pool check (aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`,
/// `isDatastorePoolTooLow` / `increaseDatastorePool`; docs/eni-and-ip-target.md): a new node tops up its
/// primary ENI with S = 9 secondary IPs (10 addresses with the node's own); with p pods it is too low while
/// 9 * ENIs - p < 9 (WARM_ENI_TARGET=1 keeps a whole ENI of free IPs), and each new ENI is 1 primary + 9.
/// - 0-10 min: old nodes X, Y with 5 pods each: 2 ENIs, 20 addresses each -> 40.
/// - 10:00: surge node A launches, 0 pods: 10 addresses -> 50. Ready at 11:00.
/// - 11:00: X is drained: its 5 pods go to the least loaded ready node, A (0 pods, Y has 5); A at 5 pods is
///   too low (9 - 5 < 9) and creates its second ENI: 20. X still holds its 20: 20 (X) + 20 (Y) + 20 (A) = 60.
///   (Terminated at its drain, as before, X would give its 20 back here and its replacement launch at once:
///   Y 20 + A 20 + the replacement's 10 = 50.)
/// - 12:00: X terminates (-20) and its replacement B launches (10 addresses); Y is drained, its 5 pods go to A
///   (B is not ready before 13:00): A has 10 pods, 18 - 10 < 9, a third ENI: 30. 20 (Y) + 30 (A) + 10 (B) = 60.
/// - 13:00: Y terminates: A 30 + B 10 = 40 to the end (A: 27 - 10 = 17 free IPs, below the 18 that would let
///   ipamd free an ENI under WARM_ENI_TARGET=1).
///
/// The peak is 60, held at 11:00 and 12:00; never more than 3 instances (2 nodes + 1 surge).
#[test]
fn a_drained_node_keeps_its_pool_until_it_terminates() {
    let p = nodes_updated(2, "");
    assert_eq!(TERMINATE_AFTER_DRAIN_SECONDS, 60);
    let mut sim = Simulation::new(&p, &p.scenario());
    let used = |sim: &Simulation| held(sim, 0);
    // ipamd's loop before the update: (ENIs, pod addresses, pods) per node
    sim.run_until(9 * 60);
    let pools = |sim: &Simulation| per_node(sim, |n| (n.enis, n.pod_addresses, n.pods_running));
    assert_eq!(pools(&sim), [(2, 18, 5), (2, 18, 5)]);
    assert_eq!(used(&sim), 40);
    // 10:30: the surge node A beside them
    sim.run_until(10 * 60 + 30);
    assert_eq!(pools(&sim), [(2, 18, 5), (2, 18, 5), (1, 9, 0)]);
    assert_eq!(used(&sim), 50);
    // 11:30: X drained (no pods, its pool whole), A took its 5 pods and a second ENI
    sim.run_until(11 * 60 + 30);
    assert_eq!(pools(&sim), [(2, 18, 0), (2, 18, 5), (2, 18, 5)]);
    assert_eq!(used(&sim), 60);
    // 12:30: X gone, Y drained, A with 10 pods on 3 ENIs, B new
    sim.run_until(12 * 60 + 30);
    assert_eq!(pools(&sim), [(2, 18, 0), (3, 27, 10), (1, 9, 0)]);
    assert_eq!(used(&sim), 60);
    sim.run_until(13 * 60 + 30);
    assert_eq!(pools(&sim), [(3, 27, 10), (1, 9, 0)]);
    assert_eq!(used(&sim), 40);
    sim.run();
    let r = sim.report();
    assert_eq!(r.subnets[0].used, 60, "the peak");
    assert_eq!(r.node_groups[0].peak_nodes, 3);
    assert_eq!(r.node_groups[0].final_nodes, 2);
    assert_eq!(r.pods.unschedulable_at_end + r.pods.still_waiting, 0);
    assert!(r.fits());
    // the timeline's node count has the drained instance until it terminates: 3 at 11:00 and 12:00
    let at = |t: u32| r.timeline.rows.iter().find(|row| row.t == t).unwrap();
    assert_eq!(
        (at(11 * 60).nodes, at(12 * 60).nodes, at(13 * 60).nodes),
        (3, 3, 2)
    );
    assert_eq!(at(11 * 60).subnets[0].used_addresses, 60);
    assert_eq!(at(13 * 60).subnets[0].used_addresses, 40);
}

/// The old nodes of a managed node group update take no new pods: 3 m5.large nodes with 5 pods each
/// (WARM_ENI_TARGET=1, S = 9, 3 ENIs), `surge: 1`, `drain_seconds: 60`, in one /24.
///
/// Once the surge node is ready, EKS marks every old node unschedulable (AWS EKS user guide, "Understand each
/// phase of node updates", scale-up phase, step 3), so the pods each drain evicts go to new nodes only, and
/// an old node keeps its own pods until its turn. The scheduler (burst) takes the least loaded schedulable
/// node, ties to the oldest. The pool per node as in the test above: with p pods, ENIs are added while
/// 9 * ENIs - p < 9, 10 addresses an ENI (0 pods: 1 ENI; 5 to 9 pods: 2; 10 or more: 3, the most).
/// - 0-10 min: X, Y, Z with 5 pods each: 2 ENIs, 20 addresses each -> 60.
/// - 10:00: the surge node A launches (10 addresses); ready at 11:00.
/// - 11:00: X, Y, Z marked unschedulable; X drained: its 5 pods to A (the only schedulable node): A 5 pods,
///   2 ENIs.
/// - 12:00: X terminates, B launches (ready 13:00); Y drained: its 5 pods to A (Z is unschedulable, B not
///   ready): A 10 pods, 3 ENIs, 30 addresses.
/// - 13:00: Y terminates, C launches (ready 14:00); Z drained: its 5 pods to B, ready now and empty: B 5 pods,
///   2 ENIs.
/// - 14:00: Z terminates. A 10 pods (30 addresses), B 5 (20), C 0 (10): 60 to the end.
///
/// Without the mark, Y's 5 pods would be shared by A (5) and Z (5) by turns, Z first as the older: Z 8, A 7;
/// then Z's 8 would go to B until it ties A at 7, and the last to A (the older): A 8, B 7, C 0, each at most
/// 2 ENIs: 20 + 20 + 10 = 50, with 3 of Y's pods moved twice.
#[test]
fn old_nodes_take_no_pods_during_a_managed_update() {
    let p = nodes_updated(3, "");
    let mut sim = Simulation::new(&p, &p.scenario());
    // (ENIs, pods) per live node, launch order
    let pools = |sim: &Simulation| per_node(sim, |n| (n.enis, n.pods_running));
    sim.run_until(9 * 60);
    assert_eq!(pools(&sim), [(2, 5), (2, 5), (2, 5)]);
    // 12:30: X gone; Y drained (its pool kept), Z still with its own 5, A with X's and Y's, B launching
    sim.run_until(12 * 60 + 30);
    assert_eq!(pools(&sim), [(2, 0), (2, 5), (3, 10), (1, 0)]);
    sim.run();
    assert_eq!(pools(&sim), [(3, 10), (2, 5), (1, 0)]);
    let r = sim.report();
    assert_eq!(r.node_groups[0].final_pods_running, 15);
    assert_eq!(r.node_groups[0].max_enis_per_node, 3);
    assert_eq!(
        r.timeline.rows.last().unwrap().subnets[0].used_addresses,
        30 + 20 + 10
    );
}

/// The same update of a `launch: karpenter` group: Karpenter taints a node only when it disrupts it (here, its
/// drain), so the undrained old nodes still take pods, as worked out above without the mark: at 12:30 Z has 8
/// and A 7 (Y's 5 pods by turns from the tie at 5, Z first as the older), and Z's 8 end on B (7) and A (8).
#[test]
fn a_karpenter_group_is_not_marked_as_a_whole() {
    let p = nodes_updated(3, ", launch: karpenter");
    let mut sim = Simulation::new(&p, &p.scenario());
    let pods = |sim: &Simulation| per_node(sim, |n| n.pods_running);
    sim.run_until(12 * 60 + 30);
    assert_eq!(pods(&sim), [0, 8, 7, 0]);
    sim.run();
    assert_eq!(pods(&sim), [8, 7, 0]);
}

/// A terminated node's memory is reused: a rolling update of 10 nodes (surge 1, a drain a minute, each drained
/// node terminated 60 s later) launches 20 but never has more than 11 alive (the surge node with the 10, the
/// drained one among them), so 11 node slots; scaling to 0 (its pods deleted first) and back to 4 reuses them.
#[test]
fn terminated_nodes_are_freed() {
    let p = plan(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/22 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 10, pods_per_node: 5 }]
simulate:
  duration: 60m
  events:
    - { at: 0s, scale: { node_group: g, nodes: 10 } }
    - { at: 0s, deploy: { node_group: g, pods: 50 } }
    - { at: 5m, rolling_update: { node_group: g, surge: 1, drain_seconds: 60 } }
    - { at: 39m, deploy: { node_group: g, pods: 0 } }
    - { at: 40m, scale: { node_group: g, nodes: 0 } }
    - { at: 45m, scale: { node_group: g, nodes: 4 } }
",
    );
    let mut sim = Simulation::new(&p, &p.scenario());
    sim.run_until(39 * 60);
    assert_eq!(sim.node_states().len(), 10);
    assert_eq!(sim.node_slots(), 11);
    sim.run_until(41 * 60);
    assert!(sim.node_states().is_empty());
    sim.run();
    assert_eq!(sim.node_states().len(), 4);
    assert_eq!(sim.node_slots(), 11);
    let r = sim.report();
    assert_eq!(r.node_groups[0].peak_nodes, 11);
    // every address back with the nodes that went: 4 nodes without pods, each its warm pool (primary ENI
    // topped up with S = 9: 10 addresses), remain
    assert_eq!(
        r.timeline.rows.last().unwrap().subnets[0].used_addresses,
        40
    );
    assert_eq!(simulate(&p, &p.scenario()), r);
}
