//! One module per subcommand, each with its clap `Args` and a `run(ctx, args, out) -> Result<ExitCode>`.

pub mod advise;
pub mod check;
pub mod compare;
pub mod completions;
pub mod import;
pub mod instances;
pub mod man;
pub mod map;
pub mod max_pods;
pub mod report;
pub mod schema;
pub mod simulate;
pub mod terraform;
