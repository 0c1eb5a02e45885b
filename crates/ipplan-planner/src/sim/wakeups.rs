//! Which nodes are due at which tick.
//!
//! A node needs a visit on a tick when one of its ipamd timers has run out (cooldown expiry, ENI attach,
//! back-off, shrink interval, ENI minimum age: the wake-up its last tick computed) or when something happened to
//! it (a pod placed or deleted: it is woken at once). [`Wakeups`] keeps each live node's next wake-up in a timing
//! wheel of one-second slots, in the spirit of tokio's timer wheel (`tokio/src/runtime/time/wheel`): a slot is the
//! set of nodes waking at that second, a node is in exactly the slot of its wake-up (moving it is two bit flips),
//! and a tick ORs the slots it passed into the tick's visit set. A tick so touches the nodes due then and a few
//! words per slot, not the idle nodes, not the terminated ones.
//!
//! Nodes come out in a [`NodeSet`], which hands them out in ascending id (launch) order: the order the simulation
//! visits nodes in, on which its random draws, and so its results, depend.

/// No wake-up: the node needs no tick until something happens to it.
pub(crate) const NEVER: u32 = u32::MAX;

/// Wheel slots, one per second: the horizon past which a wake-up waits in the overflow list. A node's tick
/// sets its wake-up at most ipamd's longest timer ahead, the 120 s back-off (`INSUFFICIENT_CIDR_BACKOFF_SECONDS`),
/// so those always land in a slot.
const SLOTS: u32 = 128;
const SLOT_MASK: u32 = SLOTS - 1;

/// A set of node ids: a bitset and the range of its words that may be non-zero. Drained in ascending order.
#[derive(Debug, Clone)]
pub(crate) struct NodeSet {
    words: Vec<u64>,
    /// Words below `lo` and from `hi` on are zero (`lo > hi` when nothing was added since the last drain).
    lo: usize,
    hi: usize,
}

impl Default for NodeSet {
    fn default() -> Self {
        Self {
            words: Vec::new(),
            lo: usize::MAX,
            hi: 0,
        }
    }
}

impl NodeSet {
    /// Adds `id`.
    #[inline]
    pub(crate) fn insert(&mut self, id: u32) {
        let w = (id / 64) as usize;
        let Some(word) = self.words.get_mut(w) else {
            return self.insert_growing(id);
        };
        *word |= 1 << (id % 64);
        self.lo = self.lo.min(w);
        self.hi = self.hi.max(w + 1);
    }

    /// Lets [`NodeSet::insert_covered`] add any id of `first..=last` (until the next drain).
    pub(crate) fn cover(&mut self, first: u32, last: u32) {
        let (lo, hi) = ((first / 64) as usize, (last / 64) as usize + 1);
        if hi > self.words.len() {
            self.words.resize(hi, 0);
        }
        self.lo = self.lo.min(lo);
        self.hi = self.hi.max(hi);
    }

    /// Adds `id`, which lies in a range given to [`NodeSet::cover`] since the last drain (one bit set: for a
    /// loop that marks many ids of a known range).
    #[inline]
    pub(crate) fn insert_covered(&mut self, id: u32) {
        let w = (id / 64) as usize;
        debug_assert!(
            self.lo <= w && w < self.hi,
            "id {id} outside the covered range"
        );
        if let Some(word) = self.words.get_mut(w) {
            *word |= 1 << (id % 64);
        }
    }

    /// [`NodeSet::insert`] past the words held so far.
    #[cold]
    fn insert_growing(&mut self, id: u32) {
        // (room for a few more launches at once)
        self.words.resize((id / 64) as usize + 16, 0);
        self.insert(id);
    }

