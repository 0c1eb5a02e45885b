//! `ipplan terraform`: Terraform's `external` data-source protocol. One JSON object of strings on stdin, one
//! JSON object of strings on stdout; on error one line on stderr and exit 2. See `examples/terraform/`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::args::Context;

/// `ipplan terraform` arguments (none: the query comes on stdin).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the protocol. The exit code is 0 whether or not the plan fits: Terraform reads `fits` from the result
/// (a non-zero exit would fail the data source).
pub fn run(ctx: &Context, _args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    // the same cap and encoding rules as a plan file: a BOM is dropped, UTF-16 is named
    let bytes = crate::args::read_limited(
        std::io::stdin().lock(),
        ipplan_planner::PlanError::MAX_PLAN_BYTES,
    )
    .context("cannot read the query from stdin")?
    .ok_or_else(|| {
        anyhow::anyhow!(
            "terraform query: larger than {} bytes: a query is a small map of strings",
            ipplan_planner::PlanError::MAX_PLAN_BYTES
        )
    })?;
    let query = crate::args::decode(bytes, "terraform query")?;
    let result = ipplan_planner::terraform_run(&query, &ctx.catalog)?;
    serde_json::to_writer(&mut *out, &result)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}
