//! `ipplan import --aws-reservations / --aws-vpcs` end to end on `examples/import/aws/` (the shapes the AWS CLI
//! prints: aws/aws-cli `awscli/examples/ec2/get-subnet-cidr-reservations.rst`, `describe-vpcs.rst`), then `check`
//! and `map` of the result; broken inputs end in one error line naming the file and the item, exit 2.

use serde_json::Value;

use crate::{example, fails, ok, run, temp_dir, temp_file};

fn aws(name: &str) -> String {
    example(&format!("import/aws/{name}"))
}

fn text(name: &str) -> String {
    std::fs::read_to_string(aws(name)).unwrap()
}

/// The four example files, with `file` standing in for one of them.
fn args_with(flag: &str, file: &str) -> Vec<String> {
    let mut v = Vec::new();
    for (f, name) in [
        ("--aws-subnets", "subnets.json"),
        ("--aws-enis", "enis.json"),
        ("--aws-reservations", "reservations.json"),
        ("--aws-vpcs", "vpcs.json"),
    ] {
        v.push(f.to_string());
        v.push(if f == flag {
            file.to_string()
        } else {
            aws(name)
        });
    }
    v
}

/// Hand count in crates/ipplan-planner/tests/import_aws.rs (`reservations_change_the_census_and_check_...`):
/// capacity 256 - 5 - 16 explicit = 235, 26 used, headroom 209; blocks free 6, fragmented 4, reserved 3 (edge
/// 0 and 15, explicit 14), prefix 1, prefix_reserved 2; score ceil(4 / 12 * 100) = 34 (LOW).
#[test]
fn todays_vpc_with_reservations_imports_checks_and_maps_as_counted_by_hand() {
    let out = temp_dir().join("today.yaml");
    let out = out.to_str().unwrap();
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(args_with("", ""));
    args.extend(["--out".into(), out.into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(ok(&args), "");
    let plan = std::fs::read_to_string(out).unwrap();
    assert!(
        plan.contains("  - cidr: 10.30.1.224/28  # scr-0c1d2e3f4a5b60002\n    type: explicit\n"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "vpc:\n  cidrs:\n  - 10.30.0.0/16  # vpc-0f1e2d3c4b5a69788 CidrBlock\n  - 100.64.0.0/16"
        ),
        "{plan}"
    );
    let r: Value = serde_json::from_str(&run(&["check", out, "--format", "json"], 0)).unwrap();
    let s = &r["subnets"][0];
    assert_eq!(
        (
            s["capacity"].as_u64(),
            s["used"].as_u64(),
            s["headroom"].as_i64()
        ),
        (Some(235), Some(26), Some(209))
    );
    // `ipplan map OUT --subnet private-a --at 0 ARGS`, exit 0: its stdout
    let map = |args: &[&str]| {
        let mut all = vec!["map", out, "--subnet", "private-a", "--at", "0"];
        all.extend(args);
        ok(&all)
    };
    let m: Value = serde_json::from_str(&map(&["--format", "json"])).unwrap();
    assert_eq!(
        m["blocks"],
        serde_json::json!({"free": 6, "fragmented": 4, "full": 0, "reserved": 3, "prefix": 1, "prefix_reserved": 2})
    );
    assert_eq!(m["score"], 34);
    assert_eq!(m["band"], "LOW");
    // who holds what: block 8 (.128-.143) has the instance's primary ENI .130-.133 and the CNI's ENI .140
    // (enis.json), the only blocks with owners being 0, 1, 4, 6, 8 and 10
    let blocks: Vec<&str> = m["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["block"].as_str().unwrap())
        .collect();
    assert_eq!(
        blocks,
        [
            "10.30.1.0/28",
            "10.30.1.16/28",
            "10.30.1.64/28",
            "10.30.1.96/28",
            "10.30.1.128/28",
            "10.30.1.160/28"
        ]
    );
    assert_eq!(
        m["owners"][4]["owners"],
        serde_json::json!([
            {"what": "ec2-instance", "addresses": 4, "at": ["10.30.1.130-10.30.1.133"]},
            {"what": "eks-node", "addresses": 1, "at": ["10.30.1.140"]}
        ])
    );
    let svg = map(&["--out", "-"]);
    assert!(
        svg.contains(
            "<title>10.30.1.128/28 spoiled: 5 singles\nec2-instance: 10.30.1.130-10.30.1.133\neks-node: \
             10.30.1.140</title>"
        ),
        "{svg}"
    );
    assert!(svg.contains("<title>10.30.1.160/28 prefix\neks-node: 10.30.1.160/28</title>"));
    // the HTML report's maps carry the same tooltips
    let html = temp_dir().join("today.html");
    ok(&["report", out, "--out", html.to_str().unwrap()]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains("<title>10.30.1.16/28 spoiled: 2 singles\nload-balancer: 10.30.1.20\nvpc-endpoint: 10.30.1.21</title>"),
        "{html}"
    );
}

#[test]
fn broken_reservations_and_vpcs_end_in_one_line_naming_file_and_item() {
    let fail_with = |flag: &str, name: &str, body: &str| {
        let f = temp_file(name, body);
        let mut args: Vec<String> = vec!["import".into()];
        args.extend(args_with(flag, f.to_str().unwrap()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(&args)
    };
    // truncated
    let e = fail_with(
        "--aws-reservations",
        "res.json",
        &text("reservations.json")[..250],
    );
    assert!(
        e.contains("res.json: line ") && e.contains("invalid JSON: EOF while parsing"),
        "{e}"
    );
    let e = fail_with("--aws-vpcs", "vpcs.json", &text("vpcs.json")[..400]);
    assert!(
        e.contains("vpcs.json: line ") && e.contains("invalid JSON"),
        "{e}"
    );
    // a reservation in a subnet no describe-subnets page lists
    let unknown = text("reservations.json").replace(
        "\"SubnetId\": \"subnet-0a1b2c3d4e5f60001\",\n            \"Cidr\": \"10.30.1.224/28\"",
        "\"SubnetId\": \"subnet-0deadbeef0000000\",\n            \"Cidr\": \"10.30.1.224/28\"",
    );
    let e = fail_with("--aws-reservations", "res.json", &unknown);
    assert!(
        e.ends_with(
            "res.json: scr-0c1d2e3f4a5b60002: its subnet 'subnet-0deadbeef0000000' is in no --aws-subnets page (nor \
             any other input) (pass that subnet's describe-subnets output with --aws-subnets)"
        ),
        "{e}"
    );
    // a CIDR outside its subnet
    let outside = text("reservations.json").replace("10.30.1.224/28", "10.30.7.224/28");
    let e = fail_with("--aws-reservations", "res.json", &outside);
    assert!(
        e.contains(
            "res.json: scr-0c1d2e3f4a5b60002: Cidr 10.30.7.224/28 is outside its subnet subnet-0a1b2c3d4e5f60001 \
             (10.30.1.0/24)"
        ),
        "{e}"
    );
    // a subnet outside its VPC's associated blocks (the /16 that would hold it is disassociated)
    let vpcs = text("vpcs.json")
        .replace("\"CidrBlock\": \"10.30.0.0/16\"", "\"CidrBlock\": \"10.31.0.0/16\"")
        .replace("\"CidrBlock\": \"10.31.0.0/16\",\n                    \"CidrBlockState\": {\n                        \"State\": \"disassociated\"", "\"CidrBlock\": \"10.30.0.0/16\",\n                    \"CidrBlockState\": {\n                        \"State\": \"disassociated\"");
    let e = fail_with("--aws-vpcs", "vpcs.json", &vpcs);
    assert!(
        e.contains(&format!(
            "{}: subnet-0a1b2c3d4e5f60001: its CidrBlock 10.30.1.0/24 lies outside the associated blocks of its VPC \
             vpc-0f1e2d3c4b5a69788 (10.31.0.0/16, 100.64.0.0/16) in ",
            aws("subnets.json")
        )),
        "{e}"
    );
    // the wrong command's output
    let e = fail_with("--aws-vpcs", "vpcs.json", &text("subnets.json"));
    assert!(e.ends_with("vpcs.json: (top level): no 'Vpcs' list: not describe-vpcs output (pass the output of 'aws ec2 describe-vpcs --output json')"), "{e}");
}
