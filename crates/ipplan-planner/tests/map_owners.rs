//! The owners of known addresses (`other_consumers[].at`) in the tooltips of `subnet_map_with_owners` and in
//! `Owners::by_block`: a hand-built /24 whose consumers sit at chosen places, each expected tooltip written out
//! from the places (block `i` is `10.0.1.(16 i)/28`).

use ipplan_core::Catalog;
use ipplan_planner::svg::{MapOptions, Owners, subnet_map_with_owners};
use ipplan_planner::{Plan, Scenario, Simulation};

/// Consumers at known places in 10.0.1.0/24:
/// - block 1 (.16-.31): load-balancer .18, .19 and `db <primary> & replica` .30; the range .30-.33 of that
///   database crosses into block 2 (.32, .33);
/// - block 2 (.32-.47): the database's .32, .33 and lambda's run .40-.47;
/// - block 4 (.64-.79): eight owners o1..o8 at .65 to .72, one address each;
/// - block 5 (.80-.95): one owner, `scattered`, at the eight odd addresses .81, .83, ..., .95;
/// - block 10 (.160-.175): the prefix .160/28 of eks-node.
const PLAN: &str = r#"
subnets:
  - name: a
    az: eu-west-1a
    cidr: 10.0.1.0/24
    other_consumers:
      - { what: load-balancer, addresses: 2, at: [10.0.1.18, 10.0.1.19] }
      - { what: "db <primary> & replica", addresses: 4, at: [10.0.1.30-10.0.1.33] }
      - { what: lambda, addresses: 8, at: [10.0.1.40-10.0.1.47] }
      - { what: o1, addresses: 1, at: [10.0.1.65] }
      - { what: o2, addresses: 1, at: [10.0.1.66] }
      - { what: o3, addresses: 1, at: [10.0.1.67] }
      - { what: o4, addresses: 1, at: [10.0.1.68] }
      - { what: o5, addresses: 1, at: [10.0.1.69] }
      - { what: o6, addresses: 1, at: [10.0.1.70] }
      - { what: o7, addresses: 1, at: [10.0.1.71] }
      - { what: o8, addresses: 1, at: [10.0.1.72] }
      - what: scattered
        addresses: 8
        at: [10.0.1.81, 10.0.1.83, 10.0.1.85, 10.0.1.87, 10.0.1.89, 10.0.1.91, 10.0.1.93, 10.0.1.95]
      - { what: eks-node, addresses: 16, at: [10.0.1.160/28] }
node_groups: []
"#;

/// The `<title>` of each block rectangle, in order, unescaped only where the test needs it.
fn block_titles(svg: &str) -> Vec<String> {
    let blocks = &svg[svg.find("<g id=\"blocks\">").unwrap()..];
    let blocks = &blocks[..blocks.find("</g>").unwrap()];
    blocks
        .split("<title>")
        .skip(1)
        .map(|t| t[..t.find("</title>").unwrap()].to_string())
        .collect()
}

fn map(options: &MapOptions) -> Vec<String> {
    let plan = Plan::from_str_auto(PLAN, "owners.yaml", &Catalog::embedded()).unwrap();
    let mut sim = Simulation::new(&plan, &Scenario::peak(&plan));
    sim.run_until(0);
    let states = sim.block_states(0).unwrap();
    let owners = Owners::of(&plan.spec().subnets[0]);
    block_titles(&subnet_map_with_owners(
        plan.subnets()[0].cidr(),
        &states,
        &owners,
        "owners",
        options,
    ))
}

#[test]
fn each_blocks_tooltip_names_the_owners_of_its_addresses() {
    let t = map(&MapOptions::default());
    assert_eq!(t.len(), 16);
    // block 0 (the AWS edge block) and 3 hold nothing known: no owner line
    assert_eq!(t[0], "10.0.1.0/28 reserved: aws edge block, 0 singles");
    assert_eq!(t[3], "10.0.1.48/28 free");
    // 3 singles: .18, .19 and .30, .31 (the database's part of its range in this block) = 4
    assert_eq!(
        t[1],
        "10.0.1.16/28 spoiled: 4 singles\nload-balancer: 10.0.1.18, 10.0.1.19\ndb &lt;primary&gt; &amp; replica: \
         10.0.1.30, 10.0.1.31"
    );
    // the range's other half, then lambda's run of 8 shown as a range: 2 + 8 = 10 singles
    assert_eq!(
        t[2],
        "10.0.1.32/28 spoiled: 10 singles\ndb &lt;primary&gt; &amp; replica: 10.0.1.32, 10.0.1.33\nlambda: \
         10.0.1.40-10.0.1.47"
    );
    // eight owners: the first six by address, then +2
    assert_eq!(
        t[4],
        "10.0.1.64/28 spoiled: 8 singles\no1: 10.0.1.65\no2: 10.0.1.66\no3: 10.0.1.67\no4: 10.0.1.68\no5: \
         10.0.1.69\no6: 10.0.1.70\n+2 more owners"
    );
    // eight places of one owner: six, then +2
    assert_eq!(
        t[5],
        "10.0.1.80/28 spoiled: 8 singles\nscattered: 10.0.1.81, 10.0.1.83, 10.0.1.85, 10.0.1.87, 10.0.1.89, \
         10.0.1.91, +2 more"
    );
    assert_eq!(t[10], "10.0.1.160/28 prefix\neks-node: 10.0.1.160/28");
    for i in [6, 7, 8, 9, 11, 12, 13, 14] {
        assert_eq!(t[i], format!("10.0.1.{}/28 free", 16 * i));
    }
}

