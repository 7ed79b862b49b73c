//! The normalizer's fast path: plain words (one script of ASCII or basic Russian
//! letters, or digits, with nothing around them that could join them to a
//! neighbour) normalize to themselves in lowercase with no disguise bits, so they are
//! found byte by byte and copied whole; see [`super::normalize_with`] for how the
//! text is cut around them and `is_plain_word` for why the cut changes nothing.

use super::{MIN_STRETCH, Normalized};
use crate::confusables::Script;

impl Normalized {
    /// Appends a compound (`plain_compound`): its two words, joined. Rarer than
    /// plain words, so kept out of the fast path's loop.
    #[inline(never)]
    pub(super) fn push_compound(
        &mut self,
        text: &str,
        at: usize,
        (a, b): (&PlainRun, &PlainRun),
        dominant: &super::Dominant,
    ) {
        // One word once joined: its length is both words' without the mark.
        let len = b.end - at - 1;
        let bytes = text.as_bytes();
        let note = plain_needs_readings(bytes, (at, b.end), len, a.script, (dominant, &self.text));
        self.push_plain(text, at, a, false, note);
        self.push_plain(text, a.end + 1, b, true, false);
    }

    /// Appends the plain word `text[start..run.end]` (see `is_plain_word`):
    /// lowercased, each byte mapped to its character, no disguise bits (so no flags
    /// yet). Its characters are all one byte (Latin, digits) or all two (Cyrillic),
    /// so the origins follow a pattern.
    #[inline(always)]
    pub(super) fn push_plain(
        &mut self,
        text: &str,
        start: usize,
        run: &PlainRun,
        joined: bool,
        note: bool,
    ) {
        let (end, cyrillic) = (run.end, run.script == Some(Script::Cyrillic));
        if joined {
            // The second word of a compound (`plain_compound`): no gap, and a joint.
            self.flags.resize(self.text.len(), 0);
            self.flags.extend(std::iter::repeat_n(super::flag::JOINED, 1 + cyrillic as usize));
        } else {
            self.push_gap(start as u32);
            if note {
                self.note_word(self.text.len() as u32);
            }
        }
        let word = &text[start..end];
        if run.verbatim {
            // Already lowercase: the bulk of words.
            self.text.push_str(word);
        } else if cyrillic {
            push_lower_cyrillic(&mut self.text, word);
        } else {
            let at = self.text.len();
            self.text.push_str(word);
            self.text[at..].make_ascii_lowercase();
        }
        if cyrillic {
            self.origin.extend((start..end).map(|b| {
                let c = (b - (b - start) % 2) as u32;
                (c, c + 2)
            }));
        } else {
            self.origin.extend((start as u32..end as u32).map(|b| (b, b + 1)));
        }
    }
}

/// Appends basic Russian letters lowercased, `ё` as `е`; runs already in that form
/// (most of a word but its capital) are copied whole.
#[inline(always)]
pub(super) fn push_lower_cyrillic(out: &mut String, word: &str) {
    let mut copied = 0;
    for (at, c) in word.char_indices() {
        let lower = match c {
            'А'..='Я' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            'ё' | 'Ё' => 'е',
            _ => continue,
        };
        out.push_str(&word[copied..at]);
        out.push(lower);
        copied = at + c.len_utf8();
    }
    out.push_str(&word[copied..]);
}

/// Whether the readings pass must look at the plain word at bytes `start..end` of
/// the original, of `script` (`None` for digits), `len` bytes once normalized: a
/// word of digits (read as letters), a short one of the script the field's is not
/// (read in the field's) unless the text so far (`before`, normalized) ends in a
/// character not of the field's script, which settles that it is no disguise (the
/// rule of `note_foreign_word`: `up to 70% off` in a Russian ad), or one with a leet
/// symbol or a character other than ASCII beside it. The pass asks nothing else of a
/// plain word but what follows it, which `push_gap` notes.
#[inline(always)]
pub(super) fn plain_needs_readings(
    bytes: &[u8],
    (start, end): (usize, usize),
    len: usize,
    script: Option<Script>,
    (dominant, before): (&super::Dominant, &str),
) -> bool {
    // A plain word's letters are one byte each (Latin) or two (Cyrillic): counted in
    // letters, `summer` in a Russian field is no short word.
    let letter_bytes = if script == Some(Script::Cyrillic) { 2 } else { 1 };
    let open = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i)).is_some_and(|&b| !super::readings::ends_edge(b))
    };
    script.is_none()
        || open(start.checked_sub(1))
        || open(Some(end))
        || (len <= super::readings::MAX_FOREIGN_WORD * letter_bytes
            && dominant.get().is_some_and(|field| {
                Some(field) != script
                    && (before.trim_end_matches(' ').chars().next_back())
                        .is_none_or(|c| crate::confusables::script_of(c) == Some(field))
            }))
}

