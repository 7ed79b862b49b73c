//! Writing to stdout without panicking: `prescreen report ... | head` closes the pipe
//! early, and the reader already has what it wanted (issue #15).

use anyhow::Result;
use std::io::Write as _;

/// Writes `text` to stdout; a closed pipe is an error [`is_broken_pipe`] recognizes.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// [`print`] with a newline.
pub fn println(text: &str) -> Result<()> {
    print(&format!("{text}\n"))
}

/// Whether `e` is, at its root, a write to a closed pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
