//! The package compiler's front half: reads a package *source* (a directory with a
//! `package.toml` manifest and TSV materials tables that operators edit and review in
//! git), validates every line, and produces a [`Package`]. Every problem found is
//! reported with its file and line, all at once, so one run shows everything to fix.

mod cells;
mod exchange;
mod manifest;
mod materials;
mod media;

pub use exchange::export_hashes;
pub use manifest::HashFormat;

pub(crate) use materials::{Row, Status};

use crate::error::{Diagnostic, Error};
use crate::files::{MAX_MANIFEST_BYTES, MAX_TABLE_BYTES, PackageDir};
use crate::model::MaterialKind;
use crate::package::Package;
use jiff::Timestamp;
use std::path::Path;

/// Compiles package sources. A builder, so options can grow without breaking callers.
#[derive(Clone, Debug)]
pub struct Compiler {
    built_at: Timestamp,
}

impl Default for Compiler {
    fn default() -> Compiler {
        Compiler::new()
    }
}

impl Compiler {
    /// A compiler stamping packages with the current time.
    pub fn new() -> Compiler {
        Compiler { built_at: Timestamp::now() }
    }

    /// Sets the build time (Unix seconds): it is recorded in the package and decides
    /// which materials have expired. Fixing it makes builds reproducible.
    pub fn built_at(mut self, unix_seconds: i64) -> Result<Compiler, Error> {
        self.built_at = Timestamp::from_second(unix_seconds)
            .map_err(|e| Error::build(format!("build time {unix_seconds}: {e}")))?;
        Ok(self)
    }

    /// Compiles the package in `dir`: `dir/package.toml` and the tables it names.
    pub fn compile_dir(&self, dir: &Path) -> Result<Package, Error> {
        self.read_dir(dir)?.package()
    }

    /// Reads the package source in `dir` without compiling it: every valid row, and
    /// every problem found. `Err` only when the manifest or a file cannot be read.
    pub(crate) fn read_dir(&self, dir: &Path) -> Result<Source, Error> {
        let dir = PackageDir::open(dir)?;
        let (manifest_file, manifest_text) = dir
            .read_text("package.toml", MAX_MANIFEST_BYTES)
            .map_err(|d| Error::source(vec![d]))?;
        let manifest = manifest::parse(&manifest_file, &manifest_text)?;
        // Every file is read before any is parsed, and every unreadable one reported.
        let mut problems = Vec::new();
        let mut read = |name: &str| match dir.read_text(name, MAX_TABLE_BYTES) {
            Ok(file_text) => Some(file_text),
            Err(d) => {
                problems.push(d);
                None
            }
        };
        let mut tables = Vec::new();
        for (kind, names) in [
            (MaterialKind::Text, &manifest.materials),
            (MaterialKind::Image, &manifest.images),
            (MaterialKind::Video, &manifest.videos),
        ] {
            for name in names {
                if let Some((file, text)) = read(name) {
                    tables.push((kind, file, text));
                }
            }
        }
        let lists: Vec<_> = manifest.hash_lists.iter().filter_map(|l| read(&l.file)).collect();
        if !problems.is_empty() {
            return Err(Error::source(problems));
        }
        Ok(self.read(manifest, Some(&dir), &tables, &lists))
    }

    /// Compiles a package from in-memory sources (a manifest and one materials table),
    /// named `package.toml` and `materials.tsv` in diagnostics.
    pub fn compile_strs(&self, manifest: &str, materials: &str) -> Result<Package, Error> {
        let manifest = manifest::parse("package.toml", manifest)?;
        let tables = [(MaterialKind::Text, "materials.tsv".to_string(), materials.to_string())];
        self.read(manifest, None, &tables, &[]).package()
    }

