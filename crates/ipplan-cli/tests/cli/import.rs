//! `ipplan import` end to end on the shipped examples/import inputs: import, then check, against the numbers
//! worked by hand in each example's header (examples/import/terraform/README.md, eksctl/cluster.yaml,
//! karpenter/nodepools.yaml); idempotence; broken inputs end in one error line naming file, resource and fix.

use serde_json::Value;

use crate::{example, fails, ipplan, ok, run, temp_dir, temp_file};

/// `ipplan import ARGS --out F`, then `ipplan check F --format json`, expecting `code`.
fn import_check(args: &[&str], code: i32) -> Value {
    let out = temp_dir().join("plan.yaml");
    let out = out.to_str().unwrap();
    let mut all = vec!["import"];
    all.extend(args);
    all.extend(["--out", out]);
    assert_eq!(ok(&all), "");
    serde_json::from_str(&run(&["check", out, "--format", "json"], code)).unwrap()
}

fn headroom(r: &Value) -> Vec<(String, i64)> {
    r["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["headroom"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn group<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["node_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no node group {name}"))
}

#[test]
fn terraform_plan_imports_and_checks_as_worked_by_hand() {
    let r = import_check(&["--terraform", &example("import/terraform/plan.json")], 0);
    // examples/import/terraform/README.md: 795 used, headroom 1248 in each private /21; 251 in each public /24
    assert_eq!(
        headroom(&r),
        vec![
            ("demo-private-eu-west-1a".to_string(), 1248),
            ("demo-private-eu-west-1b".to_string(), 1248),
            ("demo-private-eu-west-1c".to_string(), 1248),
            ("demo-public-eu-west-1a".to_string(), 251),
            ("demo-public-eu-west-1b".to_string(), 251),
            ("demo-public-eu-west-1c".to_string(), 251),
        ]
    );
    assert_eq!(r["subnets"][0]["used"], 795);
    assert_eq!(r["subnets"][0]["prefix"]["worst_case_free_blocks"], 115);
    let g = group(&r, "general");
    assert_eq!(
        (
            &g["addresses_per_node"],
            &g["pods_per_node"],
            &g["pods_full"]
        ),
        (&113.into(), &108.into(), &true.into())
    );
    let b = group(&r, "batch");
    assert_eq!(
        (b["worst"].as_str(), b["best"].as_str()),
        (Some("c6i.xlarge"), Some("m6i.xlarge"))
    );
}

#[test]
fn terraform_state_imports_and_checks_as_worked_by_hand() {
    let r = import_check(&["--terraform", &example("import/terraform/state.json")], 1);
    // README.md: 15 x 30 + 4 = 454 of 251: headroom -203 in each
    assert_eq!(
        headroom(&r),
        vec![
            ("legacy-private-a".to_string(), -203),
            ("legacy-private-b".to_string(), -203)
        ]
    );
}

#[test]
fn eksctl_config_imports_and_checks_as_worked_by_hand() {
    let r = import_check(&["--eksctl", &example("import/eksctl/cluster.yaml")], 1);
    // the header of examples/import/eksctl/cluster.yaml
    let h = headroom(&r);
    let names: Vec<&str> = h.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "public-us-west-2a",
            "public-us-west-2b",
            "public-us-west-2c",
            "private-us-west-2a",
            "private-us-west-2b",
            "private-us-west-2c"
        ]
    );
    let cidrs: Vec<&str> = r["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cidr"].as_str().unwrap())
        .collect();
    assert_eq!(
        cidrs,
        [
            "10.10.0.0/25",
            "10.10.0.128/25",
            "10.10.1.0/25",
            "10.10.1.128/25",
            "10.10.2.0/25",
            "10.10.2.128/25"
        ]
    );
    let values: Vec<i64> = h.iter().map(|x| x.1).collect();
    assert_eq!(values, [103, 103, 103, -119, -119, -119]);
    let m = group(&r, "ng-mixed");
    assert_eq!(
        (m["worst"].as_str(), m["best"].as_str()),
        (Some("m5.xlarge"), Some("c5.large"))
    );
    let addrs: Vec<u64> = m["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["addresses"].as_u64().unwrap())
        .collect();
    assert_eq!(addrs, [360, 180]);
}

