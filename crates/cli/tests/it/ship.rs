//! Ship by digest, end to end through the CLI (issue #14): `prescreen push` the sample
//! component to a real registry on loopback, `prescreen serve` it by its pinned
//! reference, deploy a second build with `{"oci": ...}`, and see a tag-only reference
//! and an unknown digest refused while the active version stays. Skips with a notice
//! where no registry binary is installed (`.ci/run` installs Debian's).

use super::served::{Served, request};
use crate::fixture::prescreen;
use prescreen_benches::load::Reply;
use prescreen_testkit::registry::TestRegistry;
use std::path::Path;
use std::process::Output;

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Builds the sample at `built_at`; returns its package digest (bare hex).
fn build(out: &Path, built_at: &str) -> String {
    let summary = ok(prescreen(&[
        "build",
        "packages/ad-policy",
        "-o",
        out.to_str().unwrap(),
        "--built-at",
        built_at,
    ]));
    let digest = summary.lines().find_map(|l| l.trim().strip_prefix("digest     sha256:"));
    digest.unwrap_or_else(|| panic!("no digest in {summary}")).to_string()
}

/// Pushes `component` to `reference`; returns the pinned reference `push` printed.
fn push(component: &Path, reference: &str) -> String {
    let printed = ok(prescreen(&["push", component.to_str().unwrap(), reference, "--plain-http"]));
    let pinned = printed.trim().rsplit(" -> ").next().unwrap().to_string();
    assert!(pinned.contains("@sha256:"), "{printed}");
    pinned
}

fn active_digest(served: &Served) -> String {
    let reply = request(served.addr, "GET", "/healthz", String::new());
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    reply.json()["active"]["digest"].as_str().unwrap().to_string()
}

fn deploy(served: &Served, oci: &str) -> Reply {
    request(served.admin, "POST", "/admin/deploy", serde_json::json!({ "oci": oci }).to_string())
}

#[test]
fn push_serve_by_digest_and_deploy_by_digest() {
    let Some(registry) = TestRegistry::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (dir.path().join("v1.wasm"), dir.path().join("v2.wasm"));
    let (digest1, digest2) = (build(&v1, "1700000000"), build(&v2, "1700086400"));
    assert_ne!(digest1, digest2, "two build times, two package digests");
    let repo = format!("{}/prescreen/ad-policy", registry.addr());
    let pinned1 = push(&v1, &format!("{repo}:v1"));
    let pinned2 = push(&v2, &format!("{repo}:v2"));

    let served = Served::start(&[&pinned1, "--plain-http"]);
    assert_eq!(active_digest(&served), digest1);

    // A tag can move: only a pinned reference deploys, and a refused deploy changes nothing.
    let tagged = deploy(&served, &format!("{repo}:v2"));
    assert!(tagged.status >= 400 && tagged.status < 500, "{}: {:?}", tagged.status, tagged.json());
    assert!(tagged.json().to_string().contains("pinned by digest"), "{:?}", tagged.json());
    let unknown = deploy(&served, &format!("{repo}@sha256:{}", "0".repeat(64)));
    assert!(unknown.status >= 400, "{}: {:?}", unknown.status, unknown.json());
    assert_eq!(active_digest(&served), digest1);

    let deployed = deploy(&served, &pinned2);
    assert_eq!(deployed.status, 200, "{:?}", deployed.json());
    assert_eq!(active_digest(&served), digest2);
    let screened = request(
        served.addr,
        "POST",
        "/v1/screen",
        std::fs::read_to_string(prescreen_testkit::sample_file("uploads/risky-ru-en.json"))
            .unwrap(),
    );
    assert_eq!(screened.status, 200, "{:?}", screened.json());
    assert_eq!(screened.json()["version"]["digest"], digest2.as_str(), "{:?}", screened.json());
    assert_eq!(screened.header("x-prescreen-version"), Some(digest2.as_str()));
}
