//! What a simulation reports: [`SimReport`] (per subnet, per group, pod waits, verdict) and its [`Timeline`].
//!
//! ## Wire format
//! `SimReport` serialises (JSON/YAML) with `schema_version` = [`SIM_SCHEMA_VERSION`] (the same version as every
//! report, [`crate::report`]); fields are only added
//! within a version. Times are whole seconds from the start; fragmentation is a share in `0..=1` rounded to
//! 4 decimals. Same plan + scenario (seed included) give byte-identical output.

use std::fmt::Write as _;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::alloc::SubnetAllocator;
use crate::plan::{NodeLoad, Plan, SubnetDemand, pool_of};
use crate::report::{Failure, Verdict};

/// The version of the simulation report's wire format.
pub const SIM_SCHEMA_VERSION: u32 = crate::report::REPORT_SCHEMA_VERSION;

/// The basis line of a simulated verdict (as [`crate::report::Basis::Simulated`] describes it).
pub const SIMULATED_BASIS: &str = "simulated: ipamd control loop per node per tick (aws/amazon-vpc-cni-k8s pkg/ipamd/ipamd.go) over a /28-aware subnet allocator";

/// The EC2 error of a failed allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum FailureKind {
    /// No wholly free aligned /28 for a prefix.
    InsufficientCidrBlocks,
    /// No free single address.
    InsufficientFreeAddressesInSubnet,
}

impl FailureKind {
    /// The EC2 error code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InsufficientCidrBlocks => "InsufficientCidrBlocks",
            Self::InsufficientFreeAddressesInSubnet => "InsufficientFreeAddressesInSubnet",
        }
    }
}

/// Failed allocations by EC2 error. One count per failed EC2 action of ipamd (a top-up whose retry with one
/// slot failed too, or an ENI creation), per failed node launch and per failed branch-ENI address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailureCounts {
    /// `InsufficientCidrBlocks`.
    pub insufficient_cidr_blocks: u64,
    /// `InsufficientFreeAddressesInSubnet`.
    pub insufficient_free_addresses_in_subnet: u64,
}

impl FailureCounts {
    /// Both kinds together.
    #[must_use]
    pub const fn total(&self) -> u64 {
        self.insufficient_cidr_blocks + self.insufficient_free_addresses_in_subnet
    }
}

/// One failed allocation, with the subnet's state at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureEvent {
    /// Seconds from the start.
    pub t: u32,
    /// Index into the plan's subnets.
    pub subnet: usize,
    /// The subnet's name.
    pub subnet_name: String,
    /// The node group whose node asked.
    pub node_group: String,
    /// The EC2 error.
    pub kind: FailureKind,
    /// Free single-eligible addresses in the subnet then.
    pub free_addresses: u64,
    /// Wholly free /28 blocks that could take a prefix then.
    pub free_prefix_blocks: u64,
}

impl FailureEvent {
    /// One line for humans.
    ///
    /// ```
    /// use ipplan_planner::sim::{FailureEvent, FailureKind};
    /// let f = FailureEvent { t: 125, subnet: 0, subnet_name: "a".into(), node_group: "g".into(),
    ///     kind: FailureKind::InsufficientCidrBlocks, free_addresses: 700, free_prefix_blocks: 0 };
    /// assert_eq!(f.message(), "t=125s subnet 'a': InsufficientCidrBlocks for node group 'g' with 700 free addresses and 0 free /28 blocks");
    /// ```
    #[must_use]
    pub fn message(&self) -> String {
        format!(
            "t={}s subnet '{}': {} for {} with {} free addresses and {} free /28 blocks",
            self.t,
            self.subnet_name,
            self.kind.as_str(),
            crate::report::requester(&self.node_group),
            self.free_addresses,
            self.free_prefix_blocks
        )
    }
}

