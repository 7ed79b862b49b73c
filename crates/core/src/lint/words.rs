//! Dictionary evidence: every word of a clean word list is screened on its own, through
//! the package's normalizer and matcher, and each material that fires on a word other
//! than its own term is reported with the words it hit. A whole dictionary (Debian's
//! `hunspell-ru`, `hunspell-en-us`) lists what a term overkills in ordinary language
//! before any ad does.

use super::{CleanEvidence, Context, Finding, FindingKind, Severity, markets_overlap};
use crate::error::Error;
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::normalize_with;
use crate::screener::Screener;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

/// Words named in a finding's message; `--format json` has them all.
const SHOWN_WORDS: usize = 8;

/// A list of clean words, one per line. A hunspell `.dic` reads as is: its first line
/// (the entry count) and each entry's `/flags` and morphological fields are dropped.
/// The entries are the dictionary's stems as listed; affixed forms are not expanded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WordList {
    /// The file it was read from, as the caller named it.
    pub file: String,
    /// Each word with its 1-based line.
    pub words: Vec<(u64, String)>,
    /// Judge only the materials that apply in this market (all when `None`).
    pub market: Option<String>,
}

impl WordList {
    /// Reads the word list at `path`: a regular file of at most 1 GiB of UTF-8,
    /// counted while reading.
    pub fn read(path: &Path) -> Result<WordList, Error> {
        let file = path.display().to_string();
        let text = crate::corpus::read_file(path)?;
        Ok(WordList::parse(&file, &text))
    }

    /// Parses word-list text; `file` names it in findings.
    pub fn parse(file: &str, text: &str) -> WordList {
        let mut words = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let entry = raw.split(['/', '\t']).next().unwrap_or("").trim();
            // A hunspell `.dic` starts with its entry count.
            if entry.is_empty() || (i == 0 && entry.bytes().all(|b| b.is_ascii_digit())) {
                continue;
            }
            words.push((i as u64 + 1, entry.to_string()));
        }
        WordList { file: file.to_string(), words, market: None }
    }

    /// Judges only the materials that apply in `market` against this list.
    pub fn market(mut self, market: &str) -> WordList {
        self.market = Some(market.to_string());
        self
    }
}

pub(super) fn check(cx: &Context<'_>, screener: &Screener, lists: &[WordList]) -> Vec<Finding> {
    let options = cx.package.normalize;
    let materials = &cx.package.materials;
    let terms = &cx.terms;
    let mut hits: BTreeMap<usize, Vec<CleanEvidence>> = BTreeMap::new();
    for list in lists {
        for (line, word) in &list.words {
            let text = normalize_with(word, options);
            let (mut found, mut allowed) = (Vec::new(), Vec::new());
            let keep = |m| {
                found.push(m);
                ControlFlow::Continue(())
            };
            screener.text.find(&text, &screener.table, keep, |a| allowed.push(a));
            let mut fired: Vec<usize> = found
                .iter()
                .filter(|m| !allowed.iter().any(|a| a.shields(m)))
                .map(|m| m.material)
                .filter(|&i| {
                    let m = &materials[i];
                    // A rule is about words together; a word alone says nothing of it.
                    m.kind == MaterialKind::Text
                        && m.mode != MatchMode::Rule
                        && terms[i] != text.as_str()
                        && list
                            .market
                            .as_ref()
                            .is_none_or(|k| markets_overlap(&m.markets, std::slice::from_ref(k)))
                })
                .collect();
            fired.sort_unstable();
            fired.dedup();
            for i in fired {
                hits.entry(i).or_default().push(CleanEvidence {
                    corpus: list.file.clone(),
                    line: *line,
                    upload_id: word.clone(),
                    field: "word".to_string(),
                    matched: word.clone(),
                });
            }
        }
    }
    hits.into_iter().map(|(i, evidence)| finding(cx, i, evidence)).collect()
}

fn finding(cx: &Context<'_>, i: usize, evidence: Vec<CleanEvidence>) -> Finding {
    let m = &cx.package.materials[i];
    let mut shown: Vec<String> =
        evidence.iter().take(SHOWN_WORDS).map(|e| format!("{:?}", e.matched)).collect();
    if evidence.len() > SHOWN_WORDS {
        shown.push(format!("and {} more", evidence.len() - SHOWN_WORDS));
    }
    let fix = match m.mode {
        MatchMode::Prefix | MatchMode::Substring => {
            "if these words are clean, narrow it to word mode or add them as exceptions"
        }
        _ => "if these words are clean, add them as exceptions",
    };
    let mut f = cx.finding(
        FindingKind::DictionaryHits,
        // Evidence to read, not a fault: the term's own inflections are listed too.
        Severity::Info,
        cx.row_of(i),
        format!(
            "fires on {} dictionary word(s) besides its own term: {}",
            evidence.len(),
            shown.join(", ")
        ),
        fix.to_string(),
    );
    f.evidence = evidence;
    f
}
