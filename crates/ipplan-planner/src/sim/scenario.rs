//! The `simulate:` section of a plan file, validated into a [`Scenario`].
//!
//! # Schema
//!
//! ```yaml
//! simulate:
//!   duration: 2h              # 3600s | 90m | 2h | 1h30m | a number of seconds; default: until steady
//!   seed: 1                   # u64, default 1
//!   tick: 5s                  # ipamd's pool check interval, default 5s
//!   placement: random         # random (default) | lowest: where EC2 puts single addresses
//!   pod_addresses: random     # random | packed: which free pod address a new pod gets on its node
//!                             # (default: random with `events`, packed without)
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
//! ```
//!
//! Without `events` (or without `simulate:` at all) the scenario is the plan's own peak, in the order the
//! closed form assumes ([`crate::node_pool`]): at 0 s every group scales to `nodes + surge` and deploys
//! `pods_per_node` on each of them (or `pods`, spread evenly), pods arriving one by one on each node, each
//! after the node's pool has settled, taking the lowest free pod address (`pod_addresses: packed`).

use std::collections::HashMap;

use ipplan_core::AddressMode;
use serde::Serialize;
use serde_yaml::Value;

use crate::error::PlanError;
use crate::plan::{Plan, PodsSpec};
use crate::yaml::{Node, suggest};

/// ipamd's pool check interval when `tick` is not given: 5 s (`ipPoolMonitorInterval`, domain.md §1.2).
pub const DEFAULT_TICK_SECONDS: u32 = 5;
/// The verdict's wait threshold when `wait_threshold` is not given: 30 s, two rounds of one pool check (5 s)
/// plus one ENI attach (up to 10 s, domain.md §1.2), i.e. a top-up and then a new ENI. A pod held up by a
/// failed allocation waits at least the 120 s back-off, far beyond it.
pub const DEFAULT_WAIT_THRESHOLD_SECONDS: u32 = 30;
/// The timeline interval when `sample` is not given.
pub const DEFAULT_SAMPLE_SECONDS: u32 = 60;
/// How long a simulation without `duration` may run before it stops even if not steady: 6 h.
pub const MAX_UNTIL_STEADY_SECONDS: u32 = 6 * 3600;
/// The longest `duration` accepted: 7 days.
pub const MAX_DURATION_SECONDS: u32 = 7 * 24 * 3600;

const SIMULATE: &[&str] = &[
    "duration",
    "seed",
    "tick",
    "placement",
    "pod_addresses",
    "wait_threshold",
    "sample",
    "events",
];
const EVENT_KINDS: &[&str] = &["scale", "deploy", "churn", "rolling_update", "switch_mode"];
const SCALE: &[&str] = &["node_group", "nodes"];
const DEPLOY: &[&str] = &["node_group", "pods", "arrival"];
const CHURN: &[&str] = &["node_group", "per_minute", "until"];
const ROLLING: &[&str] = &["node_group", "surge", "drain_seconds"];
const SWITCH: &[&str] = &["node_group", "mode"];

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
    /// Any free one (seeded): the datastore iterates Go maps, so in effect arbitrary (domain.md §1.5).
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
    /// no ENI attaching, no pod waiting). The order [`crate::node_pool`] assumes.
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
        /// Index into [`Plan::node_groups`].
        group: usize,
        /// The new node count.
        nodes: u32,
    },
    /// Set the group's pod count to `pods` (more: new pods, to the least-loaded nodes; fewer: pods deleted from
    /// the fullest nodes).
    Deploy {
        /// Index into [`Plan::node_groups`].
        group: usize,
        /// The group's pod total.
        pods: u32,
        /// How new pods reach their nodes.
        arrival: Arrival,
    },
    /// Steady pod replacement: `per_minute` times a minute a running pod of the group is deleted (its address
    /// enters the 30 s cooldown) and a new one is created on the same node.
    Churn {
        /// Index into [`Plan::node_groups`].
        group: usize,
        /// Replacements per minute over the whole group.
        per_minute: f64,
        /// When it stops (seconds from the start); `None`: at the end.
        until: Option<u32>,
    },
    /// Replace every node: launch `surge` new nodes, then every `drain_seconds` drain and terminate one old node
    /// and launch a new one while the group has fewer new nodes than before the update.
    RollingUpdate {
        /// Index into [`Plan::node_groups`].
        group: usize,
        /// New nodes launched up front (default: the group's `surge`, at least 1).
        surge: u32,
        /// Seconds between two drains (default 60).
        drain_seconds: u32,
    },
    /// Switch the group's address mode by replacing its nodes (a rolling update with the group's surge, at
    /// least 1, and 60 s drains): new nodes run `mode` (and its max pods when `max_pods: auto`).
    SwitchMode {
        /// Index into [`Plan::node_groups`].
        group: usize,
        /// The new mode.
        mode: AddressMode,
    },
}

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
    /// [`MAX_UNTIL_STEADY_SECONDS`].
    pub duration: Option<u32>,
    /// The seed of every random choice (`ChaCha8Rng`).
    pub seed: u64,
    /// ipamd's pool check interval in seconds.
    pub tick: u32,
    /// Where EC2 puts single addresses.
    pub placement: SinglePlacement,
    /// Which free pod address a new pod gets.
    pub pod_addresses: PodAddressOrder,
    /// A pod that waits longer than this many seconds for an address fails the verdict.
    pub wait_threshold: u32,
    /// Timeline interval in seconds.
    pub sample: u32,
    /// Events, sorted by time (stable: file order within one time).
    pub events: Vec<Event>,
}

