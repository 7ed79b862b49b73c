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

use crate::Pdq;

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
    let luma = luma_from_pixels(pixels, channels, width, height);
    pdq_from_luma(luma, width, height)
}

/// [`pdq_dihedral_from_rgb8`] for interleaved pixels, see [`pdq_from_pixels`].
pub(crate) fn pdq_dihedral_from_pixels(pixels: &[u8], channels: usize, width: u32, height: u32) -> [Pdq; 8] {
    let luma = luma_from_pixels(pixels, channels, width, height);
    pdq_dihedral_from_luma(luma, width, height)
}

/// Luma of interleaved 8-bit pixels, row-major. Computed in `f64` and rounded once to
/// `f32`, as pdqhash-python (which made the conformance hashes) does with numpy; the C++
/// tools' `f32` products can differ in the last bit (no hash changed on the conformance
/// images either way).
pub(crate) fn luma_from_pixels(pixels: &[u8], channels: usize, width: u32, height: u32) -> Vec<f32> {
    assert!(channels >= 3, "pdq needs at least 3 channels per pixel, got {channels}");
    let expected = (width as usize).checked_mul(height as usize).and_then(|n| n.checked_mul(channels));
    assert!(
        expected == Some(pixels.len()),
        "pixel buffer of {} bytes does not match {width}x{height} with {channels} channels",
        pixels.len()
    );
    pixels
        .chunks_exact(channels)
        .map(|p| (f64::from(p[0]) * 0.299 + f64::from(p[1]) * 0.587 + f64::from(p[2]) * 0.114) as f32)
        .collect()
}

/// Hash of a luma image (row-major `width * height`); `luma` is reused as a work buffer.
pub(crate) fn pdq_from_luma(luma: Vec<f32>, width: u32, height: u32) -> Pdq {
    match dct_from_luma(luma, width as usize, height as usize) {
        Some((dct, quality)) => Pdq { hash: bits_from_dct(&dct), quality },
        None => Pdq { hash: [0; 4], quality: 0 },
    }
}

/// The eight dihedral hashes of a luma image, see [`pdq_dihedral_from_rgb8`].
pub(crate) fn pdq_dihedral_from_luma(luma: Vec<f32>, width: u32, height: u32) -> [Pdq; 8] {
    let Some((dct, quality)) = dct_from_luma(luma, width as usize, height as usize) else {
        return [Pdq { hash: [0; 4], quality: 0 }; 8];
    };
    DIHEDRAL.map(|t| Pdq { hash: bits_from_dct(&t.apply(&dct)), quality })
}

/// Steps 2-4: blur, decimate, quality, DCT. `None` below the reference's minimum size.
fn dct_from_luma(mut luma: Vec<f32>, cols: usize, rows: usize) -> Option<(Dct16, u8)> {
    debug_assert_eq!(luma.len(), cols * rows);
    if rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM {
        return None;
    }
    let mut small = [[0f32; DOWNSAMPLED]; DOWNSAMPLED];
    if rows == DOWNSAMPLED && cols == DOWNSAMPLED {
        // The reference copies a 64x64 input as is (e.g. frames already scaled by ffmpeg);
        // a width-1 box filter would not be exact in floating point.
        for (dst, src) in small.iter_mut().zip(luma.chunks_exact(DOWNSAMPLED)) {
            dst.copy_from_slice(src);
        }
    } else {
        blur_and_decimate(&mut luma, rows, cols, &mut small);
    }
    Some((dct64_to_16(&small), quality(&small)))
}

