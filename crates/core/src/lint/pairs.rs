//! Two materials that match the same thing (a text term equal after normalization, or
//! image and video hashes within each other's threshold): a duplicate when they say
//! the same, a conflict when their actions or categories differ. Shared by the text
//! and media checks, which decide what "the same thing" is.

use super::{Context, Finding, FindingKind, Related, Severity, markets_overlap, named};
use crate::package::Material;

/// What two materials matching the same thing are to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pair {
    /// Different action or category in overlapping markets.
    Conflict,
    /// Same action and category (and mode) in overlapping markets.
    Duplicate,
    /// Neither: disjoint markets, another mode, or one is a detection-only trial
    /// of the other (a detection-only twin is how a change is tried out).
    Distinct,
}

pub(super) fn pair(a: &Material, b: &Material) -> Pair {
    if !markets_overlap(&a.markets, &b.markets) || a.detection_only != b.detection_only {
        Pair::Distinct
    } else if a.action != b.action || a.category != b.category {
        Pair::Conflict
    } else if a.mode == b.mode {
        Pair::Duplicate
    } else {
        Pair::Distinct
    }
}

fn related(cx: &Context<'_>, js: &[usize]) -> Vec<Related> {
    js.iter().map(|&j| cx.related(cx.row_of(j))).collect()
}

/// Package material `i` duplicates the `earlier` ones; `same` says how (`the same
/// term "casino" after normalization`).
pub(super) fn duplicate(cx: &Context<'_>, i: usize, earlier: &[usize], same: &str) -> Finding {
    let (b, a) = (&cx.package.materials[i], &cx.package.materials[earlier[0]]);
    let fix = if a.markets == b.markets {
        format!("delete this row: {} already holds it", a.id)
    } else {
        format!("merge its markets into {} and delete this row", a.id)
    };
    let message = format!("duplicate of {}: {same}, both {} {}", named(a), b.action, b.category);
    let mut f = cx.finding(FindingKind::Duplicate, Severity::Warning, cx.row_of(i), message, fix);
    f.related = related(cx, earlier);
    f
}

/// Package material `i` matches what the `earlier` ones do with another action
/// (an error: one of the two actions never applies) or category (a warning).
pub(super) fn conflict(cx: &Context<'_>, i: usize, earlier: &[usize], same: &str) -> Finding {
    let (b, a) = (&cx.package.materials[i], &cx.package.materials[earlier[0]]);
    let (severity, message, fix) = if a.action != b.action {
        (
            Severity::Error,
            format!(
                "{same} as {}, but {} here and {} there: the stricter action always wins",
                named(a),
                b.action,
                a.action
            ),
            "keep one row with the intended action and delete the other, or give them markets that do not overlap",
        )
    } else {
        (
            Severity::Warning,
            format!(
                "{same} as {}, but category {} here and {} there: every hit reports both",
                named(a),
                b.category,
                a.category
            ),
            "decide on one category and delete the other row",
        )
    };
    let mut f = cx.finding(FindingKind::Conflict, severity, cx.row_of(i), message, fix.to_string());
    f.related = related(cx, earlier);
    f
}
