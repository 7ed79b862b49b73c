//! The HTTP components' host side: an engine and linker that satisfy their imports
//! (WASI 0.2 from Rust's std and the `wasip2` crate, WASI 0.3 and `wasi:http@0.3.0`
//! from spin-sdk), used by `prescreen build --http` to load and snapshot them, and
//! by tests and benchmarks to serve requests to them in-process, one fresh instance
//! per request as Spin does.
//!
//! Kept apart from [`crate::Runtime`]: the filter's hot path (pooling allocator,
//! kept-resident memory, sync calls) stays as it is, and only this engine turns on
//! the component-model async features wasi:http p3 needs.

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use prescreen_core::PackageInfo;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p3::Request;
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

/// Which wasi:http an HTTP component speaks: the same routes and answers either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasiHttp {
    /// `wasi:http/handler@0.3.0` (WASI 0.3, spin-sdk 7): Spin with WASI 0.3,
    /// `wasmtime serve` with p3. The default.
    P3,
    /// `wasi:http/incoming-handler@0.2` (WASI 0.2, the `wasip2` crate): Spin 3.x,
    /// `wasmtime serve` without p3, and other WASI 0.2 hosts.
    P2,
}

impl WasiHttp {
    /// The generic component (no package yet) that `prescreen build --http` loads.
    pub fn guest(self) -> &'static [u8] {
        match self {
            WasiHttp::P3 => crate::HTTP_WASM,
            WasiHttp::P2 => crate::HTTP_P2_WASM,
        }
    }

    /// The handler interface the component exports.
    pub fn export(self) -> &'static str {
        match self {
            WasiHttp::P3 => "wasi:http/handler@0.3.0",
            WasiHttp::P2 => "wasi:http/incoming-handler@0.2",
        }
    }
}

/// A request body either wasi:http host can take: bytes, sent across tasks.
pub trait RequestBody:
    http_body::Body<Data = Bytes, Error: Into<wasmtime_wasi_http::Error>> + Send + 'static
{
}

impl<B> RequestBody for B where
    B: http_body::Body<Data = Bytes, Error: Into<wasmtime_wasi_http::Error>> + Send + 'static
{
}

/// Per-request host state: empty WASI (no files, env or network) and wasi:http
/// with outbound requests refused.
pub(crate) struct HttpCtx {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: NoOutbound,
}

impl HttpCtx {
    pub(crate) fn new() -> HttpCtx {
        HttpCtx {
            wasi: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: NoOutbound,
        }
    }
}

