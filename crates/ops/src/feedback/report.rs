//! `prescreen report`: per-material precision over time and per revision, from the
//! stored reviews, and the materials whose overkill or hit rate just jumped.
//!
//! An upload reviewed more than once counts once, by its latest review (appeals and
//! corrections override). Reviews fall in buckets (UTC day, or ISO week) by
//! `reviewed_at`. A hit counts as *reviewed* once per upload; *confirmed* or
//! *overturned* as the reviewer found it; precision = confirmed / reviewed. A
//! material's *hit rate* in a bucket is its reviewed hits over all reviews in it.
//! Detection-only (shadow) hits count like the others: they say how the material
//! would do if it acted.

use prescreen_core::Action;
use prescreen_core::corpus::Label;
use prescreen_decision_log::{HitOutcome, Review};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Below this many reviewed hits in the latest bucket (and in the baseline), one
/// review moves precision by 20 points or more: too noisy to flag on.
pub const MIN_REVIEWED_HITS: u64 = 5;
/// A fall of this many precision points (overturned share up by as much) is beyond
/// bucket-to-bucket noise at the sizes above; it is what a widened term looks like.
pub const PRECISION_DROP_POINTS: u64 = 20;
/// Firing on this many times the baseline's share of reviewed uploads means the
/// match widened or the traffic it meets changed; either wants a look.
pub const HIT_RATE_JUMP: u64 = 2;
/// Buckets before the latest that form the baseline: a month of weeks smooths one
/// quiet week yet still follows slow drift.
pub const BASELINE_BUCKETS: usize = 4;

/// How reviews are grouped in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// UTC calendar day, labeled `2026-03-02`.
    Day,
    /// ISO week (Monday to Sunday, UTC), labeled `2026-W10`.
    Week,
}

impl Bucket {
    /// The label of the bucket `t` falls in; labels sort in time order.
    pub fn label(self, t: jiff::Timestamp) -> String {
        let date = t.to_zoned(jiff::tz::TimeZone::UTC).date();
        match self {
            Bucket::Day => date.to_string(),
            Bucket::Week => {
                let w = date.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
        }
    }
}

/// Reviewed, confirmed and overturned hits, and the precision they give.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Hits on reviewed uploads, once per upload.
    pub reviewed: u64,
    /// Hits the reviewer confirmed.
    pub confirmed: u64,
    /// Hits the reviewer overturned.
    pub overturned: u64,
    /// confirmed / reviewed; null without reviewed hits.
    pub precision: Option<f64>,
}

impl Tally {
    fn add(&mut self, outcome: HitOutcome) {
        self.reviewed += 1;
        match outcome {
            HitOutcome::Confirmed => self.confirmed += 1,
            HitOutcome::Overturned => self.overturned += 1,
        }
        self.precision = Some(self.confirmed as f64 / self.reviewed as f64);
    }

    fn merge(&mut self, other: &Tally) {
        self.reviewed += other.reviewed;
        self.confirmed += other.confirmed;
        self.overturned += other.overturned;
        self.precision = (self.reviewed > 0).then(|| self.confirmed as f64 / self.reviewed as f64);
    }
}

/// The whole report; `prescreen report --format json` prints it as is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// How reviews were grouped in time.
    pub bucket: Bucket,
    /// Reviews before this time were left out (RFC 3339), if asked.
    pub since: Option<String>,
    /// Reviews counted: the latest per upload.
    pub reviews: u64,
    /// Every bucket holding reviews, oldest first.
    pub buckets: Vec<BucketSummary>,
    /// The bucket flags look at, and the ones it is compared with.
    pub latest_bucket: Option<String>,
    /// The buckets before the latest that form the baseline, oldest first (at most
    /// [`BASELINE_BUCKETS`]).
    pub baseline_buckets: Vec<String>,
    /// The constants flags were computed with.
    pub thresholds: Thresholds,
    /// Per package version: what its verdicts were and how reviewers judged them.
    pub packages: Vec<PackageSummary>,
    /// Per material that fired in a reviewed verdict, by id.
    pub materials: Vec<MaterialReport>,
    /// Candidates to disable: materials whose overkill or hit rate jumped.
    pub flags: Vec<Flag>,
}

