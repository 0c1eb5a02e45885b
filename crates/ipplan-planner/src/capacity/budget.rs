//! One subnet's address budget: how many addresses and /28 blocks it has, and whether a demand fits.
//!
//! # Model (docs/model.md, "Prefixes and /28 fragmentation" and "Subnet and VPC facts")
//!
//! * A `/L` subnet has `2^(32-L)` addresses; AWS reserves 5 (network, +1 router, +2 DNS, +3 future use, broadcast;
//!   awsdocs/amazon-vpc-user-guide `doc_source/subnet-sizing.md`). Explicit reservations take their addresses out
//!   of the pool.
//! * It is cut into `2^(28-L)` aligned /28 blocks. The first block (holding .0–.3) and the last (holding the
//!   broadcast address) can never be prefixes, so a `/L` subnet (L ≤ 27) has `2^(28-L) - 2` prefix-eligible blocks
//!   (a /28 has none); a block touching an explicit reservation is not eligible either.
//! * Blocks inside prefix reservations are eligible and EC2 takes prefixes from them first; EC2 never puts single
//!   addresses in a reservation, so singles can neither use nor spoil them.
//! * A single address (node or ENI primary, secondary IP, branch ENI, other consumer, control-plane ENI) inside an
//!   eligible block spoils it for prefixes. In a block that can never be a prefix (the edges, blocks touching an
//!   explicit reservation) a single does no harm: the first block has 16 − 4 = 12 such places, the last 16 − 1 = 15,
//!   less reserved ones.
//!
//! Where singles land is EC2's choice, so a prefix demand is judged twice: **best case** (singles fill the harmless
//! places first, then pack 16 to a block) and **worst case** (every single lands in a different eligible
//! unreserved block until none is left). The verdict [`SubnetFit::fits`] is the conservative one: it needs the
//! worst case to hold; the best case is reported beside it.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::plan::SubnetDemand;
use crate::plan::{Held, Plan, Reservation, ReservationType, SubnetId};

/// Addresses AWS reserves in every subnet (VPC UG `subnet-sizing.md`).
pub const AWS_RESERVED_PER_SUBNET: u64 = 5;

/// The address budget of one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SubnetBudget {
    /// The subnet.
    pub cidr: Ipv4Net,
    /// `2^(32-L)` addresses.
    pub size: u64,
    /// The 5 AWS-reserved addresses.
    pub aws_reserved: u64,
    /// Addresses in explicit reservations that are not already among the AWS-reserved ones.
    pub explicit_reserved: u64,
    /// Addresses in prefix reservations (usable by prefixes only; not among the AWS-reserved or explicit ones).
    pub prefix_reserved: u64,
    /// Addresses the subnet's other consumers take.
    pub other_consumers: u64,
    /// Addresses kept for control-plane ENIs (as given to [`SubnetBudget::new`]).
    pub control_plane: u64,
    /// `size − aws_reserved − explicit_reserved − other_consumers − control_plane`: what is left for the
    /// cluster's nodes and pods (negative when the consumers alone do not fit).
    pub usable: i64,
    /// Aligned /28 blocks: `2^(28-L)` for L ≤ 28.
    pub total_blocks: u64,
    /// Blocks that can hold a prefix: not an edge block, not touching an explicit reservation
    /// (`2^(28-L) − 2` without reservations).
    pub prefix_blocks: u64,
    /// Of [`SubnetBudget::prefix_blocks`], those inside prefix reservations.
    pub reserved_prefix_blocks: u64,
    /// Places where a single does no harm: free addresses in blocks that can never be prefixes.
    pub harmless_singles: u64,
    /// Addresses a single may take at all: not AWS-reserved, in no reservation, not held.
    pub single_capacity: u64,
    /// Of [`other_consumers`](Self::other_consumers), single addresses held at known places
    /// (`other_consumers[].at`); their blocks are counted exactly, not by the best and worst cases.
    pub held_singles: u64,
    /// Of [`other_consumers`](Self::other_consumers), /28 prefixes held at known places (16 addresses each).
    pub held_prefixes: u64,
}

