//! vPDQ matching against Meta's reference frame hashes in
//! `../shared/conformance/vpdq` (issue #4). Each file is compiled as a video material
//! (through the package compiler, from a package directory) and screened as an
//! upload, with vPDQ's defaults (distance 31, quality 50, material match 80 %).
//!
//! What holds, and is asserted: nothing matches across the `chair`, `pattern` and
//! `doorknob` groups. Within a group, versions with the same framing match each other
//! (re-encoded, grey, sepia, small logo, trimmed, SD/HD/FHD). What does not hold, and
//! is asserted too so a change is noticed: a letterboxed version (`-bar`) never
//! matches an unboxed one (`-no-bar`), since no frame pair is within distance 31
//! (nor 48): black bars move every PDQ coefficient. A large logo leaves ~10 % of
//! chair frames and ~1 % of pattern frames within 31. Issue #4 asked for every
//! version to match; PDQ frame hashes cannot give that for these two edits.
//!
//! Skips with a notice when `../shared` is absent.

use prescreen_core::{Compiler, Evidence, Screener, Upload, Video, parse_vpdq};
use std::path::{Path, PathBuf};

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
    ["chair", "pattern", "doorknob"].into_iter().find(|g| name.starts_with(g))
}

/// Whether vPDQ at its defaults matches upload `u` against material `m`: the same
/// group, the same framing (letterboxed or not), and no large logo unless it is the
/// same file.
fn expected(u: &str, m: &str) -> bool {
    let letterboxed = |n: &str| !n.contains("no-bar");
    let large_logo = |n: &str| n.contains("large-logo");
    u == m
        || (group(u) == group(m)
            && letterboxed(u) == letterboxed(m)
            && !large_logo(u)
            && !large_logo(m))
}

#[test]
fn samples_match_within_their_groups_only() {
    let Some(dir) = shared() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt") && group(n).is_some())
        .collect();
    names.sort();
    assert!(names.len() >= 14, "expected the 15 grouped samples, found {names:?}");

    let pkg =
        std::env::temp_dir().join(format!("prescreen-vpdq-conformance-{}", std::process::id()));
    std::fs::create_dir_all(pkg.join("videos")).unwrap();
    let mut table = String::from("id\tsource\tcategory\taction\n");
    for n in &names {
        std::fs::copy(dir.join(n), pkg.join("videos").join(n)).unwrap();
        table.push_str(&format!("{}\tvideos/{n}\tsample\tblock\n", n.trim_end_matches(".txt")));
    }
    std::fs::write(pkg.join("videos.tsv"), table).unwrap();
    std::fs::write(
        pkg.join("package.toml"),
        "name = \"vpdq\"\nversion = \"1\"\nmaterials = []\nvideos = [\"videos.tsv\"]\n",
    )
    .unwrap();
    let package = Compiler::new().compile_dir(&pkg).unwrap();
    std::fs::remove_dir_all(&pkg).unwrap();
    assert_eq!(package.materials.len(), names.len());
    let screener = Screener::new(package).unwrap();

    let mut wrong = Vec::new();
    let (mut matched, mut across) = (0, 0);
    for n in &names {
        let text = std::fs::read_to_string(dir.join(n)).unwrap();
        let frames = parse_vpdq(n, &text).unwrap();
        let mut upload = Upload::text("u", "US", "");
        upload.videos.push(Video { name: n.clone(), frames });
        let verdict = screener.screen(&upload).unwrap();
        let hits: Vec<(&str, f32, f32)> = verdict
            .hits
            .iter()
            .map(|h| match &h.evidence {
                Evidence::Video(v) => (h.material_id.as_str(), v.material_match, v.upload_match),
                other => panic!("unexpected evidence {other:?}"),
            })
            .collect();
        for m in &names {
            let id = m.trim_end_matches(".txt");
            let expected = expected(n, m);
            let hit = hits.iter().find(|h| h.0 == id);
            matched += usize::from(hit.is_some());
            across += usize::from(hit.is_some() && group(n) != group(m));
            if hit.is_some() != expected {
                wrong.push(format!("{n} vs material {id}: expected match {expected}, got {hit:?}"));
            }
        }
        let least = hits.iter().map(|h| h.1).fold(100.0f32, f32::min);
        eprintln!("{n}: {} hits, lowest material match {least:.1}%", hits.len());
    }
    eprintln!(
        "{matched} of {} upload/material pairs matched; {across} across groups",
        names.len() * names.len()
    );
    assert_eq!(across, 0);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
