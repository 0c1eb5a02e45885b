//! Writing a timeline as the run goes ([`TimelineWriter`]): the rows of [`Simulation::take_timeline`] go
//! out one by one, so a long run over many subnets never holds its whole timeline. The bytes are those of
//! [`Timeline::to_csv`] and of `serde_json::to_string_pretty(&timeline)` plus a newline.
//!
//! [`Simulation::take_timeline`]: crate::sim::Simulation::take_timeline

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::sim::summary::{Timeline, TimelineRow};

/// A timeline file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineFormat {
    /// [`Timeline::to_csv`].
    Csv,
    /// The pretty JSON of a [`Timeline`], and a newline.
    Json,
}

/// Writes a timeline row by row (see the module docs).
///
/// # Examples
/// ```
/// use ipplan_core::Catalog;
/// use ipplan_planner::sim::{TimelineFormat, TimelineWriter};
/// use ipplan_planner::{Plan, Simulation, simulate};
/// let yaml = "
/// subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
/// node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 5 }]
/// simulate: { duration: 10m }
/// ";
/// let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())?;
/// let names: Vec<String> = plan.subnets().iter().map(|s| s.name().to_string()).collect();
/// let mut sim = Simulation::new(&plan, &plan.scenario());
/// let mut w = TimelineWriter::new(Vec::new(), TimelineFormat::Csv, 60, &names)?;
/// while !sim.is_done() {
///     sim.step();
///     for row in sim.take_timeline() {
///         w.row(&row)?;
///     }
/// }
/// let csv = String::from_utf8(w.finish()?).unwrap();
/// assert_eq!(csv, simulate(&plan, &plan.scenario()).timeline.to_csv());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TimelineWriter<W: Write> {
    out: W,
    format: TimelineFormat,
    rows: u64,
    line: String,
}

impl<W: Write> TimelineWriter<W> {
    /// Starts the file: the CSV header, or the JSON object up to its `rows`.
    ///
    /// # Errors
    /// What writing to `out` returns.
    pub fn new(
        mut out: W,
        format: TimelineFormat,
        interval_seconds: u32,
        subnet_names: &[String],
    ) -> io::Result<Self> {
        match format {
            TimelineFormat::Csv => {
                let mut head = String::from("t,nodes,pods_running,pods_waiting,pods_unscheduled");
                for n in subnet_names {
                    let n = csv_field(n);
                    let _ = write!(head, ",{n}.used,{n}.free_blocks,{n}.fragmentation");
                }
                head.push('\n');
                out.write_all(head.as_bytes())?;
            }
            TimelineFormat::Json => {
                let empty = Timeline {
                    interval_seconds,
                    subnet_names: subnet_names.to_vec(),
                    rows: Vec::new(),
                };
                let text = serde_json::to_string_pretty(&empty).map_err(io::Error::other)?;
                // `..."rows": []\n}`: everything before the empty list
                let head = text.strip_suffix("[]\n}").unwrap_or(&text);
                out.write_all(head.as_bytes())?;
            }
        }
        Ok(Self {
            out,
            format,
            rows: 0,
            line: String::new(),
        })
    }

    /// The next row.
    ///
    /// # Errors
    /// What writing to the output returns.
    pub fn row(&mut self, r: &TimelineRow) -> io::Result<()> {
        self.line.clear();
        match self.format {
            TimelineFormat::Csv => {
                let _ = write!(
                    self.line,
                    "{},{},{},{},{}",
                    r.t, r.nodes, r.pods_running, r.pods_waiting, r.pods_unscheduled
                );
                for s in &r.subnets {
                    let _ = write!(
                        self.line,
                        ",{},{},{:.4}",
                        s.used_addresses,
                        s.free_prefix_blocks,
                        s.fragmentation()
                    );
                }
                self.line.push('\n');
            }
            TimelineFormat::Json => {
                self.line
                    .push_str(if self.rows == 0 { "[\n" } else { ",\n" });
                let text = serde_json::to_string_pretty(r).map_err(io::Error::other)?;
                // (a row holds numbers only: indenting each line nests it two levels down)
                for (i, l) in text.lines().enumerate() {
                    if i > 0 {
                        self.line.push('\n');
                    }
                    self.line.push_str("    ");
                    self.line.push_str(l);
                }
            }
        }
        self.rows += 1;
        self.out.write_all(self.line.as_bytes())
    }

    /// Ends the file (JSON: closes the rows and the object, and a newline), flushes, and hands the output back.
    ///
    /// # Errors
    /// What writing to the output returns.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == TimelineFormat::Json {
            let tail = if self.rows == 0 {
                "[]\n}\n"
            } else {
                "\n  ]\n}\n"
            };
            self.out.write_all(tail.as_bytes())?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{TimelineFormat, TimelineWriter};
    use crate::sim::{Timeline, TimelineRow, TimelineSubnet};

    fn timeline(rows: usize) -> Timeline {
        Timeline {
            interval_seconds: 60,
            subnet_names: vec!["a".into(), "b,\"c\"".into()],
            rows: (0..rows)
                .map(|i| TimelineRow {
                    t: 60 * i as u32,
                    nodes: 3,
                    pods_running: 40 + i as u64,
                    pods_waiting: 1,
                    pods_unscheduled: 0,
                    subnets: vec![
                        TimelineSubnet::new(9, 12, 0.25),
                        TimelineSubnet::new(0, 3, 0.0),
                    ],
                })
                .collect(),
        }
    }

    fn written(t: &Timeline, f: TimelineFormat) -> String {
        let mut w =
            TimelineWriter::new(Vec::new(), f, t.interval_seconds, &t.subnet_names).unwrap();
        for r in &t.rows {
            w.row(r).unwrap();
        }
        String::from_utf8(w.finish().unwrap()).unwrap()
    }

    /// Row by row, the same bytes as the whole timeline written at once, with no row, one, and several.
    #[test]
    fn same_bytes_as_the_whole_timeline() {
        for n in [0, 1, 3] {
            let t = timeline(n);
            assert_eq!(written(&t, TimelineFormat::Csv), t.to_csv(), "{n} rows");
            assert_eq!(
                written(&t, TimelineFormat::Json),
                serde_json::to_string_pretty(&t).unwrap() + "\n",
                "{n} rows"
            );
        }
    }
}
