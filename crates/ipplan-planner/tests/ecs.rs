//! ECS services beside the cluster (`ecs_services`): the migration's phases against numbers worked by hand
//! (AWS ECS developer guide: an `awsvpc` task holds one address in one of the service's subnets, `bridge` and
//! `host` tasks none; a deployment runs up to floor(desiredCount * maximumPercent / 100) tasks, default 200).

use ipplan_core::Catalog;
use ipplan_planner::capacity::{FitFailure, Migration, MigrationStep};
use ipplan_planner::plan::Overlap;
use ipplan_planner::{Plan, check};

fn plan(yaml: &str) -> Result<Plan, String> {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).map_err(|e| e.to_string())
}

#[test]
fn the_example_tells_the_migration_story() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/ecs-to-eks.yaml"
    ))
    .unwrap();
    let p = plan(&text).unwrap();
    let r = check(&p);
    assert!(!r.fits());
    for s in &r.subnets {
        // the example's header: ECS 130 + 13 = 143, EKS 240 + 13 = 253, both 383, of 251
        assert_eq!(s.capacity, 251);
        assert_eq!(
            s.migration,
            Some(Migration {
                overlap: Overlap::Full,
                ecs: 143,
                eks: 253,
                parallel: 383,
                steps: vec![],
                worst_weight: None,
            }),
            "{}",
            s.name
        );
        assert_eq!(s.used, 383);
        assert_eq!(s.breakdown.other_consumers["ecs:web"], 100);
        assert_eq!(s.breakdown.other_consumers["ecs:worker"], 30);
        assert_eq!(s.breakdown.warm_pool, 56);
    }
}

const BASE: &str = "subnets:
  - { name: a, az: z1, cidr: 10.0.0.0/24 }
  - { name: b, az: z2, cidr: 10.0.1.0/24 }
node_groups: [{ name: g, instance_type: m5.large, subnets: [a, b], nodes: 2, pods_per_node: 5 }]
";

#[test]
fn tasks_spread_over_subnets_and_bridge_tasks_hold_none() {
    // 7 tasks x 150% = floor(10.5) = 10 at peak, over 2 subnets: 5 each. bridge: 0.
    let p = plan(&format!(
        "{BASE}ecs_services:\n  - {{ name: api, tasks: 7, max_percent: 150, subnets: [a, b] }}\n  \
         - {{ name: legacy, tasks: 40, subnets: [a], network_mode: bridge }}\n"
    ))
    .unwrap();
    let r = check(&p);
    let m = r.subnets[0].migration.clone().unwrap();
    assert_eq!(m.parallel - m.eks, 5);
    let m1 = r.subnets[1].migration.clone().unwrap();
    assert_eq!(m1.parallel - m1.eks, 5);
    assert!(
        !r.subnets[0]
            .breakdown
            .other_consumers
            .contains_key("ecs:legacy")
    );
    // an odd peak: 3 tasks x 200% = 6 over 2 subnets is 3 each; 5 x 100% = 5 is ceil(5 / 2) = 3 each
    let p = plan(&format!(
        "{BASE}ecs_services:\n  - {{ name: api, tasks: 5, max_percent: 100, subnets: [a, b] }}\n"
    ))
    .unwrap();
    let m = check(&p).subnets[1].migration.clone().unwrap();
    assert_eq!(m.parallel - m.eks, 3);
    // no ECS: no migration view
    assert!(check(&plan(BASE).unwrap()).subnets[0].migration.is_none());
}

#[test]
fn bad_services_name_the_field_and_the_fix() {
    let err = |svc: &str| plan(&format!("{BASE}ecs_services:\n  - {svc}\n")).unwrap_err();
    assert_eq!(
        err("{ name: api, tasks: 4, subnets: [c] }"),
        "plan.yaml: ecs_services[0].subnets[0]: unknown subnet 'c' (known: a, b)"
    );
    assert_eq!(
        err("{ name: api, tasks: 4, max_percent: 50, subnets: [a] }"),
        "plan.yaml: ecs_services[0].max_percent: 50 is out of range: give deploymentConfiguration.maximumPercent, 100 to 1000 (default 200)"
    );
    assert_eq!(
        err("{ name: api, tasks: 4, subnets: [a], network_mode: awsvp }"),
        "plan.yaml: ecs_services[0].network_mode: unknown network mode 'awsvp' (did you mean 'awsvpc'?)"
    );
    assert_eq!(
        err("{ name: api, task: 4, subnets: [a] }"),
        "plan.yaml: unknown field 'task' in ecs_services[0] (did you mean 'tasks'?)"
    );
}

