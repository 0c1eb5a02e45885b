//! The VPC CNI's control loop over time: a seeded, deterministic simulation of every node's ipamd against
//! /28-aware subnet allocators.
//!
//! # What is modelled
//!
//! Per node, every `tick` (default 5 s, ipamd's pool check), as aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`
//! (v1.23.1 `b52188387f2e`) does it (docs/model.md, "The ipamd control loop"):
//! - the warm targets (`WARM_ENI_TARGET`, `WARM_IP_TARGET`/`MINIMUM_IP_TARGET`, `WARM_PREFIX_TARGET`) decide
//!   whether the pool is too low; growth stops once the pool holds max pods;
//! - growth is one EC2 action per tick: top up the first pod-eligible ENI with room (a failed request is
//!   retried with one slot), else create an ENI in the node subnet (the ENIConfig subnet under custom
//!   networking) with its primary address and `min(needed, S)` slots (all of `S` in `WARM_ENI_TARGET` mode), all
//!   or nothing: in prefix mode it needs a free /28. A new ENI's slots are usable after 10 s of attach;
//! - a failure (`InsufficientCidrBlocks` / `InsufficientFreeAddressesInSubnet`) stops growth for 120 s;
//! - the shrink step runs at most every 30 s: with IP targets it releases unused secondary IPs / prefixes
//!   beyond the targets, in prefix mode free prefixes beyond `WARM_PREFIX_TARGET` (a prefix only with all 16
//!   addresses unused), in plain `WARM_ENI_TARGET` mode never; nothing in cooldown is released;
//! - an ENI is freed (one per tick) when it is not the primary, is at least 60 s old, holds no pod and no
//!   address in cooldown, and the pool stays within its targets without it;
//! - a deleted pod's address stays unusable for 30 s but counts as available;
//! - pods that find no usable address wait (`ContainerCreating`) and take addresses first-come first-served;
//!   which free address a pod gets is random (seeded) or packed ([`PodAddressOrder`]).
//!
//! Around the nodes: node primaries come from the node subnet when the node launches (pods reach it after
//! [`NODE_READY_SECONDS`]); other consumers and the control plane (its doubled upgrade share, as `check`
//! counts it) take their single addresses at 0 s; with security groups for pods the trunk ENI takes one address
//! at launch and each branch pod one more (no warm pool), in the trunk's subnet. Single addresses land where the
//! scenario's [`SinglePlacement`] says; prefixes take the lowest free /28 (prefix reservations first).
//!
//! Not modelled: IPv6 clusters (`cni.ip_family: ipv6`: the engine runs the IPv4 pools, so an IPv6 plan is
//! simulated as if its pods took IPv4 /28 prefixes; `check` answers IPv6 plans and the CLI refuses to simulate
//! them).
//!
//! Also not modelled: subnet discovery (secondary ENIs stay in the node subnet, as [`crate::capacity::node_pool`] counts
//! them), the 60 s IMDS reconcile, EC2 throttling, pods of other groups sharing a node.
//!
//! # Cost
//!
//! A pod replacement is O(1) (per-node free-address list and running-pod list with position indexes, a FIFO
//! of cooldowns, per-slot and per-ENI counters). A node is only visited on a tick when something happened to it
//! or one of its timers (cooldown expiry, ENI attach, back-off, shrink interval, ENI minimum age) is due: each
//! live node's next wake-up sits in a timing wheel of one-second slots (`sim/wakeups.rs`), so a tick costs the
//! nodes it visits plus a few bitset words per slot it passes, not a scan of every node ever launched; the
//! stretches between wake-ups, events and samples are skipped. Nodes are visited in launch order (the seeded
//! draws depend on it), and each visit first touches the data of the node a few visits ahead, so that the cache
//! misses of successive visits overlap.
//!
//! The parts: `engine.rs` (the run: groups, events, the scheduler, the tick loop), `node.rs` (one node's
//! ipamd), `wakeups.rs` (which nodes are due when), `stats.rs` (what the run counts), `summary.rs` (the report
//! types).
//!
//! # Use
//!
//! ```
//! use ipplan_core::Catalog;
//! use ipplan_planner::{Plan, Scenario, simulate};
//! let yaml = "
//! cni: { mode: prefix }
//! subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
//! node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 20 }]
//! ";
//! let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
//! let report = simulate(&plan, &plan.scenario());
//! assert!(report.fits());
//! // each node: ceil(20 / 16) + WARM_PREFIX_TARGET 1 = 3 prefixes (docs/model.md, "The closed form"), 2 nodes
//! assert_eq!(report.subnets[0].peak_prefixes_held, 6);
//! # Ok::<(), ipplan_planner::PlanError>(())
//! ```

