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
    match dct_from_pixels(pixels, channels, width as usize, height as usize) {
        Some((dct, quality)) => Pdq { hash: bits_from_dct(&dct), quality },
        None => Pdq { hash: [0; 4], quality: 0 },
    }
}

/// [`pdq_dihedral_from_rgb8`] for interleaved pixels, see [`pdq_from_pixels`].
pub(crate) fn pdq_dihedral_from_pixels(pixels: &[u8], channels: usize, width: u32, height: u32) -> [Pdq; 8] {
    let Some((dct, quality)) = dct_from_pixels(pixels, channels, width as usize, height as usize) else {
        return [Pdq { hash: [0; 4], quality: 0 }; 8];
    };
    DIHEDRAL.map(|t| Pdq { hash: bits_from_dct(&t.apply(&dct)), quality })
}

/// Steps 1-4: luma, blur, decimate, quality, DCT. `None` below the reference's minimum
/// size. Luma is computed a row at a time as the blur needs it, so no image-sized
/// buffer exists besides `pixels`.
fn dct_from_pixels(pixels: &[u8], channels: usize, cols: usize, rows: usize) -> Option<(Dct16, u8)> {
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
    let luma_row = |y: usize, out: &mut [f32]| luma_row(&pixels[y * stride..][..stride], channels, out);
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

/// Luma of one row of interleaved 8-bit pixels into `out`.
fn luma_row(pixels: &[u8], channels: usize, out: &mut [f32]) {
    // A constant channel count lets the compiler unroll the pixel loop.
    match channels {
        3 => luma_row_of::<3>(pixels, out),
        4 => luma_row_of::<4>(pixels, out),
        _ => out.iter_mut().zip(pixels.chunks_exact(channels)).for_each(|(l, p)| *l = luma(p[0], p[1], p[2])),
    }
}

fn luma_row_of<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) {
    let done = 4 * luma_quads::<CHANNELS>(pixels, out);
    for (l, p) in out[done..].iter_mut().zip(pixels[done * CHANNELS..].chunks_exact(CHANNELS)) {
        *l = luma(p[0], p[1], p[2]);
    }
}

/// How many groups of four pixels [`luma_quads`] can take with 16-byte loads: four
/// pixels span 12 or 16 bytes, and the last ones, whose load would pass the end of
/// the row, are left to the scalar loop.
fn quads_in<const CHANNELS: usize>(pixels: &[u8], out: &[f32]) -> usize {
    match pixels.len().checked_sub(16) {
        Some(rest) => (rest / (4 * CHANNELS) + 1).min(out.len() / 4),
        None => 0,
    }
}

/// [`luma`] of the leading groups of four pixels with one 16-byte load each: a byte
/// shuffle spreads their R, G pairs and their B into 16-bit lanes, and two dot
/// products (`pmaddwd`) give `299 R + 587 G` and `114 B` per pixel; the compiler's own
/// vectorization loads the bytes one by one (three times the instructions). Returns
/// the number of groups done; the SSSE3 version below is the same, and the one native
/// tests run.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn luma_quads<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) -> usize {
    use core::arch::wasm32::{
        f32x4_convert_i32x4, f32x4_div, f32x4_splat, i8x16, i8x16_swizzle, i16x8, i32x4_add, i32x4_dot_i16x8,
        v128, v128_load,
    };
    // Byte `c` of pixel `p` is at `p * CHANNELS + c`; -1 selects zero.
    let byte = |p: usize, c: usize| (p * CHANNELS + c) as i8;
    #[rustfmt::skip]
    let rg = i8x16(
        byte(0, 0), -1, byte(0, 1), -1, byte(1, 0), -1, byte(1, 1), -1,
        byte(2, 0), -1, byte(2, 1), -1, byte(3, 0), -1, byte(3, 1), -1,
    );
    #[rustfmt::skip]
    let b = i8x16(
        byte(0, 2), -1, -1, -1, byte(1, 2), -1, -1, -1,
        byte(2, 2), -1, -1, -1, byte(3, 2), -1, -1, -1,
    );
    let rg_weights = i16x8(299, 587, 299, 587, 299, 587, 299, 587);
    let b_weights = i16x8(114, 0, 114, 0, 114, 0, 114, 0);
    let thousand = f32x4_splat(1000.0);
    let quads = quads_in::<CHANNELS>(pixels, out);
    for (q, dst) in out.chunks_exact_mut(4).take(quads).enumerate() {
        let src = &pixels[q * 4 * CHANNELS..][..16];
        // SAFETY: `src` holds 16 bytes; wasm loads need no alignment.
        let v = unsafe { v128_load(src.as_ptr().cast::<v128>()) };
        let n = i32x4_add(
            i32x4_dot_i16x8(i8x16_swizzle(v, rg), rg_weights),
            i32x4_dot_i16x8(i8x16_swizzle(v, b), b_weights),
        );
        let l = f32x4_div(f32x4_convert_i32x4(n), thousand);
        // SAFETY: `v128` and `[f32; 4]` are both 16 bytes of plain data.
        dst.copy_from_slice(&unsafe { std::mem::transmute::<v128, [f32; 4]>(l) });
    }
    quads
}

