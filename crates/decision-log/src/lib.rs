//! The decision log: one SQLite file in which `prescreen serve` records every answer
//! it gives ([`DecisionLog`], the `decisions` table) and in which reviewers' outcomes
//! are stored beside them ([`reviews`], the `reviews` and `review_hits` tables), so a
//! per-material report can join what the filter said with what people decided.
//!
//! ```
//! use prescreen_decision_log::{Decision, DecisionLog};
//! let dir = tempfile::tempdir()?;
//! let log = DecisionLog::open(&dir.path().join("decisions.db"))?;
//! let decision = Decision { upload_id: "u1".into(), outcome: "verdict", ..Decision::default() };
//! log.record(decision); // queued; a writer thread inserts it off the request path
//! assert_eq!(log.close()?, 1); // flushed: one record written
//! assert_eq!(log.dropped(), 0);
//! let conn = prescreen_decision_log::open_database(&dir.path().join("decisions.db"))?;
//! assert_eq!(prescreen_decision_log::recorded_verdicts(&conn, "u1")?.len(), 1);
//! # Ok::<(), anyhow::Error>(())
//! ```

#![deny(missing_docs)]

mod log;
mod review;
pub mod reviews;

pub use log::{Decision, DecisionLog, RecordedVerdict, open_database, recorded_verdicts};
pub use review::{HitOutcome, Review, ReviewedHit, VerdictSource, label_str, parse_label};
