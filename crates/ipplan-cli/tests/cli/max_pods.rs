//! The `ipplan` binary end to end. Expected numbers are the worked values of docs/model.md, "Max pods per node"
//! (checked by running AWS's awslabs/amazon-eks-ami `templates/al2/runtime/max-pods-calculator.sh`, commit
//! `0ab842803d82`) or are computed in the comments from the ENI formula.

use crate::{fails, ipplan, ok, temp_file};
use predicates::prelude::*;
use serde_json::Value;

/// Run `ipplan ARGS --format json`, expect exit 0, parse stdout.
fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&ok(&all)).unwrap()
}

/// The only result of a one-type, one-mode max-pods run.
fn one(args: &[&str]) -> Value {
    let mut all = vec!["max-pods"];
    all.extend(args);
    let v = json(&all);
    assert_eq!(v["results"].as_array().unwrap().len(), 1, "{v}");
    v["results"][0].clone()
}

/// `aws ec2 describe-instance-types --output json` for one made-up type with 3 ENIs x 10 IPv4, 2 vCPUs, Nitro.
const DESCRIBE_M99: &str = r#"{
  "InstanceTypes": [
    {
      "InstanceType": "m99.large",
      "Hypervisor": "nitro",
      "BareMetal": false,
      "VCpuInfo": { "DefaultVCpus": 2 },
      "NetworkInfo": {
        "MaximumNetworkInterfaces": 3,
        "Ipv4AddressesPerInterface": 10,
        "DefaultNetworkCardIndex": 0,
        "NetworkCards": [ { "NetworkCardIndex": 0, "MaximumNetworkInterfaces": 3 } ]
      }
    }
  ]
}
"#;

// ---- version and usage -----------------------------------------------------------------------------------

#[test]
fn version_names_crate_and_data_versions() {
    let out = ok(&["--version"]);
    assert_eq!(
        out,
        format!(
            "ipplan {} (instance data {})\n",
            env!("CARGO_PKG_VERSION"),
            ipplan_core::DATA_VERSION
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    ipplan().args(["max-pods"]).assert().code(2);
    ipplan()
        .args(["max-pods", "m5.large", "--format", "xml"])
        .assert()
        .code(2);
    ipplan()
        .args(["max-pods", "--all", "m5.large"])
        .assert()
        .code(2);
    ipplan()
        .args(["max-pods", "m5.large", "--all-modes", "--prefix-delegation"])
        .assert()
        .code(2);
}

// ---- max-pods: max-pods-calculator.sh worked values through the CLI ---------------------------------------

#[test]
fn worked_values_through_the_cli() {
    // (args, max_pods, eni_limited_pods) from docs/model.md, "Worked values"
    let cases: &[(&[&str], u64, u64)] = &[
        (&["m5.large", "--cni-version", "1.7.5"], 29, 29),
        (
            &["m5.large", "--prefix-delegation", "--cni-version", "1.9.0"],
            110,
            434,
        ),
        (
            &["m5.large", "--prefix-delegation", "--cni-version", "1.8.0"],
            29,
            29,
        ),
        (&["m5.large", "--custom-networking"], 20, 20),
        (
            &["m5.large", "--custom-networking", "--prefix-delegation"],
            110,
            290,
        ),
        (&["m5.large", "--max-eni", "2"], 20, 20),
        (&["m5.xlarge", "--custom-networking"], 44, 44),
        (&["m4.xlarge", "--prefix-delegation"], 58, 58),
        (&["m5.8xlarge"], 234, 234),
        (&["m5.8xlarge", "--prefix-delegation"], 250, 8 * 29 * 16 + 2),
        (&["c6i.4xlarge"], 110, 234),
        (&["c6i.4xlarge", "--show-max-allowed"], 234, 234),
        (&["c6in.32xlarge", "--show-max-allowed"], 394, 394),
        (&["p5.48xlarge"], 100, 100),
        (&["t3.micro"], 4, 4),
        (&["t3.micro", "--prefix-delegation"], 34, 34),
        (&["t2.micro", "--prefix-delegation"], 4, 4),
    ];
    for (args, max, eni) in cases {
        let r = one(args);
        assert_eq!(r["max_pods"], *max, "{args:?}: {r}");
        assert_eq!(r["eni_limited_pods"], *eni, "{args:?}: {r}");
        assert_eq!(r["error"], Value::Null, "{args:?}");
    }
}

#[test]
fn json_fields_for_pd_and_fallback() {
    let r = one(&["m5.large", "--prefix-delegation"]);
    assert_eq!(r["instance_type"], "m5.large");
    assert_eq!(r["prefix_delegation"], true);
    assert_eq!(r["custom_networking"], false);
    assert_eq!(r["mode"], "prefix");
    assert_eq!(r["cap"], 110);
    assert_eq!(r["pod_enis"], 3);
    // Karpenter is not prefix-aware: 3 x 9 + 2 (aws/karpenter-provider-aws pkg/providers/instancetype/types.go)
    assert_eq!(r["karpenter_max_pods"], 29);
    // pod-eni m5.large 9 (aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go)
    assert_eq!(r["pod_eni"], 9);
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| { n.as_str().unwrap().contains("capped at 110") })
    );

    // m4.xlarge is Xen: PD asked for, secondary IPs applied, and a note says why
    let r = one(&["m4.xlarge", "--prefix-delegation"]);
    assert_eq!(r["prefix_delegation"], true);
    assert_eq!(r["mode"], "secondary-ip");
    assert!(r["notes"][0].as_str().unwrap().contains("xen"), "{r}");

    // m5.metal PD: the CNI runs PD, the script would give 737 capped to 250 (docs/model.md, "The calculator's rules")
    let r = one(&["m5.metal", "--prefix-delegation"]);
    assert_eq!(r["mode"], "prefix");
    assert_eq!(r["max_pods"], 250);
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("bare metal")
                && n.as_str().unwrap().ends_with("gives 250")),
        "{r}"
    );
}

