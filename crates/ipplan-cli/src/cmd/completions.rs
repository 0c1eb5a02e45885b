//! `ipplan completions SHELL`: a completion script for the shell, generated from the clap definitions.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory as _;

/// `ipplan completions` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: clap_complete::Shell,
}

/// Run `completions`: the script on stdout.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::Cli::command();
    // Into memory first: clap_complete panics on a write error (a closed pipe); ours are reported.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ipplan", &mut script);
    out.write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}
