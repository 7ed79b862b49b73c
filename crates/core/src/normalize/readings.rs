//! Other readings of ambiguous words. A digit inside a word may stand for more than
//! one letter (`3` is `е` or `з` in Russian, `4` is `а` or `ч`, `1` is `i` or `l`),
//! and so may a look-alike (`т` for `t` or `m`): the normalizer writes the commoner
//! letter, and each other choice is appended after the text as a reading of its own,
//! on its own line, with the words around it, so one automaton pass sees every
//! reading and a phrase still matches across it.
//!
//! A word of digits alone (`5107`, `633`, the `4` of `buy 4 diploma`) stays a number
//! in the text, since most numbers are numbers; its leet letters in the field's
//! script are tried in readings only (`5107` is also `slot`, `633` also `без`).
//!
//! A reading is a copy of a range of the text with a few characters changed: its
//! origins and flags are the copied ones, and a position in it maps to the text by an
//! offset, corrected after each changed character whose UTF-8 length differs
//! (`Reading::anchors`).

use super::Normalized;
use crate::confusables::{Script, leet, leet_is_ambiguous};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

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
/// The haystack's largest length for a text of `primary` bytes: readings and symbol
/// variants stop there.
pub(super) fn haystack_limit(primary: usize) -> usize {
    primary + primary * MAX_READINGS_GROWTH + READINGS_SLACK
}

/// Longest word of digits alone read as letters: a term's word is rarely longer,
/// and phone numbers, ids and amounts are, which keeps them out of the readings.
pub(super) const MAX_DIGIT_WORD: usize = 10;

/// Longest word of the other script read in the field's script: one to three
/// letters (`а`, `c`, `kr`, `ххх`) are where advertisers swap a whole word, and
/// longer ones are names and brands (`Москва` in an English ad).
pub(super) const MAX_FOREIGN_WORD: usize = 3;
/// The longest such word in bytes: two a letter at most in the scripts that fold.
pub(super) const MAX_FOREIGN_BYTES: usize = 2 * MAX_FOREIGN_WORD;

/// A character of the text that readings write otherwise (`at` its byte in the
/// text, `len` its UTF-8 length).
#[derive(Clone, Copy, Debug)]
pub(super) struct Slot {
    at: usize,
    len: usize,
    /// What every reading of the word writes there (a digit's letter), if not the
    /// text's own character.
    base: Option<char>,
    /// What half of the readings write there instead, if anything.
    other: Option<char>,
    /// Where in the original an inserted character (`len` 0) came from.
    origin: Option<(u32, u32)>,
    /// The disguise a `base` letter saw through (`flag::LEET` for a digit).
    flag: u16,
}

impl Slot {
    /// A character the text dropped, written before byte `at` in every reading
    /// (`fixed`) or in half of them.
    fn insert(at: usize, c: char, origin: (u32, u32), fixed: bool) -> Slot {
        let (base, other) = if fixed { (Some(c), None) } else { (None, Some(c)) };
        Slot { at, len: 0, base, other, origin: Some(origin), flag: super::flag::LEET }
    }
}

/// Most leet symbols read on either side of a word: `$107$` has one each side.
pub(super) const MAX_EDGE_SYMBOLS: usize = 2;

/// The letter a leet symbol (`@ $ ! | €`) stands for in `script`, if any.
fn symbol_letter(c: char, script: Script) -> Option<char> {
    crate::confusables::is_leet_symbol(c).then(|| leet(c, script)).flatten()
}

/// The letters of the leet symbols just before byte `at` of the original, with
/// their origins, if nothing but a word edge comes before them (`$107`, `!ncome`).
/// Inlined: most words are settled by the one byte `ends_edge` reads, with no call.
#[inline]
fn symbols_before(original: &str, at: usize, script: Script) -> Vec<(char, (u32, u32))> {
    if at.checked_sub(1).and_then(|i| original.as_bytes().get(i)).is_none_or(|&b| ends_edge(b)) {
        return Vec::new();
    }
    let mut out = edge_symbols(original[..at].char_indices().rev(), script);
    out.reverse();
    out
}

/// The letters of the leet symbols just after byte `at` of the original (`837$`).
#[inline]
fn symbols_after(original: &str, at: usize, script: Script) -> Vec<(char, (u32, u32))> {
    if original.as_bytes().get(at).is_none_or(|&b| ends_edge(b)) {
        return Vec::new();
    }
    edge_symbols(original[at..].char_indices().map(|(i, c)| (at + i, c)), script)
}

