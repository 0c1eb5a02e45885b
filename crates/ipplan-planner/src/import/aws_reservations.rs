//! `aws ec2 get-subnet-cidr-reservations --subnet-id ID --output json` (the EC2 API's `GetSubnetCidrReservations`
//! response: `SubnetIpv4CidrReservations[]` and `SubnetIpv6CidrReservations[]`, each with
//! `SubnetCidrReservationId`, `SubnetId`, `Cidr`, `ReservationType` `prefix` | `explicit`, `OwnerId`,
//! `Description`, `Tags`) -> each IPv4 reservation in its subnet's `reservations:`.
//!
//! The command takes one subnet at a time; one file may hold the outputs for several subnets, and several pages
//! (`--no-paginate` output, each with a `NextToken`), one JSON document after the other.
//!
//! Before the merge, [`settle`] checks every reservation against the subnets the other inputs list (a subnet no
//! input lists, or a CIDR outside its subnet, is an error naming the file and the reservation id), and moves the
//! ENI addresses `--aws-enis` found inside an *explicit* reservation out of the consumers: the plan counts the
//! whole explicit range out of the budget already (docs/model.md, "Prefixes and /28 fragmentation"). IPv6
//! reservations are listed as not modelled: ipplan plans IPv4 addresses.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde_json::Value;

use crate::import::merge::{FReservation, Fragment, SubnetRef};
use crate::import::{ImportError, Source, documents, page_at};
use crate::plan::ReservationType;

const FIX: &str =
    "pass the output of 'aws ec2 get-subnet-cidr-reservations --subnet-id ID --output json'";

pub(crate) fn read(file: &str, text: &str) -> Result<Fragment, ImportError> {
    let docs = documents(file, text, FIX)?;
    let mut f = Fragment::new(file);
    let mut v6: Vec<String> = Vec::new();
    let mut n = 0usize;
    for (p, doc) in docs.iter().enumerate() {
        let v4 = doc.get("SubnetIpv4CidrReservations");
        let v6_list = doc.get("SubnetIpv6CidrReservations");
        if v4.is_none() && v6_list.is_none() {
            return Err(ImportError::input(
                file,
                page_at(docs.len(), p),
                "no 'SubnetIpv4CidrReservations' list: not get-subnet-cidr-reservations output",
                FIX,
            ));
        }
        for r in v4.and_then(Value::as_array).into_iter().flatten() {
            let item = format!("SubnetIpv4CidrReservations[{n}]");
            n += 1;
            let get = |k: &str| r.get(k).and_then(Value::as_str);
            let id = get("SubnetCidrReservationId").unwrap_or(&item).to_string();
            let Some(subnet) = get("SubnetId") else {
                return Err(ImportError::input(file, &id, "no SubnetId", FIX));
            };
            let Some(text) = get("Cidr") else {
                return Err(ImportError::input(file, &id, "no Cidr", FIX));
            };
            let cidr: Ipv4Net = text.parse().map_err(|_| {
                ImportError::input(
                    file,
                    format!("{id} Cidr"),
                    format!("'{text}' is not an IPv4 CIDR"),
                    FIX,
                )
            })?;
            let kind = match get("ReservationType") {
                Some("prefix") => ReservationType::Prefix,
                Some("explicit") => ReservationType::Explicit,
                other => {
                    return Err(ImportError::input(
                        file,
                        format!("{id} ReservationType"),
                        format!(
                            "{} is not 'prefix' or 'explicit'",
                            other.map_or_else(|| "nothing".to_string(), |t| format!("'{t}'"))
                        ),
                        FIX,
                    ));
                }
            };
            f.reservations.push(FReservation {
                subnet: SubnetRef::Id(subnet.to_string()),
                cidr,
                kind,
                source: Source::new(file, id),
            });
        }
        for r in v6_list.and_then(Value::as_array).into_iter().flatten() {
            let id = r
                .get("SubnetCidrReservationId")
                .and_then(Value::as_str)
                .unwrap_or("(no id)");
            v6.push(id.to_string());
        }
    }
    if !v6.is_empty() {
        let shown = match v6.as_slice() {
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} and {} more", rest.len()),
            [] => String::new(),
        };
        f.assumptions.push(format!(
            "{file}: {} IPv6 subnet CIDR reservations ({shown}) are not modelled: ipplan plans IPv4 addresses",
            v6.len()
        ));
    }
    Ok(f)
}

