//! Where the time of loading a wide plan goes: YAML parse, spec read, validation, check.
//! Run with: `cargo run --release -p ipplan-benches --example load_phases -- 100000`
use std::time::Instant;

use ipplan_core::Catalog;
use ipplan_planner::{Plan, PlanSpec, check};

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    // what: "both" (n subnets, n groups), "subnets" (n subnets, 1 group), "groups" (n groups on 1 subnet)
    let what = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "both".to_string());
    let subnets = if what == "groups" { 1 } else { n };
    let groups = if what == "subnets" { 1 } else { n };
    let mut y = String::from("subnets:\n");
    for i in 0..subnets {
        let (a, b, c) = (i >> 10, (i >> 2) & 0xff, (i & 3) * 64);
        y.push_str(&format!(
            "  - {{ name: s{i}, az: az-{}, cidr: 10.{a}.{b}.{c}/26 }}\n",
            i % 3
        ));
    }
    y.push_str("node_groups:\n");
    for i in 0..groups {
        let s = i % subnets;
        y.push_str(&format!(
            "  - {{ name: g{i}, instance_type: m5.large, subnets: [s{s}], nodes: 1, pods_per_node: 10 }}\n"
        ));
    }
    let cat = Catalog::embedded();
    let t = Instant::now();
    let _: serde::de::IgnoredAny = serde_yaml::from_str(&y).unwrap();
    let t_events = t.elapsed();
    let t = Instant::now();
    let v: serde_yaml::Value = serde_yaml::from_str(&y).unwrap();
    let t_yaml = t.elapsed();
    drop(v);
    let t = Instant::now();
    let spec = PlanSpec::from_yaml_str(&y, "wide.yaml").unwrap();
    let t_spec = t.elapsed();
    let t = Instant::now();
    let plan = Plan::from_spec(spec, "wide.yaml", &cat).unwrap();
    let t_val = t.elapsed();
    let t = Instant::now();
    let r = check(&plan);
    let t_check = t.elapsed();
    println!(
        "{subnets} subnets, {groups} node groups, {} bytes: yaml events {t_events:?}, yaml value {t_yaml:?}, text->spec {t_spec:?}, validate {t_val:?}, check {t_check:?} (fits {})",
        y.len(),
        r.fits()
    );
}