/// See the wasm version; CPUs without SSSE3 (`pshufb`) take the scalar loop.
#[cfg(target_arch = "x86_64")]
fn luma_quads<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) -> usize {
    if !std::arch::is_x86_feature_detected!("ssse3") {
        return 0;
    }
    // SAFETY: the CPU has SSSE3.
    unsafe { luma_quads_ssse3::<CHANNELS>(pixels, out) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn luma_quads_ssse3<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) -> usize {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_cvtepi32_ps, _mm_div_ps, _mm_loadu_si128, _mm_madd_epi16, _mm_set1_ps,
        _mm_setr_epi8, _mm_setr_epi16, _mm_shuffle_epi8, _mm_storeu_ps,
    };
    // Byte `c` of pixel `p` is at `p * CHANNELS + c`; -1 selects zero.
    let byte = |p: usize, c: usize| (p * CHANNELS + c) as i8;
    #[rustfmt::skip]
    let rg = _mm_setr_epi8(
        byte(0, 0), -1, byte(0, 1), -1, byte(1, 0), -1, byte(1, 1), -1,
        byte(2, 0), -1, byte(2, 1), -1, byte(3, 0), -1, byte(3, 1), -1,
    );
    #[rustfmt::skip]
    let b = _mm_setr_epi8(
        byte(0, 2), -1, -1, -1, byte(1, 2), -1, -1, -1,
        byte(2, 2), -1, -1, -1, byte(3, 2), -1, -1, -1,
    );
    let rg_weights = _mm_setr_epi16(299, 587, 299, 587, 299, 587, 299, 587);
    let b_weights = _mm_setr_epi16(114, 0, 114, 0, 114, 0, 114, 0);
    let thousand = _mm_set1_ps(1000.0);
    let quads = quads_in::<CHANNELS>(pixels, out);
    for (q, dst) in out.chunks_exact_mut(4).take(quads).enumerate() {
        let src = &pixels[q * 4 * CHANNELS..][..16];
        // SAFETY: `src` holds 16 bytes; the load needs no alignment.
        let v = unsafe { _mm_loadu_si128(src.as_ptr().cast::<__m128i>()) };
        let n = _mm_add_epi32(
            _mm_madd_epi16(_mm_shuffle_epi8(v, rg), rg_weights),
            _mm_madd_epi16(_mm_shuffle_epi8(v, b), b_weights),
        );
        // SAFETY: `dst` holds 4 floats; the store needs no alignment.
        unsafe { _mm_storeu_ps(dst.as_mut_ptr(), _mm_div_ps(_mm_cvtepi32_ps(n), thousand)) };
    }
    quads
}

/// Other targets: every pixel goes through the scalar loop.
#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
fn luma_quads<const CHANNELS: usize>(_pixels: &[u8], _out: &mut [f32]) -> usize {
    0
}