mod ecs;
mod engine;
mod fifo;
mod node;
mod pending;
mod stats;
mod store;
mod summary;
mod timeline;
mod waiting;
mod wakeups;

pub use crate::plan::{
    Arrival, DEFAULT_SAMPLE_SECONDS, DEFAULT_TICK_SECONDS, DEFAULT_WAIT_THRESHOLD_SECONDS, Event,
    EventKind, MAX_DURATION_SECONDS, MAX_UNTIL_STEADY_SECONDS, PodAddressOrder, Scenario,
    SinglePlacement, parse_seconds,
};
pub use engine::{
    LAUNCH_RETRY_SECONDS, NODE_READY_SECONDS, NodeState, STEADY_SECONDS, Simulation,
    TERMINATE_AFTER_DRAIN_SECONDS,
};
pub use node::{
    DECREASE_INTERVAL_SECONDS, ENI_ATTACH_SECONDS, INSUFFICIENT_CIDR_BACKOFF_SECONDS,
    IP_COOLDOWN_SECONDS, MIN_ENI_LIFETIME_SECONDS,
};
pub use summary::{
    FailureCounts, FailureEvent, FailureKind, FailureMark, MAX_FAILURE_MARKS, PodWaits,
    SIM_SCHEMA_VERSION, SIMULATED_BASIS, SimGroupReport, SimReport, SimSubnetReport, Timeline,
    TimelineRow, TimelineSubnet, TrialOutcome, TrialsReport,
};
pub use timeline::{TimelineFormat, TimelineWriter};

use crate::plan::Plan;

/// Run `scenario` on `plan` to the end and report.
///
/// # Examples
/// ```
/// use ipplan_core::Catalog;
/// use ipplan_planner::{Plan, Scenario, simulate};
/// // t3.small (3 ENIs x 4 IPv4, S = 3), WARM_ENI_TARGET=1, 5 pods -> 3 ENIs, 9 secondary IPs
/// // (aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md): 3 primaries + 9 = 12 addresses
/// let yaml = "
/// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
/// node_groups: [{ name: g, instance_type: t3.small, subnets: [a], nodes: 1, pods_per_node: 5 }]
/// ";
/// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
/// let r = simulate(&plan, &Scenario::peak(&plan));
/// assert_eq!(r.subnets[0].used, 12);
/// assert_eq!(r.node_groups[0].max_enis_per_node, 3);
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
#[must_use]
pub fn simulate(plan: &Plan, scenario: &Scenario) -> SimReport {
    let mut sim = Simulation::new(plan, scenario);
    sim.run();
    sim.into_report()
}

/// Run `scenario` with `trials` seeds (`scenario.seed`, `+1`, ...), each once, on up to `threads` threads (each
/// takes a contiguous run of seeds; results are combined in seed order, so the report does not depend on
/// `threads`).
///
/// # Examples
/// ```
/// use ipplan_core::Catalog;
/// use ipplan_planner::{Plan, Scenario, simulate_trials};
/// let yaml = "
/// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
/// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 10 }]
/// ";
/// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
/// let r = simulate_trials(&plan, &Scenario::peak(&plan), 4, 2);
/// assert_eq!(r.runs.iter().map(|o| o.seed).collect::<Vec<_>>(), [1, 2, 3, 4]);
/// assert_eq!(r.probability_wait, 0.0); // 2 x 30 addresses in a /24: nothing waits
/// assert_eq!(r, simulate_trials(&plan, &Scenario::peak(&plan), 4, 1));
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
#[must_use]
pub fn simulate_trials(
    plan: &Plan,
    scenario: &Scenario,
    trials: u32,
    threads: usize,
) -> TrialsReport {
    let seeds: Vec<u64> = (0..u64::from(trials))
        .map(|i| scenario.seed.wrapping_add(i))
        .collect();
    let threads = threads.clamp(1, seeds.len().max(1));
    let chunk = seeds.len().div_ceil(threads).max(1);
    let run = |seed: u64| -> TrialOutcome {
        let mut s = scenario.clone();
        s.seed = seed;
        let r = simulate(plan, &s);
        TrialOutcome {
            seed,
            fits: r.fits(),
            pods_waited_beyond_threshold: r.pods.waited_beyond_threshold,
            max_wait_seconds: r.pods.max_wait_seconds,
            pods_pending_beyond_threshold: r.pods.pending_beyond_threshold,
            failed_allocations: r.subnets.iter().map(|s| s.failed_allocations.total()).sum(),
        }
    };
    let parts: Vec<Vec<TrialOutcome>> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|&s| run(s)).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut runs = Vec::with_capacity(seeds.len());
    for p in parts {
        runs.extend(p);
    }
    TrialsReport::from_runs(scenario.seed, runs)
}
