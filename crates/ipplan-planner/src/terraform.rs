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

use ipplan_core::Catalog;
use serde_json::{Map, Value, json};

use crate::check::{Report, check};
use crate::error::PlanError;
use crate::plan::Plan;

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

fn number(q: &BTreeMap<String, String>, key: &str) -> Result<Option<Value>, PlanError> {
    match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .map(|n| Some(json!(n)))
            .map_err(|_| err(key, format!("'{v}' is not a whole number"))),
    }
}

fn boolean(q: &BTreeMap<String, String>, key: &str) -> Result<Option<Value>, PlanError> {
    match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("true") => Ok(Some(json!(true))),
        Some("false") => Ok(Some(json!(false))),
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

/// Turn a Terraform query into a validated plan (one node group spread over the given subnets).
///
/// ```
/// use std::collections::BTreeMap;
/// let q: BTreeMap<String, String> = [
///     ("instance_type", "c6i.large"), ("subnet_cidrs", "10.0.1.0/24,10.0.2.0/24"),
///     ("nodes", "30"), ("pods", "200"),
/// ].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// let plan = ipplan_planner::terraform_plan(&q, &ipplan_core::Catalog::embedded())?;
/// assert_eq!(plan.subnets.len(), 2);
/// # Ok::<(), ipplan_planner::PlanError>(())
/// ```
///
/// # Errors
/// A [`PlanError`] naming the query key (unknown keys get a suggestion), or the plan rule that does not hold.
pub fn terraform_plan(q: &BTreeMap<String, String>, catalog: &Catalog) -> Result<Plan, PlanError> {
    for k in q.keys() {
        if !KEYS.contains(&k.as_str()) {
            let hint = crate::yaml::suggest(k, KEYS)
                .map_or(String::new(), |n| format!(" (did you mean '{n}'?)"));
            return Err(err(k, format!("unknown query key '{k}'{hint}")));
        }
    }
    let required = |key: &str| -> Result<String, PlanError> {
        q.get(key)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                err(
                    key,
                    format!("missing: set '{key}' in the data source's query"),
                )
            })
    };
    let instance_type = required("instance_type")?;
    let cidrs = list(q, "subnet_cidrs");
    if cidrs.is_empty() {
        return Err(err(
            "subnet_cidrs",
            "missing: give comma-separated node subnet CIDRs".into(),
        ));
    }
    let mut azs = list(q, "subnet_azs");
    if azs.is_empty() {
        azs = (1..=cidrs.len()).map(|i| format!("az-{i}")).collect();
    }
    if azs.len() != cidrs.len() {
        return Err(err(
            "subnet_azs",
            format!(
                "{} AZs for {} subnet CIDRs: give one AZ per CIDR",
                azs.len(),
                cidrs.len()
            ),
        ));
    }
    let consumers = number(q, "other_consumers_per_subnet")?;
    let mut subnets = Vec::new();
    let mut names = Vec::new();
    for (i, (c, az)) in cidrs.iter().zip(&azs).enumerate() {
        let name = format!("subnet-{}", i + 1);
        let mut s = Map::new();
        s.insert("name".into(), json!(name));
        s.insert("az".into(), json!(az));
        s.insert("cidr".into(), json!(c));
        if let Some(n) = &consumers {
            s.insert(
                "other_consumers".into(),
                json!([{ "what": "other", "addresses": n }]),
            );
        }
        subnets.push(Value::Object(s));
        names.push(name);
    }
    let custom = boolean(q, "custom_networking")?;
    let pod_cidrs = list(q, "pod_subnet_cidrs");
    if !pod_cidrs.is_empty() {
        if pod_cidrs.len() != azs.len() {
            return Err(err(
                "pod_subnet_cidrs",
                format!(
                    "{} pod subnets for {} AZs: give one per AZ, in subnet_cidrs order",
                    pod_cidrs.len(),
                    azs.len()
                ),
            ));
        }
        for (i, (c, az)) in pod_cidrs.iter().zip(&azs).enumerate() {
            subnets.push(
                json!({ "name": format!("pods-{}", i + 1), "az": az, "cidr": c, "role": "pods" }),
            );
        }
    }
    let mut cni = Map::new();
    if let Some(m) = q.get("mode").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        cni.insert("mode".into(), json!(m));
    }
    if let Some(v) = custom {
        cni.insert("custom_networking".into(), v);
    }
    if let Some(v) = q
        .get("cni_version")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        cni.insert("version".into(), json!(v));
    }
    for k in [
        "warm_eni_target",
        "warm_ip_target",
        "minimum_ip_target",
        "warm_prefix_target",
        "max_eni",
    ] {
        if let Some(v) = number(q, k)? {
            cni.insert(k.into(), v);
        }
    }
    if let Some(v) = boolean(q, "pod_security_groups")? {
        cni.insert("pod_security_groups".into(), v);
    }
    let mut group = Map::new();
    group.insert("name".into(), json!("nodes"));
    group.insert("instance_type".into(), json!(instance_type));
    group.insert("subnets".into(), json!(names));
    group.insert(
        "nodes".into(),
        number(q, "nodes")?
            .ok_or_else(|| err("nodes", "missing: set the peak node count".into()))?,
    );
    for k in ["pods_per_node", "pods", "surge", "host_network_pods"] {
        if let Some(v) = number(q, k)? {
            group.insert(k.into(), v);
        }
    }
    if let Some(v) = q
        .get("max_pods")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        let value = if v == "auto" {
            json!("auto")
        } else {
            number(q, "max_pods")?.unwrap_or(Value::Null)
        };
        group.insert("max_pods".into(), value);
    }
    let doc = json!({ "cni": cni, "subnets": subnets, "node_groups": [group] });
    Plan::from_json_str(&doc.to_string(), FILE, catalog)
}

/// The flat string map Terraform reads back.
///
/// # Errors
/// Only if the report cannot be serialised (not expected).
pub fn terraform_result(report: &Report) -> Result<BTreeMap<String, String>, serde_json::Error> {
    let mut m = BTreeMap::new();
    let g = report.node_groups.first();
    m.insert("fits".to_string(), report.fits.to_string());
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
        g.map_or(String::new(), |g| g.enis_per_node.to_string()),
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
        report.first_failure.clone().unwrap_or_default(),
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
    let v: Value = if query.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(query).map_err(|e| PlanError::Syntax {
            file: FILE.to_string(),
            format: "JSON",
            message: e.to_string(),
            line: Some(e.line()),
        })?
    };
    let Value::Object(obj) = v else {
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
    let report = check(&plan)?;
    terraform_result(&report).map_err(|e| err("report_json", e.to_string()))
}
