//! The measures `prescreen eval` reports, as pure functions of the reviewer's labels
//! and the component's answers: no wasmtime here, so every figure can be checked by
//! hand on small tables (see the tests).
//!
//! An upload is *stopped* when its verdict's action is review or block. Risky and
//! stopped is a true positive, risky and passed a *leak*, clean and stopped
//! *overkill*, clean and passed a true negative. An upload the component could not
//! screen is an *error*: counted and listed, but in none of the four cells, so the
//! rates are over the uploads that got a verdict.

use prescreen_core::corpus::{Label, LabeledUpload};
use prescreen_core::{Action, Evidence, Hit, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;

/// What screening one upload gave: the verdict, or why there is none (the
/// component's typed error or a host fault, as text).
pub type Screened = Result<Verdict, String>;

/// Where one upload lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Risky and stopped.
    TruePositive,
    /// Risky and passed.
    Leak,
    /// Clean and stopped.
    Overkill,
    /// Clean and passed.
    TrueNegative,
    /// Not screened: the component or the host failed.
    Error,
}

/// Whether a verdict stops the upload (sends it to review or blocks it).
pub fn stopped(verdict: &Verdict) -> bool {
    verdict.action != Action::Pass
}

/// Where an upload with this label and answer lands.
pub fn outcome(label: Label, screened: &Screened) -> Outcome {
    match (label, screened) {
        (_, Err(_)) => Outcome::Error,
        (Label::Risky, Ok(v)) if stopped(v) => Outcome::TruePositive,
        (Label::Risky, Ok(_)) => Outcome::Leak,
        (Label::Clean, Ok(v)) if stopped(v) => Outcome::Overkill,
        (Label::Clean, Ok(_)) => Outcome::TrueNegative,
    }
}

/// Counts of a set of uploads; `risky` and `clean` include their errors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// All uploads counted, errors included.
    pub uploads: u32,
    /// Uploads labeled risky.
    pub risky: u32,
    /// Uploads labeled clean.
    pub clean: u32,
    /// Risky uploads stopped.
    pub true_positives: u32,
    /// Risky uploads passed.
    pub leaks: u32,
    /// Clean uploads stopped.
    pub overkill: u32,
    /// Clean uploads passed.
    pub true_negatives: u32,
    /// Uploads without a verdict.
    pub errors: u32,
}

impl Confusion {
    /// Counts one upload with its label and where it landed.
    pub fn add(&mut self, label: Label, outcome: Outcome) {
        self.uploads += 1;
        match label {
            Label::Risky => self.risky += 1,
            Label::Clean => self.clean += 1,
        }
        match outcome {
            Outcome::TruePositive => self.true_positives += 1,
            Outcome::Leak => self.leaks += 1,
            Outcome::Overkill => self.overkill += 1,
            Outcome::TrueNegative => self.true_negatives += 1,
            Outcome::Error => self.errors += 1,
        }
    }

    /// Stopped uploads that were risky: TP / (TP + overkill).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.true_positives, self.true_positives + self.overkill)
    }

    /// Risky uploads that were stopped: TP / (TP + leaks).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.true_positives, self.true_positives + self.leaks)
    }

    /// Risky uploads that passed: leaks / (TP + leaks), i.e. 1 - recall.
    pub fn leakage_rate(&self) -> Option<f64> {
        ratio(self.leaks, self.true_positives + self.leaks)
    }

    /// Clean uploads that were stopped: overkill / (overkill + TN).
    pub fn overkill_rate(&self) -> Option<f64> {
        ratio(self.overkill, self.overkill + self.true_negatives)
    }

    /// The counts with their rates.
    pub fn summary(&self) -> Summary {
        Summary {
            counts: *self,
            precision: self.precision(),
            recall: self.recall(),
            leakage_rate: self.leakage_rate(),
            overkill_rate: self.overkill_rate(),
        }
    }
}

/// `None` when there is nothing to divide by: a rate of no uploads is unknown, not 0.
pub fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

/// Counts with their rates, as reported.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The counts the rates come from.
    #[serde(flatten)]
    pub counts: Confusion,
    /// See [`Confusion::precision`]; `None` when nothing was stopped.
    pub precision: Option<f64>,
    /// See [`Confusion::recall`]; `None` without risky verdicts.
    pub recall: Option<f64>,
    /// See [`Confusion::leakage_rate`]; `None` without risky verdicts.
    pub leakage_rate: Option<f64>,
    /// See [`Confusion::overkill_rate`]; `None` without clean verdicts.
    pub overkill_rate: Option<f64>,
}

