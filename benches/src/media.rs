//! Fixtures for the image and video benchmarks: banks of random PDQ hashes (as image
//! packages, natively and as components) and a synthetic 1-megapixel photo-like image.

use prescreen_core::{Action, MatchMode, Material, MaterialKind, Media, Package, Pdq, Screener};
use prescreen_runtime::{Filter, Runtime, compile};

/// `n` uniformly random 256-bit hashes (seeded): the worst case for the index, whose
/// buckets are evenly filled; real banks cluster more.
pub fn random_hashes(n: usize, seed: u64) -> Vec<[u64; 4]> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n).map(|_| [rng.u64(..), rng.u64(..), rng.u64(..), rng.u64(..)]).collect()
}

/// `hash` with `bits` of its bits flipped (spread over the 256).
pub fn near(hash: [u64; 4], bits: usize) -> [u64; 4] {
    let mut h = hash;
    for k in 0..bits {
        let b = (k * 97 + 13) % 256;
        h[b / 64] ^= 1 << (b % 64);
    }
    h
}

/// A package of `hashes.len()` image materials with PDQ's default thresholds.
pub fn image_package(hashes: &[[u64; 4]]) -> Package {
    let materials = hashes
        .iter()
        .enumerate()
        .map(|(i, &hash)| Material {
            id: format!("img-{i}"),
            revision: 1,
            kind: MaterialKind::Image,
            term: Pdq::to_hex(&hash),
            mode: MatchMode::Word,
            category: "bench".into(),
            action: Action::Block,
            markets: Vec::new(),
            detection_only: false,
            added_by: String::new(),
            added_at: String::new(),
            note: String::new(),
            exceptions: Vec::new(),
            transliterate: false,
            rule: None,
            line: i as u32 + 2,
            media: Some(Media::image(
                Pdq { hash, quality: 100 },
                prescreen_core::pdq::PDQ_MATCH_DISTANCE,
                prescreen_core::pdq::PDQ_MIN_QUALITY,
            )),
            tags: Vec::new(),
        })
        .collect();
    Package {
        name: format!("images-{}", hashes.len()),
        version: "1".into(),
        description: String::new(),
        markets: Vec::new(),
        built_at: "2026-11-23T00:00:00Z".into(),
        disabled: 0,
        allow: Vec::new(),
        mixed_script_action: None,
        normalize: Default::default(),
        image_dihedral: false,
        materials,
    }
}

/// An image package natively and as a built component.
pub struct ImageFixture {
    pub screener: Screener,
    pub filter: Filter,
    pub component_bytes: usize,
}

pub fn image_fixture(runtime: &Runtime, hashes: &[[u64; 4]]) -> ImageFixture {
    let package = image_package(hashes);
    let screener = Screener::new(package.clone()).unwrap();
    let built = compile::compile(runtime, &package).unwrap();
    ImageFixture {
        screener,
        filter: runtime.load(&built.component).unwrap(),
        component_bytes: built.component.len(),
    }
}

/// A 1000x1000 RGB image with photo-like structure (smooth gradients, edges and
/// noise), so JPEG decoding and PDQ do representative work.
pub fn photo_rgb(side: u32) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(42);
    let mut rgb = Vec::with_capacity((side * side * 3) as usize);
    for y in 0..side {
        for x in 0..side {
            let (fx, fy) = (x as f32 / side as f32, y as f32 / side as f32);
            let disc = ((fx - 0.4).powi(2) + (fy - 0.5).powi(2)) < 0.06;
            let base = if disc { 200.0 } else { 60.0 + 120.0 * fx * fy };
            let n = rng.f32() * 24.0;
            rgb.push((base + n) as u8);
            rgb.push((base * 0.8 + 40.0 * (fy * 12.0).sin() + n) as u8);
            rgb.push((255.0 - base + n).clamp(0.0, 255.0) as u8);
        }
    }
    rgb
}

/// `photo_rgb` encoded as a JPEG at quality 85.
pub fn photo_jpeg(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode(&photo_rgb(side), side, side, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}
