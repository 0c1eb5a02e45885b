//! `--aws-reservations` (get-subnet-cidr-reservations) and `--aws-vpcs` (describe-vpcs) on top of the
//! describe-subnets / describe-network-interfaces example in `examples/import/aws/`, in the shapes the AWS CLI
//! prints (aws/aws-cli `awscli/examples/ec2/get-subnet-cidr-reservations.rst` and `describe-vpcs.rst`; EC2 API
//! reference `SubnetCidrReservation`, `Vpc`, `VpcCidrBlockAssociation`). Every expected number is counted by hand
//! from the files in the comments.

mod common;

use common::{assert_assumption, first_subnet_consumers, input};
use ipplan_core::Catalog;
use ipplan_planner::capacity::SubnetBudget;
use ipplan_planner::import::{Imported, Input, InputKind, Overrides, import};
use ipplan_planner::plan::ReservationType;
use ipplan_planner::{Plan, Scenario, Simulation, check};

fn example(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../examples/import/aws/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn all_four() -> Vec<Input> {
    vec![
        input(
            InputKind::AwsSubnets,
            "subnets.json",
            &example("subnets.json"),
        ),
        input(InputKind::AwsEnis, "enis.json", &example("enis.json")),
        input(
            InputKind::AwsReservations,
            "reservations.json",
            &example("reservations.json"),
        ),
        input(InputKind::AwsVpcs, "vpcs.json", &example("vpcs.json")),
    ]
}

fn run(inputs: &[Input]) -> Result<Imported, String> {
    import(inputs, &Overrides::default(), &Catalog::embedded()).map_err(|e| e.to_string())
}

fn cross_check(i: &Imported) -> Vec<&String> {
    i.assumptions
        .iter()
        .filter(|a| a.contains("describe-subnets counts"))
        .collect()
}

/// The example subnet 10.30.1.0/24 (16 blocks of 16), as the ENIs leave it (tests/import.rs,
/// `todays_vpc_from_the_aws_cli`): .10 in the edge block 0; .20/.21 (block 1), .70 (4), .100 (6), .130-.133 and
/// .140 (8) fragmented; the prefix .160/28 (block 10); 26 addresses held. reservations.json adds a prefix
/// reservation 10.30.1.192/27 (blocks 12 and 13) and an explicit one 10.30.1.224/28 (block 14):
/// - census: reserved = edge blocks 0 and 15 + explicit block 14 = 3; fragmented 4; prefix 1; prefix_reserved
///   (wholly free, in the prefix reservation) 12 and 13 = 2; free 2, 3, 5, 7, 9, 11 = 6. 3+4+1+2+6 = 16.
///   Score ceil((4 + 0) / (6 + 2 + 4 + 0) * 100) = ceil(33.3) = 34, LOW.
/// - check: capacity 256 - 5 AWS-reserved - 16 explicit = 235 (VPC UG `subnet-cidr-reservation.md`: EC2 never
///   assigns from an explicit reservation on its own); used 26; headroom 209. Prefix-capable blocks: 16 less 2
///   edge less 1 explicit = 13, less the 4 fragmented and the 1 prefix block = 8, of them 2 in the prefix
///   reservation.
///   Without the reservations: capacity 251, 9 blocks (tests/import.rs).
/// - AvailableIpAddressCount: EC2 does not count unused reserved addresses as available (docs/model.md): 256 less
///   5, 26 held and 48 reserved (32 + 16, none held) = 177, what subnets.json says: no cross-check line.
#[test]
fn reservations_change_the_census_and_check_as_the_aws_rules_say() {
    let imported = run(&all_four()).unwrap();
    let s = &imported.spec.subnets[0];
    let res: Vec<(String, ReservationType)> = s
        .reservations
        .iter()
        .map(|r| (r.cidr.to_string(), r.kind))
        .collect();
    assert_eq!(
        res,
        [
            ("10.30.1.192/27".to_string(), ReservationType::Prefix),
            ("10.30.1.224/28".to_string(), ReservationType::Explicit),
        ]
    );
    assert!(
        cross_check(&imported).is_empty(),
        "{:?}",
        imported.assumptions
    );
    assert_eq!(
        imported.provenance["subnets[0].reservations[1]"].address,
        "scr-0c1d2e3f4a5b60002"
    );

    let plan = Plan::from_spec(imported.spec.clone(), "today.yaml", &Catalog::embedded()).unwrap();
    let b = SubnetBudget::of(&plan, plan.subnets()[0].id());
    assert_eq!((b.prefix_blocks, b.reserved_prefix_blocks), (8, 2));
    assert_eq!(b.usable, 209);
    let report = check(&plan);
    let r = &report.subnets[0];
    assert_eq!(
        (r.capacity, r.used, r.headroom, r.explicit_reservations),
        (235, 26, 209, 16)
    );
    assert_eq!(r.prefix_blocks, 8);

    let mut sim = Simulation::new(&plan, &Scenario::peak(&plan));
    sim.run_until(0);
    let c = sim.allocator(0).unwrap().census();
    assert_eq!(
        (
            c.free,
            c.fragmented,
            c.full,
            c.reserved,
            c.prefix,
            c.prefix_reserved
        ),
        (6, 4, 0, 3, 1, 2)
    );
    assert_eq!(c.score(), Some(34));
}

/// Without reservations.json the same subnets.json (177 available) is 48 short of 256 - 5 - 26 = 225: the
/// cross-check says so, and with the reservations that difference is explained (test above).
#[test]
fn without_the_reservations_the_cross_check_reports_their_addresses() {
    let imported = run(&all_four()[..2]).unwrap();
    let lines = cross_check(&imported);
    assert_eq!(lines.len(), 1, "{:?}", imported.assumptions);
    assert!(
        lines[0].starts_with(
            "subnet-0a1b2c3d4e5f60001: describe-subnets counts 177 available addresses, but 256 - 5 reserved - 26 \
             held by the listed ENIs leaves 225: 48 addresses are held by something"
        ),
        "{}",
        lines[0]
    );
}

/// vpcs.json lists the region's default VPC (172.31.0.0/16) and the subnets' VPC vpc-0f1e2d3c4b5a69788 (the
/// VpcId in subnets.json): primary 10.30.0.0/16, 100.64.0.0/16 associated, 10.31.0.0/16 disassociated. The plan
/// gets the two associated blocks, the primary first.
#[test]
fn the_subnets_vpc_gives_vpc_cidrs_primary_first_associated_only() {
    let imported = run(&all_four()).unwrap();
    let cidrs: Vec<String> = imported
        .spec
        .vpc
        .as_ref()
        .unwrap()
        .cidrs
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(cidrs, ["10.30.0.0/16", "100.64.0.0/16"]);
    assert_assumption(&imported, |a| {
        a.contains(
            "vpc-0f1e2d3c4b5a69788: blocks not associated are left out of vpc.cidrs: 10.31.0.0/16 (disassociated)"
        )
    });
    assert_eq!(
        imported.provenance["vpc.cidrs[0]"].address,
        "vpc-0f1e2d3c4b5a69788 CidrBlock"
    );
    // the plan uses them as a hand-written vpc.cidrs: a subnet outside them is refused by validation
    let mut spec = imported.spec.clone();
    spec.subnets[0].cidr = "10.32.1.0/24".parse().unwrap();
    let e = Plan::from_spec(spec, "p.yaml", &Catalog::embedded())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("is outside vpc.cidrs (10.30.0.0/16, 100.64.0.0/16)"),
        "{e}"
    );
}

