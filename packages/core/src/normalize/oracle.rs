//! The normalizer as it was before the fast path for plain words (commit 8f6c4f6),
//! kept verbatim as the oracle of the differential tests: the new code must give
//! the same text, origins and flags for every input.

use super::{NormalizeOptions, Normalized, flag};
use crate::confusables::{Script, fold, is_leet_symbol, leet, script_of};
use caseless::Caseless as _;
use std::ops::Range;
use unicode_normalization::char::{decompose_canonical, decompose_compatible, is_combining_mark};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// `Normalized::push` of the old code.
fn push(out: &mut Normalized, u: Unit) {
    out.text.push(u.c);
    let n = out.text.len();
    out.origin.resize(n, (u.start, u.end));
    out.flags.resize(n, u.flags);
}

/// One character on its way to the output, with its origin and disguises.
#[derive(Clone, Copy, Debug)]
struct Unit {
    c: char,
    start: u32,
    end: u32,
    flags: u8,
}

impl Unit {
    fn is_word(&self) -> bool {
        is_word_char(self.c)
    }
}

/// Separators advertisers put between single letters (`c.a.s.i.n.o`).
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*' | '·' | '•' | '/' | ',' | '+' | '|' | '~' | '\'')
}

/// At least this many single letters in a row are joined: `я и в` (three real
/// one-letter Russian words) would be joined too, but `в 3` and `a b` are not.
const MIN_SPELLED_LETTERS: usize = 3;
/// Longest run of separators between spelled-out letters.
const MAX_SEPARATOR_RUN: usize = 3;
/// A run of this many of one letter marks a stretched word (`caaasino`); doubles
/// are ordinary spelling (`bitcoin`, `ссылка`) and are left alone.
const MIN_STRETCH: usize = 3;

/// Normalizes `text` for matching.
///
/// Texts over 4 GiB cannot occur: uploads are bounded by [`crate::Limits`] far below.
pub(super) fn normalize_with(text: &str, options: NormalizeOptions) -> Normalized {
    let units = characters(text, options);
    let (words, tokens) = tokens(&units);
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
        flags: Vec::with_capacity(text.len()),
    };
    let mut word = Vec::new();
    let mut prev_end = None;
    for tok in &tokens {
        word.clear();
        let spelled = if tok.spelled { flag::SEPARATOR } else { 0 };
        for range in &words[tok.words.clone()] {
            word.extend(units[range.clone()].iter().map(|u| Unit { flags: u.flags | spelled, ..*u }));
        }
        let end = units[words[tok.words.end - 1].end - 1].end;
        fold_word(&mut word);
        if let Some(prev_end) = prev_end {
            // The gap between two words, whatever it held, is one space.
            push(&mut out, Unit { c: ' ', start: prev_end, end: word[0].start, flags: 0 });
        }
        prev_end = Some(end);
        for u in &word {
            push(&mut out, *u);
        }
    }
    out
}

