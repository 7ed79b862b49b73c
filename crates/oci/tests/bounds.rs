//! Reads stay bounded against a hostile registry: a stand-in server on loopback (a
//! real distribution would not serve these) sends a manifest over the limit, with and
//! without announcing its length, and a layer longer than its descriptor.

use prescreen_oci::limits::MAX_MANIFEST_BYTES;
use prescreen_oci::{Reference, Registry};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

/// Connections the stand-in serves before its thread ends: more than any test here
/// makes, so it never stops early, and a bound so it never runs on unasked.
const MAX_CONNECTIONS: usize = 64;

fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    format!("sha256:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A component, its config and manifest as a correct registry would hold them.
struct Artifact {
    manifest: Vec<u8>,
    config: Vec<u8>,
    layer: Vec<u8>,
}

fn artifact() -> Artifact {
    let layer = vec![0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    let config = serde_json::to_vec(&serde_json::json!({
        "created": "2026-11-23T00:00:00Z",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [sha256(&layer)],
        "component": {"exports": [], "imports": [], "target": null},
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.wasm.config.v0+json",
                   "digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/wasm", "digest": sha256(&layer), "size": layer.len()}],
        "annotations": {
            "prescreen.package.name": "ad-policy",
            "prescreen.package.version": "1",
            "prescreen.package.digest": "ab".repeat(32),
            "prescreen.package.built_at": "2026-11-23T00:00:00Z",
            "prescreen.wit.version": "prescreen:filter@0.5.0",
        },
    }))
    .unwrap();
    Artifact { manifest, config, layer }
}

/// Serves, by path: `/v2/` (no auth), repository `huge` (a manifest one byte over the
/// limit, close-delimited), `announced` (a manifest announcing a length over the
/// limit), `long` (a valid manifest whose layer is served with extra bytes).
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let artifact = artifact();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(MAX_CONNECTIONS) {
            let Ok(stream) = stream else { continue };
            answer(stream, &artifact);
        }
    });
    port
}

fn answer(mut stream: TcpStream, artifact: &Artifact) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
    // HTTP/1.0 without a length: the body ends when the connection closes.
    let close_delimited = "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n";
    let _ = if path == "/v2/" {
        stream.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    } else if path.starts_with("/v2/huge/manifests/") {
        let chunk = vec![b' '; 64 << 10];
        let mut sent = stream.write_all(close_delimited.as_bytes());
        let mut total = 0u64;
        while sent.is_ok() && total <= MAX_MANIFEST_BYTES {
            sent = stream.write_all(&chunk);
            total += chunk.len() as u64;
        }
        sent
    } else if path.starts_with("/v2/announced/manifests/") {
        let head = format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", MAX_MANIFEST_BYTES + 1);
        stream.write_all(head.as_bytes())
    } else if path.starts_with("/v2/long/manifests/") {
        stream
            .write_all(close_delimited.as_bytes())
            .and_then(|_| stream.write_all(&artifact.manifest))
    } else if path == format!("/v2/long/blobs/{}", sha256(&artifact.config)) {
        stream
            .write_all(close_delimited.as_bytes())
            .and_then(|_| stream.write_all(&artifact.config))
    } else if path == format!("/v2/long/blobs/{}", sha256(&artifact.layer)) {
        let mut longer = artifact.layer.clone();
        longer.extend_from_slice(&[0; 100]);
        stream.write_all(close_delimited.as_bytes()).and_then(|_| stream.write_all(&longer))
    } else {
        stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    };
}

fn pull(port: u16, repo: &str) -> prescreen_oci::Error {
    let reference: Reference = format!("127.0.0.1:{port}/{repo}:v1").parse().unwrap();
    let registry = Registry::builder().plain_http(true).build().unwrap();
    registry.pull(&reference).expect_err("the stand-in serves nothing pullable")
}

#[test]
fn a_manifest_over_the_limit_is_refused_while_reading() {
    let err = pull(serve(), "huge");
    assert!(err.is_too_large(), "{err}");
    assert!(
        err.to_string().contains(&format!("over the {MAX_MANIFEST_BYTES}-byte limit")),
        "{err}"
    );
}

#[test]
fn a_manifest_announced_over_the_limit_is_refused_before_reading() {
    let err = pull(serve(), "announced");
    assert!(err.is_too_large(), "{err}");
}

#[test]
fn a_layer_longer_than_its_descriptor_is_refused() {
    let err = pull(serve(), "long");
    assert!(err.is_integrity(), "{err}");
    assert!(err.to_string().contains("longer than its descriptor"), "{err}");
}
