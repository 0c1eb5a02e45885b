//! How long a group's unscheduled pods have been held up: the time during which no node they may run on could
//! take them, because every live node is at its max pods (kube-scheduler's `NodeResourcesFit` filter rejects a
//! node with `Too many pods` once `len(nodeInfo.Pods()) + 1 > AllowedPodNumber`, the kubelet's `maxPods`;
//! kubernetes/kubernetes `pkg/scheduler/framework/plugins/noderesources/fit.go` `fitsRequest`), or because no node
//! could launch for want of an address. Time while a node is launching (the pods wait for it) or while a node
//! with room is about to take them does not count.
//!
//! The group's pending pods are a queue in arrival order (kube-scheduler pops the oldest first among equal
//! priorities). The group keeps a clock of held-up seconds; each queued pod remembers the clock when it arrived,
//! so a pod's held-up time is the clock now less that, whatever happened in between.

use std::collections::VecDeque;

/// Why a group's pending pods are held up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeldUp {
    /// Not held up: a node is launching, or one has room.
    No,
    /// Every live node is at its max pods.
    MaxPods,
    /// Nodes could not launch for want of an address (and no live node has room).
    NoNodeAddress,
}

/// One group's pending pods and their held-up time.
#[derive(Debug, Clone, Default)]
pub(crate) struct PendingClock {
    /// `(clock at arrival, pods)`, oldest first.
    queue: VecDeque<(u64, u64)>,
    /// The first this many entries are counted beyond the threshold already (the oldest have waited longest,
    /// so the counted ones are always a prefix).
    counted: usize,
    /// Pods in `queue`.
    len: u64,
    /// Held-up seconds so far.
    clock: u64,
    /// The state since the last [`PendingClock::advance`] and its time.
    state: Option<(u32, HeldUp)>,
    /// The longest held-up time of any pod so far.
    pub(crate) max_seconds: u64,
    /// Pods whose held-up time passed the threshold.
    pub(crate) beyond: u64,
}

/// What [`PendingClock::advance`] found: pods that passed the threshold just now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Passed {
    /// How many passed it now.
    pub pods: u64,
    /// Why they are held up.
    pub why: HeldUp,
    /// The longest held-up time among the pending pods, seconds.
    pub seconds: u64,
}

impl PendingClock {
    /// Bring the queue to `pending` pods: new ones join at the back; fewer means pods left the queue, the oldest
    /// first when `oldest` (the scheduler placed them) or the newest (a deploy deleted unscheduled pods: the
    /// ReplicaSet controller deletes the newest unscheduled pods first).
    pub(crate) fn sync(&mut self, pending: u64, oldest: bool) {
        if pending > self.len {
            let n = pending - self.len;
            let counted = self.counted;
            let len = self.queue.len();
            match self.queue.back_mut() {
                Some(b) if b.0 == self.clock && counted < len => b.1 += n,
                _ => self.queue.push_back((self.clock, n)),
            }
            self.len = pending;
            return;
        }
        let mut drop = self.len - pending;
        self.len = pending;
        while drop > 0 {
            let e = if oldest {
                self.queue.front_mut()
            } else {
                self.queue.back_mut()
            };
            let Some(e) = e else { break };
            let take = e.1.min(drop);
            e.1 -= take;
            drop -= take;
            if e.1 == 0 {
                if oldest {
                    self.queue.pop_front();
                    self.counted = self.counted.saturating_sub(1);
                } else {
                    self.queue.pop_back();
                    self.counted = self.counted.min(self.queue.len());
                }
            }
        }
    }

    /// At `t`, with the group's pods held up for `why` from now on: the clock runs for the time since the last
    /// call if the group was held up then; returns the pods that passed `threshold` seconds held up just now.
    pub(crate) fn advance(&mut self, t: u32, why: HeldUp, threshold: u32) -> Option<Passed> {
        if let Some((since, was)) = self.state
            && was != HeldUp::No
        {
            self.clock += u64::from(t.saturating_sub(since));
        }
        let held = match self.state {
            Some((_, was)) if was != HeldUp::No => was,
            _ => why,
        };
        self.state = Some((t, why));
        let oldest = self.queue.front()?;
        let longest = self.clock - oldest.0;
        self.max_seconds = self.max_seconds.max(longest);
        let mut passed = 0;
        while let Some(e) = self.queue.get(self.counted) {
            if self.clock - e.0 <= u64::from(threshold) {
                break;
            }
            passed += e.1;
            self.counted += 1;
        }
        self.beyond += passed;
        (passed > 0).then_some(Passed {
            pods: passed,
            why: held,
            seconds: longest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{HeldUp, PendingClock};

    #[test]
    fn only_held_up_time_counts_and_each_pod_once() {
        let mut c = PendingClock::default();
        c.sync(10, false);
        // 0..20 s launching: nothing counts
        assert_eq!(c.advance(0, HeldUp::No, 30), None);
        assert_eq!(c.advance(20, HeldUp::MaxPods, 30), None);
        // 20..40 s held up (20 s), 40..100 s a node launching again, 100..115 s held up (15 s): 35 s > 30 s
        assert_eq!(c.advance(40, HeldUp::No, 30), None);
        assert_eq!(c.advance(100, HeldUp::MaxPods, 30), None);
        // 5 more arrive at 110 s (clock 30) and 4 of the first are placed
        assert_eq!(c.advance(110, HeldUp::MaxPods, 30), None);
        c.sync(15, false);
        c.sync(11, true);
        let p = c.advance(115, HeldUp::MaxPods, 30).unwrap();
        assert_eq!((p.pods, p.seconds, p.why), (6, 35, HeldUp::MaxPods));
        // counted once; the late 5 (arrived at clock 30) have 60 - 30 = 30 s at 140 s, not beyond, and 35 s at
        // 145 s; the first 6 then have 65 s
        assert_eq!(c.advance(140, HeldUp::NoNodeAddress, 30), None);
        let p = c.advance(145, HeldUp::NoNodeAddress, 30).unwrap();
        assert_eq!((p.pods, p.seconds, p.why), (5, 65, HeldUp::NoNodeAddress));
        assert_eq!((c.beyond, c.max_seconds), (11, 65));
    }
}
