//! The package compiler's back half: bakes a compiled package into a guest
//! component (the WIT filter, or the HTTP service with `--http`) and pre-initializes
//! it with wasmtime-wizer, so the shipped component starts with its matcher already
//! built in its memory image.
//!
//! Steps: build the matcher natively and serialize it (`Screener::to_prebuilt`) while
//! the generic guest is instrumented and compiled, instantiate the guest, call
//! `loader.load` with the prebuilt bytes (the guest copies them into place in a
//! pristine heap), snapshot the instance into a new component, and validate that
//! component by loading it and reading back its package digest (the filter's `info`,
//! the HTTP component's `GET /v1/info`).

use crate::runtime::{Ctx, Runtime};
#[cfg(feature = "http")]
use crate::wasi_http::{HttpCtx, HttpRuntime, WasiHttp};
use crate::wizer_state::InstanceState;
use anyhow::{Context, Result, bail};
use prescreen_core::{Package, PackageInfo, Screener};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};
use wasmtime_wizer::{ComponentContext, Wizer};

/// What `compile` made, and the sizes worth reporting.
pub struct Built {
    /// The pre-initialized component.
    pub component: Vec<u8>,
    /// SHA-256 of `component`, lowercase hex.
    pub component_digest: String,
    /// The compiled package bytes baked in.
    pub package_bytes: usize,
    /// The package as the built component reports it (`info`).
    pub info: PackageInfo,
    /// Heap bytes of the matcher, measured natively (the guest's is within a few %:
    /// the automaton uses 32-bit state ids on both).
    pub matcher_bytes: usize,
}

/// The init function's name in both components (the filter's world and the HTTP
/// component's `loadable` world export the same `loader`); kept exported after the
/// snapshot (wizer writes an invalid component when asked to remove a component's
/// init export).
macro_rules! loader {
    () => {
        "prescreen:filter/loader@0.5.0"
    };
}
const LOADER: &str = loader!();
const LOAD_FUNC: &str = concat!(loader!(), "#load");

/// Compiles `package` into a pre-initialized filter component.
pub fn compile(runtime: &Runtime, package: &Package) -> Result<Built> {
    compile_prepared(runtime, package, PreparedGuest::start(runtime))
}

/// [`compile`] with the guest's compile started before the package was read
/// ([`PreparedGuest::start`]), as `prescreen build` does.
pub fn compile_prepared(
    runtime: &Runtime,
    package: &Package,
    guest: PreparedGuest,
) -> Result<Built> {
    let (native, guest) = guest.beside(package)?;
    let component = block_on(snapshot(
        runtime.engine(),
        runtime.linker(),
        Ctx::new(),
        guest,
        &native.prebuilt,
    ))?;
    let filter = runtime.load(&component).context("the snapshot is not a valid filter")?;
    let info = filter.info().expect("load reads info").clone();
    native.built(component, info)
}

/// Compiles `package` into a pre-initialized HTTP component (`prescreen build
/// --http`): the same matcher, behind wasi:http (`wasi`: 0.3 or 0.2) instead of the
/// WIT screener. Validated by asking the snapshot `GET /v1/info`.
#[cfg(feature = "http")]
pub fn compile_http(runtime: &HttpRuntime, package: &Package, wasi: WasiHttp) -> Result<Built> {
    let (native, guest) = PreparedGuest::of(runtime.engine(), wasi.guest()).beside(package)?;
    let component = block_on(snapshot(
        runtime.engine(),
        runtime.linker(),
        HttpCtx::new(),
        guest,
        &native.prebuilt,
    ))?;
    let service = runtime.load(&component).context("the snapshot is not a valid HTTP component")?;
    let info = block_on(service.info()).context("the snapshot does not answer /v1/info")?;
    native.built(component, info)
}

/// The matcher built natively, before it goes into a component.
struct Native {
    prebuilt: Vec<u8>,
    package_bytes: usize,
    matcher_bytes: usize,
    digest: String,
}

