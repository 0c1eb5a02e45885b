//! Subnet discovery (`ENABLE_SUBNET_DISCOVERY`, `subnets[].tags`) in the closed form and the simulation, and
//! Karpenter's subnet choice (`launch: karpenter`). Every expected number is worked out in the comments from the
//! upstream code:
//! - aws/amazon-vpc-cni-k8s `pkg/awsutils/awsutils.go`: `createENI` lists the subnets of the node's VPC and AZ
//!   (`GetVpcSubnets`, sorted by `AvailableIpAddressCount`, most first, with a stable sort), keeps the node's own
//!   subnet unless it is tagged `kubernetes.io/role/cni=0` and the others tagged `kubernetes.io/role/cni` with
//!   any other value (`isSubnetValidForENICreation`, `subnetDiscoveryTagValueExcluded = "0"`), and calls
//!   `CreateNetworkInterface` in each in turn until one succeeds;
//! - `pkg/ipamd/ipamd.go`: `increaseDatastorePool` tops up first (`tryAssignIPs` / `tryAssignPrefixes`: a failed
//!   `AssignPrivateIpAddresses` is retried once for 1 address or prefix, and with discovery on a failure moves on
//!   to the next ENI), then, when no ENI took any, `tryAllocateENI`; the 120 s back-off
//!   (`insufficientCidrErrorCooldown`) starts at a failed top-up only with discovery off, else at a failed
//!   `AllocENI`.
//!
//! Sizes: a `/L` subnet has `2^(32-L) - 5` usable addresses (awsdocs/amazon-vpc-user-guide `subnet-sizing.md`).
//! m5.large: 3 ENIs x 10 IPv4 addresses, 9 slots per ENI; t3.small: 3 x 4, 3 slots (the embedded instance table,
//! from aws/amazon-vpc-cni-k8s `pkg/vpc/vpc_ip_resource_limit.go`).

mod common;

use common::plan;
use ipplan_core::Catalog;
use ipplan_planner::capacity::FitFailure;
use ipplan_planner::{Plan, check};

