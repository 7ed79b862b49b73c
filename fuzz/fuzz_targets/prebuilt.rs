#![no_main]
//! See crates/fuzz: the body of `prebuilt`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("prebuilt"),
    |data: &[u8]| (prescreen_fuzz::target("prebuilt").expect("a known target"))(data)
);
