//! [`Registry`]: the sync front over oci-client. Each instance owns a current-thread
//! tokio runtime and blocks on it, so synchronous callers (the CLI) need no runtime
//! of their own.

use crate::annotations::Annotations;
use crate::error::{Error, from_oci};
use crate::fetch::{self, Credential};
use crate::limits::MAX_MANIFEST_BYTES;
use crate::manifest;
use crate::reference::Reference;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, RegistryOperation};
use std::fmt;
use std::future::Future;
use std::time::Duration;

/// How long to wait for a TCP (and TLS) connection: a registry that does not answer
/// in this long is down or filtered, and a CLI should say so rather than hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Longest silence inside one response: bounds a stalled transfer without bounding
/// a large but steady one.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Sent as `User-Agent`, so registry logs tell prescreen's traffic apart.
const USER_AGENT: &str = concat!("prescreen-oci/", env!("CARGO_PKG_VERSION"));

/// What a push wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pushed {
    /// `sha256:<hex>` of the component bytes (the layer).
    pub digest: String,
    /// `sha256:<hex>` of the manifest: pin deploys to `registry/repo@<this>`.
    pub manifest_digest: String,
}

/// What a pull read, every byte checked against its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pulled {
    /// The component.
    pub bytes: Vec<u8>,
    /// The manifest's annotations.
    pub annotations: Annotations,
    /// `sha256:<hex>` of the component bytes (the layer).
    pub digest: String,
    /// `sha256:<hex>` of the manifest read. For a pull by tag, the digest the tag
    /// resolved to: compare it with a previous pull's to see that the tag moved.
    pub manifest_digest: String,
}

#[derive(Clone)]
enum Auth {
    Anonymous,
    Basic { user: String, password: String },
    Bearer(String),
}

/// Configures a [`Registry`].
#[derive(Clone)]
pub struct RegistryBuilder {
    plain_http: bool,
    auth: Auth,
}

impl RegistryBuilder {
    /// Speak plain HTTP instead of HTTPS, to every registry: for a registry on
    /// loopback or a throwaway test network. Credentials are still only sent over
    /// plain HTTP to a loopback host; elsewhere the push or pull is refused.
    pub fn plain_http(mut self, plain_http: bool) -> RegistryBuilder {
        self.plain_http = plain_http;
        self
    }

    /// Authenticate with a user name and password (or an access token as password),
    /// exchanged for a bearer token when the registry asks for one.
    pub fn basic_auth(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> RegistryBuilder {
        self.auth = Auth::Basic { user: user.into(), password: password.into() };
        self
    }

    /// Authenticate with a bearer token the caller already holds.
    pub fn bearer_token(mut self, token: impl Into<String>) -> RegistryBuilder {
        self.auth = Auth::Bearer(token.into());
        self
    }

    /// Builds the client and its runtime.
    pub fn build(self) -> Result<Registry, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| Error::runtime("could not start the async runtime"))?;
        let config = ClientConfig {
            protocol: if self.plain_http { ClientProtocol::Http } else { ClientProtocol::Https },
            // An index is never a wasm artifact: refuse it rather than pick a platform.
            platform_resolver: None,
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(READ_TIMEOUT),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        let client = Client::new(config);
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .https_only(!self.plain_http)
            .build()
            .map_err(|_| Error::runtime("could not build the http client"))?;
        Ok(Registry { runtime, client, http, plain_http: self.plain_http, auth: self.auth })
    }
}

/// A client for OCI registries that pushes and pulls components in the CNCF wasm
/// artifact layout.
///
/// Blocking: call it from synchronous code, or from `tokio::task::spawn_blocking`
/// inside an async program (it also works on an async worker, but blocks that worker
/// until the transfer ends).
pub struct Registry {
    runtime: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    plain_http: bool,
    auth: Auth,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the credentials themselves.
        let auth = match self.auth {
            Auth::Anonymous => "anonymous",
            Auth::Basic { .. } => "basic",
            Auth::Bearer(_) => "bearer",
        };
        f.debug_struct("Registry")
            .field("plain_http", &self.plain_http)
            .field("auth", &auth)
            .finish()
    }
}

