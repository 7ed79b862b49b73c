//! `package.toml`: the package's identity and defaults.

use super::line_of;
use crate::error::{Diagnostic, Error};
use crate::model::Action;
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
    let diag = |line, message: String| Error::source(vec![Diagnostic { file: file.to_string(), line, message }]);
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
    if manifest.materials.is_empty() {
        return Err(diag(find_line("materials"), "materials lists no table".into()));
    }
    if let Some(bad) = manifest.allow.iter().find(|a| crate::normalize::normalize(a).as_str().is_empty()) {
        return Err(diag(find_line("allow"), format!("allow-term {bad:?} has nothing to match once normalized")));
    }
    manifest.markets = match super::materials::parse_markets(&manifest.markets.join(",")) {
        Ok(m) => m,
        Err(msg) => return Err(diag(find_line("markets"), msg)),
    };
    Ok(manifest)
}
