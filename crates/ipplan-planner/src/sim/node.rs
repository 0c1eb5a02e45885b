//! One node: its ENIs, slots and pod addresses, and ipamd's control loop over them (aws/amazon-vpc-cni-k8s
//! `pkg/ipamd/ipamd.go`, v1.23.1 `b52188387f2e`; docs/model.md, "The ipamd control loop").
//!
//! Every pod operation is O(1): a node keeps its free pod addresses in a list with a position index (random
//! pick, removal; ipamd's and the packed order find theirs in bit masks and keep only a count), its running pods (= assigned addresses) likewise, the addresses in cooldown in a FIFO of
//! `(expiry, address)`, and per slot / per node counters for everything the loop reads (`total`, `assigned`,
//! free prefixes). Only the shrink step and ENI release walk the node's slots or ENIs, and only when the
//! counters say there is something to release.

use std::collections::VecDeque;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

use crate::alloc::{AllocError, SubnetAllocator};
use crate::plan::PodAddressOrder;
use crate::sim::fifo::Fifo;
use crate::sim::waiting::{WaitQueue, Waiter};

/// A freed pod address is not handed out again for 30 s (`IP_COOLDOWN_PERIOD`, aws/amazon-vpc-cni-k8s
/// `pkg/ipamd/datastore/data_store.go` `getCooldownPeriod`).
pub const IP_COOLDOWN_SECONDS: u32 = 30;
/// ipamd shrinks the pool at most every 30 s (`decreaseIPPoolInterval`).
pub const DECREASE_INTERVAL_SECONDS: u32 = 30;
/// An ENI younger than 60 s is never freed (`minENILifeTime`).
pub const MIN_ENI_LIFETIME_SECONDS: u32 = 60;
/// A new ENI's slots are usable this long after `CreateNetworkInterface` ("can take up to 10 seconds",
/// `eniAttachTime`); ipamd's loop waits for it.
pub const ENI_ATTACH_SECONDS: u32 = 10;
/// After `InsufficientCidrBlocks` / `InsufficientFreeAddressesInSubnet` ipamd does not grow for 120 s
/// (`insufficientCidrErrorCooldown`).
pub const INSUFFICIENT_CIDR_BACKOFF_SECONDS: u32 = 120;

/// A branch ENI (security groups for pods) is deleted only once its pod ended more than 60 s ago
/// (aws/amazon-vpc-resource-controller-k8s `pkg/provider/branch/cooldown/cooldown.go`
/// `DefaultCoolDownPeriod`; configurable, never below 30 s): `PushBranchENIsToCoolDownQueue` stamps it
/// at the pod's deletion, `DeleteCooledDownENIs` deletes those stamped more than this long ago.
pub const BRANCH_COOLDOWN_SECONDS: u32 = 60;
/// The controller's delete-queue job runs per node every 30 s (`pkg/provider/branch/provider.go`
/// `ProcessDeleteQueue` requeues itself with `deleteQueueRequeueRequest`); ipplan starts it when the
/// trunk ENI is attached (node launch).
pub const BRANCH_DELETE_JOB_SECONDS: u32 = 30;

/// The kubelet retries a pod whose sandbox could not be created (the CNI plugin found no address) after
/// `backOffPeriod` = 10 s (kubernetes/kubernetes `pkg/kubelet/kubelet.go`), jittered by up to half of it
/// (`pkg/kubelet/pod_workers.go` `completeWork`: `wait.Jitter(backoff, workerBackOffPeriodJitterFactor)` with the
/// factor 0.5; k8s.io/apimachinery `wait.Jitter(d, f)` = `d + rand.Float64() * f * d`): 10 to 15 s after each
/// failed try, in milliseconds.
pub const SANDBOX_RETRY_MS: u32 = 10_000;
/// The jitter's range: `0.5 * SANDBOX_RETRY_MS`.
pub const SANDBOX_RETRY_JITTER_MS: u32 = 5_000;

/// One back-off of the kubelet's pod worker: 10 s plus a uniform jitter below 5 s (whole milliseconds).
fn sandbox_backoff_ms(rng: &mut ChaCha8Rng) -> u32 {
    SANDBOX_RETRY_MS + below(rng, SANDBOX_RETRY_JITTER_MS as usize) as u32
}

/// What one pod address of a node is now (the top bits of its [`Cell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum AddrState {
    /// Not on the node: its slot was released, or never attached.
    Dead = 0,
    /// Attached, usable, no pod: in the free list.
    Free = 1,
    /// A running pod's: in the running list.
    Used = 2,
    /// Its pod was deleted less than [`IP_COOLDOWN_SECONDS`] ago: in the cooldown FIFO, not handed out.
    Cooling = 3,
    /// On an ENI still attaching ([`ENI_ATTACH_SECONDS`]): not usable yet.
    Attaching = 4,
}

impl AddrState {
    /// The state stored in a cell's top bits (only [`cell`] writes them, so 5..=7 never occur).
    #[inline]
    const fn from_bits(bits: u32) -> Self {
        match bits {
            1 => Self::Free,
            2 => Self::Used,
            3 => Self::Cooling,
            4 => Self::Attaching,
            _ => Self::Dead,
        }
    }
}

const NONE: u32 = u32::MAX;

/// The slots of a Go map, as far as its iteration order goes (docs/model.md, "Which address a pod gets").
///
/// Go (1.24+, swiss tables: golang/go `src/internal/runtime/maps`) keeps a map of up to 8 entries in one group
/// of 8 slots, a new entry in the lowest empty slot (`putSlotSmall`), and walks it from a random slot, going
/// round (`Iter.Init` draws `entryOffset`, `Iter.Next` visits `(i + entryOffset) % 8`). A 9th entry turns it
/// into a table of 16 slots (`growToTable`), which doubles when more than 7/8 of it would be used
/// (`maxAvgGroupLoad`); there an entry goes to the lowest empty slot of the first group with room along the
/// probe sequence from its hash's group (`probeSeq`: triangular steps), and a walk again starts at a random
/// slot of the whole table and goes round. ipplan draws the hash's group at random when an entry is added (a
/// seeded stand-in for the per-map hash seed) and on growth places every entry again. Tombstones are not
/// modelled: a deleted entry's slot is simply empty. At most 64 slots (an ENI holds at most 49 slots; a node
/// at most 16 ENIs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ring {
    /// Slots: 8 (one group) or a table of 16, 32 or 64.
    cap: u32,
    /// Occupied slots.
    occ: u64,
}

impl Ring {
    const SMALL: u32 = 8;

    const fn new() -> Self {
        Self {
            cap: Self::SMALL,
            occ: 0,
        }
    }

    const fn len(self) -> u32 {
        self.occ.count_ones()
    }

    const fn mask(self) -> u64 {
        if self.cap >= 64 {
            u64::MAX
        } else {
            (1u64 << self.cap) - 1
        }
    }

    /// Whether one more entry needs a bigger ring first (and so every entry a new slot).
    const fn must_grow(self) -> bool {
        let n = self.len() + 1;
        if self.cap == Self::SMALL {
            n > Self::SMALL
        } else {
            n * 8 > self.cap * 7
        }
    }

    /// Empty and bigger (16 from a small map, else twice the slots).
    fn grown(self) -> Self {
        Self {
            cap: (self.cap * 2).min(64),
            occ: 0,
        }
    }

    /// Put one entry in (the ring has room: see [`Ring::must_grow`]); its slot.
    fn put(&mut self, rng: &mut ChaCha8Rng) -> u8 {
        let free = !self.occ & self.mask();
        debug_assert!(free != 0, "ring full");
        let slot = if self.cap == Self::SMALL {
            free.trailing_zeros()
        } else {
            let groups = self.cap / 8;
            let mut g = below(rng, groups as usize) as u32;
            let mut step = 0;
            loop {
                let in_group = (free >> (g * 8)) & 0xFF;
                if in_group != 0 {
                    break g * 8 + in_group.trailing_zeros();
                }
                step += 1;
                g = (g + step) % groups;
            }
        };
        self.occ |= 1 << slot;
        slot as u8
    }

    fn remove(&mut self, slot: u8) {
        self.occ &= !(1u64 << slot);
    }

    /// The occupied slots in the order of a walk from a random slot. One draw.
    fn walk(self, rng: &mut ChaCha8Rng) -> impl Iterator<Item = u8> {
        let r = below(rng, self.cap as usize) as u32;
        let (occ, cap) = (self.occ, self.cap);
        (0..cap)
            .map(move |i| ((r + i) % cap) as u8)
            .filter(move |&slot| occ & (1u64 << slot) != 0)
    }

    /// The first slot of `set` (not empty) at or after `r`, going round a ring of `cap` slots.
    const fn first_from(cap: u32, set: u64, r: u32) -> u8 {
        debug_assert!(r < cap && cap <= 64);
        let at_or_after = set >> r;
        if at_or_after != 0 {
            (r + at_or_after.trailing_zeros()) as u8
        } else {
            set.trailing_zeros() as u8
        }
    }
}

