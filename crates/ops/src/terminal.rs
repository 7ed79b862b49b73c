//! Text bound for a terminal. Corpus lines, upload ids and material notes are written
//! by advertisers and operators; printed raw, an escape sequence in one of them can
//! clear the screen, retitle the window or hide the lines above it (issue #15).

use anyhow::Result;
use std::borrow::Cow;
use std::io::Write as _;

/// `text` with every control character but newline and tab written as `\u{1b}`, the
/// way Rust's `{:?}` shows it. JSON output is unchanged: serializers never emit raw
/// control characters.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Writes [`safe`]`(text)` to stdout. A closed pipe (`prescreen report | head`) is
/// returned as the `io::Error` it is, for the CLI to end quietly on, never a panic.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(safe(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Whether `e` is, at its root, a write to a closed pipe: the reader already has
/// what it wanted, so the command ends quietly.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_keeps_layout() {
        assert_eq!(safe("a\u{1b}[2Jb\u{7}\u{9b}c"), "a\\u{1b}[2Jb\\u{7}\\u{9b}c");
        assert!(matches!(safe("line\n\tкириллица"), Cow::Borrowed(_)));
    }
}
