//! What prescreen's tests share: where the repository's data is, and the named case
//! table ([`cases`], the same table core's native test runs through the component), and
//! the HTTP components' route table ([`routes`]) and a real OCI registry on loopback
//! ([`registry`]).

#![deny(missing_docs)]

#[path = "../../../packages/testdata/cases.rs"]
#[allow(missing_docs)]
pub mod cases;
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
