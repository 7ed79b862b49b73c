//! Checks on the bytes of a deploy before anything loads them: the SHA-256 digest
//! the operator expects, and an ed25519 signature over the component bytes when the
//! server is configured with a public key (`--public-key`).

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, VerifyingKey};
pub use prescreen_core::sha256_hex;

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// Hex (any case) or standard base64, whichever `s` is.
fn decode_bytes(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    unhex(s).or_else(|| STANDARD.decode(s).ok())
}

/// DER prefix of an ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 key bytes follow.
const SPKI_ED25519_PREFIX: [u8; 12] =
    [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// The key bytes of a `-----BEGIN PUBLIC KEY-----` PEM (what `openssl pkey -pubout`
/// writes for an ed25519 key).
fn pem_key(text: &str) -> Option<Vec<u8>> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).map(str::trim).collect();
    let der = STANDARD.decode(body).ok()?;
    der.strip_prefix(&SPKI_ED25519_PREFIX[..]).filter(|k| k.len() == 32).map(<[u8]>::to_vec)
}

/// A public key given as 64 hex digits or base64 of its 32 bytes, or as a file that
/// holds either form, the 32 raw bytes, or a PEM public key (`openssl pkey -pubout`).
pub fn parse_public_key(arg: &str) -> Result<VerifyingKey> {
    let bytes = match decode_bytes(arg) {
        Some(b) if b.len() == 32 => b,
        _ => {
            let raw = std::fs::read(arg).with_context(|| {
                format!(
                    "--public-key `{arg}` is neither 32 bytes in hex/base64 nor a readable file"
                )
            })?;
            if raw.len() == 32 {
                raw
            } else {
                let text = std::str::from_utf8(&raw)
                    .map_err(|_| anyhow!("{arg}: not a 32-byte key, hex, base64 or PEM"))?;
                let key = if text.contains("-----BEGIN PUBLIC KEY-----") {
                    pem_key(text)
                } else {
                    decode_bytes(text)
                };
                key.filter(|b| b.len() == 32).ok_or_else(|| {
                    anyhow!("{arg}: not an ed25519 public key in hex, base64 or PEM")
                })?
            }
        }
    };
    let bytes: [u8; 32] =
        bytes.try_into().map_err(|_| anyhow!("an ed25519 public key is 32 bytes"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| anyhow!("not a valid ed25519 public key: {e}"))
}

/// Why a deploy's bytes were refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The bytes are not what the operator said they would be.
    DigestMismatch {
        /// The digest the deploy stated.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// A public key is configured and the deploy carries no signature.
    Unsigned,
    /// The signature does not verify (or is not a signature).
    BadSignature(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::DigestMismatch { expected, actual } => {
                write!(f, "sha256 mismatch: expected {expected}, the component is {actual}")
            }
            Refusal::Unsigned => f.write_str(
                "unsigned deploy refused: this server requires an ed25519 signature of the component bytes in `x-prescreen-signature` (hex or base64)",
            ),
            Refusal::BadSignature(why) => write!(f, "signature refused: {why}"),
        }
    }
}

/// Checks `bytes` against the expected digest (if given) and the signature (if a key
/// is configured).
pub fn check(
    bytes: &[u8],
    actual_sha256: &str,
    expected_sha256: Option<&str>,
    key: Option<&VerifyingKey>,
    signature: Option<&str>,
) -> std::result::Result<(), Refusal> {
    if let Some(expected) = expected_sha256 {
        let expected = expected.trim().trim_start_matches("sha256:").to_ascii_lowercase();
        if expected != actual_sha256 {
            return Err(Refusal::DigestMismatch { expected, actual: actual_sha256.to_string() });
        }
    }
    if let Some(key) = key {
        let signature = signature.ok_or(Refusal::Unsigned)?;
        let raw = decode_bytes(signature)
            .ok_or_else(|| Refusal::BadSignature("not hex or base64".into()))?;
        let signature = Signature::from_slice(&raw).map_err(|_| {
            Refusal::BadSignature(format!("{} bytes, an ed25519 signature is 64", raw.len()))
        })?;
        // Strict verification: rejects the malleable and small-order cases that the
        // lenient check lets through.
        key.verify_strict(bytes, &signature).map_err(|_| {
            Refusal::BadSignature("does not verify against the configured key".into())
        })?;
    }
    Ok(())
}

/// Validates a digest given by the operator before it is compared.
pub fn validate_sha256(s: &str) -> Result<()> {
    let s = s.trim().trim_start_matches("sha256:");
    if s.len() != 64 || unhex(s).is_none() {
        bail!("expected_sha256 must be 64 hex digits, got `{s}`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn signatures_verify_in_hex_and_base64() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let public = key.verifying_key();
        let bytes = b"component";
        let digest = sha256_hex(bytes);
        let sig = key.sign(bytes).to_bytes();
        assert_eq!(check(bytes, &digest, Some(&digest), Some(&public), Some(&hex(&sig))), Ok(()));
        assert_eq!(check(bytes, &digest, None, Some(&public), Some(&STANDARD.encode(sig))), Ok(()));
        assert_eq!(check(bytes, &digest, None, Some(&public), None), Err(Refusal::Unsigned));
        assert!(matches!(
            check(b"other", &sha256_hex(b"other"), None, Some(&public), Some(&hex(&sig))),
            Err(Refusal::BadSignature(_))
        ));
        assert!(matches!(
            check(bytes, &digest, Some(&"0".repeat(64)), None, None),
            Err(Refusal::DigestMismatch { .. })
        ));
        assert_eq!(parse_public_key(&hex(public.as_bytes())).unwrap(), public);
        // The PEM `openssl pkey -pubout` writes.
        let der = [&SPKI_ED25519_PREFIX[..], public.as_bytes()].concat();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            STANDARD.encode(der)
        );
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), pem).unwrap();
        assert_eq!(parse_public_key(file.path().to_str().unwrap()).unwrap(), public);
    }
}
