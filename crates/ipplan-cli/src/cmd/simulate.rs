//! `ipplan simulate PLAN`: run the plan's `simulate:` scenario (or its peak) tick by tick; exit 0 when no pod
//! waits beyond the threshold, 1 when one does, 2 on bad input. `--trials N` runs N seeds on all cores.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use ipplan_planner::sim::{Timeline, TimelineSubnet};
use ipplan_planner::svg::{PlotPanel, PlotSeries, timeline_plot};
use ipplan_planner::{SimReport, TrialsReport};
use serde::Serialize;

use crate::args::Context;
use crate::output::{Format, write_json, write_yaml};
use crate::plans::{file_name, load_plan, scenario, verdict_code, write_file};
use crate::render;

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

/// The two plot panels (addresses used, free /28 blocks), one series per subnet.
pub fn plot_panels(t: &Timeline) -> Vec<PlotPanel> {
    let series = |f: &dyn Fn(&TimelineSubnet) -> f64| -> Vec<PlotSeries> {
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
    let scenario = scenario(&plan, args.seed);
    let report = ipplan_planner::simulate(&plan, &scenario);
    let trials = if args.trials > 1 {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Some(ipplan_planner::simulate_trials(
            &plan,
            &scenario,
            args.trials,
            threads,
        ))
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
            render::simulation(out, &report)?;
            if let Some(t) = &trials {
                writeln!(out)?;
                render::trials(out, t)?;
            }
        }
    }
    let fits = report.fits && trials.as_ref().is_none_or(|t| t.probability_not_fit == 0.0);
    Ok(verdict_code(fits))
}
