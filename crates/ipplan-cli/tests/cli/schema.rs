//! `ipplan schema` and the shipped `schema/plan.schema.json`: fresh, valid for every shipped example, and in
//! agreement with the plan reader (unknown keys, enums, durations, max pods) on hand-written plans.

use std::path::Path;

use ipplan_planner::PlanSpec;

use crate::{examples_dir, ok};

fn shipped() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schema/plan.schema.json"
    ))
    .expect("schema/plan.schema.json is shipped")
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&shipped()).unwrap();
    jsonschema::validator_for(&schema).expect("the shipped schema is a valid JSON Schema")
}

/// YAML text as the JSON value an editor validates (merge keys applied, as the reader does).
fn yaml_to_json(text: &str) -> serde_json::Value {
    let mut v: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    v.apply_merge().unwrap();
    serde_json::to_value(v).unwrap()
}

/// The schema's errors for `yaml`, one string each (empty: valid).
fn schema_errors(v: &jsonschema::Validator, yaml: &str) -> Vec<String> {
    v.iter_errors(&yaml_to_json(yaml))
        .map(|e| format!("{} at '{}'", e, e.instance_path()))
        .collect()
}

fn example_plans() -> Vec<std::path::PathBuf> {
    let mut plans: Vec<_> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    plans.sort();
    assert!(plans.len() >= 5, "examples: {plans:?}");
    plans
}

#[test]
fn shipped_schema_is_what_ipplan_schema_prints() {
    assert_eq!(
        shipped(),
        ok(&["schema"]),
        "schema/plan.schema.json is stale: run `cargo run -p ipplan-cli -- schema > schema/plan.schema.json`"
    );
}

#[test]
fn schema_is_draft_07_and_closed_everywhere() {
    let s: serde_json::Value = serde_json::from_str(&shipped()).unwrap();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["required"], serde_json::json!(["subnets"]));
    // every object schema with properties forbids other keys (unknown keys are errors in the reader)
    fn walk(v: &serde_json::Value, path: &str, objects: &mut usize) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("properties") {
                    *objects += 1;
                    assert_eq!(
                        m.get("additionalProperties"),
                        Some(&serde_json::Value::Bool(false)),
                        "{path} accepts unknown keys"
                    );
                }
                for (k, c) in m {
                    walk(c, &format!("{path}/{k}"), objects);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    walk(c, &format!("{path}/{i}"), objects);
                }
            }
            _ => {}
        }
    }
    let mut objects = 0;
    walk(&s, "#", &mut objects);
    // plan, vpc, cni, subnet, reservation, consumer, control plane, node group, simulate, event, 6 event bodies,
    // ECS service, migration
    assert_eq!(objects, 18);
}

