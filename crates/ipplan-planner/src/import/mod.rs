//! Start from what the team already has: Terraform plans and states, eksctl configs, Karpenter NodePools, and
//! `aws ec2 describe-subnets` output, each read into plain fragments and merged into one [`PlanSpec`] that
//! [`crate::Plan::from_spec`] accepts.
//!
//! Each importer turns one kind of file into a fragment (subnets, node groups, CNI settings, the control plane,
//! with where each came from); [`import`] merges them (the same subnet seen twice is one subnet; Karpenter's
//! subnet selectors find their subnets among the others'), applies the caller's overrides, validates the result
//! once and returns an [`Imported`]: the spec, the source of every value, every assumption the importers made, and
//! what they skipped. [`Imported::to_yaml`] writes the plan with all of that as comments.
//!
//! | flag | reads | versions |
//! |---|---|---|
//! | `--terraform` | `terraform show -json` of a saved plan (`planned_values`, `configuration`) or of a state (`values`) | `format_version` 1.x (Terraform 0.12 and later; produced with 1.11 and hashicorp/aws 5.100) |
//! | `--eksctl` | `ClusterConfig` | `eksctl.io/v1alpha5` |
//! | `--karpenter` | `NodePool` and `EC2NodeClass`, several YAML documents per file | `karpenter.sh/v1`, `karpenter.k8s.aws/v1` |
//! | `--aws-subnets` | `aws ec2 describe-subnets --output json` | the EC2 API's `Subnets` list |
//! | `--aws-enis` | `aws ec2 describe-network-interfaces --output json` | the EC2 API's `NetworkInterfaces` list |
//! | `--aws-reservations` | `aws ec2 get-subnet-cidr-reservations --subnet-id ID --output json` | `SubnetIpv4CidrReservations` (IPv6 ones listed as not modelled) |
//! | `--aws-vpcs` | `aws ec2 describe-vpcs --output json` | the EC2 API's `Vpcs` list, `CidrBlockAssociationSet` |
//! | `--ecs-services` | `aws ecs describe-services --output json`, several documents per file | the ECS API's `DescribeServices` response |
//! | `--ecs-task-definitions` | `aws ecs describe-task-definition --output json`, several documents per file | the ECS API's `DescribeTaskDefinition` response |
//!
//! Anything else in a file (other resource types, other kinds) is skipped and counted, never an error. A value the
//! plan needs and no input has is one error naming the file, the resource and the flag that supplies it.

mod aws_enis;
mod aws_reservations;
mod aws_subnets;
mod aws_vpcs;
mod ecs;
mod eksctl;
mod karpenter;
mod merge;
mod terraform_plan;

use std::collections::BTreeMap;
use std::fmt;

use ipplan_core::{AddressMode, Catalog, CniVersion};
use thiserror::Error;

use crate::error::PlanError;
use crate::plan::{CniSpec, PlanSpec};

pub use merge::Overrides;

/// The kind of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    /// `aws ec2 describe-subnets --output json` (`--aws-subnets`).
    AwsSubnets,
    /// `aws ec2 describe-network-interfaces --output json` (`--aws-enis`).
    AwsEnis,
    /// `aws ec2 get-subnet-cidr-reservations --output json` (`--aws-reservations`).
    AwsReservations,
    /// `aws ec2 describe-vpcs --output json` (`--aws-vpcs`).
    AwsVpcs,
    /// `terraform show -json` of a plan or a state (`--terraform`).
    Terraform,
    /// An eksctl `ClusterConfig` (`--eksctl`).
    Eksctl,
    /// Karpenter `NodePool`s and `EC2NodeClass`es (`--karpenter`).
    Karpenter,
    /// `aws ecs describe-services --output json` (`--ecs-services`).
    EcsServices,
    /// `aws ecs describe-task-definition --output json` (`--ecs-task-definitions`).
    EcsTaskDefinitions,
}

