//! What a pushed component says about itself in its manifest's annotations: the
//! package's name, version, digest and build time and the WIT contract, under
//! `prescreen.*` keys, and the standard `org.opencontainers.image.*` keys where one
//! means the same (title, version, created, description, source, revision).
//!
//! The `prescreen.` prefix is not reverse-DNS (the project owns no domain); it cannot
//! collide with a reverse-DNS key, which starts with a top-level domain.

use crate::error::Error;
use crate::limits::MAX_ANNOTATION_BYTES;
use std::collections::BTreeMap;

/// Annotation key: the package name (`ad-policy`).
pub const PACKAGE_NAME: &str = "prescreen.package.name";
/// Annotation key: the package version (`2026.11.1`).
pub const PACKAGE_VERSION: &str = "prescreen.package.version";
/// Annotation key: SHA-256 of the compiled package, 64 lowercase hex digits.
pub const PACKAGE_DIGEST: &str = "prescreen.package.digest";
/// Annotation key: when the package was compiled, RFC 3339.
pub const BUILT_AT: &str = "prescreen.package.built_at";
/// Annotation key: the WIT contract the component exports (`prescreen:filter@0.5.0`).
pub const WIT_VERSION: &str = "prescreen.wit.version";

/// Standard key: a human-readable title (here, the package name).
pub const OCI_TITLE: &str = "org.opencontainers.image.title";
/// Standard key: the version of the packaged software.
pub const OCI_VERSION: &str = "org.opencontainers.image.version";
/// Standard key: creation time, RFC 3339 (here, the build time).
pub const OCI_CREATED: &str = "org.opencontainers.image.created";
/// Standard key: a human-readable description.
pub const OCI_DESCRIPTION: &str = "org.opencontainers.image.description";
/// Standard key: URL of the source the package was built from.
pub const OCI_SOURCE: &str = "org.opencontainers.image.source";
/// Standard key: source revision (a commit) the package was built from.
pub const OCI_REVISION: &str = "org.opencontainers.image.revision";

/// The metadata pushed with a component and read back by a pull.
///
/// Construct with [`Annotations::new`] and set the optional fields; everything is
/// checked on push and again on pull (pulled values are remote content).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Annotations {
    /// Package name, as `prescreen info` prints it.
    pub package_name: String,
    /// Package version.
    pub package_version: String,
    /// SHA-256 of the compiled package bytes, 64 lowercase hex digits (`prescreen info`'s
    /// `digest`; not the component's digest, which is the layer's).
    pub package_digest: String,
    /// Build time, RFC 3339 (`2026-11-23T00:00:00Z`); also the config's `created`, so
    /// the same component and metadata always give the same manifest digest.
    pub built_at: String,
    /// The WIT world the component exports, `namespace:package@version`.
    pub wit_version: String,
    /// Optional description (`org.opencontainers.image.description`).
    pub description: Option<String>,
    /// Optional source URL (`org.opencontainers.image.source`).
    pub source: Option<String>,
    /// Optional source revision (`org.opencontainers.image.revision`).
    pub revision: Option<String>,
}

impl Annotations {
    /// The required metadata; optional fields start empty.
    pub fn new(
        package_name: impl Into<String>,
        package_version: impl Into<String>,
        package_digest: impl Into<String>,
        built_at: impl Into<String>,
        wit_version: impl Into<String>,
    ) -> Annotations {
        Annotations {
            package_name: package_name.into(),
            package_version: package_version.into(),
            package_digest: package_digest.into(),
            built_at: built_at.into(),
            wit_version: wit_version.into(),
            description: None,
            source: None,
            revision: None,
        }
    }