/// One subnet over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSubnetReport {
    /// Name.
    pub name: String,
    /// CIDR.
    pub cidr: Ipv4Net,
    /// Addresses that can be handed out: size − 5 AWS-reserved − explicit reservations (as `check` counts them).
    pub capacity: u64,
    /// The most addresses held at once (singles + 16 per prefix; other consumers and control plane included).
    pub used: u64,
    /// `capacity − used`.
    pub headroom: i64,
    /// No allocation failed here and the peak stayed within capacity.
    pub fits: bool,
    /// The most /28 prefixes held at once.
    pub peak_prefixes_held: u64,
    /// The fewest wholly free prefix-capable /28 blocks at any time.
    pub min_free_prefix_blocks: u64,
    /// Free single-eligible addresses at the end.
    pub final_free_addresses: u64,
    /// Wholly free prefix-capable /28 blocks at the end.
    pub final_free_prefix_blocks: u64,
    /// Failed allocations by EC2 error.
    pub failed_allocations: FailureCounts,
    /// The first failure in this subnet.
    pub first_failure: Option<FailureEvent>,
    /// The highest fragmentation score seen (share of prefix-capable blocks without a prefix that single
    /// addresses spoil; [`crate::alloc::SubnetAllocator::fragmentation`]).
    pub fragmentation_peak: f64,
    /// The fragmentation score at the end.
    pub fragmentation_final: f64,
    /// Failed allocations over time, for the plot: one mark per stretch of `interval` seconds with a failure (at
    /// first the timeline's interval; a long run doubles it, merging neighbours, so that at most
    /// [`MAX_FAILURE_MARKS`] remain), at its first failure's time with the addresses held then.
    pub failure_marks: Vec<FailureMark>,
}

/// The most [`FailureMark`]s a subnet keeps.
pub const MAX_FAILURE_MARKS: usize = 256;

/// Failed allocations in one stretch of time in one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FailureMark {
    /// The first failure's time, seconds from the start.
    pub t: u32,
    /// Addresses the subnet held then (singles + 16 per prefix).
    pub used_addresses: u64,
    /// Failures in the stretch, by EC2 error.
    pub failed: FailureCounts,
}

/// A subnet's [`FailureMark`]s as the run goes: bounded, the stretches doubling when full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailureMarks {
    width: u32,
    marks: Vec<FailureMark>,
}

impl FailureMarks {
    /// None yet, in stretches of `width` seconds.
    pub(crate) fn new(width: u32) -> Self {
        Self {
            width: width.max(1),
            marks: Vec::new(),
        }
    }

    /// A failure of `kind` at `t` with `used` addresses held.
    pub(crate) fn push(&mut self, t: u32, used: u64, kind: FailureKind) {
        let add = |c: &mut FailureCounts| match kind {
            FailureKind::InsufficientCidrBlocks => c.insufficient_cidr_blocks += 1,
            FailureKind::InsufficientFreeAddressesInSubnet => {
                c.insufficient_free_addresses_in_subnet += 1;
            }
        };
        let w = u64::from(self.width);
        if let Some(last) = self.marks.last_mut()
            && u64::from(last.t) / w == u64::from(t) / w
        {
            add(&mut last.failed);
            return;
        }
        let mut m = FailureMark {
            t,
            used_addresses: used,
            failed: FailureCounts::default(),
        };
        add(&mut m.failed);
        self.marks.push(m);
        if self.marks.len() > MAX_FAILURE_MARKS {
            self.width = self.width.saturating_mul(2);
            let w = u64::from(self.width);
            let mut merged: Vec<FailureMark> = Vec::with_capacity(self.marks.len() / 2 + 1);
            for m in self.marks.drain(..) {
                match merged.last_mut() {
                    Some(l) if u64::from(l.t) / w == u64::from(m.t) / w => {
                        l.failed.insufficient_cidr_blocks += m.failed.insufficient_cidr_blocks;
                        l.failed.insufficient_free_addresses_in_subnet +=
                            m.failed.insufficient_free_addresses_in_subnet;
                    }
                    _ => merged.push(m),
                }
            }
            self.marks = merged;
        }
    }

    /// The marks so far.
    pub(crate) fn marks(&self) -> &[FailureMark] {
        &self.marks
    }
}

/// One node group over the whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimGroupReport {
    /// Name.
    pub name: String,
    /// The most nodes at once.
    pub peak_nodes: u32,
    /// Nodes at the end.
    pub final_nodes: u32,
    /// Pods running at the end.
    pub final_pods_running: u64,
    /// The most ENIs any node held (the primary included, the trunk not).
    pub max_enis_per_node: u32,
    /// The most slots (secondary IPs or prefixes) any node held.
    pub max_slots_per_node: u32,
}