impl InputKind {
    /// The command-line flag that passes this kind.
    #[must_use]
    pub const fn flag(self) -> &'static str {
        match self {
            Self::AwsSubnets => "--aws-subnets",
            Self::AwsEnis => "--aws-enis",
            Self::AwsReservations => "--aws-reservations",
            Self::AwsVpcs => "--aws-vpcs",
            Self::Terraform => "--terraform",
            Self::Eksctl => "--eksctl",
            Self::Karpenter => "--karpenter",
            Self::EcsServices => "--ecs-services",
            Self::EcsTaskDefinitions => "--ecs-task-definitions",
        }
    }

    /// What the file is, for the header.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::AwsSubnets => "aws ec2 describe-subnets",
            Self::AwsEnis => "aws ec2 describe-network-interfaces",
            Self::AwsReservations => "aws ec2 get-subnet-cidr-reservations",
            Self::AwsVpcs => "aws ec2 describe-vpcs",
            Self::Terraform => "terraform show -json",
            Self::Eksctl => "eksctl ClusterConfig",
            Self::Karpenter => "Karpenter NodePool / EC2NodeClass",
            Self::EcsServices => "aws ecs describe-services",
            Self::EcsTaskDefinitions => "aws ecs describe-task-definition",
        }
    }
}

/// One input file: its kind, its name in messages and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// What it is.
    pub kind: InputKind,
    /// The name used in messages and comments (the path as given).
    pub file: String,
    /// Its contents.
    pub text: String,
}

/// Where a value came from: a file and a resource in the file's own words (`module.vpc.aws_subnet.private[1]`,
/// `NodePool/default spec.limits.cpu`, `managedNodeGroups[0] (ng-general)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    /// The input file.
    pub file: String,
    /// The resource, and the field when it is not the whole resource.
    pub address: String,
}

impl Source {
    pub(crate) fn new(file: &str, address: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            address: address.into(),
        }
    }

    /// The same resource, one field of it.
    pub(crate) fn field(&self, field: &str) -> Self {
        Self {
            file: self.file.clone(),
            address: format!("{} {field}", self.address),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

/// Why an import failed: one line naming the file, the resource and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// An input is not what its flag says, or lacks a value the plan needs.
    #[error("{file}: {resource}: {what} ({fix})")]
    Input {
        /// The input file.
        file: String,
        /// The resource (or the place in the file) the error is about.
        resource: String,
        /// What is wrong.
        what: String,
        /// How to fix it.
        fix: String,
    },
    /// The merged plan breaks a plan rule; the path is in the input's words.
    #[error("{file}: {resource}: {message}")]
    Plan {
        /// The input file the offending value came from.
        file: String,
        /// The resource it came from.
        resource: String,
        /// The plan rule's message (what and fix).
        message: String,
    },
}

impl ImportError {
    pub(crate) fn input(
        file: &str,
        resource: impl Into<String>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::Input {
            file: file.to_string(),
            resource: resource.into(),
            what: what.into(),
            fix: fix.into(),
        }
    }
}

/// A merged import: the plan, where each value came from, and what the importers had to assume.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The plan.
    pub spec: PlanSpec,
    /// Plan path (`subnets[2]`, `node_groups[0].nodes`, `cni.mode`) -> where the value came from.
    pub provenance: BTreeMap<String, Source>,
    /// Every assumption, one sentence each, in input order.
    pub assumptions: Vec<String>,
    /// Per input file, what was skipped (resource type or kind -> how many).
    pub skipped: BTreeMap<String, BTreeMap<String, usize>>,
    /// The inputs, in the order they were read: `(flag, file)`.
    pub inputs: Vec<(InputKind, String)>,
}

