//! The importers as a library: each shipped example's import round-trips through the plan reader, and random
//! JSON / YAML never makes an importer panic (it is read or it is one error).

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

/// JSON-ish trees built from the words the importers look for, so random input reaches deep into them.
fn tree() -> impl Strategy<Value = serde_json::Value> {
    let words = prop::sample::select(vec![
        "format_version",
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
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (0u64..200).prop_map(serde_json::Value::from),
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
    fn random_documents_never_panic(v in tree(), cut in 0usize..400) {
        let json = serde_json::to_string(&v).unwrap();
        let yaml = serde_yaml::to_string(&v).unwrap_or_default();
        let cat = Catalog::embedded();
        for (kind, text) in [
            (InputKind::Terraform, json.clone()),
            (InputKind::AwsSubnets, json.clone()),
            (InputKind::Eksctl, yaml.clone()),
            (InputKind::Karpenter, format!("{yaml}\n---\n{yaml}")),
            // truncated text too
            (InputKind::Terraform, json.chars().take(cut).collect()),
            (InputKind::Karpenter, yaml.chars().take(cut).collect()),
        ] {
            let input = Input { kind, file: "random".into(), text };
            let _ = import(&[input], &Overrides::default(), &cat);
        }
    }

    #[test]
    fn random_bytes_never_panic(text in "\\PC{0,300}") {
        let cat = Catalog::embedded();
        for kind in [InputKind::Terraform, InputKind::Eksctl, InputKind::Karpenter, InputKind::AwsSubnets] {
            let input = Input { kind, file: "random".into(), text: text.clone() };
            let _ = import(&[input], &Overrides::default(), &cat);
        }
    }
}