/// Why a demand does not fit, in the order [`SubnetFit::first_failure`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FitFailure {
    /// More addresses than the subnet has.
    Addresses,
    /// More singles than the addresses outside reservations.
    SinglesOutsideReservations,
    /// Not enough free /28 blocks even with singles packed densely.
    PrefixBlocksBestCase,
    /// Not enough free /28 blocks if every single spoils its own block.
    PrefixBlocksWorstCase,
}

/// The /28 side of a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PrefixFit {
    /// Prefixes asked for.
    pub needed: u64,
    /// Of those, taken from prefix reservations (EC2's first choice).
    pub from_reservations: u64,
    /// Prefix-eligible blocks left free when singles are packed: harmless places first, then 16 per block.
    pub best_case_free_blocks: u64,
    /// Prefix-eligible blocks left free when every single spoils a distinct unreserved eligible block.
    pub worst_case_free_blocks: u64,
    /// `needed <= best_case_free_blocks`.
    pub fits_best_case: bool,
    /// `needed <= worst_case_free_blocks`.
    pub fits_worst_case: bool,
}

/// Whether a demand fits one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SubnetFit {
    /// Addresses that can be handed out at all: `size − aws_reserved − explicit_reserved` (the budget's
    /// `usable` before other consumers and the control plane).
    pub capacity: u64,
    /// Addresses taken at peak by everything except the AWS-reserved addresses and explicit reservations:
    /// `demand.addresses() + other_consumers + control_plane`.
    pub used: u64,
    /// `capacity − used` (= the budget's `usable − demand.addresses()`).
    pub headroom: i64,
    /// `used <= capacity`.
    pub fits_addresses: bool,
    /// All singles: `demand.singles + other_consumers + control_plane`.
    pub singles: u64,
    /// `singles <= single_capacity` (singles cannot use reservations).
    pub fits_singles: bool,
    /// The /28 analysis, when the demand has prefixes.
    pub prefix: Option<PrefixFit>,
    /// The conservative verdict: addresses fit, singles fit outside reservations, and the worst case of the
    /// prefix analysis holds.
    pub fits: bool,
    /// The first check that fails, in the order of [`FitFailure`].
    pub first_failure: Option<FitFailure>,
}

