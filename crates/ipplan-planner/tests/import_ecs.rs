//! `import --ecs-services [--ecs-task-definitions]`: describe-services / describe-task-definition JSON (the ECS API's
//! response shapes, as the AWS CLI prints them) become `ecs_services[]`, each value with its source; bad or
//! partial JSON is one error naming the file and the service; random JSON never panics.

use ipplan_core::Catalog;
use ipplan_planner::import::{ImportError, Imported, Input, InputKind, Overrides, import};
use ipplan_planner::plan::{EcsNetworkMode, Plan};
use proptest::prelude::*;

/// describe-subnets of three private /24s, one per AZ.
const SUBNETS: &str = r#"{
    "Subnets": [
        {
            "AvailabilityZone": "eu-west-1a", "AvailabilityZoneId": "euw1-az1", "AvailableIpAddressCount": 251,
            "CidrBlock": "10.60.1.0/24", "DefaultForAz": false, "MapPublicIpOnLaunch": false, "State": "available",
            "SubnetId": "subnet-0a1", "VpcId": "vpc-0e1", "OwnerId": "111122223333",
            "Tags": [{ "Key": "Name", "Value": "private-a" }]
        },
        {
            "AvailabilityZone": "eu-west-1b", "AvailabilityZoneId": "euw1-az2", "AvailableIpAddressCount": 251,
            "CidrBlock": "10.60.2.0/24", "DefaultForAz": false, "MapPublicIpOnLaunch": false, "State": "available",
            "SubnetId": "subnet-0b2", "VpcId": "vpc-0e1", "OwnerId": "111122223333",
            "Tags": [{ "Key": "Name", "Value": "private-b" }]
        },
        {
            "AvailabilityZone": "eu-west-1c", "AvailabilityZoneId": "euw1-az3", "AvailableIpAddressCount": 251,
            "CidrBlock": "10.60.3.0/24", "DefaultForAz": false, "MapPublicIpOnLaunch": false, "State": "available",
            "SubnetId": "subnet-0c3", "VpcId": "vpc-0e1", "OwnerId": "111122223333",
            "Tags": [{ "Key": "Name", "Value": "private-c" }]
        }
    ]
}"#;

/// One describe-services entry, with the fields the CLI prints (trimmed of events).
fn service(name: &str, placement: &str, desired: u32, deploy: &str, subnets: &[&str]) -> String {
    let subnets: Vec<String> = subnets.iter().map(|s| format!("\"{s}\"")).collect();
    // ECS accepts a network configuration only for awsvpc task definitions
    let network = if subnets.is_empty() {
        String::new()
    } else {
        format!(
            r#""networkConfiguration": {{ "awsvpcConfiguration": {{ "subnets": [{}], "securityGroups": ["sg-0123456789abcdef0"], "assignPublicIp": "DISABLED" }} }},"#,
            subnets.join(", ")
        )
    };
    format!(
        r#"{{
            "serviceArn": "arn:aws:ecs:eu-west-1:111122223333:service/shop/{name}",
            "serviceName": "{name}",
            "clusterArn": "arn:aws:ecs:eu-west-1:111122223333:cluster/shop",
            "loadBalancers": [],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": {desired},
            "runningCount": {desired},
            "pendingCount": 0,
            {placement}
            "taskDefinition": "arn:aws:ecs:eu-west-1:111122223333:task-definition/{name}:7",
            "deploymentConfiguration": {{
                "deploymentCircuitBreaker": {{ "enable": true, "rollback": true }}{deploy}
            }},
            "deployments": [
                {{
                    "id": "ecs-svc/1234567890123456789",
                    "status": "PRIMARY",
                    "taskDefinition": "arn:aws:ecs:eu-west-1:111122223333:task-definition/{name}:7",
                    "desiredCount": {desired},
                    "pendingCount": 0,
                    "runningCount": {desired},
                    "failedTasks": 0,
                    "rolloutState": "COMPLETED"
                }}
            ],
            {network}
            "schedulingStrategy": "REPLICA",
            "deploymentController": {{ "type": "ECS" }},
            "enableECSManagedTags": true,
            "propagateTags": "SERVICE"
        }}"#
    )
}

