//! `prescreen eval`: measure a component against a labeled corpus.

use anyhow::Result;
use prescreen_ops::eval;
use std::process::ExitCode;

/// Measure a component against a labeled corpus: precision, recall, leakage and
/// overkill overall, per category, market and material (README: "Evaluating a package").
#[derive(clap::Args)]
pub struct EvalCommand {
    #[command(flatten)]
    args: eval::Args,
}

impl EvalCommand {
    pub fn execute(self) -> Result<ExitCode> {
        eval::command(self.args)
    }
}