impl Scenario {
    /// The plan's own peak (see the module docs): every group scaled to `nodes + surge` at 0 s with its pods,
    /// one by one, packed, seed 1, until steady.
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{EventKind, Plan, Scenario};
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 3, surge: 1, pods_per_node: 20 }]
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let s = Scenario::peak(&plan);
    /// assert_eq!(s.events.len(), 2);
    /// assert!(matches!(s.events[0].kind, EventKind::Scale { group: 0, nodes: 4 }));
    /// // 20 pods on each of the 4 nodes
    /// assert!(matches!(s.events[1].kind, EventKind::Deploy { group: 0, pods: 80, .. }));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn peak(plan: &Plan) -> Self {
        Self {
            duration: None,
            seed: 1,
            tick: DEFAULT_TICK_SECONDS,
            placement: SinglePlacement::Random,
            pod_addresses: PodAddressOrder::Packed,
            wait_threshold: DEFAULT_WAIT_THRESHOLD_SECONDS,
            sample: DEFAULT_SAMPLE_SECONDS,
            events: peak_events(plan),
        }
    }

    /// The plan's `simulate:` section, or [`Scenario::peak`] when there is none. A section without `events`
    /// runs the peak events with its own settings (and packed pod addresses unless `pod_addresses` says).
    ///
    /// ```
    /// use ipplan_core::Catalog;
    /// use ipplan_planner::{Plan, Scenario};
    /// let yaml = "
    /// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
    /// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 20 }]
    /// simulate:
    ///   duration: 1h30m
    ///   events: [{ at: 5m, churn: { node_group: g, per_minute: 10 } }]
    /// ";
    /// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
    /// let s = Scenario::from_plan(&plan)?;
    /// assert_eq!((s.duration, s.events[0].at, s.tick), (Some(5400), 300, 5));
    ///
    /// let bad = yaml.replace("per_minute", "per_minut");
    /// let plan = Plan::from_yaml_str(&bad, "plan.yaml", &Catalog::embedded())?;
    /// assert_eq!(
    ///     Scenario::from_plan(&plan).unwrap_err().to_string(),
    ///     "plan.yaml: unknown field 'per_minut' in simulate.events[0].churn (did you mean 'per_minute'?)"
    /// );
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    ///
    /// # Errors
    /// [`PlanError`] naming the file and the field path (`simulate.events[2].deploy.node_group`) for unknown
    /// fields, bad durations, unknown node groups and bad values.
    pub fn from_plan(plan: &Plan) -> Result<Self, PlanError> {
        let Some(value) = plan.simulate.as_ref() else {
            return Ok(Self::peak(plan));
        };
        let root = Node {
            value,
            path: "simulate".to_string(),
            file: &plan.file,
        };
        if matches!(value, Value::Null) {
            return Ok(Self::peak(plan));
        }
        let o = root.object(SIMULATE)?;
        let mut s = Self::peak(plan);
        // own events: random pod addresses unless told; the peak events keep the closed form's order
        if o.get("events").is_some() {
            s.pod_addresses = PodAddressOrder::Random;
        }
        if let Some(n) = o.get("duration") {
            let d = seconds(&n)?;
            if d == 0 || d > MAX_DURATION_SECONDS {
                return Err(n.err(format!(
                    "duration {d}s is out of range: give 1s to 7d (e.g. 2h)"
                )));
            }
            s.duration = Some(d);
        }
        if let Some(n) = o.get("seed") {
            s.seed = n.uint(0, u64::MAX)?;
        }
        if let Some(n) = o.get("tick") {
            let t = seconds(&n)?;
            if !(1..=60).contains(&t) {
                return Err(n.err(format!(
                    "tick {t}s is out of range: give 1s to 60s (ipamd checks every 5s)"
                )));
            }
            s.tick = t;
        }
        if let Some(n) = o.get("placement") {
            s.placement = match n.choice("placement", &["random", "lowest"])? {
                "lowest" => SinglePlacement::Lowest,
                _ => SinglePlacement::Random,
            };
        }
        if let Some(n) = o.get("pod_addresses") {
            s.pod_addresses = match n.choice("pod address order", &["random", "packed"])? {
                "packed" => PodAddressOrder::Packed,
                _ => PodAddressOrder::Random,
            };
        }
        if let Some(n) = o.get("wait_threshold") {
            s.wait_threshold = seconds(&n)?;
        }
        if let Some(n) = o.get("sample") {
            let t = seconds(&n)?;
            if t == 0 {
                return Err(n.err("sample must be at least 1s: give e.g. 60s"));
            }
            s.sample = t;
        }
        if let Some(list) = o.get("events") {
            let groups: Vec<&str> = plan.node_groups.iter().map(|g| g.name.as_str()).collect();
            let mut events = Vec::new();
            for item in list.list()? {
                events.push(event(&item, &groups, plan, s.duration)?);
            }
            events.sort_by_key(|e| e.at);
            s.events = events;
        }
        Ok(s)
    }
}

