//! Meta's PDQ perceptual image hash, so an uploaded image can be compared with the
//! hashes in a risk package (near-duplicates differ in few of the 256 bits).
//!
//! This is a port of the reference C++ (`pdqhashing.cpp`, `downscaling.cpp` in
//! facebook/ThreatExchange), kept step by step and in `f32` like the reference, because
//! package hashes come from the reference tools and every rounding difference can flip
//! a bit whose coefficient sits near the median:
//!
//! 1. luma `0.299 R + 0.587 G + 0.114 B`;
//! 2. a Jarosz filter (two passes of box filters along rows, then columns) whose window
//!    is about 1/128 of the side, then decimation to 64x64 by sampling block centres;
//! 3. a quality score from the gradients of that 64x64 image;
//! 4. the 16x16 lowest non-constant frequencies of its DCT-II;
//! 5. one bit per coefficient: above the median or not.
//!
//! The eight rotations and flips of an image are hashed from the same DCT by sign
//! changes and a transpose, see [`pdq_dihedral_from_rgb8`].
//!
//! This module is also the crate's public face for images and videos: decoding an
//! uploaded file to its hash ([`pdq_from_encoded`]), the hash bank the screener queries
//! ([`HashBank`]) and Meta's vPDQ frame-hash files ([`parse_vpdq`]).

mod jarosz;
mod luma;

pub use crate::bank::{BankEntry, HashBank, INDEX_MIN_HASHES, MAX_DISTANCE as MAX_THRESHOLD};
pub use crate::decode::{
    MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, pdq_dihedral_from_encoded, pdq_from_encoded,
};
#[cfg(feature = "source")]
pub use crate::source::{HashFormat, export_hashes};
pub use crate::vpdq::{format_vpdq, parse_vpdq};

use crate::Pdq;
use jarosz::*;
use luma::*;

/// Hamming distance at or below which two PDQ hashes are taken as the same image:
/// Meta's recommended threshold (about 12% of the bits).
pub const PDQ_MATCH_DISTANCE: u16 = 31;

/// Quality below which a hash is unreliable per the PDQ spec (flat or nearly featureless
/// images, whose bits are mostly noise); such hashes should not be matched.
pub const PDQ_MIN_QUALITY: u8 = 50;

/// The reference refuses to hash images narrower or shorter than this (all-zero hash,
/// quality 0); we do the same so tiny images get the reference's answer.
const MIN_HASHABLE_DIM: usize = 5;

/// PDQ's intermediate image: the input is blurred and decimated to this many rows/cols.
const DOWNSAMPLED: usize = 64;

/// Two Jarosz passes of box filters approximate a tent filter (reference's
/// `PDQ_NUM_JAROSZ_XY_PASSES`).
const JAROSZ_PASSES: usize = 2;

/// The DCT coefficients that become bits: frequencies 1..=16 along each axis.
type Dct16 = [[f32; 16]; 16];

/// PDQ hash and quality of an 8-bit RGB image (`rgb` is `width * height * 3` bytes, row
/// by row). Images smaller than 5 pixels along a side get the all-zero hash and quality
/// 0, like the reference.
///
/// # Panics
/// If `rgb.len()` is not `width * height * 3`.
pub fn pdq_from_rgb8(rgb: &[u8], width: u32, height: u32) -> Pdq {
    pdq_from_pixels(rgb, 3, width, height)
}

/// The PDQ hashes of the eight rotations and flips of an 8-bit RGB image, all with the
/// quality of the original, in the reference's order:
///
/// 0. original; 1. rotated 90° counter-clockwise; 2. rotated 180°;
/// 3. rotated 90° clockwise (270° counter-clockwise); 4. flipped upside down
///    (rows reversed, the reference's "flip x"); 5. mirrored left-right (columns
///    reversed, "flip y"); 6. transposed (flip about the main diagonal, "flip +1");
/// 7. flipped about the anti-diagonal ("flip -1").
///
/// An image that is a rotated or flipped copy of this one hashes close to (not always
/// exactly at) the matching entry, because the blur and decimation are not perfectly
/// symmetric. Matching an upload against all eight catches rotated and mirrored copies.
///
/// # Panics
/// If `rgb.len()` is not `width * height * 3`.
pub fn pdq_dihedral_from_rgb8(rgb: &[u8], width: u32, height: u32) -> [Pdq; 8] {
    pdq_dihedral_from_pixels(rgb, 3, width, height)
}

/// Number of differing bits between two hashes (0..=256).
pub fn hamming(a: &[u64; 4], b: &[u64; 4]) -> u16 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones() as u16).sum()
}