/// Downsampled to 4 cells of 4 blocks: cell 0 (blocks 0-3) holds load-balancer 2, the database 4 and lambda 8
/// addresses; cell 1 (blocks 4-7) the eight o's and `scattered` 8: nine owners, so six and +3; cell 2 (blocks
/// 8-11) eks-node's 16.
#[test]
fn a_downsampled_cell_names_its_owners_with_their_address_counts() {
    let t = map(&MapOptions {
        max_cells: 4,
        ..MapOptions::default()
    });
    assert_eq!(t.len(), 4);
    assert!(
        t[0].ends_with(
            "\nload-balancer: 2 addresses\ndb &lt;primary&gt; &amp; replica: 4 addresses\nlambda: 8 addresses"
        ),
        "{}",
        t[0]
    );
    assert!(
        t[1].ends_with(
            "\no1: 1 addresses\no2: 1 addresses\no3: 1 addresses\no4: 1 addresses\no5: 1 addresses\no6: 1 \
             addresses\n+3 more owners"
        ),
        "{}",
        t[1]
    );
    assert!(t[2].ends_with("\neks-node: 16 addresses"), "{}", t[2]);
    assert!(!t[3].contains('\n'), "{}", t[3]);
}

#[test]
fn by_block_lists_the_blocks_with_known_addresses_once_each() {
    let plan = Plan::from_str_auto(PLAN, "owners.yaml", &Catalog::embedded()).unwrap();
    let owners = Owners::of(&plan.spec().subnets[0]);
    let blocks = owners.by_block("10.0.1.0/24".parse().unwrap());
    let names: Vec<&str> = blocks.iter().map(|b| b.block.as_str()).collect();
    assert_eq!(
        names,
        [
            "10.0.1.16/28",
            "10.0.1.32/28",
            "10.0.1.64/28",
            "10.0.1.80/28",
            "10.0.1.160/28"
        ]
    );
    let b1: Vec<(&str, u64)> = blocks[0]
        .owners
        .iter()
        .map(|o| (o.what.as_str(), o.addresses))
        .collect();
    assert_eq!(b1, [("load-balancer", 2), ("db <primary> & replica", 2)]);
    assert_eq!(blocks[2].owners.len(), 8);
    assert_eq!(blocks[3].owners[0].at.len(), 8);
}

/// ECS tasks running today (`ecs_services[].at`, as `import --ecs-services --aws-enis` writes) are owners too:
/// the service's .100 and .101 sit in block 6 (.96-.111), named after the service; its .5 in the other subnet `b`
/// is not listed in `a`.
#[test]
fn ecs_tasks_at_known_places_are_owners_named_after_their_service() {
    let text = r#"
subnets:
  - { name: a, az: eu-west-1a, cidr: 10.0.1.0/24 }
  - { name: b, az: eu-west-1b, cidr: 10.0.2.0/24 }
ecs_services:
  - { name: orders, tasks: 4, subnets: [a, b], at: [10.0.1.100-10.0.1.101, 10.0.2.5] }
node_groups: []
"#;
    let plan = Plan::from_str_auto(text, "ecs.yaml", &Catalog::embedded()).unwrap();
    let owners = Owners::in_plan(plan.spec(), "a");
    let blocks = owners.by_block("10.0.1.0/24".parse().unwrap());
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].block, "10.0.1.96/28");
    assert_eq!(blocks[0].owners[0].what, "ecs service orders");
    assert_eq!(blocks[0].owners[0].at, ["10.0.1.100", "10.0.1.101"]);
    let mut sim = Simulation::new(&plan, &Scenario::peak(&plan));
    sim.run_until(0);
    let t = block_titles(&subnet_map_with_owners(
        plan.subnets()[0].cidr(),
        &sim.block_states(0).unwrap(),
        &owners,
        "ecs",
        &MapOptions::default(),
    ));
    assert!(
        t[6].ends_with("\necs service orders: 10.0.1.100, 10.0.1.101"),
        "{}",
        t[6]
    );
    assert!(Owners::in_plan(plan.spec(), "nope").is_empty());
}
