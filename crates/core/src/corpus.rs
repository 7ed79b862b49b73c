//! Labeled corpora: uploads with the outcome a reviewer expects, one JSON object per
//! line (JSON Lines). `prescreen eval` measures a package against one, `diff` replays
//! one through two versions, and `lint --clean-corpus` looks for terms that hit
//! clean text.
//!
//! A line:
//!
//! ```json
//! {"upload": {"id": "c-001", "market": "US", "fields": [{"name": "body", "text": "..."}]},
//!  "label": "risky", "category": "gambling", "materials": ["gmb-casino"], "note": "..."}
//! ```
//!
//! `upload` is the JSON `prescreen screen --upload` reads; `label` is `risky` or
//! `clean`; `category` (the policy category a reviewer assigned) and `materials` (the
//! material ids the reviewer confirmed) are optional. Blank lines are skipped. Every
//! problem is reported with its line, all at once, like package sources.

use crate::error::{Diagnostic, Error};
use crate::upload::Upload;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The reviewer's outcome for an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// The ad breaks policy: it should be stopped (blocked or sent to review).
    Risky,
    /// The ad is fine: stopping it is overkill.
    Clean,
}

/// One labeled upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabeledUpload {
    pub upload: Upload,
    pub label: Label,
    /// Policy category the reviewer assigned (risky uploads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Material ids the reviewer confirmed as correct hits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// 1-based line in the corpus file (not part of the JSON).
    #[serde(skip)]
    pub line: u64,
}

pub use crate::error::shown;

/// Reads a corpus or feedback file as text: a regular file (not a FIFO or a device)
/// of at most 1 GiB, counted while reading; invalid UTF-8 is reported with its line.
pub fn read_file(path: &Path) -> Result<String, Error> {
    let file = path.display().to_string();
    crate::files::read_text(path, &file, crate::files::MAX_CORPUS_BYTES)
}

/// A labeled corpus, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Corpus {
    /// The file it was read from, as the caller named it.
    pub file: String,
    pub entries: Vec<LabeledUpload>,
}

impl Corpus {
    /// Reads and validates the corpus at `path`.
    pub fn read(path: &Path) -> Result<Corpus, Error> {
        let file = path.display().to_string();
        let text = read_file(path)?;
        Corpus::parse(&file, &text)
    }

    /// Parses corpus text; `file` names it in diagnostics. Upload ids must be unique,
    /// since results and feedback are joined on them.
    pub fn parse(file: &str, text: &str) -> Result<Corpus, Error> {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i as u64 + 1;
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let problem = |message: String| Diagnostic { file: file.to_string(), line, message };
            match serde_json::from_str::<LabeledUpload>(raw) {
                Ok(mut entry) => {
                    entry.line = line;
                    if entry.upload.id.is_empty() {
                        problems.push(problem("upload id is empty".into()));
                    } else if let Some(first) = seen.insert(entry.upload.id.clone(), line) {
                        problems.push(problem(format!(
                            "duplicate upload id {:?} (first on line {first})",
                            entry.upload.id
                        )));
                    }
                    entries.push(entry);
                }
                // serde_json's message names the column; the line is ours.
                Err(e) => problems.push(problem(format!("invalid labeled upload: {e}"))),
            }
        }
        if problems.is_empty() {
            Ok(Corpus { file: file.to_string(), entries })
        } else {
            Err(Error::corpus(problems))
        }
    }

    /// The uploads labeled clean.
    pub fn clean(&self) -> impl Iterator<Item = &LabeledUpload> {
        self.entries.iter().filter(|e| e.label == Label::Clean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_categories_and_confirmed_materials() {
        let text = r#"
{"upload": {"id": "a", "market": "US", "fields": [{"name": "body", "text": "online casino"}]}, "label": "risky", "category": "gambling", "materials": ["g1"]}

{"upload": {"id": "b", "market": "RU", "fields": []}, "label": "clean"}
"#;
        let corpus = Corpus::parse("c.jsonl", text).unwrap();
        assert_eq!(corpus.entries.len(), 2);
        assert_eq!(corpus.entries[0].line, 2);
        assert_eq!(corpus.entries[0].label, Label::Risky);
        assert_eq!(corpus.entries[0].category.as_deref(), Some("gambling"));
        assert_eq!(corpus.entries[0].materials, ["g1"]);
        assert_eq!(corpus.entries[1].line, 4);
        assert_eq!(corpus.clean().map(|e| e.upload.id.as_str()).collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn every_bad_line_is_named() {
        let text = concat!(
            r#"{"upload": {"id": "a", "market": "US"}, "label": "risky"}"#,
            "\n",
            r#"{"upload": {"id": "a", "market": "US"}, "label": "clean"}"#,
            "\n",
            r#"{"upload": {"id": "b", "market": "US"}, "label": "maybe"}"#,
            "\n",
            "not json\n",
            r#"{"upload": {"id": "", "market": "US"}, "label": "clean"}"#,
            "\n",
        );
        let err = Corpus::parse("c.jsonl", text).unwrap_err();
        let lines: Vec<u64> = err.diagnostics().iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(
            err.diagnostics()[0].message.contains("duplicate upload id \"a\" (first on line 1)")
        );
        assert!(err.to_string().starts_with("corpus has 4 problem(s)\n  c.jsonl:2: "));
    }
}