fn step(weight: u32, ecs: u64, eks: u64, used: u64, fits: bool) -> MigrationStep {
    MigrationStep {
        weight,
        ecs,
        eks,
        used,
        fits,
    }
}

#[test]
fn the_shift_example_judges_its_worst_step_which_is_not_the_last() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/ecs-to-eks-shift.yaml"
    ))
    .unwrap();
    let p = plan(&text).unwrap();
    let r = check(&p);
    // the example's header: the full parallel run is 323 of 251, but every step of the shift fits
    assert!(r.fits(), "{:?}", r.findings);
    for s in &r.subnets {
        let m = s.migration.clone().unwrap();
        assert_eq!((m.ecs, m.eks, m.parallel), (143, 193, 323), "{}", s.name);
        assert_eq!(m.overlap, Overlap::Shift);
        // w = 5: 1 node (ceil(0.9)), ceil(1 / 3) = 1 per subnet x 30; web ceil(142.5) = 143 tasks, 286 at peak,
        // ceil(286 / 3) = 96; worker 57, floor(85.5) = 85, ceil(85 / 3) = 29
        // w = 20: ceil(3.6) = 4 nodes, 2 per subnet; web 120, 240, 80; worker 48, 72, 24
        // w = 50: 9 nodes, 3 per subnet; web 75, 150, 50; worker 30, 45, 15
        // w = 90: ceil(16.2) = 17 nodes, ceil(17 / 3) = 6 per subnet; web 15, 30, 10; worker 6, 9, 3
        // w = 100: 18 nodes, 6 per subnet; no tasks
        // used = 13 (ALB + endpoints) + EKS + ECS
        assert_eq!(
            m.steps,
            vec![
                step(5, 125, 30, 168, true),
                step(20, 104, 60, 177, true),
                step(50, 65, 90, 168, true),
                step(90, 13, 180, 206, true),
                step(100, 0, 180, 193, true),
            ],
            "{}",
            s.name
        );
        assert_eq!(m.worst_weight, Some(90));
        // the subnet's figures are the worst step's, and its breakdown adds up to them
        assert_eq!((s.used, s.headroom), (206, 45));
        assert_eq!(s.breakdown.total(), 206);
        assert_eq!(s.breakdown.other_consumers["ecs:web"], 10);
        assert_eq!(s.breakdown.other_consumers["ecs:worker"], 3);
        assert_eq!(s.breakdown.node_primaries, 6);
    }
    // full overlap on the same plan: the parallel run is judged and does not fit
    let full = text.replace(
        "overlap: shift\n  weights: [5, 20, 50, 90, 100]",
        "overlap: full",
    );
    assert_ne!(full, text);
    let r = check(&plan(&full).unwrap());
    assert!(!r.fits());
    assert_eq!(r.subnets[0].used, 323);
    assert!(r.subnets[0].migration.as_ref().unwrap().steps.is_empty());
}

#[test]
fn a_failing_step_is_judged_the_first_failing_one_with_the_most_addresses() {
    // two /26s: 64 - 5 = 59 addresses each. c5.large with 1 pod: its primary ENI and one warm ENI, 2 x 10 = 20
    // addresses a node (aws-eks-best-practices vpc-cni.adoc). 5 nodes over 2 subnets; api 44 tasks x 200%.
    // w = 10: ceil(0.5) = 1 node, ceil(1 / 2) = 1 per subnet = 20; ceil(39.6) = 40 tasks, 80 at peak, 40 each:
    //         60 of 59, over
    // w = 50: ceil(2.5) = 3 nodes, ceil(3 / 2) = 2 = 40; 22 tasks, 44, 22 each: 62, over (the most)
    // w = 100: 5 nodes, 3 per subnet = 60; no tasks: 60, over
    let p = plan(
        "subnets:
  - { name: a, az: z1, cidr: 10.0.0.0/26 }
  - { name: b, az: z2, cidr: 10.0.0.64/26 }
node_groups: [{ name: g, instance_type: c5.large, subnets: [a, b], nodes: 5, pods_per_node: 1 }]
ecs_services: [{ name: api, tasks: 44, subnets: [a, b] }]
migration: { overlap: shift, weights: [10, 50, 100] }
",
    )
    .unwrap();
    let r = check(&p);
    assert!(!r.fits());
    for s in &r.subnets {
        let m = s.migration.clone().unwrap();
        assert_eq!(
            m.steps,
            vec![
                step(10, 40, 20, 60, false),
                step(50, 22, 40, 62, false),
                step(100, 0, 60, 60, false),
            ]
        );
        assert_eq!(m.worst_weight, Some(50));
        assert_eq!((s.used, s.capacity), (62, 59));
        assert_eq!(s.first_failure, Some(FitFailure::Addresses));
        // the parallel run alone: 60 + ceil(88 / 2) = 104
        assert_eq!(m.parallel, 104);
    }
    // the finding carries the worst step's numbers
    let f = r.verdict.first_failure.as_ref().unwrap();
    assert!(f.message.contains("62"), "{}", f.message);
    // the group's room: even 1 node per subnet (2 nodes) does not fit every step: at w = 10 ceil(0.2) = 1 node,
    // 1 per subnet, 20 + 40 = 60 of 59
    assert_eq!(r.node_groups[0].max_nodes, 0);
}

