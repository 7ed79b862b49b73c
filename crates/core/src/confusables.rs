//! Look-alike letters between Latin, Cyrillic and Greek, generated from Unicode
//! UTS #39 confusables data (the `unicode-security` crate's skeletons), and the
//! leetspeak digits and symbols advertisers use for letters.
//!
//! The confusable tables are computed once, not typed by hand: a Cyrillic letter
//! maps to a Latin one when the UTS #39 skeleton of the letter (or of its capital)
//! is that Latin letter (or its capital). `н` <-> `h` comes from `Н`/`H`, `а` <-> `a`
//! from the small letters themselves.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use unicode_security::skeleton;

/// A script a word's letters can be folded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
}

#[inline]
pub(crate) fn script_of(c: char) -> Option<Script> {
    match c {
        'a'..='z' => Some(Script::Latin),
        'а'..='я' => Some(Script::Cyrillic),
        _ if c.is_ascii() => None,
        '\u{00E0}'..='\u{024F}' if c.is_alphabetic() => Some(Script::Latin),
        '\u{0400}'..='\u{052F}' if c.is_alphabetic() => Some(Script::Cyrillic),
        '\u{0370}'..='\u{03FF}' if c.is_alphabetic() => Some(Script::Greek),
        _ => None,
    }
}

struct Tables {
    /// Cyrillic or Greek letter -> its Latin look-alike.
    to_latin: BTreeMap<char, char>,
    /// Latin letter -> its Cyrillic look-alike.
    to_cyrillic: BTreeMap<char, char>,
}

fn single(s: &str) -> Option<char> {
    let mut it = skeleton(s);
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut to_latin = BTreeMap::new();
        let mut to_cyrillic = BTreeMap::new();
        // Basic Russian letters first, so they win over rarer look-alikes.
        let ranges = [('\u{0430}', '\u{044F}'), ('\u{0450}', '\u{052F}'), ('\u{03B1}', '\u{03C9}')];
        for (lo, hi) in ranges {
            for small in lo..=hi {
                if !small.is_lowercase() {
                    continue;
                }
                let capital: String = small.to_uppercase().collect();
                let latin = [small.to_string(), capital]
                    .iter()
                    .filter_map(|s| single(s))
                    .map(|l| l.to_ascii_lowercase())
                    .find(char::is_ascii_lowercase);
                if let Some(latin) = latin {
                    to_latin.entry(small).or_insert(latin);
                    // Folding into Cyrillic serves Russian words: only into their
                    // letters (`i` has no twin there, though Ukrainian has `і`).
                    if matches!(small, 'а'..='я') {
                        to_cyrillic.entry(latin).or_insert(small);
                    }
                }
            }
        }
        // Shapes UTS #39 leaves out, reviewed: the pairs advertisers write for one
        // another (`нaркotuки`, `cтаbки`). UTS #39 pairs win where both have one.
        for (cyrillic, latin) in SHAPE_PAIRS {
            to_latin.entry(cyrillic).or_insert(latin);
            to_cyrillic.entry(latin).or_insert(cyrillic);
        }
        Tables { to_latin, to_cyrillic }
    })
}

/// Small Cyrillic and Latin letters alike in shape (handwriting, italics) though not
/// in UTS #39's data: `и`/`u`, `г`/`r`, `п`/`n`, and `ь`, which stands for `b` (the
/// other way `b` is `в`, from UTS #39's `В`/`B`). Used, as UTS #39's pairs are, only
/// inside a word that mixes the two scripts.
const SHAPE_PAIRS: [(char, char); 4] = [('и', 'u'), ('г', 'r'), ('п', 'n'), ('ь', 'b')];

/// Whether `a` and `b` are look-alikes by shape only (`SHAPE_PAIRS`), not by UTS #39.
pub(crate) fn is_shape_pair(a: char, b: char) -> bool {
    SHAPE_PAIRS.iter().any(|&(c, l)| (a, b) == (c, l) || (a, b) == (l, c))
}

/// Builds the tables now: inside the component this runs at build time, so the
/// snapshot holds them and no request pays for it.
pub(crate) fn warm_up() {
    tables();
}

/// The look-alike of letter `c` in script `to`, if there is one.
pub(crate) fn fold(c: char, to: Script) -> Option<char> {
    let t = tables();
    match to {
        Script::Latin => t.to_latin.get(&c).copied(),
        Script::Cyrillic => t.to_cyrillic.get(&c).copied(),
        Script::Greek => None,
    }
}

/// Symbols that stand for letters when written inside a word (`c@sino`, `ca$ino`).
pub(crate) fn is_leet_symbol(c: char) -> bool {
    matches!(c, '@' | '$' | '!' | '|' | '€')
}

/// The letter a digit or symbol stands for inside a word of script `script`.
/// Leetspeak is folk convention, not Unicode data: this table is ours.
pub(crate) fn leet(c: char, script: Script) -> Option<char> {
    match script {
        // `3` is `е` as often as `з`, and `4` far more often `а` than `ч` (`34кл4дка`,
        // `6укм3к3ры`): the commoner letter wins.
        Script::Cyrillic => match c {
            '0' => Some('о'),
            '1' => Some('и'),
            '3' => Some('е'),
            '4' => Some('а'),
            '6' => Some('б'),
            '7' => Some('т'),
            '@' => Some('а'),
            '$' => Some('с'),
            _ => None,
        },
        _ => match c {
            '0' => Some('o'),
            '1' | '!' | '|' => Some('i'),
            '3' | '€' => Some('e'),
            '4' | '@' => Some('a'),
            '5' | '$' => Some('s'),
            '7' => Some('t'),
            '8' => Some('b'),
            '9' => Some('g'),
            _ => None,
        },
    }
}

/// Whether the look-alike `to` that `fold` gave for `from` could as well have been
/// another (`normalize::readings` tries that one too): Cyrillic `т` is Latin `t`, or
/// `m` in italics; Latin `m` is `м` or `т`, and `b` is `в` or `ь`.
pub(crate) fn fold_is_ambiguous(from: char, to: char) -> bool {
    matches!((from, to), ('т', 't') | ('m', 'м') | ('b', 'в'))
}

/// Whether the digit `c` read by `leet` in script `script` could as well be another
/// letter of it (`normalize::readings` tries that one too).
pub(crate) fn leet_is_ambiguous(c: char, script: Script) -> bool {
    match script {
        Script::Cyrillic => matches!(c, '3' | '4'),
        _ => matches!(c, '1' | '!' | '|'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_look_alikes_come_from_uts39() {
        for (cyr, lat) in
            [('а', 'a'), ('е', 'e'), ('о', 'o'), ('р', 'p'), ('с', 'c'), ('х', 'x'), ('у', 'y')]
        {
            assert_eq!(fold(cyr, Script::Latin), Some(lat), "{cyr}");
            assert_eq!(fold(lat, Script::Cyrillic), Some(cyr), "{lat}");
        }
        // Capital look-alikes: Н/H, К/K, М/M, Т/T, В/B.
        for (cyr, lat) in [('н', 'h'), ('к', 'k'), ('м', 'm'), ('т', 't'), ('в', 'b')] {
            assert_eq!(fold(cyr, Script::Latin), Some(lat), "{cyr}");
        }
        assert_eq!(fold('з', Script::Latin), None);
    }
}
