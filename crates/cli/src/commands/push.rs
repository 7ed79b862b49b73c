//! `prescreen push`: a built component to an OCI registry, CNCF wasm layout.

use super::registry::RegistryArgs;
use anyhow::Result;
use prescreen_oci::{Annotations, Reference};
use std::path::PathBuf;
use std::process::ExitCode;

/// The WIT world a filter component implements, as its OCI annotation says.
const FILTER_WIT: &str = "prescreen:filter@0.5.0";

/// Push a built component to an OCI registry (`<registry>/<repo>:<tag>`) as a CNCF wasm
/// artifact, annotated with its package's name, version, digest and build time; prints
/// the reference pinned by digest, which `prescreen serve` and `/admin/deploy` take.
#[derive(clap::Args)]
pub struct PushCommand {
    /// The component: a `.wasm` from `prescreen build` (filter or `--http`).
    component: PathBuf,
    /// Where to: `<registry>/<repository>:<tag>`, e.g. `ghcr.io/acme/ad-policy:2026.11.1`.
    reference: Reference,
    #[command(flatten)]
    registry: RegistryArgs,
}

impl PushCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let bytes = super::info::read_component(&self.component)?;
        let (info, wit) = super::info::component_info(&self.component, &bytes)?;
        let wit = wit.unwrap_or(FILTER_WIT);
        let meta = Annotations::new(&info.name, &info.version, &info.digest, &info.built_at, wit);
        let pushed = self.registry.registry()?.push(&bytes, &meta, &self.reference)?;
        let pinned = self.reference.pinned(&pushed.manifest_digest)?;
        println!(
            "pushed {} ({} {}) -> {pinned}",
            self.component.display(),
            info.name,
            info.version
        );
        Ok(ExitCode::SUCCESS)
    }
}
