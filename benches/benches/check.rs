//! `check` on examples/large-cluster.yaml: 5,000 nodes in 10 node groups over 3 AZs (custom networking +
//! prefix delegation, 6 subnets with prefix reservations). Target: under 1 ms for the whole check.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ipplan_core::Catalog;
use ipplan_planner::{Layout, Plan, check, compare};

const PLAN: &str = include_str!("../../examples/large-cluster.yaml");

fn bench_check(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let plan = Plan::from_yaml_str(PLAN, "large-cluster.yaml", &catalog).unwrap();
    assert_eq!(
        plan.node_groups().iter().map(|g| g.nodes()).sum::<u32>(),
        5000
    );
    c.bench_function("check 5000 nodes / 10 groups / 3 AZs", |b| {
        b.iter(|| check(black_box(&plan)))
    });
    c.bench_function("parse + validate + check (large-cluster.yaml)", |b| {
        b.iter(|| {
            let p = Plan::from_yaml_str(black_box(PLAN), "large-cluster.yaml", &catalog).unwrap();
            check(&p)
        })
    });
    c.bench_function(
        "compare: as planned + /20 + 100.64.0.0/16 + smallest size",
        |b| {
            let layouts = [Layout::PrefixLen(20), "100.64.0.0/16".parse().unwrap()];
            b.iter(|| compare(black_box(&plan), &layouts).unwrap())
        },
    );
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
