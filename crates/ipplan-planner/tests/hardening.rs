//! Input as people produce it and input meant to hurt, through every door (YAML, JSON, the Terraform query):
//! each case with its input and the exact one-line error, or the number it now gives.

use std::time::Instant;

use ipplan_core::Catalog;
use ipplan_planner::{Plan, PlanError, PlanSpec, terraform_run};

const OK_YAML: &str = "\
subnets:
  - { name: a, az: us-east-1a, cidr: 10.0.0.0/24 }
node_groups:
  - { name: web, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 20 }
";

const OK_JSON: &str = r#"{"subnets": [{"name": "a", "az": "us-east-1a", "cidr": "10.0.0.0/24"}],
 "node_groups": [{"name": "web", "instance_type": "m5.large", "subnets": ["a"], "nodes": 3, "pods_per_node": 20}]}"#;

fn yaml(text: &str) -> Result<Plan, PlanError> {
    Plan::from_yaml_str(text, "plan.yaml", &Catalog::embedded())
}

fn json(text: &str) -> Result<Plan, PlanError> {
    Plan::from_json_str(text, "plan.json", &Catalog::embedded())
}

fn yaml_err(text: &str) -> String {
    yaml(text).unwrap_err().to_string()
}

fn json_err(text: &str) -> String {
    json(text).unwrap_err().to_string()
}

fn tf_err(query: &str) -> String {
    terraform_run(query, &Catalog::embedded())
        .unwrap_err()
        .to_string()
}

const TF_OK: &str = r#"{"instance_type": "c6i.large", "subnet_cidrs": "10.0.1.0/24,10.0.2.0/24", "nodes": "30", "pods": "200"}"#;

// ---- 1. bounded input ------------------------------------------------------------------------------------

#[test]
fn a_plan_over_16_mib_is_refused_before_parsing() {
    let big = format!("{OK_YAML}# {}\n", "x".repeat(PlanError::MAX_PLAN_BYTES));
    let t = Instant::now();
    assert_eq!(
        yaml_err(&big),
        format!(
            "plan.yaml: {} bytes is more than the 16 MiB a plan may have: split it, or check that this is the plan file",
            big.len()
        )
    );
    assert!(t.elapsed().as_millis() < 1000);
    let big_json = format!("{}{}", OK_JSON, " ".repeat(PlanError::MAX_PLAN_BYTES));
    assert!(
        json_err(&big_json).starts_with("plan.json: 16777"),
        "{}",
        json_err(&big_json)
    );
    assert!(
        tf_err(&format!("{TF_OK}{}", " ".repeat(PlanError::MAX_PLAN_BYTES)))
            .starts_with("terraform query: 16777")
    );
    // exactly at the bound is read
    let pad = PlanError::MAX_PLAN_BYTES - OK_YAML.len() - 3;
    let at = format!("{OK_YAML}# {}\n", "x".repeat(pad));
    assert_eq!(at.len(), PlanError::MAX_PLAN_BYTES);
    assert!(yaml(&at).is_ok());
}

#[test]
fn deep_nesting_is_refused_in_one_pass() {
    // 160 KB of `{a: ` took 3.7 s in the YAML parser (17.6 s for `{a: "}", b: `); the pre-scan sees depth 65
    // at once
    for text in [
        "{a: ".repeat(40_000),
        "{a: \"}\", b: ".repeat(40_000),
        "[".repeat(160_000),
    ] {
        let t = Instant::now();
        assert_eq!(
            yaml_err(&text),
            "plan.yaml: invalid YAML: nested more than 64 levels deep at line 1 (counting [ and {): a plan needs at \
             most 5, write it with fewer brackets"
        );
        assert!(t.elapsed().as_millis() < 500, "{:?}", t.elapsed());
    }
    assert_eq!(
        json_err(&format!("{}{}", "[".repeat(65), "]".repeat(65))),
        "plan.json: invalid JSON: nested more than 64 levels deep at line 1 (counting [ and {): a plan needs at \
         most 5, write it with fewer brackets"
    );
    assert_eq!(
        tf_err(&"{\"a\": ".repeat(100)),
        "terraform query: invalid JSON: nested more than 64 levels deep at line 1 (counting [ and {): a plan needs \
         at most 5, write it with fewer brackets"
    );
    // 64 levels are parsed (and then rejected for what they say)
    let text = format!("x: {}1{}\n", "[".repeat(64), "]".repeat(64));
    assert!(
        yaml_err(&text).starts_with("plan.yaml: unknown field 'x'"),
        "{}",
        yaml_err(&text)
    );
    // brackets inside quoted strings, comments and block scalars are not nesting
    let text = format!(
        "{OK_YAML}# {open}\nheadroom_percent: 20 # {open}\nsimulate:\n  events: []\n",
        open = "[".repeat(100)
    );
    assert!(yaml(&text).is_ok(), "{:?}", yaml(&text).err());
}