/// `0.299 R + 0.587 G + 0.114 B` rounded to `f32`, bit for bit what pdqhash-python (which
/// made the conformance hashes) computes in `f64` with numpy and rounds once to `f32`.
/// The C++ tools' `f32` products can differ in the last bit (no hash changed on the
/// conformance images either way).
///
/// Why the integer form is exact: the sum is `n / 1000` with `n = 299 R + 587 G + 114 B`
/// (an integer below 2^24, so exact as `f32`), and `f32` division rounds `n / 1000`
/// correctly. The `f64` evaluation differs from `n / 1000` by under 1e-13, while
/// `n / 1000` is never closer than 6e-8 to a rounding boundary of `f32` (a midpoint
/// `m / 2^e` with odd `m` would need `1000 m = n 2^e`, impossible for `e >= 4`), so
/// both round to the same `f32`. `luma_matches_f64_formula` checks all 2^24 colours.
fn luma(r: u8, g: u8, b: u8) -> f32 {
    let n = 299 * i32::from(r) + 587 * i32::from(g) + 114 * i32::from(b);
    n as f32 / 1000.0
}

/// `computeJaroszFilterWindowSize`: half of the input pixels per output pixel, rounded
/// up, since two passes together cover a whole block.
fn window_size(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// Image rows filtered together along the row, one per SIMD lane: the running sum of
/// one row is a chain of dependent additions, so only rows side by side vectorize.
/// Sixteen are four 4-lane vectors, enough independent chains to hide the latency.
const LANES: usize = 16;

/// `LANES` image rows stored column by column: element `x` holds pixel `x` of each.
type Strip = [f32; LANES];

/// `jaroszFilterFloat` then `decimateFloat`, streamed over the image `LANES` rows at a
/// time; `luma_row(y, out)` writes row `y` of the input. Every sampled value goes
/// through the same float operations in the same order as the full filter, so hashes
/// are bit-identical (`sampled_blur_is_exact` checks it against [`jarosz_filter`]):
///
/// - the row passes run on [`Strip`]s, `LANES` rows in lockstep;
/// - the first column pass keeps its running sums across the image and the rows it
///   still has to subtract in a ring buffer ([`ColumnPass`]), so nothing image-sized
///   is allocated or zeroed, and what is in flight stays in cache;
/// - the last pass computes only what the decimation samples: its row pass divides
///   just the 64 sampled columns (the running sums still see every pixel), and its
///   column pass runs on those 64 columns alone, each column's filter being
///   independent of the others.
fn blur_and_decimate_rows(
    rows: usize,
    cols: usize,
    mut luma_row: impl FnMut(usize, &mut [f32]),
    out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED],
) {
    debug_assert_eq!(JAROSZ_PASSES, 2, "the streamed filter is written for two passes");
    let along_rows = window_size(cols, DOWNSAMPLED);
    let along_cols = window_size(rows, DOWNSAMPLED);
    let mut staging = vec![0f32; LANES * cols];
    let mut strip = vec![[0f32; LANES]; cols];
    let mut filtered = vec![[0f32; LANES]; cols];
    let mut columns = ColumnPass::new(rows, cols, along_cols);
    let mut last = SampledPass::new(rows, cols, along_rows);
    // A first-pass output row `o` completes a strip for the last pass at every
    // `LANES`-th row and at the bottom of the image.
    let emit = |o: Option<usize>, last: &mut SampledPass| {
        if let Some(o) = o
            && (o % LANES == LANES - 1 || o == rows - 1)
        {
            last.run(o - o % LANES);
        }
    };
    for y0 in (0..rows).step_by(LANES) {
        let n = LANES.min(rows - y0);
        for (r, dst) in staging.chunks_exact_mut(cols).take(n).enumerate() {
            luma_row(y0 + r, dst);
        }
        // In the last strip, lanes past the bottom row filter stale values; their rows
        // land in the ring but are never read back.
        rows_to_strip(&staging, cols, &mut strip);
        box_1d(&mut StripRows { input: &strip, output: &mut filtered, sums: [0.0; LANES] }, cols, along_rows);
        strip_to_rows(&filtered, cols, columns.ring_rows(y0));
        for y in y0..y0 + n {
            let o = columns.push(y, &mut last.pending);
            emit(o, &mut last);
        }
    }
    for step in 0..columns.tail_len() {
        let o = columns.tail(step, &mut last.pending);
        emit(Some(o), &mut last);
    }
    last.finish(rows, out);
}

