//! Image and video materials: their `source` cells (a PDQ hash, an image file hashed
//! at build time, or a vPDQ frame-hash file) and thresholds. Hash lists are read in
//! `exchange.rs`.

use super::cells::{Cells, shown};
use crate::bank::MAX_DISTANCE;
use crate::files::{MAX_MEDIA_BYTES, PackageDir};
use crate::model::MaterialKind;
use crate::model::{VPDQ_COMPARED_MATCH, VPDQ_QUERY_MATCH};
use crate::package::{FrameRef, Media};
use crate::pdq::{PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY};
use crate::upload::Pdq;

/// Material hashes given as hex carry no quality; they are taken as trustworthy.
pub(crate) const HEX_QUALITY: u8 = 100;

/// The two vPDQ percentage columns: the reference's name and the name it had here
/// before (kept as a deprecated alias: `upload_match` is the query match,
/// `material_match` the compared match).
pub(crate) const QUERY_MATCH: (&str, &str) = ("query_match", "upload_match");
pub(crate) const COMPARED_MATCH: (&str, &str) = ("compared_match", "material_match");

/// The media part of an image or video line, or `None` after pushing to `errs`.
pub(crate) fn media(
    kind: MaterialKind,
    cells: &Cells<'_>,
    base: Option<&PackageDir>,
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
                errs.push(format!("{name} {} is not a percentage 0-100", shown(s)));
                default
            }),
    };
    let either = |(name, alias): (&str, &str), default: f32, errs: &mut Vec<String>| match (
        cells.get(name),
        cells.get(alias),
    ) {
        ("", "") => default,
        (_, "") => percent(name, default, errs),
        ("", _) => percent(alias, default, errs),
        _ => {
            errs.push(format!("{name} and {alias} are the same setting: give one"));
            default
        }
    };
    let query_match = either(QUERY_MATCH, VPDQ_QUERY_MATCH, errs);
    let compared_match = either(COMPARED_MATCH, VPDQ_COMPARED_MATCH, errs);
    let source = cells.get("source");
    let media = match kind {
        MaterialKind::Image => image_hash(source, base, min_quality)
            .map(|p| Media::image(p, max_distance, min_quality)),
        _ => video_source(source, base, min_quality).map(|(hashes, frames)| Media {
            hashes,
            frames,
            max_distance,
            min_quality,
            query_match,
            compared_match,
        }),
    }
    .map_err(|e| errs.push(e))
    .ok()?;
    (errs.len() == before).then_some(media)
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
            errs.push(format!("{name} {} is not a number from {min} to {max}", shown(s)));
            default
        }
    }
}

/// A 64-digit hex hash, or an image file relative to the package directory.
fn image_hash(source: &str, base: Option<&PackageDir>, min_quality: u8) -> Result<Pdq, String> {
    if let Some(hash) = Pdq::parse_hex(source) {
        return Ok(Pdq { hash, quality: HEX_QUALITY });
    }
    let bytes = read_source(source, base)?;
    let pdq = crate::decode::pdq_from_encoded(&bytes)
        .map_err(|e| format!("source {}: {e}", shown(source)))?;
    if pdq.quality < min_quality {
        return Err(format!(
            "source {} hashes at PDQ quality {}, under min_quality {min_quality}: it would match unrelated images",
            shown(source),
            pdq.quality
        ));
    }
    Ok(pdq)
}

/// A vPDQ file's distinct frame hashes of quality `min_quality` or more, and its
/// frames of that quality in time order.
fn video_source(
    source: &str,
    base: Option<&PackageDir>,
    min_quality: u8,
) -> Result<(Vec<Pdq>, Vec<FrameRef>), String> {
    let bytes = read_source(source, base)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        format!("source {} is not a vPDQ text file (hash a video with `prescreen hash VIDEO > clip.vpdq`)", shown(source))
    })?;
    let frames = crate::vpdq::parse_vpdq(source, text).map_err(|e| e.to_string())?;
    let frames: Vec<(f64, Pdq)> = frames.iter().map(|f| (f.timestamp, f.hash)).collect();
    video_frames(&frames, min_quality).ok_or_else(|| {
        format!("source {} has no frame of quality {min_quality} or more", shown(source))
    })
}

/// Distinct hashes (each at its best quality) and time-ordered frames of the
/// `(seconds, hash)` frames of quality `min_quality` or more; `None` if there are none.
pub(crate) fn video_frames(
    frames: &[(f64, Pdq)],
    min_quality: u8,
) -> Option<(Vec<Pdq>, Vec<FrameRef>)> {
    let kept: Vec<&(f64, Pdq)> = frames.iter().filter(|f| f.1.quality >= min_quality).collect();
    let mut hashes: Vec<Pdq> = kept.iter().map(|f| f.1).collect();
    // Best quality first within a hash, so the dedup keeps it.
    hashes.sort_by_key(|p| (p.hash, std::cmp::Reverse(p.quality)));
    hashes.dedup_by_key(|p| p.hash);
    if hashes.is_empty() {
        return None;
    }
    let mut refs: Vec<FrameRef> = kept
        .iter()
        .map(|(t, p)| FrameRef {
            ms: crate::media::to_ms(*t),
            hash: hashes.binary_search_by_key(&p.hash, |h| h.hash).unwrap_or(0) as u32,
        })
        .collect();
    refs.sort_by_key(|f| (f.ms, f.hash));
    Some((hashes, refs))
}

/// Reads a source file, which must lie inside the package directory so a package
/// stays self-contained and builds the same anywhere.
fn read_source(source: &str, base: Option<&PackageDir>) -> Result<Vec<u8>, String> {
    if source.is_empty() {
        return Err("source is empty (a 64-digit PDQ hex hash or a file in the package)".into());
    }
    let Some(base) = base else {
        return Err(format!(
            "source {} is not a PDQ hash, and files need a package directory",
            shown(source)
        ));
    };
    base.read(source, MAX_MEDIA_BYTES).map_err(|e| format!("source {e}"))
}
