//! Versions in service and how they change: the active version, the previous one
//! (for rollback), and at most one candidate, either a canary (a share of traffic,
//! chosen by upload id) or a shadow (runs on a copy of traffic, never answers).
//!
//! The slots are one immutable value behind an [`ArcSwap`]: a request loads it once
//! and keeps its `Arc<Version>` until it is done, so a swap never changes the
//! version an in-flight request runs on, and requests never wait for a deploy.

use super::MAX_COMPONENT_BYTES;
use super::limits::RequestLimits;
use super::signing::{self, Refusal};
use super::validate::Validator;
use anyhow::{Context, Result, anyhow, bail};
use arc_swap::ArcSwap;
use ed25519_dalek::VerifyingKey;
use prescreen_core::{PackageInfo, Upload};
use prescreen_runtime::{Filter, Runtime};
use serde::Serialize;
use std::io::Read as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What identifies a version in every screen response.
#[derive(Clone, Debug, Serialize)]
pub struct VersionTag {
    /// SHA-256 of the compiled package: what the verdicts depend on.
    pub digest: String,
    pub name: String,
    pub version: String,
}

impl VersionTag {
    /// The tag as the HTTP contract writes it.
    pub fn contract(&self) -> prescreen_guest_common::answer::VersionTag<'_> {
        let (digest, name, version) = (&self.digest, &self.name, &self.version);
        prescreen_guest_common::answer::VersionTag { digest, name, version }
    }
}

/// One loaded component, ready to serve.
pub struct Version {
    pub filter: Filter,
    pub info: PackageInfo,
    pub tag: VersionTag,
    /// SHA-256 of the bytes deployed (the `.wasm`, or the `.cwasm` file).
    pub component_sha256: String,
    /// Where it came from: a path, or `upload` for bytes posted to the admin API.
    pub source: String,
    /// Unix seconds when it was loaded.
    pub loaded_at: u64,
    /// Requests this version answered.
    pub served: AtomicU64,
}

impl Version {
    /// What `/admin/status` shows of a version.
    pub fn status(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.info.name,
            "version": self.info.version,
            "digest": self.info.digest,
            "built_at": self.info.built_at,
            "component_sha256": self.component_sha256,
            "source": self.source,
            "loaded_at": self.loaded_at,
            "served": self.served.load(Ordering::Relaxed),
        })
    }
}

/// How a deploy takes traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Becomes the active version at once; the active one becomes previous.
    Replace,
    /// Answers `percent` % of uploads (chosen by upload id) until promoted.
    Canary { percent: u8 },
    /// Screens a copy of every upload after the response is sent; never answers.
    Shadow,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Replace => "replace",
            Mode::Canary { .. } => "canary",
            Mode::Shadow => "shadow",
        }
    }
}

/// A canary or shadow version awaiting promotion.
#[derive(Clone)]
pub struct Candidate {
    pub mode: Mode,
    pub version: Arc<Version>,
}

/// The versions in service at one moment.
#[derive(Clone)]
pub struct Slots {
    pub active: Arc<Version>,
    pub previous: Option<Arc<Version>>,
    pub candidate: Option<Candidate>,
}

impl Slots {
    /// The version that answers an upload with this id, and whether it is the canary.
    pub fn route(&self, upload_id: &str) -> (&Arc<Version>, bool) {
        if let Some(Candidate { mode: Mode::Canary { percent }, version }) = &self.candidate
            && bucket(upload_id) < u64::from(*percent)
        {
            return (version, true);
        }
        (&self.active, false)
    }

    /// The shadow candidate, if one is deployed.
    pub fn shadow(&self) -> Option<&Arc<Version>> {
        match &self.candidate {
            Some(Candidate { mode: Mode::Shadow, version }) => Some(version),
            _ => None,
        }
    }

    /// Every version in service with its slot name.
    pub fn named(&self) -> Vec<(&'static str, &Version)> {
        let mut out = vec![("active", &*self.active)];
        if let Some(p) = &self.previous {
            out.push(("previous", p));
        }
        if let Some(c) = &self.candidate {
            out.push((c.mode.name(), &c.version));
        }
        out
    }

    pub fn status(&self) -> serde_json::Value {
        serde_json::json!({
            "active": self.active.status(),
            "previous": self.previous.as_ref().map(|p| p.status()),
            "candidate": self.candidate.as_ref().map(|c| {
                let mut v = serde_json::json!({ "mode": c.mode.name(), "version": c.version.status() });
                if let Mode::Canary { percent } = c.mode {
                    v["percent"] = percent.into();
                }
                v
            }),
        })
    }
}

