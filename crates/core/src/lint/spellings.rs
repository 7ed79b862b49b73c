//! What each term also catches besides its own spelling, as the matcher indexes it:
//! the phrase with its spaces removed or a joint respaced, its numbers written apart
//! or glued to a word (`numbers.rs`), a word split by a space (in
//! packages small enough to index that), its Latin transliterations
//! (`transliterate`), and in `stem` mode every word with the same stems or made of
//! a word's base and a case ending (`stem.rs`). The same
//! functions build the index, so the list is what screening does.

use super::{Context, Finding, FindingKind, Severity};
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::normalize_with;
use crate::stem::StemWord;

/// Spellings named in a finding's message; `--format json` has them all.
const SHOWN_SPELLINGS: usize = 6;

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let options = cx.package.normalize;
    let mut out = Vec::new();
    let split = crate::matcher::keyable(&cx.package.materials) <= crate::matcher::MAX_SPLIT_TERMS;
    for (i, m) in cx.package.materials.iter().enumerate() {
        if m.kind != MaterialKind::Text
            || m.mode == MatchMode::Rule
            || crate::symbols::is_symbol_term(&m.term)
        {
            continue;
        }
        let term = normalize_with(&m.term, options);
        let mut parts = Vec::new();
        let mut all = Vec::new();
        let respaced = crate::matcher::respacings(&term);
        if !respaced.is_empty() {
            parts.push(format!("respaced as {}", listed(&respaced)));
            all.extend(respaced);
        }
        let numbers: Vec<String> = crate::numbers::spellings(&m.term, options)
            .iter()
            .map(|n| n.as_str().to_string())
            .collect();
        if !numbers.is_empty() {
            parts.push(format!("its number written apart or glued as {}", listed(&numbers)));
            all.extend(numbers);
        }
        if split {
            let splits = crate::matcher::split_spellings(&term);
            if !splits.is_empty() {
                parts.push(format!("{} split by a space: {}", splits.len(), listed(&splits)));
                all.extend(splits);
            }
        }
        if m.transliterate {
            let latin: Vec<String> =
                crate::translit::variants(&m.term).iter().map(|v| v.as_str().to_string()).collect();
            if !latin.is_empty() {
                parts.push(format!("{} latin spelling(s): {}", latin.len(), listed(&latin)));
                all.extend(latin);
            }
        }
        if m.mode == MatchMode::Stem {
            let words: Vec<StemWord> = term.as_str().split(' ').map(StemWord::of).collect();
            let stems: Vec<String> = words.iter().map(|w| w.stem().to_string()).collect();
            parts.push(format!("every inflection stemmed as {}", listed(&stems)));
            let bases: Vec<String> = words.iter().flat_map(|w| w.bases().to_vec()).collect();
            if !bases.is_empty() {
                parts.push(format!(
                    "and every word made of {} and a case ending (stem.rs)",
                    listed(&bases)
                ));
            }
        }
        if parts.is_empty() {
            continue;
        }
        let mut f = cx.finding(
            FindingKind::Spellings,
            Severity::Info,
            cx.row_of(i),
            format!("also catches {}", parts.join("; ")),
            "if one of these is clean text, add it as an exception".to_string(),
        );
        f.spellings = all;
        out.push(f);
    }
    out
}

/// The first few, quoted, and how many more.
fn listed(items: &[String]) -> String {
    let mut shown: Vec<String> =
        items.iter().take(SHOWN_SPELLINGS).map(|s| format!("{s:?}")).collect();
    if items.len() > SHOWN_SPELLINGS {
        shown.push(format!("and {} more", items.len() - SHOWN_SPELLINGS));
    }
    shown.join(", ")
}
