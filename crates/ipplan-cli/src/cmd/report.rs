//! `ipplan report PLAN -o report.html`: one self-contained HTML page to attach to a PR or a design review.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ipplan_planner::svg::{MapOptions, Owners, simulation_plot, subnet_map_with_owners};
use ipplan_planner::{Layout, Simulation};

use crate::args::Context;
use crate::html::{Page, page};
use crate::outfile::{is_stdout, not_an_input};
use crate::plans::{file_name, load_plan, scenario, verdict_code, write_file};

/// `ipplan report` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Where to write the page (`-` for stdout).
    #[arg(short = 'o', long = "out", value_name = "FILE.html")]
    pub out: PathBuf,
    /// Seed of the simulation's random choices (default: the plan's `simulate.seed`, else 1).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// Run `report`: exit 0 when the plan fits (closed form), 1 when not, 2 on bad input.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    not_an_input(ctx, "--out", &args.out, &args.plan, "report.html")?;
    let plan = load_plan(ctx, &args.plan)?;
    let report = ipplan_planner::check(&plan);
    // The usual what-ifs; a layout that cannot be laid out for this plan is left out.
    let comparison = ipplan_planner::compare(
        &plan,
        &[
            Layout::PrefixLen(24),
            Layout::PrefixLen(20),
            Layout::SecondaryCidr("100.64.0.0/16".parse()?),
        ],
    )
    .or_else(|_| ipplan_planner::compare(&plan, &[Layout::PrefixLen(20)]))
    .ok();
    let ipv6 = plan.cni().ip_family == ipplan_planner::plan::IpFamily::Ipv6;
    let sc = scenario(&plan, args.seed);
    let mut sim = Simulation::new(&plan, &sc);
    if !ipv6 {
        sim.run();
    }
    let simulation = sim.report();
    let options = MapOptions {
        max_cells: 1024,
        ..MapOptions::default()
    };
    // the simulation models IPv4 pools: an IPv6 plan gets no /28 maps and no plot
    let maps = if ipv6 {
        Vec::new()
    } else {
        plan.subnets()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let blocks = sim.block_states(i)?;
                let title = format!("{} ({})", s.name(), s.cidr());
                Some((
                    s.name().to_string(),
                    // the tooltips name who holds the known addresses (other_consumers[].at)
                    subnet_map_with_owners(
                        s.cidr(),
                        &blocks,
                        &Owners::in_plan(plan.spec(), s.name()),
                        &title,
                        &options,
                    ),
                ))
            })
            .collect()
    };
    let plot = (plan.has_scenario() && !ipv6).then(|| {
        simulation_plot(
            &simulation,
            &format!("{}, seed {}", file_name(plan.file()), simulation.seed),
        )
    });
    // what would make it fit, re-checked by the closed form (no simulation: the page stays quick)
    let advice = (!report.fits()).then(|| {
        ipplan_planner::capacity::advise(
            &plan,
            &ctx.catalog,
            ipplan_planner::capacity::AdviseOptions::default(),
        )
    });
    let html = page(&Page {
        report: &report,
        comparison: comparison.as_ref(),
        advice: advice.as_ref(),
        simulation: (!ipv6).then_some(&simulation),
        has_scenario: plan.has_scenario(),
        maps,
        plot,
        data_version: ipplan_core::DATA_VERSION,
    });
    if is_stdout(&args.out) {
        out.write_all(html.as_bytes())?;
    } else {
        write_file("--out", &args.out, &html)?;
        writeln!(
            out,
            "wrote {} ({}: {})",
            args.out.display(),
            report.plan,
            if report.fits() {
                "fits"
            } else {
                "DOES NOT FIT"
            }
        )?;
    }
    Ok(verdict_code(report.fits()))
}
