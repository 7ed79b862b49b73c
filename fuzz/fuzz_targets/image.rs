#![no_main]
//! See crates/fuzz: the body of `image`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("image"),
    |data: &[u8]| (prescreen_fuzz::target("image").expect("a known target"))(data)
);