/// The CLI's `--no-paginate` shape: two documents, the first with a `NextToken`, give the same plan as one.
#[test]
fn paginated_reservations_and_vpcs_read_as_one() {
    let paged = r#"{"SubnetIpv4CidrReservations": [{"SubnetCidrReservationId": "scr-0c1d2e3f4a5b60001",
        "SubnetId": "subnet-0a1b2c3d4e5f60001", "Cidr": "10.30.1.192/27", "ReservationType": "prefix",
        "OwnerId": "123456789012"}], "SubnetIpv6CidrReservations": [], "NextToken": "eyJ2IjoiMiJ9"}
        {"SubnetIpv4CidrReservations": [{"SubnetCidrReservationId": "scr-0c1d2e3f4a5b60002",
        "SubnetId": "subnet-0a1b2c3d4e5f60001", "Cidr": "10.30.1.224/28", "ReservationType": "explicit",
        "OwnerId": "123456789012"}], "SubnetIpv6CidrReservations": []}"#;
    let vpcs = example("vpcs.json");
    let (first, second) = {
        let v: serde_json::Value = serde_json::from_str(&vpcs).unwrap();
        let list = v["Vpcs"].as_array().unwrap();
        (
            serde_json::json!({"Vpcs": [list[0]], "NextToken": "abc"}),
            serde_json::json!({"Vpcs": [list[1]]}),
        )
    };
    let mut inputs = all_four();
    inputs[2].text = paged.to_string();
    inputs[3].text = format!("{first}\n{second}\n");
    let a = run(&inputs).unwrap();
    let b = run(&all_four()).unwrap();
    assert_eq!(a.spec, b.spec);
}

