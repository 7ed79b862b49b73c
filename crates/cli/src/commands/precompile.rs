//! `prescreen precompile`: native code for this machine (`.cwasm`).

use anyhow::{Context, Result};
use prescreen_runtime::Runtime;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile a component to native code for this machine (`.cwasm`). Loading it
/// skips compilation and backs the memory image by the file: a fresh instance
/// per request is ~2.6x faster (benches/README.md). `screen` and `info` take it
/// like a `.wasm`; only use `.cwasm` files you made, like any native binary.
#[derive(clap::Args)]
pub struct PrecompileCommand {
    component: PathBuf,
    #[arg(short, long)]
    output: PathBuf,
    /// For `prescreen serve` instead: its engine bounds each request's CPU time
    /// (epoch interruption), which compiled code must be built for; such a file
    /// is for `serve` and its deploys only.
    #[arg(long)]
    serve: bool,
}

impl PrecompileCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let (component, output) = (&self.component, &self.output);
        let bytes = prescreen_runtime::read_component_file(component)?;
        let runtime = if self.serve { Runtime::interruptible(0)? } else { Runtime::new()? };
        runtime
            .load(&bytes)
            .with_context(|| format!("{} is not a filter component", component.display()))?;
        std::fs::write(output, runtime.precompile(&bytes)?)
            .with_context(|| format!("cannot write {}", output.display()))?;
        println!("precompiled {} -> {}", component.display(), output.display());
        Ok(ExitCode::SUCCESS)
    }
}
