//! Per-request latency through the HTTP components (`prescreen build --http`,
//! wasi:http 0.3 and 0.2) vs the filter component, for the sample package and its
//! risky upload: each request is a fresh instance, as Spin runs them. The HTTP path
//! adds what a Spin request adds: the request and response through wasi:http, the
//! upload parsed from JSON and the verdict written as JSON inside the component.
//!
//! The filter runs on its `Runtime` (pooling allocator, memory kept resident); the
//! HTTP components on `HttpRuntime` (wasmtime's default on-demand allocator, as a
//! plain embedding or `wasmtime serve` has), so the gap also holds the allocator's.
//!
//! `cargo bench -p prescreen-benches --bench http`

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::Full;
use prescreen_core::{Compiler, Upload};
use prescreen_runtime::{HttpRuntime, Runtime, WasiHttp, compile};
use std::hint::black_box;
use std::path::Path;

fn http(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let package = Compiler::new()
        .built_at(1_700_000_000)
        .unwrap()
        .compile_dir(&root.join("packages/ad-policy"))
        .unwrap();
    let body = std::fs::read(root.join("packages/ad-policy/uploads/risky-ru-en.json")).unwrap();
    let upload: Upload = serde_json::from_slice(&body).unwrap();

    let runtime = Runtime::new().unwrap();
    let filter = runtime.load(&compile::compile(&runtime, &package).unwrap().component).unwrap();
    let http_runtime = HttpRuntime::new().unwrap();
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let mut g = c.benchmark_group("http_request_sample");
    g.bench_function("filter_fresh_instance", |b| {
        b.iter(|| filter.screen(black_box(&upload)).unwrap().unwrap())
    });
    g.bench_function("filter_fresh_instance_with_json", |b| {
        // The filter plus the JSON work the HTTP component does inside: what a
        // gateway in front of the filter would do.
        b.iter(|| {
            let upload: Upload = serde_json::from_slice(black_box(&body)).unwrap();
            serde_json::to_vec(&filter.screen(&upload).unwrap().unwrap()).unwrap()
        })
    });
    for (name, wasi) in
        [("http_p3_fresh_instance", WasiHttp::P3), ("http_p2_fresh_instance", WasiHttp::P2)]
    {
        let service = http_runtime
            .load(&compile::compile_http(&http_runtime, &package, wasi).unwrap().component)
            .unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                let request = http::Request::post("http://localhost/v1/screen")
                    .header("content-length", body.len())
                    .body(Full::new(Bytes::copy_from_slice(&body)))
                    .unwrap();
                let response = tokio.block_on(service.handle(request)).unwrap();
                assert_eq!(response.status(), 200);
                response
            })
        });
    }
    g.finish();
}

criterion_group!(benches, http);
criterion_main!(benches);
