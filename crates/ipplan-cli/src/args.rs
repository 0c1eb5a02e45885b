//! What every subcommand shares: the global flags and the catalog they load.

use std::path::PathBuf;
use std::sync::LazyLock;

use anyhow::Context as _;
use ipplan_core::{Catalog, DATA_VERSION, parse_instance_data};

/// `ipplan 0.1.0 (instance data 2026-08-21 (...))`: the crate version and the embedded data's version.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (instance data {DATA_VERSION})",
        env!("CARGO_PKG_VERSION")
    )
});

/// The `--version` text.
pub fn version() -> &'static str {
    VERSION.as_str()
}

/// Flags every subcommand accepts.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Your own instance rows, overlaid on the embedded table: a CSV in the project schema
    /// (see `ipplan instances --format csv`) or `aws ec2 describe-instance-types --output json` output.
    #[arg(long, global = true, value_name = "FILE")]
    pub instance_data: Option<PathBuf>,
    /// No progress on stderr (it shows only when stderr is a terminal anyway). Errors still print.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
    /// Colour in tables (verdicts, failing rows, errors): `auto` only on a terminal and without `NO_COLOR`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set to anything but the empty string (no-color.org).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour stdout.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal as _;
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// What a subcommand runs against.
#[derive(Debug)]
pub struct Context {
    /// The embedded table, overlaid with `--instance-data` rows.
    pub catalog: Catalog,
    /// The `--instance-data` path as given, for reports.
    pub instance_data: Option<String>,
    /// `--instance-data` as a path, so that an output file is never the input.
    pub instance_data_path: Option<PathBuf>,
    /// `--quiet`: no progress on stderr.
    pub quiet: bool,
}

impl Context {
    /// Load the catalog; `--instance-data` errors name the file, the line and the field.
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Self> {
        let Some(path) = &global.instance_data else {
            return Ok(Self {
                catalog: Catalog::embedded(),
                instance_data: None,
                instance_data_path: None,
                quiet: global.quiet,
            });
        };
        let shown = path.display().to_string();
        let rows = read_rows(path).context("--instance-data")?;
        Ok(Self {
            catalog: Catalog::with_overlay(rows),
            instance_data: Some(shown),
            instance_data_path: Some(path.clone()),
            quiet: global.quiet,
        })
    }
}

/// Read instance rows (CSV or describe-instance-types JSON) from a file.
pub fn read_rows(path: &std::path::Path) -> anyhow::Result<Vec<ipplan_core::InstanceInfo>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read instance data file '{shown}' (check the path)"))?;
    Ok(parse_instance_data(&text).map_err(|e| e.in_file(&shown))?)
}
