//! Benchmarks live in `benches/`; this library holds the input generators they share.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// `aws ec2 describe-subnets` and `describe-network-interfaces` output of a VPC with `subnets` /20s (from
/// 10.0.0.0, 3 AZs) and `enis` ENIs spread evenly over them: each ENI one primary and 0 to 3 secondary addresses,
/// every fifth also one /28 prefix. Deterministic.
#[must_use]
pub fn aws_vpc(subnets: u32, enis: u32) -> (String, String) {
    let mut s = String::from("{\"Subnets\": [\n");
    for i in 0..subnets {
        let base = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + i * 4096;
        let _ = write!(
            s,
            "{}{{\"AvailabilityZone\": \"eu-west-1{}\", \"CidrBlock\": \"{}/20\", \"SubnetId\": \"subnet-{i:017x}\", \
             \"VpcId\": \"vpc-0f1e2d3c4b5a69788\", \"State\": \"available\", \"Tags\": [{{\"Key\": \"Name\", \"Value\": \"s{i}\"}}]}}",
            if i == 0 { "" } else { ",\n" },
            ['a', 'b', 'c'][(i % 3) as usize],
            Ipv4Addr::from(base)
        );
    }
    s.push_str("\n]}\n");
    let mut e = String::from("{\"NetworkInterfaces\": [\n");
    let per = enis.div_ceil(subnets.max(1)).max(1);
    for n in 0..enis {
        let i = n / per;
        let k = n % per;
        // 8 addresses per ENI slot from .16 on; prefixes from the top half of the /20
        let base = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + i * 4096;
        let first = base + 16 + k * 8;
        let secondary = n % 4;
        let mut addrs = String::new();
        for j in 0..=secondary {
            let _ = write!(
                addrs,
                "{}{{\"Primary\": {}, \"PrivateIpAddress\": \"{}\"}}",
                if j == 0 { "" } else { ", " },
                j == 0,
                Ipv4Addr::from(first + j)
            );
        }
        let prefix = if n % 5 == 0 {
            format!(
                ", \"Ipv4Prefixes\": [{{\"Ipv4Prefix\": \"{}/28\"}}]",
                Ipv4Addr::from(base + 2048 + (k / 5) * 16)
            )
        } else {
            String::new()
        };
        let _ = write!(
            e,
            "{}{{\"NetworkInterfaceId\": \"eni-{n:017x}\", \"SubnetId\": \"subnet-{i:017x}\", \
             \"InterfaceType\": \"interface\", \"Description\": \"aws-K8S-i-{n:017x}\", \"Status\": \"in-use\", \
             \"PrivateIpAddresses\": [{addrs}]{prefix}}}",
            if n == 0 { "" } else { ",\n" }
        );
    }
    e.push_str("\n]}\n");
    (s, e)
}