/// [`pdq_from_rgb8`] for interleaved 8-bit pixels whose first three channels are R, G,
/// B; further channels (alpha) are ignored, as Pillow's `convert("RGB")` does.
pub(crate) fn pdq_from_pixels(pixels: &[u8], channels: usize, width: u32, height: u32) -> Pdq {
    match dct_from_pixels(pixels, channels, width as usize, height as usize) {
        Some((dct, quality)) => Pdq { hash: bits_from_dct(&dct), quality },
        None => Pdq { hash: [0; 4], quality: 0 },
    }
}

/// [`pdq_dihedral_from_rgb8`] for interleaved pixels, see [`pdq_from_pixels`].
pub(crate) fn pdq_dihedral_from_pixels(
    pixels: &[u8],
    channels: usize,
    width: u32,
    height: u32,
) -> [Pdq; 8] {
    let Some((dct, quality)) = dct_from_pixels(pixels, channels, width as usize, height as usize)
    else {
        return [Pdq { hash: [0; 4], quality: 0 }; 8];
    };
    DIHEDRAL.map(|t| Pdq { hash: bits_from_dct(&t.apply(&dct)), quality })
}

/// Steps 1-4: luma, blur, decimate, quality, DCT. `None` below the reference's minimum
/// size. Luma is computed a row at a time as the blur needs it, so no image-sized
/// buffer exists besides `pixels`.
fn dct_from_pixels(
    pixels: &[u8],
    channels: usize,
    cols: usize,
    rows: usize,
) -> Option<(Dct16, u8)> {
    assert!(channels >= 3, "pdq needs at least 3 channels per pixel, got {channels}");
    let expected = cols.checked_mul(rows).and_then(|n| n.checked_mul(channels));
    assert!(
        expected == Some(pixels.len()),
        "pixel buffer of {} bytes does not match {cols}x{rows} with {channels} channels",
        pixels.len()
    );
    if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM {
        return None;
    }
    let stride = cols * channels;
    let luma_row =
        |y: usize, out: &mut [f32]| luma_row(&pixels[y * stride..][..stride], channels, out);
    let mut small = [[0f32; DOWNSAMPLED]; DOWNSAMPLED];
    if rows == DOWNSAMPLED && cols == DOWNSAMPLED {
        // The reference copies a 64x64 input as is (e.g. frames already scaled by ffmpeg);
        // a width-1 box filter would not be exact in floating point.
        for (y, row) in small.iter_mut().enumerate() {
            luma_row(y, row);
        }
    } else {
        blur_and_decimate_rows(rows, cols, luma_row, &mut small);
    }
    Some((dct64_to_16(&small), quality(&small)))
}

/// `pdqImageDomainQualityMetric`: counts significant gradients between neighbours; flat
/// images score 0, detailed ones saturate at 100. The constants are the reference's.
fn quality(a: &[[f32; DOWNSAMPLED]; DOWNSAMPLED]) -> u8 {
    let step = |u: f32, v: f32| ((((u - v) * 100.0) / 255.0) as i32).unsigned_abs();
    let mut sum = 0u32;
    for (upper, lower) in a.iter().zip(&a[1..]) {
        sum += upper.iter().zip(lower).map(|(&u, &v)| step(u, v)).sum::<u32>();
    }
    for row in a {
        sum += row.iter().zip(&row[1..]).map(|(&u, &v)| step(u, v)).sum::<u32>();
    }
    (sum / 90).min(100) as u8
}

/// Row `i` of the (partial) DCT-II matrix, basis frequency `i + 1`: frequency 0 is the
/// mean brightness, which carries no shape information.
fn dct_matrix() -> [[f32; DOWNSAMPLED]; 16] {
    let scale = (2.0 / DOWNSAMPLED as f64).sqrt() as f32;
    let mut d = [[0f32; DOWNSAMPLED]; 16];
    for (i, row) in d.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            let angle = (std::f64::consts::PI / 2.0 / DOWNSAMPLED as f64)
                * (i + 1) as f64
                * (2 * j + 1) as f64;
            // float scale times double cosine, rounded once: the reference's expression.
            *v = (f64::from(scale) * angle.cos()) as f32;
        }
    }
    d
}

/// `dct64To16`: B = D A Dᵀ, with the reference's summation order.
fn dct64_to_16(a: &[[f32; DOWNSAMPLED]; DOWNSAMPLED]) -> Dct16 {
    let d = dct_matrix();
    let mut t = [[0f32; DOWNSAMPLED]; 16];
    for (t_row, d_row) in t.iter_mut().zip(&d) {
        for (j, v) in t_row.iter_mut().enumerate() {
            *v = d_row.iter().zip(a).fold(0.0, |s, (dk, a_row)| s + dk * a_row[j]);
        }
    }
    let mut b = [[0f32; 16]; 16];
    for (b_row, t_row) in b.iter_mut().zip(&t) {
        for (v, d_row) in b_row.iter_mut().zip(&d) {
            *v = t_row.iter().zip(d_row).fold(0.0, |s, (tk, dk)| s + tk * dk);
        }
    }
    b
}

