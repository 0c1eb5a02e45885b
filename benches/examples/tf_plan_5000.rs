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
//! The plan is `ipplan_benches::terraform_plan`, the generator whose import and check numbers
//! crates/ipplan-cli/tests/cli/import.rs (`a_5000_node_plan_imports_and_checks`) asserts.

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
    let text = ipplan_benches::terraform_plan(groups, max);
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("cannot write {path}: {e}");
        std::process::exit(2);
    }
}
