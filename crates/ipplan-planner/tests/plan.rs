//! The plan file: parsing, defaults, and every validation error as the full one-line message
//! (file, field path, fix). Expected defaults come from the VPC CNI's shipped manifest (aws/amazon-vpc-cni-k8s
//! `config/master/aws-k8s-cni.yaml`, v1.23.1 `b52188387f2e`) and the EKS control plane's subnet needs
//! (awsdocs/amazon-eks-user-guide `network-reqs.adoc`); max pods from awslabs/amazon-eks-ami
//! `templates/al2/runtime/max-pods-calculator.sh` (`0ab842803d82`). docs/model.md explains each.

use ipplan_core::{AddressMode, Catalog, CniVersion};
use ipplan_planner::plan::{
    MaxPodsSpec, PlanWarning, PodsSpec, ReservationType as ReservationKind, SubnetId, SubnetRole,
};
use ipplan_planner::{Plan, PlanError};

/// The id of the `i`-th subnet.
fn id(p: &Plan, i: usize) -> SubnetId {
    p.subnets()[i].id()
}

const BASE: &str = "\
vpc:
  cidrs: [10.0.0.0/16, 100.64.0.0/16]
cni:
  mode: prefix
  version: \"1.19.0\"
subnets:
  - name: nodes-a
    az: us-east-1a
    cidr: 10.0.0.0/20
    reservations:
      - { cidr: 10.0.8.0/22, type: prefix }
      - { cidr: 10.0.0.16/28, type: explicit }
    other_consumers:
      - { what: alb, addresses: 8 }
  - name: nodes-b
    az: us-east-1b
    cidr: 10.0.16.0/20
  - name: nodes-c
    az: us-east-1c
    cidr: 10.0.32.0/20
control_plane:
  subnets: [nodes-a, nodes-b]
node_groups:
  - name: general
    instance_type: m5.large
    subnets: [nodes-a, nodes-b, nodes-c]
    nodes: 6
    pods_per_node: 30
  - name: batch
    instance_type: c6i.4xlarge
    subnets: [nodes-a, nodes-b]
    nodes: 4
    surge: 1
    pods: 300
    max_pods: 110
";

fn load(text: &str) -> Result<Plan, PlanError> {
    Plan::from_yaml_str(text, "plan.yaml", &Catalog::embedded())
}

/// BASE with one exact substring replaced (the substring must be there).
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE lacks {from:?}");
    BASE.replacen(from, to, 1)
}

fn err(text: &str) -> String {
    let e = load(text)
        .expect_err("the plan should be rejected")
        .to_string();
    assert!(!e.contains('\n'), "one line: {e}");
    e
}

