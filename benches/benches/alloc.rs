//! The subnet allocator (`ipplan_planner::alloc::SubnetAllocator`):
//! * `prefix_pair_slash16`: one `alloc_prefix` + `release_prefix` on a /16, empty or already busy (seeded random
//!   singles spoiling blocks, 1,000 prefixes held); throughput counts 2 operations per iteration;
//! * `single_pair_slash16_random`: one `alloc_single` + `release_single` with `Placement::Random` on a /16 with
//!   30,000 singles held;
//! * `alloc_all_slash10`: a fresh 100.64.0.0/10 pool (4,194,304 addresses) filled with prefixes (262,142), or
//!   with single addresses (4,194,299, `Lowest` and `Random`); construction is outside the measured time, and
//!   `new_slash10` measures it on its own.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ipplan_planner::alloc::{Placement, SubnetAllocator};

fn slash16(placement: Placement) -> SubnetAllocator {
    SubnetAllocator::new("10.0.0.0/16".parse().expect("valid cidr"), &[], placement)
        .expect("valid subnet")
}

fn slash10(placement: Placement) -> SubnetAllocator {
    SubnetAllocator::new("100.64.0.0/10".parse().expect("valid cidr"), &[], placement)
        .expect("valid subnet")
}

fn prefix_pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("prefix_pair_slash16");
    g.throughput(Throughput::Elements(2));
    let mut empty = slash16(Placement::Lowest);
    g.bench_function("empty", |b| {
        b.iter(|| {
            let p = empty.alloc_prefix().expect("a free block");
            empty.release_prefix(black_box(p)).expect("held");
        });
    });
    let mut busy = slash16(Placement::Random { seed: 1 });
    busy.alloc_singles(2_000).expect("free addresses");
    busy.alloc_prefixes(1_000).expect("free blocks");
    g.bench_function("busy", |b| {
        b.iter(|| {
            let p = busy.alloc_prefix().expect("a free block");
            busy.release_prefix(black_box(p)).expect("held");
        });
    });
    g.finish();
}

fn single_pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("single_pair_slash16_random");
    g.throughput(Throughput::Elements(2));
    let mut a = slash16(Placement::Random { seed: 2 });
    a.alloc_singles(30_000).expect("free addresses");
    g.bench_function("30k_held", |b| {
        b.iter(|| {
            let ip = a.alloc_single().expect("a free address");
            a.release_single(black_box(ip)).expect("held");
        });
    });
    g.finish();
}

fn alloc_all(c: &mut Criterion) {
    let mut g = c.benchmark_group("alloc_all_slash10");
    g.sample_size(10);
    g.throughput(Throughput::Elements(262_142));
    g.bench_function("prefixes", |b| {
        b.iter_batched(
            || slash10(Placement::Lowest),
            |mut a| {
                for _ in 0..262_142 {
                    black_box(a.alloc_prefix().expect("a free block"));
                }
                assert!(a.alloc_prefix().is_err());
                a
            },
            BatchSize::LargeInput,
        );
    });
    g.throughput(Throughput::Elements(4_194_299));
    for (name, placement) in [
        ("singles_lowest", Placement::Lowest),
        ("singles_random", Placement::Random { seed: 3 }),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || slash10(placement),
                |mut a| {
                    for _ in 0..4_194_299 {
                        black_box(a.alloc_single().expect("a free address"));
                    }
                    assert!(a.alloc_single().is_err());
                    a
                },
                BatchSize::LargeInput,
            );
        });
    }
    g.throughput(Throughput::Elements(1));
    g.bench_function("new_slash10", |b| {
        b.iter(|| slash10(black_box(Placement::Random { seed: 4 })))
    });
    g.finish();
}

criterion_group!(benches, prefix_pairs, single_pairs, alloc_all);
criterion_main!(benches);
