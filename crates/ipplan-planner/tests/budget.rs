//! Subnet budgets and fits. Every expected value is computed by hand in the comment beside it, from
//! docs/model.md, "Prefixes and /28 fragmentation" (/28 blocks, first and last block never prefixes) and "Subnet
//! and VPC facts" (5 reserved addresses per subnet, awsdocs/amazon-vpc-user-guide `doc_source/subnet-sizing.md`).

use ipnet::Ipv4Net;
use ipplan_core::Catalog;
use ipplan_planner::Plan;
use ipplan_planner::capacity::{FitFailure, SubnetBudget, SubnetDemand};
use ipplan_planner::plan::{Consumer, Reservation, ReservationType as ReservationKind};

/// A subnet as the budget sees it: range, reservations, other consumers.
struct Subnet {
    cidr: Ipv4Net,
    reservations: Vec<Reservation>,
    other_consumers: Vec<Consumer>,
}

fn subnet(cidr: &str, reservations: &[(&str, ReservationKind)]) -> Subnet {
    Subnet {
        cidr: cidr.parse().unwrap(),
        reservations: reservations
            .iter()
            .map(|&(c, kind)| Reservation {
                cidr: c.parse().unwrap(),
                kind,
            })
            .collect(),
        other_consumers: vec![],
    }
}

/// `SubnetBudget::new` for a test subnet.
fn budget(s: &Subnet, control_plane: u64) -> SubnetBudget {
    let other = s.other_consumers.iter().map(|c| c.addresses).sum();
    SubnetBudget::new(s.cidr, &s.reservations, other, control_plane)
}

fn demand(singles: u64, prefixes: u64) -> SubnetDemand {
    SubnetDemand { singles, prefixes }
}

#[test]
fn sizes_usable_and_prefix_blocks() {
    // usable = 2^(32-L) - 5 (VPC UG subnet-sizing.md); prefix blocks = 2^(28-L) - 2 for L <= 27, a /28 holds 0
    for (cidr, size, usable, total_blocks, blocks) in [
        ("10.0.0.0/24", 256, 251, 16, 14),
        ("10.0.0.0/20", 4096, 4091, 256, 254),
        ("10.0.0.0/16", 65536, 65531, 4096, 4094),
        ("10.0.0.0/28", 16, 11, 1, 0),
    ] {
        let b = budget(&subnet(cidr, &[]), 0);
        assert_eq!(b.size, size, "{cidr}");
        assert_eq!(b.aws_reserved, 5, "{cidr}");
        assert_eq!(b.usable, usable, "{cidr}");
        assert_eq!(b.total_blocks, total_blocks, "{cidr}");
        assert_eq!(b.prefix_blocks, blocks, "{cidr}");
        assert_eq!(b.reserved_prefix_blocks, 0, "{cidr}");
        // no reservations: singles may use every non-reserved address
        assert_eq!(b.single_capacity, usable as u64, "{cidr}");
    }
    // harmless places: first block 16 - 4 = 12, last 16 - 1 = 15; a /28 is both: 16 - 5 = 11
    assert_eq!(budget(&subnet("10.0.0.0/24", &[]), 0).harmless_singles, 27);
    assert_eq!(budget(&subnet("10.0.0.0/28", &[]), 0).harmless_singles, 11);
}

#[test]
fn control_plane_in_a_28() {
    // awsdocs/amazon-eks-user-guide network-reqs.adoc / #688: 4 ENIs + 4 during an upgrade + 5 reserved = 13 <= 16,
    // so a /28 holds one subnet's worth of control plane with 16 - 5 - 8 = 3 to spare
    let b = budget(&subnet("10.0.0.0/28", &[]), 8);
    assert_eq!(b.usable, 3);
    let f = b.fit(demand(0, 0));
    assert_eq!((f.capacity, f.used, f.headroom), (11, 8, 3));
    assert!(f.fits);
    assert_eq!(f.prefix, None);
}

