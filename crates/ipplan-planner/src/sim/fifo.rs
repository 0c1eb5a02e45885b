//! A first-in first-out queue on one `Vec` and a read index ([`Fifo`]): a node's addresses in cooldown. The
//! loop reads the oldest entry on every visit; here that is one compare and one load, where `VecDeque` first
//! maps the logical index onto its ring. Popped entries stay in the vector until it empties (then it is
//! cleared) or is full and at least half of it is popped (then the rest moves to the front): each entry moves
//! at most once per pop of as many others, so pushes and pops stay O(1) amortised.

/// A FIFO of `Copy` entries (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Fifo<T> {
    /// The entries from `head` on, oldest first (the ones before `head` are popped).
    buf: Vec<T>,
    head: usize,
}

impl<T: Copy> Fifo<T> {
    pub(crate) const fn new() -> Self {
        Self {
            buf: Vec::new(),
            head: 0,
        }
    }

    /// The oldest entry.
    #[inline]
    pub(crate) fn front(&self) -> Option<&T> {
        self.buf.get(self.head)
    }

    /// Take the oldest entry out.
    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let x = *self.buf.get(self.head)?;
        self.head += 1;
        if self.head == self.buf.len() {
            self.buf.clear();
            self.head = 0;
        }
        Some(x)
    }

    /// Add a newest entry.
    #[inline]
    pub(crate) fn push_back(&mut self, x: T) {
        if self.buf.len() == self.buf.capacity() && self.head * 2 >= self.buf.len() {
            self.compact();
        }
        self.buf.push(x);
    }

    /// Entries queued.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.head
    }

    /// Keep only the entries `keep` says yes to (in their order).
    pub(crate) fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.compact();
        self.buf.retain(keep);
    }

    /// The queued entries, oldest first.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.buf[self.head..].iter()
    }

    /// Drop the popped entries from the vector's front.
    fn compact(&mut self) {
        self.buf.drain(..self.head);
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::Fifo;

    /// Against `VecDeque` under random pushes, pops and retains (bursts of each, so the queue both empties
    /// and grows to hundreds of entries): the same entries in the same order after every step.
    #[test]
    fn matches_a_vecdeque() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut q = Fifo::new();
        let mut want = VecDeque::new();
        let mut next = 0u32;
        for step in 0..20_000u32 {
            let burst = rng.random_range(1..40u32);
            match rng.random_range(0..9u32) {
                0..=3 => {
                    for _ in 0..burst {
                        q.push_back(next);
                        want.push_back(next);
                        next += 1;
                    }
                }
                4..=7 => {
                    for _ in 0..burst {
                        assert_eq!(q.pop_front(), want.pop_front(), "step {step}");
                    }
                }
                _ => {
                    let m = rng.random_range(2..5u32);
                    q.retain(|&x| x % m != 0);
                    want.retain(|&x| x % m != 0);
                }
            }
            assert_eq!(q.len(), want.len());
            assert_eq!(q.front(), want.front());
            assert!(q.iter().eq(want.iter()), "step {step}");
        }
    }
}
