//! `prescreen lint`: reads a package source the way the compiler does and reports what
//! is valid but probably wrong: duplicates and conflicts after normalization, materials
//! other materials shadow, materials that can never fire, terms that hit clean text
//! or dictionary words, stale rows, duplicate image and video hashes, and on request
//! what each term also catches. Each finding points at a row and says
//! how to fix it.
//!
//! Terms are judged as the matcher sees them: through the package's normalizer, and
//! by running the package's own automaton over each term, so "duplicate" and
//! "contains" mean what they mean at screening time.
//!
//! ```
//! use prescreen_core::lint::{FindingKind, Linter};
//! # let tmp = tempfile::tempdir().unwrap();
//! # let dir = tmp.path();
//! std::fs::write(dir.join("package.toml"), "name = \"demo\"\nversion = \"1\"\n").unwrap();
//! std::fs::write(dir.join("materials.tsv"), "id\tterm\tcategory\ng1\tcasino\tgambling\ng2\tCASINO\tgambling\n").unwrap();
//! let report = Linter::new().lint_dir(&dir).unwrap();
//! assert_eq!(report.findings[0].kind, FindingKind::Duplicate);
//! assert_eq!(report.findings[0].line, 3);
//! ```

mod clean;
mod findings;
mod media;
mod pairs;
mod render;
mod rows;
mod spellings;
mod text;
mod words;

pub use findings::{CleanEvidence, Finding, FindingKind, Related, Report, Severity};
pub use words::WordList;

use crate::corpus::Corpus;
use crate::error::Error;
use crate::package::Material;
use crate::source::{Compiler, Row, Source, Status};
use jiff::Timestamp;
use std::path::Path;

/// Lints package sources. A builder, like [`Compiler`].
#[derive(Clone, Debug)]
pub struct Linter {
    now: Timestamp,
    clean: Vec<Corpus>,
    words: Vec<WordList>,
    spellings: bool,
}

impl Default for Linter {
    fn default() -> Linter {
        Linter::new()
    }
}

impl Linter {
    /// A linter judging expiry by the current time, with no clean corpus.
    pub fn new() -> Linter {
        Linter { now: Timestamp::now(), clean: Vec::new(), words: Vec::new(), spellings: false }
    }

    /// Sets "now" (Unix seconds): what has expired and for how long. Fixing it makes
    /// reports reproducible.
    pub fn now(mut self, unix_seconds: i64) -> Result<Linter, Error> {
        self.now = Timestamp::from_second(unix_seconds)
            .map_err(|e| Error::build(format!("time {unix_seconds}: {e}")))?;
        Ok(self)
    }

    /// Adds a labeled corpus whose clean uploads every material is screened against;
    /// with one, the short-term heuristic gives way to this evidence.
    pub fn clean_corpus(mut self, corpus: Corpus) -> Linter {
        self.clean.push(corpus);
        self
    }

    /// Adds a list of clean words (a dictionary) every word of which is screened on
    /// its own: each material that fires on one besides its own term is reported
    /// with the words.
    pub fn clean_words(mut self, words: WordList) -> Linter {
        self.words.push(words);
        self
    }

    /// Reports, for each term, the other spellings it also catches: respaced,
    /// transliterated, inflected.
    pub fn spellings(mut self, on: bool) -> Linter {
        self.spellings = on;
        self
    }

