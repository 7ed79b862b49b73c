//! The terminal form of a lint report: a summary line, then the findings grouped by
//! kind, one `file:line: severity: message (fix: ...)` line each, with the other rows
//! they name and their clean-corpus evidence indented below.

use super::{Finding, FindingKind, Report, Severity};
use std::fmt::Write as _;

/// Evidence lines shown per finding in the terminal; `--format json` has them all.
pub const SHOWN_EVIDENCE: usize = 3;

impl Report {
    /// The report as the terminal shows it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let name = self.package.as_deref().unwrap_or("package");
        let _ = write!(
            out,
            "{name}: {} materials, {} error(s), {} warning(s), {} info",
            self.materials,
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info)
        );
        if let Some(n) = self.clean_uploads {
            let _ = write!(out, "; {n} clean uploads screened");
        }
        out.push('\n');
        for s in &self.skipped {
            let _ = writeln!(out, "skipped {s}");
        }
        let mut kinds: Vec<FindingKind> = self.findings.iter().map(|f| f.kind).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let group: Vec<&Finding> = self.findings.iter().filter(|f| f.kind == kind).collect();
            let _ = writeln!(out, "\n{} ({})", kind.title(), group.len());
            for f in group {
                line(&mut out, f);
            }
        }
        out
    }
}

fn line(out: &mut String, f: &Finding) {
    let at =
        |file: &str, line: u64| if line == 0 { file.to_string() } else { format!("{file}:{line}") };
    let _ = writeln!(
        out,
        "{}: {}: {} (fix: {})",
        at(&f.file, f.line),
        f.severity.as_str(),
        f.message,
        f.fix
    );
    // The message names the first related row; the rest are listed.
    for r in f.related.iter().skip(1) {
        let _ = writeln!(out, "    also {} at {}", r.id, at(&r.file, r.line));
    }
    if f.kind == FindingKind::DictionaryHits {
        // The message names the words; where they are is enough here.
        if let Some(first) = f.evidence.first() {
            let _ = writeln!(out, "    first word at {}", at(&first.corpus, first.line));
        }
        return;
    }
    for e in f.evidence.iter().take(SHOWN_EVIDENCE) {
        let _ = writeln!(
            out,
            "    clean {} {} {}: {:?}",
            at(&e.corpus, e.line),
            e.upload_id,
            e.field,
            e.matched
        );
    }
    if f.evidence.len() > SHOWN_EVIDENCE {
        let _ =
            writeln!(out, "    ... and {} more clean hit(s)", f.evidence.len() - SHOWN_EVIDENCE);
    }
}
