//! Reused instances (`WarmInstance`, `prescreen serve --reuse-instances`): the same
//! answers as fresh instances, upload after upload, through the real component; and
//! retirement after a number of uses and after any fault.

use prescreen_core::Upload;
use prescreen_runtime::{Bounds, Fault, Filter, Runtime, compile};
use std::sync::OnceLock;

/// Generous bounds: nothing in these tests should come near them unless meant to.
const BOUNDS: Bounds = Bounds { deadline_ticks: 1 << 40, max_memory_bytes: 512 << 20 };

fn sample() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| {
        let runtime = Runtime::new().unwrap();
        let component = prescreen_testkit::sample_component(|package| {
            compile::compile(&runtime, package).unwrap().component
        });
        runtime.load_file(&component).unwrap()
    })
}

/// Every sample upload (text, image, video; risky and clean), then typed errors, then
/// the sample uploads again: a reused instance must not carry anything across.
fn uploads() -> Vec<Upload> {
    let dir = prescreen_testkit::root().join("packages/ad-policy/uploads");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let samples: Vec<Upload> =
        files.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    assert!(samples.len() >= 9, "the sample uploads are missing");
    let mut all = samples.clone();
    all.push(Upload::text("", "US", "casino")); // invalid: empty id
    all.push(Upload::text("long", "US", &"casino ".repeat(20_000))); // too large
    all.push(Upload::text("kazino", "RU", "Лучшее онлайн-казино, ставки на спорт"));
    all.extend(samples);
    all
}

#[test]
fn a_reused_instance_answers_every_upload_like_a_fresh_one() {
    let filter = sample();
    let mut warm = filter.warm(BOUNDS).unwrap();
    for upload in uploads() {
        let fresh = filter.screen_bounded(upload.clone(), BOUNDS).unwrap();
        let reused = warm.screen_bounded(upload.clone(), BOUNDS).unwrap();
        assert_eq!(reused, fresh, "upload {:?}", upload.id);
    }
    // The oversized upload is refused by the host before the guest sees it.
    assert_eq!(warm.uses(), uploads().len() as u32 - 1);
    assert!(!warm.retired(u32::MAX), "typed errors do not retire an instance");
}

#[test]
fn an_instance_retires_after_its_uses() {
    let mut warm = sample().warm(BOUNDS).unwrap();
    for i in 0..3 {
        assert!(!warm.retired(3));
        warm.screen_bounded(Upload::text(&format!("u{i}"), "US", "casino"), BOUNDS)
            .unwrap()
            .unwrap();
    }
    assert!(warm.retired(3));
}

#[test]
fn an_instance_retires_after_a_fault() {
    let filter = sample();
    let mut warm = filter.warm(BOUNDS).unwrap();
    warm.screen_bounded(Upload::text("before", "US", "casino"), BOUNDS).unwrap().unwrap();
    // Room for what the instance has, not for decoding a 2000x2000 image.
    let tight = Bounds { max_memory_bytes: 8 << 20, ..BOUNDS };
    let mut big = Upload::text("big", "US", "hello");
    big.images.push(prescreen_core::Image {
        name: "big.rgb".into(),
        data: prescreen_core::ImageData::Pixels(prescreen_core::RgbImage {
            width: 2000,
            height: 2000,
            rgb: vec![7; 2000 * 2000 * 3],
        }),
    });
    match warm.screen_bounded(big, tight) {
        Err(Fault::Memory { limit, .. }) => assert_eq!(limit, 8 << 20),
        other => panic!("expected the memory fault, got {other:?}"),
    }
    assert!(warm.retired(u32::MAX), "a faulted instance must not serve again");
    // A new instance answers as before.
    let after = Upload::text("after", "US", "best online casino bonus");
    let verdict =
        filter.warm(BOUNDS).unwrap().screen_bounded(after.clone(), BOUNDS).unwrap().unwrap();
    assert!(!verdict.hits.is_empty());
    assert_eq!(verdict, filter.screen_bounded(after, BOUNDS).unwrap().unwrap());
}

#[test]
fn growth_is_measured_from_the_snapshot() {
    let mut warm = sample().warm(BOUNDS).unwrap();
    warm.screen_bounded(Upload::text("small", "US", "casino"), BOUNDS).unwrap().unwrap();
    let small = warm.growth();
    let mut big = Upload::text("big", "US", "hello");
    big.images.push(prescreen_core::Image {
        name: "big.rgb".into(),
        data: prescreen_core::ImageData::Pixels(prescreen_core::RgbImage {
            width: 1500,
            height: 1500,
            rgb: vec![7; 1500 * 1500 * 3],
        }),
    });
    warm.screen_bounded(big, BOUNDS).unwrap().unwrap();
    assert!(warm.growth() >= small + (1500 * 1500 * 3), "{} after {}", warm.growth(), small);
}
