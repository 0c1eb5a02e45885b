//! `ipplan import --ecs-services` end to end: bad ECS output is one error line (exit 2) naming the file and the
//! service; good output becomes `ecs_services` that `check` counts.

use std::path::Path;

use crate::{fails, ok, temp_file};

const SUBNETS: &str = r#"{ "Subnets": [
  { "AvailabilityZone": "eu-west-1a", "AvailableIpAddressCount": 251, "CidrBlock": "10.60.1.0/24", "SubnetId": "subnet-0a1", "VpcId": "vpc-0e1", "Tags": [{ "Key": "Name", "Value": "private-a" }] },
  { "AvailabilityZone": "eu-west-1b", "AvailableIpAddressCount": 251, "CidrBlock": "10.60.2.0/24", "SubnetId": "subnet-0b2", "VpcId": "vpc-0e1", "Tags": [{ "Key": "Name", "Value": "private-b" }] }
] }"#;

fn services(subnets: &str) -> String {
    format!(
        r#"{{ "services": [ {{
  "serviceArn": "arn:aws:ecs:eu-west-1:111122223333:service/shop/web", "serviceName": "web",
  "clusterArn": "arn:aws:ecs:eu-west-1:111122223333:cluster/shop", "status": "ACTIVE",
  "desiredCount": 21, "runningCount": 21, "pendingCount": 0, "launchType": "FARGATE",
  "taskDefinition": "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3",
  "deploymentConfiguration": {{ "maximumPercent": 200, "minimumHealthyPercent": 100 }},
  "networkConfiguration": {{ "awsvpcConfiguration": {{ "subnets": [{subnets}], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED" }} }},
  "deployments": [], "schedulingStrategy": "REPLICA"
}} ], "failures": [] }}"#
    )
}

