//! The HTTP components (`prescreen build --http` and `--http=p2`) as Spin would run
//! them: the sample package built for real, every request served in-process through
//! wasmtime-wasi-http's host (wasi:http 0.3 and 0.2) in a fresh instance, and the
//! answers checked against the filter component's for the same package and build
//! time. Every test runs against both components.

use bytes::Bytes;
use http_body_util::Full;
use prescreen_core::{Compiler, PackageInfo, Upload, Verdict};
use prescreen_runtime::{Filter, HttpRuntime, HttpService, Runtime, WasiHttp, compile};
use prescreen_testkit::routes::{self, MAX_BODY_BYTES};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Fixed, so both builds hold byte-identical packages.
const BUILT_AT: i64 = 1_700_000_000;

fn root() -> PathBuf {
    prescreen_testkit::root()
}

/// Both wasi:http flavours of the component.
const FLAVOURS: [WasiHttp; 2] = [WasiHttp::P3, WasiHttp::P2];

struct Built {
    /// Per flavour: the loaded service and the component's bytes.
    http: Vec<(HttpService, Vec<u8>)>,
    filter: Filter,
}

fn package() -> prescreen_core::Package {
    Compiler::new()
        .built_at(BUILT_AT)
        .unwrap()
        .compile_dir(&root().join("packages/ad-policy"))
        .unwrap()
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let package = package();
        let runtime = Runtime::new().unwrap();
        let filter =
            runtime.load(&compile::compile(&runtime, &package).unwrap().component).unwrap();
        let http_runtime = HttpRuntime::new().unwrap();
        let http = FLAVOURS
            .iter()
            .map(|&wasi| {
                let built = compile::compile_http(&http_runtime, &package, wasi).unwrap();
                let service = http_runtime.load(&built.component).unwrap();
                assert_eq!(service.wasi_http(), wasi);
                (service, built.component)
            })
            .collect();
        Built { http, filter }
    })
}

/// The built services, each with its flavour for messages.
fn services() -> impl Iterator<Item = (WasiHttp, &'static HttpService)> {
    FLAVOURS.into_iter().zip(built().http.iter().map(|(service, _)| service))
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// One request through the component: status, headers, JSON body.
struct Answer {
    status: u16,
    headers: http::HeaderMap,
    json: serde_json::Value,
}

fn send(service: &HttpService, method: &str, path: &str, body: Vec<u8>) -> Answer {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("http://localhost{path}"))
        .header("content-length", body.len())
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    answer(block_on(service.handle(request)).unwrap())
}

fn answer(response: http::Response<Bytes>) -> Answer {
    let (parts, body) = response.into_parts();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    assert_eq!(parts.headers["content-type"], "application/json");
    Answer { status: parts.status.as_u16(), headers: parts.headers, json }
}

fn upload_file(name: &str) -> Vec<u8> {
    std::fs::read(root().join("packages/ad-policy/uploads").join(name)).unwrap()
}

#[test]
fn risky_sample_blocks_with_the_filters_materials() {
    let bytes = upload_file("risky-ru-en.json");
    let upload: Upload = serde_json::from_slice(&bytes).unwrap();
    let want = built().filter.screen(&upload).unwrap().unwrap();
    let ids = |v: &Verdict| v.hits.iter().map(|h| h.material_id.clone()).collect::<Vec<_>>();
    assert!(!ids(&want).is_empty());
    for (wasi, service) in services() {
        let a = send(service, "POST", "/v1/screen", bytes.clone());
        assert_eq!(a.status, 200, "{wasi:?}: {}", a.json);
        let verdict: Verdict = serde_json::from_value(a.json["verdict"].clone()).unwrap();
        assert_eq!(verdict.action.to_string(), "block", "{wasi:?}");
        assert_eq!(ids(&verdict), ids(&want), "{wasi:?}");
        // Not only the ids: spans, evasions, notes, all of it.
        assert_eq!(verdict, want, "{wasi:?}");
    }
}

#[test]
fn every_sample_upload_gets_the_filters_verdict() {
    let digest = &built().filter.info().unwrap().digest;
    for (file, action) in routes::SAMPLE_UPLOADS {
        let bytes = upload_file(file);
        let want =
            built().filter.screen(&serde_json::from_slice(&bytes).unwrap()).unwrap().unwrap();
        for (wasi, service) in services() {
            let a = send(service, "POST", "/v1/screen", bytes.clone());
            assert_eq!(a.status, 200, "{wasi:?} {file}: {}", a.json);
            let verdict: Verdict = serde_json::from_value(a.json["verdict"].clone()).unwrap();
            assert_eq!(verdict, want, "{wasi:?} {file}");
            assert_eq!(verdict.action.to_string(), action, "{wasi:?} {file}");
            if action == "pass" {
                assert!(verdict.hits.is_empty(), "{wasi:?} {file}: {:?}", verdict.hits);
            }
            assert_eq!(&a.json["version"]["digest"], digest.as_str(), "{wasi:?} {file}");
        }
    }
}

