//! The scenario types: what `simulate:` says once validated (node groups resolved to [`GroupId`]s, times in
//! seconds), or the plan's own peak when it says nothing. Validation is [`crate::Plan::from_spec`]'s; the
//! simulation reads these.
//!
//! # Schema
//!
//! ```yaml
//! simulate:
//!   duration: 2h              # 3600s | 90m | 2h | 1h30m | a number of seconds; default: until steady
//!   seed: 1                   # u64, default 1
//!   tick: 5s                  # ipamd's pool check interval, default 5s
//!   placement: random         # random (default) | lowest: where EC2 puts single addresses
//!   pod_addresses: ipamd      # ipamd | random | packed: which free pod address a new pod gets on its
//!                             # node (default: ipamd with `events`, packed without)
//!   wait_threshold: 30s       # a pod waiting longer for an address fails the verdict, default 30s
//!   sample: 60s               # timeline interval, default 60s
//!   events:
//!     - at: 0s
//!       scale: { node_group: web, nodes: 10 }         # new nodes spread over the group's subnets
//!     - at: 0s
//!       deploy: { node_group: web, pods: 300, arrival: burst }   # burst (default) | one-by-one
//!     - at: 10m
//!       churn: { node_group: web, per_minute: 60, until: 40m }   # delete one pod + create one
//!     - at: 45m
//!       rolling_update: { node_group: web, surge: 1, drain_seconds: 60 }
//!     - at: 90m
//!       switch_mode: { node_group: web, mode: prefix }           # replaces the nodes (a rolling update)
//!     - at: 2h
//!       ecs: { service: orders, tasks: 10, release_after: 30s }  # an ECS service's running tasks
//! ```
//!
//! Without `events` (or without `simulate:` at all) the scenario is the plan's own peak, in the order the
//! closed form assumes (`capacity::node_pool`): at 0 s every group scales to `nodes + surge` and deploys
//! `pods_per_node` on each of them (or exactly `pods`, spread evenly: the first `pods mod nodes` nodes in launch
//! order take one more, and each surge node the pods of the node it replaces; [`crate::plan::NodeGroup::full_nodes`]),
//! pods arriving one by one on each node, each after the node's pool has settled, taking the lowest free pod
//! address (`pod_addresses: packed`).

use std::num::NonZeroU32;

use ipplan_core::AddressMode;
use serde::Serialize;

use crate::plan::Plan;
use crate::plan::vocabulary::GroupId;

/// ipamd's pool check interval when `tick` is not given: 5 s (`ipPoolMonitorInterval`, aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`).
pub const DEFAULT_TICK_SECONDS: u32 = 5;
/// The verdict's wait threshold when `wait_threshold` is not given: 30 s, two rounds of one pool check (5 s)
/// plus one ENI attach (up to 10 s, `eniAttachTime` in aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`), i.e. a top-up and then a new ENI. A pod held up by a
/// failed allocation waits at least the 120 s back-off, far beyond it.
pub const DEFAULT_WAIT_THRESHOLD_SECONDS: u32 = 30;
/// The timeline interval when `sample` is not given.
pub const DEFAULT_SAMPLE_SECONDS: u32 = 60;
/// How long a simulation without `duration` may run past its last event before it stops even if not steady: 6 h.
pub const MAX_UNTIL_STEADY_SECONDS: u32 = 6 * 3600;
/// The longest `duration` accepted: 7 days.
pub const MAX_DURATION_SECONDS: u32 = 7 * 24 * 3600;

/// Where EC2 puts the single addresses it hands out (node and ENI primaries, secondary IPs, other consumers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SinglePlacement {
    /// Uniformly over the free eligible addresses (seeded): the realistic case, it scatters singles over /28s.
    Random,
    /// The lowest free eligible address: packs singles, the best case for prefixes.
    Lowest,
}

/// Which free pod address a new pod gets on its node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PodAddressOrder {
    /// ipamd's own order (the default with `events`): the datastore walks its ENI map and then the ENI's CIDR
    /// map, each from a random slot of the Go map, and takes the first usable address (aws/amazon-vpc-cni-k8s
    /// `pkg/ipamd/datastore/data_store.go` `AssignPodIPv4Address`, `getUnusedIP`). Small Go maps start most
    /// walks at their first entry, so pods pack onto the first ENI and the first prefixes (docs/model.md,
    /// "Which address a pod gets").
    Ipamd,
    /// Any free one, uniformly (seeded): pods spread over every ENI and prefix with room.
    Random,
    /// The lowest (first ENI, first slot first): the dense packing the closed form assumes.
    Packed,
}

