//! The registry flags `push` and `pull` share.

use anyhow::Result;
use prescreen_oci::Registry;

/// How to reach the registry.
#[derive(clap::Args)]
pub struct RegistryArgs {
    /// Speak plain HTTP (a registry on loopback, as in tests); HTTPS otherwise.
    #[arg(long)]
    plain_http: bool,
    /// User for basic auth (with `PRESCREEN_REGISTRY_PASSWORD`).
    #[arg(long, env = "PRESCREEN_REGISTRY_USER")]
    registry_user: Option<String>,
    /// Password for basic auth.
    #[arg(long, env = "PRESCREEN_REGISTRY_PASSWORD", hide_env_values = true)]
    registry_password: Option<String>,
}

impl RegistryArgs {
    pub fn registry(&self) -> Result<Registry> {
        let mut builder = Registry::builder().plain_http(self.plain_http);
        if let Some(user) = &self.registry_user {
            builder = builder.basic_auth(user, self.registry_password.as_deref().unwrap_or(""));
        }
        Ok(builder.build()?)
    }
}
