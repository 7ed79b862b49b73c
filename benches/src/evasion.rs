//! The evasion benchmark's generator (`--bench evasion`, issue #16): disguised
//! English and Russian ads made from a package's terms, one disguise class at a time,
//! and the clean text the same filters must leave alone (Debian's `fortunes`,
//! `fortunes-ru`, `hunspell-en-us` and `hunspell-ru`).
//!
//! Classes are built from properties where one exists (every letter may be swapped,
//! every gap between letters may take noise), and from small reviewed tables where the
//! property is a table (look-alike letters, leet digits). The generator deliberately
//! has more classes than the normalizer handles: what it does not handle stays in the
//! benchmark's table.

use fastrand::Rng;
use std::path::Path;

/// A term's script, by its letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn of(term: &str) -> Lang {
        let cyrillic = term.chars().filter(|c| ('\u{400}'..='\u{4ff}').contains(c)).count();
        let latin = term.chars().filter(char::is_ascii_alphabetic).count();
        if cyrillic > latin { Lang::Ru } else { Lang::En }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "EN",
            Lang::Ru => "RU",
        }
    }
}

/// How a class disguises a term (`None`: the class does not apply to this term, e.g.
/// joining the words of a one-word term).
pub type Disguise = fn(&str, Lang, &mut Rng) -> Option<String>;

/// One disguise class.
pub struct Class {
    pub name: &'static str,
    pub disguise: Disguise,
}

/// Every class, the control (`plain`) first.
pub const CLASSES: &[Class] = &[
    Class { name: "plain", disguise: |t, _, _| Some(t.to_string()) },
    Class { name: "case", disguise: case },
    Class { name: "homoglyph (UTS #39 pairs)", disguise: homoglyph },
    Class { name: "shape look-alike (not in UTS #39)", disguise: shape },
    Class { name: "leet digits", disguise: leet },
    Class { name: "separators, one kind", disguise: |t, _, r| Some(separated(t, r, false)) },
    Class { name: "separators, mixed kinds", disguise: |t, _, r| Some(separated(t, r, true)) },
    Class { name: "spaced letters", disguise: spaced },
    Class { name: "emoji between letters", disguise: |t, _, r| Some(noise(t, r, EMOJI)) },
    Class { name: "symbols between letters", disguise: |t, _, r| Some(noise(t, r, SYMBOLS)) },
    Class { name: "repeated letters", disguise: repeated },
    Class { name: "invisible characters", disguise: |t, _, r| Some(noise(t, r, INVISIBLE)) },
    Class { name: "diacritics", disguise: diacritics },
    Class { name: "fullwidth / math letters", disguise: compatibility },
    Class { name: "spaces removed", disguise: joined },
    Class { name: "word split by a space", disguise: split },
    Class { name: "inflection (case and number)", disguise: inflected },
    Class { name: "transliteration", disguise: transliterated },
    Class { name: "two disguises combined", disguise: combined },
];

/// Ad templates the disguised term is written into; none holds a term of the sample.
const EN_TEMPLATES: &[&str] = &[
    "Limited offer: {} today only, tap the link below",
    "New in town? {} - message us for details",
    "Best prices on {} this week, free delivery",
];
const RU_TEMPLATES: &[&str] = &[
    "Только сегодня: {} — переходите по ссылке",
    "Лучшие цены на {} в вашем городе, пишите в личку",
    "Новинка недели — {} со скидкой до конца месяца",
];

/// An ad carrying `text` where the template leaves room.
pub fn ad(text: &str, lang: Lang, rng: &mut Rng) -> String {
    let templates = if lang == Lang::Ru { RU_TEMPLATES } else { EN_TEMPLATES };
    templates[rng.usize(..templates.len())].replace("{}", text)
}

fn letters_mapped(
    term: &str,
    rng: &mut Rng,
    share: u32,
    map: impl Fn(char) -> Option<&'static [&'static str]>,
) -> Option<String> {
    let mut changed = false;
    let out: String = term
        .chars()
        .map(|c| match map(c) {
            Some(options) if rng.u32(..100) < share || !changed => {
                changed = true;
                options[rng.usize(..options.len())].to_string()
            }
            _ => c.to_string(),
        })
        .collect();
    changed.then_some(out)
}

