//! Output plumbing shared by the subcommands: aligned text tables, JSON and YAML writers.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// `--format` of every command that prints one report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned tables for people.
    #[default]
    Table,
    /// The versioned object (`schema_version`), pretty-printed JSON.
    Json,
    /// The same object as YAML.
    Yaml,
}

impl Format {
    /// The `--format` value that selects it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Json => "json",
            Self::Yaml => "yaml",
        }
    }
}

/// Write `value` as JSON or YAML, or call `human` for the table form.
pub fn write_report<T: Serialize>(
    out: &mut dyn Write,
    format: Format,
    value: &T,
    human: impl FnOnce(&mut dyn Write, &T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match format {
        Format::Table => human(out, value),
        Format::Json => write_json(out, value),
        Format::Yaml => write_yaml(out, value),
    }
}

/// Column alignment in a text table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Pad on the right (text).
    Left,
    /// Pad on the left (numbers).
    Right,
}

/// A text table: a header row and aligned columns separated by two spaces, no trailing spaces.
#[derive(Debug)]
pub struct Table {
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(columns: &[(&'static str, Align)]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Add a row (one cell per column).
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Write the table.
    pub fn write(&self, w: &mut dyn Write) -> io::Result<()> {
        self.write_painted(w, |_| None)
    }

    /// Write the table, each data row in the colour `row_paint` picks for it (after alignment, so colour never
    /// shifts a column).
    pub fn write_painted(
        &self,
        w: &mut dyn Write,
        row_paint: impl Fn(&[String]) -> Option<Paint>,
    ) -> io::Result<()> {
        let mut widths: Vec<usize> = self.columns.iter().map(|(h, _)| h.len()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let headers: Vec<String> = self.columns.iter().map(|(h, _)| (*h).to_string()).collect();
        self.write_row(w, &headers, &widths, None)?;
        for row in &self.rows {
            self.write_row(w, row, &widths, row_paint(row))?;
        }
        Ok(())
    }

    fn write_row(
        &self,
        w: &mut dyn Write,
        row: &[String],
        widths: &[usize],
        colour: Option<Paint>,
    ) -> io::Result<()> {
        let mut line = String::new();
        let last = row.len() - 1;
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i > 0 {
                line.push_str("  ");
            }
            match self.columns[i].1 {
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
                Align::Left => {
                    line.push_str(cell);
                    if i != last {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
        }
        let line = line.trim_end();
        match colour {
            Some(p) => writeln!(w, "{}", paint(line, p)),
            None => writeln!(w, "{line}"),
        }
    }
}

/// Write `value` as pretty JSON and a final newline.
pub fn write_json<T: Serialize>(w: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    writeln!(w)?;
    Ok(())
}

/// Write `value` as a YAML document.
pub fn write_yaml<T: Serialize>(w: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    let text = serde_yaml::to_string(value)?;
    w.write_all(text.as_bytes())?;
    Ok(())
}

/// The one stderr line of an error: `ipplan: error: ...`, its causes joined on one line.
pub fn error_line(err: &anyhow::Error) -> String {
    let msg = format!("{err:#}").replace('\n', " ");
    format!("ipplan: error: {msg}")
}

/// Whether the error is stdout closing under us (`ipplan ... | head`): not worth reporting.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                .is_some_and(|k| k == io::ErrorKind::BrokenPipe)
    })
}

static COLOR: AtomicBool = AtomicBool::new(false);

/// Turn colour on or off for this process (from `--color`, once, in `main`).
pub fn set_color(on: bool) {
    COLOR.store(on, Ordering::Relaxed);
}

/// A colour for [`paint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Good news.
    Green,
    /// Does not fit, errors.
    Red,
    /// Warnings.
    Yellow,
    /// Emphasis.
    Bold,
}

/// `text` in `paint` when colour is on, else as it is.
pub fn paint(text: &str, paint: Paint) -> String {
    if !COLOR.load(Ordering::Relaxed) {
        return text.to_string();
    }
    let code = match paint {
        Paint::Green => "32",
        Paint::Red => "1;31",
        Paint::Yellow => "33",
        Paint::Bold => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
