//! A stored review: the reviewed verdict and what the reviewer made of it, per upload
//! and per hit. What import writes, the store holds and the report reads.

use prescreen_core::Action;
use prescreen_core::corpus::Label;

/// One reviewer's judgement of one screened upload.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// The reviewed upload's id, as the gateway logged it.
    pub upload_id: String,
    /// Who reviewed it (as the feedback file names them).
    pub reviewer: String,
    /// When the reviewer decided; with `upload_id` and `reviewer` it identifies the
    /// review (re-importing it is a no-op).
    pub reviewed_at: jiff::Timestamp,
    /// The reviewer's judgement of the upload as a whole.
    pub label: Label,
    /// The reviewed verdict's action.
    pub action: Action,
    /// Name of the package that gave the verdict.
    pub package_name: String,
    /// Version of the package that gave the verdict.
    pub package_version: String,
    /// SHA-256 of the compiled package that gave the verdict, when known.
    pub version_digest: Option<String>,
    /// When the verdict was given, when known.
    pub decided_at: Option<String>,
    /// Where the reviewed verdict came from.
    pub verdict_source: VerdictSource,
    /// One entry per material that fired, in the verdict's order.
    pub hits: Vec<ReviewedHit>,
    /// The reviewer's free-text note, if any.
    pub note: Option<String>,
}

/// Where the reviewed verdict came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictSource {
    /// The feedback line carried it.
    File,
    /// Taken from the gateway's `decisions` table by upload id.
    DecisionLog,
}

/// A material that fired in the reviewed verdict, and whether the reviewer agreed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewedHit {
    /// The material that fired.
    pub material_id: String,
    /// Its revision when it fired: precision is tallied per revision.
    pub revision: u32,
    /// The hit's category, when the verdict named it (the decision log does not).
    pub category: Option<String>,
    /// The material's action.
    pub action: Action,
    /// Whether the material was in shadow (detection-only) mode.
    pub detection_only: bool,
    /// What the reviewer made of this hit.
    pub outcome: HitOutcome,
}

/// The reviewer's finding on one hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HitOutcome {
    /// The material was right to fire.
    Confirmed,
    /// The material fired on something that is not a violation: overkill.
    Overturned,
}

impl VerdictSource {
    /// The name stored in the `reviews` table.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictSource::File => "file",
            VerdictSource::DecisionLog => "decision_log",
        }
    }

    /// The source a stored name stands for.
    pub fn parse(s: &str) -> Option<VerdictSource> {
        [VerdictSource::File, VerdictSource::DecisionLog].into_iter().find(|v| v.as_str() == s)
    }
}

impl HitOutcome {
    /// The name stored in the `review_hits` table.
    pub fn as_str(self) -> &'static str {
        match self {
            HitOutcome::Confirmed => "confirmed",
            HitOutcome::Overturned => "overturned",
        }
    }

    /// The outcome a stored name stands for.
    pub fn parse(s: &str) -> Option<HitOutcome> {
        [HitOutcome::Confirmed, HitOutcome::Overturned].into_iter().find(|v| v.as_str() == s)
    }
}

/// `risky` or `clean`, as stored.
pub fn label_str(label: Label) -> &'static str {
    match label {
        Label::Risky => "risky",
        Label::Clean => "clean",
    }
}

/// The label a stored name stands for.
pub fn parse_label(s: &str) -> Option<Label> {
    [Label::Risky, Label::Clean].into_iter().find(|l| label_str(*l) == s)
}