// ---- 3. inputs as people produce them ---------------------------------------------------------------------

#[test]
fn a_utf8_byte_order_mark_is_accepted_everywhere() {
    // Notepad, PowerShell 7's Out-File -Encoding utf8BOM and Excel's "CSV UTF-8" start with EF BB BF
    assert!(yaml(&format!("\u{feff}{OK_YAML}")).is_ok());
    assert!(json(&format!("\u{feff}{OK_JSON}")).is_ok());
    assert!(PlanSpec::from_str_auto(&format!("\u{feff}{OK_JSON}"), "plan.json").is_ok());
    let out = terraform_run(&format!("\u{feff}{TF_OK}"), &Catalog::embedded()).unwrap();
    assert_eq!(out["addresses_per_node"], "20");
}

#[test]
fn utf16_text_gets_an_encoding_hint() {
    // UTF-16LE without a BOM reads as ASCII with a NUL after every byte
    let utf16: String = OK_YAML.chars().flat_map(|c| [c, '\0']).collect();
    let want = "the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8";
    assert_eq!(yaml_err(&utf16), format!("plan.yaml: {want}"));
    assert_eq!(json_err(&utf16), format!("plan.json: {want}"));
    assert_eq!(tf_err(&utf16), format!("terraform query: {want}"));
}

