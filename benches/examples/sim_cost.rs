//! One of the cost scenarios of `benches/sim.rs` (`ipplan_benches::rolling_update_yaml`,
//! `scale_to_zero_yaml`, `week_yaml`), run once, for whole-process time and peak memory outside criterion:
//! `cargo build --release -p ipplan-benches --example sim_cost &&
//! /usr/bin/time -v target/release/examples/sim_cost rolling 16000`
//! (`rolling N` | `scale0 N` | `week SUBNETS` | `week SUBNETS stream`: the timeline written to a sink as the run
//! samples it, as `simulate --timeline FILE` does, instead of kept in the report).

use ipplan_core::Catalog;
use ipplan_planner::sim::{TimelineFormat, TimelineWriter};
use ipplan_planner::{Plan, Simulation, simulate};

fn main() {
    let what = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "rolling".to_string());
    let n: u32 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000);
    let stream = std::env::args().nth(3).as_deref() == Some("stream");
    let yaml = match what.as_str() {
        "rolling" => ipplan_benches::rolling_update_yaml(n),
        "scale0" => ipplan_benches::scale_to_zero_yaml(n),
        "week" => ipplan_benches::week_yaml(n),
        other => {
            eprintln!("unknown scenario {other}: rolling N | scale0 N | week SUBNETS [stream]");
            std::process::exit(2);
        }
    };
    let plan = Plan::from_yaml_str(&yaml, "cost.yaml", &Catalog::embedded()).expect("valid plan");
    let scenario = plan.scenario();
    let start = std::time::Instant::now();
    let (r, rows) = if stream {
        let names: Vec<String> = plan
            .subnets()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        let mut w = TimelineWriter::new(std::io::sink(), TimelineFormat::Csv, 60, &names)
            .expect("a sink takes anything");
        let mut sim = Simulation::new(&plan, &scenario);
        let mut rows = 0usize;
        while !sim.is_done() {
            sim.step();
            for row in sim.take_timeline() {
                w.row(&row).expect("a sink takes anything");
                rows += 1;
            }
        }
        w.finish().expect("a sink takes anything");
        (sim.into_report(), rows)
    } else {
        let r = simulate(&plan, &scenario);
        let rows = r.timeline.rows.len();
        (r, rows)
    };
    let took = start.elapsed();
    println!(
        "{what} {n}{}: {} s simulated in {:.3} s ({:.1} us a node); peak nodes {}, final nodes {}, replacements {}, timeline rows {rows}",
        if stream { " streamed" } else { "" },
        r.duration_seconds,
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / f64::from(n.max(1)),
        r.node_groups[0].peak_nodes,
        r.node_groups[0].final_nodes,
        r.pods.replacements,
    );
}
