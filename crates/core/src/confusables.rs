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
                    if script_of(small) == Some(Script::Cyrillic) {
                        to_cyrillic.entry(latin).or_insert(small);
                    }
                }
            }
        }
        Tables { to_latin, to_cyrillic }
    })
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
        Script::Cyrillic => match c {
            '0' => Some('о'),
            '3' => Some('з'),
            '4' => Some('ч'),
            '6' => Some('б'),
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
