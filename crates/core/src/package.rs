//! A compiled package: the manifest's identity and the enabled materials, in the form
//! the matcher is built from. Produced by the compiler (`source` feature), stored in
//! the binary format of `format.rs`, and described to callers by [`PackageInfo`].

use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Action, MatchMode, MaterialKind};
use crate::normalize::is_empty_once_normalized;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Version of the compiled package format; bumped on any change to [`Package`]'s
/// serialized shape (`format.rs` writes it), since postcard is not self-describing.
pub const FORMAT_VERSION: u32 = 8;

/// A package ready to be matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub description: String,
    /// Default markets (ISO codes, uppercase); empty means every market.
    pub markets: Vec<String>,
    /// When it was compiled, RFC 3339 UTC.
    pub built_at: String,
    /// Materials in the source that were left out (disabled or expired).
    pub disabled: u32,
    /// Package-level allow-terms: a hit inside one of them is suppressed.
    pub allow: Vec<String>,
    /// Action of the mixed-script signal (a word mixing scripts that no material
    /// explains); `None`: the signal is off.
    pub mixed_script_action: Option<Action>,
    /// How text and terms are normalized.
    pub normalize: crate::normalize::NormalizeOptions,
    /// Match upload images rotated or mirrored (the eight dihedral PDQ variants).
    pub image_dihedral: bool,
    /// The enabled materials, in source order.
    pub materials: Vec<Material>,
}

/// One enabled risk material.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Material {
    pub id: String,
    pub revision: u32,
    pub kind: MaterialKind,
    /// The term as the operator wrote it.
    pub term: String,
    pub mode: MatchMode,
    pub category: String,
    pub action: Action,
    /// Markets it applies to (uppercase ISO codes); empty means every market.
    pub markets: Vec<String>,
    /// Reported as a hit, but does not change the verdict's action (shadow mode).
    pub detection_only: bool,
    pub added_by: String,
    pub added_at: String,
    pub note: String,
    /// Allow-terms of this material: its hits inside one of them are suppressed.
    pub exceptions: Vec<String>,
    /// A Russian term also matches its Latin transliterations (`kazino`).
    #[serde(default)]
    pub transliterate: bool,
    /// For `mode` `rule`: the parsed rule (the term holds it as written).
    pub rule: Option<crate::rules::Rule>,
    /// Line of the material in its source file, for tools that point back at it.
    pub line: u32,
    /// For image and video materials: the hashes and thresholds they match with.
    #[serde(default)]
    pub media: Option<Media>,
    /// Labels a hash exchange gave the material (ThreatExchange tags, HMA notes), kept
    /// so an export hands them on; not used for matching.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What an image or video material matches: its PDQ hashes and thresholds (the vPDQ
/// algorithm's parameters for videos).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// An image's hash, or a video's distinct frame hashes (those under `min_quality`
    /// are dropped at build, as vPDQ does).
    pub hashes: Vec<crate::upload::Pdq>,
    /// Video: every kept frame in time order, so videos hashed at different frame
    /// rates can be compared on one time grid; empty for images.
    pub frames: Vec<FrameRef>,
    /// Largest Hamming distance that still matches (PDQ's recommendation: 31).
    pub max_distance: u16,
    /// Upload hashes under this quality do not match (PDQ's recommendation: 50).
    pub min_quality: u8,
    /// Video: share of the upload's distinct frames that must match this material, in
    /// percent (vPDQ's query match; the reference's default 80).
    pub query_match: f32,
    /// Video: share of this material's distinct frames the upload must match, in
    /// percent (vPDQ's compared match; the reference's default 0).
    pub compared_match: f32,
}

/// One frame of a video material: when it is and which of `Media::hashes` it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRef {
    /// Milliseconds from the start (vPDQ files give seconds to the millisecond).
    pub ms: u32,
    /// Index into `Media::hashes`.
    pub hash: u32,
}

impl Media {
    /// The media of an image material: one hash, no frames.
    pub fn image(hash: crate::upload::Pdq, max_distance: u16, min_quality: u8) -> Media {
        Media {
            hashes: vec![hash],
            frames: Vec::new(),
            max_distance,
            min_quality,
            query_match: crate::model::VPDQ_QUERY_MATCH,
            compared_match: crate::model::VPDQ_COMPARED_MATCH,
        }
    }