#[test]
fn karpenter_pools_find_their_subnets_in_the_terraform_plan() {
    let r = import_check(
        &[
            "--terraform",
            &example("import/terraform/plan.json"),
            "--karpenter",
            &example("import/karpenter/nodepools.yaml"),
        ],
        0,
    );
    // the header of examples/import/karpenter/nodepools.yaml: 1411 used, headroom 632; 107 free /28s for 87
    let values: Vec<i64> = headroom(&r).iter().map(|x| x.1).collect();
    assert_eq!(values, [632, 632, 632, 251, 251, 251]);
    assert_eq!(r["subnets"][1]["prefix"]["worst_case_free_blocks"], 107);
    assert_eq!(r["subnets"][1]["prefix"]["needed"], 87);
    let d = group(&r, "default");
    assert_eq!(
        (d["worst"].as_str(), d["best"].as_str()),
        (Some("c6i.xlarge"), Some("m6i.2xlarge"))
    );
    let members: Vec<(String, u64, u64)> = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["instance_type"].as_str().unwrap().to_string(),
                m["nodes"].as_u64().unwrap(),
                m["addresses"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        members,
        [
            ("c6i.2xlarge".to_string(), 8, 520),
            ("c6i.xlarge".to_string(), 16, 1040),
            ("m6i.2xlarge".to_string(), 8, 520),
            ("m6i.xlarge".to_string(), 16, 1040)
        ]
    );
    assert_eq!(
        (&d["max_pods"], &d["max_pods_source"]),
        (&58.into(), &"karpenter".into())
    );
    let trap = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "karpenter-max-pods-not-prefix-aware")
        .expect("the Karpenter max-pods trap is flagged");
    assert_eq!(
        (
            &trap["max_pods"],
            &trap["pod_addresses"],
            &trap["prefix_max_pods"]
        ),
        (&58.into(), &56.into(), &110.into())
    );
    assert_eq!(group(&r, "arm")["max_pods_source"], "fixed");
}

#[test]
fn the_same_inputs_give_byte_identical_plans_with_sources_and_assumptions() {
    for args in [
        vec![
            "import",
            "--terraform",
            &example("import/terraform/plan.json"),
        ],
        vec!["import", "--eksctl", &example("import/eksctl/cluster.yaml")],
        vec![
            "import",
            "--karpenter",
            &example("import/karpenter/nodepools.yaml"),
            "--terraform",
            &example("import/terraform/plan.json"),
        ],
    ]
    .iter()
    {
        let a = ok(args);
        assert_eq!(a, ok(args), "{args:?}");
        assert!(a.contains("# Assumptions:"), "{a}");
    }
    let tf = ok(&[
        "import",
        "--terraform",
        &example("import/terraform/plan.json"),
    ]);
    assert!(
        tf.contains("- name: demo-private-eu-west-1b  # module.vpc.aws_subnet.private[1]\n"),
        "{tf}"
    );
    assert!(tf.contains("  nodes: 12  # module.eks.module.eks_managed_node_group[\"general\"].aws_eks_node_group.this[0] scaling_config[0].max_size\n"), "{tf}");
    assert!(tf.contains("# Skipped (not used by the plan):"), "{tf}");
    assert!(tf.contains("3 aws_iam_role"), "{tf}");
}

#[test]
fn overrides_replace_the_full_default() {
    let r = import_check(
        &[
            "--eksctl",
            &example("import/eksctl/cluster.yaml"),
            "--pods-per-node",
            "ng-general=9",
            "--pods",
            "ng-mixed=40",
            "--nodes",
            "ng-public=3",
        ],
        1,
    );
    // ng-general m5.large, 9 pods: ENIs = ceil(9/9) + 1 = 2 -> 20 addresses
    assert_eq!(group(&r, "ng-general")["addresses_per_node"], 20);
    assert_eq!(group(&r, "ng-general")["pods_full"], false);
    assert_eq!(group(&r, "ng-public")["nodes"], 3);
    let e = fails(&[
        "import",
        "--eksctl",
        &example("import/eksctl/cluster.yaml"),
        "--pods",
        "nope=3",
    ]);
    assert_eq!(
        e,
        "ipplan: error: --pods: nope: no imported node group has that name (name one of: ng-general, ng-mixed, ng-public)"
    );
}

