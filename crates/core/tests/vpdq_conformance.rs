//! vPDQ against Meta's reference frame hashes (`../shared/conformance/vpdq`, every
//! frame of each video at ~30 fps) and against videos drawn with ffmpeg's test
//! sources, at different frame rates on the two sides (issue #14).
//!
//! Materials are compiled through the package compiler at vPDQ's reference defaults
//! (distance 31, quality 50, query match 80 %, compared match 0 %). Uploads are the
//! same files thinned to 1 frame a second, and the reverse (materials thinned, full
//! uploads), so a 30 fps material meets a 1 fps upload both ways round.
//!
//! Asserted: nothing matches across the `chair`, `pattern` and `doorknob` groups or
//! between unrelated generated videos; every chair (and pattern) upload matches
//! every chair (pattern) material of the same framing; a pair that matches when
//! both sides are at 1 fps also matches when one is at 30 fps. Reported, not
//! asserted: letterboxed (`-bar`) against unboxed (`-no-bar`) versions, and a
//! letterboxed copy of a generated video. Black bars shift every PDQ coefficient,
//! so no frame of one is within distance 31 of a frame of the other (see the
//! printed distances): PDQ cannot see through letterboxing, at any frame rate.
//!
//! The generated videos are hashed as `prescreen hash` does (`host/src/hash.rs`):
//! ffmpeg decodes N frames a second scaled to 512x512 RGB, each hashed with PDQ
//! from this crate. Skips, with a printed notice, what needs `../shared` or ffmpeg.

use prescreen_core::pdq::{format_vpdq, hamming, parse_vpdq, pdq_from_rgb8};
use prescreen_core::{Compiler, Evidence, Screener, Upload, Video, VideoFrame};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `prescreen hash` scales every frame to this square (`FRAME_SIDE` in the host).
const FRAME_SIDE: u32 = 512;
/// The upload rate of the report, and of `prescreen hash` by default.
const SPARSE_FPS: f64 = 1.0;

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/vpdq");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: ../shared not found (vPDQ conformance needs ../shared/conformance/vpdq)"
        );
        None
    }
}

/// Group of a sample by its name; `None` for files with no stated ground truth.
fn group(name: &str) -> Option<&str> {
    ["chair", "pattern", "doorknob", "gen-mandelbrot", "gen-testsrc2", "gen-life"]
        .into_iter()
        .find(|g| name.starts_with(g))
}

/// A logo large enough to move most frames' PDQ hashes past distance 31.
fn large_logo(name: &str) -> bool {
    name.contains("large-logo")
}

fn letterboxed(name: &str) -> bool {
    name.contains("-bar") && !name.contains("no-bar")
}

/// A video thinned to `fps` as a hasher sampling at that rate would see it: for
/// each tick `k / fps` up to the last frame, the frame nearest to it (once).
fn thinned(frames: &[VideoFrame], fps: f64) -> Vec<VideoFrame> {
    let Some(last) = frames.last().map(|f| f.timestamp) else { return Vec::new() };
    let mut out: Vec<VideoFrame> = Vec::new();
    let mut k = 0u32;
    while f64::from(k) / fps <= last + 1e-9 {
        let tick = f64::from(k) / fps;
        let nearest = frames
            .iter()
            .min_by(|a, b| (a.timestamp - tick).abs().total_cmp(&(b.timestamp - tick).abs()))
            .unwrap();
        if out.last().map(|f| f.index) != Some(nearest.index) {
            out.push(*nearest);
        }
        k += 1;
    }
    out
}

