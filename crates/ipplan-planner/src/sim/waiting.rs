//! A node's pods waiting for an address ([`WaitQueue`]): in arrival order (a deleted pod is the newest
//! waiting one; the report reads their arrival times), and by the time of their next sandbox retry (the loop
//! serves the earliest due retry first, ties to the earliest arrival). Both orders are kept (a list in arrival
//! order and a heap of retries, its stale entries dropped when met), so that finding the next retry costs
//! O(log n) in the pods waiting on the node, not a scan of them: a node with hundreds of pods waiting is visited
//! every tick, and each retry would otherwise scan the rest.
//!
//! A pod's arrival number is its place in the list plus the number of pods that left the front, so a pod is
//! found in O(1); a pod that got its address leaves a hole (the list keeps no holes at either end). The
//! earliest retry is remembered between calls, so a visit that finds nothing due reads neither the heap nor
//! the list (with thousands of nodes, neither is in cache).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A pod waiting for an address: since when (s), and when the kubelet tries its sandbox again (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub since: u32,
    pub retry_ms: u32,
}

/// What [`WaitQueue::first_retry`] would answer, if known.
#[derive(Debug, Clone, Copy, Default)]
enum First {
    /// Not known: ask the heap.
    #[default]
    Unknown,
    /// No pod waits.
    None,
    /// This `(retry_ms, arrival number)`.
    At(u32, u64),
}

/// The waiting pods of one node (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct WaitQueue {
    /// The pods in arrival order; the one with arrival number `k` is at `k - base` (`None`: it left). Neither
    /// end is `None`.
    pods: VecDeque<Option<Waiter>>,
    /// The arrival number of `pods[0]`.
    base: u64,
    /// Pods waiting (the `Some` in `pods`).
    live: usize,
    /// `(retry_ms, arrival number)`, earliest first; an entry whose pod has left or retried since is stale and
    /// dropped when it comes up. (An arrival number is reused once every pod after it left: a stale entry that
    /// then matches the new pod's retry equals that pod's own entry, so it changes nothing.)
    retries: BinaryHeap<Reverse<(u32, u64)>>,
    /// The answer of [`WaitQueue::first_retry`], kept while it stays true.
    first: First,
}

impl WaitQueue {
    /// A pod starts waiting.
    pub(crate) fn push_back(&mut self, w: Waiter) {
        let k = self.base + self.pods.len() as u64;
        self.pods.push_back(Some(w));
        self.live += 1;
        self.retries.push(Reverse((w.retry_ms, k)));
        self.first = match self.first {
            First::Unknown => First::Unknown,
            First::None => First::At(w.retry_ms, k),
            First::At(r, fk) => {
                if (w.retry_ms, k) < (r, fk) {
                    First::At(w.retry_ms, k)
                } else {
                    First::At(r, fk)
                }
            }
        };
    }

    /// The newest waiting pod leaves.
    pub(crate) fn pop_back(&mut self) -> Option<Waiter> {
        let w = self.pods.pop_back()??;
        let k = self.base + self.pods.len() as u64;
        self.live -= 1;
        self.forget(k);
        self.trim();
        self.compact();
        Some(w)
    }

    /// Pods waiting.
    pub(crate) const fn len(&self) -> usize {
        self.live
    }

    /// Every pod leaves.
    pub(crate) fn clear(&mut self) {
        self.base += self.pods.len() as u64;
        self.pods.clear();
        self.live = 0;
        self.retries.clear();
        self.first = First::None;
    }

    /// The waiting pods in arrival order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Waiter> + '_ {
        self.pods.iter().flatten()
    }

    /// The place of pod `key` in `pods`, if it still waits.
    fn position(&self, key: u64) -> Option<usize> {
        let i = usize::try_from(key.checked_sub(self.base)?).ok()?;
        self.pods.get(i)?.as_ref().map(|_| i)
    }

    /// Pod `key` changed or left: the remembered earliest retry may be wrong.
    fn forget(&mut self, key: u64) {
        if let First::At(_, k) = self.first
            && k == key
        {
            self.first = First::Unknown;
        }
    }

    /// Drop the holes at both ends of `pods`.
    fn trim(&mut self) {
        while matches!(self.pods.back(), Some(None)) {
            self.pods.pop_back();
        }
        while matches!(self.pods.front(), Some(None)) {
            self.pods.pop_front();
            self.base += 1;
        }
    }

    /// The earliest retry, as `(retry_ms, key)` (ties to the earliest arrival).
    pub(crate) fn first_retry(&mut self) -> Option<(u32, u64)> {
        match self.first {
            First::None => return None,
            First::At(r, k) => return Some((r, k)),
            First::Unknown => {}
        }
        while let Some(&Reverse((r, k))) = self.retries.peek() {
            if self
                .position(k)
                .is_some_and(|i| self.pods[i].is_some_and(|w| w.retry_ms == r))
            {
                self.first = First::At(r, k);
                return Some((r, k));
            }
            self.retries.pop();
        }
        self.first = First::None;
        None
    }

    /// Pod `key` (from [`WaitQueue::first_retry`]) got its address.
    pub(crate) fn remove(&mut self, key: u64) -> Option<Waiter> {
        let i = self.position(key)?;
        let w = self.pods[i].take()?;
        self.live -= 1;
        self.forget(key);
        self.trim();
        self.compact();
        Some(w)
    }

    /// Pod `key`'s retry found no address: it tries again `after_ms` later.
    pub(crate) fn retry_later(&mut self, key: u64, after_ms: u32) {
        if let Some(i) = self.position(key) {
            let w = self.pods[i].as_mut().expect("a waiting pod");
            w.retry_ms += after_ms;
            let r = w.retry_ms;
            self.retries.push(Reverse((r, key)));
            self.forget(key);
            self.compact();
        }
    }

    /// Rebuilds the retry heap once stale entries outnumber the pods (amortised over the pushes since).
    fn compact(&mut self) {
        if self.retries.len() > 2 * self.live + 16 {
            let base = self.base;
            self.retries = self
                .pods
                .iter()
                .enumerate()
                .filter_map(|(i, w)| w.map(|w| Reverse((w.retry_ms, base + i as u64))))
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{WaitQueue, Waiter};

    /// Against a plain list scanned as the loop used to (the due retry with the smallest `(retry_ms, position)`),
    /// under random arrivals, deletions of the newest, services and retries.
    #[test]
    fn matches_a_scanned_list() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut q = WaitQueue::default();
        let mut list: Vec<Waiter> = Vec::new();
        for step in 0..20_000u32 {
            match rng.random_range(0..4) {
                0 | 1 => {
                    let w = Waiter {
                        since: step,
                        retry_ms: rng.random_range(0..50u32),
                    };
                    q.push_back(w);
                    list.push(w);
                }
                2 => assert_eq!(q.pop_back(), list.pop()),
                _ => {
                    let want = list
                        .iter()
                        .enumerate()
                        .min_by_key(|(i, w)| (w.retry_ms, *i))
                        .map(|(i, w)| (w.retry_ms, i));
                    let got = q.first_retry();
                    assert_eq!(got.map(|g| g.0), want.map(|w| w.0), "step {step}");
                    if let (Some((_, key)), Some((_, i))) = (got, want) {
                        if rng.random_bool(0.5) {
                            assert_eq!(q.remove(key), Some(list.remove(i)));
                        } else {
                            q.retry_later(key, 7);
                            list[i].retry_ms += 7;
                        }
                    }
                }
            }
            assert_eq!(q.len(), list.len());
            assert!(q.iter().eq(list.iter()));
        }
        q.clear();
        assert!(q.len() == 0 && q.first_retry().is_none());
    }
}
