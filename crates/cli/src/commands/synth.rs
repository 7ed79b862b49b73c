//! `prescreen synth`: a synthetic package for benchmarks.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a synthetic package directory for benchmarks.
#[derive(clap::Args)]
pub struct SynthCommand {
    /// Number of distinct terms.
    #[arg(long)]
    terms: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(short, long)]
    output: PathBuf,
}

impl SynthCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let (manifest, table) = prescreen_core::synth::package(self.terms, self.seed);
        let out = &self.output;
        let cannot = || format!("cannot write {}", out.display());
        std::fs::create_dir_all(out).with_context(cannot)?;
        std::fs::write(out.join("package.toml"), manifest).with_context(cannot)?;
        std::fs::write(out.join("materials.tsv"), table).with_context(cannot)?;
        println!("wrote {} ({} terms)", out.display(), self.terms);
        Ok(ExitCode::SUCCESS)
    }
}