    /// `tables`: (kind, file, text); `lists`: (file, text) of the manifest's hash lists, in order.
    fn read(
        &self,
        manifest: manifest::Manifest,
        dir: Option<&PackageDir>,
        tables: &[(MaterialKind, String, String)],
        lists: &[(String, String)],
    ) -> Source {
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        let mut reader = materials::Reader::new(&manifest, dir, self.built_at);
        for (kind, file, text) in tables {
            reader.read(file, text, *kind, &mut diagnostics);
        }
        let mut low_quality = 0;
        for (list, (file, text)) in manifest.hash_lists.iter().zip(lists) {
            let (materials, low) = exchange::read_list(
                list,
                file,
                text,
                manifest.default_action,
                self.built_at.as_second(),
                &mut diagnostics,
            );
            low_quality += low;
            for m in materials {
                reader.add(m, file, &mut diagnostics);
            }
        }
        let (rows, files) = reader.finish();
        Source { built_at: self.built_at, manifest, rows, files, low_quality, diagnostics }
    }
}

/// A package source as read: the manifest, every valid row (compiled in or not) and
/// every problem found. What `Compiler` compiles and `Linter` inspects.
pub(crate) struct Source {
    pub built_at: Timestamp,
    pub manifest: manifest::Manifest,
    pub rows: Vec<Row>,
    /// File names, as `Row::file` indexes them.
    pub files: Vec<String>,
    /// Hash-list entries left out: under their quality gate, of a signal type that
    /// cannot be matched, benign or disabled.
    pub low_quality: u32,
    pub diagnostics: Vec<Diagnostic>,
}

impl Source {
    /// The compiled package: its enabled rows, if the source has no problem.
    pub(crate) fn package(mut self) -> Result<Package, Error> {
        if !self.diagnostics.is_empty() {
            return Err(Error::source(self.diagnostics));
        }
        let left_out = self.left_out();
        let rows = std::mem::take(&mut self.rows);
        let materials =
            rows.into_iter().filter(|r| r.status == Status::Enabled).map(|r| r.material).collect();
        let package = self.assemble(materials, left_out);
        package.validate()?;
        Ok(package)
    }

    /// Rows left out of the package (disabled or expired) and hash-list entries under
    /// their quality gate: the package's `disabled` count.
    pub(crate) fn left_out(&self) -> u32 {
        self.rows.iter().filter(|r| r.status != Status::Enabled).count() as u32 + self.low_quality
    }

    /// A package of `materials` with this source's manifest settings; `left_out`
    /// from [`Source::left_out`].
    pub(crate) fn assemble(
        &self,
        materials: Vec<crate::package::Material>,
        left_out: u32,
    ) -> Package {
        let manifest = &self.manifest;
        Package {
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            description: manifest.description.clone(),
            markets: manifest.markets.clone(),
            built_at: self.built_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            disabled: left_out,
            allow: manifest.allow.clone(),
            mixed_script_action: manifest.mixed_script_action,
            normalize: crate::normalize::NormalizeOptions {
                strip_diacritics: manifest.strip_diacritics,
            },
            image_dihedral: manifest.image_dihedral,
            materials,
        }
    }
}

/// 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> u64 {
    text.as_bytes()[..at.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// 1-based line of the record the csv reader places at `pos`. The reader counts a
/// record from the end of the one before, so its position points at the blank and
/// comment lines in between; they are skipped here (only those: counting from the
/// file's start for every record would be quadratic).
pub(crate) fn record_line(text: &str, pos: &csv::Position) -> u64 {
    let (mut at, mut line) = (pos.byte() as usize, pos.line());
    while let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        let len = rest.find('\n').map_or(rest.len(), |p| p + 1);
        let content = rest[..len].trim_end_matches(['\n', '\r']);
        if !(content.is_empty() || content.starts_with('#')) {
            break;
        }
        at += len;
        line += 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::Compiler;

    #[test]
    fn rows_after_blank_and_comment_lines_keep_their_own_line() {
        let table = "# leading comment\nid\tterm\tcategory\taction\ng1\tcasino\tgambling\tblock\n\n# a section\ng2\tpoker\tgambling\tnuke\n";
        let e = Compiler::new().compile_strs("name = \"d\"\nversion = \"1\"\n", table).unwrap_err();
        assert_eq!(e.diagnostics()[0].line, 6, "{e}");
        let ok = table.replace("nuke", "block");
        let p = Compiler::new().compile_strs("name = \"d\"\nversion = \"1\"\n", &ok).unwrap();
        let lines: Vec<u32> = p.materials.iter().map(|m| m.line).collect();
        assert_eq!(lines, [3, 6]);
    }
}