/// How the pods of a `deploy` reach their nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arrival {
    /// All at once, each to the least-loaded ready node.
    Burst,
    /// One pod per node at a time: a node takes its next pod only when its pool has settled (nothing to grow,
    /// no ENI attaching, no pod waiting), up to its even share (in launch order, the first `pods mod nodes`
    /// nodes take one more). The order the closed form (`capacity::node_pool`) assumes.
    OneByOne,
}

/// What happens at an event's time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// Scale the group to `nodes` nodes. New nodes launch in the group's subnet with the fewest of its nodes
    /// (their primary address at once), ipamd starts, and pods are scheduled after the launch delay; removed
    /// nodes are the newest, their pods go back to the scheduler.
    Scale {
        /// The node group.
        group: GroupId,
        /// The new node count.
        nodes: u32,
    },
    /// Set the group's pod count to `pods` (more: new pods, to the least-loaded nodes; fewer: pods deleted from
    /// the fullest nodes).
    Deploy {
        /// The node group.
        group: GroupId,
        /// The group's pod total.
        pods: u32,
        /// How new pods reach their nodes.
        arrival: Arrival,
    },
    /// Steady pod replacement: `per_minute` times a minute a running pod of the group is deleted (its address
    /// enters the 30 s cooldown) and a new one is created on the same node.
    Churn {
        /// The node group.
        group: GroupId,
        /// Replacements per minute over the whole group.
        per_minute: f64,
        /// When it stops (seconds from the start); `None`: at the end.
        until: Option<u32>,
    },
    /// Replace every node: launch `surge` new nodes, then every `drain_seconds` drain and terminate one old node
    /// and launch a new one while the group has fewer new nodes than before the update.
    RollingUpdate {
        /// The node group.
        group: GroupId,
        /// New nodes launched up front (default: the group's `surge`, at least 1).
        surge: u32,
        /// Seconds between two drains (default 60).
        drain_seconds: u32,
    },
    /// Switch the group's address mode by replacing its nodes (a rolling update with the group's surge, at
    /// least 1, and 60 s drains): new nodes run `mode` (and its max pods when `max_pods: auto`).
    SwitchMode {
        /// The node group.
        group: GroupId,
        /// The new mode.
        mode: AddressMode,
    },
    /// Set ECS service `service` (an index into [`Plan::ecs_services`]) to `tasks` running tasks. In `awsvpc` mode
    /// each new task's ENI takes one address at once, in the service's subnet with the fewest of its tasks (ECS
    /// spreads a service's tasks across Availability Zones); each stopped task (from the subnet with the most)
    /// keeps its address for `release_after` seconds (its stop timeout, and a load balancer's deregistration
    /// delay) before its ENI is deleted. A service named by any `ecs` event starts with its `tasks` running;
    /// the others hold their deployment peak for the whole run, as without events.
    Ecs {
        /// Index into [`Plan::ecs_services`].
        service: usize,
        /// Tasks running from then on.
        tasks: u32,
        /// Seconds a stopped task keeps its address.
        release_after: u32,
    },
}

/// How long a stopped ECS task keeps its ENI when `release_after` is not given: 30 s, ECS's default
/// `stopTimeout` (SIGTERM, then SIGKILL after 30 s; the task's ENI is detached and deleted as it deprovisions:
/// AWS ECS developer guide, task lifecycle; API reference, `StopTask` and `ContainerDefinition.stopTimeout`).
pub const DEFAULT_ECS_RELEASE_SECONDS: u32 = 30;
/// The longest `release_after`: an Elastic Load Balancing deregistration delay of at most 3600 s and a Fargate
/// `stopTimeout` of at most 120 s.
pub const MAX_ECS_RELEASE_SECONDS: u32 = 3600 + 120;

/// One scheduled event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Seconds from the start; applied at the first tick at or after it.
    pub at: u32,
    /// What happens.
    pub kind: EventKind,
}