/// Reviews in one time bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BucketSummary {
    /// The bucket's label (see [`Bucket::label`]).
    pub bucket: String,
    /// Reviews counted in it.
    pub reviews: u64,
}

/// The constants flags were computed with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    /// [`MIN_REVIEWED_HITS`].
    pub min_reviewed_hits: u64,
    /// [`PRECISION_DROP_POINTS`].
    pub precision_drop_points: u64,
    /// [`HIT_RATE_JUMP`].
    pub hit_rate_jump: u64,
    /// [`BASELINE_BUCKETS`].
    pub baseline_buckets: usize,
}

/// The reviewed verdicts of one package name and version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackageSummary {
    /// Package name.
    pub package_name: String,
    /// Package version.
    pub package_version: String,
    /// Digests of the compiled packages seen under this name and version.
    pub version_digests: Vec<String>,
    /// Reviews counted of its verdicts.
    pub reviews: u64,
    /// Verdicts that reviewed or blocked the upload.
    pub stopped: u64,
    /// Stopped uploads the reviewer judged clean.
    pub overkill: u64,
    /// Passed uploads the reviewer judged risky.
    pub missed: u64,
    /// Earliest review of its verdicts (RFC 3339).
    pub first_reviewed: String,
    /// Latest review of its verdicts (RFC 3339).
    pub last_reviewed: String,
}

/// How one material's reviewed hits went, overall, over time and per revision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialReport {
    /// The material's id.
    pub material_id: String,
    /// As the reviewed verdicts named it (verdicts from the decision log do not).
    pub category: Option<String>,
    /// Over the whole period.
    #[serde(flatten)]
    pub total: Tally,
    /// Buckets in which the material fired, oldest first.
    pub buckets: Vec<MaterialBucket>,
    /// Per revision and package version that produced its hits, oldest revision first.
    pub revisions: Vec<RevisionSummary>,
}

/// A material's reviewed hits in one time bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterialBucket {
    /// The bucket's label (see [`Bucket::label`]).
    pub bucket: String,
    /// Its reviewed, confirmed and overturned hits in the bucket.
    #[serde(flatten)]
    pub tally: Tally,
    /// Reviewed hits over the bucket's reviews.
    pub hit_rate: f64,
}

/// A material's reviewed hits from one revision in one package version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RevisionSummary {
    /// The material's revision.
    pub revision: u32,
    /// Name of the package that carried it.
    pub package_name: String,
    /// Version of the package that carried it.
    pub package_version: String,
    /// Its reviewed, confirmed and overturned hits.
    #[serde(flatten)]
    pub tally: Tally,
    /// Earliest review of those hits (RFC 3339).
    pub first_reviewed: String,
    /// Latest review of those hits (RFC 3339).
    pub last_reviewed: String,
}

/// A material whose latest bucket crossed a threshold against its baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flag {
    /// The material's id.
    pub material_id: String,
    /// Which threshold it crossed.
    pub kind: FlagKind,
    /// Precision (overkill_jump) or hit rate (hit_rate_jump), baseline then latest.
    pub baseline: f64,
    /// The same figure in the latest bucket.
    pub latest: f64,
    /// Reviewed hits behind each figure.
    pub baseline_hits: u64,
    /// Reviewed hits in the latest bucket.
    pub latest_hits: u64,
    /// Revisions that produced the latest bucket's hits.
    pub latest_revisions: Vec<u32>,
    /// One line for people: what moved, from what to what, in which bucket and revisions.
    pub reason: String,
}

/// Which threshold a [`Flag`] crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// Precision fell by [`PRECISION_DROP_POINTS`] or more: more hits on clean uploads.
    OverkillJump,
    /// The share of reviewed uploads it fired on grew [`HIT_RATE_JUMP`]-fold or more.
    HitRateJump,
}