/// Pods that waited in `ContainerCreating` for an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodWaits {
    /// Pods that got an address (on a node).
    pub placed: u64,
    /// Pods that waited at all (not given an address the moment they landed on their node).
    pub waited: u64,
    /// Pods that waited longer than the threshold.
    pub waited_beyond_threshold: u64,
    /// The threshold in seconds.
    pub threshold_seconds: u32,
    /// The longest wait in seconds (pods still waiting at the end count with their wait so far).
    pub max_wait_seconds: u32,
    /// Median wait of the pods that waited, seconds.
    pub p50_wait_seconds: u32,
    /// 99th percentile wait of the pods that waited, seconds.
    pub p99_wait_seconds: u32,
    /// Pods still waiting for an address at the end.
    pub still_waiting: u64,
    /// Pods no node could take at the end (max pods or no ready node).
    pub unschedulable_at_end: u64,
    /// Pods held up unscheduled longer than the threshold: every node they may run on at its max pods, or no
    /// address for a new node (time waiting for a launching node does not count).
    pub pending_beyond_threshold: u64,
    /// The longest such held-up time, seconds (pods still pending at the end count with their time so far).
    pub max_pending_seconds: u32,
    /// Pod replacements done by `churn` events.
    pub replacements: u64,
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    /// Seconds from the start.
    pub t: u32,
    /// Nodes (joined, not terminated).
    pub nodes: u32,
    /// Pods with an address.
    pub pods_running: u64,
    /// Pods on a node waiting for an address.
    pub pods_waiting: u64,
    /// Pods not yet on a node.
    pub pods_unscheduled: u64,
    /// Per subnet, in plan order.
    pub subnets: Vec<TimelineSubnet>,
}

/// One subnet in one timeline row: 12 bytes, because a long run holds one per subnet per sample (a week
/// sampled every minute over 1,200 subnets is 12 million of them). A subnet is at most a /16, so its counts fit
/// in 32 bits, and the fragmentation score is kept in ten-thousandths, its 4 decimals. It serializes as
/// `used_addresses`, `free_prefix_blocks` and `fragmentation` (the score as a number, 4 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineSubnet {
    /// Addresses held (singles + 16 per prefix).
    pub used_addresses: u32,
    /// Wholly free prefix-capable /28 blocks.
    pub free_prefix_blocks: u32,
    /// The fragmentation score in ten-thousandths, 0 to 10,000 ([`TimelineSubnet::fragmentation`]).
    pub fragmentation_e4: u16,
}

impl TimelineSubnet {
    /// A sample from full-width counts and a score from 0 to 1, rounded to 4 decimals (counts beyond 32 bits,
    /// which no subnet of /16 or smaller has, are kept at `u32::MAX`).
    ///
    /// ```
    /// use ipplan_planner::sim::TimelineSubnet;
    /// let s = TimelineSubnet::new(40, 12, 0.123_456);
    /// assert_eq!((s.used_addresses, s.free_prefix_blocks, s.fragmentation_e4), (40, 12, 1235));
    /// assert_eq!(s.fragmentation(), 0.1235);
    /// ```
    #[must_use]
    pub fn new(used_addresses: u64, free_prefix_blocks: u64, fragmentation: f64) -> Self {
        // the score is in 0..=1, so the rounded ten-thousandths are in 0..=10_000
        let e4 = (fragmentation.clamp(0.0, 1.0) * 10_000.0).round();
        Self {
            used_addresses: u32::try_from(used_addresses).unwrap_or(u32::MAX),
            free_prefix_blocks: u32::try_from(free_prefix_blocks).unwrap_or(u32::MAX),
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fragmentation_e4: e4 as u16,
        }
    }

    /// The fragmentation score, 4 decimals: the same `f64` as rounding the score to 4 decimals.
    #[must_use]
    pub fn fragmentation(&self) -> f64 {
        f64::from(self.fragmentation_e4) / 10_000.0
    }
}

impl Serialize for TimelineSubnet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = serializer.serialize_struct("TimelineSubnet", 3)?;
        st.serialize_field("used_addresses", &self.used_addresses)?;
        st.serialize_field("free_prefix_blocks", &self.free_prefix_blocks)?;
        st.serialize_field("fragmentation", &self.fragmentation())?;
        st.end()
    }
}

