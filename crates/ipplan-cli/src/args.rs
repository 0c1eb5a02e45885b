//! What every subcommand shares: the global flags and the catalog they load.

use std::io::Read;
use std::path::{Path, PathBuf};
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
pub fn read_rows(path: &Path) -> anyhow::Result<Vec<ipplan_core::InstanceInfo>> {
    let shown = path.display().to_string();
    let text = read_text(
        path,
        "instance data file",
        ipplan_core::MAX_INSTANCE_DATA_BYTES,
        "give only the instance types you use",
    )?;
    Ok(parse_instance_data(&text).map_err(|e| e.in_file(&shown))?)
}

/// Read a whole input file as text: the one place the CLI turns bytes into text. At most `limit` bytes are read
/// (a 100 MB file is an error, not an allocation; `too_large` is the fix to print), a UTF-8 byte-order mark is
/// dropped, and UTF-16 or other non-UTF-8 text is an error that says how to save it. `what` names the file in
/// errors ("plan file").
pub fn read_text(path: &Path, what: &str, limit: usize, too_large: &str) -> anyhow::Result<String> {
    let shown = ipplan_core::printable(&path.display().to_string()).into_owned();
    let cannot = || format!("cannot read {what} '{shown}' (check the path)");
    let file = std::fs::File::open(path).with_context(cannot)?;
    let size = file.metadata().ok().map(|m| m.len());
    match read_limited(file, limit).with_context(cannot)? {
        Some(bytes) => decode(bytes, &shown),
        None => {
            let size = size.map_or(String::new(), |n| format!(" ({n} bytes)"));
            anyhow::bail!(
                "{shown}: the {what} is larger than {} MiB{size}: {too_large}",
                limit >> 20
            )
        }
    }
}

/// All of `r` if it is at most `limit` bytes, else `None` (having read `limit + 1`).
pub fn read_limited(r: impl Read, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    r.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// Bytes as UTF-8 text without a byte-order mark; UTF-16 (a byte-order mark, or NUL bytes) and other encodings
/// are errors naming the file and the fix.
pub fn decode(bytes: Vec<u8>, shown: &str) -> anyhow::Result<String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        anyhow::bail!(
            "{shown}: the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
        );
    }
    let bytes = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    if bytes.contains(&0) {
        anyhow::bail!(
            "{shown}: the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8"
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let b = e.as_bytes();
        let line = b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        anyhow::anyhow!(
            "{shown}: line {line}: byte 0x{:02X} is not UTF-8 (a Latin-1 or Windows-1252 file?): save it as UTF-8",
            b[at]
        )
    })
}
