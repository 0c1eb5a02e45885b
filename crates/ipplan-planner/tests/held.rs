//! `other_consumers[].at`: addresses and /28 prefixes held at known places. The closed form counts their blocks
//! exactly (checked against a brute-force count over the addresses), the simulation starts with exactly those
//! allocations, and bad entries are one clear error naming the field.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipplan_core::Catalog;
use ipplan_planner::alloc::BlockState;
use ipplan_planner::capacity::{SubnetBudget, SubnetDemand};
use ipplan_planner::{Plan, Scenario, Simulation};
use proptest::prelude::*;

fn plan_with(cidr: &str, consumers: &str) -> Result<Plan, String> {
    let yaml = format!(
        "subnets:\n  - name: a\n    az: z\n    cidr: {cidr}\n    other_consumers:\n{consumers}\
         node_groups: [{{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5 }}]\n"
    );
    Plan::from_yaml_str(&yaml, "plan.yaml", &Catalog::embedded()).map_err(|e| e.to_string())
}

fn err(consumers: &str) -> String {
    plan_with("10.0.0.0/24", consumers).unwrap_err()
}

#[test]
fn bad_entries_name_the_field_and_the_fix() {
    assert_eq!(
        err("      - { what: alb, addresses: 8, at: [10.0.1.20] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.1.20' is outside the subnet 10.0.0.0/24: give addresses inside it"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 8, at: [10.0.0.2] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.0.2' holds an address AWS reserves (10.0.0.0 to 10.0.0.3 and 10.0.0.255): leave those out"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 8, at: [10.0.0.20-10.0.0.30] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].addresses: 8 is fewer than the 11 addresses its 'at' lists: give at least 11"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 32, at: [10.0.0.32/27] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.0.32/27' is a /27: at holds single addresses, ranges and /28 prefixes only; write a range (10.0.0.32-10.0.0.63) for single addresses"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 16, at: [10.0.0.0/28] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.0.0/28' holds an address AWS reserves (10.0.0.0 to 10.0.0.3 and 10.0.0.255): leave those out"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 16, at: [10.0.0.40/28] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.0.40/28' is not a /28 network address: use '10.0.0.32/28'"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 4, at: [10.0.0.30-10.0.0.20] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.0.30-10.0.0.20' runs backwards: write the lower address first (10.0.0.20-10.0.0.30)"
    );
    assert_eq!(
        err("      - { what: alb, addresses: 4, at: [ten] }\n"),
        "plan.yaml: subnets[0].other_consumers[0].at[0]: 'ten' is not an address, a range or a /28: write e.g. 10.0.1.20, 10.0.1.20-10.0.1.27 or 10.0.1.48/28"
    );
    assert_eq!(
        err(
            "      - { what: alb, addresses: 16, at: [10.0.0.48/28] }\n      - { what: nat, addresses: 1, at: [10.0.0.50] }\n"
        ),
        "plan.yaml: subnets[0].other_consumers[1].at[0]: overlaps other_consumers[0].at[0]: each address is held once; list it under one consumer"
    );
}

#[test]
fn an_explicit_reservation_is_already_out_of_the_budget() {
    let e = plan_with(
        "10.0.0.0/24\n    reservations: [{ cidr: 10.0.0.64/28, type: explicit }]",
        "      - { what: nlb, addresses: 2, at: [10.0.0.60-10.0.0.65] }\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        "plan.yaml: subnets[0].other_consumers[0].at[0]: '10.0.0.60-10.0.0.65' reaches into the explicit reservation 10.0.0.64/28, whose addresses are already out of the budget: leave it out of at"
    );
}

#[test]
fn held_places_are_exact_in_the_closed_form_and_the_simulation() {
    // 24 addresses: .20-.27 (8 in block 1) and the prefix .48/28 (block 3); 2 more: .100 (block 6) and one placed
    // by EC2's rules.
    let p = plan_with(
        "10.0.0.0/24",
        "      - { what: alb, addresses: 24, at: [10.0.0.20-10.0.0.27, 10.0.0.48/28] }\n      \
         - { what: lambda, addresses: 2, at: [10.0.0.100] }\n",
    )
    .unwrap();
    let b = SubnetBudget::of(&p, p.subnets()[0].id());
    assert_eq!((b.held_singles, b.held_prefixes), (9, 1));
    // 14 prefix-capable blocks less blocks 1, 3 and 6.
    assert_eq!(b.prefix_blocks, 11);
    // The one unplaced single: best case in a harmless place (12 in block 0, 15 in block 15, and the 8 + 15 free
    // places of blocks 1 and 6), worst case it spoils one more block.
    let f = b.fit(SubnetDemand {
        singles: 0,
        prefixes: 11,
    });
    let pf = f.prefix.unwrap();
    assert_eq!(
        (pf.best_case_free_blocks, pf.worst_case_free_blocks),
        (11, 10)
    );
    let mut sim = Simulation::new(&p, &Scenario::peak(&p));
    sim.run_until(0);
    let states = sim.block_states(0).unwrap();
    assert_eq!(states[1], BlockState::Singles(8));
    assert_eq!(states[3], BlockState::Prefix);
    assert!(matches!(states[6], BlockState::Singles(1 | 2)));
    let a = sim.allocator(0).unwrap();
    assert_eq!(a.singles_held(), 9 + 1);
    assert_eq!(a.prefixes_held(), 1);
}

/// Random held singles and prefixes in a /22 (64 blocks) and nothing else: the closed form's free /28 count is
/// exact (best = worst) and equals a brute-force count over the addresses; the simulation starts from exactly
/// those allocations.
fn check_random(
    singles: &BTreeSet<u32>,
    prefix_blocks: &BTreeSet<u32>,
) -> Result<(), TestCaseError> {
    let base = u32::from(Ipv4Addr::new(10, 0, 0, 0));
    // a prefix block may not hold a held single
    let singles: BTreeSet<u32> = singles
        .iter()
        .copied()
        .filter(|o| !prefix_blocks.contains(&(o / 16)))
        .collect();
    let mut at: Vec<String> = singles
        .iter()
        .map(|o| Ipv4Addr::from(base + o).to_string())
        .collect();
    at.extend(
        prefix_blocks
            .iter()
            .map(|b| format!("{}/28", Ipv4Addr::from(base + b * 16))),
    );
    if at.is_empty() {
        return Ok(());
    }
    let total = singles.len() + 16 * prefix_blocks.len();
    let consumers = format!(
        "      - {{ what: x, addresses: {total}, at: [{}] }}\n",
        at.join(", ")
    );
    let p = plan_with("10.0.0.0/22", &consumers).map_err(TestCaseError::fail)?;
    // brute force: blocks 1..=62 that hold no held address and are no held prefix
    let free = (1..63u32)
        .filter(|b| !prefix_blocks.contains(b) && !singles.iter().any(|o| o / 16 == *b))
        .count() as u64;
    let b = SubnetBudget::of(&p, p.subnets()[0].id());
    let pf = b
        .fit(SubnetDemand {
            singles: 0,
            prefixes: 1,
        })
        .prefix
        .unwrap();
    prop_assert_eq!(pf.best_case_free_blocks, free);
    prop_assert_eq!(pf.worst_case_free_blocks, free);
    let mut sim = Simulation::new(&p, &Scenario::peak(&p));
    sim.run_until(0);
    let a = sim.allocator(0).unwrap();
    prop_assert_eq!(a.free_blocks(), free);
    prop_assert_eq!(a.singles_held(), singles.len() as u64);
    prop_assert_eq!(a.prefixes_held(), prefix_blocks.len() as u64);
    for o in &singles {
        let state = a.block_state((o / 16) as usize).unwrap();
        prop_assert!(
            !matches!(state, BlockState::Free | BlockState::Prefix),
            "{:?}",
            state
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn held_free_blocks_match_brute_force(
        // offsets in the /22, not AWS-reserved (0..=3 and 1023)
        singles in proptest::collection::btree_set(4u32..1023, 0..80),
        prefix_blocks in proptest::collection::btree_set(1u32..63, 0..10),
    ) {
        check_random(&singles, &prefix_blocks)?;
    }
}
