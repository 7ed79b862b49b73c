//! Replays every committed corpus input of every fuzz target (`fuzz/corpus/<target>/`)
//! through the target's body on the stable toolchain, so an input the fuzzer once
//! found (a crash, then fixed) stays fixed in CI. Regression inputs of issue #15.

use std::path::PathBuf;

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target)
}

fn replay(target: &str) {
    let run = prescreen_fuzz::target(target).expect("a known target");
    let dir = corpus_dir(target);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} holds {target}'s corpus: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{target}'s corpus is empty");
    for input in &inputs {
        let bytes = std::fs::read(input).expect("a corpus file");
        run(&bytes);
    }
    // Seeds too: a seed the fuzzer started from must still pass.
    for (name, bytes) in prescreen_fuzz::seeds(target) {
        assert!(!bytes.is_empty(), "seed {name} of {target} is empty");
        run(&bytes);
    }
    println!("{target}: {} corpus inputs replayed", inputs.len());
}

macro_rules! replays {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { replay(stringify!($name)) })*

        #[test]
        fn every_target_is_replayed() {
            let replayed = [$(stringify!($name)),*];
            for t in prescreen_fuzz::TARGETS {
                assert!(replayed.contains(&t.name), "{} has no replay test", t.name);
            }
        }
    };
}

replays!(package_bytes, prebuilt, upload_json, image, vpdq, source, corpus_feedback, gateway);
