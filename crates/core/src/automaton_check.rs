//! Validation of a serialized automaton before daachorse reads it (issue #15).
//!
//! daachorse's `deserialize_unchecked` trusts its input: it allocates by the length
//! prefixes it reads, and its search indexes states and outputs unchecked. A prebuilt
//! screener carries a checksum, but a checksum is no proof of origin (a fuzzer forged
//! one and made the loader allocate 27 GB), so this module checks every property the
//! search relies on before the bytes reach daachorse:
//!
//! - every length prefix fits the bytes that follow it (allocation is bounded by the
//!   input), nothing trails, and the match kind is `Standard`;
//! - the character map sends each character to its own code below the alphabet size,
//!   and the state count is a multiple of the alphabet's power of two, so `base ^ code`
//!   of an in-range `base` stays in range;
//! - every `base`, `fail`, `output_pos` and output `parent` is in range, and every
//!   output's value names a pattern;
//! - the states a search can stand on (the root, and the children reachable from it
//!   through `check`) each spell a byte length; failure links from them lead to such a
//!   state with a shorter spelling, so the failure loop ends, and output chains get
//!   strictly shorter, so they end too;
//! - no output is longer than the spelling of the state that reports it: a match never
//!   starts before the text (the matcher still checks that a start is a character
//!   boundary, which a crafted failure link could break).
//!
//! The layout read here is daachorse 1.0's `CharwiseDoubleArrayAhoCorasick<u32>`
//! serialization (the workspace pins the version). A test checks that every automaton
//! daachorse builds passes, so a format change fails loudly instead of loading garbage.

/// daachorse's root state.
const ROOT: usize = 0;
/// daachorse's "no code" marker in the character map.
const INVALID_CODE: u32 = u32::MAX;
/// The byte daachorse writes for `MatchKind::Standard`.
const STANDARD: u8 = 0;
/// Bytes per serialized state: base, check, fail, output position.
const STATE_BYTES: usize = 16;
/// Bytes per serialized output: value, length, parent.
const OUTPUT_BYTES: usize = 12;
/// A state no search can stand on.
const UNREACHABLE: u32 = u32::MAX;
/// A state whose spelling is being computed (cycle detection).
const VISITING: u32 = u32::MAX - 1;
/// A state not looked at yet.
const UNSEEN: u32 = u32::MAX - 2;

/// Reads little-endian words off the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Result<u32, &'static str> {
        let (head, rest) = self.0.split_first_chunk::<4>().ok_or("automaton is cut short")?;
        self.0 = rest;
        Ok(u32::from_le_bytes(*head))
    }

    /// A length-prefixed array of `width`-byte records, checked against the bytes left
    /// before anything is allocated.
    fn records(&mut self, width: usize) -> Result<&'a [u8], &'static str> {
        let n = self.u32()? as usize;
        let size = n.checked_mul(width).ok_or("automaton array length overflows")?;
        if size > self.0.len() {
            return Err("automaton array is longer than its bytes");
        }
        let (head, rest) = self.0.split_at(size);
        self.0 = rest;
        Ok(head)
    }
}

fn word(record: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(record[4 * i..4 * i + 4].try_into().expect("a 4-byte window"))
}

