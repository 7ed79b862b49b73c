//! Text materials against each other: duplicates and conflicts after normalization,
//! materials shadowed by others, and materials that can never fire.
//!
//! Each term is screened, normalized, through the package's own matcher: what fires
//! on a term's own text is every material the term contains as the screener sees it
//! (normalizer, automaton, allow-terms), in one automaton pass per term rather than a
//! comparison of every pair. Whether a contained material fires wherever the term
//! fires, in any surrounding text, then depends only on word edges, checked here.

use super::pairs::{self, Pair};
use super::{Context, Finding, FindingKind, Severity, markets_cover, named};
use crate::model::{Action, MatchMode, MaterialKind};
use crate::normalize::{collapse_runs, is_word_char, normalize_with};
use crate::package::Material;
use crate::screener::Screener;

pub(super) fn check(cx: &Context<'_>, screener: &Screener) -> Vec<Finding> {
    let options = cx.package.normalize;
    let materials = &cx.package.materials;
    let terms = &cx.terms;
    let allow: Vec<String> =
        cx.package.allow.iter().map(|a| normalize_with(a, options).as_str().to_string()).collect();
    let mut out = Vec::new();
    for (i, b) in materials.iter().enumerate() {
        if b.kind != MaterialKind::Text {
            continue;
        }
        if b.mode == MatchMode::Rule {
            out.extend(rule_never_matches(cx, i));
            continue;
        }
        if crate::symbols::is_symbol_term(&b.term) {
            // Matched as written, apart from the normalizer: it fires on itself.
            let mut fires = false;
            screener.text.find_symbols(&b.term, |m, _, _| {
                fires |= m == i;
                std::ops::ControlFlow::Continue(())
            });
            if !fires {
                out.push(never_matches(cx, i, &b.term, &allow));
            }
            continue;
        }
        let t = &terms[i];
        let text = normalize_with(&b.term, options);
        let (mut found, mut allowed) = (Vec::new(), Vec::new());
        let keep = |m| {
            found.push(m);
            std::ops::ControlFlow::Continue(())
        };
        screener.text.find(&text, &screener.table, keep, |a| allowed.push(a));
        let fires = found.iter().any(|m| {
            m.material == i
                && m.start == 0
                && m.end == t.len()
                && !allowed.iter().any(|a| a.shields(m))
        });
        if !fires {
            out.push(never_matches(cx, i, t, &allow));
            continue;
        }
        let mut contained: Vec<usize> =
            found.iter().map(|m| m.material).filter(|&j| j != i).collect();
        contained.sort_unstable();
        contained.dedup();
        let (mut conflicts, mut duplicates, mut shadows) = (Vec::new(), Vec::new(), Vec::new());
        for j in contained {
            let a = &materials[j];
            if a.mode == MatchMode::Rule {
                continue;
            }
            if terms[j] == *t {
                // Reported once, on the later row.
                match pairs::pair(a, b) {
                    Pair::Conflict => {
                        if j < i {
                            conflicts.push(j);
                        }
                        continue;
                    }
                    Pair::Duplicate => {
                        if j < i {
                            duplicates.push(j);
                        }
                        continue;
                    }
                    Pair::Distinct => {}
                }
            }
            if shadows_material(a, &terms[j], b, t, &allow) {
                shadows.push(j);
            }
        }
        let same = format!("the same term {t:?} after normalization");
        if !conflicts.is_empty() {
            out.push(pairs::conflict(cx, i, &conflicts, &same));
        }
        if !duplicates.is_empty() {
            out.push(pairs::duplicate(
                cx,
                i,
                &duplicates,
                &format!("{same} in {} mode", b.mode.as_str()),
            ));
        }
        if !shadows.is_empty() {
            out.push(shadowed(cx, i, &shadows));
        }
    }
    out
}

/// Whether `a` (normalized term `ta`) fires wherever `b` (normalized `tb`) fires, with
/// an action at least as strict, in at least its markets: then `b` never changes a
/// verdict. Conservative: `a` with allow-terms that could shield it is never taken
/// to shadow anything.
fn shadows_material(a: &Material, ta: &str, b: &Material, tb: &str, allow: &[String]) -> bool {
    let decides = |m: &Material| !m.detection_only && m.action > Action::Pass;
    decides(a)
        && decides(b)
        && a.action >= b.action
        && markets_cover(&a.markets, &b.markets)
        && a.exceptions.is_empty()
        && !allow.iter().any(|x| x.contains(ta))
        && fires_within(ta, a.mode, tb, b.mode)
        && fires_when_stretched(ta, a.mode, tb, b.mode)
}

