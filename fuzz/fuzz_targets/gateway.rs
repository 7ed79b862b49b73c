#![no_main]
//! See crates/fuzz: the body of `gateway`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("gateway"),
    |data: &[u8]| (prescreen_fuzz::target("gateway").expect("a known target"))(data)
);