/// [`blur_and_decimate_rows`] of a luma image (row-major), the form the reference-order
/// filter is tested against.
#[cfg(test)]
fn blur_and_decimate(buf: &mut [f32], rows: usize, cols: usize, out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED]) {
    blur_and_decimate_rows(rows, cols, |y, dst| dst.copy_from_slice(&buf[y * cols..][..cols]), out);
}

/// The first pass's column filter, streamed: rows come in from the top, each output row
/// is written as soon as its window is complete. This is [`box_1d`]'s phases with every
/// column as a lane (adding the new row before subtracting the old, like the reference).
struct ColumnPass {
    rows: usize,
    cols: usize,
    window: usize,
    /// Rows read before the first output: `(window + 2) / 2 - 1`.
    lead: usize,
    sums: Vec<f32>,
    /// Row-filtered input rows; row `y` lives in slot `y % (ring.len() / cols)`.
    ring: Vec<f32>,
}

impl ColumnPass {
    fn new(rows: usize, cols: usize, window: usize) -> ColumnPass {
        // Holds the `window` rows still to be subtracted plus a whole strip being
        // written; a multiple of `LANES` rows so each strip's slots are contiguous.
        let slots = LANES * (window.div_ceil(LANES) + 1);
        let (sums, ring) = (vec![0.0; cols], vec![0.0; slots * cols]);
        ColumnPass { rows, cols, window, lead: (window + 2) / 2 - 1, sums, ring }
    }

    fn slot(&self, y: usize) -> usize {
        y % (self.ring.len() / self.cols) * self.cols
    }

    /// The ring slots of rows `y0..y0 + LANES` (`y0` a multiple of `LANES`).
    fn ring_rows(&mut self, y0: usize) -> &mut [f32] {
        let start = self.slot(y0);
        &mut self.ring[start..][..LANES * self.cols]
    }

    /// Takes in row `k` (already in the ring); when an output row is due, writes it into
    /// its slot of the `LANES`-row `pending` buffer and returns its index.
    fn push(&mut self, k: usize, pending: &mut [f32]) -> Option<usize> {
        let cols = self.cols;
        let new = &self.ring[self.slot(k)..][..cols];
        if k < self.window {
            self.sums.iter_mut().zip(new).for_each(|(s, x)| *s += x);
            if k < self.lead {
                return None;
            }
            let o = k - self.lead;
            divide(&self.sums, (k + 1) as f32, &mut pending[o % LANES * cols..][..cols]);
            return Some(o);
        }
        let old = &self.ring[self.slot(k - self.window)..][..cols];
        let o = k - self.lead;
        let n = self.window as f32;
        let row = pending[o % LANES * cols..][..cols].iter_mut();
        for (((s, x), y), d) in self.sums.iter_mut().zip(new).zip(old).zip(row) {
            *s += x;
            *s -= y;
            *d = *s / n;
        }
        Some(o)
    }

    /// Output rows still due after the last input row: the window shrinking.
    fn tail_len(&self) -> usize {
        self.lead
    }

    /// Step `step` of the shrinking window; returns the output row written to `pending`.
    fn tail(&mut self, step: usize, pending: &mut [f32]) -> usize {
        let k = self.rows - self.window + step;
        let old = &self.ring[self.slot(k)..][..self.cols];
        self.sums.iter_mut().zip(old).for_each(|(s, x)| *s -= x);
        let o = self.rows - self.lead + step;
        divide(&self.sums, (self.window - step - 1) as f32, &mut pending[o % LANES * self.cols..][..self.cols]);
        o
    }
}

fn divide(sums: &[f32], n: f32, out: &mut [f32]) {
    out.iter_mut().zip(sums).for_each(|(d, s)| *d = s / n);
}

/// The last pass: its row filter on the first pass's output, `LANES` rows at a time,
/// keeping the sampled columns, then its column filter on those.
struct SampledPass {
    cols: usize,
    window: usize,
    samples: [usize; DOWNSAMPLED],
    /// The first pass's output rows, row `o` in slot `o % LANES`.
    pending: Vec<f32>,
    strip: Vec<Strip>,
    /// The sampled columns of every row, `DOWNSAMPLED` per row.
    narrow: Vec<f32>,
}