impl Registry {
    /// HTTPS, anonymous.
    pub fn new() -> Result<Registry, Error> {
        Registry::builder().build()
    }

    /// A builder: HTTPS and anonymous until told otherwise.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder { plain_http: false, auth: Auth::Anonymous }
    }

    /// Pushes `component` with `meta` to `reference`, which must be `registry/repo:tag`.
    /// The same bytes and metadata always give the same manifest digest.
    pub fn push(
        &self,
        component: &[u8],
        meta: &Annotations,
        reference: &Reference,
    ) -> Result<Pushed, Error> {
        let doing = format!("push {reference}");
        if reference.tag().is_none() || reference.digest().is_some() {
            return Err(Error::reference("push needs registry/repo:tag (no digest)").during(doing));
        }
        let artifact = manifest::build(component, meta).map_err(|e| e.during(&doing))?;
        let oci = reference.to_oci();
        self.block_on(reference, async {
            self.authenticate(&oci, RegistryOperation::Push).await?;
            let what = format!("blob {}", artifact.layer_digest);
            self.client
                .push_blob(&oci, component.to_vec(), &artifact.layer_digest)
                .await
                .map_err(|e| from_oci(e, &what))?;
            let what = format!("blob {}", artifact.config_digest);
            self.client
                .push_blob(&oci, artifact.config.clone(), &artifact.config_digest)
                .await
                .map_err(|e| from_oci(e, &what))?;
            let content_type = reqwest::header::HeaderValue::from_static(
                oci_client::manifest::OCI_IMAGE_MEDIA_TYPE,
            );
            self.client
                .push_manifest_raw(&oci, artifact.manifest.clone(), content_type)
                .await
                .map_err(|e| from_oci(e, "the manifest"))?;
            Ok(())
        })
        .map_err(|e| e.during(&doing))?;
        Ok(Pushed { digest: artifact.layer_digest, manifest_digest: artifact.manifest_digest })
    }

    /// Pulls the component at `reference` and checks it: the manifest's digest against
    /// the pin (if any), the CNCF wasm layout, and every blob against its descriptor's
    /// size and sha256.
    ///
    /// - `registry/repo@sha256:...`: exactly that manifest, wherever tags point.
    /// - `registry/repo:tag`: whatever the tag points at now; [`Pulled::manifest_digest`]
    ///   says which.
    /// - `registry/repo:tag@sha256:...`: the tag, refused unless it still points at
    ///   the pinned digest.
    pub fn pull(&self, reference: &Reference) -> Result<Pulled, Error> {
        let doing = format!("pull {reference}");
        let oci = reference.to_oci();
        self.block_on(reference, self.pull_async(reference, &oci)).map_err(|e| e.during(doing))
    }

    async fn pull_async(
        &self,
        reference: &Reference,
        oci: &oci_client::Reference,
    ) -> Result<Pulled, Error> {
        let token = self.authenticate(oci, RegistryOperation::Pull).await?;
        let credential = match (&token, &self.auth) {
            (Some(token), _) => Credential::Bearer(token),
            (None, Auth::Basic { user, password }) => Credential::Basic(user, password),
            (None, Auth::Bearer(token)) => Credential::Bearer(token),
            (None, Auth::Anonymous) => Credential::None,
        };
        // With a tag, ask for the tag (and compare with the pin below); else the digest.
        let url = format!(
            "{}://{}/v2/{}/manifests/{}",
            if self.plain_http { "http" } else { "https" },
            oci.resolve_registry(),
            reference.repository(),
            reference.tag().or(reference.digest()).expect("a parsed reference has one"),
        );
        let fetched = fetch::manifest(&self.http, &url, credential, MAX_MANIFEST_BYTES)
            .await
            .map_err(|e| if e.is_not_found() { not_found(reference) } else { e })?;
        if let Some(pin) = reference.digest()
            && fetched.digest != pin
        {
            return Err(Error::integrity(match reference.tag() {
                Some(tag) => format!(
                    "tag {tag} now points at {}, not the pinned {pin} (the tag moved)",
                    fetched.digest
                ),
                None => format!(
                    "the manifest's bytes are {}, not the pinned {pin} (tampered or corrupt)",
                    fetched.digest
                ),
            }));
        }
        // The registry's own record of the digest disagreeing with the bytes means the
        // content changed under it (checked after the pin, whose message is sharper).
        if fetched.header_digest.as_ref().is_some_and(|h| *h != fetched.digest) {
            return Err(Error::integrity(format!(
                "the manifest's bytes ({}) do not match the digest the registry records \
                 for it (tampered or corrupt)",
                fetched.digest
            )));
        }
        let checked = manifest::check(&fetched.body)?;
        let config = fetch::blob(&self.client, oci, &checked.config, "config").await?;
        manifest::check_config(&config, &checked.layer.digest)?;
        let bytes = fetch::blob(&self.client, oci, &checked.layer, "layer").await?;
        if !manifest::is_component(&bytes) {
            return Err(Error::artifact("the layer is not a wasm component"));
        }
        Ok(Pulled {
            bytes,
            annotations: checked.annotations,
            digest: checked.layer.digest,
            manifest_digest: fetched.digest,
        })
    }

    /// Gets a token for `operation` when the registry wants one; surfaces a refusal
    /// now rather than as a bare 401 on the first request.
    async fn authenticate(
        &self,
        oci: &oci_client::Reference,
        operation: RegistryOperation,
    ) -> Result<Option<String>, Error> {
        let auth = match &self.auth {
            Auth::Anonymous => RegistryAuth::Anonymous,
            Auth::Basic { user, password } => RegistryAuth::Basic(user.clone(), password.clone()),
            Auth::Bearer(token) => RegistryAuth::Bearer(token.clone()),
        };
        self.client.auth(oci, &auth, operation).await.map_err(|e| from_oci(e, "the repository"))
    }

    /// Runs `future` on this registry's runtime, after the check that keeps credentials
    /// off plain HTTP to other hosts.
    fn block_on<T: Send>(
        &self,
        reference: &Reference,
        future: impl Future<Output = Result<T, Error>> + Send,
    ) -> Result<T, Error> {
        if self.plain_http && !matches!(self.auth, Auth::Anonymous) && !reference.is_loopback() {
            return Err(Error::input(
                "refusing to send credentials over plain http to a registry not on loopback",
            ));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return self.runtime.block_on(future);
        }
        // Inside another runtime's context (an async task, or its blocking pool) tokio
        // refuses a nested block_on, so ours is driven from a thread of its own.
        std::thread::scope(|scope| {
            scope
                .spawn(|| self.runtime.block_on(future))
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

/// Which thing is missing: a missing tag is the common typo.
fn not_found(reference: &Reference) -> Error {
    let repository = repository(reference);
    Error::not_found(match (reference.tag(), reference.digest()) {
        (Some(tag), _) => format!("no tag {tag} in {repository}"),
        (None, digest) => format!("no manifest {} in {repository}", digest.unwrap_or_default()),
    })
}

/// `registry/repo`, for messages.
fn repository(reference: &Reference) -> String {
    format!("{}/{}", reference.registry(), reference.repository())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_go_over_plain_http_off_loopback() {
        let registry =
            Registry::builder().plain_http(true).basic_auth("ci", "s3cret").build().unwrap();
        let remote: Reference = "registry.example:5000/f:v1".parse().unwrap();
        let err = registry.pull(&remote).unwrap_err().to_string();
        assert!(err.contains("refusing to send credentials over plain http"), "{err}");
        assert!(!format!("{registry:?}").contains("s3cret"));
    }

    #[test]
    fn works_inside_another_runtime() {
        // A port nothing listens on: the pull gets as far as connecting.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let registry = Registry::builder().plain_http(true).build().unwrap();
        let r: Reference = format!("127.0.0.1:{port}/f:v1").parse().unwrap();
        let outer = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let err = outer.block_on(async { registry.pull(&r) }).unwrap_err();
        assert!(err.is_transport(), "{err}");
        let err = outer.block_on(async {
            let registry = std::sync::Arc::new(registry);
            let r = r.clone();
            tokio::task::spawn_blocking(move || registry.pull(&r)).await.unwrap()
        });
        assert!(err.unwrap_err().is_transport());
    }
}
