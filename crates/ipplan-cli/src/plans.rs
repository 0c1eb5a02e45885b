//! What the commands share: reading a plan, the scenario with `--seed`, the exit code of a verdict, and
//! writing output files. Command modules call this, never each other.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use ipplan_planner::{Plan, PlanError, Scenario};

use crate::args::{Context, read_text};

/// Read and validate a plan file, its `simulate:` section included (so a typo there fails `check` too); errors
/// name the file, the field and the fix.
pub fn load_plan(ctx: &Context, path: &Path) -> anyhow::Result<Plan> {
    if path.as_os_str() == "-" {
        // `ipplan import ... | ipplan check -`: the plan on stdin, read as the files are (size cap, encodings)
        let bytes = crate::args::read_limited(std::io::stdin().lock(), PlanError::MAX_PLAN_BYTES)
            .context("cannot read the plan from stdin")?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "stdin: the plan is larger than {} bytes: split it",
                    PlanError::MAX_PLAN_BYTES
                )
            })?;
        let text = crate::args::decode(bytes, "stdin")?;
        return Ok(Plan::from_str_auto(&text, "stdin", &ctx.catalog)?);
    }
    let shown = path.display().to_string();
    let text = read_text(
        path,
        "plan file",
        PlanError::MAX_PLAN_BYTES,
        "split it, or check that this is the plan file",
    )?;
    Ok(Plan::from_str_auto(&text, &shown, &ctx.catalog)?)
}

/// The exit code for a verdict: 0 fits, 1 does not fit.
pub fn verdict_code(fits: bool) -> ExitCode {
    if fits {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Write `text` to `path`; the error names the flag and the path.
pub fn write_file(flag: &str, path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| {
        format!(
            "cannot write {flag} file '{}' (check that the directory exists and is writable)",
            path.display()
        )
    })
}

/// The last component of a plan path, for picture titles.
pub fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// The plan's scenario with `--seed` applied.
pub fn scenario(plan: &Plan, seed: Option<u64>) -> Scenario {
    let mut s = plan.scenario();
    if let Some(seed) = seed {
        s.seed = seed;
    }
    s
}

/// The simulation models the IPv4 pools; an IPv6 plan is answered by the closed form alone.
pub fn simulates(plan: &Plan) -> anyhow::Result<()> {
    if plan.cni().ip_family == ipplan_planner::plan::IpFamily::Ipv6 {
        anyhow::bail!(
            "{}: cni.ip_family is ipv6, and the simulation models IPv4 address pools (in IPv6 a node takes one \
             IPv4 address and its pods none): use ipplan check",
            plan.file()
        );
    }
    Ok(())
}