/// Builds the report from stored reviews (any order), counting those at or after
/// `since`.
pub fn build(reviews: &[Review], bucket: Bucket, since: Option<jiff::Timestamp>) -> Report {
    let counted = latest_per_upload(reviews, since);
    let mut bucket_reviews: BTreeMap<String, u64> = BTreeMap::new();
    let mut packages: BTreeMap<(String, String), PackageSummary> = BTreeMap::new();
    let mut materials: BTreeMap<String, MaterialWork> = BTreeMap::new();
    for r in &counted {
        let b = bucket.label(r.reviewed_at);
        *bucket_reviews.entry(b.clone()).or_default() += 1;
        package_entry(&mut packages, r);
        for h in &r.hits {
            let m = materials.entry(h.material_id.clone()).or_default();
            if h.category.is_some() {
                m.category = h.category.clone();
            }
            m.total.add(h.outcome);
            m.buckets.entry(b.clone()).or_default().add(h.outcome);
            let rev = m
                .revisions
                .entry((h.revision, r.package_name.clone(), r.package_version.clone()))
                .or_default();
            rev.tally.add(h.outcome);
            rev.seen(r.reviewed_at);
            m.latest_revisions.entry(b.clone()).or_default().push(h.revision);
        }
    }

    let labels: Vec<&String> = bucket_reviews.keys().collect();
    let latest = labels.last().map(|s| s.to_string());
    let baseline: Vec<String> =
        labels.iter().rev().skip(1).take(BASELINE_BUCKETS).rev().map(|s| s.to_string()).collect();
    let mut flags = Vec::new();
    let mut reports = Vec::with_capacity(materials.len());
    for (id, m) in materials {
        if let Some(latest) = &latest {
            flags.extend(flag(&id, &m, latest, &baseline, &bucket_reviews));
        }
        reports.push(m.finish(id, &bucket_reviews));
    }
    Report {
        bucket,
        since: since.map(|t| t.to_string()),
        reviews: counted.len() as u64,
        buckets: bucket_reviews
            .iter()
            .map(|(b, n)| BucketSummary { bucket: b.clone(), reviews: *n })
            .collect(),
        latest_bucket: latest,
        baseline_buckets: baseline,
        thresholds: Thresholds {
            min_reviewed_hits: MIN_REVIEWED_HITS,
            precision_drop_points: PRECISION_DROP_POINTS,
            hit_rate_jump: HIT_RATE_JUMP,
            baseline_buckets: BASELINE_BUCKETS,
        },
        packages: packages.into_values().collect(),
        materials: reports,
        flags,
    }
}

/// The latest review of each upload reviewed at or after `since`.
fn latest_per_upload(reviews: &[Review], since: Option<jiff::Timestamp>) -> Vec<&Review> {
    let mut latest: HashMap<&str, &Review> = HashMap::new();
    for r in reviews {
        let e = latest.entry(r.upload_id.as_str()).or_insert(r);
        if r.reviewed_at > e.reviewed_at {
            *e = r;
        }
    }
    let mut counted: Vec<&Review> =
        latest.into_values().filter(|r| since.is_none_or(|s| r.reviewed_at >= s)).collect();
    counted.sort_by(|a, b| (a.reviewed_at, &a.upload_id).cmp(&(b.reviewed_at, &b.upload_id)));
    counted
}

fn package_entry(packages: &mut BTreeMap<(String, String), PackageSummary>, r: &Review) {
    let at = r.reviewed_at.to_string();
    let p =
        packages.entry((r.package_name.clone(), r.package_version.clone())).or_insert_with(|| {
            PackageSummary {
                package_name: r.package_name.clone(),
                package_version: r.package_version.clone(),
                version_digests: Vec::new(),
                reviews: 0,
                stopped: 0,
                overkill: 0,
                missed: 0,
                first_reviewed: at.clone(),
                last_reviewed: at.clone(),
            }
        });
    if let Some(d) = &r.version_digest
        && !p.version_digests.contains(d)
    {
        p.version_digests.push(d.clone());
    }
    p.reviews += 1;
    let stopped = r.action != Action::Pass;
    p.stopped += u64::from(stopped);
    p.overkill += u64::from(stopped && r.label == Label::Clean);
    p.missed += u64::from(!stopped && r.label == Label::Risky);
    // Reviews come in time order.
    p.last_reviewed = at;
}

/// A material's tallies while the report is built.
#[derive(Default)]
struct MaterialWork {
    category: Option<String>,
    total: Tally,
    buckets: BTreeMap<String, Tally>,
    revisions: BTreeMap<(u32, String, String), RevisionWork>,
    latest_revisions: BTreeMap<String, Vec<u32>>,
}

