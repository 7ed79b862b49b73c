//! The `prescreen feedback import` and `prescreen report` commands: run, print,
//! and choose the exit code.

use super::report::{self, Bucket};
use super::{import, store, table};
use anyhow::{Result, bail};
use std::path::Path;
use std::process::ExitCode;

/// How `prescreen report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Terminal tables.
    Table,
    /// The report as one JSON object (README: "Reviewer feedback").
    Json,
}

/// Imports `file` into `db`; prints the counts, and every rejected line on stderr.
/// Exit 1 when anything was rejected (and so nothing imported).
pub fn import(file: &Path, db: &Path) -> Result<ExitCode> {
    let s = import::import_file(db, file)?;
    for d in &s.rejected {
        eprintln!("{d}");
    }
    println!(
        "{}: imported {}, already present {}, rejected {}",
        file.display(),
        s.imported,
        s.already_present,
        s.rejected.len()
    );
    if s.rejected.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: {} bad line(s); nothing was imported", s.rejected.len());
        Ok(ExitCode::FAILURE)
    }
}

/// Prints the report on the reviews in `db`.
pub fn report(db: &Path, since: Option<&str>, bucket: Bucket, format: Format) -> Result<ExitCode> {
    // Opening would create an empty database: a mistyped path should say so instead.
    if !db.exists() {
        bail!("no database at {}", db.display());
    }
    let since = since.map(parse_since).transpose()?;
    let reviews = store::reviews(&store::open(db)?)?;
    let report = report::build(&reviews, bucket, since);
    match format {
        Format::Table => crate::terminal::print(&table::render(&report))?,
        Format::Json => crate::terminal::print(&(serde_json::to_string_pretty(&report)? + "\n"))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `--since`: a date (midnight UTC) or an RFC 3339 time.
pub fn parse_since(s: &str) -> Result<jiff::Timestamp> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    match s.parse::<jiff::civil::Date>() {
        Ok(d) => Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp()),
        Err(_) => bail!("--since {s:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time"),
    }
}
