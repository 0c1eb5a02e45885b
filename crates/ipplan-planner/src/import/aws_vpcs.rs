//! `aws ec2 describe-vpcs --output json` (the EC2 API's `DescribeVpcs` response: `Vpcs[]` with `VpcId`,
//! `CidrBlock` (the primary block), `CidrBlockAssociationSet[]` with `CidrBlock` and `CidrBlockState.State`,
//! `Ipv6CidrBlockAssociationSet`, `Tags`) -> the plan's `vpc.cidrs`: the primary block first, then the other
//! blocks whose association is `associated`, in the order EC2 lists them.
//!
//! Several pages in one file (`--no-paginate` output, each with a `NextToken`) are read one after the other.
//!
//! describe-vpcs lists every VPC of the region; the plan models one. [`settle`] picks the VPC the imported
//! subnets name (describe-subnets' `VpcId`), or the only one listed, and checks each subnet lies inside that VPC's
//! blocks: a subnet outside is an error naming its file and its id. The plan uses `vpc.cidrs` as when written by
//! hand: every subnet must lie inside a block, blocks must not overlap, more than 5 blocks (the default quota) and
//! a 198.19.0.0/16 block beside an RFC 1918 primary are warned about, and `advise` proposes new subnets in the
//! blocks' free ranges.

use std::collections::{BTreeSet, HashMap};

use ipnet::Ipv4Net;
use serde_json::Value;

use crate::import::merge::{FVpc, Fragment};
use crate::import::{ImportError, Source, documents, listed};

const FIX: &str = "pass the output of 'aws ec2 describe-vpcs --output json'";

pub(crate) fn read(file: &str, text: &str) -> Result<Fragment, ImportError> {
    let docs = documents(file, text, FIX)?;
    let mut f = Fragment::new(file);
    for (n, v) in listed(file, &docs, "Vpcs", "describe-vpcs", FIX)?
        .into_iter()
        .enumerate()
    {
        let item = format!("Vpcs[{n}]");
        let id = v
            .get("VpcId")
            .and_then(Value::as_str)
            .unwrap_or(&item)
            .to_string();
        let parse = |text: &str, field: &str| -> Result<Ipv4Net, ImportError> {
            text.parse().map_err(|_| {
                ImportError::input(
                    file,
                    format!("{id} {field}"),
                    format!("'{text}' is not an IPv4 CIDR"),
                    FIX,
                )
            })
        };
        let primary = v
            .get("CidrBlock")
            .and_then(Value::as_str)
            .map(|t| parse(t, "CidrBlock"))
            .transpose()?;
        let mut cidrs: Vec<Ipv4Net> = primary.into_iter().collect();
        let mut left_out: Vec<String> = Vec::new();
        let set = v.get("CidrBlockAssociationSet").and_then(Value::as_array);
        for (k, a) in set.into_iter().flatten().enumerate() {
            let Some(text) = a.get("CidrBlock").and_then(Value::as_str) else {
                continue;
            };
            let cidr = parse(text, &format!("CidrBlockAssociationSet[{k}].CidrBlock"))?;
            let state = a
                .get("CidrBlockState")
                .and_then(|s| s.get("State"))
                .and_then(Value::as_str)
                .unwrap_or("(no state)");
            if state != "associated" {
                cidrs.retain(|c| *c != cidr);
                left_out.push(format!("{cidr} ({state})"));
            } else if !cidrs.contains(&cidr) {
                cidrs.push(cidr);
            }
        }
        if !left_out.is_empty() {
            f.assumptions.push(format!(
                "{file}: {id}: blocks not associated are left out of vpc.cidrs: {}",
                left_out.join(", ")
            ));
        }
        let v6 = v
            .get("Ipv6CidrBlockAssociationSet")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        f.vpcs.push(FVpc {
            id: id.clone(),
            cidrs,
            ipv6_blocks: v6,
            source: Source::new(file, id),
        });
    }
    Ok(f)
}

