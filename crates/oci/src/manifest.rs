//! The CNCF wasm artifact layout: an OCI image manifest whose config is
//! `application/vnd.wasm.config.v0+json` and whose one layer is `application/wasm`.
//! Built here for a push (bytes fixed before upload, so the manifest digest is known
//! and reproducible), and checked here after a pull before any blob is fetched.

use crate::annotations::{Annotations, parse_built_at};
use crate::digest::{is_sha256_digest, sha256};
use crate::error::Error;
use crate::limits::{MAX_COMPONENT_BYTES, MAX_CONFIG_BYTES};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use oci_wasm::{
    COMPONENT_OS, Component, WASM_ARCHITECTURE, WASM_LAYER_MEDIA_TYPE,
    WASM_MANIFEST_CONFIG_MEDIA_TYPE, WasmConfig,
};

/// The first eight bytes of a binary component: `\0asm`, version 0x0d, layer 1. A core
/// module has layer 0 there.
const COMPONENT_PREAMBLE: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/// What a push uploads, in upload order: the layer, the config, then the manifest.
#[derive(Debug)]
pub(crate) struct Artifact {
    pub layer_digest: String,
    pub config: Vec<u8>,
    pub config_digest: String,
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
}

/// Lays out `component` with `meta`. The config's `created` is the build time, not
/// now, so equal inputs give equal bytes and equal digests.
pub(crate) fn build(component: &[u8], meta: &Annotations) -> Result<Artifact, Error> {
    if component.len() as u64 > MAX_COMPONENT_BYTES {
        return Err(Error::too_large(format!(
            "the component is {} bytes, over the {MAX_COMPONENT_BYTES}-byte limit",
            component.len()
        )));
    }
    if !is_component(component) {
        return Err(Error::input("not a wasm component (a core module or not wasm at all)"));
    }
    meta.validate()?;
    let created = parse_built_at(&meta.built_at)
        .ok_or_else(|| Error::input("annotation built_at is not an RFC 3339 time"))?;
    // oci-wasm reads the component's WIT world into the config's imports and exports,
    // which registries and engines (wasmCloud, Spin) index.
    let world = Component::from_raw_component(component)
        .map_err(|_| Error::input("not a wasm component (its WIT world could not be decoded)"))?;
    let layer_digest = sha256(component);
    let config = WasmConfig {
        created,
        author: None,
        architecture: WASM_ARCHITECTURE.to_string(),
        os: COMPONENT_OS.to_string(),
        layer_digests: vec![layer_digest.clone()],
        component: Some(world),
    };
    let config = serde_json::to_vec(&config)
        .map_err(|_| Error::input("the wasm config could not be serialized"))?;
    let config_digest = sha256(&config);
    let manifest = OciImageManifest {
        schema_version: 2,
        media_type: Some(OCI_IMAGE_MEDIA_TYPE.to_string()),
        config: descriptor(WASM_MANIFEST_CONFIG_MEDIA_TYPE, &config_digest, config.len()),
        layers: vec![descriptor(WASM_LAYER_MEDIA_TYPE, &layer_digest, component.len())],
        subject: None,
        artifact_type: None,
        annotations: Some(meta.to_map()),
    };
    let manifest = serde_json::to_vec(&manifest)
        .map_err(|_| Error::input("the manifest could not be serialized"))?;
    let manifest_digest = sha256(&manifest);
    Ok(Artifact { layer_digest, config, config_digest, manifest, manifest_digest })
}

fn descriptor(media_type: &str, digest: &str, size: usize) -> OciDescriptor {
    OciDescriptor {
        media_type: media_type.to_string(),
        digest: digest.to_string(),
        size: size as i64,
        urls: None,
        annotations: None,
        artifact_type: None,
    }
}

/// Whether `bytes` starts like a binary component.
pub(crate) fn is_component(bytes: &[u8]) -> bool {
    bytes.starts_with(&COMPONENT_PREAMBLE)
}

/// A pulled manifest that passed [`check`]: the two descriptors to fetch, their sizes
/// within bounds, and the annotations.
pub(crate) struct Checked {
    pub config: OciDescriptor,
    pub layer: OciDescriptor,
    pub annotations: Annotations,
}

