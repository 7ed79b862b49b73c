//! PDQ step 1: luma of 8-bit RGB(A) pixels, a row at a time as the blur asks for it,
//! four pixels per step with SIMD (wasm simd128, x86-64 SSSE3 detected at run time),
//! bit-identical to the reference formula (see [`luma`]).

/// Luma of one row of interleaved 8-bit pixels into `out`.
pub(super) fn luma_row(pixels: &[u8], channels: usize, out: &mut [f32]) {
    // A constant channel count lets the compiler unroll the pixel loop.
    match channels {
        3 => luma_row_of::<3>(pixels, out),
        4 => luma_row_of::<4>(pixels, out),
        _ => out
            .iter_mut()
            .zip(pixels.chunks_exact(channels))
            .for_each(|(l, p)| *l = luma(p[0], p[1], p[2])),
    }
}

pub(super) fn luma_row_of<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) {
    let done = 4 * luma_quads::<CHANNELS>(pixels, out);
    for (l, p) in out[done..].iter_mut().zip(pixels[done * CHANNELS..].chunks_exact(CHANNELS)) {
        *l = luma(p[0], p[1], p[2]);
    }
}

/// How many groups of four pixels [`luma_quads`] can take with 16-byte loads: four
/// pixels span 12 or 16 bytes, and the last ones, whose load would pass the end of
/// the row, are left to the scalar loop.
pub(super) fn quads_in<const CHANNELS: usize>(pixels: &[u8], out: &[f32]) -> usize {
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
pub(super) fn luma_quads<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) -> usize {
    use core::arch::wasm32::{
        f32x4_convert_i32x4, f32x4_div, f32x4_splat, i8x16, i8x16_swizzle, i16x8, i32x4_add,
        i32x4_dot_i16x8, v128, v128_load,
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
pub(super) fn luma_quads<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) -> usize {
    if !std::arch::is_x86_feature_detected!("ssse3") {
        return 0;
    }
    // SAFETY: the CPU has SSSE3.
    unsafe { luma_quads_ssse3::<CHANNELS>(pixels, out) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
pub(super) fn luma_quads_ssse3<const CHANNELS: usize>(pixels: &[u8], out: &mut [f32]) -> usize {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_cvtepi32_ps, _mm_div_ps, _mm_loadu_si128, _mm_madd_epi16,
        _mm_set1_ps, _mm_setr_epi8, _mm_setr_epi16, _mm_shuffle_epi8, _mm_storeu_ps,
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
pub(super) fn luma_quads<const CHANNELS: usize>(_pixels: &[u8], _out: &mut [f32]) -> usize {
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
pub(super) fn luma(r: u8, g: u8, b: u8) -> f32 {
    let n = 299 * i32::from(r) + 587 * i32::from(g) + 114 * i32::from(b);
    n as f32 / 1000.0
}
