//! The words a number could spell that a package has a use for. A word of digits
//! alone (`5107`, `30`) is read as letters only in readings after the text
//! (`readings.rs`), and most numbers in ads are prices, dates and counts: a reading
//! of `30` as `зо` costs a line of the haystack and finds nothing unless some term
//! has a word it could be. The matcher lists, at build time, the words of its keys
//! that are made only of letters a digit or leet symbol stands for; the normalizer
//! reads a number as letters only where one of its readings fits one of them.
//!
//! The test is conservative: it admits a reading wherever a key could match a range
//! of a reading line that touches the number, whatever the words around it, so no
//! match is lost (property-tested against screening with every number read, in
//! `screener.rs`). A key's words are compared by a hash of their bytes, and a
//! collision only admits a reading that finds nothing.

use crate::confusables::{Script, leet};
use serde::{Deserialize, Serialize};

/// Longest reading the gate is asked about, in letters: a number of at most
/// `MAX_DIGIT_WORD` digits with its leet symbols either side. A key word
/// longer than this can neither be nor fit inside such a reading.
const MAX_READING_LETTERS: usize =
    super::readings::MAX_DIGIT_WORD + 2 * super::readings::MAX_EDGE_SYMBOLS;

/// How a key may sit over a reading line: the positions its mode lets it start and
/// end at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyPlace {
    /// Starts and ends at word edges (word, stem forms matched as words, rule
    /// operands): a number's reading must be one of its words.
    Words,
    /// Starts at a word edge and may end inside a word (prefix mode, a stem's key):
    /// its last word may also be the start of a reading.
    Prefix,
    /// Anywhere (substring mode, exceptions and allow-terms): its first word may
    /// also end a reading, and a key of one word may stand inside one.
    Anywhere,
}

/// The words a number's reading is compared with: hashes, sorted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct LeetWords {
    /// Key words (every word of every key).
    whole: Vec<u64>,
    /// Starts a reading may begin with: the last word of a key that may end inside
    /// a word, and each word's start of a `stem`-mode term.
    starts: Vec<u64>,
    /// Ends a reading may finish with: the first word of a key that may start
    /// inside a word.
    ends: Vec<u64>,
    /// One-word keys that may stand anywhere, inside a reading too.
    inner: Vec<u64>,
    /// A start that is empty (a stem of one letter): every reading is admitted.
    any: bool,
}

/// Collects [`LeetWords`] from the keys of a matcher as it is built.
#[derive(Default)]
pub(crate) struct LeetWordsBuilder {
    words: LeetWords,
}

impl LeetWordsBuilder {
    /// Adds the words of `key`, a normalized key (words apart by spaces, pieces of a
    /// word apart by a table key's joint mark), placed as `place` says.
    pub(crate) fn key(&mut self, key: &[u8], place: KeyPlace) {
        let joint = crate::term_index::JOINT;
        let Ok(key) = std::str::from_utf8(key) else { return };
        // A joint may be a space in the text (`e-mail`, `e mail`) or nothing:
        // both spellings are listed.
        let joined: String = key.chars().filter(|&c| c as u32 != joint as u32).collect();
        let spaced: String =
            key.chars().map(|c| if c as u32 == joint as u32 { ' ' } else { c }).collect();
        for key in [joined, spaced] {
            let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
            let (Some(&first), Some(&last)) = (words.first(), words.last()) else { continue };
            let w = &mut self.words;
            for word in &words {
                add(&mut w.whole, word);
            }
            if place != KeyPlace::Words {
                add(&mut w.starts, last);
            }
            if place == KeyPlace::Anywhere {
                add(&mut w.ends, first);
                if words.len() == 1 {
                    add(&mut w.inner, first);
                }
            }
        }
    }

    /// Adds `start`, a beginning every form of a `stem`-mode term's word has.
    pub(crate) fn start(&mut self, start: &str) {
        if start.is_empty() {
            self.words.any = true;
        }
        add(&mut self.words.starts, start);
    }

    pub(crate) fn build(mut self) -> LeetWords {
        let w = &mut self.words;
        for list in [&mut w.whole, &mut w.starts, &mut w.ends, &mut w.inner] {
            list.sort_unstable();
            list.dedup();
        }
        self.words
    }
}

/// Adds `word` to `list` if a number's reading could hold it.
fn add(list: &mut Vec<u64>, word: &str) {
    if word.chars().count() <= MAX_READING_LETTERS && word.chars().all(is_leet_letter) {
        list.push(hash(word.as_bytes()));
    }
}

