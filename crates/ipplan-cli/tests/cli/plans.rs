//! `ipplan check`, `compare` and `terraform` end to end, on the shipped examples. Each example states its expected
//! outcome in a comment line `# Expected: ... exits N`; these tests hold the binary to it.

use std::path::PathBuf;

use crate::{code_and_output, examples_dir, ipplan};
use serde_json::Value;

/// The exit code an example documents for `ipplan check`.
fn documented_exit(text: &str) -> Option<i32> {
    let line = text
        .lines()
        .find(|l| l.starts_with("# Expected:") && l.contains("ipplan check"))?;
    let n = line.split("exits ").nth(1)?.chars().next()?.to_digit(10)?;
    i32::try_from(n).ok()
}

fn plan_examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_example_gives_its_documented_exit_code() {
    let examples = plan_examples();
    assert!(
        examples.len() >= 6,
        "expected the shipped examples, found {examples:?}"
    );
    for path in examples {
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(code) = documented_exit(&text) else {
            panic!(
                "{}: no '# Expected: `ipplan check ...` exits N' line",
                path.display()
            );
        };
        let out = ipplan()
            .arg("check")
            .arg(&path)
            .assert()
            .code(code)
            .get_output()
            .clone();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let verdict = if code == 0 {
            ": fits"
        } else {
            ": DOES NOT FIT"
        };
        assert!(
            stdout.lines().next().unwrap().ends_with(verdict),
            "{}: {stdout}",
            path.display()
        );

        // the JSON report agrees with the exit code
        let out = ipplan()
            .args(["check", "--format", "json"])
            .arg(&path)
            .assert()
            .code(code)
            .get_output()
            .clone();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["schema_version"], 2);
        assert_eq!(v["fits"], code == 0, "{}", path.display());
        assert_eq!(v["basis"], "closed-form");
        // schema 2: the first failure is a finding object (kind, numbers, message), null when it fits
        let first = &v["first_failure"];
        assert_eq!(first.is_null(), code == 0, "{}", path.display());
        if code == 1 {
            assert_eq!(first["severity"], "error");
            for key in ["kind", "subject", "message"] {
                assert!(
                    first[key].is_string(),
                    "{}: first_failure.{key}",
                    path.display()
                );
            }
        }
        for s in v["subnets"].as_array().unwrap() {
            for key in ["name", "capacity", "used", "fits"] {
                assert!(
                    !s[key].is_null(),
                    "{}: subnet without {key}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn check_yaml_output_is_the_same_report() {
    let path = examples_dir().join("ecs-migration-24.yaml");
    let json = ipplan()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let yaml = ipplan()
        .args(["check", "--format", "yaml"])
        .arg(&path)
        .output()
        .unwrap();
    let a: Value = serde_json::from_slice(&json.stdout).unwrap();
    let b: Value = serde_yaml::from_slice(&yaml.stdout).unwrap();
    assert_eq!(a, b);
    // 15 nodes x 20 addresses + 4 for the control plane = 304 of 251 (see the example's comment)
    assert_eq!(a["subnets"][0]["used"], 304);
    assert_eq!(a["subnets"][0]["capacity"], 251);
}

fn one_error_line(args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = ipplan();
    cmd.args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.assert().code(2).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    err.trim_end().to_string()
}

#[test]
fn bad_plans_exit_2_with_file_field_and_fix() {
    let dir = std::env::temp_dir().join(format!("ipplan-plans-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let p = write(
        "typo.yaml",
        "cni: { warm_eni_targt: 1 }\nsubnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]\n",
    );
    assert_eq!(
        one_error_line(&["check", &p], None),
        format!(
            "ipplan: error: {p}: unknown field 'warm_eni_targt' in cni (did you mean 'warm_eni_target'?)"
        )
    );
    let p = write(
        "type.yaml",
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]\nnode_groups: [{ name: g, instance_type: m6i.xlarg, subnets: [a], nodes: 1, pods_per_node: 1 }]\n",
    );
    let e = one_error_line(&["check", &p], None);
    assert!(e.contains("node_groups[0].instance_type"), "{e}");
    assert!(e.contains("did you mean 'm6i.xlarge'?"), "{e}");
    let e = one_error_line(&["check", "/nonexistent/plan.yaml"], None);
    assert!(
        e.contains("cannot read plan file '/nonexistent/plan.yaml'"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn compare_shows_each_layout_and_the_smallest_size() {
    let path = examples_dir().join("ecs-migration-24.yaml");
    let out = ipplan()
        .args([
            "compare",
            "--layout",
            "24",
            "--layout",
            "20",
            "--layout",
            "100.64.0.0/16",
            "--format",
            "json",
        ])
        .arg(&path)
        .assert()
        .code(1) // the plan as written does not fit
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fits: Vec<bool> = v["layouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fits"].as_bool().unwrap())
        .collect();
    assert_eq!(fits, [false, false, true, true]);
    // 304 addresses with 20% headroom need 380 usable: a /23 has 507, a /24 251
    assert_eq!(v["smallest_prefix_len"], 23);

    let human = ipplan()
        .args(["compare", "--layout", "20"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("/20 subnets"), "{text}");
    assert!(text.contains("with 20% headroom: /23"), "{text}");

    let e = one_error_line(&["compare", "--layout", "33", path.to_str().unwrap()], None);
    assert_eq!(
        e,
        "ipplan: error: --layout: layout '33': subnets are /16 to /28: give a prefix length in that range"
    );
}

#[test]
fn terraform_external_protocol() {
    let q = r#"{"instance_type":"c6i.large","subnet_cidrs":"10.0.16.0/20,10.0.32.0/20","nodes":"30","pods":"200","mode":"secondary-ip"}"#;
    let out = ipplan()
        .arg("terraform")
        .write_stdin(q)
        .assert()
        .success()
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let obj = v.as_object().unwrap();
    assert!(
        obj.values().all(Value::is_string),
        "all values must be strings: {v}"
    );
    assert_eq!(v["fits"], "true");
    assert_eq!(v["max_pods"], "29");
    // 15 nodes x 20 = 300 of 4091: the smaller headroom is 3791
    assert_eq!(v["headroom"], "3791");
    let report: Value = serde_json::from_str(v["report_json"].as_str().unwrap()).unwrap();
    assert_eq!(report["fits"], true);

    let e = one_error_line(
        &["terraform"],
        Some(r#"{"instance_type":"c6i.large","subnet_cidrs":"10.0.0.0/24","nodes":"x"}"#),
    );
    assert_eq!(
        e,
        "ipplan: error: terraform query: nodes: 'x' is not a whole number from 0 to 4294967295"
    );
    let e = one_error_line(&["terraform"], Some("not json"));
    assert!(
        e.starts_with("ipplan: error: terraform query: invalid JSON"),
        "{e}"
    );
}

/// The shipped HCL example sends a query `ipplan terraform` accepts: its literal values, `tostring(N)` and the
/// variables' defaults joined with commas, evaluated here by hand.
#[test]
fn terraform_example_query_is_accepted() {
    let v = terraform_example_answer();
    // 33 peak nodes over 2 /24s: 17 x 20 = 340 of 251 (no control plane in the query)
    assert_eq!(v["fits"], "false");
    assert_eq!(v["headroom"], "-89");
}

/// What `ipplan terraform` answers to the shipped example's query.
fn terraform_example_answer() -> Value {
    let tf = std::fs::read_to_string(examples_dir().join("terraform/main.tf")).unwrap();
    let default_list = |var: &str| -> String {
        let start = tf.find(&format!("variable \"{var}\"")).unwrap();
        let line = tf[start..]
            .lines()
            .find(|l| l.trim_start().starts_with("default"))
            .unwrap();
        let inner = line.split('[').nth(1).unwrap().split(']').next().unwrap();
        inner
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .collect::<Vec<_>>()
            .join(",")
    };
    let block = tf
        .split("query = {")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    let mut query = serde_json::Map::new();
    for line in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, expr) = line.split_once('=').unwrap();
        let expr = expr.trim();
        let value = if let Some(n) = expr.strip_prefix("tostring(") {
            n.trim_end_matches(')').to_string()
        } else if let Some(v) = expr.strip_prefix("join(\",\", var.") {
            default_list(v.trim_end_matches(')'))
        } else {
            expr.trim_matches('"').to_string()
        };
        query.insert(key.trim().to_string(), Value::String(value));
    }
    assert!(query.len() >= 8, "{query:?}");
    let out = ipplan()
        .arg("terraform")
        .write_stdin(Value::Object(query).to_string())
        .assert()
        .success()
        .get_output()
        .clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `terraform` and its exit code and output (stdout + stderr, lines joined), run in `dir`.
fn terraform(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    let (code, text) = code_and_output(&out);
    // Terraform wraps long messages and frames them with box characters: keep the words
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| "│╷╵─├".contains(c)))
        .collect();
    (code, words.join(" "))
}

/// The shipped example really fails `terraform plan` when the plan does not fit, and a `check` block would not.
/// Real Terraform runs the example's own HCL, with ipplan's answer to its query in place of the `external` data
/// source (its provider cannot be downloaded here); the gate itself needs no provider.
#[test]
fn terraform_example_fails_the_plan_with_real_terraform() {
    let found = std::process::Command::new("terraform")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: terraform is not on PATH, the example's HCL was not run");
        return;
    }
    let answer = terraform_example_answer();
    let tf = std::fs::read_to_string(examples_dir().join("terraform/main.tf")).unwrap();
    // the example without its data source, reading the same answer from a file
    let start = tf.find("data \"external\" \"ip_plan\"").unwrap();
    let end = start + tf[start..].find("\n}\n").unwrap() + 3;
    let offline = format!("{}{}", &tf[..start], &tf[end..]).replace(
        "data.external.ip_plan.result",
        "jsondecode(file(\"${path.module}/ipplan.json\"))",
    );
    let run = |hcl: &str| {
        let dir = crate::temp_dir();
        std::fs::write(dir.join("main.tf"), hcl).unwrap();
        std::fs::write(dir.join("ipplan.json"), answer.to_string()).unwrap();
        let (init, text) = terraform(&dir, &["init", "-input=false", "-no-color"]);
        assert_eq!(init, 0, "terraform init: {text}");
        let plan = terraform(&dir, &["plan", "-input=false", "-no-color"]);
        let _ = std::fs::remove_dir_all(&dir);
        plan
    };
    let (code, text) = run(&offline);
    assert_eq!(code, 1, "the precondition fails the plan: {text}");
    assert!(text.contains("Resource precondition failed"), "{text}");
    let reason = format!("ipplan: {}", answer["first_failure"].as_str().unwrap());
    assert!(text.contains(&reason), "{reason} in: {text}");
    // the same condition in a check block: a warning, and the plan succeeds
    let gate = offline
        .find("resource \"terraform_data\" \"ip_plan_gate\"")
        .unwrap();
    let gate_end = gate + offline[gate..].find("\n}\n").unwrap() + 3;
    let check = "check \"subnets_hold_pods\" {\n  assert {\n    condition     = local.ip_plan.fits == \"true\"\n    \
                 error_message = \"ipplan: ${local.ip_plan.first_failure}\"\n  }\n}\n";
    let with_check = format!("{}{check}{}", &offline[..gate], &offline[gate_end..]);
    let (code, text) = run(&with_check);
    assert_eq!(code, 0, "a check block does not stop the plan: {text}");
    assert!(text.contains("Check block assertion failed"), "{text}");
}

/// Colour only when asked or on a terminal: `--color always` paints the verdict and the failing rows, `never`
/// and a pipe (as here) do not, and alignment is the same either way.
#[test]
fn colour_on_request_never_in_a_pipe() {
    let plain = crate::run(&["check", &crate::example("ecs-migration-24.yaml")], 1);
    assert!(!plain.contains('\u{1b}'), "no colour in a pipe");
    let never = crate::run(
        &[
            "check",
            "--color",
            "never",
            &crate::example("ecs-migration-24.yaml"),
        ],
        1,
    );
    assert_eq!(never, plain);
    let always = crate::run(
        &[
            "check",
            "--color",
            "always",
            &crate::example("ecs-migration-24.yaml"),
        ],
        1,
    );
    assert!(
        always.contains("\u{1b}[1;31mDOES NOT FIT\u{1b}[0m"),
        "{always}"
    );
    // a failing subnet row is red as a whole; without the codes it is the plain output
    assert!(
        always.contains("\u{1b}[1;31mprivate-a  eu-west-1a"),
        "{always}"
    );
    let stripped = always
        .replace("\u{1b}[1;31m", "")
        .replace("\u{1b}[33m", "")
        .replace("\u{1b}[32m", "")
        .replace("\u{1b}[1m", "")
        .replace("\u{1b}[0m", "");
    assert_eq!(stripped, plain);
}

/// The simulation models IPv4 pools: on an IPv6 plan `simulate` says so in one line; `check` and `report` answer.
#[test]
fn ipv6_plans_are_checked_not_simulated() {
    let plan = crate::temp_file(
        "v6.yaml",
        "cni: { ip_family: ipv6 }\nsubnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]\n\
         node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 50 }]\n",
    );
    let p = plan.display().to_string();
    let e = crate::fails(&["simulate", &p]);
    assert!(
        e.ends_with(
            "cni.ip_family is ipv6, and the simulation models IPv4 address pools (in IPv6 a node \
                         takes one IPv4 address and its pods none): use ipplan check"
        ),
        "{e}"
    );
    crate::run(&["check", &p], 0);
    let html = plan.with_extension("html");
    crate::run(&["report", &p, "-o", &html.display().to_string()], 0);
    assert!(
        std::fs::read_to_string(html)
            .unwrap()
            .contains("not simulated")
    );
}

/// `migration: { overlap: shift }`: the JSON has each step and the worst, the table marks the judged step, and a
/// bad weight is one line, exit 2. The numbers are the example's header.
#[test]
fn the_traffic_shift_is_shown_step_by_step() {
    let p = crate::example("ecs-to-eks-shift.yaml");
    let json: Value = serde_json::from_str(&crate::ok(&["check", &p, "--format", "json"])).unwrap();
    let m = &json["subnets"][0]["migration"];
    assert_eq!(m["overlap"], "shift");
    assert_eq!(
        (m["ecs"].as_u64(), m["parallel"].as_u64()),
        (Some(143), Some(323))
    );
    assert_eq!(m["worst_weight"], 90);
    assert_eq!(m["steps"].as_array().unwrap().len(), 5);
    assert_eq!(
        m["steps"][3],
        serde_json::json!({ "weight": 90, "ecs": 13, "eks": 180, "used": 206, "fits": true })
    );
    assert_eq!(json["subnets"][0]["used"], 206);
    let text = crate::ok(&["check", &p]);
    assert!(
        text.lines().any(|l| l.starts_with("private-a")
            && l.contains("90%")
            && l.ends_with("worst (judged)")),
        "{text}"
    );
    // the full overlap has no steps in the JSON
    let full = crate::run(
        &[
            "check",
            &crate::example("ecs-to-eks.yaml"),
            "--format",
            "json",
        ],
        1,
    );
    assert!(full.contains("\"overlap\": \"full\"") && !full.contains("\"steps\""));
    // a bad weight: one line naming the field and the fix, exit 2
    let text =
        std::fs::read_to_string(crate::examples_dir().join("ecs-to-eks-shift.yaml")).unwrap();
    let bad = crate::temp_file(
        "shift.yaml",
        &text.replace("[5, 20, 50, 90, 100]", "[5, 20, 50, 90]"),
    );
    let e = crate::fails(&["check", &bad.display().to_string()]);
    assert!(
        e.ends_with(
            "migration.weights: end at 90: end with 100, the step where EKS takes all the traffic and ECS runs no tasks"
        ),
        "{e}"
    );
}

/// `pods: 200` on 7 nodes is 4 nodes of 29 and 3 of 28 (200 = 7 x 28 + 4): the node-group table's PODS/NODE says
/// both, not 29 alone.
#[test]
fn pods_per_node_shows_the_lighter_nodes() {
    let plan = crate::temp_file(
        "split.yaml",
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/23 }]\n\
         node_groups: [{ name: g, instance_type: m5.xlarge, subnets: [a], nodes: 7, pods: 200 }]\n",
    );
    let out = crate::run(&["check", &plan.display().to_string()], 0);
    let row = out
        .lines()
        .find(|l| l.starts_with("g ") && l.contains("m5.xlarge"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains(" 29 (3 at 28) "), "{row}");
    // an even split names one count: 196 = 7 x 28
    let even = crate::temp_file(
        "even.yaml",
        "subnets: [{ name: a, az: z1, cidr: 10.0.0.0/23 }]\n\
         node_groups: [{ name: g, instance_type: m5.xlarge, subnets: [a], nodes: 7, pods: 196 }]\n",
    );
    let out = crate::run(&["check", &even.display().to_string()], 0);
    assert!(!out.contains(" at 2"), "{out}");
}