/// `computeJaroszFilterWindowSize`: half of the input pixels per output pixel, rounded
/// up, since two passes together cover a whole block.
fn window_size(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// Rows filtered together: their running sums are independent dependency chains the
/// CPU overlaps, where one row alone waits on each float addition.
const ROW_GROUP: usize = 8;

/// `jaroszFilterFloat` then `decimateFloat`, computing of the last pass only what
/// the decimation samples: its row pass divides and stores just the 64 sampled
/// columns (the running sums still see every pixel), and its column pass runs on
/// those 64 columns alone, since each column's filter is independent of the others.
/// Every sampled value goes through the same float operations in the same order as
/// the full filter, so hashes are bit-identical (`sampled_blur_is_exact` checks it
/// against [`jarosz_filter`]); the last pass costs about a third of a full one.
fn blur_and_decimate(buf: &mut [f32], rows: usize, cols: usize, out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED]) {
    let along_rows = window_size(cols, DOWNSAMPLED);
    let along_cols = window_size(rows, DOWNSAMPLED);
    let mut scratch = vec![0f32; buf.len()];
    let mut col_sums = vec![0f32; cols];
    for _ in 1..JAROSZ_PASSES {
        row_pass(buf, &mut scratch, cols, along_rows);
        col_sums.fill(0.0);
        box_1d(&mut Columns { input: &scratch, output: buf, cols, sums: &mut col_sums }, rows, along_cols);
    }
    drop(scratch);
    let sample_cols: [usize; DOWNSAMPLED] = std::array::from_fn(|j| centre(j, cols));
    let mut narrow = vec![0f32; rows * DOWNSAMPLED];
    {
        let mut src = buf.chunks_exact(cols * ROW_GROUP);
        let mut dst = narrow.chunks_exact_mut(DOWNSAMPLED * ROW_GROUP);
        for (input, output) in (&mut src).zip(&mut dst) {
            let sums = RowSums { input, cols, sums: [0.0; ROW_GROUP] };
            let mut lanes = SampledRows { sums, output, samples: &sample_cols, next: 0 };
            box_1d(&mut lanes, cols, along_rows);
        }
        let rest = src.remainder().chunks_exact(cols).zip(dst.into_remainder().chunks_exact_mut(DOWNSAMPLED));
        for (input, output) in rest {
            let sums = RowSums { input, cols, sums: [0.0; 1] };
            box_1d(&mut SampledRows { sums, output, samples: &sample_cols, next: 0 }, cols, along_rows);
        }
    }
    let mut blurred = vec![0f32; rows * DOWNSAMPLED];
    let mut sums = [0f32; DOWNSAMPLED];
    box_1d(&mut Columns { input: &narrow, output: &mut blurred, cols: DOWNSAMPLED, sums: &mut sums }, rows, along_cols);
    for (i, out_row) in out.iter_mut().enumerate() {
        out_row.copy_from_slice(&blurred[centre(i, rows) * DOWNSAMPLED..][..DOWNSAMPLED]);
    }
}

/// One row pass of the Jarosz filter, `ROW_GROUP` rows at a time.
fn row_pass(input: &[f32], output: &mut [f32], cols: usize, window: usize) {
    let mut src = input.chunks_exact(cols * ROW_GROUP);
    let mut dst = output.chunks_exact_mut(cols * ROW_GROUP);
    for (input, output) in (&mut src).zip(&mut dst) {
        box_1d(&mut Rows { sums: RowSums { input, cols, sums: [0.0; ROW_GROUP] }, output }, cols, window);
    }
    let rest = src.remainder().chunks_exact(cols).zip(dst.into_remainder().chunks_exact_mut(cols));
    for (input, output) in rest {
        box_1d(&mut Rows { sums: RowSums { input, cols, sums: [0.0; 1] }, output }, cols, window);
    }
}

/// The reference's decimation index: the centre of cell `k` of `DOWNSAMPLED` over `n`.
fn centre(k: usize, n: usize) -> usize {
    (((k as f64 + 0.5) * n as f64) / DOWNSAMPLED as f64) as usize
}

/// `jaroszFilterFloat` in full: the result ends in `buf`. The oracle the sampled
/// [`blur_and_decimate`] is tested against.
#[cfg(test)]
fn jarosz_filter(buf: &mut [f32], scratch: &mut [f32], rows: usize, cols: usize) {
    let along_rows = window_size(cols, DOWNSAMPLED);
    let along_cols = window_size(rows, DOWNSAMPLED);
    let mut col_sums = vec![0f32; cols];
    for _ in 0..JAROSZ_PASSES {
        row_pass(buf, scratch, cols, along_rows);
        // All columns at once, row by row: the reference walks each column with a
        // stride, which is the same arithmetic in a cache-hostile order.
        col_sums.fill(0.0);
        let mut columns = Columns { input: scratch, output: buf, cols, sums: &mut col_sums };
        box_1d(&mut columns, rows, along_cols);
    }
}

/// Vectors filtered in lockstep by [`box_1d`]; element `k` of each is read or written
/// together.
trait Lanes {
    fn add(&mut self, k: usize);
    fn sub(&mut self, k: usize);
    /// Writes the running sums divided by `count` as output element `k`.
    fn write(&mut self, k: usize, count: usize);
}