impl Native {
    fn of(package: &Package) -> Result<Native> {
        // From the package itself: a round trip through its bytes would decode again
        // what is at hand (a second of a million-term build).
        let screener = Screener::new(package)?;
        Ok(Native {
            prebuilt: screener.to_prebuilt(),
            package_bytes: package.encoded_len(),
            matcher_bytes: screener.matcher_memory(),
            digest: screener.info().digest.clone(),
        })
    }

    /// Checks that the snapshot holds what was loaded, and reports it.
    fn built(self, component: Vec<u8>, info: PackageInfo) -> Result<Built> {
        if info.digest != self.digest {
            bail!("the snapshot reports package {} but {} was loaded", info.digest, self.digest);
        }
        Ok(Built {
            component_digest: prescreen_core::sha256_hex(&component),
            component,
            package_bytes: self.package_bytes,
            info,
            matcher_bytes: self.matcher_bytes,
        })
    }
}

/// wizer reads the instance's state through async calls, and the HTTP component's
/// imports are async host functions; nothing here awaits real I/O.
fn block_on<T>(future: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(future)
}

/// The generic guest, instrumented for the snapshot and compiled.
struct Instrumented<'g> {
    wizer: Wizer,
    cx: ComponentContext<'g>,
    component: Component,
}

impl<'g> Instrumented<'g> {
    fn of(engine: &Engine, guest: &'g [u8]) -> Result<Instrumented<'g>> {
        let mut wizer = Wizer::new();
        wizer.init_func(LOAD_FUNC).keep_init_func(true);
        let (cx, instrumented) = wizer.instrument_component(guest)?;
        let component = Component::new(engine, &instrumented)
            .map_err(anyhow::Error::from)
            .context("compiling the instrumented guest")?;
        Ok(Instrumented { wizer, cx, component })
    }
}

/// The generic filter guest, instrumented and compiled on a thread of its own, for
/// [`compile_prepared`]. Started before the package is read, its compile (seconds)
/// overlaps the reading (seconds for a million terms), which needs none of it;
/// started after, it overlaps the matcher's build.
pub struct PreparedGuest {
    job: std::thread::JoinHandle<Result<Instrumented<'static>>>,
}

impl PreparedGuest {
    /// Starts instrumenting and compiling the filter guest for `runtime`.
    pub fn start(runtime: &Runtime) -> PreparedGuest {
        PreparedGuest::of(runtime.engine(), crate::GUEST_WASM)
    }

    fn of(engine: &Engine, guest: &'static [u8]) -> PreparedGuest {
        let engine = engine.clone();
        PreparedGuest { job: std::thread::spawn(move || Instrumented::of(&engine, guest)) }
    }

    /// Builds the matcher on this thread, then waits for the guest.
    fn beside(self, package: &Package) -> Result<(Native, Instrumented<'static>)> {
        let native = Native::of(package);
        let guest = self.job.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((native?, guest?))
    }
}

/// Loads a prebuilt matcher into a fresh instance of the instrumented guest and
/// snapshots it. The same for both components: only the host state their imports
/// need differs.
async fn snapshot<T: Send + 'static>(
    engine: &Engine,
    linker: &Linker<T>,
    ctx: T,
    guest: Instrumented<'_>,
    prebuilt: &[u8],
) -> Result<Vec<u8>> {
    let Instrumented { wizer, cx, component } = guest;
    let mut store = Store::new(engine, ctx);
    // wizer reads each memory back as one `list<u8>`: lift the default 128 MiB cap on
    // what a host call may lift, since building a large matcher grows memory past it.
    store.set_hostcall_fuel(usize::MAX);
    let instance = linker.instantiate_async(&mut store, &component).await?;
    let load = {
        let loader = instance
            .get_export_index(&mut store, None, LOADER)
            .context("the guest exports no loader")?;
        let func = instance
            .get_export_index(&mut store, Some(&loader), "load")
            .context("the guest's loader has no load")?;
        instance.get_typed_func::<(&[u8],), (Result<(), String>,)>(&mut store, &func)?
    };
    let (loaded,) = load.call_async(&mut store, (prebuilt,)).await?;
    loaded.map_err(|e| anyhow::anyhow!("the guest rejected the package: {e}"))?;
    Ok(wizer.snapshot_component(&cx, &mut InstanceState { store: &mut store, instance }).await?)
}