/// `pdqBuffer16x16ToBits`: bit `i * 16 + j` is set when coefficient (i, j) is above the
/// median. The reference's Torben median of 256 values is the 128th smallest.
///
/// The reference stores bit k in 16-bit word k / 16 and prints word 15 first, i.e. the
/// hex string is the 256-bit number with bit k worth 2^k. `hash[0]` holds its top 64
/// bits, so bit k lands in `hash[3 - k / 64]` at position `k % 64`.
fn bits_from_dct(dct: &Dct16) -> [u64; 4] {
    let mut values = [0f32; 256];
    for (dst, src) in values.chunks_exact_mut(16).zip(dct) {
        dst.copy_from_slice(src);
    }
    let (_, &mut median, _) = values.select_nth_unstable_by(127, f32::total_cmp);
    let mut hash = [0u64; 4];
    for (i, row) in dct.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if v > median {
                let k = i * 16 + j;
                hash[3 - k / 64] |= 1 << (k % 64);
            }
        }
    }
    hash
}

/// One rotation or flip, expressed on the DCT coefficients. Reversing an axis of the
/// 64x64 image multiplies the coefficients of basis index `k = i + 1` along that axis by
/// `(-1)^k` (cos(π k (2(63-x)+1)/128) = (-1)^k cos(π k (2x+1)/128)), so even `i`
/// (odd `k`) change sign; swapping the image axes transposes the coefficient matrix.
#[derive(Clone, Copy)]
struct Dihedral {
    /// Reverse the rows (top-bottom) of the image.
    reverse_rows: bool,
    /// Reverse the columns (left-right) of the image.
    reverse_cols: bool,
    /// Then transpose.
    transpose: bool,
}

impl Dihedral {
    const fn new(reverse_rows: bool, reverse_cols: bool, transpose: bool) -> Dihedral {
        Dihedral { reverse_rows, reverse_cols, transpose }
    }

    fn apply(self, a: &Dct16) -> Dct16 {
        let mut b = [[0f32; 16]; 16];
        for (i, row) in a.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let negate = (self.reverse_rows && i % 2 == 0) != (self.reverse_cols && j % 2 == 0);
                let v = if negate { -v } else { v };
                if self.transpose {
                    b[j][i] = v;
                } else {
                    b[i][j] = v;
                }
            }
        }
        b
    }
}

