//! The text matcher: one Aho-Corasick automaton over every distinct normalized term,
//! plus the table from automaton pattern to the materials that share that term.
//!
//! Built once (inside the component: at `prescreen build` time, then snapshotted), so
//! a request only runs the automaton over the normalized text.

use crate::error::Error;
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::{Normalized, is_word_char, normalize};
use crate::package::Material;
use crate::table::MaterialTable;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::BTreeMap;

pub(crate) struct TextMatcher {
    ac: AhoCorasick,
    /// Materials of pattern `p` are `materials[offsets[p]..offsets[p + 1]]`: two flat
    /// vectors instead of a Vec per pattern, so a 1M-term package is two allocations.
    offsets: Vec<u32>,
    materials: Vec<u32>,
}

/// A material whose term was found, at a normalized byte span.
pub(crate) struct TextMatch {
    pub material: usize,
    pub start: usize,
    pub end: usize,
}

impl TextMatcher {
    pub(crate) fn build(materials: &[Material]) -> Result<TextMatcher, Error> {
        // Distinct normalized terms in a deterministic order: the same package must
        // give the same automaton, byte for byte, so builds are reproducible.
        let mut terms: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, m) in materials.iter().enumerate() {
            if m.kind == MaterialKind::Text {
                let term = normalize(&m.term).as_str().to_string();
                terms.entry(term).or_default().push(i as u32);
            }
        }
        let mut offsets = Vec::with_capacity(terms.len() + 1);
        let mut flat = Vec::with_capacity(materials.len());
        offsets.push(0);
        for ids in terms.values() {
            flat.extend_from_slice(ids);
            offsets.push(flat.len() as u32);
        }
        let ac = AhoCorasick::builder()
            // Standard semantics is what overlapping search needs: every material
            // that fires is reported, not just the leftmost-longest.
            .match_kind(MatchKind::Standard)
            // A DFA over 100k terms is hundreds of MB; the contiguous NFA is the
            // compact, fast choice the builder would pick for large sets anyway.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(terms.keys())
            .map_err(|e| Error::build(e.to_string()))?;
        Ok(TextMatcher { ac, offsets, materials: flat })
    }

    /// Heap bytes held by the matcher.
    pub(crate) fn memory_usage(&self) -> usize {
        self.ac.memory_usage() + 4 * (self.offsets.capacity() + self.materials.capacity())
    }

    /// Calls `found` for every material whose term occurs in `text` in a position its
    /// mode allows, in order of match end.
    pub(crate) fn find(&self, text: &Normalized, table: &MaterialTable, mut found: impl FnMut(TextMatch)) {
        let hay = text.as_str();
        for m in self.ac.find_overlapping_iter(hay) {
            let p = m.pattern().as_usize();
            let (start, end) = (m.start(), m.end());
            let starts_word = || !text.char_before(start).is_some_and(is_word_char);
            let ends_word = || !text.char_at(end).is_some_and(is_word_char);
            for &material in &self.materials[self.offsets[p] as usize..self.offsets[p + 1] as usize] {
                let material = material as usize;
                let fits = match table.mode(material) {
                    MatchMode::Word => starts_word() && ends_word(),
                    MatchMode::Prefix => starts_word(),
                    MatchMode::Substring => true,
                };
                if fits {
                    found(TextMatch { material, start, end });
                }
            }
        }
    }
}
