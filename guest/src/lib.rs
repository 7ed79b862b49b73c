//! The prescreen filter component: a thin adapter from the WIT contract
//! (`wit/filter.wit`) to [`prescreen_core::Screener`].
//!
//! `prescreen build` calls `loader.load` once with the compiled package, which builds
//! the matcher, and snapshots the instance (wasmtime-wizer): the shipped component
//! starts with the matcher in its memory image, so no request ever builds it.

mod alloc;

use prescreen_core::Screener;
use std::sync::OnceLock;

wit_bindgen::generate!({
    world: "filter",
    path: "../wit",
});

use exports::prescreen::filter::{loader, screener};
use prescreen::filter::types as wit;

prescreen_wit::conversions!(prescreen_core, crate::wit);

/// The loaded package. Set once by `load` at build time; read by every request.
static SCREENER: OnceLock<Screener> = OnceLock::new();

struct Filter;

impl loader::Guest for Filter {
    fn load(compiled: Vec<u8>) -> Result<(), String> {
        if SCREENER.get().is_some() {
            return Err("a package is already loaded".to_string());
        }
        // Freed build temporaries are zeroed, so the snapshot holds only the live
        // matcher (wizer leaves zero pages out of the image).
        let screener = alloc::zeroing_freed(move || {
            let screener = Screener::from_bytes(&compiled);
            drop(compiled);
            screener.map_err(|e| e.to_string())
        })?;
        SCREENER.set(screener).map_err(|_| "a package is already loaded".to_string())
    }
}

impl screener::Guest for Filter {
    fn screen(upload: wit::Upload) -> Result<wit::Verdict, wit::ScreenError> {
        let screener = SCREENER.get().ok_or(wit::ScreenError::NotLoaded)?;
        screener.screen(&upload.into()).map(Into::into).map_err(Into::into)
    }

    fn info() -> Result<wit::PackageInfo, wit::ScreenError> {
        let screener = SCREENER.get().ok_or(wit::ScreenError::NotLoaded)?;
        Ok(screener.info().clone().into())
    }
}

export!(Filter);