/// The order of [`pdq_dihedral_from_rgb8`]; matches the reference's `dct16OriginalTo*`.
/// Counter-clockwise 90° = reverse columns, then transpose; clockwise = reverse rows,
/// then transpose; the anti-diagonal flip reverses both, then transposes.
const DIHEDRAL: [Dihedral; 8] = [
    Dihedral::new(false, false, false), // original
    Dihedral::new(false, true, true),   // rotate 90° counter-clockwise
    Dihedral::new(true, true, false),   // rotate 180°
    Dihedral::new(true, false, true),   // rotate 90° clockwise
    Dihedral::new(true, false, false),  // flip upside down
    Dihedral::new(false, true, false),  // mirror left-right
    Dihedral::new(false, false, true),  // transpose
    Dihedral::new(true, true, true),    // anti-transpose
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The sampled last pass gives exactly the full filter's samples.
        #[test]
        fn sampled_blur_is_exact(cols in 5usize..300, rows in 5usize..300, seed in any::<u32>()) {
            let luma: Vec<f32> = (0..rows * cols)
                .map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed) as f32 % 256.0)
                .collect();
            let mut full = luma.clone();
            let mut scratch = vec![0f32; luma.len()];
            jarosz_filter(&mut full, &mut scratch, rows, cols);
            let mut want = [[0f32; DOWNSAMPLED]; DOWNSAMPLED];
            decimate(&full, rows, cols, &mut want);
            let mut got = [[0f32; DOWNSAMPLED]; DOWNSAMPLED];
            blur_and_decimate(&mut luma.clone(), rows, cols, &mut got);
            prop_assert_eq!(got, want);
        }

        /// The streamed hash of pixels equals the reference pipeline's (`f64` luma,
        /// whole-image filter, decimation), tiny and odd sizes included.
        #[test]
        fn hash_matches_reference_pipeline(
            cols in 1usize..300,
            rows in 1usize..300,
            channels in 3usize..=4,
            seed in any::<u64>(),
        ) {
            let pixels = noise(cols * rows * channels, seed);
            let got = pdq_from_pixels(&pixels, channels, cols as u32, rows as u32);
            prop_assert_eq!(got, reference_pdq(&pixels, channels, cols, rows));
        }
    }

    /// `len` pseudo-random bytes.
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// PDQ the way the reference computes it, see [`reference`].
    fn reference_pdq(pixels: &[u8], channels: usize, cols: usize, rows: usize) -> Pdq {
        if cols < MIN_HASHABLE_DIM || rows < MIN_HASHABLE_DIM {
            return Pdq { hash: [0; 4], quality: 0 };
        }
        let mut luma = reference::luma_from_pixels(pixels, channels);
        let mut small = [[0f32; DOWNSAMPLED]; DOWNSAMPLED];
        if (cols, rows) == (DOWNSAMPLED, DOWNSAMPLED) {
            for (dst, src) in small.iter_mut().zip(luma.chunks_exact(DOWNSAMPLED)) {
                dst.copy_from_slice(src);
            }
        } else {
            let mut scratch = vec![0f32; luma.len()];
            jarosz_filter(&mut luma, &mut scratch, rows, cols);
            decimate(&luma, rows, cols, &mut small);
        }
        Pdq { hash: bits_from_dct(&dct64_to_16(&small)), quality: quality(&small) }
    }

    #[test]
    fn tall_and_wide_images_match_reference_pipeline() {
        // Windows over 16 rows wrap the first pass's ring buffer differently; widths
        // and heights off the 4- and 16-multiples take the scalar edges of the strips.
        let sizes = [
            (37, 2100, 3),
            (2100, 37, 4),
            (333, 1030, 3),
            (17, 4133, 3),
            (64, 64, 4),
            (1000, 1000, 3),
        ];
        for (cols, rows, channels) in sizes {
            let pixels = noise(cols * rows * channels, (cols * rows) as u64);
            let got = pdq_from_pixels(&pixels, channels, cols as u32, rows as u32);
            assert_eq!(
                got,
                reference_pdq(&pixels, channels, cols, rows),
                "{cols}x{rows}x{channels}"
            );
        }
    }

    /// The SIMD luma (four pixels at a time) against the reference, every tail length.
    #[test]
    fn luma_rows_match_reference() {
        for channels in 3..=4 {
            for cols in 1..40 {
                let pixels = noise(cols * channels, (cols * channels) as u64);
                let mut got = vec![0f32; cols];
                luma_row(&pixels, channels, &mut got);
                assert_eq!(
                    got,
                    reference::luma_from_pixels(&pixels, channels),
                    "{cols} pixels of {channels} channels"
                );
            }
        }
    }

    #[test]
    fn luma_matches_f64_formula() {
        for rgb in 0..1u32 << 24 {
            let [r, g, b, _] = rgb.to_le_bytes();
            let want = reference::luma(r, g, b);
            assert_eq!(luma(r, g, b).to_bits(), want.to_bits(), "rgb {r} {g} {b}");
        }
    }

    fn pattern(width: u32, height: u32) -> Vec<u8> {
        let mut rgb = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                let v = ((x * 37 + y * 101 + (x * y) % 13) % 256) as u8;
                rgb.extend_from_slice(&[v, v.wrapping_mul(3), 255 - v]);
            }
        }
        rgb
    }

    /// A 20x20 grid of pseudo-random grey cells: energy at all 16x16 frequencies, and
    /// cells much wider than the blur, so the hash is stable under resampling (unlike
    /// `pattern`'s near-noise or a smooth gradient's near-zero high frequencies).
    fn cells(width: u32, height: u32) -> Vec<u8> {
        let mut rgb = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            for x in 0..width {
                let (cx, cy) = (x * 20 / width, y * 20 / height);
                let l =
                    ((cx * 7919 + cy * 104_729) ^ (cx * cy * 31)).wrapping_mul(2_654_435_761) >> 24;
                rgb.extend_from_slice(&[l as u8; 3]);
            }
        }
        rgb
    }

    #[test]
    fn tiny_and_thin_images_do_not_panic() {
        for (w, h) in [
            (1, 1),
            (1, 7),
            (7, 1),
            (4, 4),
            (5, 5),
            (1, 300),
            (300, 1),
            (5, 129),
            (129, 6),
            (64, 64),
            (65, 63),
        ] {
            let rgb = pattern(w, h);
            let pdq = pdq_from_rgb8(&rgb, w, h);
            let dihedral = pdq_dihedral_from_rgb8(&rgb, w, h);
            assert_eq!(dihedral[0], pdq, "{w}x{h}");
            if w < 5 || h < 5 {
                assert_eq!(pdq, Pdq { hash: [0; 4], quality: 0 }, "{w}x{h}");
            }
        }
    }

    #[test]
    fn zero_size_is_the_empty_hash() {
        assert_eq!(pdq_from_rgb8(&[], 0, 10), Pdq { hash: [0; 4], quality: 0 });
    }

    #[test]
    fn flat_grey_has_quality_zero() {
        let rgb = vec![128u8; 200 * 150 * 3];
        assert_eq!(pdq_from_rgb8(&rgb, 200, 150).quality, 0);
    }

    #[test]
    fn detailed_image_has_full_quality_and_half_the_bits() {
        let pdq = pdq_from_rgb8(&pattern(300, 200), 300, 200);
        assert!(pdq.quality >= PDQ_MIN_QUALITY, "quality {}", pdq.quality);
        let ones: u32 = pdq.hash.iter().map(|w| w.count_ones()).sum();
        assert!(ones <= 128, "at most half the bits are above the median, got {ones}");
    }

    #[test]
    fn hex_round_trip() {
        let pdq = pdq_from_rgb8(&pattern(120, 90), 120, 90);
        let hex = Pdq::to_hex(&pdq.hash);
        assert_eq!(hex.len(), 64);
        assert_eq!(Pdq::parse_hex(&hex), Some(pdq.hash));
    }

    #[test]
    fn bit_numbering_matches_reference_hex() {
        // Coefficient (0, 0) is bit 0: the last hex digit's low bit. (15, 15) is bit 255.
        let mut dct = [[0f32; 16]; 16];
        dct[0][0] = 2.0;
        dct[15][15] = 1.0;
        dct[0][1] = 1.0; // bit 1
        let hex = Pdq::to_hex(&bits_from_dct(&dct));
        assert!(hex.starts_with('8'), "{hex}");
        assert!(hex.ends_with('3'), "{hex}");
    }

    #[test]
    fn hamming_counts_differing_bits() {
        let a = [0u64, u64::MAX, 0b1011, 1 << 63];
        assert_eq!(hamming(&a, &a), 0);
        assert_eq!(hamming(&a, &[0; 4]), 64 + 3 + 1);
        assert_eq!(hamming(&[0; 4], &[u64::MAX; 4]), 256);
    }

    #[test]
    fn dihedral_of_transformed_image_matches() {
        // The DCT-side transforms agree with transforming the pixels, up to the blur's
        // and decimation's asymmetry (about 2 pixels when an axis is reversed, hence the
        // large image). Each transformed copy must match its own variant only.
        let (w, h) = (1024u32, 768u32);
        let rgb = cells(w, h);
        let set = pdq_dihedral_from_rgb8(&rgb, w, h);
        let px = |x: u32, y: u32| &rgb[((y * w + x) * 3) as usize..][..3];
        let transformed = |tw: u32, th: u32, src: &dyn Fn(u32, u32) -> (u32, u32)| {
            let mut out = Vec::new();
            for y in 0..th {
                for x in 0..tw {
                    let (sx, sy) = src(x, y);
                    out.extend_from_slice(px(sx, sy));
                }
            }
            pdq_from_rgb8(&out, tw, th).hash
        };
        // (variant, width, height, source pixel of each target pixel)
        type Case<'a> = (usize, u32, u32, &'a dyn Fn(u32, u32) -> (u32, u32));
        let cases: [Case; 7] = [
            (1, h, w, &|x, y| (w - 1 - y, x)),         // counter-clockwise
            (2, w, h, &|x, y| (w - 1 - x, h - 1 - y)), // 180
            (3, h, w, &|x, y| (y, h - 1 - x)),         // clockwise
            (4, w, h, &|x, y| (x, h - 1 - y)),         // upside down
            (5, w, h, &|x, y| (w - 1 - x, y)),         // mirror
            (6, h, w, &|x, y| (y, x)),                 // transpose
            (7, h, w, &|x, y| (w - 1 - y, h - 1 - x)), // anti-transpose
        ];
        for (index, tw, th, src) in cases {
            let hash = transformed(tw, th, src);
            let d: Vec<u16> = set.iter().map(|p| hamming(&hash, &p.hash)).collect();
            assert!(d[index] <= 24, "variant {index}: distances {d:?}");
            let others = d.iter().enumerate().filter(|&(k, _)| k != index).map(|(_, &x)| x);
            assert!(others.min() > Some(PDQ_MATCH_DISTANCE), "variant {index}: distances {d:?}");
        }
    }
}