/// The warm-pool settings ipamd reads (a node group's CNI settings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Targets {
    pub warm_eni: u32,
    pub warm_ip: u32,
    pub min_ip: u32,
    pub warm_prefix: u32,
    pub ip_targets: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Eni {
    pub subnet: u32,
    pub primary: u32,
    pub is_primary: bool,
    pub created_at: u32,
    /// Live slots.
    pub slots: u32,
    /// Its slot in the node's ENI map ([`Ring`]).
    pos: u8,
    /// Its slots' map (`AvailableIPv4Cidrs`).
    ring: Ring,
    /// Per map slot, the slot index there ([`NO_SLOT`]: empty); inline, so a pick reads no other
    /// allocation (a node has at most 16 x 49 slots).
    slot_at: [u16; 64],
    /// Map slots whose slot has a usable (free) address ([`PodAddressOrder::Ipamd`] only).
    usable: u64,
}

impl Eni {
    fn new(subnet: u32, primary: u32, is_primary: bool, created_at: u32, pos: u8) -> Self {
        Self {
            subnet,
            primary,
            is_primary,
            created_at,
            slots: 0,
            pos,
            ring: Ring::new(),
            slot_at: [NO_SLOT; 64],
            usable: 0,
        }
    }
}

#[derive(Debug, Clone)]
struct Slot {
    eni: u16,
    base: u32,
    used: u8,
    cooling: u8,
    live: bool,
    ready: bool,
    /// Its slot in its ENI's map ([`Ring`]).
    pos: u8,
    /// Its free addresses, one bit per address ([`PodAddressOrder::Ipamd`] with prefixes only: a secondary IP's
    /// slot is usable when its one address is free).
    free_mask: u16,
}

/// Addresses or prefixes held, as `(subnet index, address)`.
pub(crate) type Held = Vec<(u32, u32)>;

/// Where a node is in its life. The scheduler's side of it: ipamd runs from launch on (node launch and pod
/// addresses are decoupled, docs/model.md "Beyond the steady state"); pods are placed only once the node is
/// ready (instance boot, kubelet and aws-node, `NODE_READY_SECONDS` after launch).
/// A rolling update drains a node first (its pods go back to the scheduler, it takes no more, it keeps its
/// addresses) and terminates it a minute later; a scale-down terminates at once. Termination hands every
/// address back to its subnet in the same tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    /// Launched: ipamd fills the pool; no pod is placed before `ready_at`.
    Launching {
        /// When the node turns ready.
        ready_at: u32,
    },
    /// The scheduler may place pods (up to the node's pod room).
    Ready,
    /// Drained and cordoned for termination: no pods, no new ones, every address still held.
    Draining,
    /// Gone: it holds nothing and is never visited again (its index stays taken).
    Terminated,
}

/// The error EC2 answered a node's `CreateNetworkInterface` / `AssignPrivateIpAddresses` with when the subnet
/// was short (ipamd logs it and backs off for [`INSUFFICIENT_CIDR_BACKOFF_SECONDS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ec2Error {
    /// No wholly free /28 for a prefix.
    InsufficientCidrBlocks,
    /// Not enough free addresses for the secondary IPs or the ENI's primary.
    InsufficientFreeAddressesInSubnet,
}

impl Ec2Error {
    /// The error EC2 gives for the allocator's refusal `e`.
    fn from_alloc(e: &AllocError) -> Self {
        match e {
            AllocError::InsufficientCidrBlocks { .. } => Self::InsufficientCidrBlocks,
            _ => Self::InsufficientFreeAddressesInSubnet,
        }
    }
}

/// A failed EC2 call in `subnet`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Failure {
    pub subnet: u32,
    pub error: Ec2Error,
}

/// What one tick of a node did.
#[derive(Debug, Default, Clone)]
pub(crate) struct TickOut {
    pub changed: bool,
    /// Every failed EC2 call of the tick, in order (a failed top-up is two calls; `createENI` one per subnet
    /// it tries).
    pub failures: Vec<Failure>,
    /// Waits (seconds) of pods that got their address this tick.
    pub waits: Vec<u32>,
    /// The next time the node needs a tick even if nothing happens to it (`u32::MAX`: none); it may be `t` or
    /// earlier (a shrink interval that ran out while an ENI attached): then at the next tick.
    pub wake: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    // subnet and group ids are u32: a plan may have more than 65,535 of either
    pub group: u32,
    pub subnet: u32,
    pub eni_subnet: u32,
    life: Lifecycle,
    pub prefix: bool,
    custom: bool,
    /// Slots per ENI.
    s: u32,
    /// Pod addresses per slot: 1 (a secondary IP) or 16 (a /28 prefix), a power of two.
    u: u32,
    /// ENIs ipamd may hold, the primary included, the trunk excluded.
    eni_limit: u32,
    pub max_pods: u32,
    /// Pods (ordinary + branch) the kubelet takes: max pods less host-network pods.
    pub pod_room: u32,
    pub primary: u32,
    pub trunk: Option<(u32, u32)>,
    pub branch_quota: u32,
    pub branch: Vec<u32>,
    pub branch_waiting: VecDeque<u32>,
    /// Branch ENIs whose pod ended, as `(deleted at, address)`: held until the delete-queue job after
    /// [`BRANCH_COOLDOWN_SECONDS`] (in deletion order, so in release order).
    branch_cooling: VecDeque<(u32, u32)>,
    /// When the trunk was attached: the delete-queue job runs then and every
    /// [`BRANCH_DELETE_JOB_SECONDS`] after.
    trunk_since: u32,
    pub enis: Vec<Eni>,
    slots: Vec<Slot>,
    /// Per slot, its ENI and its place in that ENI's map as `eni << 6 | pos` (the `eni` and `pos` of
    /// [`Slot`], 2 bytes a slot): with secondary IPs a slot is one address, and keeping the usable masks reads
    /// this dense list, not the slot.
    loc: Vec<u16>,
    dead_slots: Vec<u32>,
    /// Per pod address: its state and its position in `free` or `running` (see [`Cell`]).
    cells: Vec<Cell>,
    /// Free addresses, listed only for [`PodAddressOrder::Random`] (a random pick); the other orders find
    /// theirs in their masks and keep only the count (`free_count`), so a pick or a free touches no list.
    free: Vec<u32>,
    free_count: u32,
    listed: bool,
    /// Free addresses as bits, kept only for [`PodAddressOrder::Packed`] (lowest first).
    free_bits: Vec<u64>,
    packed: bool,
    /// Pods take addresses in ipamd's order ([`PodAddressOrder::Ipamd`]): the usable masks are kept.
    ipamd: bool,
    /// The datastore's ENI map (`eniPool`): the ENIs' and the trunk's slots ([`Ring`]).
    eni_ring: Ring,
    /// Per map slot, the index in `enis` there (`TRUNK_AT`: the trunk; `NO_ENI`: empty).
    eni_at: [u8; 32],
    /// Map slots whose ENI has a usable address ([`PodAddressOrder::Ipamd`] only).
    eni_usable: u64,
    running: Vec<u32>,
    cooling: Fifo<(u32, u32)>,
    /// Ordinary pods without an address, in arrival order, each with its next sandbox retry.
    waiting: WaitQueue,
    total_slots: u32,
    free_pfx: u32,
    pending_eni: Option<u16>,
    /// Every secondary ENI is at least [`MIN_ENI_LIFETIME_SECONDS`] old from here on (an upper bound: the
    /// latest made so far, deleted or not, plus the lifetime).
    young_until: u32,
    busy_until: u32,
    backoff_until: u32,
    last_decrease: u32,
    /// Nothing ipamd could do now and nothing attaching (set by the last tick).
    pub settled: bool,
    /// Marked unschedulable for a managed node group update (it keeps its pods and ipamd runs on; the
    /// scheduler places nothing more on it).
    pub tainted: bool,
    pub max_enis_seen: u32,
    pub max_slots_seen: u32,
}

/// The node's static facts, from its group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeSpec {
    pub group: u32,
    pub subnet: u32,
    pub eni_subnet: u32,
    pub prefix: bool,
    pub custom: bool,
    pub slots_per_eni: u32,
    pub eni_limit: u32,
    pub max_pods: u32,
    pub pod_room: u32,
    pub branch_quota: u32,
    /// Which free address a pod gets.
    pub order: PodAddressOrder,
}

/// [`Node::eni_at`]: an empty map slot.
const NO_ENI: u8 = u8::MAX;
/// [`Node::eni_at`]: the trunk ENI's map slot (it holds no pod address).
const TRUNK_AT: u8 = u8::MAX - 1;
/// [`Eni::slot_at`]: an empty map slot.
const NO_SLOT: u16 = u16::MAX;

/// One pod address of a node: its state in the top 3 bits, its position in `free` or `running` in the rest
/// (4 bytes, so more of a node's addresses share a cache line).
type Cell = u32;

const POS_BITS: u32 = 29;
const POS_MASK: u32 = (1 << POS_BITS) - 1;

const fn cell(state: AddrState, pos: u32) -> Cell {
    ((state as u32) << POS_BITS) | (pos & POS_MASK)
}

const fn cell_state(c: Cell) -> AddrState {
    AddrState::from_bits(c >> POS_BITS)
}

const fn cell_pos(c: Cell) -> u32 {
    let p = c & POS_MASK;
    if p == POS_MASK { NONE } else { p }
}

