//! `ipplan simulate PLAN`: run the plan's `simulate:` scenario (or its peak) tick by tick; exit 0 when no pod
//! waits beyond the threshold, 1 when one does, 2 on bad input. `--trials N` runs N seeds on all cores, with
//! progress on stderr when it is a terminal (not with `--quiet`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use ipplan_planner::sim::{TimelineFormat, TimelineWriter};
use ipplan_planner::svg::simulation_plot;
use ipplan_planner::{SimReport, TrialsReport};
use serde::Serialize;

use crate::args::Context;
use crate::outfile::{is_stdout, not_an_input, svg_only};
use crate::output::{Format, write_json, write_yaml};
use crate::plans::{file_name, load_plan, scenario, verdict_code, write_file};
use crate::{progress, render};

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
    /// Write the timeline (one row per sample) as CSV or JSON, by the file's extension; `-`: CSV on stdout, in
    /// place of the report (the exit code still gives the verdict).
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Draw addresses used and free /28 blocks over time per subnet as an SVG file; `-`: the SVG on stdout, in
    /// place of the report.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Output format (`-o`/`--output` as kubectl and the AWS CLI spell it).
    #[arg(short = 'o', long, visible_alias = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn timeline_format(path: &Path) -> anyhow::Result<TimelineFormat> {
    if is_stdout(path) {
        return Ok(TimelineFormat::Csv);
    }
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
    if let Some(path) = &args.timeline {
        not_an_input(ctx, "--timeline", path, &args.plan, "timeline.csv")?;
    }
    if let Some(path) = &args.plot {
        svg_only("--plot", path, "plot.svg")?;
        not_an_input(ctx, "--plot", path, &args.plan, "plot.svg")?;
    }
    let to_stdout: Vec<&str> = [("--timeline", &args.timeline), ("--plot", &args.plot)]
        .into_iter()
        .filter(|(_, p)| p.as_deref().is_some_and(is_stdout))
        .map(|(flag, _)| flag)
        .collect();
    match to_stdout.as_slice() {
        [a, b] => bail!("{a} - and {b} - both write to stdout; write one of them to a file"),
        [flag] if args.format != Format::Table => bail!(
            "{flag} - writes to stdout in place of the report; drop --format {}, or write {flag} to a file",
            args.format.name()
        ),
        _ => {}
    }
    let plan = load_plan(ctx, &args.plan)?;
    crate::plans::simulates(&plan)?;
    let scenario = scenario(&plan, args.seed);
    // the seeds are scenario.seed, +1, ...: refuse a range that would wrap past the largest seed
    if scenario
        .seed
        .checked_add(u64::from(args.trials) - 1)
        .is_none()
    {
        bail!(
            "--seed {} with --trials {} runs past the largest seed {}: use a seed of at most {}",
            scenario.seed,
            args.trials,
            u64::MAX,
            u64::MAX - (u64::from(args.trials) - 1)
        );
    }
    // the work of all the trials together, bounded as one scenario's is (x 10: the trials run on every core)
    let work = scenario.work(&plan);
    let runs = u64::from(args.trials);
    let (most_repl, most_ticks) = (
        10 * ipplan_planner::plan::MAX_SIM_REPLACEMENTS,
        10 * ipplan_planner::plan::MAX_SIM_NODE_TICKS,
    );
    if runs.saturating_mul(work.replacements) > most_repl
        || runs.saturating_mul(work.node_ticks) > most_ticks
    {
        bail!(
            "--trials {}: {} runs of {} pod replacements and {} node-ticks each is more than {most_repl} \
             replacements or {most_ticks} node-ticks in all: run fewer trials, or split the scenario",
            args.trials,
            args.trials,
            work.replacements,
            work.node_ticks
        );
    }
    // The timeline goes to its file as the run samples it (its rows never pile up in memory) unless the report
    // or the plot needs them: `--format json|yaml` prints them, `--plot` draws them.
    let stream = match (&args.timeline, tl_format) {
        (Some(path), Some(f)) if args.plot.is_none() && args.format == Format::Table => {
            Some((path, f))
        }
        _ => None,
    };
    let report = if let Some((path, f)) = stream {
        let names: Vec<String> = plan
            .subnets()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        let interval = scenario.sample.get();
        let cannot = |e: std::io::Error| {
            anyhow::anyhow!(
                "cannot write --timeline file '{}' (check that the directory exists and is writable): {e}",
                path.display()
            )
        };
        let sink: Box<dyn Write + '_> = if is_stdout(path) {
            Box::new(&mut *out)
        } else {
            Box::new(std::io::BufWriter::new(
                std::fs::File::create(path).map_err(cannot)?,
            ))
        };
        let mut w = TimelineWriter::new(sink, f, interval, &names).map_err(cannot)?;
        let report = progress::simulation_streaming(
            &plan,
            &scenario,
            progress::wanted(ctx.quiet),
            &mut |row| w.row(row),
        )
        .map_err(cannot)?;
        w.finish().map_err(cannot)?;
        report
    } else {
        progress::simulation(&plan, &scenario, progress::wanted(ctx.quiet))
    };
    let trials = if args.trials > 1 {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Some(progress::trials(
            &plan,
            &scenario,
            args.trials,
            threads,
            progress::wanted(ctx.quiet),
        ))
    } else {
        None
    };

    // Files first: an unwritable path is an error (exit 2) with nothing on stdout. A `-` one is printed after
    // them, in place of the report.
    let mut for_stdout = None;
    if let (Some(path), Some(f), None) = (&args.timeline, tl_format, stream) {
        let text = match f {
            TimelineFormat::Csv => report.timeline.to_csv(),
            TimelineFormat::Json => serde_json::to_string_pretty(&report.timeline)? + "\n",
        };
        write_or_keep("--timeline", path, text, &mut for_stdout)?;
    }
    if let Some(path) = &args.plot {
        let title = format!("{}, seed {}", file_name(&report.plan), report.seed);
        let svg = simulation_plot(&report, &title);
        write_or_keep("--plot", path, svg, &mut for_stdout)?;
    }

    let fits = report.fits() && trials.as_ref().is_none_or(|t| t.probability_not_fit == 0.0);
    if let Some(text) = for_stdout {
        out.write_all(text.as_bytes())?;
        return Ok(verdict_code(fits));
    }
    if stream.is_some_and(|(path, _)| is_stdout(path)) {
        // (the timeline went to stdout in place of the report)
        return Ok(verdict_code(fits));
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
    Ok(verdict_code(fits))
}

/// Write `text` to the file, or keep it for stdout when the path is `-`.
fn write_or_keep(
    flag: &str,
    path: &Path,
    text: String,
    stdout: &mut Option<String>,
) -> anyhow::Result<()> {
    if is_stdout(path) {
        *stdout = Some(text);
        return Ok(());
    }
    write_file(flag, path, &text)
}
