//! Helpers shared by several of this crate's test targets (each includes this file with `mod common;` and
//! uses only some of it).
#![allow(dead_code, reason = "each test target uses only some of these helpers")]

use ipplan_core::Catalog;
use ipplan_planner::Plan;
use ipplan_planner::sim::{NodeState, Simulation};

/// The plan in `yaml` (file name `plan.yaml`), against the embedded instance table; panics with the error.
pub fn plan(yaml: &str) -> Plan {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).unwrap_or_else(|e| panic!("{e}"))
}

/// `f` of each live node of `sim`, in launch order.
pub fn per_node<T>(sim: &Simulation, f: impl Fn(&NodeState) -> T) -> Vec<T> {
    sim.node_states().iter().map(f).collect()
}

/// (slots, running, waiting) of the first node once every tick before `t` ran.
pub fn pool_at(sim: &mut Simulation, t: u32) -> (u32, u32, u32) {
    sim.run_until(t);
    let n = &sim.node_states()[0];
    (n.slots, n.pods_running, n.pods_waiting)
}