#[derive(Default)]
struct RevisionWork {
    tally: Tally,
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
}

impl RevisionWork {
    fn seen(&mut self, t: jiff::Timestamp) {
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }
}

impl MaterialWork {
    fn finish(self, material_id: String, bucket_reviews: &BTreeMap<String, u64>) -> MaterialReport {
        let mut revisions: Vec<RevisionSummary> = self
            .revisions
            .into_iter()
            .map(|((revision, package_name, package_version), w)| RevisionSummary {
                revision,
                package_name,
                package_version,
                tally: w.tally,
                first_reviewed: w.first.map(|t| t.to_string()).unwrap_or_default(),
                last_reviewed: w.last.map(|t| t.to_string()).unwrap_or_default(),
            })
            .collect();
        revisions
            .sort_by(|a, b| (a.revision, &a.first_reviewed).cmp(&(b.revision, &b.first_reviewed)));
        MaterialReport {
            material_id,
            category: self.category,
            total: self.total,
            buckets: self
                .buckets
                .into_iter()
                .map(|(bucket, tally)| {
                    let hit_rate = tally.reviewed as f64 / bucket_reviews[&bucket] as f64;
                    MaterialBucket { bucket, tally, hit_rate }
                })
                .collect(),
            revisions,
        }
    }
}

/// The flags of one material: its latest bucket against the baseline buckets.
/// Comparisons are done in integers so a value exactly on a threshold counts.
fn flag(
    id: &str,
    m: &MaterialWork,
    latest: &str,
    baseline: &[String],
    bucket_reviews: &BTreeMap<String, u64>,
) -> Vec<Flag> {
    let Some(now) = m.buckets.get(latest) else { return Vec::new() };
    let mut base = Tally::default();
    for b in baseline {
        if let Some(t) = m.buckets.get(b) {
            base.merge(t);
        }
    }
    let base_reviews: u64 = baseline.iter().map(|b| bucket_reviews[b]).sum();
    let now_reviews = bucket_reviews[latest];
    if now.reviewed < MIN_REVIEWED_HITS || base_reviews == 0 {
        return Vec::new();
    }
    let mut revisions = m.latest_revisions.get(latest).cloned().unwrap_or_default();
    revisions.sort_unstable();
    revisions.dedup();
    let revs = revisions.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let mut flags = Vec::new();

    let (bn, bc, ln, lc) = (
        base.reviewed as u128,
        base.confirmed as u128,
        now.reviewed as u128,
        now.confirmed as u128,
    );
    // base precision - latest precision >= drop/100, cross-multiplied.
    if base.reviewed >= MIN_REVIEWED_HITS
        && 100 * bc * ln >= 100 * lc * bn + PRECISION_DROP_POINTS as u128 * bn * ln
    {
        let (b, l) = (bc as f64 / bn as f64, lc as f64 / ln as f64);
        flags.push(Flag {
            material_id: id.to_string(),
            kind: FlagKind::OverkillJump,
            baseline: b,
            latest: l,
            baseline_hits: base.reviewed,
            latest_hits: now.reviewed,
            latest_revisions: revisions.clone(),
            reason: format!(
                "precision fell from {} to {} ({} of {} hits overturned in {latest}, revision {revs})",
                pct(b),
                pct(l),
                now.overturned,
                now.reviewed
            ),
        });
    }
    // latest hits / latest reviews >= jump * baseline hits / baseline reviews.
    let (br, lr) = (base_reviews as u128, now_reviews as u128);
    if ln * br >= HIT_RATE_JUMP as u128 * bn * lr {
        let (b, l) = (bn as f64 / br as f64, ln as f64 / lr as f64);
        flags.push(Flag {
            material_id: id.to_string(),
            kind: FlagKind::HitRateJump,
            baseline: b,
            latest: l,
            baseline_hits: base.reviewed,
            latest_hits: now.reviewed,
            latest_revisions: revisions,
            reason: format!(
                "fired on {} of reviewed uploads in {latest}, up from {} (revision {revs}, precision {})",
                pct(l),
                pct(b),
                now.precision.map_or("-".into(), pct)
            ),
        });
    }
    flags
}