/// A uniform index in `0..n` (`n > 0`), the very value `rng.random_range(0..n)` gives and drawing the same
/// numbers from `rng` (rand 0.10's `UniformUsize::sample_single`: below 2^32, Canon's method on a `u32`, a
/// second `u32` only when the first lands in the biased zone), inlined: the simulation draws several per pod
/// replacement.
#[inline]
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let Ok(range) = u32::try_from(n) else {
        return rng.random_range(0..n);
    };
    debug_assert!(range > 0, "cannot sample empty range");
    let m = u64::from(rng.next_u32()) * u64::from(range);
    let (mut result, lo) = ((m >> 32) as u32, m as u32);
    if lo > range.wrapping_neg() {
        let hi2 = ((u64::from(rng.next_u32()) * u64::from(range)) >> 32) as u32;
        result += u32::from(lo.checked_add(hi2).is_none());
    }
    result as usize
}

fn ip(a: Ipv4Addr) -> u32 {
    u32::from(a)
}

impl Node {
    pub(crate) fn new(spec: NodeSpec, t: u32, ready_at: u32, primary: u32) -> Self {
        let mut n = Self {
            group: spec.group,
            subnet: spec.subnet,
            eni_subnet: spec.eni_subnet,
            life: Lifecycle::Launching { ready_at },
            prefix: spec.prefix,
            custom: spec.custom,
            s: spec.slots_per_eni,
            u: if spec.prefix { 16 } else { 1 },
            eni_limit: spec.eni_limit,
            max_pods: spec.max_pods,
            pod_room: spec.pod_room,
            primary,
            trunk: None,
            branch_quota: spec.branch_quota,
            branch: Vec::new(),
            branch_waiting: VecDeque::new(),
            branch_cooling: VecDeque::new(),
            trunk_since: t,
            enis: Vec::new(),
            slots: Vec::new(),
            loc: Vec::new(),
            dead_slots: Vec::new(),
            cells: Vec::new(),
            free: Vec::new(),
            free_count: 0,
            listed: spec.order == PodAddressOrder::Random,
            free_bits: Vec::new(),
            packed: spec.order == PodAddressOrder::Packed,
            ipamd: spec.order == PodAddressOrder::Ipamd,
            eni_ring: Ring::new(),
            eni_at: [NO_ENI; 32],
            eni_usable: 0,
            running: Vec::new(),
            cooling: Fifo::new(),
            waiting: WaitQueue::default(),
            total_slots: 0,
            free_pfx: 0,
            pending_eni: None,
            young_until: 0,
            busy_until: 0,
            backoff_until: 0,
            last_decrease: t,
            settled: false,
            tainted: false,
            max_enis_seen: 1,
            max_slots_seen: 0,
        };
        // ENI #0: its primary is the node's primary address, from the node subnet. (The first ENI in
        // the datastore's map: slot 0; no draw.)
        n.eni_ring.occ = 1;
        n.eni_at[0] = 0;
        n.enis.push(Eni::new(spec.subnet, primary, true, t, 0));
        n
    }

    /// The trunk ENI (security groups for pods) in `subnet` with primary address `addr`: it takes a slot of
    /// the datastore's ENI map (ipamd adds it as an ENI that holds no pod address).
    pub(crate) fn attach_trunk(&mut self, t: u32, subnet: u32, addr: u32, rng: &mut ChaCha8Rng) {
        self.trunk = Some((subnet, addr));
        self.trunk_since = t;
        let pos = self.put_eni(rng);
        self.eni_at[pos as usize] = TRUNK_AT;
    }

    /// A slot of the ENI map for a new ENI (growing the map first when it is full: every entry moves).
    fn put_eni(&mut self, rng: &mut ChaCha8Rng) -> u8 {
        if self.eni_ring.must_grow() {
            let old = self.eni_at;
            self.eni_ring = self.eni_ring.grown();
            debug_assert!(self.eni_ring.cap <= 32, "at most 16 ENIs and a trunk");
            self.eni_at = [NO_ENI; 32];
            self.eni_usable = 0;
            for who in old.into_iter().filter(|&w| w != NO_ENI) {
                let pos = self.eni_ring.put(rng);
                self.eni_at[pos as usize] = who;
                if who != TRUNK_AT {
                    let e = &mut self.enis[who as usize];
                    e.pos = pos;
                    if e.usable != 0 {
                        self.eni_usable |= 1 << pos;
                    }
                }
            }
        }
        self.eni_ring.put(rng)
    }

    /// A slot of ENI `ei`'s map for slot `si` (growing the map first when it is full).
    fn put_slot(&mut self, ei: usize, si: u32, rng: &mut ChaCha8Rng) {
        if self.enis[ei].ring.must_grow() {
            let e = &mut self.enis[ei];
            let old = e.slot_at;
            e.ring = e.ring.grown();
            e.slot_at.fill(NO_SLOT);
            e.usable = 0;
            for s in old.into_iter().filter(|&s| s != NO_SLOT) {
                let pos = e.ring.put(rng);
                e.slot_at[pos as usize] = s;
                self.slots[s as usize].pos = pos;
                self.loc[s as usize] = (ei as u16) << 6 | u16::from(pos);
                let usable = if self.u == 1 {
                    cell_state(self.cells[s as usize]) == AddrState::Free
                } else {
                    self.slots[s as usize].free_mask != 0
                };
                if usable {
                    e.usable |= 1 << pos;
                }
            }
        }
        let e = &mut self.enis[ei];
        let pos = e.ring.put(rng);
        e.slot_at[pos as usize] = si as u16;
        self.slots[si as usize].pos = pos;
        self.loc[si as usize] = (ei as u16) << 6 | u16::from(pos);
    }

    // --- lifecycle -----------------------------------------------------------------------------------

    /// Launched and not terminated.
    pub(crate) const fn is_live(&self) -> bool {
        !matches!(self.life, Lifecycle::Terminated)
    }

    /// Whether the scheduler may place a pod on the node at `t`: ready (a launching node turns ready at its
    /// `ready_at`), not marked unschedulable by an update, and below its pod room.
    pub(crate) fn schedulable(&mut self, t: u32) -> bool {
        if let Lifecycle::Launching { ready_at } = self.life
            && t >= ready_at
        {
            self.life = Lifecycle::Ready;
        }
        self.life == Lifecycle::Ready && !self.tainted && self.pods() < self.pod_room
    }

    /// Whether the scheduler could place a pod here now or once the node is ready: not cordoned, not marked
    /// unschedulable, below its pod room.
    pub(crate) fn has_pod_room(&self) -> bool {
        !self.tainted && self.life != Lifecycle::Draining && self.pods() < self.pod_room
    }

    /// Cordon the node (a rolling update drained it): the scheduler places nothing on it any more.
    pub(crate) fn cordon(&mut self) {
        self.life = Lifecycle::Draining;
    }

    // --- counters the loop reads ------------------------------------------------------------------

    fn total(&self) -> u32 {
        self.total_slots * self.u
    }

    pub(crate) fn assigned(&self) -> u32 {
        self.running.len() as u32
    }

