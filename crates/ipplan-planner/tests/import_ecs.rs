//! `import --ecs-services [--ecs-task-definitions]`: describe-services / describe-task-definition JSON (the ECS API's
//! response shapes, as the AWS CLI prints them) become `ecs_services[]`, each value with its source; bad or
//! partial JSON is one error naming the file and the service; random JSON never panics.

mod common;

use common::{assert_assumption, input, json_tree};
use ipplan_core::Catalog;
use ipplan_planner::import::{ImportError, Imported, InputKind, Overrides, import};
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

/// The `placement` of a Fargate service.
const FARGATE: &str = "\"launchType\": \"FARGATE\",";

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
        input(InputKind::AwsSubnets, "subnets.json", SUBNETS),
        input(InputKind::EcsServices, "services.json", services),
    ];
    if let Some(t) = task_defs {
        inputs.push(input(InputKind::EcsTaskDefinitions, "taskdefs.json", t));
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
        FARGATE,
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
    assert_assumption(&imported, |a| {
        a.contains("CODE_DEPLOY") && a.contains("maximumPercent 100 is not what bounds it")
    });
}

#[test]
fn failures_and_inactive_services_are_listed_not_imported() {
    let text = format!(
        r#"{{ "services": [{}, {}], "failures": [{{ "arn": "arn:aws:ecs:eu-west-1:111122223333:service/shop/gone", "reason": "MISSING" }}] }}"#,
        service("web", FARGATE, 3, "", ALL),
        service("old", FARGATE, 0, "", ALL).replace("\"ACTIVE\"", "\"INACTIVE\"")
    );
    let imported = run(&text, None).unwrap();
    assert_eq!(imported.spec.ecs_services.len(), 1);
    assert_assumption(&imported, |a| {
        a.contains(
            "describe-services could not describe arn:aws:ecs:eu-west-1:111122223333:service/shop/gone (MISSING)",
        )
    });
    assert_eq!(
        imported.skipped["services.json"]["ECS service INACTIVE (deleted)"],
        1
    );
}