/// The summary of one group of uploads (a category or a market).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    /// The category or market; `None` for uploads without a category.
    pub key: Option<String>,
    /// Counts and rates of the group.
    #[serde(flatten)]
    pub summary: Summary,
}

/// How one material did across the corpus. Counts are uploads, not matches: a
/// material that fires in the title and the body of one upload has one hit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialStats {
    /// The material's id.
    pub material_id: String,
    /// The revision that fired (the highest seen, should a corpus span builds).
    pub revision: u32,
    /// The material's category (at that revision).
    pub category: String,
    /// The action it asks for (at that revision).
    pub action: Action,
    /// Whether it only reports and never changes a verdict (at that revision).
    pub detection_only: bool,
    /// Uploads it fired on (errors have no hits).
    pub hits: u32,
    /// Hits on risky uploads that the reviewer confirmed: the upload's `materials`
    /// lists it, or lists none and the upload's category is the material's.
    pub confirmed: u32,
    /// Hits on risky uploads not confirmed (another material was the reason).
    pub unconfirmed: u32,
    /// Hits on clean uploads.
    pub false_hits: u32,
    /// confirmed / hits.
    pub precision: Option<f64>,
}

/// One material of a listed upload's verdict, with its first evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseHit {
    /// The material's id.
    pub material_id: String,
    /// The revision that fired.
    pub revision: u32,
    /// The material's category.
    pub category: String,
    /// The action it asks for.
    pub action: Action,
    /// Whether it only reports and never changes the verdict.
    pub detection_only: bool,
    /// Where it fired: `field: "matched text"`, `image NAME (distance D)` or
    /// `video NAME (F frames)`.
    pub evidence: String,
}

/// A leaked or overkilled upload and the hits that explain it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    /// 1-based line in the corpus file.
    pub line: u64,
    /// The upload's id.
    pub upload_id: String,
    /// The upload's market.
    pub market: String,
    /// The category the reviewer assigned; `None` when none was.
    pub category: Option<String>,
    /// The verdict's action.
    pub action: Action,
    /// The verdict's materials, the first hit of each, in the verdict's order.
    pub hits: Vec<CaseHit>,
    /// The reviewer's note, if any.
    pub note: Option<String>,
}

/// An upload the component did not screen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorCase {
    /// 1-based line in the corpus file.
    pub line: u64,
    /// The upload's id.
    pub upload_id: String,
    /// The reviewer's label.
    pub label: Label,
    /// Why there is no verdict: the component's error, or `host: ...` for a host fault.
    pub error: String,
}

/// Everything `eval` measures on a corpus.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Counts and rates of the whole corpus.
    pub overall: Summary,
    /// By the label's category; uploads without one last (`key: null`).
    pub by_category: Vec<Group>,
    /// By the upload's market, in market order.
    pub by_market: Vec<Group>,
    /// Materials that fired, most hits first.
    pub materials: Vec<MaterialStats>,
    /// Risky uploads that passed, in corpus order.
    pub leaks: Vec<Case>,
    /// Clean uploads that were stopped, in corpus order.
    pub overkill: Vec<Case>,
    /// Uploads without a verdict, in corpus order.
    pub errors: Vec<ErrorCase>,
}

