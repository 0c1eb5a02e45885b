//! `ipplan map PLAN --subnet NAME --out map.svg [--at TIME] [--format svg|json]`: run the plan's scenario (or its
//! peak) and draw one subnet's /28 blocks at the end or at `--at` (`--at 0`: the subnet before any node starts,
//! as imported). `--format json` prints the block census and fragmentation score instead (see
//! [`BlockCensus`]). Each block's tooltip (and, in the JSON, `owners`) names who holds its known addresses, the
//! subnet's `other_consumers[].at` and the ECS tasks' `ecs_services[].at` ([`Owners`]). Exit 0 when the output is written, 2 on bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use ipplan_core::edit_distance;
use ipplan_planner::Simulation;
use ipplan_planner::alloc::{Band, BlockCensus};
use ipplan_planner::svg::{MapOptions, OwnedBlock, Owners, subnet_map_with_owners};

use crate::args::Context;
use crate::outfile::{is_stdout, not_an_input, svg_only};
use crate::plans::{file_name, load_plan, scenario, write_file};

/// `ipplan map` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan file (YAML, or JSON when it ends in `.json` or starts with `{`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// The subnet to draw (its `name` in the plan).
    #[arg(long, value_name = "NAME")]
    pub subnet: String,
    /// The file to write; `-`: stdout (and no summary line). Required for SVG; JSON goes to stdout without it.
    #[arg(long, value_name = "FILE.svg")]
    pub out: Option<PathBuf>,
    /// `svg`: the picture (each block's tooltip names who holds its known addresses, `other_consumers[].at`);
    /// `json`: the block counts (free, fragmented, full, reserved, prefix, prefix_reserved), the fragmentation
    /// score and band of AWS's subnet-fragmentation tool, and `owners` of each block holding known addresses.
    #[arg(long, value_enum, default_value_t = MapFormat::Svg)]
    pub format: MapFormat,
    /// Draw the subnet at this time (`90s`, `10m`, `1h30m`, or seconds) instead of at the end.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Seed of every random choice (default: the plan's `simulate.seed`, else 1).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// What `map` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MapFormat {
    /// An SVG picture of the /28 blocks.
    Svg,
    /// The block census and score as JSON.
    Json,
}

/// `map --format json`: one subnet's /28 census at one moment.
#[derive(Debug, serde::Serialize)]
struct MapJson<'a> {
    plan: &'a str,
    subnet: &'a str,
    cidr: String,
    /// The simulated time drawn, seconds.
    at: u32,
    seed: u64,
    total_blocks: u64,
    blocks: BlockCensus,
    /// `ceil((fragmented + full) / (free + prefix_reserved + fragmented + full) * 100)`; null without candidates.
    score: Option<u8>,
    band: Option<Band>,
    /// The blocks holding known addresses (`other_consumers[].at`), lowest first, with who holds what there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    owners: Vec<OwnedBlock>,
}

/// The index of subnet `name`, or an error naming the plan, the flag and the closest name.
fn subnet_index(names: &[&str], name: &str, plan: &str) -> anyhow::Result<usize> {
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Ok(i);
    }
    let hint = names
        .iter()
        .map(|n| (edit_distance(n, name), *n))
        .filter(|(d, n)| *d <= 2.max(n.chars().count() / 3))
        .min()
        .map_or_else(
            || format!("use one of {}", quoted(names)),
            |(_, n)| format!("did you mean '{n}'?"),
        );
    bail!("--subnet '{name}' is not a subnet of plan '{plan}'; {hint}")
}

