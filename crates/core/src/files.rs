//! Reading the files a package, a corpus or a feedback export names. Their paths come
//! from files an operator edits (or an attacker supplies), so every read here is
//! bounded while reading, refuses anything but a regular file (a FIFO would block, a
//! device never ends), and its errors never quote the file's content (issue #15).
//! Paths a package names are further confined to the package directory by
//! [`PackageDir`].

use crate::error::{Diagnostic, Error, shown};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// A manifest is a page of settings; anything larger is not one.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// A materials table or hash list: 1M terms of ~60 bytes a line, four times over.
pub(crate) const MAX_TABLE_BYTES: u64 = 256 << 20;
/// A media source (an image file or a vPDQ file): a full-resolution photo, or a
/// vPDQ file of a day's video at 1 frame a second (~100 bytes a frame).
pub(crate) const MAX_MEDIA_BYTES: u64 = 64 << 20;
/// A labeled corpus or feedback export: a million uploads of a few hundred bytes.
pub(crate) const MAX_CORPUS_BYTES: u64 = 1 << 30;

/// Reads `path` whole, refusing it unless it is a regular file of at most `max` bytes.
/// The size is counted while reading: a file's metadata can lie (`/proc`, a file still
/// growing), so it decides nothing.
pub(crate) fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    // Checked before opening: opening a FIFO blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("is not a regular file (a directory, FIFO or device?)".into());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("is over the {max}-byte limit"));
    }
    Ok(bytes)
}

/// `bytes` as text, or a diagnostic naming `file` and the line of the first byte that
/// is not UTF-8 (never the bytes themselves).
pub(crate) fn utf8(file: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let column = at - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        Diagnostic {
            file: file.to_string(),
            line,
            message: format!("not valid UTF-8 at byte {column} of the line"),
        }
    })
}

/// Reads the text file at `path` (named `file` in errors) within `max` bytes.
pub(crate) fn read_text(path: &Path, file: &str, max: u64) -> Result<String, Error> {
    let bytes = read_regular(path, max).map_err(|message| {
        Error::source(vec![Diagnostic { file: file.to_string(), line: 0, message }])
    })?;
    utf8(file, bytes).map_err(|d| Error::source(vec![d]))
}

/// A package directory, resolved once; every file the package names is read through
/// it, so none lies outside it, whatever its path or symlinks say.
#[derive(Debug)]
pub(crate) struct PackageDir {
    /// Canonical: symlinks resolved, absolute.
    root: PathBuf,
    /// The directory as the caller named it, for file names in diagnostics.
    named: PathBuf,
}

impl PackageDir {
    /// Resolves `dir`, which must be a directory.
    pub(crate) fn open(dir: &Path) -> Result<PackageDir, Error> {
        let root = dir.canonicalize().map_err(|e| Error::io(dir.display().to_string(), e))?;
        if !root.is_dir() {
            let e = std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory");
            return Err(Error::io(dir.display().to_string(), e));
        }
        Ok(PackageDir { root, named: dir.to_path_buf() })
    }

    /// `rel` as diagnostics name it: under the directory as the caller named it.
    pub(crate) fn display(&self, rel: &str) -> String {
        self.named.join(rel).display().to_string()
    }

    /// Reads `rel`, a path the package names: relative, without `..`, and still inside
    /// the package directory once symlinks are resolved; a regular file within `max`.
    pub(crate) fn read(&self, rel: &str, max: u64) -> Result<Vec<u8>, String> {
        let path = Path::new(rel);
        if rel.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(format!(
                "{} must be a relative path inside the package directory (no `..`, not absolute)",
                shown(rel)
            ));
        }
        let real =
            self.root.join(path).canonicalize().map_err(|e| format!("{}: {e}", shown(rel)))?;
        if !real.starts_with(&self.root) {
            return Err(format!("{} leads outside the package directory (a symlink?)", shown(rel)));
        }
        read_regular(&real, max).map_err(|e| format!("{} {e}", shown(rel)))
    }

    /// Reads the text file `rel` names: its name as diagnostics give it, and its text.
    pub(crate) fn read_text(&self, rel: &str, max: u64) -> Result<(String, String), Diagnostic> {
        let file = self.display(rel);
        let bytes = self.read(rel, max).map_err(|message| Diagnostic {
            file: file.clone(),
            line: 0,
            message,
        })?;
        let text = utf8(&file, bytes)?;
        Ok((file, text))
    }
}
