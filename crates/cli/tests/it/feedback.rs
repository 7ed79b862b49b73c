//! Reviewer feedback end to end on real SQLite files: import (round trip, re-import,
//! verdicts from the decision log, bad files), the report's numbers and flags, and
//! the `prescreen feedback import` / `prescreen report` commands on the sample.

use prescreen_core::Action;
use prescreen_core::corpus::Label;
use prescreen_decision_log::{Decision, DecisionLog};
use prescreen_ops::feedback::report::{self, Bucket, FlagKind};
use prescreen_ops::feedback::{HitOutcome, Review, ReviewedHit, VerdictSource, import, store};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// A feedback line whose verdict names `hits` (all revision 1 unless given as
/// `id@rev`) from package version `version`.
fn line(
    upload: &str,
    at: &str,
    label: &str,
    hits: &[&str],
    rejected: &[&str],
    version: &str,
) -> String {
    let hits: Vec<_> = hits
        .iter()
        .map(|h| {
            let (id, rev) = h.split_once('@').map_or((*h, 1), |(i, r)| (i, r.parse().unwrap()));
            json!({"material_id": id, "revision": rev, "action": "review"})
        })
        .collect();
    let action = if hits.is_empty() { "pass" } else { "review" };
    json!({"upload_id": upload, "reviewer": "r.one", "reviewed_at": at, "label": label, "rejected": rejected,
           "verdict": {"action": action, "package_name": "p", "package_version": version, "hits": hits}})
    .to_string()
}

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("review.db")
}

fn import_text(db: &Path, text: &str) -> import::ImportSummary {
    let mut conn = store::open(db).unwrap();
    import::import(&mut conn, "f.jsonl", text, false).unwrap()
}

fn stored(db: &Path) -> Vec<Review> {
    store::reviews(&store::open(db).unwrap()).unwrap()
}

#[test]
fn import_then_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        r#"{"upload_id": "u1", "reviewer": "a.petrova", "reviewed_at": "2026-03-02T13:15:00+03:00", "label": "risky","#,
        r#" "confirmed": ["gam-en-001"], "rejected": ["gam-en-004"], "note": "casino, but not a deposit bonus","#,
        r#" "verdict": {"action": "block", "package_name": "ad-policy", "package_version": "2026.3.1","#,
        r#" "version_digest": "ab12", "decided_at": "2026-03-02T09:00:00Z", "hits": ["#,
        r#"{"material_id": "gam-en-001", "revision": 1, "category": "gambling", "action": "review", "detection_only": false,"#,
        r#" "evidence": {"kind": "text", "field": "body", "start": 0, "end": 13, "matched": "online casino"}},"#,
        r#"{"material_id": "gam-en-004", "revision": 2, "category": "gambling", "action": "block", "detection_only": true},"#,
        r#"{"material_id": "gam-en-001", "revision": 1, "category": "gambling", "action": "review"}]}}"#,
        "\n\n",
        r#"{"upload_id": "u2", "reviewer": "j.smith", "reviewed_at": "2026-03-01T08:00:00Z", "label": "clean","#,
        r#" "verdict": {"action": "review", "package_name": "ad-policy", "package_version": "2026.2.1","#,
        r#" "hits": [{"material_id": "cnt-en-010", "revision": 1, "action": "review"}]}}"#,
        "\n",
    );
    let s = import_text(&db(&dir), text);
    assert_eq!((s.imported, s.already_present, s.rejected.len()), (2, 0, 0), "{:?}", s.rejected);
    let hit =
        |id: &str, revision, category: Option<&str>, action, detection_only, outcome| ReviewedHit {
            material_id: id.into(),
            revision,
            category: category.map(Into::into),
            action,
            detection_only,
            outcome,
        };
    let expected = vec![
        // Read back in review time order: u2 was reviewed first.
        Review {
            upload_id: "u2".into(),
            reviewer: "j.smith".into(),
            reviewed_at: ts("2026-03-01T08:00:00Z"),
            label: Label::Clean,
            action: Action::Review,
            package_name: "ad-policy".into(),
            package_version: "2026.2.1".into(),
            version_digest: None,
            decided_at: None,
            verdict_source: VerdictSource::File,
            hits: vec![hit("cnt-en-010", 1, None, Action::Review, false, HitOutcome::Overturned)],
            note: None,
        },
        Review {
            upload_id: "u1".into(),
            reviewer: "a.petrova".into(),
            reviewed_at: ts("2026-03-02T10:15:00Z"),
            label: Label::Risky,
            action: Action::Block,
            package_name: "ad-policy".into(),
            package_version: "2026.3.1".into(),
            version_digest: Some("ab12".into()),
            decided_at: Some("2026-03-02T09:00:00Z".into()),
            verdict_source: VerdictSource::File,
            // The second gam-en-001 hit (another place in the text) is the same hit to judge.
            hits: vec![
                hit(
                    "gam-en-001",
                    1,
                    Some("gambling"),
                    Action::Review,
                    false,
                    HitOutcome::Confirmed,
                ),
                hit("gam-en-004", 2, Some("gambling"), Action::Block, true, HitOutcome::Overturned),
            ],
            note: Some("casino, but not a deposit bonus".into()),
        },
    ];
    assert_eq!(stored(&db(&dir)), expected);
    let conn = store::open(&db(&dir)).unwrap();
    assert_eq!(
        store::find(&conn, "u1", "a.petrova", ts("2026-03-02T10:15:00Z")).unwrap().as_ref(),
        Some(&expected[1])
    );
    assert_eq!(store::find(&conn, "u1", "j.smith", ts("2026-03-02T10:15:00Z")).unwrap(), None);
}