/// The default events: every group to `nodes + surge` with its pods, at 0 s, one by one.
fn peak_events(plan: &Plan) -> Vec<Event> {
    let mut events = Vec::new();
    for (g, ng) in plan.node_groups.iter().enumerate() {
        let nodes = ng.peak_nodes();
        events.push(Event {
            at: 0,
            kind: EventKind::Scale { group: g, nodes },
        });
    }
    for (g, ng) in plan.node_groups.iter().enumerate() {
        let pods = match ng.pods {
            PodsSpec::PerNode(p) => p.saturating_mul(ng.peak_nodes()),
            // surge nodes carry the pods of the nodes they replace: the same per-node count as check
            PodsSpec::Total(_) => ng.pods_per_node().saturating_mul(ng.peak_nodes()),
        };
        events.push(Event {
            at: 0,
            kind: EventKind::Deploy {
                group: g,
                pods,
                arrival: Arrival::OneByOne,
            },
        });
    }
    events
}

fn group(n: &Node<'_>, groups: &[&str]) -> Result<usize, PlanError> {
    let name = n.str()?;
    groups.iter().position(|g| *g == name).ok_or_else(|| {
        let hint = match suggest(name, groups) {
            Some(s) => format!("did you mean '{s}'?"),
            None if groups.is_empty() => "the plan has no node_groups: add one".to_string(),
            None => format!("known: {}", groups.join(", ")),
        };
        n.err(format!("unknown node group '{name}' ({hint})"))
    })
}

