//! Shadow runs: a candidate version screens a copy of an upload after the response
//! was sent, and its verdict is compared with the one that answered (action and the
//! set of hit material ids). Detection only: nothing here reaches the response.
//!
//! Shadow runs have their own single worker and a short queue; when it is busy the
//! run is skipped and counted, so shadow traffic costs at most one core and never
//! delays answers.

use super::AppState;
use super::deploy::Version;
use super::metrics::ShadowResult;
use prescreen_core::{Upload, Verdict};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A shadow run waiting to be queued.
pub struct Pending {
    pub candidate: Arc<Version>,
    pub upload: Upload,
    /// The verdict the client got (`None` when it got an error instead).
    pub answered: Option<Verdict>,
}

impl Pending {
    /// Queues the run on the shadow worker, or counts it as skipped.
    pub fn submit(self, state: &Arc<AppState>) {
        let job_state = state.clone();
        if state.shadow_workers.submit(move || self.run(&job_state)).is_err() {
            state.metrics.shadow(ShadowResult::Skipped);
        }
    }

    fn run(self, state: &AppState) {
        let upload_id = self.upload.id.clone();
        let candidate = self.candidate.filter.screen_bounded(self.upload, state.limits.bounds());
        let result = match (&self.answered, &candidate) {
            (Some(answered), Ok(Ok(shadow))) => {
                if let Some(diff) = compare(answered, shadow) {
                    tracing::info!(
                        upload_id,
                        candidate = %self.candidate.tag.digest,
                        answered_action = answered.action.as_str(),
                        shadow_action = shadow.action.as_str(),
                        only_answered = ?diff.only_answered,
                        only_shadow = ?diff.only_shadow,
                        "shadow disagrees"
                    );
                    ShadowResult::Disagree
                } else {
                    ShadowResult::Agree
                }
            }
            _ => {
                let why = match &candidate {
                    Ok(Ok(_)) => "the answering version gave no verdict".to_string(),
                    Ok(Err(e)) => e.to_string(),
                    Err(fault) => fault.to_string(),
                };
                tracing::info!(upload_id, candidate = %self.candidate.tag.digest, "shadow run without comparison: {why}");
                ShadowResult::Error
            }
        };
        state.metrics.shadow(result);
    }
}

/// How two verdicts differ in their hits.
#[derive(Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub only_answered: Vec<String>,
    pub only_shadow: Vec<String>,
}

/// `None` when both verdicts have the same action and the same hit material ids.
pub fn compare(answered: &Verdict, shadow: &Verdict) -> Option<Disagreement> {
    let ids = |v: &Verdict| v.hits.iter().map(|h| h.material_id.clone()).collect::<BTreeSet<_>>();
    let (a, s) = (ids(answered), ids(shadow));
    if answered.action == shadow.action && a == s {
        return None;
    }
    Some(Disagreement {
        only_answered: a.difference(&s).cloned().collect(),
        only_shadow: s.difference(&a).cloned().collect(),
    })
}