#[test]
fn singles_spoil_blocks_worst_case_fails() {
    // /24, 20 singles + 10 prefixes. Addresses: 20 + 160 = 180 <= 251 (headroom 71).
    // Best: the 27 edge places take all 20 singles, 0 blocks spoiled, 14 free >= 10.
    // Worst: every single spoils its own block: min(20, 14) = 14 spoiled, 0 free < 10.
    let f = budget(&subnet("10.0.0.0/24", &[]), 0).fit(demand(20, 10));
    assert_eq!((f.capacity, f.used, f.headroom), (251, 180, 71));
    assert!(f.fits_addresses && f.fits_singles);
    let p = f.prefix.unwrap();
    assert_eq!(p.needed, 10);
    assert_eq!(p.from_reservations, 0);
    assert_eq!((p.best_case_free_blocks, p.worst_case_free_blocks), (14, 0));
    assert!(p.fits_best_case && !p.fits_worst_case);
    assert!(!f.fits);
    assert_eq!(f.first_failure, Some(FitFailure::PrefixBlocksWorstCase));
}

#[test]
fn prefix_reservation_makes_the_worst_case_fit() {
    // The same /24 and 20 singles, 4 prefixes, with 10.0.0.128/26 reserved for prefixes: blocks 8..=11
    // (offsets 128..191), none an edge. Reserved blocks 4, general 14 - 4 = 10.
    // Worst: min(20, 10) = 10 general blocks spoiled; free = 4 reserved + 0 = 4 >= 4.
    // Best: 20 <= 27 edge places, nothing spoiled, 14 free.
    // Singles outside reservations: 251 - 64 = 187 >= 20. Addresses: 20 + 64 = 84, headroom 251 - 84 = 167.
    let s = subnet("10.0.0.0/24", &[("10.0.0.128/26", ReservationKind::Prefix)]);
    let b = budget(&s, 0);
    assert_eq!((b.prefix_blocks, b.reserved_prefix_blocks), (14, 4));
    assert_eq!((b.prefix_reserved, b.explicit_reserved), (64, 0));
    assert_eq!(b.usable, 251); // prefix reservations stay in the pool (prefixes only)
    assert_eq!(b.single_capacity, 187);
    let f = b.fit(demand(20, 4));
    assert_eq!(f.headroom, 167);
    let p = f.prefix.unwrap();
    assert_eq!(p.from_reservations, 4);
    assert_eq!((p.best_case_free_blocks, p.worst_case_free_blocks), (14, 4));
    assert!(p.fits_worst_case);
    assert!(f.fits);
    assert_eq!(f.first_failure, None);

    // without the reservation the worst case fails: min(20, 14) = 14 spoiled, 0 free < 4
    let f = budget(&subnet("10.0.0.0/24", &[]), 0).fit(demand(20, 4));
    assert_eq!(f.prefix.unwrap().worst_case_free_blocks, 0);
    assert_eq!(f.first_failure, Some(FitFailure::PrefixBlocksWorstCase));
}

#[test]
fn edges_cannot_hold_prefixes_best_case_fails_while_addresses_fit() {
    // /24, no singles, 15 prefixes: 240 addresses <= 251, but only 14 blocks exist
    let f = budget(&subnet("10.0.0.0/24", &[]), 0).fit(demand(0, 15));
    assert!(f.fits_addresses);
    assert_eq!(f.headroom, 11);
    let p = f.prefix.unwrap();
    assert_eq!(
        (p.best_case_free_blocks, p.worst_case_free_blocks),
        (14, 14)
    );
    assert_eq!(f.first_failure, Some(FitFailure::PrefixBlocksBestCase));
}

#[test]
fn best_case_packs_sixteen_to_a_block() {
    // /24, 60 singles, 12 prefixes. Best: 60 - 27 edge places = 33 left, ceil(33 / 16) = 3 blocks spoiled,
    // 14 - 3 = 11 free < 12. Addresses: 60 + 192 = 252 > 251 fails first.
    let f = budget(&subnet("10.0.0.0/24", &[]), 0).fit(demand(60, 12));
    assert_eq!(f.prefix.unwrap().best_case_free_blocks, 11);
    assert_eq!(f.headroom, -1);
    assert_eq!(f.first_failure, Some(FitFailure::Addresses));
    // 59 singles, 11 prefixes: 32 left after the edges, exactly 2 blocks; 12 free >= 11; 59 + 176 = 235
    let f = budget(&subnet("10.0.0.0/24", &[]), 0).fit(demand(59, 11));
    let p = f.prefix.unwrap();
    assert_eq!((p.best_case_free_blocks, p.worst_case_free_blocks), (12, 0));
    assert_eq!(f.headroom, 251 - 235);
}

