//! The simulation (`ipplan_planner::simulate`) at the size the project targets: 5,000 nodes, 500,000 pods,
//! 5,000,000 pod replacements over 60 simulated minutes (see `common/sim_plan.rs`), in prefix mode and in
//! secondary-IP mode. Throughput counts pod replacements. Target: under 2 s on one core (and under 512 MiB:
//! `examples/sim_5000.rs` under `/usr/bin/time -v`).

#[path = "common/sim_plan.rs"]
mod sim_plan;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ipplan_planner::simulate;

fn big(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim_5000_nodes_5m_replacements");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(20));
    g.throughput(Throughput::Elements(sim_plan::REPLACEMENTS));
    for mode in ["prefix", "secondary-ip"] {
        let (plan, scenario) = sim_plan::plan(mode);
        // the scenario really does what it says
        let r = simulate(&plan, &scenario);
        assert_eq!(r.pods.replacements, sim_plan::REPLACEMENTS);
        assert_eq!(r.node_groups[0].peak_nodes, sim_plan::NODES);
        g.bench_function(mode, |b| {
            b.iter(|| simulate(black_box(&plan), black_box(&scenario)));
        });
    }
    g.finish();
}

/// The fragmentation example, default seed: a small plan, 40 simulated minutes.
fn example(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/fragmentation-sim.yaml"
    );
    let text = std::fs::read_to_string(path).expect("example file");
    let plan = ipplan_planner::Plan::from_yaml_str(
        &text,
        "fragmentation-sim.yaml",
        &ipplan_core::Catalog::embedded(),
    )
    .expect("valid plan");
    let scenario = plan.scenario();
    c.bench_function("sim_fragmentation_example", |b| {
        b.iter(|| simulate(black_box(&plan), black_box(&scenario)));
    });
}

criterion_group!(benches, big, example);
criterion_main!(benches);
