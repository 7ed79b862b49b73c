#![no_main]
//! See crates/fuzz: the body of `upload_json`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (prescreen_fuzz::target("upload_json").expect("a known target"))(data)
});