/// Read every input, merge them, apply `overrides`, and validate the result with `catalog`.
///
/// Inputs are read by kind (`--aws-subnets`, `--aws-enis`, `--aws-reservations`, `--aws-vpcs`, `--terraform`,
/// `--eksctl`, then `--karpenter`, whose subnet selectors look among the others' subnets, then `--ecs-services`
/// with `--ecs-task-definitions`), each kind in the order given. Reservations are then checked against the
/// subnets, and the VPC of the subnets is chosen among the `--aws-vpcs` ones, before the merge.
///
/// ```
/// use ipplan_planner::import::{Input, InputKind, Overrides, import};
/// let eksctl = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: { name: demo, region: us-west-2 }
/// availabilityZones: [us-west-2a, us-west-2b]
/// managedNodeGroups: [{ name: ng, instanceType: m5.large, maxSize: 4, privateNetworking: true }]\n";
/// let input = Input { kind: InputKind::Eksctl, file: "cluster.yaml".into(), text: eksctl.into() };
/// let imported = import(&[input], &Overrides::default(), &ipplan_core::Catalog::embedded())?;
/// // eksctl's own VPC: 192.168.0.0/16 in /19s, public first, then private
/// assert_eq!(imported.spec.subnets[2].cidr.to_string(), "192.168.64.0/19");
/// assert!(imported.spec.node_groups[0].pods_per_node_max); // pods unknown: planned full
/// # Ok::<(), ipplan_planner::import::ImportError>(())
/// ```
///
/// # Errors
/// An [`ImportError`] naming the file, the resource and the fix.
pub fn import(
    inputs: &[Input],
    overrides: &Overrides,
    catalog: &Catalog,
) -> Result<Imported, ImportError> {
    let mut ordered: Vec<&Input> = inputs.iter().collect();
    ordered.sort_by_key(|i| i.kind); // stable: the given order within a kind
    let mut fragments = Vec::new();
    let (mut reservations, mut vpcs) = (Vec::new(), Vec::new());
    let karpenter: Vec<&Input> = ordered
        .iter()
        .copied()
        .filter(|i| i.kind == InputKind::Karpenter)
        .collect();
    for i in &ordered {
        match i.kind {
            InputKind::AwsSubnets => fragments.push(aws_subnets::read(&i.file, &i.text)?),
            InputKind::AwsEnis => fragments.push(aws_enis::read(
                &i.file,
                &i.text,
                &overrides.exclude_clusters,
            )?),
            InputKind::AwsReservations => {
                reservations.push(fragments.len());
                fragments.push(aws_reservations::read(&i.file, &i.text)?);
            }
            InputKind::AwsVpcs => {
                vpcs.push(fragments.len());
                fragments.push(aws_vpcs::read(&i.file, &i.text)?);
            }
            InputKind::Terraform => fragments.push(terraform_plan::read(&i.file, &i.text)?),
            InputKind::Eksctl => fragments.push(eksctl::read(&i.file, &i.text)?),
            InputKind::Karpenter | InputKind::EcsServices | InputKind::EcsTaskDefinitions => {}
        }
    }
    if !karpenter.is_empty() {
        fragments.extend(karpenter::read(&karpenter, catalog)?);
    }
    let of =
        |k: InputKind| -> Vec<&Input> { ordered.iter().copied().filter(|i| i.kind == k).collect() };
    let (services, task_defs) = (
        of(InputKind::EcsServices),
        of(InputKind::EcsTaskDefinitions),
    );
    if !services.is_empty() || !task_defs.is_empty() {
        fragments.extend(ecs::read(&services, &task_defs)?);
    }
    aws_reservations::settle(&mut fragments, &reservations)?;
    aws_vpcs::settle(&mut fragments, &vpcs)?;
    let flags_present: Vec<InputKind> = ordered.iter().map(|i| i.kind).collect();
    let mut imported = merge::merge(fragments, overrides, &flags_present)?;
    imported.inputs = ordered.iter().map(|i| (i.kind, i.file.clone())).collect();
    crate::Plan::from_spec(imported.spec.clone(), "imported plan", catalog)
        .map_err(|e| imported.plan_error(e))?;
    Ok(imported)
}

impl Imported {
    /// A validation error of the merged plan, in the words of the input its value came from.
    fn plan_error(&self, e: PlanError) -> ImportError {
        let (path, message) = match &e {
            PlanError::Invalid { path, message, .. } => (path.clone(), message.clone()),
            other => (String::new(), other.to_string()),
        };
        // the most specific recorded path that contains the error's
        let mut probe = path.as_str();
        loop {
            if let Some(src) = self.provenance.get(probe) {
                return ImportError::Plan {
                    file: src.file.clone(),
                    resource: src.address.clone(),
                    message,
                };
            }
            match probe.rfind(['.', '[']) {
                Some(i) => probe = &probe[..i],
                None => break,
            }
        }
        let file = self.inputs.first().map_or(String::new(), |i| i.1.clone());
        ImportError::Plan {
            file,
            resource: if path.is_empty() {
                "imported plan".to_string()
            } else {
                path
            },
            message,
        }
    }

