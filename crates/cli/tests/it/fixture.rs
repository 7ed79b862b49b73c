//! The sample package's component, built once per test run (shared with the other
//! test binaries through testkit's fixture cache) for the CLI to read.

use prescreen_runtime::{Runtime, compile};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn sample_component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        prescreen_testkit::sample_component(|package| {
            compile::compile(&Runtime::new().unwrap(), package).unwrap().component
        })
    })
}
