//! Reviewer feedback: what human reviewers decided about screened uploads, stored
//! next to the gateway's decision log (same SQLite file), and the per-material
//! precision report built from it (`prescreen feedback import`, `prescreen report`).
//!
//! A review names the verdict that was reviewed (package version, material ids and
//! revisions) and the reviewer's label; each hit of that verdict is then confirmed or
//! overturned. Precision per material, per time bucket and per revision tells which
//! materials over-fire, and which revision started it.

pub mod cli;
pub mod import;
pub mod report;
mod table;

pub use prescreen_decision_log::reviews as store;
pub use prescreen_decision_log::{HitOutcome, Review, ReviewedHit, VerdictSource};