    /// Arrival times of the ordinary pods waiting for an address.
    pub(crate) fn waiting_since(&self) -> impl Iterator<Item = u32> + '_ {
        self.waiting.iter().map(|w| w.since)
    }

    pub(crate) fn waiting(&self) -> u32 {
        self.waiting.len() as u32
    }

    /// Pods on the node: running, waiting, branch (running and waiting).
    pub(crate) fn pods(&self) -> u32 {
        self.assigned()
            + self.waiting()
            + self.branch.len() as u32
            + self.branch_waiting.len() as u32
    }

    pub(crate) fn live_enis(&self) -> u32 {
        // (a deleted ENI leaves the list: every one in it is attached)
        self.enis.len() as u32
    }

    pub(crate) fn slots_per_eni(&self) -> Vec<u32> {
        self.enis.iter().map(|e| e.slots).collect()
    }

    pub(crate) fn total_slots(&self) -> u32 {
        self.total_slots
    }

    pub(crate) fn pod_addresses(&self) -> u32 {
        self.total()
    }

    /// `isDatastorePoolTooLow` for hypothetical counters.
    fn low_with(&self, tg: &Targets, total: u32, assigned: u32) -> (bool, u32) {
        if total >= self.max_pods {
            return (false, 0);
        }
        let avail = total - assigned;
        if tg.ip_targets {
            let mut short = tg.warm_ip.saturating_sub(avail);
            short = short.max(tg.min_ip.saturating_sub(total));
            if self.prefix {
                short = short.div_ceil(16);
            }
            (short > 0, short)
        } else {
            let (w, unit) = if self.prefix {
                (tg.warm_prefix, 16)
            } else {
                (tg.warm_eni, self.s)
            };
            (avail < w * unit || (w == 0 && avail == 0), 0)
        }
    }

    fn low(&self, tg: &Targets) -> (bool, u32) {
        self.low_with(tg, self.total(), self.assigned())
    }

    // --- address lists ------------------------------------------------------------------------------

    fn grow_addr(&mut self, len: usize) {
        if self.cells.len() < len {
            self.cells.resize(len, cell(AddrState::Dead, NONE));
            if self.packed {
                self.free_bits.resize(len.div_ceil(64), 0);
            }
        }
    }

    /// The slot holding pod address `a` (`a / u`, as a shift: `u` is 1 or 16).
    #[inline]
    const fn slot_of(&self, a: u32) -> usize {
        (a >> self.u.trailing_zeros()) as usize
    }

    fn state(&self, a: u32) -> AddrState {
        cell_state(self.cells[a as usize])
    }

    /// Set the state of `a`, keeping its position.
    fn set_state(&mut self, a: u32, state: AddrState) {
        let c = &mut self.cells[a as usize];
        *c = cell(state, cell_pos(*c));
    }

    fn push_free(&mut self, a: u32) {
        if self.ipamd {
            if self.prefix {
                self.push_free_pfx(a);
            } else {
                self.push_free_sip(a);
            }
            return;
        }
        // (a store only: the cell's old value is not read)
        if self.listed {
            self.cells[a as usize] = cell(AddrState::Free, self.free.len() as u32);
            self.free.push(a);
        } else {
            self.cells[a as usize] = cell(AddrState::Free, NONE);
        }
        self.free_count += 1;
        if self.packed {
            self.free_bits[(a / 64) as usize] |= 1 << (a % 64);
        }
    }

    /// [`Node::push_free`] with secondary IPs in ipamd's order: one address a slot, no list, no bits; the
    /// cell, the count and the usable masks of [`Node::mark_usable`].
    #[inline(always)]
    fn push_free_sip(&mut self, a: u32) {
        debug_assert!(self.ipamd && self.u == 1);
        self.cells[a as usize] = cell(AddrState::Free, NONE);
        self.free_count += 1;
        let l = self.loc[a as usize];
        let e = &mut self.enis[usize::from(l >> 6)];
        if e.usable == 0 {
            self.eni_usable |= 1 << e.pos;
        }
        e.usable |= 1 << (l & 63);
    }

    /// [`Node::push_free`] with prefixes in ipamd's order: no list, no bits; the cell, the count, the slot's
    /// free mask and the usable masks of [`Node::mark_usable`].
    #[inline(always)]
    fn push_free_pfx(&mut self, a: u32) {
        debug_assert!(self.ipamd && self.u == 16);
        self.cells[a as usize] = cell(AddrState::Free, NONE);
        self.free_count += 1;
        let slot = &mut self.slots[(a >> 4) as usize];
        let was = slot.free_mask;
        slot.free_mask |= 1 << (a & 15);
        if was == 0 {
            // (the slot turned usable, and its ENI when it had none)
            let e = &mut self.enis[usize::from(slot.eni)];
            if e.usable == 0 {
                self.eni_usable |= 1 << e.pos;
            }
            e.usable |= 1 << slot.pos;
        }
    }

    /// Keep the usable masks ([`PodAddressOrder::Ipamd`]) when free address `a` leaves the free ones other than
    /// by a pick (its slot is released): its slot is no longer usable when that was its last free address, nor
    /// then its ENI when that was its last usable slot. (A pick keeps them itself: [`Node::take_free_ipamd`];
    /// an address turning free: [`Node::push_free_sip`], [`Node::push_free_pfx`].)
    fn mark_unusable(&mut self, a: u32) {
        let si = self.slot_of(a);
        let (ei, pos) = if self.u == 1 {
            // (one address a slot: its slot is usable exactly when it is free; its place in the ENI's map is
            // the 2-byte location, and the slot is not read)
            let l = self.loc[si];
            (usize::from(l >> 6), l & 63)
        } else {
            let slot = &mut self.slots[si];
            slot.free_mask &= !(1u16 << (a & (self.u - 1)));
            if slot.free_mask != 0 {
                return;
            }
            (usize::from(slot.eni), u16::from(slot.pos))
        };
        let e = &mut self.enis[ei];
        e.usable &= !(1u64 << pos);
        if e.usable == 0 {
            self.eni_usable &= !(1u64 << e.pos);
        }
    }

    fn remove_free(&mut self, a: u32) {
        let p = cell_pos(self.cells[a as usize]);
        self.remove_free_at(a, p, AddrState::Free);
    }

    /// Take `a`, at position `p` of the free list (if listed), out of it; its cell becomes `(state, none)`.
    fn remove_free_at(&mut self, a: u32, p: u32, state: AddrState) {
        if self.listed {
            debug_assert_eq!(self.free[p as usize], a);
            let last = self.free.pop().expect("address in free list");
            if last != a {
                self.free[p as usize] = last;
                self.cells[last as usize] = cell(AddrState::Free, p);
            }
        }
        self.free_count -= 1;
        self.cells[a as usize] = cell(state, NONE);
        if self.packed {
            self.free_bits[(a / 64) as usize] &= !(1 << (a % 64));
        }
        if self.ipamd {
            self.mark_unusable(a);
        }
    }

    /// A free address and its position in the free list, in the node's order (the scenario's
    /// [`PodAddressOrder`], fixed at launch): `random` or `packed` ([`Node::take_free_ipamd`] for ipamd's).
    fn pick_free(&mut self, _order: PodAddressOrder, rng: &mut ChaCha8Rng) -> Option<(u32, u32)> {
        if self.free_count == 0 {
            return None;
        }
        // (ipamd's order takes its address in one pass: `Node::take_free_ipamd`)
        debug_assert!(!self.ipamd);
        Some(if self.packed {
            let (w, bits) = self
                .free_bits
                .iter()
                .enumerate()
                .find(|(_, b)| **b != 0)
                .expect("free list not empty");
            let a = (w as u32) * 64 + bits.trailing_zeros();
            // (not listed: no position)
            (a, NONE)
        } else {
            let p = below(rng, self.free.len());
            (self.free[p], p as u32)
        })
    }

    /// Give a free address (at position `p` of the free list) to a pod: free -> used.
    fn assign(&mut self, a: u32, p: u32) {
        self.remove_free_at(a, p, AddrState::Used);
        self.cells[a as usize] = cell(AddrState::Used, self.running.len() as u32);
        self.running.push(a);
        // (secondary IPs: a slot is one address, its cell says it all)
        if self.prefix {
            let si = self.slot_of(a);
            let slot = &mut self.slots[si];
            if slot.used == 0 {
                self.free_pfx -= 1;
            }
            slot.used += 1;
        }
    }

    /// The pod at position `p` of `running` dies: used -> cooling until `t + 30`.
    fn unassign_at(&mut self, p: usize, t: u32) {
        let a = self.running[p];
        let last = self.running.pop().expect("running pod");
        if last != a {
            self.running[p] = last;
            self.cells[last as usize] = cell(AddrState::Used, p as u32);
        }
        self.cells[a as usize] = cell(AddrState::Cooling, NONE);
        if self.prefix {
            let si = self.slot_of(a);
            let slot = &mut self.slots[si];
            slot.used -= 1;
            slot.cooling += 1;
            if slot.used == 0 {
                self.free_pfx += 1;
            }
        }
        self.cooling.push_back((t + IP_COOLDOWN_SECONDS, a));
    }

    /// Read what a visit to the node reads first: the node's own scalars (its mode, the slot and ENI list
    /// headers, the timers), one word of each cache line of the running and free lists, and the oldest
    /// cooldown. Called a few nodes ahead, their loads overlap the work on the nodes in between instead of
    /// stalling it. Returns a fold of the words (for `std::hint::black_box`).
    pub(crate) fn warm(&self) -> u32 {
        let mut x = self.u
            ^ u32::from(self.prefix)
            ^ self.slots.len() as u32
            ^ self.enis.len() as u32
            ^ self.cells.len() as u32
            ^ self.busy_until
            ^ self.last_decrease
            ^ u32::from(self.pending_eni.is_some());
        for &v in self.running.iter().step_by(16) {
            x ^= v;
        }
        for &v in self.free.iter().step_by(16) {
            x ^= v;
        }
        if let Some(&(e, _)) = self.cooling.front() {
            x ^= e;
        }
        x
    }

    // --- pods ---------------------------------------------------------------------------------------

    /// An ordinary pod lands on the node at `t`: the kubelet creates its sandbox at once and the CNI plugin asks
    /// ipamd for an address (pods in back-off do not queue ahead of it: each retries on its own clock). It
    /// gets one now, or it waits for its next sandbox retry, 10 to 15 s later ([`SANDBOX_RETRY_MS`]). Returns
    /// `Some(0)` when it got one at once.
    pub(crate) fn add_pod(
        &mut self,
        t: u32,
        order: PodAddressOrder,
        rng: &mut ChaCha8Rng,
    ) -> Option<u32> {
        if self.take_free(order, rng) {
            return Some(0);
        }
        let retry_ms = t * 1000 + sandbox_backoff_ms(rng);
        self.waiting.push_back(Waiter { since: t, retry_ms });
        self.settled = false;
        None
    }

    /// Delete one ordinary pod (a waiting one first, else a random running one). Returns whether one was.
    pub(crate) fn delete_pod(&mut self, t: u32, rng: &mut ChaCha8Rng) -> bool {
        if self.waiting.pop_back().is_some() {
            return true;
        }
        if self.running.is_empty() {
            return false;
        }
        let p = below(rng, self.running.len());
        self.unassign_at(p, t);
        self.settled = false;
        true
    }

    /// Delete a random running pod and create one in its place (a churn step). `false` if nothing runs.
    #[inline(always)]
    pub(crate) fn replace_pod(
        &mut self,
        t: u32,
        order: PodAddressOrder,
        rng: &mut ChaCha8Rng,
    ) -> (bool, Option<u32>) {
        if self.running.is_empty() {
            return (false, None);
        }
        let p = below(rng, self.running.len());
        self.settled = false;
        // (the dying pod's address goes into cooldown, not to the free ones: whether the new pod finds one
        // is known before)
        if self.ipamd && self.free_count > 0 {
            self.replace_ipamd(p, t, rng);
            return (true, Some(0));
        }
        self.unassign_at(p, t);
        (true, self.add_pod(t, order, rng))
    }

    /// Give a pod a free address, if there is one, in the node's order: ipamd's in one pass
    /// ([`Node::take_free_ipamd`]), the others by [`Node::pick_free`] and [`Node::assign`].
    #[inline(always)]
    fn take_free(&mut self, order: PodAddressOrder, rng: &mut ChaCha8Rng) -> bool {
        if self.ipamd {
            if self.free_count == 0 {
                return false;
            }
            let b = self.take_free_ipamd(rng);
            self.cells[b as usize] = cell(AddrState::Used, self.running.len() as u32);
            self.running.push(b);
            return true;
        }
        match self.pick_free(order, rng) {
            Some((a, p)) => {
                self.assign(a, p);
                true
            }
            None => false,
        }
    }

    /// A free address for a pod in ipamd's order (there is one), out of the free ones, with the slot's counts
    /// of [`Node::assign`] (the caller writes its cell and puts it in `running`). `AssignPodIPv4Address`: the
    /// ENI map from a random slot, the first ENI with a usable address; its CIDR map from a random slot, the
    /// first CIDR with one; in it the lowest (`getUnusedIP` hands out the lowest address neither assigned nor
    /// cooling; one reused after its cooldown may come first, which changes nothing ipplan counts).
    #[inline(always)]
    fn take_free_ipamd(&mut self, rng: &mut ChaCha8Rng) -> u32 {
        debug_assert!(self.ipamd && self.free_count > 0 && self.eni_usable != 0);
        let cap = self.eni_ring.cap;
        let pos = Ring::first_from(cap, self.eni_usable, below(rng, cap as usize) as u32);
        let e = &mut self.enis[usize::from(self.eni_at[usize::from(pos)])];
        let cap = e.ring.cap;
        let spos = Ring::first_from(cap, e.usable, below(rng, cap as usize) as u32);
        let si = u32::from(e.slot_at[usize::from(spos)]);
        self.free_count -= 1;
        // free -> used: the slot is no longer usable when that was its last free address (a secondary IP's
        // slot is one address), nor then its ENI when that was its last usable slot
        let (a, slot_spent) = if self.u == 1 {
            (si, true)
        } else {
            let slot = &mut self.slots[si as usize];
            let k = slot.free_mask.trailing_zeros();
            slot.free_mask &= !(1 << k);
            if slot.used == 0 {
                self.free_pfx -= 1;
            }
            slot.used += 1;
            (si * 16 + k, slot.free_mask == 0)
        };
        if slot_spent {
            e.usable &= !(1u64 << spos);
            if e.usable == 0 {
                self.eni_usable &= !(1u64 << e.pos);
            }
        }
        a
    }

    /// [`Node::replace_pod`] in ipamd's order when a free address is there: the pod at position `p` of
    /// `running` dies ([`Node::unassign_at`]) and a new one takes a free address ([`Node::take_free_ipamd`]),
    /// in one pass: the same draws, the same lists, masks and counts after, each cell written once.
    #[inline(always)]
    fn replace_ipamd(&mut self, p: usize, t: u32, rng: &mut ChaCha8Rng) {
        debug_assert!(self.ipamd && self.free_count > 0);
        // used -> cooling
        let a = self.running[p];
        self.cells[a as usize] = cell(AddrState::Cooling, NONE);
        if self.prefix {
            let slot = &mut self.slots[(a >> 4) as usize];
            slot.used -= 1;
            slot.cooling += 1;
            if slot.used == 0 {
                self.free_pfx += 1;
            }
        }
        self.cooling.push_back((t + IP_COOLDOWN_SECONDS, a));
        let b = self.take_free_ipamd(rng);
        // `running`: the last pod moves to `p` (the swap removal), the new one takes the last place
        let last = self.running.len() - 1;
        if p != last {
            let moved = self.running[last];
            self.running[p] = moved;
            self.cells[moved as usize] = cell(AddrState::Used, p as u32);
        }
        self.running[last] = b;
        self.cells[b as usize] = cell(AddrState::Used, last as u32);
    }

    /// Terminate the node: every address it holds, to give back, as `(singles, prefixes)`.
    pub(crate) fn drain_resources(&mut self) -> (Held, Held) {
        let mut singles = vec![(self.subnet, self.primary)];
        let mut prefixes = Vec::new();
        for s in &self.slots {
            if !s.live {
                continue;
            }
            let sub = self.enis[s.eni as usize].subnet;
            if self.prefix {
                prefixes.push((sub, s.base));
            } else {
                singles.push((sub, s.base));
            }
        }
        for e in &self.enis {
            if !e.is_primary {
                singles.push((e.subnet, e.primary));
            }
        }
        if let Some((sub, a)) = self.trunk {
            singles.push((sub, a));
            for &b in &self.branch {
                singles.push((sub, b));
            }
            for &(_, b) in &self.branch_cooling {
                singles.push((sub, b));
            }
            self.branch_cooling.clear();
        }
        self.life = Lifecycle::Terminated;
        (singles, prefixes)
    }

    /// A branch pod ends at `t` (a waiting one first, else a running one): its branch ENI goes to the
    /// controller's delete queue and its address back to the subnet at the first run of the delete-queue job
    /// more than [`BRANCH_COOLDOWN_SECONDS`] after `t` (`DeleteCooledDownENIs` deletes an ENI when
    /// `now` is after its stamp plus the cooldown), so 60 to 90 s later. Returns whether one ended.
    pub(crate) fn end_branch_pod(&mut self, t: u32) -> bool {
        if self.branch_waiting.pop_back().is_some() {
            return true;
        }
        let Some(a) = self.branch.pop() else {
            return false;
        };
        self.branch_cooling.push_back((t, a));
        true
    }

    /// When the branch ENI of a pod ended at `deleted` is deleted: the first job run (`trunk_since` plus a
    /// multiple of [`BRANCH_DELETE_JOB_SECONDS`]) strictly after `deleted + BRANCH_COOLDOWN_SECONDS`.
    const fn branch_release_at(&self, deleted: u32) -> u32 {
        let ready = deleted + BRANCH_COOLDOWN_SECONDS;
        let runs = (ready - self.trunk_since) / BRANCH_DELETE_JOB_SECONDS + 1;
        self.trunk_since + runs * BRANCH_DELETE_JOB_SECONDS
    }

    /// Branch ENIs deleted by `t`: their addresses back to the trunk's subnet. Whether any was.
    fn release_branch_enis(&mut self, t: u32, allocs: &mut [SubnetAllocator]) -> bool {
        let Some((sub, _)) = self.trunk else {
            return false;
        };
        let mut any = false;
        while let Some(&(deleted, a)) = self.branch_cooling.front() {
            if self.branch_release_at(deleted) > t {
                break;
            }
            self.branch_cooling.pop_front();
            allocs[sub as usize]
                .release_single(Ipv4Addr::from(a))
                .expect("held branch ENI address");
            any = true;
        }
        any
    }

    /// Pods that leave with the node (ordinary and branch, running and waiting).
    pub(crate) fn evict_all(&mut self) -> u32 {
        let n = self.pods();
        self.running.clear();
        self.waiting.clear();
        self.branch.clear();
        self.branch_waiting.clear();
        n
    }

    // --- the control loop ---------------------------------------------------------------------------

    /// One pool check at `t` (docs/model.md, "The ipamd control loop").
    #[allow(clippy::too_many_lines)]
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn tick(
        &mut self,
        t: u32,
        tg: &Targets,
        allocs: &mut [SubnetAllocator],
        discovery: &[u32],
        order: PodAddressOrder,
        rng: &mut ChaCha8Rng,
        out: &mut TickOut,
    ) {
        out.changed = false;
        out.failures.clear();
        out.waits.clear();
        // An ENI attached.
        if let Some(e) = self.pending_eni
            && t >= self.busy_until
        {
            self.pending_eni = None;
            let u = self.u;
            for si in 0..self.slots.len() {
                if self.slots[si].eni == e && self.slots[si].live && !self.slots[si].ready {
                    self.slots[si].ready = true;
                    self.total_slots += 1;
                    if self.prefix {
                        self.free_pfx += 1;
                    }
                    for k in 0..u {
                        self.push_free(si as u32 * u + k);
                    }
                }
            }
            out.changed = true;
        }
        // Branch ENIs past their cooldown.
        if !self.branch_cooling.is_empty() && self.release_branch_enis(t, allocs) {
            out.changed = true;
        }
        // Cooldowns that ran out, and the sandbox retries due since the last tick, in time order.
        self.expire_and_retry(t, order, rng, out);

        let mut blocked = false;
        let mut freed = false;
        // `(low, over)` of the pool as the step below found it, while the step leaves the pool as it was
        let mut kept = None;
        if t >= self.busy_until {
            let (low, short) = self.low(tg);
            let mut over = 0;
            let mut changed = false;
            if low {
                if t < self.backoff_until {
                    blocked = true;
                } else {
                    match self.grow(t, tg, short, allocs, discovery, rng, &mut out.failures) {
                        Grow::Done => changed = true,
                        Grow::Failed { backoff: true } => {
                            self.backoff_until = t + INSUFFICIENT_CIDR_BACKOFF_SECONDS;
                            blocked = true;
                        }
                        // subnet discovery, every ENI full or refused and no room for another: ipamd tries
                        // again at its next pool check
                        Grow::Failed { backoff: false } | Grow::NoRoom => {}
                    }
                }
            } else {
                over = self.over(tg);
                if over > 0 && t >= self.last_decrease + DECREASE_INTERVAL_SECONDS {
                    // `updateIPPoolIfRequired`: shrink when the pool is too high (`isDatastorePoolTooHigh`,
                    // the same `over` as the shrink step) and the last shrink is 30 s back
                    // (`shouldSkipDataStorePoolDecrease`); only a shrink restarts that clock
                    // (`lastDecreaseIPPool`). (ipamd skips while at most 30 s have passed; its loop takes a
                    // little over 5 s a round, so the 6th round after a shrink may shrink again: `>=` on 5 s
                    // ticks.)
                    if self.shrink(tg, allocs, rng) {
                        changed = true;
                    }
                    self.last_decrease = t;
                }
            }
            if self.pending_eni.is_none() && self.enis.len() > 1 && self.try_free_eni(t, tg, allocs)
            {
                changed = true;
                freed = true;
            }
            if changed {
                out.changed = true;
            } else {
                kept = Some((low, over));
            }
        }

        // Settled and the next wake-up.
        let (low, over) = kept.unwrap_or_else(|| {
            let (low, _) = self.low(tg);
            (low, if low { 0 } else { self.over(tg) })
        });
        let can_grow = low && self.has_room();
        // (pods waiting while ipamd can do nothing wait for cooldowns, or for ever: more may come)
        // (a node in the 120 s back-off can do nothing either)
        self.settled = self.pending_eni.is_none() && (!can_grow || blocked);
        let mut wake = u32::MAX;
        if let Some(&(exp, _)) = self.cooling.front() {
            wake = wake.min(exp);
        }
        if self.pending_eni.is_some() {
            wake = wake.min(self.busy_until);
        }
        if can_grow {
            wake = wake.min(if blocked { self.backoff_until } else { t + 1 });
        }
        if !self.branch_waiting.is_empty() || freed {
            // (another ENI may go next tick)
            wake = t + 1;
        }
        if !low && over > 0 && self.has_unassigned_slot() {
            wake = wake.min(self.last_decrease + DECREASE_INTERVAL_SECONDS);
        }
        if let Some(young) = self.young_eni_until(t) {
            wake = wake.min(young);
        }
        if let Some(&(deleted, _)) = self.branch_cooling.front() {
            wake = wake.min(self.branch_release_at(deleted));
        }
        if let Some(retry) = self.next_retry() {
            wake = wake.min(retry);
        }
        out.wake = wake;
        if out.changed {
            self.max_enis_seen = self.max_enis_seen.max(self.live_enis());
            self.max_slots_seen = self.max_slots_seen.max(self.total_slots);
        }
    }

    /// The cooldowns that ran out by `t` and the sandbox retries due by `t`, in time order: a retry sees the
    /// addresses as they are at its instant (an address is still cooling at exactly 30 s: datastore
    /// `inCoolingPeriod` uses `<=`), and the pool as the last tick left it. A retry that finds a usable
    /// address takes it; one that does not is due again one back-off later (perhaps still before `t`, with a
    /// tick longer than 10 s). A freed address so goes to a waiting pod only when its retry comes, not when it
    /// frees.
    fn expire_and_retry(
        &mut self,
        t: u32,
        order: PodAddressOrder,
        rng: &mut ChaCha8Rng,
        out: &mut TickOut,
    ) {
        if self.waiting.len() == 0 {
            // (no pod waits, so no retry: the cooldowns only)
            while let Some(&(exp, a)) = self.cooling.front()
                && exp <= t
            {
                self.cooling.pop_front();
                self.cooled(a);
            }
            return;
        }
        let now_ms = t.saturating_mul(1000);
        loop {
            let exp = self
                .cooling
                .front()
                .filter(|&&(exp, _)| exp <= t)
                .map(|&(exp, _)| exp.saturating_mul(1000));
            // (the earliest due retry, ties to the earliest arrival)
            let retry = self.waiting.first_retry().filter(|&(r, _)| r <= now_ms);
            let expire_first = match (exp, retry) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(e), Some((r, _))) => e < r,
            };
            if expire_first {
                self.expire_one();
                continue;
            }
            let (_, i) = retry.expect("a due retry");
            if self.take_free(order, rng) {
                let w = self.waiting.remove(i).expect("due waiter");
                out.waits.push(t - w.since);
                out.changed = true;
            } else {
                let after = sandbox_backoff_ms(rng);
                self.waiting.retry_later(i, after);
            }
        }
    }

    /// The oldest cooldown ends: its address is free.
    fn expire_one(&mut self) {
        let (_, a) = self.cooling.pop_front().expect("a cooldown");
        self.cooled(a);
    }

    /// The cooldown of `a` (just taken from the FIFO) ended: it is free.
    #[inline(always)]
    fn cooled(&mut self, a: u32) {
        // (an address in cooldown stays there until now: a released slot takes its cooldowns with it)
        debug_assert_eq!(self.state(a), AddrState::Cooling);
        if self.prefix {
            let si = self.slot_of(a);
            self.slots[si].cooling -= 1;
        }
        self.push_free(a);
    }

    /// The second of the earliest sandbox retry (the first tick at or after it makes it).
    fn next_retry(&mut self) -> Option<u32> {
        self.waiting.first_retry().map(|(r, _)| r.div_ceil(1000))
    }

    /// Whether ipamd could still add slots: an ENI with room or room for an ENI.
    fn has_room(&self) -> bool {
        // (the count first: it reads no ENI)
        self.live_enis() < self.eni_limit
            || self
                .enis
                .iter()
                .any(|e| !(e.is_primary && self.custom) && e.slots < self.s)
    }

    fn young_eni_until(&self, t: u32) -> Option<u32> {
        // (no ENI made after `young_until - 60`: none is young, and no ENI is read)
        if t >= self.young_until {
            return None;
        }
        self.enis
            .iter()
            .filter(|e| !e.is_primary)
            .map(|e| e.created_at + MIN_ENI_LIFETIME_SECONDS)
            .filter(|&until| until > t)
            .min()
    }

    fn new_slots(&mut self, eni: u16, bases: &[u32], ready: bool, rng: &mut ChaCha8Rng) {
        let u = self.u;
        let fresh = Slot {
            eni,
            base: 0,
            used: 0,
            cooling: 0,
            live: false,
            ready: false,
            pos: 0,
            free_mask: 0,
        };
        for &b in bases {
            let si = match self.dead_slots.pop() {
                Some(si) => si,
                None => {
                    self.slots.push(fresh.clone());
                    self.loc.push(0);
                    (self.slots.len() - 1) as u32
                }
            };
            self.grow_addr(((si + 1) * u) as usize);
            self.slots[si as usize] = Slot {
                base: b,
                live: true,
                ready,
                ..fresh.clone()
            };
            // (the datastore adds it to the ENI's CIDR map: `AddIPv4CidrToStore`)
            self.put_slot(eni as usize, si, rng);
            for k in 0..u {
                let a = si * u + k;
                if ready {
                    self.push_free(a);
                } else {
                    self.set_state(a, AddrState::Attaching);
                }
            }
            if ready {
                self.total_slots += 1;
                if self.prefix {
                    self.free_pfx += 1;
                }
            }
        }
        self.enis[eni as usize].slots += bases.len() as u32;
    }

    fn alloc_slots(&self, alloc: &mut SubnetAllocator, k: u32) -> Result<Vec<u32>, AllocError> {
        if self.prefix {
            alloc
                .alloc_prefixes(u64::from(k))
                .map(|v| v.into_iter().map(|p| ip(p.network())).collect())
        } else {
            alloc
                .alloc_singles(u64::from(k))
                .map(|v| v.into_iter().map(ip).collect())
        }
    }

    fn failure(subnet: u32, e: &AllocError) -> Failure {
        Failure {
            subnet,
            error: Ec2Error::from_alloc(e),
        }
    }

    /// `increaseDatastorePool` (aws/amazon-vpc-cni-k8s `pkg/ipamd/ipamd.go`): top up one ENI, else create one.
    /// Every failed EC2 call goes to `failures`.
    ///
    /// Top-up (`tryAssignIPs` / `tryAssignPrefixes`): the pod-eligible ENIs with room, in attach order; a
    /// failed request is retried once for 1 slot (two calls); when that fails too, with subnet discovery on
    /// (`discovery` not empty) the walk goes on to the next ENI, without it the back-off starts. When no ENI
    /// took any and another may be attached (`hasRoomForEni`), `createENI`: 1 primary + k slots, all or nothing,
    /// in the ENIConfig or node subnet, or with discovery in each of `discovery` (the node's candidates, plan
    /// order) by most free addresses first, ties in plan order, until one takes it; only when none does the
    /// back-off starts. With discovery, failed top-ups and no room for an ENI start no back-off.
    #[allow(clippy::too_many_arguments)]
    fn grow(
        &mut self,
        t: u32,
        tg: &Targets,
        short: u32,
        allocs: &mut [SubnetAllocator],
        discovery: &[u32],
        rng: &mut ChaCha8Rng,
        failures: &mut Vec<Failure>,
    ) -> Grow {
        let n = if self.prefix {
            if tg.ip_targets {
                short.max(1)
            } else {
                tg.warm_prefix.saturating_sub(self.free_pfx).max(1)
            }
        } else if tg.ip_targets {
            short.max(1)
        } else {
            self.s
        };
        let discovering = !discovery.is_empty();
        // Top up the existing pod-eligible ENIs with room (attach order).
        let custom = self.custom;
        let mut refused = false;
        for ei in 0..self.enis.len() {
            let e = &self.enis[ei];
            if (e.is_primary && custom) || e.slots >= self.s {
                continue;
            }
            let sub = e.subnet;
            let k = (self.s - e.slots).min(n);
            let a = &mut allocs[sub as usize];
            let got = match self.alloc_slots(a, k) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(Self::failure(sub, &e));
                    match self.alloc_slots(a, 1) {
                        Ok(v) => v,
                        Err(e) => {
                            failures.push(Self::failure(sub, &e));
                            if discovering {
                                refused = true;
                                continue;
                            }
                            return Grow::Failed { backoff: true };
                        }
                    }
                }
            };
            self.new_slots(ei as u16, &got, true, rng);
            return Grow::Done;
        }
        if self.live_enis() >= self.eni_limit || self.s == 0 {
            return if refused {
                Grow::Failed { backoff: false }
            } else {
                Grow::NoRoom
            };
        }
        // CreateNetworkInterface: 1 primary + k slots, all or nothing.
        let k = if self.prefix || tg.ip_targets {
            n.min(self.s)
        } else {
            self.s
        };
        let mut candidates: Vec<u32> = if discovering {
            discovery.to_vec()
        } else {
            vec![self.eni_subnet]
        };
        // most free addresses first (`AvailableIpAddressCount`); the sort is stable: ties keep plan order
        candidates.sort_by_key(|&c| std::cmp::Reverse(allocs[c as usize].free_addresses()));
        for sub in candidates {
            let a = &mut allocs[sub as usize];
            let primary = match a.alloc_single() {
                Ok(p) => ip(p),
                Err(e) => {
                    failures.push(Self::failure(sub, &e));
                    continue;
                }
            };
            let got = match self.alloc_slots(a, k) {
                Ok(v) => v,
                Err(e) => {
                    let _ = a.release_single(Ipv4Addr::from(primary));
                    failures.push(Self::failure(sub, &e));
                    continue;
                }
            };
            let pos = self.put_eni(rng);
            let ei = self.enis.len();
            self.eni_at[pos as usize] = ei as u8;
            self.enis.push(Eni::new(sub, primary, false, t, pos));
            self.young_until = self.young_until.max(t + MIN_ENI_LIFETIME_SECONDS);
            self.new_slots(ei as u16, &got, false, rng);
            self.pending_eni = Some(ei as u16);
            self.busy_until = t + ENI_ATTACH_SECONDS;
            return Grow::Done;
        }
        Grow::Failed { backoff: true }
    }

    /// After removing `enis[removed]`, ENI indices above it moved down by one.
    fn renumber_slots(&mut self, removed: usize) {
        for (s, l) in self.slots.iter_mut().zip(&mut self.loc) {
            if s.live && s.eni as usize > removed {
                s.eni -= 1;
                *l -= 1 << 6;
            }
        }
        for w in &mut self.eni_at {
            if *w != NO_ENI && *w != TRUNK_AT && *w as usize > removed {
                *w -= 1;
            }
        }
    }

    /// Addresses on ENI `ei` assigned to a pod or in cooldown.
    fn eni_busy(&self, ei: usize) -> u32 {
        let u = self.u;
        let mut busy = 0;
        for (si, s) in self.slots.iter().enumerate() {
            if !s.live || s.eni as usize != ei {
                continue;
            }
            if self.prefix {
                busy += u32::from(s.used) + u32::from(s.cooling);
            } else {
                for k in 0..u {
                    let st = self.state(si as u32 * u + k);
                    busy += u32::from(matches!(st, AddrState::Used | AddrState::Cooling));
                }
            }
        }
        busy
    }

    /// Slots the shrink step wants gone (`isDatastorePoolTooHigh` / `computeExtraPrefixesOverWarmTarget`).
    fn over(&self, tg: &Targets) -> u32 {
        let total = self.total();
        let assigned = self.assigned();
        let avail = total - assigned;
        if tg.ip_targets {
            if self.prefix {
                let tp = self.total_slots;
                let keep_warm = (assigned + tg.warm_ip).div_ceil(16);
                let keep_min = tg.min_ip.div_ceil(16);
                self.free_pfx
                    .min(tp.saturating_sub(keep_warm))
                    .min(tp.saturating_sub(keep_min))
            } else {
                avail
                    .saturating_sub(tg.warm_ip)
                    .min(total.saturating_sub(tg.min_ip))
            }
        } else if self.prefix {
            self.free_pfx.saturating_sub(tg.warm_prefix)
        } else {
            0
        }
    }

    /// Whether the shrink step would find a slot to release (see [`Node::slot_unassigned`]).
    fn has_unassigned_slot(&self) -> bool {
        (0..self.slots.len()).any(|si| self.slot_unassigned(si))
    }

    /// A live, usable slot with no address assigned to a pod: addresses in cooldown do not keep it
    /// (datastore `FindFreeableCidrs` takes every CIDR whose `AssignedIPAddressesInCidr` is 0, and
    /// `DelIPv4CidrFromStore` without force refuses only an assigned address).
    fn slot_unassigned(&self, si: usize) -> bool {
        let s = &self.slots[si];
        s.live
            && s.ready
            && if self.prefix {
                s.used == 0
            } else {
                self.state(si as u32) != AddrState::Used
            }
    }

    /// `decreaseDatastorePool` -> `tryUnassignCidrsFromAll`: walk the ENI map (`GetENIInfos`) and, per ENI,
    /// its CIDRs without an assigned address in the order of its CIDR map (`FindFreeableCidrs`), releasing
    /// them until `over` are gone (`datastoreTargetState`, or `computeExtraPrefixesOverWarmTarget`). Cooling
    /// addresses go with their CIDR (aws/amazon-vpc-cni-k8s#2896): they were counted as available, and now
    /// they are no longer there for the pods waiting for them.
    fn shrink(
        &mut self,
        tg: &Targets,
        allocs: &mut [SubnetAllocator],
        rng: &mut ChaCha8Rng,
    ) -> bool {
        let mut over = self.over(tg);
        if over == 0 {
            return false;
        }
        let mut done = false;
        let enis: Vec<u8> = self
            .eni_ring
            .walk(rng)
            .map(|pos| self.eni_at[pos as usize])
            .filter(|&w| w != TRUNK_AT && w != NO_ENI)
            .collect();
        for ei in enis {
            let e = &self.enis[ei as usize];
            let freeable: Vec<u32> = e
                .ring
                .walk(rng)
                .map(|pos| u32::from(e.slot_at[pos as usize]))
                .filter(|&si| self.slot_unassigned(si as usize))
                .collect();
            for si in freeable.into_iter().take(over as usize) {
                self.release_slot(si as usize, allocs);
                over -= 1;
                done = true;
            }
            if over == 0 {
                break;
            }
        }
        if done {
            // the cooldowns of released addresses are void
            let cells = &self.cells;
            self.cooling
                .retain(|&(_, a)| cell_state(cells[a as usize]) == AddrState::Cooling);
        }
        done
    }

    fn release_slot(&mut self, si: usize, allocs: &mut [SubnetAllocator]) {
        let u = self.u;
        let (eni, base, ready) = {
            let s = &self.slots[si];
            (s.eni, s.base, s.ready)
        };
        let sub = self.enis[eni as usize].subnet as usize;
        if self.prefix {
            let net = Ipv4Net::new(Ipv4Addr::from(base), 28).expect("a /28");
            allocs[sub].release_prefix(net).expect("held prefix");
        } else {
            allocs[sub]
                .release_single(Ipv4Addr::from(base))
                .expect("held address");
        }
        for k in 0..u {
            let a = si as u32 * u + k;
            if self.state(a) == AddrState::Free {
                self.remove_free(a);
            }
            self.set_state(a, AddrState::Dead);
        }
        if ready {
            self.total_slots -= 1;
            if self.prefix {
                self.free_pfx -= 1;
            }
        }
        self.slots[si].live = false;
        // (out of the ENI's CIDR map: `DelIPv4CidrFromStore`)
        let pos = self.slots[si].pos;
        let e = &mut self.enis[eni as usize];
        debug_assert_eq!(
            e.usable & (1u64 << pos),
            0,
            "a released slot has no free address"
        );
        e.ring.remove(pos);
        e.slot_at[pos as usize] = NO_SLOT;
        e.slots -= 1;
        self.dead_slots.push(si as u32);
    }

    /// `tryFreeENI`: delete one empty ENI that is not needed for the warm targets.
    fn try_free_eni(&mut self, t: u32, tg: &Targets, allocs: &mut [SubnetAllocator]) -> bool {
        let total = self.total();
        let assigned = self.assigned();
        let avail = total - assigned;
        let guard = tg.ip_targets || self.prefix || avail >= (tg.warm_eni + 1) * self.s * self.u;
        if !guard {
            return false;
        }
        let cand = self.enis.iter().enumerate().find_map(|(ei, e)| {
            if e.is_primary || t < e.created_at + MIN_ENI_LIFETIME_SECONDS {
                return None;
            }
            // no pods, nothing cooling
            if self.eni_busy(ei) > 0 {
                return None;
            }
            let left = total - e.slots * self.u;
            let pfx_left = if self.prefix {
                self.free_pfx - e.slots
            } else {
                0
            };
            let (low, _) = self.low_with(tg, left, assigned);
            let needed_pfx = self.prefix && !tg.ip_targets && pfx_left < tg.warm_prefix;
            (!low && !needed_pfx).then_some(ei)
        });
        let Some(ei) = cand else {
            return false;
        };
        let idx: Vec<usize> = (0..self.slots.len())
            .filter(|&si| self.slots[si].live && self.slots[si].eni as usize == ei)
            .collect();
        for si in idx {
            self.release_slot(si, allocs);
        }
        // (out of the ENI map: `RemoveUnusedENIFromStore`)
        let pos = self.enis[ei].pos;
        debug_assert_eq!(self.eni_usable & (1u64 << pos), 0);
        self.eni_ring.remove(pos);
        self.eni_at[pos as usize] = NO_ENI;
        let e = self.enis.remove(ei);
        self.renumber_slots(ei);
        allocs[e.subnet as usize]
            .release_single(Ipv4Addr::from(e.primary))
            .expect("held ENI primary");
        true
    }
}

