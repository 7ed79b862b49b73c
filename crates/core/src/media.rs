//! Image and video screening: an upload's images hashed with PDQ (from bytes, pixels
//! or the gateway's hash) and looked up in the image bank; its videos' vPDQ frame
//! hashes looked up in the frame bank and scored per material as vPDQ does.
//!
//! vPDQ (Meta's video extension of PDQ) compares two videos as sets of distinct frame
//! hashes of sufficient quality. Its two percentages are named as the reference
//! (`python-threatexchange`'s `VPDQMatchResult`) names them: the **query match**, the
//! share of the upload's distinct frames that match some frame of the material, and
//! the **compared match**, the share of the material's that match some upload frame.
//! A material fires when both reach its thresholds (80 % and 0 % by default, the
//! reference's `VPDQ_QUERY_MATCH_THRESHOLD_PERCENT` and
//! `VPDQ_INDEX_MATCH_THRESHOLD_PERCENT`). Frames are counted on a common time grid
//! (`timeline.rs`), so the frame rates the two were hashed at do not matter.

mod timeline;

#[cfg(feature = "source")]
pub(crate) use timeline::to_ms;

use crate::bank::{BankEntry, HashBank};
use crate::matcher::MAX_FIELD_MATCHES;

use crate::model::MaterialKind;
use crate::package::{FrameRef, Material};
use crate::pdq::PDQ_MIN_QUALITY;

/// Material frames were quality-gated at build: every one counts.
const HEX_QUALITY: u8 = 100;
use crate::table::MaterialTable;
use crate::upload::{Image, ImageData, Pdq, Video};
use crate::verdict::{Evidence, ImageEvidence, ScreenError, TimeRange, Transform, VideoEvidence};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// (upload frame, material frame) pairs one video may match: every frame of a 2-hour
/// upload against a hundred near-identical material frames. Past it the pairs would
/// take more memory than the instance has.
const MAX_FRAME_MATCHES: usize = 1 << 20;

/// What each dihedral variant of the upload (in `pdq_dihedral_from_*` order) says
/// was done to the material: variant 1 turns the upload 90 degrees counter-clockwise,
/// so a match there means the upload is the material turned clockwise; the flips and
/// 180 degrees are their own inverses.
const TRANSFORMS: [Transform; 8] = [
    Transform::None,
    Transform::Rotate90,
    Transform::Rotate180,
    Transform::Rotate270,
    Transform::FlipVertical,
    Transform::FlipHorizontal,
    Transform::Transpose,
    Transform::Transverse,
];

/// The banks of a package's image and video materials.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct MediaMatcher {
    /// One entry per image material; owner: the material.
    images: HashBank,
    /// One entry per distinct frame of each video material, each material's entries
    /// contiguous; owner: index in `videos`.
    frames: HashBank,
    videos: Vec<VideoMaterial>,
    /// Every video material's frames in time order, `VideoMaterial::timeline` slices.
    timeline: Vec<FrameRef>,
    /// Match rotated and mirrored upload images too.
    dihedral: bool,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
struct VideoMaterial {
    material: u32,
    /// Its first entry in the frame bank; `hashes` entries follow.
    first_entry: u32,
    /// Distinct frame hashes of the material.
    hashes: u32,
    /// Its frames: `timeline[start..end]`, whose `hash` counts from `first_entry`.
    start: u32,
    end: u32,
    /// Median gap between its frames, milliseconds.
    step_ms: u32,
    min_quality: u8,
    query_match: f32,
    compared_match: f32,
}

/// A media hit before the screener turns it into a [`crate::Hit`].
pub(crate) struct MediaHit {
    pub material: usize,
    pub evidence: Evidence,
}

