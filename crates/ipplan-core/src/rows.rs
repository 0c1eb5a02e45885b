//! The one row parser: the project's CSV schema and `aws ec2 describe-instance-types --output json`.
//!
//! The embedded table is generated from `data/instances.csv` through [`parse_csv`], and a user's own rows
//! (`--instance-data FILE`) go through the same function, so both follow one set of rules.
//!
//! ## CSV schema
//!
//! One header line, then one row per type, comma-separated, no quoting:
//!
//! | column | meaning |
//! |---|---|
//! | `instance_type` | EC2 type name |
//! | `enis` | `MaximumNetworkInterfaces` of the default network card |
//! | `ipv4_per_eni` | `Ipv4AddressesPerInterface` (the primary address included) |
//! | `vcpus` | default vCPUs; empty when unknown (then derived from the size name where it can be) |
//! | `hypervisor` | `nitro`, `xen`, `unknown`, or empty (EC2 omits it for bare metal) |
//! | `bare_metal` | `true` / `false` |
//! | `network_cards` | number of network cards |
//! | `enis_total` | ENIs summed over all cards |
//! | `trunking` | `true` / `false`, empty when unknown (security groups for pods) |
//! | `branch_enis` | branch ENIs per instance, empty when unknown |
//! | `source` | where the row came from |

use std::borrow::Cow;

use serde_json::Value;

use crate::error::CoreError;
use crate::instance::{Hypervisor, InstanceInfo, Vcpus, vcpus_from_size_name};

/// The CSV header of the project's schema.
pub const CSV_HEADER: &str = "instance_type,enis,ipv4_per_eni,vcpus,hypervisor,bare_metal,network_cards,enis_total,trunking,branch_enis,source";

const COLUMNS: usize = 11;

fn bad(line: usize, field: &str, message: impl Into<String>) -> CoreError {
    CoreError::BadRow {
        origin: String::new(),
        line,
        field: field.to_string(),
        message: message.into(),
    }
}

fn parse_u32(line: usize, field: &str, v: &str, min: u32) -> Result<u32, CoreError> {
    match v.trim().parse::<u32>() {
        Ok(n) if n >= min => Ok(n),
        Ok(n) => Err(bad(
            line,
            field,
            format!("'{n}' is below {min}; give the value EC2 reports"),
        )),
        Err(_) => Err(bad(
            line,
            field,
            format!("'{v}' is not a whole number; give the value EC2 reports"),
        )),
    }
}

fn parse_bool(line: usize, field: &str, v: &str) -> Result<bool, CoreError> {
    match v.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(bad(
            line,
            field,
            format!("'{other}' is not 'true' or 'false'"),
        )),
    }
}

fn parse_hypervisor(line: usize, v: &str) -> Result<Hypervisor, CoreError> {
    match v.trim() {
        "nitro" => Ok(Hypervisor::Nitro),
        "xen" => Ok(Hypervisor::Xen),
        "" => Ok(Hypervisor::NotReported),
        "unknown" => Ok(Hypervisor::Unknown),
        other => Err(bad(
            line,
            "hypervisor",
            format!("'{other}' is not one of 'nitro', 'xen', 'unknown' or empty"),
        )),
    }
}

/// The vCPU value for a row: listed when given, else derived from the size name, else unknown.
fn vcpus_for(name: &str, listed: Option<u32>) -> Vcpus {
    match (listed, vcpus_from_size_name(name)) {
        (Some(n), _) => Vcpus::Listed(n),
        (None, Some(n)) => Vcpus::Derived(n),
        (None, None) => Vcpus::Unknown,
    }
}

fn valid_name(line: usize, field: &str, name: &str) -> Result<(), CoreError> {
    let ok = !name.is_empty()
        && name.contains('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(bad(
            line,
            field,
            format!("'{name}' is not an EC2 instance type name such as 'm5.large'"),
        ))
    }
}

