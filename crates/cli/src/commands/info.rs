//! `prescreen info`: what a component holds.

use anyhow::Result;
use prescreen_core::PackageInfo;
use prescreen_runtime::Runtime;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print what a component holds (package name, version, digest, counts, limits):
/// a filter, or an HTTP component from `build --http` (asked `GET /v1/info`).
#[derive(clap::Args)]
pub struct InfoCommand {
    component: PathBuf,
    /// Print every material instead (id, revision, kind, category, action, mode,
    /// markets, detection-only), one JSON object per line. Filter components only.
    #[arg(long)]
    materials: bool,
}

impl InfoCommand {
    pub fn execute(self) -> Result<ExitCode> {
        if self.materials {
            let filter = Runtime::new()?.load_file(&self.component)?;
            let mut out = String::new();
            for m in filter.materials()? {
                out.push_str(&serde_json::to_string(&m)?);
                out.push('\n');
            }
            crate::output::print(&out)?;
        } else {
            let info = info(&self.component)?;
            crate::output::println(&serde_json::to_string_pretty(&info)?)?;
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// What a filter or an HTTP component holds.
fn info(path: &Path) -> Result<PackageInfo> {
    Ok(component_info(path, &read_component(path)?)?.0)
}

/// A component file's bytes.
pub(super) fn read_component(path: &Path) -> Result<Vec<u8>> {
    prescreen_runtime::read_component_file(path)
}

/// What a filter or an HTTP component holds, and for an HTTP component the wasi:http
/// export it serves. The filter is tried first; an HTTP component fails to link as
/// one, and is then asked `GET /v1/info`.
pub(super) fn component_info(
    path: &Path,
    bytes: &[u8],
) -> Result<(PackageInfo, Option<&'static str>)> {
    let filter_error = match Runtime::new()?.load_file(path) {
        Ok(filter) => return Ok((filter.info().expect("load reads info").clone(), None)),
        Err(e) => e,
    };
    match http_info(bytes)? {
        Some((info, export)) => Ok((info, Some(export))),
        // Neither: the filter's reason is the one to show (the common case).
        None => Err(filter_error),
    }
}

/// An HTTP component's `GET /v1/info` and its export; `None` when `bytes` is not one.
#[cfg(feature = "http")]
fn http_info(bytes: &[u8]) -> Result<Option<(PackageInfo, &'static str)>> {
    let Ok(service) = prescreen_runtime::HttpRuntime::new()?.load(bytes) else {
        return Ok(None);
    };
    let info = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(service.info())?;
    Ok(Some((info, service.wasi_http().export())))
}

/// Without the `http` feature no HTTP component is read: the filter's error stands.
#[cfg(not(feature = "http"))]
fn http_info(_: &[u8]) -> Result<Option<(PackageInfo, &'static str)>> {
    Ok(None)
}
