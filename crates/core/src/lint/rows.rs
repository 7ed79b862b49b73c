//! Checks of one row on its own: invalid lines, stale (expired or disabled) rows,
//! markets outside the package's, settings with no effect, and the short-term
//! heuristic used when no clean corpus is given.

use super::{Context, Finding, FindingKind, Severity};
use crate::error::Diagnostic;
use crate::model::{Action, MatchMode, MaterialKind};
use crate::normalize::normalize_with;
use crate::source::{Row, Status};

/// An expired row this old is dead weight rather than a pause: a dated campaign or
/// a temporary rule a quarter past its end is not coming back under the same row.
pub const STALE_AFTER_DAYS: i64 = 90;
/// A whole-word term of this many characters or fewer (after normalization) is as
/// often an abbreviation, a name or a word of another language as the risk word.
pub const SHORT_WORD_CHARS: usize = 3;
/// A prefix this short also starts many unrelated words (`bet`: `better`, `between`).
pub const SHORT_PREFIX_CHARS: usize = 4;
/// A substring this short also sits inside many unrelated words (`sex`: `sussex`,
/// `essex`); substrings fire inside any word, so they need the most letters.
pub const SHORT_SUBSTRING_CHARS: usize = 5;

const SECONDS_PER_DAY: i64 = 86_400;

/// A compiler diagnostic as a finding.
pub(super) fn invalid(d: &Diagnostic) -> Finding {
    Finding {
        kind: FindingKind::Invalid,
        severity: Severity::Error,
        file: d.file.clone(),
        line: d.line,
        material_id: None,
        message: d.message.clone(),
        fix: "correct the line: the package does not build until then".into(),
        related: Vec::new(),
        evidence: Vec::new(),
        spellings: Vec::new(),
    }
}

/// Every row's own findings; `short_terms`: apply the short-term heuristic (no
/// clean corpus was given to judge terms by evidence).
pub(super) fn check(cx: &Context<'_>, short_terms: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in &cx.source.rows {
        match row.status {
            Status::Disabled => out.push(disabled(cx, row)),
            Status::Expired(at) => out.push(expired(cx, row, at)),
            Status::Enabled => {
                out.extend(outside_markets(cx, row));
                out.extend(no_effect(cx, row));
                if short_terms {
                    out.extend(short_term(cx, row));
                }
            }
        }
    }
    out
}

fn disabled(cx: &Context<'_>, row: &Row) -> Finding {
    cx.finding(
        FindingKind::Disabled,
        Severity::Info,
        row,
        "disabled: validated but not compiled in".into(),
        "delete the row once it stays retired, since git keeps its history, or set enabled=true to re-enable it".into(),
    )
}

fn expired(cx: &Context<'_>, row: &Row, at: jiff::Timestamp) -> Finding {
    let days = (cx.now.as_second() - at.as_second()) / SECONDS_PER_DAY;
    let date = at.strftime("%Y-%m-%d");
    if days > STALE_AFTER_DAYS {
        cx.finding(
            FindingKind::Expired,
            Severity::Warning,
            row,
            format!("expired on {date}, {days} days ago (stale after {STALE_AFTER_DAYS} days)"),
            "delete the row, or move expires_at forward to re-enable it".into(),
        )
    } else {
        cx.finding(
            FindingKind::Expired,
            Severity::Info,
            row,
            format!("expired on {date}, {days} days ago: no longer compiled in"),
            format!("delete the row if it is still expired {STALE_AFTER_DAYS} days after expiry, or move expires_at forward to re-enable it"),
        )
    }
}

/// A row scoped to markets none of which the package lists: the package says it
/// does not serve them, so it is either a typo or belongs in another package.
fn outside_markets(cx: &Context<'_>, row: &Row) -> Option<Finding> {
    let package = &cx.source.manifest.markets;
    let m = &row.material.markets;
    if package.is_empty() || m.is_empty() || m.iter().any(|x| package.contains(x)) {
        return None;
    }
    Some(cx.finding(
        FindingKind::OutsideMarkets,
        Severity::Warning,
        row,
        format!(
            "applies only in {}, none of the package's markets ({})",
            m.join(","),
            package.join(",")
        ),
        format!("fix the markets cell, or add {} to the package's markets", m.join(",")),
    ))
}

/// `detection_only` trials an action without applying it; with action `pass` there is
/// none to trial, since a pass hit never changes a verdict anyway.
fn no_effect(cx: &Context<'_>, row: &Row) -> Option<Finding> {
    let m = &row.material;
    (m.detection_only && m.action == Action::Pass).then(|| {
        cx.finding(
            FindingKind::NoEffect,
            Severity::Warning,
            row,
            "detection_only with action pass: there is no action to trial".into(),
            "set the action to trial, review or block, or drop detection_only".into(),
        )
    })
}

/// Text terms short enough that they probably hit clean text. Materials that cannot
/// change a verdict (pass, detection-only) are left alone: their hits overkill nothing.
fn short_term(cx: &Context<'_>, row: &Row) -> Option<Finding> {
    let m = &row.material;
    if m.kind != MaterialKind::Text || m.action == Action::Pass || m.detection_only {
        return None;
    }
    let (limit, why) = match m.mode {
        MatchMode::Word => {
            (SHORT_WORD_CHARS, "a word this short is often also an abbreviation or another word")
        }
        MatchMode::Prefix | MatchMode::Stem => {
            (SHORT_PREFIX_CHARS, "a prefix this short starts many unrelated words")
        }
        MatchMode::Substring => {
            (SHORT_SUBSTRING_CHARS, "a substring this short sits inside many unrelated words")
        }
        MatchMode::Rule => return None,
    };
    let normalized = normalize_with(&m.term, cx.package.normalize);
    let chars = normalized.as_str().chars().filter(|c| !c.is_whitespace()).count();
    if chars > limit {
        return None;
    }
    let fix = match m.mode {
        MatchMode::Word => {
            "check it against a clean corpus with --clean-corpus, or write it as a longer phrase"
        }
        _ => {
            "narrow to word mode or a longer stem, or check it against a clean corpus with --clean-corpus"
        }
    };
    // Say what the matcher reads when it is not just the term in lower case
    // (`xxx` is read as `x`: runs of a letter collapse).
    let n = normalized.as_str();
    let term = if n == m.term.to_lowercase() {
        format!("{n:?}")
    } else {
        format!("{:?} (read as {n:?})", m.term)
    };
    Some(cx.finding(
        FindingKind::ShortTerm,
        Severity::Warning,
        row,
        format!(
            "{} term {term} is {chars} character(s) long, short at {limit} or fewer: {why}",
            m.mode.as_str()
        ),
        fix.into(),
    ))
}
