//! Stems for `stem`-mode materials (issue #16): a term matches every inflected form of
//! its words (`гарантированный доход` in `гарантированного дохода`, `slot machine` in
//! `slot machines`). The stemmers are Snowball's, from the `rust-stemmers` crate,
//! picked per word by its script: Russian for Cyrillic words, English for Latin ones;
//! a word of another script is its own stem.
//!
//! Terms and text meet in the same form: a term's words are normalized, then stemmed;
//! at screen time the automaton finds the part of the first stem a word starts with,
//! and only then are the text's words stemmed and compared, so clean text costs
//! nothing more.

use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The stemmer for a normalized word, by the script of its first letter.
fn stemmer(word: &str) -> Option<&'static Stemmer> {
    static RUSSIAN: OnceLock<Stemmer> = OnceLock::new();
    static ENGLISH: OnceLock<Stemmer> = OnceLock::new();
    match word.chars().find(|c| c.is_alphabetic())? {
        'а'..='я' => Some(RUSSIAN.get_or_init(|| Stemmer::create(Algorithm::Russian))),
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

/// The start of `word` that its stem shares, which every inflected form of it starts
/// with too (`happi`, the stem of `happy`, shares `happ`). Never empty for a word.
pub(crate) fn shared_start(word: &str) -> &str {
    let stem = stem(word);
    let len: usize =
        word.chars().zip(stem.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let len = if len == 0 { word.chars().next().map_or(0, char::len_utf8) } else { len };
    &word[..len]
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
        assert_eq!(shared_start("happy"), "happ");
        assert_eq!(shared_start("日本"), "日本");
    }
}
