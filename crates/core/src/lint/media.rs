//! Image and video materials against each other: two of one kind whose hashes lie
//! within both materials' distance thresholds match the same uploads, so they are
//! duplicates (or conflicts, when their actions or categories differ).
//!
//! For videos, every distinct frame of each must lie within both thresholds of some
//! frame of the other. The hashes go into one [`HashBank`], the matcher's own index,
//! so a large hash list is not compared pair by pair.

use super::pairs::{self, Pair};
use super::{Context, Finding};
use crate::bank::{BankEntry, HashBank};
use crate::model::MaterialKind;
use std::collections::{BTreeMap, BTreeSet};

/// Every quality passes: material hashes were quality-gated when the package was read.
const ANY_QUALITY: u8 = 100;

pub(super) fn check(cx: &Context<'_>) -> Vec<Finding> {
    let materials = &cx.package.materials;
    let mut entries = Vec::new();
    for (i, m) in materials.iter().enumerate() {
        for p in m.media.iter().flat_map(|media| &media.hashes) {
            let max_distance = m.media.as_ref().map_or(0, |x| x.max_distance);
            entries.push(BankEntry { hash: p.hash, owner: i as u32, max_distance, min_quality: 0 });
        }
    }
    if entries.is_empty() {
        return Vec::new();
    }
    let bank = HashBank::new(&entries);
    // covers[(i, j)]: every frame of i is within both thresholds of a frame of j; the
    // value is the largest of those nearest distances.
    let mut covers: BTreeMap<(usize, usize), u16> = BTreeMap::new();
    for (i, m) in materials.iter().enumerate() {
        let Some(media) = &m.media else { continue };
        let mut frames: BTreeMap<usize, (usize, u16)> = BTreeMap::new();
        for p in &media.hashes {
            let mut nearest: BTreeMap<usize, u16> = BTreeMap::new();
            bank.query(&p.hash, ANY_QUALITY, |e, d| {
                let j = bank.owner(e) as usize;
                if j != i && materials[j].kind == m.kind && d <= media.max_distance {
                    let n = nearest.entry(j).or_insert(d);
                    *n = (*n).min(d);
                }
            });
            for (j, d) in nearest {
                let f = frames.entry(j).or_insert((0, 0));
                *f = (f.0 + 1, f.1.max(d));
            }
        }
        covers.extend(
            frames
                .into_iter()
                .filter(|(_, (n, _))| *n == media.hashes.len())
                .map(|(j, (_, d))| ((i, j), d)),
        );
    }
    let mut out = Vec::new();
    let mut later: BTreeMap<usize, (Vec<usize>, Vec<usize>, u16)> = BTreeMap::new();
    let pairs: BTreeSet<(usize, usize)> =
        covers.keys().filter(|(i, j)| j < i && covers.contains_key(&(*j, *i))).copied().collect();
    for (i, j) in pairs {
        let d = covers[&(i, j)].max(covers[&(j, i)]);
        let e = later.entry(i).or_default();
        match pairs::pair(&materials[j], &materials[i]) {
            Pair::Conflict => e.0.push(j),
            Pair::Duplicate => e.1.push(j),
            Pair::Distinct => continue,
        }
        e.2 = e.2.max(d);
    }
    for (i, (conflicts, duplicates, d)) in later {
        let same = match materials[i].kind {
            MaterialKind::Video => format!(
                "the same video (every frame within pdq distance {d}, inside both thresholds)"
            ),
            _ => format!("the same image (pdq distance {d}, inside both thresholds)"),
        };
        if !conflicts.is_empty() {
            out.push(pairs::conflict(cx, i, &conflicts, &same));
        }
        if !duplicates.is_empty() {
            out.push(pairs::duplicate(cx, i, &duplicates, &same));
        }
    }
    out
}
