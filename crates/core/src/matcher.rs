//! The text matcher: one Aho-Corasick automaton over every distinct normalized term,
//! plus the table from automaton pattern to the materials that share that term.
//!
//! The automaton is daachorse's character-wise double array rather than the
//! aho-corasick crate's contiguous NFA: measured on a 100k-term package and a 2 KB
//! Russian/English ad (benches/README.md), it is smaller and faster, and a fresh
//! instance faults in fewer pages of the memory image per request, which is what
//! dominates a fresh instance's cost. It also serializes, which lets the compiler
//! build it natively and hand it to the component whole (`prebuilt.rs`).
//!
//! Built once, natively, at `prescreen build` time and snapshotted into the
//! component, so a request only runs the automaton over the normalized text. Besides
//! material terms, the automaton holds allow-terms (which shield hits inside them)
//! and the operands of co-occurrence rules (`rules.rs`); pattern-table entries say
//! which is which.

use crate::error::Error;
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::{
    NormalizeOptions, Normalized, collapse_runs, flag, is_word_char, normalize_with,
};
use crate::package::Material;
use crate::rules::{OperandMatch, RuleSet};
use crate::table::MaterialTable;
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// Rule operand occurrences kept per field: a rule's window search is quadratic in
/// them, and a real ad holds a handful; past this a crafted text only costs time.
const MAX_OPERAND_MATCHES: usize = 1024;
/// Matches the screener keeps per field before it stops looking (issue #15): 16 times
/// the default hit cap, room for what duplicates and allow-terms remove, while a text
/// repeating a term shared by a million materials stays a few hundred KiB of matches.
pub(crate) const MAX_FIELD_MATCHES: usize = 4096;

/// A matcher's serializable parts.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct MatcherParts {
    pub(crate) automaton: Vec<u8>,
    rules: RuleSet,
    offsets: Vec<u32>,
    materials: Vec<u32>,
    stems: Vec<(u32, Vec<String>)>,
}

/// Marks a pattern-table entry for a term's collapsed form: the material fires on it
/// only where the text was stretched.
const NEEDS_STRETCH: u32 = 1 << 31;
/// With `NEEDS_STRETCH`: the term itself is written stretched (`xxx`), so the run the
/// text needs is the term's own spelling, not an evasion to report.
const STRETCHED_TERM: u32 = 1 << 28;
/// Marks a pattern-table entry for an allow-term: where it occurs, hits of its
/// material (or of every material, for `PACKAGE_WIDE`) are suppressed.
const ALLOW: u32 = 1 << 30;
/// Marks a pattern-table entry for a rule operand (its index in the rule set).
const OPERAND: u32 = 1 << 29;
/// Marks a pattern-table entry for a term's other spacing (`respacings`): a hit
/// through it reports `spacing`.
const RESPACED: u32 = 1 << 27;
/// The index bits of an entry.
const INDEX: u32 = RESPACED - 1;
/// The "material" of a package-level allow-term; material indices stay below it.
const PACKAGE_WIDE: u32 = INDEX;

pub(crate) struct TextMatcher {
    ac: CharwiseDoubleArrayAhoCorasick<u32>,
    rules: RuleSet,
    /// Materials of pattern `p` are `materials[offsets[p]..offsets[p + 1]]`: two flat
    /// vectors instead of a Vec per pattern, so a 1M-term package is two allocations.
    offsets: Vec<u32>,
    materials: Vec<u32>,
    /// The stems of each `stem`-mode material's words, by material, in order.
    stems: Vec<(u32, Vec<String>)>,
}

/// An allow-term found at a normalized byte span: it shields hits of `material`
/// (every material when `None`) that lie inside it.
pub(crate) struct Allowed {
    pub material: Option<usize>,
    pub start: usize,
    pub end: usize,
}

impl Allowed {
    pub(crate) fn shields(&self, m: &TextMatch) -> bool {
        self.start <= m.start && m.end <= self.end && self.material.is_none_or(|x| x == m.material)
    }
}

/// A material whose term was found, at a normalized byte span.
pub(crate) struct TextMatch {
    pub material: usize,
    pub start: usize,
    pub end: usize,
    /// Disguise bits of the matched text (`normalize::flag`).
    pub flags: u16,
}