#[test]
fn explicit_reservations_consumers_and_control_plane() {
    // /24 with explicit 10.0.0.0/28 (block 0: 16 addresses, 4 of them AWS-reserved, so 12 more) and explicit
    // 10.0.0.40/29 (offsets 40..47 in block 2: 8 more, and block 2 stops being prefix-eligible).
    // explicit_reserved = 12 + 8 = 20. Eligible blocks: 14 - 1 (block 2) = 13.
    // Harmless places: block 0 has 0 left, the last block 15, block 2 16 - 8 = 8: 23.
    // Consumers: an ALB (8) and a 2-subnet control plane share of 4: usable = 256 - 5 - 20 - 8 - 4 = 219.
    let mut s = subnet(
        "10.0.0.0/24",
        &[
            ("10.0.0.0/28", ReservationKind::Explicit),
            ("10.0.0.40/29", ReservationKind::Explicit),
        ],
    );
    s.other_consumers.push(Consumer {
        what: "alb".into(),
        addresses: 8,
    });
    let b = budget(&s, 4);
    assert_eq!(b.explicit_reserved, 20);
    assert_eq!(b.prefix_blocks, 13);
    assert_eq!(b.harmless_singles, 23);
    assert_eq!(b.usable, 219);
    assert_eq!(b.single_capacity, 23 + 13 * 16);

    // 30 demand singles + 8 + 4 = 42 singles, 10 prefixes.
    // capacity = 256 - 5 - 20 = 231; used = 30 + 160 + 12 = 202; headroom 29.
    // Best: 42 - 23 = 19 -> ceil(19/16) = 2 spoiled, 13 - 2 = 11 free >= 10.
    // Worst: min(42, 13) = 13 spoiled, 0 free.
    let f = b.fit(demand(30, 10));
    assert_eq!(
        (f.capacity, f.used, f.headroom, f.singles),
        (231, 202, 29, 42)
    );
    let p = f.prefix.unwrap();
    assert_eq!((p.best_case_free_blocks, p.worst_case_free_blocks), (11, 0));
    assert_eq!(f.first_failure, Some(FitFailure::PrefixBlocksWorstCase));
}

#[test]
fn singles_cannot_use_prefix_reservations() {
    // /24 with 10.0.0.0/25 reserved for prefixes: blocks 0..=7. Block 0 is an edge (its 12 non-AWS addresses are
    // reserved but never a prefix); blocks 1..=7 are 7 reserved prefix blocks; general 14 - 7 = 7.
    // prefix_reserved = 128 - 4 = 124. Singles may use the last block (15) and 7 general blocks (112): 127.
    let b = budget(
        &subnet("10.0.0.0/24", &[("10.0.0.0/25", ReservationKind::Prefix)]),
        0,
    );
    assert_eq!(b.prefix_reserved, 124);
    assert_eq!((b.prefix_blocks, b.reserved_prefix_blocks), (14, 7));
    assert_eq!(b.single_capacity, 127);
    // 130 singles: 130 <= 251 addresses, but 130 > 127 outside the reservation
    let f = b.fit(demand(130, 0));
    assert!(f.fits_addresses && !f.fits_singles);
    assert_eq!(
        f.first_failure,
        Some(FitFailure::SinglesOutsideReservations)
    );
    // 127 singles fit exactly
    assert!(b.fit(demand(127, 0)).fits);
}

#[test]
fn too_many_addresses() {
    // /28: 11 usable; 12 singles do not fit
    let f = budget(&subnet("10.0.0.0/28", &[]), 0).fit(demand(12, 0));
    assert_eq!(f.headroom, -1);
    assert_eq!(f.first_failure, Some(FitFailure::Addresses));
    // one prefix in a /28: 16 addresses > 11 fails first, and there are 0 blocks anyway
    let f = budget(&subnet("10.0.0.0/28", &[]), 0).fit(demand(0, 1));
    assert_eq!(f.first_failure, Some(FitFailure::Addresses));
    assert_eq!(f.prefix.unwrap().best_case_free_blocks, 0);
}

#[test]
fn plan_budget_includes_the_control_plane_share() {
    // 4 ENIs over 2 subnets: ceil(4/2) = 2 each, doubled for upgrades = 4; /24: 251 - 4 = 247; ALB 8 more: 239
    let yaml = "
subnets:
  - { name: a, az: us-east-1a, cidr: 10.0.0.0/24, other_consumers: [{ what: alb, addresses: 8 }] }
  - { name: b, az: us-east-1b, cidr: 10.0.1.0/24 }
  - { name: c, az: us-east-1c, cidr: 10.0.2.0/24 }
control_plane: { subnets: [a, b] }
";
    let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).unwrap();
    assert_eq!(SubnetBudget::of(&plan, plan.subnets()[0].id()).usable, 239);
    assert_eq!(SubnetBudget::of(&plan, plan.subnets()[1].id()).usable, 247);
    assert_eq!(SubnetBudget::of(&plan, plan.subnets()[2].id()).usable, 251);
}

