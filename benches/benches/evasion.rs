//! Evasion benchmark (issue #16): recall per disguise class and overkill on real clean
//! text, for prescreen and, in the same run with the same terms, rustrict.
//!
//! `cargo bench -p prescreen-benches --bench evasion` prints the table that
//! benches/README.md keeps. Terms: every word, prefix and substring material of the
//! sample package (markets cleared, so each applies to every ad). Risky side: three
//! disguised ads per term and class (`prescreen_benches::evasion`), stopped when the
//! verdict has a hit. Clean side: Debian's fortunes and hunspell dictionaries; the
//! clean rows are skipped, with a notice, when those packages are not installed.

use prescreen_benches::evasion::{
    CLASSES, EMOJI_CLASSES, EMOJI_TERMS, Lang, ad, debian_clean_text,
};
use prescreen_core::{MatchMode, MaterialKind, Screener, Upload};
use rustrict::{Censor, Trie, Type};

/// Disguised ads per term and class.
const VARIANTS: usize = 3;

struct Filters {
    prescreen: Screener,
    rustrict: &'static Trie,
}

impl Filters {
    fn prescreen_hits(&self, text: &str) -> Vec<String> {
        let market = if Lang::of(text) == Lang::Ru { "RU" } else { "US" };
        match self.prescreen.screen(&Upload::text("bench", market, text)) {
            Ok(v) => v.hits.into_iter().map(|h| h.material_id).collect(),
            // Refused (too large...): not stopped by a match.
            Err(_) => Vec::new(),
        }
    }

    fn rustrict_flags(&self, text: &str) -> bool {
        Censor::from_str(text).with_trie(self.rustrict).analyze().is(Type::OFFENSIVE)
    }
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 { "-".into() } else { format!("{:.1}%", 100.0 * n as f64 / of as f64) }
}

