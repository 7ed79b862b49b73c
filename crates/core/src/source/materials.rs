//! Materials tables: TSV with a header row naming the columns, one material per line.
//! `#` starts a comment line; cells are taken literally (no quoting), so a term may
//! hold any character but a tab; trailing empty cells may be left out.
//!
//! Text, image and video tables share the identity and lifecycle columns; each kind
//! adds its own (`term`... for text, `source`... for media, see `media.rs`).

use super::cells::{
    Cells, MAX_ID_LEN, control_char, is_valid_id, parse_bool, parse_markets, parse_or, parse_time,
    shown,
};
use super::manifest::Manifest;
use super::record_line;
use crate::error::Diagnostic;
use crate::files::PackageDir;
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::is_empty_once_normalized;
use crate::package::Material;
use jiff::Timestamp;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Columns every table may have.
const COMMON_COLUMNS: &[&str] = &[
    "id",
    "revision",
    "category",
    "action",
    "markets",
    "enabled",
    "expires_at",
    "detection_only",
    "added_by",
    "added_at",
    "note",
];
const TEXT_COLUMNS: &[&str] = &["term", "mode", "exceptions", "transliterate"];
const IMAGE_COLUMNS: &[&str] = &["source", "max_distance", "min_quality"];
const VIDEO_COLUMNS: &[&str] = &[
    "source",
    "max_distance",
    "min_quality",
    "query_match",
    "compared_match",
    // Deprecated aliases of the two above.
    "upload_match",
    "material_match",
];

impl MaterialKind {
    fn columns(self) -> &'static [&'static str] {
        match self {
            MaterialKind::Text => TEXT_COLUMNS,
            MaterialKind::Image => IMAGE_COLUMNS,
            MaterialKind::Video => VIDEO_COLUMNS,
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            MaterialKind::Text => &["id", "term", "category"],
            MaterialKind::Image | MaterialKind::Video => &["id", "source", "category"],
        }
    }
}
/// A "term" longer than this is a paragraph, not a risk phrase.
const MAX_TERM_BYTES: usize = 512;

/// Whether a valid row is compiled in, and if not why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Enabled,
    /// `enabled` is false.
    Disabled,
    /// `expires_at` is at or before the build time.
    Expired(Timestamp),
}

/// A valid row of a table or hash list, compiled in or not (lint looks at both).
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub material: Material,
    /// Index into the reader's file names.
    pub file: usize,
    pub status: Status,
}

/// Accumulates materials over one or more tables, checking ids across all of them.
pub(crate) struct Reader<'m> {
    manifest: &'m Manifest,
    /// The package directory, where media `source` files are read from.
    base: Option<&'m PackageDir>,
    built_at: Timestamp,
    /// Every valid row in reading order; disabled and expired ones included.
    rows: Vec<Row>,
    /// Names of the files read, as `Row::file` indexes them.
    files: Vec<String>,
    /// Where each id was first defined (file index, line), for duplicate reports.
    /// Hashed, not ordered: only looked up, once per row (FxHash: the ids are the
    /// package's own; a B-tree's string compares were ~3% of a million-row build).
    seen: FxHashMap<String, (usize, u64)>,
}