#[test]
fn re_import_adds_nothing_and_a_changed_review_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = [
        line("u1", "2026-03-02T10:00:00Z", "risky", &["m-a"], &[], "1"),
        line("u2", "2026-03-02T11:00:00Z", "clean", &["m-a", "m-b"], &[], "1"),
    ]
    .join("\n");
    assert_eq!(import_text(&db(&dir), &text).imported, 2);
    let again = import_text(&db(&dir), &text);
    assert_eq!((again.imported, again.already_present, again.rejected.len()), (0, 2, 0));
    // The same time written with another offset is the same review.
    let shifted = line("u1", "2026-03-02T13:00:00+03:00", "risky", &["m-a"], &[], "1");
    assert_eq!(import_text(&db(&dir), &shifted).already_present, 1);
    // A new review alongside a changed one: the file is refused whole.
    let changed = [
        line("u3", "2026-03-03T10:00:00Z", "risky", &["m-a"], &[], "1"),
        line("u1", "2026-03-02T10:00:00Z", "clean", &["m-a"], &[], "1"),
    ]
    .join("\n");
    let s = import_text(&db(&dir), &changed);
    assert_eq!((s.imported, s.rejected.len()), (0, 1));
    assert_eq!(s.rejected[0].line, 2);
    assert!(
        s.rejected[0].message.contains("already reviewed by \"r.one\""),
        "{}",
        s.rejected[0].message
    );
    assert_eq!(stored(&db(&dir)).len(), 2);
}

fn decision(
    upload: &str,
    at: &str,
    action: &str,
    hits: serde_json::Value,
    version: &str,
) -> Decision {
    Decision {
        decided_at: at.into(),
        upload_id: upload.into(),
        outcome: "verdict",
        action: action.into(),
        error: None,
        hits: hits.to_string(),
        version_digest: format!("digest-{version}"),
        package_name: "ad-policy".into(),
        package_version: version.into(),
        route: "active",
        latency_us: 120,
    }
}

