//! Symbol variants: a group of words whose leet symbols (`! | $ @`) the text read as
//! noise or separators, normalized again with each of those symbols either a letter
//! or noise, every choice.
//!
//! Whether `!` or `|` is a letter or punctuation can often not be told from its
//! neighbours: `v!s!0n` is `vision` but `c|a|s|i|n|o` is spelled out, and in
//! `c_4_s+!|n+o` one of the two is `i` and the other a separator. The tokenizer picks
//! one reading by rules (`tokens` in `normalize.rs`); this module tries the others.
//! A variant writes each varied symbol as its letter (`i` for `!`; `1` for `|`, which
//! is `i` or `l`; in a Russian field the digits with the same letters) or as `.`, and
//! runs the whole normalizer over the copy, so every other rule (spelled chains,
//! ambiguous digits, words of digits) applies to it as it does to any text. The
//! copy's text, and those of its readings whose copy reaches a varied word, are appended
//! after the readings; a match there maps back to the text by its origins and counts
//! only if it covers a varied word.

use super::{NormalizeOptions, Normalized};
use crate::confusables::Script;

/// Symbols of a group given every choice: four give fifteen variants, enough for a
/// two-word phrase with two symbols a word (`c_4_s+!|n+o b/0|n-u|s`).
const ALL_CHOICES: usize = 4;
/// Symbols varied together: a three-word phrase spelled out with leet symbols has
/// seven or eight (`5*e'm/a+g/1|u*t.i.d|3 w+!/t/h'0-u_t p_r.3/s'c.r+!-p.7/!|o|n`).
const MAX_VARIED: usize = 8;
/// Symbols read otherwise than the text did in one variant of a group past
/// `ALL_CHOICES`: the tokenizer reads most symbols right, and three flips of eight are
/// 92 variants where every choice would be 255.
const MAX_FLIPS: u32 = 3;
/// Words (runs of non-space characters) either side copied into a variant, so a
/// phrase matches across the varied words, as for readings.
const CONTEXT_PIECES: usize = 3;

/// One variant after the text: haystack bytes `at..at + len`; a match there must
/// cover part of `touch`, the original bytes of its varied words.
#[derive(Clone, Debug)]
pub(super) struct Variant {
    pub(super) at: usize,
    len: usize,
    touch: (u32, u32),
}

/// A symbol the variants write as a letter or as noise: its byte in the original,
/// the ASCII byte that reads as its letter, and whether the text read it as one.
#[derive(Clone, Copy)]
struct Varied {
    at: usize,
    piece: (usize, usize),
    letter_byte: u8,
    letter: bool,
}

/// An ASCII byte that reads as the letter symbol `b` stands for in `script` (a
/// Russian letter takes two bytes, so there a digit with the same letters).
fn letter_for(b: u8, script: Script) -> Option<u8> {
    match (b, script) {
        (b'|', _) | (b'!', Script::Cyrillic) => Some(b'1'),
        (b'!', _) => Some(b'i'),
        (b'@', Script::Cyrillic) => Some(b'4'),
        (b'@', _) => Some(b'a'),
        // Russian leetspeak has no digit for `с`: `$` there is read by `tokens` alone.
        (b'$', Script::Latin) => Some(b's'),
        _ => None,
    }
}

