//! `terraform show -json` of a saved plan or of a state (hashicorp/terraform `website/docs/internals/json-format.mdx`,
//! `format_version` 1.x) -> a fragment.
//!
//! Resources are read anywhere in the module tree (`planned_values.root_module` or `values.root_module`, their
//! `child_modules` recursively, `count` / `for_each` keys in each `address`): `aws_vpc`,
//! `aws_vpc_ipv4_cidr_block_association`, `aws_subnet`, `aws_ec2_subnet_cidr_reservation`, `aws_eks_cluster`,
//! `aws_eks_node_group` and the `vpc-cni` `aws_eks_addon`. Everything else is skipped and counted.
//!
//! A plan does not know subnet ids (`after_unknown`), so where a subnet list has no value the importer follows the
//! plan's `configuration` section instead: the attribute's `expressions.<attr>.references` to `aws_subnet`
//! resources of the same module, `var.x` to the calling module's argument (or the variable's default, or the root
//! plan's `variables`), and `module.m.output` to the child module's `outputs.<output>.expression.references`, as
//! the terraform-aws-modules `vpc` and `eks` modules wire them (`module.vpc.private_subnets`). Locals are not in a
//! JSON plan: a list built from one cannot be followed.

use std::collections::{BTreeMap, HashMap};

use ipnet::Ipv4Net;
use serde_json::Value;

use crate::import::merge::{FControlPlane, FGroup, FReservation, FSubnet, Fragment, SubnetRef};
use crate::import::{
    ImportError, Source, addon_version, cni_from_env, json_error, natural_cmp, without_position,
};
use crate::plan::{CniSpec, MaxPodsSpec, ReservationType};

const FIX: &str = "pass the output of 'terraform show -json tfplan' for a saved plan, or of 'terraform show -json' for a state";

/// One resource instance in the values tree.
struct Res<'a> {
    address: String,
    /// The module instance's address (`""` at the root, `module.eks.module.x["a"]`).
    module: String,
    ty: String,
    name: String,
    mode: String,
    values: &'a Value,
}

struct Doc<'a> {
    file: &'a str,
    resources: Vec<Res<'a>>,
    /// Module instance addresses.
    modules: Vec<String>,
    /// Module call path (names, no keys) -> its configuration.
    config: HashMap<Vec<String>, &'a Value>,
    /// The root module's input variables (a plan's `variables`).
    variables: Option<&'a Value>,
    /// (module instance, type, name) of managed resources -> their positions in `resources`, address order.
    by_name: HashMap<(String, String, String), Vec<usize>>,
}

/// Split an address at the dots outside brackets and quotes.
fn split_address(a: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0usize, false, false, 0usize);
    for (i, c) in a.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.push(&a[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&a[start..]);
    out
}

/// `name[key]` -> (`name`, `Some(key)`).
fn name_and_key(token: &str) -> (&str, Option<&str>) {
    match token.find('[') {
        Some(i) if token.ends_with(']') => (&token[..i], Some(&token[i + 1..token.len() - 1])),
        _ => (token, None),
    }
}

/// The module call names of a module instance address: `module.eks.module.x["a"]` -> `[eks, x]`.
fn calls_of(module: &str) -> Vec<String> {
    if module.is_empty() {
        return Vec::new();
    }
    split_address(module)
        .chunks(2)
        .filter_map(|c| c.get(1).map(|t| name_and_key(t).0.to_string()))
        .collect()
}