/// An explicit reservation over ENI addresses (EC2 lets the owner assign them by hand): 10.30.1.16/28 holds the
/// load balancer's .20 and the endpoint's .21. The plan counts the whole range out of the budget, so those two
/// leave the consumers (an assumption says so). EC2's count: 256 - |5 reserved, 26 held, 16 reserved| = 256 -
/// (5 + 26 + 16 - 2 counted twice) = 211.
#[test]
fn enis_inside_an_explicit_reservation_are_counted_once() {
    let res = r#"{"SubnetIpv4CidrReservations": [{"SubnetCidrReservationId": "scr-0e0000000000000001",
        "SubnetId": "subnet-0a1b2c3d4e5f60001", "Cidr": "10.30.1.16/28", "ReservationType": "explicit",
        "OwnerId": "123456789012", "Description": "hand-assigned"}],
        "SubnetIpv6CidrReservations": [{"SubnetCidrReservationId": "scr-0e0000000000000002",
        "SubnetId": "subnet-0a1b2c3d4e5f60001", "Cidr": "2600:1f13:925:d240:3a1b::/80", "ReservationType": "prefix",
        "OwnerId": "123456789012"}]}"#;
    let subnets = example("subnets.json").replace(
        "\"AvailableIpAddressCount\": 177",
        "\"AvailableIpAddressCount\": 211",
    );
    let mut inputs = all_four();
    inputs[0].text = subnets;
    inputs[2].text = res.to_string();
    let imported = run(&inputs).unwrap();
    let whats = first_subnet_consumers(&imported);
    assert_eq!(
        whats,
        [
            "ec2-instance",
            "ecs-task",
            "eks-node",
            "lambda",
            "nat-gateway"
        ]
    );
    assert!(
        cross_check(&imported).is_empty(),
        "{:?}",
        imported.assumptions
    );
    assert_assumption(&imported, |a| {
        a.contains(
            "1 addresses of load-balancer ENIs lie in the explicit reservation scr-0e0000000000000001 (10.30.1.16/28)"
        )
    });
    assert_assumption(&imported, |a| {
        a == "reservations.json: 1 IPv6 subnet CIDR reservations (scr-0e0000000000000002) are not modelled: ipplan \
                plans IPv4 addresses"
    });
    let plan = Plan::from_spec(imported.spec, "p.yaml", &Catalog::embedded()).unwrap();
    // 256 - 5 - 16 explicit - 24 held outside it
    assert_eq!(SubnetBudget::of(&plan, plan.subnets()[0].id()).usable, 211);
}

