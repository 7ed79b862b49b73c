//! prescreen's wasmtime embedding: everything a gateway needs to run filter
//! components, and nothing else (no HTTP server, no database, no CLI).
//!
//! - [`Runtime`] owns the engine and linker; [`Runtime::load`] gives a [`Filter`]
//!   (one component, its `InstancePre`), and [`Filter::screen`] screens an upload in a
//!   fresh instance, a fresh `Store` per request. [`WarmInstance`] reuses one instance
//!   for several requests where a gateway chooses to.
//! - [`compile`] bakes a compiled package into the guest component and pre-initializes
//!   it (wasmtime-wizer), for the WIT filter or the wasi:http components.
//! - `HttpRuntime` runs the HTTP components in-process (build checks, tests); it and
//!   `compile::compile_http` need the `http` feature (on by default).
//!
//! ```
//! use prescreen_core::{Compiler, Upload};
//! use prescreen_runtime::{Runtime, compile};
//!
//! let package = Compiler::new().compile_strs(
//!     "name = \"demo\"\nversion = \"1\"\n",
//!     "id\tterm\tcategory\taction\ng1\tonline casino\tgambling\tblock\n",
//! )?;
//! let runtime = Runtime::new()?;
//! let built = compile::compile(&runtime, &package)?; // the component's bytes
//! let filter = runtime.load(&built.component)?;
//! let verdict = filter.screen(&Upload::text("u1", "US", "Best ONLINE casino!"))?.unwrap();
//! assert_eq!(verdict.hits[0].material_id, "g1");
//! # Ok::<(), anyhow::Error>(())
//! ```

#![deny(missing_docs)]

pub mod compile;
mod runtime;
mod ticker;
mod warm;
#[cfg(feature = "http")]
mod wasi_http;
mod wizer_state;

pub use runtime::{
    Bounds, DEFAULT_MAX_WASM_STACK, Fault, Filter, KEEP_RESIDENT_BYTES, MAX_COMPONENT_FILE_BYTES,
    Runtime, Session, read_component_file,
};
pub use ticker::{EpochTicker, TICK};
pub use warm::{RETIRE_GROWTH_BYTES, WarmInstance};
#[cfg(feature = "http")]
pub use wasi_http::{HttpRuntime, HttpService, RequestBody, WasiHttp};

/// The generic guest component, built from `crates/guest` by `build.rs`: it holds no
/// package until `compile` loads one and snapshots it.
pub const GUEST_WASM: &[u8] = include_bytes!(env!("PRESCREEN_GUEST_WASM"));

/// The generic HTTP component, built from `crates/guest-http` by `build.rs`: a
/// `wasi:http/handler@0.3.0` service that holds no package until
/// `compile::compile_http` loads one.
#[cfg(feature = "http")]
pub const HTTP_WASM: &[u8] = include_bytes!(env!("PRESCREEN_HTTP_WASM"));

/// The same for WASI 0.2 hosts, built from `crates/guest-http-p2`: a
/// `wasi:http/incoming-handler@0.2` service.
#[cfg(feature = "http")]
pub const HTTP_P2_WASM: &[u8] = include_bytes!(env!("PRESCREEN_HTTP_P2_WASM"));

/// Bindings generated from `wit/filter.wit`.
pub(crate) mod bindings {
    wasmtime::component::bindgen!({
        world: "filter",
        path: "../wit/wit",
    });
    pub(crate) use prescreen::filter::types as wit;
    prescreen_wit::conversions!(prescreen_core, crate::bindings::wit);
}
