//! `ipplan simulate PLAN`: run the plan's `simulate:` scenario (or its peak) tick by tick; exit 0 when no pod
//! waits beyond the threshold, 1 when one does, 2 on bad input. `--trials N` runs N seeds on all cores.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use ipplan_planner::{
    Plan, PlotPanel, PlotSeries, Scenario, SimReport, Timeline, TrialsReport, timeline_plot,
};
use serde::Serialize;

use crate::args::Context;
use crate::cmd::check::{load_plan, verdict_code};
use crate::output::{Align, Format, Table, write_json, write_report, write_yaml};

/// `ipplan simulate` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Seed of every random choice (default: the plan's `simulate.seed`, else 1).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Run N seeds (seed, seed+1, ...) on all cores and report the probability that a pod waits.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub trials: u32,
    /// Write the timeline (one row per sample) as CSV or JSON, by the file's extension.
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Draw addresses used and free /28 blocks over time per subnet as an SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// What `--timeline FILE` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimelineFormat {
    Csv,
    Json,
}

fn timeline_format(path: &Path) -> anyhow::Result<TimelineFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(TimelineFormat::Csv),
        Some("json") => Ok(TimelineFormat::Json),
        _ => bail!(
            "--timeline file '{}' has no .csv or .json extension; name it e.g. timeline.csv or timeline.json",
            path.display()
        ),
    }
}

/// Write `text` to `path`; the error names the flag and the path.
pub fn write_file(flag: &str, path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| {
        format!(
            "cannot write {flag} file '{}' (check that the directory exists and is writable)",
            path.display()
        )
    })
}

/// The last component of a plan path, for picture titles.
pub fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// The plan's scenario with `--seed` applied.
pub fn scenario(plan: &Plan, seed: Option<u64>) -> anyhow::Result<Scenario> {
    let mut s = Scenario::from_plan(plan)?;
    if let Some(seed) = seed {
        s.seed = seed;
    }
    Ok(s)
}

/// The two plot panels (addresses used, free /28 blocks), one series per subnet.
pub fn plot_panels(t: &Timeline) -> Vec<PlotPanel> {
    let series = |f: &dyn Fn(&ipplan_planner::TimelineSubnet) -> f64| -> Vec<PlotSeries> {
        t.subnet_names
            .iter()
            .enumerate()
            .map(|(i, name)| PlotSeries {
                name: name.clone(),
                points: t
                    .rows
                    .iter()
                    .filter_map(|r| r.subnets.get(i).map(|s| (f64::from(r.t), f(s))))
                    .collect(),
            })
            .collect()
    };
    vec![
        PlotPanel {
            label: "addresses used".to_string(),
            series: series(&|s| s.used_addresses as f64),
        },
        PlotPanel {
            label: "free /28 blocks (could take a prefix)".to_string(),
            series: series(&|s| s.free_prefix_blocks as f64),
        },
    ]
}

/// `--format json|yaml` output of a run with `--trials`.
#[derive(Debug, Serialize)]
struct WithTrials<'a> {
    #[serde(flatten)]
    report: &'a SimReport,
    trials: &'a TrialsReport,
}

/// Run `simulate`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    // Bad flags fail before the (possibly long) run.
    let tl_format = args.timeline.as_deref().map(timeline_format).transpose()?;
    let plan = load_plan(ctx, &args.plan)?;
    let scenario = scenario(&plan, args.seed)?;
    let report = ipplan_planner::simulate(&plan, &scenario)?;
    let trials = if args.trials > 1 {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Some(ipplan_planner::simulate_trials(
            &plan,
            &scenario,
            args.trials,
            threads,
        )?)
    } else {
        None
    };

    // Files first: an unwritable path is an error (exit 2) with nothing on stdout.
    if let (Some(path), Some(f)) = (&args.timeline, tl_format) {
        let text = match f {
            TimelineFormat::Csv => report.timeline.to_csv(),
            TimelineFormat::Json => serde_json::to_string_pretty(&report.timeline)? + "\n",
        };
        write_file("--timeline", path, &text)?;
    }
    if let Some(path) = &args.plot {
        let title = format!("{}, seed {}", file_name(&report.plan), report.seed);
        write_file(
            "--plot",
            path,
            &timeline_plot(&plot_panels(&report.timeline), &title),
        )?;
    }

    match (args.format, &trials) {
        (Format::Json, None) => write_json(out, &report)?,
        (Format::Yaml, None) => write_yaml(out, &report)?,
        (Format::Json, Some(t)) => write_json(
            out,
            &WithTrials {
                report: &report,
                trials: t,
            },
        )?,
        (Format::Yaml, Some(t)) => write_yaml(
            out,
            &WithTrials {
                report: &report,
                trials: t,
            },
        )?,
        (Format::Table, _) => {
            write_human(out, &report)?;
            if let Some(t) = &trials {
                writeln!(out)?;
                write_trials(out, t)?;
            }
        }
    }
    let fits = report.fits && trials.as_ref().is_none_or(|t| t.probability_not_fit == 0.0);
    Ok(verdict_code(fits))
}