fn case(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    Some(
        term.chars()
            .map(|c| if rng.bool() { c.to_uppercase().collect::<String>() } else { c.to_string() })
            .collect(),
    )
}

/// Letters swapped for the other script's letter UTS #39 lists as confusable.
fn homoglyph(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    letters_mapped(term, rng, 50, |c| {
        Some(match c {
            'a' => &["а"],
            'e' => &["е"],
            'o' => &["о"],
            'p' => &["р"],
            'c' => &["с"],
            'x' => &["х"],
            'y' => &["у"],
            'i' => &["і"],
            's' => &["ѕ"],
            'а' => &["a"],
            'е' => &["e"],
            'о' => &["o"],
            'р' => &["p"],
            'с' => &["c"],
            'х' => &["x"],
            'у' => &["y"],
            _ => return None,
        })
    })
}

/// Letters written with the other script's letter of a similar shape that UTS #39
/// does not pair (the misses issue #16 measured: `нaркotuки`, `cтаbки`).
fn shape(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    letters_mapped(term, rng, 50, |c| {
        Some(match c {
            'и' => &["u"],
            'в' => &["b"],
            'ь' => &["b"],
            'н' => &["h"],
            'т' => &["t", "m"],
            'к' => &["k"],
            'г' => &["r"],
            'п' => &["n"],
            'м' => &["m"],
            'л' => &["jl"],
            'я' => &["9l"],
            'n' => &["п"],
            'u' => &["и"],
            'r' => &["г"],
            'h' => &["н"],
            'k' => &["к"],
            'm' => &["м", "т"],
            't' => &["т"],
            'b' => &["в", "ь"],
            _ => return None,
        })
    })
}

/// Letters as the digits and symbols that look like them in the term's script.
fn leet(term: &str, lang: Lang, rng: &mut Rng) -> Option<String> {
    letters_mapped(term, rng, 60, |c| {
        Some(match (lang, c) {
            (Lang::En, 'a') => &["4", "@"],
            (Lang::En, 'e') => &["3"],
            (Lang::En, 'i') => &["1", "!"],
            (Lang::En, 'l') => &["1"],
            (Lang::En, 'o') => &["0"],
            (Lang::En, 's') => &["5", "$"],
            (Lang::En, 't') => &["7"],
            (Lang::En, 'g') => &["9"],
            (Lang::En, 'b') => &["8"],
            (Lang::Ru, 'а') => &["4", "@"],
            (Lang::Ru, 'е') => &["3"],
            (Lang::Ru, 'з') => &["3"],
            (Lang::Ru, 'о') => &["0"],
            (Lang::Ru, 'б') => &["6"],
            (Lang::Ru, 'ч') => &["4"],
            (Lang::Ru, 'т') => &["7"],
            (Lang::Ru, 'и') => &["1"],
            _ => return None,
        })
    })
}

const SEPARATORS: &[&str] = &[".", "-", "_", "*", "/", "|", "'", "+"];

fn separated(term: &str, rng: &mut Rng, mixed: bool) -> String {
    let one = SEPARATORS[rng.usize(..SEPARATORS.len())];
    words_rebuilt(term, |word| {
        let chars: Vec<String> = word.chars().map(String::from).collect();
        let mut out = String::new();
        for (i, c) in chars.iter().enumerate() {
            if i > 0 {
                out.push_str(if mixed { SEPARATORS[rng.usize(..SEPARATORS.len())] } else { one });
            }
            out.push_str(c);
        }
        out
    })
}