/// A phrase of up to this many words is also indexed with every choice of its
/// spaces removed (`sports betting` as `sportsbetting`; three words give three more
/// forms); a longer one only with all of them removed, so a term costs at most
/// eight patterns.
const MAX_RESPACED_WORDS: usize = 4;

/// The other spacings a term also matches: a phrase without its spaces
/// (`#sportsbetting`, and `sports-betting`, whose hyphen joins it into one word),
/// and a word joined by punctuation with a space there (`e-cigarette` as
/// `e cigarette`).
fn respacings(term: &Normalized) -> Vec<String> {
    let text = term.as_str();
    // The term's words: cut at its spaces and at its joints.
    let mut words = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if c == ' ' {
            words.push(&text[start..at]);
            start = at + 1;
        } else if at > start && term.joined_at(at) {
            words.push(&text[start..at]);
            start = at;
        }
    }
    words.push(&text[start..]);
    let gaps = words.len() - 1;
    let masks: Vec<u32> = if gaps == 0 {
        Vec::new()
    } else if words.len() <= MAX_RESPACED_WORDS {
        (0..1u32 << gaps).collect()
    } else {
        vec![0, (1u32 << gaps) - 1]
    };
    masks
        .into_iter()
        .map(|mask| {
            let mut out = words[0].to_string();
            for (g, w) in words[1..].iter().enumerate() {
                if mask & (1 << g) == 0 {
                    out.push(' ');
                }
                out.push_str(w);
            }
            out
        })
        .filter(|t| t != text)
        .collect()
}

impl TextMatcher {
    pub(crate) fn build(
        materials: &[Material],
        allow: &[String],
        options: NormalizeOptions,
    ) -> Result<TextMatcher, Error> {
        let normalize = |t: &str| normalize_with(t, options);
        if materials.len() >= PACKAGE_WIDE as usize {
            return Err(Error::build(format!("more than {} materials", PACKAGE_WIDE - 1)));
        }
        // Distinct normalized terms in a deterministic order: the same package must
        // give the same automaton, byte for byte, so builds are reproducible.
        let mut terms: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut operands: BTreeMap<String, u32> = BTreeMap::new();
        let mut rules = RuleSet::default();
        let mut stems = Vec::new();
        for (i, m) in materials.iter().enumerate() {
            if let Some(rule) = &m.rule {
                for t in rule.operands() {
                    let t = normalize(t).as_str().to_string();
                    let next = operands.len() as u32;
                    operands.entry(t).or_insert(next);
                }
                let ids =
                    |ts: &[String]| ts.iter().map(|t| operands[normalize(t).as_str()]).collect();
                rules.add(i as u32, ids(&rule.all), rule.within, ids(&rule.none));
                continue;
            }
            if m.kind != MaterialKind::Text {
                continue;
            }
            let normalized = normalize(&m.term);
            let term = normalized.as_str().to_string();
            // A term written with a run of three or more (`xxx`) was collapsed like
            // a stretched upload word (`x`). Indexed plainly it would fire on every
            // lone `x` ("X-ray", issue #5); it may only match text stretched likewise.
            // Stems cannot tell stretched text, so such a term in stem mode is a word.
            let stretched = normalized.flags(0, term.len()) & flag::REPEAT != 0;
            if m.mode == MatchMode::Stem && !stretched {
                // Indexed by the start of its first word's stem; the rest is checked
                // where that is found (`stem_end`).
                let words: Vec<&str> = term.split(' ').collect();
                let start = crate::stem::shared_start(words[0]).to_string();
                let stemmed = words.iter().map(|w| crate::stem::stem(w).into_owned()).collect();
                stems.push((i as u32, stemmed));
                terms.entry(start).or_default().push(i as u32);
            } else {
                let collapsed = collapse_runs(&term);
                if stretched {
                    terms
                        .entry(collapsed)
                        .or_default()
                        .push(i as u32 | NEEDS_STRETCH | STRETCHED_TERM);
                } else {
                    if collapsed != term {
                        // Found in stretched words only (see `collapse_runs`).
                        terms.entry(collapsed).or_default().push(i as u32 | NEEDS_STRETCH);
                    }
                    for spaced in respacings(&normalized) {
                        terms.entry(spaced).or_default().push(i as u32 | RESPACED);
                    }
                    terms.entry(term).or_default().push(i as u32);
                }
            }
            for e in &m.exceptions {
                terms.entry(normalize(e).as_str().to_string()).or_default().push(i as u32 | ALLOW);
            }
        }
        for (t, &o) in &operands {
            terms.entry(t.clone()).or_default().push(o | OPERAND);
        }
        for a in allow {
            terms.entry(normalize(a).as_str().to_string()).or_default().push(PACKAGE_WIDE | ALLOW);
        }
        let mut offsets = Vec::with_capacity(terms.len() + 1);
        let mut flat = Vec::with_capacity(materials.len());
        offsets.push(0);
        for ids in terms.values() {
            flat.extend_from_slice(ids);
            offsets.push(flat.len() as u32);
        }
        if terms.is_empty() {
            // daachorse refuses an empty pattern set; a package without text
            // materials still screens (and finds nothing).
            terms.insert("\u{0}".to_string(), Vec::new());
            offsets.push(0);
        }
        let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
            // Standard semantics is what overlapping search needs: every material
            // that fires is reported, not just the leftmost-longest.
            .match_kind(MatchKind::Standard)
            .build_with_values(terms.keys().enumerate().map(|(i, t)| (t.as_str(), i as u32)))
            .map_err(|e| Error::build(e.to_string()))?;
        Ok(TextMatcher { ac, rules, offsets, materials: flat, stems })
    }

