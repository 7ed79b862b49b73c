//! Latency distribution of the fresh-instance request (instantiate + screen + drop)
//! for a 100k-term package: criterion reports means, the targets are p50 and
//! p99, so this harness records every request and prints percentiles.
//!
//! Two kinds of traffic: the same 2 KB ad again and again (the best case, and the
//! figure earlier sessions reported), and 1,000 different 2 KB ads in turn, as a
//! gateway sees them; see `varied_ads` for why the two differ. Each is timed after a
//! warm-up of the same traffic. A last row times the fresh instance on an empty
//! upload (instantiate + drop, almost no screening) after the varied traffic, and the
//! last row is a reused instance (`prescreen serve --reuse-instances`) on the varied
//! traffic. Requests run under `serve`'s default bounds, as the gateway runs them.
//!
//! `cargo bench -p prescreen-benches --bench latency`

use prescreen_benches::{fixture, upload, varied_ads};
use prescreen_core::Upload;
use prescreen_runtime::{Bounds, Filter, WarmInstance};
use std::time::Instant;

const WARMUP: usize = 3_000;
const REQUESTS: usize = 20_000;
const DIFFERENT_ADS: usize = 1_000;

/// Bounds as `prescreen serve` sets them by default (3 s, 512 MiB).
const BOUNDS: Bounds = Bounds { deadline_ticks: 1 << 40, max_memory_bytes: 512 << 20 };
/// `--reuse-instances` of the last row.
const REUSES: u32 = 1_000;

fn percentiles(
    name: &str,
    mut screen: impl FnMut(&Upload),
    uploads: &[Upload],
    warmup: usize,
    requests: usize,
) {
    for i in 0..warmup {
        screen(&uploads[i % uploads.len()]);
    }
    let mut micros: Vec<f64> = Vec::with_capacity(requests);
    for i in 0..requests {
        let upload = &uploads[i % uploads.len()];
        let t = Instant::now();
        screen(upload);
        micros.push(t.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(f64::total_cmp);
    let p = |q: f64| micros[((micros.len() as f64 * q) as usize).min(micros.len() - 1)];
    println!(
        "{name}, {requests} requests: p50 {:.1} us  p90 {:.1} us  p99 {:.1} us  p99.9 {:.1} us  max {:.1} us",
        p(0.5),
        p(0.9),
        p(0.99),
        p(0.999),
        micros[micros.len() - 1]
    );
}

/// A fresh instance per request, as `prescreen serve` runs by default.
fn fresh(filter: &Filter) -> impl FnMut(&Upload) + '_ {
    move |u| drop(filter.screen_bounded(u.clone(), BOUNDS).unwrap().unwrap())
}

fn main() {
    // `cargo test --benches` runs bench targets with no `--bench` flag: stay quick.
    let full = std::env::args().any(|a| a == "--bench");
    let (warmup, requests) = if full { (WARMUP, REQUESTS) } else { (10, 100) };
    let f = fixture(100_000);
    let same = [upload(&f.package)];
    let different = varied_ads(&f.package, if full { DIFFERENT_ADS } else { 20 });
    let empty = [Upload::text("empty", "RU", "")];
    // The precompiled file first: `fixture` built both, each in its own instance slot.
    for (kind, filter) in [("precompiled file", &f.filter_file), ("in-memory compile", &f.filter)] {
        let name = |traffic: &str| format!("fresh instance ({kind}), 100k terms, {traffic}");
        percentiles(&name("the same 2 KB ad"), fresh(filter), &same, warmup, requests);
        percentiles(
            &name(&format!("{} different 2 KB ads", different.len())),
            fresh(filter),
            &different,
            warmup,
            requests,
        );
        percentiles(
            &name("empty upload after the different ads"),
            fresh(filter),
            &empty,
            warmup,
            requests,
        );
    }
    // What `prescreen serve --reuse-instances 1000` does on each worker.
    let mut warm: Option<WarmInstance> = None;
    let reused = |u: &Upload| {
        let instance = match &mut warm {
            Some(w) if !w.retired(REUSES) => w,
            slot => slot.insert(f.filter_file.warm(BOUNDS).unwrap()),
        };
        drop(instance.screen_bounded(u.clone(), BOUNDS).unwrap().unwrap());
    };
    let name = format!(
        "reused instance (at most {REUSES} requests each), 100k terms, {} different 2 KB ads",
        different.len()
    );
    percentiles(&name, reused, &different, warmup, requests);
}
