//! What prescreen's tests share: where the repository's data is, the named case
//! table ([`cases`], the same table core's native test runs), and component fixtures
//! built once per test run ([`component`], [`sample`]).
//!
//! Fixtures are real components: [`component`] runs the same `compile` as
//! `prescreen build`, then keeps the bytes in memory for the process and on disk
//! under the system temp directory, keyed by the SHA-256 of the compiled package and
//! of the embedded guest. Compilation is deterministic for a fixed build time, so a
//! cached file is byte-for-byte what a fresh build would give; test binaries after
//! the first skip the pre-initialization.

#![deny(missing_docs)]

#[path = "../../../packages/testdata/cases.rs"]
#[allow(missing_docs)]
pub mod cases;

use prescreen_core::{Compiler, Package};
use prescreen_runtime::{Filter, Runtime, compile};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The build time fixtures are compiled with, so their bytes are reproducible.
pub const BUILT_AT: i64 = 1_764_000_000;

/// The repository's root (the directory holding `packages/`).
pub fn root() -> PathBuf {
    let mut at = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !at.join("packages/ad-policy").is_dir() {
        assert!(at.pop(), "packages/ad-policy not found above {}", env!("CARGO_MANIFEST_DIR"));
    }
    at
}

/// The bundled sample package's directory, `packages/ad-policy`.
pub fn sample_dir() -> PathBuf {
    root().join("packages/ad-policy")
}

/// A file under the sample package (`uploads/risky-ru-en.json`, ...).
pub fn sample_file(relative: &str) -> PathBuf {
    sample_dir().join(relative)
}

/// The sample package, compiled at [`BUILT_AT`].
pub fn sample_package() -> Package {
    compile_dir(&sample_dir())
}

/// A package directory compiled at [`BUILT_AT`]; panics with the compiler's message.
pub fn compile_dir(dir: &Path) -> Package {
    let compiler = Compiler::new().built_at(BUILT_AT).expect("fixture build time is valid");
    compiler.compile_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// A package from a manifest and a materials table, compiled at [`BUILT_AT`].
pub fn compile_strs(manifest: &str, materials: &str) -> Package {
    let compiler = Compiler::new().built_at(BUILT_AT).expect("fixture build time is valid");
    compiler.compile_strs(manifest, materials).unwrap_or_else(|e| panic!("{e}"))
}

/// One runtime for the test process (an engine and linker are built once).
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new().expect("the default runtime starts"))
}

/// The filter component holding `package`, built once per test run.
pub fn component(package: &Package) -> Arc<Vec<u8>> {
    static BUILT: OnceLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> = OnceLock::new();
    let key = format!(
        "{}-{}",
        prescreen_core::sha256_hex(&package.to_bytes()),
        &prescreen_core::sha256_hex(prescreen_runtime::GUEST_WASM)[..16]
    );
    let built = BUILT.get_or_init(Default::default);
    if let Some(bytes) = built.lock().unwrap().get(&key) {
        return bytes.clone();
    }
    let path = std::env::temp_dir().join("prescreen-testkit").join(format!("{key}.wasm"));
    let bytes = match cached(&path) {
        Some(bytes) => bytes,
        None => {
            let bytes = compile::compile(runtime(), package).expect("fixture compiles").component;
            store(&path, &bytes);
            bytes
        }
    };
    let bytes = Arc::new(bytes);
    built.lock().unwrap().insert(key, bytes.clone());
    bytes
}

/// The sample package's filter, loaded once per test run.
pub fn sample() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| {
        runtime().load(&component(&sample_package())).expect("the sample component loads")
    })
}

/// A cache file is the component's SHA-256 (64 hex digits and a newline), then the
/// component: a torn or foreign file fails the check and is rebuilt.
fn cached(path: &Path) -> Option<Vec<u8>> {
    let file = std::fs::read(path).ok()?;
    let (digest, bytes) = file.split_at_checked(65)?;
    (digest[..64] == *prescreen_core::sha256_hex(bytes).as_bytes()).then(|| bytes.to_vec())
}

/// Writes a cache file atomically (a unique temporary name, then a rename), so a
/// concurrent test binary never reads half a component. A failure only costs a rebuild.
fn store(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    let tmp = dir.join(format!(".{}.{}", std::process::id(), unique_suffix()));
    let _ = std::fs::create_dir_all(dir)
        .and_then(|()| {
            let mut file = format!("{}\n", prescreen_core::sha256_hex(bytes)).into_bytes();
            file.extend_from_slice(bytes);
            std::fs::write(&tmp, file)
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
}

fn unique_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    // Distinct per thread and per call: RandomState is seeded afresh each time.
    RandomState::new().hash_one(std::thread::current().id())
}
