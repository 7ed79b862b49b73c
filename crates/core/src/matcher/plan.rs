//! What each text material adds to the matcher (its forms, keys and patterns),
//! worked out apart from the maps they go to: materials are planned on two threads
//! for a large package and added in material order (`TextMatcher::build`), so the
//! matcher is the same, byte for byte, whichever thread finishes first.

use super::{
    ALLOW, AS_WORDS, INDEX, NEEDS_STRETCH, OPERAND, Place, RESPACED, STRETCHED_TERM, TRANSLIT,
    respacings, split_spellings, stored_key,
};
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::{
    KeyPlace, LeetWordsBuilder, NormalizeOptions, Normalized, collapse_runs, collapsed_forms, flag,
};
use crate::package::Material;
use crate::stem::StemWord;

/// Materials one thread plans per round: a round's plans are held until they are
/// added (a few MiB at this size), and a round costs one thread's start.
pub(super) const PLAN_CHUNK: usize = 16_384;

/// One addition to the matcher's maps.
pub(super) enum Add {
    /// A key of the word table, or of the prefix table (`prefixes`).
    Key { prefixes: bool, key: Vec<u8>, entry: u32 },
    /// An automaton pattern, with the other spacings that also find it.
    Pattern { spaced: Vec<String>, text: String, entry: u32 },
    /// A `stem`-mode material's stems, by entry.
    Stem(u32, Vec<StemWord>),
    /// An emoji or symbol term's key, and its material.
    Symbol(String, u32),
}

/// Whether a respaced `entry` adds a material that `ids` does not hold already
/// (a respaced form that meets the term's own, or another respaced form, adds
/// nothing).
pub(super) fn is_new(ids: &[u32], entry: u32) -> bool {
    !ids.iter().any(|&e| e & !RESPACED == entry & !RESPACED)
}

/// How terms are planned: the package's normalization and where keys go.
#[derive(Clone, Copy)]
pub(super) struct Planner {
    pub(super) options: NormalizeOptions,
    /// Word and prefix terms go to the term tables, not the automaton.
    pub(super) indexed: bool,
    /// Terms in the automaton also match spelled out letter by letter.
    pub(super) split: bool,
}

impl Planner {
    /// A term's text with its joints marked, as a table key; the automaton takes
    /// what a key cannot hold, and every term of a package under the threshold.
    pub(super) fn add(
        &self,
        place: Place,
        term: &Normalized,
        text: &str,
        entry: u32,
        respace: bool,
    ) -> Add {
        let key = (self.indexed && place != Place::Anywhere).then(|| stored_key(term, text));
        if let Some(Some(key)) = key {
            return Add::Key { prefixes: place == Place::Prefixes, key, entry };
        }
        let mut spaced = Vec::new();
        if respace && entry & NEEDS_STRETCH == 0 {
            spaced = respacings(term);
            // The term's own letters only: its Latin spellings are many.
            if self.split && entry & TRANSLIT == 0 {
                spaced.extend(split_spellings(term));
            }
        }
        Add::Pattern { spaced, text: text.to_string(), entry }
    }

    /// The additions of `materials`, the first of which is material `first`, in
    /// order, and the words of their keys a number could spell (on the planning
    /// threads: a package has millions of keys). Rule materials add nothing here
    /// (their operands are numbered in material order by the caller).
    pub(super) fn plan(
        &self,
        materials: &[Material],
        first: usize,
    ) -> (Vec<Add>, LeetWordsBuilder) {
        let normalize = |t: &str| crate::normalize::normalize_with(t, self.options);
        let mut out = Vec::new();
        let mut leet_words = LeetWordsBuilder::default();
        for (i, m) in (first..).zip(materials) {
            if m.rule.is_some() || m.kind != MaterialKind::Text {
                continue;
            }
            if crate::symbols::is_symbol_term(&m.term) {
                // Matched as written, on the original text (`find_symbols`).
                if let Some(key) = crate::symbols::term_key(&m.term) {
                    out.push(Add::Symbol(key, i as u32));
                }
                continue;
            }
            // The term, and its Latin spellings where the material asks for them.
            let mut forms = vec![(normalize(&m.term), 0)];
            if m.transliterate {
                let variants = crate::translit::variants(&m.term);
                forms.extend(variants.into_iter().map(|v| (v, TRANSLIT)));
            }
            let place = match m.mode {
                MatchMode::Word | MatchMode::Stem | MatchMode::Rule => Place::Words,
                MatchMode::Prefix => Place::Prefixes,
                MatchMode::Substring => Place::Anywhere,
            };
            for (normalized, bits) in &forms {
                let term = normalized.as_str();
                let entry = i as u32 | bits;
                // A term written with a run of three or more (`xxx`) was collapsed
                // like a stretched upload word (`x`). Indexed plainly it would fire on
                // every lone `x` ("X-ray", issue #5); it may only match text stretched
                // likewise. Stems cannot tell stretched text, so such a term in stem
                // mode is a word.
                let stretched = normalized.flags(0, term.len()) & flag::REPEAT != 0;
                let entry = if m.mode == MatchMode::Stem && !stretched && *bits == 0 {
                    // Keyed by the start of its first word's stem; the rest is checked
                    // where that is found (`stem_end`).
                    let words: Vec<&str> = term.split(' ').collect();
                    let stemmed: Vec<StemWord> = words.iter().map(|w| StemWord::of(w)).collect();
                    let start = stemmed[0].shared_start(words[0]);
                    let key = self.add(Place::Prefixes, normalized, start, entry, false);
                    // Every form of each word starts so: a number read as one does.
                    for (s, w) in stemmed.iter().zip(&words) {
                        leet_words.start(s.shared_start(w));
                    }
                    out.push(Add::Stem(entry, stemmed));
                    out.push(key);
                    // and as written, for the disguises of spacing and stretching
                    entry | AS_WORDS
                } else {
                    entry
                };
                let collapsed = collapse_runs(term);
                if stretched {
                    let entry = entry | NEEDS_STRETCH | STRETCHED_TERM;
                    out.push(self.add(place, normalized, &collapsed, entry, false));
                } else {
                    // Found in stretched words only (see `collapsed_forms`).
                    for collapsed in collapsed_forms(term) {
                        out.push(self.add(
                            place,
                            normalized,
                            &collapsed,
                            entry | NEEDS_STRETCH,
                            false,
                        ));
                    }
                    out.push(self.add(place, normalized, term, entry, true));
                    // The term's numbers written apart or glued (`numbers.rs`).
                    if *bits == 0 {
                        for n in crate::numbers::spellings(&m.term, self.options) {
                            out.push(self.add(place, &n, n.as_str(), entry | RESPACED, false));
                        }
                    }
                }
            }
            for e in &m.exceptions {
                let mut forms = vec![normalize(e)];
                if m.transliterate {
                    forms.extend(crate::translit::variants(e));
                }
                for e in &forms {
                    out.push(self.add(Place::Anywhere, e, e.as_str(), i as u32 | ALLOW, false));
                }
            }
        }
        for add in &out {
            note_key_words(
                add,
                |m| materials.get(m.checked_sub(first)?).map(|m| m.mode),
                &mut leet_words,
            );
        }
        (out, leet_words)
    }
}