/// The state over time, sampled every `interval_seconds` (and at the end).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// Sample interval.
    pub interval_seconds: u32,
    /// Subnet names, in the order of [`TimelineRow::subnets`].
    pub subnet_names: Vec<String>,
    /// Rows, by time.
    pub rows: Vec<TimelineRow>,
}

impl Timeline {
    /// CSV with a header: `t,nodes,pods_running,pods_waiting,pods_unscheduled`, then per subnet
    /// `<name>.used,<name>.free_blocks,<name>.fragmentation`.
    ///
    /// ```
    /// use ipplan_planner::sim::{Timeline, TimelineRow, TimelineSubnet};
    /// let t = Timeline { interval_seconds: 60, subnet_names: vec!["a".into()], rows: vec![TimelineRow {
    ///     t: 60, nodes: 2, pods_running: 5, pods_waiting: 1, pods_unscheduled: 0,
    ///     subnets: vec![TimelineSubnet::new(40, 12, 0.25)] }] };
    /// assert_eq!(t.to_csv(), "t,nodes,pods_running,pods_waiting,pods_unscheduled,a.used,a.free_blocks,a.fragmentation\n60,2,5,1,0,40,12,0.2500\n");
    /// ```
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut out = String::from("t,nodes,pods_running,pods_waiting,pods_unscheduled");
        for n in &self.subnet_names {
            let n = csv_field(n);
            let _ = write!(out, ",{n}.used,{n}.free_blocks,{n}.fragmentation");
        }
        out.push('\n');
        for r in &self.rows {
            let _ = write!(
                out,
                "{},{},{},{},{}",
                r.t, r.nodes, r.pods_running, r.pods_waiting, r.pods_unscheduled
            );
            for s in &r.subnets {
                let _ = write!(
                    out,
                    ",{},{},{:.4}",
                    s.used_addresses,
                    s.free_prefix_blocks,
                    s.fragmentation()
                );
            }
            out.push('\n');
        }
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The result of a simulation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    /// [`SIM_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The instance data version.
    pub data_version: &'static str,
    /// The plan file.
    pub plan: String,
    /// Fits, basis (`simulated`), first failure (a finding object: an allocation that failed, a pod that waited
    /// beyond the threshold, pods still waiting or without a node at the end).
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The seed used.
    pub seed: u64,
    /// Simulated seconds.
    pub duration_seconds: u32,
    /// Whether the run stopped because nothing changed any more (`false`: it hit `duration` or the cap).
    pub steady: bool,
    /// Tick in seconds.
    pub tick_seconds: u32,
    /// Per subnet, in plan order.
    pub subnets: Vec<SimSubnetReport>,
    /// Per node group, in plan order.
    pub node_groups: Vec<SimGroupReport>,
    /// Pod waits.
    pub pods: PodWaits,
    /// The state over time.
    pub timeline: Timeline,
}

impl SimReport {
    /// The simulated verdict.
    #[must_use]
    pub const fn fits(&self) -> bool {
        self.verdict.fits
    }
}

/// Round to 4 decimals (fragmentation scores in reports).
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The result of [`crate::simulate_trials`]: one run per seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialsReport {
    /// Runs.
    pub trials: u32,
    /// The first seed (runs use `seed`, `seed + 1`, ...).
    pub first_seed: u64,
    /// Share of runs in which some pod waited longer than the threshold (or was still waiting at the end).
    pub probability_wait: f64,
    /// Share of runs in which pods were pending beyond the threshold with no node to take them (every node at max
    /// pods, or no address for a new node).
    pub probability_pending: f64,
    /// Share of runs that do not fit.
    pub probability_not_fit: f64,
    /// Share of runs with at least one failed allocation.
    pub probability_failed_allocation: f64,
    /// Per run, in seed order.
    pub runs: Vec<TrialOutcome>,
}

impl TrialsReport {
    /// The report of `runs` (in seed order, the first with `first_seed`), the shares counted over them.
    #[must_use]
    pub fn from_runs(first_seed: u64, runs: Vec<TrialOutcome>) -> Self {
        let n = runs.len().max(1) as f64;
        let share =
            |f: &dyn Fn(&TrialOutcome) -> bool| runs.iter().filter(|o| f(o)).count() as f64 / n;
        Self {
            trials: u32::try_from(runs.len()).unwrap_or(u32::MAX),
            first_seed,
            probability_wait: share(&|o| o.pods_waited_beyond_threshold > 0),
            probability_pending: share(&|o| o.pods_pending_beyond_threshold > 0),
            probability_not_fit: share(&|o| !o.fits),
            probability_failed_allocation: share(&|o| o.failed_allocations > 0),
            runs,
        }
    }
}