    /// The plan YAML the reader accepts, with a header (inputs, assumptions, skipped resources) and each value
    /// commented with where it came from. The same inputs give byte-identical text.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        out.push_str("# ipplan import: a plan built from\n");
        for (kind, file) in &self.inputs {
            out.push_str(&format!(
                "#   {} {file} ({})\n",
                kind.flag(),
                kind.describe()
            ));
        }
        out.push_str("# Check it with `ipplan check`; edit what the assumptions got wrong.\n");
        if !self.assumptions.is_empty() {
            out.push_str("#\n# Assumptions:\n");
            for a in &self.assumptions {
                out.push_str(&format!("#   - {}\n", one_line(a)));
            }
        }
        if !self.skipped.is_empty() {
            out.push_str("#\n# Skipped (not used by the plan):\n");
            for (file, kinds) in &self.skipped {
                let total: usize = kinds.values().sum();
                let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
                out.push_str(&format!(
                    "#   {file}: {total} ({})\n",
                    one_line(&list.join(", "))
                ));
            }
        }
        out.push('\n');
        out.push_str(&annotate(&self.spec.to_yaml(), &self.provenance));
        out
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` (the spec writer's YAML) with ` # source` after each line whose plan path has a recorded source.
///
/// The writer's layout is regular: two spaces per mapping level, sequence items (`- `) at their key's indent.
fn annotate(text: &str, provenance: &BTreeMap<String, Source>) -> String {
    // (indent of the keys of this mapping, path of the mapping)
    let mut maps: Vec<(usize, String)> = vec![(0, String::new())];
    // (indent of the `- `, path of the sequence, next index)
    let mut seqs: Vec<(usize, String, usize)> = Vec::new();
    let mut last_key: Option<(usize, String)> = None;
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let content = line.trim_start();
        let mut path: Option<String> = None;
        if let Some(rest) = content
            .strip_prefix("- ")
            .or((content == "-").then_some(""))
        {
            seqs.retain(|(i, _, _)| *i <= indent);
            maps.retain(|(i, _)| *i <= indent);
            let seq_path = match seqs.last() {
                Some((i, p, _)) if *i == indent => p.clone(),
                _ => {
                    let key = last_key
                        .as_ref()
                        .filter(|(i, _)| *i == indent)
                        .map(|(_, p)| p.clone())
                        .unwrap_or_default();
                    seqs.push((indent, key.clone(), 0));
                    key
                }
            };
            let idx = seqs.last().map_or(0, |s| s.2);
            if let Some(s) = seqs.last_mut() {
                s.2 += 1;
            }
            let item = format!("{seq_path}[{idx}]");
            path = Some(item.clone());
            if let Some((key, _)) = split_key(rest) {
                // the item's first key starts a mapping two columns in
                maps.push((indent + 2, item.clone()));
                last_key = Some((indent + 2, format!("{item}.{key}")));
            }
        } else if let Some((key, _)) = split_key(content) {
            seqs.retain(|(i, _, _)| *i < indent);
            maps.retain(|(i, _)| *i <= indent);
            let parent = maps
                .iter()
                .rev()
                .find(|(i, _)| *i == indent)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let p = if parent.is_empty() {
                key.to_string()
            } else {
                format!("{parent}.{key}")
            };
            last_key = Some((indent, p.clone()));
            maps.push((indent + 2, p.clone()));
            path = Some(p);
        }
        out.push_str(line);
        if let Some(src) = path.as_ref().and_then(|p| provenance.get(p)) {
            out.push_str("  # ");
            out.push_str(&one_line(&src.address));
        }
        out.push('\n');
    }
    out
}

/// `key: value` -> `(key, value)`, for the plain keys the spec writer emits.
fn split_key(s: &str) -> Option<(&str, &str)> {
    let (k, v) = s.split_once(':')?;
    if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    Some((k, v.trim_start()))
}