/// `check --simulate`: one run of the plan's scenario, its report in `format`, its verdict as the exit code.
pub fn verdict(plan: &Plan, format: Format, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let report = ipplan_planner::simulate(plan, &scenario(plan, None)?)?;
    write_report(out, format, &report, write_human)?;
    Ok(verdict_code(report.fits))
}

/// `1m30s` for 90.
fn dur(s: u32) -> String {
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// The human summary: verdict, per subnet, per node group, pod waits, first failure.
pub fn write_human(out: &mut dyn Write, r: &SimReport) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}: {}",
        r.plan,
        if r.fits { "fits" } else { "DOES NOT FIT" }
    )?;
    writeln!(out, "basis: {}", r.basis)?;
    writeln!(
        out,
        "seed {}, tick {}s, {} simulated{}",
        r.seed,
        r.tick_seconds,
        dur(r.duration_seconds),
        if r.steady { " (until steady)" } else { "" }
    )?;
    writeln!(out)?;
    let mut t = Table::new(&[
        ("SUBNET", Align::Left),
        ("CIDR", Align::Left),
        ("PEAK ADDR", Align::Right),
        ("PEAK /28 HELD", Align::Right),
        ("MIN FREE /28", Align::Right),
        ("FAILED CIDR", Align::Right),
        ("FAILED ADDR", Align::Right),
        ("FRAG PEAK", Align::Right),
        ("FRAG END", Align::Right),
    ]);
    for s in &r.subnets {
        t.push(vec![
            s.name.clone(),
            s.cidr.to_string(),
            s.peak_addresses_held.to_string(),
            s.peak_prefixes_held.to_string(),
            s.min_free_prefix_blocks.to_string(),
            s.failed_allocations.insufficient_cidr_blocks.to_string(),
            s.failed_allocations
                .insufficient_free_addresses_in_subnet
                .to_string(),
            format!("{:.1}%", s.fragmentation_peak * 100.0),
            format!("{:.1}%", s.fragmentation_final * 100.0),
        ]);
    }
    t.write(out)?;
    writeln!(out)?;
    let mut g = Table::new(&[
        ("NODE GROUP", Align::Left),
        ("PEAK NODES", Align::Right),
        ("END NODES", Align::Right),
        ("END PODS", Align::Right),
        ("MAX ENIS/NODE", Align::Right),
        ("MAX SLOTS/NODE", Align::Right),
    ]);
    for n in &r.node_groups {
        g.push(vec![
            n.name.clone(),
            n.peak_nodes.to_string(),
            n.final_nodes.to_string(),
            n.final_pods_running.to_string(),
            n.max_enis_per_node.to_string(),
            n.max_slots_per_node.to_string(),
        ]);
    }
    g.write(out)?;
    writeln!(out)?;
    let p = &r.pods;
    writeln!(
        out,
        "pods: {} placed, {} waited for an address (p50 {}, p99 {}, max {}), {} beyond {}, {} still waiting, \
         {} unschedulable at the end",
        p.placed,
        p.waited,
        dur(p.p50_wait_seconds),
        dur(p.p99_wait_seconds),
        dur(p.max_wait_seconds),
        p.waited_beyond_threshold,
        dur(p.threshold_seconds),
        p.still_waiting,
        p.unschedulable_at_end
    )?;
    if let Some(first) = &r.first_failure {
        writeln!(out)?;
        writeln!(out, "first failure: {first}")?;
    }
    Ok(())
}

/// The trials summary.
pub fn write_trials(out: &mut dyn Write, t: &TrialsReport) -> anyhow::Result<()> {
    let last = t.first_seed + u64::from(t.trials) - 1;
    writeln!(
        out,
        "trials: {} seeds ({}..={}): P(a pod waits beyond the threshold) = {:.3}, P(does not fit) = {:.3}, \
         P(a failed allocation) = {:.3}",
        t.trials,
        t.first_seed,
        last,
        t.probability_wait,
        t.probability_not_fit,
        t.probability_failed_allocation
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::dur;

    #[test]
    fn durations_read_like_the_plan_file() {
        assert_eq!(dur(0), "0s");
        assert_eq!(dur(45), "45s");
        assert_eq!(dur(120), "2m");
        assert_eq!(dur(150), "2m30s");
        assert_eq!(dur(5400), "1h30m");
    }
}
