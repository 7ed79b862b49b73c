//! The WIT exports: `loader.load` (build time) and `screener.screen` / `info` / `materials`.

wit_bindgen::generate!({
    world: "filter",
    path: "../wit/wit",
});

use exports::prescreen::filter::{loader, screener};
use prescreen::filter::types as wit;
use prescreen_guest_common as common;

prescreen_wit::conversions!(prescreen_core, crate::component::wit);

struct Filter;

impl loader::Guest for Filter {
    fn load(prebuilt: Vec<u8>) -> Result<(), String> {
        common::load(prebuilt)
    }
}

impl screener::Guest for Filter {
    fn screen(upload: wit::Upload) -> Result<wit::Verdict, wit::ScreenError> {
        let screener = common::screener().ok_or(wit::ScreenError::NotLoaded)?;
        screener.screen(&upload.into()).map(Into::into).map_err(Into::into)
    }

    fn info() -> Result<wit::PackageInfo, wit::ScreenError> {
        let screener = common::screener().ok_or(wit::ScreenError::NotLoaded)?;
        Ok(screener.info().clone().into())
    }

    fn materials() -> Result<Vec<wit::MaterialInfo>, wit::ScreenError> {
        let screener = common::screener().ok_or(wit::ScreenError::NotLoaded)?;
        Ok(screener.materials().into_iter().map(Into::into).collect())
    }
}

export!(Filter);
