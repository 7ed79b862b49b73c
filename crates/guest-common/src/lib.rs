//! What every prescreen component shares, whatever it exports (the WIT filter in
//! `guest/`, the HTTP services in `guest-http/`): the global allocator that keeps
//! freed garbage out of the snapshot, the one package slot that `prescreen build`
//! fills through the `loader.load` export before snapshotting the instance, and
//! (feature `http`) what the HTTP components answer, whichever wasi:http they speak.

// Only meaningful inside a component: natively (`cargo test --workspace`) this crate
// must not install a global allocator into whatever links it.
#[cfg(target_arch = "wasm32")]
mod alloc;
#[cfg(target_arch = "wasm32")]
mod slot;

#[cfg(target_arch = "wasm32")]
pub use slot::{load, screener};

// Plain Rust over the core: compiled and unit-tested natively too.
#[cfg(feature = "http")]
pub mod answer;
