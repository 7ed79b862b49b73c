//! `prescreen lint`: what is valid but probably wrong in a package.

use anyhow::Result;
use prescreen_ops::lint::{self, LintArgs};
use std::process::ExitCode;

/// Find what is valid but probably wrong in a package: duplicates, conflicts and
/// shadowing after normalization, materials that never match, terms that hit clean
/// text, stale rows. Exit 0: nothing fails; 1: errors (or warnings with `--deny
/// warnings`); 2: the package or corpus cannot be read.
#[derive(clap::Args)]
pub struct LintCommand {
    #[command(flatten)]
    args: LintArgs,
}

impl LintCommand {
    pub fn execute(self) -> Result<ExitCode> {
        Ok(lint::run(&self.args))
    }
}
