//! The prescreen filter component: a thin adapter from the WIT contract
//! (`wit/filter.wit`) to [`prescreen_core::Screener`].
//!
//! `prescreen build` builds the matcher natively, calls `loader.load` once with it
//! (prebuilt bytes), and snapshots the instance (wasmtime-wizer): the shipped
//! component starts with the matcher in its memory image, so no request builds it.

// The component exists only for wasm32-wasip2; natively (`cargo test --workspace`)
// this crate is empty, since export names like `prescreen:filter/screener@0.5.0#screen`
// are not valid native symbols. The allocator and the package slot are shared with
// the HTTP component (prescreen-guest-common).
#[cfg(target_arch = "wasm32")]
mod component;
