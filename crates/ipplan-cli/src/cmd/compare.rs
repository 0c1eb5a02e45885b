//! `ipplan compare PLAN --layout ...`: the same cluster on other subnet layouts, side by side.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use ipplan_planner::{Comparison, Layout};

use crate::args::Context;
use crate::output::{Align, Format, Table, write_report};
use crate::plans::{load_plan, verdict_code};

/// `ipplan compare` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// A layout to try, repeatable: `24` or `20` (every subnet at that size), or a CIDR such as
    /// `100.64.0.0/16` (custom networking with that secondary CIDR split over the plan's AZs as pod subnets).
    #[arg(long = "layout", value_name = "LAYOUT")]
    pub layouts: Vec<String>,
    /// Output format (`-o`/`--output` as kubectl and the AWS CLI spell it).
    #[arg(short = 'o', long, visible_alias = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Run `compare`. Exit 0 when the plan as written fits, 1 when not (the layouts are what-ifs).
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let layouts = args
        .layouts
        .iter()
        .map(|l| l.parse::<Layout>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()
        .context("--layout")?;
    let plan = load_plan(ctx, &args.plan)?;
    let c = ipplan_planner::compare(&plan, &layouts)
        .context("--layout: this plan cannot take that layout")?;
    write_report(out, args.format, &c, write_human)?;
    Ok(verdict_code(c.layouts[0].fits))
}

fn write_human(out: &mut dyn Write, c: &Comparison) -> anyhow::Result<()> {
    writeln!(out, "{}: what-if layouts", c.plan)?;
    writeln!(out)?;
    let mut t = Table::new(&[
        ("LAYOUT", Align::Left),
        ("FITS", Align::Left),
        ("PEAK USE%", Align::Right),
        ("MOST NODES PER GROUP", Align::Left),
        ("FIRST FAILURE", Align::Left),
    ]);
    for r in &c.layouts {
        let groups: Vec<String> = r
            .node_groups
            .iter()
            .map(|g| format!("{} {}/{}", g.name, g.max_nodes, g.peak_nodes))
            .collect();
        t.push(vec![
            r.layout.clone(),
            if r.fits { "yes" } else { "NO" }.to_string(),
            format!("{:.1}", r.peak_use_percent),
            groups.join(", "),
            r.first_failure.as_ref().map_or_else(
                || "-".to_string(),
                |f| format!("{}: {}", f.subject, f.message),
            ),
        ]);
    }
    t.write(out)?;
    writeln!(out)?;
    if let Some(f) = &c.node_limit {
        writeln!(
            out,
            "no subnet size fixes this: {}: {} (see `ipplan advise` for the type or max-pods change)",
            f.subject, f.message
        )?;
        return Ok(());
    }
    match c.smallest_prefix_len {
        Some(l) => writeln!(
            out,
            "smallest subnets that hold the peak with {}% headroom: /{l}",
            c.headroom_percent
        )?,
        None => writeln!(
            out,
            "even /16 subnets do not hold the peak with {}% headroom",
            c.headroom_percent
        )?,
    }
    Ok(())
}
