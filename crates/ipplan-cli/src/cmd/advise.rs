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
    let advice = crate::progress::spinner(
        "checking candidate changes",
        options.simulate && crate::progress::wanted(ctx.quiet),
        || advise(&plan, &ctx.catalog, options),
    );
    let before = plan.spec().to_yaml();
    write_report(out, args.format, &advice, |o, a| write_human(o, a, &before))?;
    let any = advice.fits || advice.candidates.iter().any(|c| c.fits);
    Ok(if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The lines where `after` differs from `before`: the common head and tail are dropped (linear, and the spec's
/// YAML keeps its order, so a candidate's change is one run of lines), the rest marked `-` and `+`.
fn patch(before: &str, after: &str) -> Vec<String> {
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let head = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let tail = b[head..]
        .iter()
        .rev()
        .zip(a[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out: Vec<String> = b[head..b.len() - tail]
        .iter()
        .map(|l| format!("- {l}"))
        .collect();
    out.extend(a[head..a.len() - tail].iter().map(|l| format!("+ {l}")));
    out
}

/// At most this many patch lines in the table form (`-o json` has every candidate's whole plan).
const PATCH_LINES: usize = 24;

fn write_human(out: &mut dyn Write, a: &Advice, before: &str) -> anyhow::Result<()> {
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
        let p = patch(before, &c.plan.to_yaml());
        if !p.is_empty() {
            writeln!(out, "   the plan file, changed:")?;
            for l in p.iter().take(PATCH_LINES) {
                writeln!(out, "   {l}")?;
            }
            if p.len() > PATCH_LINES {
                writeln!(
                    out,
                    "   ... {} more lines (`ipplan advise -o json` has the whole changed plan)",
                    p.len() - PATCH_LINES
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::patch;

    #[test]
    fn the_patch_is_the_changed_run_of_lines() {
        let before = "a: 1\ncni:\n  mode: prefix\nsubnets: []\n";
        let after = "a: 1\ncni:\n  mode: prefix\n  warm_ip_target: 2\nsubnets: []\n";
        assert_eq!(patch(before, after), ["+   warm_ip_target: 2"]);
        assert_eq!(patch(after, after), Vec::<String>::new());
        assert_eq!(patch("x: 1\n", "x: 2\n"), ["- x: 1", "+ x: 2"]);
    }
}