/// An independent oracle for the counts: classify every address of the subnet with `Ipv4Net::contains`, then
/// every block, with no shortcuts.
fn oracle(s: &Subnet) -> (u64, u64, u64, u64, u64) {
    let net = s.cidr;
    let base = u32::from(net.network());
    let size = 1u32 << (32 - net.prefix_len());
    let mut explicit = 0;
    let mut prefix = 0;
    let mut eligible = 0;
    let mut reserved_blocks = 0;
    let mut harmless = 0;
    let blocks = size / 16;
    for b in 0..blocks {
        let mut exp_here = 0;
        let mut pfx_here = 0;
        let mut free_here = 0;
        for k in 0..16 {
            let off = b * 16 + k;
            let a = std::net::Ipv4Addr::from(base + off);
            let host = ipnet::Ipv4Net::new(a, 32).unwrap();
            let aws = off < 4 || off == size - 1;
            let in_kind = |kind| {
                s.reservations
                    .iter()
                    .any(|r| r.kind == kind && r.cidr.contains(&host))
            };
            if aws {
                continue;
            }
            if in_kind(ReservationKind::Explicit) {
                exp_here += 1;
            } else if in_kind(ReservationKind::Prefix) {
                pfx_here += 1;
            } else {
                free_here += 1;
            }
        }
        explicit += exp_here;
        prefix += pfx_here;
        let edge = b == 0 || b == blocks - 1;
        if !edge && exp_here == 0 {
            eligible += 1;
            if pfx_here == 16 {
                reserved_blocks += 1;
            }
        } else {
            harmless += free_here;
        }
    }
    (explicit, prefix, eligible, reserved_blocks, harmless)
}

#[test]
fn counts_match_an_address_by_address_oracle() {
    use ReservationKind::{Explicit, Prefix};
    let cases: Vec<(&str, Vec<(&str, ReservationKind)>)> = vec![
        ("10.0.0.0/24", vec![]),
        (
            "10.0.0.0/22",
            vec![("10.0.1.0/24", Prefix), ("10.0.2.7/32", Explicit)],
        ),
        (
            "10.0.0.0/22",
            vec![("10.0.3.240/28", Prefix), ("10.0.0.0/26", Explicit)],
        ),
        (
            "10.0.0.0/26",
            vec![("10.0.0.16/28", Prefix), ("10.0.0.33/32", Explicit)],
        ),
        (
            "10.0.0.0/20",
            vec![
                ("10.0.8.0/21", Prefix),
                ("10.0.4.0/23", Explicit),
                ("10.0.15.255/32", Explicit),
            ],
        ),
    ];
    for (cidr, res) in cases {
        let s = subnet(cidr, &res);
        let b = budget(&s, 0);
        let (explicit, prefix, eligible, reserved, harmless) = oracle(&s);
        assert_eq!(
            (
                b.explicit_reserved,
                b.prefix_reserved,
                b.prefix_blocks,
                b.reserved_prefix_blocks,
                b.harmless_singles
            ),
            (explicit, prefix, eligible, reserved, harmless),
            "{cidr} {res:?}"
        );
        assert_eq!(
            b.single_capacity,
            b.size - 5 - explicit - prefix,
            "{cidr}: singles may use everything not reserved"
        );
    }
}

mod props {
    //! The fit against a placement simulation on small subnets: singles are placed one address at a time
    //! (best case: harmless places first, then filling one general block before the next; worst case: one
    //! single per general block first), then the untouched eligible blocks are counted.
    use super::*;
    use proptest::prelude::*;

    /// (subnet prefix length, reservations as (offset, length, is_prefix), singles, prefixes)
    fn input() -> impl Strategy<Value = (u8, Vec<(u32, u8, bool)>, u64, u64)> {
        (24u8..=28).prop_flat_map(|l| {
            let res = prop::collection::vec((0u32..256, l..=32u8, any::<bool>()), 0..4);
            (Just(l), res, 0u64..300, 0u64..20)
        })
    }

