//! Components built once per test run, shared by every test binary of the run.
//!
//! Building a component (compile, snapshot) takes seconds, and several test binaries
//! need the same one. [`cached`] keeps each in a directory of the run, under the
//! profile's target directory (`target/<profile>/prescreen-fixtures/<run>/`), named by
//! the SHA-256 of the caller's parts (the package bytes, the kind of component).
//!
//! A run is the process that started the test binaries (`cargo test`, nextest): its
//! pid and start time, read from `/proc`. Scoping by run is what keeps the cache
//! honest: a fixture's bytes also depend on the guest, the matcher and the snapshot
//! code, which may change between runs but not within one. Directories of runs that
//! have ended are removed. Without `/proc` nothing is cached.
//!
//! Files are written under a temporary name and renamed, so test binaries running at
//! once never read half a file; two that build the same fixture at once both write
//! identical bytes.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// The fixture named by `parts` (every input that decides its bytes within a run),
/// built by `build` the first time any test binary of this run asks for it.
pub fn cached(parts: &[&[u8]], extension: &str, build: impl FnOnce() -> Vec<u8>) -> PathBuf {
    let mut key = Sha256::new();
    for part in parts {
        // Length-prefixed, so two different splits of the same bytes differ.
        key.update((part.len() as u64).to_le_bytes());
        key.update(part);
    }
    let hex: String = key.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    let (dir, shared) = match run_id() {
        Some(run) => (cache_root().join(run), true),
        // Not shareable: this process's own directory.
        None => {
            (std::env::temp_dir().join(format!("prescreen-fixtures-{}", std::process::id())), false)
        }
    };
    let path = dir.join(format!("{hex}.{extension}"));
    if path.is_file() {
        return path;
    }
    if shared {
        static SWEEP: Once = Once::new();
        SWEEP.call_once(remove_ended_runs);
    }
    std::fs::create_dir_all(&dir).expect("the fixture directory");
    let bytes = build();
    let partial = dir.join(format!("{hex}.{}.partial", std::process::id()));
    std::fs::write(&partial, &bytes).expect("writing a fixture");
    std::fs::rename(&partial, &path).expect("publishing a fixture");
    path
}

/// `target/<profile>/prescreen-fixtures`: beside the running test binary's `deps/`.
fn cache_root() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<binary>");
    profile.join("prescreen-fixtures")
}

/// `<pid>-<start time>` of the parent process, or `None` without `/proc`.
fn run_id() -> Option<String> {
    let parent = std::os::unix::process::parent_id();
    Some(format!("{parent}-{}", start_time(parent)?))
}

/// A process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after it are plain.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// Removes the directories of runs whose process has ended (or whose pid now names
/// another process); directories of runs still going are left alone.
fn remove_ended_runs() {
    let Ok(entries) = std::fs::read_dir(cache_root()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let alive = name
            .split_once('-')
            .and_then(|(pid, start)| Some((pid.parse::<u32>().ok()?, start.parse::<u64>().ok()?)))
            .is_some_and(|(pid, start)| start_time(pid) == Some(start));
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
