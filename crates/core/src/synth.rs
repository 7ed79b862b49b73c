//! Synthetic packages for benchmarks: N distinct pronounceable terms, Latin and
//! Cyrillic, deterministic for a given seed, written in the real source format so
//! they go through the same compiler as hand-written packages.

use std::fmt::Write as _;

const LATIN: &[&str] = &[
    "ka", "zi", "no", "bet", "win", "lo", "pra", "mo", "dru", "gan", "sel", "tor", "vik", "ster",
    "ba", "ro", "lux", "fa", "ke", "pil", "cash", "ti", "mar", "den", "ol", "us", "en", "qua",
];
const CYRILLIC: &[&str] = &[
    "ка", "зи", "но", "ста", "вка", "вы", "иг", "рыш", "ден", "ги", "ле", "кар", "ство", "пре",
    "пар", "ат", "ору", "жие", "нар", "ко", "тик", "ба", "бло", "ми", "лли", "он", "ру", "бль",
];
const CATEGORIES: &[&str] =
    &["gambling", "drugs", "weapons", "scam", "adult", "counterfeit", "health"];

/// A package manifest and materials table with `terms` materials (half Latin, half
/// Cyrillic, one to three words each).
pub fn package(terms: usize, seed: u64) -> (String, String) {
    let manifest = format!(
        "name = \"synthetic-{terms}\"\nversion = \"1.0.0\"\n\
         description = \"synthetic benchmark package, {terms} terms, seed {seed}\"\n\
         default_action = \"review\"\nmarkets = [\"*\"]\n"
    );
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut seen = std::collections::HashSet::with_capacity(terms);
    let mut table = String::from("id\tterm\tcategory\taction\tmode\n");
    while seen.len() < terms {
        let syllables = if rng.bool() { LATIN } else { CYRILLIC };
        let words = 1 + rng.usize(..3);
        let mut term = String::new();
        for w in 0..words {
            if w > 0 {
                term.push(' ');
            }
            for _ in 0..2 + rng.usize(..3) {
                term.push_str(syllables[rng.usize(..syllables.len())]);
            }
        }
        if !seen.insert(term.clone()) {
            continue;
        }
        let n = seen.len();
        let action = if rng.u8(..4) == 0 { "block" } else { "review" };
        let mode = if rng.u8(..5) == 0 { "prefix" } else { "word" };
        let category = CATEGORIES[rng.usize(..CATEGORIES.len())];
        writeln!(table, "s{n}\t{term}\t{category}\t{action}\t{mode}").unwrap();
    }
    (manifest, table)
}
