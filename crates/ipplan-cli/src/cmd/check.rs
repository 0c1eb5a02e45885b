//! `ipplan check PLAN...`: exit 0 when every subnet holds the cluster at peak, 1 when not, 2 on bad input.
//!
//! Several plans (as pre-commit passes the changed files) are checked in turn, each report after the one
//! before (a blank line between tables, one JSON document per plan, YAML documents separated by `---`); a plan
//! that cannot be read prints its one `ipplan: error:` line and the others still run. The exit code is the
//! worst: 2 if any plan is bad input, else 1 if any does not fit, else 0.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ipplan_planner::capacity::{AdviseOptions, advise};

use crate::args::Context;
use crate::output::{Format, error_line, write_report};
use crate::plans::{load_plan, scenario, verdict_code};
use crate::render;

/// `ipplan check` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`); several are checked in turn.
    #[arg(value_name = "PLAN", required = true, num_args = 1..)]
    pub plans: Vec<PathBuf>,
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
    if let [plan] = args.plans.as_slice() {
        return Ok(verdict_code(check_one(ctx, args, plan, out)?));
    }
    let (mut bad, mut all_fit) = (false, true);
    for (i, plan) in args.plans.iter().enumerate() {
        // Read and compute first, so that a bad plan leaves no separator behind.
        let mut report = Vec::new();
        match check_one(ctx, args, plan, &mut report) {
            Ok(fits) => {
                all_fit &= fits;
                if i > 0 {
                    match args.format {
                        Format::Table => writeln!(out)?,
                        Format::Yaml => writeln!(out, "---")?,
                        Format::Json => {}
                    }
                }
                out.write_all(&report)?;
            }
            Err(err) => {
                bad = true;
                // stdout so far first, so that the line lands after the reports before it in a terminal
                out.flush()?;
                let _ = writeln!(std::io::stderr(), "{}", error_line(&err));
            }
        }
    }
    Ok(if bad {
        ExitCode::from(2)
    } else {
        verdict_code(all_fit)
    })
}

/// Check one plan and write its report; `Ok(fits)`.
fn check_one(ctx: &Context, args: &Args, path: &Path, out: &mut dyn Write) -> anyhow::Result<bool> {
    let plan = load_plan(ctx, path)?;
    if args.simulate {
        crate::plans::simulates(&plan)?;
        let report = ipplan_planner::simulate(&plan, &scenario(&plan, None));
        write_report(out, args.format, &report, render::simulation)?;
        return Ok(report.fits());
    }
    let report = ipplan_planner::check(&plan);
    write_report(out, args.format, &report, render::check)?;
    if !report.fits() && args.format == Format::Table {
        // the failure line's fix: the top candidate that fits, re-checked by the closed form
        let advice = advise(&plan, &ctx.catalog, AdviseOptions::default());
        if let Some(c) = advice.candidates.iter().find(|c| c.fits) {
            writeln!(
                out,
                "top fix: {} (headroom {} after it; `ipplan advise {}` lists every candidate and how to apply it)",
                c.summary,
                c.headroom,
                path.display()
            )?;
        }
    }
    Ok(report.fits())
}