#[test]
fn bad_reservations_and_vpcs_are_one_line_naming_file_and_item() {
    let with = |k: usize, text: &str| {
        let mut inputs = all_four();
        inputs[k].text = text.to_string();
        run(&inputs).unwrap_err()
    };
    let reservation = |subnet: &str, cidr: &str| {
        format!(
            r#"{{"SubnetIpv4CidrReservations": [{{"SubnetCidrReservationId": "scr-0bad0000000000001",
            "SubnetId": "{subnet}", "Cidr": "{cidr}", "ReservationType": "prefix", "OwnerId": "123456789012"}}],
            "SubnetIpv6CidrReservations": []}}"#
        )
    };
    let e = with(2, &reservation("subnet-0ffffffffffffffff", "10.30.1.64/28"));
    assert_eq!(
        e,
        "reservations.json: scr-0bad0000000000001: its subnet 'subnet-0ffffffffffffffff' is in no --aws-subnets \
         page (nor any other input) (pass that subnet's describe-subnets output with --aws-subnets)"
    );
    let e = with(2, &reservation("subnet-0a1b2c3d4e5f60001", "10.30.2.0/28"));
    assert!(
        e.starts_with(
            "reservations.json: scr-0bad0000000000001: Cidr 10.30.2.0/28 is outside its subnet \
             subnet-0a1b2c3d4e5f60001 (10.30.1.0/24)"
        ),
        "{e}"
    );
    let e = with(2, &example("reservations.json")[..300]);
    assert!(
        e.starts_with("reservations.json: line ") && e.contains("invalid JSON"),
        "{e}"
    );
    let e = with(2, &example("vpcs.json"));
    assert!(e.contains("no 'SubnetIpv4CidrReservations' list"), "{e}");

    let e = with(3, &example("vpcs.json")[..500]);
    assert!(
        e.starts_with("vpcs.json: line ") && e.contains("invalid JSON"),
        "{e}"
    );
    // the subnets' VPC with other blocks: the subnet lies outside them
    let moved = example("vpcs.json")
        .replace("\"10.30.0.0/16\"", "\"10.40.0.0/16\"")
        .replace("\"100.64.0.0/16\"", "\"100.65.0.0/16\"");
    let e = with(3, &moved);
    assert!(
        e.starts_with(
            "subnets.json: subnet-0a1b2c3d4e5f60001: its CidrBlock 10.30.1.0/24 lies outside the associated blocks \
             of its VPC vpc-0f1e2d3c4b5a69788 (10.40.0.0/16, 100.65.0.0/16) in vpcs.json"
        ),
        "{e}"
    );
    // a describe-vpcs without the subnets' VPC
    let other = example("vpcs.json").replace("vpc-0f1e2d3c4b5a69788", "vpc-0000000000000000a");
    let e = with(3, &other);
    assert!(
        e.starts_with(
            "subnets.json: subnet-0a1b2c3d4e5f60001: its VPC vpc-0f1e2d3c4b5a69788 is in no --aws-vpcs page"
        ),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1);
}

