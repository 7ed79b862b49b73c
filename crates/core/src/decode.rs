//! Decoding uploaded image files (JPEG, PNG, WebP, GIF) into pixels for PDQ hashing.
//!
//! Uploads are untrusted, so decoding is bounded: the header's dimensions are checked
//! against [`MAX_IMAGE_PIXELS`] and [`MAX_IMAGE_SIDE`] before any pixel buffer exists,
//! and the same limits go to the decoders through [`image::Limits`]. Everything here is
//! pure Rust and single-threaded, so it also runs inside the wasm32-wasip2 guest.
//!
//! The pixels are prepared the way the reference hashes were made (Pillow's
//! `Image.open(..).convert("RGB")`): alpha is dropped, not blended, and a GIF's first
//! frame is used (canvas outside that frame comes out black, where Pillow may paint the
//! background colour). Unlike Pillow's plain `open`, the EXIF orientation is applied,
//! so a phone photo hashes as it is displayed.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

use crate::error::Error;
use crate::pdq;
use crate::upload::Pdq;

/// Largest image we decode, in pixels: 40 megapixels takes any ad creative and the usual
/// 12-24 MP phone and camera photos (only 48 MP+ full-sensor shots are refused), while
/// work memory stays within 8 bytes per pixel (the decoder's widest layout, 16-bit RGBA,
/// or 8-bit pixels plus their RGB copy; hashing adds buffers of a few rows), about
/// 320 MB at the cap, which a wasm32 guest can hold.
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// Longest side we decode, in pixels: longer than any real panorama or banner, so only
/// degenerate strips (which waste decoder time per row without reaching the pixel cap)
/// are refused by it.
pub const MAX_IMAGE_SIDE: u32 = 32_768;

/// Memory a decoder may allocate: the largest allowed image at 8 bytes per pixel (16-bit
/// RGBA PNG), the widest layout our formats decode to.
const MAX_DECODER_ALLOC: u64 = MAX_IMAGE_PIXELS * 8;

/// PDQ hash of an encoded image file, see the module docs for how it is decoded.
pub fn pdq_from_encoded(bytes: &[u8]) -> Result<Pdq, Error> {
    Ok(with_pixels(&decode(bytes)?, pdq::pdq_from_pixels))
}

/// The eight rotation and flip hashes of an encoded image file, in the order of
/// [`pdq_dihedral_from_rgb8`](crate::pdq_dihedral_from_rgb8), original first.
pub fn pdq_dihedral_from_encoded(bytes: &[u8]) -> Result<[Pdq; 8], Error> {
    Ok(with_pixels(&decode(bytes)?, pdq::pdq_dihedral_from_pixels))
}

/// Calls `hash(pixels, channels, width, height)` on the image's 8-bit RGB(A) pixels,
/// converting other layouts to RGB first.
fn with_pixels<T>(image: &DynamicImage, hash: impl Fn(&[u8], usize, u32, u32) -> T) -> T {
    let (width, height) = (image.width(), image.height());
    match image {
        DynamicImage::ImageRgb8(buf) => hash(buf.as_raw(), 3, width, height),
        // Alpha is ignored, as Pillow's convert("RGB") does.
        DynamicImage::ImageRgba8(buf) => hash(buf.as_raw(), 4, width, height),
        other => hash(other.to_rgb8().as_raw(), 3, width, height),
    }
}

/// Decodes `bytes` within the limits and applies the EXIF orientation.
pub(crate) fn decode(bytes: &[u8]) -> Result<DynamicImage, Error> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::image(format!("cannot decode image: {e}")))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            f
        }
        _ => return Err(Error::image("cannot decode image: unsupported format")),
    };
    // The JPEG decoder fills a missing tail with grey and says nothing: a third of a
    // file would hash as an image (issue #15).
    if format == ImageFormat::Jpeg && !jpeg_reaches_end(bytes) {
        return Err(Error::image(
            "cannot decode jpeg image: file is truncated (no end-of-image marker)",
        ));
    }
    // Dimension limits are checked by us first, for a message that gives the size.
    reader.limits(limits(None));
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(format, e))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    decoder.set_limits(limits(Some(MAX_IMAGE_SIDE))).map_err(|e| decode_error(format, e))?;
    // A malformed EXIF block is not worth refusing the image: show it as stored.
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(format, e))?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG stream holds its end-of-image marker after the first scan begins.
/// The marker segments before the scan are walked by their lengths (an EXIF thumbnail
/// inside APP1 has an end marker of its own); inside entropy-coded data a 0xFF byte is
/// always stuffed or starts a marker, so `FF D9` there is the real end.
fn jpeg_reaches_end(bytes: &[u8]) -> bool {
    const SOS: u8 = 0xDA;
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut at = 2;
    loop {
        // Any number of 0xFF fill bytes may precede a marker.
        while bytes.get(at + 1) == Some(&0xFF) && bytes[at] == 0xFF {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker), Some(&hi), Some(&lo)) =
            (bytes.get(at), bytes.get(at + 1), bytes.get(at + 2), bytes.get(at + 3))
        else {
            return false;
        };
        at += 2 + usize::from(u16::from_be_bytes([hi, lo]));
        if marker == SOS {
            break;
        }
    }
    bytes.get(at..).is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