    /// Lints the package in `dir`. `Err` only when a file cannot be read; every
    /// problem of the package itself is a finding.
    pub fn lint_dir(&self, dir: &Path) -> Result<Report, Error> {
        let compiler = Compiler::new().built_at(self.now.as_second())?;
        let source = match compiler.read_dir(dir) {
            Ok(source) => source,
            // A manifest that does not parse leaves nothing else to lint.
            Err(e) if !e.diagnostics().is_empty() => {
                let findings = e.diagnostics().iter().map(rows::invalid).collect();
                return Ok(Report {
                    package: None,
                    materials: 0,
                    clean_uploads: None,
                    skipped: Vec::new(),
                    findings,
                });
            }
            Err(e) => return Err(e),
        };
        let cx = Context::new(&source, self.now);
        let mut findings: Vec<Finding> = source.diagnostics.iter().map(rows::invalid).collect();
        findings.extend(rows::check(&cx, self.clean.is_empty()));
        findings.extend(media::check(&cx));
        let screener = crate::Screener::new(&cx.package)?;
        findings.extend(text::check(&cx, &screener));
        findings.extend(words::check(&cx, &screener, &self.words));
        if self.spellings {
            findings.extend(spellings::check(&cx));
        }
        let (clean_uploads, skipped) = if self.clean.is_empty() {
            (None, Vec::new())
        } else {
            let (found, skipped) = clean::check(&cx, &screener, &self.clean);
            findings.extend(found);
            (
                Some(self.clean.iter().map(|c| c.clean().count()).sum::<usize>() - skipped.len()),
                skipped,
            )
        };
        findings.sort_by(|a, b| (&a.file, a.line, a.kind).cmp(&(&b.file, b.line, b.kind)));
        Ok(Report {
            package: Some(source.manifest.name.clone()),
            materials: source.rows.len(),
            clean_uploads,
            skipped,
            findings,
        })
    }
}

/// What the checks share: the source, the package of its enabled rows (as the
/// screener is built from it), and the way from a package material back to its row.
pub(crate) struct Context<'s> {
    pub source: &'s Source,
    pub now: Timestamp,
    pub package: crate::package::Package,
    /// Row index of each material of `package`.
    pub rows: Vec<usize>,
    /// Each material's term as the normalizer leaves it (the checks compare these).
    pub terms: Vec<String>,
}

impl<'s> Context<'s> {
    fn new(source: &'s Source, now: Timestamp) -> Context<'s> {
        let rows: Vec<usize> =
            (0..source.rows.len()).filter(|&r| source.rows[r].status == Status::Enabled).collect();
        let package = source.assemble(
            rows.iter().map(|&r| source.rows[r].material.clone()).collect(),
            source.left_out(),
        );
        let options = package.normalize;
        let terms = package
            .materials
            .iter()
            .map(|m| crate::normalize::normalize_with(&m.term, options).as_str().to_string())
            .collect();
        Context { source, now, package, rows, terms }
    }

    /// The row of package material `i`.
    pub fn row_of(&self, i: usize) -> &'s Row {
        &self.source.rows[self.rows[i]]
    }

    pub fn file(&self, row: &Row) -> &'s str {
        &self.source.files[row.file]
    }

    pub fn related(&self, row: &Row) -> Related {
        Related {
            id: row.material.id.clone(),
            file: self.file(row).to_string(),
            line: row.material.line.into(),
        }
    }

    /// A finding about `row`, with no related rows or evidence yet.
    pub fn finding(
        &self,
        kind: FindingKind,
        severity: Severity,
        row: &Row,
        message: String,
        fix: String,
    ) -> Finding {
        Finding {
            kind,
            severity,
            file: self.file(row).to_string(),
            line: row.material.line.into(),
            material_id: Some(row.material.id.clone()),
            message,
            fix,
            related: Vec::new(),
            evidence: Vec::new(),
            spellings: Vec::new(),
        }
    }
}

/// Whether two market sets (empty: every market) share a market.
pub(crate) fn markets_overlap(a: &[String], b: &[String]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|m| b.contains(m))
}

/// Whether market set `a` holds every market of `b`.
pub(crate) fn markets_cover(a: &[String], b: &[String]) -> bool {
    a.is_empty() || (!b.is_empty() && b.iter().all(|m| a.contains(m)))
}

/// A material named for a message: `id ("term", line 12)`.
pub(crate) fn named(m: &Material) -> String {
    format!("{} ({:?}, line {})", m.id, m.term, m.line)
}
