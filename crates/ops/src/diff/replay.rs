//! Replaying a labeled corpus through two versions of a package: which uploads'
//! verdicts change and which materials explain it, how leakage and overkill move,
//! and whether that passes the release gate. Pure functions over the two sets of
//! answers, so they are checked on hand-made tables.

use crate::eval::metrics::{Outcome, Screened, Summary, outcome};
use prescreen_core::corpus::{Label, LabeledUpload};
use prescreen_core::{Action, Hit};
use serde::Serialize;
use std::collections::BTreeMap;

/// A material as one verdict saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HitRef {
    /// The material's id.
    pub material_id: String,
    /// The revision that fired.
    pub revision: u32,
    /// The action it asks for.
    pub action: Action,
    /// Whether it only reports and never changes the verdict.
    pub detection_only: bool,
}

/// A material that fired under both versions, differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HitChange {
    /// The hit under the old version.
    pub old: HitRef,
    /// The hit under the new version.
    pub new: HitRef,
}

/// An upload whose answer differs between the versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// 1-based line in the corpus file.
    pub line: u64,
    /// The upload's id.
    pub upload_id: String,
    /// The reviewer's label.
    pub label: Label,
    /// The verdict's action, or `None` for a screen error.
    pub old_action: Option<Action>,
    /// The new version's verdict action, or `None` for a screen error.
    pub new_action: Option<Action>,
    /// `true_positive`, `leak`, `overkill`, `true_negative` or `error`.
    pub old_outcome: &'static str,
    /// The new version's outcome, named the same way.
    pub new_outcome: &'static str,
    /// Materials that fire only under the new version.
    pub gained: Vec<HitRef>,
    /// Materials that fired only under the old version.
    pub lost: Vec<HitRef>,
    /// Materials that fire under both with another revision, action or mode.
    pub changed: Vec<HitChange>,
}

/// The corpus under both versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Replay {
    /// Counts and rates under the old version.
    pub old: Summary,
    /// Counts and rates under the new version.
    pub new: Summary,
    /// New rate minus old, in percentage points (`None` when either is unknown).
    pub leakage_change_pp: Option<f64>,
    /// New overkill rate minus old, in percentage points (`None` when either is unknown).
    pub overkill_change_pp: Option<f64>,
    /// Uploads whose answer differs, in corpus order.
    pub changes: Vec<Change>,
}

/// The outcome's name in reports: `true_positive`, `leak`, `overkill`, `true_negative` or `error`.
pub fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::TruePositive => "true_positive",
        Outcome::Leak => "leak",
        Outcome::Overkill => "overkill",
        Outcome::TrueNegative => "true_negative",
        Outcome::Error => "error",
    }
}

/// Compares `old[i]` and `new[i]`, both answers for `entries[i]`.
pub fn replay(entries: &[LabeledUpload], old: &[Screened], new: &[Screened]) -> Replay {
    assert!(
        entries.len() == old.len() && entries.len() == new.len(),
        "one answer per upload and version"
    );
    let old_eval = crate::eval::metrics::evaluate(entries, old);
    let new_eval = crate::eval::metrics::evaluate(entries, new);
    let changes =
        entries.iter().zip(old.iter().zip(new)).filter_map(|(e, (o, n))| change(e, o, n)).collect();
    let pp = |a: Option<f64>, b: Option<f64>| Some((b? - a?) * 100.0);
    Replay {
        leakage_change_pp: pp(old_eval.overall.leakage_rate, new_eval.overall.leakage_rate),
        overkill_change_pp: pp(old_eval.overall.overkill_rate, new_eval.overall.overkill_rate),
        old: old_eval.overall,
        new: new_eval.overall,
        changes,
    }
}

fn change(entry: &LabeledUpload, old: &Screened, new: &Screened) -> Option<Change> {
    let hits = |s: &Screened| -> BTreeMap<String, HitRef> {
        s.as_ref()
            .map(|v| v.hits.iter().map(|h| (h.material_id.clone(), hit_ref(h))).collect())
            .unwrap_or_default()
    };
    let (before, after) = (hits(old), hits(new));
    let gained: Vec<HitRef> =
        after.iter().filter(|(id, _)| !before.contains_key(*id)).map(|(_, h)| h.clone()).collect();
    let lost: Vec<HitRef> =
        before.iter().filter(|(id, _)| !after.contains_key(*id)).map(|(_, h)| h.clone()).collect();
    let changed: Vec<HitChange> = before
        .iter()
        .filter_map(|(id, o)| {
            after.get(id).filter(|n| *n != o).map(|n| HitChange { old: o.clone(), new: n.clone() })
        })
        .collect();
    let old_action = old.as_ref().ok().map(|v| v.action);
    let new_action = new.as_ref().ok().map(|v| v.action);
    let (old_outcome, new_outcome) = (outcome(entry.label, old), outcome(entry.label, new));
    if old_action == new_action
        && old_outcome == new_outcome
        && gained.is_empty()
        && lost.is_empty()
        && changed.is_empty()
    {
        return None;
    }
    Some(Change {
        line: entry.line,
        upload_id: entry.upload.id.clone(),
        label: entry.label,
        old_action,
        new_action,
        old_outcome: outcome_name(old_outcome),
        new_outcome: outcome_name(new_outcome),
        gained,
        lost,
        changed,
    })
}

fn hit_ref(h: &Hit) -> HitRef {
    HitRef {
        material_id: h.material_id.clone(),
        revision: h.revision,
        action: h.action,
        detection_only: h.detection_only,
    }
}

/// The release gate: the largest rises in leakage and overkill rate allowed, in
/// percentage points.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Gate {
    /// Largest allowed rise of the leakage rate, in percentage points.
    pub max_leakage_increase_pp: f64,
    /// Largest allowed rise of the overkill rate, in percentage points.
    pub max_overkill_increase_pp: f64,
}

