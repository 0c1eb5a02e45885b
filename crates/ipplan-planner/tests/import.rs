//! The importers as a library: each shipped example's import round-trips through the plan reader, and random
//! JSON / YAML never makes an importer panic (it is read or it is one error).

mod common;

use common::{assert_assumption, first_subnet_consumers, json_tree};
use ipplan_core::Catalog;
use ipplan_planner::PlanSpec;
use ipplan_planner::import::{Input, InputKind, Overrides, import};
use proptest::prelude::*;

fn example(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../examples/import/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn input(kind: InputKind, path: &str) -> Input {
    Input {
        kind,
        file: path.to_string(),
        text: example(path),
    }
}

#[test]
fn every_example_import_round_trips_through_the_reader() {
    let cases = vec![
        vec![input(InputKind::Terraform, "terraform/plan.json")],
        vec![input(InputKind::Terraform, "terraform/state.json")],
        vec![input(InputKind::Eksctl, "eksctl/cluster.yaml")],
        vec![
            input(InputKind::AwsSubnets, "aws/subnets.json"),
            input(InputKind::AwsEnis, "aws/enis.json"),
        ],
        vec![
            input(InputKind::AwsSubnets, "aws/subnets.json"),
            input(InputKind::AwsEnis, "aws/enis.json"),
            input(InputKind::AwsReservations, "aws/reservations.json"),
            input(InputKind::AwsVpcs, "aws/vpcs.json"),
        ],
        vec![
            input(InputKind::Karpenter, "karpenter/nodepools.yaml"),
            input(InputKind::Terraform, "terraform/plan.json"),
        ],
    ];
    for inputs in cases {
        let imported = import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap();
        let text = imported.to_yaml();
        assert_eq!(
            PlanSpec::from_yaml_str(&text, "imported.yaml").unwrap(),
            imported.spec,
            "{text}"
        );
        // and the same again
        let again = import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap();
        assert_eq!(again.to_yaml(), text);
    }
}

#[test]
fn the_same_subnet_seen_twice_is_one_subnet() {
    // the state's two subnets, also described by describe-subnets: still two subnets, tags joined
    let subnets = r#"{"Subnets": [
        {"SubnetId": "subnet-0bbb2222bbbb2222b", "CidrBlock": "10.1.2.0/24", "AvailabilityZone": "eu-west-1b",
         "Tags": [{"Key": "team", "Value": "web"}]},
        {"SubnetId": "subnet-0aaa1111aaaa1111a", "CidrBlock": "10.1.1.0/24", "AvailabilityZone": "eu-west-1a"}]}"#;
    let inputs = [
        input(InputKind::Terraform, "terraform/state.json"),
        Input {
            kind: InputKind::AwsSubnets,
            file: "subnets.json".into(),
            text: subnets.into(),
        },
    ];
    let imported = import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap();
    assert_eq!(imported.spec.subnets.len(), 2);
    // describe-subnets is read first (sorted by id) and has no Name tag: the state's Name fills it in
    assert_eq!(imported.spec.subnets[0].name, "legacy-private-a");
    assert_eq!(imported.provenance["subnets[0]"].file, "subnets.json");
    assert_eq!(imported.spec.node_groups[0].subnets.len(), 2);
}

