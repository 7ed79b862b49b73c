//! Other readings of ambiguous words. A digit inside a word may stand for more than
//! one letter (`3` is `е` or `з` in Russian, `4` is `а` or `ч`, `1` is `i` or `l`),
//! and so may a look-alike (`т` for `t` or `m`): the normalizer writes the commoner
//! letter, and each other choice is appended after
//! the text as a reading of its own, on its own line, with the words around it, so
//! one automaton pass sees every reading and a phrase still matches across it.
//!
//! A reading swaps letters of one UTF-8 length for letters of the same length, so it
//! is a byte-for-byte copy of a range of the text with a few characters changed: its
//! origins and flags are the copied ones, and a position in it maps to the text by an
//! offset.

use super::Normalized;

/// Ambiguous letters of one word given other readings; the rest keep their first
/// reading. Three give seven more readings, enough for the digits of one word.
pub(super) const MAX_AMBIGUOUS: usize = 3;
/// Ambiguous letters of one word and its neighbours varied together: a phrase of two
/// ambiguous words (`3ерк@л0 к@3ин0`) needs both right at once; four give fifteen.
const MAX_WINDOW_AMBIGUOUS: usize = 4;
/// Words either side of the ambiguous one copied into its readings: a phrase of up
/// to four words matches with the ambiguous word anywhere in it.
const CONTEXT_WORDS: usize = 3;
/// Readings stop growing the text past this many times its own length (plus
/// `READINGS_SLACK`): a crafted text of ambiguous digits costs a bounded multiple.
const MAX_READINGS_GROWTH: usize = 4;
const READINGS_SLACK: usize = 4096;

/// A letter of the text that could have been another (`at` its byte in the text).
#[derive(Clone, Copy, Debug)]
pub(super) struct Ambiguous {
    pub(super) at: usize,
    pub(super) other: char,
}

/// An ambiguous word: its byte range in the text and its ambiguous letters.
#[derive(Clone, Debug)]
pub(super) struct AmbiguousWord {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) letters: std::ops::Range<usize>,
}

/// One reading appended after the text: bytes `at..at + len` copy the text from
/// `from`; matches must touch the word `word` to be new.
#[derive(Clone, Debug)]
pub(super) struct Reading {
    at: usize,
    from: usize,
    len: usize,
    word: (usize, usize),
}

/// The other letter an ambiguous letter's first reading may be, in the same
/// script: of a leet digit (`3`, `4`, `1`) or of a look-alike with two (`т` looks
/// like `t` and, in italics, like `m`; `b` like `в` and `ь`).
pub(super) fn other_letter(first: char) -> Option<char> {
    match first {
        'е' => Some('з'),
        'а' => Some('ч'),
        'i' => Some('l'),
        't' => Some('m'),
        'м' => Some('т'),
        'в' => Some('ь'),
        _ => None,
    }
}

impl Normalized {
    /// Remembers the other letter of the leet character just pushed at `at`.
    pub(super) fn note_ambiguous(&mut self, at: usize, first: char, word_first: usize) {
        if let Some(other) = other_letter(first)
            && self.ambiguous.len() - word_first < MAX_AMBIGUOUS
            && other.len_utf8() == first.len_utf8()
        {
            self.ambiguous.push(Ambiguous { at, other });
        }
    }

    /// Appends every other reading of the ambiguous words, within the growth bound.
    pub(super) fn append_readings(&mut self) {
        let primary = self.text.len();
        self.primary = primary;
        let bound = primary * MAX_READINGS_GROWTH + READINGS_SLACK;
        let words = std::mem::take(&mut self.ambiguous_words);
        'words: for w in &words {
            let from = self.context_start(w.start);
            let to = self.context_end(w.end);
            // The word's own letters first, then its neighbours' in the window.
            let mut letters: Vec<Ambiguous> = self.ambiguous[w.letters.clone()].to_vec();
            let near = words[words.partition_point(|n| n.start < from)..]
                .iter()
                .take_while(|n| n.end <= to)
                .filter(|n| n.start != w.start);
            for n in near {
                for &a in &self.ambiguous[n.letters.clone()] {
                    if letters.len() < MAX_WINDOW_AMBIGUOUS {
                        letters.push(a);
                    }
                }
            }
            for choice in 1u32..1 << letters.len() {
                if self.text.len() + 1 + (to - from) > primary + bound {
                    break 'words;
                }
                self.text.push('\n');
                self.origin.push(self.origin[w.start]);
                self.flags.push(0);
                let at = self.text.len();
                let copy = self.text[from..to].to_string();
                self.text.push_str(&copy);
                self.origin.extend_from_within(from..to);
                self.flags.extend_from_within(from..to);
                for (i, a) in letters.iter().enumerate() {
                    if choice & (1 << i) != 0 {
                        let p = at + a.at - from;
                        let n = a.other.len_utf8();
                        self.text.replace_range(p..p + n, a.other.encode_utf8(&mut [0; 4]));
                    }
                }
                self.readings.push(Reading { at, from, len: to - from, word: (w.start, w.end) });
            }
        }
    }

    /// Where the text `CONTEXT_WORDS` words before the word at `start` begins.
    fn context_start(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = start;
        for _ in 0..CONTEXT_WORDS {
            match bytes[..at.saturating_sub(1)].iter().rposition(|&b| b == b' ') {
                Some(space) if at > 0 => at = space + 1,
                _ => return 0,
            }
        }
        at
    }

    /// Where the text `CONTEXT_WORDS` words after the word ending at `end` ends.
    fn context_end(&self, end: usize) -> usize {
        let bytes = &self.text.as_bytes()[..self.primary];
        let mut at = end;
        for _ in 0..CONTEXT_WORDS {
            match bytes.get(at + 1..).and_then(|rest| rest.iter().position(|&b| b == b' ')) {
                Some(space) => at = at + 1 + space,
                None => return bytes.len(),
            }
        }
        at
    }

    /// The range of the text a match at `start..end` of the haystack stands for, if
    /// it is new: in the text itself, or in a reading and touching its word.
    pub(crate) fn to_text(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start < self.primary || self.readings.is_empty() {
            return Some((start, end));
        }
        let i = self.readings.partition_point(|r| r.at <= start).checked_sub(1)?;
        let r = &self.readings[i];
        if end > r.at + r.len {
            return None;
        }
        let (s, e) = (start - r.at + r.from, end - r.at + r.from);
        (s < r.word.1 && e > r.word.0).then_some((s, e))
    }
}