/// Pass 1: per character of the original.
fn characters(text: &str, options: NormalizeOptions) -> Vec<Unit> {
    let mut units = Vec::with_capacity(text.len());
    let mut pending = 0u8;
    let (mut buf, mut canonical) = (Vec::new(), Vec::new());
    for (at, c) in text.char_indices() {
        let (start, end) = (at as u32, (at + c.len_utf8()) as u32);
        let mut push = |c: char, flags: u8| units.push(Unit { c, start, end, flags });
        if c.is_ascii() {
            push(if c.is_ascii_whitespace() { ' ' } else { c.to_ascii_lowercase() }, pending);
            pending = 0;
            continue;
        }
        // Basic Russian letters have no decomposition but й, which is kept: the
        // fast path skips every table lookup for the bulk of Russian text.
        match c {
            'а'..='я' => {
                push(c, pending);
                pending = 0;
                continue;
            }
            'А'..='Я' => {
                push(char::from_u32(c as u32 + 0x20).unwrap_or(c), pending);
                pending = 0;
                continue;
            }
            'ё' | 'Ё' => {
                push('е', pending);
                pending = 0;
                continue;
            }
            _ => {}
        }
        if c.is_whitespace() {
            push(' ', pending);
            pending = 0;
            continue;
        }
        if c.general_category() == GeneralCategory::Format {
            // Zero-width and bidi controls: gone, but the next character remembers.
            pending |= flag::INVISIBLE;
            continue;
        }
        buf.clear();
        decompose_compatible(c, |d| buf.push(d));
        let mut flags = pending;
        canonical.clear();
        decompose_canonical(c, |d| canonical.push(d));
        if canonical != buf {
            flags |= flag::COMPATIBILITY;
        }
        // A mark may come as its own character, after its base.
        let mut base: Option<char> = units.last().filter(|u| u.end == start).map(|u| u.c);
        for &d in &buf {
            if is_combining_mark(d) {
                if d == '\u{0306}' && matches!(base, Some('и')) {
                    // и + breve is й, a letter of its own: keep it whole.
                    let last = units.last_mut().unwrap();
                    last.c = 'й';
                    last.end = end;
                    base = Some('й');
                } else if !options.strip_diacritics {
                    units.push(Unit { c: d, start, end, flags });
                } else {
                    flags |= flag::DIACRITIC;
                    // A mark on its own belongs to the letter before it: the span
                    // of that letter grows to cover the mark.
                    if let Some(last) = units.last_mut().filter(|u| u.end == start) {
                        last.end = end;
                        last.flags |= flag::DIACRITIC;
                    }
                }
                continue;
            }
            base = Some(d);
            // Full case folding (`ß` -> `ss`, `ς` -> `σ`), not just lowercase.
            for l in std::iter::once(d).default_case_fold() {
                units.push(Unit { c: l, start, end, flags });
            }
        }
        // Diacritics found after the base apply to the whole character.
        if flags & flag::DIACRITIC != 0 {
            for u in units.iter_mut().rev().take_while(|u| u.start == start) {
                u.flags |= flag::DIACRITIC;
            }
        }
        pending = 0;
    }
    units
}

/// Pass 2: the words of the text, as unit indices, each with whether it was spelled
/// out. A leet symbol between two word characters belongs to the word; single
/// letters separated by separators are joined into one word.
fn tokens(units: &[Unit]) -> (Vec<Range<usize>>, Vec<Token>) {
    // `@` and `$` next to a letter on either side are letters (`н@`, `@втомат`);
    // `!`, `|` and `€` only between two (`casino!` keeps its `!` as punctuation).
    let letter = |j: usize| units.get(j).is_some_and(|u| is_letter(u.c));
    let in_word = |i: usize| {
        let u = units[i];
        u.is_word()
            || (is_leet_symbol(u.c)
                && if matches!(u.c, '@' | '$') {
                    (i > 0 && letter(i - 1)) || letter(i + 1)
                } else {
                    i > 0 && units[i - 1].is_word() && units.get(i + 1).is_some_and(Unit::is_word)
                })
    };
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut gaps: Vec<(usize, usize)> = Vec::new(); // gap before each word: unit range
    let mut i = 0;
    let mut gap_start = 0;
    while i < units.len() {
        if in_word(i) {
            let start = i;
            while i < units.len() && in_word(i) {
                i += 1;
            }
            gaps.push((gap_start, start));
            words.push(start..i);
            gap_start = i;
        } else {
            i += 1;
        }
    }
    // Join runs of single-letter words split by short separator-only gaps, all the
    // same within a run. Runs of different separators may share their boundary
    // letter (`x x c.a.s.i.n.o`): the longer run takes it, the later one on a tie.
    let gap_chars = |w: usize| units[gaps[w].0..gaps[w].1].iter().map(|u| u.c);
    let spelled_gap = |w: usize| {
        let (a, b) = gaps[w];
        b - a <= MAX_SEPARATOR_RUN && units[a..b].iter().all(|u| is_separator(u.c))
    };
    let single = |w: usize| words[w].len() == 1;
    // Maximal runs [first, last] of single letters with equal separators.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut w = 0;
    while w + 1 < words.len() {
        if single(w) && single(w + 1) && spelled_gap(w + 1) {
            let mut last = w + 1;
            while last + 1 < words.len() && single(last + 1) && spelled_gap(last + 1) && gap_chars(last + 1).eq(gap_chars(w + 1)) {
                last += 1;
            }
            runs.push((w, last));
            w = last;
        } else {
            w += 1;
        }
    }
    for k in 1..runs.len() {
        let (prev, cur) = (runs[k - 1], runs[k]);
        if prev.1 == cur.0 {
            if prev.1 - prev.0 > cur.1 - cur.0 {
                runs[k].0 += 1;
            } else {
                runs[k - 1].1 -= 1;
            }
        }
    }
    runs.retain(|(a, b)| b + 1 - a >= MIN_SPELLED_LETTERS);
    let mut out: Vec<Token> = Vec::with_capacity(words.len());
    let mut runs = runs.into_iter().peekable();
    let mut w = 0;
    while w < words.len() {
        if let Some(&(a, b)) = runs.peek()
            && a == w
        {
            out.push(Token { words: a..b + 1, spelled: true });
            runs.next();
            w = b + 1;
        } else {
            out.push(Token { words: w..w + 1, spelled: false });
            w += 1;
        }
    }
    (words, out)
}