#[test]
fn karpenter_and_pod_eni_columns() {
    // pod-eni m5.8xlarge 54, t3.micro 0 (aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go)
    assert_eq!(one(&["m5.8xlarge"])["pod_eni"], 54);
    assert_eq!(one(&["t3.micro"])["pod_eni"], 0);
    // Karpenter RESERVED_ENIS defaults to 1 with custom networking: (3 - 1) x 9 + 2 = 20
    assert_eq!(
        one(&["m5.large", "--custom-networking"])["karpenter_max_pods"],
        20
    );
    assert_eq!(
        one(&["m5.large", "--custom-networking", "--reserved-enis", "0"])["karpenter_max_pods"],
        29
    );
    // podsPerCore 10 x 2 vCPUs = 20 < 29
    assert_eq!(
        one(&["m5.large", "--pods-per-core", "10"])["karpenter_max_pods"],
        20
    );
    // no 110 cap in Karpenter: c6i.4xlarge 8 x 29 + 2 = 234
    assert_eq!(one(&["c6i.4xlarge"])["karpenter_max_pods"], 234);
}

#[test]
fn json_report_header_and_settings() {
    let v = json(&[
        "max-pods",
        "m5.large",
        "--cni-version",
        "v1.9",
        "--max-eni",
        "2",
    ]);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["data_version"], ipplan_core::DATA_VERSION);
    assert_eq!(v["settings"]["cni_version"], "1.9.0");
    assert_eq!(v["settings"]["max_eni"], 2);
    assert_eq!(v["settings"]["reserved_enis"], Value::Null);
    assert_eq!(v["settings"]["instance_data"], Value::Null);
}

#[test]
fn yaml_parses_back_to_the_json_object() {
    let args = ["max-pods", "m5.large", "t3.micro", "--all-modes"];
    let j = json(&args);
    let mut ya = args.to_vec();
    ya.extend(["--format", "yaml"]);
    let y: Value = serde_yaml::from_str(&ok(&ya)).unwrap();
    assert_eq!(y, j);
    assert_eq!(j["results"].as_array().unwrap().len(), 8);
}

