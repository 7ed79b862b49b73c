//! The feedback tables, `reviews` and `review_hits`, kept in the decision log's
//! database (opened through [`crate::open_database`], which owns the
//! `decisions` table) so reports can join reviews with the gateway's verdicts.

use crate::log as decisions;
use crate::review::{HitOutcome, Review, ReviewedHit, VerdictSource, label_str, parse_label};
use anyhow::{Context, Result, anyhow};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reviews (
    id              INTEGER PRIMARY KEY,
    upload_id       TEXT NOT NULL,
    reviewer        TEXT NOT NULL,
    reviewed_at     TEXT NOT NULL,    -- RFC 3339, UTC
    label           TEXT NOT NULL,    -- risky | clean: the reviewer's judgement of the upload
    action          TEXT NOT NULL,    -- the reviewed verdict's action
    package_name    TEXT NOT NULL,
    package_version TEXT NOT NULL,
    version_digest  TEXT,             -- SHA-256 of the compiled package, when known
    decided_at      TEXT,             -- when the verdict was given, when known
    verdict_source  TEXT NOT NULL,    -- file | decision_log
    note            TEXT,
    imported_at     TEXT NOT NULL,    -- RFC 3339, UTC
    UNIQUE (upload_id, reviewer, reviewed_at)
);
CREATE TABLE IF NOT EXISTS review_hits (
    review_id       INTEGER NOT NULL REFERENCES reviews(id),
    position        INTEGER NOT NULL, -- order in the reviewed verdict
    material_id     TEXT NOT NULL,
    revision        INTEGER NOT NULL,
    category        TEXT,
    action          TEXT NOT NULL,
    detection_only  INTEGER NOT NULL, -- 0 | 1
    outcome         TEXT NOT NULL,    -- confirmed | overturned
    PRIMARY KEY (review_id, material_id)
);
CREATE INDEX IF NOT EXISTS review_hits_material ON review_hits(material_id);
";

/// Opens (or creates) the database at `path` with the decisions and feedback tables.
pub fn open(path: &Path) -> Result<Connection> {
    let conn = decisions::open_database(path)?;
    conn.execute_batch(SCHEMA).context("cannot create the feedback tables")?;
    Ok(conn)
}

/// Writes one review and its hits (the caller holds the transaction).
pub fn insert(conn: &Connection, review: &Review, imported_at: jiff::Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reviews (upload_id, reviewer, reviewed_at, label, action, package_name, package_version,
                              version_digest, decided_at, verdict_source, note, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        review.upload_id,
        review.reviewer,
        review.reviewed_at.to_string(),
        label_str(review.label),
        review.action.as_str(),
        review.package_name,
        review.package_version,
        review.version_digest,
        review.decided_at,
        review.verdict_source.as_str(),
        review.note,
        imported_at.to_string(),
    ])?;
    let id = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO review_hits (review_id, position, material_id, revision, category, action, detection_only, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (position, h) in review.hits.iter().enumerate() {
        stmt.execute(params![
            id,
            position as i64,
            h.material_id,
            h.revision,
            h.category,
            h.action.as_str(),
            h.detection_only,
            h.outcome.as_str(),
        ])?;
    }
    Ok(())
}

/// The review `upload_id` / `reviewer` / `reviewed_at` identifies, if stored.
pub fn find(
    conn: &Connection,
    upload_id: &str,
    reviewer: &str,
    reviewed_at: jiff::Timestamp,
) -> Result<Option<Review>> {
    let row = conn
        .prepare_cached(&format!(
            "{SELECT_REVIEWS} WHERE upload_id = ?1 AND reviewer = ?2 AND reviewed_at = ?3"
        ))?
        .query_row(params![upload_id, reviewer, reviewed_at.to_string()], StoredReview::from_row)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let hits = hits(conn, Some(row.id))?.remove(&row.id).unwrap_or_default();
    Ok(Some(row.into_review(hits)?))
}

