//! The text matcher: one Aho-Corasick automaton (daachorse's character-wise double
//! array) over the normalized terms, allow-terms and rule operands, and the pattern
//! table from an automaton pattern or a table key to the materials that share it.
//! In packages of [`TERM_INDEX_MIN_TERMS`] word, prefix and stem terms or more,
//! those terms go instead to two hashed term tables (`term_index.rs`) that one scan
//! of the text looks spans up in; the automaton keeps the rest. Why the threshold,
//! with the measurements: docs/DESIGN.md, "The matcher".
//!
//! Built once, natively, at `prescreen build` time and snapshotted into the
//! component. Pattern-table entries say whether a pattern is a material's term, an
//! allow-term (which shields hits inside it) or a rule operand (`rules.rs`).

mod plan;

use crate::error::Error;
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::{
    LeetWords, LeetWordsBuilder, NormalizeOptions, Normalized, flag, is_word_char, normalize_with,
};
use crate::package::Material;
use crate::rules::{OperandMatch, RuleSet};
use crate::stem::StemWord;
use crate::table::MaterialTable;
use crate::term_index::{HEAD_BYTES, JOINT, MAX_KEY_BYTES, TermTable, head_hash, push, tail_hash};
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use plan::{Add, PLAN_CHUNK, Planner, is_new, note_key_words};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, VecDeque};
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
    stems: Vec<(u32, Vec<StemWord>)>,
    words: TermTable,
    prefixes: TermTable,
    symbols: Vec<(String, u32)>,
    leet_words: LeetWords,
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
/// Marks a pattern-table entry for a Latin transliteration of a Russian term
/// (`translit.rs`): a hit through it reports `transliteration`, and a `stem`-mode
/// term's transliterations match as whole words (the stemmers are per script).
const TRANSLIT: u32 = 1 << 26;
/// Marks a pattern-table entry for a `stem`-mode term's word-mode forms (its words
/// respaced, collapsed or with numbers written apart): matched as whole words, where
/// the stems, keyed by the first word's start only, cannot follow.
const AS_WORDS: u32 = 1 << 25;
/// The index bits of an entry.
const INDEX: u32 = AS_WORDS - 1;
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
    stems: Vec<(u32, Vec<StemWord>)>,
    /// Keys a span must end a word to match (word mode, rule operands).
    words: TermTable,
    /// Keys a span may end anywhere to match (prefix mode, stems' starts).
    prefixes: TermTable,
    /// `BASE^k` for every key length: a span's hash from two running hashes.
    powers: Vec<u64>,
    /// Whether some key is shorter than a head, so starts the gate closes still count.
    short_keys: bool,
    /// Emoji and symbol terms (`symbols.rs`): each key's pattern, by key.
    symbols: Vec<(String, u32)>,
    /// The keys' words a number could spell: the normalizer reads a number as
    /// letters only where it could be one (`normalize/leet_words.rs`).
    leet_words: LeetWords,
}

/// Packages with at least this many word, prefix and stem terms keep them in the
/// term tables; smaller ones keep every term in the automaton, which is faster per
/// request (100k terms, varied 2 KB ads in wasm: 61.6 vs 138 us on a reused
/// instance) but grows ~51 MiB of component per 100k terms: past this size it would
/// no longer fit Fastly's 100 MB with the rest of the component (1M terms, tables:
/// 82 MiB, 20 s build, 1.6 GB peak; automaton: 237 MiB, 87 s, 4.9 GB). Issue #13.
pub(crate) const TERM_INDEX_MIN_TERMS: usize = 150_000;

/// Where a term goes: which table, or the automaton.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Words,
    Prefixes,
    Anywhere,
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
pub(crate) fn respacings(term: &Normalized) -> Vec<String> {
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
    spacings(&words).into_iter().filter(|t| t != text).collect()
}

/// `words` joined with a space or nothing at each gap, every choice for up to
/// `MAX_RESPACED_WORDS` words, else all spaces and none; for one word, nothing.
pub(crate) fn spacings(words: &[&str]) -> Vec<String> {
    let gaps = words.len().saturating_sub(1);
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
        .collect()
}