/// A validated `simulate:` section (or the default scenario of a plan without one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Simulated seconds; `None`: until steady (nothing changed for 120 s after the last event), at most
    /// [`MAX_UNTIL_STEADY_SECONDS`] after the last event (see [`Scenario::end`]).
    pub duration: Option<u32>,
    /// The seed of every random choice (`ChaCha8Rng`).
    pub seed: u64,
    /// ipamd's pool check interval in seconds.
    pub tick: NonZeroU32,
    /// Where EC2 puts single addresses.
    pub placement: SinglePlacement,
    /// Which free pod address a new pod gets.
    pub pod_addresses: PodAddressOrder,
    /// A pod that waits longer than this many seconds for an address fails the verdict.
    pub wait_threshold: u32,
    /// Timeline interval in seconds.
    pub sample: NonZeroU32,
    /// Events, sorted by time (stable: file order within one time).
    pub events: Vec<Event>,
}

impl Scenario {
    /// The plan's own peak (see the module docs): every group scaled to `nodes + surge` at 0 s with its pods,
    /// one by one, packed, seed 1, until steady.
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, Scenario};
    /// use ipplan_planner::plan::EventKind;
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 3, surge: 1, pods_per_node: 20 }]
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let s = Scenario::peak(&plan);
    /// assert_eq!(s.events.len(), 2);
    /// assert!(matches!(s.events[0].kind, EventKind::Scale { group, nodes: 4 } if group.index() == 0));
    /// // 20 pods on each of the 4 nodes
    /// assert!(matches!(s.events[1].kind, EventKind::Deploy { group, pods: 80, .. } if group.index() == 0));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn peak(plan: &Plan) -> Self {
        Self {
            duration: None,
            seed: 1,
            tick: nonzero(DEFAULT_TICK_SECONDS),
            placement: SinglePlacement::Random,
            pod_addresses: PodAddressOrder::Packed,
            wait_threshold: DEFAULT_WAIT_THRESHOLD_SECONDS,
            sample: nonzero(DEFAULT_SAMPLE_SECONDS),
            events: peak_events(plan),
        }
    }
}

fn peak_events(plan: &Plan) -> Vec<Event> {
    let mut events = Vec::new();
    for ng in plan.node_groups() {
        let nodes = ng.peak_nodes();
        events.push(Event {
            at: 0,
            kind: EventKind::Scale {
                group: ng.id(),
                nodes,
            },
        });
    }
    for ng in plan.node_groups() {
        // exactly the plan's pods, spread as check counts them (`NodeGroup::full_nodes`): surge nodes carry
        // the pods of the nodes they replace; a mixed group runs its worst member (`NodeGroup::peak_pods` is
        // that member's). Validation bounds it by `MAX_GROUP_PODS`, far below `u32::MAX`.
        let pods = u32::try_from(ng.peak_pods()).unwrap_or(u32::MAX);
        events.push(Event {
            at: 0,
            kind: EventKind::Deploy {
                group: ng.id(),
                pods,
                arrival: Arrival::OneByOne,
            },
        });
    }
    events
}

/// A duration in seconds: a plain number of seconds, or units `s`, `m`, `h`, `d` in sequence (`90s`, `10m`,
/// `1h30m`); `None` when malformed or beyond `u32`. The one parser for every time in a plan and on the command line.
///
/// ```
/// assert_eq!(ipplan_planner::plan::parse_seconds("1h30m"), Some(5400));
/// assert_eq!(ipplan_planner::plan::parse_seconds("90"), Some(90));
/// assert_eq!(ipplan_planner::plan::parse_seconds("10 minutes"), None);
/// ```
#[must_use]
pub fn parse_seconds(text: &str) -> Option<u32> {
    let unit = |c: char| match c {
        's' => Some(1u64),
        'm' => Some(60),
        'h' => Some(3600),
        'd' => Some(86_400),
        _ => None,
    };
    if text.is_empty() {
        return None;
    }
    if let Ok(v) = text.parse::<u64>() {
        return u32::try_from(v).ok();
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            let mult = unit(c)?;
            let v: u64 = num.parse().ok()?;
            total = total.checked_add(v.checked_mul(mult)?)?;
            num.clear();
        }
    }
    if !num.is_empty() {
        return None;
    }
    u32::try_from(total).ok()
}

