#![no_main]
//! See crates/fuzz: the body of `source`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("source"),
    |data: &[u8]| (prescreen_fuzz::target("source").expect("a known target"))(data)
);
