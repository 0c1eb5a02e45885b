//! Runs the big simulation once and prints its figures, for measuring time and peak memory outside criterion:
//! `cargo build --release -p ipplan-benches --example sim_5000 && /usr/bin/time -v target/release/examples/sim_5000 [prefix|secondary-ip]`

#[path = "../benches/common/sim_plan.rs"]
mod sim_plan;

use ipplan_planner::simulate;

fn main() {
    let mode = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "prefix".to_string());
    let (plan, scenario) = sim_plan::plan(&mode);
    let start = std::time::Instant::now();
    let r = simulate(&plan, &scenario);
    let took = start.elapsed();
    println!(
        "mode {mode}: {} s simulated in {:.3} s; nodes {}, pods running {}, replacements {}, waited {} (max {} s), failed allocations {}",
        r.duration_seconds,
        took.as_secs_f64(),
        r.node_groups[0].final_nodes,
        r.node_groups[0].final_pods_running,
        r.pods.replacements,
        r.pods.waited,
        r.pods.max_wait_seconds,
        r.subnets
            .iter()
            .map(|s| s.failed_allocations.total())
            .sum::<u64>()
    );
}
