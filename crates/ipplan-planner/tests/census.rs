//! The /28 block census and fragmentation score against hand-counted subnets, in the categories of
//! awslabs/aws-support-tools `EKS/subnet-fragmentation/subnet_frag.py` at `7bdd34b7dcf6` (`analyze_subnet`: a block
//! is prefix-allocated, reserved (first and last /28), free, full (16 used) or fragmented (some used); score
//! `ceil((fragmented + full) / (free + fragmented + full) * 100)`; `print_analysis`: 100 is EXHAUSTED without a
//! fragmented block, else CRITICAL; >= 75 HIGH, >= 50 MEDIUM, >= 25 LOW, else HEALTHY).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use ipplan_planner::alloc::{Band, Placement, ReservationKind, SubnetAllocator};
use ipplan_planner::svg::{MapOptions, subnet_map};

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

fn assign(a: &mut SubnetAllocator, last_octets: impl IntoIterator<Item = u8>) {
    for o in last_octets {
        a.assign_explicit(Ipv4Addr::new(10, 0, 0, o)).unwrap();
    }
}

#[test]
fn a_hand_counted_24() {
    let mut a = SubnetAllocator::new(net("10.0.0.0/24"), &[], Placement::Lowest).unwrap();
    // Block 1 (.16-.31): one address. Block 2 (.32-.47): all 16. Block 6 (.96-.111): two. Block 8 (.128/28): a
    // prefix. Block 12 (.192-.207): one. Block 15 (.240-.255, an edge block): one.
    assign(&mut a, [20]);
    assign(&mut a, 32..48);
    assign(&mut a, [100, 101, 200, 250]);
    a.assign_explicit_prefix(net("10.0.0.128/28")).unwrap();
    let c = a.census();
    // reserved: blocks 0 and 15. fragmented: 1, 6, 12. full: 2. prefix: 8. free: the other 16 - 8 = 9.
    assert_eq!(c.reserved, 2);
    assert_eq!(c.fragmented, 3);
    assert_eq!(c.full, 1);
    assert_eq!(c.prefix, 1);
    assert_eq!(c.free, 9);
    assert_eq!(c.prefix_reserved, 0);
    assert_eq!(c.total(), 16);
    // ceil((3 + 1) / (9 + 3 + 1) * 100) = ceil(30.77) = 31: LOW.
    assert_eq!(c.score(), Some(31));
    assert_eq!(c.band(), Some(Band::Low));
    // ipplan's own share counts only the fragmented blocks: 3 of the 13 prefix-capable blocks without a prefix.
    assert_eq!(a.fragmentation(), 3.0 / 13.0);
    // The map says the same.
    let svg = subnet_map(
        net("10.0.0.0/24"),
        &a.block_states(),
        "t",
        &MapOptions::default(),
    );
    assert!(svg.contains("score 31% (LOW)"), "{svg}");
    assert!(
        svg.contains("<title>10.0.0.32/28 full: 16 singles</title>"),
        "{svg}"
    );
}

#[test]
fn reservations_are_reserved_or_prefix_reserved() {
    let r = [
        (net("10.0.0.64/27"), ReservationKind::Prefix),
        (net("10.0.0.224/28"), ReservationKind::Explicit),
    ];
    let mut a = SubnetAllocator::new(net("10.0.0.0/24"), &r, Placement::Lowest).unwrap();
    assign(&mut a, [20]);
    assign(&mut a, 32..48);
    let c = a.census();
    // reserved: 0, 15 (edge) and 14 (explicit). prefix_reserved: 4, 5. fragmented: 1. full: 2. free: 16 - 7 = 9.
    assert_eq!(
        (c.reserved, c.prefix_reserved, c.fragmented, c.full, c.free),
        (3, 2, 1, 1, 9)
    );
    // Free blocks of a prefix reservation are candidates, as in the tool: ceil(2 / (9 + 2 + 1 + 1) * 100)
    // = ceil(15.38) = 16.
    assert_eq!(c.score(), Some(16));
    assert_eq!(c.band(), Some(Band::Healthy));
    // A prefix taken from the reservation moves one block from prefix_reserved to prefix.
    assert_eq!(a.alloc_prefix(), Ok(net("10.0.0.64/28")));
    let c = a.census();
    assert_eq!((c.prefix_reserved, c.prefix), (1, 1));
}

#[test]
fn a_full_subnet_is_exhausted_not_fragmented() {
    // A /26 has 4 blocks: 0 and 3 are edge blocks, 1 and 2 can hold prefixes.
    let mut a = SubnetAllocator::new(net("10.0.0.0/26"), &[], Placement::Lowest).unwrap();
    assign(&mut a, 16..47);
    let c = a.census();
    // Block 1 full, block 2 holds 15: one fragmented block, no free one.
    assert_eq!((c.full, c.fragmented, c.free), (1, 1, 0));
    assert_eq!(c.score(), Some(100));
    assert_eq!(c.band(), Some(Band::Critical));
    assert_eq!(a.fragmentation(), 1.0 / 2.0);
    assign(&mut a, [47]);
    let c = a.census();
    assert_eq!((c.full, c.fragmented), (2, 0));
    assert_eq!(c.band(), Some(Band::Exhausted));
    // Nothing is fragmented: the subnet is simply full.
    assert_eq!(a.fragmentation(), 0.0);
}

#[test]
fn no_candidate_block_has_no_score() {
    // A /28 is one block, an edge block.
    let a = SubnetAllocator::new(net("10.0.0.0/28"), &[], Placement::Lowest).unwrap();
    assert_eq!(a.census().reserved, 1);
    assert_eq!(a.census().score(), None);
    assert_eq!(a.census().band(), None);
    let svg = subnet_map(
        net("10.0.0.0/28"),
        &a.block_states(),
        "t",
        &MapOptions::default(),
    );
    assert!(svg.contains("score n/a"), "{svg}");
}
