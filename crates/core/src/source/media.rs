//! Image and video materials: their `source` cells (a PDQ hash, an image file hashed
//! at build time, or a vPDQ frame-hash file) and thresholds, and the manifest's hash
//! lists (plain lists of PDQ hashes as the reference tools print them).

use super::manifest::HashList;
use super::materials::Cells;
use crate::bank::MAX_DISTANCE;
use crate::error::Diagnostic;
use crate::model::{Action, MatchMode, MaterialKind};
use crate::package::{Material, Media};
use crate::pdq::{PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY};
use crate::upload::Pdq;
use std::path::{Component, Path};

/// vPDQ's default compared-video threshold: the upload must hold 80 % of the
/// material's distinct frames for the material to fire.
const VPDQ_MATERIAL_MATCH: f32 = 80.0;
/// vPDQ's default query-video threshold: any share of the upload may be other footage.
const VPDQ_UPLOAD_MATCH: f32 = 0.0;
/// Material hashes given as hex carry no quality; they are taken as trustworthy.
const HEX_QUALITY: u8 = 100;

/// The media part of an image or video line, or `None` after pushing to `errs`.
pub(crate) fn media(
    kind: MaterialKind,
    cells: &Cells<'_>,
    base: Option<&Path>,
    errs: &mut Vec<String>,
) -> Option<Media> {
    let before = errs.len();
    let max_distance = number(
        cells.get("max_distance"),
        "max_distance",
        PDQ_MATCH_DISTANCE,
        0,
        MAX_DISTANCE,
        errs,
    );
    let min_quality =
        number(cells.get("min_quality"), "min_quality", PDQ_MIN_QUALITY, 0, 100, errs);
    let percent = |name: &str, default: f32, errs: &mut Vec<String>| match cells.get(name) {
        "" => default,
        s => s
            .trim_end_matches('%')
            .parse::<f32>()
            .ok()
            .filter(|p| (0.0..=100.0).contains(p))
            .unwrap_or_else(|| {
                errs.push(format!("{name} {s:?} is not a percentage 0-100"));
                default
            }),
    };
    let material_match = percent("material_match", VPDQ_MATERIAL_MATCH, errs);
    let upload_match = percent("upload_match", VPDQ_UPLOAD_MATCH, errs);
    let source = cells.get("source");
    let hashes = match kind {
        MaterialKind::Image => image_hash(source, base, min_quality).map(|p| vec![p]),
        _ => video_hashes(source, base, min_quality),
    }
    .map_err(|e| errs.push(e))
    .ok()?;
    (errs.len() == before).then_some(Media {
        hashes,
        max_distance,
        min_quality,
        material_match,
        upload_match,
    })
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
    s: &str,
    name: &str,
    default: T,
    min: T,
    max: T,
    errs: &mut Vec<String>,
) -> T {
    if s.is_empty() {
        return default;
    }
    match s.parse::<T>() {
        Ok(v) if v >= min && v <= max => v,
        _ => {
            errs.push(format!("{name} {s:?} is not a number from {min} to {max}"));
            default
        }
    }
}

/// A 64-digit hex hash, or an image file relative to the package directory.
fn image_hash(source: &str, base: Option<&Path>, min_quality: u8) -> Result<Pdq, String> {
    if let Some(hash) = Pdq::parse_hex(source) {
        return Ok(Pdq { hash, quality: HEX_QUALITY });
    }
    let bytes = read_source(source, base)?;
    let pdq =
        crate::decode::pdq_from_encoded(&bytes).map_err(|e| format!("source {source:?}: {e}"))?;
    if pdq.quality < min_quality {
        return Err(format!(
            "source {source:?} hashes at PDQ quality {}, under min_quality {min_quality}: it would match unrelated images",
            pdq.quality
        ));
    }
    Ok(pdq)
}

