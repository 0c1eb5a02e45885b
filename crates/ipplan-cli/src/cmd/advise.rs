//! `ipplan advise PLAN`: when the plan does not fit, the changes that would make it fit, each applied and
//! re-checked (and simulated with `--simulate` or a plan with `simulate:`), least disruptive first.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ipplan_planner::capacity::{Advice, AdviseOptions, advise};

use crate::args::Context;
use crate::output::{Align, Format, Table, write_report};
use crate::plans::load_plan;

/// `ipplan advise` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Also simulate every candidate (the plan's `simulate:` scenario, or its peak); CNI settings must then
    /// keep every pod's wait within the threshold. On by default when the plan has `simulate:`.
    #[arg(long)]
    pub simulate: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Run `advise`: exit 0 when some candidate fits (or the plan already does), 1 when none does, 2 on bad input.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let plan = load_plan(ctx, &args.plan)?;
    let options = AdviseOptions {
        simulate: (args.simulate || plan.has_scenario())
            && plan.cni().ip_family != ipplan_planner::plan::IpFamily::Ipv6,
    };
    let advice = advise(&plan, &ctx.catalog, options);
    write_report(out, args.format, &advice, write_human)?;
    let any = advice.fits || advice.candidates.iter().any(|c| c.fits);
    Ok(if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_human(out: &mut dyn Write, a: &Advice) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}: {} ({} addresses used in all)",
        a.plan,
        if a.fits {
            "fits as written"
        } else {
            "DOES NOT FIT"
        },
        a.used
    )?;
    if a.candidates.is_empty() {
        writeln!(out, "no candidate change")?;
        return Ok(());
    }
    writeln!(out)?;
    let mut t = Table::new(&[
        ("#", Align::Right),
        ("KIND", Align::Left),
        ("FITS", Align::Left),
        ("SIMULATED", Align::Left),
        ("HEADROOM", Align::Right),
        ("USED", Align::Right),
    ]);
    for (i, c) in a.candidates.iter().enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            serde_json::to_value(c.kind)?
                .as_str()
                .unwrap_or("")
                .to_string(),
            if c.fits { "yes" } else { "NO" }.to_string(),
            match (c.simulated_fits, c.simulated_pods_waited) {
                (Some(true), _) => "fits".to_string(),
                (Some(false), Some(w)) => format!("NO ({w} pods waited)"),
                (Some(false), None) => "NO".to_string(),
                (None, _) => "-".to_string(),
            },
            c.headroom.to_string(),
            c.used.to_string(),
        ]);
    }
    t.write(out)?;
    for (i, c) in a.candidates.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{}. {}", i + 1, c.summary)?;
        for line in &c.apply {
            for l in line.lines() {
                writeln!(out, "   {l}")?;
            }
        }
    }
    Ok(())
}