impl SampledPass {
    fn new(rows: usize, cols: usize, window: usize) -> SampledPass {
        SampledPass {
            cols,
            window,
            samples: std::array::from_fn(|j| centre(j, cols)),
            pending: vec![0.0; LANES * cols],
            strip: vec![[0.0; LANES]; cols],
            narrow: vec![0.0; rows * DOWNSAMPLED],
        }
    }

    /// Filters the pending rows `o0..` (up to `LANES`, fewer at the bottom).
    fn run(&mut self, o0: usize) {
        rows_to_strip(&self.pending, self.cols, &mut self.strip);
        let output = &mut self.narrow[o0 * DOWNSAMPLED..];
        let valid = LANES.min(output.len() / DOWNSAMPLED);
        let (input, samples) = (&self.strip, &self.samples);
        let mut lanes = SampledStrip { input, sums: [0.0; LANES], output, valid, samples, next: 0 };
        box_1d(&mut lanes, self.cols, self.window);
    }

    /// The column filter on the sampled columns, then the sampled rows into `out`.
    fn finish(self, rows: usize, out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED]) {
        let mut blurred = vec![0f32; rows * DOWNSAMPLED];
        let mut sums = [0f32; DOWNSAMPLED];
        let along_cols = window_size(rows, DOWNSAMPLED);
        let mut columns = Columns { input: &self.narrow, output: &mut blurred, cols: DOWNSAMPLED, sums: &mut sums };
        box_1d(&mut columns, rows, along_cols);
        for (i, out_row) in out.iter_mut().enumerate() {
            out_row.copy_from_slice(&blurred[centre(i, rows) * DOWNSAMPLED..][..DOWNSAMPLED]);
        }
    }
}

/// `LANES` rows (row-major, `cols` each) into strip layout.
fn rows_to_strip(rows: &[f32], cols: usize, strip: &mut [Strip]) {
    let blocks = cols / 4 * 4;
    for q in 0..LANES / 4 {
        let src: [&[f32]; 4] = std::array::from_fn(|i| &rows[(4 * q + i) * cols..][..cols]);
        for (x, dst) in (0..blocks).step_by(4).zip(strip.chunks_exact_mut(4)) {
            let block = transpose4(src.map(|row| four(&row[x..])));
            for (d, b) in dst.iter_mut().zip(block) {
                d[4 * q..][..4].copy_from_slice(&b);
            }
        }
        for x in blocks..cols {
            for (i, row) in src.iter().enumerate() {
                strip[x][4 * q + i] = row[x];
            }
        }
    }
}

/// Strip layout back into `LANES` rows (row-major, `cols` each).
fn strip_to_rows(strip: &[Strip], cols: usize, rows: &mut [f32]) {
    let blocks = cols / 4 * 4;
    for (q, quad) in rows.chunks_exact_mut(4 * cols).enumerate() {
        let (r0, rest) = quad.split_at_mut(cols);
        let (r1, rest) = rest.split_at_mut(cols);
        let (r2, r3) = rest.split_at_mut(cols);
        let mut dst = [r0, r1, r2, r3];
        for (x, src) in (0..blocks).step_by(4).zip(strip.chunks_exact(4)) {
            let block = transpose4(std::array::from_fn(|j| four(&src[j][4 * q..])));
            for (d, b) in dst.iter_mut().zip(block) {
                d[x..x + 4].copy_from_slice(&b);
            }
        }
        for x in blocks..cols {
            for (i, d) in dst.iter_mut().enumerate() {
                d[x] = strip[x][4 * q + i];
            }
        }
    }
}

/// The first four values of `v`.
fn four(v: &[f32]) -> &[f32; 4] {
    v[..4].try_into().expect("four values")
}

