//! The planner as a library: build a plan in code (as Terraform tooling would), check it, and read the answer.
//!
//! Run with: `cargo run -p ipplan-planner --example check_plan`

use ipplan_core::Catalog;
use ipplan_planner::{Layout, Plan, check, compare};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let catalog = Catalog::embedded();
    // The same document an `ipplan check` user writes in YAML, here as JSON built by a program.
    let plan_json = serde_json::json!({
        "cni": { "mode": "secondary-ip", "warm_eni_target": 1 },
        "subnets": [
            { "name": "private-a", "az": "eu-west-1a", "cidr": "10.20.1.0/24" },
            { "name": "private-b", "az": "eu-west-1b", "cidr": "10.20.2.0/24" }
        ],
        "control_plane": { "subnets": ["private-a", "private-b"] },
        "node_groups": [
            { "name": "services", "instance_type": "c6i.large", "subnets": ["private-a", "private-b"],
              "nodes": 30, "pods": 200 }
        ]
    });
    let plan = Plan::from_json_str(&plan_json.to_string(), "generated plan", &catalog)?;
    let report = check(&plan);
    println!("fits: {}", report.fits);
    for s in &report.subnets {
        println!(
            "  {} {}: {} of {} addresses at peak (headroom {})",
            s.name, s.cidr, s.used, s.capacity, s.headroom
        );
    }
    for g in &report.node_groups {
        println!(
            "  {}: max pods {}, {} addresses per node, at most {} nodes",
            g.name, g.max_pods, g.addresses_per_node, g.max_nodes
        );
    }
    if let Some(why) = &report.first_failure {
        println!("first failure: {why}");
    }
    let what_if = compare(&plan, &[Layout::PrefixLen(20), "100.64.0.0/16".parse()?])?;
    for row in &what_if.layouts {
        println!("  {:<36} fits: {}", row.layout, row.fits);
    }
    if let Some(len) = what_if.smallest_prefix_len {
        println!(
            "smallest subnets with {}% headroom: /{len}",
            what_if.headroom_percent
        );
    }
    Ok(())
}