impl<'m> Reader<'m> {
    pub(crate) fn new(
        manifest: &'m Manifest,
        base: Option<&'m PackageDir>,
        built_at: Timestamp,
    ) -> Reader<'m> {
        Reader {
            manifest,
            base,
            built_at,
            rows: Vec::new(),
            files: Vec::new(),
            seen: FxHashMap::default(),
        }
    }

    /// The index of `file` in `files`, adding it when new.
    fn file_index(&mut self, file: &str) -> usize {
        match self.files.iter().rposition(|f| f == file) {
            Some(i) => i,
            None => {
                self.files.push(file.to_string());
                self.files.len() - 1
            }
        }
    }

    /// Adds a material made outside a table (hash lists), checking its id.
    pub(crate) fn add(&mut self, m: Material, file: &str, diags: &mut Vec<Diagnostic>) {
        let line = m.line.into();
        if let Err(message) = self.keep(m, file, line, Status::Enabled) {
            diags.push(Diagnostic { file: file.to_string(), line, message });
        }
    }

    /// Keeps `m` read at `file:line`, or says where its id was first defined.
    fn keep(&mut self, m: Material, file: &str, line: u64, status: Status) -> Result<(), String> {
        if let Some(&(f, l)) = self.seen.get(&m.id) {
            return Err(format!(
                "duplicate id {:?} (first defined at {}:{l})",
                m.id, self.files[f]
            ));
        }
        let file = self.file_index(file);
        self.seen.insert(m.id.clone(), (file, line));
        self.rows.push(Row { material: m, file, status });
        Ok(())
    }

    /// Every valid row and the file names its `file` indexes.
    pub(crate) fn finish(self) -> (Vec<Row>, Vec<String>) {
        (self.rows, self.files)
    }

    /// Reads one table of `kind` materials, appending a diagnostic for every bad line.
    pub(crate) fn read(
        &mut self,
        file: &str,
        text: &str,
        kind: MaterialKind,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut push = |line: u64, message: String| {
            diags.push(Diagnostic { file: file.to_string(), line, message })
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(b'\t')
            .quoting(false)
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match rdr.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
            Err(e) => return push(1, format!("cannot read header: {e}")),
        };
        let header_line =
            rdr.headers().ok().and_then(|h| h.position()).map_or(1, |p| record_line(text, p));
        let mut col = BTreeMap::new();
        let known = |name: &str| COMMON_COLUMNS.contains(&name) || kind.columns().contains(&name);
        for (i, name) in header.iter().enumerate() {
            if !known(name) {
                let all: Vec<&str> = COMMON_COLUMNS.iter().chain(kind.columns()).copied().collect();
                push(
                    header_line,
                    format!(
                        "unknown column {} in a {} table (known: {})",
                        shown(name),
                        kind_name(kind),
                        all.join(", ")
                    ),
                );
            } else if col.insert(name.clone(), i).is_some() {
                push(header_line, format!("column {} appears twice", shown(name)));
            }
        }
        let missing: Vec<_> = kind.required().iter().filter(|c| !col.contains_key(**c)).collect();
        if !missing.is_empty() {
            return push(header_line, format!("header lacks required column(s) {missing:?}"));
        }
        for record in rdr.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| record_line(text, p));
                    push(line, format!("unreadable line: {e}"));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| record_line(text, p));
            // Fewer cells is fine: editors strip trailing tabs, and trailing cells
            // are optional. More cells means a stray tab inside a cell.
            if record.len() > header.len() {
                push(
                    line,
                    format!(
                        "has {} cells, the header has {} (a tab inside a cell?)",
                        record.len(),
                        header.len()
                    ),
                );
                continue;
            }
            // Checked on every cell, kept or not: a control character is never an
            // operator's intent, and a terminal acts on it when a report prints it.
            let bad: Vec<String> = record
                .iter()
                .zip(&header)
                .filter_map(|(cell, name)| {
                    control_char(cell).map(|c| {
                        format!("{} holds control character U+{:04X}", shown(name), c as u32)
                    })
                })
                .collect();
            if !bad.is_empty() {
                for message in bad {
                    push(line, message);
                }
                continue;
            }
            let cells = Cells { col: &col, record: &record };
            match self.material(&cells, kind, line) {
                Ok((m, status)) => {
                    if let Err(message) = self.keep(m, file, line, status) {
                        push(line, message);
                    }
                }
                Err(msgs) => {
                    for msg in msgs {
                        push(line, msg);
                    }
                }
            }
        }
    }

    /// Validates one line's cells: the material and whether it is compiled in, or
    /// every problem of the line.
    fn material(
        &mut self,
        cells: &Cells<'_>,
        kind: MaterialKind,
        line: u64,
    ) -> Result<(Material, Status), Vec<String>> {
        let cell = |name: &str| cells.get(name);
        let mut errs = Vec::new();
        let id = cell("id");
        if id.is_empty() {
            errs.push("id is empty".to_string());
        } else if id.starts_with(crate::screener::SIGNAL_PREFIX) {
            errs.push(format!(
                "id {}: ids starting with {:?} are reserved for signals",
                shown(id),
                crate::screener::SIGNAL_PREFIX
            ));
        } else if !is_valid_id(id) {
            errs.push(format!(
                "id {} must be at most {MAX_ID_LEN} of A-Z a-z 0-9 . _ : -",
                shown(id)
            ));
        }
        let revision = match cell("revision") {
            "" => 1,
            r => r.parse::<u32>().ok().filter(|&r| r > 0).unwrap_or_else(|| {
                errs.push(format!("revision {} is not a positive integer", shown(r)));
                1
            }),
        };
        let (term, media) = match kind {
            MaterialKind::Text => (cell("term"), None),
            _ => (cell("source"), super::media::media(kind, cells, self.base, &mut errs)),
        };
        if kind == MaterialKind::Text {
            if term.is_empty() {
                errs.push("term is empty".to_string());
            } else if term.len() > MAX_TERM_BYTES {
                errs.push(format!("term is {} bytes, the limit is {MAX_TERM_BYTES}", term.len()));
            } else if crate::symbols::is_symbol_term(term) {
                // Emoji and symbols, matched as written (`symbols.rs`).
                if crate::symbols::term_key(term).is_none() {
                    errs.push(format!(
                        "emoji term {} must be at most {} emoji or symbols in a row, spaces \
                         allowed between them",
                        shown(term),
                        crate::symbols::MAX_TERM_UNITS
                    ));
                }
            } else if is_empty_once_normalized(term) {
                errs.push(format!("term {} has nothing to match once normalized", shown(term)));
            }
        }
        let mode = parse_or(cell("mode"), self.manifest.default_mode, &mut errs);
        let rule = if mode == MatchMode::Rule {
            crate::rules::Rule::parse(term).map_err(|e| errs.push(e)).ok()
        } else {
            None
        };
        let category = cell("category");
        if category.is_empty()
            || !category
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b))
        {
            errs.push(format!(
                "category {} must be non-empty lowercase a-z 0-9 _ -",
                shown(category)
            ));
        }
        let action = parse_or(cell("action"), self.manifest.default_action, &mut errs);
        let markets = match cell("markets") {
            "" => self.manifest.markets.clone(),
            m => parse_markets(m).unwrap_or_else(|e| {
                errs.push(e);
                Vec::new()
            }),
        };
        let enabled = parse_bool("enabled", cell("enabled"), true, &mut errs);
        let detection_only = parse_bool("detection_only", cell("detection_only"), false, &mut errs);
        let transliterate = parse_bool(
            "transliterate",
            cell("transliterate"),
            self.manifest.transliterate,
            &mut errs,
        );
        let expires_at = parse_time("expires_at", cell("expires_at"), &mut errs);
        let exceptions: Vec<String> = cell("exceptions")
            .split('|')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(String::from)
            .collect();
        for e in &exceptions {
            if is_empty_once_normalized(e) {
                errs.push(format!("exception {} has nothing to match once normalized", shown(e)));
            }
        }
        let added_at = cell("added_at");
        parse_time("added_at", added_at, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        // A disabled line is still checked above: it must be valid to be re-enabled.
        let status = match expires_at {
            _ if !enabled => Status::Disabled,
            Some(t) if t <= self.built_at => Status::Expired(t),
            _ => Status::Enabled,
        };
        let material = Material {
            id: id.to_string(),
            revision,
            kind,
            term: term.to_string(),
            mode,
            category: category.to_string(),
            action,
            markets,
            detection_only,
            added_by: cell("added_by").to_string(),
            added_at: added_at.to_string(),
            note: cell("note").to_string(),
            exceptions,
            transliterate: transliterate && kind == MaterialKind::Text,
            rule,
            line: line as u32,
            media,
            tags: Vec::new(),
        };
        Ok((material, status))
    }
}

fn kind_name(kind: MaterialKind) -> &'static str {
    match kind {
        MaterialKind::Text => "text",
        MaterialKind::Image => "image",
        MaterialKind::Video => "video",
    }
}
