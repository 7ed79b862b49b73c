#![no_main]
//! See crates/fuzz: the body of `corpus_feedback`.

libfuzzer_sys::fuzz_target!(
    init: prescreen_fuzz::init("corpus_feedback"),
    |data: &[u8]| (prescreen_fuzz::target("corpus_feedback").expect("a known target"))(data)
);