fn main() {
    let mut package = sample_package();
    package.materials.retain(|m| {
        m.kind == MaterialKind::Text
            && matches!(m.mode, MatchMode::Word | MatchMode::Prefix | MatchMode::Substring)
    });
    for m in &mut package.materials {
        m.markets.clear();
        m.detection_only = false;
    }
    let terms: Vec<(String, Lang)> =
        package.materials.iter().map(|m| (m.term.to_lowercase(), Lang::of(&m.term))).collect();
    let mut trie = Trie::new();
    for (term, _) in &terms {
        trie.set(term, Type::OFFENSIVE & Type::SEVERE);
    }
    let filters_package = package.clone();
    let filters = Filters {
        prescreen: Screener::new(package).expect("the sample's terms build"),
        rustrict: Box::leak(Box::new(trie)),
    };
    let en = terms.iter().filter(|t| t.1 == Lang::En).count();
    println!(
        "terms: {} ({en} EN, {} RU), {VARIANTS} ads per term and class\n",
        terms.len(),
        terms.len() - en
    );
    println!(
        "| class | EN ads | prescreen EN | rustrict EN | RU ads | prescreen RU | rustrict RU |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    // `EVASION_MISSES=N`: the first N ads of each class prescreen let through, after
    // the table, to read what a class still misses.
    let show_misses: usize =
        std::env::var("EVASION_MISSES").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut misses: Vec<(&str, String)> = Vec::new();
    let mut rng = fastrand::Rng::with_seed(16);
    for class in CLASSES {
        // [lang][filter] stopped, [lang] total
        let (mut total, mut stopped) = ([0usize; 2], [[0usize; 2]; 2]);
        let mut shown = 0;
        for_each_ad(&terms, class, &mut rng, |l, text| {
            total[l] += 1;
            let hit = !filters.prescreen_hits(text).is_empty();
            stopped[l][0] += hit as usize;
            stopped[l][1] += filters.rustrict_flags(text) as usize;
            if !hit && shown < show_misses {
                shown += 1;
                misses.push((class.name, text.to_string()));
            }
        });
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            class.name,
            total[0],
            pct(stopped[0][0], total[0]),
            pct(stopped[0][1], total[0]),
            total[1],
            pct(stopped[1][0], total[1]),
            pct(stopped[1][1], total[1]),
        );
    }

    if !misses.is_empty() {
        println!("\nads prescreen missed (class: text):\n");
        for (class, text) in &misses {
            println!("- {class}: {text:?}");
        }
    }

    // The same terms in each opt-in setting (issue #16): every word-mode material in
    // stem mode, and every material transliterating: what each buys on the classes
    // it is for, and (below) what it costs on clean text.
    let setting = |change: fn(&mut prescreen_core::Material)| {
        let mut package = filters_package.clone();
        package.materials.iter_mut().for_each(change);
        Screener::new(package).expect("the changed terms build")
    };
    let settings: [(&str, Screener, &[&str]); 3] = [
        (
            "word-mode terms in stem mode",
            setting(|m| {
                if m.mode == MatchMode::Word {
                    m.mode = MatchMode::Stem;
                }
            }),
            &["plain", "inflection (case and number)", "two disguises combined"],
        ),
        (
            "word- and prefix-mode terms in stem mode",
            setting(|m| {
                if matches!(m.mode, MatchMode::Word | MatchMode::Prefix) {
                    m.mode = MatchMode::Stem;
                }
            }),
            &["plain", "inflection (case and number)", "two disguises combined"],
        ),
        (
            "every term with `transliterate`",
            setting(|m| m.transliterate = true),
            &["plain", "transliteration", "two disguises combined"],
        ),
    ];
    // The first hit's material and matched text, if any.
    let setting_hit = |screener: &Screener, text: &str| -> Option<(String, String)> {
        let market = if Lang::of(text) == Lang::Ru { "RU" } else { "US" };
        let verdict = screener.screen(&Upload::text("bench", market, text)).ok()?;
        let hit = verdict.hits.into_iter().next()?;
        let matched = match hit.evidence {
            prescreen_core::Evidence::Text(t) => t.matched,
            _ => String::new(),
        };
        Some((hit.material_id, matched))
    };
    let setting_hits = |screener: &Screener, text: &str| setting_hit(screener, text).is_some();
    for (name, screener, shown_classes) in &settings {
        println!("\n{name}:\n");
        println!("| class | EN ads | prescreen EN | RU ads | prescreen RU |");
        println!("|---|---:|---:|---:|---:|");
        let mut rng = fastrand::Rng::with_seed(16);
        let mut misses: Vec<(&str, String)> = Vec::new();
        for class in CLASSES {
            let (mut total, mut stopped) = ([0usize; 2], [0usize; 2]);
            let mut shown = 0;
            for_each_ad(&terms, class, &mut rng, |l, text| {
                total[l] += 1;
                let hit = setting_hits(screener, text);
                stopped[l] += hit as usize;
                if !hit && shown < show_misses && shown_classes.contains(&class.name) {
                    shown += 1;
                    misses.push((class.name, text.to_string()));
                }
            });
            if shown_classes.contains(&class.name) {
                println!(
                    "| {} | {} | {} | {} | {} |",
                    class.name,
                    total[0],
                    pct(stopped[0], total[0]),
                    total[1],
                    pct(stopped[1], total[1])
                );
            }
        }
        if !misses.is_empty() {
            println!("\nads missed {name} (class: text):\n");
            for (class, text) in &misses {
                println!("- {class}: {text:?}");
            }
        }
    }

    emoji_terms();

    let clean = debian_clean_text();
    if clean.sentences.is_empty() && clean.words.is_empty() {
        println!(
            "\nnotice: Debian's fortunes, fortunes-ru, hunspell-en-us and hunspell-ru are not installed: no overkill rows"
        );
        return;
    }
    println!(
        "\n| clean text | texts | prescreen overkill | word terms in stem mode | word and prefix terms in stem mode | transliterating | rustrict overkill |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut evidence: Vec<(String, String)> = Vec::new();
    // Clean texts a stem-mode setting hits and word mode does not (with
    // `EVASION_MISSES=N`, the first N): what stemming costs, to read one by one.
    let mut stem_only: Vec<(&str, String, String, String)> = Vec::new();
    for (name, texts) in
        [("fortunes (sentences)", &clean.sentences), ("hunspell (dictionary words)", &clean.words)]
    {
        for lang in [Lang::En, Lang::Ru] {
            let (mut n, mut ours, mut theirs) = (0, 0, 0);
            let mut in_setting = [0usize; 3];
            for (_, text) in texts.iter().filter(|t| t.0 == lang) {
                n += 1;
                let hits = filters.prescreen_hits(text);
                if let Some(id) = hits.first() {
                    ours += 1;
                    if evidence.len() < 20 {
                        evidence.push((id.clone(), text.chars().take(60).collect()));
                    }
                }
                theirs += filters.rustrict_flags(text) as usize;
                for (k, (setting, screener, _)) in settings.iter().enumerate() {
                    let hit = setting_hit(screener, text);
                    in_setting[k] += hit.is_some() as usize;
                    if let Some((id, matched)) = hit.filter(|_| hits.is_empty() && k < 2)
                        && stem_only.len() < show_misses
                    {
                        stem_only.push((setting, id, matched, text.chars().take(80).collect()));
                    }
                }
            }
            println!(
                "| {name}, {} | {n} | {} ({ours}) | {} ({}) | {} ({}) | {} ({}) | {} ({theirs}) |",
                lang.name(),
                pct(ours, n),
                pct(in_setting[0], n),
                in_setting[0],
                pct(in_setting[1], n),
                in_setting[1],
                pct(in_setting[2], n),
                in_setting[2],
                pct(theirs, n)
            );
        }
    }
    println!("\nfirst clean texts prescreen hits (material: text):");
    for (id, text) in evidence {
        println!("- {id}: {text:?}");
    }
    if !stem_only.is_empty() {
        println!(
            "\nclean texts hit in a stem-mode setting only (setting, material: matched, text):"
        );
        for (setting, id, matched, text) in stem_only {
            println!("- {setting}, {id}: {matched:?} in {text:?}");
        }
    }
}

/// Emoji terms (issue #16, item 6) in a package of their own: recall per class, and
/// the emoji the word classes use as noise, alone in ads, as the clean control.
fn emoji_terms() {
    let mut rows = String::from("id\tterm\tcategory\taction\n");
    for (i, term) in EMOJI_TERMS.iter().enumerate() {
        rows.push_str(&format!("e{i}\t{term}\tdrugs\tblock\n"));
    }
    let package = prescreen_core::Compiler::new()
        .compile_strs("name = \"emoji\"\nversion = \"1\"\n", &rows)
        .expect("the emoji terms compile");
    let screener = Screener::new(package).expect("the emoji terms build");
    let mut trie = Trie::new();
    for term in EMOJI_TERMS {
        trie.set(term, Type::OFFENSIVE & Type::SEVERE);
    }
    let hits = |text: &str| {
        screener.screen(&Upload::text("bench", "US", text)).is_ok_and(|v| !v.hits.is_empty())
    };
    let trie: &'static Trie = Box::leak(Box::new(trie));
    let flags = |text: &str| Censor::from_str(text).with_trie(trie).analyze().is(Type::OFFENSIVE);
    println!("\nemoji terms ({}: {}):\n", EMOJI_TERMS.len(), EMOJI_TERMS.join(" "));
    println!("| class | ads | prescreen | rustrict |");
    println!("|---|---:|---:|---:|");
    let mut rng = fastrand::Rng::with_seed(16);
    for class in EMOJI_CLASSES {
        let (mut n, mut ours, mut theirs) = (0, 0, 0);
        for term in EMOJI_TERMS {
            for k in 0..VARIANTS {
                let Some(disguised) = (class.disguise)(term, &mut rng) else { continue };
                let lang = if k % 2 == 0 { Lang::En } else { Lang::Ru };
                let text = ad(&disguised, lang, &mut rng);
                n += 1;
                ours += hits(&text) as usize;
                theirs += flags(&text) as usize;
            }
        }
        println!("| {} | {n} | {} | {} |", class.name, pct(ours, n), pct(theirs, n));
    }
    // Clean control: every other emoji of the generator, alone in each template.
    let (mut n, mut ours, mut theirs) = (0, 0, 0);
    for noise in prescreen_benches::evasion::NOISE_EMOJI {
        for lang in [Lang::En, Lang::Ru] {
            for _ in 0..VARIANTS {
                let text = ad(noise, lang, &mut rng);
                n += 1;
                ours += hits(&text) as usize;
                theirs += flags(&text) as usize;
            }
        }
    }
    println!(
        "| clean: other emoji alone (overkill) | {n} | {} ({ours}) | {} ({theirs}) |",
        pct(ours, n),
        pct(theirs, n)
    );
}

/// Calls `f` with (0 for EN, 1 for RU) and each disguised ad of `class`, in a fixed
/// order, so two passes with one seed see the same ads.
fn for_each_ad(
    terms: &[(String, Lang)],
    class: &prescreen_benches::evasion::Class,
    rng: &mut fastrand::Rng,
    mut f: impl FnMut(usize, &str),
) {
    for (term, lang) in terms {
        for _ in 0..VARIANTS {
            let Some(disguised) = (class.disguise)(term, *lang, rng) else { continue };
            let text = ad(&disguised, *lang, rng);
            f((*lang == Lang::Ru) as usize, &text);
        }
    }
}

/// The sample package, compiled from the repository.
fn sample_package() -> prescreen_core::Package {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages/ad-policy");
    prescreen_core::Compiler::new().compile_dir(&dir).expect("the sample package compiles")
}
