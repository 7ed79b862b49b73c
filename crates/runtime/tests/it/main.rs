//! The runtime's integration tests, one binary (wasmtime is linked once): the real
//! guest components built from the sample and test packages, run through wasmtime.

mod component;
#[cfg(feature = "http")]
mod http_component;
mod media;
mod table;
mod warm;