    /// The matcher as bytes: the automaton in daachorse's own format, and the
    /// pattern table.
    pub(crate) fn to_parts(&self) -> MatcherParts {
        MatcherParts {
            automaton: self.ac.serialize(),
            rules: self.rules.clone(),
            offsets: self.offsets.clone(),
            materials: self.materials.clone(),
            stems: self.stems.clone(),
        }
    }

    /// Rebuilds a matcher from [`TextMatcher::to_parts`], whatever the bytes: the
    /// automaton is checked (`automaton_check.rs`) before daachorse reads it.
    pub(crate) fn from_parts(parts: MatcherParts) -> Result<TextMatcher, Error> {
        let patterns = parts
            .offsets
            .len()
            .checked_sub(1)
            .ok_or_else(|| Error::format("empty pattern table"))?;
        if parts.offsets.windows(2).any(|w| w[0] > w[1])
            || parts.offsets.last().copied() != Some(parts.materials.len() as u32)
        {
            return Err(Error::format("pattern table out of order"));
        }
        crate::automaton_check::check(&parts.automaton, patterns).map_err(Error::format)?;
        // SAFETY: `check` proved the properties daachorse's unchecked reads rely on.
        let (ac, rest) = unsafe {
            CharwiseDoubleArrayAhoCorasick::<u32>::deserialize_unchecked(&parts.automaton)
        };
        if !rest.is_empty() || ac.num_states() == 0 || patterns == 0 {
            return Err(Error::format("automaton bytes do not fit the pattern table"));
        }
        Ok(TextMatcher {
            ac,
            rules: parts.rules,
            offsets: parts.offsets,
            materials: parts.materials,
            stems: parts.stems,
        })
    }

    /// Whether the pattern table refers to a material at or past `n`.
    pub(crate) fn refers_beyond(&self, n: usize) -> bool {
        self.materials.iter().any(|&m| m & (ALLOW | OPERAND) == 0 && (m & INDEX) as usize >= n)
            || self
                .rules
                .refers_beyond(n, self.materials.iter().filter(|&&m| m & OPERAND != 0).count())
    }

    /// Heap bytes held by the matcher.
    pub(crate) fn memory_usage(&self) -> usize {
        self.ac.heap_bytes() + 4 * (self.offsets.capacity() + self.materials.capacity())
    }

    /// Whether `material` is matched by its stems (a `stem`-mode term not written
    /// stretched).
    fn stemmed(&self, material: usize) -> bool {
        self.stems.binary_search_by_key(&(material as u32), |s| s.0).is_ok()
    }

