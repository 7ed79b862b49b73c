//! `prescreen feedback import`: record reviewers' outcomes next to the decision log.

use anyhow::Result;
use prescreen_ops::feedback;
use std::path::PathBuf;
use std::process::ExitCode;

/// Reviewer feedback: record human review outcomes next to the decision log.
#[derive(clap::Args)]
pub struct FeedbackCommand {
    #[command(subcommand)]
    command: Feedback,
}

#[derive(clap::Subcommand)]
enum Feedback {
    /// Import review outcomes (JSON Lines, or CSV by extension) into a database,
    /// created if absent; all or nothing, every bad line named.
    Import {
        /// Feedback file: JSON Lines, or CSV when its name ends in `.csv` (README).
        file: PathBuf,
        /// The database (the gateway's decision log, or a file of its own).
        #[arg(long)]
        db: PathBuf,
    },
}

impl FeedbackCommand {
    pub fn execute(self) -> Result<ExitCode> {
        match self.command {
            Feedback::Import { file, db } => feedback::cli::import(&file, &db),
        }
    }
}
