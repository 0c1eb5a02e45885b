//! Max pods for the whole embedded table: 1,420 types x 4 modes (secondary IPs, prefix delegation, custom
//! networking, custom networking + prefix delegation) through `max_pods`, `karpenter_max_pods` and
//! `pod_eni_capacity`, as `ipplan max-pods --all --all-modes` does; then the same results serialised to JSON.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ipplan_core::{
    InstanceInfo, MaxPods, MaxPodsOptions, embedded_table, karpenter_max_pods, max_pods,
    pod_eni_capacity,
};

const MODES: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

/// One entry: (type, result, Karpenter, pod-eni). Types without a vCPU count fall back to the uncapped
/// value, as the CLI does with `--all`.
type Entry<'a> = (&'a str, MaxPods, Option<u32>, Option<u32>);

fn compute(table: &[InstanceInfo]) -> Vec<Entry<'_>> {
    let mut out = Vec::with_capacity(table.len() * MODES.len());
    for info in table {
        for (pd, custom) in MODES {
            let opts = MaxPodsOptions {
                prefix_delegation: pd,
                custom_networking: custom,
                ..MaxPodsOptions::default()
            };
            let r = max_pods(info, &opts).unwrap_or_else(|_| {
                let uncapped = MaxPodsOptions {
                    show_max_allowed: true,
                    ..opts
                };
                max_pods(info, &uncapped).expect("uncapped max pods needs no vCPU count")
            });
            let karpenter = karpenter_max_pods(info, u32::from(custom), None);
            out.push((info.name.as_ref(), r, karpenter, pod_eni_capacity(info)));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let table = embedded_table();
    assert_eq!(table.len(), 1420, "the embedded table's pinned row count");
    let mut g = c.benchmark_group("maxpods_all_types_x4");
    g.throughput(Throughput::Elements((table.len() * MODES.len()) as u64));
    g.bench_function("compute", |b| b.iter(|| compute(black_box(table))));
    g.bench_function("compute_and_json", |b| {
        b.iter(|| {
            let results = compute(black_box(table));
            serde_json::to_vec(&results).expect("serialisable")
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
