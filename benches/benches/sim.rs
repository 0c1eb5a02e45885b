//! The simulation (`ipplan_planner::simulate`) at the size the project targets: 5,000 nodes, 500,000 pods,
//! 5,000,000 pod replacements over 60 simulated minutes (see `common/sim_plan.rs`), in prefix mode and in
//! secondary-IP mode. Throughput counts pod replacements. Target: under 0.5 s on one core (and under 64 MiB:
//! `examples/sim_5000.rs` under `/usr/bin/time -v`). Then what grows with the work (a rolling update of 16,000
//! nodes, 80,000 nodes scaled to 0, each beside a 1,000-node run) and a week over 1,200 subnets with the timeline
//! streamed.

#[path = "common/sim_plan.rs"]
mod sim_plan;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ipplan_planner::sim::{TimelineFormat, TimelineWriter};
use ipplan_planner::{Simulation, simulate};

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

/// A bench group: its name, its plan for N nodes, and the two sizes.
type Case = (&'static str, fn(u32) -> String, [u32; 2]);

/// What grows with the work: a rolling update of N nodes and scaling N nodes to 0 (`ipplan_benches::
/// rolling_update_yaml`, `scale_to_zero_yaml`), each at 1,000 nodes and at the big size. Throughput counts nodes,
/// so the per-node cost of the two sizes can be compared directly (target: within 2x).
fn grows_with_the_work(c: &mut Criterion) {
    let cat = ipplan_core::Catalog::embedded();
    let cases: [Case; 2] = [
        (
            "sim_rolling_update",
            ipplan_benches::rolling_update_yaml,
            [1_000, 16_000],
        ),
        (
            "sim_scale_to_zero",
            ipplan_benches::scale_to_zero_yaml,
            [1_000, 80_000],
        ),
    ];
    for (name, yaml, sizes) in cases {
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        g.measurement_time(std::time::Duration::from_secs(10));
        for n in sizes {
            let plan = ipplan_planner::Plan::from_yaml_str(&yaml(n), "cost.yaml", &cat)
                .expect("valid plan");
            let scenario = plan.scenario();
            let r = simulate(&plan, &scenario);
            assert_eq!(
                r.node_groups[0].peak_nodes,
                if name == "sim_rolling_update" {
                    n + 1
                } else {
                    n
                }
            );
            g.throughput(Throughput::Elements(u64::from(n)));
            g.bench_function(format!("{n}_nodes"), |b| {
                b.iter(|| simulate(black_box(&plan), black_box(&scenario)));
            });
        }
        g.finish();
    }
}

/// A week over 1,200 subnets (`ipplan_benches::week_yaml`: 10,081 timeline rows of 1,200 subnets), the timeline
/// written as the run samples it (`Simulation::take_timeline` into a `TimelineWriter`, as `simulate --timeline`
/// does): its memory stays bounded (`examples/sim_cost.rs week 1200 stream` under `/usr/bin/time -v`).
fn week_streamed(c: &mut Criterion) {
    let plan = ipplan_planner::Plan::from_yaml_str(
        &ipplan_benches::week_yaml(1_200),
        "week.yaml",
        &ipplan_core::Catalog::embedded(),
    )
    .expect("valid plan");
    let scenario = plan.scenario();
    let names: Vec<String> = plan
        .subnets()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    let mut g = c.benchmark_group("sim_week_1200_subnets");
    g.sample_size(10);
    // (about 4 s a run)
    g.measurement_time(std::time::Duration::from_secs(45));
    g.bench_function("timeline_streamed", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(black_box(&plan), black_box(&scenario));
            let mut w = TimelineWriter::new(std::io::sink(), TimelineFormat::Csv, 60, &names)
                .expect("a sink takes anything");
            while !sim.is_done() {
                sim.step();
                for row in sim.take_timeline() {
                    w.row(&row).expect("a sink takes anything");
                }
            }
            w.finish().expect("a sink takes anything");
            sim.into_report()
        });
    });
    g.finish();
}

criterion_group!(benches, big, example, grows_with_the_work, week_streamed);
criterion_main!(benches);