#[test]
fn base_plan_parses_with_defaults() {
    let p = load(BASE).unwrap();
    assert_eq!(p.file(), "plan.yaml");
    assert_eq!(p.vpc_cidrs().len(), 2);
    // cni: given fields, the rest the shipped manifest's (docs/model.md, "CNI settings and timers")
    assert_eq!(p.cni().mode, AddressMode::Prefix);
    assert_eq!(p.cni().version, Some(CniVersion::new(1, 19, 0)));
    assert_eq!(
        (p.cni().warm_eni_target, p.cni().warm_prefix_target),
        (1, 1)
    );
    assert_eq!(
        (p.cni().warm_ip_target, p.cni().minimum_ip_target),
        (None, None)
    );
    assert!(!p.cni().custom_networking && !p.cni().pod_security_groups);

    assert_eq!(p.subnets().len(), 3);
    let a = &p.subnets()[0];
    assert_eq!((a.name(), a.az()), ("nodes-a", "us-east-1a"));
    assert_eq!(a.role(), SubnetRole::Both);
    assert_eq!(a.reservations()[0].kind, ReservationKind::Prefix);
    assert_eq!(a.reservations()[1].kind, ReservationKind::Explicit);
    assert_eq!(a.reservations()[1].cidr.to_string(), "10.0.0.16/28");
    assert_eq!(a.other_consumers()[0].addresses, 8);

    // control plane: default 4 ENIs (EKS creates 2-4, network-reqs.adoc); 2 subnets -> 2 * ceil(4/2) = 4 each
    let cp = p.control_plane().unwrap();
    let ids: Vec<usize> = cp.subnets().iter().map(|s| s.index()).collect();
    assert_eq!((ids, cp.enis()), (vec![0, 1], 4));
    assert_eq!(
        (
            p.control_plane_addresses(id(&p, 0)),
            p.control_plane_addresses(id(&p, 2))
        ),
        (4, 0)
    );

    let g = &p.node_groups()[0];
    assert_eq!(g.instance().name, "m5.large");
    assert_eq!(
        g.subnets().iter().map(|s| s.index()).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert_eq!((g.nodes(), g.surge()), (6, 0));
    assert_eq!(g.pods(), PodsSpec::PerNode(30));
    assert_eq!(g.max_pods_spec(), MaxPodsSpec::Auto);
    assert_eq!((g.host_network_pods(), g.branch_pods_per_node()), (2, 0));
    // m5.large, prefix delegation, CNI >= 1.9: 110 (uncapped 434), max-pods-calculator.sh
    assert_eq!(g.max_pods(), 110);
    assert_eq!(g.max_nodes_per_subnet(), 2); // 6 over 3

    let b = &p.node_groups()[1];
    assert_eq!(b.pods(), PodsSpec::Total(300));
    assert_eq!(b.pods_per_node(), 75); // 300 / 4
    assert_eq!(b.max_pods_spec(), MaxPodsSpec::Fixed(110));
    assert_eq!(b.peak_nodes(), 5);
    assert_eq!(b.max_nodes_per_subnet(), 3); // ceil(5 / 2)

    assert_eq!(p.headroom_percent(), 20);
    assert!(!p.has_scenario());
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
}

#[test]
fn json_reads_the_same_plan() {
    let v: serde_json::Value = serde_yaml::from_str(BASE).unwrap();
    let json = serde_json::to_string_pretty(&v).unwrap();
    let cat = Catalog::embedded();
    let from_yaml = load(BASE).unwrap();
    let from_json = Plan::from_json_str(&json, "plan.json", &cat).unwrap();
    assert_eq!(from_json.file(), "plan.json");
    assert_eq!(from_json.spec(), from_yaml.spec());
    assert_eq!(from_json.node_groups(), from_yaml.node_groups());
    // auto: by extension, else by the first character
    assert!(Plan::from_str_auto(&json, "x.JSON", &cat).is_ok());
    assert!(Plan::from_str_auto(&json, "stdin", &cat).is_ok());
    assert!(Plan::from_str_auto(BASE, "stdin", &cat).is_ok());
    let e = Plan::from_str_auto("{\"subnets\": [", "plan.json", &cat).unwrap_err();
    assert!(
        e.to_string().starts_with("plan.json: invalid JSON: "),
        "{e}"
    );
    // an unknown key in JSON reads like YAML's
    let bad = json.replace("\"pods_per_node\"", "\"pod_per_node\"");
    assert_eq!(
        Plan::from_json_str(&bad, "plan.json", &cat)
            .unwrap_err()
            .to_string(),
        "plan.json: unknown field 'pod_per_node' in node_groups[0] (did you mean 'pods_per_node'?)"
    );
}

#[test]
fn simulate_is_validated_with_the_plan_and_headroom_read() {
    let p = load(&format!(
        "{BASE}headroom_percent: 35\nsimulate: {{ seed: 7 }}\n"
    ))
    .unwrap();
    assert_eq!(p.headroom_percent(), 35);
    assert!(p.has_scenario());
    assert_eq!(p.scenario().seed, 7);
    // a bad `simulate:` section fails loading the plan (one pass), not a later step
    assert_eq!(
        err(&format!(
            "{BASE}simulate: {{ seed: 7, anything: [1, 2] }}\n"
        )),
        "plan.yaml: unknown field 'anything' in simulate (known fields: duration, seed, tick, placement, \
         pod_addresses, wait_threshold, sample, events)"
    );
}

#[test]
fn unknown_keys_are_named_with_a_suggestion() {
    // the issue's own example
    assert_eq!(
        err(&with(
            "  mode: prefix\n",
            "  mode: prefix\n  warm_eni_targt: 2\n"
        )),
        "plan.yaml: unknown field 'warm_eni_targt' in cni (did you mean 'warm_eni_target'?)"
    );
    assert_eq!(
        err(&with("type: prefix", "typ: prefix")),
        "plan.yaml: unknown field 'typ' in subnets[0].reservations[0] (did you mean 'type'?)"
    );
    assert_eq!(
        err(&format!("{BASE}node_group: []\n")),
        "plan.yaml: unknown field 'node_group' at the top level (did you mean 'node_groups'?)"
    );
    assert_eq!(
        err(&format!("{BASE}colour: red\n")),
        "plan.yaml: unknown field 'colour' at the top level (known fields: vpc, cni, subnets, \
         control_plane, node_groups, headroom_percent, simulate, ecs_services, migration)"
    );
}

#[test]
fn unknown_subnet_name() {
    // the issue's own example
    assert_eq!(
        err(&with(
            "subnets: [nodes-a, nodes-b]\n    nodes: 4",
            "subnets: [nodes-d, nodes-b]\n    nodes: 4"
        )),
        "plan.yaml: node_groups[1].subnets[0]: unknown subnet 'nodes-d' (known: nodes-a, nodes-b, nodes-c)"
    );
    assert_eq!(
        err(&with(
            "control_plane:\n  subnets: [nodes-a, nodes-b]",
            "control_plane:\n  subnets: [nodes-a, cp-b]"
        )),
        "plan.yaml: control_plane.subnets[1]: unknown subnet 'cp-b' (known: nodes-a, nodes-b, nodes-c)"
    );
}

#[test]
fn overlapping_subnets() {
    assert_eq!(
        err(&with("cidr: 10.0.32.0/20", "cidr: 10.0.16.0/24")),
        "plan.yaml: subnets[2].cidr: '10.0.16.0/24' overlaps subnets[1] 'nodes-b' (10.0.16.0/20): give each \
         subnet its own range"
    );
}

#[test]
fn subnet_outside_the_vpc() {
    assert_eq!(
        err(&with("cidr: 10.0.32.0/20", "cidr: 10.1.0.0/20")),
        "plan.yaml: subnets[2].cidr: '10.1.0.0/20' is outside vpc.cidrs (10.0.0.0/16, 100.64.0.0/16): move it \
         into a VPC block or add its block to vpc.cidrs"
    );
    // without vpc.cidrs anything goes
    let no_vpc = with("vpc:\n  cidrs: [10.0.0.0/16, 100.64.0.0/16]\n", "")
        .replace("cidr: 10.0.32.0/20", "cidr: 10.1.0.0/20");
    assert!(load(&no_vpc).is_ok());
}

#[test]
fn pods_exactly_one_of_two() {
    assert_eq!(
        err(&with(
            "pods_per_node: 30",
            "pods_per_node: 30\n    pods: 180"
        )),
        "plan.yaml: node_groups[0]: give exactly one of 'pods_per_node' and 'pods' (the group's total), not both"
    );
    assert_eq!(
        err(&with("    pods_per_node: 30\n", "")),
        "plan.yaml: node_groups[0]: missing pod count: give 'pods_per_node' or 'pods' (the group's total)"
    );
}

#[test]
fn bad_cidr_text() {
    assert_eq!(
        err(&with("cidr: 10.0.32.0/20", "cidr: 10.0.32/20")),
        "plan.yaml: subnets[2].cidr: invalid CIDR '10.0.32/20': expected an IPv4 network such as 10.0.0.0/24"
    );
    assert_eq!(
        err(&with("cidr: 10.0.32.0/20", "cidr: 10.0.32.5/20")),
        "plan.yaml: subnets[2].cidr: '10.0.32.5/20' is not the network address of the subnet: use '10.0.32.0/20'"
    );
    assert_eq!(
        err(&with("cidrs: [10.0.0.0/16,", "cidrs: [10.0.0.0/12,")),
        "plan.yaml: vpc.cidrs[0]: '10.0.0.0/12' is larger than /16: AWS VPC blocks are /16 to /28, split it \
         into /16 or smaller"
    );
}

#[test]
fn subnet_size_limits() {
    // awsdocs/amazon-vpc-user-guide doc_source/subnet-sizing.md: /16 to /28
    assert_eq!(
        err(&with("cidr: 10.0.32.0/20", "cidr: 10.0.32.0/29")),
        "plan.yaml: subnets[2].cidr: '10.0.32.0/29' is smaller than /28: AWS subnets are /16 to /28, use a /28 \
         or larger"
    );
    assert!(load(&with("cidr: 10.0.32.0/20", "cidr: 10.0.32.0/28")).is_ok());
}

#[test]
fn reservation_rules() {
    assert_eq!(
        err(&with(
            "10.0.0.16/28, type: explicit",
            "10.0.16.0/28, type: explicit"
        )),
        "plan.yaml: subnets[0].reservations[1].cidr: '10.0.16.0/28' is outside the subnet 10.0.0.0/20: use a \
         range inside it"
    );
    assert_eq!(
        err(&with(
            "10.0.8.0/22, type: prefix",
            "10.0.8.0/29, type: prefix"
        )),
        "plan.yaml: subnets[0].reservations[0].cidr: a prefix reservation must hold whole /28 blocks but \
         '10.0.8.0/29' is /29: use /28 or larger, or type 'explicit'"
    );
    assert_eq!(
        err(&with(
            "10.0.0.16/28, type: explicit",
            "10.0.9.0/28, type: explicit"
        )),
        "plan.yaml: subnets[0].reservations[1].cidr: '10.0.9.0/28' overlaps reservations[0] (10.0.8.0/22): \
         reservations must not overlap"
    );
    assert_eq!(
        err(&with("type: prefix", "type: prefx")),
        "plan.yaml: subnets[0].reservations[0].type: unknown reservation type 'prefx' (did you mean 'prefix'?)"
    );
    // an explicit /29 is fine
    assert!(
        load(&with(
            "10.0.0.16/28, type: explicit",
            "10.0.0.16/29, type: explicit"
        ))
        .is_ok()
    );
}

#[test]
fn max_pods_auto_or_a_number() {
    for bad in ["lots", "Auto", "0", "-3", "110.5"] {
        assert_eq!(
            err(&with("max_pods: 110", &format!("max_pods: {bad}"))),
            format!(
                "plan.yaml: node_groups[1].max_pods: expected 'auto', 'karpenter' or a whole number of pods such \
                 as 110, found '{bad}'"
            )
        );
    }
    let p = load(&with("max_pods: 110", "max_pods: auto")).unwrap();
    // c6i.4xlarge (16 vCPUs) with prefix delegation: capped at 110 (max-pods-calculator.sh: <= 30 vCPUs)
    assert_eq!(p.node_groups()[1].max_pods(), 110);
}

const CUSTOM: &str = "\
cni: { custom_networking: true }
subnets:
  - { name: nodes-a, az: us-east-1a, cidr: 10.0.0.0/24, role: nodes }
  - { name: nodes-b, az: us-east-1b, cidr: 10.0.1.0/24, role: nodes }
  - { name: both-a, az: us-east-1a, cidr: 10.0.2.0/24 }
  - { name: pods-a, az: us-east-1a, cidr: 100.64.0.0/18, role: pods }
  - { name: pods-b, az: us-east-1b, cidr: 100.64.64.0/18, role: pods }
node_groups:
  - { name: g, instance_type: m5.large, subnets: [nodes-a, nodes-b], nodes: 4, pods_per_node: 10 }
";

#[test]
fn custom_networking_pod_subnets() {
    let p = load(CUSTOM).unwrap();
    // in us-east-1a a 'pods' subnet wins over a 'both' subnet listed before it
    assert_eq!(p.pod_subnet_for(id(&p, 0)).map(SubnetId::index), Some(3));
    assert_eq!(p.pod_subnet_for(id(&p, 1)).map(SubnetId::index), Some(4));
    assert_eq!(p.pod_subnet_for(id(&p, 2)).map(SubnetId::index), Some(3));
    // m5.large with custom networking: 20 (max-pods-calculator.sh)
    assert_eq!(p.node_groups()[0].max_pods(), 20);

    // no 'pods' subnet in us-east-1a: the 'both' one is picked
    let p = load(&CUSTOM.replace(
        "  - { name: pods-a, az: us-east-1a, cidr: 100.64.0.0/18, role: pods }\n",
        "",
    ))
    .unwrap();
    assert_eq!(p.pod_subnet_for(id(&p, 0)).map(SubnetId::index), Some(2));

    // none in us-east-1b at all
    let none_b = CUSTOM.replace(
        "  - { name: pods-b, az: us-east-1b, cidr: 100.64.64.0/18, role: pods }\n",
        "",
    );
    assert_eq!(
        err(&none_b),
        "plan.yaml: node_groups[0].subnets[1]: custom networking needs an ENIConfig subnet in AZ 'us-east-1b' \
         (for subnet 'nodes-b'): add a subnet with role 'pods' (or 'both') in that AZ"
    );
    // without custom networking there is no ENIConfig subnet
    let p = load(&none_b.replace("cni: { custom_networking: true }\n", "")).unwrap();
    assert_eq!(p.pod_subnet_for(id(&p, 0)).map(SubnetId::index), None);
    // ... and a 'pods' subnet is unused: a warning
    assert_eq!(
        p.warnings()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec![
            "subnets[3].role: subnet 'pods-a' has role 'pods' but cni.custom_networking is off, so no pod ENI \
             goes there: enable custom networking or use role 'both'"
        ]
    );
}

#[test]
fn nodes_cannot_launch_in_a_pods_subnet() {
    assert_eq!(
        err(&CUSTOM.replace("subnets: [nodes-a, nodes-b]", "subnets: [nodes-a, pods-b]")),
        "plan.yaml: node_groups[0].subnets[1]: subnet 'pods-b' has role 'pods' (an ENIConfig subnet) and cannot \
         hold nodes: use a subnet with role 'nodes' or 'both'"
    );
}

#[test]
fn unknown_instance_type_and_user_rows() {
    assert_eq!(
        err(&with("instance_type: m5.large", "instance_type: m6i.xlarg")),
        "plan.yaml: node_groups[0].instance_type: unknown instance type 'm6i.xlarg' (did you mean 'm6i.xlarge'?)"
    );
    // a row the caller added (as --instance-data does) resolves
    let mut row = Catalog::embedded().get("m5.large").unwrap().clone();
    row.name = "zz9.large".into();
    row.enis = 7;
    let cat = Catalog::with_overlay(vec![row]);
    let p = Plan::from_yaml_str(
        &with("instance_type: m5.large", "instance_type: zz9.large"),
        "plan.yaml",
        &cat,
    )
    .unwrap();
    assert_eq!(p.node_groups()[0].instance().enis, 7);
}

#[test]
fn other_field_errors() {
    assert_eq!(
        err(&with("    az: us-east-1b\n", "")),
        "plan.yaml: subnets[1].az: required field is missing: add it"
    );
    assert_eq!(
        err(&with("name: nodes-c", "name: nodes-b")),
        "plan.yaml: subnets[2].name: duplicate subnet name 'nodes-b' (also subnets[1]): give each subnet its own name"
    );
    assert_eq!(
        err(&with("name: batch", "name: general")),
        "plan.yaml: node_groups[1].name: duplicate node group name 'general' (also node_groups[0]): give each \
         group its own name"
    );
    assert_eq!(
        err(&with(
            "    az: us-east-1c\n",
            "    az: us-east-1c\n    role: node\n"
        )),
        "plan.yaml: subnets[2].role: unknown role 'node' (did you mean 'nodes'?)"
    );
    assert_eq!(
        err(&with("mode: prefix", "mode: pd")),
        "plan.yaml: cni.mode: unknown mode 'pd' (expected one of: secondary-ip, prefix)"
    );
    assert_eq!(
        err(&with("version: \"1.19.0\"", "version: 1.10")),
        "plan.yaml: cni.version: write the version as a string such as \"1.19.0\" (the number 1.1 loses trailing \
         zeros)"
    );
    assert_eq!(
        err(&with("version: \"1.19.0\"", "version: one")),
        "plan.yaml: cni.version: invalid CNI version 'one': expected MAJOR.MINOR.PATCH such as 1.19.0 (a leading \
         'v' is accepted)"
    );
    assert_eq!(
        err(&with("nodes: 6", "nodes: 0")),
        "plan.yaml: node_groups[0].nodes: expected a whole number of at least 1, found '0'"
    );
    assert_eq!(
        err(&with("nodes: 6", "nodes: six")),
        "plan.yaml: node_groups[0].nodes: expected a whole number of at least 1, found 'six'"
    );
    assert_eq!(
        err(&with(
            "pods_per_node: 30",
            "pods_per_node: 30\n    branch_pods_per_node: 3"
        )),
        "plan.yaml: node_groups[0].branch_pods_per_node: 3 branch pods need security groups for pods: set \
         cni.pod_security_groups: true, or remove branch_pods_per_node"
    );
    let sg = with("mode: prefix", "mode: prefix\n  pod_security_groups: true");
    assert_eq!(
        err(&sg.replace(
            "pods_per_node: 30",
            "pods_per_node: 30\n    branch_pods_per_node: 31"
        )),
        "plan.yaml: node_groups[0].branch_pods_per_node: 31 is more than the 30 pods per node it is part of: \
         lower it or raise the pods"
    );
    assert!(
        load(&sg.replace(
            "pods_per_node: 30",
            "pods_per_node: 30\n    branch_pods_per_node: 9"
        ))
        .is_ok()
    );
    assert_eq!(
        err(&with(
            "subnets: [nodes-a, nodes-b, nodes-c]",
            "subnets: [nodes-a, nodes-a]"
        )),
        "plan.yaml: node_groups[0].subnets[1]: subnet 'nodes-a' is listed twice (also node_groups[0].subnets[0]): \
         list it once"
    );
    assert_eq!(
        err(&with(
            "subnets: [nodes-a, nodes-b, nodes-c]",
            "subnets: nodes-a"
        )),
        "plan.yaml: node_groups[0].subnets: expected a list, found a string"
    );
    assert_eq!(
        err(""),
        "plan.yaml: (top level): expected a mapping with fields vpc, cni, subnets, control_plane, node_groups, \
         headroom_percent, simulate, ecs_services, migration, found nothing"
    );
    assert_eq!(
        err("cni: {}\n"),
        "plan.yaml: subnets: required field is missing: add it"
    );
}

#[test]
fn yaml_syntax_error_is_one_line() {
    let e = load("subnets: [\n  - x\n").unwrap_err();
    assert!(
        matches!(e, PlanError::Syntax { line: Some(_), .. }),
        "{e:?}"
    );
    let s = e.to_string();
    assert!(s.starts_with("plan.yaml: invalid YAML: "), "{s}");
    assert!(!s.contains('\n'));
}

#[test]
fn vpc_warnings() {
    // 198.19.0.0/16 with an RFC 1918 primary is listed as restricted (awsdocs/amazon-vpc-user-guide
    // doc_source/vpc-cidr-blocks.md) while aws/aws-eks-best-practices custom-networking.adoc recommends it: a
    // warning, not an error (docs/model.md, "Subnet and VPC facts")
    let p = load(&with("100.64.0.0/16]", "198.19.0.0/16]")).unwrap();
    assert_eq!(p.warnings().len(), 1);
    assert!(matches!(
        p.warnings()[0],
        PlanWarning::RestrictedCidrPair { index: 1, .. }
    ));
    assert!(
        p.warnings()[0]
            .to_string()
            .starts_with("vpc.cidrs[1]: '198.19.0.0/16' with primary '10.0.0.0/16': ")
    );
    // 6 blocks: over the default quota of 5 (VPC UG amazon-vpc-limits.md)
    let p = load(&with(
        "100.64.0.0/16]",
        "100.64.0.0/16, 100.65.0.0/16, 100.66.0.0/16, 100.67.0.0/16, 100.68.0.0/16]",
    ))
    .unwrap();
    assert_eq!(p.warnings(), vec![PlanWarning::VpcCidrQuota { count: 6 }]);
    // 5 is within the quota
    let p = load(&with(
        "100.64.0.0/16]",
        "100.64.0.0/16, 100.65.0.0/16, 100.66.0.0/16, 100.67.0.0/16]",
    ))
    .unwrap();
    assert!(p.warnings().is_empty());
    assert_eq!(
        err(&with("100.64.0.0/16]", "10.0.0.0/20]")),
        "plan.yaml: vpc.cidrs[1]: '10.0.0.0/20' overlaps vpc.cidrs[0] (10.0.0.0/16): list each block once"
    );
}

#[test]
fn cni_and_control_plane_warnings() {
    let p = load(&with(
        "mode: prefix",
        "mode: prefix\n  warm_prefix_target: 0",
    ))
    .unwrap();
    assert_eq!(p.warnings(), vec![PlanWarning::WarmPrefixZero]);
    let p = load(&with(
        "mode: prefix",
        "mode: prefix\n  minimum_ip_target: 11",
    ))
    .unwrap();
    assert_eq!(
        p.warnings(),
        vec![PlanWarning::MinimumWithoutWarmIp { minimum: 11 }]
    );
    let p = load(&with(
        "control_plane:\n  subnets: [nodes-a, nodes-b]",
        "control_plane:\n  subnets: [nodes-a]\n  enis: 2",
    ))
    .unwrap();
    assert_eq!(
        p.warnings(),
        vec![PlanWarning::ControlPlaneOneAz {
            az: "us-east-1a".into()
        }]
    );
    // 2 ENIs in one subnet: 2 * ceil(2/1) = 4 kept free
    assert_eq!(p.control_plane_addresses(id(&p, 0)), 4);
}

#[test]
fn validate_again_after_rewriting_the_spec() {
    let p = load(BASE).unwrap();
    let mut spec = p.spec().clone();
    spec.subnets[2].cidr = "10.0.32.0/29".parse().unwrap();
    assert_eq!(
        p.with_spec(spec.clone()).unwrap_err().to_string(),
        "plan.yaml: subnets[2].cidr: '10.0.32.0/29' is smaller than /28: AWS subnets are /16 to /28, use a /28 \
         or larger"
    );
    spec.subnets[2].cidr = "10.0.48.0/20".parse().unwrap();
    spec.node_groups[0].subnets.push("nodes-z".into());
    assert_eq!(
        p.with_spec(spec.clone()).unwrap_err().to_string(),
        "plan.yaml: node_groups[0].subnets[3]: unknown subnet 'nodes-z' (known: nodes-a, nodes-b, nodes-c)"
    );
    spec.node_groups[0].subnets.pop();
    let again = p.with_spec(spec).unwrap();
    assert_eq!(again.subnets()[2].cidr().to_string(), "10.0.48.0/20");
}
