//! Content digests in the OCI form `sha256:<64 lowercase hex digits>`, the only
//! algorithm this crate writes or accepts.

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in hash {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Whether `s` is `sha256:` and 64 lowercase hex digits: the only form compared or
/// shown, so a digest in an error message is never arbitrary text.
pub(crate) fn is_sha256_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(is_lower_hex_64)
}

/// 64 lowercase hex digits (a bare SHA-256, as `prescreen info` prints a package digest).
pub(crate) fn is_lower_hex_64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(is_sha256_digest(&sha256(b"x")));
        assert!(!is_sha256_digest(&sha256(b"x").to_uppercase()));
        assert!(!is_sha256_digest("sha256:abc"));
    }
}