fn services(list: &[String]) -> String {
    format!(
        "{{ \"services\": [{}], \"failures\": [] }}",
        list.join(",\n")
    )
}

fn task_definition(name: &str, mode: Option<&str>, compat: &str) -> String {
    let mode = mode.map_or(String::new(), |m| format!("\"networkMode\": \"{m}\","));
    format!(
        r#"{{
            "taskDefinition": {{
                "taskDefinitionArn": "arn:aws:ecs:eu-west-1:111122223333:task-definition/{name}:7",
                "containerDefinitions": [{{ "name": "{name}", "image": "nginx", "cpu": 256, "memory": 512, "essential": true }}],
                "family": "{name}",
                {mode}
                "revision": 7,
                "status": "ACTIVE",
                "requiresCompatibilities": ["{compat}"]
            }},
            "tags": []
        }}"#
    )
}

const ALL: &[&str] = &["subnet-0a1", "subnet-0b2", "subnet-0c3"];

fn run(services: &str, task_defs: Option<&str>) -> Result<Imported, ImportError> {
    let mut inputs = vec![
        Input {
            kind: InputKind::AwsSubnets,
            file: "subnets.json".into(),
            text: SUBNETS.into(),
        },
        Input {
            kind: InputKind::EcsServices,
            file: "services.json".into(),
            text: services.into(),
        },
    ];
    if let Some(t) = task_defs {
        inputs.push(Input {
            kind: InputKind::EcsTaskDefinitions,
            file: "taskdefs.json".into(),
            text: t.into(),
        });
    }
    import(&inputs, &Overrides::default(), &Catalog::embedded())
}