/// examples/import/aws: one /24 (16 blocks) and 7 ENIs over two describe-network-interfaces pages, in the shape
/// the AWS CLI prints (EC2 API reference `DescribeNetworkInterfaces`). Worked by hand from the files:
/// - owners: NAT gateway .10, ALB (`ELB app/...`) .20, VPC endpoint .21, Lambda .70, ECS task (`arn:aws:ecs:...`)
///   .100, an instance's primary ENI .130-.133 (no CNI tag: `ec2-instance`), the CNI's secondary ENI
///   (`aws-K8S-...`, tagged) .140 and the prefix .160/28;
/// - blocks: 0 (.10) and 15 are the edge blocks; 1 (.20, .21), 4 (.70), 6 (.100), 8 (.130-.133, .140)
///   fragmented; 10 a prefix; the other 9 free. Score ceil(4 / 13 * 100) = 31, LOW;
/// - 10 singles + 16 = 26 used: 256 - 5 - 26 = 225; describe-subnets' AvailableIpAddressCount is 177, the 48
///   missing addresses being the subnet's CIDR reservations (reservations.json, not passed here; tests/import_aws.rs).
#[test]
fn todays_vpc_from_the_aws_cli() {
    use ipplan_planner::capacity::SubnetBudget;
    use ipplan_planner::{Plan, Scenario, Simulation};
    let inputs = [
        input(InputKind::AwsSubnets, "aws/subnets.json"),
        input(InputKind::AwsEnis, "aws/enis.json"),
    ];
    let imported = import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap();
    let s = &imported.spec.subnets[0];
    assert_eq!(s.name, "private-a");
    let owners: Vec<(&str, u64, Vec<&str>)> = s
        .other_consumers
        .iter()
        .map(|c| {
            (
                c.what.as_str(),
                c.addresses,
                c.at.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("ec2-instance", 4, vec!["10.30.1.130-10.30.1.133"]),
            ("ecs-task", 1, vec!["10.30.1.100"]),
            ("eks-node", 17, vec!["10.30.1.140", "10.30.1.160/28"]),
            ("lambda", 1, vec!["10.30.1.70"]),
            ("load-balancer", 1, vec!["10.30.1.20"]),
            ("nat-gateway", 1, vec!["10.30.1.10"]),
            ("vpc-endpoint", 1, vec!["10.30.1.21"]),
        ]
    );
    // AvailableIpAddressCount: 48 fewer than the ENIs leave, the reservations not being passed
    assert_assumption(&imported, |a| {
        a.contains(
            "describe-subnets counts 177 available addresses, but 256 - 5 reserved - 26 held by the listed ENIs \
             leaves 225: 48 addresses"
        )
    });
    let plan = Plan::from_spec(imported.spec.clone(), "today.yaml", &Catalog::embedded()).unwrap();
    let b = SubnetBudget::of(&plan, plan.subnets()[0].id());
    // 14 prefix-capable blocks less 4 fragmented and 1 prefix
    assert_eq!(b.prefix_blocks, 9);
    assert_eq!(b.usable, 225);
    let mut sim = Simulation::new(&plan, &Scenario::peak(&plan));
    sim.run_until(0);
    let c = sim.allocator(0).unwrap().census();
    assert_eq!(
        (c.free, c.fragmented, c.full, c.reserved, c.prefix),
        (9, 4, 0, 2, 1)
    );
    assert_eq!(c.score(), Some(31));
}

/// `--exclude-cluster orders`: the CNI-tagged ENI (.140 and .160/28) and, through its instance id, the node's
/// untagged primary ENI (.130-.133) are left out: 21 addresses. What stays: .10 (edge block), .20/.21 (block 1),
/// .70 (block 4), .100 (block 6): 3 fragmented, 11 free, ceil(3 / 14 * 100) = 22.
#[test]
fn excluding_the_cluster_leaves_its_nodes_to_the_plan() {
    use ipplan_planner::{Plan, Scenario, Simulation};
    let inputs = [
        input(InputKind::AwsSubnets, "aws/subnets.json"),
        input(InputKind::AwsEnis, "aws/enis.json"),
    ];
    let overrides = Overrides {
        exclude_clusters: vec!["orders".to_string()],
        ..Overrides::default()
    };
    let imported = import(&inputs, &overrides, &Catalog::embedded()).unwrap();
    let whats = first_subnet_consumers(&imported);
    assert_eq!(
        whats,
        [
            "ecs-task",
            "lambda",
            "load-balancer",
            "nat-gateway",
            "vpc-endpoint"
        ]
    );
    assert_assumption(&imported, |a| {
        a.contains("left out 2 ENIs (21 addresses) of 1 nodes")
    });
    // the left-out addresses still count in the AvailableIpAddressCount cross-check: the same 26 held as
    // without --exclude-cluster (the 48 missing are the reservations, not passed here)
    assert_assumption(&imported, |a| {
        a.contains(
            "describe-subnets counts 177 available addresses, but 256 - 5 reserved - 26 held by the listed ENIs \
             leaves 225"
        )
    });
    let plan = Plan::from_spec(imported.spec, "today.yaml", &Catalog::embedded()).unwrap();
    let mut sim = Simulation::new(&plan, &Scenario::peak(&plan));
    sim.run_until(0);
    let c = sim.allocator(0).unwrap().census();
    assert_eq!((c.free, c.fragmented, c.prefix), (11, 3, 0));
    assert_eq!(c.score(), Some(22));
    // another cluster's name leaves everything in
    let other = Overrides {
        exclude_clusters: vec!["payments".to_string()],
        ..Overrides::default()
    };
    let all = import(&inputs, &other, &Catalog::embedded()).unwrap();
    assert_eq!(all.spec.subnets[0].other_consumers.len(), 7);
}

#[test]
fn bad_aws_cli_output_is_one_clear_error() {
    let subnets = example("aws/subnets.json");
    let run = |enis: &str| {
        let inputs = [
            Input {
                kind: InputKind::AwsSubnets,
                file: "subnets.json".into(),
                text: subnets.clone(),
            },
            Input {
                kind: InputKind::AwsEnis,
                file: "enis.json".into(),
                text: enis.into(),
            },
        ];
        import(&inputs, &Overrides::default(), &Catalog::embedded())
            .unwrap_err()
            .to_string()
    };
    let eni = |subnet: &str, addr: &str| {
        format!(
            r#"{{"NetworkInterfaces": [{{"NetworkInterfaceId": "eni-0bb00000000000001", "SubnetId": "{subnet}",
            "InterfaceType": "interface", "PrivateIpAddresses": [{{"Primary": true, "PrivateIpAddress": "{addr}"}}]}}]}}"#
        )
    };
    let e = run(&eni("subnet-0ffffffffffffffff", "10.30.1.50"));
    assert!(
        e.contains("enis.json") && e.contains("eni-0bb00000000000001"),
        "{e}"
    );
    assert!(
        e.contains("'subnet-0ffffffffffffffff' is in no input"),
        "{e}"
    );
    let e = run(&eni("subnet-0a1b2c3d4e5f60001", "10.99.0.5"));
    assert!(e.contains("eni-0bb00000000000001"), "{e}");
    assert!(
        e.contains("address 10.99.0.5 is outside its subnet 10.30.1.0/24"),
        "{e}"
    );
    let e = run(&example("aws/enis.json")[..200]);
    assert!(e.contains("enis.json") && e.contains("invalid JSON"), "{e}");
    let e = run(&subnets);
    assert!(e.contains("no 'NetworkInterfaces' list"), "{e}");
    assert_eq!(e.lines().count(), 1);
}

