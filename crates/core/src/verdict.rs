//! The filter's answer: a verdict naming every material that fired and where, or a
//! typed [`ScreenError`]. Mirrors the WIT `verdict` and `screen-error`.

use crate::model::Action;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The answer for one upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub upload_id: String,
    /// Strictest action among hits that are not detection-only; `pass` without hits.
    pub action: Action,
    pub hits: Vec<Hit>,
    /// More hits fired than [`crate::Limits::max_hits`] allows.
    #[serde(default)]
    pub truncated: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One material that fired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub material_id: String,
    pub revision: u32,
    pub category: String,
    pub action: Action,
    #[serde(default)]
    pub detection_only: bool,
    pub evidence: Evidence,
}

/// Where and how a material fired; the tag is the material's kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Text(TextEvidence),
    Image(ImageEvidence),
    Video(VideoEvidence),
}

/// A text hit: the field, the byte span in the original text and the text in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEvidence {
    pub field: String,
    /// Byte offset of the first matched byte in the field's original text.
    pub start: u32,
    /// Byte offset one past the last matched byte.
    pub end: u32,
    /// `text[start..end]` of the original.
    pub matched: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evasions: Vec<Evasion>,
}

/// An image hit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageEvidence {
    pub image: String,
    pub distance: u16,
    pub quality: u8,
    /// How the upload's image had to be turned to match (package option
    /// `image_dihedral`); `none` for a direct match.
    #[serde(default)]
    pub transform: Transform,
}

/// A rotation or flip of an image: the eight PDQ can derive from one transform.
/// Named for what was done to the material to give the upload's image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    #[default]
    None,
    /// Turned 90 degrees clockwise.
    Rotate90,
    Rotate180,
    /// Turned 90 degrees counter-clockwise.
    Rotate270,
    /// Mirrored left to right.
    FlipHorizontal,
    /// Mirrored top to bottom.
    FlipVertical,
    /// Mirrored about the main diagonal.
    Transpose,
    /// Mirrored about the anti-diagonal.
    Transverse,
}

/// A video hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VideoEvidence {
    pub video: String,
    /// vPDQ's compared match: percent of the material's distinct frames (on the
    /// common time grid) that some upload frame matches. Named as in the WIT record.
    pub material_match: f32,
    /// vPDQ's query match: percent of the upload's distinct frames (on the common
    /// time grid) that match some material frame.
    pub upload_match: f32,
    pub distance: u16,
    /// Frames of the upload that matched the material.
    pub matched_frames: u32,
    pub ranges: Vec<TimeRange>,
}

/// Seconds into a video.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: f64,
    pub end: f64,
}

/// A disguise a text hit saw through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evasion {
    Homoglyph,
    Leet,
    Separator,
    Repeat,
    Invisible,
    MixedScript,
    Diacritic,
    Compatibility,
    /// A look-alike by shape outside UTS #39 (`u` for `и`, `jl` for `л`).
    Shape,
    /// A phrase matched without its spaces, or a hyphenated term with a space.
    Spacing,
    /// A Russian term written in Latin letters (`kazino`), for materials that
    /// transliterate.
    Transliteration,
}

/// Why an upload could not be screened. Never a trap: the gateway gets one of these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ScreenError {
    /// Over a limit: which one, its value, and what the upload had.
    TooLarge {
        limit: String,
        max: u64,
        actual: u64,
    },
    InvalidInput {
        message: String,
    },
    Unsupported {
        message: String,
    },
    NotLoaded,
}

impl fmt::Display for ScreenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScreenError::TooLarge { limit, max, actual } => {
                write!(f, "upload too large: {limit} is {actual}, limit {max}")
            }
            ScreenError::InvalidInput { message } => write!(f, "invalid upload: {message}"),
            ScreenError::Unsupported { message } => write!(f, "unsupported upload: {message}"),
            ScreenError::NotLoaded => f.write_str("the component holds no package"),
        }
    }
}

impl std::error::Error for ScreenError {}

impl ScreenError {
    /// The `error` tag this error serializes with (`too_large`, `invalid_input`,
    /// `unsupported`, `not_loaded`): what HTTP answers and metrics label it by.
    pub fn kind(&self) -> &'static str {
        match self {
            ScreenError::TooLarge { .. } => "too_large",
            ScreenError::InvalidInput { .. } => "invalid_input",
            ScreenError::Unsupported { .. } => "unsupported",
            ScreenError::NotLoaded => "not_loaded",
        }
    }
}
