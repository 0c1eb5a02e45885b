//! ECS services beside the cluster (`ecs_services`): the migration's phases against numbers worked by hand
//! (AWS ECS developer guide: an `awsvpc` task holds one address in one of the service's subnets, `bridge` and
//! `host` tasks none; a deployment runs up to floor(desiredCount * maximumPercent / 100) tasks, default 200).

use ipplan_core::Catalog;
use ipplan_planner::capacity::Migration;
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
                ecs: 143,
                eks: 253,
                parallel: 383
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
    let m = r.subnets[0].migration.unwrap();
    assert_eq!(m.parallel - m.eks, 5);
    assert_eq!(
        r.subnets[1].migration.unwrap().parallel - r.subnets[1].migration.unwrap().eks,
        5
    );
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
    let m = check(&p).subnets[1].migration.unwrap();
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
