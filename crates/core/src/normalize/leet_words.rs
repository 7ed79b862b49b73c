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
pub(crate) struct LeetWordsBuilder {
    words: LeetWords,
    letters: Letters,
    /// Scratch: the byte ranges of one key's words, and a run of them glued.
    pieces: Vec<(usize, usize)>,
    glued: Vec<u8>,
}

impl Default for LeetWordsBuilder {
    fn default() -> LeetWordsBuilder {
        LeetWordsBuilder {
            words: LeetWords::default(),
            letters: Letters::of_leet(),
            pieces: Vec::new(),
            glued: Vec::new(),
        }
    }
}

impl LeetWordsBuilder {
    /// Adds the words of `key`, a normalized key (words apart by spaces, pieces of a
    /// word apart by a table key's joint mark), placed as `place` says. A key also
    /// matches with its spaces and joints left out (`#ставкинаспорт`: the term tables
    /// do so for every key, the automaton through its respaced patterns), so a run of
    /// its words glued is a word too. Asked of every key of a package, a million and
    /// more: most keys' words fail at their first letter, with nothing glued.
    pub(crate) fn key(&mut self, key: &[u8], place: KeyPlace) {
        let joint = crate::term_index::JOINT;
        self.pieces.clear();
        let mut from = 0;
        for (at, &b) in key.iter().enumerate().chain(std::iter::once((key.len(), &b' '))) {
            if b == b' ' || b == joint {
                if at > from {
                    self.pieces.push((from, at));
                }
                from = at + 1;
            }
        }
        let n = self.pieces.len();
        let mut glued = std::mem::take(&mut self.glued);
        for i in 0..n {
            glued.clear();
            for j in i..n {
                let (a, b) = self.pieces[j];
                if !self.letters.spell(&key[a..b]) {
                    break;
                }
                glued.extend_from_slice(&key[a..b]);
                if !self.letters.spell(&glued) {
                    break;
                }
                self.word(hash(&glued), (i == 0, j + 1 == n, i == 0 && j + 1 == n), place);
            }
        }
        self.glued = glued;
    }

    /// Adds one word of a key (its hash): `first` or `last` of its key, or the whole
    /// key glued.
    fn word(&mut self, h: u64, (first, last, only): (bool, bool, bool), place: KeyPlace) {
        let w = &mut self.words;
        w.whole.push(h);
        if place != KeyPlace::Words && last {
            w.starts.push(h);
        }
        if place == KeyPlace::Anywhere && first {
            w.ends.push(h);
        }
        if place == KeyPlace::Anywhere && only {
            w.inner.push(h);
        }
    }

    /// Adds `start`, a beginning every form of a `stem`-mode term's word has.
    pub(crate) fn start(&mut self, start: &str) {
        if start.is_empty() {
            self.words.any = true;
        }
        if self.letters.spell(start.as_bytes()) {
            self.words.starts.push(hash(start.as_bytes()));
        }
    }

    /// Adds what another builder collected (a planning thread's).
    pub(crate) fn merge(&mut self, other: LeetWordsBuilder) {
        let (w, o) = (&mut self.words, other.words);
        w.whole.extend(o.whole);
        w.starts.extend(o.starts);
        w.ends.extend(o.ends);
        w.inner.extend(o.inner);
        w.any |= o.any;
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

/// The letters some digit or leet symbol stands for in some reading (a digit's
/// letter in either script, and the other letter of an ambiguous one), as bits of
/// the basic Latin and Russian alphabets, where all of them are today.
struct Letters {
    latin: u32,
    cyrillic: u32,
    /// Some such letter is outside both alphabets: any letter outside them may be.
    others: bool,
}

impl Letters {
    fn of_leet() -> Letters {
        let mut letters = Letters { latin: 0, cyrillic: 0, others: false };
        for d in "0123456789@$!|€".chars() {
            for script in [Script::Latin, Script::Cyrillic] {
                let Some(l) = leet(d, script) else { continue };
                for c in std::iter::once(l).chain(super::readings::other_letter(l)) {
                    match c {
                        'a'..='z' => letters.latin |= 1 << (c as u32 - 'a' as u32),
                        'а'..='я' => letters.cyrillic |= 1 << (c as u32 - 'а' as u32),
                        _ => letters.others = true,
                    }
                }
            }
        }
        letters
    }

    /// Whether `word` (UTF-8) could be a number's reading: short enough, and every
    /// letter one a digit or leet symbol stands for. Read byte by byte: most key
    /// words fail at their first or second letter.
    fn spell(&self, word: &[u8]) -> bool {
        let (mut at, mut letters) = (0, 0);
        while let Some(&b) = word.get(at) {
            letters += 1;
            let len = match b {
                0..0x80 => 1,
                0xC0..0xE0 => 2,
                0xE0..0xF0 => 3,
                _ => 4,
            };
            let ok = match (b, word.get(at + 1)) {
                (b'a'..=b'z', _) => self.latin >> (b - b'a') & 1 != 0,
                (0xD0 | 0xD1, Some(&b1)) => {
                    let c = (u32::from(b & 0x1F) << 6 | u32::from(b1 & 0x3F)) as i64 - 'а' as i64;
                    if (0..32).contains(&c) { self.cyrillic >> c & 1 != 0 } else { self.others }
                }
                _ => self.others,
            };
            if !ok || letters > MAX_READING_LETTERS {
                return false;
            }
            at += len;
        }
        true
    }
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
            // A run of a key's words glued: keys match with their spaces left out.
            ("bigbets", true),
            ("bigbetsie", true),
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
    proptest::proptest! {
        /// The byte-wise letter test agrees with the leet table read char by char.
        #[test]
        fn a_key_word_is_spellable_where_every_letter_is_a_leet_letter(
            word in "[a-zа-яё0-9:éі\u{1}]{0,16}"
        ) {
            let leet_letter = |c: char| {
                "0123456789@$!|€".chars().any(|d| {
                    [Script::Latin, Script::Cyrillic].into_iter().filter_map(|s| leet(d, s)).any(
                        |l| l == c || crate::normalize::readings::other_letter(l) == Some(c),
                    )
                })
            };
            let want = word.chars().count() <= MAX_READING_LETTERS && word.chars().all(leet_letter);
            proptest::prop_assert_eq!(Letters::of_leet().spell(word.as_bytes()), want);
        }
    }
}
