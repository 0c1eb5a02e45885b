//! Helpers shared by several of this crate's test targets (each includes this file with `mod common;` and
//! uses only some of it).
#![allow(dead_code, reason = "each test target uses only some of these helpers")]

use ipplan_core::Catalog;
use ipplan_planner::import::{Imported, Input, InputKind};
use ipplan_planner::report::Finding;
use ipplan_planner::sim::{NodeState, Simulation};
use ipplan_planner::{Plan, Report};
use proptest::prelude::*;

/// The plan in `yaml` (file name `plan.yaml`), against the embedded instance table; panics with the error.
pub fn plan(yaml: &str) -> Plan {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).unwrap_or_else(|e| panic!("{e}"))
}

/// `f` of each live node of `sim`, in launch order.
pub fn per_node<T>(sim: &Simulation, f: impl Fn(&NodeState) -> T) -> Vec<T> {
    sim.node_states().iter().map(f).collect()
}

/// The addresses subnet `i` holds now: its singles and 16 for each /28 prefix.
pub fn held(sim: &Simulation, i: usize) -> u64 {
    let a = sim.allocator(i).unwrap();
    a.singles_held() + 16 * a.prefixes_held()
}

/// (slots, running, waiting) of the first node once every tick before `t` ran.
pub fn pool_at(sim: &mut Simulation, t: u32) -> (u32, u32, u32) {
    sim.run_until(t);
    let n = &sim.node_states()[0];
    (n.slots, n.pods_running, n.pods_waiting)
}

/// JSON-ish trees (nulls, booleans, numbers in `numbers`, strings, lists and objects, 6 levels deep at most) built
/// from `words`, the keys and values an importer looks for, so that random input reaches deep into it.
pub fn json_tree(
    words: Vec<&'static str>,
    numbers: std::ops::Range<u64>,
) -> impl Strategy<Value = serde_json::Value> {
    let words = prop::sample::select(words);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        numbers.prop_map(serde_json::Value::from),
        words.clone().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(6, 96, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
            prop::collection::btree_map(words.clone().prop_map(str::to_string), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An importer input of `kind` read from `file` holding `text`.
pub fn input(kind: InputKind, file: &str, text: &str) -> Input {
    Input {
        kind,
        file: file.to_string(),
        text: text.to_string(),
    }
}

/// Asserts that one of `imported`'s assumptions satisfies `pred`; the failure lists them all.
#[track_caller]
pub fn assert_assumption(imported: &Imported, pred: impl Fn(&str) -> bool) {
    assert!(
        imported.assumptions.iter().any(|a| pred(a.as_str())),
        "{:?}",
        imported.assumptions
    );
}

/// The `what` of each other consumer of the first imported subnet, in the spec's order.
pub fn first_subnet_consumers(imported: &Imported) -> Vec<&str> {
    imported.spec.subnets[0]
        .other_consumers
        .iter()
        .map(|c| c.what.as_str())
        .collect()
}

/// The first finding of `report` whose kind is `kind`, and its wire form (JSON); panics naming the kind if none.
pub fn finding<'a>(report: &'a Report, kind: &str) -> (&'a Finding, serde_json::Value) {
    let f = report
        .findings
        .iter()
        .find(|f| f.kind_name() == kind)
        .unwrap_or_else(|| panic!("no {kind} finding"));
    (f, serde_json::to_value(f).unwrap())
}
