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

/// A plan with `n` /26 subnets and `n` node groups, one per subnet (10.0.0.0/8 holds 262,144 /26s).
fn wide_plan(n: u32) -> String {
    let mut y = String::from("subnets:\n");
    for i in 0..n {
        let (a, b, c) = (i >> 10, (i >> 2) & 0xff, (i & 3) * 64);
        y.push_str(&format!(
            "  - {{ name: s{i}, az: az-{}, cidr: 10.{a}.{b}.{c}/26 }}\n",
            i % 3
        ));
    }
    y.push_str("node_groups:\n");
    for i in 0..n {
        y.push_str(&format!(
            "  - {{ name: g{i}, instance_type: m5.large, subnets: [s{i}], nodes: 1, pods_per_node: 10 }}\n"
        ));
    }
    y
}

/// Loading is linear: names by hash, overlaps by an ordered map of block starts. 10,000 and 100,000 subnets
/// (and as many node groups): the time per subnet should stay about the same.
fn bench_load(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let mut g = c.benchmark_group("load + check");
    g.sample_size(10);
    for n in [10_000u32, 100_000] {
        let text = wide_plan(n);
        g.bench_function(format!("{n} subnets + {n} node groups"), |b| {
            b.iter(|| {
                let p = Plan::from_yaml_str(black_box(&text), "wide.yaml", &catalog).unwrap();
                check(&p)
            })
        });
    }
    g.finish();
}

/// `import --aws-subnets --aws-enis` of 200 subnets and 50,000 ENIs, then validate and check the plan.
fn bench_import_today(c: &mut Criterion) {
    use ipplan_planner::import::{Input, InputKind, Overrides, import};
    let catalog = Catalog::embedded();
    let (subnets, enis) = ipplan_benches::aws_vpc(200, 50_000);
    let inputs = [
        Input {
            kind: InputKind::AwsSubnets,
            file: "subnets.json".into(),
            text: subnets,
        },
        Input {
            kind: InputKind::AwsEnis,
            file: "enis.json".into(),
            text: enis,
        },
    ];
    let mut g = c.benchmark_group("today");
    g.sample_size(10);
    g.bench_function("import 200 subnets + 50,000 ENIs, validate, check", |b| {
        b.iter(|| {
            let imported = import(black_box(&inputs), &Overrides::default(), &catalog).unwrap();
            let plan = Plan::from_spec(imported.spec, "today.yaml", &catalog).unwrap();
            check(&plan)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_check, bench_load, bench_import_today);
criterion_main!(benches);