/// Every stored review, in review time order (ties in import order).
pub fn reviews(conn: &Connection) -> Result<Vec<Review>> {
    let rows = conn
        .prepare(SELECT_REVIEWS)?
        .query_map([], StoredReview::from_row)?
        .collect::<Result<Vec<_>, _>>()
        .context("cannot read the reviews table")?;
    let mut hits = hits(conn, None)?;
    let mut reviews = rows
        .into_iter()
        .map(|r| {
            let h = hits.remove(&r.id).unwrap_or_default();
            r.into_review(h)
        })
        .collect::<Result<Vec<_>>>()?;
    // A stable sort keeps import order among reviews of the same instant.
    reviews.sort_by_key(|r| r.reviewed_at);
    Ok(reviews)
}

const SELECT_REVIEWS: &str =
    "SELECT id, upload_id, reviewer, reviewed_at, label, action, package_name, package_version,
                                     version_digest, decided_at, verdict_source, note
                              FROM reviews";

/// A `reviews` row as stored, before its text columns are checked.
struct StoredReview {
    id: i64,
    upload_id: String,
    reviewer: String,
    reviewed_at: String,
    label: String,
    action: String,
    package_name: String,
    package_version: String,
    version_digest: Option<String>,
    decided_at: Option<String>,
    verdict_source: String,
    note: Option<String>,
}

impl StoredReview {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredReview> {
        Ok(StoredReview {
            id: r.get(0)?,
            upload_id: r.get(1)?,
            reviewer: r.get(2)?,
            reviewed_at: r.get(3)?,
            label: r.get(4)?,
            action: r.get(5)?,
            package_name: r.get(6)?,
            package_version: r.get(7)?,
            version_digest: r.get(8)?,
            decided_at: r.get(9)?,
            verdict_source: r.get(10)?,
            note: r.get(11)?,
        })
    }

    fn into_review(self, hits: Vec<ReviewedHit>) -> Result<Review> {
        let bad = |what: &str, value: &str| {
            anyhow!("stored review {} has an invalid {what} {value:?}", self.id)
        };
        Ok(Review {
            reviewed_at: self
                .reviewed_at
                .parse()
                .map_err(|_| bad("reviewed_at", &self.reviewed_at))?,
            label: parse_label(&self.label).ok_or_else(|| bad("label", &self.label))?,
            action: self.action.parse().map_err(|_| bad("action", &self.action))?,
            verdict_source: VerdictSource::parse(&self.verdict_source)
                .ok_or_else(|| bad("verdict source", &self.verdict_source))?,
            upload_id: self.upload_id,
            reviewer: self.reviewer,
            package_name: self.package_name,
            package_version: self.package_version,
            version_digest: self.version_digest,
            decided_at: self.decided_at,
            hits,
            note: self.note,
        })
    }
}

/// Hits by review id, in verdict order: of one review, or of all.
fn hits(conn: &Connection, review: Option<i64>) -> Result<HashMap<i64, Vec<ReviewedHit>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT review_id, material_id, revision, category, action, detection_only, outcome
         FROM review_hits WHERE ?1 IS NULL OR review_id = ?1 ORDER BY review_id, position",
    )?;
    let rows = stmt.query_map([review], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u32>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, bool>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut by_review: HashMap<i64, Vec<ReviewedHit>> = HashMap::new();
    for row in rows {
        let (id, material_id, revision, category, action, detection_only, outcome) =
            row.context("cannot read the review_hits table")?;
        let bad = |what: &str, value: &str| {
            anyhow!("stored hit of review {id} has an invalid {what} {value:?}")
        };
        let hit = ReviewedHit {
            action: action.parse().map_err(|_| bad("action", &action))?,
            outcome: HitOutcome::parse(&outcome).ok_or_else(|| bad("outcome", &outcome))?,
            material_id,
            revision,
            category,
            detection_only,
        };
        by_review.entry(id).or_default().push(hit);
    }
    Ok(by_review)
}
