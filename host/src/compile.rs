//! The package compiler's back half: bakes a compiled package into the guest
//! component and pre-initializes it with wasmtime-wizer, so the shipped component
//! starts with its matcher already built in its memory image.
//!
//! Steps: build the matcher natively and serialize it (`Screener::to_prebuilt`),
//! instrument the generic guest, instantiate it, call `loader.load` with the prebuilt
//! bytes (the guest copies them into place in a pristine heap), snapshot the instance
//! into a new component, and validate that component by loading it and reading back
//! its package digest.

use crate::runtime::{Ctx, Runtime};
use anyhow::{Context, Result, bail};
use prescreen_core::{Package, PackageInfo, Screener};
use sha2::{Digest, Sha256};
use wasmtime::Store;
use wasmtime::component::Component;
use wasmtime_wizer::{WasmtimeWizerComponent, Wizer};

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

/// The init function's name in the guest; kept exported after the snapshot (wizer
/// writes an invalid component when asked to remove a component's init export).
const LOAD_FUNC: &str = "prescreen:filter/loader@0.3.0#load";

/// Compiles `package` into a pre-initialized component.
pub fn compile(runtime: &Runtime, package: &Package) -> Result<Built> {
    let bytes = package.to_bytes();
    let screener = Screener::from_bytes(&bytes)?;
    let matcher_bytes = screener.matcher_memory();
    let component = snapshot(runtime, &screener.to_prebuilt())?;
    let filter = runtime.load(&component).context("the snapshot is not a valid filter")?;
    let info = filter.info().expect("load reads info").clone();
    let expected = screener.info().digest.clone();
    if info.digest != expected {
        bail!("the snapshot reports package {} but {} was loaded", info.digest, expected);
    }
    Ok(Built {
        component_digest: hex(&Sha256::digest(&component)),
        component,
        package_bytes: bytes.len(),
        info,
        matcher_bytes,
    })
}

/// Loads a prebuilt matcher into a fresh guest instance and snapshots it.
fn snapshot(runtime: &Runtime, prebuilt: &[u8]) -> Result<Vec<u8>> {
    let mut wizer = Wizer::new();
    wizer.init_func(LOAD_FUNC).keep_init_func(true);
    let (cx, instrumented) = wizer.instrument_component(crate::GUEST_WASM)?;
    let component = Component::new(runtime.engine(), &instrumented).map_err(anyhow::Error::from).context("compiling the instrumented guest")?;
    let mut store = Store::new(runtime.engine(), Ctx::new());
    // wizer reads each memory back as one `list<u8>`: lift the default 128 MiB cap on
    // what a host call may lift, since building a large matcher grows memory past it.
    store.set_hostcall_fuel(usize::MAX);
    let instance = runtime.linker().instantiate(&mut store, &component)?;
    let filter = crate::bindings::Filter::new(&mut store, &instance)?;
    filter
        .prescreen_filter_loader()
        .call_load(&mut store, prebuilt)?
        .map_err(|e| anyhow::anyhow!("the guest rejected the package: {e}"))?;
    // wizer reads the instance's state through async calls; nothing here awaits I/O.
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    Ok(rt.block_on(wizer.snapshot_component(&cx, &mut WasmtimeWizerComponent { store: &mut store, instance }))?)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
