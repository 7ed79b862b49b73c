//! The loaded package: set once by `load` at build time, read by every request of
//! the snapshotted component.

use prescreen_core::Screener;
use std::sync::OnceLock;

static SCREENER: OnceLock<Screener> = OnceLock::new();

/// What the `loader.load` export does: decodes a prebuilt matcher into the slot.
/// Refuses a second load, so a built component cannot be re-loaded by a caller.
pub fn load(prebuilt: Vec<u8>) -> Result<(), String> {
    if SCREENER.get().is_some() {
        return Err("a package is already loaded".to_string());
    }
    // Freed temporaries (the argument, decoding buffers) are zeroed, so the
    // snapshot holds only the live matcher (wizer leaves zero runs out).
    let screener = crate::alloc::zeroing_freed(move || {
        let screener = Screener::from_prebuilt(&prebuilt);
        drop(prebuilt);
        screener.map_err(|e| e.to_string())
    })?;
    SCREENER.set(screener).map_err(|_| "a package is already loaded".to_string())
}

/// The loaded package, or `None` in a component `prescreen build` did not make.
pub fn screener() -> Option<&'static Screener> {
    SCREENER.get()
}