#[test]
fn broken_inputs_end_in_one_line_naming_file_resource_and_fix() {
    let plan = std::fs::read_to_string(example("import/terraform/plan.json")).unwrap();
    let truncated = temp_file("truncated.json", &plan[..3000]);
    let e = fails(&["import", "--terraform", truncated.to_str().unwrap()]);
    assert!(e.contains("truncated.json: line 85 column 42: invalid JSON: EOF while parsing a string (pass the output of 'terraform show -json tfplan'"), "{e}");

    let cfn = temp_file(
        "stack.json",
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#,
    );
    let e = fails(&["import", "--terraform", cfn.to_str().unwrap()]);
    assert!(e.ends_with("stack.json: (top level): a CloudFormation template: no 'format_version' (pass the output of 'terraform show -json tfplan' for a saved plan, or of 'terraform show -json' for a state)"), "{e}");

    let np = std::fs::read_to_string(example("import/karpenter/nodepools.yaml"))
        .unwrap()
        .replace("operator: Gt", "operator: Gte");
    let np = temp_file("nodepools.yaml", &np);
    let e = fails(&[
        "import",
        "--terraform",
        &example("import/terraform/plan.json"),
        "--karpenter",
        np.to_str().unwrap(),
    ]);
    assert!(e.ends_with("nodepools.yaml: NodePool/default spec.template.spec.requirements[2].operator: operator 'Gte' is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt (fix the NodePool: Kubernetes node selector operators only)"), "{e}");

    // a NodePool alone: its subnets are in no input
    let e = fails(&[
        "import",
        "--karpenter",
        &example("import/karpenter/nodepools.yaml"),
    ]);
    assert!(e.contains("nodepools.yaml: NodePool/arm -> EC2NodeClass/arm spec.subnetSelectorTerms: its subnet selector (karpenter.sh/discovery=demo) has no subnets to match"), "{e}");
    assert!(e.ends_with("(pass the subnets it selects with --terraform, --eksctl or --aws-subnets, tagged as the selector says)"), "{e}");

    // an eksctl node group on a subnet id no input has
    let cfg = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: { name: c, region: eu-west-1 }\nvpc:\n  subnets:\n    private:\n      eu-west-1a: { id: subnet-0123 }\nmanagedNodeGroups: [{ name: ng, instanceType: m5.large, maxSize: 3, privateNetworking: true }]\n";
    let cfg = temp_file("cluster.yaml", cfg);
    let e = fails(&["import", "--eksctl", cfg.to_str().unwrap()]);
    assert!(e.ends_with("cluster.yaml: c (eksctl: the cluster in every subnet of vpc.subnets): subnet 'subnet-0123' is in no input (pass the input that describes it with --terraform, --eksctl or --aws-subnets)"), "{e}");
    // ... which --aws-subnets supplies
    let subnets = temp_file(
        "subnets.json",
        r#"{"Subnets": [{"SubnetId": "subnet-0123", "CidrBlock": "10.9.0.0/24", "AvailabilityZone": "eu-west-1a", "Tags": [{"Key": "Name", "Value": "priv-a"}]}]}"#,
    );
    let text = ok(&[
        "import",
        "--eksctl",
        cfg.to_str().unwrap(),
        "--aws-subnets",
        subnets.to_str().unwrap(),
    ]);
    assert!(text.contains("- name: priv-a  # subnet-0123"), "{text}");

    let e = fails(&["import", "--eksctl", &example("import/terraform/plan.json")]);
    assert!(
        e.contains("plan.json: (top level): apiVersion '', kind '': not an eksctl ClusterConfig"),
        "{e}"
    );
    ipplan().args(["import"]).assert().code(2);
}

#[test]
fn a_5000_node_plan_imports_and_checks() {
    // 50 groups x 100 m5.large, pods full: 30 addresses a node (m5.large, 27 pods, 3 ENIs x 10); ceil(100/3) = 34
    // nodes a group in each subnet: 50 x 34 x 30 = 51,000 of 65,531 in each /16: headroom 14,531
    let plan = temp_file("big.json", &ipplan_benches::terraform_plan(50, 100));
    let r = import_check(&["--terraform", plan.to_str().unwrap()], 0);
    let values: Vec<i64> = headroom(&r).iter().map(|x| x.1).collect();
    assert_eq!(values, [14_531, 14_531, 14_531]);
    let nodes: u64 = r["node_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["nodes"].as_u64().unwrap())
        .sum();
    assert_eq!(nodes, 5000);
}
