//! prescreen's matching core: the compiled package format, the text normalizer and
//! the matcher, as plain Rust with no wasmtime and no WIT.
//!
//! The same crate runs natively (tests, benchmarks, the `prescreen` CLI's evaluation
//! paths) and inside the `wasm32-wasip2` guest component, which is a thin adapter over
//! [`Screener`]. Reading a package's *source* (the TOML manifest and TSV materials an
//! operator edits) needs the `source` feature, which the guest leaves out.
//!
//! The front types are at the root: [`Compiler`] (a package source to a [`Package`]),
//! [`Screener`] (a package to verdicts), [`Upload`] and [`Verdict`]. Lower layers are
//! public modules: [`pdq`] (image and video hashes, the hash bank), [`lint`] and
//! [`corpus`] (package review, with the `source` feature) and [`synth`] (synthetic
//! packages for benchmarks).
//!
//! ```
//! use prescreen_core::{Compiler, Screener, Upload};
//! let package = Compiler::new().compile_strs(
//!     "name = \"demo\"\nversion = \"1\"\n",
//!     "id\tterm\tcategory\taction\ng1\tonline casino\tgambling\tblock\n",
//! ).unwrap();
//! let screener = Screener::new(package).unwrap();
//! let verdict = screener.screen(&Upload::text("u1", "US", "Best ONLINE  casino!")).unwrap();
//! assert_eq!(verdict.hits[0].material_id, "g1");
//! ```

mod automaton_check;
mod bank;
mod confusables;
#[cfg(feature = "source")]
pub mod corpus;
mod decode;
mod error;
#[cfg(feature = "source")]
mod files;
mod format;
mod limits;
#[cfg(feature = "source")]
pub mod lint;
mod matcher;
mod media;
mod model;
mod normalize;
mod numbers;
mod package;
mod packed;
mod parallel;
pub mod pdq;
mod prebuilt;
mod rules;
mod screener;
#[cfg(feature = "source")]
mod source;
mod stem;
mod symbols;
#[cfg(feature = "source")]
pub mod synth;
mod table;
mod term_index;
mod translit;
mod upload;
mod verdict;
mod vpdq;

pub use error::{Diagnostic, Error};
pub use format::{FORMAT_VERSION, digest as sha256_hex};
pub use limits::Limits;
pub use model::{Action, MatchMode, MaterialKind};
pub use normalize::{NormalizeOptions, Normalized, normalize, normalize_with};
pub use package::{FrameRef, Material, MaterialInfo, Media, Package, PackageInfo};
pub use rules::Rule;
pub use screener::Screener;
#[cfg(feature = "source")]
pub use source::Compiler;
pub use upload::{Image, ImageData, Pdq, RgbImage, TextField, Upload, Video, VideoFrame};
pub use verdict::{
    Evasion, Evidence, Hit, ImageEvidence, ScreenError, TextEvidence, TimeRange, Transform,
    Verdict, VideoEvidence,
};
