//! The bodies of prescreen's fuzz targets, one function per target, taking the
//! fuzzer's bytes.
//!
//! Two callers share them: the cargo-fuzz binaries in `fuzz/` (nightly, sanitizers,
//! coverage-guided), and `tests/replay.rs`, which runs every committed corpus input
//! through the same function on the stable toolchain so CI keeps each finding fixed.
//! A target passes an input when it returns: every error must be a typed `Err`, never
//! a panic, an abort or unbounded memory. `fuzz/README.md` says how to run them and
//! what the last runs found.

mod fixtures;
mod formats;
mod gateway;
mod sources;
mod uploads;

/// A fuzz target: its name (the `fuzz/fuzz_targets/<name>.rs` binary and the
/// `fuzz/corpus/<name>/` directory) and its body.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order `fuzz/README.md` lists them.
pub const TARGETS: &[Target] = &[
    Target { name: "package_bytes", run: formats::package_bytes },
    Target { name: "prebuilt", run: formats::prebuilt },
    Target { name: "upload_json", run: uploads::upload_json },
    Target { name: "image", run: uploads::image },
    Target { name: "vpdq", run: uploads::vpdq },
    Target { name: "source", run: sources::source },
    Target { name: "corpus_feedback", run: sources::corpus_feedback },
    Target { name: "gateway", run: gateway::gateway },
];

/// The body of the target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|t| t.name == name).map(|t| t.run)
}

/// Builds what target `name` screens with (the sample screener; for `gateway`, the
/// component and the running server) before the first input, so the fuzzer's
/// per-input timeout measures inputs, not set-up: under the address sanitizer,
/// compiling the component with an instrumented Cranelift takes over a minute.
pub fn init(name: &str) {
    match name {
        "gateway" => gateway::warm_up(),
        "upload_json" | "image" | "vpdq" | "prebuilt" => {
            fixtures::sample_screener();
        }
        _ => {}
    }
}

pub use fixtures::seeds;
