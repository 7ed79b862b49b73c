//! The compiled formats: package bytes (what a component embeds, what `check` and
//! `diff` read) and the prebuilt matcher.

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
    let bytes = &*as_file(b"PRSCRPKG", data);
    if Package::from_bytes(bytes).is_err() {
        return;
    }
    // What validation accepted must build and screen without a panic.
    let Ok(screener) = Screener::from_bytes(bytes) else { return };
    let _ = screener.screen(&Upload::text("fuzz", "RU", "онлайн казино casino 1xbet"));
    let _ = screener.materials();
}

/// `Screener::from_prebuilt`, then screening with what it accepted.
///
/// As in `package_bytes`, an input whose first byte is 1 is a body the target frames
/// with a valid checksum, so the fuzzer reaches the automaton check (issue #15: a
/// forged checksum once made the loader allocate 27 GB). What loads must screen
/// without a panic, and write itself back as bytes that load again.
pub(crate) fn prebuilt(data: &[u8]) {
    let bytes = &*as_file(b"PRSCRMAT", data);
    let Ok(s) = Screener::from_prebuilt(bytes) else { return };
    let _ = s.screen(&Upload::text("fuzz", "RU", "онлайн казино casino 1xbet ставки"));
    assert!(Screener::from_prebuilt(&s.to_prebuilt()).is_ok(), "a loaded prebuilt must reload");
}

/// `data` as a whole file: framed with `label` when its first byte is 1 (a body).
fn as_file<'a>(label: &[u8; 8], data: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    match data.split_first() {
        Some((1, body)) => frame(label, body).into(),
        _ => data.into(),
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
