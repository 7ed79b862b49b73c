//! Image costs (issue #4), wasm vs native in the same run:
//! - PDQ of a 1-megapixel image: the hash stage alone (from decoded pixels) and the
//!   full decode + hash of a JPEG;
//! - hash-bank queries at 10k / 100k / 1M hashes: the multi-index against a linear
//!   scan natively, and inside the component whichever the bank uses (a scan under
//!   `INDEX_MIN_HASHES`, the index from there on).
//!
//! `cargo bench -p prescreen-benches --bench media`

use criterion::{Criterion, criterion_group, criterion_main};
use prescreen_benches::media::{image_fixture, near, photo_jpeg, photo_rgb, random_hashes};
use prescreen_core::pdq::{BankEntry, HashBank};
use prescreen_core::{Image, ImageData, Pdq, RgbImage, Upload};
use prescreen_runtime::Runtime;
use std::hint::black_box;

const SIDE: u32 = 1000;

fn upload_with(data: ImageData) -> Upload {
    let mut u = Upload::text("bench", "US", "");
    u.fields.clear();
    u.images.push(Image { name: "creative".into(), data });
    u
}

fn hashing(c: &mut Criterion, runtime: &Runtime) {
    let rgb = photo_rgb(SIDE);
    let jpeg = photo_jpeg(SIDE);
    let f = image_fixture(runtime, &random_hashes(16, 1));
    let pixels =
        upload_with(ImageData::Pixels(RgbImage { width: SIDE, height: SIDE, rgb: rgb.clone() }));
    let encoded = upload_with(ImageData::Encoded(jpeg.clone()));
    // Same hash natively and in the component.
    let native = prescreen_core::pdq::pdq_from_encoded(&jpeg).unwrap();
    assert!(native.quality >= 50, "the synthetic photo must hash at usable quality");
    assert_eq!(f.screener.screen(&encoded).unwrap(), f.filter.screen(&encoded).unwrap().unwrap());

    let mut g = c.benchmark_group("pdq_1mp");
    g.sample_size(20);
    g.bench_function("native_hash_stage", |b| {
        b.iter(|| prescreen_core::pdq::pdq_from_rgb8(black_box(&rgb), SIDE, SIDE))
    });
    g.bench_function("native_decode_and_hash_jpeg", |b| {
        b.iter(|| prescreen_core::pdq::pdq_from_encoded(black_box(&jpeg)).unwrap())
    });
    let mut session = f.filter.session().unwrap();
    g.bench_function("wasm_hash_stage_warm_instance", |b| {
        b.iter(|| session.screen(black_box(&pixels)).unwrap().unwrap())
    });
    g.bench_function("wasm_decode_and_hash_jpeg_warm_instance", |b| {
        b.iter(|| session.screen(black_box(&encoded)).unwrap().unwrap())
    });
    g.bench_function("wasm_decode_and_hash_jpeg_fresh_instance", |b| {
        b.iter(|| f.filter.screen(black_box(&encoded)).unwrap().unwrap())
    });
    g.finish();
}

fn banks(c: &mut Criterion, runtime: &Runtime) {
    for n in [10_000usize, 100_000, 1_000_000] {
        let hashes = random_hashes(n, n as u64);
        let entries: Vec<BankEntry> = hashes
            .iter()
            .enumerate()
            .map(|(i, &hash)| BankEntry {
                hash,
                owner: i as u32,
                max_distance: 31,
                min_quality: 50,
            })
            .collect();
        let mut index = HashBank::new(&entries);
        // The component indexes from INDEX_MIN_HASHES (100k) on; natively both are timed.
        index.reindex(0);
        let mut scan = index.clone();
        scan.reindex(usize::MAX);
        let hit = near(hashes[n / 2], 12);
        let miss = random_hashes(1, 99)[0];
        let count = |bank: &HashBank, q: &[u64; 4]| {
            let mut k = 0;
            bank.query(q, 100, |_, _| k += 1);
            k
        };
        assert_eq!((count(&index, &hit), count(&scan, &hit)), (1, 1));

        let f = image_fixture(runtime, &hashes);
        eprintln!("bank {n}: component {:.1} MiB", f.component_bytes as f64 / (1 << 20) as f64);
        let hashed = |h: [u64; 4]| upload_with(ImageData::Hashed(Pdq { hash: h, quality: 100 }));
        let (hit_upload, miss_upload) = (hashed(hit), hashed(miss));
        assert_eq!(f.filter.screen(&hit_upload).unwrap().unwrap().hits.len(), 1);

        let mut g = c.benchmark_group(format!("bank_{n}"));
        g.bench_function("native_index_hit", |b| b.iter(|| count(&index, black_box(&hit))));
        g.bench_function("native_index_miss", |b| b.iter(|| count(&index, black_box(&miss))));
        g.bench_function("native_scan_miss", |b| b.iter(|| count(&scan, black_box(&miss))));
        g.bench_function("native_screen_miss", |b| {
            b.iter(|| f.screener.screen(black_box(&miss_upload)).unwrap())
        });
        let mut session = f.filter.session().unwrap();
        g.bench_function("wasm_screen_miss_warm_instance", |b| {
            b.iter(|| session.screen(black_box(&miss_upload)).unwrap().unwrap())
        });
        g.bench_function("wasm_screen_hit_warm_instance", |b| {
            b.iter(|| session.screen(black_box(&hit_upload)).unwrap().unwrap())
        });
        g.bench_function("wasm_screen_miss_fresh_instance", |b| {
            b.iter(|| f.filter.screen(black_box(&miss_upload)).unwrap().unwrap())
        });
        g.finish();
    }
}

/// Where the index starts to pay in a warm instance: the scan and the index on small
/// banks. (`INDEX_MIN_HASHES` is set by fresh instances, where the index's page
/// faults dominate: see `wasm_screen_miss_fresh_instance` and benches/README.md.)
fn crossover(c: &mut Criterion) {
    let mut g = c.benchmark_group("bank_crossover");
    for n in [1_024usize, 4_096, 8_192, 16_384] {
        let entries: Vec<BankEntry> = random_hashes(n, 5)
            .into_iter()
            .map(|hash| BankEntry { hash, owner: 0, max_distance: 31, min_quality: 50 })
            .collect();
        let mut bank = HashBank::new(&entries);
        let miss = random_hashes(1, 99)[0];
        bank.reindex(0);
        g.bench_function(format!("index_{n}"), |b| {
            b.iter(|| bank.query(black_box(&miss), 100, |_, _| ()))
        });
        bank.reindex(usize::MAX);
        g.bench_function(format!("scan_{n}"), |b| {
            b.iter(|| bank.query(black_box(&miss), 100, |_, _| ()))
        });
    }
    g.finish();
}

fn media(c: &mut Criterion) {
    crossover(c);
    let runtime = Runtime::new().unwrap();
    hashing(c, &runtime);
    banks(c, &runtime);
}

criterion_group!(benches, media);
criterion_main!(benches);
