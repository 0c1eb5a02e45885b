//! `ipplan schema`: the JSON Schema of the plan file, generated from the plan-spec types
//! (`ipplan_planner::PlanSpec`). `schema/plan.schema.json` in the repository is this output; a test keeps it
//! fresh (`ipplan schema > schema/plan.schema.json` after changing the plan format).

use std::io::Write;
use std::process::ExitCode;

/// `ipplan schema` arguments (none).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// The plan file's JSON Schema, pretty-printed, with a final newline. Draft-07: the draft that editors (VS Code,
/// yaml-language-server) support best; nothing in the plan format needs a later one.
pub fn plan_schema() -> anyhow::Result<String> {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<ipplan_planner::PlanSpec>();
    Ok(serde_json::to_string_pretty(&schema)? + "\n")
}

/// Run `schema`.
pub fn run(_args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    out.write_all(plan_schema()?.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
