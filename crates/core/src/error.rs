//! The crate's error type: an opaque struct over a private kind, so variants can grow
//! without breaking callers. Messages are lowercase and name what went wrong and where.

use std::fmt;

/// One problem found in a package source, located by file and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the caller named it (e.g. `packages/ad-policy/materials.tsv`).
    pub file: String,
    /// 1-based line number; 0 when the problem concerns the whole file.
    pub line: u64,
    /// What is wrong, lowercase.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// An error from reading, compiling or decoding a package.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Debug)]
enum ErrorKind {
    /// The package source has problems: every one found, in file and line order.
    #[cfg_attr(not(feature = "source"), allow(dead_code))]
    Source(Vec<Diagnostic>),
    /// A labeled corpus has problems: every one found, in line order.
    #[cfg_attr(not(feature = "source"), allow(dead_code))]
    Corpus(Vec<Diagnostic>),
    /// Compiled package bytes that are not a valid package.
    Format(String),
    /// The matcher could not be built from valid materials.
    Build(String),
    /// Reading a source file failed.
    Io { path: String, err: std::io::Error },
    /// An uploaded image could not be decoded or is over the decoding limits.
    Image(String),
}

impl Error {
    pub(crate) fn source(diagnostics: Vec<Diagnostic>) -> Error {
        Error { kind: ErrorKind::Source(diagnostics) }
    }

    #[cfg_attr(not(feature = "source"), allow(dead_code))]
    pub(crate) fn corpus(diagnostics: Vec<Diagnostic>) -> Error {
        Error { kind: ErrorKind::Corpus(diagnostics) }
    }

    pub(crate) fn format(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Format(msg.into()) }
    }

    pub(crate) fn build(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Build(msg.into()) }
    }

    #[cfg_attr(not(feature = "source"), allow(dead_code))]
    pub(crate) fn io(path: impl Into<String>, err: std::io::Error) -> Error {
        Error { kind: ErrorKind::Io { path: path.into(), err } }
    }

    pub(crate) fn image(msg: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Image(msg.into()) }
    }

    /// The located problems of a package source or corpus; empty for other errors.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match &self.kind {
            ErrorKind::Source(d) | ErrorKind::Corpus(d) => d,
            _ => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Source(diags) => {
                write!(f, "package source has {} problem(s)", diags.len())?;
                for d in diags {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
            ErrorKind::Corpus(diags) => {
                write!(f, "corpus has {} problem(s)", diags.len())?;
                for d in diags {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
            ErrorKind::Format(msg) => write!(f, "invalid compiled package: {msg}"),
            ErrorKind::Build(msg) => write!(f, "cannot build matcher: {msg}"),
            ErrorKind::Io { path, err } => write!(f, "cannot read {path}: {err}"),
            ErrorKind::Image(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { err, .. } => Some(err),
            _ => None,
        }
    }
}

/// How much of a value an error quotes: enough to find the cell, not a copy of it.
pub(crate) const SHOWN_CHARS: usize = 40;

/// `value` as an error quotes it: escaped (control characters and terminal escapes
/// print as `\u{1b}`), cut to [`SHOWN_CHARS`] characters.
pub fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
    }
}
