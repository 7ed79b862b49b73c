//! [`Screener`], the crate's front type: a loaded package with its matcher built,
//! answering uploads with verdicts.

use crate::error::Error;
use crate::format;
use crate::limits::Limits;
use crate::matcher::{MAX_FIELD_MATCHES, TERM_INDEX_MIN_TERMS, TextMatcher};
use crate::media::{MediaHit, MediaMatcher};
use crate::model::Action;
use crate::normalize::normalize_for;
use crate::package::{Package, PackageInfo};
use crate::parallel;
use crate::table::MaterialTable;
use crate::upload::Upload;
use crate::verdict::{Evidence, Hit, ScreenError, TextEvidence, Verdict};
use std::borrow::Borrow;
use std::ops::ControlFlow;

/// A package ready to screen uploads. Building one builds the matcher, which is the
/// expensive part; screening is read-only, so one `Screener` serves any number of
/// uploads (and threads).
pub struct Screener {
    pub(crate) info: PackageInfo,
    pub(crate) mixed_script_action: Option<Action>,
    pub(crate) options: crate::normalize::NormalizeOptions,
    pub(crate) table: MaterialTable,
    pub(crate) text: TextMatcher,
    pub(crate) media: MediaMatcher,
    pub(crate) limits: Limits,
}

/// Material ids starting with this are reserved for the screener's own signals (the
/// source compiler refuses them in packages).
#[cfg(feature = "source")]
pub(crate) const SIGNAL_PREFIX: &str = "signal:";
/// The id and category of the mixed-script signal's hits.
const MIXED_SCRIPT_SIGNAL: &str = "signal:mixed-script";

/// Markets are ISO 3166-1 alpha-2 codes; anything longer than this is not one.
const MAX_MARKET_LEN: usize = 8;

impl Screener {
    /// Validates `package` (as [`Screener::from_bytes`] does its bytes) and builds its
    /// matcher; the package may be lent, so a caller keeping it need not clone it.
    pub fn new(package: impl Borrow<Package>) -> Result<Screener, Error> {
        let package = package.borrow();
        package.validate()?;
        Screener::with_digest(package, || format::digest(&package.to_bytes()), TERM_INDEX_MIN_TERMS)
    }

    /// A screener whose term tables hold the package's terms from `min_index_terms`
    /// of them on (0: always, `usize::MAX`: never), so tests check both placements.
    #[cfg(test)]
    pub(crate) fn with_term_index(
        package: Package,
        min_index_terms: usize,
    ) -> Result<Screener, Error> {
        Screener::with_digest(&package, || format::digest(&package.to_bytes()), min_index_terms)
    }

    /// Decodes compiled package bytes (validating them) and builds the matcher.
    pub fn from_bytes(bytes: &[u8]) -> Result<Screener, Error> {
        let package = Package::from_bytes(bytes)?;
        Screener::with_digest(&package, || format::digest(bytes), TERM_INDEX_MIN_TERMS)
    }

    /// Keeps only the matcher and the compact table: the package itself is dropped.
    /// The text matcher is most of the work; the package's digest, material table
    /// and media matcher are made beside it.
    fn with_digest(
        package: &Package,
        digest: impl FnOnce() -> String + Send,
        min_index_terms: usize,
    ) -> Result<Screener, Error> {
        crate::confusables::warm_up();
        crate::stem::warm_up();
        let (text, (digest, table, media)) = parallel::join(
            package.materials.len() >= parallel::MIN_PARALLEL_MATERIALS,
            || {
                TextMatcher::build(
                    &package.materials,
                    &package.allow,
                    package.normalize,
                    min_index_terms,
                )
            },
            || {
                let table = MaterialTable::build(&package.materials);
                let media = MediaMatcher::build(&package.materials, package.image_dihedral);
                (digest(), table, media)
            },
        );
        let (text, table) = (text?, table.map_err(Error::build)?);
        let info = package.info(digest);
        Ok(Screener {
            info,
            mixed_script_action: package.mixed_script_action,
            options: package.normalize,
            table,
            text,
            media,
            limits: Limits::default(),
        })
    }

