//! A /28-aware address allocator for one subnet, modelling how EC2 hands out single addresses and /28 prefixes.
//!
//! See [`SubnetAllocator`] for the model, the placement policies and the cost. The module imports nothing from
//! the rest of the crate; its parts:
//!
//! - this file: [`SubnetAllocator`] and the types of its interface;
//! - `error.rs`: [`AllocError`];
//! - `block.rs`: one /28 block's region and prefix flag;
//! - `census.rs`: [`BlockCensus`], the block categories and score of AWS's subnet-fragmentation tool;
//! - `bitset.rs`: the 64-ary hierarchical bitset that finds the lowest free block;
//! - `fenwick.rs`: the Fenwick tree that finds the k-th free address;
//! - `picker.rs`: the single-address placement policy over them.

mod bitset;
mod block;
mod census;
mod error;
mod fenwick;
mod picker;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::alloc::bitset::HierBitset;
use crate::alloc::block::{BlockKind, Region};
pub use crate::alloc::census::{Band, BlockCensus};
pub use crate::alloc::error::AllocError;
use crate::alloc::picker::Picker;

/// Shortest supported subnet prefix length: /10, the size of `100.64.0.0/10` (a custom-networking what-if pool).
pub const MIN_PREFIX_LEN: u8 = 10;
/// Longest supported subnet prefix length: /28, the smallest subnet EC2 allows (VPC UG `subnet-sizing.md`).
pub const MAX_PREFIX_LEN: u8 = 28;

/// The kind of a subnet CIDR reservation (`aws ec2 create-subnet-cidr-reservation --reservation-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReservationKind {
    /// `prefix`: EC2 assigns prefixes from this range (before the rest of the subnet); never single addresses.
    Prefix,
    /// `explicit`: EC2 assigns nothing here automatically; only the user's manual assignments.
    Explicit,
}

/// How [`SubnetAllocator::alloc_single`] picks a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    /// The lowest free eligible address.
    Lowest,
    /// Uniform over all free eligible addresses, from `ChaCha8Rng::seed_from_u64(seed)`.
    Random {
        /// The generator's seed.
        seed: u64,
    },
}

/// What one /28 block of the subnet holds now (see [`SubnetAllocator::block_states`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlockState {
    /// The first or last block (holds AWS-reserved addresses; never a prefix), with its count of singles.
    AwsReserved {
        /// Single addresses assigned in this block.
        singles: u8,
    },
    /// A block touching an explicit reservation (never auto-assigned), with its count of assigned addresses
    /// (16 when a prefix was assigned explicitly).
    Explicit {
        /// Addresses assigned in this block.
        assigned: u8,
    },
    /// A general-pool block, wholly free: it can take a prefix now.
    Free,
    /// A general-pool block holding a prefix.
    Prefix,
    /// A general-pool block holding this many single addresses (1..=16): spoiled for prefixes.
    Singles(u8),
    /// A block inside a prefix reservation, wholly free: the next prefixes come from blocks like this one.
    PrefixReservedFree,
    /// A block inside a prefix reservation holding a prefix.
    PrefixReservedPrefix,
    /// A block inside a prefix reservation holding this many explicitly assigned single addresses.
    PrefixReservedSingles(u8),
}