impl Normalized {
    /// Appends the symbol variants of `original`'s word groups, within the bound the
    /// readings share (`limit`: the haystack's largest length).
    pub(super) fn append_symbol_variants(
        &mut self,
        dominant: &super::Dominant,
        options: NormalizeOptions,
        limit: usize,
        words: Option<&super::LeetWords>,
    ) {
        let original = dominant.text;
        let varied = self.varied_symbols(dominant);
        let mut k = 0;
        while k < varied.len() {
            // A group: varied symbols whose words are within the context of each other.
            let mut last = k;
            while last + 1 < varied.len()
                && last + 1 - k < MAX_VARIED
                && pieces_between(original, varied[last].piece.1, varied[last + 1].piece.0)
                    < CONTEXT_PIECES
            {
                last += 1;
            }
            let group = &varied[k..=last];
            k = last + 1;
            let from = context_start(original, group[0].piece.0);
            let to = context_end(original, group[group.len() - 1].piece.1);
            let touch = (group[0].piece.0 as u32, group[group.len() - 1].piece.1 as u32);
            let mut window = original.as_bytes()[from..to].to_vec();
            // Every choice but the text's own (bit `i`: symbol `i` is a letter), or in a
            // large group those a few flips from it; fewest flips first, as the likelier
            // readings, should the haystack's bound stop the rest.
            let read: u32 = group.iter().enumerate().map(|(i, v)| u32::from(v.letter) << i).sum();
            let flips = |c: u32| (c ^ read).count_ones();
            let near = |c: u32| group.len() <= ALL_CHOICES || flips(c) <= MAX_FLIPS;
            let mut choices: Vec<u32> =
                (0u32..1 << group.len()).filter(|&c| c != read && near(c)).collect();
            choices.sort_by_key(|&c| flips(c));
            for choice in choices {
                for (i, v) in group.iter().enumerate() {
                    window[v.at - from] = if choice >> i & 1 == 1 { v.letter_byte } else { b'.' };
                }
                // ASCII written over ASCII: still UTF-8.
                let Ok(copy) = std::str::from_utf8(&window) else { return };
                let sub = super::normalize_inner(copy, options, false, words);
                if !self.push_variant(&sub, from as u32, touch, group, limit) {
                    return;
                }
            }
        }
    }

    /// The leet symbols of `original` that stand before a letter or digit of their
    /// word (a `!` after a word's last letter is punctuation, read by `readings`
    /// where it may be a letter), in order: `!` and `|` always, `@` and `$` where the
    /// text did not read them as letters (a letter is what they nearly always are)
    /// and their word has a letter or they stand inside it.
    fn varied_symbols(&self, dominant: &super::Dominant) -> Vec<Varied> {
        let original = dominant.text;
        let bytes = original.as_bytes();
        let primary = &self.origin[..self.primary];
        let mut out = Vec::new();
        // Most texts have none or a few: found by SIMD search, not byte by byte.
        let mut symbols: Vec<usize> = memchr::memchr3_iter(b'!', b'|', b'$', bytes).collect();
        if let Some(first) = memchr::memchr(b'@', bytes) {
            symbols.extend(memchr::memchr_iter(b'@', &bytes[first..]).map(|i| first + i));
            symbols.sort_unstable();
        }
        // The field's script is counted only where a symbol needs it.
        let script = || dominant.get().unwrap_or(Script::Latin);
        for at in symbols {
            let b = bytes[at];
            let end = bytes[at..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |e| at + e);
            // Sentence punctuation (`casino!`) ends here, before the script is counted.
            let word_after = original[at + 1..end].chars().any(char::is_alphanumeric);
            if !word_after {
                continue;
            }
            let Some(letter_byte) = letter_for(b, script()) else { continue };
            let start = bytes[..at].iter().rposition(u8::is_ascii_whitespace).map_or(0, |s| s + 1);
            let p = primary.partition_point(|o| (o.0 as usize) < at);
            let read_as_letter = p < self.primary
                && primary[p] == (at as u32, at as u32 + 1)
                && self.text.as_bytes()[p] != b' ';
            // `$` or `@` before a number alone is money or a handle (`$40`, `@2x`);
            // inside one, or next to another leet symbol, it may be a letter (`10$3`,
            // `$@1·3`).
            let spells = || {
                let symbol = |i: usize| matches!(bytes.get(i), Some(b'!' | b'|' | b'$' | b'@'));
                original[start..end].chars().any(char::is_alphabetic)
                    || original[start..at].chars().any(char::is_alphanumeric)
                    || (at > start && symbol(at - 1))
                    || symbol(at + 1)
            };
            if matches!(b, b'!' | b'|') || (!read_as_letter && spells()) {
                let piece = (start, end);
                out.push(Varied { at, piece, letter_byte, letter: read_as_letter });
            }
        }
        out
    }