fn spaced(term: &str, _: Lang, _: &mut Rng) -> Option<String> {
    Some(
        term.split(' ')
            .map(|w| w.chars().map(String::from).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("  "),
    )
}

const EMOJI: &[&str] = NOISE_EMOJI;
/// The emoji the noise classes put between letters; none is an emoji term (`💊` is
/// half of one), so alone in an ad they are the emoji terms' clean control.
pub const NOISE_EMOJI: &[&str] = &["🔥", "❤️", "✨", "💰", "👉", "😍", "🎰", "💊"];
const SYMBOLS: &[&str] = &["★", "•", "~", "·", "※", "♦", "¤", "°"];
const INVISIBLE: &[&str] = &["\u{200b}", "\u{200d}", "\u{ad}", "\u{2060}", "\u{feff}", "\u{200c}"];

/// `pieces` inserted into one to three gaps between letters of each word.
fn noise(term: &str, rng: &mut Rng, pieces: &[&str]) -> String {
    words_rebuilt(term, |word| {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 2 {
            return word.to_string();
        }
        let gaps: Vec<usize> = (0..rng.usize(1..=3)).map(|_| rng.usize(1..chars.len())).collect();
        let mut out = String::new();
        for (i, c) in chars.iter().enumerate() {
            if gaps.contains(&i) {
                out.push_str(pieces[rng.usize(..pieces.len())]);
            }
            out.push(*c);
        }
        out
    })
}

fn repeated(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    Some(words_rebuilt(term, |word| {
        let chars: Vec<char> = word.chars().collect();
        let at = rng.usize(..chars.len().max(1));
        chars
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == at && c.is_alphabetic() {
                    c.to_string().repeat(rng.usize(3..=5))
                } else {
                    c.to_string()
                }
            })
            .collect()
    }))
}

fn diacritics(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    // No breve: it would make `и` the letter `й`, a different word.
    const MARKS: &[char] = &['\u{301}', '\u{300}', '\u{308}', '\u{302}', '\u{303}', '\u{327}'];
    let mut out = String::new();
    let mut marked = false;
    for c in term.chars() {
        out.push(c);
        if c.is_alphabetic() && (rng.u32(..100) < 40 || !marked) {
            out.push(MARKS[rng.usize(..MARKS.len())]);
            marked = true;
        }
    }
    Some(out)
}

/// Latin letters as fullwidth or mathematical letters (NFKD folds them back);
/// Cyrillic has no such forms, so Russian terms get fullwidth digits and punctuation
/// only where they have them, else the class does not apply.
fn compatibility(term: &str, lang: Lang, rng: &mut Rng) -> Option<String> {
    if lang == Lang::Ru {
        return None;
    }
    let bold_script = rng.bool();
    Some(
        term.chars()
            .map(|c| match c {
                'a'..='z' if bold_script => {
                    char::from_u32(0x1D4EA + (c as u32 - 'a' as u32)).unwrap_or(c)
                }
                'a'..='z' | '0'..='9' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
                _ => c,
            })
            .collect(),
    )
}

fn joined(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    term.contains(' ').then(|| {
        let joined: String = term.split(' ').collect();
        if rng.bool() { format!("#{joined}") } else { joined }
    })
}

