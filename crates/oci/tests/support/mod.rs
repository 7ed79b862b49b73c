//! Test support: small valid components and the annotations `prescreen build` gives
//! them; the registry itself is `prescreen_testkit::registry`.

#![allow(dead_code)] // each test file uses a different part

pub use prescreen_testkit::registry::TestRegistry;

/// A small valid component: the preamble and one custom section holding `label`, so
/// different labels give different bytes (and digests).
pub fn component(label: &str) -> Vec<u8> {
    let mut out = vec![0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    let name = b"prescreen-test";
    let mut payload = Vec::new();
    leb128(&mut payload, name.len());
    payload.extend_from_slice(name);
    payload.extend_from_slice(label.as_bytes());
    out.push(0); // custom section
    leb128(&mut out, payload.len());
    out.extend_from_slice(&payload);
    out
}

fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Annotations as `prescreen build` would give them, with `version`.
pub fn meta(version: &str) -> prescreen_oci::Annotations {
    let mut meta = prescreen_oci::Annotations::new(
        "ad-policy",
        version,
        "cc89e840".repeat(8),
        "2026-11-23T00:00:00Z",
        "prescreen:filter@0.5.0",
    );
    meta.source = Some("https://example.invalid/prescreen/packages".into());
    meta
}
