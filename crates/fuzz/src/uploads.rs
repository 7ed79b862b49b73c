//! What an uploader controls at the edge: the upload JSON, the image bytes in it and
//! the vPDQ frame hashes of its videos.

use crate::fixtures::sample_screener;
use prescreen_core::pdq::{parse_vpdq, pdq_dihedral_from_encoded, pdq_from_encoded};
use prescreen_core::{Image, ImageData, Upload, Video};

/// Upload JSON to a verdict, as the HTTP components and the gateway answer it: parse,
/// screen with the sample package, serialize the answer.
pub(crate) fn upload_json(data: &[u8]) {
    let reply = prescreen_guest_common::answer::screen(Some(sample_screener()), data);
    assert!(matches!(reply.status, 200 | 400 | 422), "unexpected status {}", reply.status);
}

/// Image decoding and PDQ: the hash, the eight dihedral hashes, and the image screened
/// as an upload's (where the decoder's typed errors become a 422).
pub(crate) fn image(data: &[u8]) {
    let one = pdq_from_encoded(data);
    let eight = pdq_dihedral_from_encoded(data);
    assert_eq!(one.is_ok(), eight.is_ok(), "the two decoders disagree");
    if let (Ok(one), Ok(eight)) = (one, eight) {
        assert_eq!(one, eight[0], "the identity transform is the first dihedral hash");
    }
    let mut upload = Upload::text("fuzz", "US", "");
    upload.images.push(Image { name: "fuzz".into(), data: ImageData::Encoded(data.to_vec()) });
    let _ = sample_screener().screen(&upload);
}

/// vPDQ frame-hash files (`prescreen hash --video` output, package video sources),
/// and what parses screened as an upload's video.
pub(crate) fn vpdq(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(frames) = parse_vpdq("fuzz.vpdq", &text) else { return };
    let mut upload = Upload::text("fuzz", "US", "");
    upload.videos.push(Video { name: "fuzz".into(), frames });
    let _ = sample_screener().screen(&upload);
}

/// Small images of every format the decoder reads, beside the sample's JPEGs.
pub(crate) fn image_seeds() -> Vec<(String, Vec<u8>)> {
    use image::{ImageFormat, RgbImage};
    let pattern = RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 7) as u8, ((x ^ y) * 3) as u8])
    });
    let mut out = Vec::new();
    for (name, format) in [
        ("pattern.png", ImageFormat::Png),
        ("pattern.jpg", ImageFormat::Jpeg),
        ("pattern.gif", ImageFormat::Gif),
        ("pattern.webp", ImageFormat::WebP),
    ] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        pattern.write_to(&mut bytes, format).expect("encoding to memory");
        out.push((name.to_string(), bytes.into_inner()));
    }
    let dir = crate::fixtures::sample_dir().join("uploads/media");
    for name in ["casino-banner-edited.jpg", "clean-garden.jpg"] {
        out.push((name.to_string(), std::fs::read(dir.join(name)).expect("sample media")));
    }
    out
}
