//! The ipamd, kubelet and VPC resource controller timings the simulation follows, each from a small scenario
//! whose outcome is worked out by hand from the upstream code named in the comments (docs/model.md, "Beyond the
//! steady state" and "Which address a pod gets"): branch ENIs outlive their pod by the controller's cooldown,
//! the shrink step gives back cooling addresses, the pool check ignores waiting pods, and a pod without an
//! address waits for the kubelet's next sandbox retry.

mod common;

use common::{plan, pool_at};
use ipplan_planner::{Plan, Simulation};

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

/// m5.large (9 secondary IPs per ENI), `WARM_IP_TARGET=2`: 3 pods, then at 600 s all 3 are replaced at once
/// (deploy 0, then deploy 3 in the same second).
fn replaced_at_600(seed: u64) -> Plan {
    plan(&format!(
        "cni: {{ warm_ip_target: 2 }}
subnets: [{{ name: a, az: z, cidr: 10.0.0.0/24 }}]
node_groups: [{{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 3 }}]
simulate:
  duration: 20m
  seed: {seed}
  events:
    - {{ at: 0s, scale: {{ node_group: g, nodes: 1 }} }}
    - {{ at: 0s, deploy: {{ node_group: g, pods: 3 }} }}
    - {{ at: 10m, deploy: {{ node_group: g, pods: 0 }} }}
    - {{ at: 10m, deploy: {{ node_group: g, pods: 3 }} }}
"
    ))
}

/// The shrink step gives back cooling addresses, and the pool check neither sees the waiting pod nor treats
/// cooling addresses as missing (aws/amazon-vpc-cni-k8s#2896).
///
/// Before 600 s: `WARM_IP_TARGET=2` grows the pool to assigned + 2 = 5 IPs (`isDatastorePoolTooLow` with
/// `datastoreTargetState`: short = max(2 - available, 0)), and it is never too high (over = 0), so no shrink has
/// run. At 600 s the 3 pods are deleted (their addresses cool until 630 s, datastore `getCooldownPeriod`) and 3
/// new ones come: 2 take the 2 free addresses, the 3rd finds only cooling ones (`getUnusedIP` skips them) and
/// waits. The pool check at 600 s (`pkg/ipamd/ipamd.go`): total 5, assigned 2, available 5 - 2 = 3 (cooling
/// addresses count, `DataStoreStats.AvailableAddresses`); short = max(2 - 3, 0) = 0, not low; over =
/// max(min(3 - 2, 5 - 0), 0) = 1 and no shrink in the last 30 s (`shouldSkipDataStorePoolDecrease`), so
/// `decreaseDatastorePool` -> `tryUnassignCidrsFromAll` frees one CIDR that `FindFreeableCidrs` lists: every
/// unassigned one is cooling, so a cooling one goes (`DelIPv4CidrFromStore` without force refuses only assigned
/// addresses): 4 IPs while a pod waits. Until 630 s: available 4 - 2 = 2, so neither low nor high: 4 IPs.
///
/// Before this rule the cooling addresses were kept (5 IPs at 600 s).
#[test]
fn the_shrink_gives_back_cooling_addresses_while_a_pod_waits() {
    let p = replaced_at_600(1);
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(pool_at(&mut sim, 600), (5, 3, 0));
    assert_eq!(pool_at(&mut sim, 601), (4, 2, 1));
    assert_eq!(pool_at(&mut sim, 630), (4, 2, 1));
    // the pod gets a cooled-down address by 645 s (below), then available = 4 - 3 = 1 < 2: one IP more
    assert_eq!(pool_at(&mut sim, 646), (5, 3, 0));
}

/// A freed address goes to a waiting pod at its next sandbox retry, not the tick it frees.
///
/// The kubelet retries a pod whose sandbox failed after `backOffPeriod` = 10 s (kubernetes/kubernetes
/// `pkg/kubelet/kubelet.go`) jittered by a factor 0.5 (`pkg/kubelet/pod_workers.go` `completeWork`:
/// `wait.Jitter(backoff, workerBackOffPeriodJitterFactor)`, k8s.io/apimachinery `wait.Jitter`: `d +
/// rand.Float64() * 0.5 * d`), so each retry comes 10 to 15 s after the failed try. In the scenario above the 3rd
/// new pod fails at 600 s; the 2 addresses left cool until 630 s, and at exactly 630 s they still do (datastore
/// `inCoolingPeriod`: `time.Since(UnassignedTime) <= ipCooldownPeriod`). Its tries: r1 in [610, 615) and r2 = r1 +
/// [10, 15) in [620, 630) both fail, r3 in [630, 645) succeeds when after 630 s, else (r3 = 630 s exactly) r4 in
/// [640, 645) does. The simulation applies a retry, with the addresses as they were at its instant, at the first
/// 5 s tick at or after it: the pod runs from the tick at 635, 640 or 645 s, a wait of 35, 40 or 45 s, and at
/// the tick of 630 s, when the addresses free, it is still waiting. Each seed gives its own jitters, the same ones
/// every run.
#[test]
fn a_waiting_pod_gets_a_freed_address_at_its_next_sandbox_retry() {
    let mut waits = Vec::new();
    for seed in 1..=30 {
        let p = replaced_at_600(seed);
        let mut sim = Simulation::new(&p, &p.scenario());
        // after the tick at 630 s: the cooldowns are over, 2 addresses free, the pod still in back-off
        assert_eq!(pool_at(&mut sim, 631), (4, 2, 1), "seed {seed}");
        assert_eq!(pool_at(&mut sim, 646), (5, 3, 0), "seed {seed}");
        sim.run();
        let w = sim.report().pods.max_wait_seconds;
        assert!([35, 40, 45].contains(&w), "seed {seed}: waited {w} s");
        let again = ipplan_planner::simulate(&p, &p.scenario());
        assert_eq!(
            again.pods.max_wait_seconds, w,
            "seed {seed}: same seed, same wait"
        );
        waits.push(w);
    }
    // J1 + J2 + J3 is spread over [30, 45): not every seed lands in the same tick
    waits.sort_unstable();
    waits.dedup();
    assert!(waits.len() >= 2, "{waits:?}");
}