#[test]
fn a_line_without_verdict_takes_the_one_the_gateway_logged() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let log = DecisionLog::open(&path).unwrap();
    let hit = |id: &str, rev: u32| json!({"material_id": id, "revision": rev, "action": "review", "detection_only": false});
    log.record(decision(
        "u1",
        "2026-03-02T09:00:00Z",
        "review",
        json!([hit("gam-en-004", 1)]),
        "2026.2.1",
    ));
    // A later screening of the same upload by the next version, still before the review.
    log.record(decision(
        "u1",
        "2026-03-02T09:30:00.5Z",
        "review",
        json!([hit("gam-en-004", 2), hit("gam-en-001", 1)]),
        "2026.3.1",
    ));
    // And one after the review: not what the reviewer saw.
    log.record(decision("u1", "2026-03-02T12:00:00Z", "pass", json!([]), "2026.3.2"));
    let mut fault = decision("u2", "2026-03-02T09:00:00Z", "review", json!([]), "2026.3.1");
    fault.outcome = "fault";
    fault.error = Some("timeout".into());
    log.record(fault);
    assert_eq!(log.close().unwrap(), 4);

    let text = concat!(
        r#"{"upload_id": "u1", "reviewer": "k.nguyen", "reviewed_at": "2026-03-02T10:00:00Z", "label": "risky", "rejected": ["gam-en-004"]}"#,
        "\n",
        r#"{"upload_id": "u2", "reviewer": "k.nguyen", "reviewed_at": "2026-03-02T10:00:00Z", "label": "clean"}"#,
        "\n",
        r#"{"upload_id": "u9", "reviewer": "k.nguyen", "reviewed_at": "2026-03-02T10:00:00Z", "label": "clean"}"#,
        "\n",
    );
    let s = import_text(&path, text);
    let problems: Vec<_> = s.rejected.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(
        problems,
        [
            (2, "no verdict given and the decision log has no verdict for upload \"u2\""),
            (3, "no verdict given and the decision log has no verdict for upload \"u9\""),
        ]
    );
    assert_eq!(s.imported, 0);

    let s = import_text(&path, text.lines().next().unwrap());
    assert_eq!((s.imported, s.rejected.len()), (1, 0));
    let r = &stored(&path)[0];
    assert_eq!(r.verdict_source, VerdictSource::DecisionLog);
    assert_eq!((r.action, r.package_version.as_str()), (Action::Review, "2026.3.1"));
    assert_eq!(r.version_digest.as_deref(), Some("digest-2026.3.1"));
    assert_eq!(r.decided_at.as_deref(), Some("2026-03-02T09:30:00.5Z"));
    let hits: Vec<_> = r
        .hits
        .iter()
        .map(|h| (h.material_id.as_str(), h.revision, h.category.clone(), h.outcome))
        .collect();
    assert_eq!(
        hits,
        [
            ("gam-en-004", 2, None, HitOutcome::Overturned),
            ("gam-en-001", 1, None, HitOutcome::Confirmed)
        ]
    );
    // The decisions table is untouched and still readable next to the reviews.
    let conn = store::open(&path).unwrap();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM decisions", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 4);
}

#[test]
fn every_bad_line_is_named_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let good = line("u1", "2026-03-02T10:00:00Z", "risky", &["m-a"], &[], "1");
    let text = [
        good.clone(),
        "not json".into(),
        line("u2", "2026-03-02T10:00:00Z", "maybe", &["m-a"], &[], "1"),
        line("u3", "yesterday", "risky", &["m-a"], &[], "1"),
        line("u4", "2026-03-02T10:00:00Z", "risky", &["m-a"], &["m-z"], "1"),
        good.clone(),
        line("u5", "2026-03-02T10:00:00Z", "risky", &["m-a", "m-a@2"], &[], "1"),
        r#"{"upload_id": "u6", "reviewer": "r", "reviewed_at": "2026-03-02T10:00:00Z", "label": "clean", "confirmed": ["m-a"], "verdict": {"action": "review", "package_name": "p", "package_version": "1", "hits": [{"material_id": "m-a", "revision": 1, "action": "review"}]}}"#.into(),
        r#"{"upload_id": "u7", "reviewer": "", "reviewed_at": "2026-03-02T10:00:00Z", "label": "clean"}"#.into(),
        r#"{"upload_id": "u8", "reviewer": "r", "reviewed_at": "2026-03-02T10:00:00Z", "label": "clean", "verdcit": {}}"#.into(),
    ]
    .join("\n");
    let s = import_text(&db(&dir), &text);
    let lines: Vec<u64> = s.rejected.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(s.imported, 0);
    let m: Vec<&str> = s.rejected.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(m[0], "invalid feedback line (column 2): expected ident");
    assert!(m[1].contains("unknown variant `maybe`, expected `risky` or `clean`"), "{}", m[1]);
    assert!(m[2].starts_with("reviewed_at \"yesterday\" is not an RFC 3339 time: "), "{}", m[2]);
    assert_eq!(m[3], "material \"m-z\" is not among the reviewed verdict's hits");
    assert_eq!(
        m[4],
        "duplicate review of upload \"u1\" by \"r.one\" at 2026-03-02T10:00:00Z (first on line 1)"
    );
    assert_eq!(m[5], "material \"m-a\" appears with revisions 1 and 2");
    assert_eq!(m[6], "a clean upload cannot confirm material \"m-a\": every hit on it is overkill");
    assert_eq!(m[7], "reviewer is empty");
    assert!(m[8].contains("unknown field `verdcit`"), "{}", m[8]);
    for d in &s.rejected {
        assert!(d.to_string().starts_with(&format!("f.jsonl:{}: ", d.line)));
        assert!(d.message.chars().next().unwrap().is_lowercase(), "{}", d.message);
    }
    assert!(stored(&db(&dir)).is_empty(), "a bad file imports nothing, the good line included");
}

