//! `prescreen feedback import`: reviewers' outcomes from JSON Lines (or CSV) into
//! the feedback tables, all or nothing.
//!
//! A JSON line:
//!
//! ```json
//! {"upload_id": "up-001", "reviewer": "a.petrova", "reviewed_at": "2026-03-02T10:15:00Z",
//!  "label": "clean", "rejected": ["gam-en-004"], "note": "bank savings promo",
//!  "verdict": {"action": "review", "package_name": "ad-policy", "package_version": "2026.3.1",
//!              "version_digest": "<sha256, optional>", "decided_at": "<RFC 3339, optional>",
//!              "hits": [{"material_id": "gam-en-004", "revision": 2, "category": "gambling",
//!                        "action": "review", "detection_only": false}]}}
//! ```
//!
//! `label` is the reviewer's judgement of the upload (`risky` or `clean`, as in
//! labeled corpora); `confirmed` and `rejected` name hits the reviewer judged one by
//! one, and every other hit follows the label (confirmed on a risky upload,
//! overturned on a clean one). Without `verdict`, the verdict is the one the
//! gateway's decision log recorded for the upload. A CSV file (`.csv`) has the
//! columns `upload_id,reviewer,reviewed_at,label,confirmed,rejected,note`, material
//! ids space-separated, and always takes the verdict from the decision log.

use super::store;
use anyhow::{Context, Result};
use prescreen_core::corpus::{Label, shown};
use prescreen_core::{Action, Diagnostic, Limits};
use prescreen_decision_log as decisions;
use prescreen_decision_log::{HitOutcome, Review, ReviewedHit, VerdictSource};
use rusqlite::Connection;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// What an import did. When anything was rejected nothing was imported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportSummary {
    /// Reviews written by this import.
    pub imported: u64,
    /// Reviews identical to ones already stored (a re-import).
    pub already_present: u64,
    /// Every bad line, in line order.
    pub rejected: Vec<Diagnostic>,
}

/// Imports the feedback file at `path` into the database at `db` (created if absent)
/// in one transaction: any bad line and nothing is written.
pub fn import_file(db: &Path, path: &Path) -> Result<ImportSummary> {
    let text = prescreen_core::corpus::read_file(path)?;
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut conn = store::open(db)?;
    import(&mut conn, &path.display().to_string(), &text, csv)
}

/// Imports feedback `text` (JSON Lines, or CSV when `csv`); `file` names it in
/// diagnostics.
pub fn import(conn: &mut Connection, file: &str, text: &str, csv: bool) -> Result<ImportSummary> {
    let lines = if csv { parse_csv(text) } else { parse_json_lines(text) };
    let tx = conn.transaction()?;
    let now = jiff::Timestamp::now();
    let mut summary = ImportSummary::default();
    let mut seen: HashMap<(String, String, jiff::Timestamp), u64> = HashMap::new();
    for (line, parsed) in lines {
        let review = parsed.and_then(|entry| {
            let review = resolve(&tx, entry)?;
            let key = (review.upload_id.clone(), review.reviewer.clone(), review.reviewed_at);
            if let Some(first) = seen.insert(key, line) {
                return Err(format!(
                    "duplicate review of upload {:?} by {:?} at {} (first on line {first})",
                    review.upload_id, review.reviewer, review.reviewed_at
                ));
            }
            Ok(review)
        });
        let problem = match review {
            Ok(review) => {
                match store::find(&tx, &review.upload_id, &review.reviewer, review.reviewed_at)? {
                    None => {
                        store::insert(&tx, &review, now)?;
                        summary.imported += 1;
                        None
                    }
                    Some(stored) if stored == review => {
                        summary.already_present += 1;
                        None
                    }
                    Some(_) => Some(format!(
                        "upload {:?} was already reviewed by {:?} at {} with another label, verdict or note \
                     (a correction is a new review with its own reviewed_at)",
                        review.upload_id, review.reviewer, review.reviewed_at
                    )),
                }
            }
            Err(message) => Some(message),
        };
        if let Some(message) = problem {
            summary.rejected.push(Diagnostic { file: file.to_string(), line, message });
        }
    }
    if summary.rejected.is_empty() {
        tx.commit().context("cannot write the feedback tables")?;
    } else {
        // Dropping the transaction rolls it back: a bad file imports nothing.
        summary.imported = 0;
    }
    Ok(summary)
}

