//! The planner as a library: build a plan in code (as Terraform tooling would), check it, and read the answer.
//!
//! Run with: `cargo run -p ipplan-planner --example check_plan`

use ipplan_core::Catalog;
use ipplan_planner::plan::{ControlPlaneSpec, NodeGroupSpec, SubnetSpec};
use ipplan_planner::{Layout, Plan, PlanSpec, check, compare};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let catalog = Catalog::embedded();
    // The same plan an `ipplan check` user writes in YAML, built as plain data: a PlanSpec is the one way in.
    let subnet = |name: &str, az: &str, cidr: &str| -> Result<SubnetSpec, ipnet::AddrParseError> {
        Ok(SubnetSpec {
            name: name.into(),
            az: az.into(),
            cidr: cidr.parse()?,
            ipv6_cidr: None,
            role: None,
            reservations: vec![],
            other_consumers: vec![],
            tags: Default::default(),
        })
    };
    let spec = PlanSpec {
        subnets: vec![
            subnet("private-a", "eu-west-1a", "10.20.1.0/24")?,
            subnet("private-b", "eu-west-1b", "10.20.2.0/24")?,
        ],
        control_plane: Some(ControlPlaneSpec {
            subnets: vec!["private-a".into(), "private-b".into()],
            enis: None,
        }),
        node_groups: vec![NodeGroupSpec {
            name: "services".into(),
            instance_type: "c6i.large".into(),
            subnets: vec!["private-a".into(), "private-b".into()],
            nodes: 30,
            pods: Some(200),
            ..NodeGroupSpec::default()
        }],
        ..PlanSpec::default()
    };
    // What a tool would commit: the plan YAML the reader accepts.
    print!("{}", spec.to_yaml());
    let plan = Plan::from_spec(spec, "generated plan", &catalog)?;
    let report = check(&plan);
    println!("fits: {}", report.fits());
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
    if let Some(why) = &report.verdict.first_failure {
        println!(
            "first failure ({}): {}: {}",
            why.kind_name(),
            why.subject,
            why.message
        );
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