#[test]
fn csv_rows_take_their_verdicts_from_the_decision_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let log = DecisionLog::open(&path).unwrap();
    let hits = json!([{"material_id": "m-a", "revision": 3, "action": "block", "detection_only": false},
                      {"material_id": "m-b", "revision": 1, "action": "review", "detection_only": false}]);
    log.record(decision("u1", "2026-03-02T09:00:00Z", "block", hits, "7"));
    log.close().unwrap();
    let csv_path = dir.path().join("reviews.csv");
    std::fs::write(
        &csv_path,
        "upload_id,reviewer,reviewed_at,label,confirmed,rejected,note\n\
         u1,a.kim,2026-03-02T10:00:00Z,risky,m-a,m-b,\"header said \"\"free\"\"\"\n\
         u1,a.kim,2026-03-02T10:00:00Z,unsure,,,\n",
    )
    .unwrap();
    let s = import::import_file(&path, &csv_path).unwrap();
    assert_eq!(s.rejected.len(), 1);
    assert_eq!(s.rejected[0].line, 3);
    assert_eq!(
        s.rejected[0].message,
        "invalid csv row: unknown variant `unsure`, expected `risky` or `clean`"
    );
    std::fs::write(
        &csv_path,
        "upload_id,reviewer,reviewed_at,label,confirmed,rejected,note\n\
         u1,a.kim,2026-03-02T10:00:00Z,risky,m-a,m-b,\"header said \"\"free\"\"\"\n",
    )
    .unwrap();
    assert_eq!(import::import_file(&path, &csv_path).unwrap().imported, 1);
    let r = &stored(&path)[0];
    assert_eq!(r.note.as_deref(), Some("header said \"free\""));
    let outcomes: Vec<_> =
        r.hits.iter().map(|h| (h.material_id.as_str(), h.revision, h.outcome)).collect();
    assert_eq!(outcomes, [("m-a", 3, HitOutcome::Confirmed), ("m-b", 1, HitOutcome::Overturned)]);
}