/// Address allocator for one IPv4 subnet (/10..=/28), modelling EC2's single-address and /28-prefix assignment.
///
/// # Model (docs/model.md, "Prefixes and /28 fragmentation" and "Subnet and VPC facts")
///
/// VPC UG = awsdocs/amazon-vpc-user-guide `doc_source/` at `a16ab76ed2f6`, EC2 UG = awsdocs/amazon-ec2-user-guide
/// `doc_source/` at `e3707c431483`, aws-support-tools = awslabs/aws-support-tools.
///
/// * The subnet is cut into aligned /28 *blocks* of 16 addresses. A `/L` subnet has `2^(28-L)` blocks.
/// * The 5 AWS-reserved addresses (network, +1 router, +2 DNS, +3 future use, broadcast; VPC UG `subnet-sizing.md`)
///   are never handed out. They live in the first and the last block, which therefore can never hold a prefix
///   (aws-support-tools `EKS/subnet-fragmentation` marks them `R`): a `/L` subnet (L ≤ 27) has `2^(28-L) - 2`
///   prefix-capable blocks, a /28 has none.
/// * A prefix is an aligned /28 that is wholly free ("does not overlap with other prefixes or IP addresses assigned
///   to existing resources", EC2 UG `ec2-prefix-eni.md`). One single address inside a block *spoils* it for prefixes.
/// * Subnet CIDR reservations (VPC UG `subnet-cidr-reservation.md`): EC2 never auto-assigns a single address inside
///   any reservation. A [`ReservationKind::Prefix`] reservation is where prefixes come from first; a
///   [`ReservationKind::Explicit`] reservation gets nothing automatically (only [`SubnetAllocator::assign_explicit`]
///   and [`SubnetAllocator::assign_explicit_prefix`] place addresses there).
///
/// # Placement
///
/// * Single addresses follow a [`Placement`]: [`Placement::Lowest`] takes the lowest free eligible address,
///   [`Placement::Random`] draws uniformly over all free eligible addresses from a `ChaCha8Rng` seeded with a `u64`
///   (same seed + same calls ⇒ same addresses).
/// * Prefixes always go to the **lowest** wholly free eligible block, blocks inside prefix reservations first, then
///   the general pool. EC2 picks among several prefix reservations at random (awsdocs/amazon-vpc-user-guide
///   `doc_source/subnet-cidr-reservation.md`); taking the lowest is a deliberate simplification: it changes *which*
///   block is used, not *whether* one is available.
///
/// # Block regions
///
/// Every block belongs to exactly one region: the edge blocks (first, last); blocks touching an explicit
/// reservation; blocks wholly inside a prefix reservation (prefix reservations must be /28 or larger, so they always
/// cover whole blocks); and the general pool (no reserved address at all). Reservations must not overlap.
///
/// # Cost
///
/// Per block a 16-bit occupancy mask. Wholly free prefix-capable blocks are kept in two hierarchical bitsets (64-ary,
/// one per region), blocks with a free single-eligible address in a third one (for `Lowest`), and for `Random` a
/// Fenwick tree over the per-block free-single counts. Every allocate/release is `O(log_64 n)` or `O(log n)`
/// block operations, with no scan over the subnet; a /10 pool (262,144 blocks) is as cheap per call as a /24.
///
///
/// # Examples
///
/// ```
/// use ipplan_planner::alloc::{AllocError, Placement, SubnetAllocator};
///
/// // A /24 has 256 - 5 = 251 free singles and 2^(28-24) - 2 = 14 prefix blocks (docs/model.md,
/// // "Subnet and VPC facts" and "Prefixes and /28 fragmentation").
/// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
/// assert_eq!((a.free_addresses(), a.free_blocks()), (251, 14));
/// // .0-.3 are AWS-reserved: the first single is .4; the first prefix is the second block.
/// assert_eq!(a.alloc_single()?, "10.0.0.4".parse::<std::net::Ipv4Addr>()?);
/// assert_eq!(a.alloc_prefix()?, "10.0.0.16/28".parse::<ipnet::Ipv4Net>()?);
/// assert_eq!(a.free_addresses(), 251 - 1 - 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SubnetAllocator {
    subnet: Ipv4Net,
    base: u32,
    /// Per block: assigned addresses (bit i = base + 16·block + i); `0xFFFF` for a prefix.
    occ: Vec<u16>,
    /// Per block: addresses `alloc_single` may hand out (not AWS-reserved, not in any reservation).
    elig: Vec<u16>,
    /// Per block: its region and whether it holds a prefix.
    kind: Vec<BlockKind>,
    /// Wholly free blocks inside prefix reservations.
    free_reserved: HierBitset,
    /// Wholly free general-pool blocks.
    free_general: HierBitset,
    picker: Picker,
    free_singles: u64,
    free_blocks: u64,
    assigned: u64,
    prefixes: u64,
    singles: u64,
    eligible_blocks: u64,
    spoiled: u64,
    prefixes_in_eligible: u64,
}

