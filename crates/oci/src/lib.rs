//! Ship prescreen components through OCI registries (issue #14, part 3).
//!
//! [`Registry::push`] uploads a component in the CNCF wasm artifact layout (an OCI
//! image manifest with config `application/vnd.wasm.config.v0+json` and one
//! `application/wasm` layer, what Spin, SpinKube, wasmCloud and `wkg` read), with the
//! package's name, version, digest, build time and WIT version as manifest
//! [`Annotations`]. [`Registry::pull`] fetches one back and checks it: a pull pinned
//! by digest gets exactly that manifest; every blob must match its descriptor's size
//! and sha256; a pull by tag reports the digest the tag resolved to. Every read is
//! bounded ([`limits`]), and errors never echo what a registry sent.
//!
//! The API is blocking; each [`Registry`] runs its own current-thread tokio runtime.
//!
//! ```no_run
//! use prescreen_oci::{Annotations, Reference, Registry};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let component = std::fs::read("ad-policy.wasm")?;
//! let meta = Annotations::new(
//!     "ad-policy",                                                         // package name
//!     "2026.11.1",                                                         // version
//!     "cc89e840d8ad4c2d3d4e9b4f0bd0c3f6e0f1f6c8a6c1f2b3d4e5f60718293a4b", // package digest
//!     "2026-11-23T00:00:00Z",                                              // build time
//!     "prescreen:filter@0.5.0",                                            // WIT version
//! );
//! // A registry on loopback, as in the tests: plain HTTP, no credentials.
//! let registry = Registry::builder().plain_http(true).build()?;
//! let tagged: Reference = "127.0.0.1:5000/prescreen/ad-policy:2026.11.1".parse()?;
//! let pushed = registry.push(&component, &meta, &tagged)?;
//!
//! // Deploy by digest: the same bytes whatever the tag points at later.
//! let pinned = tagged.pinned(&pushed.manifest_digest)?;
//! println!("pushed {pinned}");
//! let pulled = registry.pull(&pinned)?;
//! assert_eq!(pulled.bytes, component);
//! assert_eq!(pulled.annotations, meta);
//!
//! // By tag: the digest it resolved to tells whether the tag moved.
//! let now = registry.pull(&tagged)?;
//! if now.manifest_digest != pushed.manifest_digest {
//!     eprintln!("{tagged} moved to {}", now.manifest_digest);
//! }
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod annotations;
mod digest;
mod error;
mod fetch;
pub mod limits;
mod manifest;
mod reference;
mod registry;

pub use annotations::Annotations;
pub use error::Error;
pub use reference::Reference;
pub use registry::{Pulled, Pushed, Registry, RegistryBuilder};

/// Media type of the config blob of a CNCF wasm artifact.
pub const WASM_CONFIG_MEDIA_TYPE: &str = oci_wasm::WASM_MANIFEST_CONFIG_MEDIA_TYPE;

/// Media type of the one layer of a CNCF wasm artifact: the component itself.
pub const WASM_LAYER_MEDIA_TYPE: &str = oci_wasm::WASM_LAYER_MEDIA_TYPE;