/// The CNI settings an `aws-node` environment map gives (`ENABLE_PREFIX_DELEGATION`, the warm targets, `MAX_ENI`,
/// custom networking, `ENABLE_POD_ENI`, `ENABLE_SUBNET_DISCOVERY`), each with its source, and the assumptions made
/// on the way.
pub(crate) fn cni_from_env(
    env: &BTreeMap<String, String>,
    src: &Source,
    cni: &mut CniSpec,
    fields: &mut BTreeMap<String, Source>,
    assumptions: &mut Vec<String>,
) -> Result<(), ImportError> {
    let truth = |v: &str| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes");
    let number = |k: &str, v: &str| {
        v.trim().parse::<u32>().map_err(|_| {
            ImportError::input(
                &src.file,
                format!("{} env.{k}", src.address),
                format!("'{v}' is not a whole number"),
                "give the variable a number, as the VPC CNI reads it",
            )
        })
    };
    for (k, v) in env {
        let f = src.field(&format!("env.{k}"));
        let field = match k.as_str() {
            "ENABLE_PREFIX_DELEGATION" => {
                cni.mode = Some(if truth(v) {
                    AddressMode::Prefix
                } else {
                    AddressMode::SecondaryIp
                });
                "mode"
            }
            "WARM_ENI_TARGET" => {
                cni.warm_eni_target = Some(number(k, v)?);
                "warm_eni_target"
            }
            "WARM_IP_TARGET" => {
                cni.warm_ip_target = Some(number(k, v)?);
                "warm_ip_target"
            }
            "MINIMUM_IP_TARGET" => {
                cni.minimum_ip_target = Some(number(k, v)?);
                "minimum_ip_target"
            }
            "WARM_PREFIX_TARGET" => {
                cni.warm_prefix_target = Some(number(k, v)?);
                "warm_prefix_target"
            }
            "MAX_ENI" => {
                // the CNI ignores values below 1
                match number(k, v)? {
                    0 => {
                        assumptions.push(format!(
                            "{}: MAX_ENI={v} is below 1, which the VPC CNI ignores: the instance's limit applies",
                            f.address
                        ));
                        continue;
                    }
                    n => cni.max_eni = Some(n),
                }
                "max_eni"
            }
            "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG" => {
                cni.custom_networking = Some(truth(v));
                "custom_networking"
            }
            "ENABLE_POD_ENI" => {
                cni.pod_security_groups = Some(truth(v));
                "pod_security_groups"
            }
            "ENABLE_SUBNET_DISCOVERY" => {
                // pkg/ipamd/ipamd.go `UseSubnetDiscovery`: `parseBoolEnvVar(envSubnetDiscovery, true)`, Go's
                // strconv.ParseBool, the default true for what it cannot parse
                cni.subnet_discovery = Some(match v.trim() {
                    "0" | "f" | "F" | "false" | "FALSE" | "False" => false,
                    "1" | "t" | "T" | "true" | "TRUE" | "True" => true,
                    _ => {
                        assumptions.push(format!(
                            "{}: ENABLE_SUBNET_DISCOVERY={v} is not a Go boolean: the VPC CNI takes its default, \
                             true",
                            f.address
                        ));
                        true
                    }
                });
                "subnet_discovery"
            }
            _ => continue,
        };
        fields.insert(format!("cni.{field}"), f);
    }
    Ok(())
}

/// `v1.19.2-eksbuild.1` (an EKS add-on version) -> 1.19.2.
pub(crate) fn addon_version(v: &str) -> Option<CniVersion> {
    let core = v.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next()?;
    core.parse().ok()
}

/// Compare addresses with their numbers as numbers: `private[2]` before `private[10]`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (p, q) = (&x[..n], &y[..m]);
                let strip = |s: &[u8]| -> usize { s.iter().take_while(|c| **c == b'0').count() };
                let (p, q) = (&p[strip(p)..], &q[strip(q)..]);
                let o = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// A JSON parse error of `file`, at its line and column, with `fix`.
pub(crate) fn json_error(file: &str, e: &serde_json::Error, fix: &str) -> ImportError {
    ImportError::input(
        file,
        format!("line {} column {}", e.line(), e.column()),
        format!("invalid JSON: {}", without_position(&e.to_string())),
        fix,
    )
}

