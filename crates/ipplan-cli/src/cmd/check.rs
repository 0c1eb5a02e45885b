//! `ipplan check PLAN`: exit 0 when every subnet holds the cluster at peak, 1 when not, 2 on bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::Context;
use crate::output::{Format, write_report};
use crate::plans::{load_plan, scenario, verdict_code};
use crate::render;

/// `ipplan check` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Output format (`-o`/`--output` as kubectl and the AWS CLI spell it).
    #[arg(short = 'o', long, visible_alias = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The verdict from a tick-by-tick simulation of the plan's `simulate:` scenario (or its peak) instead of
    /// the closed form (same exit codes; see `ipplan simulate`).
    #[arg(long)]
    pub simulate: bool,
}

/// Run `check`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let plan = load_plan(ctx, &args.plan)?;
    if args.simulate {
        let report = ipplan_planner::simulate(&plan, &scenario(&plan, None));
        write_report(out, args.format, &report, render::simulation)?;
        return Ok(verdict_code(report.fits));
    }
    let report = ipplan_planner::check(&plan);
    write_report(out, args.format, &report, render::check)?;
    Ok(verdict_code(report.fits))
}