/// A vPDQ file's distinct frame hashes of quality `min_quality` or more.
fn video_hashes(source: &str, base: Option<&Path>, min_quality: u8) -> Result<Vec<Pdq>, String> {
    let bytes = read_source(source, base)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        format!("source {source:?} is not a vPDQ text file (hash a video with `prescreen hash {source} > clip.vpdq`)")
    })?;
    let frames = crate::vpdq::parse_vpdq(source, text).map_err(|e| e.to_string())?;
    let mut hashes: Vec<Pdq> =
        frames.iter().map(|f| f.hash).filter(|p| p.quality >= min_quality).collect();
    hashes.sort_by_key(|p| p.hash);
    hashes.dedup_by_key(|p| p.hash);
    if hashes.is_empty() {
        return Err(format!("source {source:?} has no frame of quality {min_quality} or more"));
    }
    Ok(hashes)
}

/// Reads a source file, which must lie inside the package directory so a package
/// stays self-contained and builds the same anywhere.
fn read_source(source: &str, base: Option<&Path>) -> Result<Vec<u8>, String> {
    if source.is_empty() {
        return Err("source is empty (a 64-digit PDQ hex hash or a file in the package)".into());
    }
    let Some(base) = base else {
        return Err(format!(
            "source {source:?} is not a PDQ hash, and files need a package directory"
        ));
    };
    let rel = Path::new(source);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!(
            "source {source:?} must be a relative path inside the package (no `..`)"
        ));
    }
    std::fs::read(base.join(rel)).map_err(|e| format!("source {source:?}: {e}"))
}

/// The image materials of one hash list: one per distinct hash, id
/// `{id_prefix}:{first 16 hex digits}`. Lines are `hash`, `hash,quality,...` or
/// `hash quality path` (the reference tools' forms); `#` starts a comment. Hashes
/// under `min_quality` are left out and counted as disabled.
pub(crate) fn hash_list(
    list: &HashList,
    file: &str,
    text: &str,
    default_action: Action,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Material>, u32) {
    let mut out: Vec<Material> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut low = 0;
    let min_quality = list.min_quality.unwrap_or(PDQ_MIN_QUALITY);
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cells = line.split([',', '\t', ' ']).filter(|c| !c.is_empty());
        let hex = cells.next().unwrap_or_default();
        let Some(hash) = Pdq::parse_hex(hex) else {
            diags.push(Diagnostic {
                file: file.to_string(),
                line: line_no,
                message: format!("{hex:?} is not a 64-digit PDQ hash"),
            });
            continue;
        };
        let quality = match cells.next().map(str::parse::<u8>) {
            None => HEX_QUALITY,
            Some(Ok(q)) if q <= 100 => q,
            Some(_) => {
                diags.push(Diagnostic {
                    file: file.to_string(),
                    line: line_no,
                    message: "the quality after the hash is not 0-100".into(),
                });
                continue;
            }
        };
        if quality < min_quality {
            low += 1;
            continue;
        }
        if !seen.insert(hash) {
            continue;
        }
        out.push(Material {
            id: format!("{}:{}", list.id_prefix, &hex[..16].to_ascii_lowercase()),
            revision: 1,
            kind: MaterialKind::Image,
            term: hex.to_ascii_lowercase(),
            mode: MatchMode::default(),
            category: list.category.clone(),
            action: list.action.unwrap_or(default_action),
            markets: list.markets.clone(),
            detection_only: list.detection_only,
            added_by: String::new(),
            added_at: String::new(),
            note: format!("from {file}"),
            exceptions: Vec::new(),
            rule: None,
            line: line_no as u32,
            media: Some(Media {
                hashes: vec![Pdq { hash, quality }],
                max_distance: list.max_distance.unwrap_or(PDQ_MATCH_DISTANCE),
                min_quality,
                material_match: VPDQ_MATERIAL_MATCH,
                upload_match: VPDQ_UPLOAD_MATCH,
            }),
        });
    }
    (out, low)
}