    /// Checks what a decoded package cannot be trusted to hold: one hash for an
    /// image; for a video, frames in time order that refer to existing hashes and
    /// name each at least once; percentages 0-100.
    pub(crate) fn is_valid(&self, kind: MaterialKind) -> bool {
        let percent = |p: f32| (0.0..=100.0).contains(&p);
        if self.max_distance > crate::bank::MAX_DISTANCE
            || !percent(self.query_match)
            || !percent(self.compared_match)
        {
            return false;
        }
        match kind {
            MaterialKind::Image => self.hashes.len() == 1 && self.frames.is_empty(),
            _ => {
                let mut named = vec![false; self.hashes.len()];
                let ordered = self.frames.windows(2).all(|w| w[0].ms <= w[1].ms);
                for f in &self.frames {
                    match named.get_mut(f.hash as usize) {
                        Some(n) => *n = true,
                        None => return false,
                    }
                }
                !self.hashes.is_empty() && ordered && named.iter().all(|&n| n)
            }
        }
    }
}

/// One material as a built package describes it (`Screener::materials`, the WIT
/// `materials` function): what tells two package versions apart material by material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialInfo {
    pub id: String,
    /// Bumped by operators on each edit: a changed material keeps its id and gets a
    /// new revision.
    pub revision: u32,
    pub kind: MaterialKind,
    pub category: String,
    pub action: Action,
    /// For text materials: how the term must sit in the text; `None` for images and videos.
    pub mode: Option<MatchMode>,
    /// Markets it applies to (uppercase ISO codes); empty means every market.
    pub markets: Vec<String>,
    pub detection_only: bool,
}

/// What `info` reports about a loaded package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    /// SHA-256 of the compiled package bytes, lowercase hex.
    pub digest: String,
    pub format_version: u32,
    pub built_at: String,
    pub markets: Vec<String>,
    pub text_materials: u32,
    pub image_materials: u32,
    pub video_materials: u32,
    pub disabled_materials: u32,
    pub limits: Limits,
}

impl Package {
    /// Checks the invariants the compiler guarantees, so bytes from anywhere can be
    /// trusted once decoded: unique non-empty ids, terms that normalize to something,
    /// revisions from 1.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.name.is_empty() {
            return Err(Error::format("package name is empty"));
        }
        let mut ids = HashSet::with_capacity(self.materials.len());
        for m in &self.materials {
            if m.id.is_empty() {
                return Err(Error::format("a material has an empty id"));
            }
            if !ids.insert(m.id.as_str()) {
                return Err(Error::format(format!("duplicate material id {:?}", m.id)));
            }
            if m.revision == 0 {
                return Err(Error::format(format!("material {:?} has revision 0", m.id)));
            }
            let symbols = m.kind == MaterialKind::Text && crate::symbols::is_symbol_term(&m.term);
            if symbols && crate::symbols::term_key(&m.term).is_none() {
                return Err(Error::format(format!(
                    "material {:?} has too long an emoji term",
                    m.id
                )));
            }
            if m.kind == MaterialKind::Text && !symbols && is_empty_once_normalized(&m.term) {
                return Err(Error::format(format!("material {:?} has an empty term", m.id)));
            }
            match (&m.media, m.kind) {
                (None, MaterialKind::Text) => {}
                (Some(media), MaterialKind::Image | MaterialKind::Video) => {
                    if !media.is_valid(m.kind) {
                        return Err(Error::format(format!(
                            "material {:?} has invalid media",
                            m.id
                        )));
                    }
                }
                _ => {
                    return Err(Error::format(format!(
                        "material {:?}: media does not fit its kind",
                        m.id
                    )));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn info(&self, digest: String) -> PackageInfo {
        let count = |k| self.materials.iter().filter(|m| m.kind == k).count() as u32;
        PackageInfo {
            name: self.name.clone(),
            version: self.version.clone(),
            description: self.description.clone(),
            digest,
            format_version: FORMAT_VERSION,
            built_at: self.built_at.clone(),
            markets: self.markets.clone(),
            text_materials: count(MaterialKind::Text),
            image_materials: count(MaterialKind::Image),
            video_materials: count(MaterialKind::Video),
            disabled_materials: self.disabled,
            limits: Limits::default(),
        }
    }
}