/// JSON-ish trees built from the words the importers look for, so random input reaches deep into them.
fn tree() -> impl Strategy<Value = serde_json::Value> {
    json_tree(
        vec![
            "format_version",
            "NetworkInterfaces",
            "NetworkInterfaceId",
            "SubnetId",
            "InterfaceType",
            "PrivateIpAddresses",
            "PrivateIpAddress",
            "Ipv4Prefixes",
            "Ipv4Prefix",
            "10.0.0.9",
            "Subnets",
            "CidrBlock",
            "planned_values",
            "values",
            "root_module",
            "resources",
            "child_modules",
            "address",
            "type",
            "name",
            "mode",
            "managed",
            "data",
            "index",
            "aws_subnet",
            "aws_eks_node_group",
            "aws_eks_cluster",
            "aws_eks_addon",
            "aws_vpc",
            "aws_ec2_subnet_cidr_reservation",
            "cidr_block",
            "availability_zone",
            "subnet_ids",
            "subnet_id",
            "instance_types",
            "scaling_config",
            "max_size",
            "vpc_config",
            "configuration",
            "module_calls",
            "module",
            "expressions",
            "references",
            "outputs",
            "expression",
            "constant_value",
            "var.subnet_ids",
            "module.vpc.private_subnets",
            "aws_subnet.private",
            "addon_name",
            "vpc-cni",
            "configuration_values",
            "kubernetes_network_config",
            "ip_family",
            "1.2",
            "10.0.0.0/24",
            "x[0]",
            "apiVersion",
            "kind",
            "metadata",
            "spec",
            "eksctl.io/v1alpha5",
            "ClusterConfig",
            "vpc",
            "subnets",
            "private",
            "public",
            "cidr",
            "id",
            "az",
            "managedNodeGroups",
            "nodeGroups",
            "instanceType",
            "maxSize",
            "privateNetworking",
            "availabilityZones",
            "addons",
            "configurationValues",
            "karpenter.sh/v1",
            "NodePool",
            "karpenter.k8s.aws/v1",
            "EC2NodeClass",
            "template",
            "requirements",
            "key",
            "operator",
            "In",
            "Gt",
            "limits",
            "cpu",
            "nodeClassRef",
            "subnetSelectorTerms",
            "tags",
            "kubelet",
            "maxPods",
            "Subnets",
            "SubnetId",
            "CidrBlock",
            "AvailabilityZone",
            "m5.large",
            "env",
            "ENABLE_PREFIX_DELEGATION",
            "true",
            "SubnetIpv4CidrReservations",
            "SubnetIpv6CidrReservations",
            "SubnetCidrReservationId",
            "Cidr",
            "ReservationType",
            "prefix",
            "explicit",
            "10.0.0.16/28",
            "subnet-1",
            "VpcId",
            "vpc-1",
            "Vpcs",
            "CidrBlockAssociationSet",
            "CidrBlockState",
            "State",
            "associated",
            "Ipv6CidrBlockAssociationSet",
            "10.0.0.0/16",
            "NextToken",
        ],
        0..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_documents_never_panic(v in tree(), cut in 0usize..400) {
        let json = serde_json::to_string(&v).unwrap();
        let yaml = serde_yaml::to_string(&v).unwrap_or_default();
        let cat = Catalog::embedded();
        for (kind, text) in [
            (InputKind::Terraform, json.clone()),
            (InputKind::AwsSubnets, json.clone()),
            (InputKind::AwsEnis, json.clone()),
            (InputKind::AwsEnis, format!("{json}{json}")),
            (InputKind::AwsEnis, json.chars().take(cut).collect()),
            (InputKind::AwsReservations, json.clone()),
            (InputKind::AwsReservations, format!("{json}{json}")),
            (InputKind::AwsReservations, json.chars().take(cut).collect()),
            (InputKind::AwsVpcs, json.clone()),
            (InputKind::AwsVpcs, format!("{json}{json}")),
            (InputKind::AwsVpcs, json.chars().take(cut).collect()),
            (InputKind::Eksctl, yaml.clone()),
            (InputKind::Karpenter, format!("{yaml}\n---\n{yaml}")),
            // truncated text too
            (InputKind::Terraform, json.chars().take(cut).collect()),
            (InputKind::Karpenter, yaml.chars().take(cut).collect()),
        ] {
            let input = Input { kind, file: "random".into(), text };
            let _ = import(&[input], &Overrides::default(), &cat);
        }
        // the AWS readers together, so reservations and VPCs meet random subnets and ENIs
        let aws: Vec<Input> = [InputKind::AwsSubnets, InputKind::AwsEnis, InputKind::AwsReservations, InputKind::AwsVpcs]
            .into_iter()
            .map(|kind| Input { kind, file: "random".into(), text: json.clone() })
            .collect();
        if let Err(e) = import(&aws, &Overrides::default(), &cat) {
            prop_assert_eq!(e.to_string().lines().count(), 1);
        }
    }

    #[test]
    fn random_bytes_never_panic(text in "\\PC{0,300}") {
        let cat = Catalog::embedded();
        for kind in [InputKind::Terraform, InputKind::Eksctl, InputKind::Karpenter, InputKind::AwsSubnets, InputKind::AwsEnis, InputKind::AwsReservations, InputKind::AwsVpcs] {
            let input = Input { kind, file: "random".into(), text: text.clone() };
            let _ = import(&[input], &Overrides::default(), &cat);
        }
    }
}
