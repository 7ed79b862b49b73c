//! `prescreen screen`: one upload through a component, the verdict as JSON.

use crate::output;
use anyhow::{Context, Result, bail};
use prescreen_core::{Image, ImageData, TextField, Upload, Video};
use prescreen_ops::hash;
use prescreen_runtime::Runtime;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Upload JSON files larger than this are refused while reading: the component's
/// own limits are far smaller, and base64 images are the only large part.
const MAX_UPLOAD_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Screen an upload through a component and print the verdict as JSON.
///
/// Either `--upload` (a JSON upload), or an upload made of `--text`, `--image`
/// and `--video` given on the command line.
#[derive(clap::Args)]
pub struct ScreenCommand {
    component: PathBuf,
    /// Upload JSON file (`-` for stdin).
    #[arg(long, conflicts_with_all = ["text", "image", "video"], required_unless_present_any = ["text", "image", "video"])]
    upload: Option<PathBuf>,
    /// Screen this text as the `body` field.
    #[arg(long)]
    text: Option<String>,
    /// Screen this image file (sent to the component as its encoded bytes). Repeatable.
    #[arg(long)]
    image: Vec<PathBuf>,
    /// Screen this video: a vPDQ frame-hash file, or a video file hashed first
    /// like `prescreen hash` does (needs ffmpeg). Repeatable.
    #[arg(long)]
    video: Vec<PathBuf>,
    /// Market of the command-line upload.
    #[arg(long, default_value = "US")]
    market: String,
}

impl ScreenCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let upload = match &self.upload {
            Some(path) => read_upload(path)?,
            None => self.command_line_upload()?,
        };
        let filter = Runtime::new()?.load_file(&self.component)?;
        match filter.screen(&upload)? {
            Ok(verdict) => {
                output::println(&serde_json::to_string_pretty(&verdict)?)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                output::println(&serde_json::to_string_pretty(&e)?)?;
                eprintln!("error: {e}");
                Ok(ExitCode::from(2))
            }
        }
    }

    /// An upload from the command-line parts: images as encoded bytes, videos as
    /// vPDQ files (or video files hashed here).
    fn command_line_upload(&self) -> Result<Upload> {
        let name = |p: &Path| {
            p.file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
        };
        let mut upload = Upload::text("cli", &self.market, "");
        upload.fields = self
            .text
            .iter()
            .map(|text| TextField { name: "body".into(), text: text.clone() })
            .collect();
        for path in &self.image {
            let bytes = read_bounded(path)?;
            upload.images.push(Image { name: name(path), data: ImageData::Encoded(bytes) });
        }
        for path in &self.video {
            let frames = if hash::is_video(path) {
                hash::video(path, 1.0)?
            } else {
                let text = String::from_utf8(read_bounded(path)?).map_err(|_| {
                    anyhow::anyhow!("{}: a vPDQ file is text, this is not UTF-8", path.display())
                })?;
                prescreen_core::pdq::parse_vpdq(&path.display().to_string(), &text)?
            };
            upload.videos.push(Video { name: name(path), frames });
        }
        Ok(upload)
    }
}

/// Reads at most [`MAX_UPLOAD_FILE_BYTES`] from `path` (`-`: stdin), counted while
/// reading: a pipe or `/dev/zero` has no size to check beforehand (issue #15).
fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = MAX_UPLOAD_FILE_BYTES + 1;
    if path == Path::new("-") {
        std::io::stdin().take(limit).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    if bytes.len() as u64 > MAX_UPLOAD_FILE_BYTES {
        bail!("{}: over the {MAX_UPLOAD_FILE_BYTES}-byte upload file limit", path.display());
    }
    Ok(bytes)
}

fn read_upload(path: &Path) -> Result<Upload> {
    let bytes = read_bounded(path)?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: invalid upload JSON", path.display()))
}