enum Grow {
    Done,
    NoRoom,
    /// At least one EC2 call failed and nothing was added; `backoff`: ipamd starts its 120 s back-off.
    Failed {
        backoff: bool,
    },
}

#[cfg(test)]
mod tests {
    use rand::{Rng, RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{Lifecycle, Node, NodeSpec, below};

    fn spec(pod_room: u32) -> NodeSpec {
        NodeSpec {
            group: 0,
            subnet: 0,
            eni_subnet: 0,
            prefix: false,
            custom: false,
            slots_per_eni: 9,
            eni_limit: 3,
            max_pods: 29,
            pod_room,
            branch_quota: 0,
            order: crate::plan::PodAddressOrder::Random,
        }
    }

    /// Launching until `ready_at` (no pods placed), then ready while below the pod room, then terminated for
    /// good; termination hands back the node's primary address.
    #[test]
    fn lifecycle_launching_ready_terminated() {
        let mut n = Node::new(spec(1), 100, 160, 0x0A00_0004);
        assert_eq!(n.life, Lifecycle::Launching { ready_at: 160 });
        assert!(n.is_live());
        assert!(!n.schedulable(159));
        assert_eq!(n.life, Lifecycle::Launching { ready_at: 160 });
        assert!(n.schedulable(160));
        assert_eq!(n.life, Lifecycle::Ready);
        // one waiting pod fills a pod room of 1 (the node has no address yet)
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert_eq!(
            n.add_pod(160, crate::plan::PodAddressOrder::Random, &mut rng),
            None
        );
        assert!(!n.schedulable(161));
        assert_eq!(n.evict_all(), 1);
        assert!(n.schedulable(161));
        let (singles, prefixes) = n.drain_resources();
        assert_eq!((singles, prefixes), (vec![(0, 0x0A00_0004)], vec![]));
        assert_eq!(n.life, Lifecycle::Terminated);
        assert!(!n.is_live() && !n.schedulable(1_000));
    }

    /// `below` is `random_range(0..n)` inlined: the same values and the same numbers drawn, for small and
    /// large ranges (those near 2^32 often take the second draw) and one past `u32`.
    #[test]
    fn below_matches_random_range() {
        let ns = [
            1usize,
            2,
            3,
            7,
            100,
            145,
            5_000,
            1 << 31,
            3_000_000_001,
            u32::MAX as usize,
            u32::MAX as usize + 1,
            1 << 40,
        ];
        for seed in 0..4u64 {
            let mut a = ChaCha8Rng::seed_from_u64(seed);
            let mut b = ChaCha8Rng::seed_from_u64(seed);
            for &n in &ns {
                for _ in 0..2_000 {
                    let x = below(&mut a, n);
                    assert!(x < n);
                    assert_eq!(x, b.random_range(0..n), "n = {n}, seed {seed}");
                }
            }
            assert_eq!(
                a.next_u64(),
                b.next_u64(),
                "same numbers drawn, seed {seed}"
            );
        }
    }
}

/// Which address a pod gets under [`PodAddressOrder::Ipamd`] (docs/model.md, "Which address a pod gets").
#[cfg(test)]
mod ipamd_order {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::{Node, NodeSpec, Ring, Targets, TickOut};
    use crate::alloc::{Placement, SubnetAllocator};
    use crate::plan::PodAddressOrder;

