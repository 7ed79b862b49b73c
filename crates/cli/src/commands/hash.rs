//! `prescreen hash`: PDQ hashes of images, vPDQ frame hashes of videos.

use anyhow::{Context, Result};
use prescreen_core::Pdq;
use prescreen_ops::hash;
use std::path::PathBuf;
use std::process::ExitCode;

/// What was done to the file to give each dihedral variant (clockwise rotations), in
/// the order `hash::image_dihedral` returns them.
const TRANSFORMS: [&str; 8] = [
    "none",
    "rotate270",
    "rotate180",
    "rotate90",
    "flip_vertical",
    "flip_horizontal",
    "transpose",
    "transverse",
];

/// Print PDQ hashes of images (`hash,quality,path`, the reference tools' form)
/// or vPDQ frame hashes of videos (`frame,quality,hash,timestamp`, needs ffmpeg).
#[derive(clap::Args)]
pub struct HashCommand {
    /// Image (JPEG, PNG, WebP, GIF) or video files; videos are told by extension.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Video frames hashed per second.
    #[arg(long, default_value_t = 1.0)]
    fps: f64,
    /// For images: print the hashes of the eight rotations and flips of each file
    /// (`hash,quality,path,transform`, rotations clockwise).
    #[arg(long)]
    dihedral: bool,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

impl HashCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let mut out = String::new();
        for path in &self.files {
            if hash::is_video(path) {
                out.push_str(&prescreen_core::pdq::format_vpdq(&hash::video(path, self.fps)?));
            } else if self.dihedral {
                for (p, name) in hash::image_dihedral(path)?.iter().zip(TRANSFORMS) {
                    let hex = Pdq::to_hex(&p.hash);
                    out.push_str(&format!("{hex},{},{},{name}\n", p.quality, path.display()));
                }
            } else {
                let p = hash::image(path)?;
                let hex = Pdq::to_hex(&p.hash);
                out.push_str(&format!("{hex},{},{}\n", p.quality, path.display()));
            }
        }
        match &self.output {
            Some(o) => {
                std::fs::write(o, out).with_context(|| format!("cannot write {}", o.display()))?
            }
            None => crate::output::print(&out)?,
        }
        Ok(ExitCode::SUCCESS)
    }
}
