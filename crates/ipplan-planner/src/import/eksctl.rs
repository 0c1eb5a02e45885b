//! An eksctl `ClusterConfig` (`apiVersion: eksctl.io/v1alpha5`, eksctl-io/eksctl
//! `pkg/apis/eksctl.io/v1alpha5/types.go`, `vpc.go`, `addon.go`) -> a fragment.
//!
//! - `vpc.subnets.private` / `.public`: maps keyed by AZ or by a name, each `{ id, cidr, az }`. A subnet given by id
//!   alone is found among the other inputs (`--terraform` state, `--aws-subnets`).
//! - Without `vpc.subnets` eksctl creates the VPC itself, and so does the importer: `vpc.cidr` (default
//!   192.168.0.0/16, `DefaultCIDR` in `vpc.go`) is cut as eksctl's `SetSubnets` does (eksctl-io/eksctl
//!   `pkg/vpc/vpc.go`: `getSubnetNetworkSize`, `SplitInto`): for up to 4 AZs into 8 blocks 3 bits longer than the
//!   VPC (a /16 gives /19s), for 5 to 8 AZs into 16 blocks 4 bits longer; AZ `i` gets public block `i` and private
//!   block `i + AZs`. The AZs are `availabilityZones`, or three (`<region>a`, `b`, `c`) when not given: eksctl
//!   picks 3 at random (`pkg/az/az.go`, `RecommendedAvailabilityZones`).
//! - `managedNodeGroups` and `nodeGroups`: `instanceType`, `instanceTypes` (managed) or
//!   `instancesDistribution.instanceTypes`, peak nodes `maxSize` (else `desiredCapacity`, else eksctl's default 2),
//!   `maxPodsPerNode`, `availabilityZones`, `subnets`, `privateNetworking` (private subnets, else public).
//! - `addons[name = vpc-cni].configurationValues` (JSON or YAML with `env`), `kubernetesNetworkConfig.ipFamily`.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;
use serde_yaml::Value;

use crate::import::merge::{FControlPlane, FGroup, FSubnet, Fragment, SubnetRef};
use crate::import::terraform_plan::env_map;
use crate::import::{ImportError, Source, addon_version, cni_from_env, without_position};
use crate::plan::{CniSpec, MaxPodsSpec};