/// Words of at least this many letters also match split by one inner space
/// (`cas ino`), leaving at least `MIN_SPLIT_PIECE` letters either side: a split of a
/// shorter word leaves pieces that are words of their own (`on ly`), and one-letter
/// pieces are spaced letters, which the normalizer already joins.
const MIN_SPLIT_WORD: usize = 5;
const MIN_SPLIT_PIECE: usize = 2;
/// Packages with at most this many word, prefix and stem terms also index each term
/// with one word split (`split_spellings`): a term of n letters gives about n - 3 more
/// patterns, 4.5x the matcher, and at 10k terms a fresh request cost 232 instead of
/// 140 us, so larger packages go without (docs/DESIGN.md, "Split words").
pub(crate) const MAX_SPLIT_TERMS: usize = 2_000;

/// How many of `materials` are word, prefix and stem terms: what the term tables
/// would hold, and what `MAX_SPLIT_TERMS` counts.
pub(crate) fn keyable(materials: &[Material]) -> usize {
    materials
        .iter()
        .filter(|m| m.kind == MaterialKind::Text && m.rule.is_none())
        .filter(|m| m.mode != MatchMode::Substring && !crate::symbols::is_symbol_term(&m.term))
        .count()
}

/// The term with one of its words split by a space at one inner point (`casino` as
/// `cas ino`), every choice: the way an evader breaks a word a filter looks for.
pub(crate) fn split_spellings(term: &Normalized) -> Vec<String> {
    let text = term.as_str();
    let mut out = Vec::new();
    let mut start = 0;
    for word in text.split(' ') {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() >= MIN_SPLIT_WORD && chars.iter().all(|&(_, c)| is_word_char(c)) {
            for &(at, _) in &chars[MIN_SPLIT_PIECE..=chars.len() - MIN_SPLIT_PIECE] {
                // A joint already matches with a space (`respacings`).
                if term.joined_at(start + at) {
                    continue;
                }
                let cut = start + at;
                out.push(format!("{} {}", &text[..cut], &text[cut..]));
            }
        }
        start += word.len() + 1;
    }
    out
}