/// Why a replay fails the gate (empty: it passes).
pub fn gate_failures(replay: &Replay, gate: Gate) -> Vec<String> {
    // Rates of one corpus move in steps of 1/n; the slack only absorbs float noise.
    const SLACK: f64 = 1e-9;
    let mut out = Vec::new();
    for (what, change, max) in [
        ("leakage", replay.leakage_change_pp, gate.max_leakage_increase_pp),
        ("overkill", replay.overkill_change_pp, gate.max_overkill_increase_pp),
    ] {
        if let Some(change) = change.filter(|c| *c > max + SLACK) {
            out.push(format!("{what} rose by {change:.2} percentage points (allowed: {max})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::tests_support::{labeled, verdict};
    use Action::{Block, Pass, Review};
    use Label::{Clean, Risky};

    /// Five uploads under two versions:
    ///
    /// | # | label | old hits           | new hits                 | change                      |
    /// |---|-------|--------------------|--------------------------|-----------------------------|
    /// | 1 | risky | a:block            | a:block                  | none                        |
    /// | 2 | risky | b:review           | (none)                   | TP -> leak, b lost          |
    /// | 3 | clean | (none)             | c:review                 | TN -> overkill, c gained    |
    /// | 4 | clean | d:review           | d:review detection-only  | overkill -> TN, d changed   |
    /// | 5 | risky | (none)             | e:block                  | leak -> TP, e gained        |
    fn sample() -> (Vec<LabeledUpload>, Vec<Screened>, Vec<Screened>) {
        let mut entries = vec![
            labeled("1", "US", Risky, Some("x"), &[]),
            labeled("2", "US", Risky, Some("x"), &[]),
            labeled("3", "US", Clean, None, &[]),
            labeled("4", "US", Clean, None, &[]),
            labeled("5", "US", Risky, Some("x"), &[]),
        ];
        for (i, e) in entries.iter_mut().enumerate() {
            e.line = i as u64 + 1;
        }
        let old = vec![
            verdict(&[("a", "x", Block, false)]),
            verdict(&[("b", "x", Review, false)]),
            verdict(&[]),
            verdict(&[("d", "x", Review, false)]),
            verdict(&[]),
        ];
        let new = vec![
            verdict(&[("a", "x", Block, false)]),
            verdict(&[]),
            verdict(&[("c", "x", Review, false)]),
            verdict(&[("d", "x", Review, true)]),
            verdict(&[("e", "x", Block, false)]),
        ];
        (entries, old, new)
    }

    #[test]
    fn lists_changed_verdicts_with_the_materials_behind_them() {
        let (entries, old, new) = sample();
        let r = replay(&entries, &old, &new);
        let summary: Vec<(&str, &str, &str)> = r
            .changes
            .iter()
            .map(|c| (c.upload_id.as_str(), c.old_outcome, c.new_outcome))
            .collect();
        assert_eq!(
            summary,
            [
                ("2", "true_positive", "leak"),
                ("3", "true_negative", "overkill"),
                ("4", "overkill", "true_negative"),
                ("5", "leak", "true_positive")
            ]
        );
        assert_eq!(r.changes[0].lost[0].material_id, "b");
        assert_eq!((r.changes[0].old_action, r.changes[0].new_action), (Some(Review), Some(Pass)));
        assert_eq!(r.changes[1].gained[0].material_id, "c");
        assert!(
            r.changes[2].changed[0].new.detection_only
                && !r.changes[2].changed[0].old.detection_only
        );
        assert_eq!(r.changes[3].gained[0].action, Block);
    }

    #[test]
    fn rates_move_in_percentage_points() {
        let (entries, old, new) = sample();
        let r = replay(&entries, &old, &new);
        // Leaks 1 of 3 risky before and after (upload 2 leaks, 5 no longer does).
        assert_eq!((r.old.counts.leaks, r.new.counts.leaks), (1, 1));
        assert_eq!(r.leakage_change_pp, Some(0.0));
        // Overkill 1 of 2 clean before and after (4 passes now, 3 is stopped).
        assert_eq!(r.overkill_change_pp, Some(0.0));
        assert!(
            gate_failures(&r, Gate { max_leakage_increase_pp: 0.0, max_overkill_increase_pp: 0.0 })
                .is_empty()
        );
    }

    #[test]
    fn gate_fails_past_either_threshold() {
        let (entries, old, mut new) = sample();
        // Upload 5 leaks again: leakage 1/3 -> 2/3, +33.33 pp.
        new[4] = verdict(&[]);
        let r = replay(&entries, &old, &new);
        let pp = r.leakage_change_pp.unwrap();
        assert!((pp - 100.0 / 3.0).abs() < 1e-9, "{pp}");
        let strict = Gate { max_leakage_increase_pp: 0.0, max_overkill_increase_pp: 0.0 };
        assert_eq!(
            gate_failures(&r, strict),
            ["leakage rose by 33.33 percentage points (allowed: 0)"]
        );
        let loose = Gate { max_leakage_increase_pp: 40.0, max_overkill_increase_pp: 0.0 };
        assert!(gate_failures(&r, loose).is_empty());
        // Improvements never fail: the old answers replayed against the new ones.
        let back = replay(&entries, &new, &old);
        assert!(gate_failures(&back, strict).is_empty());
    }

    #[test]
    fn same_answers_mean_no_changes() {
        let (entries, old, _) = sample();
        let r = replay(&entries, &old, &old);
        assert!(r.changes.is_empty());
        assert_eq!((r.leakage_change_pp, r.overkill_change_pp), (Some(0.0), Some(0.0)));
    }
}
