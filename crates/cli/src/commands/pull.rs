//! `prescreen pull`: a component back from an OCI registry, checked.

use super::registry::RegistryArgs;
use anyhow::{Context, Result};
use prescreen_oci::Reference;
use std::path::PathBuf;
use std::process::ExitCode;

/// Pull a component from an OCI registry and write it to a file. A reference pinned by
/// digest (`repo@sha256:...`) gets exactly that artifact; every blob is checked against
/// its digest; by tag, the digest the tag resolved to is printed.
#[derive(clap::Args)]
pub struct PullCommand {
    /// `<registry>/<repository>:<tag>` or `<registry>/<repository>@sha256:<digest>`.
    reference: Reference,
    /// Output component file.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    registry: RegistryArgs,
}

impl PullCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let pulled = self.registry.registry()?.pull(&self.reference)?;
        std::fs::write(&self.output, &pulled.bytes)
            .with_context(|| format!("cannot write {}", self.output.display()))?;
        let a = &pulled.annotations;
        println!(
            "pulled {} -> {} ({} {}, package sha256:{}, manifest {})",
            self.reference,
            self.output.display(),
            a.package_name,
            a.package_version,
            a.package_digest,
            pulled.manifest_digest
        );
        Ok(ExitCode::SUCCESS)
    }
}
