//! `ipplan import --ecs-services` end to end: bad ECS output is one error line (exit 2) naming the file and the
//! service; good output becomes `ecs_services` that `check` counts.

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
    let plan = ok(&[
        "import",
        "--aws-subnets",
        subnets.to_str().unwrap(),
        "--ecs-services",
        svc.to_str().unwrap(),
    ]);
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
    let e = fails(&[
        "import",
        "--aws-subnets",
        subnets.to_str().unwrap(),
        "--ecs-services",
        svc.to_str().unwrap(),
    ]);
    assert!(
        e.contains("services.json: services[0] (web) networkConfiguration.awsvpcConfiguration.subnets: subnet 'subnet-0zz' is in no input"),
        "{e}"
    );
    let text = services(r#""subnet-0a1""#);
    let cut = temp_file("services.json", &text[..text.len() - 30]);
    let e = fails(&[
        "import",
        "--aws-subnets",
        subnets.to_str().unwrap(),
        "--ecs-services",
        cut.to_str().unwrap(),
    ]);
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

fn ipplan_requires(args: &[&str]) -> String {
    let out = crate::ipplan()
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}