    /// Appends `sub`'s text and those of its readings whose copy reaches `touch`, their
    /// origins moved by `shift` bytes of the original, a `group` symbol written as a
    /// letter flagged as leet; false where the haystack reached `limit`.
    fn push_variant(
        &mut self,
        sub: &Normalized,
        shift: u32,
        touch: (u32, u32),
        group: &[Varied],
        limit: usize,
    ) -> bool {
        // A reading of a word beside the varied ones counts when its copy reaches
        // them: `$ema91u7~1d°e` read `semaglutide` next to `presc~r•!p7•!on`.
        let in_touch = |r: &super::Reading| {
            let Some(last) = (r.at + r.len).checked_sub(1).filter(|&l| l >= r.at) else {
                return false;
            };
            let (from, to) = (sub.origin[r.at].0 + shift, sub.origin[last].1 + shift);
            from < touch.1 && to > touch.0
        };
        let parts = std::iter::once((0, sub.primary))
            .chain(sub.readings.iter().filter(|r| in_touch(r)).map(|r| (r.at, r.at + r.len)));
        for (a, b) in parts {
            if self.text.len() + 1 + b - a > limit {
                return false;
            }
            self.text.push('\n');
            self.origin.push(self.origin.last().copied().unwrap_or((0, 0)));
            self.flags.push(0);
            let at = self.text.len();
            self.text.push_str(&sub.text[a..b]);
            self.origin.extend(sub.origin[a..b].iter().map(|&(x, y)| (x + shift, y + shift)));
            // A symbol in the copy's text was written as its letter (as noise it left
            // none): the match saw through leetspeak.
            let leet = |o: (u32, u32)| group.iter().any(|v| v.at as u32 == o.0 + shift);
            self.flags.extend(
                (a..b).map(|i| {
                    sub.flags[i] | if leet(sub.origin[i]) { super::flag::LEET } else { 0 }
                }),
            );
            self.variants.push(Variant { at, len: b - a, touch });
        }
        true
    }

    /// The text range a match at haystack bytes `start..end` inside a variant stands
    /// for: the text's characters that come from the same original bytes, if the
    /// match covers a varied word.
    pub(super) fn variant_to_text(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let i = self.variants.partition_point(|v| v.at <= start).checked_sub(1)?;
        let v = &self.variants[i];
        if end > v.at + v.len {
            return None;
        }
        let (from, to) = (self.origin[start].0, self.origin[end - 1].1);
        if from >= v.touch.1 || to <= v.touch.0 {
            return None;
        }
        let primary = &self.origin[..self.primary];
        let s = primary.partition_point(|o| o.1 <= from);
        let e = primary.partition_point(|o| o.0 < to);
        let text = &self.text[..self.primary];
        // Not past a space at either end, and on character boundaries.
        let s = (s..e).find(|&p| text.is_char_boundary(p) && text.as_bytes()[p] != b' ')?;
        let e = (s + 1..=e)
            .rev()
            .find(|&p| text.is_char_boundary(p) && text.as_bytes()[p - 1] != b' ')?;
        Some((s, e))
    }
}

/// Runs of spaces between bytes `a` and `b` of `original`: the words between two.
fn pieces_between(original: &str, a: usize, b: usize) -> usize {
    let gap = &original.as_bytes()[a..b.max(a)];
    gap.split(u8::is_ascii_whitespace).filter(|p| !p.is_empty()).count()
}

/// Where the word `CONTEXT_PIECES` words before byte `at` starts.
fn context_start(original: &str, at: usize) -> usize {
    let bytes = original.as_bytes();
    let mut start = at;
    for _ in 0..CONTEXT_PIECES {
        let Some(end) = bytes[..start].iter().rposition(|b| !b.is_ascii_whitespace()) else {
            break;
        };
        start = bytes[..end].iter().rposition(u8::is_ascii_whitespace).map_or(0, |s| s + 1);
    }
    start
}

