//! Latin transliterations of Russian terms (issue #16): the spellings an ad writes a
//! Russian word in when it uses Latin letters (`казино` as `kazino`, `ставки на спорт`
//! as `stavki na sport`), indexed beside the term for materials that ask for it
//! (`transliterate`).
//!
//! The spellings come from the romanization schemas of the `iuliia` crate (27 of
//! them: passports, GOST, BGN/PCGN, ISO 9, scientific, Telegram, Yandex...), used two
//! ways: each schema's own rendering of the whole term (with its rules for word starts
//! and endings), and a mix of the letters' spellings across schemas, since people
//! typing translit mix habits (`h` for `х` from one, `sch` for `щ` from another). The
//! mix is enumerated cheapest first, a spelling's cost being how few schemas use it,
//! and capped at [`MAX_VARIANTS`]: every variant is another pattern in the index. A
//! few chat habits no schema writes down are added to the letters' spellings (`CHAT`).

use crate::normalize::{Normalized, normalize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Mixed spellings kept per term, on top of the schemas' own renderings: a word of
/// four ambiguous letters (`шлюхи`: 2 x 4 x 3 x 2) has 48 mixes, and past a few dozen
/// the extra patterns cost index size for spellings nobody types.
pub(crate) const MAX_VARIANTS: usize = 64;
/// A letter's spelling enters the mixes only when this many schemas use it: one
/// schema's own quirk (the French `ou` for `у`, `ch` for `ш`) is left to its whole-term
/// rendering.
const MIN_SCHEMAS: u32 = 2;

/// Chat habits no schema writes down, reviewed: `w` for `в` (German-style), `i` for
/// `ы`, `tz` for `ц`, and volapük's `w` for `ш` (by shape). They come after every
/// schema's spelling of the letter.
const CHAT: &[(char, &str)] = &[('в', "w"), ('ы', "i"), ('ц', "tz"), ('ш', "w")];

/// A letter's Latin spellings across the schemas, most used first.
struct Spellings {
    letter: char,
    /// `(spelling, cost)`, cost 0 for the commonest.
    options: Vec<(String, u32)>,
}

/// `text` in the plain Latin form the normalizer gives, if it has nothing but ASCII
/// letters and single spaces (schemas that write `ʹ` for `ь` or `t͡s` for `ц` give
/// marks the normalizer strips, or letters no ad types: those are dropped).
fn plain_latin(text: &str) -> Option<String> {
    let n = normalize(text);
    let s = n.as_str();
    s.bytes().all(|b| b.is_ascii_lowercase() || b == b' ').then(|| s.to_string())
}

/// Each basic Russian letter's spellings, built once from the schemas.
fn spellings() -> &'static [Spellings] {
    static TABLE: OnceLock<Vec<Spellings>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ('а'..='я')
            .chain(['ё'])
            .map(|letter| {
                let mut counts: Vec<(String, u32)> = Vec::new();
                for name in schemas() {
                    // Between two `б` (`b` in every schema), so no word-start or
                    // ending rule applies: the letter's spelling inside a word.
                    let inner = format!("б{letter}б");
                    let Ok(out) = iuliia::transliterate(&inner, name) else { continue };
                    let Some(mid) = out.strip_prefix('b').and_then(|o| o.strip_suffix('b')) else {
                        continue;
                    };
                    let spelled =
                        if mid.is_empty() { Some(String::new()) } else { plain_latin(mid) };
                    let Some(spelled) = spelled.filter(|s| !s.contains(' ')) else { continue };
                    match counts.iter_mut().find(|(s, _)| *s == spelled) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((spelled, 1)),
                    }
                }
                // Most schemas first; ties in a fixed (alphabetical) order.
                counts.retain(|(_, n)| *n >= MIN_SCHEMAS);
                counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                for &(_, spelled) in CHAT.iter().filter(|(l, _)| *l == letter) {
                    if !counts.iter().any(|(s, _)| s == spelled) {
                        counts.push((spelled.to_string(), 0));
                    }
                }
                let options =
                    counts.into_iter().enumerate().map(|(i, (s, _))| (s, i as u32)).collect();
                Spellings { letter, options }
            })
            .collect()
    })
}