impl SubnetBudget {
    /// The budget of subnet `cidr` with its `reservations`, `other_consumers` addresses, keeping
    /// `control_plane_addresses` free for control-plane ENIs (see
    /// [`crate::plan::ControlPlane::addresses_per_subnet`]). Assumes a validated subnet (reservations inside it, not
    /// overlapping, prefix reservations /28 or larger); a block partly in a prefix reservation would be counted as
    /// not prefix-eligible.
    ///
    /// ```
    /// use ipplan_planner::capacity::SubnetBudget;
    /// let b = SubnetBudget::new("10.0.0.0/24".parse().unwrap(), &[], 0, 0);
    /// // docs/model.md, "Subnet and VPC facts": 256 − 5 = 251; "Prefixes and /28 fragmentation":
    /// // 2^(28−24) − 2 = 14 blocks
    /// assert_eq!((b.usable, b.prefix_blocks), (251, 14));
    /// ```
    #[must_use]
    pub fn new(
        cidr: Ipv4Net,
        reservations: &[Reservation],
        other_consumers: u64,
        control_plane_addresses: u64,
    ) -> Self {
        let cidr = cidr.trunc();
        let base = u64::from(u32::from(cidr.network()));
        let size = 1u64 << (32 - u32::from(cidr.prefix_len()));
        let end = base + size;

        // reservations as [start, end) offsets clipped to the subnet
        let clip = |r: &Ipv4Net| {
            let s = u64::from(u32::from(r.network())).max(base);
            let e = (u64::from(u32::from(r.broadcast())) + 1).min(end);
            (s.saturating_sub(base), e.saturating_sub(base))
        };
        let explicit: Vec<(u64, u64)> = reservations
            .iter()
            .filter(|r| r.kind == ReservationType::Explicit)
            .map(|r| clip(&r.cidr))
            .filter(|(s, e)| s < e)
            .collect();
        let prefix: Vec<(u64, u64)> = reservations
            .iter()
            .filter(|r| r.kind == ReservationType::Prefix)
            .map(|r| clip(&r.cidr))
            .filter(|(s, e)| s < e)
            .collect();
        let in_any = |v: &[(u64, u64)], a: u64| v.iter().any(|&(s, e)| s <= a && a < e);
        let touches = |v: &[(u64, u64)], lo: u64, hi: u64| v.iter().any(|&(s, e)| s < hi && lo < e);
        let aws = |a: u64| a <= 3 || a == size - 1;

        let block_len = size.min(16);
        let total_blocks = size / block_len;
        let mut aws_reserved = 0;
        let mut explicit_reserved = 0;
        let mut prefix_reserved = 0;
        let mut prefix_blocks = 0;
        let mut reserved_prefix_blocks = 0;
        let mut harmless_singles = 0;
        let mut general_blocks = 0;
        for b in 0..total_blocks {
            let (lo, hi) = (b * block_len, (b + 1) * block_len);
            let edge = b == 0 || b + 1 == total_blocks;
            let reserved_here = touches(&explicit, lo, hi) || touches(&prefix, lo, hi);
            if !edge && !reserved_here {
                prefix_blocks += 1;
                general_blocks += 1;
                continue;
            }
            let inside = |v: &[(u64, u64)]| v.iter().any(|&(s, e)| s <= lo && hi <= e);
            if !edge && !touches(&explicit, lo, hi) && inside(&prefix) {
                // the common case in a large prefix reservation: the whole block, no address loop
                prefix_reserved += block_len;
                prefix_blocks += 1;
                reserved_prefix_blocks += 1;
                continue;
            }
            let (mut n_aws, mut n_exp, mut n_pfx) = (0, 0, 0);
            for a in lo..hi {
                if aws(a) {
                    n_aws += 1;
                } else if in_any(&explicit, a) {
                    n_exp += 1;
                } else if in_any(&prefix, a) {
                    n_pfx += 1;
                }
            }
            aws_reserved += n_aws;
            explicit_reserved += n_exp;
            prefix_reserved += n_pfx;
            let free = block_len - n_aws - n_exp - n_pfx;
            if !edge && n_exp == 0 && n_pfx == block_len {
                prefix_blocks += 1;
                reserved_prefix_blocks += 1;
            } else {
                harmless_singles += free;
            }
        }
        let usable = to_i64(size)
            - to_i64(aws_reserved)
            - to_i64(explicit_reserved)
            - to_i64(other_consumers)
            - to_i64(control_plane_addresses);
        Self {
            cidr,
            size,
            aws_reserved,
            explicit_reserved,
            prefix_reserved,
            other_consumers,
            control_plane: control_plane_addresses,
            usable,
            total_blocks,
            prefix_blocks,
            reserved_prefix_blocks,
            harmless_singles,
            single_capacity: harmless_singles + 16 * general_blocks,
            held_singles: 0,
            held_prefixes: 0,
        }
    }

