//! `ecs` events in `simulate:`: ECS tasks in `awsvpc` mode over time, against address counts derived by hand.
//!
//! The facts (docs/model.md, "ECS beside EKS"): an `awsvpc` task's ENI holds one address in one of the service's
//! subnets from the task's start (AWS ECS developer guide, task networking and task lifecycle: the ENI is
//! provisioned before the task runs, detached and deleted as it deprovisions); the service scheduler spreads tasks
//! across Availability Zones and scales in keeping them balanced (task placement strategies, `spread` on
//! `attribute:ecs.availability-zone`); a stopping task gets SIGTERM and SIGKILL after `stopTimeout`, 30 s by default
//! (API reference, `StopTask`, `ContainerDefinition.stopTimeout`), so by default its address comes back 30 s later.

mod common;

use common::held;
use ipplan_core::Catalog;
use ipplan_planner::sim::FailureKind;
use ipplan_planner::{Plan, Simulation};

fn plan(yaml: &str) -> Result<Plan, String> {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).map_err(|e| e.to_string())
}

/// Addresses subnet `i` holds at `t` (every tick before `t` run).
fn used_at(sim: &mut Simulation, i: usize, t: u32) -> u64 {
    sim.run_until(t);
    held(sim, i)
}

const ONE: &str = "subnets:
  - { name: a, az: z1, cidr: 10.0.0.0/24, other_consumers: [{ what: alb, addresses: 8 }] }
ecs_services: [{ name: web, tasks: 40, subnets: [a] }]
";

#[test]
fn a_scale_in_releases_its_tasks_addresses_at_once_or_after_the_stop_timeout() {
    // at the start web runs its 40 tasks (steady: no deployment), one address each, beside the ALB's 8: 48.
    // 40 -> 10 at 30m with release_after 0s: the 30 stopped tasks' addresses come back at that tick: 18.
    let p = plan(&format!(
        "{ONE}simulate: {{ tick: 5s, sample: 5s, events: [{{ at: 30m, ecs: {{ service: web, tasks: 10, release_after: 0s }} }}] }}\n"
    ))
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 0), 48);
    assert_eq!(used_at(&mut sim, 0, 1800), 48);
    assert_eq!(used_at(&mut sim, 0, 1801), 18);
    sim.run();
    let r = sim.report();
    assert!(r.fits());
    // the timeline (a row every 5 s, each after its tick): 48 up to 29m55s, 18 from 30m
    let at = |t: u32| {
        r.timeline
            .rows
            .iter()
            .find(|row| row.t == t)
            .unwrap()
            .subnets[0]
            .used_addresses
    };
    assert_eq!((at(1795), at(1800)), (48, 18));
    assert_eq!(r.subnets[0].used, 48);

    // the default release_after, 30 s (ECS's default stopTimeout): still 48 at 30m and up to 30m30s, 18 after
    let p = plan(&format!(
        "{ONE}simulate: {{ tick: 5s, events: [{{ at: 30m, ecs: {{ service: web, tasks: 10 }} }}] }}\n"
    ))
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 1801), 48);
    assert_eq!(used_at(&mut sim, 0, 1830), 48);
    assert_eq!(used_at(&mut sim, 0, 1831), 18);
    // behind an ALB: its deregistration delay (300 s by default) first, then the stop timeout
    let p = plan(&format!(
        "{ONE}simulate: {{ tick: 5s, events: [{{ at: 30m, ecs: {{ service: web, tasks: 10, release_after: 5m30s }} }}] }}\n"
    ))
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 1800 + 330), 48);
    assert_eq!(used_at(&mut sim, 0, 1800 + 331), 18);
    // a scale-out takes its addresses at once: 10 -> 60 at 40m
    let p = plan(&format!(
        "{ONE}simulate: {{ tick: 5s, events: [{{ at: 30m, ecs: {{ service: web, tasks: 10, release_after: 0s }} }}, \
         {{ at: 40m, ecs: {{ service: web, tasks: 60 }} }}] }}\n"
    ))
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 2400), 18);
    assert_eq!(used_at(&mut sim, 0, 2401), 68);
    sim.run();
    assert_eq!(sim.report().subnets[0].used, 68);
}

#[test]
fn without_an_ecs_event_the_service_holds_its_deployment_peak_as_before() {
    // no ecs event: web holds floor(40 x 200 / 100) = 80 from the start, as the closed form's parallel run
    let p = plan(&format!("{ONE}simulate: {{ duration: 10m }}\n")).unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 0), 88);
    assert_eq!(used_at(&mut sim, 0, 600), 88);
    // an event for one service plays that one only; the other keeps its peak
    let p = plan(
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/24 }]
ecs_services:
  - { name: web, tasks: 40, subnets: [a] }
  - { name: jobs, tasks: 10, max_percent: 150, subnets: [a] }
