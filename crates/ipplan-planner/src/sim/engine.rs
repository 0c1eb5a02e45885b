//! The simulation: node groups, events, the scheduler's share, and the tick loop that visits the nodes due
//! ([`crate::sim::wakeups`]) and runs their ipamd ([`crate::sim::node`]), counting as it goes
//! ([`crate::sim::stats`]).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::net::Ipv4Addr;

use ipplan_core::AddressMode;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::alloc::{BlockState, Placement, ReservationKind, SubnetAllocator};
use crate::capacity::SubnetBudget;
use crate::plan::{Arrival, Event, EventKind, Scenario, SinglePlacement};
use crate::plan::{CniConfig, Launch, NodeShape, Plan, ReservationType, SubnetId};
use crate::report::{Basis, Failure as Reported, Finding, PendingReason, Verdict};
use crate::sim::ecs::EcsTasks;
use crate::sim::node::{Ec2Error, Failure, Node, NodeSpec, Targets, TickOut, below};
use crate::sim::pending::{HeldUp, PendingClock};
use crate::sim::stats::{PodCounts, SubnetStats};
use crate::sim::store::NodeStore;
use crate::sim::summary::{
    FailureEvent, FailureKind, FailureMarks, PodWaits, SIM_SCHEMA_VERSION, SimGroupReport,
    SimReport, SimSubnetReport, Timeline, TimelineRow, TimelineSubnet, round4, warm_pool_only,
};
use crate::sim::wakeups::{NEVER, NodeSet, Wakeups};

/// Seconds from a node's launch until the scheduler may put pods on it (instance boot, kubelet and aws-node
/// ready). ipamd starts filling the pool at launch.
pub const NODE_READY_SECONDS: u32 = 60;
/// A run without `duration` stops once nothing has changed for this long after the last event (two shrink
/// intervals and the ENI minimum lifetime have passed).
pub const STEADY_SECONDS: u32 = 120;
/// A node launch that failed for want of an address is retried after this long.
pub const LAUNCH_RETRY_SECONDS: u32 = 60;
/// A rolling update's drained node is terminated this long after its drain: EKS managed node groups cordon the
/// node once every pod is evicted, wait 60 s, then ask the Auto Scaling group to terminate it (AWS EKS user
/// guide, "Understand each phase of node updates", upgrade phase). Until then the instance keeps every ENI and
/// address it holds; EC2 deletes them with the instance.
pub const TERMINATE_AFTER_DRAIN_SECONDS: u32 = 60;

/// `tick_nodes` warms the data of the node this many visits ahead of the one it works on.
const WARM_AHEAD: usize = 4;

// A node's tick reports "no wake-up" as `u32::MAX`, the due-queue's `NEVER`.
const _: () = assert!(NEVER == u32::MAX);

/// One node's pool as the simulation holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeState {
    /// Index into [`Plan::node_groups`].
    pub group: usize,
    /// Index into [`Plan::subnets`]: where the node launched.
    pub subnet: usize,
    /// The address mode ipamd runs on it.
    pub mode: AddressMode,
    /// ENIs attached, the primary included, the trunk not.
    pub enis: u32,
    /// Slots (secondary IPs or prefixes) attached and usable.
    pub slots: u32,
    /// Slots per ENI in attach order, primary first.
    pub slots_per_eni: Vec<u32>,
    /// Pod addresses held: `slots`, or `16 * slots` in prefix mode.
    pub pod_addresses: u32,
    /// Ordinary pods with an address.
    pub pods_running: u32,
    /// Ordinary pods waiting for one.
    pub pods_waiting: u32,
    /// Branch-ENI pods with an address.
    pub branch_pods: u32,
    /// Whether a trunk ENI is attached.
    pub trunk: bool,
}

#[derive(Debug, Clone)]
struct Rolling {
    /// The nodes still to replace, ascending ids.
    old: VecDeque<u32>,
    target_new: u32,
    next_drain: u32,
    drain: u32,
    /// Whether the old nodes are marked unschedulable yet (at the first drain: the scale-up phase is over).
    tainted: bool,
}

#[derive(Debug, Clone)]
struct Churn {
    per_minute: f64,
    until: Option<u32>,
    carry: f64,
}

#[derive(Debug, Clone)]
struct Group {
    cni: CniConfig,
    targets: Targets,
    shape: NodeShape,
    /// Alive nodes, launch order (ascending ids: a removal finds its node by binary search and moves the
    /// shorter side, so terminating the oldest or the newest costs O(1)).
    nodes: VecDeque<u32>,
    /// Nodes launched and not yet handed to `ready`, as `(ready_at, id)` in launch (= `ready_at`) order.
    launching: VecDeque<(u32, u32)>,
    /// The scheduler's least-loaded-first queue: `(pods, id)` of every ready node below its pod room (at least
    /// one entry with its pods now), and stale entries (pods since changed, node gone) dropped when met. Kept
    /// across ticks: a tick pops what it places, not a heap of the whole group.
    ready: BinaryHeap<Reverse<(u32, u32)>>,
    /// Alive nodes per entry of the group's subnet list.
    per_subnet: Vec<u32>,
    pending: u64,
    /// How long the pending pods have been held up (every node at max pods, or no address for a node).
    held: PendingClock,
    arrival: Arrival,
    backlog: u32,
    next_retry: u32,
    churn: Vec<Churn>,
    rolling: Option<Rolling>,
    /// Drained nodes waiting for termination, as `(terminate_at, id, target_new)` in drain order: cordoned, no
    /// pods, every ENI and address still held, ipamd not run. At termination the Auto Scaling group launches
    /// the replacement while the group has fewer than `target_new` new nodes.
    draining: VecDeque<(u32, u32, u32)>,
    peak_nodes: u32,
    max_enis: u32,
    max_slots: u32,
}

/// A simulation in progress. Build it with [`Simulation::new`], advance it with [`Simulation::run`] (to the
/// end) or [`Simulation::run_until`] (to look at the subnets part-way, e.g. [`Simulation::block_states`]),
/// read it with [`Simulation::report`].
#[derive(Debug, Clone)]
pub struct Simulation {
    plan: Plan,
    scenario: Scenario,
    allocs: Vec<SubnetAllocator>,
    nodes: NodeStore,
    groups: Vec<Group>,
    rng: ChaCha8Rng,
    t: u32,
    started: bool,
    done: bool,
    steady: bool,
    next_event: usize,
    last_change: u32,
    next_sample: u32,
    stats: Vec<SubnetStats>,
    pods: PodCounts,
    first_failure: Option<Reported>,
    /// Failed allocations that were ipamd's own (growing a node's pool), and the first of them.
    pool_failures: u64,
    first_pool_failure: Option<FailureEvent>,
    /// Per subnet: its failed allocations over time, for the plot.
    failure_marks: Vec<FailureMarks>,
    /// Timeline rows sampled and not yet taken ([`Simulation::take_timeline`]).
    timeline: Vec<TimelineRow>,
    /// When the last row was sampled.
    last_sample: Option<u32>,
    out: TickOut,
    /// Each live node's next wake-up: which nodes are due at which tick.
    wakeups: Wakeups,
    /// The nodes to visit this tick: those with churn drawn (by `churn`) and those due (by `tick_nodes`).
    visit: NodeSet,
    /// `visit` in id order, for the tick's loop (kept for its allocation).
    visit_ids: Vec<u32>,
    /// Pod replacements due on each node this tick.
    churn_count: Vec<u32>,
    /// Replacements a node could not take (no running pod), by group, redone on random nodes.
    churn_left: Vec<u32>,
    /// The ECS services' tasks that `ecs` events play.
    ecs: EcsTasks,
    /// Per subnet that node groups launch in: subnet discovery's candidates for its nodes' new ENIs
    /// ([`Plan::discovery_subnets`]; empty: discovery off, ENIs go to the ENIConfig or node subnet).
    discovery: Vec<Vec<u32>>,
    /// Per subnet: the IPs Karpenter counts as in flight (its launches' predicted pods, until the node is ready).
    inflight: Vec<u64>,
    /// Those launches, in launch order: (ready at, subnet, IPs).
    inflight_until: VecDeque<(u32, u32, u64)>,
}

