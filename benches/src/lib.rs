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

/// `count` /16 subnets `s0`, `s1`, ... (10.100.0.0/16 on) in 3 AZs, as a plan's `subnets:` list, and their
/// names for a node group.
fn wide_subnets(count: u32) -> (String, String) {
    let mut subnets = String::new();
    let mut names = Vec::new();
    for i in 0..count {
        let az = ["a", "b", "c"][(i % 3) as usize];
        let _ = writeln!(
            subnets,
            "  - {{ name: s{i}, az: eu-west-1{az}, cidr: 10.{}.0.0/16 }}",
            100 + i
        );
        names.push(format!("s{i}"));
    }
    (subnets, names.join(", "))
}

/// Subnets for `nodes` m5.large nodes in secondary-IP mode: each holds 20 addresses (its primary ENI and one
/// warm ENI, 2 x (1 + 9)), the nodes of a rolling update's surge on top, and room to spare.
fn subnets_for(nodes: u32) -> u32 {
    // 65,536 addresses a /16: 2,000 nodes (40,000 addresses) each
    nodes.div_ceil(2_000).max(3)
}

/// A rolling update of `nodes` m5.large nodes with 10 pods each (secondary-IP mode, WARM_ENI_TARGET=1): they
/// launch and fill at 0 s, and from 10 min one old node is terminated and one new launched every tick (5 s;
/// `surge: 1`; each drained node terminates 60 s after its drain and its replacement launches then): the
/// update takes about `5 * nodes` seconds, and the run ends 10 minutes after it.
#[must_use]
pub fn rolling_update_yaml(nodes: u32) -> String {
    let (subnets, names) = wide_subnets(subnets_for(nodes));
    let pods = 10 * nodes;
    let duration = 600 + 60 + 5 * nodes + 600;
    format!(
        "subnets:
{subnets}node_groups:
  - {{ name: g, instance_type: m5.large, subnets: [{names}], nodes: {nodes}, pods: {pods} }}
simulate:
  duration: {duration}s
  seed: 1
  events:
    - {{ at: 0s, scale: {{ node_group: g, nodes: {nodes} }} }}
    - {{ at: 0s, deploy: {{ node_group: g, pods: {pods} }} }}
    - {{ at: 10m, rolling_update: {{ node_group: g, surge: 1, drain_seconds: 5 }} }}
"
    )
}

/// `nodes` m5.large nodes with 10 pods each (as [`rolling_update_yaml`]) launched at 0 s and scaled to 0 at
/// 10 min: every node terminates in that tick (a scale-down does not drain), its pods go back to the scheduler
/// (no node is left for them).
#[must_use]
pub fn scale_to_zero_yaml(nodes: u32) -> String {
    let (subnets, names) = wide_subnets(subnets_for(nodes));
    let pods = 10 * nodes;
    format!(
        "subnets:
{subnets}node_groups:
  - {{ name: g, instance_type: m5.large, subnets: [{names}], nodes: {nodes}, pods: {pods} }}
simulate:
  seed: 1
  events:
    - {{ at: 0s, scale: {{ node_group: g, nodes: {nodes} }} }}
    - {{ at: 0s, deploy: {{ node_group: g, pods: {pods} }} }}
    - {{ at: 10m, scale: {{ node_group: g, nodes: 0 }} }}
"
    )
}

/// A week over `subnets` /24 subnets (3 AZs): one node group across all of them, one m5.large node per subnet
/// with 10 pods, and 1 pod replacement a minute per node for the whole 7 days (timeline sampled every minute:
/// 10,081 rows of `subnets` subnets).
#[must_use]
pub fn week_yaml(subnets: u32) -> String {
    let mut list = String::new();
    let mut names = Vec::new();
    for i in 0..subnets {
        let az = ["a", "b", "c"][(i % 3) as usize];
        let _ = writeln!(
            list,
            "  - {{ name: s{i}, az: eu-west-1{az}, cidr: 10.{}.{}.0/24 }}",
            i / 256,
            i % 256
        );
        names.push(format!("s{i}"));
    }
    let names = names.join(", ");
    let pods = 10 * subnets;
    format!(
        "subnets:
{list}node_groups:
  - {{ name: g, instance_type: m5.large, subnets: [{names}], nodes: {subnets}, pods: {pods} }}
simulate:
  duration: 7d
  seed: 1
  events:
    - {{ at: 0s, scale: {{ node_group: g, nodes: {subnets} }} }}
    - {{ at: 0s, deploy: {{ node_group: g, pods: {pods} }} }}
    - {{ at: 10m, churn: {{ node_group: g, per_minute: {subnets} }} }}
"
    )
}

/// A `terraform show -json`-shaped plan of `groups` managed node groups of `max` m5.large nodes each over 3
/// subnets of 3 /16 VPC blocks, subnet ids unknown and wired through `configuration` references, as Terraform
/// writes them.
#[must_use]
pub fn terraform_plan(groups: usize, max: u32) -> String {
    let mut planned = String::new();
    for i in 0..3 {
        let _ = write!(
            planned,
            r#"{{"address":"aws_subnet.private[{i}]","mode":"managed","type":"aws_subnet","name":"private","index":{i},"values":{{"cidr_block":"10.{i}.0.0/16","availability_zone":"eu-west-1{}","tags":{{"Name":"private-{i}"}}}}}},"#,
            ["a", "b", "c"][i]
        );
    }
    for i in 0..groups {
        let _ = write!(
            planned,
            r#"{{"address":"aws_eks_node_group.ng[\"g{i}\"]","mode":"managed","type":"aws_eks_node_group","name":"ng","index":"g{i}","values":{{"node_group_name":"g{i}","instance_types":["m5.large"],"scaling_config":[{{"desired_size":1,"max_size":{max},"min_size":1}}]}}}},"#
        );
    }
    planned.pop();
    let config = r#"{"address":"aws_eks_node_group.ng","mode":"managed","type":"aws_eks_node_group","name":"ng","expressions":{"subnet_ids":{"references":["aws_subnet.private"]}}}"#;
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{"resources":[{planned}]}}}},"configuration":{{"root_module":{{"resources":[{config}]}}}}}}"#
    )
}
