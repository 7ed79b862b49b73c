//! `prescreen hash`: PDQ hashes of images (decoded and hashed by the same core code
//! the component runs) and vPDQ frame hashes of videos, decoded by ffmpeg.
//!
//! Components do not decode video (a codec stack has no place in an inline filter);
//! the gateway or this command turns a video into vPDQ frame hashes first.

use anyhow::{Context, Result, bail};
use prescreen_core::{Pdq, VideoFrame};
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Frames are scaled to this square before hashing: PDQ squashes every frame to
/// 64x64 anyway, and a fixed size keeps memory per frame bounded (768 KiB) whatever
/// the video's resolution or rotation metadata.
const FRAME_SIDE: u32 = 512;

/// File name endings taken as video (anything else is decoded as an image).
const VIDEO_EXTENSIONS: &[&str] =
    &["mp4", "m4v", "mov", "webm", "mkv", "avi", "mpg", "mpeg", "ts", "flv", "3gp", "ogv"];

/// Whether `path` names a video by its extension.
pub fn is_video(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Largest image file hashed: as large as a package's media sources may be.
pub const MAX_IMAGE_FILE_BYTES: u64 = 64 << 20;

/// Reads an image file, counting while reading (a device or a pipe has no size).
fn read_image(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_IMAGE_FILE_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_IMAGE_FILE_BYTES {
        bail!("{} is over the {MAX_IMAGE_FILE_BYTES}-byte image file limit", path.display());
    }
    Ok(bytes)
}

/// PDQ hash of an image file.
pub fn image(path: &Path) -> Result<Pdq> {
    let bytes = read_image(path)?;
    prescreen_core::pdq::pdq_from_encoded(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// PDQ hashes of an image file's eight rotations and flips, in
/// `pdq_dihedral_from_encoded` order.
pub fn image_dihedral(path: &Path) -> Result<[Pdq; 8]> {
    let bytes = read_image(path)?;
    prescreen_core::pdq::pdq_dihedral_from_encoded(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// vPDQ frame hashes of a video: ffmpeg decodes `fps` frames per second, each is
/// hashed with PDQ. Needs `ffmpeg` on PATH (Debian: `apt-get install ffmpeg`).
pub fn video(path: &Path, fps: f64) -> Result<Vec<VideoFrame>> {
    if !(fps > 0.0 && fps <= 120.0) {
        bail!("--fps {fps} is not between 0 and 120");
    }
    if !path.is_file() {
        bail!("cannot read {}: not a file", path.display());
    }
    let filter = format!("fps={fps},scale={FRAME_SIDE}:{FRAME_SIDE}:flags=area");
    let mut child = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-an", "-vf", &filter, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run ffmpeg: install it (Debian: apt-get install ffmpeg) to hash videos")?;
    let mut stdout = child.stdout.take().context("ffmpeg stdout")?;
    // Drain stderr on a thread so a chatty ffmpeg cannot block on a full pipe.
    let mut stderr = child.stderr.take().context("ffmpeg stderr")?;
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let frame_len = (FRAME_SIDE * FRAME_SIDE * 3) as usize;
    let mut buf = vec![0u8; frame_len];
    let mut frames = Vec::new();
    loop {
        match read_full(&mut stdout, &mut buf)? {
            0 => break,
            n if n < frame_len => bail!("ffmpeg wrote a partial frame ({n} of {frame_len} bytes)"),
            _ => {}
        }
        let index = frames.len() as u32;
        let hash = prescreen_core::pdq::pdq_from_rgb8(&buf, FRAME_SIDE, FRAME_SIDE);
        frames.push(VideoFrame { index, timestamp: f64::from(index) / fps, hash });
    }
    let status = child.wait()?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        bail!("ffmpeg could not decode {}: {}", path.display(), errors.trim());
    }
    if frames.is_empty() {
        bail!("{}: ffmpeg found no video frames", path.display());
    }
    Ok(frames)
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