#[test]
fn info_reports_the_filter_builds_package() {
    for (wasi, service) in services() {
        let a = send(service, "GET", "/v1/info", Vec::new());
        assert_eq!(a.status, 200, "{wasi:?}: {}", a.json);
        let info: PackageInfo = serde_json::from_value(a.json).unwrap();
        // Same package, same build time: the same digest, and everything else.
        assert_eq!(&info, built().filter.info().unwrap(), "{wasi:?}");
        assert_eq!(info.name, "ad-policy");
        assert_eq!(info.built_at, "2023-11-14T22:13:20Z");
        assert_eq!(block_on(service.info()).unwrap(), info, "{wasi:?}");
    }
}

#[test]
fn route_table_answers_as_specified() {
    // The same table the `wasmtime serve` test sends (crates/cli).
    let digest = &built().filter.info().unwrap().digest;
    for (wasi, service) in services() {
        for route in routes::routes() {
            let a = send(service, route.method, route.path, route.body.clone());
            let allow = a.headers.get("allow").and_then(|v| v.to_str().ok());
            if let Err(e) = route.check(a.status, allow, &a.json, digest) {
                panic!("{wasi:?} {e}");
            }
        }
    }
}

#[test]
fn oversized_body_without_content_length_stops_at_the_limit() {
    // Chunks streamed with no declared length: the component counts as they arrive.
    for (wasi, service) in services() {
        let request = http::Request::post("http://localhost/v1/screen")
            .body(Chunks { left: MAX_BODY_BYTES / CHUNK + 1 })
            .unwrap();
        let a = answer(block_on(service.handle(request)).unwrap());
        assert_eq!(a.status, 413, "{wasi:?}: {}", a.json);
        assert_eq!(a.json["error"], "body_too_large", "{wasi:?}");
    }
}

const CHUNK: usize = 1 << 20;

/// A body of `left` 1 MiB chunks of spaces and no size hint, like a chunked upload.
struct Chunks {
    left: usize,
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        self.left -= 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![b' '; CHUNK])))))
    }
}

#[test]
fn health_names_the_package() {
    for (wasi, service) in services() {
        let a = send(service, "GET", "/healthz", Vec::new());
        assert_eq!(a.status, 200, "{wasi:?}: {}", a.json);
        assert_eq!(a.json["status"], "ok");
        assert_eq!(
            &a.json["active"]["digest"],
            built().filter.info().unwrap().digest.as_str(),
            "{wasi:?}"
        );
    }
}

#[test]
fn unbuilt_component_answers_503_not_a_trap() {
    // The generic components, before `prescreen build --http` loads a package.
    let runtime = HttpRuntime::new().unwrap();
    for wasi in FLAVOURS {
        let http = runtime.load(wasi.guest()).unwrap();
        for (method, path) in [("GET", "/healthz"), ("GET", "/v1/info"), ("POST", "/v1/screen")] {
            let a = send(&http, method, path, upload_file("risky-ru-en.json"));
            assert_eq!(a.status, 503, "{wasi:?} {path}: {}", a.json);
            assert_eq!(a.json["error"], "not_loaded", "{wasi:?} {path}");
        }
    }
}

#[test]
fn build_is_reproducible_and_preinitialized() {
    let runtime = HttpRuntime::new().unwrap();
    for (wasi, (_, component)) in FLAVOURS.into_iter().zip(&built().http) {
        let again = compile::compile_http(&runtime, &package(), wasi).unwrap();
        assert!(again.component == *component, "{wasi:?}: same inputs, same bytes");
        // The matcher is in the memory image: the snapshot is larger than the empty guest.
        assert!(again.component.len() > wasi.guest().len(), "{wasi:?}");
    }
}

#[test]
fn fresh_instance_per_request_keeps_answering() {
    for (wasi, service) in services() {
        for i in 0..50 {
            let body =
                serde_json::to_vec(&Upload::text(&format!("u{i}"), "RU", "Лучшее онлайн казино"))
                    .unwrap();
            let a = send(service, "POST", "/v1/screen", body);
            assert_eq!(a.status, 200, "{wasi:?}: {}", a.json);
            assert_eq!(a.json["verdict"]["upload_id"], format!("u{i}"));
            assert_eq!(a.json["verdict"]["action"], "block", "{wasi:?}");
        }
    }
}
