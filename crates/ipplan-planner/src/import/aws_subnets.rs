//! `aws ec2 describe-subnets --output json` (the EC2 API's `DescribeSubnets` response: `Subnets[]` with
//! `SubnetId`, `CidrBlock`, `AvailabilityZone`, `Tags[]`, the associated block of `Ipv6CidrBlockAssociationSet[]`)
//! -> a fragment of subnets, for configs that name
//! subnets by id (an eksctl config on an existing VPC, a Terraform state, an EC2NodeClass selector).
//!
//! Several pages in one file (`--no-paginate` output, each with a `NextToken`) are read one after the other. Each
//! subnet's `VpcId` is kept for `--aws-vpcs`, which checks the subnet lies in its VPC's blocks.

use std::collections::BTreeMap;

use ipnet::{Ipv4Net, Ipv6Net};
use serde_json::Value;

use crate::import::merge::{FSubnet, Fragment};
use crate::import::{ImportError, Source, documents, listed, natural_cmp};

const FIX: &str = "pass the output of 'aws ec2 describe-subnets --output json'";

/// The subnet's associated IPv6 block (`Ipv6CidrBlockAssociationSet[]`, `Ipv6CidrBlockState.State` `associated`;
/// blocks being associated or gone are not the subnet's yet or any more).
fn ipv6_block(file: &str, address: &str, s: &Value) -> Result<Option<Ipv6Net>, ImportError> {
    let set = s
        .get("Ipv6CidrBlockAssociationSet")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for a in set {
        let state = a
            .get("Ipv6CidrBlockState")
            .and_then(|st| st.get("State"))
            .and_then(Value::as_str);
        if state != Some("associated") {
            continue;
        }
        let Some(block) = a.get("Ipv6CidrBlock").and_then(Value::as_str) else {
            continue;
        };
        return block.parse().map(Some).map_err(|_| {
            ImportError::input(
                file,
                format!("{address} Ipv6CidrBlockAssociationSet"),
                format!("'{block}' is not an IPv6 CIDR"),
                FIX,
            )
        });
    }
    Ok(None)
}

pub(crate) fn read(file: &str, text: &str) -> Result<Fragment, ImportError> {
    let docs = documents(file, text, FIX)?;
    let list = listed(file, &docs, "Subnets", "describe-subnets", FIX)?;
    let mut f = Fragment::new(file);
    for (i, s) in list.iter().enumerate() {
        let get = |k: &str| s.get(k).and_then(Value::as_str);
        let id = get("SubnetId").map(str::to_string);
        let address = id.clone().unwrap_or_else(|| format!("Subnets[{i}]"));
        let Some(cidr) = get("CidrBlock") else {
            f.assumptions.push(format!(
                "{address}: no IPv4 CidrBlock (IPv6-only): left out"
            ));
            continue;
        };
        let cidr: Ipv4Net = cidr.parse().map_err(|_| {
            ImportError::input(
                file,
                format!("{address} CidrBlock"),
                format!("'{cidr}' is not an IPv4 CIDR"),
                FIX,
            )
        })?;
        let tags: BTreeMap<String, String> = s
            .get("Tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some((
                    t.get("Key")?.as_str()?.to_string(),
                    t.get("Value")?.as_str()?.to_string(),
                ))
            })
            .collect();
        if let (Some(id), Some(n)) = (
            &id,
            s.get("AvailableIpAddressCount").and_then(Value::as_u64),
        ) {
            f.available.push((id.clone(), n));
        }
        if let (Some(id), Some(vpc)) = (&id, get("VpcId")) {
            f.subnet_vpcs.push((
                id.clone(),
                vpc.to_string(),
                Source::new(file, address.clone()),
            ));
        }
        f.subnets.push(FSubnet {
            address: address.clone(),
            id,
            name: tags.get("Name").cloned(),
            az: get("AvailabilityZone")
                .or_else(|| get("AvailabilityZoneId"))
                .unwrap_or("unknown-az")
                .to_string(),
            cidr,
            ipv6: ipv6_block(file, &address, s)?,
            tags,
            source: Source::new(file, address),
        });
    }
    f.subnets
        .sort_by(|a, b| natural_cmp(&a.address, &b.address));
    Ok(f)
}