/// A maximal run of plain characters: ASCII letters and digits, basic Russian letters.
pub(super) struct PlainRun {
    pub(super) end: usize,
    pub(super) chars: usize,
    /// The script of its letters; `None` for digits only.
    pub(super) script: Option<Script>,
    /// Letters of two scripts, or letters and digits: the general path folds those.
    mixed: bool,
    /// Three or more of one letter in a row: the general path collapses those.
    stretched: bool,
    /// Already in normalized form (no capital, no `ё`): copied as it is.
    verbatim: bool,
    /// The last character (lowercased) and how many times in a row it came.
    last: u32,
    repeat: usize,
}

impl PlainRun {
    /// Takes plain characters for as long as `decode` finds them.
    #[inline(always)]
    fn extend(&mut self, bytes: &[u8], decode: impl Fn(&[u8], usize) -> Option<Plain>) {
        while let Some(c) = decode(bytes, self.end) {
            self.mixed |= c.script != self.script;
            self.verbatim &= c.verbatim;
            self.repeat = if c.lower == self.last { self.repeat + 1 } else { 1 };
            self.stretched |= self.repeat >= MIN_STRETCH && c.script.is_some();
            self.last = c.lower;
            self.end += c.len;
            self.chars += 1;
        }
    }
}

/// One plain character.
pub(super) struct Plain {
    /// The code point after lowercasing (`ё` folded to `е` as in pass 1).
    lower: u32,
    /// `None` for a digit.
    script: Option<Script>,
    len: usize,
    verbatim: bool,
}

/// The plain character at byte `at`, if there is one. Decoded by hand, one decoder
/// per kind: the general decoder and `char` checks cost more than the rest of the
/// fast path.
#[inline(always)]
pub(super) fn plain_char(bytes: &[u8], at: usize) -> Option<Plain> {
    latin_char(bytes, at).or_else(|| digit_char(bytes, at)).or_else(|| cyrillic_char(bytes, at))
}

#[inline(always)]
pub(super) fn latin_char(bytes: &[u8], at: usize) -> Option<Plain> {
    let b = *bytes.get(at)?;
    let verbatim = b.is_ascii_lowercase();
    b.is_ascii_alphabetic().then_some(Plain {
        lower: (b | 0x20) as u32,
        script: Some(Script::Latin),
        len: 1,
        verbatim,
    })
}

#[inline(always)]
pub(super) fn digit_char(bytes: &[u8], at: usize) -> Option<Plain> {
    let b = *bytes.get(at)?;
    b.is_ascii_digit().then_some(Plain { lower: b as u32, script: None, len: 1, verbatim: true })
}

#[inline(always)]
pub(super) fn cyrillic_char(bytes: &[u8], at: usize) -> Option<Plain> {
    // А-Я and а-п are D0 90..BF, р-я are D1 80..8F; Ё is D0 81, ё is D1 91.
    let (lower, verbatim) = match (*bytes.get(at)?, *bytes.get(at + 1)?) {
        (0xD0, b1 @ 0xB0..=0xBF) => (0x400 + (b1 & 0x3F) as u32, true),
        (0xD0, b1 @ 0x90..=0xAF) => (0x420 + (b1 & 0x3F) as u32, false),
        (0xD1, b1 @ 0x80..=0x8F) => (0x440 + (b1 & 0x3F) as u32, true),
        (0xD0, 0x81) | (0xD1, 0x91) => ('е' as u32, false),
        _ => return None,
    };
    Some(Plain { lower, script: Some(Script::Cyrillic), len: 2, verbatim })
}

/// The plain run starting at byte `at`, if a plain character is there.
#[inline(always)]
pub(super) fn plain_run(bytes: &[u8], at: usize) -> Option<PlainRun> {
    let first = plain_char(bytes, at)?;
    let mut run = PlainRun {
        end: at + first.len,
        chars: 1,
        script: first.script,
        mixed: false,
        stretched: false,
        verbatim: first.verbatim,
        last: first.lower,
        repeat: 1,
    };
    // A loop for the first character's kind (a tight one: most runs are of one kind),
    // then whatever plain characters follow, which make the run mixed.
    match first.script {
        Some(Script::Latin) => run.extend(bytes, latin_char),
        Some(Script::Cyrillic) => run.extend(bytes, cyrillic_char),
        _ => run.extend(bytes, digit_char),
    }
    run.extend(bytes, plain_char);
    Some(run)
}

