//! Push and pull against a real registry (distribution 2.8, Debian's `docker-registry`)
//! that each test starts on loopback: round trips by tag and by digest, the CNCF
//! layout on the wire, tampered blobs and manifests, a tag moved to another digest,
//! and a missing tag. Each test skips with a notice where the binary is absent.

mod support;

use prescreen_oci::{Reference, Registry};
use support::{TestRegistry, component, meta};

fn client() -> Registry {
    Registry::builder().plain_http(true).build().expect("client")
}

fn reference(registry: &TestRegistry, rest: &str) -> Reference {
    format!("{}/{rest}", registry.addr()).parse().expect("reference")
}

#[test]
fn push_then_pull_by_tag_and_by_digest_gives_the_same_bytes_and_annotations() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let bytes = component("v1");
    let tagged = reference(&registry, "prescreen/ad-policy:2026.11.1");
    let pushed = client.push(&bytes, &meta("2026.11.1"), &tagged).expect("push");
    assert!(pushed.digest.starts_with("sha256:") && pushed.manifest_digest.starts_with("sha256:"));

    let pinned = tagged.pinned(&pushed.manifest_digest).expect("pin");
    let both: Reference = format!("{tagged}@{}", pushed.manifest_digest).parse().expect("ref");
    for r in [&tagged, &pinned, &both] {
        let pulled = client.pull(r).unwrap_or_else(|e| panic!("pull {r}: {e}"));
        assert_eq!(pulled.bytes, bytes, "{r}");
        assert_eq!(pulled.annotations, meta("2026.11.1"), "{r}");
        assert_eq!(pulled.digest, pushed.digest, "{r}");
        assert_eq!(pulled.manifest_digest, pushed.manifest_digest, "{r}");
    }

    // Same bytes and metadata: the same manifest, so a re-push is a no-op for pins.
    let again = client.push(&bytes, &meta("2026.11.1"), &tagged).expect("push again");
    assert_eq!(again, pushed);
}

#[test]
fn the_manifest_has_the_cncf_wasm_media_types_and_annotations() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let tagged = reference(&registry, "prescreen/ad-policy:v1");
    let pushed = client.push(&component("v1"), &meta("v1"), &tagged).expect("push");

    let (status, body) = registry
        .get("/v2/prescreen/ad-policy/manifests/v1", "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(status, 200);
    let manifest: serde_json::Value = serde_json::from_slice(&body).expect("manifest json");
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.wasm.config.v0+json");
    assert_eq!(manifest["layers"].as_array().expect("layers").len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(manifest["layers"][0]["digest"], pushed.digest.as_str());
    let annotations = &manifest["annotations"];
    for (key, value) in [
        ("prescreen.package.name", "ad-policy"),
        ("prescreen.package.version", "v1"),
        ("prescreen.package.digest", "cc89e840".repeat(8).as_str()),
        ("prescreen.package.built_at", "2026-11-23T00:00:00Z"),
        ("prescreen.wit.version", "prescreen:filter@0.5.0"),
        ("org.opencontainers.image.title", "ad-policy"),
        ("org.opencontainers.image.version", "v1"),
        ("org.opencontainers.image.created", "2026-11-23T00:00:00Z"),
        ("org.opencontainers.image.source", "https://example.invalid/prescreen/packages"),
    ] {
        assert_eq!(annotations[key], value, "{key}");
    }

    let config_digest = manifest["config"]["digest"].as_str().expect("config digest");
    let (status, body) =
        registry.get(&format!("/v2/prescreen/ad-policy/blobs/{config_digest}"), "*/*");
    assert_eq!(status, 200);
    let config: serde_json::Value = serde_json::from_slice(&body).expect("config json");
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["layerDigests"], serde_json::json!([pushed.digest]));
    assert_eq!(config["created"], "2026-11-23T00:00:00Z");
    assert!(config["component"].is_object(), "the component's world is described");
}

#[test]
fn a_tampered_blob_is_refused() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let tagged = reference(&registry, "prescreen/ad-policy:v1");
    let pushed = client.push(&component("v1"), &meta("v1"), &tagged).expect("push");
    let pinned = tagged.pinned(&pushed.manifest_digest).expect("pin");

    // Same length, one byte changed: the registry serves it without complaint.
    let path = registry.blob_path(&pushed.digest);
    let mut data = std::fs::read(&path).expect("layer blob");
    *data.last_mut().expect("non-empty") ^= 0x01;
    std::fs::write(&path, &data).expect("tamper");

    for r in [&pinned, &tagged] {
        let err = client.pull(r).expect_err("a tampered layer must be refused");
        assert!(err.is_integrity(), "{r}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("layer {}", pushed.digest))
                && message.contains("does not match its digest"),
            "{message}"
        );
        assert_eq!(message, message.to_lowercase(), "lowercase: {message}");
    }
}

