//! `prescreen diff`: compare two builds, and gate on a corpus.

use anyhow::Result;
use prescreen_ops::diff;
use std::process::ExitCode;

/// Compare two builds: materials added, removed and changed; with a corpus, changed
/// verdicts and leakage/overkill, failing (exit 3) past the allowed increase.
#[derive(clap::Args)]
pub struct DiffCommand {
    #[command(flatten)]
    args: diff::Args,
}

impl DiffCommand {
    pub fn execute(self) -> Result<ExitCode> {
        diff::command(self.args)
    }
}
