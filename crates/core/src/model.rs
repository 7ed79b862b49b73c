//! Small enums shared by packages, uploads and verdicts.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What to do with an upload or what a material asks for. Ordered mildest first, so
/// the verdict's action is the `max` of its acting hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Pass,
    Review,
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pass => "pass",
            Action::Review => "review",
            Action::Block => "block",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Action, String> {
        match s {
            "pass" => Ok(Action::Pass),
            "review" => Ok(Action::Review),
            "block" => Ok(Action::Block),
            _ => Err(format!(
                "unknown action {} (expected pass, review or block)",
                crate::error::shown(s)
            )),
        }
    }
}

/// Kind of risk material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    Text,
    Image,
    Video,
}

/// How a text material's term must sit in the upload's text to fire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// The term is whole words: it neither starts nor ends inside a word. The default,
    /// because it keeps `ass` out of `assassin`.
    #[default]
    Word,
    /// The term starts a word and may run on: one stem covers a word's inflections
    /// (`казино` ... `казиношный`; `gambl` ... `gambling`).
    Prefix,
    /// Anywhere, even inside words: for scripts written without spaces.
    Substring,
    /// The term is a co-occurrence rule over other terms (`casino + bonus ~ 5`);
    /// see `rules.rs`.
    Rule,
    /// The term is whole words, in any inflected form: each word of the text is
    /// stemmed as the term's words are (Snowball: Russian for Cyrillic, English for
    /// Latin; `гарантированный доход` fires on `гарантированного дохода`).
    Stem,
}

impl MatchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMode::Word => "word",
            MatchMode::Prefix => "prefix",
            MatchMode::Substring => "substring",
            MatchMode::Rule => "rule",
            MatchMode::Stem => "stem",
        }
    }
}

impl FromStr for MatchMode {
    type Err = String;
    fn from_str(s: &str) -> Result<MatchMode, String> {
        match s {
            "word" => Ok(MatchMode::Word),
            "prefix" => Ok(MatchMode::Prefix),
            "substring" => Ok(MatchMode::Substring),
            "rule" => Ok(MatchMode::Rule),
            "stem" => Ok(MatchMode::Stem),
            _ => Err(format!(
                "unknown mode {} (expected word, prefix, substring, stem or rule)",
                crate::error::shown(s)
            )),
        }
    }
}

/// The reference's default query-match threshold: 80 % of the upload's distinct
/// frames must be found in the material (`VPDQ_QUERY_MATCH_THRESHOLD_PERCENT`).
pub(crate) const VPDQ_QUERY_MATCH: f32 = 80.0;
/// The reference's default compared-match threshold: any share of the material may
/// be missing from the upload (`VPDQ_INDEX_MATCH_THRESHOLD_PERCENT`).
pub(crate) const VPDQ_COMPARED_MATCH: f32 = 0.0;
