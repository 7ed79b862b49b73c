//! Package operations over built components, what operators run beside the gateway:
//!
//! - [`eval`]: screen a labeled corpus and measure precision, recall, leakage and
//!   overkill overall, per category, market and material (`prescreen eval`);
//! - [`diff`]: materials added, removed and changed between two builds, and with a
//!   corpus the verdicts that change and a leakage/overkill gate (`prescreen diff`);
//! - [`feedback`]: reviewers' outcomes imported next to the decision log, and the
//!   per-material precision report (`prescreen feedback import`, `prescreen report`;
//!   the `feedback` feature, on by default);
//! - [`lint`]: the package linter's terminal and JSON output (`prescreen lint`);
//! - [`hash`]: PDQ hashes of image files and vPDQ hashes of videos (ffmpeg).
//!
//! Each module's `Args` is the subcommand's flags and `command` runs it; the metrics,
//! reports and readers under them are plain functions over core types.

#![deny(missing_docs)]

pub mod diff;
pub mod eval;
#[cfg(feature = "feedback")]
pub mod feedback;
pub mod hash;
pub mod lint;
pub mod terminal;