/// Check the `--aws-reservations` fragments against every fragment's subnets, and take the ENI addresses inside
/// explicit reservations out of the consumers (see the module documentation).
pub(crate) fn settle(fragments: &mut [Fragment], mine: &[usize]) -> Result<(), ImportError> {
    let mut cidr_of: HashMap<String, Ipv4Net> = HashMap::new();
    for f in fragments.iter() {
        for s in &f.subnets {
            if let Some(id) = &s.id {
                cidr_of.entry(id.clone()).or_insert(s.cidr);
            }
        }
    }
    // explicit reservations per subnet id
    let mut explicit: HashMap<String, Vec<(Ipv4Net, Source)>> = HashMap::new();
    for f in mine.iter().filter_map(|&i| fragments.get(i)) {
        for r in &f.reservations {
            let SubnetRef::Id(subnet) = &r.subnet else {
                continue;
            };
            let Some(cidr) = cidr_of.get(subnet) else {
                return Err(ImportError::input(
                    &r.source.file,
                    &r.source.address,
                    format!(
                        "its subnet '{subnet}' is in no --aws-subnets page (nor any other input)"
                    ),
                    "pass that subnet's describe-subnets output with --aws-subnets",
                ));
            };
            if !cidr.contains(&r.cidr) {
                return Err(ImportError::input(
                    &r.source.file,
                    &r.source.address,
                    format!("Cidr {} is outside its subnet {subnet} ({cidr})", r.cidr),
                    "pass describe-subnets and get-subnet-cidr-reservations output of the same VPC",
                ));
            }
            if r.kind == ReservationType::Explicit {
                explicit
                    .entry(subnet.clone())
                    .or_default()
                    .push((r.cidr, r.source.clone()));
            }
        }
    }
    if explicit.is_empty() {
        return Ok(());
    }
    let mut notes = Vec::new();
    for f in fragments.iter_mut() {
        for c in &mut f.consumers {
            let SubnetRef::Id(subnet) = &c.subnet else {
                continue;
            };
            let Some(ranges) = explicit.get(subnet) else {
                continue;
            };
            let inside = |a: Ipv4Addr| ranges.iter().any(|(r, _)| r.contains(&a));
            let before = c.singles.len() + 16 * c.prefixes.len();
            c.singles.retain(|&(a, _)| !inside(a));
            // a prefix reaching into an explicit reservation: its addresses outside it stay, as singles
            let mut split = Vec::new();
            c.prefixes.retain(|&(p, k)| {
                let touches = ranges
                    .iter()
                    .any(|(r, _)| r.contains(&p.network()) || p.contains(&r.network()));
                if touches {
                    split.extend(
                        (u32::from(p.network())..=u32::from(p.broadcast()))
                            .map(Ipv4Addr::from)
                            .filter(|&a| !inside(a))
                            .map(|a| (a, k)),
                    );
                }
                !touches
            });
            if !split.is_empty() {
                c.singles.extend(split);
                c.singles.sort_unstable();
            }
            let after = c.singles.len() + 16 * c.prefixes.len();
            if after < before {
                let names: Vec<String> = ranges
                    .iter()
                    .map(|(r, s)| format!("{} ({r})", s.address))
                    .collect();
                notes.push(format!(
                    "{subnet}: {} addresses of {} ENIs lie in the explicit reservation {}, counted out of the \
                     budget as a whole: left out of that consumer's at",
                    before - after,
                    c.what,
                    names.join(", ")
                ));
            }
        }
        // the consumers of an importer keep their own order; a consumer left empty goes
        f.consumers
            .retain(|c| !c.singles.is_empty() || !c.prefixes.is_empty());
    }
    if let Some(f) = mine.first().and_then(|&i| fragments.get_mut(i)) {
        f.assumptions.extend(notes);
    }
    Ok(())
}
