//! What prescreen's tests share: where the repository's data is, and the named case
//! table ([`cases`], the same table core's native test runs through the component), and
//! the HTTP components' route table ([`routes`]), a real OCI registry on loopback
//! ([`registry`]) and components built once per test run ([`fixtures`]).

#![deny(missing_docs)]

#[path = "../../../packages/testdata/cases.rs"]
#[allow(missing_docs)]
pub mod cases;
pub mod fixtures;
pub mod registry;
pub mod routes;

use std::path::PathBuf;

/// The repository's root (the directory holding `packages/`).
pub fn root() -> PathBuf {
    let mut at = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !at.join("packages/ad-policy").is_dir() {
        assert!(at.pop(), "packages/ad-policy not found above {}", env!("CARGO_MANIFEST_DIR"));
    }
    at
}

/// The bundled sample package's directory, `packages/ad-policy`.
pub fn sample_dir() -> PathBuf {
    root().join("packages/ad-policy")
}

/// A file under the sample package (`uploads/risky-ru-en.json`, ...).
pub fn sample_file(relative: &str) -> PathBuf {
    sample_dir().join(relative)
}

/// The build time every test compiles the sample package with, so the sample's
/// bytes (and its digest) are the same in every test binary.
pub const SAMPLE_BUILT_AT: i64 = 1_700_000_000;

/// The sample package compiled at [`SAMPLE_BUILT_AT`].
pub fn sample_package() -> prescreen_core::Package {
    prescreen_core::Compiler::new()
        .built_at(SAMPLE_BUILT_AT)
        .and_then(|c| c.compile_dir(&sample_dir()))
        .expect("the sample package compiles")
}

/// The sample package's filter component, built by `build` once per test run and
/// shared by every test binary of the run ([`fixtures::cached`]).
pub fn sample_component(build: impl FnOnce(&prescreen_core::Package) -> Vec<u8>) -> PathBuf {
    let package = sample_package();
    fixtures::cached(&[b"filter", &package.to_bytes()], "wasm", || build(&package))
}
