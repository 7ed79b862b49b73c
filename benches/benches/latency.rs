//! What a package's size costs a request: for synthetic packages of 1k, 10k, 100k
//! and 1M terms, the fresh-instance request (instantiate + screen + drop) under
//! varied traffic as percentiles, the empty upload after that traffic (the reset),
//! a reused instance, the page faults a request takes, the memory the traffic
//! leaves mapped, and the component's size, build time and peak build memory
//! (issue #13). Criterion reports means; the targets are p50 and p99, so this
//! harness records every request.
//!
//! Traffic is 1,000 different ~2 KB ads in turn (`varied_ads`), as a gateway sees
//! them: one repeated ad keeps only its own pages mapped and flatters the fresh
//! instance. Requests run under `serve`'s default bounds. The build of each size
//! runs in a child process of this benchmark, so its peak RSS is its own.
//!
//! `cargo bench -p prescreen-benches --bench latency` (`-- 1000 10000` for some
//! sizes only).

use prescreen_benches::{fixture, varied_ads};
use prescreen_core::{Compiler, Upload};
use prescreen_runtime::{Bounds, Filter, Runtime, WarmInstance, compile};
use std::time::Instant;

const WARMUP: usize = 2_000;
const REQUESTS: usize = 10_000;
const DIFFERENT_ADS: usize = 1_000;
const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];
/// Set in the child process that builds one size and reports its cost.
const BUILD_ONLY: &str = "PRESCREEN_BENCH_BUILD_ONLY";

/// Bounds as `prescreen serve` sets them by default (3 s, 512 MiB).
const BOUNDS: Bounds = Bounds { deadline_ticks: 1 << 40, max_memory_bytes: 512 << 20 };
/// `--reuse-instances` of the reused row.
const REUSES: u32 = 1_000;

/// Percentiles of `requests` calls of `screen` over `uploads` in turn, after a
/// warm-up, and the minor page faults per request.
struct Run {
    p50: f64,
    p99: f64,
    faults: f64,
}

fn run(mut screen: impl FnMut(&Upload), uploads: &[Upload], warmup: usize, requests: usize) -> Run {
    for i in 0..warmup {
        screen(&uploads[i % uploads.len()]);
    }
    let mut micros: Vec<f64> = Vec::with_capacity(requests);
    let faults = minor_faults();
    for i in 0..requests {
        let upload = &uploads[i % uploads.len()];
        let t = Instant::now();
        screen(upload);
        micros.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let faults = (minor_faults() - faults) as f64 / requests as f64;
    micros.sort_by(f64::total_cmp);
    let p = |q: f64| micros[((micros.len() as f64 * q) as usize).min(micros.len() - 1)];
    Run { p50: p(0.5), p99: p(0.99), faults }
}

/// This process's minor page faults so far (`/proc/self/stat`, field 10).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    rest.split(' ').nth(7).unwrap().parse().unwrap()
}

/// A `/proc/self/status` or `smaps_rollup` figure in KiB.
fn proc_kib(file: &str, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/self/{file}")).unwrap();
    let line = text.lines().find(|l| l.starts_with(key)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A fresh instance per request, as `prescreen serve` runs by default.
fn fresh(filter: &Filter) -> impl FnMut(&Upload) + '_ {
    move |u| drop(filter.screen_bounded(u.clone(), BOUNDS).unwrap().unwrap())
}

/// In the child: compile a `terms`-term package from source into a component and
/// print seconds, component bytes and peak RSS.
fn build_only(terms: usize) {
    let (manifest, table) = prescreen_core::synth::package(terms, 1);
    let runtime = Runtime::new().unwrap();
    let t = Instant::now();
    // As `prescreen build` does: the guest compiles while the package is read.
    let guest = compile::PreparedGuest::start(&runtime);
    let package =
        Compiler::new().built_at(1_700_000_000).unwrap().compile_strs(&manifest, &table).unwrap();
    let built = compile::compile_prepared(&runtime, &package, guest).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("{secs} {} {}", built.component.len(), proc_kib("status", "VmHWM:"));
}

fn mib(bytes: f64) -> f64 {
    bytes / (1 << 20) as f64
}

fn main() {
    if let Ok(terms) = std::env::var(BUILD_ONLY) {
        build_only(terms.parse().unwrap());
        return;
    }
    // `cargo test --benches` runs bench targets with no `--bench` flag: stay quick.
    let full = std::env::args().any(|a| a == "--bench");
    let (warmup, requests) = if full { (WARMUP, REQUESTS) } else { (10, 50) };
    let asked: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes: Vec<usize> = match (full, asked.is_empty()) {
        (_, false) => asked,
        (true, true) => SIZES.to_vec(),
        (false, true) => vec![1_000],
    };
    println!(
        "| terms | component | build | peak build RSS | fresh p50 | fresh p99 | empty upload p50 | \
         reused p50 | faults / fresh request | mapped after the traffic |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for terms in sizes {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .env(BUILD_ONLY, terms.to_string())
            .output()
            .unwrap();
        assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
        let out = String::from_utf8(child.stdout).unwrap();
        let fields: Vec<f64> = out.split_whitespace().map(|f| f.parse().unwrap()).collect();
        let (build_secs, size, peak_kib) = (fields[0], fields[1], fields[2]);

        let f = fixture(terms);
        let ads = varied_ads(&f.package, if full { DIFFERENT_ADS } else { 20 });
        let empty = [Upload::text("empty", "RU", "")];
        let before = proc_kib("smaps_rollup", "Rss:");
        let varied = run(fresh(&f.filter_file), &ads, warmup, requests);
        let mapped = proc_kib("smaps_rollup", "Rss:").saturating_sub(before);
        let reset = run(fresh(&f.filter_file), &empty, warmup, requests);
        let mut warm: Option<WarmInstance> = None;
        let reused = |u: &Upload| {
            let instance = match &mut warm {
                Some(w) if !w.retired(REUSES) => w,
                slot => slot.insert(f.filter_file.warm(BOUNDS).unwrap()),
            };
            drop(instance.screen_bounded(u.clone(), BOUNDS).unwrap().unwrap());
        };
        let reused = run(reused, &ads, warmup, requests);
        println!(
            "| {terms} | {:.1} MiB | {build_secs:.1} s | {:.0} MiB | {:.1} us | {:.1} us | {:.1} us | \
             {:.1} us | {:.0} | {:.1} MiB |",
            mib(size),
            peak_kib / 1024.0,
            varied.p50,
            varied.p99,
            reset.p50,
            reused.p50,
            varied.faults,
            mapped as f64 / 1024.0,
        );
    }
}