impl SubnetAllocator {
    /// A fresh allocator for `subnet` (/10..=/28, no host bits) with these subnet CIDR reservations.
    ///
    /// # Errors
    ///
    /// [`AllocError::UnsupportedPrefixLen`], [`AllocError::HostBitsSet`], [`AllocError::ReservationOutsideSubnet`],
    /// [`AllocError::ReservationOverlap`], [`AllocError::PrefixReservationTooSmall`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{AllocError, Placement, ReservationKind, SubnetAllocator};
    ///
    /// // A /20 has 2^(28-20) - 2 = 254 prefix blocks (docs/model.md, "Prefixes and /28 fragmentation");
    /// // a /26 prefix reservation is 4 of them.
    /// let subnet = "10.0.0.0/20".parse()?;
    /// let res = [("10.0.8.0/26".parse()?, ReservationKind::Prefix)];
    /// let a = SubnetAllocator::new(subnet, &res, Placement::Random { seed: 7 })?;
    /// assert_eq!(a.free_blocks(), 254);
    /// // Singles never go into a reservation: 4096 - 5 - 64.
    /// assert_eq!(a.free_addresses(), 4027);
    ///
    /// let err = SubnetAllocator::new("10.0.0.0/29".parse()?, &[], Placement::Lowest).unwrap_err();
    /// assert_eq!(err, AllocError::UnsupportedPrefixLen { subnet: "10.0.0.0/29".parse()? });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        subnet: Ipv4Net,
        reservations: &[(Ipv4Net, ReservationKind)],
        placement: Placement,
    ) -> Result<Self, AllocError> {
        let len = subnet.prefix_len();
        if !(MIN_PREFIX_LEN..=MAX_PREFIX_LEN).contains(&len) {
            return Err(AllocError::UnsupportedPrefixLen { subnet });
        }
        if subnet != subnet.trunc() {
            return Err(AllocError::HostBitsSet { cidr: subnet });
        }
        for (i, &(r, k)) in reservations.iter().enumerate() {
            if r != r.trunc() {
                return Err(AllocError::HostBitsSet { cidr: r });
            }
            if !subnet.contains(&r) {
                return Err(AllocError::ReservationOutsideSubnet {
                    reservation: r,
                    subnet,
                });
            }
            if k == ReservationKind::Prefix && r.prefix_len() > 28 {
                return Err(AllocError::PrefixReservationTooSmall { reservation: r });
            }
            if let Some(&(o, _)) = reservations[..i]
                .iter()
                .find(|(o, _)| o.contains(&r) || r.contains(o))
            {
                return Err(AllocError::ReservationOverlap {
                    first: o,
                    second: r,
                });
            }
        }

        let base = u32::from(subnet.network());
        let nblocks = 1usize << (28 - len);
        let last = nblocks - 1;
        let mut elig = vec![0xFFFFu16; nblocks];
        let mut kind = vec![BlockKind::new(Region::General); nblocks];
        elig[0] &= !0x000F; // network, +1, +2, +3
        elig[last] &= !0x8000; // broadcast
        for &(r, k) in reservations {
            let start = (u32::from(r.network()) - base) as usize;
            let size = 1usize << (32 - r.prefix_len());
            if size >= 16 {
                for b in start / 16..(start + size) / 16 {
                    elig[b] = 0;
                    kind[b] = BlockKind::new(match k {
                        ReservationKind::Prefix => Region::PrefixReserved,
                        ReservationKind::Explicit => Region::Explicit,
                    });
                }
            } else {
                // An explicit reservation smaller than a block (prefix ones are /28 or larger).
                let b = start / 16;
                let bits = (((1u32 << size) - 1) << (start % 16)) as u16;
                elig[b] &= !bits;
                kind[b] = BlockKind::new(Region::Explicit);
            }
        }
        kind[0] = BlockKind::new(Region::Edge);
        kind[last] = BlockKind::new(Region::Edge);

        let in_region = |r: Region| {
            kind.iter()
                .enumerate()
                .filter(move |(_, k)| k.region() == r)
                .map(|(b, _)| b)
        };
        let free_reserved = HierBitset::from_indexes(nblocks, in_region(Region::PrefixReserved));
        let free_general = HierBitset::from_indexes(nblocks, in_region(Region::General));
        let eligible_blocks = kind.iter().filter(|k| k.region().takes_prefixes()).count() as u64;
        let free_singles = elig.iter().map(|m| u64::from(m.count_ones())).sum();
        let picker = Picker::new(placement, &elig);
        Ok(Self {
            subnet,
            base,
            occ: vec![0; nblocks],
            elig,
            kind,
            free_reserved,
            free_general,
            picker,
            free_singles,
            free_blocks: eligible_blocks,
            assigned: 0,
            prefixes: 0,
            singles: 0,
            eligible_blocks,
            spoiled: 0,
            prefixes_in_eligible: 0,
        })
    }

    /// The subnet.
    #[must_use]
    pub const fn subnet(&self) -> Ipv4Net {
        self.subnet
    }

    /// Number of /28 blocks, `2^(28 - prefix_len)`.
    #[must_use]
    pub fn blocks(&self) -> usize {
        self.occ.len()
    }

    /// The /28 block with index `block` (0 = lowest), or `None` past the end.
    #[must_use]
    pub fn block_net(&self, block: usize) -> Option<Ipv4Net> {
        (block < self.occ.len()).then(|| self.block_cidr(block))
    }

    #[inline]
    fn block_cidr(&self, block: usize) -> Ipv4Net {
        Ipv4Net::new_assert(Ipv4Addr::from(self.base + 16 * block as u32), 28)
    }

    /// Recomputes every derived structure for block `b` going to occupancy `new` (`prefix`: holds a prefix).
    #[inline]
    fn apply(&mut self, b: usize, new: u16, prefix: bool) {
        let old = self.occ[b];
        let kind = self.kind[b];
        let region = kind.region();
        let was_prefix = kind.holds_prefix();
        let elig = self.elig[b];
        let old_free = (elig & !old).count_ones();
        let new_free = (elig & !new).count_ones();
        if old_free != new_free {
            self.free_singles = self.free_singles + u64::from(new_free) - u64::from(old_free);
            self.picker.update(b, old_free, new_free);
        }
        if region.takes_prefixes() {
            let set = if region == Region::PrefixReserved {
                &mut self.free_reserved
            } else {
                &mut self.free_general
            };
            if old == 0 && new != 0 {
                set.remove(b);
                self.free_blocks -= 1;
            } else if old != 0 && new == 0 {
                set.insert(b);
                self.free_blocks += 1;
            }
            // Fragmented: some but not all 16 addresses held by singles (a full block is exhausted, not
            // fragmented).
            let frag = |p: bool, o: u16| !p && o != 0 && o != u16::MAX;
            self.spoiled =
                self.spoiled + u64::from(frag(prefix, new)) - u64::from(frag(was_prefix, old));
            self.prefixes_in_eligible =
                self.prefixes_in_eligible + u64::from(prefix) - u64::from(was_prefix);
        }
        self.assigned = self.assigned + u64::from(new.count_ones()) - u64::from(old.count_ones());
        let old_singles = if was_prefix { 0 } else { old.count_ones() };
        let new_singles = if prefix { 0 } else { new.count_ones() };
        self.singles = self.singles + u64::from(new_singles) - u64::from(old_singles);
        self.prefixes = self.prefixes + u64::from(prefix) - u64::from(was_prefix);
        self.occ[b] = new;
        self.kind[b] = kind.with_prefix(prefix);
    }

    /// Allocates one single address following the [`Placement`] policy. Never an AWS-reserved address, never one
    /// inside a reservation.
    ///
    /// # Errors
    ///
    /// [`AllocError::InsufficientFreeAddressesInSubnet`] when no eligible address is free.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{AllocError, Placement, SubnetAllocator};
    ///
    /// // A /28 holds 16 - 5 = 11 singles (.4 to .14) and no prefix (VPC UG `subnet-sizing.md`; docs/model.md,
    /// // "Prefixes and /28 fragmentation").
    /// let mut a = SubnetAllocator::new("10.1.0.0/28".parse()?, &[], Placement::Lowest)?;
    /// let got = a.alloc_singles(11)?;
    /// assert_eq!((got[0].octets()[3], got[10].octets()[3]), (4, 14));
    /// assert_eq!(
    ///     a.alloc_single(),
    ///     Err(AllocError::InsufficientFreeAddressesInSubnet {
    ///         subnet: "10.1.0.0/28".parse()?,
    ///         requested: 1,
    ///         free: 0
    ///     })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alloc_single(&mut self) -> Result<Ipv4Addr, AllocError> {
        if self.free_singles == 0 {
            return Err(self.no_addresses(1));
        }
        let Some((b, bit)) = self.picker.pick(self.free_singles, &self.elig, &self.occ) else {
            return Err(self.no_addresses(1));
        };
        self.apply(b, self.occ[b] | (1 << bit), false);
        Ok(Ipv4Addr::from(self.base + 16 * b as u32 + bit))
    }

    /// Allocates `n` single addresses (other consumers taking addresses up front), all or none.
    ///
    /// # Errors
    ///
    /// [`AllocError::InsufficientFreeAddressesInSubnet`] when fewer than `n` are free (nothing is allocated).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Random { seed: 1 })?;
    /// assert_eq!(a.alloc_singles(200)?.len(), 200);
    /// assert_eq!(a.free_addresses(), 51);
    /// assert!(a.alloc_singles(52).is_err());
    /// assert_eq!(a.free_addresses(), 51);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alloc_singles(&mut self, n: u64) -> Result<Vec<Ipv4Addr>, AllocError> {
        if n > self.free_singles {
            return Err(self.no_addresses(n));
        }
        (0..n).map(|_| self.alloc_single()).collect()
    }

    fn no_addresses(&self, requested: u64) -> AllocError {
        AllocError::InsufficientFreeAddressesInSubnet {
            subnet: self.subnet,
            requested,
            free: self.free_singles,
        }
    }

    fn no_blocks(&self, requested: u64) -> AllocError {
        AllocError::InsufficientCidrBlocks {
            subnet: self.subnet,
            requested,
            free: self.free_blocks,
        }
    }

    /// Allocates the lowest wholly free eligible /28: from prefix reservations first, then the general pool.
    ///
    /// # Errors
    ///
    /// [`AllocError::InsufficientCidrBlocks`] when no such block is free, however many single addresses are.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Placement, ReservationKind, SubnetAllocator};
    ///
    /// let res = [("10.0.0.192/27".parse()?, ReservationKind::Prefix)];
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &res, Placement::Lowest)?;
    /// assert_eq!(a.alloc_prefix()?.to_string(), "10.0.0.192/28");
    /// assert_eq!(a.alloc_prefix()?.to_string(), "10.0.0.208/28");
    /// assert_eq!(a.alloc_prefix()?.to_string(), "10.0.0.16/28");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alloc_prefix(&mut self) -> Result<Ipv4Net, AllocError> {
        let b = match self.free_reserved.first() {
            Some(b) => b,
            None => self.free_general.first().ok_or_else(|| self.no_blocks(1))?,
        };
        self.apply(b, 0xFFFF, true);
        Ok(self.block_cidr(b))
    }

    /// Allocates `n` prefixes (as [`alloc_prefix`](Self::alloc_prefix) would, one after the other), all or none.
    ///
    /// # Errors
    ///
    /// [`AllocError::InsufficientCidrBlocks`] when fewer than `n` blocks are free (nothing is allocated).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
    /// assert!(a.alloc_prefixes(15).is_err());
    /// assert_eq!(a.alloc_prefixes(14)?.last().map(|p| p.to_string()), Some("10.0.0.224/28".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alloc_prefixes(&mut self, n: u64) -> Result<Vec<Ipv4Net>, AllocError> {
        if n > self.free_blocks {
            return Err(self.no_blocks(n));
        }
        (0..n).map(|_| self.alloc_prefix()).collect()
    }

    /// Block index and bit of `addr`.
    fn locate(&self, addr: Ipv4Addr) -> Result<(usize, u32), AllocError> {
        if !self.subnet.contains(&addr) {
            return Err(AllocError::AddressOutsideSubnet {
                addr,
                subnet: self.subnet,
            });
        }
        let off = u32::from(addr) - self.base;
        Ok(((off / 16) as usize, off % 16))
    }

    /// Block index of `net`, which must be an aligned /28 inside the subnet.
    fn locate_block(&self, net: Ipv4Net) -> Result<usize, AllocError> {
        if net.prefix_len() != 28 || net != net.trunc() || !self.subnet.contains(&net) {
            return Err(AllocError::NotABlock {
                net,
                subnet: self.subnet,
            });
        }
        Ok(((u32::from(net.network()) - self.base) / 16) as usize)
    }

    /// Releases a single address (allocated or explicitly assigned).
    ///
    /// # Errors
    ///
    /// [`AllocError::AddressOutsideSubnet`]; [`AllocError::AddressNotAllocated`] when it is not a held single
    /// (including an address inside a prefix).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{AllocError, Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
    /// let ip = a.alloc_single()?;
    /// a.release_single(ip)?;
    /// assert_eq!(a.release_single(ip), Err(AllocError::AddressNotAllocated { addr: ip }));
    /// assert_eq!(a.free_addresses(), 251);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_single(&mut self, addr: Ipv4Addr) -> Result<(), AllocError> {
        let (b, bit) = self.locate(addr)?;
        if self.kind[b].holds_prefix() || self.occ[b] & (1 << bit) == 0 {
            return Err(AllocError::AddressNotAllocated { addr });
        }
        self.apply(b, self.occ[b] & !(1 << bit), false);
        Ok(())
    }

    /// Releases a prefix (allocated or explicitly assigned).
    ///
    /// # Errors
    ///
    /// [`AllocError::NotABlock`] when `net` is not an aligned /28 of the subnet; [`AllocError::PrefixNotAllocated`]
    /// when it is not held as a prefix.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{AllocError, Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
    /// let p = a.alloc_prefix()?;
    /// a.release_prefix(p)?;
    /// assert_eq!(a.release_prefix(p), Err(AllocError::PrefixNotAllocated { net: p }));
    /// assert_eq!(a.free_blocks(), 14);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_prefix(&mut self, net: Ipv4Net) -> Result<(), AllocError> {
        let b = self.locate_block(net)?;
        if !self.kind[b].holds_prefix() {
            return Err(AllocError::PrefixNotAllocated { net });
        }
        self.apply(b, 0, false);
        Ok(())
    }

    /// Assigns this exact single address (a user's manual assignment), anywhere in the subnet including
    /// reservations. It spoils its block for prefixes like any single.
    ///
    /// # Errors
    ///
    /// [`AllocError::AddressOutsideSubnet`], [`AllocError::AwsReservedAddress`], [`AllocError::AddressInUse`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{AllocError, Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
    /// a.assign_explicit("10.0.0.100".parse()?)?; // block 10.0.0.96/28 is now spoiled
    /// assert_eq!(a.free_blocks(), 13);
    /// assert_eq!(
    ///     a.assign_explicit("10.0.0.255".parse()?),
    ///     Err(AllocError::AwsReservedAddress { addr: "10.0.0.255".parse()? })
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn assign_explicit(&mut self, addr: Ipv4Addr) -> Result<(), AllocError> {
        let (b, bit) = self.locate(addr)?;
        let last = self.occ.len() - 1;
        if (b == 0 && bit < 4) || (b == last && bit == 15) {
            return Err(AllocError::AwsReservedAddress { addr });
        }
        if self.occ[b] & (1 << bit) != 0 {
            return Err(AllocError::AddressInUse { addr });
        }
        self.apply(b, self.occ[b] | (1 << bit), false);
        Ok(())
    }

    /// Assigns this exact /28 as a prefix (a user's manual assignment), e.g. inside an explicit reservation.
    ///
    /// # Errors
    ///
    /// [`AllocError::NotABlock`]; [`AllocError::PrefixUnavailable`] for an edge block or a block not wholly free.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Placement, ReservationKind, SubnetAllocator};
    ///
    /// let res = [("10.0.0.128/27".parse()?, ReservationKind::Explicit)];
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &res, Placement::Lowest)?;
    /// a.assign_explicit_prefix("10.0.0.144/28".parse()?)?;
    /// assert_eq!((a.prefixes_held(), a.free_blocks()), (1, 12));
    /// assert!(a.assign_explicit_prefix("10.0.0.0/28".parse()?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn assign_explicit_prefix(&mut self, net: Ipv4Net) -> Result<(), AllocError> {
        let b = self.locate_block(net)?;
        if self.kind[b].region() == Region::Edge || self.occ[b] != 0 {
            return Err(AllocError::PrefixUnavailable { net });
        }
        self.apply(b, 0xFFFF, true);
        Ok(())
    }

    /// Free addresses [`alloc_single`](Self::alloc_single) could hand out now (not AWS-reserved, not in a
    /// reservation, not assigned).
    #[must_use]
    pub const fn free_addresses(&self) -> u64 {
        self.free_singles
    }

    /// All addresses not assigned and not AWS-reserved, reservations included: `2^(32-L) - 5 - assigned`.
    #[must_use]
    pub fn unassigned_addresses(&self) -> u64 {
        (1u64 << (32 - self.subnet.prefix_len())) - 5 - self.assigned
    }

    /// Blocks that could take a prefix now ([`alloc_prefix`](Self::alloc_prefix) succeeds iff this is > 0).
    #[must_use]
    pub const fn free_blocks(&self) -> u64 {
        self.free_blocks
    }

    /// Blocks that could hold an automatically assigned prefix when empty: not an edge block, not touching an
    /// explicit reservation. `2^(28-L) - 2` without explicit reservations.
    #[must_use]
    pub const fn eligible_blocks(&self) -> u64 {
        self.eligible_blocks
    }

    /// Prefixes held (allocated or explicitly assigned).
    #[must_use]
    pub const fn prefixes_held(&self) -> u64 {
        self.prefixes
    }

    /// Single addresses held (allocated or explicitly assigned).
    #[must_use]
    pub const fn singles_held(&self) -> u64 {
        self.singles
    }

    /// Fragmentation: the share of the blocks that could hold a prefix which are spoiled by single addresses.
    ///
    /// Precisely `fragmented / (eligible_blocks - prefixes in eligible blocks)`, where an eligible block (see
    /// [`eligible_blocks`](Self::eligible_blocks)) is fragmented when it holds no prefix and 1 to 15 single
    /// addresses. A block whose 16 addresses are all singles is *full*: the subnet is exhausted there, not
    /// fragmented, so a subnet wholly filled by singles reads `0.0` here and `EXHAUSTED` in [`census`](Self::census).
    /// `0.0` when the denominator is 0. The edge blocks and blocks touching explicit reservations never count.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
    /// a.alloc_prefixes(4)?; // 14 eligible blocks, 10 without a prefix
    /// a.assign_explicit("10.0.0.100".parse()?)?;
    /// a.assign_explicit("10.0.0.130".parse()?)?;
    /// assert_eq!(a.fragmentation(), 2.0 / 10.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn fragmentation(&self) -> f64 {
        let denom = self.eligible_blocks - self.prefixes_in_eligible;
        if denom == 0 {
            0.0
        } else {
            self.spoiled as f64 / denom as f64
        }
    }

    /// The state of block `block` (0 = lowest), or `None` past the end.
    #[must_use]
    pub fn block_state(&self, block: usize) -> Option<BlockState> {
        let occ = *self.occ.get(block)?;
        let kind = self.kind[block];
        let prefix = kind.holds_prefix();
        let n = occ.count_ones() as u8;
        Some(match kind.region() {
            Region::Edge => BlockState::AwsReserved { singles: n },
            Region::Explicit => BlockState::Explicit { assigned: n },
            Region::PrefixReserved if prefix => BlockState::PrefixReservedPrefix,
            Region::PrefixReserved if n == 0 => BlockState::PrefixReservedFree,
            Region::PrefixReserved => BlockState::PrefixReservedSingles(n),
            Region::General if prefix => BlockState::Prefix,
            Region::General if n == 0 => BlockState::Free,
            Region::General => BlockState::Singles(n),
        })
    }

    /// The state of every block, lowest first (one per /28; 4,096 for a /16).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{BlockState, Placement, SubnetAllocator};
    ///
    /// let mut a = SubnetAllocator::new("10.0.0.0/26".parse()?, &[], Placement::Lowest)?;
    /// a.alloc_prefix()?;
    /// a.assign_explicit("10.0.0.33".parse()?)?;
    /// assert_eq!(
    ///     a.block_states(),
    ///     [
    ///         BlockState::AwsReserved { singles: 0 },
    ///         BlockState::Prefix,
    ///         BlockState::Singles(1),
    ///         BlockState::AwsReserved { singles: 0 },
    ///     ]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn block_states(&self) -> Vec<BlockState> {
        (0..self.occ.len())
            .filter_map(|b| self.block_state(b))
            .collect()
    }

    /// The block census and fragmentation score in the categories of AWS's subnet-fragmentation tool (see
    /// [`BlockCensus`]). Walks every block: linear in the subnet's size.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::{Band, Placement, SubnetAllocator};
    ///
    /// // 12 singles fill block 0 (.4-.15, an edge block), 16 more fill block 1, 3 more sit in block 2.
    /// let mut a = SubnetAllocator::new("10.0.0.0/24".parse()?, &[], Placement::Lowest)?;
    /// a.alloc_singles(12 + 16 + 3)?;
    /// let c = a.census();
    /// assert_eq!((c.reserved, c.full, c.fragmented, c.free), (2, 1, 1, 12));
    /// assert_eq!(c.score(), Some(15)); // ceil(2 / 14 * 100) = ceil(14.29)
    /// assert_eq!(c.band(), Some(Band::Healthy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn census(&self) -> BlockCensus {
        BlockCensus::of(&self.block_states())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn lowest(s: &str) -> SubnetAllocator {
        SubnetAllocator::new(net(s), &[], Placement::Lowest).unwrap()
    }

    // Capacities: usable = 2^(32-L) - 5 (VPC UG subnet-sizing.md); prefix blocks = 2^(28-L) - 2 for L <= 27 and 0
    // for a /28 (docs/model.md, "Prefixes and /28 fragmentation": /24 -> 14, /20 -> 254, /16 -> 4094).
    #[test]
    fn capacities_by_size() {
        for (cidr, singles, blocks) in [
            ("10.0.0.0/28", 11, 0),
            ("10.0.0.0/27", 27, 0),
            ("10.0.0.0/24", 251, 14),
            ("10.0.0.0/20", 4091, 254),
            ("10.0.0.0/16", 65531, 4094),
            ("100.64.0.0/10", 4_194_299, 262_142),
        ] {
            let a = lowest(cidr);
            assert_eq!(a.free_addresses(), singles, "{cidr}");
            assert_eq!(a.unassigned_addresses(), singles, "{cidr}");
            assert_eq!(a.free_blocks(), blocks, "{cidr}");
            assert_eq!(a.eligible_blocks(), blocks, "{cidr}");
            assert_eq!(a.fragmentation(), 0.0, "{cidr}");
        }
    }

    #[test]
    fn slash28_holds_eleven_singles_and_no_prefix() {
        let mut a = lowest("10.0.0.0/28");
        assert_eq!(a.alloc_prefix(), Err(a.no_blocks(1)));
        let got = a.alloc_singles(11).unwrap();
        let want: Vec<Ipv4Addr> = (4..=14).map(|d| Ipv4Addr::new(10, 0, 0, d)).collect();
        assert_eq!(got, want);
        assert!(matches!(
            a.alloc_single(),
            Err(AllocError::InsufficientFreeAddressesInSubnet {
                requested: 1,
                free: 0,
                ..
            })
        ));
        assert_eq!(a.block_states(), [BlockState::AwsReserved { singles: 11 }]);
    }

    #[test]
    fn slash24_hands_out_all_14_inner_blocks_then_fails() {
        let mut a = lowest("10.0.0.0/24");
        let got = a.alloc_prefixes(14).unwrap();
        let want: Vec<Ipv4Net> = (1..=14)
            .map(|k| net(&format!("10.0.0.{}/28", 16 * k)))
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            a.alloc_prefix(),
            Err(AllocError::InsufficientCidrBlocks {
                subnet: net("10.0.0.0/24"),
                requested: 1,
                free: 0
            })
        );
        // The edge blocks keep 12 (.4-.15) + 15 (.240-.254) singles.
        assert_eq!(a.free_addresses(), 27);
    }

    #[test]
    fn prefix_reservation_is_used_first() {
        let res = [(net("10.0.3.0/26"), ReservationKind::Prefix)];
        let mut a = SubnetAllocator::new(net("10.0.0.0/22"), &res, Placement::Lowest).unwrap();
        let got: Vec<String> = a
            .alloc_prefixes(6)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            [
                "10.0.3.0/28",
                "10.0.3.16/28",
                "10.0.3.32/28",
                "10.0.3.48/28",
                "10.0.0.16/28",
                "10.0.0.32/28"
            ]
        );
        // Releasing a reserved block makes it the next choice again.
        a.release_prefix(net("10.0.3.32/28")).unwrap();
        assert_eq!(a.alloc_prefix().unwrap(), net("10.0.3.32/28"));
        // Singles never go into the reservation: 1024 - 5 - 64 free at the start, minus 2 prefixes of 16.
        assert_eq!(a.free_addresses(), 1024 - 5 - 64 - 32);
    }

    #[test]
    fn explicit_reservation_is_never_used() {
        let res = [
            (net("10.0.0.64/26"), ReservationKind::Explicit),
            (net("10.0.0.200/30"), ReservationKind::Explicit),
        ];
        for placement in [Placement::Lowest, Placement::Random { seed: 3 }] {
            let mut a = SubnetAllocator::new(net("10.0.0.0/24"), &res, placement).unwrap();
            // Blocks .64-.127 (4) and .192/28 (touched by the /30) are out: 14 - 5 = 9 prefix blocks.
            assert_eq!(a.free_blocks(), 9);
            // Singles: 251 - 64 - 4.
            assert_eq!(a.free_addresses(), 183);
            let prefixes = a.alloc_prefixes(9).unwrap();
            let singles = a.alloc_singles(a.free_addresses()).unwrap();
            assert!(a.alloc_prefix().is_err() && a.alloc_single().is_err());
            for p in &prefixes {
                assert!(
                    !res.iter().any(|(r, _)| r.contains(p) || p.contains(r)),
                    "{p}"
                );
            }
            for s in &singles {
                assert!(!res.iter().any(|(r, _)| r.contains(s)), "{s}");
            }
            for b in 4..8 {
                assert_eq!(a.block_state(b), Some(BlockState::Explicit { assigned: 0 }));
            }
            // .192/28 minus the /30: 12 singles.
            assert_eq!(
                a.block_state(12),
                Some(BlockState::Explicit { assigned: 12 })
            );
            // The user may still assign there by hand.
            a.assign_explicit(ip("10.0.0.201")).unwrap();
            a.assign_explicit_prefix(net("10.0.0.80/28")).unwrap();
            assert_eq!(
                a.block_state(5),
                Some(BlockState::Explicit { assigned: 16 })
            );
        }
    }

    #[test]
    fn one_single_per_middle_block_blocks_all_prefixes() {
        let mut a = lowest("10.0.0.0/24");
        for k in 1..=14u8 {
            a.assign_explicit(Ipv4Addr::new(10, 0, 0, 16 * k + 5))
                .unwrap();
        }
        assert_eq!(a.free_blocks(), 0);
        assert_eq!(a.fragmentation(), 1.0);
        assert_eq!(
            a.alloc_prefix(),
            Err(AllocError::InsufficientCidrBlocks {
                subnet: net("10.0.0.0/24"),
                requested: 1,
                free: 0
            })
        );
        assert_eq!(a.free_addresses(), 251 - 14);
        // Freeing one of them makes exactly that block available.
        a.release_single(ip("10.0.0.117")).unwrap();
        assert_eq!(a.alloc_prefix(), Ok(net("10.0.0.112/28")));
    }

    #[test]
    fn lowest_singles_spoil_blocks_in_order() {
        let mut a = lowest("10.0.0.0/24");
        // 12 singles fill the first block (.4-.15); the 13th spoils block 1.
        a.alloc_singles(13).unwrap();
        assert_eq!(a.free_blocks(), 13);
        assert_eq!(a.alloc_prefix(), Ok(net("10.0.0.32/28")));
        // Next single fills block 1 further, not block 2 (which holds the prefix).
        assert_eq!(a.alloc_single(), Ok(ip("10.0.0.17")));
        // 14 eligible blocks, 1 holds a prefix, 1 of the other 13 is spoiled.
        assert_eq!(a.fragmentation(), 1.0 / 13.0);
    }

    #[test]
    fn set_up_errors() {
        let s = net("10.0.0.0/24");
        let new = |r: &[(Ipv4Net, ReservationKind)]| {
            SubnetAllocator::new(s, r, Placement::Lowest).unwrap_err()
        };
        assert_eq!(
            SubnetAllocator::new(net("10.0.0.0/9"), &[], Placement::Lowest).unwrap_err(),
            AllocError::UnsupportedPrefixLen {
                subnet: net("10.0.0.0/9")
            }
        );
        assert_eq!(
            SubnetAllocator::new(net("10.0.0.7/24"), &[], Placement::Lowest).unwrap_err(),
            AllocError::HostBitsSet {
                cidr: net("10.0.0.7/24")
            }
        );
        assert_eq!(
            new(&[(net("10.0.1.0/28"), ReservationKind::Prefix)]),
            AllocError::ReservationOutsideSubnet {
                reservation: net("10.0.1.0/28"),
                subnet: s
            }
        );
        assert_eq!(
            new(&[(net("10.0.0.16/29"), ReservationKind::Prefix)]),
            AllocError::PrefixReservationTooSmall {
                reservation: net("10.0.0.16/29")
            }
        );
        assert_eq!(
            new(&[
                (net("10.0.0.64/26"), ReservationKind::Prefix),
                (net("10.0.0.96/30"), ReservationKind::Explicit)
            ]),
            AllocError::ReservationOverlap {
                first: net("10.0.0.64/26"),
                second: net("10.0.0.96/30")
            }
        );
    }

    #[test]
    fn release_and_assign_errors() {
        let mut a = lowest("10.0.0.0/24");
        let p = a.alloc_prefix().unwrap();
        assert_eq!(
            a.release_single(ip("10.0.0.20")),
            Err(AllocError::AddressNotAllocated {
                addr: ip("10.0.0.20")
            })
        );
        assert_eq!(
            a.release_single(ip("10.0.1.20")),
            Err(AllocError::AddressOutsideSubnet {
                addr: ip("10.0.1.20"),
                subnet: net("10.0.0.0/24")
            })
        );
        for bad in ["10.0.0.16/27", "10.0.0.17/28", "10.0.1.16/28"] {
            assert_eq!(
                a.release_prefix(net(bad)),
                Err(AllocError::NotABlock {
                    net: net(bad),
                    subnet: net("10.0.0.0/24")
                })
            );
        }
        assert_eq!(
            a.assign_explicit(ip("10.0.0.20")),
            Err(AllocError::AddressInUse {
                addr: ip("10.0.0.20")
            })
        );
        assert_eq!(
            a.assign_explicit(ip("10.0.0.3")),
            Err(AllocError::AwsReservedAddress {
                addr: ip("10.0.0.3")
            })
        );
        assert_eq!(
            a.assign_explicit_prefix(p),
            Err(AllocError::PrefixUnavailable { net: p })
        );
        assert_eq!(
            a.assign_explicit_prefix(net("10.0.0.240/28")),
            Err(AllocError::PrefixUnavailable {
                net: net("10.0.0.240/28")
            })
        );
        // Nothing changed.
        assert_eq!(
            (a.prefixes_held(), a.singles_held(), a.free_addresses()),
            (1, 0, 251 - 16)
        );
    }

    /// A /10 pool: all 2^18 - 2 inner blocks as prefixes, then the 12 + 15 edge-block singles, then nothing.
    #[test]
    fn slash10_pool_fills_exactly() {
        let mut a =
            SubnetAllocator::new(net("100.64.0.0/10"), &[], Placement::Random { seed: 9 }).unwrap();
        let prefixes = a.alloc_prefixes(262_142).unwrap();
        assert_eq!(prefixes[0], net("100.64.0.16/28"));
        assert_eq!(prefixes[262_141], net("100.127.255.224/28"));
        assert_eq!(a.free_addresses(), 27);
        let mut singles = a.alloc_singles(27).unwrap();
        singles.sort();
        assert_eq!(singles[0], ip("100.64.0.4"));
        assert_eq!(singles[26], ip("100.127.255.254"));
        assert!(a.alloc_single().is_err() && a.alloc_prefix().is_err());
        assert_eq!(a.unassigned_addresses(), 0);
    }

    /// Random placement is uniform: with 3 of a /28's 11 addresses held, 80,000 alloc+release rounds should hit
    /// each of the 8 free ones about 10,000 times.
    #[test]
    fn random_placement_is_uniform() {
        let mut a =
            SubnetAllocator::new(net("10.0.0.0/28"), &[], Placement::Random { seed: 42 }).unwrap();
        // Hold 3 addresses so the draw is over 8 free ones, and the held ones must never come out.
        let held = a.alloc_singles(3).unwrap();
        let mut counts = [0u32; 16];
        let rounds = 80_000;
        for _ in 0..rounds {
            let x = a.alloc_single().unwrap();
            counts[usize::from(x.octets()[3])] += 1;
            a.release_single(x).unwrap();
        }
        for h in &held {
            assert_eq!(counts[usize::from(h.octets()[3])], 0);
        }
        let expected = f64::from(rounds) / 8.0;
        let chi2: f64 = (4..15)
            .filter(|d| !held.iter().any(|h| usize::from(h.octets()[3]) == *d))
            .map(|d| (f64::from(counts[d]) - expected).powi(2) / expected)
            .sum();
        // 7 degrees of freedom: 0.999 quantile 24.32.
        assert!(chi2 < 24.32, "chi2 = {chi2}, counts = {counts:?}");
        assert_eq!(counts[0..4].iter().sum::<u32>() + counts[15], 0);
    }

    #[test]
    fn same_seed_same_addresses_other_seed_others() {
        let run = |seed| {
            let mut a =
                SubnetAllocator::new(net("10.0.0.0/20"), &[], Placement::Random { seed }).unwrap();
            a.alloc_singles(100).unwrap()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}
