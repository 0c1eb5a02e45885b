//! One module per subcommand, each with its clap `Args` and a `run(ctx, args, out) -> Result<ExitCode>`.

pub mod check;
pub mod compare;
pub mod import;
pub mod instances;
pub mod map;
pub mod max_pods;
pub mod simulate;
pub mod terraform;
