//! Karpenter `NodePool`s (`karpenter.sh/v1`, kubernetes-sigs/karpenter `pkg/apis/v1/nodepool.go`) and
//! `EC2NodeClass`es (`karpenter.k8s.aws/v1`, aws/karpenter-provider-aws `pkg/apis/v1/ec2nodeclass.go`), any number
//! of YAML documents over any number of files -> one fragment per file that has a NodePool.
//!
//! - `spec.template.spec.requirements` (operators `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`) are
//!   evaluated against the instance table for `node.kubernetes.io/instance-type`,
//!   `karpenter.k8s.aws/instance-category|family|generation|size` (from the type's name, as the provider splits it),
//!   `instance-cpu` (vCPUs), `instance-hypervisor` (the row's; empty for bare metal) and `kubernetes.io/arch`
//!   (the table has no architecture: a `g` right after the generation digits, as in m7g, c6gn, is4gen, or the a1
//!   family, is arm64). Zones restrict the subnets. Labels the table cannot answer (memory, GPUs, network
//!   bandwidth, ...) are not evaluated and said so; capacity type and OS do not change addresses.
//! - `spec.limits.cpu` bounds the nodes (`max_vcpus`).
//! - The NodePool's `nodeClassRef` names an EC2NodeClass: its `subnetSelectorTerms` (`tags`, `*` any value, or
//!   `id`; terms ORed) pick subnets among the other inputs'; its `kubelet.maxPods` and `kubelet.podsPerCore` give
//!   max pods. Without `maxPods` the nodes get Karpenter's own value (`max_pods: karpenter`).

use std::collections::{BTreeMap, BTreeSet};

use ipplan_core::{Catalog, Hypervisor, InstanceInfo};
use serde::Deserialize as _;
use serde_yaml::Value;

use crate::import::merge::{FGroup, Fragment, SubnetRef, Term};
use crate::import::{ImportError, Input, Source, without_position};
use crate::plan::{Launch, MaxPodsSpec};

const OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];
const EVALUATED: &[&str] = &[
    "node.kubernetes.io/instance-type",
    "karpenter.k8s.aws/instance-category",
    "karpenter.k8s.aws/instance-family",
    "karpenter.k8s.aws/instance-generation",
    "karpenter.k8s.aws/instance-size",
    "karpenter.k8s.aws/instance-cpu",
    "karpenter.k8s.aws/instance-hypervisor",
    "kubernetes.io/arch",
];
/// Keys that choose among offerings, not among instance types' network facts.
const NO_EFFECT: &[&str] = &[
    "karpenter.sh/capacity-type",
    "kubernetes.io/os",
    "karpenter.sh/nodepool",
];
const ZONE: &str = "topology.kubernetes.io/zone";

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// A document and where it is.
struct Doc {
    file: String,
    index: usize,
    value: Value,
}

/// Category, generation and the rest of the family (`m`, `7`, `g` for m7g; `u`, `7`, `in` for u7in-...).
fn family_parts(name: &str) -> Option<(&str, &str, &str)> {
    let family = name.split('.').next()?;
    let first_digit = family.find(|c: char| c.is_ascii_digit())?;
    let (cat, rest) = family.split_at(first_digit);
    // u-6tb1: the provider's scheme allows a "-<n>tb" between category and generation
    let cat = cat.trim_end_matches('-');
    let rest = match rest.find("tb") {
        Some(i) if family.contains('-') && rest[..i].bytes().all(|b| b.is_ascii_digit()) => {
            &rest[i + 2..]
        }
        _ => rest,
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if cat.is_empty() || digits == 0 {
        return None;
    }
    Some((cat, &rest[..digits], &rest[digits..]))
}

/// The well-known labels of a type the table can answer, as Karpenter would set them.
fn labels(i: &InstanceInfo) -> BTreeMap<&'static str, String> {
    let mut m = BTreeMap::new();
    let name = i.name.as_ref();
    m.insert("node.kubernetes.io/instance-type", name.to_string());
    if let Some((family, size)) = name.split_once('.') {
        m.insert("karpenter.k8s.aws/instance-family", family.to_string());
        m.insert("karpenter.k8s.aws/instance-size", size.to_string());
    }
    if let Some((cat, generation, suffix)) = family_parts(name) {
        m.insert("karpenter.k8s.aws/instance-category", cat.to_string());
        m.insert(
            "karpenter.k8s.aws/instance-generation",
            generation.to_string(),
        );
        let arm = suffix.starts_with('g') || cat == "a";
        m.insert(
            "kubernetes.io/arch",
            if arm { "arm64" } else { "amd64" }.to_string(),
        );
    }
    if let Some(n) = i.vcpus.count() {
        m.insert("karpenter.k8s.aws/instance-cpu", n.to_string());
    }
    match i.hypervisor {
        Hypervisor::Nitro => {
            m.insert("karpenter.k8s.aws/instance-hypervisor", "nitro".to_string());
        }
        Hypervisor::Xen => {
            m.insert("karpenter.k8s.aws/instance-hypervisor", "xen".to_string());
        }
        Hypervisor::NotReported => {
            m.insert("karpenter.k8s.aws/instance-hypervisor", String::new());
        }
        Hypervisor::Unknown => {}
    }
    m
}