/// Measures `screened[i]` (the answer for `entries[i]`) against the labels.
pub fn evaluate(entries: &[LabeledUpload], screened: &[Screened]) -> Evaluation {
    assert_eq!(entries.len(), screened.len(), "one answer per upload");
    let mut overall = Confusion::default();
    // `Option<String>` orders `None` first; categories are keyed so it sorts last.
    let mut by_category: BTreeMap<(bool, Option<String>), Confusion> = BTreeMap::new();
    let mut by_market: BTreeMap<String, Confusion> = BTreeMap::new();
    let mut materials: BTreeMap<String, MaterialStats> = BTreeMap::new();
    let (mut leaks, mut overkill, mut errors) = (Vec::new(), Vec::new(), Vec::new());

    for (entry, answer) in entries.iter().zip(screened) {
        let outcome = outcome(entry.label, answer);
        overall.add(entry.label, outcome);
        by_category
            .entry((entry.category.is_none(), entry.category.clone()))
            .or_default()
            .add(entry.label, outcome);
        by_market.entry(entry.upload.market.clone()).or_default().add(entry.label, outcome);
        let verdict = match answer {
            Ok(v) => v,
            Err(error) => {
                errors.push(ErrorCase {
                    line: entry.line,
                    upload_id: entry.upload.id.clone(),
                    label: entry.label,
                    error: error.clone(),
                });
                continue;
            }
        };
        let hits = first_hit_per_material(verdict);
        for hit in &hits {
            count_hit(&mut materials, entry, hit);
        }
        let case = || Case {
            line: entry.line,
            upload_id: entry.upload.id.clone(),
            market: entry.upload.market.clone(),
            category: entry.category.clone(),
            action: verdict.action,
            hits: hits.iter().map(|h| case_hit(h)).collect(),
            note: entry.note.clone(),
        };
        match outcome {
            Outcome::Leak => leaks.push(case()),
            Outcome::Overkill => overkill.push(case()),
            _ => {}
        }
    }

    let mut materials: Vec<MaterialStats> = materials.into_values().collect();
    for m in &mut materials {
        m.precision = ratio(m.confirmed, m.hits);
    }
    materials.sort_by(|a, b| b.hits.cmp(&a.hits).then_with(|| a.material_id.cmp(&b.material_id)));
    Evaluation {
        overall: overall.summary(),
        by_category: by_category
            .into_iter()
            .map(|((_, key), c)| Group { key, summary: c.summary() })
            .collect(),
        by_market: by_market
            .into_iter()
            .map(|(key, c)| Group { key: Some(key), summary: c.summary() })
            .collect(),
        materials,
        leaks,
        overkill,
        errors,
    }
}

/// A verdict's hits, one per material (the first, in the verdict's order).
fn first_hit_per_material(verdict: &Verdict) -> Vec<&Hit> {
    let mut seen = std::collections::HashSet::new();
    verdict.hits.iter().filter(|h| seen.insert(h.material_id.as_str())).collect()
}

fn count_hit(materials: &mut BTreeMap<String, MaterialStats>, entry: &LabeledUpload, hit: &Hit) {
    let m = materials.entry(hit.material_id.clone()).or_insert_with(|| MaterialStats {
        material_id: hit.material_id.clone(),
        revision: hit.revision,
        category: hit.category.clone(),
        action: hit.action,
        detection_only: hit.detection_only,
        hits: 0,
        confirmed: 0,
        unconfirmed: 0,
        false_hits: 0,
        precision: None,
    });
    if hit.revision > m.revision {
        m.revision = hit.revision;
        m.category = hit.category.clone();
        m.action = hit.action;
        m.detection_only = hit.detection_only;
    }
    m.hits += 1;
    match entry.label {
        Label::Clean => m.false_hits += 1,
        Label::Risky if confirms(entry, hit) => m.confirmed += 1,
        Label::Risky => m.unconfirmed += 1,
    }
}

/// Whether the reviewer's label confirms a hit on a risky upload.
pub fn confirms(entry: &LabeledUpload, hit: &Hit) -> bool {
    if entry.materials.is_empty() {
        entry.category.as_deref() == Some(hit.category.as_str())
    } else {
        entry.materials.contains(&hit.material_id)
    }
}

fn case_hit(hit: &Hit) -> CaseHit {
    CaseHit {
        material_id: hit.material_id.clone(),
        revision: hit.revision,
        category: hit.category.clone(),
        action: hit.action,
        detection_only: hit.detection_only,
        evidence: evidence(&hit.evidence),
    }
}

/// How a hit or material acts on verdicts: its action, marked when detection-only
/// (then it never changes one).
pub fn acts(action: Action, detection_only: bool) -> String {
    if detection_only { format!("{action}, detection only") } else { action.to_string() }
}

/// One line saying where a hit fired.
pub fn evidence(e: &Evidence) -> String {
    match e {
        Evidence::Text(t) => format!("{}: {:?}", t.field, t.matched),
        Evidence::Image(i) => format!("image {} (distance {})", i.image, i.distance),
        Evidence::Video(v) => format!("video {} ({} frames)", v.video, v.matched_frames),
    }
}