/// The schema names, aliases left out (they repeat a schema).
fn schemas() -> impl Iterator<Item = &'static str> {
    iuliia::schemas::schema_names().iter().copied().filter(|&n| n != "iso_9_1995")
}

/// The Latin spellings of a term that holds Russian letters: every schema's
/// rendering, then mixes of the letters' spellings, cheapest first, in normalized
/// form, without repeats, in a fixed order. Empty for a term without Russian letters.
pub(crate) fn variants(term: &str) -> Vec<Normalized> {
    let lower = term.to_lowercase();
    if !lower.chars().any(|c| matches!(c, 'а'..='я' | 'ё')) {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut keep = |text: String| {
        if let Some(latin) = plain_latin(&text)
            && !latin.trim().is_empty()
            && seen.insert(latin.clone())
        {
            out.push(normalize(&latin));
        }
    };
    for name in schemas() {
        if let Ok(t) = iuliia::transliterate(&lower, name) {
            keep(t);
        }
    }
    for t in mixes(&lower) {
        keep(t);
    }
    out
}

/// Up to `MAX_VARIANTS` spellings of `lower` letter by letter, cheapest first: the
/// cheapest prefixes are extended one letter at a time and cut back to the cap, so
/// the work stays linear in the term.
fn mixes(lower: &str) -> Vec<String> {
    let table = spellings();
    let mut partial: Vec<(String, u32)> = vec![(String::new(), 0)];
    for c in lower.chars() {
        let options = table.iter().find(|s| s.letter == c).map(|s| &s.options);
        partial = match options {
            Some(options) if !options.is_empty() => {
                let mut next = Vec::with_capacity(partial.len() * options.len());
                for (text, cost) in &partial {
                    for (spelled, extra) in options {
                        next.push((format!("{text}{spelled}"), cost + extra));
                    }
                }
                // Stable: equal costs keep the order of the options.
                next.sort_by_key(|(_, cost)| *cost);
                next.truncate(MAX_VARIANTS);
                next
            }
            _ => partial
                .into_iter()
                .map(|(t, cost)| (t + c.encode_utf8(&mut [0; 4]), cost))
                .collect(),
        };
    }
    partial.into_iter().map(|(t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(term: &str) -> Vec<String> {
        variants(term).iter().map(|n| n.as_str().to_string()).collect()
    }

    #[test]
    fn common_spellings_are_variants() {
        let v = texts("казино");
        assert!(v.contains(&"kazino".to_string()), "{v:?}");
        let v = texts("ставки на спорт");
        assert!(v.contains(&"stavki na sport".to_string()), "{v:?}");
        // Informal habits mixed across schemas: `h` for `х`, `sch` for `щ`.
        let v = texts("доход");
        assert!(v.contains(&"dohod".to_string()) && v.contains(&"dokhod".to_string()), "{v:?}");
        let v = texts("гарантированный");
        assert!(v.contains(&"garantirovannyy".to_string()), "{v:?}");
        assert!(v.contains(&"garantirovannyj".to_string()), "{v:?}");
    }

    #[test]
    fn variants_are_bounded_plain_and_distinct() {
        // Every letter of the alphabet, twice: the product would be astronomic.
        let term = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя ".repeat(2);
        let v = texts(&term);
        assert!(v.len() <= MAX_VARIANTS + 27, "{}", v.len());
        // Mixed spellings reach every common habit of a word with four ambiguous
        // letters (`ш`, `ю`, `х`, `и`).
        let v = texts("шлюхи");
        for want in ["shlyukhi", "shluhi", "shljuhi", "shliukhi"] {
            assert!(v.contains(&want.to_string()), "{want} {v:?}");
        }
        assert!(v.iter().all(|t| t.bytes().all(|b| b.is_ascii_lowercase() || b == b' ')));
        let distinct: BTreeSet<_> = v.iter().collect();
        assert_eq!(distinct.len(), v.len());
    }

    #[test]
    fn terms_without_russian_letters_have_none() {
        assert!(texts("casino").is_empty());
        assert!(texts("2026").is_empty());
    }
}
