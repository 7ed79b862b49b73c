//! Writing to stdout without panicking: `prescreen report ... | head` closes the pipe
//! early, and the reader already has what it wanted (issue #15). The writing itself is
//! `prescreen_ops::terminal`'s, shared with eval, lint and report.

use anyhow::Result;

pub use prescreen_ops::terminal::{is_broken_pipe, print};

/// [`print`] with a newline.
pub fn println(text: &str) -> Result<()> {
    print(&format!("{text}\n"))
}