fn limits(max_side: Option<u32>) -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = max_side;
    limits.max_image_height = max_side;
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    limits
}

fn check_size(width: u32, height: u32) -> Result<(), Error> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(Error::image(format!("image is {width}x{height} pixels, which is empty")));
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Error::image(format!(
            "image is {width}x{height} pixels, limit {MAX_IMAGE_SIDE} per side"
        )));
    }
    if pixels > MAX_IMAGE_PIXELS {
        return Err(Error::image(format!(
            "image is {width}x{height} pixels, limit {MAX_IMAGE_PIXELS}"
        )));
    }
    Ok(())
}

/// Our wording for the decoder's errors: lowercase, naming the format, without the
/// `image` crate's "Format error decoding Jpeg:" prefixes.
fn decode_error(format: ImageFormat, e: ImageError) -> Error {
    let name = format!("{format:?}").to_lowercase();
    let detail = match e {
        ImageError::Unsupported(u) => match u.kind() {
            image::error::UnsupportedErrorKind::Format(_) => {
                return Error::image("cannot decode image: unsupported format");
            }
            _ => format!("unsupported feature: {}", tidy(&u)),
        },
        ImageError::Limits(l) => format!("over the decoding limits: {}", tidy(&l)),
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "file is truncated".to_string()
        }
        ImageError::Decoding(d) => match std::error::Error::source(&d) {
            Some(inner) => tidy(inner),
            None => tidy(&d),
        },
        other => tidy(&other),
    };
    Error::image(format!("cannot decode {name} image: {detail}"))
}

