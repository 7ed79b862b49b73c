//! Stems for `stem`-mode materials (issue #16): a term matches every inflected form of
//! its words (`гарантированный доход` in `гарантированного дохода`, `slot machine` in
//! `slot machines`). The stemmers are Snowball's, from the `rust-stemmers` crate,
//! picked per word by its script: Russian for Cyrillic words, English for Latin ones;
//! a word of another script is its own stem.
//!
//! Snowball's Russian stemmer strips what looks like an ending, so two forms of one
//! word can get different stems (`диплом` -> `дипл`, `дипломы` -> `диплом`; `прибыль`
//! -> `прибыл`, `прибыли` -> `приб`), and a vowel that drops in some forms parts them
//! too (`слепок`, `слепка`). So a Russian term word also keeps its *bases*: the word
//! less each case or agreement ending it ends with (at least [`MIN_BASE`] letters
//! left), and of those, the base without its dropping vowel (`слепок` -> `слепк`) or
//! with the vowel the genitive plural adds (`самк` -> `самок`). A text word matches a
//! term word when their stems are equal, or when it is one of the bases followed by
//! one of [`ENDINGS`].
//!
//! Terms and text meet in the same form: a term's words are normalized, then stemmed;
//! at screen time the automaton finds the part every matching word starts with, and
//! only then are the text's words stemmed and compared, so clean text costs nothing
//! more.

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::OnceLock;

/// Russian case and agreement endings of nouns and adjectives (and the empty one),
/// longest first: what a base may be followed by. Verb endings are left to Snowball:
/// they are many more, and a term's verbs are rarely what carries its risk.
const ENDINGS: &[&str] = &[
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "иям", "иях", "ием",
    "ьев", "ьям", "ьях", "ом", "ем", "ём", "ой", "ей", "ею", "ою", "ам", "ям", "ах", "ях", "ов",
    "ев", "ёв", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ым", "им", "ых", "их", "ую", "юю",
    "ью", "ия", "ию", "ии", "ья", "ье", "ьи", "ьё", "а", "я", "о", "е", "ё", "ы", "и", "у", "ю",
    "ь", "й", "",
];

/// Letters a base keeps at least: shorter ones (`ко`, `ма`) would let unrelated short
/// words meet on an ending.
const MIN_BASE: usize = 3;

/// The stemmer for a normalized word, by the script of its first letter.
fn stemmer(word: &str) -> Option<&'static Stemmer> {
    static RUSSIAN: OnceLock<Stemmer> = OnceLock::new();
    static ENGLISH: OnceLock<Stemmer> = OnceLock::new();
    match word.chars().find(|c| c.is_alphabetic())? {
        'а'..='я' | 'ё' => Some(RUSSIAN.get_or_init(|| Stemmer::create(Algorithm::Russian))),
        'a'..='z' => Some(ENGLISH.get_or_init(|| Stemmer::create(Algorithm::English))),
        _ => None,
    }
}

/// Builds the stemmers now: inside the component this runs at build time.
pub(crate) fn warm_up() {
    stemmer("a");
    stemmer("а");
}

/// The stem of one normalized word.
pub(crate) fn stem(word: &str) -> Cow<'_, str> {
    match stemmer(word) {
        Some(s) => s.stem(word),
        None => Cow::Borrowed(word),
    }
}

/// One word of a `stem`-mode term: its stem, and for a Russian word its bases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StemWord {
    stem: String,
    bases: Vec<String>,
}

impl StemWord {
    /// The stem and bases of a normalized term word.
    pub(crate) fn of(word: &str) -> StemWord {
        StemWord { stem: stem(word).into_owned(), bases: bases(word) }
    }

    /// Whether a normalized text word is a form of this term word.
    pub(crate) fn matches(&self, word: &str) -> bool {
        stem(word) == self.stem.as_str()
            || self.bases.iter().any(|b| word.strip_prefix(b.as_str()).is_some_and(is_ending))
    }

