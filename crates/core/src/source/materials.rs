//! Materials tables: TSV with a header row naming the columns, one material per line.
//! `#` starts a comment line; cells are taken literally (no quoting), so a term may
//! hold any character but a tab; trailing empty cells may be left out.
//!
//! Text, image and video tables share the identity and lifecycle columns; each kind
//! adds its own (`term`... for text, `source`... for media, see `media.rs`).

use super::manifest::Manifest;
use super::record_line;
use crate::error::Diagnostic;
use crate::model::{MatchMode, MaterialKind};
use crate::normalize::normalize;
use crate::package::Material;
use jiff::Timestamp;
use jiff::civil::Date;
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
const TEXT_COLUMNS: &[&str] = &["term", "mode", "exceptions"];
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
/// Ids are referenced from feedback, reports and rules: keep them short and plain.
const MAX_ID_LEN: usize = 128;
/// A "term" longer than this is a paragraph, not a risk phrase.
const MAX_TERM_BYTES: usize = 512;

/// Whether `id` is a usable material id: at most [`MAX_ID_LEN`] of `A-Z a-z 0-9 . _ : -`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

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
    base: Option<&'m std::path::Path>,
    built_at: Timestamp,
    /// Every valid row in reading order; disabled and expired ones included.
    rows: Vec<Row>,
    /// Names of the files read, as `Row::file` indexes them.
    files: Vec<String>,
    /// Where each id was first defined, for duplicate reports.
    seen: BTreeMap<String, (String, u64)>,
}

impl<'m> Reader<'m> {
    pub(crate) fn new(
        manifest: &'m Manifest,
        base: Option<&'m std::path::Path>,
        built_at: Timestamp,
    ) -> Reader<'m> {
        Reader {
            manifest,
            base,
            built_at,
            rows: Vec::new(),
            files: Vec::new(),
            seen: BTreeMap::new(),
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
        if let Some((f, l)) = self.seen.get(&m.id) {
            let message = format!("duplicate id {:?} (first defined at {f}:{l})", m.id);
            diags.push(Diagnostic { file: file.to_string(), line: m.line.into(), message });
        } else {
            self.seen.insert(m.id.clone(), (file.to_string(), m.line.into()));
            let file = self.file_index(file);
            self.rows.push(Row { material: m, file, status: Status::Enabled });
        }
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
                        "unknown column {name:?} in a {} table (known: {})",
                        kind_name(kind),
                        all.join(", ")
                    ),
                );
            } else if col.insert(name.clone(), i).is_some() {
                push(header_line, format!("column {name:?} appears twice"));
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
            let cells = Cells { col: &col, record: &record };
            match self.material(&cells, kind, line) {
                Ok((m, status)) => {
                    if let Some((f, l)) = self.seen.get(&m.id) {
                        push(line, format!("duplicate id {:?} (first defined at {f}:{l})", m.id));
                    } else {
                        self.seen.insert(m.id.clone(), (file.to_string(), line));
                        let file = self.file_index(file);
                        self.rows.push(Row { material: m, file, status });
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
                "id {id:?}: ids starting with {:?} are reserved for signals",
                crate::screener::SIGNAL_PREFIX
            ));
        } else if !is_valid_id(id) {
            errs.push(format!("id {id:?} must be at most {MAX_ID_LEN} of A-Z a-z 0-9 . _ : -"));
        }
        let revision = match cell("revision") {
            "" => 1,
            r => r.parse::<u32>().ok().filter(|&r| r > 0).unwrap_or_else(|| {
                errs.push(format!("revision {r:?} is not a positive integer"));
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
            } else if normalize(term).as_str().trim().is_empty() {
                errs.push(format!("term {term:?} has nothing to match once normalized"));
            }
        }
        let mode = parse_or(cell("mode"), MatchMode::default(), &mut errs);
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
            errs.push(format!("category {category:?} must be non-empty lowercase a-z 0-9 _ -"));
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
        let expires_at = parse_time("expires_at", cell("expires_at"), &mut errs);
        let exceptions: Vec<String> = cell("exceptions")
            .split('|')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(String::from)
            .collect();
        for e in &exceptions {
            if normalize(e).as_str().is_empty() {
                errs.push(format!("exception {e:?} has nothing to match once normalized"));
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

/// One line's cells, looked up by column name; absent columns read as empty.
pub(crate) struct Cells<'a> {
    col: &'a BTreeMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl<'a> Cells<'a> {
    pub(crate) fn get(&self, name: &str) -> &'a str {
        self.col.get(name).and_then(|&i| self.record.get(i)).map_or("", str::trim)
    }
}

fn parse_or<T: std::str::FromStr<Err = String>>(s: &str, default: T, errs: &mut Vec<String>) -> T {
    if s.is_empty() {
        return default;
    }
    s.parse().unwrap_or_else(|e| {
        errs.push(e);
        default
    })
}

pub(crate) fn parse_bool(name: &str, s: &str, default: bool, errs: &mut Vec<String>) -> bool {
    match s {
        "" => default,
        "true" | "yes" | "1" => true,
        "false" | "no" | "0" => false,
        _ => {
            errs.push(format!("{name} {s:?} is not true/false/yes/no/1/0"));
            default
        }
    }
}

/// A date (`2026-11-23`, midnight UTC) or an RFC 3339 timestamp.
fn parse_time(name: &str, s: &str, errs: &mut Vec<String>) -> Option<Timestamp> {
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    match s.parse::<Date>().and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC)) {
        Ok(z) => Some(z.timestamp()),
        Err(_) => {
            errs.push(format!("{name} {s:?} is not a date (2026-11-23) or RFC 3339 time"));
            None
        }
    }
}

/// `*` (every market) or comma-separated ISO 3166-1 alpha-2 codes; returns the codes
/// uppercased, empty for every market.
pub(crate) fn parse_markets(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if code == "*" {
            return Ok(Vec::new());
        }
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("market {code:?} is not an ISO 3166-1 alpha-2 code (or *)"));
        }
        out.push(code.to_ascii_uppercase());
    }
    out.sort();
    out.dedup();
    Ok(out)
}
