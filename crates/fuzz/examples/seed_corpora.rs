//! Writes each fuzz target's seed inputs into `fuzz/corpus/<target>/` (named
//! `seed-<name>`), where a fresh cargo-fuzz run starts from: the sample package's
//! files and inputs built from it. Existing files are kept.
//!
//! `cargo run --release -p prescreen-fuzz --example seed_corpora`

fn main() {
    let corpora = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for target in prescreen_fuzz::TARGETS {
        let dir = corpora.join(target.name);
        std::fs::create_dir_all(&dir).expect("the corpus directory");
        let seeds = prescreen_fuzz::seeds(target.name);
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("writing a seed");
        }
        println!("{}: {} seeds in {}", target.name, seeds.len(), dir.display());
    }
}