#[test]
fn all_modes_gives_four_entries_per_type_in_order() {
    let v = json(&["max-pods", "m5.large", "--all-modes"]);
    let r = v["results"].as_array().unwrap();
    let got: Vec<(bool, bool, u64, u64)> = r
        .iter()
        .map(|e| {
            (
                e["prefix_delegation"].as_bool().unwrap(),
                e["custom_networking"].as_bool().unwrap(),
                e["max_pods"].as_u64().unwrap(),
                e["eni_limited_pods"].as_u64().unwrap(),
            )
        })
        .collect();
    // max-pods-calculator.sh: 29; PD 110 (434); custom 20; custom + PD 110 (290)
    assert_eq!(
        got,
        vec![
            (false, false, 29, 29),
            (true, false, 110, 434),
            (false, true, 20, 20),
            (true, true, 110, 290),
        ]
    );
}

#[test]
fn all_types_and_all_modes() {
    let v = json(&["max-pods", "--all"]);
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 1420); // the embedded table's pinned row count
    let names: Vec<&str> = r
        .iter()
        .map(|e| e["instance_type"].as_str().unwrap())
        .collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "not sorted");
    let get = |n: &str| r.iter().find(|e| e["instance_type"] == n).unwrap();
    assert_eq!(get("c6i.4xlarge")["max_pods"], 110); // max-pods-calculator.sh
    assert_eq!(get("p5.48xlarge")["max_pods"], 100); // max-pods-calculator.sh
    // mac1.metal's vCPU count is unknown: with --all that entry reports an error and the run goes on
    let mac = get("mac1.metal");
    assert_eq!(mac["max_pods"], Value::Null);
    assert!(mac["error"].as_str().unwrap().contains("--vcpus"), "{mac}");
    assert!(mac["eni_limited_pods"].as_u64().unwrap() > 2);

    let v = json(&["max-pods", "--all", "--all-modes"]);
    assert_eq!(v["results"].as_array().unwrap().len(), 1420 * 4);
}

#[test]
fn output_is_deterministic() {
    let a = ok(&["max-pods", "--all", "--all-modes", "--format", "json"]);
    let b = ok(&["max-pods", "--all", "--all-modes", "--format", "json"]);
    assert!(a == b, "two runs differ");
}

