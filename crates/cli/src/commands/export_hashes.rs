//! `prescreen export-hashes`: a package's image and video materials in an exchange
//! format (HMA, python-threatexchange).

use anyhow::{Context, Result};
use prescreen_core::Compiler;
use prescreen_core::pdq::HashFormat;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a package's image and video materials in a hash exchange format: `hma` (JSON
/// Lines of HMA bank signal bodies, id and tags in the note), `threatexchange`
/// (`signal_type signal` lines) or `threatexchange-csv`; `plain` holds images only.
#[derive(clap::Args)]
pub struct ExportHashesCommand {
    /// Package directory (holds package.toml).
    package: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Hma)]
    format: Format,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// The exchange formats, by the names `[[hash_lists]] format = ...` uses.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Format {
    Plain,
    Threatexchange,
    ThreatexchangeCsv,
    Hma,
}

impl ExportHashesCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let format = match self.format {
            Format::Plain => HashFormat::Plain,
            Format::Threatexchange => HashFormat::ThreatExchange,
            Format::ThreatexchangeCsv => HashFormat::ThreatExchangeCsv,
            Format::Hma => HashFormat::Hma,
        };
        let package = Compiler::new().compile_dir(&self.package)?;
        let text = prescreen_core::pdq::export_hashes(&package, format)?;
        match &self.output {
            Some(o) => {
                std::fs::write(o, text).with_context(|| format!("cannot write {}", o.display()))?
            }
            None => crate::output::print(&text)?,
        }
        Ok(ExitCode::SUCCESS)
    }
}