#[test]
fn services_become_ecs_services_by_launch_type_and_task_definition() {
    let fargate = "\"launchType\": \"FARGATE\", \"platformVersion\": \"1.4.0\",";
    let spot = r#""capacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0 }],"#;
    let ec2 = "\"launchType\": \"EC2\",";
    let text = services(&[
        // Fargate, maximumPercent given
        service(
            "web",
            fargate,
            150,
            ", \"maximumPercent\": 200, \"minimumHealthyPercent\": 100",
            ALL,
        ),
        // Fargate by capacity provider, no maximumPercent: ECS's default 200
        service("worker", spot, 60, "", ALL),
        // EC2 with an awsvpc task definition, maximumPercent 150
        service(
            "orders",
            ec2,
            40,
            ", \"maximumPercent\": 150, \"minimumHealthyPercent\": 50",
            &ALL[..2],
        ),
        // EC2 with a task definition without networkMode: bridge, the ECS default
        service("legacy", ec2, 10, ", \"maximumPercent\": 200", &[]),
        // EC2 whose task definition was not passed, but with an awsvpcConfiguration: awsvpc
        service("batch", ec2, 9, ", \"maximumPercent\": 100", &ALL[2..]),
    ]);
    // two documents in one file, as `for td in ...; do aws ecs describe-task-definition ...; done` writes them
    let defs = format!(
        "{}\n{}",
        task_definition("orders", Some("awsvpc"), "EC2"),
        task_definition("legacy", None, "EC2")
    );
    let imported = run(&text, Some(&defs)).unwrap();
    type Row<'a> = (
        &'a str,
        u32,
        Option<u32>,
        Vec<&'a str>,
        Option<EcsNetworkMode>,
    );
    let got: Vec<Row<'_>> = imported
        .spec
        .ecs_services
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.tasks,
                e.max_percent,
                e.subnets.iter().map(String::as_str).collect(),
                e.network_mode,
            )
        })
        .collect();
    let awsvpc = Some(EcsNetworkMode::Awsvpc);
    assert_eq!(
        got,
        vec![
            (
                "web",
                150,
                Some(200),
                vec!["private-a", "private-b", "private-c"],
                awsvpc
            ),
            (
                "worker",
                60,
                Some(200),
                vec!["private-a", "private-b", "private-c"],
                awsvpc
            ),
            (
                "orders",
                40,
                Some(150),
                vec!["private-a", "private-b"],
                awsvpc
            ),
            ("batch", 9, Some(100), vec!["private-c"], awsvpc),
        ]
    );
    let yaml = imported.to_yaml();
    for line in [
        "  tasks: 150  # services[0] (web) desiredCount",
        "  max_percent: 200  # services[0] (web) deploymentConfiguration.maximumPercent",
        "  max_percent: 200  # services[1] (worker) maximumPercent absent: 200, the ECS default",
        "  network_mode: awsvpc  # services[0] (web) launchType FARGATE: always awsvpc",
        "  network_mode: awsvpc  # services[1] (worker) capacityProviderStrategy FARGATE_SPOT: Fargate is always awsvpc",
        "  network_mode: awsvpc  # arn:aws:ecs:eu-west-1:111122223333:task-definition/orders:7 networkMode",
        "  subnets:  # services[2] (orders) networkConfiguration.awsvpcConfiguration.subnets",
    ] {
        assert!(yaml.contains(line), "no line '{line}' in\n{yaml}");
    }
    let said = imported.assumptions.join("\n");
    assert!(
        said.contains("services[3] (legacy): network mode bridge")
            && said.contains("hold no address of their own"),
        "{said}"
    );
    assert!(
        said.contains("services[4] (batch): launchType EC2 and its task definition")
            && said.contains("is in no --ecs-task-definitions file: network mode awsvpc"),
        "{said}"
    );

    // the written plan reads back and counts the tasks: by hand (AWS ECS developer guide: a deployment runs up
    // to floor(desiredCount * maximumPercent / 100) tasks, spread over the service's subnets):
    // web 150 x 200% = 300 / 3 = 100 per subnet; worker 60 x 200% = 120 / 3 = 40; orders floor(40 x 1.5) = 60
    // over a and b = 30 each; batch 9 x 100% = 9 in c.
    // private-a 100 + 40 + 30 = 170, private-b the same, private-c 100 + 40 + 9 = 149.
    let spec = ipplan_planner::PlanSpec::from_yaml_str(&yaml, "imported.yaml").unwrap();
    let plan = Plan::from_spec(spec, "imported.yaml", &Catalog::embedded()).unwrap();
    let used: Vec<u64> = plan
        .subnets()
        .iter()
        .map(|s| plan.ecs_addresses(s.id()))
        .collect();
    assert_eq!(used, vec![170, 170, 149]);
}

#[test]
fn blue_green_deployments_are_planned_at_200_percent() {
    let text = services(&[service(
        "web",
        "\"launchType\": \"FARGATE\",",
        30,
        ", \"maximumPercent\": 100, \"minimumHealthyPercent\": 0",
        ALL,
    )
    .replace(
        "\"deploymentController\": { \"type\": \"ECS\" }",
        "\"deploymentController\": { \"type\": \"CODE_DEPLOY\" }",
    )]);
    let imported = run(&text, None).unwrap();
    // CODE_DEPLOY starts a full replacement task set beside the old one: 30 + 30 = 60 tasks = 200 %
    assert_eq!(imported.spec.ecs_services[0].max_percent, Some(200));
    assert!(
        imported
            .assumptions
            .iter()
            .any(|a| a.contains("CODE_DEPLOY")
                && a.contains("maximumPercent 100 is not what bounds it")),
        "{:?}",
        imported.assumptions
    );
}