/// `box1DFloat`: a running mean over `window` elements around each output, the window
/// growing at the start and shrinking at the end instead of padding. The phases and
/// the order of float operations are the reference's, so results are bit-identical.
fn box_1d(lanes: &mut impl Lanes, len: usize, window: usize) {
    let half = (window + 2) / 2;
    let mut count = 0;
    let mut out = 0;
    // Phase 1: accumulate the first half window without writing.
    for k in 0..half - 1 {
        lanes.add(k);
        count += 1;
    }
    // Phase 2: writes with a growing window, until it is full.
    for k in half - 1..window {
        lanes.add(k);
        count += 1;
        lanes.write(out, count);
        out += 1;
    }
    // Phase 3: the full window slides (adding the new element before subtracting).
    for k in window..len {
        lanes.add(k);
        lanes.sub(k - window);
        lanes.write(out, count);
        out += 1;
    }
    // Phase 4: the window shrinks over the last elements.
    for k in len - window..len - window + half - 1 {
        lanes.sub(k);
        count -= 1;
        lanes.write(out, count);
        out += 1;
    }
}

/// Running sums of `R` consecutive image rows, filtered along the row: the part of
/// [`Rows`] and [`SampledRows`] that reads.
struct RowSums<'a, const R: usize> {
    input: &'a [f32],
    cols: usize,
    sums: [f32; R],
}

impl<const R: usize> RowSums<'_, R> {
    fn add(&mut self, k: usize) {
        for (r, s) in self.sums.iter_mut().enumerate() {
            *s += self.input[r * self.cols + k];
        }
    }
    fn sub(&mut self, k: usize) {
        for (r, s) in self.sums.iter_mut().enumerate() {
            *s -= self.input[r * self.cols + k];
        }
    }
}

/// `R` consecutive image rows, filtered along the row.
struct Rows<'a, const R: usize> {
    sums: RowSums<'a, R>,
    output: &'a mut [f32],
}

impl<const R: usize> Lanes for Rows<'_, R> {
    fn add(&mut self, k: usize) {
        self.sums.add(k);
    }
    fn sub(&mut self, k: usize) {
        self.sums.sub(k);
    }
    fn write(&mut self, k: usize, count: usize) {
        let cols = self.sums.cols;
        for (r, s) in self.sums.sums.iter().enumerate() {
            self.output[r * cols + k] = s / count as f32;
        }
    }
}

/// `R` consecutive rows filtered along the row, of which only the sampled columns are
/// written, packed: output row `r` holds `DOWNSAMPLED` values.
struct SampledRows<'a, const R: usize> {
    sums: RowSums<'a, R>,
    output: &'a mut [f32],
    /// Sampled columns, non-decreasing (repeated when the image is under 64 wide).
    samples: &'a [usize; DOWNSAMPLED],
    /// First sample not written yet.
    next: usize,
}

impl<const R: usize> Lanes for SampledRows<'_, R> {
    fn add(&mut self, k: usize) {
        self.sums.add(k);
    }
    fn sub(&mut self, k: usize) {
        self.sums.sub(k);
    }
    fn write(&mut self, k: usize, count: usize) {
        while self.next < DOWNSAMPLED && self.samples[self.next] == k {
            for (r, s) in self.sums.sums.iter().enumerate() {
                self.output[r * DOWNSAMPLED + self.next] = s / count as f32;
            }
            self.next += 1;
        }
    }
}

/// Every column of the image, filtered down the column.
struct Columns<'a> {
    input: &'a [f32],
    output: &'a mut [f32],
    cols: usize,
    sums: &'a mut [f32],
}

impl Lanes for Columns<'_> {
    fn add(&mut self, k: usize) {
        let row = &self.input[k * self.cols..][..self.cols];
        self.sums.iter_mut().zip(row).for_each(|(s, x)| *s += x);
    }
    fn sub(&mut self, k: usize) {
        let row = &self.input[k * self.cols..][..self.cols];
        self.sums.iter_mut().zip(row).for_each(|(s, x)| *s -= x);
    }
    fn write(&mut self, k: usize, count: usize) {
        let n = count as f32;
        let row = &mut self.output[k * self.cols..][..self.cols];
        row.iter_mut().zip(self.sums.iter()).for_each(|(d, s)| *d = s / n);
    }
}

/// `decimateFloat`: samples the blurred image at the centres of a 64x64 grid.
#[cfg(test)]
fn decimate(buf: &[f32], rows: usize, cols: usize, out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED]) {
    for (i, out_row) in out.iter_mut().enumerate() {
        let row = &buf[centre(i, rows) * cols..][..cols];
        for (j, v) in out_row.iter_mut().enumerate() {
            *v = row[centre(j, cols)];
        }
    }
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
            let angle =
                (std::f64::consts::PI / 2.0 / DOWNSAMPLED as f64) * (i + 1) as f64 * (2 * j + 1) as f64;
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
                let l = ((cx * 7919 + cy * 104_729) ^ (cx * cy * 31)).wrapping_mul(2_654_435_761) >> 24;
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
