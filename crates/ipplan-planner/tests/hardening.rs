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
         node_groups, headroom_percent, simulate)"
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
