//! PDQ step 2: the Jarosz filter (two passes of box filters along rows, then
//! columns) and the decimation to 64x64, streamed over the image a strip of rows at
//! a time, plus the reference whole-image filter it is tested against.

use super::*;

/// `computeJaroszFilterWindowSize`: half of the input pixels per output pixel, rounded
/// up, since two passes together cover a whole block.
pub(super) fn window_size(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// Image rows filtered together along the row, one per SIMD lane: the running sum of
/// one row is a chain of dependent additions, so only rows side by side vectorize.
/// Sixteen are four 4-lane vectors, enough independent chains to hide the latency.
pub(super) const LANES: usize = 16;

/// `LANES` image rows stored column by column: element `x` holds pixel `x` of each.
pub(super) type Strip = [f32; LANES];

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
pub(super) fn blur_and_decimate_rows(
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
        box_1d(
            &mut StripRows { input: &strip, output: &mut filtered, sums: [0.0; LANES] },
            cols,
            along_rows,
        );
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
pub(super) fn blur_and_decimate(
    buf: &mut [f32],
    rows: usize,
    cols: usize,
    out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED],
) {
    blur_and_decimate_rows(rows, cols, |y, dst| dst.copy_from_slice(&buf[y * cols..][..cols]), out);
}

/// The first pass's column filter, streamed: rows come in from the top, each output row
/// is written as soon as its window is complete. This is [`box_1d`]'s phases with every
/// column as a lane (adding the new row before subtracting the old, like the reference).
pub(super) struct ColumnPass {
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
        divide(
            &self.sums,
            (self.window - step - 1) as f32,
            &mut pending[o % LANES * self.cols..][..self.cols],
        );
        o
    }
}

pub(super) fn divide(sums: &[f32], n: f32, out: &mut [f32]) {
    out.iter_mut().zip(sums).for_each(|(d, s)| *d = s / n);
}

/// The last pass: its row filter on the first pass's output, `LANES` rows at a time,
/// keeping the sampled columns, then its column filter on those.
pub(super) struct SampledPass {
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
        let mut columns = Columns {
            input: &self.narrow,
            output: &mut blurred,
            cols: DOWNSAMPLED,
            sums: &mut sums,
        };
        box_1d(&mut columns, rows, along_cols);
        for (i, out_row) in out.iter_mut().enumerate() {
            out_row.copy_from_slice(&blurred[centre(i, rows) * DOWNSAMPLED..][..DOWNSAMPLED]);
        }
    }
}

/// `LANES` rows (row-major, `cols` each) into strip layout.
pub(super) fn rows_to_strip(rows: &[f32], cols: usize, strip: &mut [Strip]) {
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
pub(super) fn strip_to_rows(strip: &[Strip], cols: usize, rows: &mut [f32]) {
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
pub(super) fn four(v: &[f32]) -> &[f32; 4] {
    v[..4].try_into().expect("four values")
}

/// The transpose of a 4x4 block (`rows[i][j]` becomes `out[j][i]`): two rounds of
/// interleaving in registers, where the compiler would move the 16 values one by one.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) fn transpose4(rows: [&[f32; 4]; 4]) -> [[f32; 4]; 4] {
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
pub(super) fn transpose4(rows: [&[f32; 4]; 4]) -> [[f32; 4]; 4] {
    use core::arch::x86_64::{
        __m128, _mm_loadu_ps, _mm_movehl_ps, _mm_movelh_ps, _mm_unpackhi_ps, _mm_unpacklo_ps,
    };
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
pub(super) fn transpose4(rows: [&[f32; 4]; 4]) -> [[f32; 4]; 4] {
    std::array::from_fn(|j| std::array::from_fn(|i| rows[i][j]))
}

/// The reference's decimation index: the centre of cell `k` of `DOWNSAMPLED` over `n`.
pub(super) fn centre(k: usize, n: usize) -> usize {
    (((k as f64 + 0.5) * n as f64) / DOWNSAMPLED as f64) as usize
}

/// Vectors filtered in lockstep by [`box_1d`]; element `k` of each is read or written
/// together.
pub(super) trait Lanes {
    fn add(&mut self, k: usize);
    fn sub(&mut self, k: usize);
    /// Writes the running sums divided by `count` as output element `k`.
    fn write(&mut self, k: usize, count: usize);
}

/// `box1DFloat`: a running mean over `window` elements around each output, the window
/// growing at the start and shrinking at the end instead of padding. The phases and
/// the order of float operations are the reference's, so results are bit-identical.
pub(super) fn box_1d(lanes: &mut impl Lanes, len: usize, window: usize) {
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
pub(super) struct StripRows<'a> {
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
pub(super) struct SampledStrip<'a> {
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
pub(super) struct Columns<'a> {
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

#[cfg(test)]
pub(super) use reference::{decimate, jarosz_filter};

/// The reference filter, kept as the oracle the streamed one is tested against: luma
/// in `f64` like pdqhash-python, whole-image row and column passes, then decimation.
#[cfg(test)]
pub(super) mod reference {
    use super::{Columns, DOWNSAMPLED, JAROSZ_PASSES, Lanes, box_1d, centre, window_size};

    /// Luma of interleaved pixels, row-major, in `f64` rounded once to `f32`.
    pub(in crate::pdq) fn luma_from_pixels(pixels: &[u8], channels: usize) -> Vec<f32> {
        pixels.chunks_exact(channels).map(|p| luma(p[0], p[1], p[2])).collect()
    }

    pub(in crate::pdq) fn luma(r: u8, g: u8, b: u8) -> f32 {
        (f64::from(r) * 0.299 + f64::from(g) * 0.587 + f64::from(b) * 0.114) as f32
    }

    /// `jaroszFilterFloat` in full: the result ends in `buf`.
    pub(in crate::pdq) fn jarosz_filter(
        buf: &mut [f32],
        scratch: &mut [f32],
        rows: usize,
        cols: usize,
    ) {
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
    pub(in crate::pdq) fn decimate(
        buf: &[f32],
        rows: usize,
        cols: usize,
        out: &mut [[f32; DOWNSAMPLED]; DOWNSAMPLED],
    ) {
        for (i, out_row) in out.iter_mut().enumerate() {
            let row = &buf[centre(i, rows) * cols..][..cols];
            for (j, v) in out_row.iter_mut().enumerate() {
                *v = row[centre(j, cols)];
            }
        }
    }
}
