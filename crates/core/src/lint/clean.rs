//! Clean-corpus evidence: every clean upload of the given corpora is screened with the
//! package, natively, and every material that fires on one is reported with where
//! (corpus line, upload, field, matched text), so an operator sees exactly which
//! clean copy a term overkills, and a fix that fits what it matched.

use super::{CleanEvidence, Context, Finding, FindingKind, Severity};
use crate::corpus::Corpus;
use crate::error::Diagnostic;
use crate::model::{Action, MatchMode};
use crate::screener::Screener;
use crate::verdict::Evidence;
use std::collections::BTreeMap;

/// The findings, and the clean uploads that could not be screened (`file:line: why`):
/// they are evidence neither way, so they are skipped and named rather than failing
/// the lint (a labeled corpus may hold them on purpose, as eval's error cases).
pub(super) fn check(
    cx: &Context<'_>,
    screener: &Screener,
    corpora: &[Corpus],
) -> (Vec<Finding>, Vec<String>) {
    let index: BTreeMap<&str, usize> =
        cx.package.materials.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
    // Per material: its evidence, and the whole word around each text match.
    let mut hits: BTreeMap<usize, Vec<(CleanEvidence, Option<Surroundings>)>> = BTreeMap::new();
    let mut unscreenable = Vec::new();
    for corpus in corpora {
        for entry in corpus.clean() {
            let verdict = match screener.screen(&entry.upload) {
                Ok(v) => v,
                Err(e) => {
                    let message =
                        format!("clean upload {:?} cannot be screened: {e}", entry.upload.id);
                    unscreenable.push(
                        Diagnostic { file: corpus.file.clone(), line: entry.line, message }
                            .to_string(),
                    );
                    continue;
                }
            };
            for hit in &verdict.hits {
                // Signals (`signal:...`) are no material's doing.
                let Some(&i) = index.get(hit.material_id.as_str()) else { continue };
                let (field, matched, around) = match &hit.evidence {
                    Evidence::Text(t) => {
                        let text = entry
                            .upload
                            .fields
                            .iter()
                            .find(|f| f.name == t.field)
                            .map_or("", |f| f.text.as_str());
                        (
                            t.field.clone(),
                            t.matched.clone(),
                            Some(Surroundings::of(text, t.start as usize, t.end as usize)),
                        )
                    }
                    Evidence::Image(m) => {
                        (m.image.clone(), format!("pdq distance {}", m.distance), None)
                    }
                    Evidence::Video(v) => {
                        (v.video.clone(), format!("{:.0}% of its frames", v.material_match), None)
                    }
                };
                let evidence = CleanEvidence {
                    corpus: corpus.file.clone(),
                    line: entry.line,
                    upload_id: entry.upload.id.clone(),
                    field,
                    matched,
                };
                hits.entry(i).or_default().push((evidence, around));
            }
        }
    }
    (hits.into_iter().map(|(i, evidence)| finding(cx, i, evidence)).collect(), unscreenable)
}

/// Where a text match sits in its field: inside a longer word, and the phrase of the
/// matched words plus a neighbour, which as an exception would shield this hit only.
struct Surroundings {
    inside_word: Option<String>,
    phrase: String,
}

impl Surroundings {
    fn of(text: &str, start: usize, end: usize) -> Surroundings {
        let word = |c: char| c.is_alphanumeric();
        let (left, right) = (back(text, start, word), forward(text, end, word));
        let inside_word = (left < start || right > end).then(|| text[left..right].to_string());
        // One neighbouring word: the one before if there is one, else the one after.
        let gap = back(text, left, |c| !word(c));
        let phrase = if gap > 0 {
            &text[back(text, gap, word)..right]
        } else {
            &text[left..forward(text, forward(text, right, |c| !word(c)), word)]
        };
        Surroundings { inside_word, phrase: phrase.to_string() }
    }
}

/// The byte offset before the run of `pred` characters that ends at `at`.
fn back(text: &str, at: usize, pred: impl Fn(char) -> bool) -> usize {
    at - text[..at].chars().rev().take_while(|&c| pred(c)).map(char::len_utf8).sum::<usize>()
}

/// The byte offset after the run of `pred` characters that starts at `at`.
fn forward(text: &str, at: usize, pred: impl Fn(char) -> bool) -> usize {
    at + text[at..].chars().take_while(|&c| pred(c)).map(char::len_utf8).sum::<usize>()
}

/// Blocking clean uploads is the overkill lint exists to catch: an error. Review
/// costs a reviewer's time: a warning. Pass and detection-only hits change nothing.
fn severity(action: Action, detection_only: bool) -> Severity {
    match action {
        _ if detection_only => Severity::Info,
        Action::Block => Severity::Error,
        Action::Review => Severity::Warning,
        Action::Pass => Severity::Info,
    }
}

fn finding(
    cx: &Context<'_>,
    i: usize,
    hits: Vec<(CleanEvidence, Option<Surroundings>)>,
) -> Finding {
    let m = &cx.package.materials[i];
    let uploads = {
        let mut ids: Vec<_> = hits.iter().map(|(e, _)| (&e.corpus, &e.upload_id)).collect();
        ids.dedup();
        ids.len()
    };
    let first = &hits[0].0;
    let inside = hits.iter().find_map(|(_, c)| c.as_ref()?.inside_word.clone());
    let fix = match (m.mode, inside, hits[0].1.as_ref()) {
        (MatchMode::Prefix | MatchMode::Substring, Some(word), _) => {
            format!("narrow to word mode: it matched inside {word:?}")
        }
        (_, _, Some(c)) => {
            let lower = if m.action == Action::Block { ", lower the action to review" } else { "" };
            format!(
                "add the clean phrase {:?} as an exception{lower}, or delete it if it stops no risky upload",
                c.phrase
            )
        }
        _ => "lower max_distance or raise min_quality, or delete it".to_string(),
    };
    let message = format!(
        "fires on {uploads} clean upload(s) as {}, first {:?} in {} {}",
        m.action, first.matched, first.upload_id, first.field
    );
    let mut f = cx.finding(
        FindingKind::CleanHits,
        severity(m.action, m.detection_only),
        cx.row_of(i),
        message,
        fix,
    );
    f.evidence = hits.into_iter().map(|(e, _)| e).collect();
    f
}