/// Adds the words of `add`'s key to `leet_words`, placed by the mode of its material
/// (`mode_of`, by index) and its entry's bits.
pub(super) fn note_key_words(
    add: &Add,
    mode_of: impl Fn(usize) -> Option<MatchMode>,
    leet_words: &mut LeetWordsBuilder,
) {
    match add {
        Add::Key { prefixes, key, .. } => {
            leet_words.key(key, if *prefixes { KeyPlace::Prefix } else { KeyPlace::Words })
        }
        Add::Pattern { spaced, text, entry } => {
            let place = pattern_place(*entry, mode_of);
            leet_words.key(text.as_bytes(), place);
            for spaced in spaced {
                leet_words.key(spaced.as_bytes(), place);
            }
        }
        Add::Stem(..) | Add::Symbol(..) => {}
    }
}

/// Where an automaton pattern with `entry` may match, for the key words numbers are
/// read as: allow-terms and substring terms anywhere, prefix terms and a stem's key
/// from a word's start on, the rest (words, operands, a stem's forms as words) as
/// whole words.
fn pattern_place(entry: u32, mode_of: impl Fn(usize) -> Option<MatchMode>) -> KeyPlace {
    if entry & ALLOW != 0 {
        return KeyPlace::Anywhere;
    }
    if entry & OPERAND != 0 {
        return KeyPlace::Words;
    }
    match mode_of((entry & INDEX) as usize) {
        Some(MatchMode::Substring) | None => KeyPlace::Anywhere,
        Some(MatchMode::Prefix) => KeyPlace::Prefix,
        Some(MatchMode::Stem) if entry & (AS_WORDS | TRANSLIT) == 0 => KeyPlace::Prefix,
        Some(_) => KeyPlace::Words,
    }
}

#[cfg(all(test, feature = "source"))]
mod tests {
    use super::PLAN_CHUNK;
    use crate::parallel::tests::IN_TURN;
    use crate::{Compiler, Screener};

    /// The table-test package (every mode, exceptions, rules, emoji terms,
    /// transliteration), its rows repeated under new ids past two rounds of plans.
    fn every_mode_many_times() -> crate::Package {
        let manifest = include_str!("../../../../packages/testdata/table/package.toml");
        let rows = include_str!("../../../../packages/testdata/table/materials.tsv");
        let mut lines = rows.lines();
        let mut table = format!("{}\n", lines.next().unwrap());
        let body: Vec<&str> = lines.filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        let copies = (5 * PLAN_CHUNK).div_ceil(body.len());
        for k in 0..copies {
            for line in &body {
                let (id, rest) = line.split_once('\t').unwrap();
                table.push_str(&format!("{id}-{k}\t{rest}\n"));
            }
        }
        Compiler::new().built_at(1_700_000_000).unwrap().compile_strs(manifest, &table).unwrap()
    }

    #[test]
    fn plans_made_on_two_threads_give_the_matcher_one_thread_gives() {
        let package = every_mode_many_times();
        assert!(package.materials.len() > 2 * 2 * PLAN_CHUNK, "two rounds of plans at least");
        let two = Screener::new(&package).unwrap().to_prebuilt();
        IN_TURN.set(true);
        let one = Screener::new(&package).unwrap().to_prebuilt();
        IN_TURN.set(false);
        assert!(one == two, "the matcher depends on which thread planned what");
    }
}