impl MediaMatcher {
    pub(crate) fn build(materials: &[Material], dihedral: bool) -> MediaMatcher {
        let mut images = Vec::new();
        let mut frames = Vec::new();
        let mut videos = Vec::new();
        let mut timeline = Vec::new();
        for (i, m) in materials.iter().enumerate() {
            let Some(media) = &m.media else { continue };
            let entry = |p: &Pdq, owner: u32| BankEntry {
                hash: p.hash,
                owner,
                max_distance: media.max_distance,
                min_quality: media.min_quality,
            };
            match m.kind {
                MaterialKind::Image => {
                    images.extend(media.hashes.iter().map(|p| entry(p, i as u32)))
                }
                MaterialKind::Video => {
                    let slot = videos.len() as u32;
                    let first_entry = frames.len() as u32;
                    frames.extend(media.hashes.iter().map(|p| entry(p, slot)));
                    let start = timeline.len() as u32;
                    timeline.extend_from_slice(&media.frames);
                    videos.push(VideoMaterial {
                        material: i as u32,
                        first_entry,
                        hashes: media.hashes.len() as u32,
                        start,
                        end: timeline.len() as u32,
                        step_ms: timeline::step_ms(media.frames.iter().map(|f| f.ms)),
                        min_quality: media.min_quality,
                        query_match: media.query_match,
                        compared_match: media.compared_match,
                    });
                }
                MaterialKind::Text => {}
            }
        }
        MediaMatcher {
            images: HashBank::new(&images),
            frames: HashBank::new(&frames),
            videos,
            timeline,
            dihedral,
        }
    }

    /// Checks a matcher read from bytes against a table of `materials` rows.
    pub(crate) fn validate(&mut self, materials: usize) -> Result<(), String> {
        self.images.validate_and_index()?;
        self.frames.validate_and_index()?;
        let images_ok = (0..self.images.len()).all(|e| (self.images.owner(e) as usize) < materials);
        let frames_ok =
            (0..self.frames.len()).all(|e| (self.frames.owner(e) as usize) < self.videos.len());
        let videos_ok = self.videos.iter().enumerate().all(|(slot, v)| {
            let entries = v.first_entry as usize..v.first_entry as usize + v.hashes as usize;
            let frames = v.start as usize..v.end as usize;
            (v.material as usize) < materials
                && v.hashes > 0
                && entries.end <= self.frames.len()
                && entries.clone().all(|e| self.frames.owner(e) as usize == slot)
                && frames.start < frames.end
                && frames.end <= self.timeline.len()
                && self.timeline[frames].iter().all(|f| f.hash < v.hashes)
        });
        if !(images_ok && frames_ok && videos_ok) {
            return Err("media bank refers to a missing material".into());
        }
        Ok(())
    }

    pub(crate) fn memory_usage(&self) -> usize {
        self.images.memory_usage() + self.frames.memory_usage()
    }

    /// Image materials that match `image`, nearest first.
    pub(crate) fn screen_image(
        &self,
        image: &Image,
        table: &MaterialTable,
        market: &str,
        notes: &mut Vec<String>,
    ) -> Result<Vec<MediaHit>, ScreenError> {
        let invalid = |e: &dyn std::fmt::Display| ScreenError::InvalidInput {
            message: format!("image {}: {e}", crate::error::shown(&image.name)),
        };
        let variants: Vec<Pdq> = match &image.data {
            ImageData::Hashed(p) => vec![*p],
            ImageData::Encoded(bytes) if self.dihedral => {
                crate::decode::pdq_dihedral_from_encoded(bytes).map_err(|e| invalid(&e))?.to_vec()
            }
            ImageData::Encoded(bytes) => {
                vec![crate::decode::pdq_from_encoded(bytes).map_err(|e| invalid(&e))?]
            }
            ImageData::Pixels(p) => {
                let expected = u64::from(p.width) * u64::from(p.height) * 3;
                if p.width == 0 || p.height == 0 || p.rgb.len() as u64 != expected {
                    return Err(invalid(&format_args!(
                        "{}x{} pixels need {expected} RGB bytes, got {}",
                        p.width,
                        p.height,
                        p.rgb.len()
                    )));
                }
                if self.dihedral {
                    crate::pdq::pdq_dihedral_from_rgb8(&p.rgb, p.width, p.height).to_vec()
                } else {
                    vec![crate::pdq::pdq_from_rgb8(&p.rgb, p.width, p.height)]
                }
            }
        };
        let quality = variants[0].quality;
        if quality < PDQ_MIN_QUALITY {
            notes.push(format!(
                "image {:?}: PDQ quality {quality} is under {PDQ_MIN_QUALITY} (blank, tiny or flat image): \
                 materials gated on quality did not look at it",
                image.name
            ));
        }
        // Best (distance, transform) per material over all variants.
        let mut best: BTreeMap<usize, (u16, Transform)> = BTreeMap::new();
        for (p, &transform) in variants.iter().zip(TRANSFORMS.iter()) {
            self.images.query(&p.hash, p.quality, |e, d| {
                let m = self.images.owner(e) as usize;
                if !table.applies_in(m, market) {
                    return;
                }
                let full = best.len() >= MAX_FIELD_MATCHES;
                match best.entry(m) {
                    Entry::Occupied(mut b) if d < b.get().0 => *b.get_mut() = (d, transform),
                    Entry::Occupied(_) => {}
                    // Capped as text matches are (issue #15): a bank of one hash under a
                    // million ids must not make a million hits.
                    Entry::Vacant(v) if !full => {
                        v.insert((d, transform));
                    }
                    Entry::Vacant(_) => {}
                }
            });
        }
        let mut best: Vec<(usize, u16, Transform)> =
            best.into_iter().map(|(m, (d, t))| (m, d, t)).collect();
        best.sort_by_key(|&(m, d, _)| (d, m));
        Ok(best
            .into_iter()
            .map(|(material, distance, transform)| MediaHit {
                material,
                evidence: Evidence::Image(ImageEvidence {
                    image: image.name.clone(),
                    distance,
                    quality,
                    transform,
                }),
            })
            .collect())
    }

