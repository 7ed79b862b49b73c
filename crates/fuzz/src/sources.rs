//! What operators and reviewers hand the tools: package sources (TOML manifest, TSV
//! materials), labeled corpora and feedback files.

use prescreen_core::corpus::Corpus;
use prescreen_core::{Compiler, Screener, Upload};
use prescreen_ops::feedback::{import, store};
use std::path::Path;

/// The source compiler: the bytes up to the first NUL are `package.toml`, the rest
/// `materials.tsv`. What compiles must build and screen.
pub(crate) fn source(data: &[u8]) {
    let (manifest, materials) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let (Ok(manifest), Ok(materials)) =
        (std::str::from_utf8(manifest), std::str::from_utf8(materials))
    else {
        return;
    };
    let compiler = Compiler::new().built_at(1_700_000_000).expect("a fixed time");
    let Ok(package) = compiler.compile_strs(manifest, materials) else { return };
    let bytes = package.to_bytes();
    let screener = Screener::from_bytes(&bytes).expect("what the compiler wrote loads");
    let _ = screener.screen(&Upload::text("fuzz", "RU", "онлайн казино casino 1xbet"));
}

/// Labeled corpora (first byte 0) and feedback imports, JSON Lines (1) or CSV (2),
/// into a fresh in-memory review store.
pub(crate) fn corpus_feedback(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match kind {
        0 => {
            let _ = Corpus::parse("fuzz.jsonl", &text);
        }
        1 | 2 => {
            let mut conn = store::open(Path::new(":memory:")).expect("an in-memory store");
            let _ = import::import(&mut conn, "fuzz", &text, kind == 2);
        }
        _ => {}
    }
}