fn join(module: &str, rest: &str) -> String {
    if module.is_empty() {
        rest.to_string()
    } else {
        format!("{module}.{rest}")
    }
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

#[derive(Default)]
struct Resolution {
    /// Addresses of resources of the wanted type.
    addresses: Vec<String>,
    /// Literal values (ids).
    literals: Vec<String>,
    /// References that cannot be followed (`local.x`, data sources without values).
    unresolved: Vec<String>,
}

impl<'a> Doc<'a> {
    fn module_config(&self, module: &str) -> Option<&'a Value> {
        self.config.get(&calls_of(module)).copied()
    }

    /// The configuration expression of `attr` (`vpc_config.subnet_ids` for a nested block) of resource `r`.
    fn expression(&self, r: &Res<'_>, attr: &str) -> Option<&'a Value> {
        let m = self.module_config(&r.module)?;
        let local = format!("{}.{}", r.ty, r.name);
        let res = m
            .get("resources")?
            .as_array()?
            .iter()
            .find(|c| c.get("address").and_then(Value::as_str) == Some(local.as_str()))?;
        let mut e = res.get("expressions")?;
        for part in attr.split('.') {
            e = e.get(part)?;
            if let Value::Array(a) = e {
                e = a.first()?;
            }
        }
        Some(e)
    }

    /// Follow an expression to resources of type `ty` (or literal values).
    fn follow(&self, module: &str, expr: &Value, ty: &str, depth: usize, out: &mut Resolution) {
        if let Some(c) = expr.get("constant_value") {
            out.literals.extend(strings(c).unwrap_or_default());
            return;
        }
        let refs: Vec<String> = expr.get("references").and_then(strings).unwrap_or_default();
        self.references(module, &refs, ty, depth, out);
    }

    fn references(
        &self,
        module: &str,
        refs: &[String],
        ty: &str,
        depth: usize,
        out: &mut Resolution,
    ) {
        if depth > 24 {
            return;
        }
        // Terraform lists `a.b[0].id`, `a.b[0]`, `a.b`: keep the most specific of each chain
        let specific: Vec<&String> = refs
            .iter()
            .filter(|r| {
                !refs.iter().any(|o| {
                    o.len() > r.len()
                        && o.starts_with(r.as_str())
                        && matches!(o.as_bytes()[r.len()], b'.' | b'[')
                })
            })
            .collect();
        for r in specific {
            let t = split_address(r);
            match t[0] {
                first if first == ty && t.len() >= 2 => {
                    let (name, key) = name_and_key(t[1]);
                    let base = join(module, &format!("{ty}.{name}"));
                    let want = key.filter(|k| *k != "*").map(|k| format!("{base}[{k}]"));
                    let found = self
                        .by_name
                        .get(&(module.to_string(), ty.to_string(), name.to_string()))
                        .into_iter()
                        .flatten()
                        .map(|&i| &self.resources[i])
                        .filter(|x| want.as_ref().is_none_or(|w| x.address == *w));
                    out.addresses.extend(found.map(|x| x.address.clone()));
                }
                "data" if t.len() >= 3 => {
                    let (name, _) = name_and_key(t[2]);
                    let found = self.resources.iter().find(|x| {
                        x.mode == "data" && x.ty == t[1] && x.name == name && x.module == module
                    });
                    let ids =
                        found.and_then(|x| x.values.get("ids").or_else(|| x.values.get("id")));
                    match ids.and_then(strings) {
                        Some(v) if !v.is_empty() => out.literals.extend(v),
                        _ => out.unresolved.push(join(module, r)),
                    }
                }
                "var" if t.len() >= 2 => {
                    let (name, _) = name_and_key(t[1]);
                    if module.is_empty() {
                        match self
                            .variables
                            .and_then(|v| v.get(name))
                            .and_then(|v| v.get("value"))
                            .and_then(strings)
                        {
                            Some(v) => out.literals.extend(v),
                            None => out.unresolved.push(r.clone()),
                        }
                        continue;
                    }
                    let toks = split_address(module);
                    let parent = toks[..toks.len().saturating_sub(2)].join(".");
                    let call = name_and_key(toks.last().copied().unwrap_or_default()).0;
                    let arg = self
                        .module_config(&parent)
                        .and_then(|m| m.get("module_calls"))
                        .and_then(|c| c.get(call))
                        .and_then(|c| c.get("expressions"))
                        .and_then(|e| e.get(name));
                    match arg {
                        Some(e) => self.follow(&parent, e, ty, depth + 1, out),
                        None => {
                            // not passed: the variable's default
                            let default = self
                                .module_config(module)
                                .and_then(|m| m.get("variables"))
                                .and_then(|v| v.get(name))
                                .and_then(|v| v.get("default"))
                                .and_then(strings);
                            out.literals.extend(default.unwrap_or_default());
                        }
                    }
                }
                "module" if t.len() >= 3 => {
                    let (child, child_key) = name_and_key(t[1]);
                    let (output, index) = name_and_key(t[2]);
                    let prefix = join(module, &format!("module.{child}"));
                    let instances: Vec<&String> = self
                        .modules
                        .iter()
                        .filter(|m| match child_key {
                            Some(k) => **m == format!("{prefix}[{k}]"),
                            None => **m == prefix || m.starts_with(&format!("{prefix}[")),
                        })
                        .collect();
                    for inst in instances {
                        let Some(expr) = self
                            .module_config(inst)
                            .and_then(|m| m.get("outputs"))
                            .and_then(|o| o.get(output))
                            .and_then(|o| o.get("expression"))
                        else {
                            out.unresolved.push(r.clone());
                            continue;
                        };
                        let mut sub = Resolution::default();
                        self.follow(inst, expr, ty, depth + 1, &mut sub);
                        // `module.vpc.private_subnets[0]`: the index-th of a counted resource's list
                        if let Some(i) = index.and_then(|i| i.parse::<usize>().ok()) {
                            sub.addresses = sub.addresses.get(i).cloned().into_iter().collect();
                            sub.literals = sub.literals.get(i).cloned().into_iter().collect();
                        }
                        out.addresses.extend(sub.addresses);
                        out.literals.extend(sub.literals);
                        out.unresolved.extend(sub.unresolved);
                    }
                }
                "local" => out.unresolved.push(join(module, r)),
                _ => {}
            }
        }
    }

    /// The subnets attribute `attr` of `r` names: its known ids, else what its configuration references.
    fn subnet_refs(&self, r: &Res<'_>, attr: &str) -> Result<Vec<SubnetRef>, ImportError> {
        let mut v = r.values;
        for part in attr.split('.') {
            v = v.get(part).unwrap_or(&Value::Null);
            if let Value::Array(a) = v
                && part != attr.rsplit('.').next().unwrap_or(attr)
            {
                v = a.first().unwrap_or(&Value::Null);
            }
        }
        if let Some(ids) = strings(v).filter(|x| !x.is_empty()) {
            return Ok(ids.into_iter().map(SubnetRef::Id).collect());
        }
        let mut res = Resolution::default();
        if let Some(e) = self.expression(r, attr) {
            self.follow(&r.module, e, "aws_subnet", 0, &mut res);
        }
        let mut out: Vec<SubnetRef> = res.addresses.into_iter().map(SubnetRef::Address).collect();
        out.extend(res.literals.into_iter().map(SubnetRef::Id));
        if out.is_empty() {
            let why = if res.unresolved.is_empty() {
                "has no value in the plan and no reference to an aws_subnet".to_string()
            } else {
                format!(
                    "comes from {}, which a JSON plan does not carry",
                    res.unresolved.join(", ")
                )
            };
            return Err(ImportError::input(
                self.file,
                format!("{} {}", r.address, attr.replace('.', "[0].")),
                format!("the subnet list {why}"),
                "pass the subnets with --aws-subnets and the state with --terraform, or reference aws_subnet \
                 resources or module outputs",
            ));
        }
        Ok(out)
    }
}

fn walk<'a>(
    module: &'a Value,
    address: &str,
    resources: &mut Vec<Res<'a>>,
    modules: &mut Vec<String>,
) {
    if let Some(rs) = module.get("resources").and_then(Value::as_array) {
        for r in rs {
            let s = |k: &str| {
                r.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            resources.push(Res {
                address: s("address"),
                module: address.to_string(),
                ty: s("type"),
                name: s("name"),
                mode: s("mode"),
                values: r.get("values").unwrap_or(&Value::Null),
            });
        }
    }
    if let Some(cs) = module.get("child_modules").and_then(Value::as_array) {
        for c in cs {
            let a = c.get("address").and_then(Value::as_str).unwrap_or_default();
            modules.push(a.to_string());
            walk(c, a, resources, modules);
        }
    }
}

fn index_config<'a>(
    m: &'a Value,
    path: &mut Vec<String>,
    out: &mut HashMap<Vec<String>, &'a Value>,
) {
    out.insert(path.clone(), m);
    if let Some(calls) = m.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            if let Some(child) = call.get("module") {
                path.push(name.clone());
                index_config(child, path, out);
                path.pop();
            }
        }
    }
}