    /// Video materials that match `video` by the vPDQ rule, in package order.
    pub(crate) fn screen_video(
        &self,
        video: &Video,
        table: &MaterialTable,
        market: &str,
        notes: &mut Vec<String>,
    ) -> Result<Vec<MediaHit>, ScreenError> {
        if let Some(f) = video.frames.iter().find(|f| !f.timestamp.is_finite() || f.timestamp < 0.0)
        {
            return Err(ScreenError::InvalidInput {
                message: format!(
                    "video {:?}: frame {} has timestamp {}",
                    video.name, f.index, f.timestamp
                ),
            });
        }
        // Distinct hashes, each with its best quality; `of_frame[k]` is frame k's.
        let mut order: Vec<usize> = (0..video.frames.len()).collect();
        order.sort_by_key(|&k| video.frames[k].hash.hash);
        let mut distinct: Vec<Pdq> = Vec::new();
        let mut of_frame = vec![0usize; video.frames.len()];
        for &k in &order {
            let p = video.frames[k].hash;
            match distinct.last_mut() {
                Some(last) if last.hash == p.hash => last.quality = last.quality.max(p.quality),
                _ => distinct.push(p),
            }
            of_frame[k] = distinct.len() - 1;
        }
        if !distinct.iter().any(|p| p.quality >= PDQ_MIN_QUALITY) {
            notes.push(format!(
                "video {:?}: no frame has PDQ quality {PDQ_MIN_QUALITY} or more: materials gated on quality did not look at it",
                video.name
            ));
        }
        // The upload's frames in time order, for thinning to a material's grid.
        let mut by_time: Vec<usize> = (0..video.frames.len()).collect();
        by_time.sort_by(|&a, &b| video.frames[a].timestamp.total_cmp(&video.frames[b].timestamp));
        let upload_times: Vec<u32> =
            by_time.iter().map(|&k| timeline::to_ms(video.frames[k].timestamp)).collect();
        let upload_step = timeline::step_ms(upload_times.iter().copied());

        // (video slot, frame entry, distinct upload hash, distance)
        let mut matches: Vec<(u32, usize, usize, u16)> = Vec::new();
        let mut counted = 0u64;
        for (u, p) in distinct.iter().enumerate() {
            self.frames.query(&p.hash, p.quality, |e, d| {
                counted += 1;
                if matches.len() < MAX_FRAME_MATCHES {
                    matches.push((self.frames.owner(e), e, u, d));
                }
            });
        }
        if counted > MAX_FRAME_MATCHES as u64 {
            // Dropping pairs would change the percentages: refuse instead (issue #15).
            return Err(ScreenError::TooLarge {
                limit: "frame-matches".to_string(),
                max: MAX_FRAME_MATCHES as u64,
                actual: counted,
            });
        }
        matches.sort_unstable();
        let mut hits = Vec::new();
        for group in matches.chunk_by(|a, b| a.0 == b.0) {
            let v = self.videos[group[0].0 as usize];
            let material = v.material as usize;
            if !table.applies_in(material, market) {
                continue;
            }
            // Each side counts units: its distinct hashes, or when the other side
            // is sparser, slots of the other's step (`timeline.rs`). A unit is
            // counted if its representative frame passes the quality gate and
            // matched if any of its frames matches a frame of the other side.
            let mut upload_hit = vec![false; distinct.len()];
            let mut material_hit = vec![false; v.hashes as usize];
            for g in group {
                upload_hit[g.2] = true;
                material_hit[g.1 - v.first_entry as usize] = true;
            }
            let distinct_at = |i: usize| of_frame[by_time[i]];
            let quality_at = |i: usize| video.frames[by_time[i]].hash.quality;
            let upload_units =
                units(&upload_times, upload_step, v.step_ms, |i| distinct_at(i) as u32, quality_at);
            let query_match = share(
                &upload_units,
                |i| quality_at(i) >= v.min_quality,
                |i| upload_hit[distinct_at(i)],
            );
            let frames = &self.timeline[v.start as usize..v.end as usize];
            let times: Vec<u32> = frames.iter().map(|f| f.ms).collect();
            let material_units =
                units(&times, v.step_ms, upload_step, |i| frames[i].hash, |_| HEX_QUALITY);
            let compared_match =
                share(&material_units, |_| true, |i| material_hit[frames[i].hash as usize]);
            if query_match < v.query_match || compared_match < v.compared_match {
                continue;
            }
            let matched = |k: usize| upload_hit[of_frame[k]];
            hits.push(MediaHit {
                material,
                evidence: Evidence::Video(VideoEvidence {
                    video: video.name.clone(),
                    material_match: compared_match,
                    upload_match: query_match,
                    distance: group.iter().map(|g| g.3).min().unwrap_or(0),
                    matched_frames: (0..video.frames.len()).filter(|&k| matched(k)).count() as u32,
                    ranges: ranges(video, matched),
                }),
            });
        }
        hits.sort_by_key(|h| h.material);
        Ok(hits)
    }
}

