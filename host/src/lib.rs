//! prescreen's wasmtime host: loads filter components and screens uploads through
//! them ([`Runtime`], [`Filter`]), compiles packages into pre-initialized components
//! ([`compile`]: the filter, or the HTTP component that Spin runs), serves the HTTP
//! component in-process ([`HttpRuntime`]), generates synthetic packages for
//! benchmarks ([`synth`]), serves filters over HTTP with versioned deploys
//! ([`serve`], `prescreen serve`), keeps reviewers' feedback and per-material
//! precision reports ([`feedback`]), measures packages against labeled corpora and
//! compares builds ([`eval`], [`diff`]), and lints package sources ([`lint`]).
//!
//! The `prescreen` binary (`src/main.rs`) is a CLI over this library.

pub mod compile;
pub mod diff;
pub mod eval;
pub mod feedback;
pub mod hash;
pub mod lint;
mod runtime;
pub mod serve;
pub mod synth;
mod warm;
mod wasi_http;

pub use runtime::{
    Bounds, DEFAULT_MAX_WASM_STACK, Fault, Filter, KEEP_RESIDENT_BYTES, Runtime, Session,
};
pub use warm::{RETIRE_GROWTH_BYTES, WarmInstance};
pub use wasi_http::{HttpRuntime, HttpService, RequestBody, WasiHttp};

/// The generic guest component, built from `guest/` by `build.rs`: it holds no
/// package until `compile` loads one and snapshots it.
pub const GUEST_WASM: &[u8] = include_bytes!(env!("PRESCREEN_GUEST_WASM"));

/// The generic HTTP component, built from `guest-http/` by `build.rs`: a
/// `wasi:http/handler@0.3.0` service that holds no package until
/// `compile::compile_http` loads one.
pub const HTTP_WASM: &[u8] = include_bytes!(env!("PRESCREEN_HTTP_WASM"));

/// The same for WASI 0.2 hosts, built from `guest-http-p2/`: a
/// `wasi:http/incoming-handler@0.2` service.
pub const HTTP_P2_WASM: &[u8] = include_bytes!(env!("PRESCREEN_HTTP_P2_WASM"));

/// Bindings generated from `wit/filter.wit`.
pub(crate) mod bindings {
    wasmtime::component::bindgen!({
        world: "filter",
        path: "../crates/wit/wit",
    });
    pub(crate) use prescreen::filter::types as wit;
    prescreen_wit::conversions!(prescreen_core, crate::bindings::wit);
}
