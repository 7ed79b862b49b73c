#![no_main]
//! See crates/fuzz: the body of `package_bytes`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("package_bytes"),
    |data: &[u8]| (prescreen_fuzz::target("package_bytes").expect("a known target"))(data)
);