/// The unit of each frame (in time order) of a video whose frames are `step` ms
/// apart, against another's `other_step`: its distinct hash (`hash_of(i)`), or its
/// slot on the other's grid when that is coarser. Each unit's representative frame
/// (for a hash, its best-quality frame, as vPDQ keeps a hash's best) decides whether
/// it counts.
fn units(
    times: &[u32],
    step: u32,
    other_step: u32,
    hash_of: impl Fn(usize) -> u32,
    quality_of: impl Fn(usize) -> u8,
) -> timeline::Slots {
    match timeline::grid_for(step, other_step) {
        Some(grid) => timeline::slots(times, grid),
        None => {
            let of_frame: Vec<u32> = (0..times.len()).map(hash_of).collect();
            let n = of_frame.iter().max().map_or(0, |&m| m as usize + 1);
            let mut nearest: Vec<Option<usize>> = vec![None; n];
            for (i, &u) in of_frame.iter().enumerate() {
                let best = &mut nearest[u as usize];
                if best.is_none_or(|b| quality_of(i) > quality_of(b)) {
                    *best = Some(i);
                }
            }
            let nearest = nearest.into_iter().map(|b| b.unwrap_or(0)).collect();
            timeline::Slots { of_frame, nearest }
        }
    }
}

/// Percent of counted units that matched: a unit counts when `counts` holds for its
/// representative frame, and matched when `hit` holds for any of its frames.
fn share(
    units: &timeline::Slots,
    counts: impl Fn(usize) -> bool,
    hit: impl Fn(usize) -> bool,
) -> f32 {
    let mut matched = vec![false; units.nearest.len()];
    for (i, &u) in units.of_frame.iter().enumerate() {
        matched[u as usize] |= hit(i);
    }
    let counted: Vec<bool> = units.nearest.iter().map(|&i| counts(i)).collect();
    let total = counted.iter().filter(|&&c| c).count();
    let found = counted.iter().zip(&matched).filter(|&(&c, &m)| c && m).count();
    100.0 * found as f32 / total.max(1) as f32
}

/// Runs of consecutive matched frames (in time order) as time ranges.
fn ranges(video: &Video, matched: impl Fn(usize) -> bool) -> Vec<TimeRange> {
    let mut by_time: Vec<usize> = (0..video.frames.len()).collect();
    by_time.sort_by(|&a, &b| video.frames[a].timestamp.total_cmp(&video.frames[b].timestamp));
    let mut out: Vec<TimeRange> = Vec::new();
    let mut open = false;
    for k in by_time {
        let t = video.frames[k].timestamp;
        if !matched(k) {
            open = false;
        } else if open {
            if let Some(r) = out.last_mut() {
                r.end = t;
            }
        } else {
            out.push(TimeRange { start: t, end: t });
            open = true;
        }
    }
    out
}
