//! Builds the guest components for `wasm32-wasip2` (the filter from `guest/`, the
//! HTTP services from `guest-http/` (WASI 0.3) and `guest-http-p2/` (WASI 0.2), with
//! the `http` feature only) and hands their paths to the host, which embeds them:
//! `prescreen build` (and `build --http`) then needs nothing but the binary.
//!
//! The guest is built by a nested cargo in its own target directory, so the outer
//! build's lock is not contended and host flags (e.g. `-C target-cpu=native`) never
//! reach the wasm build.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().and_then(|p| p.parent()).unwrap().to_path_buf();
    let watched = [
        "crates/guest/src",
        "crates/guest/Cargo.toml",
        "crates/guest-common/src",
        "crates/guest-common/Cargo.toml",
        "crates/guest-http/src",
        "crates/guest-http/Cargo.toml",
        "crates/guest-http-p2/src",
        "crates/guest-http-p2/Cargo.toml",
        "crates/core/src",
        "crates/core/Cargo.toml",
        "crates/wit",
        "Cargo.lock",
    ];
    for watched in watched {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=PRESCREEN_GUEST_RUSTFLAGS");
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("guest");
    println!("cargo:rerun-if-env-changed=PRESCREEN_GUEST_TOOLCHAIN");
    // Cargo tells a build script its package's features through the environment.
    let http = std::env::var_os("CARGO_FEATURE_HTTP").is_some();
    let mut packages = vec!["prescreen-guest"];
    if http {
        packages.extend(["prescreen-guest-http", "prescreen-guest-http-p2"]);
    }
    // One cargo run for all components: same flags and profile, built in parallel.
    let mut cargo = match std::env::var("PRESCREEN_GUEST_TOOLCHAIN") {
        // Another toolchain for the guests, e.g. `stable` under `cargo +nightly fuzz`,
        // whose nightly has no wasm32-wasip2 standard library: rustup's cargo, without
        // the outer build's rustc.
        Ok(toolchain) => {
            let mut c = Command::new("rustup");
            c.args(["run", &toolchain, "cargo"])
                .env_remove("RUSTC")
                .env_remove("RUSTC_WRAPPER")
                .env_remove("RUSTUP_TOOLCHAIN");
            c
        }
        Err(_) => Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())),
    };
    let status = cargo
        .current_dir(&root)
        .arg("build")
        .args(packages.iter().flat_map(|package| ["--package", package]))
        .args(["--target", "wasm32-wasip2", "--profile", "guest"])
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        // Under `cargo clippy` the outer build's wrapper and its `-D warnings` would lint
        // the guests for wasm32 inside a build script; clippy lints them as workspace
        // members instead (`.ci/run`).
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .env_remove("CLIPPY_CONF_DIR")
        .env("CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS", guest_rustflags())
        .status()
        .expect("cannot run cargo to build the guest");
    if !status.success() {
        panic!(
            "building the guest components failed; is the target installed? \
             (rustup target add wasm32-wasip2)"
        );
    }
    let out = target_dir.join("wasm32-wasip2/guest");
    println!("cargo:rustc-env=PRESCREEN_GUEST_WASM={}", out.join("prescreen_guest.wasm").display());
    if !http {
        return;
    }
    println!(
        "cargo:rustc-env=PRESCREEN_HTTP_WASM={}",
        out.join("prescreen_guest_http.wasm").display()
    );
    println!(
        "cargo:rustc-env=PRESCREEN_HTTP_P2_WASM={}",
        out.join("prescreen_guest_http_p2.wasm").display()
    );
}

/// Wasm SIMD for the guest: every current runtime (wasmtime, Spin, browsers) has it,
/// and the PDQ blur vectorizes with it (1-megapixel hash stage 6.7 -> 4.2 ms,
/// benches/README.md). `PRESCREEN_GUEST_RUSTFLAGS` adds to it.
fn guest_rustflags() -> String {
    let extra = std::env::var("PRESCREEN_GUEST_RUSTFLAGS").unwrap_or_default();
    format!("-C target-feature=+simd128 {extra}").trim().to_string()
}
