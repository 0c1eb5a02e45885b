//! `aws ec2 describe-network-interfaces --output json` (the EC2 API's `DescribeNetworkInterfaces` response:
//! `NetworkInterfaces[]` with `NetworkInterfaceId`, `SubnetId`, `InterfaceType`, `Description`, `RequesterId`,
//! `Attachment`, `PrivateIpAddresses[].PrivateIpAddress`, `Ipv4Prefixes[].Ipv4Prefix`, `TagSet`) -> every address
//! and /28 prefix the ENIs hold today, as `other_consumers` with `at:` on their subnets, one per owner.
//!
//! `--exclude-cluster NAME` leaves out the ENIs the VPC CNI tagged `cluster.k8s.amazonaws.com/name = NAME` and
//! every ENI attached to the instances those tags name (`node.k8s.amazonaws.com/instance_id`, or the attachment):
//! the node's primary ENI too, which the CNI does not tag.
//!
//! Several pages in one file (`--no-paginate` output, each with a `NextToken`) are read one after the other.
//!
//! The owner is told from `InterfaceType` first (`lambda`, `nat_gateway`, `load_balancer`,
//! `network_load_balancer`, `gateway_load_balancer`, `vpc_endpoint`, `trunk`/`branch`), then from `Description`
//! (`ELB ...` for Classic and Application Load Balancers, `arn:aws:ecs:...` for ECS tasks in `awsvpc` mode,
//! `Amazon EKS ...` for the EKS control plane's cross-account ENIs, `aws-K8S-...` for the VPC CNI's secondary ENIs),
//! then from the VPC CNI's tags (`node.k8s.amazonaws.com/instance_id`, `cluster.k8s.amazonaws.com/name`), then from
//! an attachment to an instance (`ec2 instance`), else `other`. These are the descriptions and types EC2 and
//! the services write (EC2 API reference `NetworkInterface`; the VPC CNI's `pkg/awsutils/awsutils.go` names its
//! ENIs `aws-K8S-<instance id>` and tags them), the same cues AWS's own subnet-fragmentation tool
//! (awslabs/aws-support-tools `EKS/subnet-fragmentation/subnet_frag.py`, `classify_eni`) reads.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde_json::Value;

use crate::import::merge::{FConsumer, Fragment, SubnetRef};
use crate::import::{ImportError, Source, documents, listed};

const FIX: &str = "pass the output of 'aws ec2 describe-network-interfaces --output json'";

/// The owner category of one ENI (see the module documentation).
fn owner(eni: &Value) -> &'static str {
    let get = |k: &str| eni.get(k).and_then(Value::as_str).unwrap_or("");
    let desc = get("Description");
    match get("InterfaceType") {
        "lambda" => return "lambda",
        "nat_gateway" => return "nat-gateway",
        "load_balancer" | "network_load_balancer" | "gateway_load_balancer" => {
            return "load-balancer";
        }
        "vpc_endpoint" | "gateway_load_balancer_endpoint" => return "vpc-endpoint",
        "trunk" | "branch" => return "eks-node",
        _ => {}
    }
    if desc.starts_with("ELB ") {
        return "load-balancer";
    }
    if desc.starts_with("arn:aws:ecs:") {
        return "ecs-task";
    }
    if desc.starts_with("Amazon EKS") {
        return "eks-control-plane";
    }
    if desc.starts_with("aws-K8S-") {
        return "eks-node";
    }
    if tag(eni, "node.k8s.amazonaws.com/instance_id").is_some()
        || tag(eni, "cluster.k8s.amazonaws.com/name").is_some()
    {
        return "eks-node";
    }
    if instance(eni).is_some() {
        return "ec2-instance";
    }
    "other"
}

/// What one (subnet, owner) pair holds, while reading.
#[derive(Default)]
struct Held {
    /// (address, index into `enis`)
    singles: Vec<(Ipv4Addr, u32)>,
    prefixes: Vec<(Ipv4Net, u32)>,
    enis: Vec<String>,
}

fn tag<'v>(eni: &'v Value, key: &str) -> Option<&'v str> {
    eni.get("TagSet")
        .and_then(Value::as_array)?
        .iter()
        .find(|t| t.get("Key").and_then(Value::as_str) == Some(key))?
        .get("Value")?
        .as_str()
}

fn instance(eni: &Value) -> Option<&str> {
    eni.get("Attachment")
        .and_then(|a| a.get("InstanceId"))
        .and_then(Value::as_str)
}

/// The private addresses and /28 prefixes of one ENI, as listed.
fn addresses(
    file: &str,
    id: &str,
    eni: &Value,
) -> Result<(Vec<Ipv4Addr>, Vec<Ipv4Net>), ImportError> {
    let list = |k: &str| eni.get(k).and_then(Value::as_array).into_iter().flatten();
    let mut singles = Vec::new();
    for a in list("PrivateIpAddresses") {
        let Some(text) = a.get("PrivateIpAddress").and_then(Value::as_str) else {
            continue;
        };
        singles.push(text.parse().map_err(|_| {
            ImportError::input(
                file,
                format!("{id} PrivateIpAddress"),
                format!("'{text}' is not an IPv4 address"),
                FIX,
            )
        })?);
    }
    let mut prefixes = Vec::new();
    for p in list("Ipv4Prefixes") {
        let Some(text) = p.get("Ipv4Prefix").and_then(Value::as_str) else {
            continue;
        };
        prefixes.push(text.parse().map_err(|_| {
            ImportError::input(
                file,
                format!("{id} Ipv4Prefix"),
                format!("'{text}' is not an IPv4 prefix"),
                FIX,
            )
        })?);
    }
    Ok((singles, prefixes))
}

