//! Per-request cost for a 100k-term package on a ~2 KB Russian/English ad (issue #2):
//! native core vs the component with a fresh instance per request vs a warm instance,
//! vs building the matcher per request; and the first request after build with and
//! without pre-initialization (without: a fresh instance of the empty guest loads
//! the prebuilt matcher, then screens).
//!
//! `cargo bench -p prescreen-benches --bench request`

use criterion::{Criterion, criterion_group, criterion_main};
use prescreen_benches::{fixture, upload};
use prescreen_core::Screener;
use std::hint::black_box;
use std::time::Duration;

const TERMS: usize = 100_000;

fn request(c: &mut Criterion) {
    let f = fixture(TERMS);
    let upload = upload(&f.package);
    assert!(!f.screener.screen(&upload).unwrap().hits.is_empty());

    // Baseline for the matcher choice: the aho-corasick crate's contiguous NFA over
    // the same normalized terms, overlapping search over the same normalized text.
    let terms: std::collections::BTreeSet<String> = f
        .package
        .materials
        .iter()
        .map(|m| prescreen_core::normalize(&m.term).as_str().to_string())
        .collect();
    let ac = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(&terms)
        .unwrap();
    let texts: Vec<String> = upload
        .fields
        .iter()
        .map(|f| prescreen_core::normalize(&f.text).as_str().to_string())
        .collect();

    let mut g = c.benchmark_group("request_100k");
    g.bench_function("native", |b| b.iter(|| f.screener.screen(black_box(&upload)).unwrap()));
    g.bench_function("native_scan_only_aho_corasick_baseline", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| ac.find_overlapping_iter(black_box(t.as_str())).count())
                .sum::<usize>()
        })
    });
    g.bench_function("wasm_fresh_instance", |b| {
        b.iter(|| f.filter.screen(black_box(&upload)).unwrap().unwrap())
    });
    g.bench_function("wasm_fresh_instance_precompiled_file", |b| {
        b.iter(|| f.filter_file.screen(black_box(&upload)).unwrap().unwrap())
    });
    let mut session = f.filter.session().unwrap();
    g.bench_function("wasm_warm_instance", |b| {
        b.iter(|| session.screen(black_box(&upload)).unwrap().unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("build_per_request_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("native_build_matcher_then_screen", |b| {
        b.iter(|| {
            Screener::from_bytes(black_box(&f.package_bytes)).unwrap().screen(&upload).unwrap()
        })
    });
    g.finish();

    let empty = f.runtime.load_empty(prescreen_runtime::GUEST_WASM).unwrap();
    let prebuilt = f.screener.to_prebuilt();
    let mut g = c.benchmark_group("first_request_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("preinitialized", |b| {
        b.iter(|| f.filter_file.screen(black_box(&upload)).unwrap().unwrap())
    });
    g.bench_function("load_prebuilt_then_screen", |b| {
        b.iter(|| {
            let mut s = empty.session().unwrap();
            s.load(&prebuilt).unwrap();
            s.screen(black_box(&upload)).unwrap().unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, request);
criterion_main!(benches);