    /// golang/go `src/internal/runtime/maps`: a small map puts a new entry in its lowest empty slot
    /// (`putSlotSmall`: `matchEmptyOrDeleted().first()`), and a walk from slot `r` visits `(i + r) % 8` for
    /// `i = 0..8` (`Iter.Next`, small-map branch). With entries in slots 0 and 1, walks from r = 0 and r = 2..7
    /// meet slot 0 first, the walk from r = 1 meets slot 1: 7 of 8 start points favour the first entry.
    #[test]
    fn small_map_slots_and_walk_start() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut ring = Ring::new();
        assert_eq!(
            (ring.put(&mut rng), ring.put(&mut rng), ring.put(&mut rng)),
            (0, 1, 2)
        );
        ring.remove(1);
        // a deleted entry's slot is the lowest empty one again
        assert_eq!(ring.put(&mut rng), 1);
        let two = 0b11;
        let firsts: Vec<u8> = (0..8).map(|r| Ring::first_from(8, two, r)).collect();
        assert_eq!(firsts, [0, 1, 0, 0, 0, 0, 0, 0]);
        // three ENIs (slots 0, 1, 2): the first from 6 of the 8 start points, the others from 1 each
        let three = 0b111;
        let firsts: Vec<u8> = (0..8).map(|r| Ring::first_from(8, three, r)).collect();
        assert_eq!(firsts, [0, 1, 2, 0, 0, 0, 0, 0]);
        // only slot 2 usable: every start point ends there
        assert!((0..8).all(|r| Ring::first_from(8, 0b100, r) == 2));
    }