#[test]
fn bad_ecs_output_is_one_error_naming_the_file_and_the_service() {
    let good = services(&[service("web", FARGATE, 3, "", ALL)]);
    let err = |text: &str| run(text, None).unwrap_err().to_string();
    // a subnet no describe-subnets page lists
    let e = err(&services(&[service(
        "web",
        FARGATE,
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
    let e = err(&services(&[service("web", FARGATE, 3, "", &[])]));
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
    json_tree(
        vec![
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
        ],
        0..2000,
    )
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

/// One describe-network-interfaces entry as EC2 lists a Fargate task's ENI (`Description` names the task's
/// attachment; `RequesterManaged`; no tags: ECS does not tag task ENIs, aws/containers-roadmap#567), or an
/// interface endpoint's.
fn eni(n: usize, subnet: &str, addr: &str, endpoint: bool) -> String {
    let (desc, kind) = if endpoint {
        (
            "VPC Endpoint Interface vpce-0aa11bb22cc33dd44",
            "vpc_endpoint",
        )
    } else {
        (
            "arn:aws:ecs:eu-west-1:111122223333:attachment/5f1e7d56-0c1a-4c9e-9a3b-6f2d0e1c9b01",
            "interface",
        )
    };
    format!(
        r#"{{
            "AvailabilityZone": "eu-west-1a",
            "Description": "{desc}",
            "Groups": [{{ "GroupName": "tasks", "GroupId": "sg-0123456789abcdef0" }}],
            "InterfaceType": "{kind}",
            "Ipv6Addresses": [],
            "MacAddress": "06:00:00:00:{:02x}:{:02x}",
            "NetworkInterfaceId": "eni-{n:017x}",
            "OwnerId": "111122223333",
            "PrivateIpAddress": "{addr}",
            "PrivateIpAddresses": [{{ "Primary": true, "PrivateIpAddress": "{addr}" }}],
            "RequesterId": "578734482556",
            "RequesterManaged": true,
            "SourceDestCheck": true,
            "Status": "in-use",
            "SubnetId": "{subnet}",
            "TagSet": [],
            "VpcId": "vpc-0e1"
        }}"#,
        n / 256,
        n % 256
    )
}

/// `tasks` task ENIs at 10.60.1.10 onwards in subnet-0a1 (private-a), and two endpoint ENIs at .200 and .201.
fn enis(tasks: usize) -> String {
    let mut list: Vec<String> = (0..tasks)
        .map(|k| eni(k, "subnet-0a1", &format!("10.60.1.{}", 10 + k), false))
        .collect();
    list.push(eni(900, "subnet-0a1", "10.60.1.200", true));
    list.push(eni(901, "subnet-0a1", "10.60.1.201", true));
    format!("{{ \"NetworkInterfaces\": [{}] }}", list.join(",\n"))
}

fn run_with_enis(services: Option<&str>, enis: &str) -> Imported {
    let mut inputs = vec![
        input(InputKind::AwsSubnets, "subnets.json", SUBNETS),
        input(InputKind::AwsEnis, "enis.json", enis),
    ];
    if let Some(s) = services {
        inputs.push(input(InputKind::EcsServices, "services.json", s));
    }
    import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap()
}

fn used_per_subnet(imported: &Imported) -> Vec<u64> {
    let yaml = imported.to_yaml();
    let plan = Plan::from_yaml_str(&yaml, "imported.yaml", &Catalog::embedded()).unwrap();
    let report = ipplan_planner::capacity::check(&plan);
    report.subnets.iter().map(|s| s.used).collect()
}

#[test]
fn ecs_task_enis_are_the_services_tasks_counted_once() {
    // web: 12 tasks in private-a and private-b, maximumPercent 200: peak 24, 12 per subnet; 6 run in each today
    let text = services(&[service(
        "web",
        FARGATE,
        12,
        ", \"maximumPercent\": 200",
        &ALL[..2],
    )]);
    // 6 task ENIs in private-a (10.60.1.10-15) and two endpoint ENIs
    let alone = run_with_enis(None, &enis(6));
    let both = run_with_enis(Some(&text), &enis(6));
    // without the services the 6 task ENIs are other consumers: 6 + 2 in private-a
    assert_eq!(used_per_subnet(&alone), vec![8, 0, 0]);
    // with them they are web's tasks: private-a holds max(12 share, 6 held) = 12 of web plus the 2 endpoints,
    // not 12 + 6 + 2 = 20; private-b web's 12
    assert_eq!(used_per_subnet(&both), vec![14, 12, 0]);
    let web = &both.spec.ecs_services[0];
    assert_eq!(web.at, vec!["10.60.1.10-10.60.1.15".to_string()]);
    let a = &both.spec.subnets[0];
    assert_eq!(
        a.other_consumers
            .iter()
            .map(|c| (c.what.as_str(), c.addresses))
            .collect::<Vec<_>>(),
        vec![("vpc-endpoint", 2)]
    );
    // the written plan says where the positions came from, and why
    let yaml = both.to_yaml();
    assert!(
        yaml.contains(
            "  at:  # ECS task ENIs in its subnets, given by subnet\n  - 10.60.1.10-10.60.1.15\n"
        ),
        "{yaml}"
    );
    assert_assumption(&both, |s| {
        s.starts_with("subnet-0a1: its ECS task ENIs are the imported services' tasks")
            && s.contains("(6 web)")
    });
    // the AvailableIpAddressCount cross-check still counts them: the fixture says 251 available in private-a, but
    // 251 - 8 held by the listed ENIs leaves 243: a difference of 8, task ENIs included
    assert_assumption(&both, |s| {
        s.starts_with(
            "subnet-0a1: describe-subnets counts 251 available addresses, but 256 - 5 reserved - 8 held"
        )
    });
}

#[test]
fn task_enis_beyond_the_services_peak_stay_other_consumers() {
    // web: 4 tasks over 2 subnets at maximumPercent 100: peak 4, 2 per subnet, 2 run in each today
    let text = services(&[service(
        "web",
        FARGATE,
        4,
        ", \"maximumPercent\": 100",
        &ALL[..2],
    )]);
    // 5 task ENIs in private-a: web takes 2 (its share), 3 are someone else's tasks
    let both = run_with_enis(Some(&text), &enis(5));
    assert_eq!(
        both.spec.ecs_services[0].at,
        vec!["10.60.1.10-10.60.1.11".to_string()]
    );
    let a = &both.spec.subnets[0];
    let task = a
        .other_consumers
        .iter()
        .find(|c| c.what == "ecs-task")
        .unwrap();
    assert_eq!(
        (task.addresses, task.at.clone()),
        (3, vec!["10.60.1.12-10.60.1.14".to_string()])
    );
    // private-a: web 2 + 3 other tasks + 2 endpoints = 7; private-b web's 2
    assert_eq!(used_per_subnet(&both), vec![7, 2, 0]);
    assert_assumption(&both, |s| {
        s.contains(
            "subnet-0a1: 3 addresses of ECS task ENIs are more than the imported services' tasks there hold"
        )
    });
}

#[test]
fn two_services_share_a_subnets_task_enis_by_todays_tasks_first() {
    // web: 6 tasks over a and b (3 each today, peak 12: 6 each); api: 4 tasks in a only (4 today, peak 8)
    let text = services(&[
        service("web", FARGATE, 6, "", &ALL[..2]),
        service("api", FARGATE, 4, "", &ALL[..1]),
    ]);
    // 7 task ENIs in private-a: web takes its 3 of today (.10-.12), api its 4 (.13-.16)
    let both = run_with_enis(Some(&text), &enis(7));
    assert_eq!(
        both.spec.ecs_services[0].at,
        vec!["10.60.1.10-10.60.1.12".to_string()]
    );
    assert_eq!(
        both.spec.ecs_services[1].at,
        vec!["10.60.1.13-10.60.1.16".to_string()]
    );
    // private-a: web max(6, 3) + api max(8, 4) + 2 endpoints = 16; private-b: web 6
    assert_eq!(used_per_subnet(&both), vec![16, 6, 0]);
}

#[test]
fn ecs_at_in_a_plan_is_checked_like_other_consumers_at() {
    let base = "subnets:\n  - { name: a, az: z1, cidr: 10.0.1.0/24, other_consumers: [{ what: alb, addresses: 2, at: [10.0.1.50-10.0.1.51] }] }\n  - { name: b, az: z2, cidr: 10.0.2.0/24 }\necs_services:\n  - { name: web, tasks: 4, subnets: [a, b], ";
    let plan = |rest: &str| {
        Plan::from_yaml_str(
            &format!("{base}{rest} }}\n"),
            "p.yaml",
            &Catalog::embedded(),
        )
    };
    let err = |rest: &str| plan(rest).unwrap_err().to_string();
    // 4 tasks x 200% = 8, 4 per subnet; 6 run in a today: a holds 6 of web, b 4
    let p = plan("at: [10.0.1.20-10.0.1.25]").unwrap();
    let (a, b) = (p.subnets()[0].id(), p.subnets()[1].id());
    assert_eq!((p.ecs_addresses(a), p.ecs_addresses(b)), (6, 4));
    assert_eq!(p.subnets()[0].held().singles().count(), 2 + 6);
    for (rest, want) in [
        (
            "at: [10.0.3.5]",
            "ecs_services[0].at[0]: '10.0.3.5' is in none of the service's subnets (a, b)",
        ),
        (
            "at: [10.0.1.51]",
            "ecs_services[0].at[0]: '10.0.1.51' overlaps an address subnet 'a' lists in other_consumers[].at",
        ),
        (
            "at: [10.0.1.48/28]",
            "ecs_services[0].at[0]: '10.0.1.48/28' is a /28 prefix",
        ),
        (
            "at: [10.0.1.2]",
            "ecs_services[0].at[0]: '10.0.1.2' holds an address AWS reserves",
        ),
        (
            "at: [10.0.2.9, 10.0.2.8-10.0.2.9]",
            "ecs_services[0].at[1]: overlaps ecs_services[0].at[0]",
        ),
        (
            "network_mode: bridge, at: [10.0.1.9]",
            "ecs_services[0].at: only awsvpc tasks hold addresses",
        ),
    ] {
        let e = err(rest);
        assert!(e.contains(want), "{rest}: {e}");
    }
}

#[test]
fn shift_steps_do_not_hold_todays_task_positions() {
    // prefix mode, one /24 for nodes and ECS: web's 12 tasks run today at .20, .36, ..., .196 (one in each of the
    // blocks 1 to 12). At the last step of a shift (100 % on EKS) ECS runs no task, so those places are free again;
    // at a step the tasks left are some of today's, which ones is unknown: a step counts the service as without
    // `at`. By hand at weight 100 (docs/model.md, prefix mode): 2 m5.large with 20 pods hold
    // min(ceil(20/16) + 1, .., ceil(110/16)) = 3 prefixes each: 6 prefixes + 2 primaries; a /24 has 14
    // prefix-eligible blocks, the 2 singles spoil at most 2: 12 free >= 6, it fits.
    let at: Vec<String> = (1..=12).map(|k| format!("10.0.1.{}", 16 * k + 4)).collect();
    let plan = |at: &str| {
        let text = format!(
            "cni: {{ mode: prefix }}\nsubnets:\n  - {{ name: a, az: z1, cidr: 10.0.1.0/24 }}\n\
             ecs_services:\n  - {{ name: web, tasks: 12, subnets: [a]{at} }}\n\
             node_groups:\n  - {{ name: g, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 20 }}\n\
             migration: {{ overlap: shift, weights: [50, 100] }}\n"
        );
        let p = Plan::from_yaml_str(&text, "p.yaml", &Catalog::embedded()).unwrap();
        serde_json::to_value(
            ipplan_planner::capacity::check(&p).subnets[0]
                .migration
                .clone(),
        )
        .unwrap()
    };
    let with_at = plan(&format!(", at: [{}]", at.join(", ")));
    let without = plan("");
    assert_eq!(with_at["steps"], without["steps"]);
    let last = &with_at["steps"][1];
    assert_eq!(
        (&last["weight"], &last["ecs"], &last["eks"], &last["fits"]),
        (&100.into(), &0.into(), &98.into(), &true.into())
    );
}

/// A service may name its task definition as `family:revision` (ECS API reference, `CreateService.taskDefinition`:
/// "The family and revision (family:revision) or full ARN"): `legacy:7` finds the definition whose ARN ends in
/// `task-definition/legacy:7`, so its `host` network mode is read (the service is not imported) instead of the
/// no-task-definition assumption; a revision no file has is that assumption.
#[test]
fn a_task_definition_named_by_family_and_revision_is_found() {
    let ec2 = r#""launchType": "EC2","#;
    let named = |td: &str| {
        services(&[service("legacy", ec2, 10, "", &[]).replace(
        "\"taskDefinition\": \"arn:aws:ecs:eu-west-1:111122223333:task-definition/legacy:7\",\n            \"deploymentConfiguration\"",
        &format!("\"taskDefinition\": \"{td}\",\n            \"deploymentConfiguration\""),
    )])
    };
    assert!(named("legacy:7").contains("\"taskDefinition\": \"legacy:7\""));
    let defs = task_definition("legacy", Some("host"), "EC2");
    let found = run(&named("legacy:7"), Some(&defs)).unwrap();
    assert!(found.spec.ecs_services.is_empty());
    assert_assumption(&found, |a| a.contains("network mode host"));
    assert!(
        !found
            .assumptions
            .iter()
            .any(|a| a.contains("is in no --ecs-task-definitions file"))
    );
    let missing = run(&named("legacy:8"), Some(&defs)).unwrap();
    assert_assumption(&missing, |a| {
        a.contains("its task definition legacy:8 is in no --ecs-task-definitions file")
    });
}
