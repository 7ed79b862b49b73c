//! The decision log: every answer `/v1/screen` gives (upload id, outcome, action,
//! hits, version, latency) recorded in an SQLite database, for reviewers' feedback
//! tooling to join against (issue #5 reads the same file).
//!
//! The request path never waits on the disk: records go through a bounded channel
//! to one writer thread, which inserts them in batches, one transaction each. When
//! the channel is full the record is counted as dropped (logged when the server
//! stops) rather than slowing the gateway down. [`DecisionLog::close`] flushes
//! everything queued, so a clean shutdown loses nothing.

use anyhow::{Context, Result};
use prometheus_client::metrics::counter::Counter;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// Records that may wait for the writer: at 20k requests/s, about 3 s of traffic.
const QUEUE: usize = 65_536;
/// Records per transaction: one fsync per batch instead of per record.
const BATCH: usize = 512;
/// Longest a record waits in a partial batch before it is written.
const FLUSH_EVERY: Duration = Duration::from_millis(200);
/// Longest a connection waits for another's write lock: far above a batch or a
/// feedback import, far below anything a person would call a hang.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    id              INTEGER PRIMARY KEY,
    decided_at      TEXT NOT NULL,    -- RFC 3339, UTC
    upload_id       TEXT NOT NULL,
    outcome         TEXT NOT NULL,    -- verdict | screen_error | fault
    action          TEXT NOT NULL,    -- the verdict's action, or the fallback applied
    error           TEXT,             -- error kind when outcome is not verdict
    hits            TEXT NOT NULL,    -- JSON: [{material_id, revision, action, detection_only}]
    version_digest  TEXT NOT NULL,    -- SHA-256 of the compiled package that decided
    package_name    TEXT NOT NULL,
    package_version TEXT NOT NULL,
    route           TEXT NOT NULL,    -- active | canary
    latency_us      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_upload ON decisions(upload_id);
CREATE INDEX IF NOT EXISTS decisions_version ON decisions(version_digest);
";

/// One answer, as recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    /// When the gateway answered (RFC 3339, UTC).
    pub decided_at: String,
    /// The upload's id, as the request gave it.
    pub upload_id: String,
    /// `verdict`, `screen_error` or `fault`.
    pub outcome: &'static str,
    /// The verdict's action, or the fallback the gateway answered with.
    pub action: String,
    /// The error kind, for screen errors and faults.
    pub error: Option<String>,
    /// JSON array of the hits' ids, revisions, actions and shadow flags.
    pub hits: String,
    /// SHA-256 of the compiled package that decided.
    pub version_digest: String,
    /// Name of that package.
    pub package_name: String,
    /// Version of that package.
    pub package_version: String,
    /// `active` or `canary`: which slot answered.
    pub route: &'static str,
    /// Time the gateway spent on the request, in microseconds.
    pub latency_us: u64,
}

/// The log: a sender for the request path and the writer thread behind it.
pub struct DecisionLog {
    sender: Mutex<Option<SyncSender<Decision>>>,
    writer: Mutex<Option<JoinHandle<Result<u64>>>>,
    /// Shared with `/metrics` (`prescreen_decision_log_dropped_total`).
    dropped: Counter,
}

impl DecisionLog {
    /// Opens (or creates) the database at `path` and starts the writer.
    pub fn open(path: &Path) -> Result<DecisionLog> {
        let conn = open_database(path)?;
        let (sender, receiver) = sync_channel(QUEUE);
        let writer = std::thread::Builder::new()
            .name("prescreen-decisions".into())
            .spawn(move || write_all(conn, receiver))
            .context("cannot start the decision log writer")?;
        Ok(DecisionLog {
            sender: Mutex::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
            dropped: Counter::default(),
        })
    }

    /// Queues a record without waiting; counts it as dropped if the queue is full
    /// or the log is closed.
    pub fn record(&self, decision: Decision) {
        let sender = self.sender.lock().ok().and_then(|s| s.clone());
        let sent = match sender {
            Some(s) => match s.try_send(decision) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            },
            None => false,
        };
        if !sent {
            self.dropped.inc();
        }
    }

    /// Records not written because the queue was full or the log closed.
    pub fn dropped(&self) -> u64 {
        self.dropped.get()
    }

    /// The dropped-record counter, for the metrics registry.
    pub fn dropped_counter(&self) -> Counter {
        self.dropped.clone()
    }

    /// Stops taking records, writes everything queued, and returns how many records
    /// the writer wrote in all. Later calls return 0.
    pub fn close(&self) -> Result<u64> {
        drop(self.sender.lock().ok().and_then(|mut s| s.take()));
        let writer = self.writer.lock().ok().and_then(|mut w| w.take());
        match writer {
            Some(w) => w.join().map_err(|_| anyhow::anyhow!("the decision log writer panicked"))?,
            None => Ok(0),
        }
    }
}

