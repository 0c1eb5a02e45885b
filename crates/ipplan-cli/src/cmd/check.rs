//! `ipplan check PLAN`: exit 0 when every subnet holds the cluster at peak, 1 when not, 2 on bad input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use ipplan_planner::{Plan, Report};

use crate::args::Context;
use crate::output::{Align, Format, Table, write_report};

/// `ipplan check` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The verdict from a tick-by-tick simulation of the plan's `simulate:` scenario (or its peak) instead of
    /// the closed form (same exit codes; see `ipplan simulate`).
    #[arg(long)]
    pub simulate: bool,
}

/// Read and validate a plan file, its `simulate:` section included (so a typo there fails `check` too); errors
/// name the file, the field and the fix.
pub fn load_plan(ctx: &Context, path: &Path) -> anyhow::Result<Plan> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read plan file '{shown}' (check the path)"))?;
    let plan = Plan::from_str_auto(&text, &shown, &ctx.catalog)?;
    if plan.simulate.is_some() {
        ipplan_planner::Scenario::from_plan(&plan)?;
    }
    Ok(plan)
}

/// The exit code for a verdict: 0 fits, 1 does not fit.
pub fn verdict_code(fits: bool) -> ExitCode {
    if fits {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Run `check`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let plan = load_plan(ctx, &args.plan)?;
    if args.simulate {
        return crate::cmd::simulate::verdict(&plan, args.format, out);
    }
    let report = ipplan_planner::check(&plan)?;
    write_report(out, args.format, &report, write_human)?;
    Ok(verdict_code(report.fits))
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "NO" }.to_string()
}

/// The human report: subnets, node groups, address usage, findings, verdict.
pub fn write_human(out: &mut dyn Write, r: &Report) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}: {}",
        r.plan,
        if r.fits { "fits" } else { "DOES NOT FIT" }
    )?;
    writeln!(out, "basis: {}", r.basis)?;
    writeln!(out)?;
    let mut t = Table::new(&[
        ("SUBNET", Align::Left),
        ("AZ", Align::Left),
        ("CIDR", Align::Left),
        ("ROLE", Align::Left),
        ("CAPACITY", Align::Right),
        ("USED", Align::Right),
        ("HEADROOM", Align::Right),
        ("USE%", Align::Right),
        ("/28 FREE (WORST..BEST)", Align::Right),
        ("FITS", Align::Left),
    ]);
    for s in &r.subnets {
        let blocks = match &s.prefix {
            Some(p) => format!(
                "{}..{} of {} needed",
                p.worst_case_free_blocks, p.best_case_free_blocks, p.needed
            ),
            None => "-".to_string(),
        };
        t.push(vec![
            s.name.clone(),
            s.az.clone(),
            s.cidr.to_string(),
            s.role.as_str().to_string(),
            s.capacity.to_string(),
            s.used.to_string(),
            s.headroom.to_string(),
            format!("{:.1}", s.use_percent),
            blocks,
            yes_no(s.fits),
        ]);
    }
    t.write(out)?;
    writeln!(out)?;
    let mut g = Table::new(&[
        ("NODE GROUP", Align::Left),
        ("TYPE", Align::Left),
        ("MODE", Align::Left),
        ("NODES+SURGE", Align::Right),
        ("MAX PODS", Align::Right),
        ("PODS/NODE", Align::Right),
        ("ADDR/NODE", Align::Right),
        ("ENIS/NODE", Align::Right),
        ("MAX NODES", Align::Right),
        ("MORE NODES", Align::Right),
    ]);
    for n in &r.node_groups {
        g.push(vec![
            n.name.clone(),
            n.instance_type.clone(),
            n.mode.as_str().to_string(),
            format!("{}+{}", n.nodes, n.surge),
            format!("{} ({})", n.max_pods, n.max_pods_source),
            n.pods_per_node.to_string(),
            n.addresses_per_node.to_string(),
            n.enis_per_node.to_string(),
            n.max_nodes.to_string(),
            n.additional_nodes.to_string(),
        ]);
    }
    g.write(out)?;
    writeln!(out)?;
    let nau = &r.network_address_usage;
    writeln!(
        out,
        "network address usage: {} of {} (default quota per VPC)",
        nau.used, nau.quota
    )?;
    if !r.findings.is_empty() {
        writeln!(out)?;
        for f in &r.findings {
            writeln!(out, "{f}")?;
        }
    }
    if let Some(first) = &r.first_failure {
        writeln!(out)?;
        writeln!(out, "first failure: {first}")?;
    }
    Ok(())
}