/// One requirement, checked.
struct Req {
    key: String,
    op: String,
    values: Vec<String>,
}

impl Req {
    fn holds(&self, have: Option<&String>) -> bool {
        let num = |v: &str| v.trim().parse::<i64>().ok();
        match (self.op.as_str(), have) {
            ("In", Some(h)) => self.values.contains(h),
            ("In", None) | ("Exists", None) => false,
            ("NotIn", Some(h)) => !self.values.contains(h),
            ("NotIn", None) | ("DoesNotExist", None) | ("Exists", Some(_)) => true,
            ("DoesNotExist", Some(_)) => false,
            ("Gt", Some(h)) => {
                matches!((num(h), self.values.first().and_then(|v| num(v))), (Some(a), Some(b)) if a > b)
            }
            ("Lt", Some(h)) => {
                matches!((num(h), self.values.first().and_then(|v| num(v))), (Some(a), Some(b)) if a < b)
            }
            _ => false,
        }
    }
}

/// A CPU quantity (`1000`, `"1000"`, `"500m"`, `"2k"`) in whole vCPUs, rounded down.
fn cpu_quantity(v: &Value) -> Option<u32> {
    let text = match v {
        Value::Number(n) => return n.as_f64().filter(|x| *x >= 0.0).map(|x| x.floor() as u32),
        Value::String(t) => t.trim(),
        _ => return None,
    };
    let (num, mult) = match text.char_indices().last()? {
        (i, 'm') => (&text[..i], 0.001),
        (i, 'k') => (&text[..i], 1000.0),
        (i, 'M') => (&text[..i], 1_000_000.0),
        _ => (text, 1.0),
    };
    let x: f64 = num.parse().ok()?;
    (x >= 0.0 && (x * mult).is_finite()).then(|| (x * mult).floor().min(f64::from(u32::MAX)) as u32)
}

fn parse_docs(input: &Input) -> Result<Vec<Doc>, ImportError> {
    let mut out = Vec::new();
    for (index, d) in serde_yaml::Deserializer::from_str(&input.text).enumerate() {
        let value = Value::deserialize(d).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            ImportError::input(
                &input.file,
                format!("document {} (line {line})", index + 1),
                format!("invalid YAML: {}", without_position(&e.to_string())),
                "pass Karpenter NodePool and EC2NodeClass manifests (kubectl get nodepool,ec2nodeclass -o yaml)",
            )
        })?;
        if !value.is_null() {
            out.push(Doc {
                file: input.file.clone(),
                index,
                value,
            });
        }
    }
    Ok(out)
}

pub(crate) fn read(inputs: &[&Input], catalog: &Catalog) -> Result<Vec<Fragment>, ImportError> {
    let mut docs = Vec::new();
    for i in inputs {
        docs.extend(parse_docs(i)?);
    }
    // `kubectl get -o yaml` wraps objects in a List
    let mut flat = Vec::new();
    for d in docs {
        match d.value.get("items").and_then(Value::as_sequence) {
            Some(items) if s(&d.value, "kind") == Some("List") => {
                for it in items {
                    flat.push(Doc {
                        file: d.file.clone(),
                        index: d.index,
                        value: it.clone(),
                    });
                }
            }
            _ => flat.push(d),
        }
    }
    let mut fragments: Vec<Fragment> = inputs.iter().map(|i| Fragment::new(&i.file)).collect();
    let frag =
        |file: &str, fr: &mut Vec<Fragment>| fr.iter().position(|f| f.file == file).unwrap_or(0);
    let mut classes: BTreeMap<String, &Doc> = BTreeMap::new();
    let mut pools: Vec<&Doc> = Vec::new();
    for d in &flat {
        let api = s(&d.value, "apiVersion").unwrap_or("");
        let kind = s(&d.value, "kind").unwrap_or("");
        let name = d
            .value
            .get("metadata")
            .and_then(|m| s(m, "name"))
            .unwrap_or("")
            .to_string();
        match (api, kind) {
            ("karpenter.sh/v1", "NodePool") => pools.push(d),
            ("karpenter.k8s.aws/v1", "EC2NodeClass") => {
                classes.insert(name, d);
            }
            _ => {
                let k = frag(&d.file, &mut fragments);
                let what = if kind.is_empty() {
                    "document without kind".to_string()
                } else {
                    format!("{kind} ({api})")
                };
                fragments[k].skip(what);
            }
        }
    }
    pools.sort_by_key(|d| {
        d.value
            .get("metadata")
            .and_then(|m| s(m, "name"))
            .unwrap_or("")
            .to_string()
    });
    for d in pools {
        let k = frag(&d.file, &mut fragments);
        let f = &mut fragments[k];
        let g = pool(d, &classes, catalog, &mut f.assumptions)?;
        f.groups.push(g);
    }
    Ok(fragments
        .into_iter()
        .filter(|f| !f.groups.is_empty() || !f.skipped.is_empty())
        .collect())
}

