//! Throughput of the full text pipeline (normalize + match + verdict) for a 100k-term
//! package, natively and in wasm (warm instance, so the figure is the pipeline, not
//! instantiation), on Russian and on English ad text (issue #3). The aho-corasick
//! contiguous NFA over the already-normalized text is the matcher baseline.
//!
//! `cargo bench -p prescreen-benches --bench throughput`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prescreen_benches::{AD_TEXT, fixture};
use prescreen_core::{Upload, normalize};
use std::hint::black_box;

fn texts() -> [(&'static str, String); 2] {
    let ru: String = AD_TEXT.split(". ").filter(|s| !s.is_ascii()).collect::<Vec<_>>().join(". ");
    let en: String = AD_TEXT.split(". ").filter(|s| s.is_ascii()).collect::<Vec<_>>().join(". ");
    // ~8 KB each: long enough that per-call costs do not dominate.
    [("ru", ru.repeat(8_000 / ru.len() + 1)), ("en", en.repeat(8_000 / en.len() + 1))]
}

fn throughput(c: &mut Criterion) {
    let f = fixture(100_000);
    let terms: std::collections::BTreeSet<String> =
        f.package.materials.iter().map(|m| normalize(&m.term).as_str().to_string()).collect();
    let ac = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(&terms)
        .unwrap();
    let mut session = f.filter.session().unwrap();
    for (lang, text) in texts() {
        let upload = Upload::text("t", "RU", &text);
        let normalized = normalize(&text).as_str().to_string();
        let mut g = c.benchmark_group(format!("pipeline_100k_{lang}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("native", |b| b.iter(|| f.screener.screen(black_box(&upload)).unwrap()));
        g.bench_function("wasm_warm", |b| {
            b.iter(|| session.screen(black_box(&upload)).unwrap().unwrap())
        });
        g.bench_function("native_normalize_only", |b| b.iter(|| normalize(black_box(&text))));
        g.bench_function("native_aho_corasick_scan_only_baseline", |b| {
            b.iter(|| ac.find_overlapping_iter(black_box(normalized.as_str())).count())
        });
        g.finish();
    }
}

criterion_group!(benches, throughput);
criterion_main!(benches);