#[test]
fn table_is_aligned_with_the_named_columns() {
    let out = ok(&[
        "max-pods",
        "m5.large",
        "m5.8xlarge",
        "mac1.metal",
        "--show-max-allowed",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    let header = lines[0];
    for col in [
        "TYPE",
        "MODE",
        "MAX PODS",
        "ENI-LIMITED",
        "KARPENTER",
        "POD-ENI",
        "NOTES",
    ] {
        assert!(header.contains(col), "{header}");
    }
    // MODE starts at the same column in every line; right-aligned numbers end under "MAX PODS"
    let mode_at = header.find("MODE").unwrap();
    let max_end = header.find("MAX PODS").unwrap() + "MAX PODS".len();
    for l in &lines[1..] {
        assert_eq!(&l[mode_at..mode_at + 9], "secondary", "{l:?}");
        assert!(l[..max_end].ends_with(char::is_numeric), "{l:?}");
        assert!(!l.ends_with(' '), "trailing space: {l:?}");
    }
    // m5.8xlarge: 8 x 29 + 2 = 234 uncapped
    assert!(lines[2].starts_with("m5.8xlarge"));
    assert!(lines[2][..max_end].ends_with("234"), "{}", lines[2]);
}

#[test]
fn table_shows_a_question_mark_for_unknown_vcpus_with_all() {
    let out = ok(&["max-pods", "--all"]);
    let line = out.lines().find(|l| l.starts_with("mac1.metal ")).unwrap();
    let header = out.lines().next().unwrap();
    let max_end = header.find("MAX PODS").unwrap() + "MAX PODS".len();
    assert!(line[..max_end].ends_with('?'), "{line}");
    assert!(line.contains("pass --vcpus"), "{line}");
}

// ---- max-pods: errors ------------------------------------------------------------------------------------

#[test]
fn unknown_type_suggests_the_nearest() {
    assert_eq!(
        fails(&["max-pods", "m6i.xlarg"]),
        "ipplan: error: unknown instance type 'm6i.xlarg' (did you mean 'm6i.xlarge'?)"
    );
}

#[test]
fn max_eni_zero_is_one_line_exit_2() {
    let e = fails(&["max-pods", "m5.large", "--max-eni", "0"]);
    assert!(e.contains("max ENI must be at least 1"), "{e}");
}

#[test]
fn malformed_cni_version_is_one_line_exit_2() {
    let e = fails(&["max-pods", "m5.large", "--cni-version", "1.x"]);
    assert!(e.contains("invalid CNI version '1.x'"), "{e}");
}

#[test]
fn named_type_with_unknown_vcpus_asks_for_vcpus() {
    let e = fails(&["max-pods", "mac1.metal"]);
    assert!(e.contains("'mac1.metal'") && e.contains("--vcpus"), "{e}");
    // with --vcpus the cap applies: 12 vCPUs <= 30 -> at most 110
    let r = one(&["mac1.metal", "--vcpus", "12"]);
    let eni = r["eni_limited_pods"].as_u64().unwrap();
    assert_eq!(r["max_pods"].as_u64().unwrap(), eni.min(110));
}

// ---- --instance-data -------------------------------------------------------------------------------------

#[test]
fn broken_instance_data_csv_names_file_line_and_field() {
    let csv = format!(
        "{}\nm99.large,3,10,2,nitro,false,1,3,true,9,user\nm99.xlarge,abc,15,4,nitro,false,1,4,true,18,user\n",
        ipplan_core::CSV_HEADER
    );
    let path = temp_file("broken.csv", &csv);
    let p = path.to_str().unwrap();
    let e = fails(&["--instance-data", p, "max-pods", "m5.large"]);
    assert!(e.contains(p), "{e}");
    assert!(e.contains("line 3"), "{e}");
    assert!(e.contains("enis") && e.contains("'abc'"), "{e}");
}

#[test]
fn missing_instance_data_file_is_exit_2() {
    let e = fails(&[
        "--instance-data",
        "/nonexistent/ipplan.csv",
        "max-pods",
        "m5.large",
    ]);
    assert!(e.contains("'/nonexistent/ipplan.csv'"), "{e}");
}

#[test]
fn instance_data_describe_json_adds_a_type() {
    let path = temp_file("describe.json", DESCRIBE_M99);
    let p = path.to_str().unwrap();
    // 3 ENIs x (10 - 1) + 2 = 29; PD: 3 x 9 x 16 + 2 = 434, capped at 110 (2 vCPUs)
    let r = one(&["--instance-data", p, "m99.large"]);
    assert_eq!(r["max_pods"], 29);
    let v = json(&[
        "max-pods",
        "m99.large",
        "--prefix-delegation",
        "--instance-data",
        p,
    ]);
    assert_eq!(v["settings"]["instance_data"], p);
    assert_eq!(v["results"][0]["max_pods"], 110);
    assert_eq!(v["results"][0]["eni_limited_pods"], 434);
    // describe-instance-types has no trunking data
    assert_eq!(v["results"][0]["pod_eni"], Value::Null);
    // and it is listed, with --all it is one more row
    let l = json(&["instances", "m99", "--instance-data", p]);
    assert_eq!(l["instances"][0]["source"], "user");
    assert_eq!(
        json(&["max-pods", "--all", "--instance-data", p])["results"]
            .as_array()
            .unwrap()
            .len(),
        1421
    );
    // without it the type is unknown
    fails(&["max-pods", "m99.large"]);
}

// ---- instances -------------------------------------------------------------------------------------------

#[test]
fn instances_import_prints_csv_that_parses_back() {
    let path = temp_file("import.json", DESCRIBE_M99);
    let out = ok(&["instances", "import", path.to_str().unwrap()]);
    let rows = ipplan_core::parse_csv(&out).unwrap();
    assert_eq!(
        rows,
        ipplan_core::parse_describe_json(DESCRIBE_M99).unwrap()
    );
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].enis, rows[0].ipv4_per_eni), (3, 10));
    assert_eq!(rows[0].vcpus, ipplan_core::Vcpus::Listed(2));
}

