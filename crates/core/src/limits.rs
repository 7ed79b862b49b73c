//! Limits every upload is checked against before any work is done, by the component
//! and by the host before it copies the upload into the component.

use crate::upload::{ImageData, Upload};
use crate::verdict::ScreenError;
use serde::{Deserialize, Serialize};

/// Per-upload limits. The defaults are sized for ad creatives, with room to spare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_field_bytes: u32,
    pub max_text_bytes: u32,
    pub max_items: u32,
    pub max_image_bytes: u32,
    pub max_video_frames: u32,
    pub max_hits: u32,
}

/// A landing page's extracted text fits in 64 KiB; a longer field is not an ad text.
const MAX_FIELD_BYTES: u32 = 64 * 1024;
/// All fields together: room for several long fields, still microseconds to scan.
const MAX_TEXT_BYTES: u32 = 256 * 1024;
/// Fields + images + videos: creatives have a handful; 64 keeps the verdict bounded.
const MAX_ITEMS: u32 = 64;
/// 16 MiB covers a full-resolution photo; larger files are not ad creatives.
const MAX_IMAGE_BYTES: u32 = 16 * 1024 * 1024;
/// 1 frame per second for 2 hours.
const MAX_VIDEO_FRAMES: u32 = 7_200;
/// A verdict with more hits than this is already a block; more only costs bandwidth.
const MAX_HITS: u32 = 256;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_field_bytes: MAX_FIELD_BYTES,
            max_text_bytes: MAX_TEXT_BYTES,
            max_items: MAX_ITEMS,
            max_image_bytes: MAX_IMAGE_BYTES,
            max_video_frames: MAX_VIDEO_FRAMES,
            max_hits: MAX_HITS,
        }
    }
}

impl Limits {
    /// Upload ids and field, image and video names: a gateway's key or a form field's
    /// name, never content. Each name is copied into every hit it has, so without a
    /// bound a long name multiplies the answer (issue #15). Not configurable.
    pub const MAX_NAME_BYTES: usize = 256;
    /// A BCP 47 language tag (`ru`, `sr-Latn-RS`) is under 36 bytes.
    pub const MAX_LANGUAGE_BYTES: usize = 35;

    /// Checks `upload` against every limit; the first one exceeded is the error.
    pub fn check(&self, upload: &Upload) -> Result<(), ScreenError> {
        let over = |limit: &str, max: u32, actual: usize| {
            if actual > max as usize {
                Err(ScreenError::TooLarge {
                    limit: limit.to_string(),
                    max: max.into(),
                    actual: actual as u64,
                })
            } else {
                Ok(())
            }
        };
        over("id-bytes", Limits::MAX_NAME_BYTES as u32, upload.id.len())?;
        let language = upload.language.as_deref().unwrap_or("");
        over("language-bytes", Limits::MAX_LANGUAGE_BYTES as u32, language.len())?;
        let names = upload.fields.iter().map(|f| &f.name);
        let names = names.chain(upload.images.iter().map(|i| &i.name));
        for name in names.chain(upload.videos.iter().map(|v| &v.name)) {
            over("name-bytes", Limits::MAX_NAME_BYTES as u32, name.len())?;
        }
        over(
            "items",
            self.max_items,
            upload.fields.len() + upload.images.len() + upload.videos.len(),
        )?;
        let mut total = 0usize;
        for field in &upload.fields {
            over("field-bytes", self.max_field_bytes, field.text.len())?;
            total += field.text.len();
        }
        over("text-bytes", self.max_text_bytes, total)?;
        for image in &upload.images {
            match &image.data {
                ImageData::Encoded(bytes) => {
                    over("image-bytes", self.max_image_bytes, bytes.len())?
                }
                ImageData::Pixels(p) => over("image-bytes", self.max_image_bytes, p.rgb.len())?,
                ImageData::Hashed(_) => {}
            }
        }
        for video in &upload.videos {
            over("video-frames", self.max_video_frames, video.frames.len())?;
        }
        Ok(())
    }
}