/// Builders of labeled uploads and verdicts for the metric and replay tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::Screened;
    use prescreen_core::corpus::{Label, LabeledUpload};
    use prescreen_core::{Action, Evidence, Hit, TextEvidence, Upload, Verdict};

    /// A labeled upload: `(id, market, label, category, confirmed materials)`.
    pub(crate) fn labeled(
        id: &str,
        market: &str,
        label: Label,
        category: Option<&str>,
        materials: &[&str],
    ) -> LabeledUpload {
        LabeledUpload {
            upload: Upload::text(id, market, ""),
            label,
            category: category.map(String::from),
            materials: materials.iter().map(|m| m.to_string()).collect(),
            note: None,
            line: 0,
        }
    }

    /// A verdict of `hits`: `(material, category, action, detection_only)`; its
    /// action is the strictest non-detection-only one, as the screener decides.
    pub(crate) fn verdict(hits: &[(&str, &str, Action, bool)]) -> Screened {
        let action = hits.iter().filter(|h| !h.3).map(|h| h.2).max().unwrap_or(Action::Pass);
        Ok(Verdict {
            upload_id: String::new(),
            action,
            hits: hits
                .iter()
                .map(|&(id, category, action, detection_only)| Hit {
                    material_id: id.into(),
                    revision: 1,
                    category: category.into(),
                    action,
                    detection_only,
                    evidence: Evidence::Text(TextEvidence {
                        field: "body".into(),
                        start: 0,
                        end: 1,
                        matched: id.into(),
                        evasions: Vec::new(),
                    }),
                })
                .collect(),
            truncated: false,
            notes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::{labeled, verdict};
    use super::*;

    use Action::{Block, Pass, Review};
    use Label::{Clean, Risky};

    /// Ten uploads, counted by hand:
    ///
    /// | # | label | category | market | hits (material:action)      | outcome  |
    /// |---|-------|----------|--------|-----------------------------|----------|
    /// | 1 | risky | gambling | RU     | g1:block                    | TP       |
    /// | 2 | risky | gambling | RU     | g2:review, g1:block         | TP       |
    /// | 3 | risky | gambling | US     | j:pass                      | leak     |
    /// | 4 | risky | drugs    | US     | (none)                      | leak     |
    /// | 5 | risky | drugs    | US     | d1:review                   | TP       |
    /// | 6 | clean | gambling | US     | g2:review                   | overkill |
    /// | 7 | clean | -        | US     | j:pass                      | TN       |
    /// | 8 | clean | -        | RU     | (none)                      | TN       |
    /// | 9 | clean | -        | RU     | s:block, detection-only     | TN       |
    /// |10 | risky | drugs    | RU     | error                       | error    |
    fn sample() -> (Vec<LabeledUpload>, Vec<Screened>) {
        let entries = vec![
            labeled("1", "RU", Risky, Some("gambling"), &["g1"]),
            labeled("2", "RU", Risky, Some("gambling"), &["g1"]),
            labeled("3", "US", Risky, Some("gambling"), &[]),
            labeled("4", "US", Risky, Some("drugs"), &[]),
            labeled("5", "US", Risky, Some("drugs"), &[]),
            labeled("6", "US", Clean, Some("gambling"), &[]),
            labeled("7", "US", Clean, None, &[]),
            labeled("8", "RU", Clean, None, &[]),
            labeled("9", "RU", Clean, None, &[]),
            labeled("10", "RU", Risky, Some("drugs"), &[]),
        ];
        let screened = vec![
            verdict(&[("g1", "gambling", Block, false)]),
            verdict(&[
                ("g2", "gambling", Review, false),
                ("g1", "gambling", Block, false),
                ("g1", "gambling", Block, false),
            ]),
            verdict(&[("j", "gambling", Pass, false)]),
            verdict(&[]),
            verdict(&[("d1", "drugs", Review, false)]),
            verdict(&[("g2", "gambling", Review, false)]),
            verdict(&[("j", "gambling", Pass, false)]),
            verdict(&[]),
            verdict(&[("s", "evasion", Block, true)]),
            Err("invalid upload: bad image".into()),
        ];
        (entries, screened)
    }

    #[test]
    fn overall_counts_and_rates() {
        let (entries, screened) = sample();
        let e = evaluate(&entries, &screened);
        let c = e.overall.counts;
        assert_eq!(
            c,
            Confusion {
                uploads: 10,
                risky: 6,
                clean: 4,
                true_positives: 3,
                leaks: 2,
                overkill: 1,
                true_negatives: 3,
                errors: 1
            }
        );
        assert_eq!(e.overall.precision, Some(3.0 / 4.0));
        assert_eq!(e.overall.recall, Some(3.0 / 5.0));
        assert_eq!(e.overall.leakage_rate, Some(2.0 / 5.0));
        assert_eq!(e.overall.overkill_rate, Some(1.0 / 4.0));
    }

    #[test]
    fn groups_by_category_with_uncategorised_last_and_by_market() {
        let (entries, screened) = sample();
        let e = evaluate(&entries, &screened);
        let keys: Vec<Option<&str>> = e.by_category.iter().map(|g| g.key.as_deref()).collect();
        assert_eq!(keys, [Some("drugs"), Some("gambling"), None]);
        let drugs = e.by_category[0].summary;
        assert_eq!(
            (drugs.counts.true_positives, drugs.counts.leaks, drugs.counts.errors),
            (1, 1, 1)
        );
        assert_eq!(drugs.precision, Some(1.0));
        assert_eq!(drugs.recall, Some(0.5));
        assert_eq!(drugs.overkill_rate, None, "no clean drugs uploads: unknown, not 0");
        let gambling = e.by_category[1].summary;
        assert_eq!(
            (gambling.counts.true_positives, gambling.counts.leaks, gambling.counts.overkill),
            (2, 1, 1)
        );
        assert_eq!(gambling.precision, Some(2.0 / 3.0));
        assert_eq!(gambling.overkill_rate, Some(1.0));
        let none = e.by_category[2].summary;
        assert_eq!(
            (none.counts.true_negatives, none.precision, none.overkill_rate),
            (3, None, Some(0.0))
        );

        let markets: Vec<(&str, u32, u32, u32, u32)> = e
            .by_market
            .iter()
            .map(|g| {
                let c = g.summary.counts;
                (g.key.as_deref().unwrap(), c.true_positives, c.leaks, c.overkill, c.true_negatives)
            })
            .collect();
        assert_eq!(markets, [("RU", 2, 0, 0, 2), ("US", 1, 2, 1, 1)]);
    }

    #[test]
    fn material_hits_confirmations_and_precision() {
        let (entries, screened) = sample();
        let e = evaluate(&entries, &screened);
        let row = |id: &str| e.materials.iter().find(|m| m.material_id == id).unwrap();
        // (hits, confirmed, unconfirmed, false hits)
        let counts = |id: &str| {
            let m = row(id);
            (m.hits, m.confirmed, m.unconfirmed, m.false_hits)
        };
        // g1: uploads 1 and 2 (twice in 2: counted once), both list it.
        assert_eq!(counts("g1"), (2, 2, 0, 0));
        assert_eq!(row("g1").precision, Some(1.0));
        // g2: upload 2 lists only g1, so not confirmed; upload 6 is clean.
        assert_eq!(counts("g2"), (2, 0, 1, 1));
        assert_eq!(row("g2").precision, Some(0.0));
        // j: upload 3 lists none and is gambling like j: confirmed by category.
        assert_eq!(counts("j"), (2, 1, 0, 1));
        assert_eq!(row("j").precision, Some(0.5));
        // d1: upload 5 lists none, category drugs: confirmed.
        assert_eq!(counts("d1"), (1, 1, 0, 0));
        // s: detection-only, on a clean upload.
        assert_eq!(counts("s"), (1, 0, 0, 1));
        assert!(row("s").detection_only);
        let order: Vec<&str> = e.materials.iter().map(|m| m.material_id.as_str()).collect();
        assert_eq!(order, ["g1", "g2", "j", "d1", "s"], "most hits first, then by id");
    }

    #[test]
    fn leaks_overkill_and_errors_are_listed_with_their_hits() {
        let (mut entries, screened) = sample();
        for (i, e) in entries.iter_mut().enumerate() {
            e.line = i as u64 + 1;
        }
        let e = evaluate(&entries, &screened);
        let leaks: Vec<(u64, &str, Vec<&str>)> = e
            .leaks
            .iter()
            .map(|c| {
                (
                    c.line,
                    c.upload_id.as_str(),
                    c.hits.iter().map(|h| h.material_id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(leaks, [(3, "3", vec!["j"]), (4, "4", vec![])]);
        assert_eq!(e.overkill.len(), 1);
        assert_eq!((e.overkill[0].line, e.overkill[0].action), (6, Review));
        assert_eq!(e.overkill[0].hits[0].evidence, "body: \"g2\"");
        assert_eq!(
            e.errors,
            [ErrorCase {
                line: 10,
                upload_id: "10".into(),
                label: Risky,
                error: "invalid upload: bad image".into()
            }]
        );
    }

    #[test]
    fn empty_corpus_has_unknown_rates() {
        let e = evaluate(&[], &[]);
        assert_eq!(e.overall.counts, Confusion::default());
        assert_eq!(
            (
                e.overall.precision,
                e.overall.recall,
                e.overall.leakage_rate,
                e.overall.overkill_rate
            ),
            (None, None, None, None)
        );
        assert!(e.by_category.is_empty() && e.materials.is_empty());
    }
}