    /// The manifest annotations: ours and the standard keys that mean the same.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        let mut put = |k: &str, v: &str| {
            map.insert(k.to_string(), v.to_string());
        };
        put(PACKAGE_NAME, &self.package_name);
        put(PACKAGE_VERSION, &self.package_version);
        put(PACKAGE_DIGEST, &self.package_digest);
        put(BUILT_AT, &self.built_at);
        put(WIT_VERSION, &self.wit_version);
        put(OCI_TITLE, &self.package_name);
        put(OCI_VERSION, &self.package_version);
        put(OCI_CREATED, &self.built_at);
        for (key, value) in [
            (OCI_DESCRIPTION, &self.description),
            (OCI_SOURCE, &self.source),
            (OCI_REVISION, &self.revision),
        ] {
            if let Some(v) = value {
                put(key, v);
            }
        }
        map
    }

    /// Reads and checks a pulled manifest's annotations. Errors name the key, never
    /// the value (remote content).
    pub(crate) fn from_map(map: &BTreeMap<String, String>) -> Result<Annotations, Error> {
        let required = |key: &str| {
            map.get(key).cloned().ok_or_else(|| {
                Error::artifact(format!(
                    "the manifest has no {key} annotation (not pushed by prescreen?)"
                ))
            })
        };
        let annotations = Annotations {
            package_name: required(PACKAGE_NAME)?,
            package_version: required(PACKAGE_VERSION)?,
            package_digest: required(PACKAGE_DIGEST)?,
            built_at: required(BUILT_AT)?,
            wit_version: required(WIT_VERSION)?,
            description: map.get(OCI_DESCRIPTION).cloned(),
            source: map.get(OCI_SOURCE).cloned(),
            revision: map.get(OCI_REVISION).cloned(),
        };
        annotations.check().map_err(|key| {
            Error::artifact(format!("the manifest's {key} annotation is not valid"))
        })?;
        Ok(annotations)
    }

    /// Checks before a push: the same rules a pull applies.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        self.check().map_err(|key| Error::input(format!("annotation {key}: {}", rule(key))))
    }

    /// The key of the first value that breaks its rule.
    fn check(&self) -> Result<(), &'static str> {
        let text_ok = |v: &str| {
            !v.is_empty() && v.len() <= MAX_ANNOTATION_BYTES && !v.chars().any(char::is_control)
        };
        let token_ok = |v: &str| text_ok(v) && !v.contains(char::is_whitespace);
        if !token_ok(&self.package_name) {
            return Err(PACKAGE_NAME);
        }
        if !token_ok(&self.package_version) {
            return Err(PACKAGE_VERSION);
        }
        if !crate::digest::is_lower_hex_64(&self.package_digest) {
            return Err(PACKAGE_DIGEST);
        }
        if parse_built_at(&self.built_at).is_none() {
            return Err(BUILT_AT);
        }
        if !is_wit_version(&self.wit_version) {
            return Err(WIT_VERSION);
        }
        for (key, value) in [
            (OCI_DESCRIPTION, &self.description),
            (OCI_SOURCE, &self.source),
            (OCI_REVISION, &self.revision),
        ] {
            if value.as_deref().is_some_and(|v| !text_ok(v)) {
                return Err(key);
            }
        }
        Ok(())
    }
}

/// What a key's value must be, for push-side messages.
fn rule(key: &str) -> &'static str {
    match key {
        PACKAGE_DIGEST => "must be 64 lowercase hex digits",
        BUILT_AT => "must be an RFC 3339 time (2026-11-23T00:00:00Z)",
        WIT_VERSION => "must be namespace:package@version (prescreen:filter@0.5.0)",
        PACKAGE_NAME | PACKAGE_VERSION => {
            "must be 1 to 1024 bytes without whitespace or control characters"
        }
        _ => "must be 1 to 1024 bytes without control characters",
    }
}

/// The build time as the config's `created`, normalized to UTC.
pub(crate) fn parse_built_at(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// `namespace:package@version` (optionally `namespace:package/interface@version`), in
/// the characters WIT allows in names and semver allows in versions.
fn is_wit_version(s: &str) -> bool {
    let Some((name, version)) = s.split_once('@') else { return false };
    let Some((namespace, package)) = name.split_once(':') else { return false };
    let ident = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    s.len() <= 256
        && ident(namespace)
        && package.split('/').all(ident)
        && !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Annotations {
        let mut a = Annotations::new(
            "ad-policy",
            "2026.11.1",
            "cc89e840".repeat(8),
            "2026-11-23T00:00:00Z",
            "prescreen:filter@0.5.0",
        );
        a.source = Some("https://example.invalid/packages".into());
        a
    }

    #[test]
    fn round_trips_through_the_map() {
        let a = sample();
        let map = a.to_map();
        assert_eq!(map[OCI_TITLE], "ad-policy");
        assert_eq!(map[OCI_CREATED], "2026-11-23T00:00:00Z");
        assert!(!map.contains_key(OCI_DESCRIPTION));
        assert_eq!(Annotations::from_map(&map).unwrap(), a);
    }

    #[test]
    fn bad_values_are_named_by_key_only() {
        let mut a = sample();
        a.package_digest = "not-a-digest".into();
        let err = a.validate().unwrap_err().to_string();
        assert!(err.contains(PACKAGE_DIGEST) && !err.contains("not-a-digest"), "{err}");

        let mut map = sample().to_map();
        map.insert(BUILT_AT.into(), "\u{1b}[31myesterday".into());
        let err = Annotations::from_map(&map).unwrap_err().to_string();
        assert!(err.contains(BUILT_AT) && !err.contains("yesterday"), "{err}");

        map.remove(WIT_VERSION);
        let err = Annotations::from_map(&map).unwrap_err().to_string();
        assert!(err.contains(WIT_VERSION), "{err}");
    }

    #[test]
    fn wit_versions() {
        assert!(is_wit_version("prescreen:filter@0.5.0"));
        assert!(is_wit_version("wasi:http/handler@0.3.0-rc-2025-09-16"));
        assert!(!is_wit_version("prescreen:filter"));
        assert!(!is_wit_version("filter@0.3.0"));
        assert!(!is_wit_version("prescreen:Filter@0.3.0"));
    }
}
