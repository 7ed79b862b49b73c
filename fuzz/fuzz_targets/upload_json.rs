#![no_main]
//! See crates/fuzz: the body of `upload_json`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("upload_json"),
    |data: &[u8]| (prescreen_fuzz::target("upload_json").expect("a known target"))(data)
);