/// Parse rows in the project's CSV schema. Blank lines and lines starting with `#` are skipped.
/// Errors carry the 1-based line number and the column.
///
/// ```
/// let rows = ipplan_core::parse_csv(
///     "instance_type,enis,ipv4_per_eni,vcpus,hypervisor,bare_metal,network_cards,enis_total,trunking,branch_enis,source\n\
///      m9x.large,3,10,,nitro,false,1,3,true,9,user\n",
/// ).unwrap();
/// assert_eq!(rows[0].enis, 3);
/// assert_eq!(rows[0].vcpus, ipplan_core::Vcpus::Derived(2));
///
/// let err = ipplan_core::parse_csv("instance_type,enis\n").unwrap_err();
/// assert!(err.to_string().starts_with("line 1: header"));
/// ```
///
/// # Errors
/// [`CoreError::BadRow`] naming the line and the column.
pub fn parse_csv(text: &str) -> Result<Vec<InstanceInfo>, CoreError> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        if !header_seen {
            if l.trim() != CSV_HEADER {
                return Err(bad(
                    line,
                    "header",
                    format!(
                        "expected the header '{CSV_HEADER}' (see 'ipplan instances import --help')"
                    ),
                ));
            }
            header_seen = true;
            continue;
        }
        let cells: Vec<&str> = l.split(',').collect();
        if cells.len() != COLUMNS {
            return Err(bad(
                line,
                "row",
                format!(
                    "has {} columns, expected {COLUMNS} ({CSV_HEADER})",
                    cells.len()
                ),
            ));
        }
        let name = cells[0].trim();
        valid_name(line, "instance_type", name)?;
        let enis = parse_u32(line, "enis", cells[1], 1)?;
        let ipv4_per_eni = parse_u32(line, "ipv4_per_eni", cells[2], 1)?;
        let vcpus_listed = if cells[3].trim().is_empty() {
            None
        } else {
            Some(parse_u32(line, "vcpus", cells[3], 1)?)
        };
        let hypervisor = parse_hypervisor(line, cells[4])?;
        let bare_metal = parse_bool(line, "bare_metal", cells[5])?;
        let network_cards = parse_u32(line, "network_cards", cells[6], 1)?;
        let enis_total = parse_u32(line, "enis_total", cells[7], 1)?;
        if enis_total < enis {
            return Err(bad(
                line,
                "enis_total",
                format!("{enis_total} is less than enis ({enis}) on the default card"),
            ));
        }
        let trunking = if cells[8].trim().is_empty() {
            None
        } else {
            Some(parse_bool(line, "trunking", cells[8])?)
        };
        let branch_enis = if cells[9].trim().is_empty() {
            None
        } else {
            Some(parse_u32(line, "branch_enis", cells[9], 0)?)
        };
        let source = cells[10].trim();
        if source.is_empty() {
            return Err(bad(
                line,
                "source",
                "is empty; say where the row came from, e.g. 'user'",
            ));
        }
        rows.push(InstanceInfo {
            name: Cow::Owned(name.to_string()),
            enis,
            ipv4_per_eni,
            vcpus: vcpus_for(name, vcpus_listed),
            hypervisor,
            bare_metal,
            network_cards,
            enis_total,
            trunking,
            branch_enis,
            source: Cow::Owned(source.to_string()),
        });
    }
    if !header_seen {
        return Err(bad(
            1,
            "header",
            format!("no header line; expected '{CSV_HEADER}'"),
        ));
    }
    Ok(rows)
}

/// Render rows in the project's CSV schema (header included). Derived vCPU counts are written empty, as in
/// the source, so a round trip through [`parse_csv`] gives the same rows.
#[must_use]
pub fn to_csv(rows: &[InstanceInfo]) -> String {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    for r in rows {
        let vcpus = match r.vcpus {
            Vcpus::Listed(n) => n.to_string(),
            Vcpus::Derived(_) | Vcpus::Unknown => String::new(),
        };
        let opt = |v: Option<String>| v.unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            r.name,
            r.enis,
            r.ipv4_per_eni,
            vcpus,
            r.hypervisor.as_csv(),
            r.bare_metal,
            r.network_cards,
            r.enis_total,
            opt(r.trunking.map(|b| b.to_string())),
            opt(r.branch_enis.map(|n| n.to_string())),
            r.source,
        ));
    }
    out
}

