//! `prescreen report`: per-material precision from reviewer feedback.

use anyhow::Result;
use prescreen_ops::feedback::{self, report::Bucket};
use std::path::PathBuf;
use std::process::ExitCode;

/// Per-material precision over time and per revision, from reviewer feedback;
/// flags materials whose overkill or hit rate jumped (candidates to disable).
#[derive(clap::Args)]
pub struct ReportCommand {
    /// The database holding the feedback (and the decision log).
    #[arg(long)]
    db: PathBuf,
    /// Leave out reviews before this date (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Time buckets precision is tallied in and flags compare.
    #[arg(long, value_enum, default_value = "week")]
    bucket: Bucket,
    #[arg(long, value_enum, default_value = "table")]
    format: feedback::cli::Format,
}

impl ReportCommand {
    pub fn execute(self) -> Result<ExitCode> {
        feedback::cli::report(&self.db, self.since.as_deref(), self.bucket, self.format)
    }
}
