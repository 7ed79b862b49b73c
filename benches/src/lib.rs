//! Fixtures shared by the benchmarks: a synthetic package compiled natively and into
//! a pre-initialized component, and a ~2 KB Russian/English ad text.

pub mod evasion;
pub mod load;
pub mod media;

use prescreen_core::{Compiler, Package, Screener, Upload};
use prescreen_runtime::{Filter, Runtime, compile};

/// A ~2 KB ad: Russian and English, as a gateway would send it.
pub const AD_TEXT: &str = "Скидки до 70% на летнюю коллекцию! Только до конца недели: платья, \
обувь и аксессуары от ведущих брендов. Бесплатная доставка по Москве и Санкт-Петербургу при заказе \
от 3000 рублей. Оплата картой или при получении, возврат в течение 30 дней без объяснения причин. \
Summer sale: up to 70% off dresses, shoes and accessories from leading brands. Free delivery on \
orders over $40, easy returns within 30 days. Подпишитесь на рассылку и получите промокод на \
дополнительную скидку 10% на первый заказ. Наши стилисты помогут подобрать образ для отпуска, \
офиса или вечеринки. Новые поступления каждую пятницу. Join our newsletter for a 10% welcome \
code, styling tips from our team and early access to new arrivals every Friday. Мы работаем с \
2009 года и ценим каждого клиента: более миллиона довольных покупателей по всей России. \
Отзывы, рейтинги и фото от покупателей на каждой странице товара. Questions? Our support team \
answers in minutes, seven days a week, in Russian and English. Размерная сетка, советы по уходу \
за тканями и подробные описания материалов помогут сделать правильный выбор. Магазин в центре \
города открыт ежедневно с 10 до 22 часов, примерочные и парковка для покупателей.";

/// The ad text with two of the package's terms in it, so the request path includes
/// building a verdict with hits, as risky uploads do.
pub fn upload(package: &Package) -> Upload {
    let a = &package.materials[7].term;
    let b = &package.materials[package.materials.len() / 2].term;
    let mut u = Upload::text("bench", "RU", &format!("{AD_TEXT} {a}. {b}!"));
    u.fields.insert(
        0,
        prescreen_core::TextField {
            name: "title".into(),
            text: "Летняя распродажа / Summer sale".into(),
        },
    );
    u
}

pub struct Fixture {
    pub package: Package,
    pub package_bytes: Vec<u8>,
    pub screener: Screener,
    pub runtime: Runtime,
    /// The component compiled in memory: its memory image is a private memfd.
    pub filter: Filter,
    /// The same component precompiled to a file and loaded from it: the memory
    /// image is backed by the file (the deployment path, `prescreen precompile`).
    pub filter_file: Filter,
}

/// A synthetic package of `terms` terms, compiled natively and into a component.
pub fn fixture(terms: usize) -> Fixture {
    let (manifest, table) = prescreen_core::synth::package(terms, 1);
    let package =
        Compiler::new().built_at(1_700_000_000).unwrap().compile_strs(&manifest, &table).unwrap();
    let screener = Screener::new(package.clone()).unwrap();
    let runtime = Runtime::new().unwrap();
    let built = compile::compile(&runtime, &package).unwrap();
    let filter = runtime.load(&built.component).unwrap();
    let cwasm =
        std::env::temp_dir().join(format!("prescreen-bench-{terms}-{}.cwasm", std::process::id()));
    std::fs::write(&cwasm, runtime.precompile(&built.component).unwrap()).unwrap();
    // SAFETY: written just above by `precompile` of this build.
    let filter_file = unsafe { runtime.load_precompiled(&cwasm) }.unwrap();
    Fixture { package_bytes: package.to_bytes(), package, screener, runtime, filter, filter_file }
}

/// Clean English and Russian ads, the words [`varied_ads`] draws from.
const CLEAN_ADS: &str = include_str!("../../packages/testdata/clean-ads.txt");

/// `n` different ~2 KB ads of words drawn from [`AD_TEXT`] and the bundled clean ads,
/// one in ten with a term of the package in it (seeded: the same ads every run).
///
/// Why: a gateway never sees one ad twice in a row. A fresh instance keeps the pages
/// of the memory image that earlier requests read (`runtime.rs`, `KEEP_RESIDENT_BYTES`)
/// and the reset after each request scans them all, so the request cost depends on
/// how much of the automaton the traffic has touched, which one repeated ad hides.
pub fn varied_ads(package: &Package, n: usize) -> Vec<Upload> {
    let words: Vec<&str> = AD_TEXT.split_whitespace().chain(CLEAN_ADS.split_whitespace()).collect();
    let mut rng = fastrand::Rng::with_seed(7);
    (0..n)
        .map(|i| {
            let mut text = String::with_capacity(2100);
            while text.len() < 2000 {
                text.push_str(words[rng.usize(..words.len())]);
                text.push(' ');
            }
            if i % 10 == 0 {
                text.push_str(&package.materials[rng.usize(..package.materials.len())].term);
            }
            Upload::text(&format!("ad-{i}"), "RU", &text)
        })
        .collect()
}
