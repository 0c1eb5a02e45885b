//! Progress on stderr for long runs (`simulate --trials N`): shown only when stderr is a terminal and `--quiet`
//! is not given, so pipes, files and CI logs get nothing.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ipplan_planner::sim::TimelineRow;
use ipplan_planner::{Plan, Scenario, SimReport, Simulation, TrialsReport, simulate_trials};

/// Whether progress may be drawn: stderr is a terminal and `--quiet` is off.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// [`simulate_trials`], with a progress bar when `show`. The report is the same either way.
pub fn trials(
    plan: &Plan,
    scenario: &Scenario,
    trials: u32,
    threads: usize,
    show: bool,
) -> TrialsReport {
    if !show {
        return simulate_trials(plan, scenario, trials, threads);
    }
    let bar = ProgressBar::with_draw_target(Some(u64::from(trials)), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("simulating {bar:30} {pos}/{len} seeds, {elapsed} (eta {eta})")
    {
        bar.set_style(style);
    }
    // About 100 steps, each a whole number of seeds per thread.
    let threads_u32 = u32::try_from(threads.max(1)).unwrap_or(u32::MAX);
    let chunk = trials
        .div_ceil(100)
        .max(1)
        .div_ceil(threads_u32)
        .saturating_mul(threads_u32);
    let report = in_chunks(plan, scenario, trials, threads, chunk, |done| {
        bar.set_position(u64::from(done))
    });
    bar.finish_and_clear();
    report
}

/// [`simulate_trials`] on successive runs of `chunk` seeds, calling `done` with the seeds finished after each:
/// the same report as one call (same seeds, same order, same shares).
pub fn in_chunks(
    plan: &Plan,
    scenario: &Scenario,
    trials: u32,
    threads: usize,
    chunk: u32,
    mut done: impl FnMut(u32),
) -> TrialsReport {
    let chunk = chunk.max(1);
    let mut runs = Vec::with_capacity(trials as usize);
    let mut finished = 0u32;
    while finished < trials {
        let n = chunk.min(trials - finished);
        let mut part = scenario.clone();
        part.seed = scenario.seed.wrapping_add(u64::from(finished));
        runs.extend(simulate_trials(plan, &part, n, threads).runs);
        finished += n;
        done(finished);
    }
    TrialsReport::from_runs(scenario.seed, runs)
}

/// One simulation, with a bar over simulated time when `show` (a run of the plan's `duration`, or a spinner when
/// it runs until steady). The report is the same either way: [`Simulation::run_until`] in steps is
/// [`Simulation::run`].
pub fn simulation(plan: &Plan, scenario: &Scenario, show: bool) -> SimReport {
    if !show {
        return ipplan_planner::simulate(plan, scenario);
    }
    let mut keep = |_: &TimelineRow| Ok(());
    run(plan, scenario, &mut keep, false)
        .unwrap_or_else(|_| unreachable!("keeping rows cannot fail"))
}

/// [`simulation`] handing each timeline row to `row` as it is sampled (the report then holds none): memory stays
/// bounded however long the run and however many subnets.
///
/// # Errors
/// The first error `row` returns (the run stops there).
pub fn simulation_streaming(
    plan: &Plan,
    scenario: &Scenario,
    show: bool,
    row: &mut dyn FnMut(&TimelineRow) -> std::io::Result<()>,
) -> std::io::Result<SimReport> {
    if !show {
        let mut sim = Simulation::new(plan, scenario);
        while !sim.is_done() {
            sim.step();
            for r in sim.take_timeline() {
                row(&r)?;
            }
        }
        return Ok(sim.into_report());
    }
    run(plan, scenario, row, true)
}

/// The run with a bar, its rows to `row` after each step of the bar when `stream`.
fn run(
    plan: &Plan,
    scenario: &Scenario,
    row: &mut dyn FnMut(&TimelineRow) -> std::io::Result<()>,
    stream: bool,
) -> std::io::Result<SimReport> {
    let mut sim = Simulation::new(plan, scenario);
    let end = scenario.end();
    let bar = ProgressBar::with_draw_target(Some(u64::from(end)), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "simulating {bar:30} {pos}/{len} simulated seconds, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    let step = (end / 200).max(scenario.tick.get());
    let mut pass = |sim: &mut Simulation| -> std::io::Result<()> {
        if stream {
            for r in sim.take_timeline() {
                row(&r)?;
            }
        }
        Ok(())
    };
    while !sim.is_done() {
        let before = sim.now();
        sim.run_until(before.saturating_add(step));
        bar.set_position(u64::from(sim.now().min(end)));
        pass(&mut sim)?;
        if sim.now() == before {
            break; // no progress: let `run` finish it
        }
    }
    sim.run();
    pass(&mut sim)?;
    bar.finish_and_clear();
    Ok(sim.into_report())
}

/// A spinner on stderr while `work` runs, when `show` (for work with no count to show, e.g. `advise --simulate`).
pub fn spinner<T>(message: &str, show: bool, work: impl FnOnce() -> T) -> T {
    if !show {
        return work();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let out = work();
    bar.finish_and_clear();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_simulation_in_steps_is_the_same_run() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/fragmentation-sim.yaml"
        ))
        .unwrap();
        let plan =
            ipplan_planner::Plan::from_yaml_str(&text, "f.yaml", &ipplan_core::Catalog::embedded())
                .unwrap();
        let s = plan.scenario();
        assert_eq!(
            super::simulation(&plan, &s, true),
            ipplan_planner::simulate(&plan, &s)
        );
    }

    use ipplan_core::Catalog;
    use ipplan_planner::{Plan, simulate_trials};

    use super::in_chunks;

    #[test]
    fn chunks_give_the_report_of_one_call() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/fragmentation-sim.yaml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let plan =
            Plan::from_str_auto(&text, "fragmentation-sim.yaml", &Catalog::embedded()).unwrap();
        let mut scenario = plan.scenario();
        scenario.seed = u64::MAX - 2; // seeds wrap past u64::MAX in both
        let whole = simulate_trials(&plan, &scenario, 7, 2);
        assert_eq!(whole.runs.len(), 7);
        for (chunk, threads) in [(1, 1), (2, 2), (3, 2), (7, 2), (100, 3)] {
            let mut steps = Vec::new();
            let r = in_chunks(&plan, &scenario, 7, threads, chunk, |d| steps.push(d));
            assert_eq!(r, whole, "chunk {chunk}, threads {threads}");
            assert_eq!(steps.last(), Some(&7));
            assert!(steps.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
