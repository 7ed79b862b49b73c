//! `prescreen serve`: the HTTP gateway; its flags live beside the server
//! ([`prescreen_gateway::ServeArgs`]). This command adds what needs the CLI's other
//! crates: components from OCI registries, for the start and for `{"oci": ...}` deploys.

use super::registry::RegistryArgs;
use anyhow::{Context, Result};
use prescreen_gateway::{Fetch, ServeArgs};
use prescreen_oci::{Reference, Registry};
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// Serve a component over HTTP: `POST /v1/screen`, `GET /healthz`, `GET /metrics`,
/// and admin routes (deploy, canary, shadow, promote, rollback) on a separate
/// listener. See crates/gateway/SERVE.md. The component may be an OCI reference
/// pinned by digest (`registry/repo@sha256:...`), pulled and checked at start.
#[derive(clap::Args)]
pub struct ServeCommand {
    #[command(flatten)]
    args: ServeArgs,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// Pulls components for the gateway: pinned references only, every blob checked.
#[derive(Debug)]
struct OciFetch(Registry);

impl Fetch for OciFetch {
    fn fetch(&self, reference: &str) -> Result<Vec<u8>> {
        let reference: Reference = reference.parse()?;
        Ok(self.0.pull(&reference)?.bytes)
    }
}

impl ServeCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let fetch = Arc::new(OciFetch(self.registry.registry()?));
        let mut args = self.args;
        // Kept until the server stops: the starting component pulled from a registry.
        let mut pulled = None;
        let named = args.component.to_string_lossy().into_owned();
        if !args.component.exists() && prescreen_gateway::is_pinned(&named) {
            let bytes = fetch.fetch(&named).with_context(|| format!("cannot pull {named}"))?;
            let mut file =
                tempfile::Builder::new().prefix("prescreen-pulled-").suffix(".wasm").tempfile()?;
            file.write_all(&bytes)?;
            file.flush()?;
            args.component = file.path().to_path_buf();
            pulled = Some(file);
        }
        let mut config = args.config()?;
        config.fetch = Some(fetch);
        prescreen_gateway::run(config)?;
        drop(pulled);
        Ok(ExitCode::SUCCESS)
    }
}
