//! Terraform's `external` data-source protocol (hashicorp/terraform-provider-external
//! `docs/data-sources/external.md`): a flat JSON object of strings in, a flat JSON object of strings out.
//!
//! ## Query (all values strings)
//! | key | meaning | default |
//! |---|---|---|
//! | `instance_type` | EC2 type | required |
//! | `subnet_cidrs` | comma-separated node subnet CIDRs, one per AZ | required |
//! | `subnet_azs` | comma-separated AZ names, same order | `az-1`, `az-2`, ... |
//! | `nodes` | peak node count, spread evenly | required |
//! | `pods_per_node` / `pods` | pods needing an address, per node / in all (exactly one) | required |
//! | `surge` | extra nodes during a rolling update | `0` |
//! | `max_pods` | `auto` or a number | `auto` |
//! | `host_network_pods` | host-network pods per node | `2` |
//! | `mode` | `secondary-ip` or `prefix` | `secondary-ip` |
//! | `custom_networking` | `true`/`false` | `false` |
//! | `pod_subnet_cidrs` | comma-separated ENIConfig subnet CIDRs, same AZ order (custom networking) | |
//! | `cni_version`, `warm_eni_target`, `warm_ip_target`, `minimum_ip_target`, `warm_prefix_target`, `max_eni`, `pod_security_groups` | CNI settings | the manifest's |
//! | `other_consumers_per_subnet` | addresses other consumers take in each node subnet | `0` |
//!
//! Empty strings count as unset (Terraform passes `""` for null-ish values built with `coalesce`).
//!
//! ## Result (all values strings)
//! `fits` (`true`/`false`), `max_pods`, `addresses_per_node`, `enis_per_node`, `headroom` (the smallest subnet
//! headroom, addresses), `max_nodes`, `first_failure` (empty when it fits), `report_json` (the whole
//! [`crate::Report`] as JSON, for `jsondecode`).

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use ipplan_core::{AddressMode, Catalog, CniVersion};
use serde_json::Value;

use crate::capacity::{Report, check};
use crate::error::PlanError;
use crate::plan::{
    CniSpec, ConsumerSpec, MaxPodsSpec, NodeGroupSpec, Plan, PlanSpec, SubnetRole, SubnetSpec,
};

const FILE: &str = "terraform query";

const KEYS: &[&str] = &[
    "instance_type",
    "subnet_cidrs",
    "subnet_azs",
    "nodes",
    "pods_per_node",
    "pods",
    "surge",
    "max_pods",
    "host_network_pods",
    "mode",
    "custom_networking",
    "pod_subnet_cidrs",
    "cni_version",
    "warm_eni_target",
    "warm_ip_target",
    "minimum_ip_target",
    "warm_prefix_target",
    "max_eni",
    "pod_security_groups",
    "other_consumers_per_subnet",
];

fn err(key: &str, message: String) -> PlanError {
    PlanError::Invalid {
        file: FILE.to_string(),
        path: key.to_string(),
        message,
    }
}

fn value<'q>(q: &'q BTreeMap<String, String>, key: &str) -> Option<&'q str> {
    q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn number(q: &BTreeMap<String, String>, key: &str) -> Result<Option<u32>, PlanError> {
    match value(q, key) {
        None => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
            err(
                key,
                format!("'{v}' is not a whole number from 0 to {}", u32::MAX),
            )
        }),
    }
}

fn boolean(q: &BTreeMap<String, String>, key: &str) -> Result<Option<bool>, PlanError> {
    match value(q, key) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(v) => Err(err(key, format!("'{v}' is not 'true' or 'false'"))),
    }
}

fn list(q: &BTreeMap<String, String>, key: &str) -> Vec<String> {
    q.get(key)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn cidrs(q: &BTreeMap<String, String>, key: &str) -> Result<Vec<Ipv4Net>, PlanError> {
    list(q, key)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            crate::plan::yaml::parse_cidr(c).map_err(|why| {
                let why = if why.starts_with("expected") {
                    " is not an IPv4 CIDR such as 10.0.1.0/24".to_string()
                } else {
                    format!(": {why}")
                };
                err(key, format!("item {} '{c}'{why}", i + 1))
            })
        })
        .collect()
}