/// Whether a word's neighbouring byte settles that no leet symbol stands there: an
/// ASCII character other than a leet symbol is a whole character that ends the
/// search (`edge_symbols` stops at it), and most words have a space or punctuation
/// beside them, so most words are settled without decoding a character.
pub(super) fn ends_edge(b: u8) -> bool {
    b.is_ascii() && !crate::confusables::is_leet_symbol(b as char)
}

/// The leet symbols at the start of `chars` (byte offsets in the original), read
/// outward from a word: none if there are too many or a word character follows.
fn edge_symbols(
    chars: impl Iterator<Item = (usize, char)>,
    script: Script,
) -> Vec<(char, (u32, u32))> {
    let mut out = Vec::new();
    for (at, c) in chars {
        let Some(l) = symbol_letter(c, script) else {
            // Invisible characters are dropped from the text: `3\u{200c}@` is `3@`.
            // (None is ASCII: most words end at a space, read without a table.)
            if !c.is_ascii() && c.general_category() == GeneralCategory::Format {
                continue;
            }
            if super::is_word_char(c) {
                return Vec::new();
            }
            break;
        };
        if out.len() == MAX_EDGE_SYMBOLS {
            return Vec::new();
        }
        out.push((l, (at as u32, (at + c.len_utf8()) as u32)));
    }
    out
}

/// The first space at or after byte `from` of `bytes`, or its length: eight bytes
/// at a time, since words are short and a call into a SIMD search costs more than
/// reading one.
fn next_space(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let mut at = from;
    while let Some(Ok(chunk)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        // A zero byte of `x` is a space; the lowest flagged byte is the first zero
        // (a borrow can only flag bytes above a zero).
        let x = u64::from_le_bytes(chunk) ^ SPACES;
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return at + (zeros.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    bytes[at.min(bytes.len())..].iter().position(|&b| b == b' ').map_or(bytes.len(), |i| at + i)
}

/// The letter of a leet symbol standing alone between spaces in a gap between two
/// words (`buy @ diploma`), with its origin; `base` is the gap's offset.
fn lone_symbol(gap: &str, base: u32, script: Script) -> Option<(char, (u32, u32))> {
    let pieces: Vec<&str> = gap.split(char::is_whitespace).collect();
    // Spaces either side: a symbol touching a word is that word's (`symbols_before`).
    let inner = pieces.get(1..pieces.len().checked_sub(1)?)?;
    let mut lone = inner.iter().filter(|p| !p.is_empty());
    let (Some(piece), None) = (lone.next(), lone.next()) else { return None };
    let mut chars = piece.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return None };
    let l = symbol_letter(c, script)?;
    let start = base + (piece.as_ptr() as usize - gap.as_ptr() as usize) as u32;
    Some((l, (start, start + c.len_utf8() as u32)))
}

/// Whether a word of digits alone (`word`, at `o_start..o_end` of the original) is
/// a quantity, a number in every reading: a percent sign or a currency sign that is
/// no leet letter stands between it and a word's edge (`70%`, `3000₽`, `£40`; `$40`
/// may be `sao`), or it holds a run of three of one digit (`3000`, `100000`), which
/// would read as a run of three letters that no term has and that leet digits never
/// stretch into (`fold_word`). Prices and discounts are most of an ad's numbers, and
/// each number read costs a reading line (issue #16).
fn is_quantity(
    original: &str,
    (o_start, o_end): (usize, usize),
    word: &[u8],
    script: Script,
) -> bool {
    // ASCII has one such sign, `%`: `$` is a leet letter.
    let unit = |c: char| {
        matches!(c, '%' | '\u{066A}' | '\u{2030}' | '\u{2031}' | '\u{FE6A}' | '\u{FF05}')
            || (!c.is_ascii()
                && c.general_category() == GeneralCategory::CurrencySymbol
                && symbol_letter(c, script).is_none())
    };
    // The sign stands between the number and a word's edge: between letters it is
    // noise (`511¤3nce※r•s` is `silencers`).
    let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut tail = original.get(o_end..).unwrap_or("").chars();
    let mut head = original.get(..o_start).unwrap_or("").chars();
    (tail.next().is_some_and(unit) && edge(tail.next()))
        || (head.next_back().is_some_and(unit) && edge(head.next_back()))
        || word.windows(3).any(|w| w[0].is_ascii_digit() && w[0] == w[1] && w[1] == w[2])
}

/// Whether some reading of a number (`letters`, each with its other letter if
/// ambiguous, between the leet symbols' letters `before` and `after`) is one a key
/// of `words` could touch.
fn spells_a_key_word(
    words: &super::LeetWords,
    before: &[(char, (u32, u32))],
    letters: &[(char, Option<char>)],
    after: &[(char, (u32, u32))],
) -> bool {
    let varying = letters.iter().filter(|(_, o)| o.is_some()).count();
    // On the stack: a reading has at most `MAX_DIGIT_WORD` letters and the symbols'
    // either side, each at most four bytes.
    let mut reading = [0u8; 4 * (MAX_DIGIT_WORD + 2 * MAX_EDGE_SYMBOLS)];
    (0u32..1 << varying).any(|choice| {
        let mut len = 0;
        let mut put = |c: char| len += c.encode_utf8(&mut reading[len..]).len();
        before.iter().for_each(|&(c, _)| put(c));
        let mut bit = 0;
        for &(l, other) in letters {
            put(match other {
                Some(o) => {
                    bit += 1;
                    if choice >> (bit - 1) & 1 != 0 { o } else { l }
                }
                None => l,
            });
        }
        after.iter().for_each(|&(c, _)| put(c));
        words.admits(&reading[..len])
    })
}

/// An ambiguous word: its byte range in the text and its slots.
#[derive(Clone, Debug)]
pub(super) struct AmbiguousWord {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) slots: std::ops::Range<usize>,
}