/// A word of the output: one word of the text, or a run of spelled-out letters.
struct Token {
    /// Indices into the word list (unit ranges).
    words: Range<usize>,
    spelled: bool,
}

/// Pass 3: per word, in place: homoglyphs, leetspeak, stretched letters.
fn fold_word(word: &mut Vec<Unit>) {
    if word.is_empty() {
        return;
    }
    let (mut latin, mut cyrillic, mut greek, mut letters) = (0, 0, 0, 0);
    for u in word.iter() {
        match script_of(u.c) {
            Some(Script::Latin) => latin += 1,
            Some(Script::Cyrillic) => cyrillic += 1,
            Some(Script::Greek) => greek += 1,
            None => {}
        }
        letters += is_letter(u.c) as usize;
    }
    let target = if cyrillic > latin && cyrillic >= greek {
        Script::Cyrillic
    } else if greek > latin && greek > cyrillic {
        Script::Greek
    } else {
        Script::Latin
    };
    let scripts = (latin > 0) as u8 + (cyrillic > 0) as u8 + (greek > 0) as u8;
    if scripts > 1 {
        for u in word.iter_mut() {
            u.flags |= flag::MIXED_SCRIPT;
            if script_of(u.c).is_some_and(|s| s != target)
                && let Some(f) = fold(u.c, target)
            {
                u.c = f;
                u.flags |= flag::HOMOGLYPH;
            }
        }
    }
    if letters > 0 {
        for u in word.iter_mut() {
            if (u.c.is_ascii_digit() || is_leet_symbol(u.c))
                && let Some(l) = leet(u.c, target)
            {
                u.c = l;
                u.flags |= flag::LEET;
            }
        }
    }
    if has_stretch(word.iter().map(|u| u.c)) {
        // Runs of three or more become one letter; doubles stay (`ggguaranteed`
        // -> `guaranteed`). A stretched double (`asssss` for `ass`) is found through
        // the term's collapsed form, see `collapse_runs`.
        let mut kept: Vec<Unit> = Vec::with_capacity(word.len());
        let mut i = 0;
        while i < word.len() {
            let run = word[i..].iter().take_while(|u| u.c == word[i].c).count();
            if run >= MIN_STRETCH && word[i].c.is_alphabetic() {
                let mut u = word[i];
                u.end = word[i + run - 1].end;
                u.flags = word[i..i + run].iter().fold(flag::REPEAT, |f, w| f | w.flags);
                kept.push(u);
            } else {
                kept.extend_from_slice(&word[i..i + run]);
            }
            i += run;
        }
        *word = kept;
    }
}

fn has_stretch(chars: impl Iterator<Item = char>) -> bool {
    let (mut prev, mut run) = (None, 0);
    for c in chars {
        run = if Some(c) == prev { run + 1 } else { 1 };
        if run >= MIN_STRETCH && c.is_alphabetic() {
            return true;
        }
        prev = Some(c);
    }
    false
}

/// True for letters; ASCII and basic Russian letters skip the Unicode table lookup
/// (measured: 38% of the normalizer's time on Russian text went to that lookup).
#[inline]
fn is_letter(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphabetic() } else { matches!(c, 'а'..='я' | 'ё') || c.is_alphabetic() }
}

/// True for characters that make up words. ASCII and basic Russian letters skip
/// the Unicode table lookup: it dominated the normalizer's time on Russian text.
#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        // Combining marks kept by `strip_diacritics = false` stay inside their word.
        matches!(c, 'а'..='я' | 'ё') || c.is_alphanumeric() || is_combining_mark(c)
    }
}