#[test]
fn duplicate_keys_in_json_are_an_error_as_in_yaml() {
    // serde_json keeps the last of a repeated key: the first `nodes` would be dropped without a word
    let text = OK_JSON.replace("\"nodes\": 3,", "\"nodes\": 3, \"nodes\": 30,");
    assert_eq!(
        json_err(&text),
        "plan.json: invalid JSON: node_groups[0]: duplicate key 'nodes' (keep one) at line 2 column 99"
    );
    assert_eq!(
        json_err(r#"{"subnets": [], "subnets": []}"#),
        "plan.json: invalid JSON: duplicate key 'subnets' (keep one) at line 1 column 25"
    );
    // YAML says the same thing its own way
    assert_eq!(
        yaml_err("subnets:\n  - {name: a, name: b}\n"),
        "plan.yaml: invalid YAML: subnets[0]: duplicate entry with key \"name\" at line 2 column 5"
    );
    // the Terraform query too
    let q = TF_OK.replace("\"nodes\": \"30\"", "\"nodes\": \"3\", \"nodes\": \"30\"");
    assert_eq!(
        tf_err(&q),
        "terraform query: invalid JSON: duplicate key 'nodes' (keep one) at line 1 column 95"
    );
    // key order is the file's: the first unknown key is reported
    assert_eq!(
        json_err(r#"{"zz": 1, "aa": 2, "subnets": []}"#),
        "plan.json: unknown field 'zz' at the top level (known fields: vpc, cni, subnets, control_plane, \
         node_groups, headroom_percent, simulate, ecs_services, migration)"
    );
}

// ---- 5. ranges AWS refuses, and addresses other tools read differently -------------------------------------

#[test]
fn leading_zeros_in_an_address_are_an_error_not_decimal() {
    // ipnet reads 010.0.0.0/24 as 10.0.0.0/24; inet_aton and tools built on it read 010 as octal 8
    assert_eq!(
        yaml_err(&OK_YAML.replace("cidr: 10.0.0.0/24", "cidr: 010.0.0.0/24")),
        "plan.yaml: subnets[0].cidr: invalid CIDR '010.0.0.0/24': '010' has a leading zero, which some tools read \
         as octal: write '10.0.0.0/24' (or the octal value's decimal, if that is what you meant)"
    );
    assert_eq!(
        yaml_err(&OK_YAML.replace("cidr: 10.0.0.0/24", "cidr: 10.0.00.0/024")),
        "plan.yaml: subnets[0].cidr: invalid CIDR '10.0.00.0/024': '00' has a leading zero, which some tools read \
         as octal: write '10.0.0.0/24' (or the octal value's decimal, if that is what you meant)"
    );
    assert_eq!(
        json_err(&OK_JSON.replace("\"10.0.0.0/24\"", "\"10.0.0.0/08\"")),
        "plan.json: subnets[0].cidr: invalid CIDR '10.0.0.0/08': '08' has a leading zero, which some tools read \
         as octal: write '10.0.0.0/8' (or the octal value's decimal, if that is what you meant)"
    );
    assert_eq!(
        tf_err(&TF_OK.replace("10.0.2.0/24", "10.0.02.0/24")),
        "terraform query: subnet_cidrs: item 2 '10.0.02.0/24': '02' has a leading zero, which some tools read as \
         octal: write '10.0.2.0/24' (or the octal value's decimal, if that is what you meant)"
    );
    // a lone 0 is fine, and anything else malformed keeps its message
    assert!(yaml(&OK_YAML.replace("10.0.0.0/24", "100.64.0.0/24")).is_ok());
    assert_eq!(
        yaml_err(&OK_YAML.replace("cidr: 10.0.0.0/24", "cidr: 10.0.0/24")),
        "plan.yaml: subnets[0].cidr: invalid CIDR '10.0.0/24': expected an IPv4 network such as 10.0.0.0/24"
    );
    assert_eq!(
        tf_err(&TF_OK.replace("10.0.2.0/24", "10.0.2.0")),
        "terraform query: subnet_cidrs: item 2 '10.0.2.0' is not an IPv4 CIDR such as 10.0.1.0/24"
    );
}

#[test]
fn special_purpose_ranges_are_refused_with_the_reason() {
    let fix =
        "use a private range such as 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10";
    let cases = [
        ("0.0.0.0/24", "0.0.0.0/8, \"this network\" (RFC 1122)"),
        ("127.0.0.0/24", "127.0.0.0/8, loopback (RFC 1122)"),
        (
            "169.254.0.0/24",
            "169.254.0.0/16, link-local (RFC 3927; instance metadata and DNS live there)",
        ),
        ("224.0.0.0/24", "224.0.0.0/4, multicast (RFC 5771)"),
        ("239.255.255.0/24", "224.0.0.0/4, multicast (RFC 5771)"),
        (
            "240.0.0.0/24",
            "240.0.0.0/4, reserved (RFC 1112) and broadcast",
        ),
        (
            "255.255.255.240/28",
            "240.0.0.0/4, reserved (RFC 1112) and broadcast",
        ),
    ];
    for (cidr, why) in cases {
        assert_eq!(
            yaml_err(&OK_YAML.replace("10.0.0.0/24", cidr)),
            format!(
                "plan.yaml: subnets[0].cidr: '{cidr}' is in {why}, which AWS does not allow for subnets: {fix}"
            )
        );
    }
    assert_eq!(
        yaml_err(&format!("vpc: {{cidrs: [127.0.0.0/16]}}\n{OK_YAML}")),
        format!(
            "plan.yaml: vpc.cidrs[0]: '127.0.0.0/16' is in 127.0.0.0/8, loopback (RFC 1122), which AWS does not \
             allow for VPC blocks: {fix}"
        )
    );
    assert_eq!(
        tf_err(&TF_OK.replace("10.0.2.0/24", "169.254.2.0/24")),
        format!(
            "terraform query: subnet_cidrs (item 2): '169.254.2.0/24' is in 169.254.0.0/16, link-local (RFC 3927; \
             instance metadata and DNS live there), which AWS does not allow for subnets: {fix}"
        )
    );
    // the neighbours are fine: public ranges are allowed in a VPC, as are 100.64.0.0/10 and 198.19.0.0/16
    for cidr in [
        "1.0.0.0/24",
        "126.255.255.0/24",
        "128.0.0.0/24",
        "169.253.0.0/24",
        "223.255.255.0/24",
        "198.19.0.0/24",
    ] {
        assert!(
            yaml(&OK_YAML.replace("10.0.0.0/24", cidr)).is_ok(),
            "{cidr}"
        );
    }
}

// ---- 2. integers: bounded where they are read, the bound in the message -----------------------------------

/// OK_YAML with `cni:` settings and node-group fields added.
fn with(cni: &str, group: &str) -> String {
    let mut t = OK_YAML.replace(
        "pods_per_node: 20 }",
        &format!("pods_per_node: 20{group} }}"),
    );
    if !cni.is_empty() {
        t = format!("cni: {{ {cni} }}\n{t}");
    }
    t
}

#[test]
fn cni_targets_and_max_eni_are_at_most_65535() {
    let warm = "no node holds that many (the largest EC2 types: 24 ENIs x 63 secondary IPs, x 16 as prefixes): give \
                the number per node you mean";
    for field in [
        "warm_eni_target",
        "warm_ip_target",
        "minimum_ip_target",
        "warm_prefix_target",
    ] {
        assert_eq!(
            yaml_err(&with(&format!("{field}: 268435456"), "")),
            format!("plan.yaml: cni.{field}: 268435456 is more than 65535: {warm}")
        );
        assert!(
            yaml(&with(&format!("{field}: 65535"), "")).is_ok(),
            "{field}"
        );
    }
    assert_eq!(
        yaml_err(&with("max_eni: 65536", "")),
        "plan.yaml: cni.max_eni: 65536 is more than 65535: no instance type has that many ENIs (the most is 24): give \
         the cap you mean, or leave it unset"
    );
    // the Terraform door gets the same bound, named in the query's words
    let q = TF_OK.replace(
        "\"pods\": \"200\"",
        "\"pods\": \"200\", \"warm_prefix_target\": \"268435456\", \"mode\": \"prefix\"",
    );
    assert_eq!(
        tf_err(&q),
        format!("terraform query: warm_prefix_target: 268435456 is more than 65535: {warm}")
    );
}

#[test]
fn node_counts_are_bounded_so_peak_sums_cannot_wrap() {
    let vpc = "more nodes than the largest VPC (50 blocks of /16) has addresses: give the peak node count";
    let per_node =
        "more pods than a kubelet runs on one node: give the pods per node that need an address";
    let base = OK_YAML.replace("nodes: 3, pods_per_node: 20", "NODES");
    let g = |s: &str| yaml_err(&base.replace("NODES", s));
    assert_eq!(
        g("nodes: 4294967295, pods_per_node: 1"),
        format!("plan.yaml: node_groups[0].nodes: 4294967295 is more than 3276800: {vpc}")
    );
    assert_eq!(
        g("nodes: 1, surge: 4294967295, pods_per_node: 1"),
        format!("plan.yaml: node_groups[0].surge: 4294967295 is more than 3276800: {vpc}")
    );
    assert_eq!(
        g("nodes: 1, pods_per_node: 65536"),
        format!("plan.yaml: node_groups[0].pods_per_node: 65536 is more than 65535: {per_node}")
    );
    assert_eq!(
        g("nodes: 1, pods_per_node: 1, host_network_pods: 4294967295"),
        format!(
            "plan.yaml: node_groups[0].host_network_pods: 4294967295 is more than 65535: {per_node}"
        )
    );
    assert_eq!(
        g("nodes: 1, pods_per_node: 1, max_pods: 100000"),
        format!("plan.yaml: node_groups[0].max_pods: 100000 is more than 65535: {per_node}")
    );
    assert_eq!(
        g("nodes: 3, pods: 4294967295"),
        format!(
            "plan.yaml: node_groups[0].pods: 4294967295 pods over 3 nodes is 1431655765 per node, more than 65535: {per_node}"
        )
    );
    // nodes + surge and pods x nodes: 65535 x 3276800 x 2 would wrap u32 (and saturate in the simulation's deploy)
    assert_eq!(
        g("nodes: 3276800, surge: 3276800, pods_per_node: 65535"),
        "plan.yaml: node_groups[0].pods_per_node: 65535 pods per node on 6553600 nodes (nodes + surge) is \
         429490176000 pods, more than 4294967295: lower the pods or the nodes"
    );
    assert_eq!(
        g("nodes: 100000, surge: 100, pods: 4294967295"),
        "plan.yaml: node_groups[0].pods: 42950 pods per node on 100100 nodes (nodes + surge) is 4299295000 pods, \
         more than 4294967295: lower the pods or the nodes"
    );
    // the bounds themselves are accepted, and check() on them does not overflow (tests run with overflow checks)
    let plan = yaml(&base.replace(
        "NODES",
        "nodes: 3276800, surge: 3276800, pods_per_node: 655",
    ))
    .unwrap();
    let r = ipplan_planner::check(&plan);
    // m5.large holds max pods 29: 3 ENIs x 9 secondary IPs + 3 primaries = 30 addresses a node; 251 / 30 = 8
    assert_eq!(r.node_groups[0].max_nodes, 8);
    assert_eq!(r.node_groups[0].peak_nodes, 6_553_600);
}

#[test]
fn other_consumers_are_at_most_the_subnet() {
    let text = OK_YAML.replace(
        "cidr: 10.0.0.0/24 }",
        "cidr: 10.0.0.0/24, other_consumers: [{what: alb, addresses: 4294967296}] }",
    );
    assert_eq!(
        yaml_err(&text),
        "plan.yaml: subnets[0].other_consumers[0].addresses: 4294967296 is more than the 256 addresses of the \
         subnet (10.0.0.0/24): give the addresses it takes at peak"
    );
    assert!(yaml(&text.replace("4294967296", "256")).is_ok());
    let q = TF_OK.replace(
        "\"pods\": \"200\"",
        "\"pods\": \"200\", \"other_consumers_per_subnet\": \"257\"",
    );
    assert_eq!(
        tf_err(&q),
        "terraform query: other_consumers_per_subnet: 257 is more than the 256 addresses of the subnet \
         (10.0.1.0/24): give the addresses it takes at peak"
    );
}

#[test]
fn scenario_times_and_counts_are_bounded() {
    let long = "that is longer than the longest simulation (7d, in seconds): give a shorter time";
    let sim = |s: &str| yaml_err(&format!("{OK_YAML}simulate: {s}\n"));
    assert_eq!(
        sim("{ wait_threshold: 4294967295 }"),
        format!("plan.yaml: simulate.wait_threshold: 4294967295 is more than 604800: {long}")
    );
    assert_eq!(
        sim("{ sample: 8d }"),
        format!("plan.yaml: simulate.sample: 691200 is more than 604800: {long}")
    );
    assert_eq!(
        sim("{ events: [{ at: 4294967295, scale: { node_group: web, nodes: 1 } }] }"),
        format!("plan.yaml: simulate.events[0].at: 4294967295 is more than 604800: {long}")
    );
    // drain_seconds was added to the clock: 4294967295 wrapped it
    assert_eq!(
        sim(
            "{ events: [{ at: 0, rolling_update: { node_group: web, drain_seconds: 4294967295 } }] }"
        ),
        format!(
            "plan.yaml: simulate.events[0].rolling_update.drain_seconds: 4294967295 is more than 604800: {long}"
        )
    );
    assert_eq!(
        sim("{ events: [{ at: 0, scale: { node_group: web, nodes: 4294967295 } }] }"),
        "plan.yaml: simulate.events[0].scale.nodes: 4294967295 is more than 3276800: more nodes than the largest VPC \
         (50 blocks of /16) has addresses: give the node count"
    );
    assert_eq!(
        sim("{ events: [{ at: 0, rolling_update: { node_group: web, surge: 4294967295 } }] }"),
        "plan.yaml: simulate.events[0].rolling_update.surge: 4294967295 is more than 3276800: more nodes than the \
         largest VPC (50 blocks of /16) has addresses: give the surge"
    );
    // at the bounds the simulation runs (tests run with overflow checks)
    let plan = yaml(&format!(
        "{OK_YAML}simulate: {{ duration: 7d, sample: 7d, wait_threshold: 7d, events: [{{ at: 0, rolling_update: \
         {{ node_group: web, drain_seconds: 604800 }} }}] }}\n"
    ))
    .unwrap();
    let r = ipplan_planner::simulate(&plan, &plan.scenario());
    assert!(r.fits());
}

// ---- 7. every error is one line, whatever the input quotes ------------------------------------------------

#[test]
fn line_breaks_in_quoted_input_are_escaped_in_messages() {
    // found by tests/fuzz.rs: a key or value with a line break (a JSON escape, a CR in a CSV cell) split the
    // message over two lines
    assert_eq!(
        json_err(&OK_JSON.replace("\"instance_type\"", "\"insta\\nce_type\"")),
        "plan.json: unknown field 'insta\\nce_type' in node_groups[0] (did you mean 'instance_type'?)"
    );
    assert_eq!(
        yaml_err(&OK_YAML.replace("subnets: [a]", "subnets: [\"a\\u2028b\"]")),
        "plan.yaml: node_groups[0].subnets[0]: unknown subnet 'a\\u{2028}b' (known: a)"
    );
    assert_eq!(
        tf_err(&TF_OK.replace("\"nodes\"", "\"no\\rdes\"")),
        "terraform query: no\\rdes: unknown query key 'no\\rdes' (did you mean 'nodes'?)"
    );
    let csv = format!(
        "{}\nz\rz9.large,3,10,2,nitro,false,1,3,,,user\n",
        ipplan_core::CSV_HEADER
    );
    assert_eq!(
        ipplan_core::parse_csv(&csv).unwrap_err().to_string(),
        "line 2: instance_type: 'z\\rz9.large' is not an EC2 instance type name such as 'm5.large'"
    );
}