/// A screener of one video material per entry, compiled from a package directory;
/// `query_match` empty for the default.
fn screener(tag: &str, materials: &[(String, Vec<VideoFrame>)], query_match: &str) -> Screener {
    let pkg = std::env::temp_dir().join(format!("prescreen-vpdq-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(pkg.join("videos")).unwrap();
    let mut table = String::from("id\tsource\tcategory\taction\tquery_match\n");
    for (id, frames) in materials {
        std::fs::write(pkg.join("videos").join(format!("{id}.vpdq")), format_vpdq(frames)).unwrap();
        table.push_str(&format!("{id}\tvideos/{id}.vpdq\tsample\tblock\t{query_match}\n"));
    }
    std::fs::write(pkg.join("videos.tsv"), table).unwrap();
    std::fs::write(
        pkg.join("package.toml"),
        "name = \"vpdq\"\nversion = \"1\"\nmaterials = []\nvideos = [\"videos.tsv\"]\n",
    )
    .unwrap();
    let package = Compiler::new().compile_dir(&pkg).unwrap();
    std::fs::remove_dir_all(&pkg).unwrap();
    assert_eq!(package.materials.len(), materials.len());
    Screener::new(package).unwrap()
}

/// (upload, material) -> (query match, compared match) of every hit.
type Hits = BTreeMap<(String, String), (f32, f32)>;

fn screen_all(screener: &Screener, uploads: &[(String, Vec<VideoFrame>)]) -> Hits {
    let mut out = Hits::new();
    for (name, frames) in uploads {
        let mut upload = Upload::text("u", "US", "");
        upload.videos.push(Video { name: name.clone(), frames: frames.clone() });
        for h in screener.screen(&upload).unwrap().hits {
            let Evidence::Video(v) = &h.evidence else { panic!("unexpected {:?}", h.evidence) };
            out.insert((name.clone(), h.material_id.clone()), (v.upload_match, v.material_match));
        }
    }
    out
}

/// Smallest distance from any frame of `a` to any frame of `b`, over good frames.
fn nearest(a: &[VideoFrame], b: &[VideoFrame]) -> u16 {
    let good = |f: &&VideoFrame| f.hash.quality >= 50;
    a.iter()
        .filter(good)
        .flat_map(|x| b.iter().filter(good).map(move |y| hamming(&x.hash.hash, &y.hash.hash)))
        .min()
        .unwrap_or(256)
}

/// Checks a set of videos, each at 30 fps (`videos`) and at 1 fps (`sparse`), as
/// materials and uploads at 30 vs 1 fps both ways round and at 1 vs 1 fps; returns
/// the problems found, and prints what fell where.
fn check(
    tag: &str,
    videos: &[(String, Vec<VideoFrame>)],
    sparse: &[(String, Vec<VideoFrame>)],
) -> Vec<String> {
    let full = screener(&format!("{tag}-full"), videos, "");
    let thin = screener(&format!("{tag}-thin"), sparse, "");
    let runs = [
        ("30 fps materials, 1 fps uploads", screen_all(&full, sparse)),
        ("1 fps materials, 30 fps uploads", screen_all(&thin, videos)),
        ("1 fps both", screen_all(&thin, sparse)),
        ("30 fps both", screen_all(&full, videos)),
    ];
    // The same at query match 0, for the percentages of pairs that do not match.
    let full0 = screener(&format!("{tag}-full0"), videos, "0");
    let thin0 = screener(&format!("{tag}-thin0"), sparse, "0");
    let scores = [
        screen_all(&full0, sparse),
        screen_all(&thin0, videos),
        screen_all(&thin0, sparse),
        screen_all(&full0, videos),
    ];
    let mut wrong = Vec::new();
    for (r, ((run, hits), score)) in runs.iter().zip(&scores).enumerate() {
        // 1 fps on both sides is the reference at 1 fps: clocks of different phase
        // (trimmed versions) may miss; it is the baseline, not asserted.
        let asserted = r != 2;
        let mut reported = Vec::new();
        let mut letterbox = (0, 0);
        for (u, uf) in videos {
            for (m, mf) in videos {
                let hit = hits.get(&(u.clone(), m.clone()));
                let pct = |p: Option<&(f32, f32)>| {
                    p.map_or("no frame within 31".into(), |p| {
                        format!("query {:.0}% / compared {:.0}%", p.0, p.1)
                    })
                };
                let why = format!(
                    "{u} vs material {m}: {}, {} (nearest frames at 30 fps {} apart)",
                    if hit.is_some() { "match" } else { "no match" },
                    pct(score.get(&(u.clone(), m.clone()))),
                    nearest(uf, mf)
                );
                let same = group(u) == group(m);
                if same && letterboxed(u) != letterboxed(m) {
                    letterbox.0 += usize::from(hit.is_some());
                    letterbox.1 += 1;
                    if hit.is_some() || letterbox.1 <= 2 {
                        reported.push(format!("  letterboxed vs unboxed: {why}"));
                    }
                } else if same && (large_logo(u) != large_logo(m)) && hit.is_none() {
                    reported.push(format!("  large logo: {why}"));
                } else if hit.is_some() != same && (asserted || !same) {
                    wrong.push(format!("{tag}, {run}: upload {why}"));
                } else if hit.is_none() && same {
                    reported.push(format!("  missed at 1 fps both: {why}"));
                }
            }
        }
        eprintln!(
            "{tag}, {run}: {} of {} pairs match; letterboxed vs unboxed: {} of {} match",
            hits.len(),
            videos.len() * videos.len(),
            letterbox.0,
            letterbox.1
        );
        for r in &reported {
            eprintln!("{r}");
        }
    }
    // What matches with both sides at the common rate matches with one side denser.
    let (mixed_a, mixed_b, common) = (&runs[0].1, &runs[1].1, &runs[2].1);
    for pair in common.keys() {
        if !mixed_a.contains_key(pair) || !mixed_b.contains_key(pair) {
            wrong.push(format!("{tag}: {pair:?} matches at 1 fps both but not at 30 vs 1"));
        }
    }
    wrong
}

#[test]
fn reference_samples_match_across_frame_rates() {
    let Some(dir) = shared() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt") && group(n).is_some())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "expected the 15 grouped samples, found {names:?}");
    let videos: Vec<(String, Vec<VideoFrame>)> = names
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(n)).unwrap();
            (n.trim_end_matches(".txt").to_string(), parse_vpdq(n, &text).unwrap())
        })
        .collect();
    let sparse: Vec<(String, Vec<VideoFrame>)> =
        videos.iter().map(|(n, f)| (n.clone(), thinned(f, SPARSE_FPS))).collect();
    let wrong = check("reference", &videos, &sparse);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Runs ffmpeg with `args`; false (with a notice) when it is missing or fails.