/// Checks that `bytes` is an automaton daachorse can search safely, with output values
/// below `patterns`. The error says which property failed, never what the bytes hold.
pub(crate) fn check(bytes: &[u8], patterns: usize) -> Result<(), &'static str> {
    let mut r = Reader(bytes);
    let states = r.records(STATE_BYTES)?;
    let table = r.records(4)?;
    let alphabet = r.u32()?;
    let outputs = r.records(OUTPUT_BYTES)?;
    let (&kind, rest) = r.0.split_first().ok_or("automaton is cut short")?;
    r.0 = rest;
    let _num_states = r.u32()?;
    if !r.0.is_empty() {
        return Err("automaton has trailing bytes");
    }
    if kind != STANDARD {
        return Err("automaton match kind is not standard");
    }

    let states: Vec<&[u8]> = states.chunks_exact(STATE_BYTES).collect();
    let outputs: Vec<&[u8]> = outputs.chunks_exact(OUTPUT_BYTES).collect();
    let n = states.len();
    let block = alphabet.max(1).checked_next_power_of_two().ok_or("alphabet is too large")?;
    if n == 0 || !n.is_multiple_of(block as usize) {
        return Err("state count does not fit the alphabet");
    }

    // The character of each code, for the byte length a transition on it adds.
    let mut char_of = vec![None::<char>; alphabet as usize];
    for (c, code) in table.chunks_exact(4).map(|w| word(w, 0)).enumerate() {
        if code == INVALID_CODE {
            continue;
        }
        let slot = char_of.get_mut(code as usize).ok_or("character code out of range")?;
        // A surrogate index is never looked up, so its code leads nowhere.
        if let Some(ch) = char::from_u32(c as u32) {
            if slot.is_some() {
                return Err("two characters share a code");
            }
            *slot = Some(ch);
        }
    }

    let base = |s: usize| word(states[s], 0) as usize; // 0 means none
    let check_of = |s: usize| word(states[s], 1) as usize;
    let fail = |s: usize| word(states[s], 2) as usize;
    let output_pos = |s: usize| word(states[s], 3) as usize; // 1-based, 0 means none
    for s in 0..n {
        if base(s) >= n || fail(s) >= n || output_pos(s) > outputs.len() {
            return Err("state refers out of range");
        }
    }
    for o in &outputs {
        let (value, length, parent) = (word(o, 0), word(o, 1), word(o, 2) as usize);
        if value as usize >= patterns {
            return Err("automaton output names a missing pattern");
        }
        if parent > outputs.len() || (parent != 0 && word(outputs[parent - 1], 1) >= length) {
            return Err("output chain does not get shorter");
        }
    }

    // The byte length each state spells, through its `check` parent.
    let mut spelled = vec![UNSEEN; n];
    spelled[ROOT] = 0;
    let label = |s: usize| -> Option<char> {
        let p = check_of(s);
        if s == ROOT || p >= n || base(p) == 0 {
            return None;
        }
        char_of.get(base(p) ^ s).copied().flatten()
    };
    let mut path = Vec::new();
    for start in 0..n {
        let mut s = start;
        while spelled[s] == UNSEEN {
            spelled[s] = VISITING;
            path.push(s);
            match label(s) {
                Some(_) => s = check_of(s),
                None => break,
            }
        }
        let mut below = spelled[s];
        if below == VISITING {
            below = UNREACHABLE; // a `check` cycle, or a state with no label
        }
        while let Some(t) = path.pop() {
            below = match (below, label(t)) {
                (UNREACHABLE, _) | (_, None) => UNREACHABLE,
                (b, Some(c)) => {
                    b.checked_add(c.len_utf8() as u32).ok_or("state spells too long")?
                }
            };
            spelled[t] = below;
        }
    }

    for s in 0..n {
        let own = spelled[s];
        if own == UNREACHABLE {
            continue;
        }
        if s != ROOT {
            let f = spelled[fail(s)];
            if f == UNREACHABLE || f >= own {
                return Err("failure link does not lead to a shorter state");
            }
        }
        let o = output_pos(s);
        if o != 0 && word(outputs[o - 1], 1) > own {
            return Err("output is longer than its state");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use daachorse::CharwiseDoubleArrayAhoCorasickBuilder;
    use proptest::prelude::*;

    fn serialized(terms: &[String]) -> Vec<u8> {
        let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(daachorse::MatchKind::Standard)
            .build_with_values(terms.iter().enumerate().map(|(i, t)| (t.as_str(), i as u32)))
            .unwrap();
        ac.serialize()
    }

    proptest! {
        /// Every automaton daachorse builds passes: the layout read here is its own.
        #[test]
        fn what_daachorse_builds_passes(
            terms in prop::collection::btree_set("[a-zабв€😀 ]{1,6}", 1..40)
        ) {
            let terms: Vec<String> = terms.into_iter().collect();
            prop_assert_eq!(check(&serialized(&terms), terms.len()), Ok(()));
        }

        /// Whatever a flipped byte leaves, a search over what passes stays in bounds
        /// and ends (run under the test's bounds checks; the fuzz target does more).
        #[test]
        fn what_passes_after_a_flip_searches_safely(
            at in any::<prop::sample::Index>(), bit in 0u8..8, text in "[a-zабв€😀 ]{0,24}"
        ) {
            let terms: Vec<String> = ["casino", "каз", "€😀", "sino", "a"].map(String::from).to_vec();
            let mut bytes = serialized(&terms);
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
            if check(&bytes, terms.len()).is_ok() {
                // SAFETY: just checked.
                let (ac, _) = unsafe {
                    daachorse::CharwiseDoubleArrayAhoCorasick::<u32>::deserialize_unchecked(&bytes)
                };
                for m in ac.find_overlapping_iter(&text) {
                    prop_assert!(m.start() <= m.end() && m.end() <= text.len());
                    prop_assert!((m.value() as usize) < terms.len());
                }
            }
        }
    }

    #[test]
    fn a_length_past_the_bytes_is_refused_before_allocating() {
        let mut bytes = serialized(&["casino".into()]);
        bytes[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(check(&bytes, 1), Err("automaton array is longer than its bytes"));
    }

    #[test]
    fn a_value_past_the_patterns_is_refused() {
        let bytes = serialized(&["casino".into(), "poker".into()]);
        assert_eq!(check(&bytes, 1), Err("automaton output names a missing pattern"));
    }

    #[test]
    fn trailing_bytes_and_truncation_are_refused() {
        let mut bytes = serialized(&["casino".into()]);
        bytes.push(0);
        assert_eq!(check(&bytes, 1), Err("automaton has trailing bytes"));
        bytes.truncate(bytes.len() - 3);
        assert_eq!(check(&bytes, 1), Err("automaton is cut short"));
    }
}