fn targets(cni: &CniConfig) -> Targets {
    Targets {
        warm_eni: cni.warm_eni_target,
        warm_ip: cni.warm_ip_target.unwrap_or(0),
        min_ip: cni.minimum_ip_target.unwrap_or(0),
        warm_prefix: cni.warm_prefix_target,
        ip_targets: cni.ip_targets(),
    }
}

/// The report's name for a node's failed EC2 call.
const fn failure_kind(e: Ec2Error) -> FailureKind {
    match e {
        Ec2Error::InsufficientCidrBlocks => FailureKind::InsufficientCidrBlocks,
        Ec2Error::InsufficientFreeAddressesInSubnet => {
            FailureKind::InsufficientFreeAddressesInSubnet
        }
    }
}

/// Takes `id` out of `ids` (ascending), moving the shorter side.
fn remove_id(ids: &mut VecDeque<u32>, id: u32) {
    if let Ok(k) = ids.binary_search(&id) {
        ids.remove(k);
    }
}

/// A per-subnet seed for single-address placement, derived from the scenario seed (splitmix64 step).
fn subnet_seed(seed: u64, i: usize) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Simulation {
    /// A simulation of `plan` under `scenario`, at time 0, nothing run yet.
    ///
    /// # Examples
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, Scenario, Simulation};
    /// // 2 x m5.large, 5 pods each, default CNI: each node holds its primary ENI + 1 warm ENI
    /// // (docs/model.md, "The closed form": ceil(5/9) + 1 = 2 ENIs, 18 secondary IPs)
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 5 }]
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let mut sim = Simulation::new(&plan, &Scenario::peak(&plan));
    /// sim.run();
    /// let nodes = sim.node_states();
    /// assert_eq!((nodes[0].enis, nodes[0].slots, nodes[0].pods_running), (2, 18, 5));
    /// let r = sim.report();
    /// assert!(r.fits());
    /// // 2 nodes x (2 ENI primaries + 18 secondary IPs)
    /// assert_eq!(r.subnets[0].used, 40);
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn new(plan: &Plan, scenario: &Scenario) -> Self {
        let mut allocs = Vec::with_capacity(plan.subnets().len());
        for (i, s) in plan.subnets().iter().enumerate() {
            let res: Vec<_> = s
                .reservations()
                .iter()
                .map(|r| {
                    let kind = match r.kind {
                        ReservationType::Prefix => ReservationKind::Prefix,
                        ReservationType::Explicit => ReservationKind::Explicit,
                    };
                    (r.cidr, kind)
                })
                .collect();
            let placement = match scenario.placement {
                SinglePlacement::Lowest => Placement::Lowest,
                SinglePlacement::Random => Placement::Random {
                    seed: subnet_seed(scenario.seed, i),
                },
            };
            // A validated subnet is /16../28 with its reservations inside it, not overlapping: the allocator
            // (/10../28) takes every one.
            let a = SubnetAllocator::new(s.cidr(), &res, placement)
                .unwrap_or_else(|e| unreachable!("a validated subnet {}: {e}", s.cidr()));
            allocs.push(a);
        }
        let mut groups = Vec::with_capacity(plan.node_groups().len());
        for g in plan.node_groups() {
            groups.push(Group {
                cni: plan.cni().clone(),
                targets: targets(plan.cni()),
                shape: g.shape().clone(),
                nodes: VecDeque::new(),
                launching: VecDeque::new(),
                ready: BinaryHeap::new(),
                per_subnet: vec![0; g.subnets().len()],
                pending: 0,
                held: PendingClock::default(),
                arrival: Arrival::Burst,
                backlog: 0,
                next_retry: 0,
                churn: Vec::new(),
                rolling: None,
                draining: VecDeque::new(),
                peak_nodes: 0,
                max_enis: 0,
                max_slots: 0,
            });
        }
        let stats = allocs.iter().map(SubnetStats::new).collect();
        let mut discovery: Vec<Vec<u32>> = vec![Vec::new(); plan.subnets().len()];
        for g in plan.node_groups() {
            for &s in g.subnets() {
                if discovery[s.index()].is_empty() {
                    discovery[s.index()] = plan
                        .discovery_subnets(s)
                        .iter()
                        .map(|c| c.index() as u32)
                        .collect();
                }
            }
        }
        Self {
            plan: plan.clone(),
            scenario: scenario.clone(),
            allocs,
            nodes: NodeStore::default(),
            groups,
            rng: ChaCha8Rng::seed_from_u64(scenario.seed),
            t: 0,
            started: false,
            done: false,
            steady: false,
            next_event: 0,
            last_change: 0,
            next_sample: 0,
            stats,
            pods: PodCounts::new(),
            first_failure: None,
            pool_failures: 0,
            first_pool_failure: None,
            failure_marks: vec![FailureMarks::new(scenario.sample.get()); plan.subnets().len()],
            timeline: Vec::new(),
            last_sample: None,
            out: TickOut::default(),
            wakeups: Wakeups::new(),
            visit: NodeSet::default(),
            visit_ids: Vec::new(),
            churn_count: Vec::new(),
            churn_left: Vec::new(),
            ecs: EcsTasks::new(plan, scenario),
            discovery,
            inflight: vec![0; plan.subnets().len()],
            inflight_until: VecDeque::new(),
        }
    }

    /// Seconds simulated so far (the time of the next tick).
    #[must_use]
    pub const fn now(&self) -> u32 {
        self.t
    }

    /// Whether the run has ended (its duration, steady state, or the until-steady cap).
    #[must_use]
    pub const fn is_done(&self) -> bool {
        self.done
    }

    /// Run to the end.
    pub fn run(&mut self) {
        while !self.done {
            self.step();
        }
    }

    /// Run every tick before `t` (or to the end, if sooner): the state is then the one at `t`. At `t = 0` that is
    /// the subnets as the plan gives them: other consumers and the control plane hold their addresses, no node
    /// has started.
    pub fn run_until(&mut self, t: u32) {
        self.start();
        while !self.done && self.t < t {
            self.step();
        }
    }

    /// The block map of subnet `subnet` now (for drawing it), `None` past the plan's subnets.
    #[must_use]
    pub fn block_states(&self, subnet: usize) -> Option<Vec<BlockState>> {
        self.allocs.get(subnet).map(SubnetAllocator::block_states)
    }

    /// The allocator of subnet `subnet` now.
    #[must_use]
    pub fn allocator(&self, subnet: usize) -> Option<&SubnetAllocator> {
        self.allocs.get(subnet)
    }

    /// Node slots in memory: the most nodes alive at once so far (a terminated node's slot is reused by the next
    /// launch), not the nodes ever launched.
    ///
    /// # Examples
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, Simulation};
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/22 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 5 }]
    /// simulate:
    ///   duration: 30m
    ///   events:
    ///     - { at: 0s, scale: { node_group: g, nodes: 3 } }
    ///     - { at: 5m, scale: { node_group: g, nodes: 0 } }
    ///     - { at: 10m, scale: { node_group: g, nodes: 2 } }
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let mut sim = Simulation::new(&plan, &plan.scenario());
    /// sim.run();
    /// // 5 nodes launched, at most 3 at once
    /// assert_eq!((sim.node_states().len(), sim.node_slots()), (2, 3));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn node_slots(&self) -> usize {
        self.nodes.slots()
    }

    /// Every live node's pool now, in launch order.
    #[must_use]
    pub fn node_states(&self) -> Vec<NodeState> {
        self.nodes
            .iter()
            .map(|(_, n)| NodeState {
                group: n.group as usize,
                subnet: n.subnet as usize,
                mode: if n.prefix {
                    AddressMode::Prefix
                } else {
                    AddressMode::SecondaryIp
                },
                enis: n.live_enis(),
                slots: n.total_slots(),
                slots_per_eni: n.slots_per_eni(),
                pod_addresses: n.pod_addresses(),
                pods_running: n.assigned(),
                pods_waiting: n.waiting(),
                branch_pods: n.branch.len() as u32,
                trunk: n.trunk.is_some(),
            })
            .collect()
    }

    fn end(&self) -> u32 {
        self.scenario.end()
    }

    /// Run one tick at [`Simulation::now`], then move to the next tick that can change anything.
    pub fn step(&mut self) {
        if self.done {
            return;
        }
        let t = self.t;
        self.start();
        self.apply_events(t);
        self.progress_groups(t);
        self.churn(t);
        // pods the events and drains made pending join the queue; a deploy's deletions leave it, newest first
        for g in &mut self.groups {
            g.held.sync(g.pending, false);
        }
        self.schedule(t);
        self.track_pending(t);
        self.tick_nodes(t);
        self.observe();
        if t >= self.next_sample {
            self.sample(t);
            while self.next_sample <= t {
                self.next_sample += self.scenario.sample.get();
            }
        }
        // The end?
        let quiet = self.next_event >= self.scenario.events.len()
            && !self.ecs.busy()
            && self.groups.iter().all(|g| {
                g.rolling.is_none()
                    && g.draining.is_empty()
                    && g.backlog == 0
                    && g.churn.iter().all(|c| c.until.is_some_and(|u| u <= t))
            });
        if self.scenario.duration.is_none() && quiet && t >= self.last_change + STEADY_SECONDS {
            self.steady = true;
            self.finish(t);
            return;
        }
        if t >= self.end() {
            self.finish(t);
            return;
        }
        self.t = self.next_tick(t);
    }

    fn finish(&mut self, t: u32) {
        self.done = true;
        if self.last_sample != Some(t) {
            self.sample(t);
        }
    }

    /// The next tick at which something can happen (skips idle stretches).
    fn next_tick(&mut self, t: u32) -> u32 {
        let tick = self.scenario.tick.get();
        let mut next = u32::MAX;
        if let Some(e) = self.scenario.events.get(self.next_event) {
            next = next.min(e.at);
        }
        for g in &self.groups {
            if g.pending > 0 || g.churn.iter().any(|c| c.until.is_none_or(|u| u > t)) {
                return t + tick;
            }
            if let Some(r) = &g.rolling {
                next = next.min(r.next_drain);
            }
            if let Some(&(at, _, _)) = g.draining.front() {
                next = next.min(at);
            }
            if g.backlog > 0 {
                next = next.min(g.next_retry);
            }
        }
        // (a node with branch pods waiting wakes at t + 1: its tick says so)
        #[cfg(debug_assertions)]
        for (id, n) in self.nodes.iter() {
            debug_assert!(
                n.branch_waiting.is_empty() || self.wakeups.due(id) <= t + 1,
                "node {id}: branch pods waiting and no wake-up at the next tick"
            );
        }
        if let Some(wake) = self.wakeups.next_due() {
            next = next.min(wake);
        }
        if let Some(due) = self.ecs.next_due() {
            next = next.min(due);
        }
        next = next.min(self.next_sample).min(self.end());
        if self.scenario.duration.is_none() {
            next = next.min(self.last_change + STEADY_SECONDS);
        }
        let next = next.max(t + 1);
        // round up to a tick boundary
        next.div_ceil(tick).saturating_mul(tick).max(t + tick)
    }

    fn record_failure(&mut self, t: u32, subnet: usize, kind: FailureKind, who: &str) {
        let a = &self.allocs[subnet];
        self.failure_marks[subnet].push(t, a.singles_held() + 16 * a.prefixes_held(), kind);
        let ev = FailureEvent {
            t,
            subnet,
            subnet_name: self.plan.subnets()[subnet].name().to_string(),
            node_group: who.to_string(),
            kind,
            free_addresses: a.free_addresses(),
            free_prefix_blocks: a.free_blocks(),
        };
        if self.first_failure.is_none() {
            self.first_failure = Some(Reported::AllocationFailed {
                t,
                subnet: ev.subnet_name.clone(),
                cidr: self.plan.subnets()[subnet].cidr(),
                node_group: ev.node_group.clone(),
                error: ev.kind.as_str().to_string(),
                free_addresses: ev.free_addresses,
                free_prefix_blocks: ev.free_prefix_blocks,
            });
        }
        self.stats[subnet].count_failure(ev);
    }

    /// Once, before the first tick: the addresses held from the start.
    fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.take_fixed_consumers();
        }
    }

    /// Other consumers and the control plane take their singles at 0 s: first what the plan places exactly
    /// (`other_consumers[].at`, validated to be assignable), then the rest where EC2 would put them.
    fn take_fixed_consumers(&mut self) {
        for i in 0..self.plan.subnets().len() {
            let s = &self.plan.subnets()[i];
            let held = s.held();
            let mut placed = 0u64;
            for p in held.prefixes() {
                if self.allocs[i].assign_explicit_prefix(*p).is_ok() {
                    placed += 16;
                }
            }
            for a in held.singles() {
                if self.allocs[i].assign_explicit(a).is_ok() {
                    placed += 1;
                }
            }
            // what the closed form counts as held from the start (ECS tasks of the parallel run among the other
            // consumers: ECS is kept at full size for the whole run)
            let b = SubnetBudget::of(&self.plan, s.id());
            // (a service an `ecs` event plays takes its tasks' addresses one by one below)
            let n: u64 = (b.other_consumers + b.control_plane)
                .saturating_sub(placed)
                .saturating_sub(self.ecs.tracked_peak(&self.plan, i));
            for _ in 0..n {
                if self.allocs[i].alloc_single().is_err() {
                    self.record_failure(
                        0,
                        i,
                        FailureKind::InsufficientFreeAddressesInSubnet,
                        crate::report::OTHER_CONSUMERS,
                    );
                    break;
                }
            }
        }
        let failed = self.ecs.start(&self.plan, &mut self.allocs);
        self.record_ecs_failures(0, failed);
    }

    fn record_ecs_failures(&mut self, t: u32, failed: Vec<(usize, String)>) {
        for (s, who) in failed {
            self.record_failure(t, s, FailureKind::InsufficientFreeAddressesInSubnet, &who);
        }
    }

    fn apply_events(&mut self, t: u32) {
        let mut failed = Vec::new();
        if self.ecs.tick(t, &mut self.allocs, &mut failed) {
            self.last_change = t;
        }
        while let Some(e) = self.scenario.events.get(self.next_event) {
            if e.at > t {
                break;
            }
            let Event { kind, .. } = e.clone();
            self.next_event += 1;
            self.last_change = t;
            match kind {
                EventKind::Scale { group, nodes } => self.scale(t, group.index(), nodes),
                EventKind::Deploy {
                    group,
                    pods,
                    arrival,
                } => self.deploy(t, group.index(), pods, arrival),
                EventKind::Churn {
                    group,
                    per_minute,
                    until,
                } => self.groups[group.index()].churn.push(Churn {
                    per_minute,
                    until,
                    carry: 0.0,
                }),
                EventKind::RollingUpdate {
                    group,
                    surge,
                    drain_seconds,
                } => self.start_rolling(t, group.index(), surge, drain_seconds),
                EventKind::SwitchMode { group, mode } => {
                    let plan_g = self.plan.group(group);
                    let g = &mut self.groups[group.index()];
                    g.cni.mode = mode;
                    g.targets = targets(&g.cni);
                    // the new nodes' shape: `auto` max pods follows the mode, a fixed one stays
                    g.shape = NodeShape::resolve(plan_g.instance(), &g.cni, plan_g.max_pods_spec())
                        .unwrap_or_else(|_| {
                            NodeShape::new(plan_g.instance(), &g.cni, g.shape.max_pods)
                        });
                    let surge = plan_g.surge().max(1);
                    self.start_rolling(t, group.index(), surge, 60);
                }
                EventKind::Ecs {
                    service,
                    tasks,
                    release_after,
                } => self.ecs.set(
                    t,
                    service,
                    tasks,
                    release_after,
                    &mut self.allocs,
                    &mut failed,
                ),
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        self.record_ecs_failures(t, failed);
    }

    fn scale(&mut self, t: u32, gi: usize, target: u32) {
        let have = self.groups[gi].nodes.len() as u32 + self.groups[gi].backlog;
        if target > have {
            self.launch_many(t, gi, target - have);
        } else {
            let mut drop = have - target;
            let b = self.groups[gi].backlog.min(drop);
            self.groups[gi].backlog -= b;
            drop -= b;
            for _ in 0..drop {
                if let Some(&id) = self.groups[gi].nodes.back() {
                    self.terminate(id);
                }
            }
        }
    }

    /// Launch one node of group `gi` in its subnet with the fewest of its nodes. A failure goes to the backlog.
    /// Returns `false` when no subnet of the group had an address for the node (it went to the backlog).
    fn launch(&mut self, t: u32, gi: usize) -> bool {
        // the group's subnets, fewest of its nodes first; the first with a free address takes the node
        // (Karpenter: one subnet per zone, [`Simulation::karpenter_order`])
        let order: Vec<usize> = if self.plan.node_groups()[gi].launch() == Launch::Karpenter {
            self.karpenter_order(t, gi)
        } else {
            let mut order: Vec<usize> = (0..self.groups[gi].per_subnet.len()).collect();
            order.sort_by_key(|&k| (self.groups[gi].per_subnet[k], k));
            order
        };
        let mut got = None;
        for k in order {
            let subnet = self.plan.node_groups()[gi].subnets()[k].index();
            match self.allocs[subnet].alloc_single() {
                Ok(a) => {
                    got = Some((k, u32::from(a)));
                    break;
                }
                Err(_) => {
                    let name = self.plan.node_groups()[gi].name().to_string();
                    self.record_failure(
                        t,
                        subnet,
                        FailureKind::InsufficientFreeAddressesInSubnet,
                        &name,
                    );
                }
            }
        }
        let Some((k, primary)) = got else {
            let g = &mut self.groups[gi];
            g.backlog += 1;
            g.next_retry = t + LAUNCH_RETRY_SECONDS;
            return false;
        };
        let plan_g = &self.plan.node_groups()[gi];
        let g = &self.groups[gi];
        let subnet_id: SubnetId = plan_g.subnets()[k];
        let subnet = subnet_id.index();
        let shape = &g.shape;
        let eni_subnet = self.plan.eni_subnet_for(subnet_id).index();
        let trunk = shape.trunk;
        let spec = NodeSpec {
            group: gi as u32,
            subnet: subnet as u32,
            eni_subnet: eni_subnet as u32,
            prefix: shape.mode == AddressMode::Prefix,
            custom: g.cni.custom_networking,
            slots_per_eni: shape.slots_per_eni,
            eni_limit: shape.eni_limit,
            max_pods: shape.max_pods,
            pod_room: shape.max_pods.saturating_sub(plan_g.host_network_pods()),
            order: self.scenario.pod_addresses,
            branch_quota: plan_g.branch_pods_per_node().min(shape.branch_capacity),
        };
        let name = plan_g.name().to_string();
        if plan_g.launch() == Launch::Karpenter {
            // ZonalSubnetsForLaunch takes the node's predicted pods off its subnet's count until the count is
            // refreshed; here until the node is ready
            let ips = plan_g
                .members()
                .iter()
                .map(|m| u64::from(m.shape().max_pods))
                .min()
                .unwrap_or(u64::from(shape.max_pods));
            self.inflight[subnet] += ips;
            self.inflight_until
                .push_back((t + NODE_READY_SECONDS, subnet as u32, ips));
        }
        let mut node = Node::new(spec, t, t + NODE_READY_SECONDS, primary);
        if trunk {
            match self.allocs[eni_subnet].alloc_single() {
                Ok(a) => node.attach_trunk(t, eni_subnet as u32, u32::from(a), &mut self.rng),
                Err(_) => {
                    self.record_failure(
                        t,
                        eni_subnet,
                        FailureKind::InsufficientFreeAddressesInSubnet,
                        &name,
                    );
                    node.branch_quota = 0;
                }
            }
        }
        let id = self.nodes.insert(node);
        self.wakeups.set(id, t);
        let g = &mut self.groups[gi];
        g.nodes.push_back(id);
        g.launching.push_back((t + NODE_READY_SECONDS, id));
        g.per_subnet[k] += 1;
        // (a draining node is an instance still: it counts until it terminates)
        g.peak_nodes = g.peak_nodes.max((g.nodes.len() + g.draining.len()) as u32);
        self.last_change = t;
        true
    }

    /// The group's subnets (indices into its list) in the order a Karpenter launch tries them: one per zone, the
    /// zones with the fewest of the group's nodes first (ties: the zone listed first), each zone's the subnet with
    /// the most free addresses less those of launches still in flight, ties to the one listed first
    /// (aws/karpenter-provider-aws `pkg/providers/subnet/subnet.go`, `ZonalSubnetsForLaunch`: a later subnet
    /// replaces the zone's pick only when its count, in-flight IPs deducted, is strictly greater; each launch
    /// takes the smallest max pods of its instance types off the picked subnet's count, `minPods`).
    fn karpenter_order(&mut self, t: u32, gi: usize) -> Vec<usize> {
        while let Some(&(until, s, ips)) = self.inflight_until.front() {
            if until > t {
                break;
            }
            self.inflight_until.pop_front();
            self.inflight[s as usize] -= ips;
        }
        let plan_g = &self.plan.node_groups()[gi];
        let subnets = plan_g.subnets();
        // zones in the order the group first lists them: (nodes, best subnet, its count)
        let mut zones: Vec<(&str, u32, usize, i64)> = Vec::new();
        for (k, &s) in subnets.iter().enumerate() {
            let az = self.plan.subnet(s).az();
            let count = i64::try_from(self.allocs[s.index()].free_addresses()).unwrap_or(i64::MAX)
                - i64::try_from(self.inflight[s.index()]).unwrap_or(i64::MAX);
            let nodes = self.groups[gi].per_subnet[k];
            match zones.iter_mut().find(|z| z.0 == az) {
                Some(z) => {
                    z.1 += nodes;
                    if count > z.3 {
                        (z.2, z.3) = (k, count);
                    }
                }
                None => zones.push((az, nodes, k, count)),
            }
        }
        // (`sort_by_key` is stable: equal node counts keep the listed order)
        zones.sort_by_key(|z| z.1);
        zones.into_iter().map(|z| z.2).collect()
    }

    /// Launch `n` nodes; after the first that finds no address the rest go straight to the backlog.
    fn launch_many(&mut self, t: u32, gi: usize, n: u32) {
        for i in 0..n {
            if !self.launch(t, gi) {
                self.groups[gi].backlog += n - i - 1;
                return;
            }
        }
    }

    /// Terminate node `id`: every address back to its subnet, its pods back to the scheduler.
    fn terminate(&mut self, id: u32) {
        let n = &mut self.nodes[id as usize];
        if !n.is_live() {
            return;
        }
        let gi = n.group as usize;
        let subnet = n.subnet as usize;
        // (what it holds first: the branch pods' addresses among them, which evicting forgets)
        let (singles, prefixes) = n.drain_resources();
        let pods = n.evict_all();
        self.wakeups.cancel(id);
        for (s, a) in singles {
            let _ = self.allocs[s as usize].release_single(Ipv4Addr::from(a));
        }
        for (s, p) in prefixes {
            let net = ipnet::Ipv4Net::new(Ipv4Addr::from(p), 28).expect("a /28");
            let _ = self.allocs[s as usize].release_prefix(net);
        }
        // (its storage goes: the lists it held are freed, its slot taken by the next launch)
        self.nodes.remove(id);
        let plan_g = &self.plan.node_groups()[gi];
        let g = &mut self.groups[gi];
        remove_id(&mut g.nodes, id);
        if let Some(k) = plan_g.subnets().iter().position(|s| s.index() == subnet) {
            g.per_subnet[k] -= 1;
        }
        g.pending += u64::from(pods);
        if let Some(r) = &mut g.rolling {
            remove_id(&mut r.old, id);
        }
    }

    /// Drain node `id` of group `gi` at `t` for a rolling update: its pods go back to the scheduler, it is
    /// cordoned and leaves the group's schedulable nodes, and it keeps every ENI and address until its
    /// termination [`TERMINATE_AFTER_DRAIN_SECONDS`] later (ipamd is not run on it meanwhile: the simulation
    /// keeps the whole pool, where real ipamd may still release surplus warm addresses in that minute).
    fn drain_node(&mut self, t: u32, gi: usize, id: u32, target_new: u32) {
        let n = &mut self.nodes[id as usize];
        // (the branch pods go, their addresses stay until the instance does)
        let branch = std::mem::take(&mut n.branch);
        let pods = n.evict_all() + branch.len() as u32;
        n.branch = branch;
        n.cordon();
        self.wakeups.cancel(id);
        let g = &mut self.groups[gi];
        remove_id(&mut g.nodes, id);
        if let Some(r) = &mut g.rolling {
            remove_id(&mut r.old, id);
        }
        g.pending += u64::from(pods);
        g.draining
            .push_back((t + TERMINATE_AFTER_DRAIN_SECONDS, id, target_new));
    }

    fn deploy(&mut self, t: u32, gi: usize, pods: u32, arrival: Arrival) {
        let g = &self.groups[gi];
        let on_nodes: u64 = g
            .nodes
            .iter()
            .map(|&id| u64::from(self.nodes[id as usize].pods()))
            .sum();
        let have = on_nodes + g.pending;
        let want = u64::from(pods);
        self.groups[gi].arrival = arrival;
        if want >= have {
            self.groups[gi].pending += want - have;
            return;
        }
        let mut drop = have - want;
        let p = self.groups[gi].pending.min(drop);
        self.groups[gi].pending -= p;
        drop -= p;
        if drop == 0 {
            return;
        }
        // From the fullest nodes.
        let mut heap: BinaryHeap<(u32, Reverse<u32>)> = self.groups[gi]
            .nodes
            .iter()
            .map(|&id| (self.nodes[id as usize].pods(), Reverse(id)))
            .filter(|(p, _)| *p > 0)
            .collect();
        while drop > 0 {
            let Some((p, Reverse(id))) = heap.pop() else {
                break;
            };
            self.delete_one(t, id);
            self.now_ready(gi, id, t);
            drop -= 1;
            self.wakeups.wake_by(id, t);
            if p > 1 {
                heap.push((p - 1, Reverse(id)));
            }
        }
    }

    fn delete_one(&mut self, t: u32, id: u32) {
        let n = &mut self.nodes[id as usize];
        if n.delete_pod(t, &mut self.rng) {
            return;
        }
        // (a branch pod's ENI is deleted 60 to 90 s later: `Node::end_branch_pod`)
        n.end_branch_pod(t);
    }

    fn start_rolling(&mut self, t: u32, gi: usize, surge: u32, drain: u32) {
        let ids = self.groups[gi].nodes.clone();
        let target_new = ids.len() as u32;
        self.groups[gi].rolling = Some(Rolling {
            old: ids,
            target_new,
            next_drain: t + NODE_READY_SECONDS,
            drain,
            tainted: false,
        });
        self.launch_many(t, gi, surge.min(target_new.max(1)));
    }

    /// Rolling updates and launch retries. Every `drain` seconds the oldest old node is drained; each drained
    /// node terminates [`TERMINATE_AFTER_DRAIN_SECONDS`] later, and its replacement launches then (the Auto
    /// Scaling group refills the capacity the termination freed), so the update holds at most the group's nodes
    /// and the surge, the draining ones among them with their whole pool.
    fn progress_groups(&mut self, t: u32) {
        for gi in 0..self.groups.len() {
            let g = &self.groups[gi];
            if g.backlog > 0 && t >= g.next_retry {
                let n = g.backlog;
                self.groups[gi].backlog = 0;
                self.launch_many(t, gi, n);
            }
            while let Some(&(at, id, target_new)) = self.groups[gi].draining.front() {
                if at > t {
                    break;
                }
                self.groups[gi].draining.pop_front();
                self.terminate(id);
                // the group's live nodes not in the update's old set (every old node still live is in it)
                let g = &self.groups[gi];
                let old = g.rolling.as_ref().map_or(0, |r| r.old.len());
                let new_nodes = g.nodes.len().saturating_sub(old) as u32 + g.backlog;
                if new_nodes < target_new {
                    self.launch_many(t, gi, 1);
                }
                self.last_change = t;
            }
            let Some(r) = &self.groups[gi].rolling else {
                continue;
            };
            if t < r.next_drain {
                continue;
            }
            let drain = r.drain;
            let target_new = r.target_new;
            let next_old = r.old.front().copied();
            if !r.tainted {
                self.taint_old(gi);
            }
            match next_old {
                None => self.groups[gi].rolling = None,
                Some(id) => {
                    self.drain_node(t, gi, id, target_new);
                    if let Some(r) = &mut self.groups[gi].rolling {
                        r.next_drain = t + drain.max(1);
                        if r.old.is_empty() {
                            self.groups[gi].rolling = None;
                        }
                    }
                    self.last_change = t;
                }
            }
        }
    }

    /// The scale-up phase of a managed node group update is over (its new nodes are ready): every old node
    /// is marked unschedulable, so the pods the upgrade phase evicts land on new nodes only (AWS EKS user
    /// guide, "Understand each phase of node updates", scale-up phase, step 3: "It marks nodes as
    /// unschedulable to avoid scheduling new Pods"). The old nodes keep their pods, and ipamd runs on them,
    /// until each is drained. A Karpenter group is not: Karpenter taints a node only when it disrupts it
    /// (its drain here).
    fn taint_old(&mut self, gi: usize) {
        let karpenter = self.plan.node_groups()[gi].launch() == Launch::Karpenter;
        let Some(r) = &mut self.groups[gi].rolling else {
            return;
        };
        r.tainted = true;
        if karpenter {
            return;
        }
        for &id in &r.old {
            if let Some(n) = self.nodes.get_mut(id) {
                n.tainted = true;
            }
        }
    }

    fn churn(&mut self, t: u32) {
        let tick = f64::from(self.scenario.tick.get());
        for gi in 0..self.groups.len() {
            let mut todo = 0u64;
            for c in &mut self.groups[gi].churn {
                if c.until.is_some_and(|u| t >= u) {
                    continue;
                }
                c.carry += c.per_minute * tick / 60.0;
                let n = c.carry.floor();
                c.carry -= n;
                todo += n as u64;
            }
            if todo == 0 || self.groups[gi].nodes.is_empty() {
                continue;
            }
            // Draw the nodes now; the replacements happen when `tick_nodes` visits each node (its data is then
            // loaded once for both).
            // (one slice: drawing from a ring buffer would wrap every index)
            let nodes = self.groups[gi].nodes.make_contiguous();
            let count = nodes.len();
            self.churn_count.resize(self.nodes.ids(), 0);
            // (a group's nodes are in launch order: ascending ids)
            if let (Some(&first), Some(&last)) = (nodes.first(), nodes.last()) {
                self.visit.cover(first, last);
            }
            for _ in 0..todo {
                let id = nodes[below(&mut self.rng, count)];
                self.churn_count[id as usize] += 1;
                // (unconditional: a branch on the count would be mispredicted half the time)
                self.visit.insert_covered(id);
            }
            self.last_change = t;
        }
    }

    fn schedulable(&mut self, id: u32, t: u32) -> bool {
        self.nodes[id as usize].schedulable(t)
    }

    /// After the scheduler's pass at `t`: the pods it placed leave each group's queue (oldest first), and the
    /// rest are held up when every live node of the group is at its max pods or nodes could not launch for want
    /// of an address (`sim/pending.rs`); the first pod held up beyond the wait threshold fails the verdict.
    fn track_pending(&mut self, t: u32) {
        let threshold = self.scenario.wait_threshold;
        for gi in 0..self.groups.len() {
            let g = &self.groups[gi];
            // a node with room (a launching one among them) will take them; with no node at all and none asked
            // for, the scenario chose so (reported as unschedulable at the end)
            // (only with pods pending: the scan costs the group's nodes)
            let room = || {
                g.nodes
                    .iter()
                    .any(|&id| self.nodes[id as usize].has_pod_room())
            };
            let why = if g.pending == 0 || (g.nodes.is_empty() && g.backlog == 0) || room() {
                HeldUp::No
            } else if g.backlog > 0 {
                HeldUp::NoNodeAddress
            } else {
                HeldUp::MaxPods
            };
            let nodes = g.nodes.len() as u32;
            let g = &mut self.groups[gi];
            g.held.sync(g.pending, true);
            let Some(p) = g.held.advance(t, why, threshold) else {
                continue;
            };
            if self.first_failure.is_none() {
                let plan_g = &self.plan.node_groups()[gi];
                self.first_failure = Some(Reported::PodsPending {
                    t,
                    node_group: plan_g.name().to_string(),
                    pods: p.pods,
                    pending_seconds: u32::try_from(p.seconds).unwrap_or(u32::MAX),
                    threshold_seconds: threshold,
                    reason: match p.why {
                        HeldUp::NoNodeAddress => PendingReason::NoNodeAddress,
                        _ => PendingReason::MaxPods,
                    },
                    nodes,
                    max_pods: self.groups[gi].shape.max_pods,
                });
            }
        }
    }

    /// Node `id` of group `gi` changed its pod count (or turned ready) at `t`: file its count in the scheduler's
    /// queue when it may take a pod.
    fn now_ready(&mut self, gi: usize, id: u32, t: u32) {
        if self.schedulable(id, t) {
            let pods = self.nodes[id as usize].pods();
            let g = &mut self.groups[gi];
            g.ready.push(Reverse((pods, id)));
            // (stale entries beyond twice the group's nodes: rebuild, amortised over the pushes since the last)
            if g.ready.len() > 2 * g.nodes.len() + 64 {
                self.rebuild_ready(gi, t);
            }
        }
    }

    /// The scheduler's queue of group `gi` anew: one entry per node that may take a pod at `t`.
    #[cold]
    fn rebuild_ready(&mut self, gi: usize, t: u32) {
        let g = &mut self.groups[gi];
        let mut entries = std::mem::take(&mut g.ready).into_vec();
        entries.clear();
        for &id in &g.nodes {
            if let Some(n) = self.nodes.get_mut(id)
                && n.schedulable(t)
            {
                entries.push(Reverse((n.pods(), id)));
            }
        }
        g.ready = BinaryHeap::from(entries);
    }

    /// Hands the nodes of group `gi` that turned ready by `t` to the scheduler's queue.
    fn admit_ready(&mut self, gi: usize, t: u32) {
        while let Some(&(ready_at, id)) = self.groups[gi].launching.front() {
            if ready_at > t {
                break;
            }
            self.groups[gi].launching.pop_front();
            if self.nodes.get(id).is_some() {
                self.now_ready(gi, id, t);
            }
        }
    }

    /// Pending pods to nodes.
    fn schedule(&mut self, t: u32) {
        for gi in 0..self.groups.len() {
            // (every tick, so that the launch queue stays short whether pods are pending or not)
            self.admit_ready(gi, t);
            if self.groups[gi].pending == 0 {
                continue;
            }
            match self.groups[gi].arrival {
                Arrival::OneByOne => self.schedule_even(t, gi),
                Arrival::Burst => {
                    // the least loaded ready node first, ties to the oldest (no allocation until a node is
                    // ready)
                    while self.groups[gi].pending > 0 {
                        let Some(Reverse((pods, id))) = self.groups[gi].ready.pop() else {
                            break;
                        };
                        // (a stale entry: the node is gone, cordoned, full, or its count has moved on)
                        let live = self
                            .nodes
                            .get_mut(id)
                            .is_some_and(|n| n.pods() == pods && n.schedulable(t));
                        if !live {
                            continue;
                        }
                        self.place(t, id);
                        self.groups[gi].pending -= 1;
                        self.now_ready(gi, id, t);
                    }
                }
            }
        }
    }

    /// [`Arrival::OneByOne`]: each node takes one pod a tick while settled, up to its even share in launch
    /// order: of the group's pods (on its nodes and pending) over its live nodes, the first `pods mod nodes`
    /// take one more, the split `check` counts ([`crate::plan::NodeGroup::full_nodes`]). When every node below
    /// its share is at its max pods (the scheduler filters those out), the others take the rest.
    fn schedule_even(&mut self, t: u32, gi: usize) {
        let ids = std::mem::take(&mut self.groups[gi].nodes);
        let on: u64 = ids
            .iter()
            .map(|&id| u64::from(self.nodes[id as usize].pods()))
            .sum();
        let n = ids.len() as u64;
        let total = on + self.groups[gi].pending;
        let (q, r) = (total / n.max(1), total % n.max(1));
        let mut stuck = true;
        let mut placed = false;
        for (i, &id) in ids.iter().enumerate() {
            if self.groups[gi].pending == 0 {
                break;
            }
            let share = q + u64::from((i as u64) < r);
            let node = &self.nodes[id as usize];
            if u64::from(node.pods()) >= share {
                continue;
            }
            if node.has_pod_room() {
                stuck = false;
            }
            if self.schedulable(id, t) && self.nodes[id as usize].settled {
                self.place(t, id);
                self.groups[gi].pending -= 1;
                placed = true;
            }
        }
        if stuck {
            for &id in &ids {
                if self.groups[gi].pending == 0 {
                    break;
                }
                if self.schedulable(id, t) && self.nodes[id as usize].settled {
                    self.place(t, id);
                    self.groups[gi].pending -= 1;
                    placed = true;
                }
            }
        }
        self.groups[gi].nodes = ids;
        // (the pass visited every node: the burst scheduler's queue anew, with the counts now)
        if placed {
            self.rebuild_ready(gi, t);
        }
    }

    /// One pod lands on node `id`: a branch pod while the node is below its branch quota, else ordinary.
    fn place(&mut self, t: u32, id: u32) {
        self.last_change = t;
        let order = self.scenario.pod_addresses;
        self.wakeups.wake_by(id, t);
        let n = &mut self.nodes[id as usize];
        if (n.branch.len() + n.branch_waiting.len()) < n.branch_quota as usize
            && let Some((s, _)) = n.trunk
        {
            match self.allocs[s as usize].alloc_single() {
                Ok(a) => {
                    n.branch.push(u32::from(a));
                    self.pods.got_address(0);
                }
                Err(_) => {
                    n.branch_waiting.push_back(t);
                    let name = self.plan.node_groups()[n.group as usize].name().to_string();
                    self.record_failure(
                        t,
                        s as usize,
                        FailureKind::InsufficientFreeAddressesInSubnet,
                        &name,
                    );
                }
            }
            return;
        }
        if n.add_pod(t, order, &mut self.rng).is_some() {
            self.pods.got_address(0);
        }
    }

    /// Visit the nodes that have something to do at `t`, in id (launch) order: those with pod replacements
    /// drawn for this tick and those due (a timer ran out, or something happened to them). A visit applies
    /// the node's replacements, retries its waiting branch pods, and, when the node is due (or a replacement
    /// changed its pool), runs ipamd's pool check and files its next wake-up.
    fn tick_nodes(&mut self, t: u32) {
        let order = self.scenario.pod_addresses;
        let threshold = self.scenario.wait_threshold;
        let mut out = std::mem::take(&mut self.out);
        self.wakeups.take_due(t, &mut self.visit);
        let mut visit = std::mem::take(&mut self.visit_ids);
        visit.clear();
        self.visit.drain_into(&mut visit);
        for (k, &id) in visit.iter().enumerate() {
            // A visit reads the node's own fields, its running and free lists at random places and its oldest
            // cooldown, and with thousands of nodes those lines are not in cache: touching them a few visits
            // ahead (`Node::warm`) lets their loads overlap the work on the nodes in between instead of
            // stalling it.
            if let Some(&ahead) = visit.get(k + WARM_AHEAD) {
                std::hint::black_box(self.nodes[ahead as usize].warm());
            }
            let mut due = self.wakeups.is_due(id, t);
            let Some(n) = self.nodes.get_mut(id) else {
                continue;
            };
            debug_assert!(
                due || n.branch_waiting.is_empty(),
                "node {id}: branch pods waiting but not due"
            );
            if let Some(c) = self.churn_count.get_mut(id as usize)
                && *c > 0
            {
                for _ in 0..std::mem::take(c) {
                    let (ok, got) = n.replace_pod(t, order, &mut self.rng);
                    if !ok {
                        self.churn_left.push(n.group);
                        continue;
                    }
                    due = true;
                    self.pods.replacements += 1;
                    if got.is_some() {
                        self.pods.got_address(0);
                    }
                }
            }
            // branch pods waiting for an address (no warm pool: one address each, retried every tick)
            if !n.branch_waiting.is_empty()
                && let Some((s, _)) = n.trunk
            {
                while let Some(&since) = n.branch_waiting.front() {
                    match self.allocs[s as usize].alloc_single() {
                        Ok(a) => {
                            n.branch_waiting.pop_front();
                            n.branch.push(u32::from(a));
                            self.pods.got_address(t - since);
                            self.last_change = t;
                        }
                        Err(_) => break,
                    }
                }
            }
            if !due {
                continue;
            }
            let gi = n.group as usize;
            let tg = self.groups[gi].targets;
            let discovery = &self.discovery[n.subnet as usize];
            n.tick(
                t,
                &tg,
                &mut self.allocs,
                discovery,
                order,
                &mut self.rng,
                &mut out,
            );
            self.wakeups.set(id, out.wake);
            let (enis, slots) = (n.max_enis_seen, n.max_slots_seen);
            let g = &mut self.groups[gi];
            g.max_enis = g.max_enis.max(enis);
            g.max_slots = g.max_slots.max(slots);
            if out.changed {
                self.last_change = t;
            }
            for &w in &out.waits {
                self.pods.got_address(w);
                if w > threshold && self.first_failure.is_none() {
                    self.first_failure = Some(Reported::PodWaited {
                        t,
                        node_group: self.plan.node_groups()[gi].name().to_string(),
                        wait_seconds: w,
                        threshold_seconds: threshold,
                    });
                }
            }
            for &Failure { subnet, error } in &out.failures {
                let name = self.plan.node_groups()[gi].name().to_string();
                let subnet = subnet as usize;
                if self.first_pool_failure.is_none() {
                    let a = &self.allocs[subnet];
                    self.first_pool_failure = Some(FailureEvent {
                        t,
                        subnet,
                        subnet_name: self.plan.subnets()[subnet].name().to_string(),
                        node_group: name.clone(),
                        kind: failure_kind(error),
                        free_addresses: a.free_addresses(),
                        free_prefix_blocks: a.free_blocks(),
                    });
                }
                self.pool_failures += 1;
                self.record_failure(t, subnet, failure_kind(error), &name);
            }
        }
        self.visit_ids = visit;
        self.out = out;
        // replacements whose node had no running pod: a few random other nodes of the group
        let left = std::mem::take(&mut self.churn_left);
        for &gi in &left {
            let nodes = &self.groups[gi as usize].nodes;
            for _ in 0..8 {
                let k = below(&mut self.rng, nodes.len());
                let id = nodes[k];
                let n = &mut self.nodes[id as usize];
                let (ok, got) = n.replace_pod(t, order, &mut self.rng);
                if ok {
                    self.wakeups.wake_by(id, t);
                    self.pods.replacements += 1;
                    if got.is_some() {
                        self.pods.got_address(0);
                    }
                    break;
                }
            }
        }
        self.churn_left = left;
        self.churn_left.clear();
    }

    fn observe(&mut self) {
        for (a, st) in self.allocs.iter().zip(&mut self.stats) {
            st.observe(a);
        }
    }

    fn sample(&mut self, t: u32) {
        let mut running = 0u64;
        let mut waiting = 0u64;
        let mut nodes = 0u32;
        for g in &self.groups {
            nodes += g.draining.len() as u32;
            for &id in &g.nodes {
                let n = &self.nodes[id as usize];
                nodes += 1;
                running += u64::from(n.assigned()) + n.branch.len() as u64;
                waiting += u64::from(n.waiting()) + n.branch_waiting.len() as u64;
            }
        }
        let row = TimelineRow {
            t,
            nodes,
            pods_running: running,
            pods_waiting: waiting,
            pods_unscheduled: self.groups.iter().map(|g| g.pending).sum(),
            subnets: self
                .allocs
                .iter()
                .map(|a| {
                    TimelineSubnet::new(
                        a.singles_held() + 16 * a.prefixes_held(),
                        a.free_blocks(),
                        a.fragmentation(),
                    )
                })
                .collect(),
        };
        self.timeline.push(row);
        self.last_sample = Some(t);
    }

    /// The timeline rows sampled since the last call (all of them the first time), oldest first. A run that
    /// writes its timeline as it goes takes them after each step, so that the rows do not pile up in memory
    /// (a week sampled every minute over 1,200 subnets is 12 million subnet samples); the report then holds only
    /// the rows not taken.
    ///
    /// # Examples
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, Simulation, simulate};
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 5 }]
    /// simulate: { duration: 10m }
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let mut sim = Simulation::new(&plan, &plan.scenario());
    /// let mut rows = Vec::new();
    /// while !sim.is_done() {
    ///     sim.step();
    ///     rows.extend(sim.take_timeline());
    /// }
    /// assert!(sim.report().timeline.rows.is_empty());
    /// // the same rows as a run that keeps them: one a minute, 0 s to 600 s
    /// assert_eq!(rows, simulate(&plan, &plan.scenario()).timeline.rows);
    /// assert_eq!(rows.len(), 11);
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    pub fn take_timeline(&mut self) -> std::vec::Drain<'_, TimelineRow> {
        self.timeline.drain(..)
    }

    /// The report of the run so far (the whole run once [`Simulation::is_done`]), the timeline moved into it
    /// (no copy: [`Simulation::report`] copies it).
    #[must_use]
    pub fn into_report(mut self) -> SimReport {
        let rows = std::mem::take(&mut self.timeline);
        let mut r = self.report();
        r.timeline.rows = rows;
        r
    }

    /// The report of the run so far (the whole run once [`Simulation::is_done`]).
    #[must_use]
    pub fn report(&self) -> SimReport {
        let t = self.t;
        let threshold = self.scenario.wait_threshold;
        let mut hist = self.pods.waits.clone();
        let mut still = 0u64;
        for n in self.nodes.nodes() {
            for since in n.waiting_since().chain(n.branch_waiting.iter().copied()) {
                still += 1;
                hist.record(t - since);
            }
        }
        let hist = hist.counts();
        let waited: u64 = hist.iter().skip(1).sum();
        let beyond: u64 = hist.iter().skip(threshold as usize + 1).sum();
        let max_wait = hist.iter().rposition(|&c| c > 0).unwrap_or(0) as u32;
        let pct = |q: f64| -> u32 {
            if waited == 0 {
                return 0;
            }
            let rank = ((q * waited as f64).ceil() as u64).max(1);
            let mut seen = 0u64;
            for (w, &c) in hist.iter().enumerate().skip(1) {
                seen += c;
                if seen >= rank {
                    return w as u32;
                }
            }
            max_wait
        };
        let unscheduled: u64 = self.groups.iter().map(|g| g.pending).sum();
        let pending_beyond: u64 = self.groups.iter().map(|g| g.held.beyond).sum();
        let max_pending = self
            .groups
            .iter()
            .map(|g| g.held.max_seconds)
            .max()
            .unwrap_or(0);
        let pods = PodWaits {
            placed: self.pods.placed,
            waited,
            waited_beyond_threshold: beyond,
            threshold_seconds: threshold,
            max_wait_seconds: max_wait,
            p50_wait_seconds: pct(0.5),
            p99_wait_seconds: pct(0.99),
            still_waiting: still,
            unschedulable_at_end: unscheduled,
            pending_beyond_threshold: pending_beyond,
            max_pending_seconds: u32::try_from(max_pending).unwrap_or(u32::MAX),
            replacements: self.pods.replacements,
        };
        // A failed allocation fails the verdict even when every pod got an address: ipamd could not hold the
        // pool its settings ask for, so the next pod, or the next churn, waits (the same line `check` draws by
        // counting the warm pool).
        let failed_allocations = self.first_failure.is_some();
        let fits = beyond == 0 && unscheduled == 0 && pending_beyond == 0 && !failed_allocations;
        let mut first_failure = self.first_failure.clone();
        // every failed allocation was ipamd growing a pool and no pod was held up by it: say exactly that
        let all_failures: u64 = self.stats.iter().map(|s| s.failures.total()).sum();
        if let Some(first) = &self.first_pool_failure
            && all_failures == self.pool_failures
            && beyond == 0
            && unscheduled == 0
            && pending_beyond == 0
        {
            first_failure = Some(warm_pool_only(
                &self.plan,
                first,
                self.pool_failures,
                &self.allocs[first.subnet],
                threshold,
            ));
        }
        if first_failure.is_none() && beyond > 0 {
            first_failure = Some(Reported::PodsStillWaiting {
                t,
                pods: beyond,
                threshold_seconds: threshold,
            });
        }
        if first_failure.is_none() && unscheduled > 0 {
            first_failure = Some(Reported::PodsUnschedulable {
                t,
                pods: unscheduled,
            });
        }
        let subnets = self
            .plan
            .subnets()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let a = &self.allocs[i];
                let st = &self.stats[i];
                // the same capacity as `check` counts
                let b = SubnetBudget::of(&self.plan, s.id());
                let capacity = b.size - b.aws_reserved - b.explicit_reserved;
                let used = st.peak_addresses;
                SimSubnetReport {
                    name: s.name().to_string(),
                    cidr: s.cidr(),
                    capacity,
                    used,
                    headroom: i64::try_from(capacity).unwrap_or(i64::MAX)
                        - i64::try_from(used).unwrap_or(i64::MAX),
                    fits: st.failures.total() == 0 && used <= capacity,
                    peak_prefixes_held: st.peak_prefixes,
                    min_free_prefix_blocks: st.min_free_blocks,
                    final_free_addresses: a.free_addresses(),
                    final_free_prefix_blocks: a.free_blocks(),
                    failed_allocations: st.failures,
                    first_failure: st.first_failure.clone(),
                    fragmentation_peak: round4(st.frag_peak),
                    fragmentation_final: round4(a.fragmentation()),
                    failure_marks: self.failure_marks[i].marks().to_vec(),
                }
            })
            .collect();
        let node_groups = self
            .plan
            .node_groups()
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                let grp = &self.groups[gi];
                SimGroupReport {
                    name: g.name().to_string(),
                    peak_nodes: grp.peak_nodes,
                    final_nodes: (grp.nodes.len() + grp.draining.len()) as u32,
                    final_pods_running: grp
                        .nodes
                        .iter()
                        .map(|&id| {
                            let n = &self.nodes[id as usize];
                            u64::from(n.assigned()) + n.branch.len() as u64
                        })
                        .sum(),
                    max_enis_per_node: grp.max_enis,
                    max_slots_per_node: grp.max_slots,
                }
            })
            .collect();
        SimReport {
            schema_version: SIM_SCHEMA_VERSION,
            data_version: ipplan_core::DATA_VERSION,
            plan: self.plan.file().to_string(),
            verdict: Verdict {
                fits,
                basis: Basis::Simulated,
                first_failure: first_failure.map(Finding::failure),
            },
            seed: self.scenario.seed,
            duration_seconds: t,
            steady: self.steady,
            tick_seconds: self.scenario.tick.get(),
            subnets,
            node_groups,
            pods,
            timeline: Timeline {
                interval_seconds: self.scenario.sample.get(),
                subnet_names: self
                    .plan
                    .subnets()
                    .iter()
                    .map(|s| s.name().to_string())
                    .collect(),
                rows: self.timeline.clone(),
            },
        }
    }
}