/// Opens (or creates) the database at `path` with the decisions table: the one file
/// the gateway writes and reviewers' feedback tooling (`prescreen-ops`' feedback) adds its own
/// tables to, so reports can join them.
pub fn open_database(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("cannot open decision log {}", path.display()))?;
    // WAL: readers (reports) do not block the writer, and commits are cheap.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A feedback import and the gateway's writer may want the write lock at once:
    // wait for the other's transaction rather than fail.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(SCHEMA).context("cannot create the decisions table")?;
    Ok(conn)
}

/// A verdict the log recorded (outcome `verdict`), as feedback import reads it back.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedVerdict {
    /// When the gateway answered (RFC 3339, UTC).
    pub decided_at: String,
    /// The verdict's action.
    pub action: String,
    /// JSON array, as in [`Decision::hits`].
    pub hits: String,
    /// SHA-256 of the compiled package that decided.
    pub version_digest: String,
    /// Name of that package.
    pub package_name: String,
    /// Version of that package.
    pub package_version: String,
}

/// Every verdict recorded for `upload_id`, oldest first (screen errors and faults
/// carry no verdict and are left out).
pub fn recorded_verdicts(conn: &Connection, upload_id: &str) -> Result<Vec<RecordedVerdict>> {
    let mut stmt = conn.prepare_cached(
        "SELECT decided_at, action, hits, version_digest, package_name, package_version
         FROM decisions WHERE upload_id = ?1 AND outcome = 'verdict' ORDER BY id",
    )?;
    let rows = stmt.query_map([upload_id], |r| {
        Ok(RecordedVerdict {
            decided_at: r.get(0)?,
            action: r.get(1)?,
            hits: r.get(2)?,
            version_digest: r.get(3)?,
            package_name: r.get(4)?,
            package_version: r.get(5)?,
        })
    })?;
    rows.collect::<Result<_, _>>().context("cannot read the decision log")
}

/// The writer thread: batches records into transactions until the sender is gone.
fn write_all(mut conn: Connection, receiver: Receiver<Decision>) -> Result<u64> {
    let mut written = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let open = match receiver.recv_timeout(FLUSH_EVERY) {
            Ok(d) => {
                batch.push(d);
                // Take whatever else is already queued, up to a batch.
                while batch.len() < BATCH {
                    match receiver.try_recv() {
                        Ok(d) => batch.push(d),
                        Err(_) => break,
                    }
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        };
        if !batch.is_empty() {
            written += insert(&mut conn, &batch)?;
            batch.clear();
        }
        if !open {
            return Ok(written);
        }
    }
}

fn insert(conn: &mut Connection, batch: &[Decision]) -> Result<u64> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO decisions (decided_at, upload_id, outcome, action, error, hits, version_digest,
                                    package_name, package_version, route, latency_us)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for d in batch {
            stmt.execute(rusqlite::params![
                d.decided_at,
                d.upload_id,
                d.outcome,
                d.action,
                d.error,
                d.hits,
                d.version_digest,
                d.package_name,
                d.package_version,
                d.route,
                d.latency_us as i64,
            ])?;
        }
    }
    tx.commit().context("cannot write to the decision log")?;
    Ok(batch.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(i: u64) -> Decision {
        Decision {
            decided_at: "2026-11-23T00:00:00Z".into(),
            upload_id: format!("u{i}"),
            outcome: "verdict",
            action: "pass".into(),
            error: None,
            hits: "[]".into(),
            version_digest: "d".into(),
            package_name: "p".into(),
            package_version: "1".into(),
            route: "active",
            latency_us: i,
        }
    }

    #[test]
    fn close_writes_everything_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.sqlite");
        let log = DecisionLog::open(&path).unwrap();
        for i in 0..2_000 {
            log.record(decision(i));
        }
        assert_eq!(log.close().unwrap(), 2_000);
        assert_eq!(log.close().unwrap(), 0, "closing twice is harmless");
        log.record(decision(9));
        assert_eq!(log.dropped(), 1, "a record after close is counted, not lost silently");
        let conn = Connection::open(&path).unwrap();
        let (n, sum): (i64, i64) = conn
            .query_row("SELECT COUNT(*), SUM(latency_us) FROM decisions", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((n, sum), (2_000, (0..2_000).sum::<i64>()));
        // Reopening keeps the rows and appends.
        let log = DecisionLog::open(&path).unwrap();
        log.record(decision(1));
        assert_eq!(log.close().unwrap(), 1);
    }
}
