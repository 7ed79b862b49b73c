//! The text normalizer, applied identically to material terms at build time and to
//! upload text at screen time, so that both meet in one form. Every byte of the
//! normalized text remembers which character of the original produced it, so a match
//! in normalized text maps back to an exact byte span of what the advertiser wrote.

/// Text in matching form plus the way back to the original.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`, the byte offset in the original of the character it
    /// came from. One entry per byte keeps the mapping O(1) at any match boundary.
    origin: Vec<u32>,
}

impl Normalized {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps the normalized byte range `start..end` (end exclusive, on char
    /// boundaries, non-empty) to the byte range of the original characters that
    /// produced it. The result is always on the original's char boundaries.
    pub fn original_span(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= self.text.len());
        let from = self.origin[start] as usize;
        let last = self.origin[end - 1] as usize;
        let last_len = original[last..].chars().next().map_or(0, char::len_utf8);
        (from, last + last_len)
    }

    /// The character of the normalized text just before byte `at`, if any.
    pub(crate) fn char_before(&self, at: usize) -> Option<char> {
        self.text[..at].chars().next_back()
    }

    /// The character of the normalized text starting at byte `at`, if any.
    pub(crate) fn char_at(&self, at: usize) -> Option<char> {
        self.text[at..].chars().next()
    }

    fn push(&mut self, c: char, origin: usize) {
        self.text.push(c);
        let origin = origin as u32;
        self.origin.resize(self.text.len(), origin);
    }
}

/// Normalizes `text` for matching: full lowercase (so `ONLINE` and `Онлайн` meet
/// `online` and `онлайн`), every run of whitespace as one space (so `online  casino`
/// meets `online casino`), with the origin of every byte kept.
///
/// Texts over 4 GiB cannot occur: uploads are bounded by [`crate::Limits`] far below.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if !out.text.ends_with(' ') {
                out.push(' ', at);
            }
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase(), at);
        } else {
            for lower in c.to_lowercase() {
                out.push(lower, at);
            }
        }
    }
    out
}

/// True for characters that make up words: letters, digits, combining marks.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_latin_and_cyrillic() {
        assert_eq!(normalize("ONLINE Казино").as_str(), "online казино");
        assert_eq!(normalize("a \t\n b").as_str(), "a b");
    }

    #[test]
    fn spans_map_back_through_length_changes() {
        // 'İ' lowercases to two chars (i + combining dot): the span must still cover
        // exactly the original 'İ' and what follows.
        let original = "xİy Казино";
        let n = normalize(original);
        let s = n.as_str().find("казино").unwrap();
        let (a, b) = n.original_span(original, s, s + "казино".len());
        assert_eq!(&original[a..b], "Казино");
        let s = n.as_str().find('y').unwrap();
        assert_eq!(n.original_span(original, 1, s), (1, original.find('y').unwrap()));
    }
}