#[test]
fn report_numbers_on_a_hand_computed_case() {
    let dir = tempfile::tempdir().unwrap();
    // Week 2026-W10 (from 2026-03-02) and 2026-W11 (from 2026-03-09).
    let text = [
        line("r1", "2026-03-02T10:00:00Z", "risky", &["m-a"], &[], "1"),
        line("r2", "2026-03-03T10:00:00Z", "clean", &["m-a", "m-b"], &[], "1"),
        line("r3", "2026-03-04T10:00:00Z", "risky", &["m-b"], &[], "1"),
        line("r4", "2026-03-05T10:00:00Z", "clean", &[], &[], "1"),
        line("r8", "2026-03-06T10:00:00Z", "risky", &[], &[], "1"),
        line("r5", "2026-03-09T10:00:00Z", "risky", &["m-a@2"], &["m-a"], "2"),
        line("r6", "2026-03-10T10:00:00Z", "clean", &["m-a@2"], &[], "2"),
        line("r7", "2026-03-11T10:00:00Z", "risky", &["m-a@2", "m-b"], &[], "2"),
        // An appeal: r2 reviewed again in W11; only this review of r2 counts.
        line("r2", "2026-03-12T10:00:00Z", "risky", &["m-a", "m-b"], &[], "1"),
    ]
    .join("\n");
    assert_eq!(import_text(&db(&dir), &text).imported, 9);
    let r = report::build(&stored(&db(&dir)), Bucket::Week, None);
    assert_eq!(r.reviews, 8);
    let buckets: Vec<_> = r.buckets.iter().map(|b| (b.bucket.as_str(), b.reviews)).collect();
    assert_eq!(buckets, [("2026-W10", 4), ("2026-W11", 4)]);
    assert_eq!(
        (r.latest_bucket.as_deref(), r.baseline_buckets.as_slice()),
        (Some("2026-W11"), &["2026-W10".to_string()][..])
    );

    let ids: Vec<_> = r.materials.iter().map(|m| m.material_id.as_str()).collect();
    assert_eq!(ids, ["m-a", "m-b"]);
    let a = &r.materials[0];
    assert_eq!(
        (a.total.reviewed, a.total.confirmed, a.total.overturned, a.total.precision),
        (5, 3, 2, Some(0.6))
    );
    let by_bucket: Vec<_> = a
        .buckets
        .iter()
        .map(|b| {
            (
                b.bucket.as_str(),
                b.tally.reviewed,
                b.tally.confirmed,
                b.tally.overturned,
                b.tally.precision,
                b.hit_rate,
            )
        })
        .collect();
    assert_eq!(
        by_bucket,
        [("2026-W10", 1, 1, 0, Some(1.0), 0.25), ("2026-W11", 4, 2, 2, Some(0.5), 1.0)]
    );
    let revisions: Vec<_> = a
        .revisions
        .iter()
        .map(|v| {
            (
                v.revision,
                v.package_version.as_str(),
                v.tally.reviewed,
                v.tally.confirmed,
                v.tally.precision,
            )
        })
        .collect();
    assert_eq!(revisions, [(1, "1", 2, 2, Some(1.0)), (2, "2", 3, 1, Some(1.0 / 3.0))]);
    assert_eq!(
        (a.revisions[0].first_reviewed.as_str(), a.revisions[0].last_reviewed.as_str()),
        ("2026-03-02T10:00:00Z", "2026-03-12T10:00:00Z")
    );
    let b = &r.materials[1];
    assert_eq!((b.total.reviewed, b.total.confirmed, b.total.precision), (3, 3, Some(1.0)));

    let packages: Vec<_> = r
        .packages
        .iter()
        .map(|p| (p.package_version.as_str(), p.reviews, p.stopped, p.overkill, p.missed))
        .collect();
    assert_eq!(packages, [("1", 5, 3, 0, 1), ("2", 3, 3, 1, 0)]);
    assert!(
        r.flags.is_empty(),
        "4 reviewed hits in the latest week is below the minimum: {:?}",
        r.flags
    );

    // Days, and --since.
    let d = report::build(&stored(&db(&dir)), Bucket::Day, Some(ts("2026-03-09T00:00:00Z")));
    assert_eq!(d.reviews, 4);
    let days: Vec<_> = d.buckets.iter().map(|b| b.bucket.as_str()).collect();
    assert_eq!(days, ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"]);
}

/// A week of ten reviews: upload `i` (1-based) hits each material whose range holds
/// it, and the reviewer rejects the materials whose rejected range holds it.
fn week(
    prefix: &str,
    day: &str,
    plan: &[(&str, std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>)],
) -> Vec<String> {
    (1..=10)
        .map(|i| {
            let hits: Vec<&str> =
                plan.iter().filter(|(_, hit, _)| hit.contains(&i)).map(|(m, _, _)| *m).collect();
            let rejected: Vec<&str> = plan
                .iter()
                .filter(|(_, hit, rej)| hit.contains(&i) && rej.contains(&i))
                .map(|(m, _, _)| *m)
                .collect();
            line(
                &format!("{prefix}{i}"),
                &format!("{day}T{:02}:00:00Z", 8 + i),
                "risky",
                &hits,
                &rejected,
                "1",
            )
        })
        .collect()
}

#[test]
fn jumps_across_the_thresholds_are_flagged_and_others_are_not() {
    let dir = tempfile::tempdir().unwrap();
    // Uploads are numbered from 1: no upload is in this range.
    let none = 0..=0;
    let mut lines = week(
        "a",
        "2026-02-24",
        &[
            ("m-x", 1..=5, none.clone()), // 5 hits, precision 100%
            ("m-v", 5..=10, 10..=10),     // 6 hits, 5 confirmed: 83%
            ("m-u", 1..=5, none.clone()), // 5 hits, 100%
            ("m-z", 1..=2, none.clone()), // hit rate 20%
            ("m-w", 1..=3, none.clone()), // hit rate 30%
        ],
    );
    lines.extend(week(
        "b",
        "2026-03-03",
        &[
            ("m-x", 1..=5, 5..=5),        // 80%: exactly 20 points down -> flagged
            ("m-v", 5..=10, 9..=10),      // 67%: 17 points down -> not flagged
            ("m-u", 1..=4, 1..=4),        // 0%, but 4 hits is too few -> not flagged
            ("m-z", 1..=5, none.clone()), // 50%: 2.5x -> flagged
            ("m-w", 1..=5, none.clone()), // 50%: 1.7x -> not flagged
        ],
    ));
    assert_eq!(import_text(&db(&dir), &lines.join("\n")).imported, 20);
    let r = report::build(&stored(&db(&dir)), Bucket::Week, None);
    let flags: Vec<_> = r
        .flags
        .iter()
        .map(|f| {
            (f.material_id.as_str(), f.kind, f.baseline, f.latest, f.baseline_hits, f.latest_hits)
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("m-x", FlagKind::OverkillJump, 1.0, 0.8, 5, 5),
            ("m-z", FlagKind::HitRateJump, 0.2, 0.5, 2, 5)
        ]
    );
    assert_eq!(
        r.flags[0].reason,
        "precision fell from 100% to 80% (1 of 5 hits overturned in 2026-W10, revision 1)"
    );
    assert_eq!(
        r.flags[1].reason,
        "fired on 50% of reviewed uploads in 2026-W10, up from 20% (revision 1, precision 100%)"
    );
}

fn root() -> PathBuf {
    prescreen_testkit::root()
}

fn prescreen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_prescreen")).args(args).current_dir(root()).output().unwrap()
}

