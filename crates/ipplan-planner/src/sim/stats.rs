//! What a run counts as it goes, for its report: per subnet the peaks and the failed allocations, per run the
//! pods that got an address, the pod replacements, and how long each pod waited for its address.

use crate::alloc::SubnetAllocator;
use crate::sim::summary::{FailureCounts, FailureEvent, FailureKind};

/// One subnet's peaks over the run so far and its failed allocations.
#[derive(Debug, Clone)]
pub(crate) struct SubnetStats {
    /// Most addresses held at once (singles + 16 per prefix).
    pub peak_addresses: u64,
    /// Most prefixes held at once.
    pub peak_prefixes: u64,
    /// Fewest wholly free prefix-eligible blocks.
    pub min_free_blocks: u64,
    /// Highest [`SubnetAllocator::fragmentation`].
    pub frag_peak: f64,
    /// Failed allocations by EC2 error.
    pub failures: FailureCounts,
    /// The first failed allocation.
    pub first_failure: Option<FailureEvent>,
}

impl SubnetStats {
    /// Nothing seen yet on the subnet `a` allocates in.
    pub(crate) fn new(a: &SubnetAllocator) -> Self {
        Self {
            peak_addresses: 0,
            peak_prefixes: 0,
            min_free_blocks: a.free_blocks(),
            frag_peak: 0.0,
            failures: FailureCounts::default(),
            first_failure: None,
        }
    }

    /// Fold the subnet's state now into the peaks.
    pub(crate) fn observe(&mut self, a: &SubnetAllocator) {
        let used = a.singles_held() + 16 * a.prefixes_held();
        self.peak_addresses = self.peak_addresses.max(used);
        self.peak_prefixes = self.peak_prefixes.max(a.prefixes_held());
        self.min_free_blocks = self.min_free_blocks.min(a.free_blocks());
        self.frag_peak = self.frag_peak.max(a.fragmentation());
    }

    /// Count a failed allocation; the first one is kept.
    pub(crate) fn count_failure(&mut self, ev: FailureEvent) {
        match ev.kind {
            FailureKind::InsufficientCidrBlocks => self.failures.insufficient_cidr_blocks += 1,
            FailureKind::InsufficientFreeAddressesInSubnet => {
                self.failures.insufficient_free_addresses_in_subnet += 1;
            }
        }
        if self.first_failure.is_none() {
            self.first_failure = Some(ev);
        }
    }
}

/// How long pods waited for an address, by the second: `counts()[w]` pods waited `w` seconds.
#[derive(Debug, Clone)]
pub(crate) struct WaitHistogram {
    counts: Vec<u64>,
}

impl WaitHistogram {
    /// No pod yet.
    pub(crate) fn new() -> Self {
        Self { counts: vec![0] }
    }

    /// One more pod that waited `wait` seconds. The only place the histogram changes.
    #[inline]
    pub(crate) fn record(&mut self, wait: u32) {
        match self.counts.get_mut(wait as usize) {
            Some(c) => *c += 1,
            None => self.record_longer(wait),
        }
    }

    /// [`WaitHistogram::record`] of a wait longer than any so far.
    #[cold]
    fn record_longer(&mut self, wait: u32) {
        self.counts.resize(wait as usize + 1, 0);
        self.counts[wait as usize] = 1;
    }

    /// Pods per second of wait, from 0 s up to the longest wait recorded (at least one entry).
    pub(crate) fn counts(&self) -> &[u64] {
        &self.counts
    }
}

/// The run's pod counters.
#[derive(Debug, Clone)]
pub(crate) struct PodCounts {
    /// Pods that got an address (ordinary and branch).
    pub placed: u64,
    /// Pod replacements done (churn).
    pub replacements: u64,
    /// The wait of every pod that got an address.
    pub waits: WaitHistogram,
}

impl PodCounts {
    /// Nothing yet.
    pub(crate) fn new() -> Self {
        Self {
            placed: 0,
            replacements: 0,
            waits: WaitHistogram::new(),
        }
    }

    /// A pod got its address after waiting `wait` seconds (0: at once).
    #[inline]
    pub(crate) fn got_address(&mut self, wait: u32) {
        self.placed += 1;
        self.waits.record(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::{PodCounts, WaitHistogram};

    #[test]
    fn histogram_grows_to_the_longest_wait() {
        let mut h = WaitHistogram::new();
        assert_eq!(h.counts(), [0]);
        h.record(0);
        h.record(3);
        h.record(3);
        assert_eq!(h.counts(), [1, 0, 0, 2]);
        h.record(1);
        assert_eq!(h.counts(), [1, 1, 0, 2]);
    }

    #[test]
    fn a_placed_pod_counts_once_with_its_wait() {
        let mut p = PodCounts::new();
        p.got_address(0);
        p.got_address(12);
        assert_eq!(p.placed, 2);
        assert_eq!(p.waits.counts().iter().sum::<u64>(), 2);
        assert_eq!(p.waits.counts()[12], 1);
        assert_eq!(p.replacements, 0);
    }
}