/// What a document of another tool looks like, for the message.
fn other_tool(v: &Value) -> &'static str {
    if v.get("AWSTemplateFormatVersion").is_some() || v.get("Resources").is_some() {
        "a CloudFormation template"
    } else if v.get("Subnets").is_some() {
        "aws ec2 describe-subnets output (pass it with --aws-subnets)"
    } else if v.get("apiVersion").is_some() {
        "a Kubernetes-style document (pass an eksctl config with --eksctl, NodePools with --karpenter)"
    } else if v.get("version").is_some() && v.get("lineage").is_some() {
        "a raw state file (run 'terraform show -json' to convert it)"
    } else {
        "not a Terraform JSON plan or state"
    }
}

pub(crate) fn read(file: &str, text: &str) -> Result<Fragment, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| json_error(file, &e, FIX))?;
    let Some(version) = doc.get("format_version").and_then(Value::as_str) else {
        return Err(ImportError::input(
            file,
            "(top level)",
            format!("{}: no 'format_version'", other_tool(&doc)),
            FIX,
        ));
    };
    if version.split('.').next() != Some("1") {
        return Err(ImportError::input(
            file,
            "format_version",
            format!("format_version '{version}' is not one ipplan reads (1.x)"),
            "produce it with Terraform 0.12 or later, 1.x",
        ));
    }
    let root = doc
        .get("planned_values")
        .or_else(|| doc.get("values"))
        .and_then(|v| v.get("root_module"));
    let Some(root) = root else {
        return Err(ImportError::input(
            file,
            "(top level)",
            "neither 'planned_values' (a plan) nor 'values' (a state) has a root_module",
            FIX,
        ));
    };
    let mut resources = Vec::new();
    let mut modules = Vec::new();
    walk(root, "", &mut resources, &mut modules);
    let mut config = HashMap::new();
    if let Some(c) = doc.get("configuration").and_then(|c| c.get("root_module")) {
        index_config(c, &mut Vec::new(), &mut config);
    }
    resources.sort_by(|a, b| natural_cmp(&a.address, &b.address));
    let mut by_name: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
    for (i, r) in resources.iter().enumerate() {
        if r.mode == "managed" {
            by_name
                .entry((r.module.clone(), r.ty.clone(), r.name.clone()))
                .or_default()
                .push(i);
        }
    }
    let d = Doc {
        file,
        resources,
        modules,
        config,
        variables: doc.get("variables"),
        by_name,
    };
    let mut f = Fragment::new(file);
    let src = |r: &Res<'_>| Source::new(file, r.address.clone());
    let str_of = |r: &Res<'_>, k: &str| r.values.get(k).and_then(Value::as_str).map(str::to_string);
    let cidr_of = |r: &Res<'_>, k: &str| -> Result<Option<Ipv4Net>, ImportError> {
        match r.values.get(k).and_then(Value::as_str) {
            None => Ok(None),
            Some(c) => c.parse::<Ipv4Net>().map(Some).map_err(|_| {
                ImportError::input(
                    file,
                    format!("{} {k}", r.address),
                    format!("'{c}' is not an IPv4 CIDR"),
                    "fix the resource's CIDR",
                )
            }),
        }
    };

    let mut vpcs = 0;
    let mut clusters = Vec::new();
    for r in &d.resources {
        if r.mode != "managed" {
            f.skip(format!("data.{}", r.ty));
            continue;
        }
        match r.ty.as_str() {
            "aws_vpc" => {
                vpcs += 1;
                match cidr_of(r, "cidr_block")? {
                    Some(c) => f.vpc_cidrs.push((c, src(r))),
                    None => f.assumptions.push(format!(
                        "{}: its CIDR is not known before apply (IPAM?): vpc.cidrs left out",
                        r.address
                    )),
                }
            }
            "aws_vpc_ipv4_cidr_block_association" => match cidr_of(r, "cidr_block")? {
                Some(c) => f.vpc_cidrs.push((c, src(r))),
                None => f.assumptions.push(format!(
                    "{}: its CIDR is not known before apply: left out of vpc.cidrs",
                    r.address
                )),
            },
            "aws_subnet" => {
                let Some(cidr) = cidr_of(r, "cidr_block")? else {
                    f.assumptions.push(format!(
                        "{}: no IPv4 CIDR known before apply (IPv6-only or IPAM): left out",
                        r.address
                    ));
                    continue;
                };
                let az = str_of(r, "availability_zone")
                    .or_else(|| str_of(r, "availability_zone_id"))
                    .unwrap_or_else(|| "unknown-az".to_string());
                if az == "unknown-az" {
                    f.assumptions.push(format!(
                        "{}: its availability zone is not known before apply: written 'unknown-az'",
                        r.address
                    ));
                }
                let tag_map = r
                    .values
                    .get("tags_all")
                    .filter(|t| t.is_object())
                    .or_else(|| r.values.get("tags"));
                let tags: BTreeMap<String, String> = tag_map
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                let ipv6 = match r.values.get("ipv6_cidr_block").and_then(Value::as_str) {
                    None | Some("") => None,
                    Some(c) => Some(c.parse::<ipnet::Ipv6Net>().map_err(|_| {
                        ImportError::input(
                            file,
                            format!("{} ipv6_cidr_block", r.address),
                            format!("'{c}' is not an IPv6 CIDR"),
                            "fix the resource's CIDR",
                        )
                    })?),
                };
                f.subnets.push(FSubnet {
                    address: r.address.clone(),
                    id: str_of(r, "id"),
                    name: tags.get("Name").cloned(),
                    az,
                    cidr,
                    ipv6,
                    tags,
                    source: src(r),
                });
            }
            "aws_ec2_subnet_cidr_reservation" => {
                let Some(cidr) = cidr_of(r, "cidr_block")? else {
                    f.assumptions.push(format!(
                        "{}: its CIDR is not known before apply: left out",
                        r.address
                    ));
                    continue;
                };
                let kind = match str_of(r, "reservation_type").as_deref() {
                    Some("prefix") => ReservationType::Prefix,
                    _ => ReservationType::Explicit,
                };
                for subnet in d.subnet_refs(r, "subnet_id")? {
                    f.reservations.push(FReservation {
                        subnet,
                        cidr,
                        kind,
                        source: src(r),
                    });
                }
            }
            "aws_eks_cluster" => clusters.push(r),
            "aws_eks_node_group" => f.groups.push(node_group(&d, r)?),
            "aws_eks_addon" if str_of(r, "addon_name").as_deref() == Some("vpc-cni") => {
                addon(r, &mut f)?;
            }
            "aws_eks_addon" => f.skip("aws_eks_addon (not vpc-cni)"),
            other => f.skip(other),
        }
    }
    if vpcs > 1 {
        f.assumptions.push(format!(
            "{vpcs} aws_vpc resources: vpc.cidrs holds all their blocks; import one VPC at a time for a tighter \
             check"
        ));
    }
    if let Some(c) = clusters.first() {
        let family = c
            .values
            .get("kubernetes_network_config")
            .and_then(|k| k.get(0))
            .and_then(|k| k.get("ip_family"))
            .and_then(Value::as_str);
        if family == Some("ipv6") {
            return Err(ImportError::input(
                file,
                format!("{} kubernetes_network_config[0].ip_family", c.address),
                "the cluster is IPv6: its pods take no IPv4 subnet addresses",
                "ipplan plans IPv4 pod addresses; nothing to check for an IPv6 cluster",
            ));
        }
        f.control_plane = Some(FControlPlane {
            subnets: d.subnet_refs(c, "vpc_config.subnet_ids")?,
            source: Source::new(file, format!("{} vpc_config[0].subnet_ids", c.address)),
        });
        for other in &clusters[1..] {
            f.assumptions.push(format!(
                "{}: a second cluster; only {} gives the control plane",
                other.address, c.address
            ));
        }
    }
    if f.cni.is_none() && !f.groups.is_empty() {
        f.assumptions.push(
            "no vpc-cni aws_eks_addon with configuration_values: the VPC CNI's shipped defaults \
             (secondary IPs, WARM_ENI_TARGET=1)"
                .to_string(),
        );
    }
    Ok(f)
}

