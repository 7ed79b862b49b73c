//! Artifact references: `registry/repo:tag`, `registry/repo@sha256:<hex>`, and
//! `registry/repo:tag@sha256:<hex>`.
//!
//! Stricter than Docker's: the registry host is always explicit (no silent
//! `docker.io`), a tag or a digest is required (no silent `latest`), and digests are
//! sha256 only. A reference with both a tag and a digest means "this tag, which must
//! still point at this digest": [`Registry::pull`](crate::Registry::pull) resolves the
//! tag and refuses it if it moved, where Docker would ignore the tag.

use crate::digest::is_sha256_digest;
use crate::error::Error;
use crate::limits::MAX_REFERENCE_BYTES;
use std::fmt;
use std::str::FromStr;

/// Longest repository path: distribution's limit on a repository name.
const MAX_REPOSITORY_BYTES: usize = 255;

/// Longest tag: the OCI distribution spec's tag grammar allows 128 characters.
const MAX_TAG_BYTES: usize = 128;

/// A parsed artifact reference. Parse one with [`str::parse`]; `Display` gives it back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl Reference {
    /// The registry host, with its port if one was given (`127.0.0.1:5000`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path (`prescreen/ad-policy`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if the reference names one.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The pinned manifest digest (`sha256:<hex>`), if the reference names one.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The same repository pinned to `manifest_digest` alone (`registry/repo@sha256:...`),
    /// as printed after a push for deploys that must not follow a tag.
    pub fn pinned(&self, manifest_digest: &str) -> Result<Reference, Error> {
        if !is_sha256_digest(manifest_digest) {
            return Err(Error::reference("a pin must be sha256:<64 lowercase hex digits>"));
        }
        Ok(Reference { tag: None, digest: Some(manifest_digest.to_string()), ..self.clone() })
    }

    /// Whether the host is a loopback address or `localhost`, where plain HTTP and
    /// credentials over it are acceptable.
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(""),
            None => self.registry.split(':').next().unwrap_or(""),
        };
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The reference in oci-client's form.
    pub(crate) fn to_oci(&self) -> oci_client::Reference {
        let (registry, repository) = (self.registry.clone(), self.repository.clone());
        match (&self.tag, &self.digest) {
            (Some(tag), Some(digest)) => oci_client::Reference::with_tag_and_digest(
                registry,
                repository,
                tag.clone(),
                digest.clone(),
            ),
            (None, Some(digest)) => {
                oci_client::Reference::with_digest(registry, repository, digest.clone())
            }
            (Some(tag), None) => oci_client::Reference::with_tag(registry, repository, tag.clone()),
            (None, None) => unreachable!("a parsed reference has a tag or a digest"),
        }
    }
}

impl FromStr for Reference {
    type Err = Error;

    fn from_str(s: &str) -> Result<Reference, Error> {
        parse(s).map_err(|why| Error::reference(format!("invalid reference {s:?}: {why}")))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn parse(s: &str) -> Result<Reference, &'static str> {
    if s.len() > MAX_REFERENCE_BYTES {
        return Err("too long");
    }
    let (rest, digest) = match s.split_once('@') {
        Some((rest, digest)) => {
            if !is_sha256_digest(digest) {
                return Err("the digest must be sha256:<64 lowercase hex digits>");
            }
            (rest, Some(digest.to_string()))
        }
        None => (s, None),
    };
    let Some((registry, path)) = rest.split_once('/') else {
        return Err("expected registry/repository:tag or registry/repository@sha256:...");
    };
    if !is_registry(registry) {
        return Err("the first part must be a registry host (with a dot or a port, or localhost)");
    }
    // A colon after the last slash starts the tag; colons before it belong to no part
    // of a repository path and are refused below.
    let last_slash = path.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match path[last_slash..].find(':') {
        Some(i) => (&path[..last_slash + i], Some(&path[last_slash + i + 1..])),
        None => (path, None),
    };
    if !is_repository(repository) {
        return Err("the repository must be lowercase path components (a-z, 0-9, '.', '_', '-')");
    }
    if let Some(tag) = tag
        && !is_tag(tag)
    {
        return Err(
            "the tag must be 1-128 of A-Z, a-z, 0-9, '_', '.', '-', not starting with '.' or '-'",
        );
    }
    if tag.is_none() && digest.is_none() {
        return Err("name a tag (:tag) or a digest (@sha256:...); there is no default tag");
    }
    Ok(Reference {
        registry: registry.to_string(),
        repository: repository.to_string(),
        tag: tag.map(str::to_string),
        digest,
    })
}

/// A host that cannot be mistaken for a repository's first component: it has a dot, a
/// port, or is `localhost` or a bracketed IPv6 address.
fn is_registry(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, port)) if ip.parse::<std::net::Ipv6Addr>().is_ok() => ("[v6]", port),
            _ => return false,
        }
    } else {
        match s.find(':') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        }
    };
    let port_ok = match port.strip_prefix(':') {
        Some(p) => !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()),
        None => port.is_empty(),
    };
    let host_ok = host == "[v6]"
        || (!host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }));
    port_ok && host_ok && (host.contains('.') || !port.is_empty() || host == "localhost")
}

