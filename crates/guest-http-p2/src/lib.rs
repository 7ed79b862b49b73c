//! The prescreen HTTP component for WASI 0.2 hosts: the same routes and answers as
//! `guest-http/` (prescreen_guest_common::answer), exported as
//! `wasi:http/incoming-handler@0.2` instead of `wasi:http/handler@0.3.0`, for hosts
//! without WASI 0.3 (Spin 3.x, `wasmtime serve` without p3, other wasi:http 0.2
//! hosts). `prescreen build --http=p2` loads and snapshots it like the others.

// wasm-only: its export names are not valid native symbols.
#[cfg(target_arch = "wasm32")]
mod loader;
#[cfg(target_arch = "wasm32")]
mod service;