    /// Whether `id` is in the set.
    #[inline]
    fn contains(&self, id: u32) -> bool {
        self.words
            .get((id / 64) as usize)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// Every id, ascending.
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (self.lo..self.hi).flat_map(move |w| {
            let mut bits = self.words[w];
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros();
                bits &= bits - 1;
                Some(w as u32 * 64 + b)
            })
        })
    }

    /// Empties the set (its words are zero already).
    #[inline]
    fn reset(&mut self) {
        (self.lo, self.hi) = (usize::MAX, 0);
    }

    /// Moves the ids of `words` (bitset words `lo..lo + words.len()`) into this set, zeroing `words`.
    #[inline]
    fn take_words(&mut self, lo: usize, words: &mut [u64]) {
        let hi = lo + words.len();
        if hi > self.words.len() {
            self.words.resize(hi, 0);
        }
        self.lo = self.lo.min(lo);
        self.hi = self.hi.max(hi);
        for (dst, src) in self.words[lo..hi].iter_mut().zip(words) {
            *dst |= std::mem::take(src);
        }
    }

    /// Calls `f` with every id, ascending, and empties the set.
    #[inline]
    fn drain_each(&mut self, mut f: impl FnMut(u32)) {
        for w in self.lo..self.hi {
            let mut bits = std::mem::take(&mut self.words[w]);
            while bits != 0 {
                f(w as u32 * 64 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        self.reset();
    }

    /// Appends every id to `out`, ascending, and empties the set.
    pub(crate) fn drain_into(&mut self, out: &mut Vec<u32>) {
        self.drain_each(|id| out.push(id));
    }
}

/// The wheel's slots in one allocation: slot `s` is the bitset `words[s * stride..(s + 1) * stride]` of the
/// nodes waking in it, with the range `lo[s]..hi[s]` of its words that may be non-zero.
#[derive(Debug, Clone)]
struct Slots {
    words: Vec<u64>,
    /// Words per slot: room for node ids `0..64 * stride`.
    stride: usize,
    lo: [u32; SLOTS as usize],
    hi: [u32; SLOTS as usize],
}

impl Slots {
    fn new() -> Self {
        Self {
            words: Vec::new(),
            stride: 0,
            lo: [u32::MAX; SLOTS as usize],
            hi: [0; SLOTS as usize],
        }
    }

    /// Puts `node` in slot `s`.
    #[inline]
    fn insert(&mut self, s: usize, node: u32) {
        let w = (node / 64) as usize;
        if w >= self.stride {
            self.widen(w + 1);
        }
        self.words[s * self.stride + w] |= 1 << (node % 64);
        self.lo[s] = self.lo[s].min(w as u32);
        self.hi[s] = self.hi[s].max(w as u32 + 1);
    }

    /// Room for `stride` words per slot (at least doubling, so that launches cost amortised O(1)).
    #[cold]
    fn widen(&mut self, stride: usize) {
        let new = stride.max(2 * self.stride);
        let mut words = vec![0; SLOTS as usize * new];
        if self.stride > 0 {
            for s in 0..SLOTS as usize {
                words[s * new..s * new + self.stride]
                    .copy_from_slice(&self.words[s * self.stride..(s + 1) * self.stride]);
            }
        }
        (self.words, self.stride) = (words, new);
    }

    /// Takes `node` out of slot `s` (if it is in).
    #[inline]
    fn remove(&mut self, s: usize, node: u32) {
        let w = (node / 64) as usize;
        if w < self.stride {
            self.words[s * self.stride + w] &= !(1 << (node % 64));
        }
    }

    /// The words of slot `s` that may be non-zero, and the index of the first.
    #[inline]
    fn range(&self, s: usize) -> (usize, std::ops::Range<usize>) {
        let (lo, hi) = (self.lo[s] as usize, self.hi[s] as usize);
        if lo >= hi {
            return (0, 0..0);
        }
        (lo, s * self.stride + lo..s * self.stride + hi)
    }

    /// Whether slot `s` holds no node.
    fn is_empty(&self, s: usize) -> bool {
        let (_, r) = self.range(s);
        self.words[r].iter().all(|&w| w == 0)
    }

    /// Moves the nodes of slot `s` into `into`, emptying it.
    #[inline]
    fn take_into(&mut self, s: usize, into: &mut NodeSet) {
        let (lo, r) = self.range(s);
        into.take_words(lo, &mut self.words[r]);
        self.clear(s);
    }

    /// Marks slot `s` empty (its words are zero).
    #[inline]
    fn clear(&mut self, s: usize) {
        (self.lo[s], self.hi[s]) = (u32::MAX, 0);
    }
}

/// Each node's next wake-up and the nodes due at a tick (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Wakeups {
    /// Per node id: its pending wake-up, [`NEVER`] for none (or terminated).
    due: Vec<u32>,
    /// Nodes with a wake-up before `cursor`: due at the next [`Wakeups::take_due`] (a node whose wake-up has
    /// moved since is dropped there).
    ready: NodeSet,
    /// Slot `w % SLOTS`: the nodes waking at `w`, for `cursor <= w < cursor + SLOTS`.
    slots: Slots,
    /// Bit `s`: slot `s` may hold a node (set by an insert, cleared when the slot is drained or found empty).
    occupied: u128,
    /// `(w, node)` for wake-ups at `cursor + SLOTS` or later (an entry whose node has moved since is dropped
    /// when met).
    later: Vec<(u32, u32)>,
    /// The smallest wake-up in `later` ([`NEVER`] when empty).
    later_min: u32,
    /// Every wake-up before this has been moved to `ready` or taken.
    cursor: u32,
}

impl Wakeups {
    /// No node yet.
    pub(crate) fn new() -> Self {
        Self {
            due: Vec::new(),
            ready: NodeSet::default(),
            slots: Slots::new(),
            occupied: 0,
            later: Vec::new(),
            later_min: NEVER,
            cursor: 0,
        }
    }

    /// Node `node`'s pending wake-up ([`NEVER`] for none).
    #[inline]
    pub(crate) fn due(&self, node: u32) -> u32 {
        self.due.get(node as usize).copied().unwrap_or(NEVER)
    }

    /// Whether node `node` is due at `t` (its wake-up is `t` or earlier).
    #[inline]
    pub(crate) fn is_due(&self, node: u32, t: u32) -> bool {
        self.due(node) <= t
    }

    /// Whether `w` lies in the wheel's slots (`cursor <= w < cursor + SLOTS`, in one comparison).
    #[inline]
    const fn in_wheel(&self, w: u32) -> bool {
        w.wrapping_sub(self.cursor) < SLOTS
    }

    /// Node `node`'s next wake-up is `wake` ([`NEVER`]: none), replacing any other. A wake-up before the last
    /// tick taken makes the node due at the next one.
    #[inline(always)]
    pub(crate) fn set(&mut self, node: u32, wake: u32) {
        let Some(&old) = self.due.get(node as usize) else {
            return self.set_new(node, wake);
        };
        if old == wake && wake >= self.cursor {
            // (already pending where it belongs: nothing moves)
            return;
        }
        if self.in_wheel(old) {
            self.slots.remove((old & SLOT_MASK) as usize, node);
        }
        self.due[node as usize] = wake;
        if self.in_wheel(wake) {
            self.slot_insert(wake, node);
        } else {
            self.file_outside(node, wake);
        }
    }

    /// Puts `node` in the slot of `w` (which lies in the wheel).
    #[inline]
    fn slot_insert(&mut self, w: u32, node: u32) {
        let s = w & SLOT_MASK;
        self.slots.insert(s as usize, node);
        self.occupied |= 1 << s;
    }

    /// [`Wakeups::set`] for a node id not seen before.
    #[cold]
    fn set_new(&mut self, node: u32, wake: u32) {
        self.due.resize(node as usize + 1, NEVER);
        self.set(node, wake);
    }

    /// Files a wake-up outside the wheel's slots: none, passed, or past the horizon.
    #[cold]
    fn file_outside(&mut self, node: u32, wake: u32) {
        if wake == NEVER {
        } else if wake < self.cursor {
            self.ready.insert(node);
        } else {
            self.later.push((wake, node));
            self.later_min = self.later_min.min(wake);
        }
    }

    /// Node `node` must be visited at `t` at the latest (something happened to it at `t`).
    #[inline]
    pub(crate) fn wake_by(&mut self, node: u32, t: u32) {
        let d = self.due(node);
        // (a wake-up before the cursor is pending in `ready`, or was taken and so is no more)
        let pending = d != NEVER && (d >= self.cursor || self.ready.contains(node));
        if t < d || !pending {
            self.set(node, t);
        }
    }

    /// Node `node` is gone: no wake-up, ever.
    pub(crate) fn cancel(&mut self, node: u32) {
        if (node as usize) < self.due.len() {
            self.set(node, NEVER);
        }
    }

    /// Adds to `into` every node due at `t` (its wake-up is `t` or earlier), each once, and consumes those
    /// wake-ups: each node taken needs a [`Wakeups::set`] (its tick's next wake-up) to wake again, and until then
    /// [`Wakeups::is_due`] still says it is due at `t`. `t` is not before the last tick taken.
    pub(crate) fn take_due(&mut self, t: u32, into: &mut NodeSet) {
        if t >= self.cursor {
            // the occupied slots of cursor..=t, each once (all of them when the jump is a whole turn or more)
            let span = (t - self.cursor).saturating_add(1);
            let passed = if span >= SLOTS {
                u128::MAX
            } else {
                ((1u128 << span) - 1).rotate_left(self.cursor & SLOT_MASK)
            };
            let mut hit = self.occupied & passed;
            self.occupied &= !passed;
            while hit != 0 {
                let s = hit.trailing_zeros();
                hit &= hit - 1;
                self.slots.take_into(s as usize, into);
            }
            self.cursor = t + 1;
            if self.later_min < self.cursor.saturating_add(SLOTS) {
                self.refile_later(into);
            }
        }
        if self.ready.lo < self.ready.hi {
            let due = &self.due;
            self.ready.drain_each(|node| {
                // (a node woken and then moved later waits in its slot)
                if due[node as usize] <= t {
                    into.insert(node);
                }
            });
        }
    }

    /// Moves the overflow wake-ups that are now within the wheel's horizon into their slots (or, when already
    /// passed, into `into`), dropping those whose node has moved.
    fn refile_later(&mut self, into: &mut NodeSet) {
        let later = std::mem::take(&mut self.later);
        self.later_min = NEVER;
        for (w, node) in later {
            if self.due[node as usize] != w {
                continue;
            }
            if w < self.cursor {
                into.insert(node);
            } else if self.in_wheel(w) {
                self.slot_insert(w, node);
            } else {
                self.later.push((w, node));
                self.later_min = self.later_min.min(w);
            }
        }
    }

    /// The earliest pending wake-up of any node (`None`: no node will wake by itself). It may lie before the
    /// last tick taken: the node is then due at the next one.
    pub(crate) fn next_due(&mut self) -> Option<u32> {
        let mut next = NEVER;
        for node in self.ready.iter() {
            next = next.min(self.due[node as usize]);
        }
        // the occupied slots from the cursor on, in time order: the first that really holds a node
        let mut ahead = self.occupied.rotate_right(self.cursor & SLOT_MASK);
        while ahead != 0 {
            let w = self.cursor.wrapping_add(ahead.trailing_zeros());
            if w >= next {
                break;
            }
            let s = w & SLOT_MASK;
            if !self.slots.is_empty(s as usize) {
                next = w;
                break;
            }
            // (its nodes all moved away)
            self.slots.clear(s as usize);
            self.occupied &= !(1 << s);
            ahead &= ahead - 1;
        }
        if self.later_min < next {
            let due = &self.due;
            self.later.retain(|&(e, node)| due[node as usize] == e);
            self.later_min = self.later.iter().map(|&(e, _)| e).min().unwrap_or(NEVER);
            next = next.min(self.later_min);
        }
        (next != NEVER).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{NEVER, NodeSet, SLOTS, Wakeups};

    fn take(w: &mut Wakeups, t: u32) -> Vec<u32> {
        let mut set = NodeSet::default();
        w.take_due(t, &mut set);
        let mut out = Vec::new();
        set.drain_into(&mut out);
        out
    }

    #[test]
    fn node_set_drains_ascending_once() {
        let mut s = NodeSet::default();
        assert_eq!(s.iter().next(), None);
        for id in [700, 3, 64, 63, 3, 129] {
            s.insert(id);
        }
        assert!(s.contains(64) && !s.contains(65) && !s.contains(100_000));
        assert_eq!(s.iter().collect::<Vec<_>>(), [3, 63, 64, 129, 700]);
        let mut out = vec![1];
        s.drain_into(&mut out);
        assert_eq!(out, [1, 3, 63, 64, 129, 700]);
        assert_eq!(s.iter().next(), None);
        s.insert(5);
        out.clear();
        s.drain_into(&mut out);
        assert_eq!(out, [5]);
    }

    #[test]
    fn due_nodes_come_out_at_their_tick_in_id_order() {
        let mut w = Wakeups::new();
        w.set(4, 10);
        w.set(1, 12);
        w.set(2, 7);
        w.set(3, NEVER);
        assert_eq!(w.next_due(), Some(7));
        assert_eq!(take(&mut w, 5), Vec::<u32>::new());
        // a tick at 10 takes everything due at 10 or before, by id
        assert_eq!(take(&mut w, 10), [2, 4]);
        assert!(w.is_due(2, 10) && !w.is_due(1, 10));
        // the taken ones are rescheduled by their tick; node 2 moves to 15, node 4 to nothing
        w.set(2, 15);
        w.set(4, NEVER);
        assert_eq!(w.next_due(), Some(12));
        assert_eq!(take(&mut w, 15), [1, 2]);
        assert!(w.is_due(1, 15) && w.is_due(2, 15));
        assert_eq!(w.next_due(), None, "taken wake-ups are consumed");
        // woken again before its tick set anything: due at the next tick
        w.wake_by(1, 15);
        assert_eq!(w.next_due(), Some(15));
        assert_eq!(take(&mut w, 20), [1]);
        w.set(1, NEVER);
        w.set(2, NEVER);
        assert_eq!(w.next_due(), None);
        assert_eq!(take(&mut w, 1_000), Vec::<u32>::new());
    }

    #[test]
    fn moved_and_cancelled_wakeups_do_not_fire() {
        let mut w = Wakeups::new();
        w.set(0, 20);
        w.set(1, 20);
        w.set(0, 40); // moved later: the entry at 20 is stale
        w.cancel(1);
        assert_eq!(w.next_due(), Some(40));
        assert_eq!(take(&mut w, 30), Vec::<u32>::new());
        assert_eq!(take(&mut w, 40), [0]);
    }

    #[test]
    fn wake_by_only_brings_a_wakeup_forward() {
        let mut w = Wakeups::new();
        w.set(0, 50);
        w.wake_by(0, 20);
        assert_eq!(w.due(0), 20);
        w.wake_by(0, 30);
        assert_eq!(w.due(0), 20);
        assert_eq!(take(&mut w, 20), [0]);
        // after the tick at 20: woken at 20 again (after the take) means due at the next tick
        w.set(0, NEVER);
        w.wake_by(0, 20);
        assert_eq!(w.next_due(), Some(20));
        assert_eq!(take(&mut w, 25), [0]);
    }

    /// A wake-up set to a time already passed (a timer that ran out while the node was busy) is due at the next
    /// tick, even when it equals the wake-up just taken.
    #[test]
    fn a_passed_wakeup_is_due_at_the_next_tick() {
        let mut w = Wakeups::new();
        w.set(7, 37);
        assert_eq!(take(&mut w, 40), [7]);
        w.set(7, 37);
        assert_eq!(w.next_due(), Some(37));
        assert_eq!(take(&mut w, 45), [7]);
    }

    /// Wake-ups past the wheel's horizon and ticks that jump more than a turn.
    #[test]
    fn far_wakeups_and_long_jumps() {
        let mut w = Wakeups::new();
        w.set(0, 3 * SLOTS + 5);
        w.set(1, SLOTS - 1);
        w.set(2, 10);
        assert_eq!(w.next_due(), Some(10));
        assert_eq!(take(&mut w, 2 * SLOTS), [1, 2]);
        assert_eq!(w.next_due(), Some(3 * SLOTS + 5));
        assert_eq!(take(&mut w, 3 * SLOTS + 4), Vec::<u32>::new());
        assert_eq!(take(&mut w, 3 * SLOTS + 5), [0]);
        assert_eq!(w.next_due(), None);
    }

    /// Against a plain map of wake-ups, under random sets, wake-ups, cancels and ticks of random lengths (the
    /// simulation's use: take at `t`, then reschedule every node taken).
    #[test]
    fn matches_a_scan_of_every_node() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..40 {
            let nodes = 1 + rng.random_range(0..150u32);
            let mut w = Wakeups::new();
            let mut model: BTreeMap<u32, u32> = BTreeMap::new();
            let mut t = 0u32;
            for _ in 0..300 {
                for _ in 0..rng.random_range(0..20) {
                    let node = rng.random_range(0..nodes);
                    match rng.random_range(0..4) {
                        0 => {
                            w.cancel(node);
                            model.remove(&node);
                        }
                        1 => {
                            w.wake_by(node, t);
                            let d = model.entry(node).or_insert(NEVER);
                            *d = (*d).min(t);
                        }
                        _ => {
                            let wake = if rng.random_bool(0.05) {
                                t + rng.random_range(0..3 * SLOTS)
                            } else {
                                t.saturating_sub(3) + rng.random_range(0..130)
                            };
                            w.set(node, wake);
                            model.insert(node, wake);
                        }
                    }
                }
                let want_next = model.values().copied().min();
                assert_eq!(w.next_due(), want_next, "round {round} t {t}");
                let jump = if rng.random_bool(0.1) { 600 } else { 9 };
                t += 1 + rng.random_range(0..jump);
                let want: Vec<u32> = model
                    .iter()
                    .filter(|&(_, &d)| d <= t)
                    .map(|(&n, _)| n)
                    .collect();
                assert_eq!(take(&mut w, t), want, "round {round} t {t}");
                // taken wake-ups are consumed; most nodes taken get a new one (or none) at once, the others
                // stay without until an operation above sets or wakes them
                for &n in &want {
                    model.remove(&n);
                }
                for n in want {
                    if rng.random_bool(0.1) {
                        continue;
                    }
                    let wake = if rng.random_bool(0.2) {
                        NEVER
                    } else {
                        t.saturating_sub(2) + rng.random_range(0..125)
                    };
                    w.set(n, wake);
                    if wake == NEVER {
                        model.remove(&n);
                    } else {
                        model.insert(n, wake);
                    }
                }
            }
        }
    }
}
