//! Property tests for the offset mapping (issue #3): every reported span is a valid
//! char-boundary slice of the input, and a disguised term inserted anywhere among
//! other text is found with exactly the span it was inserted at.

use prescreen_core::{Compiler, Evidence, Screener, Upload};
use proptest::prelude::*;
use std::sync::OnceLock;

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| {
        let table = "id\tterm\tmode\tcategory\taction\n\
                     casino\tcasino\tword\tgambling\tblock\n\
                     kazino\tказино\tprefix\tgambling\tblock\n\
                     ass\tass\tword\tadult\treview\n\
                     bet\tbet\tsubstring\tgambling\treview\n";
        Screener::new(
            Compiler::new().compile_strs("name = \"p\"\nversion = \"1\"\n", table).unwrap(),
        )
        .unwrap()
    })
}

/// Ways to write `casino` / `казино` that the normalizer must see through.
const DISGUISED: &[(&str, &str)] = &[
    ("casino", "casino"),
    ("c4s1n0", "casino"),
    ("c.a.s.i.n.o", "casino"),
    ("caaasino", "casino"),
    ("ｃａｓｉｎｏ", "casino"),
    ("𝓬𝓪𝓼𝓲𝓷𝓸", "casino"),
    ("ca\u{200b}si\u{200d}no", "casino"),
    ("cásino", "casino"),
    ("саsinо", "casino"),
    ("CASINO", "casino"),
    ("кaзинo", "kazino"),
    ("к а з и н о", "kazino"),
    ("к@зино", "kazino"),
    ("КАЗИИИНО", "kazino"),
    ("ка\u{202e}зино", "kazino"),
];

/// Filler words that are not disguised terms themselves.
fn filler() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "hello",
        "world",
        "скидки",
        "доставка",
        "2026",
        "100%",
        "—",
        "ok!",
        "Привет",
        "sale:",
        "x",
        "é",
        "日本",
        "😀",
    ])
    .prop_map(str::to_string)
}

fn spans_are_valid(text: &str) -> Result<(), TestCaseError> {
    let v = screener().screen(&Upload::text("p", "RU", text)).unwrap();
    for h in &v.hits {
        let Evidence::Text(t) = &h.evidence else { unreachable!() };
        let (s, e) = (t.start as usize, t.end as usize);
        prop_assert!(s < e && e <= text.len());
        prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        prop_assert_eq!(&text[s..e], t.matched.as_str());
    }
    Ok(())
}

proptest! {
    #[test]
    fn any_text_gives_valid_spans(text in "\\PC{0,80}") {
        spans_are_valid(&text)?;
    }

    #[test]
    fn mixed_noise_gives_valid_spans(parts in proptest::collection::vec(
        prop_oneof![filler(), proptest::sample::select(DISGUISED.to_vec()).prop_map(|d| d.0.to_string()), "[ .,\u{200b}-]{0,3}"],
        0..12,
    )) {
        spans_are_valid(&parts.concat())?;
    }

    #[test]
    fn disguised_term_is_found_at_its_exact_span(
        before in proptest::collection::vec(filler(), 0..5),
        after in proptest::collection::vec(filler(), 0..5),
        which in 0..DISGUISED.len(),
    ) {
        let (disguised, id) = DISGUISED[which];
        let prefix = if before.is_empty() { String::new() } else { before.join(" ") + " " };
        let text = format!("{prefix}{disguised}{}", if after.is_empty() { String::new() } else { " ".to_string() + &after.join(" ") });
        let v = screener().screen(&Upload::text("p", "RU", &text)).unwrap();
        let found = v.hits.iter().any(|h| match &h.evidence {
            Evidence::Text(t) => h.material_id == id && t.start as usize == prefix.len() && t.end as usize == prefix.len() + disguised.len(),
            _ => false,
        });
        prop_assert!(found, "{:?} not found at {}..{} in {:?}: {:?}", disguised, prefix.len(), prefix.len() + disguised.len(), text, v.hits);
    }
}