/// 1-based line of the byte offset `pos` in `text`.
fn line_of(text: &str, pos: usize) -> usize {
    text[..pos.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Parse the JSON that `aws ec2 describe-instance-types --output json` prints (an object with
/// `InstanceTypes: [...]`, or a bare array of those objects). Rows come back sorted by name, with
/// `source` = `user`. Trunking and branch ENIs are not in that output, so they are left unknown.
///
/// ```
/// let json = r#"{"InstanceTypes":[{"InstanceType":"m9x.large","Hypervisor":"nitro","BareMetal":false,
///   "VCpuInfo":{"DefaultVCpus":2},
///   "NetworkInfo":{"MaximumNetworkInterfaces":3,"Ipv4AddressesPerInterface":10,"DefaultNetworkCardIndex":0,
///     "NetworkCards":[{"NetworkCardIndex":0,"MaximumNetworkInterfaces":3}]}}]}"#;
/// let rows = ipplan_core::parse_describe_json(json).unwrap();
/// assert_eq!((rows[0].enis, rows[0].ipv4_per_eni), (3, 10));
/// ```
///
/// # Errors
/// [`CoreError::BadRow`] naming the line of the offending object (or of the JSON syntax error) and the field.
pub fn parse_describe_json(text: &str) -> Result<Vec<InstanceInfo>, CoreError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| bad(e.line(), "json", format!("not valid JSON: {e}")))?;
    let items = match &doc {
        Value::Object(m) => match m.get("InstanceTypes") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(bad(
                    1,
                    "InstanceTypes",
                    "missing; expected the output of 'aws ec2 describe-instance-types --output json'",
                ));
            }
        },
        Value::Array(a) => a,
        _ => {
            return Err(bad(
                1,
                "json",
                "expected an object with 'InstanceTypes' or an array of instance types",
            ));
        }
    };
    // Line numbers: find each type's name in the text, in order.
    let mut search_from = 0usize;
    let mut rows = Vec::with_capacity(items.len());
    for (idx, item) in items.iter().enumerate() {
        let name_opt = item.get("InstanceType").and_then(Value::as_str);
        let line = match name_opt {
            Some(n) => {
                let needle = format!("\"{n}\"");
                match text[search_from..].find(&needle) {
                    Some(p) => {
                        search_from += p + needle.len();
                        line_of(text, search_from)
                    }
                    None => line_of(text, search_from),
                }
            }
            None => line_of(text, search_from),
        };
        let field = |f: &str| format!("InstanceTypes[{idx}].{f}");
        let name =
            name_opt.ok_or_else(|| bad(line, &field("InstanceType"), "missing or not a string"))?;
        valid_name(line, &field("InstanceType"), name)?;
        let get_u32 = |v: Option<&Value>, f: &str, min: u64| -> Result<u32, CoreError> {
            match v.and_then(Value::as_u64) {
                Some(n) if n >= min && n <= u64::from(u32::MAX) => Ok(n as u32),
                Some(n) => Err(bad(line, &field(f), format!("{n} is out of range"))),
                None => Err(bad(line, &field(f), "missing or not a whole number")),
            }
        };
        let net = item
            .get("NetworkInfo")
            .ok_or_else(|| bad(line, &field("NetworkInfo"), "missing"))?;
        let ipv4_per_eni = get_u32(
            net.get("Ipv4AddressesPerInterface"),
            "NetworkInfo.Ipv4AddressesPerInterface",
            1,
        )?;
        let enis_total = get_u32(
            net.get("MaximumNetworkInterfaces"),
            "NetworkInfo.MaximumNetworkInterfaces",
            1,
        )?;
        let default_card = match net.get("DefaultNetworkCardIndex") {
            None => 0,
            Some(v) => get_u32(Some(v), "NetworkInfo.DefaultNetworkCardIndex", 0)?,
        };
        let cards = net.get("NetworkCards").and_then(Value::as_array);
        let (enis, network_cards) = match cards {
            Some(cards) if !cards.is_empty() => {
                let mut on_default = None;
                for (ci, c) in cards.iter().enumerate() {
                    let f = format!("NetworkInfo.NetworkCards[{ci}]");
                    let index = get_u32(
                        c.get("NetworkCardIndex"),
                        &format!("{f}.NetworkCardIndex"),
                        0,
                    )?;
                    let max = get_u32(
                        c.get("MaximumNetworkInterfaces"),
                        &format!("{f}.MaximumNetworkInterfaces"),
                        1,
                    )?;
                    if index == default_card {
                        on_default = Some(max);
                    }
                }
                let enis = on_default.ok_or_else(|| {
                    bad(
                        line,
                        &field("NetworkInfo.NetworkCards"),
                        format!("no card with the DefaultNetworkCardIndex {default_card}"),
                    )
                })?;
                (enis, cards.len() as u32)
            }
            _ => (enis_total, 1),
        };
        let vcpus_listed = match item.get("VCpuInfo").and_then(|v| v.get("DefaultVCpus")) {
            None => None,
            Some(v) => Some(get_u32(Some(v), "VCpuInfo.DefaultVCpus", 1)?),
        };
        let hypervisor = match item.get("Hypervisor") {
            None => Hypervisor::NotReported,
            Some(Value::String(s)) => parse_hypervisor(line, s).map_err(|_| {
                bad(
                    line,
                    &field("Hypervisor"),
                    format!("'{s}' is not 'nitro' or 'xen'"),
                )
            })?,
            Some(_) => return Err(bad(line, &field("Hypervisor"), "not a string")),
        };
        let bare_metal = match item.get("BareMetal") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(bad(line, &field("BareMetal"), "not true or false")),
        };
        rows.push(InstanceInfo {
            name: Cow::Owned(name.to_string()),
            enis,
            ipv4_per_eni,
            vcpus: vcpus_for(name, vcpus_listed),
            hypervisor,
            bare_metal,
            network_cards,
            enis_total: enis_total.max(enis),
            trunking: None,
            branch_enis: None,
            source: Cow::Borrowed("user"),
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// Parse a user's instance-data file: JSON (`describe-instance-types` output) when the text starts with `{`
/// or `[`, else the project's CSV schema.
///
/// # Errors
/// As [`parse_csv`] and [`parse_describe_json`].
pub fn parse_instance_data(text: &str) -> Result<Vec<InstanceInfo>, CoreError> {
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => parse_describe_json(text),
        _ => parse_csv(text),
    }
}