    fn build(l: u8, raw: &[(u32, u8, bool)]) -> Subnet {
        let size = 1u32 << (32 - l);
        let mut taken: Vec<ipnet::Ipv4Net> = Vec::new();
        let mut res = Vec::new();
        for &(off, len, is_prefix) in raw {
            let len = if is_prefix { len.min(28) } else { len };
            let block = 1u32 << (32 - len);
            let off = (off % size) / block * block;
            let cidr =
                ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(0x0a00_0000 + off), len).unwrap();
            if taken
                .iter()
                .any(|t| t.contains(&cidr.network()) || cidr.contains(&t.network()))
            {
                continue;
            }
            taken.push(cidr);
            res.push(Reservation {
                cidr,
                kind: if is_prefix {
                    ReservationKind::Prefix
                } else {
                    ReservationKind::Explicit
                },
            });
        }
        Subnet {
            cidr: format!("10.0.0.0/{l}").parse().unwrap(),
            reservations: res,
            other_consumers: vec![],
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Class {
        Aws,
        Explicit,
        Prefix,
        Free,
    }

    /// Untouched eligible blocks after placing `singles`, best or worst; `None` if the singles do not fit.
    fn simulate(s: &Subnet, singles: u64, best: bool) -> Option<u64> {
        let size = 1u32 << (32 - s.cidr.prefix_len());
        let class: Vec<Class> = (0..size)
            .map(|off| {
                let host =
                    ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(0x0a00_0000 + off), 32).unwrap();
                let kind = |k| {
                    s.reservations
                        .iter()
                        .any(|r| r.kind == k && r.cidr.contains(&host))
                };
                if off < 4 || off == size - 1 {
                    Class::Aws
                } else if kind(ReservationKind::Explicit) {
                    Class::Explicit
                } else if kind(ReservationKind::Prefix) {
                    Class::Prefix
                } else {
                    Class::Free
                }
            })
            .collect();
        let blocks = (size / 16) as usize;
        let eligible: Vec<bool> = (0..blocks)
            .map(|b| {
                b != 0 && b + 1 != blocks && !class[b * 16..b * 16 + 16].contains(&Class::Explicit)
            })
            .collect();
        let general: Vec<bool> = (0..blocks)
            .map(|b| eligible[b] && class[b * 16..b * 16 + 16].iter().all(|&c| c == Class::Free))
            .collect();
        let mut used = vec![false; size as usize];
        let mut left = singles;
        let mut place = |addrs: &mut dyn Iterator<Item = usize>, left: &mut u64| {
            for a in addrs {
                if *left == 0 {
                    return;
                }
                if class[a] == Class::Free && !used[a] {
                    used[a] = true;
                    *left -= 1;
                }
            }
        };
        if best {
            // harmless places, then general blocks one after the other
            place(
                &mut (0..size as usize).filter(|&a| !general[a / 16]),
                &mut left,
            );
            place(
                &mut (0..size as usize).filter(|&a| general[a / 16]),
                &mut left,
            );
        } else {
            // the first address of every general block, then everything else
            place(
                &mut (0..blocks).filter(|&b| general[b]).map(|b| b * 16),
                &mut left,
            );
            place(&mut (0..size as usize), &mut left);
        }
        if left > 0 {
            return None;
        }
        Some(
            (0..blocks)
                .filter(|&b| eligible[b] && !used[b * 16..b * 16 + 16].contains(&true))
                .count() as u64,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            if std::env::var_os("CI").is_some() { 64 } else { 256 }
        ))]
        #[test]
        fn fit_matches_a_placement_simulation((l, raw, singles, prefixes) in input()) {
            let s = build(l, &raw);
            let f = budget(&s, 0).fit(SubnetDemand { singles, prefixes: prefixes.max(1) });
            let best = simulate(&s, singles, true);
            let worst = simulate(&s, singles, false);
            prop_assert_eq!(best.is_some(), f.fits_singles);
            prop_assert_eq!(worst.is_some(), f.fits_singles);
            if let (Some(best), Some(worst)) = (best, worst) {
                let p = f.prefix.unwrap();
                prop_assert_eq!(p.best_case_free_blocks, best);
                prop_assert_eq!(p.worst_case_free_blocks, worst);
                prop_assert!(worst <= best);
            }
            if f.fits {
                prop_assert!(f.fits_addresses && f.prefix.unwrap().fits_best_case);
            }
        }
    }
}
