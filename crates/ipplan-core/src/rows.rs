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

/// The most ENIs (per card or in all), IPv4 addresses per ENI, network cards and branch ENIs a row may give:
/// 1,024. EC2's largest types report 24 ENIs on the default card, 64 IPv4 addresses per ENI, 32 network cards,
/// 80 ENIs in all and 120 branch ENIs (`data/instances.csv`); the bound keeps every per-node product
/// (1,024 ENIs x 1,023 slots x 16 addresses) inside `u32`, so a mistyped row is a one-line error, not a node of
/// four billion ENIs.
pub const MAX_ROW_COUNT: u32 = 1024;

/// The most vCPUs a row may give: 65,535 (EC2's largest type has 896).
pub const MAX_ROW_VCPUS: u32 = 65_535;

/// The largest instance-data file read: 64 MiB (a region's `describe-instance-types` output is about 4 MB).
pub const MAX_INSTANCE_DATA_BYTES: usize = 64 << 20;

/// The text with a UTF-8 byte-order mark (Excel's "CSV UTF-8", PowerShell's `Out-File`) removed; an error for
/// UTF-16 text (NUL bytes: PowerShell 5's `>` writes UTF-16) and for text over [`MAX_INSTANCE_DATA_BYTES`].
fn plain_text(text: &str) -> Result<&str, CoreError> {
    if text.len() > MAX_INSTANCE_DATA_BYTES {
        return Err(bad(
            1,
            "file",
            format!(
                "{} bytes is more than {} MiB: give only the instance types you use",
                text.len(),
                MAX_INSTANCE_DATA_BYTES >> 20
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(p) = text.find('\0') {
        let line = text[..p].bytes().filter(|&b| b == b'\n').count() + 1;
        return Err(bad(
            line,
            "encoding",
            "the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8",
        ));
    }
    Ok(text)
}

/// `'N' is out of range (at most MAX): ...`: the message of a count past its bound.
fn out_of_range(n: impl std::fmt::Display, max: u32) -> String {
    format!("'{n}' is out of range (at most {max}): give the value EC2 reports")
}

fn bad(line: usize, field: &str, message: impl Into<String>) -> CoreError {
    CoreError::BadRow {
        origin: String::new(),
        line,
        field: field.to_string(),
        message: message.into(),
    }
}

fn parse_u32(line: usize, field: &str, v: &str, min: u32, max: u32) -> Result<u32, CoreError> {
    let v = v.trim();
    // read as u64 so a number past u32 gets the range message, not "not a whole number"
    let digits = v.bytes().any(|b| b.is_ascii_digit())
        && v.trim_start_matches('+')
            .bytes()
            .all(|b| b.is_ascii_digit());
    match v.parse::<u64>() {
        Ok(n) if n < u64::from(min) => Err(bad(
            line,
            field,
            format!("'{n}' is below {min}; give the value EC2 reports"),
        )),
        Ok(n) if n <= u64::from(max) => Ok(n as u32),
        Ok(_) => Err(bad(line, field, out_of_range(v, max))),
        Err(_) if digits => Err(bad(line, field, out_of_range(v, max))),
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
    let text = plain_text(text)?;
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
        let count = |field: &str, v: &str, min: u32| parse_u32(line, field, v, min, MAX_ROW_COUNT);
        let enis = count("enis", cells[1], 1)?;
        let ipv4_per_eni = count("ipv4_per_eni", cells[2], 1)?;
        let vcpus_listed = if cells[3].trim().is_empty() {
            None
        } else {
            Some(parse_u32(line, "vcpus", cells[3], 1, MAX_ROW_VCPUS)?)
        };
        let hypervisor = parse_hypervisor(line, cells[4])?;
        let bare_metal = parse_bool(line, "bare_metal", cells[5])?;
        let network_cards = count("network_cards", cells[6], 1)?;
        let enis_total = count("enis_total", cells[7], 1)?;
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
            Some(count("branch_enis", cells[9], 0)?)
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

/// The byte spans of the instance objects in describe-instance-types JSON, in order: the elements of the top-level
/// array, or of the array under the top-level key `InstanceTypes` (the last one, as `serde_json` keeps the last of
/// a repeated key). One pass over `text`, which must already have parsed as JSON; `None` when the layout is not
/// one of those two (the caller then reports line 1).
fn item_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let b = text.as_bytes();
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    // past the string starting at `i` (a '"')
    let string_end = |mut i: usize| -> usize {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        b.len()
    };
    // past the value starting at `i`
    let value_end = |mut i: usize| -> usize {
        match b.get(i) {
            Some(b'"') => string_end(i),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'"' => {
                            i = string_end(i);
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                b.len()
            }
            _ => {
                while i < b.len()
                    && !matches!(b[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                i
            }
        }
    };
    let elements = |mut i: usize| -> Vec<(usize, usize)> {
        // `i` is at '['
        let mut out = Vec::new();
        i += 1;
        loop {
            ws(&mut i);
            match b.get(i) {
                None | Some(b']') => return out,
                Some(b',') => i += 1,
                Some(_) => {
                    let end = value_end(i);
                    out.push((i, end));
                    i = end;
                }
            }
        }
    };
    let mut i = 0;
    ws(&mut i);
    match b.get(i)? {
        b'[' => Some(elements(i)),
        b'{' => {
            let mut found = None;
            i += 1;
            loop {
                ws(&mut i);
                match b.get(i)? {
                    b'}' => return found,
                    b',' => i += 1,
                    b'"' => {
                        let key_end = string_end(i);
                        let is_types = &b[i..key_end] == b"\"InstanceTypes\"";
                        i = key_end;
                        ws(&mut i);
                        if b.get(i) != Some(&b':') {
                            return None;
                        }
                        i += 1;
                        ws(&mut i);
                        if is_types && b.get(i) == Some(&b'[') {
                            found = Some(elements(i));
                        }
                        i = value_end(i);
                    }
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// 1-based line numbers of increasing byte offsets, counted in one pass.
struct Lines<'t> {
    text: &'t [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos > self.pos {
            self.line += self.text[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = pos;
        }
        self.line
    }
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
    let text = plain_text(text)?;
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
    // Line numbers: each type's name inside its own object's text (the object's first line when the name is
    // written with escapes), counted forward once: linear in the text however many types there are.
    let spans = item_spans(text).filter(|s| s.len() == items.len());
    let mut lines = Lines {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut rows = Vec::with_capacity(items.len());
    for (idx, item) in items.iter().enumerate() {
        let name_opt = item.get("InstanceType").and_then(Value::as_str);
        let line = match spans.as_ref().map(|s| s[idx]) {
            None => 1,
            Some((start, end)) => {
                let found = name_opt.and_then(|n| {
                    let needle = format!("\"{n}\"");
                    text[start..end]
                        .find(&needle)
                        .map(|p| start + p + needle.len())
                });
                lines.at(found.unwrap_or(start))
            }
        };
        let field = |f: &str| format!("InstanceTypes[{idx}].{f}");
        let name =
            name_opt.ok_or_else(|| bad(line, &field("InstanceType"), "missing or not a string"))?;
        valid_name(line, &field("InstanceType"), name)?;
        let get_max = |v: Option<&Value>, f: &str, min: u32, max: u32| -> Result<u32, CoreError> {
            match v.and_then(Value::as_u64) {
                Some(n) if n < u64::from(min) => {
                    Err(bad(line, &field(f), format!("{n} is below {min}")))
                }
                Some(n) if n <= u64::from(max) => Ok(n as u32),
                Some(n) => Err(bad(line, &field(f), out_of_range(n, max))),
                None => Err(bad(line, &field(f), "missing or not a whole number")),
            }
        };
        let get_u32 = |v: Option<&Value>, f: &str, min: u32| get_max(v, f, min, MAX_ROW_COUNT);
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
                if cards.len() > MAX_ROW_COUNT as usize {
                    return Err(bad(
                        line,
                        &field("NetworkInfo.NetworkCards"),
                        out_of_range(format!("{} cards", cards.len()), MAX_ROW_COUNT),
                    ));
                }
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
            Some(v) => Some(get_max(Some(v), "VCpuInfo.DefaultVCpus", 1, MAX_ROW_VCPUS)?),
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
/// or `[`, else the project's CSV schema. A UTF-8 byte-order mark is skipped; UTF-16 text is an error saying so.
///
/// ```
/// let e = ipplan_core::parse_instance_data("I\0n\0").unwrap_err();
/// assert_eq!(e.to_string(), "line 1: encoding: the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8");
/// ```
///
/// # Errors
/// As [`parse_csv`] and [`parse_describe_json`].
pub fn parse_instance_data(text: &str) -> Result<Vec<InstanceInfo>, CoreError> {
    let text = plain_text(text)?;
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => parse_describe_json(text),
        _ => parse_csv(text),
    }
}