    /// This budget with `held` (part of its other consumers) at known places: each block a held single sits in is
    /// spoiled for certain (its other places become harmless), each held prefix takes its block, and only the
    /// other singles are placed by the best and worst cases. `reservations` are the ones given to
    /// [`SubnetBudget::new`]. Linear in the held ranges' addresses.
    ///
    /// ```
    /// use ipplan_planner::capacity::{SubnetBudget, SubnetDemand};
    /// use ipplan_planner::plan::Held;
    /// # use ipplan_core::Catalog;
    /// # use ipplan_planner::Plan;
    /// // one consumer of 14 addresses, one in each prefix-capable block of a /24
    /// let yaml = "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24, other_consumers: [{ what: x, addresses: 14, \
    ///     at: [10.0.0.16, 10.0.0.32, 10.0.0.48, 10.0.0.64, 10.0.0.80, 10.0.0.96, 10.0.0.112, 10.0.0.128, \
    ///     10.0.0.144, 10.0.0.160, 10.0.0.176, 10.0.0.192, 10.0.0.208, 10.0.0.224] }] }]";
    /// let plan = Plan::from_yaml_str(yaml, "p.yaml", &Catalog::embedded())?;
    /// let b = SubnetBudget::of(&plan, plan.subnets()[0].id());
    /// // every block is spoiled, for certain: not even the best case has one free
    /// let p = b.fit(SubnetDemand { singles: 0, prefixes: 1 }).prefix.unwrap();
    /// assert_eq!((p.best_case_free_blocks, p.worst_case_free_blocks), (0, 0));
    /// # Ok::<(), ipplan_planner::PlanError>(())
    /// ```
    #[must_use]
    pub fn with_held(mut self, reservations: &[Reservation], held: &Held) -> Self {
        if held.is_empty() {
            return self;
        }
        let base = u32::from(self.cidr.network());
        let last_block = self.total_blocks.saturating_sub(1);
        let in_kind = |kind: ReservationType, a: u32| {
            reservations
                .iter()
                .any(|r| r.kind == kind && r.cidr.contains(&Ipv4Addr::from(a)))
        };
        let block_of = |a: u32| u64::from(a - base) / 16;
        // what block b is: an eligible general block, an eligible block inside a prefix reservation, or neither
        #[derive(PartialEq)]
        enum Kind {
            Never,
            General,
            Reserved,
        }
        let kind_of = |b: u64| {
            let lo = base + (b as u32) * 16;
            let edge = b == 0 || b == last_block;
            let all_prefix = (lo..lo + 16).all(|a| in_kind(ReservationType::Prefix, a));
            let any_res = (lo..lo + 16).any(|a| {
                in_kind(ReservationType::Prefix, a) || in_kind(ReservationType::Explicit, a)
            });
            if edge || (any_res && !all_prefix) {
                Kind::Never // held singles there take harmless places
            } else if all_prefix {
                Kind::Reserved
            } else {
                Kind::General
            }
        };
        for p in held.prefixes() {
            let a = u32::from(p.network());
            match kind_of(block_of(a)) {
                Kind::Reserved => {
                    self.prefix_blocks -= 1;
                    self.reserved_prefix_blocks -= 1;
                }
                Kind::General => self.prefix_blocks -= 1,
                Kind::Never => {
                    let counted = (a..a + 16)
                        .filter(|&x| {
                            !in_kind(ReservationType::Prefix, x)
                                && !in_kind(ReservationType::Explicit, x)
                        })
                        .count() as u64;
                    self.harmless_singles -= counted.min(self.harmless_singles);
                }
            }
            self.held_prefixes += 1;
        }
        // held singles, block by block (they are sorted, so one block's run is contiguous)
        let mut singles = held.singles().map(u32::from).peekable();
        while let Some(first) = singles.next() {
            let b = block_of(first);
            let mut here = vec![first];
            while let Some(&next) = singles.peek() {
                if block_of(next) != b {
                    break;
                }
                here.push(next);
                singles.next();
            }
            let k = here.len() as u64;
            match kind_of(b) {
                Kind::General => {
                    self.prefix_blocks -= 1;
                    self.harmless_singles += 16 - k;
                }
                Kind::Reserved => {
                    self.prefix_blocks -= 1;
                    self.reserved_prefix_blocks -= 1;
                }
                Kind::Never => {
                    let counted = here
                        .iter()
                        .filter(|&&x| {
                            !in_kind(ReservationType::Prefix, x)
                                && !in_kind(ReservationType::Explicit, x)
                        })
                        .count() as u64;
                    self.harmless_singles -= counted.min(self.harmless_singles);
                }
            }
            self.held_singles += k;
        }
        self.single_capacity = self.harmless_singles + 16 * self.general_blocks();
        self
    }