fn split(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    let words: Vec<&str> = term.split(' ').collect();
    let long: Vec<usize> = (0..words.len()).filter(|&i| words[i].chars().count() >= 5).collect();
    let &w = long.get(rng.usize(..long.len().max(1)))?;
    let chars: Vec<char> = words[w].chars().collect();
    let at = rng.usize(2..chars.len() - 1);
    let broken = format!(
        "{} {}",
        chars[..at].iter().collect::<String>(),
        chars[at..].iter().collect::<String>()
    );
    Some(
        words
            .iter()
            .enumerate()
            .map(|(i, x)| if i == w { broken.clone() } else { x.to_string() })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Another grammatical form of the term, as a writer of the language would put it:
/// one of the forms `benches/data/inflect.py` took from morphological analyzers
/// (pymorphy3 for Russian, with case and number agreeing across the phrase;
/// lemminflect for English). `None` for a term the analyzers could not inflect.
fn inflected(term: &str, _: Lang, rng: &mut Rng) -> Option<String> {
    let forms = inflections().get(term.to_lowercase().as_str())?;
    Some(forms[rng.usize(..forms.len())].to_string())
}

/// `benches/data/inflections.tsv`: each term's inflected forms.
fn inflections() -> &'static std::collections::HashMap<&'static str, Vec<&'static str>> {
    static FORMS: std::sync::OnceLock<std::collections::HashMap<&str, Vec<&str>>> =
        std::sync::OnceLock::new();
    FORMS.get_or_init(|| {
        let mut forms = std::collections::HashMap::<&str, Vec<&str>>::new();
        for line in include_str!("../data/inflections.tsv").lines() {
            if let Some((term, form)) = line.split_once('\t') {
                forms.entry(term).or_default().push(form);
            }
        }
        forms
    })
}

/// Russian in Latin letters, as ads write it: each letter in one of the spellings
/// people type (passport, GOST and chat habits mixed, one pick per letter), so the
/// class is not one scheme a filter could learn.
fn transliterated(term: &str, lang: Lang, rng: &mut Rng) -> Option<String> {
    if lang != Lang::Ru {
        return None;
    }
    let pick = |options: &[&'static str], rng: &mut Rng| options[rng.usize(..options.len())];
    Some(
        term.chars()
            .map(|c| {
                match c {
                    'а' => "a",
                    'б' => "b",
                    'в' => pick(&["v", "v", "w"], rng),
                    'г' => "g",
                    'д' => "d",
                    'е' => "e",
                    'ё' => pick(&["e", "yo", "jo"], rng),
                    'ж' => pick(&["zh", "zh", "j"], rng),
                    'з' => "z",
                    'и' => "i",
                    'й' => pick(&["y", "i", "j"], rng),
                    'к' => "k",
                    'л' => "l",
                    'м' => "m",
                    'н' => "n",
                    'о' => "o",
                    'п' => "p",
                    'р' => "r",
                    'с' => "s",
                    'т' => "t",
                    'у' => "u",
                    'ф' => "f",
                    'х' => pick(&["h", "kh", "x"], rng),
                    'ц' => pick(&["ts", "c", "tz"], rng),
                    'ч' => "ch",
                    'ш' => "sh",
                    'щ' => pick(&["sch", "shch", "sh"], rng),
                    'ъ' => "",
                    'ы' => pick(&["y", "i"], rng),
                    'ь' => pick(&["", "", "'"], rng),
                    'э' => "e",
                    'ю' => pick(&["yu", "ju", "iu"], rng),
                    'я' => pick(&["ya", "ja", "ia"], rng),
                    other => return other.to_string(),
                }
                .to_string()
            })
            .collect(),
    )
}

/// Two different disguises of the letter and the gap kinds, one after the other.
fn combined(term: &str, lang: Lang, rng: &mut Rng) -> Option<String> {
    let letters: [Disguise; 3] = [homoglyph, leet, case];
    let first =
        letters[rng.usize(..letters.len())](term, lang, rng).unwrap_or_else(|| term.to_string());
    Some(match rng.usize(..3) {
        0 => separated(&first, rng, true),
        1 => noise(&first, rng, SYMBOLS),
        _ => noise(&first, rng, INVISIBLE),
    })
}

fn words_rebuilt(term: &str, mut word: impl FnMut(&str) -> String) -> String {
    term.split(' ').map(&mut word).collect::<Vec<_>>().join(" ")
}

/// Clean text from Debian packages: fortune cookies (EN and RU, one text each) and
/// hunspell dictionary words (one text each). Empty when the packages are absent.
pub struct Clean {
    pub sentences: Vec<(Lang, String)>,
    pub words: Vec<(Lang, String)>,
}

/// Debian's paths: `fortunes`, `fortunes-ru`, `hunspell-en-us`, `hunspell-ru`.
pub fn debian_clean_text() -> Clean {
    let mut sentences = Vec::new();
    for (lang, dir) in
        [(Lang::En, "/usr/share/games/fortunes"), (Lang::Ru, "/usr/share/games/fortunes/ru")]
    {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_none())
            .collect();
        files.sort();
        for file in files {
            // Offensive collections are not clean text.
            if file.to_string_lossy().contains("off") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            sentences.extend(
                text.split("\n%\n")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| (lang, s.split_whitespace().collect::<Vec<_>>().join(" "))),
            );
        }
    }
    let mut words = Vec::new();
    for (lang, dic) in
        [(Lang::En, "/usr/share/hunspell/en_US.dic"), (Lang::Ru, "/usr/share/hunspell/ru_RU.dic")]
    {
        if let Ok(text) = std::fs::read_to_string(Path::new(dic)) {
            words.extend(
                text.lines()
                    .skip(1)
                    .filter_map(|l| l.split('/').next())
                    .filter(|w| !w.is_empty())
                    .map(|w| (lang, w.to_string())),
            );
        }
    }
    Clean { sentences, words }
}