fn plan_err(yaml: &str) -> String {
    Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

/// One m5.large with 20 pods, default CNI (`WARM_ENI_TARGET=1`): `ceil(20/9) + 1 = 4` ENIs capped at the type's 3
/// (docs/model.md, "The closed form"), 27 secondary IPs; pods pack 9 + 9 + 2 from the primary ENI on.
/// `nodes-a` is a /27 (27 usable), `pods-a` a /24 (251) in the same AZ with `tags`, `pods-b` a /20 in another AZ
/// tagged too.
fn small_node_subnet(cni: &str, pods_a_tags: &str) -> String {
    format!(
        "cni: {{ {cni} }}
subnets:
  - {{ name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/27 }}
  - {{ name: pods-a, az: us-east-1a, cidr: 100.64.0.0/24, tags: {{ {pods_a_tags} }} }}
  - {{ name: pods-b, az: us-east-1b, cidr: 100.64.16.0/20, tags: {{ kubernetes.io/role/cni: \"1\" }} }}
node_groups:
  - {{ name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 1, pods_per_node: 20 }}
"
    )
}

#[test]
fn check_moves_secondary_enis_to_the_freest_tagged_subnet_of_the_az() {
    // Fixed in nodes-a: the node's address + the primary ENI's 9 IPs = 10 -> 27 - 10 = 17 free.
    // ENI #1 (1 primary + 9 IPs = 10): pods-a has 251 free > 17 -> pods-a (241 free).
    // ENI #2 (10): 241 > 17 -> pods-a again. pods-b is in another AZ: never a candidate.
    let r = check(&plan(&small_node_subnet(
        "",
        "kubernetes.io/role/cni: \"1\"",
    )));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [10, 20, 0]);
    assert!(r.fits());
    let b = &r.subnets[0].breakdown;
    assert_eq!(
        (b.node_primaries, b.pods, b.warm_pool, b.eni_primaries),
        (1, 9, 0, 0)
    );
    let b = &r.subnets[1].breakdown;
    // ENI #1 holds 9 pods, ENI #2 2 pods and 7 warm
    assert_eq!(
        (b.node_primaries, b.pods, b.warm_pool, b.eni_primaries),
        (0, 11, 7, 2)
    );
    assert_eq!(b.total(), 20);
    // More nodes: each keeps 10 in nodes-a, so 2 fit (20 <= 27, 30 > 27); their ENIs all go to pods-a
    // (40 <= 251). 2 nodes is 1 more than planned.
    assert_eq!(r.node_groups[0].max_nodes, 2);
    assert_eq!(r.node_groups[0].additional_nodes, 1);

    // An unquoted tag value is read as its digits: the same plan
    let r2 = check(&plan(&small_node_subnet("", "kubernetes.io/role/cni: 1")));
    assert_eq!(r2.subnets[1].used, 20);
}

#[test]
fn without_discovery_every_eni_stays_in_the_node_subnet() {
    // 1 + 3 x 9 + 2 ENI primaries = 30 addresses in nodes-a, more than its 27: it does not fit, and pods-a stays
    // empty. The same with the tag missing, with value 0, with discovery off, and with a CNI before 1.18.0 (which
    // has no subnet discovery).
    for (cni, tags) in [
        ("", ""),
        ("", "kubernetes.io/role/cni: \"0\""),
        ("", "kubernetes.io/role/cnix: \"1\""),
        ("subnet_discovery: false", "kubernetes.io/role/cni: \"1\""),
        ("version: \"1.17.1\"", "kubernetes.io/role/cni: \"1\""),
    ] {
        let r = check(&plan(&small_node_subnet(cni, tags)));
        let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
        assert_eq!(used, [30, 0, 0], "{cni} {tags}");
        assert_eq!(
            r.subnets[0].first_failure,
            Some(FitFailure::Addresses),
            "{cni} {tags}"
        );
        assert!(!r.fits());
        assert_eq!(r.node_groups[0].max_nodes, 0, "{cni} {tags}");
    }
}

#[test]
fn ties_go_to_the_subnet_listed_first() {
    // Two /24s (251 each). Fixed: 10 in nodes-a -> 241. ENI #1: pods-a 251 > 241 -> pods-a (241). ENI #2: 241 =
    // 241: the stable sort keeps the listed order (DescribeSubnets' order, which ipplan takes as the plan's).
    let yaml = |first: &str, second: &str| {
        format!(
            "subnets:
  - {first}
  - {second}
node_groups:
  - {{ name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 1, pods_per_node: 20 }}
"
        )
    };
    let nodes = "{ name: nodes-a, az: z, cidr: 10.0.0.0/24 }";
    let pods =
        "{ name: pods-a, az: z, cidr: 100.64.0.0/24, tags: { kubernetes.io/role/cni: \"1\" } }";
    let r = check(&plan(&yaml(nodes, pods)));
    assert_eq!((r.subnets[0].used, r.subnets[1].used), (20, 10));
    let r = check(&plan(&yaml(pods, nodes)));
    // (pods-a is listed first now: subnets[0])
    assert_eq!((r.subnets[1].used, r.subnets[0].used), (10, 20));
}

/// `n` held single addresses, one in each of the blocks 1..=n of the /23 at 100.64.0.0 (offset 20 of the block):
/// every prefix-eligible block of a /23 (32 blocks, the first and last never eligible) spoiled.
fn spoilers(n: u32) -> String {
    (1..=n)
        .map(|b| {
            let a = 16 * b + 4;
            format!("100.64.{}.{}", a / 256, a % 256)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn prefix_plan() -> String {
    format!(
        "cni: {{ mode: prefix }}
subnets:
  - {{ name: nodes-a, az: z, cidr: 10.0.0.0/25 }}
  - name: spoiled
    az: z
    cidr: 100.64.0.0/23
    tags: {{ kubernetes.io/role/cni: \"1\" }}
    other_consumers: [{{ what: singles, addresses: 30, at: [{}] }}]
  - {{ name: clean, az: z, cidr: 100.64.2.0/24, tags: {{ kubernetes.io/role/cni: \"1\" }} }}
node_groups:
  - {{ name: g, instance_type: t3.small, subnets: [nodes-a], nodes: 1, pods_per_node: 58, max_pods: 110 }}
",
        spoilers(30)
    )
}

#[test]
fn check_passes_over_a_candidate_the_eni_does_not_fit() {
    // t3.small in prefix mode, WARM_PREFIX_TARGET=1, 58 pods: ceil(58/16) + 1 = 5 prefixes, 3 on the primary ENI
    // and 2 on a second (docs/model.md test vectors: "58 -> 5 (2 ENIs: 3 + 2)").
    // Fixed in nodes-a (/25, 123 usable): the node's address + 3 prefixes = 49 -> 74 free.
    // ENI #1 is 1 primary + 2 prefixes = 33. Free counts: spoiled 507 - 30 = 477, clean 251, nodes-a 74: spoiled
    // first, but the 30 held singles spoil every one of its 30 eligible blocks, so CreateNetworkInterface fails
    // there (InsufficientCidrBlocks) and createENI moves on to clean, which takes it.
    let r = check(&plan(&prefix_plan()));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [49, 30, 33]);
    assert!(r.fits());
    assert_eq!(r.subnets[2].nodes_demand.prefixes, 2);
    assert_eq!(r.subnets[2].nodes_demand.singles, 1);
}

#[test]
fn custom_networking_ignores_the_tags() {
    // Custom networking takes precedence (createENI's `useCustomNetworking` branch): the pod ENIs go to the
    // ENIConfig subnet (pods-x, role pods), whatever the tags say. Under custom networking the primary ENI holds
    // no pods: ceil(20/9) + 1 = 4 capped at the 2 pod ENIs -> 18 IPs + 2 primaries = 20 in pods-x, 1 in nodes-a.
    let r = check(&plan(
        "cni: { custom_networking: true }
subnets:
  - { name: nodes-a, az: z, cidr: 10.0.0.0/27 }
  - { name: pods-a, az: z, cidr: 100.64.0.0/24, tags: { kubernetes.io/role/cni: \"1\" } }
  - { name: pods-x, az: z, cidr: 100.64.1.0/24, role: pods }
node_groups:
  - { name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 1, pods_per_node: 20 }
",
    ));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [1, 0, 20]);
}

#[test]
fn tags_that_cannot_be_modelled_are_errors() {
    // A node subnet tagged kubernetes.io/role/cni=0 takes the primary ENI out of pod use (PR
    // aws/amazon-vpc-cni-k8s#3380, `IsSubnetExcluded`): not modelled, said so.
    let e = plan_err(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, tags: { kubernetes.io/role/cni: \"0\" } }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5 }]
",
    );
    assert_eq!(
        e,
        "plan.yaml: node_groups[0].subnets[0]: subnet 'a' is tagged kubernetes.io/role/cni=0 (no pod addresses \
         from it), which ipplan does not model for a node subnet: remove the tag, or move the pods with \
         custom_networking"
    );
    let e = plan_err(
        "cni: { version: \"1.17.1\", subnet_discovery: true }
subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
",
    );
    assert_eq!(
        e,
        "plan.yaml: cni.subnet_discovery: subnet discovery needs VPC CNI 1.18.0 or later (got 1.17.1): upgrade \
         the CNI or set subnet_discovery: false"
    );
    let e = plan_err("subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, tags: { k: true } }]");
    assert_eq!(
        e,
        "plan.yaml: subnets[0].tags.k: expected a tag value as a string such as \"1\", found 'true': quote it"
    );
    let e = plan_err("subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, tags: [k] }]");
    assert_eq!(
        e,
        "plan.yaml: subnets[0].tags: expected a mapping of keys to values, found a list"
    );
    let e = plan_err(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5, launch: karpentr }]
",
    );
    assert_eq!(
        e,
        "plan.yaml: node_groups[0].launch: unknown launch 'karpentr' (did you mean 'karpenter'?)"
    );
}

#[test]
fn tags_and_launch_round_trip() {
    let yaml = "cni: { subnet_discovery: false }
subnets:
  - { name: a, az: z, cidr: 10.0.0.0/24, tags: { kubernetes.io/role/cni: \"1\", Name: nodes } }
node_groups:
  - { name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5, launch: karpenter }
";
    let spec = ipplan_planner::PlanSpec::from_yaml_str(yaml, "plan.yaml").unwrap();
    assert_eq!(spec.subnets[0].tags["kubernetes.io/role/cni"], "1");
    let text = spec.to_yaml();
    assert!(text.contains("kubernetes.io/role/cni: '1'"), "{text}");
    assert!(text.contains("launch: karpenter"), "{text}");
    assert_eq!(
        ipplan_planner::PlanSpec::from_yaml_str(&text, "plan.yaml").unwrap(),
        spec
    );
}

fn example(path: &str) -> ipplan_planner::import::Input {
    use ipplan_planner::import::InputKind;
    let kind = if path.starts_with("karpenter") {
        InputKind::Karpenter
    } else {
        InputKind::Terraform
    };
    ipplan_planner::import::Input {
        kind,
        file: path.to_string(),
        text: std::fs::read_to_string(format!(
            "{}/../../examples/import/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    }
}

#[test]
fn importers_fill_tags_and_karpenter_launch() {
    use ipplan_planner::import::{Input, InputKind, Overrides, import};
    use ipplan_planner::plan::Launch;
    // `aws ec2 describe-subnets` output (its shape: Subnets[].{SubnetId, AvailabilityZone, CidrBlock, Tags[]})
    let text = r#"{ "Subnets": [
        { "SubnetId": "subnet-0a", "AvailabilityZone": "eu-west-1a", "CidrBlock": "10.1.0.0/24",
          "AvailableIpAddressCount": 251, "VpcId": "vpc-1",
          "Tags": [ { "Key": "Name", "Value": "nodes-a" } ] },
        { "SubnetId": "subnet-0b", "AvailabilityZone": "eu-west-1a", "CidrBlock": "100.64.0.0/20",
          "AvailableIpAddressCount": 4091, "VpcId": "vpc-1",
          "Tags": [ { "Key": "Name", "Value": "pods-a" }, { "Key": "kubernetes.io/role/cni", "Value": "1" } ] }
    ] }"#;
    let inputs = [Input {
        kind: InputKind::AwsSubnets,
        file: "subnets.json".to_string(),
        text: text.to_string(),
    }];
    let imported = import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap();
    let pods = imported
        .spec
        .subnets
        .iter()
        .find(|s| s.name == "pods-a")
        .unwrap();
    assert_eq!(pods.tags["kubernetes.io/role/cni"], "1");
    assert_eq!(pods.tags["Name"], "pods-a");
    let plan =
        Plan::from_spec(imported.spec.clone(), "imported.yaml", &Catalog::embedded()).unwrap();
    let nodes = plan
        .subnets()
        .iter()
        .find(|s| s.name() == "nodes-a")
        .unwrap();
    assert_eq!(plan.discovery_subnets(nodes.id()).len(), 2);

    // Terraform's `aws_subnet` `tags_all` (or `tags`) and a Karpenter NodePool: every NodePool group is
    // `launch: karpenter`, a Terraform managed node group keeps the default
    let inputs = [
        example("karpenter/nodepools.yaml"),
        example("terraform/plan.json"),
    ];
    let imported = import(&inputs, &Overrides::default(), &Catalog::embedded()).unwrap();
    assert!(
        imported
            .spec
            .subnets
            .iter()
            .any(|s| s.tags.contains_key("Name"))
    );
    let launches: Vec<Option<Launch>> =
        imported.spec.node_groups.iter().map(|g| g.launch).collect();
    assert!(launches.contains(&Some(Launch::Karpenter)), "{launches:?}");
    assert!(launches.contains(&None), "{launches:?}");
    assert!(imported.to_yaml().contains("launch: karpenter"));
}

// --- the simulation -------------------------------------------------------------------------------------------

fn sim(yaml: &str) -> ipplan_planner::SimReport {
    let p = plan(yaml);
    ipplan_planner::simulate(&p, &p.scenario())
}

#[test]
fn simulate_creates_each_eni_in_the_freest_candidate() {
    // The plan of `check_moves_secondary_enis_to_the_freest_tagged_subnet_of_the_az`, over time: the node takes its
    // address in nodes-a at launch and fills the primary ENI there (10 used, 17 free); when the pool is low with
    // the primary ENI full, createENI sorts nodes-a (17 free) and pods-a (251) by free addresses: ENI #1 goes to
    // pods-a (241 left), ENI #2 too (241 > 17). No EC2 call fails; the steady state is check's: 10 / 20 / 0.
    let r = sim(&small_node_subnet("", "kubernetes.io/role/cni: \"1\""));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [10, 20, 0]);
    assert!(
        r.subnets
            .iter()
            .all(|s| s.failed_allocations == ipplan_planner::sim::FailureCounts::default())
    );
    assert_eq!(r.pods.still_waiting, 0);
    assert!(r.fits());

    // Without the tag both ENIs go to nodes-a: ENI #1 fits (17 free -> 7), ENI #2 (10 addresses) does not:
    // CreateNetworkInterface fails with InsufficientFreeAddressesInSubnet, and 20 - 9 - 9 = 2 pods never get an
    // address.
    let r = sim(&small_node_subnet("", ""));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [20, 0, 0]);
    assert!(
        r.subnets[0]
            .failed_allocations
            .insufficient_free_addresses_in_subnet
            > 0
    );
    assert_eq!(r.pods.still_waiting, 2);
    assert!(!r.fits());
}

#[test]
fn simulate_counts_each_refused_call_and_moves_on() {
    // The prefix plan of `check_passes_over_a_candidate_the_eni_does_not_fit`. WARM_PREFIX_TARGET=1: the primary
    // ENI takes its 3 prefixes one at a time; then, with no free prefix, `getPrefixesNeeded` asks for 1 and the
    // primary ENI is full, so createENI makes ENI #1 with 1 primary + 1 prefix. Free addresses then: spoiled 477,
    // clean 251, nodes-a 74: CreateNetworkInterface in spoiled fails (InsufficientCidrBlocks: its 30 eligible
    // blocks each hold a single), one failed call; createENI goes on to clean, which takes it (no back-off). The
    // ENI's second prefix is a top-up in clean. Steady: 49 / 30 / 33, as check.
    let r = sim(&prefix_plan());
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [49, 30, 33]);
    let f = &r.subnets[1].failed_allocations;
    assert_eq!(
        (
            f.insufficient_cidr_blocks,
            f.insufficient_free_addresses_in_subnet
        ),
        (1, 0)
    );
    assert_eq!(r.subnets[0].failed_allocations, Default::default());
    assert_eq!(r.subnets[2].failed_allocations, Default::default());
    assert_eq!(r.pods.still_waiting, 0);
}

/// m5.large with `WARM_IP_TARGET=1` and 8 pods in `nodes-a`, a /28 (11 usable) whose other consumers take 5: the
/// node's address and 5 secondary IPs fill it, though its primary ENI could take 9.
fn full_node_subnet(cni: &str, pods_a: &str) -> String {
    format!(
        "cni: {{ warm_ip_target: 1{cni} }}
subnets:
  - {{ name: nodes-a, az: z, cidr: 10.0.0.0/28, other_consumers: [{{ what: x, addresses: 5 }}] }}
  - {{ name: pods-a, az: z, cidr: {pods_a} }}
node_groups:
  - {{ name: web, instance_type: m5.large, subnets: [nodes-a], nodes: 1, pods_per_node: 8 }}
"
    )
}

#[test]
fn with_discovery_a_refused_top_up_goes_on_to_a_new_eni() {
    // WARM_IP_TARGET=1 keeps one free address: before any pod 1 IP, then one more per pod (`short` = 1). Pods
    // 1-4 bring the primary ENI to 5 IPs and nodes-a to 16 - 5 - 5 - 1 - 5 = 0 free. Pod 5 takes the last free IP;
    // `tryAssignIPs` asks EC2 for 1 more on the primary ENI (it has room, 5 < 9): refused, retried for 1,
    // refused (2 failed calls); with discovery the walk goes on, no other ENI, so `tryAllocateENI`: createENI
    // in pods-a (nodes-a has 0 free) with 1 IP. Pods 6, 7, 8 each start a top-up that walks the ENIs in attach
    // order (the simulation's; ipamd's Go map may try ENI #1 first): the primary ENI refuses twice, ENI #1 takes
    // 1. 2 + 3 x 2 = 8 failed calls in nodes-a, every pod has an address, and no back-off held anything up.
    // pods-a: ENI #1's primary + 4 IPs = 5.
    let r = sim(&full_node_subnet(
        "",
        "100.64.0.0/24, tags: { kubernetes.io/role/cni: \"1\" }",
    ));
    let f = &r.subnets[0].failed_allocations;
    assert_eq!(
        (
            f.insufficient_free_addresses_in_subnet,
            f.insufficient_cidr_blocks
        ),
        (8, 0)
    );
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [11, 5]);
    assert_eq!(r.pods.still_waiting, 0);

    // Without discovery the refused top-up returns its error from `tryAssignIPs`: the 120 s back-off starts and
    // ipamd never gets to `tryAllocateENI` (each retry refuses the top-up again). Pods 6-8 never get an address.
    // Pod 5 comes at 80 s (the next test says why); over 600 s the rounds are at 80, 200, 320, 440, 560: 5 rounds
    // of 2 calls.
    let r = sim(&(full_node_subnet(
        ", subnet_discovery: false",
        "100.64.0.0/24, tags: { kubernetes.io/role/cni: \"1\" }",
    ) + "simulate: { duration: 10m }\n"));
    assert_eq!(r.subnets[1].used, 0);
    assert_eq!(r.pods.still_waiting, 3);
    assert_eq!(
        r.subnets[0]
            .failed_allocations
            .insufficient_free_addresses_in_subnet,
        10
    );
    assert_eq!(r.subnets[0].first_failure.as_ref().map(|f| f.t), Some(80));
}

#[test]
fn with_discovery_only_a_refused_eni_starts_the_back_off() {
    // As above, but pods-a is full too (a /28 whose other consumers take its 11 addresses). At pod 5: the top-up
    // is refused twice in nodes-a; createENI sorts nodes-a and pods-a (0 free each: plan order) and is refused
    // in both (the ENI's primary finds no address): 4 failed calls, 3 in nodes-a and 1 in pods-a, and only now the
    // 120 s back-off starts (`insufficientCidrErrorCooldown`); each round after it makes the same 4 calls.
    // Timing: the node is ready at 60 s (`NODE_READY_SECONDS`) and the pods come one a 5 s pool check (each
    // after the pool settled: the 1-IP top-ups take one check), so pod k at 55 + 5k s and pod 5 at 80 s. Over
    // 600 s the rounds are at 80, 200, 320, 440 and 560: 5 rounds, 15 failed calls in nodes-a, 5 in pods-a.
    // Pods 6-8 never get an address.
    let r = sim(&(full_node_subnet(
        "",
        "100.64.0.0/28, tags: { kubernetes.io/role/cni: \"1\" }, other_consumers: [{ what: y, addresses: 11 }]",
    ) + "simulate: { duration: 10m }\n"));
    let a = r.subnets[0]
        .failed_allocations
        .insufficient_free_addresses_in_subnet;
    let b = r.subnets[1]
        .failed_allocations
        .insufficient_free_addresses_in_subnet;
    assert_eq!((a, b), (15, 5));
    let firsts: Vec<u32> = r
        .subnets
        .iter()
        .map(|s| s.first_failure.as_ref().unwrap().t)
        .collect();
    assert_eq!(firsts, [80, 80]);
    assert_eq!(r.pods.still_waiting, 3);
}

// --- Karpenter's subnet choice --------------------------------------------------------------------------------

/// Nodes per subnet after the plan's own peak (no pods: nothing else moves).
fn nodes_per_subnet(yaml: &str) -> Vec<usize> {
    let p = plan(yaml);
    let mut s = ipplan_planner::Simulation::new(&p, &ipplan_planner::Scenario::peak(&p));
    s.run();
    let mut out = vec![0; p.subnets().len()];
    for n in s.node_states() {
        out[n.subnet] += 1;
    }
    out
}

#[test]
fn karpenter_takes_the_freest_subnet_of_the_zone_less_in_flight_launches() {
    // aws/karpenter-provider-aws pkg/providers/subnet/subnet.go, ZonalSubnetsForLaunch: per zone the subnet with
    // the most available addresses, a later one replacing the pick only when strictly greater, with each
    // launch's predicted pods (minPods: m5.large's max pods, 29) taken off the picked subnet while in flight.
    // big is a /25 (123 usable), small a /26 (59); 4 nodes launch at t = 0, each taking 1 address:
    //   node 1: big 123 vs small 59 -> big (in flight 29)
    //   node 2: big 122 - 29 = 93 vs 59 -> big (58)
    //   node 3: big 121 - 58 = 63 vs 59 -> big (87)
    //   node 4: big 120 - 87 = 33 vs 59 -> small
    let yaml = |launch: &str| {
        format!(
            "subnets:
  - {{ name: big, az: a, cidr: 10.0.0.0/25 }}
  - {{ name: small, az: a, cidr: 10.0.1.0/26 }}
node_groups:
  - {{ name: g, instance_type: m5.large, subnets: [big, small], nodes: 4, pods_per_node: 0{launch} }}
"
        )
    };
    assert_eq!(nodes_per_subnet(&yaml(", launch: karpenter")), [3, 1]);
    // a managed node group (or an ASG) balances: the subnet with the fewest of the group's nodes, 2 and 2
    assert_eq!(nodes_per_subnet(&yaml("")), [2, 2]);
    assert_eq!(nodes_per_subnet(&yaml(", launch: balanced")), [2, 2]);
}

#[test]
fn karpenter_balances_the_zones_and_picks_within_each() {
    // Zones as a managed node group balances them (the zone with the fewest of the group's nodes, ties to the
    // zone listed first); within a zone ZonalSubnetsForLaunch's pick. a-big /25 (123), a-small /26 (59), b /26:
    //   node 1: zones a 0, b 0 -> a: a-big 123 vs a-small 59 -> a-big (in flight 29)
    //   node 2: a 1, b 0 -> b (its only subnet)
    //   node 3: a 1, b 1 -> a: a-big 122 - 29 = 93 vs 59 -> a-big
    //   node 4: a 2, b 1 -> b
    let n = nodes_per_subnet(
        "subnets:
  - { name: a-big, az: a, cidr: 10.0.0.0/25 }
  - { name: a-small, az: a, cidr: 10.0.1.0/26 }
  - { name: b, az: b, cidr: 10.0.2.0/26 }
node_groups:
  - { name: g, instance_type: m5.large, subnets: [a-big, a-small, b], nodes: 4, pods_per_node: 0, launch: karpenter }
",
    );
    assert_eq!(n, [2, 0, 2]);
}

#[test]
fn the_subnet_discovery_example_holds_its_numbers() {
    // examples/subnet-discovery.yaml, worked in its header: 304 of 507 in each node subnet, 600 in each pod subnet;
    // without discovery 904 of 507.
    let path = format!(
        "{}/../../examples/subnet-discovery.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let r = check(&plan(&text));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [304, 304, 304, 600, 600, 600]);
    assert_eq!(r.subnets[0].capacity, 507);
    assert!(r.fits());
    let off = text.replace(
        "subnets:\n  - { name: nodes-a",
        "cni: { subnet_discovery: false }\nsubnets:\n  - { name: nodes-a",
    );
    let r = check(&plan(&off));
    let used: Vec<u64> = r.subnets.iter().map(|s| s.used).collect();
    assert_eq!(used, [904, 904, 904, 0, 0, 0]);
    assert!(!r.fits());
}