fn node_group(d: &Doc<'_>, r: &Res<'_>) -> Result<FGroup, ImportError> {
    let file = d.file;
    let v = r.values;
    let key_name = split_address(&r.address)
        .iter()
        .rev()
        .find_map(|t| name_and_key(t).1.filter(|k| k.starts_with('"')))
        .map(|k| k.trim_matches('"').to_string());
    let name = v
        .get("node_group_name")
        .and_then(Value::as_str)
        .or_else(|| v.get("node_group_name_prefix").and_then(Value::as_str))
        .map(str::to_string)
        .or(key_name)
        .unwrap_or_else(|| r.name.clone());
    let source = Source::new(file, r.address.clone());
    let mut types = v
        .get("instance_types")
        .and_then(strings)
        .unwrap_or_default();
    let types_source = if types.is_empty() {
        // EKS's default when neither the group nor a launch template names a type
        types = vec!["t3.medium".to_string()];
        source.field("instance_types (unset: EKS's default t3.medium)")
    } else {
        source.field("instance_types")
    };
    let max = v
        .get("scaling_config")
        .and_then(|s| s.get(0))
        .and_then(|s| s.get("max_size"))
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok());
    let nodes = max.map(|n| (n, source.field("scaling_config[0].max_size")));
    Ok(FGroup {
        name,
        instance_types: types,
        types_source,
        subnets: d.subnet_refs(r, "subnet_ids")?,
        subnets_source: source.field("subnet_ids"),
        nodes,
        max_vcpus: None,
        nodes_fix: "set scaling_config.max_size".to_string(),
        max_pods: Some((
            MaxPodsSpec::Auto,
            Source::new(file, "EKS managed node group: max pods as EKS sets it"),
        )),
        pods_per_core: None,
        launch: None,
        source,
    })
}

