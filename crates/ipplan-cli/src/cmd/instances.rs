//! `ipplan instances`: list instance types and their network facts; `ipplan instances import FILE` converts
//! `aws ec2 describe-instance-types --output json` output into the project's CSV schema.
//!
//! ## Wire format (`--format json`; `--format yaml` is the same object)
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "data_version": "2026-08-21 (...)",
//!   "filter": "m5*" | null,
//!   "instances": [{
//!     "instance_type": "m5.large",
//!     "enis": 3,                        // ENIs on the default network card
//!     "ipv4_per_eni": 10,               // the ENI's primary address included
//!     "vcpus": 2 | null,                // null when unknown
//!     "vcpus_derived": false,           // true when derived from the size name, not listed by EC2
//!     "hypervisor": "nitro" | "xen" | "unknown" | null,   // null: EC2 reports none (bare metal)
//!     "bare_metal": false,
//!     "network_cards": 1, "enis_total": 3,
//!     "trunking": true | null, "branch_enis": 9 | null,   // null when the source does not say
//!     "source": "karpenter+cni"
//!   }]
//! }
//! ```
//!
//! `--format csv` prints the project schema (`ipplan_core::to_csv`), which `--instance-data` reads back.
//! FILTER is a substring of the name (`xlarge`), or a prefix when it ends in `*` (`m5*`). No match: the empty
//! listing and exit code 1.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ipplan_core::{Hypervisor, InstanceInfo, Vcpus, to_csv};
use serde::Serialize;

use crate::args::{Context, read_rows};
use crate::output::{self, Align, Table};

/// The JSON/YAML `schema_version` of this command's output.
pub const SCHEMA_VERSION: u32 = 1;

/// Output formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people (`2*` marks a vCPU count derived from the size name).
    #[default]
    Table,
    /// A versioned JSON object (`"schema_version": 1`, then the instances).
    Json,
    /// The same object as YAML.
    Yaml,
    /// The project's CSV schema, readable with --instance-data.
    Csv,
}

/// `ipplan instances` arguments.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Only types whose name contains FILTER; a trailing `*` makes it a prefix (`m5*`).
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
    /// Output format (`-o`/`--output` as kubectl and the AWS CLI spell it).
    #[arg(
        short = 'o',
        long,
        visible_alias = "output",
        value_enum,
        default_value_t
    )]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Print `aws ec2 describe-instance-types --output json` output (or a CSV) as the project's CSV schema.
    Import {
        /// The file to convert.
        file: PathBuf,
    },
}

#[derive(Debug, Serialize)]
struct Listing<'a> {
    schema_version: u32,
    data_version: &'static str,
    filter: Option<&'a str>,
    instances: Vec<Row<'a>>,
}

#[derive(Debug, Serialize)]
struct Row<'a> {
    instance_type: &'a str,
    enis: u32,
    ipv4_per_eni: u32,
    vcpus: Option<u32>,
    vcpus_derived: bool,
    hypervisor: Option<&'static str>,
    bare_metal: bool,
    network_cards: u32,
    enis_total: u32,
    trunking: Option<bool>,
    branch_enis: Option<u32>,
    source: &'a str,
}

impl<'a> Row<'a> {
    fn new(r: &'a InstanceInfo) -> Self {
        Self {
            instance_type: &r.name,
            enis: r.enis,
            ipv4_per_eni: r.ipv4_per_eni,
            vcpus: r.vcpus.count(),
            vcpus_derived: matches!(r.vcpus, Vcpus::Derived(_)),
            hypervisor: match r.hypervisor {
                Hypervisor::NotReported => None,
                h => Some(h.as_csv()),
            },
            bare_metal: r.bare_metal,
            network_cards: r.network_cards,
            enis_total: r.enis_total,
            trunking: r.trunking,
            branch_enis: r.branch_enis,
            source: &r.source,
        }
    }
}

fn matches(name: &str, filter: Option<&str>) -> bool {
    match filter {
        None => true,
        Some(f) => match f.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name.contains(f),
        },
    }
}

/// Run `ipplan instances`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if let Some(Sub::Import { file }) = &args.command {
        let rows = read_rows(file)?;
        out.write_all(to_csv(&rows).as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let filter = args.filter.as_deref();
    let rows: Vec<&InstanceInfo> = ctx
        .catalog
        .iter()
        .filter(|r| matches(&r.name, filter))
        .collect();
    match args.format {
        Format::Table => write_table(out, &rows)?,
        Format::Csv => {
            let owned: Vec<InstanceInfo> = rows.iter().map(|r| (*r).clone()).collect();
            out.write_all(to_csv(&owned).as_bytes())?;
        }
        Format::Json | Format::Yaml => {
            let listing = Listing {
                schema_version: SCHEMA_VERSION,
                data_version: ipplan_core::DATA_VERSION,
                filter,
                instances: rows.iter().map(|r| Row::new(r)).collect(),
            };
            if args.format == Format::Json {
                output::write_json(out, &listing)?;
            } else {
                output::write_yaml(out, &listing)?;
            }
        }
    }
    Ok(if rows.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_table(out: &mut dyn Write, rows: &[&InstanceInfo]) -> anyhow::Result<()> {
    let mut t = Table::new(&[
        ("TYPE", Align::Left),
        ("ENIS", Align::Right),
        ("IPV4/ENI", Align::Right),
        ("VCPUS", Align::Right),
        ("HYPERVISOR", Align::Left),
        ("BARE METAL", Align::Left),
        ("TRUNKING", Align::Left),
        ("BRANCH ENIS", Align::Right),
        ("SOURCE", Align::Left),
    ]);
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    let mut derived = false;
    for r in rows {
        let vcpus = match r.vcpus {
            Vcpus::Listed(n) => n.to_string(),
            Vcpus::Derived(n) => {
                derived = true;
                format!("{n}*")
            }
            Vcpus::Unknown => "?".to_string(),
        };
        t.push(vec![
            r.name.to_string(),
            r.enis.to_string(),
            r.ipv4_per_eni.to_string(),
            vcpus,
            match r.hypervisor {
                Hypervisor::NotReported => "-".to_string(),
                h => h.as_csv().to_string(),
            },
            yes_no(r.bare_metal),
            r.trunking.map_or_else(|| "?".to_string(), yes_no),
            r.branch_enis
                .map_or_else(|| "?".to_string(), |n| n.to_string()),
            r.source.to_string(),
        ]);
    }
    t.write(out)?;
    if derived {
        writeln!(
            out,
            "* vCPU count derived from the size name (EC2 data had none)"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn filter_substring_and_prefix() {
        assert!(matches("m5.large", None));
        assert!(matches("m5.large", Some("5.lar")));
        assert!(matches("m5a.large", Some("m5*")));
        assert!(!matches("cm5.large", Some("m5*")));
        assert!(matches("cm5.large", Some("m5")));
        assert!(!matches("m6i.large", Some("m5")));
    }
}