const FIX: &str =
    "pass an eksctl ClusterConfig (apiVersion: eksctl.io/v1alpha5, kind: ClusterConfig)";

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn u(v: &Value, k: &str) -> Option<u32> {
    v.get(k)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

fn list(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(Value::as_sequence)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The CIDRs eksctl's `SetSubnets` gives `zones` AZs in `vpc`: `(public, private)` per AZ.
fn eksctl_split(vpc: Ipv4Net, zones: usize) -> Option<Vec<(Ipv4Net, Ipv4Net)>> {
    let total = zones * 2;
    let (size, bits) = match total {
        0 => return None,
        2..=8 => (8u32, 3u8),
        9..=16 => (16, 4),
        _ => return None,
    };
    let len = vpc.prefix_len() + bits;
    if !(16..=28).contains(&len) {
        return None;
    }
    let base = u32::from(vpc.network());
    let block = |i: u32| Ipv4Net::new((base + (i << (32 - u32::from(len)))).into(), len).ok();
    let blocks: Option<Vec<Ipv4Net>> = (0..size).map(block).collect();
    let blocks = blocks?;
    (0..zones)
        .map(|i| Some((*blocks.get(i)?, *blocks.get(i + zones)?)))
        .collect()
}

pub(crate) fn read(file: &str, text: &str) -> Result<Fragment, ImportError> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        ImportError::input(
            file,
            format!("line {line}"),
            format!("invalid YAML: {}", without_position(&e.to_string())),
            FIX,
        )
    })?;
    let api = s(&doc, "apiVersion").unwrap_or("");
    let kind = s(&doc, "kind").unwrap_or("");
    if api != "eksctl.io/v1alpha5" || kind != "ClusterConfig" {
        return Err(ImportError::input(
            file,
            "(top level)",
            format!(
                "apiVersion '{api}', kind '{kind}': not an eksctl ClusterConfig (eksctl.io/v1alpha5)"
            ),
            FIX,
        ));
    }
    let mut f = Fragment::new(file);
    let cluster = s(doc.get("metadata").unwrap_or(&Value::Null), "name").unwrap_or("cluster");
    let region = s(doc.get("metadata").unwrap_or(&Value::Null), "region").unwrap_or("us-west-2");
    let at = |a: &str| Source::new(file, a.to_string());
    if let Some(n) = doc.get("kubernetesNetworkConfig")
        && s(n, "ipFamily").is_some_and(|v| v.eq_ignore_ascii_case("ipv6"))
    {
        return Err(ImportError::input(
            file,
            "kubernetesNetworkConfig.ipFamily",
            "the cluster is IPv6: its pods take no IPv4 subnet addresses",
            "ipplan plans IPv4 pod addresses; nothing to check for an IPv6 cluster",
        ));
    }
    for (k, _) in doc.as_mapping().into_iter().flatten() {
        let k = k.as_str().unwrap_or_default();
        if !matches!(
            k,
            "apiVersion"
                | "kind"
                | "metadata"
                | "vpc"
                | "availabilityZones"
                | "managedNodeGroups"
                | "nodeGroups"
                | "addons"
                | "kubernetesNetworkConfig"
        ) {
            f.skip(k);
        }
    }

    // subnets, keyed (topology, key) -> address
    let vpc = doc.get("vpc").cloned().unwrap_or(Value::Null);
    let vpc_cidr = match s(&vpc, "cidr") {
        Some(c) => Some(c.parse::<Ipv4Net>().map_err(|_| {
            ImportError::input(
                file,
                "vpc.cidr",
                format!("'{c}' is not an IPv4 CIDR"),
                "fix vpc.cidr",
            )
        })?),
        None => None,
    };
    let zones = list(&doc, "availabilityZones");
    let mut topo: BTreeMap<&str, Vec<(String, SubnetRef, String)>> = BTreeMap::new(); // (key, ref, az)
    let given = vpc.get("subnets").filter(|v| v.is_mapping());
    if let Some(subnets) = given {
        for t in ["private", "public"] {
            let Some(m) = subnets.get(t).and_then(Value::as_mapping) else {
                continue;
            };
            for (key, spec) in m {
                let key = key.as_str().unwrap_or_default().to_string();
                let address = format!("vpc.subnets.{t}.{key}");
                let az = s(spec, "az").unwrap_or(&key).to_string();
                let id = s(spec, "id").map(str::to_string);
                let r = match s(spec, "cidr") {
                    Some(c) => {
                        let cidr = c.parse::<Ipv4Net>().map_err(|_| {
                            ImportError::input(
                                file,
                                format!("{address}.cidr"),
                                format!("'{c}' is not an IPv4 CIDR"),
                                "fix the subnet's cidr",
                            )
                        })?;
                        f.subnets.push(FSubnet {
                            address: address.clone(),
                            id: id.clone(),
                            name: Some(format!("{t}-{key}")),
                            az: az.clone(),
                            cidr,
                            ipv6: None,
                            tags: BTreeMap::new(),
                            source: at(&address),
                        });
                        SubnetRef::Address(address.clone())
                    }
                    None => match id {
                        Some(id) => SubnetRef::Id(id),
                        None => {
                            return Err(ImportError::input(
                                file,
                                address,
                                "a subnet with neither id nor cidr",
                                "give the subnet's cidr (or its id, and pass --aws-subnets)",
                            ));
                        }
                    },
                };
                topo.entry(t).or_default().push((key, r, az));
            }
        }
    } else {
        let cidr = vpc_cidr.unwrap_or_else(|| "192.168.0.0/16".parse().unwrap_or_default());
        let azs: Vec<String> = if zones.is_empty() {
            f.assumptions.push(format!(
                "no availabilityZones: eksctl picks 3 at random; written {region}a, {region}b, {region}c (the \
                 CIDRs do not depend on which)"
            ));
            ["a", "b", "c"]
                .iter()
                .map(|z| format!("{region}{z}"))
                .collect()
        } else {
            zones.clone()
        };
        let split = eksctl_split(cidr, azs.len()).ok_or_else(|| {
            ImportError::input(
                file,
                "vpc.cidr",
                format!(
                    "eksctl cannot cut {cidr} into subnets for {} AZs",
                    azs.len()
                ),
                "give a /16 to /24 VPC CIDR and 1 to 8 availabilityZones",
            )
        })?;
        f.assumptions.push(format!(
            "no vpc.subnets: eksctl creates the VPC ({cidr}{}) and cuts it as its SetSubnets does \
             (eksctl-io/eksctl pkg/vpc/vpc.go): public {}, private {}",
            if vpc_cidr.is_none() {
                ", eksctl's default"
            } else {
                ""
            },
            split
                .iter()
                .map(|p| p.0.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            split
                .iter()
                .map(|p| p.1.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for (az, (public, private)) in azs.iter().zip(split) {
            for (t, c) in [("public", public), ("private", private)] {
                let address = format!("vpc.subnets.{t}.{az} (created by eksctl)");
                f.subnets.push(FSubnet {
                    address: address.clone(),
                    id: None,
                    name: Some(format!("{t}-{az}")),
                    az: az.clone(),
                    cidr: c,
                    ipv6: None,
                    tags: BTreeMap::new(),
                    source: at(&address),
                });
                topo.entry(t).or_default().push((
                    az.clone(),
                    SubnetRef::Address(address),
                    az.clone(),
                ));
            }
        }
    }
    // public subnets first in the plan, as eksctl numbers them
    f.subnets
        .sort_by_key(|x| !x.address.starts_with("vpc.subnets.public"));
    if let Some(c) = vpc_cidr {
        f.vpc_cidrs.push((c, at("vpc.cidr")));
    } else if given.is_none() {
        f.vpc_cidrs.push((
            "192.168.0.0/16".parse().unwrap_or_default(),
            at("vpc.cidr (eksctl's default)"),
        ));
    }
    for c in list(&vpc, "extraCIDRs") {
        if let Ok(c) = c.parse::<Ipv4Net>() {
            f.vpc_cidrs.push((c, at("vpc.extraCIDRs")));
        }
    }

    // the control plane: eksctl gives EKS every subnet of the cluster
    let all: Vec<SubnetRef> = ["public", "private"]
        .iter()
        .flat_map(|t| topo.get(t).into_iter().flatten().map(|x| x.1.clone()))
        .collect();
    if !all.is_empty() {
        f.control_plane = Some(FControlPlane {
            subnets: all,
            source: at(&format!(
                "{cluster} (eksctl: the cluster in every subnet of vpc.subnets)"
            )),
        });
    }

    // CNI
    for (i, a) in doc
        .get("addons")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if s(a, "name") != Some("vpc-cni") {
            continue;
        }
        let src = at(&format!("addons[{i}] (vpc-cni)"));
        let mut cni = CniSpec::default();
        let mut fields = BTreeMap::new();
        if let Some(v) = s(a, "version").and_then(addon_version) {
            cni.version = Some(v);
            fields.insert("cni.version".to_string(), src.field("version"));
        }
        if let Some(text) = s(a, "configurationValues") {
            let cv = src.field("configurationValues");
            let parsed: Value = serde_yaml::from_str(text).map_err(|e| {
                ImportError::input(
                    file,
                    &cv.address,
                    format!("not JSON or YAML: {}", without_position(&e.to_string())),
                    "give configurationValues as a JSON or YAML string with env",
                )
            })?;
            cni_from_env(
                &env_map(&parsed),
                &cv,
                &mut cni,
                &mut fields,
                &mut f.assumptions,
            )?;
        }
        if cni != CniSpec::default() {
            f.cni = Some((cni, fields, src));
        }
    }

    // node groups
    for (section, managed) in [("managedNodeGroups", true), ("nodeGroups", false)] {
        for (i, g) in doc
            .get(section)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = s(g, "name").unwrap_or("nodegroup").to_string();
            let source = at(&format!("{section}[{i}] ({name})"));
            let mut types = list(g, "instanceTypes");
            if types.is_empty()
                && let Some(d) = g.get("instancesDistribution")
            {
                types = list(d, "instanceTypes");
            }
            let types_source = if types.is_empty() {
                match s(g, "instanceType") {
                    Some(t) => {
                        types = vec![t.to_string()];
                        source.field("instanceType")
                    }
                    None if g.get("instanceSelector").is_some() => {
                        return Err(ImportError::input(
                            file,
                            source.address,
                            "instanceSelector is resolved by eksctl against EC2 when it creates the group",
                            "list the types it picks in instanceTypes",
                        ));
                    }
                    None => {
                        types = vec!["m5.large".to_string()];
                        source.field("instanceType (unset: eksctl's default m5.large)")
                    }
                }
            } else {
                source.field("instanceTypes")
            };
            let nodes = match (u(g, "maxSize"), u(g, "desiredCapacity")) {
                (Some(n), _) => (n, source.field("maxSize")),
                (None, Some(n)) => (n, source.field("desiredCapacity (no maxSize)")),
                (None, None) => (
                    2,
                    source.field("(no maxSize or desiredCapacity: eksctl's default 2)"),
                ),
            };
            let private = g.get("privateNetworking").and_then(Value::as_bool) == Some(true);
            let t = if private { "private" } else { "public" };
            let zones: BTreeSet<String> = list(g, "availabilityZones").into_iter().collect();
            let named = list(g, "subnets");
            let (subnets, subnets_source) = if named.is_empty() {
                let v: Vec<SubnetRef> = topo
                    .get(t)
                    .into_iter()
                    .flatten()
                    .filter(|x| zones.is_empty() || zones.contains(&x.2))
                    .map(|x| x.1.clone())
                    .collect();
                let how = if zones.is_empty() {
                    format!("every {t} subnet (privateNetworking: {private})")
                } else {
                    format!("the {t} subnets in availabilityZones")
                };
                (v, source.field(&how))
            } else {
                // names of vpc.subnets entries, or subnet ids
                let v = named
                    .iter()
                    .map(|n| {
                        topo.values()
                            .flatten()
                            .find(|x| x.0 == *n)
                            .map_or_else(|| SubnetRef::Id(n.clone()), |x| x.1.clone())
                    })
                    .collect();
                (v, source.field("subnets"))
            };
            if subnets.is_empty() {
                return Err(ImportError::input(
                    file,
                    source.address,
                    format!("no {t} subnet to launch in"),
                    format!("add {t} subnets to vpc.subnets, or set privateNetworking"),
                ));
            }
            let max_pods = match u(g, "maxPodsPerNode") {
                Some(n) if n > 0 => (MaxPodsSpec::Fixed(n), source.field("maxPodsPerNode")),
                _ if managed => (
                    MaxPodsSpec::Auto,
                    Source::new(file, "EKS managed node group: max pods as EKS sets it"),
                ),
                _ => (
                    MaxPodsSpec::Auto,
                    Source::new(file, "eksctl bootstrap: max pods of the EKS AMI"),
                ),
            };
            f.groups.push(FGroup {
                name,
                instance_types: types,
                types_source,
                subnets,
                subnets_source,
                nodes: Some(nodes),
                max_vcpus: None,
                nodes_fix: "set maxSize".to_string(),
                max_pods: Some(max_pods),
                pods_per_core: None,
                launch: None,
                source,
            });
        }
    }
    if f.cni.is_none() {
        f.assumptions.push(
            "no vpc-cni addon with configurationValues: the VPC CNI's shipped defaults (secondary IPs, \
             WARM_ENI_TARGET=1)"
                .to_string(),
        );
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::eksctl_split;

    #[test]
    fn split_like_set_subnets() {
        // eksctl-io/eksctl pkg/vpc/vpc.go: 3 AZs -> 8 blocks of /19, public 0..2, private 3..5
        let v = eksctl_split("192.168.0.0/16".parse().unwrap(), 3).unwrap();
        let shown: Vec<String> = v.iter().map(|(a, b)| format!("{a} {b}")).collect();
        assert_eq!(
            shown,
            vec![
                "192.168.0.0/19 192.168.96.0/19",
                "192.168.32.0/19 192.168.128.0/19",
                "192.168.64.0/19 192.168.160.0/19"
            ]
        );
        // 5 AZs: 16 blocks of /20
        let v = eksctl_split("10.0.0.0/16".parse().unwrap(), 5).unwrap();
        assert_eq!(v[0].1.to_string(), "10.0.80.0/20");
        assert!(eksctl_split("10.0.0.0/16".parse().unwrap(), 9).is_none());
    }
}
