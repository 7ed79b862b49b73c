//! prescreen's wasmtime host: loads filter components and screens uploads through
//! them ([`Runtime`], [`Filter`]), compiles packages into pre-initialized components
//! ([`compile`]), generates synthetic packages for benchmarks ([`synth`]), and
//! serves filters over HTTP with versioned deploys ([`serve`], `prescreen serve`), and
//! lints package sources ([`lint`], `prescreen lint`).
//!
//! The `prescreen` binary (`src/main.rs`) is a CLI over this library.

pub mod compile;
pub mod hash;
pub mod lint;
mod runtime;
pub mod serve;
pub mod synth;

pub use runtime::{Bounds, Fault, Filter, KEEP_RESIDENT_BYTES, Runtime, Session};

/// The generic guest component, built from `guest/` by `build.rs`: it holds no
/// package until `compile` loads one and snapshots it.
pub const GUEST_WASM: &[u8] = include_bytes!(env!("PRESCREEN_GUEST_WASM"));

/// Bindings generated from `wit/filter.wit`.
pub(crate) mod bindings {
    wasmtime::component::bindgen!({
        world: "filter",
        path: "../wit",
    });
    pub(crate) use prescreen::filter::types as wit;
    prescreen_wit::conversions!(prescreen_core, crate::bindings::wit);
}