/// Where the word `CONTEXT_PIECES` words after byte `at` ends.
fn context_end(original: &str, at: usize) -> usize {
    let bytes = original.as_bytes();
    let mut end = at;
    for _ in 0..CONTEXT_PIECES {
        let Some(start) = bytes[end..].iter().position(|b| !b.is_ascii_whitespace()) else {
            break;
        };
        let start = end + start;
        end = bytes[start..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |e| start + e);
    }
    end
}

#[cfg(test)]
mod tests {
    use crate::normalize::{normalize, readings::haystack_limit};
    use proptest::prelude::*;

    /// The haystack's lines after the text (readings and variants).
    fn extra_lines(text: &str) -> Vec<String> {
        let n = normalize(text);
        n.haystack()[n.as_str().len()..].lines().map(str::to_string).collect()
    }

    /// Issue #16: a `!` or `|` that the text read as a separator is a letter in a
    /// variant, and a match there maps back to the word it covers.
    #[test]
    fn symbols_read_as_separators_are_letters_in_a_variant() {
        let text = "restore your v!s!0n today";
        let n = normalize(text);
        let hay = n.haystack();
        let at = hay.find("restore your vision").expect("a variant reads vision");
        assert!(at > n.as_str().len());
        let (s, e) = n.to_text(at, at + "restore your vision".len()).expect("covers v!s!0n");
        let (a, b) = n.original_span(s, e);
        assert_eq!(&text[a..b], "restore your v!s!0n");
        // Context alone is not new: it does not reach the varied word.
        let today = at + hay[at..].find("today").unwrap();
        assert_eq!(n.to_text(today, today + "today".len()), None);
        assert!(extra_lines("c_4_s+!|n+o now").iter().any(|l| l.contains("casino")));
        assert!(extra_lines("lose 10$3 now").iter().any(|l| l.contains("lose lose")));
        assert!(extra_lines("for $@1·3 now").iter().any(|l| l.contains("for sale")));
        // No digit in it: the leet flag comes from the symbols read as letters.
        let plain = normalize("restore your v!s!on today");
        let at = plain.haystack().find("vision").expect("a variant reads vision");
        assert!(plain.evasions(at, at + "vision".len()).contains(&crate::Evasion::Leet));
    }

    /// Issue #16: a three-word phrase spelled out with seven leet symbols is one
    /// group, so the symbols the text misread in different words flip together.
    #[test]
    fn a_phrase_with_seven_symbols_is_varied_as_one_group() {
        let text = "Best prices on 5*e'm/a+g/1|u*t.i.d|3 w+!/t/h'0-u_t p_r.3/s'c.r+!-p.7/!|o|n \
                    this week, free delivery";
        let lines = extra_lines(text);
        assert!(lines.iter().any(|l| l.contains("semaglutide without prescription")), "{lines:#?}");
    }

    /// Money, handles and sentence punctuation get no variants.
    #[test]
    fn prices_and_punctuation_are_not_varied() {
        for text in ["Only $40! Buy now!", "Call @2x today!!", "Sale | Shop", "wow!"] {
            assert!(normalize(text).variants.is_empty(), "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Variants stay within the readings' bound, and every span in them maps back
        /// inside the text or not at all.
        #[test]
        fn variants_are_bounded_and_map_into_the_text(text in "[a1!|$@ .4о-]{0,80}") {
            let n = normalize(&text);
            prop_assert!(n.haystack().len() <= haystack_limit(n.as_str().len()).max(n.as_str().len()));
            for v in &n.variants {
                for end in v.at + 1..=v.at + v.len {
                    if !n.haystack().is_char_boundary(end) {
                        continue;
                    }
                    if let Some((s, e)) = n.to_text(v.at, end) {
                        prop_assert!(s < e && e <= n.as_str().len());
                        prop_assert!(n.as_str().is_char_boundary(s) && n.as_str().is_char_boundary(e));
                    }
                }
            }
        }
    }
}