/// Pick the VPC of the imported subnets among the `--aws-vpcs` fragments (`mine`), check the subnets lie in its
/// blocks, and give its blocks as the plan's `vpc.cidrs` (see the module documentation).
pub(crate) fn settle(fragments: &mut [Fragment], mine: &[usize]) -> Result<(), ImportError> {
    let Some(&first) = mine.first() else {
        return Ok(());
    };
    let mut vpcs: Vec<FVpc> = Vec::new();
    for f in mine.iter().filter_map(|&i| fragments.get(i)) {
        for v in &f.vpcs {
            if !vpcs.iter().any(|x| x.id == v.id) {
                vpcs.push(v.clone());
            }
        }
    }
    let file = fragments[first].file.clone();
    let mut cidr_of: HashMap<&str, Ipv4Net> = HashMap::new();
    for f in fragments.iter() {
        for s in &f.subnets {
            if let Some(id) = &s.id {
                cidr_of.entry(id.as_str()).or_insert(s.cidr);
            }
        }
    }
    // (subnet id, vpc id, source), every subnet once
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut members: Vec<(&str, &str, &Source)> = Vec::new();
    for f in fragments.iter() {
        for (s, v, src) in &f.subnet_vpcs {
            if seen.insert(s.as_str()) {
                members.push((s.as_str(), v.as_str(), src));
            }
        }
    }
    let chosen: &FVpc = match members.first() {
        Some(&(subnet, vpc, src)) => {
            if let Some(&(other, other_vpc, other_src)) = members.iter().find(|(_, v, _)| *v != vpc)
            {
                return Err(ImportError::input(
                    &other_src.file,
                    other,
                    format!(
                        "is in {other_vpc}, but {subnet} ({}) is in {vpc}: the plan models one VPC",
                        src.file
                    ),
                    format!(
                        "pass the subnets of one VPC ('aws ec2 describe-subnets --filters Name=vpc-id,Values={vpc}')"
                    ),
                ));
            }
            let Some(v) = vpcs.iter().find(|v| v.id == vpc) else {
                return Err(ImportError::input(
                    &src.file,
                    subnet,
                    format!("its VPC {vpc} is in no --aws-vpcs page"),
                    format!(
                        "pass 'aws ec2 describe-vpcs --vpc-ids {vpc} --output json' with --aws-vpcs"
                    ),
                ));
            };
            v
        }
        None => match vpcs.as_slice() {
            [one] => one,
            [] => {
                return Err(ImportError::input(
                    &file,
                    "(top level)",
                    "no VPC listed",
                    "pass describe-vpcs output that lists the subnets' VPC",
                ));
            }
            many => {
                return Err(ImportError::input(
                    &file,
                    "(top level)",
                    format!(
                        "{} VPCs listed and no describe-subnets VpcId tells which one the plan is in",
                        many.len()
                    ),
                    "pass one VPC ('aws ec2 describe-vpcs --vpc-ids ID'), or the subnets with --aws-subnets",
                ));
            }
        },
    };
    if chosen.cidrs.is_empty() {
        return Err(ImportError::input(
            &chosen.source.file,
            &chosen.id,
            "no associated IPv4 CIDR block",
            FIX,
        ));
    }
    for &(subnet, _, src) in members.iter().filter(|(_, v, _)| *v == chosen.id) {
        let Some(cidr) = cidr_of.get(subnet) else {
            continue;
        };
        if !chosen.cidrs.iter().any(|b| b.contains(cidr)) {
            let blocks: Vec<String> = chosen.cidrs.iter().map(ToString::to_string).collect();
            return Err(ImportError::input(
                &src.file,
                subnet,
                format!(
                    "its CidrBlock {cidr} lies outside the associated blocks of its VPC {} ({}) in {}",
                    chosen.id,
                    blocks.join(", "),
                    chosen.source.file
                ),
                "pass describe-subnets and describe-vpcs output of the same VPC, taken together",
            ));
        }
    }
    let chosen = chosen.clone();
    let f = &mut fragments[first];
    for (k, c) in chosen.cidrs.iter().enumerate() {
        let field = if k == 0 {
            "CidrBlock".to_string()
        } else {
            format!("CidrBlockAssociationSet ({c})")
        };
        f.vpc_cidrs.push((
            *c,
            Source::new(&chosen.source.file, format!("{} {field}", chosen.id)),
        ));
    }
    f.assumptions.push(format!(
        "{}: vpc.cidrs from {} ({} IPv4 blocks); advise proposes new subnets in their free ranges, knowing only the \
         imported subnets as taken",
        chosen.source.file,
        chosen.id,
        chosen.cidrs.len()
    ));
    if chosen.ipv6_blocks > 0 {
        f.assumptions.push(format!(
            "{}: {}'s {} IPv6 blocks are not modelled at the VPC level (a subnet's /64 is its ipv6_cidr)",
            chosen.source.file, chosen.id, chosen.ipv6_blocks
        ));
    }
    Ok(())
}
