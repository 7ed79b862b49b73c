//! The prescreen HTTP component: the same package as the filter component, served
//! as a `wasi:http` service (spin-sdk's `#[http_service]`, `wasi:http/handler@0.3.0`)
//! that Spin (`spin up`) or `wasmtime serve` can run directly.
//!
//! Routes: `POST /v1/screen` (upload JSON in, verdict JSON out), `GET /v1/info`,
//! `GET /healthz`; the answer shapes follow `prescreen serve` (crates/gateway/SERVE.md).
//! Like the filter, it exports `prescreen:filter/loader` so `prescreen build --http`
//! loads the package once and snapshots the instance: no request builds the matcher.

// What to answer is prescreen_guest_common::answer's (shared with the p2 build);
// this crate is the wasi:http p3 and WIT glue, wasm-only since its export names are
// not valid native symbols.
#[cfg(target_arch = "wasm32")]
mod loader;
#[cfg(target_arch = "wasm32")]
mod service;