    /// The budget of subnet `id` of `plan`, with its other consumers (its ECS services' tasks among them), its
    /// held addresses and its control-plane share.
    #[must_use]
    pub fn of(plan: &Plan, id: SubnetId) -> Self {
        let s = plan.subnet(id);
        // ECS tasks of the parallel run are other consumers too
        Self::new(
            s.cidr(),
            s.reservations(),
            s.other_consumer_addresses() + plan.ecs_addresses(id),
            plan.control_plane_addresses(id),
        )
        .with_held(s.reservations(), s.held())
    }

    /// Prefix-eligible blocks outside prefix reservations (the general pool singles may spoil).
    #[must_use]
    pub const fn general_blocks(&self) -> u64 {
        self.prefix_blocks - self.reserved_prefix_blocks
    }

    /// The first address of the subnet (for reports).
    #[must_use]
    pub fn first_address(&self) -> Ipv4Addr {
        self.cidr.network()
    }

    /// Whether `demand` (the cluster's singles and prefixes at peak) fits, with the budget's other consumers and
    /// control-plane addresses added as singles. Prefixes come from prefix reservations first (EC2's order,
    /// aws/amazon-vpc-cni-k8s#2749), then from the general pool.
    ///
    /// ```
    /// use ipplan_planner::capacity::{FitFailure, SubnetBudget, SubnetDemand};
    /// let fit = SubnetBudget::new("10.0.0.0/24".parse().unwrap(), &[], 0, 0).fit(SubnetDemand { singles: 20, prefixes: 10 });
    /// // 20 + 160 = 180 of 251 addresses; best case: the 27 edge places take all 20 singles, 14 blocks free;
    /// // worst case: 20 singles spoil all 14 blocks, 0 free
    /// let p = fit.prefix.unwrap();
    /// assert_eq!((fit.headroom, p.best_case_free_blocks, p.worst_case_free_blocks), (71, 14, 0));
    /// assert_eq!(fit.first_failure, Some(FitFailure::PrefixBlocksWorstCase));
    /// ```
    #[must_use]
    pub fn fit(&self, demand: SubnetDemand) -> SubnetFit {
        let capacity = self.size - self.aws_reserved - self.explicit_reserved;
        // held prefixes are not singles; held singles are already placed
        let singles = (demand.singles + self.other_consumers + self.control_plane)
            .saturating_sub(16 * self.held_prefixes);
        let unplaced = singles.saturating_sub(self.held_singles);
        let used = demand.addresses() + self.other_consumers + self.control_plane;
        let fits_addresses = used <= capacity;
        let fits_singles = unplaced <= self.single_capacity;
        let prefix = (demand.prefixes > 0).then(|| {
            let needed = demand.prefixes;
            let general = self.general_blocks();
            let best_spoiled = unplaced
                .saturating_sub(self.harmless_singles)
                .div_ceil(16)
                .min(general);
            let worst_spoiled = unplaced.min(general);
            let best = self.prefix_blocks - best_spoiled;
            let worst = self.prefix_blocks - worst_spoiled;
            PrefixFit {
                needed,
                from_reservations: needed.min(self.reserved_prefix_blocks),
                best_case_free_blocks: best,
                worst_case_free_blocks: worst,
                fits_best_case: needed <= best,
                fits_worst_case: needed <= worst,
            }
        });
        let first_failure = if !fits_addresses {
            Some(FitFailure::Addresses)
        } else if !fits_singles {
            Some(FitFailure::SinglesOutsideReservations)
        } else {
            match prefix {
                Some(p) if !p.fits_best_case => Some(FitFailure::PrefixBlocksBestCase),
                Some(p) if !p.fits_worst_case => Some(FitFailure::PrefixBlocksWorstCase),
                _ => None,
            }
        };
        SubnetFit {
            capacity,
            used,
            headroom: to_i64(capacity) - to_i64(used),
            fits_addresses,
            singles,
            fits_singles,
            prefix,
            fits: first_failure.is_none(),
            first_failure,
        }
    }
}

fn to_i64(x: u64) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}