/// describe-subnets of a dual-stack subnet (EC2 API reference `SubnetIpv6CidrBlockAssociation`: `AssociationId`,
/// `Ipv6CidrBlock`, `Ipv6CidrBlockState.State` one of associating | associated | disassociating | disassociated |
/// failing | failed): the associated /64 becomes the subnet's `ipv6_cidr`; a block still disassociating is not
/// the subnet's any more. A block that is not an IPv6 CIDR is one line naming the file and the subnet.
#[test]
fn the_associated_ipv6_block_is_the_subnets_ipv6_cidr() {
    let subnets = |blocks: &str| {
        format!(
            r#"{{"Subnets": [{{"AvailabilityZone": "eu-west-1a", "CidrBlock": "10.30.1.0/24",
            "SubnetId": "subnet-0a1b2c3d4e5f60001", "VpcId": "vpc-0f1e2d3c4b5a69788",
            "AvailableIpAddressCount": 251, "Ipv6CidrBlockAssociationSet": [{blocks}],
            "Tags": [{{"Key": "Name", "Value": "private-a"}}]}}]}}"#
        )
    };
    let old = r#"{"AssociationId": "subnet-cidr-assoc-01", "Ipv6CidrBlock": "2a05:d018:1:aa00::/64",
        "Ipv6CidrBlockState": {"State": "disassociating"}}"#;
    let new = r#"{"AssociationId": "subnet-cidr-assoc-02", "Ipv6CidrBlock": "2a05:d018:1:ab00::/64",
        "Ipv6CidrBlockState": {"State": "associated"}}"#;
    let one = |text: &str| run(&[input(InputKind::AwsSubnets, "subnets.json", text)]);
    let imported = one(&subnets(&format!("{old}, {new}"))).unwrap();
    assert_eq!(
        imported.spec.subnets[0].ipv6_cidr.map(|n| n.to_string()),
        Some("2a05:d018:1:ab00::/64".to_string())
    );
    // only a disassociating block: none
    let imported = one(&subnets(old)).unwrap();
    assert_eq!(imported.spec.subnets[0].ipv6_cidr, None);
    // no association set at all (an IPv4-only subnet as older CLIs print it): none
    let imported = one(&subnets("")).unwrap();
    assert_eq!(imported.spec.subnets[0].ipv6_cidr, None);
    let e = one(&subnets(
        r#"{"Ipv6CidrBlock": "2a05:d018:1:zz00::/64", "Ipv6CidrBlockState": {"State": "associated"}}"#,
    ))
    .unwrap_err();
    assert!(
        e.contains("subnets.json")
            && e.contains("subnet-0a1b2c3d4e5f60001 Ipv6CidrBlockAssociationSet")
            && e.contains("'2a05:d018:1:zz00::/64' is not an IPv6 CIDR"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
}

/// A Terraform plan's `aws_subnet.ipv6_cidr_block` (the provider's attribute; `null` for an IPv4-only subnet, as
/// in examples/import/terraform/plan.json) becomes the subnet's `ipv6_cidr` the same way.
#[test]
fn a_terraform_subnets_ipv6_cidr_block_is_its_ipv6_cidr() {
    let text = std::fs::read_to_string(format!(
        "{}/../../examples/import/terraform/plan.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let tf = |text: &str| run(&[input(InputKind::Terraform, "plan.json", text)]);
    let before = tf(&text).unwrap();
    assert!(before.spec.subnets.iter().all(|s| s.ipv6_cidr.is_none()));
    // the first null is module.vpc.aws_subnet.private[0] (10.0.0.0/21)
    let dual = text.replacen(
        r#""ipv6_cidr_block": null"#,
        r#""ipv6_cidr_block": "2600:1f18:aa:bb00::/64""#,
        1,
    );
    let after = tf(&dual).unwrap();
    let with: Vec<(String, String)> = after
        .spec
        .subnets
        .iter()
        .filter_map(|s| Some((s.cidr.to_string(), s.ipv6_cidr?.to_string())))
        .collect();
    assert_eq!(
        with,
        [(
            "10.0.0.0/21".to_string(),
            "2600:1f18:aa:bb00::/64".to_string()
        )]
    );
    let e = tf(&text.replacen(
        r#""ipv6_cidr_block": null"#,
        r#""ipv6_cidr_block": "10.0.0.0/64""#,
        1,
    ))
    .unwrap_err();
    assert!(
        e.contains("module.vpc.aws_subnet.private[0] ipv6_cidr_block")
            && e.contains("is not an IPv6 CIDR"),
        "{e}"
    );
}
