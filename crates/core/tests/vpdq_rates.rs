//! vPDQ percentages do not depend on the frame rates the two sides were hashed at
//! (issue #14): a synthetic video whose frames drift (a few PDQ bits a frame, so a
//! second apart they are over distance 31) is a material at 30 fps and an upload at
//! 1 fps, and the reverse. Counted frame by frame, as the reference does, the 30 fps
//! side would match a thirtieth of its frames; on the common grid, all.

use prescreen_core::pdq::format_vpdq;
use prescreen_core::{Compiler, Evidence, Pdq, Screener, Upload, Video, VideoFrame};

/// `seconds * fps` frames; frame k flips 4 pseudo-random bits of frame k-1
/// (a fixed-seed generator, so the video never returns to an earlier frame).
fn drifting(seconds: u32, fps: u32) -> Vec<VideoFrame> {
    let mut hash = [0x0123_4567_89ab_cdefu64, 0xfedc_ba98_7654_3210, 0x0f0f_0f0f, 0x3c3c_c3c3];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..seconds * fps)
        .map(|k| {
            for _ in 0..4 {
                // splitmix64
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                let bit = ((z ^ (z >> 31)) % 256) as usize;
                hash[bit / 64] ^= 1 << (bit % 64);
            }
            VideoFrame {
                index: k,
                timestamp: f64::from(k) / f64::from(fps),
                hash: Pdq { hash, quality: 100 },
            }
        })
        .collect()
}

fn every(frames: &[VideoFrame], n: usize) -> Vec<VideoFrame> {
    frames.iter().step_by(n).copied().collect()
}

/// (query match, compared match) of `upload` against a material of `material`'s
/// frames with both thresholds `threshold`, or `None` when it does not fire.
fn score(material: &[VideoFrame], upload: &[VideoFrame], threshold: u32) -> Option<(f32, f32)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.vpdq"), format_vpdq(material)).unwrap();
    std::fs::write(
        dir.path().join("videos.tsv"),
        format!("id\tsource\tcategory\tquery_match\tcompared_match\nm\tm.vpdq\tx\t{threshold}\t{threshold}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("package.toml"),
        "name = \"r\"\nversion = \"1\"\nmaterials = []\nvideos = [\"videos.tsv\"]\n",
    )
    .unwrap();
    let screener = Screener::new(Compiler::new().compile_dir(dir.path()).unwrap()).unwrap();
    let mut u = Upload::text("u", "US", "");
    u.videos.push(Video { name: "v".into(), frames: upload.to_vec() });
    let verdict = screener.screen(&u).unwrap();
    verdict.hits.first().map(|h| match &h.evidence {
        Evidence::Video(v) => (v.upload_match, v.material_match),
        e => panic!("{e:?}"),
    })
}

#[test]
fn thirty_and_one_fps_sides_match_fully_both_ways() {
    let dense = drifting(20, 30);
    let sparse = every(&dense, 30);
    assert_eq!(sparse.len(), 20);
    // Frames a second apart are unrelated by PDQ's measure: 120 bits flipped.
    assert!(prescreen_core::pdq::hamming(&sparse[0].hash.hash, &sparse[1].hash.hash) > 31);
    assert_eq!(score(&dense, &sparse, 100), Some((100.0, 100.0)));
    assert_eq!(score(&sparse, &dense, 100), Some((100.0, 100.0)));
    assert_eq!(score(&dense, &dense, 100), Some((100.0, 100.0)));
}

#[test]
fn a_clip_cut_from_the_material_is_all_query_match_and_part_compared_match() {
    // Seconds 5-9 of the material, hashed at 1 fps and re-stamped from 0.
    let dense = drifting(20, 30);
    let clip: Vec<VideoFrame> = every(&dense[150..300], 30)
        .into_iter()
        .enumerate()
        .map(|(i, f)| VideoFrame { index: i as u32, timestamp: i as f64, ..f })
        .collect();
    let (query, compared) = score(&dense, &clip, 0).unwrap();
    assert_eq!(query, 100.0);
    assert!((compared - 25.0).abs() < 0.01, "5 of the material's 20 seconds: {compared}");
    assert!(score(&dense, &clip, 80).is_none(), "compared 25 % is under 80 %");
}