/// One run of [`crate::simulate_trials`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialOutcome {
    /// The seed.
    pub seed: u64,
    /// The run's verdict.
    pub fits: bool,
    /// Pods that waited beyond the threshold (or were still waiting at the end).
    pub pods_waited_beyond_threshold: u64,
    /// The longest wait, seconds.
    pub max_wait_seconds: u32,
    /// Pods pending beyond the threshold with no node to take them.
    pub pods_pending_beyond_threshold: u64,
    /// Failed allocations over all subnets.
    pub failed_allocations: u64,
}

/// The verdict's reason when every failed allocation was ipamd growing a node's pool (`first` the first of
/// `failures`) and no pod waited beyond `threshold` or went without a node: what the next scale-up meets in
/// the subnet as it ends (`end`), a new node of the same group taking its start-up pool there (the closed form
/// with no pod, [`crate::capacity::node_pool`]).
pub(crate) fn warm_pool_only(
    plan: &Plan,
    first: &FailureEvent,
    failures: u64,
    end: &SubnetAllocator,
    threshold: u32,
) -> Failure {
    let subnet = &plan.subnets()[first.subnet];
    let mut need = SubnetDemand::default();
    if let Some(g) = plan
        .node_groups()
        .iter()
        .find(|g| g.name() == first.node_group)
    {
        let load = NodeLoad {
            pods: 0,
            branch_pods: 0,
            host_network_pods: g.host_network_pods(),
            max_pods: g.max_pods(),
        };
        let pool = pool_of(g.shape(), plan.cni(), &load);
        let id = subnet.id();
        if g.subnets().contains(&id) {
            need += pool.node_subnet;
        }
        if g.subnets().iter().any(|&s| plan.eni_subnet_for(s) == id) {
            need += pool.pod_subnet;
        }
    }
    let (free, blocks) = (end.free_addresses(), end.free_blocks());
    let next_error = if need.prefixes > blocks {
        Some(FailureKind::InsufficientCidrBlocks)
    } else if need.addresses() > free {
        Some(FailureKind::InsufficientFreeAddressesInSubnet)
    } else {
        None
    };
    Failure::WarmPoolNotHeld {
        t: first.t,
        subnet: subnet.name().to_string(),
        cidr: subnet.cidr(),
        node_group: first.node_group.clone(),
        error: first.kind.as_str().to_string(),
        failed_allocations: failures,
        threshold_seconds: threshold,
        free_addresses: free,
        free_prefix_blocks: blocks,
        new_node_addresses: need.singles,
        new_node_prefixes: need.prefixes,
        next_error: next_error.map(|e| e.as_str().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::{FailureKind, FailureMarks, MAX_FAILURE_MARKS};

    #[test]
    fn failure_marks_stay_bounded_and_keep_every_failure() {
        let mut m = FailureMarks::new(60);
        // two failures in the first minute: one mark at the first's time and addresses
        m.push(5, 100, FailureKind::InsufficientCidrBlocks);
        m.push(50, 120, FailureKind::InsufficientFreeAddressesInSubnet);
        assert_eq!(m.marks().len(), 1);
        assert_eq!((m.marks()[0].t, m.marks()[0].used_addresses), (5, 100));
        assert_eq!(m.marks()[0].failed.total(), 2);
        // one a minute for 1,000 minutes: 1,001 stretches of 60 s, merged to 120 s, 240 s, ... until at most 256
        for i in 1..=1000u32 {
            m.push(60 * i, 200, FailureKind::InsufficientCidrBlocks);
        }
        let marks = m.marks();
        assert!(marks.len() <= MAX_FAILURE_MARKS, "{}", marks.len());
        assert_eq!(marks.iter().map(|k| k.failed.total()).sum::<u64>(), 1002);
        assert_eq!(marks[0].t, 5);
        assert!(marks.windows(2).all(|w| w[0].t < w[1].t));
    }
}