fn quoted(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

/// Parse `--at`: `90s`, `10m`, `1h30m`, `2h`, or a number of seconds (the plan file's duration syntax).
fn parse_at(text: &str) -> anyhow::Result<u32> {
    ipplan_planner::plan::parse_seconds(text.trim()).ok_or_else(|| {
        anyhow::anyhow!(
            "--at '{text}' is not a time; write seconds or a duration like '90s', '10m' or '1h30m'"
        )
    })
}

/// Run `map`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let at = args.at.as_deref().map(parse_at).transpose()?;
    let target = match (&args.out, args.format) {
        (Some(path), MapFormat::Svg) => {
            svg_only("--out", path, "map.svg")?;
            path.clone()
        }
        (Some(path), MapFormat::Json) => path.clone(),
        (None, MapFormat::Svg) => bail!(
            "map needs --out: name the SVG file (e.g. --out map.svg), or --out - for stdout; --format json prints the counts instead"
        ),
        (None, MapFormat::Json) => PathBuf::from("-"),
    };
    not_an_input(ctx, "--out", &target, &args.plan, "map.svg")?;
    let plan = load_plan(ctx, &args.plan)?;
    crate::plans::simulates(&plan)?;
    let names: Vec<&str> = plan.subnets().iter().map(|s| s.name()).collect();
    let index = subnet_index(&names, &args.subnet, plan.file())?;
    let scenario = scenario(&plan, args.seed);
    let mut sim = Simulation::new(&plan, &scenario);
    let when = match at {
        Some(t) => {
            sim.run_until(t);
            if sim.is_done() && sim.now() < t {
                format!("at the end ({}s, before {t}s)", sim.now())
            } else {
                format!("at {t}s")
            }
        }
        None => {
            sim.run();
            format!("at the end ({}s)", sim.now())
        }
    };
    let blocks = sim
        .block_states(index)
        .context("the simulation has no such subnet")?;
    let subnet = &plan.subnets()[index];
    let owners = Owners::in_plan(plan.spec(), subnet.name());
    let title = format!(
        "{}: subnet {} {when}, seed {}",
        file_name(plan.file()),
        subnet.name(),
        scenario.seed
    );
    let text = match args.format {
        MapFormat::Svg => subnet_map_with_owners(
            subnet.cidr(),
            &blocks,
            &owners,
            &title,
            &MapOptions::default(),
        ),
        MapFormat::Json => {
            let census = BlockCensus::of(&blocks);
            let json = MapJson {
                plan: file_name(plan.file()),
                subnet: subnet.name(),
                cidr: subnet.cidr().to_string(),
                at: sim.now(),
                seed: scenario.seed,
                total_blocks: census.total(),
                blocks: census,
                score: census.score(),
                band: census.band(),
                owners: owners.by_block(subnet.cidr()),
            };
            let mut text = serde_json::to_string_pretty(&json)?;
            text.push('\n');
            text
        }
    };
    if is_stdout(&target) {
        out.write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    write_file("--out", &target, &text)?;
    writeln!(
        out,
        "wrote {} (subnet {} {}, {} /28 blocks {when})",
        target.display(),
        subnet.name(),
        subnet.cidr(),
        blocks.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::{parse_at, subnet_index};

    #[test]
    fn at_times() {
        assert_eq!(parse_at("90s").unwrap(), 90);
        assert_eq!(parse_at("10m").unwrap(), 600);
        assert_eq!(parse_at("1h30m").unwrap(), 5400);
        assert_eq!(parse_at("45").unwrap(), 45);
        for bad in ["", "ten", "5x", "5m3", "m", "-5s", "99999999999"] {
            let e = parse_at(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--at '{bad}' is not a time")), "{e}");
        }
    }

    #[test]
    fn subnet_names_with_a_suggestion() {
        let names = ["shared-a", "shared-b", "pods-a"];
        assert_eq!(subnet_index(&names, "shared-b", "p.yaml").unwrap(), 1);
        assert_eq!(
            subnet_index(&names, "shared-c", "p.yaml")
                .unwrap_err()
                .to_string(),
            "--subnet 'shared-c' is not a subnet of plan 'p.yaml'; did you mean 'shared-a'?"
        );
        assert_eq!(
            subnet_index(&names, "zzzzzzzz", "p.yaml")
                .unwrap_err()
                .to_string(),
            "--subnet 'zzzzzzzz' is not a subnet of plan 'p.yaml'; use one of 'shared-a', 'shared-b', 'pods-a'"
        );
    }
}
