//! `package.toml`: the package's identity and defaults.

use super::cells::parse_markets;
use super::line_of;
use crate::error::{Diagnostic, Error};
use crate::model::{Action, MatchMode};
use serde::Deserialize;

/// The manifest as written, with defaults filled in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// Action of materials whose `action` cell is empty.
    #[serde(default = "default_action")]
    pub default_action: Action,
    /// Mode of text materials whose `mode` cell is empty (default `word`): a package
    /// of inflected languages may set `stem` once (issue #16).
    #[serde(default)]
    pub default_mode: MatchMode,
    /// Markets of materials whose `markets` cell is empty; `["*"]` or empty: all.
    #[serde(default)]
    pub markets: Vec<String>,
    /// Materials tables, relative to the package directory.
    #[serde(default = "default_tables")]
    pub materials: Vec<String>,
    /// Allow-terms: a hit of any material inside one of these is suppressed
    /// (`scunthorpe`, `middlesex`).
    #[serde(default)]
    pub allow: Vec<String>,
    /// Action for a word that mixes Latin, Cyrillic or Greek letters and no
    /// material explains: a disguise on its own is worth a look. None: not reported.
    #[serde(default)]
    pub mixed_script_action: Option<Action>,
    /// Drop accents before matching (default true); see `NormalizeOptions`.
    #[serde(default = "yes")]
    pub strip_diacritics: bool,
    /// Russian terms also match their Latin transliterations (`kazino`), unless a
    /// material's `transliterate` cell says otherwise (default false).
    #[serde(default)]
    pub transliterate: bool,
    /// Image materials tables (`source` is a PDQ hash or an image file).
    #[serde(default)]
    pub images: Vec<String>,
    /// Video materials tables (`source` is a vPDQ frame-hash file).
    #[serde(default)]
    pub videos: Vec<String>,
    /// Hash lists (plain PDQ, ThreatExchange, HMA) imported as image and video materials.
    #[serde(default)]
    pub hash_lists: Vec<HashList>,
    /// Also match upload images rotated by 90/180/270 degrees or mirrored.
    #[serde(default)]
    pub image_dihedral: bool,
}

/// A `[[hash_lists]]` entry: every signal of `file` becomes an image or video
/// material with these settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HashList {
    pub file: String,
    /// How `file` is written (see `exchange.rs`); default `plain`.
    #[serde(default)]
    pub format: HashFormat,
    /// Ids are `{id_prefix}:{first 16 hex digits of the hash}`.
    pub id_prefix: String,
    pub category: String,
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default)]
    pub markets: Vec<String>,
    #[serde(default)]
    pub max_distance: Option<u16>,
    #[serde(default)]
    pub min_quality: Option<u8>,
    /// vPDQ thresholds of the list's videos, percent.
    #[serde(default)]
    pub query_match: Option<f32>,
    #[serde(default)]
    pub compared_match: Option<f32>,
    #[serde(default)]
    pub detection_only: bool,
}

fn yes() -> bool {
    true
}

fn default_action() -> Action {
    Action::Review
}

fn default_tables() -> Vec<String> {
    vec!["materials.tsv".to_string()]
}

pub(crate) fn parse(file: &str, text: &str) -> Result<Manifest, Error> {
    let diag = |line, message: String| {
        Error::source(vec![Diagnostic { file: file.to_string(), line, message }])
    };
    let mut manifest: Manifest = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        diag(line, e.message().trim().to_lowercase())
    })?;
    let find_line = |key: &str| {
        text.lines().position(|l| l.trim_start().starts_with(key)).map_or(0, |i| i as u64 + 1)
    };
    if manifest.name.trim().is_empty() {
        return Err(diag(find_line("name"), "name is empty".into()));
    }
    if manifest.version.trim().is_empty() {
        return Err(diag(find_line("version"), "version is empty".into()));
    }
    if manifest.default_mode == MatchMode::Rule {
        return Err(diag(
            find_line("default_mode"),
            "default_mode cannot be rule: a rule is written in its own row".into(),
        ));
    }
    if manifest.materials.is_empty()
        && manifest.images.is_empty()
        && manifest.videos.is_empty()
        && manifest.hash_lists.is_empty()
    {
        return Err(diag(
            find_line("materials"),
            "the package names no materials table or hash list".into(),
        ));
    }
    for list in &mut manifest.hash_lists {
        let line = find_line("[[hash_lists]]");
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b))
        };
        if !plain(&list.id_prefix) || !plain(&list.category) {
            return Err(diag(
                line,
                format!(
                    "hash list {:?}: id_prefix and category must be lowercase a-z 0-9 _ -",
                    list.file
                ),
            ));
        }
        let percent = |p: Option<f32>| p.is_some_and(|p| !(0.0..=100.0).contains(&p));
        if list.max_distance.is_some_and(|d| d > crate::bank::MAX_DISTANCE)
            || list.min_quality.is_some_and(|q| q > 100)
            || percent(list.query_match)
            || percent(list.compared_match)
        {
            return Err(diag(
                line,
                format!(
                    "hash list {:?}: max_distance is at most {}, min_quality, query_match and compared_match 0-100",
                    list.file,
                    crate::bank::MAX_DISTANCE
                ),
            ));
        }
        list.markets = parse_markets(&list.markets.join(",")).map_err(|m| diag(line, m))?;
    }
    if let Some(bad) = manifest.allow.iter().find(|a| crate::normalize::is_empty_once_normalized(a))
    {
        return Err(diag(
            find_line("allow"),
            format!("allow-term {bad:?} has nothing to match once normalized"),
        ));
    }
    manifest.markets = match parse_markets(&manifest.markets.join(",")) {
        Ok(m) => m,
        Err(msg) => return Err(diag(find_line("markets"), msg)),
    };
    Ok(manifest)
}

/// A hash file format (`format = "…"` in `[[hash_lists]]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum HashFormat {
    /// A PDQ hash per line.
    #[default]
    #[serde(rename = "plain")]
    Plain,
    /// python-threatexchange's `signal_type signal` lines.
    #[serde(rename = "threatexchange")]
    ThreatExchange,
    /// `threatexchange dataset -P --csv`.
    #[serde(rename = "threatexchange-csv")]
    ThreatExchangeCsv,
    /// HMA bank content, JSON Lines.
    #[serde(rename = "hma")]
    Hma,
}

impl std::str::FromStr for HashFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<HashFormat, String> {
        Ok(match s {
            "plain" => HashFormat::Plain,
            "threatexchange" => HashFormat::ThreatExchange,
            "threatexchange-csv" => HashFormat::ThreatExchangeCsv,
            "hma" => HashFormat::Hma,
            _ => {
                return Err(format!(
                    "hash format {s:?} is not one of plain, threatexchange, threatexchange-csv, hma"
                ));
            }
        })
    }
}