/// The canary bucket of an upload, 0-99 from its id: FNV-1a, stable across processes and versions, so a
/// retried upload lands on the same version.
pub fn bucket(upload_id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in upload_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % 100
}

/// The slots, swapped atomically; admin changes are serialized by `lock`.
pub struct Deployments {
    slots: ArcSwap<Slots>,
    /// Held for a whole admin operation, so two deploys cannot interleave their
    /// read-modify-write of the slots. Requests never take it.
    pub lock: tokio::sync::Mutex<()>,
}

/// An admin operation that cannot apply to the current slots.
#[derive(Debug)]
pub struct Conflict(pub String);

impl Deployments {
    pub fn new(active: Version) -> Deployments {
        Deployments {
            slots: ArcSwap::from_pointee(Slots {
                active: Arc::new(active),
                previous: None,
                candidate: None,
            }),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The slots now. Cheap; hold the result for the whole request.
    pub fn current(&self) -> Arc<Slots> {
        self.slots.load_full()
    }

    /// Puts a loaded version into service. A replace drops any candidate.
    pub fn deploy(&self, version: Version, mode: Mode) -> Arc<Slots> {
        let now = self.current();
        let version = Arc::new(version);
        let next = match mode {
            Mode::Replace => {
                Slots { active: version, previous: Some(now.active.clone()), candidate: None }
            }
            Mode::Canary { .. } | Mode::Shadow => {
                Slots { candidate: Some(Candidate { mode, version }), ..(*now).clone() }
            }
        };
        self.store(next)
    }

    /// Makes the candidate the active version.
    pub fn promote(&self) -> std::result::Result<Arc<Slots>, Conflict> {
        let now = self.current();
        let candidate = now
            .candidate
            .clone()
            .ok_or_else(|| Conflict("no canary or shadow version to promote".into()))?;
        Ok(self.store(Slots {
            active: candidate.version,
            previous: Some(now.active.clone()),
            candidate: None,
        }))
    }

    /// With a candidate: withdraws it (the active version was never replaced).
    /// Otherwise swaps the active and previous versions.
    pub fn rollback(&self) -> std::result::Result<(Arc<Slots>, &'static str), Conflict> {
        let now = self.current();
        if now.candidate.is_some() {
            return Ok((
                self.store(Slots { candidate: None, ..(*now).clone() }),
                "candidate withdrawn",
            ));
        }
        let previous = now
            .previous
            .clone()
            .ok_or_else(|| Conflict("no previous version to roll back to".into()))?;
        Ok((
            self.store(Slots {
                active: previous,
                previous: Some(now.active.clone()),
                candidate: None,
            }),
            "rolled back",
        ))
    }

    fn store(&self, next: Slots) -> Arc<Slots> {
        let next = Arc::new(next);
        self.slots.store(next.clone());
        next
    }
}

/// Where the bytes of a new version come from.
pub enum Source {
    /// Posted to the admin API: must be a `.wasm` component.
    Bytes(Vec<u8>),
    /// A file on the server: a `.wasm`, or a `.cwasm` precompiled by this server's
    /// engine configuration.
    Path(std::path::PathBuf),
    /// A path's file as [`read_source`] read it.
    File { path: std::path::PathBuf, bytes: Vec<u8> },
    /// An OCI reference pinned by digest (`registry/repo@sha256:...`), fetched by the
    /// server's [`Fetch`]: a `.wasm` component, never native code.
    Oci(String),
}

/// Fetches a component by an OCI reference pinned by digest, checking what it gets
/// against that digest (`prescreen serve` gives one backed by `prescreen-oci`).
pub trait Fetch: Send + Sync + std::fmt::Debug {
    /// The component bytes `reference` names.
    fn fetch(&self, reference: &str) -> Result<Vec<u8>>;
}

/// Whether `reference` is pinned by a sha256 digest: `...@sha256:` and 64 hex digits.
pub fn is_pinned(reference: &str) -> bool {
    reference.rsplit_once("@sha256:").is_some_and(|(name, hex)| {
        !name.is_empty() && hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Reads a path deploy's file, before the admin lock is taken so that a slow or
/// blocking file holds nothing up (issue #15): a regular file named `.wasm` or
/// `.cwasm` (not a FIFO, a device or a directory), at most [`MAX_COMPONENT_BYTES`]
/// counted while reading. Errors name the path and never its contents.
pub fn read_source(
    source: Source,
    fetch: Option<&dyn Fetch>,
) -> std::result::Result<Source, DeployError> {
    let path = match source {
        Source::Path(path) => path,
        Source::Oci(reference) => {
            let invalid = |why: String| DeployError::Invalid(anyhow!("{reference}: {why}"));
            if !is_pinned(&reference) {
                return Err(invalid(
                    "an OCI deploy must be pinned by digest (repo@sha256:...)".into(),
                ));
            }
            let fetch =
                fetch.ok_or_else(|| invalid("this server cannot fetch from registries".into()))?;
            let bytes = fetch.fetch(&reference).map_err(|e| invalid(format!("{e:#}")))?;
            if is_precompiled(&bytes) {
                return Err(invalid("native code is never deployed from a registry".into()));
            }
            return Ok(Source::Bytes(bytes));
        }
        other => return Ok(other),
    };
    let invalid = |why: String| DeployError::Invalid(anyhow!("{}: {why}", path.display()));
    match path.extension().and_then(|e| e.to_str()) {
        Some("wasm" | "cwasm") => {}
        _ => return Err(invalid("a deploy path must name a .wasm or .cwasm file".into())),
    }
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(&path).map_err(|e| invalid(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(invalid("not a regular file".into()));
    }
    let file = std::fs::File::open(&path).map_err(|e| invalid(format!("cannot read: {e}")))?;
    // And again on what was opened, in case the path changed in between.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(invalid("not a regular file".into()));
    }
    let mut bytes = Vec::new();
    std::io::Read::take(file, MAX_COMPONENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| invalid(format!("cannot read: {e}")))?;
    if bytes.len() > MAX_COMPONENT_BYTES {
        return Err(invalid(format!("over the {MAX_COMPONENT_BYTES}-byte component limit")));
    }
    Ok(Source::File { path, bytes })
}

/// A deploy as requested, before any check.
pub struct DeployRequest {
    pub source: Source,
    pub expected_sha256: Option<String>,
    pub signature: Option<String>,
}

/// Why a deploy was refused, and with which HTTP status class.
#[derive(Debug)]
pub enum DeployError {
    /// Digest or signature (HTTP 403 for signatures, 422 for digests).
    Refused(Refusal),
    /// Not loadable, not a filter, or failed the smoke screen (HTTP 422).
    Invalid(anyhow::Error),
}

impl std::fmt::Display for DeployError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeployError::Refused(r) => write!(f, "{r}"),
            DeployError::Invalid(e) => write!(f, "{e:#}"),
        }
    }
}

/// ELF: a `.cwasm` from wasmtime's precompilation.
fn is_precompiled(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Checks, loads and smoke-tests a new version. Blocking (compiles the component):
/// run it off the async runtime.
pub fn prepare(
    runtime: &Runtime,
    request: DeployRequest,
    key: Option<&VerifyingKey>,
    limits: &RequestLimits,
    native: NativeCode<'_>,
) -> std::result::Result<Version, DeployError> {
    let (bytes, source_name, path) = match read_source(request.source, None)? {
        Source::Bytes(b) => (b, "upload".to_string(), None),
        Source::File { path, bytes } => (bytes, path.display().to_string(), Some(path)),
        Source::Path(_) | Source::Oci(_) => {
            return Err(DeployError::Invalid(anyhow!("the deploy's source was not read")));
        }
    };
    let sha = signing::sha256_hex(&bytes);
    signing::check(
        &bytes,
        &sha,
        request.expected_sha256.as_deref(),
        key,
        request.signature.as_deref(),
    )
    .map_err(DeployError::Refused)?;
    let named_cwasm = path.as_deref().is_some_and(|p| p.extension().is_some_and(|e| e == "cwasm"));
    if is_precompiled(&bytes) != named_cwasm {
        // Native code only where the operator said so by name, never from the network
        // (even signed), and a `.wasm` that holds native code is refused (issue #15).
        return Err(DeployError::Invalid(anyhow!(if named_cwasm {
            "a .cwasm file must hold `prescreen precompile --serve` output"
        } else {
            "precompiled (native) components are only accepted as a local .cwasm path"
        })));
    }
    let filter = if named_cwasm {
        load_cwasm(runtime, &bytes, native).map_err(DeployError::Invalid)?
    } else {
        load_wasm(runtime, &bytes).map_err(DeployError::Invalid)?
    };
    let info = filter
        .info()
        .cloned()
        .ok_or_else(|| DeployError::Invalid(anyhow!("the component reports no package")))?;
    smoke(&filter, limits).map_err(DeployError::Invalid)?;
    let loaded_at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let tag = VersionTag {
        digest: info.digest.clone(),
        name: info.name.clone(),
        version: info.version.clone(),
    };
    Ok(Version {
        filter,
        info,
        tag,
        component_sha256: sha,
        source: source_name,
        loaded_at,
        served: AtomicU64::new(0),
    })
}

/// What a `.cwasm` candidate goes through before it is mapped here.
#[derive(Clone, Copy)]
pub enum NativeCode<'a> {
    /// Tried in a child process first.
    Validated(&'a Validator),
    /// The operator's own file, named on the command line: loaded as it is.
    Trusted,
    /// No way to validate it: refused.
    Refused,
}

/// Loads native code from a deploy: first in a child process ([`validator`]), so that
/// corrupt code that passes wasmtime's header checks crashes the child and not the
/// gateway, then here, from a private copy of exactly the bytes whose digest and
/// signature were checked.
fn load_cwasm(runtime: &Runtime, bytes: &[u8], native: NativeCode<'_>) -> Result<Filter> {
    let file = private_copy(bytes)?;
    match native {
        NativeCode::Validated(validator) => validator.check(file.path())?,
        NativeCode::Trusted => {}
        NativeCode::Refused => bail!(
            "precompiled deploys need a validating process (`prescreen serve` has one); deploy the .wasm"
        ),
    }
    // SAFETY: `file` is this process's private copy (0600, O_EXCL) of bytes a child
    // just loaded and screened with the same engine configuration; it is unlinked
    // after mapping, so it cannot change while loaded.
    let filter = unsafe { runtime.load_precompiled(file.path()) }.context(
        "cannot load it (a .cwasm must come from this server's engine configuration: make it with `prescreen precompile --serve`, or give the .wasm)",
    )?;
    file.close()?;
    Ok(filter)
}

/// `bytes` in a private temporary file: created 0600 with O_EXCL under the temp dir,
/// so no other user can swap its contents between writing and mapping.
fn private_copy(bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let mut file =
        tempfile::Builder::new().prefix("prescreen-serve-").suffix(".cwasm").tempfile()?;
    file.write_all(bytes)?;
    file.flush()?;
    Ok(file)
}

/// Compiles a `.wasm` component to native code in a private temporary file and maps
/// it from there, then unlinks the file. Mapping from a file (instead of compiling in
/// memory) backs the memory image by the page cache, where the kernel maps
/// neighbouring pages per fault: fresh instances touch fewer faults
/// (benches/README.md measured ~2.6x cheaper instances for `.cwasm`).
fn load_wasm(runtime: &Runtime, bytes: &[u8]) -> Result<Filter> {
    // Validates and compiles; errors name what is wrong with the bytes.
    let native = runtime.precompile(bytes).context("not a valid component")?;
    let file = private_copy(&native)?;
    // SAFETY: the file holds `precompile`'s output by this engine, was written just
    // now, and is unlinked right after loading (the mapping keeps the inode alive),
    // so it cannot change while loaded.
    let filter = unsafe { runtime.load_precompiled(file.path()) }
        .context("the component is not a prescreen filter")?;
    file.close()?;
    Ok(filter)
}

/// The upload every new version must screen before it serves.
fn smoke_upload() -> Upload {
    Upload {
        id: "prescreen-smoke".into(),
        market: "US".into(),
        language: None,
        fields: Vec::new(),
        images: Vec::new(),
        videos: Vec::new(),
    }
}

/// Screens an empty upload under the server's memory cap: a version that cannot
/// answer it (traps, does not fit in memory, refuses it) never serves.
fn smoke(filter: &Filter, limits: &RequestLimits) -> Result<()> {
    match filter.screen_bounded(smoke_upload(), limits.smoke_bounds()) {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => bail!("smoke screen of an empty upload failed: {e}"),
        Err(fault) => bail!("smoke screen of an empty upload failed: {fault}"),
    }
}

/// Loads the version the server starts with (trusted: the operator named it on the
/// command line, so no signature is required).
pub fn initial(
    runtime: &Runtime,
    path: &Path,
    limits: &RequestLimits,
    validator: Option<&Validator>,
) -> Result<Version> {
    let request = DeployRequest {
        source: Source::Path(path.to_path_buf()),
        expected_sha256: None,
        signature: None,
    };
    let native = validator.map_or(NativeCode::Trusted, NativeCode::Validated);
    prepare(runtime, request, None, limits, native).map_err(|e| anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_stable_and_spread() {
        assert_eq!(bucket("up-001"), bucket("up-001"));
        let mut seen = [0u32; 100];
        for i in 0..10_000 {
            seen[bucket(&format!("upload-{i}")) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (50..=150).contains(&n)), "{seen:?}");
    }
}
