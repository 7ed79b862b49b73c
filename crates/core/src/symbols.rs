//! Terms written in emoji and symbols (issue #16): `🍃`, `❄️`, `🍆💦`, `💊🔌`. The
//! normalizer drops such characters (noise between letters, gaps between words), so
//! these terms are matched apart from it, on the field's original text.
//!
//! A text is read as runs of *units*: a unit is one symbol (Unicode general category
//! S: emoji, pictographs, currency and math signs, regional indicators) with what
//! only dresses it up folded away (variation selectors, skin-tone modifiers, a
//! zero-width joiner followed by a gender sign, tag characters), and with any other
//! zero-width-joined symbols kept in it (`👨‍👩‍👧` is one unit). Spaces between units keep
//! them in one run; anything else ends the run. A unit repeated in a row counts once
//! (`💦💦💦` is `💦`), in terms as in text. A term fires where its units stand in a
//! run, one after the other.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Units a symbol term may hold: real ones hold one to three, and the lookup at
/// every unit of a run tries each length up to this.
pub(crate) const MAX_TERM_UNITS: usize = 8;

const ZWJ: char = '\u{200D}';

/// Code points that dress a symbol up without changing what it shows.
fn is_dressing(c: char) -> bool {
    matches!(c,
        '\u{FE0E}' | '\u{FE0F}'          // text / emoji presentation
        | '\u{1F3FB}'..='\u{1F3FF}'      // skin tones
        | '\u{E0020}'..='\u{E007F}'      // tags (subdivision flags)
        | '\u{20E3}'                     // combining keycap
    )
}

fn is_symbol(c: char) -> bool {
    // ASCII without a table lookup: its symbols are these nine.
    if c.is_ascii() {
        return matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    c.general_category_group() == GeneralCategoryGroup::Symbol && !is_dressing(c)
}

/// Whether `term` is a symbol term: at least one symbol, and nothing but symbols,
/// their dressing, joiners and spaces.
pub(crate) fn is_symbol_term(term: &str) -> bool {
    // `all` first: a word term fails it at its first letter, where `any` would read
    // every character's category (a large package asks this of each term).
    term.chars().all(|c| is_symbol(c) || is_dressing(c) || c == ZWJ || c.is_whitespace())
        && term.chars().any(is_symbol)
}

/// One unit of a run: its folded form and its byte span in the text.
pub(crate) struct Unit {
    pub key: String,
    pub start: usize,
    pub end: usize,
}

/// The runs of units in `text`, in order, repeats collapsed.
pub(crate) fn runs(text: &str) -> Vec<Vec<Unit>> {
    let mut runs: Vec<Vec<Unit>> = Vec::new();
    let mut run: Vec<Unit> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_symbol(c) {
            let mut key = String::from(c);
            let mut end = at + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                if is_dressing(next) {
                    end = i + next.len_utf8();
                    chars.next();
                } else if next == ZWJ {
                    chars.next();
                    end = i + next.len_utf8();
                    match chars.peek().copied() {
                        // A gender sign only says who: `🏃‍♀️` is `🏃`.
                        Some((j, g @ ('\u{2640}' | '\u{2642}'))) => {
                            end = j + g.len_utf8();
                            chars.next();
                        }
                        Some((j, s)) if is_symbol(s) => {
                            key.push(ZWJ);
                            key.push(s);
                            end = j + s.len_utf8();
                            chars.next();
                        }
                        _ => {}
                    }
                } else {
                    break;
                }
            }
            match run.last_mut() {
                // A repeat widens the unit it repeats.
                Some(last) if last.key == key => last.end = end,
                _ => run.push(Unit { key, start: at, end }),
            }
        } else if c.is_whitespace() || is_dressing(c) || c == ZWJ {
            // Spaces keep a run going; stray dressing is dropped.
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// A symbol term's key: its units' folded forms, concatenated. Two different unit
/// sequences never give one key, since a unit starts at a symbol no joiner precedes.
pub(crate) fn term_key(term: &str) -> Option<String> {
    let runs = runs(term);
    let [units] = runs.as_slice() else { return None };
    (units.len() <= MAX_TERM_UNITS).then(|| units.iter().map(|u| u.key.as_str()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<Vec<String>> {
        runs(text).into_iter().map(|r| r.into_iter().map(|u| u.key).collect()).collect()
    }

    #[test]
    fn ascii_symbols_are_the_table_s() {
        for c in (0..128u8).map(char::from) {
            let table = c.general_category_group() == GeneralCategoryGroup::Symbol;
            assert_eq!(is_symbol(c), table, "{c:?}");
        }
    }

    #[test]
    fn dressing_folds_and_repeats_collapse() {
        assert_eq!(keys("❄️"), keys("❄"));
        assert_eq!(keys("👍🏽"), keys("👍"));
        assert_eq!(keys("🏃‍♀️"), keys("🏃"));
        assert_eq!(keys("💦💦💦"), keys("💦"));
        assert_eq!(keys("🍆 💦"), vec![vec!["🍆".to_string(), "💦".to_string()]]);
        // A joined sequence is one unit, not its parts.
        assert_eq!(keys("👨‍👩‍👧").len(), 1);
        assert_eq!(keys("👨‍👩‍👧")[0].len(), 1);
        assert_ne!(keys("👨‍👩‍👧"), keys("👨👩👧"));
    }

    #[test]
    fn words_end_runs_and_spans_cover_the_dressing() {
        let text = "buy 🍃🍃 now, ❄️ here";
        let runs = runs(text);
        assert_eq!(runs.len(), 2);
        assert_eq!(&text[runs[0][0].start..runs[0][0].end], "🍃🍃");
        assert_eq!(&text[runs[1][0].start..runs[1][0].end], "❄️");
    }

    #[test]
    fn symbol_terms() {
        assert!(is_symbol_term("🍆💦"));
        assert!(is_symbol_term("💊 🔌"));
        assert!(is_symbol_term("❄️"));
        assert!(!is_symbol_term("🍃 weed"));
        assert!(!is_symbol_term("\u{FE0F}"));
        assert!(term_key(&"🍃".repeat(3)).is_some());
        assert!(term_key("🍃 - 💊").is_none(), "two runs");
    }
}
