//! Evasion evaluation (issue #3): every enabled text material of the sample package,
//! disguised each way an advertiser would, inside an ad sentence; the screener must
//! find the material at the disguised text's span. Also screens a clean corpus and
//! counts hits. Prints the numbers (`cargo test --release -p prescreen-core --test
//! evasion_eval -- --nocapture`); asserts them as a regression floor.

use prescreen_core::{Compiler, Evidence, Material, Screener, Upload};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Latin <-> Cyrillic look-alikes used to *write* disguises (the screener folds
/// them back with UTS #39 data, not with this list).
const LOOK_ALIKES: &[(char, char)] =
    &[('a', 'а'), ('e', 'е'), ('o', 'о'), ('c', 'с'), ('p', 'р'), ('x', 'х'), ('y', 'у')];

fn homoglyph(term: &str) -> Option<String> {
    let mut done = false;
    let out: String = term
        .chars()
        .map(|c| {
            if done {
                return c;
            }
            for &(lat, cyr) in LOOK_ALIKES {
                if c == lat || c == cyr {
                    done = true;
                    return if c == lat { cyr } else { lat };
                }
            }
            c
        })
        .collect();
    done.then_some(out)
}

fn leet(term: &str) -> Option<String> {
    let map = |c: char| match c {
        'o' => '0',
        'i' => '1',
        'e' => '3',
        'a' => '4',
        's' => '5',
        't' => '7',
        'о' => '0',
        'з' => '3',
        'ч' => '4',
        'б' => '6',
        'а' => '@',
        _ => c,
    };
    let out: String = term.chars().map(map).collect();
    (out != term).then_some(out)
}

fn spelled(term: &str) -> Option<String> {
    (!term.contains(' ') && term.chars().count() >= 3)
        .then(|| term.chars().map(String::from).collect::<Vec<_>>().join("."))
}

fn repeat(term: &str) -> Option<String> {
    let mut chars: Vec<char> = term.chars().collect();
    let at = chars.iter().position(|c| c.is_alphabetic())?;
    let c = chars[at];
    chars.splice(at..at, [c, c]);
    Some(chars.into_iter().collect())
}

fn invisible(term: &str) -> Option<String> {
    let mut chars = term.chars();
    let first = chars.next()?;
    Some(format!("{first}\u{200b}{}", chars.as_str()))
}

fn fullwidth(term: &str) -> Option<String> {
    term.chars().all(|c| c.is_ascii_lowercase() || c == ' ' || c.is_ascii_digit()).then(|| {
        term.chars()
            .map(|c| if c == ' ' { c } else { char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap() })
            .collect()
    })
}

fn accent(term: &str) -> Option<String> {
    let at = term.char_indices().find(|(_, c)| "aeiouаеиоуыэюя".contains(*c))?.0;
    let c = term[at..].chars().next().unwrap();
    Some(format!("{}{c}\u{0301}{}", &term[..at], &term[at + c.len_utf8()..]))
}

type Disguise = fn(&str) -> Option<String>;
const DISGUISES: &[(&str, Disguise)] = &[
    ("homoglyph", homoglyph),
    ("leet", leet),
    ("separator", spelled),
    ("repeat", repeat),
    ("invisible", invisible),
    ("compatibility", fullwidth),
    ("diacritic", accent),
];

fn found(screener: &Screener, m: &Material, text: &str, span: (usize, usize)) -> bool {
    let market = m.markets.first().map_or("US", String::as_str);
    let v = screener.screen(&Upload::text("e", market, text)).unwrap();
    v.hits.iter().any(|h| {
        let Evidence::Text(t) = &h.evidence else { return false };
        // The hit covers the disguised term; trailing punctuation of the term
        // (`100%`) is not part of a match.
        let (s, e) = (t.start as usize, t.end as usize);
        h.material_id == m.id
            && s == span.0
            && e <= span.1
            && !text[e..span.1].chars().any(char::is_alphanumeric)
    })
}

#[test]
fn evasion_recall_and_clean_hits() {
    let package = Compiler::new().compile_dir(&root().join("packages/ad-policy")).unwrap();
    let materials = package.materials.clone();
    let screener = Screener::new(package).unwrap();
    let mut table: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut misses = Vec::new();
    for m in &materials {
        let term = m.term.to_lowercase();
        for (name, disguise) in DISGUISES {
            let Some(d) = disguise(&term) else { continue };
            let prefix = if term.is_ascii() {
                "Best deals: "
            } else {
                "Лучшие предложения: "
            };
            let text = format!("{prefix}{d} сегодня / today");
            let span = (prefix.len(), prefix.len() + d.len());
            let e = table.entry(name).or_default();
            e.1 += 1;
            if found(&screener, m, &text, span) {
                e.0 += 1;
            } else {
                misses.push(format!("{name}: {} {d:?}", m.id));
            }
        }
    }
    let (mut hit, mut all) = (0, 0);
    println!("evasion recall on packages/ad-policy ({} materials):", materials.len());
    for (name, (h, n)) in &table {
        println!("  {name:<14} {h:>4}/{n:<4} {:.1}%", 100.0 * *h as f64 / *n as f64);
        hit += h;
        all += n;
    }
    let recall = hit as f64 / all as f64;
    println!("  {:<14} {hit:>4}/{all:<4} {:.1}%", "all", 100.0 * recall);
    for m in misses.iter().take(15) {
        println!("  miss: {m}");
    }

    // The clean corpus: the sample package's clean uploads and the table's clean sentences.
    let mut clean = Vec::new();
    for f in ["clean-en.json", "clean-ru.json"] {
        let u: Upload = serde_json::from_str(
            &std::fs::read_to_string(root().join("packages/ad-policy/uploads").join(f)).unwrap(),
        )
        .unwrap();
        clean.push(u);
    }
    let cases: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("packages/testdata/cases.json")).unwrap(),
    )
    .unwrap();
    // The table's clean sentences (not its other no-hit cases, which are clean only
    // for the table's own package).
    for c in cases
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("clean"))
    {
        for (_, text) in c["fields"].as_object().unwrap() {
            clean.push(Upload::text(
                "c",
                c.get("market").and_then(|m| m.as_str()).unwrap_or("US"),
                text.as_str().unwrap(),
            ));
        }
    }
    // 80 clean ads written for this (packages/testdata/clean-ads.txt), full of
    // near-miss words: assistant, Essex, казна, ставки по вкладам...
    for line in
        std::fs::read_to_string(root().join("packages/testdata/clean-ads.txt")).unwrap().lines()
    {
        clean.push(Upload::text("c", "RU", line));
    }
    let clean_hits: usize = clean.iter().map(|u| screener.screen(u).unwrap().hits.len()).sum();
    println!("clean corpus: {} uploads, {clean_hits} hits", clean.len());

    assert_eq!(clean_hits, 0, "clean uploads were hit");
    assert!(recall >= 0.95, "evasion recall {recall:.3} fell below 0.95");
}