impl WasiView for HttpCtx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HttpCtx {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// The component screens with what it holds and never calls out; a request it
/// tried to send would be a bug, answered with `HttpRequestDenied` (as Spin does for
/// hosts missing from `allowed_outbound_hosts`) rather than sent.
struct NoOutbound;

impl WasiHttpHooks for NoOutbound {
    fn send_request(
        &mut self,
        _request: http::Request<WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<dyn Future<Output = OutboundResult> + Send> {
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// What `send_request` resolves to: the response and its I/O future, or an error.
type OutboundResult = Result<
    (
        http::Response<WasiBody>,
        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ),
    wasmtime_wasi_http::Error,
>;

/// The engine and linker for HTTP components. Build once; load any number.
#[derive(Clone)]
pub struct HttpRuntime {
    engine: Engine,
    linker: Linker<HttpCtx>,
}

impl HttpRuntime {
    /// An engine and linker for the wasi:http components (both flavours).
    pub fn new() -> Result<HttpRuntime> {
        let mut config = Config::new();
        // wasi:http@0.3.0's handler is an async export, with streams and futures.
        config.wasm_component_model_async(true);
        // A snapshot's sparse heap still maps as one image (see `Runtime`), instead of
        // data segments copied on every instantiation.
        config.memory_guaranteed_dense_image_size(crate::runtime::MAX_MEMORY_BYTES as u64);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        // Rust's std on wasm32-wasip2 imports WASI 0.2; spin-sdk imports 0.3. One
        // linker serves both components.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        Ok(HttpRuntime { engine, linker })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn linker(&self) -> &Linker<HttpCtx> {
        &self.linker
    }

    /// Compiles an HTTP component and links it once; fails unless it is a wasi:http
    /// 0.3 or 0.2 service whose imports this host provides.
    pub fn load(&self, component: &[u8]) -> Result<HttpService> {
        let compiled = Component::new(&self.engine, component)
            .map_err(anyhow::Error::from)
            .context("not a valid component")?;
        let pre = self
            .linker
            .instantiate_pre(&compiled)
            .map_err(anyhow::Error::from)
            .context("cannot link the component")?;
        let handler = match ServicePre::new(pre.clone()) {
            Ok(p3) => Handler::P3(p3),
            Err(_) => Handler::P2(
                ProxyPre::new(pre)
                    .map_err(anyhow::Error::from)
                    .context("the component exports neither wasi:http/handler@0.3.0 nor wasi:http/incoming-handler@0.2")?,
            ),
        };
        Ok(HttpService { handler })
    }
}

/// A loaded HTTP component. Cheap to clone and share.
#[derive(Clone)]
pub struct HttpService {
    handler: Handler,
}

#[derive(Clone)]
enum Handler {
    P3(ServicePre<HttpCtx>),
    P2(ProxyPre<HttpCtx>),
}

impl HttpService {
    /// Which wasi:http the component speaks.
    pub fn wasi_http(&self) -> WasiHttp {
        match self.handler {
            Handler::P3(_) => WasiHttp::P3,
            Handler::P2(_) => WasiHttp::P2,
        }
    }

    /// Serves one request in a fresh instance, dropped afterwards, and returns the
    /// response with its whole body. `Err` is the host's or a trap, not an HTTP
    /// error status: those are ordinary responses.
    pub async fn handle(
        &self,
        request: http::Request<impl RequestBody>,
    ) -> Result<http::Response<Bytes>> {
        match &self.handler {
            Handler::P3(pre) => handle_p3(pre, request).await,
            Handler::P2(pre) => handle_p2(pre, request).await,
        }
    }

    /// `GET /v1/info`: the package the component holds, as it reports it.
    pub async fn info(&self) -> Result<PackageInfo> {
        let request = http::Request::get("http://localhost/v1/info")
            .body(http_body_util::Empty::<Bytes>::new())?;
        let response = self.handle(request).await?;
        if response.status() != http::StatusCode::OK {
            let body = String::from_utf8_lossy(response.body());
            anyhow::bail!("GET /v1/info answered {}: {body}", response.status());
        }
        serde_json::from_slice(response.body())
            .context("GET /v1/info did not answer a package info")
    }
}

/// One request through `wasi:http/handler@0.3.0`.
async fn handle_p3(
    pre: &ServicePre<HttpCtx>,
    request: http::Request<impl RequestBody>,
) -> Result<http::Response<Bytes>> {
    let mut store = Store::new(pre.engine(), HttpCtx::new());
    let service = pre
        .instantiate_async(&mut store)
        .await
        .map_err(anyhow::Error::from)
        .context("instantiating")?;
    let (request, request_io) = Request::from_http(&mut store.data_mut().hooks, request);
    store
        .run_concurrent(async |store| -> Result<http::Response<Bytes>> {
            // The request body streams in while the guest runs, so the two
            // futures are driven together.
            let respond = async {
                let response =
                    service.handle(store, request).await.map_err(anyhow::Error::from)?.map_err(
                        |code| anyhow!("the component answered with an error code: {code:?}"),
                    )?;
                let response = store
                    .with(|store| response.into_http(store, async { Ok(()) }))
                    .map_err(anyhow::Error::from)?;
                let (parts, body) = response.into_parts();
                let body = body
                    .collect()
                    .await
                    .map_err(|e| anyhow!("reading the response body: {e:?}"))?
                    .to_bytes();
                Ok(http::Response::from_parts(parts, body))
            };
            let feed =
                async { request_io.await.map_err(|e| anyhow!("sending the request body: {e:?}")) };
            let (response, ()) = tokio::try_join!(respond, feed)?;
            Ok(response)
        })
        .await
        .map_err(anyhow::Error::from)?
}

/// One request through `wasi:http/incoming-handler@0.2`.
async fn handle_p2(
    pre: &ProxyPre<HttpCtx>,
    request: http::Request<impl RequestBody>,
) -> Result<http::Response<Bytes>> {
    let mut store = Store::new(pre.engine(), HttpCtx::new());
    let proxy = pre
        .instantiate_async(&mut store)
        .await
        .map_err(anyhow::Error::from)
        .context("instantiating")?;
    let request = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, request)
        .map_err(anyhow::Error::from)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let out = store.data_mut().http().new_response_outparam(sender).map_err(anyhow::Error::from)?;
    // The guest sets the response, then writes its body: the call and the reading
    // of the body are driven together.
    let call = async {
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut store, request, out)
            .await
            .map_err(anyhow::Error::from)
    };
    let read = async {
        let response = receiver
            .await
            .context("the component never set a response")?
            .map_err(|code| anyhow!("the component answered with an error code: {code:?}"))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| anyhow!("reading the response body: {e:?}"))?
            .to_bytes();
        Ok(http::Response::from_parts(parts, body))
    };
    let ((), response) = tokio::try_join!(call, read)?;
    Ok(response)
}