/// The transpose of a 4x4 block (`rows[i][j]` becomes `out[j][i]`): two rounds of
/// interleaving in registers, where the compiler would move the 16 values one by one.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn transpose4(rows: [&[f32; 4]; 4]) -> [[f32; 4]; 4] {
    use core::arch::wasm32::{i32x4_shuffle, i64x2_shuffle, v128, v128_load};
    // SAFETY: each row is 16 readable bytes; wasm loads need no alignment.
    let [a, b, c, d] = rows.map(|r| unsafe { v128_load(r.as_ptr().cast::<v128>()) });
    let (ab_lo, ab_hi) = (i32x4_shuffle::<0, 4, 1, 5>(a, b), i32x4_shuffle::<2, 6, 3, 7>(a, b));
    let (cd_lo, cd_hi) = (i32x4_shuffle::<0, 4, 1, 5>(c, d), i32x4_shuffle::<2, 6, 3, 7>(c, d));
    let cols = [
        i64x2_shuffle::<0, 2>(ab_lo, cd_lo),
        i64x2_shuffle::<1, 3>(ab_lo, cd_lo),
        i64x2_shuffle::<0, 2>(ab_hi, cd_hi),
        i64x2_shuffle::<1, 3>(ab_hi, cd_hi),
    ];
    // SAFETY: `v128` and `[f32; 4]` are both 16 bytes of plain data.
    cols.map(|v| unsafe { std::mem::transmute::<v128, [f32; 4]>(v) })
}

/// See the wasm version.
#[cfg(target_arch = "x86_64")]
fn transpose4(rows: [&[f32; 4]; 4]) -> [[f32; 4]; 4] {
    use core::arch::x86_64::{__m128, _mm_loadu_ps, _mm_movehl_ps, _mm_movelh_ps, _mm_unpackhi_ps, _mm_unpacklo_ps};
    // SAFETY: SSE is part of every x86_64 target; each row is 16 readable bytes.
    let cols = unsafe {
        let [a, b, c, d] = rows.map(|r| _mm_loadu_ps(r.as_ptr()));
        let (ab_lo, ab_hi) = (_mm_unpacklo_ps(a, b), _mm_unpackhi_ps(a, b));
        let (cd_lo, cd_hi) = (_mm_unpacklo_ps(c, d), _mm_unpackhi_ps(c, d));
        // movehl(x, y) is [y2, y3, x2, x3].
        let (c0, c1) = (_mm_movelh_ps(ab_lo, cd_lo), _mm_movehl_ps(cd_lo, ab_lo));
        [c0, c1, _mm_movelh_ps(ab_hi, cd_hi), _mm_movehl_ps(cd_hi, ab_hi)]
    };
    // SAFETY: `__m128` and `[f32; 4]` are both 16 bytes of plain data.
    cols.map(|v| unsafe { std::mem::transmute::<__m128, [f32; 4]>(v) })
}

/// See the wasm version.
#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
fn transpose4(rows: [&[f32; 4]; 4]) -> [[f32; 4]; 4] {
    std::array::from_fn(|j| std::array::from_fn(|i| rows[i][j]))
}

/// The reference's decimation index: the centre of cell `k` of `DOWNSAMPLED` over `n`.
fn centre(k: usize, n: usize) -> usize {
    (((k as f64 + 0.5) * n as f64) / DOWNSAMPLED as f64) as usize
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

/// A strip of rows filtered along the row.
struct StripRows<'a> {
    input: &'a [Strip],
    output: &'a mut [Strip],
    sums: Strip,
}

impl Lanes for StripRows<'_> {
    fn add(&mut self, k: usize) {
        self.sums.iter_mut().zip(&self.input[k]).for_each(|(s, x)| *s += x);
    }
    fn sub(&mut self, k: usize) {
        self.sums.iter_mut().zip(&self.input[k]).for_each(|(s, x)| *s -= x);
    }
    fn write(&mut self, k: usize, count: usize) {
        let n = count as f32;
        self.output[k].iter_mut().zip(&self.sums).for_each(|(d, s)| *d = s / n);
    }
}

/// A strip of rows filtered along the row, of which only the sampled columns of the
/// first `valid` rows are written: output row `r` holds `DOWNSAMPLED` values.
struct SampledStrip<'a> {
    input: &'a [Strip],
    sums: Strip,
    output: &'a mut [f32],
    valid: usize,
    /// Sampled columns, non-decreasing (repeated when the image is under 64 wide).
    samples: &'a [usize; DOWNSAMPLED],
    /// First sample not written yet.
    next: usize,
}

