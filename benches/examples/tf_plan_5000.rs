//! Write a `terraform show -json`-shaped plan of 5,000 nodes (50 managed node groups x 100 m5.large over 3 /16
//! subnets, subnet ids unknown and wired through `configuration` references) for timing `ipplan import` and
//! `ipplan check` with the release binary:
//!
//! ```sh
//! cargo run --release -p ipplan-benches --example tf_plan_5000 -- /tmp/plan5000.json [GROUPS MAX_SIZE]
//! cargo build --release -p ipplan-cli
//! time (target/release/ipplan import --terraform /tmp/plan5000.json --out /tmp/p.yaml && target/release/ipplan check /tmp/p.yaml)
//! ```
//!
//! The same shape as `big_plan` in crates/ipplan-cli/tests/cli/import.rs, whose test checks the numbers.

use std::fmt::Write as _;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "plan5000.json".to_string());
    // optional: GROUPS MAX_SIZE (default 50 x 100; `5000 1` gives 5,000 one-node groups, 5,000 resources)
    let arg = |i: usize, d: u32| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(d)
    };
    let (groups, max) = (arg(2, 50) as usize, arg(3, 100));
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
    let text = format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{"resources":[{planned}]}}}},"configuration":{{"root_module":{{"resources":[{config}]}}}}}}"#
    );
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("cannot write {path}: {e}");
        std::process::exit(2);
    }
}
