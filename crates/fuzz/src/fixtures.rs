//! What the targets screen against: the bundled sample package, compiled once per
//! process, and the seed inputs each corpus started from.

use prescreen_core::{Package, Screener};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The repository's `packages/ad-policy`, the package every target screens with.
pub(crate) fn sample_dir() -> PathBuf {
    prescreen_testkit::sample_dir()
}

/// The sample package, compiled with testkit's fixed build time (so every run, and
/// every test binary, has the same bytes).
pub(crate) fn sample_package() -> &'static Package {
    static PACKAGE: OnceLock<Package> = OnceLock::new();
    PACKAGE.get_or_init(prescreen_testkit::sample_package)
}

/// A screener of the sample package.
pub(crate) fn sample_screener() -> &'static Screener {
    static SCREENER: OnceLock<Screener> = OnceLock::new();
    SCREENER.get_or_init(|| Screener::new(sample_package()).expect("the sample builds"))
}

/// Seed inputs for target `name`: files of the sample package and inputs built from
/// it, as (file name, bytes). `fuzz/README.md` says how they seed a fresh corpus.
pub fn seeds(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = sample_dir();
    let file = |rel: &str| {
        let bytes = std::fs::read(dir.join(rel)).expect("sample files are in the repository");
        (rel.replace('/', "-"), bytes)
    };
    match name {
        "package_bytes" => {
            let bytes = sample_package().to_bytes();
            let body = bytes[crate::formats::HEADER_LEN..].to_vec();
            // The raw format, and the body alone (which the target frames itself).
            vec![("sample.pkg".into(), bytes), ("sample.body".into(), [&[1u8][..], &body].concat())]
        }
        "prebuilt" => {
            let bytes = sample_screener().to_prebuilt();
            let body = bytes[crate::formats::HEADER_LEN..].to_vec();
            vec![
                ("sample.prebuilt".into(), bytes),
                ("sample.prebuilt-body".into(), [&[1u8][..], &body].concat()),
            ]
        }
        "upload_json" => std::fs::read_dir(dir.join("uploads"))
            .expect("uploads")
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                file(&format!("uploads/{name}"))
            })
            .collect(),
        "image" => crate::uploads::image_seeds(),
        "vpdq" => {
            vec![file("videos/loan-scam.vpdq"), file("uploads/media/clean-test-pattern.vpdq")]
        }
        "source" => {
            let manifest = std::fs::read(dir.join("package.toml")).expect("manifest");
            let materials = std::fs::read(dir.join("materials.tsv")).expect("materials");
            vec![("ad-policy".into(), [&manifest[..], b"\0", &materials].concat())]
        }
        "corpus_feedback" => {
            let corpus = std::fs::read(dir.join("corpus.jsonl")).expect("corpus");
            let feedback = std::fs::read(dir.join("feedback.jsonl")).expect("feedback");
            let csv = b"upload_id,reviewer,reviewed_at,label,confirmed,rejected,note\n\
                        u1,ana,2026-01-02T03:04:05Z,risky,g1,,spam\n"
                .to_vec();
            vec![
                ("corpus".into(), [&[0u8][..], &corpus].concat()),
                ("feedback-jsonl".into(), [&[1u8][..], &feedback].concat()),
                ("feedback-csv".into(), [&[2u8][..], &csv].concat()),
            ]
        }
        "gateway" => crate::gateway::seeds(),
        _ => Vec::new(),
    }
}
