//! `prescreen serve`: the HTTP gateway; its flags live beside the server
//! ([`prescreen_gateway::ServeArgs`]).

use anyhow::Result;
use prescreen_gateway::ServeArgs;
use std::process::ExitCode;

/// Serve a component over HTTP: `POST /v1/screen`, `GET /healthz`, `GET /metrics`,
/// and admin routes (deploy, canary, shadow, promote, rollback) on a separate
/// listener. See crates/gateway/SERVE.md.
#[derive(clap::Args)]
pub struct ServeCommand {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeCommand {
    pub fn execute(self) -> Result<ExitCode> {
        self.args.execute()?;
        Ok(ExitCode::SUCCESS)
    }
}