#[test]
fn ecs_services_import_and_count_in_check() {
    let subnets = temp_file("subnets.json", SUBNETS);
    let svc = temp_file("services.json", &services(r#""subnet-0a1", "subnet-0b2""#));
    let plan = ok(&import_ecs(&subnets, &svc));
    assert!(
        plan.contains("  tasks: 21  # services[0] (web) desiredCount\n"),
        "{plan}"
    );
    let file = temp_file("plan.yaml", &plan);
    let r: serde_json::Value =
        serde_json::from_str(&ok(&["check", file.to_str().unwrap(), "--format", "json"])).unwrap();
    // 21 tasks x 200 % = 42 at a deployment's peak, over 2 subnets: 21 each (AWS ECS developer guide)
    for s in r["subnets"].as_array().unwrap() {
        assert_eq!(s["used"], 21, "{s}");
    }
}

#[test]
fn bad_ecs_output_is_one_line_naming_file_and_service() {
    let subnets = temp_file("subnets.json", SUBNETS);
    let svc = temp_file("services.json", &services(r#""subnet-0a1", "subnet-0zz""#));
    let e = fails(&import_ecs(&subnets, &svc));
    assert!(
        e.contains("services.json: services[0] (web) networkConfiguration.awsvpcConfiguration.subnets: subnet 'subnet-0zz' is in no input"),
        "{e}"
    );
    let text = services(r#""subnet-0a1""#);
    let cut = temp_file("services.json", &text[..text.len() - 30]);
    let e = fails(&import_ecs(&subnets, &cut));
    assert!(
        e.contains("services.json: line ") && e.contains("invalid JSON"),
        "{e}"
    );
    // --ecs-task-definitions needs --ecs-services
    let e = ipplan_requires(&[
        "import",
        "--aws-subnets",
        subnets.to_str().unwrap(),
        "--ecs-task-definitions",
        "x.json",
    ]);
    assert!(e.contains("--ecs-services"), "{e}");
}

/// The arguments of `ipplan import --aws-subnets SUBNETS --ecs-services SERVICES`.
fn import_ecs<'a>(subnets: &'a Path, services: &'a Path) -> [&'a str; 5] {
    [
        "import",
        "--aws-subnets",
        subnets.to_str().unwrap(),
        "--ecs-services",
        services.to_str().unwrap(),
    ]
}

fn ipplan_requires(args: &[&str]) -> String {
    let out = crate::ipplan()
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}

/// `ipplan import` of examples/ecs-to-eks (its subnets and ENIs, with the ECS services and/or the eksctl cluster),
/// then `check --format json` expecting `code`.
fn import_example(with_ecs: bool, with_eks: bool, code: i32) -> serde_json::Value {
    let e = |f: &str| crate::example(&format!("ecs-to-eks/{f}"));
    let (subnets, enis, services, defs, cluster) = (
        e("subnets.json"),
        e("enis.json"),
        e("services.json"),
        e("task-definitions.json"),
        e("cluster.yaml"),
    );
    let mut args = vec!["import", "--aws-subnets", &subnets, "--aws-enis", &enis];
    if with_ecs {
        args.extend(["--ecs-services", &services, "--ecs-task-definitions", &defs]);
    }
    if with_eks {
        args.extend(["--eksctl", &cluster, "--pods-per-node", "general=20"]);
    }
    let plan = ok(&args);
    let file = temp_file("plan.yaml", &plan);
    serde_json::from_str(&crate::run(
        &["check", file.to_str().unwrap(), "--format", "json"],
        code,
    ))
    .unwrap()
}

#[test]
fn the_ecs_to_eks_example_gives_the_hand_worked_numbers() {
    // examples/ecs-to-eks/README.md, per private /24:
    // capacity 256 - 5 = 251; everything else 5 endpoints + 2 ALB + 2 Lambda = 9, control plane 2 * ceil(4/3) = 4;
    // ECS at its deployment peak (floor(desiredCount * maximumPercent / 100), one address per awsvpc task, spread
    // over 3 subnets): web 240 / 3 = 80, orders floor(60 * 1.5) = 90 / 3 = 30, worker 20 -> ceil(20 / 3) = 7: 117,
    // the 67 task ENIs of today inside it;
    // EKS: 27 m5.large / 3 = 9 nodes per subnet; m5.large 3 ENIs x 10 addresses, S = 9, max pods 3 * 9 + 2 = 29;
    // WARM_ENI_TARGET=1 with N = 20 pods: ENIs = min(ceil(20/9) + 1, 3, ceil(29/9)) = min(4, 3, 4) = 3 (docs/model.md,
    // "The closed form"): 30 addresses a node = 3 primaries + 20 pods + 7 warm; 9 nodes = 270.
    // ECS today 117 + 13 = 130 (fits), EKS alone 270 + 13 = 283 (32 short), parallel 270 + 117 + 13 = 400.
    let r = import_example(true, true, 1);
    assert_eq!(r["fits"], false);
    let subnets = r["subnets"].as_array().unwrap();
    let names: Vec<&str> = subnets
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "shop-public-a",
            "shop-public-b",
            "shop-public-c",
            "shop-private-a",
            "shop-private-b",
            "shop-private-c"
        ]
    );
    for s in &subnets[3..] {
        let m = &s["migration"];
        assert_eq!(s["capacity"], 251, "{s}");
        assert_eq!(
            (&m["ecs"], &m["eks"], &m["parallel"]),
            (&130.into(), &283.into(), &400.into()),
            "{s}"
        );
        // verdicts: ECS today fits, EKS alone does not, the parallel run (the one judged) does not
        assert!(m["ecs"].as_u64() <= s["capacity"].as_u64());
        assert!(m["eks"].as_u64() > s["capacity"].as_u64());
        assert_eq!(
            (&s["fits"], &s["headroom"]),
            (&false.into(), &(-149).into())
        );
        let b = &s["breakdown"];
        // the warm pool breaks EKS alone: 9 nodes x 7 warm = 63; without it 283 - 63 = 220 would fit
        assert_eq!(
            (
                &b["pods"],
                &b["warm_pool"],
                &b["eni_primaries"],
                &b["node_primaries"]
            ),
            (&180.into(), &63.into(), &18.into(), &9.into())
        );
        assert_eq!(
            (
                &b["other_consumers"]["ecs:shop-web"],
                &b["other_consumers"]["ecs:shop-orders"],
                &b["other_consumers"]["ecs:shop-worker"],
                &b["other_consumers"]["vpc-endpoint"],
                &b["control_plane"]
            ),
            (&80.into(), &30.into(), &7.into(), &5.into(), &4.into())
        );
        // the task ENIs are the services' tasks: no ecs-task consumer is left beside them
        assert!(b["other_consumers"].get("ecs-task").is_none(), "{b}");
    }
    // the public /26s: 59 usable, a NAT gateway and 2 ALB ENIs in every phase
    for s in &subnets[..3] {
        let m = &s["migration"];
        assert_eq!((&s["capacity"], &s["fits"]), (&59.into(), &true.into()));
        assert_eq!(
            (&m["ecs"], &m["eks"], &m["parallel"]),
            (&3.into(), &3.into(), &3.into())
        );
    }
}

/// `used` of each subnet of a `check --format json` report.
fn used(r: &serde_json::Value) -> Vec<u64> {
    r["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["used"].as_u64().unwrap())
        .collect()
}

#[test]
fn the_ecs_to_eks_example_fits_today_and_counts_task_enis_once() {
    // ECS alone (no --eksctl, so no control plane): 117 + 9 = 126 of 251 per private subnet: check exits 0
    let r = import_example(true, false, 0);
    assert_eq!(used(&r), [3, 3, 3, 126, 126, 126]);
    // without --ecs-services the task ENIs of today are plain consumers: 67, 67, 66 + 9 (no surge planned)
    let r = import_example(false, false, 0);
    assert_eq!(used(&r), [3, 3, 3, 76, 76, 75]);
}

#[test]
fn the_map_of_today_names_the_services_holding_the_task_addresses() {
    let e = |f: &str| crate::example(&format!("ecs-to-eks/{f}"));
    let plan = ok(&[
        "import",
        "--aws-subnets",
        &e("subnets.json"),
        "--aws-enis",
        &e("enis.json"),
        "--ecs-services",
        &e("services.json"),
    ]);
    let file = temp_file("plan.yaml", &plan);
    let r: serde_json::Value = serde_json::from_str(&ok(&[
        "map",
        file.to_str().unwrap(),
        "--subnet",
        "shop-private-a",
        "--at",
        "0",
        "--format",
        "json",
    ]))
    .unwrap();
    // enis.json: 40 shop-web, 20 shop-orders and 7 shop-worker task ENIs in private-a (ECS spreads each service
    // over the 3 AZs: 120 / 3, 60 / 3, ceil(20 / 3)), and its 5 endpoint, 2 ALB and 2 Lambda ENIs
    let mut total = std::collections::BTreeMap::<String, u64>::new();
    for b in r["owners"].as_array().unwrap() {
        for o in b["owners"].as_array().unwrap() {
            *total
                .entry(o["what"].as_str().unwrap().to_string())
                .or_default() += o["addresses"].as_u64().unwrap();
        }
    }
    let want: std::collections::BTreeMap<String, u64> = [
        ("ecs service shop-orders", 20),
        ("ecs service shop-web", 40),
        ("ecs service shop-worker", 7),
        ("lambda", 2),
        ("load-balancer", 2),
        ("vpc-endpoint", 5),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(total, want);
}
