//! The ipamd, kubelet and VPC resource controller timings the simulation follows, each from a small scenario
//! whose outcome is worked out by hand from the upstream code named in the comments (docs/model.md, "Beyond the
//! steady state" and "Which address a pod gets"): branch ENIs outlive their pod by the controller's cooldown,
//! the shrink step gives back cooling addresses, the pool check ignores waiting pods, and a pod without an
//! address waits for the kubelet's next sandbox retry.

use ipplan_core::Catalog;
use ipplan_planner::{Plan, Simulation};

fn plan(yaml: &str) -> Plan {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).unwrap_or_else(|e| panic!("{e}"))
}

/// Singles held in subnet 0 once every tick before `t` ran.
fn singles_at(sim: &mut Simulation, t: u32) -> u64 {
    sim.run_until(t);
    sim.allocator(0).unwrap().singles_held()
}

/// Branch ENIs are deleted 60 to 90 s after their pod, not at once.
///
/// aws/amazon-vpc-resource-controller-k8s: a deleted pod's branch ENI is stamped and queued
/// (`pkg/provider/branch/trunk/trunk.go` `PushBranchENIsToCoolDownQueue`); the node's delete-queue job runs every
/// 30 s (`pkg/provider/branch/provider.go` `ProcessDeleteQueue`, `deleteQueueRequeueRequest`) and deletes the ENIs
/// whose stamp plus the cooldown lies strictly in the past (`DeleteCooledDownENIs`: `time.Now().After(stamp +
/// period)`), with the period 60 s by default (`pkg/provider/branch/cooldown/cooldown.go`
/// `DefaultCoolDownPeriod`). ipplan starts the job when the trunk is attached, at the node's launch (t = 0), so it
/// runs at 0, 30, 60, ... s.
///
/// m5.large, security groups for pods, 3 pods all on branch ENIs (the branch quota is 3). The node holds its
/// primary, the 9 secondary IPs of `WARM_ENI_TARGET=1` with no ordinary pod, the trunk's address and 3 branch
/// addresses: 1 + 9 + 1 + 3 = 14 singles.
/// - at 600 s one branch pod ends: 600 + 60 = 660, the first run after 660 is at 690, so 13 from the tick at 690;
/// - at 630 s the last two end: 630 + 60 = 690, and the run at 690 is not after 690 (strictly): they go at the
///   run at 720, so 11 from the tick at 720.
///
/// Released at once (before this model) the counts would be 13 from 600 and 11 from 630.
#[test]
fn branch_enis_are_deleted_by_the_first_delete_job_after_60_s() {
    let p = plan(
        "cni: { pod_security_groups: true }
subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 3, branch_pods_per_node: 3 }]
simulate:
  duration: 20m
  events:
    - { at: 0s, scale: { node_group: g, nodes: 1 } }
    - { at: 0s, deploy: { node_group: g, pods: 3 } }
    - { at: 10m, deploy: { node_group: g, pods: 2 } }
    - { at: 630s, deploy: { node_group: g, pods: 0 } }
",
    );
    let mut sim = Simulation::new(&p, &p.scenario());
    sim.run_until(300);
    let n = &sim.node_states()[0];
    assert_eq!(
        (n.trunk, n.branch_pods, n.pods_running, n.slots),
        (true, 3, 0, 9)
    );
    assert_eq!(singles_at(&mut sim, 600), 14);
    // the pod ended at 600 s: its address is held through the tick at 685
    assert_eq!(singles_at(&mut sim, 601), 14);
    assert_eq!(singles_at(&mut sim, 690), 14);
    assert_eq!(singles_at(&mut sim, 691), 13);
    // the two that ended at 630 s: not at 690 (690 is not after 630 + 60), at 720
    assert_eq!(sim.node_states()[0].branch_pods, 0);
    assert_eq!(singles_at(&mut sim, 720), 13);
    assert_eq!(singles_at(&mut sim, 721), 11);
    assert_eq!(singles_at(&mut sim, 1200), 11);
}
