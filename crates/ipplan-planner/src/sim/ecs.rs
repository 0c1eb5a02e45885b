//! ECS tasks over time (`ecs` events in `simulate:`): each `awsvpc` task's ENI takes one address in one of its
//! service's subnets while the task runs, and keeps it a while after the task stops.
//!
//! # Model (docs/model.md, "ECS beside EKS")
//!
//! * A task in `awsvpc` mode gets its ENI (one primary private address) as it is provisioned, before it runs (AWS
//!   ECS developer guide, task lifecycle: PROVISIONING); here that is at the event's tick.
//! * The service scheduler spreads a service's tasks across Availability Zones (the default placement strategy
//!   `spread` on `attribute:ecs.availability-zone`): a new task goes to the service's subnet with the fewest of its
//!   tasks, the first in the service's list on a tie; if that subnet has no free address it tries the next one. A
//!   task that finds no address anywhere is retried every [`LAUNCH_RETRY_SECONDS`] and counts a failed allocation.
//! * Scaling in, ECS picks the tasks to stop so the zones stay balanced, at random within a zone (AWS ECS
//!   developer guide, task placement strategies): here a task of the subnet with the most, the last on a tie, one
//!   of its tasks drawn with a seeded generator.
//! * A stopping task keeps its ENI until it has stopped: ECS sends SIGTERM and, after the container's
//!   `stopTimeout` (default 30 s), SIGKILL; the ENI is then detached and deleted as the task deprovisions (behind a
//!   load balancer the target's deregistration delay, default 300 s, comes first). The event's `release_after`
//!   says how long; the address goes back to the subnet at the first tick after it.
//! * Only services named by an `ecs` event are played this way; they start with their `tasks` running (steady,
//!   no deployment under way): the tasks that run today at known addresses (`ecs_services[].at`) first, then new
//!   ones where the service spreads them (or, with fewer `tasks` than addresses, stopped at the start). The others
//!   hold their deployment peak for the whole run, as without events.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::alloc::SubnetAllocator;
use crate::plan::{EventKind, Plan, Scenario};
use crate::sim::engine::LAUNCH_RETRY_SECONDS;

#[derive(Debug, Clone)]
struct Service {
    /// `ecs:NAME`, as failures and the breakdown name it.
    who: String,
    /// Named by an `ecs` event.
    tracked: bool,
    /// Its subnets, as plan subnet indexes, in the service's order.
    subnets: Vec<usize>,
    /// Each subnet's running tasks' addresses (parallel to `subnets`).
    running: Vec<Vec<Ipv4Addr>>,
    /// Each subnet's addresses of the tasks that run today (`ecs_services[].at`), held from the start.
    today: Vec<Vec<Ipv4Addr>>,
    /// Tasks wanted that found no address yet.
    pending: u32,
    /// When pending tasks are tried again.
    next_retry: u32,
}

/// The ECS services' tasks in a simulation.
#[derive(Debug, Clone)]
pub(crate) struct EcsTasks {
    services: Vec<Service>,
    /// Stopped tasks' addresses: (release time, subnet, address), soonest first.
    releasing: BinaryHeap<Reverse<(u32, usize, u32)>>,
    rng: ChaCha8Rng,
}

impl EcsTasks {
    /// The services of `plan`; those `scenario` names in an `ecs` event are tracked task by task.
    pub(crate) fn new(plan: &Plan, scenario: &Scenario) -> Self {
        let services =
            plan.ecs_services()
                .iter()
                .enumerate()
                .map(|(k, e)| Service {
                    who: format!("ecs:{}", e.name),
                    today: today(plan, k),
                    tracked: scenario.events.iter().any(
                        |ev| matches!(ev.kind, EventKind::Ecs { service, .. } if service == k),
                    ),
                    subnets: e.subnets.iter().map(|s| s.index()).collect(),
                    running: vec![Vec::new(); e.subnets.len()],
                    pending: 0,
                    next_retry: 0,
                })
                .collect();
        // its own stream, so runs without ECS events draw exactly what they did before
        Self {
            services,
            releasing: BinaryHeap::new(),
            rng: ChaCha8Rng::seed_from_u64(scenario.seed ^ 0x4543_535F_5441_534B),
        }
    }

    /// Of what subnet `subnet`'s budget counts for ECS (every service at its deployment peak, or its tasks there
    /// today when more), the part of the tracked services that is not already held at known addresses: taken
    /// here task by task instead.
    pub(crate) fn tracked_peak(&self, plan: &Plan, subnet: usize) -> u64 {
        let id = plan.subnets()[subnet].id();
        plan.ecs_services()
            .iter()
            .zip(&self.services)
            .filter(|(_, s)| s.tracked)
            .filter_map(|(e, s)| {
                let j = s.subnets.iter().position(|&x| x == subnet)?;
                Some(e.addresses_in(id).saturating_sub(s.today[j].len() as u64))
            })
            .sum()
    }

    /// At the start: every tracked service runs its planned tasks. Returns the failed allocations as
    /// `(subnet, who)`.
    pub(crate) fn start(
        &mut self,
        plan: &Plan,
        allocs: &mut [SubnetAllocator],
    ) -> Vec<(usize, String)> {
        let mut failed = Vec::new();
        for k in 0..self.services.len() {
            if self.services[k].tracked {
                // today's tasks (their addresses already held) run; then the planned count
                let svc = &mut self.services[k];
                svc.running = svc.today.clone();
                let tasks = plan.ecs_services()[k].tasks;
                self.set(0, k, tasks, 0, allocs, &mut failed);
            }
        }
        failed
    }