    pub fn info(&self) -> &PackageInfo {
        &self.info
    }

    /// Every material of the package, in source order (tables as the manifest lists
    /// them): what `prescreen diff` compares between two versions.
    pub fn materials(&self) -> Vec<crate::package::MaterialInfo> {
        (0..self.table.len()).map(|i| self.table.describe(i)).collect()
    }

    /// Heap bytes held by the matcher and its material table.
    pub fn matcher_memory(&self) -> usize {
        self.text.memory_usage() + self.table.memory_usage() + self.media.memory_usage()
    }

    /// Screens one upload. Errors are typed and say what is wrong; no input panics.
    pub fn screen(&self, upload: &Upload) -> Result<Verdict, ScreenError> {
        self.limits.check(upload)?;
        if upload.id.is_empty() {
            return Err(ScreenError::InvalidInput { message: "upload id is empty".into() });
        }
        let market = upload.market.as_str();
        if market.is_empty()
            || market.len() > MAX_MARKET_LEN
            || !market.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(ScreenError::InvalidInput {
                message: format!(
                    "market {} is not an ISO 3166-1 code",
                    crate::error::shown(market)
                ),
            });
        }
        let table = &self.table;
        let mut signals = Vec::new();
        let mut hits = Vec::new();
        let mut total = 0usize;
        // Matches stopped at MAX_FIELD_MATCHES: more fired than any verdict shows.
        let mut overflow = false;
        for field in &upload.fields {
            let norm = normalize_for(&field.text, self.options, self.text.leet_words());
            let mut found = Vec::new();
            let mut allowed = Vec::new();
            self.text.find(
                &norm,
                table,
                |m| {
                    if table.applies_in(m.material, market) {
                        found.push(m);
                        if found.len() == MAX_FIELD_MATCHES {
                            overflow = true;
                            return ControlFlow::Break(());
                        }
                    }
                    ControlFlow::Continue(())
                },
                |a| allowed.push(a),
            );
            if !allowed.is_empty() {
                found.retain(|m| !allowed.iter().any(|a| a.shields(m)));
            }
            if let Some(action) = self.mixed_script_action {
                // Mixed-script words no hit explains are a signal of their own.
                for (start, end) in norm.mixed_script_words() {
                    if !found.iter().any(|m| m.start < end && start < m.end) {
                        let (s, e) = norm.original_span(start, end);
                        signals.push(Hit {
                            material_id: MIXED_SCRIPT_SIGNAL.to_string(),
                            revision: 1,
                            category: "evasion".to_string(),
                            action,
                            detection_only: false,
                            evidence: Evidence::Text(TextEvidence {
                                field: field.name.clone(),
                                start: s as u32,
                                end: e as u32,
                                matched: field.text[s..e].to_string(),
                                evasions: norm.evasions(start, end),
                            }),
                        });
                    }
                }
            }
            // Spans in the original text from here on: the text matches', then the
            // emoji and symbol terms', which are matched on the original text.
            let mut spans: Vec<(usize, usize, usize, u16)> = found
                .iter()
                .map(|m| {
                    let (start, end) = norm.original_span(m.start, m.end);
                    (start, end, m.material, m.flags)
                })
                .collect();
            self.text.find_symbols(&field.text, |material, start, end| {
                if table.applies_in(material, market) {
                    spans.push((start, end, material, 0));
                    if spans.len() >= 2 * MAX_FIELD_MATCHES {
                        overflow = true;
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            });
            spans.sort_by_key(|&(start, end, material, _)| (start, end, material));
            // A term and its collapsed form can both fire on one stretched word.
            spans.dedup_by_key(|&mut (start, end, material, _)| (start, end, material));
            total += spans.len();
            for (start, end, material, flags) in spans {
                if hits.len() == self.limits.max_hits as usize {
                    break;
                }
                let row = table.row(material);
                hits.push(Hit {
                    material_id: row.id.to_string(),
                    revision: row.revision,
                    category: row.category.to_string(),
                    action: row.action,
                    detection_only: row.detection_only,
                    evidence: Evidence::Text(TextEvidence {
                        field: field.name.clone(),
                        start: start as u32,
                        end: end as u32,
                        matched: field.text[start..end].to_string(),
                        evasions: crate::normalize::evasions(flags),
                    }),
                });
            }
        }
        let mut notes = Vec::new();
        let mut media_hits = Vec::new();
        for image in &upload.images {
            media_hits.extend(self.media.screen_image(image, table, market, &mut notes)?);
        }
        for video in &upload.videos {
            media_hits.extend(self.media.screen_video(video, table, market, &mut notes)?);
        }
        let media_hits = media_hits.into_iter().map(|MediaHit { material, evidence }| {
            let row = table.row(material);
            Hit {
                material_id: row.id.to_string(),
                revision: row.revision,
                category: row.category.to_string(),
                action: row.action,
                detection_only: row.detection_only,
                evidence,
            }
        });
        for h in media_hits.chain(signals) {
            total += 1;
            if hits.len() < self.limits.max_hits as usize {
                hits.push(h);
            }
        }
        let action = hits
            .iter()
            .filter(|h| !h.detection_only)
            .map(|h| h.action)
            .max()
            .unwrap_or(Action::Pass);
        Ok(Verdict {
            upload_id: upload.id.clone(),
            action,
            truncated: overflow || total > hits.len(),
            hits,
            notes,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{MatchMode, MaterialKind};
    use crate::package::Material;

    pub(crate) fn material(
        id: &str,
        term: &str,
        mode: MatchMode,
        action: Action,
        markets: &[&str],
    ) -> Material {
        Material {
            id: id.into(),
            revision: 1,
            kind: MaterialKind::Text,
            term: term.into(),
            mode,
            category: "test".into(),
            action,
            markets: markets.iter().map(|m| m.to_string()).collect(),
            detection_only: false,
            added_by: String::new(),
            added_at: String::new(),
            note: String::new(),
            exceptions: Vec::new(),
            transliterate: false,
            rule: None,
            line: 2,
            media: None,
            tags: Vec::new(),
        }
    }

    pub(crate) fn tiny_package() -> Package {
        Package {
            name: "tiny".into(),
            version: "1".into(),
            description: String::new(),
            markets: vec![],
            built_at: "2026-11-23T00:00:00Z".into(),
            disabled: 0,
            allow: vec![],
            mixed_script_action: None,
            normalize: Default::default(),
            image_dihedral: false,
            materials: vec![
                material("casino", "casino", MatchMode::Word, Action::Block, &[]),
                material("kazino", "казино", MatchMode::Prefix, Action::Block, &["RU"]),
                material("ass", "ass", MatchMode::Word, Action::Review, &[]),
                material("bet", "bet", MatchMode::Substring, Action::Review, &[]),
            ],
        }
    }

    #[test]
    fn modes_markets_and_order() {
        let s = Screener::new(tiny_package()).unwrap();
        let v = s.screen(&Upload::text("u", "RU", "Assassin CASINO; казиношный alphabet")).unwrap();
        let ids: Vec<_> = v.hits.iter().map(|h| h.material_id.as_str()).collect();
        assert_eq!(ids, ["casino", "kazino", "bet"]);
        assert_eq!(v.action, Action::Block);
        // The Russian stem is scoped to RU.
        let v = s.screen(&Upload::text("u", "US", "казино")).unwrap();
        assert!(v.hits.is_empty());
        assert_eq!(v.action, Action::Pass);
    }

    /// A package given whole is validated as its bytes would be (issue #13: the
    /// compiler builds from the package at hand, not from a round trip of its bytes).
    #[test]
    fn a_lent_package_is_validated() {
        let p = tiny_package();
        assert!(Screener::new(&p).is_ok());
        let mut dup = p.clone();
        dup.materials.push(dup.materials[0].clone());
        let err = Screener::new(&dup).err().expect("a duplicate id is refused").to_string();
        assert!(err.contains("duplicate material id"), "{err}");
        let mut empty = p;
        empty.materials[0].term = "!!".into();
        let err = Screener::new(empty).err().expect("an empty term is refused").to_string();
        assert!(err.contains("empty term"), "{err}");
    }

    /// Issue #16: a stretched term (`xxx`, read as `x`) keeps needing stretched text
    /// in stem mode, and stem hits survive a round trip through the prebuilt matcher.
    #[test]
    fn stem_mode_keeps_stretched_terms_to_stretched_text() {
        let mut p = tiny_package();
        p.materials = vec![
            material("xxx", "xxx", MatchMode::Stem, Action::Block, &[]),
            material("dohod", "гарантированный доход", MatchMode::Stem, Action::Block, &[]),
        ];
        let s = Screener::new(p).unwrap();
        let ids = |s: &Screener, t: &str| -> Vec<String> {
            s.screen(&Upload::text("u", "US", t))
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.material_id)
                .collect()
        };
        assert!(ids(&s, "X-ray and Malcolm X").is_empty());
        assert_eq!(ids(&s, "XXXX videos"), ["xxx"]);
        let again = Screener::from_prebuilt(&s.to_prebuilt()).unwrap();
        assert_eq!(ids(&again, "гарантированного дохода"), ["dohod"]);
    }

    /// Issue #16: forms Snowball stems apart from the term's word (`диплом` is
    /// stemmed `дипл`, `дипломы` `диплом`) and forms whose vowel drops or appears
    /// (`закладка`, `закладок`) still meet, natively and through the prebuilt matcher;
    /// so does a phrase whose later word only another reading of the text spells.
    #[test]
    fn stem_mode_meets_forms_the_stemmer_parts() {
        let mut p = tiny_package();
        p.materials = vec![
            material("diplom", "купить диплом", MatchMode::Stem, Action::Block, &[]),
            material("zakladka", "закладка", MatchMode::Stem, Action::Block, &[]),
            material("pribyl", "гарантированная прибыль", MatchMode::Stem, Action::Block, &[]),
            material("matchi", "договорные матчи", MatchMode::Stem, Action::Block, &[]),
        ];
        let s = Screener::new(p).unwrap();
        let again = Screener::from_prebuilt(&s.to_prebuilt()).unwrap();
        for (text, want) in [
            ("купить дипломы", &["diplom"][..]),
            ("продажа закладок и закладки", &["zakladka"]),
            ("гарантированной прибыли", &["pribyl"]),
            ("купить дипломатию, закладчик", &[]),
            // the second word read otherwise (`4` as `ч`) in a reading after the text
            ("договорных ма74ей", &["matchi"]),
        ] {
            for s in [&s, &again] {
                let v = s.screen(&Upload::text("u", "RU", text)).unwrap();
                let mut ids: Vec<String> = v.hits.into_iter().map(|h| h.material_id).collect();
                ids.dedup();
                assert_eq!(ids, want, "{text}");
            }
        }
    }

    /// Issue #16: a transliteration reports its evasion; a `stem`-mode term's
    /// transliterations match its words as written; emoji terms carry none; both
    /// survive the prebuilt matcher.
    #[test]
    fn transliterations_and_emoji_terms_report_their_evidence() {
        let mut p = tiny_package();
        let mut dohod = material("dohod", "пассивный доход", MatchMode::Stem, Action::Block, &[]);
        dohod.transliterate = true;
        p.materials = vec![dohod, material("leaf", "🍃", MatchMode::Word, Action::Review, &[])];
        let s = Screener::from_prebuilt(&Screener::new(p).unwrap().to_prebuilt()).unwrap();
        let v = s.screen(&Upload::text("u", "US", "passivnyj dohod 🍃")).unwrap();
        let evidence: Vec<(String, Vec<crate::verdict::Evasion>)> = v
            .hits
            .into_iter()
            .map(|h| match h.evidence {
                Evidence::Text(t) => (t.matched, t.evasions),
                _ => unreachable!("text hits only"),
            })
            .collect();
        let kinds = vec![crate::verdict::Evasion::Transliteration];
        assert_eq!(evidence, [("passivnyj dohod".to_string(), kinds), ("🍃".to_string(), vec![])]);
        let v = s.screen(&Upload::text("u", "US", "пассивного дохода")).unwrap();
        assert_eq!(v.hits.len(), 1, "the Cyrillic term keeps its stems");
    }

    #[test]
    fn too_many_hits_are_truncated_not_dropped_silently() {
        let s = Screener::new(tiny_package()).unwrap();
        let text = "casino ".repeat(300);
        let v = s.screen(&Upload::text("u", "US", &text)).unwrap();
        assert_eq!(v.hits.len(), 256);
        assert!(v.truncated);
    }

    /// The term tables against a reference written from the modes' definitions
    /// (issue #13): over random phrases of a few syllables, a word or prefix term
    /// fires exactly where the text's words, with spaces only where the term has
    /// them, spell it from a word start (to a word end, for `word`); a substring
    /// term (the automaton) wherever one of its spacings occurs.
    mod term_tables {
        use super::*;
        use proptest::prelude::*;

        // Latin and Cyrillic (two bytes a letter), so keys fall on both sides of the
        // gates' head length and heads cross spaces. A word keeps to one script: a
        // mixed one is folded by its look-alikes, which the reference leaves out, and
        // so is a short word of the text's other script, read in the text's script
        // (issue #16): no short word of one list reads as a word of the other
        // (`ки` reads `ku`; `ka`, `no`, `be`, `to` read `ка`, `по`, `ве`, `то`).
        const LATIN: [&str; 5] = ["ka", "zi", "no", "be", "to"];
        const CYRILLIC: [&str; 3] = ["ки", "зин", "ст"];

        fn word() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::collection::vec(prop::sample::select(&LATIN), 1..4),
                prop::collection::vec(prop::sample::select(&CYRILLIC), 1..4),
            ]
            .prop_map(|w| w.concat())
        }

        fn phrase(words: std::ops::Range<usize>) -> impl Strategy<Value = String> {
            prop::collection::vec(word(), words).prop_map(|ws| ws.join(" "))
        }

        fn expected(term: &str, mode: MatchMode, text: &str) -> bool {
            let words: Vec<&str> = term.split(' ').collect();
            if mode == MatchMode::Substring {
                return (0..1u32 << (words.len() - 1)).any(|mask| {
                    let mut t = words[0].to_string();
                    for (g, w) in words[1..].iter().enumerate() {
                        if mask & (1 << g) == 0 {
                            t.push(' ');
                        }
                        t.push_str(w);
                    }
                    text.contains(&t)
                });
            }
            let squeezed = words.concat();
            let term_cuts: Vec<usize> =
                words.iter().scan(0, |n, w| Some(*n + w.len()).inspect(|v| *n = *v)).collect();
            let text_words: Vec<&str> = text.split(' ').collect();
            (0..text_words.len()).any(|a| {
                let rest = text_words[a..].concat();
                let cuts: Vec<usize> = text_words[a..]
                    .iter()
                    .scan(0, |n, w| Some(*n + w.len()).inspect(|v| *n = *v))
                    .collect();
                let len = squeezed.len();
                rest.starts_with(&squeezed)
                    && cuts.iter().filter(|&&c| c < len).all(|c| term_cuts.contains(c))
                    && (mode == MatchMode::Prefix || cuts.contains(&len))
            })
        }

        /// The term with one word of five or more letters split by a space, two
        /// letters at least either side (issue #16): what a package of the automaton
        /// also matches, in that exact spacing.
        fn splits(term: &str) -> Vec<String> {
            let words: Vec<&str> = term.split(' ').collect();
            let mut out = Vec::new();
            for (i, w) in words.iter().enumerate() {
                let chars: Vec<usize> = w.char_indices().map(|(at, _)| at).collect();
                if chars.len() < 5 {
                    continue;
                }
                for &at in chars.iter().skip(2).take(chars.len() - 3) {
                    let mut ws: Vec<String> = words.iter().map(|w| w.to_string()).collect();
                    ws[i] = format!("{} {}", &w[..at], &w[at..]);
                    out.push(ws.join(" "));
                }
            }
            out
        }

        /// `spelled` (a split spelling) in `text` with exactly its spaces.
        fn exactly(spelled: &str, mode: MatchMode, text: &str) -> bool {
            if mode == MatchMode::Substring {
                return text.contains(spelled);
            }
            let text_words: Vec<&str> = text.split(' ').collect();
            let n = spelled.split(' ').count();
            (0..text_words.len()).any(|a| {
                let at = &text_words[a..];
                at.len() >= n
                    && at[..n - 1].join(" ") == spelled.rsplit_once(' ').unwrap().0
                    && if mode == MatchMode::Prefix {
                        at[n - 1].starts_with(spelled.rsplit(' ').next().unwrap())
                    } else {
                        at[n - 1] == spelled.rsplit(' ').next().unwrap()
                    }
            })
        }

        proptest! {
            #[test]
            fn hits_are_the_reference(
                terms in prop::collection::vec((phrase(1..4), 0..3u8), 1..6),
                text in phrase(0..14),
            ) {
                let modes = [MatchMode::Word, MatchMode::Prefix, MatchMode::Substring];
                let mut p = tiny_package();
                p.materials = terms
                    .iter()
                    .enumerate()
                    .map(|(i, (t, m))| material(&format!("m{i}"), t, modes[*m as usize], Action::Block, &[]))
                    .collect();
                // The terms in the tables and in the automaton, each also through
                // its prebuilt bytes.
                let tables = Screener::with_term_index(p.clone(), 0).unwrap();
                let automaton = Screener::with_term_index(p.clone(), usize::MAX).unwrap();
                let again = |s: &Screener| Screener::from_prebuilt(&s.to_prebuilt()).unwrap();
                let (tables_again, automaton_again) = (again(&tables), again(&automaton));
                for (s, split) in
                    [(&tables, false), (&tables_again, false), (&automaton, true), (&automaton_again, true)]
                {
                    let hits: std::collections::BTreeSet<String> = s
                        .screen(&Upload::text("u", "US", &text))
                        .unwrap()
                        .hits
                        .into_iter()
                        .map(|h| h.material_id)
                        .collect();
                    let want: std::collections::BTreeSet<String> = p
                        .materials
                        .iter()
                        .filter(|m| {
                            expected(&m.term, m.mode, &text)
                                || (split && splits(&m.term).iter().any(|t| exactly(t, m.mode, &text)))
                        })
                        .map(|m| m.id.clone())
                        .collect();
                    prop_assert_eq!(&hits, &want, "text {:?}", text);
                }
            }
        }
    }

    /// Issue #16: a number is read as letters only where a reading of it could be
    /// a word of a key (`normalize/leet_words.rs`). Over packages of every mode whose
    /// words are made of the letters digits stand for, and texts of numbers among
    /// such words, every hit of reading every number is found, with the terms in
    /// the tables and in the automaton, and through the prebuilt bytes. It may find
    /// more: a number left unread leaves its neighbours' readings room for their own
    /// ambiguous digits (`MAX_WINDOW_AMBIGUOUS`), as in `30 7404 441`.
    mod leet_words {
        use super::*;
        use proptest::prelude::*;

        fn word() -> impl Strategy<Value = String> {
            prop_oneof!["[oisteablg]{1,5}", "[оиезачбтс]{1,5}", "[a-z]{2,4}", "[а-я]{2,4}"]
        }

        fn number() -> impl Strategy<Value = String> {
            prop_oneof!["[0-9]{1,6}", "[$@]?[0-9]{1,4}[$@!]?", "[0-9]{1,2}[.*-][0-9]{1,2}"]
        }

        /// `word` written in the digits that read as its letters, where it can be.
        fn in_digits(word: &str) -> Option<String> {
            word.chars()
                .map(|c| {
                    let i = "oistbgеоиачзтб".chars().position(|l| l == c)?;
                    "01578930144376".chars().nth(i)
                })
                .collect()
        }

        /// Packages of one to five terms of every mode, and texts of words, numbers
        /// and the terms written with some of their words in digits.
        /// A term's words, its mode's index and an exception.
        type Term = (Vec<String>, usize, Option<String>);

        fn case() -> impl Strategy<Value = (Vec<Term>, String)> {
            let term = (prop::collection::vec(word(), 1..3), 0..4usize, prop::option::of(word()));
            prop::collection::vec(term, 1..6).prop_flat_map(|terms| {
                let phrases: Vec<Vec<String>> = terms.iter().map(|(w, ..)| w.clone()).collect();
                // A term with some of its words in digits, a digit before its first
                // word or after its last at times (`bets` as `8375`, `бота` as `6074`),
                // its words apart or glued.
                let written =
                    (prop::sample::select(phrases), prop::collection::vec(any::<bool>(), 3))
                        .prop_flat_map(|(words, digits)| {
                            let words: Vec<String> =
                                words
                                    .iter()
                                    .zip(digits)
                                    .map(|(w, d)| {
                                        if d {
                                            in_digits(w).unwrap_or(w.clone())
                                        } else {
                                            w.clone()
                                        }
                                    })
                                    .collect();
                            // Its words apart, or glued (`34` for `е ч`).
                            ("[0-9]?", "[0-9$]?", " ?").prop_map(move |(a, b, gap)| {
                                format!("{a}{}{b}", words.join(gap.as_str()))
                            })
                        });
                let token = prop_oneof![word(), number(), written];
                (Just(terms), prop::collection::vec(token, 0..10).prop_map(|t| t.join(" ")))
            })
        }

        proptest! {
            // Many cases: a key that only one of the gate's tests admits (a substring
            // key whose first word ends a number's reading) is a rare draw.
            #![proptest_config(ProptestConfig::with_cases(4096))]
            #[test]
            fn numbers_read_as_key_words_only_lose_no_hit((terms, text) in case()) {
                let modes = [MatchMode::Word, MatchMode::Prefix, MatchMode::Substring, MatchMode::Stem];
                let mut p = tiny_package();
                p.materials = terms
                    .iter()
                    .enumerate()
                    .map(|(i, (words, m, exception))| {
                        let mut m = material(&format!("m{i}"), &words.join(" "), modes[*m], Action::Block, &[]);
                        m.exceptions.extend(exception.clone());
                        m
                    })
                    .collect();
                for min_index_terms in [0, usize::MAX] {
                    let gated = Screener::with_term_index(p.clone(), min_index_terms).unwrap();
                    let prebuilt = Screener::from_prebuilt(&gated.to_prebuilt()).unwrap();
                    let mut every = Screener::with_term_index(p.clone(), min_index_terms).unwrap();
                    every.text.read_every_number();
                    for market in ["US", "RU"] {
                        let u = Upload::text("u", market, &text);
                        let want = every.screen(&u).unwrap();
                        for s in [&gated, &prebuilt] {
                            let got = s.screen(&u).unwrap();
                            let lost: Vec<_> = want.hits.iter().filter(|h| !got.hits.contains(h)).collect();
                            prop_assert!(lost.is_empty(), "text {:?} lost {:?}", text, lost);
                            prop_assert!(got.action >= want.action, "text {:?}", text);
                        }
                    }
                }
            }
        }
    }
}