fn ffmpeg(args: &[&str]) -> bool {
    match Command::new("ffmpeg").args(["-v", "error", "-nostdin", "-y"]).args(args).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!("ffmpeg {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
            false
        }
        Err(_) => false,
    }
}

/// vPDQ frame hashes of `video` at `fps`, as `prescreen hash --fps` computes them.
fn hash_video(video: &Path, fps: f64) -> Vec<VideoFrame> {
    let filter = format!("fps={fps},scale={FRAME_SIDE}:{FRAME_SIDE}:flags=area");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-threads", "1", "-i"])
        .arg(video)
        .args(["-an", "-vf", &filter, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let frame = (FRAME_SIDE * FRAME_SIDE * 3) as usize;
    assert_eq!(out.stdout.len() % frame, 0, "ffmpeg wrote a partial frame");
    out.stdout
        .chunks(frame)
        .enumerate()
        .map(|(i, rgb)| VideoFrame {
            index: i as u32,
            timestamp: i as f64 / fps,
            hash: pdq_from_rgb8(rgb, FRAME_SIDE, FRAME_SIDE),
        })
        .collect()
}

#[test]
fn generated_videos_match_across_frame_rates() {
    if !ffmpeg(&["-version"]) {
        eprintln!("skipping: ffmpeg not found (apt-get install ffmpeg)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(format!("{n}.mp4"));
    let encode = |name: &str, source: &str, vf: &str| {
        let out = path(name);
        let mut args = vec!["-f", "lavfi", "-i", source, "-t", "8", "-threads", "1"];
        if !vf.is_empty() {
            args.extend(["-vf", vf]);
        }
        args.extend(["-c:v", "mpeg4", "-q:v", "4", "-pix_fmt", "yuv420p"]);
        let out_str = out.to_str().unwrap().to_string();
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        args.push(out_str);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        assert!(ffmpeg(&refs), "ffmpeg could not draw {name}");
    };
    let mandelbrot = "mandelbrot=size=480x320:rate=30";
    encode("gen-mandelbrot", mandelbrot, "");
    encode("gen-mandelbrot-small", mandelbrot, "scale=240:160");
    encode("gen-mandelbrot-grey", mandelbrot, "hue=s=0");
    encode("gen-mandelbrot-bar", mandelbrot, "pad=480:480:0:80:black");
    encode("gen-testsrc2", "testsrc2=size=480x320:rate=30", "");
    encode("gen-life", "life=size=480x320:rate=30:seed=7:mold=10:ratio=0.3", "");
    let names = [
        "gen-mandelbrot",
        "gen-mandelbrot-small",
        "gen-mandelbrot-grey",
        "gen-mandelbrot-bar",
        "gen-testsrc2",
        "gen-life",
    ];
    // Hashed at 30 fps, as a partner hashing every frame would; `check` thins them.
    let videos: Vec<(String, Vec<VideoFrame>)> =
        names.iter().map(|n| (n.to_string(), hash_video(&path(n), 30.0))).collect();
    // And at 1 fps, as `prescreen hash` does by default.
    let sparse: Vec<(String, Vec<VideoFrame>)> =
        names.iter().map(|n| (n.to_string(), hash_video(&path(n), SPARSE_FPS))).collect();
    // ffmpeg's `fps` filter (rounding to nearest) keeps the last frame before each
    // half second and stamps it with the whole second: the 1 fps frame stamped k s
    // shows k - 0.5 s + one frame. Which 30 fps frame each 1 fps frame is:
    let offsets: Vec<String> = sparse[0]
        .1
        .iter()
        .map(|s| {
            let same = videos[0].1.iter().position(|f| f.hash.hash == s.hash.hash);
            format!("{:.0}s->{}", s.timestamp, same.map_or("?".into(), |i| i.to_string()))
        })
        .collect();
    eprintln!("prescreen-hash 1 fps frames as 30 fps frame numbers: {}", offsets.join(" "));
    let wrong = check("generated", &videos, &sparse);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let quality: Vec<u8> = videos.iter().map(|(_, f)| f[0].hash.quality).collect();
    eprintln!("first-frame PDQ quality of {names:?}: {quality:?}");
}