#[test]
fn failures_and_inactive_services_are_listed_not_imported() {
    let fargate = "\"launchType\": \"FARGATE\",";
    let text = format!(
        r#"{{ "services": [{}, {}], "failures": [{{ "arn": "arn:aws:ecs:eu-west-1:111122223333:service/shop/gone", "reason": "MISSING" }}] }}"#,
        service("web", fargate, 3, "", ALL),
        service("old", fargate, 0, "", ALL).replace("\"ACTIVE\"", "\"INACTIVE\"")
    );
    let imported = run(&text, None).unwrap();
    assert_eq!(imported.spec.ecs_services.len(), 1);
    assert!(imported.assumptions.iter().any(|a| a.contains(
        "describe-services could not describe arn:aws:ecs:eu-west-1:111122223333:service/shop/gone (MISSING)"
    )));
    assert_eq!(
        imported.skipped["services.json"]["ECS service INACTIVE (deleted)"],
        1
    );
}

#[test]
fn bad_ecs_output_is_one_error_naming_the_file_and_the_service() {
    let fargate = "\"launchType\": \"FARGATE\",";
    let good = services(&[service("web", fargate, 3, "", ALL)]);
    let err = |text: &str| run(text, None).unwrap_err().to_string();
    // a subnet no describe-subnets page lists
    let e = err(&services(&[service(
        "web",
        fargate,
        3,
        "",
        &["subnet-0a1", "subnet-0ff"],
    )]));
    assert!(
        e.starts_with("services.json: services[0] (web) networkConfiguration.awsvpcConfiguration.subnets: subnet 'subnet-0ff' is in no input"),
        "{e}"
    );
    assert!(e.contains("--aws-subnets"), "{e}");
    // truncated
    let e = err(&good[..good.len() / 2]);
    assert!(e.starts_with("services.json: line "), "{e}");
    assert!(
        e.contains("invalid JSON") && e.contains("describe-services"),
        "{e}"
    );
    // a missing field
    let e = err(&good.replace("\"desiredCount\": 3,", ""));
    assert!(
        e.starts_with("services.json: services[0] (web): no desiredCount"),
        "{e}"
    );
    let e = err(&good.replace("\"serviceName\": \"web\",", ""));
    assert!(
        e.starts_with("services.json: services[0]: no serviceName"),
        "{e}"
    );
    // an awsvpc service without subnets
    let e = err(&services(&[service("web", fargate, 3, "", &[])]));
    assert!(
        e.starts_with(
            "services.json: services[0] (web): no networkConfiguration.awsvpcConfiguration.subnets"
        ),
        "{e}"
    );
    // not describe-services at all
    let e = err(SUBNETS);
    assert!(e.contains("no 'services' list"), "{e}");
    // a task definition file without taskDefinition
    let e = run(&good, Some("{\"services\": []}"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("taskdefs.json: document 1: no 'taskDefinition' object"),
        "{e}"
    );
    // every one is one line
    for text in [
        &good[..40],
        &good.replace("\"desiredCount\": 3,", "\"desiredCount\": -1,"),
    ] {
        assert!(!err(text).contains('\n'));
    }
}

fn tree() -> impl Strategy<Value = serde_json::Value> {
    let words = prop::sample::select(vec![
        "services",
        "failures",
        "serviceName",
        "desiredCount",
        "launchType",
        "FARGATE",
        "EC2",
        "capacityProviderStrategy",
        "capacityProvider",
        "deploymentConfiguration",
        "maximumPercent",
        "deploymentController",
        "type",
        "networkConfiguration",
        "awsvpcConfiguration",
        "subnets",
        "subnet-0a1",
        "taskDefinition",
        "taskDefinitionArn",
        "networkMode",
        "awsvpc",
        "bridge",
        "deployments",
        "runningCount",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (0u64..2000).prop_map(serde_json::Value::from),
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_ecs_documents_never_panic(v in tree(), w in tree(), cut in 0usize..400) {
        let a = serde_json::to_string(&v).unwrap();
        let b = serde_json::to_string(&w).unwrap();
        for (s, t) in [
            (a.clone(), b.clone()),
            (format!("{a}{b}"), a.clone()),
            (a.chars().take(cut).collect(), b.chars().take(cut).collect()),
        ] {
            let _ = run(&s, Some(&t));
        }
    }
}
