//! PDQ conformance against the reference hashes in `../shared/conformance/pdq`
//! (`expected-pdq.txt`: reference C++ via pdqhash-python, images decoded by Pillow).
//!
//! Our decoder is not Pillow's libjpeg, so a few bits may differ; the tests bound that
//! distance and print its distribution, then check the properties matching relies on:
//! edits of one photo stay within the match threshold, unrelated photos stay far, and
//! rotated or flipped copies are found through the dihedral hashes.

use std::path::{Path, PathBuf};

use prescreen_core::Pdq;
use prescreen_core::pdq::{
    PDQ_MATCH_DISTANCE, hamming, pdq_dihedral_from_encoded, pdq_from_encoded,
};

/// Largest distance from the reference allowed for a reference image of quality >= 80.
const MAX_REFERENCE_DISTANCE: u16 = 10;
/// Largest quality difference from the reference.
const MAX_QUALITY_DIFFERENCE: u8 = 5;

fn root() -> Option<PathBuf> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance/pdq"));
    if root.join("expected-pdq.txt").is_file() {
        Some(root.to_path_buf())
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

struct Expected {
    path: String,
    pdq: Pdq,
}

fn expected(root: &Path) -> Vec<Expected> {
    let text =
        std::fs::read_to_string(root.join("expected-pdq.txt")).expect("read expected-pdq.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.split_whitespace();
            let (hash, quality, path) = (parts.next(), parts.next(), parts.next());
            let (Some(hash), Some(quality), Some(path)) = (hash, quality, path) else {
                panic!("bad line {line:?}");
            };
            let hash = Pdq::parse_hex(hash).unwrap_or_else(|| panic!("bad hash in {line:?}"));
            let quality = quality.parse().unwrap_or_else(|_| panic!("bad quality in {line:?}"));
            Expected { path: path.to_string(), pdq: Pdq { hash, quality } }
        })
        .collect()
}

fn hash_file(root: &Path, path: &str) -> Pdq {
    let bytes = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
    pdq_from_encoded(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dihedral_file(root: &Path, path: &str) -> [Pdq; 8] {
    let bytes = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"));
    pdq_dihedral_from_encoded(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn matches_reference_hashes() {
    let Some(root) = root() else { return };
    let cases = expected(&root);
    assert!(!cases.is_empty());
    let mut histogram = [0usize; 257];
    let mut failures = Vec::new();
    for case in &cases {
        let ours = hash_file(&root, &case.path);
        let d = hamming(&ours.hash, &case.pdq.hash);
        let dq = ours.quality.abs_diff(case.pdq.quality);
        histogram[d as usize] += 1;
        eprintln!(
            "{:>3} bits  quality {:>3} (reference {:>3})  {}",
            d, ours.quality, case.pdq.quality, case.path
        );
        if case.pdq.quality >= 80 && d > MAX_REFERENCE_DISTANCE {
            failures.push(format!("{}: distance {d}", case.path));
        }
        if dq > MAX_QUALITY_DIFFERENCE {
            failures
                .push(format!("{}: quality {} vs {}", case.path, ours.quality, case.pdq.quality));
        }
    }
    let max = histogram.iter().rposition(|&n| n > 0).unwrap_or(0);
    let spread: Vec<String> =
        (0..=max).filter(|&d| histogram[d] > 0).map(|d| format!("{d}: {}", histogram[d])).collect();
    eprintln!(
        "distance to reference over {} images: {}; max {max}",
        cases.len(),
        spread.join(", ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn edits_match_and_unrelated_photos_do_not() {
    let Some(root) = root() else { return };
    let original = hash_file(&root, "images/bridge-mods/aaa-orig.jpg");
    let mut edits = 0;
    for entry in std::fs::read_dir(root.join("images/bridge-mods")).expect("bridge-mods") {
        let name = entry.expect("dir entry").file_name().to_string_lossy().into_owned();
        let d =
            hamming(&original.hash, &hash_file(&root, &format!("images/bridge-mods/{name}")).hash);
        eprintln!("{d:>3} bits from aaa-orig: {name}");
        assert!(d <= PDQ_MATCH_DISTANCE, "{name} is {d} bits from aaa-orig.jpg");
        edits += 1;
    }
    assert!(edits >= 2);

    let mut unrelated = vec![("aaa-orig.jpg".to_string(), original)];
    unrelated.push((
        "pen-and-coaster.png".to_string(),
        hash_file(&root, "images/reg-test/pen-and-coaster.png"),
    ));
    for entry in
        std::fs::read_dir(root.join("images/reg-test/labelme-subset")).expect("labelme-subset")
    {
        let name = entry.expect("dir entry").file_name().to_string_lossy().into_owned();
        let pdq = hash_file(&root, &format!("images/reg-test/labelme-subset/{name}"));
        unrelated.push((name, pdq));
    }
    for (i, (a, pa)) in unrelated.iter().enumerate() {
        for (b, pb) in &unrelated[i + 1..] {
            let d = hamming(&pa.hash, &pb.hash);
            assert!(d > PDQ_MATCH_DISTANCE, "{a} and {b} are only {d} bits apart");
        }
    }
}

#[test]
fn rotated_and_flipped_copies_match_their_dihedral_variant() {
    let Some(root) = root() else { return };
    let dir = "images/reg-test/dih";
    let original = dihedral_file(&root, &format!("{dir}/bridge-1-original.jpg"));
    // The files' names, in our dihedral order (reference order; see pdq.rs).
    let files = [
        "bridge-1-original.jpg",
        "bridge-2-rotate-90.jpg",
        "bridge-3-rotate-180.jpg",
        "bridge-4-rotate-270.jpg",
        "bridge-5-flipx.jpg",
        "bridge-6-flipy.jpg",
        "bridge-7-flip-plus-1.jpg",
        "bridge-8-flip-minus-1.jpg",
    ];
    for (index, file) in files.iter().enumerate() {
        let copy = hash_file(&root, &format!("{dir}/{file}"));
        let d: Vec<u16> = original.iter().map(|v| hamming(&copy.hash, &v.hash)).collect();
        eprintln!("{file}: distances to the original's variants {d:?}");
        assert!(
            d[index] <= MAX_REFERENCE_DISTANCE,
            "{file}: variant {index} is {} bits away",
            d[index]
        );
        for (k, &dk) in d.iter().enumerate() {
            // Only its own variant matches: the plain hash does not, unless it is the original.
            if k != index {
                assert!(dk > PDQ_MATCH_DISTANCE, "{file} also matches variant {k} ({dk} bits)");
            }
        }
    }
}

#[test]
fn truncated_real_images_are_errors_or_hashes_not_panics() {
    let Some(root) = root() else { return };
    for path in ["images/bridge-mods/shrink-a-lot.jpg", "images/reg-test/pen-and-coaster.png"] {
        let bytes = std::fs::read(root.join(path)).expect("read image");
        for cut in (0..bytes.len()).step_by(bytes.len() / 31 + 1) {
            let _ = pdq_from_encoded(&bytes[..cut]);
        }
    }
}