/// Emoji and symbol terms (issue #16, item 6): what ads write drugs, sex and money
/// with. The benchmark screens them through a package of their own, so the word
/// classes above keep their terms.
pub const EMOJI_TERMS: &[&str] = &["🍃", "❄️", "🍆💦", "💊🔌", "🍑", "💉", "🔞", "🍄"];

/// One disguise of an emoji term (`None`: it does not apply to this term).
pub struct EmojiClass {
    pub name: &'static str,
    pub disguise: fn(&str, &mut Rng) -> Option<String>,
}

/// Every emoji class, the control (`as written`) first. The properties are Unicode's:
/// presentation selectors, skin-tone modifiers and gendered joiner sequences change how
/// an emoji looks, not what it is; repeats and spaces change nothing either.
pub const EMOJI_CLASSES: &[EmojiClass] = &[
    EmojiClass { name: "as written", disguise: |t, _| Some(t.to_string()) },
    EmojiClass { name: "presentation selectors added or dropped", disguise: selectors },
    EmojiClass { name: "skin tone or gender added", disguise: modifiers },
    EmojiClass { name: "each emoji repeated", disguise: emoji_repeated },
    EmojiClass { name: "spaces between emoji", disguise: emoji_spaced },
    EmojiClass { name: "glued to the words around", disguise: |t, _| Some(format!("now{t}here")) },
];

/// An emoji term's emoji, without their presentation selectors.
fn emoji_of(term: &str) -> Vec<char> {
    term.chars().filter(|&c| c != '\u{fe0f}' && c != '\u{fe0e}').collect()
}

fn selectors(term: &str, rng: &mut Rng) -> Option<String> {
    let had = term.contains('\u{fe0f}');
    Some(
        emoji_of(term)
            .into_iter()
            .map(|c| {
                let vs = if had { rng.bool() && rng.bool() } else { true };
                let vs = if vs { ["\u{fe0f}", "\u{fe0e}"][rng.usize(..2)] } else { "" };
                format!("{c}{vs}")
            })
            .collect(),
    )
}

fn modifiers(term: &str, rng: &mut Rng) -> Option<String> {
    Some(
        emoji_of(term)
            .into_iter()
            .map(|c| match rng.u32(..3) {
                0 => format!("{c}{}", char::from_u32(0x1f3fb + rng.u32(..5)).unwrap()),
                1 => format!("{c}\u{200d}{}\u{fe0f}", ['♀', '♂'][rng.usize(..2)]),
                _ => format!(
                    "{c}{}\u{200d}♀\u{fe0f}",
                    char::from_u32(0x1f3fb + rng.u32(..5)).unwrap()
                ),
            })
            .collect(),
    )
}

fn emoji_repeated(term: &str, rng: &mut Rng) -> Option<String> {
    Some(emoji_of(term).into_iter().map(|c| c.to_string().repeat(rng.usize(2..5))).collect())
}

fn emoji_spaced(term: &str, _: &mut Rng) -> Option<String> {
    let emoji = emoji_of(term);
    (emoji.len() > 1).then(|| emoji.iter().map(char::to_string).collect::<Vec<_>>().join(" "))
}