/// A term with doubled letters also fires on stretched text in its collapsed form
/// (`normalize::collapse_runs`), `ta` must fire there too: as written, or in its own
/// collapsed form when that is the whole span (only then is the stretch surely
/// inside it, which the matcher requires).
fn fires_when_stretched(ta: &str, inner: MatchMode, tb: &str, outer: MatchMode) -> bool {
    let c = collapse_runs(tb);
    c == tb
        || fires_within(ta, inner, &c, outer)
        || (collapse_runs(ta) == c && fires_within(&c, inner, &c, outer))
}

/// Whether a material with normalized term `needle` and mode `inner` fires inside
/// every occurrence of `hay` that a material of mode `outer` fires on: some
/// occurrence of `needle` in `hay` has the word edges `inner` needs, either inside
/// `hay` or at its ends where `outer` guarantees them.
pub(super) fn fires_within(needle: &str, inner: MatchMode, hay: &str, outer: MatchMode) -> bool {
    let starts_word = matches!(outer, MatchMode::Word | MatchMode::Prefix | MatchMode::Stem);
    let ends_word = outer == MatchMode::Word;
    hay.char_indices().filter(|(p, _)| hay[*p..].starts_with(needle)).any(|(p, _)| {
        let end = p + needle.len();
        let start_ok = match inner {
            MatchMode::Word | MatchMode::Prefix | MatchMode::Stem => {
                if p == 0 {
                    starts_word
                } else {
                    !hay[..p].chars().next_back().is_some_and(is_word_char)
                }
            }
            _ => true,
        };
        let end_ok = match inner {
            MatchMode::Word => {
                if end == hay.len() {
                    ends_word
                } else {
                    !hay[end..].chars().next().is_some_and(is_word_char)
                }
            }
            _ => true,
        };
        start_ok && end_ok
    })
}

fn never_matches(cx: &Context<'_>, i: usize, t: &str, allow: &[String]) -> Finding {
    let m = &cx.package.materials[i];
    let options = cx.package.normalize;
    let own = m.exceptions.iter().find(|e| normalize_with(e, options).as_str() == t);
    let package = cx.package.allow.iter().zip(allow).find(|(_, n)| n.as_str() == t).map(|(a, _)| a);
    let (message, fix) = match (own, package) {
        (Some(e), _) => (
            format!(
                "its exception {e:?} is the term itself once normalized: every hit is suppressed"
            ),
            format!("remove the exception {e:?}: an exception is a longer phrase around the term"),
        ),
        (None, Some(a)) => (
            format!(
                "the package allow-term {a:?} is the term itself once normalized: every hit is suppressed"
            ),
            format!("delete the material, or remove {a:?} from allow in package.toml"),
        ),
        (None, None) => (
            format!("does not fire on its own term (normalized {t:?}) in {} mode", m.mode.as_str()),
            "rewrite the term or change its mode".to_string(),
        ),
    };
    cx.finding(FindingKind::NeverMatches, Severity::Error, cx.row_of(i), message, fix)
}

/// A rule that forbids a term one of its required terms contains can never fire.
fn rule_never_matches(cx: &Context<'_>, i: usize) -> Option<Finding> {
    let rule = cx.package.materials[i].rule.as_ref()?;
    let n = |s: &str| normalize_with(s, cx.package.normalize).as_str().to_string();
    let (need, forbid) = rule.all.iter().find_map(|a| {
        rule.none
            .iter()
            .find(|x| fires_within(&n(x), MatchMode::Word, &n(a), MatchMode::Word))
            .map(|x| (a, x))
    })?;
    Some(cx.finding(
        FindingKind::NeverMatches,
        Severity::Error,
        cx.row_of(i),
        format!("the rule needs {need:?} but forbids {forbid:?}, which is part of it"),
        format!("drop `- {forbid}` from the rule, or correct its operands"),
    ))
}

fn shadowed(cx: &Context<'_>, i: usize, by: &[usize]) -> Finding {
    let (b, a) = (&cx.package.materials[i], &cx.package.materials[by[0]]);
    let more = match by.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let fix = if b.category == a.category {
        format!(
            "delete it: {} already gives the verdict; or make its action stricter if it should decide",
            a.id
        )
    } else {
        format!(
            "delete it, unless its category {} must be reported besides {}",
            b.category, a.category
        )
    };
    let mut f = cx.finding(
        FindingKind::Shadowed,
        Severity::Warning,
        cx.row_of(i),
        format!(
            "never changes a verdict: wherever it fires, {} fires too, in {} mode with action {}{more}",
            named(a),
            a.mode.as_str(),
            a.action
        ),
        fix,
    );
    f.related = by.iter().map(|&j| cx.related(cx.row_of(j))).collect();
    f
}