    /// Set service `k` to `tasks` at `t`; stopped tasks keep their address for `release_after` seconds.
    pub(crate) fn set(
        &mut self,
        t: u32,
        k: usize,
        tasks: u32,
        release_after: u32,
        allocs: &mut [SubnetAllocator],
        failed: &mut Vec<(usize, String)>,
    ) {
        let svc = &mut self.services[k];
        let running: u32 = svc.running.iter().map(|r| r.len() as u32).sum();
        let have = running + svc.pending;
        if tasks >= have {
            for _ in have..tasks {
                if !Self::launch(svc, allocs, failed) {
                    svc.pending += 1;
                    svc.next_retry = t + LAUNCH_RETRY_SECONDS;
                }
            }
            return;
        }
        // fewer: those still waiting for an address first, then running ones
        let mut drop = have - tasks;
        let cancel = drop.min(svc.pending);
        svc.pending -= cancel;
        drop -= cancel;
        for _ in 0..drop {
            // the subnet with the most of its tasks, the last on a tie
            let Some(j) = (0..svc.subnets.len()).max_by_key(|&j| (svc.running[j].len(), j)) else {
                break;
            };
            let n = svc.running[j].len();
            if n == 0 {
                break;
            }
            let addr = svc.running[j].swap_remove(self.rng.random_range(0..n));
            let s = svc.subnets[j];
            if release_after == 0 {
                let _ = allocs[s].release_single(addr);
            } else {
                self.releasing
                    .push(Reverse((t + release_after, s, u32::from(addr))));
            }
        }
    }

    /// One task of `svc`: an address in its subnet with the fewest of its tasks (the first on a tie), else the
    /// next; false (a failure counted in the first choice) when none has one.
    fn launch(
        svc: &mut Service,
        allocs: &mut [SubnetAllocator],
        failed: &mut Vec<(usize, String)>,
    ) -> bool {
        let mut order: Vec<usize> = (0..svc.subnets.len()).collect();
        order.sort_by_key(|&j| (svc.running[j].len(), j));
        for &j in &order {
            if let Ok(a) = allocs[svc.subnets[j]].alloc_single() {
                svc.running[j].push(a);
                return true;
            }
        }
        if let Some(&j) = order.first() {
            failed.push((svc.subnets[j], svc.who.clone()));
        }
        false
    }

    /// At tick `t`: hand back the addresses of tasks stopped long enough ago, and try pending tasks again when
    /// due. Returns whether anything changed.
    pub(crate) fn tick(
        &mut self,
        t: u32,
        allocs: &mut [SubnetAllocator],
        failed: &mut Vec<(usize, String)>,
    ) -> bool {
        let mut changed = false;
        while let Some(&Reverse((at, s, a))) = self.releasing.peek() {
            if at > t {
                break;
            }
            self.releasing.pop();
            let _ = allocs[s].release_single(Ipv4Addr::from(a));
            changed = true;
        }
        for svc in &mut self.services {
            if svc.pending > 0 && t >= svc.next_retry {
                let n = svc.pending;
                svc.pending = 0;
                for _ in 0..n {
                    if Self::launch(svc, allocs, failed) {
                        changed = true;
                    } else {
                        svc.pending += 1;
                    }
                }
                svc.next_retry = t + LAUNCH_RETRY_SECONDS;
            }
        }
        changed
    }

    /// Whether tasks are still waiting for an address or stopped tasks still hold one.
    pub(crate) fn busy(&self) -> bool {
        !self.releasing.is_empty() || self.services.iter().any(|s| s.pending > 0)
    }

    /// The next time [`EcsTasks::tick`] has something to do.
    pub(crate) fn next_due(&self) -> Option<u32> {
        let release = self.releasing.peek().map(|Reverse((at, _, _))| *at);
        let retry = self
            .services
            .iter()
            .filter(|s| s.pending > 0)
            .map(|s| s.next_retry)
            .min();
        match (release, retry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Service `k`'s addresses of today's tasks (`ecs_services[].at`: addresses and inclusive ranges, validated), per
/// subnet of the service.
fn today(plan: &Plan, k: usize) -> Vec<Vec<Ipv4Addr>> {
    let e = &plan.ecs_services()[k];
    let mut out = vec![Vec::new(); e.subnets.len()];
    let Some(spec) = plan.spec().ecs_services.get(k) else {
        return out;
    };
    for text in &spec.at {
        let t = text.trim();
        let (a, b) = match t.split_once('-') {
            Some((a, b)) => (a.trim().parse::<Ipv4Addr>(), b.trim().parse::<Ipv4Addr>()),
            None => (t.parse(), t.parse()),
        };
        let (Ok(a), Ok(b)) = (a, b) else { continue };
        for x in u32::from(a)..=u32::from(b) {
            let addr = Ipv4Addr::from(x);
            if let Some(j) = e
                .subnets
                .iter()
                .position(|s| plan.subnet(*s).cidr().contains(&addr))
            {
                out[j].push(addr);
            }
        }
    }
    out
}
