//! Co-occurrence rules: a material that fires when other terms occur together
//! (`casino + bonus ~ 5`: both within 5 words) and others do not (`casino - licensed`),
//! so operators can flag "casino + bonus" without blocking "casino" alone.
//!
//! Written in the `term` cell with `mode` `rule`: `+` joins terms that must all occur
//! in the same field, an optional `~ N` bounds how many words apart they may be, and
//! each `- term` is a term that must not occur in the field. Operand terms match as
//! whole words after normalization, like `word` materials.

use crate::normalize::Normalized;
use serde::{Deserialize, Serialize};

/// A rule as written, operands as the operator wrote them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Terms that must all occur.
    pub all: Vec<String>,
    /// Most words between the first and the last of `all`; `None`: anywhere in the field.
    pub within: Option<u32>,
    /// Terms none of which may occur.
    pub none: Vec<String>,
}

impl Rule {
    /// Parses `a + b ~ 5 - c`.
    pub fn parse(s: &str) -> Result<Rule, String> {
        let mut parts = s.split(" - ");
        let head = parts.next().unwrap_or("");
        let none: Vec<String> = parts.map(|p| p.trim().to_string()).collect();
        let (all, within) = match head.rsplit_once('~') {
            Some((all, n)) => {
                let n: u32 = n.trim().parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                    format!(
                        "rule {}: `~` must be followed by a positive number of words",
                        crate::error::shown(s)
                    )
                })?;
                (all, Some(n))
            }
            None => (head, None),
        };
        let all: Vec<String> = all.split(" + ").map(|p| p.trim().to_string()).collect();
        if all.iter().chain(&none).any(|t| crate::normalize::normalize(t).as_str().is_empty()) {
            return Err(format!(
                "rule {} has an empty operand (write `a + b ~ 5 - c`, spaces around + and -)",
                crate::error::shown(s)
            ));
        }
        if all.len() + none.len() < 2 {
            return Err(format!(
                "rule {} has one term: use mode word instead",
                crate::error::shown(s)
            ));
        }
        Ok(Rule { all, within, none })
    }

    /// Every operand term.
    pub(crate) fn operands(&self) -> impl Iterator<Item = &String> {
        self.all.iter().chain(&self.none)
    }
}

/// The package's rules with operands as indices into the matcher's operand list.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct RuleSet {
    rules: Vec<RuleRow>,
}

/// One rule: (material, all operand ids, within, none operand ids).
type RuleRow = (u32, Vec<u32>, Option<u32>, Vec<u32>);

/// An operand term found at a normalized byte span.
pub(crate) struct OperandMatch {
    pub operand: u32,
    pub start: usize,
    pub end: usize,
}

impl RuleSet {
    pub(crate) fn add(
        &mut self,
        material: u32,
        all: Vec<u32>,
        within: Option<u32>,
        none: Vec<u32>,
    ) {
        self.rules.push((material, all, within, none));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The largest material and operand index referred to, for validation.
    pub(crate) fn refers_beyond(&self, materials: usize, operands: usize) -> bool {
        self.rules.iter().any(|(m, all, _, none)| {
            *m as usize >= materials || all.iter().chain(none).any(|&o| o as usize >= operands)
        })
    }

    /// The rules that fire on one field: (material, normalized start, end).
    pub(crate) fn eval(
        &self,
        text: &Normalized,
        found: &[OperandMatch],
        mut fire: impl FnMut(usize, usize, usize),
    ) {
        for (material, all, within, none) in &self.rules {
            if found.iter().any(|m| none.contains(&m.operand)) {
                continue;
            }
            // Occurrences of the required operands, in text order, with word index
            // (counted in one pass: words are single-space separated here).
            let mut by_start: Vec<(usize, u32, usize)> = found
                .iter()
                .filter(|m| all.contains(&m.operand))
                .map(|m| (m.start, m.operand, m.end))
                .collect();
            by_start.sort_unstable();
            let (mut at, mut word) = (0, 0);
            let occ: Vec<(usize, u32, usize, usize)> = by_start
                .into_iter()
                .map(|(start, operand, end)| {
                    word +=
                        text.as_str().as_bytes()[at..start].iter().filter(|&&b| b == b' ').count();
                    at = start;
                    (word, operand, start, end)
                })
                .collect();
            // The smallest window of occurrences covering every required operand.
            let mut best: Option<(usize, usize, usize)> = None; // (words, start, end)
            for (i, first) in occ.iter().enumerate() {
                let mut seen: Vec<u32> = Vec::new();
                for (j, last) in occ.iter().enumerate().skip(i) {
                    if !seen.contains(&last.1) {
                        seen.push(last.1);
                    }
                    if seen.len() == all.len() {
                        let words = last.0 - first.0;
                        let end = occ[i..=j].iter().map(|o| o.3).max().unwrap_or(last.3);
                        if best.is_none_or(|b| words < b.0) {
                            best = Some((words, first.2, end));
                        }
                        break;
                    }
                }
            }
            if let Some((words, start, end)) = best
                && within.is_none_or(|n| words <= n as usize)
            {
                fire(*material as usize, start, end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(
            Rule::parse("casino + bonus ~ 5 - licensed").unwrap(),
            Rule {
                all: vec!["casino".into(), "bonus".into()],
                within: Some(5),
                none: vec!["licensed".into()]
            }
        );
        assert_eq!(Rule::parse("casino - licensed").unwrap().none, ["licensed"]);
        assert!(Rule::parse("casino").unwrap_err().contains("one term"));
        assert!(Rule::parse("casino + bonus ~ x").unwrap_err().contains("positive number"));
        assert!(Rule::parse("casino + ").unwrap_err().contains("empty operand"));
    }
}
