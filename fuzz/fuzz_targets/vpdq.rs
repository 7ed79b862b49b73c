#![no_main]
//! See crates/fuzz: the body of `vpdq`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("vpdq"),
    |data: &[u8]| (prescreen_fuzz::target("vpdq").expect("a known target"))(data)
);