    /// `growToTable`: the 9th entry makes a table of 16 slots (`2 * abi.SwissMapGroupSlots`); it doubles
    /// when more than 7/8 would be used (`maxAvgGroupLoad` = 7 of 8 slots per group): 16 holds 14, 32 holds
    /// 28, 64 holds 56 (an ENI holds at most 49 slots).
    #[test]
    fn table_growth_points() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut ring = Ring::new();
        let mut caps = Vec::new();
        for _ in 0..49 {
            if ring.must_grow() {
                let old = ring.len();
                ring = ring.grown();
                for _ in 0..old {
                    ring.put(&mut rng);
                }
                caps.push((old, ring.cap));
            }
            ring.put(&mut rng);
        }
        assert_eq!(caps, [(8, 16), (14, 32), (28, 64)]);
        assert_eq!(ring.len(), 49);
    }

    fn prefix_node() -> Node {
        let spec = NodeSpec {
            group: 0,
            subnet: 0,
            eni_subnet: 0,
            prefix: true,
            custom: false,
            slots_per_eni: 9,
            eni_limit: 3,
            max_pods: 110,
            pod_room: 108,
            branch_quota: 0,
            order: PodAddressOrder::Ipamd,
        };
        Node::new(spec, 0, 0, 0x0A00_0004)
    }

    /// One ENI with two /28 prefixes, one pod: `AssignPodIPv4Address` walks the ENI's CIDR map from a random
    /// slot and takes the first CIDR with a free address. The prefixes sit in slots 0 and 1 (added in that
    /// order, `AddIPv4CidrToStore`), so by `small_map_slots_and_walk_start` the pod lands in the first prefix
    /// with probability 7/8 (uniform offset, `Iter.Init`: `rand()`), in the second with 1/8. Over 8,000 seeds:
    /// 7,000 expected, standard deviation sqrt(8000 * 7/8 * 1/8) = 29.6; the bound is 5 of them.
    #[test]
    fn a_pod_lands_in_the_first_prefix_seven_times_in_eight() {
        let tg = Targets {
            warm_eni: 1,
            warm_ip: 0,
            min_ip: 0,
            warm_prefix: 2,
            ip_targets: false,
        };
        let mut first = 0u32;
        let n = 8_000u64;
        for seed in 0..n {
            let mut allocs = vec![
                SubnetAllocator::new("10.0.0.0/24".parse().unwrap(), &[], Placement::Lowest)
                    .unwrap(),
            ];
            let mut node = prefix_node();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut out = TickOut::default();
            // WARM_PREFIX_TARGET=2, no free prefix: one top-up of 2 - 0 = 2 prefixes on the primary ENI
            // (`getPrefixesNeeded`, `tryAssignPrefixes`)
            node.tick(
                0,
                &tg,
                &mut allocs,
                &[],
                PodAddressOrder::Ipamd,
                &mut rng,
                &mut out,
            );
            assert_eq!((node.live_enis(), node.total_slots()), (1, 2));
            assert_eq!(node.add_pod(0, PodAddressOrder::Ipamd, &mut rng), Some(0));
            let a = node.running[0];
            // addresses 0..16 are slot 0's (the first prefix added), 16..32 slot 1's
            if node.slot_of(a) == 0 {
                first += 1;
                // and in it the lowest address (`getUnusedIP`: the first address of the /28 not in use)
                assert_eq!(a, 0);
            } else {
                assert_eq!(a, 16);
            }
        }
        assert!(
            (6_850..=7_150).contains(&first),
            "{first} of {n} in the first prefix"
        );
    }
}