/// `text` (a normalized term, or the start of one) as a table key: its joints in
/// `term` marked with `JOINT`; `None` where a key cannot hold it (empty, longer than
/// `MAX_KEY_BYTES`, or holding a byte keys reserve).
fn stored_key(term: &Normalized, text: &str) -> Option<Vec<u8>> {
    let joints = term.as_str().starts_with(text);
    let mut key = Vec::with_capacity(text.len() + 2);
    for (at, c) in text.char_indices() {
        if matches!(c, '\n' | '\u{1}') || (c == ' ' && (at == 0 || key.last() == Some(&b' '))) {
            return None;
        }
        if joints && at > 0 && c != ' ' && key.last() != Some(&b' ') && term.joined_at(at) {
            key.push(JOINT);
        }
        key.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    let squeezed = key.iter().filter(|&&b| b != b' ' && b != JOINT).count();
    (squeezed > 0 && squeezed <= MAX_KEY_BYTES && key.last() != Some(&b' ')).then_some(key)
}

/// The first `HEAD_BYTES` bytes from `at` on, spaces skipped, packed as a table's
/// heads are; `None` if the line ends first.
#[inline]
fn head_at(bytes: &[u8], at: usize) -> Option<u64> {
    let (mut head, mut n) = (0u64, 0);
    for &b in &bytes[at..] {
        match b {
            b'\n' => return None,
            b' ' => {}
            _ => {
                head |= (b as u64) << (8 * n);
                n += 1;
                if n == HEAD_BYTES {
                    return Some(head);
                }
            }
        }
    }
    None
}

/// Whether a word edge is at byte `at`: `beyond`, the character on the far side of
/// it, is no word character, or the normalizer left an edge there (inside a spelled
/// run, where noise was dropped).
#[inline]
fn edge(text: &Normalized, at: usize, beyond: Option<char>) -> bool {
    !beyond.is_some_and(is_word_char) || text.inside_spelled(at) || text.joined_at(at)
}

/// A place in the text where a key may start, while the scan keeps it in reach.
struct Start {
    at: usize,
    /// The running hash, squeezed length and space count before `at`.
    hash: u64,
    squeezed: usize,
    spaces: u32,
    /// Whether each table's gate let this start's head through.
    gates: [bool; 2],
}

impl TextMatcher {
    /// The matcher of an automaton and the rest of its parts.
    fn assemble(ac: CharwiseDoubleArrayAhoCorasick<u32>, parts: MatcherParts) -> TextMatcher {
        let MatcherParts {
            rules,
            offsets,
            materials,
            stems,
            words,
            prefixes,
            symbols,
            leet_words,
            ..
        } = parts;
        let mut powers = vec![1u64; MAX_KEY_BYTES + 1];
        for k in 1..powers.len() {
            powers[k] = powers[k - 1].wrapping_mul(crate::term_index::BASE);
        }
        let short_keys = (1..HEAD_BYTES).any(|l| words.has_len(l) || prefixes.has_len(l));
        TextMatcher {
            ac,
            rules,
            offsets,
            materials,
            stems,
            words,
            prefixes,
            powers,
            short_keys,
            symbols,
            leet_words,
        }
    }

    /// The matcher of `materials`; their word, prefix and stem terms go to the term
    /// tables when there are at least `min_index_terms` of them.
    pub(crate) fn build(
        materials: &[Material],
        allow: &[String],
        options: NormalizeOptions,
        min_index_terms: usize,
    ) -> Result<TextMatcher, Error> {
        let normalize = |t: &str| normalize_with(t, options);
        if materials.len() >= PACKAGE_WIDE as usize {
            return Err(Error::build(format!("more than {} materials", PACKAGE_WIDE - 1)));
        }
        // Distinct keys and patterns in a deterministic order: the same package must
        // give the same matcher, byte for byte, so builds are reproducible.
        let mut anywhere: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        // The tables' keys need no order here: `TermTable::build` lays them out by
        // hash and text whatever order they come in, and a hash map is what a
        // million keys can afford.
        let keyable = keyable(materials);
        let mut keyed: [FxHashMap<Vec<u8>, Vec<u32>>; 2] = Default::default();
        if keyable >= min_index_terms {
            // Most keyable terms are words (one key each, more for stretched forms).
            keyed[0].reserve(keyable);
        }
        let mut operands: BTreeMap<String, u32> = BTreeMap::new();
        let mut rules = RuleSet::default();
        let mut stems = Vec::new();
        let mut symbols: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let indexed = keyable >= min_index_terms;
        let split = !indexed && keyable <= MAX_SPLIT_TERMS;
        // Each material's forms and keys are worked out apart from the maps
        // (`Planner`), on two threads for a large package, and added to the maps in
        // material order, so the matcher is the same whichever thread is first.
        let planner = Planner { options, indexed, split };
        let mut leet_words = LeetWordsBuilder::default();
        let mut apply = |add: Add| match add {
            Add::Key { prefixes, key, entry } => {
                let ids = keyed[prefixes as usize].entry(key).or_default();
                if entry & RESPACED == 0 || is_new(ids, entry) {
                    ids.push(entry);
                }
            }
            Add::Pattern { spaced, text, entry } => {
                for spaced in spaced {
                    let ids = anywhere.entry(spaced).or_default();
                    if !ids.contains(&(entry | RESPACED)) {
                        ids.push(entry | RESPACED);
                    }
                }
                let ids = anywhere.entry(text).or_default();
                if entry & RESPACED == 0 || is_new(ids, entry) {
                    ids.push(entry);
                }
            }
            Add::Stem(entry, words) => stems.push((entry, words)),
            Add::Symbol(key, material) => symbols.entry(key).or_default().push(material),
        };
        let parallel = materials.len() >= crate::parallel::MIN_PARALLEL_MATERIALS;
        for (round, chunk) in materials.chunks(2 * PLAN_CHUNK).enumerate() {
            let first = round * 2 * PLAN_CHUNK;
            let mid = chunk.len().div_ceil(2);
            let ((a, words_a), (b, words_b)) = crate::parallel::join(
                parallel,
                || planner.plan(&chunk[..mid], first),
                || planner.plan(&chunk[mid..], first + mid),
            );
            leet_words.merge(words_a);
            leet_words.merge(words_b);
            a.into_iter().chain(b).for_each(&mut apply);
        }
        // Rules number their operands in material order; their operands are keys
        // like any other (below).
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
            }
        }
        let mut add = |place: Place, term: &Normalized, text: &str, entry: u32| {
            let add = planner.add(place, term, text, entry, false);
            note_key_words(&add, |m| materials.get(m).map(|m| m.mode), &mut leet_words);
            apply(add);
        };
        for (t, &o) in &operands {
            add(Place::Words, &Normalized::default(), t, o | OPERAND);
        }
        for a in allow {
            let a = normalize(a);
            add(Place::Anywhere, &a, a.as_str(), PACKAGE_WIDE | ALLOW);
        }
        // The pattern table: the automaton's patterns, then each table's keys in the
        // order the table numbered them.
        let mut offsets = vec![0];
        let mut flat = Vec::with_capacity(materials.len());
        for ids in anywhere.values() {
            flat.extend_from_slice(ids);
            offsets.push(flat.len() as u32);
        }
        if anywhere.is_empty() {
            // daachorse refuses an empty pattern set; a package without such terms
            // still screens. The placeholder is a pattern without materials.
            anywhere.insert("\u{0}".to_string(), Vec::new());
            offsets.push(0);
        }
        // The two tables are built side by side; their patterns follow the automaton's,
        // the words' first.
        let words_base = (offsets.len() - 1) as u32;
        let prefixes_base = words_base + keyed[0].len() as u32;
        let table = |keyed: &FxHashMap<Vec<u8>, Vec<u32>>, base: u32| {
            let keys: Vec<&[u8]> = keyed.keys().map(Vec::as_slice).collect();
            TermTable::build(base, &keys)
        };
        let ((words, word_order), (prefixes, prefix_order)) = crate::parallel::join(
            keyed[0].len() + keyed[1].len() >= crate::parallel::MIN_PARALLEL_MATERIALS,
            || table(&keyed[0], words_base),
            || table(&keyed[1], prefixes_base),
        );
        for (keyed, order) in [(&keyed[0], word_order), (&keyed[1], prefix_order)] {
            let ids: Vec<&Vec<u32>> = keyed.values().collect();
            for k in order {
                flat.extend_from_slice(ids[k]);
                offsets.push(flat.len() as u32);
            }
        }
        // Then the symbol terms' keys, in key order.
        let symbols = symbols
            .into_iter()
            .map(|(key, ids)| {
                let pattern = (offsets.len() - 1) as u32;
                flat.extend_from_slice(&ids);
                offsets.push(flat.len() as u32);
                (key, pattern)
            })
            .collect();
        let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
            // Standard semantics is what overlapping search needs: every material
            // that fires is reported, not just the leftmost-longest.
            .match_kind(MatchKind::Standard)
            .build_with_values(anywhere.keys().enumerate().map(|(i, t)| (t.as_str(), i as u32)))
            .map_err(|e| Error::build(e.to_string()))?;
        let parts = MatcherParts {
            automaton: Vec::new(),
            rules,
            offsets,
            materials: flat,
            stems,
            words,
            prefixes,
            symbols,
            leet_words: leet_words.build(),
        };
        Ok(TextMatcher::assemble(ac, parts))
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
            words: self.words.clone(),
            prefixes: self.prefixes.clone(),
            symbols: self.symbols.clone(),
            leet_words: self.leet_words.clone(),
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
        parts.words.validate(patterns).map_err(Error::format)?;
        parts.prefixes.validate(patterns).map_err(Error::format)?;
        if parts.symbols.windows(2).any(|w| w[0].0 >= w[1].0)
            || parts.symbols.iter().any(|(_, p)| *p as usize >= patterns)
        {
            return Err(Error::format("symbol terms out of order"));
        }
        if parts
            .stems
            .iter()
            .any(|(_, words)| words.is_empty() || !words.iter().all(StemWord::is_valid))
        {
            return Err(Error::format("stem-mode term without words, or with an empty base"));
        }
        if !parts.leet_words.is_valid() {
            return Err(Error::format("key words out of order"));
        }
        Ok(TextMatcher::assemble(ac, parts))
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
        self.ac.heap_bytes()
            + 4 * (self.offsets.capacity() + self.materials.capacity())
            + self.words.heap_bytes()
            + self.prefixes.heap_bytes()
            + self.symbols.iter().map(|(k, _)| k.capacity() + 4).sum::<usize>()
            + self.leet_words.memory_usage()
    }

    /// Reads every number as letters, as a matcher without key words would: what
    /// the key words must not change, in tests.
    #[cfg(test)]
    pub(crate) fn read_every_number(&mut self) {
        self.leet_words = LeetWords::every();
    }

    /// The keys' words a number could spell, for [`crate::normalize::normalize_for`].
    pub(crate) fn leet_words(&self) -> &LeetWords {
        &self.leet_words
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
            if len == 0 || !want.matches(&hay[pos..pos + len]) {
                return None;
            }
            pos += len;
        }
        Some(pos)
    }

    /// Calls `each` for every key span of the two tables in `text`, in order of span
    /// end: `(pattern, start, end, respaced)`.
    ///
    /// One pass over the haystack keeps a running hash of its bytes without spaces
    /// and the word starts still in reach of the longest key; at each character
    /// boundary every start in reach gives one span, whose hash is the difference of
    /// two running hashes. A span is looked up only where its table has a key of its
    /// length and the gates let it through: the start's first `HEAD_BYTES` (head
    /// gate) and the span's last ones (tail gate), or for a span shorter than a head,
    /// its bytes (short-key gate).
    fn scan(
        &self,
        text: &Normalized,
        mut each: impl FnMut(u32, usize, usize, bool) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let max_len = self.words.max_len().max(self.prefixes.max_len());
        if max_len == 0 {
            return ControlFlow::Continue(());
        }
        let max_gaps = self.words.max_gaps().max(self.prefixes.max_gaps());
        let tables = [(&self.words, true), (&self.prefixes, false)];
        let hay = text.haystack();
        let bytes = hay.as_bytes();
        let mut starts: VecDeque<Start> = VecDeque::new();
        let (mut hash, mut squeezed, mut spaces) = (0u64, 0usize, 0u32);
        // The last `HEAD_BYTES` squeezed bytes, for the tail gates.
        let mut tail = 0u64;
        // Starts in the deque whose head opened each table's gate: with none, only
        // spans shorter than a head are left and the tail gates are not read.
        let mut open = [0usize; 2];
        let mut prev: Option<char> = None;
        let mut chars = hay.char_indices();
        loop {
            let next = chars.next();
            let at = next.map_or(hay.len(), |(i, _)| i);
            let c = next.map(|(_, c)| c);
            if !starts.is_empty() && prev.is_some_and(|p| p != ' ') {
                let ends_word = edge(text, at, c);
                // Which tables a span ending here may be in: its end is where a key
                // may end, and its last bytes are a key's.
                let want = [open[0] > 0 && ends_word, open[1] > 0];
                let mut ends = [false; 2];
                if squeezed >= HEAD_BYTES && (want[0] || want[1]) {
                    let th = tail_hash(tail);
                    ends = [
                        want[0] && self.words.tail_open(th),
                        want[1] && self.prefixes.tail_open(th),
                    ];
                }
                // With no tail open only spans shorter than a head are left, the
                // newest starts; the deque is in text order.
                let from = if ends[0] || ends[1] {
                    0
                } else if self.short_keys {
                    // The newest starts, a few at most: counted from the back.
                    let mut from = starts.len();
                    while from > 0 && squeezed - starts[from - 1].squeezed < HEAD_BYTES {
                        from -= 1;
                    }
                    from
                } else {
                    starts.len()
                };
                for s in starts.range(from..) {
                    let len = squeezed - s.squeezed;
                    let gaps = spaces - s.spaces;
                    for (t, &(table, needs_end)) in tables.iter().enumerate() {
                        let long = len >= HEAD_BYTES;
                        if (ends_word || !needs_end)
                            && gaps <= table.max_gaps()
                            && table.has_len(len)
                            && if long {
                                s.gates[t] && ends[t]
                            } else {
                                table.short_open(tail, len)
                            }
                        {
                            let h = hash.wrapping_sub(s.hash.wrapping_mul(self.powers[len]));
                            for k in table.probe(h, len) {
                                if let Some(respaced) = table.verify(k, &bytes[s.at..at]) {
                                    each(table.pattern(k), s.at, at, respaced)?;
                                }
                            }
                        }
                    }
                }
            }
            let Some(c) = c else { break };
            match c {
                '\n' => {
                    starts.clear();
                    open = [0; 2];
                }
                ' ' => spaces += 1,
                _ => {
                    if edge(text, at, prev) {
                        let gates = head_at(bytes, at).map_or([false; 2], |head| {
                            let g = head_hash(head);
                            [self.words.gate_open(g), self.prefixes.gate_open(g)]
                        });
                        if gates[0] || gates[1] || self.short_keys {
                            open[0] += gates[0] as usize;
                            open[1] += gates[1] as usize;
                            starts.push_back(Start { at, hash, squeezed, spaces, gates });
                        }
                    }
                    for &b in &bytes[at..at + c.len_utf8()] {
                        hash = push(hash, b);
                        tail = tail << 8 | b as u64;
                    }
                    squeezed += c.len_utf8();
                    while let Some(s) = starts
                        .front()
                        .filter(|s| squeezed - s.squeezed > max_len || spaces - s.spaces > max_gaps)
                    {
                        open[0] -= s.gates[0] as usize;
                        open[1] -= s.gates[1] as usize;
                        starts.pop_front();
                    }
                }
            }
            prev = Some(c);
        }
        ControlFlow::Continue(())
    }

    /// Reports the entries of pattern `p` found at haystack bytes `at..to` whose
    /// mode allows that position; `respaced` if the text spaced the key otherwise.
    #[allow(clippy::too_many_arguments)]
    fn entries(
        &self,
        p: usize,
        at: usize,
        to: usize,
        respaced: bool,
        text: &Normalized,
        table: &MaterialTable,
        found: &mut impl FnMut(TextMatch) -> ControlFlow<()>,
        allowed: &mut impl FnMut(Allowed),
        operands: &mut Vec<OperandMatch>,
    ) -> ControlFlow<()> {
        let hay = text.haystack();
        let (Some(&from), Some(&until)) = (self.offsets.get(p), self.offsets.get(p + 1)) else {
            return ControlFlow::Continue(());
        };
        if !hay.is_char_boundary(at) {
            // Only a crafted automaton can get here (`automaton_check.rs`).
            return ControlFlow::Continue(());
        }
        // Word edges and disguises are read where the match is, in the text or in
        // another reading of a word; everything else uses the text's range. A key in
        // a reading that does not reach its changed word has no range (the text holds
        // the same match), but a stem's key is only the start of its match: its range
        // is taken where the stems end.
        let span = text.to_text(at, to);
        if span.is_none() && self.stems.is_empty() {
            return ControlFlow::Continue(());
        }
        let starts_word = || edge(text, at, text.char_before(at));
        let ends_word = || edge(text, to, text.char_at(to));
        let flags = text.match_flags(at, to);
        for &entry in &self.materials[from as usize..until as usize] {
            if entry & NEEDS_STRETCH != 0 && flags & flag::REPEAT == 0 {
                continue;
            }
            let material = (entry & INDEX) as usize;
            if entry & (TRANSLIT | AS_WORDS | OPERAND | ALLOW) == 0
                && table.mode(material) == MatchMode::Stem
                && self.stemmed(material)
            {
                let m = starts_word()
                    .then(|| self.stem_end(material, text, at))
                    .flatten()
                    .and_then(|to| Some((text.to_text(at, to)?, text.match_flags(at, to))));
                if let Some(((start, end), flags)) = m {
                    found(TextMatch { material, start, end, flags })?;
                }
                continue;
            }
            let Some((start, end)) = span else { continue };
            if entry & OPERAND != 0 {
                if starts_word() && ends_word() && operands.len() < MAX_OPERAND_MATCHES {
                    operands.push(OperandMatch { operand: entry & INDEX, start, end });
                }
                continue;
            }
            if entry & ALLOW != 0 {
                // Allow-terms match anywhere: `scunthorpe` shields what is inside it.
                let material = (entry & INDEX != PACKAGE_WIDE).then_some((entry & INDEX) as usize);
                allowed(Allowed { material, start, end });
                continue;
            }
            let fits = match table.mode(material) {
                MatchMode::Word | MatchMode::Stem => starts_word() && ends_word(),
                MatchMode::Prefix => starts_word(),
                MatchMode::Substring => true,
                MatchMode::Rule => false,
            };
            if fits {
                let flags = if entry & STRETCHED_TERM != 0 { flags & !flag::REPEAT } else { flags };
                let flags =
                    if entry & RESPACED != 0 || respaced { flags | flag::SPACING } else { flags };
                let flags = if entry & TRANSLIT != 0 { flags | flag::TRANSLIT } else { flags };
                found(TextMatch { material, start, end, flags })?;
            }
        }
        ControlFlow::Continue(())
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
        let mut ac = self.ac.find_overlapping_iter(hay).peekable();
        let mut entries = |p: usize, at: usize, to: usize, respaced: bool| {
            self.entries(p, at, to, respaced, text, table, &mut found, &mut allowed, &mut operands)
        };
        // The automaton's matches and the tables' spans, merged by end.
        let stopped = self
            .scan(text, |p, at, to, respaced| {
                while let Some(m) = ac.next_if(|m| m.end() <= to) {
                    entries(m.value() as usize, m.start(), m.end(), false)?;
                }
                entries(p as usize, at, to, respaced)
            })
            .is_break()
            || ac
                .try_for_each(|m| entries(m.value() as usize, m.start(), m.end(), false))
                .is_break();
        if stopped {
            return;
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

    /// Calls `found` with each material whose emoji or symbol term stands in `text`
    /// (the field's original text, not normalized) and the byte span it covers.
    pub(crate) fn find_symbols(
        &self,
        text: &str,
        mut found: impl FnMut(usize, usize, usize) -> ControlFlow<()>,
    ) {
        if self.symbols.is_empty() {
            return;
        }
        let mut key = String::new();
        for run in crate::symbols::runs(text) {
            for (i, first) in run.iter().enumerate() {
                key.clear();
                for last in run[i..].iter().take(crate::symbols::MAX_TERM_UNITS) {
                    key.push_str(&last.key);
                    let Ok(k) = self.symbols.binary_search_by(|(s, _)| s.as_str().cmp(&key)) else {
                        continue;
                    };
                    let p = self.symbols[k].1 as usize;
                    let (Some(&from), Some(&until)) =
                        (self.offsets.get(p), self.offsets.get(p + 1))
                    else {
                        continue;
                    };
                    for &entry in &self.materials[from as usize..until as usize] {
                        if found((entry & INDEX) as usize, first.start, last.end).is_break() {
                            return;
                        }
                    }
                }
            }
        }
    }
}