/// One feedback line as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    upload_id: String,
    reviewer: String,
    reviewed_at: String,
    label: Label,
    #[serde(default)]
    verdict: Option<EntryVerdict>,
    #[serde(default)]
    confirmed: Vec<String>,
    #[serde(default)]
    rejected: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

/// The reviewed verdict as a feedback line carries it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryVerdict {
    action: Action,
    hits: Vec<EntryHit>,
    package_name: String,
    package_version: String,
    #[serde(default)]
    version_digest: Option<String>,
    #[serde(default)]
    decided_at: Option<String>,
}

/// A hit as a feedback line or the decision log carries it. Other fields are
/// ignored, so a hit copied from `prescreen screen` output (with its evidence) fits.
#[derive(Deserialize)]
struct EntryHit {
    material_id: String,
    revision: u32,
    #[serde(default)]
    category: Option<String>,
    action: Action,
    #[serde(default)]
    detection_only: bool,
}

type Parsed = Vec<(u64, Result<Entry, String>)>;

fn parse_json_lines(text: &str) -> Parsed {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let entry = serde_json::from_str::<Entry>(raw).map_err(|e| {
            // serde_json ends its message with "at line 1 column N": the line is ours.
            let message = e.to_string();
            let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
            format!("invalid feedback line (column {}): {message}", e.column())
        });
        out.push((i as u64 + 1, entry));
    }
    out
}

/// A CSV row: the review without its verdict, which comes from the decision log.
#[derive(Deserialize)]
struct CsvRow {
    upload_id: String,
    reviewer: String,
    reviewed_at: String,
    label: Label,
    #[serde(default)]
    confirmed: String,
    #[serde(default)]
    rejected: String,
    #[serde(default)]
    note: String,
}

fn parse_csv(text: &str) -> Parsed {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return vec![(1, Err(format!("invalid csv header: {e}")))],
    };
    let ids = |s: String| s.split_whitespace().map(str::to_string).collect();
    let mut out = Vec::new();
    for record in reader.records() {
        let (line, entry) = match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let entry = r
                    .deserialize::<CsvRow>(Some(&headers))
                    .map_err(|e| format!("invalid csv row: {}", csv_reason(&e)));
                (line, entry)
            }
            Err(e) => (
                e.position().map_or(0, |p| p.line()),
                Err(format!("invalid csv row: {}", csv_reason(&e))),
            ),
        };
        let entry = entry.map(|r| Entry {
            upload_id: r.upload_id,
            reviewer: r.reviewer,
            reviewed_at: r.reviewed_at,
            label: r.label,
            verdict: None,
            confirmed: ids(r.confirmed),
            rejected: ids(r.rejected),
            note: Some(r.note).filter(|n| !n.is_empty()),
        });
        out.push((line, entry));
    }
    out
}

/// The csv crate's message without its position (the diagnostic names the line).
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(f) => format!("field {}: {}", f + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => e.to_string(),
    }
}

/// Checks an entry and turns it into a review, taking its verdict from the decision
/// log when the entry has none.
fn resolve(conn: &Connection, e: Entry) -> Result<Review, String> {
    if e.upload_id.trim().is_empty() {
        return Err("upload_id is empty".into());
    }
    if e.reviewer.trim().is_empty() {
        return Err("reviewer is empty".into());
    }
    // Both are stored and echoed: bounded as upload names are (issue #15).
    if e.upload_id.len() > Limits::MAX_NAME_BYTES || e.reviewer.len() > Limits::MAX_NAME_BYTES {
        return Err(format!("upload_id and reviewer are at most {} bytes", Limits::MAX_NAME_BYTES));
    }
    let reviewed_at: jiff::Timestamp = e.reviewed_at.parse().map_err(|err| {
        format!("reviewed_at {} is not an RFC 3339 time: {err}", shown(&e.reviewed_at))
    })?;
    let (verdict, source) = match e.verdict {
        Some(v) => (v, VerdictSource::File),
        None => (logged_verdict(conn, &e.upload_id, reviewed_at)?, VerdictSource::DecisionLog),
    };
    if verdict.package_name.trim().is_empty() || verdict.package_version.trim().is_empty() {
        return Err("the verdict's package_name and package_version must not be empty".into());
    }
    if let Some(d) = &verdict.decided_at {
        d.parse::<jiff::Timestamp>()
            .map_err(|err| format!("decided_at {} is not an RFC 3339 time: {err}", shown(d)))?;
    }
    let hits = judge(merge_hits(verdict.hits)?, e.label, &e.confirmed, &e.rejected)?;
    Ok(Review {
        upload_id: e.upload_id,
        reviewer: e.reviewer,
        reviewed_at,
        label: e.label,
        action: verdict.action,
        package_name: verdict.package_name,
        package_version: verdict.package_version,
        version_digest: verdict.version_digest.filter(|d| !d.is_empty()),
        decided_at: verdict.decided_at,
        verdict_source: source,
        hits,
        note: e.note.filter(|n| !n.is_empty()),
    })
}