/// Checks a pulled manifest is the CNCF wasm layout, before fetching anything it
/// names. Messages say what is wrong, never what the manifest holds instead.
pub(crate) fn check(body: &[u8]) -> Result<Checked, Error> {
    let manifest: OciImageManifest = serde_json::from_slice(body)
        .map_err(|_| Error::artifact("the manifest is not an OCI image manifest"))?;
    if manifest.schema_version != 2 {
        return Err(Error::artifact("the manifest's schemaVersion is not 2"));
    }
    if manifest.media_type.as_deref() != Some(OCI_IMAGE_MEDIA_TYPE) {
        return Err(Error::artifact(format!(
            "the manifest's mediaType is not {OCI_IMAGE_MEDIA_TYPE}"
        )));
    }
    if manifest.config.media_type != WASM_MANIFEST_CONFIG_MEDIA_TYPE {
        return Err(Error::artifact(format!(
            "the config's mediaType is not {WASM_MANIFEST_CONFIG_MEDIA_TYPE} (not a wasm artifact)"
        )));
    }
    let [layer] = manifest.layers.as_slice() else {
        return Err(Error::artifact("a wasm artifact has exactly one layer"));
    };
    if layer.media_type != WASM_LAYER_MEDIA_TYPE {
        return Err(Error::artifact(format!(
            "the layer's mediaType is not {WASM_LAYER_MEDIA_TYPE}"
        )));
    }
    for (what, d, max) in
        [("config", &manifest.config, MAX_CONFIG_BYTES), ("layer", layer, MAX_COMPONENT_BYTES)]
    {
        if !is_sha256_digest(&d.digest) {
            return Err(Error::artifact(format!("the {what}'s digest is not sha256:<hex>")));
        }
        // Blobs come from this registry only: a descriptor's `urls` would send the
        // client elsewhere.
        if d.urls.is_some() {
            return Err(Error::artifact(format!("the {what} descriptor names external urls")));
        }
        if d.size < 0 {
            return Err(Error::artifact(format!("the {what}'s size is negative")));
        }
        if d.size as u64 > max {
            return Err(Error::too_large(format!(
                "the {what} is {} bytes, over the {max}-byte limit",
                d.size
            )));
        }
    }
    let annotations = Annotations::from_map(&manifest.annotations.unwrap_or_default())?;
    Ok(Checked { config: manifest.config, layer: layer.clone(), annotations })
}

/// Checks a pulled (digest-verified) config: a wasm config that lists exactly the
/// layer it came with.
pub(crate) fn check_config(body: &[u8], layer_digest: &str) -> Result<(), Error> {
    let config: WasmConfig = serde_json::from_slice(body)
        .map_err(|_| Error::artifact("the config is not a wasm config"))?;
    if config.architecture != WASM_ARCHITECTURE {
        return Err(Error::artifact("the config's architecture is not wasm"));
    }
    if config.layer_digests != [layer_digest] {
        return Err(Error::artifact("the config's layerDigests do not list the manifest's layer"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest component: the preamble alone.
    const EMPTY_COMPONENT: &[u8] = &COMPONENT_PREAMBLE;

    fn meta() -> Annotations {
        Annotations::new(
            "ad-policy",
            "1",
            "ab".repeat(32),
            "2026-11-23T00:00:00+01:00",
            "prescreen:filter@0.5.0",
        )
    }

    #[test]
    fn builds_the_cncf_layout_reproducibly() {
        let a = build(EMPTY_COMPONENT, &meta()).unwrap();
        let b = build(EMPTY_COMPONENT, &meta()).unwrap();
        assert_eq!(a.manifest_digest, b.manifest_digest);
        assert_eq!(a.manifest_digest, sha256(&a.manifest));
        let checked = check(&a.manifest).unwrap();
        assert_eq!(checked.layer.digest, a.layer_digest);
        assert_eq!(checked.config.digest, a.config_digest);
        assert_eq!(checked.annotations, meta());
        check_config(&a.config, &a.layer_digest).unwrap();
        let config: serde_json::Value = serde_json::from_slice(&a.config).unwrap();
        assert_eq!(config["created"], "2026-11-22T23:00:00Z");
        assert_eq!(config["os"], "wasip2");
    }

    #[test]
    fn refuses_modules_and_junk() {
        let module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        assert!(build(&module, &meta()).unwrap_err().to_string().contains("not a wasm component"));
        assert!(build(b"hello", &meta()).is_err());
    }

    #[test]
    fn refuses_a_component_over_the_limit_before_reading_it() {
        // Zeroed pages are not touched: the length is checked first.
        let huge = vec![0u8; MAX_COMPONENT_BYTES as usize + 1];
        assert!(build(&huge, &meta()).unwrap_err().is_too_large());
    }

    #[test]
    fn refuses_other_layouts() {
        let a = build(EMPTY_COMPONENT, &meta()).unwrap();
        let mut m: serde_json::Value = serde_json::from_slice(&a.manifest).unwrap();
        let edit = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut m = m.clone();
            f(&mut m);
            check(&serde_json::to_vec(&m).unwrap()).err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(
            edit(&|m| m["config"]["mediaType"] = "application/vnd.oci.image.config.v1+json".into())
                .contains("not a wasm artifact")
        );
        assert!(
            edit(&|m| m["layers"][0]["mediaType"] = "application/octet-stream".into())
                .contains("layer's mediaType")
        );
        assert!(
            edit(&|m| m["layers"][0]["urls"] = serde_json::json!(["https://elsewhere"]))
                .contains("external urls")
        );
        assert!(
            edit(&|m| m["layers"][0]["size"] = (MAX_COMPONENT_BYTES + 1).into())
                .contains("over the")
        );
        let layer = m["layers"][0].clone();
        m["layers"].as_array_mut().unwrap().push(layer);
        assert!(check(&serde_json::to_vec(&m).unwrap()).is_err());
    }
}
