//! `ipplan man [COMMAND]`: the man page (roff), generated from the clap definitions: `ipplan(1)`, or
//! `ipplan-COMMAND(1)` for one subcommand (the pages `ipplan(1)` refers to).

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clap::CommandFactory as _;

/// `ipplan man` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A subcommand's page instead (`ipplan man simulate`: ipplan-simulate(1)).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Run `man`: the page on stdout.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::Cli::command();
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .filter(|n| *n != "help")
                    .collect();
                bail!(
                    "man: '{name}' is not an ipplan command; use one of {}",
                    names.join(", ")
                );
            };
            // built: its display name is `ipplan-NAME`, its usage `ipplan NAME ...`
            sub.clone()
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    out.write_all(&roff)?;
    Ok(ExitCode::SUCCESS)
}