/// The verdict the gateway recorded for `upload_id`: the last one given at or before
/// the review, else (clocks disagree) the first after it.
fn logged_verdict(
    conn: &Connection,
    upload_id: &str,
    reviewed_at: jiff::Timestamp,
) -> Result<EntryVerdict, String> {
    let recorded = decisions::recorded_verdicts(conn, upload_id).map_err(|e| format!("{e:#}"))?;
    let mut timed = Vec::with_capacity(recorded.len());
    for r in recorded {
        let at: jiff::Timestamp = r.decided_at.parse().map_err(|_| {
            format!(
                "the decision log has an invalid decided_at {:?} for upload {upload_id:?}",
                r.decided_at
            )
        })?;
        timed.push((at, r));
    }
    let chosen = match timed.iter().rposition(|(at, _)| *at <= reviewed_at) {
        Some(i) => timed.swap_remove(i).1,
        None if !timed.is_empty() => timed.swap_remove(0).1,
        None => {
            return Err(format!(
                "no verdict given and the decision log has no verdict for upload {upload_id:?}"
            ));
        }
    };
    let hits = serde_json::from_str(&chosen.hits).map_err(|err| {
        format!("the decision log's hits for upload {upload_id:?} are not valid: {err}")
    })?;
    let action = chosen.action.parse().map_err(|err| {
        format!("the decision log's action for upload {upload_id:?} is not valid: {err}")
    })?;
    Ok(EntryVerdict {
        action,
        hits,
        package_name: chosen.package_name,
        package_version: chosen.package_version,
        version_digest: Some(chosen.version_digest),
        decided_at: Some(chosen.decided_at),
    })
}

/// One entry per material: a material that fired at several places is one hit to
/// judge.
fn merge_hits(hits: Vec<EntryHit>) -> Result<Vec<EntryHit>, String> {
    let mut merged: Vec<EntryHit> = Vec::with_capacity(hits.len());
    for h in hits {
        if h.material_id.trim().is_empty() {
            return Err("a hit has an empty material_id".into());
        }
        match merged.iter_mut().find(|m| m.material_id == h.material_id) {
            Some(m) if m.revision != h.revision => {
                return Err(format!(
                    "material {:?} appears with revisions {} and {}",
                    h.material_id, m.revision, h.revision
                ));
            }
            Some(m) => {
                m.action = m.action.max(h.action);
                m.category = m.category.take().or(h.category);
                m.detection_only &= h.detection_only;
            }
            None => merged.push(h),
        }
    }
    Ok(merged)
}

/// Each hit's outcome: as the reviewer named it, else as the upload's label says.
fn judge(
    hits: Vec<EntryHit>,
    label: Label,
    confirmed: &[String],
    rejected: &[String],
) -> Result<Vec<ReviewedHit>, String> {
    for id in confirmed.iter().chain(rejected) {
        if !hits.iter().any(|h| &h.material_id == id) {
            return Err(format!("material {id:?} is not among the reviewed verdict's hits"));
        }
    }
    if let Some(id) = confirmed.iter().find(|id| rejected.contains(id)) {
        return Err(format!("material {id:?} is both confirmed and rejected"));
    }
    if label == Label::Clean
        && let Some(id) = confirmed.first()
    {
        return Err(format!(
            "a clean upload cannot confirm material {id:?}: every hit on it is overkill"
        ));
    }
    Ok(hits
        .into_iter()
        .map(|h| {
            let outcome = if confirmed.contains(&h.material_id) {
                HitOutcome::Confirmed
            } else if rejected.contains(&h.material_id) || label == Label::Clean {
                HitOutcome::Overturned
            } else {
                HitOutcome::Confirmed
            };
            ReviewedHit {
                material_id: h.material_id,
                revision: h.revision,
                category: h.category,
                action: h.action,
                detection_only: h.detection_only,
                outcome,
            }
        })
        .collect())
}