    /// Where the words of `stem`-mode material `material` end, if the haystack's
    /// words from `at` on have its stems, one for one.
    fn stem_end(&self, material: usize, text: &Normalized, at: usize) -> Option<usize> {
        let i = self.stems.binary_search_by_key(&(material as u32), |s| s.0).ok()?;
        let hay = text.haystack();
        let mut pos = at;
        for (k, want) in self.stems[i].1.iter().enumerate() {
            if k > 0 {
                pos += hay[pos..].starts_with(' ').then_some(1)?;
            }
            let len = hay[pos..].find(|c: char| !is_word_char(c)).unwrap_or(hay.len() - pos);
            if len == 0 || crate::stem::stem(&hay[pos..pos + len]) != want.as_str() {
                return None;
            }
            pos += len;
        }
        Some(pos)
    }

    /// Calls `found` for every material whose term occurs in `text` in a position its
    /// mode allows, in order of match end.
    pub(crate) fn find(
        &self,
        text: &Normalized,
        table: &MaterialTable,
        mut found: impl FnMut(TextMatch) -> ControlFlow<()>,
        mut allowed: impl FnMut(Allowed),
    ) {
        let mut operands = Vec::new();
        let hay = text.haystack();
        for m in self.ac.find_overlapping_iter(hay) {
            let p = m.value() as usize;
            let (at, to) = (m.start(), m.end());
            if !hay.is_char_boundary(at) {
                // Only a crafted automaton can get here (`automaton_check.rs`).
                continue;
            }
            // Word edges and disguises are read where the match is, in the text or
            // in another reading of a word; everything else uses the text's range.
            let Some((start, end)) = text.to_text(at, to) else { continue };
            let starts_word = || {
                !text.char_before(at).is_some_and(is_word_char)
                    || text.inside_spelled(at)
                    || text.joined_at(at)
            };
            let ends_word = || {
                !text.char_at(to).is_some_and(is_word_char)
                    || text.inside_spelled(to)
                    || text.joined_at(to)
            };
            let flags = text.match_flags(at, to);
            for &entry in &self.materials[self.offsets[p] as usize..self.offsets[p + 1] as usize] {
                if entry & NEEDS_STRETCH != 0 && flags & flag::REPEAT == 0 {
                    continue;
                }
                if entry & OPERAND != 0 {
                    if starts_word() && ends_word() && operands.len() < MAX_OPERAND_MATCHES {
                        operands.push(OperandMatch { operand: entry & INDEX, start, end });
                    }
                    continue;
                }
                if entry & ALLOW != 0 {
                    // Allow-terms match anywhere: `scunthorpe` shields what is inside it.
                    let material =
                        (entry & INDEX != PACKAGE_WIDE).then_some((entry & INDEX) as usize);
                    allowed(Allowed { material, start, end });
                    continue;
                }
                let material = (entry & INDEX) as usize;
                if table.mode(material) == MatchMode::Stem && self.stemmed(material) {
                    let m = starts_word()
                        .then(|| self.stem_end(material, text, at))
                        .flatten()
                        .and_then(|to| Some((text.to_text(at, to)?, text.match_flags(at, to))));
                    if let Some(((start, end), flags)) = m
                        && found(TextMatch { material, start, end, flags }).is_break()
                    {
                        return;
                    }
                    continue;
                }
                let fits = match table.mode(material) {
                    MatchMode::Word | MatchMode::Stem => starts_word() && ends_word(),
                    MatchMode::Prefix => starts_word(),
                    MatchMode::Substring => true,
                    MatchMode::Rule => false,
                };
                if fits {
                    let flags =
                        if entry & STRETCHED_TERM != 0 { flags & !flag::REPEAT } else { flags };
                    let flags = if entry & RESPACED != 0 { flags | flag::SPACING } else { flags };
                    if found(TextMatch { material, start, end, flags }).is_break() {
                        return;
                    }
                }
            }
        }
        if !self.rules.is_empty() {
            let mut stopped = false;
            self.rules.eval(text, &operands, |material, start, end| {
                if !stopped {
                    let m = TextMatch { material, start, end, flags: text.flags(start, end) };
                    stopped = found(m).is_break();
                }
            });
        }
    }
}