impl Lanes for SampledStrip<'_> {
    fn add(&mut self, k: usize) {
        self.sums.iter_mut().zip(&self.input[k]).for_each(|(s, x)| *s += x);
    }
    fn sub(&mut self, k: usize) {
        self.sums.iter_mut().zip(&self.input[k]).for_each(|(s, x)| *s -= x);
    }
    fn write(&mut self, k: usize, count: usize) {
        while self.next < DOWNSAMPLED && self.samples[self.next] == k {
            for (r, s) in self.sums.iter().take(self.valid).enumerate() {
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

/// The reference filter, kept as the oracle the streamed one is tested against: luma
/// in `f64` like pdqhash-python, whole-image row and column passes, then decimation.
#[cfg(test)]
mod reference {
    use super::{Columns, DOWNSAMPLED, JAROSZ_PASSES, Lanes, box_1d, centre, window_size};

    /// Luma of interleaved pixels, row-major, in `f64` rounded once to `f32`.
    pub(super) fn luma_from_pixels(pixels: &[u8], channels: usize) -> Vec<f32> {
        pixels.chunks_exact(channels).map(|p| luma(p[0], p[1], p[2])).collect()
    }

    pub(super) fn luma(r: u8, g: u8, b: u8) -> f32 {
        (f64::from(r) * 0.299 + f64::from(g) * 0.587 + f64::from(b) * 0.114) as f32
    }

    /// `jaroszFilterFloat` in full: the result ends in `buf`.
    pub(super) fn jarosz_filter(buf: &mut [f32], scratch: &mut [f32], rows: usize, cols: usize) {
        let along_rows = window_size(cols, DOWNSAMPLED);
        let along_cols = window_size(rows, DOWNSAMPLED);
        let mut col_sums = vec![0f32; cols];
        for _ in 0..JAROSZ_PASSES {
            for (input, output) in buf.chunks_exact(cols).zip(scratch.chunks_exact_mut(cols)) {
                box_1d(&mut Row { input, output, sum: 0.0 }, cols, along_rows);
            }
            // All columns at once, row by row: the reference walks each column with a
            // stride, which is the same arithmetic in a cache-hostile order.
            col_sums.fill(0.0);
            let mut columns = Columns { input: scratch, output: buf, cols, sums: &mut col_sums };
            box_1d(&mut columns, rows, along_cols);
        }
    }

    /// One image row, filtered along the row.
    struct Row<'a> {
        input: &'a [f32],
        output: &'a mut [f32],
        sum: f32,
    }

    impl Lanes for Row<'_> {
        fn add(&mut self, k: usize) {
            self.sum += self.input[k];
        }
        fn sub(&mut self, k: usize) {
            self.sum -= self.input[k];
        }
        fn write(&mut self, k: usize, count: usize) {
            self.output[k] = self.sum / count as f32;
        }
    }

    /// `decimateFloat`: samples the blurred image at the centres of a 64x64 grid.
    pub(super) fn decimate(buf: &[f32], rows: usize, cols: usize, out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED]) {
        for (i, out_row) in out.iter_mut().enumerate() {
            let row = &buf[centre(i, rows) * cols..][..cols];
            for (j, v) in out_row.iter_mut().enumerate() {
                *v = row[centre(j, cols)];
            }
        }
    }
}
#[cfg(test)]
use reference::{decimate, jarosz_filter};

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
        let sizes = [(37, 2100, 3), (2100, 37, 4), (333, 1030, 3), (17, 4133, 3), (64, 64, 4), (1000, 1000, 3)];
        for (cols, rows, channels) in sizes {
            let pixels = noise(cols * rows * channels, (cols * rows) as u64);
            let got = pdq_from_pixels(&pixels, channels, cols as u32, rows as u32);
            assert_eq!(got, reference_pdq(&pixels, channels, cols, rows), "{cols}x{rows}x{channels}");
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
                assert_eq!(got, reference::luma_from_pixels(&pixels, channels), "{cols} pixels of {channels} channels");
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