#[test]
fn sample_feedback_imports_once_and_the_report_flags_the_widened_material() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let db = db.to_str().unwrap();
    let o = prescreen(&["feedback", "import", "packages/ad-policy/feedback.jsonl", "--db", db]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("imported 109, already present 0, rejected 0"), "{out}");
    let o = prescreen(&["feedback", "import", "packages/ad-policy/feedback.jsonl", "--db", db]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("imported 0, already present 109, rejected 0")
    );

    let o = prescreen(&["report", "--db", db, "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let flags: Vec<_> = r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["material_id"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(flags, [("gam-en-004", "overkill_jump"), ("gam-en-004", "hit_rate_jump")]);
    assert_eq!(r["flags"][0]["latest_revisions"], json!([2]));
    let revisions = &r["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["material_id"] == "gam-en-004")
        .unwrap()["revisions"];
    let versions: Vec<_> = revisions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["revision"].as_u64().unwrap(), v["package_version"].as_str().unwrap()))
        .collect();
    assert_eq!(versions, [(1, "2026.2.1"), (2, "2026.3.1")]);

    let o = prescreen(&["report", "--db", db]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("Candidates to disable") && table.contains("overkill jump"), "{table}");

    // Every material in the sample is a real one, at a revision it has or had.
    let materials =
        std::fs::read_to_string(root().join("packages/ad-policy/materials.tsv")).unwrap();
    for m in r["materials"].as_array().unwrap() {
        let id = m["material_id"].as_str().unwrap();
        let row = materials
            .lines()
            .find(|l| l.split('\t').next() == Some(id))
            .unwrap_or_else(|| panic!("{id} is not in materials.tsv"));
        let current: u64 = row.split('\t').nth(1).unwrap().parse().unwrap();
        for v in m["revisions"].as_array().unwrap() {
            assert!(v["revision"].as_u64().unwrap() <= current, "{id}");
        }
    }

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{}\n").unwrap();
    let o = prescreen(&["feedback", "import", bad.to_str().unwrap(), "--db", db]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.jsonl:1: invalid feedback line") && err.contains("nothing was imported"),
        "{err}"
    );
    let o = prescreen(&["report", "--db", dir.path().join("typo.db").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error: no database at"));
}