/// A plan path in the query's words: the plan the query builds has node subnets first (`subnet_cidrs` order),
/// then pod subnets (`pod_subnet_cidrs` order), one node group and the CNI settings.
fn query_words(path: &str, nodes: usize) -> String {
    let rest = |p: &str, pre: &str| p.strip_prefix(pre).map(str::to_string);
    if let Some(f) = rest(path, "node_groups[0].") {
        let f = f.split(['.', '[']).next().unwrap_or("").to_string();
        return match f.as_str() {
            "subnets" => "subnet_cidrs".to_string(),
            other => other.to_string(),
        };
    }
    if path == "node_groups[0]" {
        return "pods_per_node / pods".to_string();
    }
    if let Some(f) = rest(path, "cni.") {
        return if f == "version" {
            "cni_version".to_string()
        } else {
            f
        };
    }
    if let Some(f) = rest(path, "subnets[") {
        let (i, field) = f.split_once(']').unwrap_or((&f, ""));
        let i: usize = i.parse().unwrap_or(0);
        let (key, k) = if i < nodes {
            (
                if field.starts_with(".az") {
                    "subnet_azs"
                } else {
                    "subnet_cidrs"
                },
                i,
            )
        } else {
            ("pod_subnet_cidrs", i - nodes)
        };
        if field.starts_with(".other_consumers") {
            return "other_consumers_per_subnet".to_string();
        }
        return format!("{key} (item {})", k + 1);
    }
    path.to_string()
}

/// Turn a Terraform query into a validated plan (one node group spread over the given subnets, each subnet
/// named by its CIDR). Errors name the query key.
///
/// ```
/// use std::collections::BTreeMap;
/// let q = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
///     pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
/// };
/// let cat = ipplan_core::Catalog::embedded();
/// let plan = ipplan_planner::terraform_plan(&q(&[
///     ("instance_type", "c6i.large"), ("subnet_cidrs", "10.0.1.0/24,10.0.2.0/24"),
///     ("nodes", "30"), ("pods", "200"),
/// ]), &cat)?;
/// assert_eq!(plan.subnets()[1].name(), "10.0.2.0/24");
/// let e = ipplan_planner::terraform_plan(&q(&[
///     ("instance_type", "c6i.large"), ("subnet_cidrs", "10.0.1.0/24,10.0.1.128/25"),
///     ("nodes", "30"), ("pods", "200"),
/// ]), &cat).unwrap_err();
/// assert_eq!(e.to_string(), "terraform query: subnet_cidrs (item 2): '10.0.1.128/25' overlaps subnets[0] \
///     '10.0.1.0/24' (10.0.1.0/24): give each subnet its own range");
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
///
/// # Errors
/// A [`PlanError`] naming the query key (unknown keys get a suggestion), or the plan rule that does not hold.
pub fn terraform_plan(q: &BTreeMap<String, String>, catalog: &Catalog) -> Result<Plan, PlanError> {
    let spec = terraform_spec(q)?;
    let nodes = list(q, "subnet_cidrs").len();
    Plan::from_spec(spec, FILE, catalog).map_err(|e| e.map_path(|p| query_words(p, nodes)))
}