/// Whether the plain run at `start` is a whole word the general path would leave as
/// it is, so that it can be copied and the text cut on both sides of it.
///
/// The cut is exact when only ASCII punctuation (not `@` or `$`) stands between the
/// word and a space or an end of the text on either side (`bounded_before`,
/// `bounded_after`), so that no noise joins it to a letter: pass 1 has no state across them (no pending invisible flag, no
/// mark to attach), pass 2 sees the same neighbours, and pass 3 is per word. The one
/// link across words is joining spelled-out single letters, which needs two single
/// letters in a row: a run of two or more characters is never single, and a single
/// letter is taken only when the words either side of it are not single either.
#[inline(always)]
pub(super) fn is_plain_word(bytes: &[u8], start: usize, run: &PlainRun, left_clear: bool) -> bool {
    !run.mixed
        && !run.stretched
        && bounded_before(bytes, start)
        && bounded_after(bytes, run.end)
        && (run.chars >= 2 || (left_clear && right_clear(bytes, run.end)))
}

/// The second word of a compound starting with plain run `first`: two plain words of
/// one script joined by one punctuation mark (`Санкт-Петербургу`, `e-mail`), which
/// the general path joins into one word with a joint at the mark and changes no
/// other way, as long as neither is a single letter, the mark cannot be a letter
/// (`@ $ ! |`), the two do not stretch a letter across it, and nothing else can join
/// them to a neighbour. `None` when the words do not make such a compound.
#[inline(always)]
pub(super) fn plain_compound(bytes: &[u8], start: usize, first: &PlainRun) -> Option<PlainRun> {
    let mark = *bytes.get(first.end)?;
    if !mark.is_ascii_punctuation() || matches!(mark, b'@' | b'$' | b'!' | b'|') {
        return None;
    }
    let second = plain_run(bytes, first.end + 1)?;
    let next = plain_char(bytes, first.end + 1)?.lower;
    (first.script.is_some()
        && second.script == first.script
        && !(first.mixed || second.mixed || first.stretched || second.stretched)
        && first.chars >= 2
        && second.chars >= 2
        && next != first.last
        && bounded_before(bytes, start)
        && bounded_after(bytes, second.end))
    .then_some(second)
}

/// ASCII that is never part of a word, whatever its neighbours (not a leet symbol).
#[inline]
pub(super) fn is_gap_byte(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_alphanumeric() && !matches!(b, b'@' | b'$' | b'!' | b'|')
}

/// Whether the byte at `at` is `!` or `|` between two of `@` and `$`, which the
/// general path reads as a word of symbols (`$|$`) though no letter or digit is near.
#[inline]
pub(super) fn joins_symbols(bytes: &[u8], at: usize) -> bool {
    let symbol = |i: Option<usize>| matches!(i.and_then(|i| bytes.get(i)), Some(b'@' | b'$'));
    matches!(bytes[at], b'!' | b'|') && symbol(at.checked_sub(1)) && symbol(Some(at + 1))
}

/// ASCII that is not a word character (`!` and `|` are in a word only between two).
#[inline]
pub(super) fn is_ascii_non_word(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_alphanumeric()
}

/// Whether a word starting at `start` cannot extend to the left: only ASCII
/// punctuation (`(`, `"`) stands between it and a space or the start of the text.
/// Punctuation between two letters is noise inside one word (`e-mail`), and `@` or
/// `$` next to a letter is one, so a word after those goes the general way.
#[inline(always)]
pub(super) fn bounded_before(bytes: &[u8], start: usize) -> bool {
    if start == 0 || bytes[start - 1] == b' ' {
        return true;
    }
    let mut p = start;
    while p > 0 && is_skippable_punctuation(bytes[p - 1]) {
        p -= 1;
    }
    p == 0 || bytes[p - 1].is_ascii_whitespace()
}

/// Whether a word ending at `end` cannot extend to the right (as `bounded_before`).
#[inline(always)]
pub(super) fn bounded_after(bytes: &[u8], end: usize) -> bool {
    // The common case first: a space.
    if bytes.get(end).is_none_or(|&b| b == b' ') {
        return true;
    }
    let mut p = end;
    while p < bytes.len() && is_skippable_punctuation(bytes[p]) {
        p += 1;
    }
    p == bytes.len() || bytes[p].is_ascii_whitespace()
}

/// ASCII punctuation a plain word's bounds may look past: all of it but `@` and `$`,
/// which are letters next to a letter (`!` and `|` are one only between two word
/// characters, and the look stops at the word beyond them anyway).
#[inline]
fn is_skippable_punctuation(b: u8) -> bool {
    b.is_ascii_punctuation() && !matches!(b, b'@' | b'$')
}

/// Whether the next word after `end` is not a single letter: only gap bytes up to
/// the end of the text or to two plain characters in a row.
pub(super) fn right_clear(bytes: &[u8], end: usize) -> bool {
    let next = end + bytes[end..].iter().take_while(|&&b| is_gap_byte(b)).count();
    next == bytes.len()
        || plain_char(bytes, next).is_some_and(|c| plain_char(bytes, next + c.len).is_some())
}

/// Length in bytes of the UTF-8 character whose first byte is `b`.
#[inline]
pub(super) fn utf8_len(b: u8) -> usize {
    match b {
        0..0xE0 => 1 + (b >= 0x80) as usize,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}
