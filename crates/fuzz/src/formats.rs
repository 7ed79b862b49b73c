//! The compiled formats: package bytes (what a component embeds, what `check` and
//! `diff` read) and the prebuilt matcher.

use crate::fixtures::sample_screener;
use prescreen_core::{FORMAT_VERSION, Package, Screener, Upload};
use sha2::{Digest, Sha256};

/// Label, version and SHA-256 in front of every compiled body (`core/src/format.rs`).
pub(crate) const HEADER_LEN: usize = 8 + 4 + 32;

/// `Package::from_bytes`, then the screener built from what it accepted.
///
/// An input whose first byte is 1 is a *body*: the target frames it with a valid
/// label, version and checksum, so the fuzzer reaches the decoder and the package's
/// own invariants instead of stopping at the checksum. Anything else is taken as a
/// whole file.
pub(crate) fn package_bytes(data: &[u8]) {
    let framed;
    let bytes = match data.split_first() {
        Some((1, body)) => {
            framed = frame(b"PRSCRPKG", body);
            &framed[..]
        }
        _ => data,
    };
    if Package::from_bytes(bytes).is_err() {
        return;
    }
    // What validation accepted must build and screen without a panic.
    let Ok(screener) = Screener::from_bytes(bytes) else { return };
    let _ = screener.screen(&Upload::text("fuzz", "RU", "онлайн казино casino 1xbet"));
    let _ = screener.materials();
}

/// `Screener::from_prebuilt` on whole files: the label, version and checksum checks.
///
/// Unlike `package_bytes`, bodies are not re-framed: a prebuilt matcher's automaton is
/// read unchecked (daachorse), so its contract is bytes `to_prebuilt` wrote, checked
/// against corruption by the checksum; a crafted body with a valid checksum is outside
/// that contract (docs/SECURITY.md: prebuilt bytes are as trusted as the component).
pub(crate) fn prebuilt(data: &[u8]) {
    // SAFETY: anything that passes the checksum is either a prebuilt this crate wrote
    // (the seed) or a SHA-256 collision.
    if let Ok(s) = unsafe { Screener::from_prebuilt(data) } {
        let reference = sample_screener();
        let upload = Upload::text("fuzz", "RU", "онлайн казино casino");
        assert_eq!(s.screen(&upload), reference.screen(&upload), "a checked prebuilt differs");
    }
}

fn frame(label: &[u8; 8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(label);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&Sha256::digest(body));
    out.extend_from_slice(body);
    out
}