/// One reading appended after the text: bytes `at..at + len` copy the text from
/// `from`, with the word `word` written otherwise; matches must touch that word to
/// be new.
#[derive(Clone, Debug)]
pub(super) struct Reading {
    pub(super) at: usize,
    from: usize,
    pub(super) len: usize,
    word: (usize, usize),
    /// Into `Normalized::anchors`: after each changed character of another UTF-8
    /// length, its end in the reading and in the text, both relative to the copy.
    anchors: std::ops::Range<usize>,
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
            && self.slots.len() - word_first < MAX_AMBIGUOUS
        {
            let len = first.len_utf8();
            let slot = Slot { at, len, base: None, other: Some(other), origin: None, flag: 0 };
            self.slots.push(slot);
        }
    }

    /// Notes the words of digits alone as ambiguous words whose digits are letters
    /// of the field's script in every reading (the ambiguous ones another letter in
    /// some), with the leet symbols the text dropped around them (`$107`, `837$`);
    /// a lone leet symbol between words (`buy @ diploma`) as a one-letter word; and
    /// a leet symbol the text dropped before a word's first letter (`!ncome`) or
    /// after its last (`a!`) as an optional letter. Only the words `noted` while the
    /// text was normalized are looked at: the rest can have none of these.
    fn note_symbols_and_digits(
        &mut self,
        dominant: &super::Dominant,
        words: Option<&super::LeetWords>,
    ) {
        let original = dominant.text;
        let obytes = original.as_bytes();
        let primary = self.primary;
        let script = || dominant.get().unwrap_or(Script::Latin);
        let mut found = Vec::new();
        for start in std::mem::take(&mut self.noted) {
            let start = start as usize;
            let end = next_space(&self.text.as_bytes()[..primary], start);
            if end == start {
                continue;
            }
            let word = &self.text.as_bytes()[start..end];
            let (o_start, o_end) = (self.origin[start].0 as usize, self.origin[end - 1].1 as usize);
            let first = self.slots.len();
            // A number, or a chain of digits with `@` or `$` the text kept (`3@`).
            let numeral = |b: &u8| b.is_ascii_digit() || matches!(b, b'@' | b'$');
            if numeral(&word[0])
                && word.len() <= MAX_DIGIT_WORD
                && word.iter().all(numeral)
                && word.iter().any(u8::is_ascii_digit)
            {
                if !is_quantity(original, (o_start, o_end), word, script()) {
                    self.note_digit_word(original, (start, end), (o_start, o_end), script(), words);
                }
            } else {
                let script = if word[0].is_ascii() { Script::Latin } else { Script::Cyrillic };
                for (c, origin) in symbols_before(original, o_start, script) {
                    self.slots.push(Slot::insert(start, c, origin, false));
                }
                // Two bytes a letter at most in the scripts that fold, and a longer
                // word qualifies only when written with a digit first or last (`100х`):
                // most words end here, before the field's script is counted.
                let written = obytes.get(o_start..o_end).unwrap_or(&[]);
                let digit_edge = || {
                    written.first().is_some_and(u8::is_ascii_digit)
                        || written.last().is_some_and(u8::is_ascii_digit)
                };
                let foreign_shaped = word.len() <= MAX_FOREIGN_BYTES
                    || (word.len() <= 2 * (MAX_FOREIGN_WORD + MAX_DIGIT_WORD) && digit_edge());
                if foreign_shaped {
                    self.note_foreign_word(start, end, script, dominant);
                }
                // and after its last (`a!` for `ai`, `n@z!`): a reading only, since
                // `casino!` is most often punctuation
                for (c, origin) in symbols_after(original, o_end, script) {
                    self.slots.push(Slot::insert(end, c, origin, false));
                }
            }
            if self.slots.len() > first {
                found.push(AmbiguousWord { start, end, slots: first..self.slots.len() });
            }
            // A lone leet symbol in the gap after the word is a word of its own.
            if end < primary {
                let (gap_start, gap_end) = self.origin[end];
                // A gap inside one character of the original (`½` is `1⁄2`) is empty.
                let gap = original.get(gap_start as usize..gap_end as usize).unwrap_or("");
                if gap.len() > 2
                    && let Some((c, origin)) = lone_symbol(gap, gap_start, script())
                {
                    let first = self.slots.len();
                    self.slots.push(Slot::insert(end + 1, c, origin, true));
                    self.slots.push(Slot::insert(end + 1, ' ', origin, true));
                    let slots = first..self.slots.len();
                    found.push(AmbiguousWord { start: end, end: end + 1, slots });
                }
            }
        }
        if found.is_empty() {
            return;
        }
        self.ambiguous_words.extend(found);
        // Letter words were noted in text order while normalizing; merge.
        self.ambiguous_words.sort_by_key(|w| w.start);
    }

    /// Notes the word of digits alone at `start..end` of the text (`o` in the
    /// original): its digits are letters of `script` in every reading, the ambiguous
    /// ones another letter in some, with the leet symbols the text dropped around it
    /// (`$107`, `837$`). With a matcher's key `words`, only where one of those
    /// readings could be touched by a key. Kept out of the word loop: most words are
    /// letters.
    #[inline(never)]
    fn note_digit_word(
        &mut self,
        original: &str,
        (start, end): (usize, usize),
        (o_start, o_end): (usize, usize),
        script: Script,
        words: Option<&super::LeetWords>,
    ) {
        let word = &self.text.as_bytes()[start..end];
        // On the stack: this runs for every number of every upload.
        let mut letters = [('\0', None); MAX_DIGIT_WORD];
        if word.len() > MAX_DIGIT_WORD {
            return;
        }
        let mut ambiguous = 0;
        for (slot, &d) in letters.iter_mut().zip(word) {
            let Some(l) = leet(d as char, script) else { return };
            let other = (ambiguous < MAX_AMBIGUOUS && leet_is_ambiguous(d as char, script))
                .then(|| other_letter(l))
                .flatten();
            ambiguous += usize::from(other.is_some());
            *slot = (l, other);
        }
        let letters = &letters[..word.len()];
        let before = symbols_before(original, o_start, script);
        let after = symbols_after(original, o_end, script);
        // A word with a joint or a spelled gap inside may be matched from inside:
        // read it whatever the keys.
        let unbroken = !self.flags[start + 1..end]
            .iter()
            .any(|f| f & (super::flag::JOINED | super::flag::SEPARATOR) != 0);
        if let Some(words) = words
            && unbroken
            && !spells_a_key_word(words, &before, letters, &after)
        {
            return;
        }
        for (c, origin) in before {
            self.slots.push(Slot::insert(start, c, origin, true));
        }
        for (i, &(l, other)) in letters.iter().enumerate() {
            let (at, flag) = (start + i, super::flag::LEET);
            self.slots.push(Slot { at, len: 1, base: Some(l), other, origin: None, flag });
        }
        for (c, origin) in after {
            self.slots.push(Slot::insert(end, c, origin, true));
        }
    }

    /// Notes a short word of the other script, every letter of which looks like one
    /// of the field's (`а` in `buy а diploma`, `c` in `c плохой`, `kr` for `кг`,
    /// `ххх`; with digits, `100х` for `100x`, the digits then read as the field's
    /// leet letters), as a word whose letters are the field's in every reading; the text
    /// keeps it as written, since a short word of the other script is as often a
    /// real abbreviation (`витамин C`). Asked only of a word of at most three letters
    /// or one written with a digit at an edge (`note_symbols_and_digits`).
    fn note_foreign_word(
        &mut self,
        start: usize,
        end: usize,
        script: Script,
        dominant: &super::Dominant,
    ) {
        let word = &self.text[start..end];
        let Some(field) = dominant.get().filter(|&f| f != script) else { return };
        // Only a word set among words of the field's script (`buy а diploma`): a short
        // word among its own script's is a passage in that language (`up to 70% off`
        // in a Russian ad), not a disguise. (A plain word after a word not of the
        // field's script is never noted: `plain_needs_readings` applies the same rule
        // to the letter before it.)
        // The letters next to it on either side tell (the word's edge, not its
        // start, so that no word is scanned).
        let primary = &self.text[..self.primary];
        let before = primary[..start].trim_end_matches(' ').chars().next_back();
        let after = primary[end..].trim_start_matches(' ').chars().next();
        let of_field = |c: Option<char>| c.map(|c| crate::confusables::script_of(c) == Some(field));
        match (of_field(before), of_field(after)) {
            (Some(true), Some(true)) | (Some(true), None) | (None, Some(true)) => {}
            _ => return,
        }
        // Each character in the field's script: a letter folded to its look-alike, a
        // digit the word's script read as a letter (`100х` is `иоох` in the text)
        // read as the field's leet letter instead.
        let mut letters = 0;
        let mut plan = Vec::with_capacity(word.len());
        for (i, c) in word.char_indices() {
            let (from, to) = self.origin[start + i];
            let digit = dominant.text.get(from as usize..to as usize).and_then(|o| {
                let mut chars = o.chars();
                chars.next().filter(|d| d.is_ascii_digit() && chars.next().is_none())
            });
            let (f, flag) = match digit {
                Some(d) => match leet(d, field) {
                    Some(f) => (f, super::flag::LEET),
                    None => return,
                },
                None => {
                    letters += 1;
                    if letters > MAX_FOREIGN_WORD
                        || crate::confusables::script_of(c) != Some(script)
                    {
                        return;
                    }
                    let Some(f) = crate::confusables::fold(c, field) else { return };
                    let shape = crate::confusables::is_shape_pair(c, f);
                    (f, if shape { super::flag::SHAPE } else { super::flag::HOMOGLYPH })
                }
            };
            plan.push((start + i, c.len_utf8(), f, flag));
        }
        if letters == 0 {
            return;
        }
        for (at, len, f, flag) in plan {
            self.slots.push(Slot { at, len, base: Some(f), other: None, origin: None, flag });
        }
    }

    /// Appends every other reading of the ambiguous words, within the growth bound.
    pub(super) fn append_readings(
        &mut self,
        dominant: &super::Dominant,
        words: Option<&super::LeetWords>,
    ) {
        let primary = self.text.len();
        self.primary = primary;
        self.note_symbols_and_digits(dominant, words);
        let limit = haystack_limit(primary);
        let words = std::mem::take(&mut self.ambiguous_words);
        let mut slots: Vec<Slot> = Vec::new();
        'words: for w in &words {
            let from = self.context_start(w.start);
            let to = self.context_end(w.end);
            // The word's own slots first, then its neighbours' in the window: their
            // fixed letters always, their varying ones while the window has room.
            slots.clear();
            slots.extend_from_slice(&self.slots[w.slots.clone()]);
            let fixed = slots.iter().any(|s| s.base.is_some());
            let mut varying = slots.iter().filter(|s| s.other.is_some()).count();
            let near = words[words.partition_point(|n| n.start < from)..]
                .iter()
                .take_while(|n| n.end <= to)
                .filter(|n| n.start != w.start);
            for n in near {
                // A word of letters keeps the numbers around it as written
                // (`80% 1ow3r` is also `80 lower`): the number's own readings
                // already pair its letters with this word's (issue #16).
                if !fixed && self.slots[n.slots.clone()].iter().any(|s| s.base.is_some()) {
                    continue;
                }
                for &s in &self.slots[n.slots.clone()] {
                    if s.other.is_none() {
                        slots.push(s);
                    } else if varying < MAX_WINDOW_AMBIGUOUS {
                        slots.push(s);
                        varying += 1;
                    }
                }
            }
            // Insertions before the character at the same byte.
            slots.sort_by_key(|s| (s.at, s.len));
            // Choice 0 is the text itself unless the word has letters of its own.
            for choice in u32::from(!fixed)..1 << varying {
                // A changed character grows by at most three bytes.
                let most = to - from + 3 * slots.len();
                if self.text.len() + 1 + most > limit {
                    break 'words;
                }
                self.push_reading(w, from, to, &slots, choice);
            }
        }
    }

    /// Appends one reading of `w`: the text's `from..to` with the slots written as
    /// `choice` says (bit `k` for the `k`-th slot with another letter).
    fn push_reading(
        &mut self,
        w: &AmbiguousWord,
        from: usize,
        to: usize,
        slots: &[Slot],
        choice: u32,
    ) {
        self.text.push('\n');
        self.origin.push(self.origin[w.start]);
        self.flags.push(0);
        let at = self.text.len();
        let anchors = self.anchors.len();
        let (mut pos, mut bit) = (from, 0);
        for s in slots {
            let c = match s.other {
                Some(other) => {
                    bit += 1;
                    if choice >> (bit - 1) & 1 != 0 { Some(other) } else { s.base }
                }
                None => s.base,
            };
            // A slot inside one already written cannot occur; skip it if it does.
            let Some(c) = c.filter(|_| s.at >= pos) else { continue };
            self.copy_text(pos, s.at);
            let (origin, flags) = match s.origin {
                Some(origin) => (origin, s.flag),
                None if s.base.is_some() => (self.origin[s.at], self.flags[s.at] | s.flag),
                None => (self.origin[s.at], self.flags[s.at]),
            };
            self.text.push(c);
            let n = c.len_utf8();
            self.origin.extend(std::iter::repeat_n(origin, n));
            self.flags.extend(std::iter::repeat_n(flags, n));
            pos = s.at + s.len;
            if n != s.len {
                self.anchors.push(((self.text.len() - at) as u32, (pos - from) as u32));
            }
        }
        self.copy_text(pos, to);
        let len = self.text.len() - at;
        let anchors = anchors..self.anchors.len();
        self.readings.push(Reading { at, from, len, word: (w.start, w.end), anchors });
    }

    /// Appends the text's bytes `a..b` with their origins and flags.
    fn copy_text(&mut self, a: usize, b: usize) {
        self.text.extend_from_within(a..b);
        self.origin.extend_from_within(a..b);
        self.flags.extend_from_within(a..b);
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
        if start < self.primary {
            return Some((start, end));
        }
        if self.variants.first().is_some_and(|v| v.at <= start) {
            return self.variant_to_text(start, end);
        }
        let i = self.readings.partition_point(|r| r.at <= start).checked_sub(1)?;
        let r = &self.readings[i];
        if end > r.at + r.len {
            return None;
        }
        let anchors = &self.anchors[r.anchors.clone()];
        let back = |p: usize| {
            let rel = (p - r.at) as u32;
            let (read, text) = match anchors.partition_point(|a| a.0 <= rel).checked_sub(1) {
                Some(k) => anchors[k],
                None => (0, 0),
            };
            r.from + (text + rel - read) as usize
        };
        let (s, e) = (back(start), back(end));
        (s < r.word.1 && e > r.word.0).then_some((s, e))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        /// The word split's eight-byte search finds what a byte-by-byte one does,
        /// wherever it starts.
        #[test]
        fn next_space_is_the_first_space(text in "[ a\u{a0}б\u{2020}]{0,40}", from in 0usize..48) {
            let bytes = text.as_bytes();
            let from = from.min(bytes.len());
            let plain = bytes[from..].iter().position(|&b| b == b' ').map_or(bytes.len(), |i| from + i);
            prop_assert_eq!(super::next_space(bytes, from), plain);
        }
    }
}