/// Whether `c` is a letter some digit or leet symbol stands for, in some reading.
fn is_leet_letter(c: char) -> bool {
    const SOURCES: &str = "0123456789@$!|€";
    SOURCES.chars().any(|d| {
        [Script::Latin, Script::Cyrillic]
            .into_iter()
            .filter_map(|s| leet(d, s))
            .any(|l| l == c || super::readings::other_letter(l) == Some(c))
    })
}

/// A hash of `bytes` that is the same on every target (the gate is built natively
/// and read in the component).
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |h, &b| crate::term_index::push(h, b))
}

impl LeetWords {
    /// Whether a match could touch `reading`, one reading of a number standing as a
    /// word of its own in a line (UTF-8).
    pub(crate) fn admits(&self, reading: &[u8]) -> bool {
        let found = |list: &[u64], h: u64| list.binary_search(&h).is_ok();
        // Where each character ends (a byte that is no UTF-8 continuation follows).
        let ends_char = |i: usize| reading.get(i).is_none_or(|&b| b & 0xC0 != 0x80);
        if self.any {
            return true;
        }
        // Its start is a key's last word (a prefix key ends inside it): the prefixes'
        // hashes come with the whole's.
        let mut h = 0;
        for (i, &b) in reading.iter().enumerate() {
            h = crate::term_index::push(h, b);
            if !self.starts.is_empty() && ends_char(i + 1) && found(&self.starts, h) {
                return true;
            }
        }
        if found(&self.whole, h) {
            return true;
        }
        // Its end is a key's first word, or a one-word key stands inside it.
        if self.ends.is_empty() && self.inner.is_empty() {
            return false;
        }
        (0..reading.len()).filter(|&s| ends_char(s)).any(|s| {
            let mut h = 0;
            reading[s..].iter().enumerate().any(|(k, &b)| {
                h = crate::term_index::push(h, b);
                let end = s + k + 1;
                ends_char(end)
                    && (found(&self.inner, h) || (end == reading.len() && found(&self.ends, h)))
            })
        })
    }

    /// Key words that admit every reading.
    #[cfg(test)]
    pub(crate) fn every() -> LeetWords {
        LeetWords { any: true, ..LeetWords::default() }
    }

    /// Whether the lists are sorted, as [`LeetWordsBuilder::build`] leaves them; a
    /// crafted list out of order would make `admits` miss words it holds.
    pub(crate) fn is_valid(&self) -> bool {
        [&self.whole, &self.starts, &self.ends, &self.inner]
            .iter()
            .all(|l| l.windows(2).all(|w| w[0] < w[1]))
    }

    pub(crate) fn memory_usage(&self) -> usize {
        8 * (self.whole.len() + self.starts.len() + self.ends.len() + self.inner.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(keys: &[(&str, KeyPlace)], starts: &[&str]) -> LeetWords {
        let mut b = LeetWordsBuilder::default();
        for (k, place) in keys {
            b.key(k.as_bytes(), *place);
        }
        for s in starts {
            b.start(s);
        }
        b.build()
    }

    #[test]
    fn a_reading_is_admitted_where_a_key_could_touch_it() {
        use KeyPlace::*;
        let w = words(
            &[
                ("slot machine", Words),
                ("lose\u{1}it", Words),
                ("big bets", Prefix),
                ("abs", Anywhere),
                ("toast sale", Anywhere),
                ("казино за", Words),
            ],
            &["бот"],
        );
        // (reading, admitted): whole words, a prefix key's last word starting it,
        // an anywhere key's first word ending it or a one-word one inside it.
        let table = [
            ("slot", true),
            ("lose", true),
            ("loseit", true),
            ("it", true),
            ("bets", true),
            ("betsie", true),
            ("sbet", false),
            ("tabs", true),
            ("tabsa", true),
            ("atoast", true),
            ("toasts", false),
            ("за", true),
            ("зо", false),
            ("ботик", true),
            ("обот", false),
            ("sao", false),
        ];
        for (reading, admitted) in table {
            assert_eq!(w.admits(reading.as_bytes()), admitted, "{reading}");
        }
        assert!(w.is_valid());
    }

    #[test]
    fn words_no_number_spells_are_left_out() {
        // `machine`, `казино` have letters no digit stands for.
        let w = words(&[("slot machine", KeyPlace::Words), ("казино", KeyPlace::Words)], &[]);
        assert_eq!(w.whole.len(), 1);
        assert!(!w.admits(b"machine"));
        // An empty stem start admits everything.
        assert!(words(&[], &[""]).admits(b"sao"));
        assert!(!words(&[], &[]).admits(b"sao"));
    }
}