/// The [`PlanSpec`] a Terraform query describes, not yet validated.
///
/// # Errors
/// A [`PlanError`] naming the query key: unknown keys, missing required keys, values of the wrong type.
pub fn terraform_spec(q: &BTreeMap<String, String>) -> Result<PlanSpec, PlanError> {
    for k in q.keys() {
        if !KEYS.contains(&k.as_str()) {
            let hint = crate::plan::yaml::suggest(k, KEYS)
                .map_or(String::new(), |n| format!(" (did you mean '{n}'?)"));
            return Err(err(k, format!("unknown query key '{k}'{hint}")));
        }
    }
    let instance_type = value(q, "instance_type")
        .ok_or_else(|| {
            err(
                "instance_type",
                "missing: set 'instance_type' in the data source's query".into(),
            )
        })?
        .to_string();
    let node_cidrs = cidrs(q, "subnet_cidrs")?;
    if node_cidrs.is_empty() {
        return Err(err(
            "subnet_cidrs",
            "missing: give comma-separated node subnet CIDRs".into(),
        ));
    }
    let mut azs = list(q, "subnet_azs");
    if azs.is_empty() {
        azs = (1..=node_cidrs.len()).map(|i| format!("az-{i}")).collect();
    }
    if azs.len() != node_cidrs.len() {
        return Err(err(
            "subnet_azs",
            format!(
                "{} AZs for {} subnet CIDRs: give one AZ per CIDR",
                azs.len(),
                node_cidrs.len()
            ),
        ));
    }
    let consumers = number(q, "other_consumers_per_subnet")?;
    let pod_cidrs = cidrs(q, "pod_subnet_cidrs")?;
    if !pod_cidrs.is_empty() && pod_cidrs.len() != azs.len() {
        return Err(err(
            "pod_subnet_cidrs",
            format!(
                "{} pod subnets for {} AZs: give one per AZ, in subnet_cidrs order",
                pod_cidrs.len(),
                azs.len()
            ),
        ));
    }
    let mut subnets: Vec<SubnetSpec> = node_cidrs
        .iter()
        .zip(&azs)
        .map(|(c, az)| SubnetSpec {
            name: c.to_string(),
            az: az.clone(),
            cidr: *c,
            ipv6_cidr: None,
            role: None,
            reservations: Vec::new(),
            other_consumers: consumers
                .map(|n| ConsumerSpec {
                    what: "other".to_string(),
                    addresses: u64::from(n),
                    at: Vec::new(),
                })
                .into_iter()
                .collect(),
            tags: std::collections::BTreeMap::new(),
        })
        .collect();
    let names: Vec<String> = subnets.iter().map(|s| s.name.clone()).collect();
    for (c, az) in pod_cidrs.iter().zip(&azs) {
        subnets.push(SubnetSpec {
            name: c.to_string(),
            az: az.clone(),
            cidr: *c,
            ipv6_cidr: None,
            role: Some(SubnetRole::Pods),
            reservations: Vec::new(),
            other_consumers: Vec::new(),
            tags: std::collections::BTreeMap::new(),
        });
    }
    let mode = match value(q, "mode") {
        None => None,
        Some("prefix") => Some(AddressMode::Prefix),
        Some("secondary-ip") => Some(AddressMode::SecondaryIp),
        Some(v) => {
            return Err(err(
                "mode",
                format!("unknown mode '{v}' (expected one of: secondary-ip, prefix)"),
            ));
        }
    };
    let version = match value(q, "cni_version") {
        None => None,
        Some(v) => Some(
            v.parse::<CniVersion>()
                .map_err(|e| err("cni_version", e.to_string()))?,
        ),
    };
    let cni = CniSpec {
        mode,
        custom_networking: boolean(q, "custom_networking")?,
        version,
        warm_eni_target: number(q, "warm_eni_target")?,
        warm_ip_target: number(q, "warm_ip_target")?,
        minimum_ip_target: number(q, "minimum_ip_target")?,
        warm_prefix_target: number(q, "warm_prefix_target")?,
        max_eni: number(q, "max_eni")?,
        pod_security_groups: boolean(q, "pod_security_groups")?,
        ip_family: None,
        subnet_discovery: None,
    };
    let max_pods = match value(q, "max_pods") {
        None => None,
        Some("auto") => Some(MaxPodsSpec::Auto),
        Some(_) => number(q, "max_pods")?.map(MaxPodsSpec::Fixed),
    };
    let group = NodeGroupSpec {
        name: "nodes".to_string(),
        instance_type,
        subnets: names,
        nodes: number(q, "nodes")?
            .ok_or_else(|| err("nodes", "missing: set the peak node count".into()))?,
        surge: number(q, "surge")?,
        pods_per_node: number(q, "pods_per_node")?,
        pods: number(q, "pods")?,
        max_pods,
        host_network_pods: number(q, "host_network_pods")?,
        branch_pods_per_node: None,
        ..NodeGroupSpec::default()
    };
    Ok(PlanSpec {
        cni: (cni != CniSpec::default()).then_some(cni),
        subnets,
        node_groups: vec![group],
        ..PlanSpec::default()
    })
}

