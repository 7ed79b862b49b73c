//! Latency distribution of the fresh-instance request (instantiate + screen + drop)
//! for a 100k-term package: criterion reports means, the targets are p50 and
//! p99, so this harness records every request and prints percentiles.
//!
//! `cargo bench -p prescreen-benches --bench latency`

use prescreen_benches::{fixture, upload};
use std::time::Instant;

const WARMUP: usize = 2_000;
const REQUESTS: usize = 20_000;

fn main() {
    // `cargo test --benches` runs bench targets with no `--bench` flag: stay quick.
    let requests = if std::env::args().any(|a| a == "--bench") { REQUESTS } else { 100 };
    let f = fixture(100_000);
    let upload = upload(&f.package);
    for (name, filter) in [("precompiled file", &f.filter_file), ("in-memory compile", &f.filter)] {
        for _ in 0..WARMUP.min(requests) {
            filter.screen(&upload).unwrap().unwrap();
        }
        let mut micros: Vec<f64> = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            filter.screen(&upload).unwrap().unwrap();
            micros.push(t.elapsed().as_secs_f64() * 1e6);
        }
        micros.sort_by(f64::total_cmp);
        let p = |q: f64| micros[((micros.len() as f64 * q) as usize).min(micros.len() - 1)];
        println!(
            "fresh instance ({name}), 100k terms, 2 KB ad, {requests} requests: p50 {:.1} us  p90 {:.1} us  p99 {:.1} us  p99.9 {:.1} us  max {:.1} us",
            p(0.5), p(0.9), p(0.99), p(0.999), micros[micros.len() - 1]
        );
    }
}
