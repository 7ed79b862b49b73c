//! The other forms a term with a number takes once normalized (issue #16). The
//! normalizer keeps numbers as numbers: punctuation between digits stays a word edge
//! (`12.05.2026`, `3.5`), and digits glued to letters are read as leetspeak
//! (`100%profit` is one word, `iooprofit`). So a term's number written apart
//! (`8.0.% lower`, `1😍00% profit`) or glued to its next word (`#80%lower`) normalizes
//! to other text than the term does. The matcher indexes those forms too, each made
//! by writing the term that way and normalizing it with the text's own normalizer,
//! so both sides still meet in one form.

use crate::normalize::{NormalizeOptions, Normalized, normalize_with};

/// Gaps between digits a term's numbers are written apart at, every choice of them:
/// four (a number of five digits, or two of three) give fifteen forms per gap kind.
const MAX_DIGIT_GAPS: usize = 4;
/// What stands in a gap between digits, one kind per form: a space, a separator and
/// an emoji-like symbol, which the normalizer treats differently between single
/// digits (a spelled-out run of three joins with spaces or one separator, not with
/// symbols), so each gives the text's own reading of that spelling.
const GAP_KINDS: [char; 3] = [' ', '.', '★'];

/// The normalized forms of `term` with its numbers' digits written apart and with
/// its spaces removed (each choice, as `matcher::spacings` gives them), other than
/// the term's own form; empty for a term without digits.
pub(crate) fn spellings(term: &str, options: NormalizeOptions) -> Vec<Normalized> {
    if !term.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let own = normalize_with(term, options);
    let mut texts: Vec<String> = Vec::new();
    // Byte offsets where one digit follows another: where a number may be written apart.
    let bytes = term.as_bytes();
    let gaps: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && bytes[i - 1].is_ascii_digit())
        .take(MAX_DIGIT_GAPS)
        .collect();
    for mask in 1..1u32 << gaps.len() {
        for kind in GAP_KINDS {
            let mut out = String::with_capacity(term.len() + 3 * gaps.len());
            let mut from = 0;
            for (g, &at) in gaps.iter().enumerate() {
                if mask & (1 << g) != 0 {
                    out.push_str(&term[from..at]);
                    out.push(kind);
                    from = at;
                }
            }
            out.push_str(&term[from..]);
            texts.push(out);
        }
    }
    let words: Vec<&str> = term.split(' ').filter(|w| !w.is_empty()).collect();
    texts.extend(crate::matcher::spacings(&words));
    let mut seen = vec![own.as_str().to_string()];
    let mut out = Vec::new();
    for text in texts {
        let n = normalize_with(&text, options);
        if !n.as_str().is_empty() && !seen.iter().any(|s| s == n.as_str()) {
            seen.push(n.as_str().to_string());
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(term: &str) -> Vec<String> {
        spellings(term, NormalizeOptions::default()).iter().map(|n| n.as_str().into()).collect()
    }

    #[test]
    fn a_number_written_apart_or_glued_is_indexed_as_the_text_reads_it() {
        let f = forms("80% lower");
        assert!(f.contains(&"8 0 lower".to_string()), "{f:?}");
        // `%` glued to the next word is noise inside one leet word.
        assert!(f.contains(&"bolower".to_string()), "{f:?}");
        let f = forms("100% profit");
        for want in ["1 00 profit", "10 0 profit", "iooprofit"] {
            assert!(f.contains(&want.to_string()), "{want}: {f:?}");
        }
        // Single digits spelled out, with any gap kind, read as the term's own number.
        let own = crate::normalize::normalize("100% profit");
        assert!(!f.iter().any(|f| f == "1 0 0 profit"), "{f:?}");
        assert_eq!(crate::normalize::normalize("1★0★0% profit").as_str(), own.as_str());
        assert!(forms("одобрение 100%").contains(&"одобрениеиоо".to_string()));
    }

    #[test]
    fn terms_without_digits_have_none_and_forms_are_distinct() {
        assert!(forms("online casino").is_empty());
        let f = forms("1:1 replica");
        let mut sorted = f.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), f.len());
        assert!(!f.contains(&crate::normalize::normalize("1:1 replica").as_str().to_string()));
    }
}
