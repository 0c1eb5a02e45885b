//! `ipplan`: will these subnets hold this EKS cluster's pods under the Amazon VPC CNI? Offline answers from
//! the embedded instance table (plus the user's own rows with `--instance-data`).
//!
//! This file is wiring only: `main` calls [`run`], which parses the arguments, loads the catalog and hands off
//! to one `cmd/<name>.rs` per subcommand. To add a subcommand: a module in `cmd/`, one [`Command`] variant and
//! one match arm below. Exit codes: 0 success, 1 a computed "no" (e.g. no instance type matched), 2 an error
//! (bad input, unknown type; clap's own usage errors also exit 2). Errors print as one line on stderr:
//! `ipplan: error: ...`.

mod args;
mod cmd;
mod html;
mod outfile;
mod output;
mod plans;
mod progress;
mod render;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Offline EKS pod-IP planning for the Amazon VPC CNI.
#[derive(Debug, Parser)]
#[command(name = "ipplan", version = args::version(), about, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: args::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a plan: does every subnet hold the cluster at peak? Exit 0 fits, 1 does not fit, 2 bad input.
    Check(cmd::check::Args),
    /// When the plan does not fit: changes that would make it fit (CNI settings, prefix reservations, node
    /// limits, bigger subnets, custom networking), each re-checked. Exit 0 some fits, 1 none, 2 bad input.
    Advise(cmd::advise::Args),
    /// What-if: the same cluster on other layouts (`--layout 24`, `--layout 20`, `--layout 100.64.0.0/16`).
    Compare(cmd::compare::Args),
    /// Terraform `external` data source: a JSON object of strings on stdin, one on stdout.
    Terraform(cmd::terraform::Args),
    /// Max pods per node for instance types, as the VPC CNI, AWS's max-pods-calculator.sh and Karpenter
    /// compute them.
    MaxPods(cmd::max_pods::Args),
    /// List instance types and their network facts, or import `describe-instance-types` JSON as CSV.
    Instances(cmd::instances::Args),
    /// Simulate the plan's `simulate:` scenario (or its peak) tick by tick: per-subnet peaks, failed
    /// allocations, pod waits. Exit 0 fits, 1 an allocation fails or a pod waits too long, 2 bad input.
    Simulate(cmd::simulate::Args),
    /// Draw one subnet's /28 blocks (prefixes, spoiled, free) after the simulation, or at `--at`, as SVG.
    Map(cmd::map::Args),
    /// Write one self-contained HTML page (verdict, subnets, node groups, findings, layouts, /28 maps, the plot)
    /// to share. Exit 0 fits, 1 does not fit, 2 bad input.
    Report(cmd::report::Args),
    /// Print the plan file's JSON Schema (for editors: `# yaml-language-server: $schema=...`).
    Schema(cmd::schema::Args),
    /// Print a shell completion script: `ipplan completions bash > ~/.local/share/bash-completion/completions/ipplan`.
    Completions(cmd::completions::Args),
    /// Print the man page (roff): `ipplan man > ipplan.1; man ./ipplan.1`.
    Man(cmd::man::Args),
    /// A plan from Terraform plans/states, eksctl configs, Karpenter NodePools and AWS CLI output (subnets, ENIs,
    /// CIDR reservations, VPCs, ECS services), each value commented with its source. Exit 0, 2 bad input.
    Import(Box<cmd::import::Args>),
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "{}", output::error_line(&err));
            ExitCode::from(2)
        }
    }
}

/// Parse the arguments and run one subcommand; the exit code says the outcome.
fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    output::set_color(cli.global.color.enabled());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // `schema`, `completions` and `man` print what the binary itself knows: they load no catalog.
    let ctx = || args::Context::load(&cli.global);
    let code = match &cli.command {
        Command::Check(a) => cmd::check::run(&ctx()?, a, &mut out)?,
        Command::Advise(a) => cmd::advise::run(&ctx()?, a, &mut out)?,
        Command::Compare(a) => cmd::compare::run(&ctx()?, a, &mut out)?,
        Command::Terraform(a) => cmd::terraform::run(&ctx()?, a, &mut out)?,
        Command::MaxPods(a) => cmd::max_pods::run(&ctx()?, a, &mut out)?,
        Command::Instances(a) => cmd::instances::run(&ctx()?, a, &mut out)?,
        Command::Simulate(a) => cmd::simulate::run(&ctx()?, a, &mut out)?,
        Command::Map(a) => cmd::map::run(&ctx()?, a, &mut out)?,
        Command::Import(a) => cmd::import::run(&ctx()?, a, &mut out)?,
        Command::Report(a) => cmd::report::run(&ctx()?, a, &mut out)?,
        Command::Schema(a) => cmd::schema::run(a, &mut out)?,
        Command::Completions(a) => cmd::completions::run(a, &mut out)?,
        Command::Man(a) => cmd::man::run(a, &mut out)?,
    };
    out.flush()?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