/// The JSON documents of `file`, one after the other: the AWS CLI's pages (`--no-paginate` output, each with a
/// `NextToken`), or several describe calls' answers in one file. An empty file is an error.
pub(crate) fn documents(
    file: &str,
    text: &str,
    fix: &str,
) -> Result<Vec<serde_json::Value>, ImportError> {
    let mut out = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        out.push(doc.map_err(|e| json_error(file, &e, fix))?);
    }
    if out.is_empty() {
        return Err(ImportError::input(
            file,
            "(top level)",
            "the file is empty",
            fix,
        ));
    }
    Ok(out)
}

/// Where in `file` page `p` (0-based) of `pages` is: `(top level)` when there is one page.
pub(crate) fn page_at(pages: usize, p: usize) -> String {
    if pages == 1 {
        "(top level)".to_string()
    } else {
        format!("page {}", p + 1)
    }
}

/// The items of the `key` list of every page, in order; a page without it is not `command`'s output.
pub(crate) fn listed<'d>(
    file: &str,
    pages: &'d [serde_json::Value],
    key: &str,
    command: &str,
    fix: &str,
) -> Result<Vec<&'d serde_json::Value>, ImportError> {
    let mut out = Vec::new();
    for (p, doc) in pages.iter().enumerate() {
        let Some(list) = doc.get(key).and_then(serde_json::Value::as_array) else {
            return Err(ImportError::input(
                file,
                page_at(pages.len(), p),
                format!("no '{key}' list: not {command} output"),
                fix,
            ));
        };
        out.extend(list);
    }
    Ok(out)
}

/// Strip serde's " at line L column C" from a parser message.
pub(crate) fn without_position(msg: &str) -> String {
    let m = one_line(msg);
    match m.find(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_subnet_discovery_reads_as_go_parses_it() {
        // pkg/ipamd/ipamd.go `UseSubnetDiscovery`: strconv.ParseBool, default true
        let src = Source::new("plan.json", "aws_eks_addon.vpc_cni configuration_values");
        for (v, want, assumed) in [
            ("false", false, 0),
            ("0", false, 0),
            ("True", true, 0),
            ("yes", true, 1),
        ] {
            let env = BTreeMap::from([("ENABLE_SUBNET_DISCOVERY".to_string(), v.to_string())]);
            let (mut cni, mut fields, mut assumptions) =
                (CniSpec::default(), BTreeMap::new(), Vec::new());
            cni_from_env(&env, &src, &mut cni, &mut fields, &mut assumptions).unwrap();
            assert_eq!(cni.subnet_discovery, Some(want), "{v}");
            assert!(fields.contains_key("cni.subnet_discovery"));
            assert_eq!(assumptions.len(), assumed, "{v}");
        }
    }

    #[test]
    fn natural_order_of_indices() {
        let mut v = vec!["a[10]", "a[2]", "a[1]", "b", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["a", "a[1]", "a[2]", "a[10]", "b"]);
    }

    #[test]
    fn addon_versions() {
        assert_eq!(
            addon_version("v1.19.2-eksbuild.1"),
            Some(CniVersion::new(1, 19, 2))
        );
        assert_eq!(addon_version("latest"), None);
    }

    #[test]
    fn annotate_finds_paths() {
        let text = "subnets:\n- name: a\n  az: z\n  cidr: 10.0.0.0/24\nnode_groups:\n- name: g\n  instance_types:\n  - m5.large\n  subnets:\n  - a\n  max_vcpus: 8\n";
        let mut p = BTreeMap::new();
        p.insert("subnets[0]".to_string(), Source::new("f", "aws_subnet.a"));
        p.insert("node_groups[0]".to_string(), Source::new("f", "NodePool/x"));
        p.insert(
            "node_groups[0].max_vcpus".to_string(),
            Source::new("f", "NodePool/x spec.limits.cpu"),
        );
        p.insert(
            "node_groups[0].instance_types".to_string(),
            Source::new("f", "reqs"),
        );
        let out = annotate(text, &p);
        assert!(out.contains("- name: a  # aws_subnet.a\n"), "{out}");
        assert!(out.contains("- name: g  # NodePool/x\n"), "{out}");
        assert!(out.contains("  instance_types:  # reqs\n"), "{out}");
        assert!(
            out.contains("  max_vcpus: 8  # NodePool/x spec.limits.cpu\n"),
            "{out}"
        );
    }
}
