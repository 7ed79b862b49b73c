//! What the CLI's test modules share: the sample package's component, built once per
//! test run (shared with the other test binaries through testkit's fixture cache) for
//! the CLI to read, and running the binary from the repository root.

use prescreen_runtime::{Runtime, compile};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn sample_component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        prescreen_testkit::sample_component(|package| {
            compile::compile(&Runtime::new().unwrap(), package).unwrap().component
        })
    })
}

/// `prescreen <args>` from the repository root, to its end.
pub fn prescreen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prescreen"))
        .args(args)
        .current_dir(prescreen_testkit::root())
        .output()
        .unwrap()
}
