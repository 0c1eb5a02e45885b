//! The big simulation input shared by `benches/sim.rs` and `examples/sim_5000.rs`: 5,000 nodes over 12 /16
//! subnets in 3 AZs, 500,000 pods (100 per node) deployed at once, then 5,000,000 pod replacements (100,000 a
//! minute from 10 min to 60 min), 60 simulated minutes. Prefix mode runs m5.xlarge (100 pods: 8 prefixes, one
//! ENI); secondary-IP mode m5.4xlarge (100 pods: ceil(100/29) + 1 = 5 ENIs, 145 secondary IPs).

use ipplan_core::Catalog;
use ipplan_planner::{Plan, Scenario};

/// Nodes, pods and replacements of the big scenario.
pub const NODES: u32 = 5_000;
/// Pods in all (100 per node).
pub const PODS: u32 = 500_000;
/// Pod replacements: 100,000 a minute for 50 minutes.
#[allow(dead_code)] // used by the bench, not the example
pub const REPLACEMENTS: u64 = 5_000_000;

/// The plan YAML (generated: 12 subnets).
pub fn yaml(mode: &str) -> String {
    let mut subnets = String::new();
    let mut names = Vec::new();
    for i in 0..12 {
        let az = ["a", "b", "c"][i % 3];
        subnets.push_str(&format!(
            "  - {{ name: s{i}, az: eu-west-1{az}, cidr: 10.{}.0.0/16 }}\n",
            100 + i
        ));
        names.push(format!("s{i}"));
    }
    let instance = if mode == "prefix" {
        "m5.xlarge"
    } else {
        "m5.4xlarge"
    };
    format!(
        "cni: {{ mode: {mode} }}
subnets:
{subnets}node_groups:
  - {{ name: big, instance_type: {instance}, subnets: [{}], nodes: {NODES}, pods: {PODS} }}
simulate:
  duration: 60m
  seed: 1
  events:
    - {{ at: 0s, scale: {{ node_group: big, nodes: {NODES} }} }}
    - {{ at: 0s, deploy: {{ node_group: big, pods: {PODS} }} }}
    - {{ at: 10m, churn: {{ node_group: big, per_minute: 100000, until: 60m }} }}
",
        names.join(", ")
    )
}

/// The plan and its scenario.
pub fn plan(mode: &str) -> (Plan, Scenario) {
    let plan = Plan::from_yaml_str(&yaml(mode), "sim-5000.yaml", &Catalog::embedded())
        .expect("valid plan");
    let scenario = plan.scenario();
    (plan, scenario)
}