#[test]
fn instances_import_of_a_bad_file_is_exit_2() {
    let path = temp_file("bad.json", "{\"InstanceTypes\": 3}");
    let e = fails(&["instances", "import", path.to_str().unwrap()]);
    assert!(
        e.contains(path.to_str().unwrap()) && e.contains("InstanceTypes"),
        "{e}"
    );
}

#[test]
fn instances_filters_and_formats() {
    // prefix filter: every m5 family member, nothing else
    let v = json(&["instances", "m5*"]);
    let names: Vec<&str> = v["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["instance_type"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"m5.large") && names.contains(&"m5a.large"),
        "{names:?}"
    );
    assert!(names.iter().all(|n| n.starts_with("m5")));
    // substring filter; facts of m5.large (aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go: 3 ENIs x 10 IPv4)
    let v = json(&["instances", "m5.large"]);
    let m5 = &v["instances"][0];
    assert_eq!(v["schema_version"], 1);
    assert_eq!(
        (m5["enis"].as_u64(), m5["ipv4_per_eni"].as_u64()),
        (Some(3), Some(10))
    );
    assert_eq!(m5["branch_enis"], 9);
    // CSV output reads back with the project's parser
    let csv = ok(&["instances", "--format", "csv", "m5*"]);
    assert_eq!(ipplan_core::parse_csv(&csv).unwrap().len(), names.len());
    // YAML is the same object as JSON
    let y: Value =
        serde_yaml::from_str(&ok(&["instances", "m5.large", "--format", "yaml"])).unwrap();
    assert_eq!(y, v);
}

#[test]
fn instances_table_marks_derived_and_unknown_vcpus() {
    let all = json(&["instances"]);
    let derived = all["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vcpus_derived"] == true)
        .expect("the table has derived vCPU counts");
    let name = derived["instance_type"].as_str().unwrap();
    let n = derived["vcpus"].as_u64().unwrap();
    let out = ok(&["instances", name]);
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap();
    assert!(line.contains(&format!(" {n}* ")), "{line}");
    assert!(out.contains("derived from the size name"));
    let out = ok(&["instances", "mac1.metal"]);
    assert!(out.lines().nth(1).unwrap().contains(" ? "), "{out}");
}

#[test]
fn instances_without_a_match_exits_1() {
    ipplan()
        .args(["instances", "zzz-no-such"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("TYPE"));
}

/// A type no branch-ENI table lists: the CNI's view says unknown (`null`), Karpenter's says 0, with a note
/// (aws/karpenter-provider-aws `pkg/providers/instancetype/types.go`, `awsPodENI`).
#[test]
fn karpenter_pod_eni_is_zero_with_a_note_for_an_unlisted_type() {
    let csv = crate::temp_file(
        "rows.csv",
        "instance_type,enis,ipv4_per_eni,vcpus,hypervisor,bare_metal,network_cards,enis_total,trunking,branch_enis,source\n\
         zz9.large,3,10,2,nitro,false,1,3,,,user\n",
    );
    let out = crate::run(
        &[
            "--instance-data",
            &csv.display().to_string(),
            "max-pods",
            "zz9.large",
            "-o",
            "json",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = &v["results"][0];
    assert!(e["pod_eni"].is_null(), "{e}");
    assert_eq!(e["karpenter_pod_eni"], 0);
    assert!(
        e["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("zz9.large")),
        "{e}"
    );
}