#[test]
fn bad_migration_sections_name_the_field_and_the_fix() {
    let with = |m: &str| {
        plan(&format!(
            "{BASE}ecs_services: [{{ name: api, tasks: 4, subnets: [a] }}]\nmigration: {m}\n"
        ))
        .unwrap_err()
    };
    assert_eq!(
        with("{ overlap: shift }"),
        "plan.yaml: migration.weights: overlap: shift needs the traffic weights: give the percent on EKS at each step, e.g. [5, 20, 50, 100]"
    );
    assert_eq!(
        with("{ overlap: shift, weights: [] }"),
        "plan.yaml: migration.weights: overlap: shift needs the traffic weights: give the percent on EKS at each step, e.g. [5, 20, 50, 100]"
    );
    assert_eq!(
        with("{ overlap: shift, weights: [5, 120] }"),
        "plan.yaml: migration.weights[1]: 120 is out of range: give the percent of traffic on EKS, 0 to 100"
    );
    assert_eq!(
        with("{ overlap: shift, weights: [5, 50, 50, 100] }"),
        "plan.yaml: migration.weights[2]: 50 does not follow 50: list the steps in order, each a larger share of the traffic"
    );
    assert_eq!(
        with("{ overlap: shift, weights: [50, 20, 100] }"),
        "plan.yaml: migration.weights[1]: 20 does not follow 50: list the steps in order, each a larger share of the traffic"
    );
    assert_eq!(
        with("{ overlap: shift, weights: [5, 50] }"),
        "plan.yaml: migration.weights: end at 50: end with 100, the step where EKS takes all the traffic and ECS runs no tasks"
    );
    assert_eq!(
        with("{ weights: [5, 100] }"),
        "plan.yaml: migration.weights: apply only to overlap: shift: set overlap: shift, or drop the weights for the full parallel run"
    );
    assert_eq!(
        with("{ overlap: shfit }"),
        "plan.yaml: migration.overlap: unknown overlap 'shfit' (did you mean 'shift'?)"
    );
    assert_eq!(
        with("{ overlap: shift, weight: [100] }"),
        "plan.yaml: unknown field 'weight' in migration (did you mean 'weights'?)"
    );
    assert_eq!(
        with("{ overlap: shift, weights: [5, -1] }"),
        "plan.yaml: migration.weights[1]: expected a whole number, found '-1'"
    );
    // shift with nothing to shift from
    assert_eq!(
        plan(&format!(
            "{BASE}migration: {{ overlap: shift, weights: [100] }}\n"
        ))
        .unwrap_err(),
        "plan.yaml: migration.overlap: shift moves traffic from ECS to EKS: give ecs_services and node_groups, or drop migration"
    );
    // full (written or not) is today's parallel run; a weight of 0 is ECS today beside an empty cluster
    let p = plan(&format!(
        "{BASE}ecs_services: [{{ name: api, tasks: 4, subnets: [a] }}]\nmigration: {{ overlap: full }}\n"
    ))
    .unwrap();
    assert_eq!(p.overlap(), Overlap::Full);
    let p = plan(&format!(
        "{BASE}ecs_services: [{{ name: api, tasks: 4, subnets: [a] }}]\nmigration: {{ overlap: shift, weights: [0, 100] }}\n"
    ))
    .unwrap();
    // w = 0: no nodes, 4 tasks x 200% = 8 in a; w = 100: 2 m5.large of 20 addresses, ceil(2 / 2) = 1 per subnet
    let m = check(&p).subnets[0].migration.clone().unwrap();
    assert_eq!(
        m.steps,
        vec![step(0, 8, 0, 8, true), step(100, 0, 20, 20, true)]
    );
}