#[test]
fn every_shipped_example_validates() {
    let v = validator();
    for plan in example_plans() {
        let text = std::fs::read_to_string(&plan).unwrap();
        let errors = schema_errors(&v, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", plan.display());
    }
}

#[test]
fn misspelt_keys_are_rejected_by_the_schema_and_the_reader() {
    let v = validator();
    let base = std::fs::read_to_string(examples_dir().join("fragmentation-sim.yaml")).unwrap();
    assert!(base.contains("\nnode_groups:\n") && base.contains("pods_per_node:"));
    for (from, to, key) in [
        ("\nnode_groups:\n", "\nnode_group:\n", "node_group"),
        ("pods_per_node:", "pods_per_nod:", "pods_per_nod"),
        ("\nsubnets:\n", "\nsubnet:\n", "subnet"),
    ] {
        let bad = base.replacen(from, to, 1);
        let errors = schema_errors(&v, &bad);
        assert!(
            errors.iter().any(|e| e.contains(&format!("'{key}'"))),
            "{key}: {errors:#?}"
        );
        let e = PlanSpec::from_yaml_str(&bad, "p.yaml").unwrap_err();
        assert!(
            e.to_string().contains(&format!("unknown field '{key}'")),
            "{e}"
        );
    }
}

/// Plans the reader takes or refuses for the shape of a value; the schema must say the same of each.
#[test]
fn schema_and_reader_agree_on_values() {
    let v = validator();
    let subnet = "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]\n";
    let group = |extra: &str| {
        format!(
            "{subnet}node_groups: [{{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 10{extra} }}]\n"
        )
    };
    let sim = |body: &str| format!("{}simulate:\n{body}\n", group(""));
    let event = |e: &str| sim(&format!("  events:\n    - {e}"));
    let cases: Vec<(String, bool)> = vec![
        (subnet.to_string(), true),
        ("{}".to_string(), false),
        ("subnets: []\n".to_string(), true),
        ("subnets:\n".to_string(), false), // required, and null counts as missing
        (format!("{subnet}vpc: {{ cidrs: [10.0.0.0/16] }}\n"), true),
        (format!("{subnet}vpc: {{ cidrs: [10.0.0.0/33] }}\n"), false),
        (format!("{subnet}vpc: {{ cidrs: ['10.0.0/16'] }}\n"), false),
        (format!("{subnet}vpc: {{ cidrs: }}\n"), true),
        (format!("{subnet}vpc:\n"), true),
        ("subnets: [{ name: a, az: z, cidr: ' 10.0.0.0/24 ' }]\n".to_string(), true),
        ("subnets: [{ name: '  ', az: z, cidr: 10.0.0.0/24 }]\n".to_string(), false),
        ("subnets: [{ name: a, cidr: 10.0.0.0/24 }]\n".to_string(), false),
        ("subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, role: pods }]\n".to_string(), true),
        ("subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, role: pod }]\n".to_string(), false),
        (
            "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, reservations: [{ cidr: 10.0.0.0/25, type: prefix }] }]\n"
                .to_string(),
            true,
        ),
        (
            "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, reservations: [{ cidr: 10.0.0.0/25, type: implicit }] }]\n"
                .to_string(),
            false,
        ),
        (
            "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, other_consumers: [{ what: alb, addresses: 8 }] }]\n"
                .to_string(),
            true,
        ),
        (
            "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, other_consumers: [{ what: alb, addresses: -1 }] }]\n"
                .to_string(),
            false,
        ),
        (format!("{subnet}cni: {{ mode: prefix, version: '1.19.0' }}\n"), true),
        (format!("{subnet}cni: {{ version: v1.18.3-eksbuild.1 }}\n"), true),
        (format!("{subnet}cni: {{ version: 1.10 }}\n"), false), // a number loses its trailing zero
        (format!("{subnet}cni: {{ version: '1.x' }}\n"), false),
        (format!("{subnet}cni: {{ mode: prefix-delegation }}\n"), false),
        (format!("{subnet}cni: {{ custom_networking: 'yes' }}\n"), false),
        (format!("{subnet}cni: {{ max_eni: 0 }}\n"), false),
        (format!("{subnet}cni: {{ warm_ip_target: 0 }}\n"), true),
        (format!("{subnet}control_plane: {{ subnets: [a] }}\n"), true),
        (format!("{subnet}control_plane: {{ enis: 2 }}\n"), false),
        (format!("{subnet}headroom_percent: 1000\n"), true),
        (format!("{subnet}headroom_percent: 1001\n"), false),
        (group(""), true),
        (group(", max_pods: auto"), true),
        (group(", max_pods: 110"), true),
        (group(", max_pods: 0"), false),
        (group(", max_pods: '110'"), false),
        (group(", max_pods: automatic"), false),
        (group(", surge: 0"), true),
        (group(", pods_per_nod: 3"), false),
        (
            format!("{subnet}node_groups: [{{ name: g, instance_type: m5.large, subnets: [a], nodes: 0 }}]\n"),
            false,
        ),
        (sim(""), true),
        (sim("  duration: 90m\n  tick: 5\n  sample: 1h30m\n  seed: 7"), true),
        (sim("  duration: ten minutes"), false),
        (sim("  duration: 5m3"), false),
        (sim("  duration: -5"), false),
        (sim("  placement: lowest\n  pod_addresses: packed"), true),
        (sim("  placement: highest"), false),
        (sim("  pod_addresses: sparse"), false),
        (sim("  seeds: 3"), false),
        (event("{ at: 0, scale: { node_group: g, nodes: 3 } }"), true),
        (event("{ at: 10m, deploy: { node_group: g, pods: 30, arrival: one-by-one } }"), true),
        (event("{ at: 10m, deploy: { node_group: g, pods: 30, arrival: trickle } }"), false),
        (event("{ at: 0, churn: { node_group: g, per_minute: 2.5, until: 1h } }"), true),
        (event("{ at: 0, churn: { node_group: g, per_minute: -1 } }"), false),
        (event("{ at: 0, rolling_update: { node_group: g } }"), true),
        (event("{ at: 0, rolling_update: { node_group: g, surge: 0 } }"), false),
        (event("{ at: 0, switch_mode: { node_group: g, mode: prefix } }"), true),
        (event("{ at: 0, switch_mode: { node_group: g } }"), false),
        (event("{ scale: { node_group: g, nodes: 3 } }"), false),
        (event("{ at: 0 }"), false),
        (
            event("{ at: 0, scale: { node_group: g, nodes: 3 }, deploy: { node_group: g, pods: 1 } }"),
            false,
        ),
        (event("{ at: 0, scale: { node_group: g, nodes: 3, when: 1 } }"), false),
        (event("{ at: 0, drain: { node_group: g } }"), false),
    ];
    for (yaml, reader_takes_it) in &cases {
        let read = PlanSpec::from_yaml_str(yaml, "p.yaml");
        assert_eq!(
            read.is_ok(),
            *reader_takes_it,
            "the reader on\n{yaml}\n{read:?}"
        );
        let errors = schema_errors(&v, yaml);
        assert_eq!(
            errors.is_empty(),
            *reader_takes_it,
            "the schema on\n{yaml}\nerrors: {errors:#?}\nreader: {read:?}"
        );
    }
}

#[test]
fn json_plans_validate_too() {
    // The reader takes JSON with the same fields: the same schema applies.
    let v = validator();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ecs-migration-20.yaml");
    let spec = PlanSpec::from_yaml_str(&std::fs::read_to_string(plan).unwrap(), "p.yaml").unwrap();
    let json = serde_json::to_value(&spec).unwrap();
    assert!(v.is_valid(&json), "{json}");
}
