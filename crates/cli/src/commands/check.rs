//! `prescreen check`: validate a package without building it.

use anyhow::Result;
use prescreen_core::Compiler;
use std::path::PathBuf;
use std::process::ExitCode;

/// Validate a package directory without building; lists every problem found.
#[derive(clap::Args)]
pub struct CheckCommand {
    /// Package directory (holds package.toml).
    package: PathBuf,
}

impl CheckCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let p = Compiler::new().compile_dir(&self.package)?;
        crate::output::println(&format!(
            "{}: ok, {} materials ({} disabled)",
            self.package.display(),
            p.materials.len(),
            p.disabled
        ))?;
        Ok(ExitCode::SUCCESS)
    }
}