#[test]
fn a_tampered_manifest_is_refused() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let tagged = reference(&registry, "prescreen/ad-policy:v1");
    let pushed = client.push(&component("v1"), &meta("2026.11.1"), &tagged).expect("push");
    let pinned = tagged.pinned(&pushed.manifest_digest).expect("pin");

    // Still valid JSON (the registry parses manifests it serves), one value changed.
    let path = registry.blob_path(&pushed.manifest_digest);
    let text = std::fs::read_to_string(&path).expect("manifest blob");
    assert!(text.contains("\"2026.11.1\""));
    std::fs::write(&path, text.replace("\"2026.11.1\"", "\"2026.11.9\"")).expect("tamper");

    let err = client.pull(&pinned).expect_err("pinned pull of a changed manifest");
    assert!(err.is_integrity(), "{err}");
    assert!(
        err.to_string().contains(&format!("not the pinned {}", pushed.manifest_digest)),
        "{err}"
    );

    // By tag there is no pin, but the registry's own digest for the tag disagrees.
    let err = client.pull(&tagged).expect_err("tag pull of a changed manifest");
    assert!(err.is_integrity(), "{err}");
    assert!(!err.to_string().contains("2026.11.9"), "no remote content in errors: {err}");
}

#[test]
fn a_tag_moved_to_another_digest_is_detected() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let tagged = reference(&registry, "prescreen/ad-policy:stable");
    let (old_bytes, new_bytes) = (component("old"), component("new"));
    let old = client.push(&old_bytes, &meta("1"), &tagged).expect("push old");
    let new = client.push(&new_bytes, &meta("2"), &tagged).expect("push new");
    assert_ne!(old.manifest_digest, new.manifest_digest);

    // Pinned by the old digest: still the old bytes, whatever the tag says now.
    let pulled = client.pull(&tagged.pinned(&old.manifest_digest).expect("pin")).expect("pull old");
    assert_eq!((pulled.bytes, pulled.manifest_digest), (old_bytes, old.manifest_digest.clone()));
    assert_eq!(pulled.annotations.package_version, "1");

    // By tag: the new bytes, and the digest it resolved to says the tag moved.
    let pulled = client.pull(&tagged).expect("pull by tag");
    assert_eq!(pulled.manifest_digest, new.manifest_digest);
    assert_eq!(pulled.bytes, new_bytes);

    // The tag, pinned to the old digest: refused, naming both digests.
    let both: Reference = format!("{tagged}@{}", old.manifest_digest).parse().expect("ref");
    let err = client.pull(&both).expect_err("a moved tag must be refused against its pin");
    assert!(err.is_integrity(), "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&format!(
            "tag stable now points at {}, not the pinned {}",
            new.manifest_digest, old.manifest_digest
        )),
        "{message}"
    );
}

#[test]
fn a_missing_tag_or_repository_is_a_clear_error() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let tagged = reference(&registry, "prescreen/ad-policy:v1");
    client.push(&component("v1"), &meta("v1"), &tagged).expect("push");

    let missing = reference(&registry, "prescreen/ad-policy:nope");
    let err = client.pull(&missing).expect_err("missing tag");
    assert!(err.is_not_found(), "{err}");
    assert_eq!(
        err.to_string(),
        format!("pull {missing}: no tag nope in {}/prescreen/ad-policy", registry.addr())
    );

    let err = client.pull(&reference(&registry, "prescreen/absent:v1")).expect_err("no repo");
    assert!(err.is_not_found(), "{err}");

    let digest = format!("sha256:{}", "0".repeat(64));
    let err = client.pull(&tagged.pinned(&digest).expect("pin")).expect_err("missing digest");
    assert!(err.is_not_found(), "{err}");
    assert!(
        err.to_string()
            .ends_with(&format!("no manifest {digest} in {}/prescreen/ad-policy", registry.addr())),
        "{err}"
    );
}

#[test]
fn push_refuses_what_it_cannot_ship() {
    let Some(registry) = TestRegistry::start() else { return };
    let client = client();
    let tagged = reference(&registry, "prescreen/ad-policy:v1");
    let module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    let err = client.push(&module, &meta("v1"), &tagged).expect_err("a core module");
    assert!(err.to_string().contains("not a wasm component"), "{err}");

    let mut bad = meta("v1");
    bad.built_at = "yesterday".into();
    let err = client.push(&component("v1"), &bad, &tagged).expect_err("bad build time");
    assert!(err.to_string().contains("prescreen.package.built_at"), "{err}");

    let pinned = tagged.pinned(&format!("sha256:{}", "0".repeat(64))).expect("pin");
    let err = client.push(&component("v1"), &meta("v1"), &pinned).expect_err("push by digest");
    assert!(err.to_string().contains("push needs registry/repo:tag"), "{err}");

    // Nothing reached the registry.
    let (status, _) = registry.get("/v2/prescreen/ad-policy/tags/list", "*/*");
    assert_eq!(status, 404);
}