/// How much work a scenario asks of the simulation, for its bound ([`MAX_SIM_NODE_TICKS`],
/// [`MAX_SIM_REPLACEMENTS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// The most nodes at once (every group at its largest scale, rolling surges included) times the ticks.
    pub node_ticks: u64,
    /// Pod replacements `churn` asks for in all.
    pub replacements: u64,
}

/// The most node-ticks a scenario may ask for (a node is only visited when something is due, so this is a loose
/// bound: 5,000 nodes for 7 days at 5 s ticks is 6 x 10^8).
pub const MAX_SIM_NODE_TICKS: u64 = 20_000_000_000;
/// The most pod replacements a scenario may ask for: about 10 to 20 s of simulation (the engine does 15 to 20
/// million a second).
pub const MAX_SIM_REPLACEMENTS: u64 = 200_000_000;

impl Scenario {
    /// The latest time the simulation may reach: `duration`, or without one [`MAX_UNTIL_STEADY_SECONDS`] after the
    /// last event (or the last churn's `until`), at most [`MAX_DURATION_SECONDS`]. So no event is ever dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, Scenario};
    /// use ipplan_planner::plan::MAX_UNTIL_STEADY_SECONDS;
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 20 }]
    /// simulate: { events: [{ at: 8h, scale: { node_group: g, nodes: 5 } }] }
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let s = plan.scenario();
    /// assert_eq!(s.end(), 8 * 3600 + MAX_UNTIL_STEADY_SECONDS);
    /// assert_eq!(Scenario::peak(&plan).end(), MAX_UNTIL_STEADY_SECONDS);
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn end(&self) -> u32 {
        if let Some(d) = self.duration {
            return d;
        }
        let last = self
            .events
            .iter()
            .map(|e| match e.kind {
                EventKind::Churn { until: Some(u), .. } => e.at.max(u),
                _ => e.at,
            })
            .max()
            .unwrap_or(0);
        last.saturating_add(MAX_UNTIL_STEADY_SECONDS)
            .min(MAX_DURATION_SECONDS.max(last))
    }

    /// The work this scenario asks of the simulation of `plan`.
    #[must_use]
    pub fn work(&self, plan: &Plan) -> Work {
        let end = u64::from(self.end());
        let mut nodes = vec![0u64; plan.node_groups().len()];
        let mut replacements = 0f64;
        for e in &self.events {
            match &e.kind {
                EventKind::Scale { group, nodes: n } => {
                    let g = &mut nodes[group.index()];
                    *g = (*g).max(u64::from(*n));
                }
                EventKind::RollingUpdate { group, surge, .. } => {
                    nodes[group.index()] += u64::from(*surge);
                }
                EventKind::SwitchMode { group, .. } => {
                    nodes[group.index()] += u64::from(plan.group(*group).surge().max(1));
                }
                EventKind::Churn {
                    per_minute, until, ..
                } => {
                    let stop = until.map_or(end, u64::from).min(end);
                    let minutes = stop.saturating_sub(u64::from(e.at)) as f64 / 60.0;
                    replacements += per_minute * minutes;
                }
                EventKind::Deploy { .. } | EventKind::Ecs { .. } => {}
            }
        }
        let ticks = end.div_ceil(u64::from(self.tick.get())).max(1);
        Work {
            node_ticks: nodes.iter().sum::<u64>().saturating_mul(ticks),
            replacements: replacements.ceil().min(u64::MAX as f64) as u64,
        }
    }
}

/// A default interval as a [`NonZeroU32`] (every default is at least 1 s).
const fn nonzero(v: u32) -> NonZeroU32 {
    match NonZeroU32::new(v) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("2h"), Some(7200));
        assert_eq!(parse_seconds("90m"), Some(5400));
        assert_eq!(parse_seconds("3600s"), Some(3600));
        assert_eq!(parse_seconds("1h30m"), Some(5400));
        assert_eq!(parse_seconds("45"), Some(45));
        assert_eq!(parse_seconds("1d"), Some(86_400));
        assert_eq!(parse_seconds("h"), None);
        assert_eq!(parse_seconds("5x"), None);
        assert_eq!(parse_seconds("5m3"), None);
        assert_eq!(parse_seconds(""), None);
    }
}
