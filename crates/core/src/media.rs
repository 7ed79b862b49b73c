//! Image and video screening: an upload's images hashed with PDQ (from bytes, pixels
//! or the gateway's hash) and looked up in the image bank; its videos' vPDQ frame
//! hashes looked up in the frame bank and scored per material as vPDQ does.
//!
//! vPDQ (Meta's video extension of PDQ) compares two videos as sets of distinct frame
//! hashes of sufficient quality: a video material fires when the share of its frames
//! matched by some upload frame reaches `material_match` and the share of upload
//! frames matching it reaches `upload_match` (80 % and 0 % by default).

use crate::bank::{BankEntry, HashBank};
use crate::model::MaterialKind;
use crate::package::Material;
use crate::pdq::PDQ_MIN_QUALITY;
use crate::table::MaterialTable;
use crate::upload::{Image, ImageData, Pdq, Video};
use crate::verdict::{Evidence, ImageEvidence, ScreenError, TimeRange, Transform, VideoEvidence};
use serde::{Deserialize, Serialize};

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
    /// One entry per distinct frame of each video material; owner: index in `videos`.
    frames: HashBank,
    videos: Vec<VideoMaterial>,
    /// Match rotated and mirrored upload images too.
    dihedral: bool,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
struct VideoMaterial {
    material: u32,
    /// Distinct frame hashes of the material (the denominator of `material_match`).
    frames: u32,
    min_quality: u8,
    material_match: f32,
    upload_match: f32,
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
                    frames.extend(media.hashes.iter().map(|p| entry(p, slot)));
                    videos.push(VideoMaterial {
                        material: i as u32,
                        frames: media.hashes.len() as u32,
                        min_quality: media.min_quality,
                        material_match: media.material_match,
                        upload_match: media.upload_match,
                    });
                }
                MaterialKind::Text => {}
            }
        }
        MediaMatcher {
            images: HashBank::new(&images),
            frames: HashBank::new(&frames),
            videos,
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
        let videos_ok =
            self.videos.iter().all(|v| (v.material as usize) < materials && v.frames > 0);
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
            message: format!("image {:?}: {e}", image.name),
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
        let mut best: Vec<(usize, u16, Transform)> = Vec::new();
        for (p, &transform) in variants.iter().zip(TRANSFORMS.iter()) {
            self.images.query(&p.hash, p.quality, |e, d| {
                let m = self.images.owner(e) as usize;
                if !table.applies_in(m, market) {
                    return;
                }
                match best.iter_mut().find(|b| b.0 == m) {
                    Some(b) if d < b.1 => *b = (m, d, transform),
                    Some(_) => {}
                    None => best.push((m, d, transform)),
                }
            });
        }
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
        // (video slot, frame entry, distinct upload hash, distance)
        let mut matches: Vec<(u32, usize, usize, u16)> = Vec::new();
        for (u, p) in distinct.iter().enumerate() {
            self.frames
                .query(&p.hash, p.quality, |e, d| matches.push((self.frames.owner(e), e, u, d)));
        }
        matches.sort_unstable();
        let mut hits = Vec::new();
        for group in matches.chunk_by(|a, b| a.0 == b.0) {
            let v = self.videos[group[0].0 as usize];
            let material = v.material as usize;
            if !table.applies_in(material, market) {
                continue;
            }
            let mut entries: Vec<usize> = group.iter().map(|g| g.1).collect();
            entries.dedup();
            let mut uploads: Vec<usize> = group.iter().map(|g| g.2).collect();
            uploads.sort_unstable();
            uploads.dedup();
            let upload_total =
                distinct.iter().filter(|p| p.quality >= v.min_quality).count().max(1);
            let material_match = 100.0 * entries.len() as f32 / v.frames as f32;
            let upload_match = 100.0 * uploads.len() as f32 / upload_total as f32;
            if material_match < v.material_match || upload_match < v.upload_match {
                continue;
            }
            let matched = |k: usize| uploads.binary_search(&of_frame[k]).is_ok();
            hits.push(MediaHit {
                material,
                evidence: Evidence::Video(VideoEvidence {
                    video: video.name.clone(),
                    material_match,
                    upload_match,
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