fn addon(r: &Res<'_>, f: &mut Fragment) -> Result<(), ImportError> {
    let file = f.file.clone();
    let src = Source::new(&file, r.address.clone());
    let mut cni = CniSpec::default();
    let mut fields = BTreeMap::new();
    if let Some(v) = r
        .values
        .get("addon_version")
        .and_then(Value::as_str)
        .and_then(addon_version)
    {
        cni.version = Some(v);
        fields.insert("cni.version".to_string(), src.field("addon_version"));
    }
    if let Some(text) = r.values.get("configuration_values").and_then(Value::as_str) {
        let cv = src.field("configuration_values");
        let parsed: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            ImportError::input(
                &file,
                &cv.address,
                format!("not JSON or YAML: {}", without_position(&e.to_string())),
                "give configuration_values as jsonencode({ env = { ... } })",
            )
        })?;
        let env = env_map(&parsed);
        cni_from_env(&env, &cv, &mut cni, &mut fields, &mut f.assumptions)?;
    }
    if cni != CniSpec::default() {
        f.cni = Some((cni, fields, src));
    }
    Ok(())
}

/// The `env` map of a vpc-cni add-on configuration, values as strings.
pub(crate) fn env_map(v: &serde_yaml::Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(serde_yaml::Value::Mapping(m)) = v.get("env") {
        for (k, v) in m {
            let (Some(k), Some(v)) = (
                k.as_str(),
                match v {
                    serde_yaml::Value::String(s) => Some(s.clone()),
                    serde_yaml::Value::Bool(b) => Some(b.to_string()),
                    serde_yaml::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                },
            ) else {
                continue;
            };
            out.insert(k.to_string(), v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_outside_brackets() {
        assert_eq!(
            split_address(r#"module.eks.module.g["a.b"].aws_eks_node_group.this[0]"#),
            vec![
                "module",
                "eks",
                "module",
                r#"g["a.b"]"#,
                "aws_eks_node_group",
                "this[0]"
            ]
        );
        assert_eq!(
            calls_of(r#"module.eks.module.g["a"]"#),
            vec!["eks".to_string(), "g".to_string()]
        );
    }
}