fn event(
    item: &Node<'_>,
    groups: &[&str],
    plan: &Plan,
    duration: Option<u32>,
) -> Result<Event, PlanError> {
    let mut allowed = vec!["at"];
    allowed.extend_from_slice(EVENT_KINDS);
    let o = item.object(&allowed)?;
    let at_node = o.req("at")?;
    let at = seconds(&at_node)?;
    if let Some(d) = duration
        && at > d
    {
        return Err(at_node.err(format!(
            "event at {at}s is after the end of the simulation ({d}s): move it or raise simulate.duration"
        )));
    }
    let present: Vec<&str> = EVENT_KINDS
        .iter()
        .copied()
        .filter(|k| o.get(k).is_some())
        .collect();
    let kind_name = match present.as_slice() {
        [k] => *k,
        [] => {
            return Err(o.err(format!(
                "missing event: give one of {}",
                EVENT_KINDS.join(", ")
            )));
        }
        more => {
            return Err(o.err(format!(
                "one event per list item, found {}: split it into separate items",
                more.join(" and ")
            )));
        }
    };
    let body = o.get(kind_name).expect("present");
    let kind = match kind_name {
        "scale" => {
            let b = body.object(SCALE)?;
            EventKind::Scale {
                group: group(&b.req("node_group")?, groups)?,
                nodes: b.req("nodes")?.u32(0)?,
            }
        }
        "deploy" => {
            let b = body.object(DEPLOY)?;
            let arrival = match b.get("arrival") {
                None => Arrival::Burst,
                Some(n) => match n.choice("arrival", &["burst", "one-by-one"])? {
                    "one-by-one" => Arrival::OneByOne,
                    _ => Arrival::Burst,
                },
            };
            EventKind::Deploy {
                group: group(&b.req("node_group")?, groups)?,
                pods: b.req("pods")?.u32(0)?,
                arrival,
            }
        }
        "churn" => {
            let b = body.object(CHURN)?;
            let pm = b.req("per_minute")?;
            let per_minute = match pm.value {
                Value::Number(x) => x.as_f64().filter(|v| v.is_finite() && *v >= 0.0),
                _ => None,
            }
            .filter(|v| *v <= 10_000_000.0)
            .ok_or_else(|| {
                pm.err("expected a number of pod replacements per minute from 0 to 10000000, such as 60")
            })?;
            let until = match b.get("until") {
                None => None,
                Some(n) => {
                    let u = seconds(&n)?;
                    if u < at {
                        return Err(n.err(format!(
                            "until {u}s is before the event's start at {at}s: give a later time"
                        )));
                    }
                    Some(u)
                }
            };
            if until.is_none() && duration.is_none() {
                return Err(o.err(
                    "churn without 'until' never settles: give churn.until or simulate.duration",
                ));
            }
            EventKind::Churn {
                group: group(&b.req("node_group")?, groups)?,
                per_minute,
                until,
            }
        }
        "rolling_update" => {
            let b = body.object(ROLLING)?;
            let g = group(&b.req("node_group")?, groups)?;
            EventKind::RollingUpdate {
                group: g,
                surge: match b.get("surge") {
                    None => plan.node_groups[g].surge.max(1),
                    Some(n) => n.u32(1)?,
                },
                drain_seconds: match b.get("drain_seconds") {
                    None => 60,
                    Some(n) => n.u32(0)?,
                },
            }
        }
        _ => {
            let b = body.object(SWITCH)?;
            let mode = match b.req("mode")?.choice("mode", &["secondary-ip", "prefix"])? {
                "prefix" => AddressMode::Prefix,
                _ => AddressMode::SecondaryIp,
            };
            EventKind::SwitchMode {
                group: group(&b.req("node_group")?, groups)?,
                mode,
            }
        }
    };
    Ok(Event { at, kind })
}

/// A time: a whole number of seconds, or number-unit pairs such as `90m`, `1h30m`, `3600s`, `1d`.
fn seconds(n: &Node<'_>) -> Result<u32, PlanError> {
    let bad = |shown: String| {
        n.err(format!(
            "invalid time {shown}: give seconds or a number with a unit (s, m, h, d) such as 90m or 1h30m"
        ))
    };
    let text = match n.value {
        Value::Number(x) => {
            return x
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| bad(format!("'{x}'")));
        }
        Value::String(s) => s.trim(),
        _ => return Err(bad("(not a string or number)".to_string())),
    };
    parse_seconds(text).ok_or_else(|| bad(format!("'{text}'")))
}

/// A duration in seconds: a plain number of seconds, or units `s`, `m`, `h`, `d` in sequence (`90s`, `10m`,
/// `1h30m`); `None` when malformed or beyond `u32`. The one parser for every time in a plan and on the command line.
///
/// ```
/// assert_eq!(ipplan_planner::parse_seconds("1h30m"), Some(5400));
/// assert_eq!(ipplan_planner::parse_seconds("90"), Some(90));
/// assert_eq!(ipplan_planner::parse_seconds("10 minutes"), None);
/// ```
#[must_use]
pub fn parse_seconds(text: &str) -> Option<u32> {
    let units: HashMap<char, u64> = [('s', 1), ('m', 60), ('h', 3600), ('d', 86_400)].into();
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
            let mult = *units.get(&c)?;
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
