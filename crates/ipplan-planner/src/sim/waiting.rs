//! A node's pods waiting for an address ([`WaitQueue`]): in arrival order (a deleted pod is the newest
//! waiting one; the report reads their arrival times), and by the time of their next sandbox retry (the loop
//! serves the earliest due retry first, ties to the earliest arrival). Both orders are kept (a list in arrival
//! order and a heap of retries, its stale entries dropped when met), so that finding the next retry costs
//! O(log n) in the pods waiting on the node, not a scan of them: a node with hundreds of pods waiting is visited
//! every tick, and each retry would otherwise scan the rest.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A pod waiting for an address: since when (s), and when the kubelet tries its sandbox again (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub since: u32,
    pub retry_ms: u32,
}

/// The waiting pods of one node (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct WaitQueue {
    /// `(arrival number, pod)` in arrival order (ascending numbers: a pod is found by binary search).
    pods: VecDeque<(u64, Waiter)>,
    /// `(retry_ms, arrival number)`, earliest first; an entry whose pod has left or retried since is stale and
    /// dropped when it comes up.
    retries: BinaryHeap<Reverse<(u32, u64)>>,
    next: u64,
}

impl WaitQueue {
    /// A pod starts waiting.
    pub(crate) fn push_back(&mut self, w: Waiter) {
        let k = self.next;
        self.next += 1;
        self.pods.push_back((k, w));
        self.retries.push(Reverse((w.retry_ms, k)));
    }

    /// The newest waiting pod leaves.
    pub(crate) fn pop_back(&mut self) -> Option<Waiter> {
        let (_, w) = self.pods.pop_back()?;
        self.compact();
        Some(w)
    }

    /// Pods waiting.
    pub(crate) fn len(&self) -> usize {
        self.pods.len()
    }

    /// Every pod leaves.
    pub(crate) fn clear(&mut self) {
        self.pods.clear();
        self.retries.clear();
    }

    /// The waiting pods in arrival order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Waiter> + '_ {
        self.pods.iter().map(|(_, w)| w)
    }

    fn position(&self, key: u64) -> Option<usize> {
        self.pods.binary_search_by_key(&key, |&(k, _)| k).ok()
    }

    /// The earliest retry, as `(retry_ms, key)` (ties to the earliest arrival).
    pub(crate) fn first_retry(&mut self) -> Option<(u32, u64)> {
        while let Some(&Reverse((r, k))) = self.retries.peek() {
            if self
                .position(k)
                .is_some_and(|i| self.pods[i].1.retry_ms == r)
            {
                return Some((r, k));
            }
            self.retries.pop();
        }
        None
    }

    /// Pod `key` (from [`WaitQueue::first_retry`]) got its address.
    pub(crate) fn remove(&mut self, key: u64) -> Option<Waiter> {
        let i = self.position(key)?;
        let (_, w) = self.pods.remove(i)?;
        self.compact();
        Some(w)
    }

    /// Pod `key`'s retry found no address: it tries again `after_ms` later.
    pub(crate) fn retry_later(&mut self, key: u64, after_ms: u32) {
        if let Some(i) = self.position(key) {
            let w = &mut self.pods[i].1;
            w.retry_ms += after_ms;
            let r = w.retry_ms;
            self.retries.push(Reverse((r, key)));
            self.compact();
        }
    }

    /// Rebuilds the retry heap once stale entries outnumber the pods (amortised over the pushes since).
    fn compact(&mut self) {
        if self.retries.len() > 2 * self.pods.len() + 16 {
            self.retries = self
                .pods
                .iter()
                .map(|&(k, w)| Reverse((w.retry_ms, k)))
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
