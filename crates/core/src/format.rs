//! The compiled package format: what `prescreen build` bakes into a component.
//!
//! ```text
//! offset  size  field
//! 0       8     label  b"PRSCRPKG"
//! 8       4     format version, u32 little-endian
//! 12      32    SHA-256 of the body
//! 44      ..    body: postcard-encoded `Package`
//! ```
//!
//! [`decode`] checks each of these in turn and then the package's own invariants; it
//! never panics, whatever the bytes (see the property test below and `fuzz/`).

use crate::error::Error;
pub use crate::package::FORMAT_VERSION;
use crate::package::Package;
use sha2::{Digest, Sha256};

const LABEL: &[u8; 8] = b"PRSCRPKG";
const HEADER_LEN: usize = 8 + 4 + 32;

impl Package {
    /// Encodes the package in the compiled format.
    pub fn to_bytes(&self) -> Vec<u8> {
        frame(LABEL, &postcard::to_allocvec(self).expect("serializing to a Vec cannot fail"))
    }

    /// The length of [`Package::to_bytes`]' output, counted without encoding it (a
    /// million-term package is tens of MiB to allocate and copy).
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN
            + postcard::experimental::serialized_size(self).expect("sizing an encoding cannot fail")
    }

    /// Decodes and validates compiled package bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Package, Error> {
        let body = unframe(LABEL, bytes)?;
        let package: Package =
            postcard::from_bytes(body).map_err(|e| Error::format(format!("body: {e}")))?;
        package.validate()?;
        Ok(package)
    }
}

/// Label, format version and checksum in front of `body`.
pub(crate) fn frame(label: &[u8; 8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(label);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&Sha256::digest(body));
    out.extend_from_slice(body);
    out
}

/// Checks the header [`frame`] wrote (label, version, checksum) and returns the body.
pub(crate) fn unframe<'a>(label: &[u8; 8], bytes: &'a [u8]) -> Result<&'a [u8], Error> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::format(format!("{} bytes is shorter than the header", bytes.len())));
    }
    let (found, rest) = bytes.split_at(8);
    if found != label {
        return Err(Error::format(format!(
            "bad label: not a {} (expected {:?})",
            if label == LABEL { "prescreen package" } else { "prebuilt prescreen matcher" },
            String::from_utf8_lossy(label)
        )));
    }
    let (version, rest) = rest.split_at(4);
    let version = u32::from_le_bytes([version[0], version[1], version[2], version[3]]);
    if version != FORMAT_VERSION {
        return Err(Error::format(format!(
            "format version {version} is not supported (this build reads {FORMAT_VERSION})"
        )));
    }
    let (checksum, body) = rest.split_at(32);
    if Sha256::digest(body).as_slice() != checksum {
        return Err(Error::format("checksum mismatch (corrupted or truncated)"));
    }
    Ok(body)
}

/// SHA-256 of compiled package bytes, lowercase hex: the package's identity.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Package {
        crate::screener::tests::tiny_package()
    }

    #[test]
    fn round_trips() {
        let p = sample();
        assert_eq!(Package::from_bytes(&p.to_bytes()).unwrap(), p);
        assert_eq!(p.encoded_len(), p.to_bytes().len());
    }

    #[test]
    fn rejects_each_header_fault_with_its_own_message() {
        let good = sample().to_bytes();
        let msg = |b: &[u8]| Package::from_bytes(b).unwrap_err().to_string();
        assert!(msg(&good[..10]).contains("shorter than the header"));
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(msg(&bad).contains("bad label"));
        let mut bad = good.clone();
        bad[8] = 9;
        assert!(msg(&bad).contains("format version 9"));
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(msg(&bad).contains("checksum mismatch"));
        assert!(msg(&good[..good.len() - 1]).contains("checksum mismatch"));
    }

    #[test]
    fn rejects_valid_checksum_over_invalid_invariants() {
        let mut p = sample();
        p.materials.push(p.materials[0].clone());
        let err = Package::from_bytes(&p.to_bytes()).unwrap_err().to_string();
        assert!(err.contains("duplicate material id"), "{err}");
    }

    proptest! {
        // Decoding arbitrary bytes, or valid bytes with arbitrary flips, returns an
        // error or a valid package; it never panics.
        #[test]
        fn never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Package::from_bytes(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_bodies(at in 0usize..4096, byte in any::<u8>()) {
            let good = sample().to_bytes();
            let mut bad = good.clone();
            let at = HEADER_LEN + at % (good.len() - HEADER_LEN);
            bad[at] = byte;
            // Recompute the checksum so the mutation reaches the postcard decoder.
            let sum = Sha256::digest(&bad[HEADER_LEN..]);
            bad[12..HEADER_LEN].copy_from_slice(&sum);
            if let Ok(p) = Package::from_bytes(&bad) {
                prop_assert!(p.validate().is_ok());
            }
        }
    }
}