/// A decoder's message as a clause of ours: trimmed, first letter lowercased unless it
/// starts an acronym.
fn tidy(e: &dyn std::fmt::Display) -> String {
    let msg = e.to_string();
    let msg = msg.trim();
    let mut chars = msg.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(msg[first.len_utf8()..].chars()).collect()
        }
        _ => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdq::{hamming, pdq_from_rgb8};
    use image::{ImageEncoder, RgbImage, RgbaImage};
    use proptest::prelude::*;

    /// An asymmetric test picture, so rotations and flips hash differently.
    fn picture(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let v = if x < width / 3 && y < height / 2 { 30 } else { 200 };
            let w = ((x * 255) / width) as u8;
            image::Rgb([v, w, ((y * 7 + x * 3) % 256) as u8])
        })
    }

    fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encode test image");
        out.into_inner()
    }

    /// A PNG whose stored pixels are `stored`, with an EXIF orientation tag.
    fn png_with_orientation(stored: &RgbImage, orientation: u16) -> Vec<u8> {
        // Little-endian TIFF: header, one IFD entry (0x0112 orientation, SHORT, 1).
        let mut exif = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        exif.extend_from_slice(&orientation.to_le_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut out = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
        encoder.set_exif_metadata(exif).expect("png takes exif");
        encoder
            .write_image(
                stored.as_raw(),
                stored.width(),
                stored.height(),
                image::ExtendedColorType::Rgb8,
            )
            .expect("encode png");
        out
    }

    /// Regression for issue #15 (item 18): a JPEG cut anywhere after its header is
    /// refused, not hashed as the part that arrived; other formats already refuse.
    #[test]
    fn truncated_files_are_refused() {
        let pic = DynamicImage::ImageRgb8(picture(160, 120));
        for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif] {
            let whole = encode(&pic, format);
            assert!(pdq_from_encoded(&whole).is_ok(), "{format:?} whole");
            for keep in [whole.len() / 3, whole.len() / 2, whole.len() * 9 / 10] {
                let e = pdq_from_encoded(&whole[..keep]).expect_err(&format!("{format:?} {keep}"));
                assert!(e.to_string().starts_with("cannot decode"), "{format:?}: {e}");
            }
        }
        let e = pdq_from_encoded(&encode(&pic, ImageFormat::Jpeg)[..700]).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    #[test]
    fn formats_hash_like_their_pixels() {
        let pic = picture(160, 120);
        let direct = pdq_from_rgb8(pic.as_raw(), 160, 120);
        let pic = DynamicImage::ImageRgb8(pic);
        for (format, max) in [
            (ImageFormat::Png, 0),
            (ImageFormat::WebP, 0),
            (ImageFormat::Jpeg, 12),
            (ImageFormat::Gif, 40),
        ] {
            let pdq = pdq_from_encoded(&encode(&pic, format)).expect("decodes");
            let d = hamming(&pdq.hash, &direct.hash);
            assert!(d <= max, "{format:?}: distance {d}");
        }
    }

    #[test]
    fn alpha_is_dropped_not_blended() {
        let pic = picture(100, 80);
        let rgba = RgbaImage::from_fn(100, 80, |x, y| {
            let [r, g, b] = pic.get_pixel(x, y).0;
            image::Rgba([r, g, b, (x % 256) as u8])
        });
        let png = encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png);
        assert_eq!(pdq_from_encoded(&png).unwrap(), pdq_from_rgb8(pic.as_raw(), 100, 80));
    }

    #[test]
    fn grey_pixels_hash_like_equal_rgb() {
        // Pillow's convert("RGB") of an "L" image copies the grey into R, G and B.
        let grey =
            image::GrayImage::from_fn(90, 70, |x, y| image::Luma([((x * 5 + y * 11) % 256) as u8]));
        let rgb: Vec<u8> = grey.as_raw().iter().flat_map(|&v| [v, v, v]).collect();
        let png = encode(&DynamicImage::ImageLuma8(grey), ImageFormat::Png);
        assert_eq!(pdq_from_encoded(&png).unwrap(), pdq_from_rgb8(&rgb, 90, 70));
    }

    #[test]
    fn exif_orientation_is_applied() {
        let shown = picture(120, 90);
        let expected = pdq_from_rgb8(shown.as_raw(), 120, 90);
        // Stored pixels and the EXIF tag that displays them as `shown`.
        let cases = [
            (image::imageops::rotate180(&shown), 3),
            (image::imageops::rotate270(&shown), 6), // displayed after a clockwise turn
            (image::imageops::rotate90(&shown), 8),
            (image::imageops::flip_horizontal(&shown), 2),
        ];
        for (stored, tag) in cases {
            let pdq = pdq_from_encoded(&png_with_orientation(&stored, tag)).unwrap();
            assert_eq!(pdq, expected, "orientation {tag}");
            let raw = pdq_from_rgb8(stored.as_raw(), stored.width(), stored.height());
            assert!(hamming(&raw.hash, &expected.hash) > 40, "orientation {tag} changes the hash");
        }
    }

    #[test]
    fn dihedral_from_encoded_starts_with_plain_hash() {
        let png = encode(&DynamicImage::ImageRgb8(picture(90, 70)), ImageFormat::Png);
        assert_eq!(pdq_dihedral_from_encoded(&png).unwrap()[0], pdq_from_encoded(&png).unwrap());
    }

    #[test]
    fn errors_are_clear() {
        let err = |bytes: &[u8]| pdq_from_encoded(bytes).unwrap_err().to_string();
        assert_eq!(err(b"hello, world"), "cannot decode image: unsupported format");
        assert_eq!(err(b""), "cannot decode image: unsupported format");
        assert_eq!(err(b"BM\0\0\0\0\0\0\0\0\0\0\0\0"), "cannot decode image: unsupported format");
        let png = encode(&DynamicImage::ImageRgb8(picture(50, 40)), ImageFormat::Png);
        assert!(
            err(&png[..png.len() / 2]).starts_with("cannot decode png image: "),
            "{}",
            err(&png[..60])
        );
        assert_eq!(
            check_size(20_000, 20_000).unwrap_err().to_string(),
            "image is 20000x20000 pixels, limit 40000000"
        );
        assert_eq!(
            check_size(40_000, 10).unwrap_err().to_string(),
            "image is 40000x10 pixels, limit 32768 per side"
        );
    }

    #[test]
    fn huge_header_is_refused_before_decoding() {
        // A 1x1 PNG whose header claims 20000x20000: refused by size, not by a failed read.
        let mut png = encode(&DynamicImage::ImageRgb8(picture(1, 1)), ImageFormat::Png);
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            pdq_from_encoded(&png).unwrap_err().to_string(),
            "image is 20000x20000 pixels, limit 40000000"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn samples() -> Vec<Vec<u8>> {
        let pic = DynamicImage::ImageRgb8(picture(40, 30));
        [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif]
            .into_iter()
            .map(|f| encode(&pic, f))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = pdq_from_encoded(&bytes);
        }

        #[test]
        fn damaged_images_do_not_panic(
            which in 0usize..4,
            cut in 0.0f64..1.0,
            flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..8),
        ) {
            let mut bytes = samples().swap_remove(which);
            for (at, xor) in flips {
                let i = (at * bytes.len() as f64) as usize;
                bytes[i] ^= xor;
            }
            bytes.truncate((cut * bytes.len() as f64) as usize);
            let _ = pdq_from_encoded(&bytes);
            let _ = pdq_dihedral_from_encoded(&bytes);
        }
    }
}