    /// The start every word this one matches starts with (`happi`, the stem of
    /// `happy`, shares `happ` with it; `слепок` and `слепка` share `слеп`). Never
    /// empty for a word.
    pub(crate) fn shared_start<'w>(&self, word: &'w str) -> &'w str {
        let len = std::iter::once(self.stem.as_str())
            .chain(self.bases.iter().map(String::as_str))
            .map(|s| common_prefix(word, s))
            .min()
            .unwrap_or(0);
        let len = if len == 0 { word.chars().next().map_or(0, char::len_utf8) } else { len };
        &word[..len]
    }

    /// The stem, as `lint` shows it.
    pub(crate) fn stem(&self) -> &str {
        &self.stem
    }

    /// The bases, as `lint` shows them.
    pub(crate) fn bases(&self) -> &[String] {
        &self.bases
    }

    /// Whether a matcher loaded from bytes holds a usable word: bases that are not
    /// empty (an empty base would match any word made of an ending).
    pub(crate) fn is_valid(&self) -> bool {
        self.bases.iter().all(|b| !b.is_empty())
    }
}

fn is_ending(rest: &str) -> bool {
    ENDINGS.contains(&rest)
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum()
}

/// A Russian word's bases (module doc), sorted, without duplicates; none for words
/// of other scripts.
fn bases(word: &str) -> Vec<String> {
    if !word.chars().all(|c| matches!(c, 'а'..='я' | 'ё')) {
        return Vec::new();
    }
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    for ending in ENDINGS {
        let cut = ending.chars().count();
        if !word.ends_with(ending) || chars.len() < MIN_BASE + cut {
            continue;
        }
        let base = &chars[..chars.len() - cut];
        out.push(base.iter().collect::<String>());
        out.extend(vowel_changes(base));
    }
    out.sort();
    out.dedup();
    out
}

fn is_vowel(c: char) -> bool {
    "аеёиоуыэюя".contains(c)
}

/// A base's forms with its dropping vowel gone or added: a vowel before a final `к`
/// or `ц` drops in the other forms (`слепок` -> `слепк`, `конец` -> `конц`; after a
/// vowel it leaves a `й`: `ахеец` -> `ахейц`), and a consonant before a final `к`
/// takes `о` or `е` in the genitive plural (`самк` -> `самок`, `цыпочк` -> `цыпочек`).
fn vowel_changes(base: &[char]) -> Vec<String> {
    let n = base.len();
    let mut out = Vec::new();
    if n < MIN_BASE + 1 || !matches!(base[n - 1], 'к' | 'ц') {
        return out;
    }
    let last = base[n - 1];
    if matches!(base[n - 2], 'о' | 'е' | 'ё') {
        let before: String = base[..n - 2].iter().collect();
        let glide = if is_vowel(base[n - 3]) { "й" } else { "" };
        out.push(format!("{before}{glide}{last}"));
    } else if last == 'к' && !is_vowel(base[n - 2]) && base[n - 2] != 'ь' && base[n - 2] != 'й' {
        let before: String = base[..n - 1].iter().collect();
        out.push(format!("{before}о{last}"));
        out.push(format!("{before}е{last}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_meet() {
        for (a, b) in [
            ("гарантированный", "гарантированного"),
            ("доход", "дохода"),
            ("ставки", "ставка"),
            ("machine", "machines"),
            ("betting", "bet"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_ne!(stem("доход"), stem("доходчивый"), "another word is not an inflection");
        assert_eq!(StemWord::of("happy").shared_start("happy"), "happ");
        assert_eq!(StemWord::of("日本").shared_start("日本"), "日本");
    }

    /// Forms Snowball stems apart, met through the bases (issue #16).
    #[test]
    fn forms_snowball_parts_meet_through_bases() {
        for (term, forms) in [
            ("диплом", &["дипломы", "дипломов", "диплома", "дипломом"][..]),
            ("прибыль", &["прибыли", "прибылью", "прибылей"]),
            ("слепок", &["слепка", "слепков", "слепки"]),
            ("самка", &["самок", "самки"]),
            ("ахеец", &["ахейца", "ахейцы"]),
            ("цыпочка", &["цыпочек"]),
        ] {
            let w = StemWord::of(term);
            for form in forms {
                assert!(w.matches(form), "{term} / {form}");
                assert!(form.starts_with(w.shared_start(term)), "{term} / {form}");
            }
        }
        for (term, other) in [("доход", "доходчивый"), ("диплом", "дипломатия"), ("кот", "котлета")]
        {
            assert!(!StemWord::of(term).matches(other), "{term} / {other}");
        }
    }
}