pub(crate) fn read(file: &str, text: &str, exclude: &[String]) -> Result<Fragment, ImportError> {
    let docs = documents(file, text, FIX)?;
    let all = listed(
        file,
        &docs,
        "NetworkInterfaces",
        "describe-network-interfaces",
        FIX,
    )?;
    // the excluded clusters' nodes: instances named by the CNI's tags on their ENIs
    let in_excluded = |eni: &Value| {
        tag(eni, "cluster.k8s.amazonaws.com/name").is_some_and(|c| exclude.iter().any(|x| x == c))
    };
    let nodes: std::collections::BTreeSet<&str> = all
        .iter()
        .filter(|e| in_excluded(e))
        .filter_map(|e| tag(e, "node.k8s.amazonaws.com/instance_id").or_else(|| instance(e)))
        .collect();
    let mut held: BTreeMap<(String, &'static str), Held> = BTreeMap::new();
    let mut left_out = (0usize, 0usize);
    let mut excluded: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    for (n, &eni) in all.iter().enumerate() {
        let item = format!("NetworkInterfaces[{n}]");
        let id = eni
            .get("NetworkInterfaceId")
            .and_then(Value::as_str)
            .unwrap_or(&item)
            .to_string();
        let (singles, prefixes) = addresses(file, &id, eni)?;
        if in_excluded(eni) || instance(eni).is_some_and(|i| nodes.contains(i)) {
            left_out.0 += 1;
            left_out.1 += singles.len() + 16 * prefixes.len();
            if let Some(s) = eni.get("SubnetId").and_then(Value::as_str) {
                let spans = excluded.entry(s.to_string()).or_default();
                spans.extend(singles.iter().map(|&a| (u32::from(a), u32::from(a))));
                spans.extend(
                    prefixes
                        .iter()
                        .map(|p| (u32::from(p.network()), u32::from(p.broadcast()))),
                );
            }
            continue;
        }
        let Some(subnet) = eni.get("SubnetId").and_then(Value::as_str) else {
            return Err(ImportError::input(file, &id, "no SubnetId", FIX));
        };
        let h = held.entry((subnet.to_string(), owner(eni))).or_default();
        let k = h.enis.len() as u32;
        h.singles.extend(singles.into_iter().map(|a| (a, k)));
        h.prefixes.extend(prefixes.into_iter().map(|p| (p, k)));
        h.enis.push(id);
    }
    let mut f = Fragment::new(file);
    f.excluded = excluded;
    if !exclude.is_empty() {
        f.assumptions.push(format!(
            "{file}: --exclude-cluster {}: left out {} ENIs ({} addresses) of {} nodes; the plan's node groups stand for them",
            exclude.join(", "),
            left_out.0,
            left_out.1,
            nodes.len()
        ));
    }
    for ((subnet, what), mut h) in held {
        h.singles.sort_unstable();
        h.singles.dedup_by_key(|x| x.0);
        h.prefixes.sort_unstable();
        h.prefixes.dedup_by_key(|x| x.0);
        let addresses = h.singles.len() as u64 + 16 * h.prefixes.len() as u64;
        if addresses == 0 {
            continue;
        }
        let shown = match h.enis.as_slice() {
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} and {} more {what} ENIs", rest.len()),
            [] => String::new(),
        };
        f.consumers.push(FConsumer {
            subnet: SubnetRef::Id(subnet),
            what: what.to_string(),
            singles: h.singles,
            prefixes: h.prefixes,
            enis: h.enis,
            source: Source::new(file, shown),
        });
    }
    Ok(f)
}

/// `at:` entries for sorted, distinct addresses: runs of consecutive addresses as `a-b` ranges.
pub(crate) fn ranges(singles: &[Ipv4Addr]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < singles.len() {
        let start = u32::from(singles[i]);
        let mut end = start;
        while i + 1 < singles.len() && u32::from(singles[i + 1]) == end + 1 {
            end += 1;
            i += 1;
        }
        out.push(if start == end {
            Ipv4Addr::from(start).to_string()
        } else {
            format!("{}-{}", Ipv4Addr::from(start), Ipv4Addr::from(end))
        });
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_addresses_become_ranges() {
        let a = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        assert_eq!(
            ranges(&[a("10.0.0.5"), a("10.0.0.6"), a("10.0.0.7"), a("10.0.0.9")]),
            ["10.0.0.5-10.0.0.7", "10.0.0.9"]
        );
        assert!(ranges(&[]).is_empty());
    }
}