/// The OCI distribution spec's repository grammar: components of lowercase letters and
/// digits joined by '.', '_', '__' or runs of '-', separated by '/'.
fn is_repository(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_REPOSITORY_BYTES
        && s.split('/').all(|component| {
            let b = component.as_bytes();
            let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
            !b.is_empty()
                && alnum(b[0])
                && alnum(b[b.len() - 1])
                && b.iter().all(|&c| alnum(c) || matches!(c, b'.' | b'_' | b'-'))
                && !component.contains("..")
                && !component.contains("___")
                && !component.contains("._")
                && !component.contains("_.")
                && !component.contains(".-")
                && !component.contains("-.")
                && !component.contains("_-")
                && !component.contains("-_")
        })
}

/// The OCI distribution spec's tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TAG_BYTES
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_the_three_forms() {
        let r: Reference = "127.0.0.1:5000/prescreen/ad-policy:2026.11.1".parse().unwrap();
        assert_eq!(
            (r.registry(), r.repository(), r.tag(), r.digest()),
            ("127.0.0.1:5000", "prescreen/ad-policy", Some("2026.11.1"), None)
        );
        let r: Reference = format!("ghcr.io/acme/filter@{D}").parse().unwrap();
        assert_eq!((r.tag(), r.digest()), (None, Some(D)));
        let r: Reference = format!("localhost:5000/f:v1@{D}").parse().unwrap();
        assert_eq!((r.tag(), r.digest()), (Some("v1"), Some(D)));
        assert_eq!(r.to_string(), format!("localhost:5000/f:v1@{D}"));
        let r: Reference = "[::1]:5000/f:v1".parse().unwrap();
        assert!(r.is_loopback());
    }

    #[test]
    fn refuses_implicit_registries_tags_and_bad_digests() {
        for bad in [
            "ad-policy:v1",                     // no registry
            "acme/ad-policy:v1",                // "acme" is not a host
            "ghcr.io/acme/ad-policy",           // no tag, no digest
            "ghcr.io/Acme/ad-policy:v1",        // uppercase repository
            "ghcr.io/acme/ad-policy:-v1",       // bad tag
            "ghcr.io/acme/ad-policy@sha256:00", // short digest
            "ghcr.io/acme/ad-policy@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io:x/acme/f:v1", // bad port
            "ghcr.io//f:v1",       // empty component
        ] {
            let err = bad.parse::<Reference>().unwrap_err().to_string();
            assert!(err.starts_with("invalid reference"), "{bad}: {err}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for (s, lo) in [
            ("localhost:5000/f:v1", true),
            ("127.0.0.1:5000/f:v1", true),
            ("127.1.2.3:80/f:v1", true),
            ("registry.example:5000/f:v1", false),
            ("10.0.0.1:5000/f:v1", false),
        ] {
            assert_eq!(s.parse::<Reference>().unwrap().is_loopback(), lo, "{s}");
        }
    }

    #[test]
    fn pinned_drops_the_tag() {
        let r: Reference = "localhost:5000/f:v1".parse().unwrap();
        assert_eq!(r.pinned(D).unwrap().to_string(), format!("localhost:5000/f@{D}"));
        assert!(r.pinned("sha256:nothex").is_err());
    }
}