fn pool(
    d: &Doc,
    classes: &BTreeMap<String, &Doc>,
    catalog: &Catalog,
    assumptions: &mut Vec<String>,
) -> Result<FGroup, ImportError> {
    let file = d.file.as_str();
    let v = &d.value;
    let name = v
        .get("metadata")
        .and_then(|m| s(m, "name"))
        .unwrap_or("nodepool")
        .to_string();
    let me = format!("NodePool/{name}");
    let source = Source::new(file, me.clone());
    let tspec = v
        .get("spec")
        .and_then(|x| x.get("template"))
        .and_then(|x| x.get("spec"))
        .cloned()
        .unwrap_or(Value::Null);
    let err =
        |resource: String, what: String, fix: &str| ImportError::input(file, resource, what, fix);

    // requirements
    let mut reqs = Vec::new();
    let mut zones: Option<BTreeSet<String>> = None;
    for (i, r) in tspec
        .get("requirements")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{me} spec.template.spec.requirements[{i}]");
        let key = s(r, "key").unwrap_or("").to_string();
        let op = s(r, "operator").unwrap_or("").to_string();
        if !OPERATORS.contains(&op.as_str()) {
            return Err(err(
                format!("{at}.operator"),
                format!("operator '{op}' is not one of {}", OPERATORS.join(", ")),
                "fix the NodePool: Kubernetes node selector operators only",
            ));
        }
        let values: Vec<String> = r
            .get("values")
            .and_then(Value::as_sequence)
            .map(|a| {
                a.iter()
                    .filter_map(|x| match x {
                        Value::String(t) => Some(t.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if (op == "Gt" || op == "Lt") && (values.len() != 1 || values[0].parse::<i64>().is_err()) {
            return Err(err(
                format!("{at}.values"),
                format!("{op} needs a single whole number, found {values:?}"),
                "give one integer value, as Karpenter requires",
            ));
        }
        let req = Req { key, op, values };
        if req.key == ZONE {
            let z: BTreeSet<String> = req.values.iter().cloned().collect();
            match req.op.as_str() {
                "In" => zones = Some(z),
                _ => assumptions.push(format!(
                    "{at}: '{ZONE} {}' is not applied to the subnets: every selected subnet is used",
                    req.op
                )),
            }
        } else if EVALUATED.contains(&req.key.as_str()) {
            reqs.push(req);
        } else if !NO_EFFECT.contains(&req.key.as_str()) {
            assumptions.push(format!(
                "{at}: '{} {} {}' not evaluated (the instance table has no such fact): every type passes it, so \
                 the pool may be wider than Karpenter's",
                req.key,
                req.op,
                req.values.join(",")
            ));
        }
    }
    if reqs.iter().any(|r| r.key == "kubernetes.io/arch") {
        assumptions.push(format!(
            "{me}: kubernetes.io/arch is derived from the type name (a 'g' after the generation, as in m7g or \
             c6gn, and a1 are arm64; the rest amd64): the instance table has no architecture"
        ));
    }
    let limit = v
        .get("spec")
        .and_then(|x| x.get("limits"))
        .and_then(|l| l.get("cpu"));
    let max_vcpus = match limit {
        None => None,
        Some(q) => Some(cpu_quantity(q).filter(|n| *n > 0).ok_or_else(|| {
            err(
                format!("{me} spec.limits.cpu"),
                format!("'{}' is not a CPU quantity of at least 1", show(q)),
                "give a number of vCPUs such as 1000",
            )
        })?),
    };
    let mut dropped_unknown = Vec::new();
    let types: Vec<String> = catalog
        .iter()
        .filter(|i| {
            let l = labels(i);
            reqs.iter().all(|r| r.holds(l.get(r.key.as_str())))
        })
        .filter(|i| {
            let ok = max_vcpus.is_none() || i.vcpus.count().is_some();
            if !ok {
                dropped_unknown.push(i.name.to_string());
            }
            ok
        })
        .map(|i| i.name.to_string())
        .collect();
    if !dropped_unknown.is_empty() {
        assumptions.push(format!(
            "{me}: {} matching types left out, the instance table has no vCPU count for them to divide \
             spec.limits.cpu by: {}",
            dropped_unknown.len(),
            dropped_unknown.join(", ")
        ));
    }
    if types.is_empty() {
        return Err(err(
            format!("{me} spec.template.spec.requirements"),
            "no instance type in the table meets every requirement".to_string(),
            "widen the requirements, or add the types with --instance-data",
        ));
    }

    // the EC2NodeClass
    let class_name = tspec
        .get("nodeClassRef")
        .and_then(|r| s(r, "name"))
        .unwrap_or("")
        .to_string();
    let Some(class) = classes.get(&class_name) else {
        return Err(err(
            format!("{me} spec.template.spec.nodeClassRef"),
            format!("EC2NodeClass '{class_name}' is in no --karpenter input"),
            "pass the file with the EC2NodeClass with --karpenter",
        ));
    };
    let cme = format!("EC2NodeClass/{class_name}");
    let cspec = class.value.get("spec").cloned().unwrap_or(Value::Null);
    let mut terms = Vec::new();
    for t in cspec
        .get("subnetSelectorTerms")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let tags: BTreeMap<String, String> = t
            .get("tags")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        let id = s(t, "id").map(str::to_string);
        if id.is_some() || !tags.is_empty() {
            terms.push(Term { tags, id });
        }
    }
    if terms.is_empty() {
        return Err(ImportError::input(
            &class.file,
            format!("{cme} spec.subnetSelectorTerms"),
            "no subnet selector term with tags or id",
            "give subnetSelectorTerms, as Karpenter requires",
        ));
    }
    let kubelet = cspec.get("kubelet").cloned().unwrap_or(Value::Null);
    let ksrc = Source::new(&class.file, cme.clone());
    let max_pods = match kubelet.get("maxPods").and_then(Value::as_u64) {
        Some(n) => (
            MaxPodsSpec::Fixed(u32::try_from(n).unwrap_or(u32::MAX).max(1)),
            ksrc.field("spec.kubelet.maxPods"),
        ),
        None => (
            MaxPodsSpec::Karpenter,
            ksrc.field("(no spec.kubelet.maxPods: Karpenter's own value)"),
        ),
    };
    let pods_per_core = kubelet
        .get("podsPerCore")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .map(|n| (n, ksrc.field("spec.kubelet.podsPerCore")));
    if max_pods.0 == MaxPodsSpec::Karpenter {
        assumptions.push(format!(
            "{me}: Karpenter's max pods with RESERVED_ENIS=0 (its default; set 1 under custom networking)"
        ));
    }
    let subnets_how = match &zones {
        Some(z) => format!(
            "spec.subnetSelectorTerms, in {}",
            z.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
        None => "spec.subnetSelectorTerms".to_string(),
    };
    Ok(FGroup {
        name,
        instance_types: types,
        types_source: source.field("spec.template.spec.requirements"),
        subnets: vec![SubnetRef::Select { terms, zones }],
        subnets_source: source.field(&format!("-> {cme} {subnets_how}")),
        nodes: None,
        max_vcpus: max_vcpus.map(|n| (n, source.field("spec.limits.cpu"))),
        nodes_fix: "set spec.limits.cpu".to_string(),
        max_pods: Some(max_pods),
        pods_per_core,
        launch: Some((Launch::Karpenter, source.field("(a Karpenter NodePool)"))),
        source,
    })
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(t) => Some(t.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn show(v: &Value) -> String {
    scalar(v).unwrap_or_else(|| "something else".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_split_as_the_provider_does() {
        assert_eq!(family_parts("m7g.large"), Some(("m", "7", "g")));
        assert_eq!(family_parts("c6gn.xlarge"), Some(("c", "6", "gn")));
        assert_eq!(family_parts("is4gen.large"), Some(("is", "4", "gen")));
        assert_eq!(family_parts("u-6tb1.metal"), Some(("u", "1", "")));
        assert_eq!(family_parts("m5.large"), Some(("m", "5", "")));
    }

    #[test]
    fn quantities() {
        assert_eq!(cpu_quantity(&Value::from(64)), Some(64));
        assert_eq!(cpu_quantity(&Value::from("1000")), Some(1000));
        assert_eq!(cpu_quantity(&Value::from("1500m")), Some(1));
        assert_eq!(cpu_quantity(&Value::from("2k")), Some(2000));
        assert_eq!(cpu_quantity(&Value::from("lots")), None);
    }

    #[test]
    fn operators() {
        let r = |op: &str, v: &[&str]| Req {
            key: String::new(),
            op: op.into(),
            values: v.iter().map(|s| (*s).to_string()).collect(),
        };
        let four = Some("4".to_string());
        assert!(r("Gt", &["2"]).holds(four.as_ref()));
        assert!(!r("Lt", &["4"]).holds(four.as_ref()));
        assert!(r("NotIn", &["4"]).holds(None));
        assert!(!r("In", &["4"]).holds(None));
        assert!(r("DoesNotExist", &[]).holds(None));
    }
}