/// The flat string map Terraform reads back.
///
/// # Errors
/// Only if the report cannot be serialised (not expected).
pub fn terraform_result(report: &Report) -> Result<BTreeMap<String, String>, serde_json::Error> {
    let mut m = BTreeMap::new();
    let g = report.node_groups.first();
    m.insert("fits".to_string(), report.fits().to_string());
    m.insert(
        "max_pods".to_string(),
        g.map_or(String::new(), |g| g.max_pods.to_string()),
    );
    m.insert(
        "addresses_per_node".to_string(),
        g.map_or(String::new(), |g| g.addresses_per_node.to_string()),
    );
    m.insert(
        "enis_per_node".to_string(),
        g.map_or(String::new(), |g| g.pool.enis.to_string()),
    );
    m.insert(
        "max_nodes".to_string(),
        g.map_or(String::new(), |g| g.max_nodes.to_string()),
    );
    m.insert(
        "headroom".to_string(),
        report
            .subnets
            .iter()
            .map(|s| s.headroom)
            .min()
            .unwrap_or(0)
            .to_string(),
    );
    m.insert(
        "first_failure".to_string(),
        report
            .verdict
            .first_failure
            .as_ref()
            .map_or(String::new(), |f| format!("{}: {}", f.subject, f.message)),
    );
    m.insert("report_json".to_string(), serde_json::to_string(report)?);
    Ok(m)
}

/// Run the protocol on one query text: parse the JSON object of strings, check, answer.
///
/// ```
/// let out = ipplan_planner::terraform_run(
///     r#"{"instance_type":"c6i.large","subnet_cidrs":"10.0.1.0/24,10.0.2.0/24","nodes":"30","pods":"200"}"#,
///     &ipplan_core::Catalog::embedded(),
/// )?;
/// assert_eq!(out["fits"], "false");
/// assert_eq!(out["addresses_per_node"], "20");
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
///
/// # Errors
/// A [`PlanError`] when the query is not a JSON object of strings or does not make a valid plan.
pub fn terraform_run(
    query: &str,
    catalog: &Catalog,
) -> Result<BTreeMap<String, String>, PlanError> {
    let query = crate::plan::yaml::plan_text(query, FILE, "JSON")?;
    let entries = if query.trim().is_empty() {
        Query::Object(Vec::new())
    } else {
        let syntax = |e: serde_json::Error| PlanError::Syntax {
            file: FILE.to_string(),
            format: "JSON",
            message: e.to_string(),
            line: Some(e.line()),
        };
        let mut de = serde_json::Deserializer::from_str(query);
        let q = serde::Deserialize::deserialize(&mut de).map_err(syntax)?;
        de.end().map_err(syntax)?;
        q
    };
    let Query::Object(obj) = entries else {
        return Err(err(
            "query",
            "expected a JSON object of strings (Terraform's external query)".into(),
        ));
    };
    let mut q = BTreeMap::new();
    for (k, v) in obj {
        match v {
            Value::String(s) => {
                q.insert(k, s);
            }
            other => {
                return Err(err(
                    &k,
                    format!(
                        "value {other} is not a string: Terraform's external query holds strings only (use tostring())"
                    ),
                ));
            }
        }
    }
    let plan = terraform_plan(&q, catalog)?;
    let report = check(&plan);
    terraform_result(&report).map_err(|e| err("report_json", e.to_string()))
}

/// The query text read as JSON: an object's entries in order, with a repeated key an error (serde_json alone
/// keeps the last one silently, so `{"nodes": "3", "nodes": "30"}` would plan for 30), or anything else.
enum Query {
    Object(Vec<(String, Value)>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Query {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(QueryVisitor)
    }
}

struct QueryVisitor;

impl<'de> serde::de::Visitor<'de> for QueryVisitor {
    type Value = Query;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of strings")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Query, A::Error> {
        let mut out: Vec<(String, Value)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            if !seen.insert(k.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key '{k}' (keep one)"
                )));
            }
            let v: Value = map.next_value()?;
            out.push((k, v));
        }
        Ok(Query::Object(out))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Query, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Query::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Query, E> {
        Ok(Query::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Query, E> {
        Ok(Query::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Query, E> {
        Ok(Query::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Query, E> {
        Ok(Query::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Query, E> {
        Ok(Query::Other)
    }
    fn visit_unit<E>(self) -> Result<Query, E> {
        Ok(Query::Other)
    }
}
