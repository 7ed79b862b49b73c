//! The WIT exports: `loader.load` (build time) and `screener.screen` / `info`.

use prescreen_core::Screener;
use std::sync::OnceLock;

wit_bindgen::generate!({
    world: "filter",
    path: "../wit",
});

use exports::prescreen::filter::{loader, screener};
use prescreen::filter::types as wit;

prescreen_wit::conversions!(prescreen_core, crate::component::wit);

/// The loaded package. Set once by `load` at build time; read by every request.
static SCREENER: OnceLock<Screener> = OnceLock::new();

struct Filter;

impl loader::Guest for Filter {
    fn load(prebuilt: Vec<u8>) -> Result<(), String> {
        if SCREENER.get().is_some() {
            return Err("a package is already loaded".to_string());
        }
        // Freed temporaries (the argument, decoding buffers) are zeroed, so the
        // snapshot holds only the live matcher (wizer leaves zero runs out).
        let screener = crate::alloc::zeroing_freed(move || {
            // SAFETY: `load` takes what `prescreen build` passes: bytes from
            // `Screener::to_prebuilt`, checksummed (see the WIT doc of `load`).
            let screener = unsafe { Screener::from_prebuilt(&prebuilt) };
            drop(prebuilt);
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

    fn materials() -> Result<Vec<wit::MaterialInfo>, wit::ScreenError> {
        let screener = SCREENER.get().ok_or(wit::ScreenError::NotLoaded)?;
        Ok(screener.materials().into_iter().map(Into::into).collect())
    }
}

export!(Filter);