simulate: { tick: 5s, events: [{ at: 5m, ecs: { service: web, tasks: 0, release_after: 0s } }] }
",
    )
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    // web 40 tasks, jobs floor(10 x 1.5) = 15: 55; web gone at 5m: 15
    assert_eq!(used_at(&mut sim, 0, 0), 55);
    assert_eq!(used_at(&mut sim, 0, 301), 15);
}

#[test]
fn tasks_spread_across_the_service_subnets_and_scale_in_keeps_them_balanced() {
    // api 5 tasks over [a, b]: each new task to the subnet with fewest, the first on a tie: a, b, a, b, a -> 3, 2.
    // 8 at 10m: b (3, 3), a (4, 3), b (4, 4). 3 at 20m (release 0s): stop from the most, the last on a tie:
    // b (4, 3), a (3, 3), b (3, 2), a (2, 2), b (2, 1).
    let p = plan(
        "subnets:
  - { name: a, az: z1, cidr: 10.0.0.0/24 }
  - { name: b, az: z2, cidr: 10.0.1.0/24 }
ecs_services: [{ name: api, tasks: 5, subnets: [a, b] }]
simulate:
  tick: 5s
  events:
    - { at: 10m, ecs: { service: api, tasks: 8 } }
    - { at: 20m, ecs: { service: api, tasks: 3, release_after: 0s } }
",
    )
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    let both = |sim: &mut Simulation, t: u32| (used_at(sim, 0, t), used_at(sim, 1, t));
    assert_eq!(both(&mut sim, 0), (3, 2));
    assert_eq!(both(&mut sim, 601), (4, 4));
    assert_eq!(both(&mut sim, 1201), (2, 1));
}

#[test]
fn a_task_without_an_address_fails_the_run_and_waits() {
    // a /28: 16 - 5 AWS-reserved = 11 addresses; web wants 12 at the start: 11 run, 1 fails (counted in a) and is
    // tried every 60 s: at 1m, 2m, ..., 10m (10 more failures; at 10m the retry comes before the event); at 10m
    // the service goes to 5 (release 0s): the waiting task is dropped first, then 6 stop: 5 held, no more
    // failures. 1 + 10 = 11 failed allocations.
    let p = plan(
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/28 }]
ecs_services: [{ name: web, tasks: 12, subnets: [a] }]
simulate: { tick: 5s, events: [{ at: 10m, ecs: { service: web, tasks: 5, release_after: 0s } }] }
",
    )
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 0), 11);
    assert_eq!(used_at(&mut sim, 0, 600), 11);
    assert_eq!(used_at(&mut sim, 0, 601), 5);
    sim.run();
    let r = sim.report();
    assert!(!r.fits());
    let s = &r.subnets[0];
    assert_eq!(
        s.failed_allocations.insufficient_free_addresses_in_subnet,
        11
    );
    let f = s.first_failure.as_ref().unwrap();
    assert_eq!(
        (f.t, f.node_group.as_str(), f.kind, f.free_addresses),
        (
            0,
            "ecs:web",
            FailureKind::InsufficientFreeAddressesInSubnet,
            0
        )
    );
    assert_eq!(
        f.message(),
        "t=0s subnet 'a': InsufficientFreeAddressesInSubnet for ECS service 'web' with 0 free addresses and 0 free \
         /28 blocks"
    );
    let v = r.verdict.first_failure.as_ref().unwrap();
    assert!(v.message.contains("for ECS service 'web'"), "{}", v.message);
}

#[test]
fn bad_ecs_events_name_the_field_and_the_fix() {
    let with = |ev: &str| {
        plan(&format!(
            "subnets: [{{ name: a, az: z1, cidr: 10.0.0.0/24 }}]
ecs_services:
  - {{ name: web, tasks: 4, subnets: [a] }}
  - {{ name: legacy, tasks: 4, subnets: [a], network_mode: bridge }}
simulate: {{ events: [{{ at: 1m, ecs: {ev} }}] }}
"
        ))
        .unwrap_err()
    };
    assert_eq!(
        with("{ service: wbe, tasks: 2 }"),
        "plan.yaml: simulate.events[0].ecs.service: unknown ECS service 'wbe' (did you mean 'web'?)"
    );
    assert_eq!(
        with("{ service: legacy, tasks: 2 }"),
        "plan.yaml: simulate.events[0].ecs.service: 'legacy' runs in bridge mode: its tasks hold no addresses of \
         their own, so the event changes nothing; drop it, or set the service's network_mode to awsvpc"
    );
    assert_eq!(
        with("{ service: web, tasks: 200000 }"),
        "plan.yaml: simulate.events[0].ecs.tasks: 200000 is more than 100000: more tasks than ipplan plans for one \
         service: check the number"
    );
    assert_eq!(
        with("{ service: web, tasks: 2, release_after: 2h }"),
        "plan.yaml: simulate.events[0].ecs.release_after: 7200 is more than 3720: longer than ECS holds a stopped \
         task's ENI (a load balancer's deregistration delay of at most 3600s plus a stopTimeout of at most 120s, in \
         seconds): give a shorter time"
    );
    assert_eq!(
        with("{ service: web, task: 2 }"),
        "plan.yaml: unknown field 'task' in simulate.events[0].ecs (did you mean 'tasks'?)"
    );
    assert_eq!(
        with("{ service: web }"),
        "plan.yaml: simulate.events[0].ecs.tasks: required field is missing: add it"
    );
    // no services at all
    let e = plan(
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/24 }]
simulate: { events: [{ at: 1m, ecs: { service: web, tasks: 2 } }] }
",
    )
    .unwrap_err();
    assert_eq!(
        e,
        "plan.yaml: simulate.events[0].ecs.service: unknown ECS service 'web' (the plan has no ecs_services: add the \
         service there)"
    );
}

#[test]
fn the_shift_example_plays_its_cutover_over_time() {
    // examples/ecs-to-eks-shift.yaml's `simulate:`: a step every 30 minutes, each service set to the step's tasks.
    // An m5.large holds 3 ENIs x 10 = 30 addresses once it runs 10 or more pods (ceil(10 / 9) = 2 ENIs + the warm
    // one), and 10 when idle (its primary ENI's 9 free secondaries are the warm ENI's worth). New nodes go to the
    // subnet with the fewest of the group's nodes, the first on a tie.
    // - 90% (1h30m): 17 nodes, 6 / 6 / 5. Of the 160 new pods the 9 ready nodes take 29 - 2 - 20 = 7 each (63),
    //   the other 97 wait for the 8 new nodes to be ready: 12 or 13 each, so every node holds 30. ECS: web 75 -> 15
    //   tasks, 5 per subnet, worker 30 -> 6, 2 per subnet. private-a: 6 x 30 + 5 + 2 + 13 (ALB, endpoints) = 200.
    // - 100% (2h): the 18th node in private-c, idle (the 20 new pods go to the ready nodes), holding 10 while the
    //   stopped tasks keep their 7 for 30 s: 5 x 30 + 10 + 7 + 13 = 180, then 173.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/ecs-to-eks-shift.yaml"
    ))
    .unwrap();
    let p = plan(&text).unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 7140), 200);
    assert_eq!(used_at(&mut sim, 2, 7140), 170);
    assert_eq!(used_at(&mut sim, 2, 7201), 180);
    assert_eq!(used_at(&mut sim, 2, 7231), 173);
    sim.run();
    let r = sim.report();
    assert!(r.fits());
    let peaks: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(peaks, vec![200, 200, 180]);
}

#[test]
fn the_tasks_running_today_are_the_first_to_run_and_give_their_addresses_back() {
    // web runs 4 tasks today at 10.0.0.10-13 (`at`) and plans 6: those 4 run from the start at their addresses, 2
    // more are placed: 4 + 2 + 8 (ALB) = 14. At 5m web goes to 0 (release 0s): 8, and 10.0.0.10 is free again.
    let p = plan(
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/24, other_consumers: [{ what: alb, addresses: 8 }] }]
ecs_services: [{ name: web, tasks: 6, subnets: [a], at: [10.0.0.10-10.0.0.13] }]
simulate: { tick: 5s, events: [{ at: 5m, ecs: { service: web, tasks: 0, release_after: 0s } }] }
",
    )
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 0), 14);
    let mut a = sim.allocator(0).unwrap().clone();
    assert!(a.assign_explicit("10.0.0.10".parse().unwrap()).is_err());
    assert_eq!(used_at(&mut sim, 0, 301), 8);
    let mut a = sim.allocator(0).unwrap().clone();
    for x in ["10.0.0.10", "10.0.0.13"] {
        assert!(a.assign_explicit(x.parse().unwrap()).is_ok(), "{x}");
    }
    // without the event the service holds its peak as today's budget counts it: max(6 x 2, 4) = 12, the 4 known
    // addresses among them: 12 + 8 = 20
    let p = plan(
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/24, other_consumers: [{ what: alb, addresses: 8 }] }]
ecs_services: [{ name: web, tasks: 6, subnets: [a], at: [10.0.0.10-10.0.0.13] }]
simulate: { duration: 10m }
",
    )
    .unwrap();
    let mut sim = Simulation::new(&p, &p.scenario());
    assert_eq!(used_at(&mut sim, 0, 0), 20);
}
